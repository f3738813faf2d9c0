"""Hourly (or 15-minute) power-price files: read them fast, and use a price only where it is true.

Input handling for the fleet file's ``power_price_csv`` (``docs/fleet-format.md``). The ERCOT
files in ``../shared/data/power/`` are about 20 MB and hold 15 nodes; only the rows of the node
asked for are parsed (the file is searched as bytes for the node's span first), and pandas is
not imported, so a command that reads one node of one file starts and finishes fast.

A price is refused or flagged where it would mislead:

- a file with several nodes (or markets) and none named is refused, listing them;
- a duplicated interval is refused, naming both lines;
- a price that is not a finite number (``inf``, ``nan``, text) is refused, naming its line;
- a moment that falls in a gap of the file, or after its end, gets no price unless the price
  is at most ``max_age_s`` old (the site's ``power_price_max_age_hours``, default 0): the
  age is reported with the price (:func:`hourly_price_info`);
- a window with missing intervals is refused unless a fill rule is named
  (:func:`price_window`), and then the filled intervals are counted.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from .asof import iso_utc
from .errors import InputError, NoDataError
from .sources._textfile import TextFile
from .sources.files import read_text_file
from .units import SECONDS_PER_HOUR, SECONDS_PER_MINUTE, W_PER_KW

FILL_RULES = ("previous", "linear")
_MARKET_ALIASES = {"rtm": ("RTM", "REAL_TIME", "REALTIME"), "dam": ("DAM", "DAY_AHEAD", "DA")}


@dataclass(frozen=True)
class HourlyPrices:
    """A power-price series: interval start times and prices, sorted by time.

    Attributes
    ----------
    path : str
        The file it came from.
    start_time_s : ndarray of int64
        Start of each interval. [Unix s]
    price_usd_per_kwh : ndarray of float64
        Price of each interval. [USD/kWh]
    interval_s : int
        Length of every interval (3600 for hourly files, 900 for 15-minute ones). [s]
    node : str or None
        The node kept (``power_price_node``), when the file has a ``node`` column.
    market : str or None
        The market of the rows (``market`` column), when the file has one.
    max_age_s : int
        How long after its interval ended a price may still be used (0: only inside its
        own interval). [s]
    """

    path: str
    start_time_s: npt.NDArray[np.int64]
    price_usd_per_kwh: npt.NDArray[np.float64]
    interval_s: int = SECONDS_PER_HOUR
    node: str | None = None
    market: str | None = None
    max_age_s: int = 0


class HourPrice(NamedTuple):
    """The price in effect at a moment, and how old it is."""

    price_usd_per_kwh: float
    start_time_s: int
    age_s: int  # time since the interval ended; 0 inside it [s]


@dataclass(frozen=True)
class PriceWindow:
    """Prices on a regular grid of intervals covering a window."""

    start_time_s: npt.NDArray[np.int64]
    price_usd_per_kwh: npt.NDArray[np.float64]
    filled: npt.NDArray[np.bool_]  # intervals the file lacks, filled by ``fill_rule``
    interval_s: int
    fill_rule: str | None


def _market_matches(value: str, wanted: str) -> bool:
    v = value.strip().upper()
    w = wanted.strip().upper()
    if v == w:
        return True
    aliases = _MARKET_ALIASES.get(wanted.strip().lower(), (w,))
    return any(v == a or v.endswith("_" + a) for a in aliases)


def _distinct(values: list[str], limit: int = 8) -> str:
    seen = sorted(set(values))
    more = f" and {len(seen) - limit} more" if len(seen) > limit else ""
    return ", ".join(seen[:limit]) + more


def _node_span(data: bytes, node: str, col: int, ncols: int, body_start: int) -> tuple[int, int]:
    """Byte range ``[lo, hi)`` of the lines that may hold ``node`` in column ``col``.

    The first and last occurrence of the value (with its field separators) bound every row
    of that node, whatever the file's order; rows of other nodes inside the range are
    filtered when parsed.
    """
    v = node.encode()
    if col == 0:
        pats = [b"\n" + v + b","]
    elif col == ncols - 1:
        pats = [b"," + v + b"\n", b"," + v + b"\r\n"]
    else:
        pats = [b"," + v + b","]
    firsts = [data.find(p, body_start - 1) for p in pats]
    firsts = [f for f in firsts if f >= 0]
    if not firsts:
        return body_start, body_start
    first = min(firsts)
    last = max(data.rfind(p) for p in pats)
    lo = data.rfind(b"\n", 0, first + 1) + 1 if col != 0 else first + 1
    hi = data.find(b"\n", last + 1)
    return max(lo, body_start), len(data) if hi < 0 else hi + 1


def _parse_time(text: str, path: str, line: int, field: str) -> int:
    if field == "time_s":
        try:
            value = float(text)
        except ValueError:
            raise InputError(
                f"non-numeric time_s {text!r}", path=path, line=line, field="time_s"
            ) from None
        if not math.isfinite(value):
            raise InputError(f"time_s {text!r} is not finite", path=path, line=line, field=field)
        return int(value)
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"bad time {text!r} (ISO-8601 UTC, e.g. 2026-01-26T02:00:00Z)",
            path=path,
            line=line,
            field=field,
        ) from None
    if moment.tzinfo is None:
        raise InputError(
            f"time {text!r} has no time zone (add Z for UTC)", path=path, line=line, field=field
        )
    return int(moment.timestamp())


def _fast_times(texts: list[str]) -> npt.NDArray[np.int64] | None:
    """``YYYY-MM-DDTHH:MM:SSZ`` strings as Unix seconds with numpy (None if any differs)."""
    if not texts or any(len(t) != 20 or t[-1] != "Z" or t[10] != "T" for t in texts):
        return None
    try:
        stamps = np.array([t[:-1] for t in texts], dtype="datetime64[s]")
    except ValueError:
        return None
    return stamps.astype(np.int64)


def read_hourly_prices(
    path: Path,
    *,
    column: str,
    node: str | None,
    label: str,
    market: str | None = None,
    max_age_s: int = 0,
) -> HourlyPrices:
    """Read a power-price CSV (hourly or 15-minute).

    Parameters
    ----------
    path : Path
        CSV with a ``time_utc`` (ISO-8601 UTC, interval start) or ``time_s`` column, the price
        column and, when the file holds several nodes or markets, ``node`` / ``market``
        columns. An ``interval_minutes`` column, when present, gives the interval length;
        otherwise it is the most common step between consecutive times.
    column : str
        Price column; its name must end in ``_usd_per_mwh`` or ``_usd_per_kwh`` (the unit).
    node : str or None
        Keep only rows whose ``node`` equals this (e.g. ``HB_WEST`` in ERCOT files).
    label : str
        Name used in errors (the key that named the file).
    market : str or None
        Keep only rows of this market (``rtm``, ``dam`` or the file's own value such as
        ``ERCOT_RTM``); needed when the file holds several.
    max_age_s : int
        Stored with the series: how long after its interval a price may be used. [s]

    Returns
    -------
    HourlyPrices
        Sorted by time, prices in USD/kWh.

    Raises
    ------
    InputError
        Unknown columns or units; several nodes or markets and none named; a duplicated
        interval; a price that is not a finite number; an unreadable time.
    """
    if column.endswith("_usd_per_mwh"):
        to_kwh = 1.0 / W_PER_KW
    elif column.endswith("_usd_per_kwh"):
        to_kwh = 1.0
    else:
        raise InputError(
            f"price column {column!r} must end in _usd_per_mwh or _usd_per_kwh (its unit)",
            path=label,
            field="power_price_column",
        )
    p = str(path)
    TextFile(Path(path)).close()  # a regular file only: a FIFO or device is refused unread
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read hourly price file: {exc.strerror}", path=p) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    nl = data.find(b"\n")
    header_line = (data if nl < 0 else data[:nl]).decode("utf-8", "replace").strip()
    if not header_line:
        raise InputError("cannot read hourly price file: it is empty", path=p)
    header = next(csv.reader([header_line]))
    body_start = len(data) if nl < 0 else nl + 1
    time_col = "time_utc" if "time_utc" in header else "time_s" if "time_s" in header else None
    if time_col is None:
        raise InputError("needs a time_utc or time_s column", path=p, line=1)
    if column not in header:
        raise InputError(
            f"no column {column!r} (columns: {', '.join(header)})", path=p, line=1, field=column
        )
    if node is not None and "node" not in header:
        raise InputError(
            "power_price_node is set but the file has no 'node' column", path=p, line=1
        )
    if market is not None and "market" not in header:
        raise InputError("a market is named but the file has no 'market' column", path=p, line=1)
    i_time, i_price = header.index(time_col), header.index(column)
    i_node = header.index("node") if "node" in header else None
    i_market = header.index("market") if "market" in header else None
    i_interval = header.index("interval_minutes") if "interval_minutes" in header else None

    lo, hi = body_start, len(data)
    if node is not None and i_node is not None:
        lo, hi = _node_span(data, node, i_node, len(header), body_start)
    first_line = data.count(b"\n", 0, lo) + 1
    text = data[lo:hi].decode("utf-8", "replace")
    rows = list(csv.reader(io.StringIO(text)))
    lines = np.arange(first_line, first_line + len(rows))
    keep = [i for i, r in enumerate(rows) if r and any(f.strip() for f in r)]
    if node is not None and i_node is not None:
        keep = [i for i in keep if len(rows[i]) > i_node and rows[i][i_node] == node]
        if not keep:
            nodes = _column_values(data, body_start, i_node)
            raise InputError(
                f"no rows for node {node!r} (nodes: {_distinct(nodes)})", path=p, field="node"
            )
    elif i_node is not None and keep:
        nodes = [rows[i][i_node] if len(rows[i]) > i_node else "" for i in keep]
        if len(set(nodes)) > 1:
            raise InputError(
                f"holds several nodes ({_distinct(nodes)}) and none is named: set power_price_node",
                path=p,
                field="node",
            )
        node = nodes[0] or None
    if i_market is not None and keep:
        markets = [rows[i][i_market] if len(rows[i]) > i_market else "" for i in keep]
        if market is not None:
            keep = [i for i, m in zip(keep, markets, strict=True) if _market_matches(m, market)]
            if not keep:
                raise InputError(
                    f"no rows for market {market!r} (markets: {_distinct(markets)})",
                    path=p,
                    field="market",
                )
            market = rows[keep[0]][i_market]
        elif len(set(markets)) > 1:
            raise InputError(
                f"holds several markets ({_distinct(markets)}) and none is named:"
                " set power_price_market (rtm or dam) or pass --market",
                path=p,
                field="market",
            )
        else:
            market = markets[0] or None
    if not keep:
        raise InputError("holds no price rows", path=p)
    width = max(i_time, i_price)
    for i in keep:
        if len(rows[i]) <= width:
            raise InputError(
                f"has {len(rows[i])} fields, the header {len(header)}",
                path=p,
                line=int(lines[i]),
            )
    prices = np.empty(len(keep), dtype=np.float64)
    for j, i in enumerate(keep):
        raw = rows[i][i_price].strip()
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise InputError(
                f"price {raw!r} is not a finite number", path=p, line=int(lines[i]), field=column
            )
        prices[j] = value
    time_texts = [rows[i][i_time].strip() for i in keep]
    start = _fast_times(time_texts) if time_col == "time_utc" else None
    if start is None:
        start = np.array(
            [
                _parse_time(t, p, int(lines[i]), time_col)
                for t, i in zip(time_texts, keep, strict=True)
            ],
            dtype=np.int64,
        )
    kept_lines = lines[keep]
    order = np.argsort(start, kind="stable")
    start, prices, kept_lines = start[order], prices[order], kept_lines[order]
    dup = np.flatnonzero(np.diff(start) == 0)
    if dup.size:
        a, b = sorted((int(kept_lines[dup[0]]), int(kept_lines[dup[0] + 1])))
        raise InputError(
            f"interval {iso_utc(int(start[dup[0]]))} appears twice (lines {a} and {b}):"
            " one price per interval",
            path=p,
            line=b,
            field=time_col,
        )
    interval_s = _interval_s(rows, keep, i_interval, start, p, lines)
    return HourlyPrices(
        path=p,
        start_time_s=start,
        price_usd_per_kwh=prices * to_kwh,
        interval_s=interval_s,
        node=node,
        market=market,
        max_age_s=max_age_s,
    )


def _column_values(data: bytes, body_start: int, col: int) -> list[str]:
    """Every value of one column (slow path, for error messages only)."""
    text = data[body_start:].decode("utf-8", "replace")
    return [r[col] for r in csv.reader(io.StringIO(text)) if len(r) > col]


def _interval_s(
    rows: list[list[str]],
    keep: list[int],
    i_interval: int | None,
    start: npt.NDArray[np.int64],
    path: str,
    lines: npt.NDArray[np.int64],
) -> int:
    if i_interval is not None:
        values = {rows[i][i_interval].strip() for i in keep if len(rows[i]) > i_interval}
        if len(values) != 1:
            raise InputError(
                f"mixes interval lengths ({', '.join(sorted(values))} minutes): use one",
                path=path,
                field="interval_minutes",
            )
        raw = values.pop()
        try:
            minutes = float(raw)
        except ValueError:
            minutes = math.nan
        if not (math.isfinite(minutes) and minutes > 0 and SECONDS_PER_HOUR % (minutes * 60) == 0):
            raise InputError(
                f"interval_minutes {raw!r} must divide an hour (15, 30, 60)",
                path=path,
                line=int(lines[keep[0]]),
                field="interval_minutes",
            )
        return int(minutes * SECONDS_PER_MINUTE)
    if len(start) < 2:
        return SECONDS_PER_HOUR
    steps, counts = np.unique(np.diff(start), return_counts=True)
    step = int(steps[np.argmax(counts)])
    return step if step > 0 and SECONDS_PER_HOUR % step == 0 else SECONDS_PER_HOUR


def hourly_price_info(
    hourly: HourlyPrices, time_s: int, *, max_age_s: int | None = None
) -> HourPrice:
    """The price of the interval in effect at ``time_s``, or the latest one if it is recent.

    Parameters
    ----------
    hourly : HourlyPrices
    time_s : int
        The moment. [Unix s]
    max_age_s : int, optional
        How long after its interval ended a price may still be used (default: the
        series' own ``max_age_s``, from the site's ``power_price_max_age_hours``). [s]

    Returns
    -------
    HourPrice
        Price, the interval's start and its age (0 when ``time_s`` is inside it).

    Raises
    ------
    NoDataError
        Before the file's first interval, or when the latest interval at or before
        ``time_s`` ended more than ``max_age_s`` earlier (a gap in the file, or the file
        ends): the message gives the interval found and its age.
    """
    limit = hourly.max_age_s if max_age_s is None else max_age_s
    i = int(np.searchsorted(hourly.start_time_s, time_s, side="right")) - 1
    first = int(hourly.start_time_s[0])
    last_end = int(hourly.start_time_s[-1]) + hourly.interval_s
    if i < 0:
        raise NoDataError(
            f"{hourly.path}: no hourly power price at {iso_utc(time_s)}; the file covers"
            f" {iso_utc(first)} to {iso_utc(last_end - 1)}: pass --at inside that range"
        )
    start = int(hourly.start_time_s[i])
    age = max(time_s - (start + hourly.interval_s) + 1, 0)
    if age > limit:
        where = "after the file ends" if i == len(hourly.start_time_s) - 1 else "in a gap"
        raise NoDataError(
            f"{hourly.path}: no hourly power price at {iso_utc(time_s)} ({where}); the latest"
            f" interval before it starts {iso_utc(start)} and ended {age / SECONDS_PER_HOUR:.1f} h"
            f" earlier (limit {limit / SECONDS_PER_HOUR:g} h: power_price_max_age_hours); the"
            f" file covers {iso_utc(first)} to {iso_utc(last_end - 1)}"
        )
    return HourPrice(float(hourly.price_usd_per_kwh[i]), start, int(age))


def hourly_price_at(hourly: HourlyPrices, time_s: int) -> tuple[float, int]:
    """The price of the hour in effect at ``time_s``: (USD/kWh, interval start Unix s).

    Raises
    ------
    NoDataError
        When ``time_s`` is before the first interval, in a gap, or after the last interval,
        by more than the series' ``max_age_s`` (see :func:`hourly_price_info`).
    """
    info = hourly_price_info(hourly, time_s)
    return info.price_usd_per_kwh, info.start_time_s


def price_window(
    hourly: HourlyPrices, from_s: int, to_s: int, *, fill: str | None = None
) -> PriceWindow:
    """Prices of every interval starting in ``[from_s, to_s)``, on the file's interval grid.

    Parameters
    ----------
    hourly : HourlyPrices
    from_s, to_s : int
        The window; ``from_s`` is rounded down to an interval start. [Unix s]
    fill : {None, "previous", "linear"}
        How to fill intervals the file lacks: ``previous`` carries the last known price
        forward, ``linear`` interpolates between the neighbours; None refuses gaps.

    Raises
    ------
    InputError
        The window is empty or outside the file, or has gaps and no fill rule: the message
        counts the missing intervals and names the first ones.
    """
    step = hourly.interval_s
    if to_s <= from_s:
        raise InputError(
            f"the window {iso_utc(from_s)} .. {iso_utc(to_s)} is empty: --to must be after --from",
            field="--to",
        )
    if fill is not None and fill not in FILL_RULES:
        raise InputError(
            f"unknown fill rule {fill!r}; one of {', '.join(FILL_RULES)}", field="--fill-gaps"
        )
    grid0 = from_s - from_s % step
    grid = np.arange(grid0, to_s, step, dtype=np.int64)
    first = int(hourly.start_time_s[0])
    last = int(hourly.start_time_s[-1])
    if grid[0] < first or grid[-1] > last:
        raise InputError(
            f"the window {iso_utc(int(grid[0]))} .. {iso_utc(int(grid[-1]) + step)} is not inside"
            f" {hourly.path} ({iso_utc(first)} .. {iso_utc(last + step)})",
            path=hourly.path,
            field="--from" if grid[0] < first else "--to",
        )
    idx = np.searchsorted(hourly.start_time_s, grid)
    idx_c = np.minimum(idx, len(hourly.start_time_s) - 1)
    have = hourly.start_time_s[idx_c] == grid
    prices = np.where(have, hourly.price_usd_per_kwh[idx_c], np.nan)
    missing = np.flatnonzero(~have)
    if missing.size == len(grid):
        raise InputError(
            f"no interval of the window {iso_utc(int(grid[0]))} .. {iso_utc(int(grid[-1]) + step)}"
            " is in the file",
            path=hourly.path,
        )
    if missing.size:
        names = ", ".join(iso_utc(int(grid[m])) for m in missing[:3])
        more = f" and {missing.size - 3} more" if missing.size > 3 else ""
        if fill is None:
            raise InputError(
                f"{missing.size} interval(s) of {step // SECONDS_PER_MINUTE} min are missing in"
                f" the window ({names}{more}): pass --fill-gaps previous (carry the last price"
                " forward) or --fill-gaps linear (interpolate)",
                path=hourly.path,
            )
        known_t = grid[have]
        known_p = prices[have]
        if fill == "linear":
            prices = np.interp(grid, known_t, known_p)
        else:
            pos = np.searchsorted(known_t, grid, side="right") - 1
            prices = known_p[np.maximum(pos, 0)]
    return PriceWindow(grid, prices.astype(np.float64), ~have, step, fill if missing.size else None)


def read_interval_times(path: Path) -> npt.NDArray[np.int64]:
    """Interval start times from a CSV with a ``time_utc`` (or ``time_s``) column, sorted.

    Used for ERCOT's four coincident-peak (4CP) intervals of each summer. [Unix s]

    Raises
    ------
    InputError
        No time column, or a time that does not parse (naming its line).
    """
    p = str(path)
    text = read_text_file(Path(path))  # a regular UTF-8 file only
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise InputError("is empty", path=p)
    header = [h.strip() for h in rows[0]]
    col = "time_utc" if "time_utc" in header else "time_s" if "time_s" in header else None
    if col is None:
        raise InputError("needs a time_utc or time_s column", path=p, line=1)
    i = header.index(col)
    out = [
        _parse_time(r[i], p, n, col)
        for n, r in enumerate(rows[1:], start=2)
        if r and len(r) > i and r[i].strip()
    ]
    return np.array(sorted(out), dtype=np.int64)


__all__ = [
    "FILL_RULES",
    "HourPrice",
    "HourlyPrices",
    "PriceWindow",
    "hourly_price_at",
    "hourly_price_info",
    "price_window",
    "read_hourly_prices",
    "read_interval_times",
]
