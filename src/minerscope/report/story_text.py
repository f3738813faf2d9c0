"""The report's words: its sentences and the article's figures beside ours, written by fixed
rules from a :class:`~minerscope.report.story_results.StoryReport`'s figures (each estimate
with its interval, each number with its unit). Nothing here computes a figure."""

from __future__ import annotations

from typing import Any, Final

from ..consensus import MAINNET
from .story_results import ArticleLine, StoryReport

#: The article's models (DESIGN.md): unprofitable at $0.08/kWh, and the S21 series.
ARTICLE_UNPROFITABLE: Final = ("Antminer S19 XP+ Hyd", "WhatsMiner M60S")
ARTICLE_S21: Final = ("Antminer S21", "Antminer S21+", "Antminer S21 Hyd")
PCT_PER_SHARE: Final = 100.0
USD_PER_MUSD: Final = 1e6
S_PER_MIN: Final = 60.0
CENTS_BELOW_USD: Final = 100.0
#: Below this p-value the narrative calls a result unlikely by chance alone.
SIGNIFICANCE_P: Final = 0.05


# --- the narrative ----------------------------------------------------------------------------


def _sig(v: float | None, decimals: int) -> str:
    """``v`` with ``decimals`` decimals, or 3 significant digits below 1 (2013's hash rate is
    0.000123 EH/s, not 0.0)."""
    x = v or 0.0
    return f"{x:,.{decimals}f}" if abs(x) >= 1 or x == 0 else f"{x:.3g}"


def _usd(v: float) -> str:
    """Whole dollars, cents below $100, 3 significant digits below $1 (2013's breakeven)."""
    if abs(v) >= CENTS_BELOW_USD:
        return f"${v:,.0f}"
    return f"${v:,.2f}" if abs(v) >= 1 or v == 0 else f"${v:.3g}"


def _musd(v: float) -> str:
    """Million dollars with one decimal, or whole dollars below $1M."""
    return f"${v / USD_PER_MUSD:,.1f}M" if abs(v) >= USD_PER_MUSD else _usd(v)


def _pct(v: float) -> str:
    return f"{v:+.1f}%"


def _pct_iv(lo: float | None, hi: float | None) -> str:
    return f"{_pct(lo or 0)} .. {_pct(hi or 0)}"


