"""The compliance audit of WORKBOOK.md §2 (contract version 2), vectorized over pandas.

Each check is a function of a prepared :class:`_Facts` that returns a frame of findings (subject, message).
A check declares the sheets it needs; when one is absent the check is reported as not performed, never as
passed. Expected outcomes are data here: a stale link is a finding, not an error.

A message that names a person agrees with their gender and case: its wordings are :data:`PHRASES` — a
masculine, a feminine and a gender-free one — filled by :mod:`sferum_lib.grammar`. Limits the regulation does
not set (the age of an unused link, of an undecided request) are the organisation's :class:`AuditSettings` and
the messages cite them as such.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import repeat
from string import Formatter
from typing import Any

import numpy as np
import pandas as pd

from sferum_lib.checks.codes import (
    SnapshotCodes,
    factorize_first,
    factorize_int,
    first_rows,
    join_rows,
    pair_key,
    tables_key,
)
from sferum_lib.grammar import FEMALE, MALE, PEOPLE_TABLES, Named, People, Person, plural
from sferum_lib.model import (
    MANAGEMENT_CHAT_TYPES,
    SECTION_CHAT_TYPES,
    SYSTEM_CHANNELS,
    ChatType,
    Organisation,
    Snapshot,
    has_joined,
    is_current,
    is_pedagogical,
)
from sferum_lib.values import is_mobile
from sferum_lib.workbook.schema import normalise_header

VIOLATION = "нарушение"
REMARK = "замечание"
FINDING_COLUMNS = ["check", "clause", "severity", "subject", "message", "duty"]
EXTRA_ADMIN = "дополнительный администратор"


@dataclass(frozen=True)
class AuditSettings:
    """Limits the regulation leaves to the organisation (правила организации); defaults as WORKBOOK.md states."""

    invite_max_age_days: int = 7
    request_max_age_days: int = 3


@dataclass(frozen=True)
class Check:
    key: str
    clause: str
    severity: str
    duty: str
    title: str
    needs: tuple[str, ...]
    run: Callable[[_Facts], pd.DataFrame]


@dataclass
class AuditResult:
    """Findings sorted by check then subject, and the checks that could not be performed (with why)."""

    as_of: dt.date
    findings: pd.DataFrame
    not_performed: dict[str, str] = field(default_factory=dict)

    def to_records(self) -> list[dict[str, str]]:
        return self.findings[FINDING_COLUMNS].to_dict(orient="records")

    def counts(self) -> dict[str, int]:
        return {s: int((self.findings["severity"] == s).sum()) for s in (VIOLATION, REMARK)}


# --- what the messages say ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    """One message about a person: masculine, feminine and gender-free wordings.

    Fields: ``{who}`` is «Фамилия Имя Отчество (ID)» in the nominative; ``{who_genitive}``, ``{who_dative}``,
    ``{who_accusative}`` … in that case (only in the gendered wordings); other fields are the check's own.
    """

    masculine: str
    feminine: str
    neutral: str

    def for_gender(self, gender: str | None) -> str:
        return self.masculine if gender == MALE else self.feminine if gender == FEMALE else self.neutral


def _same(text: str) -> Phrase:
    """A wording that needs no gender at all."""
    return Phrase(text, text, text)


PHRASES: dict[str, Phrase] = {
    "admin-contacts": Phrase(
        "У администратора платформы {who_genitive} {missing}. Эти данные указываются в заявке на регистрацию "
        "организации на платформе.",
        "У администратора платформы {who_genitive} {missing}. Эти данные указываются в заявке на регистрацию "
        "организации на платформе.",
        "Администратор платформы {who}: {missing}. Эти данные указываются в заявке на регистрацию организации "
        "на платформе.",
    ),
    "teachers-room/not-joined": Phrase(
        "{who}, {position}, не присоединился к организации на платформе. Направьте ему ссылку-приглашение "
        "в «Учительскую» в роли «педагог».",
        "{who}, {position}, не присоединилась к организации на платформе. Направьте ей ссылку-приглашение "
        "в «Учительскую» в роли «педагог».",
        "{who}, {position}: нет отметки о присоединении к организации на платформе. Направьте ссылку-приглашение "
        "в «Учительскую» в роли «педагог».",
    ),
    "teachers-room/outside": Phrase(
        "{who}, {position}, присоединился к организации на платформе, но не состоит в «Учительской»: "
        "добавьте его в «Учительскую».",
        "{who}, {position}, присоединилась к организации на платформе, но не состоит в «Учительской»: "
        "добавьте её в «Учительскую».",
        "{who}, {position}: в организации на платформе, но не в «Учительской» — добавьте в «Учительскую».",
    ),
    "teacher-status": Phrase(
        "У {who_genitive} не подтверждён статус «педагог» на платформе. Подтверждение проводится при "
        "необходимости: педагог проходит верификацию статуса, администратор завершает подтверждение.",
        "У {who_genitive} не подтверждён статус «педагог» на платформе. Подтверждение проводится при "
        "необходимости: педагог проходит верификацию статуса, администратор завершает подтверждение.",
        "{who}: статус «педагог» на платформе не подтверждён. Подтверждение проводится при необходимости: "
        "педагог проходит верификацию статуса, администратор завершает подтверждение.",
    ),
    "admin-eligible": _same(
        "Администратор платформы {who}: {reasons}. Администратора платформы назначают из числа педагогических "
        "работников организации."
    ),
    "extra-admins": _same(
        "Дополнительный администратор {who}: {reasons}. Дополнительных администраторов назначают из числа "
        "присоединившихся к платформе педагогических работников организации."
    ),
    "activist-chats/parents": Phrase(
        "{who} входит в родительский актив, но не состоит ни в одном чате «{chat_type}». Добавьте его в такой чат.",
        "{who} входит в родительский актив, но не состоит ни в одном чате «{chat_type}». Добавьте её в такой чат.",
        "{who} входит в родительский актив, но не состоит ни в одном чате «{chat_type}». Добавьте этого родителя "
        "в такой чат.",
    ),
    "activist-chats/pupils": Phrase(
        "{who} входит в ученический актив, но не состоит ни в одном чате «{chat_type}». Добавьте его в такой чат.",
        "{who} входит в ученический актив, но не состоит ни в одном чате «{chat_type}». Добавьте её в такой чат.",
        "{who} входит в ученический актив, но не состоит ни в одном чате «{chat_type}» — нужно добавить в такой чат.",
    ),
    "student-coverage": Phrase(
        "Обучающийся {who} не состоит ни в одном чате объединения «{section}» с обучающимися.",
        "Обучающаяся {who} не состоит ни в одном чате объединения «{section}» с обучающимися.",
        "Объединение «{section}»: {who} не состоит ни в одном чате объединения с обучающимися.",
    ),
    "parent-coverage": _same("Родитель {who} не состоит ни в одном чате родителей объединения «{section}»."),
    "departed-members/staff": Phrase(
        "{who} уволен {date}, но всё ещё состоит в чатах организации: удалите его из чатов.",
        "{who} уволена {date}, но всё ещё состоит в чатах организации: удалите её из чатов.",
        "{who}: дата увольнения — {date}, но всё ещё состоит в чатах организации. Удалите из чатов.",
    ),
    "departed-members/pupils": Phrase(
        "{who} отчислен {date}, но всё ещё состоит в чатах организации: удалите его из чатов.",
        "{who} отчислена {date}, но всё ещё состоит в чатах организации: удалите её из чатов.",
        "{who}: дата отчисления — {date}, но всё ещё состоит в чатах организации. Удалите из чатов.",
    ),
    "foreign-members": Phrase(
        "В чате {chat} состоит {who}, а {rule}. Удалите его из чата.",
        "В чате {chat} состоит {who}, а {rule}. Удалите её из чата.",
        "В чате {chat} состоит {who}, а {rule}. Удалите из чата.",
    ),
    "pending-requests": Phrase(
        "Заявка {id} от {who_genitive}, роль «{role}», подана {date} и ждёт решения {age} "
        "(срок по правилам организации: {limit}).",
        "Заявка {id} от {who_genitive}, роль «{role}», подана {date} и ждёт решения {age} "
        "(срок по правилам организации: {limit}).",
        "Заявка {id}, заявитель {who}, роль «{role}», подана {date} и ждёт решения {age} "
        "(срок по правилам организации: {limit}).",
    ),
}

_FORMAT = Formatter()


def _fields_of(template: str) -> list[str]:
    return [name for _, name, _, _ in _FORMAT.parse(template) if name]


def _render(template: str, fields: Mapping[str, object], n: int) -> np.ndarray:
    """The template filled row by row; a field is a string (the same for every row) or an array of ``n``."""
    pieces: list[object] = []
    for literal, name, _, _ in _FORMAT.parse(template):
        if literal:
            pieces.append(literal)
        if name:
            value = fields[name]
            pieces.append(value if isinstance(value, np.ndarray) else str(value))
    if all(isinstance(p, str) for p in pieces):
        return np.full(n, "".join(str(p) for p in pieces), dtype=object)
    columns = [p if isinstance(p, np.ndarray) else [p] * n for p in pieces]
    return np.array(["".join(row) for row in zip(*columns, strict=True)], dtype=object)


def phrase_for(key: str, person: Person, **fields: str) -> str:
    """One message of :data:`PHRASES` about one person (the vectorized audit gives the same text)."""
    template = PHRASES[key].for_gender(person.gender)
    values: dict[str, object] = dict(fields)
    for name in _fields_of(template):
        if name == "who":
            values[name] = person.who()
        elif name.startswith("who_"):
            values[name] = person.who(name[4:])
    return str(_render(template, values, 1)[0])


@dataclass(frozen=True)
class _Keyed:
    """A field of a message given by key: row ``i`` says ``values[codes[i]]`` (code −1: the last value).

    A check that knows its rows' codes (of sections, say) gives the distinct values once this way."""

    codes: np.ndarray
    values: np.ndarray


