"""Exact consensus math, standard library only, mirroring Bitcoin Core.

Every function names the Core function it mirrors; targets, work and amounts are
Python ``int``; difficulty is a ``float`` for display only.
"""

from __future__ import annotations

from .compact import (
    CompactError,
    DecodedCompact,
    bits_from_target,
    decode_compact,
    difficulty_from_bits,
    difficulty_from_target,
    target_from_bits,
)
from .header import (
    BlockHeader,
    HeaderError,
    check_proof_of_work,
    header_hash,
    parse_header,
    serialize_header,
)
from .params import (
    DIFFICULTY_1_TARGET,
    MAINNET,
    NETWORKS,
    REGTEST,
    SIGNET,
    TESTNET,
    TESTNET4,
    ChainParams,
)
from .retarget import (
    difficulty_change_share,
    epoch_of,
    epoch_start_height,
    is_permitted_transition,
    is_retarget_height,
    next_bits,
)
from .subsidy import (
    block_subsidy_sat,
    halving_height,
    max_supply_sat,
    next_halving_height,
    supply_sat_at,
)
from .work import block_work, chainwork_hashes, hashrate_hps_from_chainwork, work_from_target

__all__ = [
    "DIFFICULTY_1_TARGET",
    "MAINNET",
    "NETWORKS",
    "REGTEST",
    "SIGNET",
    "TESTNET",
    "TESTNET4",
    "BlockHeader",
    "ChainParams",
    "CompactError",
    "DecodedCompact",
    "HeaderError",
    "bits_from_target",
    "block_subsidy_sat",
    "block_work",
    "chainwork_hashes",
    "check_proof_of_work",
    "decode_compact",
    "difficulty_change_share",
    "difficulty_from_bits",
    "difficulty_from_target",
    "epoch_of",
    "epoch_start_height",
    "halving_height",
    "hashrate_hps_from_chainwork",
    "header_hash",
    "is_permitted_transition",
    "is_retarget_height",
    "max_supply_sat",
    "next_bits",
    "next_halving_height",
    "parse_header",
    "serialize_header",
    "supply_sat_at",
    "target_from_bits",
    "work_from_target",
]
