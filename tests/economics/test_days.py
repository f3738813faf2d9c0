"""Per-day inputs and trailing windows on numpy: hand-derived cases and pandas as a check."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minerscope.consensus import supply_sat_at
from minerscope.economics._rolling import (
    forward_fill,
    rolling_mean,
    rolling_percentile_rank,
    rolling_sum,
)
from minerscope.economics.days import (
    BlockDays,
    complete_block_days,
    daily_closes,
    merge_days,
    supply_sat_at_heights,
)

DAY = 86_400
D0 = 19_676  # 2023-11-14 as a day number (1_700_000_000 // 86_400)

values = st.lists(
    st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)),
    min_size=0,
    max_size=60,
)


@given(values, st.integers(min_value=1, max_value=9), st.integers(min_value=1, max_value=9))
def test_windows_agree_with_pandas(raw: list[float | None], window: int, min_valid: int) -> None:
    # pandas' rolling(...) is an independent implementation of the same definitions.
    x = np.array([np.nan if v is None else v for v in raw], dtype=np.float64)
    s = pd.Series(x, dtype="float64")
    np.testing.assert_allclose(
        rolling_mean(x, window), s.rolling(window, min_periods=window).mean(), rtol=1e-9, atol=1e-6
    )
    np.testing.assert_allclose(
        rolling_sum(x, window), s.rolling(window).sum(), rtol=1e-9, atol=1e-6
    )
    m = min(min_valid, window)
    np.testing.assert_allclose(
        rolling_percentile_rank(x, window, m),
        100 * s.rolling(window, min_periods=m).rank(method="max", pct=True),
        rtol=1e-12,
    )
    np.testing.assert_array_equal(forward_fill(x), s.ffill().to_numpy())


def test_percentile_rank_hand_derived() -> None:
    # Window 4, at least 2 values: day 3 (0.5) is the lowest of {1, 3, 0.5}: 1/3.
    x = np.array([1.0, np.nan, 3.0, 0.5, np.nan, 2.5])
    got = rolling_percentile_rank(x, 4, 2)
    assert math.isnan(got[0]) and math.isnan(got[1]) and math.isnan(got[4])
    assert got[2] == 100.0 and got[3] == pytest.approx(100 / 3) and got[5] == pytest.approx(200 / 3)


def test_supply_on_arrays_is_the_consensus_supply() -> None:
    heights = np.array([-1, 0, 1, 209_999, 210_000, 934_575, 6_929_999, 6_930_000, 13_440_000])
    assert supply_sat_at_heights(heights).tolist() == [
        float(supply_sat_at(int(h))) for h in heights
    ]
    # 210,000 blocks of 50 BTC, then 934,575 - 839,999 = 94,576 blocks of 3.125 BTC:
    # 10.5 M + 5.25 M + 2.625 M + 1.3125 M + 94,576 * 3.125 = 19,983,050 BTC.
    assert supply_sat_at_heights([934_575])[0] == 19_983_050 * 10**8


def _groups(rows: list[tuple[int, int, int, int, int, int, int, int, float]]) -> dict[str, list]:
    keys = ("day", "epoch", "blocks", "min_height", "max_height", "fees_sat", "fee_blocks",
            "subsidy_sat", "difficulty")  # fmt: skip
    return {k: [r[i] for r in rows] for i, k in enumerate(keys)}


def test_complete_block_days() -> None:
    # Heights 1000..1449 over days D0..D0+3 (a retarget at 1008 inside day D0+1), then a gap,
    # then 2000..2299 over D0+5..D0+7. Whole days: D0+1 and D0+2 (the run's first and last day
    # may miss blocks) and D0+6.
    g = _groups([
        (D0, 0, 100, 1000, 1099, 1000, 100, 100 * 625, 2.0),
        (D0 + 1, 0, 8, 1100, 1107, 80, 8, 8 * 625, 2.0),
        (D0 + 1, 1, 142, 1108, 1249, 1420, 142, 142 * 625, 3.0),  # 1008 * ... epoch boundary
        (D0 + 2, 1, 150, 1250, 1399, 0, 149, 150 * 625, 3.0),  # one block's fees unknown
        (D0 + 3, 1, 50, 1400, 1449, 500, 50, 50 * 625, 3.0),
        (D0 + 5, 1, 100, 2000, 2099, 1000, 100, 100 * 625, 3.0),
        (D0 + 6, 1, 144, 2100, 2243, 1440, 144, 144 * 625, np.nan),  # bits unknown
        (D0 + 7, 1, 56, 2244, 2299, 560, 56, 56 * 625, 3.0),
    ])  # fmt: skip
    d = complete_block_days(**g, runs=[(1000, 1449), (2000, 2299)])
    assert d.day.tolist() == [D0 + 1, D0 + 2, D0 + 6]
    assert d.blocks.tolist() == [150.0, 150.0, 144.0]
    # (8 * 2 + 142 * 3) / 150 = 2.9466...: the block-weighted mean over the day.
    assert d.difficulty[0] == pytest.approx(442 / 150)
    assert d.difficulty[1] == 3.0 and math.isnan(d.difficulty[2])
    assert d.fees_sat[0] == 1500.0 and math.isnan(d.fees_sat[1])
    assert d.issuance_sat.tolist() == [150 * 625, 150 * 625, 144 * 625]
    assert d.last_height.tolist() == [1249.0, 1399.0, 2243.0]
    # A group that crosses a gap in the heights makes its day incomplete.
    g2 = _groups([
        (D0, 0, 10, 0, 9, 0, 10, 0, 1.0),
        (D0 + 1, 0, 10, 10, 30, 0, 10, 0, 1.0),
        (D0 + 2, 0, 10, 31, 40, 0, 10, 0, 1.0),
    ])  # fmt: skip
    assert complete_block_days(**g2, runs=[(0, 19), (25, 40)]).day.size == 0
    assert complete_block_days(**g2, runs=[(0, 40)]).day.tolist() == [D0 + 1]


def test_daily_closes_never_carry_a_price_across_days() -> None:
    # Closes stamped at the end of their day; day D0+1 has an intraday price at 12:00 only,
    # day D0+2 none at all.
    stamps = [(D0 + 1) * DAY, (D0 + 1) * DAY + 43_200, (D0 + 4) * DAY]
    closes = daily_closes([D0, D0 + 1, D0 + 2, D0 + 3], stamps, [10.0, 11.0, 13.0])
    assert closes[:2].tolist() == [10.0, 11.0] and math.isnan(closes[2])
    assert closes[3] == 13.0  # D0+3's close is stamped at its end, D0+4 00:00:00Z


def test_merge_days_block_days_take_precedence() -> None:
    blocks = BlockDays(
        np.array([D0 + 1]), np.array([144.0]), np.array([5.0]), np.array([450e8]),
        np.array([np.nan]), np.array([999.0]),
    )  # fmt: skip
    m = merge_days(
        daily_day=[D0, D0 + 1],
        daily_blocks=[140.0, 150.0],
        daily_difficulty=[4.0, 4.5],
        daily_issuance_sat=[437.5e8, 468.75e8],
        daily_fees_sat=[1e8, 2e8],
        daily_source=["cm", "cm"],
        block_days=blocks,
        block_supply_sat=[1.0e15],
        closes_usd=([(D0 + 1) * DAY, (D0 + 2) * DAY], [100.0, 101.0]),
    )
    assert m.day.tolist() == [D0, D0 + 1] and m.source == ["cm", "blocks"]
    assert m.blocks.tolist() == [140.0, 144.0] and m.difficulty.tolist() == [4.0, 5.0]
    assert m.issuance_sat.tolist() == [437.5e8, 450e8]
    # The block day's fees are unknown (a block lacks them): the daily row's stay.
    assert m.fees_sat.tolist() == [1e8, 2e8]
    assert math.isnan(m.supply_sat[0]) and m.supply_sat[1] == 1.0e15
    assert m.price_usd.tolist() == [100.0, 101.0]
