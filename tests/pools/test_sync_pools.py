"""Identification while syncing, through real local servers: Bitcoin Core RPC (getblock +
getrawtransaction), esplora (/block/:hash/txs/0) and mempool (extras); and syncs over
blocks known only by height and time."""

# ruff: noqa: F811  (the server fixtures are imported from tests.servers.fixtures)

from __future__ import annotations

import csv
import json
import logging
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minerscope import ingest, storage
from minerscope.cli import app
from minerscope.ingest.sync import sync_blocks
from minerscope.records import BlockPool
from minerscope.sources.esplora import EsploraClient
from minerscope.sources.pools import PoolCatalog
from tests.conftest import EPOCHS_CSV
from tests.pools.conftest import POOLS_CSV, coinbase_spec
from tests.servers.base import Running
from tests.servers.chain import Block, Chain
from tests.servers.coinbase import CoinbaseSpec
from tests.servers.esplora import esplora_server
from tests.servers.fixtures import (  # noqa: F401
    FAST_RETRY,
    chain,
    cookie_file,
    ref_blocks,
    rpc,
    rpc_client_for,
)

FROM = 933_000  # 1,576 blocks to the reference tip 934,575, across the 933,408 retarget


@pytest.fixture(scope="module")
def attribution(shared_data: Path) -> dict[int, str]:
    with (shared_data / POOLS_CSV).open(newline="") as fh:
        return {int(r["height"]): r["pool_slug"] for r in csv.DictReader(fh)
                if int(r["height"]) >= 909_458}  # fmt: skip


def _plan(
    catalog: PoolCatalog, attribution: dict[int, str], lo: int, hi: int
) -> dict[int, BlockPool]:
    """Coinbases for heights lo..hi built from the real attribution, and what must be read.

    Mostly the pool's tag (else its address); every 3rd block its address (else its tag);
    every 7th both; every 50th the pool's tag with another pool's address (tag wins). A
    pool with neither in the tag file (RedRock Pool ...) can only be "unknown".
    """
    tags: dict[str, list[str]] = {}
    addrs: dict[str, list[str]] = {}
    for t, s in sorted(catalog.tags.items()):
        tags.setdefault(s, []).append(t)
    for a, s in sorted(catalog.addresses.items()):
        addrs.setdefault(s, []).append(a)
    other = "12dRugNcdxK39288NjcDV4GX7rMsKCGn6B"  # AntPool's
    expected: dict[int, BlockPool] = {}
    specs: dict[int, CoinbaseSpec] = {}
    for h in range(lo, hi + 1):
        slug = attribution[h]
        tag = tags.get(slug, [None])[h % len(tags.get(slug, [None]))]
        addr = addrs.get(slug, [None])[h % len(addrs.get(slug, [None]))]
        use_tag, use_addr = tag, None
        if h % 3 == 0 and addr is not None:
            use_tag, use_addr = None, addr
        if h % 7 == 0:
            use_tag, use_addr = tag, addr
        if tag is None:
            use_tag, use_addr = None, addr
        if h % 50 == 0 and tag is not None and slug != "antpool":
            use_tag, use_addr = tag, other
        specs[h] = coinbase_spec(h, tag=use_tag, address=use_addr)
        if use_tag is None and use_addr is None:
            basis, got = "none", "unknown"
        elif use_tag is not None and use_addr is not None:
            basis, got = ("tag!=address" if use_addr == other else "tag+address"), slug
        else:
            basis, got = ("tag" if use_tag else "address"), slug
        addr_slug = catalog.addresses.get(use_addr or "")
        expected[h] = BlockPool(h, got, basis, "", matched_tag=use_tag, address_pool_slug=addr_slug)
    return expected, specs


def _check(conn: sqlite3.Connection, expected: dict[int, BlockPool], source: str) -> None:
    stored = {p.height: p for p in storage.load_block_pools(conn)}
    assert sorted(stored) == sorted(expected)
    hashes = storage.block_hashes(conn, min(expected), max(expected))
    for h, e in expected.items():
        p = stored[h]
        assert (p.pool_slug, p.basis, p.matched_tag, p.address_pool_slug) == (
            e.pool_slug, e.basis, e.matched_tag, e.address_pool_slug
        ), h  # fmt: skip
        assert (p.source, p.block_hash) == (source, hashes[h])
    bases = {e.basis for e in expected.values()}
    assert bases >= {"tag", "address", "tag+address", "tag!=address"}


def test_rpc_sync_identifies_every_block(
    chain: Chain, rpc: Running, cookie_file: Path, catalog: PoolCatalog,
    attribution: dict[int, str],
) -> None:  # fmt: skip
    expected, specs = _plan(catalog, attribution, FROM, chain.tip)
    chain.coinbases.update(specs)
    conn = storage.connect(":memory:")
    with rpc_client_for(rpc.url, cookie_file) as c:
        sync_blocks(conn, c, from_height=FROM, batch_blocks=500, pools=catalog)
    _check(conn, expected, "rpc")
    unknown = [h for h, e in expected.items() if e.pool_slug == "unknown"]
    assert {attribution[h] for h in unknown} <= {"unknown", "redrockpool", "publicpool",
                                                 "solopoolcom"}  # fmt: skip
    # A reorg replaces the stale blocks' pools: the fork's coinbases name other pools.
    fork = chain.reorg(10, "alt")
    for h in range(fork, chain.tip + 1):
        chain.coinbases[h] = coinbase_spec(h, tag="/ViaBTC/")
    with rpc_client_for(rpc.url, cookie_file) as c:
        summary = sync_blocks(conn, c, pools=catalog)
    assert [r.fork_height for r in summary.reorgs] == [fork]
    top = storage.load_block_pools(conn, from_height=fork)
    assert {p.pool_slug for p in top} == {"viabtc"} and len(top) == 10
    assert {p.block_hash for p in top} == {b.hash for b in chain.blocks[-10:]}


