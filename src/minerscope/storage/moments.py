"""Read-only queries for documents as of a moment: prices, fee windows, per-day aggregates.

Everything here returns plain values or numpy arrays (no pandas), reads only the rows a
question needs and aggregates in SQL where the answer is a sum or a count: a whole-chain
database (about 935,000 blocks) answers in milliseconds.

Per-day block aggregates come from the ``block_days`` table (migration ``0005_block_days``),
which triggers keep equal to ``GROUP BY time_s / 86400, height / 2016`` over ``blocks``; on a
read-only database that predates it they are aggregated from ``blocks`` directly.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..records import PriceRecord
from .repo import BLOCKS_PER_EPOCH

if TYPE_CHECKING:  # numpy is imported by the array loaders only (start-up: `machines`)
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]

SECONDS_PER_DAY = 86_400
#: Price sources in order of preference when two are stamped at the same second: Coin
#: Metrics' multi-exchange reference rate, then the daily rows' close, then any other.
_PRICE_PREFERENCE = {"coinmetrics": 0}
_DAILY_PREFERENCE = 1
_OTHER_PREFERENCE = 2
DAILY_PRICE_PREFIX = "daily/"


def _date(time_s: int) -> str:
    return datetime.fromtimestamp(time_s, tz=UTC).strftime("%Y-%m-%d")


def _day_start_s(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())


def _preference(source: str) -> int:
    if source.startswith(DAILY_PRICE_PREFIX):
        return _DAILY_PREFERENCE
    return _PRICE_PREFERENCE.get(source, _OTHER_PREFERENCE)


# --- prices -----------------------------------------------------------------------------


def price_at(conn: sqlite3.Connection, known_by_s: int) -> PriceRecord | None:
    """The latest BTC price stamped at or before ``known_by_s``, from prices or daily rows.

    A daily row's price is its day's close, stamped at the end of the day (00:00:00Z of the
    next day), like a daily close in the ``prices`` table. On a tie in time the preference
    is Coin Metrics' reference rate, then the daily rows (source ``daily/<source>``), then
    other sources by name.
    """
    candidates: list[PriceRecord] = []
    top = conn.execute(
        "SELECT MAX(time_s) FROM prices WHERE time_s <= ?", (known_by_s,)
    ).fetchone()[0]
    if top is not None:
        for source, time_s, price in conn.execute(
            "SELECT source, time_s, price_usd FROM prices WHERE time_s = ?", (top,)
        ):
            candidates.append(PriceRecord(str(source), int(time_s), float(price)))
    row = conn.execute(
        "SELECT date, price_usd, source FROM daily WHERE date <= ? AND price_usd IS NOT NULL"
        " ORDER BY date DESC LIMIT 1",
        (_date(known_by_s - SECONDS_PER_DAY),),
    ).fetchone()
    if row is not None:
        stamp = _day_start_s(str(row[0])) + SECONDS_PER_DAY
        candidates.append(PriceRecord(f"{DAILY_PRICE_PREFIX}{row[2]}", stamp, float(row[1])))
    if not candidates:
        return None
    return min(candidates, key=lambda p: (-p.time_s, _preference(p.source), p.source))


@dataclass(frozen=True)
class PriceSeries:
    """One price per stamp (the preferred source's), oldest first."""

    time_s: IntArray
    price_usd: FloatArray


def price_series(conn: sqlite3.Connection, *, to_s: int) -> PriceSeries:
    """Every price stamped at or before ``to_s`` from prices and daily rows, one per stamp.

    Same sources and preference as :func:`price_at`, so ``price_at(conn, t)`` is the last
    entry stamped at or before ``t``.
    """
    import numpy as np

    parts = []  # (stamps, prices, preference, order of the source name)
    names = [
        str(n)
        for (n,) in conn.execute(
            "SELECT DISTINCT source FROM prices WHERE time_s <= ? ORDER BY source", (to_s,)
        )
    ]
    for rank, name in enumerate(names):
        rows = conn.execute(
            "SELECT time_s, price_usd FROM prices WHERE source = ? AND time_s <= ?", (name, to_s)
        ).fetchall()
        parts.append((rows, _preference(name), rank))
    dates = conn.execute(
        "SELECT date, price_usd FROM daily WHERE date <= ? AND price_usd IS NOT NULL",
        (_date(to_s - SECONDS_PER_DAY),),
    ).fetchall()
    if dates:
        day = np.array([d for d, _ in dates], dtype="datetime64[D]").astype(np.int64)
        stamps = (day + 1) * SECONDS_PER_DAY
        daily_rows = list(zip(stamps.tolist(), [p for _, p in dates], strict=True))
        parts.append((daily_rows, _DAILY_PREFERENCE, -1))
    if not any(rows for rows, _, _ in parts):
        return PriceSeries(np.array([], dtype=np.int64), np.array([], dtype=np.float64))
    values = np.concatenate(
        [np.array(rows, dtype=np.float64).reshape(-1, 2) for rows, _, _ in parts]
    )
    preference = np.concatenate([np.full(len(rows), p) for rows, p, _ in parts])
    name_order = np.concatenate([np.full(len(rows), r) for rows, _, r in parts])
    order = np.lexsort((name_order, preference, values[:, 0]))  # stamp, preference, name
    stamps = values[order, 0].astype(np.int64)
    first = np.concatenate([[True], stamps[1:] != stamps[:-1]])
    return PriceSeries(stamps[first], values[order, 1][first])


# --- blocks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class FeeWindow:
    """The fees of the last blocks with known fees before a tip."""

    blocks: int  # blocks averaged [count]
    fees_sat: int  # their fees [sat]
    first_height: int
    last_height: int
    last_time_s: int  # time of the last of them [Unix s]


def fee_window(
    conn: sqlite3.Connection, tip_height: int, *, blocks: int, lookback_blocks: int
) -> FeeWindow | None:
    """The last ``blocks`` blocks with known fees among heights ``tip - lookback .. tip``."""
    row = conn.execute(
        "SELECT COUNT(*), SUM(fees_sat), MIN(height), MAX(height) FROM ("
        " SELECT height, fees_sat FROM blocks WHERE height BETWEEN ? AND ?"
        " AND fees_sat IS NOT NULL ORDER BY height DESC LIMIT ?)",
        (max(0, tip_height - lookback_blocks), tip_height, blocks),
    ).fetchone()
    if not row[0]:
        return None
    last = conn.execute("SELECT time_s FROM blocks WHERE height = ?", (row[3],)).fetchone()
    return FeeWindow(int(row[0]), int(row[1]), int(row[2]), int(row[3]), int(last[0]))


@dataclass(frozen=True)
class BlockDayGroups:
    """Stored blocks aggregated per UTC day (block time // 86,400) and retarget epoch."""

    day: IntArray  # days since 1970-01-01
    epoch: IntArray
    blocks: IntArray
    min_height: IntArray
    max_height: IntArray
    fees_sat: IntArray  # over the blocks whose fees are known [sat]
    fee_blocks: IntArray  # blocks whose fees are known
    subsidy_sat: IntArray  # [sat]
    bits: list[int | None]  # the epoch's compact target (block rows, else the epochs table)


def _has_table(conn: sqlite3.Connection, name: str) -> bool:
    q = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return conn.execute(q, (name,)).fetchone() is not None


def block_day_groups(conn: sqlite3.Connection, *, before_day: int | None = None) -> BlockDayGroups:
    """Per-(day, epoch) block aggregates of the days before ``before_day``, in day order."""
    import numpy as np

    limit = 2**62 if before_day is None else before_day
    if _has_table(conn, "block_days"):
        q = (
            "SELECT g.day, g.epoch, g.blocks, g.min_height, g.max_height, g.fees_sat,"
            " g.fee_blocks, g.subsidy_sat, COALESCE(g.bits, e.bits) FROM block_days g"
            " LEFT JOIN epochs e ON e.epoch = g.epoch WHERE g.day < ? ORDER BY g.day, g.epoch"
        )
        rows = conn.execute(q, (limit,)).fetchall()
    else:  # a read-only database from before migration 0005: aggregate the blocks here
        q = (
            "SELECT b.time_s / 86400 AS day, b.height / ? AS ep, COUNT(*), MIN(b.height),"
            " MAX(b.height), COALESCE(SUM(b.fees_sat), 0), COUNT(b.fees_sat),"
            " SUM(COALESCE(b.subsidy_sat, 5000000000 >> (b.height / 210000))),"
            " COALESCE(MAX(b.bits), (SELECT e.bits FROM epochs e WHERE e.epoch = b.height / ?))"
            " FROM blocks b WHERE b.time_s < ? GROUP BY day, ep ORDER BY day, ep"
        )
        limit_s = 2**62 if before_day is None else before_day * SECONDS_PER_DAY
        rows = conn.execute(q, (BLOCKS_PER_EPOCH, BLOCKS_PER_EPOCH, limit_s)).fetchall()

    def col(i: int) -> IntArray:
        return np.array([r[i] for r in rows], dtype=np.int64)

    return BlockDayGroups(
        col(0), col(1), col(2), col(3), col(4), col(5), col(6), col(7),
        [None if r[8] is None else int(r[8]) for r in rows],
    )  # fmt: skip


def height_runs(conn: sqlite3.Connection) -> list[tuple[int, int]]:
    """Runs of consecutive stored heights, as (first, last) pairs in height order."""
    lo = conn.execute("SELECT MIN(height) FROM blocks").fetchone()[0]
    if lo is None:
        return []
    hi = int(conn.execute("SELECT MAX(height) FROM blocks").fetchone()[0])
    if _has_table(conn, "block_days"):
        n = conn.execute("SELECT SUM(blocks) FROM block_days").fetchone()[0]
    else:
        n = conn.execute("SELECT COUNT(*) FROM blocks").fetchone()[0]
    if n == hi - lo + 1:
        return [(int(lo), hi)]
    starts = [
        int(h)
        for (h,) in conn.execute(
            "SELECT b.height FROM blocks b WHERE NOT EXISTS"
            " (SELECT 1 FROM blocks c WHERE c.height = b.height - 1) ORDER BY b.height"
        )
    ]
    ends = [
        int(h)
        for (h,) in conn.execute(
            "SELECT b.height FROM blocks b WHERE NOT EXISTS"
            " (SELECT 1 FROM blocks c WHERE c.height = b.height + 1) ORDER BY b.height"
        )
    ]
    return list(zip(starts, ends, strict=True))


# --- daily rows -------------------------------------------------------------------------


@dataclass(frozen=True)
class DailyArrays:
    """Stored daily rows in date order (NaN where a field is empty)."""

    day: IntArray  # days since 1970-01-01
    blocks: FloatArray
    difficulty: FloatArray
    issuance_sat: FloatArray
    fees_sat: FloatArray
    price_usd: FloatArray
    source: list[str]


def daily_arrays(conn: sqlite3.Connection, *, to_date: str, sources: bool = True) -> DailyArrays:
    """Daily rows up to ``to_date`` (YYYY-MM-DD) inclusive (``source`` empty unless
    ``sources``)."""
    import numpy as np

    rows = conn.execute(
        "SELECT date, blocks, difficulty, issuance_sat, fees_sat, price_usd, source FROM daily"
        " WHERE date <= ? ORDER BY date",
        (to_date,),
    ).fetchall()
    if not rows:
        empty = np.array([], dtype=np.float64)
        return DailyArrays(np.array([], dtype=np.int64), empty, empty, empty, empty, empty, [])
    columns = list(zip(*rows, strict=True))
    values = np.array(columns[1:6], dtype=np.float64)  # None becomes NaN
    day = np.array(columns[0], dtype="datetime64[D]").astype(np.int64)
    names = [str(s) for s in columns[6]] if sources else []
    return DailyArrays(day, values[0], values[1], values[2], values[3], values[4], names)


@dataclass(frozen=True)
class DailyRow:
    """One stored daily row."""

    date: str
    blocks: int | None
    difficulty: float | None
    issuance_sat: int | None
    fees_sat: int | None
    price_usd: float | None
    source: str


def last_daily_row(
    conn: sqlite3.Connection, *, on_or_before: str, having: str | None = None
) -> DailyRow | None:
    """The latest daily row not after ``on_or_before`` (whose ``having`` field is set)."""
    cond = {
        None: "",
        "difficulty": " AND difficulty IS NOT NULL",
        "issuance": " AND issuance_sat IS NOT NULL AND blocks > 0",
        "fees": " AND fees_sat IS NOT NULL AND blocks > 0",
    }[having]
    row = conn.execute(
        "SELECT date, blocks, difficulty, issuance_sat, fees_sat, price_usd, source FROM daily"
        f" WHERE date <= ?{cond} ORDER BY date DESC LIMIT 1",
        (on_or_before,),
    ).fetchone()
    return None if row is None else DailyRow(*row)


def has_rows(conn: sqlite3.Connection, table: str) -> bool:
    """Whether a data table (``blocks``, ``daily``, ``prices``, ``epochs``) holds a row."""
    if table not in ("blocks", "daily", "prices", "epochs"):
        raise ValueError(f"not a data table: {table!r}")
    return bool(conn.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0])


def daily_block_count(conn: sqlite3.Connection, *, to_date: str) -> tuple[str | None, int]:
    """The first stored date and the sum of daily block counts up to ``to_date``."""
    first, total = conn.execute(
        "SELECT MIN(date), COALESCE(SUM(blocks), 0) FROM daily WHERE date <= ?", (to_date,)
    ).fetchone()
    return (None if first is None else str(first)), int(total)


__all__ = [
    "DAILY_PRICE_PREFIX",
    "BlockDayGroups",
    "DailyArrays",
    "DailyRow",
    "FeeWindow",
    "PriceSeries",
    "block_day_groups",
    "daily_arrays",
    "daily_block_count",
    "fee_window",
    "has_rows",
    "height_runs",
    "last_daily_row",
    "price_at",
    "price_series",
]
