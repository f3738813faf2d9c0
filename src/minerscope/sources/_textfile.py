"""Reading input files safely: regular files only, UTF-8 text, no NUL bytes, bounded lines.

Every import reads its file through :class:`TextFile`. Before a byte is read the path must be
a regular file (a FIFO would block, ``/dev/zero`` never ends); the file is read at most to
the size it had when it was opened, in blocks of whole lines, each checked for NUL bytes and
UTF-8. Errors name the file and the line.
"""

from __future__ import annotations

import csv
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Final

from ..errors import InputError

#: Bytes read at a time (the blocks handed to the parsers end at a line end). [bytes]
BLOCK_BYTES: Final = 1 << 21
#: Longest line accepted: a longer one is not a line of any format we read. [bytes]
MAX_LINE_BYTES: Final = 1 << 20
#: Most bytes read from a file whose size the system does not report (``/proc`` ...). [bytes]
MAX_UNSIZED_BYTES: Final = 1 << 26

_MAGIC: Final = (
    (b"\x1f\x8b", "is gzip-compressed: decompress it first"),
    (b"PK\x03\x04", "is a ZIP archive: extract the file first"),
    (b"SQLite format 3\x00", "is an SQLite database, not a text file"),
    (b"PAR1", "is a Parquet file: convert it to CSV first"),
    (b"\xff\xfe", "is UTF-16 text: save it as UTF-8"),
    (b"\xfe\xff", "is UTF-16 text: save it as UTF-8"),
)
_UTF8_BOM: Final = b"\xef\xbb\xbf"


def _refuse(path: Path, why: str, line: int | None = None) -> InputError:
    return InputError(why, path=str(path), line=line)


