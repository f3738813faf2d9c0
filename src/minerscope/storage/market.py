"""Daily market ratios (the MVRV ratio): idempotent upserts and loads."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ..records import MvrvRecord
from .repo import WriteCounts


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def upsert_mvrv(conn: sqlite3.Connection, rows: Sequence[MvrvRecord]) -> WriteCounts:
    """Insert or update MVRV ratios keyed on (source, date)."""
    if not rows:
        return WriteCounts()
    stored = {
        (str(s), str(d))
        for s, d in conn.execute(
            "SELECT source, date FROM mvrv_daily WHERE date BETWEEN ? AND ?",
            (min(r.date for r in rows), max(r.date for r in rows)),
        )
    }
    inserted = len({(r.source, r.date) for r in rows} - stored)
    before = int(conn.execute("SELECT total_changes()").fetchone()[0])
    conn.executemany(
        "INSERT INTO mvrv_daily (source, date, mvrv_ratio) VALUES (?, ?, ?)"
        " ON CONFLICT (source, date) DO UPDATE SET mvrv_ratio = excluded.mvrv_ratio"
        " WHERE mvrv_daily.mvrv_ratio IS NOT excluded.mvrv_ratio",
        ((r.source, r.date, r.mvrv_ratio) for r in rows),
    )
    updated = int(conn.execute("SELECT total_changes()").fetchone()[0]) - before - inserted
    return WriteCounts(inserted, updated, len(rows) - inserted - updated)


def load_mvrv(
    conn: sqlite3.Connection, *, source: str | None = None, to_date: str | None = None
) -> list[tuple[str, str, float]]:
    """Stored ratios up to ``to_date`` (YYYY-MM-DD): ``(source, date, mvrv_ratio)`` by date.

    A database opened read-only before the table existed (migration 6 not yet applied)
    holds no ratios: the result is empty.
    """
    if not _has_table(conn, "mvrv_daily"):
        return []
    q = "SELECT source, date, mvrv_ratio FROM mvrv_daily WHERE date <= ?"
    args: list[object] = [to_date or "9999-99-99"]
    if source is not None:
        q += " AND source = ?"
        args.append(source)
    return [
        (str(s), str(d), float(v)) for s, d, v in conn.execute(q + " ORDER BY date, source", args)
    ]
