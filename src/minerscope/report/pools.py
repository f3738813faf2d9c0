"""The ``pools`` view: who mined the blocks of a window, with exact intervals.

Loads the as-of slice (blocks timestamped in the window, their pool attributions, fees,
prices and the network's blocks for the hash rate) and calls the pure functions of
:mod:`minerscope.analytics.pools`; returns a typed :class:`PoolsReport`.

Windows: the ``window_days`` before the moment (``start < time_s <= end``, by block
timestamp), and for luck the ``trailing_days`` before that. When the last stored block is
more than two hours older than the moment, the data (not the chain) has stopped: the
window ends at that block's time and the report says so.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .. import config as user_config
from .. import storage
from ..analytics.hashrate import hashrate_fixed_time
from ..analytics.pools import (
    BOOTSTRAP_DRAWS,
    DEFAULT_CONFIDENCE,
    PoolStat,
    clopper_pearson,
    concentration,
    daily_counts,
    earnings_per_day,
    pool_statistics,
)
from ..asof import (
    AsOf,
    date_utc,
    day_start_s,
    iso_utc,
    last_complete_day,
    parse_time_spec,
    resolve_as_of,
)
from ..consensus import block_subsidy_sat, block_work
from ..errors import NoDataError
from ..results import AsOfInfo
from ..sources.pools import UNKNOWN, PoolCatalog, load_catalog, read_pools_config
from ..units import HPS_PER_EHS, SECONDS_PER_DAY
from .pools_results import (
    ConcentrationInfo,
    HistoryRow,
    KnownPool,
    NetworkHashrate,
    OperatorRow,
    PoolRow,
    PoolsReport,
    WindowInfo,
)

POOLS_SEED = 20_210_102  # fixed bootstrap seed: the same data gives the same intervals
STALE_AFTER_S = 2 * 3600  # P(no block in 2 h at 600 s) = e^-12: the data stopped, not the chain
MIN_TRAILING_DAYS = 30
SHARED_POOLS_NOTE = (
    "Only pools that are one operator's own are counted for an operator. Shared pools"
    " (Foundry USA, AntPool, F2Pool, ViaBTC, Luxor and the like) mine for many firms and"
    " cannot be split by firm from the chain, so an operator's output through them is not"
    " here: a figure for all public miners (such as 77 -> 28 BTC per day) is therefore only"
    " partly reproducible from block data."
)
METHODS = {
    "share_interval": "Clopper-Pearson (exact binomial), 95%",
    "hashrate": (
        "share x network hash rate over the same window (sum of block work / window); 95%"
        " interval: Garwood on the pool's own count / the window's exposure, which is the"
        " exact product of the share's and the network rate's uncertainty"
    ),
    "luck": (
        "blocks found / blocks expected from the pool's share in the trailing window;"
        " p-value: two-sided exact binomial (trailing share taken as known)"
    ),
    "concentration": (
        "HHI = sum of squared shares; Nakamoto coefficient = fewest pools with more than 50%"
        " of the blocks; 'unknown' blocks count in the total as no pool; 95% percentile"
        f" intervals from {BOOTSTRAP_DRAWS:,} multinomial bootstrap draws (seed {POOLS_SEED})"
    ),
    "earnings": (
        "subsidy + fees of the pool's blocks per day of the window (fees from the block rows,"
        " else the day's mean fee per block from complete daily rows, else none); USD at the"
        " latest price known at each block's time"
    ),
}


# --- loading --------------------------------------------------------------------------


def _counts(slugs: Sequence[str | None]) -> dict[str, int]:
    out: dict[str, int] = {}
    for s in slugs:
        if s is not None:
            out[s] = out.get(s, 0) + 1
    return out


def _window_info(days: float, start: int, end: int, w: storage.PoolWindow) -> WindowInfo:
    return WindowInfo(
        days=days,
        start_time_s=start,
        start_time_iso=iso_utc(start),
        end_time_s=end,
        end_time_iso=iso_utc(end),
        blocks=len(w.heights),
        attributed_blocks=sum(1 for s in w.pool_slugs if s is not None),
        first_height=int(w.heights[0]) if len(w.heights) else None,
        last_height=int(w.heights[-1]) if len(w.heights) else None,
    )


def _network(
    conn: sqlite3.Connection, w: storage.PoolWindow, start: int, end: int
) -> tuple[NetworkHashrate | None, float | None, float | None, str | None]:
    """Network estimate over the window, its H/s and exposure; or a note why not.

    The window's blocks (all of them, attributed or not) with their epoch's bits, through
    :func:`minerscope.analytics.hashrate.hashrate_fixed_time` as ``hashrate --window-days``.
    """
    if len(w.heights) < 2:
        return None, None, None, "network hash rate: fewer than 2 blocks in the window"
    if not np.all(w.bits > 0):
        return None, None, None, "network hash rate: blocks without bits (import the epochs)"
    if not storage.block_times(conn, [int(w.heights[0]) - 1]):
        return None, None, None, "network hash rate: stored blocks do not cover the window"
    work_of = {b: float(block_work(b)) for b in {int(x) for x in np.unique(w.bits)}}
    works = np.array([work_of[b] for b in w.bits.tolist()], dtype=float)
    est = hashrate_fixed_time(w.times_s, works, start_s=start, end_s=end)
    exposure = est.n_blocks / est.mle_hps if est.mle_hps > 0 else None
    info = NetworkHashrate(
        hashrate_ehs=est.estimate_hps / HPS_PER_EHS,
        hashrate_lower_ehs=est.lower_hps / HPS_PER_EHS,
        hashrate_upper_ehs=est.upper_hps / HPS_PER_EHS,
        confidence_share=est.confidence,
        n_blocks=est.n_blocks,
    )
    return info, est.estimate_hps, exposure, None


def _rewards(
    conn: sqlite3.Connection, w: storage.PoolWindow, as_of: AsOf
) -> tuple[np.ndarray, np.ndarray, str]:
    """Each block's subsidy + fees [sat], its price [USD/BTC] and a note on the fees."""
    import pandas as pd  # loaded with the daily rows only

    subsidy_of = {h: block_subsidy_sat(h) for h in {int(x) for x in w.heights[[0, -1]]}}
    if len(set(subsidy_of.values())) == 1:  # no halving in the window
        subsidy = np.full(len(w.heights), next(iter(subsidy_of.values())), dtype=np.int64)
    else:
        subsidy = np.array([block_subsidy_sat(int(h)) for h in w.heights], dtype=np.int64)
    fees = w.fees_sat.astype(float)
    exact = int(np.sum(fees >= 0))
    missing = fees < 0
    from_daily = 0
    if missing.any():
        day_of = w.times_s // SECONDS_PER_DAY * SECONDS_PER_DAY  # each block's UTC day start
        last_day = last_complete_day(as_of.time_s)  # a daily row is known once its day ended
        first, last = date_utc(int(day_of.min())), date_utc(int(day_of.max()))
        daily = storage.load_daily(conn, from_date=first, to_date=min(last, last_day))
        per_block = {
            int(d.timestamp()): float(fee) / float(blocks)
            for d, blocks, fee in zip(daily.index, daily["blocks"], daily["fees_sat"], strict=True)
            if not (pd.isna(blocks) or pd.isna(fee)) and blocks > 0
        }
        for i in np.flatnonzero(missing):
            v = per_block.get(int(day_of[i]))
            if v is not None:
                fees[i] = v
                from_daily += 1
    unknown = int(np.sum(fees < 0))
    fees = np.where(fees < 0, 0.0, fees)
    note = (
        f"fees: {exact:,} blocks from their own rows, {from_daily:,} from the day's mean fee"
        f" per block, {unknown:,} unknown (subsidy only)"
    )
    prices = storage.load_prices(
        conn, from_time_s=int(w.times_s.min()) - 3 * SECONDS_PER_DAY, to_time_s=int(w.times_s.max())
    ) if len(w.times_s) else None  # fmt: skip
    price = np.full(len(w.times_s), np.nan)
    if prices is not None and not prices.empty:
        # latest price at or before each block; on a tie in time, Coin Metrics first
        prices = prices.assign(pref=(prices["source"] != "coinmetrics").astype(int))
        prices = prices.sort_values(["time_s", "pref"], ascending=[True, False])
        prices = prices.drop_duplicates("time_s", keep="last")
        t = prices["time_s"].to_numpy(dtype=np.int64)
        usd = prices["price_usd"].to_numpy(dtype=float)
        j = np.searchsorted(t, w.times_s, side="right") - 1
        price = np.where(j >= 0, usd[np.maximum(j, 0)], np.nan)
    return subsidy + fees, price, note


