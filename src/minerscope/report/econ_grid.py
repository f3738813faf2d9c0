"""Sensitivity grids for ``machines --grid`` and ``fleet --grid``: the inputs as of a moment,
one or two varied (:mod:`minerscope.simulation.grid`), a typed document for a heat map."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..errors import InputError
from ..fleet_config import group_arrays, read_fleet, site_prices
from ..results import AsOfInfo, Result
from ..simulation.grid import GRID_KEYS, MACHINE_METRICS, GridInputs, fleet_grid, machines_grid
from .econ_inputs import load_machine_catalog
from .econ_machines import resolve_inputs
from .econ_results import MachineInputs, NetworkInputs
from .grid import parse_grid

METRIC_ALIASES = {
    "profit": "profit_usd_per_day",
    "breakeven-btc-price": "breakeven_btc_price_usd",
    "breakeven-power-price": "breakeven_power_price_usd_per_kwh",
}


@dataclass(frozen=True)
class GridAxis:
    """A varied input and its values (in the unit its name carries)."""

    key: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class GridSeries:
    """One machine's (or group's, or the fleet's) metric over the grid: nested lists, the
    first axis outermost."""

    name: str
    values: list[Any]


@dataclass(frozen=True)
class SitePowerPrice:
    """A fleet site's power price at the moment. [USD/kWh]"""

    name: str
    power_price_usd_per_kwh: float


@dataclass(frozen=True)
class FleetGridInputs(NetworkInputs):
    """The network inputs of ``fleet --grid`` and each site's power price."""

    site_power_prices: tuple[SitePowerPrice, ...]


@dataclass(frozen=True)
class GridDocument(Result):
    """A metric over one or two varied inputs, for a table or a heat map.

    ``inputs`` are the inputs at the moment (the grid varies one or two of them):
    :class:`~minerscope.report.econ_results.MachineInputs` for ``machines --grid``,
    :class:`FleetGridInputs` for ``fleet --grid``.
    """

    DOCUMENT: ClassVar[str] = "grid"

    as_of: AsOfInfo
    view: str
    metric: str
    inputs: MachineInputs | FleetGridInputs
    axes: tuple[GridAxis, ...]
    series: tuple[GridSeries, ...]
    totals: tuple[GridSeries, ...] = ()


def _axes(texts: Sequence[str]) -> list[tuple[str, tuple[float, ...]]]:
    axes = parse_grid(texts, GRID_KEYS)
    if not 1 <= len(axes) <= 2:
        raise InputError("give one or two --grid axes", field="--grid")
    return [(a.key, a.values) for a in axes]


def machines_grid_view(
    db: Path | None,
    at: str | None,
    grid: Sequence[str],
    *,
    now_s: int,
    metric: str = "profit",
    difficulty: float | None = None,
    subsidy_btc_per_block: float | None = None,
    fees_btc_per_block: float | None = None,
    btc_price_usd: float | None = None,
    power_price_usd_per_kwh: float,
    pool_fee_share: float = 0.0,
    pue: float = 1.0,
    catalog_paths: Sequence[str | Path] = (),
    models: Sequence[str] = (),
) -> GridDocument:
    """``minerscope machines --grid``: profit (or a breakeven) of each model over the grid."""
    axes = _axes(grid)
    m = METRIC_ALIASES.get(metric, metric)
    if m not in MACHINE_METRICS:
        raise InputError(
            f"unknown metric {metric!r}; one of {', '.join(METRIC_ALIASES)}", field="--grid-metric"
        )
    inputs, as_of = resolve_inputs(
        db, at, now_s=now_s, difficulty=difficulty, subsidy_btc_per_block=subsidy_btc_per_block,
        fees_btc_per_block=fees_btc_per_block, btc_price_usd=btc_price_usd,
    )  # fmt: skip
    chosen = list(load_machine_catalog(catalog_paths))
    if models:
        keys = [k.casefold() for k in models]
        chosen = [c for c in chosen if any(k in c.model.casefold() for k in keys)]
        if not chosen:
            raise InputError(f"no catalog model matches {', '.join(models)}", field="--model")
    base = GridInputs(
        difficulty=inputs.difficulty,
        subsidy_btc_per_block=inputs.subsidy_btc_per_block,
        fees_btc_per_block=inputs.fees_btc_per_block,
        btc_price_usd=inputs.btc_price_usd,
        power_price_usd_per_kwh=power_price_usd_per_kwh,
        pool_fee_share=pool_fee_share,
        pue=pue,
    )
    values = machines_grid(
        np.array([c.hashrate_ths for c in chosen]),
        np.array([c.power_w for c in chosen]),
        base,
        axes,
        m,
    )
    return GridDocument(
        as_of=as_of,
        view="machines",
        metric=m,
        inputs=MachineInputs(
            **inputs.result_fields(),
            power_price_usd_per_kwh=power_price_usd_per_kwh,
            pool_fee_share=pool_fee_share,
            pue=pue,
            hashes_per_block_formula="difficulty * 2**48 / 65535 (exact block work)",
        ),
        axes=tuple(GridAxis(k, v) for k, v in axes),
        series=tuple(GridSeries(c.model, values[i].tolist()) for i, c in enumerate(chosen)),
    )


def fleet_grid_view(
    db: Path | None,
    at: str | None,
    fleet_path: Path,
    grid: Sequence[str],
    *,
    now_s: int,
    difficulty: float | None = None,
    fees_btc_per_block: float | None = None,
    btc_price_usd: float | None = None,
    catalog_paths: Sequence[str | Path] = (),
) -> GridDocument:
    """``minerscope fleet --grid``: the fleet's cash and all-in profit over the grid."""
    axes = _axes(grid)
    spec = read_fleet(fleet_path, catalog=load_machine_catalog(catalog_paths))
    inputs, as_of = resolve_inputs(
        db, at, now_s=now_s, difficulty=difficulty, fees_btc_per_block=fees_btc_per_block,
        btc_price_usd=btc_price_usd,
    )  # fmt: skip
    prices = site_prices(spec, as_of.time_s)
    groups = group_arrays(spec, {k: v[0] for k, v in prices.items()})
    base = GridInputs(
        difficulty=inputs.difficulty,
        subsidy_btc_per_block=inputs.subsidy_btc_per_block,
        fees_btc_per_block=inputs.fees_btc_per_block,
        btc_price_usd=inputs.btc_price_usd,
        power_price_usd_per_kwh=None,
        pool_fee_share=spec.pool_fee_share,
    )
    res = fleet_grid(
        groups, base, axes, fixed_opex_usd_per_day=spec.fixed_opex_usd_per_day,
        fleet_capex_usd=spec.capex_usd, fleet_depreciation_months=spec.depreciation_months,
    )  # fmt: skip
    return GridDocument(
        as_of=as_of,
        view="fleet",
        metric="cash_profit_usd_per_day",
        inputs=FleetGridInputs(
            **inputs.result_fields(),
            site_power_prices=tuple(SitePowerPrice(k, v[0]) for k, v in prices.items()),
        ),
        axes=tuple(GridAxis(k, v) for k, v in axes),
        series=tuple(
            GridSeries(g.name, res.group_cash_profit_usd_per_day[i].tolist())
            for i, g in enumerate(spec.groups)
        ),
        totals=(
            GridSeries("cash_profit_usd_per_day", res.cash_profit_usd_per_day.tolist()),
            GridSeries("all_in_profit_usd_per_day", res.all_in_profit_usd_per_day.tolist()),
        ),
    )


__all__ = ["GridDocument", "fleet_grid_view", "machines_grid_view"]
