"""Daily economics history: revenue, hashvalue, hashprice, Puell, cost range and our index.

One pure function, :func:`daily_economics_arrays`, turns per-day inputs (blocks, mean
difficulty, issuance, fees, the day's close; :class:`~.days.DayInputs`) into one row of
figures per day, as numpy arrays; :func:`daily_economics` is the same on a DataFrame. Every
figure for day D uses only rows up to D (rolling windows and the regression re-fit look back
only).

Conventions, stated because they change the numbers:

- revenue = that day's issuance plus the fees actually mined, valued at that day's close;
- difficulty-implied hashvalue uses the day's mean difficulty and the day's mean reward per
  block (subsidy plus fees / blocks, i.e. a trailing mean over about 144 blocks); on days
  whose fees are unknown the last known fee mean is carried forward and the row says so
  (``fees_carried_forward``), while the realised revenue stays unknown (NaN);
- realised hashvalue = the day's revenue / the hash rate implied by the last 7 days' blocks
  (so a lucky day earns more than the difficulty implies);
- supply (for the difficulty regression) = the exact supply where known (block days), else
  the running sum of daily issuance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ..consensus import block_subsidy_sat, difficulty_from_bits
from ..units import HPS_PER_EHS, SAT_PER_BTC, SECONDS_PER_DAY
from ._rolling import forward_fill, rolling_mean, rolling_sum
from .days import BlockDays, DayInputs, complete_block_days
from .hashprice import (
    HASHES_PER_DIFFICULTY,
    hashprice_usd_per_phs_day,
    hashvalue_sat_per_phs_day,
    realised_hashvalue_btc_per_phs_day,
)
from .indices import (
    puell_multiple,
    puell_multiple_halving_adjusted,
    sustainability_bands,
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
from .revenue import fee_share, revenue_btc

if TYPE_CHECKING:
    import pandas as pd

FloatArray = npt.NDArray[np.float64]
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
        those days may be missing (see :func:`~.days.complete_block_days`).
    """
    import pandas as pd  # the DataFrame form of the history only

    cols = ["blocks", "difficulty", "issuance_sat", "fees_sat", "last_height"]
    if blocks.empty:
        return pd.DataFrame(columns=cols, index=pd.DatetimeIndex([], tz="UTC", name="date"))
    heights = np.asarray(blocks.index, dtype=np.int64)
    order = np.argsort(heights)
    heights = heights[order]
    time_s = blocks["time_s"].to_numpy(dtype=np.int64)[order]
    bits = [None if pd.isna(b) else int(b) for b in blocks["bits"].to_numpy()[order]]
    subsidy = blocks["subsidy_sat"].astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    subsidy = subsidy[order]
    missing = np.isnan(subsidy)
    if missing.any():
        subsidy[missing] = [block_subsidy_sat(int(h)) for h in heights[missing]]
    fees = blocks["fees_sat"].astype("Float64").to_numpy(dtype=np.float64, na_value=np.nan)
    fees = fees[order]
    day = time_s // SECONDS_PER_DAY
    epoch = heights // 2016
    key = day * 2**20 + epoch
    keys, group = np.unique(key, return_inverse=True)
    size = keys.size

    def agg(ufunc: Any, x: npt.ArrayLike, start: float) -> FloatArray:
        out = np.full(size, start)
        ufunc.at(out, group, x)
        return out

    diff_of = {b: difficulty_from_bits(b) for b in set(bits) if b is not None}
    diff = np.array([np.nan if b is None else diff_of[b] for b in bits])
    group_diff = np.full(size, np.nan)
    np.fmax.at(group_diff, group, diff)  # one epoch per group: its blocks share the difficulty
    runs = _runs(heights)
    days = complete_block_days(
        keys // 2**20,
        keys % 2**20,
        agg(np.add, 1.0, 0.0),
        agg(np.minimum, heights, np.inf),
        agg(np.maximum, heights, -np.inf),
        agg(np.add, np.nan_to_num(fees), 0.0),
        agg(np.add, np.isfinite(fees).astype(np.float64), 0.0),
        agg(np.add, subsidy, 0.0),
        group_diff,
        runs=runs,
    )
    return _block_days_frame(days)


