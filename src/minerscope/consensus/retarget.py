"""The difficulty retarget rule and its permitted transitions.

Mirrors Bitcoin Core ``CalculateNextWorkRequired`` and ``PermittedDifficultyTransition``
(``src/pow.cpp``).
"""

from __future__ import annotations

from .compact import bits_from_target, target_from_bits
from .params import MAINNET, ChainParams


def epoch_of(height: int, *, params: ChainParams = MAINNET) -> int:
    """Retarget period (epoch) index of a height: height // 2016. [epochs]"""
    if height < 0:
        raise ValueError(f"height must be >= 0, got {height}")
    return height // params.difficulty_adjustment_interval


def epoch_start_height(epoch: int, *, params: ChainParams = MAINNET) -> int:
    """First height of an epoch. [blocks]"""
    return epoch * params.difficulty_adjustment_interval


def is_retarget_height(height: int, *, params: ChainParams = MAINNET) -> bool:
    """True when ``height`` is the first block of a retarget period."""
    return height % params.difficulty_adjustment_interval == 0


def _clamped_timespan_s(actual_s: int, params: ChainParams) -> int:
    timespan_s = params.pow_target_timespan_s
    return min(max(actual_s, timespan_s // 4), timespan_s * 4)


def next_bits(
    prev_bits: int, first_time_s: int, last_time_s: int, *, params: ChainParams = MAINNET
) -> int:
    """Compact target for the first block of the next retarget period.

    Parameters
    ----------
    prev_bits : int
        Compact target of the period's last block (height % 2016 == 2015). [compact]
    first_time_s, last_time_s : int
        Timestamps of the period's first and last block. [Unix s]
    params : ChainParams
        Network constants (pow limit, target timespan).

    Returns
    -------
    int
        New compact target. [compact]

    Notes
    -----
    Mirrors ``CalculateNextWorkRequired`` (Bitcoin Core ``src/pow.cpp``). The span
    covers 2015 intervals (Core's off-by-one), is clamped to [T/4, 4T] with
    T = 1,209,600 s, and scales the old target by span/T in integer arithmetic; the
    result is capped at the pow limit and compact-encoded (which truncates the
    mantissa). On regtest (``pow_no_retargeting``) the target never changes.
    Testnet's 20-minute min-difficulty blocks are a per-block rule handled elsewhere.

    References
    ----------
    .. [1] Bitcoin Core, ``src/pow.cpp``; vectors in ``src/test/pow_tests.cpp``.
    """
    if params.pow_no_retargeting:
        return prev_bits
    span_s = _clamped_timespan_s(last_time_s - first_time_s, params)
    target = target_from_bits(prev_bits) * span_s // params.pow_target_timespan_s
    return bits_from_target(min(target, params.pow_limit))


def is_permitted_transition(
    height: int, old_bits: int, new_bits: int, *, params: ChainParams = MAINNET
) -> bool:
    """Whether a block at ``height`` may carry ``new_bits`` after a block with ``old_bits``.

    Parameters
    ----------
    height : int
        Height of the block that carries ``new_bits``. [blocks]
    old_bits, new_bits : int
        Compact targets of the previous block and of this one. [compact]
    params : ChainParams
        Network constants.

    Returns
    -------
    bool
        False when the change is impossible under the retarget rule: a change away
        from a retarget height, or beyond the x4 / x1/4 bounds (after compact
        rounding) at one.

    Notes
    -----
    Mirrors ``PermittedDifficultyTransition`` (Bitcoin Core ``src/pow.cpp``). Networks
    that allow min-difficulty blocks always return True.
    """
    if params.pow_allow_min_difficulty_blocks:
        return True
    if is_retarget_height(height, params=params):
        timespan_s = params.pow_target_timespan_s
        old_target = target_from_bits(old_bits)
        new_target = target_from_bits(new_bits)

        largest = min(old_target * (timespan_s * 4) // timespan_s, params.pow_limit)
        maximum_new_target = target_from_bits(bits_from_target(largest))
        if maximum_new_target < new_target:
            return False

        smallest = min(old_target * (timespan_s // 4) // timespan_s, params.pow_limit)
        minimum_new_target = target_from_bits(bits_from_target(smallest))
        return minimum_new_target <= new_target
    return old_bits == new_bits


def difficulty_change_share(old_bits: int, new_bits: int) -> float:
    """Exact relative change of difficulty between two compact targets.

    Returns old_target / new_target - 1 (for example -0.1116 for a 11.16 % drop).
    [share]
    """
    return target_from_bits(old_bits) / target_from_bits(new_bits) - 1.0
