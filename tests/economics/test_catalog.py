"""The shipped machine catalog and user catalogs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from minerscope.economics.catalog import catalog_arrays, find_machine, machine_matches
from minerscope.errors import InputError
from minerscope.sources.catalog import (
    CATALOG_COLUMNS,
    COLUMN_ALIASES,
    config_catalog_paths,
    load_catalog,
    parse_catalog_csv,
    shipped_catalog,
)


def test_shipped_catalog_covers_every_model_with_specs(shared_data: Path) -> None:
    # ../shared/data/ASIC_SOURCES.md: 61 rows, 56 with both hash rate and power.
    with (shared_data / "asic_catalog.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["hashrate_ths"] and r["power_w"]]
    assert len(rows) == 56
    shipped = {m.model: m for m in shipped_catalog()}
    assert len(shipped) == 56
    for r in rows:
        m = shipped[r["model"]]
        assert (m.hashrate_ths, m.power_w) == (float(r["hashrate_ths"]), float(r["power_w"]))
        assert m.source == r["source"] and m.source
        assert m.efficiency_j_per_th == pytest.approx(float(r["efficiency_jth"]), abs=0.006)


def test_shipped_catalog_is_package_data() -> None:
    s21 = find_machine(shipped_catalog(), "Antminer S21")
    assert s21 is not None
    assert (s21.vendor, s21.release, s21.cooling, s21.origin) == (
        "Bitmain",
        "2023-09",
        "air",
        "shipped",
    )
    assert s21.release_date == "2023-09-01"
    arr = catalog_arrays([s21])
    assert arr.efficiency_j_per_th.tolist() == [17.5]


def test_user_catalog_adds_and_overrides(tmp_path: Path) -> None:
    f = tmp_path / "mine.csv"
    f.write_text(
        "vendor,model,hashrate_ths,power_w,efficiency_jth,source\n"
        "Acme,Rig One,100,2000,,own measurement\n"
        "Bitmain,antminer s21,190,3200,,tuned at the wall\n",
        encoding="utf-8",
    )
    cat = load_catalog([f])
    assert len(cat) == 57  # one new, one replaced
    s21 = find_machine(cat, "Antminer S21")
    assert s21 is not None and (s21.hashrate_ths, s21.origin) == (190.0, str(f))
    rig = find_machine(cat, "rig one")
    assert rig is not None and rig.efficiency_j_per_th == 20.0


def test_a_model_is_named_as_the_machines_table_prints_it() -> None:
    cat = shipped_catalog()
    # exact (any case), then without the vendor's name, then a unique part of it
    assert [m.model for m in machine_matches(cat, "antminer s21")] == ["Antminer S21"]
    assert [m.model for m in machine_matches(cat, "S21 XP Hyd")] == ["Antminer S21 XP Hyd"]
    assert [m.model for m in machine_matches(cat, "  s21   xp  hyd ")] == ["Antminer S21 XP Hyd"]
    hyd = machine_matches(cat, "XP+ Hyd")  # S21 XP+ Hyd and S19 XP+ Hyd
    assert len(hyd) == 2 and find_machine(cat, "XP+ Hyd") is None
    assert machine_matches(cat, "S99") == [] and machine_matches(cat, " ") == []
    a16 = find_machine(cat, "A16 XP")
    assert a16 is not None and a16.model == "Avalon A16 XP"


def test_efficiency_only_row_derives_power() -> None:
    (m,) = parse_catalog_csv("model,hashrate_ths,efficiency_j_per_th\nX,200,17\n", origin="x.csv")
    assert m.power_w == 3400.0
    # The old column name is still read (the project's ASIC catalog uses it) ...
    (old,) = parse_catalog_csv("model,hashrate_ths,efficiency_jth\nX,200,17\n", origin="x.csv")
    assert old.power_w == 3400.0
    # ... and errors name the column as the file writes it.
    with pytest.raises(InputError, match="efficiency_jth 19 disagrees") as info:
        parse_catalog_csv("model,hashrate_ths,power_w,efficiency_jth\nX,200,3500,19\n", origin="o")
    assert info.value.field == "efficiency_jth"
    with pytest.raises(InputError, match="old name") as info:
        parse_catalog_csv(
            "model,hashrate_ths,efficiency_jth,efficiency_j_per_th\nX,200,17,17\n", origin="o"
        )
    assert info.value.line == 1


def test_rows_of_the_shared_catalog_read_as_a_user_catalog(
    shared_data: Path, tmp_path: Path
) -> None:
    # The project's ASIC catalog writes efficiency_jth; its rows with specs load unchanged.
    lines = (shared_data / "asic_catalog.csv").read_text(encoding="utf-8").splitlines()
    s21 = [line for line in lines if ",Antminer S21," in line]
    user = tmp_path / "from_shared.csv"
    user.write_text("\n".join([lines[0], *s21]) + "\n", encoding="utf-8")
    machines = {m.model: m for m in load_catalog([user])}
    assert machines["Antminer S21"].efficiency_j_per_th == 17.5
    assert machines["Antminer S21"].origin == str(user)


@pytest.mark.parametrize(
    ("text", "line", "field", "reason"),
    [
        ("model,hashrate_ths,power_w,colour\nX,1,2,red\n", 1, "colour", "unknown column"),
        ("model,power_w\nX,2\n", 1, "hashrate_ths", "missing column"),
        ("model,hashrate_ths,power_w\nX,abc,2\n", 2, "hashrate_ths", "not a number"),
        ("model,hashrate_ths,power_w\nX,-5,2\n", 2, "hashrate_ths", "positive"),
        ("model,hashrate_ths,power_w\n,5,2\n", 2, "model", "empty"),
        ("model,hashrate_ths,power_w\nX,5,\n", 2, "power_w", "needs power_w"),
        (
            "model,hashrate_ths,power_w,efficiency_j_per_th\nX,200,3500,19\n",
            2,
            "efficiency_j_per_th",
            "1 %",
        ),
        ("model,hashrate_ths,power_w,release\nX,200,3500,Sept 23\n", 2, "release", "YYYY"),
    ],
)
def test_bad_catalog_rows(text: str, line: int, field: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason) as info:
        parse_catalog_csv(text, origin="user.csv")
    assert (info.value.path, info.value.line, info.value.field) == ("user.csv", line, field)


def test_columns_match_the_shared_catalog_header(shared_data: Path) -> None:
    # Ours names the unit like every other key; the shared file's old name maps onto it.
    assert CATALOG_COLUMNS == (
        "vendor", "model", "variant", "release", "hashrate_ths", "power_w",
        "efficiency_j_per_th", "cooling", "source",
    )  # fmt: skip
    with (shared_data / "asic_catalog.csv").open(encoding="utf-8") as f:
        shared = next(csv.reader(f))
    assert [
        COLUMN_ALIASES.get(c, c) for c in shared if c in CATALOG_COLUMNS or c in COLUMN_ALIASES
    ] == list(CATALOG_COLUMNS)


def test_config_file_names_catalogs(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    assert config_catalog_paths(cfg) == []  # missing file: nothing
    cfg.write_text('[sync]\nsource = "rpc"\n[machines]\ncatalogs = ["mine.csv"]\n')
    assert config_catalog_paths(cfg) == [tmp_path / "mine.csv"]
    cfg.write_text("[machines]\ncatalog = 'x.csv'\n")
    with pytest.raises(InputError, match="unknown key") as info:
        config_catalog_paths(cfg)
    assert info.value.field == "machines.catalog"


def test_catalog_file_problems(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing.csv: cannot read file: no such file") as info:
        load_catalog([tmp_path / "missing.csv"])
    assert info.value.path == str(tmp_path / "missing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="empty catalog file"):
        load_catalog([empty])
    with pytest.raises(InputError, match="needs a power_w or an efficiency_j_per_th column"):
        parse_catalog_csv("model,hashrate_ths\nX,1\n", origin="x.csv")
    assert find_machine(shipped_catalog(), "no such miner") is None


def test_config_file_problems(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("[machines\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read config file"):
        config_catalog_paths(cfg)
    cfg.write_text("machines = 3\n", encoding="utf-8")
    with pytest.raises(InputError, match="must be a table"):
        config_catalog_paths(cfg)
    cfg.write_text("[machines]\ncatalogs = 'one.csv'\n", encoding="utf-8")
    with pytest.raises(InputError, match="list of file paths") as info:
        config_catalog_paths(cfg)
    assert info.value.field == "machines.catalogs"


def test_user_config_adds_catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from minerscope.report.econ_inputs import load_machine_catalog

    (tmp_path / "mine.csv").write_text("model,hashrate_ths,power_w\nRig,100,2000\n")
    cfg = tmp_path / "config.toml"
    cfg.write_text('[machines]\ncatalogs = ["mine.csv"]\n', encoding="utf-8")
    monkeypatch.setenv("MINERSCOPE_CONFIG", str(cfg))  # the same file `sync` reads
    cat = load_machine_catalog()
    assert find_machine(cat, "rig") is not None and len(cat) == 57


def test_empty_hashrate_cell() -> None:
    with pytest.raises(InputError, match="hashrate_ths is empty") as info:
        parse_catalog_csv("model,hashrate_ths,power_w\nX,,3500\n", origin="u.csv")
    assert (info.value.line, info.value.field) == (2, "hashrate_ths")
