"""Daily work on the organisation's own store: the to-do list built from the audit, and what its buttons do.

The audit says what is wrong; :func:`todo` says who must act on it — the administrator, the head, or the
teacher of a section — with the clause of the regulation and, where a procedure performs the fix, the actions
that perform it on the working state (:class:`sferum_lib.procedures.Workspace`). Items only a person can do on
the platform are marked «вручную» and can be marked done; the mark goes into the journal like any procedure.

The working state is the latest snapshot changed by the journaled procedures; :func:`upload` saves a new
snapshot and makes it the working state (the previous journal is kept in an owner-only XLSX beside the store,
because the store starts the journal anew with each working state).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sferum_lib.checks import AuditSettings, audit
from sferum_lib.errors import InputFileError, Problem
from sferum_lib.model import Snapshot, full_name
from sferum_lib.regulation import default_catalogue
from sferum_lib.store import Store

ADMIN, HEAD = "admin", "head"
#: The journal's procedure key of an item marked done by hand.
MARK_DONE = "mark_done"
#: A workbench action that runs ``remove_chat_member`` for every chat a departed person is still in.
REMOVE_FROM_CHATS = "remove_from_chats"
#: ``annul_stale_invites``: the one action of the whole group of stale links.
ANNUL_ALL = "annul_stale_invites"


@dataclass(frozen=True)
class Action:
    """A button of an item: the procedure it runs and its parameters."""

    label: str
    procedure: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Item:
    """One finding as a thing to do."""

    check: str
    subject: str
    clause: str
    duty: str
    severity: str
    text: str
    how: str  # which procedure fixes it, or what to do by hand
    actions: tuple[Action, ...] = ()

    @property
    def by_hand(self) -> bool:
        return not self.actions

    @property
    def key(self) -> str:
        return f"{self.check}/{self.subject}"


@dataclass
class Group:
    """The items one person (or role) must act on."""

    who: str  # ADMIN, HEAD or the teacher's staff ID
    title: str
    items: list[Item] = field(default_factory=list)
    actions: tuple[Action, ...] = ()  # actions over the whole group («Аннулировать все»)


# check -> (who acts: ADMIN | HEAD | "section", what to do by hand when no procedure does it)
_OWNER: dict[str, tuple[str, str]] = {
    "admin-appointed": (
        HEAD,
        "Руководитель издаёт приказ о назначении администратора; внесите номер и дату приказа в книгу",
    ),
    "admin-contacts": (ADMIN, "Внесите в книгу личный мобильный телефон и адрес электронной почты администратора"),
    "local-act": (HEAD, "Руководитель издаёт приказ об использовании платформы; внесите его номер и дату в книгу"),
    "teachers-room": (ADMIN, "На платформе направьте педагогу ссылку-приглашение в «Учительскую» в роли «педагог»"),
    "teacher-status": (ADMIN, ""),
    "extra-admins": (ADMIN, "На платформе снимите права дополнительного администратора с того, кто не педагог"),
    "structure": (ADMIN, ""),
    "section-chats": ("section", "Педагог объединения создаёт на платформе недостающий чат"),
    "student-coverage": ("section", "Педагог направляет обучающемуся ссылку-приглашение в чат объединения"),
    "parent-coverage": ("section", "Педагог направляет родителю ссылку-приглашение в чат родителей объединения"),
    "management-chats": (HEAD, "Руководитель создаёт на платформе недостающий управленческий чат"),
    "activist-chats": (HEAD, "Руководитель добавляет представителя актива в свой чат с активом"),
    "system-channels": (ADMIN, ""),
    "stale-invites": (ADMIN, ""),
    "pending-requests": (ADMIN, ""),
    "departed-members": (ADMIN, ""),
    "foreign-members": (ADMIN, ""),
}
_BY_HAND_SUFFIX = "; затем отметьте выполненным."


def _actions(check: str, subject: str, settings: AuditSettings) -> tuple[Action, ...]:
    if check == "stale-invites":
        return (Action("Аннулировать", "annul_invite", {"invite_id": subject}),)
    if check == "pending-requests":
        return (
            Action("Принять", "accept_request", {"request_id": subject}),
            Action("Отклонить", "reject_request", {"request_id": subject}),
        )
    if check == "departed-members":
        return (Action("Удалить из чатов", REMOVE_FROM_CHATS, {"person_id": subject}),)
    if check == "foreign-members" and "/" in subject:
        chat_id, person_id = subject.split("/", 1)
        return (Action("Удалить из чата", "remove_chat_member", {"chat_id": chat_id, "person_id": person_id}),)
    if check == "system-channels":
        return (Action("Создать", "create_channel", {"name": subject}),)
    if check == "structure":
        return (Action("Создать класс", "create_class", {"section": subject}),)
    if check == "teacher-status":
        return (Action("Подтвердить статус", "confirm_status", {"staff_id": subject}),)
    return ()


def _how(check: str, actions: tuple[Action, ...]) -> str:
    if actions:
        from sferum_lib.procedures import PROCEDURES

        titles = []
        for action in actions:
            proc = PROCEDURES.get(action.procedure)
            titles.append(proc.title if proc else "Удалить участника из всех чатов организации")
        return "Действие: " + " или ".join(f"«{t}»" for t in titles) + "."
    _who, by_hand = _OWNER.get(check, (ADMIN, ""))
    return "Вручную: " + (by_hand or "выполните на платформе") + _BY_HAND_SUFFIX


def _names(snapshot: Snapshot) -> dict[str, str]:
    staff = snapshot.staff
    return dict(zip(staff["id"], full_name(staff), strict=True))


def marked_done(journal: pd.DataFrame | None) -> set[str]:
    """Keys («check/subject») of the items marked done by hand in the journal."""
    if journal is None or journal.empty:
        return set()
    return set(journal.loc[journal["procedure"] == MARK_DONE, "object"].dropna())


def todo(
    snapshot: Snapshot,
    as_of: dt.date,
    settings: AuditSettings | None = None,
    journal: pd.DataFrame | None = None,
) -> list[Group]:
    """The audit of ``snapshot`` on ``as_of`` as groups of things to do: the administrator first, then the head,
    then each teacher; items marked done by hand in ``journal`` are left out."""
    settings = settings or AuditSettings()
    result = audit(snapshot, as_of, settings)
    done = marked_done(journal)
    names = _names(snapshot)
    teacher_of = dict(zip(snapshot.sections["code"], snapshot.sections["teacher_id"], strict=True))
    org = snapshot.organisation
    groups: dict[str, Group] = {
        ADMIN: Group(
            ADMIN, "Администратор платформы" + (f": {names.get(org.admin_id, org.admin_id)}" if org.admin_id else "")
        ),
        HEAD: Group(HEAD, "Руководитель" + (f": {names.get(org.head_id, org.head_id)}" if org.head_id else "")),
    }
    for row in result.findings.itertuples(index=False):
        check, subject = str(row.check), str(row.subject)
        if f"{check}/{subject}" in done:
            continue
        who, _by_hand = _OWNER.get(check, (_owner_by_duty(str(row.duty)), ""))
        if who == "section":
            teacher = teacher_of.get(subject.split("/", 1)[0])
            who = str(teacher) if isinstance(teacher, str) and teacher else ADMIN
        if who not in groups:
            groups[who] = Group(who, f"Педагог: {names.get(who, who)} ({who})")
        actions = _actions(check, subject, settings)
        groups[who].items.append(
            Item(
                check,
                subject,
                f"п. {row.clause}",
                str(row.duty),
                str(row.severity),
                str(row.message),
                _how(check, actions),
                actions,
            )
        )
    admin = groups[ADMIN]
    if sum(i.check == "stale-invites" for i in admin.items) > 1:
        admin.actions = (Action("Аннулировать все", ANNUL_ALL, {"max_age_days": settings.invite_max_age_days}),)
    return [g for g in groups.values() if g.items]


def _owner_by_duty(duty: str) -> str:
    role = default_catalogue()[duty].role if duty in _known_duties() else ""
    return HEAD if role == "head" else ADMIN


def _known_duties() -> set[str]:
    return {d.id for d in default_catalogue()}


# --- acting on the working state ----------------------------------------------------------------------------------


def ensure_state(store: Store) -> None:
    """Start the working state from the latest snapshot if there is none yet."""
    if not store.has_state():
        number = store.latest()
        store.start_state(store.snapshot(number), f"снимок № {number}")


def perform(store: Store, action: Action, actor: str | None, day: dt.date) -> list[str]:
    """Run an action's procedure(s) as ``actor``; return the journal's summaries. Raises ``Refused`` unchanged."""
    from sferum_lib.procedures import Workspace

    space = Workspace(store)
    if action.procedure == REMOVE_FROM_CHATS:
        person = action.params["person_id"]
        members = store.state().members
        chats = sorted(set(members.loc[members["person_id"] == person, "chat_id"]))
        return [
            space.perform("remove_chat_member", actor=actor, day=day, chat_id=c, person_id=person).summary
            for c in chats
        ]
    return [space.perform(action.procedure, actor=actor, day=day, **action.params).summary]


def mark_done(store: Store, item: Item, actor: str | None, day: dt.date) -> int:
    """Journal that an item the platform does by hand was done; the to-do list leaves it out from now on."""
    with store.transaction():
        return store.append_journal(
            {
                "at": dt.datetime.now().isoformat(timespec="seconds"),
                "on_day": day.isoformat(),
                "actor": actor,
                "duty": item.duty,
                "procedure": MARK_DONE,
                "summary": f"Отмечено выполненным вручную: {item.text}",
                "object": item.key,
                "params": {"check": item.check, "subject": item.subject},
            }
        )


# --- loading a workbook ----------------------------------------------------------------------------------------


@dataclass
class Uploaded:
    """What an upload did: the new snapshot's number and the movement since the previous one, or the problems."""

    number: int | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    errors_copy: bytes | None = None  # the user's workbook with the bad cells marked (XLSX)
    movement: dict[str, dict[str, list[str]]] | None = None
    counts: dict[str, int] = field(default_factory=dict)
    journal_archive: Path | None = None

    @property
    def ok(self) -> bool:
        return self.number is not None


