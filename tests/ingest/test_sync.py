"""Block and daily sync against real local servers: equality with import, reorgs, faults."""

# ruff: noqa: F811  (the server fixtures are imported from tests.servers.fixtures)

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from minerscope import ingest, storage
from minerscope.errors import SourceError
from minerscope.ingest.sync import (
    Reorg,
    default_start_height,
    link_records,
    sync_blocks,
    sync_coinmetrics,
    sync_state,
)
from minerscope.records import BlockRecord
from minerscope.sources._http import RetryPolicy, SourceBadResponse, SourceTimeout
from minerscope.sources.coinmetrics import CoinMetricsClient
from minerscope.sources.esplora import EsploraClient
from tests.servers.base import Running
from tests.servers.chain import Chain, load_blocks
from tests.servers.esplora import esplora_server
from tests.servers.fixtures import (  # noqa: F401
    FAST_RETRY,
    chain,
    clean_copy,
    cm_days,
    coinmetrics,
    cookie_file,
    dump,
    esplora,
    ref_blocks,
    rpc,
    rpc_client_for,
    rpc_sync,
    sparse_blocks,
)
from tests.servers.rpc import rpc_server

FIRST, LAST = 909_458, 934_575  # the getblockstats file's heights
SUB = 933_000  # start of the smaller syncs (1,576 blocks)


# --- a full sync of the 25,118 reference blocks ---------------------------------------


@pytest.fixture(scope="module")
def full_sync(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sqlite3.Connection]:
    cookie = tmp_path_factory.mktemp("cookie") / ".cookie"
    cookie.write_text("__cookie__:pw")
    conn = storage.connect(":memory:")
    blocks = load_blocks(shared_data)
    chain = Chain(blocks, sparse=sparse_blocks(shared_data, blocks[0].height))
    with rpc_server(chain, password="pw") as srv:
        summary = rpc_sync(conn, srv.url, cookie, from_height=FIRST)
    assert summary.blocks_fetched == 25_118  # type: ignore[attr-defined]
    yield conn
    conn.close()


def test_full_sync_equals_import(full_sync: sqlite3.Connection, shared_data: Path) -> None:
    imported = storage.connect(":memory:")
    ingest.import_epochs(imported, shared_data / "difficulty_epochs_electrum.csv")
    ingest.import_blockstats(imported, shared_data / "blocks_getblockstats_909458_934575.csv")
    a = storage.load_blocks(full_sync)
    b = storage.load_blocks(imported)
    assert len(a) == 25_118
    assert a.index[0] == FIRST and a.index[-1] == LAST
    assert a.equals(b)  # hash, times, bits, fees, subsidy, txs, size, weight: all equal


def test_full_sync_stores_links_chainwork_and_epochs(
    full_sync: sqlite3.Connection, shared_data: Path
) -> None:
    rows = full_sync.execute(
        "SELECT height, hash, prev_hash FROM blocks ORDER BY height"
    ).fetchall()
    assert all(rows[i][2] == rows[i - 1][1] for i in range(1, len(rows)))
    assert (
        full_sync.execute("SELECT COUNT(*) FROM blocks WHERE chainwork_hex IS NULL").fetchone()[0]
        == 0
    )
    epochs = storage.load_epochs(full_sync)
    # every epoch up to the tip's: 452 (911,232) .. 463 (933,408) from the synced blocks,
    # 0 .. 451 from one header each (the server answers them from the Electrum file)
    assert list(epochs.index) == list(range(464))
    electrum = pd.read_csv(shared_data / "difficulty_epochs_electrum.csv", index_col="epoch")
    assert (epochs["bits"] == electrum.loc[:463, "bits_int"]).all()
    assert (epochs.loc[:462, "end_hash"] == electrum.loc[:462, "end_block_hash"]).all()
    # end hashes = Electrum's checkpoints (difficulty_epochs_electrum.csv, epochs 452, 462)
    assert (
        epochs.loc[452, "end_hash"]
        == "00000000000000000000b34c3fbb0151989a03d8fe589af6a5621528e6786c29"
    )
    assert (
        epochs.loc[462, "end_hash"]
        == "00000000000000000000fd7f37b8fb43c92b11c9d2809f115d22a6b5dbeb7836"
    )
    assert epochs.loc[463, "bits"] == 0x1701FCA1 and pd.isna(epochs.loc[463, "end_hash"])


