"""Bitcoin Core ``getblockstats`` CSV: a streaming reader and the checks each line must pass.

The file is read in blocks of lines (:class:`~minerscope.sources._textfile.TextFile`), so
memory stays flat whatever its size. A block of plain lines is decoded with numpy
(:mod:`~minerscope.sources._csvfast`); any other block (quoted fields, empty fields, CRLF
mixed with CR ...) goes through the strict line reader, which names the line and field of
the first bad value. Both hand the same columns to :func:`check_rows`, so what is accepted,
and the error for what is not, does not depend on the path taken.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Final

import numpy as np

from ..consensus import MAINNET, target_from_bits
from ..errors import InputError
from . import limits
from ._csvfast import MAX_DIGITS, locate_fields
from ._csvrows import bits_problem
from ._textfile import TextFile, csv_lines, parse_header

REQUIRED: Final = ("height", "blockhash", "time")
#: getblockstats column -> our name, for the optional integer columns we keep.
OPTIONAL_INTS: Final = {
    "mediantime": "median_time_s",
    "txs": "tx_count",
    "total_size": "size_bytes",
    "total_weight": "weight_wu",
    "totalfee": "fees_sat",
    "subsidy": "subsidy_sat",
}
_HASH_RE: Final = re.compile(r"[0-9a-fA-F]{64}")
_BITS_RE: Final = re.compile(r"(0[xX])?[0-9a-fA-F]{8}")
_INT_RE: Final = re.compile(r"[0-9]+(\.0*)?")
_HALVINGS_MAX: Final = 64
_INITIAL_SUBSIDY_SAT: Final = 50 * 100_000_000
MISSING: Final = -1  # an empty optional field (every real value is >= 0)


@dataclass
class BlockRows:
    """Consecutive data lines of a getblockstats file as columns.

    Integer columns are int64 arrays; an empty optional field is :data:`MISSING`. A column
    the file does not have is absent from ``optional`` (``bits`` is None).
    """

    path: Path
    lines: np.ndarray
    height: np.ndarray
    hash: list[str]
    time_s: np.ndarray
    optional: dict[str, np.ndarray] = field(default_factory=dict)
    bits: np.ndarray | None = None
    source_columns: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.height.size)

    def fail(self, index: int, name: str, why: str) -> InputError:
        """An error naming the file, the line of row ``index`` and the file's column."""
        column = self.source_columns.get(name, name)
        return InputError(why, path=str(self.path), line=int(self.lines[index]), field=column)


