"""Documents: names in the right case, blanks for handwriting, refusals naming the cell, safe against odd text."""

from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from docx import Document

from sferum_lib.cli import main
from sferum_lib.documents import DOCUMENTS, MissingData, make_all, make_document
from sferum_lib.documents.defaults import write_default_templates
from sferum_lib.documents.names import PersonName, date_words
from tests.helpers import clean_book, set_cell, set_param, snapshot_of, write_xlsx

TODAY = dt.date(2026, 10, 15)


def text_of(path) -> str:
    return "\n".join(p.text for p in Document(path).paragraphs)


@pytest.mark.parametrize(
    ("name", "case", "expected"),
    [
        (("Лаврова", "Елена", "Сергеевна"), "genitive", "Лавровой Елены Сергеевны"),
        (("Лаврова", "Елена", "Сергеевна"), "accusative", "Лаврову Елену Сергеевну"),
        (("Сергеев", "Антон", "Павлович"), "dative", "Сергееву Антону Павловичу"),
        (("Сергеев", "Антон", "Павлович"), "accusative", "Сергеева Антона Павловича"),
        (("Красовская", "Инна", "Олеговна"), "instrumental", "Красовской Инной Олеговной"),
        (("Шевченко", "Олег", "Игоревич"), "genitive", "Шевченко Олега Игоревича"),
        (("Черных", "Мария", "Ивановна"), "dative", "Черных Марии Ивановне"),
        (("Петрова-Водкина", "Анна", "Ивановна"), "accusative", "Петрову-Водкину Анну Ивановну"),
        (("Ткачук", "Алина", ""), "genitive", "Ткачук Алины"),
        (("Бондарь", "Глеб", ""), "dative", "Бондарю Глебу"),
        (("ИВАНОВА", "МАРИЯ", "ПЕТРОВНА"), "accusative", "ИВАНОВУ МАРИЮ ПЕТРОВНУ"),
    ],
)
def test_names_decline_by_gender_and_kind_of_surname(name, case, expected):
    assert PersonName.of(*name).full(case) == expected


def test_short_forms_and_signature():
    name = PersonName.of(" Лаврова ", "Елена", "Сергеевна")
    assert name.short("genitive") == "Лавровой Е. С."
    assert name.signature() == "Е. С. Лаврова"


def test_an_override_file_fixes_a_name_the_rules_get_wrong(tmp_path):
    overrides = tmp_path / "склонение.yaml"
    overrides.write_text("Гусь:\n  genitive: Гусь\n", encoding="utf-8")
    assert PersonName.of("Гусь", "Анна", "Петровна", overrides).full("genitive") == "Гусь Анны Петровны"


def test_dates_in_words():
    assert date_words(dt.date(2023, 10, 10)) == "10 октября 2023 г."
    assert date_words(dt.date(2026, 3, 1)) == "1 марта 2026 г."


def test_order_appointing_the_administrator_names_them_in_the_accusative(tmp_path):
    made = make_document("order-admin", snapshot_of(clean_book()), tmp_path, today=TODAY)
    text = text_of(made.path)
    assert "Назначить администратором ИКОП «Сферум» УДО «Тест» Сергеева Антона Павловича" in text
    assert "20 августа 2026 г." in text and "№ 12" in text
    assert "А. В. Морозова" in text and "С приказом ознакомлен:" in text
    assert made.blanks == []


def test_female_administrator_gets_feminine_forms(tmp_path):
    book = clean_book()
    set_param(book, "Администратор платформы", "E03")
    set_cell(book, "Сотрудники", "E03", "Телефон", "+7 978 555 44 33")
    set_cell(book, "Сотрудники", "E03", "Email", "lysenko@example.org")
    snapshot = snapshot_of(book)
    assert "Лысенко Марину Игоревну" in text_of(make_document("order-admin", snapshot, tmp_path, today=TODAY).path)
    application = text_of(make_document("application", snapshot, tmp_path, today=TODAY).path)
    assert "назначена Лысенко Марина Игоревна" in application
    assert "+7 978 555-44-33" in application and "lysenko@example.org" in application


def test_missing_order_date_leaves_a_blank_and_says_which_cell(tmp_path):
    book = clean_book()
    set_param(book, "Приказ о назначении администратора: дата", "")
    made = make_document("order-admin", snapshot_of(book), tmp_path, today=TODAY)
    assert "«___» ____________ 20__ г." in text_of(made.path)
    assert made.blanks == [
        "дата приказа о назначении администратора — лист «Организация», параметр "
        "«Приказ о назначении администратора: дата»"
    ]


def test_application_without_phone_or_order_number_is_refused_naming_the_cells(tmp_path):
    book = clean_book()
    set_cell(book, "Сотрудники", "E02", "Телефон", "")
    set_param(book, "Приказ о назначении администратора: номер", "")
    with pytest.raises(MissingData) as caught:
        make_document("application", snapshot_of(book), tmp_path, today=TODAY)
    message = str(caught.value)
    assert "лист «Сотрудники», сотрудник E02, столбец «Телефон»" in message
    assert "параметр «Приказ о назначении администратора: номер»" in message
    assert not (tmp_path / "application.docx").exists()


