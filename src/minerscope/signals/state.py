"""``minerscope signals``: the state of every signal on a day, when it last changed, and the
changes over a range (pure: the caller passes only the days known at the moment asked).

Each signal is a state per day (a string), computed causally, so the state on the last day
of the inputs, and the day it began, use nothing after that day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..results import AsOfInfo, NanFloat, Result
from ..units import HPS_PER_EHS
from .composite import (
    HIGH_SCORE,
    LOW_SCORE,
    OURS_NOT_CRYPTOQUANT,
    ComponentSeries,
    composite_components,
    composite_score,
    missing_components,
)
from .contraction import contraction_signal
from .inputs import DailyInputs
from .miners import (
    CAPITULATION_SMOOTHING_DAYS,
    CAPITULATION_THRESHOLD_SHARE,
    capitulation_episodes,
    difficulty_ribbon,
    drawdown_series,
    puell_band,
    puell_series,
)
from .ribbons import capitulation_spells, ribbon_series
from .series import iso_dates


@dataclass(frozen=True)
class SignalState:
    """One signal on the day asked about.

    Attributes
    ----------
    name : str
    state : str or None
        None when the signal is not defined on that day.
    since_date : str or None
        First day of the current state (None: it held from the first defined day).
    previous_state : str or None
    values : dict of str to float
        The numbers behind the state, unit-suffixed names.
    dates : dict of str to str or None
        Related dates (last buy, peak, ...).
    beyond_noise : bool or None
        Whether the current state is more than block-finding luck (hash-rate signals).
    rule : str
        When the signal is in which state.
    """

    name: str
    state: str | None
    since_date: str | None
    previous_state: str | None
    values: dict[str, float | None]  # NaN (null) where undefined on the day
    dates: dict[str, str | None]
    beyond_noise: bool | None
    rule: str


@dataclass(frozen=True)
class SignalChange:
    """A change of state (or a buy signal) on a day.

    Attributes
    ----------
    date : str
    signal : str
    from_state : str or None
    to_state : str
    """

    date: str
    signal: str
    from_state: str | None
    to_state: str


@dataclass(frozen=True)
class ComponentReading:
    """One component of the composite score on the day asked.

    Attributes
    ----------
    name, description : str
    weight_share : float
        [share]
    reading : float
        1.0 healthy, 0.0 not, NaN unknown.
    value : float
        The number behind it (its unit is in ``value_name``).
    value_name : str
    """

    name: str
    description: str
    weight_share: float
    reading: NanFloat
    value: NanFloat
    value_name: str


@dataclass(frozen=True)
class CompositeNow:
    """The composite score on the day asked, with every component and weight.

    Attributes
    ----------
    score : float
        [0..100]
    band : str or None
        ``"high"`` (>= 60), ``"low"`` (<= 40) or ``"middle"``.
    components : tuple of ComponentReading
    components_missing : tuple of str
    note : str
    """

    score: NanFloat
    band: str | None
    components: tuple[ComponentReading, ...]
    components_missing: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class SignalsReport(Result):
    """``minerscope signals``: every signal's state at a moment and the changes in a range.

    Attributes
    ----------
    as_of : AsOfInfo
    date : str
        The last complete day used.
    btc_price_source : str
    mvrv_source : str or None
    signals : tuple of SignalState
    composite : CompositeNow
    history_from_date, history_to_date : str
    history : tuple of SignalChange
    notes : tuple of str
    """

    DOCUMENT = "signals"

    as_of: AsOfInfo
    date: str
    btc_price_source: str
    mvrv_source: str | None
    signals: tuple[SignalState, ...]
    composite: CompositeNow
    history_from_date: str
    history_to_date: str
    history: tuple[SignalChange, ...]
    notes: tuple[str, ...] = field(default=())


def _labels(reading: np.ndarray, yes: str, no: str) -> list[str | None]:
    return [None if not math.isfinite(x) else (yes if x > 0.5 else no) for x in reading]


def _since(states: list[str | None], dates: list[str]) -> tuple[str | None, str | None]:
    """First day of the last run of the final state, and the state before it."""
    i = len(states) - 1
    cur = states[i]
    while i > 0 and states[i - 1] == cur:
        i -= 1
    if i == 0:
        return None, None
    return dates[i], states[i - 1]


def _changes(
    name: str, states: list[str | None], dates: list[str], lo: int, hi: int
) -> list[SignalChange]:
    out = []
    for i in range(max(lo, 1), hi + 1):
        if states[i] is not None and states[i - 1] is not None and states[i] != states[i - 1]:
            out.append(SignalChange(dates[i], name, states[i - 1], str(states[i])))
    return out


def _f(x: float) -> float:
    return float(x) if math.isfinite(float(x)) else math.nan


def _band(score: float) -> str | None:
    if not math.isfinite(score):
        return None
    return "high" if score >= HIGH_SCORE else "low" if score <= LOW_SCORE else "middle"


def signals_report(
    inputs: DailyInputs, *, as_of: AsOfInfo, history_first: int, history_last: int
) -> SignalsReport:
    """Every signal's state on the last day of ``inputs`` and its changes in a range.

    Parameters
    ----------
    inputs : DailyInputs
        Consecutive days up to the last complete day known at the moment asked.
    as_of : AsOfInfo
    history_first, history_last : int
        Positions of the first and last day of the history to list.

    Returns
    -------
    SignalsReport
    """
    n = len(inputs)
    if n == 0:
        raise ValueError("no days")
    t = n - 1
    dates = iso_dates(inputs.day_start_s)
    lo, hi = history_first, history_last
    states: dict[str, list[str | None]] = {}
    out: list[SignalState] = []

    g, sig = contraction_signal(inputs.blocks, inputs.difficulty, smoothing_days=30,
                                lookback_days=90)  # fmt: skip
    states["hashrate_contraction"] = _labels(sig, "contracting", "growing")

    rib = ribbon_series(inputs.blocks, inputs.difficulty, inputs.price_usd)
    states["hash_ribbons"] = _labels(rib.capitulating, "capitulation", "recovered")
    with np.errstate(invalid="ignore"):
        mom = np.where(
            np.isfinite(rib.price_fast_usd) & np.isfinite(rib.price_slow_usd),
            (rib.price_fast_usd > rib.price_slow_usd).astype(float),
            np.nan,
        )
    states["price_momentum"] = _labels(mom, "positive", "negative")

    puell = puell_series(inputs.issuance_sat, inputs.price_usd)
    states["puell_multiple"] = [puell_band(float(x)) for x in puell]

    dr = difficulty_ribbon(inputs.difficulty)
    states["difficulty_ribbon"] = _labels(dr.inverted, "inverted", "normal")

    dd = drawdown_series(inputs.blocks, inputs.difficulty)
    states["hashrate_capitulation"] = _labels(dd.in_episode, "capitulating", "normal")

    mvrv = inputs.mvrv_ratio
    with np.errstate(invalid="ignore"):
        mv = np.where(np.isfinite(mvrv), (mvrv >= 1).astype(float), np.nan)
    states["mvrv"] = _labels(mv, "at or above 1", "below 1")

    spells = capitulation_spells(rib, inputs.day_start_s)
    last_spell = spells[-1] if spells else None
    buys = [dates[i] for i in np.flatnonzero(rib.buy)]
    h30, h60 = float(rib.h30_hps[t]), float(rib.h60_hps[t])
    episodes = capitulation_episodes(inputs.blocks, inputs.difficulty, inputs.day_start_s)
    ongoing = episodes[-1] if episodes and episodes[-1].end_date is None else None
    peak_i = int(dd.peak_index[t])
    info: dict[str, tuple[dict[str, float | None], dict[str, str | None], bool | None, str]] = {
        "hashrate_contraction": (
            {"growth_pct": 100 * _f(g[t])},
            {},
            None,
            "contracting when the 30-day mean hash rate is below its level 90 days earlier",
        ),
        "hash_ribbons": (
            {
                "h30_ehs": _f(h30) / HPS_PER_EHS,
                "h60_ehs": _f(h60) / HPS_PER_EHS,
                "last_30d_over_previous_30d_share": _f(rib.ratio[t]),
                "last_30d_over_previous_30d_lower_share": _f(rib.ratio_lower[t]),
                "last_30d_over_previous_30d_upper_share": _f(rib.ratio_upper[t]),
            },
            {
                "last_buy_date": buys[-1] if buys else None,
                "last_capitulation_start_date": last_spell.start_date if last_spell else None,
            },
            (
                last_spell.beyond_noise
                if last_spell is not None and last_spell.recovery_date is None
                else None
            ),
            "capitulation while H30 < H60; buy: after recovery, the first day the 10-day mean"
            " close is above the 20-day mean",
        ),
        "price_momentum": (
            {
                "price_10d_mean_usd": _f(rib.price_fast_usd[t]),
                "price_20d_mean_usd": _f(rib.price_slow_usd[t]),
            },
            {},
            None,
            "positive while the 10-day mean close is above the 20-day mean",
        ),
        "puell_multiple": (
            {"puell_multiple": _f(puell[t])},
            {},
            None,
            "low below 0.5, high above 4 (CryptoQuant's bands), else neutral",
        ),
        "difficulty_ribbon": (
            {
                "compression_share": _f(dr.compression_share[t]),
                "difficulty_9d_over_200d_minus_1_share": _f(dr.means[0][t] / dr.means[-1][t] - 1),
            },
            {},
            None,
            "inverted while the 9-day mean difficulty is below the 200-day mean",
        ),
        "hashrate_capitulation": (
            {
                "drawdown_pct": 100 * _f(dd.drawdown_share[t]),
                "hashrate_30d_ehs": _f(dd.hashrate_hps[t]) / HPS_PER_EHS,
                "peak_30d_ehs": _f(dd.peak_hps[t]) / HPS_PER_EHS,
                "episode_depth_pct": ongoing.depth_pct if ongoing else math.nan,
                "episode_depth_lower_pct": ongoing.depth_lower_pct if ongoing else math.nan,
                "episode_depth_upper_pct": ongoing.depth_upper_pct if ongoing else math.nan,
            },
            {
                "peak_date": dates[peak_i] if peak_i >= 0 else None,
                "episode_trough_date": ongoing.trough_date if ongoing else None,
            },
            ongoing.beyond_noise if ongoing else None,
            f"capitulating from the day the {CAPITULATION_SMOOTHING_DAYS}-day mean hash rate is"
            f" more than {100 * CAPITULATION_THRESHOLD_SHARE:g}% below its running peak until"
            " it regains that peak",
        ),
        "mvrv": (
            {"mvrv_ratio": _f(mvrv[t])},
            {},
            None,
            "market value over realised value (Coin Metrics CapMVRVCur), against 1",
        ),
    }
    history: list[SignalChange] = []
    for name, st in states.items():
        values, extra, noise, rule = info[name]
        since, prev = _since(st, dates)
        out.append(SignalState(name, st[t], since, prev, values, extra, noise, rule))
        history.extend(_changes(name, st, dates, lo, hi))
    in_range = [d for d in buys if dates[lo] <= d <= dates[hi]]
    history.extend(SignalChange(d, "hash_ribbons_buy", None, "buy") for d in in_range)
    comps: list[ComponentSeries] = composite_components(inputs)
    score = composite_score(comps)
    bands = [_band(float(x)) for x in score]
    history.extend(_changes("composite_score", bands, dates, lo, hi))
    history.sort(key=lambda c: (c.date, c.signal))
    total = sum(c.weight for c in comps)
    composite = CompositeNow(
        score=_f(score[t]),
        band=_band(float(score[t])),
        components=tuple(
            ComponentReading(
                c.name,
                c.description,
                c.weight / total,
                _f(c.reading[t]),
                _f(c.value[t]),
                c.value_name,
            )
            for c in comps
        ),  # fmt: skip
        components_missing=missing_components(comps),
        note=OURS_NOT_CRYPTOQUANT,
    )
    notes = []
    if inputs.mvrv_source is None:
        notes.append("no MVRV ratio stored: import it with `minerscope import mvrv FILE`")
    return SignalsReport(
        as_of=as_of,
        date=dates[t],
        btc_price_source=inputs.price_source,
        mvrv_source=inputs.mvrv_source,
        signals=tuple(out),
        composite=composite,
        history_from_date=dates[lo],
        history_to_date=dates[hi],
        history=tuple(history),
        notes=tuple(notes),
    )
