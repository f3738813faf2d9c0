"""The dashboard: server-rendered page shells and the figures they draw.

Pages (``/``, ``/economics``, ``/machines``, ``/fleet``) are Jinja2 shells; their script
(``static/dashboard.js``) fetches the API's documents for every number it shows and
``/figures/PAGE`` for the charts: the chart specifications of :mod:`minerscope.charts.builders`
(the ones ``minerscope plot`` and ``report`` draw) from the same documents (through the same
cache), rendered by :func:`minerscope.charts.plotly.figure`. A page takes ``?at=TIME`` and
keeps it in every link and request, so any past moment replays on every page; it polls
``/api/v1/data`` and redraws when the data version changes (after a sync).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from ..charts import builders as charts
from ..charts.plotly import figure
from .api import AT, Endpoint, Param, endpoint_signature, run_endpoint
from .api import ENDPOINTS as API_ENDPOINTS
from .engine import Answer, Call, Engine

BY_NAME: dict[str, Endpoint] = {ep.name: ep for ep in API_ENDPOINTS}
DAYS = Param("days", int, 730, "Days of history the charts show. [days]", ge=7, le=36_500)
PAGES = (
    ("network", "/", "Network"),
    ("economics", "/economics", "Economics"),
    ("machines", "/machines", "Machines"),
    ("fleet", "/fleet", "Fleet"),
)
EXAMPLE_FLEET = """\
# A fleet (docs/fleet-format.md). Sites need fixed power prices here.
[fleet]
name = "my-fleet"
pool_fee_pct = 2.0
fixed_opex_usd_per_day = 500.0

[sites.texas]
power_price_usd_per_kwh = 0.045
pue = 1.08

[sites.hosted]
power_price_usd_per_kwh = 0.072
pue = 1.02
hosting_fee_usd_per_kwh = 0.008

[[groups]]
name = "s21-hall-a"
site = "texas"
model = "Antminer S21"
count = 1200
uptime_pct = 97
capex_usd_per_machine = 2800

[[groups]]
name = "m60s-legacy"
site = "texas"
model = "WhatsMiner M60S"
count = 400
uptime_pct = 95

