"""The event-study engine, hand-checked on a tiny synthetic series."""

from __future__ import annotations

import math

import numpy as np
import pytest

from minerscope.signals.series import (
    crosses,
    forward_return,
    growth,
    halving_era,
    non_overlapping,
    runs,
    trailing_mean,
)
from minerscope.signals.stats import wilson_interval
from minerscope.signals.study import event_study, quick_stats

DAY = 86_400
NAN = math.nan
# 12 days. Day 0 has no signal yet, day 11 no forward return yet: the sample is days 1..10.
SIGNAL = np.array([NAN, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0])
RETURNS = np.array([0.1, -0.2, 0.3, 0.1, -0.1, 0.2, -0.3, 0.05, 0.4, -0.2, 0.6, NAN])
ERA = np.array([2] * 6 + [3] * 6)
DAYS = np.arange(12) * DAY + 1_600_000_000 // DAY * DAY


def _study(**kw: object) -> object:
    return event_study(SIGNAL, RETURNS, DAYS, ERA, horizon_days=2,
                       rng=np.random.default_rng(0), resamples=500, **kw)  # type: ignore[arg-type]  # fmt: skip


def test_groups_by_hand() -> None:
    st = _study()
    assert st.sample_days == 10 and st.horizon_days == 2
    # signal days 2, 3, 4, 9, 10: returns 0.3, 0.1, -0.1, -0.2, 0.6
    # hit 3/5; mean 0.7 / 5 = 14 %; median 0.1 = 10 %
    sig = st.signal
    assert sig.days == 5 and sig.hit_rate_share == pytest.approx(0.6)
    assert sig.mean_return_pct == pytest.approx(14.0)
    assert sig.median_return_pct == pytest.approx(10.0)
    assert sig.episodes == 2  # runs 2-4 and 9-10
    # non-overlapping 2-day windows: keep 2, then >= 4 -> 4, then >= 6 -> 9 (then >= 11)
    assert sig.non_overlapping_windows == 3
    # their returns 0.3, -0.1, -0.2: 1 of 3 positive, Wilson interval of 1/3
    assert sig.non_overlapping_hit_rate_share == pytest.approx(1 / 3)
    assert sig.non_overlapping_hit_rate_lower_share == pytest.approx(wilson_interval(1, 3)[0])
    # other days 1, 5, 6, 7, 8: -0.2, 0.2, -0.3, 0.05, 0.4 -> hit 3/5, mean 3 %, median 5 %
    oth = st.complement
    assert oth.days == 5 and oth.hit_rate_share == pytest.approx(0.6)
    assert oth.mean_return_pct == pytest.approx(3.0)
    assert oth.median_return_pct == pytest.approx(5.0)
    assert oth.episodes == 2 and oth.non_overlapping_windows == 3  # kept 1, 5, 7
    # all ten days: hit 6/10, mean 0.85 / 10 = 8.5 %, median (0.05 + 0.1) / 2 = 7.5 %
    allg = st.unconditional
    assert allg.days == 10 and allg.hit_rate_share == pytest.approx(0.6)
    assert allg.mean_return_pct == pytest.approx(8.5)
    assert allg.median_return_pct == pytest.approx(7.5)
    assert allg.episodes == 1
    assert st.first_date == "2020-09-14" and st.last_date == "2020-09-23"


def test_tests_by_hand() -> None:
    st = _study()
    # Positions 0..9 = days 1..10; signal at 1, 2, 3, 8, 9; hits y = 0 1 1 0 1 0 1 1 0 1.
    # Shifts 2..8 give 1, 4, 3, 3, 3, 2, 4 hits of 5 -> differences from 0.6:
    # -0.4, 0.2, 0, 0, 0, -0.2, 0.2 (mean -0.2/7); observed 0: every shift is as far
    # from the null mean -> p = (1 + 7) / (1 + 7) = 1.
    assert st.hit_rate_test.observed == pytest.approx(0.0)
    assert st.hit_rate_test.shifts == 7
    assert st.hit_rate_test.p_value == pytest.approx(1.0)
    # Mean returns of the shifted signal days: -0.02, 0.07, 0.03, 0.07, 0.14, -0.01, 0.23;
    # minus 0.085: mean c = -0.085/7; observed 0.14 - 0.085 = 0.055, |0.055 - c| = 0.06714;
    # shifts at least as far: -0.105, 0.055 (tie), -0.095, 0.145 -> p = (1 + 4) / 8.
    assert st.mean_return_test.observed == pytest.approx(0.055)
    assert st.mean_return_test.p_value == pytest.approx(5 / 8)


