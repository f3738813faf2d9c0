"""Charts: one specification per chart (:mod:`.spec`, built from the library's documents by
:mod:`.builders`) and its renderers (:mod:`.mpl`: PNG and SVG; :mod:`.plotly`: figure JSON).

Nothing here loads data: the documents come from :mod:`minerscope.report.story`.
"""

from __future__ import annotations

from .builders import CHARTS, ChartDef
from .spec import ChartSpec, Series

__all__ = ["CHARTS", "ChartDef", "ChartSpec", "Series"]