def _say(
    f: _Facts, key: str, ids: pd.Series | np.ndarray, persons: np.ndarray | None = None, **fields: object
) -> np.ndarray:
    """The messages of :data:`PHRASES` ``key`` about the people ``ids``, each in their gender and case.

    ``persons`` are the same people's person codes (:class:`SnapshotCodes`), when the check has them: the
    people are then found by code, without hashing their IDs again. A field is a string (the same in every
    message), an array or Series (one value per message) or :class:`_Keyed`.

    Each person is named once however many messages name them; each message is then joined in one step.
    """
    n = len(ids)
    out = np.empty(n, dtype=object)
    if n == 0:
        return out
    ids = ids.to_numpy(dtype=object) if isinstance(ids, pd.Series) else np.asarray(ids, dtype=object)
    if persons is not None:
        persons = np.asarray(persons, dtype=np.int64)
        person_of, count, first = factorize_first(persons)
    else:
        codes, uniques = pd.factorize(ids, use_na_sentinel=False)
        person_of, count = codes.astype(np.int64), len(uniques)
        first = first_rows(person_of, count)
    named = f.people.named(ids[first], None if persons is None else f.people_rows[persons[first]])
    keyed: dict[str, _Keyed] = {}
    constants: dict[str, str] = {}
    for name, value in fields.items():
        if isinstance(value, _Keyed):
            keyed[name] = value
        elif isinstance(value, (pd.Series, np.ndarray)):
            values = value.to_numpy(dtype=object) if isinstance(value, pd.Series) else value
            keyed[name] = _Keyed(np.arange(len(values)), values)
        else:
            constants[name] = str(value)
    phrase = PHRASES[key]
    by_template: dict[str, list[str | None]] = {}
    for g in (MALE, FEMALE, None):
        by_template.setdefault(phrase.for_gender(g), []).append(g)
    gender = named.gender
    # «Фамилия Имя Отчество (ID)» of a person with all three parts and an ID (Named.who's first form) is joined
    # straight into their messages rather than made first: one string less per message
    whole = named.complete()
    if persons is not None and f.codes.person.all_text:  # every ID with a code is text
        whole = whole & (persons[first] >= 0)
    elif pd.api.types.infer_dtype(named.ids, skipna=False) != "string":
        whole = whole & np.array([isinstance(i, str) for i in named.ids], dtype=bool)
    for template, genders in by_template.items():
        chosen = np.zeros(count, dtype=bool)
        for g in genders:
            chosen |= pd.isna(gender) if g is None else gender == g
        for named_whole in (True, False):
            part = chosen & (whole if named_whole else ~whole)
            if not part.any():
                continue
            rows = np.flatnonzero(part[person_of])
            # a person's place among the people of this part
            place = (np.cumsum(part) - 1)[person_of[rows]]
            out[rows] = _fill(template, named.take(part), place, rows, keyed, constants, named_whole)
    return out


