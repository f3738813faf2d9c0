"""Figure builders: documents in, plotly figure dicts out (``{"data": [...], "layout": {...}}``).

Each builder takes the documents the library returns (the CLI's ``--json``, the API's answers)
and draws them as they are: no figure computes a number of its own beyond unit scaling, so
what a chart shows is what the API says. Every axis names its unit in brackets. The dicts are
plain JSON (plotly.js draws them in the dashboard; ``plotly.graph_objects.Figure(fig)`` takes
them in Python). Nothing here shows a figure or writes a file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Figure = dict[str, Any]
Doc = Mapping[str, Any]

BLUE = "#1f77b4"
ORANGE = "#ff7f0e"
GREEN = "#2ca02c"
RED = "#d62728"
GREY = "#7f7f7f"
PURPLE = "#9467bd"
BAND = "rgba(31,119,180,0.18)"
BAND_ORANGE = "rgba(255,127,14,0.18)"
TARGET_BLOCK_INTERVAL_S = 600  # the consensus target spacing (params.pow_target_spacing_s)
TARGET_BLOCKS_PER_DAY = 144
USD_PER_MUSD = 1e6
WEEK_MS = 7 * 86_400 * 1000  # plotly date axes count milliseconds


def _day_s(day: str) -> int:
    from datetime import UTC, datetime

    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())


def _axis(title: str, **extra: Any) -> dict[str, Any]:
    return {"title": {"text": title}, "automargin": True, **extra}


def _layout(title: str, x: str, y: str, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 15}},
        "xaxis": _axis(x),
        "yaxis": _axis(y),
        "margin": {"l": 60, "r": 20, "t": 40, "b": 50},
        "legend": {"orientation": "h", "y": -0.22},
        "hovermode": "x unified",
        "template": "plotly_white",
        "height": 340,
    }
    layout.update(extra)
    return layout


def _col(rows: Sequence[Doc], key: str, scale: float = 1.0) -> list[float | None]:
    return [None if r.get(key) is None else r[key] / scale for r in rows]


def _band(x: list[Any], lo: list[Any], hi: list[Any], name: str, color: str) -> list[Figure]:
    """A filled band between two series (upper first, then lower filled to it)."""
    return [
        {"type": "scatter", "x": x, "y": hi, "mode": "lines", "line": {"width": 0},
         "showlegend": False, "hoverinfo": "skip", "name": f"{name} upper"},
        {"type": "scatter", "x": x, "y": lo, "mode": "lines", "line": {"width": 0},
         "fill": "tonexty", "fillcolor": color, "name": name, "hoverinfo": "skip"},
    ]  # fmt: skip


def empty_figure(title: str, message: str) -> Figure:
    """A figure with no data and a one-line reason (the data does not reach this moment)."""
    return {
        "data": [],
        "layout": _layout(title, "date [UTC]", "[no data]", annotations=[
            {"text": message, "showarrow": False, "xref": "paper", "yref": "paper",
             "x": 0.5, "y": 0.5}]),
    }  # fmt: skip


# --- network ----------------------------------------------------------------------------------


def hashrate_figure(hashrate: Doc) -> Figure:
    """Hash rate per day (points), its 7-day mean with the 95% band, and the 30-day mean.

    From ``hashrate`` with ``series_days`` (``daily_series``). [EH/s]
    """
    rows = hashrate.get("daily_series") or []
    title = "Hash rate, daily points and 7-day mean with 95% band"
    if not rows:
        return empty_figure(title, "no daily rows known at this moment")
    x = [r["date"] for r in rows]
    data = [
        *_band(x, _col(rows, "hashrate_ma7_lower_ehs"), _col(rows, "hashrate_ma7_upper_ehs"),
               "7-day mean, 95% band", BAND),
        {"type": "scatter", "x": x, "y": _col(rows, "hashrate_ehs"), "mode": "markers",
         "marker": {"size": 4, "color": GREY}, "name": "per day (~144 blocks)"},
        {"type": "scatter", "x": x, "y": _col(rows, "hashrate_ma7_ehs"), "mode": "lines",
         "line": {"color": BLUE, "width": 2}, "name": "7-day mean"},
        {"type": "scatter", "x": x, "y": _col(rows, "hashrate_ma30_ehs"), "mode": "lines",
         "line": {"color": ORANGE, "width": 1.5, "dash": "dot"}, "name": "30-day mean"},
    ]  # fmt: skip
    return {"data": data, "layout": _layout(title, "date [UTC]", "hash rate [EH/s]")}


def drawdown_figure(hashrate: Doc) -> Figure:
    """The 7-day mean over the drawdown lookback, the peak, and the drawdown with its interval."""
    dd = hashrate.get("drawdown")
    rows = hashrate.get("daily_series") or []
    title = "Drawdown from the peak (7-day mean)"
    if not dd or not rows:
        return empty_figure(title, "not enough daily rows for a drawdown at this moment")
    recent = rows[-int(dd["lookback_days"]) :]
    x = [r["date"] for r in recent]
    text = (
        f"{dd['change_from_peak_corrected_pct']:+.1f}% from the peak (corrected);"
        f" 95% {dd['change_from_peak_lower_pct']:+.1f}% .. {dd['change_from_peak_upper_pct']:+.1f}%"
    )
    data = [
        {"type": "scatter", "x": x, "y": _col(recent, "hashrate_ma7_ehs"), "mode": "lines",
         "line": {"color": BLUE, "width": 2}, "name": "7-day mean"},
        {"type": "scatter", "x": [dd["peak_date"]], "y": [dd["hashrate_peak_ehs"]],
         "mode": "markers", "marker": {"size": 10, "color": RED, "symbol": "triangle-down"},
         "name": f"peak {dd['hashrate_peak_ehs']:,.1f} EH/s"},
        {"type": "scatter", "x": [dd["last_date"]], "y": [dd["hashrate_now_ehs"]],
         "mode": "markers", "marker": {"size": 10, "color": GREEN},
         "name": f"now {dd['hashrate_now_ehs']:,.1f} EH/s"},
    ]  # fmt: skip
    layout = _layout(title, "date [UTC]", "7-day mean hash rate [EH/s]")
    layout["shapes"] = [
        {
            "type": "line",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "y0": dd["hashrate_peak_ehs"],
            "y1": dd["hashrate_peak_ehs"],
            "line": {"color": RED, "dash": "dash", "width": 1},
        }
    ]
    layout["annotations"] = [{"text": text, "xref": "paper", "yref": "paper", "x": 0.01,
                              "y": 0.02, "showarrow": False, "align": "left"}]  # fmt: skip
    return {"data": data, "layout": layout}


def block_times_figure(hashrate: Doc) -> Figure:
    """Mean block interval per window with its 95% interval, the median, and the 600 s target."""
    bt = hashrate.get("block_times") or {}
    rows = bt.get("intervals") or []
    title = "Block intervals: mean with 95% interval, median"
    if not rows:
        return empty_figure(title, "block times need per-block data at this moment")
    x = [r["window"] for r in rows]
    mean = _col(rows, "mean_interval_s")
    data = [
        {"type": "bar", "x": x, "y": mean, "name": "mean", "marker": {"color": BLUE},
         "error_y": {"type": "data", "symmetric": False,
                     "array": [r["mean_interval_upper_s"] - r["mean_interval_s"] for r in rows],
                     "arrayminus": [r["mean_interval_s"] - r["mean_interval_lower_s"]
                                    for r in rows]}},
        {"type": "scatter", "x": x, "y": _col(rows, "median_interval_s"), "mode": "markers",
         "marker": {"size": 10, "color": ORANGE, "symbol": "diamond"}, "name": "median"},
    ]  # fmt: skip
    layout = _layout(title, "window [blocks]", "block interval [s]", hovermode="closest")
    layout["shapes"] = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1,
                         "y0": TARGET_BLOCK_INTERVAL_S, "y1": TARGET_BLOCK_INTERVAL_S,
                         "line": {"color": GREY, "dash": "dash"}}]  # fmt: skip
    layout["annotations"] = [
        {
            "text": "target 600 s",
            "xref": "paper",
            "x": 1,
            "xanchor": "right",
            "y": TARGET_BLOCK_INTERVAL_S,
            "showarrow": False,
            "yshift": 8,
        }
    ]
    return {"data": data, "layout": layout}


def blocks_per_day_figure(hashrate: Doc) -> Figure:
    """Blocks found per UTC day against the 144 a day the target spacing gives."""
    rows = hashrate.get("daily_series") or []
    title = "Blocks per day"
    if not rows:
        return empty_figure(title, "no daily rows known at this moment")
    data = [{"type": "bar", "x": [r["date"] for r in rows], "y": _col(rows, "blocks"),
             "name": "blocks that day", "marker": {"color": BLUE}}]  # fmt: skip
    layout = _layout(title, "date [UTC]", "blocks [per day]")
    layout["shapes"] = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1,
                         "y0": TARGET_BLOCKS_PER_DAY, "y1": TARGET_BLOCKS_PER_DAY,
                         "line": {"color": RED, "dash": "dash"}}]  # fmt: skip
    return {"data": data, "layout": layout}


def difficulty_figure(history: Doc, difficulty: Doc | None, *, from_date: str | None) -> Figure:
    """Difficulty at every retarget, and the next one as a fan (50% and 90%) at its ETA.

    ``history`` is the retarget history document; ``difficulty`` the ``difficulty`` document
    (None when there is none). The view starts at ``from_date``; every retarget is in the
    figure (zoom out to see them).
    """
    rows = [r for r in history.get("retargets", []) if r.get("time_iso")]
    title = "Difficulty at every retarget, next adjustment as a fan"
    if not rows:
        return empty_figure(title, "no retargets known at this moment")
    x = [r["time_iso"] for r in rows]
    y = _col(rows, "difficulty_t")
    hover = [
        f"epoch {r['epoch']}, block {r['height']:,}: "
        + ("genesis" if r["change_pct"] is None else f"{r['change_pct']:+.2f}%")
        + ("" if r["time_source"] == "block" else " (time estimated from daily counts)")
        for r in rows
    ]
    data: list[Figure] = [
        {"type": "scatter", "x": x, "y": y, "mode": "lines+markers", "line": {"shape": "hv",
         "color": BLUE}, "marker": {"size": 4}, "name": "difficulty (each retarget)",
         "text": hover, "hovertemplate": "%{y:.4g} T<br>%{text}<extra></extra>"},
    ]  # fmt: skip
    visible = [v for v, t in zip(y, x, strict=True) if from_date is None or t >= from_date]
    if difficulty:
        na = difficulty["next_adjustment"]
        eta = na["retarget_eta"]
        nd = na["next_difficulty_t"]
        t50 = eta["p50"]["time_iso"]
        now_t = difficulty["as_of"].get("data_time_iso") or difficulty["as_of"]["time_iso"]
        data += [
            {"type": "scatter", "x": [now_t, t50], "y": [difficulty["difficulty_t"], nd["p50"]],
             "mode": "lines", "line": {"color": ORANGE, "dash": "dot"}, "name": "to the p50"},
            {"type": "scatter", "x": [t50], "y": [nd["p50"]], "mode": "markers",
             "marker": {"size": 9, "color": ORANGE},
             "name": f"next: p50 {na['change_pct']['p50']:+.2f}% at {t50[:10]}",
             "error_y": {"type": "data", "symmetric": False, "array": [nd["p95"] - nd["p50"]],
                         "arrayminus": [nd["p50"] - nd["p5"]], "color": ORANGE, "width": 10},
             "error_x": {"type": "data", "symmetric": False,
                         "array": [(eta["p90"]["time_s"] - eta["p50"]["time_s"]) * 1000],
                         "arrayminus": [(eta["p50"]["time_s"] - eta["p10"]["time_s"]) * 1000],
                         "color": GREY}},
            {"type": "scatter", "x": [t50, t50], "y": [nd["p25"], nd["p75"]], "mode": "lines",
             "line": {"color": RED, "width": 10}, "name": "next: 50% interval", "opacity": 0.6},
            {"type": "scatter", "x": [t50, t50], "y": [nd["p5"], nd["p95"]], "mode": "lines",
             "line": {"color": ORANGE, "width": 3}, "name": "next: 90% interval"},
        ]  # fmt: skip
        visible += [nd["p5"], nd["p95"]]
    layout = _layout(title, "date [UTC]", "difficulty [T = 10^12]", hovermode="closest")
    vis = [v for v in visible if v]
    if from_date is not None and vis:
        end = (
            difficulty["next_adjustment"]["retarget_eta"]["p90"]["time_iso"]
            if difficulty
            else x[-1]
        )
        layout["xaxis"]["range"] = [from_date, end]
        lo, hi = min(vis), max(vis)
        pad = (hi - lo) * 0.08 or hi * 0.05
        layout["yaxis"]["range"] = [lo - pad, hi + pad]
    return {"data": data, "layout": layout}


def halving_figure(difficulty: Doc) -> Figure:
    """The next halving's ETA: p50 with its p10-p90 interval, and the 600 s-block date."""
    hv = difficulty.get("halving") or {}
    title = f"Next halving: block {hv.get('height', 0):,}"
    eta = hv.get("eta")
    at600 = hv.get("eta_at_600s")
    if not eta and not at600:
        return empty_figure(title, "no halving estimate at this moment")
    data: list[Figure] = []
    if eta:
        data.append(
            {"type": "scatter", "x": [eta["p10"]["time_iso"], eta["p90"]["time_iso"]],
             "y": ["ETA", "ETA"], "mode": "lines", "line": {"color": BLUE, "width": 12},
             "name": "p10 .. p90", "opacity": 0.5})  # fmt: skip
        data.append(
            {
                "type": "scatter",
                "x": [eta["p50"]["time_iso"]],
                "y": ["ETA"],
                "mode": "markers",
                "marker": {"size": 14, "color": BLUE, "symbol": "diamond"},
                "name": "p50",
            }
        )
    if at600:
        data.append(
            {"type": "scatter", "x": [at600["time_iso"]], "y": ["ETA"], "mode": "markers",
             "marker": {"size": 10, "color": GREY, "symbol": "x"},
             "name": "at 600 s blocks (mempool-style)"})  # fmt: skip
    layout = _layout(title, "date [UTC]", "[ETA]", height=200, hovermode="closest")
    return {"data": data, "layout": layout}


