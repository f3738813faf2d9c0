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
from ..errors import InputError, NoDataError
from ..results import AsOfInfo, MomentPercentiles, Percentiles, StaleInput
from .story_results import (
    StoryBlockTimes,
    StoryContraction,
    StoryCurtail,
    StoryCurtailSite,
    StoryDifficulty,
    StoryEconomics,
    StoryHashrate,
    StoryMachine,
    StoryMachines,
    StoryPool,
    StoryPools,
    StoryReport,
)
from .story_text import ARTICLE_S21, ARTICLE_UNPROFITABLE, article_lines, narrative

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
CURTAIL_DAYS: Final = 7


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
    fleet : Path or None
        A fleet file (hourly power prices): the curtailment of its groups over the
        ``curtail_days`` days before the moment (``minerscope curtail``, threshold rule).
    curtail_days : int
        [days]
    """

    power_price_usd_per_kwh: float = ARTICLE_POWER_PRICE_USD_PER_KWH
    series_days: int = DEFAULT_SERIES_DAYS
    resamples: int = STUDY_RESAMPLES
    fleet: Path | None = None
    curtail_days: int = CURTAIL_DAYS


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


def pick_curtail(c: Doc | None) -> StoryCurtail | None:
    """The threshold rule's totals and the most curtailed day of the ``curtail`` document."""
    if not c:
        return None
    rule = next(r for r in c["rules"] if r["rule"] == "threshold")
    t = rule["total"]
    days = [d for d in c.get("days") or [] if d["rule"] == "threshold" and d.get("group")]
    top = max(days, key=lambda d: d["hours_off"]) if days else None
    return StoryCurtail(
        fleet=str(c["fleet"]),
        rule=rule["rule"],
        from_iso=c["window"]["from_iso"],
        to_iso=c["window"]["to_iso"],
        sites=tuple(
            StoryCurtailSite(
                site=name,
                mean_usd_per_mwh=v.get("mean_usd_per_mwh"),
                max_usd_per_mwh=v.get("max_usd_per_mwh"),
            )
            for name, v in c["window"]["sites"].items()
        ),  # fmt: skip
        hours_off=t["hours_off"],
        mwh_avoided=t["mwh_avoided"],
        revenue_forgone_usd=t["revenue_forgone_usd"],
        power_cost_saved_usd=t["power_cost_saved_usd"],
        net_benefit_vs_always_on_usd=t["net_benefit_vs_always_on_usd"],
        always_on_power_cost_usd=c["always_on"]["power_cost_usd"],
        always_on_revenue_usd=c["always_on"]["revenue_usd"],
        most_curtailed_date=None if top is None else top["date"],
        most_curtailed_group=None if top is None else top["group"],
        most_curtailed_hours_off=None if top is None else top["hours_off"],
    )


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
        curtail=pick_curtail(docs.get("curtail")),
        article=(),
        narrative=(),
        charts=tuple(charts),
        notes=tuple(notes),
    )
    from dataclasses import replace

    return replace(base, narrative=narrative(base), article=article_lines(base))


def _curtail(db: str | Path | None, inputs: StoryInputs, as_of: AsOf) -> Any:
    """``minerscope curtail FLEET --from (moment - curtail_days) --to moment --threshold-only``."""
    from .curtail import CurtailSettings, curtail_view

    assert inputs.fleet is not None
    start = _minus_days(date_utc(as_of.time_s), inputs.curtail_days)
    return curtail_view(None if db is None else Path(db), inputs.fleet, start, as_of.iso,
                        CurtailSettings(optimal=False))  # fmt: skip


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
    if inputs.fleet is not None and (only is None or "curtail" in only):
        docs["curtail"] = _curtail(db, inputs, as_of).to_dict()
    from ..charts.builders import CHARTS

    charts = [n for n, c in CHARTS.items() if all(d in docs for d in c.needs)]
    return Story(report=story_report(docs, notes=notes, charts=charts), documents=docs)


__all__ = [
    "ARTICLE_POWER_PRICE_USD_PER_KWH",
    "TOUCHSTONE",
    "Story",
    "StoryInputs",
    "story_documents",
    "story_report",
    "story_view",
]
