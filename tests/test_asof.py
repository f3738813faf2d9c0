"""TIME parsing and as-of resolution."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minerscope import storage
from minerscope.asof import (
    AsOf,
    as_of_info,
    data_moment,
    known_by_s,
    last_complete_day,
    moment_info,
    moment_without_data,
    parse_time_spec,
    price_at,
    resolve_as_of,
)
from minerscope.errors import InputError, NoDataError
from minerscope.records import BlockRecord, DailyRecord, PriceRecord

NOW_S = 1_790_000_000  # the clock in these tests: 2026-09-21, after all the data


def test_time_forms() -> None:
    assert parse_time_spec("2026-02-01T08:40:17Z").time_s == 1769935217
    assert parse_time_spec("2026-02-01T09:40:17+01:00").time_s == 1769935217
    # A date means the end of that UTC day.
    assert parse_time_spec("2026-02-01").time_s == 1769990399
    assert parse_time_spec("height:934575").height == 934575
    for bad in ("2026-02-01T08:40:17", "height:-3", "height:x", "soon", "2026-02-30"):
        with pytest.raises(InputError):
            parse_time_spec(bad)


def test_last_complete_day() -> None:
    assert last_complete_day(1769935217) == "2026-01-31"  # 2026-02-01T08:40:17Z
    assert last_complete_day(1769990399) == "2026-02-01"  # 23:59:59Z: the day has ended
    assert last_complete_day(1769990398) == "2026-01-31"


def test_resolution(fresh_db: sqlite3.Connection) -> None:
    with storage.transaction(fresh_db):
        storage.upsert_blocks(
            fresh_db,
            [BlockRecord(10, "0" * 63 + "a", 1000), BlockRecord(11, "0" * 63 + "b", 900)],
        )
    # Block 11's timestamp is earlier than block 10's (consensus allows it). At t=950 the
    # highest block stamped at or before then is 11, and with it its ancestor 10.
    assert (
        resolve_as_of(fresh_db, parse_time_spec("1970-01-01T00:15:50Z"), now_s=NOW_S).tip_height
        == 11
    )
    assert (
        resolve_as_of(fresh_db, parse_time_spec("1970-01-01T00:14:00Z"), now_s=NOW_S).tip_height
        is None
    )
    assert resolve_as_of(fresh_db, parse_time_spec("height:10"), now_s=NOW_S).time_s == 1000
    a = resolve_as_of(fresh_db, None, now_s=5)
    assert (a.time_s, a.tip_height) == (1000, 11)
    with pytest.raises(NoDataError, match="block 12 is not in the database"):
        resolve_as_of(fresh_db, parse_time_spec("height:12"), now_s=NOW_S)


@given(st.integers(min_value=86_400, max_value=4_000_000_000))
def test_a_day_is_complete_exactly_when_its_close_is_known(time_s: int) -> None:
    # The one rule behind every document: day D's close is stamped at D's end
    # ((D + 1) * 86,400); it is known at time_s exactly when D <= last_complete_day(time_s).
    last = parse_time_spec(last_complete_day(time_s)).time_s
    assert last is not None
    last_day = (last + 1) // 86_400 - 1
    for day in (last_day - 1, last_day, last_day + 1):
        known = (day + 1) * 86_400 <= known_by_s(time_s)
        assert known == (day <= last_day), (time_s, day)


def test_known_by_s_at_a_days_last_second() -> None:
    assert known_by_s(1769990399) == 1769990400  # 2026-02-01T23:59:59Z: the day's end
    assert known_by_s(1769990398) == 1769990398
    assert known_by_s(1769990400) == 1769990400


def test_a_moment_after_the_clock_is_refused(fresh_db: sqlite3.Connection) -> None:
    now = 1769935217  # 2026-02-01T08:40:17Z
    with pytest.raises(InputError, match="after the clock") as info:
        resolve_as_of(fresh_db, parse_time_spec("2026-02-01T08:40:18Z"), now_s=now)
    assert info.value.field == "--at"
    # Today's date means the end of today, which has not come yet: say so.
    with pytest.raises(InputError, match="means 2026-02-01T23:59:59Z, which is after"):
        resolve_as_of(fresh_db, parse_time_spec("2026-02-01"), now_s=now)
    assert resolve_as_of(fresh_db, parse_time_spec("2026-01-31"), now_s=now).time_s < now
    with pytest.raises(InputError, match="after the clock"):
        moment_without_data(parse_time_spec("2030-01-01"), now_s=now)
    with pytest.raises(InputError, match="needs the database"):
        moment_without_data(parse_time_spec("height:5"), now_s=now)
    assert moment_without_data(None, now_s=now).time_s == now


def _prices(conn: sqlite3.Connection) -> None:
    with storage.transaction(conn):
        storage.upsert_daily(
            conn,
            [
                DailyRecord("2026-01-30", 144, 1.4e14, 45e9, 3e8, 82_000.0, "cm"),
                DailyRecord("2026-01-31", 144, 1.4e14, 45e9, 3e8, 78_700.0, "cm"),
            ],
        )
        storage.upsert_prices(
            conn,
            [
                PriceRecord("bitstamp", 1769904000, 78_600.0),  # 2026-02-01T00:00Z: 31st's close
                PriceRecord("coinmetrics", 1769904000, 78_702.39),
                PriceRecord("bitstamp", 1769940000, 78_000.0),  # 2026-02-01T10:00Z, intraday
            ],
        )


def test_the_price_at_a_moment(fresh_db: sqlite3.Connection) -> None:
    _prices(fresh_db)
    # 2026-02-01T08:40:17Z: the 31st's close is the latest; Coin Metrics wins the tie over
    # Bitstamp and over the daily row (stamped at the same second).
    p = price_at(fresh_db, 1769935217)
    assert p is not None and (p.source, p.price_usd, p.time_s) == (
        "coinmetrics",
        78_702.39,
        1769904000,
    )
    assert price_at(fresh_db, 1769940000) == PriceRecord("bitstamp", 1769940000, 78_000.0)
    # 2026-01-31 (23:59:59Z) knows that day's close, stamped one second later.
    p = price_at(fresh_db, parse_time_spec("2026-01-31").time_s or 0)
    assert p is not None and p.time_s == 1769904000
    # 2026-01-31T12:00Z knows only the 30th's: from the daily rows, stamped at its end.
    assert price_at(fresh_db, 1769860800) == PriceRecord("daily/cm", 1769817600, 82_000.0)
    assert price_at(fresh_db, 1769817599) is not None  # 2026-01-30T23:59:59Z: its close
    assert price_at(fresh_db, 1769817598) is None


def test_data_moment_and_as_of_info(fresh_db: sqlite3.Connection) -> None:
    _prices(fresh_db)
    with storage.transaction(fresh_db):
        storage.upsert_blocks(fresh_db, [BlockRecord(5, "0" * 63 + "5", 1769935217)])
    tip = AsOf(1769935217 + 3600, 5, "x")  # an hour after the block: the data is current
    m = data_moment(fresh_db, tip)
    assert (m.resolution, m.data_time_s, m.tip_height, m.day) == (
        "block",
        tip.time_s,
        5,
        "2026-01-31",
    )
    info = moment_info(
        tip, m, inputs={"btc_price_usd": 1769904000, "fees_btc_per_block": 1769817600, "x": None}
    )
    # Fees known 1.04 days before the data time are named; the price (10.7 h) is not.
    assert [s.name for s in info.stale_inputs] == ["fees_btc_per_block"]
    assert info.stale_inputs[0].age_s == tip.time_s - 1769817600 and info.notes == ()
    late = AsOf(1769935217 + 3 * 3600, 5, "later")  # three hours: the data stopped
    m = data_moment(fresh_db, late)
    assert m.data_time_s == 1769935217
    info = moment_info(late, m)
    assert len(info.notes) == 1 and "after the newest data: block 5" in info.notes[0]
    # No block known then: the daily rows answer, as of the end of the last complete day.
    m = data_moment(fresh_db, AsOf(1769935216, None, "y"))
    assert (m.resolution, m.data_time_s, m.estimated_height) == ("daily", 1769904000, None)
    info = moment_info(AsOf(1769904000 + 2 * 86_400, None, "z"), m)
    assert "the last daily row ended 2026-02-01T00:00:00Z" in info.notes[0]
    # An input newer than the data by more than a day (a price after the last daily row) is
    # named in a note; one a day newer or less is not.
    z = AsOf(1769904000 + 5 * 86_400, None, "z")
    newer = {"btc_price_usd": 1769904000 + 86_401, "fees_btc_per_block": 1769904000 + 86_400}
    info = moment_info(z, m, inputs=newer)
    assert info.stale_inputs == () and len(info.notes) == 2
    assert info.notes[0] == (
        "btc_price_usd is from 2026-02-02T00:00:01Z, 24.0 h newer than the data:"
        " the figures combine the two"
    )
    assert data_moment(fresh_db, AsOf(1769817598, None, "before")).resolution is None
    assert as_of_info(AsOf(5, None, "given"), resolution=None, data_time_s=None).notes == ()
