"""Tables for the decision commands (``roi``, ``curtail``, ``scenario``, ``backtest paths``,
sensitivity grids). Rendering only: every number comes from the report documents."""

from __future__ import annotations

from typing import Any

from ..results import to_jsonable
from ._output import message, render_pairs, render_table


def _usd(x: float | None, digits: int = 0) -> str:
    if x is None:
        return "n/a"
    return f"-${-x:,.{digits}f}" if x < 0 else f"${x:,.{digits}f}"


def _k(x: float | None) -> str:
    if x is None:
        return "n/a"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.2f}M"
    if abs(x) >= 1e4:
        return f"{x / 1e3:,.0f}k"
    return f"{x:,.0f}"


def _pct(x: float | None, digits: int = 0) -> str:
    return "n/a" if x is None else f"{x:.{digits}f}%"


def _num(x: float | None, fmt: str) -> str:
    return "n/a" if x is None else format(x, fmt)


def _band(d: dict[str, Any], fmt: Any = _k) -> str:
    return f"{fmt(d['p5'])} / {fmt(d['p50'])} / {fmt(d['p95'])}"


def _day(moments: dict[str, Any], p: str) -> str | None:
    """The UTC day of a percentile moment (None: not given, e.g. beyond the horizon)."""
    m = moments.get(p)
    return None if m is None else str(m["time_iso"][:10])


def _payback(line: dict[str, Any]) -> str:
    dates = line["payback_date"]
    days = line["payback_days"]
    if line["capex_usd"] <= 0:
        return "no capex"
    if days["p50"] is None:
        first = _day(dates, "p5")
        return "beyond horizon" + (f" (p5 {first})" if first else "")
    return f"{_day(dates, 'p50')} ({_day(dates, 'p5') or '?'}..{_day(dates, 'p95') or 'beyond'})"


def render_roi(doc: Any) -> None:
    """Tables for :class:`minerscope.report.decisions.RoiDocument`."""
    d = to_jsonable(doc)
    a = d["as_of"]
    m = d["methods"]
    render_pairs(
        f"roi as of {a['data_time_iso'] or a['time_iso']}: {d['horizon_days']:,} days (to"
        f" {d['horizon_end_iso'][:10]}), {d['paths']:,} paths, seed {d['seed']},"
        f" discount {d['discount_rate_pct']:g} %",
        [
            ("difficulty", m["difficulty"]),
            ("next retarget", m["current_epoch"]),
            ("price", m["price"]),
            ("fees", m["fees"]),
            ("switching", m["switch_off"]),
        ]
        + (
            [
                (
                    "era",
                    f"{m['era']['first_date']}..{m['era']['last_date']} ({m['era']['days']:,}"
                    f" days, epochs {m['era']['first_epoch']}..{m['era']['last_epoch']}: mean"
                    f" epoch change {m['era']['epoch_change_mean_pct']:+.2f}%, price"
                    f" {m['era']['price_return_mean_pct_per_year']:+.0f}%/year)",
                )
            ]
            if m["era"]
            else []
        ),
    )
    for fl in d["fleets"]:
        rows = []
        for line in [*fl["groups"], fl["total"]]:
            rows.append(
                [
                    line["name"] if line is not fl["total"] else "TOTAL",
                    _k(line["capex_usd"]),
                    _band(line["cash_profit_usd"]),
                    _num(line["cash_profit_btc"]["p50"], ",.3f"),
                    _band(line["npv_usd"]),
                    _pct(line["irr_pct"]["p50"]),
                    _payback(line),
                    _pct(100 * line["payback_within_horizon_share"]),
                    "" if line["days_off_mean"] is None else f"{line['days_off_mean']:,.0f}",
                ]
            )
        render_table(
            f"{fl['name']} ({fl['machines']:,} machines; power {', '.join(f'{k} {v}' for k, v in fl['power_prices'].items())})",
            [
                "group",
                "capex $",
                "cash profit $ p5/p50/p95",
                "BTC p50",
                "NPV $ p5/p50/p95",
                "IRR p50",
                "payback p50 (p5..p95)",
                "P(payback)",
                "days off",
            ],
            rows,
        )
    c = d["comparison"]
    if c:
        diff = c["npv_difference_usd"]
        message(
            f"P({c['a']} beats {c['b']}) = {100 * c['a_beats_b_share']:.1f}% on NPV; NPV"
            f" difference p5/p50/p95 {_band(diff)}"
        )
    hv = d["halving_date"]
    pairs = [
        (
            "difficulty at horizon",
            _band(d["difficulty_at_horizon"], lambda v: _num(v and v / 1e12, ",.1f") + " T"),
        ),
        ("BTC price at horizon", _band(d["btc_price_at_horizon_usd"], lambda v: _usd(v))),
        ("retargets (mean)", f"{d['retargets_mean']:.1f}"),
    ]
    if hv:
        pairs.append(
            (
                "halving (block 1,050,000)",
                f"{_day(hv, 'p50')} ({_day(hv, 'p5')}..{_day(hv, 'p95')})",
            )
        )
    render_pairs("paths", pairs)
    message(
        "cash profit = revenue - power - hosting (- fixed opex in the total), before capex;"
        f" IRR from the first {d['irr_paths']:,} paths; --json adds per-day bands."
    )
    for note in d["as_of"]["notes"]:
        message(f"note: {note}")


