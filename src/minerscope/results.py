"""Typed result documents: what the library returns and every view renders.

The CLI's ``--json``, the REST API and the notebook methods render the same objects, so one
concept has one key everywhere (``docs/vocabulary.md``). A result is a frozen dataclass whose
field names follow DESIGN.md's rules (units in every name: ``hashrate_ehs``, ``price_usd``,
``time_s``; percentages end in ``_pct``, fractions in ``_share``). :func:`to_jsonable` turns
any result into plain JSON values (NaN and infinities become null), and the JSON Schema of a
document comes from its class (:meth:`Result.json_schema`): every field is required and no
other key is allowed, so a document that drops a field, adds a key or puts null (a NaN) in a
number that cannot be null does not validate.

Every document that describes a moment carries one :class:`AsOfInfo` under ``as_of``; a
moment is a :class:`Moment` (``time_s`` with ``time_iso``); a set of percentiles is a
:class:`Percentiles`, a set of percentile times (an ETA) a :class:`MomentPercentiles`.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Annotated, Any, ClassVar, Final

#: Field metadata: leave the field out of the rendered document when its value is None
#: (a percentile the document does not give). The schema then does not require it.
OMIT_IF_NONE: Final = {"omit_if_none": True}


class _NanIsNull:
    """Marker: a float field that is NaN where undefined (rendered null; see :data:`NanFloat`)."""

    def __repr__(self) -> str:
        return "NAN_IS_NULL"


NAN_IS_NULL: Final = _NanIsNull()
#: A float that is NaN where it is undefined (an era without signal days): its schema is
#: ``number`` or ``null``. Any other float field must be finite: a NaN there renders as null
#: and the document fails its schema.
NanFloat = Annotated[float, NAN_IS_NULL]


def _iso(time_s: int) -> str:
    return datetime.fromtimestamp(time_s, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@cache
def _plan(cls: type) -> tuple[tuple[str, bool], ...]:
    """A dataclass's rendered fields in order, each with whether it is left out when None."""
    return tuple((f.name, bool(f.metadata.get("omit_if_none"))) for f in dataclasses.fields(cls))


def to_jsonable(value: Any) -> Any:
    """Plain JSON values of a result (dataclasses, mappings, sequences, numpy scalars).

    Dataclass fields keep their declared order (a field marked :data:`OMIT_IF_NONE` is left
    out when None); tuples become lists; non-finite floats become None; numpy scalars become
    Python numbers.
    """
    if isinstance(value, bool) or value is None or isinstance(value, str | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {}
        for name, omit in _plan(type(value)):
            v = getattr(value, name)
            if v is None and omit:
                continue
            out[name] = to_jsonable(v)
        return out
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 0) == 0:
        return to_jsonable(value.item())  # numpy scalars (arrays have .item too)
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy arrays
        return to_jsonable(value.tolist())
    raise TypeError(f"cannot render {type(value).__name__} as JSON")


def _field_marks(tp: Any) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Class name -> its :data:`OMIT_IF_NONE` fields, and -> its :data:`NanFloat` fields, over
    every dataclass reachable from ``tp`` through the field types."""
    optional: dict[str, set[str]] = {}
    nullable: dict[str, set[str]] = {}
    todo: list[Any] = [tp]
    seen: set[Any] = set()
    while todo:
        t = todo.pop()
        if t in seen:
            continue
        seen.add(t)
        if dataclasses.is_dataclass(t) and isinstance(t, type):
            hints = typing.get_type_hints(t, include_extras=True)
            optional[t.__name__] = {
                f.name for f in dataclasses.fields(t) if f.metadata.get("omit_if_none")
            }
            nullable[t.__name__] = {
                n for n, h in hints.items() if NAN_IS_NULL in getattr(h, "__metadata__", ())
            }
            todo.extend(hints.values())
        else:
            todo.extend(a for a in typing.get_args(t) if a is not NAN_IS_NULL)
    return optional, nullable


def strict_schema(
    schema: dict[str, Any],
    optional: Mapping[str, set[str]],
    nullable: Mapping[str, set[str]] | None = None,
) -> dict[str, Any]:
    """Tighten a pydantic schema to what :func:`to_jsonable` renders, in place.

    Every object of a dataclass (one with ``properties``) requires all its properties except
    the ``optional`` ones (``{class name: fields}``, the :data:`OMIT_IF_NONE` fields) and
    allows no other key; the ``nullable`` ones (:data:`NanFloat`) may be null; pydantic's
    ``default`` annotations go (the renderer always writes the value). Mappings
    (``additionalProperties`` given) are left as they are.
    """

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            props = node.get("properties")
            if isinstance(props, dict) and "additionalProperties" not in node:
                title = str(node.get("title", ""))
                skip = optional.get(title, set())
                node["required"] = [k for k in props if k not in skip]
                node["additionalProperties"] = False
                for k, v in props.items():
                    if isinstance(v, dict):
                        v.pop("default", None)
                        if k in (nullable or {}).get(title, ()) and v.get("type") == "number":
                            v["type"] = ["number", "null"]
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schema)
    return schema


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
    def json_schema(cls, ref_template: str = "#/$defs/{model}") -> dict[str, Any]:
        """JSON Schema of the rendered document (:func:`document_schema` of the class)."""
        return document_schema(cls, cls.DOCUMENT, ref_template=ref_template)


def document_schema(
    tp: Any, document: str = "", *, ref_template: str = "#/$defs/{model}"
) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of what :func:`to_jsonable` renders for type ``tp``.

    ``tp`` is a result class or a union of them (one line of ``sync --follow --json``).
    Strict (:func:`strict_schema`): every field required but the :data:`OMIT_IF_NONE` ones,
    no other key. ``ref_template`` places the nested classes (OpenAPI:
    ``"#/components/schemas/{model}"``). pydantic is imported only here, off every
    command's start-up path.
    """
    from pydantic import TypeAdapter

    schema: dict[str, Any] = TypeAdapter(tp).json_schema(
        mode="serialization", ref_template=ref_template
    )
    strict_schema(schema, *_field_marks(tp))
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    if document:
        schema["$id"] = f"https://minerscope.invalid/schemas/{document}.schema.json"
        schema["title"] = document
    return schema


