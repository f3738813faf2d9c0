"""Sources into storage: offline file imports (and live sync), transactional and idempotent."""

from __future__ import annotations

from .files import (
    IMPORTERS,
    REFERENCE_FILES,
    ImportReport,
    import_blockstats,
    import_daily,
    import_epochs,
    import_prices,
    import_reference_dir,
    run_import,
    run_reference_import,
)

__all__ = [
    "IMPORTERS",
    "REFERENCE_FILES",
    "ImportReport",
    "import_blockstats",
    "import_daily",
    "import_epochs",
    "import_prices",
    "import_reference_dir",
    "run_import",
    "run_reference_import",
]
