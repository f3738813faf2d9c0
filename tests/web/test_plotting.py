"""The dashboard's figures are the chart specifications (``charts.builders``) rendered by
``charts.plotly.figure``: they draw the documents as they are, with a unit on every axis."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from minerscope.asof import parse_time_spec, resolve_as_of
from minerscope.charts import builders as charts
from minerscope.charts.plotly import figure
from minerscope.charts.spec import GREEN, RED
from minerscope.report import econ, network
from minerscope.report.econ_at import machines_at
from minerscope.report.retargets import retarget_history
from minerscope.results import to_jsonable
from minerscope.web.dashboard import _economics, _network
from tests.conftest import CLOCK_S
from tests.web.conftest import TOUCHSTONE

pytestmark = pytest.mark.shared
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
MS_PER_S = 1000  # plotly date axes count milliseconds


@pytest.fixture(scope="module")
def docs(reference_db_file: Any) -> dict[str, Any]:
    from minerscope import storage

    conn = storage.connect(reference_db_file, read_only=True)
    try:
        a = resolve_as_of(conn, parse_time_spec(TOUCHSTONE), now_s=CLOCK_S)
        docs = {
            "hashrate": network.hashrate_report(conn, a, series_days=120),
            "difficulty": network.difficulty_report(conn, a),
            "difficulty_history": retarget_history(conn, a),
            "economics": econ.economics_history(conn, a, from_date="2025-10-01"),
            "machines": machines_at(conn, TOUCHSTONE, now_s=CLOCK_S, btc_price_usd=70_000.0),
        }
        return {k: to_jsonable(v) for k, v in docs.items()}  # as the dashboard gets them
    finally:
        conn.close()


def _all(docs: dict[str, Any], days: int = 730) -> dict[str, dict[str, Any]]:
    """Every figure of the network, economics and machines pages, as the dashboard builds them."""
    return {
        **_network(docs, {"days": days}),
        **_economics(docs, {"days": days}),
        "breakeven": figure(charts.machines_chart(docs)),
    }


def _trace(fig: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in fig["data"] if t.get("name") == name)


def test_every_axis_names_its_unit(docs: dict[str, Any]) -> None:
    figs = _all(docs)
    assert len(figs) == 13  # 6 network, 6 economics, breakeven
    for name, fig in figs.items():
        axes = [v for k, v in fig["layout"].items() if k.startswith(("xaxis", "yaxis"))]
        assert len(axes) >= 2, name
        for ax in axes:
            title = ax["title"]["text"]
            assert "[" in title and title.endswith("]"), (name, title)
        assert fig["data"], name


def test_network_figures_show_the_documents_numbers(docs: dict[str, Any]) -> None:
    figs = _all(docs)
    series = docs["hashrate"]["daily_series"]
    assert _trace(figs["hashrate"], "7-day mean")["y"] == [r["hashrate_ma7_ehs"] for r in series]
    band = _trace(figs["hashrate"], "7-day mean, 95% band")
    assert band["y"] == [r["hashrate_ma7_lower_ehs"] for r in series]
    assert band["fill"] == "tonexty"  # filled up to the upper bound drawn before it
    upper = figs["hashrate"]["data"][figs["hashrate"]["data"].index(band) - 1]
    assert upper["y"] == [r["hashrate_ma7_upper_ehs"] for r in series]
    assert band["customdata"] == upper["y"]  # the hover shows lower .. upper
    bpd = figs["blocks_per_day"]
    assert _trace(bpd, "blocks that day")["y"] == [r["blocks"] for r in series]
    assert bpd["layout"]["shapes"][0]["y0"] == 144  # 86,400 s / 600 s a block
    bt = figs["block_times"]
    rows = docs["hashrate"]["block_times"]["intervals"]
    mean = _trace(bt, "mean, 95% interval")
    assert mean["y"] == [r["mean_interval_s"] for r in rows]
    assert mean["error_y"]["array"] == pytest.approx(
        [r["mean_interval_upper_s"] - r["mean_interval_s"] for r in rows]
    )
    assert bt["layout"]["shapes"][0]["y0"] == 600
    # each reference line is labelled where it ends
    labels = {a["text"]: a for a in bt["layout"]["annotations"]}
    assert labels["target 600 s"]["y"] == 600
    assert "target 144 a day" in [a["text"] for a in bpd["layout"]["annotations"]]


def test_the_difficulty_fan_and_its_view(docs: dict[str, Any]) -> None:
    fig = _all(docs, days=240)["difficulty"]
    na = docs["difficulty"]["next_adjustment"]
    nd, eta = na["next_difficulty_t"], na["retarget_eta"]
    p90 = _trace(fig, "next: 90% interval, ETA p10..p90")
    assert p90["x"] == [eta["p50"]["time_iso"]] == ["2026-02-08T08:31:45Z"]
    assert p90["y"] == [nd["p50"]]
    assert p90["error_y"]["arrayminus"] == pytest.approx([nd["p50"] - nd["p5"]])
    assert p90["error_y"]["array"] == pytest.approx([nd["p95"] - nd["p50"]])
    # the ETA's p10..p90 across, in milliseconds (plotly date axes)
    assert p90["error_x"]["array"] == pytest.approx(
        [(eta["p90"]["time_s"] - eta["p50"]["time_s"]) * MS_PER_S]
    )
    p50 = _trace(fig, "next: 50% interval")
    assert p50["error_y"]["arrayminus"] == pytest.approx([nd["p50"] - nd["p25"]])
    assert p50["error_y"]["array"] == pytest.approx([nd["p75"] - nd["p50"]])
    steps = fig["data"][0]
    assert steps["line"]["shape"] == "hv"
    assert len(steps["x"]) == 464  # every retarget, epochs 0..463 (zoom out to see them)
    # the view: 240 days before the data's moment (2026-02-01) to the ETA's p90 and 2% of
    # the span after it: 2025-06-06 .. 2026-02-08T19:14:09Z is 247.8015 days; 2% of it is
    # 4.95603 days = 4 d 22:56:40.98, so the view ends at 2026-02-13T18:10:49 (whole seconds)
    x_range, y_range = fig["layout"]["xaxis"]["range"], fig["layout"]["yaxis"]["range"]
    assert eta["p90"]["time_iso"] == "2026-02-08T19:14:09Z"
    assert x_range == ["2025-06-06", "2026-02-13T18:10:49Z"]
    shown = [y for x, y in zip(steps["x"], steps["y"], strict=True) if x >= "2025-06-06"]
    lo, hi = min(*shown, nd["p5"]), max(*shown, nd["p95"])  # in view: pad 8% of hi - lo
    assert y_range == pytest.approx([lo - 0.08 * (hi - lo), hi + 0.08 * (hi - lo)], rel=1e-12)
    assert y_range[0] > min(y for y in steps["y"] if y)  # the early epochs are out of view


def test_the_halving_eta(docs: dict[str, Any]) -> None:
    fig = _all(docs)["halving"]
    hv = docs["difficulty"]["halving"]
    eta = _trace(fig, "halving ETA p50, p10..p90")
    assert eta["x"] == [hv["eta"]["p50"]["time_iso"]] and eta["y"] == [hv["height"]]
    assert eta["error_x"]["arrayminus"] == pytest.approx(
        [(hv["eta"]["p50"]["time_s"] - hv["eta"]["p10"]["time_s"]) * MS_PER_S]
    )
    assert _trace(fig, "at 600 s blocks (mempool-style)")["x"] == [hv["eta_at_600s"]["time_iso"]]


def test_economics_figures_show_the_documents_numbers(docs: dict[str, Any]) -> None:
    figs = _all(docs, days=30)
    rows = docs["economics"]["rows"][-30:]
    # revenue on 2026-01-31: 34,179,711.56 USD = 34.18 million USD
    rev = _trace(figs["revenue"], "revenue")
    assert len(rev["x"]) == 30 and rev["x"][-1] == "2026-01-31"
    assert rev["y"][-1] == pytest.approx(34.179_711_56, rel=1e-9)
    fee = _trace(figs["revenue"], "fee share")
    assert fee["yaxis"] == "y2"
    assert fee["y"][-1] == pytest.approx(0.700_145_78, rel=1e-6)  # 0.0070015 share = 0.70 %
    hv = _trace(figs["hashvalue"], "realised (blocks found)")
    assert hv["y"] == [r["realised_hashvalue_sat_per_phs_day"] for r in rows]
    hp = _trace(figs["hashprice"], "implied (difficulty)")
    assert hp["y"] == [r["hashprice_usd_per_phs_day"] for r in rows]
    cost = _trace(figs["cost"], "cost range (all methods)")
    assert cost["y"] == [r["cost_range_low_usd_per_btc"] for r in rows]
    assert _trace(figs["puell"], "Puell multiple")["y"] == [r["puell_multiple"] for r in rows]
    assert _trace(figs["index"], "score")["y"] == [r["sustainability_score"] for r in rows]


def test_breakeven_bars_and_the_price_line(docs: dict[str, Any]) -> None:
    be = _all(docs)["breakeven"]
    bars = be["data"][0]
    shown = dict(zip(bars["y"], bars["x"], strict=True))
    assert len(shown) == len(docs["machines"]["machines"]) == 56
    for m in docs["machines"]["machines"]:
        assert shown[m["model"]] == m["breakeven_btc_price_usd"]
        assert bars["marker"]["color"][bars["y"].index(m["model"])] == (
            GREEN if m["profitable"] else RED
        )
    assert be["layout"]["shapes"][0]["x0"] == 70_000.0
    assert {"text": "BTC price $70,000", "x": 70_000.0} in [
        {k: a[k] for k in ("text", "x")} for a in be["layout"]["annotations"] if "x" in a
    ]
    assert be["layout"]["height"] == 56 * 22 + 110  # a row per model
    assert bars["hovertemplate"] == "%{y}: %{x:,.6~g} USD/BTC"  # the model, its value, the unit


def test_fleet_figure_marks_the_groups_to_switch_off() -> None:
    fleet = {"groups": [
        {"name": "a", "cash_profit_usd_per_day": 120.0, "switch_off": False},
        {"name": "b", "cash_profit_usd_per_day": -40.0, "switch_off": True},
    ]}  # fmt: skip
    bars = figure(charts.fleet_chart({"fleet": fleet}))["data"][0]
    assert bars["y"] == ["b", "a"] and bars["x"] == [-40.0, 120.0]
    assert bars["marker"]["color"] == [RED, GREEN]


def test_names_from_outside_are_text_not_markup() -> None:
    # plotly.js reads <b>, <br>, <a href> and entities in names, ticks and hover: a fleet's
    # group names (and pool and model names) reach it as entities, shown as typed.
    fleet = {"groups": [
        {"name": "<b>hall</b> & <a href='x'>", "cash_profit_usd_per_day": 1.0, "switch_off": False},
        {"name": "b", "cash_profit_usd_per_day": -1.0, "switch_off": True},
    ]}  # fmt: skip
    fig = figure(charts.fleet_chart({"fleet": fleet}))
    assert fig["data"][0]["y"] == ["b", "&lt;b&gt;hall&lt;/b&gt; &amp; &lt;a href='x'&gt;"]
    assert "<" not in json.dumps(fig["data"]) and "<b>" not in json.dumps(fig["layout"])


def test_figures_without_data_say_so(docs: dict[str, Any]) -> None:
    fig = figure(charts.hashrate_chart({"hashrate": {"as_of": {}, "windows": []}}))
    assert fig["data"] == []
    assert "no daily rows" in fig["layout"]["annotations"][0]["text"]
    no_dd = {**docs, "hashrate": {**docs["hashrate"], "drawdown": None}}
    assert figure(charts.drawdown_chart(no_dd))["data"] == []
    assert figure(charts.cost_chart({"economics": {"rows": []}}))["data"] == []
    assert _network({**docs, "difficulty": None}, {"days": 730})["halving"]["data"] == []


def test_builders_are_pure(docs: dict[str, Any]) -> None:
    before = copy.deepcopy(docs)
    figs = _all(docs)
    assert docs == before  # documents are not modified
    json.dumps(figs, allow_nan=False)  # plain JSON, no NaN


def test_the_figure_routes_draw_the_apis_documents(client: httpx.Client) -> None:
    at = {"at": TOUCHSTONE}
    hr = client.get("/api/v1/hashrate", params={**at, "series_days": 90}).json()
    figs = client.get("/figures/network", params={**at, "days": 90}).json()
    assert list(figs) == ["hashrate", "drawdown", "block_times", "blocks_per_day", "difficulty",
                          "halving"]  # fmt: skip
    assert _trace(figs["hashrate"], "per day (~144 blocks)")["y"] == [
        r["hashrate_ehs"] for r in hr["daily_series"]
    ]
    text = (EXAMPLES / "fleet.toml").read_text()
    fleet = client.post("/api/v1/fleet", params=at, content=text).json()
    bars = client.post("/figures/fleet", params=at, content=text).json()["fleet"]["data"][0]
    by_name = {g["name"]: g for g in fleet["groups"]}
    assert sorted(bars["y"]) == sorted(by_name)
    for name, x in zip(bars["y"], bars["x"], strict=True):
        assert x == by_name[name]["cash_profit_usd_per_day"]


def test_plotly_takes_every_dashboard_figure(docs: dict[str, Any]) -> None:
    import plotly.graph_objects as go

    fleet = {"groups": [{"name": "a", "cash_profit_usd_per_day": 1.0, "switch_off": False}]}
    figs = {**_all(docs), "fleet": figure(charts.fleet_chart({"fleet": fleet}))}
    for name, fig in figs.items():
        checked = go.Figure(fig)  # plotly validates every trace and layout key
        assert checked.layout.xaxis.title.text == fig["layout"]["xaxis"]["title"]["text"], name
