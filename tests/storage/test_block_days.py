"""The per-day block aggregates of migration 0005: triggers keep them equal to a GROUP BY."""

from __future__ import annotations

import contextlib
import random
import sqlite3
from collections.abc import Iterator

import numpy as np

from minerscope import storage
from minerscope.consensus import block_subsidy_sat
from minerscope.records import BlockRecord, EpochRecord
from minerscope.storage import moments

# The table's definition: one row per (UTC day of the block time, retarget epoch).
GROUP_BY = (
    "SELECT time_s / 86400, height / 2016, COUNT(*), MIN(height), MAX(height),"
    " COALESCE(SUM(fees_sat), 0), COUNT(fees_sat), SUM(subsidy_sat), MAX(bits)"
    " FROM blocks GROUP BY 1, 2 ORDER BY 1, 2"
)
T0 = 1_700_000_000


def _table(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return conn.execute("SELECT * FROM block_days ORDER BY day, epoch").fetchall()


def _blocks(rng: random.Random, lo: int, hi: int, *, salt: str = "") -> list[BlockRecord]:
    # Timestamps wander around 600 s per block (not monotone, as on the real chain); some
    # blocks lack fees or bits; a halving (210,000) and retargets fall inside the range.
    return [
        BlockRecord(
            h,
            f"{salt}{h:x}".rjust(64, "0"),
            T0 + h * 600 + rng.randint(-4_000, 4_000),
            bits=None if h % 7 == 0 else 0x17000000 + h // 2016,
            fees_sat=None if h % 5 == 0 else rng.randint(0, 10**8),
            subsidy_sat=None if h % 3 else block_subsidy_sat(h),
        )
        for h in range(lo, hi)
    ]


def test_triggers_keep_the_aggregates_through_inserts_updates_and_reorgs(
    fresh_db: sqlite3.Connection,
) -> None:
    rng = random.Random(5)
    with storage.transaction(fresh_db):
        storage.upsert_blocks(fresh_db, _blocks(rng, 208_000, 212_500))
    # A block stored without its subsidy counts the consensus one.
    expected = fresh_db.execute(GROUP_BY.replace(
        "SUM(subsidy_sat)", "SUM(COALESCE(subsidy_sat, 5000000000 >> (height / 210000)))"
    )).fetchall()  # fmt: skip
    assert _table(fresh_db) == expected and len(expected) > 30
    with storage.transaction(fresh_db):  # fees filled in later
        stored = [storage.block_row(fresh_db, h) for h in range(209_000, 209_300)]
        storage.upsert_blocks(
            fresh_db,
            [BlockRecord(b.height, b.hash, b.time_s, fees_sat=7) for b in stored if b],
        )
        storage.upsert_epochs(fresh_db, [EpochRecord(104, 209_664, 0x17000068)])  # fills bits
    # times known first without hashes (a block-times file), then from a hashed source
    # whose times differ: the hashed time wins and moves half of them across days
    heights = list(range(212_500, 212_800))
    with storage.transaction(fresh_db):
        storage.upsert_block_times(fresh_db, heights, [T0 + h * 600 for h in heights])
    with storage.transaction(fresh_db):
        storage.upsert_blocks(
            fresh_db,
            [BlockRecord(h, f"{h:x}".rjust(64, "0"), T0 + h * 600 + 90_000 * (h % 2), fees_sat=7)
             for h in heights],
        )  # fmt: skip
    moved = storage.block_row(fresh_db, 212_501)
    assert moved is not None and moved.time_s == T0 + 212_501 * 600 + 90_000
    with storage.transaction(fresh_db):  # a reorg: the top 700 blocks replaced
        storage.delete_blocks_from(fresh_db, 211_800)
        storage.upsert_blocks(fresh_db, _blocks(rng, 211_800, 212_100, salt="b"))
    fresh_db.execute("UPDATE blocks SET subsidy_sat = NULL WHERE height % 11 = 0")
    expected = fresh_db.execute(GROUP_BY.replace(
        "SUM(subsidy_sat)", "SUM(COALESCE(subsidy_sat, 5000000000 >> (height / 210000)))"
    )).fetchall()  # fmt: skip
    assert _table(fresh_db) == expected
    with storage.transaction(fresh_db):
        storage.delete_blocks_from(fresh_db, 0)
    assert _table(fresh_db) == []


def test_sql_subsidy_is_the_consensus_schedule(fresh_db: sqlite3.Connection) -> None:
    heights = [0, 209_999, 210_000, 839_999, 840_000, 6_929_999, 6_930_000, 13_440_000]
    for h in heights:
        (sql,) = fresh_db.execute("SELECT 5000000000 >> (? / 210000)", (h,)).fetchone()
        assert sql == block_subsidy_sat(h), h


def test_groups_without_the_table_match(fresh_db: sqlite3.Connection) -> None:
    # A read-only database from before migration 0005 is aggregated from the blocks.
    rng = random.Random(2)
    with storage.transaction(fresh_db):
        storage.upsert_blocks(fresh_db, _blocks(rng, 100_000, 103_000))
    with_table = moments.block_day_groups(fresh_db)
    for (trigger,) in fresh_db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'blocks'"
    ).fetchall():
        fresh_db.execute(f"DROP TRIGGER {trigger}")
    fresh_db.execute("DROP TABLE block_days")
    without = moments.block_day_groups(fresh_db)
    for name in ("day", "epoch", "blocks", "min_height", "max_height", "fees_sat", "fee_blocks",
                 "subsidy_sat"):  # fmt: skip
        np.testing.assert_array_equal(getattr(with_table, name), getattr(without, name))
    assert with_table.bits == without.bits
    assert moments.height_runs(fresh_db) == [(100_000, 102_999)]
    fresh_db.execute("DELETE FROM blocks WHERE height BETWEEN 101000 AND 101009")
    assert moments.height_runs(fresh_db) == [(100_000, 100_999), (101_010, 102_999)]


