"""The entry point of ``minerscope sync``: options over the config file, checked, then run.

:func:`plan_sync` merges a :class:`SyncRequest` (the command line) with the
:class:`~minerscope.config.Config` (the file) and checks every value (URL, numbers,
source name) before anything is opened: a bad value is one
:class:`~minerscope.errors.InputError` line and no database file is created.
:func:`sync_database` then opens the database and runs the sync; if it fails before
storing anything in a database file it created, the file (and any directory it made for
it) is removed again, so a failed first run leaves nothing behind. :func:`run_sync` runs
on an open connection.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import storage
from ..config import (
    DEFAULT_COOKIE,
    SOURCES,
    CoinMetricsSettings,
    Config,
    EsploraSettings,
    RPCSettings,
    check_number,
    load_config,
)
from ..errors import InputError
from ..sources._http import MIB, RetryPolicy
from ..sources._urls import CheckedURL, check_url
from ..sources.bitcoind import BitcoindClient, RPCCredentials
from ..sources.coinmetrics import CoinMetricsClient
from ..sources.esplora import EsploraClient
from ..sources.pools import PoolCatalog
from .pools import sync_catalog
from .results import BlockSyncDocument, DailySyncDocument
from .sync import ProgressFn, sync_blocks
from .sync_daily import sync_coinmetrics


@dataclass(frozen=True)
class SyncRequest:
    """What ``minerscope sync`` was asked; None means the config file's value or default.

    ``rpc_password`` is only held in memory and never shown (``repr`` hides it).
    """

    source: str | None = None
    url: str | None = None
    rpc_cookie: Path | None = None
    rpc_user: str | None = None
    rpc_password: str | None = field(default=None, repr=False)
    from_height: int | None = None
    to_height: int | None = None
    batch_blocks: int | None = None
    timeout_s: float | None = None
    retries: int | None = None
    request_deadline_s: float | None = None
    deadline_s: float | None = None
    max_body_mib: float | None = None


@dataclass(frozen=True)
class SyncPlan:
    """A checked request: everything needed to open the source and run the sync."""

    source: str
    url: CheckedURL
    credentials: RPCCredentials | None
    policy: RetryPolicy
    timeout_s: float
    batch_blocks: int
    deadline_s: float | None
    from_height: int | None
    to_height: int | None
    concurrency: int
    page_size: int
    api_key: str | None = field(default=None, repr=False)
    pools: PoolCatalog | None = field(default=None, repr=False)  # pool identification

    def open(self, *, deadline_at: float | None = None) -> Any:
        """A client of the source (the RPC cookie file is read now), bound by ``deadline_at``."""
        policy = replace(self.policy, deadline_at=deadline_at)
        if self.source == "coinmetrics":
            return CoinMetricsClient(
                self.url.url,
                page_size=self.page_size,
                timeout_s=self.timeout_s,
                policy=policy,
                api_key=self.api_key,
            )
        if self.source == "esplora":
            return EsploraClient(
                self.url.url, concurrency=self.concurrency, timeout_s=self.timeout_s, policy=policy
            )
        return BitcoindClient(
            self.url.url,
            credentials=self.credentials,
            timeout_s=self.timeout_s,
            policy=policy,
            batch_size=self.batch_blocks,
        )


def rpc_credentials(req: SyncRequest, cfg: Config, url: CheckedURL | None = None) -> RPCCredentials:
    """Credentials by precedence: --rpc-cookie, --rpc-user/--rpc-password, the URL's user
    info, the config file's ``cookie``, its ``user``/``password``, else the default cookie
    ``~/.bitcoin/.cookie`` (read only when the client opens)."""
    if req.rpc_cookie is not None:
        return RPCCredentials(cookie_path=req.rpc_cookie)
    if req.rpc_user is not None:
        return RPCCredentials(user=req.rpc_user, password=req.rpc_password)
    if url is not None and url.user is not None:
        return RPCCredentials(user=url.user, password=url.password)
    if cfg.rpc.cookie is not None:
        return RPCCredentials(cookie_path=Path(cfg.rpc.cookie))
    if cfg.rpc.user is not None:
        return RPCCredentials(user=cfg.rpc.user, password=cfg.rpc.password)
    return RPCCredentials(cookie_path=Path(DEFAULT_COOKIE))


def _opt(value: float | None, key: str, flag: str) -> float | None:
    return None if value is None else check_number(value, key, where=flag)


def plan_sync(req: SyncRequest, cfg: Config) -> SyncPlan:
    """Merge the options with the config file and check every value.

    Raises
    ------
    InputError
        An unknown source, a malformed URL, or a number outside its range (``--timeout-s
        inf``, ``--batch-blocks 0`` ...): one line naming the option.
    """
    source = req.source or cfg.source
    if source not in SOURCES:
        raise InputError(f"--source {source!r}: use {', '.join(SOURCES)}", field="source")
    timeout = _opt(req.timeout_s, "timeout_s", "--timeout-s")
    batch = _opt(req.batch_blocks, "batch_blocks", "--batch-blocks")
    retries = _opt(req.retries, "retries", "--retries")
    req_deadline = _opt(req.request_deadline_s, "request_deadline_s", "--request-deadline-s")
    deadline = _opt(req.deadline_s, "deadline_s", "--deadline-s")
    body_mib = _opt(req.max_body_mib, "max_body_mib", "--max-body-mib")
    for flag, h in (("--from-height", req.from_height), ("--to-height", req.to_height)):
        if h is not None and (isinstance(h, bool) or not isinstance(h, int) or h < 0):
            raise InputError(f"{flag} must be a height >= 0, got {h!r}", field=flag)
    settings: RPCSettings | EsploraSettings | CoinMetricsSettings = cfg.rpc
    if source == "esplora":
        settings = cfg.esplora
    elif source == "coinmetrics":
        settings = cfg.coinmetrics
    where = "--url" if req.url is not None else f"[{source}] url"
    url = check_url(req.url if req.url is not None else settings.url, what=where)
    policy = RetryPolicy(
        request_deadline_s=req_deadline or cfg.request_deadline_s,
        max_body_bytes=int((body_mib or cfg.max_body_mib) * MIB),
    )
    if retries is not None:
        policy = replace(policy, attempts=int(retries) + 1)
    return SyncPlan(
        source=source,
        url=url,
        credentials=rpc_credentials(req, cfg, url) if source == "rpc" else None,
        policy=policy,
        timeout_s=timeout or settings.timeout_s,
        batch_blocks=int(batch or cfg.batch_blocks),
        deadline_s=deadline if deadline is not None else cfg.deadline_s,
        from_height=req.from_height,
        to_height=req.to_height,
        concurrency=cfg.esplora.concurrency,
        page_size=cfg.coinmetrics.page_size,
        api_key=cfg.coinmetrics.api_key,
        pools=sync_catalog(cfg) if source in ("rpc", "esplora") else None,
    )


def run_plan(
    conn: sqlite3.Connection,
    plan: SyncPlan,
    *,
    now_s: int,
    progress: ProgressFn | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> BlockSyncDocument | DailySyncDocument:
    """Open the planned source, sync into ``conn``, close it; the summary document."""
    deadline_at = None if plan.deadline_s is None else time.monotonic() + plan.deadline_s
    with plan.open(deadline_at=deadline_at) as client:
        if plan.source == "coinmetrics":
            return sync_coinmetrics(
                conn, client, now_s=now_s, progress=progress, deadline_at=deadline_at
            ).to_result()
        summary = sync_blocks(
            conn,
            client,
            from_height=plan.from_height,
            to_height=plan.to_height,
            batch_blocks=plan.batch_blocks,
            progress=progress,
            deadline_at=deadline_at,
            should_stop=should_stop,
            pools=plan.pools,
        )
    return summary.to_result()


def run_sync(
    conn: sqlite3.Connection,
    req: SyncRequest,
    *,
    now_s: int,
    config: Config | None = None,
    progress: ProgressFn | None = None,
) -> BlockSyncDocument | DailySyncDocument:
    """Open the requested source (options over the config file) and sync; the summary.

    Parameters
    ----------
    conn : sqlite3.Connection
        A writable database.
    req : SyncRequest
        The command-line options.
    now_s : int
        The current time (Coin Metrics fetches only days ended by then). [Unix s]
    config : Config, optional
        The user configuration (default: :func:`minerscope.config.load_config`).
    """
    cfg = config if config is not None else load_config()
    return run_plan(conn, plan_sync(req, cfg), now_s=now_s, progress=progress)


def sync_database(
    db: str | Path | None,
    req: SyncRequest,
    *,
    now_s: int,
    config: Config | None = None,
    progress: ProgressFn | None = None,
) -> BlockSyncDocument | DailySyncDocument:
    """Check the request, then open the database at ``db`` and sync into it.

    A bad option or config value fails before the database is opened; a source failure
    on a database this call created, before anything was stored, removes the file again.
    """
    cfg = config if config is not None else load_config()
    plan = plan_sync(req, cfg)
    with storage.writing(db) as conn:  # a file this run created goes again if left empty
        try:
            return run_plan(conn, plan, now_s=now_s, progress=progress)
        except sqlite3.OperationalError as exc:  # locked by another writer, disk full ...
            raise InputError(f"database {storage.resolve_db_path(db)}: {exc}") from exc


__all__ = [
    "SyncPlan",
    "SyncRequest",
    "plan_sync",
    "rpc_credentials",
    "run_plan",
    "run_sync",
    "sync_database",
]
