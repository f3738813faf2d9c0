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

__all__ = ["CatalogArrays", "Machine", "catalog_arrays", "find_machine", "machine_matches"]


@dataclass(frozen=True)
class CatalogArrays:
    """The catalog as parallel arrays, for vectorised evaluation."""

    models: list[str]
    hashrate_ths: npt.NDArray[np.float64]
    power_w: npt.NDArray[np.float64]
    efficiency_j_per_th: npt.NDArray[np.float64]


def machine_matches(catalog: Sequence[Machine], model: str) -> list[Machine]:
    """The catalog entries ``model`` names (case-insensitive): the one whose model equals it;
    else those whose model ends with it after a vendor's name (``S21 XP Hyd`` for ``Antminer
    S21 XP Hyd``, as the machines table prints it); else those whose model contains it."""
    key = " ".join(model.split()).casefold()
    if not key:
        return []
    exact = [m for m in catalog if m.model.casefold() == key]
    if exact:
        return exact[:1]
    suffix = [m for m in catalog if m.model.casefold().endswith(" " + key)]
    if suffix:
        return suffix
    return [m for m in catalog if key in m.model.casefold()]


def find_machine(catalog: Sequence[Machine], model: str) -> Machine | None:
    """The one catalog entry ``model`` names (:func:`machine_matches`), or None when it names
    none or several."""
    found = machine_matches(catalog, model)
    return found[0] if len(found) == 1 else None


def catalog_arrays(catalog: Sequence[Machine]) -> CatalogArrays:
    """Parallel float arrays of a catalog's hash rates, powers and efficiencies."""
    import numpy as np  # here: look-ups need no numpy

    hashrate = np.array([m.hashrate_ths for m in catalog], dtype=np.float64)
    power = np.array([m.power_w for m in catalog], dtype=np.float64)
    return CatalogArrays([m.model for m in catalog], hashrate, power, power / hashrate)
