"""Commands ``hashrate``, ``difficulty`` and ``backtest projection``: render the network
analytics reports (:mod:`minerscope.report.network`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .. import storage
from ..asof import parse_time_spec, resolve_as_of
from ..errors import InputError
from ._app import app
from ._output import (
    AtOption,
    DbOption,
    JsonOption,
    as_of_lines,
    emit_json,
    message,
    now_s,
    render_pairs,
    render_table,
)

if TYPE_CHECKING:
    from ..report.network_results import DifficultyReport, HashrateReport, ProjectionBacktest
    from ..results import AsOfInfo, Percentiles

backtest_app = typer.Typer(
    help="Backtests on the real chain: is each interval calibrated?", no_args_is_help=True
)
app.add_typer(backtest_app, name="backtest")


def _f(x: Any, fmt: str = ",.1f") -> str:
    return "n/a" if x is None else format(x, fmt)


def _diff(d: float | None) -> str:
    if d is None:
        return "n/a"
    return f"{d / 1e12:,.2f} T" if d >= 1e10 else f"{d:,.6g}"


def _when(m: Any) -> str:
    return "n/a" if m is None else str(m.time_iso)


def _pct(p: Percentiles, k: int) -> str:
    v = p.get(k)
    return "n/a" if v is None else f"{v:+.2f}%"


def _note(as_of: AsOfInfo) -> None:
    for line in as_of_lines(as_of.to_dict()):
        message(line)


def render_hashrate(data: HashrateReport) -> None:
    """Tables for :func:`minerscope.report.network.hashrate_report`."""
    a = data.as_of
    rows = [
        [
            w.window,
            _f(w.hashrate_ehs),
            f"{_f(w.hashrate_lower_ehs)} .. {_f(w.hashrate_upper_ehs)}",
            _f(w.core_getnetworkhashps_ehs),
            w.n_blocks,
        ]
        for w in data.windows + data.daily
    ]
    render_table(
        f"hash rate as of {a.data_time_iso} ({a.resolution} data), EH/s",
        ["window", "estimate", "95% interval", "Core", "blocks"],
        rows,
    )
    dd = data.drawdown
    if dd is not None:
        render_pairs(
            f"drawdown from the {dd.lookback_days}-day peak ({dd.smoothing_days}-day mean)",
            [
                ("now", f"{_f(dd.hashrate_now_ehs)} EH/s ({dd.last_date})"),
                ("peak", f"{_f(dd.hashrate_peak_ehs)} EH/s ({dd.peak_date})"),
                (
                    "change",
                    f"{dd.change_from_peak_pct:+.1f}% observed, "
                    f"{dd.change_from_peak_corrected_pct:+.1f}% corrected for the noisy max; "
                    f"95% interval {dd.change_from_peak_lower_pct:+.1f}% .."
                    f" {dd.change_from_peak_upper_pct:+.1f}%",
                ),
            ],
        )
    if data.daily_series:

        def iv(v: Any, lo: Any, hi: Any) -> str:
            return f"{_f(v)} [{_f(lo)}, {_f(hi)}]"

        render_table(
            "daily rows, EH/s with 95% intervals",
            ["date", "blocks", "day", "7-day mean", "30-day mean"],
            [[r.date, r.blocks, iv(r.hashrate_ehs, r.hashrate_lower_ehs, r.hashrate_upper_ehs),
              iv(r.hashrate_ma7_ehs, r.hashrate_ma7_lower_ehs, r.hashrate_ma7_upper_ehs),
              iv(r.hashrate_ma30_ehs, r.hashrate_ma30_lower_ehs, r.hashrate_ma30_upper_ehs)]
             for r in data.daily_series],
        )  # fmt: skip
    bt = data.block_times
    if bt is not None:
        render_table(
            "block intervals",
            ["window", "mean s", "95% interval s", "median s"],
            [
                [
                    r.window,
                    _f(r.mean_interval_s),
                    f"{_f(r.mean_interval_lower_s)} .. {_f(r.mean_interval_upper_s)}",
                    _f(r.median_interval_s),
                ]
                for r in bt.intervals
            ],  # fmt: skip
        )
        render_table(
            "blocks per day (expected 144)",
            ["last days", "blocks", "per day", "95% interval"],
            [
                [
                    f"{r.days:g}",
                    r.n_blocks,
                    _f(r.blocks_per_day),
                    f"{_f(r.blocks_lower_per_day)} .. {_f(r.blocks_upper_per_day)}",
                ]
                for r in bt.blocks_per_day
            ],  # fmt: skip
        )
    for w in data.windows:
        if w.note:
            message(f"{w.window}: {w.note}")
    message(
        "intervals: exact Gamma for block windows, Garwood for time windows and daily rows;"
        " Core = getnetworkhashps (biased high by N/(N-1))"
    )
    _note(data.as_of)


def render_difficulty(data: DifficultyReport) -> None:
    """Lines for :func:`minerscope.report.network.difficulty_report`."""
    ep = data.epoch
    na = data.next_adjustment
    mp = data.mempool_style
    hv = data.halving
    c = na.change_pct
    nd = na.next_difficulty
    eta = na.retarget_eta
    pairs = [
        ("epoch", f"{ep.index}: {ep.blocks_mined:,} of 2,016 blocks mined "
                  f"({ep.progress_pct:.1f}%), tip {ep.tip_height:,}"),
        ("difficulty", f"{_diff(data.difficulty)} (bits {data.bits_hex})"),
        ("mean block time", f"{_f(ep.mean_block_time_s)} s this epoch"),
        ("next change", ("exact: " if na.exact else "")
            + f"p50 {_pct(c, 50)}; 50% {_pct(c, 25)} .. {_pct(c, 75)};"
            f" 90% {_pct(c, 5)} .. {_pct(c, 95)}"),
        ("next difficulty", f"p50 {_diff(nd.p50)}; 90% {_diff(nd.p5)} .. {_diff(nd.p95)}"),
        ("retarget block", f"{na.retarget_height:,} at {_when(eta.p50)}"
            f" (p10 {_when(eta.p10)}, p90 {_when(eta.p90)})"),
        ("mempool-style", f"{mp.change_pct:+.2f}% at {mp.retarget_eta.time_iso}"
            " (point estimate, no interval)"),
    ]  # fmt: skip
    e = hv.eta
    when = (
        f"{_when(e.p50)} (p10 {_when(e.p10)}, p90 {_when(e.p90)};"
        f" 600 s blocks: {hv.eta_at_600s.time_iso})"
        if e is not None
        else f"{hv.eta_at_600s.time_iso} at 600 s blocks ({hv.method})"
    )
    pairs.append(("next halving", f"block {hv.height:,} ({hv.blocks_left:,} left) at {when}"))
    a = data.as_of
    render_pairs(f"difficulty as of {a.data_time_iso} ({a.resolution} data)", pairs)
    if mp.note:
        message(f"mempool-style ETA: {mp.note}")
    _note(data.as_of)


def _pct_iv(c: Any, k: str) -> str:
    v, lo, hi = (getattr(c, f"{k}{s}_pct") for s in ("", "_lower", "_upper"))
    return f"{v:.1f}% [{lo:.0f}, {hi:.0f}]"


def _era_table(title: str, cells: Sequence[Any], unit: str) -> None:
    def e(c: Any, name: str) -> str:
        return f"{getattr(c, f'{name}_{unit}'):.2f}"

    render_table(
        title,
        ["era", "progress", "epochs", "50% coverage [95%]", "90% coverage [95%]",
         f"median abs error ({unit})", f"mempool median abs error ({unit})",
         f"mean abs error ({unit})", f"mempool mean abs error ({unit})", "closer"],
        [
            [c.era, f"{c.progress_pct:.0f}%", c.epochs, _pct_iv(c, "coverage_50"),
             _pct_iv(c, "coverage_90"), e(c, "median_abs_error"),
             e(c, "mempool_median_abs_error"), e(c, "mean_abs_error"),
             e(c, "mempool_mean_abs_error"), f"{100 * c.closer_than_mempool_share:.0f}%"]
            for c in cells
        ],
    )  # fmt: skip


def render_backtest(data: ProjectionBacktest) -> None:
    """Tables for :func:`minerscope.report.network.backtest_report`."""
    ep = data.epochs
    render_table(
        f"difficulty projection backtest: epochs {ep.first_epoch}..{ep.last_epoch} ({ep.count})",
        ["progress", "epochs", "block/daily", "median abs error p50 (pp)",
         "mempool median abs error (pp)", "50% coverage", "90% coverage", "mean error (pp)"],
        [
            [f"{s.progress_pct:.0f}%", s.epochs, f"{s.block_resolution}/{s.daily_resolution}",
             f"{s.median_abs_error_pp:.2f}", f"{s.mempool_median_abs_error_pp:.2f}",
             f"{s.coverage_50_pct:.1f}%", f"{s.coverage_90_pct:.1f}%",
             f"{s.mean_error_pp:+.2f}"]
            for s in data.summary
        ],
    )  # fmt: skip
    _era_table("next change by era (coverage with Wilson 95% intervals)", data.by_era, "pp")
    _era_table(
        "retarget ETA by era (50% = p25..p75, 90% = p5..p95; errors in hours)",
        data.eta_by_era,
        "h",
    )
    message(f"resolution: {data.resolution_note}")
    message(f"model: {data.model_rule}")


def _progress_printer() -> Callable[[int, int], None]:
    """A ``progress(done, total)`` callback writing a line to stderr every ~10 %."""
    last = [-1]

    def show(done: int, total: int) -> None:
        step = 100 * done // max(total, 1) // 10
        if step != last[0] or done == total:
            last[0] = step
            message(f"backtest: {done}/{total} epochs")

    return show


@app.command("hashrate")
def hashrate_cmd(
    window_blocks: Annotated[
        int | None, typer.Option("--window-blocks", min=2, help="One window of the last N blocks.")
    ] = None,
    window_days: Annotated[
        float | None,
        typer.Option("--window-days", min=0.01, help="One time window: the last D days."),
    ] = None,
    lookback_days: Annotated[
        int,
        typer.Option("--lookback-days", min=2, help="Drawdown: days over which the peak is taken."),
    ] = 90,
    smoothing_days: Annotated[
        int,
        typer.Option("--smoothing-days", min=1, help="Drawdown: trailing mean of the hash rate."),
    ] = 7,
    series_days: Annotated[
        int,
        typer.Option(
            "--series-days", min=0, help="Also list the last N days: per day, 7- and 30-day means."
        ),
    ] = 0,
    at: AtOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Hash rate with exact 95% intervals (and Core's figure), block times, drawdown.

    Default windows: the last 144, 1008 and 2016 blocks and the epoch so far, plus 1, 7
    and 30 days of daily rows.

    Example: minerscope hashrate --at 2026-02-01T08:40:17Z --window-days 7 --json
    """
    from ..report import network as network_report  # lazy: keeps start-up light

    if window_blocks is not None and window_days is not None:
        raise InputError("give --window-blocks or --window-days, not both", field="--window-days")
    spec = parse_time_spec(at) if at else None
    conn = storage.open_for_reading(db)
    try:
        as_of = resolve_as_of(conn, spec, now_s=now_s())
        data = network_report.hashrate_report(
            conn, as_of, window_blocks=window_blocks, window_days=window_days,
            lookback_days=lookback_days, smoothing_days=smoothing_days, series_days=series_days,
        )  # fmt: skip
    finally:
        conn.close()
    if json_out:
        emit_json(data)
    else:
        render_hashrate(data)


