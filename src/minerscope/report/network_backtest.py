"""The ``backtest projection`` view: score the difficulty projection on stored epochs."""

from __future__ import annotations

import sqlite3
from typing import Any

import numpy as np

from .. import storage
from ..analytics.backtest import BlockData, DailyData, backtest_projection, summarize_backtest
from ..analytics.daily import height_at_end_of_day
from ..analytics.projection import BLOCKS_PER_EPOCH
from ..asof import date_utc, iso_utc
from ..consensus import difficulty_from_bits
from ..errors import NoDataError
from ._network_data import DRIFT_LOOKBACK_EPOCHS, _epoch_bits, _load_block_arrays, _load_daily


def backtest_report(
    conn: sqlite3.Connection,
    *,
    from_date: str | None = "2016-01-01",
    to_date: str | None = None,
    include_rows: bool = False,
) -> dict[str, Any]:
    """Backtest the difficulty projection on every stored epoch that started in a date range.

    Parameters
    ----------
    conn : sqlite3.Connection
    from_date, to_date : str, optional
        Epochs whose first block falls in ``[from_date, to_date]`` (YYYY-MM-DD, UTC).
    include_rows : bool
        Also return every projection (epoch, progress, percentiles, realised change).

    Returns
    -------
    dict
        ``summary``: per progress point (10, 25, 50, 75, 90 %) the epochs used, how many
        at block and at daily resolution, the median absolute error of our p50 and of
        the mempool-style estimate (percentage points), the coverage of the 50 % and
        90 % intervals and the mean error; ``resolution`` states the data used.
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
        for e, s in enumerate(starts):
            j = int(np.searchsorted(heod, s))
            if j < len(heod):
                start_days[e] = daily.dates[j]
    block_data = None
    rng = storage.block_range(conn)
    if rng is not None:
        heights, times, bits = _load_block_arrays(conn, rng[0], rng[1])
        block_data = BlockData(heights, times.astype(float), bits)
        for e, s in enumerate(starts):
            if heights[0] <= s <= heights[-1]:
                start_days[e] = date_utc(int(times[s - int(heights[0])]))
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
        lookback_epochs=DRIFT_LOOKBACK_EPOCHS,
    )
    if not rows:
        raise NoDataError("no epoch in the range has a known outcome and data to project from")
    summary = summarize_backtest(rows)
    n_block = sum(r.resolution == "block" for r in rows)
    out: dict[str, Any] = {
        "from_date": from_date,
        "to_date": to_date,
        "epochs": {
            "first": rows[0].epoch,
            "last": max(r.epoch for r in rows),
            "count": len({r.epoch for r in rows}),
        },  # fmt: skip
        "resolution": (
            f"{n_block} projections from per-block data, {len(rows) - n_block} from daily"
            " block counts (block times interpolated within their day)"
        ),
        "drift_fit": (
            f"log-hash-rate random walk: drift and volatility from the {DRIFT_LOOKBACK_EPOCHS}"
            " epoch changes, kurtosis from the 208, before each projected epoch (no look-ahead);"
            " future rate conditioned on the previous epoch's retarget anchor and the epoch so far"
        ),
        "summary": [
            {
                "progress_pct": 100 * s.progress_target_share,
                "epochs": s.epochs,
                "block_resolution": s.block_resolution,
                "daily_resolution": s.daily_resolution,
                "median_abs_error_pp": s.median_abs_error_pp,
                "mempool_median_abs_error_pp": s.mempool_median_abs_error_pp,
                "coverage_50_pct": 100 * s.coverage_50_share,
                "coverage_90_pct": 100 * s.coverage_90_share,
                "mean_error_pp": s.mean_error_pp,
            }
            for s in summary
        ],
    }
    if include_rows:
        out["rows"] = [
            {
                "epoch": r.epoch,
                "progress_pct": 100 * r.progress_share,
                "resolution": r.resolution,
                "as_of_iso": iso_utc(int(r.as_of_s)),
                "actual_change_pct": r.actual_change_pct,
                "p5_pct": r.p5_pct,
                "p25_pct": r.p25_pct,
                "p50_pct": r.p50_pct,
                "p75_pct": r.p75_pct,
                "p95_pct": r.p95_pct,
                "mempool_change_pct": r.mempool_change_pct,
            }
            for r in rows
        ]
    return out
