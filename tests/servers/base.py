"""A threaded HTTP/1.1 server on 127.0.0.1 (ephemeral port) with fault knobs."""

from __future__ import annotations

import json
import socket
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
    with a truncated JSON body; ``trickle``: a whole answer (status line, headers and a
    ``trickle_bytes``-byte body) sent one byte every ``trickle_s`` seconds, so no single
    read ever times out; ``endless``: HTTP 200 with a chunked body that never ends (up to
    ``endless_limit`` bytes, or until the client hangs up); ``huge_length``: a
    ``Content-Length`` of 1 TiB. Every ``rate_limit_every``-th request (0: off) gets a 429
    as well, whatever the counters say. ``broken_link_height``: that block names a wrong
    previous hash (always, until reset). ``repeat_page_token`` (Coin Metrics): every page
    names the same next page. ``requests`` counts every request served.
    """

    rate_limit: int = 0
    retry_after: str = "1"
    rate_limit_every: int = 0
    server_error: int = 0
    slow: int = 0
    slow_s: float = 2.0
    malformed: int = 0
    trickle: int = 0
    trickle_s: float = 0.5
    trickle_bytes: int = 40
    endless: int = 0
    endless_limit: int = 2**30
    huge_length: int = 0
    broken_link_height: int | None = None
    repeat_page_token: bool = False
    requests: int = 0
    rate_limited: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def take(self, name: str) -> bool:
        """Consume one unit of a counter; True if this request must fail that way."""
        with self.lock:
            n = getattr(self, name)
            if n > 0:
                setattr(self, name, n - 1)
                return True
            return False

    def count(self) -> int:
        """Count one request; return its number (1 for the first)."""
        with self.lock:
            self.requests += 1
            return self.requests

    def every_nth_limited(self, n: int) -> bool:
        """True for every ``rate_limit_every``-th request (``n`` is its number)."""
        every = self.rate_limit_every
        hit = every > 0 and n % every == 0
        if hit:
            with self.lock:
                self.rate_limited += 1
        return hit


BROKEN_PREV_HASH = "00000000000000000000" + "de" * 22


class QuietServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that does not print tracebacks of clients that hung up."""

    daemon_threads = True
    allow_reuse_address = True
    faults: Faults
    inflight = 0  # connections open now
    max_inflight = 0
    busy = 0  # requests being answered now
    max_busy = 0
    inflight_lock = threading.Lock()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass

    def get_request(self) -> tuple[socket.socket, Any]:
        # Headers and body go out as two writes: without TCP_NODELAY the body waits for
        # the client's (delayed, 40 ms) ACK of the headers, as a real server would not.
        sock, addr = super().get_request()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock, addr


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

    def handle_one_request(self) -> None:
        """Answer one request, counting requests answered at once (``max_busy``)."""
        srv = self.server
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline:
            self.close_connection = True
            return
        with srv.inflight_lock:
            srv.busy += 1
            srv.max_busy = max(srv.max_busy, srv.busy)
        self._busy = True
        try:
            self._answer_read_request()
        finally:
            self._not_busy()

    def _not_busy(self) -> None:
        # Called before the answer is written: a client cannot start its next request
        # before it has this answer, so ``busy`` never overcounts at a hand-over.
        if getattr(self, "_busy", False):
            self._busy = False
            with self.server.inflight_lock:
                self.server.busy -= 1

    def _answer_read_request(self) -> None:
        # BaseHTTPRequestHandler.handle_one_request after its readline (stdlib http.server)
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            return
        if not self.parse_request():
            return
        method = getattr(self, "do_" + self.command, None)
        if method is None:
            self.send_error(501, f"Unsupported method ({self.command!r})")
            return
        method()
        self.wfile.flush()

    def send_body(
        self,
        status: int,
        body: bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        self._not_busy()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status: int, obj: Any) -> None:
        self.send_body(status, json.dumps(obj, separators=(",", ":")).encode())

    def _trickle(self, f: Faults) -> None:
        body = b"[" + b" " * max(0, f.trickle_bytes - 2) + b"]"
        head = (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
        )
        try:
            for i in range(len(head) + len(body)):
                self.wfile.write((head + body)[i : i + 1])
                self.wfile.flush()
                time.sleep(f.trickle_s)
        except OSError:
            pass  # the client hung up: what a deadline does
        self.close_connection = True

    def _endless(self, f: Faults) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"[" + b"0," * 32_767 + b"0"
        sent = 0
        try:
            while sent < f.endless_limit:
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
                chunk = b"," + b"0," * 32_767 + b"0"
        except OSError:
            pass  # the client stopped reading
        self.close_connection = True

    def common_faults(self) -> bool:
        """Apply the counting faults; True when the request was answered by one."""
        f = self.server.faults
        n = f.count()
        if f.take("slow"):
            time.sleep(f.slow_s)
        if f.take("trickle"):
            self._trickle(f)
            return True
        if f.take("endless"):
            self._endless(f)
            return True
        if f.take("huge_length"):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(2**40))
            self.end_headers()
            self.wfile.write(b"[0")
            self.close_connection = True
            return True
        if f.every_nth_limited(n) or f.take("rate_limit"):
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
