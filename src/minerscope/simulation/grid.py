"""Sensitivity grids: machine and fleet economics over one or two varied inputs (pure).

The arithmetic is the economics layer's: :mod:`minerscope.economics.machines` (vectorised, so a
whole catalog and grid broadcast in one call) and :func:`minerscope.economics.fleet.
evaluate_fleet` (one call per grid cell).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from ..economics.fleet import GroupArrays, evaluate_fleet
from ..economics.hashprice import hashprice_usd_per_phs_day, hashvalue_btc_per_phs_day
from ..economics.machines import (
    breakeven_btc_price_usd,
    breakeven_power_price_usd_per_kwh,
    power_cost_usd_per_day,
    revenue_usd_per_day,
)

FloatArray = npt.NDArray[np.float64]
GRID_KEYS: dict[str, tuple[float, float]] = {
    "btc_price_usd": (1.0, 1e8),
    "power_price_usd_per_kwh": (0.0, 2.0),
    "difficulty": (1.0, 1e20),
    "difficulty_change_pct": (-75.0, 300.0),
    "fees_btc_per_block": (0.0, 1000.0),
}
MACHINE_METRICS = (
    "profit_usd_per_day",
    "breakeven_btc_price_usd",
    "breakeven_power_price_usd_per_kwh",
)


@dataclass(frozen=True)
class GridInputs:
    """The inputs every cell starts from (a grid axis replaces one of them)."""

    difficulty: float
    subsidy_btc_per_block: float
    fees_btc_per_block: float
    btc_price_usd: float
    power_price_usd_per_kwh: float | None  # None: each fleet site's own
    pool_fee_share: float = 0.0
    pue: float = 1.0


def _cell(base: GridInputs, settings: Mapping[str, float]) -> GridInputs:
    out = base
    for key, v in settings.items():
        if key == "difficulty_change_pct":
            out = replace(out, difficulty=out.difficulty * (1 + v / 100.0))
        elif key in (
            "btc_price_usd",
            "power_price_usd_per_kwh",
            "difficulty",
            "fees_btc_per_block",
        ):
            out = replace(out, **{key: v})
        else:
            raise ValueError(f"unknown grid key {key!r}")
    return out


def machines_grid(
    hashrate_ths: FloatArray,
    power_w: FloatArray,
    base: GridInputs,
    axes: Sequence[tuple[str, Sequence[float]]],
    metric: str = "profit_usd_per_day",
) -> FloatArray:
    """A metric of every machine at every grid cell, shape ``(machines, *axis lengths)``.

    ``profit_usd_per_day`` is revenue minus power (pool fee and PUE included) [USD/day];
    ``breakeven_btc_price_usd`` [USD/BTC] and ``breakeven_power_price_usd_per_kwh``
    [USD/kWh] are the machine's breakevens at the cell's other inputs.
    """
    if metric not in MACHINE_METRICS:
        raise ValueError(f"unknown grid metric {metric!r}; one of {', '.join(MACHINE_METRICS)}")
    shape = [len(v) for _, v in axes]
    cells = list(itertools.product(*[v for _, v in axes])) if axes else [()]
    keys = [k for k, _ in axes]
    out = np.empty((len(hashrate_ths), len(cells)))
    eff = power_w / hashrate_ths
    for i, combo in enumerate(cells):
        c = _cell(base, dict(zip(keys, combo, strict=True)))
        if c.power_price_usd_per_kwh is None:
            raise ValueError("a machines grid needs a power price")
        price = c.power_price_usd_per_kwh
        reward = c.subsidy_btc_per_block + c.fees_btc_per_block
        hp = float(np.asarray(hashprice_usd_per_phs_day(c.difficulty, reward, c.btc_price_usd)))
        if metric == "profit_usd_per_day":
            rev = revenue_usd_per_day(hashrate_ths, hp, pool_fee_share=c.pool_fee_share)
            out[:, i] = np.asarray(rev) - np.asarray(
                power_cost_usd_per_day(power_w, price, pue=c.pue)
            )
        elif metric == "breakeven_btc_price_usd":
            out[:, i] = np.asarray(
                breakeven_btc_price_usd(
                    eff, c.difficulty, reward, price, pue=c.pue, pool_fee_share=c.pool_fee_share
                )
            )
        else:
            out[:, i] = np.asarray(
                breakeven_power_price_usd_per_kwh(
                    eff, hp, pue=c.pue, pool_fee_share=c.pool_fee_share
                )
            )
    return out.reshape(len(hashrate_ths), *shape)


@dataclass(frozen=True)
class FleetGrid:
    """Fleet totals and per-group cash profit at every cell (arrays ``(*axis lengths)``)."""

    cash_profit_usd_per_day: FloatArray
    all_in_profit_usd_per_day: FloatArray
    group_cash_profit_usd_per_day: FloatArray  # (groups, *axis lengths)


def fleet_grid(
    groups: GroupArrays,
    base: GridInputs,
    axes: Sequence[tuple[str, Sequence[float]]],
    *,
    fixed_opex_usd_per_day: float = 0.0,
    fleet_capex_usd: float = 0.0,
    fleet_depreciation_months: float = 36.0,
) -> FleetGrid:
    """:func:`evaluate_fleet` at every grid cell (a power-price axis sets every group's)."""
    shape = [len(v) for _, v in axes]
    cells = list(itertools.product(*[v for _, v in axes])) if axes else [()]
    keys = [k for k, _ in axes]
    cash = np.empty(len(cells))
    allin = np.empty(len(cells))
    per = np.empty((len(groups.count), len(cells)))
    for i, combo in enumerate(cells):
        c = _cell(base, dict(zip(keys, combo, strict=True)))
        g = groups
        if c.power_price_usd_per_kwh is not None:
            g = replace(
                groups,
                power_price_usd_per_kwh=np.full(len(groups.count), c.power_price_usd_per_kwh),
            )
        hv = float(
            np.asarray(
                hashvalue_btc_per_phs_day(
                    c.difficulty, c.subsidy_btc_per_block + c.fees_btc_per_block
                )
            )
        )
        res = evaluate_fleet(
            g,
            hashvalue_btc_per_phs_day=hv,
            btc_price_usd=c.btc_price_usd,
            pool_fee_share=c.pool_fee_share,
            fixed_opex_usd_per_day=fixed_opex_usd_per_day,
            fleet_capex_usd=fleet_capex_usd,
            fleet_depreciation_months=fleet_depreciation_months,
        )
        cash[i] = res.total_cash_profit_usd_per_day
        allin[i] = res.total_all_in_profit_usd_per_day
        per[:, i] = res.cash_profit_usd_per_day
    return FleetGrid(
        cash_profit_usd_per_day=cash.reshape(shape),
        all_in_profit_usd_per_day=allin.reshape(shape),
        group_cash_profit_usd_per_day=per.reshape(len(groups.count), *shape),
    )


__all__ = ["GRID_KEYS", "MACHINE_METRICS", "FleetGrid", "GridInputs", "fleet_grid", "machines_grid"]
