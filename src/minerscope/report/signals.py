"""Signal studies and the signals view: load the daily inputs known at a moment from storage,
check the options, call :mod:`minerscope.signals` (no logic of its own beyond that).

Daily inputs: the daily rows (blocks, mean difficulty, issuance), the daily close of one price
source (Coin Metrics' reference rate when stored, else the source with most rows, else the
daily rows' own price) and the MVRV ratio. A day's row and close count as known at the end
of that day, so a study or ``--at`` moment sees only days that had ended.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from .. import storage
from ..asof import AsOf, day_start_s, iso_utc, last_complete_day
from ..errors import InputError, NoDataError
from ..results import AsOfInfo
from ..signals import (
    CompositeStudy,
    ContractionStudy,
    DailyInputs,
    RibbonsStudy,
    SignalsReport,
    composite_study,
    contraction_study,
    ribbons_study,
    signals_report,
)
from ..signals.series import forward_return
from ..units import SECONDS_PER_DAY

DEFAULT_SEED = 20_251_215  # VanEck's ChainCheck date: the same data gives the same intervals
CONTRACTION_DEFAULT_FROM = "2014-01-01"  # VanEck's sample start
HISTORY_DEFAULT_DAYS = 365
PREFERRED_PRICE_SOURCE = "coinmetrics"
T = TypeVar("T")


def _check_date(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    try:
        day_start_s(value)
    except ValueError:
        raise InputError(f"{value!r} is not a YYYY-MM-DD date", field=name) from None
    return value


def check_range(from_date: str | None, to_date: str | None) -> None:
    """Both dates valid (YYYY-MM-DD) and ``from_date`` not after ``to_date``.

    Raises
    ------
    InputError
    """
    _check_date(from_date, "--from")
    _check_date(to_date, "--to")
    if from_date and to_date and from_date > to_date:
        raise InputError(f"--from {from_date} is after --to {to_date}", field="--from")


def _positive(value: int, name: str, minimum: int = 1) -> None:
    if value < minimum:
        raise InputError(f"must be at least {minimum}, got {value}", field=name)


def _daily_closes(conn: sqlite3.Connection, day_starts: np.ndarray, to_s: int) -> tuple[
    np.ndarray, str
]:  # fmt: skip
    """The close of each day from one price source: the last price stamped within the day
    (a daily close is stamped at the day's end, 00:00:00Z of the next day)."""
    sources = storage.price_sources(conn)
    if not sources:
        return np.full(len(day_starts), np.nan), ""
    if PREFERRED_PRICE_SOURCE in sources:
        source = PREFERRED_PRICE_SOURCE
    else:
        counts = {s: len(storage.load_prices(conn, source=s, to_time_s=to_s)) for s in sources}
        source = max(counts, key=lambda s: counts[s])
    prices = storage.load_prices(conn, source=source, to_time_s=to_s)
    t = prices["time_s"].to_numpy(dtype=np.int64)
    v = prices["price_usd"].to_numpy(dtype=float)
    day = -((-t) // SECONDS_PER_DAY) - 1  # a stamp at 00:00:00Z closes the previous day
    pos = day - int(day_starts[0]) // SECONDS_PER_DAY
    out = np.full(len(day_starts), np.nan)
    ok = (pos >= 0) & (pos < len(day_starts))
    out[pos[ok]] = v[ok]  # prices are in time order: the last of each day wins
    return out, source


def load_inputs(conn: sqlite3.Connection, last_day: str) -> DailyInputs:
    """Consecutive days of daily rows, closes and MVRV from the first stored day to
    ``last_day``.

    Raises
    ------
    NoDataError
        No daily rows up to ``last_day``.
    """
    import pandas as pd  # lazy: keeps start-up light

    frame = storage.load_daily(conn, to_date=last_day)
    if frame.empty:
        raise NoDataError(
            f"no daily rows up to {last_day}: import them (minerscope import daily FILE, or"
            " minerscope quickstart ../shared/data)"
        )
    idx = pd.DatetimeIndex(frame.index)
    frame = frame.reindex(pd.date_range(idx[0], idx[-1], freq="D", tz="UTC"))
    n = len(frame)
    starts = day_start_s(idx[0].strftime("%Y-%m-%d")) + SECONDS_PER_DAY * np.arange(
        n, dtype=np.int64
    )
    end_s = int(starts[-1]) + SECONDS_PER_DAY
    closes, source = _daily_closes(conn, starts, end_s)
    own = frame["price_usd"].to_numpy(dtype=float, na_value=np.nan)
    if not source:
        closes, source = own, "daily rows"
    mvrv = np.full(n, np.nan)
    rows = storage.load_mvrv(conn, to_date=iso_utc(end_s - 1)[:10])
    mvrv_sources = sorted({s for s, _, _ in rows})
    mvrv_source = None
    if mvrv_sources:
        mvrv_source = (
            PREFERRED_PRICE_SOURCE if PREFERRED_PRICE_SOURCE in mvrv_sources else mvrv_sources[0]
        )
        first_day = int(starts[0]) // SECONDS_PER_DAY
        for s, d, v in rows:
            if s == mvrv_source:
                i = day_start_s(d) // SECONDS_PER_DAY - first_day
                if 0 <= i < n:
                    mvrv[i] = v
    return DailyInputs(
        day_start_s=starts,
        blocks=frame["blocks"].astype("float64").to_numpy(na_value=np.nan),
        difficulty=frame["difficulty"].to_numpy(dtype=float, na_value=np.nan),
        issuance_sat=frame["issuance_sat"].astype("float64").to_numpy(na_value=np.nan),
        price_usd=closes,
        mvrv_ratio=mvrv,
        price_source=source,
        mvrv_source=mvrv_source,
    )


def _latest_inputs(conn: sqlite3.Connection) -> DailyInputs:
    day = storage.last_daily_date(conn)
    if day is None:
        raise NoDataError(
            "no daily rows are stored: import them (minerscope import daily FILE, or"
            " minerscope quickstart ../shared/data)"
        )
    return load_inputs(conn, day)


def _positions(inputs: DailyInputs, from_date: str | None, to_date: str | None) -> tuple[int, int]:
    """Positions of the first and last day in the range (clipped to the stored days)."""
    first_s, last_s = int(inputs.day_start_s[0]), int(inputs.day_start_s[-1])
    lo = max(day_start_s(from_date), first_s) if from_date else first_s
    hi = min(day_start_s(to_date), last_s) if to_date else last_s
    first_day, last_day = iso_utc(first_s)[:10], iso_utc(last_s)[:10]
    if lo > last_s or hi < first_s or lo > hi:
        raise InputError(
            f"no stored day lies in {from_date or first_day}..{to_date or last_day} (daily rows"
            f" cover {first_day}..{last_day})",
            field="--from" if from_date else "--to",
        )
    return (lo - first_s) // SECONDS_PER_DAY, (hi - first_s) // SECONDS_PER_DAY


def _check_horizon(inputs: DailyInputs, first: int, last: int, horizon_days: int) -> None:
    """One line when no day of the range has a known forward return."""
    rets = forward_return(inputs.price_usd, horizon_days)
    if not np.isfinite(rets[first : last + 1]).any():
        known = np.flatnonzero(np.isfinite(inputs.price_usd))
        end = iso_utc(int(inputs.day_start_s[known[-1]]))[:10] if len(known) else "nowhere"
        raise InputError(
            f"{horizon_days} days is longer than the data allows: no day from"
            f" {iso_utc(int(inputs.day_start_s[first]))[:10]} to"
            f" {iso_utc(int(inputs.day_start_s[last]))[:10]} has a known {horizon_days}-day"
            f" forward return (closes end on {end})",
            field="--horizon-days",
        )


def _as_of_info(inputs: DailyInputs, now_s: int, text: str = "now") -> AsOfInfo:
    data_end = int(inputs.day_start_s[-1]) + SECONDS_PER_DAY
    notes: tuple[str, ...] = ()
    if text != "now" and now_s - data_end > SECONDS_PER_DAY:
        notes = (f"the last daily row is {iso_utc(data_end - 1)[:10]}: signals are as of its end",)
    return AsOfInfo.build(max(now_s, data_end) if text == "now" else now_s, text,
                          data_time_s=data_end, resolution="daily", notes=notes)  # fmt: skip


def _run(fn: Callable[[], T]) -> T:
    try:
        return fn()
    except ValueError as exc:  # the pure layer's "nothing to study"
        raise InputError(str(exc)) from exc


def contraction_report(
    conn: sqlite3.Connection,
    *,
    now_s: int,
    lookback_days: int = 90,
    horizon_days: int = 180,
    smoothing_days: int = 30,
    from_date: str | None = CONTRACTION_DEFAULT_FROM,
    to_date: str | None = None,
    resamples: int = 2_000,
    seed: int = DEFAULT_SEED,
    sensitivity: bool = True,
) -> ContractionStudy:
    """``study contraction`` on all stored daily rows.

    Parameters
    ----------
    conn : sqlite3.Connection
    now_s : int
        The caller's clock. [Unix s]
    lookback_days, horizon_days, smoothing_days : int
        L, N, S. [days]
    from_date, to_date : str, optional
        Signal days allowed (YYYY-MM-DD, inclusive).
    resamples : int
        Bootstrap resamples.
    seed : int
        Seed of the bootstrap.
    sensitivity : bool
        Also compute the sensitivity grid.

    Returns
    -------
    ContractionStudy

    Raises
    ------
    InputError
        Bad options: a non-positive window, a bad or inverted date range, a horizon that
        leaves no day with a known forward return.
    """
    check_range(from_date, to_date)
    for value, name in ((lookback_days, "--lookback-days"), (horizon_days, "--horizon-days"),
                        (smoothing_days, "--smoothing-days")):  # fmt: skip
        _positive(value, name)
    _positive(resamples, "--resamples", 100)
    inputs = _latest_inputs(conn)
    first, last = _positions(inputs, from_date, to_date)
    _check_horizon(inputs, first, last, horizon_days)
    return _run(
        lambda: contraction_study(
            inputs,
            as_of=_as_of_info(inputs, now_s),
            first=first,
            last=last,
            rng=np.random.default_rng(seed),
            lookback_days=lookback_days,
            horizon_days=horizon_days,
            smoothing_days=smoothing_days,
            resamples=resamples,
            seed=seed,
            with_sensitivity=sensitivity,
        )  # fmt: skip
    )


def _ribbon_study(
    conn: sqlite3.Connection,
    study: Callable[..., T],
    *,
    now_s: int,
    horizon_days: int,
    from_date: str | None,
    to_date: str | None,
    resamples: int,
    seed: int,
) -> T:
    """A study of stored daily rows with a horizon and a bootstrap (ribbons, composite)."""
    check_range(from_date, to_date)
    _positive(horizon_days, "--horizon-days")
    _positive(resamples, "--resamples", 100)
    inputs = _latest_inputs(conn)
    first, last = _positions(inputs, from_date, to_date)
    _check_horizon(inputs, first, last, horizon_days)
    return _run(
        lambda: study(
            inputs,
            as_of=_as_of_info(inputs, now_s),
            first=first,
            last=last,
            rng=np.random.default_rng(seed),
            horizon_days=horizon_days,
            resamples=resamples,
            seed=seed,
        )  # fmt: skip
    )


def ribbons_report(
    conn: sqlite3.Connection,
    *,
    now_s: int,
    horizon_days: int = 180,
    from_date: str | None = None,
    to_date: str | None = None,
    resamples: int = 2_000,
    seed: int = DEFAULT_SEED,
) -> RibbonsStudy:
    """``study ribbons`` on all stored daily rows (see :func:`contraction_report`)."""
    return _ribbon_study(
        conn, ribbons_study, now_s=now_s, horizon_days=horizon_days, from_date=from_date,
        to_date=to_date, resamples=resamples, seed=seed,
    )  # fmt: skip


def composite_report(
    conn: sqlite3.Connection,
    *,
    now_s: int,
    horizon_days: int = 180,
    from_date: str | None = None,
    to_date: str | None = None,
    resamples: int = 2_000,
    seed: int = DEFAULT_SEED,
) -> CompositeStudy:
    """``study composite`` on all stored daily rows (see :func:`contraction_report`)."""
    return _ribbon_study(
        conn, composite_study, now_s=now_s, horizon_days=horizon_days, from_date=from_date,
        to_date=to_date, resamples=resamples, seed=seed,
    )  # fmt: skip


def signals_view(
    conn: sqlite3.Connection,
    as_of: AsOf,
    *,
    from_date: str | None = None,
    to_date: str | None = None,
) -> SignalsReport:
    """Every signal's state at the moment, and its changes between two dates.

    Parameters
    ----------
    conn : sqlite3.Connection
    as_of : AsOf
        The moment: only days that had ended by then are used.
    from_date, to_date : str, optional
        Range of the history (default: the 365 days up to the moment).

    Returns
    -------
    SignalsReport

    Raises
    ------
    InputError
        A bad or inverted date range.
    NoDataError
        No daily rows had ended by the moment.
    """
    check_range(from_date, to_date)
    day = storage.last_daily_date(conn, on_or_before=last_complete_day(as_of.time_s))
    if day is None:
        raise NoDataError(f"no daily rows had ended by {as_of.iso}")
    inputs = load_inputs(conn, day)
    last = len(inputs) - 1
    if to_date is not None and to_date > day:
        to_date = day
    hi = _positions(inputs, None, to_date)[1] if to_date else last
    if from_date is None:
        lo = max(hi - HISTORY_DEFAULT_DAYS + 1, 0)
    else:
        lo = _positions(inputs, from_date, None)[0]
    if lo > hi:
        raise InputError(f"--from {from_date} is after the last day known ({day})", field="--from")
    return signals_report(
        inputs, as_of=_as_of_info(inputs, as_of.time_s, as_of.text), history_first=lo,
        history_last=hi,
    )  # fmt: skip


__all__ = [
    "composite_report",
    "contraction_report",
    "load_inputs",
    "ribbons_report",
    "signals_view",
]