def test_no_administrator_refuses_the_order(tmp_path):
    book = clean_book()
    set_param(book, "Администратор платформы", "")
    with pytest.raises(MissingData, match="параметр «Администратор платформы»"):
        make_document("order-admin", snapshot_of(book), tmp_path, today=TODAY)


def test_order_on_use_names_the_platform_per_the_messenger_setting(tmp_path):
    book = clean_book()
    vk = text_of(make_document("order-usage", snapshot_of(book), tmp_path, today=TODAY).path)
    assert "учебного профиля VK-мессенджера" in vk
    book["Организация"].append(["Мессенджер", "MAX"])
    max_text = text_of(make_document("order-usage", snapshot_of(book), tmp_path, today=TODAY).path)
    assert "мессенджера MAX" in max_text and "VK" not in max_text


def test_regulation_is_numbered_cleanly_from_the_catalogue_and_lists_the_renumbering(tmp_path):
    text = text_of(make_document("regulation", snapshot_of(clean_book()), tmp_path, today=TODAY).path)
    for heading in ("2. Организация работы", "3. Права участников", "4. Заключительные положения"):
        assert heading in text
    for item in (
        "2.1. Администратор",
        "2.4. Педагогический работник",
        "2.5. Обучающийся",
        "2.6. Родитель",
        "3.2. Участники имеют право",
        "4.3. Вопросы",
    ):
        assert item in text, item
    assert "— Создаёт структурный компонент – кабинет «Учительская»" in text
    assert "п. 2.7 (родитель, законный представитель) → п. 2.6" in text


def test_memo_lists_the_roles_duties_and_safety(tmp_path):
    text = text_of(make_document("memo-student", snapshot_of(clean_book()), tmp_path, today=TODAY).path)
    assert "для роли «обучающийся»" in text
    assert "1) Вступление в чат по ссылке (абз. «Обучающийся…», STU-01)" in text
    assert "Безопасный режим" in text and "Сергеев Антон Павлович" in text


def test_markup_and_formula_like_names_do_not_break_a_document(tmp_path):
    book = clean_book()
    set_cell(book, "Сотрудники", "E01", "Фамилия", "<b>Морозова</b> & Ко")
    set_cell(book, "Сотрудники", "E02", "Отчество", "=1+2")
    made = make_document("order-admin", snapshot_of(book), tmp_path, today=TODAY)
    with zipfile.ZipFile(made.path) as archive:
        assert archive.testzip() is None
    text = text_of(made.path)
    assert "А. В. <b>Морозова</b> & Ко" in text  # shown as typed, not taken as markup
    assert "=1+2" in text


def test_every_document_is_made_for_the_demo_organisation(tmp_path):
    from sferum_lib.demo import generate

    made, refused = make_all(generate(as_of=TODAY), tmp_path, today=TODAY)
    assert refused == [] and len(made) == len(DOCUMENTS)
    for doc in made:
        assert Document(doc.path).paragraphs  # opens as a valid DOCX


def test_an_edited_template_changes_the_document_without_code(tmp_path):
    templates = tmp_path / "templates"
    write_default_templates(templates)
    doc = Document(templates / "memo.docx")
    doc.paragraphs[0].runs[0].text = "ПАМЯТКА УЧАСТНИКА"
    doc.save(templates / "memo.docx")
    made = make_document("memo-parent", snapshot_of(clean_book()), tmp_path / "out", templates, TODAY)
    assert text_of(made.path).startswith("ПАМЯТКА УЧАСТНИКА")


def test_a_broken_template_is_reported_in_russian(tmp_path):
    from sferum_lib.errors import SferumError

    templates = tmp_path / "templates"
    write_default_templates(templates)
    doc = Document(templates / "memo.docx")
    doc.paragraphs[0].runs[0].text = "{{ role.title "
    doc.save(templates / "memo.docx")
    with pytest.raises(SferumError, match="испорчен"):
        make_document("memo-parent", snapshot_of(clean_book()), tmp_path / "out", templates, TODAY)


def test_docs_command_lists_makes_and_refuses(tmp_path, capsys):
    store = str(tmp_path / "s.db")
    assert main(["import", str(write_xlsx(clean_book(), tmp_path / "b.xlsx")), "--store", store]) == 0
    capsys.readouterr()
    assert main(["docs", "--list"]) == 0
    assert "order-admin" in capsys.readouterr().out
    assert main(["docs", "all", "--store", store, "--out", str(tmp_path / "docs")]) == 0
    assert len(capsys.readouterr().out.split()) == len(DOCUMENTS)
    book = clean_book()
    set_cell(book, "Сотрудники", "E02", "Телефон", "")
    main(["import", str(write_xlsx(book, tmp_path / "c.xlsx")), "--store", store])
    capsys.readouterr()
    code = main(["docs", "application", "--store", store, "--out", str(tmp_path / "docs2")])
    assert code == 2 and "столбец «Телефон»" in capsys.readouterr().err
