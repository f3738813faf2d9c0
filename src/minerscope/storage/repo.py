"""Idempotent upserts and as-of loads. The only module (with ``migrations``) that holds SQL.

Writes never commit by themselves: callers wrap them in :func:`storage.transaction`, so an
import or a sync batch lands whole or not at all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import astuple, dataclass, fields
from operator import attrgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas is imported by the loaders only: imports and syncs start faster
    import numpy as np
    import pandas as pd

from ..errors import ConflictError
from ..records import BlockRecord, DailyRecord, EpochRecord, PriceRecord
from ._block_days import bulk_block_inserts

BLOCKS_PER_EPOCH = 2016
_BLOCK_COLUMNS = tuple(f.name for f in fields(BlockRecord))
_DAILY_COLUMNS = tuple(f.name for f in fields(DailyRecord))
# attrgetter builds the row tuples several times faster than dataclasses.astuple.
_block_row = attrgetter(*_BLOCK_COLUMNS)
_daily_row = attrgetter(*_DAILY_COLUMNS)
_price_row = attrgetter("source", "time_s", "price_usd")


@dataclass(frozen=True)
class WriteCounts:
    """What an upsert did: rows new to the table, rows changed, rows already identical."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: WriteCounts) -> WriteCounts:
        return WriteCounts(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )


