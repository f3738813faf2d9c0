"""What-if scenarios against a baseline, with intervals from simulated block arrivals.

Both runs hold hash rate at today's estimate (the baseline) or change it as the scenario says
(a share leaving for good, a transient outage, a forced next adjustment), and draw exact
Gamma block times per epoch under that hash rate (:func:`~minerscope.simulation.network.
simulate_network` with a :class:`~minerscope.simulation.network.HashrateShock`). They use the
same seed and the same draws (common random numbers), so a difference between them is the
scenario's, not noise. Price and fees are held at today's values: the intervals are those
of block arrivals alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..units import SECONDS_PER_DAY
from .cashflow import Distribution, distribution
from .network import ChainStart, HashrateModel, HashrateShock, daily_hashvalue, simulate_network
from .retarget import hashes_per_block
from .roi import FleetTerms

FloatArray = npt.NDArray[np.float64]
BAND_PERCENTILES = (10, 50, 90)


def departure_shock(share: float, *, from_s: float, over_days: float = 0.0) -> HashrateShock:
    """Hash rate falls by ``share`` for good from ``from_s`` (seconds after the moment),
    linearly over ``over_days`` in hourly steps (each at its mid-hour level), or at once."""
    if not 0 < share < 1:
        raise ValueError(f"the share leaving must be in (0, 1), got {share}")
    start = max(float(from_s), 0.0)
    if over_days <= 0:
        knots, factor = np.array([start]), np.array([1.0 - share])
    else:
        steps = max(int(math.ceil(over_days * 24)), 1)
        dt = over_days * SECONDS_PER_DAY / steps
        knots = start + np.arange(steps + 1) * dt
        factor = 1.0 - share * np.minimum((np.arange(steps + 1) + 0.5) / steps, 1.0)
        factor[-1] = 1.0 - share
    if start > 0:
        knots = np.concatenate([[0.0], knots])
        factor = np.concatenate([[1.0], factor])
    return HashrateShock(knots, factor)


def outage_shock(share: float, *, from_s: float, to_s: float) -> HashrateShock:
    """Hash rate falls by ``share`` between ``from_s`` and ``to_s`` (seconds after the
    moment), then comes back."""
    if not 0 < share < 1:
        raise ValueError(f"the outage share must be in (0, 1), got {share}")
    if to_s <= from_s:
        raise ValueError("the outage must end after it starts")
    a, b = max(float(from_s), 0.0), float(to_s)
    if a == 0:
        return HashrateShock(np.array([0.0, b]), np.array([1.0 - share, 1.0]))
    return HashrateShock(np.array([0.0, a, b]), np.array([1.0, 1.0 - share, 1.0]))


@dataclass(frozen=True)
class RetargetStats:
    """One retarget of a run: when, to what, and the block times before it."""

    index: int
    height: int
    time_p10_s: float
    time_p50_s: float
    time_p90_s: float
    difficulty_p10: float
    difficulty_p50: float
    difficulty_p90: float
    change_p50_pct: float
    mean_block_time_p50_s: float


@dataclass(frozen=True)
class RunStats:
    """A baseline or scenario run."""

    retargets: tuple[RetargetStats, ...]
    difficulty_bands: FloatArray  # (3, days): p10/p50/p90 of the day's mean difficulty
    hashprice_bands: FloatArray  # (3, days) [USD/(PH/s)/day]
    cash_profit_usd: Distribution | None  # the fleet over the horizon
    profit: FloatArray | None  # per path [USD]


@dataclass(frozen=True)
class ScenarioRun:
    """Baseline and scenario on the same draws, and their difference."""

    baseline: RunStats
    scenario: RunStats
    profit_difference_usd: Distribution | None  # scenario - baseline, per path


def _fleet_profit(fleet: FleetTerms, x: FloatArray) -> FloatArray:
    """Cash profit over the days of each path, machines off on losing days. [USD]"""
    out = np.full(x.shape[1], -fleet.fixed_opex_usd_per_day * x.shape[0])
    be = fleet.breakeven_hashprice
    for g, a in enumerate(fleet.btc_per_hashvalue):
        if a > 0:
            out += a * np.maximum(x - be[g], 0.0).sum(axis=0)
    return out


def _run(
    start: ChainStart,
    shock: HashrateShock | None,
    *,
    days: int,
    paths: int,
    seed: int,
    price_usd: float,
    fees_btc: float,
    fleet: FleetTerms | None,
) -> RunStats:
    rng = np.random.default_rng(seed)
    model = HashrateModel("fixed", gamma_block_times=True)
    net = simulate_network(
        start, model, horizon_s=days * SECONDS_PER_DAY, paths=paths, rng=rng, shock=shock
    )
    hv, inv_w = daily_hashvalue(net, days, fees_btc)
    x = hv * price_usd
    diff_day = SECONDS_PER_DAY / (inv_w * float(hashes_per_block(1.0)))
    stats = []
    horizon = days * SECONDS_PER_DAY
    for k in range(net.end_s.shape[0] - 1):
        t = net.end_s[k]
        if np.median(t) > horizon:
            break
        d_new = net.difficulty[k + 1]
        block_s = (net.end_s[k] - net.start_s[k]) / net.n_blocks[k]
        q = np.percentile(t, BAND_PERCENTILES)
        qd = np.percentile(d_new, BAND_PERCENTILES)
        stats.append(
            RetargetStats(
                index=k,
                height=int(net.first_height[k + 1]),
                time_p10_s=float(q[0]),
                time_p50_s=float(q[1]),
                time_p90_s=float(q[2]),
                difficulty_p10=float(qd[0]),
                difficulty_p50=float(qd[1]),
                difficulty_p90=float(qd[2]),
                change_p50_pct=float(100 * (np.median(d_new / net.difficulty[k]) - 1)),
                mean_block_time_p50_s=float(np.median(block_s)),
            )
        )
    profit = None if fleet is None else _fleet_profit(fleet, x)
    return RunStats(
        retargets=tuple(stats),
        difficulty_bands=np.percentile(diff_day, BAND_PERCENTILES, axis=1),
        hashprice_bands=np.percentile(x, BAND_PERCENTILES, axis=1),
        cash_profit_usd=None if profit is None else distribution(profit),
        profit=profit,
    )


def simulate_scenario(
    baseline: ChainStart,
    scenario: ChainStart,
    shock: HashrateShock | None,
    *,
    days: int,
    paths: int,
    seed: int,
    price_usd: float,
    fees_btc: float,
    fleet: FleetTerms | None = None,
) -> ScenarioRun:
    """Run the baseline and the scenario on the same draws.

    Parameters
    ----------
    baseline, scenario : ChainStart
        The chain now; usually the same but for a forced next change in ``scenario``.
    shock : HashrateShock, optional
        The scenario's hash-rate multiplier over time.
    days, paths, seed : int
        Horizon [days], paths, and the seed both runs use.
    price_usd, fees_btc : float
        Held constant. [USD/BTC], [BTC/block]
    fleet : FleetTerms, optional
        A fleet whose cash profit both runs give.
    """
    if days < 1 or paths < 1:
        raise ValueError("days and paths must be >= 1")
    kw = {
        "days": days,
        "paths": paths,
        "seed": seed,
        "price_usd": price_usd,
        "fees_btc": fees_btc,
        "fleet": fleet,
    }
    base = _run(baseline, None, **kw)  # type: ignore[arg-type]
    scn = _run(scenario, shock, **kw)  # type: ignore[arg-type]
    diff = None
    if base.profit is not None and scn.profit is not None:
        diff = distribution(scn.profit - base.profit)
    return ScenarioRun(base, scn, diff)


__all__ = [
    "RetargetStats",
    "RunStats",
    "ScenarioRun",
    "departure_shock",
    "outage_shock",
    "simulate_scenario",
]
