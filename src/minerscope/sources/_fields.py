"""Validated fields of a parsed JSON answer (RPC or REST): one error names what and which field."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ._http import SourceBadResponse

HASH_RE = re.compile(r"^[0-9a-f]{64}$")


def json_int(obj: Mapping[str, Any], key: str, what: str, *, optional: bool = False) -> int | None:
    """A non-negative whole number (int, or a whole Decimal from ``parse_float=Decimal``)."""
    v = obj.get(key)
    if v is None:
        if optional:
            return None
        raise SourceBadResponse(f"{what}: field {key!r} is missing")
    if isinstance(v, bool) or not isinstance(v, int | Decimal):
        raise SourceBadResponse(f"{what}: field {key!r} is not a number: {v!r}")
    if isinstance(v, Decimal) and v != v.to_integral_value():
        raise SourceBadResponse(f"{what}: field {key!r} is not whole: {v}")
    if v < 0:
        raise SourceBadResponse(f"{what}: field {key!r} is negative: {v}")
    return int(v)


def json_hash(obj: Mapping[str, Any], key: str, what: str, *, optional: bool = False) -> str | None:
    """A block hash: 64 lowercase hex digits."""
    v = obj.get(key)
    if v is None and optional:
        return None
    if not isinstance(v, str) or not HASH_RE.match(v):
        raise SourceBadResponse(f"{what}: field {key!r} is not a 64-hex-digit hash: {v!r}")
    return v
