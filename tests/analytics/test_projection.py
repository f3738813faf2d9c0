"""Difficulty projection: RESEARCH.md's BetaPrime table, the exact last block, mempool, the
anchored model, and the quantiles against a seeded Monte Carlo of their own model."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special

from minerscope.analytics.epochstate import (
    INTERVALS_PER_EPOCH,
    TIMESPAN_S,
    EpochState,
    epoch_state_from_daily,
)
from minerscope.analytics.halving import epoch_duration_shares, halving_eta
from minerscope.analytics.projection import (
    DriftParams,
    anchored_future_log_rate,
    blocks_eta,
    mempool_estimate,
    project_difficulty,
    sample_next_change,
    sample_retarget_time,
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
def test_betaprime_table_closed_form(n: int, p5: float, p50: float, p95: float) -> None:
    proj = project_difficulty(_state(n, 696.0), DriftParams())
    cf = proj.closed_form_change_pct
    for got, want in ((cf[5], p5), (cf[50], p50), (cf[95], p95)):
        assert got == pytest.approx(want, abs=0.06)  # table is rounded to 0.1
    assert not proj.exact


def test_closed_form_is_the_betaprime_quantile() -> None:
    # S / T ~ BetaPrime(m, n): p = 1 - q maps to the change 1,209,600 / (T (1 + b/(1-b))) - 1
    # with b the Beta(m, n) quantile (scipy as the independent reference)
    n, t = 1000, 696_000.0
    proj = project_difficulty(_state(n, 696.0), DriftParams())
    b = special.betaincinv(1015, 1000, 0.95)
    want = 100 * (TIMESPAN_S / (t * (1 + b / (1 - b))) - 1)
    # Newton stops once its step is below 1e-5 of the spread (error ~1e-10 of it)
    assert proj.closed_form_change_pct[5] == pytest.approx(want, abs=1e-6)


def test_mempool_estimate_hand_derived() -> None:
    # k = 1000 intervals (1001 blocks) in 696,000 s: 600 * 1001 / 696,000 - 1 = -13.707 %
    change, eta = mempool_estimate(_state(1000, 696.0))
    assert change == pytest.approx(-13.707, abs=1e-3)
    # ETA: now + (2016 - 1000) blocks * 696,000 / 1000 s (k intervals, as mempool)
    assert eta == pytest.approx(696_000 + 1016 * 696.0, abs=1e-6)


def test_mempool_early_window_rescales_previous_epoch() -> None:
    # k = 100 (< 503): span = dt + (t0 - t[h-503]) * (1 + prev); with dt = 60,000 s,
    # 403 earlier intervals over 241,800 s and prev = +10 %: span = 60,000 + 265,980;
    # change = 600 / (325,980 / 504) - 1 = -7.233 %
    s = _state(100, 600.0, mempool_window_start_s=-241_800.0, prev_change_share=0.10)
    change, eta = mempool_estimate(s)
    assert change == pytest.approx(100 * (600 / (325_980 / 504) - 1), abs=1e-9)
    assert change == pytest.approx(-7.233, abs=1e-3)
    # ETA: 1916 blocks at the adjusted average 325,980 / 503 = 648.071570... s (ms floor)
    assert eta == pytest.approx(60_000 + 1916 * 648.071, abs=1e-6)


def _epoch_452(as_of_s: float) -> EpochState:
    # ../shared/data/difficulty_adjustments_real_911232_933407.csv, epoch 452: first block
    # 1755895678, last 1757048905, bits 17022b91 -> 170211ac, change +4.8888 %.
    return EpochState(
        epoch=452, bits=0x17022B91, start_time_s=1755895678.0, blocks_mined=2016,
        as_of_s=as_of_s, tip_time_s=1757048905.0, rate_intervals=2015,
        rate_exposure_s=1_153_227.0, rate_span_s=1_153_227.0, prev_change_share=0.01,
    )  # fmt: skip


def test_last_block_is_exact_real_epoch_452() -> None:
    proj = project_difficulty(_epoch_452(1757048905.0), DriftParams(0.001, 0.0001))
    assert proj.exact
    assert int(proj.extra["next_bits"]) == 0x170211AC
    assert proj.change_pct[5] == proj.change_pct[95] == pytest.approx(4.8888, abs=1e-4)


@pytest.mark.parametrize("wait_s", [0.0, 600.0, 3 * 3600.0])
def test_last_block_etas_are_after_the_moment(wait_s: float) -> None:
    # the first block at the new difficulty: a wait after the moment, never before it
    as_of = 1757048905.0 + wait_s
    proj = project_difficulty(_epoch_452(as_of), DriftParams(0.001, 0.0001))
    eta = proj.retarget_eta_s
    assert as_of < eta[5] < eta[10] < eta[25] < eta[50] < eta[75] < eta[90] < eta[95]
    # exponential wait at the new difficulty (1.0489 times harder): median ~ ln 2 * 600 s
    assert eta[50] - as_of == pytest.approx(math.log(2) * 572.3 * 1.0489, rel=0.05)
    assert proj.mempool_eta_s >= as_of


def test_mempool_eta_is_never_shown_before_the_moment() -> None:
    # block 503 back is *later* than the epoch's first block (timestamps out of order):
    # mempool's span goes negative and its formula's ETA falls before now
    s = _state(10, 600.0, mempool_window_start_s=100_000.0, prev_change_share=0.0)
    proj = project_difficulty(s, DriftParams())
    assert proj.mempool_eta_formula_s < s.as_of_s
    assert proj.mempool_eta_s == s.as_of_s


def test_anchored_model_without_drift_pools_both_epochs() -> None:
    # sigma = mu = 0: the previous epoch (2015 intervals in its retarget-set span, i.e. a
    # log rate of log(2015 / 1,209,600) at this difficulty, variance 1/2015) and this
    # epoch (psi(n) - log T, variance psi'(n)) measure one level: precision-weighted mean.
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


def test_no_anchor_at_the_pow_limit() -> None:
    # 2009: difficulty 1 (the pow limit) for 15 epochs, each longer than two weeks; the
    # previous retarget measured nothing, so only this epoch's blocks count
    s = _state(1000, 900.0, bits=0x1D00FFFF, prev_change_share=0.0)
    mean, var, _ = anchored_future_log_rate(s, DriftParams())
    assert mean == pytest.approx(float(special.digamma(1000)) - math.log(900_000.0), abs=1e-12)
    # the level's flat prior has variance 1e4: var = v (1 - v / 1e4) to first order
    assert var == pytest.approx(float(special.polygamma(1, 1000)), rel=1e-6)


def test_drift_mixture_keeps_unit_variance() -> None:
    for k in (3.0, 4.5, 6.0, 9.0):
        mix = DriftParams(kurtosis=k).mixture()
        assert sum(w * f for w, f in mix) == pytest.approx(1.0)
        assert 3 * sum(w * f * f for w, f in mix) == pytest.approx(k)


def test_daily_timing_variance_hand_derived() -> None:
    # 144 blocks every day from day 0; heights end each day at 144 (d + 1) - 1. Epoch 1
    # starts at block 2016 = the 1st block of day 14 (j = 1 of k = 144): q = 1 / 145,
    # interpolated time 14 d + 86,400 / 145 = 1,210,195.86 s, variance
    # 86,400^2 q (1 - q) / 146 = 348,322 s^2. As of the end of day 21 (n = 1151 >= 504):
    # exposure = 22 d - 1,210,195.86 = 690,604.14 s; timing_var = 348,322 / 690,604.14^2.
    days = 30
    day_start = np.arange(days) * 86_400.0
    blocks = np.full(days, 144.0)
    heod = 144.0 * (np.arange(days) + 1) - 1
    s = epoch_state_from_daily(day_start, blocks, heod, [0x1D00FFFF, 0x1C00FFFF], day_index=21)
    assert s.start_time_s == pytest.approx(14 * 86_400 + 86_400 / 145, abs=1e-6)
    var_s = 86_400**2 * (1 / 145) * (144 / 145) / 146
    assert s.timing_var == pytest.approx(var_s / (22 * 86_400 - s.start_time_s) ** 2, rel=1e-12)
    # and it widens the predictive distribution
    wide = project_difficulty(s, DriftParams())
    narrow = project_difficulty(
        EpochState(**{**s.__dict__, "timing_var": 0.0}), DriftParams()
    )  # fmt: skip
    assert (wide.change_pct[95] - wide.change_pct[5]) > (
        narrow.change_pct[95] - narrow.change_pct[5]
    ) * 1.0001


MC_STATES = {
    # name: (state, drift) -- early with the anchor, mid-epoch, late, daily timing noise
    "early": (_state(200, 640.0, prev_change_share=0.04), DriftParams(0.002, 4e-5, 52, 6.0)),
    "mid": (_state(1000, 706.0, prev_change_share=-0.03), DriftParams(-0.001, 9e-5, 52, 8.0)),
    "late": (_state(1900, 580.0, prev_change_share=0.02), DriftParams(0.0, 2e-5, 52, 3.0)),
    "daily": (
        _state(700, 610.0, prev_change_share=0.01, timing_var=4e-4),
        DriftParams(0.001, 1e-4, 52, 5.0),
    ),
}


@pytest.mark.parametrize("name", sorted(MC_STATES))
def test_quantiles_match_a_seeded_monte_carlo_of_the_model(name: str) -> None:
    # 400,000 draws of the generative model: the share of draws below each predicted
    # quantile is binomial with sd sqrt(p (1 - p) / N) <= 0.00079; allow 5 sd (0.004)
    state, drift = MC_STATES[name]
    n_draws = 400_000
    proj = project_difficulty(state, drift)
    draws = 100 * sample_next_change(state, drift, rng=np.random.default_rng(7), size=n_draws)
    for p, q in proj.change_pct.items():
        assert np.mean(draws <= q) == pytest.approx(p / 100, abs=0.004), (name, p)
    times = sample_retarget_time(state, drift, rng=np.random.default_rng(8), size=n_draws)
    for p, q in proj.retarget_eta_s.items():
        assert np.mean(times <= q) == pytest.approx(p / 100, abs=0.004), (name, p)
    assert np.all(times > state.as_of_s)


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