# --- anchors and incremental syncs ----------------------------------------------------


def test_default_start_height() -> None:
    # 934,575 // 2016 = 463 (933,408); the epoch before starts at 462 x 2016 = 931,392
    assert default_start_height(934_575) == 931_392
    assert default_start_height(4_031) == 0
    assert default_start_height(4_032) == 2_016
    assert default_start_height(0) == 0


def test_empty_db_starts_at_the_default(chain: Chain, rpc: Running, cookie_file: Path) -> None:
    conn = storage.connect(":memory:")
    s = rpc_sync(conn, rpc.url, cookie_file)
    assert (s.first_height, s.last_height, s.blocks_fetched) == (931_392, LAST, 3_184)  # type: ignore[attr-defined]


def test_incremental_and_idempotent(chain: Chain, rpc: Running, cookie_file: Path) -> None:
    conn = storage.connect(":memory:")
    chain.visible_tip = 933_500
    s1 = rpc_sync(conn, rpc.url, cookie_file, from_height=SUB)
    assert (s1.first_height, s1.last_height, s1.blocks_fetched) == (SUB, 933_500, 501)  # type: ignore[attr-defined]
    chain.visible_tip = 934_000
    s2 = rpc_sync(conn, rpc.url, cookie_file, from_height=SUB)
    assert (s2.first_height, s2.last_height, s2.blocks_fetched) == (933_501, 934_000, 500)  # type: ignore[attr-defined]
    before = dump(conn)
    s3 = rpc_sync(conn, rpc.url, cookie_file)
    assert s3.blocks_fetched == 0 and dump(conn) == before  # type: ignore[attr-defined]


def test_to_height_and_source_behind(chain: Chain, rpc: Running, cookie_file: Path) -> None:
    conn = storage.connect(":memory:")
    rpc_sync(conn, rpc.url, cookie_file, from_height=SUB, to_height=933_099)
    assert storage.max_block_height(conn) == 933_099
    rpc_sync(conn, rpc.url, cookie_file)
    before = dump(conn)
    chain.visible_tip = 934_000  # a node behind ours: nothing is deleted
    s = rpc_sync(conn, rpc.url, cookie_file)
    assert s.blocks_fetched == 0 and s.reorgs == [] and dump(conn) == before  # type: ignore[attr-defined]


# --- reorgs ---------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1, 6, 100])
def test_reorg_is_repaired(depth: int, chain: Chain, rpc: Running, cookie_file: Path) -> None:
    conn = storage.connect(":memory:")
    rpc_sync(conn, rpc.url, cookie_file, from_height=SUB)
    stale = storage.block_hashes(conn, LAST - depth + 1, LAST)
    fork = chain.reorg(depth)
    assert fork == LAST - depth + 1
    s = rpc_sync(conn, rpc.url, cookie_file)
    assert s.reorgs == [Reorg(fork, depth, LAST, LAST)]  # type: ignore[attr-defined]
    fresh = storage.block_hashes(conn, fork, LAST)
    assert set(fresh.values()).isdisjoint(stale.values())
    assert fresh[LAST] == chain.at(LAST).hash  # type: ignore[union-attr]
    assert dump(conn) == clean_copy(chain, cookie_file, from_height=SUB)


def test_reorg_rewrites_the_epoch_end_hash(chain: Chain, rpc: Running, cookie_file: Path) -> None:
    conn = storage.connect(":memory:")
    rpc_sync(conn, rpc.url, cookie_file)  # from 931,392: epoch 462 whole
    fork = chain.reorg(1_200)  # 934,575 - 1,199 = 933,376: spans epoch 462's end (933,407)
    assert fork == 933_376
    rpc_sync(conn, rpc.url, cookie_file)
    assert storage.load_epochs(conn).loc[462, "end_hash"] == chain.at(933_407).hash  # type: ignore[union-attr]
    assert dump(conn) == clean_copy(chain, cookie_file, from_height=931_392)


