"""Commands ``status`` and ``consensus``: render the library's answers."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from .. import storage
from ..asof import parse_time_spec, resolve_as_of
from ..consensus import (
    CompactError,
    check_proof_of_work,
    difficulty_from_bits,
    next_bits,
    parse_header,
    target_from_bits,
)
from ..errors import InputError
from ..report import status as status_report
from ._app import app
from ._output import AtOption, DbOption, JsonOption, as_of_pairs, emit_json, now_s, render_pairs

consensus_app = typer.Typer(
    help="Exact consensus math (Bitcoin Core's rules) on values you give.",
    no_args_is_help=True,
)
app.add_typer(consensus_app, name="consensus")


def _fmt_int(value: Any) -> str:
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


def _pct_range(d: dict[str, float], lo: str, hi: str) -> str:
    return f"{d[lo]:+.2f}% .. {d[hi]:+.2f}%"


def network_status_pairs(section: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Label/value lines for the network section of ``status`` (empty when there is none)."""
    if not section:
        return []
    pairs: list[tuple[str, str]] = []
    hr = section.get("hashrate")
    if hr and hr.get("hashrate_ehs") is not None:
        core = hr.get("core_getnetworkhashps_ehs")
        core_txt = "" if core is None else f"; Bitcoin Core's getnetworkhashps {core:,.1f} EH/s"
        pairs.append(
            (
                "hash rate",
                f"{hr['hashrate_ehs']:,.1f} EH/s (95% {hr['lower_ehs']:,.1f} .. "
                f"{hr['upper_ehs']:,.1f}) over {hr['window']}{core_txt}",
            )
        )
    elif hr:
        pairs.append(("hash rate", f"no estimate over {hr.get('window', '?')}: {hr.get('note')}"))
    else:
        pairs.append(("hash rate", "no estimate: no blocks or daily rows before this moment"))
    adj = section.get("next_adjustment")
    if adj:
        ch = adj["change_pct"]
        nd = adj["next_difficulty_t"]
        if adj.get("exact"):
            pairs.append(("next adjustment", f"{ch['p50']:+.2f}% (exact: the epoch is complete)"))
        else:
            pairs.append(
                (
                    "next adjustment",
                    f"p50 {ch['p50']:+.2f}% to {nd['p50']:,.2f} T; 50% {_pct_range(ch, 'p25', 'p75')};"
                    f" 90% {_pct_range(ch, 'p5', 'p95')}",
                )
            )
            mp = adj.get("mempool_style_change_pct")
            if mp is not None:
                pairs.append(("mempool-style", f"{mp:+.2f}% (point estimate, no interval)"))
        eta = adj.get("retarget_eta")
        if eta:
            pairs.append(
                (
                    "retarget ETA",
                    f"block {adj['retarget_height']:,} at {eta['p50']['time_iso']} "
                    f"(p10 {eta['p10']['time_iso']}, p90 {eta['p90']['time_iso']})",
                )
            )
    hv = section.get("halving")
    if hv and hv.get("eta"):
        e = hv["eta"]
        pairs.append(
            (
                "halving ETA",
                f"block {hv['height']:,} at {e['p50']['time_iso']} "
                f"(p10 {e['p10']['time_iso']}, p90 {e['p90']['time_iso']})",
            )
        )
    return pairs


