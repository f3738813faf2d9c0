"""The console script registers only the command it runs; the app tests use has them all."""

from __future__ import annotations

import subprocess
import sys

from minerscope.cli import _app


def _loaded_after(argv: list[str]) -> set[str]:
    code = (
        "import sys\n"
        "from minerscope.cli import _app\n"
        f"_app.load_for({argv!r})\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith('minerscope.cli.'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_a_command_loads_only_its_modules() -> None:
    loaded = _loaded_after(["difficulty", "--json"])
    assert "minerscope.cli.analytics" in loaded
    assert not loaded & {"minerscope.cli.econ", "minerscope.cli.sync", "minerscope.cli.serve",
                         "minerscope.cli.decisions", "minerscope.cli.signals"}  # fmt: skip
    # backtest's sub-commands live in two modules
    assert {"minerscope.cli.analytics", "minerscope.cli.decisions"} <= _loaded_after(["backtest"])


def test_help_and_typos_load_every_command() -> None:
    every = {f"minerscope.cli.{m}" for ms in _app.COMMAND_MODULES.values() for m in ms}
    assert every <= _loaded_after(["--help"])
    assert every <= _loaded_after(["difficultyy"])
    assert every <= _loaded_after([])


def test_every_registered_command_is_in_the_table() -> None:
    from minerscope.cli import app

    names = {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}
    assert names == set(_app.COMMAND_MODULES)
