"""The streamed writer against per-cell references: the same cells, types, styles, notes, widths and panes.

Each reference is written cell by cell by a general library, the way these files were first written: the export
and the errors copy by openpyxl, a report by xlsxwriter. Both files are read back by openpyxl and compared cell by
cell (:mod:`tests.unit.xlsx_compare`); the bytes differ, what Excel shows must not.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from sferum_lib.demo import generate
from sferum_lib.errors import InputFileError, Problem, visible
from sferum_lib.reports.xlsx import Sheet, write_workbook
from sferum_lib.workbook.importer import build_snapshot
from sferum_lib.workbook.reader import RawSheet, read_source
from sferum_lib.workbook.schema import ORGANISATION_SHEET, PARAM_HEADER, SHEETS, VALUE_HEADER, normalise_header
from sferum_lib.workbook.writer import (
    _keepable,
    _organisation_rows,
    _sheet_frame,
    export_snapshot,
    write_errors_copy,
)
from tests.unit.xlsx_compare import differences

DAY = dt.date(2026, 10, 15)
FORMULA_START = ("=", "+", "-", "@")
HEADER_FONT, HEADER_FILL = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
ERROR_FILL, WARNING_FILL = PatternFill("solid", fgColor="F8CBAD"), PatternFill("solid", fgColor="FFF2CC")
#: Texts Excel would take for formulas, escapes or trimmed spaces: planted in every workbook compared here.
TRICKY = ['=HYPERLINK("http://evil","x")', "+7 978", "-2+3", "@SUM(A1)", " с пробелами ", "a & b <c>", "Line\nbreak"]


def _set(cell: Any, value: Any) -> None:
    """openpyxl's cell, never a formula: the rule both writers keep (``= + - @`` first: text, quote prefix)."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True


def _reference_export(snapshot: Any, path: Path) -> None:
    """The export written by openpyxl cell by cell: bold shaded header, widths, pane frozen under it, dates."""
    wb = Workbook()
    wb.remove(wb.active)
    parts = [(ORGANISATION_SHEET, [PARAM_HEADER, VALUE_HEADER], [r for r in _organisation_rows(snapshot) if r[1]])]
    for sheet in SHEETS:
        if sheet.name in snapshot.sheets:
            parts.append((sheet.name, list(sheet.columns), _sheet_frame(snapshot, sheet).to_numpy().tolist()))
    for name, columns, rows in parts:
        ws = wb.create_sheet(name)
        for col, column in enumerate(columns, start=1):
            cell = ws.cell(row=1, column=col, value=column.header)
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            ws.column_dimensions[get_column_letter(col)].width = column.width
        for r, row in enumerate(rows, start=2):
            for col, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=col)
                _set(cell, value)
                if isinstance(value, dt.date):
                    cell.number_format = "DD.MM.YYYY"
        ws.freeze_panes = "A2"
    wb.save(path)


def _tricky_demo(people: int | None = None) -> Any:
    snapshot = generate(people, as_of=DAY)
    staff = snapshot.staff
    for i, text in enumerate(TRICKY):
        staff.loc[i, "last_name"] = text
    staff.loc[len(TRICKY), "position"] = "_x0041_ как есть"
    return snapshot


@pytest.mark.parametrize("people", [None, 3000])
def test_export_shows_what_openpyxl_would_write(tmp_path, people):
    snapshot = _tricky_demo(people)
    _reference_export(snapshot, tmp_path / "reference.xlsx")
    export_snapshot(snapshot, tmp_path / "streamed.xlsx")
    found = differences(tmp_path / "reference.xlsx", tmp_path / "streamed.xlsx")
    # the one deliberate difference: openpyxl writes «_x0041_» as it is, and Excel then shows «A»; the streamed
    # writer escapes its «_» («_x005F_x0041_», which Excel shows as «_x0041_»)
    assert len(found) == 1 and "_x005F_x0041_" in found[0], found
    shown = load_workbook(tmp_path / "streamed.xlsx")["Сотрудники"]
    assert [shown.cell(row=i + 2, column=2).value for i in range(len(TRICKY))] == TRICKY
    assert all(shown.cell(row=i + 2, column=2).quotePrefix for i in range(4))


# --- the errors copy ------------------------------------------------------------------------------------------


