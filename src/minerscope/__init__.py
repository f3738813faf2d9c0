"""minerscope: Bitcoin mining economics from raw chain data and prices.

Layers (imports flow down): ``consensus`` -> ``sources`` -> ``storage`` -> ``ingest`` ->
``analytics`` / ``economics`` -> ``simulation`` / ``signals`` -> ``cli`` / ``report``.

In a notebook (``docs/notebook.md``)::

    import minerscope as ms

    with ms.open("minerscope.sqlite") as m:
        m.hashrate_series(days=90)  # a DataFrame: UTC index, units in the column names

The top level holds the notebook entry point (:func:`open`, :class:`Notebook`, imported
on first use so that ``import minerscope`` stays light), the error classes and the result
base types every document is built of.
"""

from __future__ import annotations

import typing
from typing import Any

from .errors import (
    ConflictError,
    DatabaseBusyError,
    DatabaseError,
    InputError,
    MinerscopeError,
    NoDataError,
    SourceError,
)
from .results import AsOfInfo, Moment, MomentPercentiles, Percentiles, Result

if typing.TYPE_CHECKING:
    from .notebook import Notebook, open  # noqa: A004

_LAZY = {"Notebook": "Notebook", "open": "open"}


def __getattr__(name: str) -> Any:
    """``__version__`` (read from the installed metadata on first use: importing
    ``importlib.metadata`` costs every command tens of milliseconds at start-up), and the
    notebook API (it imports storage)."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("minerscope")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            return "0.0.0"
    if name in _LAZY:
        from . import notebook

        return getattr(notebook, _LAZY[name])
    raise AttributeError(f"module 'minerscope' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "__version__",
    "AsOfInfo",
    "ConflictError",
    "DatabaseBusyError",
    "DatabaseError",
    "InputError",
    "MinerscopeError",
    "Moment",
    "MomentPercentiles",
    "NoDataError",
    "Notebook",
    "Percentiles",
    "Result",
    "SourceError",
    "open",
]
