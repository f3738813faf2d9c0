"""Pools speed: importing the attribution file, the ``pools`` report, identification.

Targets (issue 12): importing the 282,174-row attribution file under 3 s; ``pools`` over 365
days of blocks under 0.5 s in process. Run from the repository root with ../shared/data
beside it (timings on a shared machine are inflated; re-run on a quiet one):

    python benchmarks/bench_pools.py [--repeat N]

Prints: the import into a file database that holds the epochs (first and repeated), the
report over 1, 7, 30 and 365 days at the touchstone moment (2026-02-01T08:40:17Z) and at
the end of the attribution file (2026-04-22), each with and without ``--history``, and
the identification of one coinbase (tag match, address match, payout address).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from minerscope import ingest, storage
from minerscope.asof import parse_time_spec, resolve_as_of
from minerscope.report.pools import pools_report
from minerscope.sources._address import script_from_address
from minerscope.sources.pools import Coinbase, load_catalog

CLOCK_S = 2_000_000_000  # a fixed clock after every reference moment (2033-05-18)

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
POOLS_CSV = DATA / "pools" / "blocks_by_pool_664063_946236.csv"
MOMENTS = ("2026-02-01T08:40:17Z", "2026-04-22T21:50:03Z")
WINDOWS = (1, 7, 30, 365)


def _median(fn: object, repeat: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds of ``repeat`` calls (CPU: this process only, so a
    loaded machine inflates the first and not the second)."""
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()  # type: ignore[operator]
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"reference data not found at {DATA}", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        first: list[tuple[float, float]] = []
        again: list[tuple[float, float]] = []
        rows = 0
        for i in range(args.repeat):
            conn = storage.connect(Path(tmp) / f"imp{i}.sqlite")
            ingest.import_epochs(conn, DATA / "difficulty_epochs_electrum.csv")
            first.append(_median(lambda: ingest.import_pools(conn, POOLS_CSV), 1))  # noqa: B023
            again.append(_median(lambda: ingest.import_pools(conn, POOLS_CSV), 1))  # noqa: B023
            rows = storage.block_pool_count(conn)
            conn.close()
        print(f"import pools: {rows:,} rows (median of {args.repeat}; target < 3 s)")
        for label, runs in (("first import", first), ("re-import", again)):
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            print(f"  {label:<13} {wall:.3f} s wall, {cpu:.3f} s CPU ({rows / wall:,.0f} rows/s)")

        db = Path(tmp) / "ref.sqlite"
        conn = storage.connect(db)
        ingest.import_reference_dir(conn, DATA)
        ingest.import_pools(conn, POOLS_CSV)
        conn.close()
        conn = storage.connect(db, read_only=True)
        catalog = load_catalog()
        print(f"\npools report in process (median of {args.repeat}; target 365 days < 0.5 s)")
        print(f"{'moment':<24}{'days':>6}{'blocks':>8}{'wall s':>9}{'CPU s':>8}"
              f"{'--history wall s':>18}{'CPU s':>8}")  # fmt: skip
        for at in MOMENTS:
            as_of = resolve_as_of(conn, parse_time_spec(at), now_s=CLOCK_S)
            pools_report(conn, as_of, catalog, window_days=1)  # warm: imports, page cache
            for days in WINDOWS:
                r = pools_report(conn, as_of, catalog, window_days=days)
                plain = _median(lambda: pools_report(conn, as_of, catalog, window_days=days),  # noqa: B023
                                args.repeat)  # fmt: skip
                hist = _median(
                    lambda: pools_report(conn, as_of, catalog, window_days=days, history=True),  # noqa: B023
                    args.repeat,
                )
                print(f"{at:<24}{days:>6}{r.window.blocks:>8,}{plain[0]:>9.3f}{plain[1]:>8.3f}"
                      f"{hist[0]:>18.3f}{hist[1]:>8.3f}")  # fmt: skip
        conn.close()

    tagged = Coinbase(b"\x03\x92\xe0\x0d/ViaBTC/Mined by someone/" + bytes(8),
                      (script_from_address("12KKDt4Mj7N5UAkQMN7LtPZMayenXHa8KL"),))  # fmt: skip
    plain_cb = Coinbase(b"\x03\x92\xe0\x0d/nobody/" + bytes(8), (bytes((0, 20)) + bytes(20),))
    for label, cb in (("tag and address", tagged), ("neither (bech32 payout)", plain_cb)):
        n = 20_000
        t0 = time.perf_counter()
        for _ in range(n):
            catalog.identify(cb)
        per = (time.perf_counter() - t0) / n * 1e6
        print(f"identify one coinbase, {label}: {per:.1f} us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
