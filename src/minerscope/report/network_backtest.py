"""The ``backtest projection`` view: score the difficulty projection and the retarget ETA
on stored epochs, per era and progress point."""

from __future__ import annotations

import math
import sqlite3
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import storage
from ..analytics.backtest import (
    BacktestRow,
    BlockData,
    CalibrationCell,
    DailyData,
    backtest_projection,
    calibration_by_era,
    eta_calibration_by_era,
    summarize_backtest,
)
from ..analytics.daily import height_at_end_of_day
from ..analytics.drift import HALF_LIFE_CANDIDATES
from ..analytics.epochstate import BLOCKS_PER_EPOCH
from ..asof import date_utc, iso_utc
from ..consensus import difficulty_from_bits
from ..errors import NoDataError
from ..results import Moment, MomentPercentiles, Percentiles
from ..storage.network import block_time_arrays
from ._network_data import _epoch_bits, _load_daily
from .network_results import (
    BacktestProjection,
    BacktestSummaryRow,
    ChangeCalibration,
    EpochRange,
    EtaCalibration,
    HalfLifeCount,
    ProjectionBacktest,
)

MODEL_RULE = (
    "log hash rate: random walk whose drift is an exponentially weighted mean of past epoch"
    " growth; its half-life is chosen from "
    + "/".join(f"{h:g}" for h in HALF_LIFE_CANDIDATES)
    + " epochs by the best mean one-step log predictive score over all epochs finished"
    " before the projected one; volatility from the last 52 one-step errors, tail kurtosis"
    " from the last 208; the rate to come is conditioned on the previous epoch's retarget"
    " anchor and the epoch so far (no look-ahead anywhere)"
)


def _pct(c: CalibrationCell) -> dict[str, Any]:
    return {
        "era": c.era,
        "progress_pct": 100 * c.progress_target_share,
        "epochs": c.epochs,
        "coverage_50_pct": 100 * c.coverage_50_share,
        "coverage_50_lower_pct": 100 * c.coverage_50_lower_share,
        "coverage_50_upper_pct": 100 * c.coverage_50_upper_share,
        "coverage_90_pct": 100 * c.coverage_90_share,
        "coverage_90_lower_pct": 100 * c.coverage_90_lower_share,
        "coverage_90_upper_pct": 100 * c.coverage_90_upper_share,
        "closer_than_mempool_share": c.closer_share,
    }


def _change_cell(c: CalibrationCell) -> ChangeCalibration:
    return ChangeCalibration(
        **_pct(c),
        median_abs_error_pp=c.median_abs_error,
        mempool_median_abs_error_pp=c.mempool_median_abs_error,
        mean_abs_error_pp=c.mean_abs_error,
        mempool_mean_abs_error_pp=c.mempool_mean_abs_error,
        mean_error_pp=c.mean_error,
    )


def _eta_cell(c: CalibrationCell) -> EtaCalibration:
    return EtaCalibration(
        **_pct(c),
        median_abs_error_h=c.median_abs_error,
        mempool_median_abs_error_h=c.mempool_median_abs_error,
        mean_abs_error_h=c.mean_abs_error,
        mempool_mean_abs_error_h=c.mempool_mean_abs_error,
        mean_error_h=c.mean_error,
    )


def _moment(t: float | None) -> Moment | None:
    return None if t is None or not math.isfinite(t) else Moment.at(t)


def _projection(r: BacktestRow) -> BacktestProjection:
    eta = {p: t for p, t in ((5, r.eta_p5_s), (50, r.eta_p50_s), (95, r.eta_p95_s))
           if math.isfinite(t)}  # fmt: skip
    actual = _moment(r.actual_retarget_time_s)
    return BacktestProjection(
        epoch=r.epoch,
        era=r.era,
        progress_pct=100 * r.progress_share,
        resolution=r.resolution,
        as_of_time_s=int(r.as_of_s),
        as_of_time_iso=iso_utc(int(r.as_of_s)),
        actual_change_pct=r.actual_change_pct,
        change_pct=Percentiles(
            p5=r.p5_pct, p25=r.p25_pct, p50=r.p50_pct, p75=r.p75_pct, p95=r.p95_pct
        ),
        mempool_change_pct=r.mempool_change_pct,
        retarget_eta=MomentPercentiles.of(eta),
        mempool_retarget_eta=_moment(r.mempool_eta_s),
        actual_retarget_time_s=None if actual is None else actual.time_s,
        actual_retarget_time_iso=None if actual is None else actual.time_iso,
        half_life_epochs=r.half_life_epochs,
    )


