"""The web application: the REST API, the dashboard, OpenAPI and its docs, the guards.

:func:`create_app` builds a FastAPI app over one database file, which it only ever reads:
every computation opens a read-only connection, so a ``minerscope sync`` can write meanwhile
(WAL). Guards, outermost first:

- the ``Host`` header must be one of ``allowed_hosts`` (``serve`` sets the loopback names when
  it binds to loopback, so a web page elsewhere cannot reach the API by DNS rebinding);
- a request body larger than ``max_body_bytes`` gets a 413; every answer carries
  ``X-Content-Type-Options``, ``Referrer-Policy`` and a Content-Security-Policy that allows
  only this server's own scripts;
- CORS, only when ``cors_origins`` are given;
- with a ``token``, every request needs ``Authorization: Bearer TOKEN`` or the session cookie
  that ``POST /login`` sets (the browser's way in); the token never appears in an answer or
  a log line.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..results import AsOfInfo, Result
from . import dashboard
from .api import add_api, endpoint_schemas
from .engine import Engine, FastPath
from .problems import PROBLEM_MEDIA_TYPE, InvalidParam, Problem, problem, render

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "minerscope_session"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
    " img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:;"
    " frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


async def _send_problem(send: Send, p: Problem, extra: Sequence[tuple[bytes, bytes]] = ()) -> None:
    body = render(p)
    headers = [
        (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": p.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _hostname(host: str) -> str:
    if host.startswith("["):  # [::1]:8000
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class Guard:
    """Host check, body size limit and security headers (pure ASGI, so it is cheap)."""

    def __init__(
        self, app: ASGIApp, *, allowed_hosts: Sequence[str] | None, max_body_bytes: int
    ) -> None:
        self.app = app
        self.allowed = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        path = scope.get("path", "")
        if self.allowed is not None:
            host = _hostname(headers.get(b"host", b"").decode("latin-1")).lower()
            if host not in self.allowed:
                await _send_problem(send, problem(403, "this Host is not served", instance=path))
                return
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body_bytes):
            await _send_problem(send, self._too_large(path))
            return
        if scope["method"] in ("POST", "PUT", "PATCH"):
            chunks: list[bytes] = []
            size = 0
            more = True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.max_body_bytes:
                    await _send_problem(send, self._too_large(path))
                    return
                chunks.append(chunk)
                more = message.get("more_body", False)
            body = b"".join(chunks)
            sent = False

            async def replay() -> Message:
                nonlocal sent
                if sent:
                    return await receive()
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}

            receive = replay

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"content-security-policy", CSP.encode()),
                ]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _too_large(self, path: str) -> Problem:
        return problem(413, f"the request body is limited to {self.max_body_bytes:,} bytes",
                       instance=path)  # fmt: skip


def session_value(token: str) -> str:
    """The session cookie's value for a token (derived from it, not the token itself)."""
    return hmac.new(token.encode(), b"minerscope-session", hashlib.sha256).hexdigest()


class TokenAuth:
    """Every request needs the token (Bearer) or the session cookie; ``/login`` lets browsers in."""

    OPEN_PATHS = frozenset({"/login", "/static/dashboard.css"})

    def __init__(self, app: ASGIApp, *, token: str) -> None:
        self.app = app
        self.token = token.encode()
        self.session = session_value(token).encode()

    def _ok(self, headers: dict[bytes, bytes]) -> bool:
        auth = headers.get(b"authorization", b"")
        if auth[:7].lower() == b"bearer " and hmac.compare_digest(auth[7:].strip(), self.token):
            return True
        for part in headers.get(b"cookie", b"").split(b";"):
            name, _, value = part.strip().partition(b"=")
            if name == SESSION_COOKIE.encode() and hmac.compare_digest(value, self.session):
                return True
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.OPEN_PATHS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if self._ok(headers):
            await self.app(scope, receive, send)
            return
        if scope["method"] == "GET" and b"text/html" in headers.get(b"accept", b""):
            await send(
                {
                    "type": "http.response.start",
                    "status": 303,
                    "headers": [(b"location", b"/login"), (b"content-length", b"0")],
                }
            )
            await send({"type": "http.response.body", "body": b""})  # fmt: skip
            return
        p = problem(401, "send Authorization: Bearer TOKEN (the token `serve` was started with)",
                    instance=scope.get("path", ""))  # fmt: skip
        await _send_problem(send, p, [(b"www-authenticate", b'Bearer realm="minerscope"')])


def _query_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent or a value, never null: drop pydantic's ``anyOf [.., null]``
    and keep the value's schema with the annotations (format, description) on it."""
    branches = schema.get("anyOf")
    if not branches:
        return schema
    values = [b for b in branches if b.get("type") != "null"]
    if len(values) != 1:
        return schema
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    return {**values[0], **rest}


def _model_schemas(components: dict[str, Any], *models: type[Result]) -> None:
    """Put each document's schema (the published one, :meth:`Result.json_schema`) and the
    classes it holds into the OpenAPI components, by class name."""

    def put(name: str, schema: dict[str, Any]) -> None:
        if name in components and components[name] != schema:
            raise ValueError(f"two different result classes are named {name}")
        components[name] = schema

    for model in models:
        schema = model.json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            put(name, sub)
        for key in ("$schema", "$id"):  # a component is not a document of its own
            schema.pop(key, None)
        schema["title"] = model.__name__
        put(model.__name__, schema)