# --- the report -----------------------------------------------------------------------


def pools_report(
    conn: sqlite3.Connection,
    as_of: AsOf,
    catalog: PoolCatalog,
    *,
    window_days: float = 7,
    trailing_days: float | None = None,
    history: bool = False,
    confidence: float = DEFAULT_CONFIDENCE,
) -> PoolsReport:
    """Pools of the window ending at the moment: shares, hash rate, luck, concentration.

    Parameters
    ----------
    conn : sqlite3.Connection
    as_of : AsOf
        The moment (see :func:`minerscope.asof.resolve_as_of`).
    catalog : PoolCatalog
        Pool names and the operator mapping (:func:`minerscope.sources.pools.load_catalog`).
    window_days : float
        Window length. [days]
    trailing_days : float, optional
        The trailing window that luck is measured against, just before the window;
        default ``max(30, window_days)``. [days]
    history : bool
        Also give every pool's share on each UTC day of the window.
    confidence : float
        Coverage of every interval. [share]

    Raises
    ------
    NoDataError
        No blocks known at the moment, or none of the window's blocks attributed.
    """
    if window_days <= 0:
        raise ValueError("window_days must be positive")
    trailing = max(MIN_TRAILING_DAYS, window_days) if trailing_days is None else trailing_days
    if as_of.tip_height is None:
        raise NoDataError(f"no blocks are stored up to {as_of.iso}")
    tip = storage.block_row(conn, as_of.tip_height)
    assert tip is not None
    notes: list[str] = []
    end = as_of.time_s
    if end - tip.time_s > STALE_AFTER_S:
        end = tip.time_s
        notes.append(
            f"the last stored block ({as_of.tip_height}, {iso_utc(tip.time_s)}) is"
            f" {(as_of.time_s - tip.time_s) / 3600:.1f} h older than {as_of.iso}: the window"
            " ends at that block"
        )
    start = end - int(round(window_days * SECONDS_PER_DAY))
    t_start = start - int(round(trailing * SECONDS_PER_DAY))
    w = storage.pool_window(conn, start, end)
    window_counts = _counts(w.pool_slugs)
    n = sum(window_counts.values())
    if n == 0:
        raise NoDataError(
            f"no block timestamped between {iso_utc(start)} and {iso_utc(end)} has a pool"
            " attribution: import one (minerscope import pools FILE) or sync from a node"
        )
    if n < len(w.heights):
        notes.append(
            f"{len(w.heights) - n:,} of the window's {len(w.heights):,} blocks have no pool"
            f" attribution: shares are of the {n:,} attributed blocks"
        )
    trailing_counts = storage.pool_counts_between(conn, t_start, start)
    n_trailing = sum(trailing_counts.values())
    if n_trailing < 0.5 * trailing * 144:
        notes.append(
            f"the trailing {trailing:g}-day window holds only {n_trailing:,} attributed blocks"
            " (about 144 a day expected): luck is measured against little data"
        )
    network, network_hps, exposure, net_note = _network(conn, w, start, end)
    if net_note:
        notes.append(net_note)
    stats = pool_statistics(
        window_counts,
        trailing_counts,
        network_hps=network_hps,
        exposure_s_per_hash=exposure,
        confidence=confidence,
    )

    # earnings per pool (attributed blocks only)
    order = [s.slug for s in stats]
    index_of = {s: i for i, s in enumerate(order)}
    mask = np.array([s is not None for s in w.pool_slugs], dtype=bool)
    attributed = storage.PoolWindow(
        w.heights[mask], w.times_s[mask], [s for s in w.pool_slugs if s is not None],
        w.fees_sat[mask], w.bits[mask],
    )  # fmt: skip
    reward, price, fees_note = _rewards(conn, attributed, as_of)
    pidx = np.array([index_of[str(s)] for s in attributed.pool_slugs], dtype=np.int64)
    btc_day, usd_day = earnings_per_day(pidx, reward, price, n_pools=len(order), days=window_days)

    rows: list[PoolRow] = []
    rank = 0
    for i, s in enumerate(stats):
        if s.slug != UNKNOWN:
            rank += 1
        op = catalog.operators.get(s.slug)
        rows.append(
            PoolRow(
                rank=None if s.slug == UNKNOWN else rank,
                pool_slug=s.slug,
                pool_name=catalog.name(s.slug),
                blocks=s.blocks,
                block_share=s.share,
                block_lower_share=s.share_lower,
                block_upper_share=s.share_upper,
                hashrate_ehs=_ehs(s.hashrate_hps),
                hashrate_lower_ehs=_ehs(s.hashrate_lower_hps),
                hashrate_upper_ehs=_ehs(s.hashrate_upper_hps),
                trailing_blocks=s.trailing_blocks,
                trailing_share=s.trailing_share,
                expected_blocks=s.expected_blocks,
                luck_pct=None if s.luck_share is None else 100 * s.luck_share,
                luck_p_value=s.luck_p_value,
                btc_per_day=float(btc_day[i]),
                usd_per_day=None if np.isnan(usd_day[i]) else float(usd_day[i]),
                operator=None if op is None else op.operator,
            )
        )

    known = [s.blocks for s in stats if s.slug != UNKNOWN]
    conc = concentration(
        known,
        window_counts.get(UNKNOWN, 0),
        rng=np.random.default_rng(POOLS_SEED),
        confidence=confidence,
    )
    info = ConcentrationInfo(
        hhi_share=conc.hhi_share,
        hhi_lower_share=conc.hhi_lower_share,
        hhi_upper_share=conc.hhi_upper_share,
        nakamoto_coefficient=conc.nakamoto,
        nakamoto_coefficient_lower=conc.nakamoto_lower,
        nakamoto_coefficient_upper=conc.nakamoto_upper,
        unknown_share=conc.unknown_share,
        confidence_share=conc.confidence,
        bootstrap_draws=conc.draws,
        bootstrap_seed=POOLS_SEED,
    )
    trailing_info = WindowInfo(
        days=trailing,
        start_time_s=t_start,
        start_time_iso=iso_utc(t_start),
        end_time_s=start,
        end_time_iso=iso_utc(start),
        blocks=storage.block_count_between(conn, t_start, start),
        attributed_blocks=n_trailing,
        first_height=None,
        last_height=None,
    )
    return PoolsReport(
        as_of=AsOfInfo.build(
            as_of.time_s,
            as_of.text,
            data_time_s=end,
            resolution="block",
            tip_height=as_of.tip_height,
            notes=tuple(notes),
        ),
        window=_window_info(window_days, start, end, w),
        trailing=trailing_info,
        methods=dict(METHODS),
        network=network,
        pools=tuple(rows),
        concentration=info,
        operators=_operators(catalog, stats, btc_day, usd_day, n, confidence),
        operators_note=SHARED_POOLS_NOTE,
        fees_note=fees_note,
        history=_history(w, start, end, catalog, confidence) if history else None,
        tag_files=tuple(catalog.origins),
    )


