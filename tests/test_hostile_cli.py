"""Text from outside is only data, and a bad ``--db`` is one line, through the real commands.

A path, a fleet, site, group and model name holding rich markup (``[bold]x[/bold]``, ``[/]``),
an escape sequence and a CRLF go through every command that prints them: nothing crashes,
the text is printed literally, control characters escaped (``\\x1b``, ``\\r``, ``\\n``).
"""

from __future__ import annotations

import csv
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minerscope import ingest, storage
from minerscope.cli import app
from minerscope.cli._output import plain
from minerscope.storage import db as dbmod
from tests.conftest import BITSTAMP_CSV, BLOCKSTATS_CSV, CM_PRICE_CSV, EPOCHS_CSV

runner = CliRunner()
EVIL = "[bold]x[/bold] [/] \x1b[31mred\r\nminerscope: error: forged"
SHOWN = "[bold]x[/bold] [/] \\x1b[31mred\\r\\nminerscope: error: forged"
# Catalog files are read with universal newlines: a model name keeps no CR.
MODEL = "model [bold]x[/bold] [/] \x1b[31mred"
MODEL_SHOWN = "model [bold]x[/bold] [/] \\x1b[31mred"
NO_DB = ("--difficulty", "141.67T", "--btc-price-usd", "70000", "--fees-btc-per-block", "0.02")


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("minerscope: error: "), err
    assert "\x1b" not in err and "\r" not in err
    return lines[0]


def test_plain_escapes_controls_and_keeps_markup_literal() -> None:
    assert plain(EVIL) == SHOWN
    assert plain("tab\there \u202eevil\u0007 \x9b") == "tab\\there \\u202eevil\\x07 \\x9b"
    assert plain("C:\\data\\prices.csv [/]") == "C:\\data\\prices.csv [/]"


def _evil_dir(tmp_path: Path) -> Path:
    # "[/]" and "[/bold]" hold a slash: the markup spans folders of the path.
    folder = tmp_path / "[bold]x[" / "bold] [" / "] \x1b[31mred\r\n"
    folder.mkdir(parents=True)
    return folder


def test_paths_with_markup_through_imports_and_reads(tmp_path: Path, shared_data: Path) -> None:
    folder = _evil_dir(tmp_path)
    prices = folder / "prices [bold].csv"
    prices.write_bytes((shared_data / BITSTAMP_CSV).read_bytes())
    db = folder / "db [bold].sqlite"
    code, out, err = run("import", "prices", str(prices), "--db", str(db))
    assert code == 0, err
    assert out == ""
    assert plain(str(prices)) in err and "5,411 rows read" in err
    assert "\x1b" not in err and "\r" not in err
    code, out, _ = run("import", "prices", str(prices), "--db", str(db), "--json")
    assert json.loads(out)["imports"][0]["path"] == str(prices)  # JSON keeps the text exact
    bad = folder / "bad [i].csv"
    bad.write_text("date,close\n2026-01-01,-3\n")
    code, out, err = run("import", "prices", str(bad), "--db", str(db))
    assert code == 1 and out == ""
    line = _one_error_line(err)
    assert line == f"minerscope: error: {plain(str(bad))}:2, field 'close': -3.0 is negative"
    for command in (["status"], ["hashrate"], ["difficulty"], ["economics"], ["machines"]):
        code, _, err = run(*command, "--db", str(folder / "missing [red].sqlite"))
        assert code == 1
        assert plain(str(folder / "missing [red].sqlite")) in _one_error_line(err)
    assert not (folder / "missing [red].sqlite").exists()
    code, _, err = run("quickstart", str(folder / "no data [i]"), "--db", str(db))
    assert code == 1 and plain(str(folder / "no data [i]")) in _one_error_line(err)


