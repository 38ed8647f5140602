"""The workbook contract: reading, validating, writing templates, exports and error copies."""

from sferum_lib.workbook.importer import ImportResult, build_snapshot, import_workbook

__all__ = ["ImportResult", "build_snapshot", "import_workbook"]
