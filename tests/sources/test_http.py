"""The shared HTTP helpers: Retry-After, backoff bounds, URL redaction."""

from __future__ import annotations

import random

import pytest

from minerscope.sources._http import (
    RetryPolicy,
    SourceBadResponse,
    decode_json,
    redact_url,
    retry_after_s,
)


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
