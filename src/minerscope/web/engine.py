"""Running the endpoints: data versions, the cache, single flight, worker threads, time limits.

:class:`Engine` answers a key with a cached document or computes it on a worker thread over a
fresh read-only connection; :class:`FastPath` sends a repeated GET's cached answer without
routing; :func:`to_response` turns an answer into the HTTP response (ETag, Age, 304).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import sqlite3
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from .. import storage
from ..asof import AsOf, TimeSpec, resolve_as_of
from ..errors import MinerscopeError
from ..results import to_jsonable
from .cache import DataVersion, DocumentCache, Entry
from .problems import PROBLEM_MEDIA_TYPE, from_exception, problem, render

log = logging.getLogger(__name__)

MAX_FAST_ROUTES = 10_000  # exact requests remembered for the fast path


@dataclass
class Call:
    """What an endpoint's ``call`` gets: a read-only connection, the moment, the values."""

    conn: sqlite3.Connection
    at: str | None
    spec: TimeSpec | None
    now_s: int
    values: dict[str, Any]
    body: str | None = None
    version: str = ""

    def as_of(self) -> AsOf:
        """The moment resolved against the database (``at``, else now)."""
        return resolve_as_of(self.conn, self.spec, now_s=self.now_s)


def freeze_value(value: Any) -> Hashable:
    """A hashable form of a parameter value (lists become tuples)."""
    if isinstance(value, list | tuple):
        return tuple(freeze_value(v) for v in value)
    return value  # type: ignore[no-any-return]


def render_document(doc: Any) -> bytes:
    """A document's JSON bytes (the CLI's ``--json`` values, compact)."""
    return json.dumps(to_jsonable(doc), separators=(",", ":"), allow_nan=False).encode()


@dataclass
class Answer:
    """A rendered answer: status, body, media type, and its age for "now" documents. [s]"""

    status: int
    body: bytes
    media_type: str
    etag: str
    age_s: int | None = None
    key: tuple[Hashable, ...] | None = None
    uses_clock: bool = False


