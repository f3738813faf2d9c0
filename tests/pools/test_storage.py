"""Migration 0002 and the storage of hash-less blocks and pool attributions."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from minerscope import storage
from minerscope.errors import ConflictError
from minerscope.records import BlockPool, BlockRecord, EpochRecord
from minerscope.storage.migrations import MIGRATIONS

H1 = "00" * 31 + "01"
H2 = "00" * 31 + "02"


def _v1_database(path: Path) -> None:
    """A database as release 0001 left it, with rows in every table."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(
        "CREATE TABLE _migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at_s INTEGER NOT NULL) STRICT"
    )
    version, name, sql = MIGRATIONS[0]
    assert isinstance(sql, str)
    for statement in sql.split(";"):
        if statement.strip():
            conn.execute(statement)
    conn.execute("INSERT INTO _migrations VALUES (?, ?, 0)", (version, name))
    conn.execute(
        "INSERT INTO blocks (height, hash, prev_hash, time_s, bits, fees_sat, subsidy_sat)"
        " VALUES (2016, ?, ?, 1000, 486604799, 5, 5000000000)",
        (H1, H2),
    )
    conn.execute("INSERT INTO epochs VALUES (1, 2016, 486604799, NULL)")
    conn.execute("INSERT INTO prices VALUES ('x', 1, 2.5)")
    conn.close()


def test_migration_keeps_rows_constraints_and_indexes(tmp_path: Path) -> None:
    db = tmp_path / "v1.sqlite"
    _v1_database(db)
    conn = storage.connect(db)
    assert storage.applied_versions(conn) == [m[0] for m in storage.MIGRATIONS]
    row = storage.block_row(conn, 2016)
    assert row == BlockRecord(2016, H1, 1000, None, 486604799, H2, None, 5, 5_000_000_000)
    assert storage.table_counts(conn) == {"blocks": 1, "epochs": 1, "daily": 0, "prices": 1}
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "blocks_time_s" in indexes
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name='blocks'").fetchone()[0]
    assert sql.rstrip().endswith("STRICT") and "NOT NULL UNIQUE" not in sql
    # hash: NULL allowed now; still unique, still 64 characters; other checks kept.
    conn.execute("INSERT INTO blocks (height, time_s) VALUES (1, 5)")
    conn.execute("INSERT INTO blocks (height, time_s) VALUES (2, 6)")  # two NULL hashes
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO blocks (height, hash, time_s) VALUES (3, ?, 7)", (H1,))
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO blocks (height, hash, time_s) VALUES (3, 'ab', 7)")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO blocks (height, time_s, fees_sat) VALUES (4, 7, -1)")
    with pytest.raises(sqlite3.IntegrityError):  # STRICT
        conn.execute("INSERT INTO blocks (height, time_s) VALUES (5, 'noon')")
    with pytest.raises(sqlite3.IntegrityError):  # block_pools: basis is one of the list
        conn.execute(
            "INSERT INTO block_pools (height, pool_slug, basis, source) VALUES (1, 'a', 'x', 's')"
        )
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()
    assert storage.migrate(storage.connect(db)) == []  # applied once


def test_migration_keeps_a_column_a_later_migration_added(tmp_path: Path) -> None:
    # Another package's migration may have run first on some database (its own branch):
    # the rebuild copies the table as it is, whatever columns it has.
    db = tmp_path / "v1plus.sqlite"
    _v1_database(db)
    raw = sqlite3.connect(db, isolation_level=None)
    raw.execute("ALTER TABLE blocks ADD COLUMN nonce INTEGER")
    raw.execute("UPDATE blocks SET nonce = 42")
    raw.close()
    conn = storage.connect(db)
    assert conn.execute("SELECT nonce FROM blocks WHERE height = 2016").fetchone() == (42,)
    conn.close()


