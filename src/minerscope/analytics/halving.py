"""ETA of the next halving with an interval (pure; seeded rng passed in)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike

from .epochstate import BLOCKS_PER_EPOCH, INTERVALS_PER_EPOCH, TIMESPAN_S

_Z90 = 1.2815515655446004  # standard normal 90th percentile


def epoch_duration_shares(difficulties: ArrayLike) -> np.ndarray:
    """Each finished epoch's measured timespan over 1,209,600 s: ``D_k / D_{k+1}``. [share]

    The retarget rule sets ``D_{k+1} = D_k * 1,209,600 / T_k`` (unclamped, up to compact
    rounding), so ``T_k / 1,209,600 = D_k / D_{k+1}`` (Bitcoin Core ``src/pow.cpp``).
    """
    d = np.asarray(difficulties, dtype=float)
    out: np.ndarray = d[:-1] / d[1:]
    return out


def halving_eta(
    *,
    as_of_s: float,
    retarget_eta_s: Mapping[int, float],
    retarget_height: int,
    halving_height: int,
    duration_shares: ArrayLike,
    rng: np.random.Generator,
    draws: int = 4000,
    block_epochs: int = 13,
    percentiles: Sequence[int] = (10, 50, 90),
) -> dict[int, float]:
    """Predictive percentiles of the halving block's time.

    Parameters
    ----------
    as_of_s : float
        The moment projected from. [Unix s]
    retarget_eta_s : mapping
        Percentiles 10, 50, 90 of the time of the next retarget block. [Unix s]
    retarget_height : int
        Height of that block (first of the next epoch). [blocks]
    halving_height : int
        Height of the halving block (after ``retarget_height``). [blocks]
    duration_shares : array_like
        Historical epoch durations over two weeks (:func:`epoch_duration_shares`),
        oldest first, known at the time of the projection. [share]
    rng : numpy.random.Generator
        Seeded generator.
    draws : int
        Monte Carlo draws.
    block_epochs : int
        Length of the circular-block bootstrap blocks (13 epochs, about half a year,
        keeps the persistence of hash-rate growth regimes). [epochs]
    percentiles : sequence of int

    Returns
    -------
    dict
        Percentile -> time. [Unix s]

    Notes
    -----
    Time = (retarget time: the wait from ``as_of_s`` drawn log-normal with its p50 and
    the spread of its p10..p90) + the sum over the
    following epochs of ``1,209,600 s * share * 2016 / 2015`` (a share bootstrapped in
    blocks of consecutive historical epochs; the last epoch counted pro rata).
    """
    shares = np.asarray(duration_shares, dtype=float)
    if len(shares) < block_epochs or halving_height <= retarget_height:
        raise ValueError("need history and a halving after the retarget")
    p10, p50, p90 = (float(retarget_eta_s[p]) for p in (10, 50, 90))
    w10, w50, w90 = (max(p - as_of_s, 1.0) for p in (p10, p50, p90))
    sig = max(math.log(w90 / w10) / (2 * _Z90), 0.0)
    t0 = as_of_s + w50 * np.exp(sig * rng.standard_normal(draws))
    remaining = halving_height - retarget_height
    full, frac = divmod(remaining, BLOCKS_PER_EPOCH)
    n_ep = full + 1
    n_blk = -(-n_ep // block_epochs)
    starts = rng.integers(0, len(shares), size=(draws, n_blk))
    idx = (starts[:, :, None] + np.arange(block_epochs)[None, None, :]) % len(shares)
    path = shares[idx.reshape(draws, -1)[:, :n_ep]]
    weights = np.ones(n_ep)
    weights[-1] = frac / BLOCKS_PER_EPOCH
    epoch_s = TIMESPAN_S * BLOCKS_PER_EPOCH / INTERVALS_PER_EPOCH
    total = t0 + epoch_s * (path @ weights)
    q = np.percentile(total, list(percentiles))
    return {p: float(v) for p, v in zip(percentiles, q, strict=True)}
