"""Audit, indicators and movement: the questions the regulation asks of the data."""

from sferum_lib.checks.audit import CHECKS, CHECKS_BY_KEY, REMARK, VIOLATION, AuditResult, AuditSettings, audit
from sferum_lib.checks.indicators import Indicator, indicator_values, indicators
from sferum_lib.checks.movement import movement

__all__ = [
    "CHECKS",
    "CHECKS_BY_KEY",
    "REMARK",
    "VIOLATION",
    "AuditResult",
    "AuditSettings",
    "Indicator",
    "audit",
    "indicator_values",
    "indicators",
    "movement",
]
