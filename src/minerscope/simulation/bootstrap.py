"""Stationary block bootstrap indices (Politis and Romano), day-major and vectorised.

Resampling whole blocks of consecutive historical rows keeps their short-range dependence
(volatility clusters, runs of hash-rate growth); geometric block lengths make the resampled
series stationary. Indices wrap around the end of the sample (circular).

References
----------
.. [1] D. N. Politis and J. P. Romano, "The stationary bootstrap", Journal of the American
   Statistical Association 89 (428), 1303-1313, 1994. doi:10.1080/01621459.1994.10476870
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
Int32Array = npt.NDArray[np.int32]


def stationary_indices(
    n: int, steps: int, paths: int, *, mean_block: float, rng: np.random.Generator
) -> Int32Array:
    """Indices into a sample of ``n`` rows for ``steps`` steps of ``paths`` paths.

    Parameters
    ----------
    n : int
        Rows in the historical sample. [rows]
    steps : int
        Steps per path (days or epochs). [steps]
    paths : int
        Number of paths. [paths]
    mean_block : float
        Mean block length; each step starts a new block with probability ``1/mean_block``.
        1 gives the ordinary i.i.d. bootstrap. [steps]
    rng : numpy.random.Generator
        Seeded generator.

    Returns
    -------
    ndarray of int32, shape (steps, paths)
        Day-major: row ``t`` holds every path's index at step ``t``.

    Notes
    -----
    Step 0 starts a block at a uniform row; at each later step, with probability
    ``p = 1/mean_block`` a new block starts at a uniform row, otherwise the index moves to
    the next row (``(i + 1) mod n``). Every row is equally likely at every step, so means and
    variances of the resampled rows are those of the sample.
    """
    if n < 1:
        raise ValueError("the historical sample is empty")
    if mean_block < 1:
        raise ValueError(f"mean block length must be >= 1, got {mean_block}")
    p = 1.0 / mean_block
    if n >= 2**31:
        raise ValueError("the historical sample is too long")
    u = rng.random((steps, paths), dtype=np.float32)
    u *= n
    starts = u.astype(np.int32)
    np.minimum(starts, n - 1, out=starts)  # float32 rounding can reach n
    keep = rng.random((steps, paths), dtype=np.float32) >= p  # no new block at this step
    # Runs of consecutive rows are built unwrapped (block start + steps since it), then
    # wrapped once: no per-step select and modulo.
    out: npt.NDArray[np.integer] = starts.astype(np.int64) if n + steps >= 2**31 else starts
    for t in range(1, steps):
        np.putmask(out[t], keep[t], out[t - 1] + 1)
    if steps <= n:  # every unwrapped index is below 2 n
        np.subtract(out, n, out=out, where=out >= n)
    else:
        np.remainder(out, n, out=out)
    if out is not starts:
        starts[...] = out
    return starts


__all__ = ["stationary_indices"]
