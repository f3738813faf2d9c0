"""The optimal curtailment schedule as a mixed-integer program (HiGHS via ``scipy.optimize.milp``).

Variables per group ``g`` and step ``t``: ``u`` (on, binary), ``y`` (started), ``z`` (stopped),
with ``u_t - u_{t-1} = y_t - z_t`` (every group is on before the window). Maximise

    sum u (margin - DR credit - 4CP charge) + sum DR credit - sum y * start-up cost

subject to minimum up time ``U`` (``sum_{t-U<tau<=t} y_tau <= u_t``), minimum down time
``D`` (``sum_{t-D<tau<=t} z_tau <= 1 - u_t``), the site's ramp limit
(``|sum_g P_g (u_t - u_{t-1})| <= R``) and a minimum uptime share per group. With ``y`` and
``z`` continuous this is the tight three-variable unit-commitment formulation (its LP
relaxation is integral for one group without a ramp limit).

Scale: a year of hourly steps for 10 groups is 263k variables; it is solved in weekly blocks
(168 steps committed, 24 more looked ahead), each block starting from the committed state of
the one before (on/off, and how long, for the minimum up/down times). The uptime share is
then enforced on each block's committed steps (stricter than on the whole window). The
benchmark measures the gap of the blocks against the whole problem on a shorter span.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .curtail import CurtailProblem, check_schedule, schedule_value, threshold_schedule

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
_TIE = 1e-6  # a tiny cost on starts and stops keeps y and z at 0 when nothing changes [USD]
_LONG = 10**9  # "in this state since long before the window" [steps]


@dataclass(frozen=True)
class MilpResult:
    """The optimal schedule and how it was found."""

    on: BoolArray
    blocks: int
    block_steps: int
    lookahead_steps: int
    mip_gap_max: float  # largest relative MIP gap HiGHS reports over the blocks
    uptime_scope: str  # "window" or "each block"
    threshold_kept: bool  # the threshold schedule was feasible and no worse, and is returned


def _block_milp(
    margin: FloatArray,
    su: FloatArray,
    load: FloatArray,
    min_up: IntArray,
    min_down: IntArray,
    ramp: float,
    uptime_steps: IntArray,
    commit: int,
    u_init: BoolArray,
    run_len: IntArray,
    *,
    mip_rel_gap: float,
    time_limit_s: float,
) -> tuple[BoolArray, float]:
    """Solve one block; ``margin`` is the per-step value of running over not running."""
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    g_n, t_n = margin.shape
    n = g_n * t_n
    iu = np.arange(n).reshape(g_n, t_n)
    iy = iu + n
    iz = iu + 2 * n
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    vals: list[FloatArray] = []
    lo: list[FloatArray] = []
    hi: list[FloatArray] = []
    r0 = 0

    def add(r: IntArray, c: IntArray, v: FloatArray) -> None:
        rows.append(r)
        cols.append(c)
        vals.append(v.astype(np.float64))

    # transitions: u_t - u_{t-1} - y_t + z_t = 0 (u_{-1} = u_init)
    tr = r0 + iu
    ones = np.ones(n)
    add(tr.ravel(), iu.ravel(), ones)
    add(tr[:, 1:].ravel(), iu[:, :-1].ravel(), -np.ones(g_n * (t_n - 1)))
    add(tr.ravel(), iy.ravel(), -ones)
    add(tr.ravel(), iz.ravel(), ones)
    rhs = np.zeros((g_n, t_n))
    rhs[:, 0] = u_init.astype(float)
    lo.append(rhs.ravel())
    hi.append(rhs.ravel())
    r0 += n
    for g in range(g_n):
        for kind, length, var, limit in (
            ("up", min_up[g], iy, 0.0),
            ("down", min_down[g], iz, 1.0),
        ):
            if length < 2:
                continue
            t = np.arange(t_n)
            rr = r0 + t
            for k in range(int(length)):
                ok = t - k >= 0
                add(rr[ok], var[g, t[ok] - k], np.ones(int(ok.sum())))
            add(rr, iu[g], np.full(t_n, -1.0 if kind == "up" else 1.0))
            lo.append(np.full(t_n, -np.inf))
            hi.append(np.full(t_n, limit))
            r0 += t_n
    if math.isfinite(ramp):
        rr = r0 + np.arange(t_n)
        for g in range(g_n):
            add(rr, iu[g], np.full(t_n, load[g]))
            add(rr[1:], iu[g, :-1], np.full(t_n - 1, -load[g]))
        base = np.zeros(t_n)
        base[0] = float(load @ u_init)
        lo.append(base - ramp)
        hi.append(base + ramp)
        r0 += t_n
    for g in range(g_n):
        if uptime_steps[g] > 0:
            add(np.full(commit, r0), iu[g, :commit], np.ones(commit))
            lo.append(np.array([float(uptime_steps[g])]))
            hi.append(np.array([np.inf]))
            r0 += 1
    a = sparse.csr_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r0, 3 * n)
    )
    c = np.concatenate([-margin.ravel(), np.repeat(su, t_n) + _TIE, np.full(n, _TIE)])
    lb = np.zeros(3 * n)
    ub = np.ones(3 * n)
    for g in range(g_n):  # boundary: finish a minimum up or down time begun before the block
        if u_init[g] and run_len[g] < min_up[g]:
            lb[iu[g, : min(t_n, int(min_up[g] - run_len[g]))]] = 1.0
        if not u_init[g] and run_len[g] < min_down[g]:
            ub[iu[g, : min(t_n, int(min_down[g] - run_len[g]))]] = 0.0
    integrality = np.concatenate([np.ones(n), np.zeros(2 * n)])
    res = milp(
        c,
        integrality=integrality,
        bounds=Bounds(lb, ub),
        constraints=LinearConstraint(a, np.concatenate(lo), np.concatenate(hi)),
        options={"mip_rel_gap": mip_rel_gap, "time_limit": time_limit_s, "disp": False},
    )
    if res.x is None:
        raise ValueError(
            f"the curtailment constraints cannot all be met ({res.message}): loosen the ramp"
            " limit, the minimum up/down times or the uptime share"
        )
    on: BoolArray = res.x[:n].reshape(g_n, t_n) > 0.5
    gap = float(getattr(res, "mip_gap", 0.0) or 0.0)
    return on, gap


def optimal_schedule(
    problem: CurtailProblem,
    *,
    block_steps: int | None = 168,
    lookahead_steps: int = 24,
    mip_rel_gap: float = 1e-4,
    time_limit_s: float = 60.0,
    keep_threshold: bool = True,
) -> MilpResult:
    """The schedule that maximises the window's value under the operating constraints.

    Parameters
    ----------
    problem : CurtailProblem
    block_steps : int or None
        Steps committed per block (None: the whole window in one problem). [steps]
    lookahead_steps : int
        Steps solved beyond each block but not committed. [steps]
    mip_rel_gap : float
        HiGHS's relative optimality gap. [share]
    time_limit_s : float
        HiGHS's time limit per block. [s]
    keep_threshold : bool
        Return the threshold schedule instead when it breaks no constraint and is worth at
        least as much (so the result is never worse than the threshold rule).

    Raises
    ------
    ValueError
        When the constraints cannot all be met.
    """
    t = problem.terms()
    value_on = t["margin"] - t["cp"] - t["dr"]  # running rather than resting, per step
    n_steps = problem.steps
    on = np.ones((len(problem.group_names), n_steps), dtype=bool)
    block = n_steps if block_steps is None else max(1, min(block_steps, n_steps))
    look = 0 if block_steps is None else lookahead_steps
    gaps = [0.0]
    blocks = 0
    for s in range(len(problem.site_names)):
        gs = np.flatnonzero(problem.group_site == s)
        if gs.size == 0:
            continue
        u_prev = np.ones(gs.size, dtype=bool)
        run_len = np.full(gs.size, _LONG, dtype=np.int64)
        for t0 in range(0, n_steps, block):
            commit = min(block, n_steps - t0)
            t1 = min(n_steps, t0 + commit + look)
            need = np.ceil(problem.min_uptime_share[gs] * commit - 1e-9).astype(np.int64)
            sol, gap = _block_milp(
                value_on[gs, t0:t1],
                problem.startup_cost_usd[gs],
                problem.load_mw[gs],
                problem.min_up_steps[gs],
                problem.min_down_steps[gs],
                float(problem.ramp_mw_per_step[s]),
                need,
                commit,
                u_prev,
                run_len,
                mip_rel_gap=mip_rel_gap,
                time_limit_s=time_limit_s,
            )
            on[gs, t0 : t0 + commit] = sol[:, :commit]
            gaps.append(gap)
            blocks += 1
            for i in range(gs.size):  # carry the state and its age into the next block
                row = on[gs[i], t0 : t0 + commit]
                changed = np.flatnonzero(row != row[-1])
                same = commit - (int(changed[-1]) + 1) if changed.size else commit
                run_len[i] = run_len[i] + same if same == commit and row[-1] == u_prev[i] else same
                u_prev[i] = bool(row[-1])
    kept = False
    if keep_threshold:
        thr = threshold_schedule(problem)
        if not check_schedule(problem, thr) and (
            schedule_value(problem, thr).sum() > schedule_value(problem, on).sum()
        ):
            on, kept = thr, True
    return MilpResult(
        on=on,
        blocks=blocks,
        block_steps=block,
        lookahead_steps=look,
        mip_gap_max=max(gaps),
        uptime_scope="window" if block >= n_steps else "each block",
        threshold_kept=kept,
    )


__all__ = ["MilpResult", "optimal_schedule"]
