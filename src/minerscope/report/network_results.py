"""The typed documents of the network views: ``hashrate``, ``difficulty``, ``backtest
projection`` and the network parts of ``status`` (:mod:`minerscope.report.network` builds them).

Keys follow ``docs/vocabulary.md``: an estimate ``X_<unit>`` has ``X_lower_<unit>``,
``X_upper_<unit>`` and ``confidence_share`` beside it; a moment is a
:class:`~minerscope.results.Moment`; percentiles are
:class:`~minerscope.results.Percentiles` (values) or
:class:`~minerscope.results.MomentPercentiles` (times). Only dataclasses here: importing
this module costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..results import AsOfInfo, Moment, MomentPercentiles, Percentiles, Result

# --- hash rate ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HashrateWindow:
    """The hash rate over one window of blocks, time or daily rows, with its exact interval.

    Attributes
    ----------
    window : str
        What the window is: ``"1008 blocks"``, ``"7 days"``, ``"30 days (daily rows)"``.
    method : str or None
        ``"blocks"`` (a fixed number of blocks) or ``"time"`` (a fixed span); None when the
        window has no estimate.
    interval_method : str or None
        ``"Gamma (fixed blocks)"``, ``"Garwood (fixed time)"`` ...
    n_blocks : int
        Blocks in the window. [blocks]
    span_s : float or None
        Its span. [s]
    hashrate_ehs, hashrate_lower_ehs, hashrate_upper_ehs : float or None
        Unbiased estimate and its interval; None without an estimate. [EH/s]
    confidence_share : float or None
        Of the interval. [0..1]
    hashrate_mle_ehs : float or None
        The maximum-likelihood estimate (N/(N-1) above the unbiased one for blocks). [EH/s]
    core_getnetworkhashps_ehs : float or None
        What Bitcoin Core's ``getnetworkhashps`` gives over the same blocks. [EH/s]
    from_height, to_height : int or None
        Block windows. [blocks]
    from_time_s, to_time_s : int or None
        Time windows. [Unix s]
    last_date : str or None
        Daily rows: the last day (YYYY-MM-DD).
    note : str or None
        Why there is no estimate, or what limits it.
    """

    window: str
    n_blocks: int
    method: str | None = None
    interval_method: str | None = None
    span_s: float | None = None
    hashrate_ehs: float | None = None
    hashrate_lower_ehs: float | None = None
    hashrate_upper_ehs: float | None = None
    confidence_share: float | None = None
    hashrate_mle_ehs: float | None = None
    core_getnetworkhashps_ehs: float | None = None
    from_height: int | None = None
    to_height: int | None = None
    from_time_s: int | None = None
    from_time_iso: str | None = None
    to_time_s: int | None = None
    to_time_iso: str | None = None
    last_date: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Drawdown:
    """The smoothed hash rate against its peak over the lookback, with a bootstrap interval.

    Attributes
    ----------
    hashrate_now_ehs, hashrate_peak_ehs : float
        The ``smoothing_days`` mean on ``last_date`` and at its peak. [EH/s]
    change_from_peak_pct : float
        Observed change now against the peak. [%]
    change_from_peak_lower_pct, change_from_peak_upper_pct : float
        Its interval (basic parametric bootstrap of the daily counts). [%]
    change_from_peak_corrected_pct : float
        The change with the bias of a noisy maximum removed. [%]
    """

    smoothing_days: int
    lookback_days: int
    last_date: str
    hashrate_now_ehs: float
    hashrate_peak_ehs: float
    peak_date: str
    change_from_peak_pct: float
    change_from_peak_lower_pct: float
    change_from_peak_upper_pct: float
    confidence_share: float
    change_from_peak_corrected_pct: float
    method: str


@dataclass(frozen=True)
class DailyHashrate:
    """One day of daily rows: the hash rate that day and over 7 and 30 days, 95 % intervals."""

    date: str
    blocks: int | None
    hashrate_ehs: float | None
    hashrate_lower_ehs: float | None
    hashrate_upper_ehs: float | None
    hashrate_ma7_ehs: float | None
    hashrate_ma7_lower_ehs: float | None
    hashrate_ma7_upper_ehs: float | None
    hashrate_ma30_ehs: float | None
    hashrate_ma30_lower_ehs: float | None
    hashrate_ma30_upper_ehs: float | None


@dataclass(frozen=True)
class BlockIntervals:
    """Block intervals over the last ``n_intervals``: mean with its interval, median. [s]"""

    window: str
    n_intervals: int
    mean_interval_s: float
    mean_interval_lower_s: float
    mean_interval_upper_s: float
    confidence_share: float
    median_interval_s: float


@dataclass(frozen=True)
class BlocksPerDay:
    """Blocks found over the last ``days`` days, per day, with its interval; 144 expected."""

    days: float
    n_blocks: int
    blocks_per_day: float
    blocks_lower_per_day: float
    blocks_upper_per_day: float
    confidence_share: float
    expected_blocks_per_day: float


@dataclass(frozen=True)
class BlockTimes:
    """Block intervals per window and blocks per day (per-block data only)."""

    intervals: tuple[BlockIntervals, ...]
    blocks_per_day: tuple[BlocksPerDay, ...]


@dataclass(frozen=True)
class HashrateReport(Result):
    """``minerscope hashrate``: hash rate with exact intervals, block times, drawdown.

    Attributes
    ----------
    windows : tuple of HashrateWindow
        Block windows (144, 1008, 2016, the epoch so far) or the one window asked for.
    daily : tuple of HashrateWindow
        1, 7 and 30 days of daily rows (empty without daily rows).
    drawdown : Drawdown or None
    daily_series : tuple of DailyHashrate
        The last ``--series-days`` days (empty unless asked for).
    block_times : BlockTimes or None
        Per-block data only.
    """

    DOCUMENT: ClassVar[str] = "hashrate"

    as_of: AsOfInfo
    windows: tuple[HashrateWindow, ...]
    daily: tuple[HashrateWindow, ...]
    drawdown: Drawdown | None
    daily_series: tuple[DailyHashrate, ...]
    block_times: BlockTimes | None


# --- difficulty ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EpochProgress:
    """How far the current difficulty epoch is.

    Attributes
    ----------
    index : int
        The epoch (its first block is ``index * 2016``). [epochs]
    first_height, retarget_height, tip_height : int
        Its first block, the next epoch's first block, the last block known. [blocks]
    blocks_mined, blocks_remaining : int
        [blocks]
    progress_pct : float
        Blocks mined of 2016. [%]
    first_block_time_s : int or None
        When the epoch's first block was mined (None when not known). [Unix s]
    mean_block_time_s : float or None
        Mean interval this epoch so far. [s]
    mean_block_time_basis : str or None
        What it is measured over.
    """

    index: int
    first_height: int
    retarget_height: int
    tip_height: int
    blocks_mined: int
    blocks_remaining: int
    progress_pct: float
    first_block_time_s: int | None
    first_block_time_iso: str | None
    mean_block_time_s: float | None
    mean_block_time_basis: str | None


@dataclass(frozen=True)
class NextAdjustment:
    """The next retarget's predictive distribution: change, difficulty and time.

    Attributes
    ----------
    exact : bool
        The epoch is complete (or its last block known): the values are exact.
    change_pct : Percentiles
        The change of difficulty at p5/p25/p50/p75/p95. [%]
    next_difficulty, next_difficulty_t : Percentiles
        The new difficulty at the same percentiles. [unitless], [T]
    retarget_eta : MomentPercentiles
        When the retarget block comes, p5..p95, none before the moment.
    next_bits_hex : str or None
        The next bits, when the epoch's last block is known.
    """

    exact: bool
    retarget_height: int
    change_pct: Percentiles
    next_difficulty: Percentiles
    next_difficulty_t: Percentiles
    retarget_eta: MomentPercentiles
    next_bits_hex: str | None = None


@dataclass(frozen=True)
class MempoolEstimate:
    """mempool.space's point estimate of the next adjustment (no interval).

    Attributes
    ----------
    change_pct : float
        [%]
    next_difficulty, next_difficulty_t : float
        [unitless], [T]
    retarget_eta : Moment
        Never before the moment.
    formula_retarget_eta : Moment or None
        The formula's own ETA when it falls before the moment (block times out of order).
    note : str or None
    """

    change_pct: float
    next_difficulty: float
    next_difficulty_t: float
    retarget_eta: Moment
    formula_retarget_eta: Moment | None
    note: str | None


@dataclass(frozen=True)
class DriftModel:
    """The fitted difficulty drift the projection uses (fitted on earlier epochs only)."""

    mu_pct_per_day: float
    sigma_pct_per_sqrt_day: float
    epochs_used: int
    half_life_epochs: float | None
    fitted_on: str
    kurtosis: float
    model: str
    future_rate_sd_share: float


@dataclass(frozen=True)
class Halving:
    """The next halving: its block, the subsidy before and after, and when it comes.

    The same object in ``status`` and ``difficulty``.

    Attributes
    ----------
    height : int
        The halving block. [blocks]
    blocks_left : int
        From the tip. [blocks]
    subsidy_now_btc, subsidy_after_btc : float
        [BTC]
    eta : MomentPercentiles or None
        p10/p50/p90 of its time; None without an estimate (``method`` says why).
    method : str
        How the ETA is found, or why there is none.
    eta_at_600s : Moment
        Its time if every block took the 600 s target.
    """

    height: int
    blocks_left: int
    subsidy_now_btc: float
    subsidy_after_btc: float
    eta: MomentPercentiles | None
    method: str
    eta_at_600s: Moment


@dataclass(frozen=True)
class DifficultyReport(Result):
    """``minerscope difficulty``: the epoch, the next adjustment with its interval, the halving.

    Attributes
    ----------
    bits_hex, target_hex : str
        The epoch's compact target and target (hex).
    difficulty, difficulty_t : float
        The epoch's difficulty. [unitless], [T]
    epoch : EpochProgress
    next_adjustment : NextAdjustment
    mempool_style : MempoolEstimate
    closed_form_no_drift_change_pct : Percentiles
        The change the closed form without drift gives. [%]
    drift : DriftModel
    halving : Halving
    """

    DOCUMENT: ClassVar[str] = "difficulty"

    as_of: AsOfInfo
    bits_hex: str
    target_hex: str
    difficulty: float
    difficulty_t: float
    epoch: EpochProgress
    next_adjustment: NextAdjustment
    mempool_style: MempoolEstimate
    closed_form_no_drift_change_pct: Percentiles
    drift: DriftModel
    halving: Halving


# --- status -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkStatus:
    """The network estimates of ``status``: hash rate and the next adjustment.

    ``hashrate`` is the last 1008 blocks (else as many as are stored, at least 144, else 7
    days of daily rows); the adjustment parts are None when the epoch cannot be placed.
    """

    hashrate: HashrateWindow | None
    next_adjustment: NextAdjustment | None
    mempool_style: MempoolEstimate | None


# --- backtest projection ------------------------------------------------------------------


@dataclass(frozen=True)
class EpochRange:
    """The epochs a backtest scored."""

    first_epoch: int
    last_epoch: int
    count: int


@dataclass(frozen=True)
class HalfLifeCount:
    """How often the drift's half-life was chosen (at 50 % progress). None: no drift fitted."""

    half_life_epochs: float | None
    projections: int


