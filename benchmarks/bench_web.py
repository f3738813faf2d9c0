"""Benchmark the web server; prints figures, asserts nothing.

Usage: python benchmarks/bench_web.py [--db PATH] [--clients 50] [--requests 4000]
                                      [--skip-browser]

Without --db a temporary database is built from ../shared/data (a few seconds, not timed).
The server runs as ``minerscope serve`` in its own process (as a user runs it); the load
generator is this process: ``--clients`` keep-alive HTTP/1.1 connections on loopback, each
sending its next request as soon as the last answer arrived. Prints:

- the first (uncached) answer of each endpoint;
- for status, hashrate, difficulty and machines, as of the touchstone moment and "now":
  latency p50 / p90 / p99 / max and requests per second at ``--clients`` concurrent clients
  (target: p99 under 50 ms);
- the dashboard's first full render in headless Chromium (every number and chart drawn),
  with a fresh browser profile: on a fresh server (nothing cached) and again (cached), for
  each page; then in one browser visiting the pages twice (plotly.js in its cache, as for a
  returning user). Target: 1.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from minerscope import ingest, storage

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
TOUCHSTONE = "2026-02-01T08:40:17Z"
QUERIES = [
    ("status", f"/api/v1/status?at={TOUCHSTONE}"),
    ("status (now)", "/api/v1/status"),
    ("hashrate", f"/api/v1/hashrate?at={TOUCHSTONE}"),
    ("hashrate (now)", "/api/v1/hashrate"),
    ("difficulty", f"/api/v1/difficulty?at={TOUCHSTONE}"),
    ("difficulty (now)", "/api/v1/difficulty"),
    ("machines", f"/api/v1/machines?at={TOUCHSTONE}"),
    ("machines (now)", "/api/v1/machines"),
]
PAGES = [
    ("network", f"/?at={TOUCHSTONE}"),
    ("economics", f"/economics?at={TOUCHSTONE}"),
    ("machines", f"/machines?at={TOUCHSTONE}"),
    ("fleet", "/fleet?at=2026-02-05"),
]
CHROMIUM = os.environ.get("MINERSCOPE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
_LENGTH = re.compile(rb"content-length:\s*(\d+)", re.IGNORECASE)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``minerscope serve`` in a child process."""

    def __init__(self, db: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        exe = shutil.which("minerscope") or sys.executable
        args = [exe] if exe.endswith("minerscope") else [exe, "-m", "minerscope"]
        self.proc = subprocess.Popen(
            [*args, "serve", "--port", str(self.port), "--db", str(db)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/api/v1/data", timeout=2).read()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise SystemExit("the server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


def _get(url: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as r:
        r.read()
        return time.perf_counter() - t0, r.status


async def _client(port: int, path: str, n: int, out: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    try:
        for _ in range(n):
            t0 = time.perf_counter()
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            m = _LENGTH.search(head)
            await reader.readexactly(int(m.group(1)) if m else 0)
            out.append(time.perf_counter() - t0)
            if not head.startswith(b"HTTP/1.1 200"):
                errors.append(int(head[9:12]))
    finally:
        writer.close()


async def _load(port: int, path: str, clients: int, total: int) -> tuple[list[float], float, int]:
    lat: list[float] = []
    errors: list[int] = []
    per = max(total // clients, 1)
    t0 = time.perf_counter()
    await asyncio.gather(*(_client(port, path, per, lat, errors) for _ in range(clients)))
    return lat, time.perf_counter() - t0, len(errors)


def _pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def _render_times(
    url: str, repeats: int = 3
) -> tuple[dict[str, list[float]], dict[str, list[tuple[float, float]]]]:
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {}
    parts: dict[str, list[tuple[float, float]]] = {}
    with sync_playwright() as p:
        for name, path in PAGES:
            for _ in range(repeats):
                ctx = p.chromium.launch_persistent_context(
                    tempfile.mkdtemp(prefix="ms-bench-"), executable_path=CHROMIUM,
                    args=CHROMIUM_ARGS, headless=True, viewport={"width": 1400, "height": 1000},
                )  # fmt: skip
                page = ctx.new_page()
                t0 = time.perf_counter()
                page.goto(url + path)
                page.wait_for_selector(
                    "body[data-ready='1'][data-renders='1']", state="attached", timeout=120_000
                )
                wall = time.perf_counter() - t0
                timing = page.evaluate(
                    "() => [performance.now(), Number(document.body.dataset.firstRenderMs)]"
                )
                out.setdefault(name, []).append(wall)
                parts.setdefault(name, []).append((timing[0] - timing[1], timing[1]))
                ctx.close()
        # the usual case: a browser that has been here before (plotly.js cached and compiled)
        ctx = p.chromium.launch_persistent_context(
            tempfile.mkdtemp(prefix="ms-bench-"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
            headless=True, viewport={"width": 1400, "height": 1000},
        )  # fmt: skip
        page = ctx.new_page()
        for name, path in PAGES * 2:
            t0 = time.perf_counter()
            page.goto(url + path)
            page.wait_for_selector(
                "body[data-ready='1'][data-renders='1']", state="attached", timeout=120_000
            )
            out.setdefault(name + " (revisit)", []).append(time.perf_counter() - t0)
        ctx.close()
    return out, parts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--requests", type=int, default=4000, help="per query")
    ap.add_argument("--skip-browser", action="store_true")
    args = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    db = args.db
    if db is None:
        db = Path(tmp.name) / "bench.sqlite"
        conn = storage.connect(db)
        ingest.import_reference_dir(conn, SHARED)
        conn.close()
    print(f"web server benchmark ({os.cpu_count()} cores; load generator in this process)")

    server = Server(db)
    try:
        print("\nfirst answer of each query on a fresh server (computed, then cached)")
        for name, path in QUERIES:
            dt, status = _get(server.url + path)
            print(f"  {name:<18} {dt * 1000:8.1f} ms  (HTTP {status})")
        print(f"\n{args.clients} concurrent keep-alive clients, {args.requests} requests per"
              " query (target: p99 < 50 ms)")  # fmt: skip
        print(f"  {'query':<18} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'max ms':>8}"
              f" {'req/s':>8} {'non-200':>8}")  # fmt: skip
        for name, path in QUERIES:
            lat, wall, bad = asyncio.run(_load(server.port, path, args.clients, args.requests))
            print(
                f"  {name:<18} {_pct(lat, 50) * 1e3:8.2f} {_pct(lat, 90) * 1e3:8.2f}"
                f" {_pct(lat, 99) * 1e3:8.2f} {max(lat) * 1e3:8.2f} {len(lat) / wall:8.0f}"
                f" {bad:8d}"
            )
    finally:
        server.stop()

    if args.skip_browser or not Path(CHROMIUM).exists():
        print("\n(dashboard render skipped: no chromium or --skip-browser)")
        return
    print("\ndashboard: navigation to every number and chart drawn, fresh browser profile each"
          " time (target: 1.5 s)")  # fmt: skip
    server = Server(db)  # nothing cached
    try:
        times, parts = _render_times(server.url)
    finally:
        server.stop()
    for name, (cold, *warm) in times.items():
        w = ", ".join(f"{t:.2f} s" for t in warm)
        if name.endswith("(revisit)"):
            print(f"  {name:<20} first visit {cold:.2f} s; again {w}")
            continue
        split = "; ".join(f"{a / 1e3:.2f} + {b / 1e3:.2f}" for a, b in parts[name])
        print(f"  {name:<10} fresh server {cold:.2f} s; cached {w}   (page + scripts, then"
              f" data and charts: {split} s)")  # fmt: skip
    print(json.dumps({"render_s": times}))


if __name__ == "__main__":
    main()
