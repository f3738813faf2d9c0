"""The import, status, quickstart and consensus commands, end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from minerscope.cli import app
from tests.conftest import BITSTAMP_CSV, BLOCKSTATS_CSV, CM_PRICE_CSV, EPOCHS_CSV

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_status_at_the_touchstone_moment(db_path: Path, shared_data: Path) -> None:
    for kind, name in (
        ("blockstats", BLOCKSTATS_CSV),
        ("epochs", EPOCHS_CSV),
        ("prices", CM_PRICE_CSV),
    ):
        code, out, err = run("import", kind, str(shared_data / name), "--db", str(db_path))
        assert code == 0, err
        assert out == ""  # messages go to stderr
    code, out, err = run("status", "--at", "2026-02-01T08:40:17Z", "--json", "--db", str(db_path))
    assert code == 0, err
    data = json.loads(out)
    assert data["as_of"]["resolution"] == "block"
    assert data["tip"]["height"] == 934_575
    assert data["tip"]["time_iso"] == "2026-02-01T08:40:17Z"
    assert data["bits_hex"] == "1701fca1"
    assert round(data["difficulty"]) == 141_668_107_417_558
    assert round(data["difficulty_t"], 2) == 141.67
    assert data["epoch"]["index"] == 463
    assert data["epoch"]["first_height"] == 933_408
    assert data["epoch"]["blocks_mined"] == 1_168
    assert data["epoch"]["blocks_remaining"] == 848
    # (1769935217 - 1769110282) / 1167 intervals = 706.885 s: the "11.6-11.8 min" blocks.
    assert data["epoch"]["mean_block_time_s"] == pytest.approx(706.885, abs=1e-3)
    hv = data["halving"]
    assert (hv["height"], hv["blocks_left"], hv["subsidy_now_btc"], hv["subsidy_after_btc"]) == (
        1_050_000, 115_425, 3.125, 1.5625)  # fmt: skip
    # 115,425 blocks at 600 s from the tip's time: 1769935217 + 69,255,000 s
    assert hv["eta_at_600s"]["time_s"] == 1_839_190_217
    # The latest close known then: 2026-01-31's, stamped 2026-02-01T00:00:00Z.
    assert data["price"]["source"] == "coinmetrics"
    assert data["price"]["time_iso"] == "2026-02-01T00:00:00Z"
    assert 70_000 < data["price"]["btc_price_usd"] < 90_000

    # As of one second before block 934,575, the tip is 934,574.
    code, out, _ = run("status", "--at", "2026-02-01T08:40:16Z", "--json", "--db", str(db_path))
    assert json.loads(out)["tip"]["height"] == 934_574
    code, out, _ = run("status", "--at", "height:933408", "--json", "--db", str(db_path))
    assert json.loads(out)["epoch"]["blocks_mined"] == 1
    # Human output carries units.
    code, out, _ = run("status", "--at", "2026-02-01T08:40:17Z", "--db", str(db_path))
    assert code == 0
    assert "141.67 T" in out and "1,168 blocks mined" in out and "848 remaining" in out


def test_status_on_an_empty_database(db_path: Path) -> None:
    code, out, err = run("status", "--db", str(db_path))
    assert code == 1
    assert out == ""
    assert "minerscope quickstart" in err and "minerscope sync" in err
    assert len(err.strip().splitlines()) == 1


def test_status_before_any_data_and_bad_time(db_path: Path, shared_data: Path) -> None:
    run("import", "blockstats", str(shared_data / BLOCKSTATS_CSV), "--db", str(db_path))
    code, _, err = run("status", "--at", "2020-01-01", "--db", str(db_path))
    assert code == 1 and "no blocks or daily rows are known as of 2020-01-01" in err
    code, _, err = run("status", "--at", "yesterday", "--db", str(db_path))
    assert code == 1 and "TIME 'yesterday'" in err
    code, _, err = run("status", "--at", "2026-02-01T08:40:17", "--db", str(db_path))
    assert code == 1 and "no time zone" in err
    code, _, err = run("status", "--at", "height:1", "--db", str(db_path))
    assert code == 1 and "block 1 is not in the database" in err


def test_status_from_daily_rows_only(db_path: Path, shared_data: Path) -> None:
    run("import", "daily", str(shared_data / "btc_daily_network_2009-01-03_2026-05-23.csv"),
        "--db", str(db_path))  # fmt: skip
    run("import", "epochs", str(shared_data / EPOCHS_CSV), "--db", str(db_path))
    code, out, err = run("status", "--at", "2026-01-21", "--json", "--db", str(db_path))
    assert code == 0, err
    data = json.loads(out)
    assert data["as_of"]["resolution"] == "daily"
    # True tip at 2026-01-21T23:59:59Z from the getblockstats file: the last block with
    # time_s <= 1769039999. Coin Metrics' cumulative count runs ~4 blocks high then (SOURCES.md).
    true_tip = max(
        int(line.split(",")[0])
        for line in (shared_data / BLOCKSTATS_CSV).read_text().splitlines()[1:]
        if int(line.split(",")[2]) <= 1769039999
    )
    assert abs(data["tip"]["height"] - true_tip) <= 5
    assert data["epoch"]["index"] == 462
    assert data["bits_hex"] == "1701ebf2"
    assert data["price"]["source"] == "daily/combined/derived_blocks"
    assert data["price"]["time_iso"] == "2026-01-22T00:00:00Z"


def test_bad_import_through_the_cli(db_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "blocks.csv"
    bad.write_text("height,blockhash,time\n5,zz,1231006505\n")
    code, out, err = run("import", "blockstats", str(bad), "--db", str(db_path))
    assert code == 1
    assert out == ""
    assert err.strip() == (
        f"minerscope: error: {bad}:2, field 'blockhash': 'zz' is not a 64-hex-digit block hash"
    )
    code, _, err = run("import", "prices", str(tmp_path / "missing.csv"), "--db", str(db_path))
    assert code == 1 and "cannot read file" in err


def test_import_json_summary(db_path: Path, shared_data: Path) -> None:
    code, out, _ = run("import", "prices", str(shared_data / BITSTAMP_CSV), "--json",
                       "--db", str(db_path))  # fmt: skip
    assert code == 0
    (summary,) = json.loads(out)["imports"]
    assert summary["kind"] == "prices" and summary["rows_read"] == 5_411
    assert summary["inserted"] == 5_411


def test_quickstart(db_path: Path, shared_data: Path) -> None:
    code, out, err = run("quickstart", str(shared_data), "--json", "--db", str(db_path))
    assert code == 0, err
    data = json.loads(out)
    assert [i["kind"] for i in data["imports"]] == [
        "epochs", "blockstats", "daily", "prices", "prices", "mvrv",
    ]  # fmt: skip
    # Without --at, status is as of now: daily rows reach 2026-05-23, later than the blocks.
    assert data["status"]["as_of"]["resolution"] == "daily"
    # The pool file is not part of the quickstart: its text output names the next command,
    # until pool attributions are stored.
    pools_csv = shared_data / "pools" / "blocks_by_pool_664063_946236.csv"
    code, _, err = run("quickstart", str(shared_data), "--db", str(db_path))
    assert code == 0 and f"next: minerscope import pools {pools_csv}" in err
    assert run("import", "pools", str(pools_csv), "--db", str(db_path))[0] == 0
    code, _, err = run("quickstart", str(shared_data), "--db", str(db_path))
    assert code == 0 and "next:" not in err
    code, _, err = run("quickstart", str(shared_data / "nope"), "--db", str(db_path))
    assert code == 1 and "does not exist" in err


def test_consensus_next_bits() -> None:
    # Epoch 462 (real_adjustments row): 1701ebf2 over 1,250,627 s -> 1701fca1, -3.2801 %.
    code, out, _ = run("consensus", "next-bits", "--bits", "1701ebf2", "--first-time-s",
                       "1767859543", "--last-time-s", "1769110170", "--json")  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["new"]["bits_hex"] == "1701fca1"
    assert data["difficulty_change_pct"] == pytest.approx(-3.2801, abs=1e-4)
    code, _, err = run("consensus", "next-bits", "--bits", "xyz", "--first-time-s", "0",
                       "--last-time-s", "1")  # fmt: skip
    assert code == 1 and "--bits" in err
    code, _, err = run("consensus", "next-bits", "--bits", "04923456", "--first-time-s", "0",
                       "--last-time-s", "1")  # fmt: skip
    assert code == 1 and "negative target" in err
    code, _, _ = run("consensus", "next-bits", "--bits", "1701ebf2")
    assert code == 2  # usage error


GENESIS_HEADER = (
    "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b2"
    "7ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c"
)


def test_consensus_header() -> None:
    code, out, _ = run("consensus", "header", GENESIS_HEADER, "--json")
    assert code == 0
    data = json.loads(out)
    assert data["hash"] == "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
    assert data["proof_of_work_valid"] is True
    code, out, _ = run("consensus", "header", GENESIS_HEADER[:-2] + "7d", "--json")
    assert code == 1 and json.loads(out)["proof_of_work_valid"] is False
    code, _, err = run("consensus", "header", "00")
    assert code == 1 and "80 bytes" in err


def _commands(cmd: Any, prefix: str = "") -> list[tuple[str, Any]]:
    out = [(prefix, cmd)]
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            out += _commands(sub, f"{prefix} {name}".strip())
    return out


def test_every_command_has_help_and_a_runnable_example() -> None:
    root = get_command(app)
    leaves = [(n, c) for n, c in _commands(root) if not hasattr(c, "commands")]
    assert {"status", "import blockstats", "quickstart", "consensus next-bits"} <= {
        n for n, _ in leaves
    }
    for name, cmd in leaves:
        assert cmd.help, name
        assert f"Example: minerscope {name}" in cmd.help, name
        params = {p.name for p in cmd.params}
        if name.split()[0] not in {"consensus"}:
            assert {"db", "json_out"} <= params, name
        code, out, _ = run(*name.split(), "--help")
        assert code == 0 and "Example" in out


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("minerscope ")
    code, _, err = run("no-such-command")
    assert code == 2 and "No such command" in err
