"""Per-day inputs of the economics history: complete days of blocks, daily rows, each day's close.

Numbers in, numbers out (numpy arrays; no I/O). Days are UTC days numbered from 1970-01-01
(``time_s // 86,400``) and follow block timestamps, as Coin Metrics' daily block counts do.

- :func:`complete_block_days` turns per-(day, epoch) block aggregates into whole days, keeping
  only days whose blocks are all stored: the first and last day of each run of consecutive
  stored heights are dropped, since blocks of those days may be missing;
- :func:`daily_closes` gives each day the latest price stamped within it (a daily close is
  stamped at the end of its day), NaN for a day with none: a price is never carried across
  days;
- :func:`merge_days` lays block days over daily rows (block days take precedence: exact
  subsidy, fees and difficulty) and attaches each day's close.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..consensus import MAINNET
from ..consensus.subsidy import INITIAL_SUBSIDY_SAT
from ..units import SECONDS_PER_DAY

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BLOCK_SOURCE = "blocks"


@dataclass(frozen=True)
class BlockDays:
    """Whole days of stored blocks, in day order."""

    day: IntArray  # days since 1970-01-01
    blocks: FloatArray  # [count]
    difficulty: FloatArray  # block-weighted mean over the blocks with known bits [unitless]
    issuance_sat: FloatArray  # [sat]
    fees_sat: FloatArray  # NaN unless every block's fees are known [sat]
    last_height: FloatArray  # highest height stamped that day


@dataclass(frozen=True)
class DayInputs:
    """One row per day in date order: what :func:`~.history.daily_economics_arrays` takes."""

    day: IntArray  # days since 1970-01-01
    blocks: FloatArray  # [count]
    difficulty: FloatArray  # [unitless]
    issuance_sat: FloatArray  # [sat]
    fees_sat: FloatArray  # [sat]
    price_usd: FloatArray  # the day's close [USD/BTC]
    supply_sat: FloatArray  # coins issued by the day's end where exactly known, else NaN [sat]
    source: list[str]  # "blocks" or the daily row's source

    @property
    def day_start_s(self) -> IntArray:
        """00:00:00Z of each day. [Unix s]"""
        return self.day * SECONDS_PER_DAY


def _unique(x: IntArray) -> IntArray:
    """Sorted distinct values (``np.unique`` imports ``numpy.ma``: 20-50 ms of start-up)."""
    s = np.sort(x)
    return s[np.concatenate([[True], s[1:] != s[:-1]])] if s.size else s


def complete_block_days(
    day: npt.ArrayLike,
    epoch: npt.ArrayLike,
    blocks: npt.ArrayLike,
    min_height: npt.ArrayLike,
    max_height: npt.ArrayLike,
    fees_sat: npt.ArrayLike,
    fee_blocks: npt.ArrayLike,
    subsidy_sat: npt.ArrayLike,
    difficulty: npt.ArrayLike,
    *,
    runs: Sequence[tuple[int, int]],
) -> BlockDays:
    """Whole days from per-(day, epoch) block aggregates.

    Parameters
    ----------
    day, epoch : array_like
        Key of each aggregate: UTC day number and retarget epoch.
    blocks, min_height, max_height : array_like
        Blocks in the aggregate, lowest and highest height. [count], [height]
    fees_sat, fee_blocks : array_like
        Sum of the known fees and how many blocks have them. [sat], [count]
    subsidy_sat : array_like
        Sum of the subsidies. [sat]
    difficulty : array_like
        The epoch's difficulty (NaN unknown). [unitless]
    runs : sequence of (int, int)
        Runs of consecutive stored heights, (first, last), in height order.

    Returns
    -------
    BlockDays
        Days strictly inside a run's first and last day, whose aggregates all lie within
        that run; ``difficulty`` averages over blocks with known difficulty, ``fees_sat`` is
        NaN when a block's fees are unknown.
    """
    d = np.asarray(day, dtype=np.int64)
    n = np.asarray(blocks, dtype=np.float64)
    lo = np.asarray(min_height, dtype=np.int64)
    hi = np.asarray(max_height, dtype=np.int64)
    diff = np.asarray(difficulty, dtype=np.float64)
    del epoch  # the key's second part; aggregates of one day are summed over it
    empty = np.array([], dtype=np.float64)
    if d.size == 0 or not runs:
        return BlockDays(np.array([], dtype=np.int64), empty, empty, empty, empty, empty)
    starts = np.array([r[0] for r in runs], dtype=np.int64)
    ends = np.array([r[1] for r in runs], dtype=np.int64)
    run = np.searchsorted(starts, lo, side="right") - 1
    inside = (run >= 0) & (hi <= ends[np.maximum(run, 0)])
    first_day = np.full(len(runs), np.iinfo(np.int64).max)
    last_day = np.full(len(runs), np.iinfo(np.int64).min)
    np.minimum.at(first_day, run[inside], d[inside])
    np.maximum.at(last_day, run[inside], d[inside])
    r = np.maximum(run, 0)
    ok = inside & (d > first_day[r]) & (d < last_day[r])
    days = _unique(d)
    seg = np.searchsorted(days, d)  # aggregate -> its day's index

    def per_day(x: FloatArray) -> FloatArray:
        out = np.zeros(days.size)
        np.add.at(out, seg, x)
        return out

    all_ok = per_day((~ok).astype(np.float64)) == 0
    known = np.isfinite(diff)
    n_known = per_day(np.where(known, n, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_diff = per_day(np.where(known, n * diff, 0.0)) / n_known
    total = per_day(n)
    fees = per_day(np.asarray(fees_sat, dtype=np.float64))
    fees_known = per_day(np.asarray(fee_blocks, dtype=np.float64)) == total
    last = np.full(days.size, -1.0)
    np.maximum.at(last, seg, hi.astype(np.float64))
    keep = all_ok
    return BlockDays(
        days[keep],
        total[keep],
        np.where(n_known > 0, mean_diff, np.nan)[keep],
        per_day(np.asarray(subsidy_sat, dtype=np.float64))[keep],
        np.where(fees_known, fees, np.nan)[keep],
        last[keep],
    )


def supply_sat_at_heights(heights: npt.ArrayLike) -> FloatArray:
    """Coins issued by blocks 0..h for each h: ``consensus.supply_sat_at`` on an array.

    Parameters
    ----------
    heights : array_like
        Last block counted (-1 gives 0). [height]

    Returns
    -------
    ndarray
        Issued subsidy, exact in int64 and returned as float. [sat]
    """
    blocks = np.asarray(heights, dtype=np.int64) + 1
    interval = MAINNET.subsidy_halving_interval
    total = np.zeros(blocks.shape, dtype=np.int64)
    for era in range(64):
        in_era = np.clip(blocks - era * interval, 0, interval)
        if not in_era.any():
            break
        total += in_era * (INITIAL_SUBSIDY_SAT >> era)
    return total.astype(np.float64)


def daily_closes(
    day: npt.ArrayLike, stamp_s: npt.ArrayLike, price_usd: npt.ArrayLike
) -> FloatArray:
    """Each day's close: the latest price stamped after the day's start and by its end.

    Parameters
    ----------
    day : array_like
        UTC day numbers. [days since 1970-01-01]
    stamp_s, price_usd : array_like
        Prices in stamp order, one per stamp (a daily close stamped at its day's end). [Unix s],
        [USD/BTC]

    Returns
    -------
    ndarray
        The price of the last stamp in (day start, day end], NaN for a day without one.
    """
    d = np.asarray(day, dtype=np.int64)
    t = np.asarray(stamp_s, dtype=np.int64)
    p = np.asarray(price_usd, dtype=np.float64)
    if t.size == 0:
        return np.full(d.size, np.nan)
    end = (d + 1) * SECONDS_PER_DAY
    i = np.searchsorted(t, end, side="right") - 1
    ok = (i >= 0) & (t[np.maximum(i, 0)] > end - SECONDS_PER_DAY)
    return np.asarray(np.where(ok, p[np.maximum(i, 0)], np.nan), dtype=np.float64)


def merge_days(
    *,
    daily_day: npt.ArrayLike,
    daily_blocks: npt.ArrayLike,
    daily_difficulty: npt.ArrayLike,
    daily_issuance_sat: npt.ArrayLike,
    daily_fees_sat: npt.ArrayLike,
    daily_source: Sequence[str],
    block_days: BlockDays,
    block_supply_sat: npt.ArrayLike,
    closes_usd: tuple[npt.ArrayLike, npt.ArrayLike],
) -> DayInputs:
    """Daily rows and whole block days as one series: block days take precedence.

    Parameters
    ----------
    daily_day, daily_blocks, daily_difficulty, daily_issuance_sat, daily_fees_sat : array_like
        The daily rows (NaN where empty). [day number], [count], [unitless], [sat], [sat]
    daily_source : sequence of str
        Each daily row's source.
    block_days : BlockDays
        Whole days of blocks (see :func:`complete_block_days`).
    block_supply_sat : array_like
        Coins issued up to each block day's last height (the consensus schedule). [sat]
    closes_usd : (array_like, array_like)
        Price stamps and prices (see :func:`daily_closes`). [Unix s], [USD/BTC]

    Returns
    -------
    DayInputs
        Every day of either, in order. A block day takes its blocks' count, difficulty,
        issuance and fees (the daily row's fees where one of its blocks' is unknown) and its
        exact supply; other days have no supply (NaN).
    """
    dd = np.asarray(daily_day, dtype=np.int64)
    bd = block_days.day
    days = _unique(np.concatenate([dd, bd]))
    out_blocks = np.full(days.size, np.nan)
    out_diff = np.full(days.size, np.nan)
    out_iss = np.full(days.size, np.nan)
    out_fees = np.full(days.size, np.nan)
    supply = np.full(days.size, np.nan)
    source = ["" for _ in range(days.size)]
    i = np.searchsorted(days, dd)
    out_blocks[i] = np.asarray(daily_blocks, dtype=np.float64)
    out_diff[i] = np.asarray(daily_difficulty, dtype=np.float64)
    out_iss[i] = np.asarray(daily_issuance_sat, dtype=np.float64)
    out_fees[i] = np.asarray(daily_fees_sat, dtype=np.float64)
    for k, s in zip(i.tolist(), daily_source, strict=True):
        source[k] = s
    j = np.searchsorted(days, bd)
    out_blocks[j] = block_days.blocks
    out_diff[j] = block_days.difficulty
    out_iss[j] = block_days.issuance_sat
    known = np.isfinite(block_days.fees_sat)
    out_fees[j[known]] = block_days.fees_sat[known]
    supply[j] = np.asarray(block_supply_sat, dtype=np.float64)
    for k in j.tolist():
        source[k] = BLOCK_SOURCE
    stamps, prices = closes_usd
    return DayInputs(
        days, out_blocks, out_diff, out_iss, out_fees, daily_closes(days, stamps, prices),
        supply, source,
    )  # fmt: skip
