"""Next difficulty adjustment: predictive distribution, retarget ETA and the mempool-style
point estimate (pure: an :class:`EpochState` and drift parameters in, numbers out).

Model (hand derivation, extending RESEARCH.md section 3.4). An epoch's first block is at
``t0``; by the moment ``now`` we have seen ``n`` block intervals after it, ``m = 2015 - n``
remain, and the retarget measures ``T = t_last - t0``, so ``T = (now - t0) + S`` where
``S`` is the time still needed for ``m`` blocks.

1. **Current rate.** Over a window of ``L`` intervals with exposure ``E`` (seconds,
   rescaled to the current difficulty, including the time since the tip with no block),
   the block rate has posterior ``lambda ~ Gamma(L, E)`` (Jeffreys prior). Early in an
   epoch (``n < 504``) the window reaches back into the previous epoch and the time spent
   there is rescaled by ``D_new / D_old`` (the same hash rate finds blocks ``D_old/D_new``
   times as fast at the new difficulty), the Bayesian form of mempool's sliding window.
2. **Drift.** The future rate is ``lambda e^delta`` with ``log H`` a random walk with drift
   ``mu`` and volatility ``sigma`` per day: the average of ``log H`` over the future
   ``F`` days differs from its average over the past ``P`` days by
   ``delta ~ N(mu (P + F) / 2, sigma^2 (P + F) / 3)`` (Brownian-motion averages). ``mu`` and
   ``sigma`` are fitted on earlier epochs only (:func:`fit_drift`).
3. **Remaining time.** ``S | rate ~ Gamma(m, rate)``, so ``S / E = B e^-delta`` with
   ``B ~ BetaPrime(m, L)``; without drift this is RESEARCH.md's closed form.

``log(S / E) = log B - delta`` has CDF ``E_delta[F_B(exp(y + delta))]``, computed by
Gauss-Hermite quadrature (exact up to quadrature error, no sampling). The change is then
``clamp(1,209,600 / T, 1/4, 4) - 1`` (Bitcoin Core ``CalculateNextWorkRequired``); at the
epoch's last block ``m = 0`` and the answer is exact (``consensus.next_bits``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from scipy import special  # not scipy.stats: its import costs ~0.8 s per command

from ..consensus import MAINNET, bits_from_target, difficulty_from_bits, next_bits
from ..units import SECONDS_PER_DAY

TIMESPAN_S = MAINNET.pow_target_timespan_s  # 1,209,600 s
SPACING_S = MAINNET.pow_target_spacing_s  # 600 s
BLOCKS_PER_EPOCH = MAINNET.difficulty_adjustment_interval  # 2016
INTERVALS_PER_EPOCH = BLOCKS_PER_EPOCH - 1  # the retarget measures 2015 intervals
MIN_RATE_WINDOW = 504  # intervals: mempool's quarter-epoch window (RESEARCH.md 1.1)
CHANGE_PERCENTILES = (5, 25, 50, 75, 95)
ETA_PERCENTILES = (10, 50, 90)
_POISSON_EPOCH_VAR = 2.0 / INTERVALS_PER_EPOCH  # var of log(2015/Gamma(2015)) twice


@dataclass(frozen=True)
class EpochState:
    """What is known about the current epoch at one moment.

    Attributes
    ----------
    epoch : int
        Epoch index (height // 2016).
    bits : int
        The epoch's compact target. [compact]
    start_time_s : float
        Time of the epoch's first block (interpolated within its day at daily
        resolution). [Unix s]
    blocks_mined : int
        Blocks of this epoch mined by ``as_of_s`` (1 .. 2016). [blocks]
    as_of_s : float
        The moment projected from. [Unix s]
    tip_time_s : float or None
        Time of the last block known (None at daily resolution). [Unix s]
    rate_intervals : int
        ``L``: intervals in the rate window. [blocks]
    rate_exposure_s : float
        ``E``: the window's time to ``as_of_s``, rescaled to this epoch's difficulty. [s]
    rate_span_s : float
        The window's real length to ``as_of_s``. [s]
    timing_var : float
        Extra variance of ``log E`` from interpolated timestamps (daily resolution). [1]
    prev_change_share : float or None
        The previous retarget's change (``D_this / D_prev - 1``). [share]
    mempool_window_start_s : float or None
        Time of block ``tip - 503`` when ``blocks_mined - 1 < 503`` (mempool's window). [Unix s]
    resolution : str
        ``"block"`` or ``"daily"``.
    tip_height : int
        Last height known. [blocks]
    """

    epoch: int
    bits: int
    start_time_s: float
    blocks_mined: int
    as_of_s: float
    tip_time_s: float | None
    rate_intervals: int
    rate_exposure_s: float
    rate_span_s: float
    timing_var: float = 0.0
    prev_change_share: float | None = None
    mempool_window_start_s: float | None = None
    resolution: str = "block"
    tip_height: int = 0

    @property
    def intervals_observed(self) -> int:
        """``n``: intervals after the epoch's first block. [blocks]"""
        return self.blocks_mined - 1

    @property
    def intervals_remaining(self) -> int:
        """``m = 2015 - n``. [blocks]"""
        return INTERVALS_PER_EPOCH - self.intervals_observed

    @property
    def progress_share(self) -> float:
        """Blocks mined over 2016. [share]"""
        return self.blocks_mined / BLOCKS_PER_EPOCH


@dataclass(frozen=True)
class DriftParams:
    """Random walk with drift for log hash rate, per day.

    Attributes
    ----------
    mu_per_day : float
        Mean growth of log hash rate. [1/day]
    sigma2_per_day : float
        Variance growth of log hash rate. [1/day]
    epochs_used : int
        Epoch changes the fit used. [epochs]
    kurtosis : float
        Kurtosis of the epoch-change residuals (3 for a normal walk; hash rate has
        jumps: miner bans, storms). [1]
    """

    mu_per_day: float = 0.0
    sigma2_per_day: float = 0.0
    epochs_used: int = 0
    kurtosis: float = 3.0

    def mixture(self) -> list[tuple[float, float]]:
        """Two normal components ``(weight, variance factor)`` with variance 1 and this
        kurtosis: 0.8 N(0, a) + 0.2 N(0, 5 - 4a), ``a = 1 - sqrt(k / 3 - 1) / 2`` (hand
        derivation: 0.8 a + 0.2 b = 1 and 3 (0.8 a^2 + 0.2 b^2) = k); k capped at 9."""
        k = min(max(self.kurtosis, 3.0), 9.0)
        a = 1.0 - math.sqrt(k / 3.0 - 1.0) / 2.0
        return [(0.8, a), (0.2, 5.0 - 4.0 * a)]


@dataclass(frozen=True)
class DifficultyProjection:
    """Predictive distribution of the next adjustment (see module docstring)."""

    exact: bool
    change_pct: dict[int, float]  # percentile -> change [%]
    next_difficulty: dict[int, float]  # percentile -> difficulty
    retarget_eta_s: dict[int, float]  # percentile -> Unix s of the first block at new bits
    closed_form_change_pct: dict[int, float]  # no drift, no borrowing (RESEARCH.md 3.4)
    mempool_change_pct: float
    mempool_eta_s: float
    drift_mean: float
    drift_var: float
    extra: dict[str, float] = field(default_factory=dict)


def fit_drift(
    difficulties: ArrayLike,
    *,
    lookback_epochs: int = 52,
    mu_lookback_epochs: int | None = None,
    kurtosis_lookback_epochs: int = 208,
) -> DriftParams:
    """Fit the log-hash-rate random walk on completed epochs (no look-ahead).

    Parameters
    ----------
    difficulties : array_like
        Difficulty of epochs ``0 .. e`` where ``e`` is the current epoch (its difficulty is
        known when it starts). Only these are used. [unitless]
    lookback_epochs : int
        Trailing epoch changes used for ``sigma``. [epochs]
    mu_lookback_epochs : int, optional
        Trailing epoch changes used for ``mu`` (default: ``lookback_epochs``). [epochs]
    kurtosis_lookback_epochs : int
        Trailing epoch changes used for the kurtosis (a longer window: it is a shape). [epochs]

    Returns
    -------
    DriftParams

    Notes
    -----
    Epoch ``k``'s mean hash rate is ``2015 W_k / T_k`` with ``T_k = 1,209,600 D_k / D_{k+1}``
    (the retarget rule, unclamped), hence proportional to ``D_{k+1}``: the known
    difficulties give every finished epoch's mean log hash rate. For adjacent epochs
    ``Delta_k = log D_{k+1} - log D_k`` has mean ``mu (T_{k-1} + T_k) / 2`` and variance
    ``sigma^2 (T_{k-1} + T_k) / 3 + 2 / 2015`` (Brownian averages plus the Poisson noise
    of 2015 intervals). Method of moments over the trailing window.
    """
    d = np.asarray(difficulties, dtype=float)
    if len(d) < 3:
        return DriftParams()
    logd = np.log(d)
    dur_days = TIMESPAN_S / SECONDS_PER_DAY * d[:-1] / d[1:]  # T_k for k = 0 .. e-1
    delta = np.diff(logd)[1:]  # Delta_k = log D_{k+1} - log D_k, k = 1 .. e-1
    span = dur_days[:-1] + dur_days[1:]  # T_{k-1} + T_k
    n_sig = min(lookback_epochs, len(delta))
    n_mu = min(mu_lookback_epochs or lookback_epochs, len(delta))
    mu = float(np.sum(delta[-n_mu:]) / np.sum(span[-n_mu:] / 2))
    resid = delta[-n_sig:] - mu * span[-n_sig:] / 2
    num = float(np.mean(resid**2)) - _POISSON_EPOCH_VAR
    sigma2 = max(num, 0.0) / float(np.mean(span[-n_sig:] / 3))
    n_k = min(kurtosis_lookback_epochs, len(delta))
    r_k = delta[-n_k:] - mu * span[-n_k:] / 2
    m2 = float(np.mean(r_k**2))
    kurt = float(np.mean(r_k**4)) / m2**2 if m2 > 0 else 3.0
    return DriftParams(mu, sigma2, n_sig, kurt)


def mempool_estimate(state: EpochState) -> tuple[float, float]:
    """mempool.space's point estimate of the next change and its retarget ETA.

    Parameters
    ----------
    state : EpochState

    Returns
    -------
    tuple of float
        ``(change_pct, eta_s)``: the change in percent, clamped to [-75, +300], and the
        time of the first block at the new difficulty. [%], [Unix s]

    Notes
    -----
    ``calcDifficultyAdjustment`` in mempool ``backend/src/api/difficulty-adjustment.ts``
    (RESEARCH.md 1.1): with ``k = height % 2016`` and ``dt = now - t0``; when ``k < 503``
    and the block 503 back is known, ``span = dt + (t0 - t[h-503]) (1 + prev/100)`` and
    ``change = 600 / (span / 504) - 1``, average ``span / 503``; otherwise
    ``change = 600 / (dt / (k + 1)) - 1``, average ``dt / (k + 1)``; at the last block
    ``dt = t_last - t0``. ETA = now + (2016 - k) * average.
    """
    k = state.intervals_observed
    now = state.as_of_s
    if k == INTERVALS_PER_EPOCH and state.tip_time_s is not None:
        now = state.tip_time_s
    dt = now - state.start_time_s
    if k < 503 and state.mempool_window_start_s is not None:
        prev = state.prev_change_share or 0.0
        span = dt + (state.start_time_s - state.mempool_window_start_s) * (1.0 + prev)
        change = SPACING_S / (span / 504) - 1.0
        avg = span / 503
    else:
        avg = dt / (k + 1) if dt > 0 else float(SPACING_S)
        change = SPACING_S / avg - 1.0
    change = min(max(change, -0.75), 3.0)
    return 100.0 * change, now + (BLOCKS_PER_EPOCH - k) * avg


def _log_ratio_quantiles(
    m: int, l_int: int, drift_mean: float, drift_var: float, probs: Sequence[float]
) -> np.ndarray:
    """Quantiles of ``Y = log B - delta``, ``B ~ BetaPrime(m, L)``, ``delta ~ N(mean, var)``.

    ``P(log B <= z) = I_{expit(z)}(m, L)`` (regularized incomplete beta; BetaPrime's CDF at
    ``e^z`` is the Beta CDF at ``e^z / (1 + e^z)``), averaged over ``delta`` by 32-node
    Gauss-Hermite quadrature on a 801-point grid spanning 14 standard deviations.
    """
    sd = math.sqrt(max(drift_var, 0.0))
    centre = float(special.digamma(m) - special.digamma(l_int)) - drift_mean
    spread = math.sqrt(float(special.polygamma(1, m) + special.polygamma(1, l_int)) + sd**2)
    y = np.linspace(centre - 14 * spread, centre + 8 * spread, 801)
    if sd < 1e-9:
        cdf = special.betainc(m, l_int, special.expit(y + drift_mean))
    else:
        x, w = np.polynomial.hermite.hermgauss(32)
        shifts = drift_mean + math.sqrt(2.0) * sd * x  # delta nodes
        z = special.expit(y[:, None] + shifts[None, :])
        cdf = (special.betainc(m, l_int, z) @ w) / math.sqrt(math.pi)
    cdf = np.maximum.accumulate(np.clip(cdf, 0.0, 1.0))
    keep = np.concatenate(([True], np.diff(cdf) > 0))
    out: np.ndarray = np.interp(np.asarray(probs, dtype=float), cdf[keep], y[keep])
    return out


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


def anchored_future_log_rate(state: EpochState, drift: DriftParams) -> tuple[float, float, float]:
    """Predictive mean and variance of the future mean log block rate, and the future span.

    Parameters
    ----------
    state : EpochState
    drift : DriftParams

    Returns
    -------
    tuple of float
        ``(mean, variance, future_days)``: the log of the block rate (blocks/s at this
        epoch's difficulty) averaged over the rest of the epoch. [log(1/s)], [1], [days]

    Notes
    -----
    Hand derivation. Log hash rate is ``L0 + mu t + sigma B(t)`` (``L0`` flat). Two
    observations of its averages: (1) the previous epoch, whose 2015 intervals took
    ``T' = 1,209,600 D' / D`` seconds, so its rate at this difficulty was exactly
    ``2015 / 1,209,600`` per second (variance ``1/2015``, Poisson): the retarget rule's
    anchor; (2) this epoch so far, ``psi(n) - log(now - t0)`` (unbiased for the log rate
    given ``n`` intervals; variance ``psi'(n)``). The future average over ``F`` days is
    jointly Gaussian with them (Brownian-average covariances, :func:`_bm_mean_cov`) and
    is predicted by conditioning. This is the Bayesian version of mempool's borrowing
    from the previous epoch: the weight on each observation follows from the drift.
    """
    n = state.intervals_observed
    m = state.intervals_remaining
    elapsed_s = max(state.as_of_s - state.start_time_s, 1.0)
    obs_t: list[tuple[float, float]] = []
    obs_y: list[float] = []
    obs_v: list[float] = []
    day = float(SECONDS_PER_DAY)
    prev_days = None
    if state.prev_change_share is not None:
        prev_days = TIMESPAN_S / (1.0 + state.prev_change_share) / day
    t_ref = elapsed_s / day + (prev_days or 0.0)  # days from the reference to now
    if prev_days is not None:
        obs_t.append((0.0, prev_days))
        obs_y.append(math.log(INTERVALS_PER_EPOCH / TIMESPAN_S))
        obs_v.append(1.0 / INTERVALS_PER_EPOCH)
    if n >= 1:
        obs_t.append((t_ref - elapsed_s / day, t_ref))
        obs_y.append(float(special.digamma(n)) - math.log(elapsed_s))
        obs_v.append(float(special.polygamma(1, n)))
    if not obs_t:
        raise ValueError("no interval in this epoch and no previous epoch to borrow from")
    # future span from the best simple rate guess (weights fixed by the observations)
    rate_guess = math.exp(obs_y[-1])
    future_days = max(m, 1) / rate_guess / day
    fut = (t_ref, t_ref + future_days)
    spans = [*obs_t, fut]
    k = len(spans)
    big = 1.0e4  # flat prior on the level L0 (log units)
    cov = np.empty((k, k))
    for a in range(k):
        for b in range(k):
            cov[a, b] = big + drift.sigma2_per_day * _bm_mean_cov(spans[a], spans[b])
    # the level's flat prior is centred on the observations (its centre then cannot pull)
    mids = np.array([(x + y) / 2 for x, y in spans]) * drift.mu_per_day + float(np.mean(obs_y))
    s_oo = cov[:-1, :-1] + np.diag(obs_v)
    s_fo = cov[-1, :-1]
    w = np.linalg.solve(s_oo, s_fo)
    mean = float(mids[-1] + w @ (np.array(obs_y) - mids[:-1]))
    var = float(cov[-1, -1] - s_fo @ w)
    return mean, max(var, 0.0), future_days


def _log_gamma_minus_normal_quantiles(
    m: int,
    mean: float,
    var: float,
    probs: Sequence[float],
    mixture: Sequence[tuple[float, float]] = ((1.0, 1.0),),
) -> np.ndarray:
    """Quantiles of ``log G - x``, ``G ~ Gamma(m, 1)``, ``x ~ sum_i w_i N(mean, f_i var)``.

    ``P(log G <= y + x)`` is the regularized lower incomplete gamma ``P(m, e^(y + x))``,
    averaged over ``x`` by 32-node Gauss-Hermite quadrature per mixture component on an
    801-point grid.
    """
    sd = math.sqrt(max(var, 0.0) * max(f for _, f in mixture))
    centre = float(special.digamma(m)) - mean
    spread = math.sqrt(float(special.polygamma(1, m)) + sd**2)
    y = np.linspace(centre - 14 * spread, centre + 8 * spread, 801)
    if sd < 1e-12:
        cdf = special.gammainc(m, np.exp(y + mean))
    else:
        x, w = np.polynomial.hermite.hermgauss(32)
        cdf = np.zeros_like(y)
        for weight, factor in mixture:
            nodes = mean + math.sqrt(2.0 * max(var, 0.0) * factor) * x
            part = special.gammainc(m, np.exp(y[:, None] + nodes[None, :])) @ w
            cdf += weight * part / math.sqrt(math.pi)
    cdf = np.maximum.accumulate(np.clip(cdf, 0.0, 1.0))
    keep = np.concatenate(([True], np.diff(cdf) > 0))
    out: np.ndarray = np.interp(np.asarray(probs, dtype=float), cdf[keep], y[keep])
    return out


def _change_share_from_timespan(timespan_s: float) -> float:
    clamped = min(max(timespan_s, TIMESPAN_S / 4), TIMESPAN_S * 4)
    return TIMESPAN_S / clamped - 1.0


def project_difficulty(
    state: EpochState, drift: DriftParams, *, model: str = "anchored"
) -> DifficultyProjection:
    """Predictive distribution of the next difficulty change and of the retarget ETA.

    Parameters
    ----------
    state : EpochState
        What is known now (from blocks or daily rows).
    drift : DriftParams
        Log-hash-rate drift fitted on earlier epochs (:func:`fit_drift`).

    Returns
    -------
    DifficultyProjection
        Percentiles 5/25/50/75/95 of the change [%] and of the next difficulty, ETA
        percentiles 10/50/90 of the first block at the new difficulty [Unix s], the
        no-drift closed form (RESEARCH.md 3.4: ``S/T ~ BetaPrime(m, n)``) and mempool's
        point estimate for comparison.
    """
    d_now = difficulty_from_bits(state.bits)
    n = state.intervals_observed
    m = state.intervals_remaining
    mp_change, mp_eta = mempool_estimate(state)
    if m <= 0:
        if state.tip_time_s is None:
            raise ValueError("an epoch's last block needs its time for the exact answer")
        span = round(state.tip_time_s - state.start_time_s)
        new_bits = next_bits(state.bits, 0, span)
        d_new = difficulty_from_bits(new_bits)
        change_exact = 100.0 * (d_new / d_now - 1.0)
        # next block: exponential wait at the new difficulty, rate from the window
        mean_wait = state.rate_exposure_s / max(state.rate_intervals, 1) * d_new / d_now
        eta = {p: state.tip_time_s - mean_wait * math.log(1 - p / 100) for p in ETA_PERCENTILES}
        return DifficultyProjection(
            exact=True,
            change_pct=dict.fromkeys(CHANGE_PERCENTILES, change_exact),
            next_difficulty=dict.fromkeys(CHANGE_PERCENTILES, d_new),
            retarget_eta_s=eta,
            closed_form_change_pct=dict.fromkeys(CHANGE_PERCENTILES, change_exact),
            mempool_change_pct=mp_change,
            mempool_eta_s=mp_eta,
            drift_mean=0.0,
            drift_var=0.0,
            extra={"next_bits": float(new_bits)},
        )
    l_int = state.rate_intervals
    e_s = state.rate_exposure_s
    elapsed = state.as_of_s - state.start_time_s
    probs_c = [1 - p / 100 for p in CHANGE_PERCENTILES]  # high S <=> low change
    probs_eta = [p / 100 for p in ETA_PERCENTILES]
    if model == "anchored":
        f_mean, f_var, _ = anchored_future_log_rate(state, drift)
        f_var += state.timing_var
        drift_mean, drift_var = f_mean, f_var
        mix = drift.mixture()
        y = _log_gamma_minus_normal_quantiles(m, f_mean, f_var, probs_c, mix)
        y_eta = _log_gamma_minus_normal_quantiles(m + 1, f_mean, f_var, probs_eta, mix)
        s_q = np.exp(y)
        s_eta = np.exp(y_eta)
    elif model == "window":
        past_days = state.rate_span_s / SECONDS_PER_DAY
        future_days = m * e_s / l_int / SECONDS_PER_DAY
        horizon = past_days + future_days
        drift_mean = drift.mu_per_day * horizon / 2
        drift_var = drift.sigma2_per_day * horizon / 3 + state.timing_var
        s_q = e_s * np.exp(_log_ratio_quantiles(m, l_int, drift_mean, drift_var, probs_c))
        s_eta = e_s * np.exp(_log_ratio_quantiles(m + 1, l_int, drift_mean, drift_var, probs_eta))
    else:
        raise ValueError(f"unknown model {model!r}")
    # the target never exceeds the pow limit: difficulty cannot fall below ~1
    floor = 100.0 * (difficulty_from_bits(bits_from_target(MAINNET.pow_limit)) / d_now - 1.0)
    change = {
        p: max(100.0 * _change_share_from_timespan(elapsed + float(v)), floor)
        for p, v in zip(CHANGE_PERCENTILES, s_q, strict=True)
    }
    # the first block at the new difficulty comes one interval after the last one
    eta = {p: state.as_of_s + float(v) for p, v in zip(ETA_PERCENTILES, s_eta, strict=True)}
    # RESEARCH.md 3.4 closed form: S / T_obs ~ BetaPrime(m, n), current epoch only
    closed: dict[int, float] = {}
    if n >= 1 and elapsed > 0:
        for p, q in zip(CHANGE_PERCENTILES, probs_c, strict=True):
            b = float(special.betaincinv(m, n, q))  # BetaPrime(m, n) quantile = b / (1 - b)
            closed[p] = 100.0 * _change_share_from_timespan(elapsed * (1 + b / (1 - b)))
    return DifficultyProjection(
        exact=False,
        change_pct=change,
        next_difficulty={p: d_now * (1 + c / 100.0) for p, c in change.items()},
        retarget_eta_s=eta,
        closed_form_change_pct=closed,
        mempool_change_pct=mp_change,
        mempool_eta_s=mp_eta,
        drift_mean=drift_mean,
        drift_var=drift_var,
    )


def blocks_eta(
    state: EpochState,
    drift: DriftParams,
    blocks_ahead: int,
    percentiles: Sequence[int] = ETA_PERCENTILES,
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
        Percentile -> time. [Unix s]

    Notes
    -----
    Same model as :func:`project_difficulty`: the wait is ``E B e^-delta`` with
    ``B ~ BetaPrime(blocks_ahead, L)``.
    """
    if blocks_ahead < 1:
        raise ValueError("blocks_ahead must be >= 1")
    e_s = state.rate_exposure_s
    l_int = state.rate_intervals
    horizon = (state.rate_span_s + blocks_ahead * e_s / l_int) / SECONDS_PER_DAY
    mean = drift.mu_per_day * horizon / 2
    var = drift.sigma2_per_day * horizon / 3 + state.timing_var
    y = _log_ratio_quantiles(blocks_ahead, l_int, mean, var, [p / 100 for p in percentiles])
    return {p: state.as_of_s + e_s * math.exp(v) for p, v in zip(percentiles, y, strict=True)}


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
    The generative form of the anchored model: the remaining time is ``S = G e^-x`` with
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
    floor = difficulty_from_bits(bits_from_target(MAINNET.pow_limit)) / d_now - 1.0
    if m <= 0:
        if state.tip_time_s is None:
            raise ValueError("an epoch's last block needs its time for the exact answer")
        new_bits = next_bits(state.bits, 0, round(state.tip_time_s - state.start_time_s))
        return np.full(size, difficulty_from_bits(new_bits) / d_now - 1.0)
    f_mean, f_var, _ = anchored_future_log_rate(state, drift)
    f_var += state.timing_var
    mix = drift.mixture()
    weights = np.array([w for w, _ in mix])
    factors = np.array([f for _, f in mix])
    comp = rng.choice(len(mix), size=size, p=weights / weights.sum())
    x = f_mean + np.sqrt(max(f_var, 0.0) * factors[comp]) * rng.standard_normal(size)
    remaining_s = rng.gamma(m, 1.0, size) * np.exp(-x)
    elapsed = state.as_of_s - state.start_time_s
    span = np.clip(elapsed + remaining_s, TIMESPAN_S / 4, TIMESPAN_S * 4)
    out: np.ndarray = np.maximum(TIMESPAN_S / span - 1.0, floor)
    return out
