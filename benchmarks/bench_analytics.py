"""Benchmark the network analytics; prints figures, asserts nothing.

Usage: python benchmarks/bench_analytics.py [--db PATH] [--skip-backtest] [--skip-blocks]

Without --db a temporary database is built from ../shared/data (a few seconds, not timed).
Prints:
- the whole-command time of ``hashrate`` and ``difficulty`` (and ``status``) in a fresh
  process, best of 5, run as ``sys.executable -m minerscope`` (the pyenv shim ``python``
  adds ~80 ms that is not ours), and whether those processes imported scipy or pandas;
- the in-process time of the same reports, best of 5;
- the touchstone projection (2026-02-01T08:40:17Z) and whether the realised change
  (-11.16 %, 141.67 T -> 125.86 T) lies inside its 50 % and 90 % intervals;
- the projection backtest over every epoch since 2016 and since 2010, with its run time;
- the backtest's block path on ~280,000 block times (epochs 323..462 of the whole-chain
  file ``benchmarks/wholechain.py`` builds: synthetic times, real epochs), as the
  pool-attribution blocks of 2021-2026 will be.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from minerscope import storage
from minerscope.asof import parse_time_spec, resolve_as_of
from minerscope.report import network
from minerscope.report import status as status_report

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
NOW_S = 1_790_000_000  # a fixed "now" (2026-09-21) so runs compare
TOUCHSTONE = "2026-02-01T08:40:17Z"
REALISED_PCT = -11.16  # epoch 463 -> 464: 1701fca1 -> 17023a04 (141.67 T -> 125.86 T)
HEAVY = ("scipy", "pandas")


def _best_of(n: int, fn: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _command(args: list[str], db: Path) -> tuple[float, list[str]]:
    """Best of 5 whole-command wall times, and the heavy modules the command imported."""
    env = dict(os.environ, MINERSCOPE_DB=str(db))
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "minerscope", *args], check=True,
                       capture_output=True, env=env)  # fmt: skip
        best = min(best, time.perf_counter() - t0)
    probe = (
        "import sys, runpy; sys.argv = ['minerscope', *sys.argv[1:]];\n"
        "try:\n    runpy.run_module('minerscope', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "import json\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True,
                         env=env, check=True)  # fmt: skip
    heavy: list[str] = json.loads(out.stderr.strip().splitlines()[-1])
    return best, heavy


def _status(conn: Any, as_of: Any) -> dict[str, Any]:
    return status_report.build_status(conn, as_of, sections=status_report.default_sections())


def _print_backtest(label: str, conn: Any, from_date: str) -> None:
    t0 = time.perf_counter()
    bt = network.backtest_report(conn, from_date=from_date).to_dict()
    elapsed = time.perf_counter() - t0
    ep = bt["epochs"]
    print(f"\nbacktest {label}: epochs {ep['first_epoch']}..{ep['last_epoch']} ({ep['count']}), "
          f"{elapsed:.2f} s; {bt['resolution_note']}")  # fmt: skip
    chosen = {h["half_life_epochs"]: h["projections"] for h in bt["half_lives_chosen"]}
    print(f"  half-lives chosen (at 50 %): {chosen}")
    for name, key, unit in (("change", "by_era", "pp"), ("retarget ETA", "eta_by_era", "h")):
        head = ["era", "prog", "n", "cov50", "cov90", "med ours", "med mp", "mean ours", "mean mp"]
        print(f"  {name}: " + " ".join(f"{h:>9}" for h in [*head, "closer"]))
        for c in bt[key]:
            cells = [
                c["era"],
                f"{c['progress_pct']:.0f}%",
                str(c["epochs"]),
                f"{c['coverage_50_pct']:.1f}%",
                f"{c['coverage_90_pct']:.1f}%",
                f"{c[f'median_abs_error_{unit}']:.2f}",
                f"{c[f'mempool_median_abs_error_{unit}']:.2f}",
                f"{c[f'mean_abs_error_{unit}']:.2f}",
                f"{c[f'mempool_mean_abs_error_{unit}']:.2f}",
                f"{100 * c['closer_than_mempool_share']:.0f}%",
            ]
            print(f"  {'':<{len(name)}}  " + " ".join(f"{x:>9}" for x in cells))


def _block_path(conn: Any) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from minerscope.analytics.backtest import BlockData, backtest_projection
    from minerscope.storage.network import contiguous_epoch_bits
    from wholechain import wholechain_blockstats

    path = wholechain_blockstats()
    first = 323 * 2016  # 651,168: the pool file starts at 664,063 (epoch 329)
    heights, times = [], []
    with path.open() as fh:
        next(fh)
        for line in fh:
            h, _, t = line.split(",", 3)[:3]
            if int(h) >= first:
                heights.append(int(h))
                times.append(float(t))
    bd = BlockData(np.array(heights), np.array(times))
    bits = contiguous_epoch_bits(conn)
    t0 = time.perf_counter()
    rows = backtest_projection(bits, daily=None, blocks=bd, from_epoch=324, to_epoch=462)
    elapsed = time.perf_counter() - t0
    print(f"\nblock path: {len(heights):,} block times, epochs 324..462 ({len(rows)} projections"
          f" at block resolution): {elapsed:.2f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--skip-backtest", action="store_true")
    parser.add_argument("--skip-blocks", action="store_true")
    args = parser.parse_args()
    tmp = None
    db = args.db
    if db is None:
        from minerscope import ingest

        tmp = tempfile.TemporaryDirectory()
        db = Path(tmp.name) / "reference.sqlite"
        conn = storage.connect(db)
        ingest.import_reference_dir(conn, SHARED)
        conn.close()
    conn = storage.connect(db, read_only=True)
    print(f"database: {storage.table_counts(conn)}")
    print(f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores (timings include it)")
    print("\nwhole commands (best of 5 fresh processes: python -m minerscope ... --json)")
    for at in (TOUCHSTONE, None):
        at_args = ["--at", at] if at else []
        for cmd in (["hashrate"], ["difficulty"], ["status"]):
            wall, heavy = _command([*cmd, *at_args, "--json"], db)
            print(f"  {' '.join(cmd):<10} as of {at or 'latest':<22} {wall:5.2f} s"
                  f"   imported: {', '.join(heavy) or 'neither scipy nor pandas'}")  # fmt: skip
    print("\nin process (best of 5)")
    for at in (TOUCHSTONE, None):
        as_of = resolve_as_of(conn, parse_time_spec(at) if at else None, now_s=NOW_S)
        for name, fn in (
            ("hashrate", lambda a=as_of: network.hashrate_report(conn, a)),
            ("difficulty", lambda a=as_of: network.difficulty_report(conn, a)),
            ("status", lambda a=as_of: _status(conn, a)),
        ):
            print(f"  {name:<10} as of {at or 'latest':<22} {_best_of(5, fn) * 1000:7.1f} ms")

    as_of = resolve_as_of(conn, parse_time_spec(TOUCHSTONE), now_s=NOW_S)
    d = network.difficulty_report(conn, as_of).to_dict()
    c = d["next_adjustment"]["change_pct"]
    nd = d["next_adjustment"]["next_difficulty_t"]
    ep = d["epoch"]
    print(f"\ntouchstone {TOUCHSTONE}: epoch {ep['index']}, "
          f"{ep['blocks_mined']} blocks mined, {d['difficulty_t']:.2f} T")  # fmt: skip
    print("  change %: " + ", ".join(f"{k} {v:+.2f}" for k, v in c.items()))
    print("  next difficulty T: " + ", ".join(f"{k} {v:.2f}" for k, v in nd.items()))
    eta = d["next_adjustment"]["retarget_eta"]
    print("  retarget ETA: " + ", ".join(f"{k} {v['time_iso']}" for k, v in eta.items()))
    mp = d["mempool_style"]
    print(f"  mempool-style {mp['change_pct']:+.2f} % at {mp['retarget_eta']['time_iso']}")
    print(f"  realised {REALISED_PCT:+.2f} %: inside 50 % interval: "
          f"{c['p25'] <= REALISED_PCT <= c['p75']}; inside 90 % interval: "
          f"{c['p5'] <= REALISED_PCT <= c['p95']}")  # fmt: skip

    if not args.skip_backtest:
        _print_backtest("since 2016", conn, "2016-01-01")
        _print_backtest("since 2010", conn, "2010-01-01")
    if not args.skip_blocks:
        _block_path(conn)
    conn.close()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
