"""Every past retarget: epoch, first height, date, bits, difficulty, change and the epoch's
mean block time (pure: stored epochs, block times and daily heights in; rows out).

The mean block time of an epoch needs no block timestamps: the retarget rule itself
recorded it. Bitcoin Core sets the next target to ``target * span / T`` (``T`` = 1,209,600 s,
``span`` = last minus first block time of the epoch, 2015 intervals, clamped to
[T/4, 4T]; ``CalculateNextWorkRequired`` in ``src/pow.cpp``), so
``span = T * target_next / target`` and the mean interval is ``span / 2015``. The compact
encoding truncates the new target's mantissa (at least 15 bits), so this is exact to within
``T * 2**-15 / 2015`` = 0.02 s. Two cases carry no figure: a next target capped at the
proof-of-work limit (2009: blocks slower than the rule can express) and a span at a clamp.
Where the epoch's first and last blocks are stored, their timestamps give the span directly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..consensus import (
    MAINNET,
    ChainParams,
    bits_from_target,
    difficulty_from_bits,
    target_from_bits,
)
from ..units import DIFFICULTY_PER_T, SECONDS_PER_DAY


def iso_time(time_s: int) -> str:
    """``2026-01-22T19:31:22Z`` for a Unix time. [Unix s]"""
    return str(np.datetime64(time_s, "s")) + "Z"


#: Intervals the retarget rule measures per epoch (first to last block). [intervals]
MEASURED_INTERVALS = MAINNET.difficulty_adjustment_interval - 1


@dataclass(frozen=True)
class Retarget:
    """One retarget period (epoch) as listed by ``difficulty --history``.

    Attributes
    ----------
    epoch : int
    height : int
        First block of the epoch: the retarget block. [blocks]
    time_s : int or None
        That block's time: its stored timestamp, else estimated from the daily block counts
        (linear within the day the running height reached it, within about two hours);
        None after the stored data. [Unix s]
    time_iso : str or None
        The same in ISO-8601 UTC.
    time_source : str or None
        ``"block"`` (stored timestamp) or ``"daily rows"`` (estimate).
    date : str or None
        Its UTC day.
    bits_hex : str
        Compact target of the epoch.
    difficulty : float
        [unitless]
    difficulty_t : float
        The same in T (10**12). [T]
    change_pct : float or None
        Against the previous epoch (None for epoch 0). [%]
    mean_block_time_s : float or None
        Mean interval over the epoch's 2015 measured intervals. [s]
    mean_block_time_source : str or None
        ``"blocks"`` (stored timestamps), ``"retarget rule"`` (the next target) or None.
    note : str or None
        Why a figure is missing.
    """

    epoch: int
    height: int
    time_s: int | None
    time_iso: str | None
    time_source: str | None
    date: str | None
    bits_hex: str
    difficulty: float
    difficulty_t: float
    change_pct: float | None
    mean_block_time_s: float | None
    mean_block_time_source: str | None
    note: str | None


def implied_span_s(bits: int, next_bits: int, *, params: ChainParams = MAINNET) -> float | None:
    """The span (last minus first block time) the retarget rule measured for an epoch.

    Parameters
    ----------
    bits, next_bits : int
        Compact targets of the epoch and of the next one. [compact]
    params : ChainParams

    Returns
    -------
    float or None
        ``T * target_next / target``; None when the next target is at the pow limit or
        the span is at a clamp (T/4 or 4T), where the true span is only bounded. [s]
    """
    t_now = target_from_bits(bits)
    t_next = target_from_bits(next_bits)
    # a target capped at the limit is stored as the limit's compact form (mantissa truncated)
    capped = target_from_bits(bits_from_target(params.pow_limit))
    if t_next >= capped or t_next == 0 or t_now == 0:
        return None
    timespan = params.pow_target_timespan_s
    span = timespan * (t_next / t_now)
    if span <= timespan / 4 * (1 + 2**-14) or span >= timespan * 4 * (1 - 2**-14):
        return None
    return float(span)


def retarget_rows(
    bits: Sequence[int],
    *,
    first_block_time_s: Mapping[int, int],
    last_block_time_s: Mapping[int, int],
    day_start_s: ArrayLike,
    height_at_end_of_day: ArrayLike,
    params: ChainParams = MAINNET,
) -> list[Retarget]:
    """One row per stored epoch.

    Parameters
    ----------
    bits : sequence of int
        Compact target of epochs 0, 1, 2 ... (contiguous). [compact]
    first_block_time_s, last_block_time_s : mapping of int to int
        Epoch -> timestamp of its first / last block, where stored. [Unix s]
        Elsewhere the first block's time is estimated from the daily rows.
    day_start_s : array_like
        00:00:00Z of consecutive days of daily rows (may be empty). [Unix s]
    height_at_end_of_day : array_like
        The last height mined by each day's end
        (:func:`minerscope.analytics.daily.height_at_end_of_day`). [blocks]
    params : ChainParams

    Returns
    -------
    list of Retarget
    """
    days = np.asarray(day_start_s, dtype=np.int64)
    heod = np.asarray(height_at_end_of_day, dtype=float)
    if len(heod):
        heod = np.maximum.accumulate(np.nan_to_num(heod, nan=-1.0))
    interval = params.difficulty_adjustment_interval
    out = []
    for e, b in enumerate(bits):
        h = e * interval
        d = difficulty_from_bits(b)
        prev = difficulty_from_bits(bits[e - 1]) if e > 0 else None
        time_s = first_block_time_s.get(e)
        source: str | None = "block" if time_s is not None else None
        if time_s is None and len(heod) and heod[-1] >= h:
            # the day the running height reached h, and h's place among that day's blocks
            i = int(np.searchsorted(heod, h, side="left"))
            before = heod[i - 1] if i > 0 else -1.0  # the height at the previous day's end
            share = min(max((h - before) / max(heod[i] - before, 1.0), 0.0), 1.0)
            time_s = int(days[i]) + min(round(share * SECONDS_PER_DAY), SECONDS_PER_DAY - 1)
            source = "daily rows"
        date = None if time_s is None else str(np.datetime64(time_s, "s").astype("datetime64[D]"))
        mean: float | None = None
        mean_source: str | None = None
        note: str | None = None
        if e in first_block_time_s and e in last_block_time_s:
            mean = (last_block_time_s[e] - first_block_time_s[e]) / (interval - 1)
            mean_source = "blocks"
        elif e + 1 < len(bits):
            span = implied_span_s(b, bits[e + 1], params=params)
            if span is None:
                note = "next target at the pow limit or the span at a clamp: only bounded"
            else:
                mean, mean_source = span / (interval - 1), "retarget rule"
        else:
            note = "epoch not finished in the stored data"
        if date is None:
            note = (note + "; " if note else "") + "retarget after the stored blocks and daily rows"
        out.append(
            Retarget(
                epoch=e,
                height=h,
                time_s=time_s,
                time_iso=None if time_s is None else iso_time(time_s),
                time_source=source,
                date=date,
                bits_hex=f"{b:08x}",
                difficulty=d,
                difficulty_t=d / DIFFICULTY_PER_T,
                change_pct=None if prev is None else 100.0 * (d / prev - 1.0),
                mean_block_time_s=mean,
                mean_block_time_source=mean_source,
                note=note,
            )
        )
    return out
