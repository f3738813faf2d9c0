"""ROI and payback on simulated paths: hand-derived cases, switch-off, IRR, comparison."""

from __future__ import annotations

import math

import numpy as np
import pytest

from minerscope.economics.fleet import GroupArrays, evaluate_fleet
from minerscope.results import to_jsonable
from minerscope.simulation.cashflow import (
    first_crossing_days,
    irr_share,
    period_flows,
    weekly_sums,
)
from minerscope.simulation.market import FeeModel, PriceModel
from minerscope.simulation.network import ChainStart, HashrateModel
from minerscope.simulation.retarget import TIMESPAN_S
from minerscope.simulation.roi import Models, RoiConfig, fleet_terms, simulate_roi

D0 = 141.67e12
TIP = 934_575  # 1,167 intervals into epoch 463; the halving is ~800 days away


def _groups(**kw: list[float]) -> GroupArrays:
    n = len(kw["hashrate_ths"])
    base = {
        "count": [100.0] * n,
        "uptime_share": [1.0] * n,
        "power_price_usd_per_kwh": [0.05] * n,
        "pue": [1.0] * n,
        "hosting_fee_usd_per_kwh": [0.0] * n,
        "capex_usd_per_machine": [2000.0] * n,
        "depreciation_months": [36.0] * n,
    }
    base.update(kw)
    return GroupArrays(**{k: np.asarray(v, dtype=np.float64) for k, v in base.items()})


def _constant_start() -> ChainStart:
    # change 0 and the epoch so far at exactly T/2015 per interval: difficulty never moves
    return ChainStart(D0, TIP, elapsed_s=1167 * TIMESPAN_S / 2015, next_change_share=0.0)


def _models(price: PriceModel | None = None) -> Models:
    return Models(
        HashrateModel("fixed"),
        price or PriceModel("fixed", price_usd=70_000),
        FeeModel("fixed", fees_btc=0.02),
    )


def test_linear_terms_reproduce_evaluate_fleet() -> None:
    groups = _groups(
        hashrate_ths=[200.0, 110.0], power_w=[3000.0, 3250.0], uptime_share=[0.97, 0.9],
        pue=[1.05, 1.2], hosting_fee_usd_per_kwh=[0.0, 0.008],
    )  # fmt: skip
    terms = fleet_terms(groups, ["a", "b"], name="f", pool_fee_share=0.02)
    for hv, price in [(4.4657e-4, 70_000.0), (2.0e-4, 55_000.0)]:
        ref = evaluate_fleet(
            groups, hashvalue_btc_per_phs_day=hv, btc_price_usd=price, pool_fee_share=0.02
        )
        ours = terms.btc_per_hashvalue * hv * price - terms.cash_cost_usd_per_day
        assert ours == pytest.approx(ref.cash_profit_usd_per_day, rel=1e-12)


def test_constant_inputs_give_payback_capex_over_daily_profit_to_the_day() -> None:
    # 100 machines of 200 TH/s and 3,000 W at $0.05/kWh, D = 141.67 T, reward 3.125 + 0.02:
    # hashvalue = 1e15 * 86,400 / (141.67e12 * 2**48 / 65535) * 3.145 = 4.465705e-4 BTC/PH/day
    # revenue = 100 * 0.2 PH * 4.465705e-4 * 70,000 = $625.1987 per day
    # power = 100 * 3 kW * 24 h * $0.05 = $360.00 per day; cash profit $265.1987 per day
    # capex 100 * $2,000 = $200,000: payback after 200,000 / 265.1987 = 754.15 -> day 755
    groups = _groups(hashrate_ths=[200.0], power_w=[3000.0])
    terms = fleet_terms(groups, ["s"], name="f", pool_fee_share=0.0)
    cfg = RoiConfig(horizon_days=790, paths=3, discount_rate_share=0.0)
    run = simulate_roi(_constant_start(), _models(), [terms], cfg, rng=np.random.default_rng(0))
    g = run.fleets[0].groups[0]
    daily = 100 * 0.2 * 4.4657048e-4 * 70_000 - 360.0
    assert daily == pytest.approx(265.19867, rel=1e-7)
    assert g.payback_days.p5 == g.payback_days.p95 == 755
    assert g.payback_within_horizon_share == 1.0
    assert g.cash_profit_usd.p50 == pytest.approx(790 * daily, rel=1e-5)
    assert g.cash_profit_btc.p50 == pytest.approx(790 * daily / 70_000, rel=1e-5)
    assert g.npv_usd.p50 == pytest.approx(790 * daily - 200_000, rel=1e-5)  # 0 % discount
    assert g.days_off_mean == 0
    # a horizon one day short of the payback: none within it
    cfg2 = RoiConfig(horizon_days=754, paths=2)
    run2 = simulate_roi(_constant_start(), _models(), [terms], cfg2, rng=np.random.default_rng(0))
    assert run2.fleets[0].groups[0].payback_within_horizon_share == 0.0
    assert run2.fleets[0].groups[0].payback_days.p50 is None  # beyond the horizon


