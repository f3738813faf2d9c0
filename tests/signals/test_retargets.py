"""``difficulty --history``: the mean block time implied by the retarget rule, retarget dates
and times, only the retargets known at the moment."""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from minerscope import ingest, storage
from minerscope.analytics.retargets import Retarget, implied_span_s, retarget_rows
from minerscope.asof import parse_time_spec, resolve_as_of
from minerscope.errors import InputError, NoDataError
from minerscope.report.retargets import RetargetHistory, _daily_heights, retarget_history
from tests.conftest import CLOCK_S, DAILY_CSV, EPOCHS_CSV

REAL = "difficulty_adjustments_real_911232_933407.csv"


def _history(conn: sqlite3.Connection, at: str | None = None, **kw: str) -> RetargetHistory:
    spec = None if at is None else parse_time_spec(at)
    return retarget_history(conn, resolve_as_of(conn, spec, now_s=CLOCK_S), **kw)


def _by_height(conn: sqlite3.Connection, at: str) -> dict[int, Retarget]:
    return {r.height: r for r in _history(conn, at).retargets}


def _real(shared_data: Path) -> list[dict[str, str]]:
    with (shared_data / REAL).open() as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def daily_only(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sqlite3.Connection]:
    """Epochs and daily rows only: every retarget time is estimated from daily counts."""
    conn = storage.connect(tmp_path_factory.mktemp("dailyonly") / "d.sqlite")
    ingest.import_epochs(conn, shared_data / EPOCHS_CSV)
    ingest.import_daily(conn, shared_data / DAILY_CSV)
    yield conn
    conn.close()


def test_implied_span_against_bitcoin_cores_vectors() -> None:
    # Core pow_tests.cpp get_next_work: 0x1d00ffff, first 1261130161, last 1262152739
    # (span 1,022,578 s) -> 0x1d00d86a. Implied: 1,209,600 x 0xd86a / 0xffff = 1,022,571.8 s,
    # within the compact rounding (T x 2^-15 = 37 s).
    span = implied_span_s(0x1D00FFFF, 0x1D00D86A)
    assert span == pytest.approx(1_022_578, abs=37)
    assert span == pytest.approx(1_209_600 * 0xD86A / 0xFFFF)
    # pow_limit: slow blocks leave the target at the limit -> only a bound
    assert implied_span_s(0x1D00FFFF, 0x1D00FFFF) is None
    # lower_limit_actual: 0x1c05a3f4 -> 0x1c0168fd is the T/4 clamp (x 0.25) -> only a bound
    assert implied_span_s(0x1C05A3F4, 0x1C0168FD) is None
    # upper_limit_actual: 0x1c387f6f -> 0x1d00e1fd is the 4T clamp
    assert implied_span_s(0x1C387F6F, 0x1D00E1FD) is None


