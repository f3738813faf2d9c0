"""Sources into storage: offline file imports (and live sync), transactional and idempotent."""

from __future__ import annotations

from .files import (
    IMPORTERS,
    REFERENCE_FILES,
    ImportReport,
    import_blockstats,
    import_daily,
    import_epochs,
    import_mvrv,
    import_prices,
    import_reference_dir,
    run_import,
    run_reference_import,
)
from .pools import import_blocktimes, import_pools

__all__ = [
    "IMPORTERS",
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
    "run_import",
    "run_reference_import",
]
