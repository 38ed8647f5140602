"""Training steps for each role: the model and what code decides; the texts live in ``content/<role>.yaml``.

A step is one duty: why it matters, the action that performs it (a procedure with a small form in the platform's
own words), hints and at least two self-check questions. The texts — why, button, hints, questions, answers,
explanations — are plain files a methodist edits (:mod:`sferum_lib.training.content` loads and validates them);
this module keeps only what code must decide: the choices a form draws from the practice organisation
(:data:`CHOICES`), the parameters a trainee does not choose (:data:`FIXED`), and who plays each part
(:func:`personas`). The world's reactions to a step are in :mod:`sferum_lib.training.session`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sferum_lib.model import ChatType, Snapshot, full_name, is_current, is_pedagogical
from sferum_lib.regulation.editions import cite


@dataclass(frozen=True)
class Field:
    """One input of a step's form; ``choices`` lists (label, value) pairs drawn from the practice organisation."""

    name: str
    label: str
    kind: str = "text"  # text | choice
    choices: Callable[[Snapshot], list[tuple[str, str]]] | None = None
    default: Callable[[Snapshot], str] | str = ""


@dataclass(frozen=True)
class Question:
    text: str
    options: tuple[str, ...]
    answer: int  # 0-based here; the content files number options from 1
    explain: str  # as shown: the quoted clause, then the explanation; platform facts are marked
    platform: bool = False  # the question is about the platform itself, not the regulation


@dataclass(frozen=True)
class Step:
    duty: str
    why: str
    actor: str  # persona acting: head | admin | teacher | methodist | pupil | parent
    procedure: str | None = None
    button: str = ""
    fields: tuple[Field, ...] = ()
    questions: tuple[Question, ...] = ()
    fixed: dict[str, Any] = field(default_factory=dict)  # parameters the trainee does not choose
    hints: tuple[str, ...] = ()  # how to do it, shown beside the form


# --- personas and choices drawn from the practice organisation -----------------------------------------

#: The parts played in a practice organisation (the keys of :func:`personas`, ``section`` aside).
PERSONAS = ("head", "admin", "teacher", "methodist", "pupil", "parent")


def personas(s: Snapshot) -> dict[str, str]:
    """Who plays each part in the practice organisation."""
    staff = s.staff[s.staff["dismissed"].isna()]
    methodists = list(staff.loc[staff["position"] == "методист", "id"])
    admin = s.organisation.admin_id or (methodists[0] if methodists else staff["id"].iloc[0])
    section = practice_sections(s).iloc[0]
    counts = s.enrolments.groupby("pupil_id").size()
    single = set(counts[counts == 1].index)  # the trainee pupil attends one section: the other is foreign
    enrol = s.enrolments[s.enrolments["section_code"] == section["code"]]
    pupils = s.pupils[s.pupils["expelled"].isna() & s.pupils["id"].isin(enrol["pupil_id"])]
    pupil = next((i for i in pupils["id"] if i in single), pupils["id"].iloc[0])
    parents = s.kinship.loc[s.kinship["pupil_id"] == pupil, "parent_id"]
    return {
        "head": s.organisation.head_id or staff["id"].iloc[0],
        "admin": admin,
        "teacher": section["teacher_id"],
        "methodist": next((m for m in methodists if m != admin), admin),
        "pupil": pupil,
        "parent": parents.iloc[0] if len(parents) else s.parents["id"].iloc[0],
        "section": section["code"],
    }


def practice_sections(s: Snapshot) -> pd.DataFrame:
    """Sections whose teacher still works here, in order: the first is the trainee's own."""
    working = s.staff.loc[s.staff["dismissed"].isna(), "id"]
    return s.sections[s.sections["teacher_id"].isin(working)]


def _name(s: Snapshot, person_id: str) -> str:
    for table in (s.staff, s.pupils, s.parents):
        row = table[table["id"] == person_id]
        if len(row):
            return f"{full_name(row).iloc[0]} ({person_id})"
    return person_id


def staff_choices(pedagogical_only: bool = True) -> Callable[[Snapshot], list[tuple[str, str]]]:
    def choices(s: Snapshot) -> list[tuple[str, str]]:
        staff = s.staff[s.staff["dismissed"].isna()]
        if pedagogical_only:
            staff = staff[is_pedagogical(staff["position"])]
        return [(f"{_name(s, i)} — {p}", i) for i, p in zip(staff["id"], staff["position"], strict=True)]

    return choices


def section_choices(s: Snapshot) -> list[tuple[str, str]]:
    return [(f"{n} ({c})", c) for c, n in zip(s.sections["code"], s.sections["name"], strict=True)]


def open_invites(s: Snapshot) -> list[tuple[str, str]]:
    """Links not annulled: a used link still serves its group (на платформе)."""
    inv = s.invites[s.invites["annulled"].isna()]
    return [(f"{i}: «{t}», роль «{r}»", i) for i, t, r in zip(inv["id"], inv["target"], inv["role"], strict=True)]


def pending_requests(s: Snapshot) -> list[tuple[str, str]]:
    req = s.requests[s.requests["decision"].isna()]
    return [
        (f"{i}: {_name(s, a)}, роль «{r}»", i)
        for i, a, r in zip(req["id"], req["applicant_id"], req["role"], strict=True)
    ]


