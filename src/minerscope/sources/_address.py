"""Bitcoin addresses from output scripts: base58check (P2PKH, P2SH) and bech32/bech32m (segwit).

Written from the specifications, not from other code:

- base58check: the payload (version byte + 20-byte hash) followed by the first 4 bytes of
  its double SHA-256, written in base 58 with the alphabet below; each leading zero byte
  is a leading ``1`` (Bitcoin Core ``src/base58.cpp``).
- bech32 (BIP 173) for witness version 0 and bech32m (BIP 350) for versions 1 to 16: a
  human-readable part (``bc`` on mainnet), ``1``, the version and the program regrouped
  from 8-bit to 5-bit values, and a 6-character BCH checksum whose final constant is 1
  (bech32) or 0x2bc830a3 (bech32m).

Output scripts recognised (Bitcoin Core ``src/script/solver.cpp`` templates):
P2PKH ``OP_DUP OP_HASH160 <20> OP_EQUALVERIFY OP_CHECKSIG``, P2SH ``OP_HASH160 <20>
OP_EQUAL``, and witness programs ``OP_n <2..40 bytes>`` (v0: 20 or 32 bytes). Other
scripts (bare public keys, OP_RETURN, multisig) have no address: None.
"""

from __future__ import annotations

import functools
import hashlib
import operator
from dataclasses import dataclass

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_INDEX = {c: i for i, c in enumerate(_BECH32)}
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
BECH32_CONST = 1
BECH32M_CONST = 0x2BC830A3

OP_0, OP_1, OP_16 = 0x00, 0x51, 0x60
OP_DUP, OP_HASH160, OP_EQUAL, OP_EQUALVERIFY, OP_CHECKSIG = 0x76, 0xA9, 0x87, 0x88, 0xAC


@dataclass(frozen=True)
class AddressParams:
    """The address prefixes of one network."""

    hrp: str
    p2pkh_version: int
    p2sh_version: int


MAINNET_ADDRESSES = AddressParams(hrp="bc", p2pkh_version=0x00, p2sh_version=0x05)
TESTNET_ADDRESSES = AddressParams(hrp="tb", p2pkh_version=0x6F, p2sh_version=0xC4)


def _sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


# --- base58check ----------------------------------------------------------------------


def base58check_encode(payload: bytes) -> str:
    """Base58 of ``payload`` followed by its 4-byte double-SHA-256 checksum."""
    data = payload + _sha256d(payload)[:4]
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(_B58[r])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def base58check_decode(text: str) -> bytes:
    """The payload of a base58check string; ValueError on a bad character or checksum."""
    n = 0
    for c in text:
        if c not in _B58_INDEX:
            raise ValueError(f"{c!r} is not a base58 character")
        n = n * 58 + _B58_INDEX[c]
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    zeros = len(text) - len(text.lstrip("1"))
    data = b"\0" * zeros + body
    if len(data) < 5:
        raise ValueError("too short for base58check")
    payload, check = data[:-4], data[-4:]
    if _sha256d(payload)[:4] != check:
        raise ValueError("base58check checksum mismatch")
    return payload


# --- bech32 / bech32m -----------------------------------------------------------------


def _generator_table() -> tuple[int, ...]:
    """For each 5-bit ``top``, the XOR of the generators its set bits select (BIP 173)."""
    return tuple(
        functools.reduce(operator.xor, (g for i, g in enumerate(_GENERATOR) if top >> i & 1), 0)
        for top in range(32)
    )


def _polymod(values: list[int]) -> int:
    # BIP 173's loop over the five generators, with their XOR for each top looked up once
    table = _GENERATOR_TABLE
    chk = 1
    for v in values:
        chk = (chk & 0x1FFFFFF) << 5 ^ v ^ table[chk >> 25]
    return chk


_GENERATOR_TABLE = _generator_table()


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


@functools.lru_cache(maxsize=8)
def _hrp_expanded(hrp: str) -> tuple[int, ...]:
    return tuple(_hrp_expand(hrp))


def _convert_bits(data: bytes | list[int], from_bits: int, to_bits: int, pad: bool) -> list[int]:
    acc = bits = 0
    out: list[int] = []
    maxv = (1 << to_bits) - 1
    for v in data:
        if v < 0 or v >> from_bits:
            raise ValueError("value out of range")
        acc = (acc << from_bits) | v
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (to_bits - bits)) & maxv)
    elif bits >= from_bits or ((acc << (to_bits - bits)) & maxv):
        raise ValueError("invalid padding")
    return out


