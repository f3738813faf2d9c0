"""Hash rate from daily rows (blocks per UTC day and their mean difficulty), and the
chain height at the end of each day (pure: arrays in, arrays out).

Daily rows are the history before per-block data: Coin Metrics conventions, where
``BlkCnt`` counts blocks timestamped on the day and ``DiffMean`` is their mean difficulty.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..units import SECONDS_PER_DAY
from ._special import gammaincinv
from .hashrate import work_from_difficulty

_MAX_FIRST_OFFSET = 50  # blocks: running daily counts stay this close to the true height
_MAX_OFFSET_STEP = 10  # blocks: the offset moves by at most this between retargets


def daily_hashrate(
    blocks: ArrayLike,
    difficulty: ArrayLike,
    *,
    window_days: int = 1,
    confidence: float = 0.95,
    interval_days: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hash rate per day, or smoothed over a trailing window, with exact intervals.

    Parameters
    ----------
    blocks : array_like
        Blocks per day (consecutive days). [blocks]
    difficulty : array_like
        Mean difficulty of each day's blocks (NaN for days without blocks). [unitless]
    window_days : int
        Trailing window: 1 (the day alone), 7, 30 ... [days]
    confidence : float
        Coverage of the interval. [share]
    interval_days : int, optional
        Compute the interval only for the last ``interval_days`` days (NaN before them):
        views that show the latest days need not invert 6,000 incomplete gammas. [days]

    Returns
    -------
    tuple of ndarray
        ``(estimate_hps, lower_hps, upper_hps)``, NaN until the window is full. [H/s]

    Notes
    -----
    Over the window, ``estimate = sum_d k_d W_d / (n 86400)`` (unbiased for the time
    average) and the count ``sum_d k_d ~ Poisson(H sum_d 86400 / W_d)``, so the Garwood
    interval on the summed count is divided by the exposure ``sum_d 86400 / W_d``
    (RESEARCH.md section 3.3; the work per block ``W = D 2**256 / (target_1 + 1)``).
    A day's work uses its mean difficulty; on retarget days this is exact for the work
    sum and a close approximation for the exposure.
    """
    k = np.asarray(blocks, dtype=float)
    w = work_from_difficulty(difficulty)
    n = int(window_days)
    if n < 1:
        raise ValueError(f"window_days must be >= 1, got {window_days}")
    valid = np.isfinite(w) & (w > 0) & np.isfinite(k)
    safe_w = np.where(valid, w, 1.0)
    work = np.where(valid, k * safe_w, 0.0)
    expo = np.where(valid, SECONDS_PER_DAY / safe_w, 0.0)
    kk = np.where(valid, k, 0.0)

    def roll(x: np.ndarray) -> np.ndarray:
        # direct window sums: a running cumsum would lose today's tiny exposures
        # (1e-19 s/hash) against 2009's (2e-5 s/hash)
        out = np.full(len(x), np.nan)
        if len(x) >= n:
            out[n - 1 :] = np.lib.stride_tricks.sliding_window_view(x, n).sum(axis=1)
        return out

    full = roll(valid.astype(float)) == n  # every day of the window has a row
    k_sum = np.where(full, roll(kk), np.nan)
    work_sum = np.where(full, roll(work), np.nan)
    expo_sum = np.where(full, roll(expo), np.nan)
    a = 1.0 - confidence
    first = 0 if interval_days is None else max(len(k_sum) - int(interval_days), 0)
    lo_c = np.full(len(k_sum), np.nan)
    hi_c = np.full(len(k_sum), np.nan)
    with np.errstate(invalid="ignore"):
        kk_sum = np.nan_to_num(k_sum[first:])
        # Garwood: chi2(q; 2k) / 2 = Gamma(k, 1) quantile (inverse regularized gamma)
        lo_c[first:] = np.where(kk_sum > 0, gammaincinv(np.maximum(kk_sum, 1.0), a / 2), 0.0)
        hi_c[first:] = gammaincinv(kk_sum + 1, 1 - a / 2)
    estimate = work_sum / (n * SECONDS_PER_DAY)
    lower = np.where(np.isfinite(k_sum), lo_c / expo_sum, np.nan)
    upper = np.where(np.isfinite(k_sum), hi_c / expo_sum, np.nan)
    return estimate, lower, upper


