"""A vectorised reader for plain CSV blocks: the fast path of the getblockstats import.

A block of lines qualifies when it has no quote characters, no carriage return other than
one right before a newline, and exactly the header's number of fields on every line. Its
fields are then located with numpy, and integer and hash columns are decoded without a
Python loop. Anything else (a quoted field, a short line, an empty or non-digit field ...)
returns None and the strict line-by-line reader takes the block, so the error it reports
names the exact line and field. The fast path accepts a subset of what the strict reader
accepts: decimal digits only (at most 18, so every value fits in int64), lowercase hex.
"""

from __future__ import annotations

from typing import Final

import numpy as np

MAX_DIGITS: Final = 18
_POW10: Final = 10 ** np.arange(MAX_DIGITS - 1, -1, -1, dtype=np.int64)
_OFFSETS: Final = np.arange(MAX_DIGITS, dtype=np.int64)
_HASH_LEN: Final = 64
_HASH_OFFSETS: Final = np.arange(_HASH_LEN, dtype=np.int64)
_IS_LOWER_HEX: Final = np.zeros(256, dtype=bool)
_IS_LOWER_HEX[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = True
_NEWLINE: Final = ord("\n")
_COMMA: Final = ord(",")
_CR: Final = ord("\r")
_ZERO: Final = ord("0")


class Fields:
    """Field boundaries of a qualifying block: ``starts[i, k]`` to ``ends[i, k]`` (exclusive)
    is field k of line i."""

    def __init__(self, raw: bytes, data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> None:
        self.raw = raw
        self.data = data
        self.starts = starts
        self.ends = ends

    @property
    def rows(self) -> int:
        """Lines in the block."""
        return int(self.starts.shape[0])

    def ints(self, column: int) -> np.ndarray | None:
        """Column ``column`` as int64, or None unless every field is 1-18 ASCII digits."""
        start = self.starts[:, column]
        end = self.ends[:, column]
        length = end - start
        if length.size == 0 or length.min() < 1:
            return None
        width = int(length.max())
        if width > MAX_DIGITS:
            return None
        pos = end[:, None] - width + _OFFSETS[None, :width]
        inside = pos >= start[:, None]
        digits = self.data[np.where(inside, pos, 0)] - np.uint8(_ZERO)  # wraps below '0'
        if not np.all((digits <= 9) | ~inside):
            return None
        values: np.ndarray = np.where(inside, digits, 0).astype(np.int64) @ _POW10[-width:]
        return values

    def hashes(self, column: int) -> list[str] | None:
        """Column ``column`` as str, or None unless every field is 64 lowercase hex digits."""
        start = self.starts[:, column]
        if not np.all(self.ends[:, column] - start == _HASH_LEN):
            return None
        if not _IS_LOWER_HEX[self.data[start[:, None] + _HASH_OFFSETS[None, :]]].all():
            return None
        raw = self.raw
        return [raw[s : s + _HASH_LEN].decode() for s in start.tolist()]


def locate_fields(block: bytes, columns: int) -> Fields | None:
    """Field boundaries of a block of whole lines, or None when it does not qualify."""
    if columns < 2 or b'"' in block:
        return None
    data = np.frombuffer(block, dtype=np.uint8)
    newlines = np.flatnonzero(data == _NEWLINE)
    rows = newlines.size
    if rows == 0:
        return None
    crs = block.count(b"\r")
    line_end = newlines
    if crs:
        if crs != block.count(b"\r\n"):
            return None
        line_end = newlines - (data[newlines - 1] == _CR)
    commas = np.flatnonzero(data == _COMMA)
    if commas.size != rows * (columns - 1):
        return None
    before = np.searchsorted(commas, newlines)
    if not np.all(np.diff(before, prepend=0) == columns - 1):
        return None
    grid = commas.reshape(rows, columns - 1)
    starts = np.empty((rows, columns), dtype=np.int64)
    ends = np.empty((rows, columns), dtype=np.int64)
    starts[0, 0] = 0
    starts[1:, 0] = newlines[:-1] + 1
    starts[:, 1:] = grid + 1
    ends[:, :-1] = grid
    ends[:, -1] = line_end
    return Fields(block, data, starts, ends)
