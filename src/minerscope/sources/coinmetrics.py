"""Coin Metrics community API v4: daily BTC network metrics and the reference-rate price.

``GET {base}/timeseries/asset-metrics?assets=btc&metrics=PriceUSD,BlkCnt,...&frequency=1d
&start_time=YYYY-MM-DD&end_time=YYYY-MM-DD&page_size=N&paging_from=start`` answers
(docs.coinmetrics.io/api/v4, "Asset Metrics")::

    {"data": [{"asset": "btc", "time": "2024-01-01T00:00:00.000000000Z",
               "BlkCnt": "150", "PriceUSD": "42280.23", ...}, ...],
     "next_page_token": "...", "next_page_url": "https://..."}

Values are JSON strings (decimal text); a metric with no value that day is absent or
null. Pages are followed by repeating the query with ``next_page_token`` until the
answer has none. The community API is free, needs no key, and allows about 10
requests per 6 seconds per IP: a 429 is waited out (``Retry-After``).

Units: ``IssTotNtv`` and ``FeeTotNtv`` are BTC (parsed as Decimal, converted to integer
sat, rounding half to even below 1 sat); ``DiffMean`` is difficulty; ``HashRate`` is
TH/s; ``PriceUSD`` is USD. A day's row is stamped with the day's start (``time``); its
price becomes a :class:`PriceRecord` at the END of the day (D+1 00:00:00Z), when the
close is first known (see ``asof``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

import httpx

from ..records import DailyRecord, PriceRecord
from ..units import HPS_PER_THS, SAT_PER_BTC, SECONDS_PER_DAY
from ._http import RetryPolicy, SourceBadResponse, make_client, request
from ._urls import check_url, one_line

DEFAULT_COINMETRICS_URL = "https://community-api.coinmetrics.io/v4"
SOURCE_NAME = "coinmetrics"
METRICS: tuple[str, ...] = ("PriceUSD", "BlkCnt", "DiffMean", "HashRate", "IssTotNtv", "FeeTotNtv")
FIRST_DAY = "2009-01-03"  # genesis block day
MAX_EMPTY_PAGES = 3  # empty pages in a row that still name a next page: not advancing
_TIME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})T00:00:00(\.0+)?Z$")


@dataclass(frozen=True, slots=True)
class CMDay:
    """One day of Coin Metrics values in our units (None where not published)."""

    date: str
    blocks: int | None
    difficulty: float | None
    hashrate_hps: float | None
    issuance_sat: int | None
    fees_sat: int | None
    price_usd: float | None

    def daily_record(self) -> DailyRecord:
        """As a ``daily`` table row (source ``coinmetrics``)."""
        return DailyRecord(
            self.date,
            self.blocks,
            self.difficulty,
            self.issuance_sat,
            self.fees_sat,
            self.price_usd,
            SOURCE_NAME,
        )

    def price_record(self) -> PriceRecord | None:
        """The day's close as a price at the end of the day (D+1 00:00:00Z), or None."""
        if self.price_usd is None:
            return None
        start = int(datetime.fromisoformat(self.date).replace(tzinfo=UTC).timestamp())
        return PriceRecord(SOURCE_NAME, start + SECONDS_PER_DAY, self.price_usd)


def _dec(row: dict[str, Any], key: str, what: str) -> Decimal | None:
    v = row.get(key)
    if v is None or v == "":
        return None
    if isinstance(v, bool) or not isinstance(v, str | int | Decimal):
        raise SourceBadResponse(f"{what}: {key} is not a number: {v!r}")
    try:
        d = Decimal(v) if not isinstance(v, Decimal) else v
    except InvalidOperation as exc:
        raise SourceBadResponse(f"{what}: {key} is not a number: {v!r}") from exc
    if not d.is_finite() or d < 0:
        raise SourceBadResponse(f"{what}: {key} is not a non-negative number: {v!r}")
    return d


