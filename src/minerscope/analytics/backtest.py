"""Backtest of the difficulty projection and the retarget ETA on real epochs (pure: arrays
in, rows and tables out).

For every epoch whose next difficulty is known, the projection is made at fixed shares of
the epoch (10, 25, 50, 75, 90 %) using only what was known then: blocks up to the tip of
that moment (or daily rows up to the end of that day), and the drift of
:func:`minerscope.analytics.drift.drift_path`, which sees the difficulties known at the
epoch's start only. The realised change comes from the next epoch's compact bits, exactly;
the realised retarget time is the time of the next epoch's first block (interpolated within
its day at daily resolution).

Tables are by era (the epoch's first block: 2009, 2010-2012, 2013-2015, 2016-2019,
2020-2022, 2023 on) and progress point: coverage of the 50 % and 90 % intervals with Wilson 95 %
intervals, the median and the mean absolute error of our p50 and of the mempool-style
estimate, and the share of epochs where ours is closer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..consensus import difficulty_from_bits, target_from_bits
from .drift import DriftParams, drift_path, fit_drift
from .epochstate import (
    BLOCKS_PER_EPOCH,
    MIN_RATE_WINDOW,
    EpochState,
    epoch_state_from_daily,
    interpolate_block_time,
    state_from_block_arrays,
)
from .projection import project_difficulty

PROGRESS_POINTS = (0.10, 0.25, 0.50, 0.75, 0.90)
#: Eras by the epoch's first block: (name, first Unix s, end Unix s); 1262304000 is
#: 2010-01-01T00:00Z, 1356998400 2013-01-01, 1451606400 2016-01-01, 1577836800
#: 2020-01-01, 1672531200 2023-01-01. 2009 is the CPU era at the pow limit (difficulty 1).
ERAS: tuple[tuple[str, float, float], ...] = (
    ("2009", -math.inf, 1262304000.0),
    ("2010-2012", 1262304000.0, 1356998400.0),
    ("2013-2015", 1356998400.0, 1451606400.0),
    ("2016-2019", 1451606400.0, 1577836800.0),
    ("2020-2022", 1577836800.0, 1672531200.0),
    ("2023 on", 1672531200.0, math.inf),
)
WILSON_Z = 1.959963984540054  # two-sided 95 %


def era_of(time_s: float) -> str:
    """The era (see :data:`ERAS`) of an epoch starting at ``time_s``. [Unix s]"""
    for name, lo, hi in ERAS:
        if lo <= time_s < hi:
            return name
    return ERAS[-1][0]


def wilson_interval(successes: int, n: int, z: float = WILSON_Z) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion.

    Parameters
    ----------
    successes, n : int
        Hits and trials. [1]
    z : float
        Normal quantile of the two-sided confidence (1.96 for 95 %). [1]

    Returns
    -------
    tuple of float
        ``(lower, upper)``. [share]

    Notes
    -----
    ``(p + z^2 / 2n +- z sqrt(p (1 - p) / n + z^2 / 4n^2)) / (1 + z^2 / n)`` with
    ``p = successes / n`` (E. B. Wilson, JASA 22 (1927) 209-212).
    """
    if n <= 0:
        return (math.nan, math.nan)
    p = successes / n
    den = 1.0 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return (max(centre - half, 0.0), min(centre + half, 1.0))


@dataclass(frozen=True)
class BacktestRow:
    """One projection of one epoch at one progress point.

    Times are Unix s; changes are %. ``eta_p*_s`` are the retarget-ETA percentiles,
    ``actual_retarget_time_s`` the realised time of the next epoch's first block (None
    when unknown) and ``actual_retarget_var_s2`` its variance when interpolated. [s^2]
    """

    epoch: int
    progress_target_share: float
    progress_share: float
    resolution: str
    as_of_s: float
    epoch_start_s: float
    actual_change_pct: float
    p5_pct: float
    p25_pct: float
    p50_pct: float
    p75_pct: float
    p95_pct: float
    mempool_change_pct: float
    eta_p5_s: float = math.nan
    eta_p10_s: float = math.nan
    eta_p25_s: float = math.nan
    eta_p50_s: float = math.nan
    eta_p75_s: float = math.nan
    eta_p90_s: float = math.nan
    eta_p95_s: float = math.nan
    mempool_eta_s: float = math.nan
    actual_retarget_time_s: float | None = None
    actual_retarget_var_s2: float = 0.0
    half_life_epochs: float | None = None

    @property
    def era(self) -> str:
        """The era of the epoch's first block."""
        return era_of(self.epoch_start_s)

    @property
    def in_50(self) -> bool:
        """Realised change inside the 50% interval (p25 .. p75)."""
        return self.p25_pct <= self.actual_change_pct <= self.p75_pct

    @property
    def in_90(self) -> bool:
        """Realised change inside the 90% interval (p5 .. p95)."""
        return self.p5_pct <= self.actual_change_pct <= self.p95_pct


