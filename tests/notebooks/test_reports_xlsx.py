"""The reports' own XLSX writer: what Excel must read back, cell by cell, and what it must never see."""

from __future__ import annotations

import datetime as dt
import zipfile

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from xlsxwriter.utility import _datetime_to_excel_datetime

from sferum_lib.reports.base import ReportData, Table
from sferum_lib.reports.xlsx import Sheet, column_letter, excel_date, write_workbook

DAY = dt.date(2026, 10, 15)


def _report(frame: pd.DataFrame) -> ReportData:
    return ReportData("t", "Тест", "УДО «Тест»", DAY, {"as_of": DAY}, [], [Table("rows", "Строки", frame)])


def test_values_come_back_as_they_were_written(tmp_path):
    from sferum_lib.reports.artifacts import write_xlsx

    frame = pd.DataFrame(
        {
            "Текст": ["a & b <c>", " с пробелом ", "=HYPERLINK(\"http://evil\",\"x\")", None, "-1", "_x0041_"],
            "Число": [1, 2.5, np.nan, np.int64(7), None, 1e20],
            "Да/нет": [True, False, None, True, np.bool_(False), None],
            "Дата": [pd.Timestamp("2026-10-15"), pd.NaT, dt.date(1900, 3, 1), None, dt.datetime(2026, 1, 2, 12), None],
        }
    )
    frame["Целое"] = pd.array([1, None, 3, 4, 5, 6], dtype="Int64")
    path = tmp_path / "r.xlsx"
    write_xlsx(_report(frame), path)
    book = load_workbook(path)
    assert book.sheetnames == ["Об отчёте", "Строки"]
    about, sheet = book.worksheets
    assert about["B2"].value == "УДО «Тест»" and about["A1"].value == "Отчёт" and about.freeze_panes is None
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b and sheet["A1"].fill.fgColor.rgb == "FFDDEBF7"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    texts = ["a & b <c>", " с пробелом ", '=HYPERLINK("http://evil","x")', None, "-1", "_x005F_x0041_"]
    assert [r[0] for r in rows] == texts  # openpyxl leaves Excel's escape as it is; Excel shows «_x0041_»
    assert [r[1] for r in rows] == [1, 2.5, None, 7, None, 1e20]
    assert [r[2] for r in rows] == [True, False, None, True, False, None]
    assert [r[3] for r in rows] == [
        dt.datetime(2026, 10, 15), None, dt.datetime(1900, 3, 1), None, dt.datetime(2026, 1, 2, 12), None
    ]
    assert [r[4] for r in rows] == [1, None, 3, 4, 5, 6]
    assert sheet["D2"].number_format == "dd.mm.yyyy"
    assert sheet["A4"].quotePrefix and sheet["A6"].quotePrefix and not sheet["A2"].quotePrefix
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet2.xml").decode()
    assert "<f>" not in xml and "&lt;c&gt;" in xml and "_x005F_x0041_" in xml  # no formula; Excel's escape escaped


def test_control_characters_and_long_texts_do_not_break_the_file(tmp_path):
    frame = pd.DataFrame({"Текст": ["a\x01b", "я" * 40000, "обычный"]})
    path = tmp_path / "c.xlsx"
    write_workbook(path, [Sheet("Лист", frame, [10])])
    values = [r[0] for r in load_workbook(path).active.iter_rows(min_row=2, values_only=True)]
    assert values[1] == "я" * 32767 and values[2] == "обычный" and values[0].startswith("a")
    with zipfile.ZipFile(path) as archive:
        assert "a_x0001_b" in archive.read("xl/worksheets/sheet1.xml").decode()


def test_a_million_row_table_is_written_whole_with_its_last_row(tmp_path):
    frame = pd.DataFrame({"№": range(12_001), "Имя": [f"человек {i}" for i in range(12_001)]})
    path = tmp_path / "big.xlsx"
    write_workbook(path, [Sheet("Лист", frame, [8, 20])])
    sheet = load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 12_002 and rows[0] == ("№", "Имя") and rows[-1] == (12_000, "человек 12000")


def test_empty_table_keeps_its_header(tmp_path):
    path = tmp_path / "e.xlsx"
    write_workbook(path, [Sheet("Пусто", pd.DataFrame(columns=["А", "Б"]), [8, 8])])
    sheet = load_workbook(path).active
    assert sheet.max_row == 1 and [c.value for c in sheet[1]] == ["А", "Б"]


@pytest.mark.parametrize(
    "moment",
    [dt.date(1900, 1, 1), dt.date(1900, 2, 28), dt.date(1900, 3, 1), dt.date(2026, 10, 15),
     dt.datetime(2026, 10, 15, 18, 30), pd.Timestamp("2024-02-29 06:00")],
)
def test_dates_have_excels_serial_numbers(moment):
    assert excel_date(moment) == _datetime_to_excel_datetime(moment, False, False)


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]
