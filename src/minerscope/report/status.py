"""The ``status`` view: the network as of a moment, from the finest data known then.

Loads from storage for an :class:`~minerscope.asof.AsOf` and returns a JSON-ready dict
with unit-suffixed keys. Block data is used when it is at least as recent as the daily
rows; otherwise daily rows (Coin Metrics style) stand in, and the output says so
(:func:`minerscope.asof.data_moment`). The document has one ``as_of``
(:class:`~minerscope.results.AsOfInfo`) and one price, :func:`minerscope.asof.price_at`,
which its economics section uses too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
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
from ..units import DIFFICULTY_PER_T, SAT_PER_BTC, SECONDS_PER_DAY

EMPTY_DB_HINT = (
    "the database holds no blocks or daily rows: import the reference data with"
    " `minerscope quickstart ../shared/data` (or `minerscope import blockstats|epochs|daily|prices"
    " FILE`), or fetch live data with `minerscope sync`"
)

#: Extra sections other report modules contribute: name -> builder(conn, as_of, base).
StatusSection = Callable[[sqlite3.Connection, AsOf, dict[str, Any]], dict[str, Any] | None]


def _price_section(price: PriceRecord | None, as_of: AsOf) -> dict[str, Any] | None:
    if price is None:
        return None
    return {
        "price_usd": price.price_usd,
        "time_s": price.time_s,
        "time_iso": iso_utc(price.time_s),
        "source": price.source,
        "age_s": max(0, as_of.time_s - price.time_s),
    }


def _halving_section(height: int) -> dict[str, Any]:
    nxt = next_halving_height(height)
    return {
        "next_height": nxt,
        "blocks_left": nxt - height,
        "subsidy_now_btc": block_subsidy_sat(height) / SAT_PER_BTC,
        "subsidy_after_btc": block_subsidy_sat(nxt) / SAT_PER_BTC,
    }


def _difficulty_fields(bits: int) -> dict[str, Any]:
    difficulty = difficulty_from_bits(bits)
    return {
        "bits_hex": f"{bits:08x}",
        "target_hex": f"{target_from_bits(bits):064x}",
        "difficulty": difficulty,
        "difficulty_t": difficulty / DIFFICULTY_PER_T,
    }


def _from_blocks(conn: sqlite3.Connection, as_of: AsOf, tip_height: int) -> dict[str, Any]:
    tip = storage.block_row(conn, tip_height)
    assert tip is not None
    interval = MAINNET.difficulty_adjustment_interval
    epoch = epoch_of(tip_height)
    first = epoch * interval
    mined = tip_height - first + 1
    out: dict[str, Any] = {
        "resolution": "block",
        "tip": {
            "height": tip_height,
            "hash": tip.hash,
            "time_s": tip.time_s,
            "time_iso": iso_utc(tip.time_s),
            "age_s": as_of.time_s - tip.time_s,
        },
    }
    if tip.bits is not None:
        out.update(_difficulty_fields(tip.bits))
    else:
        out.update({"bits_hex": None, "target_hex": None, "difficulty": None, "difficulty_t": None})
    epoch_info: dict[str, Any] = {
        "index": epoch,
        "first_height": first,
        "retarget_height": first + interval,
        "blocks_mined": mined,
        "blocks_remaining": interval - mined,
        "mean_block_time_s": None,
        "mean_block_time_basis": None,
    }
    lo = max(first, (storage.block_range(conn) or (first, first))[0])
    if tip_height > lo:
        times = storage.block_times(conn, [lo])
        if lo in times:
            span_s = tip.time_s - times[lo]
            epoch_info["mean_block_time_s"] = span_s / (tip_height - lo)
            epoch_info["mean_block_time_basis"] = (
                f"blocks {lo}..{tip_height}: {tip_height - lo} intervals"
                + ("" if lo == first else " (the epoch's earlier blocks are not stored)")
            )
            epoch_info["first_block_time_s"] = times[lo]
    out["epoch"] = epoch_info
    out["halving"] = _halving_section(tip_height)
    return out


def _from_daily(conn: sqlite3.Connection, as_of: AsOf, m: DataMoment) -> dict[str, Any]:
    import numpy as np  # here: the CLI imports this module for every command

    from ..storage import moments

    assert m.day is not None
    daily = moments.daily_arrays(conn, to_date=m.day, sources=False)
    first_day = date_utc(int(daily.day[0]) * SECONDS_PER_DAY)
    out: dict[str, Any] = {"resolution": "daily", "daily": {"last_date": m.day}}
    if m.estimated_height is None:
        out["daily"]["note"] = (
            f"daily rows start on {first_day}, not at genesis: tip height unknown"
        )
        known = daily.difficulty[np.isfinite(daily.difficulty)]
        if known.size:
            out["difficulty"] = float(known[-1])
            out["difficulty_t"] = float(known[-1]) / DIFFICULTY_PER_T
        return out
    height = m.estimated_height
    if height is None or height < 0:  # Coin Metrics counts no block on 2009-01-03..08
        raise NoDataError(f"the daily rows up to {out['daily']['last_date']} count no block")
    interval = MAINNET.difficulty_adjustment_interval
    epoch = epoch_of(height)
    first = epoch * interval
    mined = height - first + 1
    last_time_s = day_end_s(m.day) - 1
    out["tip"] = {
        "height": height,
        "height_basis": (
            "cumulative daily block counts (Coin Metrics BlkCnt); may be off by a few blocks"
        ),
        "time_s": last_time_s,
        "time_iso": iso_utc(last_time_s),
        "age_s": max(0, as_of.time_s - last_time_s),
    }
    bits = storage.epoch_bits(conn, epoch)
    if bits is not None:
        out.update(_difficulty_fields(bits))
    else:
        known = daily.difficulty[np.isfinite(daily.difficulty)]
        out["difficulty"] = float(known[-1]) if known.size else None
        out["difficulty_t"] = float(known[-1]) / DIFFICULTY_PER_T if known.size else None
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
    out["epoch"] = {
        "index": epoch,
        "first_height": first,
        "retarget_height": first + interval,
        "blocks_mined": mined,
        "blocks_remaining": interval - mined,
        "mean_block_time_s": mean_s,
        "mean_block_time_basis": basis,
    }
    out["halving"] = _halving_section(height)
    return out


def build_status(
    conn: sqlite3.Connection,
    as_of: AsOf,
    *,
    sections: dict[str, StatusSection] | None = None,
) -> dict[str, Any]:
    """The status of the network as of ``as_of``.

    Parameters
    ----------
    conn : sqlite3.Connection
        Open database.
    as_of : AsOf
        The resolved moment (see :func:`minerscope.asof.resolve_as_of`).
    sections : dict, optional
        Extra sections (name -> builder) appended when they return a dict.

    Returns
    -------
    dict
        ``as_of`` (:class:`~minerscope.results.AsOfInfo`: the data's time, stale inputs,
        notes), ``resolution``, ``tip``, the difficulty, ``epoch``, ``halving``, ``price``
        and the sections.

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
    out: dict[str, Any] = {"as_of": None}
    if m.resolution == "block":
        assert m.tip_height is not None
        out.update(_from_blocks(conn, as_of, m.tip_height))
    else:
        out.update(_from_daily(conn, as_of, m))
    price = price_at(conn, as_of.time_s)
    out["price"] = _price_section(price, as_of)
    for name, builder in (sections or {}).items():
        extra = builder(conn, as_of, out)
        if extra is not None:
            out[name] = extra
    inputs: dict[str, int | None] = {"btc_price_usd": None if price is None else price.time_s}
    if "economics" in out:
        from .econ import section_input_times  # the economics section's own inputs

        inputs.update(section_input_times(out["economics"]))
    out["as_of"] = moment_info(as_of, m, inputs=inputs).to_dict()
    return out


def default_sections() -> dict[str, StatusSection]:
    """The extra status sections contributed by the analytics and economics reports."""
    from . import econ, network  # imported here: those reports build on this module

    return {"network": network.status_section, "economics": econ.status_section}
