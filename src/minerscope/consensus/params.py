"""Chain parameters: the network constants the consensus functions take as ``params``.

Mirrors Bitcoin Core ``src/kernel/chainparams.cpp`` (``consensus.powLimit``,
``nPowTargetTimespan``, ``nPowTargetSpacing``, ``nSubsidyHalvingInterval``,
``fPowAllowMinDifficultyBlocks``, ``fPowNoRetargeting``, ``enforce_BIP94``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class ChainParams:
    """Consensus constants of one network.

    Attributes
    ----------
    name : str
        Network name (``main``, ``test``, ``testnet4``, ``signet``, ``regtest``).
    pow_limit : int
        Easiest permitted target (Core's ``powLimit``). [target]
    pow_target_timespan_s : int
        Target duration of one retarget period. [s]
    pow_target_spacing_s : int
        Target interval between blocks. [s]
    subsidy_halving_interval : int
        Blocks between halvings. [blocks]
    pow_allow_min_difficulty_blocks : bool
        Testnet rule: a block may use the pow limit after 20 minutes.
    pow_no_retargeting : bool
        Regtest rule: the target never changes.
    enforce_bip94 : bool
        Testnet4 rule: retarget from the period's first block's bits.
    """

    name: str
    pow_limit: int
    pow_target_timespan_s: int = 14 * 24 * 60 * 60
    pow_target_spacing_s: int = 10 * 60
    subsidy_halving_interval: int = 210_000
    pow_allow_min_difficulty_blocks: bool = False
    pow_no_retargeting: bool = False
    enforce_bip94: bool = False

    @property
    def difficulty_adjustment_interval(self) -> int:
        """Blocks per retarget period (2016 on every public network). [blocks]"""
        return self.pow_target_timespan_s // self.pow_target_spacing_s


MAINNET: Final = ChainParams(
    name="main",
    pow_limit=0x00000000FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF,
)
TESTNET: Final = ChainParams(
    name="test",
    pow_limit=0x00000000FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF,
    pow_allow_min_difficulty_blocks=True,
)
TESTNET4: Final = ChainParams(
    name="testnet4",
    pow_limit=0x00000000FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF,
    pow_allow_min_difficulty_blocks=True,
    enforce_bip94=True,
)
SIGNET: Final = ChainParams(
    name="signet",
    pow_limit=0x00000377AE000000000000000000000000000000000000000000000000000000,
)
REGTEST: Final = ChainParams(
    name="regtest",
    pow_limit=0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF,
    subsidy_halving_interval=150,
    pow_allow_min_difficulty_blocks=True,
    pow_no_retargeting=True,
)

NETWORKS: Final = {p.name: p for p in (MAINNET, TESTNET, TESTNET4, SIGNET, REGTEST)}

#: Target at difficulty 1 (compact 0x1d00ffff), the numerator of every difficulty figure.
DIFFICULTY_1_TARGET: Final = 0xFFFF << 208
