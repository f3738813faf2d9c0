"""Command ``sync``: live data from a Bitcoin Core node, an esplora/mempool server or Coin Metrics."""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from ._app import app
from ._output import DbOption, JsonOption, emit_json, err_console, message, now_s, render_pairs

if TYPE_CHECKING:
    from ..ingest.sync_follow import FollowEvent


class _Bar:
    """A rich progress bar on stderr (a terminal only): blocks (or days) done, rate, ETA."""

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("sync"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,  # the summary (or the one error line) replaces it
        )
        self.task: TaskID | None = None

    def __call__(self, done: int, total: int, height: int) -> None:
        if not err_console.is_terminal:  # logs, pipes, systemd: no bar, just the result
            return
        if self.task is None:
            self.progress.start()
            self.task = self.progress.add_task("sync", total=total, rate="")
        self.progress.update(self.task, completed=done, total=total)
        speed = self.progress.tasks[0].speed
        unit = "days" if height < 0 else "blocks"  # Coin Metrics reports no height
        rate = f"{speed:,.0f} {unit}/s" if speed else ""
        self.progress.update(self.task, rate=rate)

    def stop(self) -> None:
        if self.task is not None:
            self.progress.stop()


def _human(summary: dict[str, Any]) -> list[tuple[str, str]]:
    skip = {"reorgs"}
    pairs = [(k, "" if v is None else str(v)) for k, v in summary.items() if k not in skip]
    for r in summary.get("reorgs", []):
        pairs.append(
            (
                "reorg",
                f"replaced {r['blocks_replaced']} blocks from height {r['fork_height']}"
                f" (old tip {r['old_tip_height']}, new {r['new_tip_height']})",
            )
        )
    return pairs


def _follow_line(e: FollowEvent) -> tuple[str, bool]:
    """One human line for a follow event, and whether it is data (stdout) or a message."""
    d = e.to_dict()
    kind = d["event"]
    if kind == "block":
        return f"block {d['height']} {d['hash']} {d['time_iso']}", True
    if kind == "reorg":
        return (
            f"reorg at height {d['fork_height']}: {d['blocks_replaced']} blocks replaced"
            f" (old tip {d['old_tip_height']}, new tip {d['new_tip_height']})",
            True,
        )
    if kind == "caught_up":
        return (
            f"synced blocks {d['first_height']}..{d['last_height']} ({d['blocks']} blocks);"
            f" tip {d['tip_hash']} {d['tip_time_iso']}",
            True,
        )
    if kind == "source_down":
        return (
            f"source unavailable ({d['failures']} in a row): {d['message']};"
            f" retrying in {d['retry_in_s']:.1f} s",
            False,
        )
    if kind == "source_back":
        return f"source answers again after {d['failures']} failed rounds", False
    return f"stopped ({d['reason']}); stored tip {d['tip_height']}", False


def _follow(
    db: Path | None, req: Any, interval_s: float, max_failures: int | None, js: bool
) -> None:
    from ..ingest.sync_follow import follow_database

    stop = threading.Event()
    got: list[str] = []

    def on_signal(signum: int, frame: object) -> None:
        if stop.is_set():  # a second signal: do not wait for the batch, roll it back
            raise KeyboardInterrupt
        got.append(signal.Signals(signum).name)
        stop.set()

    def emit(event: FollowEvent) -> None:
        if js:  # one JSON document per line (NDJSON), flushed: scripts read it live
            sys.stdout.write(json.dumps(event.to_dict()) + "\n")
            sys.stdout.flush()
            return
        line, data = _follow_line(event)
        if data:
            typer.echo(line)
        else:
            message(line)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        follow_database(
            db,
            req,
            stop=stop,
            emit=emit,
            interval_s=interval_s,
            max_failures=max_failures,
            reason=lambda: got[0] if got else "stop requested",
        )
    except KeyboardInterrupt:
        message("stopped (second signal): the batch in progress was rolled back")
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


