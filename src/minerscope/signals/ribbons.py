"""Hash Ribbons (C. Edwards, Capriole, 2019) on the unbiased daily hash rate, with noise flags.

- ``H30``, ``H60``: the 30- and 60-day means of the daily hash rate (summed work over the
  window, :func:`minerscope.analytics.daily.daily_hashrate`).
- **Capitulation** starts on the day ``H30`` falls below ``H60`` and ends on the day it is
  no longer below (**recovery**).
- **Buy signal**: after a recovery, the first day on which the 10-day mean of the daily close
  is above its 20-day mean, while ``H30`` stays above ``H60``: the recovery day itself when
  momentum is already positive then, else the first crossing of the price means; at most one
  buy per recovery, none if capitulation resumes first (RESEARCH.md section 3.11, quoting the
  logic of Capriole's open TradingView script).
- **Noise**: ``H30 - H60`` is half the difference between the mean of the last 30 days
  (``A``) and of the 30 days before (``B``), two disjoint windows, so ``H30 < H60`` exactly
  when ``A < B``. The exact conditional interval of the ratio of the two Poisson rates
  (:func:`minerscope.signals.stats.poisson_ratio_interval`) says whether the gap is more than
  block-finding luck. A capitulation (or recovery) spell is **beyond noise** when on some day
  of it the 95 % interval of ``A / B`` lies wholly below (above) 1; otherwise its cross may be
  nothing but luck. This is known by the end of the spell (for a buy: at the recovery).

Everything on day t uses rows up to t (hash rate and close are known at the end of day t).

References
----------
.. [1] C. Edwards, "Hash Ribbons & Bitcoin Bottoms", Capriole (2019, edited 2023),
   capriole.com/hash-ribbons-bitcoin-bottoms; TradingView script "Hash Ribbons"
   (capriole_charles).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..analytics.daily import daily_hashrate
from ..analytics.hashrate import work_from_difficulty
from ..results import AsOfInfo, NanFloat, Result
from ..units import HPS_PER_EHS, SECONDS_PER_DAY
from .inputs import DailyInputs
from .series import forward_return, iso_dates, trailing_mean, trailing_sum
from .stats import poisson_ratio_interval
from .study import DEFAULT_RESAMPLES, StudyStats, event_study

FAST_DAYS = 30
SLOW_DAYS = 60
PRICE_FAST_DAYS = 10
PRICE_SLOW_DAYS = 20
BUY_RETURN_HORIZONS_DAYS = (30, 90, 180, 365)


@dataclass(frozen=True)
class RibbonSeries:
    """The ribbons and their noise, one value per day (NaN until defined).

    Attributes
    ----------
    h30_hps, h60_hps : ndarray
        30- and 60-day mean hash rate. [H/s]
    ratio, ratio_lower, ratio_upper : ndarray
        ``A / B`` (last 30 days over the 30 before) and its 95 % interval. [unitless]
    price_fast_usd, price_slow_usd : ndarray
        10- and 20-day mean close. [USD/BTC]
    capitulating : ndarray
        1.0 while ``H30 < H60`` (strictly below), 0.0 otherwise, NaN before defined.
    buy : ndarray of bool
        The buy days.
    """

    h30_hps: np.ndarray
    h60_hps: np.ndarray
    ratio: np.ndarray
    ratio_lower: np.ndarray
    ratio_upper: np.ndarray
    price_fast_usd: np.ndarray
    price_slow_usd: np.ndarray
    capitulating: np.ndarray
    buy: np.ndarray


@dataclass(frozen=True)
class RibbonSpell:
    """One capitulation (H30 below H60) from its start to its recovery.

    Attributes
    ----------
    start_date : str
        The day H30 crossed below H60.
    recovery_date : str or None
        The day H30 crossed back above (None: still capitulating at the data's end).
    days : int
        Days below. [days]
    deepest_date : str
        Day of the lowest ``A / B`` in the spell.
    deepest_ratio_share, deepest_ratio_lower_share, deepest_ratio_upper_share : float
        ``A / B`` that day and its 95 % interval. [share]
    beyond_noise : bool
        Some day of the spell had the whole interval of ``A / B`` below 1.
    """

    start_date: str
    recovery_date: str | None
    days: int
    deepest_date: str
    deepest_ratio_share: float
    deepest_ratio_lower_share: float
    deepest_ratio_upper_share: float
    beyond_noise: bool


@dataclass(frozen=True)
class RibbonBuy:
    """One buy signal and what followed.

    Attributes
    ----------
    date : str
    recovery_date, capitulation_start_date : str
    days_after_recovery : int
        [days]
    price_usd : float
        Close of the buy day. [USD/BTC]
    capitulation_days : int
        Length of the capitulation before. [days]
    capitulation_beyond_noise : bool
        Whether that capitulation was more than block-finding luck.
    return_30d_pct, return_90d_pct, return_180d_pct, return_365d_pct : float
        Forward returns from the buy day's close (NaN: not yet known). [%]
    """

    date: str
    recovery_date: str
    capitulation_start_date: str
    days_after_recovery: int
    btc_price_usd: float
    capitulation_days: int
    capitulation_beyond_noise: bool
    return_30d_pct: NanFloat
    return_90d_pct: NanFloat
    return_180d_pct: NanFloat
    return_365d_pct: NanFloat


def _transitions(capitulating: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Recovery and capitulation days: where the state turns from 1 to 0 and from 0 to 1."""
    prev = np.concatenate(([np.nan], capitulating[:-1]))
    ok = np.isfinite(capitulating) & np.isfinite(prev)
    return ok & (prev == 1) & (capitulating == 0), ok & (prev == 0) & (capitulating == 1)


def _split(last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A trailing 30-day sum and the same sum 30 days earlier (the window before it)."""
    before = np.full(len(last), np.nan)
    before[FAST_DAYS:] = last[:-FAST_DAYS]
    return last, before


def ribbon_series(blocks: ArrayLike, difficulty: ArrayLike, price: ArrayLike) -> RibbonSeries:
    """The ribbons, the noise of their gap, capitulation state and buy days.

    Parameters
    ----------
    blocks : array_like
        Blocks per consecutive day. [blocks]
    difficulty : array_like
        Mean difficulty per day. [unitless]
    price : array_like
        Daily close (NaN where unknown). [USD/BTC]

    Returns
    -------
    RibbonSeries
    """
    k = np.asarray(blocks, dtype=float)
    h30, _, _ = daily_hashrate(k, difficulty, window_days=FAST_DAYS)
    h60, _, _ = daily_hashrate(k, difficulty, window_days=SLOW_DAYS)
    w = work_from_difficulty(difficulty)
    with np.errstate(invalid="ignore", divide="ignore"):
        expo = np.where(np.isfinite(w) & (w > 0), SECONDS_PER_DAY / w, np.nan)
    k_a, k_b = _split(trailing_sum(k, FAST_DAYS))
    e_a, e_b = _split(trailing_sum(expo, FAST_DAYS))
    # H30 < H60 exactly when the work of the last 30 days is below that of the 30 before
    # (H60 is their mean); comparing the two sums also keeps exact ties exact.
    work_a, work_b = _split(trailing_sum(k * w, FAST_DAYS))
    ratio, lo, hi = poisson_ratio_interval(k_a, e_a, k_b, e_b)
    p = np.asarray(price, dtype=float)
    fast = trailing_mean(p, PRICE_FAST_DAYS)
    slow = trailing_mean(p, PRICE_SLOW_DAYS)
    defined = np.isfinite(work_a) & np.isfinite(work_b)
    below = defined & (work_a < work_b)
    capitulating = np.where(defined, below.astype(float), np.nan)
    up, down = _transitions(capitulating)
    buy = np.zeros(len(k), dtype=bool)
    down_idx = np.flatnonzero(down)
    momentum = np.isfinite(fast) & np.isfinite(slow) & (fast > slow)
    for r in np.flatnonzero(up).tolist():
        nxt = down_idx[down_idx > r]
        end = int(nxt[0]) if len(nxt) else len(k)
        hits = np.flatnonzero(momentum[r:end])
        if len(hits):
            buy[r + int(hits[0])] = True
    return RibbonSeries(h30, h60, ratio, lo, hi, fast, slow, capitulating, buy)


def _state_crosses(series: RibbonSeries) -> tuple[np.ndarray, np.ndarray]:
    return _transitions(series.capitulating)


def capitulation_spells(series: RibbonSeries, day_start_s: ArrayLike) -> list[RibbonSpell]:
    """Every capitulation: start, recovery, depth of ``A / B`` with interval, noise flag.

    Parameters
    ----------
    series : RibbonSeries
    day_start_s : array_like
        00:00:00Z of each day. [Unix s]

    Returns
    -------
    list of RibbonSpell
        In date order; only spells that start with a cross (not one under way when the
        ribbons become defined).
    """
    dates = iso_dates(day_start_s)
    up, down = _state_crosses(series)
    up_idx = np.flatnonzero(up)
    out = []
    for s in np.flatnonzero(down).tolist():
        nxt = up_idx[up_idx > s]
        end = int(nxt[0]) if len(nxt) else len(dates)
        seg = slice(s, end)
        ratio = series.ratio[seg]
        if not np.isfinite(ratio).any():
            continue
        j = s + int(np.nanargmin(ratio))
        out.append(
            RibbonSpell(
                start_date=dates[s],
                recovery_date=dates[end] if end < len(dates) else None,
                days=end - s,
                deepest_date=dates[j],
                deepest_ratio_share=float(series.ratio[j]),
                deepest_ratio_lower_share=float(series.ratio_lower[j]),
                deepest_ratio_upper_share=float(series.ratio_upper[j]),
                beyond_noise=bool(np.any(series.ratio_upper[seg] < 1.0)),
            )
        )
    return out


def buy_signals(series: RibbonSeries, price: ArrayLike, day_start_s: ArrayLike) -> list[RibbonBuy]:
    """Each buy signal with its capitulation and forward returns.

    Parameters
    ----------
    series : RibbonSeries
    price : array_like
        Daily close. [USD/BTC]
    day_start_s : array_like
        [Unix s]

    Returns
    -------
    list of RibbonBuy
    """
    dates = iso_dates(day_start_s)
    p = np.asarray(price, dtype=float)
    rets = {h: forward_return(p, h) for h in BUY_RETURN_HORIZONS_DAYS}
    up, down = _state_crosses(series)
    up_idx = np.flatnonzero(up)
    down_idx = np.flatnonzero(down)
    out = []
    for b in np.flatnonzero(series.buy).tolist():
        r = int(up_idx[up_idx <= b][-1])
        before = down_idx[down_idx < r]
        c = int(before[-1]) if len(before) else r
        seg = slice(c, r)
        beyond = bool(np.any(series.ratio_upper[seg] < 1.0)) if r > c else False

        def pct(h: int, i: int = b) -> float:
            v = float(rets[h][i])
            return 100.0 * v if math.isfinite(v) else math.nan

        out.append(
            RibbonBuy(
                date=dates[b],
                recovery_date=dates[r],
                capitulation_start_date=dates[c],
                days_after_recovery=b - r,
                btc_price_usd=float(p[b]),
                capitulation_days=r - c,
                capitulation_beyond_noise=beyond,
                return_30d_pct=pct(30),
                return_90d_pct=pct(90),
                return_180d_pct=pct(180),
                return_365d_pct=pct(365),
            )
        )
    return out


@dataclass(frozen=True)
class RibbonsStudy(Result):
    """``minerscope study ribbons``: forward returns after each Hash Ribbons buy signal.

    Attributes
    ----------
    as_of : AsOfInfo
    definition : str
    horizon_days : int
        N of the statistics. [days]
    from_date, to_date : str
        Signal days allowed.
    btc_price_source : str
    buys : tuple of RibbonBuy
    capitulations : tuple of RibbonSpell
    stats : StudyStats
        Buy days (signal) against every other day, N-day forward returns.
    latest_h30_ehs, latest_h60_ehs : float
        The ribbons on the last day. [EH/s]
    notes : tuple of str
    """

    DOCUMENT = "study_ribbons"

    as_of: AsOfInfo
    definition: str
    horizon_days: int
    from_date: str
    to_date: str
    btc_price_source: str
    buys: tuple[RibbonBuy, ...]
    capitulations: tuple[RibbonSpell, ...]
    stats: StudyStats
    latest_h30_ehs: float
    latest_h60_ehs: float
    notes: tuple[str, ...]


def ribbons_study(
    inputs: DailyInputs,
    *,
    as_of: AsOfInfo,
    first: int,
    last: int,
    rng: np.random.Generator,
    horizon_days: int = 180,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int | None = None,
) -> RibbonsStudy:
    """Hash Ribbons buy signals and their forward returns, with the study statistics.

    Parameters
    ----------
    inputs : DailyInputs
        Consecutive days from the first stored day.
    as_of : AsOfInfo
    first, last : int
        Positions of the first and last day allowed as a buy day.
    rng : numpy.random.Generator
    horizon_days : int
        N of the statistics. [days]
    resamples : int
    seed : int, optional

    Returns
    -------
    RibbonsStudy

    Raises
    ------
    ValueError
        When no day in ``first..last`` has known ribbons and a known forward return.
    """
    price = inputs.price_usd
    era = inputs.era
    series = ribbon_series(inputs.blocks, inputs.difficulty, price)
    t = inputs.day_start_s
    inside = np.zeros(len(t), dtype=bool)
    inside[first : last + 1] = True
    defined = np.isfinite(series.capitulating) & np.isfinite(series.price_slow_usd)
    signal = np.where(defined & inside, series.buy.astype(float), np.nan)
    rets = forward_return(price, horizon_days)
    stats = event_study(signal, rets, t, era, horizon_days=horizon_days, rng=rng,
                        resamples=resamples, seed=seed)  # fmt: skip
    days = iso_dates(t[[first, last]])
    buys = tuple(b for b in buy_signals(series, price, t) if days[0] <= b.date <= days[1])
    spells = tuple(s for s in capitulation_spells(series, t) if days[0] <= s.start_date <= days[1])
    within = sum(1 for s in spells if not s.beyond_noise)
    notes = (
        f"{len(buys)} buy signals; {within} of {len(spells)} capitulations never had the 95 %"
        " interval of A/B (last 30 days over the 30 before) wholly below 1: their crosses may"
        " be block-finding luck",
        "the statistics compare the buy days' forward returns with every other day's; each buy"
        " is one observation, so the intervals are wide",
    )
    h30 = series.h30_hps[last]
    h60 = series.h60_hps[last]
    return RibbonsStudy(
        as_of=as_of,
        definition=(
            f"capitulation: H{FAST_DAYS} < H{SLOW_DAYS} (means of the unbiased daily hash rate);"
            f" buy: after the recovery cross, the first day with the {PRICE_FAST_DAYS}-day mean"
            f" close above the {PRICE_SLOW_DAYS}-day mean while H{FAST_DAYS} > H{SLOW_DAYS}"
        ),
        horizon_days=horizon_days,
        from_date=days[0],
        to_date=days[1],
        btc_price_source=inputs.price_source,
        buys=buys,
        capitulations=spells,
        stats=stats,
        latest_h30_ehs=float(h30) / HPS_PER_EHS,
        latest_h60_ehs=float(h60) / HPS_PER_EHS,
        notes=notes,
    )
