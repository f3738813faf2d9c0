"""Parsing and validating the parameters users give, shared by the CLI and the REST API.

The CLI's options (``--difficulty 141.67T``, ``--from 2026-01-01``) and the API's query
parameters (``difficulty=141.67T``, ``from=2026-01-01``) go through the same functions, so
the same value is accepted or refused with the same message in both. Errors are
:class:`~minerscope.errors.InputError` naming the option (``field="--difficulty"``); the web
layer shows the API's parameter name instead (:func:`api_name`).

The ``MAX_*`` bounds keep every value inside what the stored data and SQLite integers can
answer (a window of 10**20 blocks would overflow a query, not answer a question).
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Final

from .asof import TimeSpec, parse_time_spec
from .errors import InputError

#: Largest window, lookback or series length in days (a century). [days]
MAX_DAYS: Final = 36_500
#: Longest drawdown lookback the API computes: a halving cycle. The peak's bootstrap costs
#: about a millisecond per day of lookback (1.6 s at this bound on 2 loaded cores). [days]
MAX_LOOKBACK_DAYS: Final = 1_461
#: Largest window in blocks (about 190 years of blocks). [blocks]
MAX_WINDOW_BLOCKS: Final = 10_000_000
#: Largest BTC price accepted. [USD/BTC]
MAX_BTC_PRICE_USD: Final = 1e9
#: Largest mean fee per block or subsidy accepted (the whole supply). [BTC]
MAX_BTC_PER_BLOCK: Final = 21e6
#: Largest power price accepted (the economics reports refuse more). [USD/kWh]
MAX_POWER_PRICE_USD_PER_KWH: Final = 2.0

_SUFFIX: Final = {"": 1.0, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18}
_DIFF_RE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([KMGTPE]?)\s*$", re.IGNORECASE)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def api_name(field: str) -> str:
    """The API's name of a CLI option: ``--window-days`` -> ``window_days``."""
    return field.removeprefix("--").replace("-", "_") if field.startswith("--") else field


def parse_at(text: str | None) -> TimeSpec | None:
    """``--at`` / ``at``: a TIME (see :func:`minerscope.asof.parse_time_spec`); None is now."""
    if text is None:
        return None
    return parse_time_spec(text)


def parse_difficulty(text: str | None) -> float | None:
    """``141.67T`` / ``1.4167e14`` -> float; None passes through.

    Raises
    ------
    InputError
        When the text is not a positive, finite difficulty (``field="--difficulty"``).
    """
    if text is None:
        return None
    m = _DIFF_RE.match(text)
    if m is None:
        raise InputError(
            f"{text!r} is not a difficulty (e.g. 141.67T or 1.4167e14)", field="--difficulty"
        )
    value = float(m.group(1)) * _SUFFIX[m.group(2).upper()]
    if not math.isfinite(value):
        raise InputError(f"{text!r} is not a finite number", field="--difficulty")
    if value <= 0:
        raise InputError("difficulty must be positive", field="--difficulty")
    return value


def parse_date(text: str | None, field: str) -> str | None:
    """A YYYY-MM-DD date (``--from``, ``--to``); None passes through.

    Raises
    ------
    InputError
        When the text is not a real calendar date in that form, naming ``field``.
    """
    if text is None:
        return None
    try:
        ok = bool(_DATE_RE.match(text)) and bool(date.fromisoformat(text))
    except ValueError:
        ok = False
    if not ok:
        raise InputError(f"{text!r} is not a date (YYYY-MM-DD)", field=field)
    return text


def resolve_pue(pue: float | None, overhead_pct: float | None) -> float:
    """The PUE from ``--pue`` or ``--overhead-pct`` (PUE = 1 + pct/100); 1.0 when neither.

    Raises
    ------
    InputError
        When both are given.
    """
    if pue is not None and overhead_pct is not None:
        raise InputError("give --pue or --overhead-pct, not both", field="--overhead-pct")
    return pue if pue is not None else 1.0 + (overhead_pct or 0.0) / 100.0


def check_exclusive(first: tuple[str, object | None], second: tuple[str, object | None]) -> None:
    """Refuse two options that exclude each other (``--window-blocks`` and ``--window-days``).

    Raises
    ------
    InputError
        When both values are given, naming the second option.
    """
    if first[1] is not None and second[1] is not None:
        raise InputError(f"give {first[0]} or {second[0]}, not both", field=second[0])


__all__ = [
    "MAX_BTC_PER_BLOCK",
    "MAX_BTC_PRICE_USD",
    "MAX_DAYS",
    "MAX_LOOKBACK_DAYS",
    "MAX_POWER_PRICE_USD_PER_KWH",
    "MAX_WINDOW_BLOCKS",
    "api_name",
    "check_exclusive",
    "parse_at",
    "parse_date",
    "parse_difficulty",
    "resolve_pue",
]
