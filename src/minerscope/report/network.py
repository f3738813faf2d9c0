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
from dataclasses import replace
from typing import Any

import numpy as np

from .. import storage
from ..analytics.daily import height_at_end_of_day
from ..analytics.epochstate import epoch_state_from_blocks, epoch_state_from_daily
from ..analytics.halving import epoch_duration_shares, halving_eta
from ..analytics.projection import (
    BLOCKS_PER_EPOCH,
    MIN_RATE_WINDOW,
    EpochState,
    blocks_eta,
    fit_drift,
    project_difficulty,
)
from ..asof import AsOf, day_start_s, iso_utc, last_complete_day
from ..consensus import (
    MAINNET,
    block_subsidy_sat,
    difficulty_from_bits,
    next_bits,
    next_halving_height,
    target_from_bits,
)
from ..errors import NoDataError
from ..results import Moment, MomentPercentiles, Percentiles
from ..units import DIFFICULTY_PER_T, SAT_PER_BTC, SECONDS_PER_DAY
from ._network_data import (
    _as_of_info,
    _choose_source,
    _epoch_bits,
    _load_block_arrays,
    _load_daily,
    _Source,
)
from .network_backtest import backtest_report  # re-exported: one module for the CLI
from .network_hashrate import (  # re-exported
    DEFAULT_BLOCK_WINDOWS,
    _block_windows,
    _daily_section,
    hashrate_report,
)
from .network_results import (
    DifficultyReport,
    DriftModel,
    EpochProgress,
    Halving,
    HashrateWindow,
    MempoolEstimate,
    NetworkStatus,
    NextAdjustment,
)

HALVING_SEED = 20_240_420  # fixed seed: the same data gives the same answer


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


def difficulty_report(conn: sqlite3.Connection, as_of: AsOf) -> DifficultyReport:
    """Epoch progress, the next adjustment's predictive distribution, retarget and halving ETA.

    Returns
    -------
    DifficultyReport
        ``epoch`` (index, heights, blocks mined/remaining, mean block time), the epoch's
        ``bits_hex``/``difficulty``, ``next_adjustment`` (``change_pct`` and
        ``next_difficulty`` at p5/p25/p50/p75/p95, ``retarget_eta`` p5..p95, all at or after
        the moment, ``exact``), ``mempool_style`` (mempool.space's point estimate and ETA,
        with a ``note`` when its formula's ETA falls before the moment),
        ``closed_form_no_drift_change_pct``, ``drift`` and ``halving`` (height, blocks left,
        subsidies, ETA p10/p50/p90 and at 600 s blocks).
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
    if state.tip_height < 0:  # daily rows before the first counted block (2009-01-03..08)
        raise NoDataError(f"no block is known as of {as_of.iso}")
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
    next_bits_hex = None
    if proj.exact and state.intervals_remaining == 0:
        span = round((state.tip_time_s or 0) - state.start_time_s)
        next_bits_hex = f"{next_bits(state.bits, 0, span):08x}"
    first_time = int(round(state.start_time_s))
    return DifficultyReport(
        as_of=replace(_as_of_info(as_of, src), resolution=state.resolution),
        bits_hex=f"{state.bits:08x}",
        target_hex=f"{target_from_bits(state.bits):064x}",
        difficulty=d_now,
        difficulty_t=d_now / DIFFICULTY_PER_T,
        epoch=EpochProgress(
            index=state.epoch,
            first_height=start,
            retarget_height=retarget_height,
            tip_height=state.tip_height,
            blocks_mined=state.blocks_mined,
            blocks_remaining=BLOCKS_PER_EPOCH - state.blocks_mined,
            progress_pct=100 * state.progress_share,
            first_block_time_s=first_time,
            first_block_time_iso=iso_utc(first_time),
            mean_block_time_s=(state.as_of_s - state.start_time_s) / n if n > 0 else None,
            mean_block_time_basis=(
                f"the epoch's first block to the moment: {n} intervals ({state.resolution} data)"
                if n > 0
                else None
            ),
        ),
        next_adjustment=NextAdjustment(
            exact=exact,
            retarget_height=retarget_height,
            change_pct=Percentiles.of(change),
            next_difficulty=Percentiles.of(nextd),
            next_difficulty_t=Percentiles.of(nextd, DIFFICULTY_PER_T),
            retarget_eta=MomentPercentiles.of(proj.retarget_eta_s),
            next_bits_hex=next_bits_hex,
        ),
        mempool_style=_mempool_section(proj, state, d_now),
        closed_form_no_drift_change_pct=Percentiles.of(proj.closed_form_change_pct),
        drift=DriftModel(
            mu_pct_per_day=100 * drift.mu_per_day,
            sigma_pct_per_sqrt_day=100 * float(np.sqrt(drift.sigma2_per_day)),
            epochs_used=drift.epochs_used,
            half_life_epochs=drift.half_life_epochs,
            fitted_on=f"difficulty changes of epochs before {state.epoch} (no look-ahead)",
            kurtosis=drift.kurtosis,
            model=(
                "future mean log block rate conditioned on the previous epoch (retarget"
                " anchor) and this epoch so far; random walk whose drift is an exponentially"
                " weighted mean of past growth (half-life chosen by the best one-step log"
                " score on earlier epochs), volatility from its one-step errors; 2-normal"
                " mixture"
            ),
            future_rate_sd_share=float(np.sqrt(proj.drift_var)),
        ),
        halving=_halving(state, drift, diffs, proj.retarget_eta_s, retarget_height),
    )


def _mempool_section(proj: Any, state: EpochState, d_now: float) -> MempoolEstimate:
    """mempool.space's point estimate; its ETA is never shown before the as-of moment."""
    formula = proj.mempool_eta_formula_s
    early = formula < state.as_of_s
    d_next = d_now * (1 + proj.mempool_change_pct / 100)
    return MempoolEstimate(
        change_pct=proj.mempool_change_pct,
        next_difficulty=d_next,
        next_difficulty_t=d_next / DIFFICULTY_PER_T,
        retarget_eta=Moment.at(proj.mempool_eta_s),
        formula_retarget_eta=Moment.at(formula) if early else None,
        note=(
            f"mempool's formula gives {iso_utc(int(round(formula)))}, before the as-of moment"
            f" (block times out of order); shown: the as-of moment"
            if early
            else None
        ),
    )


