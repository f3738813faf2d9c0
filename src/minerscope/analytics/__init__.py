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

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names as type checkers see them
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

# Names load on first use (PEP 562): a command that needs one module of the layer (the
# hash rate, the projection) does not pay for the others' imports (the backtest's).
_WHERE: dict[str, str] = {
    "BacktestRow": "backtest",
    "BacktestSummary": "backtest",
    "CalibrationCell": "backtest",
    "DifficultyProjection": "projection",
    "Drawdown": "drawdown",
    "DriftParams": "drift",
    "EpochState": "epochstate",
    "HashrateEstimate": "hashrate",
    "MempoolAdjustment": "mempool",
    "backtest_projection": "backtest",
    "block_interval_stats": "blocktimes",
    "blocks_eta": "projection",
    "blocks_per_day": "blocktimes",
    "calibration_by_era": "backtest",
    "core_network_hashps": "hashrate",
    "daily_hashrate": "daily",
    "drift_path": "drift",
    "epoch_duration_shares": "halving",
    "epoch_state_from_blocks": "epochstate",
    "epoch_state_from_daily": "epochstate",
    "eta_calibration_by_era": "backtest",
    "fit_drift": "drift",
    "gamma_interval_factors": "hashrate",
    "garwood_count_interval": "hashrate",
    "halving_eta": "halving",
    "hashrate_drawdown": "drawdown",
    "hashrate_fixed_blocks": "hashrate",
    "hashrate_fixed_time": "hashrate",
    "hashrate_from_counts": "hashrate",
    "height_at_end_of_day": "daily",
    "mempool_bits_difference_pct": "mempool",
    "mempool_difficulty_adjustment": "mempool",
    "mempool_estimate": "mempool",
    "project_difficulty": "projection",
    "sample_next_change": "projection",
    "sample_retarget_time": "projection",
    "summarize_backtest": "backtest",
    "wilson_interval": "backtest",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


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
