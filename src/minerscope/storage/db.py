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
import stat
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

import platformdirs

from ..errors import DatabaseBusyError, DatabaseError
from .migrations import MIGRATIONS, migrate

ENV_DB = "MINERSCOPE_DB"
DB_FILENAME = "minerscope.sqlite"
#: How long a command waits for another process's write lock before giving up. [s]
BUSY_TIMEOUT_S: float = 30.0
#: ``PRAGMA application_id`` of the files minerscope creates ("MSCP").
APPLICATION_ID: Final = 0x4D534350
_MS_PER_S: Final = 1000
_SQLITE_MAGIC: Final = b"SQLite format 3\x00"
_SQLITE_HEADER_BYTES: Final = 100
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


# --- what is at the path ------------------------------------------------------------------


@dataclass(frozen=True)
class _FileState:
    exists: bool
    size: int = 0
    wal_mode: bool = False


def _fail(path: Path, reason: str) -> DatabaseError:
    return DatabaseError(reason, path=str(path))


def _inspect(path: Path) -> _FileState:
    """What the path holds, refusing anything that is not (yet) an SQLite file.

    Never opens anything but a regular file, so a FIFO cannot block and a device cannot
    be read without end.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return _FileState(exists=False)
    except NotADirectoryError:
        raise _fail(path, "a folder in the path is a file") from None
    except OSError as exc:
        raise _fail(path, f"cannot access the database: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise _fail(path, "is a directory, not a database file")
    if not stat.S_ISREG(st.st_mode):
        raise _fail(path, "is not a regular file (a FIFO, device or socket), not a database")
    if st.st_size == 0:
        return _FileState(exists=True, size=0)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        try:
            head = os.read(fd, _SQLITE_HEADER_BYTES)
        finally:
            os.close(fd)
    except OSError as exc:
        raise _fail(path, f"cannot read the database: {exc.strerror or exc}") from None
    if not head.startswith(_SQLITE_MAGIC):
        raise _fail(path, "is not an SQLite database file (no SQLite header)")
    if len(head) < _SQLITE_HEADER_BYTES:
        raise _fail(path, f"is a truncated SQLite file ({st.st_size} bytes, no complete header)")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65_536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise _fail(path, f"is a damaged SQLite file (page size {page_size})")
    pages = int.from_bytes(head[28:32], "big")
    counter_matches = head[24:28] == head[92:96]
    if counter_matches and pages and st.st_size < pages * page_size:
        raise _fail(
            path,
            f"is a truncated SQLite file: {st.st_size:,} bytes, its header says"
            f" {pages * page_size:,}; restore it from a backup or re-import",
        )
    return _FileState(exists=True, size=st.st_size, wal_mode=head[18] == 2 and head[19] == 2)


def _read_only_fs(path: Path) -> bool:
    """Whether the file system holding ``path`` (or its folder) is mounted read-only."""
    for candidate in (path, path.parent):
        try:
            return bool(os.statvfs(candidate).f_flag & os.ST_RDONLY)
        except OSError:
            continue
    return False


def _uri(path: Path, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"file:{quote(str(path.absolute()), safe='/')}?{query}"


def _side_files(path: Path) -> set[str]:
    return {s for s in _SIDE_SUFFIXES if os.path.lexists(f"{path}{s}")}


# --- errors of the database itself --------------------------------------------------------


def describe_sqlite_error(
    exc: sqlite3.Error, path: str | Path | None = None
) -> DatabaseError | None:
    """The one-line error for an SQLite failure of the file itself, or None for others.

    Locked past the wait, disk full, I/O errors, read-only, damaged or not a database become
    a :class:`DatabaseError` (locked: :class:`DatabaseBusyError`); constraint violations and
    programming errors return None (the caller handles those).
    """
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    where = None if path is None else str(path)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in text:
        return DatabaseBusyError(
            f"the database is locked by another process (waited {BUSY_TIMEOUT_S:g} s);"
            " try again when it has finished",
            path=where,
        )
    if name == "SQLITE_FULL" or "database or disk is full" in text:
        return DatabaseError(
            "cannot write the database: the disk is full (SQLite: database or disk is full);"
            " nothing was written",
            path=where,
        )
    if name.startswith("SQLITE_IOERR") or "disk I/O error" in text:
        return DatabaseError(
            f"input/output error on the database file ({name or text}): the disk may be full,"
            " the file too large for its limit, or the device failing; nothing was written",
            path=where,
        )
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return DatabaseError(
            "cannot write the database: it is read-only (file permissions or a read-only file"
            " system)",
            path=where,
        )
    if name.startswith("SQLITE_CANTOPEN") or "unable to open database" in text:
        return DatabaseError(f"cannot open the database file ({text})", path=where)
    if name == "SQLITE_NOTADB" or "file is not a database" in text:
        return DatabaseError("is not an SQLite database file", path=where)
    if name.startswith("SQLITE_CORRUPT") or "malformed" in text:
        return DatabaseError(
            f"the database file is damaged ({text}); restore it from a backup or re-import",
            path=where,
        )
    if name == "SQLITE_NOMEM":
        return DatabaseError("out of memory in SQLite", path=where)
    return None


def database_path(conn: sqlite3.Connection) -> str | None:
    """The file of a connection's main database (None for an in-memory one)."""
    try:
        for _, name, file in conn.execute("PRAGMA database_list"):
            if name == "main":
                return str(file) or None
    except sqlite3.Error:
        return None
    return None


