"""Coin Metrics API v4 client: offline parsers, then paging against a real local server."""

from __future__ import annotations

from decimal import Decimal

import pytest

from minerscope.sources._http import SourceBadResponse, SourceHTTPError
from minerscope.sources.coinmetrics import (
    CoinMetricsClient,
    btc_text_to_sat,
    parse_day,
    parse_page,
)
from tests.servers.base import Running
from tests.servers.coinmetrics import cm_server
from tests.servers.fixtures import FAST_RETRY

# 2025-06-07 in the combined daily file (Coin Metrics values), as the API would send it.
ROW = {
    "asset": "btc",
    "time": "2025-06-07T00:00:00.000000000Z",
    "BlkCnt": "143",
    "DiffMean": "1.269822851e+14",
    "HashRate": "902662283.5",
    "IssTotNtv": "446.875",
    "FeeTotNtv": "3.27860352",
    "PriceUSD": "105685.2504",
}


def test_parse_day_units() -> None:
    d = parse_day(ROW)
    assert d.date == "2025-06-07"
    assert d.blocks == 143
    assert d.issuance_sat == 44_687_500_000  # 446.875 BTC x 1e8 (= 143 x 3.125 BTC)
    assert d.fees_sat == 327_860_352  # 3.27860352 BTC x 1e8
    assert d.difficulty == pytest.approx(1.269822851e14, rel=1e-12)
    assert d.hashrate_hps == pytest.approx(902662283.5e12, rel=1e-12)  # TH/s -> H/s
    p = d.price_record()
    assert p is not None
    # the close is known at the end of the day: 2025-06-08T00:00:00Z = 1,749,340,800 s
    assert (p.source, p.time_s, p.price_usd) == ("coinmetrics", 1749340800, 105685.2504)
    assert d.daily_record().source == "coinmetrics"


def test_missing_metrics_are_none() -> None:
    d = parse_day({"asset": "btc", "time": "2009-01-03T00:00:00.000000000Z", "BlkCnt": "1"})
    assert (d.blocks, d.price_usd, d.fees_sat, d.price_record()) == (1, None, None, None)


@pytest.mark.parametrize(
    ("amount", "sat"),
    [(Decimal("0.00000001"), 1), (Decimal("0.000000005"), 0), (Decimal("0.000000015"), 2),
     (Decimal("21000000"), 2_100_000_000_000_000)],
)  # fmt: skip
def test_btc_to_sat_is_exact(amount: Decimal, sat: int) -> None:
    assert btc_text_to_sat(amount) == sat  # half to even below 1 sat


@pytest.mark.parametrize(
    "bad",
    [{**ROW, "time": "2025-06-07"}, {**ROW, "PriceUSD": "abc"}, {**ROW, "BlkCnt": "1.5"},
     {**ROW, "FeeTotNtv": "-1"}],
)  # fmt: skip
def test_junk_rows_rejected(bad: dict[str, str]) -> None:
    with pytest.raises(SourceBadResponse):
        parse_day(bad)


def test_parse_page_token() -> None:
    days, token = parse_page({"data": [ROW], "next_page_token": "abc"})
    assert len(days) == 1 and token == "abc"
    assert parse_page({"data": []}) == ([], None)
    with pytest.raises(SourceBadResponse):
        parse_page({"nodata": 1})


def test_pages_are_followed(coinmetrics: Running) -> None:
    with CoinMetricsClient(coinmetrics.url + "/v4", page_size=100, policy=FAST_RETRY) as c:
        pages = list(c.iter_pages("2025-01-01", "2025-12-31"))
    assert [len(p) for p in pages] == [100, 100, 100, 65]  # 365 days of 2025
    days = [d for p in pages for d in p]
    assert days[0].date == "2025-01-01" and days[-1].date == "2025-12-31"
    assert len({d.date for d in days}) == 365


def test_bad_parameter_is_not_retried(coinmetrics: Running) -> None:
    with CoinMetricsClient(coinmetrics.url + "/v4", policy=FAST_RETRY) as c:
        before = coinmetrics.faults.requests
        with pytest.raises(SourceHTTPError, match="400"):
            list(c.iter_pages("2025-01-01", "2025-01-02", metrics=("NoSuchMetric",)))
        assert coinmetrics.faults.requests - before == 1


def test_a_repeated_page_token_stops_with_one_error(coinmetrics: Running) -> None:
    # The server names page 2 as the next page on every page: following it never ends.
    coinmetrics.faults.repeat_page_token = True
    with CoinMetricsClient(coinmetrics.url + "/v4", page_size=100, policy=FAST_RETRY) as c:
        pages = []
        with pytest.raises(SourceBadResponse, match="do not advance"):
            for p in c.iter_pages("2025-01-01", "2025-12-31"):
                pages.append(p)
                assert len(pages) <= 4, "the client follows a page token that repeats"
    assert len(pages) == 2  # page 1, page 2; page 2 is not fetched again
    assert coinmetrics.faults.requests == 2


def test_root_url_without_v4(cm_days: list[dict[str, str]]) -> None:
    with cm_server(cm_days, prefix="") as srv, CoinMetricsClient(srv.url, policy=FAST_RETRY) as c:
        pages = list(c.iter_pages("2025-01-01", "2025-01-10"))
    assert [d.date for d in pages[0]][:2] == ["2025-01-01", "2025-01-02"]