def test_esplora_and_mempool_sync_identify_every_block(
    chain: Chain, catalog: PoolCatalog, attribution: dict[int, str]
) -> None:
    lo = chain.tip - 299
    expected, specs = _plan(catalog, attribution, lo, chain.tip)
    chain.coinbases.update(specs)
    for mempool, source in ((False, "esplora"), (True, "esplora")):
        conn = storage.connect(":memory:")
        with esplora_server(chain, mempool=mempool) as srv:
            with EsploraClient(srv.url + "/api", policy=FAST_RETRY, concurrency=4) as c:
                # no epoch fill: its header requests are not what is counted here
                sync_blocks(conn, c, from_height=lo, pools=catalog, fill_epochs=False)
            routes = srv.faults.requests
        _check(conn, expected, source)
        # plain esplora: one /txs/0 per block; mempool: the coinbase comes with the pages
        assert routes > 3 * 300 if not mempool else routes < 100
        conn.close()


def test_mempool_attribution_is_taken_when_it_names_a_pool(
    chain: Chain, catalog: PoolCatalog
) -> None:
    lo = chain.tip - 29
    for h in range(lo, chain.tip + 1):  # our tag says AntPool; mempool says Foundry USA
        chain.coinbases[h] = coinbase_spec(h, tag="/AntPool/",
                                           mempool_pool=("foundryusa", "Foundry USA"))  # fmt: skip
    conn = storage.connect(":memory:")
    with esplora_server(chain) as srv, EsploraClient(srv.url + "/api", policy=FAST_RETRY) as c:
        sync_blocks(conn, c, from_height=lo, pools=catalog)
    rows = storage.load_block_pools(conn)
    assert {(p.pool_slug, p.basis, p.matched_tag) for p in rows} == {
        ("foundryusa", "mempool", "/AntPool/")
    }


def test_node_without_getblock_syncs_without_pools(
    chain: Chain, rpc: Running, cookie_file: Path, catalog: PoolCatalog,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    rpc.server.restricted = True  # type: ignore[attr-defined]  # a node/proxy without getblock
    conn = storage.connect(":memory:")
    with caplog.at_level(logging.WARNING), rpc_client_for(rpc.url, cookie_file) as c:
        summary = sync_blocks(conn, c, from_height=chain.tip - 99, pools=catalog)
    assert summary.blocks_fetched == 100 and storage.block_pool_count(conn) == 0
    assert "cannot serve coinbases" in caplog.text


def test_sync_over_hashless_blocks_fills_them_and_claims_no_reorg(
    chain: Chain, rpc: Running, cookie_file: Path, catalog: PoolCatalog, shared_data: Path,
    tmp_path: Path,
) -> None:  # fmt: skip
    # The pools file's rows 933,000..934,575 (hash unknown), one with a time 7 s off.
    lines = (shared_data / POOLS_CSV).read_text().splitlines()
    keep = [ln for ln in lines[1:] if FROM <= int(ln.split(",")[0]) <= chain.tip]
    h, t, s = keep[1000].split(",")
    keep[1000] = f"{h},{int(t) - 7},{s}"
    part = tmp_path / "part.csv"
    part.write_text(lines[0] + "\n" + "\n".join(keep) + "\n")
    conn = storage.connect(":memory:")
    ingest.import_epochs(conn, shared_data / EPOCHS_CSV)
    ingest.import_pools(conn, part)
    assert storage.max_hashed_height(conn) is None
    first = FROM + 500
    with rpc_client_for(rpc.url, cookie_file) as c:
        summary = sync_blocks(conn, c, from_height=first, pools=catalog)
        again = sync_blocks(conn, c, pools=catalog)
    assert summary.reorgs == [] and again.reorgs == [] and again.blocks_fetched == 0
    assert (summary.blocks_inserted, summary.blocks_updated) == (0, chain.tip - first + 1)
    blocks = storage.load_blocks(conn)
    assert blocks.loc[first:, "hash"].notna().all() and blocks.loc[: first - 1, "hash"].isna().all()
    node: dict[int, Block] = {b.height: b for b in chain.blocks}
    assert blocks.loc[int(h), "time_s"] == node[int(h)].time  # the node's time wins
    # Pools: the file's rows below the sync, the coinbase readings from it up.
    pools = {p.height: p for p in storage.load_block_pools(conn)}
    assert pools[first - 1].basis == "file" and pools[first].source == "rpc"


def test_cli_sync_identifies_unless_the_config_says_not(
    rpc: Running, cookie_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    chain: Chain,
) -> None:  # fmt: skip
    chain.coinbases.update(
        {h: coinbase_spec(h, tag="/AntPool/") for h in range(chain.tip - 49, chain.tip + 1)}
    )
    runner = CliRunner()
    cfg = tmp_path / "config.toml"
    for identify, expected in (("true", 50), ("false", 0)):
        cfg.write_text(f"[pools]\nidentify = {identify}\n")
        monkeypatch.setenv("MINERSCOPE_CONFIG", str(cfg))
        db = tmp_path / f"{identify}.sqlite"
        res = runner.invoke(
            app,
            [
                "sync",
                "--url",
                rpc.url,
                "--rpc-cookie",
                str(cookie_file),
                "--from-height",
                str(chain.tip - 49),
                "--db",
                str(db),
                "--json",
            ],
        )
        assert res.exit_code == 0, res.output
        assert json.loads(res.stdout)["blocks_fetched"] == 50
        conn = storage.connect(db, read_only=True)
        assert storage.block_pool_count(conn) == expected
        conn.close()
