"""Normalised records: what sources produce and storage keeps, in our names and units."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BlockRecord:
    """One block. Optional fields are None when the source does not provide them.

    ``hash`` is None for a block known only by its height and time (a block-times file such
    as the pool attribution file): "hash unknown", filled in by a later import or sync.
    """

    height: int
    hash: str | None
    time_s: int
    median_time_s: int | None = None
    bits: int | None = None
    prev_hash: str | None = None
    chainwork_hex: str | None = None
    fees_sat: int | None = None
    subsidy_sat: int | None = None
    tx_count: int | None = None
    size_bytes: int | None = None
    weight_wu: int | None = None


@dataclass(frozen=True, slots=True)
class BlockPool:
    """Who mined one block, and on what evidence.

    ``basis`` is ``"tag"``, ``"address"``, ``"tag+address"`` (both name the pool),
    ``"tag!=address"`` (they name different pools: the tag wins, both are kept),
    ``"mempool"`` (the server's ``extras.pool``), ``"file"`` (an attribution file) or
    ``"none"`` (nothing matched: ``pool_slug`` is ``"unknown"``). ``block_hash`` is the hash
    of the block whose coinbase was read (None for a file row).
    """

    height: int
    pool_slug: str
    basis: str
    source: str
    coinbase_text: str | None = None
    matched_tag: str | None = None
    payout_address: str | None = None
    address_pool_slug: str | None = None
    block_hash: str | None = None


@dataclass(frozen=True, slots=True)
class EpochRecord:
    """One retarget period: its index, first height, compact target and last block's hash."""

    epoch: int
    start_height: int
    bits: int
    end_hash: str | None = None


@dataclass(frozen=True, slots=True)
class DailyRecord:
    """One UTC day of network data (Coin Metrics conventions: blocks timestamped that day)."""

    date: str  # YYYY-MM-DD, UTC
    blocks: int | None
    difficulty: float | None
    issuance_sat: int | None
    fees_sat: int | None
    price_usd: float | None
    source: str


@dataclass(frozen=True, slots=True)
class PriceRecord:
    """One BTC/USD observation. A daily close is stamped at the end of its day."""

    source: str
    time_s: int
    price_usd: float


@dataclass(frozen=True, slots=True)
class MvrvRecord:
    """One day's MVRV ratio (market cap over realised cap, Coin Metrics ``CapMVRVCur``)."""

    source: str
    date: str  # YYYY-MM-DD, UTC: the ratio at that day's close
    mvrv_ratio: float


@dataclass(frozen=True)
class Machine:
    """One ASIC model: nominal (stock mode) figures and where they come from."""

    vendor: str
    model: str
    variant: str
    release: str  # "YYYY-MM", "YYYY" or "" when unknown
    hashrate_ths: float
    power_w: float
    cooling: str
    source: str
    origin: str = "shipped"  # "shipped" or the user file it came from

    @property
    def efficiency_j_per_th(self) -> float:
        """Watts per TH/s = joules per TH. [J/TH]"""
        return self.power_w / self.hashrate_ths

    @property
    def release_date(self) -> str | None:
        """First day the model is counted as available (YYYY-MM-01, YYYY-01-01) or None."""
        if not self.release:
            return None
        if len(self.release) == 4:
            return f"{self.release}-01-01"
        return f"{self.release}-01"
