"""The ``curtail`` view: run or stop each group hour by hour at its site's prices.

Loads the fleet, each site's prices over the window (one parse per file, only the node and
market named), the hashprice known at each step (one pass over the stored blocks and daily
rows), builds a :class:`~minerscope.simulation.curtail.CurtailProblem` and returns the
threshold rule and the optimal schedule against always-on, per group, site and day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from .. import storage
from ..asof import date_utc, day_start_s, iso_utc, parse_time_spec
from ..economics.fleet import evaluate_fleet
from ..errors import InputError
from ..fleet_config import FleetSpec, group_arrays, read_fleet
from ..power_prices import FILL_RULES, price_window, read_hourly_prices, read_interval_times
from ..results import AsOfInfo, Result
from ..simulation.curtail import (
    CurtailProblem,
    DailySummary,
    check_schedule,
    daily_summary,
    schedule_value,
    threshold_schedule,
)
from ..units import SECONDS_PER_DAY, SECONDS_PER_HOUR
from .curtail_inputs import known_hashprice


def load_machine_catalog(paths: tuple[Path, ...]) -> list[Any]:
    """:func:`minerscope.report.econ_inputs.load_machine_catalog` without its pandas import
    (this command answers in under a second): shipped models, the config file's, ``paths``."""
    from .. import config as user_config
    from ..sources import catalog as catalog_files

    cfg = user_config.config_path()
    return catalog_files.load_catalog([*catalog_files.config_catalog_paths(cfg), *paths])


CP_RULES = ("monthly-peak-price",)
CP_MONTHS = (6, 7, 8, 9)  # ERCOT's 4CP: the system peaks of June to September
MAX_WINDOW_DAYS = 366 * 2


@dataclass(frozen=True)
class CurtailSettings:
    """The user's choices (None: the fleet file's own value)."""

    market: str | None = None
    fill_gaps: str | None = None
    optimal: bool = True
    min_up_hours: float | None = None
    min_down_hours: float | None = None
    startup_cost_usd: float | None = None
    ramp_mw_per_hour: float | None = None
    min_uptime_pct: float | None = None
    dr_credit_usd_per_mwh: float | None = None
    transmission_usd_per_kw_year: float | None = None
    cp_file: Path | None = None
    cp_rule: str | None = None
    block_hours: float = 168.0
    lookahead_hours: float = 24.0
    whole_window: bool = False
    prices_file: Path | None = None  # one price file for every site instead of the fleet's
    node: str | None = None


@dataclass(frozen=True)
class Totals:
    """A schedule against always-on over the window (or one group, or one day)."""

    hours_off: float
    mwh_avoided: float
    btc_forgone: float
    revenue_forgone_usd: float
    power_cost_saved_usd: float
    dr_credit_usd: float
    cp_charge_avoided_usd: float
    startup_cost_usd: float
    net_benefit_vs_always_on_usd: float


@dataclass(frozen=True)
class GroupTotals:
    """One group's totals under one rule."""

    group: str
    site: str
    totals: Totals


@dataclass(frozen=True)
class DayRow:
    """One group (or a whole site when ``group`` is None) on one UTC day under one rule."""

    date: str
    rule: str
    site: str
    group: str | None
    hours_off: float
    mwh_avoided: float
    btc_forgone: float
    revenue_forgone_usd: float
    power_cost_saved_usd: float
    dr_credit_usd: float
    cp_charge_avoided_usd: float
    startup_cost_usd: float
    net_benefit_vs_always_on_usd: float


@dataclass(frozen=True)
class RuleDoc:
    """One schedule: what it does and what it is worth."""

    rule: str
    description: str
    total: Totals
    net_benefit_vs_threshold_usd: float
    groups: tuple[GroupTotals, ...]
    violations: tuple[str, ...]
    solver: dict[str, Any] | None


