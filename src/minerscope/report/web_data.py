"""Documents the dashboard needs beyond the CLI's: every past retarget, and what is stored.

:func:`retarget_history` lists every difficulty retarget known at a moment, from the stored
epochs (bits per epoch) with each retarget's time from its stored block, else estimated from
the daily block counts. It is one replaceable function: when ``minerscope difficulty
--history`` lands in the network report, the API's ``difficulty/history`` endpoint points
there instead.

:func:`data_range` says what the database holds (block heights and times, daily and price
dates), for the dashboard's time control.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import numpy as np

from .. import storage
from ..analytics.daily import height_at_end_of_day
from ..asof import AsOf, date_utc, day_start_s, iso_utc, last_complete_day
from ..consensus import MAINNET, difficulty_from_bits
from ..errors import NoDataError
from ..results import AsOfInfo, Result
from ..units import DIFFICULTY_PER_T, SECONDS_PER_DAY

_GENESIS_DAY = "2009-01-03"
#: The genesis block's time (Bitcoin Core ``chainparams.cpp``: ``CreateGenesisBlock(1231006505,
#: ...)``, 2009-01-03T18:15:05Z): epoch 0 starts there. [Unix s]
GENESIS_TIME_S = 1_231_006_505


@dataclass(frozen=True)
class Retarget:
    """One difficulty retarget: the first block of an epoch and its new difficulty.

    Attributes
    ----------
    epoch : int
        The epoch that starts here (height = epoch * 2016). [epochs]
    height : int
        Its first block. [blocks]
    bits_hex : str
        Its compact target (8 hex digits).
    difficulty : float
        Its difficulty. [unitless]
    difficulty_t : float
        The same in T (10**12). [T]
    change_pct : float or None
        Change from the previous epoch (None for epoch 0). [%]
    time_s : int or None
        When the first block was mined: its stored time, else estimated from the daily
        block counts (linear within the day); None when neither is known. [Unix s]
    time_basis : str
        ``"block"`` (stored block time), ``"daily"`` (estimate) or ``"unknown"``.
    """

    epoch: int
    height: int
    bits_hex: str
    difficulty: float
    difficulty_t: float
    change_pct: float | None
    time_s: int | None
    time_iso: str | None
    time_basis: str


@dataclass(frozen=True)
class RetargetHistory(Result):
    """Every retarget known at a moment (``GET /api/v1/difficulty/history``).

    Attributes
    ----------
    as_of : AsOfInfo
        The moment; ``tip_height`` is the last block known then (stored, else estimated
        from daily counts).
    count : int
        Number of retargets listed (epoch 0, the genesis difficulty, included).
    retargets : tuple of Retarget
        In height order.
    """

    DOCUMENT = "difficulty-history"

    as_of: AsOfInfo
    count: int
    retargets: tuple[Retarget, ...]


def _daily_heights(
    conn: sqlite3.Connection, day: str, bits: list[int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Day starts, blocks per day and the height at each day's end (genesis-anchored rows)."""
    import pandas as pd  # lazy: heavy, and only this path needs it

    daily = storage.load_daily(conn, to_date=day)
    if daily.empty or date_utc(int(daily.index[0].timestamp())) != _GENESIS_DAY:
        return None
    full = pd.date_range(daily.index[0], daily.index[-1], freq="D", tz="UTC")
    daily = daily.reindex(full)
    blocks = daily["blocks"].astype("float64").to_numpy(na_value=np.nan)
    diff = daily["difficulty"].to_numpy(dtype=float, na_value=np.nan)
    starts = [e * MAINNET.difficulty_adjustment_interval for e in range(len(bits))]
    heod, _ = height_at_end_of_day(blocks, diff, starts, [difficulty_from_bits(b) for b in bits])
    day_s = np.asarray(full.as_unit("s").asi8, dtype=np.int64)
    return day_s, np.nan_to_num(blocks), heod


def retarget_history(
    conn: sqlite3.Connection,
    as_of: AsOf,
    *,
    from_date: str | None = None,
    to_date: str | None = None,
) -> RetargetHistory:
    """Every retarget known at ``as_of``, with its difficulty, change and time.

    Parameters
    ----------
    conn : sqlite3.Connection
        Open database (read-only is enough).
    as_of : AsOf
        The moment: retargets whose first block came later are not listed.
    from_date, to_date : str, optional
        Keep retargets whose time falls on these UTC days (YYYY-MM-DD, inclusive).

    Raises
    ------
    NoDataError
        When no epochs are stored.
    """
    epochs = storage.load_epochs(conn)
    bits: list[int] = []
    for e, row in epochs.iterrows():
        if int(str(e)) != len(bits):
            break  # contiguous from epoch 0
        bits.append(int(row["bits"]))
    if not bits:
        raise NoDataError(
            "no epochs are stored: import ../shared/data/difficulty_epochs_electrum.csv"
        )
    interval = MAINNET.difficulty_adjustment_interval
    starts = [e * interval for e in range(len(bits))]
    block_times = storage.block_times(conn, starts)
    day = last_complete_day(as_of.time_s)
    daily = _daily_heights(conn, day, bits)
    tip = as_of.tip_height if as_of.tip_height is not None else -1
    if daily is not None and len(daily[2]):
        tip = max(tip, int(daily[2][-1]))
    rows: list[Retarget] = []
    prev: float | None = None
    for epoch, b in enumerate(bits):
        height = starts[epoch]
        if height > tip:
            break
        d = difficulty_from_bits(b)
        time_s: int | None = None
        basis = "unknown"
        stored = block_times.get(height)
        if stored is not None and stored <= as_of.time_s:
            time_s, basis = stored, "block"
        elif epoch == 0:
            time_s, basis = GENESIS_TIME_S, "block"
        elif daily is not None:
            day_s, blocks, heod = daily
            j = int(np.searchsorted(heod, height))
            if j < len(heod) and blocks[j] > 0:
                before = heod[j] - blocks[j]  # height at the end of the previous day
                share = min(max((height - before) / blocks[j], 0.0), 1.0)
                time_s = int(day_s[j] + round(share * SECONDS_PER_DAY))
                basis = "daily"
        change = None if prev is None else 100.0 * (d / prev - 1.0)
        prev = d
        rows.append(
            Retarget(
                epoch=epoch,
                height=height,
                bits_hex=f"{b:08x}",
                difficulty=d,
                difficulty_t=d / DIFFICULTY_PER_T,
                change_pct=change,
                time_s=time_s,
                time_iso=None if time_s is None else iso_utc(time_s),
                time_basis=basis,
            )
        )
    if from_date or to_date:
        lo = day_start_s(from_date) if from_date else None
        hi = day_start_s(to_date) + SECONDS_PER_DAY if to_date else None
        rows = [
            r
            for r in rows
            if r.time_s is not None
            and (lo is None or r.time_s >= lo)
            and (hi is None or r.time_s < hi)
        ]
    info = AsOfInfo.build(
        as_of.time_s,
        as_of.text,
        tip_height=None if tip < 0 else tip,
        resolution="block" if as_of.tip_height is not None and as_of.tip_height >= tip else "daily",
    )
    return RetargetHistory(as_of=info, count=len(rows), retargets=tuple(rows))


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


__all__ = ["DataRange", "Retarget", "RetargetHistory", "data_range", "retarget_history"]
