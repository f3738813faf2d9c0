"""Option values without pydantic: typer (0.2x) checks every value through a pydantic
TypeAdapter, and importing pydantic costs each command about 50 ms of CPU at start-up.

Every option of minerscope is a ``str``, ``int``, ``float`` (with ``min``/``max``), ``bool``,
``Path`` or a ``list`` of those. For such a parameter this module installs a small converter
with the same results and the same error messages (a usage error, exit 2) before the
command line is parsed; any other parameter keeps typer's own. When typer's internals are
not the ones this was written against, nothing is changed and typer works as it always
does (only slower to start).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, get_args, get_origin

try:  # typer's internals: present in the 0.2x series this module is written against
    from typer._click.exceptions import BadParameter
    from typer._coercion import RuntimeParam
    from typer._param_types import coerce_cli_path
    from typer.core import _TyperParameter
except ImportError:  # pragma: no cover - another typer: keep its own coercion
    RuntimeParam = None  # type: ignore[assignment,misc]

_SIMPLE = (str, int, float, bool, Path)
_TRUE = {"1", "on", "t", "true", "y", "yes"}
_FALSE = {"0", "off", "f", "false", "n", "no"}


def _bool(value: Any) -> bool:
    # Flags arrive as bools; text (an environment variable) reads as pydantic reads it.
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE or text == "":
        return False
    raise BadParameter("Input should be a valid boolean, unable to interpret input")


def _number(kind: type, value: Any, info: Any) -> Any:
    if not isinstance(value, str | int | float):
        raise BadParameter(f"Input should be a valid {'integer' if kind is int else 'number'}")
    try:
        number = kind(value)
    except (TypeError, ValueError):
        what = "an integer" if kind is int else "a number"
        raise BadParameter(
            f"Input should be a valid {'integer' if kind is int else 'number'},"
            f" unable to parse string as {what}"
        ) from None
    # pydantic checks the upper bound first (a NaN fails both: it names the upper one)
    if info.max is not None and not number <= info.max:
        raise BadParameter(f"Input should be less than or equal to {_bound(info.max)}")
    if info.min is not None and not number >= info.min:
        raise BadParameter(f"Input should be greater than or equal to {_bound(info.min)}")
    return number


def _bound(x: float) -> float | int:
    return int(x) if float(x).is_integer() else x  # as pydantic writes it: 0, not 0.0


if RuntimeParam is not None:

    class _LeanParam(RuntimeParam):
        """Converts one simple option value (or a list of them) as typer would."""

        def _one(self, kind: type, value: Any, param: Any, ctx: Any) -> Any:
            info = self.parameter_info
            try:
                if kind is str:
                    return value if isinstance(value, str) else str(value)
                if kind is bool:
                    return _bool(value)
                if kind is Path:
                    if not isinstance(value, str | os.PathLike):
                        raise BadParameter(f"Input is not a valid path for {Path}")
                    path = value if isinstance(value, Path) else Path(value)
                    return coerce_cli_path(path, info, path_type=Path, param=param, ctx=ctx)
                return _number(kind, value, info)
            except BadParameter as exc:
                exc.ctx, exc.param = ctx, param
                raise

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            annotation: Any = self.annotation
            if get_origin(annotation) is list:
                (kind,) = get_args(annotation)
                return [self._one(kind, v, param, ctx) for v in value]
            return self._one(annotation, value, param, ctx)


def _simple(descriptor: Any) -> bool:
    info = descriptor.parameter_info
    annotation = descriptor.annotation
    if get_origin(annotation) is list:
        args = get_args(annotation)
        annotation = args[0] if len(args) == 1 else None
    if annotation not in _SIMPLE or descriptor.file_annotation is not None:
        return False
    if info.parser is not None or info.clamp or descriptor.is_choice:
        return False
    return not (annotation is Path and (info.exists or info.resolve_path or info.allow_dash))


def lean_params(command: Any, ctx: Any) -> None:
    """Give every simple parameter of ``command`` and its sub-commands a lean converter.

    The ``--help`` option each command adds when it parses is made here (typer keeps it on
    the command), so that it gets one too.
    """
    if RuntimeParam is None:  # pragma: no cover
        return
    params = list(getattr(command, "params", ()))
    if getattr(command, "_help_option", False) is None and hasattr(command, "get_help_option"):
        help_option = command.get_help_option(ctx)
        if help_option is not None:
            params.append(help_option)
    for param in params:
        if not isinstance(param, _TyperParameter) or param._runtime_param is not None:
            continue
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is not None and _simple(descriptor):
            param._runtime_param = _LeanParam(
                parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
            )
    for sub in getattr(command, "commands", {}).values():
        lean_params(sub, ctx)
