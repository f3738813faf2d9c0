"""Report and chart speed: ``minerscope report --at TOUCHSTONE --out x.html`` and each plot.

Run from the repository root with ../shared/data beside it (timings on a shared machine are
inflated; re-run on a quiet one):

    python benchmarks/bench_story.py [--repeat N]

Builds a temporary database from the reference data plus the pool attribution file, then
prints (median of N runs, wall and this process's CPU): the documents of the report (every
library call), the whole report as HTML (documents + 13 SVG charts + page) and as Markdown
(13 PNG charts), each chart alone as PNG and SVG from the documents, and the two commands
through the CLI in process (``report --out x.html``, ``plot hashrate --out x.png``).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from minerscope import ingest, storage

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
POOLS_CSV = DATA / "pools" / "blocks_by_pool_664063_946236.csv"
TOUCHSTONE = "2026-02-01T08:40:17Z"
CLOCK_S = 2_000_000_000  # a fixed clock after every reference moment (2033-05-18)


def _median(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


def _line(label: str, t: tuple[float, float]) -> None:
    print(f"  {label:<44} {t[0] * 1000:9.0f} ms wall  {t[1] * 1000:9.0f} ms CPU")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"reference data not found at {DATA}", file=sys.stderr)
        return 1
    import matplotlib

    matplotlib.use("Agg")
    from typer.testing import CliRunner

    from minerscope.charts import CHARTS, mpl, page
    from minerscope.cli import app
    from minerscope.report.story import story_view

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "ref.sqlite"
        t0 = time.perf_counter()
        conn = storage.connect(db)
        try:
            ingest.import_reference_dir(conn, DATA)
            ingest.import_pools(conn, POOLS_CSV)
        finally:
            conn.close()
        print(f"database built in {time.perf_counter() - t0:.1f} s (not part of the figures)")
        print(f"report as of {TOUCHSTONE}, median of {args.repeat}:")
        story = story_view(db, TOUCHSTONE, now_s=CLOCK_S)
        _line("documents (every library call)",
              _median(lambda: story_view(db, TOUCHSTONE, now_s=CLOCK_S), args.repeat))  # fmt: skip
        _line("report as HTML (documents + 13 SVG + page)",
              _median(lambda: page.story_bytes(story_view(db, TOUCHSTONE, now_s=CLOCK_S),
                                               "html"), args.repeat))  # fmt: skip
        _line("report as Markdown (documents + 13 PNG)",
              _median(lambda: page.story_bytes(story_view(db, TOUCHSTONE, now_s=CLOCK_S),
                                               "md"), args.repeat))  # fmt: skip
        print("each chart from the documents:")
        for name, chart in CHARTS.items():
            spec = chart.build(story.documents)
            for fmt in mpl.FORMATS:
                _line(f"{name} {fmt}", _median(lambda s=spec, f=fmt: mpl.render(s, f),
                                               args.repeat))  # fmt: skip
        runner = CliRunner()
        out_html, out_png = str(Path(tmp) / "x.html"), str(Path(tmp) / "x.png")
        print("the commands in process (documents included):")

        def cli(*argv: str) -> None:
            res = runner.invoke(app, [*argv, "--at", TOUCHSTONE, "--db", str(db)])
            assert res.exit_code == 0, res.stderr

        _line("report --out x.html", _median(lambda: cli("report", "--out", out_html),
                                              args.repeat))  # fmt: skip
        fleet = str(Path(__file__).resolve().parent.parent / "examples" / "fleet_hourly.toml")
        t = _median(lambda: cli("report", "--fleet", fleet, "--out", out_html), args.repeat)
        _line("report --fleet examples/fleet_hourly.toml --out x.html", t)
        for name in CHARTS:
            if name == "curtail":
                t = _median(lambda: cli("plot", "curtail", "--fleet", fleet, "--out", out_png),
                            args.repeat)  # fmt: skip
                _line("plot curtail --fleet ... --out x.png", t)
                continue
            t = _median(lambda n=name: cli("plot", n, "--out", out_png), args.repeat)
            _line(f"plot {name} --out x.png", t)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
