"""Sandboxes: a practice organisation for one trainee, in its own store inside a session folder.

A sandbox starts from a small demo organisation — either as the demo stands (``"demo"``: a working platform
with its imperfections) or as it stood before any platform work (``"fresh"``: only the staff, sections,
pupils and parents, as the organisation's records hold them). Its start is kept as snapshot № 1, so
:meth:`Sandbox.reset` brings it back at any time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pandas as pd

from sferum_lib.demo import generate
from sferum_lib.errors import UsageError
from sferum_lib.model import Snapshot, empty_table
from sferum_lib.procedures.workspace import Workspace
from sferum_lib.store import Store

PRACTICE_PEOPLE = 60
STARTS = ("fresh", "demo")


def fresh(snapshot: Snapshot) -> Snapshot:
    """The organisation before any platform work: records only, nobody joined, no chats, links or orders."""
    org = dataclasses.replace(
        snapshot.organisation,
        admin_id=None,
        admin_order_number=None,
        admin_order_date=None,
        usage_order_number=None,
        usage_order_date=None,
        application_sent=None,
        admin_registered=None,
        teachers_room_created=None,
    )
    nat = pd.NaT
    staff = snapshot.staff.assign(platform_role=None, joined=nat, status_confirmed=False, in_teachers_room=False)
    return Snapshot(
        org,
        {
            **snapshot.tables,
            "staff": staff.astype(snapshot.staff.dtypes.to_dict()),
            "sections": snapshot.sections.assign(class_created=False),
            "pupils": snapshot.pupils.assign(joined=nat).astype(snapshot.pupils.dtypes.to_dict()),
            "parents": snapshot.parents.assign(joined=nat).astype(snapshot.parents.dtypes.to_dict()),
            **{name: empty_table(name) for name in ("chats", "members", "channels", "invites", "requests")},
        },
        snapshot.sheets,
    )


def practice_organisation(start: str = "fresh", as_of: dt.date | None = None, seed: int = 135) -> Snapshot:
    if start not in STARTS:
        raise UsageError(f"Начало учебной организации: «fresh» (с нуля) или «demo» (как в демо), а не «{start}».")
    demo = generate(PRACTICE_PEOPLE, seed=seed, as_of=as_of)
    # the future administrator (the first methodist) has the contacts an application needs
    staff = demo.staff.copy()
    first_methodist = staff.index[staff["position"] == "методист"][0]
    staff.loc[first_methodist, ["phone", "email"]] = ["+79787000135", "admin@cntt.example.org"]
    demo = demo.with_tables(staff=staff)
    return fresh(demo) if start == "fresh" else demo


def folder_name(trainee: str) -> str:
    """A folder name for a trainee: letters and digits kept (Cyrillic too), the rest become «_»."""
    name = re.sub(r"[^\w]+", "_", trainee.strip(), flags=re.UNICODE).strip("_")
    if not name:
        raise UsageError("Укажите имя обучающегося сотрудника (участника занятия).")
    return name


class Sandbox:
    """One trainee's practice organisation: ``<session>/<trainee>/<name>.db`` (``sandbox.db`` by default;
    role training keeps one per role, so learning a second role does not disturb the first)."""

    def __init__(self, session: str | Path, trainee: str, name: str = "sandbox") -> None:
        self.trainee = trainee
        self.folder = Path(session) / folder_name(trainee)
        self.path = self.folder / f"{name}.db"

    @classmethod
    def create(
        cls,
        session: str | Path,
        trainee: str,
        start: str = "fresh",
        as_of: dt.date | None = None,
        seed: int = 135,
        name: str = "sandbox",
    ) -> Sandbox:
        """Make the trainee's sandbox (again, if it existed) from a practice organisation."""
        box = cls(session, trainee, name)
        box.folder.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{box.path}{suffix}").unlink(missing_ok=True)
        snapshot = practice_organisation(start, as_of, seed)
        with Store(box.path) as store:
            store.add_snapshot(snapshot, f"учебная организация ({start})")
            store.start_state(snapshot, "начало занятия")
        return box

    def exists(self) -> bool:
        return self.path.exists()

    def workspace(self) -> Workspace:
        return Workspace(Store(self.path, create=False))

    def reset(self) -> None:
        """Bring the practice organisation back to its start (the latest snapshot); the journal starts anew."""
        with Store(self.path, create=False) as store:
            store.start_state(store.snapshot(), "начало занятия (сброс)")

    def keep_as_start(self) -> None:
        """Make the current state the start that :meth:`reset` returns to (after a role's set-up)."""
        with Store(self.path, create=False) as store:
            store.add_snapshot(store.state(), "начало занятия")
            store.start_state(store.snapshot(), "начало занятия")
