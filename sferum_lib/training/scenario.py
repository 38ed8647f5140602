"""A practice scenario: the trainee's own practice organisation with planted problems, to be brought to a clean audit.

The step-by-step training teaches one duty at a time; a scenario asks for the whole job. The practice organisation
starts from the demo made tidy — its audit finds nothing — and then gets problems of the kinds the audit's own
checks find and this role fixes by its procedures: a forgotten link, a request nobody decided, a pupil expelled
but still in the chats, a missing chat or channel, an activist outside the head's chat. Which people and which
sections are picked is drawn from the trainee's name, so a participant finds the same organisation each time and
neighbours find different ones.

The trainee sees what the audit still finds (:meth:`Scenario.tasks`, built on :func:`sferum_lib.work.todo`), picks
an action; it runs as the role's person through the same procedures as real work (a refusal cites the clause and
changes nothing), and the organisation answers where a person would (a parent joins by the link just sent). Every
action, refusal and the moment the audit becomes clean are training events in the scenario's own store,
``<session>/<trainee>/scenario/<role>.db`` — apart from the step training's ``<role>.db`` so neither disturbs the
other — and :func:`scenario_results` summarises them for the session report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sferum_lib.checks import audit
from sferum_lib.checks.audit import CHECKS_BY_KEY
from sferum_lib.errors import SferumError, UsageError
from sferum_lib.model import (
    CHAT_TYPE_LABELS,
    SYSTEM_CHANNELS,
    ChatType,
    Snapshot,
    conform,
    is_current,
    is_pedagogical,
)
from sferum_lib.procedures import PROCEDURES, Refused, State, Workspace
from sferum_lib.procedures.base import Context, append, next_id
from sferum_lib.procedures.links import owned_chat
from sferum_lib.regulation import default_catalogue
from sferum_lib.regulation.catalogue import cite_finding
from sferum_lib.sandbox import folder_name, practice_organisation
from sferum_lib.store import Store
from sferum_lib.training.session import DONE, REFUSED, START, Feedback
from sferum_lib.training.steps import personas
from sferum_lib.work import REMOVE_FROM_CHATS, todo

#: Roles whose procedures fix what the audit finds; the pupil's and the parent's duties fix nothing it checks.
ROLES: tuple[str, ...] = ("admin", "head", "pdo", "ped")
#: Event kinds besides the step training's: what was planted (JSON) and the moment the audit became clean.
PLANTED, CLEAN = "planted", "clean"
#: The sub-folder of a trainee's folder that holds their scenarios (one store per role).
FOLDER = "scenario"
#: The duty an event of the scenario as a whole is filed under (not a step of the catalogue).
WHOLE = "—"
#: Who acts for each role: a key of :func:`sferum_lib.training.steps.personas`.
ACTOR = {"admin": "admin", "head": "head", "pdo": "teacher", "ped": "methodist"}
RESULT_COLUMNS = ["Участник", "Роль", "Проблем заложено", "Исправлено", "Аудит чист", "Когда", "Действий", "Отказов"]


@dataclass(frozen=True)
class Move:
    """A button of a task: a procedure with its parameters; ``answers`` is the person who responds to a link."""

    label: str
    procedure: str
    params: dict[str, Any] = field(default_factory=dict)
    answers: str | None = None


@dataclass(frozen=True)
class Task:
    """One finding the audit still makes, with the actions the trainee may try."""

    check: str
    subject: str
    severity: str
    clause: str  # cited in the organisation's edition: «п. 2.1»
    duty: str
    text: str
    moves: tuple[Move, ...]

    @property
    def key(self) -> str:
        return f"{self.check}/{self.subject}"


def scenario_path(session: str | Path, trainee: str, role: str) -> Path:
    return Path(session) / folder_name(trainee) / FOLDER / f"{role}.db"


def _seed(trainee: str, role: str) -> int:
    """A number from the trainee's name (as their folder spells it): the same person gets the same organisation."""
    digest = hashlib.sha256(f"{folder_name(trainee).lower()}|{role}".encode()).hexdigest()
    return int(digest[:12], 16)


# --- a tidy practice organisation: the audit finds nothing ---------------------------------------------------------


