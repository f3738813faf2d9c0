"""Network reports on the reference database (../shared/data), and the CLI commands."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minerscope.analytics.hashrate import HASHES_PER_DIFFICULTY
from minerscope.asof import parse_time_spec, resolve_as_of
from minerscope.cli import app
from minerscope.report import network

TOUCHSTONE = "2026-02-01T08:40:17Z"  # block 934575, the last block in the per-block file
EPOCH_463_FIRST_TIME_S = 1769110282  # block 933408, 2026-01-22T19:31:22Z (SOURCES.md)
TIP_TIME_S = 1769935217


def _as_of(conn: sqlite3.Connection, text: str):  # type: ignore[no-untyped-def]
    return resolve_as_of(conn, parse_time_spec(text), now_s=TIP_TIME_S)


def test_difficulty_touchstone(reference_db: sqlite3.Connection) -> None:
    data = network.difficulty_report(reference_db, _as_of(reference_db, TOUCHSTONE))
    ep = data["epoch"]
    assert (ep["index"], ep["blocks_mined"], ep["tip_height"]) == (463, 1168, 934575)
    assert ep["bits_hex"] == "1701fca1"
    assert ep["difficulty_t"] == pytest.approx(141.668, abs=1e-3)
    assert ep["first_block"]["time_s"] == EPOCH_463_FIRST_TIME_S
    # mean interval: (1769935217 - 1769110282) / 1167 = 824,935 / 1167 = 706.885 s
    assert ep["mean_block_time_s"] == pytest.approx(706.885, abs=1e-3)
    # mempool: 600 * 1168 / 824,935 - 1 = -15.048 %
    assert data["mempool_style"]["change_pct"] == pytest.approx(-15.048, abs=1e-3)
    na = data["next_adjustment"]
    c = na["change_pct"]
    assert not na["exact"]
    assert c["p5"] < c["p25"] < c["p50"] < c["p75"] < c["p95"]
    assert na["retarget_height"] == 935424
    eta = na["retarget_eta"]
    assert TIP_TIME_S < eta["p10"]["time_s"] < eta["p50"]["time_s"] < eta["p90"]["time_s"]
    assert data["as_of"]["resolution"] == "block"
    assert data["halving"]["height"] == 1_050_000
    assert data["halving"]["blocks_left"] == 1_050_000 - 934_575
    assert "before 463" in data["drift"]["fitted_on"]


def test_difficulty_exact_at_epoch_end(reference_db: sqlite3.Connection) -> None:
    # Block 933407 closes epoch 462: 1701ebf2 -> 1701fca1 (-3.28 %), known exactly.
    data = network.difficulty_report(reference_db, _as_of(reference_db, "height:933407"))
    na = data["next_adjustment"]
    assert na["exact"]
    assert na["next_bits_hex"] == "1701fca1"
    assert na["change_pct"]["p5"] == na["change_pct"]["p95"]
    assert na["next_difficulty_t"]["p50"] == pytest.approx(141.668, abs=1e-3)


def test_difficulty_from_daily_rows_before_block_data(reference_db: sqlite3.Connection) -> None:
    data = network.difficulty_report(reference_db, _as_of(reference_db, "2020-05-01"))
    assert data["as_of"]["resolution"] == "daily"
    assert data["epoch"]["index"] == 311  # heights 626,976 .. 628,991
    assert data["halving"]["height"] == 630_000


def test_hashrate_touchstone(reference_db: sqlite3.Connection) -> None:
    data = network.hashrate_report(reference_db, _as_of(reference_db, TOUCHSTONE))
    w144 = data["windows"][0]
    assert w144["window"] == "144 blocks" and w144["n_blocks"] == 144
    # unbiased / MLE = (n - 1) / n = 143 / 144 exactly
    assert w144["hashrate_ehs"] / w144["mle_ehs"] == pytest.approx(143 / 144, rel=1e-12)
    # Core: 144 W / (max - min time), W = 141.668107417558e12 * 2**48 / 65535
    w = 141.668107417558e12 * HASHES_PER_DIFFICULTY
    assert w144["core_getnetworkhashps_ehs"] == pytest.approx(
        144 * w / w144["span_s"] / 1e18, rel=1e-9
    )
    assert w144["lower_ehs"] < w144["hashrate_ehs"] < w144["upper_ehs"]
    windows = [w["window"] for w in data["windows"]]
    assert windows[:3] == ["144 blocks", "1008 blocks", "2016 blocks"]
    assert [d["window"] for d in data["daily"]][0].startswith("1 day")
    assert data["daily"][0]["last_date"] == "2026-01-31"
    assert data["daily"][0]["n_blocks"] == 138  # blocks timestamped 2026-01-31
    dd = data["drawdown"]
    assert dd["lower_pct"] <= dd["change_from_peak_corrected_pct"] <= dd["upper_pct"]
    bpd = data["block_times"]["blocks_per_day"][0]
    assert bpd["expected_per_day"] == 144


def test_status_section_keys(reference_db: sqlite3.Connection) -> None:
    sec = network.status_section(reference_db, _as_of(reference_db, TOUCHSTONE))
    assert sec is not None
    assert sec["hashrate"]["window"] == "1008 blocks"
    assert set(sec["next_adjustment"]["change_pct"]) == {"p5", "p25", "p50", "p75", "p95"}
    assert set(sec["halving"]["eta"]) == {"p10", "p50", "p90"}


def test_backtest_block_epochs(reference_db: sqlite3.Connection) -> None:
    data = network.backtest_report(reference_db, from_date="2025-08-15", include_rows=True)
    rows = data["rows"]
    actual = {r["epoch"]: r["actual_change_pct"] for r in rows}
    # ../shared/data/difficulty_adjustments_real_911232_933407.csv
    assert actual[452] == pytest.approx(4.8888, abs=1e-4)
    assert actual[453] == pytest.approx(4.633, abs=1e-3)
    # 463 -> 464: 141.67 T -> 125.86 T (difficulty_epochs_electrum.csv)
    assert actual[463] == pytest.approx(-11.16, abs=0.01)
    assert {r["resolution"] for r in rows if r["epoch"] == 452} == {"block"}
    # epoch 463's blocks are stored up to 57.9 %: later points fall back to daily rows
    res_463 = {round(r["progress_pct"]): r["resolution"] for r in rows if r["epoch"] == 463}
    assert res_463[10] == res_463[25] == res_463[50] == "block"
    assert {v for k, v in res_463.items() if k > 60} == {"daily"}
    s = {x["progress_pct"]: x for x in data["summary"]}
    assert s[50.0]["epochs"] >= 12


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_cli_difficulty_json(runner: CliRunner, reference_db_file: Path) -> None:
    res = runner.invoke(
        app, ["difficulty", "--at", TOUCHSTONE, "--json", "--db", str(reference_db_file)]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["epoch"]["blocks_mined"] == 1168


def test_cli_hashrate_windows(runner: CliRunner, reference_db_file: Path) -> None:
    db = ["--db", str(reference_db_file), "--at", TOUCHSTONE, "--json"]
    res = runner.invoke(app, ["hashrate", "--window-blocks", "1008", *db])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["windows"][0]["n_blocks"] == 1008
    res = runner.invoke(app, ["hashrate", "--window-days", "7", *db])
    assert res.exit_code == 0, res.output
    win = json.loads(res.stdout)["windows"][0]
    assert win["method"] == "time" and win["span_s"] == 7 * 86_400
    res = runner.invoke(app, ["hashrate", "--window-days", "7", "--window-blocks", "5", *db])
    assert res.exit_code == 1


def test_cli_backtest_table(runner: CliRunner, reference_db_file: Path) -> None:
    res = runner.invoke(
        app, ["backtest", "projection", "--from", "2025-12-01", "--db", str(reference_db_file)]
    )
    assert res.exit_code == 0, res.output
    assert "coverage" in res.stdout
    bad = runner.invoke(
        app, ["backtest", "projection", "--from", "12/01/2025", "--db", str(reference_db_file)]
    )
    assert bad.exit_code == 1


@pytest.mark.parametrize("cmd", [["hashrate"], ["difficulty"], ["backtest", "projection"]])
def test_commands_document_an_example(runner: CliRunner, cmd: list[str]) -> None:
    res = runner.invoke(app, [*cmd, "--help"])
    assert res.exit_code == 0
    assert "Example: minerscope" in res.stdout


def test_hashrate_daily_series(reference_db: sqlite3.Connection) -> None:
    data = network.hashrate_report(reference_db, _as_of(reference_db, TOUCHSTONE), series_days=3)
    rows = data["daily_series"]
    assert [r["date"] for r in rows] == ["2026-01-29", "2026-01-30", "2026-01-31"]
    last = rows[-1]
    assert last["blocks"] == 138
    # the last row's 7-day mean is the 7-day window of the summary
    assert last["hashrate_ma7_ehs"] == pytest.approx(data["daily"][1]["hashrate_ehs"], rel=1e-12)
    assert last["hashrate_lower_ehs"] < last["hashrate_ehs"] < last["hashrate_upper_ehs"]
