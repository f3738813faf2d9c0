"""Hash-rate estimators with exact intervals (pure: arrays in, numbers out).

Model: blocks arrive as a Poisson process. A block mined at work ``W`` (expected hashes)
under hash rate ``H`` takes an exponential time with rate ``H / W``, so ``a = t / W`` is
exponential with rate ``H`` even across retargets [1]_.

* **Fixed number of blocks** (last N intervals): ``H * sum(a_i) ~ Gamma(N, 1)``. The
  maximum-likelihood figure ``N / sum(a_i)`` (what Bitcoin Core's ``getnetworkhashps``
  computes at constant difficulty) is biased high by ``N / (N - 1)``; ``(N - 1) / sum(a_i)``
  is unbiased and the exact interval is ``[G^-1(a/2; N), G^-1(1 - a/2; N)] / sum(a_i)``.
* **Fixed time window** of length ``tau``: the count ``k`` of blocks is Poisson with mean
  ``H * E`` where the exposure ``E = sum_j tau_j / W_j`` sums the time spent mining at each
  work level. ``sum(W_i) / tau`` is unbiased (even when ``H`` drifts: it estimates the
  time-average) and the Garwood interval ``[chi2(a/2; 2k) / 2, chi2(1 - a/2; 2k + 2) / 2] / E``
  is exact (conservative) [2]_.

References
----------
.. [1] P. Wuille and zawy, "Correcting the error in getnetworkhashps", Delving Bitcoin
   topic 1745 (2025); ../shared/docs/RESEARCH.md section 3.3.
.. [2] F. Garwood, "Fiducial limits for the Poisson distribution", Biometrika 28 (1936).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike

from ..consensus import DIFFICULTY_1_TARGET
from ._special import gammaincinv  # numpy only: scipy.special costs ~0.25 s to import

#: Expected hashes per block at difficulty 1: 2**256 / (target_1 + 1) ~= 2**48 / 65535. [hashes]
HASHES_PER_DIFFICULTY = float(2**256) / float(DIFFICULTY_1_TARGET + 1)


@dataclass(frozen=True)
class HashrateEstimate:
    """A hash-rate estimate over one window, with its interval.

    Attributes
    ----------
    method : str
        ``"blocks"`` (fixed number of blocks, Gamma interval) or ``"time"`` (fixed time
        window, Garwood interval).
    estimate_hps : float
        Unbiased point estimate. [H/s]
    lower_hps, upper_hps : float
        Bounds of the ``confidence`` interval. [H/s]
    confidence : float
        Coverage of the interval, e.g. 0.95. [share]
    n_blocks : int
        Blocks whose work the window counts. [blocks]
    span_s : float
        Window length: first to last block time (blocks), or the time window. [s]
    mle_hps : float
        Maximum-likelihood figure (``N / sum(t/W)``; equals the estimate for "time"). [H/s]
    core_hps : float or None
        Bitcoin Core's ``getnetworkhashps`` figure for the same blocks: summed work over
        (max time - min time); None for time windows. [H/s]
    """

    method: str
    estimate_hps: float
    lower_hps: float
    upper_hps: float
    confidence: float
    n_blocks: int
    span_s: float
    mle_hps: float
    core_hps: float | None


@lru_cache(maxsize=4096)  # pure in (n, confidence); windows repeat the same n
def gamma_interval_factors(n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Bounds of ``H * sum(t/W)`` for ``n`` exponential intervals: Gamma(n, 1) quantiles.

    Parameters
    ----------
    n : int
        Number of block intervals observed. [blocks]
    confidence : float
        Two-sided coverage. [share]

    Returns
    -------
    tuple of float
        ``(G^-1((1-c)/2; n), G^-1((1+c)/2; n))``; divide by ``sum(t/W)`` for H/s bounds.
    """
    if n < 1:
        raise ValueError(f"need at least one interval, got {n}")
    a = 1.0 - confidence
    lo, hi = gammaincinv(float(n), np.array([a / 2, 1 - a / 2]))
    return float(lo), float(hi)


