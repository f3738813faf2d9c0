"""Import speed: the getblockstats file (25,118 blocks) and the combined daily file.

Target (issue 2): each under 5 s on the 2-core reference machine. Run from the repository
root with ../shared/data beside it:

    python benchmarks/bench_import.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from minerscope import ingest, storage

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
CASES = (
    ("epochs", "difficulty_epochs_electrum.csv", ingest.import_epochs),
    ("blockstats", "blocks_getblockstats_909458_934575.csv", ingest.import_blockstats),
    ("daily", "btc_daily_network_2009-01-03_2026-05-23.csv", ingest.import_daily),
    ("prices", "cm_btc_price_supply_daily_2010-07-18_2026-08-21.csv", ingest.import_prices),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh databases to time")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"reference data not found at {DATA}", file=sys.stderr)
        return 1
    first: dict[str, list[float]] = {k: [] for k, _, _ in CASES}
    again: dict[str, list[float]] = {k: [] for k, _, _ in CASES}
    rows: dict[str, int] = {}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            conn = storage.connect(Path(tmp) / "bench.sqlite")
            for kind, name, fn in CASES:
                t0 = time.perf_counter()
                rep = fn(conn, DATA / name)
                first[kind].append(time.perf_counter() - t0)
                rows[kind] = rep.rows_read
            for kind, name, fn in CASES:
                t0 = time.perf_counter()
                fn(conn, DATA / name)
                again[kind].append(time.perf_counter() - t0)
            conn.close()
    print(f"import into a new file database (median of {args.repeat} runs; target < 5 s each)")
    print(f"{'kind':<12}{'rows':>8}{'first import s':>16}{'rows/s':>12}{'re-import s':>14}")
    for kind, _, _ in CASES:
        t1 = statistics.median(first[kind])
        t2 = statistics.median(again[kind])
        print(f"{kind:<12}{rows[kind]:>8,}{t1:>16.3f}{rows[kind] / t1:>12,.0f}{t2:>14.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
