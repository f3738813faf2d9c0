"""The ``minerscope`` Typer application and which modules hold which commands.

Command modules register their commands on :data:`app` when imported. The console script
imports only the module of the command it runs (start-up time: the other modules and
what they import are never loaded); ``minerscope.cli.app`` (tests, ``--help``) loads all.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Final

import typer

from ._output import GuardedGroup

app = typer.Typer(
    cls=GuardedGroup,
    name="minerscope",
    help="Bitcoin mining economics from your own data: network, difficulty, hashprice, fleets.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)

#: Top-level command -> the command modules (of ``minerscope.cli``) that define it.
COMMAND_MODULES: Final[dict[str, tuple[str, ...]]] = {
    "backtest": ("analytics", "decisions"),  # projection; paths
    "consensus": ("network",),
    "curtail": ("decisions",),
    "difficulty": ("analytics",),
    "economics": ("econ",),
    "fleet": ("econ",),
    "hashrate": ("analytics",),
    "import": ("ingest",),
    "machines": ("econ",),
    "plot": ("story",),
    "pools": ("pools",),
    "quickstart": ("ingest",),
    "report": ("story",),
    "roi": ("decisions",),
    "scenario": ("decisions",),
    "serve": ("serve",),
    "signals": ("signals",),
    "status": ("network",),
    "study": ("signals",),
    "sync": ("sync",),
}
_loaded: set[str] = set()


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"minerscope {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Bitcoin mining economics from your own data: network, difficulty, hashprice, fleets."""


def load(modules: Sequence[str]) -> None:
    """Import the given command modules (each once, in a fixed order)."""
    for name in sorted(set(modules) - _loaded):
        importlib.import_module(f"{__package__}.{name}")
        _loaded.add(name)


def load_all() -> typer.Typer:
    """Register every command; return the app."""
    load(sorted({m for ms in COMMAND_MODULES.values() for m in ms}))
    return app


def load_for(argv: Sequence[str]) -> typer.Typer:
    """Register what a command line needs: its command's modules, else (help, a typo,
    ``--version``) every command, so that help and "no such command" list them all."""
    first = next(iter(argv), "")
    if first in COMMAND_MODULES:
        load(COMMAND_MODULES[first])
        return app
    return load_all()


__all__ = ["COMMAND_MODULES", "app", "load", "load_all", "load_for"]
