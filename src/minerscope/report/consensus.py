"""The ``consensus`` documents: Bitcoin Core's retarget rule and header check on values given.

:func:`next_bits_document` (``consensus next-bits``) and :func:`header_document`
(``consensus header``) parse the text the user gives (one clear error naming the option),
call the exact integer functions of :mod:`minerscope.consensus` and return typed documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..asof import iso_utc
from ..consensus import (
    CompactError,
    check_proof_of_work,
    difficulty_from_bits,
    next_bits,
    parse_header,
    target_from_bits,
)
from ..errors import InputError
from ..results import Result
from ..units import DIFFICULTY_PER_T


@dataclass(frozen=True)
class CompactTarget:
    """A compact target (``nBits``), its full target and difficulty.

    Attributes
    ----------
    bits_hex : str
        8 hex digits.
    target_hex : str
        64 hex digits.
    difficulty, difficulty_t : float
        [unitless], [T]
    """

    bits_hex: str
    target_hex: str
    difficulty: float
    difficulty_t: float

    @classmethod
    def of(cls, bits: int) -> CompactTarget:
        """The target and difficulty of ``bits``."""
        d = difficulty_from_bits(bits)
        return cls(f"{bits:08x}", f"{target_from_bits(bits):064x}", d, d / DIFFICULTY_PER_T)


@dataclass(frozen=True)
class NextBitsDocument(Result):
    """``minerscope consensus next-bits``: the next period's target by Core's rule.

    Attributes
    ----------
    old, new : CompactTarget
        This period's and the next one's.
    actual_timespan_s : int
        Last minus first block time (2015 intervals; Core clamps it to [T/4, 4T]). [s]
    difficulty_change_pct : float
        [%]
    """

    DOCUMENT: ClassVar[str] = "consensus_next_bits"

    old: CompactTarget
    new: CompactTarget
    actual_timespan_s: int
    difficulty_change_pct: float


@dataclass(frozen=True)
class HeaderDocument(Result):
    """``minerscope consensus header``: an 80-byte header parsed, hashed and checked.

    Attributes
    ----------
    hash : str
        The block hash (display order).
    time_s : int
        The header's timestamp. [Unix s]
    proof_of_work_valid : bool
        The hash meets the target the header claims.
    """

    DOCUMENT: ClassVar[str] = "consensus_header"

    hash: str
    version: int
    prev_hash: str
    merkle_root: str
    time_s: int
    time_iso: str
    bits_hex: str
    nonce: int
    difficulty: float
    proof_of_work_valid: bool


def parse_bits(text: str, field: str = "--bits") -> int:
    """A compact target from 8 hex digits (``1701fca1``, ``0x1701fca1``)."""
    raw = text.lower().removeprefix("0x")
    if len(raw) != 8:
        raise InputError(f"{field} {text!r}: expected 8 hex digits, e.g. 1701fca1", field=field)
    try:
        return int(raw, 16)
    except ValueError:
        raise InputError(f"{field} {text!r} is not hexadecimal", field=field) from None


def next_bits_document(bits_text: str, first_time_s: int, last_time_s: int) -> NextBitsDocument:
    """The next period's bits by ``CalculateNextWorkRequired`` (Bitcoin Core ``pow.cpp``).

    Parameters
    ----------
    bits_text : str
        The period's compact target (hex).
    first_time_s, last_time_s : int
        Times of the period's first and last block. [Unix s]

    Raises
    ------
    InputError
        Bits that are not 8 hex digits or not a valid compact target.
    """
    old = parse_bits(bits_text)
    try:
        new = next_bits(old, first_time_s, last_time_s)
    except CompactError as exc:
        raise InputError(str(exc), field="--bits") from exc
    old_t, new_t = CompactTarget.of(old), CompactTarget.of(new)
    return NextBitsDocument(
        old=old_t,
        new=new_t,
        actual_timespan_s=last_time_s - first_time_s,
        difficulty_change_pct=(new_t.difficulty / old_t.difficulty - 1.0) * 100.0,
    )


def header_document(header_hex: str) -> HeaderDocument:
    """Parse, hash and check an 80-byte block header given as 160 hex digits.

    Raises
    ------
    InputError
        Text that is not an 80-byte header.
    """
    try:
        header = parse_header(header_hex.strip())
    except ValueError as exc:
        raise InputError(str(exc), field="HEADER_HEX") from exc
    return HeaderDocument(
        hash=header.hash,
        version=header.version,
        prev_hash=header.prev_hash,
        merkle_root=header.merkle_root,
        time_s=header.time_s,
        time_iso=iso_utc(header.time_s),
        bits_hex=f"{header.bits:08x}",
        nonce=header.nonce,
        difficulty=difficulty_from_bits(header.bits),
        proof_of_work_valid=check_proof_of_work(header.hash, header.bits),
    )


__all__ = [
    "CompactTarget",
    "HeaderDocument",
    "NextBitsDocument",
    "header_document",
    "next_bits_document",
    "parse_bits",
]
