"""Both editions of the regulation against the approved text, provision by provision and word by word.

``tests/fixtures/regulation_2023.md`` is the approved text, verbatim, kept apart from the program's copy. This
test reads it with its own parser and compares every paragraph of the made DOCX with it: its kind (section,
paragraph, list entry, nested entry), its number and its words, in order. The 2023 edition must be the approved
text exactly, with only the organisation's own name where the approved text names «МБУДО «ЦНТТ»» (and its town).
The new edition may differ only by its clean numbering and by the changes listed below, each of which the
correspondence sheet must declare.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path

import pytest
from docx import Document

from sferum_lib.documents import make_document
from sferum_lib.regulation import default_catalogue, editions
from sferum_lib.regulation.editions import (
    CLAUSES,
    EDITION_2023,
    EDITION_NEW,
    EDITIONS,
    cite,
    clause_in,
    correspondence,
    edition_in_force,
)
from sferum_lib.workbook.schema import ORGANISATION_PARAMS
from tests.helpers import clean_book, set_param, snapshot_of

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "regulation_2023.md"
TODAY = dt.date(2026, 10, 15)
FULL_NAME = "Муниципальное бюджетное учреждение дополнительного образования «Дом детского творчества «Радуга»"
SHORT_NAME = "МБУДО «ДДТ «Радуга»"
CITY = "Феодосия"

# The only editorial corrections the new edition may make: (new clause, old words, new words).
CORRECTIONS = (
    ("2.1", "организывает", "организует"),
    ("4.3", "законодательством РФ", "законодательством Российской Федерации"),
)
# The numbers of the provisions in the new edition, in the order of the text: the opening part becomes
# section 1, the unnumbered paragraphs of section «1» become 2.4 and 2.5, 2.7 becomes 2.6.
NEW_NUMBERS = (
    [f"1.{i}." for i in range(1, 8)]
    + [f"2.{i}." for i in range(1, 7)]
    + [f"3.{i}." for i in range(1, 5)]
    + [f"4.{i}." for i in range(1, 4)]
)
CONTINUATION = "Администратор назначается руководителем"  # a second paragraph of 2.1, not a provision of its own


def _clean(text: str) -> str:
    text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text)  # [info@sferum.ru](mailto:…) → info@sferum.ru
    return " ".join(text.replace("**", "").split())


def seed_paragraphs() -> tuple[str, list[tuple[str, str, str]]]:
    """The approved text from its title on: the title and (kind, number, text) of every paragraph."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip("# ") == "ПОЛОЖЕНИЕ")
    title, out = "", []
    for line in lines[start + 1 :]:
        if not line.strip():
            continue
        text = _clean(line)
        if line.startswith("#"):
            text = text.lstrip("# ")
            if not title:
                title = text
                continue
            m = re.match(r"^(\d+\.)\s+(.*)$", text)
            out.append(("section", m.group(1), m.group(2)) if m else ("section", "", text))
        elif line.startswith("  "):
            out.append(("sub", "", re.sub(r"^[-–]\s*", "", text)))
        elif line[0] in "-–":
            out.append(("entry", "", re.sub(r"^[-–]\s*", "", text)))
        else:
            m = re.match(r"^(\d+\.\d+\.?)\s+(.*)$", text)
            out.append(("item", m.group(1), m.group(2)) if m else ("item", "", text))
    return title, out


def with_names(text: str, town: str = f"г. {CITY}") -> str:
    """The approved text with the organisation's own name: the one substitution both editions make."""
    for seed in ("МБУДО «ЦНТТ» г. Керчь РК", "МБУДО «ЦНТТ» г.Керчи"):
        text = text.replace(seed, f"{SHORT_NAME} {town}".strip())
    return text.replace("МБУДО «ЦНТТ»", SHORT_NAME)


def with_max(text: str) -> str:
    return re.sub(r"VK-мессенджер(\w*)", r"мессенджер\1 MAX", text)