@dataclass(frozen=True)
class CurtailDocument(Result):
    """``minerscope curtail``: run or stop each group, hour by hour."""

    DOCUMENT: ClassVar[str] = "curtail"

    as_of: AsOfInfo
    fleet: str
    window: dict[str, Any]
    hashprice: dict[str, Any]
    always_on: dict[str, float]
    rules: tuple[RuleDoc, ...]
    days: tuple[DayRow, ...]


def parse_window(from_text: str, to_text: str) -> tuple[int, int]:
    """``--from`` and ``--to`` as a half-open window ``[from, to)``: a bare date starts at
    00:00Z (``--from``) or ends at the next 00:00Z (``--to``). [Unix s]"""
    out = []
    for name, text in (("--from", from_text), ("--to", to_text)):
        spec = parse_time_spec(text)
        if spec.time_s is None:
            raise InputError(f"{text!r}: give a date or an ISO time, not a height", field=name)
        t = spec.time_s
        if len(text.strip()) == 10:  # a date: parse_time_spec gives its last second
            t = day_start_s(text.strip()) if name == "--from" else t + 1
        out.append(t)
    if out[1] <= out[0]:
        raise InputError(
            f"--to ({iso_utc(out[1])}) must be after --from ({iso_utc(out[0])})", field="--to"
        )
    if out[1] - out[0] > MAX_WINDOW_DAYS * SECONDS_PER_DAY:
        raise InputError(f"at most {MAX_WINDOW_DAYS} days per run", field="--to")
    return out[0], out[1]


def _cp_steps(
    spec: FleetSpec,
    settings: CurtailSettings,
    grid: np.ndarray,
    step_s: int,
    prices: np.ndarray,
) -> tuple[np.ndarray, str]:
    """4CP steps per site: from a file of intervals, or the stated rule."""
    n_sites = len(spec.sites)
    out = np.zeros((n_sites, len(grid)), dtype=bool)
    if settings.cp_rule is not None and settings.cp_rule not in CP_RULES:
        raise InputError(
            f"unknown 4CP rule {settings.cp_rule!r}; one of {', '.join(CP_RULES)}",
            field="--4cp-rule",
        )
    how = "none"
    for s, site in enumerate(spec.sites.values()):
        times: np.ndarray | None = None
        if settings.cp_file is not None:
            times = read_interval_times(settings.cp_file)
            how = f"intervals from {settings.cp_file}"
        elif site.cp_interval_start_s:
            times = np.array(site.cp_interval_start_s, dtype=np.int64)
            how = "intervals from the fleet file's cp_intervals_csv"
        if times is not None:
            i = np.searchsorted(grid, times, side="right") - 1
            ok = (i >= 0) & (times < grid[-1] + step_s)
            out[s, i[ok]] = True
        elif settings.cp_rule == "monthly-peak-price":
            how = (
                "rule monthly-peak-price: the highest-priced step of each June-September month"
                " at the site stands in for that month's system peak (perfect foresight)"
            )
            months = np.array([date_utc(int(t))[:7] for t in grid])
            for m in np.unique(months):
                if int(m[5:7]) in CP_MONTHS:
                    idx = np.flatnonzero(months == m)
                    out[s, idx[np.argmax(prices[s, idx])]] = True
    return out, how


