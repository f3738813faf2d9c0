"""The shared HTTP layer: Retry-After, backoff, deadlines, body caps, URLs, rate limits."""

# ruff: noqa: F811  (the server fixtures are imported from tests.servers.fixtures)

from __future__ import annotations

import random
import time
from dataclasses import replace

import pytest

from minerscope.errors import InputError
from minerscope.sources._http import (
    MIB,
    ConcurrencyLimit,
    RetryPolicy,
    SourceBadResponse,
    SourceTimeout,
    SourceUnreachable,
    decode_json,
    redact_url,
    retry_after_s,
)
from minerscope.sources._urls import check_url, one_line
from minerscope.sources.esplora import EsploraClient
from tests.servers.base import Running
from tests.servers.chain import Chain
from tests.servers.esplora import esplora_server
from tests.servers.fixtures import chain, esplora, ref_blocks  # noqa: F401


def test_retry_after_seconds_and_date() -> None:
    assert retry_after_s("7") == 7.0
    # RFC 9110's example date, Wed, 21 Oct 2015 07:28:00 GMT = 1,445,412,480 s
    assert retry_after_s("Wed, 21 Oct 2015 07:28:00 GMT", now_s=1445412470) == 10.0
    assert retry_after_s("soon") is None
    assert retry_after_s(None) is None


def test_backoff_is_full_jitter_and_capped() -> None:
    p = RetryPolicy(base_delay_s=0.5, max_delay_s=3.0, rng=random.Random(1))
    for k in range(10):
        d = p.backoff_s(k)
        assert 0.0 <= d <= min(3.0, 0.5 * 2**k)


def test_redact_url_drops_credentials() -> None:
    assert redact_url("http://alice:hunter2@node.lan:8332/") == "http://node.lan:8332/"
    assert "hunter2" not in redact_url("https://u:hunter2@x/api?q=1")


def test_decode_json_keeps_decimals_exact() -> None:
    assert str(decode_json(b'{"a": 0.1}', what="t")["a"]) == "0.1"
    with pytest.raises(SourceBadResponse):
        decode_json(b"{", what="t")


# --- bounds on every request: deadline, body cap (against real local servers) -----------

FAST = RetryPolicy(attempts=3, base_delay_s=0.01, max_delay_s=1.0)


def test_trickling_server_is_cut_off_at_the_request_deadline(esplora: Running) -> None:
    # One byte every 0.1 s: each read succeeds well within the 5 s read timeout, and the
    # whole ~120-byte answer would take ~12 s. The 1 s deadline covers every read.
    esplora.faults.trickle, esplora.faults.trickle_s = 1, 0.1
    policy = replace(FAST, request_deadline_s=1.0)
    with EsploraClient(esplora.url + "/api", policy=policy, timeout_s=5.0) as c:
        t0 = time.monotonic()
        with pytest.raises(SourceTimeout, match="1 s request deadline"):
            c.tip_height()
        assert time.monotonic() - t0 < 2.5


def test_the_sync_deadline_bounds_every_request(esplora: Running) -> None:
    esplora.faults.trickle, esplora.faults.trickle_s = 1, 0.1
    policy = replace(FAST, deadline_at=time.monotonic() + 0.8)
    with EsploraClient(esplora.url + "/api", policy=policy, timeout_s=5.0) as c:
        for _ in range(2):  # cut off, and nothing runs after it
            with pytest.raises(SourceTimeout, match="sync's deadline"):
                c.tip_height()


def test_endless_body_is_cut_at_the_cap_and_not_retried(esplora: Running) -> None:
    esplora.faults.endless = 5
    policy = replace(FAST, max_body_bytes=MIB)
    with EsploraClient(esplora.url + "/api", policy=policy) as c:
        before = esplora.faults.requests
        with pytest.raises(SourceBadResponse, match="longer than the 1,048,576-byte cap"):
            c.tip_height()
    assert esplora.faults.requests - before == 1


def test_huge_content_length_is_refused_unread(esplora: Running) -> None:
    esplora.faults.huge_length = 1
    # 2**40 = 1,099,511,627,776 bytes declared; the default cap is 64 MiB
    with (
        EsploraClient(esplora.url + "/api", policy=FAST) as c,
        pytest.raises(SourceBadResponse, match="1,099,511,627,776 bytes"),
    ):
        c.tip_height()


# --- URLs: joined correctly, printed without credentials, checked before use -------------


def test_a_server_at_the_root_url(chain: Chain) -> None:
    # electrs serves its REST API at the root: http://127.0.0.1:3002 (no /api, no slash)
    with esplora_server(chain, prefix="") as srv, EsploraClient(srv.url, policy=FAST) as c:
        assert c.tip_height() == 934_575


