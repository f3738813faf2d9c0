"""CSV plumbing shared by the file readers: located records, CSV files read a block at a
time, and field parsers whose errors name the file, the line and the field."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self, TypeVar

from ..consensus import MAINNET, decode_compact
from ..errors import InputError
from . import limits
from ._textfile import TextFile, csv_lines, parse_header

T = TypeVar("T")
_HASH_RE: Final = re.compile(r"^[0-9a-fA-F]{64}$")
_INT_RE: Final = re.compile(r"^[0-9]+(\.0*)?$")
_NUMBER_RE: Final = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
_MAX_SHOWN: Final = 40


@dataclass(frozen=True)
class Located:
    """A record and where it came from (a CSV line, or a label such as a JSON entry)."""

    line: int | None
    record: Any
    label: str | None = None


def shown(text: str) -> str:
    return repr(text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN] + "...")


# --- CSV files ------------------------------------------------------------------------


class CsvFile:
    """A CSV input file: the header checked on opening, rows handed out a block at a time."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._text = TextFile(self.path)
        try:
            self.header = parse_header(self.path, self._text.header)
        except BaseException:
            self._text.close()
            raise

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._text.close()

    def blocks(self) -> Iterator[list[tuple[int, dict[str, str]]]]:
        """Lists of (line number, row by column name), one list per block of lines."""
        width = len(self.header)
        for first_line, block in self._text.blocks():
            out: list[tuple[int, dict[str, str]]] = []
            for line, values in csv_lines(self.path, block, first_line):
                if len(values) != width:
                    raise InputError(
                        f"expected {width} fields, found {len(values)} (truncated or extra fields)",
                        path=str(self.path),
                        line=line,
                    )
                out.append((line, dict(zip(self.header, values, strict=True))))
            if out:
                yield out

    def require(self, needed: list[str], what: str) -> None:
        """Refuse a header without the columns ``needed``."""
        missing = [c for c in needed if c not in self.header]
        if missing:
            raise InputError(
                f"not a {what} file: missing column(s) {', '.join(missing)}"
                f" (found: {', '.join(self.header[:12])}{'...' if len(self.header) > 12 else ''})",
                path=str(self.path),
                line=1,
            )


class Field:
    """Parses one field of one line with an error that names file, line and field."""

    def __init__(self, path: Path, line: int, row: dict[str, str]) -> None:
        self.path = str(path)
        self.line = line
        self.row = row

    def fail(self, name: str, why: str) -> InputError:
        return InputError(why, path=self.path, line=self.line, field=name)

    def raw(self, name: str) -> str:
        return self.row.get(name, "").strip()

    def int_(
        self, name: str, *, maximum: int, optional: bool = False, what: str = ""
    ) -> int | None:
        text = self.raw(name)
        if text == "":
            if optional:
                return None
            raise self.fail(name, "empty value")
        if text.startswith("-") and _INT_RE.match(text[1:]):
            raise self.fail(name, f"{text} is negative")
        if not _INT_RE.match(text):
            raise self.fail(name, f"{shown(text)} is not an integer")
        digits = text.split(".")[0].lstrip("0") or "0"
        if len(digits) > len(str(maximum)) or int(digits) > maximum:
            raise self.fail(name, f"{shown(text)} is above {maximum:,}{what}")
        return int(digits)

    def float_(
        self,
        name: str,
        *,
        maximum: float,
        minimum: float = 0.0,
        positive: bool = False,
        optional: bool = True,
        what: str = "",
    ) -> float | None:
        text = self.raw(name)
        if text == "":
            if optional:
                return None
            raise self.fail(name, "empty value")
        if not _NUMBER_RE.match(text):
            raise self.fail(name, f"{shown(text)} is not a number")
        value = float(text)
        if not math.isfinite(value):
            raise self.fail(name, f"{shown(text)} is not a finite number")
        if value < 0:
            raise self.fail(name, f"{value} is negative")
        if positive and value == 0:
            raise self.fail(name, "must be greater than zero")
        if value < minimum:
            raise self.fail(name, f"{value:g} is below {minimum:g}{what}")
        if value > maximum:
            raise self.fail(name, f"{value:g} is above {maximum:g}{what}")
        return value

    def hash_(self, name: str) -> str:
        text = self.raw(name)
        if not _HASH_RE.match(text):
            raise self.fail(name, f"{shown(text)} is not a 64-hex-digit block hash")
        return text.lower()

    def date_(self, name: str, *, now_s: int | None) -> str:
        text = self.raw(name)
        day = text[:10]
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", day):
                raise ValueError
            date.fromisoformat(day)
        except ValueError:
            raise self.fail(name, f"{shown(text)} is not a date (YYYY-MM-DD)") from None
        rest = text[10:]
        if rest and not re.match(r"^[T ]00:00:00(\.0+)?(Z|\+00:00)?$", rest):
            raise self.fail(name, f"{shown(text)} is not a whole UTC day")
        if day < limits.GENESIS_DAY:
            raise self.fail(name, f"{day} is before the first block (2009-01-03)")
        if now_s is not None and day > utc_date(now_s):
            raise self.fail(name, f"{day} is in the future (today is {utc_date(now_s)} UTC)")
        return day

    def bits_(self, name: str) -> int:
        text = self.raw(name)
        try:
            value = int(text, 16) if re.fullmatch(r"(0[xX])?[0-9a-fA-F]{8}", text) else int(text)
        except ValueError:
            raise self.fail(name, f"{shown(text)} is not a compact target (8 hex digits)") from None
        if not 0 <= value <= 0xFFFFFFFF:
            raise self.fail(name, f"{shown(text)} is not a 32-bit compact target")
        problem = bits_problem(value)
        if problem is not None:
            raise self.fail(name, problem)
        return value


def bits_problem(bits: int) -> str | None:
    """Why a compact target cannot be a mainnet block's (None when it can)."""
    target, negative, overflow = decode_compact(bits)
    if negative or overflow or target == 0:
        what = "negative" if negative else "overflowing" if overflow else "zero"
        return f"{bits:08x} is not a valid compact target ({what})"
    if target > MAINNET.pow_limit:
        return f"{bits:08x} is easier than the proof-of-work limit 1d00ffff"
    return None


def utc_date(time_s: int) -> str:
    return datetime.fromtimestamp(time_s, tz=UTC).strftime("%Y-%m-%d")


def records(located: list[Located]) -> list[Any]:
    """The records of a located list, in file order."""
    return [x.record for x in located]


def locate(located: list[Located], key: Callable[[Any], T]) -> dict[T, Located]:
    """Map from a record key to where it came from."""
    return {key(x.record): x for x in located}
