"""Movement of staff and pupils between two snapshots (движение), WORKBOOK.md §4."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sferum_lib.model import Snapshot, is_current


def _current_ids(snapshot: Snapshot, day: pd.Timestamp) -> dict[str, set[str]]:
    staff, pupils = snapshot.staff, snapshot.pupils
    return {
        "staff": set(staff.loc[is_current(staff["hired"], staff["dismissed"], day), "id"]),
        "students": set(pupils.loc[is_current(pupils["enrolled"], pupils["expelled"], day), "id"]),
    }


def movement(before: Snapshot, after: Snapshot, as_of: dt.date) -> dict[str, dict[str, list[str]]]:
    """Who arrived (current in ``after`` but not in ``before`` on ``as_of``) and who departed (the reverse)."""
    day = pd.Timestamp(as_of)
    was, now = _current_ids(before, day), _current_ids(after, day)
    return {
        "arrived": {kind: sorted(now[kind] - was[kind]) for kind in ("staff", "students")},
        "departed": {kind: sorted(was[kind] - now[kind]) for kind in ("staff", "students")},
    }
