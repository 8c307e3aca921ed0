"""Importing agencies' files (CSV, XLSX) into the tables of the data standard (DESIGN §3)."""

from data_access.imports.runner import (
    CheckResult,
    ImportReport,
    Status,
    check_file,
    import_file,
    recent_imports,
)

__all__ = ["CheckResult", "ImportReport", "Status", "check_file", "import_file", "recent_imports"]