def test_reorg_across_a_retarget_with_other_bits(
    chain: Chain, rpc: Running, cookie_file: Path
) -> None:
    conn = storage.connect(":memory:")
    rpc_sync(conn, rpc.url, cookie_file)  # from 931,392: epochs 462 and 463
    assert storage.epoch_bits(conn, 463) == 0x1701FCA1
    # The fork starts in epoch 462 and retargets differently at 933,408.
    fork = chain.reorg(1_200, retarget_bits=0x1701FCA0)
    assert fork == 933_376
    rpc_sync(conn, rpc.url, cookie_file)
    assert storage.epoch_bits(conn, 463) == 0x1701FCA0
    assert storage.load_blocks(conn, from_height=933_408)["bits"].eq(0x1701FCA0).all()
    assert storage.epoch_bits(conn, 462) == 0x1701EBF2  # defined below the fork: kept
    assert dump(conn) == clean_copy(chain, cookie_file, from_height=931_392)


def test_reorg_while_the_chain_grows(chain: Chain, rpc: Running, cookie_file: Path) -> None:
    conn = storage.connect(":memory:")
    chain.visible_tip = 934_000
    rpc_sync(conn, rpc.url, cookie_file, from_height=SUB)
    chain.reorg(6)
    chain.visible_tip = 934_100
    s = rpc_sync(conn, rpc.url, cookie_file)
    assert s.reorgs == [Reorg(933_995, 6, 934_000, 934_000)]  # type: ignore[attr-defined]
    assert storage.max_block_height(conn) == 934_100
    chain.visible_tip = 934_100
    assert dump(conn) == clean_copy(chain, cookie_file, from_height=SUB)


def test_no_common_block_is_a_source_error(chain: Chain, rpc: Running, cookie_file: Path) -> None:
    conn = storage.connect(":memory:")
    rpc_sync(conn, rpc.url, cookie_file, from_height=934_000)
    before = dump(conn)
    chain.reorg(1_000)  # every stored block (934,000..934,575) is replaced
    with pytest.raises(SourceError, match="no stored block"):
        rpc_sync(conn, rpc.url, cookie_file)
    assert dump(conn) == before


# --- junk and faults ------------------------------------------------------------------


@pytest.mark.parametrize("broken", [933_100, 933_400])  # first block of a batch / inside it
def test_broken_linkage_stores_nothing(
    broken: int, chain: Chain, rpc: Running, cookie_file: Path
) -> None:
    conn = storage.connect(":memory:")
    rpc_sync(conn, rpc.url, cookie_file, from_height=SUB, to_height=933_099)
    before = dump(conn)
    rpc.faults.broken_link_height = broken
    with pytest.raises(SourceBadResponse, match="previous block"):
        rpc_sync(conn, rpc.url, cookie_file)
    assert dump(conn) == before


def test_transient_faults_are_retried(chain: Chain, rpc: Running, cookie_file: Path) -> None:
    conn = storage.connect(":memory:")
    f = rpc.faults
    f.rate_limit, f.retry_after, f.server_error, f.malformed = 1, "0", 2, 2
    f.slow, f.slow_s = 1, 1.0
    with rpc_client_for(rpc.url, cookie_file, timeout_s=0.3, batch_size=200) as c:
        c.policy = RetryPolicy(attempts=8, base_delay_s=0.01)
        sync_blocks(conn, c, from_height=SUB, batch_blocks=200)
    assert (f.rate_limit, f.server_error, f.malformed, f.slow) == (0, 0, 0, 0)
    assert dump(conn) == clean_copy(chain, cookie_file, from_height=SUB)


def test_persistent_junk_leaves_the_db_as_it_was(rpc: Running, cookie_file: Path) -> None:
    conn = storage.connect(":memory:")
    rpc_sync(conn, rpc.url, cookie_file, from_height=SUB, to_height=933_099)
    before = dump(conn)
    rpc.faults.malformed = 1_000
    with pytest.raises(SourceError):
        rpc_sync(conn, rpc.url, cookie_file)
    assert dump(conn) == before


def _rec(height: int, h: str, prev: str, cw: int | None, bits: int = 0x1701FCA1) -> BlockRecord:
    return BlockRecord(height, h, 1, bits=bits, prev_hash=prev, subsidy_sat=312_500_000,
                       chainwork_hex=None if cw is None else f"{cw:064x}")  # fmt: skip


