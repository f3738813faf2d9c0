"""The calls of the API endpoints (status and difficulty are one line in the table).

Each takes a :class:`~minerscope.web.engine.Call` and returns the document of the CLI
command beside it, through the library function that command calls (the rows of the table
are in :mod:`minerscope.web.api`).

Posted fleets never name server files: ``power_price_csv`` and ``cp_intervals_csv`` are
refused in one line. A command whose report function reads a fleet file (``roi``,
``scenario``, ``curtail``) gets the posted text written to a private temporary directory
that is removed after the answer; the document and any error name it ``posted fleet``, never
the temporary path. ``curtail``'s hourly prices come in the same request (a JSON body with
the fleet and one price CSV for every site, the CLI's ``--prices``).
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from ..errors import InputError
from ..params import check_exclusive, parse_date, parse_difficulty, resolve_pue
from ..report import econ as econ_report
from ..report import econ_at, retargets
from ..report import network as network_report
from ..results import Result
from ..units import SECONDS_PER_DAY
from .engine import Call

#: Fleet keys that name files: a request may not make the server read one.
SERVER_FILE_KEYS: Final = ("power_price_csv", "cp_intervals_csv")
POSTED_NAME: Final = "posted fleet"
POSTED_PRICES: Final = "posted prices"
#: Largest curtailment window a request may ask for (the MILP is solved per block). [days]
MAX_CURTAIL_DAYS: Final = 31


def db_path(conn: sqlite3.Connection) -> Path:
    """The file of the call's read-only connection (for report functions that open it)."""
    for _, name, file in conn.execute("PRAGMA database_list").fetchall():
        if name == "main" and file:
            return Path(file)
    raise InputError("the database has no file")  # pragma: no cover - always a file


