"""The written report (``minerscope report``): the library's documents at one moment, the
figures picked from them, and a narrative written from those figures by fixed rules.

:func:`story_documents` calls the same functions the commands call (``hashrate
--series-days``, ``difficulty``, ``difficulty --history``, ``economics``, ``machines``,
``study contraction``, ``pools``) and returns their documents as plain dicts (what
``--json`` prints); :func:`story_report` picks the report's figures from them and writes the
sentences. Nothing here computes a figure of its own: a sentence quotes a document's value
and its interval. The charts are :data:`minerscope.charts.CHARTS`, built from the same dicts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

from .. import storage
from ..asof import AsOf, date_utc, parse_time_spec, resolve_as_of
from ..consensus import MAINNET
from ..errors import InputError, NoDataError
from ..results import AsOfInfo, MomentPercentiles, Percentiles, StaleInput
from .story_results import (
    ArticleLine,
    StoryBlockTimes,
    StoryContraction,
    StoryDifficulty,
    StoryEconomics,
    StoryHashrate,
    StoryMachine,
    StoryMachines,
    StoryPool,
    StoryPools,
    StoryReport,
)

Doc = Mapping[str, Any]

#: The February 2026 article (DESIGN.md) compares at this moment (block 934,575).
TOUCHSTONE: Final = "2026-02-01T08:40:17Z"
#: The power price of the article's machine verdicts. [USD/kWh]
ARTICLE_POWER_PRICE_USD_PER_KWH: Final = 0.08
DEFAULT_SERIES_DAYS: Final = 365
HASHRATE_WINDOW: Final = "1008 blocks"  # status's window
BLOCK_TIME_WINDOW: Final = "epoch so far"
LOOKBACK_DAYS: Final = 90
HORIZON_DAYS: Final = 180
STUDY_RESAMPLES: Final = 2_000
POOLS_WINDOW_DAYS: Final = 7.0
POOLS_SHOWN: Final = 5
HISTORY_YEARS_DAYS: Final = 730  # difficulty chart: the last two years of retargets
ARTICLE_UNPROFITABLE: Final = ("Antminer S19 XP+ Hyd", "WhatsMiner M60S")
ARTICLE_S21: Final = ("Antminer S21", "Antminer S21+", "Antminer S21 Hyd")
PCT_PER_SHARE: Final = 100.0
USD_PER_MUSD: Final = 1e6
S_PER_MIN: Final = 60.0
#: Below this p-value the narrative calls a result unlikely by chance alone.
SIGNIFICANCE_P: Final = 0.05


@dataclass(frozen=True)
class StoryInputs:
    """What the report is asked for.

    Attributes
    ----------
    power_price_usd_per_kwh : float
        The machines' power price. [USD/kWh]
    series_days : int
        Days of daily history in the charts. [days]
    resamples : int
        Bootstrap resamples of the contraction study.
    """

    power_price_usd_per_kwh: float = ARTICLE_POWER_PRICE_USD_PER_KWH
    series_days: int = DEFAULT_SERIES_DAYS
    resamples: int = STUDY_RESAMPLES


def _minus_days(day: str, days: int) -> str:
    return (date.fromisoformat(day) - timedelta(days=days)).isoformat()


def story_documents(
    conn: sqlite3.Connection,
    as_of: AsOf,
    *,
    at: str | None,
    now_s: int,
    inputs: StoryInputs = StoryInputs(),  # noqa: B008
    only: Collection[str] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The documents of the report as plain dicts (name -> ``--json`` document), and one note
    per document that could not be made (the data does not reach it).

    ``hashrate`` is always made (NoDataError without data for it); the others are left out
    with a note when their data is missing. ``only`` limits the others to those names.
    """
    from . import econ, econ_at, network, pools, retargets
    from . import signals as signals_report

    docs: dict[str, Any] = {}
    notes: list[str] = []
    day = date_utc(as_of.time_s)
    docs["hashrate"] = network.hashrate_report(
        conn, as_of, lookback_days=LOOKBACK_DAYS, series_days=inputs.series_days
    ).to_dict()

    def attempt(name: str, build: Any) -> None:
        if only is not None and name not in only:
            return
        try:
            docs[name] = build().to_dict()
        except (NoDataError, InputError) as exc:
            notes.append(f"{name}: {exc}")

    attempt("difficulty", lambda: network.difficulty_report(conn, as_of))
    attempt(
        "difficulty_history",
        lambda: retargets.retarget_history(
            conn, as_of, from_date=_minus_days(day, HISTORY_YEARS_DAYS), to_date=None
        ),
    )
    attempt(
        "economics",
        lambda: econ.economics_history(
            conn, as_of, from_date=_minus_days(day, inputs.series_days), to_date=None
        ),
    )
    attempt(
        "machines",
        lambda: econ_at.machines_at(
            conn, at, now_s=now_s, power_price_usd_per_kwh=inputs.power_price_usd_per_kwh
        ),
    )
    # Only signal days whose forward return ends by the moment: no look-ahead.
    attempt(
        "contraction",
        lambda: signals_report.contraction_report(
            conn,
            now_s=now_s,
            lookback_days=LOOKBACK_DAYS,
            horizon_days=HORIZON_DAYS,
            to_date=_minus_days(day, HORIZON_DAYS + 1),
            resamples=inputs.resamples,
            sensitivity=False,
        ),
    )
    attempt(
        "pools",
        lambda: pools.pools_report(
            conn, as_of, pools.pool_catalog(), window_days=POOLS_WINDOW_DAYS
        ),
    )
    return docs, notes


