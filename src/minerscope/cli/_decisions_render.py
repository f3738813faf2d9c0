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


def _payback(line: dict[str, Any]) -> str:
    dates = line["payback_date"]
    days = line["payback_days"]
    if line["capex_usd"] <= 0:
        return "no capex"
    if days["p50"] is None:
        first = dates["p5"]
        return "beyond horizon" + (f" (p5 {first})" if first else "")
    return f"{dates['p50']} ({dates['p5'] or '?'}..{dates['p95'] or 'beyond'})"


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
        pairs.append(("halving (block 1,050,000)", f"{hv['p50']} ({hv['p5']}..{hv['p95']})"))
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
