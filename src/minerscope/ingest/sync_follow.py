"""``minerscope sync --follow``: keep a database at the source's tip, round after round.

Each round opens the source (so a restarted node's new cookie is read), runs one block
sync (:func:`~minerscope.ingest.sync.sync_blocks`, reorg-safe, one transaction per batch)
and reports what changed as events: one :class:`NewBlock` per new block (height, hash,
time), one :class:`ReorgDone` per repaired reorganisation (fork height, blocks replaced),
and one :class:`CaughtUp` instead of the block lines when a round brings more than
:data:`MAX_BLOCK_LINES` blocks (the first catch-up, a node back after a day). Then it
waits ``interval_s`` and polls again.

A source that fails (down, restarting, rate limiting, answering junk) gives one
:class:`SourceDown` event and the next round is tried after a growing, jittered wait
(``interval_s`` doubled per failure in a row, at most :data:`MAX_BACKOFF_S`); when it
answers again, :class:`SourceBack`. Only ``max_failures`` failures in a row end the
follow with the last :class:`~minerscope.errors.SourceError` (the CLI's exit 3).

``stop`` (a :class:`threading.Event`, set by the CLI on SIGTERM/SIGINT) ends the follow
cleanly: a wait returns at once, and a sync in progress finishes the batch it is
writing and stops before the next one. The last event is :class:`Stopped`.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

from .. import storage
from ..asof import iso_utc
from ..config import Config, check_number, load_config
from ..errors import InputError, SourceError
from ..results import Result, document_schema
from .sync import sync_blocks
from .sync_run import SyncPlan, SyncRequest, plan_sync

MAX_BLOCK_LINES = 25  # a round with more new blocks reports one CaughtUp line instead
MAX_BACKOFF_S = 300.0


@dataclass(frozen=True)
class NewBlock(Result):
    """A block that became part of the stored best chain (new, or a reorg's replacement)."""

    event: Literal["block"]
    height: int
    hash: str
    time_s: int
    time_iso: str


@dataclass(frozen=True)
class ReorgDone(Result):
    """A reorganisation repaired: blocks from ``fork_height`` up were replaced."""

    event: Literal["reorg"]
    fork_height: int
    blocks_replaced: int
    old_tip_height: int
    new_tip_height: int


@dataclass(frozen=True)
class CaughtUp(Result):
    """Many blocks in one round (catching up): one line for all of them."""

    event: Literal["caught_up"]
    first_height: int
    last_height: int
    blocks: int
    tip_hash: str
    tip_time_s: int
    tip_time_iso: str


@dataclass(frozen=True)
class SourceDown(Result):
    """A round failed; the next is tried after ``retry_in_s``."""

    event: Literal["source_down"]
    message: str
    failures: int
    retry_in_s: float


@dataclass(frozen=True)
class SourceBack(Result):
    """The source answers again after ``failures`` failed rounds."""

    event: Literal["source_back"]
    failures: int


@dataclass(frozen=True)
class Stopped(Result):
    """The follow ended on request (SIGTERM/SIGINT); the stored tip then."""

    event: Literal["stopped"]
    reason: str
    tip_height: int | None


FollowEvent = NewBlock | ReorgDone | CaughtUp | SourceDown | SourceBack | Stopped


class FollowEvents:
    """The ``sync_follow_event`` document: one line of ``sync --follow --json`` is one event,
    told apart by ``event`` (``block``, ``reorg``, ``caught_up``, ``source_down``,
    ``source_back``, ``stopped``)."""

    DOCUMENT: ClassVar[str] = "sync_follow_event"

    @classmethod
    def json_schema(cls, ref_template: str = "#/$defs/{model}") -> dict[str, Any]:
        """The schema: one of the six event objects."""
        return document_schema(FollowEvent, cls.DOCUMENT, ref_template=ref_template)


def backoff_s(failures: int, interval_s: float, rng: random.Random) -> float:
    """Wait after ``failures`` failed rounds in a row: U(0.5, 1) x min(300, interval x
    2**(failures - 1)). [s]"""
    base = min(MAX_BACKOFF_S, max(interval_s, 0.01) * 2.0 ** min(failures - 1, 30))
    return base * rng.uniform(0.5, 1.0)


def _events_for(conn: sqlite3.Connection, summary: object) -> list[FollowEvent]:
    from .sync import SyncSummary

    assert isinstance(summary, SyncSummary)
    out: list[FollowEvent] = []
    heights: set[int] = set()
    for r in summary.reorgs:
        out.append(ReorgDone("reorg", r.fork_height, r.depth, r.old_tip_height, r.new_tip_height))
        heights.update(range(r.fork_height, r.new_tip_height + 1))
    if summary.first_height is not None and summary.last_height is not None:
        heights.update(range(summary.first_height, summary.last_height + 1))
    if not heights:
        return out
    lo, hi = min(heights), max(heights)
    if len(heights) > MAX_BLOCK_LINES:
        tip = storage.hashed_block_row(conn, hi)
        assert tip is not None and tip.hash is not None  # the round just wrote it
        out.append(
            CaughtUp("caught_up", lo, hi, len(heights), tip.hash, tip.time_s, iso_utc(tip.time_s))
        )
        return out
    for h, block_hash, time_s in storage.block_heads(conn, lo, hi):
        if h in heights:
            out.append(NewBlock("block", h, block_hash, time_s, iso_utc(time_s)))
    return out


def follow_blocks(
    conn: sqlite3.Connection,
    plan: SyncPlan,
    *,
    stop: threading.Event,
    emit: Callable[[FollowEvent], None],
    interval_s: float = 60.0,
    max_failures: int | None = None,
    rng: random.Random | None = None,
    reason: Callable[[], str] = lambda: "stop requested",
) -> None:
    """Follow the planned block source until ``stop`` is set (or too many failures).

    Parameters
    ----------
    conn : sqlite3.Connection
        A writable database.
    plan : SyncPlan
        A checked ``rpc`` or ``esplora`` request (:func:`~.sync_run.plan_sync`).
    stop : threading.Event
        Set it to end the follow cleanly.
    emit : callable
        Receives every event, in order.
    interval_s : float
        Wait between two rounds that succeed. [s]
    max_failures : int, optional
        Failed rounds in a row that end the follow (default: never). [count]
    reason : callable
        What to put in the :class:`Stopped` event (e.g. the signal's name).

    Raises
    ------
    SourceError
        ``max_failures`` rounds in a row failed (the last failure).
    """
    if plan.source not in ("rpc", "esplora"):
        raise InputError(f"--follow works with --source rpc or esplora, not {plan.source!r}")
    rng = rng or random.Random()
    failures = 0
    while not stop.is_set():
        deadline_at = None if plan.deadline_s is None else time.monotonic() + plan.deadline_s
        try:
            with plan.open(deadline_at=deadline_at) as client:
                summary = sync_blocks(
                    conn,
                    client,
                    from_height=plan.from_height,
                    to_height=plan.to_height,
                    batch_blocks=plan.batch_blocks,
                    deadline_at=deadline_at,
                    should_stop=stop.is_set,
                    pools=plan.pools,
                )
        except (SourceError, sqlite3.OperationalError) as exc:
            # the source failed, or the database was busy (another writer held it
            # longer than the lock timeout): the round is lost, not the follow
            failures += 1
            if max_failures is not None and failures >= max_failures:
                if isinstance(exc, sqlite3.OperationalError):
                    raise InputError(f"the database: {exc}") from exc
                raise
            wait = backoff_s(failures, interval_s, rng)
            what = str(exc) if isinstance(exc, SourceError) else f"the database: {exc}"
            emit(SourceDown("source_down", what, failures, round(wait, 3)))
            stop.wait(wait)
            continue
        if failures:
            emit(SourceBack("source_back", failures))
            failures = 0
        for event in _events_for(conn, summary):
            emit(event)
        if plan.to_height is not None and (summary.stored_tip_after or -1) >= plan.to_height:
            emit(Stopped("stopped", "reached --to-height", storage.max_block_height(conn)))
            return
        stop.wait(interval_s)
    emit(Stopped("stopped", reason(), storage.max_block_height(conn)))


def follow_database(
    db: str | Path | None,
    req: SyncRequest,
    *,
    stop: threading.Event,
    emit: Callable[[FollowEvent], None],
    interval_s: float = 60.0,
    max_failures: int | None = None,
    config: Config | None = None,
    reason: Callable[[], str] = lambda: "stop requested",
) -> None:
    """Check the request (and ``interval_s``, ``max_failures``), open the database at
    ``db`` and :func:`follow_blocks` into it. Nothing is opened if a value is bad."""
    cfg = config if config is not None else load_config()
    plan = plan_sync(req, cfg)
    check_number(interval_s, "interval_s", where="--interval-s")
    if max_failures is not None:
        check_number(max_failures, "max_failures", where="--max-failures")
    if plan.source not in ("rpc", "esplora"):
        raise InputError(f"--follow works with --source rpc or esplora, not {plan.source!r}")
    with storage.writing(db) as conn:  # a file this run created goes again if left empty
        follow_blocks(
            conn,
            plan,
            stop=stop,
            emit=emit,
            interval_s=interval_s,
            max_failures=max_failures,
            reason=reason,
        )


__all__ = [
    "MAX_BACKOFF_S",
    "MAX_BLOCK_LINES",
    "CaughtUp",
    "FollowEvent",
    "NewBlock",
    "ReorgDone",
    "SourceBack",
    "SourceDown",
    "Stopped",
    "backoff_s",
    "follow_blocks",
    "follow_database",
]
