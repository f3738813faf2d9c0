"""The report as one self-contained file: HTML (inline CSS, charts as inline SVG, no script,
no external resource) or Markdown (charts as base64 PNG data URIs).

Rendering only: the figures and sentences come from the
:class:`~minerscope.report.story_results.StoryReport`; every text from outside (a model or
pool name, a note) is escaped.
"""

from __future__ import annotations

import base64
import html
import os
import re
import stat
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

from ..errors import InputError
from ..report.story import Story
from ..report.story_results import StoryReport
from ..report.story_text import headline

NEW_FILE_MODE: Final = 0o666
PAGE_FORMATS: Final = {".html": "html", ".htm": "html", ".md": "md"}
CHART_FORMATS: Final = {".png": "png", ".svg": "svg"}
CSS: Final = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:60rem;
margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{font-size:1.2rem;margin-top:2rem;
border-bottom:1px solid #ddd} .meta{color:#666;font-size:.9rem}
table{border-collapse:collapse;width:100%;font-size:.9rem} th,td{border:1px solid #ddd;
padding:.3rem .5rem;text-align:left;vertical-align:top} th{background:#f5f5f5}
figure{margin:1.5rem 0} figure svg{width:100%;height:auto} figcaption{color:#555;
font-size:.85rem} .notes li{color:#666;font-size:.9rem}
"""


def _title(r: StoryReport) -> str:
    return f"minerscope report as of {r.as_of.time_iso}"


def _meta(r: StoryReport) -> str:
    a = r.as_of
    tip = "" if a.tip_height is None else f", tip {a.tip_height:,}"
    return f"data as of {a.data_time_iso or 'n/a'} ({a.resolution or 'no'} data{tip})"


_METADATA_RE = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)


def _svg_body(svg: str) -> str:
    """The ``<svg>`` element of a matplotlib SVG file, without its XML declaration, DOCTYPE
    and RDF metadata block."""
    start = svg.find("<svg")
    return _METADATA_RE.sub("", svg[start:] if start >= 0 else svg, count=1)


def render_html(
    r: StoryReport, svgs: Mapping[str, str], captions: Mapping[str, str] | None = None
) -> str:
    """The report as one HTML page; ``svgs`` maps chart name -> SVG text."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(_title(r))}</title><style>{CSS}</style></head><body>",
        f"<h1>{e(_title(r))}</h1>",
        f'<p class="meta">{e(_meta(r))}</p>',
        "<h2>Headline figures</h2>",
        "<table><thead><tr><th>figure [unit]</th><th>value</th><th>interval</th></tr></thead>"
        "<tbody>",
        *(f"<tr><td>{e(a)}</td><td>{e(b)}</td><td>{e(c)}</td></tr>" for a, b, c in headline(r)),
        "</tbody></table>",
        "<h2>The story in numbers</h2>",
        *(f"<p>{e(s)}</p>" for s in r.narrative),
    ]
    if r.article:
        parts += [
            "<h2>The February 2026 article and minerscope, side by side</h2>",
            "<table><thead><tr><th>figure</th><th>article</th><th>minerscope</th></tr></thead>"
            "<tbody>",
            *(
                f"<tr><td>{e(a.figure)}</td><td>{e(a.article)}</td><td>{e(a.ours)}</td></tr>"
                for a in r.article
            ),  # fmt: skip
            "</tbody></table>",
        ]
    if svgs:
        parts.append("<h2>Charts</h2>")
        for name, svg in svgs.items():
            cap = (captions or {}).get(name, name)
            parts.append(f'<figure id="chart-{e(name)}">{_svg_body(svg)}'
                         f"<figcaption>{e(cap)}</figcaption></figure>")  # fmt: skip
    if r.notes or r.as_of.notes:
        parts += ["<h2>Notes</h2>", '<ul class="notes">',
                  *(f"<li>{e(n)}</li>" for n in (*r.as_of.notes, *r.notes)), "</ul>"]  # fmt: skip
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _md(text: str) -> str:
    """Markdown-safe table/paragraph text (pipes, brackets and angle brackets escaped)."""
    out = text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
    return out.replace("[", "\\[").replace("]", "\\]").replace("\n", " ")


def render_markdown(
    r: StoryReport, pngs: Mapping[str, bytes], captions: Mapping[str, str] | None = None
) -> str:
    """The report as Markdown; ``pngs`` maps chart name -> PNG bytes (inlined as data URIs)."""
    lines = [f"# {_md(_title(r))}", "", f"*{_md(_meta(r))}*", "", "## Headline figures", "",
             "| figure [unit] | value | interval |", "| --- | --- | --- |"]  # fmt: skip
    lines += [f"| {_md(a)} | {_md(b)} | {_md(c)} |" for a, b, c in headline(r)]
    lines += ["", "## The story in numbers", ""]
    for s in r.narrative:
        lines += [_md(s), ""]
    if r.article:
        lines += ["## The February 2026 article and minerscope, side by side", "",
                  "| figure | article | minerscope |", "| --- | --- | --- |"]  # fmt: skip
        lines += [f"| {_md(a.figure)} | {_md(a.article)} | {_md(a.ours)} |" for a in r.article]
        lines.append("")
    if pngs:
        lines += ["## Charts", ""]
        for name, png in pngs.items():
            data = base64.b64encode(png).decode("ascii")
            cap = _md((captions or {}).get(name, name))
            lines += [f"![{cap}](data:image/png;base64,{data})", "", f"*{cap}*", ""]
    notes = (*r.as_of.notes, *r.notes)
    if notes:
        lines += ["## Notes", "", *(f"- {_md(n)}" for n in notes), ""]
    return "\n".join(lines)


def output_format(path: Path, formats: Mapping[str, str], option: str = "--out") -> str:
    """The format of an output file from its suffix; InputError when the suffix is unknown or
    the folder does not exist (nothing is written then)."""
    fmt = formats.get(path.suffix.lower())
    if fmt is None:
        raise InputError(
            f"unknown file type {path.suffix or '(none)'!r}: use {', '.join(formats)}",
            path=str(path), field=option,
        )  # fmt: skip
    if not path.parent.is_dir():
        raise InputError("the folder does not exist", path=str(path.parent), field=option)
    return fmt


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return NEW_FILE_MODE & ~mask


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename:
    the file is complete or untouched. It gets the mode a new file gets (``0o666`` less the
    umask), or the mode of the file it replaces."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def chart_bytes(docs: Mapping[str, object], name: str, fmt: str) -> bytes:
    """Chart ``name`` of the documents as PNG or SVG bytes."""
    from . import mpl
    from .builders import CHARTS

    return mpl.render(CHARTS[name].build(docs), fmt)


def story_bytes(story: Story, fmt: str) -> bytes:
    """The whole report as an HTML page (``fmt`` ``html``) or Markdown (``md``), UTF-8."""
    from . import mpl

    mpl.require_matplotlib()
    names = story.report.charts
    caps = chart_captions(names)
    if fmt == "html":
        svgs = {n: chart_bytes(story.documents, n, "svg").decode("utf-8") for n in names}
        return render_html(story.report, svgs, caps).encode("utf-8")
    pngs = {n: chart_bytes(story.documents, n, "png") for n in names}
    return render_markdown(story.report, pngs, caps).encode("utf-8")


def chart_captions(names: Sequence[str]) -> dict[str, str]:
    """Each chart's one-line description (``minerscope plot --list``)."""
    from .builders import CHARTS

    return {n: CHARTS[n].description for n in names}


__all__ = [
    "CHART_FORMATS",
    "PAGE_FORMATS",
    "chart_bytes",
    "chart_captions",
    "output_format",
    "render_html",
    "render_markdown",
    "story_bytes",
    "write_atomic",
]
