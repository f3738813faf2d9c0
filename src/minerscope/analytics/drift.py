"""The log-hash-rate drift the difficulty projection extrapolates with, fitted on finished
epochs only (pure: difficulties in, parameters out).

Epoch ``k``'s mean hash rate is ``2015 W_k / T_k`` with ``T_k = 1,209,600 D_k / D_{k+1}``
(the retarget rule, unclamped), hence proportional to ``D_{k+1}``: the stored difficulties
give every finished epoch's mean log hash rate. With ``log H`` a random walk with drift
``mu`` and volatility ``sigma`` per day, adjacent changes ``Delta_k = log D_{k+1} - log D_k``
have mean ``mu (T_{k-1} + T_k) / 2`` and variance ``sigma^2 (T_{k-1} + T_k) / 3 + 2/2015``
(averages of a Brownian motion, plus the Poisson noise of 2015 intervals twice).

**The model, fixed in advance (issue 8 item 7).** ``mu`` is a prequential exponentially
weighted mean of past growth rates ``g_k = Delta_k / ((T_{k-1} + T_k) / 2)`` (weights
``2^(-age / h)`` times the span); ``sigma^2`` comes from the last 52 *one-step-ahead* errors
of that predictor (so it includes the error of the drift estimate itself), the kurtosis
of the tail mixture from the last 208. The half-life ``h`` is chosen from
:data:`HALF_LIFE_CANDIDATES` as the one whose one-step predictions of all earlier epoch
changes scored the best mean log predictive density: a rule applied the same way at every
epoch, using only epochs finished before it (:func:`drift_path`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..units import SECONDS_PER_DAY
from .epochstate import INTERVALS_PER_EPOCH, TIMESPAN_S

#: Half-lives tried by the selection rule. [epochs]
HALF_LIFE_CANDIDATES: tuple[float, ...] = (2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
SIGMA_LOOKBACK_EPOCHS = 52  # one-step errors behind sigma
KURTOSIS_LOOKBACK_EPOCHS = 208  # one-step errors behind the tail shape
MIN_HISTORY_EPOCHS = 4  # growth rates needed before the drift predicts
TAIL_WEIGHT = 0.2  # weight of the wide component of the two-normal mixture
MAX_KURTOSIS = 9.0
POISSON_EPOCH_VAR = 2.0 / INTERVALS_PER_EPOCH  # var of log(2015/Gamma(2015)), twice
_POW_LIMIT_DIFFICULTY = 1.0  # difficulty at the pow limit: durations are not measured there
_LOG_2PI = math.log(2.0 * math.pi)


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
        One-step errors behind ``sigma2_per_day``. [epochs]
    kurtosis : float
        Kurtosis of the one-step errors (3 for a normal walk; hash rate has jumps: miner
        bans, storms). [1]
    half_life_epochs : float or None
        Half-life of the drift's exponential weights (None: a trailing plain mean, the
        v0.1 model). [epochs]
    """

    mu_per_day: float = 0.0
    sigma2_per_day: float = 0.0
    epochs_used: int = 0
    kurtosis: float = 3.0
    half_life_epochs: float | None = None

    def mixture(self) -> list[tuple[float, float]]:
        """Two normal components ``(weight, variance factor)`` with variance 1 and this
        kurtosis: 0.8 N(0, a) + 0.2 N(0, 5 - 4a), ``a = 1 - sqrt(k / 3 - 1) / 2`` (hand
        derivation: 0.8 a + 0.2 b = 1 and 3 (0.8 a^2 + 0.2 b^2) = k); k capped at 9."""
        return _mixture(self.kurtosis)


def _mixture(kurtosis: float) -> list[tuple[float, float]]:
    k = min(max(kurtosis, 3.0), MAX_KURTOSIS)
    a = 1.0 - math.sqrt(k / 3.0 - 1.0) / 2.0
    return [(1.0 - TAIL_WEIGHT, a), (TAIL_WEIGHT, 5.0 - 4.0 * a)]


@dataclass(frozen=True)
class _Changes:
    """Epoch changes ``Delta_k`` (index ``k - 1``) with their spans, from difficulties."""

    delta: np.ndarray  # log D_{k+1} - log D_k, k = 1 .. e-1
    span_days: np.ndarray  # T_{k-1} + T_k
    valid: np.ndarray  # all three difficulties above the pow limit


def _changes(d: np.ndarray) -> _Changes:
    dur_days = TIMESPAN_S / SECONDS_PER_DAY * d[:-1] / d[1:]  # T_k, k = 0 .. e-1
    delta = np.diff(np.log(d))[1:]
    span = dur_days[:-1] + dur_days[1:]
    above = d > _POW_LIMIT_DIFFICULTY * (1 + 1e-9)
    valid = above[:-2] & above[1:-1] & above[2:]
    return _Changes(delta, span, valid)


