"""The database file itself: what is at a path, whether it is ours, what an SQLite error
means, and removing a file only when no one else has it open (see :mod:`.db`)."""

from __future__ import annotations

import os
import sqlite3
import stat
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote

from ..errors import DatabaseBusyError, DatabaseError
from .migrations import MIGRATIONS

#: ``PRAGMA application_id`` of the files minerscope creates ("MSCP").
APPLICATION_ID: Final = 0x4D534350
_SQLITE_MAGIC: Final = b"SQLite format 3\x00"
_SQLITE_HEADER_BYTES: Final = 100
SIDE_SUFFIXES: Final = ("-wal", "-shm", "-journal")


# --- what is at the path ------------------------------------------------------------------


@dataclass(frozen=True)
class FileState:
    exists: bool
    size: int = 0
    wal_mode: bool = False


def fail(path: Path, reason: str) -> DatabaseError:
    return DatabaseError(reason, path=str(path))


def inspect_path(path: Path) -> FileState:
    """What the path holds, refusing anything that is not (yet) an SQLite file.

    Never opens anything but a regular file, so a FIFO cannot block and a device cannot
    be read without end.
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return FileState(exists=False)
    except NotADirectoryError:
        raise fail(path, "a folder in the path is a file") from None
    except OSError as exc:
        raise fail(path, f"cannot access the database: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise fail(path, "is a directory, not a database file")
    if not stat.S_ISREG(st.st_mode):
        raise fail(path, "is not a regular file (a FIFO, device or socket), not a database")
    if st.st_size == 0:
        return FileState(exists=True, size=0)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
        try:
            head = os.read(fd, _SQLITE_HEADER_BYTES)
        finally:
            os.close(fd)
    except OSError as exc:
        raise fail(path, f"cannot read the database: {exc.strerror or exc}") from None
    if not head.startswith(_SQLITE_MAGIC):
        raise fail(path, "is not an SQLite database file (no SQLite header)")
    if len(head) < _SQLITE_HEADER_BYTES:
        raise fail(path, f"is a truncated SQLite file ({st.st_size} bytes, no complete header)")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65_536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise fail(path, f"is a damaged SQLite file (page size {page_size})")
    pages = int.from_bytes(head[28:32], "big")
    counter_matches = head[24:28] == head[92:96]
    if counter_matches and pages and st.st_size < pages * page_size:
        raise fail(
            path,
            f"is a truncated SQLite file: {st.st_size:,} bytes, its header says"
            f" {pages * page_size:,}; restore it from a backup or re-import",
        )
    return FileState(exists=True, size=st.st_size, wal_mode=head[18] == 2 and head[19] == 2)


def read_only_fs(path: Path) -> bool:
    """Whether the file system holding ``path`` (or its folder) is mounted read-only."""
    for candidate in (path, path.parent):
        try:
            return bool(os.statvfs(candidate).f_flag & os.ST_RDONLY)
        except OSError:
            continue
    return False


def uri(path: Path, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"file:{quote(str(path.absolute()), safe='/')}?{query}"


def side_files(path: Path) -> set[str]:
    return {s for s in SIDE_SUFFIXES if os.path.lexists(f"{path}{s}")}


# --- errors of the database itself --------------------------------------------------------


def describe_sqlite_error(
    exc: sqlite3.Error, path: str | Path | None = None, *, waited_s: float = 30.0
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
            f"the database is locked by another process (waited {waited_s:g} s);"
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


def translated(
    exc: sqlite3.Error,
    conn: sqlite3.Connection | None,
    path: Path | None,
    *,
    waited_s: float = 30.0,
) -> Any:
    """The :class:`DatabaseError` for ``exc`` (naming the connection's file), or ``exc``."""
    where = path if path is not None else (database_path(conn) if conn is not None else None)
    return describe_sqlite_error(exc, where, waited_s=waited_s) or exc


# --- is it ours? --------------------------------------------------------------------------


def identify(conn: sqlite3.Connection, path: Path, *, waited_s: float = 30.0) -> str:
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
        raise translated(exc, None, path, waited_s=waited_s) from exc
    if app_id not in (0, APPLICATION_ID):
        raise fail(
            path,
            f"is the SQLite database of another application (application id {app_id:#x}),"
            " not a minerscope database; nothing was changed",
        )
    if "_migrations" not in tables:
        if not tables:
            return "empty"
        shown = ", ".join(tables[:8]) + (", ..." if len(tables) > 8 else "")
        raise fail(
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
            raise translated(exc, None, path, waited_s=waited_s) from exc
        raise fail(
            path,
            "has a _migrations table that is not minerscope's; not a minerscope database;"
            " nothing was changed",
        ) from None
    known = {v: n for v, n, _ in MIGRATIONS}
    newer = sorted(set(recorded) - set(known))
    if newer:
        raise fail(
            path,
            f"was written by a newer minerscope: schema version(s) {', '.join(map(str, newer))}"
            f" are unknown to this one (it knows {', '.join(map(str, sorted(known)))});"
            " upgrade minerscope",
        )
    for version, name in recorded.items():
        if known[version] != name:
            raise fail(
                path,
                f"is not a minerscope database: its schema version {version} is {name!r},"
                f" minerscope's is {known[version]!r}; nothing was changed",
            )
    return "ours" if set(known) <= set(recorded) else "stale"


def remove_files(path: Path, *, keep_empty: bool = False) -> None:
    """Delete a database and its side files (or truncate it back to 0 bytes)."""
    for suffix in SIDE_SUFFIXES:
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


def remove_if_sole_user(path: Path, *, keep_empty: bool) -> None:
    """Remove a database (or empty it) unless another process has it open.

    The caller makes sure no connection of this process has it open: closing a descriptor
    here would drop that connection's POSIX locks.
    """
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
        remove_files(path, keep_empty=keep_empty)
    finally:
        os.close(fd)
