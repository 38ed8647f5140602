"""Сферум-практикум: the organisation, the regulation's duties, the audit and indicators.

The public face: load a workbook, keep snapshots in a store, audit them and compute indicators.
"""

import importlib
import sys
from typing import Any

# rfc3987_syntax builds a Lark grammar at import (2.7 s measured here) and only serves jsonschema's «iri» format,
# which no notebook schema uses; jsonschema imports it under suppress(ImportError). Every entry point — the CLI,
# the Voilà child of `sferum app`, a report kernel — imports this package before nbformat, so the guard sits here
# (the same as sferum_lib.reports.kernels.keep_out_slow_imports).
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

#: The public names and the module each lives in, imported on first use: `sferum --help` should not pay for pandas.
_PUBLIC = {
    "AuditResult": "sferum_lib.checks",
    "AuditSettings": "sferum_lib.checks",
    "audit": "sferum_lib.checks",
    "indicator_values": "sferum_lib.checks",
    "indicators": "sferum_lib.checks",
    "movement": "sferum_lib.checks",
    "InputFileError": "sferum_lib.errors",
    "Problem": "sferum_lib.errors",
    "SferumError": "sferum_lib.errors",
    "StoreError": "sferum_lib.errors",
    "ChatType": "sferum_lib.model",
    "Messenger": "sferum_lib.model",
    "Organisation": "sferum_lib.model",
    "Snapshot": "sferum_lib.model",
    "Catalogue": "sferum_lib.regulation",
    "Duty": "sferum_lib.regulation",
    "default_catalogue": "sferum_lib.regulation",
    "load_catalogue": "sferum_lib.regulation",
    "Store": "sferum_lib.store",
    "ImportResult": "sferum_lib.workbook",
    "import_workbook": "sferum_lib.workbook",
}


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sferum_lib' has no attribute {name!r}")


__version__ = "0.1.0"

__all__ = [
    "AuditResult",
    "AuditSettings",
    "Catalogue",
    "ChatType",
    "Duty",
    "ImportResult",
    "InputFileError",
    "Messenger",
    "Organisation",
    "Problem",
    "SferumError",
    "Snapshot",
    "Store",
    "StoreError",
    "audit",
    "default_catalogue",
    "import_workbook",
    "indicator_values",
    "indicators",
    "load_catalogue",
    "movement",
]
