"""A hostile run: every class of bad server, URL and setting against ``minerscope sync``.

Each case runs the real command (in process, against real local servers) and must end
with exit 1 (bad input) or 3 (source), ONE stderr line, no traceback, within its deadline,
no credential in any output, and no file or directory left behind when nothing was
stored. The deadlines are short so the whole module stays fast.
"""

# ruff: noqa: F811  (the server fixtures are imported from tests.servers.fixtures)

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minerscope.cli import app
from tests.servers.base import Running
from tests.servers.fixtures import (  # noqa: F401
    chain,
    cm_days,
    coinmetrics,
    cookie_file,
    esplora,
    ref_blocks,
    rpc,
)

SECRETS = ("hunter2", "alice")
runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINERSCOPE_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.delenv("MINERSCOPE_RPC_PASSWORD", raising=False)


def hostile(tmp_path: Path, args: list[str], *, code: int, within_s: float) -> str:
    """Run ``sync`` with a database file that does not exist yet (in an empty folder);
    check the contract; return the one stderr line."""
    root = tmp_path / "run"
    root.mkdir()
    db = root / "db.sqlite"
    t0 = time.monotonic()
    result = runner.invoke(app, ["sync", *args, "--db", str(db)])
    elapsed = time.monotonic() - t0
    err = result.stderr
    assert result.exit_code == code, (result.exit_code, err, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in err + result.stdout
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("minerscope: error: "), err
    for secret in SECRETS:
        assert secret not in err + result.stdout
    assert elapsed < within_s, f"took {elapsed:.1f} s"
    assert list(root.iterdir()) == [], "a file or directory was left behind"
    return lines[0]


def esplora_args(srv: Running, *extra: str) -> list[str]:
    return ["--source", "esplora", "--url", srv.url + "/api", "--retries", "1", *extra]


# --- servers -------------------------------------------------------------------------


def test_trickling_server(esplora: Running, tmp_path: Path) -> None:
    esplora.faults.trickle, esplora.faults.trickle_s = 5, 0.1  # ~12 s per answer
    line = hostile(tmp_path, esplora_args(esplora, "--request-deadline-s", "1"), code=3,
                   within_s=3.0)  # fmt: skip
    assert "1 s request deadline" in line


def test_trickling_server_and_the_sync_deadline(esplora: Running, tmp_path: Path) -> None:
    esplora.faults.trickle, esplora.faults.trickle_s = 5, 0.1
    line = hostile(tmp_path, esplora_args(esplora, "--deadline-s", "1"), code=3, within_s=3.0)
    assert "deadline (--deadline-s)" in line


def test_endless_body(esplora: Running, tmp_path: Path) -> None:
    esplora.faults.endless = 5
    line = hostile(tmp_path, esplora_args(esplora, "--max-body-mib", "1"), code=3, within_s=10)
    assert "cap (--max-body-mib)" in line


def test_huge_content_length(esplora: Running, tmp_path: Path) -> None:
    esplora.faults.huge_length = 5
    assert "above the" in hostile(tmp_path, esplora_args(esplora), code=3, within_s=10)


def test_rate_limited_forever(esplora: Running, tmp_path: Path) -> None:
    esplora.faults.rate_limit, esplora.faults.retry_after = 1_000, "0"
    assert "HTTP 429" in hostile(tmp_path, esplora_args(esplora), code=3, within_s=20)


def test_junk_answers(esplora: Running, tmp_path: Path) -> None:
    esplora.faults.malformed = 1_000
    assert "not a height" in hostile(tmp_path, esplora_args(esplora), code=3, within_s=10)


def test_coinmetrics_repeating_page_token(coinmetrics: Running, tmp_path: Path) -> None:
    coinmetrics.faults.repeat_page_token = True
    root = tmp_path / "run"
    root.mkdir()
    db = root / "cm.sqlite"
    result = runner.invoke(app, ["sync", "--source", "coinmetrics", "--url",
                                 coinmetrics.url + "/v4", "--db", str(db)])  # fmt: skip
    assert result.exit_code == 3 and "do not advance" in result.stderr
    assert result.stderr.count("\n") == 1
    # the two pages before the repeat are kept (one transaction each): 2 x 1,000 days
    from minerscope import storage

    conn = storage.connect(db, read_only=True)
    assert storage.table_counts(conn)["daily"] == 2_000
    conn.close()


def test_wrong_password_in_the_url(rpc: Running, tmp_path: Path) -> None:
    url = rpc.url.replace("http://", "http://alice:hunter2@")
    assert "rejected the RPC credentials" in hostile(tmp_path, ["--url", url], code=3, within_s=10)


def test_dead_server_with_a_password_in_the_url(tmp_path: Path) -> None:
    line = hostile(tmp_path, ["--url", "http://alice:hunter2@127.0.0.1:9/", "--retries", "0"],
                   code=3, within_s=10)  # fmt: skip
    assert "cannot connect" in line and "http://127.0.0.1:9/" in line


# --- URLs and settings: exit 1, nothing opened -------------------------------------------

BAD_URLS = [
    ("alice:hunter2@127.0.0.1:8332", "http:// or https://"),
    ("http://alice:hunter2@[::1/", "not a valid URL"),
    ("http://alice:hunter2@127.0.0.1:99999/", "not a valid URL"),
    ("http://127.0.0.1:8332/\r\nX-Injected: 1", "control characters"),
    ("http://alice:hun/ter2@127.0.0.1:8332/", "not a valid URL"),
]


@pytest.mark.parametrize(("url", "reason"), BAD_URLS)
def test_malformed_urls(url: str, reason: str, tmp_path: Path) -> None:
    line = hostile(tmp_path, ["--url", url], code=1, within_s=5)
    assert line.startswith("minerscope: error: --url ") and reason in line


@pytest.mark.parametrize(
    ("option", "value", "shown"),
    [("--timeout-s", "inf", "--timeout-s must be a number"),
     ("--timeout-s", "nan", "--timeout-s must be a number"),
     ("--request-deadline-s", "-1", "--request-deadline-s must be"),
     ("--deadline-s", "0", "--deadline-s must be"),
     ("--max-body-mib", "1e12", "--max-body-mib must be")],
)  # fmt: skip
def test_bad_option_values(option: str, value: str, shown: str, tmp_path: Path) -> None:
    line = hostile(tmp_path, ["--url", "http://127.0.0.1:9/", option, value], code=1, within_s=5)
    assert shown in line


@pytest.mark.parametrize(
    "text",
    ["[rpc]\ntimeout_s = -1\n", "[rpc]\ntimeout_s = inf\n", "[sync]\nbatch_blocks = -5\n",
     '[rpc]\nurl = "http://alice:hunter2@node:99999/"\n', '[rpc]\npassword = 5\n'],
)  # fmt: skip
def test_bad_config_values(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text(text)
    monkeypatch.setenv("MINERSCOPE_CONFIG", str(cfg))
    line = hostile(tmp_path, [], code=1, within_s=5)
    assert f"{cfg}, field " in line


def test_follow_with_coinmetrics_is_refused(tmp_path: Path) -> None:
    line = hostile(tmp_path, ["--source", "coinmetrics", "--follow"], code=1, within_s=5)
    assert "--follow works with --source rpc or esplora" in line
