"""Read and validate a fleet file (TOML) and its hourly power-price CSVs.

This is input handling: it turns a user's file into checked values, and every problem is an
:class:`~minerscope.errors.InputError` naming the file, the key and what is wrong. The
arithmetic is in :mod:`minerscope.economics.fleet`. The format is documented in
``docs/fleet-format.md``; ``examples/fleet.toml`` is a complete example.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from .economics.fleet import GroupArrays
from .errors import InputError
from .power_prices import (
    HourlyPrices,
    HourPrice,
    hourly_price_at,
    hourly_price_info,
    read_hourly_prices,
    read_interval_times,
)
from .records import Machine
from .sources.files import read_text_file
from .units import SECONDS_PER_HOUR, W_PER_KW

_FLEET_KEYS = {
    "name": "a name for the fleet",
    "pool_fee_pct": "pool fee in percent of revenue (0..100)",
    "fixed_opex_usd_per_day": "fixed costs per day in USD",
    "capex_usd": "capex not tied to a machine group, in USD",
    "depreciation_months": "default straight-line write-off period in months",
}
_SITE_KEYS = {
    "power_price_usd_per_kwh": "a fixed power price in USD per kWh",
    "power_price_usd_per_mwh": "a fixed power price in USD per MWh",
    "power_price_csv": "an hourly price CSV (path relative to the fleet file)",
    "power_price_column": "the CSV price column (name ends in _usd_per_mwh or _usd_per_kwh)",
    "power_price_node": "keep only CSV rows whose 'node' column equals this",
    "pue": "power usage effectiveness, 1.0..3.0",
    "hosting_fee_usd_per_kwh": "hosting fee per kWh of site energy",
    "power_price_market": "keep only CSV rows of this market (rtm, dam) when it holds both",
    "power_price_max_age_hours": "how long after its hour a price may still be used (default 0)",
    "ramp_mw_per_hour": "largest change of the site's load in MW per hour (curtail)",
    "demand_response_usd_per_mwh": "credit per MWh curtailed (curtail)",
    "transmission_usd_per_kw_year": "4CP charge per kW of load in the summer peak intervals",
    "cp_intervals_csv": "CSV of 4CP interval start times (time_utc), relative to the fleet file",
}
_GROUP_KEYS = {
    "name": "a unique name for the group",
    "site": "the site the group runs at",
    "model": "a catalog model (see `minerscope machines`)",
    "count": "number of machines",
    "hashrate_ths": "hash rate per machine in TH/s (custom or tuned)",
    "power_w": "wall power per machine in W (custom or tuned)",
    "efficiency_j_per_th": "tuned efficiency in J/TH (power = hash rate * efficiency)",
    "uptime_pct": "percent of the day the machines hash (0..100)",
    "capex_usd_per_machine": "purchase price per machine in USD",
    "depreciation_months": "straight-line write-off period in months",
    "resale_usd_per_machine": "resale value per machine at the end of a roi horizon in USD",
    "min_up_hours": "once started, run at least this many hours (curtail, optimal schedule)",
    "min_down_hours": "once stopped, stay off at least this many hours (curtail)",
    "startup_cost_usd": "cost of each start of the whole group in USD (curtail)",
    "min_uptime_pct": "run at least this share of the hours of a curtail window (0..100)",
}
MAX_POWER_PRICE_USD_PER_KWH = 2.0
DEFAULT_DEPRECIATION_MONTHS = 36.0


@dataclass(frozen=True)
class Site:
    """Where machines run: the electricity terms."""

    name: str
    pue: float
    hosting_fee_usd_per_kwh: float
    power_price_usd_per_kwh: float | None  # fixed price, or None with an hourly series
    hourly: HourlyPrices | None
    ramp_mw_per_hour: float | None = None  # None: no ramp limit [MW/h]
    demand_response_usd_per_mwh: float = 0.0  # credit per curtailed MWh [USD/MWh]
    transmission_usd_per_kw_year: float = 0.0  # 4CP charge [USD/kW-year]
    cp_interval_start_s: tuple[int, ...] = ()  # 4CP intervals from cp_intervals_csv [Unix s]


@dataclass(frozen=True)
class Group:
    """A group of identical machines at one site."""

    name: str
    site: str
    model: str | None
    count: int
    hashrate_ths: float
    power_w: float
    uptime_share: float
    capex_usd_per_machine: float
    depreciation_months: float
    resale_usd_per_machine: float = 0.0
    min_up_hours: float = 0.0
    min_down_hours: float = 0.0
    startup_cost_usd: float = 0.0
    min_uptime_share: float = 0.0


class SitePrice(NamedTuple):
    """A site's power price at a moment (indexable like the old ``(price, start)`` pair)."""

    price_usd_per_kwh: float
    hour_start_s: int | None  # None for a fixed price [Unix s]
    age_s: int = 0  # how long ago the hour ended (0 inside it) [s]


