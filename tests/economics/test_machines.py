"""Hashprice and per-machine economics against hand-derived and published values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from minerscope.economics.catalog import find_machine
from minerscope.economics.hashprice import (
    HASHES_PER_DIFFICULTY_APPROX,
    blocks_per_phs_day,
    expected_hashes_per_block,
    hashprice_usd_per_phs_day,
    hashrate_hps_from_blocks,
    hashvalue_sat_per_phs_day,
    realised_hashvalue_btc_per_phs_day,
)
from minerscope.economics.machines import (
    breakeven_btc_price_usd,
    breakeven_power_price_usd_per_kwh,
    btc_mined_per_day,
    electricity_kwh_per_btc,
    power_cost_usd_per_day,
    revenue_usd_per_day,
)
from minerscope.sources.catalog import shipped_catalog

# The check (RESEARCH.md 3.5-3.6): D = 141.67 T, subsidy 3.125 + fees 0.02 BTC,
# $70,000, $0.08/kWh, no pool fee, PUE 1.
D = 141.67e12
R = 3.145
P = 70_000.0
KWH = 0.08


def test_expected_hashes_per_block_is_exact_block_work() -> None:
    # 141.67e12 * 2**48 / 65535 = 141.67e12 * 4295032833.000015 = 6.08477e23
    assert expected_hashes_per_block(D) == pytest.approx(6.084774e23, rel=1e-6)
    assert blocks_per_phs_day(D) == pytest.approx(1e15 * 86_400 / 6.084774e23, rel=1e-6)


def test_style_guide_worked_example() -> None:
    # STYLE.md 8: 1e15 * 86400 / 4.2950328e23 * 3.225 BTC * 1e5 USD/BTC = 64.8749
    assert hashprice_usd_per_phs_day(1e14, 3.225, 1e5) == pytest.approx(64.8749, rel=1e-5)


def test_hashprice_at_touchstone_inputs() -> None:
    # 1.419933e-4 blocks/PH/day * 3.145 BTC = 4.46569e-4 BTC = 44,657 sat; * $70k = $31.26
    # The issue asks for "about $31.3" within 1.5 %.
    assert hashprice_usd_per_phs_day(D, R, P) == pytest.approx(31.3, rel=0.015)
    assert hashprice_usd_per_phs_day(D, R, P) == pytest.approx(31.2599, rel=1e-4)
    assert hashvalue_sat_per_phs_day(D, R) == pytest.approx(44_657, rel=1e-4)


def test_s21_breakeven_price_and_power_price() -> None:
    # 17.5 J/TH * 6.084774e23 / 1e12 / 3.6e6 / 3.145 = 940,501 kWh/BTC; * $0.08 = $75,240
    assert electricity_kwh_per_btc(17.5, D, R) == pytest.approx(940_501, rel=1e-5)
    assert breakeven_btc_price_usd(17.5, D, R, KWH) == pytest.approx(75_200, rel=0.015)
    # 0.0312599 $/TH/day / (17.5 * 0.024 kWh) = $0.07443/kWh
    hp = hashprice_usd_per_phs_day(D, R, P)
    assert breakeven_power_price_usd_per_kwh(17.5, hp) == pytest.approx(0.074, rel=0.015)


def test_s21_xp_hyd_breakeven() -> None:
    # 12.0 / 17.5 * $75,240 = $51,593 (issue: about $51,600)
    assert breakeven_btc_price_usd(12.0, D, R, KWH) == pytest.approx(51_600, rel=0.015)


def test_catalog_models_at_touchstone_inputs() -> None:
    # The S19 XP+ Hyd (19.0 J/TH) and the M60S (18.5 J/TH) lose money at $70k and $0.08/kWh;
    # the S21 (200 TH/s, 3,500 W) breaks even at $75.2k; the S21 XP Hyd at $51.6k.
    cat = shipped_catalog()
    hp = hashprice_usd_per_phs_day(D, R, P)
    for model in ("Antminer S19 XP+ Hyd", "WhatsMiner M60S"):
        m = find_machine(cat, model)
        assert m is not None
        profit = revenue_usd_per_day(m.hashrate_ths, hp) - power_cost_usd_per_day(m.power_w, KWH)
        assert profit < 0, model
    s21 = find_machine(cat, "antminer s21")
    assert s21 is not None and (s21.hashrate_ths, s21.power_w) == (200.0, 3500.0)
    assert breakeven_btc_price_usd(s21.efficiency_j_per_th, D, R, KWH) == pytest.approx(
        75_200, rel=0.015
    )
    xp = find_machine(cat, "Antminer S21 XP Hyd")
    assert xp is not None
    assert breakeven_btc_price_usd(xp.efficiency_j_per_th, D, R, KWH) == pytest.approx(
        51_600, rel=0.015
    )


def test_viabtc_published_s19_shutdown_price() -> None:
    # ViaBTC (bitcoingarden.org topic 107490, quoted in ../shared/data/breakeven_claims.md):
    # S19 95 TH/s, 3,250 W, $0.077/kWh, difficulty 17.62 T, fees 1.3 % of the 6.25 BTC
    # reward: shutdown price $8,744.27. ViaBTC's formula uses difficulty * 2**32 hashes per
    # block: 95e12 * 86400 / (17.62e12 * 2**32) * 6.33125 = 6.86691e-4 BTC/day and
    # 0.077 * 3.25 * 24 = $6.006/day give $8,746.30, 0.023 % above the published figure
    # (the exact 2**48/65535 convention gives $8,746.43, 0.025 % above). Both within 0.1 %.
    published = 8_744.27
    reward = 6.25 * 1.013
    via = breakeven_btc_price_usd(
        3250 / 95, 17.62e12, reward, 0.077, hashes_per_difficulty=HASHES_PER_DIFFICULTY_APPROX
    )
    assert via == pytest.approx(published, rel=1e-3)
    assert via == pytest.approx(8_746.30, abs=0.01)
    assert breakeven_btc_price_usd(3250 / 95, 17.62e12, reward, 0.077) == pytest.approx(
        published, rel=1e-3
    )


def test_pool_fee_pue_and_uptime() -> None:
    # 2 % pool fee and PUE 1.1 on the S21: $75,240 * 1.1 / 0.98 = $84,453
    assert breakeven_btc_price_usd(17.5, D, R, KWH, pue=1.1, pool_fee_share=0.02) == (
        pytest.approx(84_453.2, rel=1e-5)
    )
    # 200 TH/s at half uptime with a 2 % fee: 0.2 PH * 4.46569e-4 * 0.98 * 0.5 BTC/day
    assert btc_mined_per_day(200, D, R, pool_fee_share=0.02, uptime_share=0.5) == pytest.approx(
        4.37638e-5, rel=1e-5
    )
    # 3,500 W * 24 h = 84 kWh * $0.08 * PUE 1.1 * 0.5 = $3.696
    assert power_cost_usd_per_day(3500, KWH, pue=1.1, uptime_share=0.5) == pytest.approx(3.696)


def test_vectorised_over_arrays_and_series() -> None:
    eff = np.array([12.0, 17.5])
    got = breakeven_btc_price_usd(eff, D, R, KWH)
    assert isinstance(got, np.ndarray) and got.shape == (2,)
    s = pd.Series([D, D / 2], index=["a", "b"])
    hp = hashprice_usd_per_phs_day(s, R, P)
    assert isinstance(hp, pd.Series) and list(hp.index) == ["a", "b"]
    assert hp["b"] == pytest.approx(2 * hp["a"])  # half the difficulty, twice the pay


def test_realised_hashvalue_equals_implied_when_luck_is_nil() -> None:
    # 144 blocks in a day at D: hash rate = 144 * W / 86400; realised = 144 * R / (hr/1e15)
    hr = hashrate_hps_from_blocks(144, D, 86_400)
    assert hr == pytest.approx(1.014129e21, rel=1e-6)  # 1,014 EH/s (RESEARCH.md 3.7)
    realised = realised_hashvalue_btc_per_phs_day(144 * R, hr) * 1e8
    assert realised == pytest.approx(hashvalue_sat_per_phs_day(D, R), rel=1e-12)


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_pos = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False)


@given(
    eff=st.floats(5, 120), kwh=st.floats(0.001, 0.5), pue=st.floats(1.0, 2.0), fee=st.floats(0, 0.1)
)
def test_breakevens_are_consistent(eff: float, kwh: float, pue: float, fee: float) -> None:
    # At the shutdown price, revenue equals power cost, and the breakeven power price at that
    # BTC price is the power price we started from.
    price = breakeven_btc_price_usd(eff, D, R, kwh, pue=pue, pool_fee_share=fee)
    hp = hashprice_usd_per_phs_day(D, R, price)
    rev = revenue_usd_per_day(100.0, hp, pool_fee_share=fee)
    cost = power_cost_usd_per_day(100.0 * eff, kwh, pue=pue)
    assert rev == pytest.approx(cost, rel=1e-9)
    assert breakeven_power_price_usd_per_kwh(eff, hp, pue=pue, pool_fee_share=fee) == (
        pytest.approx(kwh, rel=1e-9)
    )


@given(d=st.floats(1e6, 1e16), k=st.floats(1.01, 10.0))
def test_hashprice_scales_inversely_with_difficulty(d: float, k: float) -> None:
    assert hashprice_usd_per_phs_day(d * k, R, P) == pytest.approx(
        hashprice_usd_per_phs_day(d, R, P) / k, rel=1e-12
    )
