"""Bulk inserts into ``blocks`` with the per-day aggregates rebuilt once (migration 0005).

The trigger ``block_days_insert`` keeps ``block_days`` current one row at a time: an upsert
into ``block_days`` for every block inserted, which costs about half the CPU time of a
whole-chain import. For a large insert the trigger is dropped inside the caller's
transaction, the rows go in, and every ``block_days`` row of the days they touch is
recomputed from ``blocks`` in one ``GROUP BY``; the trigger is then recreated from its own
stored definition. DDL is transactional in SQLite: a failure or a kill rolls all of it
back, and the trigger and the aggregates are restored even when the insert raises.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ..units import SECONDS_PER_DAY

#: Inserts of at least this many blocks take the bulk path; fewer keep the trigger.
BULK_MIN_BLOCKS = 5_000
_TRIGGER = "block_days_insert"

# The same aggregate as migration 0005's initial fill, for the days [lo, hi].
_REBUILD = f"""
    INSERT INTO block_days
        SELECT time_s / {SECONDS_PER_DAY}, height / 2016, COUNT(*), MIN(height), MAX(height),
               COALESCE(SUM(fees_sat), 0), COUNT(fees_sat),
               SUM(COALESCE(subsidy_sat, 5000000000 >> (height / 210000))), MAX(bits)
        FROM blocks INDEXED BY blocks_time_s
        WHERE time_s BETWEEN ? * {SECONDS_PER_DAY} AND ? * {SECONDS_PER_DAY} + {SECONDS_PER_DAY - 1}
        GROUP BY time_s / {SECONDS_PER_DAY}, height / 2016
"""


@contextmanager
def bulk_block_inserts(conn: sqlite3.Connection, times_s: Sequence[int]) -> Iterator[None]:
    """Inside a transaction: insert the blocks whose times are ``times_s`` in the body.

    Parameters
    ----------
    conn : sqlite3.Connection
        A connection with a transaction open (the caller's).
    times_s : sequence of int
        The block times of the rows the body inserts (and no others). [Unix s]
    """
    row = None
    if len(times_s) >= BULK_MIN_BLOCKS:
        row = conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (_TRIGGER,)
        ).fetchone()
    if row is None:  # a small insert (or a database before migration 0005)
        yield
        return
    day_lo = min(times_s) // SECONDS_PER_DAY
    day_hi = max(times_s) // SECONDS_PER_DAY
    conn.execute(f"DROP TRIGGER {_TRIGGER}")
    try:
        yield
    finally:
        conn.execute("DELETE FROM block_days WHERE day BETWEEN ? AND ?", (day_lo, day_hi))
        conn.execute(_REBUILD, (day_lo, day_hi))
        conn.execute(row[0])
