"""The retarget rule on float arrays, for many simulated paths at once.

Exact integer :func:`minerscope.consensus.next_bits` per path and epoch is too slow for
100,000 paths; this is the same rule in float64 on difficulties, tested against
``next_bits`` on many random cases (``tests/simulation/test_retarget.py``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..consensus import MAINNET, bits_from_target, difficulty_from_bits
from ..economics.hashprice import HASHES_PER_DIFFICULTY

FloatArray = npt.NDArray[np.float64]

TIMESPAN_S: float = float(MAINNET.pow_target_timespan_s)  # 1,209,600 s
INTERVALS_MEASURED = MAINNET.difficulty_adjustment_interval - 1  # 2015 (Core's off-by-one)
BLOCKS_PER_EPOCH = MAINNET.difficulty_adjustment_interval  # 2016
#: The easiest difficulty the pow limit allows (compact 0x1d00ffff): 1.0.
MIN_DIFFICULTY: float = difficulty_from_bits(bits_from_target(MAINNET.pow_limit))


def next_difficulty(difficulty: FloatArray | float, span_s: FloatArray | float) -> FloatArray:
    """Difficulty of the next epoch from this epoch's and its measured span, on arrays.

    Parameters
    ----------
    difficulty : array_like
        This epoch's difficulty. [unitless]
    span_s : array_like
        Time from the epoch's first to its last block (2015 intervals). [s]

    Returns
    -------
    ndarray
        ``max(D * T / clamp(span, T/4, 4T), 1)`` with T = 1,209,600 s. [unitless]

    Notes
    -----
    Bitcoin Core ``CalculateNextWorkRequired`` scales the target by ``span / T`` (clamped to
    [T/4, 4T]) and caps it at the pow limit; difficulty is inversely proportional to the
    target, so it scales by ``T / span`` and is floored at the pow limit's difficulty (1.0).
    The integer rule then truncates the target to a compact mantissa (3 bytes, 15 to 23
    significant bits), which raises the difficulty by less than one unit of that mantissa:
    this float rule agrees with :func:`minerscope.consensus.next_bits` to within
    ``1 / mantissa`` relative (about 2**-17 at today's bits, never worse than 2**-15).
    """
    span = np.clip(np.asarray(span_s, dtype=np.float64), TIMESPAN_S / 4, TIMESPAN_S * 4)
    out: FloatArray = np.maximum(
        np.asarray(difficulty, dtype=np.float64) * (TIMESPAN_S / span), MIN_DIFFICULTY
    )
    return out


def hashes_per_block(difficulty: FloatArray | float) -> FloatArray:
    """Expected hashes per block, ``D * 2**48 / 65535`` (exact block work). [hashes]"""
    out: FloatArray = np.asarray(difficulty, dtype=np.float64) * HASHES_PER_DIFFICULTY
    return out


def difficulty_for_hashrate(hashrate_hps: FloatArray | float) -> FloatArray:
    """The difficulty a retarget sets after an epoch at a constant hash rate.

    ``D_next = T * H / (2015 * 2**48 / 65535)``: 2015 intervals at ``H`` take
    ``2015 W(D) / H`` seconds, so ``D * T / span`` does not depend on ``D``. [unitless]
    """
    out: FloatArray = (
        np.asarray(hashrate_hps, dtype=np.float64)
        * TIMESPAN_S
        / (INTERVALS_MEASURED * HASHES_PER_DIFFICULTY)
    )
    return out


__all__ = [
    "BLOCKS_PER_EPOCH",
    "INTERVALS_MEASURED",
    "MIN_DIFFICULTY",
    "TIMESPAN_S",
    "difficulty_for_hashrate",
    "hashes_per_block",
    "next_difficulty",
]