def _translated(exc: sqlite3.Error, conn: sqlite3.Connection | None, path: Path | None) -> Any:
    where = path if path is not None else (database_path(conn) if conn is not None else None)
    return describe_sqlite_error(exc, where) or exc


# --- is it ours? --------------------------------------------------------------------------


def _identify(conn: sqlite3.Connection, path: Path) -> str:
    """``"ours"``, ``"stale"`` (ours, migrations missing) or ``"empty"``; refuses the rest."""
    try:
        tables = sorted(
            str(n)
            for (n,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
                " AND name NOT LIKE 'sqlite_%'"
            )
        )
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
    except sqlite3.Error as exc:
        raise _translated(exc, None, path) from exc
    if app_id not in (0, APPLICATION_ID):
        raise _fail(
            path,
            f"is the SQLite database of another application (application id {app_id:#x}),"
            " not a minerscope database; nothing was changed",
        )
    if "_migrations" not in tables:
        if not tables:
            return "empty"
        shown = ", ".join(tables[:8]) + (", ..." if len(tables) > 8 else "")
        raise _fail(
            path,
            f"is the SQLite database of another application (tables: {shown}), not a"
            " minerscope database; nothing was changed",
        )
    try:
        recorded = {
            int(v): str(n) for v, n in conn.execute("SELECT version, name FROM _migrations")
        }
    except (sqlite3.Error, ValueError, TypeError) as exc:
        if isinstance(exc, sqlite3.Error) and describe_sqlite_error(exc) is not None:
            raise _translated(exc, None, path) from exc
        raise _fail(
            path,
            "has a _migrations table that is not minerscope's; not a minerscope database;"
            " nothing was changed",
        ) from None
    known = {v: n for v, n, _ in MIGRATIONS}
    newer = sorted(set(recorded) - set(known))
    if newer:
        raise _fail(
            path,
            f"was written by a newer minerscope: schema version(s) {', '.join(map(str, newer))}"
            f" are unknown to this one (it knows {', '.join(map(str, sorted(known)))});"
            " upgrade minerscope",
        )
    for version, name in recorded.items():
        if known[version] != name:
            raise _fail(
                path,
                f"is not a minerscope database: its schema version {version} is {name!r},"
                f" minerscope's is {known[version]!r}; nothing was changed",
            )
    return "ours" if set(known) <= set(recorded) else "stale"


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
    state = _inspect(path)
    if not state.exists or state.size == 0:
        raise DatabaseError(f"no minerscope database at {path}; {_CREATE_HINT}")
    read_only_fs = _read_only_fs(path)
    params = {"mode": "ro"}
    if read_only_fs:
        params["immutable"] = "1"  # nothing can write here; no -shm can be made
    before = _side_files(path)
    try:
        conn = sqlite3.connect(
            _uri(path, **params),
            uri=True,
            isolation_level=None,
            timeout=BUSY_TIMEOUT_S,
            factory=_ReadConnection,
        )
    except sqlite3.Error as exc:
        raise _translated(exc, None, path) from exc
    conn.track(path)
    if state.wal_mode and not read_only_fs and not ({"-wal", "-shm"} & before):
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
        kind = _identify(conn, p)
    except BaseException:
        conn.close()
        raise
    if kind == "ours":
        return conn
    conn.close()
    if kind == "empty":
        raise DatabaseError(f"no minerscope database at {p} (an empty SQLite file); {_CREATE_HINT}")
    if _read_only_fs(p):
        raise _fail(
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
    bytes) or None (an existing database).
    """

    created_from: str | None = None


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
    state = _inspect(p)
    if not state.exists:
        parent = p.parent
        if not parent.exists() and not path:
            try:
                parent.mkdir(parents=True, exist_ok=True)  # the default location only
            except OSError as exc:
                raise _fail(p, f"cannot create its folder: {exc.strerror or exc}") from None
        elif not parent.is_dir():
            raise _fail(p, f"cannot create the database: the folder {parent} does not exist")
    if _read_only_fs(p):
        raise _fail(p, "cannot write the database: the file system is read-only")
    new = not state.exists or state.size == 0
    if not new:
        probe = _open_ro(p)  # look before touching: refuse what is not ours unchanged
        try:
            new = _identify(probe, p) == "empty"
        finally:
            probe.close()
    try:
        conn = sqlite3.connect(
            _uri(p, mode="rwc"),
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
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        if new:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        _identify(conn, p)  # again, now under this connection (refuses a newer schema)
        migrate(conn)
    except BaseException as exc:
        created_from = conn.created_from
        conn.close()
        if created_from is not None:
            _remove_files(p, keep_empty=created_from == "empty")
        if isinstance(exc, sqlite3.Error):
            raise _translated(exc, None, p) from exc
        raise
    return conn


def created_database(conn: sqlite3.Connection) -> bool:
    """Whether :func:`open_for_writing` created this connection's database (from a missing
    or a 0-byte file)."""
    return getattr(conn, "created_from", None) is not None


def _remove_files(path: Path, *, keep_empty: bool = False) -> None:
    """Delete a database and its side files (or truncate it back to 0 bytes)."""
    for suffix in _SIDE_SUFFIXES:
        with suppress(OSError):
            os.unlink(f"{path}{suffix}")
    try:
        if keep_empty:
            os.truncate(path, 0)
        else:
            os.unlink(path)
    except OSError:
        pass


# SQLite's lock bytes (``os_unix.c``): every open WAL connection holds a read lock on the
# SHARED range of the database file, so a process that can write-lock the whole range is
# the only one with the file open.
_SHARED_FIRST: Final = 0x40000000 + 2
_SHARED_SIZE: Final = 510


def _remove_if_sole_user(path: Path, *, keep_empty: bool) -> None:
    """Remove a database (or empty it) unless another connection or process has it open."""
    if _in_use(path):
        return  # (and closing a descriptor here would drop that connection's POSIX locks)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: leave the file rather than guess
        return
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, _SHARED_SIZE, _SHARED_FIRST, 0)
    except OSError:
        os.close(fd)
        return  # another connection is open: the file is not only ours to remove
    try:
        _remove_files(path, keep_empty=keep_empty)
    finally:
        os.close(fd)


def _discard_if_unused(conn: sqlite3.Connection, path: Path) -> None:
    """Close; delete the file (or empty it again) when it holds no rows and no other
    process has it open."""
    keep_empty = getattr(conn, "created_from", None) == "empty"
    try:
        tables = [
            str(n)
            for (n,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' AND name != '_migrations'"
            )
        ]
        if any(conn.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() for t in tables):
            conn.close()
            return
    except sqlite3.Error:
        pass  # unreadable: it cannot hold anything worth keeping that we wrote
    conn.close()
    _remove_if_sole_user(path, keep_empty=keep_empty)


@contextmanager
def writing(path: str | Path | None = None) -> Iterator[sqlite3.Connection]:
    """:func:`open_for_writing` for a block, closed after it.

    When the block fails and this call created the file, the file is removed again if it
    holds no rows and no other process has it open: a failed first import leaves nothing.
    """
    conn = open_for_writing(path)
    ok = False
    try:
        yield conn
        ok = True
    finally:
        if not ok and created_database(conn) and path != ":memory:":
            _discard_if_unused(conn, resolve_db_path(path))
        else:
            conn.close()


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
