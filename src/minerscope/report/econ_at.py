"""The ``machines`` and ``fleet`` views on a connection the caller opened (read-only for the web).

:func:`~minerscope.report.econ_machines.machines_view` and ``fleet_view`` open the database
themselves, read-write; the REST API must read through read-only connections and takes a
fleet as posted text, never as a server path. These functions answer the same documents as
those views (the API tests compare them with the CLI's ``--json``).
"""

from __future__ import annotations

import sqlite3
import tomllib
from collections.abc import Sequence
from pathlib import Path

from ..defaults import DEFAULT_POWER_PRICE_USD_PER_KWH
from ..errors import InputError
from ..fleet_config import parse_fleet
from ..params import parse_at
from .econ_inputs import load_machine_catalog
from .econ_machines import fleet_report_spec, machines_report, resolve_inputs_on
from .econ_results import FleetReport, MachinesReport


def machines_at(
    conn: sqlite3.Connection,
    at: str | None,
    *,
    now_s: int,
    difficulty: float | None = None,
    subsidy_btc_per_block: float | None = None,
    fees_btc_per_block: float | None = None,
    btc_price_usd: float | None = None,
    power_price_usd_per_kwh: float = DEFAULT_POWER_PRICE_USD_PER_KWH,
    pool_fee_share: float = 0.0,
    pue: float = 1.0,
    models: Sequence[str] = (),
    sort: str = "profit",
) -> MachinesReport:
    """``minerscope machines --json`` on an open connection (see ``machines_view``)."""
    inputs, as_of = resolve_inputs_on(
        conn,
        parse_at(at),
        now_s=now_s,
        difficulty=difficulty,
        subsidy_btc_per_block=subsidy_btc_per_block,
        fees_btc_per_block=fees_btc_per_block,
        btc_price_usd=btc_price_usd,
    )
    return machines_report(
        inputs,
        load_machine_catalog(),
        power_price_usd_per_kwh=power_price_usd_per_kwh,
        pool_fee_share=pool_fee_share,
        pue=pue,
        models=models,
        sort=sort,
        as_of=as_of,
    )


def _refuse_files(text: str, name: str) -> None:
    """A posted fleet may not name server files (hourly price CSVs)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return  # parse_fleet reports the syntax error with its line
    sites = data.get("sites")
    if not isinstance(sites, dict):
        return
    for site, table in sites.items():
        if isinstance(table, dict) and "power_price_csv" in table:
            raise InputError(
                "a fleet sent over the API cannot name a file on the server: give"
                " power_price_usd_per_kwh (or _per_mwh), or run `minerscope fleet FILE` locally",
                path=name,
                field=f"sites.{site}.power_price_csv",
            )


def fleet_at(
    conn: sqlite3.Connection,
    at: str | None,
    fleet_text: str,
    *,
    now_s: int,
    name: str = "fleet.toml",
    difficulty: float | None = None,
    fees_btc_per_block: float | None = None,
    btc_price_usd: float | None = None,
) -> FleetReport:
    """``minerscope fleet FLEET.toml --json`` for fleet TOML text (see ``fleet_view``).

    Parameters
    ----------
    fleet_text : str
        The fleet document (``docs/fleet-format.md``); ``power_price_csv`` is refused.
    name : str
        The name errors and the document show for it (not a path that is read).
    """
    _refuse_files(fleet_text, name)
    catalog = load_machine_catalog()
    inputs, as_of = resolve_inputs_on(
        conn,
        parse_at(at),
        now_s=now_s,
        difficulty=difficulty,
        fees_btc_per_block=fees_btc_per_block,
        btc_price_usd=btc_price_usd,
    )
    fleet = parse_fleet(fleet_text, path=name, base_dir=Path("."), catalog=catalog)
    return fleet_report_spec(inputs, fleet, time_s=as_of.time_s, as_of=as_of)


__all__ = ["fleet_at", "machines_at"]
