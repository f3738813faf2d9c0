"""The ``hashrate`` view: hash rate with exact intervals over block windows, time windows and
daily rows, block times and the drawdown from the peak (re-exported by
:mod:`minerscope.report.network`)."""

from __future__ import annotations

import sqlite3
from typing import Any

import numpy as np

from .. import storage
from ..analytics.blocktimes import block_interval_stats, blocks_per_day
from ..analytics.daily import daily_hashrate
from ..analytics.drawdown import hashrate_drawdown
from ..analytics.epochstate import BLOCKS_PER_EPOCH
from ..analytics.hashrate import (
    HashrateEstimate,
    core_network_hashps,
    hashrate_fixed_blocks,
    hashrate_fixed_time,
)
from ..asof import AsOf, iso_utc, last_complete_day
from ..consensus import block_work
from ..errors import NoDataError
from ..storage.network import blocks_in_time_window
from ..units import SECONDS_PER_DAY
from ._network_data import (
    _as_of_info,
    _choose_source,
    _DailyArrays,
    _ehs,
    _load_block_arrays,
    _load_daily,
    _Source,
)
from .network_results import (
    BlockIntervals,
    BlocksPerDay,
    BlockTimes,
    DailyHashrate,
    Drawdown,
    HashrateReport,
    HashrateWindow,
)

DEFAULT_BLOCK_WINDOWS = (144, 1008, 2016)
DRAWDOWN_SEED = 20_240_420  # fixed seed: the same data gives the same answer


def _estimate(label: str, est: HashrateEstimate, **extra: Any) -> HashrateWindow:
    return HashrateWindow(
        window=label,
        method=est.method,
        interval_method=(
            "Gamma (fixed blocks)" if est.method == "blocks" else "Garwood (fixed time)"
        ),
        n_blocks=est.n_blocks,
        span_s=est.span_s,
        hashrate_ehs=_ehs(est.estimate_hps),
        hashrate_lower_ehs=_ehs(est.lower_hps),
        hashrate_upper_ehs=_ehs(est.upper_hps),
        confidence_share=est.confidence,
        hashrate_mle_ehs=_ehs(est.mle_hps),
        core_getnetworkhashps_ehs=_ehs(est.core_hps),
        **extra,
    )


# --- hash rate --------------------------------------------------------------------------


def _block_window(
    label: str, times: np.ndarray, bits: np.ndarray, tip: int, n: int
) -> HashrateWindow:
    """One fixed-block window over the stored arrays (times and bits end at ``tip``)."""
    sl = slice(len(times) - n - 1, len(times))
    works = [block_work(int(b)) for b in bits[sl][1:]]
    t = times[sl]
    if int(t[-1]) <= int(t[0]):
        core = core_network_hashps(t, works)
        return HashrateWindow(
            window=label,
            method="blocks",
            n_blocks=n,
            span_s=float(t[-1] - t[0]),
            from_height=tip - n,
            to_height=tip,
            core_getnetworkhashps_ehs=_ehs(core),
            note=(
                f"no estimate: the last block's time ({iso_utc(int(t[-1]))}) is not after the"
                f" first's ({iso_utc(int(t[0]))}) over these {n} intervals (miners set"
                " timestamps up to two hours off); Core's getnetworkhashps divides by the"
                " spread of the times instead. Use a longer window"
            ),
        )
    est = hashrate_fixed_blocks(t, works)
    return _estimate(label, est, from_height=tip - n, to_height=tip)


