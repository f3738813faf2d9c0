"""plotly renderer: a :class:`~minerscope.charts.spec.ChartSpec` to a plotly figure dict
(``{"data": [...], "layout": {...}}``, plain JSON; plotly.js draws it, and
``plotly.graph_objects.Figure(fig)`` takes it). No plotly import is needed to build it.

The dashboard (``/figures/PAGE``) draws these figures, so a chart is specified once for
``minerscope plot`` / ``report`` (matplotlib) and the dashboard (plotly.js).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from .spec import ChartSpec, Series

Figure = dict[str, Any]
MS_PER_S: Final = 1000
BAND_ALPHA: Final = 0.18
HEIGHT_PX: Final = 340
BAR_ROW_PX: Final = 22  # pixels per bar of a horizontal bar chart
BAR_FRAME_PX: Final = 110  # title, axis and notes around the bars
VIEW_PAD: Final = 0.08  # of the visible value range, above and below (the view window)
VIEW_PAD_X: Final = 0.02  # of the visible time span, after the last position
NOTE_ROW_PX: Final = 15  # a note's line above the plot
ERROR_BAR = {"thickness": 3, "width": 8}  # px: an interval reads at a glance


def _plain(value: Any) -> Any:
    """A text shown as it is: plotly.js reads ``<b>``, ``<br>``, ``<a href>`` and entities in
    names, ticks, hover and notes, so ``&``, ``<`` and ``>`` become entities (it decodes
    them in text, after it has split the tags). Numbers pass through."""
    if not isinstance(value, str):
        return value
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _texts(values: tuple[Any, ...]) -> list[Any]:
    return [_plain(v) for v in values]


def _rgba(color: str, alpha: float) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _ms(value: object) -> float:
    t = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return (t if t.tzinfo else t.replace(tzinfo=UTC)).timestamp() * MS_PER_S


def _errors(
    values: tuple[object, ...], lower: tuple[object, ...], upper: tuple[object, ...], time: bool
) -> dict[str, Any]:
    """plotly's asymmetric error bars (for times in milliseconds, as date axes count)."""
    conv = _ms if time else (lambda v: float(str(v)))
    up = [conv(u) - conv(v) for v, u in zip(values, upper, strict=True)]
    down = [conv(v) - conv(lo) for v, lo in zip(values, lower, strict=True)]
    return {"type": "data", "symmetric": False, "array": up, "arrayminus": down}


def _hover(spec: ChartSpec, s: Series) -> str:
    """The hover text: the value with its unit (and the category, off a time axis)."""
    if s.kind == "barh":
        return f"%{{y}}: %{{x:,.6~g}} {s.unit}"
    value = f"%{{y:,.6~g}} {s.unit}"
    return value if spec.x_kind == "time" else f"%{{x}}: {value}"


def _traces(spec: ChartSpec, s: Series) -> list[Figure]:
    base: Figure = {"type": "scatter", "name": _plain(s.name)}
    xs = list(s.x) if spec.x_kind == "time" else _texts(s.x)  # categories: names from outside
    if s.secondary:
        base["yaxis"] = "y2"
    line = {"color": s.color}
    k = s.kind
    if s.unit and k != "band":
        base["hovertemplate"] = _hover(spec, s)
    if k in ("line", "step"):
        shape = {"shape": "hv"} if k == "step" else {}
        return [{**base, "x": xs, "y": list(s.y), "mode": "lines", "line": {**line, **shape}}]
    if k == "markers":
        return [{**base, "x": xs, "y": list(s.y), "mode": "markers",
                 "marker": {"color": s.color, "size": 5}}]  # fmt: skip
    if k == "band":
        return [
            {**base, "x": xs, "y": list(s.upper), "mode": "lines", "line": {"width": 0},
             "showlegend": False, "hoverinfo": "skip", "name": f"{s.name} upper"},
            {**base, "x": xs, "y": list(s.lower), "mode": "lines", "line": {"width": 0},
             "fill": "tonexty", "fillcolor": _rgba(s.color, BAND_ALPHA), "customdata":
             list(s.upper), "hovertemplate": f"%{{y:,.6~g}} .. %{{customdata:,.6~g}} {s.unit}"},
        ]  # fmt: skip
    if k == "bar":
        return [{**base, "type": "bar", "x": xs, "y": list(s.y),
                 "marker": {"color": s.color}}]  # fmt: skip
    if k == "barh":
        colors = list(s.colors) or s.color
        bar: Figure = {**base, "type": "bar", "orientation": "h", "x": list(s.x),
                       "y": _texts(s.y), "marker": {"color": colors}}  # fmt: skip
        if s.lower and s.upper:
            bar["error_x"] = _errors(s.x, s.lower, s.upper, time=False)
        return [bar]
    if k == "interval":
        point: Figure = {**base, "x": xs, "y": list(s.y), "mode": "markers",
                         "marker": {"color": s.color, "size": 9}}  # fmt: skip
        if s.lower and s.upper:
            point["error_y"] = {**_errors(s.y, s.lower, s.upper, time=False), "color": s.color,
                                **ERROR_BAR}  # fmt: skip
        if s.x_lower and s.x_upper:
            timed = spec.x_kind == "time"
            point["error_x"] = {**_errors(s.x, s.x_lower, s.x_upper, time=timed), "color": s.color,
                                **ERROR_BAR}  # fmt: skip
        return [point]
    return []  # hline / vline: layout shapes


