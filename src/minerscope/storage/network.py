"""Read-only queries for the network analytics (blocks by time)."""

from __future__ import annotations

import sqlite3

import numpy as np

from .repo import BLOCKS_PER_EPOCH


def blocks_in_time_window(
    conn: sqlite3.Connection, start_s: int, end_s: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Blocks with ``start_s < time_s <= end_s`` in height order: heights, times, bits.

    Bits come from the block row, else from its epoch; blocks with neither are left out.
    """
    rows = conn.execute(
        "SELECT b.height, b.time_s,"
        " COALESCE(b.bits, (SELECT e.bits FROM epochs e WHERE e.epoch = b.height / ?))"
        " FROM blocks b WHERE b.time_s > ? AND b.time_s <= ? ORDER BY b.height",
        (BLOCKS_PER_EPOCH, start_s, end_s),
    ).fetchall()
    rows = [r for r in rows if r[2] is not None]
    return (
        np.array([r[0] for r in rows], dtype=np.int64),
        np.array([r[1] for r in rows], dtype=np.int64),
        np.array([int(r[2]) for r in rows], dtype=object),
    )


def earliest_block_time(conn: sqlite3.Connection) -> int | None:
    """Least stored block time, or None. [Unix s]"""
    row = conn.execute("SELECT MIN(time_s) FROM blocks").fetchone()
    return None if row[0] is None else int(row[0])
