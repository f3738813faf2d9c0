"""The published JSON documents: one name per document, its result class, its JSON Schema.

Every command's ``--json`` and every ``/api/v1`` answer is one of these documents (or the
error document). The schemas are generated from the result classes and published in
``docs/schemas/<name>.schema.json``; a test checks that the files are current and that each
command's output validates against its schema. Regenerate them after changing a result::

    python -m minerscope.schemas --write docs/schemas

The registry names classes by import path, so that reading it imports nothing heavy.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any, Final

#: Document name -> ``"module:Class"`` of its result class.
DOCUMENTS: Final[dict[str, str]] = {
    "backtest_paths": "minerscope.report.paths_backtest:PathsBacktestDocument",
    "backtest_projection": "minerscope.report.network_results:ProjectionBacktest",
    "consensus_header": "minerscope.report.consensus:HeaderDocument",
    "consensus_next_bits": "minerscope.report.consensus:NextBitsDocument",
    "curtail": "minerscope.report.curtail:CurtailDocument",
    "data": "minerscope.report.web_data:DataRange",
    "difficulty": "minerscope.report.network_results:DifficultyReport",
    "difficulty_history": "minerscope.report.retargets:RetargetHistory",
    "economics": "minerscope.report.econ_results:EconomicsHistory",
    "error": "minerscope.results:ErrorDocument",
    "fleet": "minerscope.report.econ_results:FleetReport",
    "grid": "minerscope.report.econ_grid:GridDocument",
    "hashrate": "minerscope.report.network_results:HashrateReport",
    "import": "minerscope.ingest.results:ImportDocument",
    "machines": "minerscope.report.econ_results:MachinesReport",
    "plot": "minerscope.charts.spec:PlotDocument",
    "plot_list": "minerscope.charts.spec:PlotList",
    "pools": "minerscope.report.pools_results:PoolsReport",
    "pools_list": "minerscope.report.pools_results:KnownPools",
    "quickstart": "minerscope.report.imports:QuickstartDocument",
    "report": "minerscope.report.story_results:StoryReport",
    "roi": "minerscope.report.decisions_docs:RoiDocument",
    "roi_sweep": "minerscope.report.sweep:SweepDocument",
    "scenario": "minerscope.report.scenario:ScenarioDocument",
    "signals": "minerscope.signals.state:SignalsReport",
    "status": "minerscope.report.status_results:StatusDocument",
    "study_composite": "minerscope.signals.composite:CompositeStudy",
    "study_contraction": "minerscope.signals.contraction:ContractionStudy",
    "study_ribbons": "minerscope.signals.ribbons:RibbonsStudy",
    "sync": "minerscope.ingest.results:BlockSyncDocument",
    "sync_daily": "minerscope.ingest.results:DailySyncDocument",
    "sync_follow_event": "minerscope.ingest.sync_follow:FollowEvents",
}


def document_class(name: str) -> type[Any]:
    """The result class of a document (imported on demand)."""
    try:
        module, attr = DOCUMENTS[name].split(":")
    except KeyError:
        raise KeyError(
            f"unknown document {name!r}; known: {', '.join(sorted(DOCUMENTS))}"
        ) from None
    cls: type[Any] = getattr(importlib.import_module(module), attr)
    return cls


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a document (:meth:`Result.json_schema`)."""
    schema: dict[str, Any] = document_class(name).json_schema()
    schema["$id"] = f"https://minerscope.invalid/schemas/{name}.schema.json"
    schema["title"] = name
    return schema


def _text(name: str) -> str:
    return json.dumps(json_schema(name), indent=2, sort_keys=True) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    """Write every document's schema to ``folder/<name>.schema.json``; return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name in sorted(DOCUMENTS):
        path = folder / f"{name}.schema.json"
        path.write_text(_text(name), encoding="utf-8")
        out.append(path)
    for stale in folder.glob("*.schema.json"):
        if stale.name.removesuffix(".schema.json") not in DOCUMENTS:
            stale.unlink()
    return out


def stale_schemas(folder: Path) -> list[str]:
    """Names whose published schema in ``folder`` is missing or differs from the classes',
    and files there that name no document."""
    bad = [n for n in sorted(DOCUMENTS) if not (folder / f"{n}.schema.json").is_file()
           or (folder / f"{n}.schema.json").read_text(encoding="utf-8") != _text(n)]  # fmt: skip
    extra = [p.name for p in folder.glob("*.schema.json")
             if p.name.removesuffix(".schema.json") not in DOCUMENTS]  # fmt: skip
    return bad + extra


def main(argv: list[str] | None = None) -> int:
    """``python -m minerscope.schemas --write DIR`` or ``--check DIR``."""
    parser = argparse.ArgumentParser(description="Write or check the published JSON Schemas.")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--write", type=Path, metavar="DIR", help="write every schema to DIR")
    group.add_argument("--check", type=Path, metavar="DIR", help="exit 1 if DIR is out of date")
    args = parser.parse_args(argv)
    if args.write is not None:
        for p in write_schemas(args.write):
            print(p)
        return 0
    bad = stale_schemas(args.check)
    for name in bad:
        print(f"out of date: {name}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())

__all__ = ["DOCUMENTS", "document_class", "json_schema", "main", "stale_schemas", "write_schemas"]
