"""The published JSON Schemas (docs/schemas) are those of the result classes; every command's
``--json`` validates against its schema (a table of command lines covering every command that
has ``--json``, on the reference data and the local test servers); the error document is what
a failed command prints with --json.

The schemas are strict (:func:`minerscope.results.strict_schema`): a document that drops a
field, adds a key or puts null where a number must be fails here.
"""

# ruff: noqa: F811  (the server fixtures are imported from tests.servers.fixtures)

from __future__ import annotations

import csv
import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from minerscope import schemas
from minerscope.cli import app
from tests.conftest import BITSTAMP_CSV, BLOCKSTATS_CSV, CHECKPOINTS_JSON, DAILY_CSV, EPOCHS_CSV
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

SCHEMAS = Path(__file__).resolve().parent.parent / "docs" / "schemas"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
T = "2026-02-01T08:40:17Z"  # the touchstone: block 934,575
POOLS_CSV = "pools/blocks_by_pool_664063_946236.csv"
CM_MVRV_CSV = "cm_btc_price_issuance_daily_2010-07-18_2026-05-23.csv"
GENESIS_HEADER = (
    "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b2"
    "7ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c"
)
runner = CliRunner()


@functools.cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def validate(document: object, name: str) -> None:
    """Validate a rendered document against its published schema (draft 2020-12)."""
    _validator(name).validate(document)


def cli_json(args: list[str], *, ok: bool = True) -> Any:
    """Run a command with ``--json`` in-process; its stdout parsed."""
    res = runner.invoke(app, [*args, "--json"])
    if ok:
        assert res.exit_code == 0, (args, res.stderr)
    return json.loads(res.stdout)


# (published schema, command line): every command that has --json, on the reference database
# ("{db}"); small windows and few paths keep the table fast.
BUY = ["--model", "Antminer S21", "--count", "100", "--unit-price-usd", "2800"]
GRID = ["--grid", "btc_price_usd=60000:80000:10000"]
ON_REFERENCE: list[tuple[str, list[str]]] = [
    ("status", ["status", "--at", T]),
    ("status", ["status", "--at", "2026-02-05"]),  # daily rows after the blocks
    ("status", ["status", "--at", "2009-01-20"]),  # the first days of daily rows
    ("hashrate", ["hashrate", "--at", T, "--series-days", "3"]),
    ("hashrate", ["hashrate", "--at", T, "--window-days", "7"]),
    ("hashrate", ["hashrate", "--at", T, "--window-blocks", "30000"]),  # more than stored
    ("hashrate", ["hashrate", "--at", "height:911464", "--window-blocks", "2"]),  # no estimate
    ("hashrate", ["hashrate", "--at", "2020-05-01", "--window-days", "3"]),  # daily rows
    ("difficulty", ["difficulty", "--at", T]),
    ("difficulty", ["difficulty", "--at", "height:933407"]),  # exact: the epoch's last block
    ("difficulty", ["difficulty", "--at", "2012-01-01"]),  # daily rows, few epochs
    ("difficulty_history", ["difficulty", "--history", "--at", T, "--from", "2025-12-01"]),
    ("difficulty_history", ["difficulty", "--history"]),
    ("backtest_projection", ["backtest", "projection", "--from", "2026-01-01", "--rows"]),
    ("backtest_paths", ["backtest", "paths", "--from", "2022-01-01", "--to", "2022-03-01",
                        "--paths", "30"]),
    ("machines", ["machines", "--at", T]),
    ("machines", ["machines", "--at", "2026-02-01", "--difficulty", "141.67T",
                  "--fees-btc-per-block", "0.02", "--btc-price-usd", "70000", "--model", "S21",
                  "--sort", "breakeven", "--pool-fee-pct", "2", "--overhead-pct", "8"]),
    ("grid", ["machines", "--at", T, "--model", "S21", *GRID,
              "--grid", "power_price_usd_per_kwh=0.04:0.08:0.02"]),
    ("grid", ["machines", "--at", T, "--model", "S21 XP", *GRID, "--grid-metric",
              "breakeven-power-price"]),
    ("fleet", ["fleet", str(EXAMPLES / "fleet.toml"), "--at", "2026-02-05"]),
    ("fleet", ["fleet", str(EXAMPLES / "fleet_hourly.toml"), "--at", "2026-01-26T02:30:00Z"]),
    ("grid", ["fleet", str(EXAMPLES / "fleet.toml"), "--at", "2026-02-05", *GRID]),
    ("economics", ["economics", "--at", T, "--from", "2026-01-01", "--to", "2026-01-31"]),
    ("economics", ["economics", "--at", T, "--from", "2009-01-03", "--to", "2009-01-12"]),
    ("signals", ["signals", "--at", "2026-02-01"]),
    ("study_contraction", ["study", "contraction", "--no-sensitivity", "--resamples", "200"]),
    ("study_ribbons", ["study", "ribbons", "--resamples", "200"]),
    ("study_composite", ["study", "composite", "--resamples", "200"]),
    ("roi", ["roi", *BUY, "--paths", "40", "--horizon-days", "30", "--at", T]),
    ("roi", ["roi", str(EXAMPLES / "fleet.toml"), "--compare", str(EXAMPLES / "fleet.toml"),
             "--paths", "40", "--horizon-days", "30", "--at", T]),
    ("roi_sweep", ["roi", *BUY, "--paths", "40", "--horizon-days", "30", "--at", T,
                   "--grid", "unit_price_usd=2000:2800:800"]),
    ("curtail", ["curtail", str(EXAMPLES / "fleet_hourly.toml"), "--from", "2026-01-24",
                 "--to", "2026-01-24"]),
    ("scenario", ["scenario", "--hashrate-leaves-pct", "10", "--from", "2026-02-10",
                  "--horizon-days", "30", "--paths", "40", "--at", T]),
    ("scenario", ["scenario", str(EXAMPLES / "fleet.toml"), "--difficulty-change-pct", "-14",
                  "--horizon-days", "30", "--paths", "40", "--at", T]),
    ("pools_list", ["pools", "--list"]),
    ("report", ["report", "--at", T, "--series-days", "30"]),  # no pools: a note
    ("report", ["report", "--at", "2026-01-27", "--series-days", "30", "--fleet",
                str(EXAMPLES / "fleet_hourly.toml")]),
    ("plot", ["plot", "difficulty", "--at", T]),
    ("plot", ["plot", "machines", "--at", T, "--power-price-usd-per-kwh", "0.05"]),
]  # fmt: skip
# Commands that need no database.
WITHOUT_DATABASE: list[tuple[str, list[str]]] = [
    ("consensus_next_bits", ["consensus", "next-bits", "--bits", "1701ebf2", "--first-time-s",
                             "1767859543", "--last-time-s", "1769110170"]),
    ("consensus_header", ["consensus", "header", GENESIS_HEADER]),
    ("plot_list", ["plot", "--list"]),
    ("machines", ["machines", "--difficulty", "141.67T", "--fees-btc-per-block", "0.02",
                  "--btc-price-usd", "70000", "--model", "M60S", "--db", "{none}"]),
]  # fmt: skip


