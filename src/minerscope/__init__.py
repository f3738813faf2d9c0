"""minerscope: Bitcoin mining economics from raw chain data and prices.

Layers (imports flow down): ``consensus`` -> ``sources`` -> ``storage`` -> ``ingest`` ->
``analytics`` / ``economics`` -> ``simulation`` / ``signals`` -> ``cli`` / ``report``.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .errors import ConflictError, InputError, MinerscopeError, NoDataError, SourceError

try:
    __version__ = version("minerscope")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "__version__",
    "ConflictError",
    "InputError",
    "MinerscopeError",
    "NoDataError",
    "SourceError",
]
