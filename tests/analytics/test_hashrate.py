"""Hash-rate estimators: published interval tables, hand-derived cases, seeded simulation."""

from __future__ import annotations

import numpy as np
import pytest

from minerscope.analytics.hashrate import (
    HASHES_PER_DIFFICULTY,
    core_network_hashps,
    exposure_s_per_hash,
    gamma_interval_factors,
    garwood_count_interval,
    hashrate_fixed_blocks,
    hashrate_fixed_time,
    hashrate_from_counts,
    work_from_difficulty,
)


@pytest.mark.parametrize(
    ("n", "lo", "hi"),
    [
        (120, 0.836, 1.197),  # RESEARCH.md 3.3 table (Core's default window)
        (144, 0.849, 1.178),  # one day
        (1008, 0.940, 1.064),  # one week
        (2016, 0.957, 1.045),  # one epoch
    ],
)
def test_gamma_interval_matches_research_table(n: int, lo: float, hi: float) -> None:
    # Interval relative to the unbiased estimate (n - 1) / A: Gamma quantiles / (n - 1).
    g_lo, g_hi = gamma_interval_factors(n, 0.95)
    assert g_lo / (n - 1) == pytest.approx(lo, abs=6e-4)
    assert g_hi / (n - 1) == pytest.approx(hi, abs=6e-4)


@pytest.mark.parametrize(
    ("k", "lo", "hi"),
    [(0, 0.0, 3.689), (1, 0.0253, 5.572), (10, 4.795, 18.39)],  # Garwood (1936) table, 95%
)
def test_garwood_published_values(k: int, lo: float, hi: float) -> None:
    g_lo, g_hi = garwood_count_interval(k, 0.95)
    assert g_lo == pytest.approx(lo, abs=5e-4)
    assert g_hi == pytest.approx(hi, abs=5e-3)


def test_work_per_difficulty_is_2_pow_48_over_65535() -> None:
    # 2**256 / (0xFFFF * 2**208 + 1) = 2**48 / 65535 to 1e-15: 4,295,032,833.000015
    got = HASHES_PER_DIFFICULTY
    assert got == pytest.approx(4_295_032_833.000015, rel=1e-12)
    assert work_from_difficulty(1.0) == pytest.approx(4_295_032_833.0, rel=1e-12)


def test_fixed_blocks_hand_example() -> None:
    # Three 600 s intervals at W = 6e20: A = 1800 / 6e20 = 3e-18 s/hash.
    # MLE 3 / A = 1e18 H/s (Core's figure too: 3 * 6e20 / 1800); unbiased 2 / A = 6.667e17.
    w = 6 * 10**20
    est = hashrate_fixed_blocks([0, 600, 1200, 1800], [w, w, w])
    assert est.mle_hps == pytest.approx(1e18, rel=1e-12)
    assert est.core_hps == pytest.approx(1e18, rel=1e-12)
    assert est.estimate_hps == pytest.approx(2e18 / 3, rel=1e-12)
    assert est.n_blocks == 3
    assert est.span_s == 1800
    # Gamma(3) 2.5% and 97.5% quantiles: 0.6187 and 7.2247 (chi2 with 6 df / 2)
    assert est.lower_hps == pytest.approx(0.6187 / 3e-18, rel=1e-3)
    assert est.upper_hps == pytest.approx(7.2247 / 3e-18, rel=1e-3)


def test_fixed_blocks_across_a_retarget_sums_time_over_work() -> None:
    # Two intervals at W and two at 2W, each taking 600 s and 1200 s: A = 4 * 600 / W,
    # so the MLE is W / 600: the same hash rate on both sides of the retarget.
    w = 10**21
    est = hashrate_fixed_blocks([0, 600, 1200, 2400, 3600], [w, w, 2 * w, 2 * w])
    assert est.mle_hps == pytest.approx(w / 600, rel=1e-12)
    # Core divides the summed work by the span: 6W / 3600 = W / 600 as well
    assert est.core_hps == pytest.approx(w / 600, rel=1e-12)


