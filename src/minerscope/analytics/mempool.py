"""mempool.space's difficulty-adjustment estimate, reproduced exactly (pure; for comparison).

A reimplementation from the behaviour of ``calcDifficultyAdjustment`` and
``calcBitsDifference`` in mempool ``backend/src/api/difficulty-adjustment.ts`` (read at
the version whose unit test is ``backend/src/__tests__/api/difficulty-adjustment.test.ts``,
mempool/mempool commit 14d8f67878e90ea6b8f473219b3d570217f4bfa2); every case of that test
file is a test of ours (``tests/analytics/test_mempool.py``). Our API keeps seconds: where
mempool returns milliseconds we return the same number divided by 1000, including
mempool's flooring to whole milliseconds.

The algorithm (``k = height % 2016``, ``t0`` the epoch's first block time, ``dt = max(0, now
- t0)``):

* before block 503 of an epoch, when the time of block ``height - 503`` is known (mempool's
  "quarter epoch"), the previous epoch's part of that 504-block window is rescaled by the
  previous retarget: ``span = dt + (t0 - t[h-503]) (1 + prev / 100)``, change ``600 / (span
  / 504) - 1``, adjusted average ``span / 503``;
* otherwise the change is ``600 / ((now - t0) / (k + 1)) - 1`` (at the epoch's last block,
  ``latest block time - t0``: exactly the consensus rule), and the average is ``dt / k``
  (``k`` intervals, not ``k + 1``: the ETA uses this one);
* the change is clamped to [-75, +300] %; the ETA is ``now + (2016 - k) * adjusted
  average`` (milliseconds floored);
* testnet caps the average at 1,200 s and reports ``timeOffset``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .epochstate import BLOCKS_PER_EPOCH, INTERVALS_PER_EPOCH, MEMPOOL_WINDOW_OFFSET, EpochState

_TARGET_SPACING_S = 600  # mempool's BLOCK_SECONDS_TARGET
_TESTNET_MAX_BLOCK_S = 1200  # mempool's TESTNET_MAX_BLOCK_SECONDS
_WINDOW_BLOCKS = MEMPOOL_WINDOW_OFFSET + 1  # 504


def _js_div(a: float, b: float) -> float:
    """``a / b`` as JavaScript computes it (a zero divisor gives an infinity, not an error)."""
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


@dataclass(frozen=True)
class MempoolAdjustment:
    """Every field of mempool's ``DifficultyAdjustment``, in our units.

    Attributes
    ----------
    progress_pct : float
        ``progressPercent``: ``k / 2016 * 100``. [%]
    difficulty_change_pct : float
        ``difficultyChange``, clamped to [-75, 300]. [%]
    estimated_retarget_time_s : float
        ``estimatedRetargetDate`` / 1000. [Unix s]
    remaining_blocks : int
        ``remainingBlocks``: ``2016 - k``. [blocks]
    remaining_time_s : float
        ``remainingTime`` / 1000. [s]
    previous_retarget_pct : float
        ``previousRetarget``, passed through. [%]
    previous_time_s : float
        ``previousTime``: the epoch's first block time (mempool reports it in seconds). [Unix s]
    next_retarget_height : int
        ``nextRetargetHeight``. [blocks]
    time_avg_s : float
        ``timeAvg`` / 1000: ``dt / k`` floored to a millisecond. [s]
    adjusted_time_avg_s : float
        ``adjustedTimeAvg`` / 1000: the average the ETA uses. [s]
    time_offset_s : float
        ``timeOffset`` / 1000 (testnet only, else 0). [s]
    expected_blocks : float
        ``expectedBlocks``: ``dt / 600``. [blocks]
    """

    progress_pct: float
    difficulty_change_pct: float
    estimated_retarget_time_s: float
    remaining_blocks: int
    remaining_time_s: float
    previous_retarget_pct: float
    previous_time_s: float
    next_retarget_height: int
    time_avg_s: float
    adjusted_time_avg_s: float
    time_offset_s: float
    expected_blocks: float


def mempool_difficulty_adjustment(
    *,
    epoch_start_time_s: float,
    quarter_epoch_time_s: float | None,
    now_s: float,
    height: int,
    previous_retarget_pct: float,
    network: str = "mainnet",
    latest_block_time_s: float = 0.0,
) -> MempoolAdjustment:
    """mempool's ``calcDifficultyAdjustment`` (see the module docstring).

    Parameters
    ----------
    epoch_start_time_s : float
        ``DATime``: time of the epoch's first block (mempool: whole seconds). [Unix s]
    quarter_epoch_time_s : float or None
        Time of block ``height - 503`` (None, or 0, when unknown). [Unix s]
    now_s : float
        The moment ("now" in mempool: the wall clock, whole seconds). [Unix s]
    height : int
        Tip height (negative: no tip). [blocks]
    previous_retarget_pct : float
        The previous adjustment. [%]
    network : str
        ``"mainnet"`` or ``"testnet"`` (the 20-minute rule).
    latest_block_time_s : float
        Tip time (used at an epoch's last block, and on testnet). [Unix s]

    Returns
    -------
    MempoolAdjustment
    """
    diff_s = max(0.0, now_s - epoch_start_time_s)
    k = height % BLOCKS_PER_EPOCH if height >= 0 else 0
    progress = k / BLOCKS_PER_EPOCH * 100 if height >= 0 else 100.0
    remaining = BLOCKS_PER_EPOCH - k
    next_height = height + remaining if height >= 0 else 0
    expected = diff_s / _TARGET_SPACING_S
    actual_span = (latest_block_time_s if k == INTERVALS_PER_EPOCH else now_s) - epoch_start_time_s
    time_avg = diff_s / k if k else float(_TARGET_SPACING_S)
    adjusted_avg = time_avg
    if quarter_epoch_time_s and k < MEMPOOL_WINDOW_OFFSET:
        last_epoch_s = epoch_start_time_s - quarter_epoch_time_s
        span = diff_s + last_epoch_s * (1 + previous_retarget_pct / 100)
        adjusted_avg = span / MEMPOOL_WINDOW_OFFSET
        change = (_js_div(_TARGET_SPACING_S, span / _WINDOW_BLOCKS) - 1) * 100
    else:
        change = (_js_div(_TARGET_SPACING_S, actual_span / (k + 1)) - 1) * 100
    if change > 300:  # JavaScript's comparisons: NaN passes both unchanged
        change = 300.0
    if change < -75:
        change = -75.0
    offset_ms = 0.0
    if network == "testnet":
        time_avg = min(time_avg, float(_TESTNET_MAX_BLOCK_S))
        since_last = now_s - latest_block_time_s
        if since_last + time_avg > _TESTNET_MAX_BLOCK_S:
            offset_ms = -min(since_last, float(_TESTNET_MAX_BLOCK_S)) * 1000
    time_avg_ms = math.floor(time_avg * 1000)
    adjusted_ms = math.floor(adjusted_avg * 1000)
    remaining_ms = remaining * adjusted_ms
    return MempoolAdjustment(
        progress_pct=progress,
        difficulty_change_pct=change,
        estimated_retarget_time_s=(remaining_ms + now_s * 1000) / 1000,
        remaining_blocks=remaining,
        remaining_time_s=remaining_ms / 1000,
        previous_retarget_pct=previous_retarget_pct,
        previous_time_s=epoch_start_time_s,
        next_retarget_height=next_height,
        time_avg_s=time_avg_ms / 1000,
        adjusted_time_avg_s=adjusted_ms / 1000,
        time_offset_s=offset_ms / 1000,
        expected_blocks=expected,
    )


def mempool_bits_difference_pct(old_bits: float, new_bits: float) -> float:
    """mempool's ``calcBitsDifference``: the change between two compact targets, in %.

    Parameters
    ----------
    old_bits, new_bits : int
        Compact targets of blocks in adjacent periods. [compact]

    Returns
    -------
    float
        Difficulty change clamped to [-75, 300]. [%]

    Raises
    ------
    ValueError
        ``"Invalid bits"`` (not an integer, above 0x207fffff, below 1, sign bit set, or a
        zero mantissa) or ``"Impossible exponent difference"`` (exponents 2 or more apart).
    """
    for bits in (old_bits, new_bits):
        if (
            math.floor(bits) != bits
            or bits > 0x207FFFFF
            or bits < 1
            or int(bits) & 0x00800000
            or int(bits) & 0x007FFFFF == 0
        ):
            raise ValueError("Invalid bits")
    old_exp, new_exp = int(old_bits) >> 24, int(new_bits) >> 24
    old_num, new_num = int(old_bits) & 0x007FFFFF, int(new_bits) & 0x007FFFFF
    if new_exp - old_exp == -1:
        result = ((old_num << 8) * 100) / new_num - 100
    elif new_exp == old_exp:
        result = (old_num * 100) / new_num - 100
    elif new_exp - old_exp == 1:
        result = (old_num * 100) / (new_num << 8) - 100
    else:
        raise ValueError("Impossible exponent difference")
    return min(max(result, -75.0), 300.0)


def mempool_for_state(state: EpochState) -> MempoolAdjustment:
    """mempool's answer for an :class:`EpochState` (``now`` = the state's moment; times as
    stored, interpolated ones included)."""
    prev_pct = 100.0 * (state.prev_change_share or 0.0)
    tip_time = state.tip_time_s if state.tip_time_s is not None else state.as_of_s
    return mempool_difficulty_adjustment(
        epoch_start_time_s=state.start_time_s,
        quarter_epoch_time_s=state.mempool_window_start_s,
        now_s=state.as_of_s,
        height=state.epoch * BLOCKS_PER_EPOCH + state.intervals_observed,
        previous_retarget_pct=prev_pct,
        latest_block_time_s=tip_time,
    )


def mempool_estimate(state: EpochState) -> tuple[float, float]:
    """mempool.space's point estimate of the next change and its retarget ETA.

    Parameters
    ----------
    state : EpochState

    Returns
    -------
    tuple of float
        ``(change_pct, eta_s)``: the change in percent, clamped to [-75, +300], and
        mempool's ``estimatedRetargetDate`` (which may fall before ``state.as_of_s`` only if
        block times run backwards; :func:`minerscope.analytics.projection.project_difficulty`
        reports that case). [%], [Unix s]
    """
    adj = mempool_for_state(state)
    return adj.difficulty_change_pct, adj.estimated_retarget_time_s


__all__ = [
    "MempoolAdjustment",
    "mempool_bits_difference_pct",
    "mempool_difficulty_adjustment",
    "mempool_estimate",
    "mempool_for_state",
]