def _fill(
    template: str,
    people: Named,
    place: np.ndarray,
    rows: np.ndarray,
    keyed: Mapping[str, _Keyed],
    constants: Mapping[str, str],
    named_whole: bool,
) -> np.ndarray:
    """The messages of ``rows``, each about ``people`` at ``place`` (all of whom have, with ``named_whole``,
    all three name parts and an ID)."""
    parts: list[object] = []
    for literal, name, _, _ in _FORMAT.parse(template):
        if literal:
            parts.append(literal)
        if not name:
            continue
        if name == "who" and named_whole:
            parts += [people.last[place], " ", people.first[place], " ", people.middle[place], " ("]
            parts += [people.ids[place], ")"]
        elif name == "who" or name.startswith("who_"):
            parts.append(people.who(name[4:] or "nominative")[place])
        elif name in keyed:
            field = keyed[name]
            parts.append(field.values[field.codes[rows]])
        else:
            parts.append(constants[name])
    return _concat(parts, len(rows))


def _concat(parts: list, n: int) -> np.ndarray:
    """Row by row, the parts joined: each part a string (the same in every row) or an array of ``n`` strings."""
    merged: list = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif not (isinstance(part, str) and not part):
            merged.append(part)
    arrays = [p for p in merged if not isinstance(p, str)]
    if not arrays:
        return np.full(n, "".join(merged), dtype=object)
    if len(merged) == 1:
        return merged[0]
    columns = [p if not isinstance(p, str) else repeat(p, n) for p in merged]  # zip stops at the arrays' end
    # ``join`` refuses a value that is not a string, as a message must never say «nan»
    joined = ["".join(row) for row in zip(*columns)]  # noqa: B905
    out = np.empty(n, dtype=object)
    out[:] = joined
    return out


def _day(dates: pd.Series) -> pd.Series:
    return dates.dt.strftime("%d.%m.%Y").astype(object)


def _days(n: int) -> str:
    return plural(n, "день", "дня", "дней")


# --- the facts the checks share ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Memberships:
    """Members of chats on «Чаты», row by row: member row, chat type (:attr:`_Facts.chat_type`), codes."""

    member: np.ndarray
    type: np.ndarray
    section: np.ndarray
    person: np.ndarray


@dataclass(frozen=True)
class _Matches:
    """Members of the section chats of one type (``inside``: rows of :class:`_Memberships`) and the (section,
    person) pairs that belong in them (``sections``, ``persons``), each side checked against the other."""

    inside: np.ndarray
    inside_wanted: np.ndarray  # per member row: their pair belongs in such a chat
    sections: np.ndarray
    persons: np.ndarray
    wanted_inside: np.ndarray  # per wanted pair: a member of such a chat of the section
    wanted_once: np.ndarray  # per wanted pair: its first occurrence


