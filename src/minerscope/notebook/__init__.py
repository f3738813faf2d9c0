"""The notebook API: ``m = minerscope.open(db)``, then a DataFrame per figure.

Every method calls the library function its CLI command calls (the same typed document as
``--json``) and turns the document's rows into a pandas DataFrame (:mod:`._frames`): units
in every numeric column name, a tz-aware UTC index. :meth:`Notebook.document` gives the
typed document itself. Each method takes ``at=`` like the CLI's ``--at`` and the CLI's other
options by the same names (``--from`` is ``from_``). See ``docs/notebook.md``.

The object holds one read-only connection and never writes; methods whose CLI command
opens the file itself (``machines``, ``fleet``, ``economics``, ``roi``, ``curtail``,
``scenario``) are given the path and open it read-only too.
"""

from __future__ import annotations

import sqlite3
import time
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from .. import defaults, storage
from ..asof import AsOf, parse_time_spec, resolve_as_of
from ..errors import InputError
from ..params import check_exclusive, parse_difficulty, resolve_pue
from ..results import Result
from . import _frames

if typing.TYPE_CHECKING:
    import pandas as pd

    from ..report.status_results import StatusDocument


def _attrs(doc: Result) -> dict[str, Any]:
    as_of = getattr(doc, "as_of", None)
    return {"document": doc.DOCUMENT, "as_of": None if as_of is None else as_of.time_s}


def _at_s(doc: Result) -> int:
    t: int = doc.as_of.time_s  # type: ignore[attr-defined]
    return t


