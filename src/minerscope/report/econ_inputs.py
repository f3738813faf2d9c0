"""Economics inputs as of a moment, and the machine catalog with the user's additions.

Inputs as of a moment (every one says where it came from in the output):

- **difficulty** of the next block: from the stored tip and its epoch's bits, or from the
  last complete daily row when daily rows reach further than the blocks;
- **subsidy** of the next block from its height (consensus schedule); without blocks, from
  the last complete day's issuance per block;
- **fees per block**: the mean of the last 144 stored blocks, or the last complete day's
  fees / blocks, whichever is more recent; when neither is recent (fee data ends), the
  last known value is used and its date is shown;
- **BTC price**: the latest price at or before the moment (daily prices count from the end
  of their day, so there is no look-ahead).

Every value can be overridden by the caller (the CLI's flags).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from .. import config as user_config
from .. import storage
from ..asof import AsOf, date_utc, day_start_s, iso_utc, last_complete_day
from ..consensus import block_subsidy_sat, difficulty_from_bits, epoch_of
from ..economics import catalog as cat
from ..errors import NoDataError
from ..sources import catalog as catalog_files
from ..units import SAT_PER_BTC, SECONDS_PER_DAY

FEE_WINDOW_BLOCKS = 144
#: Halving days (UTC) for the subsidy when no block is stored: (first day, subsidy in BTC).
_HALVING_DAYS: tuple[tuple[str, float], ...] = (
    ("2009-01-03", 50.0),
    ("2012-11-28", 25.0),
    ("2016-07-09", 12.5),
    ("2020-05-11", 6.25),
    ("2024-04-20", 3.125),
)
_CALENDAR_SUBSIDY_UNTIL = "2028-01-01"  # the next halving is expected in 2028


@dataclass(frozen=True)
class EconInputs:
    """The network inputs of every economics figure, with where each came from."""

    time_s: int | None
    difficulty: float
    difficulty_source: str
    subsidy_btc_per_block: float
    subsidy_source: str
    fees_btc_per_block: float
    fees_source: str
    btc_price_usd: float
    price_source: str

    @property
    def reward_btc_per_block(self) -> float:
        """Subsidy plus fees per block. [BTC]"""
        return self.subsidy_btc_per_block + self.fees_btc_per_block

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the reward and the difficulty in T added."""
        out = asdict(self)
        out["difficulty_t"] = self.difficulty / 1e12
        out["reward_btc_per_block"] = self.reward_btc_per_block
        return out


# --- inputs as of a moment ----------------------------------------------------------------


def _daily_until(conn: sqlite3.Connection, time_s: int) -> pd.DataFrame:
    return storage.load_daily(conn, to_date=last_complete_day(time_s))


def _day_end_s(ts: pd.Timestamp) -> int:
    return day_start_s(date_utc(int(ts.timestamp()))) + SECONDS_PER_DAY


def calendar_subsidy_btc(time_s: int) -> tuple[float, str]:
    day = date_utc(time_s)
    if day >= _CALENDAR_SUBSIDY_UNTIL:
        raise NoDataError(
            "no stored block or daily row gives the subsidy after the expected 2028 halving:"
            " pass --subsidy-btc"
        )
    known = [s for d, s in _HALVING_DAYS if d <= day]
    if not known:
        raise NoDataError(f"there is no block subsidy before the genesis day 2009-01-03 ({day})")
    return known[-1], f"halving calendar on {day}"