class TextFile:
    """An input file opened for reading in blocks of whole lines.

    Parameters
    ----------
    path : Path
        The file. It must be a regular file; anything else is refused before reading.

    Attributes
    ----------
    header : str
        The first line (without its line end and a UTF-8 byte-order mark), decoded.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        p = self.path
        try:
            st = os.stat(p)
        except FileNotFoundError:
            raise _refuse(p, "cannot read file: no such file") from None
        except NotADirectoryError:
            raise _refuse(p, "cannot read file: a folder in the path is a file") from None
        except OSError as exc:
            raise _refuse(p, f"cannot read file: {exc.strerror or exc}") from None
        if stat.S_ISDIR(st.st_mode):
            raise _refuse(p, "is a directory, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise _refuse(p, "is not a regular file (a FIFO, device or socket): give a file")
        flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
        try:
            fd = os.open(p, flags)
        except OSError as exc:
            raise _refuse(p, f"cannot read file: {exc.strerror or exc}") from None
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # replaced between the two looks
            os.close(fd)
            raise _refuse(p, "is not a regular file (a FIFO, device or socket): give a file")
        self._unsized = st.st_size == 0
        self._remaining = MAX_UNSIZED_BYTES if self._unsized else st.st_size
        self._fh = os.fdopen(fd, "rb", buffering=0)
        self._pending = b""
        self._eof = False
        self.header = ""
        try:
            self.header = self._read_header()
        except BaseException:
            self.close()
            raise

    # --- low level ------------------------------------------------------------------------

    def _read(self, n: int) -> bytes:
        if self._eof:
            return b""
        if self._remaining <= 0:
            if self._unsized and self._more():
                raise _refuse(self.path, "has no fixed size and does not end (a special file?)")
            self._eof = True  # a regular file is read up to the size it had when opened
            return b""
        try:
            data = self._fh.read(min(n, self._remaining))
        except BlockingIOError:
            raise _refuse(self.path, "cannot be read without waiting (a special file?)") from None
        except OSError as exc:
            raise _refuse(self.path, f"cannot read file: {exc.strerror or exc}") from None
        if data is None:
            raise _refuse(self.path, "cannot be read without waiting (a special file?)")
        if not data:
            self._eof = True
        self._remaining -= len(data)
        return data

    def _more(self) -> bool:
        try:
            return bool(self._fh.read(1))
        except OSError:
            return False

    def _read_header(self) -> str:
        first = self._read(BLOCK_BYTES)
        for magic, why in _MAGIC:
            if first.startswith(magic):
                raise _refuse(self.path, why)
        if first.startswith(_UTF8_BOM):
            first = first[len(_UTF8_BOM) :]
        self._pending = first
        end = self._pending.find(b"\n")
        while end < 0 and not self._eof:
            if len(self._pending) > MAX_LINE_BYTES:
                raise _refuse(self.path, "the first line is longer than 1 MiB: not a CSV file", 1)
            self._pending += self._read(BLOCK_BYTES)
            end = self._pending.find(b"\n")
        if end < 0:
            end = len(self._pending)
        raw, self._pending = self._pending[:end], self._pending[end + 1 :]
        check_block(self.path, raw, 1)
        return raw.decode("utf-8").removesuffix("\r")

    # --- blocks ---------------------------------------------------------------------------

    def blocks(self) -> Iterator[tuple[int, bytes]]:
        """(line number of the first line, bytes of whole lines each ending in a newline).

        Line numbers count from 1 = the header. Each block is checked by
        :func:`check_block` (NUL bytes, UTF-8) before it is handed out.
        """
        line = 2
        pending = self._pending
        self._pending = b""
        while True:
            data = self._read(BLOCK_BYTES)
            if not data:
                break
            pending += data
            cut = pending.rfind(b"\n")
            if cut < 0:
                if len(pending) > MAX_LINE_BYTES:
                    raise _refuse(
                        self.path, "line longer than 1 MiB: not a file of this kind", line
                    )
                continue
            block, pending = pending[: cut + 1], pending[cut + 1 :]
            if len(pending) > MAX_LINE_BYTES:
                n = line + block.count(b"\n")
                raise _refuse(self.path, "line longer than 1 MiB: not a file of this kind", n)
            check_block(self.path, block, line)
            yield line, block
            line += block.count(b"\n")
        if pending:
            block = pending if pending.endswith(b"\n") else pending + b"\n"  # no last newline
            check_block(self.path, block, line)
            yield line, block

    def read_all(self) -> str:
        """The rest of the file after the header line, decoded (for JSON documents)."""
        parts = [block for _, block in self.blocks()]
        return b"".join(parts).decode("utf-8")

    def close(self) -> None:
        """Close the file."""
        self._fh.close()

    def __enter__(self) -> TextFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def check_block(path: Path, block: bytes, first_line: int) -> None:
    """Refuse a block holding a NUL byte or bytes that are not UTF-8, naming the line."""
    nul = block.find(b"\x00")
    if nul >= 0:
        line = first_line + block.count(b"\n", 0, nul)
        raise _refuse(path, "contains a NUL byte: not a text file (binary, or UTF-16?)", line)
    if block.isascii():
        return
    try:
        block.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = first_line + block.count(b"\n", 0, exc.start)
        bad = block[exc.start : exc.start + 1].hex()
        raise _refuse(path, f"is not UTF-8 text (byte 0x{bad})", line) from None


# --- CSV lines ----------------------------------------------------------------------------


def split_csv_line(path: Path, text: str, line: int) -> list[str]:
    """The fields of one CSV line (quotes as in RFC 4180); a stray carriage return is an error."""
    if "\r" in text:
        raise _refuse(
            path,
            "carriage return inside a line (old Mac line ends?): use \\n or \\r\\n line ends",
            line,
        )
    if '"' not in text:
        return text.split(",")
    try:
        rows = list(csv.reader([text], strict=True))
    except csv.Error as exc:
        raise _refuse(path, f"malformed CSV: {exc}", line) from None
    if len(rows) != 1:
        raise _refuse(path, "malformed CSV: a quoted field runs past the end of the line", line)
    return rows[0]


def csv_lines(path: Path, block: bytes, first_line: int) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each non-blank line of a block."""
    text = block.decode("utf-8")
    for offset, raw in enumerate(text.split("\n")[:-1]):
        raw = raw.removesuffix("\r")
        if not raw.strip():
            continue
        yield first_line + offset, split_csv_line(path, raw, first_line + offset)


def parse_header(path: Path, header: str) -> list[str]:
    """Column names of a CSV header line; an empty first line or a repeated name is an error."""
    if not header.strip():
        raise _refuse(path, "empty file: expected a CSV header line", 1)
    names = [h.strip() for h in split_csv_line(path, header, 1)]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise _refuse(path, f"column {name!r} appears twice in the header", 1)
        seen.add(name)
    return names
