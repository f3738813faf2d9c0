"""The REST API ``/api/v1/...``: one table of endpoints, each calling one report function.

Every endpoint parses its query parameters (the CLI's option names with ``_``: ``--window-days``
is ``window_days``; the same validation, through :mod:`minerscope.params`), opens a read-only
connection, calls its report function and returns the document unchanged: the same JSON as the
CLI's ``--json``. Documents are cached until the data changes (:mod:`minerscope.web.cache`).

Adding an endpoint is one row in :data:`ENDPOINTS`::

    Endpoint(
        name="pools",
        summary="Who mines: shares, hash rate, luck, concentration.",
        cli="minerscope pools --json",
        params=(AT, Param("window_days", int, 30, "Window. [days]", ge=1, le=MAX_DAYS)),
        call=lambda c: pools_report.pools_report(c.conn, c.as_of(), **c.values),
        model=PoolsReport,
    )

``call`` receives a :class:`Call` (the read-only connection, the parsed ``at``, the clock, the
validated values by their Python names) and returns the document, a typed
:class:`~minerscope.results.Result`; ``model`` is its class, whose published JSON Schema
(``docs/schemas``) is the schema of the 200 response in the OpenAPI spec.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response

from ..defaults import DEFAULT_POWER_PRICE_USD_PER_KWH
from ..errors import InputError
from ..params import (
    MAX_BTC_PER_BLOCK,
    MAX_BTC_PRICE_USD,
    MAX_DAYS,
    MAX_LOOKBACK_DAYS,
    MAX_POWER_PRICE_USD_PER_KWH,
    MAX_WINDOW_BLOCKS,
    check_exclusive,
    parse_at,
    parse_date,
    parse_difficulty,
    resolve_pue,
)
from ..report import econ as econ_report
from ..report import econ_at, retargets
from ..report import network as network_report
from ..report import status as status_report
from ..report.econ_results import EconomicsHistory, FleetReport, MachinesReport
from ..report.network_results import DifficultyReport, HashrateReport
from ..report.status_results import StatusDocument
from ..report.web_data import DataRange, data_range
from ..results import Result
from .engine import Answer, Call, Engine, freeze_value, to_response
from .problems import PROBLEM_MEDIA_TYPE, from_exception, problem, problem_responses, render

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
SORTS = ("profit", "efficiency", "breakeven", "power-price", "hashrate", "release", "model")


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


@dataclass(frozen=True)
class Endpoint:
    """One row of the API table (see the module docstring)."""

    name: str
    summary: str
    cli: str
    params: tuple[Param, ...]
    call: Callable[[Call], Result]
    model: type[Result]
    path: str = ""
    method: Literal["GET", "POST"] = "GET"
    body_media_type: str | None = None
    body_description: str = ""

    @property
    def url(self) -> str:
        """The endpoint's path under the API prefix."""
        return API_PREFIX + (self.path or "/" + self.name)


# --- the parameters (the CLI's options) -----------------------------------------------------

AT = Param(
    "at",
    str | None,
    None,
    "As of TIME: 2026-02-01T08:40:17Z, 2026-02-01 (end of that day, UTC) or height:N;"
    " default: now.",
    max_length=64,
    format="minerscope-time",
)
FROM = Param("from_date", str | None, None, "First day (YYYY-MM-DD).", alias="from", max_length=32,
             format="date")  # fmt: skip
TO = Param("to_date", str | None, None, "Last day (YYYY-MM-DD).", alias="to", max_length=32,
           format="date")  # fmt: skip
BTC_PRICE = Param(
    "btc_price_usd", float | None, None, "BTC price [USD; default: as of TIME].", ge=0.0,
    le=MAX_BTC_PRICE_USD,
)  # fmt: skip
DIFFICULTY = Param(
    "difficulty", str | None, None,
    "Network difficulty, e.g. 141.67T or 1.4167e14 [default: as of TIME].", max_length=32,
)  # fmt: skip
FEES = Param(
    "fees_btc_per_block", float | None, None,
    "Mean fees per block [BTC; default: trailing 144-block mean as of TIME].", ge=0.0,
    le=MAX_BTC_PER_BLOCK,
)  # fmt: skip