def expected(edition: str, messenger: str = "VK") -> tuple[str, list[tuple[str, str, str]]]:
    title, paragraphs = seed_paragraphs()
    if edition == EDITION_2023:
        return with_names(title), [(k, n, with_names(t)) for k, n, t in paragraphs]
    numbers, sections, clause = iter(NEW_NUMBERS), iter(["1.", "2.", "3.", "4."]), ""
    out = []
    for kind, number, text in paragraphs:
        if kind == "section":
            number = next(sections)
        elif kind == "item" and not text.startswith(CONTINUATION):
            number = next(numbers)
            clause = number.rstrip(".")
        for where, old, new in CORRECTIONS:
            if where == clause:
                text = text.replace(old, new)
        text = with_names(text)
        out.append((kind, number, with_max(text) if messenger == "MAX" else text))
    title = with_names(title)
    return (with_max(title) if messenger == "MAX" else title), out


def made_paragraphs(path: Path) -> tuple[str, list[tuple[str, str, str]]]:
    """The regulation as made: the title and (kind, number, text) of every paragraph after it."""
    paragraphs = [p for p in Document(path).paragraphs if p.text.strip()]
    start = next(i for i, p in enumerate(paragraphs) if p.text == "ПОЛОЖЕНИЕ")
    out = []
    for p in paragraphs[start + 2 :]:
        text = p.text.strip()
        if text.startswith("– "):
            indented = p.paragraph_format.left_indent
            out.append(("sub" if indented else "entry", "", text[2:]))
            continue
        bold = all(r.bold for r in p.runs if r.text.strip())
        m = re.match(r"^(\d+\.(?:\d+\.?)?)\s+(.*)$", text)
        number, text = (m.group(1), m.group(2)) if m else ("", text)
        out.append(("section" if bold else "item", number, text))
    return paragraphs[start + 1].text, out


def differences(made: tuple[str, list], wanted: tuple[str, list]) -> list[str]:
    """Every difference of kind, number or words between two texts, paragraph by paragraph."""
    problems = []
    if made[0].split() != wanted[0].split():
        problems.append(f"title: {made[0]!r} != {wanted[0]!r}")
    matcher = difflib.SequenceMatcher(a=[k for k, _, _ in wanted[1]], b=[k for k, _, _ in made[1]], autojunk=False)
    if matcher.ratio() < 1 or len(made[1]) != len(wanted[1]):
        problems.append(f"structure differs: {len(made[1])} paragraphs made, {len(wanted[1])} approved")
    for i, (w, m) in enumerate(zip(wanted[1], made[1], strict=False)):
        if w[:2] != m[:2]:
            problems.append(f"paragraph {i}: kind/number {m[:2]} instead of {w[:2]}: {w[2][:60]}")
        a, b = w[2].split(), m[2].split()
        if a != b:
            ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
            changed = [(" ".join(a[i1:i2]), " ".join(b[j1:j2])) for op, i1, i2, j1, j2 in ops if op != "equal"]
            problems.append(f"paragraph {i} ({w[2][:40]}…): {changed}")
    return problems


def regulation_of(tmp_path: Path, name: str = "regulation", **params) -> Path:
    book = clean_book()
    set_param(book, "Полное наименование", FULL_NAME)
    set_param(book, "Краткое наименование", SHORT_NAME)
    for param, value in {"Город": CITY, **params}.items():
        book["Организация"].append([param, value])
    return make_document(name, snapshot_of(book), tmp_path, today=TODAY).path


@pytest.mark.parametrize("messenger", ["VK", "MAX"])
def test_the_2023_edition_is_the_approved_text_word_for_word(tmp_path, messenger):
    params = {"Мессенджер": messenger} if messenger == "MAX" else {}
    for value in ("", "2023"):
        path = regulation_of(
            tmp_path / (value or "empty"), **params, **({"Редакция положения": value} if value else {})
        )
        assert differences(made_paragraphs(path), expected(EDITION_2023)) == []


@pytest.mark.parametrize("messenger", ["VK", "MAX"])
def test_the_new_edition_differs_only_by_its_numbers_and_the_declared_corrections(tmp_path, messenger):
    path = regulation_of(tmp_path, Мессенджер=messenger, **{"Редакция положения": "новая"})
    assert differences(made_paragraphs(path), expected(EDITION_NEW, messenger)) == []


