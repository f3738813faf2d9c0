"""Chart builders: the library's documents (plain dicts, as ``--json`` prints them) in, one
:class:`~minerscope.charts.spec.ChartSpec` out.

Each builder draws its documents as they are: no number is computed here beyond unit
scaling (USD to million USD, a share to percent) and picking rows (the last ``days``).
:data:`CHARTS` names every chart, the documents it needs and its builder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from ..consensus import MAINNET
from ..units import SECONDS_PER_DAY
from .spec import BLUE, GREEN, GREY, ORANGE, PURPLE, RED, ChartSpec, Series

Doc = Mapping[str, Any]
Docs = Mapping[str, Any]

USD_PER_MUSD: Final = 1e6
PCT_PER_SHARE: Final = 100.0
DATE = "date [UTC]"
MACHINES_SHOWN: Final = 60
POOLS_SHOWN: Final = 12
MACHINES_NOTE: Final = "green: profitable at the power price; red: loses money (electricity only)"


def _col(rows: Sequence[Doc], key: str, scale: float = 1.0) -> tuple[float | None, ...]:
    return tuple(None if r.get(key) is None else float(r[key]) / scale for r in rows)


def _dates(rows: Sequence[Doc]) -> tuple[str, ...]:
    return tuple(str(r["date"]) for r in rows)


def _empty(name: str, title: str, y_label: str, reason: str) -> ChartSpec:
    return ChartSpec(name, title, DATE, y_label, "time", (), notes=(reason,))


# --- network ----------------------------------------------------------------------------------


def hashrate_chart(docs: Docs) -> ChartSpec:
    """Hash rate per day, its 7-day mean with the 95% band, and the 30-day mean.

    From ``hashrate`` (``--series-days``: ``daily_series``). [EH/s]
    """
    rows = docs["hashrate"].get("daily_series") or []
    title, y = "Hash rate: daily, 7-day mean with 95% band, 30-day mean", "hash rate [EH/s]"
    if not rows:
        return _empty("hashrate", title, y, "no daily rows known at this moment")
    x = _dates(rows)
    return ChartSpec("hashrate", title, DATE, y, "time", (
        Series("7-day mean, 95% band", "band", x, (), _col(rows, "hashrate_ma7_lower_ehs"),
               _col(rows, "hashrate_ma7_upper_ehs"), unit="EH/s", color=BLUE),
        Series("per day (~144 blocks)", "markers", x, _col(rows, "hashrate_ehs"), unit="EH/s",
               color=GREY),
        Series("7-day mean", "line", x, _col(rows, "hashrate_ma7_ehs"), unit="EH/s", color=BLUE),
        Series("30-day mean", "line", x, _col(rows, "hashrate_ma30_ehs"), unit="EH/s",
               color=ORANGE),
    ))  # fmt: skip


def drawdown_chart(docs: Docs) -> ChartSpec:
    """The 7-day mean (with its band) over the drawdown lookback, the peak and now."""
    hr = docs["hashrate"]
    dd, rows = hr.get("drawdown"), hr.get("daily_series") or []
    title, y = "Drawdown of the 7-day mean hash rate from its peak", "7-day mean hash rate [EH/s]"
    if not dd or not rows:
        return _empty("drawdown", title, y, "not enough daily rows for a drawdown")
    recent = rows[-int(dd["lookback_days"]) :]
    x = _dates(recent)
    note = (
        f"{dd['change_from_peak_corrected_pct']:+.1f}% from the {dd['lookback_days']}-day peak"
        f" (max-bias corrected); 95% {dd['change_from_peak_lower_pct']:+.1f}% .."
        f" {dd['change_from_peak_upper_pct']:+.1f}%"
    )
    return ChartSpec("drawdown", title, DATE, y, "time", (
        Series("7-day mean, 95% band", "band", x, (), _col(recent, "hashrate_ma7_lower_ehs"),
               _col(recent, "hashrate_ma7_upper_ehs"), unit="EH/s", color=BLUE),
        Series("7-day mean", "line", x, _col(recent, "hashrate_ma7_ehs"), unit="EH/s"),
        Series(f"peak {dd['hashrate_peak_ehs']:,.1f} EH/s", "hline", (),
               (float(dd["hashrate_peak_ehs"]),), unit="EH/s", color=RED),
        Series(f"peak on {dd['peak_date']}", "markers", (dd["peak_date"],),
               (float(dd["hashrate_peak_ehs"]),), unit="EH/s", color=RED),
        Series(f"now {dd['hashrate_now_ehs']:,.1f} EH/s", "markers", (dd["last_date"],),
               (float(dd["hashrate_now_ehs"]),), unit="EH/s", color=GREEN),
    ), notes=(note,))  # fmt: skip


def blocktimes_chart(docs: Docs) -> ChartSpec:
    """Mean block interval per window with its 95% interval, the median, and the target."""
    rows = (docs["hashrate"].get("block_times") or {}).get("intervals") or []
    title, y = "Block intervals: mean with 95% interval, median, target", "block interval [s]"
    if not rows:
        return ChartSpec("blocktimes", title, "window [blocks]", y, "category", (),
                         notes=("no block times known at this moment",))  # fmt: skip
    x = tuple(str(r["window"]) for r in rows)
    return ChartSpec("blocktimes", title, "window [blocks]", y, "category", (
        Series("mean, 95% interval", "interval", x, _col(rows, "mean_interval_s"),
               _col(rows, "mean_interval_lower_s"), _col(rows, "mean_interval_upper_s"),
               unit="s", color=BLUE),
        Series("median", "markers", x, _col(rows, "median_interval_s"), unit="s", color=GREY),
        Series(f"target {MAINNET.pow_target_spacing_s} s", "hline", (),
               (float(MAINNET.pow_target_spacing_s),), unit="s", color=RED),
    ))  # fmt: skip


def blocks_per_day_chart(docs: Docs) -> ChartSpec:
    """Blocks found per UTC day (``daily_series``) against the 144 a day of the target
    spacing (86,400 s / 600 s). [blocks per day]"""
    rows = docs["hashrate"].get("daily_series") or []
    title, y = "Blocks per day", "blocks [per day]"
    if not rows:
        return _empty("blocks_per_day", title, y, "no daily rows known at this moment")
    target = SECONDS_PER_DAY // MAINNET.pow_target_spacing_s
    return ChartSpec("blocks_per_day", title, DATE, y, "time", (
        Series("blocks that day", "bar", _dates(rows), _col(rows, "blocks"), unit="blocks"),
        Series(f"target {target} a day", "hline", (), (float(target),), unit="blocks",
               color=RED),
    ))  # fmt: skip


def difficulty_chart(docs: Docs, *, from_date: str | None = None) -> ChartSpec:
    """Difficulty at each retarget (from ``from_date``) and the next one as a fan: the 50% and
    90% intervals at the ETA's p50, with the ETA's p10..p90 across. [T]"""
    rows = [r for r in docs["difficulty_history"].get("retargets", []) if r.get("time_iso")]
    if from_date is not None:
        rows = [r for r in rows if r["date"] >= from_date] or rows[-1:]
    title, y = "Difficulty at every retarget; next adjustment as a fan", "difficulty [T]"
    if not rows:
        return _empty("difficulty", title, y, "no retargets known at this moment")
    series = [Series("difficulty (each retarget)", "step", tuple(r["time_iso"] for r in rows),
                     _col(rows, "difficulty_t"), unit="T")]  # fmt: skip
    notes: list[str] = []
    diff = docs.get("difficulty")
    if diff:
        na = diff["next_adjustment"]
        nd, eta, ch = na["next_difficulty_t"], na["retarget_eta"], na["change_pct"]
        t50 = eta["p50"]["time_iso"]
        now = diff["as_of"].get("data_time_iso") or diff["as_of"]["time_iso"]
        series += [
            Series("now to the p50", "line", (now, t50), (diff["difficulty_t"], nd["p50"]),
                   unit="T", color=ORANGE),
            Series("next: 90% interval, ETA p10..p90", "interval", (t50,), (nd["p50"],),
                   (nd["p5"],), (nd["p95"],), (eta["p10"]["time_iso"],),
                   (eta["p90"]["time_iso"],), unit="T", color=ORANGE),
            Series("next: 50% interval", "interval", (t50,), (nd["p50"],), (nd["p25"],),
                   (nd["p75"],), unit="T", color=RED),
        ]  # fmt: skip
        notes.append(
            f"next adjustment at block {na['retarget_height']:,}: p50 {ch['p50']:+.2f}%"
            f" (90% {ch['p5']:+.2f}% .. {ch['p95']:+.2f}%), ETA {t50}"
        )
    return ChartSpec("difficulty", title, DATE, y, "time", tuple(series), notes=tuple(notes))


def halving_chart(docs: Docs) -> ChartSpec:
    """The tip now and the next halving's height at its ETA (p50, p10..p90), and the date at
    600 s blocks. [blocks]"""
    diff = docs.get("difficulty")
    hv = (diff or {}).get("halving") or {}
    title, y = f"Next halving: block {hv.get('height', 0):,}", "block height [blocks]"
    eta = hv.get("eta")
    if not diff or not eta:
        return _empty("halving", title, y, "no halving estimate at this moment")
    now = diff["as_of"].get("data_time_iso") or diff["as_of"]["time_iso"]
    h_now, h = diff["epoch"]["tip_height"], hv["height"]
    series = [
        Series("tip now", "markers", (now,), (h_now,), unit="blocks", color=GREEN),
        Series("to the p50", "line", (now, eta["p50"]["time_iso"]), (h_now, h), unit="blocks",
               color=GREY),
        Series("halving ETA p50, p10..p90", "interval", (eta["p50"]["time_iso"],), (h,), (),
               (), (eta["p10"]["time_iso"],), (eta["p90"]["time_iso"],), unit="blocks"),
    ]  # fmt: skip
    at600 = hv.get("eta_at_600s")
    if at600:
        series.append(Series("at 600 s blocks (mempool-style)", "markers",
                             (at600["time_iso"],), (h,), unit="blocks", color=ORANGE))  # fmt: skip
    notes = (f"p50 {eta['p50']['time_iso']} (p10 {eta['p10']['time_iso']},"
             f" p90 {eta['p90']['time_iso']})",)  # fmt: skip
    return ChartSpec("halving", title, DATE, y, "time", tuple(series), notes=notes)


# --- economics --------------------------------------------------------------------------------


def _econ_rows(docs: Docs, days: int | None) -> list[Doc]:
    rows: list[Doc] = list(docs["economics"].get("rows") or [])
    return rows[-days:] if days else rows


def hashprice_chart(docs: Docs, *, days: int | None = None) -> ChartSpec:
    """Hashprice, difficulty-implied and realised (from the blocks found). [USD/PH/s/day]"""
    rows = _econ_rows(docs, days)
    title, y = "Hashprice: implied and realised", "hashprice [USD per PH/s per day]"
    if not rows:
        return _empty("hashprice", title, y, "no daily economics at this moment")
    x = _dates(rows)
    return ChartSpec("hashprice", title, DATE, y, "time", (
        Series("implied (difficulty)", "line", x, _col(rows, "hashprice_usd_per_phs_day"),
               unit="USD/PH/s/day"),
        Series("realised (blocks found)", "line", x,
               _col(rows, "realised_hashprice_usd_per_phs_day"), unit="USD/PH/s/day",
               color=ORANGE),
    ))  # fmt: skip


def hashvalue_chart(docs: Docs, *, days: int | None = None) -> ChartSpec:
    """Hashvalue, difficulty-implied and realised (from the blocks found). [sat/PH/s/day]"""
    rows = _econ_rows(docs, days)
    title, y = "Hashvalue: implied and realised", "hashvalue [sat per PH/s per day]"
    if not rows:
        return _empty("hashvalue", title, y, "no daily economics at this moment")
    x = _dates(rows)
    return ChartSpec("hashvalue", title, DATE, y, "time", (
        Series("implied (difficulty)", "line", x, _col(rows, "hashvalue_sat_per_phs_day"),
               unit="sat/PH/s/day"),
        Series("realised (blocks found)", "line", x,
               _col(rows, "realised_hashvalue_sat_per_phs_day"), unit="sat/PH/s/day",
               color=ORANGE),
    ))  # fmt: skip


def revenue_chart(docs: Docs, *, days: int | None = None) -> ChartSpec:
    """Miner revenue per day (subsidy + fees) and its 30-day mean, with the fee share."""
    rows = _econ_rows(docs, days)
    title, y = "Miner revenue per day", "revenue [million USD per day]"
    if not rows:
        return _empty("revenue", title, y, "no daily economics at this moment")
    x = _dates(rows)
    return ChartSpec("revenue", title, DATE, y, "time", (
        Series("revenue", "bar", x, _col(rows, "revenue_usd", USD_PER_MUSD), unit="M USD/day",
               color=BLUE),
        Series("30-day mean", "line", x, _col(rows, "revenue_usd_30d_mean", USD_PER_MUSD),
               unit="M USD/day", color=GREEN),
        Series("fee share", "line", x, _col(rows, "fee_share", 1 / PCT_PER_SHARE), unit="%",
               color=ORANGE, secondary=True),
    ), y2_label="fee share [% of revenue]")  # fmt: skip


def cost_chart(docs: Docs, *, days: int | None = None) -> ChartSpec:
    """The cost to produce one BTC as a range over methods, the best guesses, and the price."""
    rows = _econ_rows(docs, days)
    title, y = "Cost to produce 1 BTC (range over methods) against the price", "price [USD/BTC]"
    if not rows:
        return _empty("cost", title, y, "no daily economics at this moment")
    x = _dates(rows)
    return ChartSpec("cost", title, DATE, y, "time", (
        Series("cost range (all methods)", "band", x, (), _col(rows, "cost_range_low_usd_per_btc"),
               _col(rows, "cost_range_high_usd_per_btc"), unit="USD/BTC", color=ORANGE),
        Series("best guess, electricity", "line", x,
               _col(rows, "cost_electricity_best_usd_per_btc"), unit="USD/BTC", color=ORANGE),
        Series("best guess, all-in", "line", x, _col(rows, "cost_all_in_best_usd_per_btc"),
               unit="USD/BTC", color=RED),
        Series("BTC price", "line", x, _col(rows, "btc_price_usd"), unit="USD/BTC", color=BLUE),
    ))  # fmt: skip


def puell_chart(docs: Docs, *, days: int | None = None) -> ChartSpec:
    """The Puell multiple (issuance in USD over its 365-day mean) and the level 1."""
    rows = _econ_rows(docs, days)
    title, y = "Puell multiple", "Puell multiple [ratio to the 365-day mean]"
    if not rows:
        return _empty("puell", title, y, "no daily economics at this moment")
    return ChartSpec("puell", title, DATE, y, "time", (
        Series("Puell multiple", "line", _dates(rows), _col(rows, "puell_multiple"),
               unit="ratio", color=PURPLE),
        Series("1 (the 365-day mean)", "hline", (), (1.0,), unit="ratio", color=GREY),
    ))  # fmt: skip


def sustainability_chart(docs: Docs, *, days: int | None = None) -> ChartSpec:
    """The minerscope sustainability index (ours: a 0-100 percentile score) per day."""
    rows = _econ_rows(docs, days)
    title, y = "minerscope sustainability index (ours)", "score [0-100 percentile]"
    if not rows:
        return _empty("sustainability", title, y, "no daily economics at this moment")
    return ChartSpec("sustainability", title, DATE, y, "time", (
        Series("score", "line", _dates(rows), _col(rows, "sustainability_score"), unit="0-100",
               color=GREEN),
    ))  # fmt: skip


# --- machines, pools, signals -----------------------------------------------------------------


def machines_chart(docs: Docs, *, limit: int = MACHINES_SHOWN) -> ChartSpec:
    """Breakeven BTC price of the first ``limit`` models (the document's order), against the
    BTC price of its inputs (green: profitable at the power price)."""
    m = docs["machines"]
    rows = sorted(list(m.get("machines") or [])[:limit],
                  key=lambda r: float(r["breakeven_btc_price_usd"]))  # fmt: skip
    inp = m["inputs"]
    title = f"Breakeven BTC price per model at ${inp['power_price_usd_per_kwh']:.3f}/kWh"
    x_label, y_label = "breakeven BTC price [USD/BTC]", "model [name]"
    if not rows:
        return ChartSpec("machines", title, x_label, y_label, "category", (),
                         notes=("no machine in the catalog",))  # fmt: skip
    return ChartSpec("machines", title, x_label, y_label, "category", (
        Series("breakeven", "barh", _col(rows, "breakeven_btc_price_usd"),
               tuple(str(r["model"]) for r in rows), unit="USD/BTC",
               colors=tuple(GREEN if r["profitable"] else RED for r in rows)),
        Series(f"BTC price ${inp['btc_price_usd']:,.0f}", "vline", (float(inp["btc_price_usd"]),),
               (), unit="USD/BTC", color=BLUE),
    ), notes=(MACHINES_NOTE,))  # fmt: skip


def fleet_chart(docs: Docs) -> ChartSpec:
    """Cash profit per day of each group of the ``fleet`` document, lowest first (red: the
    document says switch it off now). [USD per day]"""
    groups = sorted(docs["fleet"].get("groups") or [],
                    key=lambda g: float(g["cash_profit_usd_per_day"]))  # fmt: skip
    title = "Fleet: cash profit per group"
    x_label, y_label = "cash profit [USD per day]", "group [name]"
    if not groups:
        return ChartSpec("fleet", title, x_label, y_label, "category", (),
                         notes=("the fleet has no groups",))  # fmt: skip
    return ChartSpec("fleet", title, x_label, y_label, "category", (
        Series("cash profit", "barh", _col(groups, "cash_profit_usd_per_day"),
               tuple(str(g["name"]) for g in groups), unit="USD/day",
               colors=tuple(RED if g["switch_off"] else GREEN for g in groups)),
        Series("break-even (0)", "vline", (0.0,), (), unit="USD/day", color=GREY),
    ), notes=("red: switch off now (cash profit below zero); green: keep running",))  # fmt: skip


def pools_chart(docs: Docs, *, limit: int = POOLS_SHOWN) -> ChartSpec:
    """Block share of the largest pools in the window with exact 95% intervals. [%]"""
    p = docs.get("pools")
    title, x_label, y_label = (
        "Pools: block share with 95% interval",
        "block share [%]",
        "pool [name]",
    )
    if not p or not p.get("pools"):
        return ChartSpec("pools", title, x_label, y_label, "category", (),
                         notes=("no pool attribution known at this moment",))  # fmt: skip
    rows = list(reversed(p["pools"][:limit]))
    w = p["window"]
    return ChartSpec("pools", f"{title} ({w['days']:g} days to {w['end_time_iso']})", x_label,
                     y_label, "category", (
        Series("block share, 95% interval", "barh", _col(rows, "block_share", 1 / PCT_PER_SHARE),
               tuple(str(r["pool_name"]) for r in rows),
               _col(rows, "block_lower_share", 1 / PCT_PER_SHARE),
               _col(rows, "block_upper_share", 1 / PCT_PER_SHARE), unit="%"),
    ))  # fmt: skip


def contraction_chart(docs: Docs) -> ChartSpec:
    """The contraction study: hit rate (share of positive forward returns) on signal days, the
    other days and all days, with bootstrap 95% intervals. [%]"""
    c = docs.get("contraction")
    title = "Negative hash-rate growth and later BTC returns: hit rate"
    x_label, y_label = "days [group]", "positive forward return [% of days]"
    if not c:
        return ChartSpec("contraction", title, x_label, y_label, "category", (),
                         notes=("no contraction study at this moment",))  # fmt: skip
    st = c["stats"]
    groups = (("signal", "signal days"), ("complement", "other days"), ("unconditional", "all"))
    rows = [st[k] for k, _ in groups]
    title = (f"{title} ({c['lookback_days']}-day growth < 0, {c['horizon_days']}-day return,"
             f" {st['first_date']}..{st['last_date']})")  # fmt: skip
    return ChartSpec("contraction", title, x_label, y_label, "category", (
        Series("hit rate, 95% interval", "interval", tuple(n for _, n in groups),
               _col(rows, "hit_rate_share", 1 / PCT_PER_SHARE),
               _col(rows, "hit_rate_lower_share", 1 / PCT_PER_SHARE),
               _col(rows, "hit_rate_upper_share", 1 / PCT_PER_SHARE), unit="%"),
    ), notes=(f"circular-shift p-value of the hit rate: {st['hit_rate_test']['p_value']:.3f};"
              f" {st['signal']['episodes']} signal episodes",))  # fmt: skip


def curtail_chart(docs: Docs) -> ChartSpec:
    """Hours each group was switched off per day by the threshold rule (``--fleet``). [h]"""
    c = docs.get("curtail")
    title, y = "Curtailment: hours off per day and group (threshold rule)", "hours off [h per day]"
    if not c:
        return _empty("curtail", title, y, "no fleet given (--fleet FILE)")
    rows = [d for d in c.get("days") or [] if d["rule"] == "threshold" and d.get("group")]
    groups = list(dict.fromkeys(str(d["group"]) for d in rows))
    colours = (BLUE, ORANGE, GREEN, RED, PURPLE, GREY)
    series = tuple(
        Series(f"{g} hours off", "line", _dates(mine), _col(mine, "hours_off"), unit="h",
               color=colours[i % len(colours)])
        for i, g in enumerate(groups)
        for mine in ([d for d in rows if d["group"] == g],)
    )  # fmt: skip
    sites = "; ".join(f"{n}: mean ${v['mean_usd_per_mwh']:,.0f}/MWh, peak"
                      f" ${v['max_usd_per_mwh']:,.0f}/MWh"
                      for n, v in c["window"]["sites"].items()
                      if v.get("mean_usd_per_mwh") is not None)  # fmt: skip
    return ChartSpec("curtail", f"{title}: {c['fleet']}", DATE, y, "time", series,
                     notes=(sites,) if sites else ())  # fmt: skip


@dataclass(frozen=True)
class ChartDef:
    """A chart's description, the documents it needs and its builder."""

    description: str
    needs: tuple[str, ...]
    build: Callable[[Docs], ChartSpec]


#: Every chart ``minerscope plot`` draws, in the report's order.
CHARTS: Final[dict[str, ChartDef]] = {
    "hashrate": ChartDef("hash rate per day, 7-day mean with 95% band", ("hashrate",),
                         hashrate_chart),
    "drawdown": ChartDef("drawdown of the 7-day mean from its peak, with its interval",
                         ("hashrate",), drawdown_chart),
    "blocktimes": ChartDef("mean block interval per window with 95% intervals", ("hashrate",),
                           blocktimes_chart),
    "difficulty": ChartDef("difficulty history and the next adjustment's 50%/90% fan",
                           ("difficulty_history", "difficulty"), difficulty_chart),
    "halving": ChartDef("next halving ETA (p10..p90)", ("difficulty",), halving_chart),
    "hashprice": ChartDef("hashprice, implied and realised", ("economics",), hashprice_chart),
    "revenue": ChartDef("miner revenue per day and fee share", ("economics",), revenue_chart),
    "cost": ChartDef("cost to produce 1 BTC (range over methods) vs the price",
                     ("economics",), cost_chart),
    "puell": ChartDef("Puell multiple", ("economics",), puell_chart),
    "sustainability": ChartDef("minerscope sustainability index (ours)", ("economics",),
                               sustainability_chart),
    "machines": ChartDef("breakeven BTC price per model at the power price", ("machines",),
                         machines_chart),
    "pools": ChartDef("pool block shares with 95% intervals", ("pools",), pools_chart),
    "contraction": ChartDef("hash-rate contraction study: hit rates with intervals",
                            ("contraction",), contraction_chart),
    "curtail": ChartDef("hours off per day and group of the --fleet (threshold rule)",
                        ("curtail",), curtail_chart),
}  # fmt: skip


__all__ = [
    "CHARTS",
    "ChartDef",
    "blocks_per_day_chart",
    "blocktimes_chart",
    "contraction_chart",
    "cost_chart",
    "curtail_chart",
    "difficulty_chart",
    "drawdown_chart",
    "fleet_chart",
    "halving_chart",
    "hashprice_chart",
    "hashrate_chart",
    "hashvalue_chart",
    "machines_chart",
    "pools_chart",
    "puell_chart",
    "revenue_chart",
    "sustainability_chart",
]
