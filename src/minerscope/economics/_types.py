"""Type aliases shared by the economics functions (scalar, ndarray or Series in, same out).

pandas is named for the type checker only: the economics functions take a Series where given
one, but importing them must not import pandas (commands that never build a DataFrame start
without it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

Numeric: TypeAlias = "float | npt.NDArray[np.float64] | pd.Series"
"""A number, a float array or a Series; economics functions return the same shape."""