def backtest_report(
    conn: sqlite3.Connection,
    *,
    from_date: str | None = "2016-01-01",
    to_date: str | None = None,
    include_rows: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ProjectionBacktest:
    """Backtest the difficulty projection on every stored epoch that started in a date range.

    Parameters
    ----------
    conn : sqlite3.Connection
    from_date, to_date : str, optional
        Epochs whose first block falls in ``[from_date, to_date]`` (YYYY-MM-DD, UTC).
    include_rows : bool
        Also return every projection (epoch, progress, percentiles, realised values).
    progress : callable, optional
        ``progress(done, total)`` after each epoch.

    Returns
    -------
    ProjectionBacktest
        ``summary`` (per progress point over all epochs: median absolute errors, coverage,
        mean error), ``by_era`` (per era and progress point: 50 % and 90 % coverage with
        Wilson 95 % intervals, median and mean absolute error of our p50 and of the
        mempool-style estimate, share of epochs where ours is closer) and ``eta_by_era``
        (the same for the retarget ETA, errors in hours); ``resolution_note`` and
        ``model_rule`` state the data and the model; ``projections`` with ``include_rows``.
    """
    bits_list = _epoch_bits(conn)
    if len(bits_list) < 3:
        raise NoDataError("the backtest needs the epochs table (import the Electrum epochs)")
    last_day = storage.last_daily_date(conn)
    daily_data = None
    starts = [e * BLOCKS_PER_EPOCH for e in range(len(bits_list))]
    start_days: dict[int, str] = {}
    if last_day is not None:
        daily = _load_daily(conn, last_day)
        diffs = [difficulty_from_bits(b) for b in bits_list]
        heod, _ = height_at_end_of_day(daily.blocks, daily.difficulty, starts, diffs)
        daily_data = DailyData(daily.day_start_s, np.nan_to_num(daily.blocks), heod)
        js = np.searchsorted(heod, starts)
        for e, j in enumerate(js):
            if j < len(heod):
                start_days[e] = daily.dates[int(j)]
    block_data = None
    heights, times = block_time_arrays(conn)
    if len(heights):
        block_data = BlockData(heights, times.astype(float))
        pos = np.searchsorted(heights, starts)
        for e, (s, j) in enumerate(zip(starts, pos, strict=True)):
            if j < len(heights) and heights[j] == s:
                start_days[e] = date_utc(int(times[j]))
    chosen = [
        e
        for e, d in sorted(start_days.items())
        if (from_date is None or d >= from_date) and (to_date is None or d <= to_date)
    ]
    if not chosen:
        raise NoDataError(f"no stored epoch starts between {from_date} and {to_date}")
    rows = backtest_projection(
        bits_list,
        daily=daily_data,
        blocks=block_data,
        from_epoch=chosen[0],
        to_epoch=chosen[-1],
        progress=progress,
    )
    if not rows:
        raise NoDataError("no epoch in the range has a known outcome and data to project from")
    summary = summarize_backtest(rows)
    n_block = sum(r.resolution == "block" for r in rows)
    half_lives = Counter(r.half_life_epochs for r in rows if r.progress_target_share == 0.5)
    return ProjectionBacktest(
        from_date=from_date,
        to_date=to_date,
        epochs=EpochRange(
            first_epoch=rows[0].epoch,
            last_epoch=max(r.epoch for r in rows),
            count=len({r.epoch for r in rows}),
        ),
        resolution_note=(
            f"{n_block} projections from per-block data, {len(rows) - n_block} from daily"
            " block counts (block times interpolated within their day)"
        ),
        model_rule=MODEL_RULE,
        half_lives_chosen=tuple(
            HalfLifeCount(half_life_epochs=h, projections=k)
            for h, k in sorted(half_lives.items(), key=lambda kv: (kv[0] is None, kv[0] or 0.0))
        ),
        summary=tuple(
            BacktestSummaryRow(
                progress_pct=100 * s.progress_target_share,
                epochs=s.epochs,
                block_resolution=s.block_resolution,
                daily_resolution=s.daily_resolution,
                median_abs_error_pp=s.median_abs_error_pp,
                mempool_median_abs_error_pp=s.mempool_median_abs_error_pp,
                coverage_50_pct=100 * s.coverage_50_share,
                coverage_90_pct=100 * s.coverage_90_share,
                mean_error_pp=s.mean_error_pp,
            )
            for s in summary
        ),
        by_era=tuple(_change_cell(c) for c in calibration_by_era(rows)),
        eta_by_era=tuple(_eta_cell(c) for c in eta_calibration_by_era(rows)),
        projections=tuple(_projection(r) for r in rows) if include_rows else None,
    )
