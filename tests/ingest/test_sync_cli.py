"""``minerscope sync`` through the CLI: JSON summary, exit 3 with one line, config file."""

# ruff: noqa: F811  (the server fixtures are imported from tests.servers.fixtures)

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minerscope import storage
from minerscope.cli import app
from tests.servers.base import Running
from tests.servers.chain import Chain
from tests.servers.fixtures import (  # noqa: F401
    RPC_PASSWORD,
    chain,
    cm_days,
    coinmetrics,
    cookie_file,
    esplora,
    ref_blocks,
    rpc,
)

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINERSCOPE_CONFIG", str(tmp_path / "absent.toml"))


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_rpc_sync_json_summary(rpc: Running, cookie_file: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "a.sqlite")
    code, out, err = run("sync", "--url", rpc.url, "--rpc-cookie", str(cookie_file),
                         "--from-height", "934000", "--db", db, "--json")  # fmt: skip
    assert code == 0, err
    s = json.loads(out)
    # 934,000 .. 934,575 = 576 blocks
    assert (s["source"], s["first_height"], s["last_height"], s["blocks_fetched"]) == (
        "rpc", 934000, 934575, 576)  # fmt: skip
    code, out, err = run("sync", "--url", rpc.url, "--rpc-user", "__cookie__",
                         "--rpc-password", RPC_PASSWORD, "--db", db, "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["blocks_fetched"] == 0


def test_password_from_environment(
    rpc: Running, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MINERSCOPE_RPC_PASSWORD", RPC_PASSWORD)
    code, _, err = run("sync", "--url", rpc.url, "--rpc-user", "__cookie__",
                       "--from-height", "934500", "--db", str(tmp_path / "b.sqlite"))  # fmt: skip
    assert code == 0, err


def test_bad_credentials_exit_3_without_echoing_them(rpc: Running, tmp_path: Path) -> None:
    db = str(tmp_path / "c.sqlite")
    code, out, err = run("sync", "--url", rpc.url, "--rpc-user", "__cookie__",
                         "--rpc-password", "not-the-password", "--db", db)  # fmt: skip
    assert code == 3 and out == ""
    assert err.count("\n") == 1 and err.startswith("minerscope: error:") and "HTTP 401" in err
    assert "not-the-password" not in err


def test_broken_link_exit_3_and_nothing_stored(
    rpc: Running, cookie_file: Path, tmp_path: Path
) -> None:
    db = tmp_path / "d.sqlite"
    base = ["sync", "--url", rpc.url, "--rpc-cookie", str(cookie_file), "--db", str(db)]
    assert run(*base, "--from-height", "934000", "--to-height", "934099")[0] == 0
    rpc.faults.broken_link_height = 934_100
    code, _, err = run(*base)
    assert code == 3 and "does not link" in err and err.count("\n") == 1
    conn = storage.connect(db)
    assert storage.max_block_height(conn) == 934_099
    conn.close()


def test_dead_server_exit_3(cookie_file: Path, tmp_path: Path) -> None:
    code, _, err = run("sync", "--url", "http://127.0.0.1:9/", "--rpc-cookie", str(cookie_file),
                       "--retries", "0", "--db", str(tmp_path / "e.sqlite"))  # fmt: skip
    assert code == 3 and "cannot connect" in err


def test_warmup_exit_3(rpc: Running, cookie_file: Path, tmp_path: Path) -> None:
    rpc.server.warmup = True  # type: ignore[attr-defined]
    code, _, err = run("sync", "--url", rpc.url, "--rpc-cookie", str(cookie_file),
                       "--db", str(tmp_path / "f.sqlite"))  # fmt: skip
    assert code == 3 and "starting up" in err


def test_timeout_exit_3(rpc: Running, cookie_file: Path, tmp_path: Path) -> None:
    rpc.faults.slow, rpc.faults.slow_s = 100, 0.5
    db = str(tmp_path / "g.sqlite")
    code, _, err = run("sync", "--url", rpc.url, "--rpc-cookie", str(cookie_file),
                       "--timeout-s", "0.1", "--retries", "1", "--db", db)  # fmt: skip
    assert code == 3 and "timeout" in err


def test_esplora_from_the_config_file(
    esplora: Running, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[sync]\nsource = "esplora"\n[esplora]\nurl = "{esplora.url}/api"\n')
    monkeypatch.setenv("MINERSCOPE_CONFIG", str(cfg))
    code, out, err = run("sync", "--from-height", "934500", "--db", str(tmp_path / "h.sqlite"),
                         "--json")  # fmt: skip
    assert code == 0, err
    s = json.loads(out)
    assert (s["source"], s["blocks_fetched"]) == ("esplora", 76)  # 934,500 .. 934,575


def test_coinmetrics_command(coinmetrics: Running, tmp_path: Path) -> None:
    db = tmp_path / "i.sqlite"
    code, out, err = run("sync", "--source", "coinmetrics", "--url", coinmetrics.url + "/v4",
                         "--db", str(db), "--json")  # fmt: skip
    assert code == 0, err
    s = json.loads(out)
    assert s["from_date"] == "2009-01-03" and s["last_date"] == "2026-05-23"
    assert s["daily_inserted"] == 6_350  # every day of the served file


def test_human_output(rpc: Running, cookie_file: Path, tmp_path: Path, chain: Chain) -> None:
    base = ["sync", "--url", rpc.url, "--rpc-cookie", str(cookie_file),
            "--db", str(tmp_path / "j.sqlite")]  # fmt: skip
    assert run(*base, "--from-height", "934500")[0] == 0
    chain.reorg(6)
    code, out, _ = run(*base)
    assert code == 0 and "replaced 6 blocks from height 934570" in out


# --- a node alone is enough -------------------------------------------------------------

AT = "2026-02-01T08:40:17Z"  # the last reference block, 934,575


def test_a_node_alone_gives_difficulty_and_the_network_status(
    rpc: Running, cookie_file: Path, tmp_path: Path
) -> None:
    db = str(tmp_path / "node-only.sqlite")
    code, out, err = run("sync", "--url", rpc.url, "--rpc-cookie", str(cookie_file), "--db", db,
                         "--json")  # fmt: skip
    assert code == 0, err
    # blocks 931,392..934,575 (epochs 462, 463) plus one header each for epochs 0..461
    assert json.loads(out)["epochs_filled"] == 462
    code, out, err = run("difficulty", "--db", db, "--json", "--at", AT)
    assert code == 0, err
    d = json.loads(out)
    assert d["epoch"]["index"] == 463 and d["epoch"]["blocks_remaining"] == 848
    change = d["next_adjustment"]["change_pct"]
    assert change["p5"] < change["p50"] < change["p95"] < 0  # the drop the touchstone expects
    assert d["halving"]["height"] == 1_050_000
    code, out, err = run("status", "--db", db, "--json", "--at", AT)
    assert code == 0, err
    status = json.loads(out)
    net = status["network"]
    assert (
        net["hashrate"]["hashrate_lower_ehs"]
        < net["hashrate"]["hashrate_ehs"]
        < net["hashrate"]["hashrate_upper_ehs"]
    )
    assert net["next_adjustment"]["retarget_height"] == 935_424
    assert status["halving"]["eta"]["p50"]["time_s"] > 1_769_935_217


# --- follow, in process (the subprocess test with signals is test_sync_follow.py) --------


def test_follow_prints_blocks_and_stops_at_to_height(
    rpc: Running, cookie_file: Path, chain: Chain, tmp_path: Path
) -> None:
    db = str(tmp_path / "follow.sqlite")
    base = ["sync", "--url", rpc.url, "--rpc-cookie", str(cookie_file), "--db", db]
    assert run(*base, "--from-height", "934500", "--to-height", "934570")[0] == 0
    code, out, err = run(*base, "--follow", "--interval-s", "0.05", "--to-height", "934573")
    assert code == 0, err
    # one line per new block: height, hash, time (rows of the reference file)
    assert out.splitlines() == [
        f"block {h} {chain.at(h).hash} {_iso(chain.at(h).time)}"  # type: ignore[union-attr]
        for h in (934_571, 934_572, 934_573)
    ]
    assert "stopped (reached --to-height); stored tip 934573" in err


def test_follow_survives_a_dead_source_until_max_failures(tmp_path: Path) -> None:
    db = tmp_path / "dead.sqlite"
    code, out, err = run("sync", "--url", "http://127.0.0.1:9/", "--rpc-user", "u",
                         "--rpc-password", "hunter2", "--follow", "--interval-s", "0.01",
                         "--retries", "0", "--max-failures", "3", "--db", str(db))  # fmt: skip
    assert code == 3 and out == ""
    lines = err.splitlines()
    assert [ln.startswith("source unavailable (") for ln in lines] == [True, True, False]
    assert lines[-1].startswith("minerscope: error:") and "cannot connect" in lines[-1]
    assert "hunter2" not in err and not db.exists()  # nothing stored, no file left


def _iso(t: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