def halving_at(
    height: int,
    *,
    as_of_s: float,
    eta: dict[int, float] | None = None,
    method: str = "no estimate: the epoch cannot be placed from the stored data",
) -> Halving:
    """The next halving after block ``height``: block, subsidies, ETA (None: 600 s only).

    Parameters
    ----------
    height : int
        The tip. [blocks]
    as_of_s : float
        The moment the 600 s-block ETA counts from. [Unix s]
    eta : dict, optional
        Percentile -> time of the halving block. [Unix s]
    method : str
        How ``eta`` was found, or why there is none.
    """
    target = next_halving_height(height)
    left = target - height
    return Halving(
        height=target,
        blocks_left=left,
        subsidy_now_btc=block_subsidy_sat(height) / SAT_PER_BTC,
        subsidy_after_btc=block_subsidy_sat(target) / SAT_PER_BTC,
        eta=None if eta is None else MomentPercentiles.of(eta),
        method=method,
        eta_at_600s=Moment.at(as_of_s + left * MAINNET.pow_target_spacing_s),
    )


def _halving(
    state: EpochState,
    drift: Any,
    diffs: np.ndarray,
    retarget_eta_s: dict[int, float],
    retarget_height: int,
) -> Halving:
    height = state.tip_height
    target = next_halving_height(height)
    left = target - height
    shares = epoch_duration_shares(diffs)
    if target > retarget_height and len(shares) < 13:
        return halving_at(
            height,
            as_of_s=state.as_of_s,
            method="too few finished epochs to bootstrap block times: 600 s blocks only",
        )
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
    return halving_at(height, as_of_s=state.as_of_s, eta=eta, method=method)


STATUS_WINDOW_BLOCKS = 1008  # one week of blocks, as mempool.space's current figure


def _status_hashrate(conn: sqlite3.Connection, src: _Source) -> HashrateWindow | None:
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
            if win.hashrate_ehs is not None:
                if n < STATUS_WINDOW_BLOCKS:
                    win = replace(win, note=f"only {n} intervals are stored before block {tip}")
                return win
    day = storage.last_daily_date(conn, on_or_before=last_complete_day(src.data_time_s))
    if day is None:
        return None
    daily = _daily_section(_load_daily(conn, day), (7,))
    return daily[0] if daily else None


def status_parts(
    conn: sqlite3.Connection, as_of: AsOf, base: object = None
) -> dict[str, object] | None:
    """The network parts of ``status`` (a ``StatusSection`` builder): ``network`` and, when
    the epoch can be placed, the ``halving`` with its ETA.

    Returns
    -------
    dict or None
        ``{"network": NetworkStatus, "halving": Halving}`` (no ``halving`` when the epoch
        cannot be placed); None when nothing is known.
    """
    try:
        src = _choose_source(conn, as_of)
    except NoDataError:
        return None
    hashrate = _status_hashrate(conn, src)
    try:
        diff = difficulty_report(conn, as_of)
    except (NoDataError, ValueError) as exc:
        out: dict[str, object] = {"network": NetworkStatus(hashrate, None, None)}
        halving = getattr(base, "halving", None)
        if isinstance(halving, Halving):
            out["halving"] = replace(halving, method=f"no estimate: {exc}")
        return out
    network = NetworkStatus(
        hashrate=hashrate, next_adjustment=diff.next_adjustment, mempool_style=diff.mempool_style
    )
    return {"network": network, "halving": diff.halving}


def status_section(
    conn: sqlite3.Connection, as_of: AsOf, base: object = None
) -> NetworkStatus | None:
    """The ``network`` section of ``status`` alone (see :func:`status_parts`).

    Returns
    -------
    NetworkStatus or None
        ``hashrate`` (the 1008-block window, else 7 daily rows: ``window``,
        ``hashrate_ehs``, ``hashrate_lower_ehs``, ``hashrate_upper_ehs``,
        ``confidence_share``), ``next_adjustment`` (``change_pct`` p5..p95,
        ``next_difficulty_t`` p5..p95, ``retarget_eta`` p5..p95, ``exact``) and
        ``mempool_style``; None when nothing is known.
    """
    parts = status_parts(conn, as_of, base)
    if parts is None:
        return None
    section = parts["network"]
    assert isinstance(section, NetworkStatus)
    return section


__all__ = [
    "backtest_report",
    "difficulty_report",
    "halving_at",
    "hashrate_report",
    "status_parts",
    "status_section",
]
