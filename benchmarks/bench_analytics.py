"""Benchmark the network analytics; prints figures, asserts nothing.

Usage: python benchmarks/bench_analytics.py [--db PATH] [--skip-backtest]

Without --db a temporary database is built from ../shared/data (a few seconds, not timed).
Prints:
- the time of ``status`` (with the network section), ``difficulty`` and ``hashrate`` as of
  the touchstone moment and as of the latest data: in process (best of 5) and as a whole
  command in a fresh process (Python start-up and imports included);
- the touchstone projection (2026-02-01T08:40:17Z) and whether the realised change
  (-11.16 %, 141.67 T -> 125.86 T) lies inside its 50 % and 90 % intervals;
- the projection backtest over every epoch since 2016 (calibration per progress point),
  and its run time.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from minerscope import storage
from minerscope.asof import parse_time_spec, resolve_as_of
from minerscope.report import network
from minerscope.report import status as status_report

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
NOW_S = 1_790_000_000  # a fixed "now" (2026-09-21) so runs compare
TOUCHSTONE = "2026-02-01T08:40:17Z"
REALISED_PCT = -11.16  # epoch 463 -> 464: 1701fca1 -> 17023a04 (141.67 T -> 125.86 T)


def _best_of(n: int, fn: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _cli_seconds(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(
        ["minerscope", *args],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - t0


def _status(conn: Any, as_of: Any) -> dict[str, Any]:
    sections = status_report.default_sections()
    sections.setdefault("network", network.status_section)
    return status_report.build_status(conn, as_of, sections=sections)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--skip-backtest", action="store_true")
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
    print("\ntimes (best of 5 in process; one fresh `minerscope ...` process)")
    for label, at in (("touchstone", TOUCHSTONE), ("latest", None)):
        as_of = resolve_as_of(conn, parse_time_spec(at) if at else None, now_s=NOW_S)
        at_args = ["--at", at] if at else []
        for name, fn, cmd in (
            ("status", lambda a=as_of: _status(conn, a), ["status"]),
            ("difficulty", lambda a=as_of: network.difficulty_report(conn, a), ["difficulty"]),
            ("hashrate", lambda a=as_of: network.hashrate_report(conn, a), ["hashrate"]),
        ):
            lib = _best_of(5, fn)
            cli = _cli_seconds([*cmd, *at_args, "--json", "--db", str(db)])
            print(f"  {name:<10} as of {label:<10} library {lib * 1000:7.1f} ms", end="")
            print(f"   command {cli:5.2f} s")

    as_of = resolve_as_of(conn, parse_time_spec(TOUCHSTONE), now_s=NOW_S)
    d = network.difficulty_report(conn, as_of)
    c = d["next_adjustment"]["change_pct"]
    nd = d["next_adjustment"]["next_difficulty_t"]
    ep = d["epoch"]
    print(f"\ntouchstone {TOUCHSTONE}: epoch {ep['index']}, "
          f"{ep['blocks_mined']} blocks mined, {ep['difficulty_t']:.2f} T")  # fmt: skip
    print("  change %: " + ", ".join(f"{k} {v:+.2f}" for k, v in c.items()))
    print("  next difficulty T: " + ", ".join(f"{k} {v:.2f}" for k, v in nd.items()))
    eta = d["next_adjustment"]["retarget_eta"]
    print("  retarget ETA: " + ", ".join(f"{k} {v['time_iso']}" for k, v in eta.items()))
    print(f"  mempool-style {d['mempool_style']['change_pct']:+.2f} %")
    print(f"  realised {REALISED_PCT:+.2f} %: inside 50 % interval: "
          f"{c['p25'] <= REALISED_PCT <= c['p75']}; inside 90 % interval: "
          f"{c['p5'] <= REALISED_PCT <= c['p95']}")  # fmt: skip

    if not args.skip_backtest:
        t0 = time.perf_counter()
        bt = network.backtest_report(conn, from_date="2016-01-01")
        elapsed = time.perf_counter() - t0
        print(f"\nbacktest since 2016: epochs {bt['epochs']['first']}..{bt['epochs']['last']}"
              f" ({bt['epochs']['count']}), {elapsed:.1f} s; {bt['resolution']}")  # fmt: skip
        print(f"  {'progress':>8} {'n':>4} {'MAE p50':>8} {'MAE mempool':>11} "
              f"{'cov50':>6} {'cov90':>6} {'bias':>6}")  # fmt: skip
        for s in bt["summary"]:
            print(f"  {s['progress_pct']:>7.0f}% {s['epochs']:>4} {s['median_abs_error_pp']:>8.2f} "
                  f"{s['mempool_median_abs_error_pp']:>11.2f} {s['coverage_50_pct']:>5.1f}% "
                  f"{s['coverage_90_pct']:>5.1f}% {s['mean_error_pp']:>+6.2f}")  # fmt: skip
        bb = network.backtest_report(conn, from_date="2025-08-15")
        print(f"\nbacktest of the epochs since 2025-08-15 ({bb['resolution']}):")
        for s in bb["summary"]:
            print(f"  {s['progress_pct']:>7.0f}% {s['epochs']:>4} {s['median_abs_error_pp']:>8.2f} "
                  f"{s['mempool_median_abs_error_pp']:>11.2f} {s['coverage_50_pct']:>5.1f}% "
                  f"{s['coverage_90_pct']:>5.1f}% {s['mean_error_pp']:>+6.2f}")  # fmt: skip
    conn.close()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
