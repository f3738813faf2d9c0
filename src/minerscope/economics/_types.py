"""Type aliases shared by the economics functions (scalar, ndarray or Series in, same out)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # pandas only for the type: importing economics must not import pandas
    import pandas as pd

Numeric: TypeAlias = "float | npt.NDArray[np.float64] | pd.Series"
"""A number, a float array or a Series; economics functions return the same shape."""