class DayFacts:
    """The snapshot seen on one day: who is current, pedagogical, joined, who belongs in which chat; computed
    once, shared by the checks and by the indicators of the same day (:meth:`of`)."""

    def __init__(self, snapshot: Snapshot, as_of: dt.date) -> None:
        self.s = snapshot
        self.day = pd.Timestamp(as_of)

    @classmethod
    def of(cls, snapshot: Snapshot, as_of: dt.date) -> DayFacts:
        """The facts of the snapshot on the day, kept in its memo: the indicators after the audit of the same
        day (or the audit after the indicators) reuse the matching of chats and people instead of redoing it.

        Only the last day is kept, with the identity of the tables, as :meth:`SnapshotCodes.of` keeps the codes.
        """
        key = (tables_key(snapshot), pd.Timestamp(as_of))
        kept = snapshot.memo.get("facts")
        if isinstance(kept, tuple) and kept[0] == key:
            return kept[1]
        facts = cls(snapshot, as_of)
        snapshot.memo["facts"] = (key, facts)
        return facts

    @property
    def org(self) -> Organisation:
        return self.s.organisation

    @cached_property
    def people(self) -> People:
        return People(self.s)

    @cached_property
    def people_rows(self) -> np.ndarray:
        """For each person code, its row in :attr:`people` (−1 when on no people sheet); the last cell answers
        code −1 (an empty ID) as a lookup of an empty ID by text would."""
        person = self.codes.person
        codes = np.concatenate([person[t] for t in PEOPLE_TABLES])
        rows = np.full(len(person) + 1, -1, dtype=np.int64)
        valid = codes >= 0
        at = np.arange(len(codes), dtype=np.int64)
        rows[codes[valid][::-1]] = at[valid][::-1]  # the last write wins: each ID's first row
        empty = np.flatnonzero(~valid)
        counts = np.bincount(codes[valid], minlength=1)
        if len(empty) == 1 and counts.max() <= 1:  # unique IDs: an empty ID finds the one row without an ID
            rows[-1] = empty[0]
        return rows

    def person_codes(self, table: str, rows: pd.DataFrame | pd.Series, coded: str | None = None) -> np.ndarray | None:
        """The person codes (of the column ``coded``, the table's own IDs by default) of ``rows``, a part of the
        snapshot's table ``table`` with its index kept; None when the table's index cannot say which rows."""
        index = self.s.tables[table].index
        if not index.is_unique:
            return None
        return self.codes.person[coded or table][index.get_indexer(rows.index)]

    @cached_property
    def staff(self) -> pd.DataFrame:
        staff = self.s.staff
        return staff.assign(
            current=is_current(staff["hired"], staff["dismissed"], self.day),
            pedagogical=is_pedagogical(staff["position"]),
            has_joined=has_joined(staff["joined"], self.day),
        )

    @cached_property
    def current_pedagogues(self) -> pd.DataFrame:
        staff = self.staff
        return staff[staff["current"] & staff["pedagogical"]]

    @cached_property
    def current_pupil(self) -> np.ndarray:
        """Which rows of «Обучающиеся» are current pupils (a mask: no copy of a large table)."""
        pupils = self.s.pupils
        return is_current(pupils["enrolled"], pupils["expelled"], self.day).to_numpy()

    @cached_property
    def codes(self) -> SnapshotCodes:
        return SnapshotCodes.of(self.s)

    @cached_property
    def _current_enrolment(self) -> np.ndarray:
        """Which rows of «Обучающиеся → Объединения» are of current pupils."""
        person = self.codes.person
        return person.isin(person["enrolments"], person["pupils"][self.current_pupil])

    @cached_property
    def parents_of_current(self) -> np.ndarray:
        """Person codes of the parents of current pupils on «Дети» (a parent once per child)."""
        person = self.codes.person
        current = person["pupils"][self.current_pupil]
        return person["kinship.parent"][person.isin(person["kinship.pupil"], current)]

    @cached_property
    def enrolled(self) -> tuple[np.ndarray, np.ndarray]:
        """(section code, person code) of each current enrolment."""
        rows = self._current_enrolment
        return self.codes.section["enrolments"][rows], self.codes.person["enrolments"][rows]

    @cached_property
    def parents_enrolled(self) -> tuple[np.ndarray, np.ndarray]:
        """(section code, parent's person code) for each parent of each current enrolment («Дети» × enrolment)."""
        sections, pupils = self.enrolled
        person = self.codes.person
        kin, enrolment = join_rows(person["kinship.pupil"], pupils, len(person))
        return sections[enrolment], person["kinship.parent"][kin]

    @cached_property
    def chat_type(self) -> np.ndarray:
        """The type of each chat on «Чаты» as its place in :class:`ChatType` (−1 for a type not among them)."""
        return pd.Index([t.value for t in ChatType]).get_indexer(self.s.chats["type"].to_numpy(dtype=object))

    def is_chat_of(self, chat_type: ChatType) -> np.ndarray:
        """Which chats on «Чаты» are of the type."""
        return self.chat_type == list(ChatType).index(chat_type)

    @cached_property
    def memberships(self) -> _Memberships:
        """Each member of a chat on «Чаты»: member row, chat type, section code and person code."""
        chat_row = self.codes.member_chat_row
        inside = chat_row >= 0
        rows = chat_row[inside]
        return _Memberships(
            np.flatnonzero(inside),
            self.chat_type[rows],
            self.codes.section["chats"][rows],
            self.codes.person["members"][inside],
        )

    def matches(self, chat_type: ChatType) -> _Matches:
        """The members of the section chats of a type against the (section, person) pairs that belong there:
        current enrolments for chats with pupils, their parents for chats with parents."""
        kept = self.__dict__.setdefault("_matches", {})
        if chat_type not in kept:
            m = self.memberships
            inside = np.flatnonzero(m.type == list(ChatType).index(chat_type))
            sections, persons = self.enrolled if chat_type == ChatType.SECTION_STUDENTS else self.parents_enrolled
            inside_keys = self.pair(m.section[inside], m.person[inside])
            # the pairs of both sides coded together: one hash pass answers both questions
            codes, count = factorize_int(np.concatenate([inside_keys, self.pair(sections, persons)]))
            members, wanted = codes[: len(inside)], codes[len(inside) :]
            is_member = np.zeros(count, dtype=bool)
            is_member[members] = True
            is_wanted = np.zeros(count, dtype=bool)
            is_wanted[wanted] = True
            first = np.full(count, -1, dtype=np.int64)
            first[wanted[::-1]] = np.arange(len(wanted) - 1, -1, -1, dtype=np.int64)
            once = first[wanted] == np.arange(len(wanted), dtype=np.int64)
            kept[chat_type] = _Matches(inside, is_wanted[members], sections, persons, is_member[wanted], once)
        return kept[chat_type]

    def pair(self, sections: np.ndarray, persons: np.ndarray) -> np.ndarray:
        return pair_key(sections, persons, len(self.codes.person))

    @cached_property
    def departed(self) -> np.ndarray:
        """Person codes of staff and pupils whose end date is on or before the day."""
        person = self.codes.person
        staff = person["staff"][(self.s.staff["dismissed"] <= self.day).to_numpy()]
        pupils = person["pupils"][(self.s.pupils["expelled"] <= self.day).to_numpy()]
        return np.concatenate([staff, pupils])

    @cached_property
    def section_names(self) -> dict[str, str]:
        sections = self.s.sections
        # over object arrays: iterating a text column itself costs a call per cell
        codes = sections["code"].to_numpy(dtype=object)
        names = sections["name"].fillna(sections["code"]).to_numpy(dtype=object)
        return dict(zip(codes, names, strict=True))

    @cached_property
    def section_name_by_code(self) -> np.ndarray:
        """The name of each section code (the code itself when «Объединения» has no such section), and '' last,
        for code −1."""
        names = self.section_names
        ids = self.codes.section.ids
        return np.array([*(names.get(c, c) if isinstance(c, str) else "" for c in ids), ""], dtype=object)


class _Facts:
    """What one audit's checks see: the day's facts (:class:`DayFacts`, shared) and the organisation's limits."""

    def __init__(self, snapshot: Snapshot, as_of: dt.date, settings: AuditSettings) -> None:
        self.facts = DayFacts.of(snapshot, as_of)
        self.settings = settings

    def __getattr__(self, name: str) -> Any:
        return getattr(self.facts, name)


def _frame(subject: pd.Series | list[str], message: pd.Series | list[str] | np.ndarray) -> pd.DataFrame:
    def column(v: pd.Series | list[str] | np.ndarray) -> np.ndarray:
        return v.to_numpy(dtype=object) if isinstance(v, pd.Series) else np.asarray(v, dtype=object)

    # the columns as they are (object, copy=False: pandas would otherwise look through every text to make it
    # its own string type); the audit takes them apart again at once
    return pd.DataFrame({"subject": column(subject), "message": column(message)}, dtype=object, copy=False)


_TEXT = np.dtypes.StringDType()
#: Longest text sorted as fixed-width bytes: each value takes the width of the longest.
_BYTES_MAX = 64


def _sortable(text: np.ndarray) -> np.ndarray | None:
    """Strings as numpy text that sorts and compares as Python does, far faster than Python: short ASCII ones as
    fixed-width bytes, others as variable-width UTF-8 (UTF-8 keeps the order of code points); None when that
    would not be the same: a value not a string, one with a NUL (numpy compares past it wrongly, and drops it at
    the end of bytes) or one UTF-8 cannot encode."""
    if len(text) and pd.api.types.infer_dtype(text, skipna=False) != "string":
        return None
    if "\0" in "".join(text):
        return None
    if len(text) and max(map(len, text)) <= _BYTES_MAX:
        try:  # plain ASCII (most subjects: IDs and codes) as bytes, which numpy sorts twice as fast
            return text.astype(np.bytes_)
        except UnicodeEncodeError:
            pass
    try:
        return text.astype(_TEXT)
    except UnicodeEncodeError:  # a lone surrogate
        return None


