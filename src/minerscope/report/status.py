"""The ``status`` view: the network as of a moment, from the finest data known then.

Loads from storage for an :class:`~minerscope.asof.AsOf` and returns a
:class:`~minerscope.report.status_results.StatusDocument`. Block data is used when it is at
least as recent as the daily rows; otherwise daily rows (Coin Metrics style) stand in, and the
output says so (:func:`minerscope.asof.data_moment`). The document has one ``as_of``
(:class:`~minerscope.results.AsOfInfo`), one price (:func:`minerscope.asof.price_at`, which
its economics section uses too) and one ``halving``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from .. import storage
from ..asof import (
    AsOf,
    DataMoment,
    data_moment,
    date_utc,
    day_end_s,
    iso_utc,
    moment_info,
    price_at,
)
from ..consensus import (
    MAINNET,
    block_subsidy_sat,
    difficulty_from_bits,
    epoch_of,
    next_halving_height,
    target_from_bits,
)
from ..errors import NoDataError
from ..records import PriceRecord
from ..results import Moment
from ..units import DIFFICULTY_PER_T, SAT_PER_BTC, SECONDS_PER_DAY
from .network_results import EpochProgress, Halving
from .status_results import BtcPrice, DailyRowsInfo, StatusDocument, Tip

EMPTY_DB_HINT = (
    "the database holds no blocks or daily rows: import the reference data with"
    " `minerscope quickstart ../shared/data` (or `minerscope import blockstats|epochs|daily|prices"
    " FILE`), or fetch live data with `minerscope sync`"
)

#: Extra sections other report modules contribute: name -> builder(conn, as_of, base). A
#: builder returns None, its section (set as the document's field ``name``), or a mapping of
#: document fields to set (the network builder also gives the ``halving`` with its ETA).
StatusSection = Callable[[sqlite3.Connection, AsOf, StatusDocument], object]
NO_ETA = "no estimate: the network section was not asked for"


def _price(price: PriceRecord | None, as_of: AsOf) -> BtcPrice | None:
    if price is None:
        return None
    return BtcPrice(
        btc_price_usd=price.price_usd,
        time_s=price.time_s,
        time_iso=iso_utc(price.time_s),
        source=price.source,
        age_s=max(0, as_of.time_s - price.time_s),
    )


def _halving(height: int, from_s: int) -> Halving:
    """The next halving without an ETA (the network section adds one)."""
    nxt = next_halving_height(height)
    return Halving(
        height=nxt,
        blocks_left=nxt - height,
        subsidy_now_btc=block_subsidy_sat(height) / SAT_PER_BTC,
        subsidy_after_btc=block_subsidy_sat(nxt) / SAT_PER_BTC,
        eta=None,
        method=NO_ETA,
        eta_at_600s=Moment.at(from_s + (nxt - height) * MAINNET.pow_target_spacing_s),
    )


def _difficulty_fields(bits: int) -> dict[str, Any]:
    difficulty = difficulty_from_bits(bits)
    return {
        "bits_hex": f"{bits:08x}",
        "target_hex": f"{target_from_bits(bits):064x}",
        "difficulty": difficulty,
        "difficulty_t": difficulty / DIFFICULTY_PER_T,
    }


def _epoch(
    height: int, *, mean_s: float | None, basis: str | None, first_time_s: int | None
) -> EpochProgress:
    interval = MAINNET.difficulty_adjustment_interval
    epoch = epoch_of(height)
    first = epoch * interval
    mined = height - first + 1
    return EpochProgress(
        index=epoch,
        first_height=first,
        retarget_height=first + interval,
        tip_height=height,
        blocks_mined=mined,
        blocks_remaining=interval - mined,
        progress_pct=100 * mined / interval,
        first_block_time_s=first_time_s,
        first_block_time_iso=None if first_time_s is None else iso_utc(first_time_s),
        mean_block_time_s=mean_s,
        mean_block_time_basis=basis,
    )


def _from_blocks(
    conn: sqlite3.Connection, as_of: AsOf, m: DataMoment, tip_height: int
) -> dict[str, Any]:
    tip = storage.block_row(conn, tip_height)
    assert tip is not None
    first = epoch_of(tip_height) * MAINNET.difficulty_adjustment_interval
    out: dict[str, Any] = {
        "tip": Tip(
            height=tip_height,
            hash=tip.hash,
            time_s=tip.time_s,
            time_iso=iso_utc(tip.time_s),
            age_s=as_of.time_s - tip.time_s,
            height_basis=None,
        ),
    }
    if tip.bits is not None:
        out.update(_difficulty_fields(tip.bits))
    mean_s = basis = first_time = None
    lo = max(first, (storage.block_range(conn) or (first, first))[0])
    if tip_height > lo:
        times = storage.block_times(conn, [lo])
        if lo in times:
            mean_s = (tip.time_s - times[lo]) / (tip_height - lo)
            basis = f"blocks {lo}..{tip_height}: {tip_height - lo} intervals" + (
                "" if lo == first else " (the epoch's earlier blocks are not stored)"
            )
            first_time = times[lo] if lo == first else None
    out["epoch"] = _epoch(tip_height, mean_s=mean_s, basis=basis, first_time_s=first_time)
    assert m.data_time_s is not None
    out["halving"] = _halving(tip_height, m.data_time_s)
    return out


def _from_daily(conn: sqlite3.Connection, as_of: AsOf, m: DataMoment) -> dict[str, Any]:
    import numpy as np  # here: the CLI imports this module for every command

    from ..storage import moments

    assert m.day is not None
    daily = moments.daily_arrays(conn, to_date=m.day, sources=False)
    first_day = date_utc(int(daily.day[0]) * SECONDS_PER_DAY)
    known = daily.difficulty[np.isfinite(daily.difficulty)]
    last_difficulty = {
        "difficulty": float(known[-1]) if known.size else None,
        "difficulty_t": float(known[-1]) / DIFFICULTY_PER_T if known.size else None,
    }
    if m.estimated_height is None:
        note = f"daily rows start on {first_day}, not at genesis: tip height unknown"
        return {"daily": DailyRowsInfo(m.day, note), **last_difficulty}
    height = m.estimated_height
    if height < 0:  # Coin Metrics counts no block on 2009-01-03..08
        raise NoDataError(f"the daily rows up to {m.day} count no block")
    out: dict[str, Any] = {"daily": DailyRowsInfo(m.day, None)}
    interval = MAINNET.difficulty_adjustment_interval
    epoch = epoch_of(height)
    first = epoch * interval
    last_time_s = day_end_s(m.day) - 1
    out["tip"] = Tip(
        height=height,
        hash=None,
        time_s=last_time_s,
        time_iso=iso_utc(last_time_s),
        age_s=max(0, as_of.time_s - last_time_s),
        height_basis=(
            "cumulative daily block counts (Coin Metrics BlkCnt); may be off by a few blocks"
        ),
    )
    bits = storage.epoch_bits(conn, epoch)
    out.update(_difficulty_fields(bits) if bits is not None else last_difficulty)
    cum = np.cumsum(np.nan_to_num(daily.blocks)) - 1
    in_epoch = cum[cum >= first]
    mean_s = None
    basis = None
    if len(in_epoch) >= 2:
        counted = int(in_epoch[-1] - in_epoch[0])
        days = len(in_epoch) - 1
        if counted > 0:
            mean_s = days * SECONDS_PER_DAY / counted
            basis = f"{days} whole days in the epoch, {counted} blocks (daily resolution)"
    out["epoch"] = _epoch(height, mean_s=mean_s, basis=basis, first_time_s=None)
    assert m.data_time_s is not None
    out["halving"] = _halving(height, m.data_time_s)
    return out


def build_status(
    conn: sqlite3.Connection,
    as_of: AsOf,
    *,
    sections: Mapping[str, StatusSection] | None = None,
) -> StatusDocument:
    """The status of the network as of ``as_of``.

    Parameters
    ----------
    conn : sqlite3.Connection
        Open database.
    as_of : AsOf
        The resolved moment (see :func:`minerscope.asof.resolve_as_of`).
    sections : mapping, optional
        Section builders (see :data:`StatusSection`; :func:`default_sections`).

    Returns
    -------
    StatusDocument
        ``as_of`` (the data's time, stale inputs, notes), ``tip``, the difficulty,
        ``epoch``, ``halving``, ``price`` and the sections (``network``, ``economics``).

    Raises
    ------
    NoDataError
        When nothing known at that moment can answer (an empty database says how to
        fill it).
    """
    from ..storage import moments  # numpy: off the start-up path of other commands

    if not moments.has_rows(conn, "blocks") and not moments.has_rows(conn, "daily"):
        raise NoDataError(EMPTY_DB_HINT)
    m = data_moment(conn, as_of)
    if m.resolution is None:
        raise NoDataError(
            f"no blocks or daily rows are known as of {as_of.iso}; stored data starts later"
        )
    if m.resolution == "block":
        assert m.tip_height is not None
        parts = _from_blocks(conn, as_of, m, m.tip_height)
    else:
        parts = _from_daily(conn, as_of, m)
    price = price_at(conn, as_of.time_s)
    fields: dict[str, Any] = {
        "tip": None,
        "bits_hex": None,
        "target_hex": None,
        "difficulty": None,
        "difficulty_t": None,
        "epoch": None,
        "halving": None,
        "daily": None,
        "network": None,
        "economics": None,
        **parts,
        "price": _price(price, as_of),
    }
    doc = StatusDocument(as_of=moment_info(as_of, m), **fields)
    for name, builder in (sections or {}).items():
        extra = builder(conn, as_of, doc)
        if extra is None:
            continue
        updates: dict[str, Any] = dict(extra) if isinstance(extra, Mapping) else {name: extra}
        doc = replace(doc, **updates)
    inputs: dict[str, int | None] = {"btc_price_usd": None if price is None else price.time_s}
    if doc.economics is not None:
        from .econ import section_input_times  # the economics section's own inputs

        inputs.update(section_input_times(doc.economics))
    return replace(doc, as_of=moment_info(as_of, m, inputs=inputs))


def default_sections() -> dict[str, StatusSection]:
    """The extra status sections contributed by the analytics and economics reports."""
    from . import econ, network  # imported here: those reports build on this module

    return {"network": network.status_parts, "economics": econ.status_section}
