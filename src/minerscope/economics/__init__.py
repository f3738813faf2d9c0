"""Miner economics: numbers in, numbers out (scalar, ndarray or Series), no I/O, no clock.

- :mod:`.hashprice`: hashvalue and hashprice, difficulty-implied and realised;
- :mod:`.revenue`: miner revenue, fee share, trailing means;
- :mod:`.machines`: per-machine revenue, power cost, breakeven BTC and power price;
- :mod:`.fleet`: fleet profit and loss over machine groups;
- :mod:`.production_cost`: the network's cost to produce one BTC, by several methods;
- :mod:`.indices`: Puell multiple and minerscope's open sustainability index;
- :mod:`.history`: the daily history of all of the above;
- :mod:`.catalog`: catalog look-ups and arrays (files: :mod:`minerscope.sources.catalog`).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .fleet import FleetResult, GroupArrays, evaluate_fleet
    from .hashprice import (
        HASHES_PER_DIFFICULTY,
        HASHES_PER_DIFFICULTY_APPROX,
        blocks_per_phs_day,
        expected_hashes_per_block,
        hashprice_usd_per_phs_day,
        hashrate_hps_from_blocks,
        hashvalue_btc_per_phs_day,
        hashvalue_sat_per_phs_day,
        realised_hashvalue_btc_per_phs_day,
    )
    from .indices import (
        puell_multiple,
        puell_multiple_halving_adjusted,
        sustainability_band,
        sustainability_ratio,
        sustainability_score,
    )
    from .machines import (
        breakeven_btc_price_usd,
        breakeven_power_price_usd_per_kwh,
        btc_mined_per_day,
        electricity_kwh_per_btc,
        power_cost_usd_per_day,
        revenue_usd_per_day,
    )
    from .production_cost import (
        BottomUpCost,
        CostAssumptions,
        DrmFit,
        bottom_up_cost,
        drm_expanding_fit,
        drm_price_usd,
        fit_drm,
    )
    from .revenue import fee_share, revenue_btc, revenue_usd, trailing_mean

# Names are loaded on first use (PEP 562): ``machines`` and ``hashprice`` need only the
# standard library, and a command that uses them starts without numpy.
_MODULE_OF: dict[str, str] = {
    "BottomUpCost": "production_cost",
    "CostAssumptions": "production_cost",
    "DrmFit": "production_cost",
    "FleetResult": "fleet",
    "GroupArrays": "fleet",
    "HASHES_PER_DIFFICULTY": "hashprice",
    "HASHES_PER_DIFFICULTY_APPROX": "hashprice",
    "blocks_per_phs_day": "hashprice",
    "bottom_up_cost": "production_cost",
    "breakeven_btc_price_usd": "machines",
    "breakeven_power_price_usd_per_kwh": "machines",
    "btc_mined_per_day": "machines",
    "drm_expanding_fit": "production_cost",
    "drm_price_usd": "production_cost",
    "electricity_kwh_per_btc": "machines",
    "evaluate_fleet": "fleet",
    "expected_hashes_per_block": "hashprice",
    "fee_share": "revenue",
    "fit_drm": "production_cost",
    "hashprice_usd_per_phs_day": "hashprice",
    "hashrate_hps_from_blocks": "hashprice",
    "hashvalue_btc_per_phs_day": "hashprice",
    "hashvalue_sat_per_phs_day": "hashprice",
    "power_cost_usd_per_day": "machines",
    "puell_multiple": "indices",
    "puell_multiple_halving_adjusted": "indices",
    "realised_hashvalue_btc_per_phs_day": "hashprice",
    "revenue_btc": "revenue",
    "revenue_usd": "revenue",
    "revenue_usd_per_day": "machines",
    "sustainability_band": "indices",
    "sustainability_ratio": "indices",
    "sustainability_score": "indices",
    "trailing_mean": "revenue",
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'minerscope.economics' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)


__all__ = [
    "HASHES_PER_DIFFICULTY",
    "HASHES_PER_DIFFICULTY_APPROX",
    "BottomUpCost",
    "CostAssumptions",
    "DrmFit",
    "FleetResult",
    "GroupArrays",
    "blocks_per_phs_day",
    "bottom_up_cost",
    "breakeven_btc_price_usd",
    "breakeven_power_price_usd_per_kwh",
    "btc_mined_per_day",
    "drm_expanding_fit",
    "drm_price_usd",
    "electricity_kwh_per_btc",
    "evaluate_fleet",
    "expected_hashes_per_block",
    "fee_share",
    "fit_drm",
    "hashprice_usd_per_phs_day",
    "hashrate_hps_from_blocks",
    "hashvalue_btc_per_phs_day",
    "hashvalue_sat_per_phs_day",
    "power_cost_usd_per_day",
    "puell_multiple",
    "puell_multiple_halving_adjusted",
    "realised_hashvalue_btc_per_phs_day",
    "revenue_btc",
    "revenue_usd",
    "revenue_usd_per_day",
    "sustainability_band",
    "sustainability_ratio",
    "sustainability_score",
    "trailing_mean",
]
