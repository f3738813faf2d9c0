"""Shared fixtures. Reference data is read from ../shared/data beside the repository.

When that folder is absent the tests that need it are skipped with a reason, unless
``MINERSCOPE_REQUIRE_SHARED=1`` (set by ``.ci/run``), in which case they fail.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from minerscope import storage

# Property tests check values, not speed: no per-example deadline on a loaded CI machine.
settings.register_profile("minerscope", deadline=None)
settings.load_profile("minerscope")

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

#: A fixed clock after every reference moment (2033-05-18T03:33:20Z): moments after the
#: clock are refused, so tests that resolve a past moment pass this one.
CLOCK_S = 2_000_000_000

BLOCKSTATS_CSV = "blocks_getblockstats_909458_934575.csv"
EPOCHS_CSV = "difficulty_epochs_electrum.csv"
CHECKPOINTS_JSON = "electrum_checkpoints_mainnet.json"
DAILY_CSV = "btc_daily_network_2009-01-03_2026-05-23.csv"
CM_COMMUNITY_CSV = "cm_community_btc_daily_2009-01-03_2025-09-26.csv"
CM_PRICE_CSV = "cm_btc_price_supply_daily_2010-07-18_2026-08-21.csv"
BITSTAMP_CSV = "bitstamp_btcusd_ohlc_daily_2011-08-18_2026-06-10.csv"


def require_shared() -> Path:
    """The shared data folder, or skip (fail under MINERSCOPE_REQUIRE_SHARED=1)."""
    if SHARED_DATA.is_dir():
        return SHARED_DATA
    reason = f"reference data folder ../shared/data not found beside the repository ({SHARED_DATA})"
    if os.environ.get("MINERSCOPE_REQUIRE_SHARED") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ../shared/data (skips or fails when absent)."""
    return require_shared()


@pytest.fixture
def fresh_db() -> Iterator[sqlite3.Connection]:
    """A private in-memory database with every migration applied."""
    conn = storage.connect(":memory:")
    yield conn
    conn.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A path for a new database file in the test's temporary directory."""
    return tmp_path / "test.sqlite"


@pytest.fixture(scope="session")
def reference_db_file(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A database file holding all the reference data (built once per test session).

    Holds the blockstats blocks, the Electrum epochs, the combined daily file and the
    Coin Metrics and Bitstamp daily prices. Do not write to it: use ``reference_db_copy``.
    """
    from minerscope import ingest

    path = tmp_path_factory.mktemp("refdb") / "reference.sqlite"
    conn = storage.connect(path)
    try:
        ingest.import_reference_dir(conn, shared_data)
    finally:
        conn.close()
    return path


POOLS_CSV = "pools/blocks_by_pool_664063_946236.csv"


def copy_database(src: Path, dest: Path) -> Path:
    """``dest``: a copy of the database ``src`` (SQLite's online backup), WAL on."""
    source = storage.connect(src, read_only=True)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    storage.connect(dest).close()
    return dest


@pytest.fixture(scope="session")
def pools_db_file(
    reference_db_file: Path, shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The reference database plus the pool attribution file (built once per session; do
    not write to it: copy it with :func:`copy_database`)."""
    from minerscope import ingest

    dest = copy_database(reference_db_file, tmp_path_factory.mktemp("poolsdb") / "pools.sqlite")
    conn = storage.connect(dest)
    try:
        ingest.import_pools(conn, shared_data / POOLS_CSV)
    finally:
        conn.close()
    return dest


@pytest.fixture
def reference_db(reference_db_file: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to the shared reference database."""
    conn = storage.connect(reference_db_file, read_only=True)
    yield conn
    conn.close()


@pytest.fixture
def reference_db_copy(reference_db_file: Path, tmp_path: Path) -> Path:
    """A private writable copy of the reference database file."""
    dest = tmp_path / "reference-copy.sqlite"
    src = storage.connect(reference_db_file, read_only=True)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return dest