def _log_mixture_pdf(err: np.ndarray, var: np.ndarray, kurtosis: np.ndarray) -> np.ndarray:
    """Log density of the two-normal mixture with variance ``var`` and this kurtosis."""
    k = np.clip(kurtosis, 3.0, MAX_KURTOSIS)
    a = 1.0 - np.sqrt(k / 3.0 - 1.0) / 2.0
    terms = []
    for weight, factor in ((1.0 - TAIL_WEIGHT, a), (TAIL_WEIGHT, 5.0 - 4.0 * a)):
        v = var * factor
        terms.append(math.log(weight) - 0.5 * (_LOG_2PI + np.log(v) + err**2 / v))
    out: np.ndarray = np.logaddexp(terms[0], terms[1])
    return out


@dataclass(frozen=True)
class _Candidate:
    """Prequential quantities of one half-life for every epoch change."""

    mu_next: np.ndarray  # drift predicted for change j from changes before j (len n + 1)
    err: np.ndarray  # one-step error of change j (NaN where not predicted)
    score: np.ndarray  # its log predictive density (NaN where not scored)
    sigma2: np.ndarray  # sigma^2 from the errors before j (len n + 1)
    kurt: np.ndarray  # kurtosis from the errors before j (len n + 1)
    used: np.ndarray  # errors behind sigma2 (len n + 1)


def _candidate(
    ch: _Changes,
    half_life: float,
    sigma_lookback: int = SIGMA_LOOKBACK_EPOCHS,
    kurtosis_lookback: int = KURTOSIS_LOOKBACK_EPOCHS,
) -> _Candidate:
    n = len(ch.delta)
    lam = 0.5 ** (1.0 / half_life)
    mu_next = np.full(n + 1, np.nan)
    err = np.full(n, np.nan)
    num = den = 0.0
    count = 0
    for j in range(n + 1):
        if count >= MIN_HISTORY_EPOCHS:
            mu_next[j] = num / den
        if j < n and ch.valid[j]:
            if count >= MIN_HISTORY_EPOCHS:
                err[j] = ch.delta[j] - mu_next[j] * ch.span_days[j] / 2
            num = lam * num + ch.delta[j]
            den = lam * den + ch.span_days[j] / 2
            count += 1
    # trailing statistics of the errors known before each change (prefix sums over the
    # finite errors, indexed by change)
    sigma2 = np.zeros(n + 1)
    kurt = np.full(n + 1, 3.0)
    used = np.zeros(n + 1, dtype=np.int64)
    idx = np.flatnonzero(np.isfinite(err))
    e = err[idx]
    s3 = ch.span_days[idx] / 3
    c2 = np.concatenate(([0.0], np.cumsum(e**2)))
    c4 = np.concatenate(([0.0], np.cumsum(e**4)))
    cs = np.concatenate(([0.0], np.cumsum(s3)))
    known = np.searchsorted(idx, np.arange(n + 1))  # errors strictly before change j
    for lookback, out in ((sigma_lookback, "sigma"), (kurtosis_lookback, "kurt")):
        hi = known
        lo = np.maximum(hi - lookback, 0)
        cnt = hi - lo
        with np.errstate(invalid="ignore", divide="ignore"):
            m2 = (c2[hi] - c2[lo]) / cnt
            if out == "sigma":
                ms = (cs[hi] - cs[lo]) / cnt
                sigma2 = np.where(cnt >= 2, np.maximum(m2 - POISSON_EPOCH_VAR, 0.0) / ms, 0.0)
                used = cnt
            else:
                m4 = (c4[hi] - c4[lo]) / cnt
                kurt = np.where((cnt >= 2) & (m2 > 0), m4 / m2**2, 3.0)
    var = sigma2[:n] * ch.span_days / 3 + POISSON_EPOCH_VAR
    score = np.full(n, np.nan)
    ok = np.isfinite(err) & (used[:n] >= 2)
    score[ok] = _log_mixture_pdf(err[ok], var[ok], kurt[:n][ok])
    return _Candidate(mu_next, err, score, sigma2, kurt, used)


