"""Two network guards under the HTTP client: a deadline at every socket operation, and a
concurrency limit that backs off while a server answers HTTP 429.

**Deadline.** httpx's timeouts apply to each read, so a server that trickles one byte
every half second is never cut off. :class:`DeadlineTransport` gives httpx's own
transport a network backend whose every connect, read and write waits at most until the
deadline of the request running in that thread (:func:`deadline_scope`), and fails at
once when it has passed (httpx then raises its ``*Timeout`` exception). Headers and
bodies are covered alike, however slowly they arrive.

**Concurrency.** :class:`ConcurrencyLimit` is a semaphore whose size is cut in half
(down to 1) when a 429 arrives and grows back by one after ``8 x limit`` successes in a
row (additive increase, multiplicative decrease, as TCP does with its window), so a pool
of workers slows down together instead of retrying in lock-step.
"""

from __future__ import annotations

import math
import socket
import ssl
import threading
import time
import typing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import httpcore
import httpx

_scope = threading.local()


@contextmanager
def deadline_scope(deadline_at: float) -> Iterator[None]:
    """Socket operations of this thread must finish by ``deadline_at``. [monotonic s]"""
    before = getattr(_scope, "deadline_at", None)
    _scope.deadline_at = deadline_at
    try:
        yield
    finally:
        _scope.deadline_at = before


def _clamp(timeout: float | None, exc: type[Exception]) -> float | None:
    at: float | None = getattr(_scope, "deadline_at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise exc("the request deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        t = _clamp(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, t))

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        t = _clamp(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._inner.connect_tcp(host, port, t, local_address, socket_options)
        )

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[typing.Any] | None = None,
    ) -> httpcore.NetworkStream:
        t = _clamp(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.connect_unix_socket(path, t, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's HTTP transport over a connection pool whose sockets honour the deadline.

    Everything else (HTTP/1.1, TLS, exception mapping) is httpx's own: only the pool is
    rebuilt with our network backend, and with ``TCP_NODELAY`` (no Nagle delay between a
    request's headers and its body). No proxies (clients are built with
    ``trust_env=False``).
    """

    def __init__(self, *, limits: httpx.Limits) -> None:
        super().__init__(limits=limits, trust_env=False)
        if not hasattr(self, "_pool"):  # pragma: no cover - guarded by the trickle test
            raise RuntimeError("httpx.HTTPTransport has no _pool: update DeadlineTransport")
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_DeadlineBackend(),
            # A request goes out as two writes (headers, body): without TCP_NODELAY the
            # body waits for the ACK of the headers, which the server delays (40 ms).
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
        )


class ConcurrencyLimit:
    """A semaphore of adjustable size: halved on HTTP 429, grown back slowly on success.

    Parameters
    ----------
    maximum : int
        The configured concurrency: the limit never exceeds it. [requests]
    """

    def __init__(self, maximum: int) -> None:
        self.maximum = max(1, maximum)
        self.limit = self.maximum
        self.lowest = self.maximum  # the smallest limit reached (for tests and reports)
        self._inflight = 0
        self._successes = 0
        self._cut_at = -math.inf
        self._cond = threading.Condition()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of ``limit`` slots for the duration of the block."""
        with self._cond:
            while self._inflight >= self.limit:
                self._cond.wait()
            self._inflight += 1
        try:
            yield
        finally:
            with self._cond:
                self._inflight -= 1
                self._cond.notify()

    def rate_limited(self) -> None:
        """A 429 arrived: halve the limit (at most once per 0.2 s: one burst, one cut)."""
        with self._cond:
            now = time.monotonic()
            if now - self._cut_at >= 0.2:
                self.limit = max(1, self.limit // 2)
                self.lowest = min(self.lowest, self.limit)
                self._cut_at = now
            self._successes = 0

    def succeeded(self) -> None:
        """An answer that was not a 429: after ``8 x limit`` in a row, one more slot."""
        with self._cond:
            if self.limit >= self.maximum:
                return
            self._successes += 1
            if self._successes >= 8 * self.limit:
                self.limit += 1
                self._successes = 0
                self._cond.notify()


__all__ = ["ConcurrencyLimit", "DeadlineTransport", "deadline_scope"]
