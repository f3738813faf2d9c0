"""Documented default assumptions shown to users when they give no value of their own."""

from __future__ import annotations

from typing import Final

#: Power price when none is given: the touchstone's industrial rate, as in Antpool's
#: shutdown-price table (``../shared/data/breakeven_claims.md``). [USD/kWh]
DEFAULT_POWER_PRICE_USD_PER_KWH: Final = 0.08
