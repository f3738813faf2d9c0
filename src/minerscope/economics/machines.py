"""Per-machine economics: revenue, power cost, profit, breakevens and cost per BTC.

Every function is vectorised: pass one machine as floats or a whole catalog as arrays.

References
----------
.. [1] ../shared/docs/RESEARCH.md section 3.6 (kWh per BTC, breakeven BTC price and power price;
   worked examples at D = 141.67 T, R = 3.145 BTC, $0.08/kWh, PUE 1).
.. [2] ViaBTC, shutdown-price formula and Antminer S19 example (quoted in
   ../shared/data/breakeven_claims.md): daily BTC = TH/s * 86,400 / (D * 2**32) * (reward +
   fees); shutdown price = $/kWh * kW * 24 / daily BTC.
"""

from __future__ import annotations

from ..units import HOURS_PER_DAY, HPS_PER_PHS, HPS_PER_THS, J_PER_KWH, W_PER_KW
from ._types import Numeric
from .hashprice import HASHES_PER_DIFFICULTY, expected_hashes_per_block, hashvalue_btc_per_phs_day

_THS_PER_PHS = HPS_PER_PHS / HPS_PER_THS  # 1000 TH/s in one PH/s
_KWH_PER_W_DAY = HOURS_PER_DAY / W_PER_KW  # 1 W for a day = 0.024 kWh


def btc_mined_per_day(
    hashrate_ths: Numeric,
    difficulty: Numeric,
    reward_btc_per_block: Numeric,
    *,
    pool_fee_share: Numeric = 0.0,
    uptime_share: Numeric = 1.0,
    hashes_per_difficulty: float = HASHES_PER_DIFFICULTY,
) -> Numeric:
    """Expected BTC a machine is paid per day (FPPS, after the pool fee).

    Parameters
    ----------
    hashrate_ths : numeric
        Machine hash rate. [TH/s]
    difficulty : numeric
        Network difficulty. [unitless]
    reward_btc_per_block : numeric
        Subsidy plus mean fees per block. [BTC]
    pool_fee_share : numeric
        Pool fee as a fraction of revenue (0.02 = 2 %). [0..1]
    uptime_share : numeric
        Fraction of the day the machine hashes. [0..1]
    hashes_per_difficulty : float
        Hashes per unit of difficulty (exact 2**48/65535 by default). [hashes]

    Returns
    -------
    numeric
        TH/s / 1000 * hashvalue * (1 - pool fee) * uptime. [BTC/day]
    """
    hashvalue = hashvalue_btc_per_phs_day(
        difficulty, reward_btc_per_block, hashes_per_difficulty=hashes_per_difficulty
    )
    return hashrate_ths / _THS_PER_PHS * hashvalue * (1.0 - pool_fee_share) * uptime_share


def revenue_usd_per_day(
    hashrate_ths: Numeric,
    hashprice_usd_per_phs_day: Numeric,
    *,
    pool_fee_share: Numeric = 0.0,
    uptime_share: Numeric = 1.0,
) -> Numeric:
    """Expected USD revenue of a machine per day.

    Parameters
    ----------
    hashrate_ths : numeric
        Machine hash rate. [TH/s]
    hashprice_usd_per_phs_day : numeric
        Difficulty-implied hashprice. [USD/(PH/s)/day]
    pool_fee_share : numeric
        Pool fee. [0..1]
    uptime_share : numeric
        Fraction of the day hashing. [0..1]

    Returns
    -------
    numeric
        TH/s / 1000 * hashprice * (1 - fee) * uptime. [USD/day]
    """
    return (
        hashrate_ths / _THS_PER_PHS * hashprice_usd_per_phs_day * (1.0 - pool_fee_share)
    ) * uptime_share


def power_cost_usd_per_day(
    power_w: Numeric,
    power_price_usd_per_kwh: Numeric,
    *,
    pue: Numeric = 1.0,
    uptime_share: Numeric = 1.0,
) -> Numeric:
    """Electricity cost of a machine per day, including cooling overhead (PUE).

    Parameters
    ----------
    power_w : numeric
        Machine wall power. [W]
    power_price_usd_per_kwh : numeric
        Electricity price. [USD/kWh]
    pue : numeric
        Power usage effectiveness: site power / machine power (1.0 = no overhead). [unitless]
    uptime_share : numeric
        Fraction of the day running. [0..1]

    Returns
    -------
    numeric
        W * 0.024 kWh/W/day * price * PUE * uptime. [USD/day]
    """
    return power_w * _KWH_PER_W_DAY * power_price_usd_per_kwh * pue * uptime_share