class BlockstatsFile:
    """An open getblockstats CSV: the header is checked on opening, rows come in blocks.

    Parameters
    ----------
    path : Path
        The CSV file. Required columns ``height``, ``blockhash``, ``time``; used when
        present: ``mediantime``, ``txs``, ``total_size``, ``total_weight``, ``totalfee``,
        ``subsidy`` and ``bits``; others are ignored.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._text = TextFile(self.path)
        try:
            names = parse_header(self.path, self._text.header)
            missing = [c for c in REQUIRED if c not in names]
            if missing:
                shown = ", ".join(names[:12]) + ("..." if len(names) > 12 else "")
                raise InputError(
                    f"not a getblockstats CSV file: missing column(s) {', '.join(missing)}"
                    f" (found: {shown})",
                    path=str(self.path),
                    line=1,
                )
        except BaseException:
            self._text.close()
            raise
        self.columns = names
        self._index = {n: i for i, n in enumerate(names)}
        self.has_bits = "bits" in self._index
        self.optional = [c for c in OPTIONAL_INTS if c in self._index]
        self.fast_blocks = 0
        self.strict_blocks = 0

    def __enter__(self) -> BlockstatsFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._text.close()

    def _source_columns(self) -> dict[str, str]:
        out = {"height": "height", "hash": "blockhash", "time_s": "time", "bits": "bits"}
        out.update({ours: theirs for theirs, ours in OPTIONAL_INTS.items()})
        return out

    def chunks(self, *, fast: bool = True) -> Iterator[BlockRows]:
        """The data lines, a block at a time (``fast=False`` forces the strict reader)."""
        for first_line, block in self._text.blocks():
            rows = self._fast(first_line, block) if fast else None
            if rows is None:
                rows = self._strict(first_line, block)
                self.strict_blocks += 1
            else:
                self.fast_blocks += 1
            if len(rows):
                yield rows

    def _fast(self, first_line: int, block: bytes) -> BlockRows | None:
        if self.has_bits:
            return None  # a bits column is rare: the strict reader takes it
        fields = locate_fields(block, len(self.columns))
        if fields is None:
            return None
        height = fields.ints(self._index["height"])
        time_s = fields.ints(self._index["time"])
        hashes = fields.hashes(self._index["blockhash"])
        if height is None or time_s is None or hashes is None:
            return None
        optional: dict[str, np.ndarray] = {}
        for name in self.optional:
            values = fields.ints(self._index[name])
            if values is None:
                return None
            optional[OPTIONAL_INTS[name]] = values
        lines = np.arange(first_line, first_line + fields.rows, dtype=np.int64)
        return BlockRows(
            self.path, lines, height, hashes, time_s, optional, None, self._source_columns()
        )

    def _strict(self, first_line: int, block: bytes) -> BlockRows:
        width = len(self.columns)
        idx = self._index
        lines: list[int] = []
        height: list[int] = []
        hashes: list[str] = []
        time_s: list[int] = []
        optional: dict[str, list[int]] = {OPTIONAL_INTS[c]: [] for c in self.optional}
        bits: list[int] = []
        for line, values in csv_lines(self.path, block, first_line):
            if len(values) != width:
                raise InputError(
                    f"expected {width} fields, found {len(values)} (truncated or extra fields)",
                    path=str(self.path),
                    line=line,
                )
            lines.append(line)
            height.append(_int_field(self.path, line, "height", values[idx["height"]]))
            hashes.append(_hash_field(self.path, line, values[idx["blockhash"]]))
            time_s.append(_int_field(self.path, line, "time", values[idx["time"]]))
            for name in self.optional:
                optional[OPTIONAL_INTS[name]].append(
                    _int_field(self.path, line, name, values[idx[name]], optional=True)
                )
            if self.has_bits:
                bits.append(_bits_field(self.path, line, values[idx["bits"]]))
        return BlockRows(
            self.path,
            np.array(lines, dtype=np.int64),
            np.array(height, dtype=np.int64),
            hashes,
            np.array(time_s, dtype=np.int64),
            {k: np.array(v, dtype=np.int64) for k, v in optional.items()},
            np.array(bits, dtype=np.int64) if self.has_bits else None,
            self._source_columns(),
        )


def _int_field(path: Path, line: int, name: str, raw: str, *, optional: bool = False) -> int:
    text = raw.strip()
    if text == "":
        if optional:
            return MISSING
        raise InputError("empty value", path=str(path), line=line, field=name)
    if text.startswith("-") and _INT_RE.fullmatch(text[1:]):
        raise InputError(f"{text} is negative", path=str(path), line=line, field=name)
    if not _INT_RE.fullmatch(text):
        raise InputError(f"{text!r} is not an integer", path=str(path), line=line, field=name)
    digits = text.split(".")[0].lstrip("0") or "0"
    if len(digits) > MAX_DIGITS:
        raise InputError(
            f"{text[:24]}{'...' if len(text) > 24 else ''} is too large ({len(digits)} digits)",
            path=str(path),
            line=line,
            field=name,
        )
    return int(digits)


def _hash_field(path: Path, line: int, raw: str) -> str:
    text = raw.strip()
    if not _HASH_RE.fullmatch(text):
        shown = text if len(text) <= 80 else text[:80] + "..."
        raise InputError(
            f"{shown!r} is not a 64-hex-digit block hash", path=str(path), line=line,
            field="blockhash",
        )  # fmt: skip
    return text.lower()


def _bits_field(path: Path, line: int, raw: str) -> int:
    text = raw.strip()
    if text == "":
        return MISSING
    if not _BITS_RE.fullmatch(text):
        raise InputError(
            f"{text!r} is not a compact target (8 hex digits)", path=str(path), line=line,
            field="bits",
        )  # fmt: skip
    return int(text, 16)


# --- checks of each line ------------------------------------------------------------------


def expected_subsidy_sat(height: np.ndarray) -> np.ndarray:
    """The consensus subsidy at each height (Core ``GetBlockSubsidy``). [sat]"""
    halvings = height // MAINNET.subsidy_halving_interval
    shifted = np.right_shift(_INITIAL_SUBSIDY_SAT, np.minimum(halvings, _HALVINGS_MAX - 1))
    return np.where(halvings < _HALVINGS_MAX, shifted, 0)


def check_rows(rows: BlockRows, *, now_s: int | None) -> None:
    """Refuse the first line (in file order) that cannot be a real block.

    Checks: height <= 2^31-1 and height 0 is the genesis block; time from the genesis
    time to ``now_s`` + 2 h (Core's ``MAX_FUTURE_BLOCK_TIME``; without ``now_s`` the
    header's uint32 limit); ``mediantime`` not above ``time`` nor below the genesis time;
    1..16,666 transactions; size and weight at most 4,000,000 (and size <= weight <= 4 x
    size); fees at most ``MAX_MONEY``; subsidy equal to the schedule; bits a valid compact
    target no easier than the pow limit that the block hash meets.
    """
    problems: list[tuple[int, str, str]] = []

    def first(mask: np.ndarray, name: str, why: object) -> None:
        bad = np.flatnonzero(mask)
        if bad.size:
            i = int(bad[0])
            problems.append((i, name, why(i) if callable(why) else str(why)))

    h, t = rows.height, rows.time_s
    first(h > limits.MAX_HEIGHT, "height", lambda i: f"{h[i]} is above the largest height 2^31-1")
    genesis = np.flatnonzero(h == 0)
    for i in genesis[:1]:
        if rows.hash[int(i)] != limits.GENESIS_HASH:
            problems.append(
                (int(i), "hash", f"height 0 must be the genesis block {limits.GENESIS_HASH}")
            )
    latest = limits.max_time_s(now_s)
    first(
        t < limits.GENESIS_TIME_S,
        "time_s",
        lambda i: f"{t[i]} is before the genesis block ({limits.GENESIS_TIME_S}, 2009-01-03)",
    )
    first(
        t > latest,
        "time_s",
        lambda i: (
            f"{t[i]} is in the future (more than 2 h past the clock)"
            if now_s is not None and t[i] <= limits.MAX_HEADER_TIME_S
            else f"{t[i]} does not fit a block header's 32-bit time (ms instead of s?)"
        ),
    )
    opt = rows.optional
    if "median_time_s" in opt:
        m = opt["median_time_s"]
        present = m != MISSING
        first(
            present & (m > t),
            "median_time_s",
            lambda i: f"{m[i]} is later than the block time {t[i]}",
        )
        first(
            present & (m < limits.GENESIS_TIME_S),
            "median_time_s",
            lambda i: f"{m[i]} is before the genesis block ({limits.GENESIS_TIME_S})",
        )
    if "tx_count" in opt:
        n = opt["tx_count"]
        first(n == 0, "tx_count", "0 transactions: every block has a coinbase")
        first(
            n > limits.MAX_TX_PER_BLOCK,
            "tx_count",
            lambda i: (
                f"{n[i]} transactions cannot fit in a block (at most {limits.MAX_TX_PER_BLOCK:,})"
            ),
        )
    size = opt.get("size_bytes")
    weight = opt.get("weight_wu")
    if size is not None:
        first(
            size > limits.MAX_BLOCK_SIZE_BYTES,
            "size_bytes",
            lambda i: f"{size[i]} bytes is above the block size limit 4,000,000",
        )
    if weight is not None:
        first(
            weight > limits.MAX_BLOCK_WEIGHT_WU,
            "weight_wu",
            lambda i: f"{weight[i]} WU is above the block weight limit 4,000,000",
        )
    if size is not None and weight is not None:
        both = (size != MISSING) & (weight != MISSING)
        rule = "weight = 3 x base size + total size, so size <= weight <= 4 x size"
        first(
            both & (size > weight),
            "size_bytes",
            lambda i: f"{size[i]} bytes is more than the block's weight {weight[i]} WU ({rule})",
        )
        first(
            both & (weight > 4 * size),
            "weight_wu",
            lambda i: f"{weight[i]} WU is more than 4 x the block's size {size[i]} bytes ({rule})",
        )
    if "fees_sat" in opt:
        fee = opt["fees_sat"]
        first(
            fee > limits.MAX_MONEY_SAT,
            "fees_sat",
            lambda i: f"{fee[i]} sat is more than all bitcoin there can be (21,000,000 BTC)",
        )
    if "subsidy_sat" in opt:
        sub = opt["subsidy_sat"]
        expected = expected_subsidy_sat(np.minimum(h, limits.MAX_HEIGHT))
        first(
            (sub != MISSING) & (sub != expected),
            "subsidy_sat",
            lambda i: (
                f"{sub[i]} sat is not the consensus subsidy at height {h[i]} ({expected[i]} sat)"
            ),
        )
    if rows.bits is not None:
        for i in np.flatnonzero(rows.bits != MISSING):
            why = _bits_problem(int(rows.bits[i]), rows.hash[int(i)])
            if why is not None:
                problems.append((int(i), "bits", why))
                break
    if problems:
        i, name, why = min(problems, key=lambda p: p[0])
        raise rows.fail(i, name, why)


def _bits_problem(bits: int, block_hash: str) -> str | None:
    problem = bits_problem(bits)
    if problem is not None:
        return problem
    if int(block_hash, 16) > target_from_bits(bits):
        return f"the block hash does not meet the target of bits {bits:08x} (proof of work)"
    return None