# --- picking the figures ----------------------------------------------------------------------


def _window(rows: Sequence[Doc], name: str) -> Doc | None:
    for r in rows:
        if r.get("window") == name and r.get("hashrate_ehs", r.get("mean_interval_s")) is not None:
            return r
    return None


def pick_hashrate(hr: Doc) -> StoryHashrate:
    """The report's hash rate figures from the ``hashrate`` document."""
    w = _window(hr.get("windows") or [], HASHRATE_WINDOW) or next(
        (
            r
            for r in [*(hr.get("windows") or []), *(hr.get("daily") or [])]
            if r.get("hashrate_ehs") is not None
        ),
        None,
    )
    if w is None:
        raise NoDataError(
            "no hash rate estimate at this moment: the report needs blocks or daily rows"
        )
    last = (hr.get("daily_series") or [{}])[-1]
    dd = hr.get("drawdown") or {}
    return StoryHashrate(
        window=str(w["window"]),
        hashrate_ehs=w["hashrate_ehs"],
        hashrate_lower_ehs=w["hashrate_lower_ehs"],
        hashrate_upper_ehs=w["hashrate_upper_ehs"],
        confidence_share=w["confidence_share"],
        ma30_date=last.get("date"),
        hashrate_ma30_ehs=last.get("hashrate_ma30_ehs"),
        hashrate_ma30_lower_ehs=last.get("hashrate_ma30_lower_ehs"),
        hashrate_ma30_upper_ehs=last.get("hashrate_ma30_upper_ehs"),
        lookback_days=dd.get("lookback_days"),
        peak_date=dd.get("peak_date"),
        hashrate_peak_ehs=dd.get("hashrate_peak_ehs"),
        hashrate_now_7d_ehs=dd.get("hashrate_now_ehs"),
        change_from_peak_pct=dd.get("change_from_peak_pct"),
        change_from_peak_corrected_pct=dd.get("change_from_peak_corrected_pct"),
        change_from_peak_lower_pct=dd.get("change_from_peak_lower_pct"),
        change_from_peak_upper_pct=dd.get("change_from_peak_upper_pct"),
    )


def pick_block_times(hr: Doc, diff: Doc | None) -> StoryBlockTimes | None:
    """Mean block time over the epoch so far (with its interval, from ``hashrate``)."""
    rows = (hr.get("block_times") or {}).get("intervals") or []
    w = _window(rows, BLOCK_TIME_WINDOW) or (rows[-1] if rows else None)
    if w is None:
        return None
    ep = (diff or {}).get("epoch") or {}
    return StoryBlockTimes(
        epoch_mean_block_time_s=ep.get("mean_block_time_s"),
        epoch_basis=ep.get("mean_block_time_basis"),
        window=str(w["window"]),
        mean_interval_s=w["mean_interval_s"],
        mean_interval_lower_s=w["mean_interval_lower_s"],
        mean_interval_upper_s=w["mean_interval_upper_s"],
    )


