"""Coinbase transactions as the sources serve them, parsed for pool identification.

Bitcoin Core (``getblock <hash> 1`` for the coinbase txid, ``getrawtransaction``), esplora
(``/block/:hash/txs/0``) and mempool (``extras`` of ``/v1/blocks``) each give the coinbase's
scriptSig and outputs in their own JSON; every parser returns a
:class:`~minerscope.sources.pools.Coinbase` and raises :class:`SourceBadResponse` on junk.
"""

from __future__ import annotations

import re
from typing import Any

from ._address import script_from_address
from ._http import SourceBadResponse
from .pools import Coinbase

_HEX_RE = re.compile(r"^(?:[0-9a-fA-F]{2})*$")


def _hex_bytes(value: Any, what: str, name: str) -> bytes:
    if not isinstance(value, str) or not _HEX_RE.match(value):
        raise SourceBadResponse(f"{what}: field {name!r} is not hex: {str(value)[:40]!r}")
    return bytes.fromhex(value)


def _outputs(vout: Any, what: str, script_field: str) -> tuple[bytes, ...]:
    """The output scripts of ``vout`` (``script_field``: "scriptPubKey.hex" or
    "scriptpubkey")."""
    if not isinstance(vout, list) or not vout:
        raise SourceBadResponse(f"{what}: 'vout' is not a non-empty list")
    out: list[bytes] = []
    for i, o in enumerate(vout):
        value: Any = o
        for part in script_field.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        out.append(_hex_bytes(value, f"{what} vout[{i}]", script_field))
    return tuple(out)


def parse_rpc_coinbase_txid(block: Any, *, block_hash: str) -> str:
    """The coinbase txid (``tx[0]``) of a ``getblock <hash> 1`` result."""
    what = f"getblock {block_hash}"
    if not isinstance(block, dict) or block.get("hash") != block_hash:
        raise SourceBadResponse(f"{what}: not the block asked for")
    txs = block.get("tx")
    if not isinstance(txs, list) or not txs or not isinstance(txs[0], str):
        raise SourceBadResponse(f"{what}: field 'tx' is not a list of txids")
    if not re.fullmatch(r"[0-9a-f]{64}", txs[0]):
        raise SourceBadResponse(f"{what}: tx[0] is not a txid: {txs[0][:70]!r}")
    return txs[0]


def parse_rpc_coinbase(tx: Any, *, what: str = "getrawtransaction") -> Coinbase:
    """A coinbase from a verbose ``getrawtransaction`` (or ``getblock`` verbosity 2) tx.

    ``vin[0].coinbase`` is the scriptSig in hex; each ``vout[].scriptPubKey.hex`` is an
    output script (Bitcoin Core ``TxToUniv``).
    """
    if not isinstance(tx, dict):
        raise SourceBadResponse(f"{what}: expected a transaction object")
    vin = tx.get("vin")
    if not isinstance(vin, list) or not vin or not isinstance(vin[0], dict):
        raise SourceBadResponse(f"{what}: 'vin' is not a non-empty list")
    if "coinbase" not in vin[0]:
        raise SourceBadResponse(f"{what}: vin[0] is not a coinbase input")
    script_sig = _hex_bytes(vin[0]["coinbase"], what, "vin[0].coinbase")
    return Coinbase(script_sig, _outputs(tx.get("vout"), what, "scriptPubKey.hex"))


def parse_esplora_coinbase(txs: Any, *, what: str = "/block/:hash/txs/0") -> Coinbase:
    """The coinbase of an esplora ``/block/:hash/txs/0`` page (its first transaction).

    ``vin[0].is_coinbase`` must be true; ``vin[0].scriptsig`` is the scriptSig in hex and
    each ``vout[].scriptpubkey`` an output script (esplora ``API.md``).
    """
    if not isinstance(txs, list) or not txs or not isinstance(txs[0], dict):
        raise SourceBadResponse(f"{what}: expected a list of transactions")
    tx = txs[0]
    vin = tx.get("vin")
    if not isinstance(vin, list) or not vin or not isinstance(vin[0], dict):
        raise SourceBadResponse(f"{what}: 'vin' is not a non-empty list")
    if vin[0].get("is_coinbase") is not True:
        raise SourceBadResponse(f"{what}: the first transaction is not the coinbase")
    script_sig = _hex_bytes(vin[0].get("scriptsig"), what, "vin[0].scriptsig")
    return Coinbase(script_sig, _outputs(tx.get("vout"), what, "scriptpubkey"))


def parse_mempool_extras(extras: Any, *, what: str = "extras") -> Coinbase | None:
    """The coinbase fields of a mempool block's ``extras``; None when there are none.

    ``coinbaseRaw`` is the scriptSig in hex (empty bytes when absent: fetch the coinbase),
    ``coinbaseAddresses`` (else ``coinbaseAddress``) the output addresses (turned into
    their scripts; one that is not a valid address is left out), and ``pool`` {id, name,
    slug} mempool's own attribution.
    """
    if not isinstance(extras, dict) or not ({"coinbaseRaw", "pool"} & set(extras)):
        return None
    raw = extras.get("coinbaseRaw")
    script_sig = b"" if raw is None else _hex_bytes(raw, what, "coinbaseRaw")
    addrs = extras.get("coinbaseAddresses")
    if not isinstance(addrs, list):
        one = extras.get("coinbaseAddress")
        addrs = [one] if isinstance(one, str) else []
    pool = extras.get("pool")
    slug = pool.get("slug") if isinstance(pool, dict) else None
    name = pool.get("name") if isinstance(pool, dict) else None
    scripts = []
    for a in addrs:
        try:
            scripts.append(script_from_address(a) if isinstance(a, str) else b"")
        except ValueError:
            continue
    return Coinbase(
        script_sig,
        tuple(s for s in scripts if s),
        slug if isinstance(slug, str) and slug else None,
        name if isinstance(name, str) and name else None,
    )


__all__ = [
    "parse_esplora_coinbase",
    "parse_mempool_extras",
    "parse_rpc_coinbase",
    "parse_rpc_coinbase_txid",
]
