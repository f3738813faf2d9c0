"""Figure builders draw the documents as they are, with a unit on every axis."""

from __future__ import annotations

from typing import Any

import pytest

from minerscope import plotting
from minerscope.asof import parse_time_spec, resolve_as_of
from minerscope.report import econ, network
from minerscope.report.econ_at import machines_at
from minerscope.report.retargets import retarget_history
from minerscope.results import to_jsonable
from tests.conftest import CLOCK_S
from tests.web.conftest import TOUCHSTONE

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def docs(reference_db_file: Any) -> dict[str, Any]:
    from minerscope import storage

    conn = storage.connect(reference_db_file, read_only=True)
    try:
        a = resolve_as_of(conn, parse_time_spec(TOUCHSTONE), now_s=CLOCK_S)
        docs = {
            "hashrate": network.hashrate_report(conn, a, series_days=120),
            "difficulty": network.difficulty_report(conn, a),
            "history": retarget_history(conn, a),
            "economics": econ.economics_history(conn, a, from_date="2025-10-01"),
            "machines": machines_at(conn, TOUCHSTONE, now_s=CLOCK_S, btc_price_usd=70_000.0),
        }
        return {k: to_jsonable(v) for k, v in docs.items()}  # as the dashboard gets them
    finally:
        conn.close()


def _all(docs: dict[str, Any]) -> dict[str, dict[str, Any]]:
    e = docs["economics"]
    return {
        "hashrate": plotting.hashrate_figure(docs["hashrate"]),
        "drawdown": plotting.drawdown_figure(docs["hashrate"]),
        "block_times": plotting.block_times_figure(docs["hashrate"]),
        "blocks_per_day": plotting.blocks_per_day_figure(docs["hashrate"]),
        "difficulty": plotting.difficulty_figure(
            docs["history"], docs["difficulty"], from_date="2025-06-01"
        ),  # fmt: skip
        "halving": plotting.halving_figure(docs["difficulty"]),
        "hashprice": plotting.hashprice_figure(e),
        "hashvalue": plotting.hashvalue_figure(e),
        "revenue": plotting.revenue_figure(e),
        "cost": plotting.cost_figure(e),
        "puell": plotting.puell_figure(e),
        "index": plotting.index_figure(e),
        "breakeven": plotting.breakeven_figure(docs["machines"]),
    }


def test_every_axis_names_its_unit(docs: dict[str, Any]) -> None:
    for name, fig in _all(docs).items():
        axes = [v for k, v in fig["layout"].items() if k.startswith(("xaxis", "yaxis"))]
        assert len(axes) >= 2, name
        for ax in axes:
            title = ax["title"]["text"]
            assert "[" in title and title.endswith("]"), (name, title)
        assert fig["data"], name


def _trace(fig: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in fig["data"] if t.get("name") == name)


def test_figures_show_the_documents_numbers(docs: dict[str, Any]) -> None:
    figs = _all(docs)
    series = docs["hashrate"]["daily_series"]
    ma7 = _trace(figs["hashrate"], "7-day mean")
    assert ma7["y"] == [r["hashrate_ma7_ehs"] for r in series]
    band = _trace(figs["hashrate"], "7-day mean, 95% band")
    assert band["y"] == [r["hashrate_ma7_lower_ehs"] for r in series]
    na = docs["difficulty"]["next_adjustment"]
    p90 = _trace(figs["difficulty"], "next: 90% interval")
    assert p90["y"] == [na["next_difficulty_t"]["p5"], na["next_difficulty_t"]["p95"]]
    assert p90["x"][0] == na["retarget_eta"]["p50"]["time_iso"] == "2026-02-08T08:31:45Z"
    steps = figs["difficulty"]["data"][0]
    assert len(steps["x"]) == 464  # every retarget, epochs 0..463
    # revenue on 2026-01-31: 34,179,711.56 USD = 34.18 million USD
    rev = _trace(figs["revenue"], "revenue")
    assert rev["x"][-1] == "2026-01-31"
    assert rev["y"][-1] == pytest.approx(34.179_711_56, rel=1e-9)
    fee = _trace(figs["revenue"], "fee share")
    assert fee["y"][-1] == pytest.approx(0.700_145_78, rel=1e-6)  # 0.0070015 share = 0.70 %
    be = figs["breakeven"]
    shown = dict(zip(be["data"][0]["y"], be["data"][0]["x"], strict=True))
    for m in docs["machines"]["machines"][:30]:
        assert shown[m["model"]] == m["breakeven_btc_price_usd"]
    assert be["layout"]["shapes"][0]["x0"] == 70_000.0


def test_figures_without_data_say_so(docs: dict[str, Any]) -> None:
    fig = plotting.hashrate_figure({"as_of": {}, "windows": []})
    assert fig["data"] == []
    assert "no daily rows" in fig["layout"]["annotations"][0]["text"]
    assert plotting.drawdown_figure({**docs["hashrate"], "drawdown": None})["data"] == []
    assert plotting.cost_figure({"rows": []})["data"] == []


def test_fleet_figure_marks_the_groups_to_switch_off() -> None:
    fleet = {"groups": [
        {"name": "a", "cash_profit_usd_per_day": 120.0, "switch_off": False},
        {"name": "b", "cash_profit_usd_per_day": -40.0, "switch_off": True},
    ]}  # fmt: skip
    fig = plotting.fleet_figure(fleet)
    bars = fig["data"][0]
    assert bars["y"] == ["b", "a"] and bars["x"] == [-40.0, 120.0]
    assert bars["marker"]["color"] == [plotting.RED, plotting.GREEN]


def test_builders_are_pure(docs: dict[str, Any]) -> None:
    import copy
    import json

    before = copy.deepcopy(docs)
    figs = _all(docs)
    assert docs == before  # documents are not modified
    json.dumps(figs, allow_nan=False)  # plain JSON, no NaN
