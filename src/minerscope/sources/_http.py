"""The one HTTP client factory and retry loop every network source uses.

Explicit timeouts, a ``User-Agent``, a ``base_url`` and an injectable ``transport``
(tests use real local servers instead; the hook is there for embedding). Errors::

    SourceError                      (minerscope.errors; the CLI exits 3)
    ├── SourceUnreachable            connection refused, DNS, TLS: nothing answered
    ├── SourceTimeout                no answer within the timeout or the deadline
    ├── SourceRateLimited            HTTP 429 on every attempt
    ├── SourceHTTPError              another HTTP status (5xx after every retry, or a 4xx)
    └── SourceBadResponse            an answer that is not the JSON or shape expected,
                                     or larger than the body cap

Bounds on every request (:class:`RetryPolicy`): ``timeout_s`` per socket read (the
client), an overall ``request_deadline_s`` for the request with all its retries, an
optional ``deadline_at`` for the whole sync (both enforced at every socket operation, see
:mod:`._net`, so a trickling server cannot stretch them), and ``max_body_bytes`` (bodies
are streamed and cut off above it; a ``Content-Length`` above it is refused unread).

Retries (:func:`request`): 5xx, timeouts, dropped connections and bodies that are not
JSON are retried ``attempts - 1`` times with exponential backoff and full jitter
(delay = U(0, min(max_delay_s, base_delay_s * 2**k))), as described in the AWS
Architecture Blog post "Exponential Backoff And Jitter" (2015). HTTP 429 has its own
budget (``rate_limit_attempts``): it waits ``Retry-After`` (seconds or an HTTP date,
capped at ``max_delay_s``) plus a random extra of up to half of it (at least
``base_delay_s``), so workers told the same ``Retry-After`` do not return in lock-step,
and it halves the client's :class:`~._net.ConcurrencyLimit`. Other 4xx are not retried.
URLs in messages never carry user info or secret query values (:func:`redact_url`).
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

import httpx

from ..errors import SourceError
from ._net import ConcurrencyLimit, DeadlineTransport, deadline_scope
from ._urls import one_line, redact_url

log = logging.getLogger(__name__)

MIB = 2**20
DEFAULT_MAX_BODY_BYTES = 64 * MIB
DEFAULT_REQUEST_DEADLINE_S = 300.0


class SourceUnreachable(SourceError):
    """Nothing answered: connection refused, name not resolved, TLS failure."""


class SourceTimeout(SourceError):
    """The source did not answer within the timeout or the deadline."""


class SourceRateLimited(SourceError):
    """The source answered HTTP 429 on every attempt."""


class SourceHTTPError(SourceError):
    """The source answered an HTTP error status."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class SourceBadResponse(SourceError):
    """The source answered something that is not the JSON or the shape expected."""


class _TooLarge(SourceBadResponse):
    """A body above the cap: not retried (the next answer would be as large)."""


