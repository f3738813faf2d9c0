"""Parse ``--grid KEY=START:STOP:STEP`` (or ``KEY=A,B,C``) into named axes of values.

Input handling for the sensitivity grids of ``machines`` and ``fleet`` and the ``roi`` sweep:
every problem is one :class:`~minerscope.errors.InputError` naming the option and the key.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import InputError

MAX_AXIS_STEPS = 1_000
MAX_GRID_CELLS = 10_000


@dataclass(frozen=True)
class Axis:
    """One grid axis: a setting and its values (in the setting's own unit)."""

    key: str
    values: tuple[float, ...]


def parse_axis(text: str, allowed: Mapping[str, tuple[float, float]]) -> Axis:
    """One ``KEY=START:STOP:STEP`` (stop included when it falls on a step) or ``KEY=A,B,C``.

    Parameters
    ----------
    text : str
        The option value.
    allowed : mapping
        Keys the command accepts, each with its (low, high) range.

    Raises
    ------
    InputError
        Unknown key, unparsable numbers, a step of 0 or of the wrong sign, a grid with no
        steps, too many steps or a value out of range.
    """
    key, sep, spec = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise InputError(f"{text!r} is not KEY=START:STOP:STEP", field="--grid")
    if key not in allowed:
        raise InputError(f"unknown grid key {key!r}; one of {', '.join(allowed)}", field="--grid")
    lo, hi = allowed[key]
    try:
        if ":" in spec:
            parts = [float(p) for p in spec.split(":")]
            if len(parts) != 3:
                raise ValueError
            start, stop, step = parts
            if not all(math.isfinite(v) for v in parts):
                raise ValueError
            if step == 0 or (stop - start) * step < 0:
                raise InputError(
                    f"{key}: the step {step:g} never goes from {start:g} to {stop:g}: the grid"
                    " has no steps",
                    field="--grid",
                )
            n = math.floor((stop - start) / step + 1e-9) + 1
            if n > MAX_AXIS_STEPS:
                raise InputError(f"{key}: {n:,} steps (at most {MAX_AXIS_STEPS:,})", field="--grid")
            values = [start + i * step for i in range(n)]
            if n < 2:
                raise InputError(
                    f"{key}={spec}: the grid has no steps (one value: give a step that fits"
                    " between start and stop, or a list A,B,C)",
                    field="--grid",
                )
        else:
            values = [float(p) for p in spec.split(",") if p.strip()]
            if not values or not all(math.isfinite(v) for v in values):
                raise ValueError
    except ValueError:
        raise InputError(
            f"{key}: {spec!r} is not START:STOP:STEP or a list A,B,C of numbers", field="--grid"
        ) from None
    for v in values:
        if not lo <= v <= hi:
            raise InputError(f"{key}: {v:g} is outside {lo:g}..{hi:g}", field="--grid")
    return Axis(key, tuple(round(v, 12) for v in values))


def parse_grid(texts: Sequence[str], allowed: Mapping[str, tuple[float, float]]) -> list[Axis]:
    """Every ``--grid`` option; at most two axes for a table, keys not repeated."""
    axes = [parse_axis(t, allowed) for t in texts]
    keys = [a.key for a in axes]
    if len(set(keys)) != len(keys):
        raise InputError("a grid key is given twice", field="--grid")
    cells = math.prod(len(a.values) for a in axes)
    if cells > MAX_GRID_CELLS:
        raise InputError(f"{cells:,} grid cells (at most {MAX_GRID_CELLS:,})", field="--grid")
    return axes


__all__ = ["MAX_GRID_CELLS", "Axis", "parse_axis", "parse_grid"]
