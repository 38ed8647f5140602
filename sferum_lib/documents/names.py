"""Russian names in the grammatical case a sentence needs, and dates in words.

Declension is pytrovich's (the petrovich rules). We pass the gender explicitly (``"м"`` / ``"ж"``, decided by
:func:`sferum_lib.grammar.gender_of`), decline each piece of a hyphenated or particle name on its own, keep the
writer's capitalisation («Анны-Марии», «Ди Каприо», «МакКарти»), and let an organisation override a name the
rules get wrong (``templates/склонение.yaml``), keyed by name part and gender so that a man's override never
changes a woman's name. Every distinct (part, word, gender, case) is declined once per process.

The overrides file (YAML)::

    фамилия:            # or «имя», «отчество»
      Гусь:
        м: {родительный: Гуся, дательный: Гусю}
        ж: {родительный: Гусь, дательный: Гусь}
      Дюма:             # cases directly under the word: both genders
        родительный: Дюма

Case names may be Russian (родительный, дательный, винительный, творительный, предложный) or the English
keys of :data:`CASES`. The old format — a word at the top level with its cases — is still read and applies to
every part and both genders, as before.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml

from sferum_lib.errors import SferumError

CASES = ("nominative", "genitive", "dative", "accusative", "instrumental", "prepositional")
PARTS = ("last", "first", "middle")
MALE, FEMALE = "м", "ж"
MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip

_CASE_WORDS = {
    "именительный": "nominative",
    "родительный": "genitive",
    "дательный": "dative",
    "винительный": "accusative",
    "творительный": "instrumental",
    "предложный": "prepositional",
    **{c: c for c in CASES},
}
_PART_WORDS = {"фамилия": "last", "имя": "first", "отчество": "middle"}
_GENDER_WORDS = {"м": MALE, "муж": MALE, "мужской": MALE, "ж": FEMALE, "жен": FEMALE, "женский": FEMALE}
#: Particles of foreign names that never decline («Ди Каприо», «фон Бок», «Мамед оглы»).
PARTICLES = frozenset(
    {"ди", "де", "да", "дю", "дель", "делла", "ла", "ле", "ван", "фон", "дер", "цу", "мак", "о", "эль", "аль", "бен",
     "ибн", "оглы", "кызы", "улы", "гызы"}
)  # fmt: skip
#: Turkic patronymics («Мамед оглы») stay as written in every case.
_TURKIC_PATRONYMIC = ("оглы", "кызы", "улы", "гызы")


def date_words(day: dt.date) -> str:
    """«10 октября 2023 г.»"""
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year} г."


@cache
def _maker():
    # lazy import: pytrovich loads its rule files on first use
    from pytrovich.maker import PetrovichDeclinationMaker

    return PetrovichDeclinationMaker()


def _key(word: str) -> str:
    return word.strip().lower().replace("ё", "е")


def _restore_case(template: str, word: str) -> str:
    """Give ``word`` the capitalisation of ``template``: letters they share keep the writer's case.

    «ИВАНОВА» stays upper-case in every case; «МакКарти» keeps its inner capital; «ди» stays lower-case.
    """
    if template.isupper() and len(template) > 1:
        return word.upper()
    shared = 0
    for a, b in zip(template.lower(), word.lower(), strict=False):
        if a != b:
            break
        shared += 1
    tail = word[shared:].lower()
    if shared == 0 and template[:1].isupper():
        return word[:1].upper() + word[1:].lower()
    return template[:shared] + tail


@lru_cache(maxsize=8)
def _overrides_file(path: str | None, mtime: float) -> dict[tuple[str | None, str, str | None], dict[str, str]]:
    if path is None:
        return {}
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SferumError(f"Файл склонений «{path}» не читается: {exc}. Исправьте его или удалите.") from None
    if not isinstance(data, dict):
        raise SferumError(f"Файл склонений «{path}»: ожидается список слов с их падежами, см. пример в файле.")
    table: dict[tuple[str | None, str, str | None], dict[str, str]] = {}
    for top, body in data.items():
        part = _PART_WORDS.get(_key(str(top)))
        if part is not None and isinstance(body, dict):
            for word, forms in body.items():
                _add_entry(table, path, part, str(word), forms)
        else:
            _add_entry(table, path, None, str(top), body)  # the old format: any part, any gender
    return table


def _add_entry(table: dict, path: str, part: str | None, word: str, forms: Any) -> None:
    if not isinstance(forms, dict):
        raise SferumError(f"Файл склонений «{path}», слово «{word}»: ожидаются падежи и формы, см. пример в файле.")
    by_gender = {_GENDER_WORDS[_key(str(k))]: v for k, v in forms.items() if _key(str(k)) in _GENDER_WORDS}
    groups = by_gender.items() if by_gender else [(None, forms)]
    for gender, cases in groups:
        if not isinstance(cases, dict):
            raise SferumError(f"Файл склонений «{path}», слово «{word}»: ожидаются падежи и формы.")
        parsed = {}
        for case, form in cases.items():
            name = _CASE_WORDS.get(_key(str(case)))
            if name is None:
                raise SferumError(
                    f"Файл склонений «{path}», слово «{word}»: неизвестный падеж «{case}» "
                    "(родительный, дательный, винительный, творительный, предложный)."
                )
            parsed[name] = str(form)
        table[(part, _key(word), gender)] = parsed


def load_overrides(path: Path | None) -> dict[tuple[str | None, str, str | None], dict[str, str]]:
    """The overrides file as {(part or None, word, gender or None): {case: form}}; {} when there is none."""
    stamp = _stamp(path)
    return _overrides_file(str(path), stamp) if stamp is not None else {}


def _stamp(path: Path | None) -> float | None:
    """The overrides file's mtime (None when there is no file): part of every cache key, so edits are seen."""
    if path is None:
        return None
    try:
        return Path(path).stat().st_mtime
    except OSError:
        return None


