"""80-byte block headers: parsing, hashing and the proof-of-work check.

Mirrors Bitcoin Core ``CBlockHeader`` serialisation (``src/primitives/block.h``) and
``CheckProofOfWork`` (``src/pow.cpp``).
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

from .compact import decode_compact
from .params import MAINNET, ChainParams

HEADER_SIZE_BYTES = 80
_HEADER_STRUCT = struct.Struct("<i32s32sIII")


class HeaderError(ValueError):
    """A header that is not 80 bytes or is not valid hex."""


@dataclass(frozen=True)
class BlockHeader:
    """A parsed block header. Hashes are in display (RPC) byte order."""

    version: int
    prev_hash: str
    merkle_root: str
    time_s: int
    bits: int
    nonce: int
    hash: str

    @property
    def hash_int(self) -> int:
        """The block hash as an integer, comparable with a target."""
        return int(self.hash, 16)


def sha256d(data: bytes) -> bytes:
    """Double SHA-256 (Core's ``Hash``)."""
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def header_hash(raw: bytes) -> str:
    """Block hash of an 80-byte header, in display order (reversed double SHA-256)."""
    if len(raw) != HEADER_SIZE_BYTES:
        raise HeaderError(f"a block header is 80 bytes, got {len(raw)}")
    return sha256d(raw)[::-1].hex()


def parse_header(raw: bytes | str) -> BlockHeader:
    """Parse an 80-byte serialised header (bytes or hex string).

    Notes
    -----
    Layout (little-endian): version int32, previous block hash (32 bytes), merkle
    root (32 bytes), time uint32, bits uint32, nonce uint32, as serialised by
    ``CBlockHeader::SerializationOps`` in Bitcoin Core ``src/primitives/block.h``.
    """
    if isinstance(raw, str):
        try:
            raw = bytes.fromhex(raw)
        except ValueError as exc:
            raise HeaderError(f"header is not valid hex: {exc}") from exc
    if len(raw) != HEADER_SIZE_BYTES:
        raise HeaderError(f"a block header is 80 bytes, got {len(raw)}")
    version, prev, merkle, time_s, bits, nonce = _HEADER_STRUCT.unpack(raw)
    return BlockHeader(
        version=version,
        prev_hash=prev[::-1].hex(),
        merkle_root=merkle[::-1].hex(),
        time_s=time_s,
        bits=bits,
        nonce=nonce,
        hash=header_hash(raw),
    )


def serialize_header(header: BlockHeader) -> bytes:
    """Serialise a header back to its 80 bytes."""
    return _HEADER_STRUCT.pack(
        header.version,
        bytes.fromhex(header.prev_hash)[::-1],
        bytes.fromhex(header.merkle_root)[::-1],
        header.time_s,
        header.bits,
        header.nonce,
    )


def check_proof_of_work(block_hash: str, bits: int, *, params: ChainParams = MAINNET) -> bool:
    """Whether a block hash meets the target its header claims.

    Notes
    -----
    Mirrors ``CheckProofOfWork`` (Bitcoin Core ``src/pow.cpp``): the target must be
    positive, not negative, not overflowing and not above the pow limit, and the hash
    read as a 256-bit number must not exceed it.
    """
    target, negative, overflow = decode_compact(bits)
    if negative or overflow or target == 0 or target > params.pow_limit:
        return False
    return int(block_hash, 16) <= target
