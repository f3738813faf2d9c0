"""Cash-flow arithmetic over many paths: weekly sums, payback day, NPV factors, IRR, percentiles.

Daily flows are day-major float32 arrays ``(days, paths)``; sums that are carried further are
float64 (weekly sums of float32 days are exact to about 1e-7 relative).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..results import Percentiles
from ..units import DAYS_PER_YEAR

FloatArray = npt.NDArray[np.float64]
F32Array = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
PERCENTILES = (5, 25, 50, 75, 95)
WEEK_DAYS = 7
IRR_PERIOD_DAYS = 28  # IRR from cash flows summed over 4-week periods
_BIG = 1e300
_TOL = 1e-6  # relative slack on the weekly candidate bound (float32 weekly sums)
_IRR_GRID = np.linspace(math.log(0.01), math.log(11.0), 49)  # log(1 + r): -99% .. +1000%


@dataclass(frozen=True)
class Distribution(Percentiles):
    """Percentiles 5/25/50/75/95 and the mean over paths (None where undefined, e.g. a
    payback beyond the horizon): a :class:`~minerscope.results.Percentiles` with the mean."""

    p5: float | None = None
    p25: float | None = None
    p50: float | None = None
    p75: float | None = None
    p95: float | None = None
    mean: float | None = None

    def as_dict(self) -> dict[str, float | None]:
        """``{"p5": ..., ..., "mean": ...}``."""
        return {
            "p5": self.p5,
            "p25": self.p25,
            "p50": self.p50,
            "p75": self.p75,
            "p95": self.p95,
            "mean": self.mean,
        }


def _clean(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def distribution(values: FloatArray) -> Distribution:
    """Percentiles and mean of ``values``; +inf counts as beyond every finite value (a
    payback after the horizon), NaN is left out (undefined, e.g. IRR without capex)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return Distribution()
    finite = np.isfinite(v)
    mean = float(np.mean(v)) if finite.all() else math.inf
    if not finite.all():  # percentiles with +-inf: stand-ins beyond every value, no inf - inf
        v = np.where(v == math.inf, _BIG, np.where(v == -math.inf, -_BIG, v))
    q = np.percentile(v, PERCENTILES, method="linear")
    edge = _BIG * 1e-10  # interpolated towards a stand-in: beyond every finite value
    q = np.where(q >= edge, math.inf, np.where(q <= -edge, -math.inf, q))
    p5, p25, p50, p75, p95 = (_clean(float(x)) for x in q)
    return Distribution(p5=p5, p25=p25, p50=p50, p75=p75, p95=p95, mean=_clean(mean))


def weekly_sums(daily: F32Array) -> FloatArray:
    """Sums over consecutive 7-day weeks (the last may be shorter), float64 ``(weeks, paths)``."""
    days, paths = daily.shape
    full = days // WEEK_DAYS
    parts = []
    if full:
        parts.append(
            daily[: full * WEEK_DAYS].reshape(full, WEEK_DAYS, paths).sum(axis=1).astype(np.float64)
        )
    if days % WEEK_DAYS:
        parts.append(daily[full * WEEK_DAYS :].sum(axis=0, dtype=np.float64)[None, :])
    return np.vstack(parts)


def cumulate_rows(a: FloatArray) -> FloatArray:
    """In-place running sum down axis 0, row by row (much faster than ``np.cumsum(axis=0)``
    on wide day-major arrays)."""
    for i in range(1, a.shape[0]):
        a[i] += a[i - 1]
    return a


