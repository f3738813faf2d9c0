"""Inputs of the decision views, loaded as of a moment (no look-ahead).

- the chain now: the current epoch's state and the drift fitted on earlier epochs, from the
  same path as ``minerscope difficulty`` (:func:`minerscope.report.network._state_for`,
  :func:`minerscope.analytics.projection.fit_drift`), so the first simulated change has the
  predictive distribution that command reports;
- the history the path models resample: epoch log-changes of difficulty, and daily log
  returns of the BTC price and fees per block, over an era (by default the last 104 epochs
  before the current one), each day tagged with the epoch that held it.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .. import storage
from ..analytics.daily import height_at_end_of_day
from ..analytics.projection import BLOCKS_PER_EPOCH, DriftParams, EpochState, fit_drift
from ..asof import AsOf, date_utc, last_complete_day
from ..consensus import difficulty_from_bits
from ..errors import InputError, NoDataError
from ..simulation.network import ChainStart
from ..units import SAT_PER_BTC, SECONDS_PER_DAY
from ._network_data import DRIFT_LOOKBACK_EPOCHS, _choose_source, _epoch_bits, _load_daily
from .network import _state_for

FloatArray = npt.NDArray[np.float64]
DEFAULT_ERA_EPOCHS = 104


@dataclass(frozen=True)
class ChainNow:
    """The chain at the moment: where paths start, and what was fitted."""

    start: ChainStart
    state: EpochState
    drift: DriftParams
    epoch_difficulties: FloatArray  # epochs 0 .. current
    data_time_s: int
    resolution: str
    note: str | None


@dataclass(frozen=True)
class Era:
    """The resampled history: epochs and days of one era (dates inclusive, UTC)."""

    first_date: str
    last_date: str
    epoch_log_changes: FloatArray  # log D_{k+1} - log D_k of the era's epochs, in order
    log_returns: FloatArray  # daily log returns of the price, per era day
    fees_btc: FloatArray  # daily fees per block (NaN where unknown), per era day
    day_log_changes: FloatArray  # the log-change of the epoch holding each era day
    epochs: tuple[int, int]  # first and last epoch whose change is used

    @property
    def days(self) -> int:
        """Days in the sample."""
        return len(self.log_returns)


def chain_now(conn: sqlite3.Connection, as_of: AsOf) -> ChainNow:
    """The current epoch's state and the fitted drift, as ``minerscope difficulty`` has them.

    Raises
    ------
    NoDataError
        No epochs, or the moment cannot be placed in an epoch.
    """
    src = _choose_source(conn, as_of)
    bits_list = _epoch_bits(conn)
    if not bits_list:
        raise NoDataError(
            "no epochs are stored: import ../shared/data/difficulty_epochs_electrum.csv"
        )
    try:
        state, exact_bits = _state_for(conn, src, bits_list)
    except ValueError as exc:
        raise NoDataError(f"cannot place {as_of.iso} in an epoch: {exc}") from exc
    if state.epoch < 0:
        raise NoDataError(f"no block is known as of {as_of.iso}")
    if state.epoch >= len(bits_list):
        raise NoDataError(f"epoch {state.epoch}'s bits are not stored")
    diffs = np.array([difficulty_from_bits(b) for b in bits_list[: state.epoch + 1]])
    drift = fit_drift(diffs, lookback_epochs=DRIFT_LOOKBACK_EPOCHS)
    d_now = float(diffs[state.epoch])
    change = None
    if exact_bits is not None:  # daily rows at an epoch's last block: the change is known
        change = difficulty_from_bits(exact_bits) / d_now - 1.0
    start = ChainStart(
        difficulty=d_now,
        tip_height=state.tip_height or (state.epoch * BLOCKS_PER_EPOCH + state.blocks_mined - 1),
        elapsed_s=float(state.as_of_s - state.start_time_s),
        state=None if change is not None else state,
        drift=None if change is not None else drift,
        next_change_share=change,
    )
    return ChainNow(
        start=start,
        state=state,
        drift=drift,
        epoch_difficulties=diffs,
        data_time_s=int(src.data_time_s),
        resolution=state.resolution,
        note=src.note,
    )


def load_era(
    conn: sqlite3.Connection,
    as_of: AsOf,
    now: ChainNow,
    *,
    era_epochs: int = DEFAULT_ERA_EPOCHS,
    from_date: str | None = None,
    to_date: str | None = None,
) -> Era:
    """The era the bootstraps draw from: by default the last ``era_epochs`` epochs whose
    change is known, else the epochs that started between two dates.

    Raises
    ------
    InputError
        An era with fewer than 8 epochs or 30 priced days, or dates after the moment.
    """
    diffs = now.epoch_difficulties
    current = len(diffs) - 1
    day = last_complete_day(as_of.time_s)
    if to_date is not None and to_date > day:
        raise InputError(
            f"the era must end by {day} (known as of {as_of.iso}), not {to_date}",
            field="--era-to",
        )
    daily = _load_daily(conn, day)
    starts = [e * BLOCKS_PER_EPOCH for e in range(len(diffs))]
    heod, _ = height_at_end_of_day(daily.blocks, daily.difficulty, starts, diffs)
    day_epoch = np.floor(np.maximum(heod, 0) / BLOCKS_PER_EPOCH).astype(np.int64)
    logd = np.log(diffs)
    change = np.append(np.diff(logd), np.nan)  # change of epoch e: known for e < current
    if from_date is None and to_date is None:
        last_e = current - 1
        first_e = max(last_e - era_epochs + 1, 1)
        in_era = (day_epoch >= first_e) & (day_epoch <= last_e)
    else:
        dates = np.array(daily.dates)
        in_era = (dates >= (from_date or "0000")) & (dates <= (to_date or day))
        in_era &= day_epoch < current
    idx = np.flatnonzero(in_era)
    if idx.size == 0:
        raise InputError("the era holds no day with a known epoch change", field="--era-from")
    first_e, last_e = int(day_epoch[idx[0]]), int(day_epoch[idx[-1]])
    if last_e - first_e + 1 < 8:
        raise InputError(
            f"the era holds {last_e - first_e + 1} epochs: at least 8 are needed",
            field="--era-from",
        )
    frame = storage.load_daily(conn, to_date=day)
    price = frame["price_usd"].to_numpy(dtype=np.float64, na_value=np.nan)
    fees = frame["fees_sat"].astype("float64").to_numpy(na_value=np.nan)
    blocks = frame["blocks"].astype("float64").to_numpy(na_value=np.nan)
    dates_frame = [date_utc(int(t.timestamp())) for t in frame.index]
    pos = {d: i for i, d in enumerate(dates_frame)}
    rows = [pos.get(daily.dates[i]) for i in idx]
    p_now = np.array([price[r] if r is not None else np.nan for r in rows])
    p_prev = np.array([price[r - 1] if r is not None and r > 0 else np.nan for r in rows])
    with np.errstate(invalid="ignore", divide="ignore"):
        log_ret = np.log(p_now / p_prev)
        fee = np.array(
            [
                fees[r] / blocks[r] / SAT_PER_BTC if r is not None and blocks[r] > 0 else np.nan
                for r in rows
            ]
        )
    keep = np.isfinite(log_ret)
    if int(keep.sum()) < 30:
        raise NoDataError(
            f"only {int(keep.sum())} days of the era have a price and the day before: import"
            " daily prices (../shared/data/cm_btc_price_supply_daily_*.csv)"
        )
    sel = idx[keep]
    return Era(
        first_date=daily.dates[int(sel[0])],
        last_date=daily.dates[int(sel[-1])],
        epoch_log_changes=change[first_e : last_e + 1].astype(np.float64),
        log_returns=log_ret[keep],
        fees_btc=fee[keep],
        day_log_changes=change[day_epoch[sel]].astype(np.float64),
        epochs=(first_e, last_e),
    )


def fee_days(era: Era) -> tuple[Era, int]:
    """The era restricted to days with fees (for a fee bootstrap): the era and days dropped."""
    ok = np.isfinite(era.fees_btc)
    dropped = int((~ok).sum())
    if int(ok.sum()) < 30:
        raise NoDataError(
            f"only {int(ok.sum())} days of the era {era.first_date}..{era.last_date} have fees:"
            " use --fees-method fixed"
        )
    return (
        Era(
            first_date=era.first_date,
            last_date=era.last_date,
            epoch_log_changes=era.epoch_log_changes,
            log_returns=era.log_returns[ok],
            fees_btc=era.fees_btc[ok],
            day_log_changes=era.day_log_changes[ok],
            epochs=era.epochs,
        ),
        dropped,
    )


def era_summary(era: Era) -> dict[str, float | int | str]:
    """Mean and spread of what the bootstrap draws, for the output."""
    ch = era.epoch_log_changes
    r = era.log_returns
    return {
        "first_date": era.first_date,
        "last_date": era.last_date,
        "days": era.days,
        "first_epoch": era.epochs[0],
        "last_epoch": era.epochs[1],
        "epoch_change_mean_pct": 100 * float(np.expm1(ch.mean())),
        "epoch_change_sd_pct": 100 * float(ch.std()),
        "price_return_mean_pct_per_year": 100 * float(np.expm1(r.mean() * 365.25)),
        "price_volatility_pct_per_sqrt_year": 100 * float(r.std() * math.sqrt(365.25)),
    }


def day_start(time_s: int) -> int:
    """00:00Z of the day holding ``time_s``. [Unix s]"""
    return time_s - time_s % SECONDS_PER_DAY


__all__ = ["ChainNow", "Era", "chain_now", "era_summary", "fee_days", "load_era"]
