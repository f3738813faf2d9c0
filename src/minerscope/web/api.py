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

from fastapi import FastAPI, Request
from fastapi.responses import Response

from ..errors import InputError
from ..params import (
    MAX_DAYS,
    MAX_LOOKBACK_DAYS,
    MAX_WINDOW_BLOCKS,
    parse_at,
)
from ..report import network as network_report
from ..report import retargets
from ..report import status as status_report
from ..report.curtail import CurtailDocument
from ..report.decisions_docs import RoiDocument
from ..report.econ_grid import GridDocument
from ..report.econ_results import EconomicsHistory, FleetReport, MachinesReport
from ..report.network_results import DifficultyReport, HashrateReport
from ..report.pools_results import PoolsReport
from ..report.scenario import ScenarioDocument
from ..report.status_results import StatusDocument
from ..report.web_data import DataRange, data_range
from ..results import Result
from ..signals.composite import CompositeStudy
from ..signals.contraction import ContractionStudy
from ..signals.ribbons import RibbonsStudy
from ..signals.state import SignalsReport
from . import api_calls
from .api_params import (
    AT,
    BTC_PRICE,
    CURTAIL_BODY_SCHEMA,
    CURTAIL_PARAMS,
    DIFFICULTY,
    FEES,
    FROM,
    GRID_PARAMS,
    MACHINE_PARAMS,
    POOL_PARAMS,
    ROI_BUY,
    ROI_PATHS,
    SCENARIO_PARAMS,
    SIGNAL_FROM,
    SIGNAL_TO,
    STUDY_COMMON,
    STUDY_HORIZON,
    TO,
    Param,
    bool_param,
    int_param,
)
from .engine import Answer, Call, Engine, freeze_value, to_response
from .problems import PROBLEM_MEDIA_TYPE, from_exception, problem, problem_responses, render

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"


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
    body_schema: dict[str, Any] | None = None

    @property
    def url(self) -> str:
        """The endpoint's path under the API prefix."""
        return API_PREFIX + (self.path or "/" + self.name)


