"""Readers for block-times files: ``height,time_s`` CSVs and the pool attribution CSV.

A block-times file gives blocks by height and header time only (no hash): enough for
hash-rate windows, block times and the difficulty projection at block resolution, with
bits from the epochs table. The pool attribution file (``height,time_s,pool_slug``, e.g.
``../shared/data/pools/blocks_by_pool_664063_946236.csv``) is one with a pool column.

Every row is checked before anything is written, and the first bad one is reported as
one line naming the file, the line and the field:

- ``height``: a whole number >= 0;
- the time (``time_s``, ``time`` or ``timestamp``): Unix seconds (or an ISO-8601 time with
  a zone) between the genesis block (2009-01-03T18:15:05Z) and 2**32 - 1 (the header
  field is 32 bits); and, where the 11 blocks before it are in the file, later than their
  median (Bitcoin's median-time-past rule, which every block on the chain obeys);
- ``pool_slug`` (attribution files): a slug of the pool names (the tag file);
- a height given twice with another time or another pool is an error; an identical
  repeated line is skipped (and counted).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from . import limits
from .files import read_text_file

if TYPE_CHECKING:  # numpy is imported when a file is read: the CLI starts faster
    import numpy as np

GENESIS_TIME_S = 1_231_006_505  # block 0's header time, 2009-01-03T18:15:05Z
MAX_HEADER_TIME_S = 2**32 - 1  # nTime is an unsigned 32-bit field
MTP_BLOCKS = 11  # median-time-past span (Bitcoin Core ``CBlockIndex::nMedianTimeSpan``)
TIME_COLUMNS = ("time_s", "time", "timestamp")
POOL_COLUMNS = ("pool_slug", "pool")


@dataclass(frozen=True)
class BlockTimesFile:
    """A validated block-times file, sorted by height."""

    path: str
    heights: np.ndarray
    times_s: np.ndarray
    lines: np.ndarray
    pool_slugs: list[str] | None = None
    duplicates: int = 0

    def __len__(self) -> int:
        return len(self.heights)


#: A block-times file is at most this large (the 282,174-row attribution file is 7.6 MB). [bytes]
MAX_FILE_BYTES = 1 << 30


def _open(path: Path) -> list[str]:
    # the imports' safe reader: no FIFO or device, no NUL, UTF-8 only (one line otherwise)
    text = read_text_file(path, max_bytes=MAX_FILE_BYTES)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputError("empty file: expected a CSV header line", path=str(path), line=1)
    return lines


def _column(path: Path, header: list[str], names: tuple[str, ...], what: str) -> int:
    for n in names:
        if n in header:
            return header.index(n)
    raise InputError(
        f"not a {what} file: no column {' or '.join(names)} (found: {', '.join(header[:8])})",
        path=str(path),
        line=1,
    )


def _time(text: str) -> int:
    """Unix seconds, or an ISO-8601 time with a zone; ValueError otherwise."""
    try:
        return int(text)
    except ValueError:
        pass
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("no time zone")
    return int(moment.timestamp())


def read_blocktimes_csv(
    path: str | Path, *, pool_names: Mapping[str, str] | None = None, now_s: int | None = None
) -> BlockTimesFile:
    """Read and validate a block-times CSV (with ``pool_names``: an attribution CSV).

    Parameters
    ----------
    path : str or Path
        The CSV file: ``height`` and a time column; with ``pool_names``, also
        ``pool_slug`` (or ``pool``). Other columns are ignored.
    pool_names : mapping, optional
        Known pool slugs (slug -> name). Given: the file must have a pool column and
        every slug must be one of these.
    now_s : int, optional
        The clock: a time more than 2 h after it is refused, as Bitcoin Core refuses a
        header from the future (``MAX_FUTURE_BLOCK_TIME``). [Unix s]

    Raises
    ------
    InputError
        One line naming the file, the line (1 = header) and the field of the first
        bad row.
    """
    p = Path(path)
    latest_s = limits.max_time_s(now_s)
    lines = _open(p)
    reader = csv.reader(lines)
    header = [h.strip() for h in next(reader)]
    what = "pool attribution CSV" if pool_names is not None else "block-times CSV"
    hcol = _column(p, header, ("height",), what)
    tcol = _column(p, header, TIME_COLUMNS, what)
    tname = header[tcol]
    pcol = _column(p, header, POOL_COLUMNS, what) if pool_names is not None else None
    width = len(header)
    seen: dict[int, tuple[int, int, str]] = {}
    heights: list[int] = []
    times: list[int] = []
    line_nos: list[int] = []
    slugs: list[str] = []
    duplicates = 0
    fail_at = str(p)
    try:
        for values in reader:
            line = reader.line_num
            if not values or (len(values) == 1 and not values[0].strip()):
                continue
            if len(values) != width:
                raise InputError(
                    f"expected {width} fields, found {len(values)}", path=fail_at, line=line
                )
            h_text = values[hcol].strip()
            try:
                height = int(h_text)
            except ValueError:
                raise InputError(
                    f"{h_text!r} is not a whole number", path=fail_at, line=line, field="height"
                ) from None
            if height < 0:
                raise InputError(f"{height} is negative", path=fail_at, line=line, field="height")
            t_text = values[tcol].strip()
            try:
                time_s = _time(t_text)
            except ValueError:
                raise InputError(
                    f"{t_text!r} is not Unix seconds or an ISO-8601 time with a zone",
                    path=fail_at,
                    line=line,
                    field=tname,
                ) from None
            if not GENESIS_TIME_S <= time_s <= MAX_HEADER_TIME_S:
                raise InputError(
                    f"{time_s} is not a plausible block time (before the genesis block"
                    f" {GENESIS_TIME_S} or beyond the 32-bit header field)",
                    path=fail_at,
                    line=line,
                    field=tname,
                )
            if time_s > latest_s:
                raise InputError(
                    f"{time_s} is more than 2 h after the clock: a block from the future",
                    path=fail_at,
                    line=line,
                    field=tname,
                )
            slug = ""
            if pcol is not None:
                assert pool_names is not None
                slug = values[pcol].strip()
                if slug not in pool_names:
                    raise InputError(
                        f"{slug!r} is not a pool of the names file (see `minerscope pools"
                        " --list`, or add it with --tags FILE)",
                        path=fail_at,
                        line=line,
                        field=header[pcol],
                    )
            old = seen.get(height)
            if old is not None:
                if old[1] == time_s and old[2] == slug:
                    duplicates += 1
                    continue
                field_name = header[pcol] if pcol is not None and old[2] != slug else tname
                other = f"pool {old[2]!r}" if field_name != tname else f"time {old[1]}"
                mine = f"pool {slug!r}" if field_name != tname else f"time {time_s}"
                raise InputError(
                    f"height {height} repeats line {old[0]} with another {field_name}"
                    f" ({mine} here, {other} there)",
                    path=fail_at,
                    line=line,
                    field=field_name,
                )
            seen[height] = (line, time_s, slug)
            heights.append(height)
            times.append(time_s)
            line_nos.append(line)
            slugs.append(slug)
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", path=fail_at, line=reader.line_num) from exc
    if not heights:
        raise InputError("no data rows", path=fail_at, line=2)
    import numpy as np

    h = np.asarray(heights, dtype=np.int64)
    order = np.argsort(h, kind="stable")
    h = h[order]
    t = np.asarray(times, dtype=np.int64)[order]
    ln = np.asarray(line_nos, dtype=np.int64)[order]
    _check_median_time_past(p, h, t, ln, tname)
    return BlockTimesFile(
        path=str(p),
        heights=h,
        times_s=t,
        lines=ln,
        pool_slugs=[slugs[i] for i in order] if pcol is not None else None,
        duplicates=duplicates,
    )


def _check_median_time_past(
    p: Path, h: np.ndarray, t: np.ndarray, ln: np.ndarray, tname: str
) -> None:
    """Each block's time must exceed the median of the 11 before it (where all are given)."""
    import numpy as np

    if len(h) <= MTP_BLOCKS:
        return
    windows = np.lib.stride_tricks.sliding_window_view(t[:-1], MTP_BLOCKS)
    median = np.median(windows, axis=1)
    consecutive = (h[MTP_BLOCKS:] - h[:-MTP_BLOCKS]) == MTP_BLOCKS
    bad = np.flatnonzero(consecutive & (t[MTP_BLOCKS:] <= median))
    if len(bad):
        i = int(bad[0]) + MTP_BLOCKS
        raise InputError(
            f"block {int(h[i])} at {int(t[i])} is not later than the median time"
            f" {int(median[bad[0]])} of the {MTP_BLOCKS} blocks before it (Bitcoin's"
            " median-time-past rule): not the times of a chain",
            path=str(p),
            line=int(ln[i]),
            field=tname,
        )
