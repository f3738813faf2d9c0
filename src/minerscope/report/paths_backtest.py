"""The ``backtest paths`` view: are the 6- and 12-month difficulty bands of the path methods
calibrated on real epochs? (:mod:`minerscope.simulation.paths_backtest`)"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .. import storage
from ..analytics.daily import height_at_end_of_day
from ..analytics.projection import BLOCKS_PER_EPOCH
from ..asof import date_utc, iso_utc
from ..consensus import difficulty_from_bits
from ..errors import InputError, NoDataError
from ..results import Percentiles, Result
from ..simulation.paths_backtest import PathBacktestSummary, backtest_paths, summarize
from ._network_data import _epoch_bits, _load_daily


@dataclass(frozen=True)
class YearCoverage:
    """The 80% band's coverage for projections made in one calendar year."""

    method: str
    horizon_days: float
    year: str
    projections: int
    coverage_80_share: float
    below_p10_share: float
    above_p90_share: float


@dataclass(frozen=True)
class ProjectionRow:
    """One projection (with ``--rows``): the difficulty at the horizon, projected (p10/p50/p90)
    and realised."""

    epoch: int
    as_of_time_s: int
    as_of_time_iso: str
    method: str
    horizon_days: float
    realised_difficulty: float
    difficulty: Percentiles


@dataclass(frozen=True)
class PathsBacktestDocument(Result):
    """``minerscope backtest paths``."""

    DOCUMENT: ClassVar[str] = "backtest_paths"

    from_date: str
    first_epoch: int
    last_epoch: int
    paths: int
    seed: int
    method_notes: dict[str, str]
    summary: tuple[PathBacktestSummary, ...]
    by_year: tuple[YearCoverage, ...]
    rows: tuple[ProjectionRow, ...] = ()


def epoch_start_times(conn: sqlite3.Connection) -> tuple[np.ndarray, np.ndarray]:
    """Difficulties of the stored epochs and the time of each one's first block (from the
    daily rows: the block's place among its day's blocks, interpolated; stored blocks where
    they exist). Epochs whose start the data does not reach are left out. [Unix s]"""
    bits = _epoch_bits(conn)
    last = storage.last_daily_date(conn)
    if len(bits) < 110 or last is None:
        raise NoDataError(
            "the paths backtest needs the epochs and the daily rows: minerscope quickstart"
            " ../shared/data"
        )
    diffs = np.array([difficulty_from_bits(b) for b in bits])
    daily = _load_daily(conn, last)
    starts_h = np.arange(len(bits)) * BLOCKS_PER_EPOCH
    heod, _ = height_at_end_of_day(daily.blocks, daily.difficulty, starts_h, diffs)
    k = np.nan_to_num(daily.blocks)
    times = []
    for s in starts_h:
        j = int(np.searchsorted(heod, s))
        if j >= len(heod):
            break
        before = heod[j - 1] if j > 0 else -1.0
        frac = (s - before - 0.5) / k[j] if k[j] > 0 else 0.5
        times.append(daily.day_start_s[j] + min(max(frac, 0.0), 1.0) * 86_400)
    out = np.array(times)
    rng = storage.block_range(conn)
    if rng is not None:
        first_e = -(-rng[0] // BLOCKS_PER_EPOCH)
        for e in range(first_e, min(len(out), rng[1] // BLOCKS_PER_EPOCH + 1)):
            row = storage.block_row(conn, e * BLOCKS_PER_EPOCH)
            if row is not None:
                out[e] = row.time_s
    return diffs[: len(out)], out


def backtest_paths_report(
    conn: sqlite3.Connection,
    *,
    from_date: str = "2016-01-01",
    to_date: str | None = None,
    paths: int = 1000,
    seed: int = 1,
    include_rows: bool = False,
) -> PathsBacktestDocument:
    """Project every epoch that started in the range, with each method, and score it."""
    if not 10 <= paths <= 100_000:
        raise InputError(f"must be 10..100,000, got {paths}", field="--paths")
    diffs, starts = epoch_start_times(conn)
    days = [date_utc(int(t)) for t in starts]
    chosen = [e for e, d in enumerate(days) if d >= from_date and (to_date is None or d <= to_date)]
    chosen = [e for e in chosen if e >= 105]
    if not chosen:
        raise NoDataError(f"no stored epoch starts between {from_date} and {to_date}")
    rows = backtest_paths(diffs, starts, from_epoch=chosen[0], to_epoch=chosen[-1], paths=paths,
                          seed=seed)  # fmt: skip
    if not rows:
        raise NoDataError("no epoch in the range has its difficulty known a year later")
    by_year = []
    for method in ("bootstrap", "fitted"):
        for h in sorted({r.horizon_days for r in rows}):
            years = sorted({date_utc(int(r.as_of_s))[:4] for r in rows})
            for y in years:
                sel = [
                    r
                    for r in rows
                    if r.method == method
                    and r.horizon_days == h
                    and date_utc(int(r.as_of_s))[:4] == y
                ]
                if not sel:
                    continue
                by_year.append(
                    YearCoverage(
                        method=method,
                        horizon_days=h,
                        year=y,
                        projections=len(sel),
                        coverage_80_share=float(np.mean([r.inside(10, 90) for r in sel])),
                        below_p10_share=float(np.mean([r.realised < r.quantiles[10] for r in sel])),
                        above_p90_share=float(np.mean([r.realised > r.quantiles[90] for r in sel])),
                    )
                )
    out_rows: tuple[ProjectionRow, ...] = ()
    if include_rows:
        out_rows = tuple(
            ProjectionRow(
                epoch=r.epoch,
                as_of_time_s=int(r.as_of_s),
                as_of_time_iso=iso_utc(int(r.as_of_s)),
                method=r.method,
                horizon_days=r.horizon_days,
                realised_difficulty=r.realised,
                difficulty=Percentiles(
                    p10=r.quantiles[10], p50=r.quantiles[50], p90=r.quantiles[90]
                ),
            )
            for r in rows
        )
    return PathsBacktestDocument(
        from_date=from_date,
        first_epoch=rows[0].epoch,
        last_epoch=rows[-1].epoch,
        paths=paths,
        seed=seed,
        method_notes={
            "bootstrap": "stationary block bootstrap (mean block 2 epochs) of the 104 epoch"
            " log-changes before each epoch, expected block times",
            "fitted": "log hash rate random walk fitted on the 52 epoch changes before each"
            " epoch (kurtosis on 208), Brownian regime means, Gamma block times",
            "as_of": "the first block of each epoch; epoch start times from the daily rows"
            " (interpolated within the day) or stored blocks",
        },
        summary=tuple(summarize(rows)),
        by_year=tuple(by_year),
        rows=out_rows,
    )


__all__ = ["PathsBacktestDocument", "backtest_paths_report", "epoch_start_times"]
