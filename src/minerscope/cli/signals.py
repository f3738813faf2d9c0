"""Commands ``study contraction|ribbons|composite`` and ``signals``, and the rendering of
``difficulty --history`` and ``hashrate --smoothing-days`` (rendering only: the figures come
from :mod:`minerscope.report.signals` and :mod:`minerscope.report.retargets`)."""

from __future__ import annotations

import csv
import math
import sys
from typing import Annotated, Any

import typer

from .. import storage
from ..asof import parse_time_spec, resolve_as_of
from ._app import app
from ._output import (
    AtOption,
    DbOption,
    JsonOption,
    emit_json,
    message,
    now_s,
    render_table,
)

study_app = typer.Typer(
    help="Event studies with honest statistics: episodes, block bootstrap, shift tests.",
    no_args_is_help=True,
)
app.add_typer(study_app, name="study")

FromOption = Annotated[
    str | None, typer.Option("--from", metavar="DATE", help="First signal day (YYYY-MM-DD).")
]
ToOption = Annotated[
    str | None, typer.Option("--to", metavar="DATE", help="Last signal day (YYYY-MM-DD).")
]
HorizonOption = Annotated[
    int, typer.Option("--horizon-days", help="Forward-return horizon N in days.")
]
ResamplesOption = Annotated[
    int, typer.Option("--resamples", help="Stationary-bootstrap resamples (at least 100).")
]
SeedOption = Annotated[int | None, typer.Option("--seed", help="Seed of the bootstrap.")]


# --- formatting -----------------------------------------------------------------------


def _ok(x: Any) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def _share(x: Any) -> str:
    return f"{100 * x:.1f}%" if _ok(x) else "n/a"


def _pct(x: Any, sign: bool = True) -> str:
    return (f"{x:+.1f}%" if sign else f"{x:.1f}%") if _ok(x) else "n/a"


def _iv_share(lo: Any, hi: Any) -> str:
    return f"[{100 * lo:.1f}, {100 * hi:.1f}]" if _ok(lo) and _ok(hi) else ""


def _iv_pct(lo: Any, hi: Any) -> str:
    return f"[{lo:+.1f}, {hi:+.1f}]" if _ok(lo) and _ok(hi) else ""


def _p(x: Any) -> str:
    return f"{x:.3f}" if _ok(x) else "n/a"


def _group_rows(stats: dict[str, Any], labels: tuple[str, str, str]) -> list[list[object]]:
    rows: list[list[object]] = []
    for key, label in zip(("signal", "complement", "unconditional"), labels, strict=True):
        g = stats[key]
        rows.append([
            label, f"{g['days']:,}", g["episodes"], g["non_overlapping_windows"],
            f"{_share(g['hit_rate_share'])} {_iv_share(g['hit_rate_lower_share'], g['hit_rate_upper_share'])}",
            f"{_pct(g['mean_return_pct'])} {_iv_pct(g['mean_return_lower_pct'], g['mean_return_upper_pct'])}",
            f"{_pct(g['median_return_pct'])} {_iv_pct(g['median_return_lower_pct'], g['median_return_upper_pct'])}",
            f"{_share(g['non_overlapping_hit_rate_share'])} {_iv_share(g['non_overlapping_hit_rate_lower_share'], g['non_overlapping_hit_rate_upper_share'])}",
        ])  # fmt: skip
    return rows


def render_stats(title: str, stats: dict[str, Any], labels: tuple[str, str, str]) -> None:
    """The group table, the two tests and the era breakdown of one study."""
    n = stats["horizon_days"]
    render_table(
        f"{title}: {stats['first_date']} .. {stats['last_date']} ({stats['sample_days']:,} days),"
        f" {n}-day forward returns, 95% intervals",
        ["group", "days", "episodes", f"non-overlapping {n}d", "hit rate", "mean return",
         "median return", "hit rate, non-overlapping (Wilson)"],
        _group_rows(stats, labels),
    )  # fmt: skip
    for key in ("hit_rate_test", "mean_return_test"):
        t = stats[key]
        message(
            f"{t['statistic']}: {100 * t['observed']:+.1f} pp"
            f" {_iv_pct(100 * t['observed_lower'] if _ok(t['observed_lower']) else None, 100 * t['observed_upper'] if _ok(t['observed_upper']) else None)};"
            f" p = {_p(t['p_value'])} ({t['shifts']:,} circular shifts)"
        )  # fmt: skip
    b = stats["bootstrap"]
    message(
        f"bootstrap: {b['resamples']:,} resamples, mean block {b['mean_block_days']:g} days,"
        f" seed {b['seed']}"
    )
    render_table(
        "by halving era (no bootstrap: a few episodes each)",
        ["era", "subsidy", "days", "signal days", "episodes", "hit rate signal / other",
         "mean return signal / other"],
        [[e["era"], f"{e['subsidy_btc']:g} BTC", f"{e['first_date']} .. {e['last_date']}",
          e["signal"]["days"], e["signal"]["episodes"],
          f"{_share(e['signal']['hit_rate_share'])} / {_share(e['complement']['hit_rate_share'])}",
          f"{_pct(e['signal']['mean_return_pct'])} / {_pct(e['complement']['mean_return_pct'])}"]
         for e in stats["eras"]],
    )  # fmt: skip


