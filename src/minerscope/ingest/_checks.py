"""Checks across the lines of one import and against the stored chain.

:class:`SeenKeys` refuses a key (height, epoch, date, time) that repeats in a file, in flat
memory. :class:`TimeRule` applies Bitcoin Core's timestamp rule: a block's time must be
greater than the median of the 11 blocks before it (``ContextualCheckBlockHeader``,
"time-too-old"), using the file's own lines where they precede a block and the stored
blocks elsewhere (a file that starts mid-chain is checked against the stored blocks below
it, and stored blocks above a file's last line are checked against the file's). Real
blocks may be timestamped before their parent; Core allows that, and so do we.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import storage
from ..consensus import is_permitted_transition
from ..errors import ConflictError, InputError
from ..sources import limits
from ..sources.blockstats import MISSING, BlockRows

_SPAN = limits.MEDIAN_TIME_SPAN


class SeenKeys:
    """Integer keys met so far in one file, with the line of each, to refuse repeats."""

    def __init__(self) -> None:
        self._keys: list[np.ndarray] = []
        self._lines: list[np.ndarray] = []
        self._max: int | None = None

    def add(self, keys: np.ndarray, lines: np.ndarray) -> tuple[int, int] | None:
        """Remember a chunk's keys; the (chunk index, earlier line) of its first repeat."""
        if keys.size == 0:
            return None
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        sorted_lines = lines[order]
        hits: list[tuple[int, int]] = []
        same = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1])
        for d in same:  # the stable sort keeps file order among equal keys
            hits.append((int(order[d + 1]), int(sorted_lines[d])))
        if self._max is not None and sorted_keys[0] <= self._max:
            for known, known_lines in zip(self._keys, self._lines, strict=True):
                pos = np.minimum(np.searchsorted(known, keys), known.size - 1)
                for j in np.flatnonzero(known[pos] == keys):
                    hits.append((int(j), int(known_lines[pos[j]])))
        self._keys.append(sorted_keys)
        self._lines.append(sorted_lines)
        top = int(sorted_keys[-1])
        self._max = top if self._max is None else max(self._max, top)
        return min(hits) if hits else None

    def line_of(self, key: int) -> int | None:
        """The line a key was first met on, or None."""
        for known, known_lines in zip(self._keys, self._lines, strict=True):
            j = int(np.searchsorted(known, key))
            if j < known.size and known[j] == key:
                return int(known_lines[j])
        return None


