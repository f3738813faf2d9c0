"""``difficulty --history``: the mean block time implied by the retarget rule, retarget dates."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

from minerscope.analytics.retargets import implied_span_s, retarget_rows
from minerscope.errors import InputError
from minerscope.report.retargets import _daily_heights, retarget_history
from tests.conftest import CLOCK_S


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
    assert r1.date == "2009-12-30" and r1.date_source == "daily rows"  # 2,016 <= 2,500
    assert r2.date == "2009-12-31"  # 4,032 reached on the second day
    assert r0.mean_block_time_s == pytest.approx(1_209_600 * 0xD86A / 0xFFFF / 2015)
    # epoch 1's span: 1,209,600 x (0xc428 / 0xd86a) / 2015
    assert r1.mean_block_time_s == pytest.approx(1_209_600 * 0xC428 / 0xD86A / 2015)
    assert r2.mean_block_time_s is None and "not finished" in (r2.note or "")


def test_history_on_the_reference_data(reference_db: sqlite3.Connection) -> None:
    h = retarget_history(reference_db, now_s=1_790_000_000)
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
        assert daily_only[e].date_source == "daily rows"
        assert daily_only[e].date == rows[e].date, e
    assert all(x.date is None for x in retarget_rows(
        bits, first_block_time_s={}, last_block_time_s={}, day_start_s=[],
        height_at_end_of_day=[],
    ))  # fmt: skip
    window = retarget_history(
        reference_db, now_s=CLOCK_S, from_date="2025-12-01", to_date="2026-02-28"
    )
    assert [x.epoch for x in window.retargets] == [460, 461, 462, 463, 464, 465]
    with pytest.raises(InputError, match="after"):
        retarget_history(reference_db, now_s=CLOCK_S, from_date="2026-02-01", to_date="2026-01-01")
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        retarget_history(reference_db, now_s=CLOCK_S, from_date="2026-13-01")