@lru_cache(maxsize=4096)  # pure in (k, confidence); counts repeat
def garwood_count_interval(k: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood) interval for the mean of a Poisson count ``k``.

    Returns ``(chi2(a/2; 2k)/2, chi2(1-a/2; 2k+2)/2)`` with ``a = 1 - confidence``; the
    lower bound is 0 for ``k = 0``. [blocks]
    """
    if k < 0:
        raise ValueError(f"count must be >= 0, got {k}")
    a = 1.0 - confidence
    # chi2(q; 2k) / 2 is the Gamma(k, 1) quantile: the inverse regularized gamma
    lo = 0.0 if k == 0 else float(gammaincinv(k, a / 2))
    hi = float(gammaincinv(k + 1, 1 - a / 2))
    return lo, hi


def work_from_difficulty(difficulty: ArrayLike) -> np.ndarray:
    """Expected hashes per block at a (float) difficulty: D * 2**256 / (target_1 + 1). [hashes]

    Used for daily rows, which carry a mean difficulty rather than compact bits; per
    block, :func:`minerscope.consensus.block_work` is exact.
    """
    return np.asarray(difficulty, dtype=float) * HASHES_PER_DIFFICULTY


def core_network_hashps(times_s: ArrayLike, works: Sequence[int]) -> float:
    """Bitcoin Core's ``getnetworkhashps`` over N blocks.

    Parameters
    ----------
    times_s : array_like
        Times of the N + 1 blocks tip-N .. tip. [Unix s]
    works : sequence of int
        Work of the N blocks tip-N+1 .. tip (``consensus.block_work(bits)``). [hashes]

    Returns
    -------
    float
        ``sum(works) / (max(times) - min(times))``, the chainwork difference over the
        time spanned; 0.0 when the span is 0, as in Core (``src/rpc/mining.cpp``,
        ``GetNetworkHashPS``). [H/s]
    """
    t = np.asarray(times_s, dtype=np.int64)
    span = int(t.max() - t.min())
    if span == 0:
        return 0.0
    return int(sum(int(w) for w in works)) / span


def hashrate_fixed_blocks(
    times_s: ArrayLike, works: Sequence[int] | ArrayLike, *, confidence: float = 0.95
) -> HashrateEstimate:
    """Unbiased hash rate and exact Gamma interval over the last N block intervals.

    Parameters
    ----------
    times_s : array_like
        Times of N + 1 consecutive blocks, oldest first. [Unix s]
    works : sequence of int or array_like
        Work of the last N of those blocks (block ``i`` was mined during interval ``i``).
        [hashes]
    confidence : float
        Coverage of the interval. [share]

    Returns
    -------
    HashrateEstimate
        ``method="blocks"``.

    Notes
    -----
    ``A = sum((t_i - t_{i-1}) / W_i)``; unbiased ``(N - 1) / A``; MLE ``N / A``; interval
    ``Gamma^-1(a/2; N) / A`` to ``Gamma^-1(1 - a/2; N) / A``. RESEARCH.md section 3.3
    (n = 144 gives [0.849, 1.178] relative to the unbiased estimate).
    """
    t = np.asarray(times_s, dtype=float)
    w_int = [int(x) for x in np.asarray(works, dtype=object)]
    n = len(w_int)
    if n < 2 or len(t) != n + 1:
        raise ValueError(f"need N >= 2 works and N + 1 times, got {n} and {len(t)}")
    alpha_sum = float(np.sum(np.diff(t) / np.asarray(w_int, dtype=float)))
    if alpha_sum <= 0:
        raise ValueError("block times do not advance over the window")
    lo_f, hi_f = gamma_interval_factors(n, confidence)
    return HashrateEstimate(
        method="blocks",
        estimate_hps=(n - 1) / alpha_sum,
        lower_hps=lo_f / alpha_sum,
        upper_hps=hi_f / alpha_sum,
        confidence=confidence,
        n_blocks=n,
        span_s=float(t[-1] - t[0]),
        mle_hps=n / alpha_sum,
        core_hps=core_network_hashps(np.asarray(times_s, dtype=np.int64), w_int),
    )


def exposure_s_per_hash(
    block_times_s: ArrayLike,
    works: ArrayLike,
    start_s: float,
    end_s: float,
    work_next: float,
) -> float:
    """Expected-block exposure of a time window: ``sum_j tau_j / W_j``. [s/hash]

    Parameters
    ----------
    block_times_s : array_like
        Times of the blocks in ``(start_s, end_s]``, in height order. [Unix s]
    works : array_like
        Their work; the time before block ``i`` was mined at work ``W_i``. [hashes]
    start_s, end_s : float
        The window. [Unix s]
    work_next : float
        Work of the block being mined at ``end_s`` (after the window's last block). [hashes]

    Notes
    -----
    Telescopes to ``tau / W`` at constant work. Block times are clipped into the window
    (timestamps may be out of order by up to two hours).
    """
    t = np.clip(np.asarray(block_times_s, dtype=float), start_s, end_s)
    w = np.asarray(works, dtype=float)
    if len(t) == 0:
        return (end_s - start_s) / work_next
    edges = np.concatenate(([start_s], t, [end_s]))
    seg = np.diff(edges)
    levels = np.concatenate((w, [work_next]))
    return float(np.sum(seg / levels))


def hashrate_fixed_time(
    block_times_s: ArrayLike,
    works: ArrayLike,
    *,
    start_s: float,
    end_s: float,
    work_next: float | None = None,
    confidence: float = 0.95,
) -> HashrateEstimate:
    """Unbiased hash rate and exact Garwood interval over a fixed time window.

    Parameters
    ----------
    block_times_s : array_like
        Times of the k blocks with ``start_s < time <= end_s``, in height order. [Unix s]
    works : array_like
        Their work. [hashes]
    start_s, end_s : float
        The window. [Unix s]
    work_next : float, optional
        Work of the block being mined at ``end_s``; defaults to the last block's. [hashes]
    confidence : float
        Coverage. [share]

    Returns
    -------
    HashrateEstimate
        ``method="time"``; estimate ``sum(W_i) / tau``.

    Notes
    -----
    ``k ~ Poisson(H * E)`` with ``E`` from :func:`exposure_s_per_hash`; the interval is
    Garwood's on the count divided by ``E`` (RESEARCH.md section 3.3).
    """
    tau = float(end_s - start_s)
    if tau <= 0:
        raise ValueError("time window must have positive length")
    w = np.asarray(works, dtype=float)
    k = len(w)
    if work_next is None:
        if k == 0:
            raise ValueError("work_next is required for a window without blocks")
        work_next = float(w[-1])
    exposure = exposure_s_per_hash(block_times_s, w, start_s, end_s, work_next)
    lo_c, hi_c = garwood_count_interval(k, confidence)
    estimate = float(np.sum(w)) / tau
    return HashrateEstimate(
        method="time",
        estimate_hps=estimate,
        lower_hps=lo_c / exposure,
        upper_hps=hi_c / exposure,
        confidence=confidence,
        n_blocks=k,
        span_s=tau,
        mle_hps=k / exposure,
        core_hps=None,
    )


def hashrate_from_counts(
    blocks: int, work_per_block: float, span_s: float, *, confidence: float = 0.95
) -> HashrateEstimate:
    """Hash rate from a block count at one work level over a span (daily rows).

    Parameters
    ----------
    blocks : int
        Blocks found in the span. [blocks]
    work_per_block : float
        Mean work of those blocks (``work_from_difficulty(DiffMean)``). [hashes]
    span_s : float
        Length of the span (86,400 for one day). [s]
    confidence : float
        Coverage. [share]

    Notes
    -----
    Estimate ``k W / tau``; Garwood interval on ``k`` scaled by ``W / tau``.
    """
    lo_c, hi_c = garwood_count_interval(blocks, confidence)
    scale = work_per_block / span_s
    return HashrateEstimate(
        method="time",
        estimate_hps=blocks * scale,
        lower_hps=lo_c * scale,
        upper_hps=hi_c * scale,
        confidence=confidence,
        n_blocks=blocks,
        span_s=span_s,
        mle_hps=blocks * scale,
        core_hps=None,
    )
