"""What the database holds (``GET /api/v1/data``), for the dashboard's time control.

:func:`data_range` gives block heights and times, daily and price dates, and a version that
changes with the data. (Every past retarget is :func:`minerscope.report.retargets.
retarget_history`, the same document as ``minerscope difficulty --history``.)
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .. import storage
from ..asof import date_utc, day_start_s, iso_utc
from ..results import Result
from ..units import SECONDS_PER_DAY


@dataclass(frozen=True)
class DataRange(Result):
    """What the database holds (``GET /api/v1/data``), for the dashboard's time control.

    Attributes
    ----------
    version : str
        Changes whenever the stored data changes (opaque; set by the web layer).
    blocks, epochs, daily_rows, prices : int
        Row counts. [rows]
    first_height, last_height : int or None
        Stored block range. [blocks]
    first_block_time_s, last_block_time_s : int or None
        Their times. [Unix s]
    first_daily_date, last_daily_date : str or None
        Daily rows (YYYY-MM-DD).
    latest_time_s : int or None
        The latest moment any stored data describes (last block, or the end of the last
        daily row). [Unix s]
    """

    DOCUMENT = "data"

    version: str
    blocks: int
    epochs: int
    daily_rows: int
    prices: int
    first_height: int | None
    last_height: int | None
    first_block_time_s: int | None
    first_block_time_iso: str | None
    last_block_time_s: int | None
    last_block_time_iso: str | None
    first_daily_date: str | None
    last_daily_date: str | None
    latest_time_s: int | None
    latest_time_iso: str | None


def data_range(conn: sqlite3.Connection, *, version: str) -> DataRange:
    """What is stored: counts, block range and times, daily dates (no clock, no as-of)."""
    counts = storage.table_counts(conn)
    rng = storage.block_range(conn)
    times = storage.block_times(conn, list(rng)) if rng else {}
    first_t = times.get(rng[0]) if rng else None
    last_t = times.get(rng[1]) if rng else None
    last_day = storage.last_daily_date(conn)
    first_day = None
    if last_day is not None:
        frame = storage.load_daily(conn)
        first_day = date_utc(int(frame.index[0].timestamp()))
    ends = [t for t in (last_t, None if last_day is None else day_start_s(last_day)
                        + SECONDS_PER_DAY - 1) if t is not None]  # fmt: skip
    latest = max(ends) if ends else None

    def iso(t: int | None) -> str | None:
        return None if t is None else iso_utc(t)

    return DataRange(
        version=version,
        blocks=counts["blocks"],
        epochs=counts["epochs"],
        daily_rows=counts["daily"],
        prices=counts["prices"],
        first_height=rng[0] if rng else None,
        last_height=rng[1] if rng else None,
        first_block_time_s=first_t,
        first_block_time_iso=iso(first_t),
        last_block_time_s=last_t,
        last_block_time_iso=iso(last_t),
        first_daily_date=first_day,
        last_daily_date=last_day,
        latest_time_s=latest,
        latest_time_iso=iso(latest),
    )


__all__ = ["DataRange", "data_range"]
