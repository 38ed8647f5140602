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
    """A paragraph of an edition: a section heading, a provision's paragraph, a list entry or a nested entry.

    ``number`` is the label as printed («2.1.», «4.1», «1.» or empty for an unnumbered paragraph); ``key`` is the
    provision (:data:`CLAUSES`) a paragraph opens, empty for a paragraph that continues one.
    """

    kind: str  # section | item | entry | sub
    text: str
    number: str = ""
    key: str = ""


@dataclass(frozen=True)
class Edition:
    """The text of an edition for an organisation, and what it changes against the approved text."""

    edition: str
    title: str
    paragraphs: tuple[Paragraph, ...]
    changes: tuple[str, ...]  # in Russian, for the correspondence sheet; empty for the 2023 edition


# Where the approved text names its own organisation; the longest first, so the town goes with the name.
SEED_ORG_SHORT = "МБУДО «ЦНТТ»"
SEED_ORG_WITH_TOWN = ("МБУДО «ЦНТТ» г. Керчь РК", "МБУДО «ЦНТТ» г.Керчи")
SEED_MESSENGER = "VK-мессенджер"
_SEED_MESSENGER_WORD = re.compile(r"VK-мессенджер([а-яё]*)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_NUMBERED = re.compile(r"^(\d+\.\d+\.?)\s+(.*)$")
_SECTION = re.compile(r"^(\d+\.)\s+(.*)$")


@cache
def _data(name: str) -> dict:
    return yaml.safe_load(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


def approved_text() -> str:
    """The regulation as approved in 2023, verbatim (Markdown)."""
    return _data("edition_2023.yaml")["text"]


@cache
def _approved() -> tuple[str, tuple[Paragraph, ...]]:
    """The approved text parsed: its title and its paragraphs with the 2023 numbering, nothing changed."""
    lines = approved_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip("# ") == "ПОЛОЖЕНИЕ")
    title = ""
    paragraphs: list[Paragraph] = []
    for line in lines[start + 1 :]:
        if not line.strip():
            continue
        text = " ".join(_LINK.sub(r"\1", line).replace("**", "").split())
        if line.startswith("#"):
            text = text.lstrip("# ")
            if not title:
                title = text
                continue
            found = _SECTION.match(text)
            number, text = (found.group(1), found.group(2)) if found else ("", text)
            paragraphs.append(Paragraph("section", text, number))
        elif line.startswith(("  -", "  –")):
            paragraphs.append(Paragraph("sub", text[1:].strip()))
        elif line.startswith(("-", "–")):
            paragraphs.append(Paragraph("entry", text[1:].strip()))
        elif found := _NUMBERED.match(text):
            paragraphs.append(Paragraph("item", found.group(2), found.group(1), found.group(1).rstrip(".")))
        else:
            key = _key_of_paragraph(text) or ""
            paragraphs.append(Paragraph("item", text, "", key))
    return title, tuple(paragraphs)


def _with_names(text: str, org_short: str, town: str, messenger: str) -> str:
    for seed in SEED_ORG_WITH_TOWN:
        text = text.replace(seed, f"{org_short} {town}".strip())
    text = text.replace(SEED_ORG_SHORT, org_short)
    if messenger != SEED_MESSENGER:
        head, _, tail = messenger.partition(" ")  # «мессенджер MAX»: the noun declines, the name does not
        text = _SEED_MESSENGER_WORD.sub(lambda m: f"{head}{m.group(1)} {tail}".strip(), text)
    return text


def corrections() -> list[dict[str, str]]:
    """The editorial corrections of the new edition (``edition_new.yaml``): clause, old, new, why."""
    return [dict(c) for c in _data("edition_new.yaml")["corrections"]]


def edition_text(edition: str | None, org_short: str, town: str = "", messenger: str = SEED_MESSENGER) -> Edition:
    """The regulation in ``edition`` for an organisation: the approved text with its own name filled in.

    The 2023 edition is the approved text exactly — numbering, every list entry and its nesting — with the
    organisation's short name (and ``town``, «г. …») where the approved text names «МБУДО «ЦНТТ» г. Керчь РК»,
    and the messenger as approved (VK): an approved text is not rewritten. The new edition is the same text
    renumbered (:data:`CLAUSES`), with the corrections of ``edition_new.yaml`` and, when the organisation works
    in another messenger, its name; every one of these changes is listed in :attr:`Edition.changes`.
    """
    edition = edition_in_force(edition)
    title, approved = _approved()
    if edition == EDITION_2023:
        paragraphs = tuple(
            Paragraph(p.kind, _with_names(p.text, org_short, town, SEED_MESSENGER), p.number, p.key) for p in approved
        )
        return Edition(edition, _with_names(title, org_short, town, SEED_MESSENGER), paragraphs, ())
    sections = iter(range(1, len(SECTIONS) + 1))
    paragraphs_new: list[Paragraph] = []
    for p in approved:
        number = p.number
        if p.kind == "section":
            number = f"{next(sections)}."
        elif p.key:
            number = f"{CLAUSES_BY_KEY[p.key].new}."
        paragraphs_new.append(Paragraph(p.kind, p.text, number, p.key))
    owner = []  # the new clause each paragraph belongs to, for the corrections
    clause = ""
    for p in paragraphs_new:
        clause = CLAUSES_BY_KEY[p.key].new if p.key else clause
        owner.append(clause)
    changes: list[str] = [
        "Нумерация: вводная часть стала разделом 1 «Общие положения», разделы «1» и «2» редакции 2023 года — "
        "разделами 2 и 3; абзацы, которыми начинаются положения, получили номера пунктов (таблица ниже); "
        "номера пунктов записаны единообразно, с точкой."
    ]
    texts = [p.text for p in paragraphs_new]
    for fix in corrections():
        hits = [i for i, t in enumerate(texts) if fix["old"] in t and owner[i] == fix["clause"]]
        count = sum(texts[i].count(fix["old"]) for i in hits)
        if count != 1:  # the data no longer fits the approved text: never print a correction that did not happen
            raise RuntimeError(f"correction {fix['old']!r} in {fix['clause']} applies {count} times, not once")
        texts[hits[0]] = texts[hits[0]].replace(fix["old"], fix["new"])
        old_clause = next(c.old for c in CLAUSES if c.new == fix["clause"])
        changes.append(
            f"П. {fix['clause']} (п. {old_clause} редакции 2023 года): «{fix['old']}» заменено на «{fix['new']}» "
            f"({fix['why']})."
        )
    new_title = title
    if messenger != SEED_MESSENGER:
        count = len(_SEED_MESSENGER_WORD.findall(title)) + sum(len(_SEED_MESSENGER_WORD.findall(t)) for t in texts)
        changes.append(
            f"Во всём тексте «{SEED_MESSENGER}» заменён на «{messenger}» ({count} раз, в том числе в наименовании "
            "Положения, в понятии «Учебный профиль …» (п. 1.5) и в наименовании приказа в п. 2.2): "
            f"организация работает в мессенджере {messenger.partition(' ')[2] or messenger}."
        )
    changes.append(
        "Других изменений нет: текст каждого положения, перечни, их порядок и вложенность — как в редакции 2023 года."
    )
    paragraphs = tuple(
        Paragraph(p.kind, _with_names(t, org_short, town, messenger), p.number, p.key)
        for p, t in zip(paragraphs_new, texts, strict=True)
    )
    return Edition(edition, _with_names(new_title, org_short, town, messenger), paragraphs, tuple(changes))


__all__ = [
    "CLAUSES",
    "DEFAULT_EDITION",
    "EDITIONS",
    "EDITION_2023",
    "EDITION_NEW",
    "EDITION_TITLES",
    "SECTIONS",
    "Clause",
    "Edition",
    "Paragraph",
    "approved_text",
    "cite",
    "clause_in",
    "clause_keys",
    "corrections",
    "correspondence",
    "edition_in_force",
    "edition_text",
]
