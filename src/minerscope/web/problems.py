"""Errors as RFC 9457 problem documents (``application/problem+json``).

Each error the library raises on purpose maps to one status and one problem type; anything
else is a 500 whose detail says only that the server failed (the traceback goes to the
server's log, never to the client). Details never name a server path: the database path
and any other absolute path are replaced by the file's name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError, MinerscopeError, NoDataError, SourceError
from ..params import api_name
from ..results import Result, to_jsonable

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://minerscope.invalid/problems/"
_ABS_PATH = re.compile(r"(?<![\w.:/])/(?:[^\s/'\"]+/)+([^\s/'\"]+)")


@dataclass(frozen=True)
class InvalidParam:
    """One refused parameter: its name and why."""

    name: str
    reason: str


@dataclass(frozen=True)
class Problem(Result):
    """An RFC 9457 problem document.

    Attributes
    ----------
    type : str
        A URI naming the kind of problem (``.../problems/bad-input``).
    title : str
        The kind in words (the same for every problem of a type).
    status : int
        The HTTP status code.
    detail : str
        This occurrence in one line: what is wrong and where (the parameter or the
        fleet file's line and key).
    instance : str
        The request path.
    invalid_params : tuple of InvalidParam
        The refused parameters, when the problem is about parameters.
    """

    DOCUMENT = "problem"

    type: str
    title: str
    status: int
    detail: str
    instance: str = ""
    invalid_params: tuple[InvalidParam, ...] = ()


KINDS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "A valid token is required"),
    403: ("forbidden-host", "Host not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    413: ("too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("bad-input", "Bad input"),
    500: ("internal", "Internal server error"),
    503: ("unavailable", "Service unavailable"),
}
NO_DATA = ("no-data", "No stored data answers this question")


def scrub(text: str, *paths: Path) -> str:
    """``text`` without server paths: each given path, then any absolute path, by its name."""
    for p in sorted({str(p) for p in paths if str(p) not in ("", ".")}, key=len, reverse=True):
        text = text.replace(p, Path(p).name)
    return _ABS_PATH.sub(lambda m: m.group(1), text)


def problem(
    status: int,
    detail: str,
    *,
    instance: str = "",
    kind: tuple[str, str] | None = None,
    invalid_params: tuple[InvalidParam, ...] = (),
) -> Problem:
    """A :class:`Problem` of the standard kind for ``status`` (or ``kind``)."""
    slug, title = kind or KINDS.get(status, ("error", "Error"))
    return Problem(
        type=PROBLEM_BASE + slug,
        title=title,
        status=status,
        detail=detail,
        instance=instance,
        invalid_params=invalid_params,
    )


def from_exception(exc: BaseException, *, instance: str, paths: tuple[Path, ...]) -> Problem:
    """The problem document of an error raised while answering (500 for the unexpected)."""
    if isinstance(exc, InputError):
        if exc.field is not None and exc.field.startswith("--") and exc.path is None:
            name = api_name(exc.field)
            return problem(
                422,
                scrub(f"{name}: {exc.reason}", *paths),
                instance=instance,
                invalid_params=(InvalidParam(name, scrub(exc.reason, *paths)),),
            )
        return problem(422, scrub(str(exc), *paths), instance=instance)
    if isinstance(exc, NoDataError):
        return problem(404, scrub(str(exc), *paths), instance=instance, kind=NO_DATA)
    if isinstance(exc, SourceError):
        return problem(503, scrub(str(exc), *paths), instance=instance)
    if isinstance(exc, MinerscopeError):
        return problem(422, scrub(str(exc), *paths), instance=instance)
    return problem(500, "the server failed to answer; the error is in its log", instance=instance)


def render(p: Problem) -> bytes:
    """The problem's JSON bytes."""
    return json.dumps(to_jsonable(p), separators=(",", ":")).encode()


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for problem documents of these statuses."""
    ref = {"$ref": "#/components/schemas/Problem"}
    return {
        s: {"description": KINDS.get(s, ("", "Error"))[1], "content": {PROBLEM_MEDIA_TYPE: {
            "schema": ref}}}
        for s in statuses
    }  # fmt: skip


__all__ = [
    "PROBLEM_MEDIA_TYPE",
    "InvalidParam",
    "Problem",
    "from_exception",
    "problem",
    "problem_responses",
    "render",
    "scrub",
]