def test_link_records_checks_and_fills_chainwork() -> None:
    a, b, c = "a" * 64, "b" * 64, "c" * 64
    below = _rec(933_999, a, "0" * 64, 1000)
    # work of bits 0x1701fca1: target = 0x1fca1 * 256**(0x17 - 3) = 130,209 * 2**160, so
    # 2**256 // (target + 1) = 2**96 // 130,209 (remainder 63,355: the +1 cannot change
    # the floor) = 79,228,162,514,264,337,593,543,950,336 // 130,209
    w = 608_469_172_747_385_646_103_909
    out = link_records([_rec(934_000, b, a, None), _rec(934_001, c, b, None)], below)
    assert [int(r.chainwork_hex or "0", 16) for r in out] == [1000 + w, 1000 + 2 * w]
    with pytest.raises(SourceBadResponse, match="chainwork"):
        link_records([_rec(934_000, b, a, 999)], below)  # does not grow
    # grows, but not by exactly the block's work: kept as the source says (logged)
    kept = link_records([_rec(934_000, b, a, 1000 + w - 1)], below)
    assert int(kept[0].chainwork_hex or "0", 16) == 1000 + w - 1
    with pytest.raises(SourceBadResponse, match="previous block"):
        link_records([_rec(934_000, b, a, None), _rec(934_001, c, a, None)], below)
    with pytest.raises(SourceBadResponse, match="subsidy"):
        link_records([BlockRecord(934_000, b, 1, subsidy_sat=625_000_000)], None)


# --- esplora --------------------------------------------------------------------------


def test_esplora_sync_matches_rpc_and_derives_chainwork(
    chain: Chain, rpc: Running, esplora: Running, cookie_file: Path
) -> None:
    by_rpc = storage.connect(":memory:")
    rpc_sync(by_rpc, rpc.url, cookie_file, from_height=SUB)
    by_esplora = storage.connect(":memory:")
    rpc_sync(by_esplora, rpc.url, cookie_file, from_height=SUB, to_height=933_999)
    with EsploraClient(esplora.url + "/api", policy=FAST_RETRY) as c:
        s = sync_blocks(by_esplora, c)
    assert s.blocks_fetched == 576 and s.epochs_filled == 0  # the RPC sync filled them
    assert dump(by_esplora)["blocks"] == dump(by_rpc)["blocks"]  # chainwork derived exactly


def test_esplora_reorg_and_rate_limit(chain: Chain, esplora: Running) -> None:
    conn = storage.connect(":memory:")
    with EsploraClient(esplora.url + "/api", policy=FAST_RETRY) as c:
        sync_blocks(conn, c, from_height=934_000, fill_epochs=False)
        chain.reorg(6)
        esplora.faults.rate_limit, esplora.faults.retry_after = 3, "0"
        s = sync_blocks(conn, c, fill_epochs=False)
    assert s.reorgs == [Reorg(934_570, 6, LAST, LAST)]
    assert storage.block_hashes(conn, LAST, LAST)[LAST] == chain.at(LAST).hash  # type: ignore[union-attr]


# --- Coin Metrics ---------------------------------------------------------------------

NOW_S = 1_779_624_000  # 2026-05-24T12:00:00Z: the last complete day is 2026-05-23


def test_coinmetrics_sync_fills_daily_and_prices(coinmetrics: Running) -> None:
    conn = storage.connect(":memory:")
    with CoinMetricsClient(coinmetrics.url + "/v4", page_size=1000, policy=FAST_RETRY) as c:
        s = sync_coinmetrics(conn, c, now_s=NOW_S)
        assert (s.from_date, s.to_date, s.pages) == ("2009-01-03", "2026-05-23", 7)
        # 2009-01-03 .. 2026-05-23 = 6,350 days; prices from 2010-07-18: 5,789 days
        assert storage.table_counts(conn)["daily"] == 6_350
        assert storage.table_counts(conn)["prices"] == 5_789
        row = conn.execute("SELECT * FROM daily WHERE date = '2025-06-07'").fetchone()
        # the file's row: 143 blocks, 446.875 BTC issued, 3.27860352 BTC fees, 105685.2504 USD
        assert row == ("2025-06-07", 143, 1.269822851e14, 44_687_500_000, 327_860_352,
                       105685.2504, "coinmetrics")  # fmt: skip
        p = storage.latest_price(conn, 1_749_340_800)  # 2025-06-08T00:00:00Z
        assert p is not None and (p.time_s, p.price_usd) == (1_749_340_800, 105685.2504)
        before = dump(conn)
        again = sync_coinmetrics(conn, c, now_s=NOW_S)
    # the re-run fetches the last stored day minus 7 days onward and changes nothing
    assert (again.from_date, again.days_fetched, again.daily_unchanged) == ("2026-05-16", 8, 8)
    assert dump(conn) == before


