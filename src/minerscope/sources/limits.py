"""Consensus and physical limits every imported value must respect.

A value outside these limits cannot come from the real chain or a real market, and storing
it would break or falsify later commands (a time of 2^63-1 overflows SQLite's sums, a block
count of 2^63-1 turns hash rates into nonsense). Each limit cites where it comes from.
"""

from __future__ import annotations

from typing import Final

from ..consensus import DIFFICULTY_1_TARGET, MAINNET
from ..units import SAT_PER_BTC, SECONDS_PER_DAY

#: Hash and time of the mainnet genesis block (Bitcoin Core ``src/kernel/chainparams.cpp``,
#: ``CreateGenesisBlock(1231006505, ...)``); nothing on the chain is older.
GENESIS_HASH: Final = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
GENESIS_TIME_S: Final = 1_231_006_505
#: 2009-01-03, the UTC day of the genesis block: no daily row or price can be earlier.
GENESIS_DAY: Final = "2009-01-03"
GENESIS_DAY_START_S: Final = 1_230_940_800

#: Core's ``MAX_FUTURE_BLOCK_TIME`` (``src/chain.h``): a block may be at most 2 h ahead of the
#: node's clock. [s]
MAX_FUTURE_BLOCK_TIME_S: Final = 2 * 60 * 60
#: Block times are a ``uint32_t`` in the header (``src/primitives/block.h``). [Unix s]
MAX_HEADER_TIME_S: Final = 2**32 - 1
#: Heights are an ``int`` (``CBlockIndex::nHeight``, ``src/chain.h``). [blocks]
MAX_HEIGHT: Final = 2**31 - 1
#: ``MAX_BLOCK_WEIGHT`` and ``MAX_BLOCK_SERIALIZED_SIZE`` (``src/consensus/consensus.h``).
MAX_BLOCK_WEIGHT_WU: Final = 4_000_000
MAX_BLOCK_SIZE_BYTES: Final = 4_000_000
#: ``MIN_TRANSACTION_WEIGHT`` = 4 x 60 bytes (``src/consensus/consensus.h``).
MIN_TRANSACTION_WEIGHT_WU: Final = 240
#: So a block holds at most 4,000,000 / 240 = 16,666 transactions (the coinbase included).
MAX_TX_PER_BLOCK: Final = MAX_BLOCK_WEIGHT_WU // MIN_TRANSACTION_WEIGHT_WU
#: Core's ``MAX_MONEY`` (``src/consensus/amount.h``): 21,000,000 BTC. No amount can exceed
#: it, not a block's fees, nor a day's issuance or fees. [sat]
MAX_MONEY_SAT: Final = 21_000_000 * SAT_PER_BTC
MAX_MONEY_BTC: Final = 21_000_000
#: The most blocks whose timestamps fall on one UTC day. A block's time must exceed the
#: median of the 11 before it (``ContextualCheckBlockHeader``, ``src/validation.cpp``), so
#: at most 6 of any 11 consecutive blocks share a second: 6 blocks per second of a day.
MAX_BLOCKS_PER_DAY: Final = 6 * SECONDS_PER_DAY
#: Difficulty runs from 1 (the pow limit, compact 0x1d00ffff) to the difficulty of
#: target 1 (Core's ``GetDifficulty``: difficulty-1 target / target).
MIN_DIFFICULTY: Final = 1.0
MAX_DIFFICULTY: Final = float(DIFFICULTY_1_TARGET)
#: A BTC/USD price above 1e9 USD would value 21 M BTC at 2.1e16 USD, over a hundred times
#: the world's yearly output (about 1.1e14 USD, World Bank 2023): a wrong unit or a
#: corrupt value, not a price. [USD]
MAX_PRICE_USD: Final = 1e9
#: The first recorded BTC/USD trade, 5,050 BTC for 5.02 USD (2009-10-12), was about 0.001
#: USD a coin; a price below a tenth of that is a wrong unit or a corrupt value. [USD]
MIN_PRICE_USD: Final = 1e-4
#: The median time past covers the 11 blocks before a block (Core ``CBlockIndex::
#: nMedianTimeSpan``).
MEDIAN_TIME_SPAN: Final = 11
#: Blocks per difficulty epoch on mainnet.
EPOCH_BLOCKS: Final = MAINNET.difficulty_adjustment_interval
MAX_EPOCH: Final = MAX_HEIGHT // EPOCH_BLOCKS


def max_time_s(now_s: int | None) -> int:
    """The latest acceptable block or price time: the clock + 2 h, else the header's limit."""
    if now_s is None:
        return MAX_HEADER_TIME_S
    return min(now_s + MAX_FUTURE_BLOCK_TIME_S, MAX_HEADER_TIME_S)