@dataclass(frozen=True)
class BacktestSummaryRow:
    """One progress point over all epochs. Errors in percentage points of the change."""

    progress_pct: float
    epochs: int
    block_resolution: int
    daily_resolution: int
    median_abs_error_pp: float
    mempool_median_abs_error_pp: float
    coverage_50_pct: float
    coverage_90_pct: float
    mean_error_pp: float


@dataclass(frozen=True)
class ChangeCalibration:
    """Calibration of the next change for one era and progress point (errors in pp).

    Coverage has its Wilson 95 % interval (``coverage_50_lower_pct`` ...).
    """

    era: str
    progress_pct: float
    epochs: int
    coverage_50_pct: float
    coverage_50_lower_pct: float
    coverage_50_upper_pct: float
    coverage_90_pct: float
    coverage_90_lower_pct: float
    coverage_90_upper_pct: float
    median_abs_error_pp: float
    mempool_median_abs_error_pp: float
    mean_abs_error_pp: float
    mempool_mean_abs_error_pp: float
    closer_than_mempool_share: float
    mean_error_pp: float


@dataclass(frozen=True)
class EtaCalibration:
    """Calibration of the retarget ETA for one era and progress point (errors in hours)."""

    era: str
    progress_pct: float
    epochs: int
    coverage_50_pct: float
    coverage_50_lower_pct: float
    coverage_50_upper_pct: float
    coverage_90_pct: float
    coverage_90_lower_pct: float
    coverage_90_upper_pct: float
    median_abs_error_h: float
    mempool_median_abs_error_h: float
    mean_abs_error_h: float
    mempool_mean_abs_error_h: float
    closer_than_mempool_share: float
    mean_error_h: float


