"""The ``machines`` and ``fleet`` views: per-model and per-group economics as of a moment.

Inputs come from :mod:`minerscope.report.econ_inputs` (database as of a moment, or values the
caller gives, checked for plausibility); the arithmetic is :mod:`minerscope.economics.machines`
and :mod:`minerscope.economics.fleet`. Results are the typed documents of
:mod:`minerscope.report.econ_results` (:class:`MachinesReport`, :class:`FleetReport`), each with
one ``as_of`` (:class:`~minerscope.results.AsOfInfo`).
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import storage
from ..asof import (
    as_of_info,
    data_moment,
    iso_utc,
    moment_info,
    moment_without_data,
    parse_time_spec,
    resolve_as_of,
)
from ..defaults import DEFAULT_POWER_PRICE_USD_PER_KWH
from ..economics import catalog as cat
from ..economics.hashprice import (
    hashprice_usd_per_phs_day,
    hashvalue_btc_per_phs_day,
    hashvalue_sat_per_phs_day,
)
from ..economics.machines import (
    breakeven_btc_price_usd,
    breakeven_power_price_usd_per_kwh,
    btc_mined_per_day,
    power_cost_usd_per_day,
    revenue_usd_per_day,
)
from ..errors import InputError, NoDataError
from ..results import AsOfInfo
from ..units import SAT_PER_BTC, SECONDS_PER_HOUR
from .econ_inputs import EconInputs, load_inputs, load_machine_catalog
from .econ_results import (
    FleetGroupRow,
    FleetInfo,
    FleetInputs,
    FleetReport,
    FleetTotals,
    MachineInputs,
    MachineRow,
    MachinesReport,
    SitePower,
)

if TYPE_CHECKING:  # fleet_config reads files: imported when a fleet is evaluated
    from ..asof import TimeSpec
    from ..fleet_config import FleetSpec

SORT_KEYS: dict[str, tuple[str, bool]] = {
    "profit": ("profit_usd_per_day", True),
    "efficiency": ("efficiency_j_per_th", False),
    "breakeven": ("breakeven_btc_price_usd", False),
    "power-price": ("breakeven_power_price_usd_per_kwh", True),
    "hashrate": ("hashrate_ths", True),
    "release": ("release", True),
    "model": ("model", False),
}


def _f(x: Any) -> float:
    """A scalar result of the (scalar-or-array) economics functions as a float."""
    return float(x)


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(float(x)) else None


def resolve_inputs_on(
    conn: sqlite3.Connection | None,
    spec: TimeSpec | None,
    *,
    now_s: int,
    db_label: str = "the database",
    difficulty: float | None = None,
    subsidy_btc_per_block: float | None = None,
    fees_btc_per_block: float | None = None,
    btc_price_usd: float | None = None,
    difficulty_change_pct: float | None = None,
    force: bool = False,
) -> tuple[EconInputs, AsOfInfo]:
    """Network inputs at ``spec`` (None: now) on an open connection, and the ``as_of``.

    ``conn`` is None when there is no database: every network value must then be given and
    only absolute checks apply. Otherwise the database is read for every value not given,
    and for the stored values that given ones are checked against.

    Raises
    ------
    InputError
        For a moment after the clock, or a given value that fails its check.
    NoDataError
        When a value is neither given nor known.
    """

    def inputs_at(c: Any, as_of: Any, moment: Any) -> EconInputs:
        return load_inputs(
            c,
            as_of,
            difficulty=difficulty,
            subsidy_btc_per_block=subsidy_btc_per_block,
            fees_btc_per_block=fees_btc_per_block,
            btc_price_usd=btc_price_usd,
            difficulty_change_pct=difficulty_change_pct,
            force=force,
            moment=moment,
        )

    everything = None not in (difficulty, fees_btc_per_block, btc_price_usd, subsidy_btc_per_block)
    if conn is None:
        if None in (difficulty, fees_btc_per_block, btc_price_usd):
            raise NoDataError(
                f"no minerscope database at {db_label}; create it with `minerscope quickstart`,"
                " `minerscope import` or `minerscope sync`, or give --difficulty,"
                " --fees-btc-per-block and --btc-price-usd"
            )
        as_of = moment_without_data(spec, now_s=now_s)
        return inputs_at(None, as_of, None), as_of_info(as_of, resolution=None, data_time_s=None)
    as_of = resolve_as_of(conn, spec, now_s=now_s)
    moment = data_moment(conn, as_of)
    inputs = inputs_at(conn, as_of, moment)
    if everything:  # the stored data only checked the values: none of it is in the figures
        return inputs, as_of_info(as_of, resolution=None, data_time_s=None)
    return inputs, moment_info(as_of, moment, inputs=inputs.input_times())


def resolve_inputs(
    db: Path | None,
    at: str | None,
    *,
    now_s: int,
    difficulty: float | None = None,
    subsidy_btc_per_block: float | None = None,
    fees_btc_per_block: float | None = None,
    btc_price_usd: float | None = None,
    difficulty_change_pct: float | None = None,
    force: bool = False,
) -> tuple[EconInputs, AsOfInfo]:
    """:func:`resolve_inputs_on` for the database file ``db`` (else the default), opened here.

    A missing database file is not created: it means "no database".
    """
    spec = parse_time_spec(at) if at is not None else None
    path = storage.resolve_db_path(db)
    conn = storage.open_for_reading(path) if path.exists() else None
    try:
        return resolve_inputs_on(
            conn,
            spec,
            now_s=now_s,
            db_label=str(path),
            difficulty=difficulty,
            subsidy_btc_per_block=subsidy_btc_per_block,
            fees_btc_per_block=fees_btc_per_block,
            btc_price_usd=btc_price_usd,
            difficulty_change_pct=difficulty_change_pct,
            force=force,
        )
    finally:
        if conn is not None:
            conn.close()


# --- machines -----------------------------------------------------------------------------


def machines_report(
    inputs: EconInputs,
    catalog: Sequence[cat.Machine],
    *,
    power_price_usd_per_kwh: float = DEFAULT_POWER_PRICE_USD_PER_KWH,
    pool_fee_share: float = 0.0,
    pue: float = 1.0,
    models: Sequence[str] = (),
    sort: str = "profit",
    as_of: AsOfInfo | None = None,
) -> MachinesReport:
    """Revenue, power cost, profit and breakevens of every catalog model.

    Parameters
    ----------
    inputs : EconInputs
        Network inputs (see :func:`load_inputs`).
    catalog : sequence of Machine
        Models to evaluate.
    power_price_usd_per_kwh : float
        Electricity price. [USD/kWh]
    pool_fee_share : float
        Pool fee. [0..1]
    pue : float
        Power usage effectiveness (1 + cooling/overhead share). [unitless]
    models : sequence of str
        Keep models whose name contains any of these (case-insensitive); empty keeps all.
    sort : str
        One of :data:`SORT_KEYS`.
    as_of : AsOfInfo, optional
        The document's moment (default: the inputs' time, every input as given).

    Raises
    ------
    InputError
        For an unknown sort key, out-of-range settings, or a filter that matches nothing.
    """
    if sort not in SORT_KEYS:
        raise InputError(f"unknown sort {sort!r}; one of {', '.join(SORT_KEYS)}", field="--sort")
    if not 0.0 <= pool_fee_share < 1.0:
        raise InputError("pool fee must be in 0..100 %", field="--pool-fee-pct")
    if not 1.0 <= pue <= 3.0:
        raise InputError("PUE must be in 1.0..3.0", field="--pue")
    if not 0.0 <= power_price_usd_per_kwh <= 2.0:
        raise InputError(
            "power price must be in 0..2 USD/kWh (a price per MWh is 1000 times larger)",
            field="--power-price-usd-per-kwh",
        )
    chosen = list(catalog)
    if models:
        keys = [m.casefold() for m in models]
        chosen = [m for m in chosen if any(k in m.model.casefold() for k in keys)]
        if not chosen:
            raise InputError(f"no catalog model matches {', '.join(models)}", field="--model")
    d, r, p = inputs.difficulty, inputs.reward_btc_per_block, inputs.btc_price_usd
    hashprice = _f(hashprice_usd_per_phs_day(d, r, p))
    rows: list[MachineRow] = []
    for m in chosen:  # 50-odd models: plain floats (no numpy to import for this command)
        eff = m.power_w / m.hashrate_ths
        btc = _f(btc_mined_per_day(m.hashrate_ths, d, r, pool_fee_share=pool_fee_share))
        revenue = _f(revenue_usd_per_day(m.hashrate_ths, hashprice, pool_fee_share=pool_fee_share))
        power = _f(power_cost_usd_per_day(m.power_w, power_price_usd_per_kwh, pue=pue))
        # a zero reward (subsidy and fees given as 0): no BTC price pays (infinite -> null)
        breakeven = (
            _f(
                breakeven_btc_price_usd(
                    eff, d, r, power_price_usd_per_kwh, pue=pue, pool_fee_share=pool_fee_share
                )
            )
            if r > 0
            else math.inf
        )
        be_power = _f(
            breakeven_power_price_usd_per_kwh(
                eff, hashprice, pue=pue, pool_fee_share=pool_fee_share
            )
        )
        profit = revenue - power
        rows.append(
            MachineRow(
                vendor=m.vendor,
                model=m.model,
                variant=m.variant,
                release=m.release or None,
                cooling=m.cooling,
                hashrate_ths=m.hashrate_ths,
                power_w=m.power_w,
                efficiency_j_per_th=eff,
                btc_per_day=btc,
                revenue_usd_per_day=revenue,
                power_cost_usd_per_day=power,
                profit_usd_per_day=profit,
                profitable=profit > 0,
                breakeven_btc_price_usd=_finite(breakeven),
                breakeven_power_price_usd_per_kwh=be_power,
                cost_usd_per_btc=power / btc if btc > 0 else None,
                origin=m.origin,
                source=m.source,
            )
        )
    key, descending = SORT_KEYS[sort]
    present = [row for row in rows if getattr(row, key) is not None]
    present.sort(key=lambda row: getattr(row, key), reverse=descending)
    rows = present + [row for row in rows if getattr(row, key) is None]
    return MachinesReport(
        as_of=as_of if as_of is not None else _given_moment(inputs),
        inputs=MachineInputs(
            **inputs.result_fields(),
            power_price_usd_per_kwh=power_price_usd_per_kwh,
            pool_fee_share=pool_fee_share,
            pue=pue,
            hashes_per_block_formula="difficulty * 2**48 / 65535 (exact block work)",
        ),
        hashprice_usd_per_phs_day=hashprice,
        hashvalue_sat_per_phs_day=_f(hashvalue_sat_per_phs_day(d, r)),
        sort=sort,
        machines=tuple(rows),
    )


def _given_moment(inputs: EconInputs, time_s: int | None = None) -> AsOfInfo:
    """The ``as_of`` of a document built from inputs alone (no database read here)."""
    t = time_s if time_s is not None else inputs.time_s if inputs.time_s is not None else 0
    return AsOfInfo.build(t, iso_utc(t))


# --- fleet --------------------------------------------------------------------------------


def fleet_report(
    inputs: EconInputs,
    catalog: Sequence[cat.Machine],
    fleet_path: str | Path,
    *,
    time_s: int,
    as_of: AsOfInfo | None = None,
) -> FleetReport:
    """A fleet file's revenue, costs and profit per day, per group and in total.

    Parameters
    ----------
    inputs : EconInputs
        Network inputs (see :func:`load_inputs`).
    catalog : sequence of Machine
        Models groups may name.
    fleet_path : str or Path
        The fleet TOML file (see ``docs/fleet-format.md``).
    time_s : int
        The moment hourly power prices are read at. [Unix s]
    as_of : AsOfInfo, optional
        The document's moment (default: ``time_s``, every input as given).
    """
    from ..fleet_config import read_fleet  # reads files

    spec = read_fleet(fleet_path, catalog=catalog)
    return fleet_report_spec(inputs, spec, time_s=time_s, as_of=as_of)


def fleet_report_spec(
    inputs: EconInputs, spec: FleetSpec, *, time_s: int, as_of: AsOfInfo | None = None
) -> FleetReport:
    """:func:`fleet_report` of a fleet already read (a file, or text posted to the API)."""
    import numpy as np

    from ..economics.fleet import evaluate_fleet
    from ..fleet_config import group_arrays, site_prices

    prices = site_prices(spec, time_s)
    groups = group_arrays(spec, {k: v[0] for k, v in prices.items()})
    hv = _f(hashvalue_btc_per_phs_day(inputs.difficulty, inputs.reward_btc_per_block))
    res = evaluate_fleet(
        groups,
        hashvalue_btc_per_phs_day=hv,
        btc_price_usd=inputs.btc_price_usd,
        pool_fee_share=spec.pool_fee_share,
        fixed_opex_usd_per_day=spec.fixed_opex_usd_per_day,
        fleet_capex_usd=spec.capex_usd,
        fleet_depreciation_months=spec.depreciation_months,
    )
    rows: list[FleetGroupRow] = []
    for i, g in enumerate(spec.groups):
        rows.append(
            FleetGroupRow(
                name=g.name,
                site=g.site,
                model=g.model,
                count=g.count,
                hashrate_ths=g.hashrate_ths,
                power_w=g.power_w,
                efficiency_j_per_th=g.power_w / g.hashrate_ths,
                uptime_share=g.uptime_share,
                btc_per_day=float(res.btc_per_day[i]),
                revenue_usd_per_day=float(res.revenue_usd_per_day[i]),
                power_cost_usd_per_day=float(res.power_cost_usd_per_day[i]),
                hosting_usd_per_day=float(res.hosting_usd_per_day[i]),
                cash_profit_usd_per_day=float(res.cash_profit_usd_per_day[i]),
                depreciation_usd_per_day=float(res.depreciation_usd_per_day[i]),
                all_in_profit_usd_per_day=float(res.all_in_profit_usd_per_day[i]),
                breakeven_btc_price_usd=_finite(float(res.shutdown_price_usd[i])),
                breakeven_power_price_usd_per_kwh=float(res.breakeven_power_price_usd_per_kwh[i]),
                switch_off=bool(res.switch_off[i]),
            )
        )

    def price_source(name: str) -> str:
        hour = prices[name][1]
        hourly = spec.sites[name].hourly
        if hour is None or hourly is None:
            return "fixed"
        age = prices[name][2]
        old = f", {age / SECONDS_PER_HOUR:.1f} h old (file gap or end)" if age > 0 else ""
        return f"hourly file {hourly.path}, hour from {iso_utc(hour)}{old}"

    sites = tuple(
        SitePower(
            name=name,
            power_price_usd_per_kwh=prices[name][0],
            power_price_source=price_source(name),
            pue=site.pue,
            hosting_fee_usd_per_kwh=site.hosting_fee_usd_per_kwh,
        )
        for name, site in spec.sites.items()
    )
    return FleetReport(
        as_of=as_of if as_of is not None else _given_moment(inputs, time_s),
        fleet=FleetInfo(name=spec.name, path=spec.path, group_count=len(spec.groups)),
        inputs=FleetInputs(
            **inputs.result_fields(),
            pool_fee_share=spec.pool_fee_share,
            power_prices_time_s=time_s,
            power_prices_time_iso=iso_utc(time_s),
        ),
        hashprice_usd_per_phs_day=hv * inputs.btc_price_usd,
        hashvalue_sat_per_phs_day=hv * SAT_PER_BTC,
        sites=sites,
        groups=tuple(rows),
        totals=FleetTotals(
            machine_count=int(sum(g.count for g in spec.groups)),
            hashrate_phs=float((groups.count * groups.hashrate_ths).sum()) / 1000.0,
            btc_per_day=res.total_btc_per_day,
            revenue_usd_per_day=res.total_revenue_usd_per_day,
            power_cost_usd_per_day=res.total_power_cost_usd_per_day,
            hosting_usd_per_day=res.total_hosting_usd_per_day,
            fixed_opex_usd_per_day=res.fixed_opex_usd_per_day,
            depreciation_usd_per_day=res.total_depreciation_usd_per_day,
            cash_cost_usd_per_day=res.total_cash_cost_usd_per_day,
            all_in_cost_usd_per_day=res.total_all_in_cost_usd_per_day,
            cash_profit_usd_per_day=res.total_cash_profit_usd_per_day,
            all_in_profit_usd_per_day=res.total_all_in_profit_usd_per_day,
            cash_cost_usd_per_btc=_finite(res.cash_cost_usd_per_btc),
            all_in_cost_usd_per_btc=_finite(res.all_in_cost_usd_per_btc),
            cash_profit_if_switched_off_usd_per_day=res.profit_if_switched_usd_per_day,
        ),
        switch_off_groups=tuple(rows[i].name for i in np.flatnonzero(res.switch_off)),
    )


def machines_view(
    db: Path | None,
    at: str | None,
    *,
    now_s: int,
    difficulty: float | None = None,
    subsidy_btc_per_block: float | None = None,
    fees_btc_per_block: float | None = None,
    btc_price_usd: float | None = None,
    difficulty_change_pct: float | None = None,
    force: bool = False,
    power_price_usd_per_kwh: float = DEFAULT_POWER_PRICE_USD_PER_KWH,
    pool_fee_share: float = 0.0,
    pue: float = 1.0,
    catalog_paths: Sequence[str | Path] = (),
    models: Sequence[str] = (),
    sort: str = "profit",
) -> MachinesReport:
    """``minerscope machines``: every catalog model at the inputs known at ``at``."""
    inputs, info = resolve_inputs(
        db,
        at,
        now_s=now_s,
        difficulty=difficulty,
        subsidy_btc_per_block=subsidy_btc_per_block,
        fees_btc_per_block=fees_btc_per_block,
        btc_price_usd=btc_price_usd,
        difficulty_change_pct=difficulty_change_pct,
        force=force,
    )
    return machines_report(
        inputs,
        load_machine_catalog(catalog_paths),
        power_price_usd_per_kwh=power_price_usd_per_kwh,
        pool_fee_share=pool_fee_share,
        pue=pue,
        models=models,
        sort=sort,
        as_of=info,
    )


def fleet_view(
    db: Path | None,
    at: str | None,
    fleet_path: Path,
    *,
    now_s: int,
    difficulty: float | None = None,
    fees_btc_per_block: float | None = None,
    btc_price_usd: float | None = None,
    difficulty_change_pct: float | None = None,
    force: bool = False,
    catalog_paths: Sequence[str | Path] = (),
) -> FleetReport:
    """``minerscope fleet``: a fleet file's P&L at the inputs and power prices at ``at``."""
    catalog = load_machine_catalog(catalog_paths)
    inputs, info = resolve_inputs(
        db,
        at,
        now_s=now_s,
        difficulty=difficulty,
        fees_btc_per_block=fees_btc_per_block,
        btc_price_usd=btc_price_usd,
        difficulty_change_pct=difficulty_change_pct,
        force=force,
    )
    return fleet_report(inputs, catalog, fleet_path, time_s=info.time_s, as_of=info)
