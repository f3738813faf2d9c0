"""Commands ``import`` and ``quickstart``: load files into the database."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .. import storage
from ..asof import resolve_as_of
from ..errors import MinerscopeError
from ._app import app
from ._output import DbOption, JsonOption, emit_json, error_line, exit_code_for, message, now_s
from .network import render_status

if TYPE_CHECKING:  # the importers (numpy, file readers) load only when a command imports
    from ..ingest import ImportReport

import_app = typer.Typer(
    help="Import offline files (the formats in ../shared/data) into the database.",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")

FileArg = Annotated[Path, typer.Argument(metavar="FILE", help="The file to import.")]


def _report(reports: list[ImportReport], json_out: bool) -> None:
    if json_out:
        from ..ingest.results import ImportDocument

        emit_json(ImportDocument(imports=tuple(r.to_result() for r in reports)))
        return
    for r in reports:
        c = r.counts
        message(
            f"{r.kind}: {r.path}: {r.rows_read:,} rows read; {c.inserted:,} inserted,"
            f" {c.updated:,} updated, {c.unchanged:,} unchanged ({r.seconds:.2f} s)"
        )
        for note in r.notes:
            message(f"  note: {note}")


def _import_one(db: Path | None, json_out: bool, kind: str, file: Path, **options: Any) -> None:
    # The report is rendered only after the import has committed; rendering is plain text.
    from .. import ingest

    _report([ingest.run_import(db, kind, file, now_s=now_s(), **options)], json_out)


@import_app.command("blockstats")
def import_blockstats_cmd(file: FileArg, db: DbOption = None, json_out: JsonOption = False) -> None:
    """Import Bitcoin Core getblockstats rows (CSV, one block a line).

    Example: minerscope import blockstats ../shared/data/blocks_getblockstats_909458_934575.csv
    """
    _import_one(db, json_out, "blockstats", file)


@import_app.command("epochs")
def import_epochs_cmd(file: FileArg, db: DbOption = None, json_out: JsonOption = False) -> None:
    """Import difficulty epochs: Electrum checkpoints JSON or a per-epoch bits CSV.

    Example: minerscope import epochs ../shared/data/electrum_checkpoints_mainnet.json
    """
    _import_one(db, json_out, "epochs", file)


@import_app.command("daily")
def import_daily_cmd(file: FileArg, db: DbOption = None, json_out: JsonOption = False) -> None:
    """Import daily network rows (Coin Metrics column names: BlkCnt, DiffMean, IssTotNtv ...).

    Example: minerscope import daily ../shared/data/btc_daily_network_2009-01-03_2026-05-23.csv
    """
    _import_one(db, json_out, "daily", file)


@import_app.command("prices")
def import_prices_cmd(
    file: FileArg,
    source: Annotated[
        str | None, typer.Option("--source", help="Source name [default: from the file name].")
    ] = None,
    time_column: Annotated[
        str | None, typer.Option("--time-column", help="Name of the date/time column.")
    ] = None,
    price_column: Annotated[
        str | None, typer.Option("--price-column", help="Name of the USD price column.")
    ] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Import daily or intraday BTC/USD prices from a CSV.

    A date is a daily close, stamped at the end of its day. Unix times in ms are converted.

    Example: minerscope import prices ../shared/data/bitstamp_btcusd_ohlc_daily_2011-08-18_2026-06-10.csv
    """
    _import_one(
        db,
        json_out,
        "prices",
        file,
        source=source,
        time_column=time_column,
        price_column=price_column,
    )


@import_app.command("mvrv")
def import_mvrv_cmd(
    file: FileArg,
    source: Annotated[
        str | None, typer.Option("--source", help="Source name [default: from the file name].")
    ] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Import daily MVRV ratios (a date column and CapMVRVCur, mvrv or mvrv_ratio).

    Example: minerscope import mvrv ../shared/data/cm_btc_price_issuance_daily_2010-07-18_2026-05-23.csv
    """
    _import_one(db, json_out, "mvrv", file, source=source)


@import_app.command("pools")
def import_pools_cmd(
    file: FileArg,
    tags: Annotated[
        list[Path] | None,
        typer.Option("--tags", metavar="FILE", help="Extra pool tag file naming more pools."),
    ] = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Import a pool attribution CSV (height, time_s, pool_slug): pools and block times.

    Slugs must be pools of the tag file (shipped, [pools] tags, --tags). The times are
    stored as blocks without a hash; a block stored with a hash keeps its own time.

    Example: minerscope import pools ../shared/data/pools/blocks_by_pool_664063_946236.csv
    """
    from ..report.pools import pool_catalog  # lazy: keeps start-up light

    catalog = pool_catalog(tags or [])
    _import_one(db, json_out, "pools", file, catalog=catalog)


@import_app.command("blocktimes")
def import_blocktimes_cmd(file: FileArg, db: DbOption = None, json_out: JsonOption = False) -> None:
    """Import block times without hashes: a CSV with height and time_s (or time, timestamp).

    Hash-rate windows, block times and the projection then run at block resolution
    wherever times are known (bits come from the epochs table).

    Example: minerscope import blocktimes ../shared/data/pools/blocks_by_pool_664063_946236.csv
    """
    _import_one(db, json_out, "blocktimes", file)


@app.command("quickstart")
def quickstart_cmd(
    data_dir: Annotated[
        Path, typer.Argument(help="Folder holding the reference data (../shared/data).")
    ] = Path("../shared/data"),
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Fill the database from the reference data folder, then print the status.

    Imports the epochs, the getblockstats blocks, the daily network file, two price
    files and the MVRV ratios (idempotent: a second run changes nothing), then shows
    `minerscope status`. The pool attribution file is left to `minerscope import pools`
    (the command is named at the end while no attribution is stored).

    Example: minerscope quickstart ../shared/data
    """
    clock = now_s()
    from .. import ingest
    from ..report import status as status_report
    from ..report.imports import QuickstartDocument

    reports = ingest.run_reference_import(db, data_dir, now_s=clock)
    # The imports have committed: from here on a failure is the status's, and says so.
    try:
        with storage.reading(db) as conn:
            as_of = resolve_as_of(conn, None, now_s=clock)
            data = status_report.build_status(
                conn, as_of, sections=status_report.default_sections()
            )
            attributed = storage.block_pool_count(conn) > 0
        pool_files = [] if attributed else sorted(data_dir.glob("pools/blocks_by_pool_*.csv"))
    except MinerscopeError as exc:
        if json_out:
            emit_json(
                QuickstartDocument(imports=tuple(r.to_result() for r in reports), status=None)
            )
        else:
            _report(reports, False)
        message(f"imported; {error_line(exc).removeprefix('minerscope: error: ')}")
        raise typer.Exit(exit_code_for(exc)) from None
    if json_out:
        emit_json(QuickstartDocument(imports=tuple(r.to_result() for r in reports), status=data))
        return
    _report(reports, False)
    message(f"database: {storage.resolve_db_path(db)}")
    for path in pool_files:  # not part of the quickstart: it adds 282,174 block times
        message(f"next: minerscope import pools {path} (who mined each block since 2020)")
    render_status(data)
