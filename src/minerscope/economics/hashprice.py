"""Hashvalue and hashprice: what one PH/s of hash rate earns per day.

Two flavours, both per PH/s per day:

- **difficulty-implied** (what an FPPS pool pays): the expected number of blocks that 1 PH/s
  finds in a day at the current difficulty, times the reward per block (subsidy plus fees,
  fees as a trailing mean the caller chooses, e.g. the last 144 blocks);
- **realised**: what the network actually earned in a period (blocks found times their real
  rewards) divided by the hash rate estimated for that period.

References
----------
.. [1] Luxor, "Hashprice" and glossary ("BTC-denominated hashprice"), Hashrate Index
   documentation, docs.luxor.tech (fees as a 144-block trailing mean; USD/PH/s/day).
.. [2] ../shared/docs/RESEARCH.md section 3.5 (worked example at D = 141.67 T).
"""

from __future__ import annotations

from ..units import HPS_PER_PHS, SAT_PER_BTC, SECONDS_PER_DAY
from ._types import Numeric

#: Expected hashes per unit of difficulty: the exact block work 2**256/(target+1) with
#: target = (0xFFFF * 2**208) / difficulty gives difficulty * 2**48 / 65535 (STYLE.md section 3).
HASHES_PER_DIFFICULTY: float = 2**48 / 65535
#: The common approximation difficulty * 2**32 (1.5e-5 lower); pools such as ViaBTC publish it.
HASHES_PER_DIFFICULTY_APPROX: float = float(2**32)


def expected_hashes_per_block(
    difficulty: Numeric, *, hashes_per_difficulty: float = HASHES_PER_DIFFICULTY
) -> Numeric:
    """Expected number of hashes needed to find one block.

    Parameters
    ----------
    difficulty : numeric
        Network difficulty. [unitless]
    hashes_per_difficulty : float
        Hashes per unit of difficulty; the default is exact (2**48/65535). Pass
        :data:`HASHES_PER_DIFFICULTY_APPROX` (2**32) to reproduce calculators that use it. [hashes]

    Returns
    -------
    numeric
        Expected hashes per block. [hashes]

    Notes
    -----
    D = 141.67e12 gives 141.67e12 * 2**48 / 65535 = 6.0848e23 hashes.
    """
    return difficulty * hashes_per_difficulty


def blocks_per_phs_day(
    difficulty: Numeric, *, hashes_per_difficulty: float = HASHES_PER_DIFFICULTY
) -> Numeric:
    """Expected blocks that 1 PH/s finds in one day at ``difficulty``.

    Parameters
    ----------
    difficulty : numeric
        Network difficulty. [unitless]
    hashes_per_difficulty : float
        Hashes per unit of difficulty (see :func:`expected_hashes_per_block`). [hashes]

    Returns
    -------
    numeric
        Blocks per PH/s per day: 1e15 * 86,400 / (difficulty * hashes_per_difficulty).
        [blocks/(PH/s)/day]
    """
    return (HPS_PER_PHS * SECONDS_PER_DAY) / expected_hashes_per_block(
        difficulty, hashes_per_difficulty=hashes_per_difficulty
    )


def hashvalue_btc_per_phs_day(
    difficulty: Numeric,
    reward_btc_per_block: Numeric,
    *,
    hashes_per_difficulty: float = HASHES_PER_DIFFICULTY,
) -> Numeric:
    """Difficulty-implied hashvalue: BTC earned by 1 PH/s in one day.

    Parameters
    ----------
    difficulty : numeric
        Network difficulty. [unitless]
    reward_btc_per_block : numeric
        Subsidy plus mean fees per block (the caller picks the fee window, e.g. 144
        blocks). [BTC]
    hashes_per_difficulty : float
        Hashes per unit of difficulty (exact by default). [hashes]

    Returns
    -------
    numeric
        Hashvalue. [BTC/(PH/s)/day]

    Notes
    -----
    hashvalue = 1e15 * 86,400 / (D * 2**48 / 65535) * R (RESEARCH.md section 3.5).
    D = 141.67 T gives 1e15 * 86,400 / 6.0848e23 = 1.41993e-4 blocks per PH/s per day;
    times R = 3.145 BTC that is 4.4657e-4 BTC = 44,657 sat per PH/s per day (44.7 sat/TH/day).
    """
    return (
        blocks_per_phs_day(difficulty, hashes_per_difficulty=hashes_per_difficulty)
        * reward_btc_per_block
    )


