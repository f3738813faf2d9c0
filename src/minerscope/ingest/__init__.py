"""Sources into storage: offline file imports (and live sync), transactional and idempotent."""

from __future__ import annotations

from .files import (
    REFERENCE_FILES,
    ImportReport,
    import_blockstats,
    import_daily,
    import_epochs,
    import_mvrv,
    import_prices,
    import_reference_dir,
)
from .pools import import_blocktimes, import_pools

__all__ = [
    "REFERENCE_FILES",
    "ImportReport",
    "import_blockstats",
    "import_blocktimes",
    "import_daily",
    "import_epochs",
    "import_mvrv",
    "import_pools",
    "import_prices",
    "import_reference_dir",
]