def test_upsert_counts_ignore_the_trigger_writes(fresh_db: sqlite3.Connection) -> None:
    rows = _blocks(random.Random(1), 10, 20)
    with storage.transaction(fresh_db):
        first = storage.upsert_blocks(fresh_db, rows)
        again = storage.upsert_blocks(fresh_db, rows)
    assert (first.inserted, first.updated, first.unchanged) == (10, 0, 0)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 10)
    with storage.transaction(fresh_db):
        assert storage.upsert_epochs(fresh_db, [EpochRecord(0, 0, 0x17000000)]).inserted == 1


def _trigger_sql(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    ).fetchall()


@contextlib.contextmanager
def _bulk_path_taken(conn: sqlite3.Connection) -> Iterator[None]:
    """Assert that the body took the bulk path (dropped the per-row trigger)."""
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        yield
    finally:
        conn.set_trace_callback(None)
    assert "DROP TRIGGER block_days_insert" in statements


def _group_by(conn: sqlite3.Connection) -> list[tuple[object, ...]]:
    return conn.execute(GROUP_BY.replace(
        "SUM(subsidy_sat)", "SUM(COALESCE(subsidy_sat, 5000000000 >> (height / 210000)))"
    )).fetchall()  # fmt: skip


def test_a_bulk_insert_rebuilds_the_days_it_touches(fresh_db: sqlite3.Connection) -> None:
    # An import of at least BULK_MIN_BLOCKS new blocks drops the per-row trigger and
    # recomputes the days it touches; days shared with stored blocks, and days it does not
    # touch, must come out as the GROUP BY of the whole table.
    from minerscope.storage._block_days import BULK_MIN_BLOCKS

    rng = random.Random(9)
    triggers = _trigger_sql(fresh_db)
    with storage.transaction(fresh_db):
        storage.upsert_blocks(fresh_db, _blocks(rng, 60_000, 60_500))  # other days
        storage.upsert_blocks(fresh_db, _blocks(rng, 100_000, 101_000))  # shared days
    before = {r[:2]: r for r in _table(fresh_db)}
    rows = _blocks(rng, 99_000, 100_000) + _blocks(rng, 101_000, 101_000 + BULK_MIN_BLOCKS)
    with _bulk_path_taken(fresh_db), storage.transaction(fresh_db):
        counts = storage.upsert_blocks(fresh_db, rows)
    assert counts.inserted == BULK_MIN_BLOCKS + 1_000
    table = _table(fresh_db)
    assert table == _group_by(fresh_db) and len(table) > 40
    first_day = (T0 + 99_000 * 600 - 4_000) // 86400  # days before it: not touched
    assert [r for r in table if r[0] < first_day] == [
        v for k, v in before.items() if k[0] < first_day
    ]
    assert any(k[0] < first_day for k in before)
    assert _trigger_sql(fresh_db) == triggers  # recreated as it was
    with storage.transaction(fresh_db):  # and still maintaining the table one row at a time
        storage.upsert_blocks(fresh_db, _blocks(rng, 130_000, 130_010))
    assert _table(fresh_db) == _group_by(fresh_db)


def test_a_failed_bulk_insert_restores_the_trigger_and_the_days(
    fresh_db: sqlite3.Connection,
) -> None:
    from minerscope.errors import ConflictError
    from minerscope.storage._block_days import BULK_MIN_BLOCKS

    rng = random.Random(3)
    triggers = _trigger_sql(fresh_db)
    with storage.transaction(fresh_db):
        storage.upsert_blocks(fresh_db, _blocks(rng, 10, 20))
        rows = _blocks(rng, 1_000, 1_000 + BULK_MIN_BLOCKS)
        last = rows[-1]
        rows[-1] = BlockRecord(last.height, rows[0].hash, last.time_s)  # a hash stored twice
        try:
            with _bulk_path_taken(fresh_db), storage.transaction(fresh_db):  # a savepoint
                storage.upsert_blocks(fresh_db, rows)
        except ConflictError:
            pass
        else:
            raise AssertionError("the duplicate hash was not refused")
        assert _trigger_sql(fresh_db) == triggers
        assert _table(fresh_db) == _group_by(fresh_db)
        storage.upsert_blocks(fresh_db, _blocks(rng, 20, 30))
    assert _table(fresh_db) == _group_by(fresh_db)
    assert fresh_db.execute("SELECT COUNT(*) FROM blocks").fetchone() == (20,)


def test_a_bulk_block_times_import_rebuilds_the_days(fresh_db: sqlite3.Connection) -> None:
    from minerscope.storage._block_days import BULK_MIN_BLOCKS

    rng = random.Random(4)
    with storage.transaction(fresh_db):
        storage.upsert_blocks(fresh_db, _blocks(rng, 5_000, 5_100))
    heights = list(range(4_000, 4_000 + BULK_MIN_BLOCKS + 200))  # 100 of them stored
    triggers = _trigger_sql(fresh_db)
    with _bulk_path_taken(fresh_db), storage.transaction(fresh_db):
        storage.upsert_block_times(fresh_db, heights, [T0 + h * 600 for h in heights])
    assert _table(fresh_db) == _group_by(fresh_db)
    assert _trigger_sql(fresh_db) == triggers
