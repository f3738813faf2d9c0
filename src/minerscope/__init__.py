"""minerscope: Bitcoin mining economics from raw chain data and prices.

Layers (imports flow down): ``consensus`` -> ``sources`` -> ``storage`` -> ``ingest`` ->
``analytics`` / ``economics`` -> ``simulation`` / ``signals`` -> ``cli`` / ``report``.
"""

from __future__ import annotations

from typing import Any

from .errors import ConflictError, InputError, MinerscopeError, NoDataError, SourceError


def __getattr__(name: str) -> Any:
    """``__version__``, read from the installed metadata on first use (importing
    ``importlib.metadata`` costs every command tens of milliseconds at start-up)."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("minerscope")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree
            return "0.0.0"
    raise AttributeError(f"module 'minerscope' has no attribute {name!r}")


__all__ = [
    "__version__",
    "ConflictError",
    "InputError",
    "MinerscopeError",
    "NoDataError",
    "SourceError",
]
