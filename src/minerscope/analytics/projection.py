"""Next difficulty adjustment: predictive distribution, retarget ETA and the mempool-style
point estimate (pure: an :class:`EpochState` and drift parameters in, numbers out).

Model (hand derivation, extending RESEARCH.md section 3.4). An epoch's first block is at
``t0``; by the moment ``now`` we have seen ``n`` block intervals after it, ``m = 2015 - n``
remain, and the retarget measures ``T = t_last - t0``, so ``T = (now - t0) + S`` where
``S`` is the time still needed for ``m`` blocks (memoryless: the wait since the tip is
already in ``now - t0``, so every ETA is after ``now``).

1. **Future rate** (:func:`anchored_future_log_rate`). Log hash rate is a random walk
   with drift (:mod:`minerscope.analytics.drift`); its mean over the rest of the epoch is
   predicted by Gaussian conditioning on the previous epoch (whose retarget says it ran at
   exactly ``2015 / 1,209,600`` blocks per second at this difficulty) and on this epoch so
   far. Its predictive law is the two-normal scale mixture of :meth:`DriftParams.mixture`
   with that mean and variance (``x`` below).
2. **Remaining time.** ``S = G e^-x`` with ``G ~ Gamma(m, 1)``, so
   ``log S = log G - x``: quantiles by :mod:`minerscope.analytics._quantiles`
   (quadrature, no sampling; :func:`sample_next_change` draws from the same law).

The change is ``clamp(1,209,600 / T, 1/4, 4) - 1`` (Bitcoin Core
``CalculateNextWorkRequired``); at the epoch's last block ``m = 0`` and it is exact
(``consensus.next_bits``). The retarget block (the first at the new difficulty) comes
``m + 1`` blocks after the tip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..consensus import MAINNET, bits_from_target, difficulty_from_bits, next_bits
from ..units import SECONDS_PER_DAY
from . import _special
from ._quantiles import log_gamma_minus_normal_quantiles, log_gamma_ratio_quantiles
from .drift import DriftParams, fit_drift
from .epochstate import (
    BLOCKS_PER_EPOCH,
    INTERVALS_PER_EPOCH,
    MIN_RATE_WINDOW,
    SPACING_S,
    TIMESPAN_S,
    EpochState,
)
from .mempool import mempool_estimate

CHANGE_PERCENTILES = (5, 25, 50, 75, 95)
ETA_PERCENTILES = (5, 10, 25, 50, 75, 90, 95)


@dataclass(frozen=True)
class DifficultyProjection:
    """Predictive distribution of the next adjustment (see module docstring).

    Attributes
    ----------
    exact : bool
        The epoch is complete: the change is known.
    change_pct : dict
        Percentile -> change. [%]
    next_difficulty : dict
        Percentile -> difficulty. [unitless]
    retarget_eta_s : dict
        Percentile (5, 10, 25, 50, 75, 90, 95) -> time of the first block at the new
        difficulty; every one is at or after ``as_of_s``. [Unix s]
    closed_form_change_pct : dict
        No drift, no borrowing (RESEARCH.md 3.4: ``S / (now - t0) ~ BetaPrime(m, n)``). [%]
    mempool_change_pct : float
        mempool.space's point estimate. [%]
    mempool_eta_s : float
        mempool's retarget ETA, or ``as_of_s`` when mempool's own formula gives an earlier
        time (``mempool_eta_formula_s``). [Unix s]
    mempool_eta_formula_s : float
        mempool's ``estimatedRetargetDate`` as its formula gives it. [Unix s]
    drift_mean, drift_var : float
        Mean and variance of the future mean log block rate (``x``). [1]
    """

    exact: bool
    change_pct: dict[int, float]
    next_difficulty: dict[int, float]
    retarget_eta_s: dict[int, float]
    closed_form_change_pct: dict[int, float]
    mempool_change_pct: float
    mempool_eta_s: float
    drift_mean: float
    drift_var: float
    mempool_eta_formula_s: float = math.nan
    extra: dict[str, float] = field(default_factory=dict)


def _int_min(x: float, y: float) -> float:
    """``int_0^x int_0^y min(s, t) ds dt`` (hand derivation: x^2 y / 2 - x^3 / 6, x <= y)."""
    lo, hi = min(x, y), max(x, y)
    return lo * lo * hi / 2 - lo**3 / 6


def _bm_mean_cov(i: tuple[float, float], j: tuple[float, float]) -> float:
    """Covariance of the averages of a unit Brownian motion (from 0 at t = 0) over two
    intervals ``[a, b]`` and ``[c, d]`` (t >= 0): the double integral of ``min(s, t)`` by
    inclusion-exclusion, over the product of the lengths."""
    (a, b), (c, d) = i, j
    total = _int_min(b, d) - _int_min(a, d) - _int_min(b, c) + _int_min(a, c)
    return total / ((b - a) * (d - c))


def anchored_future_log_rate(
    state: EpochState,
    drift: DriftParams,
    *,
    blocks_ahead: int | None = None,
    elapsed_s: float | None = None,
) -> tuple[float, float, float]:
    """Predictive mean and variance of the future mean log block rate, and the future span.

    Parameters
    ----------
    state : EpochState
    drift : DriftParams
    blocks_ahead : int, optional
        Blocks the future average covers (default: the epoch's remaining intervals). [blocks]
    elapsed_s : float, optional
        Exposure of this epoch's ``n`` intervals at its difficulty (default: ``as_of -
        t0``, the wait since the tip included). [s]

    Returns
    -------
    tuple of float
        ``(mean, variance, future_days)``: the log of the block rate (blocks/s at this
        epoch's difficulty) averaged over the next ``blocks_ahead`` blocks. [log(1/s)], [1],
        [days]

    Notes
    -----
    Hand derivation. Log hash rate is ``L0 + mu t + sigma B(t)`` (``L0`` flat). Two
    observations of its averages: (1) the previous epoch, whose 2015 intervals took
    ``T' = 1,209,600 D' / D`` seconds, so its rate at this difficulty was exactly
    ``2015 / 1,209,600`` per second (variance ``1/2015``, Poisson): the retarget rule's
    anchor; (2) this epoch so far, ``psi(n) - log(now - t0)`` (unbiased for the log rate
    given ``n`` intervals; variance ``psi'(n)``). The anchor is left out when the previous
    retarget was floored or clamped (:func:`anchor_is_valid`). The future average over ``F`` days is
    jointly Gaussian with them (Brownian-average covariances, :func:`_bm_mean_cov`) and
    is predicted by conditioning. This is the Bayesian version of mempool's borrowing
    from the previous epoch: the weight on each observation follows from the drift.
    """
    n = state.intervals_observed
    m = state.intervals_remaining if blocks_ahead is None else blocks_ahead
    elapsed = state.as_of_s - state.start_time_s if elapsed_s is None else elapsed_s
    elapsed = max(elapsed, 1.0)
    obs_t: list[tuple[float, float]] = []
    obs_y: list[float] = []
    obs_v: list[float] = []
    day = float(SECONDS_PER_DAY)
    prev_days = None
    if anchor_is_valid(state):
        assert state.prev_change_share is not None
        prev_days = TIMESPAN_S / (1.0 + state.prev_change_share) / day
    t_ref = elapsed / day + (prev_days or 0.0)  # days from the reference to now
    if prev_days is not None:
        obs_t.append((0.0, prev_days))
        obs_y.append(math.log(INTERVALS_PER_EPOCH / TIMESPAN_S))
        obs_v.append(1.0 / INTERVALS_PER_EPOCH)
    if n >= 1:
        obs_t.append((t_ref - elapsed / day, t_ref))
        obs_y.append(_special.digamma_scalar(n) - math.log(elapsed))
        obs_v.append(_special.trigamma_scalar(n))
    if not obs_t:
        raise ValueError("no interval in this epoch and no previous epoch to borrow from")
    # future span from the best simple rate guess (weights fixed by the observations)
    rate_guess = math.exp(obs_y[-1])
    future_days = max(m, 1) / rate_guess / day
    spans = [*obs_t, (t_ref, t_ref + future_days)]
    k = len(spans)
    big = 1.0e4  # flat prior on the level L0 (log units)
    cov = np.empty((k, k))
    for a in range(k):
        for b in range(a, k):
            cov[a, b] = cov[b, a] = big + drift.sigma2_per_day * _bm_mean_cov(spans[a], spans[b])
    # the level's flat prior is centred on the observations (its centre then cannot pull)
    mids = np.array([(x + y) / 2 for x, y in spans]) * drift.mu_per_day + float(np.mean(obs_y))
    s_oo = cov[:-1, :-1] + np.diag(obs_v)
    s_fo = cov[-1, :-1]
    w = np.linalg.solve(s_oo, s_fo)
    mean = float(mids[-1] + w @ (np.array(obs_y) - mids[:-1]))
    var = float(cov[-1, -1] - s_fo @ w)
    return mean, max(var, 0.0), future_days


def anchor_is_valid(state: EpochState) -> bool:
    """The previous retarget measured its epoch: not floored at the pow limit (difficulty 1
    in 2009) and not clamped at 4x or 1/4, so that epoch ran at 2015 blocks per 1,209,600 s
    at this difficulty."""
    change = state.prev_change_share
    if change is None:
        return False
    floored = difficulty_from_bits(state.bits) <= _POW_LIMIT_DIFFICULTY * (1 + 1e-9)
    clamped = change >= 3.0 - 1e-3 or change <= -0.75 + 1e-3
    return not (floored or clamped)


_POW_LIMIT_DIFFICULTY = difficulty_from_bits(bits_from_target(MAINNET.pow_limit))  # 1.0


def _change_share_from_timespan(timespan_s: float) -> float:
    clamped = min(max(timespan_s, TIMESPAN_S / 4), TIMESPAN_S * 4)
    return TIMESPAN_S / clamped - 1.0


def _pow_limit_floor_share(d_now: float) -> float:
    """The lowest change: the target never exceeds the pow limit (difficulty ~1). [share]"""
    return difficulty_from_bits(bits_from_target(MAINNET.pow_limit)) / d_now - 1.0


def _last_block(
    state: EpochState, drift: DriftParams, mp_change: float, mp_eta: float
) -> DifficultyProjection:
    """The epoch is complete: exact change, and the wait for the first new block."""
    if state.tip_time_s is None:
        raise ValueError("an epoch's last block needs its time for the exact answer")
    d_now = difficulty_from_bits(state.bits)
    span = round(state.tip_time_s - state.start_time_s)
    new_bits = next_bits(state.bits, 0, span)
    d_new = difficulty_from_bits(new_bits)
    change_exact = 100.0 * (d_new / d_now - 1.0)
    # the wait since the tip ran at the new difficulty: as exposure at the old one it
    # counts D_now / D_new times as much (the same hash rate finds blocks that much faster)
    wait = max(state.as_of_s - state.tip_time_s, 0.0)
    elapsed = (state.tip_time_s - state.start_time_s) + wait * d_now / d_new
    f_mean, f_var, _ = anchored_future_log_rate(state, drift, blocks_ahead=1, elapsed_s=elapsed)
    f_var += state.timing_var
    f_mean += math.log(d_now / d_new)  # log rate at the new difficulty
    probs = [p / 100 for p in ETA_PERCENTILES]
    y = log_gamma_minus_normal_quantiles([1.0], f_mean, f_var, [probs], drift.mixture())[0]
    eta = {p: state.as_of_s + math.exp(v) for p, v in zip(ETA_PERCENTILES, y, strict=True)}
    return DifficultyProjection(
        exact=True,
        change_pct=dict.fromkeys(CHANGE_PERCENTILES, change_exact),
        next_difficulty=dict.fromkeys(CHANGE_PERCENTILES, d_new),
        retarget_eta_s=eta,
        closed_form_change_pct=dict.fromkeys(CHANGE_PERCENTILES, change_exact),
        mempool_change_pct=mp_change,
        mempool_eta_s=max(mp_eta, state.as_of_s),
        mempool_eta_formula_s=mp_eta,
        drift_mean=f_mean,
        drift_var=f_var,
        extra={"next_bits": float(new_bits)},
    )


def project_difficulty(
    state: EpochState, drift: DriftParams, *, model: str = "anchored", closed_form: bool = True
) -> DifficultyProjection:
    """Predictive distribution of the next difficulty change and of the retarget ETA.

    Parameters
    ----------
    state : EpochState
        What is known now (from blocks or daily rows).
    drift : DriftParams
        Log-hash-rate drift fitted on earlier epochs (:func:`fit_drift`).
    model : str
        ``"anchored"`` (the only model; the v0.1 ``"window"`` model was removed).
    closed_form : bool
        Also compute ``closed_form_change_pct`` (the backtest does not need it).

    Returns
    -------
    DifficultyProjection
        Percentiles 5/25/50/75/95 of the change [%] and of the next difficulty, ETA
        percentiles 5..95 of the first block at the new difficulty [Unix s], the no-drift
        closed form (RESEARCH.md 3.4: ``S/T ~ BetaPrime(m, n)``) and mempool's point
        estimate for comparison.
    """
    if model != "anchored":
        raise ValueError(f"unknown model {model!r}")
    d_now = difficulty_from_bits(state.bits)
    n = state.intervals_observed
    m = state.intervals_remaining
    mp_change, mp_eta = mempool_estimate(state)
    if m <= 0:
        return _last_block(state, drift, mp_change, mp_eta)
    elapsed = state.as_of_s - state.start_time_s
    f_mean, f_var, _ = anchored_future_log_rate(state, drift)
    f_var += state.timing_var
    probs_c = [1 - p / 100 for p in CHANGE_PERCENTILES]  # high S <=> low change
    probs_eta = [p / 100 for p in ETA_PERCENTILES]
    mix = drift.mixture()
    y, y_eta = log_gamma_minus_normal_quantiles(
        [float(m), float(m + 1)], f_mean, f_var, [probs_c, probs_eta], mix
    )
    floor = 100.0 * _pow_limit_floor_share(d_now)
    change = {
        p: max(100.0 * _change_share_from_timespan(elapsed + math.exp(v)), floor)
        for p, v in zip(CHANGE_PERCENTILES, y, strict=True)
    }
    eta = {p: state.as_of_s + math.exp(v) for p, v in zip(ETA_PERCENTILES, y_eta, strict=True)}
    closed: dict[int, float] = {}
    if closed_form and n >= 1 and elapsed > 0:
        log_b = log_gamma_ratio_quantiles(float(m), float(n), probs_c)  # BetaPrime(m, n)
        for p, lb in zip(CHANGE_PERCENTILES, log_b, strict=True):
            closed[p] = 100.0 * _change_share_from_timespan(elapsed * (1 + math.exp(lb)))
    return DifficultyProjection(
        exact=False,
        change_pct=change,
        next_difficulty={p: d_now * (1 + c / 100.0) for p, c in change.items()},
        retarget_eta_s=eta,
        closed_form_change_pct=closed,
        mempool_change_pct=mp_change,
        mempool_eta_s=max(mp_eta, state.as_of_s),
        mempool_eta_formula_s=mp_eta,
        drift_mean=f_mean,
        drift_var=f_var,
    )


def blocks_eta(
    state: EpochState,
    drift: DriftParams,
    blocks_ahead: int,
    percentiles: Sequence[int] = (10, 50, 90),
) -> dict[int, float]:
    """When ``blocks_ahead`` more blocks will have been mined, within the current epoch.

    Parameters
    ----------
    state : EpochState
    drift : DriftParams
    blocks_ahead : int
        Blocks after the tip (at most the epoch's remaining intervals + 1). [blocks]
    percentiles : sequence of int
        Percentiles to return.

    Returns
    -------
    dict
        Percentile -> time, each after ``state.as_of_s``. [Unix s]

    Notes
    -----
    Same model as :func:`project_difficulty`: the wait is ``G e^-x`` with
    ``G ~ Gamma(blocks_ahead, 1)`` and ``x`` the predicted mean log rate over those blocks.
    """
    if blocks_ahead < 1:
        raise ValueError("blocks_ahead must be >= 1")
    f_mean, f_var, _ = anchored_future_log_rate(state, drift, blocks_ahead=blocks_ahead)
    f_var += state.timing_var
    probs = [p / 100 for p in percentiles]
    y = log_gamma_minus_normal_quantiles(
        [float(blocks_ahead)], f_mean, f_var, [probs], drift.mixture()
    )[0]
    return {p: state.as_of_s + math.exp(v) for p, v in zip(percentiles, y, strict=True)}


def _draw_log_rate(
    state: EpochState, drift: DriftParams, rng: np.random.Generator, size: int, **kw: float
) -> np.ndarray:
    f_mean, f_var, _ = anchored_future_log_rate(state, drift, **kw)  # type: ignore[arg-type]
    f_var += state.timing_var
    mix = drift.mixture()
    weights = np.array([w for w, _ in mix])
    factors = np.array([f for _, f in mix])
    comp = rng.choice(len(mix), size=size, p=weights / weights.sum())
    out: np.ndarray = f_mean + np.sqrt(max(f_var, 0.0) * factors[comp]) * rng.standard_normal(size)
    return out


def sample_next_change(
    state: EpochState, drift: DriftParams, *, rng: np.random.Generator, size: int
) -> np.ndarray:
    """Draws of the next difficulty change from the model :func:`project_difficulty` uses.

    Parameters
    ----------
    state : EpochState
        What is known now.
    drift : DriftParams
        Log-hash-rate drift fitted on earlier epochs.
    rng : numpy.random.Generator
        Seeded generator.
    size : int
        Number of draws.

    Returns
    -------
    ndarray
        ``size`` draws of ``D_next / D_now - 1``. [share]

    Notes
    -----
    The generative form of the model: the remaining time is ``S = G e^-x`` with
    ``G ~ Gamma(m, 1)`` and ``x`` the future mean log block rate, drawn from the
    two-normal mixture of :meth:`DriftParams.mixture` around the conditioned mean and
    variance (:func:`anchored_future_log_rate`). The change is
    ``clamp(1,209,600 / (elapsed + S), 1/4, 4) - 1`` floored at the pow limit, as in
    :func:`project_difficulty` (whose quantiles are those of this distribution). At an
    epoch's last block every draw is the exact change.
    """
    if size < 1:
        raise ValueError(f"size must be >= 1, got {size}")
    m = state.intervals_remaining
    d_now = difficulty_from_bits(state.bits)
    floor = _pow_limit_floor_share(d_now)
    if m <= 0:
        if state.tip_time_s is None:
            raise ValueError("an epoch's last block needs its time for the exact answer")
        new_bits = next_bits(state.bits, 0, round(state.tip_time_s - state.start_time_s))
        return np.full(size, difficulty_from_bits(new_bits) / d_now - 1.0)
    x = _draw_log_rate(state, drift, rng, size)
    remaining_s = rng.gamma(m, 1.0, size) * np.exp(-x)
    elapsed = state.as_of_s - state.start_time_s
    span = np.clip(elapsed + remaining_s, TIMESPAN_S / 4, TIMESPAN_S * 4)
    out: np.ndarray = np.maximum(TIMESPAN_S / span - 1.0, floor)
    return out


def sample_retarget_time(
    state: EpochState, drift: DriftParams, *, rng: np.random.Generator, size: int
) -> np.ndarray:
    """Draws of the retarget block's time from the model behind ``retarget_eta_s``.

    Parameters
    ----------
    state : EpochState
    drift : DriftParams
    rng : numpy.random.Generator
        Seeded generator.
    size : int
        Number of draws.

    Returns
    -------
    ndarray
        ``as_of + G e^-x`` with ``G ~ Gamma(m + 1, 1)`` (the ``m`` remaining intervals and
        the first one at the new difficulty). [Unix s]
    """
    if size < 1:
        raise ValueError(f"size must be >= 1, got {size}")
    m = state.intervals_remaining
    if m <= 0:
        proj = project_difficulty(state, drift)
        d_ratio = 1.0 + proj.change_pct[50] / 100.0
        assert state.tip_time_s is not None
        wait = max(state.as_of_s - state.tip_time_s, 0.0)
        elapsed = (state.tip_time_s - state.start_time_s) + wait / d_ratio
        x = _draw_log_rate(state, drift, rng, size, blocks_ahead=1, elapsed_s=elapsed)
        x = x - math.log(d_ratio)
        out0: np.ndarray = state.as_of_s + rng.gamma(1.0, 1.0, size) * np.exp(-x)
        return out0
    x = _draw_log_rate(state, drift, rng, size)
    out: np.ndarray = state.as_of_s + rng.gamma(m + 1, 1.0, size) * np.exp(-x)
    return out


__all__ = [
    "BLOCKS_PER_EPOCH",
    "CHANGE_PERCENTILES",
    "ETA_PERCENTILES",
    "INTERVALS_PER_EPOCH",
    "MIN_RATE_WINDOW",
    "SPACING_S",
    "TIMESPAN_S",
    "DifficultyProjection",
    "DriftParams",
    "EpochState",
    "anchored_future_log_rate",
    "blocks_eta",
    "fit_drift",
    "mempool_estimate",
    "project_difficulty",
    "sample_next_change",
    "sample_retarget_time",
]
