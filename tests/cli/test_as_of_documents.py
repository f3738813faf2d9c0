"""One moment, one price per document: every ``--json`` document at several moments.

The documents: status, hashrate, difficulty, machines, fleet and economics. The moments: block
data (the touchstone and a moment inside the block file), daily rows only (after the blocks
end, and before they start), a moment after all data, and no ``--at`` (the clock, fixed here
after all data). Every document must carry one ``as_of`` in the AsOfInfo shape; every price
it shows must be the one price of its moment (the same in every document of that moment);
every input must be known within a day of the data's time or be named in ``stale_inputs``;
a moment after the newest data must say so, and a moment after the clock is refused.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from minerscope.cli import analytics, app, econ, network
from minerscope.results import AsOfInfo

NOW_S = 1_790_000_000  # 2026-09-21T14:13:20Z: after every reference file
FLEET = Path(__file__).resolve().parents[2] / "examples" / "fleet.toml"
MOMENTS = {
    "touchstone": "2026-02-01T08:40:17Z",  # block 934,575, the last block of the file
    "inside the blocks": "2025-10-10T12:00:00Z",
    "daily rows after the blocks": "2026-02-05",
    "daily rows before the blocks": "2020-05-01",
    "after all data": "2026-09-01",
    "no --at": None,
}
COMMANDS = ("status", "hashrate", "difficulty", "machines", "fleet", "economics")
AS_OF_KEYS = [f.name for f in dataclasses.fields(AsOfInfo)]
STALE_NAMES = {  # an input's time key -> the name stale_inputs gives it
    "difficulty_time_s": "difficulty",
    "subsidy_time_s": "subsidy_btc_per_block",
    "fees_time_s": "fees_btc_per_block",
    "btc_price_time_s": "btc_price_usd",
}
runner = CliRunner()


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for module in (analytics, econ, network):
        monkeypatch.setattr(module, "now_s", lambda: NOW_S)
    yield


def _args(command: str, at: str | None, db: Path) -> list[str]:
    args = [command]
    if command == "fleet":
        args.append(str(FLEET))
    if command == "economics":
        day = date.fromisoformat((at or "2026-09-21")[:10])
        args += ["--from", str(min(day, date(2026, 5, 23)) - timedelta(days=3))]
    if at is not None:
        args += ["--at", at]
    return [*args, "--json", "--db", str(db)]


@pytest.fixture(scope="module")
def documents(reference_db_file: Path) -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    with pytest.MonkeyPatch.context() as mp:
        for module in (analytics, econ, network):
            mp.setattr(module, "now_s", lambda: NOW_S)
        for label, at in MOMENTS.items():
            for command in COMMANDS:
                res = runner.invoke(app, _args(command, at, reference_db_file))
                assert res.exit_code == 0, (command, at, res.stderr)
                out[(command, label)] = json.loads(res.stdout)
    return out


def _find(value: Any, keys: set[str], path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "rows":  # the economics history: one price per day, checked below
                continue
            if k in keys:
                yield f"{path}.{k}", v
            yield from _find(v, keys, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _find(v, keys, f"{path}[{i}]")


def _input_times(doc: dict[str, Any]) -> dict[str, int]:
    """Every input's name and the time it was known, as the document states them."""
    times: dict[str, int] = {}
    for _, inputs in _find(doc, {"inputs"}):
        for key, name in STALE_NAMES.items():
            if inputs.get(key) is not None:
                times[name] = inputs[key]
    if doc.get("price"):
        times["btc_price_usd"] = doc["price"]["time_s"]
    econ_section = doc.get("economics") or {}
    for key, name in (("revenue", "revenue_usd_per_day"), ("puell", "puell_multiple"),
                      ("sustainability", "sustainability_score")):  # fmt: skip
        part = econ_section.get(key)
        if part:  # a daily figure is known at the end of its day
            end = date.fromisoformat(part["date"]) + timedelta(days=1)
            times[name] = int((end - date(1970, 1, 1)).total_seconds())
    return times


