"""Workbook import: every kind of input error, all reported at once; CSV encodings and separators."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from sferum_lib.errors import InputFileError
from sferum_lib.workbook import import_workbook
from sferum_lib.workbook.reader import read_source
from sferum_lib.workbook.writer import write_errors_copy
from tests.helpers import D, clean_book, set_cell, set_param, snapshot_of, write_csv_folder, write_xlsx


def problems_of(book) -> list[tuple[str, int | None, str, str]]:
    with pytest.raises(InputFileError) as caught:
        snapshot_of(book)
    return [(p.sheet, p.row, p.column, p.value) for p in caught.value.problems]


def test_clean_book_imports_with_all_sheets_and_normalised_values():
    snapshot = snapshot_of(clean_book())
    assert len(snapshot.staff) == 4
    assert snapshot.staff.loc[1, "phone"] == "+79781112233"
    assert snapshot.chats.loc[4, "type"] == "section-students"
    assert snapshot.organisation.messenger.value == "VK Мессенджер"
    assert snapshot.has("Каналы", "Заявки")


def test_missing_required_sheet_is_an_error():
    book = clean_book()
    del book["Сотрудники"]
    assert ("Сотрудники", None, "", "") in problems_of(book)


def test_missing_required_column_names_the_header_row():
    book = clean_book()
    for row in book["Объединения"]:
        del row[1]  # «Название»
    assert problems_of(book) == [("Объединения", 1, "Название", "")]


def test_missing_required_value_names_sheet_row_and_column():
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Должность", "")
    assert problems_of(book) == [("Сотрудники", 4, "Должность", "")]


def test_missing_organisation_name_is_an_error():
    book = clean_book()
    set_param(book, "Краткое наименование", "")
    assert problems_of(book) == [("Организация", 3, "Значение", "")]


@pytest.mark.parametrize(
    ("column", "value", "expected_word"),
    [
        ("Дата приёма", "31.02.2020", "дата"),
        ("Статус подтверждён", "наверное", "«да»"),
        ("Телефон", "12-34", "телефона"),
        ("Email", "ivanov@", "почты"),
        ("Роль в платформе", "суперадмин", "администратор"),
    ],
)
def test_value_that_does_not_parse_is_reported_with_what_was_expected(column, value, expected_word):
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", column, value)
    with pytest.raises(InputFileError) as caught:
        snapshot_of(book)
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.column, problem.value) == ("Сотрудники", 4, column, value)
    assert expected_word in problem.expected


def test_unknown_chat_type_is_reported():
    book = clean_book()
    set_cell(book, "Чаты", "K1", "Тип", "болталка")
    assert problems_of(book) == [("Чаты", 6, "Тип", "болталка")]


def test_duplicate_id_across_people_sheets_is_an_error_pointing_at_the_first():
    book = clean_book()
    set_cell(book, "Родители", "R02", "ID", "U01")
    with pytest.raises(InputFileError) as caught:
        snapshot_of(book)
    messages = [str(p) for p in caught.value.problems]
    assert any("Родители" in m and "строка 3" in m and "«Обучающиеся», строка 2" in m for m in messages)


def test_references_to_unknown_ids_codes_and_chats_are_errors():
    book = clean_book()
    set_cell(book, "Объединения", "RT", "Педагог", "E99")
    book["Обучающиеся"].append(["U03", "Бондарь", "Глеб", "RT; XX", "", "", ""])
    book["Участники чатов"] += [["K9", "U01"], ["K1", "Z01"]]
    book["Ссылки-приглашения"].append(["I2", D(2026, 10, 1), "E02", "объединение:YY", "обучающийся", "", "", ""])
    book["Заявки"].append(["Q2", "NOBODY", "родитель", D(2026, 10, 1), "", ""])
    found = problems_of(book)
    assert ("Объединения", 2, "Педагог", "E99") in found
    assert ("Обучающиеся", 4, "Объединения", "XX") in found
    assert ("Участники чатов", 13, "Чат", "K9") in found
    assert ("Участники чатов", 14, "Участник", "Z01") in found
    assert ("Ссылки-приглашения", 3, "Куда", "объединение:YY") in found
    assert ("Заявки", 3, "Заявитель", "NOBODY") in found
    assert len(found) == 6


def test_section_chat_must_name_its_section():
    book = clean_book()
    set_cell(book, "Чаты", "K2", "Объединение", "")
    assert problems_of(book) == [("Чаты", 7, "Объединение", "")]


def test_all_problems_of_a_file_are_reported_at_once():
    book = clean_book()
    set_cell(book, "Сотрудники", "E01", "Дата приёма", "вчера")
    set_cell(book, "Сотрудники", "E02", "Email", "нет почты")
    set_cell(book, "Обучающиеся", "U01", "Присоединился", "2026/09/05")
    set_cell(book, "Чаты", "H1", "Владелец", "E77")
    assert len(problems_of(book)) == 4


def test_unknown_columns_and_sheets_are_warnings_only():
    book = clean_book()
    for i, row in enumerate(book["Объединения"]):
        row.append("Заметка" if i == 0 else "что-то")
    book["Расписание"] = [["День"], ["пн"]]
    sheets = {name: rows for name, rows in book.items()}
    from sferum_lib.workbook.importer import build_snapshot
    from sferum_lib.workbook.reader import _raw_sheet

    raw = {n: _raw_sheet(n, [list(r) for r in rows], list(range(1, len(rows) + 1))) for n, rows in sheets.items()}
    result = build_snapshot(raw, "x.xlsx")
    assert {(w.sheet, w.column) for w in result.warnings} == {("Объединения", "Заметка"), ("Расписание", "")}


def test_headers_match_trimmed_case_insensitive_with_yo_as_ye():
    book = clean_book()
    book["Сотрудники"][0] = [h.upper().replace("Ё", "Е") + "  " for h in book["Сотрудники"][0]]
    assert len(snapshot_of(book).staff) == 4


def test_excel_row_numbers_survive_blank_rows(tmp_path):
    book = clean_book()
    book["Сотрудники"].insert(2, ["", "", ""])  # a blank row 3: E02 moves to row 4, E03 to row 5
    set_cell(book, "Сотрудники", "E03", "Дата приёма", "не помню")
    path = write_xlsx(book, tmp_path / "book.xlsx")
    with pytest.raises(InputFileError) as caught:
        import_workbook(path)
    assert [(p.sheet, p.row) for p in caught.value.problems] == [("Сотрудники", 5)]


def test_numeric_ids_from_excel_are_text_without_decimal_point(tmp_path):
    book = clean_book()
    set_param(book, "Приказ о назначении администратора: номер", 12)
    snapshot = import_workbook(write_xlsx(book, tmp_path / "b.xlsx")).snapshot
    assert snapshot.organisation.admin_order_number == "12"


@pytest.mark.parametrize(
    ("encoding", "sep"), [("utf-8-sig", ";"), ("utf-8", ";"), ("utf-8", ","), ("cp1251", ";"), ("cp1251", ",")]
)
def test_csv_folder_in_any_encoding_and_separator_gives_the_same_data_as_xlsx(tmp_path, encoding, sep):
    book = clean_book()
    from_xlsx = import_workbook(write_xlsx(book, tmp_path / "b.xlsx")).snapshot
    from_csv = import_workbook(write_csv_folder(book, tmp_path / "csv", encoding=encoding, sep=sep)).snapshot
    assert from_csv.organisation == from_xlsx.organisation
    assert from_csv.sheets == from_xlsx.sheets
    for name, table in from_xlsx.tables.items():
        assert from_csv.tables[name].equals(table), name


def test_csv_error_rows_are_line_numbers(tmp_path):
    book = clean_book()
    set_cell(book, "Обучающиеся", "U02", "Дата зачисления", "1 сентября")
    folder = write_csv_folder(book, tmp_path / "csv", encoding="cp1251")
    with pytest.raises(InputFileError) as caught:
        import_workbook(folder)
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "Обучающиеся",
        3,
        "Дата зачисления",
        "1 сентября",
    )


def test_missing_file_and_wrong_kind_of_file_are_input_errors(tmp_path):
    with pytest.raises(InputFileError, match="не найдены"):
        import_workbook(tmp_path / "нет.xlsx")
    broken = tmp_path / "broken.xlsx"
    broken.write_text("это не Excel")
    with pytest.raises(InputFileError, match="не является книгой Excel"):
        import_workbook(broken)


def test_errors_copy_marks_each_bad_cell_with_a_note(tmp_path):
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Email", "ivanov@")
    set_cell(book, "Объединения", "RT", "Педагог", "E99")
    path = write_xlsx(book, tmp_path / "book.xlsx")
    with pytest.raises(InputFileError) as caught:
        import_workbook(path)
    out = write_errors_copy(path, read_source(path), caught.value.problems, tmp_path / "errors.xlsx")
    wb = load_workbook(out)
    email = wb["Сотрудники"].cell(row=4, column=book["Сотрудники"][0].index("Email") + 1)
    assert email.value == "ivanov@"
    assert email.fill.fgColor.rgb.endswith("F8CBAD")
    assert "почты" in email.comment.text
    teacher = wb["Объединения"].cell(row=2, column=3)
    assert teacher.value == "E99" and "сотрудника" in teacher.comment.text
    listing = wb["Ошибки"]
    assert listing.max_row == 3  # header + two problems


def test_errors_copy_of_a_csv_folder_is_a_workbook_with_the_same_rows(tmp_path):
    book = clean_book()
    set_cell(book, "Родители", "R01", "Отчество", "")
    set_cell(book, "Родители", "R01", "Дети", "")
    folder = write_csv_folder(book, tmp_path / "csv")
    with pytest.raises(InputFileError) as caught:
        import_workbook(folder)
    out = write_errors_copy(folder, read_source(folder), caught.value.problems, tmp_path / "errors.xlsx")
    cell = load_workbook(out)["Родители"]["E2"]
    assert cell.value is None and "обязательное" in cell.comment.text
    assert load_workbook(out)["Родители"]["B2"].value == "Савченко"


def test_choices_accept_any_dash_case_and_the_apps_own_role_words():
    book = clean_book()
    set_cell(book, "Чаты", "H1", "Тип", "Руководитель - заместители")
    set_cell(book, "Чаты", "H2", "Тип", "руководитель–педагоги")
    book["Заявки"].append(["Q2", "U02", "Ученик", D(2026, 10, 1), "Принята", D(2026, 10, 2)])
    snapshot = snapshot_of(book)
    assert list(snapshot.chats["type"][:2]) == ["head-deputies", "head-teachers"]
    assert list(snapshot.requests["role"]) == ["обучающийся", "обучающийся"]
    assert list(snapshot.requests["decision"]) == ["принята", "принята"]


@pytest.mark.parametrize("written", ["VK-мессенджер", "ВК", "vk messenger", "MAX", "макс"])
def test_messenger_setting_accepts_the_usual_spellings(written):
    book = clean_book()
    book["Организация"].append(["Мессенджер", written])
    expected = "MAX" if written.lower() in ("max", "макс") else "VK Мессенджер"
    assert snapshot_of(book).organisation.messenger.value == expected


# --- identifiers a person cannot tell apart ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "how"),
    [
        ("Е01", "«Е» (русская) и «E» (латинская)"),  # Cyrillic Е
        ("e01", "регистром букв"),
        ("E01\u200b", "невидимыми символами"),
        ("E\u00a001", "невидимыми символами или особыми пробелами"),
        ("E 01", "пробелами"),
        ("E\u00ad01", "невидимыми символами"),
    ],
    ids=["cyrillic", "case", "zero-width", "nbsp", "space", "soft-hyphen"],
)
def test_ids_that_differ_only_in_what_a_person_cannot_see_are_an_error_naming_both_rows(typed, how):
    book = clean_book()
    book["Родители"].append([typed, "Морозов", "Пётр", "", "U01", ""])
    with pytest.raises(InputFileError) as caught:
        snapshot_of(book)
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("Родители", 4, "ID")
    assert "лист «Сотрудники», строка 2" in problem.expected
    assert how in problem.expected
    assert "\u200b" not in str(problem) and "\u00ad" not in str(problem)


def test_look_alike_codes_of_sections_are_an_error():
    book = clean_book()
    book["Объединения"].append(["AM", "Авиамоделирование", "E03", "да"])
    book["Объединения"].append(["АМ", "Авиамоделирование-2", "E03", "да"])  # Cyrillic А and М
    found = problems_of(book)
    assert found == [("Объединения", 4, "Код", "АМ")]


def test_a_reference_typed_in_the_other_alphabet_says_what_it_looks_like():
    book = clean_book()
    set_cell(book, "Объединения", "RT", "Педагог", "Е03")  # Cyrillic Е
    with pytest.raises(InputFileError) as caught:
        snapshot_of(book)
    [problem] = caught.value.problems
    assert "нет сотрудника" in problem.expected and "похожий «E03»" in problem.expected


# --- dates -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [D(1899, 12, 31), "31.12.1899", "1850-01-01", D(2101, 1, 1), "01.01.2101"])
def test_dates_before_1900_or_after_2100_are_errors(value):
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Дата приёма", value)
    with pytest.raises(InputFileError) as caught:
        snapshot_of(book)
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (4, "Дата приёма") and "с 1900 по 2100" in problem.expected


@pytest.mark.parametrize("value", [D(1900, 1, 1), D(1901, 5, 5), "31.12.2100"])
def test_dates_within_1900_to_2100_are_accepted(value):
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Дата приёма", value)
    assert len(snapshot_of(book).staff) == 4


def test_dismissal_before_hire_and_expulsion_before_enrolment_are_errors():
    book = clean_book()
    set_cell(book, "Сотрудники", "E04", "Дата увольнения", D(2019, 1, 1))  # hired 01.03.2020
    set_cell(book, "Обучающиеся", "U02", "Дата отчисления", D(2026, 8, 31))  # enrolled 01.09.2026
    with pytest.raises(InputFileError) as caught:
        snapshot_of(book)
    found = {(p.sheet, p.row, p.column, p.value): p.expected for p in caught.value.problems}
    assert found == {
        ("Сотрудники", 5, "Дата увольнения", "01.01.2019"): "дата увольнения раньше даты приёма (01.03.2020)",
        ("Обучающиеся", 3, "Дата отчисления", "31.08.2026"): "дата отчисления раньше даты зачисления (01.09.2026)",
    }


def test_dismissal_on_the_day_of_hire_is_accepted():
    book = clean_book()
    set_cell(book, "Сотрудники", "E04", "Дата увольнения", D(2020, 3, 1))
    assert len(snapshot_of(book).staff) == 4


# --- missing sheets ----------------------------------------------------------------------------------------------


def test_missing_staff_sheet_gives_one_error_not_its_knock_on_errors():
    book = clean_book()
    del book["Сотрудники"]
    assert problems_of(book) == [("Сотрудники", None, "", "")]


@pytest.mark.parametrize(
    "sheet",
    ["Объединения", "Обучающиеся", "Родители", "Чаты", "Участники чатов", "Каналы", "Ссылки-приглашения", "Заявки"],
)
def test_a_missing_optional_sheet_never_rejects_the_import_and_its_checks_are_not_performed(sheet):
    from sferum_lib.checks import audit, indicators
    from sferum_lib.checks.audit import CHECKS
    from tests.helpers import AS_OF

    book = clean_book()
    del book[sheet]
    snapshot = snapshot_of(book)
    assert not snapshot.has(sheet)
    result = audit(snapshot, AS_OF)
    indicators(snapshot, AS_OF)
    needing = {c.key for c in CHECKS if sheet in c.needs}
    assert needing <= set(result.not_performed)
    assert all(f"«{sheet}»" in result.not_performed[key] for key in needing)


def test_sheet_names_differing_by_case_or_spaces_are_an_error():
    book = clean_book()
    book["каналы "] = [["Название"], ["Общий"]]
    found = problems_of(book)
    assert found == [("каналы ", None, "", "")]


def test_a_value_longer_than_an_excel_cell_is_refused_at_import():
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Отчество", "И" * 40_000)
    with pytest.raises(InputFileError) as caught:
        snapshot_of(book)
    [problem] = caught.value.problems
    assert problem.column == "Отчество" and "32 767" in problem.expected
    assert len(problem.value) < 300 and "всего символов: 40000" in problem.value
