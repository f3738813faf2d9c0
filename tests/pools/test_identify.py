"""Identification on coinbases built from the real tag and address file.

Every tag alone, every address alone, every agreeing and every disagreeing (tag, address)
pair, and neither; the coinbases are parsed from Bitcoin Core's and esplora's JSON, as the
sync reads them.
"""

from __future__ import annotations

import pytest

from minerscope.sources._address import script_from_address
from minerscope.sources._http import SourceBadResponse
from minerscope.sources.coinbase import (
    parse_esplora_coinbase,
    parse_mempool_extras,
    parse_rpc_coinbase,
    parse_rpc_coinbase_txid,
)
from minerscope.sources.pools import Coinbase, PoolCatalog, coinbase_text
from tests.pools.conftest import NEUTRAL_SCRIPT, coinbase_spec
from tests.servers.chain import Block
from tests.servers.coinbase import CoinbaseSpec, esplora_tx, mempool_extras, rpc_tx

H = 934_000
BLOCK = Block(
    height=H, hash="00" * 31 + "aa", prev_hash="00" * 32, time=1769000000, mediantime=0,
    bits=0x1701FCA1, chainwork=0, txs=1, ins=1, outs=2, total_size=0, total_weight=0,
    totalfee=0, subsidy=312_500_000, total_out=0, extra=(),
)  # fmt: skip


def _both(spec: CoinbaseSpec) -> tuple[Coinbase, Coinbase]:
    """The same coinbase as the RPC and the esplora parser read it."""
    rpc = parse_rpc_coinbase(rpc_tx(spec, BLOCK, confirmations=1))
    esp = parse_esplora_coinbase([esplora_tx(spec, BLOCK)])
    assert rpc == esp
    return rpc, esp


def test_every_tag_alone(catalog: PoolCatalog) -> None:
    for tag, slug in catalog.tags.items():
        for cb in _both(coinbase_spec(H, tag=tag)):
            ident = catalog.identify(cb)
            assert (ident.pool_slug, ident.basis, ident.matched_tag) == (slug, "tag", tag), tag
            assert ident.address_pool_slug is None
            assert ident.payout_address is not None  # the neutral payout, recorded


def test_every_address_alone(catalog: PoolCatalog) -> None:
    for address, slug in catalog.addresses.items():
        for cb in _both(coinbase_spec(H, address=address)):
            ident = catalog.identify(cb)
            assert (ident.pool_slug, ident.basis) == (slug, "address"), address
            assert (ident.payout_address, ident.address_pool_slug) == (address, slug)
            assert ident.matched_tag is None


def test_tag_and_address_agree(catalog: PoolCatalog) -> None:
    n = 0
    for tag, slug in catalog.tags.items():
        for address in (a for a, s in catalog.addresses.items() if s == slug):
            ident = catalog.identify(_both(coinbase_spec(H, tag=tag, address=address))[0])
            assert (ident.pool_slug, ident.basis) == (slug, "tag+address")
            n += 1
    assert n > 100  # 60-odd pools have both


def test_every_disagreeing_tag_and_address_pair(catalog: PoolCatalog) -> None:
    # Tags first (the issue): the tag's pool, basis "tag!=address", and the address's pool
    # kept beside it. 172 tags x 200 addresses, minus the pairs of one pool.
    n = 0
    for tag, tag_slug in catalog.tags.items():
        script_sig = bytes((3,)) + H.to_bytes(3, "little") + tag.encode() + bytes(8)
        for address, addr_slug in catalog.addresses.items():
            if addr_slug == tag_slug:
                continue
            cb = Coinbase(script_sig, (script_from_address(address), NEUTRAL_SCRIPT))
            ident = catalog.identify(cb)
            assert ident.pool_slug == tag_slug and ident.basis == "tag!=address"
            assert ident.address_pool_slug == addr_slug and ident.payout_address == address
            n += 1
    assert n == 172 * 200 - sum(
        1 for t in catalog.tags.values() for a in catalog.addresses.values() if t == a
    )


def test_neither_is_unknown_never_a_guess(catalog: PoolCatalog) -> None:
    for cb in _both(coinbase_spec(H)):
        ident = catalog.identify(cb)
        assert (ident.pool_slug, ident.basis, ident.matched_tag) == ("unknown", "none", None)
        assert ident.address_pool_slug is None
    # A tag's text in another case or cut short is not that tag.
    assert catalog.identify(Coinbase(b"/antpool/ /ViaBT")).pool_slug == "unknown"


def test_longest_tag_wins(catalog: PoolCatalog) -> None:
    cases = {
        b"/ViaBTC/TATMAS Pool/": "tatmaspool",  # contains /ViaBTC/ (viabtc)
        b"/EMCD/": "emcdpool",  # contains EMC (eclipsemc)
        b"/solo.ckpool.org/": "solock",  # contains ckpool.org/ (ckpool)
        b"Mined by AntPool": "antpool",
        b"EMC only": "eclipsemc",
    }
    for text, slug in cases.items():
        assert catalog.identify(Coinbase(b"\x03\x10\x41\x0e" + text)).pool_slug == slug


