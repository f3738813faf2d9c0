"""The machine catalog as numbers: look-ups and arrays for vectorised evaluation.

The catalog itself (the models shipped in ``minerscope/data/machines.csv`` plus the user's
own CSV files) is read by :mod:`minerscope.sources.catalog`; a model is a
:class:`minerscope.records.Machine`. The arithmetic lives in
:mod:`minerscope.economics.machines`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..records import Machine

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

__all__ = ["CatalogArrays", "Machine", "catalog_arrays", "find_machine"]


@dataclass(frozen=True)
class CatalogArrays:
    """The catalog as parallel arrays, for vectorised evaluation."""

    models: list[str]
    hashrate_ths: npt.NDArray[np.float64]
    power_w: npt.NDArray[np.float64]
    efficiency_j_per_th: npt.NDArray[np.float64]


def find_machine(catalog: Sequence[Machine], model: str) -> Machine | None:
    """The catalog entry whose model equals ``model`` (case-insensitive), or None."""
    key = model.strip().casefold()
    for m in catalog:
        if m.model.casefold() == key:
            return m
    return None


def catalog_arrays(catalog: Sequence[Machine]) -> CatalogArrays:
    """Parallel float arrays of a catalog's hash rates, powers and efficiencies."""
    import numpy as np  # here: look-ups need no numpy

    hashrate = np.array([m.hashrate_ths for m in catalog], dtype=np.float64)
    power = np.array([m.power_w for m in catalog], dtype=np.float64)
    return CatalogArrays([m.model for m in catalog], hashrate, power, power / hashrate)
