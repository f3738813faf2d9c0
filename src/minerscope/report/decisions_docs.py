"""The typed documents of ``minerscope roi`` (:class:`RoiDocument` and its parts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..results import AsOfInfo, Result
from ..simulation.cashflow import Distribution


@dataclass(frozen=True)
class DateQuantiles:
    """Dates (ISO, UTC) at the percentiles of a day count; None beyond the horizon."""

    p5: str | None
    p25: str | None
    p50: str | None
    p75: str | None
    p95: str | None


@dataclass(frozen=True)
class RoiLineDoc:
    """One group's figures, or the fleet's total."""

    name: str
    capex_usd: float
    resale_usd: float
    cash_profit_usd: Distribution
    cash_profit_btc: Distribution
    npv_usd: Distribution
    irr_pct: Distribution
    payback_days: Distribution
    payback_date: DateQuantiles
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
    """Per-day percentiles over the band paths (the first ``bands_paths``)."""

    day: int
    date: str
    cum_cash_profit_p5_usd: float
    cum_cash_profit_p25_usd: float
    cum_cash_profit_p50_usd: float
    cum_cash_profit_p75_usd: float
    cum_cash_profit_p95_usd: float
    btc_price_p5_usd: float
    btc_price_p50_usd: float
    btc_price_p95_usd: float
    difficulty_p5: float
    difficulty_p50: float
    difficulty_p95: float
    hashprice_p5_usd_per_phs_day: float
    hashprice_p50_usd_per_phs_day: float
    hashprice_p95_usd_per_phs_day: float


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
    inputs: dict[str, Any]
    fleets: tuple[FleetRoiDoc, ...]
    comparison: ComparisonDoc | None
    halving_date: DateQuantiles | None
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
    "DateQuantiles",
    "FleetRoiDoc",
    "PathMethods",
    "RoiDocument",
    "RoiLineDoc",
]
