"""Compact target encoding ("nBits"): target, difficulty and their conversions.

Mirrors Bitcoin Core ``arith_uint256::SetCompact`` / ``GetCompact``
(``src/arith_uint256.cpp``) and ``GetDifficulty`` (``src/rpc/blockchain.cpp``).
"""

from __future__ import annotations

from typing import NamedTuple

from .params import DIFFICULTY_1_TARGET

_UINT256_MAX = (1 << 256) - 1
_MANTISSA_MASK = 0x007FFFFF
_SIGN_BIT = 0x00800000


class CompactError(ValueError):
    """A compact encoding that is negative, overflows 256 bits, or is out of range."""


class DecodedCompact(NamedTuple):
    """Result of decoding a compact value exactly as Core's ``SetCompact`` does."""

    target: int
    negative: bool
    overflow: bool


def decode_compact(bits: int) -> DecodedCompact:
    """Decode a compact value with Core's flags, without raising.

    Parameters
    ----------
    bits : int
        32-bit compact encoding. [compact]

    Returns
    -------
    DecodedCompact
        The (unsigned, 256-bit truncated) target and Core's negative and overflow flags.

    Notes
    -----
    Mirrors ``arith_uint256::SetCompact``: size = bits >> 24, word = bits & 0x7fffff;
    for size <= 3 the word itself is shifted right by 8*(3-size) and is the value, else
    the value is word << 8*(size-3). The value is negative when the (shifted) word is
    not 0 and the 0x00800000 bit is set, and it overflows when the word is not 0 and
    needs more than 256 bits once shifted.

    References
    ----------
    .. [1] Bitcoin Core, ``src/arith_uint256.cpp``, ``arith_uint256::SetCompact``.
    """
    if not 0 <= bits <= 0xFFFFFFFF:
        raise CompactError(f"compact bits {bits:#x} is not a 32-bit value")
    size = bits >> 24
    word = bits & _MANTISSA_MASK
    if size <= 3:
        word >>= 8 * (3 - size)  # Core shifts the word itself, before the sign test
        target = word
    else:
        target = word << (8 * (size - 3))
    negative = word != 0 and (bits & _SIGN_BIT) != 0
    overflow = word != 0 and (
        size > 34 or (word > 0xFF and size > 33) or (word > 0xFFFF and size > 32)
    )
    return DecodedCompact(target & _UINT256_MAX, negative, overflow)


def target_from_bits(bits: int) -> int:
    """Target encoded by a compact value.

    Parameters
    ----------
    bits : int
        Compact target (the block header's ``nBits``). [compact]

    Returns
    -------
    int
        The 256-bit target. [target]

    Raises
    ------
    CompactError
        If the encoding is negative or overflows 256 bits (Core rejects such a header).

    Notes
    -----
    Mirrors ``arith_uint256::SetCompact`` followed by Core's rejection of negative or
    overflowing targets in ``DeriveTarget`` (``src/pow.cpp``).
    """
    decoded = decode_compact(bits)
    if decoded.negative:
        raise CompactError(f"compact bits {bits:08x} encode a negative target")
    if decoded.overflow:
        raise CompactError(f"compact bits {bits:08x} overflow 256 bits")
    return decoded.target


def bits_from_target(target: int, *, negative: bool = False) -> int:
    """Compact encoding of a target (rounds the target down to a 23-bit mantissa).

    Parameters
    ----------
    target : int
        Target, 0 <= target < 2**256. [target]
    negative : bool
        Set the sign bit (only for Core's test vectors; real targets are never negative).

    Returns
    -------
    int
        Compact encoding. [compact]

    Notes
    -----
    Mirrors ``arith_uint256::GetCompact``: size = byte length of the target; the
    mantissa is its top three bytes, shifted right one byte (and size incremented) when
    its top bit would read as the sign bit.

    References
    ----------
    .. [1] Bitcoin Core, ``src/arith_uint256.cpp``, ``arith_uint256::GetCompact``.
    """
    if not 0 <= target <= _UINT256_MAX:
        raise CompactError(f"target {target:#x} is outside [0, 2**256)")
    size = (target.bit_length() + 7) // 8
    if size <= 3:
        compact = (target << (8 * (3 - size))) & 0xFFFFFFFFFFFFFFFF
    else:
        compact = (target >> (8 * (size - 3))) & 0xFFFFFFFFFFFFFFFF
    if compact & _SIGN_BIT:
        compact >>= 8
        size += 1
    compact |= size << 24
    if negative and (compact & _MANTISSA_MASK):
        compact |= _SIGN_BIT
    return compact


def difficulty_from_bits(bits: int) -> float:
    """Difficulty of a compact target: the difficulty-1 target divided by this target.

    Parameters
    ----------
    bits : int
        Compact target. [compact]

    Returns
    -------
    float
        Difficulty. [unitless]

    Notes
    -----
    Mirrors ``GetDifficulty`` (Bitcoin Core ``src/rpc/blockchain.cpp``), which computes
    0xffff / mantissa scaled by 256 per byte of exponent difference from 29, in doubles.
    That is what ``getblockchaininfo`` and ``getblockheader`` print.
    """
    shift = (bits >> 24) & 0xFF
    mantissa = bits & 0x00FFFFFF
    if mantissa == 0:
        raise CompactError(f"compact bits {bits:08x} have a zero mantissa: difficulty undefined")
    diff = float(0x0000FFFF) / float(mantissa)
    while shift < 29:
        diff *= 256.0
        shift += 1
    while shift > 29:
        diff /= 256.0
        shift -= 1
    return diff


def difficulty_from_target(target: int) -> float:
    """Difficulty of a target: ``DIFFICULTY_1_TARGET / target`` as a float. [unitless]"""
    if target <= 0:
        raise CompactError("target must be positive")
    return DIFFICULTY_1_TARGET / target