def _block_windows(
    conn: sqlite3.Connection, tip: int, windows: tuple[int, ...], with_epoch: bool
) -> list[HashrateWindow]:
    start = (tip // BLOCKS_PER_EPOCH) * BLOCKS_PER_EPOCH
    lo = min(tip - max(windows, default=0), start)
    heights, times, bits = _load_block_arrays(conn, lo, tip)
    i0 = int(heights[0])
    out: list[HashrateWindow] = []
    plan = [(f"{n} blocks", n) for n in windows]
    if with_epoch and tip - start >= 2:
        plan.append((f"epoch so far ({tip - start})", tip - start))
    for label, n in plan:
        if tip - n < i0:
            out.append(
                HashrateWindow(
                    window=label,
                    n_blocks=n,
                    note=f"not enough stored blocks: {tip - i0} intervals end at {tip}",
                )
            )
            continue
        out.append(_block_window(label, times[tip - n - i0 :], bits[tip - n - i0 :], tip, n))
    return out


def _time_window(conn: sqlite3.Connection, src: _Source, days: float) -> HashrateWindow:
    end = src.data_time_s
    start = end - int(round(days * SECONDS_PER_DAY))
    heights, times, bits = blocks_in_time_window(conn, start, end)
    earliest = storage.block_range(conn)
    if earliest is None or len(heights) == 0 or int(heights[0]) <= earliest[0]:
        raise NoDataError(
            f"stored blocks do not cover the {days:g}-day window before {iso_utc(end)}"
        )
    works = [block_work(int(b)) for b in bits]
    tip = int(heights[-1])
    next_w = works[-1]
    if (tip + 1) % BLOCKS_PER_EPOCH == 0:
        nxt = storage.epoch_bits(conn, (tip + 1) // BLOCKS_PER_EPOCH)
        if nxt is not None:
            next_w = block_work(nxt)
    est = hashrate_fixed_time(
        times, np.array(works, dtype=float), start_s=start, end_s=end, work_next=float(next_w)
    )
    return _estimate(
        f"{days:g} days",
        est,
        from_time_s=start,
        from_time_iso=iso_utc(start),
        to_time_s=end,
        to_time_iso=iso_utc(end),
    )


def _daily_section(
    daily: _DailyArrays, windows: tuple[int, ...] = (1, 7, 30)
) -> list[HashrateWindow]:
    out: list[HashrateWindow] = []
    for w in windows:
        est, lo, hi = daily_hashrate(daily.blocks, daily.difficulty, window_days=w, interval_days=1)
        if not np.isfinite(est[-1]):
            continue
        out.append(
            HashrateWindow(
                window=f"{w} day{'s' if w > 1 else ''} (daily rows)",
                last_date=daily.dates[-1],
                method="time",
                interval_method="Garwood (fixed time, daily rows)",
                n_blocks=int(np.nansum(daily.blocks[-w:])),
                span_s=float(w * SECONDS_PER_DAY),
                hashrate_ehs=_ehs(float(est[-1])),
                hashrate_lower_ehs=_ehs(float(lo[-1])),
                hashrate_upper_ehs=_ehs(float(hi[-1])),
                confidence_share=0.95,
            )
        )
    return out


def _daily_series(daily: _DailyArrays, days: int) -> list[DailyHashrate]:
    """The last ``days`` days: hash rate per day and over 7 and 30 days, with intervals."""
    cols = [
        daily_hashrate(daily.blocks, daily.difficulty, window_days=w, interval_days=days)
        for w in (1, 7, 30)
    ]

    def ehs(x: float) -> float | None:
        return _ehs(float(x)) if np.isfinite(x) else None

    out = []
    for i in range(max(len(daily.dates) - days, 0), len(daily.dates)):
        (d, dlo, dhi), (w, wlo, whi), (m, mlo, mhi) = cols
        out.append(
            DailyHashrate(
                date=daily.dates[i],
                blocks=None if not np.isfinite(daily.blocks[i]) else int(daily.blocks[i]),
                hashrate_ehs=ehs(d[i]),
                hashrate_lower_ehs=ehs(dlo[i]),
                hashrate_upper_ehs=ehs(dhi[i]),
                hashrate_ma7_ehs=ehs(w[i]),
                hashrate_ma7_lower_ehs=ehs(wlo[i]),
                hashrate_ma7_upper_ehs=ehs(whi[i]),
                hashrate_ma30_ehs=ehs(m[i]),
                hashrate_ma30_lower_ehs=ehs(mlo[i]),
                hashrate_ma30_upper_ehs=ehs(mhi[i]),
            )
        )
    return out


def _drawdown_section(
    daily: _DailyArrays, *, smoothing_days: int, lookback_days: int
) -> Drawdown | None:
    need = lookback_days + smoothing_days - 1
    if len(daily.blocks) < need or not np.all(np.isfinite(daily.difficulty[-need:])):
        return None
    dd = hashrate_drawdown(
        daily.blocks,
        daily.difficulty,
        rng=np.random.default_rng(DRAWDOWN_SEED),
        smoothing_days=smoothing_days,
        lookback_days=lookback_days,
    )
    now, peak = _ehs(dd.now_hps), _ehs(dd.peak_hps)
    assert now is not None and peak is not None
    return Drawdown(
        smoothing_days=smoothing_days,
        lookback_days=lookback_days,
        last_date=daily.dates[-1],
        hashrate_now_ehs=now,
        hashrate_peak_ehs=peak,
        peak_date=daily.dates[dd.peak_index],
        change_from_peak_pct=100 * (dd.ratio_share - 1),
        change_from_peak_lower_pct=100 * (dd.lower_share - 1),
        change_from_peak_upper_pct=100 * (dd.upper_share - 1),
        confidence_share=dd.confidence,
        change_from_peak_corrected_pct=100 * (dd.ratio_corrected_share - 1),
        method=("parametric bootstrap of daily Poisson counts, basic interval, max-bias corrected"),
    )


def _block_times_section(conn: sqlite3.Connection, src: _Source) -> BlockTimes:
    assert src.tip_height is not None
    tip = src.tip_height
    start = (tip // BLOCKS_PER_EPOCH) * BLOCKS_PER_EPOCH
    heights, times, _ = _load_block_arrays(conn, min(tip - 2016, start), tip)
    i0 = int(heights[0])
    rows = []
    for label, n in [("144 blocks", 144), ("1008 blocks", 1008), ("2016 blocks", 2016),
                     ("epoch so far", tip - start)]:  # fmt: skip
        if n < 1 or tip - n < i0:
            continue
        bt = block_interval_stats(times[tip - n - i0 :])
        rows.append(
            BlockIntervals(
                window=label,
                n_intervals=bt.n_intervals,
                mean_interval_s=bt.mean_interval_s,
                mean_interval_lower_s=bt.mean_lower_s,
                mean_interval_upper_s=bt.mean_upper_s,
                confidence_share=bt.confidence,
                median_interval_s=bt.median_interval_s,
            )
        )
    per_day = []
    for days in (1, 7):
        end = src.data_time_s
        h, _, _ = blocks_in_time_window(conn, end - days * SECONDS_PER_DAY, end)
        if len(h) and int(h[0]) > i0 - 1:
            bpd = blocks_per_day(len(h), days)
            per_day.append(
                BlocksPerDay(
                    days=bpd.days,
                    n_blocks=bpd.blocks,
                    blocks_per_day=bpd.observed_per_day,
                    blocks_lower_per_day=bpd.lower_per_day,
                    blocks_upper_per_day=bpd.upper_per_day,
                    confidence_share=bpd.confidence,
                    expected_blocks_per_day=bpd.expected_per_day,
                )
            )
    return BlockTimes(intervals=tuple(rows), blocks_per_day=tuple(per_day))


def hashrate_report(
    conn: sqlite3.Connection,
    as_of: AsOf,
    *,
    window_blocks: int | None = None,
    window_days: float | None = None,
    smoothing_days: int = 7,
    lookback_days: int = 90,
    series_days: int = 0,
) -> HashrateReport:
    """Hash rate with exact 95% intervals, block times and drawdown, as of a moment.

    Parameters
    ----------
    conn : sqlite3.Connection
    as_of : AsOf
    window_blocks : int, optional
        One fixed-block window instead of the defaults (144, 1008, 2016, epoch). [blocks]
    window_days : float, optional
        One fixed-time window ending at the moment. [days]
    smoothing_days, lookback_days : int
        Drawdown smoothing and peak lookback. [days]
    series_days : int
        Also return the last ``series_days`` daily rows as ``daily_series``: hash rate per
        day and smoothed over 7 and 30 days, each with its 95% interval. [days]

    Returns
    -------
    HashrateReport
        ``windows`` (block or time windows: ``hashrate_ehs`` with ``hashrate_lower_ehs``,
        ``hashrate_upper_ehs``, ``core_getnetworkhashps_ehs``), ``daily`` (1, 7, 30 days
        from daily rows), ``drawdown``, ``daily_series``, ``block_times`` (block
        resolution only).
    """
    src = _choose_source(conn, as_of)
    day = last_complete_day(src.data_time_s) if src.resolution == "block" else src.day
    windows: list[HashrateWindow] = []
    block_times = None
    if src.resolution == "block":
        assert src.tip_height is not None
        if window_days is not None:
            windows = [_time_window(conn, src, window_days)]
        elif window_blocks is not None:
            if window_blocks < 2:
                raise NoDataError("--window-blocks must be at least 2")
            windows = _block_windows(conn, src.tip_height, (window_blocks,), False)
        else:
            windows = _block_windows(conn, src.tip_height, DEFAULT_BLOCK_WINDOWS, True)
        block_times = _block_times_section(conn, src)
    elif window_blocks is not None:
        raise NoDataError(
            f"--window-blocks needs per-block data; none is stored as of {as_of.iso}"
            " (use --window-days with daily rows)"
        )
    daily = None
    if day is not None and storage.last_daily_date(conn, on_or_before=day) is not None:
        daily = _load_daily(conn, day)
    daily_windows: list[HashrateWindow] = []
    drawdown = None
    series: list[DailyHashrate] = []
    if daily is not None:
        wins: tuple[int, ...] = (1, 7, 30)
        if src.resolution == "daily" and window_days is not None:
            wins = (max(int(round(window_days)), 1),)
        daily_windows = _daily_section(daily, wins)
        drawdown = _drawdown_section(
            daily, smoothing_days=smoothing_days, lookback_days=lookback_days
        )
        if series_days > 0:
            series = _daily_series(daily, series_days)
    return HashrateReport(
        as_of=_as_of_info(as_of, src),
        windows=tuple(windows),
        daily=tuple(daily_windows),
        drawdown=drawdown,
        daily_series=tuple(series),
        block_times=block_times,
    )