def _override(table: dict, part: str, word: str, gender: str | None, case: str) -> str | None:
    if not table:
        return None
    key = _key(word)
    for candidate in ((part, key, gender), (part, key, None), (None, key, gender), (None, key, None)):
        form = table.get(candidate, {}).get(case)
        if form:
            return _restore_case(word, form) if word.isupper() and len(word) > 1 else form
    return None


def _pytrovich(part: str, word: str, gender: str, case: str) -> str:
    from pytrovich.enums import Case, Gender, NamePart

    kind = {"last": NamePart.LASTNAME, "first": NamePart.FIRSTNAME, "middle": NamePart.MIDDLENAME}[part]
    sex = Gender.FEMALE if gender == FEMALE else Gender.MALE
    return _maker().make(kind, sex, Case[case.upper()], word.lower().capitalize())


_PIECES = re.compile(r"([\s\-]+)")


def decline(part: str, text: str, gender: str, case: str, overrides: Path | None = None) -> str:
    """One name part (``"last"``, ``"first"``, ``"middle"``) of a person of ``gender`` (``"м"``/``"ж"``) in ``case``.

    Hyphenated and particle names decline piece by piece; particles and Turkic patronymics stay as written.
    """
    if not text or case == "nominative":
        return text
    stamp = _stamp(overrides)
    return _decline(part, text, gender, case, str(overrides) if stamp is not None else None, stamp)


def decliner(overrides: Path | None = None) -> Callable[[str, str, str, str], str]:
    """:func:`decline` with the overrides file looked at once: for declining many names in a row."""
    stamp = _stamp(overrides)
    path = str(overrides) if stamp is not None else None

    def one(part: str, text: str, gender: str, case: str) -> str:
        if not text or case == "nominative":
            return text
        return _decline(part, text, gender, case, path, stamp)

    return one


@lru_cache(maxsize=200_000)
def _decline(part: str, text: str, gender: str, case: str, path: str | None, stamp: float | None) -> str:
    table = _overrides_file(path, stamp) if path is not None else {}
    whole = _override(table, part, text, gender, case)
    if whole:
        return whole
    if part == "middle" and _key(text).endswith(_TURKIC_PATRONYMIC):
        return text
    out = []
    for piece in _PIECES.split(text):
        if not piece or _PIECES.fullmatch(piece) or _key(piece) in PARTICLES:
            out.append(piece)
            continue
        override = _override(table, part, piece, gender, case)
        out.append(override or _restore_case(piece, _pytrovich(part, piece, gender, case)))
    return "".join(out)


