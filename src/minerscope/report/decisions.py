"""The ``roi`` view: load the chain, the history and the fleets as of a moment, run the
Monte Carlo (:mod:`minerscope.simulation.roi`) and return a typed document.

The path models are chosen by name (each run names the ones it used): difficulty
``fixed|bootstrap|fitted``, price ``fixed|growth|bootstrap|gbm``, fees ``fixed|bootstrap``.
Bootstraps draw from one era of real days (default: the last 104 epochs); when price and
hash rate are both bootstrapped they are drawn at the same historical days.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from .. import storage
from ..asof import AsOf, iso_utc, parse_time_spec, resolve_as_of
from ..defaults import DEFAULT_POWER_PRICE_USD_PER_KWH
from ..errors import InputError
from ..fleet_config import FleetSpec, group_arrays, read_fleet
from ..results import AsOfInfo, MomentPercentiles, Percentiles
from ..simulation.cashflow import PERCENTILES, Distribution
from ..simulation.market import FEE_METHODS, PRICE_METHODS, FeeModel, PriceModel
from ..simulation.network import HASHRATE_METHODS, HashrateModel
from ..simulation.roi import FleetTerms, Models, RoiConfig, RoiLine, RoiRun, fleet_terms
from ..units import SECONDS_PER_DAY
from .decisions_data import ChainNow, Era, chain_now, era_summary, fee_days, load_era
from .decisions_docs import (
    BandRow,
    ComparisonDoc,
    FleetRoiDoc,
    PathMethods,
    RoiDocument,
    RoiInputs,
    RoiLineDoc,
)
from .econ_inputs import EconInputs, load_inputs, load_machine_catalog

MAX_PATHS = 10_000_000
MAX_HORIZON_DAYS = 36_525


@dataclass(frozen=True)
class RoiOptions:
    """The user's choices for one run (CLI flags)."""

    horizon_days: int = 730
    paths: int = 10_000
    seed: int = 1
    discount_rate_pct: float = 10.0
    switch_off: bool = True
    difficulty_method: str = "bootstrap"
    difficulty_growth_pct_per_epoch: float | None = None
    difficulty_growth_pct_per_30d: float | None = None
    price_method: str = "bootstrap"
    price_growth_pct_per_year: float = 0.0
    price_drift_pct_per_year: float = 0.0
    price_volatility_pct: float = 60.0
    fees_method: str = "bootstrap"
    era_epochs: int = 104
    era_from: str | None = None
    era_to: str | None = None
    mean_block_days: float = 30.0
    btc_price_usd: float | None = None
    fees_btc_per_block: float | None = None
    power_price_usd_per_kwh: float | None = None
    resale_pct: float | None = None
    threads: int = 1
    bands: bool = True

    def check(self) -> None:
        """Refuse impossible settings with one line naming the option."""
        if not 1 <= self.paths <= MAX_PATHS:
            raise InputError(f"must be 1..{MAX_PATHS:,}, got {self.paths}", field="--paths")
        if not 1 <= self.horizon_days <= MAX_HORIZON_DAYS:
            raise InputError(
                f"must be 1..{MAX_HORIZON_DAYS:,} days, got {self.horizon_days}",
                field="--horizon-days",
            )
        for name, value, known in (
            ("--difficulty-method", self.difficulty_method, HASHRATE_METHODS),
            ("--price-method", self.price_method, PRICE_METHODS),
            ("--fees-method", self.fees_method, FEE_METHODS),
        ):
            if value not in known:
                raise InputError(f"unknown method {value!r}; one of {', '.join(known)}", field=name)
        if not -99.0 < self.discount_rate_pct <= 1000.0:
            raise InputError("must be in (-99, 1000] %", field="--discount-rate-pct")
        if self.resale_pct is not None and not 0 <= self.resale_pct <= 100:
            raise InputError("must be 0..100 % of the unit price", field="--resale-pct")
        if self.btc_price_usd is not None and not self.btc_price_usd > 0:
            raise InputError("must be > 0", field="--btc-price-usd")
        if self.era_epochs < 8:
            raise InputError("must be at least 8 epochs", field="--era-epochs")
        if self.mean_block_days < 1:
            raise InputError("must be >= 1 day", field="--mean-block-days")
        if (
            self.difficulty_growth_pct_per_epoch is not None
            and self.difficulty_growth_pct_per_30d is not None
        ):
            raise InputError(
                "give a growth per epoch or per 30 days, not both",
                field="--difficulty-growth-pct-per-30d",
            )
        if self.threads < 1:
            raise InputError("must be >= 1", field="--threads")


