"""A whole chain (heights 0..934,575) for the RPC server, held compactly in numpy arrays.

Serves ``benchmarks/.cache/wholechain_blockstats_0_934575.csv`` (built by
``benchmarks/wholechain.py``) with the header fields that file lacks filled as in
:mod:`tests.servers.chain`: ``bits`` from the block's Electrum epoch
(``../shared/data/difficulty_epochs_electrum.csv``), ``prev_hash`` the previous row's
hash (genesis has none), ``chainwork`` the work of every block up to and including this
one (Bitcoin Core ``GetBlockProof`` summed), so every header links to the one below and
the sync's checks pass exactly as on a real node.

The columns are numpy arrays (about 200 MiB for 934,576 blocks) and :class:`Block`
objects are built only when a block is asked for, so a server process stays small. The
parsed arrays are cached beside the CSV (``.npz``) so a second start takes a second.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from minerscope.consensus import block_work

from .chain import EPOCH_BLOCKS, Block

_INT_COLUMNS = (
    "time", "mediantime", "txs", "ins", "outs", "total_size", "total_weight",
    "totalfee", "subsidy", "total_out", "avgfee", "avgfeerate", "medianfee",
    "minfeerate", "maxfeerate", "swtxs",
)  # fmt: skip
_EXTRA = ("avgfee", "avgfeerate", "medianfee", "minfeerate", "maxfeerate", "swtxs")


def _read_csv(path: Path) -> dict[str, np.ndarray]:
    import pandas as pd

    frame = pd.read_csv(path, usecols=["height", "blockhash", *_INT_COLUMNS])
    heights = frame["height"].to_numpy(dtype=np.int64)
    if not np.array_equal(heights, np.arange(len(heights))):
        raise ValueError(f"{path}: heights are not 0..{len(heights) - 1} in order")
    cols = {c: frame[c].to_numpy(dtype=np.int64) for c in _INT_COLUMNS}
    cols["hash"] = frame["blockhash"].to_numpy(dtype="S64")
    return cols


class WholeChain:
    """Every block of the whole-chain CSV; the same read interface as ``Chain``.

    ``visible_tip`` hides the blocks above it (a node still catching up).
    """

    def __init__(self, csv_path: Path, epochs_csv: Path, *, visible_tip: int | None = None):
        cache = csv_path.with_suffix(".npz")
        if cache.exists() and cache.stat().st_mtime >= csv_path.stat().st_mtime:
            with np.load(cache) as z:
                cols = {k: z[k] for k in z.files}
        else:
            cols = _read_csv(csv_path)
            np.savez(cache.with_suffix(".tmp.npz"), **cols)  # type: ignore[arg-type]
            cache.with_suffix(".tmp.npz").replace(cache)
        self.hashes: np.ndarray = cols["hash"]
        self.n = len(self.hashes)
        self.base = 0
        self.visible_tip = self.n - 1 if visible_tip is None else visible_tip
        self._order = np.argsort(self.hashes, kind="stable")
        self._sorted = self.hashes[self._order]
        with epochs_csv.open(newline="") as f:
            self.bits_of = {int(r["epoch"]): int(r["bits_hex"], 16) for r in csv.DictReader(f)}
        # chainwork before each epoch's first block, then + (k + 1) x that epoch's block work
        self.work_of = {e: block_work(b) for e, b in self.bits_of.items()}
        self.work_before: dict[int, int] = {}
        total = 0
        for e in range((self.n - 1) // EPOCH_BLOCKS + 1):
            self.work_before[e] = total
            total += EPOCH_BLOCKS * self.work_of[e]
        self._matrix = np.stack([cols[c] for c in _INT_COLUMNS], axis=1)  # one row a block

    @property
    def tip(self) -> int:
        """Height of the best visible block."""
        return min(self.visible_tip, self.n - 1)

    def _hash(self, height: int) -> str:
        return bytes(self.hashes[height]).decode()

    def at(self, height: int) -> Block | None:
        """The visible block at ``height``."""
        if height < 0 or height > self.tip:
            return None
        e = height // EPOCH_BLOCKS
        (time, mtp, txs, ins, outs, size, weight, fee, subsidy, total_out,
         *extra) = self._matrix[height].tolist()  # fmt: skip
        return Block(
            height=height,
            hash=self._hash(height),
            prev_hash=self._hash(height - 1) if height > 0 else "",
            time=time,
            mediantime=mtp,
            bits=self.bits_of[e],
            chainwork=self.work_before[e] + (height - e * EPOCH_BLOCKS + 1) * self.work_of[e],
            txs=txs,
            ins=ins,
            outs=outs,
            total_size=size,
            total_weight=weight,
            totalfee=fee,
            subsidy=subsidy,
            total_out=total_out,
            extra=tuple(zip(_EXTRA, extra, strict=True)),
        )

    def next_hash(self, height: int) -> str | None:
        """Hash of the visible block above ``height`` (None at the tip)."""
        return self._hash(height + 1) if height < self.tip else None

    def find(self, block_hash: str) -> Block | None:
        """A visible block by hash."""
        key = np.bytes_(block_hash.encode())
        i = int(np.searchsorted(self._sorted, key))
        if i >= self.n or self._sorted[i] != key:
            return None
        return self.at(int(self._order[i]))

    def sparse_at(self, height: int) -> Block | None:
        """Every height is served in full: no header-only blocks."""
        return None

    def sparse_find(self, block_hash: str) -> Block | None:
        """Every height is served in full: no header-only blocks."""
        return None
