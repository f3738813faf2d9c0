"""Bitcoin Core JSON-RPC client: offline parsers, then against a real local server."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from minerscope.errors import SourceError
from minerscope.sources._http import (
    RetryPolicy,
    SourceBadResponse,
    SourceTimeout,
    SourceUnreachable,
)
from minerscope.sources.bitcoind import (
    BitcoindClient,
    RPCAuthError,
    RPCCredentials,
    RPCError,
    RPCInvalidParameter,
    RPCInWarmup,
    RPCMethodNotFound,
    RPCNotFound,
    merge_block,
    parse_batch_reply,
    parse_blockstats,
    parse_header,
    parse_rpc_reply,
)
from tests.servers.base import Running
from tests.servers.fixtures import FAST_RETRY, RPC_PASSWORD

# A getblockheader reply shaped like Core's for block 933,968: hash, previous hash, time,
# median time and bits from ../shared/data (block_headers.json, the getblockstats file);
# merkleroot, nonce and chainwork are placeholders.
H933968 = "00000000000000000000b1a3614f5b43589011f52dcf2c67c9e66554823ed233"
HEADER = {
    "hash": H933968,
    "confirmations": 1,
    "height": 933968,
    "version": 536870912,
    "versionHex": "20000000",
    "merkleroot": "ab" * 32,
    "time": 1769514906,
    "mediantime": 1769511988,
    "nonce": 1,
    "bits": "1701fca1",
    "difficulty": Decimal("141668107417558.2"),
    "chainwork": "0" * 39 + "10b7f6d6f1c8a6c0e0c0a0b0c",
    "nTx": 4000,
    "previousblockhash": "00000000000000000001b68c66facac15a678aa3a45ec78ad2b6caa46f37ffd2",
}

# The first row of blocks_getblockstats_909458_934575.csv.
B909458 = "000000000000000000011a4b73b6215a9b89b109d1a4210363f7629ac2dece72"
B909459 = "000000000000000000017a8f0ad0b3d21218462ac97c4cae380bd16e1d947d8d"


def test_parse_header_fields() -> None:
    h = parse_header(HEADER)
    assert h.height == 933968
    assert h.bits == 0x1701FCA1
    assert h.time_s == 1769514906
    assert h.prev_hash == "00000000000000000001b68c66facac15a678aa3a45ec78ad2b6caa46f37ffd2"
    assert h.median_time_s == 1769511988
    assert int(h.chainwork_hex, 16) == 0x10B7F6D6F1C8A6C0E0C0A0B0C


@pytest.mark.parametrize(
    ("field", "value"),
    [("bits", "1701fca"), ("chainwork", "xyz"), ("height", Decimal("1.5")), ("hash", "00")],
)
def test_parse_header_rejects_junk(field: str, value: object) -> None:
    with pytest.raises(SourceBadResponse, match=field):
        parse_header({**HEADER, field: value})


def test_parse_blockstats_amounts_are_exact_sat() -> None:
    s = parse_blockstats(
        {"blockhash": B909458, "height": 909458, "time": 1754856497, "totalfee": 2683760,
         "subsidy": Decimal("312500000"), "txs": 3490, "total_size": 1622786,
         "total_weight": 3991964, "mediantime": 1754850809}
    )  # fmt: skip
    assert (s.fees_sat, s.subsidy_sat, s.tx_count) == (2683760, 312500000, 3490)
    with pytest.raises(SourceBadResponse, match="not whole"):
        parse_blockstats({"blockhash": B909458, "height": 1, "time": 1, "totalfee": Decimal("0.5")})


def test_merge_block_refuses_mismatched_halves() -> None:
    h = parse_header(HEADER)
    s = parse_blockstats({"blockhash": B909458, "height": 933968, "time": 1769514906})
    with pytest.raises(SourceBadResponse, match="different blocks"):
        merge_block(h, s)


@pytest.mark.parametrize(
    ("code", "cls"),
    [(-28, RPCInWarmup), (-8, RPCInvalidParameter), (-5, RPCNotFound),
     (-32601, RPCMethodNotFound), (-1, RPCError)],
)  # fmt: skip
def test_error_codes_map_to_classes(code: int, cls: type[RPCError]) -> None:
    with pytest.raises(cls) as info:
        parse_rpc_reply(
            {"result": None, "error": {"code": code, "message": "m"}, "id": 1}, method="x"
        )
    assert type(info.value) is cls and info.value.code == code
    assert isinstance(info.value, SourceError)


def test_batch_replies_are_matched_by_id() -> None:
    replies = [{"result": "b", "error": None, "id": 8}, {"result": "a", "error": None, "id": 7}]
    assert parse_batch_reply(replies, [7, 8], ["m", "m"]) == ["a", "b"]
    with pytest.raises(SourceBadResponse, match="no reply"):
        parse_batch_reply(replies[:1], [7, 8], ["m", "m"])


def test_credentials_never_shown(tmp_path: Path) -> None:
    assert "hunter2" not in repr(RPCCredentials(user="u", password="hunter2"))


# --- against the local Bitcoin Core-like server ---------------------------------------


def test_tip_hashes_and_blocks(rpc_client: BitcoindClient) -> None:
    assert rpc_client.tip_height() == 934575  # last row of the getblockstats file
    assert rpc_client.block_hashes([909458, 909459]) == {909458: B909458, 909459: B909459}
    b0, b1 = rpc_client.blocks(909458, 909459)
    # values of the file's first row; bits 0x17022cb3 = Electrum epoch 451 (909,216..911,231)
    assert (b0.height, b0.hash, b0.time_s, b0.median_time_s) == (
        909458, B909458, 1754856497, 1754850809)  # fmt: skip
    assert (b0.tx_count, b0.size_bytes, b0.weight_wu) == (3490, 1622786, 3991964)
    assert (b0.fees_sat, b0.subsidy_sat, b0.bits) == (2683760, 312500000, 0x17022CB3)
    assert b1.prev_hash == B909458


def test_batches_are_split(rpc: Running, cookie_file: Path) -> None:
    with BitcoindClient(
        rpc.url, credentials=RPCCredentials(cookie_path=cookie_file), batch_size=100
    ) as c:
        before = rpc.faults.requests
        assert len(c.blocks(930000, 930249)) == 250
        # 250 getblockstats in 3 batches, then 250 getblockheader in 3 batches
        assert rpc.faults.requests - before == 6


def test_user_password_auth_and_rejection(rpc: Running) -> None:
    good = RPCCredentials(user="__cookie__", password=RPC_PASSWORD)
    with BitcoindClient(rpc.url, credentials=good) as c:
        assert c.tip_height() == 934575
    bad = RPCCredentials(user="__cookie__", password="wrong-password")
    with BitcoindClient(rpc.url, credentials=bad) as c, pytest.raises(RPCAuthError) as info:
        c.tip_height()
    assert "wrong-password" not in str(info.value)
    assert "HTTP 401" in str(info.value)


def test_missing_cookie_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RPCAuthError, match="cannot read the RPC cookie file"):
        BitcoindClient(
            "http://127.0.0.1:9/", credentials=RPCCredentials(cookie_path=tmp_path / "x")
        )


def test_warmup(rpc: Running, rpc_client: BitcoindClient) -> None:
    rpc.server.warmup = True  # type: ignore[attr-defined]
    with pytest.raises(RPCInWarmup, match="starting up"):
        rpc_client.tip_height()
    with pytest.raises(RPCInWarmup):
        rpc_client.block_hashes([909458])


def test_out_of_range_height(rpc_client: BitcoindClient) -> None:
    with pytest.raises(RPCInvalidParameter, match="out of range"):
        rpc_client.block_hashes([934576])


def test_unreachable_node() -> None:
    with (
        BitcoindClient(
            "http://127.0.0.1:9/", policy=RetryPolicy(attempts=2, base_delay_s=0.01)
        ) as c,
        pytest.raises(SourceUnreachable, match="cannot connect"),
    ):
        c.tip_height()


def test_transient_faults_are_retried(rpc: Running, rpc_client: BitcoindClient) -> None:
    rpc.faults.server_error = 1
    rpc.faults.malformed = 1
    rpc.faults.rate_limit = 1
    rpc.faults.retry_after = "0"
    before = rpc.faults.requests
    assert rpc_client.tip_height() == 934575
    assert rpc.faults.requests - before == 4  # 3 faults, then the answer


def test_timeout_is_retried_then_reported(rpc: Running, cookie_file: Path) -> None:
    creds = RPCCredentials(cookie_path=cookie_file)
    with BitcoindClient(rpc.url, credentials=creds, timeout_s=0.3, policy=FAST_RETRY) as c:
        rpc.faults.slow, rpc.faults.slow_s = 1, 1.0
        assert c.tip_height() == 934575
        rpc.faults.slow = 10
        with pytest.raises(SourceTimeout, match="no answer within the timeout"):
            c.tip_height()


def test_persistent_junk_is_a_source_error(rpc: Running, rpc_client: BitcoindClient) -> None:
    rpc.faults.malformed = 10
    with pytest.raises(SourceBadResponse, match="not valid JSON"):
        rpc_client.tip_height()


def test_header_without_chainwork_or_mediantime_is_tolerated() -> None:
    h = parse_header({k: v for k, v in HEADER.items() if k not in ("chainwork", "mediantime")})
    assert h.chainwork_hex is None and h.median_time_s is None
    s = parse_blockstats({"blockhash": H933968, "height": 933968, "time": 1769514906,
                          "mediantime": 1769511988})  # fmt: skip
    assert merge_block(h, s).median_time_s == 1769511988  # taken from getblockstats