def private_dir(prefix: str = "sferum-work-") -> Path:
    """A folder only the owner can read: uploaded workbooks and made files hold personal data."""
    return Path(tempfile.mkdtemp(prefix=prefix))  # mkdtemp makes it 0700


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def upload(store_path: str | Path, files: list[tuple[str, bytes]], as_of: dt.date) -> Uploaded:
    """Check uploaded files (one ``.xlsx`` or CSV files) and, if they follow the contract, save them as a snapshot
    that becomes the working state. Nothing is saved when there are errors."""
    from sferum_lib.checks import movement
    from sferum_lib.workbook.importer import build_snapshot
    from sferum_lib.workbook.reader import read_source
    from sferum_lib.workbook.writer import write_errors_copy

    folder = private_dir()
    names = [Path(name).name for name, _data in files]
    if not files:
        return Uploaded(problems=[Problem("—", None, "", "", "не выбран файл: выберите книгу .xlsx или файлы .csv")])
    xlsx = [n for n in names if n.lower().endswith((".xlsx", ".xlsm"))]
    csv = [n for n in names if n.lower().endswith(".csv")]
    if len(xlsx) > 1 or (xlsx and csv) or len(xlsx) + len(csv) != len(names):
        return Uploaded(
            problems=[
                Problem(", ".join(names), None, "", "", "ожидается одна книга Excel (.xlsx) или файлы .csv её листов")
            ]
        )
    for name, (_n, data) in zip(names, files, strict=True):
        _write_private(folder / name, data)
    source = folder / xlsx[0] if xlsx else folder
    label = xlsx[0] if xlsx else ", ".join(names)
    try:
        sheets = read_source(source)
        result = build_snapshot(sheets, label)
    except InputFileError as exc:
        found = exc.problems + exc.warnings
        copy = None
        if "sheets" in locals():
            target = folder / "ошибки.xlsx"
            write_errors_copy(source, sheets, found, target)
            copy = target.read_bytes()
        return Uploaded(problems=exc.problems, warnings=exc.warnings, errors_copy=copy)
    with Store(store_path, create=True) as store:
        previous = store.latest() if store.snapshots() else None
        number = store.add_snapshot(result.snapshot, label, result.rows)
        # the journal stays: what was done on the earlier data remains on record, each entry naming its state
        store.start_state(result.snapshot, f"снимок № {number}", keep_journal=True)
        moves = movement(store.snapshot(previous), result.snapshot, as_of) if previous else None
    s = result.snapshot
    counts = {
        "сотрудников": len(s.staff),
        "объединений": len(s.sections),
        "обучающихся": len(s.pupils),
        "родителей": len(s.parents),
        "чатов": len(s.chats),
    }
    return Uploaded(number, warnings=result.warnings, movement=moves, counts=counts)


