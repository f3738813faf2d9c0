"""The curated public namespaces: ``__all__`` is complete and sorted (isort style)."""

from __future__ import annotations

import importlib
import inspect
import types

import pytest

MODULES = [
    "minerscope",
    "minerscope.consensus",
    "minerscope.storage",
    "minerscope.ingest",
    "minerscope.notebook",
]


def _isort_key(name: str) -> tuple[int, str]:
    if name.isupper() or name.startswith("__"):
        return (0, name)
    if name[0].isupper():
        return (1, name)
    return (2, name)


@pytest.mark.parametrize("module_name", MODULES)
def test_all_is_complete_and_sorted(module_name: str) -> None:
    module = importlib.import_module(module_name)
    exported = list(module.__all__)
    assert exported == sorted(exported, key=_isort_key)
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name not in {"annotations"}
        and (
            inspect.getmodule(value) is None
            or inspect.getmodule(value).__name__.startswith(module_name)
        )
    }
    assert public <= set(exported), public - set(exported)
    for name in exported:
        assert hasattr(module, name), name


def test_top_level_exports_the_notebook_errors_and_result_types() -> None:
    import minerscope
    from minerscope import errors, notebook, results

    assert set(minerscope.__all__) == {
        "__version__", "open", "Notebook",
        "MinerscopeError", "InputError", "ConflictError", "DatabaseError", "DatabaseBusyError",
        "NoDataError", "SourceError",
        "Result", "AsOfInfo", "Moment", "Percentiles", "MomentPercentiles",
    }  # fmt: skip
    assert minerscope.open is notebook.open and minerscope.Notebook is notebook.Notebook
    # every error class of minerscope.errors is exported
    error_classes = {
        n for n, v in vars(errors).items() if isinstance(v, type) and issubclass(v, Exception)
    }
    assert error_classes <= set(minerscope.__all__), error_classes - set(minerscope.__all__)
    assert minerscope.Result is results.Result
    assert isinstance(minerscope.__version__, str) and minerscope.__version__[0].isdigit()
    assert "open" in dir(minerscope) and "Notebook" in dir(minerscope)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = minerscope.nothing  # type: ignore[attr-defined]


def test_import_minerscope_stays_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, minerscope\n"
        "heavy = [m for m in ('pandas', 'numpy', 'minerscope.storage', 'minerscope.notebook',"
        " 'sqlite3') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", out.stdout
