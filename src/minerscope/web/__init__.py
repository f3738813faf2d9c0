"""The web layer: a REST API (``/api/v1/...``) and a dashboard (``/``) over one database.

Rendering only: each endpoint calls one report function and returns its document; the
dashboard draws those documents. Needs the ``web`` extra (``pip install 'minerscope[web]'``).
"""

from __future__ import annotations

from .app import create_app
from .server import ServerThread, is_loopback, make_server

__all__ = ["ServerThread", "create_app", "is_loopback", "make_server"]