def render_sweep(doc: Any) -> None:
    """Table for :class:`minerscope.report.sweep.SweepDocument`."""
    d = to_jsonable(doc)
    rows = []
    for it in d["items"]:
        t = it["total"]
        rows.append(
            [
                it["label"],
                _band(t["cash_profit_usd"]),
                _band(t["npv_usd"]),
                _pct(t["irr_pct"]["p50"]),
                _payback(t),
                _pct(100 * t["payback_within_horizon_share"]),
            ]
        )
    render_table(
        f"roi sweep: {len(rows)} items, {d['paths']:,} paths each (seed {d['seed']}, the same paths),"
        f" {d['horizon_days']:,} days; ran {d['executor']}",
        [
            "item",
            "cash profit $ p5/p50/p95",
            "NPV $ p5/p50/p95",
            "IRR p50",
            "payback p50",
            "P(payback)",
        ],
        rows,
    )


def render_curtail(doc: Any) -> None:
    """Tables for :class:`minerscope.report.curtail.CurtailDocument`."""
    d = to_jsonable(doc)
    w = d["window"]
    hp = d["hashprice"]
    pairs = [
        (
            "window",
            f"{w['from_iso']} .. {w['to_iso']} ({w['steps']:,} steps of {w['step_minutes']} min)",
        ),
        (
            "hashprice",
            f"${hp['min_usd_per_phs_day']:.2f} .. ${hp['max_usd_per_phs_day']:.2f} per PH/s per day"
            f" ({hp['steps_from_blocks']:,} steps from blocks, {hp['steps_from_daily_rows']:,} from"
            " daily rows)",
        ),
    ]
    for name, site in w["sites"].items():
        if site["price"] == "fixed":
            pairs.append((f"site {name}", "fixed price"))
            continue
        fill = (
            f"; {site['filled_steps']} missing intervals filled ({site['fill_rule']})"
            if site["filled_steps"]
            else ""
        )
        pairs.append(
            (
                f"site {name}",
                f"{site['node'] or ''} {site['market'] or ''}: mean ${site['mean_usd_per_mwh']:,.2f},"
                f" max ${site['max_usd_per_mwh']:,.2f} per MWh{fill}",
            )
        )
    if w["cp"]["steps"]:
        pairs.append(("4CP", f"{w['cp']['steps']} steps ({w['cp']['how']})"))
    a = d["always_on"]
    pairs.append(
        (
            "always on",
            f"revenue {_usd(a['revenue_usd'])}, power {_usd(a['power_cost_usd'])},"
            f" {a['mwh']:,.0f} MWh",
        )
    )
    render_pairs(f"curtail {d['fleet']}", pairs)
    rows = []
    for r in d["rules"]:
        for g in [*r["groups"], {"group": "TOTAL", "site": "", "totals": r["total"]}]:
            t = g["totals"]
            rows.append(
                [
                    r["rule"],
                    g["group"],
                    f"{t['hours_off']:,.0f}",
                    f"{t['mwh_avoided']:,.0f}",
                    f"{t['btc_forgone']:.4f}",
                    _usd(t["revenue_forgone_usd"]),
                    _usd(t["power_cost_saved_usd"]),
                    _usd(t["dr_credit_usd"] + t["cp_charge_avoided_usd"] - t["startup_cost_usd"]),
                    _usd(t["net_benefit_vs_always_on_usd"]),
                ]
            )
    render_table(
        None,
        [
            "rule",
            "group",
            "hours off",
            "MWh avoided",
            "BTC forgone",
            "revenue forgone",
            "power saved",
            "DR+4CP-starts",
            "net vs always-on",
        ],
        rows,
    )
    for r in d["rules"]:
        if r["rule"] != "threshold":
            solver = r["solver"] or {}
            message(
                f"{r['rule']}: {_usd(r['net_benefit_vs_threshold_usd'])} against the threshold rule;"
                f" {solver.get('blocks', 1)} blocks of {solver.get('block_hours', 0):g} h (+"
                f"{solver.get('lookahead_hours', 0):g} h lookahead), MIP gap <="
                f" {solver.get('mip_gap_max_pct', 0):.3f}%"
                + (
                    "; the threshold schedule was kept (feasible and no worse)"
                    if solver.get("threshold_schedule_kept")
                    else ""
                )
            )
        for v in r["violations"][:5]:
            message(f"{r['rule']} breaks: {v}")
        if len(r["violations"]) > 5:
            message(
                f"{r['rule']} breaks {len(r['violations']) - 5} more constraints (--json lists them)"
            )
    message("per group, site and day: --json or --csv")


