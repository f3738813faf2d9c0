"""``difficulty --history`` and ``GET /api/v1/difficulty/history``: every retarget known at a
moment, loaded from storage as of that moment (no logic of its own:
:mod:`minerscope.analytics.retargets` computes the rows)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import numpy as np

from .. import storage
from ..analytics.daily import height_at_end_of_day
from ..analytics.retargets import Retarget, retarget_rows
from ..asof import AsOf, data_moment, day_start_s, last_complete_day, moment_info
from ..consensus import difficulty_from_bits
from ..errors import InputError, NoDataError
from ..results import AsOfInfo, Result
from ..sources.limits import GENESIS_TIME_S
from ..units import SECONDS_PER_DAY

GENESIS_DAY = "2009-01-03"
CSV_COLUMNS = (
    "epoch", "height", "date", "time_s", "time_source", "bits_hex", "difficulty", "change_pct",
    "mean_block_time_s", "mean_block_time_source",
)  # fmt: skip


@dataclass(frozen=True)
class RetargetHistory(Result):
    """``minerscope difficulty --history``: every retarget known at a moment, in a date range.

    Attributes
    ----------
    as_of : AsOfInfo
    from_date, to_date : str or None
        The range asked for (retarget dates, inclusive).
    count : int
        Retargets listed (epoch 0, the genesis difficulty, included).
    retargets : tuple of Retarget
        In height order.
    notes : tuple of str
    """

    DOCUMENT = "difficulty_history"

    as_of: AsOfInfo
    from_date: str | None
    to_date: str | None
    count: int
    retargets: tuple[Retarget, ...]
    notes: tuple[str, ...]


def _contiguous_bits(conn: sqlite3.Connection) -> list[int]:
    epochs = storage.load_epochs(conn)
    bits: list[int] = []
    for e, row in epochs.iterrows():
        if int(str(e)) != len(bits):
            break  # epochs must be contiguous from 0
        bits.append(int(row["bits"]))
    return bits


def _daily_heights(
    conn: sqlite3.Connection, bits: list[int], to_date: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    import pandas as pd  # lazy: keeps start-up light

    frame = storage.load_daily(conn, to_date=to_date)
    if frame.empty or frame.index[0].strftime("%Y-%m-%d") != GENESIS_DAY:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    idx = pd.DatetimeIndex(frame.index)
    frame = frame.reindex(pd.date_range(idx[0], idx[-1], freq="D", tz="UTC"))
    starts = np.arange(len(frame), dtype=np.int64) * SECONDS_PER_DAY + day_start_s(GENESIS_DAY)
    heod, _ = height_at_end_of_day(
        frame["blocks"].astype("float64").to_numpy(na_value=np.nan),
        frame["difficulty"].to_numpy(dtype=float, na_value=np.nan),
        [e * storage.BLOCKS_PER_EPOCH for e in range(len(bits))],
        [difficulty_from_bits(b) for b in bits],
    )
    return starts, heod


def _latest_data_s(conn: sqlite3.Connection) -> int:
    """The latest moment any stored block or daily row describes (0: none). [Unix s]"""
    ends = [0]
    rng = storage.block_range(conn)
    if rng is not None:
        ends.extend(storage.block_times(conn, [rng[1]]).values())
    day = storage.last_daily_date(conn)
    if day is not None:
        ends.append(day_start_s(day) + SECONDS_PER_DAY - 1)
    return max(ends)


def _check_date(value: str | None, name: str) -> None:
    if value is None:
        return
    try:
        day_start_s(value)
    except ValueError:
        raise InputError(f"{value!r} is not a YYYY-MM-DD date", field=name) from None


def retarget_history(
    conn: sqlite3.Connection,
    as_of: AsOf,
    *,
    from_date: str | None = None,
    to_date: str | None = None,
) -> RetargetHistory:
    """Every retarget known at ``as_of``, with its date, change and mean block time.

    Only what was known then is used: the stored blocks up to the moment's tip, the daily
    rows of the days complete by then, and the epochs whose first block those reach (an
    epoch's bits exist once its first block is mined). A moment after all the stored data
    lists every stored epoch.

    Parameters
    ----------
    conn : sqlite3.Connection
    as_of : AsOf
        The moment (:func:`minerscope.asof.resolve_as_of`).
    from_date, to_date : str, optional
        Keep retargets dated in this range (YYYY-MM-DD, inclusive); undated ones (after
        the stored data) only when ``to_date`` is not given.

    Returns
    -------
    RetargetHistory

    Raises
    ------
    InputError
        A date that is not YYYY-MM-DD, or ``from_date`` after ``to_date``.
    NoDataError
        No epochs are stored.
    """
    _check_date(from_date, "--from")
    _check_date(to_date, "--to")
    if from_date and to_date and from_date > to_date:
        raise InputError(f"--from {from_date} is after --to {to_date}", field="--from")
    bits = _contiguous_bits(conn)
    if not bits:
        raise NoDataError(
            "no epochs are stored: import ../shared/data/difficulty_epochs_electrum.csv"
            " (minerscope import epochs FILE)"
        )
    per = storage.BLOCKS_PER_EPOCH
    moment = data_moment(conn, as_of)
    tip = as_of.tip_height if as_of.tip_height is not None else -1
    last_day = last_complete_day(as_of.time_s)
    starts, heod = _daily_heights(conn, bits, to_date=last_day)
    known_tip = max(tip, int(np.nanmax(heod)) if len(heod) else -1)
    if as_of.time_s < _latest_data_s(conn):  # a past moment: the epochs known then
        bits = bits[: max(known_tip // per + 1, 1)]
    heights = [e * per for e in range(len(bits))] + [e * per + per - 1 for e in range(len(bits))]
    times = {h: t for h, t in storage.block_times(conn, heights).items() if h <= tip}
    first = {h // per: t for h, t in times.items() if h % per == 0}
    first.setdefault(0, GENESIS_TIME_S)  # the genesis block's time is fixed by consensus
    last = {h // per: t for h, t in times.items() if h % per == per - 1}
    rows = retarget_rows(
        bits, first_block_time_s=first, last_block_time_s=last, day_start_s=starts,
        height_at_end_of_day=heod,
    )  # fmt: skip
    kept = [
        r
        for r in rows
        if (r.date is None and to_date is None)
        or (
            r.date is not None
            and (from_date is None or r.date >= from_date)
            and (to_date is None or r.date <= to_date)
        )
    ]
    notes = [
        "mean block time: over the epoch's 2015 measured intervals, from the stored first and"
        " last block times, else implied by the next target (span = 1,209,600 s x"
        " target_next / target, exact to 0.02 s)",
        "time: of the retarget block when stored, else estimated from the daily rows (the day"
        " their running height reached it, linear within the day: within about two hours)",
    ]
    return RetargetHistory(
        as_of=moment_info(as_of, moment),
        from_date=from_date,
        to_date=to_date,
        count=len(kept),
        retargets=tuple(kept),
        notes=tuple(notes),
    )
