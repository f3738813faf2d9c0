"""Import speed and memory: the reference files and the whole-chain getblockstats file.

Each import runs as the real command (``python -m minerscope import KIND FILE --db DB``) in
its own child process, so the seconds include start-up and the peak resident memory
(``ru_maxrss`` of that child) is the command's own. Prints rows, seconds (median of
``--repeat`` runs), rows per second and peak RSS, for a fresh database and for importing
the same file again (every row unchanged).

Targets (issue 9, item 6): the 934,576-row whole-chain file in under 8 s with under 200 MiB
peak RSS on the 2-core reference machine. Run from the repository root with
../shared/data beside it (the whole-chain file is built into benchmarks/.cache on first use):

    python benchmarks/bench_import.py [--repeat N] [--skip-wholechain]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data"
REFERENCE = (
    ("epochs", "difficulty_epochs_electrum.csv"),
    ("blockstats", "blocks_getblockstats_909458_934575.csv"),
    ("daily", "btc_daily_network_2009-01-03_2026-05-23.csv"),
    ("prices", "cm_btc_price_supply_daily_2010-07-18_2026-08-21.csv"),
    ("prices", "bitstamp_btcusd_ohlc_daily_2011-08-18_2026-06-10.csv"),
)
KIB_PER_MIB = 1024


def _import(kind: str, path: Path, db: Path) -> tuple[float, float, int]:
    """Seconds, peak RSS (MiB) and rows read of one ``minerscope import`` child process."""
    cmd = [sys.executable, "-m", "minerscope", "import", kind, str(path), "--db", str(db), "--json"]
    started = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    out = child.stdout.read() if child.stdout else ""
    err = child.stderr.read() if child.stderr else ""
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"import {kind} {path.name} failed: {err.strip()}")
    import json

    rows = int(json.loads(out)["imports"][0]["rows_read"])
    return seconds, usage.ru_maxrss / KIB_PER_MIB, rows  # Linux reports KiB


def _line(label: str, rows: int, runs: list[tuple[float, float]]) -> str:
    seconds = statistics.median(s for s, _ in runs)
    peak = max(m for _, m in runs)
    return f"{label:<44}{rows:>10,}{seconds:>10.2f}{rows / seconds:>12,.0f}{peak:>11.0f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each import")
    parser.add_argument("--skip-wholechain", action="store_true", help="reference files only")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"reference data not found at {DATA}", file=sys.stderr)
        return 1
    header = f"{'import':<44}{'rows':>10}{'seconds':>10}{'rows/s':>12}{'peak MiB':>11}"
    print(f"each import is one `minerscope import` process; median of {args.repeat} runs")
    print(header)
    fresh: dict[int, list[tuple[float, float]]] = {i: [] for i in range(len(REFERENCE))}
    again: dict[int, list[tuple[float, float]]] = {i: [] for i in range(len(REFERENCE))}
    rows: dict[int, int] = {}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.sqlite"
            for i, (kind, name) in enumerate(REFERENCE):
                s, m, rows[i] = _import(kind, DATA / name, db)
                fresh[i].append((s, m))
            for i, (kind, name) in enumerate(REFERENCE):
                s, m, _ = _import(kind, DATA / name, db)
                again[i].append((s, m))
    for i, (kind, name) in enumerate(REFERENCE):
        print(_line(f"{kind} {name[:30]}", rows[i], fresh[i]))
        print(_line("  the same file again", rows[i], again[i]))
    if args.skip_wholechain:
        return 0
    sys.path.insert(0, str(HERE))
    from wholechain import wholechain_blockstats

    whole = wholechain_blockstats()
    first: list[tuple[float, float]] = []
    second: list[tuple[float, float]] = []
    with_epochs: list[tuple[float, float]] = []
    n = 0
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "whole.sqlite"
            s, m, n = _import("blockstats", whole, db)
            first.append((s, m))
            s, m, _ = _import("blockstats", whole, db)
            second.append((s, m))
            db2 = Path(tmp) / "whole-epochs.sqlite"
            _import("epochs", DATA / "difficulty_epochs_electrum.csv", db2)
            s, m, _ = _import("blockstats", whole, db2)
            with_epochs.append((s, m))
    print(_line("whole chain, fresh database (target < 8 s)", n, first))
    print(_line("  the same file again", n, second))
    print(_line("  into a database holding the epochs", n, with_epochs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
