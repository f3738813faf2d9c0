"""The typed documents of the economics views: ``machines``, ``fleet``, ``economics`` and the
economics section of ``status`` (:mod:`minerscope.report.econ` and
:mod:`minerscope.report.econ_machines` build them).

Keys follow ``docs/vocabulary.md``: every breakeven is ``breakeven_btc_price_usd`` (the
shutdown price: electricity cost per BTC mined) and ``breakeven_power_price_usd_per_kwh``; a
value known at a time has ``*_time_s`` with ``*_time_iso`` beside it. Only dataclasses here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..results import AsOfInfo, Result

# --- inputs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NetworkInputs:
    """The network inputs of an economics figure: each value, where and when it was known.

    Attributes
    ----------
    difficulty, difficulty_t : float
        [unitless], [T]
    difficulty_change_pct : float or None
        The change applied to the stored difficulty (``--difficulty-change-pct``). [%]
    subsidy_btc_per_block, fees_btc_per_block, reward_btc_per_block : float
        Reward = subsidy + fees. [BTC]
    btc_price_usd : float
        [USD]
    *_source : str
        Where each value comes from (a block, a daily row, a price source, ``given``).
    *_time_s, *_time_iso : int, str or None
        When each value was known; None for a value the caller gave. [Unix s]
    """

    difficulty: float
    difficulty_t: float
    difficulty_source: str
    difficulty_time_s: int | None
    difficulty_time_iso: str | None
    difficulty_change_pct: float | None
    subsidy_btc_per_block: float
    subsidy_source: str
    subsidy_time_s: int | None
    subsidy_time_iso: str | None
    fees_btc_per_block: float
    fees_source: str
    fees_time_s: int | None
    fees_time_iso: str | None
    reward_btc_per_block: float
    btc_price_usd: float
    btc_price_source: str
    btc_price_time_s: int | None
    btc_price_time_iso: str | None


@dataclass(frozen=True)
class MachineInputs(NetworkInputs):
    """The network inputs and the site settings of ``machines``.

    Attributes
    ----------
    power_price_usd_per_kwh : float
        [USD/kWh]
    pool_fee_share : float
        [0..1]
    pue : float
        Power usage effectiveness. [unitless]
    hashes_per_block_formula : str
        How the expected hashes per block follow from the difficulty.
    """

    power_price_usd_per_kwh: float
    pool_fee_share: float
    pue: float
    hashes_per_block_formula: str


@dataclass(frozen=True)
class FleetInputs(NetworkInputs):
    """The network inputs of ``fleet``, its pool fee and when the power prices were read."""

    pool_fee_share: float
    power_prices_time_s: int
    power_prices_time_iso: str


# --- machines -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MachineRow:
    """One catalog model's economics per day.

    Attributes
    ----------
    release : str or None
        ``YYYY-MM`` or ``YYYY``.
    btc_per_day, revenue_usd_per_day, power_cost_usd_per_day, profit_usd_per_day : float
        [BTC/day], [USD/day]
    profitable : bool
        Profit above zero.
    breakeven_btc_price_usd : float or None
        The shutdown price: the BTC price at which revenue pays the power (electricity cost
        per BTC mined); None when no price pays (a zero reward). [USD]
    breakeven_power_price_usd_per_kwh : float
        The highest power price that pays. [USD/kWh]
    cost_usd_per_btc : float or None
        Power cost per BTC mined. [USD/BTC]
    origin : str
        ``shipped`` or the user catalog file.
    """

    vendor: str
    model: str
    variant: str
    release: str | None
    cooling: str
    hashrate_ths: float
    power_w: float
    efficiency_j_per_th: float
    btc_per_day: float
    revenue_usd_per_day: float
    power_cost_usd_per_day: float
    profit_usd_per_day: float
    profitable: bool
    breakeven_btc_price_usd: float | None
    breakeven_power_price_usd_per_kwh: float
    cost_usd_per_btc: float | None
    origin: str
    source: str


@dataclass(frozen=True)
class MachinesReport(Result):
    """``minerscope machines``: every catalog model at the inputs known at a moment."""

    DOCUMENT: ClassVar[str] = "machines"

    as_of: AsOfInfo
    inputs: MachineInputs
    hashprice_usd_per_phs_day: float
    hashvalue_sat_per_phs_day: float
    sort: str
    machines: tuple[MachineRow, ...]


# --- fleet --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FleetInfo:
    """The fleet file: its name, path (``posted fleet`` for the API) and number of groups."""

    name: str
    path: str
    group_count: int


@dataclass(frozen=True)
class SitePower:
    """A site's power price at the moment and where it comes from."""

    name: str
    power_price_usd_per_kwh: float
    power_price_source: str
    pue: float
    hosting_fee_usd_per_kwh: float


