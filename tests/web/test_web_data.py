"""The retarget history and the data range the dashboard uses (report.web_data)."""

from __future__ import annotations

import csv
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from minerscope import ingest, storage
from minerscope.asof import parse_time_spec, resolve_as_of
from minerscope.errors import NoDataError
from minerscope.report.web_data import data_range, retarget_history
from tests.conftest import CLOCK_S, DAILY_CSV, EPOCHS_CSV

pytestmark = pytest.mark.shared
REAL = "difficulty_adjustments_real_911232_933407.csv"


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


def _real(shared_data: Path) -> list[dict[str, str]]:
    with (shared_data / REAL).open() as f:
        return list(csv.DictReader(f))


def _history(conn: sqlite3.Connection, at: str) -> dict[int, object]:
    h = retarget_history(conn, resolve_as_of(conn, parse_time_spec(at), now_s=CLOCK_S))
    return {r.height: r for r in h.retargets}


def test_real_retargets_with_block_times(
    reference_db: sqlite3.Connection, shared_data: Path
) -> None:
    by = _history(reference_db, "2026-05-01")
    rows = _real(shared_data)
    assert len(rows) == 11
    for row in rows:
        nxt = by[int(row["end_height"]) + 1]
        assert nxt.bits_hex == row["next_bits_hex_actual"]  # type: ignore[attr-defined]
        # the file's change, rounded to 4 decimals (e.g. +4.8888 % at block 913,248)
        assert round(nxt.change_pct, 4) == pytest.approx(
            float(row["difficulty_change_pct"]), abs=1e-4
        )  # type: ignore[attr-defined]
        start = by[int(row["start_height"])]
        assert start.time_basis == "block"  # type: ignore[attr-defined]
        assert start.time_s == int(row["first_block_time"])  # type: ignore[attr-defined]


def test_times_estimated_from_daily_counts_are_within_two_hours(
    daily_only: sqlite3.Connection, shared_data: Path
) -> None:
    by = _history(daily_only, "2026-05-01")
    for row in _real(shared_data):
        r = by[int(row["start_height"])]
        assert r.time_basis == "daily"  # type: ignore[attr-defined]
        # measured: -1.19 h .. +1.03 h over these 11 epochs (linear within the day)
        assert abs(r.time_s - int(row["first_block_time"])) < 2 * 3600  # type: ignore[attr-defined]


def test_only_retargets_known_at_the_moment(reference_db: sqlite3.Connection) -> None:
    h = retarget_history(reference_db, resolve_as_of(reference_db, parse_time_spec(
        "2025-12-11T03:47:41Z"), now_s=CLOCK_S))  # fmt: skip
    # epoch 460's first block (927,360) came 1 s later (2025-12-11T03:47:42Z)
    assert h.retargets[-1].epoch == 459
    assert h.retargets[0].epoch == 0 and h.retargets[0].change_pct is None
    assert h.retargets[0].difficulty == 1.0
    assert h.as_of.tip_height == 927_359
    h2 = retarget_history(reference_db, resolve_as_of(reference_db, parse_time_spec(
        "2025-12-11T03:47:42Z"), now_s=CLOCK_S))  # fmt: skip
    assert h2.retargets[-1].epoch == 460 and h2.count == h.count + 1


def test_no_epochs_is_no_data(fresh_db: sqlite3.Connection) -> None:
    with pytest.raises(NoDataError, match="no epochs"):
        retarget_history(fresh_db, resolve_as_of(fresh_db, None, now_s=1_790_000_000))


def test_data_range(reference_db: sqlite3.Connection) -> None:
    d = data_range(reference_db, version="v")
    assert (d.first_height, d.last_height) == (909_458, 934_575)
    assert d.last_block_time_iso == "2026-02-01T08:40:17Z"
    assert (d.first_daily_date, d.last_daily_date) == ("2009-01-03", "2026-05-23")
    assert d.latest_time_iso == "2026-05-23T23:59:59Z"  # the daily rows reach further
    assert d.blocks == 25_118 and d.epochs == 474 and d.daily_rows == 6_350
