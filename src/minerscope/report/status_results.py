"""The typed ``status`` document (``quickstart`` carries one: :mod:`minerscope.report.imports`).

:mod:`minerscope.report.status` builds :class:`StatusDocument`; its ``network`` and
``economics`` sections come from :mod:`minerscope.report.network` and
:mod:`minerscope.report.econ`. Only dataclasses here: importing this module costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..results import AsOfInfo, Result
from .econ_results import EconomicsStatus
from .network_results import EpochProgress, Halving, NetworkStatus


@dataclass(frozen=True)
class Tip:
    """The last block known at the moment.

    Attributes
    ----------
    height : int
        [blocks]
    hash : str or None
        None at daily resolution (the height is estimated from daily block counts).
    time_s : int
        Its time (daily data: the end of the last daily row). [Unix s]
    age_s : int
        How much older than the moment. [s]
    height_basis : str or None
        How an estimated height was found.
    """

    height: int
    hash: str | None
    time_s: int
    time_iso: str
    age_s: int
    height_basis: str | None


@dataclass(frozen=True)
class BtcPrice:
    """The one BTC price of the moment (:func:`minerscope.asof.price_at`).

    Attributes
    ----------
    btc_price_usd : float
        [USD]
    time_s : int
        Its stamp (a daily close: the end of its day). [Unix s]
    source : str
    age_s : int
        How much older than the moment. [s]
    """

    btc_price_usd: float
    time_s: int
    time_iso: str
    source: str
    age_s: int


@dataclass(frozen=True)
class DailyRowsInfo:
    """Daily resolution: the last daily row used, and what it cannot tell."""

    last_date: str
    note: str | None


@dataclass(frozen=True)
class StatusDocument(Result):
    """``minerscope status``: the network and economics picture as of a moment.

    Attributes
    ----------
    as_of : AsOfInfo
        The moment and the data that answers it (``resolution``: block or daily).
    tip : Tip or None
        None when daily rows do not start at genesis (the height is then unknown).
    bits_hex, target_hex : str or None
        The compact target and target of the next block (hex).
    difficulty, difficulty_t : float or None
        [unitless], [T]
    epoch : EpochProgress or None
    halving : Halving or None
        With its ETA when the network section could place the epoch.
    price : BtcPrice or None
    daily : DailyRowsInfo or None
        Daily resolution only.
    network : NetworkStatus or None
        Hash rate and next adjustment (``status`` sections).
    economics : EconomicsStatus or None
        Hashprice, revenue, cost to produce, indices.
    """

    DOCUMENT: ClassVar[str] = "status"

    as_of: AsOfInfo
    tip: Tip | None
    bits_hex: str | None
    target_hex: str | None
    difficulty: float | None
    difficulty_t: float | None
    epoch: EpochProgress | None
    halving: Halving | None
    price: BtcPrice | None
    daily: DailyRowsInfo | None
    network: NetworkStatus | None
    economics: EconomicsStatus | None


__all__ = ["BtcPrice", "DailyRowsInfo", "StatusDocument", "Tip"]