# --- economics --------------------------------------------------------------------------------


def _rows(economics: Doc, days: int | None) -> list[Doc]:
    rows: list[Doc] = list(economics.get("rows") or [])
    return rows[-days:] if days else rows


def hashprice_figure(economics: Doc, *, days: int | None = None) -> Figure:
    """Hashprice, difficulty-implied and realised (from the blocks actually found). [USD]"""
    rows = _rows(economics, days)
    title = "Hashprice: implied and realised"
    if not rows:
        return empty_figure(title, "no daily economics at this moment")
    x = [r["date"] for r in rows]
    data = [
        {"type": "scatter", "x": x, "y": _col(rows, "hashprice_usd_per_phs_day"), "mode": "lines",
         "name": "implied (difficulty)", "line": {"color": BLUE}},
        {"type": "scatter", "x": x, "y": _col(rows, "realised_hashprice_usd_per_phs_day"),
         "mode": "lines", "name": "realised (blocks found)", "line": {"color": ORANGE,
         "width": 1}},
    ]  # fmt: skip
    return {
        "data": data,
        "layout": _layout(title, "date [UTC]", "hashprice [USD per PH/s per day]"),
    }


def hashvalue_figure(economics: Doc, *, days: int | None = None) -> Figure:
    """Hashvalue, difficulty-implied and realised. [sat per PH/s per day]"""
    rows = _rows(economics, days)
    title = "Hashvalue: implied and realised"
    if not rows:
        return empty_figure(title, "no daily economics at this moment")
    x = [r["date"] for r in rows]
    data = [
        {"type": "scatter", "x": x, "y": _col(rows, "hashvalue_sat_per_phs_day"), "mode": "lines",
         "name": "implied (difficulty)", "line": {"color": BLUE}},
        {"type": "scatter", "x": x, "y": _col(rows, "realised_hashvalue_sat_per_phs_day"),
         "mode": "lines", "name": "realised (blocks found)", "line": {"color": ORANGE,
         "width": 1}},
    ]  # fmt: skip
    return {
        "data": data,
        "layout": _layout(title, "date [UTC]", "hashvalue [sat per PH/s per day]"),
    }