def btc_text_to_sat(amount_btc: Decimal) -> int:
    """Exact BTC (Decimal) -> integer sat, half to even below one sat. [sat]"""
    return int((amount_btc * SAT_PER_BTC).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def parse_day(row: Any) -> CMDay:
    """One ``data`` item of ``timeseries/asset-metrics`` (frequency 1d)."""
    if not isinstance(row, dict):
        raise SourceBadResponse(f"asset-metrics: a data item is not an object: {str(row)[:80]!r}")
    t = row.get("time")
    m = _TIME_RE.match(t) if isinstance(t, str) else None
    if m is None:
        raise SourceBadResponse(f"asset-metrics: 'time' is not a UTC midnight: {t!r}")
    day = m.group(1)
    what = f"asset-metrics {day}"
    blk = _dec(row, "BlkCnt", what)
    if blk is not None and blk != blk.to_integral_value():
        raise SourceBadResponse(f"{what}: BlkCnt is not whole: {blk}")
    diff = _dec(row, "DiffMean", what)
    hr = _dec(row, "HashRate", what)
    iss = _dec(row, "IssTotNtv", what)
    fee = _dec(row, "FeeTotNtv", what)
    price = _dec(row, "PriceUSD", what)
    return CMDay(
        date=day,
        blocks=None if blk is None else int(blk),
        # difficulty and price must be positive to be meaningful (schema CHECK > 0)
        difficulty=float(diff) if diff is not None and diff > 0 else None,
        hashrate_hps=None if hr is None else float(hr) * HPS_PER_THS,
        issuance_sat=None if iss is None else btc_text_to_sat(iss),
        fees_sat=None if fee is None else btc_text_to_sat(fee),
        price_usd=float(price) if price is not None and price > 0 else None,
    )


def parse_page(obj: Any) -> tuple[list[CMDay], str | None]:
    """One answer page: its days and the ``next_page_token`` (None on the last page)."""
    if not isinstance(obj, dict):
        raise SourceBadResponse("asset-metrics: the answer is not an object")
    if "error" in obj:
        raise SourceBadResponse(f"asset-metrics: error {obj['error']!r}")
    data = obj.get("data")
    if not isinstance(data, list):
        raise SourceBadResponse("asset-metrics: 'data' is missing or not a list")
    token = obj.get("next_page_token")
    if token is not None and not isinstance(token, str):
        raise SourceBadResponse("asset-metrics: 'next_page_token' is not a string")
    return [parse_day(r) for r in data], token or None


def next_day(day: str) -> str:
    """The calendar day after ``day`` (YYYY-MM-DD)."""
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


class CoinMetricsClient:
    """Coin Metrics API v4 client (community endpoint by default; an API key is optional).

    Parameters
    ----------
    base_url : str
        API root, e.g. ``https://community-api.coinmetrics.io/v4``.
    page_size : int
        Rows per page (the API allows up to 10,000). [count]
    api_key : str, optional
        Sent as the ``api_key`` query parameter (paid endpoint); never logged.
    """

    name = "coinmetrics"

    def __init__(
        self,
        base_url: str = DEFAULT_COINMETRICS_URL,
        *,
        page_size: int = 1000,
        timeout_s: float = 30.0,
        policy: RetryPolicy | None = None,
        api_key: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        checked = check_url(base_url, what="Coin Metrics URL")
        self.url = checked.url
        self.page_size = max(1, page_size)
        self.policy = policy or RetryPolicy()
        self._api_key = api_key
        self._client = make_client(checked.url, timeout_s=timeout_s, transport=transport)

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def __enter__(self) -> CoinMetricsClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def iter_pages(
        self, start_date: str, end_date: str, metrics: tuple[str, ...] = METRICS
    ) -> Iterator[list[CMDay]]:
        """Pages of days from ``start_date`` to ``end_date`` inclusive, oldest first.

        Raises
        ------
        SourceBadResponse
            The server repeats a ``next_page_token``, or a page does not start after the
            previous one's last day, or sends :data:`MAX_EMPTY_PAGES` empty pages in a row
            with a token: the pages do not advance, and following them would never end.
        """
        params = {
            "assets": "btc",
            "metrics": ",".join(metrics),
            "frequency": "1d",
            "start_time": start_date,
            "end_time": end_date,
            "page_size": str(self.page_size),
            "paging_from": "start",
        }
        if self._api_key:
            params["api_key"] = self._api_key
        token: str | None = None
        seen: set[str] = set()
        last_day = ""
        empty = pages = 0
        while True:
            query = dict(params) if token is None else {**params, "next_page_token": token}
            obj = request(
                self._client, "GET", "timeseries/asset-metrics", policy=self.policy, params=query
            )
            days, token = parse_page(obj)
            pages += 1
            first = min((d.date for d in days), default="")
            empty = 0 if days else empty + 1
            if days and first <= last_day:
                self._stuck(pages, f"starts on {first}, not after the previous page's {last_day}")
            if token is not None and empty >= MAX_EMPTY_PAGES:
                self._stuck(pages, f"is the {empty}th empty page in a row naming a next page")
            if days:
                last_day = max(d.date for d in days)
            yield days
            if token is None:
                return
            if token in seen:  # the next request would fetch a page already fetched
                self._stuck(pages, f"names a page already fetched ({one_line(token, limit=40)!r})")
            seen.add(token)

    def _stuck(self, page: int, why: str) -> None:
        raise SourceBadResponse(
            f"asset-metrics at {self.url}: page {page} {why}: the pages do not advance;"
            " stopped (the pages before it are kept)"
        )


__all__ = [
    "DEFAULT_COINMETRICS_URL",
    "FIRST_DAY",
    "MAX_EMPTY_PAGES",
    "METRICS",
    "SOURCE_NAME",
    "CMDay",
    "CoinMetricsClient",
    "btc_text_to_sat",
    "next_day",
    "parse_day",
    "parse_page",
]
