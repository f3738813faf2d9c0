"""Network reports on the reference database (../shared/data), and the CLI commands."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from minerscope.analytics.hashrate import HASHES_PER_DIFFICULTY
from minerscope.asof import parse_time_spec, resolve_as_of
from minerscope.cli import app
from minerscope.report import network
from minerscope.results import to_jsonable

TOUCHSTONE = "2026-02-01T08:40:17Z"  # block 934575, the last block in the per-block file
EPOCH_463_FIRST_TIME_S = 1769110282  # block 933408, 2026-01-22T19:31:22Z (SOURCES.md)
TIP_TIME_S = 1769935217


def _as_of(conn: sqlite3.Connection, text: str):  # type: ignore[no-untyped-def]
    return resolve_as_of(conn, parse_time_spec(text), now_s=TIP_TIME_S)


def test_difficulty_touchstone(reference_db: sqlite3.Connection) -> None:
    data = to_jsonable(network.difficulty_report(reference_db, _as_of(reference_db, TOUCHSTONE)))
    ep = data["epoch"]
    assert (ep["index"], ep["blocks_mined"], ep["tip_height"]) == (463, 1168, 934575)
    assert data["bits_hex"] == "1701fca1"
    assert data["difficulty_t"] == pytest.approx(141.668, abs=1e-3)
    assert ep["first_block_time_s"] == EPOCH_463_FIRST_TIME_S
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
    data = to_jsonable(
        network.difficulty_report(reference_db, _as_of(reference_db, "height:933407"))
    )
    na = data["next_adjustment"]
    assert na["exact"]
    assert na["next_bits_hex"] == "1701fca1"
    assert na["change_pct"]["p5"] == na["change_pct"]["p95"]
    assert na["next_difficulty_t"]["p50"] == pytest.approx(141.668, abs=1e-3)


def test_difficulty_from_daily_rows_before_block_data(reference_db: sqlite3.Connection) -> None:
    data = to_jsonable(network.difficulty_report(reference_db, _as_of(reference_db, "2020-05-01")))
    assert data["as_of"]["resolution"] == "daily"
    assert data["epoch"]["index"] == 311  # heights 626,976 .. 628,991
    assert data["halving"]["height"] == 630_000


def test_hashrate_touchstone(reference_db: sqlite3.Connection) -> None:
    data = to_jsonable(network.hashrate_report(reference_db, _as_of(reference_db, TOUCHSTONE)))
    w144 = data["windows"][0]
    assert w144["window"] == "144 blocks" and w144["n_blocks"] == 144
    # unbiased / MLE = (n - 1) / n = 143 / 144 exactly
    assert w144["hashrate_ehs"] / w144["hashrate_mle_ehs"] == pytest.approx(143 / 144, rel=1e-12)
    # Core: 144 W / (max - min time), W = 141.668107417558e12 * 2**48 / 65535
    w = 141.668107417558e12 * HASHES_PER_DIFFICULTY
    assert w144["core_getnetworkhashps_ehs"] == pytest.approx(
        144 * w / w144["span_s"] / 1e18, rel=1e-9
    )
    assert w144["hashrate_lower_ehs"] < w144["hashrate_ehs"] < w144["hashrate_upper_ehs"]
    windows = [w["window"] for w in data["windows"]]
    assert windows[:3] == ["144 blocks", "1008 blocks", "2016 blocks"]
    assert [d["window"] for d in data["daily"]][0].startswith("1 day")
    assert data["daily"][0]["last_date"] == "2026-01-31"
    assert data["daily"][0]["n_blocks"] == 138  # blocks timestamped 2026-01-31
    dd = data["drawdown"]
    lo, hi = dd["change_from_peak_lower_pct"], dd["change_from_peak_upper_pct"]
    assert lo <= dd["change_from_peak_pct"] <= hi
    assert lo <= dd["change_from_peak_corrected_pct"] <= hi
    bpd = data["block_times"]["blocks_per_day"][0]
    assert bpd["expected_blocks_per_day"] == 144


def test_status_section_keys(reference_db: sqlite3.Connection) -> None:
    sec = to_jsonable(network.status_section(reference_db, _as_of(reference_db, TOUCHSTONE)))
    assert sec is not None
    assert sec["hashrate"]["window"] == "1008 blocks"
    assert set(sec["next_adjustment"]["change_pct"]) == {"p5", "p25", "p50", "p75", "p95"}
    assert set(sec["next_adjustment"]["retarget_eta"]) == {
        f"p{p}" for p in (5, 10, 25, 50, 75, 90, 95)
    }
    assert set(sec) == {"hashrate", "next_adjustment", "mempool_style"}  # the halving: status's
    parts = network.status_parts(reference_db, _as_of(reference_db, TOUCHSTONE))
    assert parts is not None
    assert set(to_jsonable(parts["halving"])["eta"]) == {"p10", "p50", "p90"}


def test_backtest_block_epochs(reference_db: sqlite3.Connection) -> None:
    data = to_jsonable(
        network.backtest_report(reference_db, from_date="2025-08-15", include_rows=True)
    )
    rows = data["projections"]
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
    data = to_jsonable(
        network.hashrate_report(reference_db, _as_of(reference_db, TOUCHSTONE), series_days=3)
    )
    rows = data["daily_series"]
    assert [r["date"] for r in rows] == ["2026-01-29", "2026-01-30", "2026-01-31"]
    last = rows[-1]
    assert last["blocks"] == 138
    # the last row's 7-day mean is the 7-day window of the summary
    assert last["hashrate_ma7_ehs"] == pytest.approx(data["daily"][1]["hashrate_ehs"], rel=1e-12)
    assert last["hashrate_lower_ehs"] < last["hashrate_ehs"] < last["hashrate_upper_ehs"]


# --- issue 8: the published numbers, pinned -----------------------------------------------
# The computation is deterministic (no sampling): the tolerances below only absorb
# floating-point differences between platforms and numpy versions; every mutation listed in
# docs/analytics.md moves these numbers by far more.

TOUCHSTONE_CHANGE_PCT = {  # difficulty --at 2026-02-01T08:40:17Z
    "p5": -18.2463, "p25": -16.4697, "p50": -15.3244, "p75": -14.1805, "p95": -12.4157,
}  # fmt: skip
TOUCHSTONE_ETA_S = {
    "p5": 1770492022, "p10": 1770503033, "p25": 1770520448, "p50": 1770539505,
    "p75": 1770559109, "p90": 1770578049, "p95": 1770590605,
}  # fmt: skip


def test_touchstone_quantiles_pinned(reference_db: sqlite3.Connection) -> None:
    data = to_jsonable(network.difficulty_report(reference_db, _as_of(reference_db, TOUCHSTONE)))
    na = data["next_adjustment"]
    for k, want in TOUCHSTONE_CHANGE_PCT.items():
        assert na["change_pct"][k] == pytest.approx(want, abs=0.001), k  # 0.001 pp
    for k, want in TOUCHSTONE_ETA_S.items():
        assert na["retarget_eta"][k]["time_s"] == pytest.approx(want, abs=5), k  # 5 s
    # mempool's own formula: -15.048 % and now + 849 * 706.885 s (test_mempool.py)
    assert data["mempool_style"]["retarget_eta"]["time_s"] == TIP_TIME_S + 600_145
    cf = data["closed_form_no_drift_change_pct"]
    assert cf["p50"] == pytest.approx(-15.0746, abs=0.001)
    drift = data["drift"]
    assert drift["half_life_epochs"] == 2.0
    assert drift["sigma_pct_per_sqrt_day"] == pytest.approx(0.96717, abs=1e-4)
    assert drift["kurtosis"] == pytest.approx(5.8873, abs=1e-3)
    # the realised change (-11.16 %) is above p95: the storm epoch (docs/analytics.md)
    assert na["change_pct"]["p95"] < -11.16


@pytest.fixture(scope="module")
def backtest_2013(reference_db_file: Path) -> dict:  # type: ignore[type-arg]
    from minerscope import storage

    conn = storage.connect(reference_db_file, read_only=True)
    try:
        return to_jsonable(  # type: ignore[no-any-return]
            network.backtest_report(conn, from_date="2013-01-01", include_rows=True)
        )
    finally:
        conn.close()


# era, progress: (epochs, 50 % coverage, 90 % coverage, median abs error pp, mempool's)
BACKTEST_PINS = {
    ("2013-2015", 10): (88, 46.59, 95.45, 3.9363, 7.0603),
    ("2013-2015", 25): (88, 45.45, 95.45, 3.2876, 5.5565),
    ("2013-2015", 50): (88, 47.73, 93.18, 1.8889, 3.1027),
    ("2016-2019", 10): (108, 48.15, 87.96, 3.2631, 4.7973),
    ("2016-2019", 50): (108, 42.59, 90.74, 2.0402, 2.0712),
    ("2020-2022", 25): (79, 59.49, 91.14, 2.8265, 3.3988),
    ("2023 on", 10): (90, 46.67, 92.22, 3.0385, 3.4995),
    ("2023 on", 90): (90, 62.22, 90.00, 0.4403, 0.4613),
}


def test_backtest_summary_pinned(backtest_2013: dict) -> None:  # type: ignore[type-arg]
    cells = {(c["era"], round(c["progress_pct"])): c for c in backtest_2013["by_era"]}
    for key, (n, c50, c90, med, med_mp) in BACKTEST_PINS.items():
        c = cells[key]
        assert c["epochs"] == n, key
        # a coverage moves in steps of 100/n (one epoch crossing an interval edge): 0.05
        # points is exact; errors to 1e-4 pp
        assert c["coverage_50_pct"] == pytest.approx(c50, abs=0.05), key
        assert c["coverage_90_pct"] == pytest.approx(c90, abs=0.05), key
        assert c["median_abs_error_pp"] == pytest.approx(med, abs=1e-4), key
        assert c["mempool_median_abs_error_pp"] == pytest.approx(med_mp, abs=1e-4), key
        assert c["coverage_50_lower_pct"] < c["coverage_50_pct"] < c["coverage_50_upper_pct"]
    by_pp = {round(s["progress_pct"]): s for s in backtest_2013["summary"]}
    assert by_pp[10]["epochs"] == 365
    assert by_pp[10]["median_abs_error_pp"] == pytest.approx(3.3647, abs=1e-4)
    assert by_pp[90]["coverage_90_pct"] == pytest.approx(89.04, abs=0.05)
    eta = {(c["era"], round(c["progress_pct"])): c for c in backtest_2013["eta_by_era"]}
    assert set(eta) == set(cells)
    assert all("median_abs_error_h" in c for c in eta.values())


def test_backtest_rows_are_after_their_moment(backtest_2013: dict) -> None:  # type: ignore[type-arg]
    for r in backtest_2013["projections"]:
        as_of = datetime.strptime(r["as_of_time_iso"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        assert r["as_of_time_s"] == as_of.timestamp()
        assert r["retarget_eta"]["p5"]["time_s"] >= as_of.timestamp() - 1  # rounded to 1 s
        assert r["mempool_retarget_eta"]["time_s"] >= as_of.timestamp() - 1


# --- issue 8 item 2: no ETA in the past ---------------------------------------------------


@pytest.mark.parametrize("epoch", [455, 458, 461])
def test_every_block_of_an_epoch_has_its_etas_after_the_moment(
    reference_db: sqlite3.Connection, epoch: int
) -> None:
    # all 2016 blocks of three complete epochs, as of the block's own time (and every
    # 16th and the last also three hours later): every ETA percentile and mempool's are
    # >= the moment
    from minerscope.analytics.drift import drift_path
    from minerscope.analytics.epochstate import state_from_block_arrays
    from minerscope.analytics.projection import project_difficulty
    from minerscope.consensus import difficulty_from_bits, target_from_bits
    from minerscope.storage.network import block_arrays, contiguous_epoch_bits

    bits = contiguous_epoch_bits(reference_db)
    drift = drift_path([difficulty_from_bits(b) for b in bits[: epoch + 1]])[epoch]
    lo = epoch * 2016 - 504
    heights, times, block_bits = block_arrays(reference_db, lo, epoch * 2016 + 2015)
    assert len(heights) == 2520
    targets = np.array([float(target_from_bits(int(b))) for b in block_bits])
    t = times.astype(float)
    exact = 0
    for tip in range(epoch * 2016, epoch * 2016 + 2016):
        last = tip == epoch * 2016 + 2015
        for wait in (0.0, 3 * 3600.0) if tip % 16 == 0 or last else (0.0,):
            as_of = t[tip - lo] + wait
            s = state_from_block_arrays(
                t, targets, lo, tip, int(block_bits[tip - lo]), as_of_s=as_of
            )
            proj = project_difficulty(s, drift, closed_form=False)
            assert min(proj.retarget_eta_s.values()) >= as_of, (tip, wait)
            assert proj.mempool_eta_s >= as_of, (tip, wait)
            exact += proj.exact
    assert exact == 1 + 1  # the last block, as of its time and 3 h later


def test_cli_difficulty_at_an_epochs_last_block(runner: CliRunner, reference_db_file: Path) -> None:
    at = "2026-01-08T08:04:46Z"  # block 931391 closes epoch 461 (issue 8 item 2)
    res = runner.invoke(app, ["difficulty", "--at", at, "--json", "--db", str(reference_db_file)])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    as_of = data["as_of"]["data_time_s"]
    assert data["next_adjustment"]["exact"]
    assert all(v["time_s"] >= as_of for v in data["next_adjustment"]["retarget_eta"].values())
    assert data["mempool_style"]["retarget_eta"]["time_s"] >= as_of
    assert data["mempool_style"]["note"] is None  # mempool's formula itself is after it


# --- issue 8 item 3: short windows and short syncs ------------------------------------------


def test_cli_hashrate_two_block_window_without_advancing_times(
    runner: CliRunner, reference_db_file: Path
) -> None:
    args = [
        "hashrate",
        "--at",
        "height:911464",
        "--window-blocks",
        "2",
        "--db",
        str(reference_db_file),
    ]
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    win = json.loads(res.stdout)["windows"][0]
    assert win["hashrate_ehs"] is None and win["n_blocks"] == 2
    assert win["span_s"] == -237.0  # block 911464 is timestamped 237 s before 911462
    assert win["core_getnetworkhashps_ehs"] > 0  # Core divides by max - min time
    assert "no estimate" in win["note"]
    text = runner.invoke(app, args)
    assert text.exit_code == 0, text.output
    assert "2 blocks: no estimate" in " ".join(text.stderr.split())


def test_every_non_advancing_two_block_window(reference_db: sqlite3.Connection) -> None:
    from minerscope.storage.network import block_arrays

    heights, times, _ = block_arrays(reference_db, 909458, 934575)
    bad = [int(heights[i]) for i in range(2, len(times)) if times[i] <= times[i - 2]]
    assert len(bad) == 48  # in the reference blocks (issue 8 item 3)
    for tip in bad:
        win = network._block_windows(reference_db, tip, (2,), False)[0]
        assert win.hashrate_ehs is None and "no estimate" in (win.note or "")


@pytest.mark.parametrize("at", ["height:909458", "2025-08-15", "height:910400"])
def test_cli_status_after_a_short_sync(runner: CliRunner, reference_db_copy: Path, at: str) -> None:
    # at most 1008 blocks stored before the moment: 7 daily rows or the blocks there are
    res = runner.invoke(app, ["status", "--at", at, "--json", "--db", str(reference_db_copy)])
    assert res.exit_code == 0, res.output
    hr = json.loads(res.stdout)["network"]["hashrate"]
    assert hr["hashrate_ehs"] > 0
    assert hr["hashrate_lower_ehs"] < hr["hashrate_ehs"] < hr["hashrate_upper_ehs"]
    text = runner.invoke(app, ["status", "--at", at, "--db", str(reference_db_copy)])
    assert text.exit_code == 0, text.output
    assert "hash rate" in text.stdout and "EH/s" in text.stdout


def test_cli_backtest_shows_progress_and_names_medians(
    runner: CliRunner, reference_db_file: Path
) -> None:
    res = runner.invoke(
        app, ["backtest", "projection", "--from", "2025-08-15", "--db", str(reference_db_file)]
    )
    assert res.exit_code == 0, res.output
    # epochs 452 .. 471 start after 2025-08-15 and have a known outcome
    assert "backtest: 1/20 epochs" in res.stderr and "backtest: 20/20 epochs" in res.stderr
    out = " ".join(res.stdout.split())
    assert "median abs error" in out and "MAE" not in out
    assert "retarget ETA by era" in out


@pytest.mark.parametrize(
    ("at", "window"),
    [("height:909508", "7 days (daily rows)"), ("height:910000", "542 blocks")],
)
def test_status_hash_rate_window_choice(
    reference_db: sqlite3.Connection, at: str, window: str
) -> None:
    # 50 stored intervals: too few for a block window (144 at least), 7 daily rows instead;
    # 542: as many as are stored, said so
    sec = network.status_section(reference_db, _as_of(reference_db, at))
    assert sec is not None and sec.hashrate is not None
    assert sec.hashrate.window == window
    if window.endswith("blocks"):
        assert sec.hashrate.note == "only 542 intervals are stored before block 910000"
