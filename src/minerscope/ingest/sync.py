"""Sources into storage: incremental, reorg-safe, resumable block and daily sync.

Blocks (:func:`sync_blocks`, any :class:`BlockSource`: Bitcoin Core RPC or esplora):

1. **Anchor.** With blocks stored, the sync continues after the highest stored height.
   On an empty database it starts at ``from_height``, else at
   :func:`default_start_height` (the first block of the epoch before the tip's, so the
   last complete epoch and the current one are present: 2,016 to 4,031 blocks).
2. **Reorg check.** The stored hash at min(stored tip, source tip) is compared with the
   source's. If they differ, the sync walks back (windows of 16, 32, ... heights,
   batched) to the highest height where they agree; every stored block above it is
   stale. The stale rows are deleted and their replacements (up to the old tip) written
   in ONE transaction, so the database never holds a shorter or mixed chain. Derived
   rows (an epoch's ``end_hash``) are rewritten in that same transaction.
3. **Batches.** Blocks are fetched ``batch_blocks`` at a time and each batch is checked
   before it is written: consecutive heights, every ``prev_hash`` equal to the hash of the
   block below (the stored one for the first block of the batch), the subsidy equal to
   the consensus schedule, and the chainwork above the previous one (it should be the
   previous chainwork plus the block's work, Bitcoin Core ``GetBlockProof``; a server
   that rounds it is logged, not refused). A batch is written
   in one transaction (:func:`storage.transaction`), so a kill at any instant leaves
   whole batches only and a re-run continues from the last one: the result is the same
   database as an uninterrupted sync.
4. A first block that does not link to the stored block below is a reorg if the source's
   own hash at that lower height differs from ours (repaired as in 2.), and junk
   otherwise: :class:`SourceBadResponse`, nothing written. A batch whose blocks do not
   link among themselves is fetched once more (the source may have reorganised between
   two requests), then rejected the same way.

5. **Ahead.** While a batch is checked and written, the next one is already being
   fetched (one batch ahead, in a daemon thread): the node works while SQLite writes.
   A fetched batch is only ever used for the range it was asked for, after the checks
   above; one fetched before a reorg repair is dropped.
6. **Every epoch's bits.** After the blocks, each retarget period from genesis to the
   tip that has no ``epochs`` row gets one from the header of its first block
   (:mod:`~minerscope.ingest.sync_epochs`), so a node alone gives the full difficulty
   history.

Bounds: ``deadline_at`` ends the sync (between batches, and inside every request through
the source's :class:`~minerscope.sources._http.RetryPolicy`) with
:class:`~minerscope.sources._http.SourceTimeout`; ``should_stop`` ends it cleanly after
the batch being written (``summary.stopped``). Either way only whole batches are stored.

Chainwork missing from a source (esplora) is derived from the stored block below:
chainwork(h) = chainwork(h - 1) + block_work(bits(h)).

Daily rows: :func:`~minerscope.ingest.sync_daily.sync_coinmetrics` (re-exported here).
:func:`~minerscope.ingest.sync_run.run_sync` is the one entry point of ``minerscope sync``.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from .. import storage
from ..consensus import MAINNET, block_subsidy_sat, block_work
from ..errors import SourceError
from ..records import BlockRecord, EpochRecord
from ..sources._http import SourceBadResponse, SourceTimeout
from ..sources.pools import PoolCatalog
from .pools import identify_blocks
from .results import BlockSyncDocument, ReorgRepair
from .sync_daily import (
    CM_REFETCH_DAYS,
    DailySyncSummary,
    coinmetrics_start_date,
    sync_coinmetrics,
)

log = logging.getLogger(__name__)

EPOCH_BLOCKS = MAINNET.difficulty_adjustment_interval
DEFAULT_BATCH_BLOCKS = 1000
MAX_REPAIRS_PER_RUN = 20
_FIRST_WINDOW = 16

ProgressFn = Callable[[int, int, int], None]  # (blocks done, blocks to do, height reached)


class BlockSource(Protocol):
    """What the block sync needs from a source (``BitcoindClient``, ``EsploraClient``)."""

    name: str
    url: str

    def tip_height(self) -> int:
        """Height of the source's best block."""
        ...

    def block_hashes(self, heights: Sequence[int]) -> dict[int, str]:
        """The source's block hash at each height."""
        ...

    def blocks(self, lo: int, hi: int) -> list[BlockRecord]:
        """Blocks ``lo`` to ``hi`` inclusive, oldest first."""
        ...

    def block_headers(self, heights: Sequence[int]) -> list[BlockRecord]:
        """Header fields only (hash, time, bits, previous hash) of the blocks at ``heights``."""
        ...


