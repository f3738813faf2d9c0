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
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ..economics.fleet import GroupArrays, evaluate_fleet
from ..units import DAYS_PER_YEAR, SECONDS_PER_DAY
from .cashflow import (
    PERCENTILES,
    WEEK_DAYS,
    Distribution,
    cumulate_rows,
    distribution,
    gather_week,
    irr_share,
    payback_days,
    period_flows,
    week_discount_factors,
    week_lengths,
    weekly_sums,
)
from .market import FeeModel, PriceModel, bootstrap_day_index, fee_paths, price_paths
from .network import ChainStart, HashrateModel, daily_hashvalue, simulate_network
from .retarget import hashes_per_block

FloatArray = npt.NDArray[np.float64]
F32Array = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
DEFAULT_CHUNK_PATHS = 2048
_DAY_BLOCK = 8 * WEEK_DAYS  # days per cache block in the group loop (< 256: byte counts)
_SNAP = 1e-5  # relative float32 rounding of (sum v + sum |v|) / 2 when every v < 0
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
class _LineAcc:
    cash: list[FloatArray] = field(default_factory=list)
    btc: list[FloatArray] = field(default_factory=list)
    npv: list[FloatArray] = field(default_factory=list)
    irr: list[FloatArray] = field(default_factory=list)
    payback: list[FloatArray] = field(default_factory=list)
    off: list[FloatArray] = field(default_factory=list)


@dataclass
class _Chunk:
    lines: list[list[_LineAcc]]  # fleet -> group lines + total
    bands: dict[str, FloatArray] | None
    halving: FloatArray | None
    difficulty_end: FloatArray
    price_end: FloatArray
    retargets: FloatArray