def revenue_figure(economics: Doc, *, days: int | None = None) -> Figure:
    """Miner revenue per day (subsidy + fees, USD) and the fee share of it."""
    rows = _rows(economics, days)
    title = "Miner revenue and fee share"
    if not rows:
        return empty_figure(title, "no daily economics at this moment")
    x = [r["date"] for r in rows]
    fee_pct = [None if r.get("fee_share") is None else r["fee_share"] * 100 for r in rows]
    data = [
        {"type": "bar", "x": x, "y": _col(rows, "revenue_usd", USD_PER_MUSD), "name": "revenue",
         "marker": {"color": BLUE}},
        {"type": "scatter", "x": x, "y": _col(rows, "revenue_usd_30d_mean", USD_PER_MUSD),
         "mode": "lines", "name": "30-day mean", "line": {"color": GREEN}},
        {"type": "scatter", "x": x, "y": fee_pct, "mode": "lines", "name": "fee share",
         "yaxis": "y2", "line": {"color": ORANGE, "width": 1}},
    ]  # fmt: skip
    layout = _layout(title, "date [UTC]", "revenue [million USD per day]")
    layout["yaxis2"] = _axis("fee share [% of revenue]", overlaying="y", side="right",
                             rangemode="tozero", showgrid=False)  # fmt: skip
    return {"data": data, "layout": layout}