def test_sync_state_for_status(rpc: Running, cookie_file: Path) -> None:
    conn = storage.connect(":memory:")
    assert sync_state(conn) == {
        "blocks_lowest_height": None, "blocks_tip_height": None, "blocks_tip_hash": None,
        "blocks_tip_time_s": None, "daily_last_date": None,
    }  # fmt: skip
    rpc_sync(conn, rpc.url, cookie_file, from_height=934_500)
    # the last row of the getblockstats file: 934,575, time 2026-02-01T08:40:17Z
    assert sync_state(conn)["blocks_tip_height"] == 934_575
    assert sync_state(conn)["blocks_tip_time_s"] == 1_769_935_217
    assert sync_state(conn)["blocks_lowest_height"] == 934_500


@pytest.mark.parametrize("ahead", [False, True])
def test_reorg_between_batches_is_repaired(
    ahead: bool, chain: Chain, rpc: Running, cookie_file: Path
) -> None:
    conn = storage.connect(":memory:")
    happened: list[int] = []

    def reorg_once(done: int, total: int, height: int) -> None:
        if not happened:  # stored: 933,000..933,499; the fork starts at 934,575 - 1,099
            happened.append(chain.reorg(1_100))

    with rpc_client_for(rpc.url, cookie_file) as c:
        s = sync_blocks(
            conn, c, from_height=SUB, batch_blocks=500, progress=reorg_once, fetch_ahead=ahead
        )
    assert happened == [933_476]
    if not ahead:
        # the next batch (933,500..) does not link to stored 933,499: 24 stale rows replaced
        assert s.reorgs == [Reorg(933_476, 24, 933_499, 933_499)]
    else:
        # the batch fetched ahead (933,500..933,999) may predate the reorg and link to the
        # stored chain: then it is stored, and the batch after it finds the reorg
        (r,) = s.reorgs
        assert r.fork_height == 933_476 and r.old_tip_height in (933_499, 933_999)
        assert r.depth == r.old_tip_height - 933_476 + 1
    assert dump(conn) == clean_copy(chain, cookie_file, from_height=SUB)


def test_sync_on_top_of_an_import_repairs_a_reorg(
    chain: Chain, rpc: Running, cookie_file: Path, shared_data: Path
) -> None:
    conn = storage.connect(":memory:")
    ingest.import_epochs(conn, shared_data / "difficulty_epochs_electrum.csv")
    ingest.import_blockstats(conn, shared_data / "blocks_getblockstats_909458_934575.csv")
    chain.reorg(6)
    s = rpc_sync(conn, rpc.url, cookie_file)
    assert s.reorgs == [Reorg(934_570, 6, LAST, LAST)]
    assert storage.block_hashes(conn, LAST, LAST)[LAST] == chain.at(LAST).hash  # type: ignore[union-attr]
    # the imported rows below the fork are untouched (no prev hash, no chainwork)
    assert storage.block_row(conn, 934_569).prev_hash is None  # type: ignore[union-attr]


# --- the reorg repair is one transaction (mutation: writes outside it) ----------------


