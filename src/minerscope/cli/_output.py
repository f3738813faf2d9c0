"""Shared CLI options, rendering and error handling. Rendering only: no logic."""

from __future__ import annotations

import dataclasses
import json
import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core
from rich.console import Console
from rich.table import Table

from ..errors import InputError, MinerscopeError, NoDataError, SourceError
from ..results import to_jsonable

EXIT_OK = 0
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2
EXIT_SOURCE = 3

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        help="SQLite database file [default: $MINERSCOPE_DB, else the user data directory].",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Machine-readable JSON on stdout (messages go to stderr).")
]
AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        metavar="TIME",
        help="As of TIME: 2026-02-01T08:40:17Z, 2026-02-01 (end of day) or height:N.",
    ),
]

err_console = Console(stderr=True, soft_wrap=True)
# Piped output (files, scripts, CI logs) gets wide tables instead of rich's 80 columns.
out_console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 160)


def exit_code_for(exc: BaseException) -> int:
    """The contract's exit code for an error (1 bad input or failed check, 3 source down)."""
    if isinstance(exc, SourceError):
        return EXIT_SOURCE
    if isinstance(exc, InputError | NoDataError | MinerscopeError):
        return EXIT_BAD_INPUT
    return EXIT_BAD_INPUT


class GuardedGroup(typer.core.TyperGroup):
    """A command group that turns minerscope errors into one stderr line and an exit code.

    Its commands convert their option values without pydantic (:mod:`._lean`).
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        from ._lean import lean_params

        lean_params(self, ctx)  # before any value is converted: the whole command tree
        rest: list[str] = super().parse_args(ctx, args)
        return rest

    def invoke(self, ctx: Any) -> Any:  # the Context of whichever click typer uses
        try:
            return super().invoke(ctx)
        except MinerscopeError as exc:
            typer.echo(f"minerscope: error: {exc}", err=True)
            ctx.exit(exit_code_for(exc))


def now_s() -> int:
    """The clock, read only here at the edge and passed into the library."""
    return int(time.time())


def _clean(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(value)
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return _clean(value.item())
    return value


def emit_json(payload: Any) -> None:
    """Write one JSON document (a result or plain values) to stdout; NaN and infinities
    become null."""
    sys.stdout.write(json.dumps(_clean(payload), indent=2, sort_keys=False) + "\n")
    sys.stdout.flush()


def message(text: str) -> None:
    """A message for people, on stderr."""
    err_console.print(text, highlight=False)


def render_table(
    title: str | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    justify: Callable[[int], str] | None = None,
) -> None:
    """Print a plain table to stdout."""
    table = Table(title=title, show_edge=False, header_style="bold")
    for i, c in enumerate(columns):
        table.add_column(c, justify=(justify(i) if justify else ("left" if i == 0 else "right")))  # type: ignore[arg-type]
    for r in rows:
        table.add_row(*("" if v is None else str(v) for v in r))
    out_console.print(table)


def _age(seconds: float) -> str:
    if seconds < 2 * 86_400:
        return f"{seconds / 3600:,.1f} h"
    return f"{seconds / 86_400:,.1f} days"


def as_of_pairs(as_of: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Label/value lines of a document's ``as_of`` (an AsOfInfo): the data's time, every
    stale input and every note."""
    pairs: list[tuple[str, str]] = []
    if as_of.get("data_time_iso"):
        tip = as_of.get("tip_height")
        what = f"{as_of.get('resolution')} data" + (f", tip {tip:,}" if tip is not None else "")
        pairs.append(("data as of", f"{as_of['data_time_iso']} ({what})"))
    else:
        pairs.append(("data as of", "no stored data in these figures: every input was given"))
    for s in as_of.get("stale_inputs") or ():
        pairs.append(
            (
                "stale input",
                f"{s['name']} from {s['time_iso']}, {_age(s['age_s'])} older than the data",
            )
        )
    for note in as_of.get("notes") or ():
        pairs.append(("note", note))
    return pairs


def as_of_lines(as_of: Mapping[str, Any]) -> list[str]:
    """Stale inputs and notes of a document's ``as_of`` as ``label: text`` lines (for stderr)."""
    return [f"{k}: {v}" for k, v in as_of_pairs(as_of) if k != "data as of"]


def render_pairs(title: str | None, pairs: Sequence[tuple[str, str]]) -> None:
    """Print label/value lines to stdout."""
    if title:
        out_console.print(f"[bold]{title}[/bold]", highlight=False)
    width = max((len(k) for k, _ in pairs), default=0)
    for k, v in pairs:
        out_console.print(f"  {k.ljust(width)}  {v}", highlight=False)