def render_curtail_csv(doc: Any) -> None:
    """CSV of every day row (rule, site, group or the site total, day)."""
    import csv
    import sys

    d = to_jsonable(doc)
    rows = d["days"]
    if not rows:
        return
    cols = list(rows[0])
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(cols)
    for r in rows:
        w.writerow(["" if r[c] is None else r[c] for c in cols])


def render_scenario(doc: Any) -> None:
    """Tables for :class:`minerscope.report.scenario.ScenarioDocument`."""
    d = to_jsonable(doc)
    render_pairs(
        f"scenario as of {d['as_of']['data_time_iso']} ({d['paths']:,} paths, seed {d['seed']},"
        f" {d['horizon_days']} days)",
        [("what-if", line) for line in d["scenario"]]
        + [
            ("baseline", d["baseline"]),
            ("held", f"${d['btc_price_usd']:,.0f}, fees {d['fees_btc_per_block']:.4f} BTC/block"),
        ],
    )
    rows = []
    for r in d["retargets"]:
        rows.append(
            [
                r["run"],
                f"{r['height']:,}",
                f"{r['time']['p50']['time_iso'][:16]} ({r['time']['p10']['time_iso'][5:10]}"
                f"..{r['time']['p90']['time_iso'][5:10]})",
                f"{r['difficulty']['p50'] / 1e12:,.2f} T ({r['difficulty']['p10'] / 1e12:,.2f}"
                f"..{r['difficulty']['p90'] / 1e12:,.2f})",
                f"{r['change_pct']['p50']:+.1f}%",
                f"{r['mean_block_time_s']['p50']:.0f}",
            ]
        )
    render_table(
        "retargets (p50, p10..p90)",
        ["run", "height", "when", "difficulty after", "change p50", "block s p50 before"],
        rows,
    )
    step = max(1, len(d["days"]) // 12)
    days = d["days"][::step]
    render_table(
        "hashprice, USD per PH/s per day (p50; scenario p10..p90)",
        ["date", "baseline", "scenario", "scenario p10..p90"],
        [
            [
                x["date"],
                f"{x['baseline_hashprice_usd_per_phs_day']['p50']:.2f}",
                f"{x['scenario_hashprice_usd_per_phs_day']['p50']:.2f}",
                f"{x['scenario_hashprice_usd_per_phs_day']['p10']:.2f}"
                f"..{x['scenario_hashprice_usd_per_phs_day']['p90']:.2f}",
            ]
            for x in days
        ],
    )
    f = d["fleet"]
    if f:
        message(
            f"{f['name']}: cash profit over {d['horizon_days']} days p5/p50/p95 baseline"
            f" {_band(f['baseline_cash_profit_usd'])}, scenario {_band(f['scenario_cash_profit_usd'])};"
            f" scenario - baseline {_band(f['difference_usd'])} (same draws)"
        )
    message(d["method"])


def render_paths_backtest(doc: Any) -> None:
    """Tables for :class:`minerscope.report.paths_backtest.PathsBacktestDocument`."""
    d = to_jsonable(doc)
    render_table(
        f"difficulty path backtest: epochs {d['first_epoch']}..{d['last_epoch']} from {d['from_date']},"
        f" {d['paths']:,} paths each",
        [
            "method",
            "horizon",
            "projections",
            "80% band covers",
            "below p10",
            "above p90",
            "50%",
            "90%",
            "median p50 error",
        ],
        [
            [
                s["method"],
                f"{s['horizon_days'] / 30.4375:.0f} months",
                s["projections"],
                _pct(100 * s["coverage_80_share"]),
                _pct(100 * s["below_p10_share"]),
                _pct(100 * s["above_p90_share"]),
                _pct(100 * s["coverage_50_share"]),
                _pct(100 * s["coverage_90_share"]),
                f"{100 * s['median_log_error_p50']:+.1f}%",
            ]
            for s in d["summary"]
        ],
    )
    rows = [
        [
            y["year"],
            y["method"],
            f"{y['horizon_days'] / 30.4375:.0f} m",
            y["projections"],
            _pct(100 * y["coverage_80_share"]),
            _pct(100 * y["below_p10_share"]),
            _pct(100 * y["above_p90_share"]),
        ]
        for y in d["by_year"]
    ]
    render_table(
        "80% band by year of projection",
        ["year", "method", "horizon", "n", "covers", "below", "above"],
        rows,
    )
    message(
        "target: the 80% band covers 70-90%; overlapping windows: the effective sample is smaller"
    )


def _axis_label(key: str, v: float) -> str:
    if key == "btc_price_usd":
        return f"${v / 1e3:,.0f}k" if v >= 1e4 else f"${v:,.0f}"
    if key == "power_price_usd_per_kwh":
        return f"${v:.3f}"
    if key == "difficulty":
        return f"{v / 1e12:,.1f}T"
    if key == "difficulty_change_pct":
        return f"{v:+g}%"
    return f"{v:g}"


def _cell(metric: str, v: float | None) -> str:
    if v is None:
        return "n/a"
    if metric == "breakeven_power_price_usd_per_kwh":
        return f"{v:.4f}"
    return f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}"


MAX_GRID_TABLES = 10


def render_grid(doc: Any) -> None:
    """Tables for :class:`minerscope.report.econ_grid.GridDocument`."""
    d = to_jsonable(doc)
    axes = d["axes"]
    metric = d["metric"]
    first = axes[0]
    cols = [_axis_label(first["key"], v) for v in first["values"]]
    series = d["totals"] + d["series"] if d["view"] == "fleet" else d["series"]
    title = f"{d['view']} {metric} as of {d['as_of']['time_iso']}"
    if len(axes) == 1:
        render_table(
            f"{title}, over {first['key']}",
            ["", *cols],
            [[s["name"], *(_cell(metric, v) for v in s["values"])] for s in series],
        )
        return
    second = axes[1]
    shown = series[:MAX_GRID_TABLES]
    for s in shown:
        render_table(
            f"{s['name']}: {metric} (rows {first['key']}, columns {second['key']})",
            ["", *(_axis_label(second["key"], v) for v in second["values"])],
            [[cols[i], *(_cell(metric, v) for v in row)] for i, row in enumerate(s["values"])],
        )
    if len(series) > len(shown):
        message(
            f"showing {len(shown)} of {len(series)} tables (--json has every one, or use --model)"
        )
