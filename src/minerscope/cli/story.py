"""Commands ``report`` (the written report as one HTML or Markdown file) and ``plot`` (one
chart as PNG or SVG): render :mod:`minerscope.report.story` and :mod:`minerscope.charts`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import InputError, NoDataError
from ..report.story import ARTICLE_POWER_PRICE_USD_PER_KWH as ARTICLE_POWER
from ..report.story import DEFAULT_SERIES_DAYS as SERIES_DAYS
from ._app import app
from ._output import AtOption, DbOption, JsonOption, emit_json, message, now_s, render_table

OutOption = Annotated[
    Path | None,
    typer.Option("--out", metavar="FILE", help="Output file (written atomically).",
                 show_default=False),
]  # fmt: skip
PowerOption = Annotated[
    float,
    typer.Option("--power-price-usd-per-kwh", min=0.0,
                 help="Electricity price of the machine verdicts [USD/kWh]."),
]  # fmt: skip
FleetOption = Annotated[
    Path | None,
    typer.Option("--fleet", metavar="FILE",
                 help="A fleet with hourly power prices: its curtailment over the 7 days"
                 " before TIME (threshold rule)."),
]  # fmt: skip
SeriesOption = Annotated[
    int,
    typer.Option("--series-days", min=30, max=36_500, help="Days of history in the charts [days]."),
]


@app.command("report")
def report_cmd(
    out: OutOption = None,
    at: AtOption = None,
    power_price_usd_per_kwh: PowerOption = ARTICLE_POWER,
    series_days: SeriesOption = SERIES_DAYS,
    fleet: FleetOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """The story as of TIME in one self-contained file: figures with intervals, narrative, charts.

    --out FILE.html: one page, inline CSS and SVG charts, no script or external resource;
    FILE.md: Markdown with the charts as base64 PNG data URIs. --json prints the report's
    figures and sentences (with or without --out). Needs the plot extra for the charts.

    Example: minerscope report --at 2026-02-01T08:40:17Z --out report.html
    """
    from ..charts import page
    from ..report import story

    if out is None and not json_out:
        raise InputError("give --out FILE.html|FILE.md, --json, or both", field="--out")
    fmt = None if out is None else page.output_format(out, page.PAGE_FORMATS)
    if fmt is not None:
        from ..charts.mpl import require_matplotlib

        require_matplotlib()
    inputs = story.StoryInputs(power_price_usd_per_kwh=power_price_usd_per_kwh,
                               series_days=series_days, fleet=fleet)  # fmt: skip
    result = story.story_view(db, at, now_s=now_s(), inputs=inputs)
    if out is not None and fmt is not None:
        page.write_atomic(out, page.story_bytes(result, fmt))
        message(f"wrote {out} ({len(result.report.charts)} charts)")
    if json_out:
        emit_json(result.report)


def _list_charts(json_out: bool) -> None:
    from ..charts import CHARTS

    if json_out:
        from ..charts.spec import ChartInfo, PlotList

        emit_json(PlotList(charts=tuple(ChartInfo(name=n, description=c.description,
                                                  documents=c.needs)
                                        for n, c in CHARTS.items())))  # fmt: skip
        return
    render_table("charts (minerscope plot NAME --out FILE.png|FILE.svg)",
                 ["name", "shows", "from the documents"],
                 [[n, c.description, ", ".join(c.needs)] for n, c in CHARTS.items()],
                 justify=lambda i: "left")  # fmt: skip


@app.command("plot")
def plot_cmd(
    name: Annotated[str | None, typer.Argument(metavar="NAME", help="The chart (--list).")] = None,
    out: OutOption = None,
    at: AtOption = None,
    list_charts: Annotated[bool, typer.Option("--list", help="List the charts.")] = False,
    power_price_usd_per_kwh: PowerOption = ARTICLE_POWER,
    series_days: SeriesOption = SERIES_DAYS,
    fleet: FleetOption = None,
    db: DbOption = None,
    json_out: JsonOption = False,
) -> None:
    """One chart of the report as of TIME, as PNG or SVG (every axis names its unit).

    --json prints the chart's specification (its series, with names and units), with or
    without --out.

    Example: minerscope plot hashrate --at 2026-02-01T08:40:17Z --out hashrate.png
    """
    if list_charts:
        _list_charts(json_out)
        return
    from ..charts import CHARTS, page
    from ..charts.mpl import require_matplotlib
    from ..report import story

    if name is None:
        raise typer.BadParameter("give a chart NAME (minerscope plot --list)", param_hint="NAME")
    if name not in CHARTS:
        raise typer.BadParameter(f"unknown chart {name!r}; known: {', '.join(CHARTS)}",
                                 param_hint="NAME")  # fmt: skip
    if out is None and not json_out:
        raise InputError("give --out FILE.png|FILE.svg, --json, or both", field="--out")
    fmt = None if out is None else page.output_format(out, page.CHART_FORMATS)
    if fmt is not None:
        require_matplotlib()
    inputs = story.StoryInputs(power_price_usd_per_kwh=power_price_usd_per_kwh,
                               series_days=series_days, fleet=fleet)  # fmt: skip
    needs = CHARTS[name].needs
    result = story.story_view(db, at, now_s=now_s(), inputs=inputs, only=needs)
    missing = [d for d in needs if d not in result.documents]
    if missing == ["curtail"]:
        raise InputError(f"chart {name} needs a fleet: give --fleet FILE", field="--fleet")
    if missing:
        notes = "; ".join(result.report.notes) or f"no {', '.join(missing)} document"
        raise NoDataError(f"chart {name}: {notes}")
    spec = CHARTS[name].build(result.documents)
    if out is not None and fmt is not None:
        from ..charts import mpl

        page.write_atomic(out, mpl.render(spec, fmt))
        message(f"wrote {out}")
    if json_out:
        from ..charts.spec import PlotDocument

        emit_json(PlotDocument(as_of=result.report.as_of, chart=spec,
                               out=None if out is None else str(out)))  # fmt: skip


__all__ = ["plot_cmd", "report_cmd"]
