"""Benchmark the economics commands; prints figures, asserts nothing.

Usage: python benchmarks/bench_economics.py [--db PATH]

Without --db a temporary database is built from ../shared/data (a few seconds, not timed).
Prints:
- ``machines`` over the whole catalog as of the latest stored data (in process, and the
  whole command in a fresh process, Python start-up included);
- a fleet file of 10,000 machine groups: parsing + validation + evaluation (in process, and
  the whole command in a fresh process);
- the daily history from 2010 (``economics --json``) in process.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from minerscope import storage
from minerscope.report import econ
from minerscope.sources.catalog import shipped_catalog

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
NOW_S = 1_790_000_000  # a fixed "now" (2026-09-21) so runs compare


def _best_of(n: int, fn: object) -> float:
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return best


def _fleet_file(path: Path, groups: int) -> None:
    models = [m.model for m in shipped_catalog()]
    lines = [
        "[fleet]",
        'name = "bench"',
        "pool_fee_pct = 2",
        "fixed_opex_usd_per_day = 10000",
        "[sites.a]",
        "power_price_usd_per_kwh = 0.05",
        "pue = 1.1",
        "[sites.b]",
        "power_price_usd_per_kwh = 0.07",
        "hosting_fee_usd_per_kwh = 0.01",
    ]
    for i in range(groups):
        lines += [
            "[[groups]]",
            f'name = "g{i}"',
            f'site = "{"ab"[i % 2]}"',
            f'model = "{models[i % len(models)]}"',
            f"count = {10 + i % 90}",
            f"uptime_pct = {90 + i % 10}",
            "capex_usd_per_machine = 2500",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _cli(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "from minerscope.cli import main; main()", *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=None)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = opts.db
        if db is None:
            from minerscope import ingest

            db = Path(tmp) / "ref.sqlite"
            conn = storage.connect(db)
            ingest.import_reference_dir(conn, SHARED)
            conn.close()
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import minerscope.cli"], check=True)
        startup_s = time.perf_counter() - t0
        print(f"start-up alone: import minerscope.cli in a fresh process: {startup_s:.2f} s")
        n_models = len(shipped_catalog())
        t = _best_of(5, lambda: econ.machines_view(db, None, now_s=NOW_S))
        print(f"machines, {n_models} models, as of the latest data, in process: {t * 1e3:.1f} ms")
        t = _cli(["machines", "--db", str(db), "--json"])
        print(f"machines, whole command in a fresh process (start-up included): {t:.2f} s")

        fleet = Path(tmp) / "fleet10k.toml"
        _fleet_file(fleet, 10_000)
        t = _best_of(3, lambda: econ.fleet_view(db, None, fleet, now_s=NOW_S))
        print(f"fleet, 10,000 groups, parse + validate + evaluate, in process: {t:.3f} s")
        t = _cli(["fleet", str(fleet), "--db", str(db), "--json"])
        print(f"fleet, 10,000 groups, whole command in a fresh process: {t:.2f} s")

        out: dict[str, object] = {}

        def history() -> None:
            out["h"] = econ.economics_view(db, None, now_s=NOW_S, from_date="2010-01-01")

        t = _best_of(3, history)
        rows = len(out["h"].rows)  # type: ignore[attr-defined]
        print(f"economics history 2010-01-01.. ({rows:,} days), in process: {t:.3f} s")
        t = _cli(["economics", "--db", str(db), "--from", "2010-01-01", "--json"])
        print(f"economics history, whole command in a fresh process: {t:.2f} s")


if __name__ == "__main__":
    main()