@pytest.mark.parametrize("messenger", ["VK", "MAX"])
def test_the_correspondence_sheet_declares_exactly_the_changes(tmp_path, messenger):
    sheet = "\n".join(
        p.text for p in Document(regulation_of(tmp_path, "correspondence", Мессенджер=messenger)).paragraphs
    )
    for where, old, new in CORRECTIONS:
        assert f"П. {where} (п. {where} редакции 2023 года): «{old}» заменено на «{new}»" in sheet
    assert len(re.findall(r"заменено на", sheet)) == len(CORRECTIONS)
    assert "содержание положений сохранено" not in sheet
    assert "До принятия новой редакции действует редакция 2023 года" in sheet
    title, paragraphs = seed_paragraphs()
    count = len(re.findall("VK-мессенджер", title + " ".join(t for _, _, t in paragraphs)))
    said = f"«VK-мессенджер» заменён на «мессенджер MAX» ({count} раз"
    assert (said in sheet) == (messenger == "MAX")


def test_a_changed_definition_nesting_or_missing_entry_is_caught(tmp_path, monkeypatch):
    """The diff would have caught each fault the new edition once had."""
    wanted = expected(EDITION_NEW)
    fixes = [*editions.corrections(), {"clause": "1.5", "old": "Учебный профиль VK-мессенджер —",
                                       "new": "VK-мессенджер —", "why": "термин"}]  # fmt: skip
    monkeypatch.setattr(editions, "corrections", lambda: fixes)
    problems = differences(made_paragraphs(regulation_of(tmp_path / "a", **{"Редакция положения": "новая"})), wanted)
    assert len(problems) == 1 and "('Учебный профиль', '')" in problems[0]
    monkeypatch.undo()
    text = editions.approved_text()
    moved = text.replace("  - поддерживает и развивает коммуникацию", "- поддерживает и развивает коммуникацию")
    dropped = text.replace("- чат руководителя образовательной организации с ученическим активом;\n", "")
    reworded = text.replace(
        "педагогические работники общеобразовательного учреждения", "педагогические работники Учреждения"
    )
    for variant, fault in ((moved, "('sub', '')"), (dropped, "structure differs"), (reworded, "общеобразовательного")):
        assert variant != text
        monkeypatch.setattr(editions, "approved_text", lambda variant=variant: variant)
        editions._approved.cache_clear()
        try:
            for edition in EDITIONS:
                path = regulation_of(tmp_path / edition, **{"Редакция положения": edition})
                problems = differences(made_paragraphs(path), expected(edition))
                assert problems and any(fault in p for p in problems), (edition, fault, problems)
        finally:
            editions._approved.cache_clear()
    monkeypatch.undo()


def test_the_2023_edition_is_approved_by_the_order_on_use_and_the_new_one_is_a_draft(tmp_path):
    document = Document(regulation_of(tmp_path / "a"))
    blocks = [cell.text for cell in document.tables[0].rows[0].cells]
    assert blocks[0] == ""
    assert blocks[1].startswith("УТВЕРЖДАЮ\nДиректор МБУДО «ДДТ «Радуга»\n")
    assert blocks[1].endswith("\n20 августа 2026 г. Приказ № 11")
    document = Document(regulation_of(tmp_path / "b", **{"Редакция положения": "новая"}))
    blocks = [cell.text for cell in document.tables[0].rows[0].cells]
    assert blocks[0].startswith("ПРИНЯТО\nпедагогическим советом\nМБУДО «ДДТ «Радуга»\nпротокол от ___")
    assert blocks[1] == "УТВЕРЖДЕНО\nприказом ________________\nот ___.___.20___ № _____"
    text = "\n".join(p.text for p in document.paragraphs)
    assert "ПРОЕКТ" in text and "№ 11" not in text and "2026" not in text
    assert document.core_properties.title.startswith("Положение") and "новая редакция" in document.core_properties.title


