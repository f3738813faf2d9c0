"""Fixtures for the web tests: a copy of the reference database and servers over it.

Servers are real uvicorn servers on a free port of 127.0.0.1 (``ServerThread``); clients are
httpx clients against them, as a browser or a script would call the API.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from minerscope import storage

pytest.importorskip("fastapi", reason="the web extra is not installed (pip install '.[test]')")

from minerscope.web import ServerThread, create_app  # noqa: E402

TOUCHSTONE = "2026-02-01T08:40:17Z"


@pytest.fixture(scope="session")
def web_db(reference_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the reference database for the web tests (the CLI opens it read-write)."""
    dest = tmp_path_factory.mktemp("webdb") / "web.sqlite"
    src = storage.connect(reference_db_file, read_only=True)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    storage.connect(dest).close()  # WAL on, schema current
    return dest


@pytest.fixture(scope="session")
def server(web_db: Path) -> Iterator[ServerThread]:
    """One server over ``web_db`` for the read-only tests of the session."""
    with ServerThread(create_app(web_db)) as srv:
        yield srv


@pytest.fixture
def client(server: ServerThread) -> Iterator[httpx.Client]:
    """An HTTP client of the session's server."""
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


@pytest.fixture
def serve() -> Iterator[Callable[..., ServerThread]]:
    """Start servers of one's own (``serve(db_path, **create_app_options)``); all stop after."""
    running: list[ServerThread] = []

    def start(db_path: Path, **options: Any) -> ServerThread:
        srv = ServerThread(create_app(db_path, **options))
        srv.__enter__()
        running.append(srv)
        return srv

    yield start
    for srv in running:
        srv.__exit__(None, None, None)