@dataclass(frozen=True)
class FleetSpec:
    """A validated fleet file."""

    path: str
    name: str
    pool_fee_share: float
    fixed_opex_usd_per_day: float
    capex_usd: float
    depreciation_months: float
    sites: dict[str, Site]
    groups: list[Group]


def _check_keys(
    table: Mapping[str, Any], allowed: Mapping[str, str], where: str, path: str
) -> None:
    for key in table:
        if key not in allowed:
            raise InputError(
                f"unknown key; allowed keys: {', '.join(allowed)}",
                path=path,
                field=f"{where}.{key}" if where else key,
            )


def _num(
    table: Mapping[str, Any],
    key: str,
    where: str,
    path: str,
    *,
    default: float | None = None,
    lo: float | None = None,
    hi: float | None = None,
    lo_open: bool = False,
    hint_hi: str = "",
) -> float:
    field = f"{where}.{key}" if where else key
    if key not in table:
        if default is None:
            raise InputError("is required", path=path, field=field)
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"must be a number, got {value!r}", path=path, field=field)
    v = float(value)
    if not np.isfinite(v):
        raise InputError(f"must be finite, got {value!r}", path=path, field=field)
    if lo is not None and (v < lo or (lo_open and v == lo)):
        op = ">" if lo_open else ">="
        raise InputError(f"must be {op} {lo:g}, got {value!r}", path=path, field=field)
    if hi is not None and v > hi:
        raise InputError(f"must be <= {hi:g}, got {value!r}{hint_hi}", path=path, field=field)
    return v


def _str(table: Mapping[str, Any], key: str, where: str, path: str) -> str | None:
    if key not in table:
        return None
    value = table[key]
    if not isinstance(value, str) or not value.strip():
        raise InputError(
            f"must be a non-empty string, got {value!r}", path=path, field=f"{where}.{key}"
        )
    return value.strip()


