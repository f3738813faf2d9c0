"""The drift the projection extrapolates with: fitted on finished epochs only."""

from __future__ import annotations

import math

import numpy as np
import pytest

from minerscope.analytics.drift import (
    HALF_LIFE_CANDIDATES,
    POISSON_EPOCH_VAR,
    DriftParams,
    drift_path,
    fit_drift,
)


def test_fit_drift_constant_growth() -> None:
    # D_k = 1.02**k: every epoch lasts 14 d / 1.02; mu = ln 1.02 / (14 / 1.02) per day for
    # any weights; every one-step error is 0, so sigma^2 = max(0 - 2/2015, 0) = 0
    d = 1e12 * 1.02 ** np.arange(60)
    fit = fit_drift(d)
    assert fit.mu_per_day == pytest.approx(math.log(1.02) / (14 / 1.02), rel=1e-9)
    assert fit.sigma2_per_day == 0.0
    assert fit.epochs_used == 52
    assert fit.half_life_epochs in HALF_LIFE_CANDIDATES
    legacy = fit_drift(d, mu_lookback_epochs=52)  # the v0.1 trailing mean
    assert legacy.mu_per_day == pytest.approx(fit.mu_per_day, rel=1e-9)
    assert legacy.half_life_epochs is None


def test_fit_drift_uses_only_the_given_epochs() -> None:
    d = 1e12 * 1.01 ** np.arange(40)
    later = np.concatenate((d, [d[-1] * 3]))  # a jump after the cut must not matter
    assert fit_drift(d) == fit_drift(later[:40])


def _random_walk(increments: np.ndarray, mu: float = 0.02) -> np.ndarray:
    """Difficulties whose epoch changes are mu plus the given increments."""
    return 1e12 * np.exp(np.concatenate(([0.0], np.cumsum(mu + increments))))


def test_drift_path_never_looks_ahead() -> None:
    rng = np.random.default_rng(3)
    d = _random_walk(rng.normal(0, 0.05, 300))
    path = drift_path(d)
    for e in (10, 57, 150, 299):
        perturbed = d.copy()
        perturbed[e + 1 :] *= rng.uniform(0.3, 3.0, len(d) - e - 1)
        assert drift_path(perturbed)[e] == path[e]  # epochs after e changed, e did not
        assert drift_path(d[: e + 1])[-1] == path[e]


def test_one_step_variance_recovers_the_walk() -> None:
    # Gaussian epoch changes with sd 0.05 around a constant drift: Delta = mu T + eps with
    # T = (T_{k-1} + T_k) / 2 ~ 14 d; sigma^2 (2 T) / 3 + 2/2015 = Var(eps) + the EWMA's own
    # prediction error, so sigma^2 >= (0.05^2 - 2/2015) / (2 * 14 / 3) = 1.616e-4 per day
    rng = np.random.default_rng(11)
    d = _random_walk(rng.normal(0, 0.05, 400), mu=0.0)
    fit = drift_path(d)[-1]
    floor = (0.05**2 - POISSON_EPOCH_VAR) / (2 * 14 / 3)
    assert floor * 0.7 < fit.sigma2_per_day < floor * 2.5  # 52 errors: sd of var ~ 20 %


@pytest.mark.parametrize(("kind", "low", "high"), [("normal", 2.3, 4.0), ("laplace", 4.3, 20.0)])
def test_kurtosis_of_the_one_step_errors(kind: str, low: float, high: float) -> None:
    # Normal errors have kurtosis 3; Laplace 6 (the EWMA's prediction error, a normal-ish
    # average of past errors, pulls the measured value toward 3). 208 errors.
    rng = np.random.default_rng(5)
    eps = rng.normal(0, 0.05, 500) if kind == "normal" else rng.laplace(0, 0.05 / math.sqrt(2), 500)
    fit = drift_path(_random_walk(eps, mu=0.0))[-1]
    assert low < fit.kurtosis < high


def test_heavy_tails_widen_the_outer_quantiles_only() -> None:
    # same variance, kurtosis 9 vs 3: the 0.8/0.2 mixture narrows the core, widens the tails
    thin = DriftParams(kurtosis=3.0).mixture()
    heavy = DriftParams(kurtosis=9.0).mixture()
    assert thin == [(0.8, 1.0), (0.2, 1.0)]
    assert heavy[0][1] == pytest.approx(1 - math.sqrt(2) / 2)  # a = 1 - sqrt(9/3 - 1) / 2
    assert heavy[1][1] == pytest.approx(5 - 4 * (1 - math.sqrt(2) / 2))


def test_too_little_history() -> None:
    assert fit_drift([1.0, 1.0]) == DriftParams()
    assert drift_path([1e12, 1.1e12, 1.2e12])[0] == DriftParams()
