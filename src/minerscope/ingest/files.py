"""Offline import: a file's records into the database in one transaction, streamed.

An import reads, validates and writes a file a block of lines at a time, all inside ONE
transaction: memory stays flat whatever the file's size, and a bad line anywhere (the
last one included) leaves the database exactly as it was. Importing the same file twice
changes nothing the second time. The report of an import is complete before its commit,
so nothing that runs after the commit can fail it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from .. import storage
from ..errors import ConflictError, InputError
from ..records import DailyRecord
from ..sources import files as readers
from ..sources import limits
from ..sources._textfile import TextFile
from ..sources.blockstats import MISSING, BlockRows, BlockstatsFile, check_rows
from ..sources.files import Located
from ..storage import WriteCounts
from ._checks import EpochBits, SeenKeys, TimeRule
from .results import ImportResult


@dataclass(frozen=True)
class ImportReport:
    """What one import did."""

    kind: str
    path: str
    rows_read: int
    counts: WriteCounts
    seconds: float
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_result(self) -> ImportResult:
        """The import as the ``import`` and ``quickstart`` documents show it."""
        return ImportResult(
            kind=self.kind,
            path=self.path,
            rows_read=self.rows_read,
            inserted=self.counts.inserted,
            updated=self.counts.updated,
            unchanged=self.counts.unchanged,
            duration_s=round(self.seconds, 3),
            notes=tuple(self.notes),
        )


def _conflict_at(exc: ConflictError, path: Path, where: Located | None) -> ConflictError:
    line = where.line if where is not None else exc.line
    reason = exc.reason if where is None or where.label is None else f"{where.label}: {exc.reason}"
    return ConflictError(reason, key=exc.key, path=str(path), line=line, field=exc.field)


def _repeat(
    keys: SeenKeys,
    located: Sequence[Located],
    key: Callable[[Any], int],
    name: str,
    path: Path,
    what: Callable[[Any], str],
) -> None:
    """Refuse the first record whose ``key`` an earlier line of the file already had."""
    lines = np.array([x.line or 0 for x in located], dtype=np.int64)
    hit = keys.add(np.array([key(x.record) for x in located], dtype=np.int64), lines)
    if hit is not None:
        i, earlier = hit
        raise InputError(
            f"{what(located[i].record)} repeats line {earlier}",
            path=str(path),
            line=located[i].line,
            field=name,
        )


# --- blockstats -----------------------------------------------------------------------


def _as_list(values: np.ndarray) -> list[Any]:
    out: list[Any] = values.tolist()
    if (values == MISSING).any():
        out = [None if v == MISSING else v for v in out]
    return out


def _block_data(rows: BlockRows) -> dict[str, list[Any]]:
    data: dict[str, list[Any]] = {
        "height": rows.height.tolist(),
        "hash": rows.hash,
        "time_s": rows.time_s.tolist(),
    }
    data.update({name: _as_list(values) for name, values in rows.optional.items()})
    if rows.bits is not None:
        data["bits"] = _as_list(rows.bits)
    return data


def _check_epoch_ends(conn: sqlite3.Connection, rows: BlockRows) -> None:
    """The last block of an epoch must have the hash the stored epoch names (Electrum's)."""
    ends = storage.epoch_end_hashes(conn, int(rows.height.min()), int(rows.height.max()))
    if not ends:
        return
    last = limits.EPOCH_BLOCKS - 1
    for i in np.flatnonzero(rows.height % limits.EPOCH_BLOCKS == last).tolist():
        height = int(rows.height[i])
        want = ends.get(height)
        if want is not None and rows.hash[i] != want:
            raise ConflictError(
                f"block {height} ends epoch {height // limits.EPOCH_BLOCKS}, whose stored last"
                f" block hash is {want}, not {rows.hash[i]} (heights shifted, or another chain?)",
                key=height,
                path=str(rows.path),
                line=int(rows.lines[i]),
                field="blockhash",
            )


def import_blockstats(
    conn: sqlite3.Connection, path: str | Path, *, now_s: int | None = None, fast: bool = True
) -> ImportReport:
    """Import a Bitcoin Core ``getblockstats`` CSV (blocks take bits from the epochs table).

    Parameters
    ----------
    conn : sqlite3.Connection
        A database opened for writing.
    path : str or Path
        The CSV file.
    now_s : int, optional
        The wall clock: a block more than 2 h ahead of it is refused (Core's
        ``MAX_FUTURE_BLOCK_TIME``). [Unix s]
    fast : bool
        Decode plain blocks of lines with numpy (False: the strict reader only; the
        result is the same).

    Notes
    -----
    Each line passes :func:`minerscope.sources.blockstats.check_rows`; heights must not
    repeat; block times follow Core's median-time-past rule against the file's and the
    stored neighbours; bits (when given) are one per epoch, match the stored epochs and
    change by at most 4x between epochs; stored blocks and epochs must agree (hash,
    time, last block of an epoch).
    """
    started = time.perf_counter()
    p = Path(path)
    with BlockstatsFile(p) as f, storage.bulk_cache(conn), storage.transaction(conn):
        seen = SeenKeys()
        rule = TimeRule(conn, p)
        epoch_bits = EpochBits(conn)
        counts = WriteCounts()
        n = 0
        for rows in f.chunks(fast=fast):
            check_rows(rows, now_s=now_s)
            hit = seen.add(rows.height, rows.lines)
            if hit is not None:
                i, earlier = hit
                raise rows.fail(i, "height", f"height {rows.height[i]} repeats line {earlier}")
            epoch_bits.check(rows)
            rule.check(rows)
            _check_epoch_ends(conn, rows)
            try:
                counts += storage.upsert_block_columns(conn, _block_data(rows))
            except ConflictError as exc:
                line = None
                if isinstance(exc.key, int):
                    at = np.flatnonzero(rows.height == exc.key)
                    line = int(rows.lines[at[0]]) if at.size else None
                raise ConflictError(
                    exc.reason, key=exc.key, path=str(p), line=line, field=exc.field
                ) from exc
            n += len(rows)
        if n == 0:
            raise InputError("no data rows", path=str(p), line=2)
        rule.finish()
        epoch_bits.finish(
            lambda e, line, why: InputError(why, path=str(p), line=line, field="bits")
        )
        missing = storage.blocks_without_bits(conn)
    notes: tuple[str, ...] = ()
    if missing:
        notes = (
            f"{missing:,} stored blocks have no bits yet: import the epochs"
            " (minerscope import epochs FILE) to fill them",
        )
    return ImportReport("blockstats", str(p), n, counts, time.perf_counter() - started, notes)


# --- epochs ---------------------------------------------------------------------------


def import_epochs(
    conn: sqlite3.Connection, path: str | Path, *, now_s: int | None = None
) -> ImportReport:
    """Import difficulty epochs from Electrum's checkpoints JSON or a per-epoch bits CSV.

    Epochs must not repeat, must agree with the stored epochs and blocks, and each
    epoch's bits must be reachable from its neighbour's by one retarget (at most 4x).
    """
    started = time.perf_counter()
    p = Path(path)
    blocks = readers.read_epochs(p)
    first = next(blocks)  # the header and the first lines are checked before any write
    seen = SeenKeys()
    counts = WriteCounts()
    n = 0
    lo = hi = None
    with storage.transaction(conn):
        for located in _chain(first, blocks):
            _repeat(seen, located, lambda r: r.epoch, "epoch", p, lambda r: f"epoch {r.epoch}")
            _check_stored_end_hashes(conn, p, located)
            try:
                counts += storage.upsert_epochs(conn, readers.records(located))
            except ConflictError as exc:
                where = readers.locate(located, lambda r: r.epoch).get(exc.key)
                raise _conflict_at(exc, p, where) from exc
            n += len(located)
            epochs = [x.record.epoch for x in located]
            lo = min(epochs) if lo is None else min(lo, *epochs)
            hi = max(epochs) if hi is None else max(hi, *epochs)
        assert lo is not None and hi is not None
        _check_transitions(conn, p, seen, lo, hi)
    return ImportReport("epochs", str(p), n, counts, time.perf_counter() - started)


def _check_stored_end_hashes(conn: sqlite3.Connection, p: Path, located: list[Located]) -> None:
    given = [x for x in located if x.record.end_hash is not None]
    if not given:
        return
    lo = min(x.record.start_height for x in given)
    hi = max(x.record.start_height for x in given) + limits.EPOCH_BLOCKS
    stored = storage.epoch_end_hashes(conn, lo, hi)
    for x in given:
        r = x.record
        want = stored.get(r.start_height + limits.EPOCH_BLOCKS - 1)
        if want is not None and want != r.end_hash:
            raise _conflict_at(
                ConflictError(
                    f"epoch {r.epoch} is stored with last block hash {want}, not {r.end_hash}",
                    key=r.epoch,
                    field="end_block_hash",
                ),
                p,
                x,
            )


def _chain(first: list[Located], rest: Iterable[list[Located]]) -> Iterable[list[Located]]:
    yield first
    yield from rest


def _check_transitions(conn: sqlite3.Connection, p: Path, seen: SeenKeys, lo: int, hi: int) -> None:
    from ..consensus import is_permitted_transition

    stored = storage.epoch_bits_between(conn, max(lo - 1, 0), hi + 1)
    for (e0, b0), (e1, b1) in zip(stored, stored[1:], strict=False):
        if e1 != e0 + 1 or is_permitted_transition(e1 * limits.EPOCH_BLOCKS, b0, b1):
            continue
        blamed = e1 if seen.line_of(e1) is not None else e0
        raise InputError(
            f"bits {b1:08x} of epoch {e1} cannot follow {b0:08x} of epoch {e0}: a retarget"
            " changes the target by at most 4x",
            path=str(p),
            line=seen.line_of(blamed) or None,
            field="bits",
        )


# --- daily rows and prices ------------------------------------------------------------


def _day_number(record: DailyRecord) -> int:
    return date.fromisoformat(record.date).toordinal()


def import_daily(
    conn: sqlite3.Connection, path: str | Path, *, now_s: int | None = None
) -> ImportReport:
    """Import daily network rows (Coin Metrics column names); see
    :func:`minerscope.sources.files.read_daily`."""
    started = time.perf_counter()
    p = Path(path)
    blocks = readers.read_daily(p, now_s=now_s)
    first = next(blocks)
    seen = SeenKeys()
    counts = WriteCounts()
    n = 0
    with storage.transaction(conn):
        for located in _chain(first, blocks):
            _repeat(seen, located, _day_number, "date", p, lambda r: str(r.date))
            counts += storage.upsert_daily(conn, readers.records(located))
            n += len(located)
    return ImportReport("daily", str(p), n, counts, time.perf_counter() - started)


def import_prices(
    conn: sqlite3.Connection,
    path: str | Path,
    *,
    source: str | None = None,
    time_column: str | None = None,
    price_column: str | None = None,
    now_s: int | None = None,
) -> ImportReport:
    """Import a BTC/USD price CSV (see :func:`minerscope.sources.files.read_price_csv`)."""
    started = time.perf_counter()
    p = Path(path)
    counts = WriteCounts()
    n = 0
    with (
        readers.PriceFile(
            p, source=source, time_column=time_column, price_column=price_column
        ) as f,
        storage.transaction(conn),
    ):
        seen = SeenKeys()
        for located in f.prices(now_s=now_s):
            if not located:
                continue
            column = f.time_column
            _repeat(seen, located, lambda r: r.time_s, column, p, lambda r: f"time {r.time_s}")
            counts += storage.upsert_prices(conn, readers.records(located))
            n += len(located)
        if n == 0:
            raise InputError(f"no prices in column {f.price_column!r}", path=str(p), line=2)
    return ImportReport("prices", str(p), n, counts, time.perf_counter() - started)


def import_mvrv(
    conn: sqlite3.Connection,
    path: str | Path,
    *,
    source: str | None = None,
    now_s: int | None = None,
) -> ImportReport:
    """Import daily MVRV ratios (see :func:`minerscope.sources.files.read_mvrv_csv`)."""
    started = time.perf_counter()
    p = Path(path)
    located = readers.read_mvrv_csv(p, source=source, now_s=now_s)  # checked before writing
    with storage.transaction(conn):
        counts = storage.upsert_mvrv(conn, readers.records(located))
    return ImportReport("mvrv", str(p), len(located), counts, time.perf_counter() - started)


# --- several files, and whole commands ------------------------------------------------

#: The reference files ``import_reference_dir`` loads, in order, with their importer.
REFERENCE_FILES: tuple[tuple[str, str], ...] = (
    ("epochs", "difficulty_epochs_electrum.csv"),
    ("blockstats", "blocks_getblockstats_909458_934575.csv"),
    ("daily", "btc_daily_network_2009-01-03_2026-05-23.csv"),
    ("prices", "cm_btc_price_supply_daily_2010-07-18_2026-08-21.csv"),
    ("prices", "bitstamp_btcusd_ohlc_daily_2011-08-18_2026-06-10.csv"),
    ("mvrv", "cm_btc_price_issuance_daily_2010-07-18_2026-05-23.csv"),
)

IMPORTERS: dict[str, Callable[..., ImportReport]] = {
    "epochs": import_epochs,
    "blockstats": import_blockstats,
    "daily": import_daily,
    "prices": import_prices,
    "mvrv": import_mvrv,
}


def importers() -> dict[str, Callable[..., ImportReport]]:
    """Every ``minerscope import KIND``: the reference kinds, pool attributions, block times."""
    from .pools import import_blocktimes, import_pools  # pools builds on this module

    return {**IMPORTERS, "pools": import_pools, "blocktimes": import_blocktimes}


def import_reference_dir(
    conn: sqlite3.Connection, data_dir: str | Path, *, now_s: int | None = None
) -> list[ImportReport]:
    """Import the reference data set (``../shared/data``): epochs, blocks, daily rows, prices,
    MVRV ratios.

    All six files go in ONE transaction: a bad file leaves the database as it was.

    Raises
    ------
    InputError
        When the folder or one of :data:`REFERENCE_FILES` is missing.
    """
    d = Path(data_dir)
    if not d.is_dir():
        raise InputError(f"reference data folder {d} does not exist")
    missing = [name for _, name in REFERENCE_FILES if not (d / name).is_file()]
    if missing:
        raise InputError(f"reference data folder {d} lacks {', '.join(missing)}")
    with storage.transaction(conn):
        return [IMPORTERS[kind](conn, d / name, now_s=now_s) for kind, name in REFERENCE_FILES]


def run_import(
    db: str | Path | None, kind: str, path: str | Path, *, now_s: int, **options: Any
) -> ImportReport:
    """``minerscope import KIND FILE``: check the file can be read, then import it.

    A database file this call created is removed again when the import fails, so a
    refused first import leaves nothing behind.
    """
    TextFile(Path(path)).close()  # a missing or special file is refused before the database
    with storage.writing(db) as conn:
        return importers()[kind](conn, path, now_s=now_s, **options)


def run_reference_import(
    db: str | Path | None, data_dir: str | Path, *, now_s: int
) -> list[ImportReport]:
    """The imports of ``minerscope quickstart`` (see :func:`import_reference_dir`)."""
    d = Path(data_dir)
    if not d.is_dir():
        raise InputError(f"reference data folder {d} does not exist")
    with storage.writing(db) as conn:
        return import_reference_dir(conn, d, now_s=now_s)
