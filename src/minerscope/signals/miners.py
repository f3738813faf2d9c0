"""Miner-stress signals: Puell multiple bands, the difficulty ribbon, hash-rate capitulation
episodes (pure: arrays in, typed results out; every value on day t uses rows up to t).

- **Puell multiple** = the day's issuance value / its 365-day mean
  (:func:`minerscope.economics.indices.puell_multiple`, reused). Bands as CryptoQuant draws
  them: below 0.5 "low" (miners paid far below their yearly average: historically near
  cycle bottoms), above 4 "high", otherwise "neutral" (RESEARCH.md section 3.9).
- **Difficulty ribbon** (W. Woo, 2019): the 9, 14, 25, 40, 60, 90, 128 and 200-day means of the
  daily mean difficulty. It is **inverted** while the 9-day mean is below the 200-day mean
  (difficulty has fallen below its long-run average: miners leaving); its **compression**
  is the coefficient of variation of the eight means (small = the ribbon bunched up).
- **Capitulation episodes**: the S-day mean hash rate falls more than a threshold below its
  running peak. An episode starts the first day the drawdown passes the threshold, has its
  trough at the lowest mean, and ends the first day the mean regains the peak it fell from
  (None while it has not). The depth ``trough / peak - 1`` carries the exact interval of the
  ratio of the two windows' Poisson rates (the S days ending at the trough against the S
  days ending at the peak), conditional on those two days having been picked; picking the
  highest and lowest of a noisy series exaggerates the depth a little (see docs/signals.md).

References
----------
.. [1] D. Puell, "Puell Multiple" (2019); CryptoQuant data guide, Puell Multiple
   (thresholds 4 and 0.5).
.. [2] W. Woo, "Difficulty Ribbon" (2019), TradingView script (9, 14, 25, 40 and 60-day means
   of difficulty); the 90, 128 and 200-day means follow Glassnode's chart of the ribbon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import special

from ..analytics.daily import daily_hashrate
from ..analytics.hashrate import work_from_difficulty
from ..economics.indices import puell_multiple
from ..units import HPS_PER_EHS, SAT_PER_BTC, SECONDS_PER_DAY
from .series import iso_dates, trailing_mean, trailing_sum
from .stats import poisson_ratio_interval

PUELL_LOW = 0.5
PUELL_HIGH = 4.0
DIFFICULTY_RIBBON_DAYS = (9, 14, 25, 40, 60, 90, 128, 200)
CAPITULATION_SMOOTHING_DAYS = 30
CAPITULATION_THRESHOLD_SHARE = 0.10


def puell_series(issuance_sat: ArrayLike, price: ArrayLike) -> np.ndarray:
    """Puell multiple per day (issuance value over its trailing 365-day mean).

    Parameters
    ----------
    issuance_sat : array_like
        Subsidy issued per consecutive day. [sat]
    price : array_like
        Daily close. [USD/BTC]

    Returns
    -------
    ndarray
        NaN until 365 days of issuance value are known. [unitless]
    """
    iss = np.asarray(issuance_sat, dtype=float) / SAT_PER_BTC
    value = pd.Series(iss * np.asarray(price, dtype=float))
    return np.asarray(puell_multiple(value).to_numpy(dtype=float))


def puell_band(value: float) -> str | None:
    """``"low"`` below 0.5, ``"high"`` above 4, else ``"neutral"``; None for NaN.

    Parameters
    ----------
    value : float
        Puell multiple. [unitless]

    Returns
    -------
    str or None
    """
    if not math.isfinite(value):
        return None
    if value < PUELL_LOW:
        return "low"
    if value > PUELL_HIGH:
        return "high"
    return "neutral"


@dataclass(frozen=True)
class DifficultyRibbon:
    """The difficulty ribbon, one value per day.

    Attributes
    ----------
    window_days : tuple of int
        The means' windows. [days]
    means : ndarray
        Shape ``(len(window_days), days)``. [unitless]
    compression_share : ndarray
        Standard deviation of the means over their mean. [share]
    inverted : ndarray
        1.0 while the shortest mean is below the longest, 0.0 otherwise, NaN before the
        longest is defined.
    """

    window_days: tuple[int, ...]
    means: np.ndarray
    compression_share: np.ndarray
    inverted: np.ndarray


def difficulty_ribbon(
    difficulty: ArrayLike, *, window_days: tuple[int, ...] = DIFFICULTY_RIBBON_DAYS
) -> DifficultyRibbon:
    """Means of the daily difficulty over several windows, their compression and inversion.

    Parameters
    ----------
    difficulty : array_like
        Mean difficulty per consecutive day. [unitless]
    window_days : tuple of int
        Ascending windows. [days]

    Returns
    -------
    DifficultyRibbon
    """
    d = np.asarray(difficulty, dtype=float)
    means = np.vstack([trailing_mean(d, w) for w in window_days])
    with np.errstate(invalid="ignore", divide="ignore"):
        compression = means.std(axis=0) / means.mean(axis=0)
    ok = np.isfinite(means[0]) & np.isfinite(means[-1])
    inverted = np.where(ok, (means[0] < means[-1]).astype(float), np.nan)
    return DifficultyRibbon(tuple(window_days), means, compression, inverted)


@dataclass(frozen=True)
class CapitulationEpisode:
    """A fall of the smoothed hash rate beyond the threshold below its running peak.

    Attributes
    ----------
    start_date : str
        First day beyond the threshold.
    peak_date, trough_date : str
    end_date : str or None
        First day back at the peak (None: not yet).
    days : int
        Start to end (or to the last day). [days]
    peak_ehs, trough_ehs : float
        S-day mean hash rate at the peak and the trough. [EH/s]
    depth_pct : float
        ``trough / peak - 1``. [%]
    depth_lower_pct, depth_upper_pct : float
        95 % interval (exact Poisson-ratio interval of the two windows). [%]
    beyond_noise : bool
        The whole interval lies below zero.
    interval_method : str
        Exact when the two S-day windows are disjoint; a normal approximation of the ratio
        of their work sums when the trough comes less than S days after the peak.
    smoothing_days : int
        [days]
    """

    start_date: str
    peak_date: str
    trough_date: str
    end_date: str | None
    days: int
    peak_ehs: float
    trough_ehs: float
    depth_pct: float
    depth_lower_pct: float
    depth_upper_pct: float
    beyond_noise: bool
    interval_method: str
    smoothing_days: int


@dataclass(frozen=True)
class DrawdownSeries:
    """Smoothed hash rate, its running peak and the drawdown, per day.

    Attributes
    ----------
    hashrate_hps, peak_hps : ndarray
        [H/s]
    peak_index : ndarray of int
        Position of the running peak (-1 before defined).
    drawdown_share : ndarray
        ``H / peak - 1`` (<= 0). [share]
    in_episode : ndarray
        1.0 while an episode is under way, 0.0 otherwise, NaN before defined.
    """

    hashrate_hps: np.ndarray
    peak_hps: np.ndarray
    peak_index: np.ndarray
    drawdown_share: np.ndarray
    in_episode: np.ndarray


def drawdown_series(
    blocks: ArrayLike,
    difficulty: ArrayLike,
    *,
    smoothing_days: int = CAPITULATION_SMOOTHING_DAYS,
    threshold_share: float = CAPITULATION_THRESHOLD_SHARE,
) -> DrawdownSeries:
    """The S-day mean hash rate against its running peak, and the episode state.

    Parameters
    ----------
    blocks, difficulty : array_like
        Daily rows. [blocks], [unitless]
    smoothing_days : int
        S. [days]
    threshold_share : float
        Drawdown that starts an episode. [share]

    Returns
    -------
    DrawdownSeries
    """
    h, _, _ = daily_hashrate(blocks, difficulty, window_days=smoothing_days)
    n = len(h)
    peak = np.full(n, np.nan)
    peak_i = np.full(n, -1, dtype=np.int64)
    dd = np.full(n, np.nan)
    state = np.full(n, np.nan)
    best = -math.inf
    best_i = -1
    in_ep = False
    ep_peak = math.inf
    for i in range(n):
        x = h[i]
        if not math.isfinite(x):
            if best_i >= 0:
                state[i] = float(in_ep)
            continue
        if x > best:
            best, best_i = x, i
        peak[i], peak_i[i] = best, best_i
        dd[i] = x / best - 1.0
        if in_ep and x >= ep_peak:
            in_ep = False
        if not in_ep and dd[i] < -threshold_share:
            in_ep, ep_peak = True, best
        state[i] = float(in_ep)
    return DrawdownSeries(h, peak, peak_i, dd, state)


def _overlapping_ratio_interval(
    k: np.ndarray, w: np.ndarray, p: int, t: int, smoothing_days: int, confidence: float
) -> tuple[float, float]:
    """Interval of ``H_S(t) / H_S(p) - 1`` when the two S-day windows share days.

    With ``a``, ``b`` and ``c`` the work sums of the trough window's own days, the peak
    window's own days and the shared days (independent; each day's work ``k_d W_d`` has
    variance ``k_d W_d^2`` with the observed count as the Poisson mean), the ratio is
    ``R = (a + c) / (b + c)`` and by the delta method
    ``Var R / R^2 = V(a+c)/(a+c)^2 + V(b+c)/(b+c)^2 - 2 V(c)/((a+c)(b+c))``.
    """
    s = smoothing_days
    lo_shared, hi_shared = t - s + 1, p  # shared days, inclusive
    x = k * w
    v = k * w * w
    a, va = x[p + 1 : t + 1].sum(), v[p + 1 : t + 1].sum()
    b, vb = x[p - s + 1 : lo_shared].sum(), v[p - s + 1 : lo_shared].sum()
    c, vc = x[lo_shared : hi_shared + 1].sum(), v[lo_shared : hi_shared + 1].sum()
    num, den = a + c, b + c
    r = num / den
    var = r * r * ((va + vc) / num**2 + (vb + vc) / den**2 - 2 * vc / (num * den))
    z = float(-special.ndtri((1.0 - confidence) / 2))
    half = z * math.sqrt(max(float(var), 0.0))
    return float(r - half - 1.0), float(r + half - 1.0)


def capitulation_episodes(
    blocks: ArrayLike,
    difficulty: ArrayLike,
    day_start_s: ArrayLike,
    *,
    smoothing_days: int = CAPITULATION_SMOOTHING_DAYS,
    threshold_share: float = CAPITULATION_THRESHOLD_SHARE,
    confidence: float = 0.95,
) -> list[CapitulationEpisode]:
    """Every capitulation episode of the smoothed hash rate, with the depth's interval.

    Parameters
    ----------
    blocks, difficulty : array_like
        Daily rows. [blocks], [unitless]
    day_start_s : array_like
        [Unix s]
    smoothing_days : int
        S. [days]
    threshold_share : float
        [share]
    confidence : float
        [share]

    Returns
    -------
    list of CapitulationEpisode
    """
    k = np.asarray(blocks, dtype=float)
    ds = drawdown_series(k, difficulty, smoothing_days=smoothing_days,
                         threshold_share=threshold_share)  # fmt: skip
    dates = iso_dates(day_start_s)
    w = work_from_difficulty(difficulty)
    with np.errstate(invalid="ignore", divide="ignore"):
        expo = np.where(np.isfinite(w) & (w > 0), SECONDS_PER_DAY / w, np.nan)
    k_sum = trailing_sum(k, smoothing_days)
    e_sum = trailing_sum(expo, smoothing_days)
    state = np.nan_to_num(ds.in_episode) > 0.5
    d = np.diff(np.concatenate(([0], state.astype(np.int8), [0])))
    out = []
    bounds = zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True)
    for s, e in bounds:  # e: first day after the episode (the recovery day)
        p = int(ds.peak_index[s])
        t = s + int(np.nanargmin(ds.hashrate_hps[s:e]))
        depth = float(ds.hashrate_hps[t] / ds.hashrate_hps[p] - 1.0)
        if t - p >= smoothing_days:  # the two windows are disjoint: exact interval
            _, r_lo, r_hi = poisson_ratio_interval(
                k_sum[t], e_sum[t], k_sum[p], e_sum[p], confidence
            )
            lo, hi = float(r_lo) - 1.0, float(r_hi) - 1.0
            method = "exact (Poisson-rate ratio of the two windows)"
        else:
            lo, hi = _overlapping_ratio_interval(k, w, p, t, smoothing_days, confidence)
            method = "normal approximation (the windows overlap)"
        ended = e < len(dates)
        out.append(
            CapitulationEpisode(
                start_date=dates[s],
                peak_date=dates[p],
                trough_date=dates[t],
                end_date=dates[e] if ended else None,
                days=(e if ended else len(dates) - 1) - s,
                peak_ehs=float(ds.hashrate_hps[p]) / HPS_PER_EHS,
                trough_ehs=float(ds.hashrate_hps[t]) / HPS_PER_EHS,
                depth_pct=100.0 * depth,
                depth_lower_pct=100.0 * lo,
                depth_upper_pct=100.0 * hi,
                beyond_noise=bool(math.isfinite(hi) and hi < 0.0),
                interval_method=method,
                smoothing_days=smoothing_days,
            )
        )
    return out