@dataclass(frozen=True)
class FleetGroupRow:
    """One group of machines: revenue, costs and profit per day.

    ``model`` is None for machines the fleet file describes itself (no catalog model);
    ``breakeven_btc_price_usd`` is the shutdown price (cash cost per BTC mined; None when
    no price pays); ``switch_off`` says the group burns more power than it earns now.
    """

    name: str
    site: str
    model: str | None
    count: int
    hashrate_ths: float
    power_w: float
    efficiency_j_per_th: float
    uptime_share: float
    btc_per_day: float
    revenue_usd_per_day: float
    power_cost_usd_per_day: float
    hosting_usd_per_day: float
    cash_profit_usd_per_day: float
    depreciation_usd_per_day: float
    all_in_profit_usd_per_day: float
    breakeven_btc_price_usd: float | None
    breakeven_power_price_usd_per_kwh: float
    switch_off: bool


@dataclass(frozen=True)
class FleetTotals:
    """The fleet's totals per day, and its costs per BTC mined."""

    machine_count: int
    hashrate_phs: float
    btc_per_day: float
    revenue_usd_per_day: float
    power_cost_usd_per_day: float
    hosting_usd_per_day: float
    fixed_opex_usd_per_day: float
    depreciation_usd_per_day: float
    cash_cost_usd_per_day: float
    all_in_cost_usd_per_day: float
    cash_profit_usd_per_day: float
    all_in_profit_usd_per_day: float
    cash_cost_usd_per_btc: float | None
    all_in_cost_usd_per_btc: float | None
    cash_profit_if_switched_off_usd_per_day: float


@dataclass(frozen=True)
class FleetReport(Result):
    """``minerscope fleet``: a fleet's P&L per group and in total.

    ``switch_off_groups`` names the groups whose ``switch_off`` is true.
    """

    DOCUMENT: ClassVar[str] = "fleet"

    as_of: AsOfInfo
    fleet: FleetInfo
    inputs: FleetInputs
    hashprice_usd_per_phs_day: float
    hashvalue_sat_per_phs_day: float
    sites: tuple[SitePower, ...]
    groups: tuple[FleetGroupRow, ...]
    totals: FleetTotals
    switch_off_groups: tuple[str, ...]


# --- production cost and the status section -----------------------------------------------


@dataclass(frozen=True)
class CostAssumptionsInfo:
    """The bottom-up cost assumptions and where each default comes from."""

    power_price_usd_per_kwh: float
    pue_lower: float
    pue_best: float
    pue_upper: float
    basket_age_days: float
    other_opex_share: float
    capex_usd_per_th: float
    depreciation_days: float
    catalog_models: int
    catalog_models_with_release: int
    drm_published_a: float
    drm_published_b: float
    notes: str


@dataclass(frozen=True)
class DrmFit:
    """The difficulty regression re-fitted on the stored days: log10 mcap = a + b log10 D."""

    a: float
    b: float


@dataclass(frozen=True)
class ProductionCost:
    """The cost to produce one BTC at a moment: every method and their range.

    The method keys are those of the ``economics`` rows (``cost_*_usd_per_btc``); the range
    (``cost_range_low_usd_per_btc`` .. ``cost_range_high_usd_per_btc``) is over the methods
    known. The best guess runs from the electricity best to the all-in best. [USD/BTC]
    """

    cost_range_low_usd_per_btc: float | None
    cost_range_high_usd_per_btc: float | None
    cost_electricity_lower_usd_per_btc: float | None
    cost_electricity_best_usd_per_btc: float | None
    cost_electricity_upper_usd_per_btc: float | None
    cost_all_in_lower_usd_per_btc: float | None
    cost_all_in_best_usd_per_btc: float | None
    cost_all_in_upper_usd_per_btc: float | None
    cost_drm_published_usd_per_btc: float | None
    cost_drm_refit_usd_per_btc: float | None
    best_guess_efficiency_j_per_th: float | None
    profitable_models: int
    drm_refit: DrmFit | None
    supply_btc: float | None
    assumptions: CostAssumptionsInfo