@dataclass(frozen=True)
class Reorg:
    """A repaired reorganisation: first replaced height, rows replaced, old and new tip."""

    fork_height: int
    depth: int
    old_tip_height: int
    new_tip_height: int


@dataclass
class SyncSummary:
    """What a block sync did (JSON-ready with :meth:`as_dict`)."""

    source: str
    url: str
    source_tip_height: int
    stored_tip_before: int | None
    stored_tip_after: int | None = None
    first_height: int | None = None
    last_height: int | None = None
    blocks_fetched: int = 0
    blocks_inserted: int = 0
    blocks_updated: int = 0
    blocks_unchanged: int = 0
    batches: int = 0
    reorgs: list[Reorg] = field(default_factory=list)
    epochs_filled: int = 0
    stopped: bool = False
    elapsed_s: float = 0.0

    @property
    def blocks_per_s(self) -> float:
        """Fetch-and-store rate. [blocks/s]"""
        return self.blocks_fetched / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def to_result(self) -> BlockSyncDocument:
        """The ``sync --json`` document."""
        return BlockSyncDocument(
            source=self.source,
            url=self.url,
            source_tip_height=self.source_tip_height,
            stored_tip_height_before=self.stored_tip_before,
            stored_tip_height_after=self.stored_tip_after,
            first_height=self.first_height,
            last_height=self.last_height,
            blocks_fetched=self.blocks_fetched,
            blocks_inserted=self.blocks_inserted,
            blocks_updated=self.blocks_updated,
            blocks_unchanged=self.blocks_unchanged,
            batches=self.batches,
            reorgs=tuple(
                ReorgRepair(r.fork_height, r.depth, r.old_tip_height, r.new_tip_height)
                for r in self.reorgs
            ),
            epochs_filled=self.epochs_filled,
            stopped=self.stopped,
            elapsed_s=round(self.elapsed_s, 3),
            blocks_per_s=round(self.blocks_per_s, 1),
        )