def test_names_with_markup_through_fleet_and_machines(tmp_path: Path) -> None:
    toml_text = json.dumps(EVIL)  # a TOML basic string: \u001b, \r and \n escaped
    fleet = _evil_dir(tmp_path) / "fleet [bold].toml"
    fleet.write_text(
        f"[fleet]\nname = {toml_text}\n\n"
        f"[sites.{json.dumps('site ' + EVIL)}]\npower_price_usd_per_kwh = 0.05\n\n"
        f"[[groups]]\nname = {json.dumps('group ' + EVIL)}\nsite = {json.dumps('site ' + EVIL)}\n"
        f"model = {json.dumps(MODEL)}\ncount = 10\n\n"
        f'[[groups]]\nname = "[/]"\nsite = {json.dumps("site " + EVIL)}\n'
        "hashrate_ths = 100\npower_w = 3000\ncount = 5\n"
    )
    catalog = fleet.parent / "catalog [b].csv"
    with catalog.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["vendor", "model", "variant", "release", "hashrate_ths", "power_w",
                         "efficiency_jth", "cooling", "source"])  # fmt: skip
        writer.writerow(["Evil", MODEL, "air", "2024-01", "200", "3500", "", "air", "t"])
    code, out, err = run("fleet", str(fleet), "--catalog", str(catalog), *NO_DB)
    assert code == 0, err
    for text in (f"fleet {SHOWN}", f"site {SHOWN}", f"group {SHOWN}"):
        assert text in out, text
    assert "[/]" in out and "\x1b" not in out and "\r" not in out
    code, out, err = run("fleet", str(fleet), "--catalog", str(catalog), *NO_DB, "--json")
    data = json.loads(out)
    assert data["fleet"]["name"] == EVIL and data["groups"][0]["model"] == MODEL
    code, out, err = run("machines", "--catalog", str(catalog), "--model", "model", *NO_DB)
    assert code == 0, err
    assert MODEL_SHOWN in out and "\x1b" not in out
    missing = fleet.parent / "nope [i].toml"
    code, _, err = run("fleet", str(missing), *NO_DB)
    assert code == 1 and plain(str(missing)) in _one_error_line(err)


def test_text_stored_from_a_file_is_shown_as_data(db_path: Path, shared_data: Path) -> None:
    # A daily file's source column becomes the price source that status prints.
    lines = (shared_data / "btc_daily_network_2009-01-03_2026-05-23.csv").read_text()
    rows = lines.splitlines()
    header = rows[0].split(",")
    cells = rows[-1].split(",")
    cells[header.index("src_diff_hashrate")] = "[/] \x1b[2J"
    daily = db_path.parent / "daily.csv"
    daily.write_text("\n".join([rows[0], *rows[-40:-1], ",".join(cells)]) + "\n")
    assert run("import", "daily", str(daily), "--db", str(db_path))[0] == 0
    code, out, err = run("status", "--at", "2026-05-24", "--db", str(db_path))
    assert code == 0, err
    assert "combined/[/] \\x1b[2J" in out and "\x1b" not in out