def _ago(day: dt.date, days: int) -> pd.Timestamp:
    return pd.Timestamp(day) - pd.Timedelta(days=days)


def _members(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    return conform(pd.DataFrame(pairs, columns=["chat_id", "person_id"]), "members")


def tidy(snapshot: Snapshot, day: dt.date) -> Snapshot:
    """The organisation with every duty done as the regulation asks: the audit on ``day`` finds nothing.

    Chats are rebuilt from the records (each section's three chats with its pupils and their parents, the head's
    four), so what is planted later is the only thing wrong."""
    on = pd.Timestamp(day)
    org = snapshot.organisation
    staff = snapshot.staff.copy()
    current = is_current(staff["hired"], staff["dismissed"], on)
    pedagogues = current & is_pedagogical(staff["position"])
    staff.loc[pedagogues & staff["joined"].isna(), "joined"] = _ago(day, 40)
    staff.loc[pedagogues, ["in_teachers_room", "status_confirmed"]] = True
    # one administrator: a teacher who is also an additional administrator could act on any chat, and the
    # teacher's role would not be practised
    staff.loc[staff["platform_role"] == "дополнительный администратор", "platform_role"] = None
    teachers = list(staff.loc[current & (staff["position"] == "педагог дополнительного образования"), "id"])

    sections = snapshot.sections.copy()
    for i in sections.index[~sections["teacher_id"].isin(teachers)]:  # a section of a teacher who has left
        sections.loc[i, "teacher_id"] = teachers[i % len(teachers)]
    sections["class_created"] = True

    pupils = snapshot.pupils.copy()
    studying = is_current(pupils["enrolled"], pupils["expelled"], on)
    pupils.loc[studying & pupils["joined"].isna(), "joined"] = _ago(day, 20)
    pupils["activist"] = False
    pupils.loc[pupils.index[studying.to_numpy()][:2], "activist"] = True
    enrol = snapshot.enrolments[snapshot.enrolments["pupil_id"].isin(pupils.loc[studying, "id"])]
    kin = snapshot.kinship[snapshot.kinship["pupil_id"].isin(enrol["pupil_id"])]
    parents = snapshot.parents.copy()
    of_current = parents["id"].isin(kin["parent_id"])
    parents.loc[of_current & parents["joined"].isna(), "joined"] = _ago(day, 20)
    parents["activist"] = False
    parents.loc[parents.index[of_current.to_numpy()][:2], "activist"] = True

    tidied = snapshot.with_tables(staff=staff, sections=sections, pupils=pupils, parents=parents)
    methodist = personas(tidied)["methodist"]
    head = org.head_id or str(staff["id"].iloc[0])
    chats: list[tuple[str, str, str, str | None, str]] = [
        ("H1", "Руководство", ChatType.HEAD_DEPUTIES.value, None, head),
        ("H2", "Педагоги", ChatType.HEAD_TEACHERS.value, None, head),
        ("H3", "Родительский совет", ChatType.HEAD_PARENT_ACTIVISTS.value, None, head),
        ("H4", "Совет обучающихся", ChatType.HEAD_STUDENT_ACTIVISTS.value, None, head),
    ]
    deputies = staff.loc[current & staff["position"].str.contains("заместитель", na=False), "id"]
    pairs = [("H1", head), *(("H1", d) for d in deputies)]
    pairs += [("H2", head), *(("H2", p) for p in staff.loc[pedagogues, "id"] if p != head)]
    pairs += [("H3", head), *(("H3", p) for p in parents.loc[parents["activist"], "id"])]
    pairs += [("H4", head), *(("H4", p) for p in pupils.loc[pupils["activist"], "id"])]
    for code, name, teacher in zip(sections["code"], sections["name"], sections["teacher_id"], strict=True):
        own = list(enrol.loc[enrol["section_code"] == code, "pupil_id"])
        kin_of = list(dict.fromkeys(kin.loc[kin["pupil_id"].isin(own), "parent_id"]))
        for prefix, chat_type, word, people in (
            ("S", ChatType.SECTION_STUDENTS, "ребята", own),
            ("P", ChatType.SECTION_PARENTS, "родители", kin_of),
            ("T", ChatType.SECTION_TEACHERS, "педагоги", []),
        ):
            chats.append((f"{prefix}-{code}", f"{name} — {word}", chat_type.value, code, teacher))
            pairs += [(f"{prefix}-{code}", teacher), *((f"{prefix}-{code}", p) for p in people)]
    # the lesson chat of the methodist who teaches in the first section (the «ped» role's own chat)
    code = str(personas(tidied)["section"])
    chats.append(
        (
            f"L-{code}",
            "Занятие: " + str(sections.set_index("code").loc[code, "name"]),
            ChatType.LESSON.value,
            code,
            methodist,
        )
    )
    pairs += [
        (f"L-{code}", methodist),
        *((f"L-{code}", p) for p in enrol.loc[enrol["section_code"] == code, "pupil_id"]),
    ]
    chat_frame = pd.DataFrame(chats, columns=["id", "name", "type", "section_code", "owner_id"]).assign(
        created=_ago(day, 60), last_message=_ago(day, 1)
    )
    invites = snapshot.invites
    requests = snapshot.requests
    return dataclasses.replace(
        tidied.with_tables(
            chats=conform(chat_frame, "chats"),
            members=_members(pairs).drop_duplicates(["chat_id", "person_id"]).reset_index(drop=True),
            channels=conform(pd.DataFrame({"name": list(SYSTEM_CHANNELS), "last_post": _ago(day, 2)}), "channels"),
            invites=invites[invites["used"].notna() | invites["annulled"].notna()].reset_index(drop=True),
            requests=requests[requests["decision"].notna()].reset_index(drop=True),
        ),
        organisation=dataclasses.replace(
            org,
            head_id=head,
            admin_order_date=org.admin_order_date or _ago(day, 90).date(),
            usage_order_number=org.usage_order_number or "7-од",
            usage_order_date=org.usage_order_date or _ago(day, 90).date(),
            application_sent=org.application_sent or _ago(day, 85).date(),
            admin_registered=org.admin_registered or _ago(day, 80).date(),
            teachers_room_created=org.teachers_room_created or _ago(day, 80).date(),
        ),
    )


# --- planting problems ------------------------------------------------------------------------------------------


class _Planter:
    """Changes a tidy organisation so that the audit finds what this role fixes; remembers acts to journal."""

    def __init__(self, snapshot: Snapshot, day: dt.date, seed: int) -> None:
        self.s = snapshot
        self.day = day
        self.rng = np.random.default_rng(seed)
        self.p = personas(snapshot)
        self.follow: list[tuple[str, str, dict[str, Any]]] = []  # procedures run after the start (journaled)

    def pick(self, candidates: Any, k: int = 1) -> list[str]:
        pool = sorted(dict.fromkeys(str(c) for c in candidates))
        if len(pool) < k:
            return pool
        return [pool[i] for i in sorted(self.rng.choice(len(pool), size=k, replace=False))]

    def set(self, **tables: pd.DataFrame) -> None:
        self.s = self.s.with_tables(**tables)

    def owner(self, chat_id: str) -> str:
        chats = self.s.chats
        return str(chats.loc[chats["id"] == chat_id, "owner_id"].iloc[0])

    def drop_member(self, chat_id: str, person_id: str) -> None:
        m = self.s.members
        self.set(members=m[~((m["chat_id"] == chat_id) & (m["person_id"] == person_id))].reset_index(drop=True))

    def add_member(self, chat_id: str, person_id: str) -> None:
        self.set(members=append(self.s.members, "members", chat_id=chat_id, person_id=person_id, added=self.day))

    def drop_chat(self, chat_id: str) -> None:
        self.set(
            chats=self.s.chats[self.s.chats["id"] != chat_id].reset_index(drop=True),
            members=self.s.members[self.s.members["chat_id"] != chat_id].reset_index(drop=True),
        )

    def edit(self, table: str, person_id: str, **values: Any) -> None:
        frame = self.s.tables[table].copy()
        for column, value in values.items():
            frame.loc[frame["id"] == person_id, column] = value
        self.set(**{table: conform(frame, table)})

    def link(self, created_by: str, target: str, role: str, age: int) -> str:
        invites = self.s.invites
        invite_id = next_id(invites, "I")
        self.set(
            invites=append(
                invites,
                "invites",
                id=invite_id,
                created=_ago(self.day, age),
                created_by=created_by,
                target=target,
                role=role,
                token=f"practice-{invite_id.lower()}",
            )
        )
        return invite_id

    def request(self, person_id: str, role: str, age: int) -> None:
        requests = self.s.requests
        self.set(
            requests=append(
                requests,
                "requests",
                id=next_id(requests, "Q"),
                applicant_id=person_id,
                role=role,
                filed=_ago(self.day, age),
            )
        )

    def current_pupils(self, section: str | None = None) -> list[str]:
        state = State(self.s, self.day)
        return sorted(state.pupils_of(section) if section else state.current_pupils())

    def others(self) -> list[str]:
        """Current pedagogues with no part to play: not the head, an administrator, a persona or a section's teacher."""
        state = State(self.s, self.day)
        busy = set(self.p.values()) | state.administrators() | set(self.s.sections["teacher_id"])
        return sorted(state.pedagogues() - busy - state.the_head())

    def dismiss(self, staff_id: str) -> None:
        self.edit("staff", staff_id, dismissed=_ago(self.day, 4))

    def expel(self, pupil_id: str, keep_owner: str) -> None:
        """The pupil is expelled but stays in the chats of ``keep_owner`` (who must remove them); others did."""
        self.edit("pupils", pupil_id, expelled=_ago(self.day, 3))
        for chat_id in list(self.s.members.loc[self.s.members["person_id"] == pupil_id, "chat_id"]):
            if self.owner(chat_id) != keep_owner:
                self.drop_member(chat_id, pupil_id)
        state = State(self.s, self.day)
        parents = self.s.kinship.loc[self.s.kinship["pupil_id"] == pupil_id, "parent_id"]
        chats = self.s.chats.set_index("id", drop=False)
        for chat_id, person_id in self.s.members.loc[
            self.s.members["person_id"].isin(parents), ["chat_id", "person_id"]
        ].itertuples(index=False):
            if self.owner(chat_id) != keep_owner and not state.may_be_member(chats.loc[chat_id], person_id):
                self.drop_member(chat_id, person_id)

    # --- the roles -----------------------------------------------------------------------------------------
    def admin(self) -> None:
        admin = self.s.organisation.admin_id or self.p["admin"]
        self.link(admin, "Учительская", "педагог", age=12)
        pupils = self.current_pupils()
        accepted, wrong_role = self.pick(pupils, 2)
        self.request(accepted, "обучающийся", age=5)
        self.request(wrong_role, "педагог", age=6)  # a pupil asking for the teachers' role: reject
        expelled = self.s.pupils.loc[self.s.pupils["expelled"] <= pd.Timestamp(self.day), "id"]
        for gone in self.pick(expelled):
            self.request(gone, "обучающийся", age=4)  # no longer a pupil here: reject
        for leaving in self.pick(self.others()):
            self.dismiss(leaving)  # still in the head's chats: remove from the chats
        staff = self.s.staff
        outsiders = staff.loc[~is_pedagogical(staff["position"]) & staff["dismissed"].isna(), "id"]
        section_chats = self.s.chats.loc[self.s.chats["type"] == ChatType.SECTION_STUDENTS.value, "id"]
        for outsider, chat_id in zip(self.pick(outsiders), self.pick(section_chats), strict=False):
            self.add_member(chat_id, outsider)
        missing = self.pick(SYSTEM_CHANNELS)
        self.set(channels=self.s.channels[~self.s.channels["name"].isin(missing)].reset_index(drop=True))
        sections = self.s.sections.copy()
        sections.loc[sections["code"].isin(self.pick(sections["code"])), "class_created"] = False
        self.set(sections=sections)
        teachers = [t for t in self.s.sections["teacher_id"] if t != admin]
        for teacher in self.pick(teachers):
            self.edit("staff", teacher, status_confirmed=False)
            self.follow.append(("start_verification", teacher, {"staff_id": teacher}))

    def head(self) -> None:
        org = self.s.organisation
        self.s = dataclasses.replace(
            self.s, organisation=dataclasses.replace(org, usage_order_number=None, usage_order_date=None)
        )
        self.drop_chat("H4")  # the pupils' activists: once it is made, the activists must be added
        parents = self.s.parents
        in_council = set(self.s.members.loc[self.s.members["chat_id"] == "H3", "person_id"])
        candidates = [p for p in parents.loc[parents["joined"].notna(), "id"] if p not in in_council]
        joined, not_yet = [*self.pick(candidates, 2), None, None][:2]
        for parent in (joined, not_yet):
            if parent:
                self.edit("parents", parent, activist=True)
        if not_yet:
            self.edit("parents", not_yet, joined=pd.NaT)  # add refused: send a link, the parent joins by it
        for leaving in self.pick(self.others()):
            self.dismiss(leaving)

    def pdo(self) -> None:
        teacher, section = self.p["teacher"], self.p["section"]
        self.drop_chat(f"T-{section}")
        pupils = self.current_pupils(section)
        with_parents = sorted(set(pupils) & set(self.s.kinship["pupil_id"]))
        with_parent = next(iter(self.pick(with_parents)), None)
        rest = [p for p in pupils if p != with_parent]
        outside, unjoined, leaving = [*self.pick(rest, 3), None, None, None][:3]
        if outside:
            self.drop_member(f"S-{section}", outside)
        if unjoined:
            self.drop_member(f"S-{section}", unjoined)
            self.drop_member(f"L-{section}", unjoined)
            self.edit("pupils", unjoined, joined=pd.NaT)  # add refused: send a link, the pupil joins by it
        if leaving:
            self.expel(leaving, keep_owner=teacher)
        if with_parent:
            kin = self.s.kinship
            for parent in self.pick(kin.loc[kin["pupil_id"] == with_parent, "parent_id"]):
                self.drop_member(f"P-{section}", parent)
        strangers = [p for p in self.current_pupils() if p not in pupils]
        for stranger in self.pick(strangers):
            self.add_member(f"S-{section}", stranger)

    def ped(self) -> None:
        methodist, section = self.p["methodist"], self.p["section"]
        self.edit("staff", methodist, status_confirmed=False)
        lesson = f"L-{section}"
        members = set(self.s.members.loc[self.s.members["chat_id"] == lesson, "person_id"])
        for leaving in self.pick([p for p in self.current_pupils(section) if p in members]):
            self.expel(leaving, keep_owner=methodist)
        self.link(methodist, f"чат:{lesson}", "обучающийся", age=15)


@functools.lru_cache(maxsize=4)
def _tidy_on(day: dt.date) -> Snapshot:
    """The tidy organisation of a day, made once per process: a class of thirty starts on the same day.
    Planting never changes its frames in place (every change makes new ones)."""
    return tidy(practice_organisation("demo", as_of=day), day)


def _finding_keys(snapshot: Snapshot, day: dt.date) -> list[str]:
    findings = audit(snapshot, day).findings
    return [f"{c}/{s}" for c, s in zip(findings["check"], findings["subject"], strict=True)]


# --- the scenario ------------------------------------------------------------------------------------------------


class Scenario:
    """One trainee, one role, one practice organisation with problems in ``<session>/<trainee>/scenario/<role>.db``."""

    def __init__(self, session: str | Path, trainee: str, role: str, day: dt.date | None = None) -> None:
        if role not in ROLES:
            titles = default_catalogue().roles
            known = ", ".join(f"{r} ({titles[r]})" for r in ROLES)
            raise UsageError(f"Практический сценарий есть для ролей: {known}; роли «{role}» в нём нет.")
        self.session, self.trainee, self.role = Path(session), trainee, role
        self.path = scenario_path(session, trainee, role)
        if not self.path.exists():
            self._make(day or dt.date.today())
        plan = self.plan()
        self.day: dt.date = dt.date.fromisoformat(plan["day"])  # the scenario's day stays: a link ages with it
        self.actor: str = plan["actor"]

    def _store(self) -> Store:
        return Store(self.path, create=False)

    def _make(self, day: dt.date) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        clean = _tidy_on(day)
        planter = _Planter(clean, day, _seed(self.trainee, self.role))
        getattr(planter, self.role)()
        actor = personas(planter.s)[ACTOR[self.role]]
        if self.role == "admin":
            actor = planter.s.organisation.admin_id or actor
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        with Store(tmp) as store:
            store.add_snapshot(clean, "учебная организация без замечаний")
            store.add_snapshot(planter.s, "учебная организация с проблемами сценария")
            plan = {"day": day.isoformat(), "actor": actor, "follow": planter.follow}
            self._start(store, plan, "сценарий начат")
        tmp.replace(self.path)  # a half-made scenario is never seen by another kernel

    def _start(self, store: Store, plan: dict[str, Any], why: str) -> None:
        """The planted organisation as the working state, the planted acts journaled, the findings recorded."""
        day = dt.date.fromisoformat(plan["day"])
        store.start_state(store.snapshot(), "сценарий")
        space = Workspace(store)
        for procedure, actor, params in plan["follow"]:
            space.perform(procedure, actor=actor, day=day, **params)
        plan = {**plan, "findings": _finding_keys(store.state(), day)}
        store.record_training(self.trainee, self.role, WHOLE, START, why)
        store.record_training(self.trainee, self.role, WHOLE, PLANTED, json.dumps(plan, ensure_ascii=False))

    # --- reading ------------------------------------------------------------------------------------------
    def plan(self) -> dict[str, Any]:
        """What was planted at the latest start: the day, who acts, the findings (keys «check/subject»)."""
        with self._store() as store:
            events = store.training_events(self.trainee, self.role)
        planted = events[events["kind"] == PLANTED]
        if planted.empty:
            raise UsageError(f"Файл сценария «{self.path}» повреждён: нет записи о заложенных проблемах.")
        return dict(json.loads(planted["detail"].iloc[-1]))

    def state(self) -> Snapshot:
        with self._store() as store:
            return store.state()

    def events(self) -> pd.DataFrame:
        """The events since the latest start."""
        with self._store() as store:
            events = store.training_events(self.trainee, self.role)
        starts = events.loc[events["kind"] == START, "seq"]
        return events[events["seq"] >= (starts.max() if len(starts) else 0)].reset_index(drop=True)

    def planted(self) -> list[str]:
        return list(self.plan()["findings"])

    def remaining(self) -> list[str]:
        return _finding_keys(self.state(), self.day)

    def fixed(self, tasks: list[Task] | None = None) -> int:
        """How many planted problems are gone (from ``tasks`` when the caller has them: no second audit)."""
        remaining = {t.key for t in tasks} if tasks is not None else set(self.remaining())
        return len(set(self.planted()) - remaining)

    def clean(self) -> bool:
        return not self.remaining()

    def actor_name(self) -> str:
        return State(self.state(), self.day).who(self.actor)

    def tasks(self) -> list[Task]:
        """What the audit still finds, each with the actions this role may try."""
        state = self.state()
        with self._store() as store:
            journal = store.journal()
        edition = state.organisation.regulation_edition
        tasks = []
        for group in todo(state, self.day, journal=journal):
            for item in group.items:
                tasks.append(
                    Task(
                        item.check,
                        item.subject,
                        item.severity,
                        cite_finding(CHECKS_BY_KEY[item.check].clause, item.duty, edition),
                        item.duty,
                        item.text,
                        self._moves(state, item),
                    )
                )
        return tasks

    def _moves(self, state: Snapshot, item: Any) -> tuple[Move, ...]:
        check, subject = item.check, item.subject
        if self.role == "admin" and item.actions:
            return tuple(Move(a.label, a.procedure, dict(a.params)) for a in item.actions)
        chats = state.chats
        if check == "stale-invites":
            return (Move("Аннулировать ссылку", "annul_invite", {"invite_id": subject}),)
        if check == "departed-members":
            return (Move("Удалить из чатов", REMOVE_FROM_CHATS, {"person_id": subject}),)
        if check == "foreign-members":
            chat_id, person_id = subject.split("/", 1)
            return (Move("Удалить из чата", "remove_chat_member", {"chat_id": chat_id, "person_id": person_id}),)
        if check == "teacher-status":
            return (
                Move("Пройти верификацию статуса", "start_verification", {"staff_id": subject}),
                Move("Подтвердить статус самому", "confirm_status", {"staff_id": subject}),
            )
        if check == "local-act":
            number = f"{int(self.day.strftime('%j')) % 90 + 10}-од"
            return (Move(f"Издать приказ № {number}", "issue_usage_order", {"number": number}),)
        if check == "management-chats":
            name = CHAT_TYPE_LABELS[ChatType(subject)].split(" — ")[-1].capitalize()
            return (Move(f"Создать чат «{name}»", "create_chat", {"chat_type": subject, "name": name}),)
        if check == "section-chats":
            code, chat_type = subject.split("/", 1)
            section = state.sections.set_index("code")["name"].get(code, code)
            word = {"section-students": "ребята", "section-parents": "родители"}.get(chat_type, "педагоги")
            params = {"chat_type": chat_type, "name": f"{section} — {word}", "section": code}
            return (Move(f"Создать чат «{params['name']}»", "create_chat", params),)
        place = {
            "activist-chats": lambda: chats.loc[chats["type"] == subject.split("/", 1)[0], "id"],
            "student-coverage": lambda: chats.loc[
                (chats["type"] == ChatType.SECTION_STUDENTS.value) & (chats["section_code"] == subject.split("/")[0]),
                "id",
            ],
            "parent-coverage": lambda: chats.loc[
                (chats["type"] == ChatType.SECTION_PARENTS.value) & (chats["section_code"] == subject.split("/")[0]),
                "id",
            ],
        }.get(check)
        if place is not None:
            found = place()
            if found.empty:
                return ()
            chat_id, person_id = str(found.iloc[0]), subject.split("/", 1)[1]
            kind = State(state, self.day).kind(person_id)
            role = {"pupil": "обучающийся", "parent": "родитель"}.get(kind or "", "педагог")
            return (
                Move("Добавить в чат", "add_chat_member", {"chat_id": chat_id, "person_id": person_id}),
                Move(
                    "Отправить ссылку-приглашение",
                    "issue_invite",
                    {"target": f"чат:{chat_id}", "role": role},
                    answers=person_id,
                ),
            )
        return ()

    # --- acting -------------------------------------------------------------------------------------------
    def perform(self, move: Move) -> Feedback:
        """Run an action as this role's person; a refusal is journaled as a training event and changes nothing."""
        if move.procedure != REMOVE_FROM_CHATS and move.procedure not in PROCEDURES:
            return Feedback(False, f"Неизвестное действие «{move.label}».")
        with self._store() as store:
            space = Workspace(store)
            try:
                done = self._run(space, move)
            except Refused as exc:
                store.record_training(self.trainee, self.role, exc.attempted or exc.duty, REFUSED, str(exc))
                return Feedback(False, f"Отказ: {exc}", exc.duty, exc.clause)
            except SferumError as exc:
                return Feedback(False, f"Не получилось: {exc}")
            if not done:
                return Feedback(False, "Делать нечего: этого уже нет в данных организации.")
            summary = "; ".join(p.summary for p in done)
            store.record_training(self.trainee, self.role, done[0].duty, DONE, summary)
            reaction = self._react(space, move, done[-1])
            text = f"Готово: {summary}." + (f" {reaction}" if reaction else "")
            clean = not _finding_keys(store.state(), self.day)
            already = (self.events()["kind"] == CLEAN).any()
            if clean and not already:
                store.record_training(self.trainee, self.role, WHOLE, CLEAN, "аудит чист")
            if clean:
                text += " Аудит чист — сценарий пройден."
        return Feedback(True, text, done[0].duty, default_catalogue()[done[0].duty].clause)

    def _run(self, space: Workspace, move: Move) -> list[Any]:
        if move.procedure == REMOVE_FROM_CHATS:
            person = move.params["person_id"]
            state = State(space.state(), self.day)
            members = state.s.members
            chats = sorted(set(members.loc[members["person_id"] == person, "chat_id"]))
            # all or nothing: a chat this person may not act on refuses before anything is removed
            for chat_id in chats:
                owned_chat(state, Context(self.actor, self.day), chat_id, "Участников чата меняет его владелец")
            return [
                space.perform("remove_chat_member", actor=self.actor, day=self.day, chat_id=c, person_id=person)
                for c in chats
            ]
        return [space.perform(move.procedure, actor=self.actor, day=self.day, **move.params)]

    def _react(self, space: Workspace, move: Move, done: Any) -> str:
        """What the organisation answers: a person joins by the link just sent; the administrator completes a
        verification the trainee has started."""
        if move.procedure == "issue_invite" and move.answers:
            person = move.answers
            invites = space.state().invites
            token = invites.loc[invites["id"] == done.object, "token"].iloc[0]
            try:
                space.perform("join_by_invite", actor=person, day=self.day, person_id=person, invite=token)
            except Refused as exc:
                return f"Но по этой ссылке не вступить: {exc}"
            return State(space.state(), self.day).said(
                person,
                "{who} присоединился по вашей ссылке и теперь в чате.",
                "{who} присоединилась по вашей ссылке и теперь в чате.",
                "{who}: присоединение по вашей ссылке, теперь в чате.",
            )
        if move.procedure == "start_verification":
            state = State(space.state(), self.day)
            admin = state.org.admin_id
            if not admin or admin == self.actor:
                return ""
            try:
                space.perform("confirm_status", actor=admin, day=self.day, staff_id=move.params["staff_id"])
            except Refused:
                return ""
            return state.said(
                admin,
                "Администратор платформы {who} завершил подтверждение: статус «педагог» подтверждён.",
                "Администратор платформы {who} завершила подтверждение: статус «педагог» подтверждён.",
                "Администратор платформы ({who}) завершает подтверждение: статус «педагог» подтверждён.",
            )
        return ""

    def reset(self) -> None:
        """Start the scenario again: the planted organisation comes back; earlier events stay for the report."""
        plan = self.plan()
        with self._store() as store:
            self._start(store, {k: plan[k] for k in ("day", "actor", "follow")}, "сценарий начат заново")


# --- the session report ------------------------------------------------------------------------------------------


def scenario_results(session_folder: str | Path) -> pd.DataFrame:
    """One row per participant and role who started a scenario: planted, fixed, clean or not, and when."""
    folder = Path(session_folder)
    titles = default_catalogue().roles
    rows = []
    for db in sorted(folder.glob(f"*/{FOLDER}/*.db")):
        with Store(db, create=False, readonly=True) as store:
            events = store.training_events()
            if events.empty or not (events["kind"] == PLANTED).any():
                continue
            starts = events.loc[events["kind"] == START, "seq"]
            events = events[events["seq"] >= (starts.max() if len(starts) else 0)]
            plan = json.loads(events.loc[events["kind"] == PLANTED, "detail"].iloc[-1])
            remaining = set(_finding_keys(store.state(), dt.date.fromisoformat(plan["day"])))
        planted = set(plan["findings"])
        clean_at = events.loc[events["kind"] == CLEAN, "at"]
        role = str(events["role"].iloc[0])
        rows.append(
            {
                "Участник": str(events["trainee"].iloc[0]),
                "Роль": titles.get(role, role),
                "Проблем заложено": len(planted),
                "Исправлено": len(planted - remaining),
                "Аудит чист": "да" if not remaining else "нет",
                "Когда": pd.Timestamp(clean_at.iloc[-1]).strftime("%d.%m.%Y %H:%M")
                if not remaining and len(clean_at)
                else "",
                "Действий": int((events["kind"] == DONE).sum()),
                "Отказов": int((events["kind"] == REFUSED).sum()),
            }
        )
    return pd.DataFrame(rows, columns=RESULT_COLUMNS)


def scenario_report_part(session_folder: str | Path) -> tuple[list[str], list[Any]]:
    """The session report's lines and table about the practice scenarios; nothing when nobody started one."""
    from sferum_lib.reports.base import Table

    results = scenario_results(session_folder)
    if results.empty:
        return [], []
    clean = int((results["Аудит чист"] == "да").sum())
    line = (
        f"Практика в учебной организации с заложенными проблемами: довели аудит до чистого — {clean} из "
        f"{len(results)}; исправлено проблем: {int(results['Исправлено'].sum())} из "
        f"{int(results['Проблем заложено'].sum())}."
    )
    return [line], [Table("scenario", "Практика: порядок в учебной организации", results)]