@pytest.mark.parametrize(
    ("base", "shown"),
    [("http://127.0.0.1:9", "http://127.0.0.1:9/blocks/tip/height"),
     ("http://127.0.0.1:9/api", "http://127.0.0.1:9/api/blocks/tip/height"),
     ("http://127.0.0.1:9/api/", "http://127.0.0.1:9/api/blocks/tip/height")],
)  # fmt: skip
def test_errors_print_the_joined_url(base: str, shown: str) -> None:
    with (
        EsploraClient(base, policy=replace(FAST, attempts=1)) as c,
        pytest.raises(SourceUnreachable) as info,
    ):
        c.tip_height()
    assert f"GET {shown}:" in str(info.value)


SECRET_URLS = [
    "alice:hunter2@node.lan:8332",  # no scheme
    "http://alice:hunter2@node.lan:8332/",
    "http://alice:hun/ter2@node.lan/",  # a '/' in the password
    "http://alice:hunter2@[::1/",  # bad IPv6
    "http://alice:hunter2@node.lan:99999/",  # port out of range
    "http://alice:hunter2@node.lan:83x2/",  # port not a number
    "http://alice:hunter2@node.lan/\r\nX-Injected: 1",  # CR/LF
    "https://node.lan/api?api_key=hunter2",
    "ftp://alice:hunter2@node.lan/",
]


@pytest.mark.parametrize("url", SECRET_URLS)
def test_no_credential_is_ever_printed(url: str) -> None:
    shown = redact_url(url)
    assert "hunter2" not in shown and "alice" not in shown and "\n" not in shown
    try:
        checked = check_url(url, what="--url")
    except InputError as exc:
        msg = str(exc)
        assert "hunter2" not in msg and "alice" not in msg
        assert "\n" not in msg and "\r" not in msg and msg.startswith("--url ")
    else:  # a valid URL: its user info is kept apart, never in the URL
        assert "hunter2" not in checked.url and "hunter2" not in repr(checked)
        assert checked.user == "alice" and checked.password == "hunter2"


@pytest.mark.parametrize(
    ("url", "reason"),
    [("http://[::1/", "not a valid URL"), ("http://node:99999/", "not a valid URL"),
     ("http://node:0/", "port 0"), ("http://node/\r\nX: 1", "control characters"),
     ("ftp://node/", "http:// or https://"), ("node:8332", "http:// or https://"),
     ("", "empty"), ("http:///api", "no host"), ("http://node/?key=1", "query")],
)  # fmt: skip
def test_malformed_urls_are_one_line_input_errors(url: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason) as info:
        check_url(url, what="--url")
    assert "\n" not in str(info.value)


def test_check_url_normalises_the_root() -> None:
    assert check_url("http://127.0.0.1:3002").url == "http://127.0.0.1:3002/"
    assert check_url("HTTP://[::1]:8332/api").url == "http://[::1]:8332/api/"
    assert check_url("https://mempool.space/api/").url == "https://mempool.space/api/"


def test_one_line_escapes_and_truncates() -> None:
    assert one_line("a\nb\x1b[31m") == "a\\x0ab\\x1b[31m"
    assert one_line("x" * 500, limit=10) == "xxxxxxx..."


# --- rate limits: jitter, a 429 budget of its own, and concurrency that backs off --------


def test_rate_limit_waits_are_jittered() -> None:
    # Four workers told "Retry-After: 1" must not come back at the same instant.
    p = RetryPolicy(base_delay_s=0.5, rng=random.Random(7))
    waits = [p.rate_limit_wait_s(1.0, 0) for _ in range(4)]
    assert all(1.0 <= w <= 1.5 for w in waits)  # 1 s + U(0, max(0.5, 1 / 2))
    assert len({round(w, 6) for w in waits}) == 4
    assert p.rate_limit_wait_s(120.0, 0) <= 30.0 + 15.0  # capped at max_delay_s, + half


def test_429s_have_their_own_budget(esplora: Running) -> None:
    # 6 answers of 429 in a row, then the answer: more than `attempts` (3) allows for
    # other failures, fewer than rate_limit_attempts (12): the request succeeds.
    esplora.faults.rate_limit, esplora.faults.retry_after = 6, "0"
    with EsploraClient(esplora.url + "/api", policy=FAST) as c:
        assert c.tip_height() == 934_575
        assert c.limiter.lowest < 4  # halved while the 429s came (once per 0.2 s burst)


def test_concurrency_limit_halves_on_429_and_grows_back() -> None:
    lim = ConcurrencyLimit(4)
    lim.rate_limited()
    assert lim.limit == 2
    lim.rate_limited()  # the same burst (within 0.2 s): one cut only
    assert lim.limit == 2
    time.sleep(0.25)
    lim.rate_limited()
    assert (lim.limit, lim.lowest) == (1, 1)
    for _ in range(8):  # 8 x limit successes in a row: one more slot
        lim.succeeded()
    assert lim.limit == 2
    for _ in range(16):
        lim.succeeded()
    assert lim.limit == 3


def test_concurrency_limit_bounds_requests_in_flight(esplora: Running) -> None:
    with EsploraClient(esplora.url + "/api", concurrency=4, policy=FAST) as c:
        c.limiter.limit = 2  # as after one 429
        c.block_hashes(list(range(909_458, 909_498)))
    assert 1 <= esplora.server.max_busy <= 2  # requests answered at once (not connections)
