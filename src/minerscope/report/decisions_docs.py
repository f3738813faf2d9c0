"""The typed documents of ``minerscope roi`` (:class:`RoiDocument` and its parts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..results import AsOfInfo, MomentPercentiles, Percentiles, Result
from ..simulation.cashflow import Distribution


@dataclass(frozen=True)
class RoiLineDoc:
    """One group's figures, or the fleet's total.

    ``payback_date`` is the moment of payback at the percentiles of ``payback_days``; a
    percentile beyond the horizon is left out (``payback_days`` has it as null).
    """

    name: str
    capex_usd: float
    resale_usd: float
    cash_profit_usd: Distribution
    cash_profit_btc: Distribution
    npv_usd: Distribution
    irr_pct: Distribution
    payback_days: Distribution
    payback_date: MomentPercentiles
    payback_within_horizon_share: float
    days_off_mean: float | None


@dataclass(frozen=True)
class FleetRoiDoc:
    """A fleet's groups and total."""

    name: str
    source: str
    machines: int
    groups: tuple[RoiLineDoc, ...]
    total: RoiLineDoc
    power_prices: dict[str, str]


@dataclass(frozen=True)
class ComparisonDoc:
    """Option A against option B on the same paths (NPV at the discount rate)."""

    a: str
    b: str
    a_beats_b_share: float
    npv_difference_usd: Distribution


@dataclass(frozen=True)
class BandRow:
    """Per-day percentiles over the band paths (the first ``bands_paths``): the cumulative
    cash profit at p5/p25/p50/p75/p95, the price, difficulty and hashprice at p5/p50/p95."""

    day: int
    date: str
    cum_cash_profit_usd: Percentiles
    btc_price_usd: Percentiles
    difficulty: Percentiles
    hashprice_usd_per_phs_day: Percentiles


@dataclass(frozen=True)
class RoiInputs:
    """The chain's state the paths start from, and where the price and fees come from."""

    tip_height: int
    difficulty: float
    difficulty_source: str
    btc_price_usd: float
    btc_price_source: str
    fees_btc_per_block: float
    fees_source: str


@dataclass(frozen=True)
class PathMethods:
    """What each path model is (each run names the method it used)."""

    difficulty: str
    current_epoch: str
    price: str
    fees: str
    switch_off: str
    era: dict[str, Any] | None


@dataclass(frozen=True)
class RoiDocument(Result):
    """``minerscope roi``: cash profit, NPV, IRR and payback over simulated paths."""

    DOCUMENT: ClassVar[str] = "roi"

    as_of: AsOfInfo
    horizon_days: int
    horizon_end_iso: str
    paths: int
    seed: int
    discount_rate_pct: float
    methods: PathMethods
    inputs: RoiInputs
    fleets: tuple[FleetRoiDoc, ...]
    comparison: ComparisonDoc | None
    halving_date: MomentPercentiles | None
    difficulty_at_horizon: Distribution
    btc_price_at_horizon_usd: Distribution
    retargets_mean: float
    bands_paths: int
    irr_paths: int
    bands: tuple[BandRow, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


__all__ = [
    "BandRow",
    "ComparisonDoc",
    "FleetRoiDoc",
    "PathMethods",
    "RoiDocument",
    "RoiInputs",
    "RoiLineDoc",
]
