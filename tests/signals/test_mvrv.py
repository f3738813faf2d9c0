"""The MVRV ratio: reader, idempotent import, the table (migration 6), loads."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minerscope import ingest, storage
from minerscope.cli import app
from minerscope.errors import InputError
from minerscope.sources.files import read_mvrv_csv

CM_ISSUANCE_CSV = "cm_btc_price_issuance_daily_2010-07-18_2026-05-23.csv"


def test_reference_file_imports_once(fresh_db: sqlite3.Connection, shared_data: Path) -> None:
    first = ingest.import_mvrv(fresh_db, shared_data / CM_ISSUANCE_CSV)
    assert first.rows_read == 5_789 and first.counts.inserted == 5_789
    again = ingest.import_mvrv(fresh_db, shared_data / CM_ISSUANCE_CSV)
    assert again.counts.unchanged == 5_789 and again.counts.inserted == 0
    rows = storage.load_mvrv(fresh_db, to_date="2010-07-19")
    # the file's first lines: 2010-07-18,146.0383322,...; 2010-07-19,62.56512971,...
    assert rows == [("coinmetrics", "2010-07-18", 146.0383322),
                    ("coinmetrics", "2010-07-19", 62.56512971)]  # fmt: skip
    last = storage.load_mvrv(fresh_db)[-1]
    assert last == ("coinmetrics", "2026-05-23", pytest.approx(1.4145646606056597))


def test_reader_errors_name_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "m.csv"
    bad.write_text("date,CapMVRVCur\n2020-01-01,1.5\n2020-01-02,-1\n")
    with pytest.raises(InputError) as exc:
        read_mvrv_csv(bad)
    assert str(exc.value) == f"{bad}:3, field 'CapMVRVCur': -1.0 is negative"
    bad.write_text("date,CapMVRVCur\n2020-01-01,1.5\n2020-01-01,1.6\n")
    with pytest.raises(InputError, match="repeats line 2"):
        read_mvrv_csv(bad)
    bad.write_text("date,price\n2020-01-01,1.5\n")
    with pytest.raises(InputError, match="not an MVRV CSV"):
        read_mvrv_csv(bad)
    ok = tmp_path / "mine.csv"
    ok.write_text("date,mvrv\n2020-01-01,\n2020-01-02,2.5\n")
    (rec,) = [x.record for x in read_mvrv_csv(ok, source="own")]
    assert (rec.source, rec.date, rec.mvrv_ratio) == ("own", "2020-01-02", 2.5)


def test_cli_import_is_atomic(db_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "m.csv"
    bad.write_text("date,mvrv\n2020-01-01,1.5\n2020-01-02,abc\n")
    res = CliRunner().invoke(app, ["import", "mvrv", str(bad), "--db", str(db_path)])
    assert res.exit_code == 1 and "m.csv:3" in res.stderr and "'mvrv'" in res.stderr
    conn = storage.connect(db_path)
    assert storage.load_mvrv(conn) == []  # nothing half-written
    conn.close()


def test_read_only_database_from_before_the_table(tmp_path: Path) -> None:
    # a minerscope database written before migration 6 added the table
    path = tmp_path / "old.sqlite"
    storage.connect(path).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE mvrv_daily")
    conn.execute("DELETE FROM _migrations WHERE name = '0006_mvrv_daily'")
    conn.commit()
    conn.close()
    ro = storage.connect(path, read_only=True)
    try:
        assert storage.load_mvrv(ro) == []
    finally:
        ro.close()
