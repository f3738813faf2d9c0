"""The ``scenario`` view: a what-if against the baseline, both with intervals from simulated
block arrivals (:mod:`minerscope.simulation.scenario`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from .. import storage
from ..analytics.projection import anchored_future_log_rate
from ..asof import iso_utc, parse_time_spec, resolve_as_of
from ..errors import InputError, NoDataError
from ..results import AsOfInfo, MomentPercentiles, Percentiles, Result
from ..simulation.cashflow import Distribution
from ..simulation.network import ChainStart, HashrateShock
from ..simulation.retarget import hashes_per_block
from ..simulation.scenario import (
    RunStats,
    departure_shock,
    outage_shock,
    simulate_scenario,
)
from ..units import HPS_PER_EHS, SECONDS_PER_DAY
from .curtail import parse_window
from .decisions import FleetInput, RoiOptions, build_fleet
from .decisions_data import chain_now
from .econ_inputs import load_inputs, load_machine_catalog


@dataclass(frozen=True)
class ScenarioSpec:
    """The what-if the user asked for (CLI flags)."""

    hashrate_leaves_pct: float | None = None
    outage_pct: float | None = None
    from_time: str | None = None
    to_time: str | None = None
    over_days: float = 0.0
    difficulty_change_pct: float | None = None
    horizon_days: int = 120
    paths: int = 2000
    seed: int = 1
    btc_price_usd: float | None = None
    fees_btc_per_block: float | None = None
    power_price_usd_per_kwh: float | None = None


@dataclass(frozen=True)
class RetargetRow:
    """One retarget under one run: when (p10/p50/p90), the difficulty after it (p10/p50/p90),
    its change and the mean block time before it (p50)."""

    run: str
    height: int
    time: MomentPercentiles
    difficulty: Percentiles
    change_pct: Percentiles
    mean_block_time_s: Percentiles


@dataclass(frozen=True)
class ScenarioDay:
    """One day of both runs: the baseline's p50, the scenario's p10/p50/p90 over paths."""

    date: str
    baseline_difficulty: Percentiles
    scenario_difficulty: Percentiles
    baseline_hashprice_usd_per_phs_day: Percentiles
    scenario_hashprice_usd_per_phs_day: Percentiles


@dataclass(frozen=True)
class ScenarioFleet:
    """A fleet's cash profit over the horizon in both runs, on the same draws."""

    name: str
    baseline_cash_profit_usd: Distribution
    scenario_cash_profit_usd: Distribution
    difference_usd: Distribution


@dataclass(frozen=True)
class ScenarioDocument(Result):
    """``minerscope scenario``: difficulty and hashprice paths, baseline against what-if."""

    DOCUMENT: ClassVar[str] = "scenario"

    as_of: AsOfInfo
    scenario: tuple[str, ...]
    baseline: str
    hashrate_now_ehs: float
    btc_price_usd: float
    fees_btc_per_block: float
    horizon_days: int
    paths: int
    seed: int
    retargets: tuple[RetargetRow, ...]
    days: tuple[ScenarioDay, ...]
    fleet: ScenarioFleet | None
    method: str


def _rows(run: str, stats: RunStats, t0: int) -> list[RetargetRow]:
    return [
        RetargetRow(
            run=run,
            height=r.height,
            time=MomentPercentiles.of(
                {10: t0 + r.time_p10_s, 50: t0 + r.time_p50_s, 90: t0 + r.time_p90_s}
            ),
            difficulty=Percentiles(
                p10=r.difficulty_p10, p50=r.difficulty_p50, p90=r.difficulty_p90
            ),
            change_pct=Percentiles(p50=r.change_p50_pct),
            mean_block_time_s=Percentiles(p50=r.mean_block_time_p50_s),
        )
        for r in stats.retargets
    ]


def _moment(text: str, field: str) -> int:
    spec = parse_time_spec(text)
    if spec.time_s is None:
        raise InputError(f"{text!r}: give a date or an ISO time", field=field)
    if len(text.strip()) == 10:
        return spec.time_s + 1 - SECONDS_PER_DAY  # a date starts at 00:00Z
    return spec.time_s


