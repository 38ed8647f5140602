"""Template and export: what the administrator gets back in Excel."""

from __future__ import annotations

import zipfile

import pytest
from openpyxl import load_workbook

from sferum_lib.errors import ExportError
from sferum_lib.workbook import import_workbook
from sferum_lib.workbook.writer import export_snapshot, write_template
from tests.helpers import D, clean_book, set_cell, snapshot_of, write_xlsx


def test_template_has_instructions_headers_and_drop_down_lists(tmp_path):
    path = write_template(tmp_path / "шаблон.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames[:3] == ["Инструкция", "Организация", "Сотрудники"]
    assert "Списки" in wb.sheetnames and wb["Списки"].sheet_state == "hidden"
    staff = wb["Сотрудники"]
    assert [c.value for c in staff[1]][:5] == ["ID", "Фамилия", "Имя", "Отчество", "Должность"]
    assert staff.freeze_panes == "A2"
    assert staff.column_dimensions["E"].width >= 30
    validated = {str(dv.sqref).split(":")[0][:1] for dv in staff.data_validations.dataValidation}
    assert {"E", "F", "M", "N"} <= validated  # position, platform role, two yes/no columns
    chat_types = next(dv for dv in wb["Чаты"].data_validations.dataValidation if str(dv.sqref).startswith("C"))
    assert chat_types.formula1.startswith("'Списки'!")
    assert "ДД.ММ.ГГГГ" in "\n".join(str(c.value) for c in wb["Инструкция"]["A"])


def test_template_imported_after_filling_the_required_cells_is_accepted(tmp_path):
    path = write_template(tmp_path / "t.xlsx")
    wb = load_workbook(path)
    wb["Организация"]["B2"] = "Центр"
    wb["Организация"]["B3"] = "ЦНТТ"
    wb.save(path)
    snapshot = import_workbook(path).snapshot
    assert snapshot.organisation.short_name == "ЦНТТ" and snapshot.staff.empty


def test_export_then_import_gives_the_same_data(tmp_path):
    book = clean_book()
    book["Обучающиеся"].append(["U03", "Бондарь", "Глеб", "RT, AM", "", "", ""])
    book["Объединения"].append(["AM", "Авиамоделирование", "E03", "нет"])
    snapshot = snapshot_of(book)
    back = import_workbook(export_snapshot(snapshot, tmp_path / "out.xlsx")).snapshot
    assert back.organisation == snapshot.organisation
    assert back.sheets == snapshot.sheets
    for name, table in snapshot.tables.items():
        assert back.tables[name].equals(table), name


def test_export_keeps_absent_sheets_absent(tmp_path):
    book = clean_book()
    del book["Каналы"]
    back = import_workbook(export_snapshot(snapshot_of(book), tmp_path / "out.xlsx")).snapshot
    assert not back.has("Каналы")


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path):
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Фамилия", '=HYPERLINK("http://evil","нажми")')
    set_cell(book, "Сотрудники", "E04", "Фамилия", "@SUM(A1)")
    set_cell(book, "Сотрудники", "E01", "Отчество", "-2+3")
    path = export_snapshot(snapshot_of(book), tmp_path / "out.xlsx")
    with zipfile.ZipFile(path) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml
    cells = {c.value: c for row in load_workbook(path)["Сотрудники"].iter_rows() for c in row}
    for text in ('=HYPERLINK("http://evil","нажми")', "@SUM(A1)", "-2+3"):
        assert cells[text].data_type == "s"
        assert cells[text].quotePrefix


def test_export_writes_real_dates_and_yes_no(tmp_path):
    path = export_snapshot(snapshot_of(clean_book()), tmp_path / "out.xlsx")
    ws = load_workbook(path)["Сотрудники"]
    headers = [c.value for c in ws[1]]
    hired = ws.cell(row=2, column=headers.index("Дата приёма") + 1)
    assert hired.is_date and hired.number_format == "DD.MM.YYYY"
    assert ws.cell(row=2, column=headers.index("В Учительской") + 1).value == "да"


# --- contract version 2 ------------------------------------------------------------------------------------------


def test_template_describes_gender_and_the_organisation_parameters_of_version_2(tmp_path):
    wb = load_workbook(write_template(tmp_path / "шаблон.xlsx"))
    instruction = "\n".join(str(c.value) for c in wb["Инструкция"]["A"] if c.value)
    for word in ("Пол", "«м» или «ж»", "Должность руководителя", "Адрес организации", "Телефон организации"):
        assert word in instruction, word
    params = [c.value for c in wb["Организация"]["A"]][1:]
    assert {"Должность руководителя", "Адрес организации", "Телефон организации"} <= set(params)
    assert (
        "И.о. директора"
        in wb["Организация"].cell(row=2 + params.index("Должность руководителя"), column=1).comment.text
    )
    lists = wb["Списки"]
    gender_column = next(c.column_letter for c in lists[1] if c.value == "Пол")
    assert [c.value for c in lists[gender_column]][1:3] == ["м", "ж"]
    for sheet in ("Сотрудники", "Обучающиеся", "Родители"):
        ws = wb[sheet]
        letter = next(c.column_letter for c in ws[1] if c.value == "Пол")
        [dv] = [dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith(letter)]
        assert f"${gender_column}$" in dv.formula1 and not dv.showErrorMessage  # «муж», «жен» stay allowed


