"""Commands ``machines``, ``fleet`` and ``economics``: render the economics reports."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..defaults import DEFAULT_POWER_PRICE_USD_PER_KWH
from ..errors import InputError
from ..params import parse_difficulty, resolve_pue
from ..results import to_jsonable
from ._app import app
from ._output import (
    AtOption,
    DbOption,
    JsonOption,
    as_of_pairs,
    emit_json,
    message,
    now_s,
    render_pairs,
    render_table,
)

if TYPE_CHECKING:
    from ..report.econ_results import EconomicsStatus


CatalogOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--catalog",
        metavar="FILE",
        help="Extra machine catalog CSV (columns of the shipped file); repeatable.",
    ),
]
DifficultyOption = Annotated[
    str | None,
    typer.Option(
        "--difficulty",
        metavar="D",
        help="Network difficulty, e.g. 141.67T or 1.4167e14 [default: as of TIME].",
    ),
]
PriceOption = Annotated[
    float | None,
    typer.Option("--btc-price-usd", help="BTC price [USD; default: as of TIME]."),
]
GridOption = Annotated[
    list[str] | None,
    typer.Option(
        "--grid",
        metavar="KEY=START:STOP:STEP",
        help="Sensitivity grid over btc_price_usd, power_price_usd_per_kwh, difficulty,"
        " difficulty_change_pct or fees_btc_per_block; repeat for a second axis.",
    ),
]
FeesOption = Annotated[
    float | None,
    typer.Option(
        "--fees-btc-per-block",
        help="Mean fees per block [BTC; default: trailing 144-block mean as of TIME].",
    ),
]
ChangeOption = Annotated[
    float | None,
    typer.Option(
        "--difficulty-change-pct",
        metavar="PCT",
        help="Scale the difficulty (as of TIME, or --difficulty) by 1 + PCT/100, e.g. -14 [%].",
    ),
]
ForceOption = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Use given numbers even when far from the stored ones (a unit slip is refused"
        " otherwise).",
    ),
]


def _money(x: float | None, digits: int = 2) -> str:
    return "" if x is None else f"{x:,.{digits}f}"


MAX_TABLE_GROUPS = 50


def _names(names: list[str], limit: int = 20) -> str:
    if not names:
        return "none"
    more = f" and {len(names) - limit:,} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _write_csv(columns: list[str], rows: list[dict[str, Any]]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in columns])


def _usd(x: float | None, digits: int = 2) -> str:
    if x is None:
        return "n/a"
    return f"-${-x:,.{digits}f}" if x < 0 else f"${x:,.{digits}f}"


def _inputs_pairs(inputs: dict[str, Any]) -> list[tuple[str, str]]:
    """Lines of a document's ``inputs`` (:class:`~minerscope.report.econ_results.NetworkInputs`)."""
    return [
        ("difficulty", f"{inputs['difficulty_t']:,.2f} T ({inputs['difficulty_source']})"),
        (
            "reward per block",
            f"{inputs['reward_btc_per_block']:.5f} BTC = subsidy {inputs['subsidy_btc_per_block']:g}"
            f" ({inputs['subsidy_source']}) + fees {inputs['fees_btc_per_block']:.5f}"
            f" ({inputs['fees_source']})",
        ),
        ("BTC price", f"${inputs['btc_price_usd']:,.2f} ({inputs['btc_price_source']})"),
    ]


