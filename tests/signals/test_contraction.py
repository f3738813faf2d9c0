"""The contraction study: hand-checked signal, and VanEck's headline on the reference data."""

from __future__ import annotations

import math
import sqlite3

import numpy as np
import pytest

from minerscope.report import signals as signals_report
from minerscope.signals.contraction import contraction_signal
from minerscope.signals.study import DEFAULT_RESAMPLES

NOW_S = 1_790_000_000
D = 1.0e12  # constant difficulty: the hash rate is proportional to the block count


def test_signal_by_hand() -> None:
    # S = 1 (no smoothing), L = 2: g(t) = k(t) / k(t - 2) - 1
    # t=2: 130/144 - 1 < 0 -> 1; t=3: 150/144 - 1 > 0 -> 0; t=4: 140/130 - 1 > 0 -> 0;
    # t=5: 160/150 - 1 > 0 -> 0
    g, sig = contraction_signal([144, 144, 130, 150, 140, 160], [D] * 6,
                                smoothing_days=1, lookback_days=2)  # fmt: skip
    assert np.isnan(sig[:2]).all()
    assert sig[2:].tolist() == [1.0, 0.0, 0.0, 0.0]
    assert g[2] == pytest.approx(130 / 144 - 1)
    # S = 2: H_2(t) = (k(t-1) + k(t)) / 2; L = 1: g(3) = (130 + 150) / (144 + 130) - 1 > 0
    g2, sig2 = contraction_signal([144, 144, 130, 150], [D] * 4, smoothing_days=2,
                                  lookback_days=1)  # fmt: skip
    assert g2[2] == pytest.approx((144 + 130) / (144 + 144) - 1)
    assert g2[3] == pytest.approx((130 + 150) / (144 + 130) - 1)
    assert sig2[2:].tolist() == [1.0, 0.0]
    # no change is no contraction: g = 0 -> 0
    _, flat = contraction_signal([144] * 4, [D] * 4, smoothing_days=1, lookback_days=1)
    assert flat[1:].tolist() == [0.0, 0.0, 0.0]


@pytest.fixture(scope="module")
def study(reference_db_file: object) -> dict[str, object]:
    from minerscope import storage

    conn = storage.connect(reference_db_file, read_only=True)  # type: ignore[arg-type]
    try:
        return signals_report.contraction_report(conn, now_s=NOW_S).to_dict()
    finally:
        conn.close()


def test_vaneck_headline_on_the_reference_data(study: dict[str, object]) -> None:
    # VanEck (RESEARCH.md 3.12): since 2014, negative 90-day hash-rate growth -> 180-day
    # returns positive 77 % of the time, mean +72 %; otherwise 61 % and +48 %.
    # Ours: L = 90, S = 30, N = 180, signal days 2014-01-01..2025-11-24 (the last with a
    # known 180-day return): 267 of 347 days positive = 76.9 %, mean +72.6 %.
    st = study["stats"]
    assert isinstance(st, dict)
    assert st["first_date"] == "2014-01-01" and st["last_date"] == "2025-11-24"
    sig, oth = st["signal"], st["complement"]
    assert sig["days"] == 347
    assert round(sig["hit_rate_share"] * 347) == 267
    assert sig["mean_return_pct"] == pytest.approx(72.6, abs=0.1)
    assert oth["hit_rate_share"] == pytest.approx(0.601, abs=0.001)
    assert oth["mean_return_pct"] == pytest.approx(44.8, abs=0.1)
    # hundreds of overlapping days are a handful of episodes
    assert sig["episodes"] == 9
    assert sig["non_overlapping_windows"] == 7
    # every published figure lies inside our bootstrap interval, and the intervals are wide
    claims = study["published"]
    assert isinstance(claims, list) and len(claims) == 4
    assert all(c["inside"] for c in claims)
    assert sig["hit_rate_upper_share"] - sig["hit_rate_lower_share"] > 0.3
    # the difference from the unconditional rate is not significant
    test = st["hit_rate_test"]
    assert test["observed"] == pytest.approx(0.769 - 0.614, abs=0.002)
    assert 0.1 < test["p_value"] < 0.5
    assert st["bootstrap"]["resamples"] == DEFAULT_RESAMPLES
    assert st["bootstrap"]["mean_block_days"] == 180.0


def test_eras_and_sensitivity(study: dict[str, object]) -> None:
    st = study["stats"]
    assert isinstance(st, dict)
    eras = {e["era"]: e for e in st["eras"]}
    assert sorted(eras) == [1, 2, 3, 4]
    assert eras[1]["signal"]["days"] == 0  # no contraction day in 2014-2016
    assert sum(e["signal"]["days"] for e in eras.values()) == 347
    assert sum(e["signal"]["episodes"] for e in eras.values()) >= 9
    sens = study["sensitivity"]
    assert isinstance(sens, dict)
    assert sens["combinations_tried"] == 5 * 4 * 4 == len(sens["rows"])
    assert sens["expected_by_chance"] == pytest.approx(4.0)
    row = next(
        r for r in sens["rows"]
        if (r["lookback_days"], r["smoothing_days"], r["horizon_days"]) == (90, 30, 180)
    )  # fmt: skip
    assert row["stats"]["signal_days"] == 347
    assert row["stats"]["hit_rate_p_value"] == pytest.approx(st["hit_rate_test"]["p_value"])


def test_daily_closes_are_the_days_own(reference_db: sqlite3.Connection) -> None:
    # Coin Metrics' close of 2026-01-22 (cm_btc_price_supply file: 89,395.700735827) is
    # stamped 2026-01-23T00:00:00Z and belongs to 2026-01-22, the day it closes.
    inputs = signals_report.load_inputs(reference_db, "2026-01-22")
    assert inputs.price_source == "coinmetrics"
    assert inputs.price_usd[-1] == pytest.approx(89_395.700735827, rel=1e-12)
    assert inputs.price_usd[-2] == pytest.approx(89_599.361874927, rel=1e-12)
    assert inputs.blocks[-1] == 161 and inputs.mvrv_ratio[-1] == pytest.approx(1.5900557424)
    assert int(inputs.day_start_s[-1]) == 1_769_040_000  # 2026-01-22T00:00:00Z


def test_seeded_results_repeat(reference_db: sqlite3.Connection) -> None:
    a = signals_report.contraction_report(reference_db, now_s=NOW_S, resamples=200,
                                          sensitivity=False, seed=1)  # fmt: skip
    b = signals_report.contraction_report(reference_db, now_s=NOW_S, resamples=200,
                                          sensitivity=False, seed=1)  # fmt: skip
    assert a.to_dict() == b.to_dict()
    assert a.sensitivity is None
    c = signals_report.contraction_report(reference_db, now_s=NOW_S, resamples=200,
                                          sensitivity=False, seed=2)  # fmt: skip
    assert c.stats.signal.hit_rate_lower_share != a.stats.signal.hit_rate_lower_share
    assert c.stats.signal.hit_rate_share == a.stats.signal.hit_rate_share
    assert not math.isnan(c.stats.signal.median_return_lower_pct)
