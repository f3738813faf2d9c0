"""The machine catalog: the models shipped with minerscope plus the user's own.

The shipped file ``minerscope/data/machines.csv`` holds every model of the project's ASIC
catalog (``../shared/data/asic_catalog.csv``) that has both a hash rate and a power figure,
with the source each figure came from. Users add or override models with CSV files in the
same format (``--catalog FILE`` or ``[machines] catalogs = [...]`` in the user config file).

Columns: ``vendor, model, variant, release, hashrate_ths, power_w, efficiency_j_per_th,
cooling, source``. ``model`` and ``hashrate_ths`` are required, and one of ``power_w`` and
``efficiency_j_per_th``; an ``efficiency_j_per_th`` that disagrees with ``power_w /
hashrate_ths`` by more than 1 % is an error. The column's old name ``efficiency_jth`` (the
project's ASIC catalog uses it) is still read. A user row whose model matches an earlier one
replaces it.

This module reads files (the package's own data and the user's); look-ups and arrays are in
:mod:`minerscope.economics.catalog`, the arithmetic in :mod:`minerscope.economics.machines`.
"""

from __future__ import annotations

import csv
import io
import math
import re
import tomllib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from ..errors import InputError
from ..records import Machine
from .files import read_text_file

CATALOG_COLUMNS: tuple[str, ...] = (
    "vendor",
    "model",
    "variant",
    "release",
    "hashrate_ths",
    "power_w",
    "efficiency_j_per_th",
    "cooling",
    "source",
)
#: Old column names still read, and the name each now has.
COLUMN_ALIASES: dict[str, str] = {"efficiency_jth": "efficiency_j_per_th"}
SHIPPED_ORIGIN = "shipped"
_RELEASE_RE = re.compile(r"^\d{4}(-\d{2})?$")
_EFFICIENCY_TOLERANCE_SHARE = 0.01


def _number(text: str, *, path: str, line: int, field: str, positive: bool = True) -> float | None:
    raw = text.strip()
    if raw == "":
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise InputError(f"{raw!r} is not a number", path=path, line=line, field=field) from exc
    if not math.isfinite(value) or (positive and value <= 0):
        raise InputError(f"{raw!r} must be a positive number", path=path, line=line, field=field)
    return value


