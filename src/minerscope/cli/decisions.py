"""Commands ``roi``, ``curtail``, ``scenario`` and ``backtest paths``: render the decision
views (:mod:`minerscope.report.decisions` and its siblings). Rendering only."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import InputError
from ._app import app
from ._decisions_render import (
    render_curtail,
    render_curtail_csv,
    render_paths_backtest,
    render_roi,
    render_scenario,
    render_sweep,
)
from ._output import AtOption, DbOption, JsonOption, emit_json, now_s
from .analytics import backtest_app
from .econ import CatalogOption

HorizonOption = Annotated[
    int, typer.Option("--horizon-days", help="Days simulated [days].", show_default=True)
]
PathsOption = Annotated[int, typer.Option("--paths", help="Simulated paths.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Random seed (same seed, same paths).")]
DifficultyMethod = Annotated[
    str,
    typer.Option(
        "--difficulty-method",
        help="Later epochs: fixed (a growth), bootstrap (real epoch changes) or fitted (the"
        " projection's random walk).",
    ),
]
PriceMethod = Annotated[
    str, typer.Option("--price-method", help="BTC price: fixed, growth, bootstrap or gbm.")
]
FeesMethod = Annotated[
    str, typer.Option("--fees-method", help="Fees per block: fixed or bootstrap.")
]


def _paths_options(**kw: Any) -> Any:
    from ..report.decisions import RoiOptions

    return RoiOptions(**{k: v for k, v in kw.items() if v is not None})


@app.command("roi")
def roi_cmd(
    fleet_files: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[FLEET.toml]...",
            help="Fleet files (docs/fleet-format.md); several run as a sweep on the same paths.",
        ),
    ] = None,
    model: Annotated[
        str | None, typer.Option("--model", help="Buy machines of this catalog model.")
    ] = None,
    count: Annotated[int, typer.Option("--count", help="How many (with --model).")] = 0,
    unit_price_usd: Annotated[
        float, typer.Option("--unit-price-usd", help="Price per machine [USD] (with --model).")
    ] = 0.0,
    pue: Annotated[float, typer.Option("--pue", help="PUE (with --model).")] = 1.0,
    pool_fee_pct: Annotated[
        float, typer.Option("--pool-fee-pct", help="Pool fee [%] (with --model).")
    ] = 0.0,
    compare: Annotated[
        Path | None,
        typer.Option(
            "--compare", metavar="OTHER.toml", help="Option B on the same paths: P(A beats B)."
        ),
    ] = None,
    horizon_days: HorizonOption = 730,
    paths: PathsOption = 10_000,
    seed: SeedOption = 1,
    discount_rate_pct: Annotated[
        float, typer.Option("--discount-rate-pct", help="Annual discount rate for NPV [%].")
    ] = 10.0,
    resale_pct: Annotated[
        float | None,
        typer.Option("--resale-pct", help="Resale at the horizon [% of the unit price]."),
    ] = None,
    always_on: Annotated[
        bool,
        typer.Option(
            "--always-on", help="Never switch machines off (default: off on losing days)."
        ),
    ] = False,
    difficulty_method: DifficultyMethod = "bootstrap",
    difficulty_growth_pct_per_epoch: Annotated[
        float | None,
        typer.Option("--difficulty-growth-pct-per-epoch", help="fixed: growth per epoch [%]."),
    ] = None,
    difficulty_growth_pct_per_30d: Annotated[
        float | None,
        typer.Option("--difficulty-growth-pct-per-30d", help="fixed: growth per 30 days [%]."),
    ] = None,
    price_method: PriceMethod = "bootstrap",
    price_growth_pct_per_year: Annotated[
        float, typer.Option("--price-growth-pct-per-year", help="growth: per year [%].")
    ] = 0.0,
    price_drift_pct_per_year: Annotated[
        float, typer.Option("--price-drift-pct-per-year", help="gbm: drift per year [%].")
    ] = 0.0,
    price_volatility_pct: Annotated[
        float, typer.Option("--price-volatility-pct", help="gbm: volatility per sqrt(year) [%].")
    ] = 60.0,
    fees_method: FeesMethod = "bootstrap",
    btc_price_usd: Annotated[
        float | None,
        typer.Option("--btc-price-usd", help="Starting price [USD; default: as of TIME]."),
    ] = None,
    fees_btc_per_block: Annotated[
        float | None,
        typer.Option(
            "--fees-btc-per-block", help="fixed fees per block [BTC; default: as of TIME]."
        ),
    ] = None,
    power_price_usd_per_kwh: Annotated[
        float | None,
        typer.Option(
            "--power-price-usd-per-kwh",
            help="Power price for every site [USD/kWh; default: the fleet file's, 0.08 with --model].",
        ),
    ] = None,
    era_epochs: Annotated[
        int, typer.Option("--era-epochs", help="Bootstrap era: the last N epochs [epochs].")
    ] = 104,
    era_from: Annotated[
        str | None, typer.Option("--era-from", metavar="DATE", help="Bootstrap era start.")
    ] = None,
    era_to: Annotated[
        str | None, typer.Option("--era-to", metavar="DATE", help="Bootstrap era end.")
    ] = None,
    mean_block_days: Annotated[
        float, typer.Option("--mean-block-days", help="Bootstrap mean block length [days].")
    ] = 30.0,
    grid: Annotated[
        list[str] | None,
        typer.Option(
            "--grid",
            metavar="KEY=START:STOP:STEP",
            help="Sweep a setting (unit_price_usd, power_price_usd_per_kwh, btc_price_usd,"
            " discount_rate_pct, resale_pct); repeatable.",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", metavar="ADDRESS", help="Run a sweep on this Dask scheduler."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", help="Run a sweep on a local Dask cluster of N workers."),
    ] = None,
    threads: Annotated[int, typer.Option("--threads", help="Threads for path chunks.")] = 1,
    catalog: CatalogOption = None,
    at: AtOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Return on investment over simulated difficulty, price and fee paths.

    Per group and in total: percentiles of cumulative cash profit (USD and BTC), NPV, IRR,
    the payback date and P(payback within the horizon). Machines switch off on days they
    would lose money (--always-on to compare). --compare runs option B on the same paths;
    several fleet files or --grid run a sweep (on Dask with --scheduler or --workers).

    Example: minerscope roi --model "Antminer S21 XP Hyd" --count 500 --unit-price-usd 6500 --power-price-usd-per-kwh 0.045 --horizon-days 730 --paths 2000 --at 2026-02-01
    """
    from ..report import decisions as report

    opts = _paths_options(
        horizon_days=horizon_days,
        paths=paths,
        seed=seed,
        discount_rate_pct=discount_rate_pct,
        switch_off=not always_on,
        difficulty_method=difficulty_method,
        difficulty_growth_pct_per_epoch=difficulty_growth_pct_per_epoch,
        difficulty_growth_pct_per_30d=difficulty_growth_pct_per_30d,
        price_method=price_method,
        price_growth_pct_per_year=price_growth_pct_per_year,
        price_drift_pct_per_year=price_drift_pct_per_year,
        price_volatility_pct=price_volatility_pct,
        fees_method=fees_method,
        era_epochs=era_epochs,
        era_from=era_from,
        era_to=era_to,
        mean_block_days=mean_block_days,
        btc_price_usd=btc_price_usd,
        fees_btc_per_block=fees_btc_per_block,
        power_price_usd_per_kwh=power_price_usd_per_kwh,
        resale_pct=resale_pct,
        threads=threads,
        bands=json_out,
    )
    files = list(fleet_files or [])
    if model is not None and files:
        raise InputError("give fleet files or --model, not both", field="--model")
    items = (
        [report.FleetInput(path=f) for f in files]
        if files
        else [
            report.FleetInput(
                model=model,
                count=count,
                unit_price_usd=unit_price_usd,
                pue=pue,
                pool_fee_pct=pool_fee_pct,
            )
        ]
    )
    if model is None and not files:
        raise InputError("give a fleet file, or --model with --count and --unit-price-usd")
    if len(items) > 1 or grid or scheduler or workers:
        from ..report import sweep as sweep_report

        if compare is not None:
            raise InputError(
                "--compare runs one option against another, not a sweep", field="--compare"
            )
        doc = sweep_report.sweep_view(
            db, at, items, opts, grid=grid or [], scheduler=scheduler, workers=workers,
            now_s=now_s(), catalog_paths=catalog or [],
        )  # fmt: skip
        if json_out:
            emit_json(doc)
        else:
            render_sweep(doc)
        return
    fleets = items + ([report.FleetInput(path=compare)] if compare is not None else [])
    data = report.roi_view(db, at, fleets, opts, now_s=now_s(), catalog_paths=catalog or [])
    if json_out:
        emit_json(data)
    else:
        render_roi(data)