def test_implied_span_on_the_real_retargets(shared_data: Path) -> None:
    # 11 real epochs (911,232..933,407): the span the rule implies from the next bits equals
    # the measured last-minus-first block time to within 37 s (0.02 s a block).
    with open(shared_data / "difficulty_adjustments_real_911232_933407.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 11
    for r in rows:
        span = implied_span_s(int(r["bits_hex"], 16), int(r["next_bits_hex_actual"], 16))
        assert span == pytest.approx(int(r["actual_timespan_s"]), abs=37), r["epoch"]


def test_rows_by_hand() -> None:
    # Three epochs, no stored blocks, two days of daily rows ending at heights 2,500 and 4,100.
    rows = retarget_rows(
        [0x1D00FFFF, 0x1D00D86A, 0x1D00C428],
        first_block_time_s={}, last_block_time_s={},
        day_start_s=[1_262_131_200, 1_262_217_600],  # 2009-12-30, 2009-12-31
        height_at_end_of_day=[2_500.0, 4_100.0],
    )  # fmt: skip
    r0, r1, r2 = rows
    assert (r0.height, r0.date, r0.change_pct) == (0, "2009-12-30", None)
    # difficulty 0xffff / 0xd86a = 1.18290: +18.29 %
    assert r1.change_pct == pytest.approx(100 * (0xFFFF / 0xD86A - 1))
    assert r1.date == "2009-12-30" and r1.time_source == "daily rows"  # 2,016 <= 2,500
    assert r2.date == "2009-12-31"  # 4,032 reached on the second day
    # the times within the day, linear in the day's blocks: 2,016 of 0..2,500 on the first
    # day is 2,017/2,501 of it; 4,032 is (4,032 - 2,500)/1,600 of the second day
    assert r1.time_s == 1_262_131_200 + round(86_400 * 2_017 / 2_501)
    assert r2.time_s == 1_262_217_600 + round(86_400 * 1_532 / 1_600)
    assert r2.time_iso == "2009-12-31T22:58:48Z" and r2.time_source == "daily rows"  # 82,728 s
    assert r1.difficulty_t == pytest.approx(r1.difficulty / 1e12)
    assert r0.mean_block_time_s == pytest.approx(1_209_600 * 0xD86A / 0xFFFF / 2015)
    # epoch 1's span: 1,209,600 x (0xc428 / 0xd86a) / 2015
    assert r1.mean_block_time_s == pytest.approx(1_209_600 * 0xC428 / 0xD86A / 2015)
    assert r2.mean_block_time_s is None and "not finished" in (r2.note or "")


def test_history_on_the_reference_data(reference_db: sqlite3.Connection) -> None:
    h = _history(reference_db)  # after all the data: every stored epoch
    rows = {r.epoch: r for r in h.retargets}
    assert len(rows) == 474 and rows[0].date == "2009-01-03"
    # epoch 463 (933,408, 2026-01-22T19:31:22Z) and the realised -11.16 % at 935,424
    r = rows[463]
    assert r.time_s == 1_769_110_282 and r.date == "2026-01-22" and r.bits_hex == "1701fca1"
    assert rows[464].change_pct == pytest.approx(-11.16, abs=0.01)
    assert rows[464].date == "2026-02-07"
    # the 11 epochs with both end blocks stored come from the blocks themselves
    assert [e for e, x in rows.items() if x.mean_block_time_source == "blocks"] == list(
        range(452, 463)
    )
    # epoch 463 (blocks only to 934,575): from the rule, 1,209,600 x T464/T463 / 2015 = 675.7 s
    assert rows[463].mean_block_time_source == "retarget rule"
    assert rows[463].mean_block_time_s == pytest.approx(675.67, abs=0.01)
    # 2009's epochs at the pow limit have no mean block time; the first change is epoch 16
    assert rows[14].mean_block_time_s is None
    assert rows[16].change_pct == pytest.approx(18.29, abs=0.01)
    # the retarget days found from the daily rows alone agree with the blocks' (12 epochs)
    bits = [int(x.bits_hex, 16) for x in h.retargets]
    starts, heod = _daily_heights(reference_db, bits)
    daily_only = retarget_rows(bits, first_block_time_s={}, last_block_time_s={},
                               day_start_s=starts, height_at_end_of_day=heod)  # fmt: skip
    for e in range(452, 464):
        assert daily_only[e].time_source == "daily rows"
        assert daily_only[e].date == rows[e].date, e
    assert all(x.date is None for x in retarget_rows(
        bits, first_block_time_s={}, last_block_time_s={}, day_start_s=[],
        height_at_end_of_day=[],
    ))  # fmt: skip
    window = _history(reference_db, from_date="2025-12-01", to_date="2026-02-28")
    assert [x.epoch for x in window.retargets] == [460, 461, 462, 463, 464, 465]
    assert window.count == 6
    with pytest.raises(InputError, match="after"):
        _history(reference_db, from_date="2026-02-01", to_date="2026-01-01")
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        _history(reference_db, from_date="2026-13-01")


def test_real_retargets_with_block_times(
    reference_db: sqlite3.Connection, shared_data: Path
) -> None:
    by = _by_height(reference_db, "2026-05-01")
    rows = _real(shared_data)
    assert len(rows) == 11
    for row in rows:
        nxt = by[int(row["end_height"]) + 1]
        assert nxt.bits_hex == row["next_bits_hex_actual"]
        # the file's change, rounded to 4 decimals (e.g. +4.8888 % at block 913,248)
        assert nxt.change_pct is not None
        assert round(nxt.change_pct, 4) == pytest.approx(
            float(row["difficulty_change_pct"]), abs=1e-4
        )
        start = by[int(row["start_height"])]
        assert start.time_source == "block"
        assert start.time_s == int(row["first_block_time"])


def test_times_estimated_from_daily_counts_are_within_two_hours(
    daily_only: sqlite3.Connection, shared_data: Path
) -> None:
    by = _by_height(daily_only, "2026-05-01")
    for row in _real(shared_data):
        r = by[int(row["start_height"])]
        assert r.time_source == "daily rows" and r.time_s is not None
        # measured: -1.19 h .. +1.03 h over these 11 epochs (linear within the day)
        assert abs(r.time_s - int(row["first_block_time"])) < 2 * 3600


def test_only_retargets_known_at_the_moment(reference_db: sqlite3.Connection) -> None:
    h = _history(reference_db, "2025-12-11T03:47:41Z")
    # epoch 460's first block (927,360) came 1 s later (2025-12-11T03:47:42Z)
    assert h.retargets[-1].epoch == 459 and h.count == 460
    assert h.retargets[0].epoch == 0 and h.retargets[0].change_pct is None
    assert h.retargets[0].difficulty == 1.0
    assert h.retargets[0].time_iso == "2009-01-03T18:15:05Z"  # the genesis block
    assert h.as_of.tip_height == 927_359
    # epoch 459's last block (927,359) is the tip: its mean block time is known, from blocks
    assert h.retargets[-1].mean_block_time_source == "blocks"
    # inside epoch 459 it is not: neither its last block nor epoch 460's bits were known
    mid = _history(reference_db, "2025-12-01")
    assert mid.retargets[-1].epoch == 459 and mid.retargets[-1].mean_block_time_s is None
    assert "not finished" in (mid.retargets[-1].note or "")
    h2 = _history(reference_db, "2025-12-11T03:47:42Z")
    assert h2.retargets[-1].epoch == 460 and h2.count == h.count + 1
    assert h2.retargets[-2].mean_block_time_source == "blocks"
    # the touchstone: epochs 0..463, the last from its stored block
    t = _history(reference_db, "2026-02-01T08:40:17Z")
    assert t.count == 464
    assert (t.retargets[-1].height, t.retargets[-1].bits_hex, t.retargets[-1].time_iso) == (
        933_408, "1701fca1", "2026-01-22T19:31:22Z")  # fmt: skip


def test_no_epochs_is_no_data(fresh_db: sqlite3.Connection) -> None:
    with pytest.raises(NoDataError, match="no epochs"):
        retarget_history(fresh_db, resolve_as_of(fresh_db, None, now_s=1_790_000_000))