class Notebook:
    """A read-only view of a minerscope database for notebooks (see :func:`open`).

    Parameters
    ----------
    db : str or Path, optional
        The database file (default: ``$MINERSCOPE_DB`` or the user data directory's).
    now_s : int, optional
        The clock for ``at=None`` ("now"); default: the wall clock at each call. [Unix s]
    """

    def __init__(self, db: str | Path | None = None, *, now_s: int | None = None) -> None:
        self.path = Path(db) if db is not None else storage.default_db_path()
        self.conn: sqlite3.Connection = storage.open_for_reading(self.path)
        self._now_s = now_s

    # --- lifetime ---------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Notebook:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"minerscope.Notebook({str(self.path)!r})"

    def now_s(self) -> int:
        """The clock used for ``at=None``. [Unix s]"""
        return int(time.time()) if self._now_s is None else self._now_s

    def as_of(self, at: str | None = None) -> AsOf:
        """The moment ``at`` (the CLI's ``--at``; None: now) resolved against the data."""
        return resolve_as_of(self.conn, parse_time_spec(at) if at else None, now_s=self.now_s())

    # --- documents --------------------------------------------------------------------

    def document(self, name: str, **params: Any) -> Result:
        """The typed document ``name`` (``minerscope.schemas.DOCUMENTS``) for ``params``.

        ``m.document("hashrate", at="2026-02-01", window_days=7)`` is the document of
        ``minerscope hashrate --at 2026-02-01 --window-days 7 --json``; the frame methods
        convert these documents. Names: ``status``, ``hashrate``, ``difficulty``,
        ``difficulty_history``, ``machines``, ``fleet``, ``economics``, ``pools``,
        ``signals``, ``study_contraction``, ``study_ribbons``, ``study_composite``, ``roi``,
        ``curtail``, ``scenario``.
        """
        build = _BUILDERS.get(name)
        if build is None:
            raise InputError(
                f"no notebook document {name!r}; one of {', '.join(sorted(_BUILDERS))}",
                field="name",
            )
        return build(self, **params)

    def status(self, at: str | None = None) -> StatusDocument:
        """``minerscope status --json``: the typed document itself (network, economics and
        their inputs as of ``at``; ``.to_dict()`` gives the JSON values)."""
        doc = self.document("status", at=at)
        return doc  # type: ignore[return-value]

    # --- network ----------------------------------------------------------------------

    def hashrate(
        self,
        at: str | None = None,
        *,
        window_blocks: int | None = None,
        window_days: float | None = None,
        lookback_days: int = 90,
        smoothing_days: int = 7,
    ) -> pd.DataFrame:
        """Hash-rate windows with 95% intervals (``minerscope hashrate``): one row per
        window (blocks windows, then daily-row windows), indexed by the moment."""
        doc: Any = self.document(
            "hashrate", at=at, window_blocks=window_blocks, window_days=window_days,
            lookback_days=lookback_days, smoothing_days=smoothing_days,
        )  # fmt: skip
        return _frames.frame([*doc.windows, *doc.daily], at_s=_at_s(doc), attrs=_attrs(doc))

    def hashrate_series(self, days: int = 90, at: str | None = None) -> pd.DataFrame:
        """Daily hash rate with its 7- and 30-day means and 95% intervals, the last ``days``
        days (``minerscope hashrate --series-days DAYS``), indexed by day."""
        doc: Any = self.document("hashrate", at=at, series_days=days)
        return _frames.frame(doc.daily_series, date="date", attrs=_attrs(doc))

    def difficulty(self, at: str | None = None) -> pd.DataFrame:
        """The next adjustment (``minerscope difficulty``): percentiles of the change, the
        next difficulty and the retarget ETA, the mempool-style estimate; one row."""
        doc: Any = self.document("difficulty", at=at)
        row = {
            "difficulty": doc.difficulty,
            "difficulty_t": doc.difficulty_t,
            "epoch": doc.epoch.index,
            "epoch_progress_pct": doc.epoch.progress_pct,
            "blocks_remaining": doc.epoch.blocks_remaining,
            **_prefixed(doc.next_adjustment, ""),
            **_prefixed(doc.mempool_style, "mempool_"),
        }
        return _frames.frame([row], at_s=_at_s(doc), attrs=_attrs(doc))

    def difficulty_history(
        self, at: str | None = None, *, from_: str | None = None, to: str | None = None
    ) -> pd.DataFrame:
        """Every retarget known at ``at`` (``minerscope difficulty --history``), indexed by
        the retarget block's time."""
        doc: Any = self.document("difficulty_history", at=at, from_=from_, to=to)
        return _frames.frame(doc.retargets, time="time_s", attrs=_attrs(doc))

    # --- economics --------------------------------------------------------------------

    def machines(
        self,
        at: str | None = None,
        *,
        power_price_usd_per_kwh: float = defaults.DEFAULT_POWER_PRICE_USD_PER_KWH,
        btc_price_usd: float | None = None,
        difficulty: str | float | None = None,
        difficulty_change_pct: float | None = None,
        fees_btc_per_block: float | None = None,
        subsidy_btc: float | None = None,
        pool_fee_pct: float = 0.0,
        pue: float | None = None,
        overhead_pct: float | None = None,
        model: Sequence[str] = (),
        sort: str = "profit",
        force: bool = False,
        catalog: Sequence[str | Path] = (),
    ) -> pd.DataFrame:
        """Every catalog machine at the inputs (``minerscope machines``): revenue, power
        cost, profit and breakevens per day; one row per model, indexed by the moment."""
        doc: Any = self.document(
            "machines", at=at, power_price_usd_per_kwh=power_price_usd_per_kwh,
            btc_price_usd=btc_price_usd, difficulty=difficulty,
            difficulty_change_pct=difficulty_change_pct, fees_btc_per_block=fees_btc_per_block,
            subsidy_btc=subsidy_btc, pool_fee_pct=pool_fee_pct, pue=pue,
            overhead_pct=overhead_pct, model=model, sort=sort, force=force, catalog=catalog,
        )  # fmt: skip
        return _frames.frame(doc.machines, at_s=_at_s(doc), attrs=_attrs(doc))

    def fleet(
        self,
        fleet: str | Path,
        at: str | None = None,
        *,
        btc_price_usd: float | None = None,
        difficulty: str | float | None = None,
        difficulty_change_pct: float | None = None,
        fees_btc_per_block: float | None = None,
        force: bool = False,
        catalog: Sequence[str | Path] = (),
    ) -> pd.DataFrame:
        """A fleet's groups per day (``minerscope fleet``): revenue, power, cash and all-in
        profit, whether to switch off. ``fleet`` is a file path (a ``Path``, or a ``str``
        without a newline, ``[`` or ``=``) or the TOML text itself (text may not name hourly
        price files)."""
        doc: Any = self.document(
            "fleet", fleet=fleet, at=at, btc_price_usd=btc_price_usd, difficulty=difficulty,
            difficulty_change_pct=difficulty_change_pct, fees_btc_per_block=fees_btc_per_block,
            force=force, catalog=catalog,
        )  # fmt: skip
        return _frames.frame(doc.groups, at_s=_at_s(doc), attrs=_attrs(doc))

    def economics(
        self, from_: str | None = None, to: str | None = None, *, at: str | None = None
    ) -> pd.DataFrame:
        """The daily economics history (``minerscope economics``): revenue, hashprice,
        hashvalue, Puell, production-cost range; one row per day."""
        doc: Any = self.document("economics", at=at, from_=from_, to=to)
        return _frames.frame(doc.rows, date="date", attrs=_attrs(doc))

    # --- pools and signals ------------------------------------------------------------

    def pools(
        self,
        at: str | None = None,
        *,
        window_days: float = 7,
        trailing_days: float | None = None,
        tags: Sequence[str | Path] = (),
    ) -> pd.DataFrame:
        """Who mines (``minerscope pools``): blocks, shares with exact intervals, hash rate,
        luck and BTC/day per pool; indexed by the moment."""
        doc: Any = self.document(
            "pools", at=at, window_days=window_days, trailing_days=trailing_days, tags=tags
        )
        return _frames.frame(doc.pools, at_s=_at_s(doc), attrs=_attrs(doc))

    def pool_history(
        self,
        at: str | None = None,
        *,
        window_days: float = 7,
        trailing_days: float | None = None,
        tags: Sequence[str | Path] = (),
    ) -> pd.DataFrame:
        """Each pool's share on each UTC day of the window (``minerscope pools --history``),
        long format: one row per pool and day."""
        doc: Any = self.document(
            "pools", at=at, window_days=window_days, trailing_days=trailing_days, tags=tags,
            history=True,
        )  # fmt: skip
        return _frames.frame(doc.history or (), date="date", attrs=_attrs(doc))

    def signals(
        self, at: str | None = None, *, from_: str | None = None, to: str | None = None
    ) -> pd.DataFrame:
        """Every signal's changes of state between ``from_`` and ``to``
        (``minerscope signals``), one row per change; the states at ``at`` and the
        composite score are in ``document("signals", ...)``."""
        doc: Any = self.document("signals", at=at, from_=from_, to=to)
        return _frames.frame(doc.history, date="date", attrs=_attrs(doc))

    def study_contraction(
        self,
        *,
        lookback_days: int = 90,
        horizon_days: int = 180,
        smoothing_days: int = 30,
        from_: str | None = "2014-01-01",
        to: str | None = None,
        sensitivity: bool = True,
        resamples: int = 2000,
        seed: int | None = None,
    ) -> pd.DataFrame:
        """The hash-rate contraction study (``minerscope study contraction``) by halving
        era: signal and complement hit rates and mean returns, indexed by the era's first
        day; the whole study (tests, sensitivity grid) is ``document("study_contraction")``."""
        doc: Any = self.document(
            "study_contraction", lookback_days=lookback_days, horizon_days=horizon_days,
            smoothing_days=smoothing_days, from_=from_, to=to, sensitivity=sensitivity,
            resamples=resamples, seed=seed,
        )  # fmt: skip
        return _frames.frame(doc.stats.eras, date="first_date", attrs=_attrs(doc))

    def study_ribbons(
        self,
        *,
        horizon_days: int = 180,
        from_: str | None = None,
        to: str | None = None,
        resamples: int = 2000,
        seed: int | None = None,
    ) -> pd.DataFrame:
        """Hash Ribbons buy signals (``minerscope study ribbons``) and the returns that
        followed, indexed by the buy day."""
        doc: Any = self.document(
            "study_ribbons", horizon_days=horizon_days, from_=from_, to=to,
            resamples=resamples, seed=seed,
        )  # fmt: skip
        return _frames.frame(doc.buys, date="date", attrs=_attrs(doc))

    def study_composite(
        self,
        *,
        horizon_days: int = 180,
        from_: str | None = None,
        to: str | None = None,
        resamples: int = 2000,
        seed: int | None = None,
    ) -> pd.DataFrame:
        """minerscope's composite score backtest (``minerscope study composite``): one row
        per score bucket (hit rate and returns after it), indexed by the study's moment."""
        doc: Any = self.document(
            "study_composite", horizon_days=horizon_days, from_=from_, to=to,
            resamples=resamples, seed=seed,
        )  # fmt: skip
        return _frames.frame(doc.buckets, at_s=_at_s(doc), attrs=_attrs(doc))

    # --- decisions --------------------------------------------------------------------

    def roi(self, fleet: str | Path | None = None, at: str | None = None, **options: Any) -> (
        pd.DataFrame
    ):  # fmt: skip
        """Return on investment over simulated paths (``minerscope roi``): per day, the
        percentiles of cumulative cash profit, price, difficulty and hashprice.

        ``fleet`` is a fleet file, or give ``model=``, ``count=``, ``unit_price_usd=`` (and
        ``pue=``, ``pool_fee_pct=``); the other options are the CLI's (``horizon_days``,
        ``paths``, ``seed``, ``difficulty_method``, ...). Per-group percentiles of profit,
        NPV, IRR and payback are in ``document("roi", ...)``.
        """
        doc: Any = self.document("roi", fleet=fleet, at=at, **options)
        return _frames.frame(doc.bands, date="date", attrs=_attrs(doc))

    def curtail(self, fleet: str | Path, from_: str, to: str, **options: Any) -> pd.DataFrame:
        """Hour-by-hour curtailment (``minerscope curtail``): per rule, site, group and
        day, hours off, MWh avoided, revenue forgone and the net benefit; indexed by day.
        ``options`` are the CLI's (``threshold_only``, ``min_up_hours``, ``prices``, ...)."""
        doc: Any = self.document("curtail", fleet=fleet, from_=from_, to=to, **options)
        return _frames.frame(doc.days, date="date", attrs=_attrs(doc))

    def scenario(
        self, fleet: str | Path | None = None, at: str | None = None, **options: Any
    ) -> pd.DataFrame:
        """What-if against a baseline (``minerscope scenario``): per day, percentiles of
        both runs' difficulty and hashprice. ``options`` are the CLI's
        (``hashrate_leaves_pct``, ``from_``, ``over_days``, ``horizon_days``, ...)."""
        doc: Any = self.document("scenario", fleet=fleet, at=at, **options)
        return _frames.frame(doc.days, date="date", attrs=_attrs(doc))