@dataclass(frozen=True)
class FleetInput:
    """A fleet to evaluate: a file, or one model bought new."""

    path: Path | None = None
    model: str | None = None
    count: int = 0
    unit_price_usd: float = 0.0
    pue: float = 1.0
    pool_fee_pct: float = 0.0

    @property
    def label(self) -> str:
        """How the output names it."""
        if self.path is not None:
            return str(self.path)
        return f"{self.count} x {self.model} at ${self.unit_price_usd:,.0f}"


def _hourly_mean(spec: FleetSpec, site: str, as_of_s: int) -> tuple[float, str]:
    hourly = spec.sites[site].hourly
    assert hourly is not None
    lo = as_of_s - 365 * SECONDS_PER_DAY
    sel = (hourly.start_time_s >= lo) & (hourly.start_time_s < as_of_s)
    if not sel.any():
        raise InputError(
            f"the hourly file {hourly.path} has no hour in the 365 days before {iso_utc(as_of_s)}:"
            " give --power-price-usd-per-kwh",
            path=spec.path,
            field=f"sites.{site}.power_price_csv",
        )
    mean = float(hourly.price_usd_per_kwh[sel].mean())
    days = int(sel.sum()) / 24
    return mean, f"mean of {days:.0f} days of hourly prices before the moment (no curtailment)"


def build_fleet(
    item: FleetInput, opts: RoiOptions, *, catalog: Sequence[Any], as_of_s: int
) -> tuple[FleetTerms, dict[str, str], int, FleetSpec | None]:
    """A fleet's linear terms, its site prices (with sources) and machine count."""
    if item.path is not None:
        spec = read_fleet(item.path, catalog=catalog)
        prices: dict[str, float] = {}
        sources: dict[str, str] = {}
        for name, site in spec.sites.items():
            if opts.power_price_usd_per_kwh is not None:
                prices[name], sources[name] = opts.power_price_usd_per_kwh, "given"
            elif site.hourly is not None:
                prices[name], sources[name] = _hourly_mean(spec, name, as_of_s)
            else:
                assert site.power_price_usd_per_kwh is not None
                prices[name], sources[name] = site.power_price_usd_per_kwh, "fleet file"
        groups = group_arrays(spec, prices)
        resale = np.array([g.resale_usd_per_machine for g in spec.groups])
        if opts.resale_pct is not None:
            resale = groups.capex_usd_per_machine * opts.resale_pct / 100.0
        terms = fleet_terms(
            groups,
            [g.name for g in spec.groups],
            name=spec.name,
            pool_fee_share=spec.pool_fee_share,
            fixed_opex_usd_per_day=spec.fixed_opex_usd_per_day,
            fleet_capex_usd=spec.capex_usd,
            resale_usd_per_machine=resale,
        )
        return (
            terms,
            {k: f"${prices[k]:.4f}/kWh ({v})" for k, v in sources.items()},
            int(sum(g.count for g in spec.groups)),
            spec,
        )
    from ..economics.catalog import machine_matches

    if item.model is None:
        raise InputError("give a fleet file or --model", field="--model")
    if item.count < 1:
        raise InputError(f"must be >= 1, got {item.count}", field="--count")
    if not item.unit_price_usd >= 0:
        raise InputError(f"must be >= 0, got {item.unit_price_usd}", field="--unit-price-usd")
    found = machine_matches(catalog, item.model)
    if len(found) != 1:
        names = ", ".join(repr(m.model) for m in found[:6]) + (", ..." if len(found) > 6 else "")
        raise InputError(
            f"model {item.model!r} names {len(found)} catalog models ({names}); give one of them"
            if found
            else f"model {item.model!r} is not in the catalog (list: minerscope machines)",
            field="--model",
        )
    machine = found[0]
    price = (
        DEFAULT_POWER_PRICE_USD_PER_KWH
        if opts.power_price_usd_per_kwh is None
        else opts.power_price_usd_per_kwh
    )
    from ..economics.fleet import GroupArrays

    def one(v: float) -> np.ndarray:
        return np.array([float(v)])

    groups = GroupArrays(
        hashrate_ths=one(machine.hashrate_ths),
        power_w=one(machine.power_w),
        count=one(item.count),
        uptime_share=one(1.0),
        power_price_usd_per_kwh=one(price),
        pue=one(item.pue),
        hosting_fee_usd_per_kwh=one(0.0),
        capex_usd_per_machine=one(item.unit_price_usd),
        depreciation_months=one(36.0),
    )
    resale = one(item.unit_price_usd * (opts.resale_pct or 0.0) / 100.0)
    terms = fleet_terms(
        groups,
        [machine.model],
        name=item.label,
        pool_fee_share=item.pool_fee_pct / 100.0,
        resale_usd_per_machine=resale,
    )
    src = "given" if opts.power_price_usd_per_kwh is not None else "default"
    return terms, {"site": f"${price:.4f}/kWh ({src})"}, item.count, None