@pytest.mark.parametrize("label", list(MOMENTS))
def test_one_moment_and_one_price_per_document(
    documents: dict[tuple[str, str], dict[str, Any]], label: str
) -> None:
    prices: dict[str, float] = {}
    for command in COMMANDS:
        doc = documents[(command, label)]
        a = doc["as_of"]
        assert list(a) == AS_OF_KEYS, command
        assert a["text"] == (MOMENTS[label] or "now")
        assert a["data_time_s"] is not None and a["resolution"] in ("block", "daily")
        # The data never describes a time after the moment (a day's end is its last second).
        assert a["data_time_s"] <= a["time_s"] + 1, command
        # One moment: any other statement of the data's time in the document is the same.
        for where, iso in _find(doc, {"data_time_iso"}):
            assert iso == a["data_time_iso"], (command, where)
        # One price: wherever a price appears in the document it is the same number.
        found = [(w, v) for w, v in _find(doc, {"price_usd", "btc_price_usd"}) if v is not None]
        assert len({v for _, v in found}) <= 1, (command, found)
        if found:
            prices[command] = found[0][1]
        # Every input within a day of the data's time, or named as stale.
        stale = {s["name"] for s in a["stale_inputs"]}
        for name, t in _input_times(doc).items():
            assert a["data_time_s"] - t <= 86_400 or name in stale, (command, name, t)
        for s in a["stale_inputs"]:
            assert s["age_s"] == a["data_time_s"] - s["time_s"] > 86_400
    # ... and the same price in every document of the moment.
    assert set(prices) >= {"status", "machines", "fleet"}
    assert len(set(prices.values())) == 1, prices


def test_a_moment_after_the_data_says_so(documents: dict[tuple[str, str], dict[str, Any]]) -> None:
    for command in COMMANDS:
        for label in ("after all data", "no --at"):
            notes = documents[(command, label)]["as_of"]["notes"]
            assert any("after the newest data" in n for n in notes), (command, label)
        assert documents[(command, "touchstone")]["as_of"]["notes"] == [], command
    # At the touchstone the blocks answer, as of the tip; after them the daily rows do.
    touch = documents[("status", "touchstone")]["as_of"]
    assert (touch["resolution"], touch["data_time_iso"], touch["tip_height"]) == (
        "block", "2026-02-01T08:40:17Z", 934_575,
    )  # fmt: skip
    later = documents[("status", "daily rows after the blocks")]["as_of"]
    assert (later["resolution"], later["data_time_iso"]) == ("daily", "2026-02-06T00:00:00Z")
    # The block file's fees end on 2026-02-01: four days older than the daily rows' data.
    assert "fees_btc_per_block" in {s["name"] for s in later["stale_inputs"]}


def test_status_and_economics_agree_on_a_day(
    documents: dict[tuple[str, str], dict[str, Any]],
) -> None:
    # `status --at D` and the `economics` row of D use the same close; their hashprices differ
    # only by the fee window (the last 144 blocks vs the day's blocks): well under 1 %.
    for label, day in (("daily rows after the blocks", "2026-02-05"),
                       ("daily rows before the blocks", "2020-05-01")):  # fmt: skip
        status = documents[("status", label)]
        (row,) = [r for r in documents[("economics", label)]["rows"] if r["date"] == day]
        assert row["btc_price_usd"] == status["price"]["btc_price_usd"]
        econ_hp = status["economics"]["hashprice_usd_per_phs_day"]
        assert row["hashprice_usd_per_phs_day"] == pytest.approx(econ_hp, rel=0.005)


def test_text_output_states_the_moment(reference_db_file: Path) -> None:
    res = runner.invoke(app, ["status", "--at", "2026-02-05", "--db", str(reference_db_file)])
    assert res.exit_code == 0, res.stderr
    assert "data as of       2026-02-06T00:00:00Z (daily data)" in res.stdout
    assert "stale input      fees_btc_per_block from 2026-02-01T08:40:17Z, 4.6 days" in res.stdout
    res = runner.invoke(app, ["machines", "--at", "2026-09-01", "--db", str(reference_db_file)])
    assert res.exit_code == 0 and "note" in res.stdout and "after the newest data" in res.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_a_moment_after_the_clock_is_refused(command: str, reference_db_file: Path) -> None:
    res = runner.invoke(app, _args(command, "2026-09-22", reference_db_file))
    assert res.exit_code == 1
    assert json.loads(res.stdout)["error"]["field"] == "--at"  # --json: the error document
    (line,) = res.stderr.strip().splitlines()
    assert "'2026-09-22' means 2026-09-22T23:59:59Z, which is after the clock" in line