@dataclass(frozen=True)
class BacktestSummary:
    """Calibration and accuracy of the change at one progress point (all eras)."""

    progress_target_share: float
    epochs: int
    block_resolution: int
    daily_resolution: int
    median_abs_error_pp: float  # our p50, percentage points
    mempool_median_abs_error_pp: float
    coverage_50_share: float
    coverage_90_share: float
    mean_error_pp: float  # p50 - actual (bias)


@dataclass(frozen=True)
class CalibrationCell:
    """One era at one progress point: coverage with Wilson intervals and accuracy.

    For the change, errors are percentage points; for the retarget ETA, hours. Coverage
    ``*_share`` with ``*_lower_share`` .. ``*_upper_share`` the Wilson 95 % interval.
    """

    era: str
    progress_target_share: float
    epochs: int
    coverage_50_share: float
    coverage_50_lower_share: float
    coverage_50_upper_share: float
    coverage_90_share: float
    coverage_90_lower_share: float
    coverage_90_upper_share: float
    median_abs_error: float
    mempool_median_abs_error: float
    mean_abs_error: float
    mempool_mean_abs_error: float
    closer_share: float
    mean_error: float


@dataclass(frozen=True)
class BlockData:
    """Per-block arrays: heights (increasing), times, and optionally bits (the backtest
    takes each block's target from its epoch's bits)."""

    heights: np.ndarray
    times_s: np.ndarray
    bits: np.ndarray | None = None


@dataclass(frozen=True)
class DailyData:
    """Consecutive daily arrays (day starts, blocks, height at end of day)."""

    day_start_s: np.ndarray
    blocks: np.ndarray
    height_eod: np.ndarray


class _BlockIndex:
    """Dense time and target arrays over the stored block range (NaN where missing)."""

    def __init__(self, bd: BlockData, epoch_targets: np.ndarray) -> None:
        h = np.asarray(bd.heights, dtype=np.int64)
        self.lo = int(h[0])
        self.hi = int(h[-1])
        self.times = np.full(self.hi - self.lo + 1, np.nan)
        self.times[h - self.lo] = np.asarray(bd.times_s, dtype=float)
        ep = np.arange(self.lo, self.hi + 1) // BLOCKS_PER_EPOCH
        ep = np.minimum(ep, len(epoch_targets) - 1)
        self.targets = epoch_targets[ep]
        self.missing = np.concatenate(([0], np.cumsum(np.isnan(self.times))))

    def complete(self, a: int, b: int) -> bool:
        """All heights a .. b stored."""
        if a < self.lo or b > self.hi:
            return False
        return bool(self.missing[b - self.lo + 1] - self.missing[a - self.lo] == 0)

    def time(self, height: int) -> float | None:
        if height < self.lo or height > self.hi:
            return None
        v = float(self.times[height - self.lo])
        return None if math.isnan(v) else v


def _block_state(
    idx: _BlockIndex, epoch_bits: Sequence[int], epoch: int, share: float
) -> EpochState | None:
    start = epoch * BLOCKS_PER_EPOCH
    tip = start + round(share * BLOCKS_PER_EPOCH) - 1
    first = start if tip - start >= MIN_RATE_WINDOW else min(start, tip - MIN_RATE_WINDOW)
    if not idx.complete(max(first, 0), tip):
        return None
    as_of = float(idx.times[tip - idx.lo])
    return state_from_block_arrays(
        idx.times, idx.targets, idx.lo, tip, int(epoch_bits[epoch]), as_of_s=as_of
    )


def _daily_state(
    dd: DailyData, epoch_bits: Sequence[int], epoch: int, share: float
) -> EpochState | None:
    start = epoch * BLOCKS_PER_EPOCH
    mined = dd.height_eod - start + 1
    inside = np.flatnonzero((mined >= 1) & (mined < BLOCKS_PER_EPOCH))
    if len(inside) == 0:
        return None
    best = int(inside[np.argmin(np.abs(mined[inside] / BLOCKS_PER_EPOCH - share))])
    # the data must reach back past the rate window
    if dd.height_eod[0] > start - MIN_RATE_WINDOW:
        return None
    return epoch_state_from_daily(
        dd.day_start_s, dd.blocks, dd.height_eod, epoch_bits, day_index=best
    )


