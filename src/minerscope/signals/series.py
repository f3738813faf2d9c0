"""Daily-series building blocks of the signals: trailing means, growth, forward returns,
runs and crossings, halving eras, dates (pure: arrays in, arrays out).

Every function that feeds a signal looks back only: the value on day ``t`` uses rows up to
``t`` (a daily row, and a daily close, are known at the end of their day). Only
:func:`forward_return` looks ahead, and it is the outcome, never an input of a signal.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..units import SECONDS_PER_DAY

#: Subsidy of the first halving era (50 BTC). [sat]
_FIRST_SUBSIDY_SAT = 5_000_000_000


def trailing_mean(values: ArrayLike, window_days: int) -> np.ndarray:
    """Mean of the last ``window_days`` values, the day included; NaN unless all are finite.

    Parameters
    ----------
    values : array_like
        One value per consecutive day.
    window_days : int
        Window length. [days]

    Returns
    -------
    ndarray
        Same length; NaN for the first ``window_days - 1`` days and wherever the window
        holds a NaN.
    """
    x = np.asarray(values, dtype=float)
    n = int(window_days)
    if n < 1:
        raise ValueError(f"window_days must be >= 1, got {window_days}")
    out = np.full(len(x), np.nan)
    if len(x) >= n:
        out[n - 1 :] = np.lib.stride_tricks.sliding_window_view(x, n).mean(axis=1)
    return out


def trailing_sum(values: ArrayLike, window_days: int) -> np.ndarray:
    """Sum of the last ``window_days`` values (direct sums: no cumulative-sum cancellation).

    Parameters
    ----------
    values : array_like
        One value per consecutive day.
    window_days : int
        [days]

    Returns
    -------
    ndarray
        NaN until the window is full or where it holds a NaN.
    """
    x = np.asarray(values, dtype=float)
    n = int(window_days)
    out = np.full(len(x), np.nan)
    if len(x) >= n:
        out[n - 1 :] = np.lib.stride_tricks.sliding_window_view(x, n).sum(axis=1)
    return out


def growth(values: ArrayLike, lookback_days: int) -> np.ndarray:
    """Relative change over the lookback: ``x[t] / x[t - L] - 1``.

    Parameters
    ----------
    values : array_like
        One value per consecutive day.
    lookback_days : int
        ``L``. [days]

    Returns
    -------
    ndarray
        NaN for the first ``L`` days. [share]
    """
    x = np.asarray(values, dtype=float)
    lag = int(lookback_days)
    if lag < 1:
        raise ValueError(f"lookback_days must be >= 1, got {lookback_days}")
    out = np.full(len(x), np.nan)
    if len(x) > lag:
        with np.errstate(invalid="ignore", divide="ignore"):
            out[lag:] = x[lag:] / x[:-lag] - 1.0
    return out


def forward_return(price: ArrayLike, horizon_days: int) -> np.ndarray:
    """Simple return from the close of day ``t`` to the close of day ``t + N``.

    Parameters
    ----------
    price : array_like
        Daily close, one per consecutive day. [USD/BTC]
    horizon_days : int
        ``N``. [days]

    Returns
    -------
    ndarray
        ``p[t + N] / p[t] - 1``; NaN for the last ``N`` days (not yet known). [share]
    """
    p = np.asarray(price, dtype=float)
    h = int(horizon_days)
    if h < 1:
        raise ValueError(f"horizon_days must be >= 1, got {horizon_days}")
    out = np.full(len(p), np.nan)
    if len(p) > h:
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:-h] = p[h:] / p[:-h] - 1.0
    return out


def runs(mask: ArrayLike) -> list[tuple[int, int]]:
    """Runs of consecutive True values: ``[(first, last), ...]`` (inclusive indices).

    Parameters
    ----------
    mask : array_like of bool

    Returns
    -------
    list of tuple of int
    """
    m = np.asarray(mask, dtype=bool).astype(np.int8)
    d = np.diff(np.concatenate(([0], m, [0])))
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1) - 1
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def crosses(a: ArrayLike, b: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Days on which ``a`` crosses above and below ``b``.

    Parameters
    ----------
    a, b : array_like
        Two daily series.

    Returns
    -------
    tuple of ndarray of bool
        ``(up, down)``: ``up[t]`` when ``a[t] > b[t]`` and ``a[t-1] <= b[t-1]``; ``down[t]``
        when ``a[t] < b[t]`` and ``a[t-1] >= b[t-1]`` (both days finite).
    """
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    up = np.zeros(len(x), dtype=bool)
    down = np.zeros(len(x), dtype=bool)
    if len(x) > 1:
        ok = np.isfinite(x[1:]) & np.isfinite(y[1:]) & np.isfinite(x[:-1]) & np.isfinite(y[:-1])
        up[1:] = ok & (x[1:] > y[1:]) & (x[:-1] <= y[:-1])
        down[1:] = ok & (x[1:] < y[1:]) & (x[:-1] >= y[:-1])
    return up, down


def non_overlapping(indices: ArrayLike, horizon_days: int) -> np.ndarray:
    """Greedy subset of sorted day indices whose forward windows do not overlap.

    Parameters
    ----------
    indices : array_like of int
        Sorted positions of the days (e.g. signal days).
    horizon_days : int
        Window length: a kept day's successor is at least this many days later. [days]

    Returns
    -------
    ndarray of int
        The first day, then each next day at least ``horizon_days`` after the last kept.
    """
    idx = np.asarray(indices, dtype=np.int64)
    kept: list[int] = []
    nxt = -(2**62)
    for i in idx.tolist():
        if i >= nxt:
            kept.append(i)
            nxt = i + int(horizon_days)
    return np.asarray(kept, dtype=np.int64)


def halving_era(issuance_sat: ArrayLike, blocks: ArrayLike) -> np.ndarray:
    """Halving era of each day from its mean subsidy per block (0 = 50 BTC, 1 = 25 BTC ...).

    Parameters
    ----------
    issuance_sat : array_like
        New coins issued on the day. [sat]
    blocks : array_like
        Blocks on the day. [blocks]

    Returns
    -------
    ndarray of int
        ``round(log2(50 BTC / (issuance / blocks)))``; a day without blocks or issuance
        takes the previous day's era (0 before any). On a halving day the mean lies between
        two subsidies and the day goes to the nearer era (geometric midpoint).
    """
    iss = np.asarray(issuance_sat, dtype=float)
    k = np.asarray(blocks, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_block = iss / k
        era = np.round(np.log2(_FIRST_SUBSIDY_SAT / per_block))
    ok = np.isfinite(era) & (per_block > 0)
    idx = np.where(ok, np.arange(len(era)), -1)
    last = np.maximum.accumulate(idx) if len(idx) else idx
    out = np.where(last >= 0, era[np.maximum(last, 0)], 0.0)
    return np.nan_to_num(out).astype(np.int64)


def iso_dates(day_start_s: ArrayLike) -> list[str]:
    """YYYY-MM-DD of each day start.

    Parameters
    ----------
    day_start_s : array_like
        00:00:00Z of each day. [Unix s]

    Returns
    -------
    list of str
    """
    s = np.asarray(day_start_s, dtype=np.int64)
    days = (s // SECONDS_PER_DAY).astype("datetime64[D]")
    return [str(d) for d in days]