class Engine:
    """Runs endpoints: versions, cache, single flight, worker threads, time limit.

    Parameters
    ----------
    db_path : Path
        The database (opened read-only for every computation).
    clock : callable
        Wall clock. [Unix s]
    now_ttl_s : float
        How long a "now" document is reused. [s]
    request_timeout_s : float
        How long a request waits for a computation before a 503. [s]
    cache_bytes : int
        Size bound of the document cache. [bytes]
    workers : int
        Threads computing documents (the rest of the server stays responsive).
    """

    def __init__(
        self,
        db_path: Path,
        *,
        clock: Callable[[], float],
        now_ttl_s: float,
        request_timeout_s: float,
        cache_bytes: int,
        workers: int,
    ) -> None:
        self.db_path = db_path
        self.clock = clock
        self.now_ttl_s = now_ttl_s
        self.request_timeout_s = request_timeout_s
        self.version = DataVersion(db_path)
        self.cache = DocumentCache(cache_bytes, clock)
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="minerscope-web")
        self._last_version = ""
        self._routes: dict[tuple[str, bytes, str], tuple[tuple[Hashable, ...], bool]] = {}

    def close(self) -> None:
        """Stop the workers and close the version connection."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.version.close()

    def current_version(self) -> str:
        """The data version now (and forget the cache of older ones)."""
        v = self.version.current()
        if v != self._last_version:
            self.cache.drop_other_versions(v)
            self._routes.clear()
            self._last_version = v
        return v

    def _entry(self, status: int, body: bytes, media_type: str) -> Entry:
        etag = '"' + hashlib.sha256(body).hexdigest()[:24] + '"'
        return Entry(body=body, computed_at_s=self.clock(), media_type=media_type, status=status,
                     etag=etag)  # fmt: skip

    def compute(self, fn: Callable[[Call], Any], call_args: dict[str, Any], instance: str) -> Entry:
        """Run one report call on a fresh read-only connection and render it (worker thread)."""
        try:
            conn = storage.connect(self.db_path, read_only=True)
        except (MinerscopeError, sqlite3.Error) as exc:
            log.warning("database unavailable: %s", type(exc).__name__)
            p = problem(503, "the database is not available", instance=instance)
            return self._entry(503, render(p), PROBLEM_MEDIA_TYPE)
        try:
            doc = fn(Call(conn=conn, **call_args))
            return self._entry(200, render_document(doc), "application/json")
        except MinerscopeError as exc:
            p = from_exception(exc, instance=instance, paths=self._paths())
            return self._entry(p.status, render(p), PROBLEM_MEDIA_TYPE)
        except sqlite3.Error:
            log.exception("database error answering %s", instance)
            p = problem(503, "the database could not be read", instance=instance)
            return self._entry(503, render(p), PROBLEM_MEDIA_TYPE)
        finally:
            conn.close()

    def _paths(self) -> tuple[Path, ...]:
        p = self.db_path.resolve()
        return (p, p.parent, Path.home())

    async def answer(
        self,
        key: tuple[Hashable, ...],
        fn: Callable[[Call], Any],
        call_args: dict[str, Any],
        *,
        uses_clock: bool,
        instance: str,
    ) -> Answer:
        """The cached or freshly computed answer for ``key`` (+ the data version)."""
        try:
            version = self.current_version()
        except sqlite3.Error:
            p = problem(503, "the database could not be read", instance=instance)
            return Answer(503, render(p), PROBLEM_MEDIA_TYPE, "")
        if version == "missing":
            p = problem(503, "the database is not available", instance=instance)
            return Answer(503, render(p), PROBLEM_MEDIA_TYPE, "")
        full_key = (*key, version)
        ttl = self.now_ttl_s if uses_clock else None
        entry, fresh = self.cache.get(full_key, ttl_s=ttl)
        if entry is not None and not fresh and not self.cache.pending(full_key):
            # stale "now" answer: serve it (its Age says so) while a fresh one is computed
            fut, mine = self.cache.claim(full_key)
            if mine:
                args = {**call_args, "version": version, "now_s": int(self.clock())}
                self.pool.submit(self._run, full_key, fut, fn, args, instance)
        if entry is None:
            fut, mine = self.cache.claim(full_key)
            if mine:
                args = {**call_args, "version": version, "now_s": int(self.clock())}
                self.pool.submit(self._run, full_key, fut, fn, args, instance)
            try:
                entry = await asyncio.wait_for(
                    asyncio.shield(asyncio.wrap_future(fut)), self.request_timeout_s
                )
            except TimeoutError:
                p = problem(
                    503,
                    f"the answer takes longer than {self.request_timeout_s:g} s; it is still"
                    " being computed: retry shortly",
                    instance=instance,
                )
                return Answer(503, render(p), PROBLEM_MEDIA_TYPE, "")
        age = int(self.clock() - entry.computed_at_s) if uses_clock else None
        return Answer(entry.status, entry.body, entry.media_type, entry.etag, age,
                      key=full_key, uses_clock=uses_clock)  # fmt: skip

    # --- the fast path: an exact request answered before ---------------------------------

    def remember(self, path: str, query: bytes, answer: Answer) -> None:
        """Let the next identical GET be answered from the cache without routing."""
        if answer.key is None:
            return
        if len(self._routes) > MAX_FAST_ROUTES:
            self._routes.clear()
        self._routes[(path, query, str(answer.key[-1]))] = (answer.key, answer.uses_clock)

    def fast_answer(self, path: str, query: bytes) -> Answer | None:
        """The fresh cached answer of a GET seen before, else None (take the full path)."""
        try:
            version = self.current_version()
        except sqlite3.Error:
            return None
        route = self._routes.get((path, query, version))
        if route is None:
            return None
        key, uses_clock = route
        entry, fresh = self.cache.get(key, ttl_s=self.now_ttl_s if uses_clock else None)
        if entry is None or not fresh:
            return None
        age = int(self.clock() - entry.computed_at_s) if uses_clock else None
        return Answer(entry.status, entry.body, entry.media_type, entry.etag, age)

    def _run(
        self,
        key: Hashable,
        fut: Future[Entry],
        fn: Callable[[Call], Any],
        args: dict[str, Any],
        instance: str,
    ) -> None:
        try:
            entry = self.compute(fn, args, instance)
        except Exception:  # a bug: logged here, a bare 500 for the client
            log.exception("failed answering %s", instance)
            p = problem(500, "the server failed to answer; the error is in its log",
                        instance=instance)  # fmt: skip
            entry = self._entry(500, render(p), PROBLEM_MEDIA_TYPE)
        # 5xx answers are not kept: the next request tries again
        self.cache.finish(key, fut, entry, store=entry.status < 500)


def to_response(answer: Answer, request: Request) -> Response:
    """The HTTP response of an answer (304 when the client already has it)."""
    headers = {"Cache-Control": "no-cache"}
    if answer.etag:
        headers["ETag"] = answer.etag
        if answer.status == 200 and request.headers.get("if-none-match") == answer.etag:
            return Response(status_code=304, headers=headers)
    if answer.age_s is not None:
        headers["Age"] = str(max(answer.age_s, 0))
    return Response(
        content=answer.body, status_code=answer.status, media_type=answer.media_type,
        headers=headers,
    )  # fmt: skip


class FastPath:
    """ASGI middleware: a GET answered before, with a fresh cached answer, is sent at once.

    It skips routing and parameter validation (the answer was validated the first time); the
    guards outside it (host, token, CORS, security headers) still run.
    """

    def __init__(self, app: Any, *, engine: Engine) -> None:
        self.app = app
        self.engine = engine

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            answer = self.engine.fast_answer(scope["path"], scope["query_string"])
            if answer is not None:
                headers = [(b"cache-control", b"no-cache"), (b"etag", answer.etag.encode())]
                if answer.age_s is not None:
                    headers.append((b"age", str(max(answer.age_s, 0)).encode()))
                inm = next((v for k, v in scope["headers"] if k == b"if-none-match"), None)
                if answer.status == 200 and inm == answer.etag.encode():
                    await send({"type": "http.response.start", "status": 304, "headers": headers})
                    await send({"type": "http.response.body", "body": b""})
                    return
                headers += [
                    (b"content-type", answer.media_type.encode()),
                    (b"content-length", str(len(answer.body)).encode()),
                ]
                await send({"type": "http.response.start", "status": answer.status,
                            "headers": headers})  # fmt: skip
                await send({"type": "http.response.body", "body": answer.body})
                return
        await self.app(scope, receive, send)


__all__ = [
    "Answer",
    "Call",
    "Engine",
    "FastPath",
    "freeze_value",
    "render_document",
    "to_response",
]
