"""The ``pools`` report: a hand-checked small case, and the reference data (file counts,
consistency with the network report, operators, history, the CLI)."""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minerscope import storage
from minerscope.asof import AsOf, parse_time_spec, resolve_as_of
from minerscope.cli import app
from minerscope.consensus import block_work
from minerscope.errors import NoDataError
from minerscope.records import DailyRecord, EpochRecord, PriceRecord
from minerscope.report import network as network_report
from minerscope.report import status as status_report
from minerscope.report.pools import PoolsReport, pools_report
from minerscope.sources.pools import PoolCatalog
from tests.conftest import CLOCK_S
from tests.pools.conftest import POOLS_CSV

T0 = 1_700_000_000
TOUCHSTONE = "2026-02-01T08:40:17Z"
SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "schemas" / "pools.schema.json"


@pytest.fixture
def small_db(fresh_db: sqlite3.Connection) -> sqlite3.Connection:
    """Blocks 1..12 every 600 s at difficulty 1, hash unknown; pools: block 1 antpool
    (before the window), 2..6 antpool, 7..9 f2pool, 10..11 unknown, 12 not attributed."""
    heights = list(range(1, 13))
    slugs = ["antpool"] * 6 + ["f2pool"] * 3 + ["unknown"] * 2
    with storage.transaction(fresh_db):
        storage.upsert_epochs(fresh_db, [EpochRecord(0, 0, 0x1D00FFFF)])
        storage.upsert_block_times(fresh_db, heights, [T0 + 600 * h for h in heights])
        storage.upsert_file_pools(fresh_db, heights[:11], slugs, source="file:small.csv")
        storage.upsert_prices(fresh_db, [PriceRecord("coinmetrics", T0, 50_000.0),
                                         PriceRecord("bitstamp", T0, 60_000.0)])  # fmt: skip
    return fresh_db


def test_small_case_by_hand(small_db: sqlite3.Connection, catalog: PoolCatalog) -> None:
    # Window: the 6,000 s before block 12 (T0 + 7,200): blocks 3..12 have times in
    # (T0 + 1,200, T0 + 7,200]; 11 blocks are attributed... block 12 is not: 9 attributed,
    # antpool 4 (3..6), f2pool 3 (7..9), unknown 2 (10..11).
    as_of = AsOf(T0 + 7_200, 12, "height:12")
    r = pools_report(small_db, as_of, catalog, window_days=6_000 / 86_400)
    assert (r.window.blocks, r.window.attributed_blocks) == (10, 9)
    assert (r.window.first_height, r.window.last_height) == (3, 12)
    assert any("1 of the window's 10 blocks have no pool attribution" in n for n in r.as_of.notes)
    a, f, u = r.pools
    assert [(p.rank, p.pool_slug, p.blocks) for p in r.pools] == [
        (1, "antpool", 4), (2, "f2pool", 3), (None, "unknown", 2)
    ]  # fmt: skip
    assert (a.block_share, f.block_share) == (4 / 9, 3 / 9)

    # Clopper-Pearson by its definition: at the lower bound P(X >= 3 | 9) = 0.025, at the
    # upper bound P(X <= 3 | 9) = 0.025 (binomial sums written out, not the beta function).
    def tail(p: float, ks: range) -> float:
        return sum(math.comb(9, k) * p**k * (1 - p) ** (9 - k) for k in ks)

    assert tail(f.block_lower_share, range(3, 10)) == pytest.approx(0.025, abs=1e-9)
    assert tail(f.block_upper_share, range(0, 4)) == pytest.approx(0.025, abs=1e-9)
    # Network: 10 blocks of work W = 2^256 / (2^224 x 65535/65536 + 1) = 4,295,032,833
    # over tau = 6,000 s: 10 W / 6,000 = 7,158,388 H/s; exposure E = 6,000 / W.
    w = block_work(0x1D00FFFF)
    assert w == 4_295_032_833
    assert r.network is not None and r.network.n_blocks == 10
    assert r.network.hashrate_ehs * 1e18 == pytest.approx(10 * w / 6_000)
    # antpool: 4/9 of it; Garwood on 4 blocks: chi2(0.025; 8)/2 = 2.17973/2 = 1.08986 and
    # chi2(0.975; 10)/2 = 20.4832/2 = 10.2416, times W / 6,000.
    assert a.hashrate_ehs is not None and a.hashrate_lower_ehs is not None
    assert a.hashrate_ehs * 1e18 == pytest.approx(4 / 9 * 10 * w / 6_000)
    assert a.hashrate_lower_ehs * 1e18 == pytest.approx(1.08986 * w / 6_000, rel=1e-5)
    assert a.hashrate_upper_ehs * 1e18 == pytest.approx(10.2416 * w / 6_000, rel=1e-5)
    # Luck: the trailing 30 days hold blocks 1..2 (both antpool): trailing share 1,
    # expected 9 blocks, found 4: 44.4 %; P(4 of 9 | p = 1) = 0, so p = 0.
    assert (a.trailing_blocks, a.trailing_share, a.expected_blocks) == (2, 1.0, 9.0)
    assert a.luck_pct == pytest.approx(100 * 4 / 9) and a.luck_p_value == 0.0
    assert f.luck_pct is None  # no trailing blocks: nothing was expected
    # Concentration over the 9 attributed blocks, unknown counted as no pool:
    # HHI = (4/9)^2 + (3/9)^2 = 0.308642; Nakamoto: 4/9 = 44 % < 50 %, 7/9 > 50 %: 2.
    c = r.concentration
    assert c.hhi_share == pytest.approx(16 / 81 + 9 / 81)
    assert c.nakamoto_coefficient == 2 and c.unknown_share == pytest.approx(2 / 9)
    # Earnings: subsidy 50 BTC (height < 210,000), no fees stored; window 1/14.4 day:
    # antpool 4 x 50 x 14.4 = 2,880 BTC/day at the Coin Metrics price (a tie in time with
    # Bitstamp's): 2,880 x 50,000 = 144,000,000 USD/day.
    assert a.btc_per_day == pytest.approx(2_880.0)
    assert a.usd_per_day == pytest.approx(144_000_000.0)
    assert r.fees_note == (
        "fees: 0 blocks from their own rows, 0 from the day's mean fee per block,"
        " 9 unknown (subsidy only)"
    )
    assert r.operators[0].operator == "MARA Holdings" and r.operators[0].blocks == 0