def segwit_encode(hrp: str, version: int, program: bytes) -> str:
    """The bech32 (v0) or bech32m (v1+) address of a witness program."""
    if not 0 <= version <= 16 or not 2 <= len(program) <= 40:
        raise ValueError("not a witness program")
    if version == 0 and len(program) not in (20, 32):
        raise ValueError("a v0 witness program has 20 or 32 bytes")
    # the program's bits in 5-bit groups, zero-padded at the end (_convert_bits(..., pad=True))
    groups = -(-len(program) * 8 // 5)
    n = int.from_bytes(program, "big") << (groups * 5 - len(program) * 8)
    data = [version, *((n >> 5 * i) & 31 for i in range(groups - 1, -1, -1))]
    const = BECH32_CONST if version == 0 else BECH32M_CONST
    mod = _polymod([*_hrp_expanded(hrp), *data, 0, 0, 0, 0, 0, 0]) ^ const
    checksum = [(mod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32[d] for d in data + checksum)


def segwit_decode(hrp: str, address: str) -> tuple[int, bytes]:
    """(witness version, program) of a segwit address; ValueError when it is not one."""
    if address.lower() != address and address.upper() != address:
        raise ValueError("mixed case")
    addr = address.lower()
    pos = addr.rfind("1")
    if pos < 1 or pos + 7 > len(addr) or len(addr) > 90 or addr[:pos] != hrp:
        raise ValueError("not a bech32 address of this network")
    try:
        data = [_BECH32_INDEX[c] for c in addr[pos + 1 :]]
    except KeyError:
        raise ValueError("not a bech32 character") from None
    const = _polymod(_hrp_expand(hrp) + data)
    version = data[0]
    if const != (BECH32_CONST if version == 0 else BECH32M_CONST):
        raise ValueError("bech32 checksum mismatch")
    program = bytes(_convert_bits(data[1:-6], 5, 8, pad=False))
    if version > 16 or not 2 <= len(program) <= 40:
        raise ValueError("not a witness program")
    if version == 0 and len(program) not in (20, 32):
        raise ValueError("a v0 witness program has 20 or 32 bytes")
    return version, program


# --- scripts <-> addresses ------------------------------------------------------------


def address_from_script(script: bytes, params: AddressParams = MAINNET_ADDRESSES) -> str | None:
    """The address an output script pays, or None when it has none (see the module doc)."""
    n = len(script)
    if (
        n == 25
        and script[:3] == bytes((OP_DUP, OP_HASH160, 20))
        and script[23:] == bytes((OP_EQUALVERIFY, OP_CHECKSIG))
    ):
        return base58check_encode(bytes((params.p2pkh_version,)) + script[3:23])
    if n == 23 and script[:2] == bytes((OP_HASH160, 20)) and script[22] == OP_EQUAL:
        return base58check_encode(bytes((params.p2sh_version,)) + script[2:22])
    if 4 <= n <= 42 and (script[0] == OP_0 or OP_1 <= script[0] <= OP_16) and script[1] == n - 2:
        version = 0 if script[0] == OP_0 else script[0] - OP_1 + 1
        try:
            return segwit_encode(params.hrp, version, script[2:])
        except ValueError:
            return None
    return None


def script_from_address(address: str, params: AddressParams = MAINNET_ADDRESSES) -> bytes:
    """The output script paying ``address``; ValueError when it is not a valid address."""
    if address.lower().startswith(params.hrp + "1"):
        version, program = segwit_decode(params.hrp, address)
        op = OP_0 if version == 0 else OP_1 + version - 1
        return bytes((op, len(program))) + program
    payload = base58check_decode(address)
    if len(payload) != 21:
        raise ValueError("a base58 address holds a version byte and a 20-byte hash")
    if payload[0] == params.p2pkh_version:
        return bytes((OP_DUP, OP_HASH160, 20)) + payload[1:] + bytes((OP_EQUALVERIFY, OP_CHECKSIG))
    if payload[0] == params.p2sh_version:
        return bytes((OP_HASH160, 20)) + payload[1:] + bytes((OP_EQUAL,))
    raise ValueError(f"version byte {payload[0]:#04x} is not this network's P2PKH or P2SH")
