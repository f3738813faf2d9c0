"""Daily economics history: revenue, hashvalue, hashprice, Puell, cost range and our index.

One pure function, :func:`daily_economics`, turns the stored daily rows (blocks, mean
difficulty, issuance, fees, price per UTC day) into one row of figures per day. Every figure
for day D uses only rows up to D (rolling windows and the regression re-fit look back only).

Conventions, stated because they change the numbers:

- revenue = that day's issuance plus the fees actually mined, valued at that day's price;
- difficulty-implied hashvalue uses the day's mean difficulty and the day's mean reward per
  block (subsidy plus fees / blocks, i.e. a trailing mean over about 144 blocks); on days
  whose fees are unknown the last known fee mean is carried forward and the row says so
  (``fees_carried_forward``), while the realised revenue stays unknown (NaN);
- realised hashvalue = the day's revenue / the hash rate implied by the last 7 days' blocks
  (so a lucky day earns more than the difficulty implies);
- supply (for the difficulty regression) = the running sum of daily issuance.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..consensus import block_subsidy_sat, difficulty_from_bits
from ..units import HPS_PER_EHS, SAT_PER_BTC, SECONDS_PER_DAY
from .hashprice import (
    HASHES_PER_DIFFICULTY,
    hashprice_usd_per_phs_day,
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
from .production_cost import (
    DRM_PUBLISHED_A,
    DRM_PUBLISHED_B,
    CostAssumptions,
    bottom_up_cost,
    drm_expanding_fit,
    drm_price_usd,
)
from .revenue import fee_share, revenue_btc, trailing_mean

REALISED_WINDOW_DAYS = 7
COST_METHOD_COLUMNS: tuple[str, ...] = (
    "cost_electricity_lower_usd_per_btc",
    "cost_electricity_best_usd_per_btc",
    "cost_electricity_upper_usd_per_btc",
    "cost_all_in_lower_usd_per_btc",
    "cost_all_in_best_usd_per_btc",
    "cost_all_in_upper_usd_per_btc",
    "cost_drm_published_usd_per_btc",
    "cost_drm_refit_usd_per_btc",
)


def daily_from_blocks(blocks: pd.DataFrame) -> pd.DataFrame:
    """Aggregate stored blocks into complete UTC days.

    Parameters
    ----------
    blocks : DataFrame
        Indexed by height; columns ``time_s`` [Unix s], ``bits`` [compact], ``fees_sat`` and
        ``subsidy_sat`` [sat] (a missing subsidy is taken from the consensus schedule).

    Returns
    -------
    DataFrame
        Indexed by UTC day, columns ``blocks`` [count], ``difficulty`` (mean over the day's
        blocks) [unitless], ``issuance_sat``, ``fees_sat`` [sat] (NaN when a block's fees are
        unknown) and ``last_height``. Only days whose blocks are all stored are returned: the
        first and last day of each run of consecutive heights are dropped, since blocks of
        those days may be missing.

    Notes
    -----
    Days follow block timestamps, as Coin Metrics' daily block counts do.
    """
    cols = ["blocks", "difficulty", "issuance_sat", "fees_sat", "last_height"]
    if blocks.empty:
        return pd.DataFrame(columns=cols, index=pd.DatetimeIndex([], tz="UTC", name="date"))
    heights = np.asarray(blocks.index, dtype=np.int64)
    time_s = blocks["time_s"].to_numpy(dtype=np.float64)
    bits = blocks["bits"]
    unique_bits = {int(b) for b in bits.dropna().unique()}
    diff_of = {b: difficulty_from_bits(b) for b in unique_bits}
    difficulty = np.array(
        [np.nan if pd.isna(b) else diff_of[int(b)] for b in bits], dtype=np.float64
    )
    subsidy = blocks["subsidy_sat"].astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    missing = np.isnan(subsidy)
    if missing.any():
        subsidy[missing] = [block_subsidy_sat(int(h)) for h in heights[missing]]
    fees = blocks["fees_sat"].astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    day = (time_s // SECONDS_PER_DAY).astype(np.int64)
    run = np.concatenate([[0], np.cumsum(np.diff(heights) != 1)])
    frame = pd.DataFrame(
        {"day": day, "run": run, "difficulty": difficulty, "issuance_sat": subsidy,
         "fees_sat": fees, "height": heights}
    )  # fmt: skip
    edges = frame.groupby("run")["day"].agg(["min", "max"])
    frame = frame.join(edges, on="run")
    frame = frame[(frame["day"] > frame["min"]) & (frame["day"] < frame["max"])]
    grouped = frame.groupby("day")
    out = pd.DataFrame(
        {
            "blocks": grouped.size().astype("float64"),
            "difficulty": grouped["difficulty"].mean(),
            "issuance_sat": grouped["issuance_sat"].sum(),
            "fees_sat": grouped["fees_sat"]
            .sum(min_count=1)
            .where(grouped["fees_sat"].count() == grouped.size()),
            "last_height": grouped["height"].max().astype("float64"),
        }
    )
    out.index = pd.to_datetime(out.index * SECONDS_PER_DAY, unit="s", utc=True)
    out.index.name = "date"
    return out


def daily_economics(
    daily: pd.DataFrame,
    *,
    efficiency_j_per_th: npt.ArrayLike,
    release_time_s: npt.ArrayLike,
    assumptions: CostAssumptions = CostAssumptions(),  # noqa: B008 (frozen dataclass)
) -> pd.DataFrame:
    """One row of economics per day.

    Parameters
    ----------
    daily : DataFrame
        Indexed by UTC day in date order, columns ``blocks`` [count], ``difficulty``
        [unitless], ``issuance_sat`` [sat], ``fees_sat`` [sat], ``price_usd`` [USD/BTC],
        starting at the first stored day (the running supply needs every day), and
        optionally ``supply_sat`` [sat] (coins issued by the day's end; used where given).
    efficiency_j_per_th : array_like
        Catalog model efficiencies for the bottom-up cost. [J/TH]
    release_time_s : array_like
        Catalog model release times (NaN unknown). [Unix s]
    assumptions : CostAssumptions
        Bottom-up model inputs.

    Returns
    -------
    DataFrame
        Same index; unit-suffixed columns (see the module docstring and
        ``docs/economics.md``), NaN where an input is missing.
    """
    blocks = daily["blocks"].astype("float64")
    difficulty = daily["difficulty"].astype("float64")
    issuance = daily["issuance_sat"].astype("float64")
    fees = daily["fees_sat"].astype("float64")
    price = daily["price_usd"].astype("float64")

    out = pd.DataFrame(index=daily.index)
    out["blocks"] = blocks
    out["difficulty"] = difficulty
    out["price_usd"] = price
    out["subsidy_btc"] = issuance / SAT_PER_BTC
    out["fees_btc"] = fees / SAT_PER_BTC
    rev_btc = pd.Series(revenue_btc(issuance, fees), index=daily.index)
    out["revenue_btc"] = rev_btc
    rev_usd = rev_btc * price
    out["revenue_usd"] = rev_usd
    out["fee_share"] = fee_share(issuance, fees)
    out["revenue_usd_7d_mean"] = trailing_mean(rev_usd, 7)
    out["revenue_usd_30d_mean"] = trailing_mean(rev_usd, 30)

    with np.errstate(invalid="ignore", divide="ignore"):
        fees_per_block = (fees / SAT_PER_BTC / blocks).where(blocks > 0)
        subsidy_per_block = (issuance / SAT_PER_BTC / blocks).where(blocks > 0)
    # Where a day's fees are unknown, the difficulty-implied figures carry the last known
    # mean forward (as a pool's trailing fee estimate would) and say so in a column.
    carried = fees_per_block.isna() & subsidy_per_block.notna()
    fees_per_block_used = fees_per_block.ffill()
    out["fees_carried_forward"] = carried & fees_per_block_used.notna()
    reward = subsidy_per_block + fees_per_block_used
    out["reward_btc_per_block"] = reward
    out["hashvalue_sat_per_phs_day"] = hashvalue_sat_per_phs_day(difficulty, reward)
    out["hashprice_usd_per_phs_day"] = hashprice_usd_per_phs_day(difficulty, reward, price)

    work = (blocks * difficulty * HASHES_PER_DIFFICULTY).rolling(REALISED_WINDOW_DAYS).sum()
    hashrate_hps = work / (REALISED_WINDOW_DAYS * SECONDS_PER_DAY)
    out["realised_hashrate_ehs"] = hashrate_hps / HPS_PER_EHS
    realised_btc = realised_hashvalue_btc_per_phs_day(rev_btc, hashrate_hps.where(hashrate_hps > 0))
    out["realised_hashvalue_sat_per_phs_day"] = realised_btc * SAT_PER_BTC
    out["realised_hashprice_usd_per_phs_day"] = realised_btc * price

    out["puell_multiple"] = puell_multiple(issuance / SAT_PER_BTC * price)
    out["puell_multiple_fees_halving_adjusted"] = puell_multiple_halving_adjusted(
        rev_usd, subsidy_per_block
    )

    # Bottom-up cost, evaluated at each day's end (a model released that day counts).
    index = pd.DatetimeIndex(daily.index)
    day_start_s = np.asarray(index.as_unit("s").asi8, dtype=np.float64)
    time_s = day_start_s + SECONDS_PER_DAY - 1
    cost = bottom_up_cost(
        efficiency_j_per_th,
        release_time_s,
        time_s=time_s,
        difficulty=difficulty.to_numpy(),
        reward_btc_per_block=reward.to_numpy(),
        btc_price_usd=price.to_numpy(),
        assumptions=assumptions,
    )
    out["cost_electricity_lower_usd_per_btc"] = cost.electricity_lower_usd_per_btc
    out["cost_electricity_best_usd_per_btc"] = cost.electricity_best_usd_per_btc
    out["cost_electricity_upper_usd_per_btc"] = cost.electricity_upper_usd_per_btc
    out["cost_all_in_lower_usd_per_btc"] = cost.all_in_lower_usd_per_btc
    out["cost_all_in_best_usd_per_btc"] = cost.all_in_best_usd_per_btc
    out["cost_all_in_upper_usd_per_btc"] = cost.all_in_upper_usd_per_btc
    out["best_guess_efficiency_j_per_th"] = cost.best_efficiency_j_per_th
    out["profitable_models"] = cost.profitable_models

    supply_btc = issuance.fillna(0.0).cumsum() / SAT_PER_BTC
    if "supply_sat" in daily:
        given = daily["supply_sat"].astype("float64") / SAT_PER_BTC
        supply_btc = given.where(given.notna(), supply_btc)
    out["supply_btc"] = supply_btc
    d = difficulty.to_numpy()
    s = supply_btc.to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["cost_drm_published_usd_per_btc"] = drm_price_usd(
            d, s, a=DRM_PUBLISHED_A, b=DRM_PUBLISHED_B
        )
        a, b = drm_expanding_fit(d, (price * supply_btc).to_numpy())
        out["drm_refit_a"] = a
        out["drm_refit_b"] = b
        out["cost_drm_refit_usd_per_btc"] = drm_price_usd(d, s, a=a, b=b)

    methods = out[list(COST_METHOD_COLUMNS)]
    out["cost_range_low_usd_per_btc"] = methods.min(axis=1, skipna=True)
    out["cost_range_high_usd_per_btc"] = methods.max(axis=1, skipna=True)

    ratio = pd.Series(
        sustainability_ratio(price, out["cost_electricity_best_usd_per_btc"]), index=out.index
    )
    out["sustainability_ratio"] = ratio
    score = sustainability_score(ratio)
    out["sustainability_score"] = score
    out["sustainability_band"] = [sustainability_band(float(v)) for v in score.to_numpy()]
    return out
