"""What a made document says about itself (language, title, author), phone numbers in letters, and the closing
summary of a run over several documents."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from docx import Document

from sferum_lib.documents import DOCUMENTS, make_all, make_document, summary
from sferum_lib.documents.content import _pretty_phone
from sferum_lib.documents.defaults import DEFAULTS
from tests.helpers import clean_book, set_cell, snapshot_of

TODAY = dt.date(2026, 10, 15)


def _langs(path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        styles = archive.read("word/styles.xml").decode("utf-8")
    import re

    return re.findall(r'<w:lang [^>]*w:val="([^"]+)"', styles)


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_every_document_is_russian_titled_and_by_the_organisation(tmp_path, name):
    book = clean_book()
    made = make_document(name, snapshot_of(book), tmp_path, today=TODAY)
    langs = _langs(made.path)
    assert langs and set(langs) == {"ru-RU"}, langs  # Word checks spelling and hyphenates as Russian
    with zipfile.ZipFile(made.path) as archive:
        assert 'w:eastAsia="ru-RU"' in archive.read("word/styles.xml").decode("utf-8")
    core = Document(made.path).core_properties
    assert core.author == "Учреждение дополнительного образования «Тест»" != "python-docx"
    assert core.last_modified_by == core.author
    assert core.title == DOCUMENTS[name].title or (name == "regulation" and core.title.startswith("Положение"))
    assert core.language == "ru-RU"


def test_the_regulations_title_names_its_edition(tmp_path):
    book = clean_book()
    title = Document(make_document("regulation", snapshot_of(book), tmp_path, today=TODAY).path).core_properties.title
    assert "редакция 2023 г." in title
    book["Организация"].append(["Редакция положения", "новая"])
    title = Document(make_document("regulation", snapshot_of(book), tmp_path, today=TODAY).path).core_properties.title
    assert "новая редакция" in title and "проект" in title


def test_an_old_template_in_english_still_makes_a_russian_document(tmp_path):
    from docx import Document as New

    folder = tmp_path / "templates"
    folder.mkdir()
    for file, build in DEFAULTS.items():
        build(folder / file)
    old = New()  # python-docx's own template: en-US, author «python-docx»
    old.add_paragraph("Памятка {{ role.addressee }}")
    old.save(folder / "memo.docx")
    assert "en-US" in _langs(folder / "memo.docx")
    made = make_document("memo-admin", snapshot_of(clean_book()), tmp_path / "out", folder, today=TODAY)
    assert set(_langs(made.path)) == {"ru-RU"}
    assert Document(made.path).core_properties.author != "python-docx"


def test_the_shipped_templates_are_russian_and_anonymous():
    from sferum_lib.documents import PROGRAM_TEMPLATES

    for file in DEFAULTS:
        assert set(_langs(PROGRAM_TEMPLATES / file)) == {"ru-RU"}, file
        assert Document(PROGRAM_TEMPLATES / file).core_properties.author == "", file


@pytest.mark.parametrize(
    ("phone", "shown"),
    [
        ("+73656231245", "+7 365 6231245"),  # Feodosia, city code 36562: no grouping that claims «365 623»
        ("8 (36562) 3-12-45", "+7 365 6231245"),
        ("+74951234567", "+7 495 123-45-67"),  # Moscow: the code is the city's
        ("+78121234567", "+7 812 123-45-67"),
        ("+79781234567", "+7 978 123-45-67"),  # a mobile
        ("", ""),
        ("доб. 12", "доб. 12"),  # not a number the library reads: as written
    ],
)
def test_phones_are_written_without_a_wrong_city_code(phone, shown):
    assert _pretty_phone(phone) == shown


def test_a_crimean_landline_reaches_the_application_as_it_dials(tmp_path):
    book = clean_book()
    book["Организация"].append(["Телефон организации", "8 (36562) 3-12-45"])
    made = make_document("application", snapshot_of(book), tmp_path, today=TODAY)
    text = "\n".join(p.text for p in Document(made.path).paragraphs)
    text += "\n".join(c.text for t in Document(made.path).tables for r in t.rows for c in r.cells)
    assert "+7 365 6231245" in text and "623-12-45" not in text


def test_the_summary_names_what_was_made_and_what_was_not_and_why(tmp_path):
    book = clean_book()
    set_cell(book, "Сотрудники", "E02", "Email", None)
    made, refused = make_all(snapshot_of(book), tmp_path, today=TODAY)
    assert len(made) == len(DOCUMENTS) - 1 and len(refused) == 1
    lines = summary(made, refused)
    assert lines[0] == f"Составлено документов: {len(DOCUMENTS) - 1} из {len(DOCUMENTS)}."
    assert "order-admin.docx" in lines[1] and "application.docx" not in lines[1]
    assert lines[2] == "Не составлено: 1:"
    assert "«Заявка на регистрацию» не составлен" in lines[3] and "столбец «Email»" in lines[3]
    assert not (tmp_path / "application.docx").exists()
    assert summary(made, [])[1:] == lines[1:2]


def test_a_template_that_loses_a_paragraph_of_the_regulation_writes_nothing(tmp_path):
    from sferum_lib.documents.defaults import DEFAULTS as BUILDERS
    from sferum_lib.errors import SferumError

    folder = tmp_path / "templates"
    folder.mkdir()
    for file, build in BUILDERS.items():
        build(folder / file)
    edited = Document(folder / "regulation.docx")
    for paragraph in edited.paragraphs:  # an editor's «simplification»: nested entries no longer printed
        if paragraph.text == "{%p else %}":
            paragraph.text = "{%p elif false %}"
    edited.save(folder / "regulation.docx")
    with pytest.raises(SferumError, match="выводит не весь текст Положения"):
        make_document("regulation", snapshot_of(clean_book()), tmp_path / "out", folder, today=TODAY)
    assert not (tmp_path / "out" / "regulation.docx").exists()
