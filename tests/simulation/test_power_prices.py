"""Hourly power prices used only where they are true (issue 9 item 3), and the fast reader."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from minerscope.errors import InputError, NoDataError
from minerscope.fleet_config import parse_fleet, read_hourly_prices, site_prices
from minerscope.power_prices import hourly_price_info, price_window, read_interval_times
from minerscope.sources.catalog import shipped_catalog

RTM = "power/ercot_rtm_hourly_hubs_loadzones_2024-01-01_2026-03-17.csv"
DAM21 = "power/ercot_dam_hourly_hubs_loadzones_2021-01-01_2022-12-31.csv"
RTM15 = "power/ercot_rtm_15min_hb_hubavg_2022-06-01_2022-09-30.csv"
H = 3600


def _csv(tmp_path: Path, text: str, name: str = "p.csv") -> Path:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return f


def _fleet(tmp_path: Path, site_extra: str = "") -> str:
    return f"""
[sites.west]
power_price_csv = "p.csv"
power_price_column = "price_usd_per_mwh"
{site_extra}

[[groups]]
name = "s21"
model = "Antminer S21"
count = 10
"""


# --- a stale hour is refused, or used only within a stated age and reported -------------


def test_price_inside_a_three_day_gap_is_refused(tmp_path: Path) -> None:
    # hours 0, 1, 2 then nothing until hour 75: the file has a 72-hour gap
    rows = [f"{h * H},{p}" for h, p in [(0, 30), (1, 31), (2, 990), (75, 40)]]
    _csv(tmp_path, "time_s,price_usd_per_mwh\n" + "\n".join(rows) + "\n")
    spec = parse_fleet(
        _fleet(tmp_path), path="f.toml", base_dir=tmp_path, catalog=shipped_catalog()
    )
    # before the fix the $990 of hour 2 was "the current hour" three days later
    with pytest.raises(NoDataError, match=r"in a gap.*ended 47\.0 h earlier.*limit 0 h"):
        site_prices(spec, 50 * H)
    assert site_prices(spec, 2 * H + 1800)["west"][0] == pytest.approx(0.99)


def test_a_configured_age_limit_serves_and_reports_the_stale_hour(tmp_path: Path) -> None:
    _csv(tmp_path, "time_s,price_usd_per_mwh\n0,30\n3600,31\n7200,990\n270000,40\n")
    text = _fleet(tmp_path, "power_price_max_age_hours = 72")
    spec = parse_fleet(text, path="f.toml", base_dir=tmp_path, catalog=shipped_catalog())
    price = site_prices(spec, 50 * H)["west"]
    assert price.price_usd_per_kwh == pytest.approx(0.99)
    assert price.hour_start_s == 7200
    assert price.age_s == 50 * H - 3 * H + 1  # ended at 3 h; asked at 50 h (inclusive second)
    with pytest.raises(NoDataError, match="after the file ends.*limit 72 h"):
        hourly_price_info(spec.sites["west"].hourly, 273_600 + 73 * H)  # type: ignore[arg-type]


def test_fleet_view_names_the_age_of_a_stale_hour(tmp_path: Path) -> None:
    from minerscope.report.econ_inputs import EconInputs
    from minerscope.report.econ_machines import fleet_report

    _csv(tmp_path, "time_s,price_usd_per_mwh\n0,30\n3600,31\n7200,990\n270000,40\n")
    (tmp_path / "f.toml").write_text(_fleet(tmp_path, "power_price_max_age_hours = 72"))
    inputs = EconInputs(50 * H, 1.4e14, "given", 3.125, "given", 0.02, "given", 7e4, "given")
    out = fleet_report(inputs, shipped_catalog(), tmp_path / "f.toml", time_s=50 * H)
    (west,) = out.sites
    assert west.name == "west" and "47.0 h old" in west.power_price_source


# --- a duplicated hour, an infinite price, several nodes: refused ------------------------


def test_duplicated_hour_is_refused_naming_both_lines(tmp_path: Path) -> None:
    f = _csv(tmp_path, "time_s,price_usd_per_mwh\n0,30\n3600,31\n0,99\n")
    with pytest.raises(InputError, match=r"p\.csv:4.*appears twice \(lines 2 and 4\)"):
        read_hourly_prices(f, column="price_usd_per_mwh", node=None, label="x")


@pytest.mark.parametrize("bad", ["inf", "-inf", "nan", "Infinity"])
def test_non_finite_price_is_refused(tmp_path: Path, bad: str) -> None:
    f = _csv(tmp_path, f"time_s,price_usd_per_mwh\n0,30\n3600,{bad}\n")
    with pytest.raises(InputError, match=r"p\.csv:3.*not a finite number"):
        read_hourly_prices(f, column="price_usd_per_mwh", node=None, label="x")


def test_several_nodes_and_none_named_is_refused(tmp_path: Path) -> None:
    f = _csv(
        tmp_path,
        "time_utc,node,price_usd_per_mwh\n2026-01-01T00:00:00Z,HB_WEST,30\n"
        "2026-01-01T00:00:00Z,HB_NORTH,35\n",
    )
    with pytest.raises(InputError, match="several nodes \\(HB_NORTH, HB_WEST\\).*power_price_node"):
        read_hourly_prices(f, column="price_usd_per_mwh", node=None, label="x")
    one = read_hourly_prices(f, column="price_usd_per_mwh", node="HB_NORTH", label="x")
    assert one.price_usd_per_kwh.tolist() == [pytest.approx(0.035)] and one.node == "HB_NORTH"


def test_a_file_with_both_markets_needs_one_named(tmp_path: Path) -> None:
    f = _csv(
        tmp_path,
        "time_utc,market,node,price_usd_per_mwh\n"
        "2026-01-01T00:00:00Z,ERCOT_DAM,HB_WEST,30\n"
        "2026-01-01T00:00:00Z,ERCOT_RTM,HB_WEST,80\n",
    )
    with pytest.raises(InputError, match="several markets.*--market"):
        read_hourly_prices(f, column="price_usd_per_mwh", node="HB_WEST", label="x")
    rtm = read_hourly_prices(f, column="price_usd_per_mwh", node="HB_WEST", label="x", market="rtm")
    assert rtm.market == "ERCOT_RTM" and rtm.price_usd_per_kwh[0] == pytest.approx(0.08)
    text = _fleet(tmp_path, 'power_price_node = "HB_WEST"').replace("p.csv", f.name)
    spec = parse_fleet(
        text, path="f.toml", base_dir=tmp_path, catalog=shipped_catalog(), market="dam"
    )
    assert spec.sites["west"].hourly.price_usd_per_kwh[0] == pytest.approx(0.03)  # type: ignore[union-attr]


# --- the real ERCOT files: one node parsed, the right rows ---------------------------------


@pytest.mark.shared
def test_one_node_of_the_real_rtm_file(shared_data: Path) -> None:
    h = read_hourly_prices(shared_data / RTM, column="price_usd_per_mwh", node="HB_WEST", label="x")
    assert len(h.start_time_s) == 19_259  # power/SOURCES.md: 19,259 rows per full-span node
    assert h.interval_s == H and h.market == "ERCOT_RTM"
    # 2026-01-20T00:00:00Z HB_WEST = $28.9525/MWh (examples/fleet_hourly_power.csv row 1)
    i = int(np.searchsorted(h.start_time_s, 1_768_867_200))
    assert h.price_usd_per_kwh[i] == pytest.approx(0.0289525)
    # the fall-back hour 2024-11-03T07:00Z is missing (SOURCES.md): a window over it needs a rule
    with pytest.raises(InputError, match=r"1 interval\(s\) of 60 min are missing.*2024-11-03T07"):
        price_window(h, 1_730_610_000, 1_730_624_400)
    w = price_window(h, 1_730_610_000, 1_730_624_400, fill="previous")
    assert int(w.filled.sum()) == 1 and w.fill_rule == "previous"
    # 06:00Z = $21.31 carried into 07:00Z
    assert w.price_usd_per_kwh[w.filled][0] == pytest.approx(0.02131)


@pytest.mark.shared
def test_fifteen_minute_file_and_uri_day_ahead(shared_data: Path) -> None:
    h = read_hourly_prices(shared_data / RTM15, column="price_usd_per_mwh", node=None, label="x")
    assert h.interval_s == 900 and len(h.start_time_s) == 11_712  # 122 days x 96
    dam = read_hourly_prices(
        shared_data / DAM21, column="price_usd_per_mwh", node="HB_NORTH", label="x"
    )
    assert len(dam.start_time_s) == 17_520
    # SOURCES.md: the Uri hourly maximum at HB_NORTH was $8,999 (the offer cap), Feb 2021
    feb = (dam.start_time_s >= 1_612_137_600) & (dam.start_time_s < 1_614_556_800)
    assert dam.price_usd_per_kwh[feb].max() == pytest.approx(8.999, abs=1e-3)


def test_interval_times_file(tmp_path: Path) -> None:
    f = _csv(tmp_path, "time_utc\n2022-07-20T21:30:00Z\n2022-06-23T21:45:00Z\n", "cp.csv")
    assert read_interval_times(f).tolist() == [1_656_020_700, 1_658_352_600]
    bad = _csv(tmp_path, "time_utc\nsoon\n", "bad.csv")
    with pytest.raises(InputError, match=r"bad\.csv:2.*bad time"):
        read_interval_times(bad)