def _percentiles(d: Doc) -> Percentiles:
    return Percentiles(**{k: v for k, v in d.items() if v is not None})


def pick_difficulty(diff: Doc | None, hist: Doc | None) -> StoryDifficulty | None:
    """The difficulty figures from ``difficulty`` (and the last change from the history)."""
    if not diff:
        return None
    na = diff["next_adjustment"]
    done = [r for r in (hist or {}).get("retargets", []) if r.get("change_pct") is not None]
    mp = diff.get("mempool_style") or {}
    return StoryDifficulty(
        difficulty_t=diff["difficulty_t"],
        last_change_pct=done[-1]["change_pct"] if done else None,
        last_retarget_date=done[-1]["date"] if done else None,
        retarget_height=na["retarget_height"],
        exact=bool(na["exact"]),
        change_pct=_percentiles(na["change_pct"]),
        next_difficulty_t=_percentiles(na["next_difficulty_t"]),
        retarget_eta=MomentPercentiles.of(
            {int(k[1:]): v["time_s"] for k, v in na["retarget_eta"].items() if v}
        ),
        mempool_style_change_pct=mp.get("change_pct"),
    )


def pick_economics(econ: Doc | None) -> StoryEconomics | None:
    """The last economics row and the highest 30-day revenue mean of the shown rows."""
    rows = list((econ or {}).get("rows") or [])
    if not rows:
        return None
    r = rows[-1]
    means = [x for x in rows if x.get("revenue_usd_30d_mean") is not None]
    peak = max(means, key=lambda x: x["revenue_usd_30d_mean"]) if means else None
    return StoryEconomics(
        date=r["date"],
        from_date=rows[0]["date"],
        btc_price_usd=r["btc_price_usd"],
        hashprice_usd_per_phs_day=r["hashprice_usd_per_phs_day"],
        revenue_usd=r.get("revenue_usd"),
        revenue_usd_30d_mean=r.get("revenue_usd_30d_mean"),
        revenue_peak_usd_30d_mean=None if peak is None else peak["revenue_usd_30d_mean"],
        revenue_peak_date=None if peak is None else peak["date"],
        fee_share=r.get("fee_share"),
        cost_range_low_usd_per_btc=r.get("cost_range_low_usd_per_btc"),
        cost_range_high_usd_per_btc=r.get("cost_range_high_usd_per_btc"),
        cost_electricity_lower_usd_per_btc=r.get("cost_electricity_lower_usd_per_btc"),
        cost_electricity_best_usd_per_btc=r.get("cost_electricity_best_usd_per_btc"),
        cost_electricity_upper_usd_per_btc=r.get("cost_electricity_upper_usd_per_btc"),
        cost_all_in_lower_usd_per_btc=r.get("cost_all_in_lower_usd_per_btc"),
        cost_all_in_best_usd_per_btc=r.get("cost_all_in_best_usd_per_btc"),
        cost_all_in_upper_usd_per_btc=r.get("cost_all_in_upper_usd_per_btc"),
        puell_multiple=r.get("puell_multiple"),
        sustainability_score=r.get("sustainability_score"),
        sustainability_band=r.get("sustainability_band"),
    )


def _machine(m: Doc) -> StoryMachine:
    return StoryMachine(
        model=m["model"],
        efficiency_j_per_th=m["efficiency_j_per_th"],
        profit_usd_per_day=m["profit_usd_per_day"],
        profitable=bool(m["profitable"]),
        breakeven_btc_price_usd=m["breakeven_btc_price_usd"],
        breakeven_power_price_usd_per_kwh=m["breakeven_power_price_usd_per_kwh"],
    )


