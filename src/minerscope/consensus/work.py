"""Block work and chainwork-based hash rate.

Mirrors Bitcoin Core ``GetBlockProof`` (``src/chain.cpp``) and ``GetNetworkHashPS``
(``src/rpc/mining.cpp``).
"""

from __future__ import annotations

from .compact import CompactError, target_from_bits

_TWO_256 = 1 << 256


def work_from_target(target: int) -> int:
    """Expected hashes to find a block at ``target``: floor(2**256 / (target + 1)). [hashes]"""
    if target <= 0:
        raise CompactError("target must be positive")
    # Core computes (~target / (target + 1)) + 1 to stay inside 256 bits; equal to the floor.
    return ((_TWO_256 - 1 - target) // (target + 1)) + 1


def block_work(bits: int) -> int:
    """Work (expected number of hashes) of one block with compact target ``bits``.

    Parameters
    ----------
    bits : int
        Compact target. [compact]

    Returns
    -------
    int
        2**256 / (target + 1), rounded down; 0 for a negative, overflowing or zero
        target, as in Core. [hashes]

    Notes
    -----
    Mirrors ``GetBlockProof`` (Bitcoin Core ``src/chain.cpp``). Genesis (0x1d00ffff)
    gives 0x100010001, the chainwork ``getblockheader`` reports for block 0.
    """
    try:
        target = target_from_bits(bits)
    except CompactError:
        return 0
    if target == 0:
        return 0
    return work_from_target(target)


def chainwork_hashes(chainwork_hex: str) -> int:
    """Parse Core's 64-hex-digit ``chainwork`` field into an integer. [hashes]"""
    return int(chainwork_hex, 16)


def hashrate_hps_from_chainwork(
    chainwork_first: int, chainwork_last: int, min_time_s: int, max_time_s: int
) -> float:
    """Bitcoin Core's ``getnetworkhashps`` figure: work done divided by the time spanned.

    Parameters
    ----------
    chainwork_first, chainwork_last : int
        Chainwork at the block before the window and at its last block. [hashes]
    min_time_s, max_time_s : int
        Least and greatest block time in the window. [Unix s]

    Returns
    -------
    float
        Hash rate; 0.0 when the times are equal, as in Core. [H/s]

    Notes
    -----
    Mirrors ``GetNetworkHashPS`` (Bitcoin Core ``src/rpc/mining.cpp``). Over a fixed
    number N of blocks this estimate is biased high by N/(N-1).
    """
    if max_time_s == min_time_s:
        return 0.0
    return (chainwork_last - chainwork_first) / (max_time_s - min_time_s)
