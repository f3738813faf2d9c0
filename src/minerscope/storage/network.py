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


def block_arrays(
    conn: sqlite3.Connection, lo: int, hi: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stored blocks ``lo .. hi`` in height order: heights, times, bits (plain SQL, no pandas).

    Bits come from the block row, else from its epoch; blocks with neither are left out.
    """
    rows = conn.execute(
        "SELECT b.height, b.time_s,"
        " COALESCE(b.bits, (SELECT e.bits FROM epochs e WHERE e.epoch = b.height / ?))"
        " FROM blocks b WHERE b.height BETWEEN ? AND ? ORDER BY b.height",
        (BLOCKS_PER_EPOCH, lo, hi),
    ).fetchall()
    rows = [r for r in rows if r[2] is not None]
    return (
        np.array([r[0] for r in rows], dtype=np.int64),
        np.array([r[1] for r in rows], dtype=np.int64),
        np.array([int(r[2]) for r in rows], dtype=object),
    )


def block_time_arrays(
    conn: sqlite3.Connection, lo: int = 0, hi: int = 2**62
) -> tuple[np.ndarray, np.ndarray]:
    """Heights and times of the stored blocks ``lo .. hi`` (for scans over many blocks)."""
    rows = conn.execute(
        "SELECT height, time_s FROM blocks WHERE height BETWEEN ? AND ? ORDER BY height", (lo, hi)
    ).fetchall()
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    arr = np.array(rows, dtype=np.int64)
    return arr[:, 0].copy(), arr[:, 1].copy()


def contiguous_epoch_bits(conn: sqlite3.Connection) -> list[int]:
    """Compact targets of epochs 0, 1, 2 ... up to the first gap."""
    bits: list[int] = []
    for epoch, b in conn.execute("SELECT epoch, bits FROM epochs ORDER BY epoch"):
        if int(epoch) != len(bits):
            break
        bits.append(int(b))
    return bits


def daily_block_arrays(
    conn: sqlite3.Connection, to_date: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The daily rows up to ``to_date`` in date order as arrays: the day (days since
    1970-01-01), blocks and mean difficulty (NaN where the row has none)."""
    rows = conn.execute(
        "SELECT CAST(strftime('%s', date) AS INTEGER) / 86400, blocks, difficulty FROM daily"
        " WHERE date <= ? ORDER BY date",
        (to_date,),
    ).fetchall()
    if not rows:
        empty = np.zeros(0)
        return empty.astype(np.int64), empty, empty
    day, blocks, difficulty = zip(*rows, strict=True)
    return (
        np.array(day, dtype=np.int64),
        np.array(blocks, dtype=float),  # None -> NaN
        np.array(difficulty, dtype=float),
    )
