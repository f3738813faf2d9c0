"""The daily inputs every signal takes: one value per consecutive UTC day."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .series import halving_era


@dataclass(frozen=True)
class DailyInputs:
    """Consecutive UTC days of network rows, closes and MVRV (NaN where unknown).

    Attributes
    ----------
    day_start_s : ndarray of int
        00:00:00Z of each day. [Unix s]
    blocks : ndarray
        Blocks timestamped on the day. [blocks]
    difficulty : ndarray
        Their mean difficulty. [unitless]
    issuance_sat : ndarray
        Subsidy issued on the day. [sat]
    price_usd : ndarray
        Close of the day (stamped at its end). [USD/BTC]
    mvrv_ratio : ndarray
        Market value over realised value at the day's close. [unitless]
    price_source : str
        Where the closes come from.
    mvrv_source : str or None
        Where the MVRV ratios come from (None: none stored).
    """

    day_start_s: np.ndarray
    blocks: np.ndarray
    difficulty: np.ndarray
    issuance_sat: np.ndarray
    price_usd: np.ndarray
    mvrv_ratio: np.ndarray
    price_source: str
    mvrv_source: str | None

    def __post_init__(self) -> None:
        n = len(self.day_start_s)
        for name in ("blocks", "difficulty", "issuance_sat", "price_usd", "mvrv_ratio"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"{name} has {len(getattr(self, name))} days, expected {n}")
        if n > 1 and not np.all(np.diff(self.day_start_s) == 86_400):
            raise ValueError("days must be consecutive")

    @property
    def era(self) -> np.ndarray:
        """Halving era of each day (0 = 50 BTC subsidy)."""
        return halving_era(self.issuance_sat, self.blocks)

    def __len__(self) -> int:
        return len(self.day_start_s)

    def head(self, last: int) -> DailyInputs:
        """The days up to position ``last`` inclusive (what was known at its end)."""
        sl = slice(0, last + 1)
        return DailyInputs(
            self.day_start_s[sl], self.blocks[sl], self.difficulty[sl], self.issuance_sat[sl],
            self.price_usd[sl], self.mvrv_ratio[sl], self.price_source, self.mvrv_source,
        )  # fmt: skip
