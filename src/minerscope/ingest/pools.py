"""Pools into storage: ``import pools``, ``import blocktimes`` and identification during sync.

Imports read and validate the whole file first (:mod:`minerscope.sources.blocktimes`),
then write in one transaction: on any error the database is exactly as before, and a
second import of the same file changes nothing. Block times become block rows with no
hash ("hash unknown"); a block already stored with a hash keeps its own time.

During a block sync (:func:`identify_blocks`, called by :mod:`minerscope.ingest.sync`
before each batch's transaction), each block's coinbase is fetched from the source and
identified against the tag file; the rows are written in the batch's transaction.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import storage
from ..config import Config
from ..errors import SourceError
from ..records import BlockPool, BlockRecord
from ..sources.blocktimes import read_blocktimes_csv
from ..sources.pools import PoolCatalog, load_catalog, read_pools_config
from ..storage import BlockTimeCounts
from .files import ImportReport

log = logging.getLogger(__name__)


def _time_note(c: BlockTimeCounts) -> str:
    note = (
        f"block times: {c.inserted:,} new block rows (hash unknown), {c.updated:,} updated,"
        f" {c.unchanged:,} unchanged"
    )
    if c.kept_hashed:
        note += (
            f"; {c.kept_hashed:,} of them stored with a hash and another time keep their own"
            " (the hashed source wins)"
        )
    return note


def import_pools(
    conn: sqlite3.Connection,
    path: str | Path,
    *,
    catalog: PoolCatalog | None = None,
    now_s: int | None = None,
) -> ImportReport:
    """Import a pool attribution CSV (``height``, ``time_s``, ``pool_slug``).

    Every slug must be a pool of ``catalog`` (default: the shipped tag file). The times
    are stored as block rows (see the module docstring) and the pools as ``block_pools``
    rows with basis ``file``; a height whose pool was read from its own coinbase keeps it.
    The report's counts are those of the pool rows; a note gives the block rows'.
    """
    started = time.perf_counter()
    p = Path(path)
    cat = catalog if catalog is not None else load_catalog()
    f = read_blocktimes_csv(p, pool_names=cat.names, now_s=now_s)
    assert f.pool_slugs is not None
    heights = f.heights.tolist()
    with storage.transaction(conn):
        times = storage.upsert_block_times(conn, heights, f.times_s.tolist())
        counts = storage.upsert_file_pools(conn, heights, f.pool_slugs, source=f"file:{p.name}")
    notes = [_time_note(times)]
    if f.duplicates:
        notes.append(f"{f.duplicates:,} repeated identical lines skipped")
    return ImportReport(
        "pools", str(p), len(f) + f.duplicates, counts, time.perf_counter() - started,
        tuple(notes),
    )  # fmt: skip


def import_blocktimes(
    conn: sqlite3.Connection, path: str | Path, *, now_s: int | None = None
) -> ImportReport:
    """Import a plain block-times CSV (``height`` and ``time_s``, ``time`` or ``timestamp``).

    The report's counts are those of the block rows.
    """
    started = time.perf_counter()
    p = Path(path)
    f = read_blocktimes_csv(p, now_s=now_s)
    with storage.transaction(conn):
        times = storage.upsert_block_times(conn, f.heights.tolist(), f.times_s.tolist())
    notes = [_time_note(times)]
    if f.duplicates:
        notes.append(f"{f.duplicates:,} repeated identical lines skipped")
    return ImportReport(
        "blocktimes", str(p), len(f) + f.duplicates, times.counts,
        time.perf_counter() - started, tuple(notes),
    )  # fmt: skip


# --- identification while syncing -----------------------------------------------------


def sync_catalog(config: Config) -> PoolCatalog | None:
    """The catalog a sync identifies pools with (shipped + ``[pools] tags``), or None when
    the config file says ``[pools] identify = false``."""
    settings = read_pools_config(config.path)
    if not settings.identify:
        return None
    return load_catalog(settings.tags)


def identify_blocks(
    source: Any, records: Sequence[BlockRecord], catalog: PoolCatalog | None
) -> list[BlockPool]:
    """Fetch the coinbase of each record from ``source`` and identify its pool.

    ``source`` needs a ``coinbases(records) -> {height: Coinbase}`` method (both block
    sources have one); without it, or without a catalog, nothing is identified. A source
    that cannot serve coinbases (an RPC whitelist without ``getblock``) is logged once and
    skipped: the blocks are still synced.
    """
    fetch = getattr(source, "coinbases", None)
    if catalog is None or fetch is None or not records:
        return []
    if getattr(source, "coinbases_unavailable", False):
        return []
    try:
        coinbases = fetch(records)
    except SourceError as exc:
        if getattr(exc, "code", None) != -32601:  # RPCMethodNotFound: give up quietly
            raise
        log.warning("%s cannot serve coinbases (%s): pools are not identified", source.url, exc)
        source.coinbases_unavailable = True
        return []
    out: list[BlockPool] = []
    for r in records:
        cb = coinbases.get(r.height)
        if cb is not None:
            out.append(catalog.block_pool(r.height, cb, source=source.name, block_hash=r.hash))
    return out
