"""Caching rendered documents until the data changes, and the data version it keys on.

A cached entry is the rendered JSON of one document, keyed on (endpoint, normalised
parameters, data version). The data version changes whenever another connection commits to
the database (SQLite's ``PRAGMA data_version`` on one long-lived read-only connection) or
the file is replaced (its inode). A document asked for "now" (no ``at``) also depends on the
clock: it is reused for ``now_ttl_s`` seconds; after that the next request starts a fresh
computation and, until it lands, is answered with the previous one (never older than twice
``now_ttl_s``). Every "now" document says the moment it was computed for in its ``as_of``,
and the response's ``Age`` header says how old it is.

Concurrent requests for the same missing entry wait for one computation (single flight).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from .. import storage


class DataVersion:
    """A cheap token that changes whenever the stored data changes.

    Parameters
    ----------
    db_path : Path
        The database file.
    """

    def __init__(self, db_path: Path) -> None:
        self._path = db_path
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._inode: tuple[int, int] | None = None
        self._generation = 0
        self._raw: tuple[object, ...] = ()
        self._token = ""

    def _reopen(self, inode: tuple[int, int]) -> None:
        if self._conn is not None:
            self._conn.close()
        # check_same_thread=False: every use is under self._lock
        self._conn = sqlite3.connect(
            f"file:{self._path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
        self._inode = inode
        self._generation += 1

    def current(self) -> str:
        """The version token (opaque); ``"missing"`` when the file does not exist.

        Raises
        ------
        sqlite3.Error
            When the file exists but cannot be read as a database.
        """
        try:
            st = os.stat(self._path)
        except FileNotFoundError:
            return "missing"
        inode = (st.st_dev, st.st_ino)
        with self._lock:
            if self._conn is None or inode != self._inode:
                self._reopen(inode)
            assert self._conn is not None
            (version,) = self._conn.execute("PRAGMA data_version").fetchone()
            raw = (inode, self._generation, version)
            if raw != self._raw:
                self._raw = raw
                self._token = hashlib.sha256(repr(raw).encode()).hexdigest()[:16]
            return self._token

    def close(self) -> None:
        """Close the watching connection."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


@dataclass(frozen=True)
class Entry:
    """A rendered answer: its bytes, when it was computed [Unix s], its HTTP status."""

    body: bytes
    computed_at_s: float
    media_type: str = "application/json"
    status: int = 200
    etag: str = ""


class DocumentCache:
    """A byte-bounded LRU of rendered documents with single-flight computation.

    Parameters
    ----------
    max_bytes : int
        Total size of the cached bodies kept. [bytes]
    clock : callable
        The wall clock (seconds), for the "now" entries' age. [Unix s]
    """

    def __init__(self, max_bytes: int, clock: Callable[[], float]) -> None:
        self._max_bytes = max_bytes
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, Entry] = OrderedDict()
        self._size = 0
        self._pending: dict[Hashable, Future[Entry]] = {}
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable, *, ttl_s: float | None) -> tuple[Entry | None, bool]:
        """The entry for ``key`` and whether it is fresh (always, without ``ttl_s``).

        An entry older than ``ttl_s`` is returned as not fresh while younger than twice that
        (the caller may serve it while a fresh one is computed); older ones are not returned.
        """
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None, False
            fresh = True
            if ttl_s is not None:
                age = self._clock() - entry.computed_at_s
                if age > 2 * ttl_s:
                    return None, False
                fresh = age <= ttl_s
            self._entries.move_to_end(key)
            self.hits += 1
            return entry, fresh

    def pending(self, key: Hashable) -> bool:
        """Whether ``key`` is being computed."""
        with self._lock:
            return key in self._pending

    def claim(self, key: Hashable) -> tuple[Future[Entry], bool]:
        """The future for ``key``'s computation, and whether the caller must compute it."""
        with self._lock:
            fut = self._pending.get(key)
            if fut is not None:
                return fut, False
            fut = Future()
            self._pending[key] = fut
            self.misses += 1
            return fut, True

    def finish(self, key: Hashable, fut: Future[Entry], entry: Entry, *, store: bool) -> None:
        """Hand the entry to the waiters, and keep it (``store``) for later requests."""
        with self._lock:
            self._pending.pop(key, None)
            if store and len(entry.body) <= self._max_bytes:
                old = self._entries.pop(key, None)
                if old is not None:
                    self._size -= len(old.body)
                self._entries[key] = entry
                self._size += len(entry.body)
                while self._size > self._max_bytes and self._entries:
                    _, dropped = self._entries.popitem(last=False)
                    self._size -= len(dropped.body)
        fut.set_result(entry)

    def drop_other_versions(self, version: str) -> None:
        """Forget entries of older data versions (keys end with the version)."""
        with self._lock:
            stale = [k for k in self._entries if isinstance(k, tuple) and k[-1] != version]
            for k in stale:
                self._size -= len(self._entries.pop(k).body)

    @property
    def size_bytes(self) -> int:
        """Total size of the cached bodies. [bytes]"""
        return self._size


def db_exists(path: Path) -> bool:
    """Whether the database file exists (the web never creates one)."""
    return storage.resolve_db_path(path).exists()


__all__ = ["DataVersion", "DocumentCache", "Entry", "db_exists"]
