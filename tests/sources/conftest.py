"""Fixtures: real local servers answering like Bitcoin Core, esplora/mempool, Coin Metrics."""

from tests.servers.fixtures import (  # noqa: F401
    chain,
    cm_days,
    coinmetrics,
    cookie_file,
    esplora,
    ref_blocks,
    rpc,
    rpc_client,
)
