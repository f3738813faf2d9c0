"""Daily-row hash rate, retarget-day anchoring and drawdown."""

from __future__ import annotations

import numpy as np
import pytest

from minerscope.analytics.blocktimes import block_interval_stats, blocks_per_day
from minerscope.analytics.daily import daily_hashrate, height_at_end_of_day, retarget_blocks_on_day
from minerscope.analytics.drawdown import hashrate_drawdown


def test_retarget_blocks_on_day_hand_example() -> None:
    # 100 blocks at D = 100 and 44 at D = 110: mean (10,000 + 4,840) / 144 = 103.0556
    assert retarget_blocks_on_day(144, 14_840 / 144, 100.0, 110.0) == pytest.approx(44.0)
    assert retarget_blocks_on_day(144, 100.0, 100.0, 110.0) is None  # no new-epoch block
    assert retarget_blocks_on_day(144, 110.0, 100.0, 110.0) is None


def test_daily_hashrate_windows() -> None:
    # 144 blocks a day at D = 1e14: 715.8388 EH/s; 7-day window Garwood(1008) / 1008.
    k = np.full(10, 144.0)
    d = np.full(10, 1e14)
    est, lo, hi = daily_hashrate(k, d, window_days=7)
    assert np.isnan(est[5]) and np.isfinite(est[6])
    assert est[-1] / 1e18 == pytest.approx(715.8388, rel=1e-6)
    # chi2(0.025; 2016) / 2 = 946.05; chi2(0.975; 2018) / 2 = 1072.0 (for k = 1008)
    assert lo[-1] / est[-1] == pytest.approx(946.05 / 1008, rel=1e-3)
    assert hi[-1] / est[-1] == pytest.approx(1072.0 / 1008, rel=1e-3)


def test_daily_hashrate_skips_windows_with_missing_difficulty() -> None:
    est, _, _ = daily_hashrate([0, 0, 144, 144], [np.nan, np.nan, 1e14, 1e14], window_days=2)
    assert np.isnan(est[:3]).all() and np.isfinite(est[3])


def test_height_at_end_of_day_anchors_on_retargets() -> None:
    # Genesis day plus days of 1000 blocks; epochs of 2016 start at 0, 2016, 4032.
    # The running count is 3 blocks short of the true heights (like Coin Metrics'
    # cumulative BlkCnt); the retarget days' mean difficulties reveal the true heights.
    k = np.array([1.0, 999.0, 1000.0, 1000.0, 1000.0, 1000.0])
    cum = np.cumsum(k) - 1  # 0, 999, 1999, 2999, 3999, 4999
    true_eod = cum + 3  # 3, 1002, 2002, 3002, 4002, 5002
    d_old, d_new, d_3 = 1.0, 2.0, 3.0
    # day 3 (index 3): blocks 2003..3002, new-epoch blocks 2016..3002 = 987
    # day 5: blocks 4003..5002, new-epoch blocks 4032..5002 = 971
    day3 = (13 * d_old + 987 * d_new) / 1000
    day5 = (29 * d_new + 971 * d_3) / 1000
    dm = np.array([1.0, 1.0, 1.0, day3, 2.0, day5])
    heod, anchored = height_at_end_of_day(k, dm, [0, 2016, 4032], [d_old, d_new, d_3])
    assert anchored.tolist() == [False, False, False, True, False, True]
    assert heod.tolist() == true_eod.tolist()


def test_drawdown_step_down_is_half() -> None:
    # 144 blocks/day for 93 days, then 72/day for 7: the 7-day mean halves; peak is 144.
    k = np.concatenate((np.full(93, 144.0), np.full(7, 72.0)))
    dd = hashrate_drawdown(k, np.full(100, 1e14), rng=np.random.default_rng(0))
    assert dd.ratio_share == pytest.approx(0.5)
    assert dd.lower_share < dd.ratio_corrected_share <= dd.upper_share <= 1.0
    # noise on the max lowers the observed ratio; the correction raises it
    assert dd.ratio_corrected_share > dd.ratio_share


def test_drawdown_noisy_flat_series_interval_covers_no_change() -> None:
    # True hash rate constant: the observed 7-day mean sits below its noisy 90-day max.
    rng = np.random.default_rng(3)
    k = rng.poisson(144, size=96).astype(float)
    dd = hashrate_drawdown(k, np.full(96, 1e14), rng=np.random.default_rng(0))
    assert dd.ratio_share < 1.0
    assert dd.ratio_corrected_share > dd.ratio_share  # the max's noise is taken out
    assert dd.lower_share <= 1.0 <= dd.upper_share or dd.upper_share == 1.0


def test_block_interval_stats_hand_example() -> None:
    bt = block_interval_stats([0, 600, 1000, 2400])
    assert bt.mean_interval_s == 800.0
    assert bt.median_interval_s == 600.0
    assert bt.mean_lower_s < 800.0 < bt.mean_upper_s
    bpd = blocks_per_day(1008, 7)
    assert bpd.observed_per_day == 144.0
    assert bpd.expected_per_day == 144.0
