"""Offline import: a file's records into the database in one transaction.

An import reads and validates the whole file first, then writes everything in one
transaction: on any error the database is exactly as before. Importing the same file
twice changes nothing the second time.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import storage
from ..errors import ConflictError, InputError
from ..sources import files as readers
from ..sources.files import Located
from ..storage import WriteCounts


@dataclass(frozen=True)
class ImportReport:
    """What one import did."""

    kind: str
    path: str
    rows_read: int
    counts: WriteCounts
    seconds: float
    notes: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "kind": self.kind,
            "path": self.path,
            "rows_read": self.rows_read,
            "inserted": self.counts.inserted,
            "updated": self.counts.updated,
            "unchanged": self.counts.unchanged,
            "duration_s": round(self.seconds, 3),
            "notes": list(self.notes),
        }


def _write(
    conn: sqlite3.Connection,
    kind: str,
    path: Path,
    located: list[Located],
    upsert: Callable[[sqlite3.Connection, Sequence[Any]], WriteCounts],
    started: float,
    *,
    conflict_key: Callable[[Any], Any] | None = None,
) -> ImportReport:
    rows = readers.records(located)
    try:
        with storage.transaction(conn):
            counts = upsert(conn, rows)
    except ConflictError as exc:
        where: Located | None = None
        if conflict_key is not None and exc.key is not None:
            where = readers.locate(located, conflict_key).get(exc.key)
        line = where.line if where is not None else None
        reason = (
            exc.reason if where is None or where.label is None else f"{where.label}: {exc.reason}"
        )
        raise ConflictError(
            reason, key=exc.key, path=str(path), line=line, field=exc.field
        ) from exc
    return ImportReport(kind, str(path), len(rows), counts, time.perf_counter() - started)


def import_blockstats(conn: sqlite3.Connection, path: str | Path) -> ImportReport:
    """Import a Bitcoin Core ``getblockstats`` CSV (blocks take bits from the epochs table)."""
    started = time.perf_counter()
    p = Path(path)
    located = readers.read_blockstats_csv(p)
    report = _write(
        conn,
        "blockstats",
        p,
        located,
        storage.upsert_blocks,
        started,
        conflict_key=lambda r: r.height,
    )
    missing = conn.execute("SELECT COUNT(*) FROM blocks WHERE bits IS NULL").fetchone()[0]
    if missing:
        note = (
            f"{missing} stored blocks have no bits yet: import the epochs"
            " (minerscope import epochs FILE) to fill them"
        )
        return ImportReport(report.kind, report.path, report.rows_read, report.counts,
                            report.seconds, (note,))  # fmt: skip
    return report


def import_epochs(conn: sqlite3.Connection, path: str | Path) -> ImportReport:
    """Import difficulty epochs from Electrum's checkpoints JSON or a per-epoch bits CSV."""
    started = time.perf_counter()
    p = Path(path)
    located = readers.read_epochs_file(p)
    return _write(
        conn,
        "epochs",
        p,
        located,
        storage.upsert_epochs,
        started,
        conflict_key=lambda r: r.epoch,
    )


def import_daily(conn: sqlite3.Connection, path: str | Path) -> ImportReport:
    """Import daily network rows (Coin Metrics column names)."""
    started = time.perf_counter()
    p = Path(path)
    return _write(conn, "daily", p, readers.read_daily_csv(p), storage.upsert_daily, started)


def import_prices(
    conn: sqlite3.Connection,
    path: str | Path,
    *,
    source: str | None = None,
    time_column: str | None = None,
    price_column: str | None = None,
) -> ImportReport:
    """Import a BTC/USD price CSV (see :func:`minerscope.sources.files.read_price_csv`)."""
    started = time.perf_counter()
    p = Path(path)
    located = readers.read_price_csv(
        p, source=source, time_column=time_column, price_column=price_column
    )
    return _write(conn, "prices", p, located, storage.upsert_prices, started)


def import_mvrv(
    conn: sqlite3.Connection, path: str | Path, *, source: str | None = None
) -> ImportReport:
    """Import daily MVRV ratios (see :func:`minerscope.sources.files.read_mvrv_csv`)."""
    started = time.perf_counter()
    p = Path(path)
    located = readers.read_mvrv_csv(p, source=source)
    return _write(conn, "mvrv", p, located, storage.upsert_mvrv, started)


#: The reference files ``import_reference_dir`` loads, in order, with their importer.
REFERENCE_FILES: tuple[tuple[str, str], ...] = (
    ("epochs", "difficulty_epochs_electrum.csv"),
    ("blockstats", "blocks_getblockstats_909458_934575.csv"),
    ("daily", "btc_daily_network_2009-01-03_2026-05-23.csv"),
    ("prices", "cm_btc_price_supply_daily_2010-07-18_2026-08-21.csv"),
    ("prices", "bitstamp_btcusd_ohlc_daily_2011-08-18_2026-06-10.csv"),
    ("mvrv", "cm_btc_price_issuance_daily_2010-07-18_2026-05-23.csv"),
)

_IMPORTERS: dict[str, Callable[[sqlite3.Connection, Path], ImportReport]] = {
    "epochs": import_epochs,
    "blockstats": import_blockstats,
    "daily": import_daily,
    "prices": import_prices,
    "mvrv": import_mvrv,
}


def import_reference_dir(conn: sqlite3.Connection, data_dir: str | Path) -> list[ImportReport]:
    """Import the reference data set (``../shared/data``): epochs, blocks, daily rows, prices,
    MVRV ratios.

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
    return [_IMPORTERS[kind](conn, d / name) for kind, name in REFERENCE_FILES]