@app.command("machines")
def machines_cmd(
    power_price_usd_per_kwh: Annotated[
        float,
        typer.Option("--power-price-usd-per-kwh", min=0.0, help="Electricity price [USD/kWh]."),
    ] = DEFAULT_POWER_PRICE_USD_PER_KWH,
    btc_price_usd: PriceOption = None,
    difficulty: DifficultyOption = None,
    difficulty_change_pct: ChangeOption = None,
    fees_btc_per_block: FeesOption = None,
    subsidy_btc: Annotated[
        float | None,
        typer.Option("--subsidy-btc", help="Subsidy per block [BTC; default: as of TIME]."),
    ] = None,
    pool_fee_pct: Annotated[
        float, typer.Option("--pool-fee-pct", min=0.0, max=99.99, help="Pool fee [%].")
    ] = 0.0,
    pue: Annotated[
        float | None,
        typer.Option("--pue", min=1.0, max=3.0, help="Power usage effectiveness [default 1.0]."),
    ] = None,
    overhead_pct: Annotated[
        float | None,
        typer.Option(
            "--overhead-pct",
            min=0.0,
            max=200.0,
            help="Cooling and other power overhead on machine power [%] (PUE = 1 + pct/100).",
        ),
    ] = None,
    model: Annotated[
        list[str] | None,
        typer.Option("--model", help="Keep models whose name contains TEXT; repeatable."),
    ] = None,
    sort: Annotated[
        str,
        typer.Option(
            "--sort",
            help="profit | efficiency | breakeven | power-price | hashrate | release | model",
        ),
    ] = "profit",
    catalog: CatalogOption = None,
    csv_out: Annotated[
        bool, typer.Option("--csv", help="CSV on stdout (one row per model).")
    ] = False,
    grid: GridOption = None,
    grid_metric: Annotated[
        str,
        typer.Option("--grid-metric", help="profit | breakeven-btc-price | breakeven-power-price"),
    ] = "profit",
    force: ForceOption = False,
    at: AtOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Every catalog machine's revenue, power cost, profit and breakevens per day.

    Network inputs (difficulty, subsidy, fees per block, BTC price) are those known at TIME
    (default: the latest stored), each overridable; with --difficulty, --fees-btc-per-block
    and --btc-price-usd no database is needed. Given numbers far from the stored ones (a
    unit slip: 141.67 for 141.67T) are refused with a hint unless --force.

    Example: minerscope machines --difficulty 141.67T --fees-btc-per-block 0.02 --btc-price-usd 70000 --power-price-usd-per-kwh 0.08 --model S21
    """
    from ..report import econ_machines as econ_report  # lazy; no numpy needed

    if csv_out and json_out:
        raise InputError("give --json or --csv, not both", field="--csv")
    pue_value = resolve_pue(pue, overhead_pct)
    if grid:
        from ..report import econ_grid
        from ._decisions_render import render_grid

        doc = econ_grid.machines_grid_view(
            db, at, grid, now_s=now_s(), metric=grid_metric,
            difficulty=parse_difficulty(difficulty), subsidy_btc_per_block=subsidy_btc,
            fees_btc_per_block=fees_btc_per_block, btc_price_usd=btc_price_usd,
            power_price_usd_per_kwh=power_price_usd_per_kwh, pool_fee_share=pool_fee_pct / 100.0,
            pue=pue_value, catalog_paths=catalog or [], models=model or [],
        )  # fmt: skip
        emit_json(doc) if json_out else render_grid(doc)
        return
    result = econ_report.machines_view(
        db,
        at,
        now_s=now_s(),
        difficulty=parse_difficulty(difficulty),
        subsidy_btc_per_block=subsidy_btc,
        fees_btc_per_block=fees_btc_per_block,
        btc_price_usd=btc_price_usd,
        difficulty_change_pct=difficulty_change_pct,
        force=force,
        power_price_usd_per_kwh=power_price_usd_per_kwh,
        pool_fee_share=pool_fee_pct / 100.0,
        pue=pue_value,
        catalog_paths=catalog or [],
        models=model or [],
        sort=sort,
    )
    if json_out:
        emit_json(result)
        return
    data = result.to_dict()
    if csv_out:
        _write_csv(list(data["machines"][0]) if data["machines"] else [], data["machines"])
        return
    inp = data["inputs"]
    pairs = _inputs_pairs(inp) + [
        (
            "hashprice",
            f"${data['hashprice_usd_per_phs_day']:.2f} per PH/s per day"
            f" ({data['hashvalue_sat_per_phs_day']:,.0f} sat per PH/s per day)",
        ),
        (
            "site",
            f"${inp['power_price_usd_per_kwh']:.4f}/kWh, PUE {inp['pue']:.3f},"
            f" pool fee {inp['pool_fee_share'] * 100:g} %",
        ),
    ]
    render_pairs(f"machines as of {data['as_of']['time_iso']}", as_of_pairs(data["as_of"]) + pairs)
    rows = [
        [
            m["model"].removeprefix("Antminer ").removeprefix("WhatsMiner "),
            f"{m['hashrate_ths']:g}",
            f"{m['efficiency_j_per_th']:.2f}",
            _money(m["revenue_usd_per_day"]),
            _money(m["power_cost_usd_per_day"]),
            _money(m["profit_usd_per_day"]),
            _money(m["breakeven_btc_price_usd"], 0),
            f"{m['breakeven_power_price_usd_per_kwh']:.4f}",
        ]
        for m in data["machines"]
    ]
    render_table(
        None,
        ["model", "TH/s", "J/TH", "rev $/d", "power $/d", "profit $/d", "BE BTC $", "BE $/kWh"],
        rows,
    )
    losing = sum(1 for m in data["machines"] if not m["profitable"])
    message(
        f"{len(rows)} models, {losing} losing money. BE = breakeven: BE BTC $ is the shutdown"
        " price (= electricity cost per BTC mined), BE $/kWh the highest power price that pays"
    )


@app.command("fleet")
def fleet_cmd(
    fleet_file: Annotated[
        Path, typer.Argument(metavar="FLEET.toml", help="Fleet file (docs/fleet-format.md).")
    ],
    btc_price_usd: PriceOption = None,
    difficulty: DifficultyOption = None,
    difficulty_change_pct: ChangeOption = None,
    fees_btc_per_block: FeesOption = None,
    catalog: CatalogOption = None,
    grid: GridOption = None,
    force: ForceOption = False,
    at: AtOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """A fleet's revenue, costs and profit per day, per group and in total.

    Says which groups lose money at this hour's power price and should be switched off.

    Example: minerscope fleet examples/fleet.toml --at 2026-02-05 --json
    """
    from ..report import econ_machines as econ_report  # lazy: keeps start-up light

    if grid:
        from ..report import econ_grid
        from ._decisions_render import render_grid

        doc = econ_grid.fleet_grid_view(
            db, at, fleet_file, grid, now_s=now_s(), difficulty=parse_difficulty(difficulty),
            fees_btc_per_block=fees_btc_per_block, btc_price_usd=btc_price_usd,
            catalog_paths=catalog or [],
        )  # fmt: skip
        emit_json(doc) if json_out else render_grid(doc)
        return
    result = econ_report.fleet_view(
        db,
        at,
        fleet_file,
        now_s=now_s(),
        difficulty=parse_difficulty(difficulty),
        fees_btc_per_block=fees_btc_per_block,
        btc_price_usd=btc_price_usd,
        difficulty_change_pct=difficulty_change_pct,
        force=force,
        catalog_paths=catalog or [],
    )
    if json_out:
        emit_json(result)
        return
    data = result.to_dict()
    t = data["totals"]
    pairs = _inputs_pairs(data["inputs"]) + [
        ("hashprice", f"${data['hashprice_usd_per_phs_day']:.2f} per PH/s per day"),
    ]
    for site in data["sites"]:
        pairs.append(
            (
                f"site {site['name']}",
                f"${site['power_price_usd_per_kwh']:.4f}/kWh ({site['power_price_source']}),"
                f" PUE {site['pue']:g}, hosting ${site['hosting_fee_usd_per_kwh']:.4f}/kWh",
            )
        )
    render_pairs(
        f"fleet {data['fleet']['name']} as of {data['as_of']['time_iso']}",
        as_of_pairs(data["as_of"]) + pairs,
    )
    groups = data["groups"]
    if len(groups) > MAX_TABLE_GROUPS:
        message(
            f"showing the {MAX_TABLE_GROUPS} groups with the lowest cash profit of {len(groups):,}"
            " (--json lists every group)"
        )
        groups = sorted(groups, key=lambda g: g["cash_profit_usd_per_day"])[:MAX_TABLE_GROUPS]
    rows = [
        [
            g["name"],
            f"{g['count']:,}",
            f"{g['efficiency_j_per_th']:.2f}",
            _money(g["revenue_usd_per_day"], 0),
            _money(g["power_cost_usd_per_day"] + g["hosting_usd_per_day"], 0),
            _money(g["cash_profit_usd_per_day"], 0),
            _money(g["all_in_profit_usd_per_day"], 0),
            "OFF" if g["switch_off"] else "run",
        ]
        for g in groups
    ]
    render_table(
        None,
        ["group", "count", "J/TH", "rev $/d", "power $/d", "cash $/d", "all-in $/d", "now"],
        rows,
    )
    message(
        "power $/d includes hosting; cash = revenue - power (what switching off saves);"
        " all-in also subtracts depreciation. OFF: the group burns more power than it earns now."
    )
    render_pairs(
        "totals per day",
        [
            ("machines", f"{t['machine_count']:,} ({t['hashrate_phs']:,.1f} PH/s)"),
            ("BTC mined", f"{t['btc_per_day']:.6f}"),
            ("revenue", _usd(t["revenue_usd_per_day"])),
            ("power + hosting", _usd(t["power_cost_usd_per_day"] + t["hosting_usd_per_day"])),
            ("fixed opex", _usd(t["fixed_opex_usd_per_day"])),
            ("depreciation", _usd(t["depreciation_usd_per_day"])),
            ("cash profit", _usd(t["cash_profit_usd_per_day"])),
            ("all-in profit", _usd(t["all_in_profit_usd_per_day"])),
            ("cash profit, OFF groups off", _usd(t["cash_profit_if_switched_off_usd_per_day"])),
            ("cash cost per BTC", _usd(t["cash_cost_usd_per_btc"], 0)),
            ("all-in cost per BTC", _usd(t["all_in_cost_usd_per_btc"], 0)),
            (
                "switch off now",
                _names(data["switch_off_groups"]),
            ),
        ],
    )


@app.command("economics")
def economics_cmd(
    from_date: Annotated[
        str | None, typer.Option("--from", metavar="DATE", help="First day (YYYY-MM-DD).")
    ] = None,
    to_date: Annotated[
        str | None, typer.Option("--to", metavar="DATE", help="Last day (YYYY-MM-DD).")
    ] = None,
    csv_out: Annotated[
        bool, typer.Option("--csv", help="CSV on stdout (one row per day).")
    ] = False,
    at: AtOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Daily history: revenue, hashprice, hashvalue, Puell, cost range and our index.

    One row per UTC day complete by TIME, for plotting and spreadsheets. The table view
    shows the last 30 days unless --from is given; --json and --csv give every day.

    Example: minerscope economics --from 2026-01-01 --to 2026-01-31 --csv
    """
    from ..report import econ as econ_report  # lazy: keeps start-up light

    if csv_out and json_out:
        raise InputError("give --json or --csv, not both", field="--csv")
    result = econ_report.economics_view(db, at, now_s=now_s(), from_date=from_date, to_date=to_date)
    if json_out:
        emit_json(result)
        return
    data = result.to_dict()
    if csv_out:
        _write_csv(data["columns"], data["rows"])
        return
    rows = data["rows"]
    if from_date is None and len(rows) > 30:
        message(f"showing the last 30 of {len(rows)} days (use --from, --json or --csv for more)")
        rows = rows[-30:]
    render_pairs(None, as_of_pairs(data["as_of"]))

    def num(x: float | None, fmt: str) -> str:
        return "" if x is None else format(x, fmt)

    _plain_table(
        [
            "date",
            "revenue $M",
            "fees %",
            "hashprice $/PH/d",
            "hashvalue sat/PH/d",
            "Puell",
            "cost range $k",
            "index",
        ],
        [
            [
                r["date"],
                num(None if r["revenue_usd"] is None else r["revenue_usd"] / 1e6, ".2f"),
                num(None if r["fee_share"] is None else r["fee_share"] * 100, ".2f"),
                num(r["hashprice_usd_per_phs_day"], ".2f"),
                num(r["hashvalue_sat_per_phs_day"], ",.0f"),
                num(r["puell_multiple"], ".3f"),
                ""
                if r["cost_range_low_usd_per_btc"] is None
                else f"{r['cost_range_low_usd_per_btc'] / 1e3:.1f}-"
                f"{r['cost_range_high_usd_per_btc'] / 1e3:.1f}",
                "" if r["sustainability_score"] is None else f"{r['sustainability_score']:.0f}",
            ]
            for r in rows
        ],
    )


def _plain_table(columns: list[str], rows: list[list[str]]) -> None:
    """A plain aligned text table on stdout (thousands of rows in milliseconds)."""
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(w) for cell, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip()

    out = [line(columns), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in rows)
    sys.stdout.write("\n".join(out) + "\n")
    sys.stdout.flush()


def status_pairs(result: EconomicsStatus | None) -> list[tuple[str, str]]:
    """Label/value lines for the economics section of ``status`` (see
    :func:`minerscope.report.econ.status_section`); empty when there is none."""
    if result is None:
        return []
    section: dict[str, Any] = to_jsonable(result)
    pairs = [
        (
            "hashprice",
            f"${section['hashprice_usd_per_phs_day']:.2f} per PH/s per day"
            f" ({section['hashvalue_sat_per_phs_day']:,.0f} sat), difficulty-implied,"
            f" fees: {section['inputs']['fees_source']}",
        )
    ]
    rev = section.get("revenue")
    if rev:
        fee = "" if rev["fee_share"] is None else f", fees {rev['fee_share'] * 100:.2f} %"
        pairs.append(
            (
                "miner revenue",
                f"{rev['revenue_btc']:,.2f} BTC = ${rev['revenue_usd'] / 1e6:,.2f}M"
                f" on {rev['date']}{fee}",
            )
        )
    pc = section["production_cost"]
    if pc["cost_range_low_usd_per_btc"] is not None:
        best = (pc["cost_electricity_best_usd_per_btc"], pc["cost_all_in_best_usd_per_btc"])
        best_txt = (
            ""
            if None in best
            else f"; best guess ${best[0] / 1e3:,.1f}k (electricity) to ${best[1] / 1e3:,.1f}k"
            " (all-in)"
        )
        from ..economics.history import COST_METHOD_COLUMNS  # numpy: loaded by status already

        methods = [k for k in COST_METHOD_COLUMNS if pc[k] is not None]
        pairs.append(
            (
                "cost to produce 1 BTC",
                f"${pc['cost_range_low_usd_per_btc'] / 1e3:,.1f}k to"
                f" ${pc['cost_range_high_usd_per_btc'] / 1e3:,.1f}k"
                f" over {len(methods)} methods{best_txt}",
            )
        )
    puell = section.get("puell")
    if puell:
        pairs.append(("Puell multiple", f"{puell['puell_multiple']:.3f} ({puell['date']})"))
    sus = section.get("sustainability")
    if sus:
        pairs.append(
            (
                "sustainability (ours)",
                f"{sus['sustainability_score']:.0f}/100, {sus['sustainability_band']}"
                f" (price / cost {sus['sustainability_ratio']:.2f}, {sus['date']})",
            )
        )
    return pairs