def pick_machines(mach: Doc | None) -> StoryMachines | None:
    """The article's models and the count of profitable models from ``machines``."""
    if not mach:
        return None
    rows = list(mach.get("machines") or [])
    by_name = {m["model"]: m for m in rows}
    s21 = [by_name[n]["breakeven_btc_price_usd"] for n in ARTICLE_S21 if n in by_name]
    return StoryMachines(
        power_price_usd_per_kwh=mach["inputs"]["power_price_usd_per_kwh"],
        btc_price_usd=mach["inputs"]["btc_price_usd"],
        models=len(rows),
        profitable_models=sum(1 for m in rows if m["profitable"]),
        named=tuple(
            _machine(by_name[n]) for n in (*ARTICLE_UNPROFITABLE, *ARTICLE_S21) if n in by_name
        ),
        s21_breakeven_lower_btc_price_usd=min(s21) if s21 else None,
        s21_breakeven_upper_btc_price_usd=max(s21) if s21 else None,
    )


def pick_contraction(c: Doc | None) -> StoryContraction | None:
    """The contraction study's signal-day figures."""
    if not c:
        return None
    st = c["stats"]
    sig = st["signal"]
    return StoryContraction(
        lookback_days=c["lookback_days"],
        horizon_days=c["horizon_days"],
        first_date=st["first_date"],
        last_date=st["last_date"],
        signal_days=sig["days"],
        episodes=sig["episodes"],
        non_overlapping_windows=sig["non_overlapping_windows"],
        hit_rate_share=sig["hit_rate_share"],
        hit_rate_lower_share=sig["hit_rate_lower_share"],
        hit_rate_upper_share=sig["hit_rate_upper_share"],
        unconditional_hit_rate_share=st["unconditional"]["hit_rate_share"],
        mean_return_pct=sig["mean_return_pct"],
        mean_return_lower_pct=sig["mean_return_lower_pct"],
        mean_return_upper_pct=sig["mean_return_upper_pct"],
        hit_rate_p_value=st["hit_rate_test"]["p_value"],
    )


def pick_pools(p: Doc | None) -> StoryPools | None:
    """The largest pools of the ``pools`` window."""
    if not p or not p.get("pools"):
        return None
    return StoryPools(
        window_days=p["window"]["days"],
        blocks=p["window"]["blocks"],
        top=tuple(
            StoryPool(
                pool_name=r["pool_name"],
                blocks=r["blocks"],
                block_share=r["block_share"],
                block_lower_share=r["block_lower_share"],
                block_upper_share=r["block_upper_share"],
            )
            for r in p["pools"][:POOLS_SHOWN]
        ),
        nakamoto_coefficient=(p.get("concentration") or {}).get("nakamoto_coefficient"),
    )


# --- the narrative ----------------------------------------------------------------------------


def _usd(v: float) -> str:
    return f"${v:,.0f}"


def _musd(v: float) -> str:
    return f"${v / USD_PER_MUSD:,.1f}M"


def _pct(v: float) -> str:
    return f"{v:+.1f}%"


def _pct_iv(lo: float | None, hi: float | None) -> str:
    return f"{_pct(lo or 0)} .. {_pct(hi or 0)}"


def _share(v: float) -> str:
    return f"{v * PCT_PER_SHARE:.1f}%"