def _prefixed(row: Any, prefix: str) -> dict[str, Any]:
    from ._frames import flat_row

    return {prefix + k: v for k, v in flat_row(row).items()}


# --- the document builders: each the library call of its CLI command ------------------


def _status(nb: Notebook, *, at: str | None = None) -> Result:
    from ..report import status as status_report

    return status_report.build_status(
        nb.conn, nb.as_of(at), sections=status_report.default_sections()
    )


def _hashrate(nb: Notebook, *, at: str | None = None, **kw: Any) -> Result:
    from ..report import network as network_report

    check_exclusive(
        ("--window-blocks", kw.get("window_blocks")), ("--window-days", kw.get("window_days"))
    )
    return network_report.hashrate_report(nb.conn, nb.as_of(at), **kw)


def _difficulty(nb: Notebook, *, at: str | None = None) -> Result:
    from ..report import network as network_report

    return network_report.difficulty_report(nb.conn, nb.as_of(at))


def _difficulty_history(
    nb: Notebook, *, at: str | None = None, from_: str | None = None, to: str | None = None
) -> Result:
    from ..report import retargets

    return retargets.retarget_history(nb.conn, nb.as_of(at), from_date=from_, to_date=to)


def _machines(
    nb: Notebook,
    *,
    at: str | None = None,
    difficulty: str | float | None = None,
    subsidy_btc: float | None = None,
    pool_fee_pct: float = 0.0,
    pue: float | None = None,
    overhead_pct: float | None = None,
    model: Sequence[str] = (),
    catalog: Sequence[str | Path] = (),
    **kw: Any,
) -> Result:
    from ..report import econ_machines

    return econ_machines.machines_view(
        nb.path, at, now_s=nb.now_s(), difficulty=_difficulty_value(difficulty),
        subsidy_btc_per_block=subsidy_btc, pool_fee_share=pool_fee_pct / 100.0,
        pue=resolve_pue(pue, overhead_pct), catalog_paths=list(catalog), models=list(model),
        **kw,
    )  # fmt: skip


