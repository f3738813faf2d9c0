"""BTC price and fee paths, day by day (day-major arrays ``(days, paths)``).

Price methods (each run names the one it used):

- ``fixed``: today's price every day;
- ``growth``: ``P_d = P_0 (1 + g)^(d / 365.25)``;
- ``gbm``: geometric Brownian motion, ``log P_d = log P_0 + (mu - sigma^2 / 2) d / 365.25 +
  sigma W(d / 365.25)`` (``mu``, ``sigma`` per year); with ``sigma = 0`` and ``mu = log(1 + g)``
  it is exactly ``growth``;
- ``bootstrap``: a stationary block bootstrap (mean block 30 days by default) of real daily log
  returns from a chosen era.

Fees per block: ``fixed``, or ``bootstrap`` (real daily fees per block, drawn at the same
historical days as the price when the price is bootstrapped too).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..units import DAYS_PER_YEAR
from .bootstrap import stationary_indices

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.integer[Any]]  # day indices (int32 from the bootstrap)
PRICE_METHODS = ("fixed", "growth", "bootstrap", "gbm")
FEE_METHODS = ("fixed", "bootstrap")


@dataclass(frozen=True)
class PriceModel:
    """How the BTC price moves (see the module docstring).

    Attributes
    ----------
    method : str
        ``fixed``, ``growth``, ``bootstrap`` or ``gbm``.
    price_usd : float
        Today's price. [USD/BTC]
    growth_per_year_share : float
        ``growth``: growth per year. [share]
    mu_per_year : float
        ``gbm``: drift of ``dP/P``. [1/year]
    sigma_per_sqrt_year : float
        ``gbm``: volatility. [1/sqrt(year)]
    log_returns : ndarray, optional
        ``bootstrap``: real daily log returns of the era, in date order. [1]
    mean_block_days : float
        ``bootstrap``: mean block length. [days]
    """

    method: str = "fixed"
    price_usd: float = 0.0
    growth_per_year_share: float = 0.0
    mu_per_year: float = 0.0
    sigma_per_sqrt_year: float = 0.0
    log_returns: FloatArray | None = None
    mean_block_days: float = 30.0

    def describe(self) -> str:
        """One line naming the method and its parameters."""
        p = f"from ${self.price_usd:,.0f}"
        if self.method == "fixed":
            return f"fixed: ${self.price_usd:,.0f} every day"
        if self.method == "growth":
            return f"growth: {100 * self.growth_per_year_share:+g}% per year {p}"
        if self.method == "gbm":
            return (
                f"gbm: drift {100 * self.mu_per_year:+g}%/year, volatility"
                f" {100 * self.sigma_per_sqrt_year:g}%/sqrt(year) {p}"
            )
        n = 0 if self.log_returns is None else len(self.log_returns)
        return (
            f"bootstrap: stationary block bootstrap of {n} real daily log returns, mean block"
            f" {self.mean_block_days:g} days, {p}"
        )


@dataclass(frozen=True)
class FeeModel:
    """Fees per block: fixed, or bootstrapped from real daily rows.

    Attributes
    ----------
    method : str
        ``fixed`` or ``bootstrap``.
    fees_btc : float
        ``fixed``: fees per block every day. [BTC]
    daily_fees_btc : ndarray, optional
        ``bootstrap``: real daily fees per block, in date order. [BTC]
    mean_block_days : float
        ``bootstrap`` (when the price is not bootstrapped): mean block length. [days]
    """

    method: str = "fixed"
    fees_btc: float = 0.0
    daily_fees_btc: FloatArray | None = None
    mean_block_days: float = 30.0

    def describe(self) -> str:
        """One line naming the method."""
        if self.method == "fixed":
            return f"fixed: {self.fees_btc:.5f} BTC per block"
        n = 0 if self.daily_fees_btc is None else len(self.daily_fees_btc)
        return f"bootstrap: real daily fees per block ({n} days)"


def _cumulate_days(a: FloatArray) -> FloatArray:
    """In-place running sum over days (axis 0), row by row (fast for day-major arrays)."""
    for d in range(1, a.shape[0]):
        a[d] += a[d - 1]
    return a


def price_paths(
    model: PriceModel,
    *,
    days: int,
    paths: int,
    rng: np.random.Generator,
    day_index: IntArray | None = None,
) -> FloatArray:
    """Daily BTC prices, day 0 = today. [USD/BTC], shape ``(days, paths)``

    Parameters
    ----------
    model : PriceModel
    days, paths : int
        Size of the result. [days], [paths]
    rng : numpy.random.Generator
        Seeded generator (``gbm`` only; the bootstrap's indices come in ``day_index``).
    day_index : ndarray, optional
        ``bootstrap``: the historical day of each simulated day ``(days, paths)``
        (:func:`joint_day_index`); day 0 is today and takes no return.
    """
    if model.method not in PRICE_METHODS:
        raise ValueError(f"unknown price method {model.method!r}")
    if not (math.isfinite(model.price_usd) and model.price_usd > 0):
        raise ValueError(f"the starting price must be > 0, got {model.price_usd}")
    p0 = float(model.price_usd)
    t_years = np.arange(days, dtype=np.float64)[:, None] / DAYS_PER_YEAR
    if model.method == "fixed":
        return np.full((days, paths), model.price_usd)
    if model.method == "growth":
        rate = math.log1p(model.growth_per_year_share)
        out: FloatArray = p0 * np.exp(rate * t_years) * np.ones((1, paths))
        return out
    if model.method == "gbm":
        mu, sigma = model.mu_per_year, model.sigma_per_sqrt_year
        rate = mu - 0.5 * sigma**2
        steps = rng.standard_normal((days, paths))
        steps[0] = 0.0
        steps *= sigma / math.sqrt(DAYS_PER_YEAR)
        walk = _cumulate_days(steps)
        gbm: FloatArray = p0 * np.exp(rate * t_years + walk)
        return gbm
    if model.log_returns is None or day_index is None:
        raise ValueError("the price bootstrap needs real log returns and day indices")
    r = np.asarray(model.log_returns, dtype=np.float64)[day_index]
    r[0] = 0.0
    r = _cumulate_days(r)
    np.exp(r, out=r)
    r *= p0
    return r


def bootstrap_day_index(
    n_days: int, *, days: int, paths: int, mean_block_days: float, rng: np.random.Generator
) -> IntArray:
    """Historical day of each simulated day (stationary bootstrap), ``(days, paths)``."""
    idx = stationary_indices(n_days, days, paths, mean_block=mean_block_days, rng=rng)
    # as intp: numpy gathers with int32 indices convert them on every use (twice as slow)
    return idx.astype(np.int64)


def fee_paths(
    model: FeeModel, *, days: int, paths: int, day_index: IntArray | None = None
) -> FloatArray | float:
    """Fees per block on each day: a float (fixed) or ``(days, paths)``. [BTC]"""
    if model.method not in FEE_METHODS:
        raise ValueError(f"unknown fee method {model.method!r}")
    if model.method == "fixed":
        return float(model.fees_btc)
    if model.daily_fees_btc is None or day_index is None:
        raise ValueError("the fee bootstrap needs real daily fees and day indices")
    out: FloatArray = np.asarray(model.daily_fees_btc, dtype=np.float64)[day_index]
    return out


__all__ = [
    "FEE_METHODS",
    "PRICE_METHODS",
    "FeeModel",
    "PriceModel",
    "bootstrap_day_index",
    "fee_paths",
    "price_paths",
]
