"""Difficulty projection: RESEARCH.md's BetaPrime table, exact last block, mempool, drift."""

from __future__ import annotations

import math

import numpy as np
import pytest

from minerscope.analytics.halving import epoch_duration_shares, halving_eta
from minerscope.analytics.projection import (
    INTERVALS_PER_EPOCH,
    TIMESPAN_S,
    DriftParams,
    EpochState,
    anchored_future_log_rate,
    blocks_eta,
    fit_drift,
    mempool_estimate,
    project_difficulty,
)


def _state(n: int, avg_s: float, **kw: object) -> EpochState:
    t = avg_s * n
    base: dict[str, object] = dict(
        epoch=463, bits=0x1701FCA1, start_time_s=0.0, blocks_mined=n + 1, as_of_s=t,
        tip_time_s=t, rate_intervals=n, rate_exposure_s=t, rate_span_s=t,
    )  # fmt: skip
    base.update(kw)
    return EpochState(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("n", "p5", "p50", "p95"),
    [  # RESEARCH.md 3.4 table: n intervals observed at a 696 s average
        (100, -27.1, -14.0, 0.5),
        (500, -19.2, -13.8, -8.2),
        (1000, -16.9, -13.7, -10.6),
        (1500, -15.6, -13.7, -11.9),
        (2000, -14.1, -13.7, -13.5),
    ],
)
def test_betaprime_table_without_drift(n: int, p5: float, p50: float, p95: float) -> None:
    proj = project_difficulty(_state(n, 696.0), DriftParams(), model="window")
    for got, want in (
        (proj.change_pct[5], p5),
        (proj.change_pct[50], p50),
        (proj.change_pct[95], p95),
    ):
        assert got == pytest.approx(want, abs=0.06)  # table is rounded to 0.1
    assert proj.closed_form_change_pct[50] == pytest.approx(proj.change_pct[50], abs=1e-3)
    assert not proj.exact


def test_mempool_estimate_hand_derived() -> None:
    # k = 1000 intervals (1001 blocks) in 696,000 s: 600 * 1001 / 696,000 - 1 = -13.707 %
    change, eta = mempool_estimate(_state(1000, 696.0))
    assert change == pytest.approx(-13.707, abs=1e-3)
    # ETA: now + (2016 - 1000) blocks * 696,000 / 1001 s
    assert eta == pytest.approx(696_000 + 1016 * 696_000 / 1001, rel=1e-12)


def test_mempool_early_window_rescales_previous_epoch() -> None:
    # k = 100 (< 503): span = dt + (t0 - t[h-503]) * (1 + prev); with dt = 60,000 s,
    # 403 earlier intervals over 241,800 s and prev = +10 %: span = 60,000 + 265,980;
    # change = 600 / (325,980 / 504) - 1 = -7.233 %
    s = _state(100, 600.0, mempool_window_start_s=-241_800.0, prev_change_share=0.10)
    change, _ = mempool_estimate(s)
    assert change == pytest.approx(100 * (600 / (325_980 / 504) - 1), abs=1e-9)
    assert change == pytest.approx(-7.233, abs=1e-3)


def test_last_block_is_exact_real_epoch_452() -> None:
    # ../shared/data/difficulty_adjustments_real_911232_933407.csv, epoch 452: first block
    # 1755895678, last 1757048905, bits 17022b91 -> 170211ac, change +4.8888 %.
    s = EpochState(
        epoch=452, bits=0x17022B91, start_time_s=1755895678.0, blocks_mined=2016,
        as_of_s=1757048905.0, tip_time_s=1757048905.0, rate_intervals=2015,
        rate_exposure_s=1_153_227.0, rate_span_s=1_153_227.0,
    )  # fmt: skip
    proj = project_difficulty(s, DriftParams(0.001, 0.0001))
    assert proj.exact
    assert int(proj.extra["next_bits"]) == 0x170211AC
    assert proj.change_pct[5] == proj.change_pct[95] == pytest.approx(4.8888, abs=1e-4)


def test_drift_moves_the_median_and_widens_the_interval() -> None:
    base = project_difficulty(_state(1000, 696.0), DriftParams(), model="window")
    grow = project_difficulty(_state(1000, 696.0), DriftParams(0.002, 0.0), model="window")
    wide = project_difficulty(_state(1000, 696.0), DriftParams(0.0, 5e-5), model="window")
    # growth makes the rest of the epoch faster: a higher change
    assert grow.change_pct[50] > base.change_pct[50]
    # drift mean = mu * (P + F) / 2 with P = 8.06 d, F = 1015 * 696 s = 8.18 d
    assert grow.drift_mean == pytest.approx(0.002 * (696_000 + 1015 * 696) / 86_400 / 2)
    assert wide.change_pct[95] - wide.change_pct[5] > base.change_pct[95] - base.change_pct[5]
    assert wide.change_pct[50] == pytest.approx(base.change_pct[50], abs=0.05)