def cost_figure(economics: Doc, *, days: int | None = None) -> Figure:
    """The cost to produce one BTC as a range over methods, and the price against it."""
    rows = _rows(economics, days)
    title = "Cost to produce 1 BTC (range over methods) against the price"
    if not rows:
        return empty_figure(title, "no daily economics at this moment")
    x = [r["date"] for r in rows]
    data = [
        *_band(x, _col(rows, "cost_range_low_usd_per_btc"),
               _col(rows, "cost_range_high_usd_per_btc"), "cost range (all methods)",
               BAND_ORANGE),
        {"type": "scatter", "x": x, "y": _col(rows, "cost_electricity_best_usd_per_btc"),
         "mode": "lines", "name": "best guess, electricity", "line": {"color": ORANGE,
         "dash": "dot"}},
        {"type": "scatter", "x": x, "y": _col(rows, "cost_all_in_best_usd_per_btc"),
         "mode": "lines", "name": "best guess, all-in", "line": {"color": RED, "dash": "dot"}},
        {"type": "scatter", "x": x, "y": _col(rows, "btc_price_usd"), "mode": "lines",
         "name": "BTC price", "line": {"color": BLUE, "width": 2}},
    ]  # fmt: skip
    return {"data": data, "layout": _layout(title, "date [UTC]", "USD per BTC [USD]")}


