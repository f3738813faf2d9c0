"""Curtailment: the threshold rule against a hand sum on real storm prices, the MILP's
constraints, never worse than the threshold rule, DR credits and 4CP."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from minerscope.power_prices import price_window, read_hourly_prices
from minerscope.simulation.curtail import (
    CurtailProblem,
    check_schedule,
    daily_summary,
    schedule_value,
    threshold_schedule,
)
from minerscope.simulation.milp import optimal_schedule

RTM = "power/ercot_rtm_hourly_hubs_loadzones_2024-01-01_2026-03-17.csv"
JAN25 = 1_769_299_200  # 2026-01-25T00:00:00Z


def _problem(prices_usd_per_kwh: np.ndarray, **kw: object) -> CurtailProblem:
    n = prices_usd_per_kwh.shape[-1]
    g = int(kw.pop("groups", 1))  # type: ignore[call-overload]
    base: dict[str, object] = {
        "start_s": JAN25 + 3600 * np.arange(n, dtype=np.int64),
        "step_s": 3600,
        "group_names": tuple(f"g{i}" for i in range(g)),
        "group_site": np.zeros(g, dtype=np.int64),
        "site_names": ("west",),
        "price_usd_per_kwh": np.atleast_2d(prices_usd_per_kwh),
        "hashprice_usd_per_phs_day": np.full(n, 40.0),
        "btc_price_usd": np.full(n, 88_000.0),
        # 1,000 S21 (200 TH/s, 3,500 W), no fee, full uptime: 200 PH/s and 84,000 kWh a day
        "btc_per_hashvalue": np.full(g, 200.0),
        "energy_kwh_per_day": np.full(g, 84_000.0),
        "hosting_usd_per_kwh": np.zeros(g),
        "min_up_steps": np.zeros(g, dtype=np.int64),
        "min_down_steps": np.zeros(g, dtype=np.int64),
        "startup_cost_usd": np.zeros(g),
        "min_uptime_share": np.zeros(g),
        "ramp_mw_per_step": np.array([np.inf]),
        "dr_credit_usd_per_mwh": np.zeros(1),
        "cp_usd_per_kw": np.zeros(1),
        "cp_step": np.zeros((1, n), dtype=bool),
    }
    base.update(kw)
    return CurtailProblem(**base)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def storm_48h(shared_data: Path) -> np.ndarray:
    h = read_hourly_prices(shared_data / RTM, column="price_usd_per_mwh", node="HB_WEST", label="x")
    return price_window(h, JAN25, JAN25 + 48 * 3600).price_usd_per_kwh


@pytest.mark.shared
def test_threshold_power_cost_equals_the_hand_sum(storm_48h: np.ndarray) -> None:
    # revenue per hour = 200 PH/s * $40 / 24 = $333.33; energy 3.5 MWh: run below
    # $333.33 / 3.5 = $95.238/MWh. HB_WEST RTM 2026-01-25..26 (48 hours): 8 hours are
    # below it, 2026-01-26 15:00Z..22:00Z: 95.0075 + 80.235 + 62.68 + 34.505 + 4.48 + 0.0025
    # - 1.61 + 13.695 = $288.995 per MWh-hour; at 3.5 MWh: $1,011.4825.
    p = _problem(storm_48h)
    on = threshold_schedule(p)
    assert int(on.sum()) == 8
    assert np.flatnonzero(on[0]).tolist() == [39, 40, 41, 42, 43, 44, 45, 46]
    t = p.terms()
    assert float((t["cost"] * on).sum()) == pytest.approx(1011.4825, abs=1e-3)
    ds = daily_summary(p, on)
    assert ds.hours_off.tolist() == [[24.0, 16.0]]
    # net against always on = power saved - revenue forgone, 40 off hours at $333.33
    saved = float(t["cost"].sum()) - 1011.4825
    assert ds.net_benefit_usd.sum() == pytest.approx(saved - 40 * 200 * 40 / 24, abs=1e-3)


@pytest.mark.shared
def test_milp_honours_every_constraint_and_is_never_worse(storm_48h: np.ndarray) -> None:
    prices = np.vstack([storm_48h])
    p = _problem(
        prices,
        groups=3,
        btc_per_hashvalue=np.array([200.0, 150.0, 100.0]),
        energy_kwh_per_day=np.array([84_000.0, 70_000.0, 73_200.0]),
        min_up_steps=np.array([3, 4, 1]),
        min_down_steps=np.array([2, 3, 5]),
        startup_cost_usd=np.array([100.0, 50.0, 0.0]),
        min_uptime_share=np.array([0.0, 0.1, 0.2]),
        ramp_mw_per_step=np.array([4.0]),
    )
    thr = threshold_schedule(p)
    assert check_schedule(p, thr)  # the naive rule breaks these constraints
    res = optimal_schedule(p, block_steps=None)
    assert check_schedule(p, res.on) == []
    # the threshold rule is infeasible here; against the unconstrained problem the MILP is
    # worth at least as much as the threshold schedule (a feasible point of it)
    free = _problem(
        prices, groups=3, btc_per_hashvalue=p.btc_per_hashvalue,
        energy_kwh_per_day=p.energy_kwh_per_day, startup_cost_usd=p.startup_cost_usd,
    )  # fmt: skip
    opt_free = optimal_schedule(free, block_steps=None, keep_threshold=False)
    thr_free = threshold_schedule(free)
    assert schedule_value(free, opt_free.on).sum() >= schedule_value(free, thr_free).sum() - 1e-6
    assert schedule_value(free, opt_free.on).sum() >= schedule_value(p, res.on).sum() - 1e-6


@pytest.mark.shared
def test_without_constraints_the_milp_is_the_threshold_rule(storm_48h: np.ndarray) -> None:
    p = _problem(storm_48h, groups=2)
    res = optimal_schedule(p, block_steps=12, lookahead_steps=4, keep_threshold=False)
    assert np.array_equal(res.on, threshold_schedule(p))
    assert res.blocks == 4 and not res.threshold_kept


def test_dr_credit_and_4cp_change_the_schedule() -> None:
    prices = np.full(6, 0.05)  # $50/MWh against a $95.24 breakeven: always worth running
    p = _problem(prices, dr_credit_usd_per_mwh=np.array([60.0]))
    # margin $333.33 - 3.5 * 50 = $158.33 per hour; resting earns 3.5 MWh * $60 = $210
    res = optimal_schedule(p, block_steps=None)
    assert not res.on.any()
    cp = np.zeros((1, 6), dtype=bool)
    cp[0, 3] = True
    p2 = _problem(prices, cp_usd_per_kw=np.array([50.0 / 4]), cp_step=cp)
    # the 4CP hour costs 3,500 kW * $12.5 = $43,750 of transmission: rest through it
    res2 = optimal_schedule(p2, block_steps=None)
    assert res2.on[0].tolist() == [True, True, True, False, True, True]
    assert threshold_schedule(p2).all()  # the naive rule ignores 4CP
    v_opt = schedule_value(p2, res2.on).sum()
    v_thr = schedule_value(p2, threshold_schedule(p2)).sum()
    assert v_opt - v_thr == pytest.approx(43_750 - (333.33333 - 175.0), rel=1e-6)


def test_weekly_blocks_carry_minimum_down_times() -> None:
    # one expensive hour at the end of block 1 forces 5 hours down into block 2
    prices = np.full(24, 0.05)
    prices[11] = 5.0
    p = _problem(prices, min_down_steps=np.array([5]), startup_cost_usd=np.array([1.0]))
    res = optimal_schedule(p, block_steps=12, lookahead_steps=0)
    assert res.on[0].tolist() == [True] * 11 + [False] * 5 + [True] * 8
    assert check_schedule(p, res.on) == []
    whole = optimal_schedule(p, block_steps=None)
    assert schedule_value(p, whole.on).sum() >= schedule_value(p, res.on).sum() - 1e-9


def test_infeasible_constraints_say_so() -> None:
    # block 1 may stop the group at its last step (90 % uptime of 12 steps = 11); its 5-step
    # minimum down time then leaves block 2 only 8 steps, not the 11 it needs
    prices = np.full(24, 0.05)
    prices[11] = 50.0
    p = _problem(prices, min_down_steps=np.array([5]), min_uptime_share=np.array([0.9]))
    with pytest.raises(ValueError, match="cannot all be met"):
        optimal_schedule(p, block_steps=12, lookahead_steps=0)
    # solved in one piece it is feasible: 0.9 * 24 = 21.6 -> 22 steps on, at most 2 off, too
    # few for the 5-step minimum down time: the MILP keeps the group on through the spike
    whole = optimal_schedule(p, block_steps=None)
    assert check_schedule(p, whole.on) == [] and whole.on.sum() >= 22
