"""The regulation's duties as procedures: preconditions, one domain error, a journal entry each.

Every state-changing duty of the catalogue maps to a procedure in :data:`PROCEDURES` (see
:func:`procedures_for`). Run them through a :class:`Workspace`, which keeps state and journal in one transaction.
"""

from sferum_lib.procedures import chats, links, organisation, people  # noqa: F401 - registers the procedures
from sferum_lib.procedures.base import PROCEDURES, Change, Context, Procedure, Refused, State
from sferum_lib.procedures.workspace import Performed, Workspace, refusal, state_of


def procedures_for(duty: str) -> list[Procedure]:
    """The procedures that perform a duty of the catalogue."""
    return [p for p in PROCEDURES.values() if duty in p.duties]


__all__ = [
    "PROCEDURES",
    "Change",
    "Context",
    "Performed",
    "Procedure",
    "Refused",
    "State",
    "Workspace",
    "procedures_for",
    "refusal",
    "state_of",
]