def _parse_site(name: str, table: Any, path: str, base: Path, market: str | None = None) -> Site:
    where = f"sites.{name}"
    if not isinstance(table, dict):
        raise InputError("must be a table ([sites.NAME])", path=path, field=where)
    _check_keys(table, _SITE_KEYS, where, path)
    given = [
        k
        for k in ("power_price_usd_per_kwh", "power_price_usd_per_mwh", "power_price_csv")
        if k in table
    ]
    if len(given) != 1:
        raise InputError(
            "give exactly one of power_price_usd_per_kwh, power_price_usd_per_mwh, power_price_csv"
            + (f" (got {', '.join(given)})" if given else ""),
            path=path,
            field=where,
        )
    pue = _num(table, "pue", where, path, default=1.0, lo=1.0, hi=3.0)
    hosting = _num(
        table,
        "hosting_fee_usd_per_kwh",
        where,
        path,
        default=0.0,
        lo=0.0,
        hi=MAX_POWER_PRICE_USD_PER_KWH,
    )
    price: float | None = None
    hourly: HourlyPrices | None = None
    if given[0] == "power_price_usd_per_kwh":
        price = _num(
            table,
            "power_price_usd_per_kwh",
            where,
            path,
            lo=0.0,
            hi=MAX_POWER_PRICE_USD_PER_KWH,
            hint_hi=" (USD per kWh; for a price per MWh use power_price_usd_per_mwh)",
        )
    elif given[0] == "power_price_usd_per_mwh":
        price = (
            _num(
                table,
                "power_price_usd_per_mwh",
                where,
                path,
                lo=0.0,
                hi=MAX_POWER_PRICE_USD_PER_KWH * W_PER_KW,
            )
            / W_PER_KW
        )
    else:
        csv_name = _str(table, "power_price_csv", where, path)
        assert csv_name is not None
        csv_path = base / Path(csv_name).expanduser()
        if not csv_path.is_file():
            raise InputError(
                f"file not found: {csv_path}", path=path, field=f"{where}.power_price_csv"
            )
        column = _str(table, "power_price_column", where, path) or "price_usd_per_mwh"
        max_age_h = _num(
            table, "power_price_max_age_hours", where, path, default=0.0, lo=0.0, hi=24.0 * 366
        )
        hourly = read_hourly_prices(
            csv_path,
            column=column,
            node=_str(table, "power_price_node", where, path),
            label=f"{path} [{where}]",
            market=_str(table, "power_price_market", where, path) or market,
            max_age_s=int(round(max_age_h * SECONDS_PER_HOUR)),
        )
    if given[0] != "power_price_csv":
        for k in (
            "power_price_column",
            "power_price_node",
            "power_price_market",
            "power_price_max_age_hours",
        ):
            if k in table:
                raise InputError(
                    "only applies with power_price_csv", path=path, field=f"{where}.{k}"
                )
    ramp = (
        _num(table, "ramp_mw_per_hour", where, path, lo=0.0, lo_open=True)
        if "ramp_mw_per_hour" in table
        else None
    )
    cp: tuple[int, ...] = ()
    if "cp_intervals_csv" in table:
        cp_name = _str(table, "cp_intervals_csv", where, path)
        assert cp_name is not None
        cp_path = base / Path(cp_name).expanduser()
        if not cp_path.is_file():
            raise InputError(
                f"file not found: {cp_path}", path=path, field=f"{where}.cp_intervals_csv"
            )
        cp = tuple(int(t) for t in read_interval_times(cp_path))
    return Site(
        name,
        pue,
        hosting,
        price,
        hourly,
        ramp_mw_per_hour=ramp,
        demand_response_usd_per_mwh=_num(
            table, "demand_response_usd_per_mwh", where, path, default=0.0, lo=0.0, hi=1e5
        ),
        transmission_usd_per_kw_year=_num(
            table, "transmission_usd_per_kw_year", where, path, default=0.0, lo=0.0, hi=1e4
        ),
        cp_interval_start_s=cp,
    )