def create_app(
    db_path: str | Path,
    *,
    token: str | None = None,
    cors_origins: Sequence[str] = (),
    allowed_hosts: Sequence[str] | None = None,
    now_ttl_s: float = 10.0,
    request_timeout_s: float = 30.0,
    max_body_bytes: int = 2 * 1024 * 1024,
    cache_bytes: int = 256 * 1024 * 1024,
    workers: int = 2,
    refresh_s: float = 15.0,
    clock: Callable[[], float] = time.time,
) -> FastAPI:
    """The minerscope web app over one database (read only).

    Parameters
    ----------
    db_path : str or Path
        The SQLite database file.
    token : str, optional
        When given, every request needs it (``Authorization: Bearer``) or the login cookie.
    cors_origins : sequence of str
        Origins allowed to call the API from a browser; none (CORS off) by default.
    allowed_hosts : sequence of str, optional
        Host names the server answers to; None answers any.
    now_ttl_s : float
        How long a document asked for "now" is reused (it states its moment). [s]
    request_timeout_s : float
        How long a request waits for its answer before a 503. [s]
    max_body_bytes : int
        Largest request body (a posted fleet). [bytes]
    cache_bytes : int
        Size bound of the document cache. [bytes]
    workers : int
        Threads computing documents.
    refresh_s : float
        How often the dashboard checks whether the data changed. [s]
    clock : callable
        The wall clock, for "now". [Unix s]
    """
    path = Path(db_path)
    engine = Engine(
        path,
        clock=clock,
        now_ttl_s=now_ttl_s,
        request_timeout_s=request_timeout_s,
        cache_bytes=cache_bytes,
        workers=workers,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        engine.close()

    app = FastAPI(
        title="minerscope",
        version=__version__,
        description=(
            "Bitcoin mining economics from your own data. Every document is the same as the"
            " CLI's `--json`; errors are RFC 9457 problem documents."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.refresh_s = refresh_s
    app.state.token_required = token is not None
    add_api(app, engine)

    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.state.templates = templates
    dashboard.add_dashboard(app, engine, templates)
    _add_docs_and_static(app, templates, token)
    _add_error_handlers(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        comps = schema.setdefault("components", {}).setdefault("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            comps.pop(name, None)
        _model_schemas(comps, Problem, AsOfInfo, *(ep.model for ep in app.state.endpoints))
        for ep in app.state.endpoints:
            op = schema["paths"][ep.url][ep.method.lower()]
            for param in op.get("parameters", []):
                param["schema"] = _query_schema(param["schema"])
            op["responses"]["200"] = {
                "description": f"The document (as `{ep.cli}`).",
                "content": {"application/json": {"schema": endpoint_schemas((ep,))[ep.url]}},
            }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

    # add_middleware wraps the app: the first added runs innermost, the last outermost
    app.add_middleware(FastPath, engine=engine)
    if token is not None:
        app.add_middleware(TokenAuth, token=token)
    if cors_origins:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type"],
        )
    app.add_middleware(Guard, allowed_hosts=allowed_hosts, max_body_bytes=max_body_bytes)
    return app


def _add_docs_and_static(app: FastAPI, templates: Jinja2Templates, token: str | None) -> None:
    import plotly
    import swagger_ui_bundle

    plotly_js = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    immutable = {"Cache-Control": "public, max-age=31536000, immutable"}

    @app.get("/static/vendor/plotly.min.js", include_in_schema=False)
    async def plotly_min_js() -> FileResponse:
        return FileResponse(plotly_js, media_type="text/javascript", headers=immutable)

    app.mount(
        "/static/vendor/swagger",
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="swagger",
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        return templates.TemplateResponse(request, "docs.html", {"version": __version__})

    @app.get("/login", include_in_schema=False)
    async def login_form(request: Request) -> Response:
        if token is None:
            return RedirectResponse("/", status_code=303)
        return templates.TemplateResponse(request, "login.html", {"error": ""})

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        if token is None:
            return RedirectResponse("/", status_code=303)
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        given = (form.get("token") or [""])[0]
        if not hmac.compare_digest(given.encode(), token.encode()):
            return templates.TemplateResponse(
                request, "login.html", {"error": "wrong token"}, status_code=401
            )
        resp = RedirectResponse("/", status_code=303)
        resp.set_cookie(SESSION_COOKIE, session_value(token), httponly=True, samesite="strict")
        return resp


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        params = tuple(
            InvalidParam(str(e.get("loc", ["", "?"])[-1]), str(e.get("msg", "invalid")))
            for e in exc.errors()
        )
        detail = "; ".join(f"{p.name}: {p.reason}" for p in params) or "invalid request"
        p = problem(422, detail, instance=request.url.path, invalid_params=params)
        return Response(render(p), status_code=422, media_type=PROBLEM_MEDIA_TYPE)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = {404: f"no such page or endpoint: {request.url.path}",
                  405: f"{request.method} is not allowed here"}.get(
            exc.status_code, str(exc.detail))  # fmt: skip
        p = problem(exc.status_code, detail, instance=request.url.path)
        return Response(
            render(p), status_code=exc.status_code, media_type=PROBLEM_MEDIA_TYPE,
            headers=dict(exc.headers or {}),
        )  # fmt: skip

    @app.exception_handler(Exception)
    async def failed(request: Request, exc: Exception) -> Response:
        log.error("failed answering %s: %s", request.url.path, type(exc).__name__)
        p = problem(500, "the server failed to answer; the error is in its log",
                    instance=request.url.path)  # fmt: skip
        return Response(render(p), status_code=500, media_type=PROBLEM_MEDIA_TYPE)


__all__ = ["LOOPBACK_HOSTS", "create_app", "session_value"]
