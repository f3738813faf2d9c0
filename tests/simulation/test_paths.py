"""Simulated paths: the float retarget against consensus, halvings on the path's own day,
bootstrapped epoch changes, price methods, the stationary bootstrap."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minerscope.analytics.projection import DriftParams
from minerscope.consensus import (
    MAINNET,
    bits_from_target,
    difficulty_from_bits,
    next_bits,
    target_from_bits,
)
from minerscope.economics.hashprice import hashvalue_btc_per_phs_day
from minerscope.simulation.bootstrap import stationary_indices
from minerscope.simulation.market import PriceModel, price_paths
from minerscope.simulation.network import (
    ChainStart,
    HashrateModel,
    HashrateShock,
    _step_integral,
    base_hashrate_hps,
    daily_hashvalue,
    simulate_network,
)
from minerscope.simulation.retarget import TIMESPAN_S, next_difficulty

DAY = 86_400
D0 = 141.67e12  # the touchstone's difficulty


# --- float retarget vs the exact integer rule ---------------------------------------------


@given(
    mantissa=st.integers(min_value=0x008000, max_value=0x7FFFFF),
    exponent=st.integers(min_value=0x17, max_value=0x1D),
    span_s=st.integers(min_value=1, max_value=6 * 1_209_600),
)
def test_float_retarget_agrees_with_next_bits(mantissa: int, exponent: int, span_s: int) -> None:
    bits = (exponent << 24) | mantissa
    if target_from_bits(bits) > MAINNET.pow_limit:
        bits = bits_from_target(MAINNET.pow_limit)
    exact = difficulty_from_bits(next_bits(bits, 0, span_s))
    approx = float(next_difficulty(difficulty_from_bits(bits), float(span_s)))
    new_mantissa = next_bits(bits, 0, span_s) & 0x7FFFFF
    # compact encoding truncates the target: difficulty up by < 1 unit of the new mantissa
    assert approx <= exact * (1 + 1e-12)
    assert exact <= approx * (1 + 1.0 / new_mantissa + 1e-12)


def test_float_retarget_clamps_and_floors() -> None:
    d = np.array([1e14, 1e14, 1e14, 1.5])
    span = np.array([TIMESPAN_S / 10, TIMESPAN_S * 10, TIMESPAN_S / 2, TIMESPAN_S * 4])
    out = next_difficulty(d, span)
    # clamp to [T/4, 4T]: x4 and x1/4; T/2 doubles; the pow limit floors difficulty at 1
    assert out.tolist() == [4e14, 2.5e13, 2e14, 1.0]


# --- the chain paths -----------------------------------------------------------------------


def _constant_start(tip: int) -> ChainStart:
    n = tip % 2016  # intervals already in this epoch, at exactly T/2015 each
    return ChainStart(D0, tip, elapsed_s=n * TIMESPAN_S / 2015, hashrate_hps=base_hashrate_hps(D0))


def test_constant_hash_rate_keeps_difficulty_and_600s_epochs() -> None:
    net = simulate_network(
        _constant_start(934_575), HashrateModel("fixed"), horizon_s=200 * DAY, paths=2,
        rng=np.random.default_rng(0),
    )  # fmt: skip
    assert np.allclose(net.difficulty, D0, rtol=1e-12)
    lengths = (net.end_s - net.start_s)[1:, 0]
    # a regime is 2016 intervals at 2015/T blocks per second: 1,209,600 * 2016/2015 s
    assert lengths == pytest.approx(np.full(len(lengths), 1_209_600 * 2016 / 2015))


def test_halving_halves_subsidy_revenue_on_the_paths_own_day() -> None:
    # tip 1,049,320 (1,000 blocks into epoch 520): block 1,050,000 is 680 blocks ahead
    tip = 1_049_320
    rng = np.random.default_rng(3)
    growth = HashrateModel("fixed", growth_per_epoch_share=0.10)
    net = simulate_network(_constant_start(tip), growth, horizon_s=40 * DAY, paths=2, rng=rng)
    # this epoch at the base rate: 679 intervals (block 1,049,999 is the parent) of
    # 1,209,600 / 2015 s = 407,601.99 s = 4.7176 days
    assert net.halving_s[0] == pytest.approx(np.full(2, 679 * 1_209_600 / 2015))
    hv, _ = daily_hashvalue(net, 10, 0.0)
    before = float(hashvalue_btc_per_phs_day(D0, 3.125))
    after = float(hashvalue_btc_per_phs_day(D0, 1.5625))
    assert hv[3, 0] == pytest.approx(before, rel=1e-12)
    assert hv[5, 0] == pytest.approx(after, rel=1e-12)
    frac = 679 * 1_209_600 / 2015 / DAY - 4  # share of day 4 before the halving: 0.7176
    assert hv[4, 0] == pytest.approx(before * frac + after * (1 - frac), rel=1e-12)
    # a path with twice the hash rate reaches block 1,050,000 in half the time
    fast = ChainStart(
        D0, tip, elapsed_s=1000 * TIMESPAN_S / 2015, hashrate_hps=2 * base_hashrate_hps(D0)
    )
    net2 = simulate_network(fast, growth, horizon_s=40 * DAY, paths=1, rng=rng)
    assert net2.halving_s[0, 0] == pytest.approx(net.halving_s[0, 0] / 2)


def test_step_integral_splits_a_step_inside_a_day() -> None:
    # f = 1 from t = 0, 3 from t = 1.5 days: day 0 = 86,400; day 1 = 0.5 d x 1 + 0.5 d x 3 =
    # 172,800; day 2 = 3 d = 259,200 [s x unit]; a second path steps exactly at day 1
    times = np.array([[0.0, 0.0], [1.5 * 86_400, 86_400.0]])
    dslope = np.array([[1.0, 1.0], [2.0, 2.0]])
    out = _step_integral(times, dslope, 3)
    np.testing.assert_array_equal(out[:, 0], [86_400.0, 172_800.0, 259_200.0])
    np.testing.assert_array_equal(out[:, 1], [86_400.0, 259_200.0, 259_200.0])


def test_fixed_growth_per_epoch_compounds_into_difficulty() -> None:
    net = simulate_network(
        _constant_start(934_575), HashrateModel("fixed", growth_per_epoch_share=0.05),
        horizon_s=120 * DAY, paths=1, rng=np.random.default_rng(0),
    )  # fmt: skip
    # D_{k+1} is set by the hash rate of regime k: regime 1 runs at 1.05 H, so D_2 = 1.05 D0
    ratios = net.difficulty[2:, 0] / net.difficulty[1:-1, 0]
    assert ratios == pytest.approx(np.full(len(ratios), 1.05), rel=1e-12)


def test_bootstrapped_epoch_changes_reproduce_the_sample_mean_and_sd() -> None:
    sample = np.random.default_rng(11).normal(0.02, 0.05, 104)  # an era's log-changes
    model = HashrateModel("bootstrap", epoch_log_changes=sample, mean_block_epochs=4)
    net = simulate_network(
        _constant_start(934_575), model, horizon_s=365 * DAY, paths=4000,
        rng=np.random.default_rng(5),
    )  # fmt: skip
    # from regime 2 on, log D_{k+1} - log D_k = the bootstrapped change of regime k
    ch = np.diff(np.log(net.difficulty[2:]), axis=0).ravel()
    n_eff = ch.size / 8  # blocks of 4 epochs, overlapping paths: a conservative effective size
    assert abs(ch.mean() - sample.mean()) < 4 * sample.std() / math.sqrt(n_eff)
    assert ch.std() == pytest.approx(sample.std(), rel=0.05)


def test_fitted_walk_has_the_fitted_drift_and_gamma_noise() -> None:
    drift = DriftParams(mu_per_day=0.002, sigma2_per_day=0.0004, epochs_used=52, kurtosis=3.0)
    net = simulate_network(
        _constant_start(934_575), HashrateModel("fitted", drift=drift), horizon_s=365 * DAY,
        paths=3000, rng=np.random.default_rng(9),
    )  # fmt: skip
    d = np.log(net.difficulty[:, 0:3000])
    # a year of growth at 0.2 %/day: log D after ~26 epochs rises by ~0.002 * elapsed days
    k = 20
    days = net.start_s[k].mean() / DAY
    assert np.mean(d[k] - d[1]) == pytest.approx(
        0.002 * (days - net.start_s[1].mean() / DAY), rel=0.1
    )
    # per-epoch changes: sigma^2 (2T/3) of Brownian means plus 2/2015 of Poisson noise
    ch = np.diff(d[3:12], axis=0).ravel()
    t = 14.0
    assert ch.var() == pytest.approx(0.0004 * 2 * t / 3 + 2 / 2015, rel=0.15)


def test_outage_slows_blocks_and_moves_the_retarget() -> None:
    start = _constant_start(934_000)
    base = simulate_network(start, HashrateModel("fixed"), horizon_s=30 * DAY, paths=1,
                            rng=np.random.default_rng(0))  # fmt: skip
    # half the hash rate from day 1 to day 3: two days of work take four
    shock = HashrateShock(np.array([0.0, DAY, 3 * DAY]), np.array([1.0, 0.5, 1.0]))
    hit = simulate_network(start, HashrateModel("fixed"), horizon_s=30 * DAY, paths=1,
                           rng=np.random.default_rng(0), shock=shock)  # fmt: skip
    assert hit.end_s[0, 0] == pytest.approx(base.end_s[0, 0] + DAY)
    # the retarget measured one more day over 2015 intervals: difficulty drops
    assert hit.difficulty[1, 0] == pytest.approx(D0 * TIMESPAN_S / (TIMESPAN_S + DAY), rel=1e-9)


# --- prices and the bootstrap --------------------------------------------------------------


def test_zero_volatility_gbm_is_the_growth_path_exactly() -> None:
    rng = np.random.default_rng(0)
    growth = price_paths(
        PriceModel("growth", price_usd=70_000, growth_per_year_share=0.2), days=730, paths=3,
        rng=rng,
    )  # fmt: skip
    gbm = price_paths(
        PriceModel("gbm", price_usd=70_000, mu_per_year=math.log1p(0.2), sigma_per_sqrt_year=0),
        days=730, paths=3, rng=rng,
    )  # fmt: skip
    assert np.array_equal(growth, gbm)
    # one year later: 70,000 * 1.2 = 84,000 (day 365.25 lies between days 365 and 366)
    assert growth[365, 0] < 84_000 < growth[366, 0]
    assert growth[0, 0] == 70_000


def test_price_bootstrap_reproduces_the_era_returns() -> None:
    returns = np.random.default_rng(2).normal(0.001, 0.03, 1500)
    idx = stationary_indices(1500, 730, 2000, mean_block=30, rng=np.random.default_rng(4))
    p = price_paths(
        PriceModel("bootstrap", price_usd=50_000, log_returns=returns), days=730, paths=2000,
        rng=np.random.default_rng(0), day_index=idx,
    )  # fmt: skip
    r = np.diff(np.log(p), axis=0)
    assert r.std() == pytest.approx(returns.std(), rel=0.03)
    assert abs(r.mean() - returns.mean()) < 0.0005


def test_stationary_bootstrap_blocks() -> None:
    idx = stationary_indices(1000, 5000, 50, mean_block=30, rng=np.random.default_rng(1))
    runs = np.diff(idx, axis=0) == 1
    # a new block starts with probability 1/30 (and a new start can follow on by chance)
    assert 1 - runs.mean() == pytest.approx(1 / 30, rel=0.1)
    counts = np.bincount(idx.ravel(), minlength=1000)
    assert counts.min() > 0 and counts.max() < 3 * counts.mean()  # every row is drawn
    with pytest.raises(ValueError, match="empty"):
        stationary_indices(0, 5, 5, mean_block=3, rng=np.random.default_rng(0))


def _stationary_by_definition(
    n: int, steps: int, paths: int, mean_block: float, seed: int
) -> npt.NDArray[np.int64]:
    """The bootstrap's definition step by step (the same random draws in the same order)."""
    rng = np.random.default_rng(seed)
    starts = np.minimum((rng.random((steps, paths), dtype=np.float32) * n).astype(np.int64), n - 1)
    new = rng.random((steps, paths), dtype=np.float32) < 1.0 / mean_block
    out = np.empty((steps, paths), dtype=np.int64)
    out[0] = starts[0]
    for t in range(1, steps):
        out[t] = np.where(new[t], starts[t], (out[t - 1] + 1) % n)
    return out