# Endings that show a surname's gender; only used to decline the name of a person whose gender is unknown.
_SURNAME_FEMALE = ("ова", "ева", "ёва", "ина", "ына", "ская", "цкая", "ая")
_SURNAME_MALE = ("ов", "ев", "ёв", "ин", "ын", "ский", "цкий", "ой", "ый", "ий")


def surname_gender(last: str) -> str | None:
    """The gender a Russian surname's ending shows («Петрова» → ж, «Петров» → м), else None."""
    key = _key(last.split("-")[0]) if last else ""
    if key.endswith(_SURNAME_FEMALE):
        return FEMALE
    if key.endswith(_SURNAME_MALE):
        return MALE
    return None


def decline_full(
    last: str, first: str, middle: str, gender: str | None, case: str, overrides: Path | None = None
) -> str:
    """«Фамилия Имя Отчество» in ``case``.

    With the gender unknown the name is declined only where that needs no gender: both genders' forms agree,
    or the surname's ending shows which to use; otherwise it stays in the nominative — so a sentence about a
    person of unknown gender should name them in the nominative.
    """
    return full_with(decliner(overrides), last, first, middle, gender, case)


def full_with(
    one: Callable[[str, str, str, str], str], last: str, first: str, middle: str, gender: str | None, case: str
) -> str:
    parts = [("last", last), ("first", first), ("middle", middle)]
    if gender in (MALE, FEMALE) or case == "nominative":
        g = gender or MALE
        return " ".join(p for p in (one(k, t, g, case) for k, t in parts if t) if p)
    male = [one(k, t, MALE, case) for k, t in parts if t]
    female = [one(k, t, FEMALE, case) for k, t in parts if t]
    if male == female:
        return " ".join(male)
    hint = surname_gender(last)
    if hint is not None:
        return " ".join(male if hint == MALE else female)
    return " ".join(t for _, t in parts if t)


def _clean(v: object) -> str:
    return " ".join(str(v).split()) if isinstance(v, str) else ""


@dataclass(frozen=True)
class PersonName:
    """«Фамилия Имя Отчество» of a person, declinable (the documents' view; see also ``grammar.Person``)."""

    last: str
    first: str
    middle: str = ""
    overrides_path: Path | None = None
    gender_given: str | None = None  # «Пол» as stored («м» / «ж»), None when not given

    @classmethod
    def of(
        cls,
        last: object,
        first: object,
        middle: object = "",
        overrides: Path | None = None,
        gender: object = None,
    ) -> PersonName:
        given = _GENDER_WORDS.get(_key(gender)) if isinstance(gender, str) else None
        return cls(_clean(last), _clean(first), _clean(middle), overrides, given)

    @property
    def gender(self) -> str | None:
        """«м», «ж» or None: from «Пол», else the patronymic, else an unambiguous first name."""
        from sferum_lib.grammar import gender_of

        return gender_of(self.first, self.middle, self.gender_given)

    @property
    def female(self) -> bool:
        return self.gender == FEMALE

    def _part(self, part: str, text: str, case: str) -> str:
        return decline(part, text, self.gender or surname_gender(self.last) or MALE, case, self.overrides_path)

    def full(self, case: str = "nominative") -> str:
        """«Лавровой Елены Сергеевны»"""
        return decline_full(self.last, self.first, self.middle, self.gender, case, self.overrides_path)

    def initials(self, spaced: bool = True) -> str:
        """«Е. С.» (``spaced``) or «Е.С.» as ГОСТ Р 7.0.97-2016 writes them before a surname."""
        return (" " if spaced else "").join(f"{p[0]}." for p in (self.first, self.middle) if p)

    def short(self, case: str = "nominative", spaced: bool = True) -> str:
        """«Лавровой Е. С.» (or «Лавровой Е.С.» with ``spaced=False``)."""
        return f"{self._part('last', self.last, case)} {self.initials(spaced)}".strip()

    def signature(self, spaced: bool = True) -> str:
        """«Е. С. Лаврова», as under a signature (ГОСТ Р 7.0.97-2016: «Е.С. Лаврова», ``spaced=False``)."""
        return f"{self.initials(spaced)} {self.last}".strip()
