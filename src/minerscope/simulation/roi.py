"""Monte Carlo ROI and payback of machine groups over simulated difficulty, price and fee paths.

Per group and day the arithmetic is :func:`minerscope.economics.fleet.evaluate_fleet`'s, which
is linear in hashvalue times price: evaluated once at unit hashvalue and unit price it gives
each group's BTC per unit hashvalue ``a`` (count, TH/s, uptime, pool fee) and its cash cost per
day ``c`` (power at the site price and PUE, hosting), so a day's cash profit is
``a * hashvalue * price - c``. Machines switch off on days they would lose money and back on
when it pays (profit ``max(a x - c, 0)``; ``switch_off=False`` keeps them always on). Fixed
opex is paid every day. Capex is paid now; resale comes back at the horizon.

Figures per group and for the fleet: percentiles of cumulative cash profit in USD and in BTC
(each day's profit at that day's price), NPV at a discount rate, IRR, the payback day (first
day the cumulative cash profit reaches capex) and P(payback within the horizon). A second
fleet evaluated on the same paths gives P(A beats B) on NPV.

Paths are simulated in chunks of ``chunk_paths``, each with its own child generator spawned
from the seed, so a run is the same whatever the number of threads or machines.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ..economics.fleet import GroupArrays, evaluate_fleet
from ..units import SECONDS_PER_DAY
from .cashflow import (
    PERCENTILES,
    Distribution,
    distribution,
    week_discount_factors,
    week_lengths,
)
from .market import FeeModel, PriceModel, bootstrap_day_index, fee_paths, price_paths
from .network import ChainStart, HashrateModel, daily_hashvalue, simulate_network
from .retarget import hashes_per_block
from .roi_fleet import LineAcc, fleet_chunk

FloatArray = npt.NDArray[np.float64]
F32Array = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
DEFAULT_CHUNK_PATHS = 2048
DEFAULT_BAND_PATHS = 2048
DEFAULT_IRR_PATHS = 8192


@dataclass(frozen=True)
class FleetTerms:
    """A fleet as the per-day arithmetic needs it (one entry per group).

    Attributes
    ----------
    name : str
    group_names : tuple of str
    btc_per_hashvalue : ndarray
        BTC per day per 1 BTC/(PH/s)/day of hashvalue, after pool fee and uptime. [BTC/(BTC/PH/day)]
    cash_cost_usd_per_day : ndarray
        Power and hosting while running. [USD/day]
    capex_usd : ndarray
        Paid now. [USD]
    resale_usd : ndarray
        Received at the horizon. [USD]
    fixed_opex_usd_per_day : float
        Paid every day. [USD/day]
    fleet_capex_usd : float
        Capex not tied to a group, paid now. [USD]
    """

    name: str
    group_names: tuple[str, ...]
    btc_per_hashvalue: FloatArray
    cash_cost_usd_per_day: FloatArray
    capex_usd: FloatArray
    resale_usd: FloatArray
    fixed_opex_usd_per_day: float = 0.0
    fleet_capex_usd: float = 0.0

    @property
    def breakeven_hashprice(self) -> FloatArray:
        """Hashprice below which a group loses money. [USD/(PH/s)/day]"""
        with np.errstate(divide="ignore", invalid="ignore"):
            out: FloatArray = np.where(
                self.btc_per_hashvalue > 0,
                self.cash_cost_usd_per_day / self.btc_per_hashvalue,
                np.inf,
            )
        return out


def fleet_terms(
    groups: GroupArrays,
    group_names: Sequence[str],
    *,
    name: str,
    pool_fee_share: float,
    fixed_opex_usd_per_day: float = 0.0,
    fleet_capex_usd: float = 0.0,
    resale_usd_per_machine: FloatArray | None = None,
) -> FleetTerms:
    """Each group's linear coefficients from :func:`evaluate_fleet` at unit inputs.

    ``evaluate_fleet`` at hashvalue 1 BTC/(PH/s)/day and price 1 USD gives ``btc_per_day``
    = BTC per unit hashvalue and ``power + hosting`` = the cash cost per day (which does not
    depend on hashvalue or price).
    """
    unit = evaluate_fleet(
        groups, hashvalue_btc_per_phs_day=1.0, btc_price_usd=1.0, pool_fee_share=pool_fee_share
    )
    resale = (
        np.zeros(len(group_names))
        if resale_usd_per_machine is None
        else np.asarray(resale_usd_per_machine, dtype=np.float64) * groups.count
    )
    return FleetTerms(
        name=name,
        group_names=tuple(group_names),
        btc_per_hashvalue=np.asarray(unit.btc_per_day, dtype=np.float64),
        cash_cost_usd_per_day=np.asarray(
            unit.power_cost_usd_per_day + unit.hosting_usd_per_day, dtype=np.float64
        ),
        capex_usd=np.asarray(groups.count * groups.capex_usd_per_machine, dtype=np.float64),
        resale_usd=resale,
        fixed_opex_usd_per_day=fixed_opex_usd_per_day,
        fleet_capex_usd=fleet_capex_usd,
    )


@dataclass(frozen=True)
class RoiConfig:
    """Run settings.

    Attributes
    ----------
    horizon_days : int
        Days simulated. [days]
    paths : int
        Number of paths. [paths]
    discount_rate_share : float
        Annual discount rate for NPV. [share]
    switch_off : bool
        Switch machines off on days they would lose money (default), else always on.
    chunk_paths : int
        Paths per chunk (memory bound; part of the random stream, keep it fixed).
    band_paths : int
        Paths (the first ones) the per-day percentile bands are computed from.
    irr_paths : int
        Paths (the first ones) IRR is solved on (the other figures use every path).
    threads : int
        Chunks run in parallel (numpy releases the GIL); results do not depend on it.
    """

    horizon_days: int
    paths: int
    discount_rate_share: float = 0.0
    switch_off: bool = True
    chunk_paths: int = DEFAULT_CHUNK_PATHS
    band_paths: int = DEFAULT_BAND_PATHS
    irr_paths: int = DEFAULT_IRR_PATHS
    threads: int = 1


@dataclass(frozen=True)
class Models:
    """The path models of one run."""

    hashrate: HashrateModel
    price: PriceModel
    fees: FeeModel
    era_days: int | None = None  # length of the shared bootstrap sample of days
    mean_block_days: float = 30.0


@dataclass(frozen=True)
class RoiLine:
    """One group's figures, or the fleet's (``name`` = the fleet's name)."""

    name: str
    capex_usd: float
    resale_usd: float
    cash_profit_usd: Distribution
    cash_profit_btc: Distribution
    npv_usd: Distribution
    irr_pct: Distribution
    payback_days: Distribution
    payback_within_horizon_share: float
    days_off_mean: float


@dataclass(frozen=True)
class FleetRoi:
    """Per-group lines and the total of one fleet."""

    name: str
    groups: tuple[RoiLine, ...]
    total: RoiLine


@dataclass(frozen=True)
class Bands:
    """Per-day percentiles (rows = :data:`PERCENTILES`) over the first ``paths`` paths."""

    paths: int
    cum_cash_profit_usd: FloatArray  # fleet A [USD]
    btc_price_usd: FloatArray
    difficulty: FloatArray
    hashprice_usd_per_phs_day: FloatArray


@dataclass(frozen=True)
class RoiRun:
    """A run: fleets, the comparison, bands and what the paths did."""

    fleets: tuple[FleetRoi, ...]
    bands: Bands
    a_beats_b_share: float | None
    npv_difference_usd: Distribution | None
    halving_day: Distribution | None
    difficulty_at_horizon: Distribution
    price_at_horizon_usd: Distribution
    retargets_mean: float
    config: RoiConfig
    extra: dict[str, float] = field(default_factory=dict)


@dataclass
class _Chunk:
    lines: list[list[LineAcc]]  # fleet -> group lines + total
    bands: dict[str, FloatArray] | None
    halving: FloatArray | None
    difficulty_end: FloatArray
    price_end: FloatArray
    retargets: FloatArray


def _run_chunk(
    first_path: int,
    n: int,
    rng: np.random.Generator,
    start: ChainStart,
    models: Models,
    fleets: Sequence[FleetTerms],
    cfg: RoiConfig,
) -> _Chunk:
    days = cfg.horizon_days
    need_days = (
        models.price.method == "bootstrap"
        or models.fees.method == "bootstrap"
        or models.hashrate.day_log_changes is not None
    )
    day_index = None
    if need_days:
        if not models.era_days:
            raise ValueError("bootstrapped days need the length of the historical sample")
        day_index = bootstrap_day_index(
            models.era_days,
            days=days,
            paths=n,
            mean_block_days=models.mean_block_days,
            rng=rng,
        )
    net = simulate_network(
        start, models.hashrate, horizon_s=days * SECONDS_PER_DAY, paths=n, rng=rng,
        day_index=day_index,
    )  # fmt: skip
    fees = fee_paths(models.fees, days=days, paths=n, day_index=day_index)
    hv, inv_w_day = daily_hashvalue(net, days, fees)
    price = price_paths(models.price, days=days, paths=n, rng=rng, day_index=day_index)
    hv *= price  # hashprice [USD/(PH/s)/day]
    x = hv.astype(np.float32)
    inv_price = np.divide(1.0, price, out=hv).astype(np.float32)
    lengths = week_lengths(days)
    disc_w = week_discount_factors(days, cfg.discount_rate_share)
    disc_end = float(disc_w[-1])
    sample = first_path < cfg.irr_paths
    band_n = max(0, min(n, cfg.band_paths - first_path))
    out_lines: list[list[LineAcc]] = []
    band_total = None
    for fi, fleet in enumerate(fleets):
        accs, band = fleet_chunk(
            fleet, x, inv_price, cfg=cfg, disc_w=disc_w, disc_end=disc_end, lengths=lengths,
            sample=sample, band_paths=band_n if fi == 0 else 0,
        )  # fmt: skip
        out_lines.append(accs)
        if fi == 0:
            band_total = band
    bands = None
    if band_total is not None:
        hpd = float(hashes_per_block(1.0))
        bands = {
            "cum": band_total,
            "price": price[:, :band_n],
            "difficulty": SECONDS_PER_DAY / (inv_w_day[:, :band_n] * hpd),
            "hashprice": x[:, :band_n].astype(np.float64),
        }
    end_s = days * SECONDS_PER_DAY
    halving = net.halving_s[0] / SECONDS_PER_DAY if len(net.halving_height) else None
    return _Chunk(
        lines=out_lines,
        bands=bands,
        halving=halving,
        difficulty_end=net.difficulty_at(end_s),
        price_end=price[-1].copy(),
        retargets=np.sum(net.end_s < end_s, axis=0).astype(np.float64),
    )


def _line(name: str, capex: float, resale: float, accs: Sequence[LineAcc], days: int) -> RoiLine:
    cat = {
        k: np.concatenate([x for a in accs for x in getattr(a, k)]) for k in LineAcc.__annotations__
    }
    pay = cat["payback"]
    return RoiLine(
        name=name,
        capex_usd=capex,
        resale_usd=resale,
        cash_profit_usd=distribution(cat["cash"]),
        cash_profit_btc=distribution(cat["btc"]),
        npv_usd=distribution(cat["npv"]),
        irr_pct=distribution(100.0 * cat["irr"]),
        payback_days=distribution(pay),
        payback_within_horizon_share=float(np.mean(pay <= days)),
        days_off_mean=float(np.mean(cat["off"])) if np.all(np.isfinite(cat["off"])) else math.nan,
    )


def simulate_roi(
    start: ChainStart,
    models: Models,
    fleets: Sequence[FleetTerms],
    cfg: RoiConfig,
    *,
    rng: np.random.Generator,
) -> RoiRun:
    """Run the Monte Carlo for one or two fleets on the same paths.

    Parameters
    ----------
    start : ChainStart
        The chain now (the current epoch's change is drawn from the projection).
    models : Models
        Hash-rate, price and fee models.
    fleets : sequence of FleetTerms
        One fleet, or two to compare (the second is option B).
    cfg : RoiConfig
    rng : numpy.random.Generator
        Seeded generator; one child per chunk is spawned from it.

    Returns
    -------
    RoiRun
    """
    if cfg.paths < 1:
        raise ValueError(f"paths must be >= 1, got {cfg.paths}")
    if cfg.horizon_days < 1:
        raise ValueError(f"the horizon must be >= 1 day, got {cfg.horizon_days}")
    if not 1 <= len(fleets) <= 2:
        raise ValueError("give one fleet, or two to compare")
    if cfg.discount_rate_share <= -1:
        raise ValueError("the discount rate must be above -100%")
    sizes = [min(cfg.chunk_paths, cfg.paths - i) for i in range(0, cfg.paths, cfg.chunk_paths)]
    firsts = np.cumsum([0, *sizes[:-1]]).tolist()
    children = rng.spawn(len(sizes))

    def job(i: int) -> _Chunk:
        return _run_chunk(firsts[i], sizes[i], children[i], start, models, fleets, cfg)

    pool = ThreadPoolExecutor(max_workers=cfg.threads) if cfg.threads > 1 else None
    try:
        chunks = (
            list(pool.map(job, range(len(sizes)))) if pool else [job(i) for i in range(len(sizes))]
        )
        # the lines' percentiles (sorting 100,000 values each) also run in parallel
        tasks = []
        for fi, fleet in enumerate(fleets):
            for g, gname in enumerate((*fleet.group_names, fleet.name)):
                if g < len(fleet.group_names):
                    capex, resale = float(fleet.capex_usd[g]), float(fleet.resale_usd[g])
                else:
                    capex = float(fleet.capex_usd.sum() + fleet.fleet_capex_usd)
                    resale = float(fleet.resale_usd.sum())
                tasks.append((gname, capex, resale, [c.lines[fi][g] for c in chunks]))

        def line(t: tuple[str, float, float, list[LineAcc]]) -> RoiLine:
            return _line(*t, cfg.horizon_days)

        band_parts = [c.bands for c in chunks if c.bands is not None]

        def band(key: str) -> FloatArray:
            joined = np.hstack([b[key] for b in band_parts]).astype(np.float32)
            out: FloatArray = np.percentile(joined, PERCENTILES, axis=1).astype(np.float64)
            return out

        keys = ("cum", "price", "difficulty", "hashprice")
        # the bands' per-day percentiles alongside the lines'
        band_jobs = [pool.submit(band, k) for k in keys] if pool else []
        done = list(pool.map(line, tasks)) if pool else [line(t) for t in tasks]
        band_q = [j.result() for j in band_jobs] if pool else [band(k) for k in keys]
    finally:
        if pool:
            pool.shutdown()
    out_fleets = []
    for fleet in fleets:
        lines, done = done[: len(fleet.group_names) + 1], done[len(fleet.group_names) + 1 :]
        out_fleets.append(FleetRoi(fleet.name, tuple(lines[:-1]), lines[-1]))
    beats = diff = None
    if len(fleets) == 2:
        npv_a = np.concatenate([c.lines[0][-1].npv[0] for c in chunks])
        npv_b = np.concatenate([c.lines[1][-1].npv[0] for c in chunks])
        beats = float(np.mean(npv_a > npv_b))
        diff = distribution(npv_a - npv_b)
    bands = Bands(
        paths=int(sum(b["cum"].shape[1] for b in band_parts)),
        cum_cash_profit_usd=band_q[0],
        btc_price_usd=band_q[1],
        difficulty=band_q[2],
        hashprice_usd_per_phs_day=band_q[3],
    )
    halvings = [c.halving for c in chunks if c.halving is not None]
    return RoiRun(
        fleets=tuple(out_fleets),
        bands=bands,
        a_beats_b_share=beats,
        npv_difference_usd=diff,
        halving_day=distribution(np.concatenate(halvings)) if halvings else None,
        difficulty_at_horizon=distribution(np.concatenate([c.difficulty_end for c in chunks])),
        price_at_horizon_usd=distribution(np.concatenate([c.price_end for c in chunks])),
        retargets_mean=float(np.mean(np.concatenate([c.retargets for c in chunks]))),
        config=cfg,
    )


__all__ = [
    "Bands",
    "FleetRoi",
    "FleetTerms",
    "Models",
    "RoiConfig",
    "RoiLine",
    "RoiRun",
    "fleet_terms",
    "simulate_roi",
]
