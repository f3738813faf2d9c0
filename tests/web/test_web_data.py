"""The data range the dashboard's time control uses (report.web_data)."""

from __future__ import annotations

import sqlite3

import pytest

from minerscope.report.web_data import data_range

pytestmark = pytest.mark.shared


def test_data_range(reference_db: sqlite3.Connection) -> None:
    d = data_range(reference_db, version="v")
    assert (d.first_height, d.last_height) == (909_458, 934_575)
    assert d.last_block_time_iso == "2026-02-01T08:40:17Z"
    assert (d.first_daily_date, d.last_daily_date) == ("2009-01-03", "2026-05-23")
    assert d.latest_time_iso == "2026-05-23T23:59:59Z"  # the daily rows reach further
    assert d.blocks == 25_118 and d.epochs == 474 and d.daily_rows == 6_350
