"""Network analytics: pure functions (numbers, arrays and frames in; numbers out).

Hash rate with exact intervals (:mod:`.hashrate`, :mod:`.daily`), block times
(:mod:`.blocktimes`), drawdown from the peak (:mod:`.drawdown`), the next difficulty
adjustment's predictive distribution and ETA (:mod:`.projection`, :mod:`.epochstate`),
the log-hash-rate drift (:mod:`.drift`), mempool.space's estimate reproduced exactly
(:mod:`.mempool`), the halving ETA (:mod:`.halving`) and the projection backtest
(:mod:`.backtest`). Special functions come from :mod:`._special` (numpy only, no scipy).
No I/O, no clock; randomness comes from a generator the caller passes in.
"""

from __future__ import annotations

from .backtest import (
    BacktestRow,
    BacktestSummary,
    CalibrationCell,
    backtest_projection,
    calibration_by_era,
    eta_calibration_by_era,
    summarize_backtest,
    wilson_interval,
)
from .blocktimes import block_interval_stats, blocks_per_day
from .daily import daily_hashrate, height_at_end_of_day
from .drawdown import Drawdown, hashrate_drawdown
from .drift import DriftParams, drift_path, fit_drift
from .epochstate import EpochState, epoch_state_from_blocks, epoch_state_from_daily
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
from .mempool import (
    MempoolAdjustment,
    mempool_bits_difference_pct,
    mempool_difficulty_adjustment,
    mempool_estimate,
)
from .projection import (
    DifficultyProjection,
    blocks_eta,
    project_difficulty,
    sample_next_change,
    sample_retarget_time,
)

__all__ = [
    "BacktestRow",
    "BacktestSummary",
    "CalibrationCell",
    "DifficultyProjection",
    "Drawdown",
    "DriftParams",
    "EpochState",
    "HashrateEstimate",
    "MempoolAdjustment",
    "backtest_projection",
    "block_interval_stats",
    "blocks_eta",
    "blocks_per_day",
    "calibration_by_era",
    "core_network_hashps",
    "daily_hashrate",
    "drift_path",
    "epoch_duration_shares",
    "epoch_state_from_blocks",
    "epoch_state_from_daily",
    "eta_calibration_by_era",
    "fit_drift",
    "gamma_interval_factors",
    "garwood_count_interval",
    "halving_eta",
    "hashrate_drawdown",
    "hashrate_fixed_blocks",
    "hashrate_fixed_time",
    "hashrate_from_counts",
    "height_at_end_of_day",
    "mempool_bits_difference_pct",
    "mempool_difficulty_adjustment",
    "mempool_estimate",
    "project_difficulty",
    "sample_next_change",
    "sample_retarget_time",
    "summarize_backtest",
    "wilson_interval",
]