def _median_time_past(times: np.ndarray) -> int:
    """Core's ``GetMedianTimePast`` of up to 11 times: the middle one (upper for even)."""
    ordered = np.sort(times)
    return int(ordered[ordered.size // 2])


class TimeRule:
    """Bitcoin Core's timestamp rule over the blocks of one import (see the module notes)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._tail_t = np.empty(0, dtype=np.int64)  # times of the last 11 lines
        self._last_h: int | None = None
        self._last_run = 0
        self._last_line = 0
        self._deferred_h: list[np.ndarray] = []
        self._deferred_l: list[np.ndarray] = []
        self._run_ends: list[tuple[int, int]] = []  # (height, line) of each run's last block

    def check(self, rows: BlockRows) -> None:
        """Check the lines whose 11 predecessors came just before them in the file; keep
        the others for :meth:`finish`."""
        h, t = rows.height, rows.time_s
        n = h.size
        step = np.empty(n, dtype=bool)
        step[1:] = h[1:] == h[:-1] + 1
        step[0] = self._last_h is not None and int(h[0]) == self._last_h + 1
        if self._last_h is not None and not step[0]:
            self._run_ends.append((self._last_h, self._last_line))
        idx = np.arange(n)
        brk = np.maximum.accumulate(np.where(step, -1, idx))
        # run[k]: lines just before line k whose heights run consecutively up to h[k] - 1
        run = np.where(brk >= 0, idx - brk, self._last_run + 1 + idx)
        times = np.concatenate([self._tail_t, t])
        off = self._tail_t.size
        full = idx[run >= _SPAN]
        if full.size:
            windows = sliding_window_view(times, _SPAN)[full + off - _SPAN]
            mtp = np.sort(windows, axis=1)[:, _SPAN // 2]
            bad = np.flatnonzero(t[full] <= mtp)
            if bad.size:
                raise self._too_old(rows, int(full[bad[0]]), int(mtp[bad[0]]))
        partial = idx[run < _SPAN]
        early = partial[(h[partial] < _SPAN) & (run[partial] >= h[partial])]
        for k in early.tolist():  # heights 0..10: Core takes the median of those there are
            if h[k] == 0:
                continue
            mtp_early = _median_time_past(times[k + off - int(h[k]) : k + off])
            if t[k] <= mtp_early:
                raise self._too_old(rows, k, mtp_early)
        rest = np.setdiff1d(partial, early, assume_unique=True)
        if rest.size:
            self._deferred_h.append(h[rest])
            self._deferred_l.append(rows.lines[rest])
        for k in np.flatnonzero(~step[1:]).tolist():  # line k ends a run of heights
            self._run_ends.append((int(h[k]), int(rows.lines[k])))
        self._tail_t = times[-_SPAN:]
        self._last_h = int(h[-1])
        self._last_run = int(run[-1])
        self._last_line = int(rows.lines[-1])

    def _too_old(self, rows: BlockRows, i: int, mtp: int) -> InputError:
        return rows.fail(
            i,
            "time_s",
            f"{rows.time_s[i]} is not after the median time of the 11 blocks before it ({mtp}):"
            " Bitcoin Core refuses such a block (time-too-old)",
        )

    def finish(self) -> None:
        """Check the remaining lines and the stored blocks just above each run, against the
        database (which now holds the file's blocks too)."""
        if self._last_h is not None:
            self._run_ends.append((self._last_h, self._last_line))
            self._last_h = None
        heights = [*self._deferred_h, *(np.arange(e + 1, e + _SPAN + 1) for e, _ in self._run_ends)]
        if not heights:
            return
        lines: dict[int, int] = {}
        for hh, ll in zip(self._deferred_h, self._deferred_l, strict=True):
            lines.update(zip(hh.tolist(), ll.tolist(), strict=True))
        ends = sorted(self._run_ends)
        todo = np.unique(np.concatenate(heights))
        todo = todo[todo <= limits.MAX_HEIGHT]
        # ranges of nearby heights, each fetched with the 11 blocks below it
        cuts = np.flatnonzero(np.diff(todo) > _SPAN) + 1
        for part in np.split(todo, cuts):
            lo, hi = int(part[0]), int(part[-1])
            sh, st = storage.block_time_rows(self.conn, max(lo - _SPAN, 0), hi)
            pos = {int(x): j for j, x in enumerate(sh.tolist())}
            for x in part.tolist():
                j = pos.get(x)
                if j is None or x == 0:
                    continue
                need = min(x, _SPAN)
                if j < need or sh[j - need] != x - need:
                    continue  # a predecessor is neither stored nor in the file: cannot tell
                mtp = _median_time_past(st[j - need : j])
                if st[j] > mtp:
                    continue
                if x in lines:
                    raise InputError(
                        f"{st[j]} is not after the median time of the 11 blocks before it"
                        f" ({mtp}): Bitcoin Core refuses such a block (time-too-old)",
                        path=str(self.path),
                        line=lines[x],
                        field="time",
                    )
                below = [e for e in ends if e[0] < x]
                line = below[-1][1] if below else None
                raise ConflictError(
                    f"with this file's blocks, the stored block {x} (time {st[j]}) is not after"
                    f" the median time of the 11 blocks before it ({mtp}): the file's times"
                    " contradict the stored chain",
                    key=x,
                    path=str(self.path),
                    line=line,
                    field="time",
                )


class EpochBits:
    """Bits given on block lines: one value per epoch, permitted transitions between epochs."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._seen: dict[int, tuple[int, int]] = {}  # epoch -> (bits, first line)

    def check(self, rows: BlockRows) -> None:
        """Refuse a line whose bits differ from an earlier line of the same epoch."""
        if rows.bits is None:
            return
        given = np.flatnonzero(rows.bits != MISSING)
        epochs = rows.height[given] // limits.EPOCH_BLOCKS
        for i, e in zip(given.tolist(), epochs.tolist(), strict=True):
            bits = int(rows.bits[i])
            known = self._seen.get(e)
            if known is None:
                self._seen[e] = (bits, int(rows.lines[i]))
            elif known[0] != bits:
                raise rows.fail(
                    i,
                    "bits",
                    f"{bits:08x} differs from {known[0]:08x} on line {known[1]} in the same"
                    f" epoch {e} (bits change only every 2016 blocks)",
                )

    def finish(self, fail: Callable[[int, int, str], InputError]) -> None:
        """Refuse bits that no retarget can reach from the neighbouring epoch's (x4 or /4).

        ``fail(epoch, line, why)`` builds the error for the first line of the later epoch of
        the pair (of the file's epoch when the other one is stored).
        """
        if not self._seen:
            return
        stored = {int(e): int(b) for e, b in storage.epoch_bits_between(
            self.conn, min(self._seen) - 1, max(self._seen) + 1)}  # fmt: skip
        bits_of = {**stored, **{e: v[0] for e, v in self._seen.items()}}
        for e in sorted(self._seen):
            for before, after in ((e - 1, e), (e, e + 1)):
                if before in bits_of and after in bits_of and before >= 0:
                    old, new = bits_of[before], bits_of[after]
                    if not is_permitted_transition(after * limits.EPOCH_BLOCKS, old, new):
                        blamed = after if after in self._seen else e  # the later line
                        raise fail(
                            blamed,
                            self._seen[blamed][1],
                            f"bits {new:08x} of epoch {after} cannot follow {old:08x} of epoch"
                            f" {before}: a retarget changes the target by at most 4x",
                        )
