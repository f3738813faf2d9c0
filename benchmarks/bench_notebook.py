"""Benchmark the notebook API and the newer API endpoints; prints figures, asserts nothing.

Usage: python benchmarks/bench_notebook.py [--db PATH] [--repeat N] [--skip-web]

Without --db a temporary database is built from ../shared/data (the reference data plus the
pool attribution file; a few seconds, not timed). Prints:
- ``import minerscope`` in a fresh process, and ``minerscope.open`` + the first frame
  (pandas imported then);
- per notebook method: the time of the document (the library call) and of the frame
  conversion, best of N, in process;
- the conversion of a large document: ``economics`` over every day since 2009;
- with the web server (not ``--skip-web``): each new endpoint's first (computed) and repeated
  (cached) answer over HTTP on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
EXAMPLES = REPO / "examples"
T = "2026-02-01T08:40:17Z"
BUY = {"model": "Antminer S21 XP Hyd", "count": 500, "unit_price_usd": 6500.0}


def build_db(folder: Path) -> Path:
    from minerscope import ingest, storage

    path = folder / "bench-notebook.sqlite"
    conn = storage.connect(path)
    try:
        ingest.import_reference_dir(conn, SHARED)
        ingest.import_pools(conn, SHARED / "pools" / "blocks_by_pool_664063_946236.csv")
    finally:
        conn.close()
    return path


def best_s(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def bench_imports(db: Path) -> None:
    code = "import time; t=time.perf_counter(); import minerscope; print(time.perf_counter()-t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    print(f"import minerscope (fresh process): {1000 * float(out.stdout):.1f} ms")
    code = (
        "import time; t=time.perf_counter(); import minerscope as ms;"
        f" m=ms.open({str(db)!r}); m.hashrate_series(7, at={T!r});"
        " print(time.perf_counter()-t)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    print(f"import + open + first frame (pandas imported): {1000 * float(out.stdout):.0f} ms")


CALLS: list[tuple[str, str, dict[str, Any], str]] = [
    # (method, document, params, rows attribute path)
    ("hashrate", "hashrate", {"at": T}, "windows"),
    ("hashrate_series", "hashrate", {"at": T, "series_days": 365}, "daily_series"),
    ("difficulty_history", "difficulty_history", {"at": T}, "retargets"),
    ("machines", "machines", {"at": T}, "machines"),
    ("economics", "economics", {"at": T, "from_": "2025-01-01"}, "rows"),
    ("pools", "pools", {"at": T, "window_days": 30}, "pools"),
    ("pool_history", "pools", {"at": T, "window_days": 30, "history": True}, "history"),
    ("signals", "signals", {"at": T}, "history"),
    ("study_ribbons", "study_ribbons", {}, "buys"),
    ("roi", "roi", {"at": T, "paths": 2000, "horizon_days": 730, **BUY}, "bands"),
    ("scenario", "scenario", {"at": T, "hashrate_leaves_pct": 10, "from_": "2026-02-10"},
     "days"),
]  # fmt: skip


def bench_notebook(db: Path, repeat: int) -> None:
    import minerscope as ms
    from minerscope.notebook import _frames

    with ms.open(db) as m:
        print(f"\n{'method':<20} {'document ms':>12} {'frame ms':>10} {'rows':>7} {'cols':>5}")
        for method, name, params, rows in CALLS:
            doc_s, doc = best_s(lambda n=name, p=params: m.document(n, **p), repeat)
            items = getattr(doc, rows) or ()
            kw: dict[str, Any] = {"at_s": doc.as_of.time_s}  # type: ignore[attr-defined]
            first = _frames.flat_row(items[0]) if items else {}
            if "date" in first:
                kw = {"date": "date"}
            elif "time_s" in first:
                kw = {"time": "time_s"}
            frame_s, df = best_s(lambda i=items, k=kw: _frames.frame(i, **k), repeat)
            print(f"{method:<20} {1000 * doc_s:>12.1f} {1000 * frame_s:>10.1f} {len(df):>7,}"
                  f" {df.shape[1]:>5}")  # fmt: skip
        doc_s, doc = best_s(lambda: m.document("economics", at=T, from_="2009-01-03"), 1)
        frame_s, df = best_s(lambda: _frames.frame(doc.rows, date="date"), repeat)  # type: ignore[attr-defined]
        print(f"\neconomics since 2009: document {1000 * doc_s:.0f} ms, frame"
              f" {1000 * frame_s:.0f} ms ({len(df):,} rows x {df.shape[1]} columns)")  # fmt: skip


WEB: list[tuple[str, str, dict[str, Any], str | None]] = [
    ("GET", "/api/v1/pools", {"at": T}, None),
    ("GET", "/api/v1/pools/history", {"at": T, "window_days": 3}, None),
    ("GET", "/api/v1/signals", {"at": T}, None),
    ("GET", "/api/v1/study/contraction", {}, None),
    ("GET", "/api/v1/study/ribbons", {}, None),
    ("GET", "/api/v1/study/composite", {}, None),
    ("GET", "/api/v1/roi", {"at": T, "paths": 10_000, "horizon_days": 730, **BUY}, None),
    ("POST", "/api/v1/roi/fleet", {"at": T, "paths": 2000}, "fleet.toml"),
    ("GET", "/api/v1/scenario", {"at": T, "hashrate_leaves_pct": 10, "from": "2026-02-10"},
     None),
]  # fmt: skip


def bench_web(db: Path) -> None:
    import httpx

    from minerscope.web import ServerThread, create_app

    print(f"\n{'endpoint':<34} {'first ms':>9} {'cached ms':>10} {'bytes':>9}")
    with ServerThread(create_app(db)) as srv, httpx.Client(base_url=srv.url, timeout=120) as c:
        for method, path, params, body_file in WEB:
            content = (EXAMPLES / body_file).read_text() if body_file else None
            times = []
            for _ in range(2):
                t0 = time.perf_counter()
                r = c.request(method, path, params=params, content=content)
                times.append(time.perf_counter() - t0)
            print(f"{method + ' ' + path:<34} {1000 * times[0]:>9.0f} {1000 * times[1]:>10.1f}"
                  f" {len(r.content):>9,}  {r.status_code}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-web", action="store_true")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or build_db(Path(tmp))
        sqlite3.connect(db).close()
        bench_imports(db)
        bench_notebook(db, args.repeat)
        if not args.skip_web:
            bench_web(db)


if __name__ == "__main__":
    main()