def _version_2_book():
    book = clean_book()
    for sheet, gender in (("Сотрудники", ["ж", "м", "ж", "м"]), ("Обучающиеся", ["муж", "Ж"]), ("Родители", ["ж", ""])):
        rows = book[sheet]
        rows[0].append("Пол")
        for row, value in zip(rows[1:], gender, strict=True):
            row.append(value)
    book["Организация"] += [
        ["Должность руководителя", "И.о. директора"],
        ["Адрес организации", "г. Севастополь, ул. Ленина, д. 1"],
        ["Телефон организации", "8 (8692) 55-12-34"],
    ]
    return book


def test_export_writes_the_version_2_columns_and_imports_back_equal(tmp_path):
    snapshot = snapshot_of(_version_2_book())
    assert list(snapshot.pupils["gender"]) == ["м", "ж"]
    assert snapshot.organisation.head_position == "И.о. директора"
    path = export_snapshot(snapshot, tmp_path / "out.xlsx")
    wb = load_workbook(path)
    assert "Пол" in [c.value for c in wb["Родители"][1]]
    params = {r[0].value: r[1].value for r in wb["Организация"].iter_rows(min_row=2)}
    assert params["Телефон организации"] == "+78692551234"
    assert params["Адрес организации"] == "г. Севастополь, ул. Ленина, д. 1"
    back = import_workbook(path).snapshot
    assert back.organisation == snapshot.organisation
    for name, table in snapshot.tables.items():
        assert back.tables[name].equals(table), name


def test_a_version_1_workbook_imports_unchanged(tmp_path):
    """A workbook without «Пол» and the new parameters: the same people, genders unknown, parameters empty."""
    book = clean_book()
    assert "Пол" not in book["Сотрудники"][0]
    snapshot = import_workbook(write_xlsx(book, tmp_path / "v1.xlsx")).snapshot
    assert list(snapshot.staff["id"]) == ["E01", "E02", "E03", "E04"]
    assert snapshot.staff["gender"].isna().all() and snapshot.parents["gender"].isna().all()
    org = snapshot.organisation
    assert (org.head_position, org.address, org.phone) == (None, None, None)
    with_v2 = snapshot_of(_version_2_book())
    for name in ("staff", "pupils", "parents"):
        assert snapshot.tables[name].drop(columns="gender").equals(with_v2.tables[name].drop(columns="gender"))


# --- export keeps everything it accepted -------------------------------------------------------------------------


def test_old_and_far_dates_survive_export_and_import(tmp_path):
    book = clean_book()
    set_cell(book, "Сотрудники", "E01", "Дата приёма", D(1900, 1, 1))
    set_cell(book, "Сотрудники", "E02", "Дата приёма", D(1900, 3, 1))
    set_cell(book, "Сотрудники", "E03", "Дата приёма", D(1901, 5, 5))
    set_cell(book, "Сотрудники", "E04", "Дата приёма", D(2100, 12, 31))
    snapshot = snapshot_of(book)
    back = import_workbook(export_snapshot(snapshot, tmp_path / "out.xlsx")).snapshot
    assert list(back.staff["hired"].dt.date) == [D(1900, 1, 1), D(1900, 3, 1), D(1901, 5, 5), D(2100, 12, 31)]
    assert back.staff.equals(snapshot.staff)


def test_export_refuses_a_cell_longer_than_excel_holds_and_writes_nothing(tmp_path):
    snapshot = snapshot_of(clean_book())
    snapshot.staff.loc[2, "position"] = "педагог " * 5000  # 40 000 characters: only an old store could hold it
    out = tmp_path / "out.xlsx"
    with pytest.raises(ExportError) as caught:
        export_snapshot(snapshot, out)
    message = str(caught.value)
    assert "лист «Сотрудники», строка 4, столбец «Должность»" in message and "32 767" in message
    assert not out.exists() and not list(tmp_path.iterdir())


def test_export_refuses_control_characters_from_an_old_store(tmp_path):
    snapshot = snapshot_of(clean_book())
    snapshot.pupils.loc[0, "last_name"] = "Сав\x1bченко"
    with pytest.raises(ExportError, match="управляющий символ"):
        export_snapshot(snapshot, tmp_path / "out.xlsx")
