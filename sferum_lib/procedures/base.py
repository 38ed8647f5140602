"""What a procedure is: a duty of the regulation that changes the organisation, with its preconditions.

A procedure is a plain function ``(state, ctx, **params) -> Change``. It reads the state, raises
:class:`Refused` when a precondition fails (citing the duty that must come first), and otherwise returns the
changed tables and a journal line. :class:`Workspace` runs it against a store: the state is read, changed and
journaled inside one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pandas as pd

from sferum_lib.errors import SferumError
from sferum_lib.grammar import Person, agree
from sferum_lib.model import (
    CHAT_TYPE_LABELS,
    TABLES,
    ChatType,
    Organisation,
    Snapshot,
    conform,
    full_name,
    has_joined,
    is_current,
    is_pedagogical,
)
from sferum_lib.regulation import default_catalogue

_T = TypeVar("_T")
#: The «Редакция положения» of the organisation whose procedure runs now: a refusal cites in it. Set by
#: :class:`State` (every procedure is run against a State), so the raising code need not pass it along.
_EDITION: ContextVar[str | None] = ContextVar("regulation_edition", default=None)


class Refused(SferumError):
    """A procedure refused by a precondition (отказ). Carries the duty to cite and the attempted one.

    ``duty`` is what the message cites — usually the duty that must be done first; ``attempted`` is the duty
    of the refused procedure. State and journal are unchanged. The message cites the clause in the edition of
    the regulation in force for the organisation («п. 2.4» in the new one) and the duty, as a refusal reads
    everywhere in the product: «… (п. 2.1, ADM-05)».
    """

    def __init__(self, duty: str, message: str, attempted: str | None = None, edition: str | None = None) -> None:
        self.duty = duty
        self.clause = default_catalogue()[duty].clause
        self.attempted = attempted
        self.message = message
        self.edition = edition if edition is not None else _EDITION.get()
        self.citation = f"{default_catalogue()[duty].cited(self.edition)}, {duty}"
        super().__init__(f"{message} ({self.citation})")


@dataclass(frozen=True)
class Context:
    """Who acts and on which day (the organisation's day, so training can replay a whole year)."""

    actor: str | None
    day: dt.date


@dataclass
class Change:
    """What an accepted procedure changes, and the journal line that says so."""

    duty: str
    summary: str
    object: str | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    organisation: Organisation | None = None
    params: dict[str, Any] = field(default_factory=dict)
    also: tuple[str, ...] = ()  # further duties the same act fulfils (the head appoints = the admin is appointed)


@dataclass(frozen=True)
class Procedure:
    key: str
    title: str  # the platform's own words for the action, in Russian
    duties: tuple[str, ...]
    run: Callable[..., Change]


PROCEDURES: dict[str, Procedure] = {}


def procedure(key: str, title: str, *duties: str) -> Callable[[Callable[..., Change]], Callable[..., Change]]:
    """Register a function as the procedure performing ``duties``."""

    def register(run: Callable[..., Change]) -> Callable[..., Change]:
        catalogue = default_catalogue()
        for duty in duties:
            catalogue[duty]  # an unknown duty ID is a programming error: fail at import
        PROCEDURES[key] = Procedure(key, title, duties, run)
        return run

    return register


def _remembered(method: Callable[[State], _T]) -> Callable[[State], _T]:
    """A question of a State without arguments, answered once (a State's snapshot and day never change)."""

    def ask(self: State) -> _T:
        if method.__name__ not in self._memo:
            self._memo[method.__name__] = method(self)
        return self._memo[method.__name__]  # type: ignore[no-any-return]

    ask.__name__, ask.__doc__ = method.__name__, method.__doc__
    return ask


class State:
    """Read-only questions procedures ask of the organisation on a day.

    ``journal`` loads the journal of procedures when a question needs it (a verification a teacher has
    started is an act on the platform that the organisation's tables do not hold).
    """

    def __init__(self, snapshot: Snapshot, day: dt.date, journal: Callable[[], pd.DataFrame] | None = None) -> None:
        self.s = snapshot
        self.org = snapshot.organisation
        _EDITION.set(self.org.regulation_edition)
        self.day = pd.Timestamp(day)
        self._journal = journal
        self._memo: dict[Any, Any] = {}

    def journal(self) -> pd.DataFrame:
        if self._journal is None:
            return pd.DataFrame(columns=["procedure", "object", "on_day"])
        return self._journal()

    def verification_started(self, staff_id: str) -> bool:
        """The person has started the verification of their «педагог» status (п. 2.3) by this day."""
        journal = self.journal()
        if journal.empty:
            return False
        started = journal[(journal["procedure"] == "start_verification") & (journal["object"] == staff_id)]
        return bool((started["on_day"] <= self.day.date().isoformat()).any())

    # --- people -------------------------------------------------------------------------------------------
    def kind(self, person_id: str) -> str | None:
        """'staff', 'pupil' or 'parent'; None for an unknown ID."""
        for kind, table in (("staff", "staff"), ("pupil", "pupils"), ("parent", "parents")):
            if person_id in self._positions(table, "id"):
                return kind
        return None

    def _positions(self, table: str, key: str) -> dict[Any, int]:
        """Where each value of ``table[key]`` first occurs. A State is read, never changed, so the lookups of one
        question are made once: the workbench asks a procedure's preconditions for every item of a large list."""
        found = self._memo.get((table, key))
        if found is None:
            values = self.s.tables[table][key].tolist()
            found = {}
            for i, value in enumerate(values):
                found.setdefault(value, i)
            self._memo[(table, key)] = found
        return found

    def row(self, table: str, key: str, value: str) -> pd.Series | None:
        i = self._positions(table, key).get(value)
        return None if i is None else self.s.tables[table].iloc[i]

    def person(self, person_id: str) -> pd.Series | None:
        kind = self.kind(person_id)
        if kind is None:
            return None
        table = {"staff": "staff", "pupil": "pupils", "parent": "parents"}[kind]
        return self.row(table, "id", person_id)

    def name(self, person_id: str) -> str:
        person = self.person(person_id)
        if person is None:
            return person_id
        return f"{full_name(person.to_frame().T).iloc[0]} ({person_id})"

    def speaker(self, person_id: str) -> Person | None:
        """The person as a sentence names them (gender from «Пол», patronymic or first name)."""
        row = self.person(person_id)
        return None if row is None else Person.from_row({**row.to_dict(), "id": person_id})

    def who(self, person_id: str, case: str = "nominative") -> str:
        """«Фамилия Имя Отчество (ID)» declined to ``case``; the bare ID for an unknown person."""
        person = self.speaker(person_id)
        return person_id if person is None else person.who(case)

    def said(self, person_id: str, masculine: str, feminine: str, neutral: str) -> str:
        """A sentence about the person in the form their gender needs; ``neutral`` (no gendered word) if unknown.

        The three are formats with ``{who}`` (the name in the nominative) and ``{whom}`` (accusative).
        """
        person = self.speaker(person_id)
        form = agree(person, masculine, feminine, neutral)
        return form.format(who=self.who(person_id), whom=self.who(person_id, "accusative"))

    @_remembered
    def current_staff(self) -> pd.DataFrame:
        staff = self.s.staff
        return staff[is_current(staff["hired"], staff["dismissed"], self.day)]

    @_remembered
    def pedagogues(self) -> set[str]:
        staff = self.current_staff()
        return set(staff.loc[is_pedagogical(staff["position"]), "id"])

    @_remembered
    def current_pupils(self) -> set[str]:
        pupils = self.s.pupils
        return set(pupils.loc[is_current(pupils["enrolled"], pupils["expelled"], self.day), "id"])

    def is_current(self, person_id: str) -> bool:
        kind = self.kind(person_id)
        if kind == "staff":
            return person_id in set(self.current_staff()["id"])
        if kind == "pupil":
            return person_id in self.current_pupils()
        return kind == "parent"

    def has_joined(self, person_id: str) -> bool:
        person = self.person(person_id)
        return person is not None and bool(has_joined(pd.Series([person["joined"]]), self.day).iloc[0])

    def pupils_of(self, section: str) -> set[str]:
        enrol = self.s.enrolments
        return set(enrol.loc[enrol["section_code"] == section, "pupil_id"]) & self.current_pupils()

    def parents_of(self, section: str) -> set[str]:
        kin = self.s.kinship
        return set(kin.loc[kin["pupil_id"].isin(self.pupils_of(section)), "parent_id"])

    @_remembered
    def administrators(self) -> set[str]:
        """The administrator and the additional administrators."""
        staff = self.s.staff
        extra = set(staff.loc[staff["platform_role"] == "дополнительный администратор", "id"])
        return extra | ({self.org.admin_id} if self.org.admin_id else set())

    @_remembered
    def the_head(self) -> set[str]:
        """The head of the organisation (руководитель) — not the deputies: the one who appoints (п. 2.1)."""
        if self.org.head_id:
            return {self.org.head_id}
        staff = self.current_staff()
        position = staff["position"].fillna("").str.lower()
        return set(staff.loc[position.str.match(r"^(и\.\s*о\.\s*)?(руководитель|директор)"), "id"])

    @_remembered
    def heads(self) -> set[str]:
        """The head and the deputies (администрация)."""
        staff = self.current_staff()
        position = staff["position"].fillna("").str.lower()
        found = set(
            staff.loc[
                position.str.contains("руководитель|заместитель", regex=True) & ~position.str.contains("педагог"), "id"
            ]
        )
        return found | ({self.org.head_id} if self.org.head_id else set())

    def admin_registered(self) -> bool:
        """Registered by the procedure, or — in imported data — the administrator has joined the platform."""
        if self.org.admin_registered is not None:
            return True
        return self.org.admin_id is not None and self.has_joined(self.org.admin_id)

    def teachers_room_exists(self) -> bool:
        return self.org.teachers_room_created is not None or bool(self.s.staff["in_teachers_room"].any())

    def chat(self, chat_id: str) -> pd.Series | None:
        return self.row("chats", "id", chat_id)

    def members(self, chat_id: str) -> set[str]:
        members = self.s.members
        return set(members.loc[members["chat_id"] == chat_id, "person_id"])

    def activists(self, kind: str) -> set[str]:
        """The parents' («parent») or the current pupils' («pupil») activists (актив, п. 2.2)."""
        if kind == "parent":
            parents = self.s.parents
            return set(parents.loc[parents["activist"].fillna(False).astype(bool), "id"])
        pupils = self.s.pupils
        return set(pupils.loc[pupils["activist"].fillna(False).astype(bool), "id"]) & self.current_pupils()

    def may_be_member(self, chat: pd.Series, person_id: str) -> bool:
        """Whether the person belongs in the chat by the regulation: a section's chats (п. 2.3, the audit's
        `foreign-members` rule) and the head's management chats (п. 2.2: the head with the deputies, with the
        pedagogical workers, with the parents' and the pupils' activists). Other chats are open to anyone."""
        chat_type, section = chat["type"], chat["section_code"]
        if chat_type in MANAGEMENT_MEMBERS:
            if person_id in self.heads():
                return True
            if chat_type == ChatType.HEAD_TEACHERS.value:
                return person_id in self.pedagogues()
            if chat_type == ChatType.HEAD_PARENT_ACTIVISTS.value:
                return person_id in self.activists("parent")
            if chat_type == ChatType.HEAD_STUDENT_ACTIVISTS.value:
                return person_id in self.activists("pupil")
            return False  # the head with the deputies: the administration only
        if chat_type not in {
            t.value for t in (ChatType.SECTION_STUDENTS, ChatType.SECTION_PARENTS, ChatType.SECTION_TEACHERS)
        }:
            return True
        if person_id in self.pedagogues():
            return True
        if chat_type == ChatType.SECTION_STUDENTS.value:
            return person_id in self.pupils_of(section)
        if chat_type == ChatType.SECTION_PARENTS.value:
            return person_id in self.parents_of(section)
        return False


#: Who may be in a chat of each type besides the pedagogical workers (sections) or the administration (the head's
#: chats): the words of a refusal, and the duty it cites.
MEMBERSHIP_RULES: dict[str, tuple[str, str]] = {
    ChatType.SECTION_STUDENTS.value: ("PDO-03", "только обучающихся этого объединения и педагогов"),
    ChatType.SECTION_PARENTS.value: ("PDO-03", "только родителей обучающихся этого объединения и педагогов"),
    ChatType.SECTION_TEACHERS.value: ("PDO-03", "только педагогических работников"),
}
#: The head's management chats of п. 2.2 and who is in each besides the head and the deputies.
MANAGEMENT_MEMBERS: dict[str, str] = {
    ChatType.HEAD_DEPUTIES.value: "только руководителя и заместителей руководителя",
    ChatType.HEAD_TEACHERS.value: "только руководителя, заместителей руководителя и педагогических работников",
    ChatType.HEAD_PARENT_ACTIVISTS.value: "только руководителя, заместителей руководителя и родительский актив "
    "(родителей с отметкой «Актив»)",
    ChatType.HEAD_STUDENT_ACTIVISTS.value: "только руководителя, заместителей руководителя и ученический актив "
    "(обучающихся с отметкой «Актив»)",
}
MEMBERSHIP_RULES |= {t: ("HEAD-06", words) for t, words in MANAGEMENT_MEMBERS.items()}


def membership_refusal(chat: pd.Series, duty: str) -> Refused:
    """The refusal of a person who does not belong in ``chat`` (see :meth:`State.may_be_member`)."""
    cited, words = MEMBERSHIP_RULES[chat["type"]]
    label = CHAT_TYPE_LABELS[ChatType(chat["type"])]
    return Refused(cited, f"В чат «{chat['name']}» ({label}) можно добавить {words}", duty)


# --- small helpers for building changed tables ----------------------------------------------------------


def set_where(frame: pd.DataFrame, mask: pd.Series, **values: Any) -> pd.DataFrame:
    out = frame.copy()
    for column, value in values.items():
        if TABLES_DATES.get(column) and value is not None:
            value = pd.Timestamp(value)
        out.loc[mask, column] = value
    return out


TABLES_DATES = {c: True for t in TABLES.values() for c, d in t.items() if d.startswith("datetime")}


def append(frame: pd.DataFrame, table: str, **row: Any) -> pd.DataFrame:
    new = conform(pd.DataFrame([row]), table)
    return conform(pd.concat([frame, new], ignore_index=True), table)


def next_id(frame: pd.DataFrame, prefix: str, column: str = "id") -> str:
    """The next free identifier like «I007» for a table whose IDs share a prefix."""
    used = frame[column].dropna()
    numbers = used[used.str.startswith(prefix)].str[len(prefix) :]
    numbers = pd.to_numeric(numbers, errors="coerce").dropna()
    n = int(numbers.max()) + 1 if len(numbers) else 1
    return f"{prefix}{n:03d}"
