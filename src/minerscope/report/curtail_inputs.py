"""The hashprice known at each step of a window, loaded in one pass (no per-hour queries).

At each step time ``t``: the tip is the highest stored block mined by ``t``; difficulty is
that of block ``tip + 1`` (its epoch's bits), subsidy that block's, fees the mean of the 144
blocks ending at the tip, price the latest stored price at or before ``t`` (a daily price
counts from the end of its day). Where no block is stored within two hours before ``t`` the
blocks do not reach that step, and the last complete daily row gives difficulty, subsidy and
fees per block instead. Every step says which it used. No pandas: this is on the path of a
command that answers in under a second.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..asof import date_utc, day_start_s
from ..consensus import MAINNET, block_subsidy_sat, difficulty_from_bits
from ..economics.hashprice import hashprice_usd_per_phs_day, hashvalue_btc_per_phs_day
from ..errors import NoDataError
from ..storage.arrays import (
    block_columns,
    daily_columns,
    epoch_bits_array,
    heights_at_times,
    price_columns,
)
from ..units import SAT_PER_BTC, SECONDS_PER_DAY
from ._network_data import STALE_AFTER_S

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
FEE_WINDOW_BLOCKS = 144


@dataclass(frozen=True)
class KnownHashprice:
    """Per step: what was known (arrays ``(steps,)``)."""

    hashprice_usd_per_phs_day: FloatArray
    hashvalue_btc_per_phs_day: FloatArray
    btc_price_usd: FloatArray
    difficulty: FloatArray
    reward_btc_per_block: FloatArray
    from_blocks: npt.NDArray[np.bool_]  # True: stored blocks; False: the last daily row


def _iso_day(time_s: int) -> str:
    return date_utc(time_s)


def known_hashprice(conn: sqlite3.Connection, times_s: IntArray) -> KnownHashprice:
    """The hashprice known at each time (see the module docstring).

    Raises
    ------
    NoDataError
        When neither blocks nor daily rows, or no price, are known at some step.
    """
    n = len(times_s)
    bits = epoch_bits_array(conn)
    tips = heights_at_times(conn, times_s)
    diff = np.full(n, np.nan)
    subsidy = np.full(n, np.nan)
    fees = np.full(n, np.nan)
    from_blocks = np.zeros(n, dtype=bool)
    have = tips >= 0
    if have.any():
        lo = int(tips[have].min()) - FEE_WINDOW_BLOCKS
        h, t, f = block_columns(conn, max(lo, 0), int(tips.max()))
        pos = np.searchsorted(h, tips)
        ok = have & (pos < len(h))
        ok[ok] &= h[pos[ok]] == tips[ok]
        tip_time = np.where(ok, t[np.minimum(pos, len(t) - 1)], -(2**62))
        fresh = ok & (times_s - tip_time <= STALE_AFTER_S)
        nxt = tips + 1
        epoch = nxt // MAINNET.difficulty_adjustment_interval
        fresh &= epoch < len(bits)
        if fresh.any():
            d_epoch = np.array([difficulty_from_bits(int(b)) for b in bits])
            diff[fresh] = d_epoch[epoch[fresh]]
            subsidy[fresh] = [
                block_subsidy_sat(int(x), params=MAINNET) / SAT_PER_BTC for x in nxt[fresh]
            ]
            known = np.isfinite(f)
            csum = np.concatenate([[0.0], np.cumsum(np.where(known, f, 0.0))])
            ccnt = np.concatenate([[0], np.cumsum(known)])
            end = pos[fresh] + 1
            start = np.maximum(end - FEE_WINDOW_BLOCKS, 0)
            cnt = ccnt[end] - ccnt[start]
            mean = np.where(cnt > 0, (csum[end] - csum[start]) / np.maximum(cnt, 1), np.nan)
            fees[fresh] = mean / SAT_PER_BTC
            from_blocks[fresh] = True
    need = ~from_blocks | ~np.isfinite(fees)
    if need.any():
        first_day = _iso_day(int(times_s[need].min()) - 400 * SECONDS_PER_DAY)
        last_day = _iso_day(int(times_s[need].max()))
        dates, blocks, d_day, iss, fee_day, _ = daily_columns(conn, first_day, last_day)
        if not dates:
            raise NoDataError(
                f"no blocks or daily rows are known before {_iso_day(int(times_s[0]))}: import"
                " the daily network file (minerscope quickstart ../shared/data)"
            )
        ends = np.array([day_start_s(d) + SECONDS_PER_DAY for d in dates], dtype=np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            sub_day = iss / blocks / SAT_PER_BTC
            fee_pb = fee_day / blocks / SAT_PER_BTC

        def last_known(values: FloatArray) -> FloatArray:
            """Each step's value from the latest complete day with a value."""
            okv = np.isfinite(values)
            idx = np.where(okv, np.arange(len(values)), -1)
            idx = np.maximum.accumulate(idx)
            j = np.searchsorted(ends, times_s, side="right") - 1
            got = np.where(j >= 0, idx[np.maximum(j, 0)], -1)
            out: FloatArray = np.where(got >= 0, values[np.maximum(got, 0)], np.nan)
            return out

        fill = need & ~from_blocks
        diff[fill] = last_known(d_day)[fill]
        subsidy[fill] = last_known(sub_day)[fill]
        fees[need] = last_known(fee_pb)[need]
    if not (np.all(np.isfinite(diff)) and np.all(np.isfinite(subsidy))):
        bad = int(np.flatnonzero(~np.isfinite(diff) | ~np.isfinite(subsidy))[0])
        raise NoDataError(
            f"no difficulty or subsidy is known at {_iso_day(int(times_s[bad]))}: import blocks"
            " or daily rows that reach it"
        )
    fees = np.where(np.isfinite(fees), fees, 0.0)
    pt, pv = price_columns(conn, int(times_s.max()))
    j = np.searchsorted(pt, times_s, side="right") - 1
    if len(pt) == 0 or (j < 0).any():
        raise NoDataError(
            f"no BTC price is known at {_iso_day(int(times_s[0]))}: import prices (minerscope"
            " import prices FILE.csv) or give --btc-price-usd"
        )
    price = pv[j]
    reward = subsidy + fees
    return KnownHashprice(
        hashprice_usd_per_phs_day=np.asarray(hashprice_usd_per_phs_day(diff, reward, price)),
        hashvalue_btc_per_phs_day=np.asarray(hashvalue_btc_per_phs_day(diff, reward)),
        btc_price_usd=price,
        difficulty=diff,
        reward_btc_per_block=reward,
        from_blocks=from_blocks,
    )


__all__ = ["KnownHashprice", "known_hashprice"]
