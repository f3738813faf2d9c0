"""Economics views: the daily history, the cost to produce at a moment, the status section.

Each function loads what it needs from storage as of a moment (SQL aggregates over the days
it needs: no per-block rows, no pandas), calls the pure :mod:`minerscope.economics`
functions and returns the typed documents of :mod:`minerscope.report.econ_results`.
``machines`` and ``fleet`` live in :mod:`minerscope.report.econ_machines` and are re-exported
here.
"""

from __future__ import annotations

import math
import re
import sqlite3
from collections.abc import Mapping
from dataclasses import fields
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import storage
from ..asof import (
    AsOf,
    data_moment,
    date_utc,
    day_end_s,
    day_start_s,
    last_complete_day,
    moment_info,
    parse_time_spec,
    resolve_as_of,
)
from ..consensus import MAINNET, difficulty_from_bits, supply_sat_at
from ..defaults import DEFAULT_POWER_PRICE_USD_PER_KWH
from ..economics.days import (
    BlockDays,
    DayInputs,
    complete_block_days,
    merge_days,
    supply_sat_at_heights,
)
from ..economics.hashprice import hashprice_usd_per_phs_day, hashvalue_sat_per_phs_day
from ..economics.history import COST_METHOD_COLUMNS, daily_economics_arrays
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
from ..storage import moments
from ..units import SAT_PER_BTC, SECONDS_PER_DAY
from .econ_inputs import EconInputs, load_inputs, load_machine_catalog
from .econ_machines import fleet_report, fleet_view, machines_report, machines_view
from .econ_results import (
    CostAssumptionsInfo,
    DayRevenue,
    DrmFit,
    EconomicsDay,
    EconomicsHistory,
    EconomicsStatus,
    ProductionCost,
    PuellReading,
    SustainabilityReading,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DEFAULT_POWER_PRICE_USD_PER_KWH",
    "DOCUMENT_COLUMN",
    "HISTORY_COLUMNS",
    "EconInputs",
    "cost_assumptions_info",
    "day_inputs",
    "economics_history",
    "economics_view",
    "fleet_report",
    "fleet_view",
    "history_arrays",
    "history_frame",
    "load_inputs",
    "load_machine_catalog",
    "machines_report",
    "machines_view",
    "production_cost_at",
    "status_section",
]

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: The difficulty regression is re-fitted only on at least this many days with a price.
DRM_REFIT_MIN_DAYS = 365


def _finite(x: Any) -> float | None:
    if x is None:
        return None
    f = float(x)
    return f if math.isfinite(f) else None


def _scalar(x: Any) -> float:
    return float(np.asarray(x, dtype=np.float64))


# --- the catalog as the network's hardware ------------------------------------------------


@lru_cache(maxsize=1)
def _network_catalog_arrays() -> tuple[np.ndarray, np.ndarray, int, int]:
    """Efficiencies and release times of the shipped catalog (the network's hardware)."""
    machines = catalog_files.shipped_catalog()
    eff = np.array([m.efficiency_j_per_th for m in machines], dtype=np.float64)
    rel = np.array(
        [day_start_s(m.release_date) if m.release_date else np.nan for m in machines],
        dtype=np.float64,
    )
    eff.setflags(write=False)
    rel.setflags(write=False)
    return eff, rel, len(machines), sum(1 for m in machines if m.release_date)


def cost_assumptions_info(a: CostAssumptions) -> CostAssumptionsInfo:
    """The bottom-up assumptions, with where each default comes from."""
    _, _, models, with_release = _network_catalog_arrays()
    return CostAssumptionsInfo(
        power_price_usd_per_kwh=a.power_price_usd_per_kwh,
        pue_lower=a.pue_lower,
        pue_best=a.pue_best,
        pue_upper=a.pue_upper,
        basket_age_days=a.basket_age_s / SECONDS_PER_DAY,
        other_opex_share=a.other_opex_share,
        capex_usd_per_th=a.capex_usd_per_th,
        depreciation_days=a.depreciation_days,
        catalog_models=models,
        catalog_models_with_release=with_release,
        drm_published_a=DRM_PUBLISHED_A,
        drm_published_b=DRM_PUBLISHED_B,
        notes=(
            "bottom-up: CBECI-style bounds over the shipped catalog's released, profitable"
            " models ($0.05/kWh, PUE 1.01/1.10/1.20 per CBECI as summarised in RESEARCH.md 1.8);"
            " all-in adds 15 % other opex (CoinShares) and $15/TH capex over 30 months;"
            " drm: Glassnode difficulty regression, published constants and re-fitted on"
            " the stored daily rows up to each day"
        ),
    )


# --- the daily history --------------------------------------------------------------------