def render_contraction(data: dict[str, Any]) -> None:
    """Tables for :func:`minerscope.report.signals.contraction_report`."""
    message(f"signal: {data['definition']}")
    render_stats(
        f"hash-rate contraction (L={data['lookback_days']}, S={data['smoothing_days']},"
        f" N={data['horizon_days']}; closes: {data['btc_price_source']})",
        data["stats"],
        ("contraction (g < 0)", "growth (g >= 0)", "all days"),
    )
    if data["published"]:
        render_table(
            "published figure against our 95% interval",
            ["claim", "published", "ours", "95% interval", "inside"],
            [[c["claim"],
              _share(c["published"]) if "hit" in c["claim"] else _pct(c["published"]),
              _share(c["ours"]) if "hit" in c["claim"] else _pct(c["ours"]),
              _iv_share(c["ours_lower"], c["ours_upper"]) if "hit" in c["claim"] else _iv_pct(c["ours_lower"], c["ours_upper"]),
              "yes" if c["inside"] else "no"] for c in data["published"]],
        )  # fmt: skip
        message(f"source: {data['published'][0]['source']}")
    sens = data.get("sensitivity")
    if sens:
        render_table(
            f"sensitivity: {sens['combinations_tried']} combinations of L, S, N tried;"
            f" {sens['significant_at_5pct']} with hit-rate p < 0.05"
            f" ({sens['expected_by_chance']:g} expected by chance alone if independent)",
            ["L", "S", "N", "signal days", "episodes", "non-overlapping", "hit signal",
             "hit other", "mean signal", "mean other", "p hit", "p mean"],
            [[r["lookback_days"], r["smoothing_days"], r["horizon_days"],
              r["stats"]["signal_days"], r["stats"]["episodes"],
              r["stats"]["non_overlapping_windows"],
              _share(r["stats"]["hit_rate_signal_share"]),
              _share(r["stats"]["hit_rate_complement_share"]),
              _pct(r["stats"]["mean_return_signal_pct"]),
              _pct(r["stats"]["mean_return_complement_pct"]),
              _p(r["stats"]["hit_rate_p_value"]), _p(r["stats"]["mean_return_p_value"])]
             for r in sens["rows"]],
        )  # fmt: skip
    for note in data["notes"]:
        message(f"note: {note}")


def render_ribbons(data: dict[str, Any]) -> None:
    """Tables for :func:`minerscope.report.signals.ribbons_report`."""
    message(f"signal: {data['definition']}")
    render_table(
        f"Hash Ribbons buy signals {data['from_date']} .. {data['to_date']}"
        f" (closes: {data['btc_price_source']})",
        ["buy", "recovery", "capitulation from", "days", "beyond noise", "close USD",
         "30d", "90d", "180d", "365d"],
        [[b["date"], b["recovery_date"], b["capitulation_start_date"], b["capitulation_days"],
          "yes" if b["capitulation_beyond_noise"] else "no", f"{b['btc_price_usd']:,.0f}",
          _pct(b["return_30d_pct"], True), _pct(b["return_90d_pct"]),
          _pct(b["return_180d_pct"]), _pct(b["return_365d_pct"])] for b in data["buys"]],
    )  # fmt: skip
    render_stats(
        "buy days against every other day", data["stats"], ("buy days", "other days", "all days")
    )
    for note in data["notes"]:
        message(f"note: {note}")


def render_composite(data: dict[str, Any]) -> None:
    """Tables for :func:`minerscope.report.signals.composite_report`."""
    render_table(
        "minerscope composite score: components (binary, 1 = healthy)",
        ["component", "reads 1 when", "weight"],
        [[c["name"], c["description"], _share(c["weight_share"])] for c in data["components"]],
    )
    message(f"score on {data['latest_date']}: {data['latest_score']:.0f} / 100")
    render_table(
        f"score buckets, {data['horizon_days']}-day forward returns",
        ["score", "days", "hit rate", "mean return", "median return"],
        [[f"{b['lower_score']:.0f}-{b['upper_score']:.0f}", f"{b['days']:,}",
          _share(b["hit_rate_share"]), _pct(b["mean_return_pct"]), _pct(b["median_return_pct"])]
         for b in data["buckets"]],
    )  # fmt: skip
    render_stats("score >= 60", data["high"], ("score >= 60", "score < 60", "all days"))
    render_stats("score <= 40", data["low"], ("score <= 40", "score > 40", "all days"))
    for note in data["notes"]:
        message(f"note: {note}")


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.4g}"


