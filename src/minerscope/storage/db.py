"""Opening the embedded SQLite database and running transactions."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import platformdirs

from ..errors import InputError
from .migrations import migrate

ENV_DB = "MINERSCOPE_DB"
DB_FILENAME = "minerscope.sqlite"


def default_db_path() -> Path:
    """``$MINERSCOPE_DB`` if set, else ``minerscope.sqlite`` in the user data directory."""
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("minerscope", appauthor=False)) / DB_FILENAME


def resolve_db_path(path: str | Path | None) -> Path:
    """The database path: the given one, else :func:`default_db_path`."""
    return Path(path) if path else default_db_path()


def connect(path: str | Path | None = None, *, read_only: bool = False) -> sqlite3.Connection:
    """Open (creating if needed) the database and bring its schema up to date.

    Parameters
    ----------
    path : str or Path, optional
        Database file; ``":memory:"`` for a private in-memory database; None for
        :func:`default_db_path`.
    read_only : bool
        Open an existing file without writing (the migrations are not applied).

    Notes
    -----
    Connections run in autocommit mode: every write goes through :func:`transaction`,
    so an import or a sync batch commits whole or not at all. WAL lets readers work
    while a sync writes.
    """
    if path == ":memory:":
        conn = sqlite3.connect(":memory:", isolation_level=None)
    else:
        db_path = resolve_db_path(path)
        if read_only:
            if not db_path.exists():
                raise InputError(f"database {db_path} does not exist")
            conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, isolation_level=None)
        else:
            try:
                db_path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(db_path, isolation_level=None, timeout=30.0)
            except (OSError, sqlite3.Error) as exc:
                raise InputError(f"cannot open database {db_path}: {exc}") from exc
    conn.execute("PRAGMA foreign_keys = ON")
    # Statement journals in memory: a write that fires triggers (block_days) keeps one per
    # statement, and on disk they cost an import of the whole chain twice its system time.
    conn.execute("PRAGMA temp_store = MEMORY")
    if not read_only:
        try:
            if path != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            where = resolve_db_path(path)
            raise InputError(f"{where} is not a minerscope database: {exc}") from exc
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block as one write transaction: commit on success, roll back on any error."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