def test_fees_from_daily_rows_only_once_their_day_ended(
    small_db: sqlite3.Connection, catalog: PoolCatalog
) -> None:
    # T0 = 2023-11-14T22:13:20Z: blocks 3..10 fall on 2023-11-14, 11..12 on 11-15; the
    # moment (block 12, 00:13:20Z on 11-15) knows the row of 11-14 but not yet of 11-15.
    with storage.transaction(small_db):
        storage.upsert_daily(small_db, [
            DailyRecord("2023-11-14", 144, 1.0, None, 14_400_000, None, "t"),  # 100,000/block
            DailyRecord("2023-11-15", 144, 1.0, None, 28_800_000, None, "t"),
        ])  # fmt: skip
    as_of = AsOf(T0 + 7_200, 12, "height:12")
    r = pools_report(small_db, as_of, catalog, window_days=6_000 / 86_400)
    assert r.fees_note == (
        "fees: 0 blocks from their own rows, 8 from the day's mean fee per block,"
        " 1 unknown (subsidy only)"
    )
    # antpool's blocks 3..6 (11-14): 4 x (50 BTC + 0.001 BTC) x 14.4 per day
    assert r.pools[0].btc_per_day == pytest.approx(4 * 50.001 * 14.4)


def test_no_attribution_is_no_data(reference_db: sqlite3.Connection, catalog: PoolCatalog) -> None:
    as_of = resolve_as_of(reference_db, parse_time_spec(TOUCHSTONE), now_s=CLOCK_S)
    with pytest.raises(NoDataError, match="import one"):
        pools_report(reference_db, as_of, catalog)


def _file_counts(shared_data: Path, start: int, end: int) -> dict[str, int]:
    out: dict[str, int] = {}
    with (shared_data / POOLS_CSV).open(newline="") as fh:
        for r in csv.DictReader(fh):
            if start < int(r["time_s"]) <= end:
                out[r["pool_slug"]] = out.get(r["pool_slug"], 0) + 1
    return out


@pytest.mark.parametrize("at", [TOUCHSTONE, "2026-04-15T00:00:00Z"])
def test_one_week_equals_the_attribution_file(
    pools_db: sqlite3.Connection, catalog: PoolCatalog, shared_data: Path, at: str
) -> None:
    # One week with hashed blocks (getblockstats), one with hash-less ones (pools file only).
    as_of = resolve_as_of(pools_db, parse_time_spec(at), now_s=CLOCK_S)
    r = pools_report(pools_db, as_of, catalog, window_days=7)
    expected = _file_counts(shared_data, r.window.start_time_s, r.window.end_time_s)
    assert {p.pool_slug: p.blocks for p in r.pools} == expected
    ranked = sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))
    assert [p.pool_slug for p in r.pools] == [s for s, _ in ranked]
    assert sum(p.block_share for p in r.pools) == pytest.approx(1.0)
    assert r.window.blocks == r.window.attributed_blocks == sum(expected.values())


