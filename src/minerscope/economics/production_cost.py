"""The network's cost to produce one BTC, by several documented methods, as a range.

"Cost to produce a coin" is not one number (RESEARCH.md section 0, item 3: $38k to $92k for
the same date depending on method). This module computes each method with its assumptions
explicit, so a report can show the spread:

1. **Bottom-up, CBECI-style** (:func:`bottom_up_cost`): the electricity cost per BTC of the
   hardware that is profitable at the day's price, with a lower bound (all hash from the most
   efficient model released), an upper bound (all hash from the least efficient model still
   profitable) and a best guess (equal-weight basket of the profitable models released in the
   last five years, CBECI's pre-2023 method). Electricity-only and all-in (other opex as a
   share of electricity plus capex written off per BTC) are both reported.
2. **Difficulty regression** (:func:`drm_price_usd`, :func:`fit_drm`,
   :func:`drm_expanding_fit`): Glassnode's model market cap = exp(a + b ln D), price = market
   cap / supply, with Glassnode's published constants and re-fitted on our daily data using
   only the days known at each date.

References
----------
.. [1] Cambridge Bitcoin Electricity Consumption Index (CBECI) methodology: lower, upper and
   best-guess bounds over profitable hardware (RESEARCH.md section 1.8).
.. [2] Glassnode, Difficulty Regression Model, a = 10.2560, b = 0.5250, difficulty in
   hashes / 2**32 (RESEARCH.md section 1.6); published constants give ~$38k at 141.67 T.
.. [3] CoinShares mining reports 2019: 15 % non-electricity opex, 30-month depreciation
   (../shared/data/breakeven_claims.md).
.. [4] TheMinerMag 2023-10-11: S21 preorders at $14/TH; Hashrate Index: new-generation ASICs
   at $14.88/TH at the end of 2022 (../shared/data/breakeven_claims.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..units import HPS_PER_THS, J_PER_KWH, SECONDS_PER_DAY, SECONDS_PER_YEAR
from .hashprice import HASHES_PER_DIFFICULTY

FloatArray = npt.NDArray[np.float64]
SECONDS_PER_5_YEARS = 5 * SECONDS_PER_YEAR  # the best-guess basket: models of the last 5 years

#: Glassnode's published Difficulty Regression Model constants (fit to 2022-09-14).
DRM_PUBLISHED_A = 10.2560
DRM_PUBLISHED_B = 0.5250


@dataclass(frozen=True)
class CostAssumptions:
    """The inputs of the bottom-up model; every figure it reports depends on these.

    Defaults: $0.05/kWh and PUE 1.01 / 1.10 / 1.20 for lower / best / upper follow the
    CBECI description in RESEARCH.md section 1.8 (marked unverified there); 15 % other opex
    and 30-month depreciation are CoinShares' 2019 assumptions; $15/TH is the S21 preorder
    price ($14/TH, TheMinerMag 2023) and Hashrate Index's new-gen index ($14.88/TH, end 2022).
    """

    power_price_usd_per_kwh: float = 0.05  # [USD/kWh]
    pue_lower: float = 1.01  # [unitless]
    pue_best: float = 1.10  # [unitless]
    pue_upper: float = 1.20  # [unitless]
    basket_age_s: int = SECONDS_PER_5_YEARS  # best-guess basket: models released within [s]
    other_opex_share: float = 0.15  # non-electricity opex as a share of electricity [0..1]
    capex_usd_per_th: float = 15.0  # machine price per TH/s [USD/(TH/s)]
    depreciation_days: float = 30 * 365.25 / 12  # 30 months [days]


@dataclass(frozen=True)
class BottomUpCost:
    """Bottom-up cost per BTC, one entry per evaluated day (NaN where no model was out)."""

    electricity_lower_usd_per_btc: FloatArray
    electricity_best_usd_per_btc: FloatArray
    electricity_upper_usd_per_btc: FloatArray
    all_in_lower_usd_per_btc: FloatArray
    all_in_best_usd_per_btc: FloatArray
    all_in_upper_usd_per_btc: FloatArray
    best_efficiency_j_per_th: FloatArray  # mean efficiency of the best-guess basket
    upper_efficiency_j_per_th: FloatArray
    lower_efficiency_j_per_th: FloatArray
    profitable_models: npt.NDArray[np.int64]  # released models profitable that day
    basket_models: npt.NDArray[np.int64]  # models in the best-guess basket


def _as_array(x: float | npt.ArrayLike) -> FloatArray:
    return np.atleast_1d(np.asarray(x, dtype=np.float64))


def bottom_up_cost(
    efficiency_j_per_th: npt.ArrayLike,
    release_time_s: npt.ArrayLike,
    *,
    time_s: npt.ArrayLike,
    difficulty: npt.ArrayLike,
    reward_btc_per_block: npt.ArrayLike,
    btc_price_usd: npt.ArrayLike,
    assumptions: CostAssumptions = CostAssumptions(),  # noqa: B008 (frozen dataclass)
    hashes_per_difficulty: float = HASHES_PER_DIFFICULTY,
) -> BottomUpCost:
    """CBECI-style bottom-up electricity and all-in cost to produce one BTC.

    Parameters
    ----------
    efficiency_j_per_th : array_like
        Efficiency of each catalog model. [J/TH]
    release_time_s : array_like
        Release time of each model (NaN = unknown; such models are left out). [Unix s]
    time_s : array_like
        The moments evaluated (a model counts once released). [Unix s]
    difficulty : array_like
        Difficulty at each moment. [unitless]
    reward_btc_per_block : array_like
        Subsidy plus mean fees per block at each moment. [BTC]
    btc_price_usd : array_like
        BTC price at each moment (decides which models are profitable). [USD/BTC]
    assumptions : CostAssumptions
        Power price, PUEs, basket age, opex share, capex per TH, depreciation.
    hashes_per_difficulty : float
        Hashes per unit of difficulty (exact by default). [hashes]

    Returns
    -------
    BottomUpCost
        Arrays of one entry per moment. [USD/BTC], [J/TH], [count]

    Notes
    -----
    Electricity per BTC for efficiency E is E * W / 1e12 / 3.6e6 / R * p * PUE
    (RESEARCH.md section 3.6); a model is profitable when that cost at the best-guess PUE is
    below the price. Lower = most efficient released model at PUE_lower; upper = least
    efficient profitable model at PUE_upper; best = mean efficiency of the profitable models
    released within ``basket_age_s`` at PUE_best (falling back to all profitable models, then
    to the most efficient one, when the set is empty). All-in = electricity * (1 + other
    opex share) + capex per BTC, with capex per BTC = $/TH / (depreciation days * BTC earned
    per TH/s per day), the same for every bound.
    """
    a = assumptions
    eff = _as_array(efficiency_j_per_th)[:, None]  # (m, 1)
    rel = _as_array(release_time_s)[:, None]
    t = _as_array(time_s)[None, :]  # (1, n)
    d = _as_array(difficulty)
    r = _as_array(reward_btc_per_block)
    price = _as_array(btc_price_usd)
    # kWh per BTC per (J/TH) at each moment: W / 1e12 / 3.6e6 / R
    kwh_per_btc_per_jth = d * hashes_per_difficulty / HPS_PER_THS / J_PER_KWH / r
    unit_cost = kwh_per_btc_per_jth * a.power_price_usd_per_kwh  # USD/BTC per J/TH at PUE 1
    released = np.isfinite(rel) & (rel <= t)  # (m, n)
    profitable = released & (eff * unit_cost[None, :] * a.pue_best <= price[None, :])
    in_basket = profitable & (rel >= t - a.basket_age_s)

    inf = np.inf
    lower_eff = np.where(released, eff, inf).min(axis=0)
    lower_eff = np.where(np.isfinite(lower_eff), lower_eff, np.nan)
    upper_eff = np.where(profitable, eff, -inf).max(axis=0)
    upper_eff = np.where(np.isfinite(upper_eff), upper_eff, lower_eff)
    n_basket = in_basket.sum(axis=0)
    n_profitable = profitable.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        basket_mean = (np.where(in_basket, eff, 0.0).sum(axis=0)) / n_basket
        profitable_mean = (np.where(profitable, eff, 0.0).sum(axis=0)) / n_profitable
    best_eff = np.where(
        n_basket > 0, basket_mean, np.where(n_profitable > 0, profitable_mean, lower_eff)
    )

    elec_lower = lower_eff * unit_cost * a.pue_lower
    elec_best = best_eff * unit_cost * a.pue_best
    elec_upper = upper_eff * unit_cost * a.pue_upper
    # BTC earned per TH/s per day = 1e12 * 86,400 / W * R
    btc_per_th_day = HPS_PER_THS * SECONDS_PER_DAY / (d * hashes_per_difficulty) * r
    capex_per_btc = a.capex_usd_per_th / (a.depreciation_days * btc_per_th_day)
    uplift = 1.0 + a.other_opex_share
    return BottomUpCost(
        electricity_lower_usd_per_btc=elec_lower,
        electricity_best_usd_per_btc=elec_best,
        electricity_upper_usd_per_btc=elec_upper,
        all_in_lower_usd_per_btc=elec_lower * uplift + capex_per_btc,
        all_in_best_usd_per_btc=elec_best * uplift + capex_per_btc,
        all_in_upper_usd_per_btc=elec_upper * uplift + capex_per_btc,
        best_efficiency_j_per_th=best_eff,
        upper_efficiency_j_per_th=upper_eff,
        lower_efficiency_j_per_th=lower_eff,
        profitable_models=n_profitable.astype(np.int64),
        basket_models=n_basket.astype(np.int64),
    )


def drm_price_usd(
    difficulty: npt.ArrayLike,
    supply_btc: npt.ArrayLike,
    *,
    a: float | npt.ArrayLike = DRM_PUBLISHED_A,
    b: float | npt.ArrayLike = DRM_PUBLISHED_B,
) -> FloatArray:
    """Difficulty Regression Model price: exp(a + b ln D) / supply.

    Parameters
    ----------
    difficulty : array_like
        Difficulty in the usual units (Glassnode's hashes / 2**32). [unitless]
    supply_btc : array_like
        Coins issued so far. [BTC]
    a, b : float or array_like
        Model constants (Glassnode's published ones by default, or a re-fit). [unitless]

    Returns
    -------
    ndarray
        Model price, read as the cost to produce one BTC. [USD/BTC]

    Notes
    -----
    Published constants at D = 141.67e12 and 19.98 M BTC: exp(10.256 + 0.525 * 32.5845) /
    19.98e6 = $38.2k (RESEARCH.md section 1.6: ~$38k).
    """
    d = np.asarray(difficulty, dtype=np.float64)
    s = np.asarray(supply_btc, dtype=np.float64)
    return np.asarray(np.exp(np.asarray(a) + np.asarray(b) * np.log(d)) / s, dtype=np.float64)


@dataclass(frozen=True)
class DrmFit:
    """A least-squares fit of ln(market cap) = a + b ln(difficulty)."""

    a: float
    b: float
    r_squared: float
    days: int


def fit_drm(difficulty: npt.ArrayLike, market_cap_usd: npt.ArrayLike) -> DrmFit:
    """Fit the Difficulty Regression Model by ordinary least squares on logs.

    Parameters
    ----------
    difficulty : array_like
        Daily difficulty. [unitless]
    market_cap_usd : array_like
        Daily price * supply. [USD]

    Returns
    -------
    DrmFit
        Intercept a, slope b, R squared and the number of days used (rows with a
        non-positive or missing value are left out).
    """
    x = np.log(np.asarray(difficulty, dtype=np.float64))
    y = np.log(np.asarray(market_cap_usd, dtype=np.float64))
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.size < 2:
        raise ValueError("the difficulty regression needs at least 2 valid days")
    b, a = np.polyfit(x, y, 1)
    resid = y - (a + b * x)
    r2 = 1.0 - float(resid @ resid) / float(((y - y.mean()) ** 2).sum())
    return DrmFit(float(a), float(b), r2, int(x.size))


def drm_expanding_fit(
    difficulty: npt.ArrayLike, market_cap_usd: npt.ArrayLike, *, min_days: int = 365
) -> tuple[FloatArray, FloatArray]:
    """Re-fit the regression at every day on all days up to and including it (no look-ahead).

    Parameters
    ----------
    difficulty, market_cap_usd : array_like
        Daily series in date order. [unitless], [USD]
    min_days : int
        Fewer valid days than this give NaN. [days]

    Returns
    -------
    (ndarray, ndarray)
        Intercept a and slope b for each day.

    Notes
    -----
    Ordinary least squares from running sums: b = (n Sxy - Sx Sy) / (n Sxx - Sx**2),
    a = (Sy - b Sx) / n, so the whole history costs O(n).
    """
    x = np.log(np.asarray(difficulty, dtype=np.float64))
    y = np.log(np.asarray(market_cap_usd, dtype=np.float64))
    ok = np.isfinite(x) & np.isfinite(y)
    xo, yo = np.where(ok, x, 0.0), np.where(ok, y, 0.0)
    n = np.cumsum(ok)
    sx, sy = np.cumsum(xo), np.cumsum(yo)
    sxx, sxy = np.cumsum(xo * xo), np.cumsum(xo * yo)
    with np.errstate(invalid="ignore", divide="ignore"):
        b = (n * sxy - sx * sy) / (n * sxx - sx * sx)
        a = (sy - b * sx) / n
    enough = n >= min_days
    return np.where(enough, a, np.nan), np.where(enough, b, np.nan)