def _changes(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT total_changes()").fetchone()[0])


# --- blocks ---------------------------------------------------------------------------


def upsert_blocks(conn: sqlite3.Connection, rows: Sequence[BlockRecord]) -> WriteCounts:
    """Insert or update blocks keyed on height; fill missing bits from the epochs table.

    A field the new row leaves empty (None) keeps its stored value. Raises
    :class:`ConflictError` (with the height as ``key``) for a height stored with another
    hash (a reorg is repaired by :func:`delete_blocks_from` first, never by overwriting), a
    hash stored at another height, a time or bits that differ from the stored block's
    (the same hash is the same header), and bits that contradict the stored epoch's.

    A row without a hash ("hash unknown": a block-times file) never conflicts: a hashed
    row later fills the hash in, and where both give a time, the hashed source's time
    wins (a hash-less row does not change a hashed block's time).
    """
    if not rows:
        return WriteCounts()
    return upsert_block_columns(conn, {c: [getattr(r, c) for r in rows] for c in _BLOCK_COLUMNS})


def epoch_end_hashes(conn: sqlite3.Connection, lo: int, hi: int) -> dict[int, str]:
    """Stored last-block hashes of the epochs ending between heights ``lo`` and ``hi``,
    keyed by that last height."""
    return {
        int(e) * BLOCKS_PER_EPOCH + BLOCKS_PER_EPOCH - 1: str(h)
        for e, h in conn.execute(
            "SELECT epoch, end_hash FROM epochs WHERE end_hash IS NOT NULL"
            " AND epoch BETWEEN ? AND ?",
            ((lo - BLOCKS_PER_EPOCH + 1) // BLOCKS_PER_EPOCH, hi // BLOCKS_PER_EPOCH),
        )
    }


def _epoch_rows(conn: sqlite3.Connection, lo: int, hi: int) -> dict[int, int]:
    return {
        int(e): int(b)
        for e, b in conn.execute(
            "SELECT epoch, bits FROM epochs WHERE epoch BETWEEN ? AND ?",
            (lo // BLOCKS_PER_EPOCH, hi // BLOCKS_PER_EPOCH),
        )
    }


def upsert_block_columns(
    conn: sqlite3.Connection, data: Mapping[str, Sequence[Any]]
) -> WriteCounts:
    """:func:`upsert_blocks` for blocks given as columns (the import's fast path).

    ``data`` maps fields of :class:`~minerscope.records.BlockRecord` (at least ``height``,
    ``hash`` and ``time_s``) to equal-length sequences; a None value keeps the stored
    one. Rows new to the table are inserted with their epoch's bits; stored rows are
    rewritten only where a value differs, so importing a file again writes nothing.
    """
    heights = data["height"]
    n = len(heights)
    if n == 0:
        return WriteCounts()
    cols = tuple(data)
    hashes, times = data["hash"], data["time_s"]
    given_bits = data.get("bits")
    lo, hi = int(min(heights)), int(max(heights))
    epochs = _epoch_rows(conn, lo, hi)
    if epochs and given_bits is not None:
        for height, bits in zip(heights, given_bits, strict=True):
            want = epochs.get(height // BLOCKS_PER_EPOCH)
            if bits is not None and want is not None and bits != want:
                raise ConflictError(
                    f"block {height} has bits {bits:08x} but its epoch"
                    f" {height // BLOCKS_PER_EPOCH} is stored with bits {want:08x}",
                    key=int(height),
                    field="bits",
                )
    stored = {
        int(r[0]): r
        for r in conn.execute(
            f"SELECT {', '.join(_BLOCK_COLUMNS)} FROM blocks WHERE height BETWEEN ? AND ?",
            (lo, hi),
        )
    }
    new: list[int] | None = None  # indices of the rows new to the table (None: all)
    changed: list[tuple[Any, ...]] = []
    if stored:
        new = []
        pos = [_BLOCK_COLUMNS.index(c) for c in cols]
        columns = [data[c] for c in cols]
        time_pos = cols.index("time_s")
        for i, height in enumerate(heights):
            old = stored.get(height)
            if old is None:
                new.append(i)
                continue
            if old[1] is not None and hashes[i] is not None:  # both hashed: one header
                _same_block(
                    height, old, hashes[i], times[i], None if given_bits is None else given_bits[i]
                )
            row = tuple(col[i] for col in columns)
            keep_time = hashes[i] is None and old[1] is not None  # the hashed time wins
            if any(
                v is not None and v != old[j] and not (keep_time and k == time_pos)
                for k, (v, j) in enumerate(zip(row, pos, strict=True))
            ):
                changed.append(row)
    inserted = n if new is None else len(new)
    if inserted:
        _insert_new_blocks(
            conn, data if new is None else {c: [data[c][i] for i in new] for c in cols}, epochs
        )
    if changed:
        new_value = {
            c: f"COALESCE(excluded.{c}, blocks.{c})"
            for c in cols
            if c not in ("height", "hash", "time_s")
        }
        new_value["hash"] = "COALESCE(blocks.hash, excluded.hash)"  # fills an unknown hash
        new_value["time_s"] = (
            "CASE WHEN excluded.hash IS NULL AND blocks.hash IS NOT NULL"
            " THEN blocks.time_s ELSE excluded.time_s END"
        )
        sets = ", ".join(f"{c} = {v}" for c, v in new_value.items())
        conn.executemany(
            f"INSERT INTO blocks ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
            f" ON CONFLICT (height) DO UPDATE SET {sets}",
            changed,
        )
    if stored and any(old[4] is None for old in stored.values()):
        fill_block_bits(conn, lo, hi)
    return WriteCounts(inserted, len(changed), n - inserted - len(changed))


def _same_block(
    height: int, old: tuple[Any, ...], block_hash: str | None, time_s: int, bits: int | None
) -> None:
    """Refuse a row that contradicts the stored block at its height."""
    if old[1] != block_hash:
        raise ConflictError(
            f"block {height} is stored with hash {old[1]}, not {block_hash}",
            key=height,
            field="blockhash",
        )
    if old[2] != time_s:
        raise ConflictError(
            f"block {height} ({block_hash}) is stored with time {old[2]}, not {time_s}:"
            " the same block has one time",
            key=height,
            field="time",
        )
    if bits is not None and old[4] is not None and old[4] != bits:
        raise ConflictError(
            f"block {height} is stored with bits {old[4]:08x}, not {bits:08x}",
            key=height,
            field="bits",
        )


def _insert_new_blocks(
    conn: sqlite3.Connection, data: Mapping[str, Sequence[Any]], epochs: dict[int, int]
) -> None:
    columns = dict(data)
    if epochs:  # blocks without bits take their epoch's
        heights = columns["height"]
        given = columns.get("bits")
        if given is None:
            columns["bits"] = [epochs.get(h // BLOCKS_PER_EPOCH) for h in heights]
        else:
            columns["bits"] = [
                b if b is not None else epochs.get(h // BLOCKS_PER_EPOCH)
                for h, b in zip(heights, given, strict=True)
            ]
    cols = tuple(columns)
    try:
        with bulk_block_inserts(conn, columns["time_s"]):
            conn.executemany(
                f"INSERT INTO blocks ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})",
                zip(*(columns[c] for c in cols), strict=True),
            )
    except sqlite3.IntegrityError as exc:
        for height, block_hash in zip(columns["height"], columns["hash"], strict=True):
            other = conn.execute(
                "SELECT height FROM blocks WHERE hash = ? AND height != ?", (block_hash, height)
            ).fetchone()
            if other is not None:
                raise ConflictError(
                    f"block hash {block_hash} is already stored at height {other[0]}",
                    key=int(height),
                    field="blockhash",
                ) from exc
        raise ConflictError(f"block rows violate a constraint: {exc}") from exc


def fill_block_bits(conn: sqlite3.Connection, lo: int = 0, hi: int | None = None) -> int:
    """Set the bits of stored blocks that have none from their epoch's row; return rows set."""
    cur = conn.execute(
        "UPDATE blocks SET bits = (SELECT e.bits FROM epochs e WHERE e.epoch = blocks.height / ?)"
        " WHERE bits IS NULL AND height BETWEEN ? AND ?"
        " AND EXISTS (SELECT 1 FROM epochs e WHERE e.epoch = blocks.height / ?)",
        (BLOCKS_PER_EPOCH, lo, hi if hi is not None else 2**62, BLOCKS_PER_EPOCH),
    )
    return cur.rowcount  # this statement's rows only (not the block_days triggers')


def prepare_for_sync_writes(conn: sqlite3.Connection) -> None:
    """Settings of this connection for a long run of batch commits (a sync).

    A 64 MiB page cache, so the pages of the block-hash index (random order: every batch
    touches ~1 page per block) stay in memory, and a WAL checkpoint every ~40 MiB
    instead of every ~4 MiB (one per batch of 1,000 blocks otherwise), the WAL file being
    cut back to 64 MiB after each. Durability is unchanged (WAL, ``synchronous=NORMAL``).
    """
    conn.execute("PRAGMA cache_size = -65536")
    conn.execute("PRAGMA wal_autocheckpoint = 10000")
    conn.execute("PRAGMA journal_size_limit = 67108864")


def blocks_without_bits(conn: sqlite3.Connection) -> int:
    """Stored blocks whose bits are unknown (no bits of their own and no stored epoch)."""
    return int(conn.execute("SELECT COUNT(*) FROM blocks WHERE bits IS NULL").fetchone()[0])


def delete_blocks_from(conn: sqlite3.Connection, height: int) -> int:
    """Delete every hashed block at or above ``height`` (reorg repair); return rows deleted.

    Blocks known by height and time only (no hash) claim no chain and stay: the repair's
    hashed rows overwrite their times. Pool attributions read from the coinbase of a
    deleted block go with it; those from an attribution file stay.
    """
    cur = conn.execute("DELETE FROM blocks WHERE height >= ? AND hash IS NOT NULL", (height,))
    conn.execute("DELETE FROM block_pools WHERE height >= ? AND block_hash IS NOT NULL", (height,))
    return cur.rowcount


def block_hashes(conn: sqlite3.Connection, lo: int, hi: int) -> dict[int, str]:
    """Stored hashes of heights ``lo`` to ``hi`` inclusive (blocks without a hash left out)."""
    q = (
        "SELECT height, hash FROM blocks WHERE height BETWEEN ? AND ? AND hash IS NOT NULL"
        " ORDER BY height"
    )
    return {int(h): str(x) for h, x in conn.execute(q, (lo, hi))}


def block_heads(conn: sqlite3.Connection, lo: int, hi: int) -> list[tuple[int, str, int]]:
    """(height, hash, time_s) of the stored hashed blocks ``lo`` to ``hi`` inclusive, in order."""
    q = (
        "SELECT height, hash, time_s FROM blocks WHERE height BETWEEN ? AND ?"
        " AND hash IS NOT NULL ORDER BY height"
    )
    return [(int(h), str(x), int(t)) for h, x, t in conn.execute(q, (lo, hi))]


def max_block_height(conn: sqlite3.Connection) -> int | None:
    """Highest stored height, or None for an empty table."""
    row = conn.execute("SELECT MAX(height) FROM blocks").fetchone()
    return None if row[0] is None else int(row[0])


def max_hashed_height(conn: sqlite3.Connection) -> int | None:
    """Highest stored height whose hash is known (where a block sync continues), or None."""
    row = conn.execute("SELECT MAX(height) FROM blocks WHERE hash IS NOT NULL").fetchone()
    return None if row[0] is None else int(row[0])


def max_block_time_s(conn: sqlite3.Connection) -> int | None:
    """Latest block timestamp stored (not always the tip's: timestamps are not monotone)."""
    row = conn.execute("SELECT MAX(time_s) FROM blocks").fetchone()
    return None if row[0] is None else int(row[0])


def tip_height_at(conn: sqlite3.Connection, time_s: int) -> int | None:
    """Highest stored height whose block time is at or before ``time_s``."""
    row = conn.execute("SELECT MAX(height) FROM blocks WHERE time_s <= ?", (time_s,)).fetchone()
    return None if row[0] is None else int(row[0])


def block_row(conn: sqlite3.Connection, height: int) -> BlockRecord | None:
    """One stored block (bits filled from its epoch when the row has none)."""
    q = (
        "SELECT b.height, b.hash, b.time_s, b.median_time_s,"
        " COALESCE(b.bits, (SELECT e.bits FROM epochs e WHERE e.epoch = b.height / ?)),"
        " b.prev_hash, b.chainwork_hex, b.fees_sat, b.subsidy_sat, b.tx_count,"
        " b.size_bytes, b.weight_wu FROM blocks b WHERE b.height = ?"
    )
    row = conn.execute(q, (BLOCKS_PER_EPOCH, height)).fetchone()
    return None if row is None else BlockRecord(*row)


def hashed_block_row(conn: sqlite3.Connection, height: int) -> BlockRecord | None:
    """:func:`block_row` when the block's hash is known, else None (nothing to link to)."""
    row = block_row(conn, height)
    return row if row is not None and row.hash is not None else None


def load_blocks(
    conn: sqlite3.Connection, *, from_height: int | None = None, to_height: int | None = None
) -> pd.DataFrame:
    """Stored blocks from ``from_height`` to ``to_height`` inclusive, indexed by height.

    Columns use our names (``time_s``, ``bits``, ``fees_sat`` ...); ``bits`` is filled
    from the epochs table where the block row has none. Nullable integer columns use
    pandas' ``Int64`` dtype.
    """
    import pandas as pd

    q = (
        "SELECT b.height, b.hash, b.time_s, b.median_time_s,"
        " COALESCE(b.bits, (SELECT e.bits FROM epochs e WHERE e.epoch = b.height / ?)) AS bits,"
        " b.fees_sat, b.subsidy_sat, b.tx_count, b.size_bytes, b.weight_wu"
        " FROM blocks b WHERE b.height BETWEEN ? AND ? ORDER BY b.height"
    )
    lo = 0 if from_height is None else from_height
    hi = 2**62 if to_height is None else to_height
    rows = conn.execute(q, (BLOCKS_PER_EPOCH, lo, hi)).fetchall()
    columns = [
        "height", "hash", "time_s", "median_time_s", "bits",
        "fees_sat", "subsidy_sat", "tx_count", "size_bytes", "weight_wu",
    ]  # fmt: skip
    frame = pd.DataFrame.from_records(rows, columns=columns)
    for c in columns:
        if c != "hash":
            frame[c] = frame[c].astype("Int64")
    return frame.set_index("height")


# --- epochs ---------------------------------------------------------------------------


def upsert_epochs(conn: sqlite3.Connection, rows: Iterable[EpochRecord]) -> WriteCounts:
    """Insert or update epochs keyed on the epoch index.

    Raises :class:`ConflictError` (the epoch as ``key``) for an epoch stored with other
    bits or start, a last block hash that differs from the stored block's at that height,
    and bits that contradict a stored block's (the message names the block: it came from
    an earlier import). A new last block hash replaces the stored one (a sync rewrites it
    after a reorg). Stored blocks without bits get their epoch's.
    """
    rows = list(rows)
    if not rows:
        return WriteCounts()
    stored = {int(e): (int(s), int(b), h) for e, s, b, h in conn.execute(
        "SELECT epoch, start_height, bits, end_hash FROM epochs")}  # fmt: skip
    for r in rows:
        old = stored.get(r.epoch)
        if old is not None and old[:2] != (r.start_height, r.bits):
            raise ConflictError(
                f"epoch {r.epoch} is stored with start {old[0]} and bits {old[1]:08x},"
                f" not start {r.start_height} and bits {r.bits:08x}",
                key=r.epoch,
                field="bits",
            )
        if r.end_hash is not None:
            last = r.start_height + BLOCKS_PER_EPOCH - 1
            row = conn.execute("SELECT hash FROM blocks WHERE height = ?", (last,)).fetchone()
            if row is not None and row[0] is not None and row[0] != r.end_hash:
                raise ConflictError(
                    f"epoch {r.epoch}'s last block hash {r.end_hash} is not the hash of the"
                    f" stored block {last} ({row[0]}, from an earlier import)",
                    key=r.epoch,
                    field="end_hash",
                )
    inserted = sum(1 for e in {r.epoch for r in rows} if e not in stored)
    before = _changes(conn)
    conn.executemany(
        "INSERT INTO epochs (epoch, start_height, bits, end_hash) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (epoch) DO UPDATE SET end_hash = COALESCE(excluded.end_hash, epochs.end_hash)"
        " WHERE epochs.end_hash IS NOT COALESCE(excluded.end_hash, epochs.end_hash)",
        (astuple(r) for r in rows),
    )
    updated = _changes(conn) - before - inserted
    # Only the blocks of the epochs written can disagree with them (upsert_blocks checks
    # blocks against stored epochs): a range scan per epoch, never the whole table.
    for r in rows:
        first, last = r.epoch * BLOCKS_PER_EPOCH, (r.epoch + 1) * BLOCKS_PER_EPOCH - 1
        bad = conn.execute(
            "SELECT height, bits FROM blocks WHERE height BETWEEN ? AND ?"
            " AND bits IS NOT NULL AND bits != ? LIMIT 1",
            (first, last, r.bits),
        ).fetchone()
        if bad is not None:
            raise ConflictError(
                f"epoch {r.epoch}'s bits {r.bits:08x} contradict the bits {bad[1]:08x} of the"
                f" stored block {bad[0]} (from an earlier import): if this file is right, that"
                " block's row is wrong",
                key=r.epoch,
                field="bits",
            )
        fill_block_bits(conn, first, last)
    return WriteCounts(inserted, updated, len(rows) - inserted - updated)


def epoch_records(conn: sqlite3.Connection) -> list[EpochRecord]:
    """Every stored epoch, in epoch order (no pandas: for the sync)."""
    return [
        EpochRecord(int(e), int(s), int(b), None if h is None else str(h))
        for e, s, b, h in conn.execute(
            "SELECT epoch, start_height, bits, end_hash FROM epochs ORDER BY epoch"
        )
    ]


def delete_epochs_between(conn: sqlite3.Connection, first_epoch: int, last_epoch: int) -> int:
    """Delete epochs ``first_epoch`` to ``last_epoch`` inclusive (reorg repair); return rows."""
    cur = conn.execute("DELETE FROM epochs WHERE epoch BETWEEN ? AND ?", (first_epoch, last_epoch))
    return cur.rowcount


def load_epochs(conn: sqlite3.Connection) -> pd.DataFrame:
    """All stored epochs indexed by epoch: ``start_height``, ``bits``, ``end_hash``."""
    import pandas as pd

    rows = conn.execute(
        "SELECT epoch, start_height, bits, end_hash FROM epochs ORDER BY epoch"
    ).fetchall()
    frame = pd.DataFrame.from_records(rows, columns=["epoch", "start_height", "bits", "end_hash"])
    return frame.set_index("epoch")


def epoch_bits(conn: sqlite3.Connection, epoch: int) -> int | None:
    """Compact target of one epoch, or None when not stored."""
    row = conn.execute("SELECT bits FROM epochs WHERE epoch = ?", (epoch,)).fetchone()
    return None if row is None else int(row[0])


# --- daily rows -----------------------------------------------------------------------


def upsert_daily(conn: sqlite3.Connection, rows: Sequence[DailyRecord]) -> WriteCounts:
    """Insert or update daily rows keyed on date; a None field keeps the stored value."""
    if not rows:
        return WriteCounts()
    dates = [r.date for r in rows]
    stored = {
        str(d)
        for (d,) in conn.execute(
            "SELECT date FROM daily WHERE date BETWEEN ? AND ?", (min(dates), max(dates))
        )
    }
    inserted = sum(1 for d in set(dates) if d not in stored)
    data_cols = [c for c in _DAILY_COLUMNS if c != "date"]
    sets = ", ".join(f"{c} = COALESCE(excluded.{c}, daily.{c})" for c in data_cols)
    differs = " OR ".join(f"daily.{c} IS NOT COALESCE(excluded.{c}, daily.{c})" for c in data_cols)
    before = _changes(conn)
    conn.executemany(
        f"INSERT INTO daily ({', '.join(_DAILY_COLUMNS)}) VALUES"
        f" ({', '.join('?' for _ in _DAILY_COLUMNS)})"
        f" ON CONFLICT (date) DO UPDATE SET {sets} WHERE {differs}",
        (_daily_row(r) for r in rows),
    )
    updated = _changes(conn) - before - inserted
    return WriteCounts(inserted, updated, len(rows) - inserted - updated)


def load_daily(
    conn: sqlite3.Connection, *, from_date: str | None = None, to_date: str | None = None
) -> pd.DataFrame:
    """Daily rows from ``from_date`` to ``to_date`` inclusive (YYYY-MM-DD).

    Indexed by a UTC ``DatetimeIndex`` named ``date``; columns ``blocks``,
    ``difficulty``, ``issuance_sat``, ``fees_sat``, ``price_usd``, ``source``.
    """
    import pandas as pd

    rows = conn.execute(
        "SELECT date, blocks, difficulty, issuance_sat, fees_sat, price_usd, source FROM daily"
        " WHERE date BETWEEN ? AND ? ORDER BY date",
        (from_date or "0000-00-00", to_date or "9999-99-99"),
    ).fetchall()
    frame = pd.DataFrame.from_records(rows, columns=list(_DAILY_COLUMNS))
    for c in ("blocks", "issuance_sat", "fees_sat"):
        frame[c] = frame[c].astype("Int64")
    for c in ("difficulty", "price_usd"):
        frame[c] = frame[c].astype("float64")
    frame["date"] = pd.to_datetime(frame["date"], utc=True)
    return frame.set_index("date")


def last_daily_date(conn: sqlite3.Connection, *, on_or_before: str | None = None) -> str | None:
    """Latest stored date (YYYY-MM-DD), optionally not after ``on_or_before``."""
    row = conn.execute(
        "SELECT MAX(date) FROM daily WHERE date <= ?", (on_or_before or "9999-99-99",)
    ).fetchone()
    return None if row[0] is None else str(row[0])


# --- prices ---------------------------------------------------------------------------


def upsert_prices(conn: sqlite3.Connection, rows: Sequence[PriceRecord]) -> WriteCounts:
    """Insert or update prices keyed on (source, time_s)."""
    if not rows:
        return WriteCounts()
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS _new_prices (source TEXT, time_s INTEGER)")
    conn.execute("DELETE FROM _new_prices")
    conn.executemany("INSERT INTO _new_prices VALUES (?, ?)", ((r.source, r.time_s) for r in rows))
    new_keys = conn.execute(
        "SELECT COUNT(*) FROM (SELECT DISTINCT n.source, n.time_s FROM _new_prices n"
        " LEFT JOIN prices p ON p.source = n.source AND p.time_s = n.time_s"
        " WHERE p.source IS NULL)"
    ).fetchone()[0]
    conn.execute("DELETE FROM _new_prices")
    before = _changes(conn)
    conn.executemany(
        "INSERT INTO prices (source, time_s, price_usd) VALUES (?, ?, ?)"
        " ON CONFLICT (source, time_s) DO UPDATE SET price_usd = excluded.price_usd"
        " WHERE prices.price_usd IS NOT excluded.price_usd",
        (_price_row(r) for r in rows),
    )
    inserted = int(new_keys)
    updated = _changes(conn) - before - inserted
    return WriteCounts(inserted, updated, len(rows) - inserted - updated)


def latest_price(conn: sqlite3.Connection, time_s: int) -> PriceRecord | None:
    """The most recent price at or before ``time_s`` across sources.

    On a tie in time, Coin Metrics' multi-exchange reference rate wins, then source name.
    """
    row = conn.execute(
        "SELECT source, time_s, price_usd FROM prices WHERE time_s <= ?"
        " ORDER BY time_s DESC, source != 'coinmetrics', source LIMIT 1",
        (time_s,),
    ).fetchone()
    return None if row is None else PriceRecord(str(row[0]), int(row[1]), float(row[2]))


def load_prices(
    conn: sqlite3.Connection,
    *,
    source: str | None = None,
    from_time_s: int | None = None,
    to_time_s: int | None = None,
) -> pd.DataFrame:
    """Prices in a time range, columns ``source``, ``time_s``, ``price_usd``, oldest first."""
    import pandas as pd

    q = "SELECT source, time_s, price_usd FROM prices WHERE time_s BETWEEN ? AND ?"
    args: list[object] = [from_time_s or -(2**62), 2**62 if to_time_s is None else to_time_s]
    if source is not None:
        q += " AND source = ?"
        args.append(source)
    rows = conn.execute(q + " ORDER BY time_s, source", args).fetchall()
    return pd.DataFrame.from_records(rows, columns=["source", "time_s", "price_usd"])


def price_sources(conn: sqlite3.Connection) -> list[str]:
    """Names of the price sources stored."""
    return [str(s) for (s,) in conn.execute("SELECT DISTINCT source FROM prices ORDER BY source")]


# --- summary --------------------------------------------------------------------------


def table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Row counts of the data tables."""
    return {
        t: int(conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0])
        for t in ("blocks", "epochs", "daily", "prices")
    }


def block_range(conn: sqlite3.Connection) -> tuple[int, int] | None:
    """Lowest and highest stored height, or None."""
    row = conn.execute("SELECT MIN(height), MAX(height) FROM blocks").fetchone()
    return None if row[0] is None else (int(row[0]), int(row[1]))


def block_time_rows(conn: sqlite3.Connection, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    """Heights and times of the stored blocks from ``lo`` to ``hi``, by height. [Unix s]"""
    import numpy as np

    rows = conn.execute(
        "SELECT height, time_s FROM blocks WHERE height BETWEEN ? AND ? ORDER BY height", (lo, hi)
    ).fetchall()
    data = np.array(rows, dtype=np.int64).reshape(-1, 2)
    return data[:, 0], data[:, 1]


def epoch_bits_between(conn: sqlite3.Connection, lo: int, hi: int) -> list[tuple[int, int]]:
    """(epoch, bits) of the stored epochs ``lo`` to ``hi`` inclusive."""
    q = "SELECT epoch, bits FROM epochs WHERE epoch BETWEEN ? AND ? ORDER BY epoch"
    return [(int(e), int(b)) for e, b in conn.execute(q, (lo, hi))]


def block_times(conn: sqlite3.Connection, heights: Sequence[int]) -> dict[int, int]:
    """Block times of the given heights that are stored. [Unix s]"""
    out: dict[int, int] = {}
    for h in heights:
        row = conn.execute("SELECT time_s FROM blocks WHERE height = ?", (h,)).fetchone()
        if row is not None:
            out[h] = int(row[0])
    return out