def drift_path(
    difficulties: ArrayLike, *, candidates: Sequence[float] = HALF_LIFE_CANDIDATES
) -> list[DriftParams]:
    """The drift each epoch is projected with, for every epoch, in one pass.

    Parameters
    ----------
    difficulties : array_like
        Difficulty of epochs ``0 .. E``. [unitless]
    candidates : sequence of float
        Half-lives the rule chooses from. [epochs]

    Returns
    -------
    list of DriftParams
        Entry ``e`` (``e = 0 .. E``) uses only the difficulties of epochs ``0 .. e`` (those
        known when epoch ``e`` starts): ``drift_path(d)[e] == drift_path(d[:e + 1])[e]``.

    Notes
    -----
    Change ``j`` (``Delta_{j+1} = log D_{j+2} - log D_{j+1}``) is known once epoch ``j + 2``
    starts, so epoch ``e`` may use changes ``j <= e - 2``; the prequential arrays are
    indexed so that entry ``j`` only involves changes before ``j``. The half-life of epoch
    ``e`` maximises the summed log predictive density of the changes known at ``e``.
    """
    d = np.asarray(difficulties, dtype=float)
    n_epochs = len(d)
    if n_epochs < 3:
        return [DriftParams() for _ in range(n_epochs)]
    ch = _changes(d)
    cands = [_candidate(ch, h) for h in candidates]
    scores = np.array([np.nan_to_num(c.score, nan=0.0) for c in cands])  # (H, n)
    cum = np.concatenate((np.zeros((len(cands), 1)), np.cumsum(scores, axis=1)), axis=1)
    out: list[DriftParams] = []
    for e in range(n_epochs):
        j = e - 1  # number of changes known at epoch e (changes 0 .. e - 2)
        if j < 1:
            out.append(DriftParams())
            continue
        best = int(np.argmax(cum[:, j]))  # ties: the shortest half-life
        c = cands[best]
        mu = c.mu_next[j]
        if not np.isfinite(mu):
            out.append(DriftParams())
            continue
        out.append(
            DriftParams(
                mu_per_day=float(mu),
                sigma2_per_day=float(c.sigma2[j]),
                epochs_used=int(c.used[j]),
                kurtosis=float(c.kurt[j]),
                half_life_epochs=float(candidates[best]),
            )
        )
    return out


def fit_drift(
    difficulties: ArrayLike,
    *,
    lookback_epochs: int = SIGMA_LOOKBACK_EPOCHS,
    mu_lookback_epochs: int | None = None,
    kurtosis_lookback_epochs: int = KURTOSIS_LOOKBACK_EPOCHS,
    half_life_epochs: float | None = None,
) -> DriftParams:
    """Fit the log-hash-rate random walk on completed epochs (no look-ahead).

    Parameters
    ----------
    difficulties : array_like
        Difficulty of epochs ``0 .. e`` where ``e`` is the current epoch (its difficulty is
        known when it starts). Only these are used. [unitless]
    lookback_epochs : int
        Trailing errors behind ``sigma`` (52 in the shipped model). [epochs]
    mu_lookback_epochs : int, optional
        Given: the v0.1 model, a trailing plain mean of the last ``mu_lookback_epochs``
        growth rates, ``sigma`` from the residuals around it (in-sample). [epochs]
    kurtosis_lookback_epochs : int
        Trailing errors behind the kurtosis. [epochs]
    half_life_epochs : float, optional
        Use this half-life instead of the selection rule. [epochs]

    Returns
    -------
    DriftParams
        The last entry of :func:`drift_path` by default (see the module docstring).
    """
    d = np.asarray(difficulties, dtype=float)
    if len(d) < 3:
        return DriftParams()
    if mu_lookback_epochs is not None:
        return _trailing_mean_drift(
            d, lookback_epochs, mu_lookback_epochs, kurtosis_lookback_epochs
        )
    if (
        half_life_epochs is None
        and lookback_epochs == SIGMA_LOOKBACK_EPOCHS
        and kurtosis_lookback_epochs == KURTOSIS_LOOKBACK_EPOCHS
    ):
        return drift_path(d)[-1]
    cands = (half_life_epochs,) if half_life_epochs is not None else HALF_LIFE_CANDIDATES
    ch = _changes(d)
    best: DriftParams | None = None
    best_score = -math.inf
    for h in cands:
        c = _candidate(ch, h, lookback_epochs, kurtosis_lookback_epochs)
        j = len(d) - 2
        total = float(np.nansum(c.score[:j]))
        if best is None or total > best_score:
            mu = c.mu_next[j]
            best_score = total
            best = (
                DriftParams()
                if not np.isfinite(mu)
                else DriftParams(float(mu), float(c.sigma2[j]), int(c.used[j]), float(c.kurt[j]), h)
            )
    assert best is not None
    return best


def _trailing_mean_drift(
    d: np.ndarray, lookback: int, mu_lookback: int, kurt_lookback: int
) -> DriftParams:
    """The v0.1 fit: trailing plain mean drift, sigma and kurtosis from its residuals."""
    ch = _changes(d)
    delta = ch.delta[ch.valid]
    span = ch.span_days[ch.valid]
    if len(delta) < 1:
        return DriftParams()
    n_sig = min(lookback, len(delta))
    n_mu = min(mu_lookback, len(delta))
    mu = float(np.sum(delta[-n_mu:]) / np.sum(span[-n_mu:] / 2))
    resid = delta[-n_sig:] - mu * span[-n_sig:] / 2
    num = float(np.mean(resid**2)) - POISSON_EPOCH_VAR
    sigma2 = max(num, 0.0) / float(np.mean(span[-n_sig:] / 3))
    n_k = min(kurt_lookback, len(delta))
    r_k = delta[-n_k:] - mu * span[-n_k:] / 2
    m2 = float(np.mean(r_k**2))
    kurt = float(np.mean(r_k**4)) / m2**2 if m2 > 0 else 3.0
    return DriftParams(mu, sigma2, n_sig, kurt, None)


__all__ = ["HALF_LIFE_CANDIDATES", "DriftParams", "drift_path", "fit_drift"]
