"""minerscope's composite score: weights by hand, missing MVRV, the backtest's shape."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from minerscope.report import signals as signals_report
from minerscope.signals.composite import (
    COMPONENTS,
    ComponentSeries,
    composite_components,
    composite_score,
)


def _c(name: str, weight: float, reading: list[float]) -> ComponentSeries:
    arr = np.array(reading)
    return ComponentSeries(name, name, weight, arr, arr, "x")


def test_score_by_hand() -> None:
    # weights 1, 1, 2 and readings (1, 0, 1): 100 x (1 + 0 + 2) / 4 = 75; a day with an
    # unknown reading has no score; (0, 0, 0) scores 0
    s = composite_score([
        _c("a", 1, [1, 1, 0]), _c("b", 1, [0, np.nan, 0]), _c("c", 2, [1, 1, 0]),
    ])  # fmt: skip
    assert s[0] == pytest.approx(75.0) and np.isnan(s[1]) and s[2] == 0.0


def test_components_without_mvrv(reference_db: sqlite3.Connection) -> None:
    inputs = signals_report.load_inputs(reference_db, "2026-02-01")
    comps = composite_components(inputs)
    assert [c.name for c in comps] == [name for name, _, _ in COMPONENTS]
    from dataclasses import replace

    bare = replace(inputs, mvrv_ratio=np.full(len(inputs), np.nan), mvrv_source=None)
    assert [c.name for c in composite_components(bare)] == [n for n, _, _ in COMPONENTS][:-1]
    # On 2026-02-01 only MVRV (1.38) reads healthy: 1 of 7 -> 14.3; without it 0 of 6.
    assert composite_score(comps)[-1] == pytest.approx(100 / 7)
    assert composite_score(composite_components(bare))[-1] == 0.0


def test_composite_study_on_the_reference_data(reference_db: sqlite3.Connection) -> None:
    st = signals_report.composite_report(reference_db, now_s=1_790_000_000, resamples=200)
    assert [c.name for c in st.components] == [name for name, _, _ in COMPONENTS]
    assert sum(c.weight_share for c in st.components) == pytest.approx(1.0)
    assert st.components_missing == ()
    assert any("not CryptoQuant" in n for n in st.notes)
    assert sum(b.days for b in st.buckets) == st.high.sample_days == st.low.sample_days
    # the contrarian reading: low scores were followed by more positive 180-day returns
    assert st.low.signal.hit_rate_share > st.high.signal.hit_rate_share
    assert 0 <= st.latest_score <= 100