def path_models(
    opts: RoiOptions, now: ChainNow, era: Era | None, inputs: EconInputs
) -> tuple[Models, dict[str, Any] | None, list[str]]:
    """The hash-rate, price and fee models the options name, on the era's history."""
    notes: list[str] = []
    need_era = "bootstrap" in (opts.difficulty_method, opts.price_method, opts.fees_method)
    summary = None
    if need_era:
        assert era is not None
        if opts.fees_method == "bootstrap":
            era, dropped = fee_days(era)
            if dropped:
                notes.append(
                    f"{dropped} days of the era have no fee data and are left out of the"
                    " bootstrap sample"
                )
        summary = era_summary(era)
    joint = opts.difficulty_method == "bootstrap" and opts.price_method == "bootstrap"
    if opts.difficulty_method == "fixed":
        if opts.difficulty_growth_pct_per_30d is not None:
            hr = HashrateModel(
                "fixed", growth_per_30d_share=opts.difficulty_growth_pct_per_30d / 100.0
            )
        else:
            hr = HashrateModel(
                "fixed", growth_per_epoch_share=(opts.difficulty_growth_pct_per_epoch or 0) / 100
            )
    elif opts.difficulty_method == "bootstrap":
        assert era is not None
        hr = HashrateModel(
            "bootstrap",
            epoch_log_changes=era.epoch_log_changes,
            day_log_changes=era.day_log_changes if joint else None,
            # the same mean block as the days' bootstrap, in epochs of about 14 days
            mean_block_epochs=max(opts.mean_block_days / 14.0, 1.0),
        )
    else:
        hr = HashrateModel("fitted", drift=now.drift)
    p0 = opts.btc_price_usd if opts.btc_price_usd is not None else inputs.btc_price_usd
    price = PriceModel(
        opts.price_method,
        price_usd=p0,
        growth_per_year_share=opts.price_growth_pct_per_year / 100.0,
        mu_per_year=opts.price_drift_pct_per_year / 100.0,
        sigma_per_sqrt_year=opts.price_volatility_pct / 100.0,
        log_returns=None if era is None else era.log_returns,
        mean_block_days=opts.mean_block_days,
    )
    f0 = (
        opts.fees_btc_per_block
        if opts.fees_btc_per_block is not None
        else inputs.fees_btc_per_block
    )
    fees = FeeModel(
        opts.fees_method,
        fees_btc=f0,
        daily_fees_btc=None if era is None else era.fees_btc,
        mean_block_days=opts.mean_block_days,
    )
    days = None
    if era is not None and need_era:
        days = len(era.log_returns) if opts.fees_method != "bootstrap" else len(era.fees_btc)
    return (
        Models(hr, price, fees, era_days=days, mean_block_days=opts.mean_block_days),
        summary,
        notes,
    )


def _dates(dist: Distribution, start_s: int) -> MomentPercentiles:
    """The moments ``start_s`` + each percentile of a day count (beyond the horizon: left out)."""
    return MomentPercentiles.of(
        {p: start_s + v * SECONDS_PER_DAY for p in PERCENTILES if (v := dist.get(p)) is not None}
    )


