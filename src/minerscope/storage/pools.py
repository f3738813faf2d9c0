"""Block times without hashes, and who mined each block (the ``block_pools`` table).

``block_pools`` (migration 0002) holds one row per attributed height: ``pool_slug``
(``"unknown"`` when nothing matched), the evidence (``basis``), the coinbase text, the tag
and payout address that matched, the pool the address belongs to when it differs, the
hash of the block whose coinbase was read (None for an attribution file) and the source.
There is no foreign key to ``blocks``: an attribution may arrive before its block, and
the reports join on height.

Precedence: an attribution read from a block's own coinbase (``block_hash`` set) is
first-hand and is not replaced by a file's; a file's replaces an earlier file's; a
coinbase reading replaces an earlier one (a reorg deletes those of the stale blocks).
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported by the loaders only: imports and syncs start faster
    import numpy as np

from ..records import BlockPool
from ._block_days import bulk_block_inserts
from .repo import BLOCKS_PER_EPOCH, WriteCounts, fill_block_bits

_POOL_COLUMNS = tuple(f.name for f in fields(BlockPool))
_pool_row = attrgetter(*_POOL_COLUMNS)


@dataclass(frozen=True)
class BlockTimeCounts:
    """What :func:`upsert_block_times` did.

    ``kept_hashed`` counts heights already stored with a hash whose time differs from the
    new one: the hashed source's time is kept.
    """

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_hashed: int = 0

    @property
    def counts(self) -> WriteCounts:
        """The same as a :class:`~minerscope.storage.WriteCounts`."""
        return WriteCounts(self.inserted, self.updated, self.unchanged)


def upsert_block_times(
    conn: sqlite3.Connection, heights: Sequence[int], times_s: Sequence[int]
) -> BlockTimeCounts:
    """Store block times without hashes (a block-times or pool attribution file).

    A new height becomes a block row with only its height and time (bits from its epoch
    when stored). A stored row without a hash takes the new time. A stored row with a hash
    keeps its own time (the hashed source wins) and everything else.

    Parameters
    ----------
    heights : sequence of int
        Block heights, each once. [blocks]
    times_s : sequence of int
        Their header timestamps. [Unix s]
    """
    if len(heights) != len(times_s):
        raise ValueError("heights and times_s differ in length")
    if not heights:
        return BlockTimeCounts()
    lo, hi = int(min(heights)), int(max(heights))
    stored = {
        int(h): (x is not None, int(t))
        for h, x, t in conn.execute(
            "SELECT height, hash, time_s FROM blocks WHERE height BETWEEN ? AND ?", (lo, hi)
        )
    }
    new: list[tuple[int, int]] = []
    changed: list[tuple[int, int]] = []
    unchanged = kept = 0
    for h, t in zip(heights, times_s, strict=True):
        old = stored.get(int(h))
        if old is None:
            new.append((int(h), int(t)))
        elif old[1] == t:
            unchanged += 1
        elif old[0]:
            unchanged += 1
            kept += 1
        else:
            changed.append((int(t), int(h)))
    with bulk_block_inserts(conn, [t for _, t in new]):
        conn.executemany("INSERT INTO blocks (height, time_s) VALUES (?, ?)", new)
    conn.executemany("UPDATE blocks SET time_s = ? WHERE height = ? AND hash IS NULL", changed)
    fill_block_bits(conn, lo, hi)
    return BlockTimeCounts(len(new), len(changed), unchanged, kept)


def upsert_block_pools(conn: sqlite3.Connection, rows: Sequence[BlockPool]) -> WriteCounts:
    """Insert or update pool attributions keyed on height (see the module's precedence).

    A file row (``block_hash`` None) for a height attributed from its coinbase is left
    as it is and counted as unchanged.
    """
    if not rows:
        return WriteCounts()
    lo = min(r.height for r in rows)
    hi = max(r.height for r in rows)
    stored = {
        int(r[0]): tuple(r[1:])
        for r in conn.execute(
            f"SELECT height, {', '.join(_POOL_COLUMNS[1:])} FROM block_pools"
            " WHERE height BETWEEN ? AND ?",
            (lo, hi),
        )
    }
    new: list[tuple[object, ...]] = []
    changed: list[tuple[object, ...]] = []
    unchanged = 0
    for r in rows:
        values = _pool_row(r)
        old = stored.get(r.height)
        if old is None:
            new.append(values)
        elif old == values[1:] or (r.block_hash is None and old[-1] is not None):
            unchanged += 1
        else:
            changed.append(values)
    cols = ", ".join(_POOL_COLUMNS)
    marks = ", ".join("?" for _ in _POOL_COLUMNS)
    conn.executemany(f"INSERT INTO block_pools ({cols}) VALUES ({marks})", new)
    conn.executemany(f"INSERT OR REPLACE INTO block_pools ({cols}) VALUES ({marks})", changed)
    return WriteCounts(len(new), len(changed), unchanged)


def upsert_file_pools(
    conn: sqlite3.Connection, heights: Sequence[int], slugs: Sequence[str], *, source: str
) -> WriteCounts:
    """:func:`upsert_block_pools` for an attribution file's rows (basis ``file``), fast.

    Same precedence: a height attributed from its own coinbase is left as it is.
    """
    if len(heights) != len(slugs):
        raise ValueError("heights and slugs differ in length")
    if not heights:
        return WriteCounts()
    lo, hi = int(min(heights)), int(max(heights))
    stored = {
        int(h): (s, b, src, x is not None)
        for h, s, b, src, x in conn.execute(
            "SELECT height, pool_slug, basis, source, block_hash FROM block_pools"
            " WHERE height BETWEEN ? AND ?",
            (lo, hi),
        )
    }
    if not stored:
        conn.executemany(
            "INSERT INTO block_pools (height, pool_slug, basis, source) VALUES (?, ?, 'file', ?)",
            zip(heights, slugs, itertools.repeat(source)),
        )
        return WriteCounts(len(heights), 0, 0)
    new: list[tuple[int, str, str]] = []
    changed: list[tuple[int, str, str]] = []
    unchanged = 0
    for h, slug in zip(heights, slugs, strict=True):
        old = stored.get(h)
        if old is None:
            new.append((h, slug, source))
        elif old[3] or old[:3] == (slug, "file", source):
            unchanged += 1
        else:
            changed.append((h, slug, source))
    conn.executemany(
        "INSERT INTO block_pools (height, pool_slug, basis, source) VALUES (?, ?, 'file', ?)", new
    )
    conn.executemany(
        "INSERT OR REPLACE INTO block_pools (height, pool_slug, basis, source)"
        " VALUES (?, ?, 'file', ?)",
        changed,
    )
    return WriteCounts(len(new), len(changed), unchanged)


def block_pool(conn: sqlite3.Connection, height: int) -> BlockPool | None:
    """The stored attribution of one height, or None."""
    row = conn.execute(
        f"SELECT {', '.join(_POOL_COLUMNS)} FROM block_pools WHERE height = ?", (height,)
    ).fetchone()
    return None if row is None else BlockPool(*row)


def load_block_pools(
    conn: sqlite3.Connection, *, from_height: int = 0, to_height: int | None = None
) -> list[BlockPool]:
    """Stored attributions of ``from_height`` to ``to_height`` inclusive, by height."""
    rows = conn.execute(
        f"SELECT {', '.join(_POOL_COLUMNS)} FROM block_pools WHERE height BETWEEN ? AND ?"
        " ORDER BY height",
        (from_height, 2**62 if to_height is None else to_height),
    ).fetchall()
    return [BlockPool(*r) for r in rows]


def block_pool_count(conn: sqlite3.Connection) -> int:
    """Rows in ``block_pools``."""
    return int(conn.execute("SELECT COUNT(*) FROM block_pools").fetchone()[0])


@dataclass(frozen=True)
class PoolWindow:
    """The blocks with ``start_s < time_s <= end_s``, in height order, with their pools.

    ``pool_slugs`` holds None for a block without an attribution; ``fees_sat`` is -1 where
    the block's fees are not stored; ``bits`` is the block's compact target (its own, else
    its epoch's; 0 when neither is stored).
    """

    heights: np.ndarray
    times_s: np.ndarray
    pool_slugs: list[str | None]
    fees_sat: np.ndarray
    bits: np.ndarray


def pool_window(conn: sqlite3.Connection, start_s: int, end_s: int) -> PoolWindow:
    """Blocks timestamped in ``(start_s, end_s]`` with their attributions, fees and bits."""
    import numpy as np

    rows = conn.execute(
        "SELECT b.height, b.time_s, p.pool_slug, b.fees_sat, COALESCE(b.bits, e.bits)"
        " FROM blocks b LEFT JOIN block_pools p ON p.height = b.height"
        " LEFT JOIN epochs e ON e.epoch = b.height / ?"
        " WHERE b.time_s > ? AND b.time_s <= ? ORDER BY b.height",
        (BLOCKS_PER_EPOCH, start_s, end_s),
    ).fetchall()
    n = len(rows)
    return PoolWindow(
        heights=np.fromiter((r[0] for r in rows), dtype=np.int64, count=n),
        times_s=np.fromiter((r[1] for r in rows), dtype=np.int64, count=n),
        pool_slugs=[r[2] for r in rows],
        fees_sat=np.fromiter((-1 if r[3] is None else r[3] for r in rows), dtype=np.int64, count=n),
        bits=np.fromiter((r[4] or 0 for r in rows), dtype=np.int64, count=n),
    )


def pool_counts_between(conn: sqlite3.Connection, start_s: int, end_s: int) -> dict[str, int]:
    """Attributed blocks per pool slug among blocks timestamped in ``(start_s, end_s]``."""
    rows = conn.execute(
        "SELECT p.pool_slug, COUNT(*) FROM blocks b JOIN block_pools p ON p.height = b.height"
        " WHERE b.time_s > ? AND b.time_s <= ? GROUP BY p.pool_slug",
        (start_s, end_s),
    ).fetchall()
    return {str(s): int(n) for s, n in rows}


def block_count_between(conn: sqlite3.Connection, start_s: int, end_s: int) -> int:
    """Stored blocks timestamped in ``(start_s, end_s]``. [blocks]"""
    row = conn.execute(
        "SELECT COUNT(*) FROM blocks WHERE time_s > ? AND time_s <= ?", (start_s, end_s)
    ).fetchone()
    return int(row[0])