def test_hashless_rows_merge_with_hashed_ones(fresh_db: sqlite3.Connection) -> None:
    with storage.transaction(fresh_db):
        storage.upsert_epochs(fresh_db, [EpochRecord(0, 0, 0x1D00FFFF)])
        c = storage.upsert_block_times(fresh_db, [10, 11, 12], [1000, 1600, 2200])
    assert (c.inserted, c.updated, c.unchanged, c.kept_hashed) == (3, 0, 0, 0)
    row = storage.block_row(fresh_db, 11)
    assert row is not None and row.hash is None and row.bits == 0x1D00FFFF  # bits from epoch
    assert storage.hashed_block_row(fresh_db, 11) is None
    assert storage.max_block_height(fresh_db) == 12 and storage.max_hashed_height(fresh_db) is None
    assert storage.block_hashes(fresh_db, 0, 20) == {}
    # A hashed row fills the hash in and its time wins; a hash-less row never conflicts.
    with storage.transaction(fresh_db):
        c2 = storage.upsert_blocks(fresh_db, [BlockRecord(11, H1, 1605, fees_sat=9)])
    assert (c2.inserted, c2.updated, c2.unchanged) == (0, 1, 0)
    row = storage.block_row(fresh_db, 11)
    assert row is not None and (row.hash, row.time_s, row.fees_sat) == (H1, 1605, 9)
    # The file again: the hashed block keeps its own time; the others are unchanged.
    with storage.transaction(fresh_db):
        c3 = storage.upsert_block_times(fresh_db, [10, 11, 12], [1000, 1600, 2200])
    assert (c3.inserted, c3.updated, c3.unchanged, c3.kept_hashed) == (0, 0, 3, 1)
    assert storage.block_times(fresh_db, [11]) == {11: 1605}
    # A new time for a hash-less row replaces the old one.
    with storage.transaction(fresh_db):
        c4 = storage.upsert_block_times(fresh_db, [12], [2300])
    assert (c4.inserted, c4.updated) == (0, 1)
    # A hash-less BlockRecord through upsert_blocks: no conflict, the hashed time stays.
    with storage.transaction(fresh_db):
        c5 = storage.upsert_blocks(fresh_db, [BlockRecord(11, None, 1600)])
    assert (c5.updated, c5.unchanged) == (0, 1)
    assert storage.block_times(fresh_db, [11]) == {11: 1605}
    # Another hash for a hashed height is still a conflict.
    with pytest.raises(ConflictError, match="block 11 is stored with hash"):
        storage.upsert_blocks(fresh_db, [BlockRecord(11, H2, 1605)])


def test_reorg_delete_keeps_hashless_rows_and_file_pools(fresh_db: sqlite3.Connection) -> None:
    with storage.transaction(fresh_db):
        storage.upsert_block_times(fresh_db, [20, 21, 22], [1, 2, 3])
        storage.upsert_blocks(fresh_db, [BlockRecord(21, H1, 2)])
        storage.upsert_block_pools(fresh_db, [
            BlockPool(20, "antpool", "file", "file:x.csv"),
            BlockPool(21, "f2pool", "tag", "rpc", block_hash=H1),
            BlockPool(22, "antpool", "file", "file:x.csv"),
        ])  # fmt: skip
        deleted = storage.delete_blocks_from(fresh_db, 20)
    assert deleted == 1  # only the hashed block: the others claim no chain
    assert sorted(storage.block_times(fresh_db, [20, 21, 22])) == [20, 22]
    assert [p.height for p in storage.load_block_pools(fresh_db)] == [20, 22]


def test_pool_precedence_coinbase_over_file(fresh_db: sqlite3.Connection) -> None:
    file_row = BlockPool(5, "antpool", "file", "file:a.csv")
    with storage.transaction(fresh_db):
        assert storage.upsert_block_pools(fresh_db, [file_row]).inserted == 1
        assert storage.upsert_block_pools(fresh_db, [file_row]).unchanged == 1
        # another file says otherwise: the later file wins
        c = storage.upsert_file_pools(fresh_db, [5], ["f2pool"], source="file:b.csv")
    assert c.updated == 1 and storage.block_pool(fresh_db, 5).pool_slug == "f2pool"  # type: ignore[union-attr]
    synced = BlockPool(5, "viabtc", "tag", "rpc", "/ViaBTC/", "/ViaBTC/", None, None, H1)
    with storage.transaction(fresh_db):
        assert storage.upsert_block_pools(fresh_db, [synced]).updated == 1
        # a file never replaces a reading of the block's own coinbase
        assert storage.upsert_file_pools(fresh_db, [5], ["antpool"], source="f").unchanged == 1
        assert storage.upsert_block_pools(fresh_db, [file_row]).unchanged == 1
    assert storage.block_pool(fresh_db, 5) == synced
    assert storage.block_pool_count(fresh_db) == 1
