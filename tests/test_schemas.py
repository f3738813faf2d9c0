"""The published JSON Schemas (docs/schemas) are those of the result classes, and the error
document is what a failed command prints with --json."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from minerscope import schemas
from minerscope.cli import app

SCHEMAS = Path(__file__).resolve().parent.parent / "docs" / "schemas"
runner = CliRunner()


def validate(document: object, name: str) -> None:
    """Validate a rendered document against its published schema (draft 2020-12)."""
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)


def test_published_schemas_are_current() -> None:
    # `python -m minerscope.schemas --write docs/schemas` after changing a result class
    assert schemas.stale_schemas(SCHEMAS) == []
    assert sorted(p.name for p in SCHEMAS.glob("*.schema.json")) == sorted(
        f"{n}.schema.json" for n in schemas.DOCUMENTS
    )


def test_a_stale_schema_is_found(tmp_path: Path) -> None:
    schemas.write_schemas(tmp_path)
    assert schemas.stale_schemas(tmp_path) == []
    (tmp_path / "pools.schema.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "nothing.schema.json").write_text("{}\n", encoding="utf-8")
    assert schemas.stale_schemas(tmp_path) == ["pools", "nothing.schema.json"]
    assert schemas.main(["--check", str(tmp_path)]) == 1


@pytest.mark.parametrize(
    ("args", "exit_code", "kind", "field"),
    [
        (
            ["machines", "--difficulty", "inf", "--json", "--db", "none.sqlite"],
            1,
            "bad_input",
            "--difficulty",
        ),
        (["machines", "--bogus", "--json"], 2, "usage", None),
        (
            ["status", "--at", "next tuesday", "--json", "--db", "none.sqlite"],
            1,
            "bad_input",
            "--at",
        ),
        (
            [
                "consensus",
                "next-bits",
                "--bits",
                "xyz",
                "--first-time-s",
                "0",
                "--last-time-s",
                "1",
                "--json",
            ],
            1,
            "bad_input",
            "--bits",
        ),  # fmt: skip
    ],
)
def test_errors_are_json_on_stdout_with_json(
    args: list[str], exit_code: int, kind: str, field: str | None, tmp_path: Path
) -> None:
    args = [str(tmp_path / a) if a == "none.sqlite" else a for a in args]
    result = runner.invoke(app, args)
    assert result.exit_code == exit_code
    doc = json.loads(result.stdout)
    validate(doc, "error")
    assert doc["exit_code"] == exit_code
    assert doc["error"]["type"] == kind
    assert doc["error"]["field"] == field
    # the one stderr line is still there, and says the same
    assert doc["error"]["message"] in result.stderr


def test_errors_are_text_only_without_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["machines", "--difficulty", "inf"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("minerscope: error: ")