def hashvalue_sat_per_phs_day(
    difficulty: Numeric,
    reward_btc_per_block: Numeric,
    *,
    hashes_per_difficulty: float = HASHES_PER_DIFFICULTY,
) -> Numeric:
    """Difficulty-implied hashvalue in sat. [sat/(PH/s)/day]

    Same as :func:`hashvalue_btc_per_phs_day` times 1e8 sat/BTC.
    """
    return (
        hashvalue_btc_per_phs_day(
            difficulty, reward_btc_per_block, hashes_per_difficulty=hashes_per_difficulty
        )
        * SAT_PER_BTC
    )


def hashprice_usd_per_phs_day(
    difficulty: Numeric,
    reward_btc_per_block: Numeric,
    btc_price_usd: Numeric,
    *,
    hashes_per_difficulty: float = HASHES_PER_DIFFICULTY,
) -> Numeric:
    """Difficulty-implied hashprice: USD earned by 1 PH/s in one day.

    Parameters
    ----------
    difficulty : numeric
        Network difficulty. [unitless]
    reward_btc_per_block : numeric
        Subsidy plus mean fees per block (caller picks the window, e.g. 144). [BTC]
    btc_price_usd : numeric
        BTC price. [USD/BTC]
    hashes_per_difficulty : float
        Hashes per unit of difficulty (exact by default). [hashes]

    Returns
    -------
    numeric
        Hashprice. [USD/(PH/s)/day]

    Notes
    -----
    Hashprice = hashvalue * price (Luxor). At D = 141.67 T, R = 3.145 BTC and $70,000:
    4.4657e-4 BTC * 70,000 = $31.26 per PH/s per day (RESEARCH.md section 3.5: $31.3).
    """
    return (
        hashvalue_btc_per_phs_day(
            difficulty, reward_btc_per_block, hashes_per_difficulty=hashes_per_difficulty
        )
        * btc_price_usd
    )


def realised_hashvalue_btc_per_phs_day(
    revenue_btc_per_day: Numeric, hashrate_hps: Numeric
) -> Numeric:
    """Realised hashvalue: what the network earned per PH/s over a day.

    Parameters
    ----------
    revenue_btc_per_day : numeric
        Subsidy plus fees actually mined in the day. [BTC/day]
    hashrate_hps : numeric
        Network hash rate estimated for the same day by a method that does not use
        that day's block count alone (e.g. a trailing multi-day estimate), else the
        ratio collapses to the mean reward per block times the blocks per PH/s. [H/s]

    Returns
    -------
    numeric
        Realised hashvalue. [BTC/(PH/s)/day]

    Notes
    -----
    realised = revenue / (hashrate / 1e15) (RESEARCH.md section 3.5, "actual blocks found
    times reward divided by realised hash rate"). Above the difficulty-implied value on
    lucky days, below it on slow days.
    """
    return revenue_btc_per_day / (hashrate_hps / HPS_PER_PHS)


def hashrate_hps_from_blocks(
    blocks: Numeric,
    difficulty: Numeric,
    span_s: Numeric,
    *,
    hashes_per_difficulty: float = HASHES_PER_DIFFICULTY,
) -> Numeric:
    """Hash rate implied by blocks found in a time span.

    Parameters
    ----------
    blocks : numeric
        Blocks found in the span. [blocks]
    difficulty : numeric
        Mean difficulty of those blocks. [unitless]
    span_s : numeric
        Length of the span. [s]
    hashes_per_difficulty : float
        Hashes per unit of difficulty (exact by default). [hashes]

    Returns
    -------
    numeric
        blocks * D * 2**48/65535 / span. [H/s]
    """
    return (
        blocks
        * expected_hashes_per_block(difficulty, hashes_per_difficulty=hashes_per_difficulty)
        / span_s
    )
