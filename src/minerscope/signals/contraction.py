"""The hash-rate contraction study: does negative hash-rate growth precede price gains?

``g(t) = H_S(t) / H_S(t - L) - 1`` on the unbiased daily hash rate smoothed over the last
S days (``H_S(t)`` = summed work of days t-S+1..t over S days); the signal is ``g(t) < 0``;
the outcome is the simple price return from the close of day t to the close of day t + N.
Both ``H_S(t)`` and the close of day t are known at the end of day t, so nothing after t
enters the signal at t.

VanEck ("Mid-December 2025 Bitcoin ChainCheck", M. Sigel and P. Bush; as quoted in
../shared/docs/RESEARCH.md section 3.12) reported, since 2014: after negative 90-day
hash-rate growth, 180-day returns were positive 77 % of the time with an average gain of
72 % (61 % and 48 % when hash rate rose); after a negative 30-day change, 90-day returns
were positive 65 % of the time (54 % otherwise). Their smoothing, window and sampling are
not published.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..analytics.daily import daily_hashrate
from ..results import AsOfInfo, NanFloat, Result
from .inputs import DailyInputs
from .series import forward_return, growth, iso_dates
from .study import DEFAULT_RESAMPLES, QuickStats, StudyStats, event_study, quick_stats

DEFAULT_LOOKBACK_DAYS = 90
DEFAULT_HORIZON_DAYS = 180
DEFAULT_SMOOTHING_DAYS = 30
SENSITIVITY_LOOKBACK_DAYS = (30, 60, 90, 120, 180)
SENSITIVITY_SMOOTHING_DAYS = (1, 7, 14, 30)
SENSITIVITY_HORIZON_DAYS = (30, 90, 180, 365)

#: VanEck's published figures, keyed by (lookback, horizon): claim name -> value.
VANECK_CLAIMS: dict[tuple[int, int], tuple[tuple[str, str, float], ...]] = {
    (90, 180): (
        ("signal hit rate", "signal.hit_rate_share", 0.77),
        ("signal mean return", "signal.mean_return_pct", 72.0),
        ("complement hit rate", "complement.hit_rate_share", 0.61),
        ("complement mean return", "complement.mean_return_pct", 48.0),
    ),
    (30, 90): (
        ("signal hit rate", "signal.hit_rate_share", 0.65),
        ("complement hit rate", "complement.hit_rate_share", 0.54),
    ),
}
VANECK_SOURCE = (
    "VanEck, 'Mid-December 2025 Bitcoin ChainCheck' (M. Sigel, P. Bush), sample since 2014,"
    " as quoted by news summaries (RESEARCH.md section 3.12); smoothing and sampling not"
    " published"
)


@dataclass(frozen=True)
class PublishedClaim:
    """A published figure against our estimate and interval.

    Attributes
    ----------
    claim : str
    source : str
    published : float
        The published value (shares for hit rates, % for returns).
    ours : float
        Our point estimate, same unit.
    ours_lower, ours_upper : float
        Our bootstrap interval, same unit.
    inside : bool
        Whether the published value lies inside our interval.
    """

    claim: str
    source: str
    published: float
    ours: NanFloat
    ours_lower: NanFloat
    ours_upper: NanFloat
    inside: bool


@dataclass(frozen=True)
class SensitivityRow:
    """One combination of lookback, smoothing and horizon.

    Attributes
    ----------
    lookback_days, smoothing_days, horizon_days : int
        [days]
    stats : QuickStats
    """

    lookback_days: int
    smoothing_days: int
    horizon_days: int
    stats: QuickStats


@dataclass(frozen=True)
class Sensitivity:
    """The study over a grid of parameters, and how many were tried.

    Attributes
    ----------
    combinations_tried : int
        [count]
    significant_at_5pct : int
        Combinations whose hit-rate p-value is below 0.05. [count]
    expected_by_chance : float
        ``0.05 * combinations_tried``: what pure chance would give if the combinations
        were independent (they are not: neighbours share most of their data). [count]
    rows : tuple of SensitivityRow
    """

    combinations_tried: int
    significant_at_5pct: int
    expected_by_chance: float
    rows: tuple[SensitivityRow, ...]


@dataclass(frozen=True)
class ContractionStudy(Result):
    """``minerscope study contraction``: hash-rate contraction against forward returns.

    Attributes
    ----------
    as_of : AsOfInfo
    definition : str
    lookback_days, horizon_days, smoothing_days : int
        L, N and S. [days]
    from_date, to_date : str
        First and last signal day allowed (forward returns may reach past ``to_date``).
    btc_price_source : str
    stats : StudyStats
    published : tuple of PublishedClaim
        VanEck's figures for this (L, N), when they published one.
    sensitivity : Sensitivity or None
    notes : tuple of str
    """

    DOCUMENT = "study_contraction"

    as_of: AsOfInfo
    definition: str
    lookback_days: int
    horizon_days: int
    smoothing_days: int
    from_date: str
    to_date: str
    btc_price_source: str
    stats: StudyStats
    published: tuple[PublishedClaim, ...]
    sensitivity: Sensitivity | None
    notes: tuple[str, ...]


def contraction_signal(
    blocks: ArrayLike, difficulty: ArrayLike, *, smoothing_days: int, lookback_days: int
) -> tuple[np.ndarray, np.ndarray]:
    """Hash-rate growth over the lookback and the contraction signal.

    Parameters
    ----------
    blocks : array_like
        Blocks per consecutive day. [blocks]
    difficulty : array_like
        Mean difficulty of each day's blocks. [unitless]
    smoothing_days : int
        S, the trailing window of the hash rate. [days]
    lookback_days : int
        L. [days]

    Returns
    -------
    tuple of ndarray
        ``(growth_share, signal)``: ``g(t)`` [share] and 1.0 where ``g < 0``, 0.0 where
        ``g >= 0``, NaN where g is not defined.
    """
    h, _, _ = daily_hashrate(blocks, difficulty, window_days=smoothing_days)
    g = growth(h, lookback_days)
    sig = np.where(np.isfinite(g), (g < 0).astype(float), np.nan)
    return g, sig


def _restrict(signal: np.ndarray, first: int, last: int) -> np.ndarray:
    out = np.full(len(signal), np.nan)
    out[first : last + 1] = signal[first : last + 1]
    return out


def _get(stats: StudyStats, path: str) -> tuple[float, float, float]:
    group_name, field = path.split(".")
    group = getattr(stats, group_name)
    base = field.removesuffix("_share").removesuffix("_pct")
    unit = "_share" if field.endswith("_share") else "_pct"
    return (
        float(getattr(group, field)),
        float(getattr(group, f"{base}_lower{unit}")),
        float(getattr(group, f"{base}_upper{unit}")),
    )


def compare_published(
    stats: StudyStats, claims: tuple[tuple[str, str, float], ...], source: str
) -> tuple[PublishedClaim, ...]:
    """Each published figure against our estimate and bootstrap interval.

    Parameters
    ----------
    stats : StudyStats
    claims : tuple
        ``(name, "group.field", value)`` triples.
    source : str

    Returns
    -------
    tuple of PublishedClaim
    """
    out = []
    for name, path, value in claims:
        ours, lo, hi = _get(stats, path)
        inside = math.isfinite(lo) and lo <= value <= hi
        out.append(PublishedClaim(name, source, value, ours, lo, hi, inside))
    return tuple(out)


def sensitivity_table(
    blocks: ArrayLike,
    difficulty: ArrayLike,
    price: ArrayLike,
    *,
    first: int,
    last: int,
    lookbacks: tuple[int, ...] = SENSITIVITY_LOOKBACK_DAYS,
    smoothings: tuple[int, ...] = SENSITIVITY_SMOOTHING_DAYS,
    horizons: tuple[int, ...] = SENSITIVITY_HORIZON_DAYS,
) -> Sensitivity:
    """The study without bootstrap for every (L, S, N) of a grid.

    Parameters
    ----------
    blocks, difficulty : array_like
        Daily rows (see :func:`contraction_signal`).
    price : array_like
        Daily close. [USD/BTC]
    first, last : int
        Positions of the first and last signal day allowed.
    lookbacks, smoothings, horizons : tuple of int
        The grid. [days]

    Returns
    -------
    Sensitivity
    """
    rets = {n: forward_return(price, n) for n in horizons}
    hs = {s: daily_hashrate(blocks, difficulty, window_days=s)[0] for s in smoothings}
    rows = []
    for lb in lookbacks:
        for sm in smoothings:
            g = growth(hs[sm], lb)
            sig = _restrict(np.where(np.isfinite(g), (g < 0).astype(float), np.nan), first, last)
            for hz in horizons:
                rows.append(SensitivityRow(lb, sm, hz, quick_stats(sig, rets[hz], horizon_days=hz)))
    significant = sum(
        1
        for r in rows
        if math.isfinite(r.stats.hit_rate_p_value) and r.stats.hit_rate_p_value < 0.05
    )
    return Sensitivity(len(rows), significant, 0.05 * len(rows), tuple(rows))


def contraction_study(
    inputs: DailyInputs,
    *,
    as_of: AsOfInfo,
    first: int,
    last: int,
    rng: np.random.Generator,
    lookback_days: int = DEFAULT_LOOKBACK_DAYS,
    horizon_days: int = DEFAULT_HORIZON_DAYS,
    smoothing_days: int = DEFAULT_SMOOTHING_DAYS,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int | None = None,
    with_sensitivity: bool = True,
) -> ContractionStudy:
    """The contraction study on daily rows and closes.

    Parameters
    ----------
    inputs : DailyInputs
        Consecutive days from the first stored day (the smoothing and lookback reach back
        before ``first``; the forward returns reach past ``last``).
    as_of : AsOfInfo
        What data the study saw.
    first, last : int
        Positions of the first and last day allowed as a signal day.
    rng : numpy.random.Generator
        Seeded generator (bootstrap).
    lookback_days, horizon_days, smoothing_days : int
        L, N, S. [days]
    resamples : int
        Bootstrap resamples.
    seed : int, optional
        Recorded in the output.
    with_sensitivity : bool
        Also compute the sensitivity grid.

    Returns
    -------
    ContractionStudy

    Raises
    ------
    ValueError
        When no day in ``first..last`` has a known signal and forward return.
    """
    days = iso_dates(inputs.day_start_s[[first, last]])
    g, sig = contraction_signal(
        inputs.blocks, inputs.difficulty, smoothing_days=smoothing_days,
        lookback_days=lookback_days,
    )  # fmt: skip
    sig = _restrict(sig, first, last)
    rets = forward_return(inputs.price_usd, horizon_days)
    stats = event_study(
        sig, rets, inputs.day_start_s, inputs.era, horizon_days=horizon_days, rng=rng,
        resamples=resamples, seed=seed,
    )  # fmt: skip
    claims = VANECK_CLAIMS.get((lookback_days, horizon_days), ())
    published = compare_published(stats, claims, VANECK_SOURCE) if claims else ()
    sens = (
        sensitivity_table(inputs.blocks, inputs.difficulty, inputs.price_usd, first=first,
                          last=last)
        if with_sensitivity
        else None
    )  # fmt: skip
    definition = (
        f"g(t) = H_{smoothing_days}(t) / H_{smoothing_days}(t - {lookback_days}) - 1, H_S the"
        f" unbiased daily hash rate averaged over the last {smoothing_days} days; signal:"
        f" g(t) < 0; outcome: close(t + {horizon_days}) / close(t) - 1, entered at the close"
        " of day t (when the signal is known)"
    )
    notes = [
        f"{stats.signal.days} signal days are {stats.signal.episodes} episodes and"
        f" {stats.signal.non_overlapping_windows} non-overlapping {horizon_days}-day windows",
        "intervals: stationary block bootstrap of the days (pairs of signal and outcome),"
        f" mean block {stats.bootstrap.mean_block_days:g} days",
    ]
    return ContractionStudy(
        as_of=as_of,
        definition=definition,
        lookback_days=lookback_days,
        horizon_days=horizon_days,
        smoothing_days=smoothing_days,
        from_date=days[0],
        to_date=days[1],
        btc_price_source=inputs.price_source,
        stats=stats,
        published=published,
        sensitivity=sens,
        notes=tuple(notes),
    )