def _line_doc(line: RoiLine, start_s: int) -> RoiLineDoc:
    off = None if math.isnan(line.days_off_mean) else line.days_off_mean
    return RoiLineDoc(
        name=line.name,
        capex_usd=line.capex_usd,
        resale_usd=line.resale_usd,
        cash_profit_usd=line.cash_profit_usd,
        cash_profit_btc=line.cash_profit_btc,
        npv_usd=line.npv_usd,
        irr_pct=line.irr_pct,
        payback_days=line.payback_days,
        payback_date=_dates(line.payback_days, start_s),
        payback_within_horizon_share=line.payback_within_horizon_share,
        days_off_mean=off,
    )


def _band_rows(run: RoiRun, start_s: int) -> tuple[BandRow, ...]:
    b = run.bands
    rows = []

    def at(values: np.ndarray, d: int, ps: tuple[int, ...]) -> Percentiles:
        return Percentiles.of({p: float(values[PERCENTILES.index(p), d]) for p in ps})

    for d in range(b.cum_cash_profit_usd.shape[1]):
        rows.append(
            BandRow(
                day=d + 1,
                date=iso_utc(start_s + (d + 1) * SECONDS_PER_DAY)[:10],
                cum_cash_profit_usd=at(b.cum_cash_profit_usd, d, PERCENTILES),
                btc_price_usd=at(b.btc_price_usd, d, (5, 50, 95)),
                difficulty=at(b.difficulty, d, (5, 50, 95)),
                hashprice_usd_per_phs_day=at(b.hashprice_usd_per_phs_day, d, (5, 50, 95)),
            )
        )
    return tuple(rows)


@dataclass(frozen=True)
class RoiSetup:
    """Everything a run needs, loaded once (a sweep reuses it for every item)."""

    as_of: AsOf
    now: ChainNow
    models: Models
    era: dict[str, Any] | None
    inputs: EconInputs
    notes: tuple[str, ...]


def load_setup(conn: sqlite3.Connection, as_of: AsOf, opts: RoiOptions) -> RoiSetup:
    """The chain, the era and the network inputs as of ``as_of``, and the path models."""
    opts.check()
    now = chain_now(conn, as_of)
    inputs = load_inputs(
        conn, as_of, btc_price_usd=opts.btc_price_usd, fees_btc_per_block=opts.fees_btc_per_block
    )
    need_era = "bootstrap" in (opts.difficulty_method, opts.price_method, opts.fees_method)
    era = (
        load_era(
            conn, as_of, now, era_epochs=opts.era_epochs, from_date=opts.era_from,
            to_date=opts.era_to,
        )
        if need_era
        else None
    )  # fmt: skip
    models, summary, notes = path_models(opts, now, era, inputs)
    if now.note:
        notes.insert(0, now.note)
    return RoiSetup(as_of, now, models, summary, inputs, tuple(notes))


