"""Benchmark the signal studies; prints figures, asserts nothing.

Usage: python benchmarks/bench_signals.py [--db PATH] [--repeat N]

Without --db a temporary database is built from ../shared/data (a few seconds, not timed).
Prints:
- the time of each study over 2011-2026 (contraction with its 80-combination sensitivity
  grid, Hash Ribbons, the composite score's two backtests), best of N in process, with the
  default 2,000 bootstrap resamples;
- the stationary bootstrap alone with 10,000 resamples on the contraction sample, and the
  contraction study with 10,000 resamples;
- ``signals`` at the touchstone and ``difficulty --history`` (474 epochs), in process;
- whole commands in a fresh process (Python start-up and imports included);
- the figures the issue asks about: VanEck's headline against our intervals, the Hash Ribbons
  buy dates since 2012.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from minerscope import storage
from minerscope.asof import parse_time_spec, resolve_as_of
from minerscope.report import retargets
from minerscope.report import signals as sr
from minerscope.signals.contraction import contraction_signal
from minerscope.signals.series import forward_return
from minerscope.signals.stats import bootstrap_group_stats
from minerscope.signals.study import sample_mask

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
NOW_S = 1_790_000_000  # a fixed "now" (2026-09-21) so runs compare
TOUCHSTONE = "2026-02-01T08:40:17Z"


def _best_of(n: int, fn: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _cli_seconds(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(["minerscope", *args], check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
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
    n = args.repeat
    print(f"database: {storage.table_counts(conn)}")

    print(f"\nstudies over 2011-01-01..2026-05-23, 2,000 resamples (best of {n}, in process)")
    studies: list[tuple[str, Callable[[], Any]]] = [
        ("contraction + sensitivity", lambda: sr.contraction_report(
            conn, now_s=NOW_S, from_date="2011-01-01")),
        ("contraction, no grid", lambda: sr.contraction_report(
            conn, now_s=NOW_S, from_date="2011-01-01", sensitivity=False)),
        ("ribbons", lambda: sr.ribbons_report(conn, now_s=NOW_S, from_date="2011-01-01")),
        ("composite (2 backtests)", lambda: sr.composite_report(
            conn, now_s=NOW_S, from_date="2011-01-01")),
    ]  # fmt: skip
    for label, fn in studies:
        print(f"  {label:<28} {_best_of(n, fn) * 1000:7.0f} ms")

    inputs = sr.load_inputs(conn, "2026-05-23")
    _, sig = contraction_signal(inputs.blocks, inputs.difficulty, smoothing_days=30,
                                lookback_days=90)  # fmt: skip
    first = int(np.datetime64("2011-01-01", "s").astype(np.int64)) - int(inputs.day_start_s[0])
    sig[: first // 86_400] = np.nan
    rets = forward_return(inputs.price_usd, 180)
    m = sample_mask(sig, rets)
    s, r = sig[m] > 0.5, rets[m]
    boot = _best_of(n, lambda: bootstrap_group_stats(
        s, r, mean_block=180, draws=10_000, rng=np.random.default_rng(1)))  # fmt: skip
    print(f"\nstationary bootstrap, 10,000 resamples of {len(s):,} days: {boot:.2f} s")
    full = _best_of(n, lambda: sr.contraction_report(
        conn, now_s=NOW_S, from_date="2011-01-01", resamples=10_000, sensitivity=False,
    ))  # fmt: skip
    print(f"contraction study with 10,000 resamples: {full:.2f} s")

    as_of = resolve_as_of(conn, parse_time_spec(TOUCHSTONE), now_s=NOW_S)
    sig_t = _best_of(n, lambda: sr.signals_view(conn, as_of))
    latest = resolve_as_of(conn, None, now_s=NOW_S)
    hist_t = _best_of(n, lambda: retargets.retarget_history(conn, latest))
    print(f"\nsignals at {TOUCHSTONE}: {sig_t * 1000:.0f} ms; difficulty --history: "
          f"{hist_t * 1000:.0f} ms")  # fmt: skip

    print("\nwhole commands (one fresh process each)")
    for cmd in (["study", "contraction"], ["study", "ribbons"], ["study", "composite"],
                ["signals", "--at", TOUCHSTONE], ["difficulty", "--history"]):  # fmt: skip
        seconds = _cli_seconds([*cmd, "--json", "--db", str(db)])
        print(f"  minerscope {' '.join(cmd):<36} {seconds:5.2f} s")

    st = sr.contraction_report(conn, now_s=NOW_S)
    g = st.stats.signal
    print(f"\ncontraction (L 90, S 30, N 180, from 2014): {g.days} signal days, {g.episodes}"
          f" episodes, {g.non_overlapping_windows} non-overlapping windows;"
          f" p = {st.stats.hit_rate_test.p_value:.3f}")  # fmt: skip
    for c in st.published:
        unit = 100 if "hit" in c.claim else 1
        print(
            f"  {c.claim:<24} VanEck {c.published * unit:6.1f}  ours {c.ours * unit:6.1f}"
            f"  [{c.ours_lower * unit:6.1f}, {c.ours_upper * unit:6.1f}]  inside: {c.inside}"
        )
    sens = st.sensitivity
    assert sens is not None
    print(
        f"  sensitivity: {sens.combinations_tried} combinations, {sens.significant_at_5pct}"
        f" with p < 0.05 ({sens.expected_by_chance:g} expected by chance)"
    )
    rb = sr.ribbons_report(conn, now_s=NOW_S, from_date="2012-01-01")
    print(f"\nHash Ribbons buys since 2012 ({len(rb.buys)}):")
    print("  " + ", ".join(b.date for b in rb.buys))
    conn.close()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