def test_fit_drift_constant_growth() -> None:
    # D_k = 1.02**k: every epoch lasts 14 d / 1.02; mu = ln 1.02 / (14 / 1.02) per day;
    # no scatter, so sigma^2 = max(0 - 2/2015, 0) = 0
    d = 1e12 * 1.02 ** np.arange(60)
    fit = fit_drift(d, lookback_epochs=52)
    assert fit.mu_per_day == pytest.approx(math.log(1.02) / (14 / 1.02), rel=1e-9)
    assert fit.sigma2_per_day == 0.0
    assert fit.epochs_used == 52


def test_fit_drift_uses_only_the_given_epochs() -> None:
    d = 1e12 * 1.01 ** np.arange(40)
    later = np.concatenate((d, [d[-1] * 3]))  # a jump after the cut must not matter
    assert fit_drift(d).mu_per_day == fit_drift(later[:40]).mu_per_day


def test_blocks_eta_ordering() -> None:
    s = _state(1000, 600.0)
    eta = blocks_eta(s, DriftParams(), 144)
    assert s.as_of_s < eta[10] < eta[50] < eta[90]
    # Gamma(144) median / rate ~ 143.7 blocks * 600 s: within 2 % of a day
    assert eta[50] - s.as_of_s == pytest.approx(86_400, rel=0.02)


def test_epoch_duration_shares_from_difficulties() -> None:
    # D rises 10 %: that epoch took 1/1.1 of two weeks
    assert epoch_duration_shares([100.0, 110.0, 110.0]).tolist() == pytest.approx([1 / 1.1, 1.0])


def test_halving_eta_at_target_spacing() -> None:
    # Every historical epoch took exactly two weeks; the retarget is certain at t = 0;
    # 2016 * 10 blocks later = 10 epochs of 1,209,600 * 2016 / 2015 s.
    eta = halving_eta(
        as_of_s=-100.0, retarget_eta_s={10: 0.0, 50: 0.0, 90: 0.0}, retarget_height=2016,
        halving_height=2016 * 11, duration_shares=np.ones(30), rng=np.random.default_rng(0),
    )  # fmt: skip
    assert eta[50] == pytest.approx(10 * 1_209_600 * 2016 / 2015, rel=1e-9)


def test_anchored_model_without_drift_pools_both_epochs() -> None:
    # sigma = mu = 0: the previous epoch (2015 intervals in its retarget-set span, i.e. a
    # log rate of log(2015 / 1,209,600) at this difficulty, variance 1/2015) and this
    # epoch (psi(n) - log T, variance psi'(n)) measure one level: precision-weighted mean.
    from scipy import special

    n, t = 1000, 696_000.0
    s = _state(n, 696.0, prev_change_share=-0.0328)
    mean, var, _ = anchored_future_log_rate(s, DriftParams())
    y_prev, v_prev = math.log(INTERVALS_PER_EPOCH / TIMESPAN_S), 1 / INTERVALS_PER_EPOCH
    y_cur, v_cur = special.digamma(n) - math.log(t), special.polygamma(1, n)
    want = (y_prev / v_prev + y_cur / v_cur) / (1 / v_prev + 1 / v_cur)
    assert mean == pytest.approx(want, abs=1e-6)
    assert var == pytest.approx(1 / (1 / v_prev + 1 / v_cur), rel=1e-3)


def test_anchored_model_first_block_uses_the_retarget_anchor() -> None:
    # One block mined (n = 0): the only evidence is the previous epoch; with no drift the
    # future rate is 2015 / 1,209,600 per second, so the median change is ~0.
    s = _state(0, 600.0, blocks_mined=1, as_of_s=0.0, tip_time_s=0.0, prev_change_share=0.05)
    mean, var, _ = anchored_future_log_rate(s, DriftParams())
    assert mean == pytest.approx(math.log(2015 / 1_209_600), abs=1e-3)
    assert var == pytest.approx(1 / 2015, rel=1e-2)
    proj = project_difficulty(s, DriftParams())
    assert abs(proj.change_pct[50]) < 0.1
    assert proj.change_pct[5] < -3 and proj.change_pct[95] > 3  # Poisson alone: ~ +-3.7 %


def test_drift_mixture_keeps_unit_variance() -> None:
    for k in (3.0, 4.5, 6.0, 9.0):
        mix = DriftParams(kurtosis=k).mixture()
        assert sum(w * f for w, f in mix) == pytest.approx(1.0)
        assert 3 * sum(w * f * f for w, f in mix) == pytest.approx(k)
