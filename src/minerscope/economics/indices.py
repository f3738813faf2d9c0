"""Miner indices: the Puell multiple and minerscope's open miner-sustainability index.

The **minerscope sustainability index** is ours: CryptoQuant's "Miner Profit/Loss
Sustainability" formula is unpublished (RESEARCH.md section 1.5), so this is an open,
documented alternative, not a copy. It compares what miners are paid with what it costs them
to produce a coin:

- ratio = BTC price / best-guess bottom-up electricity cost per BTC (equivalently hashprice /
  breakeven hashprice of the best-guess fleet; RESEARCH.md section 3.10 (b));
- score = the percentile (0 to 100) of today's ratio among the trailing window (730 days by
  default): the share of days in the window, today included, whose ratio is at or below
  today's;
- bands: below 20 "extremely underpaid", 20 to 40 "underpaid", 40 to 60 "fair", 60 to 80
  "well paid", above 80 "overpaid".

References
----------
.. [1] Puell multiple: daily issuance value / its 365-day mean (Glassnode academy;
   CryptoQuant data guide, thresholds 4 and 0.5). RESEARCH.md section 3.9.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._rolling import as_float_array, like, rolling_mean, rolling_percentile_rank
from ._types import Numeric

PUELL_WINDOW_DAYS = 365
SUSTAINABILITY_WINDOW_DAYS = 730
SUSTAINABILITY_MIN_DAYS = 365
SUSTAINABILITY_BANDS: tuple[tuple[float, str], ...] = (
    (20.0, "extremely underpaid"),
    (40.0, "underpaid"),
    (60.0, "fair"),
    (80.0, "well paid"),
    (100.0, "overpaid"),
)


def puell_multiple(issuance_usd: Any, *, window_days: int = PUELL_WINDOW_DAYS) -> Any:
    """Puell multiple: the day's issuance value over its trailing mean.

    Parameters
    ----------
    issuance_usd : ndarray or Series
        Daily value of newly issued coins (subsidy only), in date order. [USD/day]
    window_days : int
        Length of the trailing mean, the day included. [days]

    Returns
    -------
    ndarray or Series
        issuance / SMA_window(issuance); NaN until the window is full (and where a day in
        it is missing). [unitless]
    """
    x = as_float_array(issuance_usd)
    with np.errstate(invalid="ignore", divide="ignore"):
        return like(issuance_usd, x / rolling_mean(x, window_days))


def puell_multiple_halving_adjusted(
    revenue_usd: Any,
    subsidy_btc_per_block: Any,
    *,
    window_days: int = PUELL_WINDOW_DAYS,
) -> Any:
    """Puell multiple with fees, in units of the era's subsidy (halvings do not halve it).

    Parameters
    ----------
    revenue_usd : ndarray or Series
        Daily subsidy plus fees valued at the price. [USD/day]
    subsidy_btc_per_block : ndarray or Series
        The subsidy per block in force that day. [BTC]
    window_days : int
        Trailing-mean length. [days]

    Returns
    -------
    ndarray or Series
        x / SMA_window(x) with x = revenue / subsidy per block (RESEARCH.md section 3.9:
        "a version that includes fees, normalised per halving era"). [unitless]
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        x = as_float_array(revenue_usd) / as_float_array(subsidy_btc_per_block)
        return like(revenue_usd, x / rolling_mean(x, window_days))


def sustainability_ratio(btc_price_usd: Numeric, cost_usd_per_btc: Numeric) -> Numeric:
    """Revenue per BTC over the cost to produce it (price / cost). [unitless]"""
    return btc_price_usd / cost_usd_per_btc


def sustainability_score(
    ratio: Any,
    *,
    window_days: int = SUSTAINABILITY_WINDOW_DAYS,
    min_days: int = SUSTAINABILITY_MIN_DAYS,
) -> Any:
    """Percentile score (0 to 100) of each day's ratio within its trailing window.

    Parameters
    ----------
    ratio : ndarray or Series
        Daily sustainability ratio in date order. [unitless]
    window_days : int
        Trailing window, the day included. [days]
    min_days : int
        Days with a ratio needed before a score is given. [days]

    Returns
    -------
    ndarray or Series
        100 * (days in the window with ratio <= today's) / (days in the window with a
        ratio); NaN on a day without a ratio or with fewer than ``min_days`` in the
        window. [0..100]
    """
    return like(ratio, rolling_percentile_rank(as_float_array(ratio), window_days, min_days))


def sustainability_bands(scores: Any) -> list[str | None]:
    """The band name of each score (None for NaN): :func:`sustainability_band` on an array."""
    x = np.asarray(scores, dtype=np.float64)
    uppers = np.array([u for u, _ in SUSTAINABILITY_BANDS[:-1]])
    names = np.array([n for _, n in SUSTAINABILITY_BANDS] + [None], dtype=object)
    idx = np.searchsorted(uppers, x, side="right")
    idx = np.where(np.isfinite(x), idx, len(SUSTAINABILITY_BANDS))
    return list(names[idx].tolist())


def sustainability_band(score: float | None) -> str | None:
    """The band name of a score, or None for NaN."""
    if score is None or not np.isfinite(score):
        return None
    for upper, name in SUSTAINABILITY_BANDS:
        if score < upper:
            return name
    return SUSTAINABILITY_BANDS[-1][1]
