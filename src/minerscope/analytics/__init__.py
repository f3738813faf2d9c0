"""Network analytics: pure functions (numbers, arrays and frames in; numbers out).

Hash rate with exact intervals (:mod:`.hashrate`, :mod:`.daily`), block times
(:mod:`.blocktimes`), drawdown from the peak (:mod:`.drawdown`), the next difficulty
adjustment's predictive distribution and ETA (:mod:`.projection`, :mod:`.epochstate`),
the halving ETA (:mod:`.halving`) and the projection backtest (:mod:`.backtest`).
No I/O, no clock; randomness comes from a generator the caller passes in.
"""

from __future__ import annotations

from .backtest import BacktestRow, BacktestSummary, backtest_projection, summarize_backtest
from .blocktimes import block_interval_stats, blocks_per_day
from .daily import daily_hashrate, height_at_end_of_day
from .drawdown import Drawdown, hashrate_drawdown
from .epochstate import epoch_state_from_blocks, epoch_state_from_daily
from .halving import epoch_duration_shares, halving_eta
from .hashrate import (
    HashrateEstimate,
    core_network_hashps,
    gamma_interval_factors,
    garwood_count_interval,
    hashrate_fixed_blocks,
    hashrate_fixed_time,
    hashrate_from_counts,
)
from .projection import (
    DifficultyProjection,
    DriftParams,
    EpochState,
    blocks_eta,
    fit_drift,
    mempool_estimate,
    project_difficulty,
)

__all__ = [
    "BacktestRow",
    "BacktestSummary",
    "DifficultyProjection",
    "DriftParams",
    "Drawdown",
    "EpochState",
    "HashrateEstimate",
    "backtest_projection",
    "block_interval_stats",
    "blocks_eta",
    "blocks_per_day",
    "core_network_hashps",
    "daily_hashrate",
    "epoch_duration_shares",
    "epoch_state_from_blocks",
    "epoch_state_from_daily",
    "fit_drift",
    "gamma_interval_factors",
    "garwood_count_interval",
    "halving_eta",
    "hashrate_drawdown",
    "hashrate_fixed_blocks",
    "hashrate_fixed_time",
    "hashrate_from_counts",
    "height_at_end_of_day",
    "mempool_estimate",
    "project_difficulty",
    "summarize_backtest",
]