def day_inputs(conn: sqlite3.Connection, *, to_date: str) -> DayInputs:
    """Every stored day up to ``to_date``: whole days of blocks over the daily rows.

    Days whose blocks are all stored come from the per-day block aggregates (exact subsidy,
    fees, difficulty and supply; ``source`` = ``blocks``); other days from the daily rows.
    Each day's price is its close (:func:`minerscope.economics.days.daily_closes` over the
    prices and daily rows, the same prices :func:`minerscope.asof.price_at` reads).

    Raises
    ------
    NoDataError
        When no block day or daily row exists by ``to_date``.
    """
    end_day = day_start_s(to_date) // SECONDS_PER_DAY
    daily = moments.daily_arrays(conn, to_date=to_date)
    # One day more than asked: a day is whole when the run of stored heights goes on after it.
    groups = moments.block_day_groups(conn, before_day=end_day + 2)
    diff_of = {b: difficulty_from_bits(b) for b in set(groups.bits) if b is not None}
    blocks = complete_block_days(
        groups.day,
        groups.epoch,
        groups.blocks,
        groups.min_height,
        groups.max_height,
        groups.fees_sat,
        groups.fee_blocks,
        groups.subsidy_sat,
        np.array([np.nan if b is None else diff_of[b] for b in groups.bits], dtype=np.float64),
        runs=moments.height_runs(conn) if groups.day.size else [],
    )
    if blocks.day.size and blocks.day[-1] > end_day:
        keep = blocks.day <= end_day
        blocks = BlockDays(*(getattr(blocks, f.name)[keep] for f in fields(BlockDays)))
    if daily.day.size == 0 and blocks.day.size == 0:
        raise NoDataError(
            f"no blocks or daily rows on or before {to_date}: import the reference data"
            " (`minerscope quickstart ../shared/data`) or sync blocks (`minerscope sync`)"
        )
    supply = supply_sat_at_heights(blocks.last_height)
    prices = moments.price_series(conn, to_s=day_end_s(to_date))
    return merge_days(
        daily_day=daily.day,
        daily_blocks=daily.blocks,
        daily_difficulty=daily.difficulty,
        daily_issuance_sat=daily.issuance_sat,
        daily_fees_sat=daily.fees_sat,
        daily_source=daily.source,
        block_days=blocks,
        block_supply_sat=supply,
        closes_usd=(prices.time_s, prices.price_usd),
    )


def history_arrays(
    conn: sqlite3.Connection,
    *,
    to_date: str,
    assumptions: CostAssumptions = CostAssumptions(),  # noqa: B008
) -> tuple[DayInputs, dict[str, Any]]:
    """The daily economics of every stored day up to ``to_date``, as arrays.

    Returns the per-day inputs and the columns of
    :func:`minerscope.economics.history.daily_economics_arrays` plus ``source``.
    """
    days = day_inputs(conn, to_date=to_date)
    eff, rel, _, _ = _network_catalog_arrays()
    out = daily_economics_arrays(
        days, efficiency_j_per_th=eff, release_time_s=rel, assumptions=assumptions
    )
    out["source"] = days.source
    return days, out


def history_frame(
    conn: sqlite3.Connection,
    *,
    to_date: str,
    assumptions: CostAssumptions = CostAssumptions(),  # noqa: B008
) -> pd.DataFrame:
    """The daily history up to ``to_date`` as a DataFrame indexed by UTC day (library use)."""
    import pandas as pd  # only the DataFrame form needs it

    days, cols = history_arrays(conn, to_date=to_date, assumptions=assumptions)
    index = pd.DatetimeIndex(pd.to_datetime(days.day_start_s, unit="s", utc=True), name="date")
    return pd.DataFrame(cols, index=index)


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
#: The document's name of a history column where it differs (the BTC price).
DOCUMENT_COLUMN = {"price_usd": "btc_price_usd"}


def _json_column(values: Any) -> list[Any]:
    """Plain JSON values of one column: NaN and infinities become None."""
    if isinstance(values, list):
        return values
    arr = np.asarray(values)
    if arr.dtype.kind == "f":
        finite = np.isfinite(arr)
        return [v if ok else None for v, ok in zip(arr.tolist(), finite.tolist(), strict=True)]
    return list(arr.tolist())


