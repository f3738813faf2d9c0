"""The backtest machinery: Wilson intervals, no look-ahead, and calibration on epochs
simulated from the model itself (coverage within binomial error)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from minerscope.analytics.backtest import (
    ERAS,
    BacktestRow,
    BlockData,
    backtest_projection,
    calibration_by_era,
    era_of,
    eta_calibration_by_era,
    wilson_interval,
)
from minerscope.consensus import next_bits

BPE = 2016
START_BITS = 0x1701FCA1  # epoch 463's difficulty, far from the pow limit


def test_wilson_interval_hand_derived() -> None:
    # 45 of 90, z = 1.959964 (z^2 = 3.841459): centre (0.5 + z^2/180) / (1 + z^2/90) = 0.5;
    # half-width z sqrt(0.25/90 + z^2/32,400) / 1.0426829 = 0.105481 / 1.0426829 = 0.101163
    lo, hi = wilson_interval(45, 90)
    assert lo == pytest.approx(0.398837, abs=1e-6)
    assert hi == pytest.approx(0.601163, abs=1e-6)
    # 0 of 10: [0, z^2 / (10 + z^2)] = [0, 0.277533] (Wilson 1927; Newcombe 1998 table I)
    assert wilson_interval(0, 10) == (0.0, pytest.approx(0.277533, abs=1e-6))


def test_eras_cover_the_chain() -> None:
    assert [e[0] for e in ERAS] == ["2009", "2010-2012", "2013-2015", "2016-2019", "2020-2022",
                                    "2023 on"]  # fmt: skip
    assert era_of(1262304000.0 - 1) == "2009"  # 2009-12-31T23:59:59Z
    assert era_of(1356998400.0) == "2013-2015"  # 2013-01-01T00:00Z
    assert era_of(1769110282.0) == "2023 on"  # epoch 463


def _simulate_chain(
    n_epochs: int, rng: np.random.Generator, mu_per_day: float, sigma_per_sqrt_day: float
) -> tuple[list[int], BlockData]:
    """Blocks from the model: log hash rate a random walk with drift (Gaussian steps at
    each block, 600 s of calendar time each), exponential intervals at rate H / D, and the
    consensus retarget on the rounded timestamps."""
    day = 86_400.0
    bits = [START_BITS]
    x = 0.0  # log of the block rate at the first epoch's difficulty, per 600 s
    d_rel = 1.0  # difficulty relative to the first epoch's
    t = 1_700_000_000.0
    times = []
    for _ in range(n_epochs):
        steps = mu_per_day * 600 / day + sigma_per_sqrt_day * math.sqrt(600 / day) * (
            rng.standard_normal(BPE)
        )
        path = x + np.cumsum(steps)
        intervals = rng.exponential(1.0, BPE) * 600.0 * d_rel / np.exp(path)
        epoch_t = t + np.cumsum(intervals)
        times.append(np.round(epoch_t))
        x = float(path[-1])
        t = float(epoch_t[-1])
        nb = next_bits(bits[-1], int(times[-1][0]), int(times[-1][-1]))
        d_rel *= _difficulty_ratio(bits[-1], nb)
        bits.append(nb)
    all_t = np.concatenate(times)
    # heights from 2016 (epoch 1) so that epoch 0 in the index is the first simulated one
    return bits, BlockData(np.arange(len(all_t)), all_t)


def _difficulty_ratio(old_bits: int, new_bits: int) -> float:
    from minerscope.consensus import target_from_bits

    return target_from_bits(old_bits) / target_from_bits(new_bits)


def test_calibration_on_epochs_simulated_from_the_model() -> None:
    # 320 epochs of a Gaussian random walk (drift +0.2 %/day, volatility 1 %/sqrt(day)):
    # the shipped rule (half-life by one-step log score, sigma from one-step errors) must
    # cover like its nominal levels. Each progress point has 300 epochs; a binomial share
    # has sd sqrt(p (1 - p) / 300): 2.9 points at 50 %, 1.7 at 90 %. Allow 3.5 sd.
    rng = np.random.default_rng(2024)
    bits, blocks = _simulate_chain(320, rng, 0.002, 0.01)
    rows = backtest_projection(bits, daily=None, blocks=blocks, from_epoch=20, to_epoch=318)
    assert {r.resolution for r in rows} == {"block"}
    for share in (0.10, 0.25, 0.50, 0.75, 0.90):
        sel = [r for r in rows if r.progress_target_share == share]
        assert len(sel) == 299
        cov50 = np.mean([r.in_50 for r in sel])
        cov90 = np.mean([r.in_90 for r in sel])
        assert abs(cov50 - 0.5) < 3.5 * math.sqrt(0.25 / 299), (share, cov50)
        assert abs(cov90 - 0.9) < 3.5 * math.sqrt(0.09 / 299), (share, cov90)
        t = np.array([r.actual_retarget_time_s for r in sel], dtype=float)
        eta50 = np.mean([r.eta_p25_s <= x <= r.eta_p75_s for r, x in zip(sel, t, strict=True)])
        eta90 = np.mean([r.eta_p5_s <= x <= r.eta_p95_s for r, x in zip(sel, t, strict=True)])
        assert abs(eta50 - 0.5) < 3.5 * math.sqrt(0.25 / 299), (share, eta50)
        assert abs(eta90 - 0.9) < 3.5 * math.sqrt(0.09 / 299), (share, eta90)


def _rows_of(rows: list[BacktestRow], epoch: int) -> list[tuple[float, ...]]:
    return [
        (r.p5_pct, r.p25_pct, r.p50_pct, r.p75_pct, r.p95_pct, r.eta_p5_s, r.eta_p95_s,
         r.mempool_change_pct, r.as_of_s)
        for r in rows if r.epoch == epoch
    ]  # fmt: skip


def test_projection_of_an_epoch_never_sees_the_next_one() -> None:
    # Perturb every epoch after e (their bits, hence difficulties, and their block times):
    # the projections of epoch e must not move; only its realised outcome may.
    rng = np.random.default_rng(9)
    bits, blocks = _simulate_chain(60, rng, 0.001, 0.012)
    e = 45
    base = backtest_projection(bits, daily=None, blocks=blocks, from_epoch=e, to_epoch=e)
    later = (e + 1) * BPE
    t = blocks.times_s.copy()
    t[later:] = t[later - 1] + np.cumsum(rng.exponential(300.0, len(t) - later))
    bits2 = bits[: e + 1] + [b - 0x100 for b in bits[e + 1 :]]  # other targets afterwards
    moved = backtest_projection(
        bits2, daily=None, blocks=BlockData(blocks.heights, t), from_epoch=e, to_epoch=e
    )
    assert _rows_of(moved, e) == _rows_of(base, e)
    assert len(_rows_of(base, e)) == 5
    assert moved[0].actual_change_pct != base[0].actual_change_pct


def test_tables_and_progress() -> None:
    rng = np.random.default_rng(1)
    bits, blocks = _simulate_chain(40, rng, 0.0, 0.01)
    seen: list[tuple[int, int]] = []
    rows = backtest_projection(
        bits, daily=None, blocks=blocks, from_epoch=10, to_epoch=37,
        progress=lambda done, total: seen.append((done, total)),
    )  # fmt: skip
    assert seen[0] == (1, 28) and seen[-1] == (28, 28)
    cells = calibration_by_era(rows)
    assert {c.era for c in cells} == {"2023 on"}  # simulated from 2023-11
    for c in cells + eta_calibration_by_era(rows):
        assert c.epochs == 28
        assert c.coverage_50_lower_share <= c.coverage_50_share <= c.coverage_50_upper_share
        assert c.coverage_90_lower_share <= c.coverage_90_share <= c.coverage_90_upper_share
        assert 0.0 <= c.closer_share <= 1.0
        assert c.median_abs_error <= c.mean_abs_error * 1.5
