"""Real headers, the subsidy schedule and block work."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minerscope.consensus import (
    MAINNET,
    block_subsidy_sat,
    block_work,
    check_proof_of_work,
    halving_height,
    hashrate_hps_from_chainwork,
    max_supply_sat,
    next_halving_height,
    parse_header,
    serialize_header,
    supply_sat_at,
    work_from_target,
)
from minerscope.consensus.header import HeaderError
from tests.conftest import require_shared


def test_every_reference_header_hashes_and_meets_its_target() -> None:
    data = json.loads((require_shared() / "block_headers.json").read_text())
    headers = data["headers"]
    assert len(headers) == 7
    for h in headers:
        parsed = parse_header(h["header_hex"])
        assert parsed.hash == h["hash"], h["height"]
        assert parsed.prev_hash == h["prev_hash"]
        assert parsed.merkle_root == h["merkle_root"]
        assert parsed.time_s == h["time"]
        assert f"{parsed.bits:08x}" == h["bits"]
        assert parsed.nonce == h["nonce"]
        assert parsed.version == h["version"]
        assert check_proof_of_work(parsed.hash, parsed.bits)
        assert serialize_header(parsed).hex() == h["header_hex"]


def test_a_tampered_header_fails_proof_of_work() -> None:
    data = json.loads((require_shared() / "block_headers.json").read_text())
    raw = bytearray(bytes.fromhex(data["headers"][-1]["header_hex"]))
    raw[-1] ^= 0x01  # change the nonce
    tampered = parse_header(bytes(raw))
    assert not check_proof_of_work(tampered.hash, tampered.bits)
    # A target above the pow limit is never valid, whatever the hash.
    assert not check_proof_of_work("00" * 32, 0x1E00FFFF)


def test_header_must_be_80_bytes() -> None:
    with pytest.raises(HeaderError):
        parse_header(b"\x00" * 79)
    with pytest.raises(HeaderError):
        parse_header("zz" * 80)


def test_subsidy_schedule() -> None:
    assert block_subsidy_sat(0) == 5_000_000_000
    assert block_subsidy_sat(209_999) == 5_000_000_000
    assert block_subsidy_sat(210_000) == 2_500_000_000
    assert block_subsidy_sat(840_000) == 312_500_000
    assert block_subsidy_sat(1_050_000) == 156_250_000
    assert block_subsidy_sat(64 * 210_000) == 0
    assert block_subsidy_sat(33 * 210_000) == 0  # 5e9 >> 33 == 0: subsidy ends at era 33
    assert halving_height(4) == 840_000
    assert next_halving_height(934_575) == 1_050_000
    assert next_halving_height(840_000) == 1_050_000


def test_supply_sums_to_20_999_999_9769_btc() -> None:
    assert max_supply_sat() == 2_099_999_997_690_000
    # Brute force over the eras for a second opinion.
    total = sum(210_000 * (5_000_000_000 >> era) for era in range(64))
    assert total == 2_099_999_997_690_000
    assert supply_sat_at(-1) == 0
    assert supply_sat_at(0) == 5_000_000_000
    assert supply_sat_at(209_999) == 210_000 * 5_000_000_000
    # 19,999,... : after block 934,575 (four full eras + 94,576 blocks at 3.125 BTC).
    assert supply_sat_at(934_575) == (
        210_000 * (5_000_000_000 + 2_500_000_000 + 1_250_000_000 + 625_000_000)
        + 94_576 * 312_500_000
    )


def test_block_work() -> None:
    assert block_work(0x1D00FFFF) == 0x1_0001_0001  # genesis chainwork in getblockheader
    assert block_work(0x04923456) == 0  # negative target: no work, as in Core
    # Difficulty-1 work is 2**48/65535 hashes per unit difficulty (RESEARCH.md 3.1):
    # W = 2**256 // (0x1fca1 * 2**160 + 1) for bits 1701fca1.
    assert block_work(0x1701FCA1) == 2**256 // (0x1FCA1 * 2**160 + 1)
    assert hashrate_hps_from_chainwork(0, 600, 0, 0) == 0.0
    assert hashrate_hps_from_chainwork(0, 600, 0, 60) == 10.0


@given(
    st.integers(min_value=1, max_value=MAINNET.pow_limit),
    st.integers(min_value=1, max_value=MAINNET.pow_limit),
)
def test_work_is_monotone_in_target(a: int, b: int) -> None:
    lo, hi = sorted((a, b))
    assert work_from_target(lo) >= work_from_target(hi)
