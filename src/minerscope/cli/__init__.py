"""The ``minerscope`` command line: parse options, call one library function, render.

Exit codes: 0 ok, 1 bad input or failed check, 2 usage, 3 data source unavailable.
"""

from __future__ import annotations

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


# Command modules register themselves on ``app`` when imported.
from . import analytics as _analytics  # noqa: E402,F401  hashrate, difficulty, backtest
from . import decisions as _decisions  # noqa: E402,F401  roi, curtail, scenario, backtest paths
from . import econ as _econ  # noqa: E402,F401  machines, fleet, economics
from . import ingest as _ingest  # noqa: E402,F401  import, quickstart
from . import network as _network  # noqa: E402,F401  status, consensus
from . import pools as _pools  # noqa: E402,F401  pools
from . import serve as _serve  # noqa: E402,F401  serve
from . import signals as _signals  # noqa: E402,F401  study, signals
from . import sync as _sync  # noqa: E402,F401  sync


def main() -> None:
    """Console-script entry point."""
    app()


__all__ = ["app", "main"]