def test_the_organisations_name_replaces_the_seeds_and_nothing_else(tmp_path):
    for edition in EDITIONS:
        text = "\n".join(
            p.text for p in Document(regulation_of(tmp_path / edition, **{"Редакция положения": edition})).paragraphs
        )
        assert "ЦНТТ" not in text and "Керч" not in text
        assert "в МБУДО «ДДТ «Радуга» г. Феодосия (далее – Учреждение)" in text
        assert "информационной системы МБУДО «ДДТ «Радуга» г. Феодосия." in text
        assert "Уставом МБУДО «ДДТ «Радуга»" in text
        assert "N P-210" in text and "№ P-139" in text  # the legal bases as approved


def test_the_new_edition_is_numbered_cleanly(tmp_path):
    _, paragraphs = made_paragraphs(regulation_of(tmp_path, **{"Редакция положения": "новая"}))
    assert [n for k, n, _ in paragraphs if k == "item" and n] == NEW_NUMBERS
    assert [n for k, n, _ in paragraphs if k == "section"] == ["1.", "2.", "3.", "4."]
    assert any(n == "2.4." and t.startswith("Педагогический работник (методист") for _, n, t in paragraphs)
    assert any(n == "2.6." and t.startswith("Родитель (законный представитель)") for _, n, t in paragraphs)


# --- editions and citations ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("clause", "in_2023", "in_new"),
    [
        ("2.1", "п. 2.1", "п. 2.1"),
        ("2.1, 2.2", "пп. 2.1, 2.2", "пп. 2.1, 2.2"),
        ("2.3", "п. 2.3", "п. 2.3"),
        ("2.3, абз. «Педагогический работник…»", "п. 2.3, абз. «Педагогический работник…»", "п. 2.4"),
        ("абз. «Обучающийся…»", "п. 2.3, абз. «Обучающийся…»", "п. 2.5"),
        ("2.7", "п. 2.7", "п. 2.6"),
        ("3.4", "п. 3.4", "п. 3.4"),
        ("4.3", "п. 4.3", "п. 4.3"),
        ("по правилам организации", "по правилам организации", "по правилам организации"),
    ],
)
def test_a_clause_is_cited_in_the_edition_in_force(clause, in_2023, in_new):
    assert cite(clause) == in_2023 == cite(clause, EDITION_2023)
    assert cite(clause, EDITION_NEW) == in_new


def test_every_clause_of_the_catalogue_is_known_to_the_editions():
    for duty in default_catalogue():
        assert cite(duty.clause, EDITION_NEW) != duty.clause, duty.id
        assert re.fullmatch(r"пп?\. [\d., ]+", cite(duty.clause, EDITION_NEW)), duty.id


def test_clause_numbers_without_the_prefix():
    assert clause_in("2.3, абз. «Педагогический работник…»", EDITION_NEW) == "2.4"
    assert clause_in("2.1, 2.3", EDITION_NEW) == "2.1, 2.3"
    assert clause_in("2.7") == "2.7"


def test_an_empty_or_unknown_edition_is_the_2023_one():
    assert edition_in_force(None) == edition_in_force("") == edition_in_force("1999") == EDITION_2023


def test_the_workbook_offers_exactly_the_editions():
    column = next(c for c in ORGANISATION_PARAMS if c.field == "regulation_edition")
    assert column.header == "Редакция положения" and column.choices == EDITIONS


def test_the_edition_parameter_is_read_from_the_workbook():
    book = clean_book()
    book["Организация"].append(["Редакция положения", "Новая"])
    assert snapshot_of(book).organisation.regulation_edition == EDITION_NEW
    book = clean_book()
    book["Организация"].append(["Редакция положения", 2023])
    assert snapshot_of(book).organisation.regulation_edition == EDITION_2023


def test_the_correspondence_maps_every_cited_provision_once():
    rows = correspondence()
    assert len(rows) == len(CLAUSES) == len({r["new"] for r in rows})
    assert {"old": "п. 2.7", "new": "п. 2.6", "content": "Родитель (законный представитель)"} in rows
    assert rows[0]["old"].startswith("«Общие положения», абз. «Настоящее Положение") and rows[0]["new"] == "п. 1.1"
