"""Offline import of every reference file: transactional, idempotent, and strict on bad input."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from minerscope import ingest, storage
from minerscope.errors import ConflictError, InputError
from tests.conftest import (
    BITSTAMP_CSV,
    BLOCKSTATS_CSV,
    CHECKPOINTS_JSON,
    CM_COMMUNITY_CSV,
    CM_PRICE_CSV,
    DAILY_CSV,
    EPOCHS_CSV,
)


def dump(conn: sqlite3.Connection) -> list[str]:
    """Every row of every table, as SQL (the database's exact content)."""
    return list(conn.iterdump())


def head(src: Path, dest: Path, n_lines: int) -> Path:
    lines = src.read_text().splitlines(keepends=True)[:n_lines]
    dest.write_text("".join(lines))
    return dest


def test_blockstats_and_epochs_import_in_either_order(
    fresh_db: sqlite3.Connection, shared_data: Path
) -> None:
    rep = ingest.import_blockstats(fresh_db, shared_data / BLOCKSTATS_CSV)
    assert rep.rows_read == 25_118
    assert rep.counts.inserted == 25_118
    assert rep.notes  # bits are missing until the epochs arrive
    ingest.import_epochs(fresh_db, shared_data / EPOCHS_CSV)
    blocks = storage.load_blocks(fresh_db)
    assert len(blocks) == 25_118
    assert blocks.index[0] == 909_458 and blocks.index[-1] == 934_575
    assert blocks["bits"].isna().sum() == 0
    assert f"{int(blocks.loc[934_575, 'bits']):08x}" == "1701fca1"
    assert f"{int(blocks.loc[933_407, 'bits']):08x}" == "1701ebf2"
    # getblockstats fields land in our names and units (first line of the file).
    first = blocks.loc[909_458]
    assert first["hash"] == "000000000000000000011a4b73b6215a9b89b109d1a4210363f7629ac2dece72"
    assert first["time_s"] == 1754856497 and first["median_time_s"] == 1754850809
    assert first["fees_sat"] == 2683760 and first["subsidy_sat"] == 312_500_000
    assert first["tx_count"] == 3490 and first["size_bytes"] == 1622786
    assert first["weight_wu"] == 3991964


def test_electrum_json_and_epoch_csv_agree(shared_data: Path) -> None:
    a = storage.connect(":memory:")
    b = storage.connect(":memory:")
    ra = ingest.import_epochs(a, shared_data / CHECKPOINTS_JSON)
    rb = ingest.import_epochs(b, shared_data / EPOCHS_CSV)
    assert ra.rows_read == rb.rows_read == 474
    ea, eb = storage.load_epochs(a), storage.load_epochs(b)
    assert ea["bits"].tolist() == eb["bits"].tolist()
    assert ea["start_height"].tolist() == eb["start_height"].tolist()
    # SOURCES.md: the header bits at 210000, 840000 and 933968.
    assert f"{storage.epoch_bits(a, 210_000 // 2016):08x}" == "1a04e0ea"
    assert f"{storage.epoch_bits(a, 840_000 // 2016):08x}" == "17034219"
    assert f"{storage.epoch_bits(a, 933_968 // 2016):08x}" == "1701fca1"
    assert pd.isna(ea.loc[473, "end_hash"])
    assert ea.loc[462, "end_hash"] == eb.loc[462, "end_hash"]


def test_second_identical_import_changes_nothing(
    fresh_db: sqlite3.Connection, shared_data: Path
) -> None:
    first = ingest.import_reference_dir(fresh_db, shared_data)
    before = dump(fresh_db)
    again = ingest.import_reference_dir(fresh_db, shared_data)
    assert dump(fresh_db) == before
    for r1, r2 in zip(first, again, strict=True):
        assert r2.counts.inserted == 0 and r2.counts.updated == 0
        assert r2.counts.unchanged == r1.rows_read
    assert storage.table_counts(fresh_db) == {
        "blocks": 25_118,
        "epochs": 474,
        "daily": 6_350,
        "prices": 5_879 + 5_411,
    }


def test_daily_files(fresh_db: sqlite3.Connection, shared_data: Path) -> None:
    ingest.import_daily(fresh_db, shared_data / DAILY_CSV)
    daily = storage.load_daily(fresh_db, from_date="2026-01-22", to_date="2026-01-22")
    row = daily.iloc[0]
    # The combined file's line for 2026-01-22: BlkCnt 161, IssTotNtv 503.125 (161 x 3.125),
    # FeeTotNtv 2.28662075, PriceUSD 89395.70074, DiffMean 1.454281221e14.
    assert row["blocks"] == 161
    assert row["issuance_sat"] == 161 * 312_500_000
    assert row["fees_sat"] == 228_662_075
    assert row["price_usd"] == 89395.70074
    assert row["difficulty"] == 1.454281221e14
    assert row["source"] == "combined/derived_blocks"
    other = storage.connect(":memory:")
    rep = ingest.import_daily(other, shared_data / CM_COMMUNITY_CSV)
    assert rep.rows_read == 6_111
    # The community dump has only USD amounts: fees = FeeTotUSD / PriceUSD
    # = 446058.0374 / 109669.1022 = 4.06730 BTC on 2025-09-26 (native value: 4.05417).
    cm = storage.load_daily(other, from_date="2025-09-26", to_date="2025-09-26").iloc[0]
    assert cm["source"] == "cm_community"
    assert cm["fees_sat"] == pytest.approx(406_730_000, abs=1_000)
    assert cm["issuance_sat"] == pytest.approx(412.5 * 1e8, rel=1e-9)
    assert cm["blocks"] == 132
    for name in (
        "cm_btc_price_issuance_daily_2010-07-18_2026-05-23.csv",
        "cm_btc_blkcnt_height_daily_2009-01-03_2026-05-23.csv",
    ):
        assert ingest.import_daily(fresh_db, shared_data / name).rows_read > 5_000


def test_price_files(fresh_db: sqlite3.Connection, shared_data: Path) -> None:
    cm = ingest.import_prices(fresh_db, shared_data / CM_PRICE_CSV)
    bs = ingest.import_prices(fresh_db, shared_data / BITSTAMP_CSV)
    assert (cm.rows_read, bs.rows_read) == (5_879, 5_411)
    bc = ingest.import_prices(
        fresh_db, shared_data / "blockchaincom_difficulty_price_daily_2025-04-23_2026-04-22.csv"
    )
    assert bc.rows_read == 365
    assert storage.price_sources(fresh_db) == ["bitstamp", "blockchaincom", "coinmetrics"]
    # A daily close is stamped at the end of its day: 2026-01-31's close is known at
    # 2026-02-01T00:00:00Z (1769904000), not before.
    p = storage.latest_price(fresh_db, 1769904000)
    assert p is not None and p.time_s == 1769904000 and p.source == "coinmetrics"
    earlier = storage.latest_price(fresh_db, 1769904000 - 1)
    assert earlier is not None and earlier.time_s == 1769904000 - 86_400
    # Explicit columns for an unrecognised layout: the 7-day average file.
    seven = ingest.import_prices(
        fresh_db,
        shared_data
        / "blockchaincom_hashrate_difficulty_price_7dma_every4d_2009-01-10_2026-02-18.csv",
        source="blockchaincom-7dma",
        price_column="market_price_usd_7dma",
    )
    assert seven.rows_read > 1000


# --- bad input: exit 1 with one line naming file, line and field; nothing written ------


@pytest.fixture
def seeded(fresh_db: sqlite3.Connection, shared_data: Path, tmp_path: Path) -> sqlite3.Connection:
    ingest.import_epochs(fresh_db, shared_data / EPOCHS_CSV)
    ingest.import_blockstats(fresh_db, head(shared_data / BLOCKSTATS_CSV, tmp_path / "h.csv", 201))
    return fresh_db


def _mutate(src: Path, dest: Path, line_no: int, column: str, value: str) -> Path:
    lines = src.read_text().splitlines()[:301]
    header = lines[0].split(",")
    cells = lines[line_no - 1].split(",")
    cells[header.index(column)] = value
    lines[line_no - 1] = ",".join(cells)
    dest.write_text("\n".join(lines) + "\n")
    return dest


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("totalfee", "12x4", "is not an integer"),
        ("txs", "-5", "is negative"),
        ("time", "", "empty value"),
        ("blockhash", "abc", "is not a 64-hex-digit block hash"),
        ("subsidy", "625000000", "is not the consensus subsidy"),
    ],
)
def test_bad_field_names_file_line_and_field(
    seeded: sqlite3.Connection,
    shared_data: Path,
    tmp_path: Path,
    column: str,
    value: str,
    reason: str,
) -> None:
    bad = _mutate(shared_data / BLOCKSTATS_CSV, tmp_path / "bad.csv", 250, column, value)
    before = dump(seeded)
    with pytest.raises(InputError) as info:
        ingest.import_blockstats(seeded, bad)
    err = info.value
    assert (err.path, err.line, err.field) == (str(bad), 250, column)
    assert reason in str(err)
    assert str(err).startswith(f"{bad}:250, field {column!r}: ")
    assert "\n" not in str(err)
    assert dump(seeded) == before


