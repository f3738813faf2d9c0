"""``status`` carries the network and economics sections, each figure with its unit and interval."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minerscope.cli import app

runner = CliRunner()


def test_status_sections_at_the_touchstone(reference_db_copy: Path) -> None:
    result = runner.invoke(
        app, ["status", "--at", "2026-02-01T08:40:17Z", "--json", "--db", str(reference_db_copy)]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    net = data["network"]
    hr = net["hashrate"]
    assert hr["hashrate_lower_ehs"] < hr["hashrate_ehs"] < hr["hashrate_upper_ehs"]
    assert hr["window"] == "1008 blocks"
    # Core's figure over a fixed block count is the MLE: higher than the unbiased one by
    # N/(N-1) = 1008/1007 (RESEARCH.md 1.2).
    assert hr["core_getnetworkhashps_ehs"] / hr["hashrate_ehs"] == pytest.approx(1008 / 1007)
    adj = net["next_adjustment"]
    ch = [adj["change_pct"][k] for k in ("p5", "p25", "p50", "p75", "p95")]
    assert ch == sorted(ch)
    # Next difficulty = 141.668 T x (1 + change): the two are the same distribution.
    assert adj["next_difficulty_t"]["p50"] == pytest.approx(
        141.66810741755825 * (1 + adj["change_pct"]["p50"] / 100), rel=1e-9
    )
    assert adj["retarget_height"] == 935_424 and adj["exact"] is False
    eta = adj["retarget_eta"]
    assert eta["p10"]["time_s"] < eta["p50"]["time_s"] < eta["p90"]["time_s"]
    # 848 blocks remain: at 600-710 s each the retarget is 5.9 to 7.0 days away.
    assert 5.5 * 86_400 < eta["p50"]["time_s"] - 1769935217 < 7.5 * 86_400
    assert data["halving"]["height"] == 1_050_000
    assert set(data["halving"]["eta"]) == {"p10", "p50", "p90"}
    # the mempool-style estimate is the difficulty document's, with the same keys
    assert net["mempool_style"]["change_pct"] == pytest.approx(-15.048, abs=1e-3)
    econ = data["economics"]
    # Hashvalue in sat/(PH/s)/day times the price gives the hashprice in USD/(PH/s)/day.
    assert econ["hashprice_usd_per_phs_day"] == pytest.approx(
        econ["hashvalue_sat_per_phs_day"] / 1e8 * econ["inputs"]["btc_price_usd"], rel=1e-9
    )
    assert 30 < econ["hashprice_usd_per_phs_day"] < 40
    cost = econ["production_cost"]
    assert cost["cost_range_low_usd_per_btc"] < cost["cost_range_high_usd_per_btc"]
    assert 0 <= econ["sustainability"]["sustainability_score"] <= 100
    assert 0.3 < econ["puell"]["puell_multiple"] < 1.5
    human = runner.invoke(
        app, ["status", "--at", "2026-02-01T08:40:17Z", "--db", str(reference_db_copy)]
    ).stdout
    assert "EH/s (95%" in human and "next adjustment  p50" in human
    assert "per PH/s per day" in human and "sustainability (ours)" in human