def _hashrate(c: Call) -> Any:
    v = c.values
    check_exclusive(("--window-blocks", v["window_blocks"]), ("--window-days", v["window_days"]))
    return network_report.hashrate_report(c.conn, c.as_of(), **v)


def _machines(c: Call) -> Any:
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


def _fleet(c: Call) -> Any:
    v = c.values
    if not c.body or not c.body.strip():
        raise InputError("the request body must be a fleet document (TOML)", field="body")
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


def _economics(c: Call) -> Any:
    v = c.values
    return econ_report.economics_history(
        c.conn,
        c.as_of(),
        from_date=parse_date(v["from_date"], "--from"),
        to_date=parse_date(v["to_date"], "--to"),
    )


def _difficulty_history(c: Call) -> Any:
    v = c.values
    return retargets.retarget_history(
        c.conn,
        c.as_of(),
        from_date=parse_date(v["from_date"], "--from"),
        to_date=parse_date(v["to_date"], "--to"),
    )


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        name="status",
        summary="The network and economics picture as of a moment.",
        cli="minerscope status --json",
        params=(AT,),
        call=lambda c: status_report.build_status(
            c.conn, c.as_of(), sections=status_report.default_sections()
        ),
        model=StatusDocument,
    ),
    Endpoint(
        name="hashrate",
        summary="Hash rate with exact 95% intervals, block times and the drawdown from the peak.",
        cli="minerscope hashrate --json",
        params=(
            AT,
            Param(
                "window_blocks",
                int | None,
                None,
                "One window of the last N blocks. [blocks]",
                ge=2,
                le=MAX_WINDOW_BLOCKS,
            ),
            Param(
                "window_days",
                float | None,
                None,
                "One time window: the last D days. [days]",
                ge=0.01,
                le=MAX_DAYS,
            ),
            Param(
                "lookback_days",
                int,
                90,
                "Drawdown: days over which the peak is taken. [days]",
                ge=2,
                le=MAX_LOOKBACK_DAYS,
            ),
            Param(
                "series_days",
                int,
                0,
                "Also list the last N days: per day, 7- and 30-day means. [days]",
                ge=0,
                le=MAX_DAYS,
            ),
        ),  # fmt: skip
        call=_hashrate,
        model=HashrateReport,
    ),
    Endpoint(
        name="difficulty",
        summary="The next difficulty adjustment with its interval, retarget and halving ETAs.",
        cli="minerscope difficulty --json",
        params=(AT,),
        call=lambda c: network_report.difficulty_report(c.conn, c.as_of()),
        model=DifficultyReport,
    ),
    Endpoint(
        name="difficulty_history",
        path="/difficulty/history",
        summary="Every past retarget known at a moment: difficulty, change, time.",
        cli="minerscope difficulty --history --json",
        params=(AT, FROM, TO),
        call=_difficulty_history,
        model=retargets.RetargetHistory,
    ),
    Endpoint(
        name="machines",
        summary="Every catalog machine's revenue, power cost, profit and breakevens per day.",
        cli="minerscope machines --json",
        params=(
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
        ),  # fmt: skip
        call=_machines,
        model=MachinesReport,
    ),
    Endpoint(
        name="fleet",
        method="POST",
        summary="A fleet's revenue, costs and profit per day (the posted fleet is not stored).",
        cli="minerscope fleet FLEET.toml --json",
        params=(AT, BTC_PRICE, DIFFICULTY, FEES),
        call=_fleet,
        model=FleetReport,
        body_media_type="text/plain",
        body_description=(
            "The fleet document, TOML (docs/fleet-format.md). Sites give fixed power prices"
            " (power_price_csv names a server file and is refused)."
        ),
    ),
    Endpoint(
        name="economics",
        summary="Daily history: revenue, hashprice, hashvalue, Puell, cost range, our index.",
        cli="minerscope economics --json",
        params=(AT, FROM, TO),
        call=_economics,
        model=EconomicsHistory,
    ),
    Endpoint(
        name="data",
        summary="What the database holds, and a version that changes when the data does.",
        cli="(none: the dashboard's time control and refresh)",
        params=(),
        call=lambda c: data_range(c.conn, version=c.version),
        model=DataRange,
    ),
)


