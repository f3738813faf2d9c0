"""The ``status`` view: the network as of a moment, from the finest data known then.

Loads from storage for an :class:`~minerscope.asof.AsOf` and returns a JSON-ready dict
with unit-suffixed keys. Block data is used when it is at least as recent as the daily
rows; otherwise daily rows (Coin Metrics style) stand in, and the output says so.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from .. import storage
from ..asof import AsOf, date_utc, day_start_s, iso_utc, last_complete_day
from ..consensus import (
    MAINNET,
    block_subsidy_sat,
    difficulty_from_bits,
    epoch_of,
    next_halving_height,
    target_from_bits,
)
from ..errors import NoDataError
from ..units import SAT_PER_BTC, SECONDS_PER_DAY

EMPTY_DB_HINT = (
    "the database holds no blocks or daily rows: import the reference data with"
    " `minerscope quickstart ../shared/data` (or `minerscope import blockstats|epochs|daily|prices"
    " FILE`), or fetch live data with `minerscope sync`"
)

#: Extra sections other report modules contribute: name -> builder(conn, as_of, base).
StatusSection = Callable[[sqlite3.Connection, AsOf, dict[str, Any]], dict[str, Any] | None]


def _price_section(conn: sqlite3.Connection, as_of: AsOf) -> dict[str, Any] | None:
    price = storage.latest_price(conn, as_of.time_s)
    if price is not None:
        return {
            "price_usd": price.price_usd,
            "time_s": price.time_s,
            "time_iso": iso_utc(price.time_s),
            "source": price.source,
            "age_s": as_of.time_s - price.time_s,
        }
    day = last_complete_day(as_of.time_s)
    daily = storage.load_daily(conn, to_date=day)
    daily = daily[daily["price_usd"].notna()]
    if daily.empty:
        return None
    last = daily.iloc[-1]
    time_s = int(daily.index[-1].timestamp()) + SECONDS_PER_DAY  # the close: end of that day
    return {
        "price_usd": float(last["price_usd"]),
        "time_s": time_s,
        "time_iso": iso_utc(time_s),
        "source": f"daily/{last['source']}",
        "age_s": as_of.time_s - time_s,
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
        "difficulty_t": difficulty / 1e12,
    }


def _from_blocks(conn: sqlite3.Connection, as_of: AsOf, tip_height: int) -> dict[str, Any]:
    tip = storage.block_row(conn, tip_height)
    assert tip is not None
    interval = MAINNET.difficulty_adjustment_interval
    epoch = epoch_of(tip_height)
    first = epoch * interval
    mined = tip_height - first + 1
    out: dict[str, Any] = {
        "resolution": "blocks",
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


def _from_daily(conn: sqlite3.Connection, as_of: AsOf) -> dict[str, Any] | None:
    day = last_complete_day(as_of.time_s)
    daily = storage.load_daily(conn, to_date=day)
    if daily.empty:
        return None
    blocks = daily["blocks"].fillna(0)
    first_day = date_utc(int(daily.index[0].timestamp()))
    out: dict[str, Any] = {"resolution": "daily", "daily": {"last_date": date_utc(
        int(daily.index[-1].timestamp()))}}  # fmt: skip
    if first_day != "2009-01-03":
        out["daily"]["note"] = (
            f"daily rows start on {first_day}, not at genesis: tip height unknown"
        )
        last = daily.iloc[-1]
        if last["difficulty"] == last["difficulty"]:
            out["difficulty"] = float(last["difficulty"])
            out["difficulty_t"] = float(last["difficulty"]) / 1e12
        return out
    height = int(blocks.sum()) - 1
    if height < 0:  # Coin Metrics counts no block on 2009-01-03..08
        raise NoDataError(f"the daily rows up to {out['daily']['last_date']} count no block")
    interval = MAINNET.difficulty_adjustment_interval
    epoch = epoch_of(height)
    first = epoch * interval
    mined = height - first + 1
    last_time_s = day_start_s(out["daily"]["last_date"]) + SECONDS_PER_DAY - 1
    out["tip"] = {
        "height": height,
        "height_basis": (
            "cumulative daily block counts (Coin Metrics BlkCnt); may be off by a few blocks"
        ),
        "time_s": last_time_s,
        "time_iso": iso_utc(last_time_s),
        "age_s": as_of.time_s - last_time_s,
    }
    bits = storage.epoch_bits(conn, epoch)
    if bits is not None:
        out.update(_difficulty_fields(bits))
    else:
        diff = daily["difficulty"].dropna()
        out["difficulty"] = float(diff.iloc[-1]) if not diff.empty else None
        out["difficulty_t"] = None if diff.empty else float(diff.iloc[-1]) / 1e12
    cum = blocks.cumsum() - 1
    in_epoch = cum[cum >= first]
    mean_s = None
    basis = None
    if len(in_epoch) >= 2:
        counted = int(in_epoch.iloc[-1] - in_epoch.iloc[0])
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

    Raises
    ------
    NoDataError
        When nothing known at that moment can answer (an empty database says how to
        fill it).
    """
    counts = storage.table_counts(conn)
    if counts["blocks"] == 0 and counts["daily"] == 0:
        raise NoDataError(EMPTY_DB_HINT)
    base: dict[str, Any] | None = None
    daily_last = storage.last_daily_date(conn, on_or_before=last_complete_day(as_of.time_s))
    if as_of.tip_height is not None:
        tip = storage.block_row(conn, as_of.tip_height)
        # Blocks are the finest data; use them unless daily rows reach further.
        blocks_current = tip is not None and (
            daily_last is None or tip.time_s >= day_start_s(daily_last)
        )
        if blocks_current:
            base = _from_blocks(conn, as_of, as_of.tip_height)
    if base is None:
        base = _from_daily(conn, as_of)
    if base is None:
        raise NoDataError(
            f"no blocks or daily rows are known as of {as_of.iso}; stored data starts later"
        )
    out: dict[str, Any] = {
        "as_of": {"time_s": as_of.time_s, "time_iso": as_of.iso, "text": as_of.text}
    }
    out.update(base)
    out["price"] = _price_section(conn, as_of)
    for name, builder in (sections or {}).items():
        extra = builder(conn, as_of, out)
        if extra is not None:
            out[name] = extra
    return out


def default_sections() -> dict[str, StatusSection]:
    """The extra status sections contributed by the analytics and economics reports."""
    from . import econ, network  # imported here: those reports build on this module

    return {"network": network.status_section, "economics": econ.status_section}
