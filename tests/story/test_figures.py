"""The touchstone report's figures are the documents' values (the same ones the commands
print), its narrative quotes them (parsed back), and the article's figures sit beside ours."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from minerscope.cli import app
from minerscope.report.story import TOUCHSTONE, Story, story_report
from minerscope.report.story_results import StoryReport

pytestmark = pytest.mark.shared
runner = CliRunner()


def cli_json(args: list[str], db: Path) -> Any:
    res = runner.invoke(app, [*args, "--at", TOUCHSTONE, "--db", str(db), "--json"])
    assert res.exit_code == 0, res.stderr
    return json.loads(res.stdout)


def test_figures_are_the_commands_documents(touchstone: Story, pools_db_file: Path) -> None:
    r = touchstone.report
    status = cli_json(["status"], pools_db_file)
    hr = cli_json(["hashrate", "--series-days", "365"], pools_db_file)
    diff = cli_json(["difficulty"], pools_db_file)
    mach = cli_json(["machines", "--power-price-usd-per-kwh", "0.08"], pools_db_file)
    # The hash rate is status's (the 1008-block window), not another window's.
    assert r.hashrate.window == "1008 blocks"
    assert r.hashrate.hashrate_ehs == status["network"]["hashrate"]["hashrate_ehs"]
    assert r.hashrate.hashrate_lower_ehs == status["network"]["hashrate"]["hashrate_lower_ehs"]
    last = hr["daily_series"][-1]
    assert r.hashrate.hashrate_ma30_ehs == last["hashrate_ma30_ehs"]
    assert r.hashrate.ma30_date == last["date"] == "2026-01-31"
    assert (
        r.hashrate.change_from_peak_corrected_pct
        == (hr["drawdown"]["change_from_peak_corrected_pct"])
    )
    assert r.hashrate.peak_date == hr["drawdown"]["peak_date"]
    # The epoch's mean block time: the difficulty document's and the hashrate one's agree.
    assert r.block_times is not None
    assert r.block_times.mean_interval_s == pytest.approx(diff["epoch"]["mean_block_time_s"])
    d = r.difficulty
    assert d is not None
    assert d.difficulty_t == diff["difficulty_t"]
    for p in (5, 25, 50, 75, 95):
        assert d.change_pct.get(p) == diff["next_adjustment"]["change_pct"][f"p{p}"]
        assert d.next_difficulty_t.get(p) == diff["next_adjustment"]["next_difficulty_t"][f"p{p}"]
    assert d.retarget_eta.get(50).time_iso == "2026-02-08T08:31:45Z"  # type: ignore[union-attr]
    m = r.machines
    assert m is not None
    by_model = {x["model"]: x for x in mach["machines"]}
    for x in m.named:
        assert x.breakeven_btc_price_usd == by_model[x.model]["breakeven_btc_price_usd"]
    assert m.profitable_models == sum(1 for x in mach["machines"] if x["profitable"])


def test_economics_and_study_are_their_documents(touchstone: Story, pools_db_file: Path) -> None:
    r = touchstone.report
    econ = cli_json(["economics", "--from", "2025-02-01"], pools_db_file)
    row = econ["rows"][-1]
    e = r.economics
    assert e is not None
    assert (e.date, e.btc_price_usd) == (row["date"], row["btc_price_usd"])
    assert e.cost_all_in_best_usd_per_btc == row["cost_all_in_best_usd_per_btc"]
    assert e.revenue_usd_30d_mean == row["revenue_usd_30d_mean"]
    peak = max(econ["rows"], key=lambda x: x["revenue_usd_30d_mean"] or 0)
    assert (e.revenue_peak_date, e.revenue_peak_usd_30d_mean) == (
        peak["date"],
        peak["revenue_usd_30d_mean"],
    )
    # No look-ahead: the last signal day's 180-day return ends by the moment.
    # 2026-02-01 - 181 days = 2025-08-04 (Aug 4 -> Feb 1: 27+30+31+30+31+31+1 = 181).
    c = r.contraction
    assert c is not None and c.last_date == "2025-08-04"
    res = runner.invoke(app, ["study", "contraction", "--to", "2025-08-04", "--no-sensitivity",
                              "--db", str(pools_db_file), "--json"])  # fmt: skip
    study = json.loads(res.stdout)["stats"]["signal"]
    assert (c.signal_days, c.episodes) == (study["days"], study["episodes"])
    assert c.hit_rate_share == study["hit_rate_share"]
    assert c.mean_return_pct == study["mean_return_pct"]


def test_the_touchstone_reads_like_the_article(touchstone: Story) -> None:
    """The article (DESIGN.md): ~970 EH/s, 11.6 min blocks, next adjustment about -14%, S19 XP+
    and M60S unprofitable at $0.08/kWh, 77% of the time with an average gain of 72%."""
    r = touchstone.report
    h = r.hashrate
    assert h.hashrate_ma30_lower_ehs is not None and h.hashrate_ma30_upper_ehs is not None
    assert h.hashrate_ma30_lower_ehs < 970 < h.hashrate_ma30_upper_ehs
    assert r.block_times is not None
    assert 11.0 < r.block_times.mean_interval_s / 60 < 12.5
    d = r.difficulty
    assert d is not None
    assert round(d.difficulty_t, 2) == 141.67
    assert -14 > (d.change_pct.p50 or 0) > -17  # ours is a little steeper than the article's
    assert r.machines is not None
    verdicts = {x.model: x.profitable for x in r.machines.named}
    assert verdicts["Antminer S19 XP+ Hyd"] is False and verdicts["WhatsMiner M60S"] is False
    assert verdicts["Antminer S21 Hyd"] is True
    c = r.contraction
    assert c is not None and c.hit_rate_share is not None and c.mean_return_pct is not None
    assert round(c.hit_rate_share * 100) == 77
    assert abs(c.mean_return_pct - 72) < 1
    assert (c.hit_rate_p_value or 0) > 0.05  # and the study cannot tell it from chance
    assert [a.figure for a in r.article][:3] == [
        "BTC price",
        "cost to produce 1 BTC",
        "network hash rate",
    ]
    assert r.pools is not None and r.pools.top[0].pool_name == "Foundry USA"
    assert r.charts[0] == "hashrate" and "pools" in r.charts and r.notes == ()


NUM = r"([-+]?[\d,]+\.?\d*)"


def _f(text: str) -> float:
    return float(text.replace(",", ""))


def _sentence(r: StoryReport, start: str) -> str:
    found = [s for s in r.narrative if s.startswith(start)]
    assert len(found) == 1, (start, r.narrative)
    return found[0]


def test_the_narrative_quotes_the_figures(touchstone: Story) -> None:
    r = touchstone.report
    h = r.hashrate
    s = _sentence(r, "Hash rate is")
    m = re.match(
        rf"Hash rate is {NUM} EH/s \(95% {NUM} \.\. {NUM} EH/s\) over the last"
        rf" 1008 blocks; the 30-day mean is {NUM} EH/s \(95% {NUM} \.\. {NUM}",
        s,
    )
    assert m, s
    got = [_f(g) for g in m.groups()]
    want = [h.hashrate_ehs, h.hashrate_lower_ehs, h.hashrate_upper_ehs, h.hashrate_ma30_ehs,
            h.hashrate_ma30_lower_ehs, h.hashrate_ma30_upper_ehs]  # fmt: skip
    assert got == pytest.approx(want, abs=0.05)
    s = _sentence(r, "The 7-day mean is")
    m = re.search(rf"is down {NUM}% \(95% {NUM}% \.\. {NUM}%\) from its 90-day peak of {NUM}"
                  r" EH/s on (\d{4}-\d\d-\d\d)", s)  # fmt: skip
    assert m, s
    assert -_f(m[1]) == pytest.approx(h.change_from_peak_corrected_pct, abs=0.05)
    assert (_f(m[2]), _f(m[3])) == pytest.approx(
        (h.change_from_peak_lower_pct, h.change_from_peak_upper_pct), abs=0.05
    )
    assert m[5] == h.peak_date
    bt = r.block_times
    assert bt is not None
    s = _sentence(r, "Blocks came every")
    m = re.match(rf"Blocks came every {NUM} min on average over the epoch so far \(95% {NUM}"
                 rf" \.\. {NUM} min; target 10 min\)\.", s)  # fmt: skip
    assert m, s
    # 706.885 s / 60 = 11.78 min over the epoch's 1167 intervals (status: "706.9 s (11.78 min)").
    assert [_f(g) for g in m.groups()] == pytest.approx(
        [bt.mean_interval_s / 60, bt.mean_interval_lower_s / 60, bt.mean_interval_upper_s / 60],
        abs=0.005,
    )
    assert _f(m[1]) == 11.78
    d = r.difficulty
    assert d is not None
    s = _sentence(r, "Difficulty is")
    m = re.search(rf"projected at p50 {NUM}% to {NUM} T \(90% {NUM}% \.\. {NUM}%", s)
    assert m, s
    assert [_f(g) for g in m.groups()] == pytest.approx(
        [d.change_pct.p50, d.next_difficulty_t.p50, d.change_pct.p5, d.change_pct.p95], abs=0.005
    )
    assert "ETA 2026-02-08T08:31:45Z (p10 2026-02-07T22:23:53Z" in s
    c = r.contraction
    assert c is not None
    s = _sentence(r, "Negative 90-day")
    m = re.search(rf"on {NUM}% of {NUM} signal days \(95% {NUM}% \.\. {NUM}%", s)
    assert m, s
    assert [_f(g) for g in m.groups()] == pytest.approx(
        [100 * (c.hit_rate_share or 0), c.signal_days, 100 * (c.hit_rate_lower_share or 0),
         100 * (c.hit_rate_upper_share or 0)], abs=0.05)  # fmt: skip
    s = _sentence(r, "Those days form only")
    assert f"{c.episodes} episodes" in s and "cannot tell the signal from chance" in s
    s = _sentence(r, "At $0.080/kWh")
    assert "Antminer S19 XP+ Hyd, WhatsMiner M60S lose money" in s
    m = re.search(rf"breaks even between \${NUM} and \${NUM} per BTC", s)
    assert m and r.machines is not None
    mm = r.machines
    assert (_f(m[1]), _f(m[2])) == pytest.approx(
        (mm.s21_breakeven_lower_btc_price_usd, mm.s21_breakeven_upper_btc_price_usd), abs=0.5
    )


def test_a_report_from_other_documents_says_other_numbers(touchstone: Story) -> None:
    """The narrative follows the documents: a hash rate taken from another window shows."""
    docs = dict(touchstone.documents)
    hr = dict(docs["hashrate"])
    hr["windows"] = [w for w in hr["windows"] if w["window"] != "1008 blocks"]
    docs["hashrate"] = hr
    r = story_report(docs)
    assert r.hashrate.window == "144 blocks"
    assert r.hashrate.hashrate_ehs != touchstone.report.hashrate.hashrate_ehs
    assert "over the last 144 blocks" in r.narrative[0]
    assert (r.difficulty, r.economics) != (None, None)
    lean = story_report({"hashrate": touchstone.documents["hashrate"]}, notes=["pools: none"])
    assert (lean.difficulty, lean.machines, lean.contraction, lean.pools) == (None,) * 4
    assert len(lean.narrative) == 3 and lean.notes == ("pools: none",)


EXAMPLES = Path(__file__).resolve().parent.parent.parent / "examples"


def test_a_fleet_adds_the_curtailment_story(reference_db_file: Path) -> None:
    """``--fleet`` with hourly prices: the curtail command's threshold totals over the 7 days
    before the moment (the January 2026 winter storm: ERCOT West peaked above $1,000/MWh)."""
    fleet = str(EXAMPLES / "fleet_hourly.toml")
    doc = cli_json(["report", "--fleet", fleet, "--series-days", "30"], reference_db_file)
    args = ["curtail", fleet, "--from", "2026-01-25", "--to", TOUCHSTONE, "--threshold-only"]
    res = runner.invoke(app, [*args, "--db", str(reference_db_file), "--json"])
    assert res.exit_code == 0, res.stderr
    cur = json.loads(res.stdout)
    total = cur["rules"][0]["total"]
    c = doc["curtail"]
    assert (c["from_iso"], c["fleet"]) == ("2026-01-25T00:00:00Z", "west-texas-rtm")
    assert c["hours_off"] == total["hours_off"] > 0
    assert c["net_benefit_vs_always_on_usd"] == total["net_benefit_vs_always_on_usd"]
    assert c["sites"][0]["max_usd_per_mwh"] == cur["window"]["sites"]["west"]["max_usd_per_mwh"]
    assert c["sites"][0]["max_usd_per_mwh"] > 1000
    per_group = [d for d in cur["days"] if d["group"] is not None]
    top = max(per_group, key=lambda d: d["hours_off"])
    assert (c["most_curtailed_date"], c["most_curtailed_group"]) == (top["date"], top["group"])
    assert c["most_curtailed_hours_off"] <= 24  # one group, one day
    s = doc["narrative"][-1]
    m = re.search(rf"switched groups off for {NUM} group-hours, avoiding {NUM} MWh", s)
    assert m and (_f(m[1]), _f(m[2])) == pytest.approx((c["hours_off"], c["mwh_avoided"]), abs=0.05)
    assert "net $" + f"{c['net_benefit_vs_always_on_usd']:,.0f} against always-on" in s


def test_early_history_keeps_its_digits(reference_db_file: Path) -> None:
    """2013: 0.000129 EH/s and a difficulty of 1.22e-05 T are not rounded to 0 (nor the S21's
    breakeven price); the contraction study (from 2014) is left out with its reason."""
    from minerscope.report.story import StoryInputs, story_view

    only = ("difficulty", "machines", "contraction")
    inputs = StoryInputs(series_days=30)
    story = story_view(
        reference_db_file, "2013-06-01", now_s=1_800_000_000, inputs=inputs, only=only
    )
    r = story.report
    text = " ".join(r.narrative)
    assert " 0.0 EH/s" not in text and " 0.00 T" not in text and "$0.00 " not in text
    m = re.match(rf"Hash rate is {NUM} EH/s", r.narrative[0])
    assert m and _f(m[1]) == pytest.approx(r.hashrate.hashrate_ehs, rel=5e-3)
    assert r.contraction is None and r.machines is not None
    assert [n.split(":")[0] for n in r.notes] == ["contraction"]
    assert r.hashrate.hashrate_ehs < 0.001  # [EH/s]: about 130 PH/s in June 2013


def test_the_headline_table_names_units_and_intervals(touchstone: Story) -> None:
    from minerscope.report.story_text import headline

    r = touchstone.report
    rows = {label: (value, interval) for label, value, interval in headline(r)}
    assert all("[" in label and label.endswith("]") for label in rows)
    value, interval = rows["hash rate, 1008 blocks [EH/s]"]
    assert _f(value) == pytest.approx(r.hashrate.hashrate_ehs, abs=0.05)
    m = re.match(rf"95% {NUM} \.\. {NUM}$", interval)
    assert m and _f(m[2]) == pytest.approx(r.hashrate.hashrate_upper_ehs, abs=0.05)
    d = r.difficulty
    assert d is not None
    value, interval = rows["next adjustment, block 935,424 [%]"]
    assert _f(value.rstrip("%")) == pytest.approx(d.change_pct.p50, abs=0.05)
    m = re.match(rf"50% {NUM}% \.\. {NUM}%; 90% {NUM}% \.\. {NUM}%$", interval)
    assert m, interval
    assert [_f(g) for g in m.groups()] == pytest.approx(
        [d.change_pct.p25, d.change_pct.p75, d.change_pct.p5, d.change_pct.p95], abs=0.05
    )
    assert rows["retarget ETA [UTC]"][0] == "2026-02-08T08:31:45Z"
    assert rows["models profitable at $0.080/kWh [models]"][0] == "27 of 56"