@app.command("difficulty")
def difficulty_cmd(
    at: AtOption = None,
    history: Annotated[
        bool, typer.Option("--history", help="Every past retarget instead (see --from, --to).")
    ] = False,
    from_date: Annotated[
        str | None, typer.Option("--from", metavar="DATE", help="--history: first date.")
    ] = None,
    to_date: Annotated[
        str | None, typer.Option("--to", metavar="DATE", help="--history: last date.")
    ] = None,
    csv_out: Annotated[bool, typer.Option("--csv", help="--history: CSV on stdout.")] = False,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """The next difficulty adjustment with its interval, retarget ETA and halving ETA.

    Percentiles 5/25/50/75/95 of the change, mempool.space's point estimate beside it.
    With --history: every retarget known at TIME (epoch, height, date, bits, difficulty, change, mean
    block time of the epoch).

    Example: minerscope difficulty --at 2026-02-01T08:40:17Z --json
    """
    if history:
        from .signals import difficulty_history

        difficulty_history(
            db=db, at=at, from_date=from_date, to_date=to_date, csv_out=csv_out, json_out=json_out
        )
        return
    if from_date or to_date or csv_out:
        raise InputError("--from, --to and --csv go with --history", field="--history")
    from ..report import network as network_report  # lazy: keeps start-up light

    spec = parse_time_spec(at) if at else None
    conn = storage.open_for_reading(db)
    try:
        as_of = resolve_as_of(conn, spec, now_s=now_s())
        data = network_report.difficulty_report(conn, as_of)
    finally:
        conn.close()
    if json_out:
        emit_json(data)
    else:
        render_difficulty(data)


@backtest_app.command("projection")
def backtest_projection_cmd(
    from_date: Annotated[
        str, typer.Option("--from", metavar="DATE", help="First epoch start date (YYYY-MM-DD).")
    ] = "2016-01-01",
    to_date: Annotated[
        str | None, typer.Option("--to", metavar="DATE", help="Last epoch start date.")
    ] = None,
    rows: Annotated[
        bool, typer.Option("--rows", help="Include every projection in --json.")
    ] = False,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Project every real epoch at 10/25/50/75/90% and score the intervals, by era.

    Uses only data known at each moment; per-block data where stored, else daily rows.
    Tables: coverage of the 50% and 90% intervals (Wilson 95% intervals), median and mean
    absolute error against the mempool-style estimate, for the change and the retarget ETA.
    Progress goes to stderr.

    Example: minerscope backtest projection --from 2016-01-01 --json
    """
    from ..report import network as network_report  # lazy: keeps start-up light

    for name, value in (("--from", from_date), ("--to", to_date)):
        if value is not None and (len(value) != 10 or value[4] != "-" or value[7] != "-"):
            raise InputError(f"{value!r} is not a YYYY-MM-DD date", field=name)
    conn = storage.open_for_reading(db)
    try:
        data = network_report.backtest_report(
            conn, from_date=from_date, to_date=to_date, include_rows=rows,
            progress=_progress_printer(),
        )  # fmt: skip
    finally:
        conn.close()
    if json_out:
        emit_json(data)
    else:
        render_backtest(data)