def retarget_blocks_on_day(
    blocks_on_day: float, diff_mean: float, diff_old: float, diff_new: float
) -> float | None:
    """Blocks of the new epoch on the day of a retarget, recovered from the day's mean.

    Parameters
    ----------
    blocks_on_day : float
        ``k``, the day's block count. [blocks]
    diff_mean : float
        The day's mean difficulty. [unitless]
    diff_old, diff_new : float
        Difficulty before and after the retarget. [unitless]

    Returns
    -------
    float or None
        ``b = k (Dbar - D_old) / (D_new - D_old)`` (hand derivation: the mean of ``k - b``
        blocks at ``D_old`` and ``b`` at ``D_new``), when it lies strictly inside the day
        (0.5 < b < k - 0.5); else None. On the reference data ``b`` is within 0.0013 of an
        integer on all 452 retarget days it identifies (from 2009-12-30).
    """
    if not (np.isfinite(diff_mean) and blocks_on_day > 0) or diff_new == diff_old:
        return None
    b = blocks_on_day * (diff_mean - diff_old) / (diff_new - diff_old)
    if 0.5 < b < blocks_on_day - 0.5:
        return float(b)
    return None


def height_at_end_of_day(
    blocks: ArrayLike,
    difficulty: ArrayLike,
    epoch_start_heights: ArrayLike,
    epoch_difficulties: ArrayLike,
) -> tuple[np.ndarray, np.ndarray]:
    """Chain height at the end of each day, anchored on retarget days.

    Parameters
    ----------
    blocks : array_like
        Blocks per day, consecutive days from the genesis day 2009-01-03 (so that the
        running count starts at block 0). [blocks]
    difficulty : array_like
        Mean difficulty of each day's blocks. [unitless]
    epoch_start_heights : array_like
        First height of epochs 0, 1, 2 ... [blocks]
    epoch_difficulties : array_like
        Difficulty of those epochs. [unitless]

    Returns
    -------
    tuple of ndarray
        ``(height_eod, anchored)``: the last height mined by the end of each day, and
        whether that day's height was pinned by a retarget (see
        :func:`retarget_blocks_on_day`).

    Notes
    -----
    The running sum of daily counts drifts from the true height by a few blocks (Coin
    Metrics' cumulative BlkCnt minus one is 1 to 4 blocks off the true tip:
    ../shared/data/SOURCES.md). Each retarget day whose mean difficulty lies strictly
    between the two epochs' difficulties gives the exact height at the end of that day
    (``start + b - 1``); the offset found there is carried forward (and back, before the
    first anchor) to the other days.
    """
    k = np.nan_to_num(np.asarray(blocks, dtype=float))
    dm = np.asarray(difficulty, dtype=float)
    starts = np.asarray(epoch_start_heights, dtype=np.int64)
    diffs = np.asarray(epoch_difficulties, dtype=float)
    cum = np.cumsum(k) - 1.0
    offset = np.full(len(k), np.nan)
    anchored = np.zeros(len(k), dtype=bool)
    last_offset: float | None = None
    for e in range(1, len(starts)):
        s = int(starts[e])
        if s > cum[-1] + _MAX_OFFSET_STEP:
            break  # epochs after the data
        i = int(np.searchsorted(cum, s))
        for j in range(max(i - 3, 0), min(i + 4, len(k))):
            b = retarget_blocks_on_day(k[j], dm[j], diffs[e - 1], diffs[e])
            if b is None:
                continue
            off = cum[j] - (s + round(b) - 1)
            # a day whose mean happens to fall between the two difficulties for another
            # reason would imply a jump in the (slowly varying) count offset: skip it
            limit = _MAX_FIRST_OFFSET if last_offset is None else _MAX_OFFSET_STEP
            if abs(off - (last_offset or 0.0)) <= limit:
                offset[j] = off
                anchored[j] = True
                last_offset = off
                break
    # carry the nearest earlier anchor's offset forward; before the first, use the first
    idx = np.where(np.isfinite(offset), np.arange(len(k)), -1)
    last = np.maximum.accumulate(idx)
    filled = np.where(last >= 0, offset[np.maximum(last, 0)], np.nan)
    first = np.flatnonzero(np.isfinite(offset))
    filled = np.where(np.isfinite(filled), filled, offset[first[0]] if len(first) else 0.0)
    return cum - filled, anchored
