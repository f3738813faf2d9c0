"""Economics inputs as of a moment, and the machine catalog with the user's additions.

Inputs as of a moment (every one says where it came from, and when it was known):

- **difficulty** of the next block: from the stored tip and its epoch's bits at block
  resolution; at daily resolution the bits of the epoch the daily block counts put the next
  block in (the same epoch ``status`` shows), else the last daily mean difficulty;
- **subsidy** of the next block from its height (consensus schedule); without blocks, the last
  complete day's issuance per block; with no stored data, the halving calendar;
- **fees per block**: the mean of the last 144 stored blocks, or the last complete day's
  fees / blocks, whichever is more recent; when fee data has ended the last known value is
  used and named as a stale input;
- **BTC price**: :func:`minerscope.asof.price_at`, the one price of the moment everywhere.

Every value can be given by the caller (the CLI's flags). Given numbers are checked: a
non-finite number is refused, and one far from what is stored for the moment (or outside
what is plausible when nothing is stored) is refused with a hint unless ``force``.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import config as user_config
from .. import storage
from ..asof import AsOf, DataMoment, data_moment, day_end_s, iso_utc, price_at
from ..consensus import block_subsidy_sat, difficulty_from_bits, epoch_of
from ..economics import catalog as cat
from ..errors import InputError, NoDataError
from ..sources import catalog as catalog_files
from ..storage import moments
from ..units import DIFFICULTY_PER_T, SAT_PER_BTC, SECONDS_PER_DAY

if TYPE_CHECKING:
    from .econ_results import NetworkInputs

FEE_WINDOW_BLOCKS = 144
FEE_LOOKBACK_BLOCKS = 4 * FEE_WINDOW_BLOCKS
#: Halvings as (time of the first block of the era, subsidy in BTC): blocks 210,000,
#: 420,000, 630,000 and 840,000 (their header times, ``../shared/data/block_headers.json``).
#: Used only when no stored block or daily row gives the subsidy.
HALVINGS: tuple[tuple[int, float], ...] = (
    (1_231_006_505, 50.0),  # genesis, 2009-01-03T18:15:05Z
    (1_354_116_278, 25.0),  # block 210,000, 2012-11-28T15:24:38Z
    (1_468_082_773, 12.5),  # block 420,000, 2016-07-09T16:46:13Z
    (1_589_225_023, 6.25),  # block 630,000, 2020-05-11T19:23:43Z
    (1_713_571_767, 3.125),  # block 840,000, 2024-04-20T00:09:27Z
)
#: The calendar stops here: block 1,050,000 is not expected before 2028 (2028-01-01T00:00Z).
CALENDAR_SUBSIDY_UNTIL_S = 1_830_297_600
#: A given value this many times above or below the stored one is taken for a unit slip.
PLAUSIBLE_FACTOR = 10.0
#: Given fees per block above max(this many times the stored mean, 1 BTC) look like a slip.
PLAUSIBLE_FEE_FACTOR = 50.0
#: Plausible --difficulty-change-pct without --force. [%]
PLAUSIBLE_CHANGE_PCT = (-90.0, 900.0)
_SUFFIXES = (("K", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("E", 1e18))


@dataclass(frozen=True)
class EconInputs:
    """The network inputs of every economics figure, with where and when each was known.

    The ``*_time_s`` fields are the moments the values were known (a block's time, a daily
    row's end, a price's stamp); None for a value the caller gave. [Unix s]
    """

    time_s: int | None
    difficulty: float
    difficulty_source: str
    subsidy_btc_per_block: float
    subsidy_source: str
    fees_btc_per_block: float
    fees_source: str
    btc_price_usd: float
    price_source: str
    difficulty_time_s: int | None = None
    subsidy_time_s: int | None = None
    fees_time_s: int | None = None
    price_time_s: int | None = None
    difficulty_change_pct: float | None = None

    @property
    def reward_btc_per_block(self) -> float:
        """Subsidy plus fees per block. [BTC]"""
        return self.subsidy_btc_per_block + self.fees_btc_per_block

    def input_times(self) -> dict[str, int | None]:
        """Input name -> when it was known, for :func:`minerscope.asof.as_of_info`."""
        return {
            "difficulty": self.difficulty_time_s,
            "subsidy_btc_per_block": self.subsidy_time_s,
            "fees_btc_per_block": self.fees_time_s,
            "btc_price_usd": self.price_time_s,
        }

    def result_fields(self) -> dict[str, Any]:
        """The fields of :class:`~minerscope.report.econ_results.NetworkInputs` (to build it
        or one of its extensions, ``MachineInputs(**inputs.result_fields(), ...)``)."""

        def iso(t: int | None) -> str | None:
            return None if t is None else iso_utc(t)

        return {
            "difficulty": self.difficulty,
            "difficulty_t": self.difficulty / DIFFICULTY_PER_T,
            "difficulty_source": self.difficulty_source,
            "difficulty_time_s": self.difficulty_time_s,
            "difficulty_time_iso": iso(self.difficulty_time_s),
            "difficulty_change_pct": self.difficulty_change_pct,
            "subsidy_btc_per_block": self.subsidy_btc_per_block,
            "subsidy_source": self.subsidy_source,
            "subsidy_time_s": self.subsidy_time_s,
            "subsidy_time_iso": iso(self.subsidy_time_s),
            "fees_btc_per_block": self.fees_btc_per_block,
            "fees_source": self.fees_source,
            "fees_time_s": self.fees_time_s,
            "fees_time_iso": iso(self.fees_time_s),
            "reward_btc_per_block": self.reward_btc_per_block,
            "btc_price_usd": self.btc_price_usd,
            "btc_price_source": self.price_source,
            "btc_price_time_s": self.price_time_s,
            "btc_price_time_iso": iso(self.price_time_s),
        }

    def to_result(self) -> NetworkInputs:
        """The inputs as they appear in documents (``inputs``)."""
        from .econ_results import NetworkInputs

        return NetworkInputs(**self.result_fields())


def calendar_subsidy_btc(time_s: int) -> tuple[float, str]:
    """The subsidy of a block mined at ``time_s`` by the halving calendar, and its source.

    Raises
    ------
    NoDataError
        From 2028 on (the next halving may have passed) and before genesis.
    """
    if time_s >= CALENDAR_SUBSIDY_UNTIL_S:
        raise NoDataError(
            "no stored block or daily row gives the subsidy after the expected 2028 halving:"
            " pass --subsidy-btc"
        )
    eras = [s for start, s in HALVINGS if start <= time_s]
    if not eras:
        raise NoDataError(f"{iso_utc(time_s)} is before the genesis block: pass --subsidy-btc")
    return eras[-1], f"halving calendar at {iso_utc(time_s)}"


# --- checking what the caller gives -------------------------------------------------------


def _finite(value: float, field: str) -> float:
    if not math.isfinite(value):
        raise InputError(f"{value!r} is not a finite number", field=field)
    return value


def _difficulty_hint(value: float, reference: float | None) -> str:
    target = reference if reference is not None else 1e14
    best = min(_SUFFIXES, key=lambda s: abs(math.log(value * s[1] / target)))
    if 0.1 < value * best[1] / target < 10:
        return f": did you mean {value:g}{best[0]}?"
    return ""


def check_difficulty(value: float, reference: float | None, *, force: bool) -> float:
    """A given difficulty: finite and positive; within 10x of ``reference`` unless ``force``."""
    field = "--difficulty"
    _finite(value, field)
    if value < 1.0:
        raise InputError(f"{value:g} is below 1, the lowest mainnet difficulty", field=field)
    if force:
        return value
    if reference is not None:
        if not reference / PLAUSIBLE_FACTOR <= value <= reference * PLAUSIBLE_FACTOR:
            raise InputError(
                f"{value:g} is far from the stored difficulty at that moment"
                f" ({reference / DIFFICULTY_PER_T:,.2f} T = {reference:.4g})"
                f"{_difficulty_hint(value, reference)} (or give --force to use it anyway)",
                field=field,
            )
    elif value < 1e6:  # with nothing stored: anything since 2011 is far above a million
        raise InputError(
            f"{value:g} is a difficulty of the first two years of Bitcoin"
            f"{_difficulty_hint(value, None)} (or give --force to use it anyway)",
            field=field,
        )
    return value


def check_price(value: float, reference: float | None, *, force: bool) -> float:
    """A given BTC price: finite and positive; within 10x of ``reference`` unless ``force``."""
    field = "--btc-price-usd"
    _finite(value, field)
    if value <= 0:
        raise InputError("must be a positive price in USD per BTC", field=field)
    if force or reference is None:
        return value
    if not reference / PLAUSIBLE_FACTOR <= value <= reference * PLAUSIBLE_FACTOR:
        hint = (
            f": did you mean {value * 1000:,.0f} (USD, not thousands)?"
            if 0.5 < value * 1000 / reference < 2
            else ""
        )
        raise InputError(
            f"${value:,.2f} is far from the stored price at that moment (${reference:,.2f})"
            f"{hint} (or give --force to use it anyway)",
            field=field,
        )
    return value


def check_fees(value: float, reference: float | None, *, force: bool) -> float:
    """Given fees per block: finite, >= 0; not far above ``reference`` unless ``force``."""
    field = "--fees-btc-per-block"
    _finite(value, field)
    if value < 0:
        raise InputError("must be >= 0 BTC", field=field)
    if force:
        return value
    limit = max(PLAUSIBLE_FEE_FACTOR * reference, 1.0) if reference is not None else 100.0
    if value > limit:
        hint = (
            f": did you mean {value / SAT_PER_BTC:g} BTC ({value:,.0f} sat)?"
            if value / SAT_PER_BTC <= limit
            else ""
        )
        stored = "" if reference is None else f" (stored: {reference:.5f} BTC)"
        raise InputError(
            f"{value:g} BTC per block is implausibly high{stored}{hint}"
            " (or give --force to use it anyway)",
            field=field,
        )
    return value


def check_subsidy(value: float) -> float:
    """A given subsidy per block: finite, 0..50 BTC."""
    field = "--subsidy-btc"
    _finite(value, field)
    if not 0.0 <= value <= 50.0:
        raise InputError(f"{value:g} is not a subsidy (0 to 50 BTC per block)", field=field)
    return value


def check_change_pct(value: float, *, force: bool) -> float:
    """A difficulty change: finite, above -100 %; within -90 .. +900 % unless ``force``."""
    field = "--difficulty-change-pct"
    _finite(value, field)
    if value <= -100.0:
        raise InputError(f"{value:g} % would leave no difficulty (must be > -100)", field=field)
    lo, hi = PLAUSIBLE_CHANGE_PCT
    if not force and not lo <= value <= hi:
        raise InputError(
            f"{value:g} % is outside {lo:g} .. +{hi:g} % (a percentage: -14 means 14 % lower;"
            " give --force to use it anyway)",
            field=field,
        )
    return value


# --- inputs as of a moment ----------------------------------------------------------------


@dataclass(frozen=True)
class _Value:
    value: float
    source: str
    time_s: int | None


def _stored_difficulty(conn: sqlite3.Connection, m: DataMoment) -> _Value | None:
    if m.resolution == "block":
        assert m.tip_height is not None and m.tip_time_s is not None
        nxt = m.tip_height + 1
        bits = storage.epoch_bits(conn, epoch_of(nxt))
        if bits is None and epoch_of(nxt) == epoch_of(m.tip_height):
            tip = storage.block_row(conn, m.tip_height)
            bits = None if tip is None else tip.bits
        if bits is not None:
            src = f"bits {bits:08x} of block {nxt} (tip {m.tip_height} at {iso_utc(m.tip_time_s)})"
            return _Value(difficulty_from_bits(bits), src, m.tip_time_s)
    if m.day is None:
        return None
    if m.resolution == "daily" and m.estimated_height is not None:
        nxt = m.estimated_height + 1
        bits = storage.epoch_bits(conn, epoch_of(nxt))
        if bits is not None:
            src = (
                f"bits {bits:08x} of epoch {epoch_of(nxt)}, where the daily block counts put"
                f" block {nxt} at the end of {m.day}"
            )
            return _Value(difficulty_from_bits(bits), src, day_end_s(m.day))
    row = moments.last_daily_row(conn, on_or_before=m.day, having="difficulty")
    if row is None or row.difficulty is None:
        return None
    return _Value(
        float(row.difficulty), f"daily mean difficulty of {row.date}", day_end_s(row.date)
    )


def _stored_subsidy(conn: sqlite3.Connection, m: DataMoment) -> _Value | None:
    if m.resolution == "block":
        assert m.tip_height is not None
        value = block_subsidy_sat(m.tip_height + 1) / SAT_PER_BTC
        return _Value(value, f"consensus subsidy of block {m.tip_height + 1}", m.tip_time_s)
    if m.day is None:
        return None
    row = moments.last_daily_row(conn, on_or_before=m.day, having="issuance")
    if row is None or not row.blocks or row.issuance_sat is None:
        return None
    value = row.issuance_sat / row.blocks / SAT_PER_BTC
    return _Value(value, f"issuance per block on {row.date}", day_end_s(row.date))


def _stored_fees(conn: sqlite3.Connection, as_of: AsOf, m: DataMoment) -> _Value | None:
    """Trailing 144-block mean fee, or daily fees / blocks, whichever is more recent."""
    best: _Value | None = None
    if as_of.tip_height is not None:
        w = moments.fee_window(
            conn, as_of.tip_height, blocks=FEE_WINDOW_BLOCKS, lookback_blocks=FEE_LOOKBACK_BLOCKS
        )
        if w is not None:
            src = f"mean of the {w.blocks} blocks {w.first_height}..{w.last_height}"
            best = _Value(w.fees_sat / w.blocks / SAT_PER_BTC, src, w.last_time_s)
    if m.day is not None:
        row = moments.last_daily_row(conn, on_or_before=m.day, having="fees")
        if row is not None and row.fees_sat is not None and row.blocks:
            end = day_end_s(row.date)
            # A daily row covers its whole day; blocks from within that day are as recent.
            if best is None or (best.time_s is not None and end - SECONDS_PER_DAY > best.time_s):
                value = row.fees_sat / row.blocks / SAT_PER_BTC
                best = _Value(value, f"fees / blocks on {row.date}", end)
    return best


def load_inputs(
    conn: sqlite3.Connection | None,
    as_of: AsOf | None,
    *,
    difficulty: float | None = None,
    subsidy_btc_per_block: float | None = None,
    fees_btc_per_block: float | None = None,
    btc_price_usd: float | None = None,
    difficulty_change_pct: float | None = None,
    force: bool = False,
    moment: DataMoment | None = None,
) -> EconInputs:
    """The economics inputs known at ``as_of``, each overridable and checked when given.

    Parameters
    ----------
    conn : sqlite3.Connection or None
        Open database; None when every value is given (then only absolute checks apply).
    as_of : AsOf or None
        The moment; None only without a database.
    difficulty : float, optional
        Override. [unitless]
    subsidy_btc_per_block : float, optional
        Override. [BTC]
    fees_btc_per_block : float, optional
        Override (else the trailing 144-block mean). [BTC]
    btc_price_usd : float, optional
        Override. [USD/BTC]
    difficulty_change_pct : float, optional
        Scale the difficulty (stored or given) by 1 + pct/100. [%]
    force : bool
        Accept given values far from what is stored (never non-finite ones).
    moment : DataMoment, optional
        The data answering ``as_of`` when the caller has it already.

    Raises
    ------
    InputError
        For a given value that is not finite, or implausible without ``force``.
    NoDataError
        When a value is neither given nor known at ``as_of``.
    """
    d: _Value | None = None
    s: _Value | None = None
    f: _Value | None = None
    p: _Value | None = None
    if conn is not None and as_of is not None:
        m = moment if moment is not None else data_moment(conn, as_of)
        d = _stored_difficulty(conn, m)
        s = _stored_subsidy(conn, m)
        f = _stored_fees(conn, as_of, m)
        price = price_at(conn, as_of.time_s)
        if price is not None:
            p = _Value(price.price_usd, f"{price.source} at {iso_utc(price.time_s)}", price.time_s)
    given = "given"
    if difficulty is not None:
        ref = None if d is None else d.value
        d = _Value(check_difficulty(difficulty, ref, force=force), given, None)
    if fees_btc_per_block is not None:
        ref = None if f is None else f.value
        f = _Value(check_fees(fees_btc_per_block, ref, force=force), given, None)
    if btc_price_usd is not None:
        ref = None if p is None else p.value
        p = _Value(check_price(btc_price_usd, ref, force=force), given, None)
    if subsidy_btc_per_block is not None:
        s = _Value(check_subsidy(subsidy_btc_per_block), given, None)
    missing = [
        n for n, v in (("difficulty", d), ("fees per block", f), ("BTC price", p)) if v is None
    ]
    if missing:
        when = as_of.iso if as_of is not None else "now"
        raise NoDataError(
            f"no {', '.join(missing)} known as of {when}: import data (`minerscope quickstart"
            " ../shared/data`) or give them (--difficulty, --fees-btc-per-block, --btc-price-usd)"
        )
    assert d is not None and f is not None and p is not None
    if s is None:
        if as_of is None:
            raise NoDataError("no moment to take the subsidy from: pass --subsidy-btc")
        value, src = calendar_subsidy_btc(as_of.time_s)
        s = _Value(value, src + (" (no stored blocks or daily rows)" if conn else ""), None)
    if difficulty_change_pct is not None:
        pct = check_change_pct(difficulty_change_pct, force=force)
        d = replace(d, value=d.value * (1.0 + pct / 100.0), source=f"{d.source}, {pct:+g} %")
    return EconInputs(
        time_s=None if as_of is None else as_of.time_s,
        difficulty=float(d.value),
        difficulty_source=d.source,
        subsidy_btc_per_block=float(s.value),
        subsidy_source=s.source,
        fees_btc_per_block=float(f.value),
        fees_source=f.source,
        btc_price_usd=float(p.value),
        price_source=p.source,
        difficulty_time_s=d.time_s,
        subsidy_time_s=s.time_s,
        fees_time_s=f.time_s,
        price_time_s=p.time_s,
        difficulty_change_pct=difficulty_change_pct,
    )


# --- catalog ------------------------------------------------------------------------------


def load_machine_catalog(
    catalog_paths: Iterable[str | Path] = (), *, config_path: Path | None = None
) -> list[cat.Machine]:
    """The shipped models, then the config file's ``[machines] catalogs``, then ``--catalog``."""
    cfg = user_config.config_path() if config_path is None else config_path
    paths = [*catalog_files.config_catalog_paths(cfg), *catalog_paths]
    return catalog_files.load_catalog(paths)
