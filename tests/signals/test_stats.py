"""The statistics of the studies: stationary bootstrap, circular shifts, Wilson, Poisson ratio."""

from __future__ import annotations

import numpy as np
import pytest

from minerscope.signals.stats import (
    bootstrap_group_stats,
    circular_shift_test,
    percentile_interval,
    poisson_ratio_interval,
    stationary_bootstrap_counts,
    stationary_bootstrap_indices,
    wilson_interval,
)


def _breaks(idx: np.ndarray, n: int) -> np.ndarray:
    """Positions (after the first) where a resample does not continue with index + 1."""
    nxt = (idx[:, :-1] + 1) % n
    return idx[:, 1:] != nxt


def test_stationary_bootstrap_blocks_have_the_mean_length() -> None:
    n, b = 400, 20.0
    idx = stationary_bootstrap_indices(n, b, 2_000, np.random.default_rng(1))
    assert idx.shape == (2_000, 400) and idx.min() >= 0 and idx.max() == n - 1
    # A new block starts with probability 1/b = 0.05 at each position; a new block that
    # happens to start at index + 1 (chance 1/n) is not visible: 0.05 * (1 - 1/400).
    rate = _breaks(idx, n).mean()
    assert rate == pytest.approx(0.05 * (1 - 1 / n), abs=0.002)
    # Every index is equally likely (circular wrapping): 2,000 draws each, sd ~ sqrt(2,000 * b).
    counts = np.bincount(idx.ravel(), minlength=n)
    assert abs(counts.mean() - 2_000) < 1e-9
    assert counts.std() / counts.mean() < 0.15


@pytest.mark.parametrize(("n", "block"), [(37, 5.0), (300, 180.0), (20, 400.0), (9, 1.0)])
def test_counts_are_the_bincounts_of_the_indices(n: int, block: float) -> None:
    # The same generator state gives the same resamples; blocks longer than the series
    # (block 400 on 20 days) wrap around more than once.
    idx = stationary_bootstrap_indices(n, block, 300, np.random.default_rng(4))
    counts = stationary_bootstrap_counts(n, block, 300, np.random.default_rng(4))
    expected = np.stack([np.bincount(row, minlength=n) for row in idx])
    assert np.array_equal(counts, expected)
    assert np.all(counts.sum(axis=1) == n)


def test_stationary_bootstrap_wraps_around_and_is_seeded() -> None:
    a = stationary_bootstrap_indices(50, 1e12, 200, np.random.default_rng(7))
    b = stationary_bootstrap_indices(50, 1e12, 200, np.random.default_rng(7))
    assert np.array_equal(a, b)
    # One block per resample (p = 1e-12): each resample is a rotation of 0..49.
    for row in a:
        assert np.array_equal(row, (np.arange(50) + row[0]) % 50)
    with pytest.raises(ValueError):
        stationary_bootstrap_indices(10, 0.5, 1, np.random.default_rng(0))


def test_bootstrap_of_rotations_returns_the_observed_statistics() -> None:
    # With one block per resample every resample holds each day exactly once, so each
    # group statistic equals the observed one: signal returns 0.3, 0.1, -0.1 -> hit 2/3,
    # mean 0.1, lower median 0.1; others -0.2, 0.5 -> hit 1/2, mean 0.15, lower median -0.2.
    s = np.array([0, 1, 1, 1, 0], dtype=bool)
    r = np.array([-0.2, 0.3, 0.1, -0.1, 0.5])
    d = bootstrap_group_stats(s, r, mean_block=1e12, draws=50, rng=np.random.default_rng(3))
    assert np.allclose(d.hit_signal, 2 / 3) and np.allclose(d.hit_other, 0.5)
    assert np.allclose(d.hit_all, 3 / 5)
    assert np.allclose(d.mean_signal, 0.1) and np.allclose(d.mean_other, 0.15)
    assert np.allclose(d.mean_all, 0.12)
    assert np.allclose(d.median_signal, 0.1) and np.allclose(d.median_other, -0.2)
    assert np.allclose(d.median_all, 0.1)
    assert d.empty_signal_share == 0.0