def narrative(r: StoryReport) -> tuple[str, ...]:
    """The report's sentences, each quoting figures of ``r`` with their intervals and units.

    The rules: one sentence per section that has data; an estimate is always followed by its
    interval; a machine is "unprofitable" when its profit at the inputs is below zero.
    """
    out: list[str] = []
    h = r.hashrate
    s = (
        f"Hash rate is {h.hashrate_ehs:,.1f} EH/s (95% {h.hashrate_lower_ehs:,.1f} .."
        f" {h.hashrate_upper_ehs:,.1f} EH/s) over the last {h.window}"
    )
    if h.hashrate_ma30_ehs is not None and h.hashrate_ma30_lower_ehs is not None:
        s += (
            f"; the 30-day mean is {h.hashrate_ma30_ehs:,.1f} EH/s (95%"
            f" {h.hashrate_ma30_lower_ehs:,.1f} .. {h.hashrate_ma30_upper_ehs or 0:,.1f} EH/s)"
        )
    out.append(s + ".")
    if h.change_from_peak_corrected_pct is not None and h.hashrate_peak_ehs is not None:
        word = "down" if h.change_from_peak_corrected_pct < 0 else "up"
        out.append(
            f"The 7-day mean is {word} {abs(h.change_from_peak_corrected_pct):.1f}% (95%"
            f" {_pct_iv(h.change_from_peak_lower_pct, h.change_from_peak_upper_pct)})"
            f" from its {h.lookback_days}-day peak of {h.hashrate_peak_ehs:,.1f} EH/s on"
            f" {h.peak_date}."
        )
    bt = r.block_times
    if bt is not None:
        out.append(
            f"Blocks came every {bt.mean_interval_s / S_PER_MIN:.2f} min on average over the"
            f" {bt.window} (95% {bt.mean_interval_lower_s / S_PER_MIN:.2f} .."
            f" {bt.mean_interval_upper_s / S_PER_MIN:.2f} min; target"
            f" {MAINNET.pow_target_spacing_s / S_PER_MIN:g} min)."
        )
    d = r.difficulty
    if d is not None:
        ch, nd, eta = d.change_pct, d.next_difficulty_t, d.retarget_eta
        if d.exact:
            out.append(f"The next adjustment is known exactly: {_pct(ch.p50 or 0)}.")
        else:
            out.append(
                f"Difficulty is {d.difficulty_t:,.2f} T; the next adjustment at block"
                f" {d.retarget_height:,} is projected at p50 {ch.p50 or 0:+.2f}% to"
                f" {nd.p50 or 0:,.2f} T (90% {ch.p5 or 0:+.2f}% .. {ch.p95 or 0:+.2f}%, i.e."
                f" {nd.p5 or 0:,.2f} .. {nd.p95 or 0:,.2f} T), ETA {_iso(eta.p50)}"
                f" (p10 {_iso(eta.p10)}, p90 {_iso(eta.p90)})."
            )
    e = r.economics
    if e is not None:
        out.append(
            f"On {e.date} BTC closed at {_usd(e.btc_price_usd)}; hashprice was"
            f" ${e.hashprice_usd_per_phs_day:,.2f} per PH/s per day."
        )
        if e.revenue_usd_30d_mean is not None and e.revenue_peak_usd_30d_mean is not None:
            out.append(
                f"Miner revenue averaged {_musd(e.revenue_usd_30d_mean)} per day over the last"
                f" 30 days; its highest 30-day mean since {e.from_date} was"
                f" {_musd(e.revenue_peak_usd_30d_mean)} on {e.revenue_peak_date}."
            )
        if e.cost_range_low_usd_per_btc is not None and e.cost_all_in_best_usd_per_btc is not None:
            out.append(
                f"The cost to produce 1 BTC ranges from {_usd(e.cost_range_low_usd_per_btc)} to"
                f" {_usd(e.cost_range_high_usd_per_btc or 0)} over the methods; the best all-in"
                f" guess is {_usd(e.cost_all_in_best_usd_per_btc)} (bounds"
                f" {_usd(e.cost_all_in_lower_usd_per_btc or 0)} .."
                f" {_usd(e.cost_all_in_upper_usd_per_btc or 0)})."
            )
    m = r.machines
    if m is not None:
        losing = [x.model for x in m.named if not x.profitable]
        s = (
            f"At ${m.power_price_usd_per_kwh:.3f}/kWh and {_usd(m.btc_price_usd)} per BTC,"
            f" {m.profitable_models} of {m.models} catalog models make money on electricity"
        )
        if losing:
            s += f"; {', '.join(losing)} lose money"
        if m.s21_breakeven_lower_btc_price_usd is not None:
            s += (
                f"; the S21 series breaks even between"
                f" {_usd(m.s21_breakeven_lower_btc_price_usd)} and"
                f" {_usd(m.s21_breakeven_upper_btc_price_usd or 0)} per BTC"
            )
        out.append(s + ".")
    c = r.contraction
    if c is not None and c.hit_rate_share is not None:
        out.append(
            f"Negative {c.lookback_days}-day hash-rate growth was followed by a positive"
            f" {c.horizon_days}-day BTC return on {_share(c.hit_rate_share)} of {c.signal_days:,}"
            f" signal days (95% {_share(c.hit_rate_lower_share or 0)} .."
            f" {_share(c.hit_rate_upper_share or 0)}; all days"
            f" {_share(c.unconditional_hit_rate_share or 0)}), mean return"
            f" {c.mean_return_pct or 0:+.1f}% (95% {c.mean_return_lower_pct or 0:+.1f}% .."
            f" {c.mean_return_upper_pct or 0:+.1f}%), from {c.first_date} to {c.last_date}."
        )
        out.append(
            f"Those days form only {c.episodes} episodes ({c.non_overlapping_windows}"
            f" non-overlapping windows), and the hit rate's circular-shift p-value is"
            f" {c.hit_rate_p_value or 0:.2f}: "
            + (
                "the study cannot tell the signal from chance."
                if (c.hit_rate_p_value or 0) >= SIGNIFICANCE_P
                else "unlikely by chance alone, on few episodes."
            )
        )
    p = r.pools
    if p is not None and p.top:
        t = p.top[0]
        out.append(
            f"Over the last {p.window_days:g} days ({p.blocks:,} blocks) {t.pool_name} found"
            f" {_share(t.block_share)} of blocks (95% {_share(t.block_lower_share)} .."
            f" {_share(t.block_upper_share)}); {p.nakamoto_coefficient} pools together hold"
            " a majority."
        )
    return tuple(out)


