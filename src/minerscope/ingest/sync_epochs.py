"""Every epoch's bits from the source, so a node alone gives the whole difficulty history.

A block sync stores two epochs by default (the previous and the current one), but the
difficulty projection fits its drift on the epochs before, and the halving ETA and the
history need every one from genesis. Each epoch's compact target is in the header of
its first block, so one header per retarget height (0, 2016, 4032, ...) is enough:
``getblockhash`` + ``getblockheader``, batched, over RPC (about 470 of each for
mainnet: two round trips); ``/block-height/:h`` + ``/block/:hash`` on esplora.

Only epochs without a row are fetched (a second sync fetches nothing). Before anything
is written, every bits change between consecutive epochs must be one the retarget rule
permits (Bitcoin Core ``PermittedDifficultyTransition``: at most x4 or x1/4), and no
target may exceed the proof-of-work limit; otherwise the source is junk and nothing is
stored. An epoch's ``end_hash`` (its last block's hash) is taken from the next epoch's
first header (``previousblockhash``), or from its stored last block, when it has none.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from .. import storage
from ..consensus import MAINNET, is_permitted_transition, target_from_bits
from ..consensus.compact import CompactError
from ..records import BlockRecord, EpochRecord
from ..sources._http import SourceBadResponse

if TYPE_CHECKING:
    from .sync import BlockSource

EPOCH_BLOCKS = MAINNET.difficulty_adjustment_interval


def _check_bits(bits: dict[int, int], url: str) -> None:
    for e in sorted(bits):
        try:
            target = target_from_bits(bits[e])
        except CompactError as exc:
            raise SourceBadResponse(f"{url}: epoch {e}'s bits {bits[e]:08x}: {exc}") from exc
        if not 0 < target <= MAINNET.pow_limit:
            raise SourceBadResponse(
                f"{url}: epoch {e}'s bits {bits[e]:08x} are above the proof-of-work limit"
            )
        if e - 1 in bits and not is_permitted_transition(e * EPOCH_BLOCKS, bits[e - 1], bits[e]):
            raise SourceBadResponse(
                f"{url}: epoch {e}'s bits {bits[e]:08x} cannot follow epoch {e - 1}'s"
                f" {bits[e - 1]:08x} (more than x4 or x1/4); nothing was written"
            )


def fill_epoch_bits(conn: sqlite3.Connection, source: BlockSource, last_epoch: int) -> int:
    """Store the bits of every epoch 0..``last_epoch`` that has no row; return how many.

    Parameters
    ----------
    conn : sqlite3.Connection
        A writable database.
    source : BlockSource
        Answers :meth:`~minerscope.ingest.sync.BlockSource.block_headers`.
    last_epoch : int
        The epoch of the last height synced. [epochs]

    Raises
    ------
    SourceBadResponse
        A header at another height than asked, without bits, or with bits the retarget
        rule does not permit after the epoch before (nothing is written).
    """
    stored = {r.epoch: r for r in storage.epoch_records(conn)}
    missing = [e for e in range(last_epoch + 1) if e not in stored]
    if not missing:
        return 0
    headers = source.block_headers([e * EPOCH_BLOCKS for e in missing])
    got: dict[int, BlockRecord] = {}
    bits_got: dict[int, int] = {}
    for e, r in zip(missing, headers, strict=True):
        if r.height != e * EPOCH_BLOCKS or r.bits is None:
            raise SourceBadResponse(
                f"{source.url}: asked for the header at {e * EPOCH_BLOCKS}, got block"
                f" {r.height} with bits {r.bits}"
            )
        got[e] = r
        bits_got[e] = r.bits
    _check_bits({e: r.bits for e, r in stored.items()} | bits_got, source.url)
    # The first block of epoch e names the last block of epoch e - 1: its end hash.
    end_of = {e - 1: r.prev_hash for e, r in got.items() if e > 0 and r.prev_hash}
    for e in got:  # else the epoch's last block may be stored (the sync's first epoch)
        if e not in end_of:
            last = (e + 1) * EPOCH_BLOCKS - 1
            stored_last = storage.block_hashes(conn, last, last)
            if last in stored_last:
                end_of[e] = stored_last[last]
    rows = [EpochRecord(e, e * EPOCH_BLOCKS, b, end_of.get(e)) for e, b in bits_got.items()]
    rows += [
        EpochRecord(e, old.start_height, old.bits, end_of[e])
        for e, old in stored.items()
        if old.end_hash is None and e in end_of
    ]
    with storage.transaction(conn):
        storage.upsert_epochs(conn, sorted(rows, key=lambda r: r.epoch))
    return len(got)


__all__ = ["fill_epoch_bits"]
