"""The API's query parameters: :class:`Param` (one CLI option as a query parameter) and the
parameters of the newer endpoints (pools, signals, studies, roi, scenario, curtail).

Names are the CLI's options with ``_`` (``--window-days`` is ``window_days``); the bounds of
the simulation and study parameters keep every answer well under the request time limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from fastapi import Query

from ..defaults import DEFAULT_POWER_PRICE_USD_PER_KWH
from ..params import (
    MAX_BTC_PER_BLOCK,
    MAX_BTC_PRICE_USD,
    MAX_LOOKBACK_DAYS,
    MAX_POWER_PRICE_USD_PER_KWH,
)


@dataclass(frozen=True)
class Param:
    """One query parameter: the API name, its Python type, default, bounds and help.

    ``help`` ends with the unit in brackets, as the CLI's option help does.
    """

    name: str
    annotation: Any
    default: Any
    help: str
    alias: str | None = None
    ge: float | None = None
    le: float | None = None
    max_length: int | None = None
    format: str | None = None

    def query(self) -> Any:
        """The FastAPI ``Query`` marker."""
        kw: dict[str, Any] = {"description": self.help}
        if self.alias:
            kw["alias"] = self.alias
        if self.ge is not None:
            kw["ge"] = self.ge
        if self.le is not None:
            kw["le"] = self.le
        if self.max_length is not None:
            kw["max_length"] = self.max_length
        if self.annotation in (float, float | None):
            kw["allow_inf_nan"] = False
        if self.format is not None:
            kw["json_schema_extra"] = {"format": self.format}
        return Query(self.default, **kw)


AT = Param(
    "at",
    str | None,
    None,
    "As of TIME: 2026-02-01T08:40:17Z, 2026-02-01 (end of that day, UTC) or height:N;"
    " default: now.",
    max_length=64,
    format="minerscope-time",
)
# --- the first endpoints' parameters --------------------------------------------------

SORTS = ("profit", "efficiency", "breakeven", "power-price", "hashrate", "release", "model")
FROM = Param(
    "from_date",
    str | None,
    None,
    "First day (YYYY-MM-DD).",
    alias="from",
    max_length=32,
    format="date",
)
TO = Param(
    "to_date", str | None, None, "Last day (YYYY-MM-DD).", alias="to", max_length=32, format="date"
)
BTC_PRICE = Param(
    "btc_price_usd",
    float | None,
    None,
    "BTC price [USD; default: as of TIME].",
    ge=0.0,
    le=MAX_BTC_PRICE_USD,
)
DIFFICULTY = Param(
    "difficulty",
    str | None,
    None,
    "Network difficulty, e.g. 141.67T or 1.4167e14 [default: as of TIME].",
    max_length=32,
)
FEES = Param(
    "fees_btc_per_block",
    float | None,
    None,
    "Mean fees per block [BTC; default: trailing 144-block mean as of TIME].",
    ge=0.0,
    le=MAX_BTC_PER_BLOCK,
)
MACHINE_PARAMS: tuple[Param, ...] = (
    AT,
    Param(
        "power_price_usd_per_kwh",
        float,
        DEFAULT_POWER_PRICE_USD_PER_KWH,
        "Electricity price. [USD/kWh]",
        ge=0.0,
        le=MAX_POWER_PRICE_USD_PER_KWH,
    ),
    BTC_PRICE,
    DIFFICULTY,
    FEES,
    Param(
        "subsidy_btc",
        float | None,
        None,
        "Subsidy per block [BTC; default: as of TIME].",
        ge=0.0,
        le=MAX_BTC_PER_BLOCK,
    ),
    Param("pool_fee_pct", float, 0.0, "Pool fee. [%]", ge=0.0, le=99.99),
    Param(
        "pue",
        float | None,
        None,
        "Power usage effectiveness [default 1.0].",
        ge=1.0,
        le=3.0,
    ),
    Param(
        "overhead_pct",
        float | None,
        None,
        "Cooling and other power overhead on machine power (PUE = 1 + pct/100). [%]",
        ge=0.0,
        le=200.0,
    ),
    Param(
        "model",
        list[str] | None,
        None,
        "Keep models whose name contains TEXT; repeatable.",
        max_length=100,
    ),
    Param(
        "sort",
        Literal[SORTS],
        "profit",
        "Row order.",
    ),
)
GRID_PARAMS = (
    Param(
        "grid",
        list[str],
        ...,
        "A sensitivity axis KEY=START:STOP:STEP (btc_price_usd, power_price_usd_per_kwh,"
        " difficulty, difficulty_change_pct, fees_btc_per_block); repeat for a second axis.",
        max_length=100,
    ),
)


# --- the newer commands' parameters (the CLI's options; bounds keep each answer fast) -----

MAX_PATHS_API = 10_000  # simulated paths per request (the CLI's roi default)
MAX_HORIZON_DAYS_API = 1_096  # three years of simulated days per request [days]
MAX_RESAMPLES_API = 5_000  # bootstrap resamples per study request
MAX_POOL_WINDOW_DAYS = MAX_LOOKBACK_DAYS  # four years of blocks [days]
MAX_SEED = 2**32 - 1
HORIZON_NOTE = "at most 1,096 over the API"


def float_param(name: str, default: Any, help: str, **kw: Any) -> Param:
    return Param(name, float | None if default is None else float, default, help, **kw)


def int_param(name: str, default: Any, help: str, **kw: Any) -> Param:
    return Param(name, int | None if default is None else int, default, help, **kw)


def bool_param(name: str, default: bool, help: str) -> Param:
    return Param(name, bool, default, help)


def str_param(name: str, default: str | None, help: str, **kw: Any) -> Param:
    return Param(name, str | None if default is None else str, default, help, max_length=64, **kw)


POOL_PARAMS = (
    AT,
    float_param(
        "window_days", 7.0, "Window: the last D days. [days]", ge=0.01, le=MAX_POOL_WINDOW_DAYS
    ),
    float_param(
        "trailing_days",
        None,
        "Luck: the trailing D days before the window [days; default: max(30, window)].",
        ge=0.01,
        le=MAX_POOL_WINDOW_DAYS,
    ),
)
STUDY_HORIZON = int_param(
    "horizon_days", 180, "Forward-return horizon N. [days]", ge=1, le=MAX_LOOKBACK_DAYS
)
STUDY_COMMON = (
    STUDY_HORIZON,
    int_param("resamples", 2000, "Stationary-bootstrap resamples.", ge=100, le=MAX_RESAMPLES_API),
    int_param("seed", None, "Seed of the bootstrap.", ge=0, le=MAX_SEED),
)
SIGNAL_FROM = Param(
    "from_date",
    str | None,
    None,
    "First signal day (YYYY-MM-DD).",
    alias="from",
    max_length=32,
    format="date",
)
SIGNAL_TO = Param(
    "to_date",
    str | None,
    None,
    "Last signal day (YYYY-MM-DD).",
    alias="to",
    max_length=32,
    format="date",
)
PRICE_GIVEN = float_param(
    "btc_price_usd",
    None,
    "Starting price [USD; default: as of TIME].",
    ge=0.0,
    le=MAX_BTC_PRICE_USD,
)
FEES_GIVEN = float_param(
    "fees_btc_per_block",
    None,
    "Fees per block [BTC; default: as of TIME].",
    ge=0.0,
    le=MAX_BTC_PER_BLOCK,
)
POWER_GIVEN = float_param(
    "power_price_usd_per_kwh",
    None,
    "Power price for every site [USD/kWh].",
    ge=0.0,
    le=MAX_POWER_PRICE_USD_PER_KWH,
)
ROI_PATHS = (
    int_param(
        "horizon_days",
        730,
        f"Days simulated [days; {HORIZON_NOTE}].",
        ge=1,
        le=MAX_HORIZON_DAYS_API,
    ),
    int_param("paths", 10_000, "Simulated paths.", ge=1, le=MAX_PATHS_API),
    int_param("seed", 1, "Random seed (same seed, same paths).", ge=0, le=MAX_SEED),
    float_param(
        "discount_rate_pct", 10.0, "Annual discount rate for NPV. [%]", ge=-98.99, le=1000.0
    ),
    float_param(
        "resale_pct", None, "Resale at the horizon [% of the unit price].", ge=0.0, le=100.0
    ),
    bool_param("always_on", False, "Never switch machines off (default: off on losing days)."),
    str_param("difficulty_method", "bootstrap", "Later epochs: fixed, bootstrap or fitted."),
    float_param(
        "difficulty_growth_pct_per_epoch", None, "fixed: growth per epoch. [%]", ge=-75.0, le=300.0
    ),
    float_param(
        "difficulty_growth_pct_per_30d", None, "fixed: growth per 30 days. [%]", ge=-99.0, le=1000.0
    ),
    str_param("price_method", "bootstrap", "BTC price: fixed, growth, bootstrap or gbm."),
    float_param("price_growth_pct_per_year", 0.0, "growth: per year. [%]", ge=-99.0, le=1000.0),
    float_param("price_drift_pct_per_year", 0.0, "gbm: drift per year. [%]", ge=-99.0, le=1000.0),
    float_param(
        "price_volatility_pct", 60.0, "gbm: volatility per sqrt(year). [%]", ge=0.0, le=500.0
    ),
    str_param("fees_method", "bootstrap", "Fees per block: fixed or bootstrap."),
    PRICE_GIVEN,
    FEES_GIVEN,
    POWER_GIVEN,
    int_param("era_epochs", 104, "Bootstrap era: the last N epochs. [epochs]", ge=8, le=1_000),
    Param(
        "era_from",
        str | None,
        None,
        "Bootstrap era start (YYYY-MM-DD).",
        max_length=32,
        format="date",
    ),
    Param(
        "era_to", str | None, None, "Bootstrap era end (YYYY-MM-DD).", max_length=32, format="date"
    ),
    float_param("mean_block_days", 30.0, "Bootstrap mean block length. [days]", ge=1.0, le=365.0),
)
ROI_BUY = (
    str_param("model", None, "Buy machines of this catalog model."),
    int_param("count", 0, "How many (with model).", ge=0, le=10_000_000),
    float_param("unit_price_usd", 0.0, "Price per machine. [USD]", ge=0.0, le=1e7),
    float_param("pue", 1.0, "PUE (with model).", ge=1.0, le=3.0),
    float_param("pool_fee_pct", 0.0, "Pool fee (with model). [%]", ge=0.0, le=99.99),
)
SCENARIO_PARAMS = (
    AT,
    float_param(
        "hashrate_leaves_pct", None, "Share of hash rate leaving for good. [%]", ge=0.0, le=99.0
    ),
    float_param(
        "outage_pct", None, "Share of hash rate off from `from` to `to`. [%]", ge=0.0, le=99.0
    ),
    Param(
        "from_time",
        str | None,
        None,
        "When the what-if starts (TIME).",
        alias="from",
        max_length=64,
        format="minerscope-time",
    ),
    Param(
        "to_time",
        str | None,
        None,
        "When an outage ends (TIME).",
        alias="to",
        max_length=64,
        format="minerscope-time",
    ),
    float_param(
        "over_days",
        0.0,
        "Hash rate leaves linearly over D days. [days]",
        ge=0.0,
        le=MAX_HORIZON_DAYS_API,
    ),
    float_param(
        "difficulty_change_pct", None, "Force the next retarget's change. [%]", ge=-75.0, le=300.0
    ),
    int_param(
        "horizon_days",
        120,
        f"Days simulated [days; {HORIZON_NOTE}].",
        ge=1,
        le=MAX_HORIZON_DAYS_API,
    ),
    int_param("paths", 2000, "Simulated paths.", ge=1, le=MAX_PATHS_API),
    int_param("seed", 1, "Random seed (same seed, same paths).", ge=0, le=MAX_SEED),
    PRICE_GIVEN,
    FEES_GIVEN,
    POWER_GIVEN,
)
CURTAIL_PARAMS = (
    Param(
        "from_time",
        str,
        ...,
        "Window start (TIME; a date is 00:00Z).",
        alias="from",
        max_length=64,
        format="minerscope-time",
    ),
    Param(
        "to_time",
        str,
        ...,
        "Window end (TIME; a date is the end of that day; at most 31 days after the start).",
        alias="to",
        max_length=64,
        format="minerscope-time",
    ),
    str_param("market", None, "rtm or dam, where the price file holds both."),
    str_param("fill_gaps", None, "Fill missing intervals: previous (carry forward) or linear."),
    str_param("node", None, "The node of the posted price CSV (e.g. HB_WEST)."),
    bool_param("threshold_only", False, "Skip the optimal schedule (MILP)."),
    float_param("min_up_hours", None, "Once started, run at least. [h]", ge=0.0, le=744.0),
    float_param("min_down_hours", None, "Once stopped, rest at least. [h]", ge=0.0, le=744.0),
    float_param("startup_cost_usd", None, "Cost of each group start. [USD]", ge=0.0, le=1e9),
    float_param(
        "ramp_mw_per_hour", None, "Largest change of a site's load. [MW/h]", ge=0.0, le=1e5
    ),
    float_param(
        "min_uptime_pct", None, "Least share of the window a group runs. [%]", ge=0.0, le=100.0
    ),
    float_param(
        "dr_credit_usd_per_mwh",
        None,
        "Demand-response credit per curtailed MWh. [USD/MWh]",
        ge=0.0,
        le=1e5,
    ),
    str_param("cp_rule", None, "monthly-peak-price: each Jun-Sep month's priciest hour."),
    float_param(
        "transmission_usd_per_kw_year",
        None,
        "4CP charge per kW of peak-interval load. [USD/kW-year]",
        ge=0.0,
        le=1e5,
    ),
    float_param(
        "block_hours",
        168.0,
        "The MILP is solved in blocks of this many hours. [h]",
        ge=1.0,
        le=744.0,
    ),
    bool_param("whole_window", False, "Solve the MILP in one piece."),
)
CURTAIL_BODY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["fleet", "prices_csv"],
    "additionalProperties": False,
    "properties": {
        "fleet": {"type": "string", "description": "The fleet document (TOML)."},
        "prices_csv": {
            "type": "string",
            "description": "Hourly prices for every site (the"
            " CLI's --prices file: time_utc and price_usd_per_mwh, or ERCOT's).",
        },
    },
}


__all__ = [
    "AT",
    "BTC_PRICE",
    "DIFFICULTY",
    "FEES",
    "FROM",
    "GRID_PARAMS",
    "MACHINE_PARAMS",
    "SORTS",
    "TO",
    "CURTAIL_BODY_SCHEMA",
    "CURTAIL_PARAMS",
    "MAX_HORIZON_DAYS_API",
    "MAX_PATHS_API",
    "MAX_POOL_WINDOW_DAYS",
    "MAX_RESAMPLES_API",
    "POOL_PARAMS",
    "ROI_BUY",
    "ROI_PATHS",
    "SCENARIO_PARAMS",
    "SIGNAL_FROM",
    "SIGNAL_TO",
    "STUDY_COMMON",
    "STUDY_HORIZON",
    "Param",
    "bool_param",
    "float_param",
    "int_param",
    "str_param",
]