def test_truncated_line(seeded: sqlite3.Connection, shared_data: Path, tmp_path: Path) -> None:
    text = (shared_data / BLOCKSTATS_CSV).read_text().splitlines()[:300]
    text[-1] = text[-1][:40]  # a download cut off mid-line
    bad = tmp_path / "truncated.csv"
    bad.write_text("\n".join(text))
    before = dump(seeded)
    with pytest.raises(InputError, match=r"truncated.csv:300: expected 24 fields, found \d"):
        ingest.import_blockstats(seeded, bad)
    assert dump(seeded) == before


def test_conflicting_hash(seeded: sqlite3.Connection, shared_data: Path, tmp_path: Path) -> None:
    # Line 150 holds height 909,606, already stored with its real hash.
    bad = _mutate(shared_data / BLOCKSTATS_CSV, tmp_path / "fork.csv", 150, "blockhash", "ab" * 32)
    before = dump(seeded)
    with pytest.raises(ConflictError) as info:
        ingest.import_blockstats(seeded, bad)
    assert info.value.line == 150 and info.value.field == "blockhash"
    assert "block 909606 is stored with hash" in str(info.value)
    assert dump(seeded) == before


def test_wrong_format(seeded: sqlite3.Connection, shared_data: Path) -> None:
    before = dump(seeded)
    with pytest.raises(InputError, match="not a getblockstats CSV file: missing column"):
        ingest.import_blockstats(seeded, shared_data / BITSTAMP_CSV)
    with pytest.raises(InputError, match="not a daily network CSV"):
        ingest.import_daily(seeded, shared_data / BLOCKSTATS_CSV)
    with pytest.raises(InputError, match="not a price CSV: no price column"):
        ingest.import_prices(seeded, shared_data / BLOCKSTATS_CSV)
    with pytest.raises(InputError, match="not a per-epoch bits CSV"):
        ingest.import_epochs(seeded, shared_data / BITSTAMP_CSV)
    assert dump(seeded) == before


