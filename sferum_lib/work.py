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
from sferum_lib.errors import InputFileError, Problem, UsageError
from sferum_lib.model import Snapshot, full_name
from sferum_lib.regulation import default_catalogue
from sferum_lib.regulation.catalogue import cite_finding
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
    how: str  # which procedure fixes it, what to do by hand, or what must happen first
    actions: tuple[Action, ...] = ()
    #: why the procedure that fixes it cannot succeed yet (its refusal); then nothing is offered but the wait
    waiting: str = ""

    @property
    def by_hand(self) -> bool:
        return not self.actions and not self.waiting

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


#: Actions offered only when their procedure would be accepted now: completing a verification needs the
#: teacher to have started it (п. 2.1, ADM-11), which only the teacher can do.
_ONLY_WHEN_POSSIBLE = {"confirm_status"}


def _possible(actions: tuple[Action, ...], state: Any) -> tuple[tuple[Action, ...], str]:
    """The actions that can succeed, and — when none can — the refusal that says what must happen first.

    The procedure's own preconditions decide (:func:`sferum_lib.procedures.refusal`), as the administrator acts.
    """
    from sferum_lib.procedures import refusal

    kept, why = [], ""
    for action in actions:
        if action.procedure in _ONLY_WHEN_POSSIBLE:
            refused = refusal(action.procedure, state, acting_admin(state.s), **action.params)
            if refused is not None:
                why = why or str(refused)
                continue
        kept.append(action)
    return tuple(kept), ("" if kept else why)


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
    from sferum_lib.procedures import state_of

    settings = settings or AuditSettings()
    result = audit(snapshot, as_of, settings)
    done = marked_done(journal)
    names = _names(snapshot)
    teacher_of = dict(zip(snapshot.sections["code"], snapshot.sections["teacher_id"], strict=True))
    org = snapshot.organisation
    state = state_of(snapshot, as_of, journal)  # one for all items: what the procedures would say
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
        actions, waiting = _possible(_actions(check, subject, settings), state)
        groups[who].items.append(
            Item(
                check,
                subject,
                cite_finding(str(row.clause), str(row.duty), org.regulation_edition),  # in the organisation's edition
                str(row.duty),
                str(row.severity),
                str(row.message),
                f"Пока нельзя: {waiting}" if waiting else _how(check, actions),
                actions,
                waiting,
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
        store.start_state(store.snapshot(number), f"снимок № {number}", keep_journal=True)


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
    other_organisation: str = ""  # the refusal when the workbook is another organisation's (see identity.py)

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


def upload(store_path: str | Path, files: list[tuple[str, bytes]], as_of: dt.date, renamed: bool = False) -> Uploaded:
    """Check uploaded files (one ``.xlsx`` or CSV files) and, if they follow the contract, save them as a snapshot
    that becomes the working state. Nothing is saved when there are errors, nor when the workbook is another
    organisation's than the store's (unless ``renamed``: the user says the organisation was renamed)."""
    from sferum_lib.checks import movement
    from sferum_lib.identity import OtherOrganisation, check_same_organisation
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
        try:
            check_same_organisation(
                store.organisation(),
                result.snapshot.organisation,
                str(store.path),
                renamed=renamed,
                hint="Если это ваша организация и она переименована, отметьте «Организация переименована» "
                "и загрузите книгу снова.",
            )
        except OtherOrganisation as exc:
            return Uploaded(other_organisation=str(exc))
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
    duties = default_catalogue().for_organisation(store.state().organisation)
    known = {d.id for d in duties}
    # the duty as people read it, «Аннулирование невостребованных ссылок (п. 2.1)», not its code
    frame["duty"] = frame["duty"].map(lambda d: f"{duties[d].title} ({duties[d].citation})" if d in known else d)
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


# --- one person's work: the role notebooks' «работа» ----------------------------------------------------------

#: The roles whose holders have a work page (``sferum app ROLE --store``); the administrator's is the workbench.
PERSON_ROLES = ("head", "pdo", "ped", "student", "parent")
#: The duty under which a role's chats are made and people invited into them.
CHAT_DUTY_OF = {"head": "HEAD-06", "pdo": "PDO-03", "ped": "PED-03"}
#: The head's duty a finding of another role's duty is acted on under (the head appoints the administrator).
_ROLE_DUTY_OF_CHECK = {"admin-appointed": "HEAD-02", "local-act": "HEAD-01"}
_CHECK_ORDER = {"section-chats": 0, "management-chats": 0, "student-coverage": 1, "parent-coverage": 2}
_SECTION_CHAT_LABELS = {
    "section-students": "обучающиеся",
    "section-parents": "родители",
    "section-teachers": "педагоги",
}


@dataclass(frozen=True)
class Task:
    """One of a person's duties as a step of their work: what the regulation says, why, what the data shows,
    the findings behind it and the buttons that perform it."""

    duty: Any  # sferum_lib.regulation.Duty, in the organisation's edition and messenger
    status: str
    detail: str
    why: str
    items: tuple[Item, ...] = ()
    actions: tuple[Action, ...] = ()

    @property
    def pending(self) -> bool:
        from sferum_lib.checklist import PENDING

        return self.status == PENDING or bool(self.items)

    @property
    def platform(self) -> str:
        """The platform's words for what the buttons do («Создать ссылку-приглашение»), or what to do by hand."""
        from sferum_lib.procedures import PROCEDURES

        titles = dict.fromkeys(PROCEDURES[a.procedure].title for a in self.actions if a.procedure in PROCEDURES)
        return ", ".join(f"«{t}»" for t in titles)


@dataclass(frozen=True)
class Chat:
    id: str
    name: str
    kind: str  # the type as people read it
    members: int
    last_message: str


@dataclass(frozen=True)
class SectionWork:
    """A teacher's section: its chats, who is missing from them, and the buttons that invite them."""

    code: str
    name: str
    chats: tuple[Chat, ...]
    missing_chats: tuple[str, ...]
    missing_pupils: tuple[str, ...]  # «Name (ID)»
    missing_parents: tuple[str, ...]
    actions: tuple[Action, ...]
    open_links: tuple[str, ...] = ()  # links already made for those missing: «I6 в чат «…» (обучающийся)»


@dataclass
class PersonWork:
    """What one person of a role has to do, from the organisation's working state on a day."""

    person_id: str
    name: str  # «Фамилия Имя Отчество»
    role: str
    role_title: str
    gender: str | None
    tasks: list[Task] = field(default_factory=list)
    sections: list[SectionWork] = field(default_factory=list)
    chats: list[Chat] = field(default_factory=list)  # the head's management chats; a pupil's or parent's chats
    indicators: list[Any] = field(default_factory=list)  # the head's usage indicators

    @property
    def pending(self) -> list[Task]:
        return [t for t in self.tasks if t.pending]


def people_of_role(snapshot: Snapshot, role: str, as_of: dt.date | None = None) -> list[tuple[str, str]]:
    """(«Фамилия Имя Отчество (ID)», ID) of everyone who holds ``role`` in the organisation, by name."""
    from sferum_lib.checklist import roles_of
    from sferum_lib.model import is_current

    if role not in PERSON_ROLES and role != ADMIN:
        raise UsageError(f"Неизвестная роль «{role}». Роли: {', '.join((ADMIN, *PERSON_ROLES))}.")
    day = pd.Timestamp(as_of or dt.date.today())
    if role == "student":
        table = snapshot.pupils[is_current(snapshot.pupils["enrolled"], snapshot.pupils["expelled"], day)]
    elif role == "parent":
        table = snapshot.parents
    else:
        staff = snapshot.staff[is_current(snapshot.staff["hired"], snapshot.staff["dismissed"], day)]
        table = staff[[role in roles_of(snapshot, i) for i in staff["id"]]]
    names = full_name(table)
    people = sorted(zip(names, table["id"], strict=True))
    return [(f"{n} ({i})", str(i)) for n, i in people]


def _chat_rows(snapshot: Snapshot, chats: pd.DataFrame) -> list[Chat]:
    from sferum_lib.model import CHAT_TYPE_LABELS

    counts = snapshot.members.groupby("chat_id").size()
    labels = {k.value: v for k, v in CHAT_TYPE_LABELS.items()}
    rows = []
    for chat in chats.itertuples(index=False):
        last = pd.Timestamp(chat.last_message) if pd.notna(chat.last_message) else None
        rows.append(
            Chat(
                str(chat.id),
                str(chat.name),
                labels.get(chat.type, str(chat.type)),
                int(counts.get(chat.id, 0)),
                f"{last:%d.%m.%Y}" if last is not None else "—",
            )
        )
    return rows


def _section_work(snapshot: Snapshot, code: str, groups_items: list[Item], people: Any) -> SectionWork:
    from sferum_lib.model import ChatType

    section = snapshot.sections[snapshot.sections["code"] == code].iloc[0]
    name = str(section["name"]) if pd.notna(section["name"]) else code
    chats = snapshot.chats[snapshot.chats["section_code"] == code]
    mine = [i for i in groups_items if i.subject.split("/", 1)[0] == code]
    pupils = [i.subject.split("/", 1)[1] for i in mine if i.check == "student-coverage"]
    parents = [i.subject.split("/", 1)[1] for i in mine if i.check == "parent-coverage"]
    missing = [i.subject.split("/", 1)[1] for i in mine if i.check == "section-chats"]
    actions: list[Action] = []
    links: list[str] = []
    for chat_type, who, role in (
        (ChatType.SECTION_STUDENTS.value, pupils, "обучающийся"),
        (ChatType.SECTION_PARENTS.value, parents, "родитель"),
    ):
        target = chats[chats["type"] == chat_type]
        if who and not target.empty:
            chat = target.iloc[0]
            invites = snapshot.invites
            open_links = invites[
                (invites["target"] == f"чат:{chat['id']}") & (invites["role"] == role) & invites["annulled"].isna()
            ]
            if not open_links.empty:  # one link serves the whole group: send the one there is
                links.append(f"{open_links['id'].iloc[-1]} в чат «{chat['name']}» ({role})")
                continue
            label = "обучающихся" if role == "обучающийся" else "родителей"
            actions.append(
                Action(
                    f"Создать ссылку для {label}: «{chat['name']}»",
                    "issue_invite",
                    {"target": f"чат:{chat['id']}", "role": role},
                )
            )
    for chat_type in missing:
        words = _SECTION_CHAT_LABELS.get(chat_type, chat_type)
        actions.append(
            Action(
                f"Создать чат «{name} — {words}»",
                "create_chat",
                {"chat_type": chat_type, "name": f"{name} — {words}", "section": code},
            )
        )
    return SectionWork(
        code,
        name,
        tuple(_chat_rows(snapshot, chats)),
        tuple(_SECTION_CHAT_LABELS.get(t, t) for t in missing),
        tuple(people.who(pupils)) if pupils else (),
        tuple(people.who(parents)) if parents else (),
        tuple(actions),
        tuple(links),
    )


def _head_actions(snapshot: Snapshot, items: list[Item], head: str) -> dict[str, tuple[Action, ...]]:
    """Buttons of the head's findings: a missing management chat is created, a missing activist is added."""
    from sferum_lib.model import ChatType

    out: dict[str, tuple[Action, ...]] = {}
    for item in items:
        if item.check == "management-chats":
            label = ChatType(item.subject).label if item.subject in set(ChatType) else item.subject
            out[item.key] = (
                Action(f"Создать чат «{label}»", "create_chat", {"chat_type": item.subject, "name": label}),
            )
        elif item.check == "activist-chats" and "/" in item.subject:
            chat_type, person = item.subject.split("/", 1)
            chats = snapshot.chats[(snapshot.chats["type"] == chat_type) & (snapshot.chats["owner_id"] == head)]
            if chats.empty:
                chats = snapshot.chats[snapshot.chats["type"] == chat_type]
            if not chats.empty:
                chat = chats.iloc[0]
                out[item.key] = (
                    Action(
                        f"Добавить в чат «{chat['name']}»",
                        "add_chat_member",
                        {"chat_id": str(chat["id"]), "person_id": person},
                    ),
                )
    return out


def _unique(actions: list[Action]) -> tuple[Action, ...]:
    """The actions in order, each once (an action's parameters are a dict: it is not hashable)."""
    seen: dict[str, Action] = {}
    for action in actions:
        seen.setdefault(f"{action.procedure}|{sorted(action.params.items())}", action)
    return tuple(seen.values())


def _whys(role: str) -> dict[str, str]:
    """Why each duty matters, in the training's words (the same text a person read in training)."""
    try:
        from sferum_lib.training import STEPS

        return {s.duty: s.why for s in STEPS.get(role, ())}
    except Exception:  # the training's content is optional for the work page: without it no «зачем» is shown
        return {}


def person_work(
    snapshot: Snapshot,
    person_id: str,
    role: str,
    as_of: dt.date,
    journal: pd.DataFrame | None = None,
    settings: AuditSettings | None = None,
) -> PersonWork:
    """``person_id``'s duties as ``role`` on ``as_of``: the checklist's statuses, the audit's findings that are
    theirs to act on (the teacher's sections, the head's chats) with the procedures that perform them."""
    from sferum_lib.checklist import PENDING, checklist, roles_of
    from sferum_lib.grammar import People

    settings = settings or AuditSettings()
    catalogue = default_catalogue().for_organisation(snapshot.organisation)
    if role not in roles_of(snapshot, person_id):
        people = dict(people_of_role(snapshot, role, as_of))
        raise UsageError(
            f"{person_id} — не «{catalogue.roles[role]}» по данным организации."
            + (" Выберите из списка своей роли." if people else "")
        )
    people = People(snapshot)
    person = people.person(person_id)
    name = person.name() if person is not None else person_id
    groups = {g.who: g for g in todo(snapshot, as_of, settings, journal)}
    if role == "head":
        items = list(groups[HEAD].items) if HEAD in groups and person_id == snapshot.organisation.head_id else []
    elif role in ("pdo", "ped"):
        items = list(groups[person_id].items) if person_id in groups else []
    else:
        items = []
    head_actions = _head_actions(snapshot, items, person_id) if role == "head" else {}
    result = PersonWork(person_id, name, role, catalogue.roles[role], person.gender if person is not None else None)
    if role in ("pdo", "ped"):
        codes = sorted(snapshot.sections.loc[snapshot.sections["teacher_id"] == person_id, "code"])
        result.sections = [_section_work(snapshot, c, items, people) for c in codes]
    whys = _whys(role)
    own_duties = {d.id for d in catalogue.for_role(role)}
    chat_duty = CHAT_DUTY_OF.get(role)
    by_duty: dict[str, list[Item]] = {}
    for item in items:
        duty = item.duty if item.duty in own_duties else _ROLE_DUTY_OF_CHECK.get(item.check, chat_duty or item.duty)
        by_duty.setdefault(duty, []).append(item)
    for entry in checklist(snapshot, person_id, as_of, journal, settings):
        if entry.duty.role != role:
            continue
        # what is missing first (a chat), then who is missing from it (pupils, then parents)
        mine = tuple(sorted(by_duty.get(entry.duty.id, ()), key=lambda i: (_CHECK_ORDER.get(i.check, 9), i.subject)))
        actions: list[Action] = []
        for item in mine:
            actions += head_actions.get(item.key, ())
        if entry.duty.id == chat_duty:
            actions += [a for s in result.sections for a in s.actions]
        status, detail = entry.status, entry.detail
        if mine and status != PENDING:  # the checklist saw it done, the audit's findings say what is left
            status, detail = PENDING, f"{detail}; замечаний аудита по-прежнему: {len(mine)}"
        result.tasks.append(Task(entry.duty, status, detail, whys.get(entry.duty.id, ""), mine, _unique(actions)))
    if role == "head":
        from sferum_lib.checks.indicators import indicators
        from sferum_lib.model import MANAGEMENT_CHAT_TYPES

        types = {t.value for t in MANAGEMENT_CHAT_TYPES}
        result.chats = _chat_rows(snapshot, snapshot.chats[snapshot.chats["type"].isin(types)])
        result.indicators = indicators(snapshot, as_of)
    elif role in ("student", "parent"):
        mine_chats = set(snapshot.members.loc[snapshot.members["person_id"] == person_id, "chat_id"])
        result.chats = _chat_rows(snapshot, snapshot.chats[snapshot.chats["id"].isin(mine_chats)])
    return result