def test_published_schemas_are_current() -> None:
    # `python -m minerscope.schemas --write docs/schemas` after changing a result class
    assert schemas.stale_schemas(SCHEMAS) == []
    assert sorted(p.name for p in SCHEMAS.glob("*.schema.json")) == sorted(
        f"{n}.schema.json" for n in schemas.DOCUMENTS
    )


def test_a_stale_schema_is_found(tmp_path: Path) -> None:
    schemas.write_schemas(tmp_path)
    assert schemas.stale_schemas(tmp_path) == []
    (tmp_path / "pools.schema.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "nothing.schema.json").write_text("{}\n", encoding="utf-8")
    assert schemas.stale_schemas(tmp_path) == ["pools", "nothing.schema.json"]
    assert schemas.main(["--check", str(tmp_path)]) == 1


def test_every_document_has_a_strict_schema() -> None:
    # Every object of a document lists its keys as required (but the percentiles a document
    # may leave out) and allows no other: a schema that accepted anything would test nothing.
    for name in schemas.DOCUMENTS:
        schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
        objects = [schema, *schema.get("$defs", {}).values()]
        for obj in objects:
            if "properties" not in obj:
                continue
            assert obj["additionalProperties"] is False, (name, obj.get("title"))
            # only percentiles a set does not give may be absent (Percentiles and its kin)
            absent = set(obj["properties"]) - set(obj["required"])
            assert absent <= {f"p{p}" for p in (5, 10, 25, 50, 75, 90, 95)}, (name, obj["title"])


@pytest.mark.shared
@pytest.mark.parametrize(("name", "args"), ON_REFERENCE, ids=lambda v: str(v)[:60])
def test_json_documents_validate(name: str, args: list[str], reference_db_file: Path) -> None:
    validate(cli_json([*args, "--db", str(reference_db_file)]), name)


@pytest.mark.parametrize(("name", "args"), WITHOUT_DATABASE, ids=lambda v: str(v)[:60])
def test_json_documents_without_a_database_validate(
    name: str, args: list[str], tmp_path: Path
) -> None:
    args = [str(tmp_path / "none.sqlite") if a == "{none}" else a for a in args]
    validate(cli_json(args), name)


def _slice(src: Path, dest: Path, lo: int, hi: int) -> Path:
    """Rows of a ``height,...`` CSV with heights in [lo, hi] (a small file to import)."""
    with src.open(newline="") as f, dest.open("w", newline="") as out:
        rows = csv.reader(f)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(next(rows))
        writer.writerows(r for r in rows if lo <= int(r[0]) <= hi)
    return dest


@pytest.mark.shared
def test_imports_quickstart_and_pools_validate(shared_data: Path, tmp_path: Path) -> None:
    db = ["--db", str(tmp_path / "i.sqlite")]
    pools = _slice(shared_data / POOLS_CSV, tmp_path / "pools.csv", 933_000, 934_575)
    times = _slice(shared_data / POOLS_CSV, tmp_path / "times.csv", 934_000, 934_575)
    for kind, path in [
        ("epochs", shared_data / CHECKPOINTS_JSON),
        ("epochs", shared_data / EPOCHS_CSV),
        ("blockstats", shared_data / BLOCKSTATS_CSV),
        ("daily", shared_data / DAILY_CSV),
        ("prices", shared_data / BITSTAMP_CSV),
        ("mvrv", shared_data / CM_MVRV_CSV),
        ("pools", pools),
        ("blocktimes", times),
    ]:
        doc = cli_json(["import", kind, str(path), *db])
        validate(doc, "import")
        assert [i["kind"] for i in doc["imports"]] == [kind]
    doc = cli_json(["pools", "--at", T, "--window-days", "1", "--history", *db])
    validate(doc, "pools")
    assert doc["pools"][0]["blocks"] > 0
    validate(cli_json(["status", "--at", T, *db]), "status")
    quick = cli_json(["quickstart", str(shared_data), "--db", str(tmp_path / "q.sqlite")])
    validate(quick, "quickstart")
    assert quick["status"] is not None and len(quick["imports"]) >= 5


@pytest.fixture
def no_user_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No config file of the machine's user in the way of the sync options."""
    monkeypatch.setenv("MINERSCOPE_CONFIG", str(tmp_path / "absent.toml"))


@pytest.mark.usefixtures("no_user_config")
def test_sync_from_a_node_and_its_follow_events_validate(
    rpc: Running, cookie_file: Path, tmp_path: Path
) -> None:
    db = ["--db", str(tmp_path / "s.sqlite")]
    base = ["sync", "--url", rpc.url, "--rpc-cookie", str(cookie_file), *db]
    doc = cli_json([*base, "--from-height", "934500", "--to-height", "934570"])
    validate(doc, "sync")
    assert (doc["first_height"], doc["last_height"]) == (934_500, 934_570)
    res = runner.invoke(
        app, [*base, "--follow", "--interval-s", "0.05", "--to-height", "934573", "--json"]
    )
    assert res.exit_code == 0, res.stderr
    events = [json.loads(line) for line in res.stdout.splitlines()]  # NDJSON: one per line
    assert [e["event"] for e in events] == ["block", "block", "block", "stopped"]
    for e in events:
        validate(e, "sync_follow_event")


@pytest.mark.usefixtures("no_user_config")
def test_sync_from_esplora_and_coinmetrics_validate(
    esplora: Running, coinmetrics: Running, tmp_path: Path
) -> None:
    db = ["--db", str(tmp_path / "e.sqlite")]
    doc = cli_json(["sync", "--source", "esplora", "--url", esplora.url + "/api",
                    "--from-height", "934560", *db])  # fmt: skip
    validate(doc, "sync")
    assert doc["blocks_fetched"] == 16
    doc = cli_json(["sync", "--source", "coinmetrics", "--url", coinmetrics.url + "/v4", *db])
    validate(doc, "sync_daily")
    assert doc["daily_inserted"] > 6_000


@pytest.mark.parametrize(
    ("args", "exit_code", "kind", "field"),
    [
        (
            ["machines", "--difficulty", "inf", "--json", "--db", "none.sqlite"],
            1,
            "bad_input",
            "--difficulty",
        ),
        (["machines", "--bogus", "--json"], 2, "usage", None),
        (
            ["status", "--at", "next tuesday", "--json", "--db", "none.sqlite"],
            1,
            "bad_input",
            "--at",
        ),
        (
            [
                "consensus",
                "next-bits",
                "--bits",
                "xyz",
                "--first-time-s",
                "0",
                "--last-time-s",
                "1",
                "--json",
            ],
            1,
            "bad_input",
            "--bits",
        ),  # fmt: skip
    ],
)
def test_errors_are_json_on_stdout_with_json(
    args: list[str], exit_code: int, kind: str, field: str | None, tmp_path: Path
) -> None:
    args = [str(tmp_path / a) if a == "none.sqlite" else a for a in args]
    result = runner.invoke(app, args)
    assert result.exit_code == exit_code
    doc = json.loads(result.stdout)
    validate(doc, "error")
    assert doc["exit_code"] == exit_code
    assert doc["error"]["type"] == kind
    assert doc["error"]["field"] == field
    # the one stderr line is still there, and says the same
    assert doc["error"]["message"] in result.stderr


def test_errors_are_text_only_without_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["machines", "--difficulty", "inf"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("minerscope: error: ")