def _shape(s: Series) -> Figure:
    line = {"color": s.color, "dash": "dash", "width": 1.5}
    if s.kind == "hline":
        y = s.y[0]
        return {"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": y, "y1": y, "line": line}
    x = s.x[0]
    return {"type": "line", "yref": "paper", "y0": 0, "y1": 1, "x0": x, "x1": x, "line": line}


def _label(s: Series) -> Figure:
    """The name of a reference line, at its end (an hline's right, a vline's top)."""
    common: Figure = {"text": _plain(s.name), "showarrow": False,
                      "font": {"size": 11, "color": s.color}}  # fmt: skip
    if s.kind == "hline":
        return {**common, "xref": "paper", "x": 1, "xanchor": "right", "y": s.y[0],
                "yanchor": "bottom"}  # fmt: skip
    return {**common, "yref": "paper", "y": 1, "yanchor": "bottom", "x": s.x[0], "xanchor": "left"}


def _iso(ms: float) -> str:
    return datetime.fromtimestamp(ms / MS_PER_S, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _view(spec: ChartSpec, x_from: str) -> tuple[list[Any], list[float]] | None:
    """The x range from ``x_from`` to the last position, and the y range (padded) of the
    values drawn there (interval bounds included); None when nothing is drawn there."""
    ends: list[str] = []
    values: list[float] = []
    for s in spec.series:
        xs = [*s.x, *s.x_upper]
        ends += [str(x) for x in xs if x is not None]
        cols = [c for c in (s.y, s.lower, s.upper) if len(c) == len(s.x)]
        for i, x in enumerate(s.x):
            if x is not None and str(x) >= x_from:
                values += [float(str(c[i])) for c in cols if c[i] is not None]
    if not values or not ends:
        return None
    lo, hi = min(values), max(values)
    pad = (hi - lo) * VIEW_PAD or abs(hi) * VIEW_PAD
    t0, t1 = _ms(x_from), max(_ms(e) for e in ends)
    return [x_from, _iso(t1 + (t1 - t0) * VIEW_PAD_X)], [lo - pad, hi + pad]


def figure(spec: ChartSpec, *, x_from: str | None = None) -> Figure:
    """The plotly figure dict of ``spec`` (axis titles with units; notes as annotations).

    Parameters
    ----------
    spec : ChartSpec
        The chart.
    x_from : str or None
        A time chart's view starts here (ISO date; the dashboard's ``days`` window): the
        axes are zoomed to the positions from ``x_from`` on, and every point stays in the
        figure (zoom out to see it). None: plotly's own ranges. [ISO date]
    """
    data = [t for s in spec.series for t in _traces(spec, s)]
    bars = max((len(s.y) for s in spec.series if s.kind == "barh"), default=0)
    layout: Figure = {
        "title": {"text": _plain(spec.title), "x": 0.01, "xanchor": "left", "y": 1,
                  "yanchor": "top",
                  "pad": {"t": 10}, "font": {"size": 15}},
        "xaxis": {"title": {"text": spec.x_label}, "automargin": True},
        "yaxis": {"title": {"text": spec.y_label}, "automargin": True},
        "margin": {"l": 60, "r": 20, "t": 40 + NOTE_ROW_PX * len(spec.notes), "b": 50},
        "legend": {"orientation": "h", "y": -0.22},
        "hovermode": "x unified" if spec.x_kind == "time" else "closest",
        "height": max(HEIGHT_PX, BAR_ROW_PX * bars + BAR_FRAME_PX),
        "template": "plotly_white",
        "shapes": [_shape(s) for s in spec.series if s.kind in ("hline", "vline")],
        "annotations": [
            *({"text": _plain(n), "xref": "paper", "yref": "paper", "x": 0, "y": 1,
               "yanchor": "bottom",
               "yshift": NOTE_ROW_PX * (len(spec.notes) - 1 - i), "showarrow": False,
               "xanchor": "left", "font": {"size": 11}} for i, n in enumerate(spec.notes)),
            *(_label(s) for s in spec.series if s.kind in ("hline", "vline")),
        ],
    }  # fmt: skip
    if bars:
        layout["showlegend"] = False  # one bar series: its colours are explained in the notes
    if spec.x_kind == "time":
        layout["xaxis"]["type"] = "date"
        view = _view(spec, x_from) if x_from is not None else None
        if view is not None:
            layout["xaxis"]["range"], layout["yaxis"]["range"] = view
    if spec.y2_label is not None:
        layout["yaxis2"] = {"title": {"text": spec.y2_label}, "overlaying": "y",
                            "side": "right", "showgrid": False, "rangemode": "tozero",
                            "automargin": True}  # fmt: skip
    return {"data": data, "layout": layout}


__all__ = ["figure"]
