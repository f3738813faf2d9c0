"""Coin Metrics daily rows into storage: incremental by page, one transaction a page.

Pages run from the last stored day minus :data:`CM_REFETCH_DAYS` (Coin Metrics revises
recent days) to the last complete UTC day, into ``daily`` and ``prices`` (source
``coinmetrics``; a day's price is stamped at the end of the day). A killed run leaves
whole pages; a re-run starts again a week before the last stored day and converges.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from .. import storage
from ..asof import last_complete_day
from ..sources._http import SourceTimeout
from ..sources.coinmetrics import FIRST_DAY, CoinMetricsClient
from .results import DailySyncDocument

CM_REFETCH_DAYS = 7
ProgressFn = Callable[[int, int, int], None]  # (days done, days to do, -1: no height)


@dataclass
class DailySyncSummary:
    """What a Coin Metrics sync did."""

    source: str
    url: str
    from_date: str
    to_date: str
    pages: int = 0
    days_fetched: int = 0
    daily_inserted: int = 0
    daily_updated: int = 0
    daily_unchanged: int = 0
    prices_inserted: int = 0
    prices_updated: int = 0
    last_date: str | None = None
    elapsed_s: float = 0.0

    def to_result(self) -> DailySyncDocument:
        """The ``sync --source coinmetrics --json`` document."""
        d = asdict(self)
        d["elapsed_s"] = round(self.elapsed_s, 3)
        return DailySyncDocument(**d)


def coinmetrics_start_date(conn: sqlite3.Connection, from_date: str | None = None) -> str:
    """First day to fetch: ``from_date``, else the last stored day minus 7, else 2009-01-03."""
    if from_date is not None:
        return from_date
    last = storage.last_daily_date(conn)
    if last is None:
        return FIRST_DAY
    start = date.fromisoformat(last) - timedelta(days=CM_REFETCH_DAYS)
    return max(FIRST_DAY, start.isoformat())


def sync_coinmetrics(
    conn: sqlite3.Connection,
    client: CoinMetricsClient,
    *,
    now_s: int,
    from_date: str | None = None,
    to_date: str | None = None,
    progress: ProgressFn | None = None,
    deadline_at: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> DailySyncSummary:
    """Fetch Coin Metrics daily rows into ``daily`` and ``prices``, one transaction a page.

    Parameters
    ----------
    now_s : int
        The current time; only days that have ended by then are fetched. [Unix s]
    from_date, to_date : str, optional
        YYYY-MM-DD bounds (defaults: :func:`coinmetrics_start_date`, last complete day).
    deadline_at : float, optional
        Stop with :class:`~minerscope.sources._http.SourceTimeout` once this moment has
        passed (checked between pages; the client's policy bounds each request). [monotonic s]
    """
    started = clock()
    start = coinmetrics_start_date(conn, from_date)
    last_complete = last_complete_day(now_s)
    end = min(to_date, last_complete) if to_date is not None else last_complete
    summary = DailySyncSummary(client.name, client.url, start, end)
    if start > end:
        return summary
    total = (date.fromisoformat(end) - date.fromisoformat(start)).days + 1
    for days in client.iter_pages(start, end):
        if deadline_at is not None and time.monotonic() >= deadline_at:
            raise SourceTimeout(
                f"the sync's deadline (--deadline-s) has passed; days up to"
                f" {summary.last_date or 'none'} are stored: run it again to continue"
            )
        days = [d for d in days if start <= d.date <= end]
        daily = [d.daily_record() for d in days]
        prices = [p for p in (d.price_record() for d in days) if p is not None]
        with storage.transaction(conn):
            dc = storage.upsert_daily(conn, daily)
            pc = storage.upsert_prices(conn, prices)
        summary.pages += 1
        summary.days_fetched += len(days)
        summary.daily_inserted += dc.inserted
        summary.daily_updated += dc.updated
        summary.daily_unchanged += dc.unchanged
        summary.prices_inserted += pc.inserted
        summary.prices_updated += pc.updated
        if days:
            summary.last_date = max(summary.last_date or "", days[-1].date)
        if progress is not None:
            progress(min(summary.days_fetched, total), total, -1)
    if progress is not None:  # the source has no more pages: the range is done
        progress(total, total, -1)
    summary.elapsed_s = clock() - started
    return summary


__all__ = [
    "CM_REFETCH_DAYS",
    "DailySyncSummary",
    "coinmetrics_start_date",
    "sync_coinmetrics",
]