# --- running endpoints ----------------------------------------------------------------------


async def run_endpoint(
    engine: Engine,
    ep: Endpoint,
    at: str | None,
    values: dict[str, Any],
    *,
    body: bytes | None,
    instance: str,
) -> Answer:
    """Answer one endpoint for validated values (the API routes and the dashboard's figures)."""
    try:
        spec = parse_at(at)
    except InputError as exc:
        p = from_exception(exc, instance=instance, paths=())
        return Answer(p.status, render(p), PROBLEM_MEDIA_TYPE, "")
    text: str | None = None
    body_key = ""
    if body is not None:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            p = problem(422, "the request body is not UTF-8 text", instance=instance)
            return Answer(422, render(p), PROBLEM_MEDIA_TYPE, "")
        body_key = hashlib.sha256(body).hexdigest()
    names = [p.name for p in ep.params if p.name != "at"]
    key = (ep.name, at, tuple((n, freeze_value(values.get(n))) for n in names), body_key)
    args = {"at": at, "spec": spec, "values": values, "body": text}
    return await engine.answer(
        key, ep.call, args, uses_clock=at is None and bool(ep.params), instance=instance
    )


def endpoint_signature(params: tuple[Param, ...]) -> inspect.Signature:
    """A route signature FastAPI reads the query parameters from (``request`` first)."""
    return inspect.Signature(
        [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
        + [
            inspect.Parameter(
                p.name, inspect.Parameter.KEYWORD_ONLY, default=p.query(), annotation=p.annotation
            )
            for p in params
        ]
    )


def _handler(engine: Engine, ep: Endpoint) -> Callable[..., Any]:
    async def handler(request: Request, **values: Any) -> Response:
        at = values.pop("at", None)
        body = await request.body() if ep.method == "POST" else None
        answer = await run_endpoint(engine, ep, at, values, body=body, instance=request.url.path)
        if ep.method == "GET":
            engine.remember(request.url.path, request.scope["query_string"], answer)
        return to_response(answer, request)

    handler.__signature__ = endpoint_signature(ep.params)  # type: ignore[attr-defined]
    handler.__name__ = ep.name
    return handler


ERROR_STATUSES = (401, 404, 413, 422, 503)


def add_api(app: FastAPI, engine: Engine, endpoints: tuple[Endpoint, ...] = ENDPOINTS) -> None:
    """Register every endpoint of the table on ``app``."""
    for ep in endpoints:
        extra: dict[str, Any] = {}
        if ep.body_media_type:
            extra["requestBody"] = {
                "required": True,
                "description": ep.body_description,
                "content": {ep.body_media_type: {"schema": {"type": "string"}}},
            }
        app.add_api_route(
            ep.url,
            _handler(engine, ep),
            methods=[ep.method],
            name=ep.name,
            summary=ep.summary,
            description=f"The same document as `{ep.cli}`.",
            responses=problem_responses(*ERROR_STATUSES),
            openapi_extra=extra or None,
            tags=["api"],
        )
    app.state.endpoints = endpoints


def endpoint_schemas(endpoints: tuple[Endpoint, ...]) -> dict[str, dict[str, Any]]:
    """The 200-response schema of each endpoint, by URL (its document class, by reference)."""
    return {ep.url: {"$ref": f"#/components/schemas/{ep.model.__name__}"} for ep in endpoints}


def now_clock() -> float:
    """The default clock."""
    return time.time()


__all__ = [
    "API_PREFIX",
    "AT",
    "ENDPOINTS",
    "Call",
    "Endpoint",
    "Param",
    "add_api",
    "endpoint_schemas",
    "endpoint_signature",
    "run_endpoint",
]
