"""Simulated difficulty and hash-rate paths, epoch by epoch, and what they pay per day.

A path is a sequence of *regimes*: the time from the last block of one epoch to the last
block of the next, during which one difficulty holds. Regime 0 is what remains of the
current epoch. Every path has its own retarget dates (from its hash rate against each
epoch's difficulty, through the retarget rule, clamp included) and its own halving dates
(from the height it has reached).

Hash-rate models for later epochs (each run names the one it used):

- ``fixed``: a growth per epoch, or per 30 days (applied over each regime's own length);
- ``bootstrap``: a stationary block bootstrap of real epoch log-changes of difficulty (which
  are the log-changes of epoch-mean hash rate, one epoch earlier: ``D_{k+1} ∝ H_k``); in
  joint mode the epoch is the one holding the historical day the price bootstrap drew, so
  price and hash rate keep their real co-movement;
- ``fitted``: the log-hash-rate random walk the projection fits
  (:func:`minerscope.analytics.projection.fit_drift`), simulated as Brownian regime means
  (endpoint and bridge-mean increments), with its two-normal mixture for jumps.

Block times: a regime of ``n`` intervals lasts ``n W / H`` (expected) or
``Gamma(n, 1) W / H`` (exact Poisson arrivals), ``W = D 2**48 / 65535``. ``fitted``'s
volatility is net of Poisson noise, so it uses Gamma block times; bootstrapped changes already
contain it, so they use expected ones. A :class:`HashrateShock` multiplies hash rate over time
(outages, departures); block arrivals then follow the cumulative hazard exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..analytics.projection import DriftParams, EpochState, sample_next_change
from ..consensus import MAINNET, block_subsidy_sat
from ..units import HPS_PER_PHS, SAT_PER_BTC, SECONDS_PER_DAY
from .retarget import (
    BLOCKS_PER_EPOCH,
    INTERVALS_MEASURED,
    TIMESPAN_S,
    difficulty_for_hashrate,
    hashes_per_block,
    next_difficulty,
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
HASHRATE_METHODS = ("fixed", "bootstrap", "fitted")
_DAY = float(SECONDS_PER_DAY)
_MIN_MEAN_REGIME_S = TIMESPAN_S / 8  # a path needing shorter epochs on average is refused


@dataclass(frozen=True)
class ChainStart:
    """The chain at the moment paths start from.

    Attributes
    ----------
    difficulty : float
        The current epoch's difficulty. [unitless]
    tip_height : int
        Last block known. [blocks]
    elapsed_s : float
        Time from the current epoch's first block to the moment. [s]
    state, drift : EpochState, DriftParams, optional
        Draw the current epoch's change from the projection's predictive distribution
        (:func:`~minerscope.analytics.projection.sample_next_change`).
    next_change_share : float, optional
        Force the current epoch's change instead (a what-if). [share]
    hashrate_hps : float, optional
        Simulate the rest of the current epoch at this hash rate instead. [H/s]

    Notes
    -----
    With none of the three, the current epoch is simulated by the hash-rate model from the
    hash rate that set this difficulty (``T H / (2015 W(1))``): the view from an epoch's
    first block, as the path backtest uses.
    """

    difficulty: float
    tip_height: int
    elapsed_s: float = 0.0
    state: EpochState | None = None
    drift: DriftParams | None = None
    next_change_share: float | None = None
    hashrate_hps: float | None = None

    @property
    def epoch(self) -> int:
        """The current epoch. [epochs]"""
        return self.tip_height // BLOCKS_PER_EPOCH

    @property
    def blocks_left(self) -> int:
        """Blocks still to come in the current epoch, up to and including its last. [blocks]"""
        return (self.epoch + 1) * BLOCKS_PER_EPOCH - 1 - self.tip_height


@dataclass(frozen=True)
class HashrateModel:
    """How hash rate moves from one epoch to the next (see the module docstring).

    Attributes
    ----------
    method : str
        ``fixed``, ``bootstrap`` or ``fitted``.
    growth_per_epoch_share : float
        ``fixed``: growth per epoch. [share]
    growth_per_30d_share : float, optional
        ``fixed``: growth per 30 days instead, applied over each regime's length. [share]
    epoch_log_changes : ndarray, optional
        ``bootstrap``: the historical epoch log-changes of difficulty, in order. [1]
    mean_block_epochs : float
        ``bootstrap``: mean block length of the stationary bootstrap. [epochs]
    day_log_changes : ndarray, optional
        ``bootstrap`` in joint mode: for each historical day of the shared sample, the
        log-change of the epoch holding it. [1]
    drift : DriftParams, optional
        ``fitted``: the fitted random walk.
    gamma_block_times : bool, optional
        Exact Gamma block times (default: only for ``fitted``).
    drift_uncertainty : bool
        ``fitted``: each path draws its drift from the fit's sampling distribution,
        ``N(mu, sigma^2 / window days)`` (a drift fitted on two years is uncertain).
    """

    method: str = "fixed"
    growth_per_epoch_share: float = 0.0
    growth_per_30d_share: float | None = None
    epoch_log_changes: FloatArray | None = None
    mean_block_epochs: float = 4.0
    day_log_changes: FloatArray | None = None
    drift: DriftParams | None = None
    gamma_block_times: bool | None = None
    drift_uncertainty: bool = True

    @property
    def gamma(self) -> bool:
        """Whether block times are drawn (Gamma) rather than expected."""
        if self.gamma_block_times is not None:
            return self.gamma_block_times
        return self.method == "fitted"

    def describe(self) -> str:
        """One line naming the method and its parameters."""
        if self.method == "fixed":
            if self.growth_per_30d_share is not None:
                g = f"{100 * self.growth_per_30d_share:+g}% per 30 days"
            else:
                g = f"{100 * self.growth_per_epoch_share:+g}% per epoch"
            return f"fixed: hash rate {g}"
        if self.method == "bootstrap":
            n = 0 if self.epoch_log_changes is None else len(self.epoch_log_changes)
            joint = (
                "; epochs drawn at the price bootstrap's dates (joint)"
                if self.day_log_changes is not None
                else f"; mean block {self.mean_block_epochs:g} epochs"
            )
            return f"bootstrap: stationary block bootstrap of {n} real epoch log-changes{joint}"
        d = self.drift or DriftParams()
        return (
            f"fitted: log hash rate random walk, drift {100 * d.mu_per_day:+.3f}%/day,"
            f" volatility {100 * math.sqrt(d.sigma2_per_day):.3f}%/sqrt(day),"
            f" kurtosis {d.kurtosis:.1f}, Gamma block times"
            + (", drift uncertain (per path)" if self.drift_uncertainty else "")
        )


@dataclass(frozen=True)
class HashrateShock:
    """A multiplier on hash rate over time (piecewise constant), for what-ifs.

    ``factor[i]`` applies from ``knots_s[i]`` (seconds after the start) to ``knots_s[i+1]``;
    the last factor holds for ever. ``knots_s[0]`` must be 0 and every factor > 0.
    """

    knots_s: FloatArray
    factor: FloatArray

    def __post_init__(self) -> None:
        k = np.asarray(self.knots_s, dtype=np.float64)
        f = np.asarray(self.factor, dtype=np.float64)
        if k.ndim != 1 or k.shape != f.shape or k[0] != 0 or np.any(np.diff(k) <= 0):
            raise ValueError("knots must start at 0 and increase, one factor per knot")
        if np.any(~np.isfinite(f)) or np.any(f <= 0):
            raise ValueError("hash-rate factors must be finite and > 0")

    @property
    def _cum(self) -> FloatArray:
        k = np.asarray(self.knots_s, dtype=np.float64)
        f = np.asarray(self.factor, dtype=np.float64)
        return np.concatenate(([0.0], np.cumsum(np.diff(k) * f[:-1])))

    def work_time(self, t: FloatArray) -> FloatArray:
        """``M(t) = int_0^t factor``: the time at the unshocked rate. [s]"""
        k = np.asarray(self.knots_s, dtype=np.float64)
        f = np.asarray(self.factor, dtype=np.float64)
        i = np.clip(np.searchsorted(k, t, side="right") - 1, 0, len(k) - 1)
        out: FloatArray = self._cum[i] + f[i] * (t - k[i])
        return out

    def wall_time(self, m: FloatArray) -> FloatArray:
        """The inverse of :meth:`work_time`. [s]"""
        k = np.asarray(self.knots_s, dtype=np.float64)
        f = np.asarray(self.factor, dtype=np.float64)
        cum = self._cum
        i = np.clip(np.searchsorted(cum, m, side="right") - 1, 0, len(k) - 1)
        out: FloatArray = k[i] + (m - cum[i]) / f[i]
        return out


@dataclass(frozen=True)
class NetworkPaths:
    """Regimes of each path (arrays shaped ``(regimes, paths)``) and their halvings.

    Attributes
    ----------
    start_s, end_s : ndarray
        Regime start and end, seconds after the moment. [s]
    difficulty : ndarray
        Difficulty during the regime. [unitless]
    hashrate_hps : ndarray
        Hash rate during the regime (before any shock). [H/s]
    first_height : ndarray of int, shape (regimes,)
        Height of the regime's first block. [blocks]
    n_blocks : ndarray of int, shape (regimes,)
        Blocks the regime mines. [blocks]
    halving_height : ndarray of int, shape (halvings,)
        Halvings after the tip. [blocks]
    halving_s : ndarray, shape (halvings, paths)
        When each path starts mining the halving block (its parent's time). [s]
    """

    start_s: FloatArray
    end_s: FloatArray
    difficulty: FloatArray
    hashrate_hps: FloatArray
    first_height: IntArray
    n_blocks: IntArray
    halving_height: IntArray
    halving_s: FloatArray

    @property
    def paths(self) -> int:
        """Number of paths."""
        return int(self.start_s.shape[1])

    def retarget_s(self) -> FloatArray:
        """When each retarget takes effect (the end of regimes 0, 1, ...). [s]"""
        return self.end_s

    def difficulty_at(self, t_s: float) -> FloatArray:
        """Each path's difficulty at ``t_s`` seconds after the moment. [unitless]"""
        k = np.sum(self.start_s <= t_s, axis=0) - 1
        k = np.clip(k, 0, self.start_s.shape[0] - 1)
        out: FloatArray = np.take_along_axis(self.difficulty, k[None, :], axis=0)[0]
        return out


def _step_integral(times: FloatArray, dslope: FloatArray, days: int) -> FloatArray:
    """Per-day integrals of a step function given its jumps, day-major ``(days, paths)``.

    ``f(t) = sum_j dslope_j [t >= times_j]``; day ``d`` gets ``int f`` over
    ``[d, d+1)`` days. Built as a difference array and summed over days: day
    ``j = floor(t_j)`` gets ``dslope (1 day - frac)``, later days a full day.
    """
    paths = times.shape[1]
    keep = (times < days * _DAY) & (dslope != 0)
    t = times[keep]
    w = dslope[keep]
    col = np.nonzero(keep)[1]
    j = np.floor(t / _DAY).astype(np.int64)
    frac = t - j * _DAY
    at = j * paths + col
    # one bincount adds in input order, as np.add.at on both would (the same sums), faster
    delta = np.bincount(
        np.concatenate([at, at + paths]),
        weights=np.concatenate([w * (_DAY - frac), w * frac]),
        minlength=(days + 1) * paths,
    )
    out = np.asarray(delta, dtype=np.float64).reshape(days + 1, paths)[:days]
    for d in range(1, days):
        out[d] += out[d - 1]
    return out


def _cumulative_inv_w(net: NetworkPaths, t_s: FloatArray) -> FloatArray:
    """``F(t) = int_0^t 1/W`` at one time per path. [s/hash]"""
    inv_w = 1.0 / hashes_per_block(net.difficulty)
    at_start = np.vstack(
        [np.zeros((1, net.paths)), np.cumsum((net.end_s - net.start_s) * inv_w, axis=0)[:-1]]
    )
    r = np.clip(np.sum(net.start_s <= t_s[None, :], axis=0) - 1, 0, net.start_s.shape[0] - 1)
    cols = np.arange(net.paths)
    out: FloatArray = at_start[r, cols] + (t_s - net.start_s[r, cols]) * inv_w[r, cols]
    return out


def daily_hashvalue(
    net: NetworkPaths, days: int, fees_btc: FloatArray | float = 0.0
) -> tuple[FloatArray, FloatArray]:
    """Hashvalue of each day and each path, and the day integrals of ``1/W``.

    Parameters
    ----------
    net : NetworkPaths
    days : int
        Days from the moment. [days]
    fees_btc : float or ndarray ``(days, paths)``
        Mean fees per block on each day. [BTC]

    Returns
    -------
    hashvalue : ndarray ``(days, paths)``
        What 1 PH/s earns on each day (FPPS: expected blocks at the difficulty in force
        times subsidy plus fees). [BTC/(PH/s)/day]
    inv_w_day : ndarray ``(days, paths)``
        ``int_day 1/W dt`` (``86400 / inv_w_day`` is the day's harmonic-mean block work).
        [s/hash]

    Notes
    -----
    ``hashvalue = 1e15 int_day (subsidy(t) + fee) / W(t) dt``. ``1/W`` is a step function
    (one step per retarget), integrated per day exactly; the subsidy steps at each path's
    own halving time (when it starts mining the halving block), so the halving day mixes
    the two subsidies in proportion to the work done before and after.
    """
    inv_w = 1.0 / hashes_per_block(net.difficulty)
    a = _step_integral(net.start_s, np.diff(inv_w, axis=0, prepend=0.0), days)
    sub0 = block_subsidy_sat(int(net.first_height[0]), params=MAINNET) / SAT_PER_BTC
    if np.ndim(fees_btc) == 0:
        hv = a * (float(fees_btc) + sub0)
    else:
        hv = np.asarray(fees_btc, dtype=np.float64) + sub0
        hv *= a
    day = np.arange(days)[:, None]
    cols = np.arange(net.paths)
    for i, h in enumerate(net.halving_height):
        before = block_subsidy_sat(int(h) - 1, params=MAINNET) / SAT_PER_BTC
        after = block_subsidy_sat(int(h), params=MAINNET) / SAT_PER_BTC
        t_h = net.halving_s[i]
        d_h = np.floor(t_h / _DAY).astype(np.int64)
        hv += a * ((after - before) * (day > d_h[None, :]))
        inside = d_h < days
        if inside.any():
            part = _cumulative_inv_w(net, t_h) - _cumulative_inv_w(net, d_h * _DAY)
            rows, c = d_h[inside], cols[inside]
            hv[rows, c] += (after - before) * (a[rows, c] - part[inside])
    hv *= HPS_PER_PHS
    return hv, a


def _gamma_units(n: int, paths: int, gamma: bool, rng: np.random.Generator) -> FloatArray:
    if n <= 0:
        return np.zeros(paths)
    if gamma:
        out: FloatArray = rng.gamma(float(n), 1.0, size=paths)
        return out
    return np.full(paths, float(n))


class _Growth:
    """Draws of hash-rate growth, regime by regime, for one model and one set of paths."""

    def __init__(
        self,
        model: HashrateModel,
        paths: int,
        rng: np.random.Generator,
        day_index: npt.NDArray[np.integer[Any]] | None,
    ) -> None:
        if model.method not in HASHRATE_METHODS:
            raise ValueError(f"unknown hash-rate method {model.method!r}")
        self.m = model
        self.rng = rng
        self.paths = paths
        self.day_index = day_index
        self.cur: IntArray | None = None
        if model.method == "bootstrap":
            if model.day_log_changes is not None:
                if day_index is None:
                    raise ValueError("joint bootstrap needs the price bootstrap's day indices")
            elif model.epoch_log_changes is None or len(model.epoch_log_changes) == 0:
                raise ValueError("bootstrap needs historical epoch log-changes")
        if model.method == "fitted":
            d = model.drift or DriftParams()
            mix = d.mixture()
            self.weights = np.array([w for w, _ in mix])
            self.factors = np.array([f for _, f in mix])
            self.b_end = np.zeros(paths)  # Brownian value at the previous regime's end
            self.mid_prev = np.zeros(paths)  # previous regime's midpoint [days]
            self.started = False
            self.mu = np.full(paths, d.mu_per_day)
            if model.drift_uncertainty and d.epochs_used > 0:
                # the fitted drift is a sum of log-changes over the fit window: its standard
                # error is sigma / sqrt(window days); each path draws its own drift
                window_days = d.epochs_used * TIMESPAN_S / _DAY
                se = math.sqrt(max(d.sigma2_per_day, 0.0) / window_days)
                self.mu = d.mu_per_day + se * rng.standard_normal(paths)

    def log_growth(self, k: int, start_s: FloatArray, prev_days: FloatArray) -> FloatArray:
        """Log growth from regime ``k - 1`` to ``k`` (regime ``k`` starts at ``start_s``)."""
        m = self.m
        if m.method == "fixed":
            if m.growth_per_30d_share is not None:
                out: FloatArray = math.log1p(m.growth_per_30d_share) * prev_days / 30.0
                return out
            return np.full(self.paths, math.log1p(m.growth_per_epoch_share))
        if m.method == "bootstrap":
            if m.day_log_changes is not None:
                assert self.day_index is not None
                last = self.day_index.shape[0] - 1
                j = np.minimum((start_s / _DAY).astype(np.int64), last)
                hist = self.day_index[j, np.arange(self.paths)]
                joint: FloatArray = np.asarray(m.day_log_changes, dtype=np.float64)[hist]
                return joint
            sample = np.asarray(m.epoch_log_changes, dtype=np.float64)
            n = len(sample)
            start = self.rng.integers(0, n, size=self.paths)
            if self.cur is None:
                self.cur = start
            else:
                new = self.rng.random(self.paths) < 1.0 / m.mean_block_epochs
                nxt = (self.cur + 1) % n
                self.cur = np.where(new, start, nxt)
            boot: FloatArray = sample[self.cur]
            return boot
        return self._fitted(prev_days)

    def _fitted(self, tau_days: FloatArray) -> FloatArray:
        d = self.m.drift or DriftParams()
        sigma = math.sqrt(max(d.sigma2_per_day, 0.0))
        comp = self.rng.choice(len(self.weights), size=self.paths, p=self.weights)
        scale = np.sqrt(self.factors[comp])
        z1 = self.rng.standard_normal(self.paths)
        z2 = self.rng.standard_normal(self.paths)
        if not self.started:
            # regime 0's mean is the reference; its end deviates from it by N(0, tau/3)
            self.started = True
            self.b_end = np.sqrt(tau_days / 3.0) * scale * z1
            self.mid_prev = tau_days / 2.0
            self.avg_prev = np.zeros(self.paths)
            z1 = self.rng.standard_normal(self.paths)
            z2 = self.rng.standard_normal(self.paths)
        b_start = self.b_end
        b_end = b_start + np.sqrt(tau_days) * scale * z1
        avg = (b_start + b_end) / 2.0 + np.sqrt(tau_days / 12.0) * scale * z2
        mid = self.mid_prev + tau_days  # next regime's midpoint, one regime length later
        out: FloatArray = self.mu * (mid - self.mid_prev) + sigma * (avg - self.avg_prev)
        self.b_end, self.mid_prev, self.avg_prev = b_end, mid, avg
        return out


def simulate_network(
    start: ChainStart,
    model: HashrateModel,
    *,
    horizon_s: float,
    paths: int,
    rng: np.random.Generator,
    day_index: npt.NDArray[np.integer[Any]] | None = None,
    shock: HashrateShock | None = None,
) -> NetworkPaths:
    """Simulate regimes until every path covers ``horizon_s``.

    Parameters
    ----------
    start : ChainStart
        The chain now.
    model : HashrateModel
        How hash rate moves between epochs.
    horizon_s : float
        Simulate until every path's regimes cover this long. [s]
    paths : int
        Number of paths. [paths]
    rng : numpy.random.Generator
        Seeded generator; draws are made regime by regime in a fixed order, so a shock or a
        longer horizon leaves the earlier draws unchanged (common random numbers).
    day_index : ndarray, optional
        The price bootstrap's historical day per simulated day ``(days, paths)`` (joint mode).
    shock : HashrateShock, optional
        A multiplier on hash rate over time.

    Returns
    -------
    NetworkPaths
    """
    if paths < 1:
        raise ValueError(f"paths must be >= 1, got {paths}")
    d0 = float(start.difficulty)
    m0 = start.blocks_left
    w0 = float(hashes_per_block(d0))
    growth = _Growth(model, paths, rng, day_index)

    def wall(t_work: FloatArray) -> FloatArray:
        return t_work if shock is None else shock.wall_time(t_work)

    def work(t_wall: FloatArray) -> FloatArray:
        return t_wall if shock is None else shock.work_time(t_wall)

    zeros = np.zeros(paths)
    if start.next_change_share is not None or start.state is not None:
        if start.next_change_share is not None:
            change = np.full(paths, float(start.next_change_share))
            # draw what the simulated branch draws, so that a forced change and a simulated
            # epoch leave later draws the same (common random numbers for what-ifs)
            _gamma_units(m0, paths, model.gamma, rng)
        else:
            assert start.drift is not None, "sampling the next change needs drift parameters"
            change = sample_next_change(start.state, start.drift, rng=rng, size=paths)  # type: ignore[arg-type]
        d1 = d0 * (1.0 + change)
        end0 = np.maximum(TIMESPAN_S / (1.0 + change) - start.elapsed_s, 1.0)
        h0 = m0 * w0 / end0
    else:
        if start.hashrate_hps is not None:
            h0 = np.full(paths, float(start.hashrate_hps))
        else:
            base = d0 * INTERVALS_MEASURED * float(hashes_per_block(1.0)) / TIMESPAN_S
            nominal = np.full(paths, TIMESPAN_S / _DAY)
            h0 = base * np.exp(growth.log_growth(0, zeros, nominal))
        units = _gamma_units(m0, paths, model.gamma, rng)
        end0 = wall(work(zeros) + units * w0 / h0)
        d1 = next_difficulty(d0, start.elapsed_s + end0)
    starts = [zeros]
    ends = [end0]
    diffs = [np.full(paths, d0)]
    rates = [h0]
    first_heights = [start.tip_height + 1]
    n_blocks = [m0]
    d_next = d1
    h_prev = h0
    k = 1
    max_regimes = int(horizon_s / _MIN_MEAN_REGIME_S) + 10
    while float(np.min(ends[-1])) < horizon_s:
        if k > max_regimes:
            raise ValueError(
                "hash rate grows so fast on some paths that epochs average under"
                f" {_MIN_MEAN_REGIME_S / _DAY:g} days: choose another era or growth"
            )
        s = ends[-1]
        prev_days = (ends[-1] - starts[-1]) / _DAY
        h = h_prev * np.exp(growth.log_growth(k, s, np.maximum(prev_days, 1e-3)))
        w = hashes_per_block(d_next)
        first = _gamma_units(1, paths, model.gamma, rng)
        span_units = _gamma_units(INTERVALS_MEASURED, paths, model.gamma, rng)
        s_work = work(s)
        t_first = wall(s_work + first * w / h)
        t_last = wall(s_work + (first + span_units) * w / h)
        starts.append(s)
        ends.append(t_last)
        diffs.append(d_next)
        rates.append(h)
        first_heights.append((start.epoch + k) * BLOCKS_PER_EPOCH)
        n_blocks.append(BLOCKS_PER_EPOCH)
        d_next = next_difficulty(d_next, t_last - t_first)
        h_prev = h
        k += 1
    st = np.vstack(starts)
    en = np.vstack(ends)
    fh = np.array(first_heights, dtype=np.int64)
    nb = np.array(n_blocks, dtype=np.int64)
    interval = MAINNET.subsidy_halving_interval
    top = int(fh[-1] + nb[-1] - 1)
    halvings = np.arange(
        (start.tip_height // interval + 1) * interval, top + 1, interval, dtype=np.int64
    )
    halving_s = np.empty((len(halvings), paths))
    for i, hh in enumerate(halvings):
        r = int(np.searchsorted(fh, hh, side="right")) - 1
        frac = (hh - fh[r]) / nb[r]
        a, b = work(st[r]), work(en[r])
        halving_s[i] = wall(a + frac * (b - a))
    return NetworkPaths(
        start_s=st,
        end_s=en,
        difficulty=np.vstack(diffs),
        hashrate_hps=np.vstack(rates),
        first_height=fh,
        n_blocks=nb,
        halving_height=halvings,
        halving_s=halving_s,
    )


def base_hashrate_hps(difficulty: float) -> float:
    """The hash rate whose epoch set ``difficulty`` (inverse of the retarget at 2015/T). [H/s]"""
    return float(difficulty / difficulty_for_hashrate(1.0))


__all__ = [
    "HASHRATE_METHODS",
    "ChainStart",
    "HashrateModel",
    "HashrateShock",
    "NetworkPaths",
    "base_hashrate_hps",
    "daily_hashvalue",
    "simulate_network",
]