def test_core_figure_uses_min_and_max_time() -> None:
    # Out-of-order timestamps: span = max - min = 1500 - 0, work = 3 * 3e20
    assert core_network_hashps([0, 1500, 900, 1200], [3 * 10**20] * 3) == pytest.approx(6e17)
    assert core_network_hashps([5, 5], [10]) == 0.0


def test_exposure_telescopes_and_splits_at_retarget() -> None:
    # Window [0, 1000]; blocks at 100 and 400 (work 1e20), then mining at work 2e20.
    e = exposure_s_per_hash([100, 400], [1e20, 1e20], 0, 1000, 2e20)
    assert e == pytest.approx(400 / 1e20 + 600 / 2e20, rel=1e-12)
    assert exposure_s_per_hash([], [], 0, 1000, 5e19) == pytest.approx(1000 / 5e19)


def test_fixed_time_window_hand_example() -> None:
    # 10 blocks of work 6e20 in a 6000 s window: estimate 10 * 6e20 / 6000 = 1e18 H/s,
    # interval Garwood(10) * W / tau = [4.795, 18.39] * 1e17.
    times = np.arange(1, 11) * 600 - 300
    est = hashrate_fixed_time(times, np.full(10, 6e20), start_s=0, end_s=6000)
    assert est.estimate_hps == pytest.approx(1e18, rel=1e-12)
    assert est.lower_hps == pytest.approx(4.795e17, rel=1e-3)
    assert est.upper_hps == pytest.approx(18.39e17, rel=1e-3)
    assert est.core_hps is None


def test_daily_counts_estimate() -> None:
    # 144 blocks at difficulty 1e14 in one day: 144 * 1e14 * 4,295,032,833 / 86,400 H/s
    est = hashrate_from_counts(144, float(work_from_difficulty(1e14)), 86_400)
    assert est.estimate_hps / 1e18 == pytest.approx(715.8388, rel=1e-6)
    # Garwood(144): [121.44, 169.53] blocks
    assert est.lower_hps / est.estimate_hps == pytest.approx(121.44 / 144, rel=1e-4)
    assert est.upper_hps / est.estimate_hps == pytest.approx(169.53 / 144, rel=1e-4)


def test_bad_windows_raise() -> None:
    with pytest.raises(ValueError):
        hashrate_fixed_blocks([0, 600], [10])
    with pytest.raises(ValueError):
        hashrate_fixed_blocks([0, 0, 0], [10, 10])
    with pytest.raises(ValueError):
        hashrate_fixed_time([], [], start_s=0, end_s=0)


def test_simulated_poisson_coverage_and_bias_constant_rate() -> None:
    # Seeded simulation: 144-block windows, true H = 1e18 H/s, W = 6e20 (600 s blocks).
    rng = np.random.default_rng(0)
    h_true, w, n, reps = 1e18, 6e20, 144, 100_000
    a = rng.gamma(n, 1.0, size=reps) / h_true  # sum of n exponential(t / W) draws
    lo_f, hi_f = gamma_interval_factors(n)
    cover = np.mean((lo_f / a <= h_true) & (h_true <= hi_f / a))
    assert 0.94 <= cover <= 0.96
    mean_err = np.mean((n - 1) / a) / h_true - 1
    assert abs(mean_err) < 0.001
    assert np.mean(n / a) / h_true - 1 == pytest.approx(1 / (n - 1), abs=0.001)  # MLE bias
    del w


def test_simulated_arrivals_time_window_with_drift() -> None:
    # Blocks from a Poisson process whose hash rate grows 10% over a 7-day window
    # (time-rescaled unit-rate arrivals); the truth is the time-average hash rate.
    rng = np.random.default_rng(1)
    w, tau, reps = 6e20, 7 * 86_400.0, 20_000
    h0, growth = 1e18, np.log(1.1)
    mean_h = h0 * (np.exp(growth) - 1) / growth
    lam_total = mean_h * tau / w  # expected blocks
    hits = 0
    errs = []
    for _ in range(reps):
        k = rng.poisson(lam_total)
        est = hashrate_from_counts(int(k), w, tau)
        hits += est.lower_hps <= mean_h <= est.upper_hps
        errs.append(est.estimate_hps / mean_h - 1)
    assert 0.94 <= hits / reps <= 0.96
    assert abs(np.mean(errs)) < 0.001
