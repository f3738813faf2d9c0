"""The decision commands end to end on the reference database: roi (with --compare and
sweeps, in process and on a Dask LocalCluster), curtail, and their bad-input errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minerscope.cli import app
from minerscope.results import to_jsonable
from tests.conftest import CLOCK_S

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RTM = "power/ercot_rtm_hourly_hubs_loadzones_2024-01-01_2026-03-17.csv"
BUY = ["--model", "Antminer S21 XP Hyd", "--count", "500", "--unit-price-usd", "6500",
       "--power-price-usd-per-kwh", "0.045"]  # fmt: skip


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.shared
def test_roi_buy_new_machines(reference_db_file: Path) -> None:
    code, out, err = run(
        "roi", *BUY, "--paths", "600", "--horizon-days", "365", "--at", "2026-02-01T08:40:17Z",
        "--db", str(reference_db_file), "--json",
    )  # fmt: skip
    assert code == 0, err
    d = json.loads(out)
    assert d["as_of"]["tip_height"] == 934_575
    assert "bootstrap" in d["methods"]["difficulty"] and "joint" in d["methods"]["difficulty"]
    assert "predictive distribution" in d["methods"]["current_epoch"]
    assert "switch off" in d["methods"]["switch_off"]
    era = d["methods"]["era"]
    assert era["last_epoch"] == 462 and era["first_epoch"] == 359  # the last 104 epochs
    total = d["fleets"][0]["total"]
    assert total["capex_usd"] == 500 * 6500
    q = total["cash_profit_usd"]
    assert q["p5"] < q["p25"] < q["p50"] < q["p75"] < q["p95"]
    assert 0 <= total["payback_within_horizon_share"] <= 1
    assert len(d["bands"]) == 365 and d["bands"][0]["date"] == "2026-02-02"
    b = d["bands"][-1]
    assert (
        b["cum_cash_profit_usd"]["p5"]
        <= b["cum_cash_profit_usd"]["p50"]
        <= b["cum_cash_profit_usd"]["p95"]
    )
    # the same seed gives the same numbers; another seed others
    code2, out2, _ = run(
        "roi", *BUY, "--paths", "600", "--horizon-days", "365", "--at", "2026-02-01T08:40:17Z",
        "--db", str(reference_db_file), "--json",
    )  # fmt: skip
    assert json.loads(out2)["fleets"] == d["fleets"]


@pytest.mark.shared
def test_roi_compare_keep_old_against_buy_new(reference_db_file: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.toml"
    old = tmp_path / "old.toml"
    base = '[sites.w]\npower_price_usd_per_kwh = 0.05\n\n[[groups]]\nname = "{n}"\nmodel = "{m}"\ncount = {c}\ncapex_usd_per_machine = {p}\n'  # noqa: E501
    new.write_text(base.format(n="new", m="Antminer S21 XP Hyd", c=100, p=6500))
    old.write_text(base.format(n="old", m="Antminer S19j Pro", c=470, p=0))
    code, out, err = run(
        "roi", str(new), "--compare", str(old), "--paths", "400", "--horizon-days", "730",
        "--difficulty-method", "fitted", "--price-method", "gbm", "--fees-method", "fixed",
        "--at", "2026-02-01T08:40:17Z", "--db", str(reference_db_file), "--json",
    )  # fmt: skip
    assert code == 0, err
    d = json.loads(out)
    c = d["comparison"]
    assert c["a"] == "new" and c["b"] == "old" and 0 <= c["a_beats_b_share"] <= 1
    assert d["methods"]["difficulty"].startswith("fitted")
    assert d["fleets"][1]["total"]["payback_days"]["p50"] == 0  # no capex
    code, out, _ = run(
        "roi", str(new), "--compare", str(old), "--paths", "200", "--horizon-days", "200",
        "--at", "2026-02-01T08:40:17Z", "--db", str(reference_db_file),
    )  # fmt: skip
    assert code == 0 and "P(new beats old)" in out + _


@pytest.mark.shared
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--paths", "0"], "'--paths': must be 1.."),
        (["--horizon-days", "0"], "'--horizon-days': must be 1.."),
        (["--price-method", "magic"], "unknown method 'magic'"),
        (["--unit-price-usd", "-5"], "'--unit-price-usd': must be >= 0"),
        (["--grid", "unit_price_usd=5000:5000:1000"], "no steps"),
        (["--grid", "unit_price_usd=5000:4000:1000"], "no steps"),
        (["--grid", "colour=1:2:1"], "unknown grid key"),
    ],
)
def test_roi_bad_input_is_one_line(reference_db_file: Path, args: list[str], needle: str) -> None:
    base = ["roi", *BUY, "--paths", "50", "--horizon-days", "30"]
    code, _, err = run(*base, *args, "--db", str(reference_db_file))
    assert code == 1
    assert needle in err and len(err.strip().splitlines()) == 1


@pytest.mark.shared
def test_sweep_on_a_local_dask_cluster_matches_in_process(reference_db_file: Path) -> None:
    from dask.distributed import Client, LocalCluster

    from minerscope.report.decisions import FleetInput, RoiOptions
    from minerscope.report.sweep import sweep_view

    opts = RoiOptions(paths=300, horizon_days=180)
    items = [FleetInput(model="Antminer S21", count=100, unit_price_usd=2800)]
    kw = {
        "grid": ["unit_price_usd=2000,2800,3600"],
        "scheduler": None,
        "workers": None,
        "now_s": CLOCK_S,
    }
    local = sweep_view(reference_db_file, "2026-02-01T08:40:17Z", items, opts, **kw)  # type: ignore[arg-type]
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        remote = sweep_view(
            reference_db_file,
            "2026-02-01T08:40:17Z",
            items,
            opts,
            client=client,
            **kw,  # type: ignore[arg-type]
        )
    a, b = to_jsonable(local), to_jsonable(remote)
    assert a.pop("executor") == "in process" and b.pop("executor").startswith("on Dask (2")
    assert a == b
    npv = [it["total"]["npv_usd"]["p50"] for it in a["items"]]
    assert npv[0] > npv[1] > npv[2]  # the same paths: only the price differs, by $80,000
    assert npv[0] - npv[1] == pytest.approx(80_000, rel=1e-9)


def test_missing_dask_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from minerscope.report.sweep import MissingExtraError, dask_client

    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'minerscope\[dask\]'"):
        dask_client(None, 2)


# --- curtail -----------------------------------------------------------------------------------


@pytest.mark.shared
def test_curtail_the_january_2026_storm(reference_db_file: Path) -> None:
    code, out, err = run(
        "curtail", str(EXAMPLES / "fleet_hourly.toml"), "--from", "2026-01-24", "--to",
        "2026-01-27", "--db", str(reference_db_file), "--json",
    )  # fmt: skip
    assert code == 0, err
    d = json.loads(out)
    assert d["window"]["steps"] == 96 and d["window"]["sites"]["west"]["node"] == "HB_WEST"
    assert d["hashprice"]["steps_from_blocks"] == 96  # blocks cover the storm
    thr, opt = d["rules"]
    assert thr["rule"] == "threshold" and opt["rule"] == "optimal"
    assert thr["total"]["net_benefit_vs_always_on_usd"] > 0
    assert opt["net_benefit_vs_threshold_usd"] >= -1e-6  # no constraints: the same
    days = [r for r in d["days"] if r["rule"] == "threshold" and r["group"] is None]
    assert [r["date"] for r in days] == ["2026-01-24", "2026-01-25", "2026-01-26", "2026-01-27"]
    assert sum(r["hours_off"] for r in days) == thr["total"]["hours_off"]
    code, out, _ = run(
        "curtail", str(EXAMPLES / "fleet_hourly.toml"), "--from", "2026-01-24", "--to",
        "2026-01-24", "--db", str(reference_db_file), "--csv", "--threshold-only",
    )  # fmt: skip
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].startswith("date,rule,site,group,hours_off")
    assert len(lines) == 1 + 3  # two groups and the site total, one day, one rule


@pytest.mark.shared
@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--from", "2024-11-02", "--to", "2024-11-03"], "1 interval(s) of 60 min are missing"),
        (["--from", "2024-11-03", "--to", "2024-11-02"], "must be after --from"),
        (["--from", "2024-11-02", "--to", "2024-11-03", "--fill-gaps", "guess"], "unknown fill"),
        (["--from", "2026-01-24", "--to", "2026-01-25", "--4cp-rule", "x"], "unknown 4CP rule"),
    ],
)
def test_curtail_bad_input(
    reference_db_file: Path, shared_data: Path, extra: list[str], needle: str
) -> None:
    code, _, err = run(
        "curtail", str(EXAMPLES / "fleet_hourly.toml"), *extra, "--prices",
        str(shared_data / RTM), "--node", "HB_WEST", "--db", str(reference_db_file),
    )  # fmt: skip
    assert code == 1, err
    assert needle in err and len(err.strip().splitlines()) == 1


@pytest.mark.shared
def test_curtail_fills_a_gap_when_told_how(reference_db_file: Path, shared_data: Path) -> None:
    code, out, err = run(
        "curtail", str(EXAMPLES / "fleet_hourly.toml"), "--from", "2024-11-02", "--to",
        "2024-11-03", "--prices", str(shared_data / RTM), "--node", "HB_WEST", "--fill-gaps",
        "previous", "--threshold-only", "--db", str(reference_db_file), "--json",
    )  # fmt: skip
    assert code == 0, err
    site = json.loads(out)["window"]["sites"]["west"]
    assert site["filled_steps"] == 1 and site["fill_rule"] == "previous"
    assert json.loads(out)["hashprice"]["steps_from_daily_rows"] == 48  # no blocks in 2024


@pytest.mark.shared
def test_curtail_4cp_charge_is_a_quarter_of_the_annual_rate(
    reference_db_file: Path, shared_data: Path
) -> None:
    # examples/fleet_hourly.toml: 500 S21 (3,500 W) + 300 S19j Pro (3,050 W) at PUE 1.05 =
    # 2,798.25 kW. The rule picks July's priciest 15 minutes in the window; at $50/kW-year
    # that interval costs 2,798.25 * 50 / 4 = $34,978.13 when running
    code, out, err = run(
        "curtail", str(EXAMPLES / "fleet_hourly.toml"), "--from", "2022-07-01T05:00:00Z",
        "--to", "2022-07-03T05:00:00Z", "--prices",
        str(shared_data / "power/ercot_rtm_15min_hb_hubavg_2022-06-01_2022-09-30.csv"),
        "--4cp-rule", "monthly-peak-price", "--transmission-usd-per-kw-year", "50",
        "--db", str(reference_db_file), "--json",
    )  # fmt: skip
    assert code == 0, err
    d = json.loads(out)
    assert d["window"]["step_minutes"] == 15 and d["window"]["cp"]["steps"] == 1
    assert d["always_on"]["cp_charge_usd"] == pytest.approx(34_978.125, rel=1e-9)
    opt = d["rules"][1]["total"]
    assert opt["cp_charge_avoided_usd"] == pytest.approx(34_978.125, rel=1e-9)  # it rests
