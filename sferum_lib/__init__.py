"""Сферум-практикум: the organisation, the regulation's duties, the audit and indicators.

The public face: load a workbook, keep snapshots in a store, audit them and compute indicators.
"""

from sferum_lib.checks import AuditResult, AuditSettings, audit, indicator_values, indicators, movement
from sferum_lib.errors import InputFileError, Problem, SferumError, StoreError
from sferum_lib.model import ChatType, Messenger, Organisation, Snapshot
from sferum_lib.regulation import Catalogue, Duty, default_catalogue, load_catalogue
from sferum_lib.store import Store
from sferum_lib.workbook import ImportResult, import_workbook

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
