"""The study, signals, difficulty --history, hashrate --smoothing-days and import mvrv commands."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minerscope.cli import app
from minerscope.signals import CompositeStudy, ContractionStudy, RibbonsStudy, SignalsReport

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_study_contraction_json(reference_db_file: Path) -> None:
    code, out, err = run("study", "contraction", "--no-sensitivity", "--resamples", "300",
                         "--json", "--db", str(reference_db_file))  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["lookback_days"] == 90 and data["smoothing_days"] == 30
    assert data["from_date"] == "2014-01-01" and data["btc_price_source"] == "coinmetrics"
    assert data["stats"]["signal"]["days"] == 347
    assert data["as_of"]["resolution"] == "daily"
    assert data["as_of"]["data_time_iso"] == "2026-05-24T00:00:00Z"
    assert data["sensitivity"] is None


def test_study_texts(reference_db_file: Path) -> None:
    code, out, err = run("study", "contraction", "--lookback-days", "30", "--horizon-days",
                         "90", "--no-sensitivity", "--resamples", "200", "--db",
                         str(reference_db_file))  # fmt: skip
    assert code == 0, err
    assert "contraction (g < 0)" in out and "published figure" in out  # VanEck's 30/90 claim
    code, out, err = run("study", "ribbons", "--resamples", "200", "--db", str(reference_db_file))
    assert code == 0, err
    assert "2024-07-23" in out and "buy days" in out
    code, out, err = run("study", "composite", "--resamples", "200", "--db",
                         str(reference_db_file))  # fmt: skip
    assert code == 0, err
    assert "score >= 60" in out and "not CryptoQuant" in err


def test_signals_at_the_touchstone(reference_db_file: Path) -> None:
    code, out, err = run("signals", "--at", "2026-02-01", "--json", "--db",
                         str(reference_db_file))  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["date"] == "2026-02-01" and data["as_of"]["text"] == "2026-02-01"
    states = {s["name"]: s for s in data["signals"]}
    assert states["hashrate_contraction"]["state"] == "contracting"
    assert states["hash_ribbons"]["state"] == "capitulation"
    assert states["hash_ribbons"]["since_date"] == "2026-01-06"
    assert states["hash_ribbons"]["beyond_noise"] is True
    drawdown = states["hashrate_capitulation"]["values"]["drawdown_pct"]
    assert drawdown == pytest.approx(-12.7, abs=0.1)
    assert states["mvrv"]["values"]["mvrv_ratio"] == pytest.approx(1.378, abs=0.001)
    assert data["composite"]["band"] == "low" and len(data["composite"]["components"]) == 7
    assert data["history_from_date"] == "2025-02-02" and data["history_to_date"] == "2026-02-01"
    code, out, err = run("signals", "--at", "2026-02-01", "--db", str(reference_db_file))
    assert code == 0 and "composite score" in out and "capitulation" in out


def test_difficulty_history_and_hashrate_smoothing(reference_db_file: Path) -> None:
    db = str(reference_db_file)
    code, out, err = run("difficulty", "--history", "--from", "2026-01-01", "--to",
                         "2026-02-28", "--csv", "--db", db)  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["epoch"] for r in rows] == ["462", "463", "464", "465"]
    assert rows[2]["date"] == "2026-02-07" and float(rows[2]["change_pct"]) == pytest.approx(
        -11.155, abs=0.001
    )
    code, out, _ = run("difficulty", "--history", "--json", "--db", db)
    assert code == 0 and len(json.loads(out)["retargets"]) == 474
    code, out, _ = run("difficulty", "--history", "--from", "2026-01-20", "--to", "2026-01-25",
                       "--db", db)  # fmt: skip
    assert code == 0 and "1701fca1" in out and "141.67 T" in out
    # "Down 12% from the peak" with the article's 30-day smoothing, from the CLI
    code, out, err = run("hashrate", "--at", "2026-02-01T08:40:17Z", "--smoothing-days", "30",
                         "--lookback-days", "120", "--json", "--db", db)  # fmt: skip
    assert code == 0, err
    dd = json.loads(out)["drawdown"]
    assert dd["smoothing_days"] == 30 and dd["peak_date"] == "2025-11-11"
    assert dd["change_from_peak_pct"] == pytest.approx(-12.06, abs=0.05)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["study", "contraction", "--horizon-days", "10000"], "longer than the data"),
        (["study", "contraction", "--lookback-days", "0"], "--lookback-days"),
        (["study", "contraction", "--smoothing-days", "-3"], "--smoothing-days"),
        (["study", "contraction", "--from", "2020-01-01", "--to", "2019-01-01"], "after"),
        (["study", "contraction", "--from", "2020-02-30"], "YYYY-MM-DD"),
        (["study", "ribbons", "--from", "2030-01-01"], "no stored day"),
        (["study", "composite", "--resamples", "5"], "--resamples"),
        (["study", "ribbons", "--horizon-days", "10000"], "longer than the data"),
        (["study", "composite", "--horizon-days", "10000"], "longer than the data"),
        (["study", "ribbons", "--horizon-days", "0"], "--horizon-days"),
        (["signals", "--from", "2026-01-01", "--to", "2025-01-01"], "after"),
        (["signals", "--at", "yesterday"], "TIME"),
        (["difficulty", "--csv"], "--history"),
        (["difficulty", "--history", "--from", "2026-02-01", "--to", "2026-01-01"], "after"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(
    reference_db_file: Path, args: list[str], needle: str
) -> None:
    code, out, err = run(*args, "--db", str(reference_db_file))
    assert code == 1, err
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and needle in err


def test_empty_database(db_path: Path) -> None:
    from minerscope import storage

    storage.connect(db_path).close()
    for args in (["study", "contraction"], ["signals"], ["difficulty", "--history"]):
        code, out, err = run(*args, "--db", str(db_path))
        assert code == 1 and out == "" and len(err.strip().splitlines()) == 1, args


def test_documents_have_a_json_schema() -> None:
    for cls, name in ((ContractionStudy, "study_contraction"), (RibbonsStudy, "study_ribbons"),
                      (CompositeStudy, "study_composite"), (SignalsReport, "signals")):  # fmt: skip
        schema = cls.json_schema()
        assert schema["$id"].endswith(f"/{name}.schema.json")
        assert "as_of" in schema["properties"]
