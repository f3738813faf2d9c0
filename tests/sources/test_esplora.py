"""esplora / mempool REST client: offline parsers, then against a real local server."""

from __future__ import annotations

from decimal import Decimal

import pytest

from minerscope.sources._http import SourceBadResponse, SourceRateLimited
from minerscope.sources.esplora import (
    EsploraClient,
    parse_block,
    parse_blocks_page,
    parse_difficulty_adjustment,
    parse_tip_height,
)
from tests.servers.base import Running
from tests.servers.chain import Chain
from tests.servers.esplora import esplora_server
from tests.servers.fixtures import FAST_RETRY

B909458 = "000000000000000000011a4b73b6215a9b89b109d1a4210363f7629ac2dece72"
B909459 = "000000000000000000017a8f0ad0b3d21218462ac97c4cae380bd16e1d947d8d"
# An esplora /block/:hash object (field names from esplora API.md) for block 909,459,
# values from the getblockstats file's second row; bits 386018483 = 0x17022cb3.
BLOCK = {
    "id": B909459,
    "height": 909459,
    "version": 536870912,
    "timestamp": 1754858528,
    "tx_count": 4118,
    "size": 1556499,
    "weight": 3991695,
    "merkle_root": "ab" * 32,
    "previousblockhash": B909458,
    "mediantime": 1754852503,
    "nonce": 0,
    "bits": 386018483,
    "difficulty": Decimal("129435235580344.8"),
}


def test_parse_esplora_block() -> None:
    r, extras = parse_block(BLOCK)
    assert extras is None
    assert (r.height, r.hash, r.prev_hash, r.time_s) == (909459, B909459, B909458, 1754858528)
    assert (r.bits, r.tx_count, r.size_bytes, r.weight_wu) == (0x17022CB3, 4118, 1556499, 3991695)
    assert r.fees_sat is None and r.chainwork_hex is None


def test_parse_mempool_extras_subsidy_is_reward_minus_fees() -> None:
    # file row 909,459: totalfee 4,846,073 sat, subsidy 312,500,000 sat -> reward 317,346,073
    r, extras = parse_block(
        {**BLOCK, "extras": {"totalFees": 4846073, "reward": 317346073,
                             "pool": {"id": 1, "name": "Foundry USA", "slug": "foundryusa"}}}
    )  # fmt: skip
    assert (r.fees_sat, r.subsidy_sat) == (4846073, 312500000)
    assert extras is not None and extras.pool_name == "Foundry USA"


def test_page_is_returned_oldest_first() -> None:
    newer = {**BLOCK, "height": 909460, "id": "00" * 32, "previousblockhash": B909459}
    assert [r.height for r in parse_blocks_page([newer, BLOCK], height=909460)] == [909459, 909460]


def test_difficulty_adjustment_ms_fields_become_seconds() -> None:
    # mempool /api/v1/difficulty-adjustment shape; 1,770,451,200,000 ms = 1,770,451,200 s
    d = parse_difficulty_adjustment(
        {"progressPercent": 50.0, "difficultyChange": -11.2, "estimatedRetargetDate": 1770451200000,
         "remainingBlocks": 1008, "remainingTime": 604800000, "previousRetarget": 1.1,
         "nextRetargetHeight": 935424, "timeAvg": 600000, "adjustedTimeAvg": 600000,
         "timeOffset": 0}
    )  # fmt: skip
    assert d.estimated_retarget_time_s == 1770451200
    assert d.remaining_time_s == 604800.0  # 7 days
    assert d.mean_block_time_s == 600.0


@pytest.mark.parametrize("text", ["", "12a", "<html>"])
def test_tip_height_junk(text: str) -> None:
    with pytest.raises(SourceBadResponse):
        parse_tip_height(text)


def test_negative_or_missing_fields_rejected() -> None:
    with pytest.raises(SourceBadResponse, match="timestamp"):
        parse_block({**BLOCK, "timestamp": None})
    with pytest.raises(SourceBadResponse, match="reward"):
        parse_block({**BLOCK, "extras": {"totalFees": 10, "reward": 5}})


# --- against the local mempool/esplora-like server ------------------------------------


def test_mempool_blocks_with_fees(esplora: Running) -> None:
    with EsploraClient(esplora.url + "/api", policy=FAST_RETRY) as c:
        assert c.tip_height() == 934575
        assert c.block_hashes([909458]) == {909458: B909458}
        blocks = c.blocks(909458, 909500)
    assert [b.height for b in blocks] == list(range(909458, 909501))
    assert (blocks[0].fees_sat, blocks[0].subsidy_sat) == (2683760, 312500000)
    assert blocks[1].prev_hash == B909458


def test_plain_esplora_fallback(chain: Chain) -> None:
    with esplora_server(chain, mempool=False) as srv, EsploraClient(srv.url + "/api") as c:
        blocks = c.blocks(909458, 909470)
    assert [b.hash for b in blocks[:2]] == [B909458, B909459]
    assert blocks[0].fees_sat is None  # plain esplora has no fees


def test_rate_limit_waits_for_retry_after(esplora: Running) -> None:
    esplora.faults.rate_limit = 2
    esplora.faults.retry_after = "0"
    with EsploraClient(esplora.url + "/api", policy=FAST_RETRY) as c:
        assert c.tip_height() == 934575
        esplora.faults.rate_limit = 100
        before = esplora.faults.requests
        with pytest.raises(SourceRateLimited, match="429"):
            c.tip_height()
        # 429 has its own budget: rate_limit_attempts answers, then the error
        assert esplora.faults.requests - before == FAST_RETRY.rate_limit_attempts


def test_concurrency_is_bounded(esplora: Running) -> None:
    with EsploraClient(esplora.url + "/api", concurrency=3) as c:
        assert c.concurrency == 3
        c.block_hashes(list(range(909458, 909558)))
    assert esplora.server.max_inflight <= 3  # type: ignore[attr-defined]


def test_junk_text_is_retried_then_reported(esplora: Running) -> None:
    esplora.faults.malformed = 1
    with EsploraClient(esplora.url + "/api", policy=FAST_RETRY) as c:
        assert c.tip_height() == 934575
        esplora.faults.malformed = 100
        with pytest.raises(SourceBadResponse, match="not a height"):
            c.tip_height()
