"""The regenerated regulation against the regulation as approved, provision by provision; the editions' citations.

``tests/fixtures/regulation_2023.md`` is the approved text, verbatim. Each of its provisions (a paragraph or a
list entry) must be found in the regenerated regulation, in the same order and whole — every word of it, after
the organisation's name and the messenger's phrase are taken as placeholders and after the editorial
corrections listed below, each of which must still apply. Nothing may be added either: every paragraph of the
new edition is the image of some provision of the approved one.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path

import pytest
from docx import Document

from sferum_lib.documents import make_document
from sferum_lib.documents.content import org_genitive
from sferum_lib.regulation import default_catalogue
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
FULL_NAME = "Муниципальное бюджетное учреждение дополнительного образования «Центр научно-технического творчества»"
SHORT_NAME = "МБУДО «ЦНТТ»"

# Editorial corrections of the approved text, each with its reason; the test fails when one no longer applies.
EDITS = (
    # the title named the programmes twice and the organisation without a preposition
    ("образовательных программ общеразвивающих программ МБУДО «ЦНТТ»", "образовательных программ в МБУДО «ЦНТТ»"),
    # «Учреждение» was defined twice; the second definition is dropped
    ("в МБУДО «ЦНТТ» (далее – Учреждение) разработано", "в Учреждении разработано"),
    # the list of legal bases is in the instrumental throughout
    ("Распоряжение Минпросвещения России № P-139", "распоряжением Минпросвещения России № P-139"),
    # the term defined is the messenger (the educational profile is defined by the next entry)
    ("Учебный профиль VK-мессенджер — бесплатное", "VK-мессенджер — бесплатное"),
    # the organisation is not a general-education school
    ("общеобразовательного учреждения", "Учреждения"),
    # «Действия администратора: координирует …» — the administrator coordinates, the list is of their actions
    (
        "2.1. Действия администратора ИКОП «Сферум»: координирует процессы по использованию платформы в "
        "образовательной организации, а именно:",
        "Администратор ИКОП «Сферум» координирует процессы по использованию платформы в образовательной "
        "организации. Действия администратора ИКОП «Сферум»:",
    ),
    ("организывает", "организует"),
    ("законодательством РФ", "законодательством Российской Федерации"),
)
_ORG_IN_SEED = re.compile(r"мбудо «цнтт»(?:\s*г\.\s*(?:керчь рк|керчи))?")
_PROFILE = re.compile(r"учебн\w* профил\w*(?: в)? vk-мессенджер\w*")
_MESSENGER = re.compile(r"vk-мессенджер\w*")
_LEADING_NUMBER = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[а-я]\))\s+")  # «2.1.», «4.1», «а)»
_IGNORED = {"n", "года"}  # «N P-210» and «22.06.2023 года» are written «№ Р-210», «22.06.2023»


def seed_provisions() -> list[str]:
    """Every paragraph and list entry of the approved text from its title on, Markdown stripped."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if "ПОЛОЖЕНИЕ" in line)
    provisions = []
    for line in lines[start:]:
        text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line)  # [info@sferum.ru](mailto:…) → info@sferum.ru
        text = text.replace("**", "").lstrip("#").strip()
        text = re.sub(r"^[-–]\s+", "", text)
        if text:
            provisions.append(text)
    return provisions


def words(text: str, org_names: tuple[str, ...] = ()) -> set[str]:
    text = text.lower().replace("ё", "е").replace("p-", "р-")
    text = _LEADING_NUMBER.sub("", text)
    for name in org_names:
        text = text.replace(name.lower(), " org ")
    text = _ORG_IN_SEED.sub(" org ", text)
    text = _PROFILE.sub(" profile ", text)
    text = _MESSENGER.sub(" messenger ", text)
    return {w for w in re.findall(r"\w+", text) if w not in _IGNORED}


def body_paragraphs(path: Path) -> list[str]:
    return [p.text for p in Document(path).paragraphs if p.text.strip()]


def regulation_of(tmp_path: Path, full_name: str = FULL_NAME, short_name: str = SHORT_NAME, **params) -> Path:
    book = clean_book()
    set_param(book, "Полное наименование", full_name)
    set_param(book, "Краткое наименование", short_name)
    for name, value in params.items():
        book["Организация"].append([name, value])
    return make_document("regulation", snapshot_of(book), tmp_path, today=TODAY).path


def test_every_editorial_correction_still_applies():
    text = "\n".join(seed_provisions())
    for old, _new in EDITS:
        assert old in text, old


