"""Compact encoding against Bitcoin Core vectors (arith_uint256_tests.cpp bignum_SetCompact)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minerscope.consensus import (
    MAINNET,
    CompactError,
    bits_from_target,
    decode_compact,
    difficulty_from_bits,
    target_from_bits,
)
from tests.conftest import require_shared


def _compact_cases() -> list[dict[str, Any]]:
    data = json.loads((require_shared() / "bitcoin_core_pow_test_vectors.json").read_text())
    cases: list[dict[str, Any]] = data["compact_cases"]
    assert len(cases) == 21
    return cases


def test_every_core_compact_vector() -> None:
    for case in _compact_cases():
        if case["compact"] is None:  # a GetCompact-only case: encode a given target
            target = int(case["target_hex"], 16)
            assert bits_from_target(target) == int(case["get_compact"], 16), case["meaning"]
            continue
        bits = int(case["compact"], 16)
        decoded = decode_compact(bits)
        assert decoded.negative is case["negative"], case["meaning"]
        assert decoded.overflow is case["overflow"], case["meaning"]
        if case["target_hex"] is not None:
            assert decoded.target == int(case["target_hex"], 16), case["meaning"]
            again = bits_from_target(decoded.target, negative=decoded.negative)
            assert again == int(case["get_compact"], 16), case["meaning"]
        if case["negative"] or case["overflow"]:
            with pytest.raises(CompactError):
                target_from_bits(bits)
        else:
            assert target_from_bits(bits) == decoded.target


def test_0x80_encodes_with_a_bigger_exponent() -> None:
    # Core: SetCompact(0x02008000) is 0x80, and GetCompact(0x80) == 0x02008000 (not 0x01800000).
    assert target_from_bits(0x02008000) == 0x80
    assert bits_from_target(0x80) == 0x02008000


def test_real_difficulties() -> None:
    # Difficulty printed by getblockheader for block 933,968 (bits 1701fca1), and the
    # first retarget of 2009 (block 32,256, bits 1d00d86a): Bitcoin Core's pow_tests / explorers.
    assert difficulty_from_bits(0x1701FCA1) == pytest.approx(141_668_107_417_558.25, rel=1e-15)
    assert difficulty_from_bits(0x1D00D86A) == pytest.approx(1.18289953, rel=1e-8)
    assert difficulty_from_bits(0x1D00FFFF) == 1.0


def test_out_of_range_inputs_raise() -> None:
    with pytest.raises(CompactError):
        decode_compact(-1)
    with pytest.raises(CompactError):
        decode_compact(1 << 32)
    with pytest.raises(CompactError):
        bits_from_target(1 << 256)
    with pytest.raises(CompactError):
        difficulty_from_bits(0x1D000000)


@given(st.integers(min_value=1, max_value=MAINNET.pow_limit))
def test_compact_roundtrip_never_raises_target(target: int) -> None:
    rounded = target_from_bits(bits_from_target(target))
    assert rounded <= target
    # The encoding keeps the top 23 mantissa bits: the loss is below 2**-15 of the target.
    assert (target - rounded) * 2**15 < target


@given(st.integers(min_value=0, max_value=(1 << 256) - 1))
def test_encoding_is_stable(target: int) -> None:
    bits = bits_from_target(target)
    assert bits_from_target(target_from_bits(bits)) == bits
