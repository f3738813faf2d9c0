"""Hash-rate drawdown from its peak, with an interval that accounts for Poisson noise and
for the upward bias of taking the maximum of a noisy series (pure; seeded rng passed in).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..units import SECONDS_PER_DAY
from .hashrate import work_from_difficulty


@dataclass(frozen=True)
class Drawdown:
    """Smoothed hash rate now against its peak over a lookback.

    Attributes
    ----------
    now_hps, peak_hps : float
        Smoothed hash rate on the last day and its maximum over the lookback. [H/s]
    peak_index : int
        Position of the peak day in the input arrays.
    ratio_share : float
        ``now / peak`` as observed. [share]
    ratio_corrected_share : float
        Bias-corrected ratio (the max of a noisy series overstates the true peak). [share]
    lower_share, upper_share : float
        ``confidence`` interval of the ratio (basic parametric bootstrap). [share]
    confidence : float
        [share]
    smoothing_days, lookback_days : int
        [days]
    """

    now_hps: float
    peak_hps: float
    peak_index: int
    ratio_share: float
    ratio_corrected_share: float
    lower_share: float
    upper_share: float
    confidence: float
    smoothing_days: int
    lookback_days: int


def _smooth(counts: np.ndarray, work: np.ndarray, w: int) -> np.ndarray:
    """Trailing ``w``-day time-average hash rate: sum(k W) / (w 86400), last axis. [H/s]"""
    x = counts * work
    c = np.cumsum(x, axis=-1)
    pad = np.zeros((*x.shape[:-1], 1))
    c = np.concatenate((pad, c), axis=-1)
    out: np.ndarray = (c[..., w:] - c[..., :-w]) / (w * SECONDS_PER_DAY)
    return out


def hashrate_drawdown(
    blocks: ArrayLike,
    difficulty: ArrayLike,
    *,
    rng: np.random.Generator,
    smoothing_days: int = 7,
    lookback_days: int = 90,
    confidence: float = 0.95,
    draws: int = 4000,
) -> Drawdown:
    """Drawdown of the smoothed hash rate from its peak over the lookback.

    Parameters
    ----------
    blocks : array_like
        Blocks per day for consecutive days ending at the last complete day; at least
        ``lookback_days + smoothing_days - 1`` days. [blocks]
    difficulty : array_like
        Mean difficulty of each day's blocks. [unitless]
    rng : numpy.random.Generator
        Seeded generator.
    smoothing_days : int
        Trailing smoothing window. [days]
    lookback_days : int
        Days over which the peak is taken (the last day included). [days]
    confidence : float
        Interval coverage. [share]
    draws : int
        Bootstrap draws.

    Returns
    -------
    Drawdown

    Notes
    -----
    The observed ratio (smoothed now over the maximum of the smoothed series) is biased
    low: the maximum of a noisy series overstates the true peak. Parametric bootstrap
    with the observed counts as the truth (plug-in): each day's count is redrawn as
    Poisson(k_d) and the ratio recomputed. With ``r`` observed and ``r*`` the draws, the
    corrected ratio is ``2 r - mean(r*)`` and the interval ``[2 r - q_hi(r*),
    2 r - q_lo(r*)]`` (basic bootstrap; Davison and Hinkley 1997, section 5.2), capped at
    1. Simulated coverage of the nominal 95 % interval (docs/analytics.md): 92 % on a
    trend, 91 % on a bump, but 72 % when the truth is flat (ratio 1, a boundary) and
    69 % after a sharp step; the correction removes most of the bias in every case.
    """
    k = np.asarray(blocks, dtype=float)
    w = work_from_difficulty(difficulty)
    need = lookback_days + smoothing_days - 1
    if len(k) < need:
        raise ValueError(f"need {need} days of rows, got {len(k)}")
    k, w = k[-need:], w[-need:]
    if not np.all(np.isfinite(w)):
        raise ValueError("difficulty missing on a day in the window")
    smooth = _smooth(k, w, smoothing_days)  # length lookback_days
    peak_i = int(np.argmax(smooth))
    ratio = float(smooth[-1] / smooth[peak_i])
    sim = rng.poisson(k, size=(draws, need)).astype(float)
    s_sim = _smooth(sim, w, smoothing_days)
    r_sim = s_sim[:, -1] / s_sim.max(axis=1)
    a = 1.0 - confidence
    q_lo, q_hi = np.quantile(r_sim, [a / 2, 1 - a / 2])
    corrected = min(2 * ratio - float(np.mean(r_sim)), 1.0)
    return Drawdown(
        now_hps=float(smooth[-1]),
        peak_hps=float(smooth[peak_i]),
        peak_index=peak_i + smoothing_days - 1 + (len(np.asarray(blocks)) - need),
        ratio_share=ratio,
        ratio_corrected_share=corrected,
        lower_share=min(2 * ratio - float(q_hi), 1.0),
        upper_share=min(2 * ratio - float(q_lo), 1.0),
        confidence=confidence,
        smoothing_days=smoothing_days,
        lookback_days=lookback_days,
    )