def _difficulty_value(value: str | float | None) -> float | None:
    if value is None or isinstance(value, float | int):
        return None if value is None else float(value)
    return parse_difficulty(value)


def _fleet_file(fleet: str | Path) -> Path | None:
    """The path when ``fleet`` names a file, None when it is TOML text."""
    if isinstance(fleet, Path):
        return fleet
    if "\n" in fleet or "[" in fleet or "=" in fleet:
        return None
    return Path(fleet)


def _fleet(
    nb: Notebook,
    *,
    fleet: str | Path,
    at: str | None = None,
    difficulty: str | float | None = None,
    catalog: Sequence[str | Path] = (),
    difficulty_change_pct: float | None = None,
    force: bool = False,
    **kw: Any,
) -> Result:
    from ..report import econ_at, econ_machines

    path = _fleet_file(fleet)
    if path is None:
        if catalog or difficulty_change_pct is not None or force:
            raise InputError(
                "fleet text takes btc_price_usd, difficulty and fees_btc_per_block only;"
                " give a file for catalog, difficulty_change_pct or force",
                field="fleet",
            )
        return econ_at.fleet_at(
            nb.conn, at, str(fleet), now_s=nb.now_s(), name="fleet text",
            difficulty=_difficulty_value(difficulty), **kw,
        )  # fmt: skip
    return econ_machines.fleet_view(
        nb.path, at, path, now_s=nb.now_s(), difficulty=_difficulty_value(difficulty),
        difficulty_change_pct=difficulty_change_pct, force=force, catalog_paths=list(catalog),
        **kw,
    )  # fmt: skip


