"""The ``minerscope`` command line: parse options, call one library function, render.

Exit codes: 0 ok, 1 bad input or failed check, 2 usage, 3 data source unavailable.

``minerscope.cli.app`` is the Typer application with every command registered; the console
script (:func:`main`) registers only the command it runs (see :mod:`._app`).
"""

from __future__ import annotations

import sys
from typing import Any


def __getattr__(name: str) -> Any:  # PEP 562: ``app`` loads every command on first use
    if name == "app":
        from ._app import load_all

        return load_all()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Console-script entry point."""
    from ._app import load_for

    load_for(sys.argv[1:])()


__all__ = ["app", "main"]
