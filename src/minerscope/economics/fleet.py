"""Fleet profit and loss: machine groups at sites, evaluated together with numpy.

A fleet is a set of machine groups. Each group has a per-machine hash rate and power, a count,
an uptime, and the electricity terms of its site (price, PUE, hosting fee per kWh). The fleet
adds a pool fee, fixed opex per day and capex written off straight-line.

Notes
-----
Per group, per day (RESEARCH.md section 3.6, "Fleet P&L"):

- BTC earned = count * TH/s / 1000 * hashvalue * (1 - pool fee) * uptime
- power cost = count * W * 0.024 * price * PUE * uptime; hosting = the same energy * fee
- cash profit = revenue - power - hosting (the costs a switch-off avoids)
- depreciation = count * capex per machine / (months * 30.4375 days)

Fleet: cash cost = power + hosting + fixed opex; all-in cost = cash cost + depreciation of
the groups and of the fleet's own capex. Cost per BTC = cost / BTC earned. A group whose cash
profit is negative earns less than the power it burns and should be switched off now.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..units import HOURS_PER_DAY, HPS_PER_PHS, HPS_PER_THS, W_PER_KW

FloatArray = npt.NDArray[np.float64]
DAYS_PER_MONTH: float = 365.25 / 12  # 30.4375 days: straight-line depreciation per month
_THS_PER_PHS = HPS_PER_PHS / HPS_PER_THS
_KWH_PER_W_DAY = HOURS_PER_DAY / W_PER_KW


@dataclass(frozen=True)
class GroupArrays:
    """Machine groups as parallel arrays (one entry per group)."""

    hashrate_ths: FloatArray  # per machine [TH/s]
    power_w: FloatArray  # per machine [W]
    count: FloatArray  # machines [count]
    uptime_share: FloatArray  # [0..1]
    power_price_usd_per_kwh: FloatArray  # the group's site price [USD/kWh]
    pue: FloatArray  # the group's site PUE [unitless]
    hosting_fee_usd_per_kwh: FloatArray  # on site energy [USD/kWh]
    capex_usd_per_machine: FloatArray  # [USD]
    depreciation_months: FloatArray  # straight-line write-off period [months]


@dataclass(frozen=True)
class FleetResult:
    """Per-group arrays and fleet totals, all per day."""

    btc_per_day: FloatArray
    revenue_usd_per_day: FloatArray
    power_cost_usd_per_day: FloatArray
    hosting_usd_per_day: FloatArray
    cash_profit_usd_per_day: FloatArray
    depreciation_usd_per_day: FloatArray
    all_in_profit_usd_per_day: FloatArray
    energy_kwh_per_day: FloatArray
    breakeven_power_price_usd_per_kwh: FloatArray
    shutdown_price_usd: FloatArray
    switch_off: npt.NDArray[np.bool_]
    total_btc_per_day: float
    total_revenue_usd_per_day: float
    total_power_cost_usd_per_day: float
    total_hosting_usd_per_day: float
    fixed_opex_usd_per_day: float
    total_depreciation_usd_per_day: float
    total_cash_cost_usd_per_day: float
    total_all_in_cost_usd_per_day: float
    total_cash_profit_usd_per_day: float
    total_all_in_profit_usd_per_day: float
    cash_cost_usd_per_btc: float
    all_in_cost_usd_per_btc: float
    profit_if_switched_usd_per_day: float


def evaluate_fleet(
    groups: GroupArrays,
    *,
    hashvalue_btc_per_phs_day: float,
    btc_price_usd: float,
    pool_fee_share: float = 0.0,
    fixed_opex_usd_per_day: float = 0.0,
    fleet_capex_usd: float = 0.0,
    fleet_depreciation_months: float = 36.0,
) -> FleetResult:
    """Revenue, costs and profit per day of every group and of the fleet.

    Parameters
    ----------
    groups : GroupArrays
        The machine groups. [see fields]
    hashvalue_btc_per_phs_day : float
        Difficulty-implied hashvalue. [BTC/(PH/s)/day]
    btc_price_usd : float
        BTC price. [USD/BTC]
    pool_fee_share : float
        Pool fee on revenue. [0..1]
    fixed_opex_usd_per_day : float
        Staff, rent, insurance: paid whether machines run or not. [USD/day]
    fleet_capex_usd : float
        Capex not tied to a group (buildings, transformers). [USD]
    fleet_depreciation_months : float
        Write-off period of ``fleet_capex_usd``. [months]

    Returns
    -------
    FleetResult
        Per-group arrays and totals. Costs per BTC are NaN when the fleet earns nothing.
    """
    running = groups.count * groups.uptime_share
    btc = (
        running
        * groups.hashrate_ths
        / _THS_PER_PHS
        * hashvalue_btc_per_phs_day
        * (1.0 - pool_fee_share)
    )
    revenue = btc * btc_price_usd
    energy_kwh = running * groups.power_w * _KWH_PER_W_DAY * groups.pue
    power_cost = energy_kwh * groups.power_price_usd_per_kwh
    hosting = energy_kwh * groups.hosting_fee_usd_per_kwh
    cash_profit = revenue - power_cost - hosting
    depreciation = (
        groups.count * groups.capex_usd_per_machine / (groups.depreciation_months * DAYS_PER_MONTH)
    )
    all_in_profit = cash_profit - depreciation
    efficiency = groups.power_w / groups.hashrate_ths
    hashprice_per_ths = hashvalue_btc_per_phs_day * btc_price_usd / _THS_PER_PHS
    breakeven_power = (
        hashprice_per_ths * (1.0 - pool_fee_share) / (efficiency * _KWH_PER_W_DAY * groups.pue)
        - groups.hosting_fee_usd_per_kwh
    )
    per_machine_btc = (
        groups.hashrate_ths / _THS_PER_PHS * hashvalue_btc_per_phs_day * (1.0 - pool_fee_share)
    )
    per_machine_cost = (
        groups.power_w
        * _KWH_PER_W_DAY
        * groups.pue
        * (groups.power_price_usd_per_kwh + groups.hosting_fee_usd_per_kwh)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        shutdown = np.where(per_machine_btc > 0, per_machine_cost / per_machine_btc, np.nan)
    switch_off = (cash_profit < 0) & (running > 0)

    total_btc = float(btc.sum())
    total_power = float(power_cost.sum())
    total_hosting = float(hosting.sum())
    fleet_dep = fleet_capex_usd / (fleet_depreciation_months * DAYS_PER_MONTH)
    total_dep = float(depreciation.sum()) + fleet_dep
    cash_cost = total_power + total_hosting + fixed_opex_usd_per_day
    all_in_cost = cash_cost + total_dep
    total_revenue = float(revenue.sum())
    nan = float("nan")
    return FleetResult(
        btc_per_day=btc,
        revenue_usd_per_day=revenue,
        power_cost_usd_per_day=power_cost,
        hosting_usd_per_day=hosting,
        cash_profit_usd_per_day=cash_profit,
        depreciation_usd_per_day=depreciation,
        all_in_profit_usd_per_day=all_in_profit,
        energy_kwh_per_day=energy_kwh,
        breakeven_power_price_usd_per_kwh=breakeven_power,
        shutdown_price_usd=shutdown,
        switch_off=switch_off,
        total_btc_per_day=total_btc,
        total_revenue_usd_per_day=total_revenue,
        total_power_cost_usd_per_day=total_power,
        total_hosting_usd_per_day=total_hosting,
        fixed_opex_usd_per_day=fixed_opex_usd_per_day,
        total_depreciation_usd_per_day=total_dep,
        total_cash_cost_usd_per_day=cash_cost,
        total_all_in_cost_usd_per_day=all_in_cost,
        total_cash_profit_usd_per_day=total_revenue - cash_cost,
        total_all_in_profit_usd_per_day=total_revenue - all_in_cost,
        cash_cost_usd_per_btc=cash_cost / total_btc if total_btc > 0 else nan,
        all_in_cost_usd_per_btc=all_in_cost / total_btc if total_btc > 0 else nan,
        profit_if_switched_usd_per_day=total_revenue
        - cash_cost
        - float(cash_profit[switch_off].sum()),
    )