def _economics(
    nb: Notebook, *, at: str | None = None, from_: str | None = None, to: str | None = None
) -> Result:
    from ..report import econ

    return econ.economics_view(nb.path, at, now_s=nb.now_s(), from_date=from_, to_date=to)


def _pools(
    nb: Notebook, *, at: str | None = None, tags: Sequence[str | Path] = (), **kw: Any
) -> Result:
    from ..report import pools as pools_report

    catalog = pools_report.pool_catalog(list(tags))
    return pools_report.pools_report(nb.conn, nb.as_of(at), catalog, **kw)


def _signals(
    nb: Notebook, *, at: str | None = None, from_: str | None = None, to: str | None = None
) -> Result:
    from ..report import signals as signals_report

    return signals_report.signals_view(nb.conn, nb.as_of(at), from_date=from_, to_date=to)


def _study(kind: str) -> Callable[..., Result]:
    def build(
        nb: Notebook,
        *,
        from_: str | None = None,
        to: str | None = None,
        seed: int | None = None,
        **kw: Any,
    ) -> Result:
        from ..report import signals as signals_report

        fn = getattr(signals_report, f"{kind}_report")
        doc: Result = fn(
            nb.conn, now_s=nb.now_s(), from_date=from_, to_date=to,
            seed=signals_report.DEFAULT_SEED if seed is None else seed, **kw,
        )  # fmt: skip
        return doc

    return build