def economics_history(
    conn: sqlite3.Connection,
    as_of: AsOf,
    *,
    from_date: str | None = None,
    to_date: str | None = None,
) -> EconomicsHistory:
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
    days, cols = history_arrays(conn, to_date=end)
    if from_date:
        start = day_start_s(from_date) // SECONDS_PER_DAY
    else:
        priced = days.day[np.isfinite(days.price_usd)]
        start = int(priced[0]) if priced.size else int(days.day[0]) if days.day.size else 0
    keep = slice(int(np.searchsorted(days.day, start)), None)
    dates = np.datetime_as_string(days.day[keep].astype("datetime64[D]")).tolist()
    columns = [_json_column(cols[c][keep]) for c in HISTORY_COLUMNS]
    rows = tuple(EconomicsDay(day, *vals) for day, *vals in zip(dates, *columns, strict=True))
    moment = data_moment(conn, as_of)
    return EconomicsHistory(
        as_of=moment_info(as_of, moment),
        from_date=dates[0] if dates else from_date,
        to_date=dates[-1] if dates else end,
        columns=("date", *(DOCUMENT_COLUMN.get(c, c) for c in HISTORY_COLUMNS)),
        assumptions=cost_assumptions_info(CostAssumptions()),
        rows=rows,
    )


# --- one moment ---------------------------------------------------------------------------


def production_cost_at(
    inputs: EconInputs,
    *,
    supply_btc: float | None,
    drm_refit: tuple[float, float] | None,
    assumptions: CostAssumptions = CostAssumptions(),  # noqa: B008
) -> ProductionCost:
    """The cost-to-produce range at one moment: every method, its value, the range."""
    eff, rel, _, _ = _network_catalog_arrays()
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
    published: float | None = None
    refit: float | None = None
    if supply_btc:
        published = _finite(float(drm_price_usd(inputs.difficulty, supply_btc)[()]))
        if drm_refit is not None:
            refit = _finite(
                float(
                    drm_price_usd(inputs.difficulty, supply_btc, a=drm_refit[0], b=drm_refit[1])[()]
                )
            )
    methods = {
        "cost_electricity_lower_usd_per_btc": _finite(bu.electricity_lower_usd_per_btc[0]),
        "cost_electricity_best_usd_per_btc": _finite(bu.electricity_best_usd_per_btc[0]),
        "cost_electricity_upper_usd_per_btc": _finite(bu.electricity_upper_usd_per_btc[0]),
        "cost_all_in_lower_usd_per_btc": _finite(bu.all_in_lower_usd_per_btc[0]),
        "cost_all_in_best_usd_per_btc": _finite(bu.all_in_best_usd_per_btc[0]),
        "cost_all_in_upper_usd_per_btc": _finite(bu.all_in_upper_usd_per_btc[0]),
        "cost_drm_published_usd_per_btc": published,
        "cost_drm_refit_usd_per_btc": refit,
    }
    known = [v for v in methods.values() if v is not None]
    return ProductionCost(
        cost_range_low_usd_per_btc=min(known) if known else None,
        cost_range_high_usd_per_btc=max(known) if known else None,
        **methods,
        best_guess_efficiency_j_per_th=_finite(bu.best_efficiency_j_per_th[0]),
        profitable_models=int(bu.profitable_models[0]),
        drm_refit=None if drm_refit is None else DrmFit(a=drm_refit[0], b=drm_refit[1]),
        supply_btc=supply_btc,
        assumptions=cost_assumptions_info(assumptions),
    )


def _last(values: Any) -> int | None:
    """Index of the last finite entry, or None."""
    ok = np.flatnonzero(np.isfinite(np.asarray(values, dtype=np.float64)))
    return int(ok[-1]) if ok.size else None


def _day_of(days: DayInputs, i: int) -> str:
    return date_utc(int(days.day[i]) * SECONDS_PER_DAY)


def _revenue_last_day(days: DayInputs, cols: Mapping[str, Any]) -> DayRevenue | None:
    i = _last(cols["revenue_usd"])
    if i is None:
        return None
    return DayRevenue(
        date=_day_of(days, i),
        revenue_btc=float(cols["revenue_btc"][i]),
        revenue_usd=float(cols["revenue_usd"][i]),
        fee_share=_finite(cols["fee_share"][i]),
        revenue_usd_7d_mean=_finite(cols["revenue_usd_7d_mean"][i]),
        revenue_usd_30d_mean=_finite(cols["revenue_usd_30d_mean"][i]),
        realised_hashprice_usd_per_phs_day=_finite(cols["realised_hashprice_usd_per_phs_day"][i]),
        realised_hashvalue_sat_per_phs_day=_finite(cols["realised_hashvalue_sat_per_phs_day"][i]),
        basis="subsidy plus fees mined that UTC day, at that day's close",
    )