@dataclass(frozen=True)
class DayRevenue:
    """The network's revenue on the last complete day with one (keys of the ``economics``
    rows: ``revenue_btc`` and ``revenue_usd`` are that day's)."""

    date: str
    revenue_btc: float
    revenue_usd: float
    fee_share: float | None
    revenue_usd_7d_mean: float | None
    revenue_usd_30d_mean: float | None
    realised_hashprice_usd_per_phs_day: float | None
    realised_hashvalue_sat_per_phs_day: float | None
    basis: str


@dataclass(frozen=True)
class PuellReading:
    """The Puell multiple on its last day."""

    puell_multiple: float
    date: str
    basis: str


@dataclass(frozen=True)
class SustainabilityReading:
    """Our sustainability index on its last day (score 0..100, a percentile)."""

    name: str
    date: str
    sustainability_ratio: float
    sustainability_score: float
    sustainability_band: str
    basis: str


@dataclass(frozen=True)
class EconomicsStatus:
    """The economics section of ``status``: hashprice, revenue, cost to produce, indices."""

    inputs: NetworkInputs
    hashprice_usd_per_phs_day: float
    hashvalue_sat_per_phs_day: float
    revenue: DayRevenue | None
    production_cost: ProductionCost
    puell: PuellReading | None
    sustainability: SustainabilityReading | None


# --- the daily history --------------------------------------------------------------------


@dataclass(frozen=True)
class EconomicsDay:
    """One UTC day of the economics history (``subsidy_btc``, ``fees_btc``, ``revenue_*``:
    that day's totals; ``source``: ``blocks`` or the daily rows' source)."""

    date: str
    blocks: float | None
    difficulty: float | None
    btc_price_usd: float | None
    subsidy_btc: float | None
    fees_btc: float | None
    revenue_btc: float | None
    revenue_usd: float | None
    fee_share: float | None
    revenue_usd_7d_mean: float | None
    revenue_usd_30d_mean: float | None
    reward_btc_per_block: float | None
    fees_carried_forward: bool
    hashvalue_sat_per_phs_day: float | None
    hashprice_usd_per_phs_day: float | None
    realised_hashrate_ehs: float | None
    realised_hashvalue_sat_per_phs_day: float | None
    realised_hashprice_usd_per_phs_day: float | None
    puell_multiple: float | None
    puell_multiple_fees_halving_adjusted: float | None
    cost_electricity_lower_usd_per_btc: float | None
    cost_electricity_best_usd_per_btc: float | None
    cost_electricity_upper_usd_per_btc: float | None
    cost_all_in_lower_usd_per_btc: float | None
    cost_all_in_best_usd_per_btc: float | None
    cost_all_in_upper_usd_per_btc: float | None
    cost_drm_published_usd_per_btc: float | None
    cost_drm_refit_usd_per_btc: float | None
    cost_range_low_usd_per_btc: float | None
    cost_range_high_usd_per_btc: float | None
    best_guess_efficiency_j_per_th: float | None
    sustainability_ratio: float | None
    sustainability_score: float | None
    sustainability_band: str | None
    source: str


@dataclass(frozen=True)
class EconomicsHistory(Result):
    """``minerscope economics``: one row per UTC day (``columns``: the row keys in order, the
    CSV header)."""

    DOCUMENT: ClassVar[str] = "economics"

    as_of: AsOfInfo
    from_date: str | None
    to_date: str
    columns: tuple[str, ...]
    assumptions: CostAssumptionsInfo
    rows: tuple[EconomicsDay, ...]


__all__ = [
    "CostAssumptionsInfo",
    "DayRevenue",
    "DrmFit",
    "EconomicsDay",
    "EconomicsHistory",
    "EconomicsStatus",
    "FleetGroupRow",
    "FleetInfo",
    "FleetInputs",
    "FleetReport",
    "FleetTotals",
    "MachineInputs",
    "MachineRow",
    "MachinesReport",
    "NetworkInputs",
    "ProductionCost",
    "PuellReading",
    "SitePower",
    "SustainabilityReading",
]