def _reference_errors_copy(source: Path, sheets: dict[str, RawSheet], problems: list[Problem], path: Path) -> None:
    """The errors copy as openpyxl wrote it cell by cell: the user's cells, fills and notes, a first «Ошибки» sheet."""
    if source.is_file():
        wb = load_workbook(source)
    else:
        wb = Workbook()
        wb.remove(wb.active)
        for name, raw in sheets.items():
            ws = wb.create_sheet(visible(name)[:31])
            for col, header in enumerate(raw.headers, start=1):
                _set(ws.cell(row=raw.header_row or 1, column=col), _keepable(header))
            for i, row in enumerate(raw.rows):
                for col, value in enumerate(raw.cells.iloc[i].tolist(), start=1):
                    if value not in (None, ""):
                        _set(ws.cell(row=int(row), column=col), _keepable(value))
    header_rows = {normalise_header(name): raw.header_row or 1 for name, raw in sheets.items()}
    notes: dict[tuple[str, int, int], list[Problem]] = {}
    for problem in problems:
        key = normalise_header(problem.sheet)
        ws = next((w for w in wb.worksheets if normalise_header(w.title) == key), None)
        if ws is None or problem.row is None or not problem.column:
            continue
        header_row = header_rows.get(normalise_header(ws.title), 1)
        wanted = normalise_header(problem.column)
        col = next((c.column for c in ws[header_row] if normalise_header(c.value) == wanted), 1)
        notes.setdefault((ws.title, problem.row, col), []).append(problem)
    for (title, row, col), found in notes.items():
        cell = wb[title].cell(row=row, column=col)
        cell.fill = WARNING_FILL if all(p.warning for p in found) else ERROR_FILL
        text = "\n".join(("Предупреждение: " if p.warning else "Ошибка: ") + visible(p.expected) for p in found)
        cell.comment = Comment(text, "Сферум-практикум", width=320, height=120)
    ws = wb.create_sheet("Ошибки", 0)
    ws.append(["Лист", "Строка", "Столбец", "Значение", "Что не так", "Вид"])
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for problem in problems:
        row = [problem.sheet or problem.file, problem.row, problem.column, problem.value, problem.expected,
               "предупреждение" if problem.warning else "ошибка"]
        ws.append([None] * len(row))
        for col, value in enumerate(row, start=1):
            _set(ws.cell(row=ws.max_row, column=col), visible(value) if isinstance(value, str) else value)
    for col, width in enumerate((22, 8, 24, 28, 70, 16), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    wb.save(path)


def _csv_folder(snapshot: Any, folder: Path) -> Path:
    """The snapshot as the CSV files an organisation sends, with mistakes planted in «Родители» and «Сотрудники»."""
    folder.mkdir()
    org = [("Параметр", "Значение"), ("Полное наименование", snapshot.organisation.full_name),
           ("Краткое наименование", snapshot.organisation.short_name)]
    (folder / "Организация.csv").write_text("\n".join(";".join(r) for r in org), encoding="utf-8-sig")
    for sheet in SHEETS:
        frame = _sheet_frame(snapshot, sheet)
        for column in sheet.columns:
            if column.kind == "date":
                frame[column.header] = [v.strftime("%d.%m.%Y") if v else "" for v in frame[column.header]]
        if sheet.name == "Родители":
            step = max(1, len(frame) // 40)
            for i, row in enumerate(frame.index[::step][:40]):
                column, value = [("Телефон", "12-34"), ("Присоединился", "31.02.2024"), ("Дети", "U-нет-такого"),
                                 ("Телефон", "=1+2"), ("Отчество", "")][i % 5]
                frame.loc[row, column] = value
        if sheet.name == "Сотрудники":
            frame.loc[0, "Email"] = "@нет-адреса"
            frame.loc[1, "Фамилия"] = "Ива\x1bнова"  # a control character: shown escaped in the copy
            frame.loc[2, "Должность"] = "педагог " * 5000  # longer than a cell holds: cut, with a mark
            frame.loc[3, "Отчество"] = " _x0041_ "
        frame.to_csv(folder / f"{sheet.name}.csv", sep=";", index=False, encoding="utf-8-sig")
    return folder


def _refused(source: Path) -> tuple[dict[str, RawSheet], list[Problem]]:
    sheets = read_source(source)
    with pytest.raises(InputFileError) as caught:
        build_snapshot(sheets, str(source))
    return sheets, caught.value.problems + caught.value.warnings


@pytest.mark.parametrize("people", [None, 3000])
def test_errors_copy_of_csv_files_shows_what_openpyxl_would_write(tmp_path, people):
    folder = _csv_folder(generate(people, as_of=DAY), tmp_path / "csv")
    sheets, problems = _refused(folder)
    assert len(problems) >= 20
    _reference_errors_copy(folder, sheets, problems, tmp_path / "reference.xlsx")
    write_errors_copy(folder, sheets, problems, tmp_path / "streamed.xlsx")
    found = differences(tmp_path / "reference.xlsx", tmp_path / "streamed.xlsx")
    assert len(found) == 1 and "_x005F_x0041_" in found[0], found  # the one deliberate difference, as above
    book = load_workbook(tmp_path / "streamed.xlsx")
    assert book.sheetnames[0] == "Ошибки" and book["Ошибки"].max_row == len(problems) + 1
    marked = [c for row in book["Родители"].iter_rows() for c in row if c.comment]
    assert marked and all(c.fill.fgColor.rgb[-6:] in ("F8CBAD", "FFF2CC") for c in marked)
    assert any(c.value == "=1+2" and c.quotePrefix and c.data_type == "s" for c in marked)


def test_errors_copy_of_an_xlsx_shows_what_it_showed(tmp_path):
    snapshot = _tricky_demo()
    book = tmp_path / "book.xlsx"
    export_snapshot(snapshot, book)
    wb = load_workbook(book)
    wb["Сотрудники"]["G3"] = "не телефон"
    wb["Родители"]["B2"] = None
    wb.save(book)
    sheets, problems = _refused(book)
    _reference_errors_copy(book, sheets, problems, tmp_path / "reference.xlsx")
    write_errors_copy(book, sheets, problems, tmp_path / "copy.xlsx")
    assert differences(tmp_path / "reference.xlsx", tmp_path / "copy.xlsx") == []


# --- a report's workbook --------------------------------------------------------------------------------------


def _reference_report(path: Path, sheets: list[Sheet]) -> None:
    """A report's workbook as xlsxwriter's constant-memory mode wrote it, value by value."""
    wb = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                    "strings_to_urls": False}
    )
    header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "pattern": 1})
    date, quoted = wb.add_format({"num_format": "dd.mm.yyyy"}), wb.add_format({"quote_prefix": True})
    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name)
        for i, width in enumerate(sheet.widths):
            ws.set_column(i, i, width)
        if sheet.frozen:
            ws.freeze_panes(1, 0)
        first = 0
        if sheet.header:
            for i, name in enumerate(sheet.frame.columns):
                ws.write_string(0, i, str(name), header)
            first = 1
        for r, row in enumerate(sheet.frame.astype(object).itertuples(index=False), start=first):
            for c, value in enumerate(row):
                if isinstance(value, np.generic):
                    value = value.item()
                if value is None or value is pd.NaT or value is pd.NA:
                    continue
                if isinstance(value, str):
                    ws.write_string(r, c, value, quoted if value.startswith(FORMULA_START) else None)
                elif isinstance(value, bool):
                    ws.write_boolean(r, c, value)
                elif isinstance(value, dt.date):
                    ws.write_datetime(r, c, pd.Timestamp(value).to_pydatetime(), date)
                elif not (isinstance(value, float) and not np.isfinite(value)):
                    ws.write_number(r, c, value)
    wb.close()


