"""Template and export: what the administrator gets back in Excel."""

from __future__ import annotations

import zipfile

from openpyxl import load_workbook

from sferum_lib.workbook import import_workbook
from sferum_lib.workbook.writer import export_snapshot, write_template
from tests.helpers import clean_book, set_cell, snapshot_of


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