def _retarget_time(
    idx: _BlockIndex | None, dd: DailyData | None, height: int
) -> tuple[float | None, float]:
    if idx is not None:
        t = idx.time(height)
        if t is not None:
            return t, 0.0
    if dd is not None and len(dd.height_eod) and dd.height_eod[-1] >= height:
        t, var = interpolate_block_time(height, dd.day_start_s, dd.blocks, dd.height_eod)
        return t, var
    return None, 0.0


def backtest_projection(
    epoch_bits: ArrayLike,
    *,
    daily: DailyData | None,
    blocks: BlockData | None,
    from_epoch: int,
    to_epoch: int,
    progress_points: Sequence[float] = PROGRESS_POINTS,
    lookback_epochs: int = 52,
    mu_lookback_epochs: int | None = None,
    model: str = "anchored",
    progress: Callable[[int, int], None] | None = None,
) -> list[BacktestRow]:
    """Project every epoch in ``from_epoch .. to_epoch`` at each progress point.

    Parameters
    ----------
    epoch_bits : array_like
        Compact targets of epochs 0, 1, 2 ...; epoch ``e`` is backtested only when
        ``e + 1`` is present (its realised outcome). [compact]
    daily, blocks : DailyData, BlockData or None
        Data to project from; per-block data is used where it covers the moment.
    from_epoch, to_epoch : int
        Inclusive epoch range.
    progress_points : sequence of float
        Shares of the epoch at which to project. [share]
    lookback_epochs : int
        Passed to :func:`minerscope.analytics.drift.fit_drift` with ``mu_lookback_epochs``.
        [epochs]
    mu_lookback_epochs : int, optional
        Given: the v0.1 drift (trailing mean of that many epochs) instead of the shipped
        rule (:func:`minerscope.analytics.drift.drift_path`). [epochs]
    model : str
        Passed to :func:`minerscope.analytics.projection.project_difficulty`.
    progress : callable, optional
        Called as ``progress(done, total)`` after each epoch.

    Returns
    -------
    list of BacktestRow
    """
    bits_list = [int(x) for x in np.asarray(epoch_bits, dtype=object)]
    diffs = np.array([difficulty_from_bits(b) for b in bits_list])
    path = drift_path(diffs) if mu_lookback_epochs is None else None
    idx = None
    if blocks is not None and len(blocks.heights):
        targets = np.array([float(target_from_bits(b)) for b in bits_list])
        idx = _BlockIndex(blocks, targets)
    rows: list[BacktestRow] = []
    epochs = range(max(from_epoch, 2), min(to_epoch, len(bits_list) - 2) + 1)
    for done, e in enumerate(epochs, start=1):
        if path is not None:
            drift: DriftParams = path[e]
        else:
            drift = fit_drift(
                diffs[: e + 1],
                lookback_epochs=lookback_epochs,
                mu_lookback_epochs=mu_lookback_epochs,
            )
        actual = 100.0 * (diffs[e + 1] / diffs[e] - 1.0)
        retarget_t, retarget_var = _retarget_time(idx, daily, (e + 1) * BLOCKS_PER_EPOCH)
        for share in progress_points:
            state = _block_state(idx, bits_list, e, share) if idx is not None else None
            if state is None and daily is not None:
                state = _daily_state(daily, bits_list, e, share)
            if state is None or state.intervals_remaining <= 0:
                continue
            proj = project_difficulty(state, drift, model=model, closed_form=False)
            c = proj.change_pct
            eta = proj.retarget_eta_s
            rows.append(
                BacktestRow(
                    epoch=e,
                    progress_target_share=share,
                    progress_share=state.progress_share,
                    resolution=state.resolution,
                    as_of_s=state.as_of_s,
                    epoch_start_s=state.start_time_s,
                    actual_change_pct=actual,
                    p5_pct=c[5],
                    p25_pct=c[25],
                    p50_pct=c[50],
                    p75_pct=c[75],
                    p95_pct=c[95],
                    mempool_change_pct=proj.mempool_change_pct,
                    eta_p5_s=eta[5],
                    eta_p10_s=eta[10],
                    eta_p25_s=eta[25],
                    eta_p50_s=eta[50],
                    eta_p75_s=eta[75],
                    eta_p90_s=eta[90],
                    eta_p95_s=eta[95],
                    mempool_eta_s=proj.mempool_eta_s,
                    actual_retarget_time_s=retarget_t,
                    actual_retarget_var_s2=retarget_var,
                    half_life_epochs=drift.half_life_epochs,
                )
            )
        if progress is not None:
            progress(done, len(epochs))
    return rows


