"""The streamed SpreadsheetML writer: what Excel, openpyxl and calamine read back, and what must never be a formula."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from sferum_lib.xlsx_stream import FORMULA_START, Mark, Sheet, column_letter, write_workbook

#: Each writer's rule, kept as it was: a text whose first character is one of these gets the quote prefix.
NEUTRALISED = ["=1+2", '=HYPERLINK("http://evil","x")', "+7 978 123", "-2", "@SUM(A1)", "=", "-"]
#: Texts that start otherwise stay plain text without the prefix (a space, a quote, a digit, a tab first).
PLAIN = [" =1+2", "'=1", "1+2", "\t=1", "a=b", "", "—1"]


def _sheet_xml(path, number=1) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read(f"xl/worksheets/sheet{number}.xml").decode()


@pytest.mark.parametrize("date_format", ["DD.MM.YYYY", "dd.mm.yyyy"])
def test_no_text_ever_becomes_a_formula(tmp_path, date_format):
    assert FORMULA_START == ("=", "+", "-", "@")
    texts = NEUTRALISED + PLAIN
    frame = pd.DataFrame({"Текст": texts, "Смешанное": [*texts[:-1], 5]})  # texts among a number: the other path
    path = tmp_path / "f.xlsx"
    write_workbook(path, [Sheet("=Лист", frame, [10, 10])], date_format)
    assert "<f>" not in _sheet_xml(path) and "<f " not in _sheet_xml(path)
    sheet = load_workbook(path)["=Лист"]
    assert sheet.cell(row=len(texts) + 1, column=2).value == 5
    for column, written in ((1, texts), (2, texts[:-1])):
        cells = [sheet.cell(row=r, column=column) for r in range(2, 2 + len(written))]
        for cell, text in zip(cells, written, strict=True):
            assert cell.data_type == "s" and cell.value == text
            assert bool(cell.quotePrefix) == text.startswith(FORMULA_START), text


def test_values_types_and_styles_read_back_by_openpyxl_and_calamine(tmp_path):
    frame = pd.DataFrame(
        {
            "Текст": ["a & b <c>", " с пробелом ", "строка\nвторая", "x\x01y", "я" * 40000, "_x0041_"],
            "Дата": pd.to_datetime(
                ["2026-10-15", None, "1900-03-01", "1900-02-28", "2026-01-02 12:00", "2100-12-31"], format="ISO8601"
            ),
            "Число": [1, 2.5, np.nan, -7, 1e20, np.inf],
            "Да/нет": [True, False, True, False, True, False],
        }
    )
    path = tmp_path / "v.xlsx"
    write_workbook(path, [Sheet("Данные", frame, [8, 12, 10, 6])])
    sheet = load_workbook(path)["Данные"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == [
        "a & b <c>", " с пробелом ", "строка\nвторая", "x_x0001_y", "я" * 32767, "_x005F_x0041_"
    ]  # openpyxl leaves Excel's escapes as they are; Excel shows «x\x01y» and «_x0041_»
    assert [r[1] for r in rows] == [
        dt.datetime(2026, 10, 15), None, dt.datetime(1900, 3, 1), dt.datetime(1900, 2, 28),
        dt.datetime(2026, 1, 2, 12), dt.datetime(2100, 12, 31),
    ]
    assert [r[2] for r in rows] == [1, 2.5, None, -7, 1e20, None]
    assert [r[3] for r in rows] == [True, False, True, False, True, False]
    assert sheet["B2"].number_format == "DD.MM.YYYY" and sheet["A1"].font.b and sheet.freeze_panes == "A2"
    assert sheet["A1"].fill.fgColor.rgb == "FFDDEBF7"
    assert [sheet.column_dimensions[c].width for c in "ABCD"] == [8, 12, 10, 6]
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Данные").to_python()
    assert calamine[0] == ["Текст", "Дата", "Число", "Да/нет"]
    assert calamine[1][:2] == ["a & b <c>", dt.datetime(2026, 10, 15)] or calamine[1][1] == dt.date(2026, 10, 15)
    assert calamine[2][0] == " с пробелом " and calamine[6][0] == "_x0041_"  # calamine reads Excel's escapes


def test_marks_colour_cells_and_notes_are_read_back(tmp_path):
    frame = pd.DataFrame({0: ["ID", "E01", "E02", "E03"], 1: ["Телефон", "12-34", None, "=1+2"]})
    marks = {
        (3, 1): Mark("error", "Ошибка: обязательное значение"),  # an empty cell among the data
        (5, 1): Mark("error", "Ошибка: ожидается номер\nвторая строка & <знаки>"),  # quoted text, marked
        (4, 0): Mark("warning", "Предупреждение: проверьте"),
        (9, 0): Mark("error", "Ошибка: строка после данных"),  # a row the data does not have
        (1, 4): Mark("warning", "Предупреждение: выше заголовка, правее данных"),
    }
    path = tmp_path / "m.xlsx"
    sheet = Sheet("Сотрудники", frame, header=False, frozen=False, rows=np.array([2, 3, 4, 5]), marks=marks)
    write_workbook(path, [Sheet("Ошибки", pd.DataFrame({"Лист": ["Сотрудники"]}), [22]), sheet])
    book = load_workbook(path)
    assert book.sheetnames == ["Ошибки", "Сотрудники"] and book.active.title == "Ошибки"
    ws = book["Сотрудники"]
    assert ws["A2"].value == "ID" and ws["B3"].value == "12-34" and ws["B4"].value is None
    assert ws.freeze_panes is None
    for (row, col), mark in marks.items():
        cell = ws.cell(row=row, column=col + 1)
        assert cell.comment.text == mark.note and cell.comment.author == "Сферум-практикум"
        assert cell.fill.fgColor.rgb[-6:] == ("F8CBAD" if mark.fill == "error" else "FFF2CC")
    assert ws["B5"].value == "=1+2" and ws["B5"].quotePrefix and ws["B5"].data_type == "s"
    unmarked = [c for row in ws.iter_rows() for c in row if (c.row, c.column - 1) not in marks]
    assert all(c.comment is None and c.fill.fill_type is None for c in unmarked)
    xml = _sheet_xml(path, 2)
    rows = [int(r) for r in __import__("re").findall(r'<row r="(\d+)"', xml)]
    assert rows == sorted(rows) and len(rows) == len(set(rows)) == 6  # Excel demands rows in order, once each
    with zipfile.ZipFile(path) as archive:
        vml = archive.read("xl/drawings/vmlDrawing2.vml").decode()
    assert vml.count("<v:shape ") == len(marks) and 'ObjectType="Note"' in vml  # Excel shows notes by these


def test_a_large_table_streams_whole_in_order(tmp_path):
    n = 45_123  # more than two chunks, the last one partial
    frame = pd.DataFrame({"№": np.arange(n), "Имя": [f"человек {i}" for i in range(n)]})
    path = tmp_path / "big.xlsx"
    write_workbook(path, [Sheet("Лист", frame, [8, 20])])
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert len(rows) == n + 1 and rows[1] == [0, "человек 0"] and rows[-1] == [n - 1, f"человек {n - 1}"]
    assert f'<dimension ref="A1:B{n + 1}"/>' in _sheet_xml(path)


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


def test_the_module_does_not_import_openpyxl():
    code = (
        "import sys; import sferum_lib.xlsx_stream, sferum_lib.reports.xlsx, sferum_lib.workbook.writer; "
        "print('openpyxl' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