@app.command("curtail")
def curtail_cmd(
    fleet_file: Annotated[
        Path, typer.Argument(metavar="FLEET.toml", help="Fleet file with hourly price CSVs.")
    ],
    from_time: Annotated[
        str, typer.Option("--from", metavar="TIME", help="Window start (date = 00:00Z).")
    ],
    to_time: Annotated[
        str, typer.Option("--to", metavar="TIME", help="Window end (date = end of that day).")
    ],
    market: Annotated[
        str | None,
        typer.Option("--market", help="rtm or dam, where a price file holds both."),
    ] = None,
    fill_gaps: Annotated[
        str | None,
        typer.Option(
            "--fill-gaps", help="Fill missing intervals: previous (carry forward) or linear."
        ),
    ] = None,
    prices: Annotated[
        Path | None,
        typer.Option(
            "--prices",
            metavar="FILE",
            help="One price CSV for every site (ERCOT files as they are).",
        ),
    ] = None,
    node: Annotated[
        str | None, typer.Option("--node", help="The node of --prices (e.g. HB_WEST).")
    ] = None,
    threshold_only: Annotated[
        bool, typer.Option("--threshold-only", help="Skip the optimal schedule (MILP).")
    ] = False,
    min_up_hours: Annotated[
        float | None, typer.Option("--min-up-hours", help="Once started, run at least [h].")
    ] = None,
    min_down_hours: Annotated[
        float | None, typer.Option("--min-down-hours", help="Once stopped, rest at least [h].")
    ] = None,
    startup_cost_usd: Annotated[
        float | None, typer.Option("--startup-cost-usd", help="Cost of each group start [USD].")
    ] = None,
    ramp_mw_per_hour: Annotated[
        float | None,
        typer.Option("--ramp-mw-per-hour", help="Largest change of a site's load [MW/h]."),
    ] = None,
    min_uptime_pct: Annotated[
        float | None,
        typer.Option("--min-uptime-pct", help="Least share of the window a group runs [%]."),
    ] = None,
    dr_credit_usd_per_mwh: Annotated[
        float | None,
        typer.Option("--dr-credit-usd-per-mwh", help="Demand-response credit per curtailed MWh."),
    ] = None,
    cp_file: Annotated[
        Path | None,
        typer.Option("--4cp-file", metavar="FILE", help="CSV of 4CP interval starts (time_utc)."),
    ] = None,
    cp_rule: Annotated[
        str | None,
        typer.Option("--4cp-rule", help="monthly-peak-price: each Jun-Sep month's priciest hour."),
    ] = None,
    transmission_usd_per_kw_year: Annotated[
        float | None,
        typer.Option(
            "--transmission-usd-per-kw-year", help="4CP charge per kW of peak-interval load."
        ),
    ] = None,
    block_hours: Annotated[
        float, typer.Option("--block-hours", help="MILP solved in blocks of this many hours.")
    ] = 168.0,
    whole_window: Annotated[
        bool, typer.Option("--whole-window", help="Solve the MILP in one piece (slow for a year).")
    ] = False,
    csv_out: Annotated[
        bool, typer.Option("--csv", help="CSV on stdout: one row per rule, site, group and day.")
    ] = False,
    catalog: CatalogOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Run or stop each group hour by hour at its site's power prices.

    The threshold rule runs a group when the hour's revenue beats its power cost; the
    optimal schedule (a mixed-integer program) adds minimum up/down times, start-up costs,
    a ramp limit, a minimum uptime share, demand-response credits and 4CP avoidance. Each
    hour uses only the hashprice known then. Per group, site and day: hours off, MWh avoided,
    revenue forgone, power cost saved and the net benefit against always-on.

    Example: minerscope curtail examples/fleet_hourly.toml --from 2026-01-24 --to 2026-01-27
    """
    from ..report import curtail as report

    if csv_out and json_out:
        raise InputError("give --json or --csv, not both", field="--csv")
    settings = report.CurtailSettings(
        market=market,
        fill_gaps=fill_gaps,
        optimal=not threshold_only,
        min_up_hours=min_up_hours,
        min_down_hours=min_down_hours,
        startup_cost_usd=startup_cost_usd,
        ramp_mw_per_hour=ramp_mw_per_hour,
        min_uptime_pct=min_uptime_pct,
        dr_credit_usd_per_mwh=dr_credit_usd_per_mwh,
        transmission_usd_per_kw_year=transmission_usd_per_kw_year,
        cp_file=cp_file,
        cp_rule=cp_rule,
        block_hours=block_hours,
        whole_window=whole_window,
        prices_file=prices,
        node=node,
    )
    doc = report.curtail_view(
        db, fleet_file, from_time, to_time, settings, catalog_paths=tuple(catalog or [])
    )
    if json_out:
        emit_json(doc)
    elif csv_out:
        render_curtail_csv(doc)
    else:
        render_curtail(doc)


@app.command("scenario")
def scenario_cmd(
    fleet_file: Annotated[
        Path | None,
        typer.Argument(metavar="[FLEET.toml]", help="A fleet whose profit both runs give."),
    ] = None,
    hashrate_leaves_pct: Annotated[
        float | None,
        typer.Option("--hashrate-leaves-pct", help="Share of hash rate leaving for good [%]."),
    ] = None,
    outage_pct: Annotated[
        float | None,
        typer.Option("--outage-pct", help="Share of hash rate off from --from to --to [%]."),
    ] = None,
    from_time: Annotated[
        str | None, typer.Option("--from", metavar="TIME", help="When the what-if starts.")
    ] = None,
    to_time: Annotated[
        str | None, typer.Option("--to", metavar="TIME", help="When an outage ends.")
    ] = None,
    over_days: Annotated[
        float, typer.Option("--over-days", help="Hash rate leaves linearly over D days.")
    ] = 0.0,
    difficulty_change_pct: Annotated[
        float | None,
        typer.Option("--difficulty-change-pct", help="Force the next retarget's change [%]."),
    ] = None,
    horizon_days: HorizonOption = 120,
    paths: PathsOption = 2000,
    seed: SeedOption = 1,
    btc_price_usd: Annotated[
        float | None, typer.Option("--btc-price-usd", help="Held price [USD; default: as of TIME].")
    ] = None,
    fees_btc_per_block: Annotated[
        float | None,
        typer.Option(
            "--fees-btc-per-block", help="Held fees per block [BTC; default: as of TIME]."
        ),
    ] = None,
    power_price_usd_per_kwh: Annotated[
        float | None,
        typer.Option("--power-price-usd-per-kwh", help="Power price for every site [USD/kWh]."),
    ] = None,
    catalog: CatalogOption = None,
    at: AtOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """What-ifs against a baseline: hash rate leaving, an outage, a forced next adjustment.

    Both runs draw exact Gamma block times per epoch under their hash rate, on the same
    draws: the retargets that follow, block times, difficulty and hashprice paths with
    intervals, and with a fleet file its cash profit against the baseline.

    Example: minerscope scenario --hashrate-leaves-pct 10 --from 2026-02-10 --over-days 30 --horizon-days 120 --at 2026-02-01
    """
    from ..report import scenario as report

    spec = report.ScenarioSpec(
        hashrate_leaves_pct=hashrate_leaves_pct,
        outage_pct=outage_pct,
        from_time=from_time,
        to_time=to_time,
        over_days=over_days,
        difficulty_change_pct=difficulty_change_pct,
        horizon_days=horizon_days,
        paths=paths,
        seed=seed,
        btc_price_usd=btc_price_usd,
        fees_btc_per_block=fees_btc_per_block,
        power_price_usd_per_kwh=power_price_usd_per_kwh,
    )
    doc = report.scenario_view(
        db, at, spec, fleet_path=fleet_file, now_s=now_s(), catalog_paths=tuple(catalog or [])
    )
    if json_out:
        emit_json(doc)
    else:
        render_scenario(doc)


@backtest_app.command("paths")
def backtest_paths_cmd(
    from_date: Annotated[
        str, typer.Option("--from", metavar="DATE", help="First epoch start date (YYYY-MM-DD).")
    ] = "2016-01-01",
    to_date: Annotated[
        str | None, typer.Option("--to", metavar="DATE", help="Last epoch start date.")
    ] = None,
    paths: PathsOption = 1000,
    seed: SeedOption = 1,
    rows: Annotated[
        bool, typer.Option("--rows", help="Include every projection in --json.")
    ] = False,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Calibrate the difficulty path methods: 6- and 12-month bands against what happened.

    As of each epoch's first block, bootstrap and fitted paths use only earlier epochs; the
    realised difficulty 182.6 and 365.25 days later is scored against their 50/80/90% bands.

    Example: minerscope backtest paths --from 2016-01-01 --paths 500 --json
    """
    from .. import storage
    from ..report import paths_backtest as report

    for name, value in (("--from", from_date), ("--to", to_date)):
        if value is not None and (len(value) != 10 or value[4] != "-" or value[7] != "-"):
            raise InputError(f"{value!r} is not a YYYY-MM-DD date", field=name)
    conn = storage.connect(db, read_only=True)
    try:
        doc = report.backtest_paths_report(
            conn, from_date=from_date, to_date=to_date, paths=paths, seed=seed, include_rows=rows
        )
    finally:
        conn.close()
    if json_out:
        emit_json(doc)
    else:
        render_paths_backtest(doc)


__all__ = ["backtest_app", "backtest_paths_cmd", "curtail_cmd", "roi_cmd", "scenario_cmd"]
