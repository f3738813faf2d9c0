"""Every chart: a specification with data and units from the documents, rendered by
matplotlib to PNG and SVG with a unit on each axis."""

from __future__ import annotations

from pathlib import Path

import pytest

from minerscope.charts import CHARTS
from minerscope.charts import mpl as chart_mpl
from minerscope.charts.builders import difficulty_chart, drawdown_chart, machines_chart
from minerscope.report.story import Story

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"


def _has_unit(label: str) -> bool:
    return "[" in label and label.rstrip().endswith("]") and label.index("[") > 0


@pytest.mark.shared
@pytest.mark.parametrize("name", list(CHARTS))
def test_every_chart_renders_with_data_and_units(touchstone: Story, name: str) -> None:
    spec = CHARTS[name].build(touchstone.documents)
    assert not spec.empty and spec.name == name
    assert all(len(s.x) or len(s.y) for s in spec.series if s.kind not in ("hline", "vline"))
    fig = chart_mpl.figure(spec)
    axes = fig.get_axes()
    assert _has_unit(axes[0].get_xlabel()) and _has_unit(axes[0].get_ylabel()), spec
    for twin in axes[1:]:
        assert _has_unit(twin.get_ylabel())
    drawn = axes[0].lines + axes[0].collections + axes[0].patches  # type: ignore[operator]
    assert drawn
    png = chart_mpl.render(spec, "png")
    assert png.startswith(b"\x89PNG") and len(png) > 5_000
    svg = chart_mpl.render(spec, "svg").decode()
    assert "<svg" in svg and "</svg>" in svg


@pytest.mark.shared
def test_charts_draw_the_documents_values(touchstone: Story) -> None:
    docs = touchstone.documents
    dd = drawdown_chart(docs)
    peak = [s for s in dd.series if s.kind == "hline"][0]
    assert peak.y == (docs["hashrate"]["drawdown"]["hashrate_peak_ehs"],)
    assert len(dd.series[0].x) == docs["hashrate"]["drawdown"]["lookback_days"]
    fan = difficulty_chart(docs)
    nd = docs["difficulty"]["next_adjustment"]["next_difficulty_t"]
    ninety, fifty = (s for s in fan.series if s.kind == "interval")
    assert (ninety.lower, ninety.upper) == ((nd["p5"],), (nd["p95"],))
    assert (fifty.lower, fifty.upper) == ((nd["p25"],), (nd["p75"],))
    eta = docs["difficulty"]["next_adjustment"]["retarget_eta"]
    assert ninety.x_lower == (eta["p10"]["time_iso"],)
    assert ninety.x_upper == (eta["p90"]["time_iso"],)
    bars = machines_chart(docs).series[0]
    by_model = {m["model"]: m for m in docs["machines"]["machines"]}
    assert len(bars.y) == len(by_model)  # the whole catalog (56 models)
    for model, value, colour in zip(bars.y, bars.x, bars.colors, strict=True):
        assert value == by_model[str(model)]["breakeven_btc_price_usd"]
        assert (colour == "#2ca02c") is by_model[str(model)]["profitable"]


@pytest.mark.shared
def test_shares_are_drawn_in_percent(touchstone: Story) -> None:
    pools = touchstone.documents["pools"]["pools"]
    bars = CHARTS["pools"].build(touchstone.documents).series[0]
    top = pools[0]  # drawn last (the largest at the top)
    assert bars.y[-1] == top["pool_name"]
    assert (bars.x[-1], bars.lower[-1], bars.upper[-1]) == pytest.approx(
        (100 * top["block_share"], 100 * top["block_lower_share"], 100 * top["block_upper_share"])
    )
    hit = CHARTS["contraction"].build(touchstone.documents).series[0]
    assert hit.y[0] == pytest.approx(
        100 * touchstone.documents["contraction"]["stats"]["signal"]["hit_rate_share"]
    )


def test_a_chart_without_its_data_says_why() -> None:
    spec = CHARTS["pools"].build({"pools": None})
    assert spec.empty and spec.notes == ("no pool attribution known at this moment",)
    fig = chart_mpl.figure(spec)
    assert _has_unit(fig.get_axes()[0].get_xlabel())
    with pytest.raises(ValueError, match="png or svg"):
        chart_mpl.render(spec, "gif")


@pytest.mark.shared
@pytest.mark.parametrize("name", list(CHARTS))
def test_every_chart_is_also_plotly_figure_json(touchstone: Story, name: str) -> None:
    import json

    import plotly.graph_objects as go

    from minerscope.charts import plotly as chart_plotly

    spec = CHARTS[name].build(touchstone.documents)
    fig = chart_plotly.figure(spec)
    json.dumps(fig)  # plain JSON
    checked = go.Figure(fig)  # plotly validates every trace and layout key
    assert _has_unit(checked.layout.xaxis.title.text) and _has_unit(checked.layout.yaxis.title.text)
    shapes = sum(1 for s in spec.series if s.kind in ("hline", "vline"))
    bands = sum(1 for s in spec.series if s.kind == "band")
    assert len(fig["data"]) == len(spec.series) - shapes + bands
    assert len(fig["layout"]["shapes"]) == shapes
    for s, t in zip([s for s in spec.series if s.kind == "interval" and s.lower],
                    [t for t in fig["data"] if "error_y" in t], strict=True):  # fmt: skip
        lo, v = s.lower[0], s.y[0]
        assert isinstance(lo, float) and isinstance(v, float)
        assert t["error_y"]["arrayminus"][0] == pytest.approx(v - lo)


def test_dollar_signs_are_text_not_math() -> None:
    """A name from outside with dollar signs (``$x^2$``) is drawn as it is."""
    from minerscope.charts.spec import ChartSpec, Series

    spec = ChartSpec("t", "at $0.08/kWh and $70,000", "model [name]", "x [USD]", "category",
                     (Series("$x^2$ pool", "barh", (1.0,), ("$\\frac{a}{b}$",)),))  # fmt: skip
    fig = chart_mpl.figure(spec)
    ax = fig.get_axes()[0]
    texts = [*ax.get_legend().get_texts(), *ax.get_yticklabels(), fig._suptitle]
    assert all(t is not None and not t.get_parse_math() for t in texts)
    assert chart_mpl.render(spec, "svg")  # and it draws


@pytest.mark.shared
def test_the_curtail_chart_draws_each_groups_days(reference_db_file: Path) -> None:
    from minerscope.report.story import TOUCHSTONE, StoryInputs, story_view

    inputs = StoryInputs(fleet=EXAMPLES / "fleet_hourly.toml")
    story = story_view(reference_db_file, TOUCHSTONE, now_s=1_800_000_000, inputs=inputs,
                       only=("curtail",))  # fmt: skip
    assert "curtail" in story.report.charts
    spec = CHARTS["curtail"].build(story.documents)
    days = [d for d in story.documents["curtail"]["days"] if d["group"] == "s21"]
    s21 = next(s for s in spec.series if s.name == "s21 hours off")
    assert s21.y == tuple(d["hours_off"] for d in days) and s21.x[0] == "2026-01-25"
    assert max(v for v in s21.y if isinstance(v, float)) <= 24  # [h per day]
    assert chart_mpl.render(spec, "png").startswith(b"\x89PNG")