def build_problem(
    spec: FleetSpec,
    settings: CurtailSettings,
    from_s: int,
    to_s: int,
    conn: Any,
) -> tuple[CurtailProblem, dict[str, Any], dict[str, Any]]:
    """The problem of a window, with what the window and the hashprice were."""
    hourly = [s.hourly for s in spec.sites.values() if s.hourly is not None]
    steps = {h.interval_s for h in hourly}
    if len(steps) > 1:
        raise InputError(
            f"the sites' price files have different intervals ({sorted(steps)} s): use one",
            path=spec.path,
        )
    step_s = steps.pop() if steps else SECONDS_PER_HOUR
    grid = np.arange(from_s - from_s % step_s, to_s, step_s, dtype=np.int64)
    n_sites = len(spec.sites)
    prices = np.empty((n_sites, len(grid)))
    window: dict[str, Any] = {
        "from_iso": iso_utc(int(grid[0])),
        "to_iso": iso_utc(int(grid[-1]) + step_s),
        "steps": len(grid),
        "step_minutes": step_s // 60,
        "sites": {},
    }
    for s, (name, site) in enumerate(spec.sites.items()):
        if site.hourly is None:
            assert site.power_price_usd_per_kwh is not None
            prices[s] = site.power_price_usd_per_kwh
            window["sites"][name] = {"price": "fixed", "filled_steps": 0}
            continue
        w = price_window(site.hourly, int(grid[0]), to_s, fill=settings.fill_gaps)
        prices[s] = w.price_usd_per_kwh
        window["sites"][name] = {
            "price": site.hourly.path,
            "node": site.hourly.node,
            "market": site.hourly.market,
            "filled_steps": int(w.filled.sum()),
            "fill_rule": w.fill_rule,
            "max_usd_per_mwh": float(prices[s].max() * 1000),
            "mean_usd_per_mwh": float(prices[s].mean() * 1000),
        }
    known = known_hashprice(conn, grid)
    hashprice = {
        "steps_from_blocks": int(known.from_blocks.sum()),
        "steps_from_daily_rows": int((~known.from_blocks).sum()),
        "min_usd_per_phs_day": float(known.hashprice_usd_per_phs_day.min()),
        "mean_usd_per_phs_day": float(known.hashprice_usd_per_phs_day.mean()),
        "max_usd_per_phs_day": float(known.hashprice_usd_per_phs_day.max()),
        "basis": "known at each step: difficulty and subsidy of the next block, 144-block mean"
        " fees and the latest price (daily rows where no block is stored within 2 h)",
    }
    site_index = {name: i for i, name in enumerate(spec.sites)}
    groups = group_arrays(spec, dict.fromkeys(spec.sites, 0.0))
    unit = evaluate_fleet(
        groups, hashvalue_btc_per_phs_day=1.0, btc_price_usd=1.0, pool_fee_share=spec.pool_fee_share
    )
    h_step = step_s / SECONDS_PER_HOUR

    def per_group(attr: str, override: float | None) -> np.ndarray:
        return np.array(
            [override if override is not None else getattr(g, attr) for g in spec.groups]
        )

    def steps_of(hours: np.ndarray) -> np.ndarray:
        return np.ceil(hours / h_step - 1e-9).astype(np.int64)

    uptime = per_group(
        "min_uptime_share",
        None if settings.min_uptime_pct is None else settings.min_uptime_pct / 100.0,
    )
    ramp = np.array(
        [
            (
                settings.ramp_mw_per_hour
                if settings.ramp_mw_per_hour is not None
                else s.ramp_mw_per_hour
            )
            or math.inf
            for s in spec.sites.values()
        ]
    )
    cp_step, cp_how = _cp_steps(spec, settings, grid, step_s, prices)
    rate = np.array(
        [
            settings.transmission_usd_per_kw_year
            if settings.transmission_usd_per_kw_year is not None
            else s.transmission_usd_per_kw_year
            for s in spec.sites.values()
        ]
    )
    if cp_step.any() and not (rate > 0).any():
        raise InputError(
            "4CP intervals are set but no transmission charge: give --transmission-usd-per-kw-year"
            " or transmission_usd_per_kw_year in the site",
            field="--transmission-usd-per-kw-year",
        )
    window["cp"] = {"steps": int(cp_step.any(axis=0).sum()), "how": cp_how}
    problem = CurtailProblem(
        start_s=grid,
        step_s=step_s,
        group_names=tuple(g.name for g in spec.groups),
        group_site=np.array([site_index[g.site] for g in spec.groups], dtype=np.int64),
        site_names=tuple(spec.sites),
        price_usd_per_kwh=prices,
        hashprice_usd_per_phs_day=known.hashprice_usd_per_phs_day,
        btc_price_usd=known.btc_price_usd,
        btc_per_hashvalue=np.asarray(unit.btc_per_day, dtype=np.float64),
        energy_kwh_per_day=np.asarray(unit.energy_kwh_per_day, dtype=np.float64),
        hosting_usd_per_kwh=np.asarray(groups.hosting_fee_usd_per_kwh, dtype=np.float64),
        min_up_steps=steps_of(per_group("min_up_hours", settings.min_up_hours)),
        min_down_steps=steps_of(per_group("min_down_hours", settings.min_down_hours)),
        startup_cost_usd=per_group("startup_cost_usd", settings.startup_cost_usd).astype(float),
        min_uptime_share=uptime.astype(float),
        ramp_mw_per_step=ramp * h_step,
        dr_credit_usd_per_mwh=np.array(
            [
                settings.dr_credit_usd_per_mwh
                if settings.dr_credit_usd_per_mwh is not None
                else s.demand_response_usd_per_mwh
                for s in spec.sites.values()
            ]
        ),
        cp_usd_per_kw=rate / 4.0,
        cp_step=cp_step,
    )
    return problem, window, hashprice