def _parse_group(
    i: int,
    table: Any,
    path: str,
    sites: Mapping[str, Site],
    catalog: Mapping[str, Machine],
    default_dep: float,
) -> Group:
    where = f"groups[{i}]"
    if not isinstance(table, dict):
        raise InputError("must be a table ([[groups]])", path=path, field=where)
    name = _str(table, "name", where, path) or f"group-{i + 1}"
    where = f"groups[{i}] ({name})"
    _check_keys(table, _GROUP_KEYS, where, path)
    site = _str(table, "site", where, path)
    if site is None:
        if len(sites) != 1:
            raise InputError(
                f"is required (sites: {', '.join(sites)})", path=path, field=f"{where}.site"
            )
        site = next(iter(sites))
    elif site not in sites:
        raise InputError(
            f"unknown site {site!r} (sites: {', '.join(sites)})", path=path, field=f"{where}.site"
        )
    model = _str(table, "model", where, path)
    count_raw = table.get("count")
    if isinstance(count_raw, bool) or not isinstance(count_raw, int) or count_raw < 0:
        raise InputError(
            f"must be a whole number >= 0, got {count_raw!r}", path=path, field=f"{where}.count"
        )
    hashrate: float | None = None
    power: float | None = None
    if model is not None:
        machine = catalog.get(model.casefold())
        if machine is None:
            raise InputError(
                f"model {model!r} is not in the catalog (list: minerscope machines; add your own"
                " with --catalog FILE or hashrate_ths and power_w)",
                path=path,
                field=f"{where}.model",
            )
        model = machine.model
        hashrate, power = machine.hashrate_ths, machine.power_w
    if "hashrate_ths" in table:
        hashrate = _num(table, "hashrate_ths", where, path, lo=0.0, lo_open=True, hi=1e6)
    if "power_w" in table and "efficiency_j_per_th" in table:
        raise InputError(
            "give power_w or efficiency_j_per_th, not both", path=path, field=f"{where}.power_w"
        )
    if "power_w" in table:
        power = _num(table, "power_w", where, path, lo=0.0, lo_open=True, hi=1e6)
    if hashrate is None:
        raise InputError("needs model or hashrate_ths", path=path, field=f"{where}.hashrate_ths")
    if "efficiency_j_per_th" in table:
        eff = _num(
            table,
            "efficiency_j_per_th",
            where,
            path,
            lo=1.0,
            hi=500.0,
            hint_hi=" (J/TH; W/GH would be 1000 times smaller)",
        )
        power = hashrate * eff
    if power is None:
        raise InputError(
            "needs model, power_w or efficiency_j_per_th", path=path, field=f"{where}.power_w"
        )
    eff_now = power / hashrate
    if not 1.0 <= eff_now <= 500.0:
        raise InputError(
            f"power / hash rate = {eff_now:.3g} J/TH is outside 1..500: check units (W and TH/s)",
            path=path,
            field=f"{where}.power_w",
        )
    return Group(
        name=name,
        site=site,
        model=model,
        count=int(count_raw),
        hashrate_ths=hashrate,
        power_w=power,
        uptime_share=_num(
            table,
            "uptime_pct",
            where,
            path,
            default=100.0,
            lo=0.0,
            hi=100.0,
            hint_hi=" (a percentage)",
        )
        / 100.0,
        capex_usd_per_machine=_num(
            table, "capex_usd_per_machine", where, path, default=0.0, lo=0.0
        ),
        depreciation_months=_num(
            table,
            "depreciation_months",
            where,
            path,
            default=default_dep,
            lo=0.0,
            lo_open=True,
            hi=600.0,
        ),
        resale_usd_per_machine=_num(
            table, "resale_usd_per_machine", where, path, default=0.0, lo=0.0
        ),
        min_up_hours=_num(table, "min_up_hours", where, path, default=0.0, lo=0.0, hi=8784.0),
        min_down_hours=_num(table, "min_down_hours", where, path, default=0.0, lo=0.0, hi=8784.0),
        startup_cost_usd=_num(table, "startup_cost_usd", where, path, default=0.0, lo=0.0),
        min_uptime_share=_num(
            table,
            "min_uptime_pct",
            where,
            path,
            default=0.0,
            lo=0.0,
            hi=100.0,
            hint_hi=" (a percentage)",
        )
        / 100.0,
    )