def _iv95(lo: float | None, hi: float | None) -> str:
    return f"95% {_sig(lo, 1)} .. {_sig(hi, 1)}"


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
        f"Hash rate is {_sig(h.hashrate_ehs, 1)} EH/s (95% {_sig(h.hashrate_lower_ehs, 1)} .."
        f" {_sig(h.hashrate_upper_ehs, 1)} EH/s) over the last {h.window}"
    )
    if h.hashrate_ma30_ehs is not None and h.hashrate_ma30_lower_ehs is not None:
        s += (
            f"; the 30-day mean is {_sig(h.hashrate_ma30_ehs, 1)} EH/s (95%"
            f" {_sig(h.hashrate_ma30_lower_ehs, 1)} .. {_sig(h.hashrate_ma30_upper_ehs, 1)} EH/s)"
        )
    out.append(s + ".")
    if h.peak_date is not None and h.peak_date == h.ma30_date:
        out.append(
            f"The 7-day mean, {_sig(h.hashrate_now_7d_ehs, 1)} EH/s, is at its"
            f" {h.lookback_days}-day peak."
        )
    elif h.change_from_peak_corrected_pct is not None and h.hashrate_peak_ehs is not None:
        word = "down" if h.change_from_peak_corrected_pct < 0 else "up"
        out.append(
            f"The 7-day mean is {word} {abs(h.change_from_peak_corrected_pct):.1f}% (95%"
            f" {_pct_iv(h.change_from_peak_lower_pct, h.change_from_peak_upper_pct)})"
            f" from its {h.lookback_days}-day peak of {_sig(h.hashrate_peak_ehs, 1)} EH/s on"
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
                f"Difficulty is {_sig(d.difficulty_t, 2)} T; the next adjustment at block"
                f" {d.retarget_height:,} is projected at p50 {ch.p50 or 0:+.2f}% to"
                f" {_sig(nd.p50, 2)} T (90% {ch.p5 or 0:+.2f}% .. {ch.p95 or 0:+.2f}%, i.e."
                f" {_sig(nd.p5, 2)} .. {_sig(nd.p95, 2)} T), ETA {_iso(eta.p50)}"
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
    cu = r.curtail
    if cu is not None:
        prices = "; ".join(
            f"{x.site} power averaged ${x.mean_usd_per_mwh or 0:,.0f}/MWh, peak"
            f" ${x.max_usd_per_mwh or 0:,.0f}/MWh"
            for x in cu.sites
        )
        s = (
            f"Fleet {cu.fleet} from {cu.from_iso} to {cu.to_iso}: {prices}; running when"
            f" the hour pays would have switched groups off for {cu.hours_off:,.0f} group-hours,"
            f" avoiding {cu.mwh_avoided:,.1f} MWh and {_usd(cu.power_cost_saved_usd)} of power"
            f" for {_usd(cu.revenue_forgone_usd)} of revenue forgone: net"
            f" {_usd(cu.net_benefit_vs_always_on_usd)} against always-on"
        )
        if cu.most_curtailed_date is not None:
            s += (
                f"; the most curtailed day was {cu.most_curtailed_date}"
                f" ({cu.most_curtailed_group}, {cu.most_curtailed_hours_off or 0:g} h off)"
            )
        out.append(s + ".")
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
                f"{_sig(h.hashrate_ma30_ehs, 1)} EH/s 30-day mean"
                f" (95% {_sig(h.hashrate_ma30_lower_ehs, 1)}"
                f" .. {_sig(h.hashrate_ma30_upper_ehs, 1)}); {_sig(h.hashrate_ehs, 1)} EH/s over"
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
                f" from {_sig(h.hashrate_peak_ehs, 1)}"
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
                f"p50 {ch.p50 or 0:+.2f}% to {_sig(nd.p50, 2)} T (90% {ch.p5 or 0:+.2f}% .."
                f" {ch.p95 or 0:+.2f}%) from {_sig(d.difficulty_t, 2)} T",
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


def headline(r: StoryReport) -> tuple[tuple[str, str, str], ...]:
    """The headline table: (figure with its unit, value, interval) per row, from ``r``."""
    rows: list[tuple[str, str, str]] = []
    h = r.hashrate
    rows.append(
        (
            f"hash rate, {h.window} [EH/s]",
            _sig(h.hashrate_ehs, 1),
            _iv95(h.hashrate_lower_ehs, h.hashrate_upper_ehs),
        )
    )
    if h.hashrate_ma30_ehs is not None:
        rows.append(
            (
                "hash rate, 30-day mean [EH/s]",
                _sig(h.hashrate_ma30_ehs, 1),
                f"95% {_sig(h.hashrate_ma30_lower_ehs, 1)} .. {_sig(h.hashrate_ma30_upper_ehs, 1)}",
            )
        )
    if h.change_from_peak_corrected_pct is not None:
        rows.append(
            (
                f"7-day mean vs its {h.lookback_days}-day peak [%]",
                _pct(h.change_from_peak_corrected_pct),
                "95% " + _pct_iv(h.change_from_peak_lower_pct, h.change_from_peak_upper_pct),
            )
        )
    bt = r.block_times
    if bt is not None:
        rows.append(
            (
                f"mean block time, {bt.window} [min]",
                f"{bt.mean_interval_s / S_PER_MIN:.2f}",
                f"95% {bt.mean_interval_lower_s / S_PER_MIN:.2f} .."
                f" {bt.mean_interval_upper_s / S_PER_MIN:.2f}",
            )
        )
    d = r.difficulty
    if d is not None:
        ch, eta = d.change_pct, d.retarget_eta
        rows.append(("difficulty [T]", _sig(d.difficulty_t, 2), ""))
        rows.append(
            (
                f"next adjustment, block {d.retarget_height:,} [%]",
                _pct(ch.p50 or 0),
                f"50% {_pct_iv(ch.p25, ch.p75)}; 90% {_pct_iv(ch.p5, ch.p95)}",
            )
        )
        rows.append(
            ("retarget ETA [UTC]", _iso(eta.p50), f"p10 {_iso(eta.p10)} .. p90 {_iso(eta.p90)}")
        )
    e = r.economics
    if e is not None:
        rows.append((f"BTC price, {e.date} close [USD]", _usd(e.btc_price_usd), ""))
        rows.append(
            (
                f"hashprice, {e.date} [USD per PH/s per day]",
                f"{e.hashprice_usd_per_phs_day:,.2f}",
                "difficulty-implied, with that day's fees",
            )
        )
        if e.revenue_usd_30d_mean is not None:
            rows.append(
                ("miner revenue, 30-day mean [USD per day]", _musd(e.revenue_usd_30d_mean), "")
            )
        if e.cost_all_in_best_usd_per_btc is not None:
            rows.append(
                (
                    "cost to produce 1 BTC, all-in [USD]",
                    _usd(e.cost_all_in_best_usd_per_btc),
                    f"bounds {_usd(e.cost_all_in_lower_usd_per_btc or 0)} .."
                    f" {_usd(e.cost_all_in_upper_usd_per_btc or 0)}",
                )
            )
        if e.puell_multiple is not None:
            rows.append(("Puell multiple [ratio]", f"{e.puell_multiple:.3f}", ""))
        if e.sustainability_score is not None:
            rows.append(
                (
                    "sustainability index, ours [0-100]",
                    f"{e.sustainability_score:.0f}",
                    e.sustainability_band or "",
                )
            )
    m = r.machines
    if m is not None:
        rows.append(
            (
                f"models profitable at ${m.power_price_usd_per_kwh:.3f}/kWh [models]",
                f"{m.profitable_models} of {m.models}",
                "electricity only",
            )
        )
    return tuple(rows)


__all__ = ["ARTICLE_S21", "ARTICLE_UNPROFITABLE", "article_lines", "headline", "narrative"]
