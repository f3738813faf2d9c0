"""The machines, fleet and economics commands (CliRunner, parsed JSON)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minerscope.cli import app

NOW_S = 1_790_000_000  # the clock in these tests: 2026-09-21, after all the data

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TOUCHSTONE = [
    "--difficulty", "141.67T", "--fees-btc-per-block", "0.02", "--btc-price-usd", "70000",
    "--power-price-usd-per-kwh", "0.08", "--subsidy-btc", "3.125",
]  # fmt: skip


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    # Commands without --db read the default database: point it at a file that does not
    # exist, so no developer's own database changes what these tests see.
    monkeypatch.setenv("MINERSCOPE_DB", str(tmp_path / "default-absent.sqlite"))
    return CliRunner()


def test_machines_without_a_database(runner: CliRunner, tmp_path: Path) -> None:
    res = runner.invoke(
        app, ["machines", *TOUCHSTONE, "--json", "--db", str(tmp_path / "none.sqlite")]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["hashprice_usd_per_phs_day"] == pytest.approx(31.3, rel=0.015)
    by_model = {m["model"]: m for m in data["machines"]}
    assert len(by_model) == 56
    s21 = by_model["Antminer S21"]
    assert s21["breakeven_btc_price_usd"] == pytest.approx(75_200, rel=0.015)
    assert s21["breakeven_power_price_usd_per_kwh"] == pytest.approx(0.074, rel=0.015)
    assert s21["cost_usd_per_btc"] == pytest.approx(s21["breakeven_btc_price_usd"], rel=1e-9)
    assert not by_model["Antminer S19 XP+ Hyd"]["profitable"]
    assert not by_model["WhatsMiner M60S"]["profitable"]
    assert by_model["Antminer S21 XP Hyd"]["breakeven_btc_price_usd"] == pytest.approx(
        51_600, rel=0.015
    )
    profits = [m["profit_usd_per_day"] for m in data["machines"]]
    assert profits == sorted(profits, reverse=True)


def test_machines_filter_sort_and_pool_fee(runner: CliRunner) -> None:
    res = runner.invoke(
        app,
        ["machines", *TOUCHSTONE, "--model", "S21 XP", "--sort", "efficiency",
         "--pool-fee-pct", "2", "--overhead-pct", "10", "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["inputs"]["pue"] == pytest.approx(1.1)
    effs = [m["efficiency_j_per_th"] for m in data["machines"]]
    assert effs == sorted(effs) and all("S21 XP" in m["model"] for m in data["machines"])
    # S21 XP Hyd at PUE 1.1 and 2 % fee: $51,593 * 1.1 / 0.98 = $57,910
    xp = next(m for m in data["machines"] if m["model"] == "Antminer S21 XP Hyd")
    assert xp["breakeven_btc_price_usd"] == pytest.approx(57_910, rel=1e-4)


def test_machines_table_and_errors(runner: CliRunner) -> None:
    res = runner.invoke(app, ["machines", *TOUCHSTONE, "--model", "S21"])
    assert res.exit_code == 0 and "75,240" in res.stdout  # S21 breakeven
    bad = runner.invoke(app, ["machines", *TOUCHSTONE, "--model", "nothing-like-this"])
    assert bad.exit_code == 1 and "no catalog model matches" in bad.stderr
    bad = runner.invoke(app, ["machines", *TOUCHSTONE, "--sort", "colour"])
    assert bad.exit_code == 1 and "unknown sort" in bad.stderr
    bad = runner.invoke(app, ["machines", "--difficulty", "lots", "--btc-price-usd", "1"])
    assert bad.exit_code == 1 and "not a difficulty" in bad.stderr


def test_machines_with_a_user_catalog(runner: CliRunner, tmp_path: Path) -> None:
    f = tmp_path / "mine.csv"
    f.write_text("model,hashrate_ths,power_w\nMy Rig,100,1750\n", encoding="utf-8")
    res = runner.invoke(app, ["machines", *TOUCHSTONE, "--catalog", str(f), "--model", "my rig",
                              "--json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    (m,) = json.loads(res.stdout)["machines"]
    assert m["origin"] == str(f) and m["efficiency_j_per_th"] == 17.5


def test_fleet_example_file(runner: CliRunner) -> None:
    res = runner.invoke(app, ["fleet", str(EXAMPLES / "fleet.toml"), *TOUCHSTONE[:6], "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    groups = {g["name"]: g for g in data["groups"]}
    # S19 XP+ Hyd at the hosted site: $0.072 + $0.008 hosting per kWh, PUE 1.02, 2 % fee
    assert groups["s19xp-plus-hyd"]["switch_off"]
    assert "s19xp-plus-hyd" in data["switch_off_groups"]
    assert not groups["s21-hall-a"]["switch_off"]
    t = data["totals"]
    assert t["machine_count"] == 2400
    assert t["cash_cost_usd_per_btc"] < t["all_in_cost_usd_per_btc"]
    table = runner.invoke(app, ["fleet", str(EXAMPLES / "fleet.toml"), *TOUCHSTONE[:6]])
    assert table.exit_code == 0 and "switch off now" in table.stdout


def test_fleet_error_names_key(runner: CliRunner, tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(
        "[sites.a]\npower_price_usd_per_kwh = 0.05\n[[groups]]\nname='x'\n"
        "model='Antminer S21'\ncount=1\nuptime_pct=101\n",
        encoding="utf-8",
    )
    res = runner.invoke(app, ["fleet", str(f), *TOUCHSTONE[:6]])
    assert res.exit_code == 1
    assert "groups[0] (x).uptime_pct" in res.stderr and "<= 100" in res.stderr


def test_economics_history_json_and_csv(runner: CliRunner, reference_db_file: Path) -> None:
    args = ["economics", "--db", str(reference_db_file), "--from", "2026-01-20",
            "--to", "2026-01-24"]  # fmt: skip
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [r["date"] for r in data["rows"]][0] == "2026-01-20" and len(data["rows"]) == 5
    last = data["rows"][-1]
    assert last["revenue_usd"] == pytest.approx(27_492_668, rel=1e-6)
    res = runner.invoke(app, [*args, "--csv"])
    assert res.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(res.stdout)))
    assert len(rows) == 5 and float(rows[2]["revenue_usd"]) == pytest.approx(45_181_626, rel=1e-6)
    res = runner.invoke(app, [*args[:5], "--to", "2026-13-01"])
    assert res.exit_code == 1 and "not a date" in res.stderr


def test_commands_have_an_example() -> None:
    from minerscope.cli import econ as cli_econ

    for fn in (cli_econ.machines_cmd, cli_econ.fleet_cmd, cli_econ.economics_cmd):
        assert "Example: minerscope " in (fn.__doc__ or "")


def test_machines_as_of_reference_data(runner: CliRunner, reference_db_file: Path) -> None:
    res = runner.invoke(
        app,
        ["machines", "--db", str(reference_db_file), "--at", "2026-01-24", "--model",
         "Antminer S21", "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    inp = data["inputs"]
    assert inp["difficulty_source"].startswith("bits 1701fca1 of block 933681")
    # A date means the end of that day, when its close (stamped 2026-01-25T00:00:00Z) is known.
    assert inp["btc_price_source"] == "coinmetrics at 2026-01-25T00:00:00Z"
    assert inp["btc_price_time_iso"] == "2026-01-25T00:00:00Z"
    s21 = next(m for m in data["machines"] if m["model"] == "Antminer S21")
    # W = 141,668,107,417,558 * 2**48/65535 = 6.0846917e23; R = 3.125 + 312,893,494/144/1e8
    # = 3.1467287 BTC; 17.5 * W / 1e12 / 3.6e6 / R * $0.08 = $75,197.7 (touchstone: ~$75k)
    assert s21["breakeven_btc_price_usd"] == pytest.approx(75_197.7, rel=1e-6)


def test_hourly_fleet_in_the_winter_storm(runner: CliRunner) -> None:
    # 2026-01-26T02:00Z at ERCOT HB_WEST: $995.22/MWh; every group should be off.
    res = runner.invoke(
        app,
        ["fleet", str(EXAMPLES / "fleet_hourly.toml"), *TOUCHSTONE[:6], "--at",
         "2026-01-26T02:30:00Z", "--json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    sites = {s["name"]: s for s in data["sites"]}
    assert sites["west"]["power_price_usd_per_kwh"] == pytest.approx(0.9952225)
    assert data["switch_off_groups"] == ["s21", "s19j-pro"]
    # A calm hour (2026-01-20T00:00Z, $28.95/MWh): both run.
    res = runner.invoke(
        app,
        ["fleet", str(EXAMPLES / "fleet_hourly.toml"), *TOUCHSTONE[:6], "--at",
         "2026-01-20T00:10:00Z", "--json"],
    )  # fmt: skip
    assert json.loads(res.stdout)["switch_off_groups"] == []
    res = runner.invoke(app, ["fleet", str(EXAMPLES / "fleet_hourly.toml"), *TOUCHSTONE[:6]])
    assert res.exit_code == 1 and "no hourly power price" in res.stderr


def test_status_pairs_render(reference_db: object) -> None:
    from minerscope.asof import parse_time_spec, resolve_as_of
    from minerscope.cli.econ import status_pairs
    from minerscope.report.econ import status_section

    as_of = resolve_as_of(reference_db, parse_time_spec("2026-01-24"), now_s=NOW_S)  # type: ignore[arg-type]
    pairs = dict(status_pairs(status_section(reference_db, as_of)))  # type: ignore[arg-type]
    assert pairs["miner revenue"].startswith("308.27 BTC = $27.49M on 2026-01-24")
    assert "over 8 methods" in pairs["cost to produce 1 BTC"]
    assert pairs["Puell multiple"].startswith("0.59")
    assert status_pairs(None) == []


def test_machines_csv(runner: CliRunner) -> None:
    res = runner.invoke(app, ["machines", *TOUCHSTONE, "--model", "S21 XP Hyd", "--csv"])
    assert res.exit_code == 0, res.output
    (row,) = list(csv.DictReader(io.StringIO(res.stdout)))
    assert row["model"] == "Antminer S21 XP Hyd"
    assert float(row["breakeven_btc_price_usd"]) == pytest.approx(51_593.2, rel=1e-6)
    both = runner.invoke(app, ["machines", *TOUCHSTONE, "--csv", "--json"])
    assert both.exit_code == 1
