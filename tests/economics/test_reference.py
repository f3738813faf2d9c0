"""Economics on the reference data (../shared/data), against the touchstone's figures."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from minerscope.asof import parse_time_spec, resolve_as_of
from minerscope.errors import NoDataError
from minerscope.report import econ
from minerscope.results import to_jsonable

NOW_S = 1_790_000_000  # the clock in these tests: 2026-09-21, after all the data


def _day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@pytest.fixture(scope="module")
def history(reference_db_file: object) -> pd.DataFrame:
    from minerscope import storage

    conn = storage.connect(reference_db_file, read_only=True)  # type: ignore[arg-type]
    try:
        return econ.history_frame(conn, to_date="2026-05-23")
    finally:
        conn.close()


def test_daily_revenue_45m_to_27_5m(history: pd.DataFrame) -> None:
    # Daily file rows (IssTotNtv + FeeTotNtv, PriceUSD):
    # 2026-01-22: (503.125 + 2.28662075) BTC * $89,395.70074 = $45,181,626
    # 2026-01-24: (306.25 + 2.01546836) BTC * $89,185.0387 = $27,492,668
    rev = history["revenue_usd"]
    assert rev[_day("2026-01-22")] == pytest.approx(45.2e6, rel=0.015)
    assert rev[_day("2026-01-22")] == pytest.approx(45_181_626, rel=1e-6)
    assert rev[_day("2026-01-24")] == pytest.approx(27.5e6, rel=0.015)
    assert rev[_day("2026-01-24")] == pytest.approx(27_492_668, rel=1e-6)


def test_2026_01_24_is_the_lowest_day_of_the_previous_twelve_months(
    history: pd.DataFrame,
) -> None:
    year = history.loc["2025-01-24":"2026-01-24", "revenue_usd"]
    assert len(year) == 366
    assert year.idxmin() == pd.Timestamp("2026-01-24", tz="UTC")


def test_fees_unknown_after_january_2026_are_flagged(history: pd.DataFrame) -> None:
    # The daily file has no fees from 2026-02-01 (SOURCES.md): revenue unknown, the
    # difficulty-implied figures carry the last known fee mean forward and say so.
    day = history.loc[_day("2026-02-05")]
    assert pd.isna(day["revenue_usd"])
    assert bool(day["fees_carried_forward"])
    assert day["hashprice_usd_per_phs_day"] > 0
    assert not bool(history.loc[_day("2026-01-31"), "fees_carried_forward"])


def test_history_columns_and_range_order(history: pd.DataFrame) -> None:
    day = history.loc[_day("2026-01-24")]
    # Cost range brackets every method; the bottom-up bounds are ordered.
    assert day["cost_range_low_usd_per_btc"] <= day["cost_drm_published_usd_per_btc"]
    assert (
        day["cost_electricity_lower_usd_per_btc"]
        < day["cost_electricity_best_usd_per_btc"]
        < day["cost_electricity_upper_usd_per_btc"]
        <= day["cost_range_high_usd_per_btc"]
    )
    assert 0 <= day["sustainability_score"] <= 100
    # Puell: issuance $27.31M (306.25 * $89,185) over a 365-day mean near $46M: ~0.59
    assert day["puell_multiple"] == pytest.approx(0.595, abs=0.01)


def test_status_section_at_the_touchstone(reference_db: sqlite3.Connection) -> None:
    as_of = resolve_as_of(reference_db, parse_time_spec("2026-01-24"), now_s=NOW_S)
    out = to_jsonable(econ.status_section(reference_db, as_of))
    assert out is not None
    inp = out["inputs"]
    # Block 933,681 is in epoch 463 with bits 1701fca1: difficulty 141,668,107,417,558
    assert inp["difficulty"] == pytest.approx(141_668_107_417_558, rel=1e-12)
    assert inp["subsidy_btc_per_block"] == 3.125
    # Trailing 144 blocks 933,537..933,680 (blockstats file): 312,893,494 sat of fees
    assert inp["fees_btc_per_block"] == pytest.approx(312_893_494 / 144 / 1e8, rel=1e-12)
    assert inp["fees_source"] == "mean of the 144 blocks 933537..933680"
    assert out["revenue"]["date"] == "2026-01-24"
    assert out["revenue"]["revenue_usd"] == pytest.approx(27_492_668, rel=1e-6)
    pc = out["production_cost"]
    assert pc["cost_range_low_usd_per_btc"] < pc["cost_electricity_best_usd_per_btc"]
    assert pc["cost_all_in_best_usd_per_btc"] < pc["cost_range_high_usd_per_btc"]
    # Glassnode's published constants: exp(10.256 + 0.525 ln 1.41668e14) / 19.98e6 ~ $38.3k
    assert pc["cost_drm_published_usd_per_btc"] == pytest.approx(38_300, rel=0.01)
    assert out["sustainability"]["name"].startswith("minerscope")
    assert "CryptoQuant" in out["sustainability"]["name"]
    assert out["puell"]["date"] == "2026-01-24"


def test_block_days_take_precedence(history: pd.DataFrame) -> None:
    # 2025-08-11..2026-01-31 are whole days of the blockstats file; CM's daily difficulty on
    # 2025-09-05 (a retarget day) differs from the exact mean over that day's blocks.
    assert history.loc[_day("2025-09-05"), "source"] == "blocks"
    assert history.loc[_day("2025-08-10"), "source"] != "blocks"  # partial first day
    assert history.loc[_day("2026-02-01"), "source"] != "blocks"  # partial last day


def test_blocks_only_database(fresh_db: sqlite3.Connection) -> None:
    # A self-hosted node's database: blocks and prices, no daily rows. Three whole days of
    # 144 blocks (heights 900,000..) at difficulty of bits 0x17023a8b, fees 0.02 BTC each.
    from minerscope import storage
    from minerscope.records import BlockRecord, PriceRecord

    t0 = 1_750_000_000 - 1_750_000_000 % 86_400  # 2025-06-15T00:00:00Z
    rows = []
    for i in range(5 * 144):
        h = 900_000 + i
        rows.append(
            BlockRecord(h, f"{h:064x}", t0 - 86_400 + i * 600, None, 0x17023A8B, None, None,
                        2_000_000, 312_500_000, 1, 1, 4)
        )  # fmt: skip
    day_s = 86_400
    closes = [PriceRecord("test", t0 + (k + 1) * day_s, 100_000.0) for k in range(2)]
    with storage.transaction(fresh_db):
        storage.upsert_blocks(fresh_db, rows)
        storage.upsert_prices(fresh_db, closes)
    h = econ.history_frame(fresh_db, to_date="2025-06-17")
    days = h[h["source"] == "blocks"]
    assert len(days) == 3
    # 144 blocks * (3.125 + 0.02) BTC = 452.88 BTC at $100,000 = $45,288,000 a day, for the
    # two days with a close (stamped at their end); a day without a price stamped within it
    # has no USD revenue: a price is never carried across days.
    assert days["revenue_usd"].tolist()[:2] == [pytest.approx(45_288_000.0)] * 2
    assert np.isnan(days["revenue_usd"].iloc[2]) and days["revenue_btc"].iloc[2] == 452.88


def test_inputs_from_a_daily_only_database(fresh_db: sqlite3.Connection) -> None:
    # Daily rows only (no blocks, no price table): difficulty, subsidy per block, fees per
    # block and price all come from the last complete day, and say so.
    from minerscope import storage
    from minerscope.records import DailyRecord
    from minerscope.report.econ_inputs import load_inputs

    rows = [
        DailyRecord("2026-01-23", 140, 141.67e12, 43_750_000_000, 251_372_652, 89_439.77, "t"),
        DailyRecord("2026-01-24", 98, 141.67e12, 30_625_000_000, 201_546_836, 89_185.04, "t"),
    ]
    with storage.transaction(fresh_db):
        storage.upsert_daily(fresh_db, rows)
    as_of = resolve_as_of(fresh_db, parse_time_spec("2026-01-25T12:00:00Z"), now_s=NOW_S)
    inp = load_inputs(fresh_db, as_of)
    assert inp.difficulty == 141.67e12
    assert inp.difficulty_source == "daily mean difficulty of 2026-01-24"
    assert inp.subsidy_btc_per_block == 3.125  # 306.25 BTC / 98 blocks
    assert inp.fees_btc_per_block == pytest.approx(2.01546836 / 98)
    assert inp.fees_source == "fees / blocks on 2026-01-24"
    # The day's close, stamped at the end of the day like every daily close (asof.price_at).
    assert (inp.btc_price_usd, inp.price_source) == (89_185.04, "daily/t at 2026-01-25T00:00:00Z")
    # Before any row: nothing is known, and the error says how to fix it.
    early = resolve_as_of(fresh_db, parse_time_spec("2026-01-01"), now_s=NOW_S)
    with pytest.raises(NoDataError, match="no difficulty, fees per block, BTC price known"):
        load_inputs(fresh_db, early)
    # Values given by the caller need no data.
    given = load_inputs(
        fresh_db, early, difficulty=1e14, fees_btc_per_block=0.1, btc_price_usd=1e5,
        subsidy_btc_per_block=3.125,
    )  # fmt: skip
    assert given.reward_btc_per_block == pytest.approx(3.225)
    assert econ.status_section(fresh_db, early) is None


def test_calendar_subsidy() -> None:
    from minerscope.report.econ_inputs import calendar_subsidy_btc

    assert calendar_subsidy_btc(1_700_000_000)[0] == 6.25  # 2023-11-14
    assert calendar_subsidy_btc(1_770_000_000)[0] == 3.125  # 2026-02-02
    assert calendar_subsidy_btc(1_830_297_599)[0] == 3.125  # 2027-12-31T23:59:59Z
    with pytest.raises(NoDataError, match="--subsidy-btc"):
        calendar_subsidy_btc(1_830_297_600)  # 2028-01-01: the next halving may be near
    with pytest.raises(NoDataError, match="before the genesis block"):
        calendar_subsidy_btc(1_231_006_504)


def test_halving_calendar_matches_the_real_halving_blocks(shared_data: Path) -> None:
    # ../shared/data/block_headers.json holds the real headers of blocks 210,000 ... 840,000:
    # a block mined at the halving block's time gets the new subsidy, one second earlier the
    # old one. A calendar off by a month (or a second) fails here.
    from minerscope.consensus import block_subsidy_sat
    from minerscope.report.econ_inputs import calendar_subsidy_btc

    headers = json.loads((shared_data / "block_headers.json").read_text())["headers"]
    halvings = [h for h in headers if h["height"] in (210_000, 420_000, 630_000, 840_000)]
    assert len(halvings) == 4
    for h in halvings:
        assert calendar_subsidy_btc(h["time"])[0] == block_subsidy_sat(h["height"]) / 1e8
        before = block_subsidy_sat(h["height"] - 1) / 1e8
        assert calendar_subsidy_btc(h["time"] - 1)[0] == before
    genesis = next(h for h in headers if h["height"] == 0)
    assert calendar_subsidy_btc(genesis["time"])[0] == 50.0


def test_machines_without_data_use_the_calendar_subsidy(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from minerscope.cli import app

    args = ["machines", "--db", str(tmp_path / "none.sqlite"), "--difficulty", "141.67T",
            "--btc-price-usd", "70000", "--fees-btc-per-block", "0.02", "--json"]  # fmt: skip
    # 2024-04-19T23:00:00Z, an hour before block 840,000: still 6.25 BTC.
    res = CliRunner().invoke(app, [*args, "--at", "2024-04-19T23:00:00Z"])
    assert res.exit_code == 0, res.stderr
    inputs = json.loads(res.stdout)["inputs"]
    assert inputs["subsidy_btc_per_block"] == 6.25
    assert inputs["subsidy_source"] == "halving calendar at 2024-04-19T23:00:00Z"
    res = CliRunner().invoke(app, [*args, "--at", "2024-04-20T01:00:00Z"])
    assert json.loads(res.stdout)["inputs"]["subsidy_btc_per_block"] == 3.125


def test_daily_resolution_difficulty_and_supply_follow_the_daily_rows(
    reference_db: sqlite3.Connection,
) -> None:
    # After the block file (it ends 2026-02-01T08:40:17Z) the daily rows answer. The realised
    # retarget of 2026-02-07 (block 935,424: 141.67 T -> 125.86 T, bits 17023c7e, SOURCES.md)
    # shows in the difficulty once the daily counts put the next block past it: not on the
    # 6th (an estimated tip of 935,328), but on the 7th (935,494).
    from minerscope.consensus import difficulty_from_bits

    sixth = econ.status_section(reference_db, resolve_as_of(
        reference_db, parse_time_spec("2026-02-06"), now_s=NOW_S))  # fmt: skip
    seventh = econ.status_section(reference_db, resolve_as_of(
        reference_db, parse_time_spec("2026-02-07"), now_s=NOW_S))  # fmt: skip
    assert sixth is not None and seventh is not None
    assert sixth.inputs.difficulty == difficulty_from_bits(0x1701FCA1)
    assert seventh.inputs.difficulty == difficulty_from_bits(0x17023C7E)
    assert "epoch 464" in seventh.inputs.difficulty_source
    # The supply is that of the end of the day, not of the stale last block (934,575:
    # 19,983,050 BTC): 6.6 days of 3.125 BTC blocks later (127 to 145 a day in the file).
    supply = seventh.production_cost.supply_btc
    assert supply is not None
    assert 19_983_050 + 6 * 127 * 3.125 < supply < 19_983_050 + 7 * 145 * 3.125