def summarize_backtest(rows: Sequence[BacktestRow]) -> list[BacktestSummary]:
    """Per progress point: median absolute errors, bias and interval coverage."""
    out: list[BacktestSummary] = []
    for share in sorted({r.progress_target_share for r in rows}):
        sel = [r for r in rows if r.progress_target_share == share]
        ours = np.array([r.p50_pct - r.actual_change_pct for r in sel])
        mp = np.array([r.mempool_change_pct - r.actual_change_pct for r in sel])
        out.append(
            BacktestSummary(
                progress_target_share=share,
                epochs=len(sel),
                block_resolution=sum(r.resolution == "block" for r in sel),
                daily_resolution=sum(r.resolution == "daily" for r in sel),
                median_abs_error_pp=float(np.median(np.abs(ours))),
                mempool_median_abs_error_pp=float(np.median(np.abs(mp))),
                coverage_50_share=float(np.mean([r.in_50 for r in sel])),
                coverage_90_share=float(np.mean([r.in_90 for r in sel])),
                mean_error_pp=float(np.mean(ours)),
            )
        )
    return out


def _cell(
    era: str,
    share: float,
    in50: np.ndarray,
    in90: np.ndarray,
    ours: np.ndarray,
    mempool: np.ndarray,
) -> CalibrationCell:
    n = len(in50)
    k50, k90 = int(np.sum(in50)), int(np.sum(in90))
    lo50, hi50 = wilson_interval(k50, n)
    lo90, hi90 = wilson_interval(k90, n)
    return CalibrationCell(
        era=era,
        progress_target_share=share,
        epochs=n,
        coverage_50_share=k50 / n,
        coverage_50_lower_share=lo50,
        coverage_50_upper_share=hi50,
        coverage_90_share=k90 / n,
        coverage_90_lower_share=lo90,
        coverage_90_upper_share=hi90,
        median_abs_error=float(np.median(np.abs(ours))),
        mempool_median_abs_error=float(np.median(np.abs(mempool))),
        mean_abs_error=float(np.mean(np.abs(ours))),
        mempool_mean_abs_error=float(np.mean(np.abs(mempool))),
        closer_share=float(np.mean(np.abs(ours) < np.abs(mempool))),
        mean_error=float(np.mean(ours)),
    )


def _groups(rows: Sequence[BacktestRow]) -> list[tuple[str, float, list[BacktestRow]]]:
    out = []
    for era, _, _ in ERAS:
        for share in sorted({r.progress_target_share for r in rows}):
            sel = [r for r in rows if r.era == era and r.progress_target_share == share]
            if sel:
                out.append((era, share, sel))
    return out


def calibration_by_era(rows: Sequence[BacktestRow]) -> list[CalibrationCell]:
    """The change's table: per era and progress point (errors in percentage points)."""
    cells = []
    for era, share, sel in _groups(rows):
        cells.append(
            _cell(
                era,
                share,
                np.array([r.in_50 for r in sel]),
                np.array([r.in_90 for r in sel]),
                np.array([r.p50_pct - r.actual_change_pct for r in sel]),
                np.array([r.mempool_change_pct - r.actual_change_pct for r in sel]),
            )
        )
    return cells


def eta_calibration_by_era(rows: Sequence[BacktestRow]) -> list[CalibrationCell]:
    """The retarget ETA's table: per era and progress point (errors in hours; 50 % is
    p25 .. p75, 90 % p5 .. p95 of the ETA)."""
    hour = 3600.0
    known = [r for r in rows if r.actual_retarget_time_s is not None]
    cells = []
    for era, share, sel in _groups(known):
        t = np.array([float(r.actual_retarget_time_s or 0.0) for r in sel])
        cells.append(
            _cell(
                era,
                share,
                np.array([r.eta_p25_s <= x <= r.eta_p75_s for r, x in zip(sel, t, strict=True)]),
                np.array([r.eta_p5_s <= x <= r.eta_p95_s for r, x in zip(sel, t, strict=True)]),
                (np.array([r.eta_p50_s for r in sel]) - t) / hour,
                (np.array([r.mempool_eta_s for r in sel]) - t) / hour,
            )
        )
    return cells


__all__ = [
    "ERAS",
    "PROGRESS_POINTS",
    "BacktestRow",
    "BacktestSummary",
    "BlockData",
    "CalibrationCell",
    "DailyData",
    "backtest_projection",
    "calibration_by_era",
    "era_of",
    "eta_calibration_by_era",
    "summarize_backtest",
    "wilson_interval",
]