@pytest.mark.parametrize("fail_after", ["delete_blocks_from", "upsert_blocks", "upsert_epochs"])
def test_a_failure_inside_the_reorg_repair_changes_no_byte(
    fail_after: str,
    chain: Chain,
    rpc: Running,
    cookie_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = tmp_path / "repair.sqlite"
    conn = storage.connect(db)
    rpc_sync(conn, rpc.url, cookie_file)  # 931,392..934,575: epochs 462 and 463
    fork = chain.reorg(1_200)  # 933,376: the repair deletes, writes blocks, rewrites epochs
    assert fork == 933_376
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before_rows, before_bytes = list(conn.iterdump()), db.read_bytes()
    real = getattr(storage, fail_after)
    writes: list[str] = []

    def write_then_fail(*args: object, **kw: object) -> object:
        real(*args, **kw)
        writes.append(fail_after)
        raise RuntimeError(f"injected failure after {fail_after}")

    monkeypatch.setattr(storage, fail_after, write_then_fail)
    with pytest.raises(RuntimeError, match="injected failure"):
        rpc_sync(conn, rpc.url, cookie_file)
    monkeypatch.undo()
    assert writes == [fail_after]  # the failure came after a real write of the repair
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert list(conn.iterdump()) == before_rows
    assert db.read_bytes() == before_bytes
    conn.close()


# --- deadlines and a clean stop ---------------------------------------------------------


def test_the_sync_deadline_ends_it_with_whole_batches_only(
    chain: Chain, rpc: Running, cookie_file: Path
) -> None:
    conn = storage.connect(":memory:")
    rpc.faults.slow, rpc.faults.slow_s = 1_000, 0.15  # every request takes 0.15 s
    deadline = time.monotonic() + 1.2
    with rpc_client_for(rpc.url, cookie_file, timeout_s=5.0) as c:
        c.policy = replace(c.policy, deadline_at=deadline)
        with pytest.raises(SourceTimeout, match="deadline"):
            sync_blocks(conn, c, from_height=SUB, batch_blocks=100, deadline_at=deadline)
    assert time.monotonic() - deadline < 1.0  # cut off at the deadline, not after the sync
    stored = dump(conn)["blocks"]
    # whole batches of 100 from 933,000 up, equal to a clean sync's rows
    assert stored and len(stored) % 100 == 0 and stored[0][0] == SUB
    rpc.faults.slow = 0
    clean = clean_copy(chain, cookie_file, from_height=SUB)["blocks"]
    assert stored == clean[: len(stored)]


def test_should_stop_ends_cleanly_after_the_batch_being_written(
    rpc: Running, cookie_file: Path
) -> None:
    conn = storage.connect(":memory:")
    batches: list[int] = []
    with rpc_client_for(rpc.url, cookie_file) as c:
        s = sync_blocks(
            conn,
            c,
            from_height=SUB,
            batch_blocks=200,
            progress=lambda done, total, h: batches.append(h),
            should_stop=lambda: len(batches) >= 2,
        )
    assert s.stopped and s.epochs_filled == 0
    assert storage.max_block_height(conn) == SUB + 399 == batches[-1]  # 2 batches of 200


def test_epochs_are_filled_from_headers_once(rpc: Running, cookie_file: Path) -> None:
    conn = storage.connect(":memory:")
    s1 = rpc_sync(conn, rpc.url, cookie_file, from_height=934_000)
    # 934,000 is inside epoch 463 (933,408..935,423): no epoch's first block was synced,
    # so all of 0..463 come from one header each
    assert s1.epochs_filled == 464  # type: ignore[attr-defined]
    assert storage.table_counts(conn)["epochs"] == 464
    before = rpc.faults.requests
    s2 = rpc_sync(conn, rpc.url, cookie_file)
    assert s2.epochs_filled == 0  # type: ignore[attr-defined]
    assert rpc.faults.requests - before == 2  # getblockcount, the tip's getblockhash


def test_junk_epoch_bits_store_nothing(chain: Chain, rpc: Running, cookie_file: Path) -> None:
    # A source whose header at 2016 claims difficulty x16: no retarget permits it.
    b = chain.sparse[2016]
    chain.sparse[2016] = replace(b, bits=0x1C0FFFF0)
    chain.sparse_by_hash[b.hash] = chain.sparse[2016]
    conn = storage.connect(":memory:")
    with pytest.raises(SourceBadResponse, match="epoch 1's bits 1c0ffff0 cannot follow"):
        rpc_sync(conn, rpc.url, cookie_file, from_height=934_500)
    assert storage.table_counts(conn)["epochs"] == 0


def test_esplora_fills_the_missing_epochs(esplora: Running, shared_data: Path) -> None:
    conn = storage.connect(":memory:")
    ingest.import_epochs(conn, shared_data / "difficulty_epochs_electrum.csv")
    conn.execute("DELETE FROM epochs WHERE epoch >= 459")  # a file that stops at 458
    with EsploraClient(esplora.url + "/api", policy=FAST_RETRY) as c:
        before = esplora.faults.requests
        s = sync_blocks(conn, c, from_height=934_500)
    # the tip, 6 /v1/blocks pages of 15 (76 blocks), then /block-height and /block for
    # each of 459..463 (10 requests)
    assert s.epochs_filled == 5 and esplora.faults.requests - before == 1 + 6 + 10
    epochs = storage.load_epochs(conn)
    electrum = pd.read_csv(shared_data / "difficulty_epochs_electrum.csv", index_col="epoch")
    assert (epochs["bits"] == electrum.loc[:463, "bits_int"]).all()
    assert epochs.loc[458, "end_hash"] == electrum.loc[458, "end_block_hash"]  # from 459's header


def test_a_server_limiting_one_request_in_seven_is_synced_to_the_end(
    chain: Chain, rpc: Running, cookie_file: Path
) -> None:
    # Plain esplora (two requests a block, four at a time); every 7th request answers
    # 429 "Retry-After: 0". The waits are jittered, the concurrency backs off, and a 429
    # does not use up the retries meant for failures: the sync finishes, every time.
    by_rpc = storage.connect(":memory:")
    rpc_sync(by_rpc, rpc.url, cookie_file, from_height=934_300, fill_epochs=False)
    with esplora_server(chain, mempool=False) as srv:
        srv.faults.rate_limit_every, srv.faults.retry_after = 7, "0"
        conn = storage.connect(":memory:")
        policy = RetryPolicy(attempts=2, base_delay_s=0.005, max_delay_s=0.5)
        with EsploraClient(srv.url + "/api", concurrency=4, policy=policy) as c:
            s = sync_blocks(conn, c, from_height=934_300, fill_epochs=False)
            lowest = c.limiter.lowest
        limited = srv.faults.rate_limited
    assert s.blocks_fetched == 276 and limited >= 70  # 553 requests and more: 1 in 7
    assert lowest < 4  # the workers slowed down together
    # plain esplora has no fees: compare what it serves (hash, links, times, bits, sizes)
    cols = "height, hash, prev_hash, time_s, median_time_s, bits, tx_count, size_bytes"
    q = f"SELECT {cols} FROM blocks ORDER BY height"
    assert conn.execute(q).fetchall() == by_rpc.execute(q).fetchall()


def test_the_deadline_is_checked_between_batches_too(rpc: Running, cookie_file: Path) -> None:
    # The client has no deadline of its own here: only sync_blocks' check can stop it.
    conn = storage.connect(":memory:")
    deadline = time.monotonic() + 0.5
    with (
        rpc_client_for(rpc.url, cookie_file) as c,
        pytest.raises(SourceTimeout, match="blocks up to 933199 are stored"),
    ):
        sync_blocks(conn, c, from_height=SUB, batch_blocks=100, deadline_at=deadline,
                    progress=lambda done, total, h: time.sleep(0.3))  # fmt: skip
    assert storage.max_block_height(conn) == 933_199  # 2 batches: 0.6 s > 0.5 s


def _vm_steps_of_one_batch(n_stored: int) -> int:
    """SQLite VM instructions (in hundreds) to write 1,000 blocks after ``n_stored``."""
    from minerscope.ingest.sync import _write
    from minerscope.records import EpochRecord

    conn = storage.connect(":memory:")

    def blocks(lo: int, hi: int) -> list[BlockRecord]:
        return [
            BlockRecord(h, f"{h * 7919 % 10**12:064x}", 1_231_006_505 + 600 * h,
                        bits=0x1D00FFFF, subsidy_sat=5_000_000_000)
            for h in range(lo, hi)
        ]  # fmt: skip

    with storage.transaction(conn):
        storage.upsert_blocks(conn, blocks(0, n_stored))
        storage.upsert_epochs(conn, [EpochRecord(e, e * 2016, 0x1D00FFFF)
                                     for e in range(n_stored // 2016)])  # fmt: skip
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    conn.set_progress_handler(count, 100)
    with storage.transaction(conn):  # starts an epoch: blocks and the epoch row written
        _write(conn, blocks(n_stored, n_stored + 1_000))
    conn.close()
    return steps[0]


def test_a_batch_costs_the_same_on_a_table_15_times_larger() -> None:
    # Not a timing: the work SQLite does. A statement over the whole table (the old
    # bits check and fill in upsert_epochs) makes it grow with the table, 15x here.
    small, big = _vm_steps_of_one_batch(2 * 2016), _vm_steps_of_one_batch(30 * 2016)
    assert big < 1.5 * small, (small, big)