def electricity_kwh_per_btc(
    efficiency_j_per_th: Numeric,
    difficulty: Numeric,
    reward_btc_per_block: Numeric,
    *,
    pue: Numeric = 1.0,
    pool_fee_share: Numeric = 0.0,
    hashes_per_difficulty: float = HASHES_PER_DIFFICULTY,
) -> Numeric:
    """Site electricity needed to earn one BTC; hash rate cancels out.

    Parameters
    ----------
    efficiency_j_per_th : numeric
        Machine efficiency (= W per TH/s). [J/TH]
    difficulty : numeric
        Network difficulty. [unitless]
    reward_btc_per_block : numeric
        Subsidy plus mean fees per block. [BTC]
    pue : numeric
        Power usage effectiveness. [unitless]
    pool_fee_share : numeric
        Pool fee. [0..1]
    hashes_per_difficulty : float
        Hashes per unit of difficulty (exact by default). [hashes]

    Returns
    -------
    numeric
        E * W / 1e12 / 3.6e6 / R * PUE / (1 - fee). [kWh/BTC]

    Notes
    -----
    RESEARCH.md section 3.6. S21 (17.5 J/TH) at D = 141.67 T, R = 3.145: 17.5 * 6.0848e23 /
    1e12 / 3.6e6 / 3.145 = 940,500 kWh per BTC.
    """
    joules_per_block = (
        efficiency_j_per_th
        * expected_hashes_per_block(difficulty, hashes_per_difficulty=hashes_per_difficulty)
        / HPS_PER_THS
    )
    return joules_per_block / J_PER_KWH / reward_btc_per_block * pue / (1.0 - pool_fee_share)


def breakeven_btc_price_usd(
    efficiency_j_per_th: Numeric,
    difficulty: Numeric,
    reward_btc_per_block: Numeric,
    power_price_usd_per_kwh: Numeric,
    *,
    pue: Numeric = 1.0,
    pool_fee_share: Numeric = 0.0,
    hashes_per_difficulty: float = HASHES_PER_DIFFICULTY,
) -> Numeric:
    """Shutdown price: the BTC price at which revenue equals the electricity cost.

    Parameters
    ----------
    efficiency_j_per_th : numeric
        Machine efficiency. [J/TH]
    difficulty : numeric
        Network difficulty. [unitless]
    reward_btc_per_block : numeric
        Subsidy plus mean fees per block. [BTC]
    power_price_usd_per_kwh : numeric
        Electricity price. [USD/kWh]
    pue : numeric
        Power usage effectiveness. [unitless]
    pool_fee_share : numeric
        Pool fee. [0..1]
    hashes_per_difficulty : float
        Hashes per unit of difficulty; pass 2**32 to reproduce pool tables. [hashes]

    Returns
    -------
    numeric
        kWh per BTC * price per kWh; equal to the electricity cost per BTC mined. [USD/BTC]

    Notes
    -----
    RESEARCH.md section 3.6: S21 at D = 141.67 T, R = 3.145, $0.08/kWh: 940,500 * 0.08 =
    $75,240. Same as ViaBTC's shutdown price = $/kWh * kW * 24 / daily BTC.
    """
    return (
        electricity_kwh_per_btc(
            efficiency_j_per_th,
            difficulty,
            reward_btc_per_block,
            pue=pue,
            pool_fee_share=pool_fee_share,
            hashes_per_difficulty=hashes_per_difficulty,
        )
        * power_price_usd_per_kwh
    )


def breakeven_power_price_usd_per_kwh(
    efficiency_j_per_th: Numeric,
    hashprice_usd_per_phs_day: Numeric,
    *,
    pue: Numeric = 1.0,
    pool_fee_share: Numeric = 0.0,
) -> Numeric:
    """The electricity price at which a machine's revenue equals its power cost.

    Parameters
    ----------
    efficiency_j_per_th : numeric
        Machine efficiency. [J/TH]
    hashprice_usd_per_phs_day : numeric
        Difficulty-implied hashprice. [USD/(PH/s)/day]
    pue : numeric
        Power usage effectiveness. [unitless]
    pool_fee_share : numeric
        Pool fee. [0..1]

    Returns
    -------
    numeric
        hashprice [USD/TH/day] * (1 - fee) / (E * 0.024 * PUE). [USD/kWh]

    Notes
    -----
    RESEARCH.md section 3.6: S21 at $31.26/PH/day: 0.03126 / (17.5 * 0.024) = $0.0744/kWh.
    """
    hashprice_usd_per_ths_day = hashprice_usd_per_phs_day / _THS_PER_PHS
    return (
        hashprice_usd_per_ths_day
        * (1.0 - pool_fee_share)
        / (efficiency_j_per_th * _KWH_PER_W_DAY * pue)
    )
