"""Typed result documents: what the library returns and every view renders.

The CLI's ``--json``, the REST API and the notebook methods render the same objects, so one
concept has one key everywhere. A result is a frozen dataclass whose field names follow
DESIGN.md's rules (units in every name: ``hashrate_ehs``, ``price_usd``, ``time_s``;
percentages end in ``_pct``, fractions in ``_share``). :func:`to_jsonable` turns any result
into plain JSON values (NaN and infinities become null), and the JSON Schema of a document
comes from its class (:meth:`Result.json_schema`).

Every document that describes a moment carries one :class:`AsOfInfo` under ``as_of``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar


def _iso(time_s: int) -> str:
    return datetime.fromtimestamp(time_s, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_jsonable(value: Any) -> Any:
    """Plain JSON values of a result (dataclasses, mappings, sequences, numpy scalars).

    Dataclass fields keep their declared order; tuples become lists; non-finite floats
    become None; numpy scalars become Python numbers.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 0) == 0:
        return to_jsonable(value.item())  # numpy scalars (arrays have .item too)
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy arrays
        return to_jsonable(value.tolist())
    raise TypeError(f"cannot render {type(value).__name__} as JSON")


class Result:
    """Mixin for result dataclasses: ``to_dict()`` and the document's JSON Schema.

    A top-level document sets ``DOCUMENT`` to its name (``"status"``, ``"pools"``); the
    published schema is ``docs/schemas/<DOCUMENT>.schema.json``.
    """

    DOCUMENT: ClassVar[str] = ""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON values (see :func:`to_jsonable`)."""
        out = to_jsonable(self)
        assert isinstance(out, dict)
        return out

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        """JSON Schema of the rendered document (pydantic is imported only here)."""
        from pydantic import TypeAdapter  # lazy: not on any command's start-up path

        schema: dict[str, Any] = TypeAdapter(cls).json_schema(mode="serialization")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        if cls.DOCUMENT:
            schema["$id"] = f"https://minerscope.invalid/schemas/{cls.DOCUMENT}.schema.json"
            schema["title"] = cls.DOCUMENT
        return schema


@dataclasses.dataclass(frozen=True)
class StaleInput:
    """An input older than the rest of its document by more than a day.

    Attributes
    ----------
    name : str
        The input (``"btc_price_usd"``, ``"fees_btc_per_block"``, ``"difficulty"``).
    time_s : int
        When the value was known (a daily close counts from the end of its day). [Unix s]
    age_s : int
        How much older than the document's data time. [s]
    """

    name: str
    time_s: int
    time_iso: str
    age_s: int


@dataclasses.dataclass(frozen=True)
class AsOfInfo(Result):
    """The one ``as_of`` shape of every document.

    Attributes
    ----------
    time_s : int
        The moment asked about (``--at``, or the clock). [Unix s]
    text : str
        The moment as given: ``"now"``, ``"2026-02-01"``, ``"height:934575"``.
    data_time_s : int or None
        The moment the data describes: the tip's time (block data), the end of the last
        daily row (daily data); None when no stored data was used. [Unix s]
    resolution : str or None
        ``"block"``, ``"daily"`` or None.
    tip_height : int or None
        The last block known at the moment. [blocks]
    stale_inputs : tuple of StaleInput
        Inputs more than a day older than ``data_time_s``.
    notes : tuple of str
        One line each: what the reader must know (the data stops before the moment, ...).
    """

    time_s: int
    time_iso: str
    text: str
    data_time_s: int | None = None
    data_time_iso: str | None = None
    resolution: str | None = None
    tip_height: int | None = None
    stale_inputs: tuple[StaleInput, ...] = ()
    notes: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        time_s: int,
        text: str,
        *,
        data_time_s: int | None = None,
        resolution: str | None = None,
        tip_height: int | None = None,
        stale_inputs: tuple[StaleInput, ...] = (),
        notes: tuple[str, ...] = (),
    ) -> AsOfInfo:
        """An ``AsOfInfo`` with the ISO fields filled from the Unix times."""
        return cls(
            time_s=time_s,
            time_iso=_iso(time_s),
            text=text,
            data_time_s=data_time_s,
            data_time_iso=None if data_time_s is None else _iso(data_time_s),
            resolution=resolution,
            tip_height=tip_height,
            stale_inputs=stale_inputs,
            notes=notes,
        )


@dataclasses.dataclass(frozen=True)
class ErrorInfo:
    """What went wrong, as the one stderr line says it.

    Attributes
    ----------
    type : str
        ``"bad_input"`` (exit 1), ``"conflict"`` (a row contradicting a stored one, 1),
        ``"no_data"`` (1), ``"source_unavailable"`` (3), ``"usage"`` (2) or
        ``"internal"`` (a bug, 1).
    message : str
        The message, without the ``minerscope: error:`` prefix.
    path, line, field : str, int, str or None
        Where, when known (a file, its line, a field or option).
    """

    type: str
    message: str
    path: str | None = None
    line: int | None = None
    field: str | None = None


@dataclasses.dataclass(frozen=True)
class ErrorDocument(Result):
    """What a command prints on stdout with ``--json`` when it fails (exit code unchanged)."""

    DOCUMENT: ClassVar[str] = "error"

    error: ErrorInfo
    exit_code: int


def stale_input(name: str, time_s: int, data_time_s: int) -> StaleInput:
    """A :class:`StaleInput` for a value known at ``time_s`` in a document of ``data_time_s``."""
    return StaleInput(name=name, time_s=time_s, time_iso=_iso(time_s), age_s=data_time_s - time_s)


__all__ = [
    "AsOfInfo",
    "ErrorDocument",
    "ErrorInfo",
    "Result",
    "StaleInput",
    "stale_input",
    "to_jsonable",
]