def _value_text(s: dict[str, Any]) -> str:
    parts = []
    for k, v in s["values"].items():
        if _ok(v):
            parts.append(f"{k} {_num(v)}")
    for k, v in s["dates"].items():
        if v:
            parts.append(f"{k} {v}")
    if s["beyond_noise"] is not None:
        parts.append("beyond noise" if s["beyond_noise"] else "within noise")
    return "; ".join(parts)


def render_signals(data: dict[str, Any]) -> None:
    """Tables for :func:`minerscope.report.signals.signals_view`."""
    render_table(
        f"signals on {data['date']} (daily rows; closes: {data['btc_price_source']};"
        f" MVRV: {data['mvrv_source'] or 'none'})",
        ["signal", "state", "since", "before", "figures"],
        [[s["name"], s["state"] or "n/a", s["since_date"] or "", s["previous_state"] or "",
          _value_text(s)] for s in data["signals"]],
    )  # fmt: skip
    c = data["composite"]
    score = f"{c['score']:.0f} / 100 ({c['band']})" if _ok(c["score"]) else "n/a"
    render_table(
        f"minerscope composite score: {score}",
        ["component", "reads 1 when", "weight", "reading", "value"],
        [[r["name"], r["description"], _share(r["weight_share"]),
          "n/a" if not _ok(r["reading"]) else f"{r['reading']:.0f}",
          f"{r['value_name']} {_num(r['value'])}" if _ok(r["value"]) else "n/a"]
         for r in c["components"]],
    )  # fmt: skip
    message(f"note: {c['note']}")
    render_table(
        f"changes {data['history_from_date']} .. {data['history_to_date']}",
        ["date", "signal", "from", "to"],
        [[h["date"], h["signal"], h["from_state"] or "", h["to_state"]] for h in data["history"]],
    )
    for note in data["notes"]:
        message(f"note: {note}")


def render_retargets(data: dict[str, Any]) -> None:
    """Table for :func:`minerscope.report.retargets.retarget_history`."""
    render_table(
        "difficulty retargets",
        ["epoch", "height", "date", "bits", "difficulty", "change", "mean block time s"],
        [[r["epoch"], f"{r['height']:,}", r["date"] or "n/a", r["bits_hex"],
          f"{r['difficulty'] / 1e12:,.2f} T" if r["difficulty"] >= 1e10 else f"{r['difficulty']:,.6g}",
          _pct(r["change_pct"]) if r["change_pct"] is not None else "",
          f"{r['mean_block_time_s']:.1f}" if r["mean_block_time_s"] is not None else "n/a"]
         for r in data["retargets"]],
    )  # fmt: skip
    for note in data["notes"]:
        message(f"note: {note}")


def write_retargets_csv(data: dict[str, Any], columns: tuple[str, ...]) -> None:
    """``difficulty --history --csv``: one row per retarget on stdout."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for r in data["retargets"]:
        writer.writerow(["" if r[c] is None else r[c] for c in columns])


def difficulty_history(
    *,
    db: Any,
    at: str | None = None,
    from_date: str | None,
    to_date: str | None,
    csv_out: bool,
    json_out: bool,
) -> None:
    """Dispatch target of ``difficulty --history``: load, then render (table, CSV or JSON)."""
    from ..asof import parse_time_spec, resolve_as_of
    from ..errors import InputError
    from ..report import retargets  # lazy: keeps start-up light

    if csv_out and json_out:
        raise InputError("give --json or --csv, not both", field="--csv")
    spec = parse_time_spec(at) if at else None
    conn = storage.connect(db, read_only=True)
    try:
        as_of = resolve_as_of(conn, spec, now_s=now_s())
        result = retargets.retarget_history(conn, as_of, from_date=from_date, to_date=to_date)
    finally:
        conn.close()
    if json_out:
        emit_json(result)
        return
    doc = result.to_dict()
    if csv_out:
        write_retargets_csv(doc, retargets.CSV_COLUMNS)
    else:
        render_retargets(doc)


# --- commands -------------------------------------------------------------------------


@study_app.command("contraction")
def study_contraction_cmd(
    lookback_days: Annotated[
        int, typer.Option("--lookback-days", help="L: days over which hash-rate growth is taken.")
    ] = 90,
    horizon_days: HorizonOption = 180,
    smoothing_days: Annotated[
        int, typer.Option("--smoothing-days", help="S: trailing mean of the daily hash rate.")
    ] = 30,
    from_date: Annotated[
        str | None,
        typer.Option("--from", metavar="DATE", help="First signal day [default: 2014-01-01]."),
    ] = "2014-01-01",
    to_date: ToOption = None,
    sensitivity: Annotated[
        bool, typer.Option("--sensitivity/--no-sensitivity", help="The grid over L, S and N.")
    ] = True,
    resamples: ResamplesOption = 2000,
    seed: SeedOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Does negative hash-rate growth precede price gains? VanEck's study, honestly.

    Signal: the S-day mean hash rate below its level L days earlier; outcome: the N-day
    forward return from that day's close. Reports days, episodes, non-overlapping windows,
    bootstrap intervals, a circular-shift p-value, halving eras and a sensitivity grid.

    Example: minerscope study contraction --lookback-days 90 --horizon-days 180 --json
    """
    from ..report import signals as signals_report  # lazy: keeps start-up light

    conn = storage.connect(db, read_only=True)
    try:
        doc = signals_report.contraction_report(
            conn, now_s=now_s(), lookback_days=lookback_days, horizon_days=horizon_days,
            smoothing_days=smoothing_days, from_date=from_date, to_date=to_date,
            resamples=resamples, seed=signals_report.DEFAULT_SEED if seed is None else seed,
            sensitivity=sensitivity,
        ).to_dict()  # fmt: skip
    finally:
        conn.close()
    if json_out:
        emit_json(doc)
    else:
        render_contraction(doc)


