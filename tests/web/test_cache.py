"""Caching until the data changes, "now" documents, and reading while a sync writes (WAL)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from minerscope import storage
from minerscope.records import PriceRecord
from tests.web.conftest import TOUCHSTONE

pytestmark = pytest.mark.shared

# A price far from the real ones, so its arrival is unmistakable. [USD/BTC]
MARK_PRICE_USD = 12_345.0
# 2026-02-01T00:00:00Z: the reference data's latest close before the touchstone is stamped here.
PRICE_TIME_S = 1_769_904_000


@pytest.fixture
def writable_copy(web_db: Path, tmp_path: Path) -> Path:
    import sqlite3

    dest = tmp_path / "copy.sqlite"
    src = sqlite3.connect(web_db)
    dst = sqlite3.connect(dest)
    src.backup(dst)
    src.close()
    dst.close()
    storage.connect(dest).close()
    return dest


def _price(c: httpx.Client) -> float:
    r = c.get("/api/v1/status", params={"at": TOUCHSTONE})
    assert r.status_code == 200, r.text
    return float(r.json()["price"]["btc_price_usd"])


def _write_price(path: Path, price_usd: float, *, commit: bool = True) -> Any:
    conn = storage.connect(path)
    conn.execute("BEGIN IMMEDIATE")
    storage.upsert_prices(conn, [PriceRecord("zz-test", PRICE_TIME_S + 60, price_usd)])
    if commit:
        conn.execute("COMMIT")
        conn.close()
        return None
    return conn


def test_cached_until_the_data_changes(serve: Any, writable_copy: Path) -> None:
    srv = serve(writable_copy)
    engine = srv.server.config.app.state.engine
    with httpx.Client(base_url=srv.url) as c:
        first = _price(c)
        misses = engine.cache.misses
        assert _price(c) == first
        assert engine.cache.misses == misses  # answered from the cache
        assert engine.cache.hits >= 1
        _write_price(writable_copy, MARK_PRICE_USD)
        assert _price(c) == MARK_PRICE_USD  # the write is seen at once
        assert engine.cache.misses == misses + 1


def test_reads_while_a_sync_holds_the_write_lock(serve: Any, writable_copy: Path) -> None:
    srv = serve(writable_copy, request_timeout_s=20)
    with httpx.Client(base_url=srv.url, timeout=30) as c:
        before = _price(c)
        writer = _write_price(writable_copy, MARK_PRICE_USD, commit=False)
        try:
            # a new question while the writer's transaction is open: answered, old data
            r = c.get("/api/v1/status", params={"at": "2026-02-01T08:40:16Z"})
            assert r.status_code == 200, r.text
            assert r.json()["price"]["btc_price_usd"] == before
            assert _price(c) == before
        finally:
            writer.execute("COMMIT")
            writer.close()
        assert _price(c) == MARK_PRICE_USD


def test_now_documents_live_for_the_ttl(serve: Any, web_db: Path) -> None:
    clock = {"t": 1_790_000_000.0}
    srv = serve(web_db, clock=lambda: clock["t"], now_ttl_s=10)
    with httpx.Client(base_url=srv.url) as c:
        a = c.get("/api/v1/status")
        assert a.json()["as_of"]["time_s"] == 1_790_000_000
        clock["t"] += 9
        b = c.get("/api/v1/status")
        assert b.json()["as_of"]["time_s"] == 1_790_000_000  # reused, and says when it is for
        assert b.headers["Age"] == "9"
        clock["t"] += 2  # 11 s: older than the TTL; the next request starts a fresh one and
        stale = c.get("/api/v1/status")  # is answered with the old one, which says its age
        assert stale.json()["as_of"]["time_s"] == 1_790_000_000
        assert stale.headers["Age"] == "11"
        engine = srv.server.config.app.state.engine
        _wait_idle(engine)
        d = c.get("/api/v1/status")
        assert d.json()["as_of"]["time_s"] == 1_790_000_011
        assert d.headers["Age"] == "0"
        clock["t"] += 25  # older than twice the TTL: never served, the request waits
        e = c.get("/api/v1/status")
        assert e.json()["as_of"]["time_s"] == 1_790_000_036
        # a moment given with at= does not depend on the clock: no Age
        assert "Age" not in c.get("/api/v1/status", params={"at": TOUCHSTONE}).headers


def _wait_idle(engine: Any) -> None:
    for _ in range(1200):
        if not engine.cache._pending:
            return
        threading.Event().wait(0.05)
    raise AssertionError("a computation did not finish")


def test_concurrent_requests_compute_once(serve: Any, web_db: Path) -> None:
    srv = serve(web_db)
    engine = srv.server.config.app.state.engine
    at = "2026-01-15T12:00:00Z"
    results: list[int] = []

    def ask() -> None:
        with httpx.Client(base_url=srv.url, timeout=60) as c:
            results.append(c.get("/api/v1/hashrate", params={"at": at}).status_code)

    threads = [threading.Thread(target=ask) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 12
    assert engine.cache.misses == 1  # one computation, eleven waiters or hits


def test_slow_answers_are_503_then_served(serve: Any, web_db: Path) -> None:
    srv = serve(web_db, request_timeout_s=0.001)
    with httpx.Client(base_url=srv.url, timeout=60) as c:
        r = c.get("/api/v1/economics", params={"at": TOUCHSTONE})
        assert r.status_code == 503
        assert r.headers["content-type"] == "application/problem+json"
        assert "retry" in r.json()["detail"]
        _wait_idle(srv.server.config.app.state.engine)  # it went on and landed in the cache
        assert c.get("/api/v1/economics", params={"at": TOUCHSTONE}).status_code == 200
