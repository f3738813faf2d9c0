"""mempool.space's difficulty-adjustment estimate, case by case from its own unit test.

Every vector and every field of ``backend/src/__tests__/api/difficulty-adjustment.test.ts``
in mempool/mempool at commit 14d8f67878e90ea6b8f473219b3d570217f4bfa2, ported as data: the
inputs of ``calcDifficultyAdjustment`` and the expected ``DifficultyAdjustment`` (mempool's
milliseconds are our seconds times 1000), and the ``calcBitsDifference`` cases.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from minerscope.analytics.epochstate import EpochState
from minerscope.analytics.mempool import (
    mempool_bits_difference_pct,
    mempool_difficulty_adjustment,
    mempool_estimate,
)


def _dt(text: str) -> int:
    """mempool's test helper: Math.floor(new Date(text).getTime() / 1000)."""
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=UTC).timestamp())


# (inputs: DATime, quarterEpochTime, now, height, previousRetarget, network, latest block
#  time), expected fields (ms fields as in mempool)
VECTORS = [
    (  # Vector 1 (normal adjustment)
        (_dt("2024-02-02T15:42:06.000Z"), _dt("2024-02-08T14:43:05.000Z"),
         _dt("2024-02-11T22:43:01.000Z"), 830027, 7.333505241141637, "mainnet", 0),
        dict(progressPercent=71.97420634920636, difficultyChange=8.512745140778843,
             estimatedRetargetDate=1708004001715, remainingBlocks=565, remainingTime=312620715,
             previousRetarget=7.333505241141637, previousTime=1706888526,
             nextRetargetHeight=830592, timeAvg=553311, adjustedTimeAvg=553311, timeOffset=0,
             expectedBlocks=1338.0916666666667),
    ),
    (  # Vector 2 (within quarter-epoch overlap)
        (_dt("2022-08-18T11:07:00.000Z"), _dt("2022-08-16T03:16:54.000Z"),
         _dt("2022-08-19T14:03:53.000Z"), 750134, 0.6280047707459726, "mainnet", 0),
        dict(progressPercent=9.027777777777777, difficultyChange=1.0420538959004633,
             estimatedRetargetDate=1662009048328, remainingBlocks=1834, remainingTime=1091215328,
             previousRetarget=0.6280047707459726, previousTime=1660820820,
             nextRetargetHeight=751968, timeAvg=533038, adjustedTimeAvg=594992, timeOffset=0,
             expectedBlocks=161.68833333333333),
    ),
    (  # Vector 3 (testnet)
        (_dt("2022-08-18T11:07:00.000Z"), _dt("2022-08-16T03:16:54.000Z"),
         _dt("2022-08-19T14:03:53.000Z"), 750134, 0.6280047707459726, "testnet",
         _dt("2022-08-19T13:52:46.000Z")),
        dict(progressPercent=9.027777777777777, difficultyChange=1.0420538959004633,
             estimatedRetargetDate=1662009048328, remainingBlocks=1834, remainingTime=1091215328,
             previousTime=1660820820, previousRetarget=0.6280047707459726,
             nextRetargetHeight=751968, timeAvg=533038, adjustedTimeAvg=594992,
             timeOffset=-667000, expectedBlocks=161.68833333333333),
    ),
    (  # Vector 4 (mainnet lock-in (epoch ending 788255))
        (_dt("2023-04-20T09:57:33.000Z"), _dt("2022-08-16T03:16:54.000Z"),
         _dt("2023-05-04T14:54:09.000Z"), 788255, 1.7220298879531821, "mainnet",
         _dt("2023-05-04T14:54:26.000Z")),
        dict(progressPercent=99.95039682539682, difficultyChange=-1.4512637555574193,
             estimatedRetargetDate=1683212658129, remainingBlocks=1, remainingTime=609129,
             previousRetarget=1.7220298879531821, previousTime=1681984653,
             nextRetargetHeight=788256, timeAvg=609129, adjustedTimeAvg=609129, timeOffset=0,
             expectedBlocks=2045.66),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("inputs", "want"), VECTORS, ids=["normal", "quarter", "testnet", "lock"])
def test_calc_difficulty_adjustment_vectors(inputs: tuple, want: dict) -> None:  # type: ignore[type-arg]
    da, quarter, now, height, prev, network, latest = inputs
    got = mempool_difficulty_adjustment(
        epoch_start_time_s=da, quarter_epoch_time_s=quarter, now_s=now, height=height,
        previous_retarget_pct=prev, network=network, latest_block_time_s=latest,
    )  # fmt: skip
    # mempool's toStrictEqual: floats exact; our seconds x 1000 round to mempool's ms
    assert got.progress_pct == want["progressPercent"]
    assert got.difficulty_change_pct == want["difficultyChange"]
    assert round(got.estimated_retarget_time_s * 1000) == want["estimatedRetargetDate"]
    assert got.remaining_blocks == want["remainingBlocks"]
    assert round(got.remaining_time_s * 1000) == want["remainingTime"]
    assert got.previous_retarget_pct == want["previousRetarget"]  # passed through untouched
    assert got.previous_time_s == want["previousTime"]
    assert got.next_retarget_height == want["nextRetargetHeight"]
    assert round(got.time_avg_s * 1000) == want["timeAvg"]
    assert round(got.adjusted_time_avg_s * 1000) == want["adjustedTimeAvg"]
    assert round(got.time_offset_s * 1000) == want["timeOffset"]
    assert got.expected_blocks == want["expectedBlocks"]


@pytest.mark.parametrize(
    ("old", "new", "want"),
    [  # same exponent, and the min/max of the output
        (0x1D000200, 0x1D000100, 100), (0x1D000400, 0x1D000100, 300),
        (0x1D000800, 0x1D000100, 300), (0x1D000100, 0x1D000200, -50),
        (0x1D000100, 0x1D000400, -75), (0x1D000100, 0x1D000800, -75),
        # new higher exponent
        (0x1C000200, 0x1D000001, 100), (0x1C000400, 0x1D000001, 300),
        (0x1C000800, 0x1D000001, 300), (0x1C000100, 0x1D000002, -50),
        (0x1C000100, 0x1D000004, -75), (0x1C000100, 0x1D000008, -75),
        # new lower exponent
        (0x1D000002, 0x1C000100, 100), (0x1D000004, 0x1C000100, 300),
        (0x1D000008, 0x1C000100, 300), (0x1D000001, 0x1C000200, -50),
        (0x1D000001, 0x1C000400, -75), (0x1D000001, 0x1C000800, -75),
    ],
)  # fmt: skip
def test_calc_bits_difference(old: int, new: int, want: float) -> None:
    assert mempool_bits_difference_pct(old, new) == want


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (0x1D000001, 0x1A000800, "Impossible exponent difference"),
        (0x7F000001, 0x1A000800, "Invalid bits"),
        (0, 0x1A000800, "Invalid bits"),
        (100.2783, 0x1A000800, "Invalid bits"),
        (0x00800000, 0x1A000800, "Invalid bits"),
        (0x1C000000, 0x1A000800, "Invalid bits"),
    ],
)
def test_calc_bits_difference_errors(old: float, new: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        mempool_bits_difference_pct(old, new)


def _state(n: int, elapsed_s: float) -> EpochState:
    return EpochState(
        epoch=463, bits=0x1701FCA1, start_time_s=1769110282.0, blocks_mined=n + 1,
        as_of_s=1769110282.0 + elapsed_s, tip_time_s=1769110282.0 + elapsed_s,
        rate_intervals=n, rate_exposure_s=elapsed_s, rate_span_s=elapsed_s,
    )  # fmt: skip


def test_touchstone_eta_averages_over_k_intervals() -> None:
    # Touchstone (block 934575): k = 1167 blocks after the epoch's first, 824,935 s.
    # change: 600 / (824,935 / 1168) - 1 = -15.048 % (k + 1 blocks in the span);
    # ETA: average 824,935 / 1167 = 706.885 s (floored to 706,885 ms), 849 blocks to go:
    # 849 * 706.885 = 600,145.365 s after now; with k + 1 (824,935 / 1168 = 706.27997 s)
    # it would be 849 * 0.60503 = 513.67 s (8.6 minutes) earlier
    change, eta = mempool_estimate(_state(1167, 824_935.0))
    assert change == pytest.approx(100 * (600 / (824_935 / 1168) - 1), abs=1e-12)
    assert change == pytest.approx(-15.048, abs=1e-3)
    assert eta - (1769110282 + 824_935) == pytest.approx(849 * 706.885, abs=1e-6)
    assert eta - (1769110282 + 824_935 + 849 * 824_935 / 1168) == pytest.approx(513.67, abs=0.01)


def test_eta_after_the_mempool_window() -> None:
    # k = 503: the sliding window no longer applies; average dt / k = 600.397 s (floored
    # to the ms), not dt / (k + 1): the v0.1 port was 1513 * 1.1913 = 1802 s early here
    _, eta = mempool_estimate(_state(503, 302_000.0))
    assert eta == pytest.approx(1769110282 + 302_000 + 1513 * 600.397, abs=1e-6)
