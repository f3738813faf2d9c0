"""Option values are converted without pydantic, exactly as typer's own converter does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param
from typer.main import get_command

from minerscope.cli import app
from minerscope.cli._lean import _LeanParam, _simple

SAMPLES = ["1.5", "0", "-1", "abc", "nan", "inf", "1e400", "3", "2.5", "99.99", "100", "", " 7",
           "yes", "Off", True, False]  # fmt: skip


def _simple_params() -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []

    def walk(cmd: Any, name: str) -> None:
        for p in cmd.params:
            d = getattr(p, "type_descriptor", None)
            if d is not None and _simple(d):
                out.append((f"{name} {p.name}", p))
        for sub_name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, f"{name} {sub_name}".strip())

    walk(get_command(app), "")
    return out


def _convert(runtime: Any, param: Any, value: Any) -> tuple[str, Any]:
    try:
        return "ok", runtime.coerce(value, param=param, ctx=None)
    except BadParameter as exc:
        return "error", exc.message


def test_lean_converter_matches_typers() -> None:
    params = _simple_params()
    assert len(params) > 40  # every option of every command is simple
    kinds = set()
    for name, p in params:
        d = p.type_descriptor
        kinds.add(repr(d.annotation))
        typer_own = build_runtime_param(d)
        lean = _LeanParam(parameter_info=d.parameter_info, annotation=d.annotation)
        values: list[Any] = [(s,) for s in SAMPLES] if p.multiple or p.nargs == -1 else SAMPLES
        for v in values:
            want, got = _convert(typer_own, p, v), _convert(lean, p, v)
            if want[0] == "ok" and isinstance(want[1], float) and want[1] != want[1]:
                assert got[0] == "ok" and got[1] != got[1], (name, v)  # NaN
                continue
            assert got == want, (name, v)
    assert {"<class 'float'>", "<class 'int'>", "<class 'str'>", "<class 'pathlib.Path'>",
            "list[str]", "list[pathlib.Path]"} <= kinds  # fmt: skip


CHILD = """
import sys
sys.argv = ["minerscope", *sys.argv[1:]]
from minerscope.cli import main
try:
    main()
except SystemExit:
    pass
heavy = ("pydantic", "pandas", "scipy") + (("numpy",) if sys.argv[1] == "machines" else ())
loaded = [m for m in heavy if m in sys.modules]
print("loaded:", *loaded, file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["machines", "--difficulty", "141.67T", "--btc-price-usd", "70000",
         "--fees-btc-per-block", "0.02", "--pool-fee-pct", "2", "--model", "S21"],
        ["economics", "--from", "2026-01-01", "--to", "2026-01-31", "--csv"],
        ["machines", "--pool-fee-pct", "200"],
    ],
)  # fmt: skip
def test_commands_start_without_pydantic_pandas_or_scipy(  # machines: nor numpy
    args: list[str], reference_db_file: Path
) -> None:
    res = subprocess.run(
        [sys.executable, "-c", CHILD, *args, "--db", str(reference_db_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.stderr.strip().splitlines()[-1] == "loaded:", res.stderr