@study_app.command("ribbons")
def study_ribbons_cmd(
    horizon_days: HorizonOption = 180,
    from_date: FromOption = None,
    to_date: ToOption = None,
    resamples: ResamplesOption = 2000,
    seed: SeedOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Hash Ribbons: every capitulation, recovery and buy signal, and what followed.

    Buy days against every other day with the same statistics as the other studies; each
    capitulation says whether its cross was beyond the noise of the hash-rate intervals.

    Example: minerscope study ribbons --from 2012-01-01 --json
    """
    from ..report import signals as signals_report  # lazy: keeps start-up light

    conn = storage.connect(db, read_only=True)
    try:
        doc = signals_report.ribbons_report(
            conn, now_s=now_s(), horizon_days=horizon_days, from_date=from_date,
            to_date=to_date, resamples=resamples,
            seed=signals_report.DEFAULT_SEED if seed is None else seed,
        ).to_dict()  # fmt: skip
    finally:
        conn.close()
    if json_out:
        emit_json(doc)
    else:
        render_ribbons(doc)


@study_app.command("composite")
def study_composite_cmd(
    horizon_days: HorizonOption = 180,
    from_date: FromOption = None,
    to_date: ToOption = None,
    resamples: ResamplesOption = 2000,
    seed: SeedOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Backtest of minerscope's open composite score (ours, not CryptoQuant's).

    Forward returns after scores >= 60 and <= 40, by score bucket, with the statistics of
    the other studies; every component and weight is listed.

    Example: minerscope study composite --horizon-days 180 --json
    """
    from ..report import signals as signals_report  # lazy: keeps start-up light

    conn = storage.connect(db, read_only=True)
    try:
        doc = signals_report.composite_report(
            conn, now_s=now_s(), horizon_days=horizon_days, from_date=from_date,
            to_date=to_date, resamples=resamples,
            seed=signals_report.DEFAULT_SEED if seed is None else seed,
        ).to_dict()  # fmt: skip
    finally:
        conn.close()
    if json_out:
        emit_json(doc)
    else:
        render_composite(doc)


@app.command("signals")
def signals_cmd(
    at: AtOption = None,
    from_date: Annotated[
        str | None,
        typer.Option("--from", metavar="DATE", help="History from (default: a year before)."),
    ] = None,
    to_date: Annotated[
        str | None, typer.Option("--to", metavar="DATE", help="History to (default: --at).")
    ] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Every signal's state at a moment, since when, and the changes over a range.

    Hash-rate contraction, Hash Ribbons, price momentum, Puell bands, the difficulty
    ribbon, capitulation episodes, MVRV, and minerscope's composite score (0-100).

    Example: minerscope signals --at 2026-02-01 --json
    """
    from ..report import signals as signals_report  # lazy: keeps start-up light

    spec = parse_time_spec(at) if at else None
    conn = storage.connect(db, read_only=True)
    try:
        as_of = resolve_as_of(conn, spec, now_s=now_s())
        doc = signals_report.signals_view(
            conn, as_of, from_date=from_date, to_date=to_date
        ).to_dict()
    finally:
        conn.close()
    if json_out:
        emit_json(doc)
    else:
        render_signals(doc)


__all__ = ["difficulty_history", "render_retargets", "study_app"]