def _drm_refit(cols: Mapping[str, Any]) -> tuple[float, float] | None:
    d = np.asarray(cols["difficulty"], dtype=np.float64)
    mcap = np.asarray(cols["price_usd"], dtype=np.float64) * np.asarray(cols["supply_btc"])
    ok = np.isfinite(d) & np.isfinite(mcap) & (mcap > 0)
    if int(ok.sum()) < DRM_REFIT_MIN_DAYS:
        return None
    fit = fit_drm(d[ok], mcap[ok])
    return fit.a, fit.b


def status_section(
    conn: sqlite3.Connection, as_of: AsOf, base: object = None
) -> EconomicsStatus | None:
    """The economics part of ``status`` as of a moment (None when nothing is known).

    Returns ``inputs`` (difficulty, subsidy, fees per block, price, sources and the time each
    was known), ``hashprice_usd_per_phs_day``, ``hashvalue_sat_per_phs_day``
    (difficulty-implied), ``revenue`` (last complete day with revenue: BTC, USD, fee share,
    trailing means, realised hashprice, that day's close), ``production_cost`` (range over
    methods, each method, assumptions), ``puell`` and ``sustainability`` (ratio, score
    0-100, band, name), each with its date.
    """
    moment = data_moment(conn, as_of)
    try:
        inputs = load_inputs(conn, as_of, moment=moment)
    except NoDataError:
        return None
    try:
        days, cols = history_arrays(conn, to_date=last_complete_day(as_of.time_s))
    except NoDataError:
        days, cols = None, None
    supply: float | None = None
    if moment.resolution == "block" and moment.tip_height is not None:
        supply = supply_sat_at(moment.tip_height, params=MAINNET) / SAT_PER_BTC
    elif cols is not None and len(cols["supply_btc"]):
        supply = float(cols["supply_btc"][-1])
    refit = None if cols is None else _drm_refit(cols)
    d, r, p = inputs.difficulty, inputs.reward_btc_per_block, inputs.btc_price_usd
    revenue = puell = sustainability = None
    if days is not None and cols is not None:
        revenue = _revenue_last_day(days, cols)
        i = _last(cols["puell_multiple"])
        if i is not None:
            puell = PuellReading(
                puell_multiple=float(cols["puell_multiple"][i]),
                date=_day_of(days, i),
                basis="issuance (subsidy only) in USD at the day's close / its 365-day mean",
            )
        i = _last(cols["sustainability_score"])
        if i is not None:
            sustainability = SustainabilityReading(
                name="minerscope sustainability index (ours; not CryptoQuant's)",
                date=_day_of(days, i),
                sustainability_ratio=float(cols["sustainability_ratio"][i]),
                sustainability_score=float(cols["sustainability_score"][i]),
                sustainability_band=str(cols["sustainability_band"][i]),
                basis="percentile of price / best-guess electricity cost over 730 days",
            )
    return EconomicsStatus(
        inputs=inputs.to_result(),
        hashprice_usd_per_phs_day=_scalar(hashprice_usd_per_phs_day(d, r, p)),
        hashvalue_sat_per_phs_day=_scalar(hashvalue_sat_per_phs_day(d, r)),
        revenue=revenue,
        production_cost=production_cost_at(inputs, supply_btc=supply, drm_refit=refit),
        puell=puell,
        sustainability=sustainability,
    )


def section_input_times(section: EconomicsStatus | None) -> dict[str, int | None]:
    """When each input of a status economics section was known (for its ``as_of``)."""
    if section is None:
        return {}
    inp = section.inputs
    times: dict[str, int | None] = {
        "difficulty": inp.difficulty_time_s,
        "subsidy_btc_per_block": inp.subsidy_time_s,
        "fees_btc_per_block": inp.fees_time_s,
        "btc_price_usd": inp.btc_price_time_s,
    }
    for part, name in (
        (section.revenue, "revenue_usd_per_day"),
        (section.puell, "puell_multiple"),
        (section.sustainability, "sustainability_score"),
    ):
        if part is not None:
            times[name] = day_end_s(part.date)
    return times


def economics_view(
    db: Path | None,
    at: str | None,
    *,
    now_s: int,
    from_date: str | None = None,
    to_date: str | None = None,
) -> EconomicsHistory:
    """``minerscope economics``: the daily history between two dates, known as of ``at``."""
    for name, value in (("--from", from_date), ("--to", to_date)):
        if value is not None:
            try:
                ok = bool(_DATE_RE.match(value)) and bool(date.fromisoformat(value))
            except ValueError:
                ok = False
            if not ok:
                raise InputError(f"{value!r} is not a date (YYYY-MM-DD)", field=name)
    spec = parse_time_spec(at) if at is not None else None
    conn = storage.open_for_reading(db)
    try:
        as_of = resolve_as_of(conn, spec, now_s=now_s)
        return economics_history(conn, as_of, from_date=from_date, to_date=to_date)
    finally:
        conn.close()