def _ehs(x: float | None) -> float | None:
    return None if x is None else x / HPS_PER_EHS


def _operators(
    catalog: PoolCatalog,
    stats: Sequence[PoolStat],
    btc_day: np.ndarray,
    usd_day: np.ndarray,
    n: int,
    confidence: float,
) -> tuple[OperatorRow, ...]:
    by_op: dict[str, list[int]] = {}
    slugs_of: dict[str, list[str]] = {}
    for slug, operator in catalog.operators.items():
        slugs_of.setdefault(operator.operator, []).append(slug)
        by_op.setdefault(operator.operator, [])
    for i, s in enumerate(stats):
        op = catalog.operators.get(s.slug)
        if op is not None:
            by_op[op.operator].append(i)
    out = []
    for name in sorted(by_op):
        idx = by_op[name]
        blocks = sum(stats[i].blocks for i in idx)
        lo, hi = clopper_pearson(blocks, n, confidence)
        first = catalog.operators[slugs_of[name][0]]
        usd = float(np.sum(usd_day[idx])) if idx else 0.0
        out.append(
            OperatorRow(
                operator=name,
                public=first.public,
                pool_slugs=tuple(sorted(slugs_of[name])),
                blocks=blocks,
                block_share=blocks / n,
                block_lower_share=float(lo),
                block_upper_share=float(hi),
                btc_per_day=float(np.sum(btc_day[idx])) if idx else 0.0,
                usd_per_day=None if np.isnan(usd) else usd,
                note=first.note,
            )
        )
    return tuple(out)