def _user_agent() -> str:
    try:
        return f"minerscope/{version('minerscope')}"
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "minerscope"


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a request, and the bounds every request obeys.

    Parameters
    ----------
    attempts : int
        Total tries against failures other than 429, the first included. [count]
    base_delay_s : float
        Backoff scale: the k-th retry waits U(0, base_delay_s * 2**k). [s]
    max_delay_s : float
        Cap on any wait, ``Retry-After`` included. [s]
    rate_limit_attempts : int
        Answers of HTTP 429 one request may get before it fails. [count]
    request_deadline_s : float
        One request, all its attempts and waits included, ends by then. [s]
    deadline_at : float, optional
        Nothing may run past this moment (the whole sync's deadline). [monotonic s]
    max_body_bytes : int
        Longest answer body accepted. [bytes]
    """

    attempts: int = 5
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    rate_limit_attempts: int = 12
    request_deadline_s: float = DEFAULT_REQUEST_DEADLINE_S
    deadline_at: float | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def backoff_s(self, retry: int) -> float:
        """Full-jitter delay before retry number ``retry`` (0-based). [s]"""
        return self.rng.uniform(0.0, min(self.max_delay_s, self.base_delay_s * 2**retry))

    def rate_limit_wait_s(self, retry_after_s: float | None, retry: int) -> float:
        """Wait after a 429: ``Retry-After`` (capped) plus U(0, max(base, half of it)). [s]"""
        if retry_after_s is None:
            return self.backoff_s(retry)
        wait = min(retry_after_s, self.max_delay_s)
        return wait + self.rng.uniform(0.0, max(self.base_delay_s, wait / 2))


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
        Server root (a checked URL ending in ``/``); request paths are relative to it.
    timeout_s : float
        Read/write/pool timeout, per socket operation. [s]
    connect_timeout_s : float
        Connect timeout. [s]
    auth : httpx.Auth or (user, password), optional
        Credentials, sent with every request and never logged.
    max_connections : int
        Upper bound on simultaneous connections (bounds the concurrency). [count]
    transport : httpx.BaseTransport, optional
        Replace the network transport (default: :class:`~._net.DeadlineTransport`).
    """
    all_headers = {"User-Agent": _user_agent(), "Accept": "application/json"}
    all_headers.update(headers or {})
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    return httpx.Client(
        base_url=base_url,
        timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s),
        auth=auth,
        headers=all_headers,
        limits=limits,
        transport=transport if transport is not None else DeadlineTransport(limits=limits),
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
    except (TypeError, ValueError, IndexError):
        return None
    now = time.time() if now_s is None else now_s
    try:
        return max(0.0, when.timestamp() - now)
    except (OverflowError, ValueError):
        return None


def decode_json(text: str | bytes, *, what: str) -> Any:
    """Parse JSON with decimals as :class:`~decimal.Decimal` (amounts stay exact)."""
    try:
        return json.loads(text, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise SourceBadResponse(
            f"{what}: the answer is not valid JSON ({one_line(str(exc), limit=80)})"
        ) from exc


@dataclass(frozen=True)
class Answer:
    """A complete HTTP answer: status, headers and the whole body (within the cap)."""

    status: int
    reason: str
    headers: httpx.Headers
    body: bytes

    @property
    def text(self) -> str:
        """The body as text (UTF-8; undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")


Check = Callable[[Answer], None]


def _read_body(resp: httpx.Response, cap: int, what: str) -> bytes:
    declared = resp.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > cap:
        raise _TooLarge(
            f"{what}: the answer would be {int(declared):,} bytes, above the"
            f" {cap:,}-byte cap (--max-body-mib)"
        )
    chunks: list[bytes] = []
    size = 0
    for chunk in resp.iter_bytes():
        size += len(chunk)
        if size > cap:
            raise _TooLarge(
                f"{what}: the answer is longer than the {cap:,}-byte cap (--max-body-mib);"
                " stopped reading"
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _send(
    client: httpx.Client, req: httpx.Request, policy: RetryPolicy, deadline: float, what: str
) -> Answer:
    with deadline_scope(deadline):
        resp = client.send(req, stream=True)
        try:
            body = _read_body(resp, policy.max_body_bytes, what)
        finally:
            resp.close()
    return Answer(resp.status_code, resp.reason_phrase, resp.headers, body)


def request(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    policy: RetryPolicy,
    json_body: Any = None,
    content: bytes | None = None,
    params: dict[str, str] | None = None,
    parse: Callable[[Answer], Any] | None = None,
    check: Check | None = None,
    limiter: ConcurrencyLimit | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Any:
    """Send a request with retries; return ``parse(answer)`` (default: decoded JSON).

    ``check`` runs first on every answer and may raise a :class:`SourceError` of its own
    (e.g. a JSON-RPC error in an HTTP 500 body). ``parse`` failures with
    :class:`SourceBadResponse` are retried like a 5xx (a server mid-restart sends junk).
    ``limiter`` bounds how many requests of the client run at once (and shrinks on 429).
    ``content`` is a body already encoded as JSON (instead of ``json_body``).
    """
    if content is not None:  # JSON already encoded by the caller
        req = client.build_request(
            method, url, content=content, params=params,
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
    else:
        req = client.build_request(method, url, json=json_body, params=params)
    what = f"{method} {redact_url(req.url.copy_with(query=None))}"
    started = time.monotonic()
    deadline = started + policy.request_deadline_s
    sync_bound = policy.deadline_at is not None and policy.deadline_at < deadline
    if policy.deadline_at is not None:
        deadline = min(deadline, policy.deadline_at)

    def past_deadline() -> SourceTimeout:
        if sync_bound:
            return SourceTimeout(f"{what}: stopped: the sync's deadline (--deadline-s) has passed")
        return SourceTimeout(
            f"{what}: no complete answer within the {policy.request_deadline_s:g} s request"
            " deadline (--request-deadline-s)"
        )

    failures = limited = 0
    while True:
        if time.monotonic() >= deadline:
            raise past_deadline()
        wait: float | None = None
        last: SourceError
        try:
            if limiter is None:
                ans = _send(client, req, policy, deadline, what)
            else:
                with limiter.slot():
                    ans = _send(client, req, policy, deadline, what)
        except httpx.TimeoutException as exc:
            if time.monotonic() >= deadline:
                raise past_deadline() from exc
            last = SourceTimeout(f"{what}: no answer within the timeout ({type(exc).__name__})")
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
            last = SourceUnreachable(f"{what}: cannot connect ({one_line(str(exc), limit=120)})")
        except httpx.DecodingError as exc:
            last = SourceBadResponse(f"{what}: the answer cannot be decoded ({type(exc).__name__})")
        except httpx.HTTPError as exc:
            last = SourceUnreachable(
                f"{what}: {type(exc).__name__}: {one_line(str(exc), limit=120)}"
            )
        else:
            if check is not None:
                check(ans)
            if ans.status == 429:
                limited += 1
                if limiter is not None:
                    limiter.rate_limited()
                if limited >= policy.rate_limit_attempts:
                    raise SourceRateLimited(
                        f"{what}: rate limited (HTTP 429) on {limited} attempts in a row"
                    )
                ra = retry_after_s(ans.headers.get("Retry-After"))
                wait = policy.rate_limit_wait_s(ra, limited - 1)
                last = SourceRateLimited(f"{what}: rate limited (HTTP 429)")
            else:
                if limiter is not None:
                    limiter.succeeded()
                if ans.status >= 500:
                    last = SourceHTTPError(f"{what}: HTTP {ans.status}", status=ans.status)
                elif ans.status >= 400:
                    raise SourceHTTPError(
                        f"{what}: HTTP {ans.status} {one_line(ans.reason, limit=60)}",
                        status=ans.status,
                    )
                else:
                    try:
                        if parse is not None:
                            return parse(ans)
                        return decode_json(ans.body, what=what)
                    except SourceBadResponse as exc:
                        last = exc
        if wait is None:
            failures += 1
            if failures >= policy.attempts:
                if isinstance(last, SourceUnreachable) and policy.attempts > 1:
                    raise SourceUnreachable(f"{last} (after {policy.attempts} attempts)")
                raise last
            wait = policy.backoff_s(failures - 1)
        left = deadline - time.monotonic()
        if wait >= left:
            raise SourceTimeout(
                f"{last}; no time left to retry before the deadline"
                f" ({'--deadline-s' if sync_bound else '--request-deadline-s'})"
            )
        log.info("%s; retry in %.2f s", last, wait)
        sleep(wait)


__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_REQUEST_DEADLINE_S",
    "MIB",
    "Answer",
    "ConcurrencyLimit",
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
