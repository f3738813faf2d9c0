"""Puell bands, the difficulty ribbon and capitulation episodes: by hand and at the touchstone."""

from __future__ import annotations

import math
import sqlite3

import numpy as np
import pytest

from minerscope.report import signals as signals_report
from minerscope.signals.miners import (
    capitulation_episodes,
    difficulty_ribbon,
    drawdown_series,
    puell_band,
    puell_series,
)

D = 1.0e12
DAY = 86_400
START = 1_500_076_800  # 2017-07-15T00:00:00Z


def test_puell_multiple_and_bands() -> None:
    # 364 days at 1,800 BTC x $1,000, then one day at 900 BTC (a halving): the mean of the
    # last 365 days is (364 x 1.8e6 + 0.9e6) / 365 = 1,797,534; 0.9e6 / that = 0.50069.
    iss = np.array([1_800e8] * 364 + [900e8])
    p = puell_series(iss, np.full(365, 1_000.0))
    assert np.isnan(p[363]) and p[364] == pytest.approx(0.9e6 / ((364 * 1.8e6 + 0.9e6) / 365))
    # the value counts, not the coins: the same issuance at twice the price doubles it
    price = np.full(365, 1_000.0)
    price[-1] = 2_000.0
    p2 = puell_series(np.full(365, 1_800e8), price)
    assert p2[-1] == pytest.approx(2 / ((364 + 2) / 365))
    assert puell_band(0.49) == "low" and puell_band(0.5) == "neutral"
    assert puell_band(4.0) == "neutral" and puell_band(4.01) == "high"
    assert puell_band(math.nan) is None


def test_difficulty_ribbon_by_hand() -> None:
    # windows 2 and 3: day 2 means (2+4)/2 = 3 and (1+2+4)/3 = 7/3; day 3: (4+1)/2 = 2.5 and
    # (2+4+1)/3 = 7/3 -> short above long, then still above; day 4: (1+1)/2 = 1 < 2 -> inverted
    r = difficulty_ribbon([1.0, 2.0, 4.0, 1.0, 1.0], window_days=(2, 3))
    assert np.allclose(r.means[0], [np.nan, 1.5, 3.0, 2.5, 1.0], equal_nan=True)
    assert np.allclose(r.means[1][2:], [7 / 3, 7 / 3, 2.0])
    assert np.isnan(r.inverted[1]) and r.inverted[2:].tolist() == [0.0, 0.0, 1.0]
    # compression: population sd of (3, 7/3) over their mean = (1/3) / (8/3) = 0.125
    assert r.compression_share[2] == pytest.approx(0.125)


def test_capitulation_episode_by_hand() -> None:
    # S = 1: peak 144 on day 0 (later equal days do not move it); day 5 at 120 is
    # 16.7 % below: an episode starts; trough day 5; day 8 (144 again) regains the peak.
    k = [144.0] * 5 + [120.0, 125.0, 130.0, 144.0, 150.0]
    days = START + DAY * np.arange(10)
    ds = drawdown_series(k, [D] * 10, smoothing_days=1, threshold_share=0.10)
    assert ds.in_episode.tolist() == [0, 0, 0, 0, 0, 1, 1, 1, 0, 0]
    assert ds.drawdown_share[6] == pytest.approx(125 / 144 - 1)
    (e,) = capitulation_episodes(k, [D] * 10, days, smoothing_days=1, threshold_share=0.10)
    assert (e.start_date, e.peak_date, e.trough_date, e.end_date) == (
        "2017-07-20", "2017-07-15", "2017-07-20", "2017-07-23",
    )  # fmt: skip
    assert e.days == 3
    assert e.depth_pct == pytest.approx(100 * (120 / 144 - 1))
    # One day each: Clopper-Pearson for 120 of 264 is [0.393397, 0.516725]
    # (scipy.stats.binomtest(120, 264), exact) -> ratio - 1 in [-35.15 %, +6.92 %]:
    # a one-day 17 % drop is within block-finding noise.
    assert e.depth_lower_pct == pytest.approx(-35.147, abs=0.01)
    assert e.depth_upper_pct == pytest.approx(6.922, abs=0.01)
    assert not e.beyond_noise and e.interval_method.startswith("exact")
    # With 30-day windows the same 17 % (144 -> 120 for 40 days) is far beyond noise.
    k30 = [144.0] * 60 + [120.0] * 40 + [150.0] * 40
    (e30,) = capitulation_episodes(k30, [D] * 140, START + DAY * np.arange(140))
    assert e30.depth_pct == pytest.approx(100 * (120 / 144 - 1))
    assert e30.beyond_noise and -22 < e30.depth_lower_pct < e30.depth_upper_pct < -11


def test_overlapping_windows_use_the_normal_approximation() -> None:
    # Rising to day 59 (130 + day / 4), then 100 a day: the 30-day mean peaks on day 59 and
    # bottoms on day 79, 20 days later, so the two 30-day windows share days 50-59.
    k = [130 + i / 4 for i in range(60)] + [100.0] * 20 + [160.0] * 40
    (e,) = capitulation_episodes(k, [D] * 120, START + DAY * np.arange(120))
    assert (e.peak_date, e.trough_date) == ("2017-09-12", "2017-10-02")  # days 59 and 79
    assert e.interval_method.startswith("normal")
    # peak: mean of 130 + d/4 for d = 30..59 = 130 + 44.5 / 4 = 141.125;
    # trough: (sum of 130 + d/4 for d = 50..59 + 20 x 100) / 30 = (1,300 + 136.25 + 2,000) / 30
    assert e.depth_pct == pytest.approx(100 * ((1_300 + 136.25 + 2_000) / 30 / 141.125 - 1))
    assert e.depth_lower_pct < e.depth_pct < e.depth_upper_pct < 0


def test_touchstone_drawdown(reference_db: sqlite3.Connection) -> None:
    # The article (early Feb 2026): "about 970 EH/s, down 12% from an October peak of about
    # 1.1 ZH/s". Our 30-day mean on 2026-02-01: 969 EH/s, 12.7 % below its 1,110 EH/s peak
    # (30 days ending 2025-11-11); the exact interval of the depth excludes zero.
    inputs = signals_report.load_inputs(reference_db, "2026-02-01")
    episodes = capitulation_episodes(inputs.blocks, inputs.difficulty, inputs.day_start_s)
    e = episodes[-1]
    assert e.end_date is None and e.start_date == "2026-01-27"
    assert e.peak_date == "2025-11-11" and e.peak_ehs == pytest.approx(1_110, abs=2)
    assert e.trough_ehs == pytest.approx(969, abs=2)
    assert e.depth_pct == pytest.approx(-12.7, abs=0.1)
    assert e.beyond_noise and e.depth_lower_pct < -12.7 < e.depth_upper_pct < -8
    starts = [x.start_date[:7] for x in episodes]
    # the 2018 crash, the 2021 China ban and the 2022 bear market are all there
    assert {"2018-11", "2021-06", "2022-08"} <= set(starts)