def test_npv_discounts_weekly_flows() -> None:
    groups = _groups(hashrate_ths=[200.0], power_w=[3000.0])
    terms = fleet_terms(groups, ["s"], name="f", pool_fee_share=0.0)
    cfg = RoiConfig(horizon_days=728, paths=2, discount_rate_share=0.10)
    run = simulate_roi(_constant_start(), _models(), [terms], cfg, rng=np.random.default_rng(0))
    daily = 100 * 0.2 * 4.4657048e-4 * 70_000 - 360.0
    # 104 weekly flows of 7 * daily at t = 7w / 365.25 years: a geometric series with
    # q = 1.1 ** (-7 / 365.25): sum = q (1 - q**104) / (1 - q)
    q = 1.1 ** (-7 / 365.25)
    expected = 7 * daily * q * (1 - q**104) / (1 - q) - 200_000
    assert run.fleets[0].total.npv_usd.p50 == pytest.approx(expected, rel=1e-5)


def test_irr_of_a_lump_resale_is_the_compound_rate() -> None:
    # $1,000 now, $1,210 back after 730 days and nothing between: 1.21 ** (365.25 / 730) - 1
    irr = irr_share(
        np.array([1000.0]), np.zeros((1, 1)), np.array([1.0]), resale=1210.0,
        horizon_years=730 / 365.25,
    )  # fmt: skip
    assert irr[0] == pytest.approx(1.21 ** (365.25 / 730) - 1, abs=1e-9)  # 10.0076 %
    # constant flows: the IRR makes their NPV zero (annuity check, 26 flows of 28 days)
    flows = np.full((26, 1), 28 * 265.2)
    t = np.arange(1, 27) * 28 / 365.25
    r = irr_share(np.array([100_000.0]), flows, t, horizon_years=t[-1])[0]
    assert np.sum(flows[:, 0] * (1 + r) ** -t) == pytest.approx(100_000.0, rel=1e-9)
    # no capex: undefined; never repaid: -100 %
    assert math.isnan(irr_share(np.array([0.0]), flows, t, horizon_years=2)[0])
    assert irr_share(np.array([1e12]), np.zeros((26, 1)), t, horizon_years=2)[0] == -1.0


def test_unprofitable_group_switches_off_or_loses_when_always_on() -> None:
    # an old machine (110 TH/s, 3,250 W) at $0.12/kWh: revenue 0.11 * 31.26 = $3.44 per day,
    # power 3.25 * 24 * 0.12 = $9.36 per day: off every day, or -$592 per day for 100 of them
    groups = _groups(
        hashrate_ths=[200.0, 110.0], power_w=[3000.0, 3250.0],
        power_price_usd_per_kwh=[0.05, 0.12], capex_usd_per_machine=[2000.0, 0.0],
    )  # fmt: skip
    terms = fleet_terms(groups, ["new", "old"], name="f", pool_fee_share=0.0)
    on = simulate_roi(
        _constant_start(), _models(), [terms], RoiConfig(horizon_days=100, paths=2),
        rng=np.random.default_rng(0),
    )  # fmt: skip
    old = on.fleets[0].groups[1]
    assert old.cash_profit_usd.p50 == 0.0 and old.days_off_mean == 100
    assert old.payback_days.p50 == 0  # no capex to repay
    always = simulate_roi(
        _constant_start(), _models(), [terms],
        RoiConfig(horizon_days=100, paths=2, switch_off=False), rng=np.random.default_rng(0),
    )  # fmt: skip
    loss = 100 * (0.11 * 4.4657048e-4 * 70_000 - 3.25 * 24 * 0.12)
    assert loss == pytest.approx(-592.14, abs=0.01)
    assert always.fleets[0].groups[1].cash_profit_usd.p50 == pytest.approx(100 * loss, rel=1e-5)
    total_on = on.fleets[0].total.cash_profit_usd.p50
    assert always.fleets[0].total.cash_profit_usd.p50 == pytest.approx(
        total_on + 100 * loss, rel=1e-6
    )


