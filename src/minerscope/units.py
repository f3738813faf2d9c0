"""Unit constants and conversions. Names carry their units; no bare 1e15 or 86400 in formulas."""

from __future__ import annotations

from typing import Final

SAT_PER_BTC: Final = 100_000_000
SECONDS_PER_MINUTE: Final = 60
SECONDS_PER_HOUR: Final = 3_600
SECONDS_PER_DAY: Final = 86_400
HOURS_PER_DAY: Final = 24
DAYS_PER_YEAR: Final = 365.25
SECONDS_PER_YEAR: Final = 31_557_600  # Julian year, 365.25 days

HPS_PER_THS: Final = 10**12
HPS_PER_PHS: Final = 10**15
HPS_PER_EHS: Final = 10**18
HPS_PER_ZHS: Final = 10**21

DIFFICULTY_PER_T: Final = 10**12  # "141.67 T" difficulty = 141.67e12
W_PER_KW: Final = 1_000
J_PER_KWH: Final = 3_600_000


def sat_to_btc(amount_sat: int | float) -> float:
    """Convert satoshi to BTC (display and economics only)."""
    return amount_sat / SAT_PER_BTC


def btc_to_sat(amount_btc: float) -> int:
    """Convert BTC to integer satoshi, rounding half away from zero to the nearest sat."""
    sign = -1 if amount_btc < 0 else 1
    return sign * int(abs(amount_btc) * SAT_PER_BTC + 0.5)
