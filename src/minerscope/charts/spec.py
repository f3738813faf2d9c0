"""Chart specifications: what a chart shows (named series with units), not how it is drawn.

A :class:`ChartSpec` holds the series of one chart, taken from the library's documents (the
CLI's ``--json``, as plain dicts) without computing anything of its own beyond unit scaling
and picking rows. Renderers turn a spec into a picture: :mod:`minerscope.charts.mpl`
(matplotlib: PNG and SVG) and :mod:`minerscope.charts.plotly` (plotly figure JSON). Every
axis label names its unit in brackets (``"hash rate [EH/s]"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from ..results import AsOfInfo, Result

SeriesKind = Literal["line", "step", "markers", "band", "bar", "barh", "interval", "hline", "vline"]
XKind = Literal["time", "category"]
#: A position or value: an ISO date/time or category name, or a number (None: no value).
Value = str | float | None

BLUE = "#1f77b4"
ORANGE = "#ff7f0e"
GREEN = "#2ca02c"
RED = "#d62728"
GREY = "#7f7f7f"
PURPLE = "#9467bd"


@dataclass(frozen=True)
class Series:
    """One data series of a chart.

    Attributes
    ----------
    name : str
        Legend label.
    kind : str
        ``line``, ``step`` (post-step), ``markers``, ``band`` (filled between ``lower`` and
        ``upper``), ``bar`` (vertical), ``barh`` (horizontal: ``x`` holds the values, ``y``
        the categories), ``interval`` (a point ``y`` with ``lower``..``upper`` error bars,
        and ``x_lower``..``x_upper`` horizontally when given), ``hline`` / ``vline`` (one
        value in ``y`` / ``x``).
    x, y : tuple
        Positions: ISO dates/times (``XKind`` ``time``), category names, or numbers.
    lower, upper : tuple of float or None
        The interval bounds of ``y`` (``band``, ``interval``) or of ``x`` (``barh``).
    x_lower, x_upper : tuple
        Horizontal interval bounds (an ETA's p10..p90) of an ``interval`` series.
    unit : str
        The unit of the values (``"EH/s"``), for renderers' hover text.
    color : str
        Line or fill colour (``#rrggbb``).
    colors : tuple of str
        One colour per bar (``bar``, ``barh``), when the bars differ.
    secondary : bool
        Drawn against the secondary y axis (``ChartSpec.y2_label``).
    """

    name: str
    kind: SeriesKind
    x: tuple[Value, ...] = ()
    y: tuple[Value, ...] = ()
    lower: tuple[float | None, ...] = ()
    upper: tuple[float | None, ...] = ()
    x_lower: tuple[Value, ...] = ()
    x_upper: tuple[Value, ...] = ()
    unit: str = ""
    color: str = BLUE
    colors: tuple[str, ...] = ()
    secondary: bool = False


@dataclass(frozen=True)
class ChartSpec:
    """One chart: its series, axis labels (each with its unit) and notes.

    Attributes
    ----------
    name : str
        The chart's name (``minerscope plot NAME``).
    title : str
        Title line.
    x_label, y_label : str
        Axis labels, each naming its unit in brackets.
    x_kind : str
        ``time`` (ISO dates or times) or ``category``.
    series : tuple of Series
        What is drawn, in drawing order.
    y2_label : str or None
        The secondary y axis label (with its unit), when a series uses it.
    notes : tuple of str
        One line each, drawn under the chart (an interval the series cannot show, a reason
        the chart is empty).
    """

    name: str
    title: str
    x_label: str
    y_label: str
    x_kind: XKind
    series: tuple[Series, ...]
    y2_label: str | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        """True when no series has a data point (the notes say why)."""
        return not any(s.x or s.y for s in self.series)


@dataclass(frozen=True)
class PlotDocument(Result):
    """``minerscope plot NAME --json``: the chart's specification as of a moment.

    Attributes
    ----------
    as_of : AsOfInfo
        The moment of the documents the chart is drawn from.
    chart : ChartSpec
        What the chart shows (series with names and units).
    out : str or None
        The file written (``--out``), None without one.
    """

    DOCUMENT: ClassVar[str] = "plot"

    as_of: AsOfInfo
    chart: ChartSpec
    out: str | None


@dataclass(frozen=True)
class ChartInfo:
    """One chart of ``minerscope plot --list``: its name, what it shows, its documents."""

    name: str
    description: str
    documents: tuple[str, ...]


@dataclass(frozen=True)
class PlotList(Result):
    """``minerscope plot --list --json``: every chart."""

    DOCUMENT: ClassVar[str] = "plot_list"

    charts: tuple[ChartInfo, ...]


__all__ = [
    "ChartInfo",
    "PlotDocument",
    "PlotList",
    "Value",
    "BLUE",
    "GREEN",
    "GREY",
    "ORANGE",
    "PURPLE",
    "RED",
    "ChartSpec",
    "Series",
    "SeriesKind",
    "XKind",
]