@dataclass(frozen=True)
class BacktestProjection:
    """One projection of the backtest and what happened.

    Attributes
    ----------
    as_of_time_s : int
        The moment projected from. [Unix s]
    change_pct : Percentiles
        p5/p25/p50/p75/p95 of the projected change. [%]
    retarget_eta : MomentPercentiles
        p5/p50/p95 of the projected retarget time (those projected).
    actual_retarget_time_s : int or None
        [Unix s]
    """

    epoch: int
    era: str
    progress_pct: float
    resolution: str
    as_of_time_s: int
    as_of_time_iso: str
    actual_change_pct: float
    change_pct: Percentiles
    mempool_change_pct: float
    retarget_eta: MomentPercentiles
    mempool_retarget_eta: Moment | None
    actual_retarget_time_s: int | None
    actual_retarget_time_iso: str | None
    half_life_epochs: float | None


@dataclass(frozen=True)
class ProjectionBacktest(Result):
    """``minerscope backtest projection``: the projection scored on stored epochs.

    Attributes
    ----------
    resolution_note : str
        How many projections came from per-block data and how many from daily counts.
    model_rule : str
        The model, as it is applied (no look-ahead).
    summary : tuple of BacktestSummaryRow
        Per progress point over all epochs.
    by_era, eta_by_era : tuple of ChangeCalibration, EtaCalibration
        Per era and progress point: the change (pp) and the retarget ETA (hours).
    projections : tuple of BacktestProjection or None
        Every projection, with ``--rows``.
    """

    DOCUMENT: ClassVar[str] = "backtest_projection"

    from_date: str | None
    to_date: str | None
    epochs: EpochRange
    resolution_note: str
    model_rule: str
    half_lives_chosen: tuple[HalfLifeCount, ...]
    summary: tuple[BacktestSummaryRow, ...]
    by_era: tuple[ChangeCalibration, ...]
    eta_by_era: tuple[EtaCalibration, ...]
    projections: tuple[BacktestProjection, ...] | None


__all__ = [
    "BacktestProjection",
    "BacktestSummaryRow",
    "BlockIntervals",
    "BlockTimes",
    "BlocksPerDay",
    "ChangeCalibration",
    "DailyHashrate",
    "DifficultyReport",
    "Drawdown",
    "DriftModel",
    "EpochProgress",
    "EpochRange",
    "EtaCalibration",
    "HalfLifeCount",
    "Halving",
    "HashrateReport",
    "HashrateWindow",
    "MempoolEstimate",
    "NetworkStatus",
    "NextAdjustment",
    "ProjectionBacktest",
]
