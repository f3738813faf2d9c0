"""Fixtures of the notebook tests: the reference database plus the pool attribution file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from minerscope import ingest, storage

pytest.importorskip("pandas")
POOLS_CSV = "pools/blocks_by_pool_664063_946236.csv"


@pytest.fixture(scope="session")
def notebook_db(
    reference_db_file: Path, shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A copy of the reference database with the pool attributions (built once)."""
    dest = tmp_path_factory.mktemp("notebookdb") / "notebook.sqlite"
    src = storage.connect(reference_db_file, read_only=True)
    dst = sqlite3.connect(dest)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    conn = storage.connect(dest)
    try:
        ingest.import_pools(conn, shared_data / POOLS_CSV)
    finally:
        conn.close()
    return dest


@pytest.fixture(scope="session")
def nb(notebook_db: Path) -> Iterator[object]:
    """One notebook over ``notebook_db`` for the session."""
    import minerscope as ms

    with ms.open(notebook_db) as m:
        yield m
