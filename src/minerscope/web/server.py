"""Running the app under uvicorn in-process: for ``minerscope serve``, tests and benchmarks."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

#: uvicorn settings that bound what one client can take: open connections, idle time.
LIMIT_CONCURRENCY = 512
TIMEOUT_KEEP_ALIVE_S = 5


def is_loopback(host: str) -> bool:
    """Whether ``host`` binds only to this machine (127.0.0.0/8, ::1, ``localhost``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def make_server(
    app: Any,
    *,
    host: str,
    port: int,
    log_level: str = "info",
    access_log: bool = True,
    configure_logging: bool = True,
) -> uvicorn.Server:
    """A uvicorn server for ``app`` (not started).

    ``configure_logging=False`` leaves logging alone (records go to the root logger's
    handlers: a test's capture); the command line lets uvicorn configure its console logs.
    """
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=access_log,
        log_config=uvicorn.config.LOGGING_CONFIG if configure_logging else None,
        limit_concurrency=LIMIT_CONCURRENCY,
        timeout_keep_alive=TIMEOUT_KEEP_ALIVE_S,
        server_header=False,
        proxy_headers=False,
        lifespan="on",
    )
    return uvicorn.Server(config)


class ServerThread:
    """Serve ``app`` on ``host`` in a background thread; ``url`` once started.

    Use as a context manager: the server starts on a free port (``port=0``) and stops, with
    its connections closed, on exit.
    """

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0,
                 log_level: str = "warning", access_log: bool = False) -> None:  # fmt: skip
        self._sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, port))
        self.port = int(self._sock.getsockname()[1])
        self.url = f"http://{host}:{self.port}"
        self.server = make_server(app, host=host, port=self.port, log_level=log_level,
                                  access_log=access_log, configure_logging=False)  # fmt: skip
        self._thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def __enter__(self) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the web server did not start")
            time.sleep(0.01)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=30)
        self._sock.close()


__all__ = ["LIMIT_CONCURRENCY", "ServerThread", "is_loopback", "make_server"]
