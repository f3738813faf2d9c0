"""The ``quickstart`` document: what each import did, then the status of the filled database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..ingest.results import ImportResult
from ..results import Result
from .status_results import StatusDocument


@dataclass(frozen=True)
class QuickstartDocument(Result):
    """``minerscope quickstart``: what each import did, then the status (None when the
    status fails after the imports; the error line says why)."""

    DOCUMENT: ClassVar[str] = "quickstart"

    imports: tuple[ImportResult, ...]
    status: StatusDocument | None


__all__ = ["QuickstartDocument"]
