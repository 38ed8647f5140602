"""Sentences about a person that agree with their gender and case.

Every user-facing message that names a person goes through this module. The gender is «Пол» when given,
else the patronymic's (‑вна, ‑чна, ‑кызы → ж; ‑вич, ‑ьич, ‑оглы → м), else an unambiguous first name's,
else unknown (``None``) — and then the caller's gender-free wording is used. Names are declined as the
documents decline them (:mod:`sferum_lib.documents.names`, pytrovich, ``templates/склонение.yaml``).

One person::

    p = Person.of("Тихонова", "Ольга", "Юрьевна")        # also: gender="ж" («Пол» as written), id="E05"
                                                          # or Person.from_row(row) / People(snapshot).person(id)
    p.gender                                              # "ж"
    p.name("genitive")                                    # "Тихоновой Ольги Юрьевны"
    p.who("genitive")                                     # "Тихоновой Ольги Юрьевны (E05)" when the id is known
    p.agree("присоединился", "присоединилась", "нет отметки о присоединении")   # "присоединилась"
    p.pronoun("accusative")                               # "её"; unknown gender → "этого человека"

Many people at once (findings of a large organisation; only the people looked up are prepared, and each
distinct name part, gender and case is declined once per process, so a million rows take seconds)::

    people = People(snapshot)                             # everyone on «Сотрудники», «Обучающиеся», «Родители»
    g = people.gender(ids)                                # Series of "м" / "ж" / None, aligned with ids
    found = people.named(ids)                             # looked up once: found.gender, found.who("genitive"),
                                                          # found.take(mask) — a part, without a second lookup
    people.who(ids, "genitive")                           # Series «Фамилии Имени Отчества (ID)»
    people.name(ids, "dative")                            # Series of names without the ID
    genders(frame), names_in_case(frame, "genitive")      # the same for a frame with last_name, first_name …
    choose(g, masculine, feminine, neutral)               # each a str or a Series aligned with ids

Rules for callers: with an unknown gender name the person in the nominative and phrase the rest without a
gendered word («Петрова Саша (U03): нет отметки о присоединении»), never «присоединился(ась)».

Also :func:`plural` («7 дней», «1 день») and :func:`gender_of` / :func:`parse_gender` on their own.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sferum_lib.documents.names import CASES, FEMALE, MALE, decline_full, decliner, full_with

__all__ = [
    "CASES",
    "FEMALE",
    "MALE",
    "PEOPLE_TABLES",
    "Named",
    "People",
    "Person",
    "agree",
    "choose",
    "default_overrides",
    "gender_of",
    "genders",
    "names_in_case",
    "parse_gender",
    "plural",
    "pronoun",
]

_GIVEN = {"м": MALE, "муж": MALE, "мужской": MALE, "ж": FEMALE, "жен": FEMALE, "женский": FEMALE}
_PATRONYMIC_FEMALE = ("вна", "чна", "шна", "кызы", "гызы")
_PATRONYMIC_MALE = ("вич", "ьич", "ич", "оглы", "улы")
#: First names (and short forms) worn by men and women alike: they decide nothing.
AMBIGUOUS_FIRST_NAMES = frozenset(
    {"саша", "саня", "шура", "женя", "валя", "слава", "сима", "стася", "мишель", "ким", "паша", "тоня", "ли"}
)
_NO_VALUE = {"", "nan", "none", "nat"}


def _text(value: object) -> str:
    if not isinstance(value, str):
        return ""
    text = " ".join(value.split())
    return "" if text.lower() in _NO_VALUE else text


def parse_gender(value: object) -> str | None:
    """«Пол» as written (``м``, ``ж``, ``муж``, ``жен``, ``мужской``, ``женский``, any case) → ``"м"``/``"ж"``/None."""
    return _GIVEN.get(_text(value).lower().replace("ё", "е"))


@lru_cache(maxsize=100_000)
def _by_patronymic(middle: str) -> str | None:
    key = middle.lower().replace("ё", "е")
    if key.endswith(_PATRONYMIC_FEMALE):
        return FEMALE
    if key.endswith(_PATRONYMIC_MALE):
        return MALE
    return None


@lru_cache(maxsize=100_000)
def _by_first_name(first: str) -> str | None:
    key = first.lower().replace("ё", "е")
    if not key or key in AMBIGUOUS_FIRST_NAMES:
        return None
    from pytrovich.detector import PetrovichGenderDetector
    from pytrovich.enums import Gender

    found = PetrovichGenderDetector().detect(firstname=first.lower().capitalize())
    return {Gender.MALE: MALE, Gender.FEMALE: FEMALE}.get(found)


def gender_of(first: object = "", middle: object = "", given: object = None) -> str | None:
    """``"м"``, ``"ж"`` or None: from «Пол», else the patronymic, else an unambiguous first name."""
    stated = parse_gender(given)
    if stated is not None:
        return stated
    middle_text, first_text = _text(middle), _text(first)
    return (_by_patronymic(middle_text) if middle_text else None) or (
        _by_first_name(first_text) if first_text else None
    )


def default_overrides() -> Path:
    """The organisation's declension overrides: ``склонение.yaml`` in ``$SFERUM_TEMPLATES`` or ``templates/``."""
    # the same folder as sferum_lib.documents.templates_dir(), without importing the documents package
    folder = os.environ.get("SFERUM_TEMPLATES") or Path(__file__).resolve().parents[1] / "templates"
    return Path(folder) / "склонение.yaml"


