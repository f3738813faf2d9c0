"""Whole-chain scale and start-up: time and peak RSS of the as-of commands; prints, asserts nothing.

Usage: python benchmarks/bench_scale.py [--repeat N] [--only reference|wholechain]

Databases (built once and cached in ``benchmarks/.cache/``, git-ignored):

- ``reference.sqlite``: the reference data set (``minerscope quickstart ../shared/data``);
- ``wholechain.sqlite``: the reference epochs, daily rows and prices plus every block
  0..934,575 from ``benchmarks/wholechain.py`` (about 200 MiB; built in about half a minute).

For each database it prints:

- **in process**: a fresh Python process imports minerscope, runs the library call once to
  warm up, then ``--repeat`` times; the best time and the process's peak RSS (start-up and
  imports included) are printed;
- **whole commands**: ``python -m minerscope ...`` in a fresh process, the median wall time of
  ``--repeat`` runs and the peak RSS (start-up, imports, query, rendering);
- the start-up floor: ``python -c pass`` and ``import minerscope.cli``.

Children run with compiled bytecode, as an installed package has: ``PYTHONDONTWRITEBYTECODE``
is dropped and ``PYTHONPYCACHEPREFIX`` points into ``benchmarks/.cache/pycache`` (a first,
uncounted run compiles). Each figure gives the wall time and the CPU time (user + system):
on a machine shared with other work the wall time includes waiting for a core.

Targets (issue 9): on the whole chain ``status`` and ``economics`` over one year under 0.4 s
and 150 MiB, ``economics --from 2010-01-01`` (table) under 1 s; on the reference database
``status``, ``hashrate``, ``difficulty`` and ``machines`` under 0.30 s as whole commands.
Figures on a shared machine are noisy: compare runs on a quiet one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from wholechain import CACHE, DATA, wholechain_blockstats

ONE_YEAR = ("--from", "2025-05-24", "--to", "2026-05-23")
COMMANDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("status", ("status",)),
    ("status --json", ("status", "--json")),
    ("status --at touchstone", ("status", "--at", "2026-02-01T08:40:17Z")),
    ("hashrate", ("hashrate",)),
    ("difficulty", ("difficulty",)),
    ("machines", ("machines",)),
    ("economics, one year (table)", ("economics", *ONE_YEAR)),
    ("economics, one year --json", ("economics", *ONE_YEAR, "--json")),
    ("economics --from 2010-01-01 (table)", ("economics", "--from", "2010-01-01")),
    ("economics --from 2010-01-01 --csv", ("economics", "--from", "2010-01-01", "--csv")),
)
IN_PROCESS: tuple[tuple[str, str], ...] = (
    (
        "status (all sections)",
        "a = resolve_as_of(conn, None, now_s=NOW); status.build_status(conn, a,"
        " sections=status.default_sections())",
    ),
    (
        "status without the network section",
        "a = resolve_as_of(conn, None, now_s=NOW); status.build_status(conn, a,"
        " sections={'economics': econ.status_section})",
    ),
    ("machines", "econ.machines_view(DB, None, now_s=NOW)"),
    (
        "economics, one year",
        "econ.economics_view(DB, None, now_s=NOW, from_date='2025-05-24', to_date='2026-05-23')",
    ),
    (
        "economics from 2010-01-01",
        "econ.economics_view(DB, None, now_s=NOW, from_date='2010-01-01')",
    ),
)
CHILD = """
import resource, sys, time
from pathlib import Path
from minerscope import storage
from minerscope.asof import resolve_as_of
from minerscope.report import econ, status
DB = Path(sys.argv[1])
NOW = int(time.time())
REPEAT = int(sys.argv[2])
conn = storage.connect(DB)
def run():
    {call}