def _totals(ds: DailySummary, rows: slice | np.ndarray = slice(None)) -> Totals:
    def tot(a: np.ndarray) -> float:
        return float(a[rows].sum())

    return Totals(
        hours_off=tot(ds.hours_off),
        mwh_avoided=tot(ds.mwh_avoided),
        btc_forgone=tot(ds.btc_forgone),
        revenue_forgone_usd=tot(ds.revenue_forgone_usd),
        power_cost_saved_usd=tot(ds.power_cost_saved_usd),
        dr_credit_usd=tot(ds.dr_credit_usd),
        cp_charge_avoided_usd=tot(ds.cp_charge_avoided_usd),
        startup_cost_usd=tot(ds.startup_cost_usd),
        net_benefit_vs_always_on_usd=tot(ds.net_benefit_usd),
    )


def _day_rows(problem: CurtailProblem, rule: str, ds: DailySummary) -> list[DayRow]:
    rows: list[DayRow] = []
    dates = [date_utc(int(s)) for s in ds.day_start_s]
    fields = (
        ds.hours_off, ds.mwh_avoided, ds.btc_forgone, ds.revenue_forgone_usd,
        ds.power_cost_saved_usd, ds.dr_credit_usd, ds.cp_charge_avoided_usd,
        ds.startup_cost_usd, ds.net_benefit_usd,
    )  # fmt: skip
    for s, site in enumerate(problem.site_names):
        members = np.flatnonzero(problem.group_site == s)
        for d, day in enumerate(dates):
            for g in [*members.tolist(), None]:
                sel = members if g is None else [g]
                vals = [float(f[sel, d].sum()) for f in fields]
                rows.append(
                    DayRow(day, rule, site, None if g is None else problem.group_names[g], *vals)
                )
    return rows