def default_start_height(tip_height: int) -> int:
    """First height synced into an empty database: start of the epoch before the tip's.

    Two epochs at most (2,016 to 4,031 blocks): the last complete retarget period and
    the current one, enough for hash-rate windows and the next-adjustment projection.
    """
    return max(0, (tip_height // EPOCH_BLOCKS - 1) * EPOCH_BLOCKS)


# --- checks --------------------------------------------------------------------------


def link_records(records: Sequence[BlockRecord], below: BlockRecord | None) -> list[BlockRecord]:
    """Check a contiguous batch and fill chainwork; return the records to store.

    Parameters
    ----------
    records : sequence of BlockRecord
        Consecutive heights, oldest first.
    below : BlockRecord, optional
        The stored block just below the first record (its hash and chainwork).

    Raises
    ------
    SourceBadResponse
        Heights not consecutive, a ``prev_hash`` that does not name the block below
        (within the batch; the first record's link to ``below`` is the caller's check),
        a subsidy off the schedule, or a chainwork that does not grow. A chainwork that
        grows but is not exactly the previous chainwork plus the block's work is kept
        and logged as a warning (Bitcoin Core is exact; other servers may round).
    """
    out: list[BlockRecord] = []
    prev = below
    work_of: dict[int, int] = {}  # block work per bits value (bits change once an epoch)
    prev_work = (
        None if below is None or below.chainwork_hex is None else int(below.chainwork_hex, 16)
    )
    for i, r in enumerate(records):
        if i > 0 and prev is not None:
            if r.height != prev.height + 1:
                raise SourceBadResponse(f"block {r.height} follows block {prev.height}")
            if r.prev_hash != prev.hash:
                raise SourceBadResponse(
                    f"block {r.height} ({r.hash}) names previous block {r.prev_hash},"
                    f" but the source's block {prev.height} is {prev.hash}"
                )
        if r.subsidy_sat is not None and r.subsidy_sat != block_subsidy_sat(r.height):
            raise SourceBadResponse(
                f"block {r.height}: subsidy {r.subsidy_sat} sat is not the consensus"
                f" {block_subsidy_sat(r.height)} sat"
            )
        work = None if r.chainwork_hex is None else int(r.chainwork_hex, 16)
        if (
            r.bits is not None
            and prev is not None
            and prev.height == r.height - 1
            and prev_work is not None
        ):
            # chainwork(h) = chainwork(h-1) + GetBlockProof(bits(h))  (Core src/chain.cpp)
            w = work_of.get(r.bits)
            if w is None:
                w = work_of[r.bits] = block_work(r.bits)
            expected = prev_work + w
            if work is None:
                work = expected
                r = replace(r, chainwork_hex=f"{expected:064x}")
            elif work <= prev_work:
                raise SourceBadResponse(
                    f"block {r.height}: chainwork {r.chainwork_hex} does not exceed the"
                    f" previous block's {prev.chainwork_hex}"
                )
            elif work != expected:
                # Bitcoin Core is always exact; another server may round the work. Keep
                # what it says (it still grows) and say so, rather than refuse the chain.
                log.warning(
                    "block %d: chainwork %s is not the previous chainwork plus the block's"
                    " work (%064x)",
                    r.height,
                    r.chainwork_hex,
                    expected,
                )
        out.append(r)
        prev = r
        prev_work = work
    return out


def derived_epochs(conn: sqlite3.Connection, records: Sequence[BlockRecord]) -> list[EpochRecord]:
    """Epoch rows implied by a batch: bits from an epoch's first block, end hash from its last."""
    bits_of: dict[int, int] = {}
    out: dict[int, EpochRecord] = {}
    for r in records:
        e = r.height // EPOCH_BLOCKS
        if r.height % EPOCH_BLOCKS == 0 and r.bits is not None:
            bits_of[e] = r.bits
            out[e] = EpochRecord(e, r.height, r.bits, out[e].end_hash if e in out else None)
        if r.height % EPOCH_BLOCKS == EPOCH_BLOCKS - 1:
            bits = bits_of.get(e)
            if bits is None:
                bits = storage.epoch_bits(conn, e)
            if bits is not None:
                out[e] = EpochRecord(e, e * EPOCH_BLOCKS, bits, r.hash)
    return [out[e] for e in sorted(out)]


def _write(conn: sqlite3.Connection, records: Sequence[BlockRecord]) -> storage.WriteCounts:
    counts = storage.upsert_blocks(conn, records)
    storage.upsert_epochs(conn, derived_epochs(conn, records))
    return counts


# --- reorgs --------------------------------------------------------------------------


def find_fork_height(conn: sqlite3.Connection, source: BlockSource, height: int) -> int:
    """Lowest stale height: one above the highest height <= ``height`` where hashes agree.

    Returns ``height + 1`` when the stored block at ``height`` is on the source's chain.
    Walks back in doubling windows; raises :class:`SourceError` when no stored block
    matches (the source follows another chain, e.g. another network).
    """
    rng = storage.block_range(conn)
    if rng is None:
        return height + 1
    low = rng[0]
    hi = height
    window = 1
    while hi >= low:
        lo = max(low, hi - window + 1)
        stored = storage.block_hashes(conn, lo, hi)
        theirs = source.block_hashes(sorted(stored)) if stored else {}
        for h in sorted(stored, reverse=True):
            if theirs.get(h) == stored[h]:
                return h + 1
        hi = lo - 1
        window = _FIRST_WINDOW if window == 1 else min(window * 2, 4096)
    raise SourceError(
        f"no stored block from {low} to {height} is on the chain of {source.url}:"
        " is it another network, or a different database?"
    )


def _fetch_linked(
    conn: sqlite3.Connection, source: BlockSource, lo: int, hi: int, batch: int
) -> list[BlockRecord]:
    """Fetch ``lo..hi`` in batches, each checked and linked to the previous one."""
    below = storage.hashed_block_row(conn, lo - 1)
    out: list[BlockRecord] = []
    for start in range(lo, hi + 1, batch):
        part = _checked(source, start, min(hi, start + batch - 1))
        if below is not None and part[0].prev_hash != below.hash:
            raise SourceBadResponse(
                f"block {start} ({part[0].hash}) names previous block {part[0].prev_hash},"
                f" not {below.hash}: the source changed its chain during the repair"
            )
        part = link_records(part, below)
        out.extend(part)
        below = part[-1]
    return out


def _checked(source: BlockSource, lo: int, hi: int) -> list[BlockRecord]:
    records = source.blocks(lo, hi)
    heights = [r.height for r in records]
    if heights != list(range(lo, hi + 1)):
        got = f"{heights[0]}..{heights[-1]} ({len(heights)} blocks)" if heights else "nothing"
        raise SourceBadResponse(f"asked {source.url} for blocks {lo}..{hi}, got {got}")
    return records


def _repair(
    conn: sqlite3.Connection,
    source: BlockSource,
    fork: int,
    old_tip: int,
    source_tip: int,
    batch: int,
    summary: SyncSummary,
    pools: PoolCatalog | None = None,
) -> None:
    new_hi = min(old_tip, source_tip)
    records = _fetch_linked(conn, source, fork, new_hi, batch) if fork <= new_hi else []
    pool_rows = identify_blocks(source, records, pools)  # pools hook: outside the transaction
    with storage.transaction(conn):
        deleted = storage.delete_blocks_from(conn, fork)
        # Epochs whose first block was stale were defined by the stale chain: the new
        # chain's blocks define them again (their bits may differ across a retarget).
        first_stale_epoch = -(-fork // EPOCH_BLOCKS)
        if first_stale_epoch <= old_tip // EPOCH_BLOCKS:
            storage.delete_epochs_between(conn, first_stale_epoch, old_tip // EPOCH_BLOCKS)
        counts = _write(conn, records) if records else storage.WriteCounts()
        storage.upsert_block_pools(conn, pool_rows)
    log.info("reorg: replaced %d blocks from height %d (old tip %d)", deleted, fork, old_tip)
    summary.reorgs.append(Reorg(fork, deleted, old_tip, new_hi if records else fork - 1))
    summary.blocks_fetched += len(records)
    summary.blocks_inserted += counts.inserted
    summary.blocks_updated += counts.updated
    summary.blocks_unchanged += counts.unchanged
    summary.batches += 1


# --- the sync ------------------------------------------------------------------------


class _Ahead:
    """One batch fetched ahead in a daemon thread (a stuck fetch never blocks an exit)."""

    def __init__(self, fetch: Callable[[int, int], list[BlockRecord]], lo: int, hi: int):
        self.lo, self.hi = lo, hi
        self._records: list[BlockRecord] = []
        self._error: BaseException | None = None
        self._done = threading.Event()
        threading.Thread(
            target=self._run, args=(fetch,), daemon=True, name="minerscope-fetch-ahead"
        ).start()

    def _run(self, fetch: Callable[[int, int], list[BlockRecord]]) -> None:
        try:
            self._records = fetch(self.lo, self.hi)
        except BaseException as exc:  # handed to the main thread, which decides
            self._error = exc
        finally:
            self._done.set()

    def result(self) -> list[BlockRecord]:
        self._done.wait()
        if self._error is not None:
            raise self._error
        return self._records


def _past(deadline_at: float | None, summary: SyncSummary) -> None:
    if deadline_at is not None and time.monotonic() >= deadline_at:
        done = summary.last_height
        kept = f"blocks up to {done} are stored" if done is not None else "nothing new is stored"
        raise SourceTimeout(
            f"the sync's deadline (--deadline-s) has passed; {kept}: run it again to continue"
        )


def sync_blocks(
    conn: sqlite3.Connection,
    source: BlockSource,
    *,
    from_height: int | None = None,
    to_height: int | None = None,
    batch_blocks: int = DEFAULT_BATCH_BLOCKS,
    progress: ProgressFn | None = None,
    fill_epochs: bool = True,
    fetch_ahead: bool = True,
    deadline_at: float | None = None,
    should_stop: Callable[[], bool] | None = None,
    clock: Callable[[], float] = time.monotonic,
    pools: PoolCatalog | None = None,
) -> SyncSummary:
    """Bring the stored chain up to the source's tip (or ``to_height``).

    Parameters
    ----------
    conn : sqlite3.Connection
        A writable database.
    source : BlockSource
        Where the blocks come from.
    from_height : int, optional
        First height on an empty database (default :func:`default_start_height`); with
        blocks stored, a height above the stored tip + 1 skips ahead (leaving a gap).
    to_height : int, optional
        Last height to sync (default: the source's tip).
    batch_blocks : int
        Blocks per fetch and per committed transaction. [blocks]
    progress : callable, optional
        Called after each batch with (blocks done, blocks to do, height reached).
    fill_epochs : bool
        Afterwards, store the bits of every epoch up to the last height that has no
        ``epochs`` row, from one header per retarget height.
    fetch_ahead : bool
        Fetch the next batch while the current one is checked and written.
    deadline_at : float, optional
        Stop with :class:`SourceTimeout` once this moment has passed (checked between
        batches; the source's policy bounds each request by it too). [monotonic s]
    should_stop : callable, optional
        Polled between batches; when it returns True the sync ends cleanly after the
        batch being written, with ``summary.stopped`` set.
    pools : PoolCatalog, optional
        Identify each block's pool from its coinbase with this tag catalog, written in
        the batch's transaction (:func:`minerscope.ingest.pools.identify_blocks`); None:
        no identification.

    Returns
    -------
    SyncSummary

    Notes
    -----
    Blocks stored without a hash (a block-times or pool file) claim no chain: the sync
    continues after the highest block with a hash, fills the hashes in, and its times
    replace the file's; they are never taken for a reorg.
    """
    if batch_blocks < 1:
        raise ValueError("batch_blocks must be >= 1")
    started = clock()
    storage.prepare_for_sync_writes(conn)
    tip = source.tip_height()
    stored_tip = storage.max_hashed_height(conn)
    summary = SyncSummary(source.name, source.url, tip, stored_tip)

    repairs = 0
    if stored_tip is not None:
        check = min(stored_tip, tip)
        fork = find_fork_height(conn, source, check)
        if fork <= check:  # stale rows from ``fork`` up: replace them in one transaction
            _repair(conn, source, fork, stored_tip, tip, batch_blocks, summary, pools)
            repairs += 1

    current = storage.max_hashed_height(conn)
    if current is None:
        start = default_start_height(tip) if from_height is None else from_height
    else:
        start = current + 1 if from_height is None else max(current + 1, from_height)
    end = tip if to_height is None else min(to_height, tip)
    total = max(0, end - start + 1)
    done = 0
    h = start
    refetched: set[int] = set()
    ahead: _Ahead | None = None

    def fetch(lo: int, hi: int) -> list[BlockRecord]:
        return _checked(source, lo, hi)

    while h <= end:
        if should_stop is not None and should_stop():
            summary.stopped = True
            break
        _past(deadline_at, summary)
        hi = min(end, h + batch_blocks - 1)
        records = None
        if ahead is not None and (ahead.lo, ahead.hi) == (h, hi):
            try:
                records = ahead.result()
            except SourceError:  # fetched while the chain moved, maybe: ask again, now
                records = None
        if records is None:
            records = fetch(h, hi)
        ahead = None
        if fetch_ahead and hi < end:
            ahead = _Ahead(fetch, hi + 1, min(end, hi + batch_blocks))
        below = storage.hashed_block_row(conn, h - 1)
        if below is not None and records[0].prev_hash != below.hash:
            ahead = None  # fetched from the chain being replaced, maybe
            theirs = source.block_hashes([h - 1])[h - 1]
            if theirs == below.hash:
                raise SourceBadResponse(
                    f"block {h} ({records[0].hash}) from {source.url} names previous block"
                    f" {records[0].prev_hash}, but block {h - 1} is {below.hash} there too:"
                    " the source's chain does not link; nothing was written"
                )
            repairs += 1
            if repairs > MAX_REPAIRS_PER_RUN:
                raise SourceError(f"{source.url} keeps reorganising; try again later")
            fork = find_fork_height(conn, source, h - 1)
            old_tip = storage.max_hashed_height(conn)
            assert old_tip is not None
            _repair(conn, source, fork, old_tip, source.tip_height(), batch_blocks, summary, pools)
            after = storage.max_hashed_height(conn)
            h = (after + 1) if after is not None else fork
            continue
        try:
            records = link_records(records, below)
        except SourceBadResponse:
            ahead = None
            if h in refetched:
                raise
            refetched.add(h)  # the source may have reorganised between two requests
            continue
        pool_rows = identify_blocks(source, records, pools)  # pools hook
        with storage.transaction(conn):
            counts = _write(conn, records)
            storage.upsert_block_pools(conn, pool_rows)
        summary.blocks_fetched += len(records)
        summary.blocks_inserted += counts.inserted
        summary.blocks_updated += counts.updated
        summary.blocks_unchanged += counts.unchanged
        summary.batches += 1
        if summary.first_height is None:
            summary.first_height = h
        summary.last_height = hi
        done += len(records)
        if progress is not None:
            progress(done, total, hi)
        h = hi + 1

    if fill_epochs and not summary.stopped and end >= 0:
        from .sync_epochs import fill_epoch_bits

        _past(deadline_at, summary)
        summary.epochs_filled = fill_epoch_bits(conn, source, end // EPOCH_BLOCKS)
    summary.stored_tip_after = storage.max_hashed_height(conn)
    summary.elapsed_s = clock() - started
    return summary


# --- what is stored (for ``status``) ----------------------------------------------------


def sync_state(conn: sqlite3.Connection) -> dict[str, Any]:
    """What the syncs have stored, for ``minerscope status`` (JSON-ready).

    Keys: ``blocks_lowest_height``, ``blocks_tip_height``, ``blocks_tip_hash``,
    ``blocks_tip_time_s`` [Unix s] (None for an empty table) and ``daily_last_date``
    (YYYY-MM-DD or None). Read-only.
    """
    rng = storage.block_range(conn)
    tip = storage.block_row(conn, rng[1]) if rng is not None else None
    return {
        "blocks_lowest_height": None if rng is None else rng[0],
        "blocks_tip_height": None if rng is None else rng[1],
        "blocks_tip_hash": None if tip is None else tip.hash,
        "blocks_tip_time_s": None if tip is None else tip.time_s,
        "daily_last_date": storage.last_daily_date(conn),
    }


__all__ = [
    "CM_REFETCH_DAYS",
    "DEFAULT_BATCH_BLOCKS",
    "EPOCH_BLOCKS",
    "BlockSource",
    "DailySyncSummary",
    "Reorg",
    "SyncSummary",
    "coinmetrics_start_date",
    "default_start_height",
    "derived_epochs",
    "find_fork_height",
    "link_records",
    "sync_blocks",
    "sync_coinmetrics",
    "sync_state",
]
