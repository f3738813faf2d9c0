"""The REST API against a real server: the CLI's documents, problem documents, OpenAPI."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from minerscope.cli import app as cli_app
from minerscope.web.api import ENDPOINTS
from tests.test_schemas import validate
from tests.web.conftest import TOUCHSTONE

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DOCS = Path(__file__).resolve().parents[2] / "docs"
runner = CliRunner()

# (CLI arguments, API path and query): the same question asked both ways.
SAME_QUERIES: list[tuple[list[str], str, dict[str, Any]]] = [
    (["status", "--at", TOUCHSTONE], "/api/v1/status", {"at": TOUCHSTONE}),
    (["status", "--at", "2015-06-01"], "/api/v1/status", {"at": "2015-06-01"}),
    (["status", "--at", "height:933408"], "/api/v1/status", {"at": "height:933408"}),
    (["hashrate", "--at", TOUCHSTONE], "/api/v1/hashrate", {"at": TOUCHSTONE}),
    (["hashrate", "--at", TOUCHSTONE, "--window-days", "7", "--series-days", "40"],
     "/api/v1/hashrate", {"at": TOUCHSTONE, "window_days": 7, "series_days": 40}),
    (["hashrate", "--at", "2026-04-01", "--lookback-days", "30"], "/api/v1/hashrate",
     {"at": "2026-04-01", "lookback_days": 30}),
    (["difficulty", "--at", TOUCHSTONE], "/api/v1/difficulty", {"at": TOUCHSTONE}),
    (["difficulty", "--at", "2020-05-01"], "/api/v1/difficulty", {"at": "2020-05-01"}),
    (["machines", "--at", "2026-02-01", "--model", "S21", "--model", "M60S",
      "--power-price-usd-per-kwh", "0.06", "--pool-fee-pct", "2", "--overhead-pct", "8",
      "--sort", "breakeven"], "/api/v1/machines",
     {"at": "2026-02-01", "model": ["S21", "M60S"], "power_price_usd_per_kwh": 0.06,
      "pool_fee_pct": 2, "overhead_pct": 8, "sort": "breakeven"}),
    (["machines", "--at", "2026-02-01", "--difficulty", "141.67T", "--fees-btc-per-block",
      "0.02", "--btc-price-usd", "70000"], "/api/v1/machines",
     {"at": "2026-02-01", "difficulty": "141.67T", "fees_btc_per_block": 0.02,
      "btc_price_usd": 70000}),
    (["economics", "--at", TOUCHSTONE, "--from", "2026-01-01", "--to", "2026-01-31"],
     "/api/v1/economics", {"at": TOUCHSTONE, "from": "2026-01-01", "to": "2026-01-31"}),
    (["difficulty", "--history", "--at", TOUCHSTONE, "--from", "2025-06-01"],
     "/api/v1/difficulty/history", {"at": TOUCHSTONE, "from": "2025-06-01"}),
    (["difficulty", "--history", "--at", "2025-12-11T03:47:41Z"], "/api/v1/difficulty/history",
     {"at": "2025-12-11T03:47:41Z"}),
]  # fmt: skip
#: The published schema of each endpoint's document (docs/schemas).
DOCUMENT_OF = {ep.url: ep.model.DOCUMENT for ep in ENDPOINTS}


def cli_json(*args: str, db: Path) -> Any:
    res = runner.invoke(cli_app, [*args, "--json", "--db", str(db)])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.mark.shared
@pytest.mark.parametrize(("cli_args", "path", "query"), SAME_QUERIES)
def test_api_answers_the_cli_document(
    client: httpx.Client, web_db: Path, cli_args: list[str], path: str, query: dict[str, Any]
) -> None:
    r = client.get(path, params=query)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.json() == cli_json(*cli_args, db=web_db)
    validate(r.json(), DOCUMENT_OF[path])  # the published schema, as the CLI's


@pytest.mark.shared
def test_fleet_posted_equals_the_cli_file(client: httpx.Client, web_db: Path) -> None:
    text = (EXAMPLES / "fleet.toml").read_text()
    r = client.post("/api/v1/fleet", params={"at": "2026-02-05"}, content=text,
                    headers={"content-type": "text/plain"})  # fmt: skip
    assert r.status_code == 200, r.text
    api = r.json()
    cli = cli_json("fleet", str(EXAMPLES / "fleet.toml"), "--at", "2026-02-05", db=web_db)
    # The one documented difference: a posted fleet has no file path.
    assert api["fleet"].pop("path") == "posted fleet"
    assert cli["fleet"].pop("path").endswith("fleet.toml")
    assert api == cli
    assert api["switch_off_groups"] == ["s19xp-plus-hyd", "custom-rigs"]
    validate(r.json(), "fleet")


@pytest.mark.shared
def test_now_is_the_clock_and_says_so(client: httpx.Client) -> None:
    r = client.get("/api/v1/status")
    assert r.status_code == 200
    doc = r.json()
    assert doc["as_of"]["text"] == "now"
    # The reference data ends in 2026; "now" is the clock (or the data, if later).
    assert doc["as_of"]["time_s"] >= 1_779_580_799 - 86_400
    assert "Age" in r.headers and int(r.headers["Age"]) >= 0


def _assert_problem(r: httpx.Response, status: int, *needles: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    p = r.json()
    assert set(p) >= {"type", "title", "status", "detail", "instance"}
    assert p["status"] == status
    assert p["type"].startswith("https://minerscope.invalid/problems/")
    assert "Traceback" not in r.text and "/tmp" not in r.text and "site-packages" not in r.text
    for n in needles:
        assert n in p["detail"], p["detail"]
    return p


@pytest.mark.shared
def test_bad_input_is_one_problem_line(client: httpx.Client) -> None:
    p = _assert_problem(client.get("/api/v1/status", params={"at": "yesterday"}), 422,
                        "at: TIME 'yesterday' is not")  # fmt: skip
    assert p["invalid_params"] == [{"name": "at", "reason": p["detail"].removeprefix("at: ")}]
    _assert_problem(client.get("/api/v1/status", params={"at": "2026-02-01T08:40:17"}), 422,
                    "no time zone")  # fmt: skip
    _assert_problem(client.get("/api/v1/status", params={"at": "height:" + "9" * 30}), 422,
                    "out of range")  # fmt: skip
    p = _assert_problem(client.get("/api/v1/hashrate", params={"window_blocks": 1}), 422,
                        "window_blocks")  # fmt: skip
    assert p["invalid_params"][0]["name"] == "window_blocks"
    _assert_problem(
        client.get("/api/v1/hashrate", params={"window_blocks": 144, "window_days": 1}),
        422,
        "give --window-blocks or --window-days, not both",
    )
    _assert_problem(client.get("/api/v1/machines", params={"btc_price_usd": "inf"}), 422)
    _assert_problem(client.get("/api/v1/machines", params={"difficulty": "lots"}), 422,
                    "difficulty: 'lots' is not a difficulty")  # fmt: skip
    _assert_problem(client.get("/api/v1/machines", params={"pue": 1.2, "overhead_pct": 5}),
                    422, "give --pue or --overhead-pct")  # fmt: skip
    _assert_problem(client.get("/api/v1/machines", params={"model": "no-such-rig"}), 422,
                    "no catalog model matches")  # fmt: skip
    _assert_problem(client.get("/api/v1/economics", params={"from": "2026-02-30"}), 422,
                    "'2026-02-30' is not a date")  # fmt: skip
    _assert_problem(client.get("/api/v1/nothing-here"), 404, "/api/v1/nothing-here")
    _assert_problem(client.delete("/api/v1/status"), 405)


@pytest.mark.shared
def test_no_data_answers_404_with_the_hint(client: httpx.Client) -> None:
    p = _assert_problem(client.get("/api/v1/status", params={"at": "2008-01-01"}), 404,
                        "no blocks or daily rows")  # fmt: skip
    assert p["type"].endswith("/no-data")


@pytest.mark.shared
def test_fleet_problems(client: httpx.Client) -> None:
    hourly = (EXAMPLES / "fleet_hourly.toml").read_text()
    p = _assert_problem(client.post("/api/v1/fleet", content=hourly), 422,
                        "cannot name a file on the server", "power_price_csv")  # fmt: skip
    assert "posted fleet" in p["detail"]
    bad = "[fleet]\nname = 'x'\n[[groups]]\nname = 'a'\ncount = 'many'\n"
    _assert_problem(client.post("/api/v1/fleet", content=bad), 422, "posted fleet")
    _assert_problem(client.post("/api/v1/fleet", content="[fleet\n"), 422, "not valid TOML")
    _assert_problem(client.post("/api/v1/fleet", content=""), 422, "request body")
    _assert_problem(client.post("/api/v1/fleet", content=b"\xff\xfe"), 422, "UTF-8")


def test_an_empty_database_says_how_to_fill_it(serve: Any, db_path: Path) -> None:
    from minerscope import storage

    storage.connect(db_path).close()
    with httpx.Client(base_url=serve(db_path).url) as c:
        p = _assert_problem(c.get("/api/v1/status"), 404, "minerscope quickstart")
        assert str(db_path.parent) not in json.dumps(p)
        assert c.get("/api/v1/data").json()["blocks"] == 0


def test_a_missing_database_is_503_without_its_path(serve: Any, tmp_path: Path) -> None:
    from minerscope import storage

    path = tmp_path / "gone.sqlite"
    storage.connect(path).close()
    srv = serve(path)
    path.unlink()
    with httpx.Client(base_url=srv.url) as c:
        r = c.get("/api/v1/status")
        p = _assert_problem(r, 503, "not available")
        assert "gone.sqlite" not in r.text and str(tmp_path) not in r.text
        assert p["title"] == "Service unavailable"


@pytest.mark.shared
def test_openapi_lists_every_endpoint_with_its_schemas(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    for ep in ENDPOINTS:
        op = spec["paths"][ep.url][ep.method.lower()]
        ok = op["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok, ep.name
        for status in ("404", "422", "503"):
            assert "application/problem+json" in op["responses"][status]["content"]
        params = {p["name"] for p in op.get("parameters", [])}
        assert params == {p.alias or p.name for p in ep.params}, ep.name
    schemas = spec["components"]["schemas"]
    assert {"Problem", "AsOfInfo", "RetargetHistory", "Retarget", "DataRange"} <= set(schemas)
    # every 200 answer is its document class, with the published (strict) schema
    for ep in ENDPOINTS:
        published = json.loads(
            (DOCS / "schemas" / f"{ep.model.DOCUMENT}.schema.json").read_text(encoding="utf-8")
        )
        component = schemas[ep.model.__name__]
        assert component["required"] == published["required"], ep.name
        assert component["additionalProperties"] is False, ep.name
    assert "HTTPValidationError" not in schemas
    hashrate = {p["name"]: p for p in spec["paths"]["/api/v1/hashrate"]["get"]["parameters"]}
    assert hashrate["window_blocks"]["schema"]["minimum"] == 2
    assert hashrate["window_blocks"]["schema"]["type"] == "integer"  # absent or a value, not null
    assert hashrate["at"]["schema"]["format"] == "minerscope-time"
    assert "[days]" in hashrate["window_days"]["description"]


@pytest.mark.shared
def test_docs_work_offline(client: httpx.Client) -> None:
    html = client.get("/docs").text
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(u.startswith("/") or u.startswith("data:") for u in urls), urls
    for u in urls:
        if u.startswith("/"):
            assert client.get(u).status_code == 200, u
    page = client.get("/").text
    assert "/static/vendor/plotly.min.js" in page and "cdn" not in page.lower()
    js = client.get("/static/vendor/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000
    assert "immutable" in js.headers["cache-control"]


@pytest.mark.shared
def test_etag_gives_304(client: httpx.Client) -> None:
    r = client.get("/api/v1/difficulty", params={"at": TOUCHSTONE})
    tag = r.headers["etag"]
    again = client.get("/api/v1/difficulty", params={"at": TOUCHSTONE},
                       headers={"if-none-match": tag})  # fmt: skip
    assert again.status_code == 304 and again.content == b""


@pytest.mark.shared
def test_retarget_history_endpoint(client: httpx.Client) -> None:
    doc = client.get("/api/v1/difficulty/history", params={"at": TOUCHSTONE}).json()
    assert doc["count"] == len(doc["retargets"]) == 464  # epochs 0..463
    last = doc["retargets"][-1]
    assert (last["height"], last["bits_hex"], last["time_iso"]) == (
        933_408, "1701fca1", "2026-01-22T19:31:22Z")  # fmt: skip
    window = client.get("/api/v1/difficulty/history",
                        params={"at": TOUCHSTONE, "from": "2025-12-01"}).json()  # fmt: skip
    assert [r["epoch"] for r in window["retargets"]] == [460, 461, 462, 463]
    # epoch 460's first block: difficulty_adjustments_real_911232_933407.csv, first_block_time
    assert window["retargets"][0]["time_s"] == 1_765_424_862


# --- the newer commands: pools, signals, studies, roi, scenario, curtail -----------------


BUY = ["--model", "Antminer S21 XP Hyd", "--count", "10", "--unit-price-usd", "6500"]
BUY_Q = {"model": "Antminer S21 XP Hyd", "count": 10, "unit_price_usd": 6500}
#: The newer endpoints' (CLI arguments, API path and query), on the reference data plus the
#: pool attributions; few paths and resamples keep the table fast.
NEWER_QUERIES: list[tuple[list[str], str, dict[str, Any]]] = [
    (["pools", "--at", TOUCHSTONE], "/api/v1/pools", {"at": TOUCHSTONE}),
    (["pools", "--at", TOUCHSTONE, "--window-days", "30", "--trailing-days", "60"],
     "/api/v1/pools", {"at": TOUCHSTONE, "window_days": 30, "trailing_days": 60}),
    (["pools", "--at", TOUCHSTONE, "--window-days", "2", "--history"], "/api/v1/pools/history",
     {"at": TOUCHSTONE, "window_days": 2}),
    (["signals", "--at", "2026-02-01"], "/api/v1/signals", {"at": "2026-02-01"}),
    (["signals", "--at", "2026-02-01", "--from", "2025-06-01", "--to", "2025-12-31"],
     "/api/v1/signals", {"at": "2026-02-01", "from": "2025-06-01", "to": "2025-12-31"}),
    (["study", "contraction", "--no-sensitivity", "--resamples", "100", "--lookback-days", "60",
      "--seed", "7"], "/api/v1/study/contraction",
     {"sensitivity": "false", "resamples": 100, "lookback_days": 60, "seed": 7}),
    (["study", "ribbons", "--resamples", "100", "--from", "2016-01-01", "--horizon-days", "90"],
     "/api/v1/study/ribbons", {"resamples": 100, "from": "2016-01-01", "horizon_days": 90}),
    (["study", "composite", "--resamples", "100"], "/api/v1/study/composite",
     {"resamples": 100}),
    (["roi", *BUY, "--paths", "40", "--horizon-days", "30", "--at", TOUCHSTONE],
     "/api/v1/roi", {**BUY_Q, "paths": 40, "horizon_days": 30, "at": TOUCHSTONE}),
    (["roi", *BUY, "--paths", "30", "--horizon-days", "60", "--at", TOUCHSTONE,
      "--price-method", "gbm", "--price-volatility-pct", "40", "--difficulty-method", "fixed",
      "--difficulty-growth-pct-per-epoch", "1.5", "--always-on", "--resale-pct", "20"],
     "/api/v1/roi", {**BUY_Q, "paths": 30, "horizon_days": 60, "at": TOUCHSTONE,
                     "price_method": "gbm", "price_volatility_pct": 40,
                     "difficulty_method": "fixed", "difficulty_growth_pct_per_epoch": 1.5,
                     "always_on": "true", "resale_pct": 20}),
    (["scenario", "--hashrate-leaves-pct", "10", "--from", "2026-02-10", "--over-days", "5",
      "--horizon-days", "30", "--paths", "40", "--at", TOUCHSTONE], "/api/v1/scenario",
     {"hashrate_leaves_pct": 10, "from": "2026-02-10", "over_days": 5, "horizon_days": 30,
      "paths": 40, "at": TOUCHSTONE}),
    (["scenario", "--difficulty-change-pct", "-5", "--horizon-days", "20", "--paths", "30",
      "--at", TOUCHSTONE], "/api/v1/scenario",
     {"difficulty_change_pct": -5, "horizon_days": 20, "paths": 30, "at": TOUCHSTONE}),
]  # fmt: skip
NEWER_DOCUMENT = {ep.url: ep.model.DOCUMENT for ep in ENDPOINTS}


def _same_but_now(api: dict[str, Any], cli: dict[str, Any]) -> None:
    """Equal documents; a "now" document's clock (its as_of time) may differ by seconds."""
    if cli["as_of"]["text"] == "now":
        for doc in (api, cli):
            doc["as_of"].pop("time_s")
            doc["as_of"].pop("time_iso")
    assert api == cli


