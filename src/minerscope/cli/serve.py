"""Command ``serve``: the REST API and the dashboard under uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from ..errors import InputError
from ..storage import resolve_db_path
from ._app import app
from ._output import EXIT_USAGE, DbOption, JsonOption

WEB_EXTRA_HINT = "the web server needs the web extra: pip install 'minerscope[web]'"
TOKEN_ENV = "MINERSCOPE_TOKEN"


@app.command("serve")
def serve_cmd(
    host: Annotated[
        str,
        typer.Option("--host", help="Address to bind; a non-loopback address needs --token."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="TCP port.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar=TOKEN_ENV,
            show_envvar=True,
            help="Every request must carry it (Authorization: Bearer TOKEN, or sign in at"
            " /login). Prefer the environment variable: a command line is visible to others.",
            show_default=False,
        ),
    ] = None,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option("--cors-origin", help="Allow browser calls from this origin; repeatable."),
    ] = None,
    request_timeout_s: Annotated[
        float,
        typer.Option("--request-timeout-s", min=0.1, max=600, help="Answer within [s] or 503."),
    ] = 30.0,
    now_ttl_s: Annotated[
        float,
        typer.Option(
            "--now-ttl-s", min=0.0, max=3600, help="Reuse a 'now' document this long [s]."
        ),
    ] = 10.0,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """Serve the REST API (/api/v1/..., OpenAPI at /openapi.json, docs at /docs) and the dashboard at /.

    Reads the database only (a sync may write meanwhile). Binds 127.0.0.1 unless told
    otherwise; any other address needs --token. --json prints the address as JSON once the
    server is up. Stop with Ctrl-C.

    Example: minerscope serve --host 127.0.0.1 --port 8000 --db minerscope.sqlite
    """
    try:
        import fastapi  # noqa: F401
        import jinja2  # noqa: F401
        import plotly  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        typer.echo(f"minerscope: error: {WEB_EXTRA_HINT}", err=True)
        raise typer.Exit(1) from None
    from ..web import create_app, is_loopback, make_server
    from ..web.app import LOOPBACK_HOSTS

    loopback = is_loopback(host)
    if not loopback and not token:
        typer.echo(
            f"minerscope: error: --host {host} is reachable from other machines: give --token"
            f" (or set ${TOKEN_ENV}), or bind 127.0.0.1",
            err=True,
        )
        raise typer.Exit(EXIT_USAGE)
    path = resolve_db_path(db)
    if not path.exists():
        raise InputError(
            f"database {path} does not exist: fill it first (`minerscope quickstart"
            " ../shared/data` or `minerscope sync`)",
            field="--db",
        )
    web_app = create_app(
        path,
        token=token or None,
        cors_origins=cors_origin or (),
        allowed_hosts=(*LOOPBACK_HOSTS, host) if loopback else None,
        request_timeout_s=request_timeout_s,
        now_ttl_s=now_ttl_s,
        workers=min(4, os.cpu_count() or 2),
    )
    server = make_server(web_app, host=host, port=port)
    shown = f"[{host}]" if ":" in host else host
    if json_out:
        import json

        typer.echo(json.dumps({"url": f"http://{shown}:{port}/", "api": "/api/v1/",
                               "token_required": bool(token)}))  # fmt: skip
    else:
        typer.echo(
            f"minerscope: serving {path.name} at http://{shown}:{port}/ (API /api/v1/, docs"
            f" /docs){'; token required' if token else ''}",
            err=True,
        )
    server.run()