# --- one person ---------------------------------------------------------------------------------------------

_PRONOUNS = {
    #               м        ж      after a preposition (у него, к ней, с ним)
    "nominative": ("он", "она", "он", "она"),
    "genitive": ("его", "её", "него", "неё"),
    "dative": ("ему", "ей", "нему", "ней"),
    "accusative": ("его", "её", "него", "неё"),
    "instrumental": ("им", "ей", "ним", "ней"),
    "prepositional": ("нём", "ней", "нём", "ней"),
}
_THIS_PERSON = {
    "nominative": "этот человек",
    "genitive": "этого человека",
    "dative": "этому человеку",
    "accusative": "этого человека",
    "instrumental": "этим человеком",
    "prepositional": "этом человеке",
}


@dataclass(frozen=True)
class Person:
    """A person a sentence names: the name's parts, the decided gender (or None) and, if known, the ID."""

    last: str
    first: str
    middle: str = ""
    gender: str | None = None
    id: str | None = None
    overrides: Path | None = field(default=None, compare=False)

    @classmethod
    def of(
        cls,
        last: object,
        first: object,
        middle: object = "",
        gender: object = None,
        id: str | None = None,
        overrides: Path | None = None,
    ) -> Person:
        """Clean the parts and decide the gender (``gender`` is «Пол» as written, may be empty)."""
        first_t, middle_t = _text(first), _text(middle)
        return cls(
            _text(last), first_t, middle_t, gender_of(first_t, middle_t, gender), id, overrides or default_overrides()
        )

    @classmethod
    def from_row(cls, row: Mapping[str, Any], overrides: Path | None = None) -> Person:
        """From a row of a people table (``last_name``, ``first_name``, ``middle_name``, ``gender``, ``id``)."""
        return cls.of(
            row.get("last_name"),
            row.get("first_name"),
            row.get("middle_name"),
            row.get("gender"),
            row.get("id") if isinstance(row.get("id"), str) else None,
            overrides,
        )

    def name(self, case: str = "nominative") -> str:
        """«Тихонова Ольга Юрьевна» in ``case`` (nominative when the gender is unknown and it matters)."""
        return decline_full(self.last, self.first, self.middle, self.gender, case, self.overrides)

    def who(self, case: str = "nominative") -> str:
        """The name in ``case`` followed by the ID in brackets, when the ID is known."""
        name = self.name(case)
        if not self.id:
            return name
        return f"{name} ({self.id})" if name else self.id

    def agree(self, masculine: str, feminine: str, neutral: str) -> str:
        return agree(self.gender, masculine, feminine, neutral)

    def pronoun(self, case: str = "nominative", after_preposition: bool = False, neutral: str | None = None) -> str:
        return pronoun(self.gender, case, after_preposition, neutral)


def _gender(subject: Person | str | None) -> str | None:
    return subject.gender if isinstance(subject, Person) else parse_gender(subject)


def agree(subject: Person | str | None, masculine: str, feminine: str, neutral: str) -> str:
    """The word form for the person's gender; ``neutral`` — a wording that needs no gender — when unknown."""
    gender = _gender(subject)
    return masculine if gender == MALE else feminine if gender == FEMALE else neutral