def render_status(data: dict[str, Any]) -> None:
    """Human-readable rendering of :func:`minerscope.report.status.build_status`."""
    res = data["resolution"]
    pairs: list[tuple[str, str]] = as_of_pairs(data["as_of"])
    tip = data.get("tip")
    if tip is not None:
        approx = " (estimated from daily block counts)" if res == "daily" else ""
        pairs.append(("tip height", f"{_fmt_int(tip['height'])}{approx}"))
        pairs.append(("tip time", f"{tip['time_iso']} ({_fmt_age(tip['age_s'])} the moment)"))
        if tip.get("hash"):
            pairs.append(("tip hash", tip["hash"]))
    if data.get("bits_hex"):
        pairs.append(("bits", data["bits_hex"]))
    if data.get("difficulty") is not None:
        d = data["difficulty"]
        pairs.append(("difficulty", f"{d / 1e12:,.2f} T ({d:,.0f})"))
    ep = data.get("epoch")
    if ep is not None:
        pairs.append(
            (
                "epoch",
                f"{ep['index']} (first block {_fmt_int(ep['first_height'])}): "
                f"{_fmt_int(ep['blocks_mined'])} blocks mined, "
                f"{_fmt_int(ep['blocks_remaining'])} remaining; retarget at block "
                f"{_fmt_int(ep['retarget_height'])}",
            )
        )
        if ep.get("mean_block_time_s") is not None:
            pairs.append(
                (
                    "mean block time",
                    f"{_fmt_duration(ep['mean_block_time_s'])} over {ep['mean_block_time_basis']}",
                )
            )
    price = data.get("price")
    if price is not None:
        pairs.append(
            (
                "BTC price",
                f"${price['price_usd']:,.2f} ({price['source']}, {price['time_iso']})",
            )
        )
    else:
        pairs.append(("BTC price", "no price known at this time (minerscope import prices FILE)"))
    hv = data.get("halving")
    if hv is not None:
        pairs.append(
            (
                "next halving",
                f"block {_fmt_int(hv['next_height'])}, {_fmt_int(hv['blocks_left'])} blocks left; "
                f"subsidy {hv['subsidy_now_btc']:g} -> {hv['subsidy_after_btc']:g} BTC",
            )
        )
    render_pairs(f"minerscope status as of {data['as_of']['time_iso']} ({res} data)", pairs)
    net_pairs = network_status_pairs(data.get("network"))
    if net_pairs:
        render_pairs("network estimates (intervals from the Poisson block process)", net_pairs)
    from .econ import status_pairs as econ_status_pairs  # lazy: keeps start-up light

    econ_pairs = econ_status_pairs(data.get("economics"))
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


def _parse_bits(text: str) -> int:
    raw = text.lower().removeprefix("0x")
    if len(raw) != 8:
        raise InputError(f"--bits {text!r}: expected 8 hex digits, e.g. 1701fca1", field="--bits")
    try:
        return int(raw, 16)
    except ValueError:
        raise InputError(f"--bits {text!r} is not hexadecimal", field="--bits") from None


def _bits_payload(bits: int) -> dict[str, Any]:
    return {
        "bits_hex": f"{bits:08x}",
        "target_hex": f"{target_from_bits(bits):064x}",
        "difficulty": difficulty_from_bits(bits),
    }


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
    old = _parse_bits(bits)
    try:
        new = next_bits(old, first_time_s, last_time_s)
    except CompactError as exc:
        raise InputError(str(exc), field="--bits") from exc
    old_d = difficulty_from_bits(old)
    new_d = difficulty_from_bits(new)
    data: dict[str, Any] = {
        "old": _bits_payload(old),
        "new": _bits_payload(new),
        "actual_timespan_s": last_time_s - first_time_s,
        "difficulty_change_pct": (new_d / old_d - 1.0) * 100.0,
    }
    if json_out:
        emit_json(data)
        return
    render_pairs(
        "next retarget (Bitcoin Core CalculateNextWorkRequired)",
        [
            ("new bits", data["new"]["bits_hex"]),
            ("new target", data["new"]["target_hex"]),
            ("new difficulty", f"{new_d:,.2f} ({new_d / 1e12:,.2f} T)"),
            ("change", f"{data['difficulty_change_pct']:+.4f} %"),
            ("actual timespan", f"{data['actual_timespan_s']:,} s (2015 intervals)"),
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
    try:
        header = parse_header(header_hex.strip())
    except ValueError as exc:
        raise InputError(str(exc), field="HEADER_HEX") from exc
    ok = check_proof_of_work(header.hash, header.bits)
    data = {
        "hash": header.hash,
        "version": header.version,
        "prev_hash": header.prev_hash,
        "merkle_root": header.merkle_root,
        "time_s": header.time_s,
        "bits_hex": f"{header.bits:08x}",
        "nonce": header.nonce,
        "difficulty": difficulty_from_bits(header.bits),
        "proof_of_work_valid": ok,
    }
    if json_out:
        emit_json(data)
    else:
        render_pairs("block header", [(k, str(v)) for k, v in data.items()])
    if not ok:
        raise typer.Exit(1)