def differences(paragraphs: list[str]) -> list[str]:
    """What keeps ``paragraphs`` from being the approved text, provision by provision; empty when nothing."""
    names = (org_genitive(FULL_NAME), FULL_NAME, SHORT_NAME)
    generated = [words(p, names) for p in paragraphs]
    problems: list[str] = []
    position, matched = 0, {}
    for provision in seed_provisions():
        for old, new in EDITS:
            provision = provision.replace(old, new)
        wanted = words(provision)
        found = next((i for i in range(position, len(generated)) if wanted <= generated[i]), None)
        if found is None:
            problems.append(f"missing or cut short (after «{paragraphs[position][:50]}»): {provision}")
            continue
        position = found
        matched.setdefault(found, set()).update(wanted)
    # and nothing added: every paragraph is some provision, with no word the provisions do not have
    for i, paragraph in enumerate(paragraphs):
        if i not in matched:
            problems.append(f"not a provision of the approved text: {paragraph}")
        elif extra := generated[i] - matched[i] - {"учреждении", "org"}:
            problems.append(f"words not in the approved text: {sorted(extra)} in «{paragraph}»")
    return problems


def test_the_new_edition_holds_every_provision_of_the_approved_one_in_order(tmp_path):
    assert differences(body_paragraphs(regulation_of(tmp_path))) == []


def test_a_provision_cut_short_or_added_is_caught(tmp_path, monkeypatch):
    from sferum_lib.regulation import editions

    data = copy.deepcopy(editions._new_edition_data())
    head = data["sections"][1]["items"][1]  # п. 2.2
    head["list"][5]["sub"].pop(3)  # the chat with the pupils' activists
    data["sections"][3]["items"][0]["text"] += " Положение публикуется на сайте."
    monkeypatch.setattr(editions, "_new_edition_data", lambda: data)
    problems = differences(body_paragraphs(regulation_of(tmp_path)))
    assert len(problems) == 2
    assert "ученическим активом" in problems[0]
    assert "публикуется" in problems[1]


def test_the_organisations_name_is_in_the_right_case_and_the_seeds_is_gone(tmp_path):
    text = "\n".join(
        body_paragraphs(regulation_of(tmp_path, "Учреждение дополнительного образования «Тест»", "УДО «Тест»"))
    )
    assert (
        "1.1. Настоящее Положение является локальным нормативным актом Учреждения дополнительного образования «Тест»"
        in text
    )
    assert "является частью информационной системы УДО «Тест»." in text
    assert "Уставом УДО «Тест»" in text
    assert "ЦНТТ" not in text and "Керч" not in text
    for basis in ("№ Р-210", "№ 04-127", "№ 04-643", "№ Р-139"):
        assert basis in text
    assert "имеющим право вносить в него изменения и дополнения" in text


def test_the_new_edition_is_numbered_cleanly_and_holds_no_developer_note(tmp_path):
    paragraphs = body_paragraphs(regulation_of(tmp_path))
    numbers = [m.group(1) for p in paragraphs if (m := re.match(r"^(\d+\.\d+)\. ", p))]
    assert numbers == [f"1.{i}" for i in range(1, 8)] + [f"2.{i}" for i in range(1, 7)] + [
        f"3.{i}" for i in range(1, 5)
    ] + [f"4.{i}" for i in range(1, 4)]
    sections = [p for p in paragraphs if re.match(r"^\d\. ", p)]
    assert [s[:2] for s in sections] == ["1.", "2.", "3.", "4."]
    assert not any("нумерац" in p.lower() for p in paragraphs)
    assert paragraphs[numbers.index("2.4") + 0]  # the pedagogical worker's paragraph has a number now
    assert any(p.startswith("2.4. Педагогический работник (методист") for p in paragraphs)
    assert any(p.startswith("2.6. Родитель (законный представитель)") for p in paragraphs)


def test_the_regulation_is_approved_by_the_order_and_adopted_by_the_council(tmp_path):
    document = Document(regulation_of(tmp_path))
    blocks = [cell.text for cell in document.tables[0].rows[0].cells]
    assert blocks[0].startswith("ПРИНЯТО\nпедагогическим советом\nМБУДО «ЦНТТ»\nпротокол от")
    assert blocks[1] == "УТВЕРЖДЕНО\nприказом МБУДО «ЦНТТ»\nот 20.08.2026 № 11"


def test_with_max_the_regulation_says_max(tmp_path):
    text = "\n".join(body_paragraphs(regulation_of(tmp_path, Мессенджер="MAX")))
    assert "VK" not in text
    assert "учебного профиля в мессенджере MAX" in text
    assert "— мессенджер MAX — бесплатное российское приложение" in text


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