def _order(checks: pd.Series, subjects: pd.Series) -> np.ndarray:
    """Row order by check, then subject: the order of a stable ``sort_values``, several times faster.

    A stable sort of the subjects, then a stable sort by the check's rank. The subjects are sorted by numpy as
    text (:func:`_sortable`); subjects it cannot take are sorted by Python itself.
    """
    text = subjects.to_numpy(dtype=object)
    if not all(isinstance(t, str) for t in text):
        return np.lexsort((pd.factorize(subjects, sort=True)[0], pd.factorize(checks, sort=True)[0]))
    sortable = _sortable(text)
    if sortable is not None:
        by_subject = np.argsort(sortable, kind="stable").astype(np.int64)
    else:
        by_subject = np.array(sorted(range(len(text)), key=text.__getitem__), dtype=np.int64)
    rank = pd.factorize(checks, sort=True)[0]
    return by_subject[np.argsort(rank[by_subject], kind="stable")]


def _first_by_subject(subjects: np.ndarray) -> np.ndarray:
    """Positions of the first row of each subject, ordered by subject (the findings of one check).

    The same rows and order as ``drop_duplicates`` then :func:`_order`: after the stable sort a repeated
    subject follows its first row, so it is dropped by comparing neighbours instead of hashing.
    """
    sortable = _sortable(subjects)
    if sortable is None:
        checks = pd.Series(np.zeros(len(subjects), dtype=np.int8))
        first = np.flatnonzero(~pd.Series(subjects, dtype=object).duplicated().to_numpy())
        return first[_order(checks.iloc[first], pd.Series(subjects[first], dtype=object))]
    order = np.argsort(sortable, kind="stable")
    text = sortable[order]
    repeated = np.zeros(len(order), dtype=bool)
    repeated[1:] = text[1:] == text[:-1]
    return order[~repeated].astype(np.int64)


def _first_in_order(checks: np.ndarray, subjects: np.ndarray) -> np.ndarray:
    """Positions of the first row of each (check, subject), ordered as :func:`_order` orders them: check by
    check (in the order of their keys), each by :func:`_first_by_subject`."""
    rank, _ = pd.factorize(checks, sort=True)
    order = np.argsort(rank, kind="stable")
    ends = np.cumsum(np.bincount(rank, minlength=1)) if len(rank) else np.zeros(0, dtype=np.int64)
    parts, start = [], 0
    for end in ends.tolist():
        rows = order[start:end]
        parts.append(rows[_first_by_subject(subjects[rows])])
        start = end
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)


def _map_distinct(values: pd.Series, how: Callable[[object], str]) -> pd.Series:
    """``how`` of each value, computed once per distinct value."""
    codes, uniques = pd.factorize(values)
    mapped = np.array([*(how(u) for u in uniques), how(None)], dtype=object)
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def _chat_labels(f: _Facts, chat_ids: pd.Series) -> pd.Series:
    """«Робототехника — ребята» in quotes for each chat ID: a person knows a chat by its name (the bare ID when
    the chat has no name; the finding's subject keeps the ID)."""
    codes, uniques = pd.factorize(chat_ids)
    chats = f.s.chats.drop_duplicates("id")
    names = pd.Series(chats["name"].to_numpy(dtype=object), index=chats["id"].to_numpy(dtype=object))
    found = names.reindex(np.asarray(uniques, dtype=object)).to_numpy(dtype=object)
    labels = [f"«{n}»" if isinstance(n, str) and n.strip() else str(c) for c, n in zip(uniques, found, strict=True)]
    return pd.Series(np.array([*labels, ""], dtype=object)[codes], index=chat_ids.index, dtype=object)


def _position(frame: pd.DataFrame) -> pd.Series:
    return frame["position"].fillna("педагогический работник").astype(object)


def _eligibility_reasons(rows: pd.DataFrame, day: pd.Timestamp, need_joined: bool) -> pd.Series:
    """Why staff rows are not (joined) current pedagogical staff, in words that need no gender."""
    reasons = pd.Series([[] for _ in range(len(rows))], index=rows.index, dtype=object)
    for index, row in rows.iterrows():
        said = reasons[index]
        if not row["pedagogical"]:
            position = row["position"] if isinstance(row["position"], str) else "не указана"
            said.append(f"должность «{position}» не относится к педагогическим")
        if pd.notna(row["dismissed"]) and row["dismissed"] <= day:
            said.append(f"дата увольнения — {row['dismissed']:%d.%m.%Y}")
        if pd.notna(row["hired"]) and row["hired"] > day:
            said.append(f"дата приёма — {row['hired']:%d.%m.%Y}, позже даты проверки")
        if need_joined and not row["has_joined"]:
            said.append("нет отметки о присоединении к организации на платформе")
    return reasons.map("; ".join)


# --- the checks -----------------------------------------------------------------------------------------


def _admin_appointed(f: _Facts) -> pd.DataFrame:
    missing = []
    if not f.org.admin_id:
        missing.append("не указан администратор платформы")
    if not f.org.admin_order_number:
        missing.append("нет номера приказа о назначении администратора")
    if not f.org.admin_order_date:
        missing.append("нет даты приказа о назначении администратора")
    if not missing:
        return _frame([], [])
    text = "; ".join(missing)
    return _frame(["организация"], [f"{text[:1].upper()}{text[1:]}. Руководитель назначает администратора приказом."])


def _admin_row(f: _Facts) -> pd.DataFrame:
    return f.staff[f.staff["id"] == f.org.admin_id] if f.org.admin_id else f.staff.iloc[0:0]


def _admin_contacts(f: _Facts) -> pd.DataFrame:
    admin = _admin_row(f)
    if admin.empty:
        return _frame([], [])
    row = admin.iloc[0]
    missing = []
    if not is_mobile(row["phone"] if pd.notna(row["phone"]) else None):
        missing.append("личного мобильного телефона (+79…)")
    if pd.isna(row["email"]):
        missing.append("адреса электронной почты")
    if not missing:
        return _frame([], [])
    said = "нет " + " и ".join(missing)
    return _frame([row["id"]], _say(f, "admin-contacts", admin["id"], f.person_codes("staff", admin), missing=said))


def _local_act(f: _Facts) -> pd.DataFrame:
    if f.org.usage_order_number and f.org.usage_order_date:
        return _frame([], [])
    return _frame(
        ["организация"], ["Не указан приказ об использовании платформы (номер и дата): его издаёт руководитель."]
    )