def test_usage_errors_and_bugs_are_one_escaped_line(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run("\x1b[31mbogus")
    assert code == 2 and "\\x1b[31mbogus" in err and "\x1b" not in err
    code, _, err = run("hashrate", "--window-blocks", "\x1b[31m")
    assert code == 2 and "\x1b" not in err
    # A bug is one line too (the traceback only with MINERSCOPE_DEBUG=1).
    from minerscope.cli import network as network_cli

    def bug(*args: object, **kwargs: object) -> None:
        raise KeyError("a bug \x1b[31m")

    storage.open_for_writing(db_path).close()
    monkeypatch.setattr(network_cli, "resolve_as_of", bug)
    monkeypatch.delenv("MINERSCOPE_DEBUG", raising=False)
    code, out, err = run("status", "--db", str(db_path))
    assert code == 1 and out == ""
    assert err.startswith("minerscope: internal error: KeyError: ") and "\\x1b[31m" in err
    assert len(err.strip().splitlines()) == 1
    monkeypatch.setenv("MINERSCOPE_DEBUG", "1")
    result = runner.invoke(app, ["status", "--db", str(db_path)])
    assert isinstance(result.exception, KeyError)


def test_read_commands_never_create_and_write_commands_clean_up(tmp_path: Path) -> None:
    db = tmp_path / "mistyped.sqlite"
    for command in (
        ["status"],
        ["hashrate"],
        ["difficulty"],
        ["economics"],
        ["backtest", "projection"],
        ["machines"],
        ["fleet", "examples/fleet.toml"],
    ):
        code, out, err = run(*command, "--db", str(db))
        assert code == 1 and out == "", command
        assert "no minerscope database at" in _one_error_line(err), command
    bad = tmp_path / "bad.csv"
    bad.write_text("date,close\n2026-01-01,87000\n2026-01-02,-1\n")
    code, _, err = run("import", "prices", str(bad), "--db", str(db))
    assert code == 1 and "field 'close'" in _one_error_line(err)
    code, _, err = run("import", "prices", str(tmp_path / "nope.csv"), "--db", str(db))
    assert code == 1 and "no such file" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]  # no database left


def test_a_locked_database_exits_3(
    db_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("import", "prices", str(shared_data / CM_PRICE_CSV), "--db", str(db_path))[0] == 0
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_S", 0.2)
    holder = sqlite3.connect(db_path, isolation_level=None, timeout=0.2)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("DELETE FROM prices")
    code, out, err = run("import", "prices", str(shared_data / BITSTAMP_CSV), "--db", str(db_path))
    holder.execute("ROLLBACK")
    holder.close()
    assert code == 3 and out == ""
    assert "locked by another process (waited 0.2 s)" in _one_error_line(err)


def _limited(limit_bytes: int) -> None:  # in the child, before exec
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_disk_that_fills_during_an_import(db_path: Path, shared_data: Path) -> None:
    # The process may not grow a file past 1 MiB: the blocks do not fit. One line, the
    # cause named (not SQLite's "cannot rollback"), and the database as it was.
    conn = storage.open_for_writing(db_path)
    ingest.import_epochs(conn, shared_data / EPOCHS_CSV)
    conn.close()
    before = db_path.read_bytes()
    out = subprocess.run(
        [sys.executable, "-m", "minerscope", "import", "blockstats",
         str(shared_data / BLOCKSTATS_CSV), "--db", str(db_path)],
        capture_output=True, text=True, timeout=300,
        preexec_fn=lambda: _limited(1 << 20),
    )  # fmt: skip
    assert out.returncode == 1, out.stderr
    line = _one_error_line(out.stderr)
    assert "nothing was written" in line and "rollback" not in line
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name]


@pytest.mark.parametrize("kind", ["fleet", "catalog", "config", "tags"])
def test_small_input_files_refuse_a_fifo_without_waiting(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A FIFO as a fleet, catalog, config or pool tag file used to block for ever (nothing
    # writes to it); it is refused with one line before anything is read.
    fifo = tmp_path / "input.fifo"
    os.mkfifo(fifo)
    args = {
        "fleet": ["fleet", str(fifo), "--difficulty", "141.67T", "--fees-btc-per-block", "0.02",
                  "--btc-price-usd", "70000", "--at", "2026-02-01T00:00:00Z"],
        "catalog": ["machines", "--catalog", str(fifo), "--difficulty", "141.67T",
                    "--fees-btc-per-block", "0.02", "--btc-price-usd", "70000"],
        "config": ["machines", "--difficulty", "141.67T", "--fees-btc-per-block", "0.02",
                   "--btc-price-usd", "70000"],
        "tags": ["pools", "--list", "--tags", str(fifo)],
    }[kind]  # fmt: skip
    if kind == "config":
        monkeypatch.setenv("MINERSCOPE_CONFIG", str(fifo))
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, (result.stderr, result.exception)
    (line,) = result.stderr.strip().splitlines()
    assert "input.fifo" in line and "not a regular file" in line
