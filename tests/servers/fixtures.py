"""pytest fixtures starting the local servers (import them into a test module or conftest)."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from minerscope import storage
from minerscope.ingest.sync import SyncSummary, sync_blocks
from minerscope.sources._http import RetryPolicy
from minerscope.sources.bitcoind import BitcoindClient, RPCCredentials

from .base import Running
from .chain import Block, Chain, load_blocks, load_sparse
from .coinmetrics import cm_server, load_days
from .esplora import esplora_server
from .rpc import rpc_server

RPC_USER = "__cookie__"
RPC_PASSWORD = "0f3c9d2e7a51b8c4e6f0a9d3b2c1e5f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3"
FAST_RETRY = RetryPolicy(attempts=4, base_delay_s=0.01, max_delay_s=2.0)


@pytest.fixture(scope="session")
def ref_blocks(shared_data: Path) -> list[Block]:
    """The 25,118 reference blocks with header fields filled (see ``chain.py``)."""
    return load_blocks(shared_data)


@functools.cache
def sparse_blocks(data_dir: Path, below: int) -> dict[int, Block]:
    """Header-only first and last blocks of every epoch below ``below`` (loaded once)."""
    return load_sparse(data_dir, below)


@pytest.fixture
def chain(ref_blocks: list[Block], shared_data: Path) -> Chain:
    """A private, mutable chain over the reference blocks (and the epochs below them)."""
    return Chain(ref_blocks, sparse=sparse_blocks(shared_data, ref_blocks[0].height))


@pytest.fixture
def rpc(chain: Chain) -> Iterator[Running]:
    """A running Bitcoin Core-like server for ``chain``."""
    with rpc_server(chain, user=RPC_USER, password=RPC_PASSWORD) as srv:
        yield srv


@pytest.fixture
def cookie_file(tmp_path: Path) -> Path:
    """A cookie file for the ``rpc`` server, as bitcoind writes it."""
    p = tmp_path / ".cookie"
    p.write_text(f"{RPC_USER}:{RPC_PASSWORD}")
    return p


@pytest.fixture
def rpc_client(rpc: Running, cookie_file: Path) -> Iterator[BitcoindClient]:
    """A client of the ``rpc`` server (cookie auth, fast retries, 1,000-call batches)."""
    c = BitcoindClient(
        rpc.url,
        credentials=RPCCredentials(cookie_path=cookie_file),
        policy=FAST_RETRY,
        timeout_s=5.0,
        batch_size=1000,
    )
    yield c
    c.close()


@pytest.fixture
def esplora(chain: Chain) -> Iterator[Running]:
    """A running mempool-like server (esplora routes plus ``/v1/blocks``)."""
    with esplora_server(chain) as srv:
        yield srv


@pytest.fixture(scope="session")
def cm_days(shared_data: Path) -> list[dict[str, str]]:
    """The rows of the combined daily file, served as Coin Metrics metrics."""
    return load_days(shared_data)


@pytest.fixture
def coinmetrics(cm_days: list[dict[str, str]]) -> Iterator[Running]:
    """A running Coin Metrics-like server."""
    with cm_server(cm_days) as srv:
        yield srv


def dump(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    """Every row of the data tables, in key order (for database equality)."""
    return {
        "blocks": conn.execute("SELECT * FROM blocks ORDER BY height").fetchall(),
        "epochs": conn.execute("SELECT * FROM epochs ORDER BY epoch").fetchall(),
        "daily": conn.execute("SELECT * FROM daily ORDER BY date").fetchall(),
        "prices": conn.execute("SELECT * FROM prices ORDER BY source, time_s").fetchall(),
    }


def rpc_client_for(url: str, cookie: Path, **kw: object) -> BitcoindClient:
    """A client of a local RPC server with fast retries (``kw`` overrides the options)."""
    opts: dict[str, object] = {"policy": FAST_RETRY, "timeout_s": 5.0, "batch_size": 1000}
    opts.update(kw)
    return BitcoindClient(url, credentials=RPCCredentials(cookie_path=cookie), **opts)  # type: ignore[arg-type]


def rpc_sync(conn: sqlite3.Connection, url: str, cookie: Path, **kw: object) -> SyncSummary:
    """One block sync from a local RPC server."""
    with rpc_client_for(url, cookie) as c:
        return sync_blocks(conn, c, **kw)  # type: ignore[arg-type]


def clean_copy(
    chain: Chain, cookie: Path, *, from_height: int
) -> dict[str, list[tuple[object, ...]]]:
    """Dump of a fresh database synced in one go from ``chain`` as it is now."""
    conn = storage.connect(":memory:")
    password = cookie.read_text().split(":", 1)[1]
    with rpc_server(chain, user=RPC_USER, password=password) as srv:
        rpc_sync(conn, srv.url, cookie, from_height=from_height)
    out = dump(conn)
    conn.close()
    return out
