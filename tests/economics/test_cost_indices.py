"""Production cost methods, Puell multiple, our sustainability index, the daily history."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from minerscope.economics.history import daily_economics
from minerscope.economics.indices import (
    puell_multiple,
    puell_multiple_halving_adjusted,
    sustainability_band,
    sustainability_ratio,
    sustainability_score,
)
from minerscope.economics.production_cost import (
    CostAssumptions,
    bottom_up_cost,
    drm_expanding_fit,
    drm_price_usd,
    fit_drm,
)
from minerscope.economics.revenue import fee_share, revenue_btc, revenue_usd, trailing_mean

D = 141.67e12
R = 3.145
T_2026 = 1_770_000_000  # 2026-02-02
T_2020 = 1_577_836_800  # 2020-01-01
# Three models: 12, 17.5 and 30 J/TH; the 30 J/TH one released in 2019, the others 2023.
EFF = [12.0, 17.5, 30.0]
REL = [1_672_531_200.0, 1_672_531_200.0, 1_546_300_800.0]


def test_bottom_up_bounds_hand_derived() -> None:
    # Electricity per BTC per J/TH at D, R, $0.05/kWh: 6.084774e23 / 1e12 / 3.6e6 / 3.145 *
    # 0.05 = $2,687.15. At $70k with PUE 1.10 the 30 J/TH model costs $88,676 (unprofitable);
    # 12 and 17.5 J/TH are profitable.
    a = CostAssumptions()
    r = bottom_up_cost(
        EFF, REL, time_s=[T_2026], difficulty=[D], reward_btc_per_block=[R], btc_price_usd=[70_000]
    )
    unit = 2_687.15
    assert r.electricity_lower_usd_per_btc[0] == pytest.approx(12 * unit * 1.01, rel=1e-5)
    assert r.electricity_upper_usd_per_btc[0] == pytest.approx(17.5 * unit * 1.20, rel=1e-5)
    assert r.electricity_best_usd_per_btc[0] == pytest.approx(14.75 * unit * 1.10, rel=1e-5)
    assert (r.profitable_models[0], r.basket_models[0]) == (2, 2)
    # Capex per BTC: $15/TH / (913.125 days * 1e12 * 86400 / 6.084774e23 * 3.145 BTC)
    # = 15 / (913.125 * 4.46569e-7) = $36,785.4; all-in = 1.15 * electricity + capex
    capex = 15 / (a.depreciation_days * 4.465690e-7)
    assert capex == pytest.approx(36_785.4, rel=1e-5)
    assert r.all_in_best_usd_per_btc[0] == pytest.approx(
        1.15 * 14.75 * unit * 1.10 + capex, rel=1e-5
    )


def test_bottom_up_respects_release_dates_and_no_profitable_model() -> None:
    # In 2020 only the 30 J/TH model is out. At $5,000 it is unprofitable: every bound falls
    # back to it (lower and upper use their own PUE).
    r = bottom_up_cost(
        EFF, REL, time_s=[T_2020], difficulty=[D], reward_btc_per_block=[R], btc_price_usd=[5_000]
    )
    assert r.lower_efficiency_j_per_th[0] == 30.0
    assert r.upper_efficiency_j_per_th[0] == 30.0
    assert r.best_efficiency_j_per_th[0] == 30.0
    assert r.profitable_models[0] == 0
    # Before any release: NaN, not a number made up.
    r = bottom_up_cost(
        EFF, REL, time_s=[1.0e9], difficulty=[D], reward_btc_per_block=[R], btc_price_usd=[1e5]
    )
    assert math.isnan(r.electricity_best_usd_per_btc[0])
    # A model older than the basket age is profitable but not in the best-guess basket;
    # with nothing else profitable the best guess uses all profitable models.
    r = bottom_up_cost(
        [30.0], [REL[2]], time_s=[T_2026 + 10 * 365 * 86_400], difficulty=[D],
        reward_btc_per_block=[R], btc_price_usd=[1e6],
    )  # fmt: skip
    assert (r.profitable_models[0], r.basket_models[0]) == (1, 0)
    assert r.best_efficiency_j_per_th[0] == 30.0


def test_drm_published_constants() -> None:
    # ln(1.4167e14) = 32.584520; 10.256 + 0.525 * 32.584520 = 27.362873;
    # exp(27.362873) = 5.32048e11 * 1.437424 = 7.64781e11 USD; / 19.98e6 BTC = $38,277
    # (RESEARCH.md 1.6: "~$38k at D = 141.67 T").
    assert float(drm_price_usd(D, 19.98e6)) == pytest.approx(38_277, rel=1e-4)


def test_drm_fit_recovers_a_known_line() -> None:
    d = np.logspace(10, 14, 50)
    mcap = np.exp(9.9 + 0.55 * np.log(d))
    fit = fit_drm(d, mcap)
    assert (fit.a, fit.b, fit.r_squared, fit.days) == (
        pytest.approx(9.9),
        pytest.approx(0.55),
        pytest.approx(1.0),
        50,
    )
    a, b = drm_expanding_fit(d, mcap, min_days=10)
    assert np.isnan(a[:9]).all() and not np.isnan(a[9])
    np.testing.assert_allclose(a[9:], 9.9, rtol=1e-9)
    np.testing.assert_allclose(b[9:], 0.55, rtol=1e-9)
    with pytest.raises(ValueError, match="at least 2"):
        fit_drm([1.0], [2.0])


def test_revenue_functions() -> None:
    # 2026-01-24: 306.25 BTC issued + 2.01546836 BTC fees at $89,185.0387
    assert revenue_btc(30_625_000_000, 201_546_836) == pytest.approx(308.26546836)
    assert revenue_usd(30_625_000_000, 201_546_836, 89_185.0387) == pytest.approx(
        27_492_667.7, rel=1e-8
    )
    assert fee_share(30_625_000_000, 201_546_836) == pytest.approx(0.0065381, rel=1e-4)
    s = pd.Series([1.0, 2.0, 3.0, 4.0])
    assert trailing_mean(s, 2).tolist()[1:] == [1.5, 2.5, 3.5] and math.isnan(
        trailing_mean(s, 2)[0]
    )


def test_puell_multiple() -> None:
    # 3 days of $10 then $40 with a 4-day window: 40 / mean(10, 10, 10, 40) = 40 / 17.5
    s = pd.Series([10.0, 10.0, 10.0, 40.0])
    got = puell_multiple(s, window_days=4)
    assert got.iloc[:3].isna().all() and got.iloc[3] == pytest.approx(40 / 17.5)
    # A halving halves issuance but not the halving-adjusted version.
    rev = pd.Series([20.0, 20.0, 10.0, 10.0])
    subsidy = pd.Series([6.25, 6.25, 3.125, 3.125])
    assert puell_multiple_halving_adjusted(rev, subsidy, window_days=4).iloc[3] == 1.0


def test_sustainability_score_and_bands() -> None:
    # Window of 4, scores = 100 * (days <= today) / days in window.
    ratio = pd.Series([1.0, 2.0, 3.0, 0.5, 2.5])
    score = sustainability_score(ratio, window_days=4, min_days=2)
    assert math.isnan(score.iloc[0])
    assert score.iloc[1:].tolist() == pytest.approx([100.0, 100.0, 25.0, 75.0])
    assert sustainability_ratio(70_000.0, 46_000.0) == pytest.approx(1.5217, rel=1e-4)
    assert [sustainability_band(x) for x in (0.1, 20, 45, 79.9, 80, 100)] == [
        "extremely underpaid", "underpaid", "fair", "well paid", "overpaid", "overpaid",
    ]  # fmt: skip
    assert sustainability_band(float("nan")) is None


def test_daily_economics_on_a_small_frame() -> None:
    # Three days at D = 141.67 T, 144 blocks, 450 BTC issued (3.125 each), 2.88 BTC fees
    # (0.02 each), $70,000; the third day's fees are unknown.
    idx = pd.date_range("2026-02-01", periods=3, freq="D", tz="UTC")
    daily = pd.DataFrame(
        {
            "blocks": pd.array([144, 144, 144], dtype="Int64"),
            "difficulty": [D, D, D],
            "issuance_sat": pd.array([45_000_000_000] * 3, dtype="Int64"),
            "fees_sat": pd.array([288_000_000, 288_000_000, None], dtype="Int64"),
            "price_usd": [70_000.0] * 3,
        },
        index=idx,
    )
    h = daily_economics(daily, efficiency_j_per_th=EFF, release_time_s=REL)
    # revenue = 452.88 BTC * $70,000 = $31,701,600
    assert h["revenue_usd"].iloc[0] == pytest.approx(31_701_600)
    assert math.isnan(h["revenue_usd"].iloc[2])
    assert h["fees_carried_forward"].tolist() == [False, False, True]
    # Reward 3.145 BTC per block: the issue's $31.26 per PH/s per day on every day.
    np.testing.assert_allclose(h["hashprice_usd_per_phs_day"], 31.2599, rtol=1e-5)
    assert h["cost_electricity_best_usd_per_btc"].iloc[2] == pytest.approx(
        14.75 * 2_687.15 * 1.10, rel=1e-5
    )
    assert (h["cost_range_low_usd_per_btc"] <= h["cost_range_high_usd_per_btc"]).all()


def test_daily_from_blocks_keeps_complete_days_only() -> None:
    from minerscope.economics.history import daily_from_blocks

    # Heights 100..105 over three UTC days (2 blocks each) and 200..201 alone: only the
    # middle day of the first run is complete. bits 0x1d00ffff = difficulty 1.
    day = 86_400
    t0 = 1_700_006_400  # 2023-11-15T00:00:00Z
    heights = [100, 101, 102, 103, 104, 105, 200, 201]
    times = [t0 + 10, t0 + 20, t0 + day + 10, t0 + day + 20, t0 + 2 * day, t0 + 2 * day + 5,
             t0 + 9 * day, t0 + 9 * day + 5]  # fmt: skip
    blocks = pd.DataFrame(
        {
            "time_s": pd.array(times, dtype="Int64"),
            "bits": pd.array([0x1D00FFFF] * 8, dtype="Int64"),
            "fees_sat": pd.array([10, 20, 30, 40, 50, 60, 70, None], dtype="Int64"),
            "subsidy_sat": pd.array([None] * 8, dtype="Int64"),  # from the schedule
        },
        index=pd.Index(heights, name="height"),
    )
    d = daily_from_blocks(blocks)
    assert list(d.index) == [pd.Timestamp("2023-11-16", tz="UTC")]
    row = d.iloc[0]
    assert (row["blocks"], row["difficulty"], row["fees_sat"], row["last_height"]) == (
        2.0, 1.0, 70.0, 103.0,
    )  # fmt: skip
    assert row["issuance_sat"] == 2 * 50 * 100_000_000
    assert daily_from_blocks(blocks.iloc[:0]).empty


def test_best_guess_basket_is_five_julian_years() -> None:
    # A model released 5 * 365.25 days before the moment is still in the basket; one second
    # older and it is not (CBECI's pre-2023 best guess: profitable models of the last 5 years).
    five_years_s = 5 * 365.25 * 86_400
    for age_s, in_basket in ((five_years_s, 1), (five_years_s + 1, 0)):
        r = bottom_up_cost(
            [30.0], [T_2026 - age_s], time_s=[T_2026], difficulty=[D],
            reward_btc_per_block=[R], btc_price_usd=[1e6],
        )  # fmt: skip
        assert (r.profitable_models[0], r.basket_models[0]) == (1, in_basket)
