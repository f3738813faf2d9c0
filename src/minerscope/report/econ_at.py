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
from typing import Any

from ..asof import TimeSpec, iso_utc, resolve_as_of
from ..defaults import DEFAULT_POWER_PRICE_USD_PER_KWH
from ..errors import InputError
from ..fleet_config import parse_fleet
from ..params import parse_at
from .econ_inputs import EconInputs, calendar_subsidy_btc, load_inputs, load_machine_catalog
from .econ_machines import fleet_report_spec, machines_report


def resolve_inputs_conn(
    conn: sqlite3.Connection,
    spec: TimeSpec | None,
    *,
    now_s: int,
    difficulty: float | None = None,
    subsidy_btc_per_block: float | None = None,
    fees_btc_per_block: float | None = None,
    btc_price_usd: float | None = None,
) -> tuple[EconInputs, int]:
    """:func:`~minerscope.report.econ_machines.resolve_inputs` on an open connection.

    When difficulty, fees and price are all given and the moment is a time (or now), the
    database is not read, as in the CLI. Returns the inputs and their moment. [Unix s]
    """
    all_given = None not in (difficulty, fees_btc_per_block, btc_price_usd)
    if all_given and (spec is None or spec.time_s is not None):
        t = now_s if spec is None or spec.time_s is None else spec.time_s
        if subsidy_btc_per_block is None:
            subsidy, src = calendar_subsidy_btc(t)
        else:
            subsidy, src = subsidy_btc_per_block, "given"
        inputs = load_inputs(
            None,
            None,
            difficulty=difficulty,
            subsidy_btc_per_block=subsidy,
            fees_btc_per_block=fees_btc_per_block,
            btc_price_usd=btc_price_usd,
        )
        return EconInputs(**{**inputs.__dict__, "time_s": t, "subsidy_source": src}), t
    as_of = resolve_as_of(conn, spec, now_s=now_s)
    inputs = load_inputs(
        conn,
        as_of,
        difficulty=difficulty,
        subsidy_btc_per_block=subsidy_btc_per_block,
        fees_btc_per_block=fees_btc_per_block,
        btc_price_usd=btc_price_usd,
    )
    return inputs, as_of.time_s


def _as_of(t: int, at: str | None) -> dict[str, Any]:
    return {"time_s": t, "time_iso": iso_utc(t), "text": at or "now"}


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
) -> dict[str, Any]:
    """``minerscope machines --json`` on an open connection (see ``machines_view``)."""
    inputs, t = resolve_inputs_conn(
        conn,
        parse_at(at),
        now_s=now_s,
        difficulty=difficulty,
        subsidy_btc_per_block=subsidy_btc_per_block,
        fees_btc_per_block=fees_btc_per_block,
        btc_price_usd=btc_price_usd,
    )
    out = machines_report(
        inputs,
        load_machine_catalog(),
        power_price_usd_per_kwh=power_price_usd_per_kwh,
        pool_fee_share=pool_fee_share,
        pue=pue,
        models=models,
        sort=sort,
    )
    return {"as_of": _as_of(t, at), **out}


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
) -> dict[str, Any]:
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
    inputs, t = resolve_inputs_conn(
        conn,
        parse_at(at),
        now_s=now_s,
        difficulty=difficulty,
        fees_btc_per_block=fees_btc_per_block,
        btc_price_usd=btc_price_usd,
    )
    fleet = parse_fleet(fleet_text, path=name, base_dir=Path("."), catalog=catalog)
    return {"as_of": _as_of(t, at), **fleet_report_spec(inputs, fleet, time_s=t)}


__all__ = ["fleet_at", "machines_at", "resolve_inputs_conn"]