def test_bad_epochs_and_prices(seeded: sqlite3.Connection, tmp_path: Path) -> None:
    before = dump(seeded)
    j = tmp_path / "checkpoints.json"
    j.write_text('[["' + "00" * 32 + '", 5], ["zz", 7]')
    with pytest.raises(InputError, match="malformed JSON"):
        ingest.import_epochs(seeded, j)
    e = tmp_path / "epochs.csv"
    e.write_text("epoch,start_height,bits_hex\n0,0,1d00ffff\n1,2017,1d00ffff\n")
    with pytest.raises(InputError, match=r"epochs.csv:3, field 'start_height'"):
        ingest.import_epochs(seeded, e)
    e.write_text("epoch,start_height,bits_hex\n451,909216,1d00ffff\n")
    with pytest.raises(ConflictError, match="epoch 451 is stored with"):
        ingest.import_epochs(seeded, e)
    p = tmp_path / "prices.csv"
    p.write_text("date,close\n2026-01-01,87000\n2026-01-02,-3\n")
    with pytest.raises(InputError, match=r"prices.csv:3, field 'close': -3.0 is negative"):
        ingest.import_prices(seeded, p)
    p.write_text("date,close\n2026-01-01,87000\n2026-02-30,1\n")
    with pytest.raises(InputError, match=r"prices.csv:3, field 'date'"):
        ingest.import_prices(seeded, p)
    d = tmp_path / "daily.csv"
    d.write_text("date,BlkCnt,PriceUSD\n2026-01-01,144,87000\n2026-01-02,14.5,1\n")
    with pytest.raises(InputError, match=r"daily.csv:3, field 'BlkCnt': '14.5' is not an integer"):
        ingest.import_daily(seeded, d)
    assert dump(seeded) == before


def test_missing_reference_folder(fresh_db: sqlite3.Connection, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        ingest.import_reference_dir(fresh_db, tmp_path / "nope")
    with pytest.raises(InputError, match="lacks"):
        ingest.import_reference_dir(fresh_db, tmp_path)
