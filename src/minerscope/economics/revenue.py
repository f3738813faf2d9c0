"""Miner revenue: subsidy plus fees, in BTC and USD, fee share and trailing means.

Numbers in, numbers out: amounts come in as sat (as stored) or BTC, prices in USD/BTC.
"""

from __future__ import annotations

from typing import Any

from ..units import SAT_PER_BTC
from ._rolling import as_float_array, like, rolling_mean
from ._types import Numeric


def revenue_btc(subsidy_sat: Numeric, fees_sat: Numeric) -> Numeric:
    """Miner revenue in BTC: newly issued coins plus the fees actually mined.

    Parameters
    ----------
    subsidy_sat : numeric
        Coinbase subsidy of the blocks counted. [sat]
    fees_sat : numeric
        Fees of the same blocks. [sat]

    Returns
    -------
    numeric
        (subsidy + fees) / 1e8. [BTC]
    """
    return (subsidy_sat + fees_sat) / SAT_PER_BTC


def revenue_usd(subsidy_sat: Numeric, fees_sat: Numeric, btc_price_usd: Numeric) -> Numeric:
    """Miner revenue valued at a BTC price.

    Parameters
    ----------
    subsidy_sat, fees_sat : numeric
        Subsidy and fees mined. [sat]
    btc_price_usd : numeric
        The day's price. [USD/BTC]

    Returns
    -------
    numeric
        Revenue. [USD]

    Notes
    -----
    2026-01-22 in the reference daily file: (503.125 + 2.28662075) BTC * $89,395.70 =
    $45.18M; 2026-01-24: (306.25 + 2.01546836) * $89,185.04 = $27.49M.
    """
    return revenue_btc(subsidy_sat, fees_sat) * btc_price_usd


def fee_share(subsidy_sat: Numeric, fees_sat: Numeric) -> Numeric:
    """Fees as a fraction of miner revenue: fees / (subsidy + fees). [0..1]"""
    return fees_sat / (subsidy_sat + fees_sat)


def trailing_mean(values: Any, window_days: int) -> Any:
    """Trailing mean over ``window_days`` rows ending at each row (NaN until the window fills).

    Parameters
    ----------
    values : ndarray or Series
        A daily series in date order. [any unit]
    window_days : int
        Window length. [days]

    Returns
    -------
    ndarray or Series
        Same shape (a Series keeps its index); each value averages that day and the
        ``window_days - 1`` before it, NaN when one of them is missing.
    """
    return like(values, rolling_mean(as_float_array(values), window_days))
