"""Editions of the regulation and the correspondence of their clause numbers.

The regulation as approved in 2023 numbers its clauses irregularly: the section headed «1» holds items
2.1–2.3, then two unnumbered paragraphs (the pedagogical worker who teaches, the pupil), then 2.7; the section
headed «2» holds 3.1–3.4; the opening part has no numbers at all. The product keeps the clause of a duty or a
check as the 2023 edition cites it (``"2.3, абз. «Педагогический работник…»"``) and prints it through
:func:`cite`, so that every citation follows the edition in force — an organisation parameter
(«Редакция положения»). The regenerated regulation is the new edition, numbered cleanly; the correspondence
of the two numberings (:func:`correspondence`) is a separate sheet for the pedagogical council.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

EDITION_2023 = "2023"
EDITION_NEW = "новая"
#: Values of the parameter «Редакция положения», in the order the workbook's drop-down offers them.
EDITIONS: tuple[str, ...] = (EDITION_2023, EDITION_NEW)
DEFAULT_EDITION = EDITION_2023

EDITION_TITLES = {
    EDITION_2023: "редакция 2023 г. (нумерация утверждённого текста)",
    EDITION_NEW: "новая редакция (сквозная нумерация пунктов)",
}


@dataclass(frozen=True)
class Clause:
    """A provision of the regulation that the product cites, with its place in each edition."""

    key: str  # stable: the 2023 number, or a name for an unnumbered paragraph
    old: str  # how the 2023 edition cites it, without «п.»
    new: str  # its number in the new edition
    content: str  # what it is about, for the correspondence sheet

    @property
    def numbered_in_2023(self) -> bool:
        return self.old[:1].isdigit()


_INTRO = "«Общие положения», абз."
# In order of the text. Unnumbered paragraphs are cited by the words that open them, as lawyers do.
CLAUSES: tuple[Clause, ...] = (
    Clause("intro-act", f"{_INTRO} «Настоящее Положение является…»", "1.1", "Положение — локальный нормативный акт"),
    Clause("intro-bases", f"{_INTRO} «Положение об использовании… разработано…»", "1.2", "Правовые основания"),
    Clause("intro-council", f"{_INTRO} «Положение принимается…»", "1.3", "Принятие педагогическим советом"),
    Clause("intro-scope", f"{_INTRO} «Положение устанавливает…»", "1.4", "Единые требования"),
    Clause("intro-terms", f"{_INTRO} «Понятия…»", "1.5", "Понятия"),
    Clause("intro-programs", f"{_INTRO} «Реализация образовательных программ…»", "1.6", "Область применения"),
    Clause("intro-system", f"{_INTRO} «Использование ИКОП…»", "1.7", "Часть информационной системы"),
    Clause("2.1", "2.1", "2.1", "Администратор ИКОП «Сферум»"),
    Clause("2.2", "2.2", "2.2", "Администрация образовательной организации"),
    Clause("2.3", "2.3", "2.3", "Педагог дополнительного образования"),
    Clause("ped", "2.3, абз. «Педагогический работник…»", "2.4", "Педагогический работник, ведущий занятия"),
    Clause("student", "2.3, абз. «Обучающийся…»", "2.5", "Обучающийся"),
    Clause("2.7", "2.7", "2.6", "Родитель (законный представитель)"),
    Clause("3.1", "3.1", "3.1", "Право на бесплатный круглосуточный доступ"),
    Clause("3.2", "3.2", "3.2", "Право на обращение в техническую поддержку"),
    Clause("3.3", "3.3", "3.3", "Право на доступ к информационным ресурсам"),
    Clause("3.4", "3.4", "3.4", "Право педагогов посещать семинары и вебинары"),
    Clause("4.1", "4.1", "4.1", "Вступление в действие"),
    Clause("4.2", "4.2", "4.2", "Срок действия"),
    Clause("4.3", "4.3", "4.3", "Неурегулированные вопросы"),
)
CLAUSES_BY_KEY: dict[str, Clause] = {c.key: c for c in CLAUSES}

#: The sections: heading in 2023 → number in the new edition.
SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("«Общие положения» (без номера)", "1. Общие положения", "вводная часть"),
    ("«1. Организация работы участников образовательных отношений…»", "2. Организация работы…", "обязанности"),
    ("«2. Права участников образовательных отношений»", "3. Права участников…", "права"),
    ("«4. Заключительные положения»", "4. Заключительные положения", "заключительные положения"),
)

# the opening words of an unnumbered paragraph → its key (a citation may shorten or drop the ellipsis)
_OPENINGS = {
    "настоящее положение": "intro-act",
    "положение об использовании": "intro-bases",
    "положение принимается": "intro-council",
    "положение устанавливает": "intro-scope",
    "понятия": "intro-terms",
    "реализация образовательных программ": "intro-programs",
    "использование икоп": "intro-system",
    "педагогический работник": "ped",
    "обучающийся": "student",
}
_TOKEN = re.compile(r"(?:(\d+\.\d+)\s*,\s*)?абз\.\s*«([^»]*)»|(\d+\.\d+)")


def edition_in_force(value: str | None) -> str:
    """The edition named by the organisation parameter; empty means the 2023 edition as approved."""
    return value if value in EDITIONS else DEFAULT_EDITION


def _key_of_paragraph(opening: str) -> str | None:
    words = " ".join(opening.replace("…", " ").lower().split())
    for start, key in _OPENINGS.items():
        if words.startswith(start):
            return key
    return None


def clause_keys(clause: str) -> list[str | None]:
    """The provisions a 2023 citation names, in order; ``None`` for a part this module does not know."""
    keys: list[str | None] = []
    for _number, opening, plain in _TOKEN.findall(clause):
        if opening:
            keys.append(_key_of_paragraph(opening))
        else:
            keys.append(plain if plain in CLAUSES_BY_KEY else None)
    return keys


def clause_in(clause: str, edition: str | None = None) -> str:
    """The clause numbers of a 2023 citation in ``edition``, without «п.»: ``"2.3, абз. «Обучающийся…»"`` → ``"2.5"``.

    A citation this module does not recognise (an organisation's own catalogue may hold one) is returned as
    it is, so a citation never disappears.
    """
    edition = edition_in_force(edition)
    keys = clause_keys(clause)
    if not keys or None in keys:
        return clause.strip()
    found = [CLAUSES_BY_KEY[k] for k in keys if k is not None]
    parts = [c.old if edition == EDITION_2023 else c.new for c in found]
    return ", ".join(dict.fromkeys(parts))


def cite(clause: str, edition: str | None = None) -> str:
    """A citation as a reader sees it: «п. 2.1», «пп. 2.1, 2.2», «п. 2.3, абз. «Обучающийся…»».

    ``clause`` is written as the 2023 edition cites it (the ``clause`` of a duty or a check); ``edition`` is the
    organisation's «Редакция положения» (``Organisation.regulation_edition``), empty for the 2023 edition.
    """
    edition = edition_in_force(edition)
    keys = clause_keys(clause)
    if not keys or None in keys:
        text = clause.strip()
        return f"п. {text}" if text[:1].isdigit() else text
    found = list(dict.fromkeys(CLAUSES_BY_KEY[k] for k in keys if k is not None))
    if edition == EDITION_NEW:
        numbers = [c.new for c in found]
        return ("пп. " if len(numbers) > 1 else "п. ") + ", ".join(numbers)
    numbered = [c.old for c in found if c.numbered_in_2023]
    if len(numbered) == len(found):
        return ("пп. " if len(numbered) > 1 else "п. ") + ", ".join(numbered)
    return "; ".join(f"п. {c.old}" if c.numbered_in_2023 else c.old for c in found)


def correspondence() -> list[dict[str, str]]:
    """Rows of the correspondence sheet: the 2023 citation, the new number and what the provision is about."""
    return [{"old": cite(c.old, EDITION_2023), "new": f"п. {c.new}", "content": c.content} for c in CLAUSES]


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the new edition: a section heading, a numbered item, a list entry or a sub-entry."""

    kind: str  # section | item | entry | sub
    text: str
    number: str = ""


_LETTERS = "абвгдежзиклмнопрстуфхцчшщэюя"


@cache
def _new_edition_data() -> dict:
    text = resources.files(__package__).joinpath("edition_new.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _fill(text: str, phrases: Mapping[str, str]) -> str:
    return " ".join(text.format_map(dict(phrases)).split())


def new_edition(phrases: Mapping[str, str]) -> tuple[str, list[Paragraph]]:
    """The title and the paragraphs of the new edition, with the organisation's words filled in.

    ``phrases`` fills the placeholders of ``edition_new.yaml`` (the organisation's name in its cases and the
    messenger's phrases); the item numbers are the new ones of :data:`CLAUSES`.
    """
    data = _new_edition_data()
    paragraphs: list[Paragraph] = []
    for section_number, section in enumerate(data["sections"], start=1):
        paragraphs.append(Paragraph("section", _fill(section["title"], phrases), str(section_number)))
        for item in section["items"]:
            number = CLAUSES_BY_KEY[item["key"]].new
            paragraphs.append(Paragraph("item", _fill(item["text"], phrases), number))
            for entry in item.get("list", []):
                text = entry if isinstance(entry, str) else entry["text"]
                paragraphs.append(Paragraph("entry", _fill(text, phrases)))
                for letter, sub in zip(_LETTERS, [] if isinstance(entry, str) else entry["sub"], strict=False):
                    paragraphs.append(Paragraph("sub", _fill(sub, phrases), f"{letter})"))
    return _fill(data["title"], phrases), paragraphs


__all__ = [
    "CLAUSES",
    "DEFAULT_EDITION",
    "EDITIONS",
    "EDITION_2023",
    "EDITION_NEW",
    "EDITION_TITLES",
    "SECTIONS",
    "Clause",
    "Paragraph",
    "cite",
    "clause_in",
    "clause_keys",
    "correspondence",
    "edition_in_force",
    "new_edition",
]
