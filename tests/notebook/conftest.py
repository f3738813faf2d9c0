"""Fixtures of the notebook tests: the reference database plus the pool attribution file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("pandas")


@pytest.fixture(scope="session")
def notebook_db(pools_db_file: Path) -> Path:
    """The reference database with the pool attributions (the notebook only reads it)."""
    return pools_db_file


@pytest.fixture(scope="session")
def nb(notebook_db: Path) -> Iterator[object]:
    """One notebook over ``notebook_db`` for the session."""
    import minerscope as ms

    with ms.open(notebook_db) as m:
        yield m
