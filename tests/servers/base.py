"""A threaded HTTP/1.1 server on 127.0.0.1 (ephemeral port) with fault knobs."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Faults:
    """Fault knobs: each counter makes the next N requests fail that way.

    ``rate_limit``: HTTP 429 with ``Retry-After: retry_after``; ``server_error``: HTTP 500;
    ``slow``: answer after ``slow_s`` seconds (a client timeout); ``malformed``: HTTP 200
    with a truncated JSON body; ``broken_link_height``: that block names a wrong previous
    hash (always, until reset). ``requests`` counts every request served.
    """

    rate_limit: int = 0
    retry_after: str = "1"
    server_error: int = 0
    slow: int = 0
    slow_s: float = 2.0
    malformed: int = 0
    broken_link_height: int | None = None
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, name: str) -> bool:
        """Consume one unit of a counter; True if this request must fail that way."""
        with self.lock:
            n = getattr(self, name)
            if n > 0:
                setattr(self, name, n - 1)
                return True
            return False

    def count(self) -> None:
        """Count one request."""
        with self.lock:
            self.requests += 1


BROKEN_PREV_HASH = "00000000000000000000" + "de" * 22


class QuietServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that does not print tracebacks of clients that hung up."""

    daemon_threads = True
    allow_reuse_address = True
    faults: Faults
    inflight = 0
    max_inflight = 0
    inflight_lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class Handler(BaseHTTPRequestHandler):
    """Base handler: keep-alive, JSON/text replies, the common faults."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm holds
    # the second until the client's delayed ACK (~40 ms per request on Linux).
    disable_nagle_algorithm = True
    server: QuietServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle(self) -> None:
        """Serve one connection, counting connections open at once (``max_inflight``)."""
        srv = self.server
        with srv.inflight_lock:
            srv.inflight += 1
            srv.max_inflight = max(srv.max_inflight, srv.inflight)
        try:
            super().handle()
        finally:
            with srv.inflight_lock:
                srv.inflight -= 1

    def send_body(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status: int, obj: Any) -> None:
        self.send_body(status, json.dumps(obj, separators=(",", ":")).encode())

    def common_faults(self) -> bool:
        """Apply the counting faults; True when the request was answered by one."""
        f = self.server.faults
        f.count()
        if f.take("slow"):
            time.sleep(f.slow_s)
        if f.take("rate_limit"):
            self.send_body(429, b"Too Many Requests", "text/plain", {"Retry-After": f.retry_after})
            return True
        if f.take("server_error"):
            self.send_body(500, b"Internal Server Error", "text/plain")
            return True
        if f.take("malformed"):
            self.send_body(200, b'{"result": [{"hash": "00', "application/json")
            return True
        return False


@dataclass
class Running:
    """A started server: its URL, knobs and the server object."""

    url: str
    server: QuietServer

    @property
    def faults(self) -> Faults:
        return self.server.faults


@contextmanager
def serve(handler: type[Handler], **attrs: Any) -> Iterator[Running]:
    """Run ``handler`` on 127.0.0.1:<ephemeral> in a thread; attrs become server attributes."""
    srv = QuietServer(("127.0.0.1", 0), handler)
    srv.faults = Faults()
    for k, v in attrs.items():
        setattr(srv, k, v)
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield Running(f"http://127.0.0.1:{srv.server_address[1]}", srv)
    finally:
        srv.shutdown()
        srv.server_close()
        t.join(timeout=5)
