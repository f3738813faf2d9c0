"""Fleet evaluation (hand-derived) and fleet-file validation (errors name the key)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from minerscope.economics.fleet import GroupArrays, evaluate_fleet
from minerscope.errors import InputError, NoDataError
from minerscope.fleet_config import (
    group_arrays,
    hourly_price_at,
    parse_fleet,
    read_fleet,
    site_prices,
)
from minerscope.sources.catalog import shipped_catalog

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _arrays(**cols: list[float]) -> GroupArrays:
    return GroupArrays(**{k: np.asarray(v, dtype=np.float64) for k, v in cols.items()})


def test_two_group_fleet_hand_derived() -> None:
    # Hashvalue 0.0005 BTC/PH/day at $60,000 (= $30/PH/day), pool fee 2 %, opex $100/day.
    # A: 100 x 200 TH/s, 3,500 W, 90 % uptime, $0.05/kWh, PUE 1.1, hosting $0.01/kWh,
    #    capex $3,000 over 36 months.
    #    BTC = 20 PH * 0.0005 * 0.98 * 0.9 = 0.00882; revenue = $529.20
    #    energy = 100 * 84 kWh * 0.9 * 1.1 = 8,316 kWh; power $415.80; hosting $83.16
    #    cash profit = $30.24; depreciation = 300,000 / (36 * 30.4375) = $273.785
    # B: 10 x 100 TH/s, 3,000 W, 100 %, $0.05/kWh, PUE 1.0, no hosting, no capex.
    #    BTC = 1 PH * 0.0005 * 0.98 = 0.00049 -> $29.40; power 720 kWh * 0.05 = $36.00
    #    cash profit = -$6.60 -> switch off.
    g = _arrays(
        hashrate_ths=[200, 100],
        power_w=[3500, 3000],
        count=[100, 10],
        uptime_share=[0.9, 1.0],
        power_price_usd_per_kwh=[0.05, 0.05],
        pue=[1.1, 1.0],
        hosting_fee_usd_per_kwh=[0.01, 0.0],
        capex_usd_per_machine=[3000, 0],
        depreciation_months=[36, 36],
    )
    r = evaluate_fleet(
        g,
        hashvalue_btc_per_phs_day=0.0005,
        btc_price_usd=60_000,
        pool_fee_share=0.02,
        fixed_opex_usd_per_day=100.0,
    )
    np.testing.assert_allclose(r.btc_per_day, [0.00882, 0.00049], rtol=1e-12)
    np.testing.assert_allclose(r.revenue_usd_per_day, [529.2, 29.4], rtol=1e-12)
    np.testing.assert_allclose(r.energy_kwh_per_day, [8316.0, 720.0], rtol=1e-12)
    np.testing.assert_allclose(r.power_cost_usd_per_day, [415.8, 36.0], rtol=1e-12)
    np.testing.assert_allclose(r.hosting_usd_per_day, [83.16, 0.0], atol=1e-9)
    np.testing.assert_allclose(r.cash_profit_usd_per_day, [30.24, -6.6], atol=1e-9)
    np.testing.assert_allclose(r.depreciation_usd_per_day, [273.7851, 0.0], atol=1e-4)
    assert r.switch_off.tolist() == [False, True]
    # Totals: BTC 0.00931; cash cost 415.8 + 36 + 83.16 + 100 = $634.96 -> $68,201.93/BTC;
    # all-in 634.96 + 273.785 = $908.745 -> $97,609.6/BTC; switching B off gains $6.60.
    assert r.total_btc_per_day == pytest.approx(0.00931)
    assert r.total_cash_cost_usd_per_day == pytest.approx(634.96)
    assert r.cash_cost_usd_per_btc == pytest.approx(68_201.93, rel=1e-6)
    assert r.all_in_cost_usd_per_btc == pytest.approx(97_609.6, rel=1e-5)
    assert r.total_cash_profit_usd_per_day == pytest.approx(558.6 - 634.96)
    assert r.profit_if_switched_usd_per_day == pytest.approx(558.6 - 634.96 + 6.6)
    # Breakeven power price of A: $0.03/TH/day * 0.98 / (17.5 * 0.024 * 1.1) - 0.01 hosting
    assert r.breakeven_power_price_usd_per_kwh[0] == pytest.approx(0.0536364, rel=1e-5)
    # Shutdown price of B: 72 kWh * $0.05 / (0.1 PH * 0.0005 * 0.98) = $73,469.39
    assert r.shutdown_price_usd[1] == pytest.approx(73_469.39, rel=1e-6)
    # Shutdown price of A counts the hosting fee: one machine burns 3,500 W * 0.024 * 1.1 =
    # 92.4 kWh a day at $0.05 + $0.01 = $5.544 and earns 0.2 PH * 0.0005 * 0.98 = 0.000098
    # BTC: $56,571.43 (without the fee it would be $47,142.86).
    assert r.shutdown_price_usd[0] == pytest.approx(56_571.43, rel=1e-6)


def test_example_fleet_file_parses() -> None:
    spec = read_fleet(EXAMPLES / "fleet.toml", catalog=shipped_catalog())
    assert [g.name for g in spec.groups][:2] == ["s21-hall-a", "s21-underclocked"]
    tuned = spec.groups[1]
    assert (tuned.hashrate_ths, tuned.power_w) == (170.0, pytest.approx(170 * 15.8))
    assert spec.pool_fee_share == pytest.approx(0.02)
    assert spec.sites["hosted"].hosting_fee_usd_per_kwh == pytest.approx(0.008)
    custom = spec.groups[-1]
    assert custom.model is None and custom.uptime_share == pytest.approx(0.9)


def test_hourly_prices_from_the_example_csv() -> None:
    spec = read_fleet(EXAMPLES / "fleet_hourly.toml", catalog=shipped_catalog())
    hourly = spec.sites["west"].hourly
    assert hourly is not None
    # examples/fleet_hourly_power.csv: 2026-01-26T02:00:00Z HB_WEST = $995.2225/MWh
    price, start = hourly_price_at(hourly, 1_769_394_600)  # 2026-01-26T02:30:00Z
    assert (price, start) == (pytest.approx(0.9952225), 1_769_392_800)
    arrays = group_arrays(spec, {k: v[0] for k, v in site_prices(spec, 1_769_394_600).items()})
    assert arrays.power_price_usd_per_kwh.tolist() == [pytest.approx(0.9952225)] * 2
    with pytest.raises(NoDataError, match="no hourly power price at 2026-03-01"):
        hourly_price_at(hourly, 1_772_323_200)


BASE = """
[fleet]
pool_fee_pct = 2