# --- the parameters (the CLI's options) -----------------------------------------------------


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
        call=api_calls.hashrate,
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
        call=api_calls.difficulty_history,
        model=retargets.RetargetHistory,
    ),
    Endpoint(
        name="machines",
        summary="Every catalog machine's revenue, power cost, profit and breakevens per day.",
        cli="minerscope machines --json",
        params=MACHINE_PARAMS,
        call=api_calls.machines,
        model=MachinesReport,
    ),
    Endpoint(
        name="fleet",
        method="POST",
        summary="A fleet's revenue, costs and profit per day (the posted fleet is not stored).",
        cli="minerscope fleet FLEET.toml --json",
        params=(AT, BTC_PRICE, DIFFICULTY, FEES),
        call=api_calls.fleet,
        model=FleetReport,
        body_media_type="text/plain",
        body_description=(
            "The fleet document, TOML (docs/fleet-format.md). Sites give fixed power prices"
            " (power_price_csv names a server file and is refused)."
        ),
    ),
    Endpoint(
        name="machines_grid",
        path="/machines/grid",
        summary="Each catalog machine's profit (or a breakeven) over a sensitivity grid.",
        cli="minerscope machines --grid KEY=START:STOP:STEP --json",
        params=(
            *(p for p in MACHINE_PARAMS if p.name != "sort"),
            *GRID_PARAMS,
            Param(
                "grid_metric",
                str,
                "profit",
                "profit | breakeven-btc-price | breakeven-power-price",
                max_length=32,
            ),
        ),  # fmt: skip
        call=api_calls.machines_grid,
        model=GridDocument,
    ),
    Endpoint(
        name="fleet_grid",
        path="/fleet/grid",
        method="POST",
        summary="A posted fleet's cash and all-in profit over a sensitivity grid.",
        cli="minerscope fleet FLEET.toml --grid KEY=START:STOP:STEP --json",
        params=(AT, BTC_PRICE, DIFFICULTY, FEES, *GRID_PARAMS),
        call=api_calls.fleet_grid,
        model=GridDocument,
        body_media_type="text/plain",
        body_description="The fleet document, TOML, with fixed power prices (no server files).",
    ),
    Endpoint(
        name="economics",
        summary="Daily history: revenue, hashprice, hashvalue, Puell, cost range, our index.",
        cli="minerscope economics --json",
        params=(AT, FROM, TO),
        call=api_calls.economics,
        model=EconomicsHistory,
    ),
    Endpoint(
        name="pools",
        summary="Who mines: blocks, shares, hash rate, luck and BTC/day per pool; HHI, Nakamoto.",
        cli="minerscope pools --json",
        params=POOL_PARAMS,
        call=api_calls.pools,
        model=PoolsReport,
    ),
    Endpoint(
        name="pools_history",
        path="/pools/history",
        summary="The pools document with each pool's share on each day of the window.",
        cli="minerscope pools --history --json",
        params=POOL_PARAMS,
        call=lambda c: api_calls.pools(c, history=True),
        model=PoolsReport,
    ),
    Endpoint(
        name="signals",
        summary="Every signal's state at a moment, since when, and the changes over a range.",
        cli="minerscope signals --json",
        params=(
            AT,
            Param(
                "from_date",
                str | None,
                None,
                "History from (YYYY-MM-DD; default: a year before).",
                alias="from",
                max_length=32,
                format="date",
            ),
            Param(
                "to_date",
                str | None,
                None,
                "History to (YYYY-MM-DD; default: at).",
                alias="to",
                max_length=32,
                format="date",
            ),
        ),
        call=api_calls.signals,
        model=SignalsReport,
    ),  # fmt: skip
    Endpoint(
        name="study_contraction",
        path="/study/contraction",
        summary="Does negative hash-rate growth precede price gains? Episodes, bootstrap, p.",
        cli="minerscope study contraction --json",
        params=(
            int_param(
                "lookback_days",
                90,
                "L: days over which hash-rate growth is taken. [days]",
                ge=1,
                le=MAX_LOOKBACK_DAYS,
            ),
            STUDY_HORIZON,
            int_param(
                "smoothing_days",
                30,
                "S: trailing mean of the daily hash rate. [days]",
                ge=1,
                le=365,
            ),
            Param(
                "from_date",
                str | None,
                "2014-01-01",
                "First signal day (YYYY-MM-DD).",
                alias="from",
                max_length=32,
                format="date",
            ),
            SIGNAL_TO,
            bool_param("sensitivity", True, "The grid over L, S and N."),
            *STUDY_COMMON[1:],
        ),  # fmt: skip
        call=api_calls.study("contraction"),
        model=ContractionStudy,
    ),
    Endpoint(
        name="study_ribbons",
        path="/study/ribbons",
        summary="Hash Ribbons: every capitulation, recovery and buy signal, and what followed.",
        cli="minerscope study ribbons --json",
        params=(SIGNAL_FROM, SIGNAL_TO, *STUDY_COMMON),
        call=api_calls.study("ribbons"),
        model=RibbonsStudy,
    ),
    Endpoint(
        name="study_composite",
        path="/study/composite",
        summary="Backtest of minerscope's open composite score, by score bucket.",
        cli="minerscope study composite --json",
        params=(SIGNAL_FROM, SIGNAL_TO, *STUDY_COMMON),
        call=api_calls.study("composite"),
        model=CompositeStudy,
    ),
    Endpoint(
        name="roi",
        summary="Return on investment of machines bought new, over simulated paths.",
        cli='minerscope roi --model "..." --count N --unit-price-usd P --json',
        params=(AT, *ROI_BUY, *ROI_PATHS),
        call=api_calls.roi,
        model=RoiDocument,
    ),
    Endpoint(
        name="roi_fleet",
        path="/roi/fleet",
        method="POST",
        summary="Return on investment of a posted fleet over simulated paths.",
        cli="minerscope roi FLEET.toml --json",
        params=(AT, *ROI_PATHS),
        call=api_calls.roi_fleet,
        model=RoiDocument,
        body_media_type="text/plain",
        body_description=(
            "The fleet document, TOML (docs/fleet-format.md), with fixed power prices; it"
            " may not name server files (power_price_csv, cp_intervals_csv)."
        ),
    ),
    Endpoint(
        name="scenario",
        summary="What-ifs against a baseline: hash rate leaving, an outage, a forced change.",
        cli="minerscope scenario --json",
        params=SCENARIO_PARAMS,
        call=api_calls.scenario,
        model=ScenarioDocument,
    ),
    Endpoint(
        name="scenario_fleet",
        path="/scenario/fleet",
        method="POST",
        summary="A what-if with a posted fleet's cash profit against the baseline.",
        cli="minerscope scenario FLEET.toml --json",
        params=SCENARIO_PARAMS,
        call=api_calls.scenario_fleet,
        model=ScenarioDocument,
        body_media_type="text/plain",
        body_description=("The fleet document, TOML, with fixed power prices (no server files)."),
    ),
    Endpoint(
        name="curtail",
        method="POST",
        summary="Run or stop each group hour by hour at posted hourly power prices.",
        cli="minerscope curtail FLEET.toml --prices PRICES.csv --json",
        params=CURTAIL_PARAMS,
        call=api_calls.curtail,
        model=CurtailDocument,
        body_media_type="application/json",
        body_schema=CURTAIL_BODY_SCHEMA,
        body_description=(
            "The fleet (TOML text) and one hourly price CSV (text) for every site, as the"
            " CLI's --prices; nothing names a server file."
        ),
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
                "content": {ep.body_media_type: {"schema": ep.body_schema or {"type": "string"}}},
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
