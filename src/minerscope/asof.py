"""The moment a question is asked about: parsing ``--at`` and resolving it against stored data.

TIME is an ISO-8601 UTC time (``2026-02-01T08:40:17Z``), a UTC date (``2026-02-01``, meaning
the end of that day, 23:59:59Z: everything known by then) or ``height:N`` (the moment block N
was mined, with N as the tip). Everything evaluated "as of" uses only data known then.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from . import storage
from .errors import InputError, NoDataError
from .units import SECONDS_PER_DAY

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_HEIGHT_DIGITS = 12  # height:N beyond 10**12 blocks is no block (and no SQLite integer)
MAX_TIME_S = 253_402_300_799  # 9999-12-31T23:59:59Z, the last time datetime can show


@dataclass(frozen=True)
class TimeSpec:
    """A parsed TIME: exactly one of ``time_s`` and ``height`` is set."""

    text: str
    time_s: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class AsOf:
    """A resolved moment: the time, and the chain tip known then (None without blocks)."""

    time_s: int
    tip_height: int | None
    text: str

    @property
    def iso(self) -> str:
        """The moment as ISO-8601 UTC (``2026-02-01T08:40:17Z``)."""
        return iso_utc(self.time_s)


def iso_utc(time_s: int) -> str:
    """Format Unix seconds as ISO-8601 UTC with a trailing Z."""
    return datetime.fromtimestamp(time_s, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def date_utc(time_s: int) -> str:
    """The UTC calendar date (YYYY-MM-DD) of a Unix time."""
    return datetime.fromtimestamp(time_s, tz=UTC).strftime("%Y-%m-%d")


def day_start_s(day: str) -> int:
    """Unix time of 00:00:00Z on a YYYY-MM-DD date."""
    return int(datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC).timestamp())


def parse_time_spec(text: str) -> TimeSpec:
    """Parse a TIME option value.

    Raises
    ------
    InputError
        When the value is none of the accepted forms, naming the value.
    """
    raw = text.strip()
    if raw.startswith("height:"):
        num = raw.removeprefix("height:")
        if not (num.isascii() and num.isdigit()):
            raise InputError(f"TIME {text!r}: height must be a non-negative integer", field="--at")
        if len(num) > MAX_HEIGHT_DIGITS:
            raise InputError(f"TIME {text!r}: height is out of range", field="--at")
        return TimeSpec(text=raw, height=int(num))
    if _DATE_RE.match(raw):
        try:
            day = date.fromisoformat(raw)
        except ValueError as exc:
            raise InputError(f"TIME {text!r} is not a valid date: {exc}", field="--at") from exc
        end = datetime.combine(day, datetime.min.time(), UTC) + timedelta(days=1)
        return TimeSpec(text=raw, time_s=int(end.timestamp()) - 1)
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise InputError(
            f"TIME {text!r} is not an ISO-8601 UTC time, a date or height:N", field="--at"
        ) from exc
    if moment.tzinfo is None:
        raise InputError(
            f"TIME {text!r} has no time zone: add Z for UTC (e.g. 2026-02-01T08:40:17Z)",
            field="--at",
        )
    try:
        time_s = int(moment.timestamp())
    except (OverflowError, ValueError) as exc:  # year 1 with a positive offset, ...
        raise InputError(f"TIME {text!r} is out of range", field="--at") from exc
    if not 0 <= time_s <= MAX_TIME_S:
        raise InputError(f"TIME {text!r} is out of range (1970 to 9999)", field="--at")
    return TimeSpec(text=raw, time_s=time_s)


def resolve_as_of(conn: sqlite3.Connection, spec: TimeSpec | None, *, now_s: int) -> AsOf:
    """Resolve a TIME against the database.

    Parameters
    ----------
    conn : sqlite3.Connection
        Open database.
    spec : TimeSpec or None
        The parsed ``--at``; None means now (the latest stored data).
    now_s : int
        The caller's clock (the library never reads it). [Unix s]

    Returns
    -------
    AsOf
        For a time: the time and the highest stored block at or before it. For
        ``height:N``: block N's time and N. For None: ``now_s`` (or the tip's time if
        later: a clock behind the data) and the highest stored block.
    """
    if spec is None:
        tip = storage.max_block_height(conn)
        latest_s = storage.max_block_time_s(conn)
        if tip is None or latest_s is None:
            return AsOf(now_s, None, "now")
        return AsOf(max(now_s, latest_s), tip, "now")
    if spec.height is not None:
        block = storage.block_row(conn, spec.height)
        if block is None:
            rng = storage.block_range(conn)
            have = f"stored blocks are {rng[0]}..{rng[1]}" if rng else "no blocks are stored"
            raise NoDataError(f"block {spec.height} is not in the database ({have})")
        return AsOf(block.time_s, spec.height, spec.text)
    assert spec.time_s is not None
    return AsOf(spec.time_s, storage.tip_height_at(conn, spec.time_s), spec.text)


def last_complete_day(time_s: int) -> str:
    """The last UTC day that had ended by ``time_s`` (a daily row is known only then)."""
    return date_utc((time_s + 1) // SECONDS_PER_DAY * SECONDS_PER_DAY - 1)
