"""Fixtures of the pools tests: the tag catalog, coinbases built from the real tag file, and
a database holding the reference data plus the pool attribution file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from minerscope import storage
from minerscope.sources._address import script_from_address
from minerscope.sources.pools import PoolCatalog, load_catalog
from tests.conftest import POOLS_CSV  # noqa: F401  (the pool tests import it from here)
from tests.servers.coinbase import CoinbaseSpec, bip34_height_push, witness_commitment_script

TAGS_JSON = "pools/known_pools_coinbase_tags_addresses.json"
NAMES_JSON = "pools/pool_slug_to_name.json"
NEUTRAL_TEXT = b"/minerscope-test/"  # no tag of the file occurs in it (checked in a test)
NEUTRAL_SCRIPT = bytes((0x00, 20)) + bytes(range(1, 21))  # a P2WPKH no pool pays to


@pytest.fixture(scope="session")
def catalog() -> PoolCatalog:
    """The shipped tag catalog."""
    return load_catalog()


def coinbase_spec(
    height: int,
    *,
    tag: str | None = None,
    address: str | None = None,
    value_sat: int = 312_500_000,
    mempool_pool: tuple[str, str] | None = None,
) -> CoinbaseSpec:
    """A coinbase as a pool builds it: BIP 34 height, the tag (else neutral text) and
    extranonce in the scriptSig; the payout (to ``address``, else a neutral key) and the
    witness commitment as outputs."""
    text = tag.encode("utf-8") if tag is not None else NEUTRAL_TEXT
    script_sig = bip34_height_push(height) + text + bytes(8)
    payout = script_from_address(address) if address is not None else NEUTRAL_SCRIPT
    outputs = ((value_sat, payout), (0, witness_commitment_script(f"{height}")))
    return CoinbaseSpec(script_sig, outputs, mempool_pool)


@pytest.fixture
def pools_db(pools_db_file: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to the reference + pools database."""
    conn = storage.connect(pools_db_file, read_only=True)
    yield conn
    conn.close()
