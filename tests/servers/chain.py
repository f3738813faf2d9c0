"""The reference chain the test servers serve: the real blocks of the getblockstats file.

``../shared/data/blocks_getblockstats_909458_934575.csv`` lacks header fields, which are
filled as follows (documented in ``docs/sync.md``):

- ``bits``: the block's epoch (height // 2016) in ``difficulty_epochs_electrum.csv``;
- ``prev_hash``: the previous row's ``blockhash``; the first block (909,458) names
  :data:`FIRST_PREV_HASH`, a fixed synthetic hash (the file does not hold block 909,457);
- ``chainwork``: :data:`BASE_CHAINWORK` (the work of every block 0..909,457, each at its
  Electrum epoch's bits, i.e. sum over epochs of blocks x 2**256 // (target + 1)) plus the
  work of each block in turn, as Bitcoin Core accumulates it (``GetBlockProof``);
- ``merkleroot``/``nonce``/``version``: synthetic (``version`` 0x20000000, ``nonce`` 0).

Below the file's first block, a node-only sync still needs every epoch's bits, so
:func:`load_sparse` gives the FIRST and LAST block of every earlier epoch (header fields
only; ``Chain.sparse_at``): bits from the Electrum epochs file; the last block's hash is
Electrum's end hash (real); the first block's previous hash is the epoch before's end
hash (real) and its own hash synthetic (genesis: the real one); times synthetic
(genesis time + 600 s per height); chainwork as above. The RPC and esplora servers
answer ``getblockhash`` / ``getblockheader`` and ``/block-height`` / ``/block`` for them.

Knobs: :meth:`Chain.reorg` replaces the top N blocks (every block from there up) with
other hashes; ``visible_tip`` hides the blocks above it (a growing chain).
"""

from __future__ import annotations

import csv
import hashlib
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from minerscope.consensus import block_work

BLOCKSTATS_CSV = "blocks_getblockstats_909458_934575.csv"
EPOCHS_CSV = "difficulty_epochs_electrum.csv"
FIRST_PREV_HASH = "0000000000000000000" + hashlib.sha256(b"minerscope 909457").hexdigest()[19:]
EPOCH_BLOCKS = 2016
GENESIS_HASH = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
GENESIS_TIME_S = 1_231_006_505


@dataclass(frozen=True, slots=True)
class Block:
    """One served block (amounts in sat, times in Unix s)."""

    height: int
    hash: str
    prev_hash: str
    time: int
    mediantime: int
    bits: int
    chainwork: int
    txs: int
    ins: int
    outs: int
    total_size: int
    total_weight: int
    totalfee: int
    subsidy: int
    total_out: int
    extra: tuple[tuple[str, int], ...]


def epoch_bits(data_dir: Path) -> dict[int, int]:
    """Compact target of each epoch from the Electrum epochs CSV."""
    with (data_dir / EPOCHS_CSV).open(newline="") as f:
        return {int(r["epoch"]): int(r["bits_hex"], 16) for r in csv.DictReader(f)}


def base_chainwork(bits_of: dict[int, int], height: int) -> int:
    """Work of blocks 0..height-1 with each block at its epoch's bits. [hashes]"""
    full, rest = divmod(height, EPOCH_BLOCKS)
    total = sum(EPOCH_BLOCKS * block_work(bits_of[e]) for e in range(full))
    return total + rest * block_work(bits_of[full])


_EXTRA = ("avgfee", "avgfeerate", "medianfee", "minfeerate", "maxfeerate", "swtxs")