def _runs(heights: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
    breaks = np.flatnonzero(np.diff(heights) != 1)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [heights.size - 1]])
    return [(int(heights[a]), int(heights[b])) for a, b in zip(starts, ends, strict=True)]


def _block_days_frame(days: BlockDays) -> pd.DataFrame:
    import pandas as pd

    index = pd.to_datetime(days.day * SECONDS_PER_DAY, unit="s", utc=True)
    out = pd.DataFrame(
        {
            "blocks": days.blocks,
            "difficulty": days.difficulty,
            "issuance_sat": days.issuance_sat,
            "fees_sat": days.fees_sat,
            "last_height": days.last_height,
        },
        index=pd.DatetimeIndex(index, name="date"),
    )
    return out


def daily_economics_arrays(
    days: DayInputs,
    *,
    efficiency_j_per_th: npt.ArrayLike,
    release_time_s: npt.ArrayLike,
    assumptions: CostAssumptions = CostAssumptions(),  # noqa: B008 (frozen dataclass)
) -> dict[str, Any]:
    """One row of economics per day, as arrays keyed by column name.

    Parameters
    ----------
    days : DayInputs
        Per-day inputs in date order, starting at the first stored day (the running supply
        needs every day).
    efficiency_j_per_th : array_like
        Catalog model efficiencies for the bottom-up cost. [J/TH]
    release_time_s : array_like
        Catalog model release times (NaN unknown). [Unix s]
    assumptions : CostAssumptions
        Bottom-up model inputs.

    Returns
    -------
    dict
        Column name -> array (``sustainability_band``: list of str or None), one entry per
        day; unit-suffixed names (see the module docstring and ``docs/economics.md``), NaN
        where an input is missing.
    """
    blocks = days.blocks
    difficulty = days.difficulty
    issuance = days.issuance_sat
    fees = days.fees_sat
    price = days.price_usd
    out: dict[str, Any] = {
        "blocks": blocks,
        "difficulty": difficulty,
        "price_usd": price,
        "subsidy_btc": issuance / SAT_PER_BTC,
        "fees_btc": fees / SAT_PER_BTC,
    }
    rev_btc = np.asarray(revenue_btc(issuance, fees), dtype=np.float64)
    out["revenue_btc"] = rev_btc
    rev_usd = rev_btc * price
    out["revenue_usd"] = rev_usd
    with np.errstate(invalid="ignore", divide="ignore"):
        out["fee_share"] = fee_share(issuance, fees)
        positive = blocks > 0
        fees_per_block = np.where(positive, fees / SAT_PER_BTC / blocks, np.nan)
        subsidy_per_block = np.where(positive, issuance / SAT_PER_BTC / blocks, np.nan)
    out["revenue_usd_7d_mean"] = rolling_mean(rev_usd, 7)
    out["revenue_usd_30d_mean"] = rolling_mean(rev_usd, 30)
    # Where a day's fees are unknown, the difficulty-implied figures carry the last known
    # mean forward (as a pool's trailing fee estimate would) and say so in a column.
    carried = np.isnan(fees_per_block) & ~np.isnan(subsidy_per_block)
    fees_per_block_used = forward_fill(fees_per_block)
    out["fees_carried_forward"] = carried & ~np.isnan(fees_per_block_used)
    reward = subsidy_per_block + fees_per_block_used
    out["reward_btc_per_block"] = reward
    out["hashvalue_sat_per_phs_day"] = hashvalue_sat_per_phs_day(difficulty, reward)
    out["hashprice_usd_per_phs_day"] = hashprice_usd_per_phs_day(difficulty, reward, price)

    work = rolling_sum(blocks * difficulty * HASHES_PER_DIFFICULTY, REALISED_WINDOW_DAYS)
    hashrate_hps = work / (REALISED_WINDOW_DAYS * SECONDS_PER_DAY)
    out["realised_hashrate_ehs"] = hashrate_hps / HPS_PER_EHS
    with np.errstate(invalid="ignore", divide="ignore"):
        realised_btc = realised_hashvalue_btc_per_phs_day(
            rev_btc, np.where(hashrate_hps > 0, hashrate_hps, np.nan)
        )
    out["realised_hashvalue_sat_per_phs_day"] = realised_btc * SAT_PER_BTC
    out["realised_hashprice_usd_per_phs_day"] = realised_btc * price

    out["puell_multiple"] = puell_multiple(issuance / SAT_PER_BTC * price)
    out["puell_multiple_fees_halving_adjusted"] = puell_multiple_halving_adjusted(
        rev_usd, subsidy_per_block
    )

    # Bottom-up cost, evaluated at each day's end (a model released that day counts).
    time_s = (days.day_start_s + SECONDS_PER_DAY - 1).astype(np.float64)
    cost = bottom_up_cost(
        efficiency_j_per_th,
        release_time_s,
        time_s=time_s,
        difficulty=difficulty,
        reward_btc_per_block=reward,
        btc_price_usd=price,
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

    supply_btc = np.cumsum(np.nan_to_num(issuance)) / SAT_PER_BTC
    given = days.supply_sat / SAT_PER_BTC
    supply_btc = np.where(np.isnan(given), supply_btc, given)
    out["supply_btc"] = supply_btc
    with np.errstate(invalid="ignore", divide="ignore"):
        out["cost_drm_published_usd_per_btc"] = drm_price_usd(
            difficulty, supply_btc, a=DRM_PUBLISHED_A, b=DRM_PUBLISHED_B
        )
        a, b = drm_expanding_fit(difficulty, price * supply_btc)
        out["drm_refit_a"] = a
        out["drm_refit_b"] = b
        out["cost_drm_refit_usd_per_btc"] = drm_price_usd(difficulty, supply_btc, a=a, b=b)

    methods = np.vstack([out[c] for c in COST_METHOD_COLUMNS])
    out["cost_range_low_usd_per_btc"] = np.fmin.reduce(methods, axis=0)
    out["cost_range_high_usd_per_btc"] = np.fmax.reduce(methods, axis=0)

    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.asarray(
            sustainability_ratio(price, out["cost_electricity_best_usd_per_btc"]),
            dtype=np.float64,
        )
    out["sustainability_ratio"] = ratio
    score = np.asarray(sustainability_score(ratio), dtype=np.float64)
    out["sustainability_score"] = score
    out["sustainability_band"] = sustainability_bands(score)
    return out


def _day_inputs_of(daily: pd.DataFrame) -> DayInputs:
    import pandas as pd

    index = pd.DatetimeIndex(daily.index)
    n = len(index)

    def col(name: str) -> FloatArray:
        if name not in daily:
            return np.full(n, np.nan)
        return np.asarray(daily[name].astype("float64").to_numpy(na_value=np.nan), dtype=np.float64)

    day = np.asarray(index.as_unit("s").asi8, dtype=np.int64) // SECONDS_PER_DAY
    source = [str(s) for s in daily["source"]] if "source" in daily else [""] * n
    return DayInputs(
        day,
        col("blocks"),
        col("difficulty"),
        col("issuance_sat"),
        col("fees_sat"),
        col("price_usd"),
        col("supply_sat"),
        source,
    )


def daily_economics(
    daily: pd.DataFrame,
    *,
    efficiency_j_per_th: npt.ArrayLike,
    release_time_s: npt.ArrayLike,
    assumptions: CostAssumptions = CostAssumptions(),  # noqa: B008 (frozen dataclass)
) -> pd.DataFrame:
    """One row of economics per day (the DataFrame form of :func:`daily_economics_arrays`).

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
    import pandas as pd

    arrays = daily_economics_arrays(
        _day_inputs_of(daily),
        efficiency_j_per_th=efficiency_j_per_th,
        release_time_s=release_time_s,
        assumptions=assumptions,
    )
    return pd.DataFrame(arrays, index=daily.index)