def curtail_report(
    spec: FleetSpec, settings: CurtailSettings, from_s: int, to_s: int, conn: Any
) -> CurtailDocument:
    """Threshold rule and optimal schedule for one fleet over one window."""
    problem, window, hashprice = build_problem(spec, settings, from_s, to_s, conn)
    terms = problem.terms()
    thr = threshold_schedule(problem)
    schedules: list[tuple[str, str, np.ndarray, dict[str, Any] | None]] = [
        ("threshold", "run when the step's revenue beats its power cost", thr, None)
    ]
    if settings.optimal:
        from ..simulation.milp import optimal_schedule

        step_h = problem.hours_per_step
        try:
            res = optimal_schedule(
                problem,
                block_steps=None
                if settings.whole_window
                else max(1, round(settings.block_hours / step_h)),
                lookahead_steps=round(settings.lookahead_hours / step_h),
            )
        except ValueError as exc:
            raise InputError(str(exc)) from exc
        schedules.append(
            (
                "optimal",
                "mixed-integer program (HiGHS): maximise revenue - power cost + DR credits -"
                " 4CP charges - start-ups under minimum up/down times, ramp limit and uptime",
                res.on,
                {
                    "blocks": res.blocks,
                    "block_hours": res.block_steps * step_h,
                    "lookahead_hours": res.lookahead_steps * step_h,
                    "mip_gap_max_pct": 100 * res.mip_gap_max,
                    "uptime_share_enforced_on": res.uptime_scope,
                    "threshold_schedule_kept": res.threshold_kept,
                },
            )
        )
    thr_value = float(schedule_value(problem, thr).sum())
    rules: list[RuleDoc] = []
    days: list[DayRow] = []
    for rule, desc, on, solver in schedules:
        ds = daily_summary(problem, on)
        groups = tuple(
            GroupTotals(name, problem.site_names[problem.group_site[g]], _totals(ds, np.array([g])))
            for g, name in enumerate(problem.group_names)
        )
        rules.append(
            RuleDoc(
                rule=rule,
                description=desc,
                total=_totals(ds),
                net_benefit_vs_threshold_usd=float(schedule_value(problem, on).sum()) - thr_value,
                groups=groups,
                violations=tuple(check_schedule(problem, on)),
                solver=solver,
            )
        )
        days.extend(_day_rows(problem, rule, ds))
    always = {
        "revenue_usd": float(terms["revenue"].sum()),
        "btc": float(terms["btc"].sum()),
        "power_cost_usd": float(terms["cost"].sum()),
        "cp_charge_usd": float(terms["cp"].sum()),
        "mwh": float(terms["energy_kwh"].sum() / 1000),
    }
    return CurtailDocument(
        as_of=AsOfInfo.build(
            to_s,
            iso_utc(to_s),
            data_time_s=to_s,
            notes=(
                "each step uses only the hashprice known at that step; prices are the"
                " settled ones of the file (a backtest, not a forecast)",
            ),
        ),  # fmt: skip
        fleet=spec.name,
        window=window,
        hashprice=hashprice,
        always_on=always,
        rules=tuple(rules),
        days=tuple(days),
    )


def curtail_view(
    db: Path | None,
    fleet_path: Path,
    from_text: str,
    to_text: str,
    settings: CurtailSettings,
    *,
    catalog_paths: tuple[Path, ...] = (),
) -> CurtailDocument:
    """``minerscope curtail``: parse, load and report."""
    if settings.fill_gaps is not None and settings.fill_gaps not in FILL_RULES:
        raise InputError(
            f"unknown fill rule {settings.fill_gaps!r}; one of {', '.join(FILL_RULES)}",
            field="--fill-gaps",
        )
    from_s, to_s = parse_window(from_text, to_text)
    spec = read_fleet(
        fleet_path, catalog=load_machine_catalog(catalog_paths), market=settings.market
    )
    if settings.prices_file is not None:
        hourly = read_hourly_prices(
            settings.prices_file,
            column="price_usd_per_mwh",
            node=settings.node,
            label="--prices",
            market=settings.market,
        )
        sites = {
            name: replace(site, hourly=hourly, power_price_usd_per_kwh=None)
            for name, site in spec.sites.items()
        }
        spec = replace(spec, sites=sites)
    elif settings.node is not None:
        raise InputError("--node applies with --prices FILE", field="--node")
    conn = storage.connect(db, read_only=True)
    try:
        return curtail_report(spec, settings, from_s, to_s, conn)
    finally:
        conn.close()


__all__ = [
    "CP_RULES",
    "CurtailDocument",
    "CurtailSettings",
    "build_problem",
    "curtail_report",
    "curtail_view",
    "parse_window",
]
