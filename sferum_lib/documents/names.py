"""Russian names in the grammatical case a sentence needs, and dates in words.

Declension is pytrovich's (the petrovich rules); we pass the gender explicitly — from the patronymic when there
is one, else from the first name — strip spaces, keep the writer's capitalisation, and let an organisation
override a name the rules get wrong (``templates/склонение.yaml``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CASES = ("nominative", "genitive", "dative", "accusative", "instrumental", "prepositional")
MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip


def date_words(day: dt.date) -> str:
    """«10 октября 2023 г.»"""
    return f"{day.day} {MONTHS_GENITIVE[day.month - 1]} {day.year} г."


@cache
def _maker():
    from pytrovich.maker import PetrovichDeclinationMaker

    return PetrovichDeclinationMaker()


def _restore_case(template: str, word: str) -> str:
    """Keep the writer's capitalisation: «ИВАНОВА» stays upper-case in every case."""
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _female(first: str, middle: str) -> bool:
    middle_l = middle.lower()
    if middle_l.endswith(("вна", "чна", "шна", "кызы", "гызы")):
        return True
    if middle_l.endswith(("ич", "оглы", "улы")):
        return False
    from pytrovich.detector import PetrovichGenderDetector
    from pytrovich.enums import Gender

    return PetrovichGenderDetector().detect(firstname=first) == Gender.FEMALE


@dataclass(frozen=True)
class PersonName:
    """«Фамилия Имя Отчество» of a person, declinable."""

    last: str
    first: str
    middle: str = ""
    overrides_path: Path | None = None

    @classmethod
    def of(cls, last: object, first: object, middle: object = "", overrides: Path | None = None) -> PersonName:
        def clean(v: object) -> str:
            return " ".join(str(v).split()) if isinstance(v, str) else ""

        return cls(clean(last), clean(first), clean(middle), overrides)

    @property
    def female(self) -> bool:
        return _female(self.first, self.middle)

    def _part(self, part: str, text: str, case: str) -> str:
        if not text or case == "nominative":
            return text
        override = _overrides(self.overrides_path).get(text, {}).get(case)
        if override:
            return override
        from pytrovich.enums import Case, Gender, NamePart

        maker = _maker()
        gender = Gender.FEMALE if self.female else Gender.MALE
        kind = {"last": NamePart.LASTNAME, "first": NamePart.FIRSTNAME, "middle": NamePart.MIDDLENAME}[part]
        pieces = text.split("-") if part == "last" else [text]  # double-barrelled: each part declines
        declined = [
            _restore_case(p, maker.make(kind, gender, Case[case.upper()], p.lower().capitalize())) for p in pieces
        ]
        return "-".join(declined)

    def full(self, case: str = "nominative") -> str:
        """«Лавровой Елены Сергеевны»"""
        parts = [
            self._part("last", self.last, case),
            self._part("first", self.first, case),
            self._part("middle", self.middle, case),
        ]
        return " ".join(p for p in parts if p)

    def short(self, case: str = "nominative") -> str:
        """«Лавровой Е. С.»"""
        initials = " ".join(f"{p[0]}." for p in (self.first, self.middle) if p)
        return f"{self._part('last', self.last, case)} {initials}".strip()

    def signature(self) -> str:
        """«Е. С. Лаврова», as under a signature."""
        initials = " ".join(f"{p[0]}." for p in (self.first, self.middle) if p)
        return f"{initials} {self.last}".strip()


@cache
def _overrides(path: Path | None) -> dict[str, dict[str, str]]:
    if path is None or not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): {str(c): str(v) for c, v in (forms or {}).items()} for k, forms in data.items()}
