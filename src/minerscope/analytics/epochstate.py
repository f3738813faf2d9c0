"""What is known about the current epoch at one moment (:class:`EpochState`), built from
per-block data or from daily rows where no block data exists (pure: arrays in, a state out).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..consensus import MAINNET, target_from_bits
from ..units import SECONDS_PER_DAY

TIMESPAN_S = MAINNET.pow_target_timespan_s  # 1,209,600 s
SPACING_S = MAINNET.pow_target_spacing_s  # 600 s
BLOCKS_PER_EPOCH = MAINNET.difficulty_adjustment_interval  # 2016
INTERVALS_PER_EPOCH = BLOCKS_PER_EPOCH - 1  # the retarget measures 2015 intervals
MIN_RATE_WINDOW = 504  # intervals: mempool's quarter-epoch window (RESEARCH.md 1.1)
MEMPOOL_WINDOW_OFFSET = 503  # mempool's "quarter epoch" block is tip - 503


@dataclass(frozen=True)
class EpochState:
    """What is known about the current epoch at one moment.

    Attributes
    ----------
    epoch : int
        Epoch index (height // 2016).
    bits : int
        The epoch's compact target. [compact]
    start_time_s : float
        Time of the epoch's first block (interpolated within its day at daily
        resolution). [Unix s]
    blocks_mined : int
        Blocks of this epoch mined by ``as_of_s`` (1 .. 2016). [blocks]
    as_of_s : float
        The moment projected from (at or after the tip's time). [Unix s]
    tip_time_s : float or None
        Time of the last block known (None at daily resolution, except at an epoch's last
        block, where it is interpolated). [Unix s]
    rate_intervals : int
        ``L``: intervals in the rate window. [blocks]
    rate_exposure_s : float
        ``E``: the window's time to ``as_of_s``, rescaled to this epoch's difficulty. [s]
    rate_span_s : float
        The window's real length to ``as_of_s``. [s]
    timing_var : float
        Extra variance of ``log E`` from interpolated timestamps (daily resolution). [1]
    prev_change_share : float or None
        The previous retarget's change (``D_this / D_prev - 1``). [share]
    mempool_window_start_s : float or None
        Time of block ``tip - 503`` when ``blocks_mined - 1 < 503`` (mempool's window). [Unix s]
    resolution : str
        ``"block"`` or ``"daily"``.
    tip_height : int
        Last height known. [blocks]
    """

    epoch: int
    bits: int
    start_time_s: float
    blocks_mined: int
    as_of_s: float
    tip_time_s: float | None
    rate_intervals: int
    rate_exposure_s: float
    rate_span_s: float
    timing_var: float = 0.0
    prev_change_share: float | None = None
    mempool_window_start_s: float | None = None
    resolution: str = "block"
    tip_height: int = 0

    @property
    def intervals_observed(self) -> int:
        """``n``: intervals after the epoch's first block. [blocks]"""
        return self.blocks_mined - 1

    @property
    def intervals_remaining(self) -> int:
        """``m = 2015 - n``. [blocks]"""
        return INTERVALS_PER_EPOCH - self.intervals_observed

    @property
    def progress_share(self) -> float:
        """Blocks mined over 2016. [share]"""
        return self.blocks_mined / BLOCKS_PER_EPOCH


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
    if len(t) != len(h) or len(b) != len(h):
        raise ValueError("heights, times_s and bits must have the same length")
    cache: dict[int, float] = {}
    for x in set(b):
        cache[x] = float(target_from_bits(x))
    targets = np.array([cache[x] for x in b])
    return state_from_block_arrays(t, targets, int(h[0]), int(h[-1]), b[-1], as_of_s=as_of_s)


def state_from_block_arrays(
    times_s: np.ndarray,
    targets: np.ndarray,
    first_height: int,
    tip: int,
    tip_bits: int,
    *,
    as_of_s: float,
) -> EpochState:
    """:func:`epoch_state_from_blocks` on arrays indexed by ``height - first_height``.

    Parameters
    ----------
    times_s : ndarray
        Block times from ``first_height`` on (may run past ``tip``). [Unix s]
    targets : ndarray
        The blocks' targets as floats (only ratios are used). [1]
    first_height : int
        Height of element 0. [blocks]
    tip : int
        The last block known at the moment. [blocks]
    tip_bits : int
        The tip's compact target. [compact]
    as_of_s : float
        The moment (at or after the tip's time). [Unix s]

    Returns
    -------
    EpochState
        ``resolution="block"``. The backtest calls this once per projection on the whole
        chain's arrays (no per-block conversion).
    """
    i0 = first_height
    epoch = tip // BLOCKS_PER_EPOCH
    start = epoch * BLOCKS_PER_EPOCH
    if start < i0:
        raise ValueError(f"blocks start at {i0}, after the epoch's first block {start}")
    t_start = float(times_s[start - i0])
    t_tip = float(times_s[tip - i0])
    n = tip - start
    wait = max(as_of_s - t_tip, 0.0)
    tgt_now = float(targets[tip - i0])
    prev_change = None
    if start - 1 >= i0:
        prev_change = float(targets[start - 1 - i0]) / tgt_now - 1.0
    w0 = tip - MIN_RATE_WINDOW
    if n >= MIN_RATE_WINDOW or w0 < i0:
        if n < 1:
            raise ValueError("no interval in this epoch and no earlier blocks to borrow from")
        l_int, exposure, span = n, (t_tip - t_start) + wait, (t_tip - t_start) + wait
    else:
        dt = np.diff(times_s[w0 - i0 : tip - i0 + 1])
        ratio = targets[w0 - i0 + 1 : tip - i0 + 1] / tgt_now
        l_int = MIN_RATE_WINDOW
        exposure = float(np.sum(dt * ratio)) + wait
        span = (t_tip - float(times_s[w0 - i0])) + wait
    back = tip - MEMPOOL_WINDOW_OFFSET
    mp_start = float(times_s[back - i0]) if n < MEMPOOL_WINDOW_OFFSET and back >= i0 else None
    return EpochState(
        epoch=epoch,
        bits=tip_bits,
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
    if n < MEMPOOL_WINDOW_OFFSET:
        mp_start = interpolate_block_time(tip - MEMPOOL_WINDOW_OFFSET, ds, k, heod)[0]
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
