"""Units that cannot lie: given numbers are checked against what is stored for the moment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minerscope.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TOUCHSTONE = "2026-02-01T08:40:17Z"  # bits 1701fca1: difficulty 141,668,107,417,558
D_TOUCHSTONE = 141_668_107_417_558.0


def _machines(db: Path, *args: str) -> tuple[int, str, str]:
    res = runner.invoke(
        app, ["machines", "--db", str(db), "--at", TOUCHSTONE, "--model", "S21 XP Hyd", *args]
    )
    return res.exit_code, res.stdout, res.stderr


def test_a_raw_difficulty_for_a_t_value_is_refused_with_a_hint(reference_db_file: Path) -> None:
    code, out, err = _machines(reference_db_file, "--difficulty", "141.67", "--json")
    assert code == 1 and json.loads(out)["error"]["field"] == "--difficulty"
    (line,) = err.strip().splitlines()
    assert "field '--difficulty'" in line and "did you mean 141.67T?" in line
    assert "141.67 T" in line  # what is stored for the moment
    # --force takes it as given (the user says so); a value in T passes without it.
    code, out, _ = _machines(reference_db_file, "--difficulty", "141.67", "--force", "--json")
    assert code == 0 and json.loads(out)["inputs"]["difficulty"] == 141.67
    code, out, _ = _machines(reference_db_file, "--difficulty", "141.67T", "--json")
    assert code == 0 and json.loads(out)["inputs"]["difficulty"] == 141.67e12


def test_without_a_database_a_difficulty_of_2009_is_refused(tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        ["machines", "--db", str(tmp_path / "none.sqlite"), "--difficulty", "141.67",
         "--btc-price-usd", "70000", "--fees-btc-per-block", "0.02"],
    )  # fmt: skip
    assert res.exit_code == 1 and "did you mean 141.67T?" in res.stderr
    assert not (tmp_path / "none.sqlite").exists()  # nothing is written to answer


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--difficulty", "1e400"),
        ("--btc-price-usd", "inf"),
        ("--btc-price-usd", "1e400"),
        ("--fees-btc-per-block", "nan"),
        ("--fees-btc-per-block", "inf"),
        ("--subsidy-btc", "nan"),
        ("--difficulty-change-pct", "nan"),
    ],
)
def test_non_finite_numbers_are_refused_even_with_force(
    reference_db_file: Path, flag: str, value: str
) -> None:
    code, out, err = _machines(reference_db_file, flag, value, "--force")
    assert (code, out) == (1, "")
    assert f"field '{flag}'" in err and "not a finite number" in err
    assert len(err.strip().splitlines()) == 1


def test_price_and_fees_far_from_the_stored_ones(reference_db_file: Path) -> None:
    # The stored price at the touchstone is 2026-01-31's close, $78,702.39.
    code, _, err = _machines(reference_db_file, "--btc-price-usd", "78.7")
    assert code == 1 and "did you mean 78,700 (USD, not thousands)?" in err
    assert "$78,702.39" in err
    # 2,000,000 sat given as BTC per block: the stored mean is 0.024 BTC.
    code, _, err = _machines(reference_db_file, "--fees-btc-per-block", "2000000")
    assert code == 1 and "did you mean 0.02 BTC (2,000,000 sat)?" in err
    # A fee spike to 0.5 BTC per block is a scenario, not a slip: accepted.
    code, out, _ = _machines(reference_db_file, "--fees-btc-per-block", "0.5", "--json")
    assert code == 0 and json.loads(out)["inputs"]["fees_btc_per_block"] == 0.5
    code, _, err = _machines(reference_db_file, "--subsidy-btc", "312500000")
    assert code == 1 and "not a subsidy" in err


def test_difficulty_change_pct(reference_db_file: Path) -> None:
    # The touchstone's "-14 %": 141,668,107,417,558 * 0.86 = 121,834,572,379,099.9
    code, out, err = _machines(reference_db_file, "--difficulty-change-pct", "-14", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["inputs"]["difficulty"] == pytest.approx(121_834_572_379_099.9, rel=1e-12)
    assert data["inputs"]["difficulty_change_pct"] == -14
    assert data["inputs"]["difficulty_source"].endswith(", -14 %")
    # The S21 XP Hyd (12 J/TH) breaks even 14 % lower: W = D * 2**48/65535 scales with D.
    (xp,) = [m for m in data["machines"] if m["model"] == "Antminer S21 XP Hyd"]
    code, out, _ = _machines(reference_db_file, "--json")
    (base,) = [m for m in json.loads(out)["machines"] if m["model"] == "Antminer S21 XP Hyd"]
    assert xp["breakeven_btc_price_usd"] == pytest.approx(base["breakeven_btc_price_usd"] * 0.86)
    # Relative to a given difficulty too.
    code, out, _ = _machines(
        reference_db_file, "--difficulty", "100T", "--difficulty-change-pct", "10", "--json"
    )
    assert code == 0 and json.loads(out)["inputs"]["difficulty"] == pytest.approx(110e12)
    code, _, err = _machines(reference_db_file, "--difficulty-change-pct", "-100", "--force")
    assert code == 1 and "must be > -100" in err
    code, _, err = _machines(reference_db_file, "--difficulty-change-pct", "1400")
    assert code == 1 and "--force" in err
    code, _, _ = _machines(reference_db_file, "--difficulty-change-pct", "1400", "--force")
    assert code == 0


def test_fleet_takes_the_same_checks_and_change(reference_db_file: Path) -> None:
    args = ["fleet", str(EXAMPLES / "fleet.toml"), "--db", str(reference_db_file), "--at",
            TOUCHSTONE, "--json"]  # fmt: skip
    res = runner.invoke(app, [*args, "--difficulty-change-pct", "-14"])
    assert res.exit_code == 0, res.stderr
    low = json.loads(res.stdout)
    base = json.loads(runner.invoke(app, args).stdout)
    assert low["inputs"]["difficulty"] == pytest.approx(D_TOUCHSTONE * 0.86, rel=1e-12)
    # BTC mined is inversely proportional to difficulty: 1 / 0.86 as much.
    assert low["totals"]["btc_per_day"] == pytest.approx(base["totals"]["btc_per_day"] / 0.86)
    res = runner.invoke(app, [*args, "--difficulty", "141.67"])
    assert res.exit_code == 1 and "did you mean 141.67T?" in res.stderr
