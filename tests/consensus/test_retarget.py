"""The retarget rule against Core's vectors and every real retarget in the reference data."""

from __future__ import annotations

import csv
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from minerscope.consensus import (
    MAINNET,
    REGTEST,
    TESTNET,
    bits_from_target,
    difficulty_change_share,
    is_permitted_transition,
    next_bits,
    target_from_bits,
)
from tests.conftest import require_shared


def test_core_pow_test_vectors() -> None:
    data = json.loads((require_shared() / "bitcoin_core_pow_test_vectors.json").read_text())
    cases = data["retarget_cases"]
    assert len(cases) == 4
    for case in cases:
        got = next_bits(
            int(case["pindexLast_bits"], 16), case["last_retarget_time"], case["pindexLast_time"]
        )
        assert got == int(case["expected_next_bits"], 16), case["name"]


# Also hard-coded, as STYLE.md quotes them from Bitcoin Core src/test/pow_tests.cpp.
@pytest.mark.parametrize(
    ("prev_bits", "first_time_s", "last_time_s", "expected"),
    [
        (0x1D00FFFF, 1261130161, 1262152739, 0x1D00D86A),  # blocks 30240..32255
        (0x1D00FFFF, 1231006505, 1233061996, 0x1D00FFFF),  # capped at pow limit
        (0x1C05A3F4, 1279008237, 1279297671, 0x1C0168FD),  # span clamped to T/4
        (0x1C387F6F, 1263163443, 1269211443, 0x1D00E1FD),  # span clamped to 4T
    ],
)
def test_next_bits_matches_core(
    prev_bits: int, first_time_s: int, last_time_s: int, expected: int
) -> None:
    assert next_bits(prev_bits, first_time_s, last_time_s) == expected


def test_every_real_retarget_is_reproduced() -> None:
    path = require_shared() / "difficulty_adjustments_real_911232_933407.csv"
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 11
    for row in rows:
        got = next_bits(
            int(row["bits_hex"], 16), int(row["first_block_time"]), int(row["last_block_time"])
        )
        assert f"{got:08x}" == row["next_bits_hex_actual"], row["epoch"]
        change = difficulty_change_share(int(row["bits_hex"], 16), got) * 100
        assert change == pytest.approx(float(row["difficulty_change_pct"]), abs=5e-4)


def test_every_electrum_epoch_is_a_permitted_transition() -> None:
    path = require_shared() / "difficulty_epochs_electrum.csv"
    with path.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 474
    for prev, cur in zip(rows, rows[1:], strict=False):
        height = int(cur["start_height"])
        old, new = int(prev["bits_hex"], 16), int(cur["bits_hex"], 16)
        assert is_permitted_transition(height, old, new), cur["epoch"]
        # Inside an epoch the bits may not change at all.
        assert is_permitted_transition(height + 1, new, new)
        assert not is_permitted_transition(height + 1, old, new) or old == new


def test_transition_bounds() -> None:
    old = 0x1701FCA1
    t = target_from_bits(old)
    four_x = bits_from_target(t * 4)
    assert is_permitted_transition(2016 * 464, old, four_x)
    assert not is_permitted_transition(2016 * 464, old, bits_from_target(t * 5))
    assert is_permitted_transition(2016 * 464, old, bits_from_target(t // 4))
    assert not is_permitted_transition(2016 * 464, old, bits_from_target(t // 5))
    assert not is_permitted_transition(2016 * 464 + 7, old, four_x)
    assert is_permitted_transition(7, old, four_x, params=TESTNET)


def test_regtest_never_retargets() -> None:
    assert next_bits(0x207FFFFF, 0, 10, params=REGTEST) == 0x207FFFFF


@given(
    st.integers(min_value=0x17000001, max_value=0x1D00FFFF).filter(lambda b: b & 0x00800000 == 0),
    st.integers(min_value=0, max_value=20 * 1_209_600),
)
def test_retarget_is_clamped_to_a_factor_of_four(bits: int, span_s: int) -> None:
    t = target_from_bits(bits)
    if t == 0:
        return
    new = target_from_bits(next_bits(bits, 1_000_000, 1_000_000 + span_s))
    assert new <= min(t * 4, MAINNET.pow_limit)
    assert new <= MAINNET.pow_limit
    assert new >= target_from_bits(bits_from_target(t // 4)) - 1 or new == MAINNET.pow_limit
    assert is_permitted_transition(2016, bits, bits_from_target(new))
