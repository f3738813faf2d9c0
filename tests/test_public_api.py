"""The curated public namespaces: ``__all__`` is complete and sorted (isort style)."""

from __future__ import annotations

import importlib
import inspect
import types

import pytest

MODULES = ["minerscope", "minerscope.consensus", "minerscope.storage", "minerscope.ingest"]


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