def _history(
    w: storage.PoolWindow, start: int, end: int, catalog: PoolCatalog, confidence: float
) -> tuple[HistoryRow, ...]:
    first_day = day_start_s(date_utc(start + 1))
    keep = [i for i, s in enumerate(w.pool_slugs) if s is not None]
    slugs = sorted({str(w.pool_slugs[i]) for i in keep})
    pos = {s: j for j, s in enumerate(slugs)}
    day_idx = (w.times_s[keep] - first_day) // SECONDS_PER_DAY
    n_days = int((end - first_day) // SECONDS_PER_DAY) + 1
    counts = daily_counts(
        day_idx, [pos[str(w.pool_slugs[i])] for i in keep], n_days=n_days, n_pools=len(slugs)
    )
    totals = counts.sum(axis=1)
    rows: list[HistoryRow] = []
    for d in range(n_days):
        if totals[d] == 0:
            continue
        day0 = first_day + d * SECONDS_PER_DAY
        js = [j for j in np.argsort(-counts[d], kind="stable") if counts[d, j] > 0]
        lo, hi = clopper_pearson(counts[d, js], int(totals[d]), confidence)
        for m, j in enumerate(js):
            rows.append(
                HistoryRow(
                    date=date_utc(day0),
                    complete_day=day0 > start and day0 + SECONDS_PER_DAY - 1 <= end,
                    pool_slug=slugs[j],
                    pool_name=catalog.name(slugs[j]),
                    blocks=int(counts[d, j]),
                    day_blocks=int(totals[d]),
                    block_share=float(counts[d, j] / totals[d]),
                    block_lower_share=float(lo[m]),
                    block_upper_share=float(hi[m]),
                )
            )
    return tuple(rows)


# --- entry points for the views -------------------------------------------------------


def pool_catalog(
    tag_files: Sequence[str | Path] = (), *, config_path: Path | None = None
) -> PoolCatalog:
    """The shipped tag file, then the config file's ``[pools] tags``, then ``tag_files``."""
    cfg = user_config.config_path() if config_path is None else config_path
    return load_catalog([*read_pools_config(cfg).tags, *tag_files])


def pools_view(
    db: str | Path | None,
    at: str | None,
    *,
    now_s: int,
    tag_files: Sequence[str | Path] = (),
    config_path: Path | None = None,
    window_days: float = 7,
    trailing_days: float | None = None,
    history: bool = False,
) -> PoolsReport:
    """:func:`pools_report` for ``minerscope pools``: open the database read-only, resolve
    ``--at`` (None: now) and load the tag files (see :func:`pool_catalog`)."""
    catalog = pool_catalog(tag_files, config_path=config_path)
    spec = parse_time_spec(at) if at else None
    conn = storage.connect(db, read_only=True)
    try:
        as_of = resolve_as_of(conn, spec, now_s=now_s)
        return pools_report(
            conn,
            as_of,
            catalog,
            window_days=window_days,
            trailing_days=trailing_days,
            history=history,
        )
    finally:
        conn.close()


def known_pools(catalog: PoolCatalog) -> tuple[KnownPool, ...]:
    """Every pool of a catalog with its tags and addresses, by slug."""
    tags: dict[str, list[str]] = {}
    addrs: dict[str, list[str]] = {}
    for t, s in catalog.tags.items():
        tags.setdefault(s, []).append(t)
    for a, s in catalog.addresses.items():
        addrs.setdefault(s, []).append(a)
    return tuple(
        KnownPool(
            pool_slug=s,
            pool_name=name,
            link=catalog.links.get(s),
            tags=tuple(sorted(tags.get(s, []))),
            addresses=tuple(sorted(addrs.get(s, []))),
            operator=None if s not in catalog.operators else catalog.operators[s].operator,
        )
        for s, name in sorted(catalog.names.items())
    )


__all__ = [
    "POOLS_SEED",
    "ConcentrationInfo",
    "HistoryRow",
    "KnownPool",
    "NetworkHashrate",
    "OperatorRow",
    "PoolRow",
    "PoolsReport",
    "WindowInfo",
    "known_pools",
    "pool_catalog",
    "pools_report",
    "pools_view",
]
