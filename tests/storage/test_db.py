"""The embedded database: migrations, STRICT tables, idempotent upserts, as-of loads."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from minerscope import storage
from minerscope.errors import ConflictError, InputError
from minerscope.records import BlockRecord, DailyRecord, EpochRecord, PriceRecord

H1 = "00" * 31 + "01"
H2 = "00" * 31 + "02"


def test_migrations_are_recorded_once(db_path: Path) -> None:
    conn = storage.connect(db_path)
    assert storage.applied_versions(conn) == [m[0] for m in storage.MIGRATIONS]
    names = [r[0] for r in conn.execute("SELECT name FROM _migrations")]
    assert names == [m[1] for m in storage.MIGRATIONS]
    assert names[0] == "0001_core_tables"
    conn.close()
    again = storage.connect(db_path)
    assert storage.migrate(again) == []
    assert again.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    again.close()


def test_tables_are_strict(fresh_db: sqlite3.Connection) -> None:
    for table in ("blocks", "epochs", "daily", "prices"):
        sql = fresh_db.execute(
            "SELECT sql FROM sqlite_master WHERE type='table' AND name=?", (table,)
        ).fetchone()[0]
        assert sql.rstrip().endswith("STRICT"), table
    with pytest.raises(sqlite3.IntegrityError):  # STRICT: text in an INTEGER column
        fresh_db.execute("INSERT INTO blocks (height, hash, time_s) VALUES (1, ?, 'noon')", (H1,))
    with pytest.raises(sqlite3.IntegrityError):  # CHECK: negative fees
        fresh_db.execute(
            "INSERT INTO blocks (height, hash, time_s, fees_sat) VALUES (1, ?, 5, -1)", (H1,)
        )


def test_block_upserts_are_idempotent_and_keep_known_fields(fresh_db: sqlite3.Connection) -> None:
    with storage.transaction(fresh_db):
        c1 = storage.upsert_blocks(fresh_db, [BlockRecord(1, H1, 100, fees_sat=7)])
    assert (c1.inserted, c1.updated, c1.unchanged) == (1, 0, 0)
    with storage.transaction(fresh_db):
        c2 = storage.upsert_blocks(fresh_db, [BlockRecord(1, H1, 100, fees_sat=7)])
    assert (c2.inserted, c2.updated, c2.unchanged) == (0, 0, 1)
    # A row without fees (None) keeps the stored fees; a new field is added.
    with storage.transaction(fresh_db):
        c3 = storage.upsert_blocks(fresh_db, [BlockRecord(1, H1, 100, prev_hash=H2)])
    assert (c3.inserted, c3.updated, c3.unchanged) == (0, 1, 0)
    row = storage.block_row(fresh_db, 1)
    assert row is not None and row.fees_sat == 7 and row.prev_hash == H2
    with pytest.raises(ConflictError, match="block 1 is stored with hash"):
        storage.upsert_blocks(fresh_db, [BlockRecord(1, H2, 100)])
    assert storage.delete_blocks_from(fresh_db, 1) == 1
    assert storage.max_block_height(fresh_db) is None


def test_transaction_rolls_back_on_error(fresh_db: sqlite3.Connection) -> None:
    with pytest.raises(RuntimeError), storage.transaction(fresh_db):
        storage.upsert_blocks(fresh_db, [BlockRecord(1, H1, 100)])
        raise RuntimeError("killed halfway")
    assert storage.table_counts(fresh_db)["blocks"] == 0


def test_bits_come_from_epochs(fresh_db: sqlite3.Connection) -> None:
    with storage.transaction(fresh_db):
        storage.upsert_blocks(fresh_db, [BlockRecord(2017, H1, 100)])
        storage.upsert_epochs(fresh_db, [EpochRecord(1, 2016, 0x1D00FFFF)])
    assert storage.load_blocks(fresh_db).loc[2017, "bits"] == 0x1D00FFFF
    with pytest.raises(ConflictError, match="epoch 1 is stored with"):
        storage.upsert_epochs(fresh_db, [EpochRecord(1, 2016, 0x1C00FFFF)])
    conflict = pytest.raises(
        ConflictError, match="contradict the bits 1c00ffff of the stored block 4033"
    )
    with conflict, storage.transaction(fresh_db):
        storage.upsert_blocks(fresh_db, [BlockRecord(4033, H2, 200, bits=0x1C00FFFF)])
        storage.upsert_epochs(fresh_db, [EpochRecord(2, 4032, 0x1D00FFFF)])
    assert storage.table_counts(fresh_db)["epochs"] == 1


def test_daily_and_prices(fresh_db: sqlite3.Connection) -> None:
    with storage.transaction(fresh_db):
        storage.upsert_daily(
            fresh_db, [DailyRecord("2026-01-24", 98, 1.4e14, None, 5, 89185.0, "x")]
        )
        c = storage.upsert_prices(
            fresh_db, [PriceRecord("a", 10, 1.0), PriceRecord("coinmetrics", 10, 2.0)]
        )
    assert c.inserted == 2
    frame = storage.load_daily(fresh_db)
    assert str(frame.index[0]) == "2026-01-24 00:00:00+00:00"
    assert frame.iloc[0]["blocks"] == 98
    p = storage.latest_price(fresh_db, 10)
    assert p is not None and p.source == "coinmetrics"  # preferred on a tie
    assert storage.latest_price(fresh_db, 9) is None


def test_read_only_and_garbage_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no minerscope database at"):
        storage.connect(tmp_path / "missing.sqlite", read_only=True)
    assert not (tmp_path / "missing.sqlite").exists()
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(InputError, match="is not an SQLite database file"):
        storage.connect(junk)


def test_the_same_block_has_one_time_and_one_hash(fresh_db: sqlite3.Connection) -> None:
    with storage.transaction(fresh_db):
        storage.upsert_blocks(fresh_db, [BlockRecord(1, H1, 100, fees_sat=7)])
    with pytest.raises(ConflictError, match="is stored with time 100, not 101"):
        storage.upsert_blocks(fresh_db, [BlockRecord(1, H1, 101)])
    with pytest.raises(ConflictError, match=f"block hash {H1} is already stored at height 1"):
        storage.upsert_blocks(fresh_db, [BlockRecord(2, H1, 200)])
    with storage.transaction(fresh_db):
        storage.upsert_epochs(fresh_db, [EpochRecord(0, 0, 0x1D00FFFF)])
    with pytest.raises(ConflictError, match="has bits 1c00ffff but its epoch 0 is stored with"):
        storage.upsert_blocks(fresh_db, [BlockRecord(3, H2, 300, bits=0x1C00FFFF)])
    # Re-importing identical rows writes nothing; a new field fills in.
    before = fresh_db.total_changes
    again = storage.upsert_blocks(fresh_db, [BlockRecord(1, H1, 100, fees_sat=7)])
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 1)
    assert fresh_db.total_changes == before


def test_default_path_honours_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MINERSCOPE_DB", str(tmp_path / "env.sqlite"))
    assert storage.default_db_path() == tmp_path / "env.sqlite"
    assert storage.resolve_db_path(tmp_path / "x.sqlite") == tmp_path / "x.sqlite"
    monkeypatch.delenv("MINERSCOPE_DB")
    assert storage.default_db_path().name == "minerscope.sqlite"
