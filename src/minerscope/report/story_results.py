"""The ``report`` document: the figures of the written report, each with its interval.

Every value is copied from one of the library's documents (``hashrate``, ``difficulty``,
``economics``, ``machines``, ``study contraction``, ``pools``); :mod:`minerscope.report.story`
picks them and writes the narrative from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..results import AsOfInfo, MomentPercentiles, Percentiles, Result


@dataclass(frozen=True)
class StoryHashrate:
    """Hash rate now (the ``hashrate`` document's 1008-block window), its 30-day mean and the
    drawdown of the 7-day mean from its peak in the lookback.

    Attributes
    ----------
    window : str
        The window of ``hashrate_ehs`` (``"1008 blocks"``).
    hashrate_ehs, hashrate_lower_ehs, hashrate_upper_ehs : float
        Estimate and exact 95% interval over ``window``. [EH/s]
    ma30_date : str
        The last daily row (YYYY-MM-DD).
    hashrate_ma30_ehs, hashrate_ma30_lower_ehs, hashrate_ma30_upper_ehs : float or None
        The 30-day mean on ``ma30_date`` with its 95% interval. [EH/s]
    hashrate_peak_ehs : float or None
        Peak of the 7-day mean over ``lookback_days``. [EH/s]
    change_from_peak_pct, change_from_peak_corrected_pct : float or None
        Change of the 7-day mean from the peak, raw and max-bias corrected. [%]
    change_from_peak_lower_pct, change_from_peak_upper_pct : float or None
        Its 95% interval. [%]
    """

    window: str
    hashrate_ehs: float
    hashrate_lower_ehs: float
    hashrate_upper_ehs: float
    confidence_share: float
    ma30_date: str | None
    hashrate_ma30_ehs: float | None
    hashrate_ma30_lower_ehs: float | None
    hashrate_ma30_upper_ehs: float | None
    lookback_days: int | None
    peak_date: str | None
    hashrate_peak_ehs: float | None
    hashrate_now_7d_ehs: float | None
    change_from_peak_pct: float | None
    change_from_peak_corrected_pct: float | None
    change_from_peak_lower_pct: float | None
    change_from_peak_upper_pct: float | None


@dataclass(frozen=True)
class StoryBlockTimes:
    """Mean block time: over the epoch so far, and over a window with its 95% interval.

    Attributes
    ----------
    epoch_mean_block_time_s : float or None
        Over the epoch's blocks so far (no interval given by the document). [s]
    window : str
        The window of ``mean_interval_s`` (``"2016 blocks"``).
    mean_interval_s, mean_interval_lower_s, mean_interval_upper_s : float
        Mean interval and its 95% interval. [s]
    """

    epoch_mean_block_time_s: float | None
    epoch_basis: str | None
    window: str
    mean_interval_s: float
    mean_interval_lower_s: float
    mean_interval_upper_s: float


@dataclass(frozen=True)
class StoryDifficulty:
    """Difficulty now, the last realised change and the next adjustment's forecast.

    Attributes
    ----------
    difficulty_t : float
        Difficulty of the next block. [T = 10^12]
    last_change_pct : float or None
        Change at the last retarget. [%]
    retarget_height : int
        Block of the next retarget. [blocks]
    change_pct, next_difficulty_t : Percentiles
        p5/p25/p50/p75/p95 of the next change [%] and of the next difficulty [T].
    retarget_eta : MomentPercentiles
        When the retarget block comes (p5..p95).
    mempool_style_change_pct : float or None
        The mempool-style point estimate (no interval). [%]
    exact : bool
        The epoch is complete (the change is known).
    """

    difficulty_t: float
    last_change_pct: float | None
    last_retarget_date: str | None
    retarget_height: int
    exact: bool
    change_pct: Percentiles
    next_difficulty_t: Percentiles
    retarget_eta: MomentPercentiles
    mempool_style_change_pct: float | None


@dataclass(frozen=True)
class StoryEconomics:
    """The last daily economics row and the revenue peak of the shown window.

    Attributes
    ----------
    date : str
        The row's day (YYYY-MM-DD).
    from_date : str
        The first row shown (the charts' and the revenue peak's window; YYYY-MM-DD).
    btc_price_usd : float
        [USD]
    hashprice_usd_per_phs_day : float
        Difficulty-implied. [USD per PH/s per day]
    revenue_usd, revenue_usd_30d_mean : float or None
        Miner revenue that day and its 30-day mean. [USD per day]
    revenue_peak_usd_30d_mean, revenue_peak_date : float or None, str or None
        The highest 30-day mean in the shown rows and its day. [USD per day]
    cost_*_usd_per_btc : float or None
        Cost to produce 1 BTC: range over methods; electricity and all-in bounds. [USD/BTC]
    puell_multiple : float or None
        [ratio]
    sustainability_score : float or None
        minerscope's index (ours). [0-100]
    """

    date: str
    from_date: str
    btc_price_usd: float
    hashprice_usd_per_phs_day: float
    revenue_usd: float | None
    revenue_usd_30d_mean: float | None
    revenue_peak_usd_30d_mean: float | None
    revenue_peak_date: str | None
    fee_share: float | None
    cost_range_low_usd_per_btc: float | None
    cost_range_high_usd_per_btc: float | None
    cost_electricity_lower_usd_per_btc: float | None
    cost_electricity_best_usd_per_btc: float | None
    cost_electricity_upper_usd_per_btc: float | None
    cost_all_in_lower_usd_per_btc: float | None
    cost_all_in_best_usd_per_btc: float | None
    cost_all_in_upper_usd_per_btc: float | None
    puell_multiple: float | None
    sustainability_score: float | None
    sustainability_band: str | None


@dataclass(frozen=True)
class StoryMachine:
    """One model of the ``machines`` document at the report's inputs."""

    model: str
    efficiency_j_per_th: float
    profit_usd_per_day: float
    profitable: bool
    breakeven_btc_price_usd: float
    breakeven_power_price_usd_per_kwh: float


@dataclass(frozen=True)
class StoryMachines:
    """Which models make money at the power price (electricity only).

    Attributes
    ----------
    power_price_usd_per_kwh : float
        [USD/kWh]
    btc_price_usd : float
        The price the document used. [USD]
    models, profitable_models : int
        Catalog models, and those with a positive profit. [models]
    named : tuple of StoryMachine
        The article's models (those in the catalog).
    s21_breakeven_lower_btc_price_usd, s21_breakeven_upper_btc_price_usd : float or None
        Lowest and highest breakeven of the article's S21-series models. [USD/BTC]
    """

    power_price_usd_per_kwh: float
    btc_price_usd: float
    models: int
    profitable_models: int
    named: tuple[StoryMachine, ...]
    s21_breakeven_lower_btc_price_usd: float | None
    s21_breakeven_upper_btc_price_usd: float | None


@dataclass(frozen=True)
class StoryContraction:
    """The contraction study on the signal days whose outcome is known at the moment.

    Attributes
    ----------
    lookback_days, horizon_days : int
        L and N. [days]
    first_date, last_date : str
        The signal days studied (the last one's outcome ends by the moment).
    signal_days, episodes, non_overlapping_windows : int
        Days with the signal, runs of them, and non-overlapping N-day windows.
    hit_rate_share, hit_rate_lower_share, hit_rate_upper_share : float or None
        Share of signal days followed by a positive N-day return, 95% bootstrap. [0..1]
    unconditional_hit_rate_share : float or None
        The same over all days. [0..1]
    mean_return_pct, mean_return_lower_pct, mean_return_upper_pct : float or None
        Mean N-day return after signal days, 95% bootstrap. [%]
    hit_rate_p_value : float or None
        Circular-shift p-value of the hit rate against all days (two-sided). [0..1]
    """

    lookback_days: int
    horizon_days: int
    first_date: str
    last_date: str
    signal_days: int
    episodes: int
    non_overlapping_windows: int
    hit_rate_share: float | None
    hit_rate_lower_share: float | None
    hit_rate_upper_share: float | None
    unconditional_hit_rate_share: float | None
    mean_return_pct: float | None
    mean_return_lower_pct: float | None
    mean_return_upper_pct: float | None
    hit_rate_p_value: float | None


@dataclass(frozen=True)
class StoryPool:
    """One pool's block share in the window with its exact 95% interval. [0..1]"""

    pool_name: str
    blocks: int
    block_share: float
    block_lower_share: float
    block_upper_share: float


@dataclass(frozen=True)
class StoryPools:
    """The largest pools of the ``pools`` window and the Nakamoto coefficient."""

    window_days: float
    blocks: int
    top: tuple[StoryPool, ...]
    nakamoto_coefficient: int | None


@dataclass(frozen=True)
class StoryCurtailSite:
    """One site's hourly power prices over the curtailment window. [USD/MWh]"""

    site: str
    mean_usd_per_mwh: float | None
    max_usd_per_mwh: float | None


@dataclass(frozen=True)
class StoryCurtail:
    """The ``curtail`` document of ``--fleet FILE`` over the days before the moment (the
    threshold rule: run when the hour's revenue beats its power cost).

    Attributes
    ----------
    fleet : str
        The fleet's name.
    from_iso, to_iso : str
        The window ``[from, to)``.
    sites : tuple of StoryCurtailSite
        Power prices per site. [USD/MWh]
    hours_off : float
        Group-hours switched off. [h]
    mwh_avoided : float
        [MWh]
    revenue_forgone_usd, power_cost_saved_usd, net_benefit_vs_always_on_usd : float
        [USD]
    always_on_power_cost_usd, always_on_revenue_usd : float
        Running every hour. [USD]
    most_curtailed_date, most_curtailed_group : str or None
        The day and group with the most hours off.
    most_curtailed_hours_off : float or None
        [h]
    """

    fleet: str
    rule: str
    from_iso: str
    to_iso: str
    sites: tuple[StoryCurtailSite, ...]
    hours_off: float
    mwh_avoided: float
    revenue_forgone_usd: float
    power_cost_saved_usd: float
    net_benefit_vs_always_on_usd: float
    always_on_power_cost_usd: float
    always_on_revenue_usd: float
    most_curtailed_date: str | None
    most_curtailed_group: str | None
    most_curtailed_hours_off: float | None


@dataclass(frozen=True)
class ArticleLine:
    """One figure of the February 2026 article beside ours (text, with units)."""

    figure: str
    article: str
    ours: str


@dataclass(frozen=True)
class StoryReport(Result):
    """``minerscope report --json``: the report's figures, narrative and charts.

    Attributes
    ----------
    as_of : AsOfInfo
        The moment (the ``hashrate`` document's).
    narrative : tuple of str
        The sentences of the report, written from these figures.
    article : tuple of ArticleLine
        The touchstone article's figures beside ours.
    charts : tuple of str
        The charts of the report (``minerscope plot --list``).
    notes : tuple of str
        A section that could not be given, and why.
    """

    DOCUMENT: ClassVar[str] = "report"

    as_of: AsOfInfo
    hashrate: StoryHashrate
    block_times: StoryBlockTimes | None
    difficulty: StoryDifficulty | None
    economics: StoryEconomics | None
    machines: StoryMachines | None
    contraction: StoryContraction | None
    pools: StoryPools | None
    curtail: StoryCurtail | None
    article: tuple[ArticleLine, ...]
    narrative: tuple[str, ...]
    charts: tuple[str, ...]
    notes: tuple[str, ...]


__all__ = [
    "ArticleLine",
    "StoryBlockTimes",
    "StoryContraction",
    "StoryCurtail",
    "StoryCurtailSite",
    "StoryDifficulty",
    "StoryEconomics",
    "StoryHashrate",
    "StoryMachine",
    "StoryMachines",
    "StoryPool",
    "StoryPools",
    "StoryReport",
]