[[groups]]
name = "s19xp-plus-hyd"
site = "hosted"
model = "Antminer S19 XP+ Hyd"
count = 250
uptime_pct = 98
"""


@dataclass(frozen=True)
class FigurePage:
    """The figures of one page: which documents (endpoint name -> its values from the page's
    values) and the builder from those documents to ``{figure name: figure}``."""

    params: tuple[Param, ...]
    docs: dict[str, Callable[[dict[str, Any]], dict[str, Any]]]
    optional: frozenset[str]
    build: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]
    method: str = "GET"


def _from_date(days: int, as_of: dict[str, Any]) -> str:
    t = as_of.get("data_time_s") or as_of["time_s"]
    return (datetime.fromtimestamp(t, tz=UTC) - timedelta(days=days)).strftime("%Y-%m-%d")


def _network(docs: dict[str, Any], v: dict[str, Any]) -> dict[str, Any]:
    hist = docs["difficulty_history"]
    d = {"hashrate": docs["hashrate"], "difficulty_history": hist,
         "difficulty": docs.get("difficulty")}  # fmt: skip
    return {
        "hashrate": figure(charts.hashrate_chart(d)),
        "drawdown": figure(charts.drawdown_chart(d)),
        "block_times": figure(charts.blocktimes_chart(d)),
        "blocks_per_day": figure(charts.blocks_per_day_chart(d)),
        # every retarget is drawn; the view starts ``days`` before the data's moment
        "difficulty": figure(
            charts.difficulty_chart(d), x_from=_from_date(v["days"], hist["as_of"])
        ),
        "halving": figure(charts.halving_chart(d)),
    }


def _economics(docs: dict[str, Any], v: dict[str, Any]) -> dict[str, Any]:
    days = v["days"]
    return {
        "hashprice": figure(charts.hashprice_chart(docs, days=days)),
        "hashvalue": figure(charts.hashvalue_chart(docs, days=days)),
        "revenue": figure(charts.revenue_chart(docs, days=days)),
        "cost": figure(charts.cost_chart(docs, days=days)),
        "puell": figure(charts.puell_chart(docs, days=days)),
        "index": figure(charts.sustainability_chart(docs, days=days)),
    }


FIGURE_PAGES: dict[str, FigurePage] = {
    "network": FigurePage(
        params=(AT, DAYS),
        docs={
            "hashrate": lambda v: {
                "window_blocks": None,
                "window_days": None,
                "lookback_days": 90,
                "series_days": v["days"],
            },
            "difficulty": lambda v: {},
            "difficulty_history": lambda v: {"from_date": None, "to_date": None},
        },  # fmt: skip
        optional=frozenset({"difficulty"}),
        build=_network,
    ),
    "economics": FigurePage(
        params=(AT, DAYS),
        docs={"economics": lambda v: {"from_date": None, "to_date": None}},
        optional=frozenset(),
        build=_economics,
    ),
    "machines": FigurePage(
        params=BY_NAME["machines"].params,
        docs={"machines": lambda v: dict(v)},
        optional=frozenset(),
        build=lambda d, v: {"breakeven": figure(charts.machines_chart(d))},
    ),
    "fleet": FigurePage(
        params=BY_NAME["fleet"].params,
        docs={"fleet": lambda v: dict(v)},
        optional=frozenset(),
        build=lambda d, v: {"fleet": figure(charts.fleet_chart(d))},
        method="POST",
    ),
}


def _figures_handler(engine: Engine, name: str, page: FigurePage) -> Callable[..., Any]:
    async def handler(request: Request, **values: Any) -> Response:
        at = values.pop("at", None)
        instance = request.url.path
        body = await request.body() if page.method == "POST" else None
        names = list(page.docs)
        answers: list[Answer] = await asyncio.gather(
            *(
                run_endpoint(engine, BY_NAME[n], at, page.docs[n](values), body=body,
                             instance=instance)
                for n in names
            )
        )  # fmt: skip
        for n, a in zip(names, answers, strict=True):
            if a.status != 200 and n not in page.optional:
                return Response(a.body, status_code=a.status, media_type=a.media_type)
        bodies = {n: a.body for n, a in zip(names, answers, strict=True) if a.status == 200}
        opts = dict(values)

        def build(_: Call) -> Any:
            return page.build({n: json.loads(b) for n, b in bodies.items()}, opts)

        key = ("figures", name, at, tuple(sorted((k, repr(v)) for k, v in values.items())),
               tuple(a.etag for a in answers))  # fmt: skip
        answer = await engine.answer(
            key, build, {"at": at, "spec": None, "values": {}, "body": None},
            uses_clock=at is None, instance=instance,
        )  # fmt: skip
        return Response(answer.body, status_code=answer.status, media_type=answer.media_type,
                        headers={"Cache-Control": "no-cache"})  # fmt: skip

    handler.__signature__ = endpoint_signature(page.params)  # type: ignore[attr-defined]
    handler.__name__ = f"figures_{name}"
    return handler


def add_dashboard(app: FastAPI, engine: Engine, templates: Jinja2Templates) -> None:
    """Register the pages and their figure routes on ``app``."""
    for name, page in FIGURE_PAGES.items():
        app.add_api_route(
            f"/figures/{name}",
            _figures_handler(engine, name, page),
            methods=[page.method],
            include_in_schema=False,
        )

    def page_route(name: str, title: str) -> Callable[..., Any]:
        async def page(request: Request) -> HTMLResponse:
            at = request.query_params.get("at", "")
            return templates.TemplateResponse(
                request,
                f"{name}.html",
                {
                    "page": name,
                    "title": title,
                    "pages": PAGES,
                    "at": at[:64],
                    "refresh_s": app.state.refresh_s,
                    "example_fleet": EXAMPLE_FLEET,
                },
            )

        page.__name__ = f"page_{name}"
        return page

    for name, path, title in PAGES:
        app.add_api_route(path, page_route(name, title), methods=["GET"], include_in_schema=False)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(status_code=204)


__all__ = ["EXAMPLE_FLEET", "FIGURE_PAGES", "PAGES", "add_dashboard"]
