"""Command ``pools``: render :func:`minerscope.report.pools.pools_view` (who mines)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..errors import InputError
from ..results import to_jsonable
from ._app import app
from ._output import (
    AtOption,
    DbOption,
    JsonOption,
    emit_json,
    message,
    now_s,
    render_pairs,
    render_table,
)

if TYPE_CHECKING:
    from ..report.pools import PoolsReport

TagsOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--tags",
        metavar="FILE",
        help="Extra pool tag file (minerscope or bitcoin-data/mining-pools format); repeatable.",
    ),
]
POOL_CSV_COLUMNS = (
    "rank", "pool_slug", "pool_name", "blocks", "block_share", "block_lower_share",
    "block_upper_share", "hashrate_ehs", "hashrate_lower_ehs", "hashrate_upper_ehs",
    "trailing_blocks", "trailing_share", "expected_blocks", "luck_pct", "luck_p_value",
    "btc_per_day", "usd_per_day", "operator",
)  # fmt: skip
HISTORY_CSV_COLUMNS = (
    "date", "complete_day", "pool_slug", "pool_name", "blocks", "day_blocks", "block_share",
    "block_lower_share", "block_upper_share",
)  # fmt: skip
HISTORY_TABLE_POOLS = 8


def _f(x: float | None, fmt: str) -> str:
    return "" if x is None else format(x, fmt)


def _write_csv(columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in columns])


def render_pools(report: PoolsReport) -> None:
    """Tables for a :class:`~minerscope.report.pools.PoolsReport`."""
    w = report.window
    rows = []
    for p in report.pools:
        hr = ""
        if p.hashrate_ehs is not None:
            hr = f"{p.hashrate_ehs:,.1f} [{p.hashrate_lower_ehs:,.1f}, {p.hashrate_upper_ehs:,.1f}]"
        luck = "" if p.luck_pct is None else f"{p.luck_pct:.0f}% (p={p.luck_p_value:.2g})"
        rows.append([
            "" if p.rank is None else p.rank,
            p.pool_name,
            p.blocks,
            f"{100 * p.block_share:.2f} [{100 * p.block_lower_share:.2f},"
            f" {100 * p.block_upper_share:.2f}]",
            hr,
            luck,
            f"{p.btc_per_day:,.2f}",
            _f(p.usd_per_day, ",.0f"),
        ])  # fmt: skip
    render_table(
        f"pools: {w.days:g} days to {w.end_time_iso} ({w.attributed_blocks:,} attributed"
        f" blocks, {w.first_height}..{w.last_height})",
        ["#", "pool", "blocks", "share % [95%]", "EH/s [95%]", "luck (p)", "BTC/day", "USD/day"],
        rows,
    )
    c = report.concentration
    pairs = [
        (
            "HHI",
            f"{c.hhi_share:.4f} [{c.hhi_lower_share:.4f}, {c.hhi_upper_share:.4f}]"
            f" ({10_000 * c.hhi_share:,.0f} points)",
        ),
        (
            "Nakamoto coefficient",
            f"{c.nakamoto_coefficient} [{c.nakamoto_coefficient_lower},"
            f" {c.nakamoto_coefficient_upper}]"
            " (fewest pools with more than 50% of the blocks)",
        ),
        ("unknown blocks", f"{100 * c.unknown_share:.1f}% (counted as no pool)"),
    ]
    if report.network is not None:
        n = report.network
        pairs.append(
            (
                "network hash rate",
                f"{n.hashrate_ehs:,.1f} EH/s [{n.hashrate_lower_ehs:,.1f},"
                f" {n.hashrate_upper_ehs:,.1f}] over {n.n_blocks:,} blocks",
            )
        )
    pairs.append(("luck against", f"the {report.trailing.days:g} days before the window"))
    render_pairs("concentration", pairs)
    if report.operators:
        render_table(
            "operators (own pools only)",
            ["operator", "pools", "blocks", "share % [95%]", "BTC/day", "USD/day"],
            [
                [o.operator, ", ".join(o.pool_slugs), o.blocks,
                 f"{100 * o.block_share:.2f} [{100 * o.block_lower_share:.2f},"
                 f" {100 * o.block_upper_share:.2f}]",
                 f"{o.btc_per_day:,.2f}", _f(o.usd_per_day, ",.0f")]
                for o in report.operators
            ],
        )  # fmt: skip
    if report.history:
        _render_history(report)
    for note in report.as_of.notes:
        message(f"note: {note}")
    message(f"note: {report.operators_note}")
    message(f"{report.fees_note}")
    message(
        "intervals: shares Clopper-Pearson (exact); hash rate Garwood on the pool's count;"
        " luck p-value two-sided exact binomial; concentration bootstrap"
        f" ({c.bootstrap_draws:,} draws, seed {c.bootstrap_seed})"
    )


def _render_history(report: PoolsReport) -> None:
    top = [p.pool_slug for p in report.pools if p.pool_slug != "unknown"][:HISTORY_TABLE_POOLS]
    names = {p.pool_slug: p.pool_name for p in report.pools}
    days: dict[str, dict[str, float]] = {}
    totals: dict[str, int] = {}
    assert report.history is not None
    for h in report.history:
        days.setdefault(h.date, {})[h.pool_slug] = h.block_share
        totals[h.date] = h.day_blocks
    rows = []
    for d in sorted(days):
        shares = days[d]
        other = 1.0 - sum(shares.get(s, 0.0) for s in top) - shares.get("unknown", 0.0)
        rows.append(
            [d, totals[d]]
            + [f"{100 * shares.get(s, 0.0):.1f}" for s in top]
            + [f"{100 * other:.1f}", f"{100 * shares.get('unknown', 0.0):.1f}"]
        )
    render_table(
        "daily shares, % of the day's attributed blocks",
        ["date", "blocks", *[names[s] for s in top], "other", "unknown"],
        rows,
    )


@app.command("pools")
def pools_cmd(
    window_days: Annotated[
        float,
        typer.Option("--window-days", min=0.01, help="Window: the last D days (1, 7, 30, 365)."),
    ] = 7,
    trailing_days: Annotated[
        float | None,
        typer.Option(
            "--trailing-days",
            min=0.01,
            help="Luck: the trailing D days before the window [default: max(30, window)].",
        ),
    ] = None,
    history: Annotated[
        bool, typer.Option("--history", help="Also each pool's share on each day of the window.")
    ] = False,
    list_pools: Annotated[
        bool, typer.Option("--list", help="List the known pools (slugs, tags, addresses).")
    ] = False,
    tags: TagsOption = None,
    csv_out: Annotated[
        bool,
        typer.Option("--csv", help="CSV on stdout: one row per pool (with --history, per day)."),
    ] = False,
    at: AtOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Who mines: blocks, share, hash rate, luck and BTC/day per pool; HHI, Nakamoto.

    Shares carry exact (Clopper-Pearson) 95% intervals, hash rates Garwood intervals that
    include the network estimate's uncertainty; luck is against the pool's share in the
    trailing window. "unknown" (no tag or address matched) is its own row.

    Example: minerscope pools --at 2026-02-01T08:40:17Z --window-days 7
    """
    from ..report import pools as pools_report  # lazy: keeps start-up light

    if csv_out and json_out:
        raise InputError("give --json or --csv, not both", field="--csv")
    if list_pools:
        known = pools_report.known_pools(pools_report.pool_catalog(tags or []))
        if json_out:
            from ..report.pools_results import KnownPools

            emit_json(KnownPools(pools=tuple(known)))
        elif csv_out:
            _write_csv(
                ("pool_slug", "pool_name", "link", "tags", "addresses", "operator"),
                [
                    {
                        **to_jsonable(k),
                        "tags": " | ".join(k.tags),
                        "addresses": " ".join(k.addresses),
                    }
                    for k in known
                ],
            )
        else:
            render_table(
                f"{len(known)} known pools",
                ["slug", "name", "tags", "addresses", "operator"],
                [[k.pool_slug, k.pool_name, len(k.tags), len(k.addresses), k.operator or ""]
                 for k in known],
                justify=lambda i: "right" if i in (2, 3) else "left",
            )  # fmt: skip
        return
    report = pools_report.pools_view(
        db,
        at,
        now_s=now_s(),
        tag_files=tags or [],
        window_days=window_days,
        trailing_days=trailing_days,
        history=history,
    )
    if json_out:
        emit_json(report)
    elif csv_out:
        if history:
            _write_csv(HISTORY_CSV_COLUMNS, [to_jsonable(h) for h in report.history or ()])
        else:
            _write_csv(POOL_CSV_COLUMNS, [to_jsonable(p) for p in report.pools])
    else:
        render_pools(report)