def _iso(m: Any) -> str:
    return "n/a" if m is None else str(m.time_iso)


def article_lines(r: StoryReport) -> tuple[ArticleLine, ...]:
    """The article's figures (DESIGN.md) beside ours, at the report's moment."""
    lines: list[ArticleLine] = []
    h, e, d, m, c, bt = (
        r.hashrate,
        r.economics,
        r.difficulty,
        r.machines,
        r.contraction,
        r.block_times,
    )
    if e is not None:
        lines.append(
            ArticleLine("BTC price", "near $70,000", f"{_usd(e.btc_price_usd)} ({e.date} close)")
        )
        if e.cost_all_in_best_usd_per_btc is not None:
            lines.append(
                ArticleLine(
                    "cost to produce 1 BTC",
                    "about $87,000",
                    f"{_usd(e.cost_all_in_best_usd_per_btc)} all-in best guess (bounds"
                    f" {_usd(e.cost_all_in_lower_usd_per_btc or 0)} .."
                    f" {_usd(e.cost_all_in_upper_usd_per_btc or 0)})",
                )
            )
    if h.hashrate_ma30_ehs is not None:
        lines.append(
            ArticleLine(
                "network hash rate",
                "about 970 EH/s",
                f"{h.hashrate_ma30_ehs:,.1f} EH/s 30-day mean"
                f" (95% {h.hashrate_ma30_lower_ehs or 0:,.1f}"
                f" .. {h.hashrate_ma30_upper_ehs or 0:,.1f}); {h.hashrate_ehs:,.1f} EH/s over"
                f" {h.window}",
            )
        )
    if h.change_from_peak_corrected_pct is not None:
        lines.append(
            ArticleLine(
                "drop from the peak",
                "-12% from about 1.1 ZH/s in October",
                f"{_pct(h.change_from_peak_corrected_pct)}"
                f" (95% {_pct_iv(h.change_from_peak_lower_pct, h.change_from_peak_upper_pct)})"
                f" from {h.hashrate_peak_ehs or 0:,.1f}"
                f" EH/s on {h.peak_date} (7-day mean)",
            )
        )
    if e is not None and e.revenue_usd_30d_mean is not None:
        lines.append(
            ArticleLine(
                "daily miner revenue",
                "down from $45M to $28M",
                f"{_musd(e.revenue_usd_30d_mean)} 30-day mean"
                f" (high {_musd(e.revenue_peak_usd_30d_mean or 0)}"
                f" on {e.revenue_peak_date}); {_musd(e.revenue_usd or 0)} on {e.date}",
            )
        )
    if bt is not None:
        lines.append(
            ArticleLine(
                "average block time",
                "11.6 minutes",
                f"{bt.mean_interval_s / S_PER_MIN:.2f} min over the {bt.window} (95%"
                f" {bt.mean_interval_lower_s / S_PER_MIN:.2f} .."
                f" {bt.mean_interval_upper_s / S_PER_MIN:.2f})",
            )
        )
    if d is not None:
        ch, nd = d.change_pct, d.next_difficulty_t
        lines.append(
            ArticleLine(
                "next difficulty adjustment",
                "about -14% (141.67 T to about 121 T); realised -11.2% to 125.86 T",
                f"p50 {ch.p50 or 0:+.2f}% to {nd.p50 or 0:,.2f} T (90% {ch.p5 or 0:+.2f}% .."
                f" {ch.p95 or 0:+.2f}%) from {d.difficulty_t:,.2f} T",
            )
        )
    if m is not None:
        verdicts = "; ".join(
            f"{x.model} {'profitable' if x.profitable else 'unprofitable'}"
            f" (breakeven {_usd(x.breakeven_btc_price_usd)})"
            for x in m.named
            if x.model in ARTICLE_UNPROFITABLE
        )
        lines.append(
            ArticleLine("S19 XP+ and M60S at $0.08/kWh", "unprofitable", verdicts or "n/a")
        )
        if m.s21_breakeven_lower_btc_price_usd is not None:
            lines.append(
                ArticleLine(
                    "S21-series breakeven",
                    "$69,000 to $74,000",
                    f"{_usd(m.s21_breakeven_lower_btc_price_usd)} to"
                    f" {_usd(m.s21_breakeven_upper_btc_price_usd or 0)} ({', '.join(ARTICLE_S21)})",
                )
            )
    if c is not None and c.hit_rate_share is not None:
        lines.append(
            ArticleLine(
                "negative 90-day growth, then 180-day return",
                "positive 77% of the time, average +72%",
                f"{_share(c.hit_rate_share)} (95% {_share(c.hit_rate_lower_share or 0)} .."
                f" {_share(c.hit_rate_upper_share or 0)}), mean {c.mean_return_pct or 0:+.1f}%;"
                f" {c.episodes} episodes, p = {c.hit_rate_p_value or 0:.2f}",
            )
        )
    return tuple(lines)