def _teachers_room(f: _Facts) -> pd.DataFrame:
    ped = f.current_pedagogues
    not_joined = ped[~ped["has_joined"]]
    outside = ped[ped["has_joined"] & ~ped["in_teachers_room"]]
    return pd.concat(
        [
            _frame(
                not_joined["id"],
                _say(
                    f,
                    "teachers-room/not-joined",
                    not_joined["id"],
                    f.person_codes("staff", not_joined),
                    position=_position(not_joined),
                ),
            ),
            _frame(
                outside["id"],
                _say(
                    f,
                    "teachers-room/outside",
                    outside["id"],
                    f.person_codes("staff", outside),
                    position=_position(outside),
                ),
            ),
        ],
        ignore_index=True,
    )


def _teacher_status(f: _Facts) -> pd.DataFrame:
    ped = f.current_pedagogues
    unconfirmed = ped[ped["has_joined"] & ~ped["status_confirmed"]]
    return _frame(unconfirmed["id"], _say(f, "teacher-status", unconfirmed["id"], f.person_codes("staff", unconfirmed)))


def _admin_eligible(f: _Facts) -> pd.DataFrame:
    if not f.org.admin_id:
        return _frame([], [])  # no administrator at all: admin-appointed says so
    admin = _admin_row(f)
    if admin.empty:
        return _frame(
            [f.org.admin_id],
            [
                f"Администратор платформы {f.org.admin_id} не найден на листе «Сотрудники»: администратора "
                "платформы назначают из числа педагогических работников организации."
            ],
        )
    admin = admin.iloc[:1]
    if bool(admin["current"].iloc[0] and admin["pedagogical"].iloc[0]):
        return _frame([], [])
    reasons = _eligibility_reasons(admin, f.day, need_joined=False)
    return _frame(admin["id"], _say(f, "admin-eligible", admin["id"], f.person_codes("staff", admin), reasons=reasons))


def _extra_admins(f: _Facts) -> pd.DataFrame:
    staff = f.staff
    role = staff["platform_role"].fillna("").astype(str).str.strip().str.lower().str.replace("ё", "е")
    extra = staff[role == EXTRA_ADMIN]
    wrong = extra[~(extra["current"] & extra["pedagogical"] & extra["has_joined"])]
    reasons = _eligibility_reasons(wrong, f.day, need_joined=True)
    return _frame(wrong["id"], _say(f, "extra-admins", wrong["id"], f.person_codes("staff", wrong), reasons=reasons))


def _members_of(f: _Facts, chat_type: ChatType) -> np.ndarray:
    """Person codes of the members of the chats of a type."""
    return f.codes.members_of(np.flatnonzero(f.is_chat_of(chat_type)))