def parse_fleet(
    text: str,
    *,
    path: str,
    base_dir: Path,
    catalog: Sequence[Machine],
    market: str | None = None,
) -> FleetSpec:
    """Validate fleet TOML text.

    Parameters
    ----------
    text : str
        The TOML document.
    path : str
        Its file name, for errors.
    base_dir : Path
        Directory relative paths (hourly CSVs) are resolved against.
    catalog : sequence of Machine
        Models a group may name.
    market : str, optional
        Market kept from hourly files that hold several, for sites that name none
        (``power_price_market``): ``rtm``, ``dam`` or the file's own value.

    Raises
    ------
    InputError
        For a TOML syntax error, an unknown key, a wrong type, unit or range, naming the key.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", path=path) from exc
    _check_keys(data, {"fleet": "", "sites": "", "groups": ""}, "", path)
    fleet = data.get("fleet", {})
    if not isinstance(fleet, dict):
        raise InputError("must be a table ([fleet])", path=path, field="fleet")
    _check_keys(fleet, _FLEET_KEYS, "fleet", path)
    name = _str(fleet, "name", "fleet", path) or Path(path).stem
    pool = (
        _num(
            fleet,
            "pool_fee_pct",
            "fleet",
            path,
            default=0.0,
            lo=0.0,
            hi=100.0,
            hint_hi=" (a percentage)",
        )
        / 100.0
    )
    dep = _num(
        fleet,
        "depreciation_months",
        "fleet",
        path,
        default=DEFAULT_DEPRECIATION_MONTHS,
        lo=0.0,
        lo_open=True,
        hi=600.0,
    )
    sites_raw = data.get("sites")
    if not isinstance(sites_raw, dict) or not sites_raw:
        raise InputError("at least one [sites.NAME] table is required", path=path, field="sites")
    sites = {n: _parse_site(n, t, path, base_dir, market) for n, t in sites_raw.items()}
    groups_raw = data.get("groups")
    if not isinstance(groups_raw, list) or not groups_raw:
        raise InputError("at least one [[groups]] table is required", path=path, field="groups")
    by_model = {m.model.casefold(): m for m in catalog}
    groups = [_parse_group(i, g, path, sites, by_model, dep) for i, g in enumerate(groups_raw)]
    seen: set[str] = set()
    for i, g in enumerate(groups):
        if g.name in seen:
            raise InputError(
                f"duplicate group name {g.name!r}", path=path, field=f"groups[{i}].name"
            )
        seen.add(g.name)
    return FleetSpec(
        path=path,
        name=name,
        pool_fee_share=pool,
        fixed_opex_usd_per_day=_num(
            fleet, "fixed_opex_usd_per_day", "fleet", path, default=0.0, lo=0.0
        ),
        capex_usd=_num(fleet, "capex_usd", "fleet", path, default=0.0, lo=0.0),
        depreciation_months=dep,
        sites=sites,
        groups=groups,
    )


def read_fleet(
    path: str | Path, *, catalog: Sequence[Machine], market: str | None = None
) -> FleetSpec:
    """Read and validate a fleet TOML file (see :func:`parse_fleet`)."""
    p = Path(path).expanduser()
    text = read_text_file(p)  # a regular UTF-8 file only: a FIFO or device is refused
    return parse_fleet(text, path=str(path), base_dir=p.parent, catalog=catalog, market=market)


def site_prices(spec: FleetSpec, time_s: int) -> dict[str, SitePrice]:
    """Each site's power price at ``time_s``: (USD/kWh, hourly interval start or None, age).

    An hourly site's price is that of the interval holding ``time_s``; inside a gap of the
    file or after its end the latest price is used only if it ended at most the site's
    ``power_price_max_age_hours`` earlier, and its age is returned (else NoDataError).
    """
    out: dict[str, SitePrice] = {}
    for name, site in spec.sites.items():
        if site.hourly is not None:
            info = hourly_price_info(site.hourly, time_s)
            out[name] = SitePrice(info.price_usd_per_kwh, info.start_time_s, info.age_s)
        else:
            assert site.power_price_usd_per_kwh is not None
            out[name] = SitePrice(site.power_price_usd_per_kwh, None, 0)
    return out


def group_arrays(spec: FleetSpec, prices_usd_per_kwh: Mapping[str, float]) -> GroupArrays:
    """The fleet's groups as arrays, with each group's site price, PUE and hosting fee."""
    gs = spec.groups

    def col(values: list[float]) -> npt.NDArray[np.float64]:
        return np.asarray(values, dtype=np.float64)

    return GroupArrays(
        hashrate_ths=col([g.hashrate_ths for g in gs]),
        power_w=col([g.power_w for g in gs]),
        count=col([float(g.count) for g in gs]),
        uptime_share=col([g.uptime_share for g in gs]),
        power_price_usd_per_kwh=col([prices_usd_per_kwh[g.site] for g in gs]),
        pue=col([spec.sites[g.site].pue for g in gs]),
        hosting_fee_usd_per_kwh=col([spec.sites[g.site].hosting_fee_usd_per_kwh for g in gs]),
        capex_usd_per_machine=col([g.capex_usd_per_machine for g in gs]),
        depreciation_months=col([g.depreciation_months for g in gs]),
    )


__all__ = [
    "FleetSpec",
    "Group",
    "HourPrice",
    "HourlyPrices",
    "Site",
    "SitePrice",
    "group_arrays",
    "hourly_price_at",
    "hourly_price_info",
    "parse_fleet",
    "read_fleet",
    "read_hourly_prices",
    "site_prices",
]