def load_inputs(
    conn: sqlite3.Connection | None,
    as_of: AsOf | None,
    *,
    difficulty: float | None = None,
    subsidy_btc_per_block: float | None = None,
    fees_btc_per_block: float | None = None,
    btc_price_usd: float | None = None,
) -> EconInputs:
    """The economics inputs known at ``as_of``, each overridable.

    Parameters
    ----------
    conn : sqlite3.Connection or None
        Open database; None when every value is given.
    as_of : AsOf or None
        The moment; None only when every value is given.
    difficulty : float, optional
        Override. [unitless]
    subsidy_btc_per_block : float, optional
        Override. [BTC]
    fees_btc_per_block : float, optional
        Override (else the trailing 144-block mean). [BTC]
    btc_price_usd : float, optional
        Override. [USD/BTC]

    Raises
    ------
    NoDataError
        When a value is neither given nor known at ``as_of``.
    """
    given = "given"
    d_val, d_src = (difficulty, given) if difficulty is not None else (None, "")
    s_val, s_src = (
        (subsidy_btc_per_block, given) if subsidy_btc_per_block is not None else (None, "")
    )
    f_val, f_src = (fees_btc_per_block, given) if fees_btc_per_block is not None else (None, "")
    p_val, p_src = (btc_price_usd, given) if btc_price_usd is not None else (None, "")
    if None in (d_val, s_val, f_val, p_val):
        if conn is None or as_of is None:
            raise NoDataError(
                "no database: give --difficulty, --fees-btc-per-block and --btc-price-usd"
            )
        t = as_of.time_s
        daily = _daily_until(conn, t)
        daily_end_s = _day_end_s(daily.index[-1]) if not daily.empty else None
        tip = storage.block_row(conn, as_of.tip_height) if as_of.tip_height is not None else None
        blocks_fresh = tip is not None and (
            daily_end_s is None or tip.time_s >= daily_end_s - SECONDS_PER_DAY
        )
        if d_val is None:
            if blocks_fresh and tip is not None:
                nxt = tip.height + 1
                bits = storage.epoch_bits(conn, epoch_of(nxt))
                if bits is None and epoch_of(nxt) == epoch_of(tip.height):
                    bits = tip.bits
                if bits is not None:
                    d_val = difficulty_from_bits(bits)
                    d_src = (
                        f"bits {bits:08x} of block {nxt}"
                        f" (tip {tip.height} at {iso_utc(tip.time_s)})"
                    )
            if d_val is None:
                known = daily["difficulty"].dropna()
                if not known.empty:
                    d_val = float(known.iloc[-1])
                    d_src = f"daily mean difficulty of {date_utc(int(known.index[-1].timestamp()))}"
        if s_val is None:
            if blocks_fresh and tip is not None:
                s_val = block_subsidy_sat(tip.height + 1) / SAT_PER_BTC
                s_src = f"consensus subsidy of block {tip.height + 1}"
            elif not daily.empty:
                ok = daily[(daily["blocks"].fillna(0) > 0) & daily["issuance_sat"].notna()]
                if not ok.empty:
                    row = ok.iloc[-1]
                    s_val = float(row["issuance_sat"]) / float(row["blocks"]) / SAT_PER_BTC
                    s_src = f"issuance per block on {date_utc(int(ok.index[-1].timestamp()))}"
            if s_val is None:
                s_val, s_src = calendar_subsidy_btc(t)
                s_src += " (no stored blocks or daily rows)"
        if f_val is None:
            f_val, f_src = _fees_as_of(conn, as_of, daily)
        if p_val is None:
            price = storage.latest_price(conn, t)
            if price is not None:
                p_val = price.price_usd
                p_src = f"{price.source} at {iso_utc(price.time_s)}"
            else:
                known = daily["price_usd"].dropna()
                if not known.empty:
                    p_val = float(known.iloc[-1])
                    p_src = f"daily price of {date_utc(int(known.index[-1].timestamp()))}"
    missing = [
        n
        for n, v in (("difficulty", d_val), ("fees per block", f_val), ("BTC price", p_val))
        if v is None
    ]
    if missing:
        when = as_of.iso if as_of is not None else "now"
        raise NoDataError(
            f"no {', '.join(missing)} known as of {when}: import data (`minerscope quickstart"
            " ../shared/data`) or give them (--difficulty, --fees-btc-per-block, --btc-price-usd)"
        )
    assert d_val is not None and s_val is not None and f_val is not None and p_val is not None
    return EconInputs(
        time_s=None if as_of is None else as_of.time_s,
        difficulty=float(d_val),
        difficulty_source=d_src,
        subsidy_btc_per_block=float(s_val),
        subsidy_source=s_src,
        fees_btc_per_block=float(f_val),
        fees_source=f_src,
        btc_price_usd=float(p_val),
        price_source=p_src,
    )


def _fees_as_of(
    conn: sqlite3.Connection, as_of: AsOf, daily: pd.DataFrame
) -> tuple[float | None, str]:
    """Trailing 144-block mean fee, or daily fees / blocks, whichever is more recent."""
    best: tuple[int, float, str] | None = None
    if as_of.tip_height is not None:
        blocks = storage.load_blocks(
            conn,
            from_height=max(0, as_of.tip_height - 4 * FEE_WINDOW_BLOCKS),
            to_height=as_of.tip_height,
        )
        fees = blocks["fees_sat"].dropna()
        if not fees.empty:
            window = fees.iloc[-FEE_WINDOW_BLOCKS:]
            last_h = int(window.index[-1])
            when = int(blocks["time_s"].to_numpy()[blocks.index.get_loc(last_h)])
            best = (
                when,
                float(window.mean()) / SAT_PER_BTC,
                f"mean of the {len(window)} blocks {int(window.index[0])}..{last_h}",
            )
    ok = daily[daily["fees_sat"].notna() & (daily["blocks"].fillna(0) > 0)]
    if not ok.empty:
        end = _day_end_s(ok.index[-1])
        # A daily row covers its whole day; blocks from within that day are as recent.
        if best is None or end - SECONDS_PER_DAY > best[0]:
            row = ok.iloc[-1]
            best = (
                end,
                float(row["fees_sat"]) / float(row["blocks"]) / SAT_PER_BTC,
                f"fees / blocks on {date_utc(int(ok.index[-1].timestamp()))}",
            )
    if best is None:
        return None, ""
    age_days = (as_of.time_s - best[0]) / SECONDS_PER_DAY
    src = best[2] + (f" (latest known, {age_days:.0f} days old)" if age_days > 2 else "")
    return best[1], src


# --- catalog ------------------------------------------------------------------------------


def load_machine_catalog(
    catalog_paths: Iterable[str | Path] = (), *, config_path: Path | None = None
) -> list[cat.Machine]:
    """The shipped models, then the config file's ``[machines] catalogs``, then ``--catalog``."""
    cfg = user_config.config_path() if config_path is None else config_path
    paths = [*catalog_files.config_catalog_paths(cfg), *catalog_paths]
    return catalog_files.load_catalog(paths)
