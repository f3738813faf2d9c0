"""Trailing-window statistics on numpy arrays (a Series in gives a Series out).

The economics history needs trailing means, sums and percentile ranks over daily series. These
are written on numpy so that commands which never build a DataFrame start without pandas; the
semantics are pandas' ``rolling(window, min_periods=...)``: a window ends at its row, and a
window holding fewer valid (non-NaN) values than required gives NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def as_float_array(values: Any) -> FloatArray:
    """A 1-d float array of ``values`` (a Series' values, missing values as NaN)."""
    if hasattr(values, "to_numpy"):
        return np.asarray(values.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64)
    return np.asarray(values, dtype=np.float64)


def like(template: Any, values: FloatArray) -> Any:
    """``values`` in the shape of ``template``: a Series with its index, else the array."""
    if hasattr(template, "index") and hasattr(template, "to_numpy"):
        return type(template)(values, index=template.index)
    return values


def _windows(x: FloatArray, window: int) -> FloatArray:
    padded = np.concatenate([np.full(window - 1, np.nan), x])
    return np.lib.stride_tricks.sliding_window_view(padded, window)


def rolling_sum(x: FloatArray, window: int) -> FloatArray:
    """Sum of each full window of ``window`` rows ending at each row (NaN if any is NaN)."""
    if x.size == 0:
        return x.copy()
    return np.asarray(_windows(x, window).sum(axis=1), dtype=np.float64)


def rolling_mean(x: FloatArray, window: int) -> FloatArray:
    """Mean of each full window of ``window`` rows ending at each row (NaN if any is NaN)."""
    return rolling_sum(x, window) / window


def rolling_percentile_rank(x: FloatArray, window: int, min_valid: int) -> FloatArray:
    """100 * the share of a window's valid values at or below its last value.

    Same as pandas' ``100 * rolling(window, min_periods=min_valid).rank(method="max",
    pct=True)``: NaN where the row's value is NaN or the window holds fewer than
    ``min_valid`` valid values.
    """
    if x.size == 0:
        return x.copy()
    w = _windows(x, window)
    valid = ~np.isnan(w)
    n = valid.sum(axis=1)
    with np.errstate(invalid="ignore"):
        at_or_below = (w <= x[:, None]).sum(axis=1)
        out = 100.0 * at_or_below / n
    return np.asarray(np.where(np.isnan(x) | (n < min_valid), np.nan, out), dtype=np.float64)


def forward_fill(x: FloatArray) -> FloatArray:
    """Each NaN replaced by the last valid value before it (leading NaNs stay)."""
    idx = np.where(np.isnan(x), 0, np.arange(x.size))
    np.maximum.accumulate(idx, out=idx)
    return np.asarray(x[idx], dtype=np.float64)  # a leading NaN points at x[0], itself NaN
