"""Block subsidy, halvings and issued supply.

Mirrors Bitcoin Core ``GetBlockSubsidy`` (``src/validation.cpp``).
"""

from __future__ import annotations

from .params import MAINNET, ChainParams

COIN_SAT = 100_000_000
INITIAL_SUBSIDY_SAT = 50 * COIN_SAT


def block_subsidy_sat(height: int, *, params: ChainParams = MAINNET) -> int:
    """New coins a block at ``height`` may create.

    Parameters
    ----------
    height : int
        Block height. [blocks]
    params : ChainParams
        Network constants (halving interval).

    Returns
    -------
    int
        Subsidy: 50 BTC shifted right once per halving, 0 after 64 halvings. [sat]

    Notes
    -----
    Mirrors ``GetBlockSubsidy`` (Bitcoin Core ``src/validation.cpp``). The shift
    truncates, which is why the supply ends at 20,999,999.9769 BTC, not 21 M.
    """
    if height < 0:
        raise ValueError(f"height must be >= 0, got {height}")
    halvings = height // params.subsidy_halving_interval
    if halvings >= 64:
        return 0
    return INITIAL_SUBSIDY_SAT >> halvings


def halving_height(index: int, *, params: ChainParams = MAINNET) -> int:
    """Height of the ``index``-th halving (1 = 210,000 on mainnet). [blocks]"""
    if index < 1:
        raise ValueError(f"halving index must be >= 1, got {index}")
    return index * params.subsidy_halving_interval


def next_halving_height(height: int, *, params: ChainParams = MAINNET) -> int:
    """Height of the first halving strictly above ``height``. [blocks]"""
    return (height // params.subsidy_halving_interval + 1) * params.subsidy_halving_interval


def supply_sat_at(height: int, *, params: ChainParams = MAINNET) -> int:
    """Sum of the subsidies of blocks 0 to ``height`` inclusive.

    Parameters
    ----------
    height : int
        Last block counted; -1 gives 0. [blocks]

    Returns
    -------
    int
        Issued subsidy. [sat]

    Notes
    -----
    Counts the genesis coinbase (50 BTC, unspendable) like the usual 21 M figures do.
    Closed form per halving era: interval * subsidy for each complete era, plus the
    partial era.
    """
    if height < -1:
        raise ValueError(f"height must be >= -1, got {height}")
    interval = params.subsidy_halving_interval
    blocks = height + 1
    total = 0
    era = 0
    while blocks > 0 and era < 64:
        in_era = min(blocks, interval)
        total += in_era * (INITIAL_SUBSIDY_SAT >> era)
        blocks -= in_era
        era += 1
    return total


def max_supply_sat(*, params: ChainParams = MAINNET) -> int:
    """Total subsidy ever issued (2,099,999,997,690,000 sat on mainnet). [sat]"""
    return supply_sat_at(64 * params.subsidy_halving_interval - 1, params=params)
