"""Documents: names in the right case, blanks for handwriting, refusals naming the cell, safe against odd text."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

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


def test_order_appointing_the_administrator_names_them_by_position_and_initials(tmp_path):
    made = make_document("order-admin", snapshot_of(clean_book()), tmp_path, today=TODAY)
    text = text_of(made.path)
    assert "1. Назначить администратором ИКОП «Сферум» в УДО «Тест» методиста Сергеева А.П.\n" in text
    assert "2. Методисту Сергееву А.П.:" in text
    assert "должность —" not in text
    assert "в соответствии с пунктами 2.1, 2.2 Положения об использовании" in text
    assert "20 августа 2026 г.\t№ 12" in text
    assert "Директор\tА.В. Морозова" in text and "С приказом ознакомлен:" in text
    assert "____________ А.П. Сергеев" in text
    assert made.blanks == []


def test_orders_are_signed_in_the_heads_position_as_written(tmp_path):
    book = clean_book()
    book["Организация"].append(["Должность руководителя", "И.о. директора"])
    for name in ("order-admin", "order-usage"):
        text = text_of(make_document(name, snapshot_of(book), tmp_path, today=TODAY).path)
        assert "И.о. директора\tА.В. Морозова" in text, name
        assert "Руководитель\t" not in text


def test_female_administrator_gets_feminine_forms_in_every_item(tmp_path):
    book = clean_book()
    set_param(book, "Администратор платформы", "E03")
    set_cell(book, "Сотрудники", "E03", "Телефон", "+7 978 555 44 33")
    set_cell(book, "Сотрудники", "E03", "Email", "lysenko@example.org")
    snapshot = snapshot_of(book)
    order = text_of(make_document("order-admin", snapshot, tmp_path, today=TODAY).path)
    assert "педагога дополнительного образования Лысенко М.И." in order
    assert "2. Педагогу дополнительного образования Лысенко М.И.:" in order
    assert "С приказом ознакомлена:" in order
    usage = text_of(make_document("order-usage", snapshot, tmp_path, today=TODAY).path)
    assert "3. Назначить ответственной за организацию работы" in usage
    application = text_of(make_document("application", snapshot, tmp_path, today=TODAY).path)
    assert "назначена педагог дополнительного образования Лысенко Марина Игоревна" in application
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


def test_application_without_the_administrators_own_email_is_refused_even_if_the_organisation_has_one(tmp_path):
    book = clean_book()
    set_cell(book, "Сотрудники", "E02", "Email", "")
    book["Организация"].append(["Email организации", "office@example.org"])
    with pytest.raises(MissingData) as caught:
        make_document("application", snapshot_of(book), tmp_path, today=TODAY)
    assert "личный адрес электронной почты администратора — лист «Сотрудники», сотрудник E02, столбец «Email»" in str(
        caught.value
    )
    assert not (tmp_path / "application.docx").exists()


def test_application_carries_the_senders_details_and_the_attachment(tmp_path):
    book = clean_book()
    book["Организация"].append(["Адрес организации", "298300, г. Керчь, ул. Ленина, д. 1"])
    book["Организация"].append(["Телефон организации", "8 (978) 000-11-22"])
    book["Организация"].append(["Email организации", "office@example.org"])
    made = make_document("application", snapshot_of(book), tmp_path, today=TODAY)
    document = Document(made.path)
    sender, addressee = (cell.text for cell in document.tables[0].rows[0].cells)
    assert sender.startswith("Учреждение дополнительного образования «Тест»\n(УДО «Тест»)\n298300, г. Керчь")
    assert "Тел.: +7 978 000-11-22" in sender and "Эл. почта: office@example.org" in sender
    assert sender.endswith("____________ № ____________")  # the outgoing number and date, in their place
    assert addressee.startswith("Службе технической поддержки") and "info@sferum.ru" in addressee
    text = text_of(made.path)
    assert "адрес электронной почты: admin@example.org;" in text
    assert "office@example.org" not in text  # the organisation's address is never passed off as the admin's
    assert "Приложение: копия приказа от 20 августа 2026 г. № 12" in text and "на 1 л. в 1 экз." in text
    assert "Исполнитель: Сергеев Антон Павлович" in text
    assert made.blanks == ["исходящий номер и дата письма — впишите при регистрации письма"]


def test_no_administrator_refuses_the_order(tmp_path):
    book = clean_book()
    set_param(book, "Администратор платформы", "")
    with pytest.raises(MissingData, match="параметр «Администратор платформы»"):
        make_document("order-admin", snapshot_of(book), tmp_path, today=TODAY)


def test_order_on_use_names_the_council_and_the_platform_per_the_messenger_setting(tmp_path):
    book = clean_book()
    made = make_document("order-usage", snapshot_of(book), tmp_path, today=TODAY)
    vk = text_of(made.path)
    assert (
        "Об использовании информационно-коммуникационной образовательной платформы «Сферум» и учебного "
        "профиля в VK-мессенджере" in vk
    )
    assert "на основании решения педагогического совета УДО «Тест» (протокол от" in vk
    assert "принятое педагогическим советом УДО «Тест»" in vk
    assert "дата и номер протокола педагогического совета — впишите от руки" in made.blanks
    book["Организация"].append(["Мессенджер", "MAX"])
    for name in DOCUMENTS:
        if name in ("application", "regulation", "correspondence"):
            continue
        text = text_of(make_document(name, snapshot_of(book), tmp_path, today=TODAY).path)
        assert "VK" not in text, name
    # the regulation in force (2023) is the text as approved, VK and all; the sheet names the word it replaces
    assert "учебного профиля VK-мессенджер" in text_of(make_document("regulation", snapshot_of(book), tmp_path).path)
    sheet = text_of(make_document("correspondence", snapshot_of(book), tmp_path).path)
    assert "«VK-мессенджер» заменён на «мессенджер MAX»" in sheet
    max_order = text_of(make_document("order-usage", snapshot_of(book), tmp_path, today=TODAY).path)
    assert "платформы «Сферум» и учебного профиля в мессенджере MAX" in max_order


def test_memo_speaks_to_the_reader_without_duty_codes(tmp_path):
    text = text_of(make_document("memo-student", snapshot_of(clean_book()), tmp_path, today=TODAY).path)
    assert text.startswith("ПАМЯТКА\nобучающемуся\n")
    assert (
        "1. Вы присоединяетесь по ссылке-приглашению, полученной от педагога, в чат "
        "(п. 2.3, абз. «Обучающийся…»)." in text
    )
    assert "Сергеев Антон Павлович (эл. почта admin@example.org; тел. +7 978 111-22-33)" in text
    assert "п. 3.4" not in text  # the right of pedagogical staff
    for name in DOCUMENTS:
        if name.startswith("memo-"):
            memo = text_of(make_document(name, snapshot_of(clean_book()), tmp_path, today=TODAY).path)
            assert not re.search(r"\b[A-Z]+-\d{2}\b", memo), name
            assert not re.search(r"\b(Присоединяется|Создаёт|Направляет|Участвует|Обеспечивает)\b", memo), name


def test_teachers_memos_hold_the_participants_rights(tmp_path):
    for role in ("pdo", "ped"):
        text = text_of(make_document(f"memo-{role}", snapshot_of(clean_book()), tmp_path, today=TODAY).path)
        for clause in ("3.1", "3.2", "3.3", "3.4"):
            assert f"(п. {clause})." in text, (role, clause)
        assert "вы имеете право посещать семинары и вебинары" in text


def test_memo_citations_follow_the_edition_in_force(tmp_path):
    book = clean_book()
    assert "(п. 2.3, абз. «Педагогический работник…»)" in text_of(
        make_document("memo-ped", snapshot_of(book), tmp_path, today=TODAY).path
    )
    book["Организация"].append(["Редакция положения", "новая"])
    text = text_of(make_document("memo-ped", snapshot_of(book), tmp_path, today=TODAY).path)
    assert "(п. 2.4)" in text and "абз." not in text
    parent = text_of(make_document("memo-parent", snapshot_of(book), tmp_path, today=TODAY).path)
    assert "(п. 2.6)" in parent and "2.7" not in parent


def test_correspondence_sheet_is_a_document_of_its_own(tmp_path):
    made = make_document("correspondence", snapshot_of(clean_book()), tmp_path, today=TODAY)
    table = Document(made.path).tables[0]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["Редакция 2023 года", "Новая редакция", "Содержание"]
    assert ["п. 2.3, абз. «Педагогический работник…»", "п. 2.4", "Педагогический работник, ведущий занятия"] in rows
    assert ["п. 2.7", "п. 2.6", "Родитель (законный представитель)"] in rows
    assert "ЛИСТ СООТВЕТСТВИЯ" in text_of(made.path)


def test_markup_and_formula_like_names_do_not_break_a_document(tmp_path):
    book = clean_book()
    set_cell(book, "Сотрудники", "E01", "Фамилия", "<b>Морозова</b> & Ко")
    set_cell(book, "Сотрудники", "E02", "Отчество", "=1+2")
    made = make_document("order-admin", snapshot_of(book), tmp_path, today=TODAY)
    with zipfile.ZipFile(made.path) as archive:
        assert archive.testzip() is None
    text = text_of(made.path)
    assert "А.В. <b>Морозова</b> & Ко" in text  # shown as typed, not taken as markup
    assert "=1+2" not in text or "Сергеева А.=." in text


def test_every_document_is_made_for_the_demo_organisation_and_a_month_earlier_the_application_is_refused(tmp_path):
    from sferum_lib.demo import earlier, generate

    now = generate(as_of=TODAY)
    made, refused = make_all(now, tmp_path, today=TODAY)
    assert [m.name for m in made] == list(DOCUMENTS) and refused == []
    _, refused = make_all(earlier(now, TODAY), tmp_path / "before", today=TODAY)
    # then the platform was run by a non-pedagogical member of staff who gave no email: no order, no application
    assert [r.document for r in refused] == ["Приказ о назначении администратора", "Заявка на регистрацию"]
    assert "не относится к педагогическим" in str(refused[0]) and "«Администратор платформы»" in str(refused[0])
    assert "не относится к педагогическим" in str(refused[1]) and "столбец «Email»" in str(refused[1])
    for doc in made:
        assert Document(doc.path).paragraphs  # opens as a valid DOCX


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_every_document_is_laid_out_as_gost_asks(tmp_path, name):
    made = make_document(name, snapshot_of(clean_book()), tmp_path, today=TODAY)
    document = Document(made.path)
    for section in document.sections:
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
        assert round(section.left_margin.mm) == round(section.top_margin.mm) == round(section.bottom_margin.mm) == 20
        assert section.right_margin.mm >= 10
        assert section.different_first_page_header_footer  # no number on the first page
        header = section.header._element.xml
        assert "PAGE" in header and "fldChar" in header
        assert section.header.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER  # middle of the top margin
        assert "PAGE" not in section.first_page_header._element.xml
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and 12 <= normal.size.pt <= 14
    sizes = {run.font.size.pt for p in document.paragraphs for run in p.runs if run.font.size}
    assert all(12 <= size <= 14 for size in sizes), sizes


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


def test_the_shipped_templates_are_the_defaults(tmp_path):
    """`templates/` holds what `sferum docs --restore-templates` writes: no stale copy after a change of layout."""
    from sferum_lib.documents import templates_dir
    from sferum_lib.documents.defaults import DEFAULTS

    write_default_templates(tmp_path)
    for name in DEFAULTS:
        shipped, fresh = Document(templates_dir() / name), Document(tmp_path / name)
        assert [p.text for p in shipped.paragraphs] == [p.text for p in fresh.paragraphs], name
        assert [c.text for t in shipped.tables for r in t.rows for c in r.cells] == [
            c.text for t in fresh.tables for r in t.rows for c in r.cells
        ], name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Присоединяется к чату по ссылке.", "Вы присоединяетесь к чату по ссылке."),
        ("При необходимости создаёт структуру.", "При необходимости вы создаёте структуру."),
        ("Вносит, редактирует информацию.", "Вы вносите, редактируете информацию."),
        ("Ведет, размещает информацию, развивает каналы.", "Вы ведёте, размещаете информацию, развиваете каналы."),
        (
            "Администратор назначается руководителем по приказу.",
            "Вас назначает администратором руководитель по приказу.",
        ),
    ],
)
def test_duties_are_told_to_the_reader(text, expected):
    from sferum_lib.documents.content import to_reader

    assert to_reader(text) == expected


def test_the_profile_is_named_for_the_messenger_in_use():
    from sferum_lib.documents.content import in_messenger
    from sferum_lib.model import Messenger

    text = "по использованию функционала учебного профиля VK-мессенджер; в учебном профиле в VK-мессенджере"
    assert in_messenger(text, Messenger.VK) == (
        "по использованию функционала учебного профиля в VK-мессенджере; в учебном профиле в VK-мессенджере"
    )
    assert in_messenger(text, Messenger.MAX) == (
        "по использованию функционала учебного профиля в мессенджере MAX; в учебном профиле в мессенджере MAX"
    )


@pytest.mark.parametrize(
    ("position", "case", "expected"),
    [
        ("методист", "accusative", "методиста"),
        ("Старший методист", "accusative", "старшего методиста"),
        ("педагог-организатор", "dative", "педагогу-организатору"),
        ("заместитель директора по УВР", "accusative", "заместителя директора по УВР"),
        ("учитель", "dative", "учителю"),
    ],
)
def test_positions_decline_in_running_text(position, case, expected):
    from sferum_lib.documents.content import position_in

    assert position_in(position, case) == expected


@pytest.mark.parametrize(
    ("full_name", "genitive"),
    [
        ("Муниципальное бюджетное учреждение дополнительного образования «Центр»", "Муниципального бюджетного "
         "учреждения дополнительного образования «Центр»"),
        ("Средняя общеобразовательная школа № 5", "Средней общеобразовательной школы № 5"),
        ("Государственная автономная организация «Х»", "Государственной автономной организации «Х»"),
        ("МБУДО «ЦНТТ»", "МБУДО «ЦНТТ»"),
    ],
)  # fmt: skip
def test_the_organisations_name_declines_in_its_head_only(full_name, genitive):
    from sferum_lib.documents.content import org_genitive

    assert org_genitive(full_name) == genitive


def test_initials_are_written_without_a_space_between_them():
    from sferum_lib.documents.content import compact_initials

    assert compact_initials("Е. С. Лаврова") == "Е.С. Лаврова"
    assert compact_initials("Лавровой Е. С.") == "Лавровой Е.С."
    assert compact_initials("Ди Каприо Л.") == "Ди Каприо Л."


def test_the_gender_given_in_the_workbook_decides_the_agreement(tmp_path):
    book = clean_book()
    set_cell(book, "Сотрудники", "E02", "Имя", "Саша")
    set_cell(book, "Сотрудники", "E02", "Отчество", "")
    book["Сотрудники"][0].append("Пол")
    for row in book["Сотрудники"][1:]:
        row.append("ж" if row[0] == "E02" else "")
    text = text_of(make_document("order-admin", snapshot_of(book), tmp_path, today=TODAY).path)
    assert "С приказом ознакомлена:" in text
