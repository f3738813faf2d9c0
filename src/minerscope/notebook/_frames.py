"""Typed results -> pandas DataFrames: one generic converter for every notebook method.

A frame is built from a sequence of row dataclasses (or their JSON values). Nested values
are flattened into one column each: a :class:`~minerscope.results.Percentiles` under
``cum_cash_profit_usd`` gives ``cum_cash_profit_p50_usd`` (the percentile goes before the
unit, as ``hashrate_lower_ehs`` does), a :class:`~minerscope.results.Moment` gives its
``time_s``. The index is always a tz-aware UTC :class:`pandas.DatetimeIndex`: the row's
time (``time_s`` or a ``*_time_s`` column chosen by the method) or its ``date`` (UTC
midnight); rows without a time of their own (machines, pools, windows) are indexed by the
document's moment, so frames of several ``at=`` values concatenate into a panel.

pandas is imported here only, when the first frame is built.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from ..results import to_jsonable

if TYPE_CHECKING:
    import pandas as pd

#: Words that make up a unit at the end of a column name (``usd_per_phs_day``, ``lower_ehs``:
#: the unit is the run of these words at the end). DESIGN.md / STYLE.md section 2.
UNIT_WORDS: Final = frozenset(
    {
        "sat", "btc", "usd", "s", "days", "day", "hours", "h", "hps", "ths", "phs", "ehs",
        "w", "kw", "mw", "kwh", "mwh", "j", "th", "pct", "share", "pp", "hashes", "vb", "t",
        "blocks", "block", "per",
    }
)  # fmt: skip
#: Unit-free quantities, named as DESIGN.md names them (a count, a ratio, an index).
DIMENSIONLESS: Final = frozenset(
    {
        "difficulty", "blocks", "n_blocks", "count", "machines", "epoch", "height", "rank",
        "era", "puell_multiple", "puell_multiple_fees_halving_adjusted", "sustainability_ratio",
        "sustainability_score", "luck_p_value", "p_value", "expected_blocks", "day_blocks",
        "trailing_blocks", "episodes", "non_overlapping_windows", "signal_days", "day",
        "n_intervals", "from_height", "to_height", "first_height", "last_height", "tip_height",
        "score", "reading", "value", "hit_rate_p_value", "mean_return_p_value",
        "lookback_days", "smoothing_days", "horizon_days",
    }
)  # fmt: skip
#: The name of every frame's index.
INDEX_NAME: Final = "time"


def unit_start(name: str) -> int:
    """Index of the first word of ``name``'s trailing unit (len(words) if it has none)."""
    words = name.split("_")
    i = len(words)
    while i > 1 and words[i - 1] in UNIT_WORDS:
        i -= 1
    return i


#: Quantities named by their unit first (``hours_off``, ``mwh_avoided``, ``days_after_recovery``).
LEADING_UNITS: Final = frozenset({"days", "hours", "blocks", "mwh", "kwh", "btc", "usd"})


def has_unit(name: str) -> bool:
    """True when a numeric column's name ends in a unit, names a unit-free quantity
    (:data:`DIMENSIONLESS`, a percentile ``pN`` of one) or starts with a count's unit."""
    name = "_".join(w for w in name.split("_") if not re.fullmatch(r"p\d+", w))
    if name.split("_")[0] in LEADING_UNITS:
        return True
    if name in DIMENSIONLESS or name.endswith(tuple("_" + d for d in DIMENSIONLESS)):
        return True
    words = name.split("_")
    return len(words) > 1 and words[-1] in UNIT_WORDS and words[-1] != "per"


def nested_name(parent: str, child: str) -> str:
    """The column of ``child`` inside ``parent``: before ``parent``'s unit, if it has one.

    ``nested_name("cum_cash_profit_usd", "p50") == "cum_cash_profit_p50_usd"``;
    ``nested_name("difficulty", "p50") == "difficulty_p50"``.
    """
    words = parent.split("_")
    i = unit_start(parent)
    return "_".join([*words[:i], child, *words[i:]])


def _flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, Mapping):
        if set(value) >= {"time_s", "time_iso"} and len(value) == 2:  # a Moment
            out[nested_name(prefix, "time_s") if prefix else "time_s"] = value["time_s"]
            return
        for k, v in value.items():
            _flatten(nested_name(prefix, str(k)) if prefix else str(k), v, out)
        return
    if isinstance(value, list):
        value = tuple(value)  # hashable: a list of names is one cell
    out[prefix] = value


def flat_row(row: Any) -> dict[str, Any]:
    """One row's columns: nested values flattened, ``*_iso`` text left out (the index and
    the ``*_time_s`` columns carry the time)."""
    out: dict[str, Any] = {}
    _flatten("", to_jsonable(row), out)
    return {k: v for k, v in out.items() if not k.endswith("_iso") and k != "time_iso"}


def utc_index(values: Iterable[Any], *, kind: str) -> pd.DatetimeIndex:
    """A UTC index from Unix seconds (``kind="s"``) or ``YYYY-MM-DD`` dates (``"date"``)."""
    import pandas as pd

    vals = list(values)
    if kind == "s":
        idx = pd.to_datetime(pd.Series(vals, dtype="float64"), unit="s", utc=True)
    else:
        idx = pd.to_datetime(pd.Series(vals, dtype="object"), format="%Y-%m-%d", utc=True)
    return pd.DatetimeIndex(idx, name=INDEX_NAME)


def frame(
    rows: Sequence[Any],
    *,
    time: str | None = None,
    date: str | None = None,
    at_s: int | None = None,
    attrs: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """A DataFrame of row dataclasses with a UTC index.

    Parameters
    ----------
    rows : sequence
        Row dataclasses (or mappings) of one kind.
    time : str, optional
        The column of Unix seconds that becomes the index (it is kept as a column too). [Unix s]
    date : str, optional
        The ``YYYY-MM-DD`` column that becomes the index (UTC midnight; kept as a column).
    at_s : int, optional
        Otherwise every row is indexed by this moment (the document's). [Unix s]
    attrs : mapping, optional
        ``DataFrame.attrs`` (the document name and its ``as_of``).
    """
    import pandas as pd

    flat = [flat_row(r) for r in rows]
    columns: list[str] = []
    for r in flat:
        columns.extend(k for k in r if k not in columns)
    df = pd.DataFrame.from_records(flat, columns=columns) if flat else pd.DataFrame(columns=columns)
    if time is not None:
        df.index = utc_index(df[time] if len(df) else [], kind="s")
    elif date is not None:
        df.index = utc_index(df[date] if len(df) else [], kind="date")
    else:
        if at_s is None:
            raise ValueError("give time, date or at_s")
        df.index = utc_index([at_s] * len(df), kind="s")
    df.attrs.update(attrs or {})
    return df


__all__ = ["DIMENSIONLESS", "UNIT_WORDS", "flat_row", "frame", "has_unit", "nested_name"]
