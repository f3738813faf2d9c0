"""Commands ``status`` and ``consensus``: render the library's answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from .. import storage
from ..asof import parse_time_spec, resolve_as_of
from ..report import status as status_report
from ._app import app
from ._output import AtOption, DbOption, JsonOption, as_of_pairs, emit_json, now_s, render_pairs

if TYPE_CHECKING:
    from ..report.network_results import NetworkStatus
    from ..report.status_results import StatusDocument
    from ..results import Percentiles

consensus_app = typer.Typer(
    help="Exact consensus math (Bitcoin Core's rules) on values you give.",
    no_args_is_help=True,
)
app.add_typer(consensus_app, name="consensus")


def _fmt_int(value: int | None) -> str:
    return "n/a" if value is None else f"{int(value):,}"


def _fmt_duration(seconds: float) -> str:
    minutes = seconds / 60
    return f"{seconds:,.1f} s ({minutes:.2f} min)"


def _fmt_age(age_s: int) -> str:
    if age_s < 2 * 3600:
        return f"{age_s:,} s before"
    if age_s < 2 * 86_400:
        return f"{age_s / 3600:,.1f} h before"
    return f"{age_s / 86_400:,.1f} days before"


def _pct(d: Percentiles, p: int) -> str:
    v = d.get(p)
    return "n/a" if v is None else f"{v:+.2f}%"


def _when(m: object) -> str:
    return "n/a" if m is None else str(getattr(m, "time_iso", "n/a"))


def network_status_pairs(section: NetworkStatus | None) -> list[tuple[str, str]]:
    """Label/value lines for the network section of ``status`` (empty when there is none)."""
    if section is None:
        return []
    pairs: list[tuple[str, str]] = []
    hr = section.hashrate
    if hr is not None and hr.hashrate_ehs is not None:
        core = hr.core_getnetworkhashps_ehs
        core_txt = "" if core is None else f"; Bitcoin Core's getnetworkhashps {core:,.1f} EH/s"
        pairs.append(
            (
                "hash rate",
                f"{hr.hashrate_ehs:,.1f} EH/s (95% {hr.hashrate_lower_ehs or 0:,.1f} .. "
                f"{hr.hashrate_upper_ehs or 0:,.1f}) over {hr.window}{core_txt}",
            )
        )
    elif hr is not None:
        pairs.append(("hash rate", f"no estimate over {hr.window}: {hr.note}"))
    else:
        pairs.append(("hash rate", "no estimate: no blocks or daily rows before this moment"))
    adj = section.next_adjustment
    if adj is not None:
        ch = adj.change_pct
        nd = adj.next_difficulty_t.get(50)
        if adj.exact:
            pairs.append(("next adjustment", f"{_pct(ch, 50)} (exact: the epoch is complete)"))
        else:
            pairs.append(
                (
                    "next adjustment",
                    f"p50 {_pct(ch, 50)} to {nd or 0:,.2f} T; 50% {_pct(ch, 25)} .. {_pct(ch, 75)};"
                    f" 90% {_pct(ch, 5)} .. {_pct(ch, 95)}",
                )
            )
            mp = section.mempool_style
            if mp is not None:
                pairs.append(
                    ("mempool-style", f"{mp.change_pct:+.2f}% (point estimate, no interval)")
                )
        eta = adj.retarget_eta
        pairs.append(
            (
                "retarget ETA",
                f"block {adj.retarget_height:,} at {_when(eta.p50)} "
                f"(p10 {_when(eta.p10)}, p90 {_when(eta.p90)})",
            )
        )
    return pairs


def render_status(data: StatusDocument) -> None:
    """Human-readable rendering of :func:`minerscope.report.status.build_status`."""
    res = data.as_of.resolution
    as_of = data.as_of.to_dict()
    pairs: list[tuple[str, str]] = as_of_pairs(as_of)
    tip = data.tip
    if tip is not None:
        approx = " (estimated from daily block counts)" if res == "daily" else ""
        pairs.append(("tip height", f"{_fmt_int(tip.height)}{approx}"))
        pairs.append(("tip time", f"{tip.time_iso} ({_fmt_age(tip.age_s)} the moment)"))
        if tip.hash:
            pairs.append(("tip hash", tip.hash))
    if data.bits_hex:
        pairs.append(("bits", data.bits_hex))
    if data.difficulty is not None:
        d = data.difficulty
        pairs.append(("difficulty", f"{d / 1e12:,.2f} T ({d:,.0f})"))
    ep = data.epoch
    if ep is not None:
        pairs.append(
            (
                "epoch",
                f"{ep.index} (first block {_fmt_int(ep.first_height)}): "
                f"{_fmt_int(ep.blocks_mined)} blocks mined, "
                f"{_fmt_int(ep.blocks_remaining)} remaining; retarget at block "
                f"{_fmt_int(ep.retarget_height)}",
            )
        )
        if ep.mean_block_time_s is not None:
            pairs.append(
                (
                    "mean block time",
                    f"{_fmt_duration(ep.mean_block_time_s)} over {ep.mean_block_time_basis}",
                )
            )
    price = data.price
    if price is not None:
        pairs.append(
            ("BTC price", f"${price.btc_price_usd:,.2f} ({price.source}, {price.time_iso})")
        )
    else:
        pairs.append(("BTC price", "no price known at this time (minerscope import prices FILE)"))
    hv = data.halving
    if hv is not None:
        pairs.append(
            (
                "next halving",
                f"block {_fmt_int(hv.height)}, {_fmt_int(hv.blocks_left)} blocks left; "
                f"subsidy {hv.subsidy_now_btc:g} -> {hv.subsidy_after_btc:g} BTC",
            )
        )
    render_pairs(f"minerscope status as of {data.as_of.time_iso} ({res} data)", pairs)
    net_pairs = network_status_pairs(data.network)
    if hv is not None and hv.eta is not None:
        e = hv.eta
        net_pairs.append(
            (
                "halving ETA",
                f"block {hv.height:,} at {_when(e.p50)} (p10 {_when(e.p10)}, p90 {_when(e.p90)})",
            )
        )
    if net_pairs:
        render_pairs("network estimates (intervals from the Poisson block process)", net_pairs)
    from .econ import status_pairs as econ_status_pairs  # lazy: keeps start-up light

    econ_pairs = econ_status_pairs(data.economics)
    if econ_pairs:
        render_pairs("economics", econ_pairs)


@app.command("status")
def status_cmd(at: AtOption = None, db: DbOption = None, json_out: JsonOption = False) -> None:
    """The network as of TIME: tip, difficulty, epoch progress, price, next halving.

    Uses only data known at TIME (blocks, else daily rows). Exit 1 on an empty database.

    Example: minerscope status --at 2026-02-01T08:40:17Z --json
    """
    spec = parse_time_spec(at) if at else None
    conn = storage.open_for_reading(db)
    try:
        as_of = resolve_as_of(conn, spec, now_s=now_s())
        data = status_report.build_status(conn, as_of, sections=status_report.default_sections())
    finally:
        conn.close()
    if json_out:
        emit_json(data)
    else:
        render_status(data)


@consensus_app.command("next-bits")
def next_bits_cmd(
    bits: Annotated[str, typer.Option("--bits", help="Compact target of the period (hex).")],
    first_time_s: Annotated[
        int, typer.Option("--first-time-s", help="Time of the period's first block [Unix s].")
    ],
    last_time_s: Annotated[
        int, typer.Option("--last-time-s", help="Time of the period's last block [Unix s].")
    ],
    json_out: JsonOption = False,
) -> None:
    """The next period's bits by Bitcoin Core's retarget rule (CalculateNextWorkRequired).

    Example: minerscope consensus next-bits --bits 1701ebf2 --first-time-s 1767859543 --last-time-s 1769110170
    """
    from ..report.consensus import next_bits_document

    doc = next_bits_document(bits, first_time_s, last_time_s)
    if json_out:
        emit_json(doc)
        return
    new = doc.new
    render_pairs(
        "next retarget (Bitcoin Core CalculateNextWorkRequired)",
        [
            ("new bits", new.bits_hex),
            ("new target", new.target_hex),
            ("new difficulty", f"{new.difficulty:,.2f} ({new.difficulty_t:,.2f} T)"),
            ("change", f"{doc.difficulty_change_pct:+.4f} %"),
            ("actual timespan", f"{doc.actual_timespan_s:,} s (2015 intervals)"),
        ],
    )


@consensus_app.command("header")
def header_cmd(
    header_hex: Annotated[str, typer.Argument(help="The 80-byte block header as 160 hex digits.")],
    json_out: JsonOption = False,
) -> None:
    """Parse an 80-byte block header, hash it and check its proof of work.

    Exit 1 when the hash does not meet the target the header claims.

    Example: minerscope consensus header 0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c
    """
    from ..report.consensus import header_document

    doc = header_document(header_hex)
    if json_out:
        emit_json(doc)
    else:
        render_pairs("block header", [(k, str(v)) for k, v in doc.to_dict().items()])
    if not doc.proof_of_work_valid:
        raise typer.Exit(1)