def current_pupils(s: Snapshot) -> list[tuple[str, str]]:
    day = pd.Timestamp.today().normalize()
    pupils = s.pupils[is_current(s.pupils["enrolled"], s.pupils["expelled"], day)]
    return [(_name(s, i), i) for i in pupils["id"].head(40)]


def chat_type_choices(types: tuple[ChatType, ...]) -> Callable[[Snapshot], list[tuple[str, str]]]:
    return lambda s: [(t.label, t.value) for t in types]


def chats_of_type(*types: ChatType) -> Callable[[Snapshot], list[tuple[str, str]]]:
    def choices(s: Snapshot) -> list[tuple[str, str]]:
        chats = s.chats[s.chats["type"].isin([t.value for t in types])]
        return [(f"{n} ({i})", i) for i, n in zip(chats["id"], chats["name"], strict=True)]

    return choices


def invite_targets(s: Snapshot) -> list[tuple[str, str]]:
    """Where the administrator's link leads: the «Учительская», the organisation, or a section's class."""
    classes = [
        (f"класс «{n}»", f"объединение:{c}") for c, n in zip(s.sections["code"], s.sections["name"], strict=True)
    ]
    return [("«Учительская»", "Учительская"), ("организация", "организация"), *classes]


ROLE_CHOICES = ("педагог", "обучающийся")  # the administrator's links: pedagogical staff and pupils (п. 2.1)

#: Choices a content file names in a field's «выбор»: each draws its (label, value) pairs from the practice
#: organisation. Names are stable: content files refer to them.
CHOICES: dict[str, Callable[[Snapshot], list[tuple[str, str]]]] = {
    "pedagogical_staff": staff_choices(),
    "sections": section_choices,
    "open_invites": open_invites,
    "pending_requests": pending_requests,
    "current_pupils": current_pupils,
    "invite_targets": invite_targets,
    "invite_roles": lambda s: [(r, r) for r in ROLE_CHOICES],
    "system_channels": lambda s: [("Общий", "Общий"), ("Сотрудники", "Сотрудники")],
    "existing_channels": lambda s: [(n, n) for n in s.channels["name"]],
    "head_chat_types": chat_type_choices(
        (
            ChatType.HEAD_DEPUTIES,
            ChatType.HEAD_TEACHERS,
            ChatType.HEAD_PARENT_ACTIVISTS,
            ChatType.HEAD_STUDENT_ACTIVISTS,
        )
    ),
    "section_chat_types": chat_type_choices(
        (ChatType.SECTION_STUDENTS, ChatType.SECTION_PARENTS, ChatType.SECTION_TEACHERS, ChatType.OTHER)
    ),
    "lesson_chat_types": chat_type_choices((ChatType.LESSON, ChatType.OTHER)),
}

ACTOR = "<actor>"  # in :data:`FIXED`: the step's persona
#: Parameters of a procedure the trainee does not choose: the persona acts on themselves; a broadcast is today.
FIXED: dict[str, dict[str, str]] = {
    "join_by_invite": {"person_id": ACTOR},
    "start_verification": {"staff_id": ACTOR},
    "plan_broadcast": {"when": "today"},
}


def fixed_for(procedure: str | None, actor: str) -> dict[str, Any]:
    return {k: actor if v == ACTOR else v for k, v in FIXED.get(procedure or "", {}).items()}


#: A citation in a step's text, as the 2023 edition numbers it: «(п. 2.1)», «(п. 2.2, 2.3)», «(абз. «Обучающийся…»)».
_CITATION = re.compile(r"\((?:п\.\s*)?(\d+\.\d+(?:\s*,\s*\d+\.\d+)*|абз\.\s*«[^»]*»)\)")


def cited(text: str, edition: str | None) -> str:
    """A step's text with every citation in ``edition`` (the organisation's «Редакция положения»)."""
    return _CITATION.sub(lambda m: f"({cite(m.group(1), edition)})", text)


def steps_in(steps: list[Step], edition: str | None) -> list[Step]:
    """The steps as a trainee reads them: «why», hints, questions and explanations cite ``edition``."""

    def question(q: Question) -> Question:
        return dataclasses.replace(
            q,
            text=cited(q.text, edition),
            options=tuple(cited(o, edition) for o in q.options),
            explain=cited(q.explain, edition),
        )

    return [
        dataclasses.replace(
            step,
            why=cited(step.why, edition),
            hints=tuple(cited(h, edition) for h in step.hints),
            questions=tuple(map(question, step.questions)),
        )
        for step in steps
    ]


#: The roles that have training, in the order they are offered; ``content/<role>.yaml`` holds each one's steps.
ROLE_ORDER = ("admin", "head", "pdo", "ped", "student", "parent")


class _Steps(Mapping[str, list[Step]]):
    """``STEPS[role]``: the role's steps from the content in use — the methodist's copy named by the environment
    variable ``SFERUM_TRAINING_CONTENT`` (set by ``sferum app --content``), else the shipped files. Read lazily,
    so a copy's errors surface where it is used, as a clear message."""

    def __getitem__(self, role: str) -> list[Step]:
        from sferum_lib.training.content import load_content

        if role not in ROLE_ORDER:
            raise KeyError(role)
        return load_content()[role]

    def __iter__(self) -> Iterator[str]:
        return iter(ROLE_ORDER)

    def __len__(self) -> int:
        return len(ROLE_ORDER)

    def __contains__(self, role: object) -> bool:
        return role in ROLE_ORDER


STEPS: Mapping[str, list[Step]] = _Steps()
