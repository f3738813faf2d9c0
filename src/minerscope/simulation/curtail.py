"""Curtailment against hourly (or 15-minute) power prices: the problem, the threshold rule,
the value of a schedule, its constraint check and its daily summary.

Per group ``g`` and step ``t`` of ``dt`` hours (hashprice ``x_t`` known at that step, site
price ``p_t``):

- revenue if running ``a_g x_t dt / 24`` (``a_g`` from :func:`~minerscope.economics.fleet.
  evaluate_fleet` at unit inputs: count, TH/s, uptime, pool fee);
- energy ``e_g dt / 24`` kWh (site energy: count, W, uptime, PUE) at ``p_t`` plus hosting;
- when off: a demand-response credit per MWh not drawn;
- when on in a 4CP interval: the transmission charge ``rate / 4`` per kW of load (ERCOT
  assesses a year's charge on the mean of a site's load in the four monthly system-peak
  15-minute intervals of June to September);
- each start: a start-up cost.

The **threshold rule** runs a group when the step's revenue beats its power cost. The
**optimal schedule** (:mod:`minerscope.simulation.milp`) maximises the value above subject
to minimum up and down times, a ramp limit on each site's load, and a minimum uptime share.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..units import HOURS_PER_DAY, SECONDS_PER_DAY, SECONDS_PER_HOUR, W_PER_KW

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class CurtailProblem:
    """One window of steps for every group (arrays ``(groups, steps)`` unless noted).

    Attributes
    ----------
    start_s : ndarray ``(steps,)``
        Step start times. [Unix s]
    step_s : int
        Step length. [s]
    group_names : tuple of str
    group_site : ndarray of int ``(groups,)``
        Index of each group's site.
    site_names : tuple of str
    price_usd_per_kwh : ndarray ``(sites, steps)``
        Each site's power price. [USD/kWh]
    hashprice_usd_per_phs_day : ndarray ``(steps,)``
        Hashprice known at each step. [USD/(PH/s)/day]
    btc_price_usd : ndarray ``(steps,)``
        BTC price known at each step. [USD/BTC]
    btc_per_hashvalue : ndarray ``(groups,)``
        BTC per day per unit hashvalue (after pool fee and uptime). [BTC/(BTC/PH/day)]
    energy_kwh_per_day : ndarray ``(groups,)``
        Site energy while running (PUE and uptime included). [kWh/day]
    hosting_usd_per_kwh : ndarray ``(groups,)``
        Hosting fee on site energy. [USD/kWh]
    min_up_steps, min_down_steps : ndarray of int ``(groups,)``
        Minimum run and rest once started or stopped (0 or 1: none). [steps]
    startup_cost_usd : ndarray ``(groups,)``
        Cost of one start of the whole group. [USD]
    min_uptime_share : ndarray ``(groups,)``
        Least share of the window's steps the group must run. [0..1]
    ramp_mw_per_step : ndarray ``(sites,)``
        Largest change of a site's load from one step to the next (inf: none). [MW]
    dr_credit_usd_per_mwh : ndarray ``(sites,)``
        Credit per MWh not drawn. [USD/MWh]
    cp_usd_per_kw : ndarray ``(sites,)``
        Charge per kW of load in each 4CP step (the annual rate / 4). [USD/kW]
    cp_step : ndarray of bool ``(sites, steps)``
        Steps holding a 4CP interval, per site.
    """

    start_s: IntArray
    step_s: int
    group_names: tuple[str, ...]
    group_site: IntArray
    site_names: tuple[str, ...]
    price_usd_per_kwh: FloatArray
    hashprice_usd_per_phs_day: FloatArray
    btc_price_usd: FloatArray
    btc_per_hashvalue: FloatArray
    energy_kwh_per_day: FloatArray
    hosting_usd_per_kwh: FloatArray
    min_up_steps: IntArray
    min_down_steps: IntArray
    startup_cost_usd: FloatArray
    min_uptime_share: FloatArray
    ramp_mw_per_step: FloatArray
    dr_credit_usd_per_mwh: FloatArray
    cp_usd_per_kw: FloatArray
    cp_step: BoolArray

    @property
    def steps(self) -> int:
        """Number of steps."""
        return len(self.start_s)

    @property
    def hours_per_step(self) -> float:
        """Step length. [h]"""
        return self.step_s / SECONDS_PER_HOUR

    @property
    def load_mw(self) -> FloatArray:
        """Each group's site load while running. [MW]"""
        out: FloatArray = self.energy_kwh_per_day / HOURS_PER_DAY / W_PER_KW
        return out

    def terms(self) -> dict[str, FloatArray]:
        """Per group and step: revenue, energy, power cost, DR credit, 4CP charge, margin."""
        frac = self.step_s / SECONDS_PER_DAY
        revenue = self.btc_per_hashvalue[:, None] * self.hashprice_usd_per_phs_day[None, :] * frac
        btc = revenue / self.btc_price_usd[None, :]
        energy = np.broadcast_to((self.energy_kwh_per_day * frac)[:, None], revenue.shape)
        price = self.price_usd_per_kwh[self.group_site] + self.hosting_usd_per_kwh[:, None]
        cost = energy * price
        dr = energy / W_PER_KW * self.dr_credit_usd_per_mwh[self.group_site][:, None]
        cp = (
            (self.load_mw * W_PER_KW)[:, None]
            * self.cp_usd_per_kw[self.group_site][:, None]
            * self.cp_step[self.group_site]
        )
        return {
            "revenue": revenue,
            "btc": btc,
            "energy_kwh": np.ascontiguousarray(energy),
            "cost": cost,
            "dr": dr,
            "cp": cp,
            "margin": revenue - cost,
        }


