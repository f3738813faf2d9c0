"""Backtest of the difficulty projection on real epochs (pure: arrays in, rows out).

For every epoch whose next difficulty is known, the projection is made at fixed shares of
the epoch (10, 25, 50, 75, 90 %) using only what was known then: blocks up to the tip of
that moment (or daily rows up to the end of that day), and drift parameters fitted on
the difficulties known at the epoch's start. The realised change comes from the next
epoch's compact bits, exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..consensus import difficulty_from_bits
from .epochstate import epoch_state_from_blocks, epoch_state_from_daily
from .projection import (
    BLOCKS_PER_EPOCH,
    MIN_RATE_WINDOW,
    DriftParams,
    EpochState,
    fit_drift,
    project_difficulty,
)

PROGRESS_POINTS = (0.10, 0.25, 0.50, 0.75, 0.90)


@dataclass(frozen=True)
class BacktestRow:
    """One projection of one epoch at one progress point."""

    epoch: int
    progress_target_share: float
    progress_share: float
    resolution: str
    as_of_s: float
    actual_change_pct: float
    p5_pct: float
    p25_pct: float
    p50_pct: float
    p75_pct: float
    p95_pct: float
    mempool_change_pct: float

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
    """Calibration and accuracy at one progress point."""

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
class BlockData:
    """Consecutive per-block arrays (heights, times, bits)."""

    heights: np.ndarray
    times_s: np.ndarray
    bits: np.ndarray


@dataclass(frozen=True)
class DailyData:
    """Consecutive daily arrays (day starts, blocks, height at end of day)."""

    day_start_s: np.ndarray
    blocks: np.ndarray
    height_eod: np.ndarray


def _block_state(bd: BlockData, epoch: int, share: float) -> EpochState | None:
    lo, hi = int(bd.heights[0]), int(bd.heights[-1])
    start = epoch * BLOCKS_PER_EPOCH
    tip = start + round(share * BLOCKS_PER_EPOCH) - 1
    first_needed = start if tip - start >= MIN_RATE_WINDOW else min(start, tip - MIN_RATE_WINDOW)
    if first_needed < lo or tip > hi:
        return None
    sl = slice(first_needed - lo, tip - lo + 1)
    return epoch_state_from_blocks(
        bd.heights[sl], bd.times_s[sl], bd.bits[sl], as_of_s=float(bd.times_s[tip - lo])
    )


def _daily_state(
    dd: DailyData, epoch_bits: Sequence[int], epoch: int, share: float
) -> EpochState | None:
    start = epoch * BLOCKS_PER_EPOCH
    mined = dd.height_eod - start + 1
    inside = np.flatnonzero((mined >= 1) & (mined < BLOCKS_PER_EPOCH))
    if len(inside) == 0:
        return None
    # the day must not be the epoch's first partial day when it starts the data
    best = int(inside[np.argmin(np.abs(mined[inside] / BLOCKS_PER_EPOCH - share))])
    if dd.height_eod[0] > start - MIN_RATE_WINDOW:
        return None
    return epoch_state_from_daily(
        dd.day_start_s, dd.blocks, dd.height_eod, epoch_bits, day_index=best
    )


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
    lookback_epochs, mu_lookback_epochs : int
        Passed to :func:`minerscope.analytics.projection.fit_drift`. [epochs]
    model : str
        Passed to :func:`minerscope.analytics.projection.project_difficulty`.

    Returns
    -------
    list of BacktestRow
    """
    bits_list = [int(x) for x in np.asarray(epoch_bits, dtype=object)]
    diffs = np.array([difficulty_from_bits(b) for b in bits_list])
    rows: list[BacktestRow] = []
    for e in range(max(from_epoch, 2), min(to_epoch, len(bits_list) - 2) + 1):
        drift: DriftParams = fit_drift(
            diffs[: e + 1], lookback_epochs=lookback_epochs, mu_lookback_epochs=mu_lookback_epochs
        )
        actual = 100.0 * (diffs[e + 1] / diffs[e] - 1.0)
        for share in progress_points:
            state = _block_state(blocks, e, share) if blocks is not None else None
            if state is None and daily is not None:
                state = _daily_state(daily, bits_list, e, share)
            if state is None or state.intervals_remaining <= 0:
                continue
            proj = project_difficulty(state, drift, model=model)
            c = proj.change_pct
            rows.append(
                BacktestRow(
                    epoch=e,
                    progress_target_share=share,
                    progress_share=state.progress_share,
                    resolution=state.resolution,
                    as_of_s=state.as_of_s,
                    actual_change_pct=actual,
                    p5_pct=c[5],
                    p25_pct=c[25],
                    p50_pct=c[50],
                    p75_pct=c[75],
                    p95_pct=c[95],
                    mempool_change_pct=proj.mempool_change_pct,
                )
            )
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
