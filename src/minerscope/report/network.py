"""Network analytics views: hash rate, block times, drawdown, next adjustment, halving ETA.

Loads from storage for an :class:`~minerscope.asof.AsOf` and calls the pure functions in
:mod:`minerscope.analytics`; returns JSON-ready dicts with unit-suffixed keys. Per-block
data is used when it is at least as recent as the daily rows, else daily rows; the output
names the resolution. When the last block is more than two hours older than the moment
asked about, the data (not the network) has stopped: figures are then given as of the
last block's time and the output says so.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import numpy as np

from .. import storage
from ..analytics.blocktimes import block_interval_stats, blocks_per_day
from ..analytics.daily import daily_hashrate, height_at_end_of_day
from ..analytics.drawdown import hashrate_drawdown
from ..analytics.epochstate import epoch_state_from_blocks, epoch_state_from_daily
from ..analytics.halving import epoch_duration_shares, halving_eta
from ..analytics.hashrate import (
    HashrateEstimate,
    core_network_hashps,
    hashrate_fixed_blocks,
    hashrate_fixed_time,
)
from ..analytics.projection import (
    BLOCKS_PER_EPOCH,
    MIN_RATE_WINDOW,
    EpochState,
    blocks_eta,
    fit_drift,
    project_difficulty,
)
from ..asof import AsOf, day_start_s, iso_utc, last_complete_day
from ..consensus import block_work, difficulty_from_bits, next_bits, next_halving_height
from ..errors import NoDataError
from ..storage.network import blocks_in_time_window
from ..units import SECONDS_PER_DAY
from ._network_data import (
    _as_of_dict,
    _choose_source,
    _DailyArrays,
    _ehs,
    _epoch_bits,
    _load_block_arrays,
    _load_daily,
    _Source,
    _when,
)
from .network_backtest import backtest_report  # re-exported: one module for the CLI

DEFAULT_BLOCK_WINDOWS = (144, 1008, 2016)
HALVING_SEED = 20_240_420  # fixed seed: the same data gives the same answer


def _estimate_dict(label: str, est: HashrateEstimate, **extra: Any) -> dict[str, Any]:
    return {
        "window": label,
        "method": est.method,
        "interval": "Gamma (fixed blocks)" if est.method == "blocks" else "Garwood (fixed time)",
        "n_blocks": est.n_blocks,
        "span_s": est.span_s,
        "hashrate_ehs": _ehs(est.estimate_hps),
        "lower_ehs": _ehs(est.lower_hps),
        "upper_ehs": _ehs(est.upper_hps),
        "confidence_share": est.confidence,
        "mle_ehs": _ehs(est.mle_hps),
        "core_getnetworkhashps_ehs": _ehs(est.core_hps),
        **extra,
    }


# --- hash rate --------------------------------------------------------------------------


def _block_window(
    label: str, times: np.ndarray, bits: np.ndarray, tip: int, n: int
) -> dict[str, Any]:
    """One fixed-block window over the stored arrays (times and bits end at ``tip``)."""
    sl = slice(len(times) - n - 1, len(times))
    works = [block_work(int(b)) for b in bits[sl][1:]]
    t = times[sl]
    if int(t[-1]) <= int(t[0]):
        core = core_network_hashps(t, works)
        return {
            "window": label,
            "method": "blocks",
            "n_blocks": n,
            "span_s": float(t[-1] - t[0]),
            "from_height": tip - n,
            "to_height": tip,
            "hashrate_ehs": None,
            "lower_ehs": None,
            "upper_ehs": None,
            "confidence_share": None,
            "mle_ehs": None,
            "core_getnetworkhashps_ehs": _ehs(core),
            "note": (
                f"no estimate: the last block's time ({iso_utc(int(t[-1]))}) is not after the"
                f" first's ({iso_utc(int(t[0]))}) over these {n} intervals (miners set"
                " timestamps up to two hours off); Core's getnetworkhashps divides by the"
                " spread of the times instead. Use a longer window"
            ),
        }
    est = hashrate_fixed_blocks(t, works)
    return _estimate_dict(label, est, from_height=tip - n, to_height=tip)


def _block_windows(
    conn: sqlite3.Connection, tip: int, windows: tuple[int, ...], with_epoch: bool
) -> list[dict[str, Any]]:
    start = (tip // BLOCKS_PER_EPOCH) * BLOCKS_PER_EPOCH
    lo = min(tip - max(windows, default=0), start)
    heights, times, bits = _load_block_arrays(conn, lo, tip)
    i0 = int(heights[0])
    out = []
    plan = [(f"{n} blocks", n) for n in windows]
    if with_epoch and tip - start >= 2:
        plan.append((f"epoch so far ({tip - start})", tip - start))
    for label, n in plan:
        if tip - n < i0:
            out.append(
                {
                    "window": label,
                    "n_blocks": n,
                    "note": f"not enough stored blocks: {tip - i0} intervals end at {tip}",
                }
            )
            continue
        out.append(_block_window(label, times[tip - n - i0 :], bits[tip - n - i0 :], tip, n))
    return out


def _time_window(conn: sqlite3.Connection, src: _Source, days: float) -> dict[str, Any]:
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
    return _estimate_dict(
        f"{days:g} days", est, from_time_iso=iso_utc(start), to_time_iso=iso_utc(end)
    )


def _daily_section(
    daily: _DailyArrays, windows: tuple[int, ...] = (1, 7, 30)
) -> list[dict[str, Any]]:
    out = []
    for w in windows:
        est, lo, hi = daily_hashrate(daily.blocks, daily.difficulty, window_days=w, interval_days=1)
        if not np.isfinite(est[-1]):
            continue
        out.append(
            {
                "window": f"{w} day{'s' if w > 1 else ''} (daily rows)",
                "last_date": daily.dates[-1],
                "method": "time",
                "interval": "Garwood (fixed time, daily rows)",
                "n_blocks": int(np.nansum(daily.blocks[-w:])),
                "span_s": w * SECONDS_PER_DAY,
                "hashrate_ehs": _ehs(float(est[-1])),
                "lower_ehs": _ehs(float(lo[-1])),
                "upper_ehs": _ehs(float(hi[-1])),
                "confidence_share": 0.95,
            }
        )
    return out


def _daily_series(daily: _DailyArrays, days: int) -> list[dict[str, Any]]:
    """The last ``days`` days: hash rate per day and over 7 and 30 days, with intervals."""
    cols: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {
        name: daily_hashrate(daily.blocks, daily.difficulty, window_days=w, interval_days=days)
        for name, w in (("day", 1), ("ma7", 7), ("ma30", 30))
    }
    out = []
    for i in range(max(len(daily.dates) - days, 0), len(daily.dates)):
        row: dict[str, Any] = {
            "date": daily.dates[i],
            "blocks": None if not np.isfinite(daily.blocks[i]) else int(daily.blocks[i]),
        }
        for name, (est, lo, hi) in cols.items():
            prefix = "hashrate" if name == "day" else f"hashrate_{name}"
            row[f"{prefix}_ehs"] = _ehs(float(est[i])) if np.isfinite(est[i]) else None
            row[f"{prefix}_lower_ehs"] = _ehs(float(lo[i])) if np.isfinite(lo[i]) else None
            row[f"{prefix}_upper_ehs"] = _ehs(float(hi[i])) if np.isfinite(hi[i]) else None
        out.append(row)
    return out


def _drawdown_section(
    daily: _DailyArrays, *, smoothing_days: int, lookback_days: int
) -> dict[str, Any] | None:
    need = lookback_days + smoothing_days - 1
    if len(daily.blocks) < need or not np.all(np.isfinite(daily.difficulty[-need:])):
        return None
    dd = hashrate_drawdown(
        daily.blocks,
        daily.difficulty,
        rng=np.random.default_rng(HALVING_SEED),
        smoothing_days=smoothing_days,
        lookback_days=lookback_days,
    )
    return {
        "smoothing_days": smoothing_days,
        "lookback_days": lookback_days,
        "last_date": daily.dates[-1],
        "now_ehs": _ehs(dd.now_hps),
        "peak_ehs": _ehs(dd.peak_hps),
        "peak_date": daily.dates[dd.peak_index],
        "change_from_peak_pct": 100 * (dd.ratio_share - 1),
        "change_from_peak_corrected_pct": 100 * (dd.ratio_corrected_share - 1),
        "lower_pct": 100 * (dd.lower_share - 1),
        "upper_pct": 100 * (dd.upper_share - 1),
        "confidence_share": dd.confidence,
        "method": (
            "parametric bootstrap of daily Poisson counts, basic interval, max-bias corrected"
        ),
    }


def _block_times_section(conn: sqlite3.Connection, src: _Source) -> dict[str, Any]:
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
            {
                "window": label,
                "n_intervals": bt.n_intervals,
                "mean_interval_s": bt.mean_interval_s,
                "mean_lower_s": bt.mean_lower_s,
                "mean_upper_s": bt.mean_upper_s,
                "median_interval_s": bt.median_interval_s,
            }
        )
    per_day = []
    for days in (1, 7):
        end = src.data_time_s
        h, _, _ = blocks_in_time_window(conn, end - days * SECONDS_PER_DAY, end)
        if len(h) and int(h[0]) > i0 - 1:
            bpd = blocks_per_day(len(h), days)
            per_day.append(
                {
                    "days": days,
                    "blocks": bpd.blocks,
                    "observed_per_day": bpd.observed_per_day,
                    "lower_per_day": bpd.lower_per_day,
                    "upper_per_day": bpd.upper_per_day,
                    "expected_per_day": bpd.expected_per_day,
                }
            )
    return {"intervals": rows, "blocks_per_day": per_day}


def hashrate_report(
    conn: sqlite3.Connection,
    as_of: AsOf,
    *,
    window_blocks: int | None = None,
    window_days: float | None = None,
    smoothing_days: int = 7,
    lookback_days: int = 90,
    series_days: int = 0,
) -> dict[str, Any]:
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
    dict
        ``as_of``, ``windows`` (estimates with ``hashrate_ehs``, ``lower_ehs``,
        ``upper_ehs``, ``core_getnetworkhashps_ehs``), ``daily`` (1, 7, 30 days from daily
        rows), ``drawdown``, ``block_times`` (block resolution only).
    """
    src = _choose_source(conn, as_of)
    out: dict[str, Any] = {"as_of": _as_of_dict(as_of, src)}
    day = last_complete_day(src.data_time_s) if src.resolution == "block" else src.day
    if src.resolution == "block":
        assert src.tip_height is not None
        if window_days is not None:
            out["windows"] = [_time_window(conn, src, window_days)]
        elif window_blocks is not None:
            if window_blocks < 2:
                raise NoDataError("--window-blocks must be at least 2")
            out["windows"] = _block_windows(conn, src.tip_height, (window_blocks,), False)
        else:
            out["windows"] = _block_windows(conn, src.tip_height, DEFAULT_BLOCK_WINDOWS, True)
        out["block_times"] = _block_times_section(conn, src)
    else:
        if window_blocks is not None:
            raise NoDataError(
                f"--window-blocks needs per-block data; none is stored as of {as_of.iso}"
                " (use --window-days with daily rows)"
            )
        out["windows"] = []
    daily = None
    if day is not None and storage.last_daily_date(conn, on_or_before=day) is not None:
        daily = _load_daily(conn, day)
    if daily is not None:
        wins: tuple[int, ...] = (1, 7, 30)
        if src.resolution == "daily" and window_days is not None:
            wins = (max(int(round(window_days)), 1),)
        out["daily"] = _daily_section(daily, wins)
        out["drawdown"] = _drawdown_section(
            daily, smoothing_days=smoothing_days, lookback_days=lookback_days
        )
        if series_days > 0:
            out["daily_series"] = _daily_series(daily, series_days)
    return out