def pronoun(
    subject: Person | str | None, case: str = "nominative", after_preposition: bool = False, neutral: str | None = None
) -> str:
    """«он/она», «его/её», «ему/ей» … («него/неё» after a preposition); «этот человек» in ``case`` when unknown."""
    forms = _PRONOUNS[case]
    gender = _gender(subject)
    if gender is None:
        return neutral if neutral is not None else _THIS_PERSON[case]
    return forms[(2 if after_preposition else 0) + (gender == FEMALE)]


def plural(n: int, one: str, few: str, many: str, with_number: bool = True) -> str:
    """«1 день», «3 дня», «7 дней», «11 дней», «21 день»."""
    n_abs = abs(int(n))
    if n_abs % 10 == 1 and n_abs % 100 != 11:
        word = one
    elif 2 <= n_abs % 10 <= 4 and not 12 <= n_abs % 100 <= 14:
        word = few
    else:
        word = many
    return f"{n} {word}" if with_number else word


# --- many people at once ------------------------------------------------------------------------------------

_PART_COLUMNS = (("last", "last_name"), ("first", "first_name"), ("middle", "middle_name"))
_GENDER_CODES = np.array([MALE, FEMALE, None], dtype=object)


def _map_distinct(people: pd.DataFrame, column: str, how: Any, missing: Any) -> np.ndarray:
    """``how`` applied once per distinct value of a column; ``missing`` where it is absent or empty."""
    if column not in people:
        return np.full(len(people), missing, dtype=object)
    codes, uniques = pd.factorize(people[column])
    mapped = np.array([*(how(u) for u in uniques), missing], dtype=object)
    return mapped[codes]  # code -1 (a missing value) picks ``missing``, the last item


def _gender_array(people: pd.DataFrame) -> np.ndarray:
    stated = _map_distinct(people, "gender", parse_gender, None)
    by_middle = _map_distinct(people, "middle_name", lambda v: gender_of("", v), None)
    by_first = _map_distinct(people, "first_name", gender_of, None)
    out = np.where(pd.isna(stated), by_middle, stated)
    return np.where(pd.isna(out), by_first, out)


def genders(people: pd.DataFrame) -> pd.Series:
    """The gender («м»/«ж»/None) of each row of a people frame (``first_name``, ``middle_name``, ``gender``)."""
    return pd.Series(_gender_array(people), index=people.index, dtype=object)


def _join(last: np.ndarray, first: np.ndarray, middle: np.ndarray) -> np.ndarray:
    # plain Python over object arrays: faster than numpy or pandas string ops on a million rows
    joined = [
        f"{a} {b} {c}" if a and b and c else " ".join(x for x in (a, b, c) if x)
        for a, b, c in zip(last, first, middle, strict=True)
    ]
    return np.array(joined, dtype=object)


def names_in_case(
    people: pd.DataFrame, case: str = "nominative", gender: pd.Series | None = None, overrides: Path | None = None
) -> pd.Series:
    """«Фамилия Имя Отчество» of each row in ``case``; each distinct (part, word, gender) is declined once.

    Rows of unknown gender are declined only where no gender is needed (see ``decline_full``), else they
    stay in the nominative.
    """
    if case not in CASES:
        raise ValueError(f"unknown case {case!r}")
    if people.empty:
        return pd.Series([], index=people.index, dtype=object)
    g = _gender_array(people) if gender is None else gender.reindex(people.index).to_numpy(dtype=object)
    words = [_map_distinct(people, column, _text, "") for _, column in _PART_COLUMNS]
    return pd.Series(_names(*words, g, case, overrides), index=people.index, dtype=object)