def _as_of(d: Doc) -> AsOfInfo:
    stale = tuple(StaleInput(**x) for x in d.get("stale_inputs") or ())
    return AsOfInfo(**{**d, "stale_inputs": stale, "notes": tuple(d.get("notes") or ())})


def story_report(
    docs: Mapping[str, Any], *, notes: Sequence[str] = (), charts: Sequence[str] = ()
) -> StoryReport:
    """The report document from the documents of :func:`story_documents`."""
    hr = docs["hashrate"]
    base = StoryReport(
        as_of=_as_of(hr["as_of"]),
        hashrate=pick_hashrate(hr),
        block_times=pick_block_times(hr, docs.get("difficulty")),
        difficulty=pick_difficulty(docs.get("difficulty"), docs.get("difficulty_history")),
        economics=pick_economics(docs.get("economics")),
        machines=pick_machines(docs.get("machines")),
        contraction=pick_contraction(docs.get("contraction")),
        pools=pick_pools(docs.get("pools")),
        article=(),
        narrative=(),
        charts=tuple(charts),
        notes=tuple(notes),
    )
    from dataclasses import replace

    return replace(base, narrative=narrative(base), article=article_lines(base))


@dataclass(frozen=True)
class Story:
    """A report: its document and the documents its figures and charts come from."""

    report: StoryReport
    documents: dict[str, Any]


def story_view(
    db: str | Path | None,
    at: str | None,
    *,
    now_s: int,
    inputs: StoryInputs = StoryInputs(),  # noqa: B008
    only: Collection[str] | None = None,
) -> Story:
    """``minerscope report`` and ``plot``: open the database read-only, resolve ``--at`` and
    build the documents (``only``: see :func:`story_documents`) and the report."""
    spec = parse_time_spec(at) if at else None
    conn = storage.open_for_reading(db)
    try:
        as_of = resolve_as_of(conn, spec, now_s=now_s)
        docs, notes = story_documents(conn, as_of, at=at, now_s=now_s, inputs=inputs, only=only)
    finally:
        conn.close()
    from ..charts.builders import CHARTS

    charts = [n for n, c in CHARTS.items() if all(d in docs for d in c.needs)]
    return Story(report=story_report(docs, notes=notes, charts=charts), documents=docs)


__all__ = [
    "ARTICLE_POWER_PRICE_USD_PER_KWH",
    "TOUCHSTONE",
    "Story",
    "StoryInputs",
    "article_lines",
    "narrative",
    "story_documents",
    "story_report",
    "story_view",
]
