"""Security: loopback by default, the token, limits, CORS, hosts, headers, no secrets out."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from minerscope.cli import app as cli_app
from minerscope.web import is_loopback
from minerscope.web.app import session_value
from tests.web.conftest import TOUCHSTONE

runner = CliRunner()
TOKEN = "t0ken-for-tests-7f3a9c"
RPC_PASSWORD = "rpc-pa55word-never-shown"


def test_loopback_addresses() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("127.8.9.1") and is_loopback("::1")
    assert is_loopback("localhost") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")
    assert not is_loopback("::") and not is_loopback("example.org")


def test_serve_refuses_a_public_address_without_a_token(db_path: Path) -> None:
    res = runner.invoke(cli_app, ["serve", "--host", "0.0.0.0", "--db", str(db_path)],
                        env={"MINERSCOPE_TOKEN": ""})  # fmt: skip
    assert res.exit_code == 2
    assert "give --token" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert not db_path.exists()  # refused before anything was opened


def test_serve_needs_an_existing_database(db_path: Path) -> None:
    res = runner.invoke(cli_app, ["serve", "--db", str(db_path)])
    assert res.exit_code == 1
    assert "does not exist" in res.stderr and "quickstart" in res.stderr
    assert not db_path.exists()


def test_serve_without_the_web_extra_says_how_to_install_it(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "fastapi", None)  # import fastapi -> ImportError
    res = runner.invoke(cli_app, ["serve", "--db", str(db_path)])
    assert res.exit_code == 1
    assert res.stderr.strip() == (
        "minerscope: error: the web server needs the web extra: pip install 'minerscope[web]'"
    )


@pytest.mark.shared
def test_every_request_needs_the_token(
    serve: Any, web_db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        # a `serve` command run earlier in the session let uvicorn's dictConfig stop these
        # loggers from propagating to the capture
        logging.getLogger(name).propagate = True
        logging.getLogger(name).disabled = False
    from minerscope.web import ServerThread, create_app

    srv = ServerThread(create_app(web_db, token=TOKEN), log_level="debug", access_log=True)
    srv.__enter__()
    seen: list[str] = []
    with httpx.Client(base_url=srv.url, follow_redirects=False) as c:
        for path in ("/api/v1/status", "/openapi.json", "/docs", "/static/dashboard.js",
                     "/figures/network"):  # fmt: skip
            r = c.get(path)
            assert r.status_code == 401, path
            assert r.headers["content-type"] == "application/problem+json"
            assert r.headers["www-authenticate"].startswith("Bearer")
            seen.append(r.text + str(r.headers))
        bad = c.get("/api/v1/status", headers={"authorization": "Bearer wrong"})
        assert bad.status_code == 401
        ok = c.get("/api/v1/status", params={"at": TOUCHSTONE},
                   headers={"authorization": f"Bearer {TOKEN}"})  # fmt: skip
        assert ok.status_code == 200
        seen.append(ok.text + str(ok.headers))
        # a browser is sent to the sign-in page, which sets a session cookie (not the token)
        page = c.get("/", headers={"accept": "text/html"})
        assert page.status_code == 303 and page.headers["location"] == "/login"
        assert c.get("/login").status_code == 200
        wrong = c.post("/login", data={"token": "nope"})
        assert wrong.status_code == 401
        signed = c.post("/login", data={"token": TOKEN})
        assert signed.status_code == 303
        cookie = signed.headers["set-cookie"]
        assert session_value(TOKEN) in cookie and TOKEN not in cookie
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        seen.append(wrong.text + signed.text + str(signed.headers))
        c.cookies.set("minerscope_session", session_value(TOKEN))
        assert c.get("/", headers={"accept": "text/html"}).status_code == 200
        assert c.get("/api/v1/data").status_code == 200
    srv.__exit__(None, None, None)
    assert all(TOKEN not in s for s in seen)
    server_log = "\n".join(  # the server's records (httpx, the client here, logs its own)
        r.getMessage() for r in caplog.records
        if r.name.startswith(("uvicorn", "minerscope", "fastapi", "starlette"))
    )  # fmt: skip
    assert "GET /api/v1/status" in server_log  # the access log was captured ...
    assert TOKEN not in server_log and session_value(TOKEN) not in server_log  # ... clean


@pytest.mark.shared
def test_no_secret_reaches_an_answer(
    serve: Any, web_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[rpc]\nurl = "http://127.0.0.1:8332/"\nuser = "alice"\npassword = "{RPC_PASSWORD}"\n'
    )
    monkeypatch.setenv("MINERSCOPE_CONFIG", str(config))
    srv = serve(web_db)
    with httpx.Client(base_url=srv.url) as c:
        texts = [c.get(u).text for u in (
            f"/api/v1/machines?at={TOUCHSTONE}", f"/api/v1/status?at={TOUCHSTONE}",
            "/api/v1/data", "/openapi.json", "/api/v1/machines?model=zzz", "/",
        )]  # fmt: skip
        texts.append(c.post("/api/v1/fleet", content="[fleet]\n").text)
    assert all(RPC_PASSWORD not in t and "alice" not in t for t in texts)
    assert all(str(tmp_path) not in t for t in texts)
    # an error about a server file names the file, not where it is
    rigs = tmp_path / "rigs.csv"
    rigs.write_text("vendor,model\nx,y\n")
    config.write_text(f'[machines]\ncatalogs = ["{rigs}"]\n')
    with httpx.Client(base_url=serve(web_db).url) as c:
        r = c.get("/api/v1/machines", params={"at": TOUCHSTONE})
    assert r.status_code == 422
    assert r.json()["detail"] == "rigs.csv:1, field 'hashrate_ths': missing column 'hashrate_ths'"
    assert str(tmp_path) not in r.text


@pytest.mark.shared
def test_request_body_is_limited(client: httpx.Client) -> None:
    big = "# padding\n" * 300_000  # 3 MB > the 2 MiB limit
    r = client.post("/api/v1/fleet", content=big)
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"

    def chunks() -> Any:  # no Content-Length: counted as it streams
        for _ in range(300):
            yield b"#" * 10_000 + b"\n"

    r = client.post("/api/v1/fleet", content=chunks())
    assert r.status_code == 413


@pytest.mark.shared
def test_cors_is_off_unless_configured(client: httpx.Client, serve: Any, web_db: Path) -> None:
    origin = {"origin": "http://elsewhere.example"}
    r = client.get("/api/v1/data", headers=origin)
    assert "access-control-allow-origin" not in r.headers
    pre = client.options("/api/v1/data", headers={**origin,
                         "access-control-request-method": "GET"})  # fmt: skip
    assert "access-control-allow-origin" not in pre.headers
    srv = serve(web_db, cors_origins=["http://elsewhere.example"])
    with httpx.Client(base_url=srv.url) as c:
        r = c.get("/api/v1/data", headers=origin)
        assert r.headers["access-control-allow-origin"] == "http://elsewhere.example"
        other = c.get("/api/v1/data", headers={"origin": "http://third.example"})
        assert "access-control-allow-origin" not in other.headers


@pytest.mark.shared
def test_hosts_and_headers(serve: Any, web_db: Path) -> None:
    srv = serve(web_db, allowed_hosts=["127.0.0.1", "localhost"])
    with httpx.Client(base_url=srv.url) as c:
        ok = c.get("/api/v1/data")
        assert ok.status_code == 200
        assert ok.headers["x-content-type-options"] == "nosniff"
        assert "script-src 'self'" in ok.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in ok.headers["content-security-policy"]
        assert "server" not in ok.headers
        rebound = c.get("/api/v1/data", headers={"host": "attacker.example"})
        assert rebound.status_code == 403
        assert rebound.headers["content-type"] == "application/problem+json"


@pytest.mark.shared
def test_the_serve_command_serves_loopback_only(web_db: Path) -> None:
    import socket
    import subprocess
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "minerscope", "serve", "--port", str(port), "--db", str(web_db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**__import__("os").environ, "MINERSCOPE_TOKEN": ""},
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                r = httpx.get(url + "/api/v1/data", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert r.status_code == 200 and r.json()["blocks"] == 25_118
        # bound to loopback, it answers loopback names only (no DNS rebinding)
        assert httpx.get(url + "/api/v1/data", headers={"host": f"localhost:{port}"}).is_success
        assert (
            httpx.get(url + "/api/v1/data", headers={"host": "rebind.example"}).status_code == 403
        )
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert f"serving web.sqlite at http://127.0.0.1:{port}/" in err