@pytest.mark.parametrize(
    ("n", "steps", "paths", "mean_block"),
    [
        (1456, 730, 64, 30.0),  # the roi case: wraps past the last row
        (5, 100, 7, 3.0),  # more steps than rows: runs wrap several times
        (1, 20, 3, 1.0),
        (12, 12, 9, 50.0),  # steps == rows: at most one wrap
        (2**31 - 3, 40, 200, 40.0),  # unwrapped indices beyond int32
    ],
)
def test_stationary_bootstrap_is_its_step_by_step_definition(
    n: int, steps: int, paths: int, mean_block: float
) -> None:
    idx = stationary_indices(n, steps, paths, mean_block=mean_block, rng=np.random.default_rng(9))
    assert idx.dtype == np.int32
    np.testing.assert_array_equal(idx, _stationary_by_definition(n, steps, paths, mean_block, 9))


def test_gbm_median_and_mean_after_a_year() -> None:
    # dP/P = mu dt + sigma dW: after one year the median is P0 exp(mu - sigma^2 / 2) =
    # exp(0.10 - 0.18) = 0.9231 P0 and the mean P0 exp(mu) = 1.1052 P0
    p = price_paths(
        PriceModel("gbm", price_usd=1.0, mu_per_year=0.10, sigma_per_sqrt_year=0.6),
        days=366, paths=10_000, rng=np.random.default_rng(8),
    )  # fmt: skip
    t = 365 / 365.25
    assert np.median(p[365]) == pytest.approx(math.exp((0.10 - 0.18) * t), rel=0.02)
    assert np.mean(p[365]) == pytest.approx(math.exp(0.10 * t), rel=0.03)