def puell_figure(economics: Doc, *, days: int | None = None) -> Figure:
    """The Puell multiple: issuance in USD over its 365-day mean. [ratio]"""
    rows = _rows(economics, days)
    title = "Puell multiple"
    if not rows:
        return empty_figure(title, "no daily economics at this moment")
    data = [{"type": "scatter", "x": [r["date"] for r in rows], "y": _col(rows, "puell_multiple"),
             "mode": "lines", "name": "Puell multiple", "line": {"color": PURPLE}}]  # fmt: skip
    layout = _layout(title, "date [UTC]", "Puell multiple [ratio to the 365-day mean]")
    layout["shapes"] = [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": 1, "y1": 1,
                         "line": {"color": GREY, "dash": "dash"}}]  # fmt: skip
    return {"data": data, "layout": layout}


def index_figure(economics: Doc, *, days: int | None = None) -> Figure:
    """The minerscope sustainability index (ours, 0-100) per day."""
    rows = _rows(economics, days)
    title = "minerscope sustainability index (ours)"
    if not rows:
        return empty_figure(title, "no daily economics at this moment")
    data = [{"type": "scatter", "x": [r["date"] for r in rows],
             "y": _col(rows, "sustainability_score"), "mode": "lines", "name": "score",
             "line": {"color": GREEN}, "text": [r.get("sustainability_band") for r in rows],
             "hovertemplate": "%{y:.0f}: %{text}<extra></extra>"}]  # fmt: skip
    layout = _layout(title, "date [UTC]", "score [0-100, percentile]")
    layout["yaxis"]["range"] = [0, 100]
    return {"data": data, "layout": layout}


