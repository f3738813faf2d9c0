"""Hash Ribbons: crosses, buy signals and noise flags by hand; buy dates against press reports."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from minerscope.report import signals as signals_report
from minerscope.signals.ribbons import buy_signals, capitulation_spells, ribbon_series

D = 1.0e12
DAY = 86_400
START = 1_500_076_800  # 2017-07-15T00:00:00Z


def _days(n: int) -> np.ndarray:
    return START + DAY * np.arange(n, dtype=np.int64)


def _dip(low: float) -> np.ndarray:
    # 144 blocks a day for days 0-99, `low` for days 100-119, 150 from day 120 to 179
    return np.array([144.0] * 100 + [low] * 20 + [150.0] * 60)


def test_capitulation_and_recovery_by_hand() -> None:
    # Day 100: H30 = (29 x 144 + 120) / 30 = 143.2 < H60 = (59 x 144 + 120) / 60 = 143.6,
    # while on day 99 both are 144: capitulation starts on day 100.
    # Day 120 + j (10 <= j <= 29): A = mean of the last 30 days = 121 + j, B = mean of the
    # 30 before = 151.2 - 0.8 j; H30 > H60 exactly when A > B: j > 16.8 -> day 137.
    k = _dip(120.0)
    rising = 100.0 + np.arange(180.0)
    rs = ribbon_series(k, [D] * 180, rising)
    cap = np.nan_to_num(rs.capitulating, nan=-1)
    assert cap[99] == 0 and cap[100] == 1 and cap[136] == 1 and cap[137] == 0
    assert np.isnan(rs.capitulating[58]) and not np.isnan(rs.capitulating[59])
    # A rising price: the 10-day mean is above the 20-day mean at the recovery -> buy there.
    assert np.flatnonzero(rs.buy).tolist() == [137]
    spells = capitulation_spells(rs, _days(180))
    assert len(spells) == 1
    s = spells[0]
    assert (s.start_date, s.recovery_date, s.days) == ("2017-10-23", "2017-11-29", 37)
    # Deepest A/B: day 119, A = (10 x 144 + 20 x 120) / 30 = 128, B = 144 -> 0.8889;
    # 3,840 against 4,320 blocks is far beyond Poisson noise.
    assert s.deepest_date == "2017-11-11"
    assert s.deepest_ratio_share == pytest.approx(128 / 144)
    assert s.deepest_ratio_upper_share < 0.93
    assert s.beyond_noise


def test_buy_waits_for_price_momentum() -> None:
    # Flat price to day 145, then +1 a day: the 10- and 20-day means are equal (no buy) until
    # day 146, when the 10-day mean is 100.1 and the 20-day mean 100.05.
    price = np.where(np.arange(180) <= 145, 100.0, 100.0 + np.arange(180) - 145)
    rs = ribbon_series(_dip(120.0), [D] * 180, price)
    assert np.flatnonzero(rs.buy).tolist() == [146]
    (b,) = buy_signals(rs, price, _days(180))
    assert (b.date, b.recovery_date, b.capitulation_start_date) == (
        "2017-12-08", "2017-11-29", "2017-10-23",
    )  # fmt: skip
    assert b.days_after_recovery == 9 and b.capitulation_days == 37
    assert b.capitulation_beyond_noise
    # 30 days later the close is 100 + 31 = 131 against 101: +29.7 %; 90 days is unknown
    assert b.return_30d_pct == pytest.approx(100 * (131 / 101 - 1))
    assert np.isnan(b.return_90d_pct)


def test_no_buy_when_capitulation_resumes_first_and_noise_flag() -> None:
    # A dip of 1 block a day (144 -> 143) is 20 blocks of 4,320: the A/B interval
    # (about +-4 %) always includes 1, so the capitulation is within noise.
    rs = ribbon_series(_dip(143.0), [D] * 180, np.full(180, 100.0))
    (s,) = capitulation_spells(rs, _days(180))
    assert not s.beyond_noise
    assert s.deepest_ratio_lower_share < 1 < s.deepest_ratio_upper_share
    assert not rs.buy.any()  # flat price: momentum never turns positive


def test_reference_buy_dates_match_published_ones(reference_db: sqlite3.Connection) -> None:
    st = signals_report.ribbons_report(reference_db, now_s=1_790_000_000, resamples=200)
    buys = [b.date for b in st.buys]
    # Published reports of a Hash Ribbons buy (search of public pages, docs/signals.md):
    # late 2011 and early summer 2012 (bikotrading.com), Jan 2015 and Dec 2019
    # (TradingView idea He4uZ99H), Aug 2021 (codelist.biz, 2021-08-11), Aug 2022 (after a
    # 71-day capitulation, uniquehot.com), Jan 2023 ("first time in 2023", fillcoin.net),
    # 23 Jul 2024 (bitbo.io: "On July 23, the hash ribbons exited capitulation").
    for month in ("2011-12", "2012-06", "2015-01", "2019-12", "2021-08", "2022-08", "2023-01",
                  "2024-07"):  # fmt: skip
        assert any(d.startswith(month) for d in buys), month
    assert "2024-07-23" in buys
    assert buys[0] == "2010-08-09"  # the first day with a 20-day mean close (prices 2010-07-18)
    # every buy follows a recovery, after the capitulation that preceded it
    for b in st.buys:
        assert b.capitulation_start_date < b.recovery_date <= b.date
    flagged = [c for c in st.capitulations if not c.beyond_noise]
    assert flagged and all(c.days < 60 for c in flagged)
    assert st.stats.signal.days == st.stats.signal.episodes  # one-day events
