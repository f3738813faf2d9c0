"""The dashboard in headless Chromium (Debian's ``chromium``, driven by Playwright).

Every page opens, draws its charts with no console error, shows the API's numbers (each
element that shows one names its request and path: the test asks the API the same), replays a
past moment from the time control, and redraws by itself after the data changes. Screenshots
go to pytest's temporary directory.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from minerscope import storage
from minerscope.records import PriceRecord
from tests.web.conftest import TOUCHSTONE

pytestmark = [pytest.mark.shared, pytest.mark.browser]

CHROMIUM = os.environ.get("MINERSCOPE_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _require_browser() -> Any:
    reason = ""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "playwright is not installed (pip install '.[test]')"
    if not reason and not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        reason = f"no chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)"
    if reason:
        if os.environ.get("MINERSCOPE_REQUIRE_SHARED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return sync_playwright


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    sync_playwright = _require_browser()
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            args=ARGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
        )
        yield ctx
        ctx.close()


class Page:
    """A page with its console errors collected."""

    def __init__(self, browser: Any, base: str) -> None:
        self.base = base
        self.page = browser.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: str) -> Any:
        self.page.goto(self.base + path)
        return self.wait(1)

    def wait(self, renders: int) -> Any:
        # a selector, not a JS predicate: the page's CSP forbids eval (and must stay on)
        self.page.wait_for_selector(
            f"body[data-ready='1'][data-renders='{renders}']", state="attached", timeout=60_000
        )
        error = self.page.evaluate("document.body.dataset.error")
        assert not error, error
        return self.page

    def values(self) -> dict[str, tuple[str, str, float, str]]:
        """id or row -> (url, path, value, text) of every element showing an API number."""
        rows = self.page.evaluate(
            """() => [...document.querySelectorAll('[data-url]')].map((e, i) => [
                e.id || ('cell' + i), e.dataset.url, e.dataset.path, e.dataset.value,
                e.textContent])"""
        )
        return {r[0]: (r[1], r[2], float(r[3]), r[4]) for r in rows}

    def charts(self) -> dict[str, int]:
        return self.page.evaluate(
            """() => Object.fromEntries([...document.querySelectorAll('.chart')].map(
                e => [e.id, e.querySelector('.main-svg') ? Number(e.dataset.points || 0) : -1]))"""
        )

    def close(self) -> None:
        self.page.close()


@pytest.fixture
def page(browser: Any, server: Any) -> Iterator[Page]:
    p = Page(browser, server.url)
    yield p
    p.close()


def _get(doc: Any, path: str) -> Any:
    for k in path.split("."):
        doc = doc[int(k)] if isinstance(doc, list) else doc[k]
    return doc


def _check_against_api(base: str, values: dict[str, tuple[str, str, float, str]]) -> None:
    assert values
    with httpx.Client(base_url=base, timeout=60) as c:
        docs: dict[str, Any] = {}
        for name, (url, path, value, _) in values.items():
            if url not in docs:
                docs[url] = c.get(url).json()
            assert _get(docs[url], path) == value, (name, url, path)


PAGES = [
    ("/?at=" + TOUCHSTONE, "network", 6),
    ("/economics?at=" + TOUCHSTONE, "economics", 6),
    ("/machines?at=2026-02-01", "machines", 1),
    ("/fleet?at=2026-02-05", "fleet", 1),
]


@pytest.mark.parametrize(("path", "name", "n_charts"), PAGES)
def test_every_page_draws_and_shows_the_api_numbers(
    page: Page, server: Any, tmp_path: Path, path: str, name: str, n_charts: int
) -> None:
    pg = page.open(path)
    charts = page.charts()
    assert len(charts) == n_charts
    assert all(points > 0 for points in charts.values()), charts  # drawn, with data
    # every axis title names its unit in brackets
    titles = pg.evaluate(
        "() => [...document.querySelectorAll('.g-xtitle, .g-ytitle, .g-y2title')]"
        ".map(e => e.textContent)"
    )
    assert titles and all("[" in t and "]" in t for t in titles), titles
    pg.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    assert page.errors == []
    if name != "fleet":  # the fleet's numbers come from a POST: checked below
        _check_against_api(server.url, page.values())


def test_network_numbers_as_the_touchstone_shows_them(page: Page) -> None:
    pg = page.open("/?at=" + TOUCHSTONE)
    assert pg.text_content("#kpi-hashrate") == "841.1 EH/s"
    assert pg.text_content("#kpi-hashrate-ci") == "95% 790.7 .. 894.7 over 1008 blocks"
    assert pg.text_content("#kpi-difficulty") == "141.67 T"
    assert pg.text_content("#kpi-next") == "-15.32%"
    assert pg.text_content("#kpi-halving") == "115,425 blocks"
    assert "p10 2028-03-25, p90 2028-04-09" in (pg.text_content("#kpi-halving-eta") or "")
    assert page.errors == []


def test_the_time_control_replays_a_past_moment(page: Page, server: Any) -> None:
    pg = page.open("/?at=" + TOUCHSTONE)
    before = page.values()
    fig_before = pg.evaluate("document.getElementById('fig-difficulty').data[0].x.length")
    pg.fill("#at", "2025-11-16")
    pg.press("#at", "Enter")
    page.wait(2)
    assert pg.url.endswith("/?at=2025-11-16")
    assert pg.get_attribute("a[data-nav=economics]", "href") == "/economics?at=2025-11-16"
    after = page.values()
    assert after["kpi-hashrate"][2] != before["kpi-hashrate"][2]
    assert after["kpi-difficulty"][2] != before["kpi-difficulty"][2]
    fig_after = pg.evaluate("document.getElementById('fig-difficulty').data[0].x.length")
    assert fig_after < fig_before  # fewer retargets were known then
    _check_against_api(server.url, after)
    # the link carries the moment to the next page
    pg.click("a[data-nav=economics]")
    page.wait(1)
    assert "at=2025-11-16" in pg.url
    assert "2025-11-16" in (pg.text_content("#kpi-realised-sub") or "")
    # Now returns to the latest data
    pg.click("#at-now")
    page.wait(2)
    assert "at=" not in pg.url
    assert page.errors == []


def test_machine_controls_change_the_table(page: Page, server: Any) -> None:
    pg = page.open("/machines?at=2026-02-01")
    rows = pg.locator("#machines-rows tr").count()
    assert rows == 56
    pg.fill("#power-price", "0.12")
    pg.fill("#btc-price", "70000")
    pg.fill("#model", "S21")
    pg.click("#machines-apply")
    page.wait(2)
    vals = page.values()
    url = vals["kpi-price"][0]
    assert "power_price_usd_per_kwh=0.12" in url and "model=S21" in url
    assert vals["kpi-price"][2] == 70000
    _check_against_api(server.url, vals)
    assert 0 < pg.locator("#machines-rows tr").count() < 56
    assert page.errors == []


def test_fleet_from_a_file(page: Page, server: Any) -> None:
    pg = page.open("/fleet?at=2026-02-05")
    pg.set_input_files("#fleet-file", str(EXAMPLES / "fleet.toml"))
    page.wait(2)
    text = (EXAMPLES / "fleet.toml").read_text()
    with httpx.Client(base_url=server.url) as c:
        api = c.post("/api/v1/fleet", params={"at": "2026-02-05"}, content=text).json()
    assert pg.text_content("#kpi-switchoff") == ", ".join(api["switch_off_groups"])
    shown = float(pg.get_attribute("#kpi-cash", "data-value") or "nan")
    assert shown == api["totals"]["cash_profit_usd_per_day"]
    assert pg.locator("#fleet-rows tr").count() == len(api["groups"]) == 6
    assert page.errors == []


def test_the_page_redraws_after_a_sync(
    browser: Any, serve: Any, web_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "live.sqlite"
    src, dst = sqlite3.connect(web_db), sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.close()
    srv = serve(db, refresh_s=0.3, now_ttl_s=0)
    page = Page(browser, srv.url)
    try:
        pg = page.open("/economics?at=" + TOUCHSTONE)
        assert pg.get_attribute("#kpi-price", "data-value") != "12345"
        conn = storage.connect(db)  # a sync lands a newer price
        with storage.transaction(conn):
            storage.upsert_prices(conn, [PriceRecord("zz-sync", 1_769_904_060, 12_345.0)])
        conn.close()
        page.wait(2)
        assert pg.get_attribute("#kpi-price", "data-value") == "12345"
        assert pg.text_content("#kpi-price") == "$12,345"
        assert page.errors == []
    finally:
        page.close()