def test_touchstone_week(pools_db: sqlite3.Connection, catalog: PoolCatalog) -> None:
    as_of = resolve_as_of(pools_db, parse_time_spec(TOUCHSTONE), now_s=CLOCK_S)
    r = pools_report(pools_db, as_of, catalog, window_days=7)
    top = r.pools[0]
    assert (top.pool_slug, top.blocks, r.window.attributed_blocks) == ("foundryusa", 229, 860)
    # The same network estimate as `minerscope hashrate --window-days 7`.
    net = network_report.hashrate_report(pools_db, as_of, window_days=7).windows[0]
    assert r.network is not None
    assert r.network.hashrate_ehs == pytest.approx(net.hashrate_ehs, rel=1e-12)
    assert r.network.hashrate_lower_ehs == pytest.approx(net.hashrate_lower_ehs, rel=1e-12)
    # Pool hash rates add up to the network's (shares sum to 1).
    assert sum(p.hashrate_ehs or 0 for p in r.pools) == pytest.approx(r.network.hashrate_ehs)
    # Fees are in the getblockstats rows for this week: reward = subsidy + fees.
    assert r.fees_note.startswith("fees: 860 blocks from their own rows")
    assert sum(p.btc_per_day for p in r.pools) == pytest.approx(860 / 7 * 3.125 + 0.0, rel=0.02)
    mara = r.operators[0]
    assert (mara.operator, mara.pool_slugs, mara.blocks) == ("MARA Holdings", ("marapool",), 40)
    assert "cannot be split by firm" in r.operators_note
    c = r.concentration
    assert c.nakamoto_coefficient == 3 and c.hhi_lower_share < c.hhi_share < c.hhi_upper_share


def test_history_days_add_up(pools_db: sqlite3.Connection, catalog: PoolCatalog) -> None:
    as_of = resolve_as_of(pools_db, parse_time_spec("2026-04-15T12:00:00Z"), now_s=CLOCK_S)
    r = pools_report(pools_db, as_of, catalog, window_days=3, history=True)
    assert r.history is not None
    days = sorted({h.date for h in r.history})
    assert days == ["2026-04-12", "2026-04-13", "2026-04-14", "2026-04-15"]
    complete = {h.date: h.complete_day for h in r.history}
    assert complete == {"2026-04-12": False, "2026-04-13": True, "2026-04-14": True,
                        "2026-04-15": False}  # fmt: skip
    assert sum(h.blocks for h in r.history) == r.window.attributed_blocks
    for d in days:
        rows = [h for h in r.history if h.date == d]
        assert sum(h.block_share for h in rows) == pytest.approx(1.0)
        assert all(h.block_lower_share <= h.block_share <= h.block_upper_share for h in rows)


def test_hashless_tip_status_and_stale_window(pools_db: sqlite3.Connection,
                                              catalog: PoolCatalog) -> None:  # fmt: skip
    as_of = resolve_as_of(pools_db, parse_time_spec("2026-04-22"), now_s=CLOCK_S)  # 23:59:59Z
    assert as_of.tip_height == 946_236  # the pools file's last block: hash unknown
    status = status_report.build_status(pools_db, as_of)
    assert status.tip is not None and status.tip.hash is None
    assert status.as_of.resolution == "block"
    r = pools_report(pools_db, as_of, catalog, window_days=1)
    assert r.window.last_height == 946_236 and "the window ends at that block" in r.as_of.notes[0]


def test_backtest_runs_at_block_resolution_since_2021(
    pools_db: sqlite3.Connection, reference_db: sqlite3.Connection
) -> None:
    # The 4 epochs that started in these weeks, projected at 5 points each: from daily
    # rows without the pools file's block times, from blocks with them.
    span = {"from_date": "2024-01-01", "to_date": "2024-02-15"}
    before = network_report.backtest_report(reference_db, **span)
    after = network_report.backtest_report(pools_db, **span)
    assert before.resolution_note.startswith("0 projections from per-block data, 20 from daily")
    assert after.resolution_note.startswith("20 projections from per-block data, 0 from daily")


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_cli_table_json_csv(pools_db_file: Path) -> None:
    db = str(pools_db_file)
    code, out = _run("pools", "--db", db, "--at", TOUCHSTONE)
    assert code == 0 and "Foundry USA" in out and "Nakamoto coefficient" in out
    code, out = _run("pools", "--db", db, "--at", TOUCHSTONE, "--json")
    doc = json.loads(out)
    assert list(doc) == [f.name for f in dataclasses.fields(PoolsReport)]
    assert doc["pools"][0]["pool_slug"] == "foundryusa" and doc["as_of"]["tip_height"] == 934_575
    assert doc["methods"]["share_interval"].startswith("Clopper-Pearson")
    code, out = _run("pools", "--db", db, "--at", TOUCHSTONE, "--csv")
    rows = list(csv.DictReader(out.splitlines()))
    assert code == 0 and rows[0]["pool_slug"] == "foundryusa" and rows[0]["blocks"] == "229"
    code, out = _run("pools", "--db", db, "--at", TOUCHSTONE, "--history", "--csv",
                     "--window-days", "2")  # fmt: skip
    assert code == 0 and out.startswith("date,complete_day,pool_slug")
    code, out = _run("pools", "--db", db, "--json", "--csv")
    assert code == 1 and "not both" in out
    code, out = _run("pools", "--list", "--json")
    assert code == 0 and any(p["pool_slug"] == "foundryusa" for p in json.loads(out)["pools"])


def test_published_schema_is_current() -> None:
    # docs/schemas/pools.schema.json is the contract of `pools --json`; regenerate it with
    # PoolsReport.json_schema() when the document changes.
    assert json.loads(SCHEMA.read_text()) == PoolsReport.json_schema()