def test_payout_address_is_the_first_output_with_one(catalog: PoolCatalog) -> None:
    foundry = "12KKDt4Mj7N5UAkQMN7LtPZMayenXHa8KL"
    commitment = bytes.fromhex("6a24aa21a9ed") + bytes(32)
    # The commitment first, the payout second: the address still matches.
    ident = catalog.identify(Coinbase(b"xx", (commitment, script_from_address(foundry))))
    assert (ident.pool_slug, ident.payout_address) == ("foundryusa", foundry)


def test_mempool_attribution_first_then_ours(catalog: PoolCatalog) -> None:
    spec = coinbase_spec(H, tag="/AntPool/", mempool_pool=("foundryusa", "Foundry USA"))
    cb = parse_mempool_extras(mempool_extras(spec))
    assert cb is not None
    ident = catalog.identify(cb)
    assert (ident.pool_slug, ident.basis, ident.matched_tag) == (
        "foundryusa",
        "mempool",
        "/AntPool/",
    )
    unknown = parse_mempool_extras(mempool_extras(coinbase_spec(H, tag="/AntPool/")))
    assert unknown is not None and catalog.identify(unknown).pool_slug == "antpool"
    # A pool mempool knows and our names file does not keeps mempool's slug.
    new = parse_mempool_extras({"coinbaseRaw": "00", "pool": {"slug": "newpool", "name": "New"}})
    assert new is not None and catalog.identify(new).pool_slug == "newpool"
    assert parse_mempool_extras({"totalFees": 1}) is None


def test_coinbase_text_keeps_readable_characters() -> None:
    raw = b"\x03\x92\xe0\x0d\xe4\xb8\x83\xe5\xbd\xa9\xe7\xa5\x9e\xe4\xbb\x99\xe9\xb1\xbc\x00\xff/x/"
    assert coinbase_text(raw) == "七彩神仙鱼/x/"


@pytest.mark.parametrize(
    ("tx", "message"),
    [
        ({"vin": [{"txid": "ab", "vout": 0}], "vout": [{}]}, "not a coinbase input"),
        ({"vin": [{"coinbase": "zz"}], "vout": [{"scriptPubKey": {"hex": "00"}}]}, "not hex"),
        ({"vin": [{"coinbase": "00"}], "vout": []}, "non-empty list"),
        ({"vin": [{"coinbase": "00"}], "vout": [{"scriptPubKey": {}}]}, "scriptPubKey.hex"),
        ("junk", "transaction object"),
    ],
)
def test_rpc_coinbase_junk_is_a_bad_response(tx: object, message: str) -> None:
    with pytest.raises(SourceBadResponse, match=message):
        parse_rpc_coinbase(tx)


def test_esplora_and_getblock_junk() -> None:
    not_coinbase = [{"vin": [{"is_coinbase": False, "scriptsig": ""}], "vout": []}]
    with pytest.raises(SourceBadResponse, match="not the coinbase"):
        parse_esplora_coinbase(not_coinbase)
    with pytest.raises(SourceBadResponse, match="not the block asked for"):
        parse_rpc_coinbase_txid({"hash": "11" * 32, "tx": ["22" * 32]}, block_hash="33" * 32)
    with pytest.raises(SourceBadResponse, match="not a txid"):
        parse_rpc_coinbase_txid({"hash": "11" * 32, "tx": ["x"]}, block_hash="11" * 32)


def test_the_tag_trie_finds_what_the_longest_first_alternation_finds(
    catalog: PoolCatalog,
) -> None:
    # The trie-shaped regex must find, at every position, the same (longest) tag as the
    # plain alternation of every tag, longest first, on texts made of whole tags, their
    # prefixes (which share the trie's paths) and random bytes.
    import random
    import re

    tags = sorted({t.encode("utf-8") for t in catalog.tags}, key=lambda b: (-len(b), b))
    plain = re.compile(b"(?=(" + b"|".join(re.escape(t) for t in tags) + b"))")
    trie = catalog._tag_regex()
    rng = random.Random(7)
    found = 0
    for _ in range(3_000):
        parts = [
            rng.choice(tags)[: rng.randint(1, 12)] if rng.random() < 0.5 else rng.choice(tags)
            for _ in range(rng.randint(1, 4))
        ]
        text = rng.choice((b"", b"/", b"x")).join(parts) + rng.randbytes(rng.randint(0, 8))
        want = [(m.start(), m.group(1)) for m in plain.finditer(text)]
        assert [(m.start(), m.group(1)) for m in trie.finditer(text)] == want, text
        found += len(want)
    assert found > 3_000