def refuse_server_files(text: str) -> None:
    """Refuse a posted fleet that names a file on the server (one line, with the field)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return  # the fleet parser reports the syntax error with its line
    sites = data.get("sites")
    if not isinstance(sites, dict):
        return
    for site, table in sites.items():
        if not isinstance(table, dict):
            continue
        for key in SERVER_FILE_KEYS:
            if key in table:
                raise InputError(
                    "a fleet sent over the API cannot name a file on the server: give"
                    " power_price_usd_per_kwh (or _per_mwh), or run the command locally",
                    path=POSTED_NAME,
                    field=f"sites.{site}.{key}",
                )


def _body(c: Call) -> str:
    if not c.body or not c.body.strip():
        raise InputError("the request body must be a fleet document (TOML)", field="body")
    return c.body


@contextmanager
def posted_file(text: str, name: str = POSTED_NAME, suffix: str = ".toml") -> Iterator[Path]:
    """``text`` in a private temporary file; errors that name the file name ``name``
    instead (no server path in any answer)."""
    with tempfile.TemporaryDirectory(prefix="minerscope-posted-") as tmp:
        path = Path(tmp) / f"{name}{suffix}"
        path.write_text(text, encoding="utf-8")
        try:
            yield path
        except InputError as exc:
            reason = exc.reason.replace(str(path), name).replace(tmp + "/", "")
            where = name if exc.path is not None and tmp in str(exc.path) else exc.path
            raise InputError(reason, path=where, line=exc.line, field=exc.field) from None


# --- the first endpoints' calls ------------------------------------------------------


def hashrate(c: Call) -> Any:
    """``minerscope hashrate --json``."""
    v = c.values
    check_exclusive(("--window-blocks", v["window_blocks"]), ("--window-days", v["window_days"]))
    return network_report.hashrate_report(c.conn, c.as_of(), **v)


def machines(c: Call) -> Any:
    """``minerscope machines --json``."""
    v = c.values
    return econ_at.machines_at(
        c.conn,
        c.at,
        now_s=c.now_s,
        difficulty=parse_difficulty(v["difficulty"]),
        subsidy_btc_per_block=v["subsidy_btc"],
        fees_btc_per_block=v["fees_btc_per_block"],
        btc_price_usd=v["btc_price_usd"],
        power_price_usd_per_kwh=v["power_price_usd_per_kwh"],
        pool_fee_share=v["pool_fee_pct"] / 100.0,
        pue=resolve_pue(v["pue"], v["overhead_pct"]),
        models=v["model"] or [],
        sort=v["sort"],
    )


def fleet(c: Call) -> Any:
    """``minerscope fleet FLEET.toml --json`` for a posted fleet (no server files)."""
    v = c.values
    if not c.body or not c.body.strip():
        raise InputError("the request body must be a fleet document (TOML)", field="body")
    refuse_server_files(c.body)
    return econ_at.fleet_at(
        c.conn,
        c.at,
        c.body,
        now_s=c.now_s,
        name="posted fleet",
        difficulty=parse_difficulty(v["difficulty"]),
        fees_btc_per_block=v["fees_btc_per_block"],
        btc_price_usd=v["btc_price_usd"],
    )


def economics(c: Call) -> Any:
    """``minerscope economics --json``."""
    v = c.values
    return econ_report.economics_history(
        c.conn,
        c.as_of(),
        from_date=parse_date(v["from_date"], "--from"),
        to_date=parse_date(v["to_date"], "--to"),
    )


def difficulty_history(c: Call) -> Any:
    """``minerscope difficulty --history --json``."""
    v = c.values
    return retargets.retarget_history(
        c.conn,
        c.as_of(),
        from_date=parse_date(v["from_date"], "--from"),
        to_date=parse_date(v["to_date"], "--to"),
    )


def machines_grid(c: Call) -> Result:
    """``minerscope machines --grid ... --json``."""
    from ..report import econ_grid

    v = c.values
    return econ_grid.machines_grid_view(
        db_path(c.conn), c.at, v["grid"], now_s=c.now_s, metric=v["grid_metric"],
        difficulty=parse_difficulty(v["difficulty"]), subsidy_btc_per_block=v["subsidy_btc"],
        fees_btc_per_block=v["fees_btc_per_block"], btc_price_usd=v["btc_price_usd"],
        power_price_usd_per_kwh=v["power_price_usd_per_kwh"],
        pool_fee_share=v["pool_fee_pct"] / 100.0, pue=resolve_pue(v["pue"], v["overhead_pct"]),
        models=v["model"] or [],
    )  # fmt: skip


def fleet_grid(c: Call) -> Result:
    """``minerscope fleet FLEET.toml --grid ... --json`` for a posted fleet."""
    from ..report import econ_grid

    text = _body(c)
    refuse_server_files(text)
    v = c.values
    with posted_file(text) as path:
        doc: Result = econ_grid.fleet_grid_view(
            db_path(c.conn), c.at, path, v["grid"], now_s=c.now_s,
            difficulty=parse_difficulty(v["difficulty"]),
            fees_btc_per_block=v["fees_btc_per_block"], btc_price_usd=v["btc_price_usd"],
        )  # fmt: skip
    return doc


# --- pools and signals ----------------------------------------------------------------


def pools(c: Call, *, history: bool = False) -> Result:
    """``minerscope pools [--history] --json`` (the server's configured tag files only)."""
    from ..report import pools as pools_report

    v = c.values
    return pools_report.pools_report(
        c.conn,
        c.as_of(),
        pools_report.pool_catalog(()),
        window_days=v["window_days"],
        trailing_days=v["trailing_days"],
        history=history,
    )


def signals(c: Call) -> Result:
    """``minerscope signals --json``."""
    from ..report import signals as signals_report

    v = c.values
    return signals_report.signals_view(
        c.conn,
        c.as_of(),
        from_date=parse_date(v["from_date"], "--from"),
        to_date=parse_date(v["to_date"], "--to"),
    )


def study(kind: str) -> Any:
    """The call of ``minerscope study KIND --json`` (contraction, ribbons, composite)."""

    def call(c: Call) -> Result:
        from ..report import signals as signals_report

        v = dict(c.values)
        seed = v.pop("seed")
        v["from_date"] = parse_date(v["from_date"], "--from")
        v["to_date"] = parse_date(v["to_date"], "--to")
        fn = getattr(signals_report, f"{kind}_report")
        doc: Result = fn(
            c.conn,
            now_s=c.now_s,
            seed=signals_report.DEFAULT_SEED if seed is None else seed,
            **v,
        )
        return doc

    return call


# --- decisions ------------------------------------------------------------------------

ROI_FLEET_KEYS: Final = ("model", "count", "unit_price_usd", "pue", "pool_fee_pct")


def _roi_options(v: dict[str, Any]) -> Any:
    from ..report.decisions import RoiOptions

    opts = {k: val for k, val in v.items() if k not in ROI_FLEET_KEYS and k != "always_on"}
    return RoiOptions(
        switch_off=not v["always_on"],
        bands=True,
        **{k: val for k, val in opts.items() if val is not None},
    )


def roi(c: Call) -> Result:
    """``minerscope roi --model M --count N --unit-price-usd P --json``."""
    from ..report import decisions as report

    v = c.values
    if v["model"] is None:
        raise InputError("give --model with --count and --unit-price-usd", field="--model")
    item = report.FleetInput(**{k: v[k] for k in ROI_FLEET_KEYS})
    return report.roi_view(db_path(c.conn), c.at, [item], _roi_options(v), now_s=c.now_s)


def roi_fleet(c: Call) -> Result:
    """``minerscope roi FLEET.toml --json`` for a posted fleet."""
    from ..report import decisions as report

    text = _body(c)
    refuse_server_files(text)
    v = {k: val for k, val in c.values.items() if k not in ROI_FLEET_KEYS}
    with posted_file(text) as path:
        doc: Any = report.roi_view(
            db_path(c.conn), c.at, [report.FleetInput(path=path)],
            _roi_options({**v, "always_on": v["always_on"]}), now_s=c.now_s,
        )  # fmt: skip
    fleets = tuple(dataclasses.replace(f, source=POSTED_NAME) for f in doc.fleets)
    result: Result = dataclasses.replace(doc, fleets=fleets)
    return result


def _scenario_spec(v: dict[str, Any]) -> Any:
    from ..report.scenario import ScenarioSpec

    kw = dict(v)
    kw["from_time"] = kw.pop("from_time")
    kw["to_time"] = kw.pop("to_time")
    return ScenarioSpec(**kw)


def scenario(c: Call) -> Result:
    """``minerscope scenario --json`` (no fleet)."""
    from ..report import scenario as report

    return report.scenario_view(
        db_path(c.conn), c.at, _scenario_spec(c.values), fleet_path=None, now_s=c.now_s
    )


def scenario_fleet(c: Call) -> Result:
    """``minerscope scenario FLEET.toml --json`` for a posted fleet."""
    from ..report import scenario as report

    text = _body(c)
    refuse_server_files(text)
    with posted_file(text) as path:
        doc: Result = report.scenario_view(
            db_path(c.conn), c.at, _scenario_spec(c.values), fleet_path=path, now_s=c.now_s
        )
    return doc


def curtail(c: Call) -> Result:
    """``minerscope curtail FLEET.toml --prices PRICES.csv --json`` for a posted JSON body
    ``{"fleet": TOML text, "prices_csv": CSV text}``: the hourly prices of every site are the
    posted CSV (the fleet's own sites may not name files)."""
    from ..report import curtail as report

    if not c.body or not c.body.strip():
        raise InputError('the request body must be {"fleet": TOML, "prices_csv": CSV}',
                         field="body")  # fmt: skip
    try:
        body = json.loads(c.body)
    except json.JSONDecodeError as exc:
        raise InputError(f"the request body is not JSON: {exc.msg}", field="body") from None
    if not isinstance(body, dict) or set(body) != {"fleet", "prices_csv"}:
        raise InputError('the request body must be {"fleet": TOML, "prices_csv": CSV}',
                         field="body")  # fmt: skip
    fleet, prices = body["fleet"], body["prices_csv"]
    if not isinstance(fleet, str) or not isinstance(prices, str):
        raise InputError("fleet and prices_csv must be text", field="body")
    refuse_server_files(fleet)
    v = dict(c.values)
    from_s, to_s = report.parse_window(v["from_time"], v["to_time"])
    if to_s - from_s > MAX_CURTAIL_DAYS * SECONDS_PER_DAY:
        raise InputError(f"the API solves at most {MAX_CURTAIL_DAYS} days; run"
                         " `minerscope curtail` locally for longer", field="--to")  # fmt: skip
    settings_kw = {k: val for k, val in v.items() if k not in ("from_time", "to_time")}
    threshold_only = settings_kw.pop("threshold_only")
    with (
        posted_file(prices, POSTED_PRICES, ".csv") as prices_path,
        posted_file(fleet) as fleet_path,
    ):
        settings = report.CurtailSettings(
            optimal=not threshold_only, prices_file=prices_path, **settings_kw
        )
        doc: Any = report.curtail_view(
            db_path(c.conn), fleet_path, v["from_time"], v["to_time"], settings
        )
    sites = {
        k: {**site, "price": POSTED_PRICES} if site.get("price") == str(prices_path) else site
        for k, site in doc.window.get("sites", {}).items()
    }
    result: Result = dataclasses.replace(doc, window={**doc.window, "sites": sites})
    return result


__all__ = [
    "MAX_CURTAIL_DAYS",
    "difficulty_history",
    "economics",
    "fleet",
    "fleet_grid",
    "hashrate",
    "machines",
    "machines_grid",
    "POSTED_NAME",
    "POSTED_PRICES",
    "SERVER_FILE_KEYS",
    "curtail",
    "db_path",
    "pools",
    "posted_file",
    "refuse_server_files",
    "roi",
    "roi_fleet",
    "scenario",
    "scenario_fleet",
    "signals",
    "study",
]