def scenario_view(
    db: Path | None,
    at: str | None,
    spec: ScenarioSpec,
    *,
    fleet_path: Path | None,
    now_s: int,
    catalog_paths: tuple[Path, ...] = (),
) -> ScenarioDocument:
    """``minerscope scenario``."""
    if spec.paths < 1 or spec.paths > 1_000_000:
        raise InputError(f"must be 1..1,000,000, got {spec.paths}", field="--paths")
    if spec.horizon_days < 1 or spec.horizon_days > 3653:
        raise InputError(f"must be 1..3653 days, got {spec.horizon_days}", field="--horizon-days")
    if spec.hashrate_leaves_pct is not None and spec.outage_pct is not None:
        raise InputError("one what-if of hash rate per run: leaves or outage", field="--outage-pct")
    given = [spec.hashrate_leaves_pct, spec.outage_pct, spec.difficulty_change_pct]
    if all(v is None for v in given):
        raise InputError(
            "name a what-if: --hashrate-leaves-pct, --outage-pct or --difficulty-change-pct"
        )
    conn = storage.connect(db, read_only=True)
    try:
        as_of = resolve_as_of(conn, parse_time_spec(at) if at else None, now_s=now_s)
        now = chain_now(conn, as_of)
        inputs = load_inputs(
            conn,
            as_of,
            btc_price_usd=spec.btc_price_usd,
            fees_btc_per_block=spec.fees_btc_per_block,
        )
    finally:
        conn.close()
    t0 = now.data_time_s
    try:
        mean, _, _ = anchored_future_log_rate(now.state, now.drift)
    except ValueError as exc:  # the first blocks: no interval to take a rate from
        raise NoDataError(f"no hash rate can be estimated as of {as_of.iso}: {exc}") from None
    d0 = now.start.difficulty
    h_now = math.exp(mean) * float(hashes_per_block(d0))
    base = ChainStart(d0, now.start.tip_height, elapsed_s=now.start.elapsed_s, hashrate_hps=h_now)
    scn = base
    lines: list[str] = []
    shock: HashrateShock | None = None
    try:
        if spec.hashrate_leaves_pct is not None:
            if spec.from_time is None:
                raise InputError("give --from DATE: when the hash rate leaves", field="--from")
            if not 0 < spec.hashrate_leaves_pct < 100:
                raise InputError("must be in (0, 100) %", field="--hashrate-leaves-pct")
            start = _moment(spec.from_time, "--from") - t0
            shock = departure_shock(
                spec.hashrate_leaves_pct / 100, from_s=start, over_days=spec.over_days
            )
            lines.append(
                f"{spec.hashrate_leaves_pct:g}% of hash rate leaves for good from"
                f" {iso_utc(t0 + max(start, 0))}"
                + (f" over {spec.over_days:g} days" if spec.over_days > 0 else " at once")
            )
        if spec.outage_pct is not None:
            if spec.from_time is None or spec.to_time is None:
                raise InputError("give --from and --to: the outage's window", field="--from")
            if not 0 < spec.outage_pct < 100:
                raise InputError("must be in (0, 100) %", field="--outage-pct")
            a, b = parse_window(spec.from_time, spec.to_time)
            shock = outage_shock(spec.outage_pct / 100, from_s=a - t0, to_s=b - t0)
            lines.append(
                f"{spec.outage_pct:g}% of hash rate off from {iso_utc(a)} to {iso_utc(b)},"
                " then back"
            )
        if spec.difficulty_change_pct is not None:
            if not -75 <= spec.difficulty_change_pct <= 300:
                raise InputError(
                    "must be in -75..300 % (the retarget clamp)", field="--difficulty-change-pct"
                )
            scn = ChainStart(
                d0,
                now.start.tip_height,
                elapsed_s=now.start.elapsed_s,
                next_change_share=spec.difficulty_change_pct / 100,
            )
            lines.append(
                f"the next retarget is {spec.difficulty_change_pct:+g}% (the epoch's hash rate is"
                " what that implies, and stays)"
            )
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    fleet = None
    if fleet_path is not None:
        opts = RoiOptions(power_price_usd_per_kwh=spec.power_price_usd_per_kwh)
        terms, _, _, _ = build_fleet(
            FleetInput(path=fleet_path), opts, catalog=load_machine_catalog(catalog_paths),
            as_of_s=as_of.time_s,
        )  # fmt: skip
        fleet = terms
    run = simulate_scenario(
        base, scn, shock, days=spec.horizon_days, paths=spec.paths, seed=spec.seed,
        price_usd=inputs.btc_price_usd, fees_btc=inputs.fees_btc_per_block, fleet=fleet,
    )  # fmt: skip
    days = []
    for d in range(spec.horizon_days):
        rb, rs = run.baseline, run.scenario
        days.append(
            ScenarioDay(
                date=iso_utc(t0 + d * SECONDS_PER_DAY)[:10],
                baseline_difficulty=Percentiles(p50=float(rb.difficulty_bands[1, d])),
                scenario_difficulty=Percentiles(
                    p10=float(rs.difficulty_bands[0, d]),
                    p50=float(rs.difficulty_bands[1, d]),
                    p90=float(rs.difficulty_bands[2, d]),
                ),
                baseline_hashprice_usd_per_phs_day=Percentiles(p50=float(rb.hashprice_bands[1, d])),
                scenario_hashprice_usd_per_phs_day=Percentiles(
                    p10=float(rs.hashprice_bands[0, d]),
                    p50=float(rs.hashprice_bands[1, d]),
                    p90=float(rs.hashprice_bands[2, d]),
                ),
            )
        )
    fleet_doc = None
    if fleet is not None and run.profit_difference_usd is not None:
        assert run.baseline.cash_profit_usd and run.scenario.cash_profit_usd
        fleet_doc = ScenarioFleet(
            name=fleet.name,
            baseline_cash_profit_usd=run.baseline.cash_profit_usd,
            scenario_cash_profit_usd=run.scenario.cash_profit_usd,
            difference_usd=run.profit_difference_usd,
        )
    notes = (now.note,) if now.note else ()
    return ScenarioDocument(
        as_of=AsOfInfo.build(
            as_of.time_s,
            as_of.text,
            data_time_s=t0,
            resolution=now.resolution,
            tip_height=now.start.tip_height,
            notes=notes,
        ),  # fmt: skip
        scenario=tuple(lines),
        baseline=(
            f"hash rate held at today's estimate, {h_now / HPS_PER_EHS:,.1f} EH/s (the"
            " projection's future rate for this epoch); price and fees held"
        ),
        hashrate_now_ehs=h_now / HPS_PER_EHS,
        btc_price_usd=inputs.btc_price_usd,
        fees_btc_per_block=inputs.fees_btc_per_block,
        horizon_days=spec.horizon_days,
        paths=spec.paths,
        seed=spec.seed,
        retargets=tuple(_rows("baseline", run.baseline, t0) + _rows("scenario", run.scenario, t0)),
        days=tuple(days),
        fleet=fleet_doc,
        method=(
            "exact Gamma block times per epoch under each run's hash rate (cumulative hazard"
            " through the shock), the retarget rule with its clamp, common random numbers"
        ),
    )


__all__ = ["ScenarioDocument", "ScenarioSpec", "scenario_view"]
