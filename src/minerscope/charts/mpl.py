"""matplotlib renderer: a :class:`~minerscope.charts.spec.ChartSpec` to a Figure, PNG or SVG.

Uses :class:`matplotlib.figure.Figure` with the Agg canvas directly (no pyplot, no global
state, no window). matplotlib is the ``plot`` extra; without it :func:`require_matplotlib`
raises one line saying how to install it.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from ..errors import MinerscopeError
from .spec import ChartSpec, Series

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

PLOT_EXTRA_HINT: Final = "charts need matplotlib: pip install 'minerscope[plot]'"
FORMATS: Final = ("png", "svg")
WIDTH_IN: Final = 8.0
HEIGHT_IN: Final = 4.2
DPI: Final = 100
BAND_ALPHA: Final = 0.2
BAR_ROW_IN: Final = 0.22  # inches per bar of a horizontal bar chart


class MissingPlotExtraError(MinerscopeError):
    """matplotlib is not installed (the message says how to install it)."""


def require_matplotlib() -> None:
    """Raise :class:`MissingPlotExtraError` when matplotlib cannot be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise MissingPlotExtraError(PLOT_EXTRA_HINT) from exc


def _t(value: object) -> datetime:
    text = str(value).replace("Z", "+00:00")
    t = datetime.fromisoformat(text)
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def _xs(spec: ChartSpec, values: tuple[object, ...]) -> list[Any]:
    return [_t(v) for v in values] if spec.x_kind == "time" else list(values)


def _nan(values: tuple[object, ...]) -> list[float]:
    return [float("nan") if v is None else float(str(v)) for v in values]


def _draw(ax: Axes, spec: ChartSpec, s: Series) -> None:
    k = s.kind
    if k in ("line", "step", "markers"):
        x, y = _xs(spec, s.x), _nan(s.y)
        if k == "line":
            ax.plot(x, y, color=s.color, label=s.name, linewidth=1.5)
        elif k == "step":
            ax.step(x, y, where="post", color=s.color, label=s.name, linewidth=1.5)
        else:
            ax.plot(x, y, linestyle="none", marker="o", markersize=3, color=s.color,
                    label=s.name)  # fmt: skip
    elif k == "band":
        ax.fill_between(_xs(spec, s.x), _nan(s.lower), _nan(s.upper), color=s.color,
                        alpha=BAND_ALPHA, linewidth=0, label=s.name)  # fmt: skip
    elif k == "bar":
        ax.bar(_xs(spec, s.x), _nan(s.y), color=s.color, label=s.name, width=0.8)
    elif k == "barh":
        values, names = _nan(s.x), [str(v) for v in s.y]
        err = None
        if s.lower and s.upper:
            err = [[v - lo for v, lo in zip(values, _nan(s.lower), strict=True)],
                   [hi - v for v, hi in zip(values, _nan(s.upper), strict=True)]]  # fmt: skip
        ax.barh(names, values, color=list(s.colors) or s.color, xerr=err, label=s.name,
                ecolor="black", capsize=2)  # fmt: skip
    elif k == "interval":
        x, y = _xs(spec, s.x), _nan(s.y)
        yerr = None
        if s.lower and s.upper:
            yerr = [[v - lo for v, lo in zip(y, _nan(s.lower), strict=True)],
                    [hi - v for v, hi in zip(y, _nan(s.upper), strict=True)]]  # fmt: skip
        xerr = None
        if s.x_lower and s.x_upper:
            xl, xu = _xs(spec, s.x_lower), _xs(spec, s.x_upper)
            xerr = [[a - b for a, b in zip(x, xl, strict=True)],
                    [b - a for a, b in zip(x, xu, strict=True)]]  # fmt: skip
        ax.errorbar(x, y, yerr=yerr, xerr=xerr, fmt="o", color=s.color, capsize=4,
                    label=s.name, linewidth=2)  # fmt: skip
    elif k == "hline":
        ax.axhline(_nan(s.y)[0], color=s.color, linestyle="--", linewidth=1, label=s.name)
    elif k == "vline":
        ax.axvline(_nan(s.x)[0], color=s.color, linestyle="--", linewidth=1.5, label=s.name)


def figure(spec: ChartSpec) -> Figure:
    """The matplotlib Figure of ``spec`` (axis labels with units, legend, notes).

    Every text is drawn as it is: ``$`` is a dollar sign, not mathtext (a model or pool name
    from outside cannot switch the renderer into math mode).
    """
    require_matplotlib()
    import matplotlib

    with matplotlib.rc_context({"text.parse_math": False}):
        return _figure(spec)


def _figure(spec: ChartSpec) -> Figure:
    from matplotlib.figure import Figure

    bars = max((len(s.y) for s in spec.series if s.kind == "barh"), default=0)
    height = max(HEIGHT_IN, 1.6 + BAR_ROW_IN * bars)
    fig = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained")
    ax = fig.add_subplot()
    fig.suptitle(spec.title, fontsize=10, x=0.01, ha="left")
    if spec.notes:
        ax.set_title("\n".join(spec.notes), fontsize=7, loc="left", color="#444444")
    ax.set_xlabel(spec.x_label)
    ax.set_ylabel(spec.y_label)
    ax.grid(True, alpha=0.3)
    ax2 = None
    for s in spec.series:
        if s.secondary:
            if ax2 is None:
                ax2 = ax.twinx()
                ax2.set_ylabel(spec.y2_label or "")
            _draw(ax2, spec, s)
        else:
            _draw(ax, spec, s)
    from matplotlib.ticker import FuncFormatter

    numbers = FuncFormatter(lambda v, _pos: f"{v:,.6g}")
    value_axes = [ax.yaxis] if not any(s.kind == "barh" for s in spec.series) else [ax.xaxis]
    for a in value_axes + ([ax2.yaxis] if ax2 is not None else []):
        a.set_major_formatter(numbers)
    if spec.x_kind == "time" and not spec.empty:
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

        loc = AutoDateLocator()  # type: ignore[no-untyped-call]
        ax.xaxis.set_major_locator(loc)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(loc))  # type: ignore[no-untyped-call]
    handles, labels = ax.get_legend_handles_labels()
    if ax2 is not None:
        h2, l2 = ax2.get_legend_handles_labels()
        handles, labels = handles + h2, labels + l2
    if handles:
        ax.legend(handles, labels, fontsize=7, loc="best")
    if spec.empty:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center")
    return fig


def render(spec: ChartSpec, fmt: str) -> bytes:
    """``spec`` as PNG or SVG bytes (``fmt``: ``png`` or ``svg``)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown chart format {fmt!r}: use png or svg")
    import matplotlib

    fig = figure(spec)
    buf = io.BytesIO()
    metadata: dict[str, Any] = {"Software": None} if fmt == "png" else {"Date": None}
    with matplotlib.rc_context({"text.parse_math": False}):
        fig.savefig(buf, format=fmt, metadata=metadata)
    return buf.getvalue()


__all__ = [
    "FORMATS",
    "PLOT_EXTRA_HINT",
    "MissingPlotExtraError",
    "figure",
    "render",
    "require_matplotlib",
]
