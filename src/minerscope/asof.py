"""The moment a question is asked about: parsing ``--at``, resolving it, and what is known then.

TIME is an ISO-8601 UTC time (``2026-02-01T08:40:17Z``), a UTC date (``2026-02-01``, meaning
the end of that day, 23:59:59Z: everything known by then) or ``height:N`` (the moment block N
was mined, with N as the tip). Everything evaluated "as of" uses only data known then, and a
moment after the caller's clock is refused.

One definition of "known at a moment" serves every document (``docs/asof.md``):

- a value stamped at ``t`` is known from ``t`` on; a day's close is stamped at the end of its
  day (00:00:00Z of the next day), and the last second of a day (23:59:59Z, what a date TIME
  means) stands for the day's end, so at that second the day's close and its daily row are
  known (:func:`known_by_s`, :func:`last_complete_day`);
- **the price at a moment** is the latest price so known, from the price table or the daily
  rows, whichever is stamped later (Coin Metrics' reference rate first on a tie):
  :func:`price_at`;
- **the data a moment is answered from** (:func:`data_moment`) is the stored blocks when the
  tip is at least as recent as the last complete daily row's day, else the daily rows; its
  time is the moment itself while the tip is less than two hours old, else the tip's time
  (block data), or the end of the last daily row (daily data);
- every document says so in one :class:`~minerscope.results.AsOfInfo` (:func:`as_of_info`),
  naming every input more than a day older than the data and saying when the moment is after
  the newest data.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from . import storage
from .errors import InputError, NoDataError
from .records import PriceRecord
from .results import AsOfInfo, StaleInput, stale_input
from .units import SECONDS_PER_DAY, SECONDS_PER_HOUR

#: A tip older than this before the moment means the data stopped, not the chain:
#: P(no block in 2 h at 600 s per block) = e^-12.
STALE_TIP_S = 2 * SECONDS_PER_HOUR
#: An input older than the document's data by more than this is named in ``stale_inputs``.
STALE_INPUT_S = SECONDS_PER_DAY

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
    """Resolve a TIME against the database; a moment after the clock is refused.

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

    Raises
    ------
    InputError
        For a time after ``now_s`` (nothing is known about the future).
    NoDataError
        For ``height:N`` with block N not stored.
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
    _refuse_future(spec, spec.time_s, now_s)
    return AsOf(spec.time_s, storage.tip_height_at(conn, spec.time_s), spec.text)


def moment_without_data(spec: TimeSpec | None, *, now_s: int) -> AsOf:
    """The moment of a question answered without a database (every input given).

    Raises
    ------
    InputError
        For a time after ``now_s``, or ``height:N`` (a height needs stored blocks).
    """
    if spec is None:
        return AsOf(now_s, None, "now")
    if spec.time_s is None:
        raise InputError(
            f"TIME {spec.text!r} needs the database that holds that block", field="--at"
        )
    _refuse_future(spec, spec.time_s, now_s)
    return AsOf(spec.time_s, None, spec.text)


def _refuse_future(spec: TimeSpec, time_s: int, now_s: int) -> None:
    if time_s > now_s:
        meaning = f" means {iso_utc(time_s)}, which" if _DATE_RE.match(spec.text) else ""
        raise InputError(
            f"TIME {spec.text!r}{meaning} is after the clock ({iso_utc(now_s)}): nothing is"
            " known about the future; leave out --at for the latest data",
            field="--at",
        )


def known_by_s(time_s: int) -> int:
    """The latest stamp known at ``time_s``: itself, or at a day's last second the day's end.

    A day's close is stamped 00:00:00Z of the next day; the last second of a day (23:59:59Z,
    what a date TIME means) stands for the end of the day, so the close counts as known then.
    Agrees with :func:`last_complete_day`: day D is complete exactly when D's close is known.
    """
    return time_s + 1 if (time_s + 1) % SECONDS_PER_DAY == 0 else time_s