# --- next adjustment and halving --------------------------------------------------------


def _state_for(
    conn: sqlite3.Connection, src: _Source, bits_list: list[int]
) -> tuple[EpochState, int | None]:
    """The epoch state, and the exact next bits at an epoch's last block (daily rows)."""
    if src.resolution == "block":
        assert src.tip_height is not None
        tip = src.tip_height
        start = (tip // BLOCKS_PER_EPOCH) * BLOCKS_PER_EPOCH
        try:
            heights, times, bits = _load_block_arrays(conn, min(start, tip - MIN_RATE_WINDOW), tip)
            if int(heights[0]) <= start:
                state = epoch_state_from_blocks(heights, times, bits, as_of_s=src.data_time_s)
                return state, None
        except (NoDataError, ValueError):
            pass
        day = storage.last_daily_date(conn, on_or_before=last_complete_day(src.data_time_s))
        if day is None:
            raise NoDataError(f"the first block of epoch {tip // BLOCKS_PER_EPOCH} is not stored")
        src = _Source("daily", day_start_s(day) + SECONDS_PER_DAY, None, None, day)
    assert src.day is not None
    daily = _load_daily(conn, src.day)
    diffs = [difficulty_from_bits(b) for b in bits_list]
    starts = [e * BLOCKS_PER_EPOCH for e in range(len(bits_list))]
    heod, _ = height_at_end_of_day(daily.blocks, daily.difficulty, starts, diffs)
    state = epoch_state_from_daily(
        daily.day_start_s, daily.blocks, heod, bits_list, day_index=len(heod) - 1
    )
    exact = None
    if state.intervals_remaining == 0 and state.epoch + 1 < len(bits_list):
        exact = bits_list[state.epoch + 1]
    return state, exact


def difficulty_report(conn: sqlite3.Connection, as_of: AsOf) -> dict[str, Any]:
    """Epoch progress, the next adjustment's predictive distribution, retarget and halving ETA.

    Returns
    -------
    dict
        ``as_of``, ``epoch`` (index, heights, blocks mined/remaining, mean block time),
        ``next_adjustment`` (``change_pct`` and ``next_difficulty`` at p5/p25/p50/p75/p95,
        ``retarget_eta`` p5/p10/p25/p50/p75/p90/p95 with ``time_s``/``time_iso``, all at
        or after the moment, ``exact``), ``mempool_style`` (mempool.space's point estimate
        and ETA, with a ``note`` when its formula's ETA falls before the moment),
        ``closed_form_no_drift``, ``drift`` and ``halving`` (height, blocks left, ETA
        p10/p50/p90 and at 600 s blocks).
    """
    src = _choose_source(conn, as_of)
    bits_list = _epoch_bits(conn)
    if not bits_list:
        raise NoDataError(
            "no epochs are stored: import ../shared/data/difficulty_epochs_electrum.csv"
        )
    try:
        state, exact_bits = _state_for(conn, src, bits_list)
    except ValueError as exc:
        raise NoDataError(
            f"cannot place {as_of.iso} in an epoch from the stored data: {exc}"
        ) from exc
    if state.epoch >= len(bits_list):
        raise NoDataError(f"epoch {state.epoch}'s bits are not stored")
    src_res = state.resolution
    diffs = np.array([difficulty_from_bits(b) for b in bits_list[: state.epoch + 1]])
    drift = fit_drift(diffs)
    proj = project_difficulty(state, drift)
    change = dict(proj.change_pct)
    nextd = dict(proj.next_difficulty)
    exact = proj.exact
    if exact_bits is not None:
        c = 100 * (difficulty_from_bits(exact_bits) / difficulty_from_bits(state.bits) - 1)
        change = dict.fromkeys(change, c)
        nextd = dict.fromkeys(nextd, difficulty_from_bits(exact_bits))
        exact = True
    d_now = difficulty_from_bits(state.bits)
    start = state.epoch * BLOCKS_PER_EPOCH
    retarget_height = start + BLOCKS_PER_EPOCH
    n = state.intervals_observed
    out: dict[str, Any] = {
        "as_of": _as_of_dict(as_of, src) | {"resolution": src_res},
        "epoch": {
            "index": state.epoch,
            "first_height": start,
            "retarget_height": retarget_height,
            "tip_height": state.tip_height,
            "blocks_mined": state.blocks_mined,
            "blocks_remaining": BLOCKS_PER_EPOCH - state.blocks_mined,
            "progress_pct": 100 * state.progress_share,
            "first_block": _when(state.start_time_s),
            "bits_hex": f"{state.bits:08x}",
            "difficulty": d_now,
            "difficulty_t": d_now / 1e12,
            "mean_block_time_s": (state.as_of_s - state.start_time_s) / n if n > 0 else None,
        },
        "next_adjustment": {
            "exact": exact,
            "retarget_height": retarget_height,
            "change_pct": {f"p{p}": v for p, v in change.items()},
            "next_difficulty": {f"p{p}": v for p, v in nextd.items()},
            "next_difficulty_t": {f"p{p}": v / 1e12 for p, v in nextd.items()},
            "interval_50_pct": [change[25], change[75]],
            "interval_90_pct": [change[5], change[95]],
            "retarget_eta": {f"p{p}": _when(t) for p, t in proj.retarget_eta_s.items()},
        },
        "mempool_style": _mempool_section(proj, state, d_now),
        "closed_form_no_drift": {f"p{p}": v for p, v in proj.closed_form_change_pct.items()},
        "drift": {
            "mu_pct_per_day": 100 * drift.mu_per_day,
            "sigma_pct_per_sqrt_day": 100 * float(np.sqrt(drift.sigma2_per_day)),
            "epochs_used": drift.epochs_used,
            "half_life_epochs": drift.half_life_epochs,
            "fitted_on": f"difficulty changes of epochs before {state.epoch} (no look-ahead)",
            "kurtosis": drift.kurtosis,
            "model": (
                "future mean log block rate conditioned on the previous epoch (retarget"
                " anchor) and this epoch so far; random walk whose drift is an exponentially"
                " weighted mean of past growth (half-life chosen by the best one-step log"
                " score on earlier epochs), volatility from its one-step errors; 2-normal"
                " mixture"
            ),
            "future_rate_sd_share": float(np.sqrt(proj.drift_var)),
        },
    }
    if proj.exact and state.intervals_remaining == 0:
        out["next_adjustment"]["next_bits_hex"] = (
            f"{next_bits(state.bits, 0, round((state.tip_time_s or 0) - state.start_time_s)):08x}"
        )
    out["halving"] = _halving(state, drift, diffs, proj.retarget_eta_s, retarget_height)
    return out


def _mempool_section(proj: Any, state: EpochState, d_now: float) -> dict[str, Any]:
    """mempool.space's point estimate; its ETA is never shown before the as-of moment."""
    out: dict[str, Any] = {
        "change_pct": proj.mempool_change_pct,
        "next_difficulty": d_now * (1 + proj.mempool_change_pct / 100),
        "retarget_eta": _when(proj.mempool_eta_s),
        "note": None,
    }
    formula = proj.mempool_eta_formula_s
    if formula < state.as_of_s:
        out["formula_retarget_eta"] = _when(formula)
        out["note"] = (
            f"mempool's formula gives {iso_utc(int(round(formula)))}, before the as-of moment"
            f" (block times out of order); shown: the as-of moment"
        )
    return out


def _halving(
    state: EpochState,
    drift: Any,
    diffs: np.ndarray,
    retarget_eta_s: dict[int, float],
    retarget_height: int,
) -> dict[str, Any]:
    height = state.tip_height
    target = next_halving_height(height)
    left = target - height
    out: dict[str, Any] = {
        "height": target,
        "blocks_left": left,
        "eta_at_600s": _when(state.as_of_s + left * 600),
    }
    shares = epoch_duration_shares(diffs)
    if target > retarget_height and len(shares) < 13:
        out["eta"] = None
        out["method"] = "too few finished epochs to bootstrap block times: 600 s blocks only"
        return out
    if target <= retarget_height and state.intervals_remaining > 0:
        eta = blocks_eta(state, drift, left)
        method = "current-epoch rate with drift (same model as the adjustment)"
    else:
        eta = halving_eta(
            as_of_s=state.as_of_s,
            retarget_eta_s=retarget_eta_s,
            retarget_height=retarget_height,
            halving_height=target,
            duration_shares=shares[-208:],
            rng=np.random.default_rng(HALVING_SEED),
        )
        method = "retarget ETA + circular-block bootstrap of the last 208 epoch durations"
    out["eta"] = {f"p{p}": _when(t) for p, t in eta.items()}
    out["method"] = method
    return out


STATUS_WINDOW_BLOCKS = 1008  # one week of blocks, as mempool.space's current figure


def _status_hashrate(conn: sqlite3.Connection, src: _Source) -> dict[str, Any] | None:
    """The status hash rate: the last 1008 blocks, else as many as are stored (at least
    144), else 7 days of daily rows; None when none of these has an estimate."""
    if src.resolution == "block" and src.tip_height is not None:
        tip = src.tip_height
        try:
            heights, _, _ = _load_block_arrays(conn, tip - STATUS_WINDOW_BLOCKS, tip)
        except NoDataError:
            heights = np.zeros(0, dtype=np.int64)
        n = min(STATUS_WINDOW_BLOCKS, tip - int(heights[0])) if len(heights) else 0
        if n >= DEFAULT_BLOCK_WINDOWS[0]:
            win = _block_windows(conn, tip, (n,), False)[0]
            if win.get("hashrate_ehs") is not None:
                if n < STATUS_WINDOW_BLOCKS:
                    win["note"] = f"only {n} intervals are stored before block {tip}"
                return win
    day = storage.last_daily_date(conn, on_or_before=last_complete_day(src.data_time_s))
    if day is None:
        return None
    daily = _daily_section(_load_daily(conn, day), (7,))
    return daily[0] if daily else None


def status_section(
    conn: sqlite3.Connection, as_of: AsOf, base: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """The network-analytics section of ``status`` (a ``StatusSection`` builder).

    Parameters
    ----------
    conn : sqlite3.Connection
    as_of : AsOf
    base : dict, optional
        The status built so far (unused; accepted for the section-builder signature).

    Returns
    -------
    dict or None
        ``hashrate`` (the 1008-block window, else 7 daily rows: ``window``,
        ``hashrate_ehs``, ``lower_ehs``, ``upper_ehs``, ``confidence_share``),
        ``next_adjustment`` (``change_pct`` p5..p95, ``next_difficulty_t`` p5..p95,
        ``retarget_eta`` p10/p50/p90 with ``time_s``/``time_iso``, ``exact``,
        ``mempool_style_change_pct``), ``halving`` (``height``, ``blocks_left``, ``eta``
        p10/p50/p90) and ``resolution``; None when nothing is known.
    """
    try:
        src = _choose_source(conn, as_of)
    except NoDataError:
        return None
    out: dict[str, Any] = {"resolution": src.resolution, "data_time_iso": iso_utc(src.data_time_s)}
    out["hashrate"] = _status_hashrate(conn, src)
    try:
        diff = difficulty_report(conn, as_of)
    except (NoDataError, ValueError):
        return out
    na = diff["next_adjustment"]
    out["next_adjustment"] = {
        "exact": na["exact"],
        "retarget_height": na["retarget_height"],
        "change_pct": na["change_pct"],
        "next_difficulty_t": na["next_difficulty_t"],
        "retarget_eta": na["retarget_eta"],
        "mempool_style_change_pct": diff["mempool_style"]["change_pct"],
    }
    out["halving"] = diff["halving"]
    return out


__all__ = ["backtest_report", "difficulty_report", "hashrate_report", "status_section"]