def _contraction(nb: Notebook, *, from_: str | None = "2014-01-01", **kw: Any) -> Result:
    return _study("contraction")(nb, from_=from_, **kw)


_ROI_FLEET = ("model", "count", "unit_price_usd", "pue", "pool_fee_pct")


def _roi(
    nb: Notebook,
    *,
    fleet: str | Path | None = None,
    at: str | None = None,
    compare: str | Path | None = None,
    always_on: bool = False,
    catalog: Sequence[str | Path] = (),
    **kw: Any,
) -> Result:
    from ..report import decisions as report

    buy = {k: kw.pop(k) for k in _ROI_FLEET if k in kw}
    opts = report.RoiOptions(switch_off=not always_on, bands=True, **kw)
    if fleet is not None and buy.get("model") is not None:
        raise InputError("give a fleet file or model=, not both", field="model")
    if fleet is not None:
        items = [report.FleetInput(path=Path(fleet))]
    elif buy.get("model") is not None:
        items = [report.FleetInput(**buy)]
    else:
        raise InputError("give a fleet file, or model= with count= and unit_price_usd=")
    if compare is not None:
        items.append(report.FleetInput(path=Path(compare)))
    return report.roi_view(nb.path, at, items, opts, now_s=nb.now_s(),
                           catalog_paths=list(catalog))  # fmt: skip


def _curtail(
    nb: Notebook,
    *,
    fleet: str | Path,
    from_: str,
    to: str,
    threshold_only: bool = False,
    prices: str | Path | None = None,
    cp_file: str | Path | None = None,
    catalog: Sequence[str | Path] = (),
    **kw: Any,
) -> Result:
    from ..report import curtail as report

    settings = report.CurtailSettings(
        optimal=not threshold_only,
        prices_file=None if prices is None else Path(prices),
        cp_file=None if cp_file is None else Path(cp_file),
        **kw,
    )
    return report.curtail_view(nb.path, Path(fleet), from_, to, settings,
                               catalog_paths=tuple(Path(c) for c in catalog))  # fmt: skip


def _scenario(
    nb: Notebook,
    *,
    fleet: str | Path | None = None,
    at: str | None = None,
    from_: str | None = None,
    to: str | None = None,
    catalog: Sequence[str | Path] = (),
    **kw: Any,
) -> Result:
    from ..report import scenario as report

    spec = report.ScenarioSpec(from_time=from_, to_time=to, **kw)
    return report.scenario_view(
        nb.path, at, spec, fleet_path=None if fleet is None else Path(fleet),
        now_s=nb.now_s(), catalog_paths=tuple(Path(c) for c in catalog),
    )  # fmt: skip


_BUILDERS: dict[str, Callable[..., Result]] = {
    "status": _status,
    "hashrate": _hashrate,
    "difficulty": _difficulty,
    "difficulty_history": _difficulty_history,
    "machines": _machines,
    "fleet": _fleet,
    "economics": _economics,
    "pools": _pools,
    "signals": _signals,
    "study_contraction": _contraction,
    "study_ribbons": _study("ribbons"),
    "study_composite": _study("composite"),
    "roi": _roi,
    "curtail": _curtail,
    "scenario": _scenario,
}


def open(db: str | Path | None = None, *, now_s: int | None = None) -> Notebook:  # noqa: A001
    """Open a minerscope database for a notebook session, read-only.

    ``import minerscope as ms; m = ms.open("minerscope.sqlite")``; ``with ms.open(p) as m:``
    closes it. See :class:`Notebook`.

    Parameters
    ----------
    db : str or Path, optional
        The database file (default: ``$MINERSCOPE_DB`` or the user data directory's).
    now_s : int, optional
        A fixed clock for ``at=None`` (default: the wall clock). [Unix s]
    """
    return Notebook(db, now_s=now_s)


__all__ = ["Notebook", "open"]