def _activist_chats(f: _Facts) -> pd.DataFrame:
    parts = []
    pupils_type, parents_type = ChatType.HEAD_STUDENT_ACTIVISTS, ChatType.HEAD_PARENT_ACTIVISTS
    if f.is_chat_of(parents_type).any() and f.s.has("Родители"):
        parents, person = f.s.parents, f.codes.person
        activist = parents["activist"].fillna(False).astype(bool).to_numpy()
        codes = person["parents"]
        wanted = activist & person.isin(codes, f.parents_of_current) & ~person.isin(codes, _members_of(f, parents_type))
        missing = parents.loc[wanted, "id"]
        parts.append(
            _frame(
                parents_type.value + "/" + missing,
                _say(f, "activist-chats/parents", missing, codes[wanted], chat_type=parents_type.label),
            )
        )
    if f.is_chat_of(pupils_type).any():
        pupils, person = f.s.pupils, f.codes.person
        active = f.current_pupil & pupils["activist"].fillna(False).astype(bool).to_numpy()
        wanted = active & ~person.isin(person["pupils"], _members_of(f, pupils_type))
        missing = pupils.loc[wanted, "id"]
        parts.append(
            _frame(
                pupils_type.value + "/" + missing,
                _say(f, "activist-chats/pupils", missing, person["pupils"][wanted], chat_type=pupils_type.label),
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else _frame([], [])


def _structure(f: _Facts) -> pd.DataFrame:
    sections = f.s.sections[~f.s.sections["class_created"]]
    return _frame(
        sections["code"],
        "Для объединения «"
        + sections["name"].fillna(sections["code"]).astype(object)
        + "» не создан класс в структуре организации на платформе (структуру создают при необходимости).",
    )


_SECTION_CHAT_WORDS = {
    ChatType.SECTION_STUDENTS: "с обучающимися",
    ChatType.SECTION_PARENTS: "с родителями",
    ChatType.SECTION_TEACHERS: "с педагогами",
}


def _section_chats(f: _Facts) -> pd.DataFrame:
    types = pd.DataFrame({"type": [t.value for t in SECTION_CHAT_TYPES]})
    wanted = f.s.sections[["code", "name"]].merge(types, how="cross")
    have = f.s.chats[["section_code", "type"]].drop_duplicates().rename(columns={"section_code": "code"})
    missing = wanted.merge(have, on=["code", "type"], how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"]
    words = missing["type"].map({t.value: w for t, w in _SECTION_CHAT_WORDS.items()}).astype(object)
    out = _frame(
        missing["code"] + "/" + missing["type"],
        "У объединения «" + missing["name"].fillna(missing["code"]).astype(object) + "» нет чата " + words + ".",
    )
    teachers = missing["type"].to_numpy(dtype=object) == ChatType.SECTION_TEACHERS.value
    out["severity"] = np.where(teachers, REMARK, VIOLATION).astype(object)
    return out


def _uncovered(f: _Facts, chat_type: ChatType) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (section, person) pairs (codes) that belong in a chat of the type of their section, in sections
    having such a chat, but are in none of them; each pair once, in the order first met. Returns the rows of the
    pairs among :meth:`_Facts.matches`' and their section and person codes."""
    match = f.matches(chat_type)
    keep = f.codes.section.isin(match.sections, f.codes.section["chats"][f.is_chat_of(chat_type)])
    chosen = np.flatnonzero(keep & ~match.wanted_inside & match.wanted_once)
    return chosen, match.sections[chosen], match.persons[chosen]


def _subjects(f: _Facts, sections: np.ndarray, persons: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """«section_code/person_id» of each pair of codes (NaN when either is empty, as text columns would give);
    ``ids`` are the persons' IDs (:meth:`Coded.text`)."""
    prefix = np.array([f"{c}/" if isinstance(c, str) else None for c in f.codes.section.ids] + [None], dtype=object)
    heads = prefix[sections]
    out = np.full(len(ids), np.nan, dtype=object)
    if f.codes.person.all_text:  # the codes tell the empty cells: no pass over the texts to find them
        both = (persons >= 0) & pd.notna(prefix)[sections]
        out[both] = heads[both] + ids[both]  # numpy adds the strings pair by pair, in C
        return out
    both = pd.notna(heads) & pd.notna(ids)
    heads, ids = heads[both], ids[both]
    if pd.api.types.infer_dtype(ids, skipna=False) in ("string", "empty"):
        out[both] = heads + ids
    else:  # an ID that is not text gives no subject, as a text column would
        out[both] = [h + p if isinstance(p, str) else np.nan for h, p in zip(heads, ids, strict=True)]
    return out


def _coverage(f: _Facts, chat_type: ChatType, key: str) -> pd.DataFrame:
    _, sections, persons = _uncovered(f, chat_type)
    ids = f.codes.person.text(persons)
    return _frame(
        _subjects(f, sections, persons, ids),
        _say(f, key, ids, persons, section=_Keyed(sections, f.section_name_by_code)),
    )


def _student_coverage(f: _Facts) -> pd.DataFrame:
    return _coverage(f, ChatType.SECTION_STUDENTS, "student-coverage")


def _parent_coverage(f: _Facts) -> pd.DataFrame:
    return _coverage(f, ChatType.SECTION_PARENTS, "parent-coverage")


def _management_chats(f: _Facts) -> pd.DataFrame:
    present = set(f.s.chats["type"])
    missing = [t for t in MANAGEMENT_CHAT_TYPES if t.value not in present]
    return _frame([t.value for t in missing], [f"Нет чата «{t.label}»." for t in missing])


def _system_channels(f: _Facts) -> pd.DataFrame:
    present = {normalise_header(n) for n in f.s.channels["name"].dropna()}
    missing = [c for c in SYSTEM_CHANNELS if normalise_header(c) not in present]
    return _frame(missing, [f"Нет системного канала «{c}»." for c in missing])


def _invite_target(f: _Facts, targets: pd.Series) -> pd.Series:
    """Where a link leads, in words: «в «Учительскую»», «в объединение «Робототехника»», «в чат «…»»."""
    chats = f.s.chats
    ids, names = chats["id"].to_numpy(dtype=object), chats["name"].to_numpy(dtype=object)
    chat_names = dict(zip(ids[::-1], names[::-1], strict=True))  # the first row of a repeated ID wins

    def words(target: object) -> str:
        text = target if isinstance(target, str) else ""
        if text.lower() == "организация":
            return "в организацию"
        if text.lower() == "учительская":
            return "в «Учительскую»"
        kind, _, code = text.partition(":")
        if kind == "объединение":
            return f"в объединение «{f.section_names.get(code, code)}»"
        if kind == "чат":
            name = chat_names.get(code)
            # the chat's name is what a person knows it by; the code only when the workbook has no such chat
            return f"в чат «{name}»" if isinstance(name, str) and name.strip() else f"в чат {code}"
        return f"«{text}»"

    return _map_distinct(targets, words)


def _stale_invites(f: _Facts) -> pd.DataFrame:
    inv = f.s.invites
    limit = f.settings.invite_max_age_days
    open_ = inv["used"].isna() & inv["annulled"].isna()
    too_old = inv["created"] < f.day - pd.Timedelta(days=limit)
    expired = inv["valid_until"] < f.day
    stale = inv[open_ & (too_old | expired)]
    head = (
        "Ссылка-приглашение "
        + stale["id"].astype(object)
        + " "
        + _invite_target(f, stale["target"])
        + " для роли «"
        + stale["role"].fillna("").astype(object)
        + "» создана "
        + _day(stale["created"])
        + " и не использована"
    )
    age = (f.day - stale["created"]).dt.days
    days = _map_distinct(age, lambda a: _days(int(a)) if pd.notna(a) else "")  # a few distinct ages
    too_old_text = pd.Series(
        [f" уже {a} (срок по правилам организации: {_days(limit)})" for a in days],
        index=stale.index,
        dtype=object,
    )
    expired_text = ", а срок её действия истёк: она действовала до " + _day(stale["valid_until"])
    tail = expired_text.where(stale["valid_until"] < f.day, too_old_text)
    return _frame(stale["id"], head + tail + ". Аннулируйте её.")


def _pending_requests(f: _Facts) -> pd.DataFrame:
    req = f.s.requests
    limit = f.settings.request_max_age_days
    waiting = req[req["decision"].isna() & (req["filed"] < f.day - pd.Timedelta(days=limit))]
    age = _map_distinct((f.day - waiting["filed"]).dt.days, lambda a: _days(int(a)) if pd.notna(a) else "")
    return _frame(
        waiting["id"],
        _say(
            f,
            "pending-requests",
            waiting["applicant_id"],
            f.person_codes("requests", waiting, "requests.applicant"),
            id=waiting["id"],
            role=waiting["role"].fillna("").astype(object),
            date=_day(waiting["filed"]),
            age=pd.Series(age, index=waiting.index, dtype=object),
            limit=_days(limit),
        ),
    )


def _departed_members(f: _Facts) -> pd.DataFrame:
    person = f.codes.person
    in_chats = person.lookup(person["members"])
    left_staff = (f.s.staff["dismissed"] <= f.day).to_numpy() & in_chats[person["staff"]]
    left_pupils = (f.s.pupils["expelled"] <= f.day).to_numpy() & in_chats[person["pupils"]]
    staff, pupils = f.s.staff[left_staff], f.s.pupils[left_pupils]
    return pd.concat(
        [
            _frame(
                staff["id"],
                _say(
                    f,
                    "departed-members/staff",
                    staff["id"],
                    person["staff"][left_staff],
                    date=_day(staff["dismissed"]),
                ),
            ),
            _frame(
                pupils["id"],
                _say(
                    f,
                    "departed-members/pupils",
                    pupils["id"],
                    person["pupils"][left_pupils],
                    date=_day(pupils["expelled"]),
                ),
            ),
        ],
        ignore_index=True,
    )


_FOREIGN_RULES = {
    ChatType.SECTION_STUDENTS.value: "в чат объединения с обучающимися входят только обучающиеся этого объединения "
    "и педагогические работники",
    ChatType.SECTION_PARENTS.value: "в чат объединения с родителями входят только родители обучающихся этого "
    "объединения и педагогические работники",
    ChatType.SECTION_TEACHERS.value: "в чат педагогов объединения входят только педагогические работники",
}


def _foreign_members(f: _Facts) -> pd.DataFrame:
    person = f.codes.person
    m = f.memberships
    section_types = np.array([i for i, t in enumerate(ChatType) if t in SECTION_CHAT_TYPES])
    in_section_chat = np.isin(m.type, section_types)
    # whose (section, person) pair belongs in a chat of the type: taken from the coverage's matching
    belongs = np.zeros(len(m.member), dtype=bool)
    for chat_type in (ChatType.SECTION_STUDENTS, ChatType.SECTION_PARENTS):
        match = f.matches(chat_type)
        belongs[match.inside] = match.inside_wanted
    pedagogues = f.staff["current"].to_numpy() & f.staff["pedagogical"].to_numpy()
    allowed = person.lookup(person["staff"][pedagogues])[m.person] | belongs
    foreign = np.flatnonzero(in_section_chat & ~person.isin(m.person, f.departed) & ~allowed)
    rows = m.member[foreign]
    chat_ids, person_ids = f.s.members["chat_id"].iloc[rows], f.s.members["person_id"].iloc[rows]
    rules = np.array([_FOREIGN_RULES[t.value] for t in ChatType if t in SECTION_CHAT_TYPES], dtype=object)
    kinds = pd.Index(section_types).get_indexer(m.type[foreign])
    chat = _chat_labels(f, chat_ids)
    return _frame(
        chat_ids + "/" + person_ids,
        _say(
            f,
            "foreign-members",
            person_ids,
            m.person[foreign],
            chat=chat.to_numpy(dtype=object),
            rule=_Keyed(kinds, rules),
        ),
    )


S, U, P, R = "Сотрудники", "Объединения", "Обучающиеся", "Родители"
C, M = "Чаты", "Участники чатов"

CHECKS: tuple[Check, ...] = (
    Check("admin-appointed", "2.1, 2.2", VIOLATION, "ADM-01", "Администратор назначен приказом", (), _admin_appointed),
    Check("admin-contacts", "2.1", VIOLATION, "ADM-02", "Контакты администратора", (S,), _admin_contacts),
    Check("local-act", "2.2", REMARK, "HEAD-01", "Приказ об использовании платформы", (), _local_act),
    Check("teachers-room", "2.1, 2.2", VIOLATION, "ADM-05", "Педагоги в «Учительской»", (S,), _teachers_room),
    Check("teacher-status", "2.1, 2.3", REMARK, "ADM-11", "Статус «педагог» подтверждён", (S,), _teacher_status),
    Check(
        "admin-eligible",
        "2.2",
        VIOLATION,
        "HEAD-02",
        "Администратор из педагогических работников",
        (S,),
        _admin_eligible,
    ),
    Check(
        "extra-admins", "2.1", VIOLATION, "ADM-08", "Дополнительные администраторы из педагогов", (S,), _extra_admins
    ),
    Check("activist-chats", "2.2", REMARK, "HEAD-06", "Актив в чатах руководителя", (P, C, M), _activist_chats),
    Check("structure", "2.1", REMARK, "ADM-06", "Классы объединений созданы", (U,), _structure),
    Check("section-chats", "2.3", VIOLATION, "PDO-03", "Чаты объединений", (U, C), _section_chats),
    Check(
        "student-coverage",
        "2.3",
        VIOLATION,
        "STU-01",
        "Обучающиеся в чатах объединений",
        (U, P, C, M),
        _student_coverage,
    ),
    Check(
        "parent-coverage", "2.7", REMARK, "PAR-01", "Родители в чатах объединений", (U, P, R, C, M), _parent_coverage
    ),
    Check("management-chats", "2.2", REMARK, "HEAD-06", "Управленческие чаты", (C,), _management_chats),
    Check("system-channels", "2.1", REMARK, "ADM-14", "Системные каналы", ("Каналы",), _system_channels),
    Check(
        "stale-invites", "2.1", VIOLATION, "ADM-13", "Невостребованные ссылки", ("Ссылки-приглашения",), _stale_invites
    ),
    Check("pending-requests", "2.1", REMARK, "ADM-10", "Нерассмотренные заявки", ("Заявки",), _pending_requests),
    Check("departed-members", "2.1", VIOLATION, "ADM-12", "Выбывшие в чатах", (C, M), _departed_members),
    Check("foreign-members", "2.1", VIOLATION, "ADM-12", "Посторонние в чатах объединений", (C, M), _foreign_members),
)
CHECKS_BY_KEY: dict[str, Check] = {c.key: c for c in CHECKS}


def audit(snapshot: Snapshot, as_of: dt.date, settings: AuditSettings | None = None) -> AuditResult:
    """Run every check on the snapshot as of a day; deterministic for a given ``as_of``."""
    facts = _Facts(snapshot, as_of, settings or AuditSettings())
    found: list[tuple[Check, pd.DataFrame]] = []
    not_performed: dict[str, str] = {}
    for check in CHECKS:
        absent = [s for s in check.needs if not snapshot.has(s)]
        if absent:
            not_performed[check.key] = "нет листа " + ", ".join(f"«{s}»" for s in absent)
            continue
        rows = check.run(facts)
        if not rows.empty:
            found.append((check, rows))
    # checks in the order of their keys, each one's findings by subject, a repeated subject once: the columns
    # are built once, as object arrays, with no frame per check to concatenate and convert
    kept = [
        (check, rows, _first_by_subject(rows["subject"].to_numpy(dtype=object)))
        for check, rows in sorted(found, key=lambda item: item[0].key)
    ]
    if not kept:
        return AuditResult(as_of, pd.DataFrame(columns=FINDING_COLUMNS, dtype=object), not_performed)
    data = {c: np.empty(sum(len(keep) for _, _, keep in kept), dtype=object) for c in FINDING_COLUMNS}
    start = 0
    for check, rows, keep in kept:
        end = start + len(keep)
        # the check's own key, clause and duty; its severity unless the check gives one per finding
        given = {"check": check.key, "clause": check.clause, "duty": check.duty, "severity": check.severity}
        for column, values in data.items():
            if column in rows:  # taken straight into place ("clip": no buffer, the positions are valid)
                np.take(rows[column].to_numpy(dtype=object), keep, out=values[start:end], mode="clip")
            else:
                values[start:end] = given[column]
        start = end
    return AuditResult(as_of, pd.DataFrame(data, dtype=object, copy=False), not_performed)