@pytest.fixture(scope="module")
def pools_web_db(pools_db_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The web database plus the pool attribution file (a private copy)."""
    from tests.conftest import copy_database

    return copy_database(pools_db_file, tmp_path_factory.mktemp("poolsweb") / "pools-web.sqlite")


@pytest.fixture(scope="module")
def pools_client(pools_web_db: Path) -> Any:
    from minerscope.web import ServerThread, create_app

    with (
        ServerThread(create_app(pools_web_db)) as srv,
        httpx.Client(base_url=srv.url, timeout=60) as c,
    ):
        yield c


@pytest.mark.shared
@pytest.mark.parametrize(("cli_args", "path", "query"), NEWER_QUERIES)
def test_newer_endpoints_answer_the_cli_document(
    pools_client: httpx.Client, pools_web_db: Path, cli_args: list[str], path: str,
    query: dict[str, Any],
) -> None:  # fmt: skip
    r = pools_client.get(path, params=query)
    assert r.status_code == 200, r.text
    api = r.json()
    validate(api, NEWER_DOCUMENT[path])
    _same_but_now(api, cli_json(*cli_args, db=pools_web_db))


@pytest.mark.shared
def test_roi_and_scenario_of_a_posted_fleet_equal_the_cli_file(
    client: httpx.Client, web_db: Path
) -> None:
    text = (EXAMPLES / "fleet.toml").read_text()
    q = {"at": TOUCHSTONE, "paths": 40, "horizon_days": 30}
    r = client.post("/api/v1/roi/fleet", params=q, content=text)
    assert r.status_code == 200, r.text
    api = r.json()
    validate(api, "roi")
    cli = cli_json("roi", str(EXAMPLES / "fleet.toml"), "--paths", "40", "--horizon-days", "30",
                   "--at", TOUCHSTONE, db=web_db)  # fmt: skip
    # the one documented difference: a posted fleet has no file path
    assert [f.pop("source") for f in api["fleets"]] == ["posted fleet"]
    assert [f.pop("source") for f in cli["fleets"]][0].endswith("fleet.toml")
    assert api == cli
    assert "minerscope-posted-" not in r.text
    q = {"at": TOUCHSTONE, "paths": 30, "horizon_days": 20, "hashrate_leaves_pct": 10,
         "from": "2026-02-05"}  # fmt: skip
    r = client.post("/api/v1/scenario/fleet", params=q, content=text)
    assert r.status_code == 200, r.text
    cli = cli_json("scenario", str(EXAMPLES / "fleet.toml"), "--paths", "30", "--horizon-days",
                   "20", "--hashrate-leaves-pct", "10", "--from", "2026-02-05", "--at",
                   TOUCHSTONE, db=web_db)  # fmt: skip
    assert r.json() == cli and cli["fleet"] is not None
    validate(r.json(), "scenario")


def _fixed_price_fleet() -> str:
    """examples/fleet_hourly.toml with a fixed price in place of its server file."""
    lines = (EXAMPLES / "fleet_hourly.toml").read_text().splitlines()
    kept = [ln for ln in lines if not ln.startswith("power_price_")]
    at = kept.index("[sites.west]") + 1
    return "\n".join([*kept[:at], "power_price_usd_per_kwh = 0.05", *kept[at:]]) + "\n"


@pytest.mark.shared
@pytest.mark.parametrize("threshold_only", [True, False])
def test_curtail_posted_fleet_and_prices_equal_the_cli(
    client: httpx.Client, web_db: Path, tmp_path: Path, threshold_only: bool
) -> None:
    fleet = _fixed_price_fleet()
    prices = EXAMPLES / "fleet_hourly_power.csv"
    (tmp_path / "fleet.toml").write_text(fleet)
    extra = ["--threshold-only"] if threshold_only else []
    cli = cli_json("curtail", str(tmp_path / "fleet.toml"), "--prices", str(prices), "--node",
                   "HB_WEST", "--from", "2026-01-24", "--to", "2026-01-25", *extra,
                   db=web_db)  # fmt: skip
    q = {"from": "2026-01-24", "to": "2026-01-25", "node": "HB_WEST",
         "threshold_only": str(threshold_only).lower()}  # fmt: skip
    r = client.post("/api/v1/curtail", params=q,
                    json={"fleet": fleet, "prices_csv": prices.read_text()})  # fmt: skip
    assert r.status_code == 200, r.text
    api = r.json()
    validate(api, "curtail")
    # the one documented difference: the posted prices have no file path
    assert api["window"]["sites"]["west"].pop("price") == "posted prices"
    assert cli["window"]["sites"]["west"].pop("price").endswith("fleet_hourly_power.csv")
    assert api == cli
    assert len(api["rules"]) == (1 if threshold_only else 2)
    assert "minerscope-posted-" not in r.text and "/tmp" not in r.text


@pytest.mark.shared
def test_posted_fleets_never_name_server_files(client: httpx.Client) -> None:
    hourly = (EXAMPLES / "fleet_hourly.toml").read_text()
    cp = _fixed_price_fleet().replace(
        "pue = 1.05", "pue = 1.05\ncp_intervals_csv = '/etc/hostname'"
    )
    for path, body in (("/api/v1/fleet", cp), ("/api/v1/roi/fleet", hourly),
                       ("/api/v1/scenario/fleet", cp)):  # fmt: skip
        params = {"hashrate_leaves_pct": 5} if "scenario" in path else {}
        p = _assert_problem(client.post(path, params=params, content=body), 422,
                            "cannot name a file on the server", "posted fleet")  # fmt: skip
        assert "csv" in p["detail"]
    p = _assert_problem(
        client.post("/api/v1/curtail", params={"from": "2026-01-24", "to": "2026-01-25"},
                    json={"fleet": hourly, "prices_csv": "x"}),
        422, "sites.west.power_price_csv",
    )  # fmt: skip
    bad = "[fleet]\nname = 'x'\n[[groups]]\nname = 'a'\ncount = 'many'\n"
    r = client.post("/api/v1/roi/fleet", content=bad)
    p = _assert_problem(r, 422, "posted fleet")
    assert "minerscope-posted-" not in r.text
    _assert_problem(client.post("/api/v1/roi/fleet", content=""), 422, "request body")


@pytest.mark.shared
def test_newer_endpoints_refuse_bad_input_in_one_line(client: httpx.Client) -> None:
    _assert_problem(client.get("/api/v1/roi", params={"at": TOUCHSTONE}), 422, "--model")
    _assert_problem(client.get("/api/v1/roi", params={**BUY_Q, "paths": 10_001}), 422, "paths")
    _assert_problem(client.get("/api/v1/roi", params={**BUY_Q, "price_method": "magic"}), 422,
                    "unknown method 'magic'")  # fmt: skip
    _assert_problem(client.get("/api/v1/scenario", params={"at": TOUCHSTONE}), 422,
                    "name a what-if")  # fmt: skip
    _assert_problem(client.get("/api/v1/study/ribbons", params={"resamples": 99}), 422,
                    "resamples")  # fmt: skip
    _assert_problem(client.get("/api/v1/signals", params={"from": "2026-02-30"}), 422,
                    "2026-02-30")  # fmt: skip
    p = _assert_problem(client.get("/api/v1/pools", params={"at": TOUCHSTONE}), 404,
                        "pool attribution")  # fmt: skip
    assert p["type"].endswith("/no-data")
    body = {"fleet": _fixed_price_fleet(), "prices_csv": "time_utc,price_usd_per_mwh\n"}
    _assert_problem(client.post("/api/v1/curtail", params={"from": "2026-01-01",
                    "to": "2026-03-01"}, json=body), 422, "at most 31 days")  # fmt: skip
    _assert_problem(client.post("/api/v1/curtail", params={"from": "2026-01-24",
                    "to": "2026-01-25"}, content=b"[1]"), 422, "request body")  # fmt: skip
    _assert_problem(client.post("/api/v1/curtail", params={"to": "2026-01-25"}, json=body), 422,
                    "from")  # fmt: skip


@pytest.mark.shared
def test_what_the_fuzzing_found_stays_fixed(client: httpx.Client) -> None:
    # the composite score and its components are null (NaN) before their inputs exist
    r = client.get("/api/v1/signals", params={"at": "2011-06-20"})
    assert r.status_code == 200, r.text
    validate(r.json(), "signals")
    assert r.json()["composite"]["score"] is None
    # a study whose signal never fires has undefined (null) differences, not a 500
    r = client.get("/api/v1/study/contraction", params={"lookback_days": 1131, "from": "2025-09-01",
                   "smoothing_days": 196, "resamples": 100})  # fmt: skip
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["stats"]["signal"]["days"] == 0
    assert doc["stats"]["hit_rate_test"]["observed"] is None
    validate(doc, "study_contraction")
    # against the classes' own schemas too (not only the published files)
    from jsonschema import Draft202012Validator

    from minerscope.signals.contraction import ContractionStudy
    from minerscope.signals.state import SignalsReport

    Draft202012Validator(ContractionStudy.json_schema()).validate(doc)
    sig = client.get("/api/v1/signals", params={"at": "2011-06-20"}).json()
    Draft202012Validator(SignalsReport.json_schema()).validate(sig)
    # before the first block after genesis: no data, not an IndexError
    q = {"at": "2009-01-04", "difficulty_change_pct": 5, "btc_price_usd": 1,
         "fees_btc_per_block": 0}  # fmt: skip
    _assert_problem(client.get("/api/v1/scenario", params=q), 404, "no block is known")


@pytest.mark.shared
def test_grids_equal_the_cli(client: httpx.Client, web_db: Path) -> None:
    grid = ["btc_price_usd=60000:80000:10000", "power_price_usd_per_kwh=0.04:0.08:0.02"]
    q: dict[str, Any] = {"at": TOUCHSTONE, "grid": grid, "model": ["S21 XP"],
                         "grid_metric": "breakeven-power-price"}  # fmt: skip
    r = client.get("/api/v1/machines/grid", params=q)
    assert r.status_code == 200, r.text
    validate(r.json(), "grid")
    cli = cli_json("machines", "--at", TOUCHSTONE, "--grid", grid[0], "--grid", grid[1],
                   "--model", "S21 XP", "--grid-metric", "breakeven-power-price",
                   db=web_db)  # fmt: skip
    assert r.json() == cli
    assert [len(a["values"]) for a in cli["axes"]] == [3, 3]
    text = (EXAMPLES / "fleet.toml").read_text()
    r = client.post("/api/v1/fleet/grid", params={"at": "2026-02-05", "grid": grid[:1]},
                    content=text)  # fmt: skip
    assert r.status_code == 200, r.text
    cli = cli_json("fleet", str(EXAMPLES / "fleet.toml"), "--at", "2026-02-05", "--grid",
                   grid[0], db=web_db)  # fmt: skip
    assert r.json() == cli
    _assert_problem(client.get("/api/v1/machines/grid", params={"grid": "btc_price_usd=1:1e9:1"}),
                    422, "steps (at most 1,000)")  # fmt: skip
    _assert_problem(client.get("/api/v1/machines/grid"), 422, "grid")