# --- machines and fleets ----------------------------------------------------------------------


def breakeven_figure(machines: Doc, *, limit: int = 30) -> Figure:
    """Each model's shutdown BTC price against the BTC price of the inputs (the top ``limit``
    by the document's order)."""
    rows = list(machines.get("machines") or [])[:limit]
    price = machines["inputs"]["btc_price_usd"]
    rows.sort(key=lambda m: m["breakeven_btc_price_usd"], reverse=True)
    title = "Breakeven BTC price per model (electricity only)"
    names = [m["model"] for m in rows]
    data = [
        {"type": "bar", "orientation": "h", "y": names,
         "x": _col(rows, "breakeven_btc_price_usd"), "name": "breakeven",
         "marker": {"color": [GREEN if m["profitable"] else RED for m in rows]},
         "hovertemplate": "%{y}: $%{x:,.0f}<extra></extra>"},
    ]  # fmt: skip
    layout = _layout(title, "breakeven BTC price [USD per BTC]", "model [name]",
                     height=max(300, 22 * len(rows) + 90), hovermode="closest")  # fmt: skip
    layout["shapes"] = [
        {
            "type": "line",
            "yref": "paper",
            "y0": 0,
            "y1": 1,
            "x0": price,
            "x1": price,
            "line": {"color": BLUE, "dash": "dash", "width": 2},
        }
    ]
    layout["annotations"] = [{"text": f"BTC price ${price:,.0f}", "x": price, "yref": "paper",
                              "y": 1.02, "showarrow": False}]  # fmt: skip
    layout["showlegend"] = False
    return {"data": data, "layout": layout}


def fleet_figure(fleet: Doc) -> Figure:
    """Cash profit per day of each group (red: switch off now)."""
    groups = sorted(fleet.get("groups") or [], key=lambda g: g["cash_profit_usd_per_day"])
    title = "Fleet: cash profit per group"
    data = [
        {"type": "bar", "orientation": "h", "y": [g["name"] for g in groups],
         "x": _col(groups, "cash_profit_usd_per_day"),
         "marker": {"color": [RED if g["switch_off"] else GREEN for g in groups]},
         "hovertemplate": "%{y}: $%{x:,.0f} per day<extra></extra>", "name": "cash profit"},
    ]  # fmt: skip
    layout = _layout(title, "cash profit [USD per day]", "group [name]",
                     height=max(260, 26 * len(groups) + 90), hovermode="closest")  # fmt: skip
    layout["showlegend"] = False
    return {"data": data, "layout": layout}


__all__ = [
    "block_times_figure",
    "blocks_per_day_figure",
    "breakeven_figure",
    "cost_figure",
    "difficulty_figure",
    "drawdown_figure",
    "empty_figure",
    "fleet_figure",
    "halving_figure",
    "hashprice_figure",
    "hashrate_figure",
    "hashvalue_figure",
    "index_figure",
    "puell_figure",
    "revenue_figure",
]