def test_bootstrap_settings_and_eras() -> None:
    st = _study(mean_block_days=1.0)
    assert st.bootstrap.mean_block_days == 2.0  # raised to the horizon
    assert st.bootstrap.resamples == 500
    lo, hi = st.signal.hit_rate_lower_share, st.signal.hit_rate_upper_share
    assert 0.0 <= lo <= 0.6 <= hi <= 1.0
    era2, era3 = st.eras
    # era 2 = days 1-5: signal 0.3, 0.1, -0.1 (2/3), others -0.2, 0.2 (1/2)
    assert (era2.era, era2.subsidy_btc, era2.first_date) == (2, 12.5, "2020-09-14")
    assert era2.signal.days == 3 and era2.signal.hit_rate_share == pytest.approx(2 / 3)
    assert era2.complement.hit_rate_share == pytest.approx(0.5)
    assert math.isnan(era2.signal.hit_rate_lower_share)  # no bootstrap per era
    # era 3 = days 6-10: signal -0.2, 0.6 (1/2), others -0.3, 0.05, 0.4 (2/3)
    assert era3.signal.hit_rate_share == pytest.approx(0.5)
    assert era3.complement.hit_rate_share == pytest.approx(2 / 3)


def test_quick_stats_agrees_with_the_full_study() -> None:
    st = _study()
    q = quick_stats(SIGNAL, RETURNS, horizon_days=2)
    assert q.signal_days == 5 and q.episodes == 2 and q.non_overlapping_windows == 3
    assert q.hit_rate_signal_share == pytest.approx(0.6)
    assert q.mean_return_complement_pct == pytest.approx(3.0)
    assert q.hit_rate_p_value == pytest.approx(st.hit_rate_test.p_value)
    assert q.mean_return_p_value == pytest.approx(st.mean_return_test.p_value)


def test_empty_sample_is_an_error() -> None:
    with pytest.raises(ValueError, match="no day"):
        event_study(np.full(5, NAN), np.zeros(5), np.arange(5) * DAY, np.zeros(5),
                    horizon_days=1, rng=np.random.default_rng(0))  # fmt: skip


def test_series_helpers_by_hand() -> None:
    assert np.allclose(trailing_mean([1, 2, 3, 4], 2), [NAN, 1.5, 2.5, 3.5], equal_nan=True)
    assert np.isnan(trailing_mean([1, NAN, 3], 2)).all()
    assert np.allclose(growth([100, 110, 99], 1), [NAN, 0.1, -0.1], equal_nan=True)
    assert np.allclose(forward_return([100, 110, 99], 1), [0.1, -0.1, NAN], equal_nan=True)
    assert runs([0, 1, 1, 0, 1]) == [(1, 2), (4, 4)]
    up, down = crosses([1, 2, 1, 1], [1.5, 1.5, 1.5, 1.5])
    assert up.tolist() == [False, True, False, False]
    assert down.tolist() == [False, False, True, False]
    assert non_overlapping([0, 1, 2, 5, 6], 3).tolist() == [0, 5]
    # 50 BTC x 144, 25 BTC x 144, a halving day (72 at 25 + 72 at 12.5: mean 18.75, above
    # the geometric midpoint 17.68 -> era 1), no blocks (keeps era 1), a halving day with 20
    # at 25 and 124 at 12.5 (mean 14.24, log2(50 / 14.24) = 1.81 -> era 2), 12.5
    iss = np.array([50, 25, 18.75, 0, (20 * 25 + 124 * 12.5) / 144, 12.5]) * 144e8
    assert halving_era(iss, [144, 144, 144, 0, 144, 144]).tolist() == [0, 1, 1, 1, 2, 2]
