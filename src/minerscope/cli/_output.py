r"""Shared CLI options, rendering and error handling. Rendering only: no logic.

Everything printed for people goes through :func:`message`, :func:`render_table`,
:func:`render_pairs` or the error line of :class:`GuardedGroup`, and all of them print
text as plain data (:func:`plain`): a file path, a fleet, site, group or model name, a
server's answer is never read as rich markup, and control characters (escape sequences,
carriage returns, newlines) are shown escaped (``\x1b``, ``\r``, ``\n``), so no name can
crash a command, recolour the terminal or forge an output line.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import math
import os
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
import typer.core
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer._click.exceptions import ClickException

from ..errors import (
    ConflictError,
    DatabaseBusyError,
    InputError,
    MinerscopeError,
    NoDataError,
    SourceError,
)
from ..results import ErrorDocument, ErrorInfo, to_jsonable

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
    """The contract's exit code for an error (1 bad input or failed check, 3 source down).

    A database locked by another process past the wait counts as a source that is
    unavailable for now (3).
    """
    if isinstance(exc, SourceError | DatabaseBusyError):
        return EXIT_SOURCE
    if isinstance(exc, InputError | NoDataError | MinerscopeError):
        return EXIT_BAD_INPUT
    return EXIT_BAD_INPUT


# C0 controls, DEL, C1 controls, and the Unicode marks that reorder or hide text.
_UNSAFE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    named = _NAMED_ESCAPES.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def plain(value: object) -> str:
    r"""Text from anywhere as one safe printable line: control characters escaped.

    ``"a<ESC>[31mb<CR><LF>"`` becomes ``a\x1b[31mb\r\n`` (backslashes literal). Rich
    markup such as ``[bold]`` is left as it is: the printers below never interpret it.
    """
    return _UNSAFE_RE.sub(_escape, str(value))


def _escape_click_message(exc: Any) -> None:
    message = getattr(exc, "message", None)
    if isinstance(message, str):
        exc.message = plain(message)


def error_line(exc: BaseException) -> str:
    """The one stderr line of a failed command."""
    if isinstance(exc, sqlite3.Error):
        from ..storage import describe_sqlite_error

        known = describe_sqlite_error(exc)
        text = str(known) if known is not None else f"database error: {exc}"
        return f"minerscope: error: {plain(text)}"
    return f"minerscope: error: {plain(exc)}"


ENV_DEBUG = "MINERSCOPE_DEBUG"


class GuardedGroup(typer.core.TyperGroup):
    """A command group that turns minerscope errors into one stderr line and an exit code.

    Its commands convert their option values without pydantic (:mod:`._lean`). Errors of
    the database file that reach the command unwrapped (locked, full, damaged) get the same
    one line; user text inside click's usage errors is escaped. Anything else (a bug) is one
    ``internal error`` line too, unless ``$MINERSCOPE_DEBUG`` is set, which shows the
    traceback.
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        from ._lean import lean_params

        lean_params(self, ctx)  # before any value is converted: the whole command tree
        rest: list[str] = super().parse_args(ctx, args)
        return rest

    def make_context(self, info_name: Any, args: list[str], *rest: Any, **kwargs: Any) -> Any:
        wants_json = _json_requested(args)
        try:
            ctx = super().make_context(info_name, args, *rest, **kwargs)
        except ClickException as exc:
            _escape_click_message(exc)
            if wants_json:
                emit_error_json(exc, exc.exit_code)
            raise
        ctx.meta[_JSON_META] = wants_json  # the whole command line, seen before parsing
        return ctx

    def invoke(self, ctx: Any) -> Any:  # the Context of whichever click typer uses
        wants_json = bool(ctx.meta.get(_JSON_META))

        def fail(exc: BaseException, code: int, line: str) -> None:
            typer.echo(line, err=True)
            if wants_json:
                emit_error_json(exc, code)
            ctx.exit(code)

        try:
            return super().invoke(ctx)
        except MinerscopeError as exc:
            fail(exc, exit_code_for(exc), error_line(exc))
        except sqlite3.Error as exc:
            fail(exc, EXIT_SOURCE if "locked" in str(exc) else EXIT_BAD_INPUT, error_line(exc))
        except ClickException as exc:
            _escape_click_message(exc)
            if wants_json:
                emit_error_json(exc, exc.exit_code)
            raise
        except (typer.Exit, typer.Abort):
            raise
        except OSError as exc:
            if exc.errno == errno.EPIPE or os.environ.get(ENV_DEBUG):
                raise  # a closed pipe: click exits quietly
            fail(exc, EXIT_BAD_INPUT, f"minerscope: error: {plain(exc.strerror or exc)}")
        except Exception as exc:
            if os.environ.get(ENV_DEBUG):
                raise
            fail(
                exc,
                EXIT_BAD_INPUT,
                f"minerscope: internal error: {type(exc).__name__}: {plain(exc)} (a bug:"
                f" please report it; {ENV_DEBUG}=1 shows the traceback)",
            )


_JSON_META = "minerscope.json"


def _json_requested(args: Sequence[str]) -> bool:
    """Whether the command line asks for ``--json`` (before a ``--`` that ends options)."""
    for a in args:
        if a == "--":
            return False
        if a == "--json":
            return True
    return False


def error_document(exc: BaseException, exit_code: int) -> ErrorDocument:
    """The ``--json`` document of a failed command (:class:`minerscope.results.ErrorDocument`)."""
    if isinstance(exc, ClickException):
        kind, message = "usage", exc.format_message()
    elif isinstance(exc, ConflictError):
        kind, message = "conflict", str(exc)
    elif isinstance(exc, InputError):
        kind, message = "bad_input", str(exc)
    elif isinstance(exc, NoDataError):
        kind, message = "no_data", str(exc)
    elif isinstance(exc, SourceError | DatabaseBusyError):
        kind, message = "source_unavailable", str(exc)
    elif isinstance(exc, MinerscopeError | sqlite3.Error | OSError):
        kind = "bad_input"
        message = error_line(exc).removeprefix("minerscope: error: ")
    else:
        kind, message = "internal", f"{type(exc).__name__}: {exc}"
    where = exc if isinstance(exc, InputError) else None
    return ErrorDocument(
        error=ErrorInfo(
            type=kind,
            message=message,
            path=None if where is None else where.path,
            line=None if where is None else where.line,
            field=None if where is None else where.field,
        ),
        exit_code=exit_code,
    )


def emit_error_json(exc: BaseException, exit_code: int) -> None:
    """Write the error document to stdout (with ``--json``, a failure is JSON there too)."""
    emit_json(error_document(exc, exit_code))


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
    """One line for people, on stderr, printed as plain text (see :func:`plain`).

    A line break inside ``text`` is shown escaped like any control character, so text
    from outside cannot forge a second line: print several lines with several calls.
    """
    err_console.print(Text(plain(text)), highlight=False, markup=False, emoji=False)


def render_table(
    title: str | None,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    justify: Callable[[int], str] | None = None,
) -> None:
    """Print a table to stdout; every title, header and cell is plain text (:func:`plain`)."""
    table = Table(
        title=None if title is None else Text(plain(title)),
        show_edge=False,
        header_style="bold",
    )
    for i, c in enumerate(columns):
        table.add_column(
            Text(plain(c)),
            justify=(justify(i) if justify else ("left" if i == 0 else "right")),  # type: ignore[arg-type]
            overflow="fold",
        )
    for r in rows:
        table.add_row(*(Text("" if v is None else plain(v)) for v in r))
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
    """Print label/value lines to stdout; labels and values are plain text (:func:`plain`)."""
    if title:
        out_console.print(Text(plain(title), style="bold"), highlight=False)
    labels = [plain(k) for k, _ in pairs]
    width = max((len(k) for k in labels), default=0)
    for k, (_, v) in zip(labels, pairs, strict=True):
        out_console.print(Text(f"  {k.ljust(width)}  {plain(v)}"), highlight=False)
