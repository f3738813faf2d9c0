"""Block intervals and blocks per day against the protocol's expectation (pure)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..consensus import MAINNET
from ..units import SECONDS_PER_DAY
from .hashrate import gamma_interval_factors, garwood_count_interval

EXPECTED_BLOCKS_PER_DAY = SECONDS_PER_DAY / MAINNET.pow_target_spacing_s  # 144


@dataclass(frozen=True)
class BlockTimes:
    """Interval statistics over N consecutive intervals.

    Attributes
    ----------
    n_intervals : int
        [blocks]
    mean_interval_s, median_interval_s : float
        Mean (span / N) and median of the N intervals. [s]
    mean_lower_s, mean_upper_s : float
        Exact interval for the expected interval ``1 / rate`` (Gamma). [s]
    confidence : float
        [share]
    """

    n_intervals: int
    mean_interval_s: float
    median_interval_s: float
    mean_lower_s: float
    mean_upper_s: float
    confidence: float


@dataclass(frozen=True)
class BlocksPerDay:
    """Blocks observed in a time window against 144 per day.

    Attributes
    ----------
    days : float
        Window length. [days]
    blocks : int
        Blocks observed. [blocks]
    observed_per_day, lower_per_day, upper_per_day : float
        Rate and its exact (Garwood) interval. [blocks/day]
    expected_per_day : float
        144 (one block per 600 s). [blocks/day]
    """

    days: float
    blocks: int
    observed_per_day: float
    lower_per_day: float
    upper_per_day: float
    expected_per_day: float
    confidence: float


def block_interval_stats(times_s: ArrayLike, *, confidence: float = 0.95) -> BlockTimes:
    """Mean and median interval of consecutive blocks.

    Parameters
    ----------
    times_s : array_like
        Times of N + 1 consecutive blocks (height order). [Unix s]
    confidence : float
        [share]

    Notes
    -----
    Intervals are exponential with rate ``lambda``: ``lambda * span ~ Gamma(N, 1)``, so the
    expected interval ``1 / lambda`` lies in ``[span / G^-1(1-a/2; N), span / G^-1(a/2; N)]``.
    The median of exponential intervals is ``ln 2`` (0.693) times their mean, so a median
    near 416 s is what 600 s blocks look like. Intervals use timestamps, which miners
    may set up to two hours off; negative intervals are kept (they cancel in the mean).
    """
    t = np.asarray(times_s, dtype=float)
    n = len(t) - 1
    if n < 1:
        raise ValueError("need at least two blocks")
    span = float(t[-1] - t[0])
    lo_f, hi_f = gamma_interval_factors(n, confidence)
    return BlockTimes(
        n_intervals=n,
        mean_interval_s=span / n,
        median_interval_s=float(np.median(np.diff(t))),
        mean_lower_s=span / hi_f,
        mean_upper_s=span / lo_f,
        confidence=confidence,
    )


def blocks_per_day(blocks: int, days: float, *, confidence: float = 0.95) -> BlocksPerDay:
    """Observed blocks per day over a window, with Garwood's exact interval.

    Parameters
    ----------
    blocks : int
        Blocks found in the window. [blocks]
    days : float
        Window length. [days]
    confidence : float
        [share]
    """
    lo, hi = garwood_count_interval(blocks, confidence)
    return BlocksPerDay(
        days=days,
        blocks=blocks,
        observed_per_day=blocks / days,
        lower_per_day=lo / days,
        upper_per_day=hi / days,
        expected_per_day=EXPECTED_BLOCKS_PER_DAY,
        confidence=confidence,
    )
