"""The event-study engine every signal study shares (pure; seeded rng passed in).

A study compares the N-day forward returns of the days a signal holds with those of the
other days and of all days, and says how much evidence there really is:

- per group: days, hit rate (share of positive forward returns), mean and median return;
- how few independent observations those days are: the episodes (runs of consecutive
  signal days) and the non-overlapping N-day windows (greedy: a window starts only once
  the last one has ended), with the hit rate of those windows and its Wilson interval;
- 95 % intervals from a stationary block bootstrap (mean block at least the horizon);
- a circular-shift test of the signal's hit rate (and mean return) against the
  unconditional one, with its p-value;
- the same figures per halving era (without bootstrap: a few episodes each).

See :mod:`minerscope.signals.stats` for the methods and their references.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..results import NanFloat
from .series import iso_dates, non_overlapping, runs
from .stats import (
    bootstrap_group_stats,
    circular_shift_test,
    percentile_interval,
    wilson_interval,
)

NAN = math.nan
DEFAULT_RESAMPLES = 2_000
DEFAULT_CONFIDENCE = 0.95
#: Subsidy per block of each halving era. [BTC]
ERA_SUBSIDY_BTC = (50.0, 25.0, 12.5, 6.25, 3.125, 1.5625, 0.78125)


@dataclass(frozen=True)
class GroupStats:
    """Forward returns of one group of days (signal days, the other days or all days).

    Attributes
    ----------
    days : int
        Days in the group. [days]
    hit_rate_share : float
        Share of the days whose forward return is positive. [share]
    hit_rate_lower_share, hit_rate_upper_share : float
        Stationary-bootstrap interval (NaN in the era breakdown). [share]
    mean_return_pct, median_return_pct : float
        Of the forward returns. [%]
    mean_return_lower_pct, mean_return_upper_pct : float
        Bootstrap interval of the mean (NaN in the era breakdown). [%]
    median_return_lower_pct, median_return_upper_pct : float
        Bootstrap interval of the median (NaN in the era breakdown). [%]
    episodes : int
        Runs of consecutive days of the group. [count]
    non_overlapping_windows : int
        Greedy count of the group's days whose N-day windows do not overlap. [count]
    non_overlapping_hit_rate_share : float
        Hit rate of those windows alone. [share]
    non_overlapping_hit_rate_lower_share, non_overlapping_hit_rate_upper_share : float
        Wilson interval of that hit rate (the windows treated as independent). [share]
    """

    days: int
    hit_rate_share: NanFloat
    hit_rate_lower_share: NanFloat
    hit_rate_upper_share: NanFloat
    mean_return_pct: NanFloat
    mean_return_lower_pct: NanFloat
    mean_return_upper_pct: NanFloat
    median_return_pct: NanFloat
    median_return_lower_pct: NanFloat
    median_return_upper_pct: NanFloat
    episodes: int
    non_overlapping_windows: int
    non_overlapping_hit_rate_share: NanFloat
    non_overlapping_hit_rate_lower_share: NanFloat
    non_overlapping_hit_rate_upper_share: NanFloat


@dataclass(frozen=True)
class DifferenceTest:
    """The signal group against all days: observed difference, interval, p-value.

    Attributes
    ----------
    statistic : str
        What is compared.
    observed : float
        Signal group minus all days (hit rate: share; mean return: fraction). [share]
    observed_lower, observed_upper : float
        Stationary-bootstrap interval of the difference. [share]
    p_value : float
        Two-sided circular-shift p-value. [share]
    shifts : int
        Circular shifts in the null distribution. [count]
    null_lower, null_upper : float
        Central 95 % range of the difference under the shifts. [share]
    method : str
    """

    statistic: str
    observed: NanFloat
    observed_lower: NanFloat
    observed_upper: NanFloat
    p_value: NanFloat
    shifts: int
    null_lower: NanFloat
    null_upper: NanFloat
    method: str


@dataclass(frozen=True)
class EraStats:
    """One halving era of the sample.

    Attributes
    ----------
    era : int
        0 = 50 BTC subsidy, 1 = 25 BTC, 2 = 12.5 BTC, 3 = 6.25 BTC, 4 = 3.125 BTC.
    subsidy_btc : float
        Block subsidy of the era. [BTC]
    first_date, last_date : str
        Of the sample days in the era.
    signal, complement : GroupStats
        Without bootstrap intervals.
    """

    era: int
    subsidy_btc: float
    first_date: str
    last_date: str
    signal: GroupStats
    complement: GroupStats


@dataclass(frozen=True)
class BootstrapInfo:
    """How the intervals were computed.

    Attributes
    ----------
    resamples : int
    mean_block_days : float
        Mean block length (at least the horizon). [days]
    confidence_share : float
        [share]
    seed : int or None
        Seed of the generator, when the caller gave one.
    empty_signal_resamples_share : float
        Resamples without a single signal day (left out of the signal's intervals). [share]
    method : str
    """

    resamples: int
    mean_block_days: float
    confidence_share: float
    seed: int | None
    empty_signal_resamples_share: float
    method: str


@dataclass(frozen=True)
class StudyStats:
    """The statistics of one study: groups, tests, bootstrap settings and eras.

    Attributes
    ----------
    horizon_days : int
        Forward-return horizon N. [days]
    first_date, last_date : str
        First and last day of the sample (days with a known signal and forward return).
    sample_days : int
        [days]
    signal, complement, unconditional : GroupStats
        Signal days, the other days, all days.
    hit_rate_test, mean_return_test : DifferenceTest
        Signal group against all days.
    bootstrap : BootstrapInfo
    eras : tuple of EraStats
    """

    horizon_days: int
    first_date: str
    last_date: str
    sample_days: int
    signal: GroupStats
    complement: GroupStats
    unconditional: GroupStats
    hit_rate_test: DifferenceTest
    mean_return_test: DifferenceTest
    bootstrap: BootstrapInfo
    eras: tuple[EraStats, ...]


def _pct(x: float) -> float:
    return 100.0 * x if math.isfinite(x) else NAN


def _group(
    positions: np.ndarray,
    returns: np.ndarray,
    mask: np.ndarray,
    horizon_days: int,
    confidence: float,
    draws: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> GroupStats:
    """Plain statistics of the days where ``mask`` holds (positions: day numbers)."""
    r = returns[mask]
    m = len(r)
    kept = non_overlapping(positions[mask], horizon_days)
    kept_r = returns[np.searchsorted(positions, kept)]
    wins = int((kept_r > 0).sum())
    w_lo, w_hi = wilson_interval(wins, len(kept), confidence)
    # episodes: runs of consecutive calendar days of the group
    ep = len(runs(np.isin(np.arange(positions[0], positions[-1] + 1), positions[mask])))
    ivs = [(NAN, NAN)] * 3
    if draws is not None:
        ivs = [percentile_interval(d, confidence) for d in draws]
    return GroupStats(
        days=m,
        hit_rate_share=float((r > 0).mean()) if m else NAN,
        hit_rate_lower_share=ivs[0][0],
        hit_rate_upper_share=ivs[0][1],
        mean_return_pct=_pct(float(r.mean())) if m else NAN,
        mean_return_lower_pct=_pct(ivs[1][0]),
        mean_return_upper_pct=_pct(ivs[1][1]),
        median_return_pct=_pct(float(np.median(r))) if m else NAN,
        median_return_lower_pct=_pct(ivs[2][0]),
        median_return_upper_pct=_pct(ivs[2][1]),
        episodes=ep if m else 0,
        non_overlapping_windows=len(kept),
        non_overlapping_hit_rate_share=wins / len(kept) if len(kept) else NAN,
        non_overlapping_hit_rate_lower_share=w_lo,
        non_overlapping_hit_rate_upper_share=w_hi,
    )


def _nan_test(statistic: str, observed: float) -> DifferenceTest:
    return DifferenceTest(statistic, observed, NAN, NAN, NAN, 0, NAN, NAN, "not computed")


def sample_mask(signal: ArrayLike, returns: ArrayLike) -> np.ndarray:
    """Days that enter a study: the signal and the forward return both known.

    Parameters
    ----------
    signal : array_like
        1.0 (signal), 0.0 (no signal) or NaN (not yet defined).
    returns : array_like
        Forward returns (NaN where not yet known). [share]

    Returns
    -------
    ndarray of bool
    """
    s = np.asarray(signal, dtype=float)
    r = np.asarray(returns, dtype=float)
    out: np.ndarray = np.isfinite(s) & np.isfinite(r)
    return out


def event_study(
    signal: ArrayLike,
    returns: ArrayLike,
    day_start_s: ArrayLike,
    era: ArrayLike,
    *,
    horizon_days: int,
    rng: np.random.Generator,
    resamples: int = DEFAULT_RESAMPLES,
    mean_block_days: float | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    seed: int | None = None,
) -> StudyStats:
    """Forward returns of signal days against the other days, with honest statistics.

    Parameters
    ----------
    signal : array_like
        One value per consecutive day: 1.0 when the signal holds, 0.0 when not, NaN
        before it is defined.
    returns : array_like
        Forward N-day return of each day (NaN where not known). [share]
    day_start_s : array_like
        00:00:00Z of each day. [Unix s]
    era : array_like of int
        Halving era of each day (see :func:`minerscope.signals.series.halving_era`).
    horizon_days : int
        N, the forward-return horizon. [days]
    rng : numpy.random.Generator
        Seeded generator for the bootstrap.
    resamples : int
        Bootstrap resamples. [count]
    mean_block_days : float, optional
        Mean bootstrap block; raised to ``horizon_days`` when shorter. [days]
    confidence : float
        Interval coverage. [share]
    seed : int, optional
        The seed behind ``rng``, recorded in the result.

    Returns
    -------
    StudyStats

    Raises
    ------
    ValueError
        When no day has both a known signal and a known forward return.

    Notes
    -----
    The sample is every day with both values known (consecutive days in practice; a gap
    is closed up for the bootstrap and the shifts). The circular-shift test uses every lag
    from ``horizon_days`` to ``n - horizon_days``; it needs the signal to hold on some days
    and not on others, and a sample longer than twice the horizon.
    """
    s_all = np.asarray(signal, dtype=float)
    r_all = np.asarray(returns, dtype=float)
    t_all = np.asarray(day_start_s, dtype=np.int64)
    e_all = np.asarray(era, dtype=np.int64)
    mask = sample_mask(s_all, r_all)
    if not mask.any():
        raise ValueError("no day has both a known signal and a known forward return")
    s = s_all[mask] > 0.5
    r = r_all[mask]
    t = t_all[mask]
    e = e_all[mask]
    pos = (t - t[0]) // 86_400
    n = len(s)
    block = float(max(horizon_days, mean_block_days or horizon_days))
    block = min(block, float(n))
    bs = bootstrap_group_stats(s, r, mean_block=block, draws=resamples, rng=rng)
    sig = _group(pos, r, s, horizon_days, confidence,
                 (bs.hit_signal, bs.mean_signal, bs.median_signal))  # fmt: skip
    oth = _group(pos, r, ~s, horizon_days, confidence,
                 (bs.hit_other, bs.mean_other, bs.median_other))  # fmt: skip
    allg = _group(pos, r, np.ones(n, dtype=bool), horizon_days, confidence,
                  (bs.hit_all, bs.mean_all, bs.median_all))  # fmt: skip
    hit_label = "hit rate of the signal days minus the hit rate of all days"
    mean_label = "mean forward return of the signal days minus that of all days"
    method = (
        f"circular shifts of the signal series against the outcomes, lags {horizon_days}"
        f" to {n - horizon_days} days; two-sided"
    )
    obs_hit = sig.hit_rate_share - allg.hit_rate_share if sig.days else NAN
    obs_mean = (sig.mean_return_pct - allg.mean_return_pct) / 100 if sig.days else NAN
    if 0 < sig.days < n and n - 2 * horizon_days + 1 >= 1:
        t_hit, t_mean = circular_shift_test(s, r, min_shift=horizon_days)
        hit_iv = percentile_interval(bs.hit_signal - bs.hit_all, confidence)
        mean_iv = percentile_interval(bs.mean_signal - bs.mean_all, confidence)
        hit_test = DifferenceTest(hit_label, t_hit.observed, hit_iv[0], hit_iv[1],
                                  t_hit.p_value, t_hit.shifts, t_hit.null_lower,
                                  t_hit.null_upper, method)  # fmt: skip
        mean_test = DifferenceTest(mean_label, t_mean.observed, mean_iv[0], mean_iv[1],
                                   t_mean.p_value, t_mean.shifts, t_mean.null_lower,
                                   t_mean.null_upper, method)  # fmt: skip
    else:
        hit_test = _nan_test(hit_label, obs_hit)
        mean_test = _nan_test(mean_label, obs_mean)
    dates = iso_dates(t)
    eras = []
    for k in np.unique(e).tolist():
        em = e == k
        sub_pos = pos[em]
        sub_r = r[em]
        sub_s = s[em]
        eras.append(
            EraStats(
                era=int(k),
                subsidy_btc=ERA_SUBSIDY_BTC[k] if 0 <= k < len(ERA_SUBSIDY_BTC) else NAN,
                first_date=dates[int(np.flatnonzero(em)[0])],
                last_date=dates[int(np.flatnonzero(em)[-1])],
                signal=_group(sub_pos, sub_r, sub_s, horizon_days, confidence),
                complement=_group(sub_pos, sub_r, ~sub_s, horizon_days, confidence),
            )
        )
    return StudyStats(
        horizon_days=int(horizon_days),
        first_date=dates[0],
        last_date=dates[-1],
        sample_days=n,
        signal=sig,
        complement=oth,
        unconditional=allg,
        hit_rate_test=hit_test,
        mean_return_test=mean_test,
        bootstrap=BootstrapInfo(
            resamples=int(resamples),
            mean_block_days=block,
            confidence_share=confidence,
            seed=seed,
            empty_signal_resamples_share=bs.empty_signal_share,
            method="stationary bootstrap (Politis and Romano 1994), percentile intervals",
        ),
        eras=tuple(eras),
    )


@dataclass(frozen=True)
class QuickStats:
    """A study without the bootstrap (one row of a sensitivity table).

    Attributes
    ----------
    signal_days, episodes, non_overlapping_windows : int
        Of the signal group. [count]
    hit_rate_signal_share, hit_rate_complement_share, hit_rate_unconditional_share : float
        [share]
    mean_return_signal_pct, mean_return_complement_pct : float
        [%]
    hit_rate_p_value, mean_return_p_value : float
        Circular-shift p-values (NaN when the test cannot run). [share]
    """

    signal_days: int
    episodes: int
    non_overlapping_windows: int
    hit_rate_signal_share: NanFloat
    hit_rate_complement_share: NanFloat
    hit_rate_unconditional_share: NanFloat
    mean_return_signal_pct: NanFloat
    mean_return_complement_pct: NanFloat
    hit_rate_p_value: NanFloat
    mean_return_p_value: NanFloat


def quick_stats(signal: ArrayLike, returns: ArrayLike, *, horizon_days: int) -> QuickStats:
    """Counts, hit rates, means and circular-shift p-values, without the bootstrap.

    Parameters
    ----------
    signal : array_like
        1.0, 0.0 or NaN per consecutive day.
    returns : array_like
        Forward returns. [share]
    horizon_days : int
        [days]

    Returns
    -------
    QuickStats
    """
    s_all = np.asarray(signal, dtype=float)
    r_all = np.asarray(returns, dtype=float)
    mask = sample_mask(s_all, r_all)
    s = s_all[mask] > 0.5
    r = r_all[mask]
    n = len(s)
    m = int(s.sum())
    idx = np.flatnonzero(s)
    p_hit = p_mean = NAN
    if 0 < m < n and n - 2 * horizon_days + 1 >= 1:
        t_hit, t_mean = circular_shift_test(s, r, min_shift=horizon_days)
        p_hit, p_mean = t_hit.p_value, t_mean.p_value
    return QuickStats(
        signal_days=m,
        episodes=len(runs(s)),
        non_overlapping_windows=len(non_overlapping(idx, horizon_days)),
        hit_rate_signal_share=float((r[s] > 0).mean()) if m else NAN,
        hit_rate_complement_share=float((r[~s] > 0).mean()) if m < n else NAN,
        hit_rate_unconditional_share=float((r > 0).mean()) if n else NAN,
        mean_return_signal_pct=_pct(float(r[s].mean())) if m else NAN,
        mean_return_complement_pct=_pct(float(r[~s].mean())) if m < n else NAN,
        hit_rate_p_value=p_hit,
        mean_return_p_value=p_mean,
    )
