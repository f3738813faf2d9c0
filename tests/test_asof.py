"""TIME parsing and as-of resolution."""

from __future__ import annotations

import sqlite3

import pytest

from minerscope import storage
from minerscope.asof import last_complete_day, parse_time_spec, resolve_as_of
from minerscope.errors import InputError, NoDataError
from minerscope.records import BlockRecord

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
