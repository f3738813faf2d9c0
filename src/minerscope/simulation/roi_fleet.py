"""One chunk of paths for one fleet: per-group weekly cash flows and every line's figures.

The per-day arithmetic of :mod:`minerscope.simulation.roi` (see there), split out of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from ..units import DAYS_PER_YEAR
from .cashflow import (
    WEEK_DAYS,
    cumulate_rows,
    gather_week,
    irr_share,
    payback_days,
    period_flows,
    weekly_sums,
)

if TYPE_CHECKING:
    from .roi import FleetTerms, RoiConfig

FloatArray = npt.NDArray[np.float64]
F32Array = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
_DAY_BLOCK = 8 * WEEK_DAYS  # days per cache block in the group loop (< 256: byte counts)
_SNAP = 1e-5  # relative float32 rounding of (sum v + sum |v|) / 2 when every v < 0


@dataclass
class LineAcc:
    cash: list[FloatArray] = field(default_factory=list)
    btc: list[FloatArray] = field(default_factory=list)
    npv: list[FloatArray] = field(default_factory=list)
    irr: list[FloatArray] = field(default_factory=list)
    payback: list[FloatArray] = field(default_factory=list)
    off: list[FloatArray] = field(default_factory=list)


def fleet_chunk(
    fleet: FleetTerms,
    x: F32Array,
    inv_price: F32Array,
    *,
    cfg: RoiConfig,
    disc_w: FloatArray,
    disc_end: float,
    lengths: FloatArray,
    sample: bool,
    band_paths: int,
) -> tuple[list[LineAcc], FloatArray | None]:
    """One chunk of one fleet: every group line, the total, and the band of the total.

    Per group only the daily profit in hashprice units, ``u = max(x - b, 0)`` (``x - b``
    always on; ``b`` the breakeven hashprice), is formed; its weekly sums and its sum
    weighted by ``1/price`` give everything else, the total included (it is linear in
    them); the payback day is found from the weekly sums and the days of one week.
    """
    days, n = x.shape
    n_groups = len(fleet.group_names)
    a = fleet.btc_per_hashvalue
    be = fleet.breakeven_hashprice
    cost = fleet.cash_cost_usd_per_day
    n_weeks = len(lengths)
    flows = np.zeros((n_groups, n_weeks, n))  # weekly cash flow per group [USD]
    upper = None if cfg.switch_off else np.zeros((n_groups, n_weeks, n))
    btc = np.zeros((n_groups, n))
    off = np.full((n_groups, n), np.nan)
    inv_p_sum = inv_price.sum(axis=0, dtype=np.float64)
    # max(v, 0) = (v + |v|) / 2 with v = x - b: the sums of v are the sums of x less b times
    # the days (once for every group); only |x - b| is formed per group, day by day (numpy's
    # abs is several times faster than its maximum)
    x_weekly = weekly_sums(x)
    hv_sum = np.einsum("dk,dk->k", x, inv_price).astype(np.float64)  # sum of hashvalue
    earning = [g for g in range(n_groups) if a[g] > 0]
    abs_btc = np.zeros((n_groups, n), dtype=np.float32)
    on = np.zeros((n_groups, n), dtype=np.int64)
    buf = np.empty((min(_DAY_BLOCK, days), n), dtype=np.float32)
    block_weeks = -(-len(buf) // WEEK_DAYS)
    abs_w = np.empty((block_weeks, n), dtype=np.float32)  # weekly sums of |x - b|
    lin = np.empty((block_weeks, n))
    thr = np.empty((block_weeks, n), dtype=np.float32)
    low = np.empty((block_weeks, n), dtype=np.bool_)
    two_snap = np.float32(2) * np.float32(_SNAP)
    # Days in blocks of 8 weeks: a block of x, and the group's weekly sums of the block, stay
    # in cache while every group reads them.
    for d0 in range(0, days, _DAY_BLOCK):
        xb = x[d0 : d0 + _DAY_BLOCK]
        pb = inv_price[d0 : d0 + _DAY_BLOCK]
        ub = buf[: len(xb)]
        w0 = d0 // WEEK_DAYS
        full = len(xb) // WEEK_DAYS
        nw = -(-len(xb) // WEEK_DAYS)
        weeks = slice(w0, w0 + nw)
        aw, lw, tw, ow = abs_w[:nw], lin[:nw], thr[:nw], low[:nw]
        for g in earning:
            np.subtract(xb, np.float32(be[g]), out=ub)
            np.abs(ub, out=ub)
            if full:
                ub[: full * WEEK_DAYS].reshape(full, WEEK_DAYS, n).sum(axis=1, out=aw[:full])
            if len(xb) % WEEK_DAYS:
                aw[full] = ub[full * WEEK_DAYS :].sum(axis=0)
            abs_btc[g] += np.einsum("dk,dk->k", ub, pb)
            if sample:
                # days on in the block (<= 56: the count fits a byte, no casts)
                on[g] += (
                    np.greater(xb, np.float32(be[g])).view(np.uint8).sum(axis=0, dtype=np.uint8)
                )
            # sum of x - b per week; 2 x the sum of max(x - b, 0) (halving is exact: a/2
            # times it below), clamped, and an all-off week exactly 0 (float32 rounding)
            np.subtract(x_weekly[weeks], lengths[weeks, None] * be[g], out=lw)
            pos = (flows if upper is None else upper)[g, weeks]
            np.add(lw, aw, out=pos)
            np.multiply(aw, two_snap, out=tw)
            np.less_equal(pos, tw, out=ow)
            np.putmask(pos, ow, 0.0)  # (putmask: a third of copyto's time with where=)
            pos *= a[g] / 2
            if upper is not None:
                np.multiply(lw, a[g], out=flows[g, weeks])
    for g in range(n_groups):
        if a[g] > 0:
            lin_btc = hv_sum - be[g] * inv_p_sum
            pos_btc = np.maximum((lin_btc + abs_btc[g]) / 2, 0.0)
            pos_btc[pos_btc <= _SNAP * abs_btc[g]] = 0.0
            btc[g] = a[g] * (pos_btc if cfg.switch_off else lin_btc)
            if sample:
                off[g] = days - on[g]
        elif not cfg.switch_off and cost[g] > 0:  # earns nothing, burns power
            flows[g] = -cost[g] * lengths[:, None]
            btc[g] = -cost[g] * inv_p_sum
            off[g] = 0.0

    def group_days(g: int) -> Callable[[IntArray, IntArray], FloatArray]:
        def days_of(w: IntArray, c: IntArray) -> FloatArray:
            if a[g] <= 0:
                return np.full((7, len(w)), 0.0 if cfg.switch_off else -cost[g])
            u = gather_week(x, w, c) - be[g]
            out: FloatArray = a[g] * (np.maximum(u, 0.0) if cfg.switch_off else u)
            return out

        return days_of

    def total_days(w: IntArray, c: IntArray) -> FloatArray:
        xs = gather_week(x, w, c)
        out = np.full(xs.shape, -float(fleet.fixed_opex_usd_per_day))
        for g in range(n_groups):
            if a[g] > 0:
                u = xs - be[g]
                out += a[g] * (np.maximum(u, 0.0) if cfg.switch_off else u)
            elif not cfg.switch_off:
                out -= cost[g]
        return out

    horizon_years = days / DAYS_PER_YEAR
    opex = fleet.fixed_opex_usd_per_day
    total_weekly = flows.sum(axis=0) - opex * lengths[:, None]
    accs: list[LineAcc] = []
    for g in range(n_groups + 1):
        acc = LineAcc()
        wk = flows[g] if g < n_groups else total_weekly
        cum = cumulate_rows(wk.copy())
        if g < n_groups:
            cap, res = float(fleet.capex_usd[g]), float(fleet.resale_usd[g])
            up = None if upper is None else upper[g]
            b_btc, fn, off_g = btc[g], group_days(g), off[g]
        else:
            cap = float(fleet.capex_usd.sum() + fleet.fleet_capex_usd)
            res = float(fleet.resale_usd.sum())
            b_btc = btc.sum(axis=0) - opex * inv_p_sum
            pos = flows if upper is None else upper
            up = None if (upper is None and not opex) else pos.sum(axis=0)
            fn, off_g = total_days, np.full(n, np.nan)
        acc.cash.append(cum[-1].copy())
        acc.btc.append(b_btc)
        acc.npv.append(np.einsum("w,wk->k", disc_w, wk) - cap + res * disc_end)
        acc.payback.append(payback_days(wk, np.full(n, cap), fn, days=days, upper=up, cum_end=cum))
        if sample:
            pf, t_years = period_flows(wk)
            acc.irr.append(
                irr_share(np.full(n, cap), pf, t_years, resale=res, horizon_years=horizon_years)
            )
            acc.off.append(off_g)
        accs.append(acc)
    band = None
    if band_paths > 0:  # the total's daily cash flow of the first paths, for the bands
        xb = np.ascontiguousarray(x[:, :band_paths])
        total = np.full(xb.shape, -float(fleet.fixed_opex_usd_per_day), dtype=np.float32)
        tmp = np.empty_like(xb)
        for g in range(n_groups):
            if a[g] > 0:
                np.subtract(xb, np.float32(be[g]), out=tmp)
                if cfg.switch_off:  # a max(v, 0) = a (v + |v|) / 2
                    total += np.float32(a[g] / 2) * tmp
                    np.abs(tmp, out=tmp)
                    total += np.float32(a[g] / 2) * tmp
                else:
                    total += np.float32(a[g]) * tmp
            elif not cfg.switch_off:
                total -= np.float32(cost[g])
        band = cumulate_rows(total.astype(np.float64))
    return accs, band


__all__ = ["LineAcc", "fleet_chunk"]
