"""Loading for the network views: which data answers a moment (blocks or daily rows),
and the arrays the pure analytics take. Holds no SQL (that is in ``storage``), and no
pandas: ``hashrate``, ``difficulty`` and ``status`` start without importing it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import numpy as np

from .. import storage
from ..asof import AsOf, as_of_info, day_start_s, iso_utc, last_complete_day
from ..errors import NoDataError
from ..results import AsOfInfo
from ..storage.network import block_arrays, contiguous_epoch_bits, daily_block_arrays
from ..units import HPS_PER_EHS, SECONDS_PER_DAY

DRIFT_LOOKBACK_EPOCHS = 52  # epoch changes the drift is fitted on
STALE_AFTER_S = 2 * 3600  # P(no block in 2 h at 600 s) = e^-12: the data stopped, not the chain


@dataclass(frozen=True)
class _Source:
    resolution: str  # "block" or "daily"
    data_time_s: int  # the moment the figures are for
    note: str | None
    tip_height: int | None = None
    day: str | None = None  # last complete day (daily)


def _ehs(x: float | None) -> float | None:
    return None if x is None else x / HPS_PER_EHS


def _choose_source(conn: sqlite3.Connection, as_of: AsOf) -> _Source:
    day = storage.last_daily_date(conn, on_or_before=last_complete_day(as_of.time_s))
    if as_of.tip_height is not None:
        tip = storage.block_row(conn, as_of.tip_height)
        if tip is not None and (day is None or tip.time_s >= day_start_s(day)):
            if as_of.time_s - tip.time_s > STALE_AFTER_S:
                stale = (
                    f"the last stored block ({as_of.tip_height}, {iso_utc(tip.time_s)}) is"
                    f" {(as_of.time_s - tip.time_s) / 3600:.1f} h older than {as_of.iso}:"
                    " figures are as of that block"
                )
                return _Source("block", tip.time_s, stale, as_of.tip_height)
            return _Source("block", as_of.time_s, None, as_of.tip_height)
    if day is None:
        raise NoDataError(f"no blocks or daily rows are known as of {as_of.iso}")
    end = day_start_s(day) + SECONDS_PER_DAY
    note: str | None = None
    if as_of.time_s - end > SECONDS_PER_DAY:
        note = f"the last daily row is {day}: figures are as of its end ({iso_utc(end)})"
    return _Source("daily", end, note, None, day)


def _as_of_info(as_of: AsOf, src: _Source) -> AsOfInfo:
    """The document's ``as_of`` (``asof.as_of_info``)."""
    return as_of_info(
        as_of, resolution=src.resolution, data_time_s=src.data_time_s, tip_height=src.tip_height
    )


# --- loading ----------------------------------------------------------------------------


def _load_block_arrays(
    conn: sqlite3.Connection, lo: int, hi: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The consecutive run of stored blocks (with bits) that ends at ``hi``, from ``lo``."""
    heights, times, bits = block_arrays(conn, max(lo, 0), hi)
    if len(heights) == 0 or heights[-1] != hi:
        raise NoDataError(f"block {hi} or its bits are not stored")
    breaks = np.flatnonzero(np.diff(heights) != 1)
    first = int(breaks[-1]) + 1 if len(breaks) else 0
    return heights[first:], times[first:], bits[first:]


@dataclass(frozen=True)
class _DailyArrays:
    dates: list[str]
    day_start_s: np.ndarray
    blocks: np.ndarray
    difficulty: np.ndarray


def _load_daily(conn: sqlite3.Connection, day: str) -> _DailyArrays:
    """Daily rows up to ``day`` on consecutive days (a missing day is a row of NaN)."""
    days, k, x = daily_block_arrays(conn, day)
    if len(days) == 0:
        raise NoDataError(f"no daily rows up to {day}")
    n_days = int(days[-1] - days[0]) + 1
    blocks = np.full(n_days, np.nan)
    difficulty = np.full(n_days, np.nan)
    blocks[days - days[0]] = k
    difficulty[days - days[0]] = x
    dates = np.datetime_as_string(
        np.arange(days[0], days[-1] + 1).astype("datetime64[D]"), unit="D"
    ).tolist()
    return _DailyArrays(
        dates,
        (days[0] + np.arange(n_days, dtype=float)) * SECONDS_PER_DAY,
        blocks,
        difficulty,
    )


def _epoch_bits(conn: sqlite3.Connection) -> list[int]:
    return contiguous_epoch_bits(conn)
