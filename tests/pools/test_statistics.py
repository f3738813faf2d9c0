"""Pool statistics on hand-checked and published cases (analytics.pools, pure)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special

from minerscope.analytics.pools import (
    binomial_two_sided_p,
    clopper_pearson,
    concentration,
    daily_counts,
    earnings_per_day,
    hhi,
    nakamoto_coefficient,
    poisson_rate_bounds,
    pool_statistics,
)


def test_clopper_pearson_published_and_hand_values() -> None:
    # R's documentation of binom.test (Mendel's peas, Conover 1971): 682 of 925,
    # 95 percent confidence interval 0.7076683 0.7654066.
    lo, hi = clopper_pearson(682, 925)
    assert (float(lo), float(hi)) == pytest.approx((0.7076683, 0.7654066), abs=1e-7)
    # k = 0: upper = 1 - 0.025^(1/10) = 1 - exp(ln(0.025)/10) = 1 - exp(-0.368888)
    #          = 1 - 0.691503 = 0.308497; k = n: lower = 0.691503 (by symmetry).
    lo, hi = clopper_pearson([0, 10], [10, 10])
    assert lo.tolist() == pytest.approx([0.0, 0.691503], abs=1e-6)
    assert hi.tolist() == pytest.approx([0.308497, 1.0], abs=1e-6)
    # 5 of 10: symmetric about 1/2 (R binom.test(5, 10): 0.1870860 0.8129140).
    lo, hi = clopper_pearson(5, 10)
    assert (float(lo), float(hi)) == pytest.approx((0.1870860, 0.8129140), abs=1e-7)
    with pytest.raises(ValueError):
        clopper_pearson(11, 10)


def test_binomial_p_value_published_and_hand_values() -> None:
    # R binom.test(682, 925, p = 3/4): p-value = 0.3825.
    assert binomial_two_sided_p(682, 925, 0.75) == pytest.approx(0.3825, abs=5e-5)
    # 0 of 10 at p = 0.2: P(0) = 0.8^10 = 0.107374; the outcomes no more likely are 0 and
    # 4..10: P(X >= 4) = 1 - (0.107374 + 0.268435 + 0.301990 + 0.201327) = 0.120874;
    # p = 0.107374 + 0.120874 = 0.228248.
    assert binomial_two_sided_p(0, 10, 0.2) == pytest.approx(0.228248, abs=1e-6)
    # The mode itself: every outcome is no more likely, p = 1.
    assert binomial_two_sided_p(2, 10, 0.2) == 1.0
    assert binomial_two_sided_p(0, 5, 0.0) == 1.0 and binomial_two_sided_p(1, 5, 0.0) == 0.0


def test_pool_hashrate_bounds_from_chi_square_tables() -> None:
    # 3 blocks of a pool in a window of exposure E = 6000 s/hash... take E = 1: the bounds
    # are chi2(0.025; 6)/2 = 1.2373/2 = 0.61867 and chi2(0.975; 8)/2 = 17.5345/2 = 8.76727
    # (chi-square table, e.g. NIST/SEMATECH e-Handbook 1.3.6.7.4).
    lo, hi = poisson_rate_bounds([3, 0], 1.0)
    assert lo.tolist() == pytest.approx([0.61867, 0.0], abs=2e-5)
    assert hi[0] == pytest.approx(8.76727, abs=2e-5)
    # 0 blocks: upper chi2(0.975; 2)/2 = -ln(0.025) = 3.68888.
    assert hi[1] == pytest.approx(3.68888, abs=1e-5)


def test_pool_hashrate_interval_is_the_product_of_share_and_network() -> None:
    # Share bounds: Clopper-Pearson's Beta(k, n-k+1) (lower) and Beta(k+1, n-k) (upper);
    # network rate: Garwood's upper posterior Gamma(n+1) / E. Their product has exactly
    # the Gamma(k) / Gamma(k+1) quantiles used for the pool (Beta(a,b) Gamma(a+b) = Gamma(a)).
    rng = np.random.default_rng(7)
    k, n, exposure, draws = 30, 144, 2.0, 400_000
    net = rng.gamma(n + 1, size=draws) / exposure
    lower_mc = np.quantile(rng.beta(k, n - k + 1, size=draws) * net, 0.025)
    upper_mc = np.quantile(rng.beta(k + 1, n - k, size=draws) * net, 0.975)
    lo, hi = poisson_rate_bounds([k], exposure)
    assert lower_mc == pytest.approx(lo[0], rel=0.01)
    assert upper_mc == pytest.approx(hi[0], rel=0.01)
    # Multiplying the ends of the two 95 % intervals is wider (13 % lower here): not shipped.
    s_lo, _ = clopper_pearson(k, n)
    naive_lo = float(s_lo) * special.gammaincinv(n, 0.025) / exposure
    assert naive_lo < 0.9 * lo[0]


def test_pool_hashrate_interval_covers_on_simulated_windows() -> None:
    # One week of a 20 % pool at a constant hash rate: network blocks ~ Poisson(1008),
    # the pool's ~ Binomial(network, 0.2). Garwood is exact-conservative: >= 95 %.
    rng = np.random.default_rng(11)
    truth, exposure = 0.2 * 1008.0, 1.0  # H_i * E, in blocks
    net = rng.poisson(1008, size=40_000)
    k = rng.binomial(net, 0.2)
    lo, hi = poisson_rate_bounds(k, exposure)
    coverage = float(np.mean((lo <= truth) & (truth <= hi)))
    assert 0.95 <= coverage <= 0.965


def test_pool_statistics_small_case() -> None:
    # 10 attributed blocks: A 5, B 3, unknown 2; trailing window 20 blocks: A 4, B 12, C 4.
    # Network 10 blocks at work W over tau with exposure E: H_net = 10 W / tau; take
    # W / tau = 1e18 (H_net = 1e19 H/s) and E = 10 / 1e19 (mle = n / E = H_net).
    stats = pool_statistics(
        {"a": 5, "b": 3, "unknown": 2},
        {"a": 4, "b": 12, "c": 4},
        network_hps=1e19,
        exposure_s_per_hash=10 / 1e19,
    )
    a, b, u = stats
    assert [s.slug for s in stats] == ["a", "b", "unknown"]
    assert (a.share, b.share, u.share) == (0.5, 0.3, 0.2)
    # R binom.test(3, 10): 0.06673951 0.65245285
    assert (b.share_lower, b.share_upper) == pytest.approx((0.06673951, 0.65245285), abs=1e-7)
    # a: trailing 4/20 = 0.2 -> expected 2 blocks, found 5: luck 250 %
    assert (a.trailing_share, a.expected_blocks, a.luck_share) == (0.2, 2.0, 2.5)
    assert a.luck_p_value == pytest.approx(binomial_two_sided_p(5, 10, 0.2))
    assert b.luck_share == pytest.approx(3 / (0.6 * 10))
    assert u.trailing_share is None and u.luck_share is None and u.luck_p_value is None
    # hash rate: 0.5 x 1e19; bounds chi2(0.025; 10)/2 = 1.62349 and chi2(0.975; 12)/2 =
    # 11.66833 blocks over E = 1e-18: [1.62349e18, 1.166833e19].
    assert a.hashrate_hps == 5e18
    assert (a.hashrate_lower_hps, a.hashrate_upper_hps) == pytest.approx(
        (1.62349e18, 1.166833e19), rel=1e-5
    )
    with pytest.raises(ValueError):
        pool_statistics({}, {})


def test_hhi_and_nakamoto_hand_values() -> None:
    assert hhi([5, 3, 2], 10) == pytest.approx(0.25 + 0.09 + 0.04)  # 0.38
    assert nakamoto_coefficient([5, 3, 2], 10) == 2  # 50 % is not more than half
    assert nakamoto_coefficient([6, 4], 10) == 1
    # unknown blocks count in the total as no pool: A 4, B 3 of 10
    assert hhi([4, 3], 10) == pytest.approx(0.16 + 0.09)
    assert nakamoto_coefficient([4, 3], 10) == 2
    assert nakamoto_coefficient([2, 2], 10) is None  # 40 % known: no majority at all


def test_concentration_bootstrap() -> None:
    # Two pools 600/400 of 1,000: HHI = 0.36 + 0.16 = 0.52. By the delta method
    # dHHI/ds = 2s - 2(1 - s) = 0.4, sd(s) = sqrt(0.24 / 1000) = 0.01549, so sd(HHI) =
    # 0.0062 and the 95 % interval is about 0.52 +- 0.0121 (+ bias (1 - HHI)/n = 0.0005).
    c = concentration([600, 400], 0, rng=np.random.default_rng(3))
    assert c.hhi_share == pytest.approx(0.52)
    assert c.hhi_lower_share == pytest.approx(0.5084, abs=0.002)
    assert c.hhi_upper_share == pytest.approx(0.5326, abs=0.002)
    assert (c.nakamoto, c.nakamoto_lower, c.nakamoto_upper) == (1, 1, 1)  # 6.5 sd from 50 %
    assert c.draws == 2_000 and c.unknown_share == 0.0
    again = concentration([600, 400], 0, rng=np.random.default_rng(3))
    assert again == c  # seeded: the same data gives the same intervals
    # Near the line: 3 pools of 34/33/33 % -> Nakamoto 2, and 1 is impossible.
    close = concentration([340, 330, 330], 0, rng=np.random.default_rng(3))
    assert (close.nakamoto, close.nakamoto_lower, close.nakamoto_upper) == (2, 2, 2)
    # Mostly unknown: some draws have no majority.
    few = concentration([31, 20], 49, rng=np.random.default_rng(3))
    assert few.nakamoto == 2 and few.nakamoto_upper is None and few.unknown_share == 0.49


def test_earnings_and_daily_counts() -> None:
    # pool 0: two blocks of 3.125 + 0.02 BTC at $70,000 and $80,000; pool 1: one block
    # of 3.125 BTC with no price. Over 2 days: pool 0 = 6.29 / 2 = 3.145 BTC/day and
    # (3.145 x 70,000 + 3.145 x 80,000) / 2 = 235,875 USD/day.
    btc, usd = earnings_per_day(
        [0, 1, 0], [314_500_000, 312_500_000, 314_500_000], [70_000.0, np.nan, 80_000.0],
        n_pools=2, days=2,
    )  # fmt: skip
    assert btc.tolist() == pytest.approx([3.145, 1.5625])
    assert usd[0] == pytest.approx(235_875.0) and np.isnan(usd[1])
    counts = daily_counts([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], n_days=3, n_pools=2)
    assert counts.tolist() == [[1, 1], [1, 2], [0, 0]]