def week_lengths(days: int) -> FloatArray:
    """Days in each consecutive 7-day week of ``days`` (the last may be shorter). [days]"""
    ends = np.minimum(np.arange(1, -(-days // WEEK_DAYS) + 1) * WEEK_DAYS, days)
    out: FloatArray = np.diff(ends, prepend=0).astype(np.float64)
    return out


def payback_days(
    weekly: FloatArray,
    target: FloatArray,
    week_flows: Callable[[IntArray, IntArray], FloatArray],
    *,
    days: int,
    upper: FloatArray | None = None,
    cum_end: FloatArray | None = None,
) -> FloatArray:
    """Days until the running sum of daily flows first reaches ``target`` (payback).

    Parameters
    ----------
    weekly : ndarray ``(weeks, paths)``
        Flows summed per 7-day week. [unit]
    target : ndarray ``(paths,)``
        The sum to reach (capex). [unit]
    week_flows : callable
        ``week_flows(weeks, cols)`` gives the daily flows ``(7, len(cols))`` of week
        ``weeks[i]`` of path ``cols[i]`` (days past the end as 0).
    days : int
        Days simulated. [days]
    upper : ndarray ``(weeks, paths)``, optional
        Per week, the sum of its positive daily flows. None when every daily flow is >= 0
        (machines switch off when they would lose money): then ``weekly`` is that sum.
    cum_end : ndarray ``(weeks, paths)``, optional
        The running sums of ``weekly`` if already computed.

    Returns
    -------
    ndarray ``(paths,)``
        The smallest ``d`` (1-based) with ``sum(flows[:d]) >= target``; 0 when the target is
        <= 0; +inf when it is not reached within ``days``. [days]

    Notes
    -----
    Weekly sums locate candidate weeks; only the 7 days of a candidate week are read per
    path. A week is a candidate when its starting sum plus its positive flows reaches the
    target (with flows >= 0: its end sum); candidates are tried in order until the exact day
    is found (with negative flows a week can be crossed and left again inside it).
    """
    n_weeks, paths = weekly.shape
    if cum_end is None:
        cum_end = cumulate_rows(weekly.copy())
    slack = target - _TOL * np.abs(target)  # weekly sums are float32 days: a lenient bound
    out = np.full(paths, math.inf)
    out[target <= 0] = 0.0
    if upper is None:  # running sums never fall: the first week reaching the target
        first = np.sum(cum_end < slack[None, :], axis=0)
        reach = None
    else:  # a week's starting sum plus its positive flows reaches the target
        reach = ((cum_end - weekly) + upper) >= slack[None, :]
        first = np.where(reach.any(axis=0), np.argmax(reach, axis=0), n_weeks)
    first[target <= 0] = n_weeks
    todo = np.flatnonzero(first < n_weeks)
    w = first[todo]
    while todo.size:
        start = cum_end[w, todo] - weekly[w, todo]  # the running sum before the week
        run = start[None, :] + cumulate_rows(week_flows(w, todo))
        hit = run >= target[todo][None, :]
        found = hit.any(axis=0)
        out[todo[found]] = (w[found] * WEEK_DAYS + np.argmax(hit[:, found], axis=0) + 1).astype(
            np.float64
        )
        # crossed and left inside the week, or float rounding: try the next candidate week
        todo, w = todo[~found], w[~found] + 1
        if reach is not None and todo.size:
            later = reach[:, todo] & (np.arange(n_weeks)[:, None] >= w[None, :])
            w = np.where(later.any(axis=0), np.argmax(later, axis=0), n_weeks)
        keep = w < n_weeks
        todo, w = todo[keep], w[keep]
    return out


def gather_week(daily: F32Array, weeks: IntArray, cols: IntArray) -> FloatArray:
    """The 7 days of week ``weeks[i]`` of path ``cols[i]`` from a ``(days, paths)`` array,
    float64 ``(7, len(cols))``, days past the end as 0."""
    days = daily.shape[0]
    day = weeks[None, :] * WEEK_DAYS + np.arange(WEEK_DAYS)[:, None]
    out: FloatArray = daily[np.minimum(day, days - 1), cols[None, :]].astype(np.float64)
    out[day >= days] = 0.0
    return out


def first_crossing_days(daily: F32Array, target: FloatArray, *, monotone: bool) -> FloatArray:
    """:func:`payback_days` for flows held as a ``(days, paths)`` array."""
    weekly = weekly_sums(daily)
    upper = None if monotone else weekly_sums(np.maximum(daily, np.float32(0.0)))
    return payback_days(
        weekly,
        np.asarray(target, dtype=np.float64),
        lambda w, c: gather_week(daily, w, c),
        days=daily.shape[0],
        upper=upper,
    )


def week_discount_factors(days: int, rate_share: float) -> FloatArray:
    """``(1 + r)^(-t)`` for flows at the end of each 7-day week (``t`` in years). [1]"""
    if rate_share <= -1:
        raise ValueError("the discount rate must be above -100%")
    ends = np.cumsum(week_lengths(days))
    out: FloatArray = np.exp(-math.log1p(rate_share) * ends / DAYS_PER_YEAR)
    return out


def discount_factors(days: int, rate_share: float) -> FloatArray:
    """``(1 + r)^(-d / 365.25)`` for flows at the end of days ``d = 1 .. days``. [1]"""
    if rate_share <= -1:
        raise ValueError("the discount rate must be above -100%")
    d = np.arange(1, days + 1, dtype=np.float64)
    out: FloatArray = np.exp(-math.log1p(rate_share) * d / DAYS_PER_YEAR)
    return out


def period_flows(weekly: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Flows summed over 4-week periods and each period's end time, from weekly sums.

    Returns ``(flows (periods, paths), t_years (periods,))``. [flow unit], [years]
    """
    n = weekly.shape[0]
    per = IRR_PERIOD_DAYS // WEEK_DAYS
    groups = [weekly[i : i + per].sum(axis=0) for i in range(0, n, per)]
    ends = np.minimum(np.arange(1, len(groups) + 1) * IRR_PERIOD_DAYS, n * WEEK_DAYS)
    return np.vstack(groups), ends / DAYS_PER_YEAR


def irr_share(
    capex: FloatArray,
    flows: FloatArray,
    t_years: FloatArray,
    *,
    resale: FloatArray | float = 0.0,
    horizon_years: float,
) -> FloatArray:
    """Internal rate of return of ``-capex`` now, ``flows`` at ``t_years`` and ``resale`` at the
    horizon, per path (annual, effective). [share]

    Returns NaN where capex is 0 (no investment), -1 where no rate above -99% makes the net
    present value positive (the investment is lost), +inf above +1000%.

    Notes
    -----
    NPV on a grid of 49 rates (``log(1 + r)`` from log 0.01 to log 11), the first sign change
    from positive to negative located, then refined by linear interpolation and three Newton
    steps on ``g = log(1 + r)``. Flows are 4-week sums (:func:`period_flows`): the IRR of the
    daily flows differs by less than a few hundredths of a percentage point.
    """
    capex = np.asarray(capex, dtype=np.float64)
    res = np.broadcast_to(np.asarray(resale, dtype=np.float64), capex.shape)
    disc = np.exp(-_IRR_GRID[:, None] * t_years[None, :])
    # einsum, not BLAS: OpenBLAS threads fight over a shared 2-core machine
    npv = (
        np.einsum("gp,pk->gk", disc, flows)
        - capex[None, :]
        + np.exp(-_IRR_GRID * horizon_years)[:, None] * res
    )
    pos = npv > 0
    out = np.full(capex.shape, np.nan)
    invest = capex > 0
    never = invest & ~pos[0]
    out[never] = -1.0
    above = invest & pos[-1] & pos.all(axis=0)
    out[above] = math.inf
    mid = invest & pos[0] & ~pos.all(axis=0)
    if mid.any():
        cols = np.flatnonzero(mid)
        i = np.argmax(~pos[:, cols], axis=0)  # first grid point with NPV <= 0
        g0, g1 = _IRR_GRID[i - 1], _IRR_GRID[i]
        f0, f1 = npv[i - 1, cols], npv[i, cols]
        g = g0 + (g1 - g0) * f0 / (f0 - f1)
        fl = flows[:, cols]
        for _ in range(3):
            e = np.exp(-g[None, :] * t_years[:, None])
            e_end = np.exp(-g * horizon_years)
            f = (e * fl).sum(axis=0) - capex[cols] + e_end * res[cols]
            df = -(t_years[:, None] * e * fl).sum(axis=0) - horizon_years * e_end * res[cols]
            step = np.where(df != 0, f / np.where(df != 0, df, 1.0), 0.0)
            g = np.clip(g - step, g0, g1)
        out[cols] = np.expm1(g)
    return out


__all__ = [
    "IRR_PERIOD_DAYS",
    "PERCENTILES",
    "Distribution",
    "discount_factors",
    "distribution",
    "cumulate_rows",
    "first_crossing_days",
    "gather_week",
    "payback_days",
    "week_discount_factors",
    "week_lengths",
    "irr_share",
    "period_flows",
    "weekly_sums",
]