def threshold_schedule(problem: CurtailProblem) -> BoolArray:
    """Run a group in a step exactly when its revenue beats its power cost."""
    t = problem.terms()
    on: BoolArray = t["revenue"] > t["cost"]
    return on


def starts(on: BoolArray, initial_on: bool = True) -> BoolArray:
    """Steps where a group is started (off before, on now); the window starts ``initial_on``."""
    prev = np.concatenate([np.full((on.shape[0], 1), initial_on), on[:, :-1]], axis=1)
    out: BoolArray = on & ~prev
    return out


def schedule_value(problem: CurtailProblem, on: BoolArray) -> FloatArray:
    """Per group: revenue - power cost while on, DR credits while off, minus start-ups and
    4CP charges. [USD]"""
    t = problem.terms()
    value = np.where(on, t["margin"] - t["cp"], t["dr"]).sum(axis=1)
    value -= starts(on).sum(axis=1) * problem.startup_cost_usd
    out: FloatArray = value
    return out


def _runs(row: BoolArray) -> list[tuple[bool, int, int]]:
    """(state, first step, length) of each run of equal values."""
    edges = np.flatnonzero(np.diff(row.astype(np.int8))) + 1
    bounds = [0, *edges.tolist(), len(row)]
    return [(bool(row[a]), a, b - a) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def check_schedule(problem: CurtailProblem, on: BoolArray) -> list[str]:
    """Every constraint the schedule breaks, one line each (empty: it is feasible).

    Minimum up/down times (a run cut by the window's end may be shorter), the ramp limit of
    each site's load (the window starts with every group on) and the minimum uptime share.
    """
    out: list[str] = []
    for g, name in enumerate(problem.group_names):
        runs = _runs(on[g])
        for i, (state, first, length) in enumerate(runs):
            last = i == len(runs) - 1
            if i == 0 and state:
                continue  # on since before the window
            need = problem.min_up_steps[g] if state else problem.min_down_steps[g]
            if length < need and not last:
                kind = "up" if state else "down"
                out.append(
                    f"{name}: {kind} for {length} steps from step {first} (min {kind} {need})"
                )
        share = on[g].mean()
        if share < problem.min_uptime_share[g] - 1e-12:
            need = 100 * problem.min_uptime_share[g]
            out.append(f"{name}: runs {100 * share:.1f}% of steps (min {need:.1f}%)")
    load = problem.load_mw[:, None] * on
    for s, name in enumerate(problem.site_names):
        ramp = problem.ramp_mw_per_step[s]
        if not np.isfinite(ramp):
            continue
        site = load[problem.group_site == s].sum(axis=0)
        full = problem.load_mw[problem.group_site == s].sum()
        step = np.diff(np.concatenate([[full], site]))
        bad = np.flatnonzero(np.abs(step) > ramp + 1e-6)
        if bad.size:
            out.append(
                f"site {name}: load changes {step[bad[0]]:+.2f} MW at step {int(bad[0])}"
                f" (ramp limit {ramp:g} MW per step; {bad.size} steps break it)"
            )
    return out


@dataclass(frozen=True)
class DailySummary:
    """A schedule against always-on, per group and UTC day (arrays ``(groups, days)``)."""

    day_start_s: IntArray  # UTC day starts [Unix s]
    hours_off: FloatArray
    mwh_avoided: FloatArray
    btc_forgone: FloatArray
    revenue_forgone_usd: FloatArray
    power_cost_saved_usd: FloatArray
    dr_credit_usd: FloatArray
    cp_charge_avoided_usd: FloatArray
    startup_cost_usd: FloatArray
    net_benefit_usd: FloatArray  # against always-on


def daily_summary(problem: CurtailProblem, on: BoolArray) -> DailySummary:
    """What a schedule changes against always-on, per group and UTC day."""
    t = problem.terms()
    off = ~on
    day = (problem.start_s // SECONDS_PER_DAY).astype(np.int64)
    first = np.flatnonzero(np.concatenate([[True], np.diff(day) != 0]))

    def per_day(a: npt.NDArray[np.floating] | BoolArray) -> FloatArray:
        out: FloatArray = np.add.reduceat(np.asarray(a, dtype=np.float64), first, axis=1)
        return out

    su = starts(on) * problem.startup_cost_usd[:, None]
    rev = per_day(np.where(off, t["revenue"], 0.0))
    saved = per_day(np.where(off, t["cost"], 0.0))
    dr = per_day(np.where(off, t["dr"], 0.0))
    cp = per_day(np.where(off, t["cp"], 0.0))
    su_d = per_day(su)
    return DailySummary(
        day_start_s=day[first] * SECONDS_PER_DAY,
        hours_off=per_day(off * problem.hours_per_step),
        mwh_avoided=per_day(np.where(off, t["energy_kwh"], 0.0)) / W_PER_KW,
        btc_forgone=per_day(np.where(off, t["btc"], 0.0)),
        revenue_forgone_usd=rev,
        power_cost_saved_usd=saved,
        dr_credit_usd=dr,
        cp_charge_avoided_usd=cp,
        startup_cost_usd=su_d,
        net_benefit_usd=saved + dr + cp - rev - su_d,
    )


__all__ = [
    "CurtailProblem",
    "DailySummary",
    "check_schedule",
    "daily_summary",
    "schedule_value",
    "starts",
    "threshold_schedule",
]