def _fleet_chunk(
    fleet: FleetTerms,
    x: F32Array,
    inv_price: F32Array,
    *,
    cfg: RoiConfig,
    disc_w: FloatArray,
    disc_end: float,
    lengths: FloatArray,
    sample: bool,
    band_paths: int,
) -> tuple[list[_LineAcc], FloatArray | None]:
    """One chunk of one fleet: every group line, the total, and the band of the total.

    Per group only the daily profit in hashprice units, ``u = max(x - b, 0)`` (``x - b``
    always on; ``b`` the breakeven hashprice), is formed; its weekly sums and its sum
    weighted by ``1/price`` give everything else, the total included (it is linear in
    them); the payback day is found from the weekly sums and the days of one week.
    """
    days, n = x.shape
    n_groups = len(fleet.group_names)
    a = fleet.btc_per_hashvalue
    be = fleet.breakeven_hashprice
    cost = fleet.cash_cost_usd_per_day
    n_weeks = len(lengths)
    flows = np.zeros((n_groups, n_weeks, n))  # weekly cash flow per group [USD]
    upper = None if cfg.switch_off else np.zeros((n_groups, n_weeks, n))
    btc = np.zeros((n_groups, n))
    off = np.full((n_groups, n), np.nan)
    inv_p_sum = inv_price.sum(axis=0, dtype=np.float64)
    # max(v, 0) = (v + |v|) / 2 with v = x - b: the sums of v are the sums of x less b times
    # the days (once for every group); only |x - b| is formed per group, day by day (numpy's
    # abs is several times faster than its maximum)
    x_weekly = weekly_sums(x)
    hv_sum = np.einsum("dk,dk->k", x, inv_price).astype(np.float64)  # sum of hashvalue
    earning = [g for g in range(n_groups) if a[g] > 0]
    abs_btc = np.zeros((n_groups, n), dtype=np.float32)
    on = np.zeros((n_groups, n), dtype=np.int64)
    buf = np.empty((min(_DAY_BLOCK, days), n), dtype=np.float32)
    block_weeks = -(-len(buf) // WEEK_DAYS)
    abs_w = np.empty((block_weeks, n), dtype=np.float32)  # weekly sums of |x - b|
    lin = np.empty((block_weeks, n))
    thr = np.empty((block_weeks, n), dtype=np.float32)
    low = np.empty((block_weeks, n), dtype=np.bool_)
    two_snap = np.float32(2) * np.float32(_SNAP)
    # Days in blocks of 8 weeks: a block of x, and the group's weekly sums of the block, stay
    # in cache while every group reads them.
    for d0 in range(0, days, _DAY_BLOCK):
        xb = x[d0 : d0 + _DAY_BLOCK]
        pb = inv_price[d0 : d0 + _DAY_BLOCK]
        ub = buf[: len(xb)]
        w0 = d0 // WEEK_DAYS
        full = len(xb) // WEEK_DAYS
        nw = -(-len(xb) // WEEK_DAYS)
        weeks = slice(w0, w0 + nw)
        aw, lw, tw, ow = abs_w[:nw], lin[:nw], thr[:nw], low[:nw]
        for g in earning:
            np.subtract(xb, np.float32(be[g]), out=ub)
            np.abs(ub, out=ub)
            if full:
                ub[: full * WEEK_DAYS].reshape(full, WEEK_DAYS, n).sum(axis=1, out=aw[:full])
            if len(xb) % WEEK_DAYS:
                aw[full] = ub[full * WEEK_DAYS :].sum(axis=0)
            abs_btc[g] += np.einsum("dk,dk->k", ub, pb)
            if sample:
                # days on in the block (<= 56: the count fits a byte, no casts)
                on[g] += (
                    np.greater(xb, np.float32(be[g])).view(np.uint8).sum(axis=0, dtype=np.uint8)
                )
            # sum of x - b per week; 2 x the sum of max(x - b, 0) (halving is exact: a/2
            # times it below), clamped, and an all-off week exactly 0 (float32 rounding)
            np.subtract(x_weekly[weeks], lengths[weeks, None] * be[g], out=lw)
            pos = (flows if upper is None else upper)[g, weeks]
            np.add(lw, aw, out=pos)
            np.multiply(aw, two_snap, out=tw)
            np.less_equal(pos, tw, out=ow)
            np.putmask(pos, ow, 0.0)  # (putmask: a third of copyto's time with where=)
            pos *= a[g] / 2
            if upper is not None:
                np.multiply(lw, a[g], out=flows[g, weeks])
    for g in range(n_groups):
        if a[g] > 0:
            lin_btc = hv_sum - be[g] * inv_p_sum
            pos_btc = np.maximum((lin_btc + abs_btc[g]) / 2, 0.0)
            pos_btc[pos_btc <= _SNAP * abs_btc[g]] = 0.0
            btc[g] = a[g] * (pos_btc if cfg.switch_off else lin_btc)
            if sample:
                off[g] = days - on[g]
        elif not cfg.switch_off and cost[g] > 0:  # earns nothing, burns power
            flows[g] = -cost[g] * lengths[:, None]
            btc[g] = -cost[g] * inv_p_sum
            off[g] = 0.0

    def group_days(g: int) -> Callable[[IntArray, IntArray], FloatArray]:
        def days_of(w: IntArray, c: IntArray) -> FloatArray:
            if a[g] <= 0:
                return np.full((7, len(w)), 0.0 if cfg.switch_off else -cost[g])
            u = gather_week(x, w, c) - be[g]
            out: FloatArray = a[g] * (np.maximum(u, 0.0) if cfg.switch_off else u)
            return out

        return days_of

    def total_days(w: IntArray, c: IntArray) -> FloatArray:
        xs = gather_week(x, w, c)
        out = np.full(xs.shape, -float(fleet.fixed_opex_usd_per_day))
        for g in range(n_groups):
            if a[g] > 0:
                u = xs - be[g]
                out += a[g] * (np.maximum(u, 0.0) if cfg.switch_off else u)
            elif not cfg.switch_off:
                out -= cost[g]
        return out

    horizon_years = days / DAYS_PER_YEAR
    opex = fleet.fixed_opex_usd_per_day
    total_weekly = flows.sum(axis=0) - opex * lengths[:, None]
    accs: list[_LineAcc] = []
    for g in range(n_groups + 1):
        acc = _LineAcc()
        wk = flows[g] if g < n_groups else total_weekly
        cum = cumulate_rows(wk.copy())
        if g < n_groups:
            cap, res = float(fleet.capex_usd[g]), float(fleet.resale_usd[g])
            up = None if upper is None else upper[g]
            b_btc, fn, off_g = btc[g], group_days(g), off[g]
        else:
            cap = float(fleet.capex_usd.sum() + fleet.fleet_capex_usd)
            res = float(fleet.resale_usd.sum())
            b_btc = btc.sum(axis=0) - opex * inv_p_sum
            pos = flows if upper is None else upper
            up = None if (upper is None and not opex) else pos.sum(axis=0)
            fn, off_g = total_days, np.full(n, np.nan)
        acc.cash.append(cum[-1].copy())
        acc.btc.append(b_btc)
        acc.npv.append(np.einsum("w,wk->k", disc_w, wk) - cap + res * disc_end)
        acc.payback.append(payback_days(wk, np.full(n, cap), fn, days=days, upper=up, cum_end=cum))
        if sample:
            pf, t_years = period_flows(wk)
            acc.irr.append(
                irr_share(np.full(n, cap), pf, t_years, resale=res, horizon_years=horizon_years)
            )
            acc.off.append(off_g)
        accs.append(acc)
    band = None
    if band_paths > 0:  # the total's daily cash flow of the first paths, for the bands
        xb = np.ascontiguousarray(x[:, :band_paths])
        total = np.full(xb.shape, -float(fleet.fixed_opex_usd_per_day), dtype=np.float32)
        tmp = np.empty_like(xb)
        for g in range(n_groups):
            if a[g] > 0:
                np.subtract(xb, np.float32(be[g]), out=tmp)
                if cfg.switch_off:  # a max(v, 0) = a (v + |v|) / 2
                    total += np.float32(a[g] / 2) * tmp
                    np.abs(tmp, out=tmp)
                    total += np.float32(a[g] / 2) * tmp
                else:
                    total += np.float32(a[g]) * tmp
            elif not cfg.switch_off:
                total -= np.float32(cost[g])
        band = cumulate_rows(total.astype(np.float64))
    return accs, band


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
    out_lines: list[list[_LineAcc]] = []
    band_total = None
    for fi, fleet in enumerate(fleets):
        accs, band = _fleet_chunk(
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


def _line(name: str, capex: float, resale: float, accs: Sequence[_LineAcc], days: int) -> RoiLine:
    cat = {
        k: np.concatenate([x for a in accs for x in getattr(a, k)])
        for k in _LineAcc.__annotations__
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

        def line(t: tuple[str, float, float, list[_LineAcc]]) -> RoiLine:
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