[sites.a]
power_price_usd_per_kwh = 0.05

[[groups]]
name = "g"
model = "Antminer S21"
count = 10
"""


def _parse(text: str) -> None:
    parse_fleet(text, path="f.toml", base_dir=Path("."), catalog=shipped_catalog())


@pytest.mark.parametrize(
    ("edit", "field", "reason"),
    [
        (("count = 10", "count = 10\nuptime = 90"), "groups[0] (g).uptime", "unknown key"),
        (
            ("power_price_usd_per_kwh = 0.05", "power_price_usd_per_kwh = 45"),
            "sites.a.power_price_usd_per_kwh",
            "power_price_usd_per_mwh",
        ),
        (("count = 10", "count = 10\nuptime_pct = 150"), "groups[0] (g).uptime_pct", "<= 100"),
        (("count = 10", "count = true"), "groups[0] (g).count", "whole number"),
        (("count = 10", "count = 2.5"), "groups[0] (g).count", "whole number"),
        (('model = "Antminer S21"', 'model = "S99"'), "groups[0] (g).model", "not in the catalog"),
        (("pool_fee_pct = 2", "pool_fee_pct = 250"), "fleet.pool_fee_pct", "percentage"),
        (("pool_fee_pct = 2", 'pool_fee_pct = "2%"'), "fleet.pool_fee_pct", "must be a number"),
        (
            ("count = 10", "count = 10\nefficiency_j_per_th = 0.0175"),
            "groups[0] (g).efficiency_j_per_th",
            ">= 1",
        ),
        (
            ('model = "Antminer S21"', "hashrate_ths = 200\npower_w = 3.5"),
            "groups[0] (g).power_w",
            "check units",
        ),
        (("count = 10", 'count = 10\nsite = "b"'), "groups[0] (g).site", "unknown site"),
        (
            ("power_price_usd_per_kwh = 0.05", "pue = 1.1"),
            "sites.a",
            "exactly one of",
        ),
        (("[fleet]", "[fleets]"), "fleets", "unknown key"),
    ],
)
def test_fleet_errors_name_the_key(edit: tuple[str, str], field: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason) as info:
        _parse(BASE.replace(*edit))
    assert info.value.field == field
    assert info.value.path == "f.toml"


def test_fleet_toml_syntax_error_and_missing_groups() -> None:
    with pytest.raises(InputError, match="not valid TOML"):
        _parse(BASE + "\n[[groups]\n")
    with pytest.raises(InputError, match="at least one") as info:
        _parse(BASE.split("[[groups]]")[0])
    assert info.value.field == "groups"


@pytest.mark.parametrize(
    ("csv_text", "column", "node", "reason"),
    [
        ("time_utc,price\n2026-01-01T00:00:00Z,30\n", "price", None, "must end in _usd_per_mwh"),
        ("when,price_usd_per_mwh\nx,1\n", "price_usd_per_mwh", None, "time_utc or time_s"),
        ("time_s,p_usd_per_kwh\n0,0.05\n", "price_usd_per_kwh", None, "no column"),
        ("time_s,price_usd_per_kwh\n0,0.05\n", "price_usd_per_kwh", "HB_WEST", "no 'node'"),
        ("time_s,node,price_usd_per_kwh\n0,A,0.05\n", "price_usd_per_kwh", "B", "no rows"),
        ("time_s,price_usd_per_kwh\n0,0.05\n3600,n/a\n", "price_usd_per_kwh", None, "csv:3, field"),
        ("time_s,price_usd_per_kwh\nsoon,0.05\n", "price_usd_per_kwh", None, "non-numeric"),
        ("time_utc,price_usd_per_kwh\nyesterday,0.05\n", "price_usd_per_kwh", None, "bad time"),
    ],
)
def test_hourly_csv_errors(
    tmp_path: Path, csv_text: str, column: str, node: str | None, reason: str
) -> None:
    from minerscope.fleet_config import read_hourly_prices

    f = tmp_path / "p.csv"
    f.write_text(csv_text, encoding="utf-8")
    with pytest.raises(InputError, match=reason):
        read_hourly_prices(f, column=column, node=node, label="fleet.toml")


def test_hourly_csv_in_kwh_with_unix_times(tmp_path: Path) -> None:
    from minerscope.fleet_config import read_hourly_prices

    f = tmp_path / "p.csv"
    f.write_text("time_s,price_usd_per_kwh\n7200,0.07\n3600,-0.01\n", encoding="utf-8")
    h = read_hourly_prices(f, column="price_usd_per_kwh", node=None, label="x")
    assert h.start_time_s.tolist() == [3600, 7200]  # sorted; negative prices kept
    assert hourly_price_at(h, 3700) == (pytest.approx(-0.01), 3600)
    assert hourly_price_at(h, 10_799) == (pytest.approx(0.07), 7200)
    with pytest.raises(NoDataError):
        hourly_price_at(h, 10_800)


def test_site_price_per_mwh_and_missing_csv(tmp_path: Path) -> None:
    text = BASE.replace("power_price_usd_per_kwh = 0.05", "power_price_usd_per_mwh = 45")
    spec = parse_fleet(text, path="f.toml", base_dir=tmp_path, catalog=shipped_catalog())
    assert spec.sites["a"].power_price_usd_per_kwh == pytest.approx(0.045)
    text = BASE.replace("power_price_usd_per_kwh = 0.05", 'power_price_csv = "none.csv"')
    with pytest.raises(InputError, match="file not found") as info:
        parse_fleet(text, path="f.toml", base_dir=tmp_path, catalog=shipped_catalog())
    assert info.value.field == "sites.a.power_price_csv"
    text = BASE.replace("pool_fee_pct = 2", "pool_fee_pct = 2\n").replace(
        "power_price_usd_per_kwh = 0.05", "power_price_usd_per_kwh = 0.05\npower_price_node = 'X'"
    )
    with pytest.raises(InputError, match="only applies with power_price_csv"):
        parse_fleet(text, path="f.toml", base_dir=tmp_path, catalog=shipped_catalog())
    with pytest.raises(InputError, match="absent.toml: cannot read file: no such file"):
        read_fleet(tmp_path / "absent.toml", catalog=shipped_catalog())


def test_default_uptime_is_the_whole_day() -> None:
    # BASE names no uptime_pct: the machines hash all day (docs/fleet-format.md).
    spec = parse_fleet(BASE, path="f.toml", base_dir=Path("."), catalog=shipped_catalog())
    (group,) = spec.groups
    assert group.uptime_share == 1.0
    # 10 S21 (200 TH/s) = 2 PH/s at 0.0005 BTC/PH/day, 2 % pool fee: 0.00098 BTC a day;
    # 10 * 3,500 W * 0.024 = 840 kWh at $0.05: $42.00 of power.
    arrays = group_arrays(spec, {"a": 0.05})
    r = evaluate_fleet(arrays, hashvalue_btc_per_phs_day=0.0005, btc_price_usd=60_000,
                       pool_fee_share=spec.pool_fee_share)  # fmt: skip
    assert r.total_btc_per_day == pytest.approx(0.00098, rel=1e-12)
    assert r.total_power_cost_usd_per_day == pytest.approx(42.0, rel=1e-12)


def test_fleet_report_shutdown_price_counts_hosting() -> None:
    # The example fleet's hosted S19 XP+ Hyd (shipped: 279 TH/s, 5,301 W) at $0.072 + $0.008
    # hosting per kWh, PUE 1.02, 2 % pool fee, at 141.67 T, 3.145 BTC per block:
    # hashvalue = 1e15 * 86,400 / (141.67e12 * 2**48 / 65535) * 3.145 = 4.465705e-4 BTC;
    # per machine 0.279 * 4.465705e-4 * 0.98 = 1.221013e-4 BTC/day;
    # energy 5,301 * 0.024 * 1.02 = 129.768 kWh * $0.080 = $10.38148/day: $85,023.5 per BTC
    # (without the hosting fee: $76,396).
    from minerscope.report.econ_inputs import EconInputs
    from minerscope.report.econ_machines import fleet_report

    inputs = EconInputs(None, 141.67e12, "given", 3.125, "given", 0.02, "given", 70_000.0, "given")
    out = fleet_report(inputs, shipped_catalog(), EXAMPLES / "fleet.toml", time_s=0)
    (g,) = [g for g in out.groups if g.name == "s19xp-plus-hyd"]
    assert (g.hashrate_ths, g.power_w) == (279.0, 5301.0)
    assert g.breakeven_btc_price_usd == pytest.approx(85_023.5, rel=1e-5)