run()
best = cpu = float("inf")
for _ in range(REPEAT):
    t0, c0 = time.perf_counter(), time.process_time()
    run()
    best = min(best, time.perf_counter() - t0)
    cpu = min(cpu, time.process_time() - c0)
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
mods = "pandas" in sys.modules, "scipy" in sys.modules
print(f"{{best}} {{peak_mib}} {{int(mods[0])}} {{int(mods[1])}} {{cpu}}")
"""


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
ENV["PYTHONPYCACHEPREFIX"] = str(CACHE / "pycache")
#: ``status`` without the network section (another package's): what the status figures of
#: this package cost as a whole command.
STATUS_WITHOUT_NETWORK = (
    "import sys; from minerscope.report import econ, status;"
    " status.default_sections = lambda: {'economics': econ.status_section};"
    " sys.argv = ['minerscope', *sys.argv[1:]]; from minerscope.cli import main; main()"
)


def _run(args: list[str]) -> tuple[float, float, int, float]:
    """Wall time, peak RSS (MiB), exit code and CPU time (user + system) of a fresh process.

    On a loaded machine the wall time includes waiting for a core; the CPU time does not,
    and is close to the wall time the same process takes on a quiet machine.
    """
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, code, usage.ru_utime + usage.ru_stime


def _build(path: Path, *, whole: bool) -> Path:
    """Build a cached database in a child process (so this one's peak RSS stays small:
    Linux children inherit their parent's RSS high-water mark)."""
    if path.exists():
        return path
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, __file__, "--build", str(path), *(["--whole"] if whole else [])],
        check=True,
    )
    print(f"built {path.name} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return path


def _build_here(path: Path, *, whole: bool) -> None:
    from minerscope import ingest, storage

    tmp = path.with_suffix(".building")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    conn = storage.connect(tmp)
    try:
        if whole:
            ingest.import_epochs(conn, DATA / "difficulty_epochs_electrum.csv")
            ingest.import_blockstats(conn, wholechain_blockstats())
            for kind, name in ingest.REFERENCE_FILES:
                if kind in ("daily", "prices"):
                    getattr(ingest, f"import_{kind}")(conn, DATA / name)
        else:
            ingest.import_reference_dir(conn, DATA)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    tmp.replace(path)


def _report(label: str, db: Path, repeat: int) -> None:
    size = db.stat().st_size / 2**20
    print(f"\n== {label}: {db.name} ({size:,.0f} MiB)")
    print("in process (best of the repeats after a warm-up; peak RSS of the process)")
    for name, call in IN_PROCESS:
        code = CHILD.format(call=textwrap.dedent(call))
        out = subprocess.run(
            [sys.executable, "-c", code, str(db), str(repeat)],
            check=True,
            capture_output=True,
            text=True,
            env=ENV,
        ).stdout.split()
        best, peak, cpu = float(out[0]), float(out[1]), float(out[4])
        loaded = [m for m, flag in (("pandas", out[2]), ("scipy", out[3])) if flag == "1"]
        extra = f"  imports {' and '.join(loaded)}" if loaded else "  (no pandas, no scipy)"
        print(
            f"  {name:<38} {best * 1e3:7.1f} ms (cpu {cpu * 1e3:6.1f} ms)"
            f"  peak {peak:5.0f} MiB{extra}"
        )
    print(f"whole commands (python -m minerscope ...; median of {repeat}; cpu = user + system)")
    commands = [(name, [sys.executable, "-m", "minerscope", *args]) for name, args in COMMANDS] + [
        (
            "status without the network section",
            [sys.executable, "-c", STATUS_WITHOUT_NETWORK, "status"],
        )
    ]
    for name, argv in commands:
        _run([*argv, "--db", str(db)])  # compiles what the command imports; not counted
        runs = [_run([*argv, "--db", str(db)]) for _ in range(repeat)]
        codes = {r[2] for r in runs}
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[3] for r in runs)
        peak = max(r[1] for r in runs)
        flag = "" if codes == {0} else f"  exit {sorted(codes)}"
        print(f"  {name:<38} {wall:6.3f} s (cpu {cpu:5.3f} s)  peak {peak:5.0f} MiB{flag}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure")
    parser.add_argument("--only", choices=["reference", "wholechain"], default=None)
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--whole", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build is not None:
        _build_here(args.build, whole=args.whole)
        return 0
    if not DATA.is_dir():
        print(f"reference data not found at {DATA}", file=sys.stderr)
        return 1
    CACHE.mkdir(parents=True, exist_ok=True)
    print("start-up floor (median)")
    for name, code in (
        ("python -c pass", "pass"),
        ("import minerscope.cli", "import minerscope.cli"),
    ):
        runs = [_run([sys.executable, "-c", code]) for _ in range(args.repeat)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[3] for r in runs)
        peak = max(r[1] for r in runs)
        print(f"  {name:<38} {wall:6.3f} s (cpu {cpu:5.3f} s)  peak {peak:5.0f} MiB")
    if args.only in (None, "reference"):
        _report("reference data", _build(CACHE / "reference.sqlite", whole=False), args.repeat)
    if args.only in (None, "wholechain"):
        _report("whole chain", _build(CACHE / "wholechain.sqlite", whole=True), args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
