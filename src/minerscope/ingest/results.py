"""The typed documents of ``import`` and ``sync`` (what ``--json`` prints).

Only dataclasses here: the follow events of ``sync --follow`` live with the follow loop
(:mod:`minerscope.ingest.sync_follow`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..results import Result


@dataclass(frozen=True)
class ImportResult:
    """What one import did.

    Attributes
    ----------
    kind : str
        ``blockstats``, ``epochs``, ``daily``, ``prices``, ``mvrv``, ``pools``, ``blocktimes``.
    path : str
        The file.
    rows_read, inserted, updated, unchanged : int
        [rows]
    duration_s : float
        [s]
    notes : tuple of str
    """

    kind: str
    path: str
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    duration_s: float
    notes: tuple[str, ...]


@dataclass(frozen=True)
class ImportDocument(Result):
    """``minerscope import KIND FILE --json``: the import's result (one, in a list)."""

    DOCUMENT: ClassVar[str] = "import"

    imports: tuple[ImportResult, ...]


@dataclass(frozen=True)
class ReorgRepair:
    """A repaired reorganisation: blocks from ``fork_height`` up were replaced."""

    fork_height: int
    blocks_replaced: int
    old_tip_height: int
    new_tip_height: int


@dataclass(frozen=True)
class BlockSyncDocument(Result):
    """``minerscope sync --json`` from a node or an esplora server.

    Attributes
    ----------
    source_tip_height : int
        The source's tip. [blocks]
    stored_tip_height_before, stored_tip_height_after : int or None
        The stored tip before and after (None: none stored). [blocks]
    first_height, last_height : int or None
        The heights fetched (None: nothing to fetch). [blocks]
    stopped : bool
        Stopped before the end (a deadline, a signal): only whole batches are stored.
    elapsed_s : float
        [s]
    blocks_per_s : float
        Fetch-and-store rate. [blocks/s]
    """

    DOCUMENT: ClassVar[str] = "sync"

    source: str
    url: str
    source_tip_height: int
    stored_tip_height_before: int | None
    stored_tip_height_after: int | None
    first_height: int | None
    last_height: int | None
    blocks_fetched: int
    blocks_inserted: int
    blocks_updated: int
    blocks_unchanged: int
    batches: int
    reorgs: tuple[ReorgRepair, ...]
    epochs_filled: int
    stopped: bool
    elapsed_s: float
    blocks_per_s: float


@dataclass(frozen=True)
class DailySyncDocument(Result):
    """``minerscope sync --source coinmetrics --json``: the daily rows and prices fetched."""

    DOCUMENT: ClassVar[str] = "sync_daily"

    source: str
    url: str
    from_date: str
    to_date: str
    pages: int
    days_fetched: int
    daily_inserted: int
    daily_updated: int
    daily_unchanged: int
    prices_inserted: int
    prices_updated: int
    last_date: str | None
    elapsed_s: float


__all__ = [
    "BlockSyncDocument",
    "DailySyncDocument",
    "ImportDocument",
    "ImportResult",
    "ReorgRepair",
]
