"""Calibration of the difficulty path methods on real epochs (pure: arrays in, rows out).

As of the first block of each epoch ``e``, simulate difficulty paths with only what was
known then (the difficulties of epochs ``0..e``: the ``bootstrap`` sample is the 104 epoch
changes before ``e``, the ``fitted`` drift is fitted on them), read each path's difficulty 6
and 12 months later, and compare the realised difficulty with the percentiles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..analytics.projection import fit_drift
from ..units import DAYS_PER_YEAR, SECONDS_PER_DAY
from .network import ChainStart, HashrateModel, simulate_network
from .retarget import BLOCKS_PER_EPOCH

FloatArray = npt.NDArray[np.float64]
HORIZONS_DAYS = (DAYS_PER_YEAR / 2, DAYS_PER_YEAR)
QUANTILES = (5, 10, 25, 50, 75, 90, 95)
DRIFT_LOOKBACK_EPOCHS = 52


@dataclass(frozen=True)
class PathBacktestRow:
    """One projection: an epoch, a method, a horizon."""

    epoch: int
    as_of_s: float
    method: str
    horizon_days: float
    realised: float
    quantiles: dict[int, float]

    def inside(self, lo: int, hi: int) -> bool:
        """Realised difficulty within the ``lo``..``hi`` percentiles."""
        return self.quantiles[lo] <= self.realised <= self.quantiles[hi]


@dataclass(frozen=True)
class PathBacktestSummary:
    """Calibration of one method at one horizon."""

    method: str
    horizon_days: float
    projections: int
    coverage_80_share: float
    coverage_50_share: float
    coverage_90_share: float
    below_p10_share: float
    above_p90_share: float
    median_log_error_p50: float  # log(p50 / realised), median over projections


def realised_at(epoch_start_s: FloatArray, difficulties: FloatArray, t_s: float) -> float:
    """The difficulty in force at ``t_s``: that of the last epoch started by then."""
    k = int(np.searchsorted(epoch_start_s, t_s, side="right")) - 1
    return float(difficulties[max(k, 0)])


def backtest_paths(
    difficulties: FloatArray,
    epoch_start_s: FloatArray,
    *,
    from_epoch: int,
    to_epoch: int,
    methods: tuple[str, ...] = ("bootstrap", "fitted"),
    paths: int = 1000,
    seed: int = 1,
    era_epochs: int = 104,
    mean_block_epochs: float = 2.0,
) -> list[PathBacktestRow]:
    """Project each epoch ``from_epoch..to_epoch`` 6 and 12 months ahead with each method.

    Parameters
    ----------
    difficulties : ndarray
        Difficulty of epochs ``0..E``. [unitless]
    epoch_start_s : ndarray
        Time of each epoch's first block (epochs ``0..len-1``). [Unix s]
    from_epoch, to_epoch : int
        The epochs projected from (each needs its realised difficulty 12 months later).
    methods : tuple of str
        ``bootstrap`` and/or ``fitted``.
    paths, seed : int
        Paths per projection, and the seed (per epoch: ``[seed, epoch]``).
    era_epochs : int
        Epoch changes the bootstrap draws from. [epochs]
    mean_block_epochs : float
        The bootstrap's mean block. [epochs]
    """
    d = np.asarray(difficulties, dtype=np.float64)
    starts = np.asarray(epoch_start_s, dtype=np.float64)
    logd = np.log(d)
    rows: list[PathBacktestRow] = []
    horizon_s = max(HORIZONS_DAYS) * SECONDS_PER_DAY
    for e in range(from_epoch, to_epoch + 1):
        t_e = float(starts[e])
        if t_e + horizon_s > starts[-1]:
            break  # the realised difficulty a year later is not known yet
        start = ChainStart(float(d[e]), e * BLOCKS_PER_EPOCH, elapsed_s=0.0)
        changes = np.diff(logd[: e + 1])[-era_epochs:]
        for method in methods:
            if method == "bootstrap":
                model = HashrateModel(
                    "bootstrap", epoch_log_changes=changes, mean_block_epochs=mean_block_epochs
                )
            elif method == "fitted":
                drift = fit_drift(d[: e + 1], lookback_epochs=DRIFT_LOOKBACK_EPOCHS)
                model = HashrateModel("fitted", drift=drift)
            else:
                raise ValueError(f"unknown method {method!r}")
            rng = np.random.default_rng([seed, e, methods.index(method)])
            net = simulate_network(start, model, horizon_s=horizon_s, paths=paths, rng=rng)
            for h in HORIZONS_DAYS:
                sim = net.difficulty_at(h * SECONDS_PER_DAY)
                q = np.percentile(sim, QUANTILES)
                rows.append(
                    PathBacktestRow(
                        epoch=e,
                        as_of_s=t_e,
                        method=method,
                        horizon_days=h,
                        realised=realised_at(starts, d, t_e + h * SECONDS_PER_DAY),
                        quantiles={p: float(v) for p, v in zip(QUANTILES, q, strict=True)},
                    )
                )
    return rows


def summarize(rows: list[PathBacktestRow]) -> list[PathBacktestSummary]:
    """Coverage of the 50/80/90% bands and the median error, per method and horizon."""
    out = []
    keys = sorted({(r.method, r.horizon_days) for r in rows})
    for method, h in keys:
        sel = [r for r in rows if r.method == method and r.horizon_days == h]
        err = [np.log(r.quantiles[50] / r.realised) for r in sel]
        out.append(
            PathBacktestSummary(
                method=method,
                horizon_days=h,
                projections=len(sel),
                coverage_80_share=float(np.mean([r.inside(10, 90) for r in sel])),
                coverage_50_share=float(np.mean([r.inside(25, 75) for r in sel])),
                coverage_90_share=float(np.mean([r.inside(5, 95) for r in sel])),
                below_p10_share=float(np.mean([r.realised < r.quantiles[10] for r in sel])),
                above_p90_share=float(np.mean([r.realised > r.quantiles[90] for r in sel])),
                median_log_error_p50=float(np.median(err)),
            )
        )
    return out


__all__ = [
    "HORIZONS_DAYS",
    "PathBacktestRow",
    "PathBacktestSummary",
    "backtest_paths",
    "realised_at",
    "summarize",
]
