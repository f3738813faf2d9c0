"""Fixtures of the report tests: the touchstone report on the reference data plus pools."""

from __future__ import annotations

from pathlib import Path

import pytest

from minerscope.report.story import TOUCHSTONE, Story, StoryInputs, story_view

EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"
NOW_S = 1_800_000_000  # a clock after every stored day (2027-01-15) [Unix s]


@pytest.fixture(scope="session")
def touchstone(pools_db_file: Path) -> Story:
    """The report as of the article's moment (block 934,575), with the pool attribution and
    the example fleet on ERCOT West's hourly prices (the January 2026 winter storm)."""
    import matplotlib

    matplotlib.use("Agg")
    inputs = StoryInputs(fleet=EXAMPLES / "fleet_hourly.toml")
    return story_view(pools_db_file, TOUCHSTONE, now_s=NOW_S, inputs=inputs)
