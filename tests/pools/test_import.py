"""``import pools`` and ``import blocktimes``: the real file, merges, and one-line errors."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minerscope import ingest, storage
from minerscope.cli import app
from tests.conftest import BLOCKSTATS_CSV, EPOCHS_CSV
from tests.pools.conftest import POOLS_CSV

HEADER = "height,time_s,pool_slug\n"


def _slice(src: Path, dest: Path, ranges: list[tuple[int, int]]) -> Path:
    """The header and the rows of ``src`` whose height is in one of ``ranges``."""
    lines = src.read_text().splitlines(keepends=True)
    keep = [ln for ln in lines[1:] if any(a <= int(ln.split(",")[0]) <= b for a, b in ranges)]
    dest.write_text(lines[0] + "".join(keep))
    return dest


def test_pools_and_blockstats_merge_in_either_order(shared_data: Path, tmp_path: Path) -> None:
    # Rows before the getblockstats file (hash-less only), inside it, and block 931,519,
    # where the two files' times differ (SOURCES.md: 5 s apart).
    part = _slice(shared_data / POOLS_CSV, tmp_path / "part.csv",
                  [(909_000, 909_999), (931_510, 931_530)])  # fmt: skip
    a = storage.connect(":memory:")
    b = storage.connect(":memory:")
    for conn in (a, b):
        ingest.import_epochs(conn, shared_data / EPOCHS_CSV)
    rep = ingest.import_pools(a, part)
    assert (rep.rows_read, rep.counts.inserted) == (1_021, 1_021)
    ingest.import_blockstats(a, shared_data / BLOCKSTATS_CSV)
    ingest.import_blockstats(b, shared_data / BLOCKSTATS_CSV)
    rep_b = ingest.import_pools(b, part)
    assert rep_b.notes[0] == (
        "block times: 458 new block rows (hash unknown), 0 updated, 563 unchanged; 1 of them"
        " stored with a hash and another time keep their own (the hashed source wins)"
    )
    for conn in (a, b):
        blocks = storage.load_blocks(conn)
        assert len(blocks) == 458 + 25_118 and blocks["bits"].isna().sum() == 0
        assert blocks["hash"].notna().sum() == 25_118
        assert blocks.loc[931_519, "time_s"] == 1767945933  # getblockstats (the file: ...938)
        assert blocks.loc[909_000, "time_s"] == 1754559161  # the pools file's row
        assert storage.block_pool_count(conn) == 1_021
    dump = "SELECT * FROM blocks ORDER BY height"
    assert a.execute(dump).fetchall() == b.execute(dump).fetchall()
    again = ingest.import_pools(a, part)
    assert (again.counts.inserted, again.counts.updated, again.counts.unchanged) == (0, 0, 1_021)


def test_blocktimes_file(fresh_db: sqlite3.Connection, tmp_path: Path) -> None:
    f = tmp_path / "times.csv"
    f.write_text("height,time\n100,2009-01-10T00:00:00Z\n101,1231546200\n101,1231546200\n")
    rep = ingest.import_blocktimes(fresh_db, f)
    assert (rep.counts.inserted, rep.rows_read) == (2, 3)
    assert "1 repeated identical lines skipped" in rep.notes
    assert storage.block_times(fresh_db, [100, 101]) == {100: 1231545600, 101: 1231546200}
    assert storage.block_pool_count(fresh_db) == 0


def _bad(tmp_path: Path, body: str) -> Path:
    f = tmp_path / "bad.csv"
    f.write_text(body)
    return f


def _mtp_violation() -> str:
    rows = [f"{664_063 + i},{1_609_547_186 + 600 * i},antpool\n" for i in range(12)]
    rows[11] = f"{664_074},{1_609_547_186 + 600 * 4},antpool\n"  # not after the median of 11
    return HEADER + "".join(rows)


BAD = [
    (HEADER + "664063,1609547186,f2pool\n664064,1609547645,antpool\n664063,1609547186,antpool\n",
     "bad.csv:4, field 'pool_slug': height 664063 repeats line 2 with another pool_slug"),
    (HEADER + "664063,1609547186,nosuchpool\n",
     "bad.csv:2, field 'pool_slug': 'nosuchpool' is not a pool of the names file"),
    (HEADER + "664063,1609547186,antpool\n664063,1609547187,antpool\n",
     "bad.csv:3, field 'time_s': height 664063 repeats line 2 with another time_s"),
    (HEADER + "664063,1000,antpool\n", "bad.csv:2, field 'time_s': 1000 is not a plausible"),
    (HEADER + "66406x,1609547186,antpool\n", "bad.csv:2, field 'height': '66406x' is not a whole"),
    (HEADER + "-1,1609547186,antpool\n", "bad.csv:2, field 'height': -1 is negative"),
    (HEADER + "664063,noon,antpool\n", "bad.csv:2, field 'time_s': 'noon' is not Unix seconds"),
    (HEADER + "664063,1609547186\n", "bad.csv:2: expected 3 fields, found 2"),
    ("height,time_s\n664063,1609547186\n", "bad.csv:1: not a pool attribution CSV file: no column"),
    (_mtp_violation(), "bad.csv:13, field 'time_s': block 664074 at 1609549586 is not later"),
    ("", "bad.csv:1: empty file"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "message"), BAD)
def test_bad_rows_one_line_exit_1_nothing_written(tmp_path: Path, body: str, message: str) -> None:
    db = tmp_path / "t.sqlite"
    ok = tmp_path / "ok.csv"
    ok.write_text(HEADER + "664000,1609500000,antpool\n")
    runner = CliRunner()
    assert runner.invoke(app, ["import", "pools", str(ok), "--db", str(db)]).exit_code == 0
    result = runner.invoke(app, ["import", "pools", str(_bad(tmp_path, body)), "--db", str(db)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.output
    conn = storage.connect(db, read_only=True)
    assert storage.block_pool_count(conn) == 1 and storage.max_block_height(conn) == 664_000
    conn.close()


def test_cli_import_with_a_user_tag_file_and_json(tmp_path: Path) -> None:
    tags = tmp_path / "mine.json"
    tags.write_text('{"pools": {"mypool": {"name": "My Pool"}}}')
    f = _bad(tmp_path, HEADER + "700000,1631000000,mypool\n")
    db = str(tmp_path / "u.sqlite")
    runner = CliRunner()
    res = runner.invoke(app, ["import", "pools", str(f), "--db", db])
    assert res.exit_code == 1 and "'mypool' is not a pool" in res.output
    res = runner.invoke(app, ["import", "pools", str(f), "--tags", str(tags), "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    assert '"kind": "pools"' in res.stdout and '"inserted": 1' in res.stdout


def test_attribution_file_matches_the_imported_rows(pools_db: sqlite3.Connection,
                                                    shared_data: Path) -> None:  # fmt: skip
    with (shared_data / POOLS_CSV).open(newline="") as fh:
        rows = {int(r["height"]): r["pool_slug"] for r in csv.DictReader(fh)}
    stored = dict(pools_db.execute("SELECT height, pool_slug FROM block_pools").fetchall())
    assert stored == rows
    sample = storage.block_pool(pools_db, 900_000)
    assert sample is not None and (sample.basis, sample.source) == (
        "file", "file:blocks_by_pool_664063_946236.csv"
    )  # fmt: skip
