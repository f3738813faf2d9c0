"""The typed documents of the ``pools`` view (:mod:`minerscope.report.pools` builds them).

Keys carry units: ``_share`` for 0..1, ``_pct`` for 0..100, ``_ehs`` for EH/s, ``time_s``
in Unix seconds; every estimate has its ``_lower_`` and ``_upper_`` bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..results import AsOfInfo, Result


@dataclass(frozen=True)
class WindowInfo:
    """A time window and the blocks timestamped in it."""

    days: float
    start_time_s: int
    start_time_iso: str
    end_time_s: int
    end_time_iso: str
    blocks: int
    attributed_blocks: int
    first_height: int | None
    last_height: int | None


@dataclass(frozen=True)
class NetworkHashrate:
    """The network's hash rate over the window (fixed time, Garwood interval)."""

    hashrate_ehs: float
    hashrate_lower_ehs: float
    hashrate_upper_ehs: float
    confidence_share: float
    n_blocks: int


@dataclass(frozen=True)
class PoolRow:
    """One pool of the window. ``rank`` is None for the "unknown" row."""

    rank: int | None
    pool_slug: str
    pool_name: str
    blocks: int
    block_share: float
    block_lower_share: float
    block_upper_share: float
    hashrate_ehs: float | None
    hashrate_lower_ehs: float | None
    hashrate_upper_ehs: float | None
    trailing_blocks: int
    trailing_share: float | None
    expected_blocks: float | None
    luck_pct: float | None
    luck_p_value: float | None
    btc_per_day: float
    usd_per_day: float | None
    operator: str | None


@dataclass(frozen=True)
class ConcentrationInfo:
    """HHI and Nakamoto coefficient of the window with bootstrap intervals."""

    hhi_share: float
    hhi_lower_share: float
    hhi_upper_share: float
    nakamoto_coefficient: int | None
    nakamoto_coefficient_lower: int | None
    nakamoto_coefficient_upper: int | None
    unknown_share: float
    confidence_share: float
    bootstrap_draws: int
    bootstrap_seed: int


@dataclass(frozen=True)
class OperatorRow:
    """An operator's blocks through the pools that are its own."""

    operator: str
    public: bool
    pool_slugs: tuple[str, ...]
    blocks: int
    block_share: float
    block_lower_share: float
    block_upper_share: float
    btc_per_day: float
    usd_per_day: float | None
    note: str


@dataclass(frozen=True)
class HistoryRow:
    """One pool on one UTC day (``complete_day`` False for a day the window cuts)."""

    date: str
    complete_day: bool
    pool_slug: str
    pool_name: str
    blocks: int
    day_blocks: int
    block_share: float
    block_lower_share: float
    block_upper_share: float


@dataclass(frozen=True)
class PoolsReport(Result):
    """The ``pools`` document (``minerscope pools --json``)."""

    DOCUMENT: ClassVar[str] = "pools"

    as_of: AsOfInfo
    window: WindowInfo
    trailing: WindowInfo
    methods: dict[str, str]
    network: NetworkHashrate | None
    pools: tuple[PoolRow, ...]
    concentration: ConcentrationInfo
    operators: tuple[OperatorRow, ...]
    operators_note: str
    fees_note: str
    history: tuple[HistoryRow, ...] | None
    tag_files: tuple[str, ...]


@dataclass(frozen=True)
class KnownPool:
    """One pool of the tag files (``minerscope pools --list``)."""

    pool_slug: str
    pool_name: str
    link: str | None
    tags: tuple[str, ...]
    addresses: tuple[str, ...]
    operator: str | None


@dataclass(frozen=True)
class KnownPools(Result):
    """``minerscope pools --list``: every pool of the tag files."""

    DOCUMENT: ClassVar[str] = "pools_list"

    pools: tuple[KnownPool, ...]