def roi_document(
    setup: RoiSetup,
    run: RoiRun,
    opts: RoiOptions,
    fleets: Sequence[tuple[FleetTerms, dict[str, str], int, str]],
) -> RoiDocument:
    """Render a run as the ``roi`` document."""
    t0 = setup.now.data_time_s
    state = setup.now.state
    current = (
        "next change drawn from the predictive distribution `minerscope difficulty` reports"
        f" (epoch {state.epoch}, {state.blocks_mined} of 2016 blocks mined)"
        if setup.now.start.state is not None
        else "next change known exactly (the epoch's last block)"
    )
    m = setup.models
    switch = (
        "machines switch off on days they would lose money (hashprice below their breakeven)"
        " and back on when it pays"
        if opts.switch_off
        else "machines always on (--always-on)"
    )
    docs = []
    for (_, prices, count, source), fr in zip(fleets, run.fleets, strict=True):
        docs.append(
            FleetRoiDoc(
                name=fr.name,
                source=source,
                machines=count,
                groups=tuple(_line_doc(g, t0) for g in fr.groups),
                total=_line_doc(fr.total, t0),
                power_prices=prices,
            )
        )
    comparison = None
    if run.a_beats_b_share is not None and run.npv_difference_usd is not None:
        comparison = ComparisonDoc(
            a=docs[0].name,
            b=docs[1].name,
            a_beats_b_share=run.a_beats_b_share,
            npv_difference_usd=run.npv_difference_usd,
        )
    inp = setup.inputs
    return RoiDocument(
        as_of=AsOfInfo.build(
            setup.as_of.time_s,
            setup.as_of.text,
            data_time_s=t0,
            resolution=setup.now.resolution,
            tip_height=setup.now.start.tip_height,
            notes=setup.notes,
        ),
        horizon_days=opts.horizon_days,
        horizon_end_iso=iso_utc(t0 + opts.horizon_days * SECONDS_PER_DAY),
        paths=opts.paths,
        seed=opts.seed,
        discount_rate_pct=opts.discount_rate_pct,
        methods=PathMethods(
            difficulty=m.hashrate.describe(),
            current_epoch=current,
            price=m.price.describe(),
            fees=m.fees.describe(),
            switch_off=switch,
            era=setup.era,
        ),
        inputs=RoiInputs(
            tip_height=setup.now.start.tip_height,
            difficulty=setup.now.start.difficulty,
            difficulty_source=f"epoch {state.epoch} bits",
            btc_price_usd=m.price.price_usd,
            btc_price_source="given" if opts.btc_price_usd is not None else inp.price_source,
            fees_btc_per_block=m.fees.fees_btc,
            fees_source="given" if opts.fees_btc_per_block is not None else inp.fees_source,
        ),
        fleets=tuple(docs),
        comparison=comparison,
        halving_date=None if run.halving_day is None else _dates(run.halving_day, t0),
        difficulty_at_horizon=run.difficulty_at_horizon,
        btc_price_at_horizon_usd=run.price_at_horizon_usd,
        retargets_mean=run.retargets_mean,
        bands_paths=run.bands.paths,
        irr_paths=min(run.config.irr_paths, opts.paths),
        bands=_band_rows(run, t0) if opts.bands else (),
        notes=setup.notes,
    )


def run_config(opts: RoiOptions) -> RoiConfig:
    """The simulation settings of the options."""
    return RoiConfig(
        horizon_days=opts.horizon_days,
        paths=opts.paths,
        discount_rate_share=opts.discount_rate_pct / 100.0,
        switch_off=opts.switch_off,
        threads=opts.threads,
    )


def roi_view(
    db: Path | None,
    at: str | None,
    fleets: Sequence[FleetInput],
    opts: RoiOptions,
    *,
    now_s: int,
    catalog_paths: Sequence[str | Path] = (),
) -> RoiDocument:
    """``minerscope roi``: one fleet, or two compared on the same paths."""
    from ..simulation.roi import simulate_roi

    opts.check()
    if not 1 <= len(fleets) <= 2:
        raise InputError("give one fleet, or two with --compare", field="--compare")
    conn = storage.connect(db, read_only=True)
    try:
        spec = parse_time_spec(at) if at is not None else None
        as_of = resolve_as_of(conn, spec, now_s=now_s)
        setup = load_setup(conn, as_of, opts)
    finally:
        conn.close()
    catalog = load_machine_catalog(catalog_paths)
    built = []
    for item in fleets:
        terms, prices, count, _ = build_fleet(item, opts, catalog=catalog, as_of_s=as_of.time_s)
        built.append((terms, prices, count, item.label))
    try:
        run = simulate_roi(
            setup.now.start,
            setup.models,
            [b[0] for b in built],
            run_config(opts),
            rng=np.random.default_rng(opts.seed),
        )
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    return roi_document(setup, run, opts, built)


def with_overrides(opts: RoiOptions, **kw: Any) -> RoiOptions:
    """A copy of the options with some fields replaced (sweeps)."""
    return replace(opts, **kw)


__all__ = [
    "BandRow",
    "ComparisonDoc",
    "FleetInput",
    "FleetRoiDoc",
    "PathMethods",
    "RoiDocument",
    "RoiLineDoc",
    "RoiOptions",
    "RoiSetup",
    "build_fleet",
    "load_setup",
    "path_models",
    "roi_document",
    "roi_view",
    "run_config",
    "with_overrides",
]