@dataclasses.dataclass(frozen=True)
class Moment:
    """A moment: Unix seconds and the same in ISO-8601 UTC.

    Attributes
    ----------
    time_s : int
        [Unix s]
    time_iso : str
        ``2026-02-08T08:31:45Z``.
    """

    time_s: int
    time_iso: str

    @classmethod
    def at(cls, time_s: float) -> Moment:
        """The moment ``time_s`` (rounded to the second). [Unix s]"""
        t = int(round(time_s))
        return cls(time_s=t, time_iso=_iso(t))


@dataclasses.dataclass(frozen=True)
class Percentiles:
    """A set of percentile values of one quantity (the unit is in the key that holds it).

    Only the percentiles the document gives are present (the others are left out, not
    null): a difficulty change has p5/p25/p50/p75/p95, a halving ETA p10/p50/p90.
    """

    p5: float | None = dataclasses.field(default=None, metadata=OMIT_IF_NONE)
    p10: float | None = dataclasses.field(default=None, metadata=OMIT_IF_NONE)
    p25: float | None = dataclasses.field(default=None, metadata=OMIT_IF_NONE)
    p50: float | None = dataclasses.field(default=None, metadata=OMIT_IF_NONE)
    p75: float | None = dataclasses.field(default=None, metadata=OMIT_IF_NONE)
    p90: float | None = dataclasses.field(default=None, metadata=OMIT_IF_NONE)
    p95: float | None = dataclasses.field(default=None, metadata=OMIT_IF_NONE)

    @classmethod
    def of(cls, values: Mapping[int, float], scale: float = 1.0) -> Percentiles:
        """From ``{5: v5, 25: v25, ...}``, each value divided by ``scale``."""
        return cls(**{f"p{p}": float(v) / scale for p, v in values.items()})

    def get(self, p: int) -> float | None:
        """The ``p``-th percentile, or None when the set does not give it."""
        value: float | None = getattr(self, f"p{p}")
        return value


@dataclasses.dataclass(frozen=True)
class MomentPercentiles:
    """Percentiles of a time (an ETA): each a :class:`Moment`; only those the document gives."""

    p5: Moment | None = dataclasses.field(default=None, metadata=OMIT_IF_NONE)
    p10: Moment | None = dataclasses.field(default=None, metadata=OMIT_IF_NONE)
    p25: Moment | None = dataclasses.field(default=None, metadata=OMIT_IF_NONE)
    p50: Moment | None = dataclasses.field(default=None, metadata=OMIT_IF_NONE)
    p75: Moment | None = dataclasses.field(default=None, metadata=OMIT_IF_NONE)
    p90: Moment | None = dataclasses.field(default=None, metadata=OMIT_IF_NONE)
    p95: Moment | None = dataclasses.field(default=None, metadata=OMIT_IF_NONE)

    @classmethod
    def of(cls, times_s: Mapping[int, float]) -> MomentPercentiles:
        """From ``{10: t10, 50: t50, ...}``. [Unix s]"""
        return cls(**{f"p{p}": Moment.at(t) for p, t in times_s.items()})

    def get(self, p: int) -> Moment | None:
        """The ``p``-th percentile, or None when the set does not give it."""
        value: Moment | None = getattr(self, f"p{p}")
        return value


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
    "NAN_IS_NULL",
    "OMIT_IF_NONE",
    "AsOfInfo",
    "ErrorDocument",
    "ErrorInfo",
    "Moment",
    "MomentPercentiles",
    "NanFloat",
    "Percentiles",
    "Result",
    "StaleInput",
    "document_schema",
    "stale_input",
    "strict_schema",
    "to_jsonable",
]
