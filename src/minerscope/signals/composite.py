"""The minerscope composite score: an open 0-100 reading built only from our own signals and
the MVRV ratio, with every component and weight shown (pure; seeded rng for its backtest).

It is **ours, not CryptoQuant's**. CryptoQuant's Bull Score Index (0-100 from ten binary
on-chain and market metrics; "a score of 60 or more for major rallies, 40 or less in a bear
market") is a closed composite whose inputs and weights are not published (RESEARCH.md
section 1.5). This score borrows only the idea of adding up binary readings:

======================  ==========================================================  ======
component               reads 1 (healthy) when                                      weight
======================  ==========================================================  ======
hashrate_growth         the 30-day mean hash rate is not below its level 90 days    1
                        earlier (no contraction)
hash_ribbons            H30 >= H60 (no miner capitulation)                          1
price_momentum          the 10-day mean close is above the 20-day mean              1
puell                   the Puell multiple is at least 1 (issuance value at or      1
                        above its yearly mean)
difficulty_ribbon       the 9-day mean difficulty is not below the 200-day mean     1
no_capitulation         the 30-day mean hash rate is not in a >10 % drawdown from   1
                        its peak
mvrv                    MVRV (market cap / realised cap, Coin Metrics CapMVRVCur)   1
                        is at least 1
======================  ==========================================================  ======

score = 100 * sum(weight * reading) / sum(weight), defined on days when every component is
known (a component whose data is absent altogether, e.g. MVRV never imported, is left out
and the output says so). The backtest asks whether the score tells anything about the next
N days, with the statistics of the other studies, for score >= 60 and for score <= 40.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..results import AsOfInfo, Result
from .contraction import contraction_signal
from .inputs import DailyInputs
from .miners import difficulty_ribbon, drawdown_series, puell_series
from .ribbons import ribbon_series
from .series import forward_return, iso_dates
from .study import DEFAULT_RESAMPLES, StudyStats, event_study

HIGH_SCORE = 60.0
LOW_SCORE = 40.0
SCORE_BUCKETS = (0.0, 20.0, 40.0, 60.0, 80.0, 100.0)

COMPONENTS: tuple[tuple[str, str, float], ...] = (
    ("hashrate_growth", "30-day mean hash rate not below its level 90 days earlier", 1.0),
    ("hash_ribbons", "H30 >= H60: no miner capitulation", 1.0),
    ("price_momentum", "10-day mean close above the 20-day mean", 1.0),
    ("puell", "Puell multiple >= 1", 1.0),
    ("difficulty_ribbon", "9-day mean difficulty not below the 200-day mean", 1.0),
    ("no_capitulation", "30-day mean hash rate not >10 % below its peak", 1.0),
    ("mvrv", "MVRV ratio >= 1 (market value at or above realised value)", 1.0),
)


@dataclass(frozen=True)
class ComponentSeries:
    """One binary component, per day.

    Attributes
    ----------
    name, description : str
    weight : float
    reading : ndarray
        1.0 healthy, 0.0 not, NaN unknown.
    value : ndarray
        The number behind the reading (growth share, ratio, multiple ...).
    value_name : str
        Its unit-suffixed name.
    """

    name: str
    description: str
    weight: float
    reading: np.ndarray
    value: np.ndarray
    value_name: str


def _binary(condition: np.ndarray, known: np.ndarray) -> np.ndarray:
    return np.where(known, condition.astype(float), np.nan)


def composite_components(inputs: DailyInputs) -> list[ComponentSeries]:
    """The seven components of the score, per day (MVRV dropped when none is stored).

    Parameters
    ----------
    inputs : DailyInputs

    Returns
    -------
    list of ComponentSeries
    """
    g, _ = contraction_signal(inputs.blocks, inputs.difficulty, smoothing_days=30,
                              lookback_days=90)  # fmt: skip
    rib = ribbon_series(inputs.blocks, inputs.difficulty, inputs.price_usd)
    puell = puell_series(inputs.issuance_sat, inputs.price_usd)
    dr = difficulty_ribbon(inputs.difficulty)
    dd = drawdown_series(inputs.blocks, inputs.difficulty)
    mvrv = inputs.mvrv_ratio
    fast, slow = rib.price_fast_usd, rib.price_slow_usd
    with np.errstate(invalid="ignore"):
        gap = rib.h30_hps / rib.h60_hps - 1.0
        momentum = fast / slow - 1.0
        short_long = dr.means[0] / dr.means[-1] - 1.0
    spec = {name: (desc, w) for name, desc, w in COMPONENTS}
    rows = [
        ("hashrate_growth", _binary(g >= 0, np.isfinite(g)), g, "growth_share"),
        ("hash_ribbons", _binary(gap >= 0, np.isfinite(gap)), gap, "h30_over_h60_minus_1_share"),
        ("price_momentum", _binary(momentum > 0, np.isfinite(momentum)), momentum,
         "price_10d_over_20d_minus_1_share"),
        ("puell", _binary(puell >= 1, np.isfinite(puell)), puell, "puell_multiple"),
        ("difficulty_ribbon", _binary(short_long >= 0, np.isfinite(short_long)), short_long,
         "difficulty_9d_over_200d_minus_1_share"),
        ("no_capitulation", np.where(np.isfinite(dd.in_episode), 1.0 - dd.in_episode, np.nan),
         dd.drawdown_share, "drawdown_share"),
        ("mvrv", _binary(mvrv >= 1, np.isfinite(mvrv)), mvrv, "mvrv_ratio"),
    ]  # fmt: skip
    out = []
    for name, reading, value, value_name in rows:
        if name == "mvrv" and not np.isfinite(mvrv).any():
            continue
        desc, weight = spec[name]
        out.append(ComponentSeries(name, desc, weight, reading, value, value_name))
    return out


def composite_score(components: list[ComponentSeries]) -> np.ndarray:
    """Weighted share of healthy readings, 0-100; NaN unless every component is known.

    Parameters
    ----------
    components : list of ComponentSeries

    Returns
    -------
    ndarray
        [0..100]
    """
    readings = np.vstack([c.reading for c in components])
    weights = np.array([c.weight for c in components])[:, None]
    known = np.all(np.isfinite(readings), axis=0)
    score = 100.0 * np.nansum(readings * weights, axis=0) / weights.sum()
    return np.where(known, score, np.nan)


@dataclass(frozen=True)
class ComponentInfo:
    """A component as the documents list it.

    Attributes
    ----------
    name, description : str
    weight_share : float
        Its weight over the sum of the weights used. [share]
    """

    name: str
    description: str
    weight_share: float


@dataclass(frozen=True)
class ScoreBucket:
    """Days whose score falls in ``[lower, upper)`` (the last bucket includes 100).

    Attributes
    ----------
    lower_score, upper_score : float
        [0..100]
    days : int
    hit_rate_share : float
        [share]
    mean_return_pct, median_return_pct : float
        [%]
    """

    lower_score: float
    upper_score: float
    days: int
    hit_rate_share: float
    mean_return_pct: float
    median_return_pct: float


@dataclass(frozen=True)
class CompositeStudy(Result):
    """``minerscope study composite``: does our composite score foretell N-day returns?

    Attributes
    ----------
    as_of : AsOfInfo
    definition : str
    components : tuple of ComponentInfo
    components_missing : tuple of str
    horizon_days : int
        [days]
    from_date, to_date : str
    btc_price_source : str
    latest_date : str
    latest_score : float
        [0..100]
    high : StudyStats
        Days with score >= 60 against the others.
    low : StudyStats
        Days with score <= 40 against the others.
    buckets : tuple of ScoreBucket
    notes : tuple of str
    """

    DOCUMENT = "study_composite"

    as_of: AsOfInfo
    definition: str
    components: tuple[ComponentInfo, ...]
    components_missing: tuple[str, ...]
    horizon_days: int
    from_date: str
    to_date: str
    btc_price_source: str
    latest_date: str
    latest_score: float
    high: StudyStats
    low: StudyStats
    buckets: tuple[ScoreBucket, ...]
    notes: tuple[str, ...]


OURS_NOT_CRYPTOQUANT = (
    "the minerscope composite score is ours, built only from minerscope's own signals and"
    " Coin Metrics' MVRV; it is not CryptoQuant's Bull Score Index, whose inputs and weights"
    " are not published"
)


def component_info(components: list[ComponentSeries]) -> tuple[ComponentInfo, ...]:
    """Names, descriptions and normalised weights of the components used."""
    total = sum(c.weight for c in components)
    return tuple(ComponentInfo(c.name, c.description, c.weight / total) for c in components)


def missing_components(components: list[ComponentSeries]) -> tuple[str, ...]:
    """The components of :data:`COMPONENTS` left out for lack of data."""
    used = {c.name for c in components}
    return tuple(name for name, _, _ in COMPONENTS if name not in used)


def composite_study(
    inputs: DailyInputs,
    *,
    as_of: AsOfInfo,
    first: int,
    last: int,
    rng: np.random.Generator,
    horizon_days: int = 180,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int | None = None,
) -> CompositeStudy:
    """The composite score's backtest: N-day forward returns for high and low scores.

    Parameters
    ----------
    inputs : DailyInputs
    as_of : AsOfInfo
    first, last : int
        Positions of the first and last day allowed as a signal day.
    rng : numpy.random.Generator
    horizon_days : int
        [days]
    resamples : int
    seed : int, optional

    Returns
    -------
    CompositeStudy

    Raises
    ------
    ValueError
        When no day in ``first..last`` has a score and a known forward return.
    """
    comps = composite_components(inputs)
    score = composite_score(comps)
    inside = np.zeros(len(score), dtype=bool)
    inside[first : last + 1] = True
    score_in = np.where(inside, score, np.nan)
    rets = forward_return(inputs.price_usd, horizon_days)
    t, era = inputs.day_start_s, inputs.era
    known = np.isfinite(score_in)
    high_sig = np.where(known, (score_in >= HIGH_SCORE).astype(float), np.nan)
    low_sig = np.where(known, (score_in <= LOW_SCORE).astype(float), np.nan)
    high = event_study(high_sig, rets, t, era, horizon_days=horizon_days, rng=rng,
                       resamples=resamples, seed=seed)  # fmt: skip
    low = event_study(low_sig, rets, t, era, horizon_days=horizon_days, rng=rng,
                      resamples=resamples, seed=seed)  # fmt: skip
    buckets = []
    ok = known & np.isfinite(rets)
    for i, (lo, hi) in enumerate(zip(SCORE_BUCKETS[:-1], SCORE_BUCKETS[1:], strict=True)):
        top = i == len(SCORE_BUCKETS) - 2
        m = ok & (score_in >= lo) & ((score_in <= hi) if top else (score_in < hi))
        r = rets[m]
        buckets.append(
            ScoreBucket(
                lower_score=lo,
                upper_score=hi,
                days=int(m.sum()),
                hit_rate_share=float((r > 0).mean()) if len(r) else math.nan,
                mean_return_pct=100.0 * float(r.mean()) if len(r) else math.nan,
                median_return_pct=100.0 * float(np.median(r)) if len(r) else math.nan,
            )
        )
    days = iso_dates(t[[first, last]])
    finite = np.flatnonzero(np.isfinite(score[: last + 1]))
    latest = int(finite[-1]) if len(finite) else last
    missing = missing_components(comps)
    notes = [OURS_NOT_CRYPTOQUANT]
    if missing:
        notes.append(
            f"left out for lack of data: {', '.join(missing)} (import the MVRV ratio with"
            " `minerscope import mvrv FILE`)"
        )
    return CompositeStudy(
        as_of=as_of,
        definition=(
            "score = 100 * sum(weight * reading) / sum(weight) over binary components (1 ="
            " healthy); high: score >= 60, low: score <= 40 (the cut-offs CryptoQuant quotes"
            " for its own, different index)"
        ),
        components=component_info(comps),
        components_missing=missing,
        horizon_days=horizon_days,
        from_date=days[0],
        to_date=days[1],
        btc_price_source=inputs.price_source,
        latest_date=iso_dates(t[[latest]])[0],
        latest_score=float(score[latest]),
        high=high,
        low=low,
        buckets=tuple(buckets),
        notes=tuple(notes),
    )