def parse_catalog_csv(text: str, *, origin: str) -> list[Machine]:
    """Parse catalog CSV text into machines, validating every row.

    Parameters
    ----------
    text : str
        CSV with a header naming (at least) ``model`` and ``hashrate_ths`` and one of
        ``power_w`` / ``efficiency_j_per_th`` (or its old name ``efficiency_jth``); unknown
        columns are an error.
    origin : str
        Where the text came from (a path, or ``"shipped"``); used in errors.

    Returns
    -------
    list of Machine

    Raises
    ------
    InputError
        Naming the file, line and field of the first bad value.
    """
    reader = csv.DictReader(io.StringIO(text))
    written = [h.strip() for h in (reader.fieldnames or [])]
    if not written:
        raise InputError("empty catalog file: expected a CSV header", path=origin, line=1)
    unknown = [h for h in written if h not in CATALOG_COLUMNS and h not in COLUMN_ALIASES]
    if unknown:
        raise InputError(
            f"unknown column {unknown[0]!r}; expected columns: {', '.join(CATALOG_COLUMNS)}",
            path=origin,
            line=1,
            field=unknown[0],
        )
    header = [COLUMN_ALIASES.get(h, h) for h in written]
    name = dict(zip(header, written, strict=True))  # a column's name as the file writes it
    for old, new in COLUMN_ALIASES.items():
        if old in written and new in written:
            raise InputError(
                f"give {new!r} only ({old!r} is its old name)", path=origin, line=1, field=old
            )
    for required in ("model", "hashrate_ths"):
        if required not in header:
            raise InputError(f"missing column {required!r}", path=origin, line=1, field=required)
    if "power_w" not in header and "efficiency_j_per_th" not in header:
        raise InputError(
            "needs a power_w or an efficiency_j_per_th column",
            path=origin,
            line=1,
            field="power_w",
        )
    reader.fieldnames = header
    eff_field = name.get("efficiency_j_per_th", "efficiency_j_per_th")
    machines: list[Machine] = []
    for i, row in enumerate(reader, start=2):
        get = {k: (row.get(k) or "").strip() for k in CATALOG_COLUMNS}
        if not get["model"]:
            raise InputError("model is empty", path=origin, line=i, field="model")
        hashrate = _number(get["hashrate_ths"], path=origin, line=i, field="hashrate_ths")
        if hashrate is None:
            raise InputError("hashrate_ths is empty", path=origin, line=i, field="hashrate_ths")
        power = _number(get["power_w"], path=origin, line=i, field="power_w")
        eff = _number(get["efficiency_j_per_th"], path=origin, line=i, field=eff_field)
        if power is None and eff is None:
            raise InputError(f"needs power_w or {eff_field}", path=origin, line=i, field="power_w")
        if power is None:
            assert eff is not None
            power = eff * hashrate
        elif eff is not None and abs(eff - power / hashrate) > _EFFICIENCY_TOLERANCE_SHARE * eff:
            raise InputError(
                f"{eff_field} {eff:g} disagrees with power_w / hashrate_ths ="
                f" {power / hashrate:.2f} J/TH (more than 1 %)",
                path=origin,
                line=i,
                field=eff_field,
            )
        if get["release"] and not _RELEASE_RE.match(get["release"]):
            raise InputError(
                f"release {get['release']!r} is not YYYY or YYYY-MM",
                path=origin,
                line=i,
                field="release",
            )
        machines.append(
            Machine(
                vendor=get["vendor"],
                model=get["model"],
                variant=get["variant"],
                release=get["release"],
                hashrate_ths=hashrate,
                power_w=power,
                cooling=get["cooling"],
                source=get["source"],
                origin=origin,
            )
        )
    return machines


def shipped_catalog() -> list[Machine]:
    """The models shipped with the package (``minerscope/data/machines.csv``)."""
    text = (
        resources.files("minerscope").joinpath("data", "machines.csv").read_text(encoding="utf-8")
    )
    return parse_catalog_csv(text, origin=SHIPPED_ORIGIN)


def read_catalog_csv(path: str | Path) -> list[Machine]:
    """Read a user catalog CSV (same columns as the shipped file)."""
    p = Path(path).expanduser()
    text = read_text_file(p)  # a regular UTF-8 file only: a FIFO or device is refused
    return parse_catalog_csv(text, origin=str(path))


def config_catalog_paths(config_path: str | Path) -> list[Path]:
    """Catalog files named in a user config file (``[machines] catalogs = [...]``).

    A missing config file names no catalogs. Relative paths are relative to the config file.
    """
    p = Path(config_path).expanduser()
    if not p.exists():  # absent: no config; anything else must be a readable file
        return []
    try:
        data = tomllib.loads(read_text_file(p))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"cannot read config file: {exc}", path=str(p)) from exc
    section = data.get("machines", {})
    if not isinstance(section, dict):
        raise InputError("[machines] must be a table", path=str(p), field="machines")
    unknown = [k for k in section if k != "catalogs"]
    if unknown:
        raise InputError(
            f"unknown key {unknown[0]!r} in [machines] (allowed: catalogs)",
            path=str(p),
            field=f"machines.{unknown[0]}",
        )
    files = section.get("catalogs", [])
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise InputError("must be a list of file paths", path=str(p), field="machines.catalogs")
    return [(p.parent / Path(f).expanduser()) for f in files]


def load_catalog(extra_paths: Iterable[str | Path] = ()) -> list[Machine]:
    """The shipped catalog, then each user file in order (a repeated model replaces)."""
    by_model: dict[str, Machine] = {}
    for m in shipped_catalog():
        by_model[m.model.casefold()] = m
    for path in extra_paths:
        for m in read_catalog_csv(path):
            by_model[m.model.casefold()] = m
    return list(by_model.values())