def test_report_workbook_shows_what_xlsxwriter_would_write(tmp_path):
    n = 3000
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {
            "Текст": [TRICKY[i % len(TRICKY)] if i % 50 == 0 else f"человек {i}" for i in range(n)],
            "Пусто": [None if i % 3 else f"x{i}" for i in range(n)],
            "Число": rng.normal(size=n).round(3),
            "Целое": np.arange(n),
            "Да/нет": rng.integers(0, 2, n).astype(bool),
            "Дата": pd.to_datetime("2026-09-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D"),
            "Смешанное": [[1, 2.5, None, "-1", dt.date(2026, 1, 2), True, float("nan")][i % 7] for i in range(n)],
        }
    )
    frame["Целое с пропусками"] = pd.array([None if i % 11 == 0 else i for i in range(n)], dtype="Int64")
    frame["Строка"] = frame["Текст"].astype("string")
    about = pd.DataFrame([("Отчёт", "Тест"), ("На дату", "15.10.2026")])
    sheets = [Sheet("Об отчёте", about, [22, 90], header=False, frozen=False), Sheet("Строки", frame, [12] * 9)]
    _reference_report(tmp_path / "reference.xlsx", sheets)
    write_workbook(tmp_path / "streamed.xlsx", sheets)
    assert differences(tmp_path / "reference.xlsx", tmp_path / "streamed.xlsx") == []
