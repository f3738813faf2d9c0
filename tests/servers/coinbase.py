"""Coinbase transactions for the test servers, in Bitcoin Core's and esplora's JSON formats.

Each served block has a coinbase: ``chain.coinbases[height]`` when a test set one (e.g.
built from the real tag and address file), else :func:`default_coinbase` (a tag and a
payout address no pool has: identified as "unknown").

Formats:

- Bitcoin Core ``getrawtransaction <txid> true <blockhash>`` and the ``tx`` entries of
  ``getblock <hash> 2`` (``src/core_write.cpp`` ``TxToUniv``): ``vin[0].coinbase`` (hex),
  ``vout[].value`` (BTC), ``vout[].scriptPubKey`` {asm, desc, hex, address, type};
- esplora ``/block/:hash/txs/:start`` (``API.md``): ``vin[0].is_coinbase``,
  ``vin[0].scriptsig`` (hex), ``vout[].scriptpubkey`` (hex), ``scriptpubkey_address``,
  ``scriptpubkey_type``, ``value`` (sat);
- mempool ``extras``: ``coinbaseRaw`` (the scriptSig hex), ``coinbaseAddress``,
  ``coinbaseAddresses``, ``coinbaseSignature``, ``coinbaseSignatureAscii``, ``pool``.

Deviation, on purpose: ``getblock <hash> 1`` lists only the coinbase txid in ``tx`` (Core
lists all ``nTx``; the client reads ``tx[0]`` only, and thousands of synthetic txids per
block would make every sync test slow).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from minerscope.sources._address import address_from_script

from .chain import Block

SAT_PER_BTC = 100_000_000


@dataclass(frozen=True)
class CoinbaseSpec:
    """A served coinbase: scriptSig, outputs (value in sat, script) and mempool's pool."""

    script_sig: bytes
    outputs: tuple[tuple[int, bytes], ...]
    mempool_pool: tuple[str, str] | None = None  # (slug, name) mempool would report


def bip34_height_push(height: int) -> bytes:
    """The scriptSig's first push: the height as a minimal little-endian number (BIP 34)."""
    n = (height.bit_length() + 8) // 8  # room for the sign bit
    return bytes((n,)) + height.to_bytes(n, "little")


def witness_commitment_script(block_hash: str) -> bytes:
    """An OP_RETURN witness commitment output script (BIP 141 layout, synthetic hash)."""
    return bytes.fromhex("6a24aa21a9ed") + hashlib.sha256(block_hash.encode()).digest()


def default_coinbase(b: Block) -> CoinbaseSpec:
    """A coinbase no pool's tag or address matches (identified as "unknown")."""
    script = bip34_height_push(b.height) + b"/minerscope-test/" + bytes(8)
    payout = bytes((0x00, 20)) + hashlib.sha256(f"payout:{b.height}".encode()).digest()[:20]
    return CoinbaseSpec(
        script, ((b.subsidy + b.totalfee, payout), (0, witness_commitment_script(b.hash)))
    )


def coinbase_of(chain: Any, b: Block) -> CoinbaseSpec:
    """The coinbase a test set for this height, else the default one."""
    spec = getattr(chain, "coinbases", {}).get(b.height)
    return spec if spec is not None else default_coinbase(b)


def txid(spec: CoinbaseSpec, b: Block) -> str:
    """A deterministic synthetic txid of the coinbase."""
    body = b.hash.encode() + spec.script_sig + b"".join(s for _, s in spec.outputs)
    return hashlib.sha256(hashlib.sha256(body).digest()).hexdigest()


def _type(script: bytes) -> tuple[str, str]:
    """(Core's type name, esplora's type name) of an output script."""
    if script[:1] == b"\x6a":
        return "nulldata", "op_return"
    if len(script) == 25 and script[0] == 0x76:
        return "pubkeyhash", "p2pkh"
    if len(script) == 23 and script[0] == 0xA9:
        return "scripthash", "p2sh"
    if script[0] == 0x00:
        return (
            ("witness_v0_keyhash", "v0_p2wpkh")
            if len(script) == 22
            else ("witness_v0_scripthash", "v0_p2wsh")
        )
    if script[0] == 0x51:
        return "witness_v1_taproot", "v1_p2tr"
    return "nonstandard", "unknown"


def rpc_tx(spec: CoinbaseSpec, b: Block, *, confirmations: int) -> dict[str, Any]:
    """The coinbase as ``getrawtransaction <txid> true <blockhash>`` answers."""
    vout = []
    for n, (value, script) in enumerate(spec.outputs):
        spk: dict[str, Any] = {
            "asm": "",
            "desc": "",
            "hex": script.hex(),
            "type": _type(script)[0],
        }
        addr = address_from_script(script)
        if addr is not None:
            spk["address"] = addr
        vout.append({"value": value / SAT_PER_BTC, "n": n, "scriptPubKey": spk})
    tid = txid(spec, b)
    return {
        "txid": tid,
        "hash": tid,
        "version": 2,
        "size": 200,
        "vsize": 173,
        "weight": 692,
        "locktime": 0,
        "vin": [{"coinbase": spec.script_sig.hex(), "txinwitness": ["00" * 32],
                 "sequence": 4294967295}],
        "vout": vout,
        "hex": "",
        "blockhash": b.hash,
        "confirmations": confirmations,
        "time": b.time,
        "blocktime": b.time,
    }  # fmt: skip


def esplora_tx(spec: CoinbaseSpec, b: Block) -> dict[str, Any]:
    """The coinbase as the first item of esplora's ``/block/:hash/txs/0``."""
    vout = []
    for value, script in spec.outputs:
        o: dict[str, Any] = {
            "scriptpubkey": script.hex(),
            "scriptpubkey_asm": "",
            "scriptpubkey_type": _type(script)[1],
            "value": value,
        }
        addr = address_from_script(script)
        if addr is not None:
            o["scriptpubkey_address"] = addr
        vout.append(o)
    return {
        "txid": txid(spec, b),
        "version": 2,
        "locktime": 0,
        "vin": [{"txid": "00" * 32, "vout": 4294967295, "prevout": None,
                 "scriptsig": spec.script_sig.hex(), "scriptsig_asm": "",
                 "witness": ["00" * 32], "is_coinbase": True, "sequence": 4294967295}],
        "vout": vout,
        "size": 200,
        "weight": 692,
        "fee": 0,
        "status": {"confirmed": True, "block_height": b.height, "block_hash": b.hash,
                   "block_time": b.time},
    }  # fmt: skip


def mempool_extras(spec: CoinbaseSpec) -> dict[str, Any]:
    """The coinbase fields of a mempool block's ``extras``."""
    addrs = [a for a in (address_from_script(s) for _, s in spec.outputs) if a is not None]
    slug, name = spec.mempool_pool or ("unknown", "Unknown")
    return {
        "pool": {"id": 0 if slug == "unknown" else 1, "name": name, "slug": slug},
        "coinbaseRaw": spec.script_sig.hex(),
        "coinbaseAddress": addrs[0] if addrs else None,
        "coinbaseAddresses": addrs,
        "coinbaseSignature": "",
        "coinbaseSignatureAscii": spec.script_sig.decode("latin-1"),
    }