def test_bootstrap_statistics_equal_brute_force_on_the_same_resamples() -> None:
    # The same seed gives the same resamples as stationary_bootstrap_indices: each group's
    # hit rate, mean and lower median, computed directly on every resample, must agree.
    rng = np.random.default_rng(21)
    n = 97
    r = rng.normal(0.1, 1.0, n)
    s = rng.random(n) < 0.3
    idx = stationary_bootstrap_indices(n, 8.0, 200, np.random.default_rng(9))
    d = bootstrap_group_stats(s, r, mean_block=8.0, draws=200, rng=np.random.default_rng(9))

    def lower_median(x: np.ndarray) -> float:
        return float(np.sort(x)[(len(x) - 1) // 2]) if len(x) else np.nan

    for row, ix in enumerate(idx):
        rs, ss = r[ix], s[ix]
        assert d.hit_signal[row] == pytest.approx(np.mean(rs[ss] > 0))
        assert d.mean_other[row] == pytest.approx(np.mean(rs[~ss]))
        assert d.median_signal[row] == lower_median(rs[ss])
        assert d.median_other[row] == lower_median(rs[~ss])
        assert d.median_all[row] == lower_median(rs)


def test_iid_bootstrap_of_a_mean_matches_its_standard_error() -> None:
    # mean_block = 1 is the ordinary bootstrap: the sd of the resampled mean of 1,000
    # N(0, 1) draws is 1 / sqrt(1,000) = 0.0316.
    rng = np.random.default_rng(11)
    r = rng.normal(0.0, 1.0, 1_000)
    s = np.zeros(1_000, dtype=bool)
    s[:500] = True
    d = bootstrap_group_stats(s, r, mean_block=1.0, draws=2_000, rng=rng)
    assert np.std(d.mean_all) == pytest.approx(1 / np.sqrt(1_000), rel=0.08)
    assert np.mean(d.mean_all) == pytest.approx(r.mean(), abs=0.003)
    lo, hi = percentile_interval(d.mean_all)
    assert lo < r.mean() < hi
    assert hi - lo == pytest.approx(2 * 1.96 / np.sqrt(1_000), rel=0.1)


def test_block_bootstrap_widens_the_interval_of_persistent_series() -> None:
    # A signal that holds for whole years and returns that overlap: the iid bootstrap
    # (block 1) pretends 1,800 independent days; blocks of 180 days do not.
    rng = np.random.default_rng(5)
    years = np.repeat(rng.normal(0.2, 0.5, 10), 180)
    s = np.repeat(np.arange(10) % 2 == 0, 180)
    wide = bootstrap_group_stats(s, years, mean_block=180, draws=1_000, rng=rng)
    narrow = bootstrap_group_stats(s, years, mean_block=1, draws=1_000, rng=rng)
    assert np.nanstd(wide.mean_signal) > 5 * np.nanstd(narrow.mean_signal)


def test_circular_shift_test_by_hand() -> None:
    # One signal day of six, the only positive outcome. Shifts 1..5 always land on a
    # negative: the null difference is 0 - 1/6 every time; observed 1 - 1/6 = 5/6;
    # no shifted value is as far from the null mean: p = (1 + 0) / (1 + 5) = 1/6.
    hit, mean = circular_shift_test([1, 0, 0, 0, 0, 0], [1, -1, -1, -1, -1, -1], min_shift=1)
    assert hit.observed == pytest.approx(5 / 6)
    assert hit.p_value == pytest.approx(1 / 6)
    assert hit.shifts == 5
    assert hit.null_mean == pytest.approx(-1 / 6)
    # mean outcome: observed 1 - (-4/6) = 5/3
    assert mean.observed == pytest.approx(5 / 3)
    assert mean.p_value == pytest.approx(1 / 6)


def test_circular_shift_test_excludes_short_lags() -> None:
    s = np.zeros(10)
    s[2:5] = 1
    hit, _ = circular_shift_test(s, np.linspace(-1, 1, 10), min_shift=3)
    assert hit.shifts == 10 - 2 * 3 + 1  # lags 3..7
    with pytest.raises(ValueError):
        circular_shift_test(np.ones(10), np.ones(10), min_shift=1)
    with pytest.raises(ValueError):
        circular_shift_test(s, np.ones(10), min_shift=6)


def test_wilson_interval_published_values() -> None:
    # Newcombe (1998), Statistics in Medicine 17:857-872, Table I: 81/263 -> 0.2553-0.3662.
    lo, hi = wilson_interval(81, 263)
    assert (round(lo, 4), round(hi, 4)) == (0.2553, 0.3662)
    # 7/10 by hand: z = 1.95996, z^2/n = 0.384146, centre = (0.7 + 0.192073) / 1.384146
    # = 0.644493, half = z sqrt(0.021 + 0.0096036) / 1.384146 = 0.247716 -> [0.3968, 0.8922]
    lo, hi = wilson_interval(7, 10)
    assert lo == pytest.approx(0.39678, abs=1e-5) and hi == pytest.approx(0.89221, abs=1e-5)
    assert wilson_interval(0, 5)[0] == 0.0
    assert np.isnan(wilson_interval(0, 0)[0])


def test_poisson_ratio_interval_by_hand_and_coverage() -> None:
    # 100 against 100 events at equal exposure: Clopper-Pearson for 100 of 200 is
    # [0.428658, 0.571342] (scipy.stats.binomtest(100, 200), exact), so the ratio's
    # interval is [0.428658 / 0.571342, 0.571342 / 0.428658] = [0.75027, 1.33286].
    ratio, lo, hi = poisson_ratio_interval(100, 1.0, 100, 1.0)
    assert float(ratio) == 1.0
    assert float(lo) == pytest.approx(0.75027, abs=1e-5)
    assert float(hi) == pytest.approx(1.33286, abs=1e-5)
    # Exposure scales the rates: 100 events over 2 units against 100 over 1 -> ratio 0.5.
    ratio, lo, hi = poisson_ratio_interval(100, 2.0, 100, 1.0)
    assert float(ratio) == 0.5 and float(hi) == pytest.approx(1.33286 / 2, abs=1e-5)
    # Coverage on simulated counts (exact intervals are conservative: at least 95 %).
    rng = np.random.default_rng(2)
    ka = rng.poisson(4_000, 4_000)
    kb = rng.poisson(4_400, 4_000)
    _, lo, hi = poisson_ratio_interval(ka, 1.0, kb, 1.1)  # true ratio (4000/1) / (4400/1.1) = 1
    cover = np.mean((lo <= 1.0) & (hi >= 1.0))
    assert 0.94 <= cover <= 0.97
