"""Economics views: machines, fleets, daily history and the status section.

Each function takes inputs loaded by :mod:`minerscope.report.econ_inputs` (or the database and
an :class:`~minerscope.asof.AsOf`), calls the pure :mod:`minerscope.economics` functions and
returns a JSON-ready dict with unit-suffixed keys.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import storage
from ..asof import AsOf, date_utc, day_start_s, last_complete_day, parse_time_spec, resolve_as_of
from ..consensus import MAINNET, supply_sat_at
from ..defaults import DEFAULT_POWER_PRICE_USD_PER_KWH
from ..economics.hashprice import (
    hashprice_usd_per_phs_day,
    hashvalue_sat_per_phs_day,
)
from ..economics.history import COST_METHOD_COLUMNS, daily_economics, daily_from_blocks
from ..economics.production_cost import (
    DRM_PUBLISHED_A,
    DRM_PUBLISHED_B,
    CostAssumptions,
    bottom_up_cost,
    drm_price_usd,
    fit_drm,
)
from ..errors import InputError, NoDataError
from ..sources import catalog as catalog_files
from ..units import SAT_PER_BTC, SECONDS_PER_DAY
from .econ_inputs import (
    EconInputs,
    load_inputs,
    load_machine_catalog,
)
from .econ_machines import fleet_report, fleet_view, machines_report, machines_view

__all__ = [
    "DEFAULT_POWER_PRICE_USD_PER_KWH",
    "EconInputs",
    "economics_history",
    "economics_view",
    "fleet_report",
    "fleet_view",
    "history_frame",
    "load_inputs",
    "load_machine_catalog",
    "machines_report",
    "machines_view",
    "production_cost_at",
    "status_section",
]

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(float(x)) else None


def _scalar(x: Any) -> float:
    return float(np.asarray(x, dtype=np.float64))


# --- history and status -------------------------------------------------------------------


def _network_catalog_arrays() -> tuple[np.ndarray, np.ndarray]:
    """Efficiencies and release times of the shipped catalog (the network's hardware)."""
    machines = catalog_files.shipped_catalog()
    eff = np.array([m.efficiency_j_per_th for m in machines], dtype=np.float64)
    rel = np.array(
        [day_start_s(m.release_date) if m.release_date else np.nan for m in machines],
        dtype=np.float64,
    )
    return eff, rel


def cost_assumptions_dict(a: CostAssumptions) -> dict[str, Any]:
    """The bottom-up assumptions, JSON-ready, with where each default comes from."""
    machines = catalog_files.shipped_catalog()
    return {
        "power_price_usd_per_kwh": a.power_price_usd_per_kwh,
        "pue_lower": a.pue_lower,
        "pue_best": a.pue_best,
        "pue_upper": a.pue_upper,
        "basket_age_days": a.basket_age_s / SECONDS_PER_DAY,
        "other_opex_share": a.other_opex_share,
        "capex_usd_per_th": a.capex_usd_per_th,
        "depreciation_days": a.depreciation_days,
        "catalog_models": len(machines),
        "catalog_models_with_release": sum(1 for m in machines if m.release_date),
        "drm_published_a": DRM_PUBLISHED_A,
        "drm_published_b": DRM_PUBLISHED_B,
        "notes": (
            "bottom-up: CBECI-style bounds over the shipped catalog's released, profitable"
            " models ($0.05/kWh, PUE 1.01/1.10/1.20 per CBECI as summarised in RESEARCH.md 1.8);"
            " all-in adds 15 % other opex (CoinShares) and $15/TH capex over 30 months;"
            " drm: Glassnode difficulty regression, published constants and re-fitted on"
            " the stored daily rows up to each day"
        ),
    }


def daily_inputs(conn: sqlite3.Connection, *, to_date: str) -> pd.DataFrame:
    """Daily rows up to ``to_date``, with complete days of stored blocks taking precedence.

    Days whose blocks are all stored are aggregated from the blocks (exact subsidy, fees and
    difficulty; ``source`` = ``blocks``); other days come from the daily rows. A day without
    a daily price gets the latest stored price at or before its end. Block days carry the
    exact supply (``supply_sat``) from the consensus schedule.
    """
    daily = storage.load_daily(conn, to_date=to_date)
    end = pd.Timestamp(to_date, tz="UTC")
    blocks = daily_from_blocks(storage.load_blocks(conn))
    blocks = blocks[blocks.index <= end]
    if daily.empty and blocks.empty:
        raise NoDataError(
            f"no blocks or daily rows on or before {to_date}: import the reference data"
            " (`minerscope quickstart ../shared/data`) or sync blocks (`minerscope sync`)"
        )
    index = pd.DatetimeIndex(daily.index.union(blocks.index))
    out = daily.reindex(index)
    out["supply_sat"] = np.nan
    if not blocks.empty:
        b = blocks.index
        out.loc[b, "blocks"] = blocks["blocks"].to_numpy()
        out.loc[b, "difficulty"] = blocks["difficulty"].to_numpy()
        out.loc[b, "issuance_sat"] = blocks["issuance_sat"].to_numpy()
        fees = blocks["fees_sat"]
        known = fees.notna()
        out.loc[b[known.to_numpy()], "fees_sat"] = fees[known].to_numpy()
        out.loc[b, "source"] = "blocks"
        out.loc[b, "supply_sat"] = [
            float(supply_sat_at(int(h), params=MAINNET)) for h in blocks["last_height"]
        ]
    no_price = out["price_usd"].isna()
    if no_price.any():
        prices = storage.load_prices(conn)
        if not prices.empty:
            day_end_s = np.asarray(index.as_unit("s").asi8, dtype=np.int64) + SECONDS_PER_DAY
            times = prices["time_s"].to_numpy(dtype=np.int64)
            i = np.searchsorted(times, day_end_s, side="right") - 1
            fill = np.where(i >= 0, prices["price_usd"].to_numpy()[np.maximum(i, 0)], np.nan)
            out["price_usd"] = out["price_usd"].where(~no_price, fill)
    return out


def history_frame(
    conn: sqlite3.Connection,
    *,
    to_date: str,
    assumptions: CostAssumptions = CostAssumptions(),  # noqa: B008
) -> pd.DataFrame:
    """The daily economics of every stored day up to ``to_date`` (see ``daily_economics``)."""
    daily = daily_inputs(conn, to_date=to_date)
    eff, rel = _network_catalog_arrays()
    out = daily_economics(
        daily, efficiency_j_per_th=eff, release_time_s=rel, assumptions=assumptions
    )
    out["source"] = daily["source"]
    return out


HISTORY_COLUMNS: tuple[str, ...] = (
    "blocks",
    "difficulty",
    "price_usd",
    "subsidy_btc",
    "fees_btc",
    "revenue_btc",
    "revenue_usd",
    "fee_share",
    "revenue_usd_7d_mean",
    "revenue_usd_30d_mean",
    "reward_btc_per_block",
    "fees_carried_forward",
    "hashvalue_sat_per_phs_day",
    "hashprice_usd_per_phs_day",
    "realised_hashrate_ehs",
    "realised_hashvalue_sat_per_phs_day",
    "realised_hashprice_usd_per_phs_day",
    "puell_multiple",
    "puell_multiple_fees_halving_adjusted",
    *COST_METHOD_COLUMNS,
    "cost_range_low_usd_per_btc",
    "cost_range_high_usd_per_btc",
    "best_guess_efficiency_j_per_th",
    "sustainability_ratio",
    "sustainability_score",
    "sustainability_band",
    "source",
)


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        return f if math.isfinite(f) else None
    if value is pd.NA or value is None:
        return None
    return value


def economics_history(
    conn: sqlite3.Connection,
    as_of: AsOf,
    *,
    from_date: str | None = None,
    to_date: str | None = None,
) -> dict[str, Any]:
    """Daily revenue, hashprice, hashvalue, Puell, cost range and index for a date range.

    Parameters
    ----------
    conn : sqlite3.Connection
        Open database.
    as_of : AsOf
        Only days complete by this moment are returned.
    from_date, to_date : str, optional
        YYYY-MM-DD bounds (inclusive); default: the first day with a price, the last complete
        day.
    """
    last = last_complete_day(as_of.time_s)
    end = min(to_date, last) if to_date else last
    if from_date and from_date > end:
        raise InputError(f"--from {from_date} is after the last day {end}", field="--from")
    frame = history_frame(conn, to_date=end)
    if from_date:
        frame = frame[frame.index >= pd.Timestamp(from_date, tz="UTC")]
    else:
        priced = frame.index[frame["price_usd"].notna()]
        if len(priced):
            frame = frame[frame.index >= priced[0]]
    cols = list(HISTORY_COLUMNS)
    dates = [date_utc(int(ts.timestamp())) for ts in frame.index]
    values = frame[cols].to_numpy(dtype=object)
    rows = [
        {"date": day, **{c: _jsonable(v) for c, v in zip(cols, vals, strict=True)}}
        for day, vals in zip(dates, values, strict=True)
    ]
    return {
        "as_of": {"time_s": as_of.time_s, "time_iso": as_of.iso, "text": as_of.text},
        "from_date": dates[0] if dates else from_date,
        "to_date": dates[-1] if dates else end,
        "columns": ["date", *cols],
        "assumptions": cost_assumptions_dict(CostAssumptions()),
        "rows": rows,
    }


def production_cost_at(
    inputs: EconInputs,
    *,
    supply_btc: float | None,
    drm_refit: tuple[float, float] | None,
    assumptions: CostAssumptions = CostAssumptions(),  # noqa: B008
) -> dict[str, Any]:
    """The cost-to-produce range at one moment: every method, its value, the range."""
    eff, rel = _network_catalog_arrays()
    t = inputs.time_s if inputs.time_s is not None else int(np.nanmax(rel))
    bu = bottom_up_cost(
        eff,
        rel,
        time_s=[t],
        difficulty=[inputs.difficulty],
        reward_btc_per_block=[inputs.reward_btc_per_block],
        btc_price_usd=[inputs.btc_price_usd],
        assumptions=assumptions,
    )
    methods: dict[str, float | None] = {
        "electricity_lower_usd_per_btc": _finite(bu.electricity_lower_usd_per_btc[0]),
        "electricity_best_usd_per_btc": _finite(bu.electricity_best_usd_per_btc[0]),
        "electricity_upper_usd_per_btc": _finite(bu.electricity_upper_usd_per_btc[0]),
        "all_in_lower_usd_per_btc": _finite(bu.all_in_lower_usd_per_btc[0]),
        "all_in_best_usd_per_btc": _finite(bu.all_in_best_usd_per_btc[0]),
        "all_in_upper_usd_per_btc": _finite(bu.all_in_upper_usd_per_btc[0]),
        "drm_published_usd_per_btc": None,
        "drm_refit_usd_per_btc": None,
    }
    if supply_btc:
        methods["drm_published_usd_per_btc"] = _finite(
            float(drm_price_usd(inputs.difficulty, supply_btc)[()])
        )
        if drm_refit is not None:
            methods["drm_refit_usd_per_btc"] = _finite(
                float(
                    drm_price_usd(inputs.difficulty, supply_btc, a=drm_refit[0], b=drm_refit[1])[()]
                )
            )
    known = [v for v in methods.values() if v is not None]
    return {
        "low_usd_per_btc": min(known) if known else None,
        "high_usd_per_btc": max(known) if known else None,
        "best_guess_range_usd_per_btc": [
            methods["electricity_best_usd_per_btc"],
            methods["all_in_best_usd_per_btc"],
        ],
        "methods": methods,
        "best_guess_efficiency_j_per_th": _finite(bu.best_efficiency_j_per_th[0]),
        "profitable_models": int(bu.profitable_models[0]),
        "drm_refit": None if drm_refit is None else {"a": drm_refit[0], "b": drm_refit[1]},
        "supply_btc": supply_btc,
        "assumptions": cost_assumptions_dict(assumptions),
    }


def _revenue_last_day(frame: pd.DataFrame) -> dict[str, Any] | None:
    known = frame[frame["revenue_usd"].notna()]
    if known.empty:
        return None
    row = known.iloc[-1]
    return {
        "date": date_utc(int(known.index[-1].timestamp())),
        "revenue_btc_per_day": float(row["revenue_btc"]),
        "revenue_usd_per_day": float(row["revenue_usd"]),
        "fee_share": _jsonable(row["fee_share"]),
        "revenue_usd_7d_mean": _jsonable(row["revenue_usd_7d_mean"]),
        "revenue_usd_30d_mean": _jsonable(row["revenue_usd_30d_mean"]),
        "realised_hashprice_usd_per_phs_day": _jsonable(row["realised_hashprice_usd_per_phs_day"]),
        "realised_hashvalue_sat_per_phs_day": _jsonable(row["realised_hashvalue_sat_per_phs_day"]),
        "basis": "subsidy plus fees mined that UTC day, at that day's price",
    }


def status_section(
    conn: sqlite3.Connection, as_of: AsOf, base: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    """The economics part of ``status`` as of a moment (None when nothing is known).

    Returns a dict with ``inputs`` (difficulty, subsidy, fees per block, price, sources),
    ``hashprice_usd_per_phs_day``, ``hashvalue_sat_per_phs_day`` (difficulty-implied),
    ``revenue`` (last complete day: BTC, USD, fee share, trailing means, realised hashprice),
    ``production_cost`` (low/high over methods, each method, assumptions), ``puell_multiple``
    and ``sustainability`` (ratio, score 0-100, band, name) from the last complete day.
    """
    try:
        inputs = load_inputs(conn, as_of)
    except NoDataError:
        return None
    day = last_complete_day(as_of.time_s)
    frame: pd.DataFrame | None
    try:
        frame = history_frame(conn, to_date=day)
    except NoDataError:
        frame = None
    supply: float | None = None
    if as_of.tip_height is not None and "daily" not in inputs.subsidy_source:
        supply = supply_sat_at(as_of.tip_height, params=MAINNET) / SAT_PER_BTC
    elif frame is not None:
        supply = float(frame["supply_btc"].iloc[-1])
    refit: tuple[float, float] | None = None
    if frame is not None:
        mcap = frame["price_usd"] * frame["supply_btc"]
        ok = frame["difficulty"].notna() & mcap.notna() & (mcap > 0)
        if int(ok.sum()) >= 365:
            fit = fit_drm(frame.loc[ok, "difficulty"].to_numpy(), mcap[ok].to_numpy())
            refit = (fit.a, fit.b)
    d, r, p = inputs.difficulty, inputs.reward_btc_per_block, inputs.btc_price_usd
    out: dict[str, Any] = {
        "inputs": inputs.as_dict(),
        "hashprice_usd_per_phs_day": _scalar(hashprice_usd_per_phs_day(d, r, p)),
        "hashvalue_sat_per_phs_day": _scalar(hashvalue_sat_per_phs_day(d, r)),
        "revenue": None if frame is None else _revenue_last_day(frame),
        "production_cost": production_cost_at(inputs, supply_btc=supply, drm_refit=refit),
        "puell_multiple": None,
        "sustainability": None,
    }
    if frame is not None:
        puell = frame["puell_multiple"].dropna()
        if not puell.empty:
            out["puell_multiple"] = {
                "value": float(puell.iloc[-1]),
                "date": date_utc(int(puell.index[-1].timestamp())),
                "basis": "issuance (subsidy only) in USD / its 365-day mean",
            }
        score = frame["sustainability_score"].dropna()
        if not score.empty:
            i = score.index[-1]
            out["sustainability"] = {
                "name": "minerscope sustainability index (ours; not CryptoQuant's)",
                "date": date_utc(int(i.timestamp())),
                "ratio": float(frame.loc[i, "sustainability_ratio"]),
                "score": float(score.iloc[-1]),
                "band": frame.loc[i, "sustainability_band"],
                "basis": "percentile of price / best-guess electricity cost over 730 days",
            }
    return out


def economics_view(
    db: Path | None,
    at: str | None,
    *,
    now_s: int,
    from_date: str | None = None,
    to_date: str | None = None,
) -> dict[str, Any]:
    """``minerscope economics``: the daily history between two dates, known as of ``at``."""
    for name, value in (("--from", from_date), ("--to", to_date)):
        if value is not None:
            try:
                ok = bool(_DATE_RE.match(value)) and bool(date.fromisoformat(value))
            except ValueError:
                ok = False
            if not ok:
                raise InputError(f"{value!r} is not a date (YYYY-MM-DD)", field=name)
    conn = storage.open_for_reading(db)
    try:
        spec = parse_time_spec(at) if at is not None else None
        as_of = resolve_as_of(conn, spec, now_s=now_s)
        return economics_history(conn, as_of, from_date=from_date, to_date=to_date)
    finally:
        conn.close()
