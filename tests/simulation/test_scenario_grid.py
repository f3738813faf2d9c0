"""Scenarios (departures, outages, a forced retarget), the path backtest, sensitivity grids."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from minerscope.cli import app
from minerscope.economics.fleet import GroupArrays
from minerscope.errors import InputError
from minerscope.report.grid import parse_axis
from minerscope.simulation.grid import GRID_KEYS, GridInputs, fleet_grid, machines_grid
from minerscope.simulation.network import ChainStart, base_hashrate_hps
from minerscope.simulation.paths_backtest import backtest_paths, realised_at, summarize
from minerscope.simulation.retarget import TIMESPAN_S
from minerscope.simulation.scenario import departure_shock, outage_shock, simulate_scenario

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
D0 = 141.67e12
DAY = 86_400


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _start() -> ChainStart:
    # at the first block of epoch 464 with the hash rate that set D0: 600 s blocks
    return ChainStart(D0, 464 * 2016, elapsed_s=0.0, hashrate_hps=base_hashrate_hps(D0))


def test_ten_percent_leaving_lowers_difficulty_ten_percent_and_raises_hashprice() -> None:
    shock = departure_shock(0.10, from_s=0.0)
    run_ = simulate_scenario(
        _start(), _start(), shock, days=120, paths=400, seed=3, price_usd=70_000,
        fees_btc=0.02,
    )  # fmt: skip
    base = run_.baseline.retargets
    scn = run_.scenario.retargets
    # the first retarget after a 10 % drop: D x 0.9 (the epoch ran at 0.9 H); then steady
    assert scn[0].difficulty_p50 / base[0].difficulty_p50 == pytest.approx(0.9, rel=0.01)
    assert scn[0].mean_block_time_p50_s == pytest.approx(600 / 0.9, rel=0.01)  # 666.7 s
    assert scn[0].time_p50_s - base[0].time_p50_s == pytest.approx(TIMESPAN_S / 9, rel=0.02)
    # those who stay: hashprice x 1/0.9 = +11.1 % once the retarget has passed
    hp_b = run_.baseline.hashprice_bands[1, 60]
    hp_s = run_.scenario.hashprice_bands[1, 60]
    assert hp_s / hp_b == pytest.approx(1 / 0.9, rel=0.01)


def test_outage_moves_the_retarget_and_recovers() -> None:
    # half the hash rate for 2 days of the epoch: it ends ~2 days later, difficulty falls
    # by 2 / (14 + 2) = 12.5 %, and the next epoch (full hash rate again) ends early
    shock = outage_shock(0.5, from_s=2 * DAY, to_s=4 * DAY)
    run_ = simulate_scenario(
        _start(), _start(), shock, days=60, paths=400, seed=5, price_usd=70_000, fees_btc=0.02
    )
    b, s = run_.baseline.retargets, run_.scenario.retargets
    assert s[0].time_p50_s - b[0].time_p50_s == pytest.approx(DAY, rel=0.05)
    assert s[0].difficulty_p50 / b[0].difficulty_p50 == pytest.approx(14 / 15, rel=0.01)
    assert s[1].difficulty_p50 / b[1].difficulty_p50 == pytest.approx(1.0, rel=0.01)
    with pytest.raises(ValueError, match="in \\(0, 1\\)"):
        outage_shock(1.0, from_s=0, to_s=1)


def test_forced_retarget_against_baseline_on_the_same_draws() -> None:
    base = _start()
    forced = ChainStart(D0, 464 * 2016, elapsed_s=0.0, next_change_share=-0.14)
    fleet = None
    run_ = simulate_scenario(
        base, forced, None, days=30, paths=200, seed=1, price_usd=70_000, fees_btc=0.02,
        fleet=fleet,
    )  # fmt: skip
    assert run_.scenario.retargets[0].difficulty_p50 == pytest.approx(D0 * 0.86, rel=1e-9)
    # a -14 % retarget is an epoch of 1,209,600 / 0.86 s: the retarget comes 2.28 days late
    assert run_.scenario.retargets[0].time_p50_s == pytest.approx(TIMESPAN_S / 0.86, rel=1e-9)


@pytest.mark.shared
def test_scenario_command_with_a_fleet(reference_db_file: Path) -> None:
    code, out, err = run(
        "scenario", str(EXAMPLES / "fleet.toml"), "--hashrate-leaves-pct", "10", "--from",
        "2026-02-10", "--over-days", "30", "--horizon-days", "90", "--paths", "300",
        "--at", "2026-02-01T08:40:17Z", "--db", str(reference_db_file), "--json",
    )  # fmt: skip
    assert code == 0, err
    d = json.loads(out)
    assert "10% of hash rate leaves for good" in d["scenario"][0]
    assert d["fleet"]["difference_usd"]["p50"] > 0  # the ones who stay earn more
    assert len(d["days"]) == 90
    first_b = next(r for r in d["retargets"] if r["run"] == "baseline")
    assert first_b["height"] == 935_424
    code, _, err = run("scenario", "--horizon-days", "30", "--db", str(reference_db_file))
    assert code == 1 and "name a what-if" in err
    code, _, err = run(
        "scenario", "--outage-pct", "130", "--from", "2026-02-02", "--to", "2026-02-03",
        "--db", str(reference_db_file),
    )  # fmt: skip
    assert code == 1 and "(0, 100)" in err


# --- the path backtest -----------------------------------------------------------------------


def test_path_backtest_scores_a_steady_chain() -> None:
    # 200 epochs, each 5 % harder than the last and exactly 14 days apart: the realised
    # difficulty a year on is D x 1.05^26.09; a bootstrap of +5 % changes gets it exactly
    n = 200
    d = 1e12 * 1.05 ** np.arange(n)
    starts = 1.45e9 + np.arange(n) * 14 * DAY
    assert realised_at(starts, d, starts[150] + 365.25 * DAY) == d[176]
    rows = backtest_paths(d, starts, from_epoch=120, to_epoch=130, paths=50)
    boot = [r for r in rows if r.method == "bootstrap"]
    assert {r.epoch for r in boot} == set(range(120, 131))
    s = {(x.method, round(x.horizon_days)): x for x in summarize(rows)}
    assert s[("bootstrap", 183)].projections == 11
    # constant changes: every bootstrapped path is the same and ends at the realised value
    # up to the regime timing (the retarget a year on falls either side of the date)
    r0 = boot[0]
    assert r0.quantiles[5] == pytest.approx(r0.quantiles[95], rel=0.06)
    assert r0.quantiles[50] == pytest.approx(r0.realised, rel=0.06)


@pytest.mark.shared
def test_backtest_paths_command(reference_db_file: Path) -> None:
    code, out, err = run(
        "backtest", "paths", "--from", "2022-01-01", "--to", "2022-06-30", "--paths", "100",
        "--db", str(reference_db_file), "--json",
    )  # fmt: skip
    assert code == 0, err
    d = json.loads(out)
    methods = {(s["method"], round(s["horizon_days"])) for s in d["summary"]}
    assert methods == {("bootstrap", 183), ("bootstrap", 365), ("fitted", 183), ("fitted", 365)}
    assert all(s["projections"] == 13 for s in d["summary"])  # 13 epochs start in H1 2022
    assert all(0 <= s["coverage_80_share"] <= 1 for s in d["summary"])


# --- grids -----------------------------------------------------------------------------------


def test_grid_parsing() -> None:
    axis = parse_axis("btc_price_usd=50000:120000:10000", GRID_KEYS)
    assert axis.values == tuple(float(v) for v in range(50_000, 120_001, 10_000))
    assert parse_axis("power_price_usd_per_kwh=0.03:0.10:0.01", GRID_KEYS).values[-1] == 0.1
    for bad, needle in [
        ("btc_price_usd=50000:50000:10000", "no steps"),
        ("btc_price_usd=5:1:1", "no steps"),
        ("btc_price_usd=1:5:0", "no steps"),
        ("btc=1:2:1", "unknown grid key"),
        ("btc_price_usd=a:b:c", "is not START:STOP:STEP"),
        ("power_price_usd_per_kwh=1:3:1", "outside"),
    ]:
        with pytest.raises(InputError, match=needle):
            parse_axis(bad, GRID_KEYS)


def test_machines_grid_matches_the_worked_example() -> None:
    # RESEARCH.md 3.6: S21 (200 TH/s, 3,500 W = 17.5 J/TH) at D = 141.67 T, R = 3.145:
    # breakeven $75.2k at $0.08/kWh; $0.0744/kWh at $70k
    base = GridInputs(141.67e12, 3.125, 0.02, 70_000.0, 0.08)
    be = machines_grid(
        np.array([200.0]), np.array([3500.0]), base,
        [("power_price_usd_per_kwh", [0.08])], "breakeven_btc_price_usd",
    )  # fmt: skip
    assert be[0, 0] == pytest.approx(75_240, rel=1e-3)
    bp = machines_grid(
        np.array([200.0]), np.array([3500.0]), base, [("btc_price_usd", [70_000.0])],
        "breakeven_power_price_usd_per_kwh",
    )  # fmt: skip
    assert bp[0, 0] == pytest.approx(0.0744, abs=1e-4)
    prof = machines_grid(
        np.array([200.0]), np.array([3500.0]), base,
        [("btc_price_usd", [70_000.0, 80_000.0]), ("difficulty_change_pct", [0.0, -14.0])],
    )  # fmt: skip
    # revenue 0.2 PH * $31.26 = $6.252/day, power 3.5 * 24 * 0.08 = $6.72/day
    assert prof[0, 0, 0] == pytest.approx(6.2520 - 6.72, abs=1e-3)
    assert prof[0, 0, 1] == pytest.approx(6.2520 / 0.86 - 6.72, abs=1e-3)


def test_fleet_grid_is_evaluate_fleet_per_cell() -> None:
    groups = GroupArrays(
        *(
            np.array(v, dtype=float)
            for v in ([200.0], [3500.0], [100.0], [1.0], [0.05], [1.0], [0.0], [2800.0], [36.0])
        )  # fmt: skip
    )
    base = GridInputs(141.67e12, 3.125, 0.02, 70_000.0, None)
    g = fleet_grid(groups, base, [("power_price_usd_per_kwh", [0.05, 0.08])],
                   fixed_opex_usd_per_day=100.0)  # fmt: skip
    # 100 machines: revenue $625.20, power 100 * 3.5 * 24 * price, opex $100
    assert g.cash_profit_usd_per_day.tolist() == [
        pytest.approx(625.1987 - 420.0 - 100.0, abs=1e-3),
        pytest.approx(625.1987 - 672.0 - 100.0, abs=1e-3),
    ]


@pytest.mark.shared
def test_grid_commands(reference_db_file: Path) -> None:
    code, out, err = run(
        "machines", "--difficulty", "141.67T", "--fees-btc-per-block", "0.02",
        "--btc-price-usd", "70000", "--model", "S21 XP Hyd", "--grid",
        "btc_price_usd=50000:120000:10000", "--grid", "power_price_usd_per_kwh=0.03:0.10:0.01",
        "--json",
    )  # fmt: skip
    assert code == 0, err
    d = json.loads(out)
    assert [len(a["values"]) for a in d["axes"]] == [8, 8]
    values = d["series"][0]["values"]
    assert len(values) == 8 and len(values[0]) == 8
    assert values[0][0] > values[0][7] and values[7][0] > values[0][0]  # price up, power down
    code, out, err = run(
        "fleet", str(EXAMPLES / "fleet.toml"), "--grid", "btc_price_usd=60000,80000",
        "--at", "2026-02-05", "--db", str(reference_db_file),
    )  # fmt: skip
    assert code == 0, err and "cash_profit_usd_per_day" in out
    code, _, err = run(
        "machines", "--difficulty", "141.67T", "--fees-btc-per-block", "0.02",
        "--btc-price-usd", "70000", "--grid", "btc_price_usd=1:1:1",
    )  # fmt: skip
    assert code == 1 and "no steps" in err


def test_every_decision_document_has_a_json_schema() -> None:
    from minerscope.report.curtail import CurtailDocument
    from minerscope.report.decisions import RoiDocument
    from minerscope.report.econ_grid import GridDocument
    from minerscope.report.paths_backtest import PathsBacktestDocument
    from minerscope.report.scenario import ScenarioDocument
    from minerscope.report.sweep import SweepDocument

    for doc, name in [
        (RoiDocument, "roi"), (CurtailDocument, "curtail"), (ScenarioDocument, "scenario"),
        (GridDocument, "grid"), (PathsBacktestDocument, "backtest_paths"),
        (SweepDocument, "roi_sweep"),
    ]:  # fmt: skip
        schema = doc.json_schema()
        assert schema["$id"].endswith(f"/{name}.schema.json")
        assert "as_of" in schema["properties"] or name == "backtest_paths"
