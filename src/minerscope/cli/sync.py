"""Command ``sync``: live data from a Bitcoin Core node, an esplora/mempool server or Coin Metrics."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from .. import storage
from . import app
from ._output import DbOption, JsonOption, emit_json, err_console, now_s, render_pairs


class _Bar:
    """A rich progress bar on stderr: blocks (or days) done, rate per second and ETA."""

    def __init__(self) -> None:
        self.progress = Progress(
            TextColumn("sync"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=err_console,
            transient=False,
        )
        self.task: TaskID | None = None

    def __call__(self, done: int, total: int, height: int) -> None:
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
                f"replaced {r['depth']} blocks from height {r['fork_height']}"
                f" (old tip {r['old_tip_height']}, new {r['new_tip_height']})",
            )
        )
    return pairs


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
        typer.Option("--batch-blocks", min=1, help="Blocks per request batch and commit [1000]."),
    ] = None,
    timeout_s: Annotated[
        float | None,
        typer.Option("--timeout-s", min=0.01, help="Per-request timeout in seconds."),
    ] = None,
    retries: Annotated[
        int | None,
        typer.Option("--retries", min=0, help="Retries of a failed request [4]."),
    ] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Sync blocks (or Coin Metrics daily rows) incrementally; reorg-safe and resumable.

    Example: minerscope sync --source esplora --url https://mempool.space/api --json
    """
    from ..ingest.sync import SyncRequest, run_sync  # lazy: httpx only when syncing

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
    )
    bar = _Bar()
    conn = storage.open_for_writing(db)
    try:
        summary = run_sync(conn, req, now_s=now_s(), progress=bar)
    finally:
        bar.stop()
        conn.close()
    if json_out:
        emit_json(summary)
    else:
        render_pairs("sync", _human(summary))