def _names(
    last: np.ndarray, first: np.ndarray, middle: np.ndarray, g: np.ndarray, case: str, overrides: Path | None
) -> np.ndarray:
    if case == "nominative":
        return _join(last, first, middle)
    one = decliner(overrides or default_overrides())
    g_code = np.where(g == MALE, 0, np.where(g == FEMALE, 1, 2))
    known = g_code < 2
    declined = []
    for (part, _), values in zip(_PART_COLUMNS, (last, first, middle), strict=True):
        codes, uniques = pd.factorize(values)
        pair = codes.astype(np.int64) * 3 + g_code
        pair_codes, pair_uniques = pd.factorize(pair)
        forms = np.array(
            [one(part, uniques[p // 3], _GENDER_CODES[p % 3], case) if p % 3 < 2 else "" for p in pair_uniques],
            dtype=object,
        )
        declined.append(forms[pair_codes])
    out = _join(*declined)
    if not known.all():
        cache: dict[tuple[str, str, str], str] = {}
        for i in np.flatnonzero(~known):
            key = (last[i], first[i], middle[i])
            if key not in cache:
                cache[key] = full_with(one, *key, None, case)
            out[i] = cache[key]
    return out


def choose(
    gender: pd.Series, masculine: str | pd.Series, feminine: str | pd.Series, neutral: str | pd.Series
) -> pd.Series:
    """Row by row: ``masculine`` where «м», ``feminine`` where «ж», ``neutral`` where the gender is unknown."""

    def values(v: str | pd.Series) -> Any:
        return v.reindex(gender.index).to_numpy(dtype=object) if isinstance(v, pd.Series) else v

    g = gender.to_numpy(dtype=object)
    picked = np.select([g == MALE, g == FEMALE], [values(masculine), values(feminine)], values(neutral))
    return pd.Series(picked, index=gender.index, dtype=object)


@dataclass(frozen=True)
class Named:
    """People looked up once: each one's ID, cleaned name parts and gender, aligned with the IDs asked for.

    Made by :meth:`People.named`; the sentences about them (:meth:`name`, :meth:`who`) and a part of them
    (:meth:`take`) need no second lookup.
    """

    ids: np.ndarray
    last: np.ndarray
    first: np.ndarray
    middle: np.ndarray
    gender: np.ndarray
    overrides: Path

    def take(self, which: np.ndarray) -> Named:
        """The people at ``which`` (a boolean mask or positions)."""
        return Named(
            self.ids[which], self.last[which], self.first[which], self.middle[which], self.gender[which], self.overrides
        )

    def complete(self) -> np.ndarray:
        """Which people have all three name parts."""
        return (self.last != "") & (self.first != "") & (self.middle != "")

    def name(self, case: str = "nominative") -> np.ndarray:
        """The declined name of each ('' for an ID on no people sheet)."""
        if case not in CASES:
            raise ValueError(f"unknown case {case!r}")
        return _names(self.last, self.first, self.middle, self.gender, case, self.overrides)

    def who(self, case: str = "nominative") -> np.ndarray:
        """«Name (ID)» of each in ``case``; the bare ID when the person is on no people sheet."""
        if case == "nominative":  # the name needs no declension: joined with the ID in one pass
            return np.array(
                [
                    f"{a} {b} {c} ({i})" if a and b and c else _with_id(" ".join(x for x in (a, b, c) if x), i)
                    for a, b, c, i in zip(self.last, self.first, self.middle, self.ids, strict=True)
                ],
                dtype=object,
            )
        names = self.name(case)
        return np.array([_with_id(n, i) for n, i in zip(names, self.ids, strict=True)], dtype=object)


def _with_id(name: str, person_id: object) -> object:
    return f"{name} ({person_id})" if name else person_id


#: The people sheets' tables, in the order of :class:`People`'s rows.
PEOPLE_TABLES = ("staff", "pupils", "parents")
_RAW_COLUMNS = ("last_name", "first_name", "middle_name", "gender")


class People:
    """Everyone of a snapshot («Сотрудники», «Обучающиеся», «Родители») by ID, for sentences about them.

    Row ``r`` is the ``r``-th row of the three tables one after another (:data:`PEOPLE_TABLES`). Nothing is
    prepared for everyone: a lookup cleans the names and decides the genders of the people it finds only
    (per distinct value), so an organisation of a million people pays for the few a message names. An ID
    found twice counts by its first row.
    """

    def __init__(self, snapshot: Any, overrides: Path | None = None) -> None:
        tables = [getattr(snapshot, t, None) for t in PEOPLE_TABLES]
        self._tables = [t for t in tables if t is not None and not t.empty]
        self.overrides = overrides or default_overrides()
        self._index: pd.Index | None = None
        self._first_rows: pd.Series | None = None

    def __len__(self) -> int:
        return sum(len(t) for t in self._tables)

    def _column(self, column: str, at: np.ndarray | None = None) -> np.ndarray:
        """A column of the people sheets at rows ``at`` (all rows when None) as an object array; None at −1.

        Taken from each table in place: no copy of a million-row column is kept.
        """
        if at is None:
            at = np.arange(len(self), dtype=np.int64)
        out = np.full(len(at), None, dtype=object)
        start = 0
        for table in self._tables:
            stop = start + len(table)
            inside = (at >= start) & (at < stop)
            if column in table and inside.any():
                out[inside] = table[column].to_numpy(dtype=object)[at[inside] - start]
            start = stop
        return out

    def rows(self, ids: Iterable[str] | pd.Series | np.ndarray) -> np.ndarray:
        """The row of each ID, −1 for an ID on no people sheet."""
        values = _objects(ids)
        if self._index is None:
            self._index = pd.Index(self._column("id"), dtype=object)
        if self._index.is_unique:
            return self._index.get_indexer(values)
        # an ID twice on the people sheets (only in snapshots not built by the importer): its first row counts
        if self._first_rows is None:
            self._first_rows = pd.Series(np.arange(len(self._index)), index=self._index).groupby(level=0).first()
        return self._first_rows.reindex(values).fillna(-1).astype(np.int64).to_numpy()

    def named(self, ids: Iterable[str] | pd.Series | np.ndarray, rows: np.ndarray | None = None) -> Named:
        """The people of ``ids`` (their rows, when the caller knows them already: −1 for none)."""
        values = _objects(ids)
        at = self.rows(values) if rows is None else np.asarray(rows, dtype=np.int64)
        # each name part is factorized once: its distinct values are cleaned and, for the first name and the
        # patronymic, give the gender too (as _gender_array decides it)
        words, by_part = [], {}
        for _, column in _PART_COLUMNS:
            codes, uniques = pd.factorize(self._column(column, at))  # −1 (no such person or a gap): missing
            words.append(np.array([*(_text(u) for u in uniques), ""], dtype=object)[codes])
            if column == "middle_name":
                by_part[column] = np.array([*(gender_of("", u) for u in uniques), None], dtype=object)[codes]
            elif column == "first_name":
                by_part[column] = np.array([*(gender_of(u) for u in uniques), None], dtype=object)[codes]
        codes, uniques = pd.factorize(self._column("gender", at))
        stated = np.array([*(parse_gender(u) for u in uniques), None], dtype=object)[codes]
        gender = np.where(pd.isna(stated), by_part["middle_name"], stated)
        gender = np.where(pd.isna(gender), by_part["first_name"], gender)
        return Named(values, *words, gender, self.overrides)

    def gender(self, ids: Iterable[str] | pd.Series) -> pd.Series:
        """«м»/«ж»/None of each ID (None for an ID on no people sheet)."""
        ids = _series(ids)
        return pd.Series(self.named(ids).gender, index=ids.index, dtype=object)

    def name(self, ids: Iterable[str] | pd.Series, case: str = "nominative") -> pd.Series:
        """The declined name of each ID ('' for an ID on no people sheet)."""
        if case not in CASES:
            raise ValueError(f"unknown case {case!r}")
        ids = _series(ids)
        return pd.Series(self.named(ids).name(case), index=ids.index, dtype=object)

    def who(self, ids: Iterable[str] | pd.Series, case: str = "nominative") -> pd.Series:
        """«Name (ID)» of each ID in ``case``; the bare ID when the person is on no people sheet."""
        if case not in CASES:
            raise ValueError(f"unknown case {case!r}")
        ids = _series(ids)
        return pd.Series(self.named(ids).who(case), index=ids.index, dtype=object)

    def person(self, person_id: str) -> Person | None:
        """One person by ID, or None when the ID is on no people sheet."""
        if int(self.rows([person_id])[0]) < 0:
            return None
        one = self.named([person_id])
        return Person(one.last[0], one.first[0], one.middle[0], one.gender[0], person_id, self.overrides)


def _objects(ids: Iterable[str] | pd.Series | np.ndarray) -> np.ndarray:
    if isinstance(ids, pd.Series):
        return ids.to_numpy(dtype=object)
    if isinstance(ids, np.ndarray):
        return ids.astype(object, copy=False)
    return np.asarray(list(ids), dtype=object)


def _series(ids: Iterable[str] | pd.Series) -> pd.Series:
    return ids if isinstance(ids, pd.Series) else pd.Series(list(ids), dtype=object)
