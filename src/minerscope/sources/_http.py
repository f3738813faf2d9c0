"""The one HTTP client factory and retry loop every network source uses.

Explicit timeouts, a ``User-Agent``, a ``base_url`` and an injectable ``transport``
(tests use real local servers instead; the hook is there for embedding). Errors::

    SourceError                      (minerscope.errors; the CLI exits 3)
    ├── SourceUnreachable            connection refused, DNS, TLS: nothing answered
    ├── SourceTimeout                no answer within the timeout, after every retry
    ├── SourceRateLimited            HTTP 429 on every attempt
    ├── SourceHTTPError              another HTTP status (5xx after every retry, or a 4xx)
    └── SourceBadResponse            an answer that is not the JSON or shape expected

Retries (:func:`request_json`): HTTP 429 waits ``Retry-After`` (seconds or an HTTP date,
capped at ``RetryPolicy.max_delay_s``); 5xx, timeouts, dropped connections and bodies
that are not JSON are retried with exponential backoff and full jitter
(delay = U(0, min(max_delay_s, base_delay_s * 2**attempt))), as described in the AWS
Architecture Blog post "Exponential Backoff And Jitter" (2015). Other 4xx are not
retried. URLs in messages never carry user info (credentials are never printed).
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from ..errors import SourceError

log = logging.getLogger(__name__)


class SourceUnreachable(SourceError):
    """Nothing answered: connection refused, name not resolved, TLS failure."""


class SourceTimeout(SourceError):
    """The source did not answer within the timeout, on every attempt."""


class SourceRateLimited(SourceError):
    """The source answered HTTP 429 on every attempt."""


class SourceHTTPError(SourceError):
    """The source answered an HTTP error status."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class SourceBadResponse(SourceError):
    """The source answered something that is not the JSON or the shape expected."""


def _user_agent() -> str:
    try:
        return f"minerscope/{version('minerscope')}"
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "minerscope"


def redact_url(url: str | httpx.URL) -> str:
    """The URL without user info (``http://u:p@host/`` -> ``http://host/``)."""
    parts = urlsplit(str(url))
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, ""))


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a failed request.

    Parameters
    ----------
    attempts : int
        Total tries, the first included. [count]
    base_delay_s : float
        Backoff scale: the k-th retry waits U(0, base_delay_s * 2**k). [s]
    max_delay_s : float
        Cap on any wait, ``Retry-After`` included. [s]
    """

    attempts: int = 5
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def backoff_s(self, retry: int) -> float:
        """Full-jitter delay before retry number ``retry`` (0-based). [s]"""
        return self.rng.uniform(0.0, min(self.max_delay_s, self.base_delay_s * 2**retry))


def make_client(
    base_url: str,
    *,
    timeout_s: float = 30.0,
    connect_timeout_s: float = 5.0,
    auth: httpx.Auth | tuple[str, str] | None = None,
    max_connections: int = 8,
    transport: httpx.BaseTransport | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Client:
    """An ``httpx.Client`` with explicit timeouts, our User-Agent and a connection bound.

    Parameters
    ----------
    base_url : str
        Server root; request paths are relative to it.
    timeout_s : float
        Read/write/pool timeout. [s]
    connect_timeout_s : float
        Connect timeout. [s]
    auth : httpx.Auth or (user, password), optional
        Credentials, sent with every request and never logged.
    max_connections : int
        Upper bound on simultaneous connections (bounds the concurrency). [count]
    transport : httpx.BaseTransport, optional
        Replace the network transport (e.g. ``httpx.MockTransport``).
    """
    all_headers = {"User-Agent": _user_agent(), "Accept": "application/json"}
    all_headers.update(headers or {})
    return httpx.Client(
        base_url=base_url,
        timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s),
        auth=auth,
        headers=all_headers,
        limits=httpx.Limits(
            max_connections=max_connections, max_keepalive_connections=max_connections
        ),
        transport=transport,
        follow_redirects=False,
        trust_env=False,
    )


def retry_after_s(value: str | None, *, now_s: float | None = None) -> float | None:
    """Parse a ``Retry-After`` header: delta seconds or an HTTP date (RFC 9110 10.2.3). [s]"""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = time.time() if now_s is None else now_s
    return max(0.0, when.timestamp() - now)


def decode_json(text: str | bytes, *, what: str) -> Any:
    """Parse JSON with decimals as :class:`~decimal.Decimal` (amounts stay exact)."""
    try:
        return json.loads(text, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise SourceBadResponse(f"{what}: the answer is not valid JSON ({exc})") from exc


Check = Callable[[httpx.Response], None]


def request(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    policy: RetryPolicy,
    json_body: Any = None,
    params: dict[str, str] | None = None,
    parse: Callable[[httpx.Response], Any] | None = None,
    check: Check | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Any:
    """Send a request with retries; return ``parse(response)`` (default: decoded JSON).

    ``check`` runs first on every response and may raise a :class:`SourceError` of
    its own (e.g. a JSON-RPC error in an HTTP 500 body). ``parse`` failures with
    :class:`SourceBadResponse` are retried like a 5xx (a server mid-restart sends junk).
    """
    what = f"{method} {redact_url(str(client.base_url).rstrip('/') + url)}"
    last: SourceError | None = None
    for attempt in range(policy.attempts):
        wait: float | None = None
        try:
            resp = client.request(method, url, json=json_body, params=params)
        except httpx.TimeoutException as exc:
            last = SourceTimeout(f"{what}: no answer within the timeout ({type(exc).__name__})")
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
            last = SourceUnreachable(f"{what}: cannot connect ({exc})")
        except httpx.HTTPError as exc:
            last = SourceUnreachable(f"{what}: {type(exc).__name__}: {exc}")
        else:
            if check is not None:
                check(resp)
            if resp.status_code == 429:
                last = SourceRateLimited(f"{what}: rate limited (HTTP 429) on every attempt")
                wait = retry_after_s(resp.headers.get("Retry-After"))
            elif resp.status_code >= 500:
                last = SourceHTTPError(f"{what}: HTTP {resp.status_code}", status=resp.status_code)
            elif resp.status_code >= 400:
                raise SourceHTTPError(
                    f"{what}: HTTP {resp.status_code} {resp.reason_phrase}", status=resp.status_code
                )
            else:
                try:
                    if parse is not None:
                        return parse(resp)
                    return decode_json(resp.content, what=what)
                except SourceBadResponse as exc:
                    last = exc
        if attempt + 1 >= policy.attempts:
            break
        delay = policy.backoff_s(attempt) if wait is None else min(wait, policy.max_delay_s)
        log.info("%s; retry %d in %.2f s", last, attempt + 1, delay)
        sleep(delay)
    assert last is not None
    if isinstance(last, SourceUnreachable) and policy.attempts > 1:
        raise SourceUnreachable(f"{last} (after {policy.attempts} attempts)")
    raise last


__all__ = [
    "RetryPolicy",
    "SourceBadResponse",
    "SourceHTTPError",
    "SourceRateLimited",
    "SourceTimeout",
    "SourceUnreachable",
    "decode_json",
    "make_client",
    "redact_url",
    "request",
    "retry_after_s",
]
