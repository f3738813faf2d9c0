"""``minerscope report`` and ``minerscope plot``: self-contained files written atomically,
refused paths, the plot extra's one-line hint."""

from __future__ import annotations

import base64
import html
import os
import re
import stat
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minerscope.charts import page
from minerscope.charts.mpl import PLOT_EXTRA_HINT, MissingPlotExtraError, require_matplotlib
from minerscope.cli import app
from minerscope.report.story import TOUCHSTONE, Story

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


@pytest.mark.shared
def test_the_html_page_is_self_contained(touchstone: Story) -> None:
    text = page.story_bytes(touchstone, "html").decode("utf-8")
    assert text.count("<svg") == len(touchstone.report.charts) == 14
    assert "<script" not in text.lower() and "<link" not in text.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", text)  # no external resource
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", text))
    assert urls == {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}  # namespaces
    assert "<?xml" not in text  # the SVGs are inlined as elements
    for sentence in touchstone.report.narrative:
        assert html.escape(sentence) in text
    assert "side by side" in text and "about 970 EH/s" in text
    assert "<h2>Headline figures</h2>" in text and "<td>hash rate, 1008 blocks [EH/s]</td>" in text


@pytest.mark.shared
def test_the_markdown_inlines_png_charts(touchstone: Story) -> None:
    text = page.story_bytes(touchstone, "md").decode("utf-8")
    uris = re.findall(r"\(data:image/png;base64,([A-Za-z0-9+/=]+)\)", text)
    assert len(uris) == 14
    assert all(base64.b64decode(u).startswith(b"\x89PNG") for u in uris)
    assert "| network hash rate | about 970 EH/s |" in text
    assert "| hash rate, 1008 blocks \\[EH/s\\] | 841.1 | 95% 790.7 .. 894.7 |" in text


def test_text_from_outside_is_escaped() -> None:
    assert page._md("a|b [x](http://evil) <img>") == "a\\|b \\[x\\](http://evil) &lt;img>"


def test_output_paths_are_checked(tmp_path: Path) -> None:
    assert page.output_format(tmp_path / "r.HTML", page.PAGE_FORMATS) == "html"
    with pytest.raises(Exception, match="unknown file type '.pdf'"):
        page.output_format(tmp_path / "r.pdf", page.PAGE_FORMATS)
    with pytest.raises(Exception, match="the folder does not exist"):
        page.output_format(tmp_path / "no" / "r.md", page.PAGE_FORMATS)


def test_files_get_the_usual_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        page.write_atomic(tmp_path / "new.svg", b"<svg/>")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.svg").stat().st_mode) == 0o644  # 0o666 & ~0o022
    (tmp_path / "new.svg").chmod(0o600)
    page.write_atomic(tmp_path / "new.svg", b"<svg></svg>")
    assert stat.S_IMODE((tmp_path / "new.svg").stat().st_mode) == 0o600  # kept


def test_files_are_replaced_whole(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    out.write_text("old", encoding="utf-8")
    page.write_atomic(out, b"new")
    assert out.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == ["r.html"]
    with pytest.raises(TypeError):  # a failed write (str into a binary file)
        page.write_atomic(out, "text")  # type: ignore[arg-type]
    assert out.read_bytes() == b"new" and [p.name for p in tmp_path.iterdir()] == ["r.html"]


@pytest.mark.shared
def test_report_and_plot_commands(reference_db_file: Path, tmp_path: Path) -> None:
    db = ["--db", str(reference_db_file)]
    out = tmp_path / "r.md"
    code, _, err = run("report", "--at", TOUCHSTONE, "--out", str(out), "--series-days", "60", *db)
    assert code == 0, err
    assert "wrote" in err and "12 charts" in err  # no pool attribution in this database
    text = out.read_text(encoding="utf-8")
    assert "pools: no block timestamped" in text  # the note says why
    png = tmp_path / "h.svg"
    code, _, err = run("plot", "halving", "--at", TOUCHSTONE, "--out", str(png), *db)
    assert code == 0 and png.read_text(encoding="utf-8").lstrip().startswith("<?xml"), err
    code, _, err = run("plot", "pools", "--at", TOUCHSTONE, "--out", str(tmp_path / "p.png"), *db)
    assert code == 1 and "chart pools: pools: no block timestamped" in err
    assert not (tmp_path / "p.png").exists()


def test_bad_command_lines(tmp_path: Path) -> None:
    code, out, _ = run("plot", "--list")
    assert code == 0 and all(n in out for n in ("hashrate", "difficulty", "machines", "pools"))
    code, _, err = run("plot", "nope", "--out", str(tmp_path / "x.png"))
    assert code == 2 and "unknown chart 'nope'" in err
    code, _, err = run("plot", "hashrate", "--out", str(tmp_path / "none" / "x.png"))
    assert code == 1 and "the folder does not exist" in err and len(err.splitlines()) == 1
    code, _, err = run("report", "--out", str(tmp_path / "x.pdf"))
    assert code == 1 and "unknown file type '.pdf'" in err
    code, _, err = run("report")
    assert code == 1 and "give --out" in err
    assert list(tmp_path.iterdir()) == []


def test_without_matplotlib_one_line_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib fails
    with pytest.raises(MissingPlotExtraError):
        require_matplotlib()
    code, _, err = run("plot", "hashrate", "--out", str(tmp_path / "x.png"))
    assert code == 1 and err.strip() == f"minerscope: error: {PLOT_EXTRA_HINT}"
    assert "pip install 'minerscope[plot]'" in err
    code, _, err = run("report", "--out", str(tmp_path / "x.html"))
    assert code == 1 and PLOT_EXTRA_HINT in err and list(tmp_path.iterdir()) == []