def load_blocks(data_dir: Path) -> list[Block]:
    """The 25,118 reference blocks with the header fields filled as described above."""
    bits_of = epoch_bits(data_dir)
    out: list[Block] = []
    with (data_dir / BLOCKSTATS_CSV).open(newline="") as f:
        rows = list(csv.DictReader(f))
    first = int(rows[0]["height"])
    work = base_chainwork(bits_of, first)
    prev = FIRST_PREV_HASH
    for r in rows:
        h = int(r["height"])
        bits = bits_of[h // EPOCH_BLOCKS]
        work += block_work(bits)
        out.append(
            Block(
                height=h,
                hash=r["blockhash"],
                prev_hash=prev,
                time=int(r["time"]),
                mediantime=int(r["mediantime"]),
                bits=bits,
                chainwork=work,
                txs=int(r["txs"]),
                ins=int(r["ins"]),
                outs=int(r["outs"]),
                total_size=int(r["total_size"]),
                total_weight=int(r["total_weight"]),
                totalfee=int(r["totalfee"]),
                subsidy=int(r["subsidy"]),
                total_out=int(r["total_out"]),
                extra=tuple((k, int(r[k])) for k in _EXTRA),
            )
        )
        prev = r["blockhash"]
    return out


def _header_only(height: int, block_hash: str, prev: str, bits: int, work: int) -> Block:
    t = GENESIS_TIME_S + 600 * height
    return Block(height, block_hash, prev, t, t - 3_000, bits, work, 1, 1, 2, 285, 1140,
                 0, 0, 0, tuple((k, 0) for k in _EXTRA))  # fmt: skip


def load_sparse(data_dir: Path, below: int) -> dict[int, Block]:
    """First and last block of every epoch that starts below ``below`` (header fields only)."""
    bits_of = epoch_bits(data_dir)
    with (data_dir / EPOCHS_CSV).open(newline="") as f:
        end_hash = {int(r["epoch"]): r["end_block_hash"] for r in csv.DictReader(f)}
    out: dict[int, Block] = {}
    for e in range(below // EPOCH_BLOCKS + 1):
        first, last = e * EPOCH_BLOCKS, (e + 1) * EPOCH_BLOCKS - 1
        if first < below:
            h = GENESIS_HASH if e == 0 else "0000000000" + hashlib.sha256(
                f"minerscope sparse {first}".encode()).hexdigest()[10:]  # fmt: skip
            prev = "" if e == 0 else end_hash[e - 1]
            out[first] = _header_only(
                first, h, prev, bits_of[e], base_chainwork(bits_of, first + 1)
            )
        if last < below:
            prev = (
                "0000000000"
                + hashlib.sha256(f"minerscope sparse {last - 1}".encode()).hexdigest()[10:]
            )
            out[last] = _header_only(
                last, end_hash[e], prev, bits_of[e], base_chainwork(bits_of, last + 1)
            )
    return out


class Chain:
    """A mutable view of the reference blocks: reorgs and a visible tip, thread-safe.

    ``sparse``: header-only blocks below the first reference block (:func:`load_sparse`).
    """

    def __init__(
        self,
        blocks: list[Block],
        *,
        visible_tip: int | None = None,
        sparse: dict[int, Block] | None = None,
    ) -> None:
        self.lock = threading.Lock()
        self.blocks = list(blocks)
        self.base = blocks[0].height
        self.visible_tip = blocks[-1].height if visible_tip is None else visible_tip
        self.by_hash = {b.hash: b for b in self.blocks}
        self.generation = 0
        self.coinbases: dict[int, Any] = {}  # height -> coinbase.CoinbaseSpec (pools tests)
        self.sparse = dict(sparse or {})  # private: tests may edit it
        self.sparse_by_hash = {b.hash: b for b in self.sparse.values()}

    def sparse_at(self, height: int) -> Block | None:
        """A header-only block below the reference blocks (first/last of an epoch)."""
        return self.sparse.get(height) if height < self.base else None

    def sparse_find(self, block_hash: str) -> Block | None:
        """A header-only block by hash."""
        return self.sparse_by_hash.get(block_hash)

    @property
    def tip(self) -> int:
        """Height of the best visible block."""
        return min(self.visible_tip, self.blocks[-1].height)

    def at(self, height: int) -> Block | None:
        """The visible block at ``height`` (None outside the served range)."""
        if height < self.base or height > self.tip:
            return None
        return self.blocks[height - self.base]

    def next_hash(self, height: int) -> str | None:
        """Hash of the visible block above ``height`` (None at the tip)."""
        b = self.at(height + 1)
        return None if b is None else b.hash

    def find(self, block_hash: str) -> Block | None:
        """A visible block by hash (stale blocks are forgotten)."""
        b = self.by_hash.get(block_hash)
        return b if b is not None and b.height <= self.tip else None

    def reorg(self, depth: int, tag: str = "alt", *, retarget_bits: int | None = None) -> int:
        """Replace the top ``depth`` visible blocks, and every block above, by a fork.

        The fork's blocks get new hashes and 1 sat more fees (so replaced rows differ);
        times stay. Bits and chainwork stay too, unless ``retarget_bits`` is given: then
        the fork's blocks from the first retarget height at or above the fork carry those
        bits (the fork retargeted differently) and chainwork is recomputed from the fork.
        Returns the first replaced height.
        """
        with self.lock:
            self.generation += 1
            fork = self.tip - depth + 1
            i0 = fork - self.base
            prev = self.blocks[i0 - 1].hash if i0 > 0 else FIRST_PREV_HASH
            work = self.blocks[i0 - 1].chainwork if i0 > 0 else 0
            retarget = -(-fork // EPOCH_BLOCKS) * EPOCH_BLOCKS
            for i in range(i0, len(self.blocks)):
                b = self.blocks[i]
                seed = f"{tag}:{self.generation}:{b.height}".encode()
                new_hash = "00000000000000000000" + hashlib.sha256(seed).hexdigest()[20:]
                nb = replace(b, hash=new_hash, prev_hash=prev, totalfee=b.totalfee + 1)
                if retarget_bits is not None:
                    bits = retarget_bits if b.height >= retarget else b.bits
                    work += block_work(bits)
                    nb = replace(nb, bits=bits, chainwork=work)
                self.blocks[i] = nb
                prev = new_hash
            self.by_hash = {b.hash: b for b in self.blocks}
            return fork
