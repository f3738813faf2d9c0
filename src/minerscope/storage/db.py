"""Opening the embedded SQLite database and running transactions.

Every command opens the database through one of two entry points:

- :func:`open_for_reading` (status, hashrate, difficulty, machines, fleet, economics,
  backtest ...) never creates, changes or leaves behind a file. A missing or 0-byte path,
  a directory, a FIFO or device, a text file, a truncated file, another application's
  SQLite file and a newer schema are each refused with one line naming the path and the
  cause.
- :func:`open_for_writing` (import, quickstart, sync) creates the file when it is missing
  or 0 bytes and refuses everything else that is not a minerscope database before it
  writes a byte. :func:`writing` also removes a file it created when the block fails.

Errors of the database itself (locked past the wait, disk full, read-only file system,
damaged file) become one :class:`~minerscope.errors.DatabaseError` line
(:func:`describe_sqlite_error`); :func:`transaction` never hides the cause behind SQLite's
"cannot rollback".
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

import platformdirs

from ..errors import DatabaseError
from . import _dbfile
from ._dbfile import (
    APPLICATION_ID,
    fail,
    identify,
    inspect_path,
    read_only_fs,
    side_files,
    uri,
)
from .migrations import migrate

ENV_DB = "MINERSCOPE_DB"
DB_FILENAME = "minerscope.sqlite"
#: How long a command waits for another process's write lock before giving up. [s]
BUSY_TIMEOUT_S: float = 30.0
_MS_PER_S: Final = 1000
_SIDE_SUFFIXES: Final = ("-wal", "-shm", "-journal")
_CREATE_HINT: Final = (
    "create it with `minerscope quickstart`, `minerscope import` or `minerscope sync`"
)
_savepoints = itertools.count(1)


def default_db_path() -> Path:
    """``$MINERSCOPE_DB`` if set, else ``minerscope.sqlite`` in the user data directory."""
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("minerscope", appauthor=False)) / DB_FILENAME


def resolve_db_path(path: str | Path | None) -> Path:
    """The database path: the given one, else :func:`default_db_path`."""
    return Path(path) if path else default_db_path()


# --- reading ------------------------------------------------------------------------------


# Database files this process has open through this module (a count per absolute path):
# a file is removed or cleaned up only when no other connection of ours still uses it.
_open_counts: Counter[str] = Counter()


class _Tracked(sqlite3.Connection):
    """A connection counted in ``_open_counts`` until it is closed."""

    tracked_path: str | None = None

    def track(self, path: Path) -> None:
        self.tracked_path = str(path.absolute())
        _open_counts[self.tracked_path] += 1

    def close(self) -> None:
        super().close()
        path, self.tracked_path = self.tracked_path, None
        if path is not None:
            _open_counts[path] -= 1
            if _open_counts[path] <= 0:
                del _open_counts[path]


def _in_use(path: Path) -> bool:
    return _open_counts.get(str(path.absolute()), 0) > 0


class _ReadConnection(_Tracked):
    """A read-only connection that removes the -wal/-shm files its opening created."""

    cleanup_path: str | None = None

    def close(self) -> None:
        super().close()
        path, self.cleanup_path = self.cleanup_path, None
        if path is None or _in_use(Path(path)):
            return
        # A read-only connection cannot delete the WAL files SQLite made for it. A plain
        # connection that reads and closes does, and only when it is the last one open
        # (SQLite's own rule), leaving the main file's bytes untouched (the WAL is empty).
        try:
            probe = sqlite3.connect(f"file:{quote(path, safe='/')}?mode=rw", uri=True)
            try:
                probe.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
            finally:
                probe.close()
        except sqlite3.Error:
            pass


def _open_ro(path: Path) -> _ReadConnection:
    state = inspect_path(path)
    if not state.exists or state.size == 0:
        raise DatabaseError(f"no minerscope database at {path}; {_CREATE_HINT}")
    on_read_only_fs = read_only_fs(path)
    params = {"mode": "ro"}
    if on_read_only_fs:
        params["immutable"] = "1"  # nothing can write here; no -shm can be made
    before = side_files(path)
    try:
        conn = sqlite3.connect(
            uri(path, **params),
            uri=True,
            isolation_level=None,
            timeout=BUSY_TIMEOUT_S,
            factory=_ReadConnection,
        )
    except sqlite3.Error as exc:
        raise _translated(exc, None, path) from exc
    conn.track(path)
    if state.wal_mode and not on_read_only_fs and not ({"-wal", "-shm"} & before):
        conn.cleanup_path = str(path.absolute())
    return conn


def open_for_reading(path: str | Path | None = None) -> sqlite3.Connection:
    """Open an existing minerscope database for reading; never create or change a file.

    Parameters
    ----------
    path : str or Path, optional
        Database file; ``":memory:"`` for a private empty database; None for
        :func:`default_db_path`.

    Raises
    ------
    DatabaseError
        One line: no database at the path (missing or 0 bytes, with how to create one),
        a directory or special file, not SQLite, truncated, another application's file,
        a newer schema, locked past the wait, or unreadable. A minerscope database of an
        older schema is first brought up to date (unless its file system is read-only).
    """
    if path == ":memory:":
        return open_for_writing(":memory:")
    p = resolve_db_path(path)
    conn = _open_ro(p)
    try:
        kind = identify(conn, p, waited_s=BUSY_TIMEOUT_S)
    except BaseException:
        conn.close()
        raise
    if kind == "ours":
        return conn
    conn.close()
    if kind == "empty":
        raise DatabaseError(f"no minerscope database at {p} (an empty SQLite file); {_CREATE_HINT}")
    if read_only_fs(p):
        raise fail(
            p,
            "was written by an older minerscope and cannot be upgraded on a read-only file"
            " system; copy it to a writable place first",
        )
    open_for_writing(p).close()  # an older schema of ours: bring it up to date, then read
    return _open_ro(p)


# --- writing ------------------------------------------------------------------------------


class _WriteConnection(_Tracked):
    """A connection that knows whether its opening created the database file.

    ``created_from`` is ``"missing"`` (the file did not exist), ``"empty"`` (it had 0
    bytes) or None (an existing database). Closed while an error propagates (the
    ``try: ... finally: conn.close()`` of every write command), a file it created that
    still holds no rows is removed again (or emptied), unless another connection or process
    has it open: a failed first import or sync leaves nothing behind.
    """

    created_from: str | None = None

    def close(self) -> None:
        path, created = self.tracked_path, self.created_from
        if path is None or created is None or sys.exc_info()[1] is None:
            super().close()
            return
        unused = _holds_no_rows(self)
        super().close()
        if unused and not _in_use(Path(path)):
            _dbfile.remove_if_sole_user(Path(path), keep_empty=created == "empty")


def open_for_writing(
    path: str | Path | None = None, *, busy_timeout_s: float | None = None
) -> sqlite3.Connection:
    """Open (creating if missing or 0 bytes) a minerscope database and update its schema.

    Parameters
    ----------
    path : str or Path, optional
        Database file; ``":memory:"`` for a private in-memory database; None for
        :func:`default_db_path` (whose folder is created when missing; the folder of a
        path given explicitly must exist).
    busy_timeout_s : float, optional
        How long to wait for another process's write lock [s; default
        :data:`BUSY_TIMEOUT_S`].

    Notes
    -----
    Connections run in autocommit mode: every write goes through :func:`transaction`,
    so an import or a sync batch commits whole or not at all. WAL lets readers work
    while a sync writes. Anything that is not a minerscope database (another
    application's SQLite file, a text file, a newer schema ...) is refused before a byte
    of it is written.
    """
    timeout = BUSY_TIMEOUT_S if busy_timeout_s is None else busy_timeout_s
    if path == ":memory:":
        conn = sqlite3.connect(":memory:", isolation_level=None, factory=_WriteConnection)
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
        return conn
    p = resolve_db_path(path)
    state = inspect_path(p)
    if not state.exists:
        parent = p.parent
        if not parent.exists() and not path:
            try:
                parent.mkdir(parents=True, exist_ok=True)  # the default location only
            except OSError as exc:
                raise fail(p, f"cannot create its folder: {exc.strerror or exc}") from None
        elif not parent.is_dir():
            raise fail(p, f"cannot create the database: the folder {parent} does not exist")
    if read_only_fs(p):
        raise fail(p, "cannot write the database: the file system is read-only")
    new = not state.exists or state.size == 0
    if not new:
        probe = _open_ro(p)  # look before touching: refuse what is not ours unchanged
        try:
            new = identify(probe, p, waited_s=timeout) == "empty"
        finally:
            probe.close()
    try:
        conn = sqlite3.connect(
            uri(p, mode="rwc"),
            uri=True,
            isolation_level=None,
            timeout=timeout,
            factory=_WriteConnection,
        )
    except sqlite3.Error as exc:
        raise _translated(exc, None, p) from exc
    conn.created_from = "missing" if not state.exists else "empty" if state.size == 0 else None
    conn.track(p)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * _MS_PER_S)}")
        conn.execute("PRAGMA foreign_keys = ON")
        # Statement journals in memory: a write that fires triggers (block_days) keeps one
        # per statement, and on disk they cost an import of the whole chain twice its
        # system time.
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        if new:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        identify(
            conn, p, waited_s=timeout
        )  # again, now under this connection (refuses a newer schema)
        migrate(conn)
    except BaseException as exc:
        created_from = conn.created_from
        conn.close()
        if created_from is not None:
            _dbfile.remove_files(p, keep_empty=created_from == "empty")
        if isinstance(exc, sqlite3.Error):
            raise _translated(exc, None, p) from exc
        raise
    return conn


def created_database(conn: sqlite3.Connection) -> bool:
    """Whether :func:`open_for_writing` created this connection's database (from a missing
    or a 0-byte file)."""
    return getattr(conn, "created_from", None) is not None


def _holds_no_rows(conn: sqlite3.Connection) -> bool:
    """Whether no table but ``_migrations`` holds a row (an unreadable file counts as empty:
    it holds nothing worth keeping that we wrote)."""
    try:
        tables = [
            str(n)
            for (n,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' AND name != '_migrations'"
            )
        ]
        return not any(conn.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() for t in tables)
    except sqlite3.Error:
        return True


@contextmanager
def writing(path: str | Path | None = None) -> Iterator[sqlite3.Connection]:
    """:func:`open_for_writing` for a block, closed after it.

    When the block fails and this call created the file, the file is removed again if it
    holds no rows and no other process has it open: a failed first import leaves nothing.
    """
    conn = open_for_writing(path)
    try:
        yield conn
    finally:
        conn.close()  # while an error propagates, a file this call created goes again


#: Page cache of a bulk import: the block-hash index of a whole chain (about 80 MiB) then
#: stays mostly in memory instead of being re-read for each insert. [MiB]
BULK_CACHE_MIB: Final = 64
_KIB_PER_MIB: Final = 1024


@contextmanager
def bulk_cache(conn: sqlite3.Connection, mib: int = BULK_CACHE_MIB) -> Iterator[None]:
    """A larger SQLite page cache for the block (a bulk import), restored after it."""
    before = int(conn.execute("PRAGMA cache_size").fetchone()[0])
    conn.execute(f"PRAGMA cache_size = -{int(mib) * _KIB_PER_MIB}")
    try:
        yield
    finally:
        with suppress(sqlite3.Error):
            conn.execute(f"PRAGMA cache_size = {before}")


@contextmanager
def reading(path: str | Path | None = None) -> Iterator[sqlite3.Connection]:
    """:func:`open_for_reading` for a block, closed after it."""
    conn = open_for_reading(path)
    try:
        yield conn
    finally:
        conn.close()


def connect(path: str | Path | None = None, *, read_only: bool = False) -> sqlite3.Connection:
    """:func:`open_for_reading` when ``read_only``, else :func:`open_for_writing`."""
    return open_for_reading(path) if read_only else open_for_writing(path)


# --- transactions -------------------------------------------------------------------------


def _translated(exc: sqlite3.Error, conn: sqlite3.Connection | None, path: Path | None) -> Any:
    return _dbfile.translated(exc, conn, path, waited_s=BUSY_TIMEOUT_S)


def describe_sqlite_error(
    exc: sqlite3.Error, path: str | Path | None = None
) -> DatabaseError | None:
    """The one-line :class:`DatabaseError` for a failure of the database file itself
    (locked past :data:`BUSY_TIMEOUT_S`, full, I/O, read-only, damaged, not a database),
    or None for other SQLite errors (constraints, programming errors)."""
    return _dbfile.describe_sqlite_error(exc, path, waited_s=BUSY_TIMEOUT_S)


def _quietly(conn: sqlite3.Connection, sql: str) -> None:
    with suppress(sqlite3.Error):  # the original error is the one worth reporting
        conn.execute(sql)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block as one write transaction: commit on success, roll back on any error.

    Inside another transaction the block becomes a savepoint of it, so the outer
    transaction still commits or rolls back whole. When SQLite has already rolled back
    by itself (a full disk, an I/O error), the original error is raised, as one
    :class:`DatabaseError` line, not SQLite's "cannot rollback".
    """
    if conn.in_transaction:
        name = f"minerscope_{next(_savepoints)}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                _quietly(conn, f"ROLLBACK TO {name}")
                _quietly(conn, f"RELEASE {name}")
            raise
        conn.execute(f"RELEASE {name}")
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise _translated(exc, conn, None) from exc
    try:
        yield conn
    except BaseException as exc:
        if conn.in_transaction:
            _quietly(conn, "ROLLBACK")
        if isinstance(exc, sqlite3.Error) and describe_sqlite_error(exc) is not None:
            raise _translated(exc, conn, None) from exc
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            _quietly(conn, "ROLLBACK")
        raise _translated(exc, conn, None) from exc