@app.command("sync")
def sync_cmd(
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="rpc (Bitcoin Core), esplora (esplora/mempool REST) or coinmetrics"
            " [default: the config file's, else rpc].",
            show_default=False,
        ),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            help="Server root: http://127.0.0.1:8332/, https://mempool.space/api,"
            " https://community-api.coinmetrics.io/v4 [default: from the config file].",
            show_default=False,
        ),
    ] = None,
    rpc_cookie: Annotated[
        Path | None,
        typer.Option("--rpc-cookie", help="Bitcoin Core cookie file (<datadir>/.cookie)."),
    ] = None,
    rpc_user: Annotated[str | None, typer.Option("--rpc-user", help="RPC user name.")] = None,
    rpc_password: Annotated[
        str | None,
        typer.Option(
            "--rpc-password",
            envvar="MINERSCOPE_RPC_PASSWORD",
            help="RPC password (better: set $MINERSCOPE_RPC_PASSWORD or use the cookie).",
            show_default=False,
            show_envvar=True,
        ),
    ] = None,
    from_height: Annotated[
        int | None,
        typer.Option(
            "--from-height",
            min=0,
            help="First height on an empty database [default: start of the epoch before"
            " the tip's].",
        ),
    ] = None,
    to_height: Annotated[
        int | None, typer.Option("--to-height", min=0, help="Last height [default: the tip].")
    ] = None,
    batch_blocks: Annotated[
        int | None,
        typer.Option("--batch-blocks", help="Blocks per request batch and commit [1000]."),
    ] = None,
    timeout_s: Annotated[
        float | None,
        typer.Option(
            "--timeout-s", help="Timeout of each socket read, in seconds [60 RPC, 30 REST]."
        ),
    ] = None,
    retries: Annotated[
        int | None,
        typer.Option("--retries", help="Retries of a failed request [4]."),
    ] = None,
    request_deadline_s: Annotated[
        float | None,
        typer.Option(
            "--request-deadline-s",
            help="Overall limit on one request with all its retries, however slowly the"
            " server answers [300].",
            show_default=False,
        ),
    ] = None,
    deadline_s: Annotated[
        float | None,
        typer.Option(
            "--deadline-s",
            help="Overall limit on the whole sync (each round with --follow); whole batches"
            " are kept [no limit].",
            show_default=False,
        ),
    ] = None,
    max_body_mib: Annotated[
        float | None,
        typer.Option(
            "--max-body-mib", help="Longest answer accepted, in MiB [64].", show_default=False
        ),
    ] = None,
    follow: Annotated[
        bool,
        typer.Option(
            "--follow",
            help="Keep following the source: one line per new block or reorg; stops cleanly"
            " on SIGTERM/SIGINT.",
        ),
    ] = False,
    interval_s: Annotated[
        float, typer.Option("--interval-s", help="With --follow: seconds between polls.")
    ] = 60.0,
    max_failures: Annotated[
        int | None,
        typer.Option(
            "--max-failures",
            help="With --follow: exit 3 after this many failed polls in a row [never].",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Sync blocks (or Coin Metrics daily rows) incrementally; reorg-safe and resumable.

    Example: minerscope sync --source esplora --url https://mempool.space/api --json

    Follow a node: minerscope sync --follow --interval-s 60 --rpc-cookie ~/.bitcoin/.cookie
    """
    from ..ingest.sync_run import SyncRequest, sync_database  # lazy: httpx only when syncing

    req = SyncRequest(
        source=source,
        url=url,
        rpc_cookie=rpc_cookie,
        rpc_user=rpc_user,
        rpc_password=rpc_password,
        from_height=from_height,
        to_height=to_height,
        batch_blocks=batch_blocks,
        timeout_s=timeout_s,
        retries=retries,
        request_deadline_s=request_deadline_s,
        deadline_s=deadline_s,
        max_body_mib=max_body_mib,
    )
    if follow:
        _follow(db, req, interval_s, max_failures, json_out)
        return
    bar = _Bar()
    try:
        summary = sync_database(db, req, now_s=now_s(), progress=bar)
    finally:
        bar.stop()
    if json_out:
        emit_json(summary)
    else:
        render_pairs("sync", _human(summary.to_dict()))
