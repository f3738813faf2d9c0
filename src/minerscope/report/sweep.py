"""``roi`` sweeps: many fleet files or a parameter grid, on the same paths, in process or on
a Dask cluster (``dask.distributed``; an optional extra).

Every item is one pure call of :func:`minerscope.simulation.roi.simulate_roi` with the same
seed, so the items are compared on the same paths (common random numbers) and a result does
not depend on where it ran: in process, on a ``LocalCluster`` (``--workers N``) or on a
scheduler (``--scheduler ADDRESS``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from .. import storage
from ..asof import parse_time_spec, resolve_as_of
from ..errors import InputError, MinerscopeError, SourceError
from ..results import AsOfInfo, Result
from ..simulation.network import ChainStart
from ..simulation.roi import FleetTerms, Models, RoiConfig, RoiRun, simulate_roi
from .decisions import (
    FleetInput,
    RoiOptions,
    _line_doc,
    build_fleet,
    load_setup,
    roi_document,
    run_config,
)
from .decisions_docs import PathMethods, RoiLineDoc
from .econ_inputs import load_machine_catalog
from .grid import parse_grid

DASK_HINT = "this needs Dask: pip install 'minerscope[dask]'"
SWEEP_KEYS: dict[str, tuple[float, float]] = {
    "unit_price_usd": (0.0, 1e7),
    "power_price_usd_per_kwh": (0.0, 2.0),
    "btc_price_usd": (1.0, 1e9),
    "discount_rate_pct": (-99.0, 1000.0),
    "resale_pct": (0.0, 100.0),
}


class MissingExtraError(MinerscopeError):
    """An optional dependency is not installed (the message says how to install it)."""


@dataclass(frozen=True)
class SweepItemDoc:
    """One item of a sweep: its settings and its fleet's figures."""

    label: str
    settings: dict[str, float]
    total: RoiLineDoc
    groups: tuple[RoiLineDoc, ...]


@dataclass(frozen=True)
class SweepDocument(Result):
    """``minerscope roi`` over several fleets or a grid of settings, on the same paths."""

    DOCUMENT: ClassVar[str] = "roi_sweep"

    as_of: AsOfInfo
    horizon_days: int
    paths: int
    seed: int
    executor: str
    methods: PathMethods
    items: tuple[SweepItemDoc, ...]


def run_item(
    start: ChainStart, models: Models, terms: FleetTerms, cfg: RoiConfig, seed: int
) -> RoiRun:
    """One sweep item (a top-level function: Dask ships it to the workers)."""
    return simulate_roi(start, models, [terms], cfg, rng=np.random.default_rng(seed))


def dask_client(scheduler: str | None, workers: int | None) -> Any:
    """A ``dask.distributed.Client``: to ``scheduler``, or to a new ``LocalCluster``.

    Raises
    ------
    MissingExtraError
        Dask is not installed (one line with the pip command).
    SourceError
        The scheduler cannot be reached.
    """
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise MissingExtraError(DASK_HINT) from exc
    if scheduler is not None:
        try:
            return Client(scheduler, timeout="10s")  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as exc:
            raise SourceError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    if workers is None or workers < 1:
        raise InputError(f"must be >= 1, got {workers}", field="--workers")
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=workers, threads_per_worker=1, dashboard_address=None, processes=True
    )
    return Client(cluster)  # type: ignore[no-untyped-call]


def sweep_runs(
    tasks: Sequence[tuple[ChainStart, Models, FleetTerms, RoiConfig]],
    seed: int,
    client: Any = None,
) -> list[RoiRun]:
    """Run the items in process, or on ``client`` (a ``dask.distributed.Client``); the
    results are the same either way, in the items' order."""
    if client is None:
        return [run_item(s, m, t, c, seed) for s, m, t, c in tasks]
    futures = [client.submit(run_item, s, m, t, c, seed, pure=False) for s, m, t, c in tasks]
    out: list[RoiRun] = client.gather(futures)
    return out


def sweep_view(
    db: Path | None,
    at: str | None,
    items: Sequence[FleetInput],
    opts: RoiOptions,
    *,
    grid: Sequence[str],
    scheduler: str | None,
    workers: int | None,
    now_s: int,
    catalog_paths: Sequence[str | Path] = (),
    client: Any = None,
) -> SweepDocument:
    """``minerscope roi`` over several fleets and/or a grid of settings.

    Parameters
    ----------
    client : dask.distributed.Client, optional
        Use this client (tests pass one on a ``LocalCluster``); else ``scheduler`` or
        ``workers`` make one, else the items run in process.
    """
    axes = parse_grid(grid, SWEEP_KEYS)
    if any(a.key == "unit_price_usd" for a in axes) and any(i.path is not None for i in items):
        raise InputError(
            "unit_price_usd sweeps a --model purchase; a fleet file has its own capex",
            field="--grid",
        )
    conn = storage.connect(db, read_only=True)
    try:
        spec = parse_time_spec(at) if at is not None else None
        as_of = resolve_as_of(conn, spec, now_s=now_s)
        setup = load_setup(conn, as_of, opts)
    finally:
        conn.close()
    catalog = load_machine_catalog(catalog_paths)
    combos = list(itertools.product(*[a.values for a in axes])) if axes else [()]
    tasks = []
    labels = []
    for item in items:
        for combo in combos:
            settings = dict(zip([a.key for a in axes], combo, strict=True))
            o = opts
            it = item
            models = setup.models
            for key, value in settings.items():
                if key == "unit_price_usd":
                    it = replace(it, unit_price_usd=value)
                elif key == "power_price_usd_per_kwh":
                    o = replace(o, power_price_usd_per_kwh=value)
                elif key == "btc_price_usd":
                    models = replace(models, price=replace(models.price, price_usd=value))
                elif key == "discount_rate_pct":
                    o = replace(o, discount_rate_pct=value)
                elif key == "resale_pct":
                    o = replace(o, resale_pct=value)
            terms, _, _, _ = build_fleet(it, o, catalog=catalog, as_of_s=as_of.time_s)
            tasks.append((setup.now.start, models, terms, run_config(o)))
            extra = ", ".join(f"{k}={v:g}" for k, v in settings.items())
            labels.append((f"{it.label}" + (f" [{extra}]" if extra else ""), settings))
    own = None
    executor = "in process"
    if client is None and (scheduler is not None or workers is not None):
        own = client = dask_client(scheduler, workers)
    if client is not None:
        executor = f"on Dask ({len(client.scheduler_info().get('workers', {}))} workers)"
    try:
        runs = sweep_runs(tasks, opts.seed, client)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    finally:
        if own is not None:
            own.close()
    t0 = setup.now.data_time_s
    first = roi_document(setup, runs[0], replace(opts, bands=False), [(tasks[0][2], {}, 0, "")])
    docs = tuple(
        SweepItemDoc(
            label=label,
            settings=settings,
            total=_line_doc(run.fleets[0].total, t0),
            groups=tuple(_line_doc(g, t0) for g in run.fleets[0].groups),
        )
        for (label, settings), run in zip(labels, runs, strict=True)
    )
    return SweepDocument(
        as_of=first.as_of,
        horizon_days=opts.horizon_days,
        paths=opts.paths,
        seed=opts.seed,
        executor=executor,
        methods=first.methods,
        items=docs,
    )


__all__ = [
    "DASK_HINT",
    "MissingExtraError",
    "SweepDocument",
    "dask_client",
    "run_item",
    "sweep_runs",
    "sweep_view",
]
