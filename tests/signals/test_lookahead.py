"""No look-ahead: changing the data after day t never changes any signal on or before t."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

import numpy as np
import pytest

from minerscope.asof import day_start_s
from minerscope.report import signals as signals_report
from minerscope.results import AsOfInfo
from minerscope.signals import (
    DailyInputs,
    composite_components,
    composite_score,
    contraction_signal,
    difficulty_ribbon,
    drawdown_series,
    puell_series,
    ribbon_series,
)
from minerscope.signals import (
    signals_report as build_signals,
)
from tests.conftest import CLOCK_S

MOMENTS = ("2012-06-21", "2018-12-20", "2021-07-01", "2026-01-31")


def _causal(inputs: DailyInputs) -> dict[str, np.ndarray]:
    rib = ribbon_series(inputs.blocks, inputs.difficulty, inputs.price_usd)
    dd = drawdown_series(inputs.blocks, inputs.difficulty)
    return {
        "contraction": contraction_signal(
            inputs.blocks, inputs.difficulty, smoothing_days=30, lookback_days=90
        )[1],  # fmt: skip
        "capitulating": rib.capitulating,
        "buy": rib.buy.astype(float),
        "ratio_upper": rib.ratio_upper,
        "price_fast": rib.price_fast_usd,
        "in_episode": dd.in_episode,
        "drawdown": dd.drawdown_share,
        "inverted": difficulty_ribbon(inputs.difficulty).inverted,
        "puell": puell_series(inputs.issuance_sat, inputs.price_usd),
        "score": composite_score(composite_components(inputs)),
    }


def _scramble(inputs: DailyInputs, t: int, rng: np.random.Generator) -> DailyInputs:
    n = len(inputs) - t - 1

    def after(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
        y = x.copy()
        y[t + 1 :] = rng.uniform(lo, hi, n)
        return y

    return replace(
        inputs,
        blocks=after(inputs.blocks, 0, 400),
        difficulty=after(inputs.difficulty, 1e6, 1e15),
        issuance_sat=after(inputs.issuance_sat, 0, 1e12),
        price_usd=after(inputs.price_usd, 1, 1e6),
        mvrv_ratio=after(inputs.mvrv_ratio, 0.1, 10),
    )


@pytest.fixture(scope="module")
def full(reference_db_file: object) -> DailyInputs:
    from minerscope import storage

    conn = storage.connect(reference_db_file, read_only=True)  # type: ignore[arg-type]
    try:
        return signals_report.load_inputs(conn, "2026-05-23")
    finally:
        conn.close()


@pytest.mark.parametrize("moment", MOMENTS)
def test_data_after_t_never_changes_a_signal_up_to_t(full: DailyInputs, moment: str) -> None:
    t = (day_start_s(moment) - int(full.day_start_s[0])) // 86_400
    base = _causal(full)
    scrambled = _causal(_scramble(full, t, np.random.default_rng(t)))
    truncated = _causal(full.head(t))
    for name, series in base.items():
        assert np.array_equal(series[: t + 1], scrambled[name][: t + 1], equal_nan=True), name
        assert np.array_equal(series[: t + 1], truncated[name], equal_nan=True), name
    # the scrambling did change the later days (the test can fail)
    assert not np.array_equal(base["drawdown"][t + 1 :], scrambled["drawdown"][t + 1 :])


def test_signals_report_at_t_matches_the_full_history(full: DailyInputs) -> None:
    t = (day_start_s("2022-08-19") - int(full.day_start_s[0])) // 86_400
    head = full.head(t)
    rep = build_signals(head, as_of=AsOfInfo.build(0, "test"), history_first=t - 30,
                        history_last=t)  # fmt: skip
    states = {s.name: s for s in rep.signals}
    base = _causal(full)
    assert states["hash_ribbons"].state == ("capitulation" if base["capitulating"][t] else
                                            "recovered")  # fmt: skip
    assert rep.date == "2022-08-19"
    # 2022-08-19 is a buy day: the ribbons recovered that very day
    assert states["hash_ribbons"].since_date == "2022-08-19"
    assert states["hash_ribbons"].dates["last_buy_date"] == "2022-08-19"
    assert any(h.signal == "hash_ribbons_buy" and h.date == "2022-08-19" for h in rep.history)
    assert rep.composite.score == pytest.approx(base["score"][t])
    scrambled = _scramble(full, t, np.random.default_rng(0)).head(t)
    again = build_signals(scrambled, as_of=AsOfInfo.build(0, "test"), history_first=t - 30,
                          history_last=t)  # fmt: skip
    assert again.to_dict() == rep.to_dict()


def test_study_signal_days_ignore_later_data(reference_db: sqlite3.Connection) -> None:
    # The outcome uses later closes, the signal never: a study cut at --to keeps its signal
    # days whatever the data after --to.
    a = signals_report.contraction_report(reference_db, now_s=CLOCK_S, to_date="2020-12-31",
                                          resamples=100, sensitivity=False)  # fmt: skip
    assert a.stats.first_date == "2014-01-01" and a.stats.last_date == "2020-12-31"
    assert a.to_date == "2020-12-31"
    assert a.stats.signal.days > 0