def last_complete_day(time_s: int) -> str:
    """The last UTC day that had ended by ``time_s`` (a daily row is known only then)."""
    return date_utc((time_s + 1) // SECONDS_PER_DAY * SECONDS_PER_DAY - 1)


def day_end_s(day: str) -> int:
    """The end of a YYYY-MM-DD day: 00:00:00Z of the next, where its close is stamped."""
    return day_start_s(day) + SECONDS_PER_DAY


def price_at(conn: sqlite3.Connection, time_s: int) -> PriceRecord | None:
    """The price at a moment: the latest price known then (see the module docstring).

    From the price table or the daily rows (a daily row's price is the close of its day,
    stamped at the day's end), whichever is stamped later; on a tie Coin Metrics' reference
    rate, then the daily rows, then other sources by name. None when no price is known.
    """
    from .storage import moments  # numpy: not imported by commands that never need it

    return moments.price_at(conn, known_by_s(time_s))


@dataclass(frozen=True)
class DataMoment:
    """Which stored data answers a moment, and the time that data describes.

    Attributes
    ----------
    resolution : str or None
        ``"block"``, ``"daily"``, or None when nothing is stored by then.
    data_time_s : int or None
        Block data: the moment while the tip is less than :data:`STALE_TIP_S` old, else the
        tip's time. Daily data: the end of the last complete daily row. [Unix s]
    tip_height, tip_time_s : int or None
        The stored tip at the moment (block data only). [height], [Unix s]
    day : str or None
        The last complete daily row (YYYY-MM-DD) at the moment, at either resolution.
    estimated_height : int or None
        Daily data whose rows start at genesis: the cumulative daily block count - 1 (Coin
        Metrics' counts run a few blocks off the true height).
    """

    resolution: str | None
    data_time_s: int | None
    tip_height: int | None = None
    tip_time_s: int | None = None
    day: str | None = None
    estimated_height: int | None = None


def data_moment(conn: sqlite3.Connection, as_of: AsOf) -> DataMoment:
    """The stored data that answers ``as_of``: blocks if at least as recent as the daily rows."""
    day = storage.last_daily_date(conn, on_or_before=last_complete_day(as_of.time_s))
    if as_of.tip_height is not None:
        tip = storage.block_row(conn, as_of.tip_height)
        if tip is not None and (day is None or tip.time_s >= day_start_s(day)):
            fresh = as_of.time_s - tip.time_s <= STALE_TIP_S
            return DataMoment(
                "block", as_of.time_s if fresh else tip.time_s, tip.height, tip.time_s, day
            )
    if day is None:
        return DataMoment(None, None)
    from .storage import moments

    first, total = moments.daily_block_count(conn, to_date=day)
    estimated = total - 1 if first == "2009-01-03" and total > 0 else None
    return DataMoment("daily", day_end_s(day), None, None, day, estimated)


def _age(seconds: float) -> str:
    if seconds < 2 * SECONDS_PER_HOUR:
        return f"{seconds / 60:,.0f} min"
    if seconds < 2 * SECONDS_PER_DAY:
        return f"{seconds / SECONDS_PER_HOUR:,.1f} h"
    return f"{seconds / SECONDS_PER_DAY:,.1f} days"


def as_of_info(
    as_of: AsOf,
    *,
    resolution: str | None,
    data_time_s: int | None,
    tip_height: int | None = None,
    tip_time_s: int | None = None,
    inputs: Mapping[str, int | None] | None = None,
    notes: tuple[str, ...] = (),
) -> AsOfInfo:
    """The ``as_of`` of a document: the moment, the data's time, stale inputs and notes.

    Parameters
    ----------
    as_of : AsOf
        The resolved moment.
    resolution : str or None
        ``"block"``, ``"daily"`` or None (no stored data used).
    data_time_s : int or None
        The time the data describes (see :class:`DataMoment`). [Unix s]
    tip_height, tip_time_s : int, optional
        The tip behind block data (named when the data stopped before the moment).
    inputs : mapping, optional
        Input name -> the time its value was known (None: given by the caller, no time). Those
        more than :data:`STALE_INPUT_S` older than ``data_time_s`` become ``stale_inputs``.
    notes : tuple of str
        Further notes; one is added for each input known more than :data:`STALE_INPUT_S`
        after ``data_time_s`` (a price newer than the last block or daily row), and one when
        the moment is after the newest data (block data more than :data:`STALE_TIP_S` old,
        or a daily row more than a day old).
    """
    stale: tuple[StaleInput, ...] = ()
    extra: list[str] = []
    if data_time_s is not None:
        stale = tuple(
            stale_input(name, t, data_time_s)
            for name, t in (inputs or {}).items()
            if t is not None and data_time_s - t > STALE_INPUT_S
        )
        extra.extend(  # an input newer than the data (a price after the last block or row)
            f"{name} is from {iso_utc(t)}, {_age(t - data_time_s)} newer than the data:"
            " the figures combine the two"
            for name, t in (inputs or {}).items()
            if t is not None and t - data_time_s > STALE_INPUT_S
        )
        behind = as_of.time_s - (tip_time_s if tip_time_s is not None else data_time_s)
        if resolution == "block" and behind > STALE_TIP_S:
            tip = f"block {tip_height:,}" if tip_height is not None else "the last block"
            when = iso_utc(tip_time_s if tip_time_s is not None else data_time_s)
            extra.append(
                f"the moment is after the newest data: {tip} at {when} is {_age(behind)} older;"
                " the figures are as of that block"
            )
        elif resolution == "daily" and behind > SECONDS_PER_DAY:
            extra.append(
                f"the moment is after the newest data: the last daily row ended"
                f" {iso_utc(data_time_s)}, {_age(behind)} before it; the figures are as of then"
            )
    return AsOfInfo.build(
        as_of.time_s,
        as_of.text,
        data_time_s=data_time_s,
        resolution=resolution,
        tip_height=tip_height,
        stale_inputs=stale,
        notes=(*extra, *notes),
    )


def moment_info(
    as_of: AsOf,
    moment: DataMoment,
    *,
    inputs: Mapping[str, int | None] | None = None,
    notes: tuple[str, ...] = (),
) -> AsOfInfo:
    """:func:`as_of_info` for a :class:`DataMoment`."""
    return as_of_info(
        as_of,
        resolution=moment.resolution,
        data_time_s=moment.data_time_s,
        tip_height=moment.tip_height,
        tip_time_s=moment.tip_time_s,
        inputs=inputs,
        notes=notes,
    )
