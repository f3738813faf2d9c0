"""Read-only loads into numpy arrays, without pandas (for commands that must start fast)."""

from __future__ import annotations

import sqlite3

import numpy as np
import numpy.typing as npt

from .repo import BLOCKS_PER_EPOCH

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def block_columns(
    conn: sqlite3.Connection, from_height: int, to_height: int
) -> tuple[IntArray, IntArray, FloatArray]:
    """Blocks ``from_height..to_height`` in height order: heights, times, fees (NaN unknown).

    [blocks], [Unix s], [sat]
    """
    rows = conn.execute(
        "SELECT height, time_s, fees_sat FROM blocks WHERE height BETWEEN ? AND ? ORDER BY height",
        (from_height, to_height),
    ).fetchall()
    h = np.array([r[0] for r in rows], dtype=np.int64)
    t = np.array([r[1] for r in rows], dtype=np.int64)
    f = np.array([np.nan if r[2] is None else float(r[2]) for r in rows], dtype=np.float64)
    return h, t, f


def heights_at_times(conn: sqlite3.Connection, times_s: IntArray) -> IntArray:
    """The highest stored height whose block time is at or before each time (-1: none).

    Block times are not monotone in height, so this is a running maximum of heights over
    blocks sorted by time (the vectorised form of :func:`storage.tip_height_at`).
    """
    lo, hi = int(np.min(times_s)), int(np.max(times_s))
    first = conn.execute("SELECT MAX(height) FROM blocks WHERE time_s <= ?", (lo,)).fetchone()[0]
    rows = conn.execute(
        "SELECT time_s, height FROM blocks WHERE time_s > ? AND time_s <= ? ORDER BY time_s",
        (lo, hi),
    ).fetchall()
    t = np.array([r[0] for r in rows], dtype=np.int64)
    h = np.array([r[1] for r in rows], dtype=np.int64)
    base = -1 if first is None else int(first)
    running = np.maximum.accumulate(np.concatenate([[base], h])) if len(h) else np.array([base])
    i = np.searchsorted(t, times_s, side="right")
    out: IntArray = running[i]
    return out


def epoch_bits_array(conn: sqlite3.Connection) -> IntArray:
    """Bits of epochs 0, 1, ... while contiguous from 0. [compact]"""
    rows = conn.execute("SELECT epoch, bits FROM epochs ORDER BY epoch").fetchall()
    out: list[int] = []
    for e, b in rows:
        if e != len(out):
            break
        out.append(int(b))
    return np.array(out, dtype=np.int64)


def daily_columns(
    conn: sqlite3.Connection, from_date: str, to_date: str
) -> tuple[list[str], FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Daily rows in a date range: dates, blocks, difficulty, issuance, fees, price.

    Unknown values are NaN. [blocks], [unitless], [sat], [sat], [USD/BTC]
    """
    rows = conn.execute(
        "SELECT date, blocks, difficulty, issuance_sat, fees_sat, price_usd FROM daily"
        " WHERE date BETWEEN ? AND ? ORDER BY date",
        (from_date, to_date),
    ).fetchall()

    def col(i: int) -> FloatArray:
        return np.array([np.nan if r[i] is None else float(r[i]) for r in rows], dtype=np.float64)

    return [str(r[0]) for r in rows], col(1), col(2), col(3), col(4), col(5)


def price_columns(conn: sqlite3.Connection, to_time_s: int) -> tuple[IntArray, FloatArray]:
    """Every stored price up to ``to_time_s``, by time; on a tie the preferred source comes
    last (Coin Metrics, then the first by name), so "the last row at or before t" is
    :func:`storage.latest_price`'s choice.

    [Unix s], [USD/BTC]
    """
    rows = conn.execute(
        "SELECT time_s, price_usd FROM prices WHERE time_s <= ?"
        " ORDER BY time_s, source = 'coinmetrics', source DESC",
        (to_time_s,),
    ).fetchall()
    return (
        np.array([r[0] for r in rows], dtype=np.int64),
        np.array([r[1] for r in rows], dtype=np.float64),
    )


__all__ = [
    "BLOCKS_PER_EPOCH",
    "block_columns",
    "daily_columns",
    "epoch_bits_array",
    "heights_at_times",
    "price_columns",
]
