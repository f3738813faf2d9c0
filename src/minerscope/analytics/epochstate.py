"""Build the :class:`~minerscope.analytics.projection.EpochState` of a moment from per-block
data, or from daily rows where no block data exists (pure: arrays in, a state out).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..consensus import target_from_bits
from ..units import SECONDS_PER_DAY
from .projection import BLOCKS_PER_EPOCH, MIN_RATE_WINDOW, EpochState


def epoch_state_from_blocks(
    heights: ArrayLike, times_s: ArrayLike, bits: ArrayLike, *, as_of_s: float
) -> EpochState:
    """The state at ``as_of_s`` from consecutive blocks ending at the tip.

    Parameters
    ----------
    heights : array_like
        Consecutive heights, oldest first; the last is the tip. They must reach back to
        the epoch's first block, and to ``tip - 504`` for the early-epoch window. [blocks]
    times_s : array_like
        Block times. [Unix s]
    bits : array_like
        Compact targets of the blocks. [compact]
    as_of_s : float
        The moment (at or after the tip's time; the wait since the tip counts as time
        with no block). [Unix s]

    Returns
    -------
    EpochState
        ``resolution="block"``.

    Notes
    -----
    Rate window: the epoch so far when it has at least 504 intervals, else the last 504
    intervals with each interval's time scaled by ``W_this / W_i = target_i / target_this``
    (the same hash rate would have taken that much longer at this epoch's difficulty).
    """
    h = np.asarray(heights, dtype=np.int64)
    t = np.asarray(times_s, dtype=float)
    b = [int(x) for x in np.asarray(bits, dtype=object)]
    if len(h) == 0 or np.any(np.diff(h) != 1):
        raise ValueError("heights must be consecutive and non-empty")
    tip = int(h[-1])
    epoch = tip // BLOCKS_PER_EPOCH
    start = epoch * BLOCKS_PER_EPOCH
    if start < h[0]:
        raise ValueError(f"blocks start at {int(h[0])}, after the epoch's first block {start}")
    i0 = int(h[0])
    t_start = float(t[start - i0])
    t_tip = float(t[-1])
    n = tip - start
    wait = max(as_of_s - t_tip, 0.0)
    tgt_now = target_from_bits(b[-1])
    prev_change = None
    if start - 1 >= i0:
        prev_change = target_from_bits(b[start - 1 - i0]) / tgt_now - 1.0
    w0 = tip - MIN_RATE_WINDOW
    if n >= MIN_RATE_WINDOW or w0 < i0:
        if n < 1:
            raise ValueError("no interval in this epoch and no earlier blocks to borrow from")
        l_int, exposure, span = n, (t_tip - t_start) + wait, (t_tip - t_start) + wait
    else:
        dt = np.diff(t[w0 - i0 :])
        ratio = np.array([target_from_bits(x) / tgt_now for x in b[w0 - i0 + 1 :]])
        l_int = MIN_RATE_WINDOW
        exposure = float(np.sum(dt * ratio)) + wait
        span = (t_tip - float(t[w0 - i0])) + wait
    mp_start = float(t[tip - 503 - i0]) if n < 503 and tip - 503 >= i0 else None
    return EpochState(
        epoch=epoch,
        bits=b[-1],
        start_time_s=t_start,
        blocks_mined=n + 1,
        as_of_s=max(as_of_s, t_tip),
        tip_time_s=t_tip,
        rate_intervals=l_int,
        rate_exposure_s=exposure,
        rate_span_s=span,
        prev_change_share=prev_change,
        mempool_window_start_s=mp_start,
        resolution="block",
        tip_height=tip,
    )


def interpolate_block_time(
    height: int, day_start_s: np.ndarray, blocks: np.ndarray, height_eod: np.ndarray
) -> tuple[float, float]:
    """Estimated time of a block from daily counts, and the variance of that estimate.

    Parameters
    ----------
    height : int
        The block. [blocks]
    day_start_s : ndarray
        00:00Z of each day. [Unix s]
    blocks : ndarray
        Blocks per day. [blocks]
    height_eod : ndarray
        Last height mined by the end of each day. [blocks]

    Returns
    -------
    tuple of float
        ``(time_s, variance_s2)``. [Unix s], [s^2]

    Notes
    -----
    Given ``k`` Poisson arrivals in a day, their times are uniform order statistics: the
    ``j``-th sits at ``j / (k + 1)`` of the day on average with variance
    ``q (1 - q) / (k + 2)`` days^2, ``q = j / (k + 1)`` (Beta(j, k + 1 - j) moments).
    """
    j = int(np.searchsorted(height_eod, height))  # first day whose end height >= height
    if j >= len(height_eod):
        raise ValueError(f"block {height} is after the last daily row")
    k = float(blocks[j])
    before = float(height_eod[j - 1]) if j > 0 else float(height_eod[j] - k)
    pos = height - before
    q = min(max(pos / (k + 1), 0.0), 1.0)
    return (
        float(day_start_s[j]) + q * SECONDS_PER_DAY,
        SECONDS_PER_DAY**2 * q * (1 - q) / (k + 2),
    )


def epoch_state_from_daily(
    day_start_s: ArrayLike,
    blocks: ArrayLike,
    height_eod: ArrayLike,
    epoch_bits: ArrayLike,
    *,
    day_index: int,
) -> EpochState:
    """The state at the end of one day, from daily block counts.

    Parameters
    ----------
    day_start_s : array_like
        00:00Z of each consecutive day. [Unix s]
    blocks : array_like
        Blocks per day. [blocks]
    height_eod : array_like
        Last height mined by the end of each day
        (:func:`minerscope.analytics.daily.height_at_end_of_day`). [blocks]
    epoch_bits : array_like
        Compact targets of epochs 0, 1, 2 ... [compact]
    day_index : int
        The day; the state is as of its end (the row is known only then).

    Returns
    -------
    EpochState
        ``resolution="daily"``; block times are interpolated within their day and the
        variance this adds to ``log E`` is carried in ``timing_var``.
    """
    ds = np.asarray(day_start_s, dtype=float)
    k = np.nan_to_num(np.asarray(blocks, dtype=float))
    heod = np.asarray(height_eod, dtype=float)
    bits_list = [int(x) for x in np.asarray(epoch_bits, dtype=object)]
    as_of = float(ds[day_index]) + SECONDS_PER_DAY
    tip = int(round(heod[day_index]))
    epoch = tip // BLOCKS_PER_EPOCH
    if epoch >= len(bits_list):
        raise ValueError(f"epoch {epoch} has no stored bits")
    start = epoch * BLOCKS_PER_EPOCH
    t_s, var_s = interpolate_block_time(start, ds, k, heod)
    n = tip - start
    tgt_now = target_from_bits(bits_list[epoch])
    prev_change = None
    ratio = 1.0
    if epoch >= 1:
        ratio = target_from_bits(bits_list[epoch - 1]) / tgt_now
        prev_change = ratio - 1.0
    if n >= MIN_RATE_WINDOW or epoch == 0:
        l_int = max(n, 1)
        exposure = as_of - t_s
        span = exposure
        timing_var = var_s / exposure**2
    else:
        t_w, var_w = interpolate_block_time(tip - MIN_RATE_WINDOW, ds, k, heod)
        l_int = MIN_RATE_WINDOW
        exposure = (as_of - t_s) + (t_s - t_w) * ratio
        span = as_of - t_w
        timing_var = (ratio**2 * var_w + (ratio - 1) ** 2 * var_s) / exposure**2
    mp_start = None
    if n < 503:
        mp_start = interpolate_block_time(tip - 503, ds, k, heod)[0]
    tip_time = interpolate_block_time(tip, ds, k, heod)[0] if n == BLOCKS_PER_EPOCH - 1 else None
    return EpochState(
        epoch=epoch,
        bits=bits_list[epoch],
        start_time_s=t_s,
        blocks_mined=n + 1,
        as_of_s=as_of,
        tip_time_s=tip_time,
        rate_intervals=l_int,
        rate_exposure_s=exposure,
        rate_span_s=span,
        timing_var=timing_var,
        prev_change_share=prev_change,
        mempool_window_start_s=mp_start,
        resolution="daily",
        tip_height=tip,
    )
