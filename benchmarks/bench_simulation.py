"""Benchmarks of the decision tools; prints its figures (wall and CPU time: on a shared
machine the wall time waits for the CPU, so both are given).

    python benchmarks/bench_simulation.py            # everything
    python benchmarks/bench_simulation.py roi        # one section: roi, curtail, storm, prices

1. roi: 100,000 paths x 730 days for the 10-group examples/fleet_west_texas.toml, bootstrap
   paths from the reference data's last 104 epochs (target: under 2 s and 2 GiB);
2. curtail: a year of hourly HB_WEST real-time prices (2025) for the 10 groups at one site:
   threshold rule (target < 0.1 s) and optimal schedule in weekly blocks (target < 10 s), and
   the blocks' gap against the whole problem on 4 weeks;
3. storm: ``minerscope curtail`` for the 14-day January 2026 storm as a whole command
   (target < 1 s), each price file parsed once;
4. prices: reading one node of the 20 MB ERCOT file.

The reference database is built once from ../shared/data into benchmarks/.cache/.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path

import numpy as np

CLOCK_S = 2_000_000_000  # a fixed clock after every reference moment (2033-05-18)

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
CACHE = Path(__file__).resolve().parent / ".cache"
DB = CACHE / "reference.sqlite"
RTM = SHARED / "power" / "ercot_rtm_hourly_hubs_loadzones_2024-01-01_2026-03-17.csv"
FLEET = ROOT / "examples" / "fleet_west_texas.toml"


def reference_db() -> Path:
    if not DB.exists():
        from minerscope import ingest, storage

        CACHE.mkdir(exist_ok=True)
        conn = storage.connect(DB)
        try:
            ingest.import_reference_dir(conn, SHARED)
        finally:
            conn.close()
    return DB


def timed(fn, repeat: int = 1):  # type: ignore[no-untyped-def]
    best = (float("inf"), float("inf"))
    out = None
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        best = min(best, (time.perf_counter() - w0, time.process_time() - c0))
    return out, best


def bench_roi() -> None:
    from minerscope import storage
    from minerscope.asof import parse_time_spec, resolve_as_of
    from minerscope.report.decisions import FleetInput, RoiOptions, build_fleet, load_setup
    from minerscope.report.econ_inputs import load_machine_catalog
    from minerscope.simulation.roi import RoiConfig, simulate_roi

    conn = storage.connect(reference_db(), read_only=True)
    as_of = resolve_as_of(conn, parse_time_spec("2026-02-01T08:40:17Z"), now_s=CLOCK_S)
    opts = RoiOptions(paths=100_000, horizon_days=730)
    setup = load_setup(conn, as_of, opts)
    conn.close()
    terms, _, machines, _ = build_fleet(
        FleetInput(path=FLEET), opts, catalog=load_machine_catalog(), as_of_s=as_of.time_s
    )
    print(f"roi: {len(terms.group_names)} groups, {machines:,} machines, 100,000 paths x 730 days,"
          f" {setup.models.hashrate.describe()[:40]}...")  # fmt: skip
    for threads in (1, 2):
        cfg = RoiConfig(horizon_days=730, paths=100_000, discount_rate_share=0.1, threads=threads)
        run, (wall, cpu) = timed(
            lambda cfg=cfg: simulate_roi(
                setup.now.start, setup.models, [terms], cfg, rng=np.random.default_rng(1)
            )
        )
        t = run.fleets[0].total
        share = t.payback_within_horizon_share
        print(f"  threads={threads}: {wall:.2f} s wall, {cpu:.2f} s CPU; NPV p50"
              f" ${t.npv_usd.p50:,.0f}, P(payback) {share:.3f}")  # fmt: skip
    tracemalloc.start()
    cfg = RoiConfig(horizon_days=730, paths=100_000, discount_rate_share=0.1, threads=2)
    simulate_roi(setup.now.start, setup.models, [terms], cfg, rng=np.random.default_rng(1))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"  peak array memory (tracemalloc, threads=2): {peak / 2**20:,.0f} MiB;"
        f" process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB"
    )


def _one_site_fleet(tmp: Path) -> Path:
    text = FLEET.read_text()
    text = text.replace('site = "odessa"', 'site = "pecos"')
    start = text.index("[sites.odessa]")
    end = text.index("[[groups]]")
    path = tmp / "one_site.toml"
    path.write_text(text[:start] + text[end:])
    return path


def bench_curtail() -> None:
    from minerscope import storage
    from minerscope.fleet_config import read_fleet
    from minerscope.power_prices import read_hourly_prices
    from minerscope.report.curtail import CurtailSettings, build_problem
    from minerscope.report.econ_inputs import load_machine_catalog
    from minerscope.simulation.curtail import schedule_value, threshold_schedule
    from minerscope.simulation.milp import optimal_schedule

    with tempfile.TemporaryDirectory() as d:
        spec = read_fleet(_one_site_fleet(Path(d)), catalog=load_machine_catalog())
    hourly = read_hourly_prices(RTM, column="price_usd_per_mwh", node="HB_WEST", label="bench")
    spec = replace(
        spec, sites={k: replace(s, hourly=hourly, power_price_usd_per_kwh=None)
                     for k, s in spec.sites.items()},
    )  # fmt: skip
    conn = storage.connect(reference_db(), read_only=True)
    year = (1_735_689_600, 1_767_225_600)  # 2025-01-01 .. 2026-01-01
    settings = CurtailSettings(fill_gaps="previous")
    problem, window, _ = build_problem(spec, settings, *year, conn)
    conn.close()
    filled = window["sites"]["pecos"]["filled_steps"]
    print(f"curtail: {len(problem.group_names)} groups at one site, {problem.steps:,} hours of"
          f" 2025 HB_WEST real-time prices ({filled} filled)")  # fmt: skip
    thr, (wall, cpu) = timed(lambda: threshold_schedule(problem), repeat=5)
    print(f"  threshold rule: {wall * 1000:.1f} ms wall, {cpu * 1000:.1f} ms CPU")
    res, (wall, cpu) = timed(lambda: optimal_schedule(problem))
    v_thr = schedule_value(problem, thr).sum()
    v_opt = schedule_value(problem, res.on).sum()
    print(f"  optimal (MILP, {res.blocks} weekly blocks + 24 h lookahead): {wall:.2f} s wall,"
          f" {cpu:.2f} s CPU; value ${v_opt:,.0f} against the threshold rule's ${v_thr:,.0f}"
          f" (which breaks constraints); max MIP gap {100 * res.mip_gap_max:.3f}%")  # fmt: skip
    n = 672
    four = replace(
        problem, start_s=problem.start_s[:n], price_usd_per_kwh=problem.price_usd_per_kwh[:, :n],
        hashprice_usd_per_phs_day=problem.hashprice_usd_per_phs_day[:n],
        btc_price_usd=problem.btc_price_usd[:n], cp_step=problem.cp_step[:, :n],
    )  # fmt: skip
    blocks, (wb, _) = timed(lambda: optimal_schedule(four, keep_threshold=False))
    whole, (ww, _) = timed(lambda: optimal_schedule(four, block_steps=None, keep_threshold=False))
    vb, vw = schedule_value(four, blocks.on).sum(), schedule_value(four, whole.on).sum()
    print(
        f"  decomposition on 4 weeks: blocks ${vb:,.2f} ({wb:.2f} s) vs whole problem"
        f" ${vw:,.2f} ({ww:.2f} s): gap {100 * (vw - vb) / abs(vw):.4f}% of the whole's value"
    )


def _run_best(cmd: list[str], env: dict[str, str], n: int = 3) -> tuple[float, float]:
    best = (float("inf"), float("inf"))
    for _ in range(n):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        w0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        wall = time.perf_counter() - w0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = min(best, (wall, cpu))
    return best


def bench_storm() -> None:
    db = reference_db()
    cmd = [
        sys.executable, "-m", "minerscope", "curtail", str(FLEET), "--from", "2026-01-20",
        "--to", "2026-02-02", "--prices", str(RTM), "--node", "HB_WEST", "--db", str(db),
        "--json",
    ]  # fmt: skip
    env = dict(os.environ)
    wall, cpu = _run_best(cmd, env)
    print("storm: minerscope curtail, 14 days x 10 groups, threshold + MILP, whole command"
          f" (best of 3): {wall:.2f} s wall, {cpu:.2f} s CPU")  # fmt: skip
    if env.get("PYTHONDONTWRITEBYTECODE"):
        # this environment compiles every module on every run; an installed package does not
        with tempfile.TemporaryDirectory() as prefix:
            cached = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
            cached["PYTHONPYCACHEPREFIX"] = prefix
            _run_best(cmd, cached, n=1)  # compiles once, into the temporary prefix
            wall, cpu = _run_best(cmd, cached)
        print(f"  with a bytecode cache (as installed): {wall:.2f} s wall, {cpu:.2f} s CPU")


def bench_prices() -> None:
    from minerscope.power_prices import read_hourly_prices

    h, (wall, cpu) = timed(
        lambda: read_hourly_prices(RTM, column="price_usd_per_mwh", node="HB_WEST", label="b"),
        repeat=3,
    )
    size = RTM.stat().st_size / 2**20
    print(
        f"prices: one node ({len(h.start_time_s):,} hours) of the {size:.0f} MiB ERCOT file:"
        f" {wall * 1000:.0f} ms wall, {cpu * 1000:.0f} ms CPU"
    )


SECTIONS = {
    "roi": bench_roi,
    "curtail": bench_curtail,
    "storm": bench_storm,
    "prices": bench_prices,
}


def main() -> None:
    if not SHARED.is_dir():
        sys.exit(f"reference data not found: {SHARED}")
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
    for name in sys.argv[1:] or list(SECTIONS):
        SECTIONS[name]()


if __name__ == "__main__":
    main()