def test_fixed_opex_and_fleet_capex_in_the_total() -> None:
    groups = _groups(hashrate_ths=[200.0], power_w=[3000.0], capex_usd_per_machine=[1000.0])
    terms = fleet_terms(
        groups, ["s"], name="f", pool_fee_share=0.0, fixed_opex_usd_per_day=65.19867066982886,
        fleet_capex_usd=40_000.0,
    )  # fmt: skip
    run = simulate_roi(
        _constant_start(), _models(), [terms], RoiConfig(horizon_days=760, paths=2),
        rng=np.random.default_rng(0),
    )  # fmt: skip
    # $265.19867 - $65.19867 = $200 per day against $100,000 + $40,000: day 700 (float32
    # days: the running sum reaches 139,999.99 or 140,000.01, so 700 or 701)
    assert run.fleets[0].total.payback_days.p50 in (700, 701)
    assert run.fleets[0].total.capex_usd == 140_000
    assert run.fleets[0].total.cash_profit_usd.p50 == pytest.approx(760 * 200, rel=1e-5)
    # the group alone repays its $100,000 after 100,000 / 265.19867 = 377.08 -> day 378
    assert run.fleets[0].groups[0].payback_days.p50 == 378


def test_the_halving_halves_revenue_on_its_day() -> None:
    # 1,500 days: block 1,050,000 comes 115,425 blocks after 934,575 at 599.70 s (2015/T
    # blocks per second): day 115,424 * 1,209,600 / 2015 / 86,400 = 801.94
    groups = _groups(hashrate_ths=[200.0], power_w=[0.0001])
    terms = fleet_terms(groups, ["s"], name="f", pool_fee_share=0.0)
    run = simulate_roi(
        _constant_start(), _models(), [terms], RoiConfig(horizon_days=1500, paths=2),
        rng=np.random.default_rng(0),
    )  # fmt: skip
    assert run.halving_day is not None
    assert run.halving_day.p50 == pytest.approx(115_424 * 1_209_600 / 2015 / 86_400, rel=1e-9)
    # revenue: 801.94 days at 20 PH * 70,000 * 1e15 * 86,400 / W * 3.145, the rest at 1.5825
    per_day = 20 * 70_000 * 1e15 * 86_400 / (D0 * 2**48 / 65535)
    expected = per_day * (801.9441 * 3.145 + (1500 - 801.9441) * (1.5625 + 0.02))
    assert run.fleets[0].total.cash_profit_usd.p50 == pytest.approx(expected, rel=1e-5)


def test_compare_two_options_on_the_same_paths() -> None:
    new = fleet_terms(_groups(hashrate_ths=[200.0], power_w=[3000.0]), ["s"], name="new",
                      pool_fee_share=0.0)  # fmt: skip
    old = fleet_terms(
        _groups(hashrate_ths=[110.0], power_w=[3250.0], capex_usd_per_machine=[0.0]), ["o"],
        name="old", pool_fee_share=0.0,
    )  # fmt: skip
    price = PriceModel("gbm", price_usd=70_000, mu_per_year=0.0, sigma_per_sqrt_year=0.6)
    run = simulate_roi(
        _constant_start(), _models(price), [new, old], RoiConfig(horizon_days=365, paths=400),
        rng=np.random.default_rng(7),
    )  # fmt: skip
    assert run.a_beats_b_share is not None and 0 < run.a_beats_b_share < 1
    assert run.npv_difference_usd is not None
    # the same seed gives the same answer, whatever the thread count
    again = simulate_roi(
        _constant_start(), _models(price), [new, old],
        RoiConfig(horizon_days=365, paths=400, chunk_paths=128, threads=2),
        rng=np.random.default_rng(7),
    )  # fmt: skip
    solo = simulate_roi(
        _constant_start(), _models(price), [new, old],
        RoiConfig(horizon_days=365, paths=400, chunk_paths=128, threads=1),
        rng=np.random.default_rng(7),
    )  # fmt: skip
    a, b = to_jsonable(again), to_jsonable(solo)
    assert a.pop("config")["threads"] == 2 and b.pop("config")["threads"] == 1
    assert a == b


def test_payback_with_flows_that_dip_below_zero() -> None:
    # +100 for 10 days, then -100 for 5, then +100: the running sum first reaches 1,000 on
    # day 10 (the week is crossed and left again inside week 2)
    daily = np.array([100.0] * 10 + [-100.0] * 5 + [100.0] * 20, dtype=np.float32)[:, None]
    assert first_crossing_days(daily, np.array([1000.0]), monotone=False)[0] == 10
    assert first_crossing_days(daily, np.array([1100.0]), monotone=False)[0] == 21  # 500 + 6 * 100
    assert first_crossing_days(daily, np.array([0.0]), monotone=False)[0] == 0
    assert math.isinf(first_crossing_days(daily, np.array([1e9]), monotone=True)[0])
    wk = weekly_sums(daily)
    flows, t = period_flows(wk)
    assert flows[:, 0].tolist() == [
        pytest.approx(1800.0),
        pytest.approx(700.0),
    ]  # 1000 - 500 + 1300
    assert t.tolist() == [28 / 365.25, 35 / 365.25]