# --- the journal -----------------------------------------------------------------------------------------------


JOURNAL_COLUMNS = {
    "seq": "№",
    "at": "Когда",
    "on_day": "День",
    "actor": "Кто",
    "duty": "Обязанность",
    "summary": "Что сделано",
}


def journal_frame(store: Store) -> pd.DataFrame:
    """The journal as people read it: who (by name), when, what."""
    journal = store.journal() if store.has_state() else pd.DataFrame(columns=list(JOURNAL_COLUMNS))
    if journal.empty:
        return pd.DataFrame(columns=list(JOURNAL_COLUMNS.values()))
    names = _names(store.state())
    frame = journal[list(JOURNAL_COLUMNS)].copy()
    frame["actor"] = frame["actor"].map(lambda a: f"{names.get(a, a)} ({a})" if isinstance(a, str) and a else "—")
    frame["at"] = pd.to_datetime(frame["at"]).dt.strftime("%d.%m.%Y %H:%M")
    frame["on_day"] = pd.to_datetime(frame["on_day"]).dt.strftime("%d.%m.%Y")
    return frame.rename(columns=JOURNAL_COLUMNS)


def export_journal(journal: pd.DataFrame, path: str | Path) -> Path:
    """Write a journal to XLSX readable by the owner only (it names people)."""
    from sferum_lib.workbook.writer import atomic_path

    path = Path(path)
    frame = journal.copy()
    if "params" in frame:
        frame["params"] = frame["params"].map(str)
    with atomic_path(path) as tmp:
        frame.to_excel(tmp, index=False, sheet_name="Журнал")
    os.chmod(path, 0o600)
    return path


def acting_admin(snapshot: Snapshot) -> str | None:
    """Who acts in the workbench: the administrator named in the organisation's parameters."""
    return snapshot.organisation.admin_id
