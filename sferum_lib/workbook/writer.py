"""Writing workbooks: the blank template, a snapshot's export and a copy of a bad file with its errors marked.

Every text cell that Excel could take for a formula (``= + - @`` first) is written as text with Excel's quote
prefix, never as a live formula. Files are written to a temporary name and renamed, so a failure leaves no
half-written file behind.

The export and the errors copy of CSV files are streamed by :mod:`sferum_lib.xlsx_stream`; openpyxl is imported
only by the template (drop-down lists, notes on headers) and by the errors copy of a user's own ``.xlsx``, which
keeps the user's formatting. Importing this module does not import openpyxl: report kernels import it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sferum_lib import xlsx_stream
from sferum_lib.errors import ExportError, Problem, visible
from sferum_lib.model import CHAT_TYPE_LABELS, POSITIONS, ChatType, Snapshot
from sferum_lib.values import CONTROL, EXCEL_CELL_CHARS
from sferum_lib.workbook.schema import (
    INSTRUCTION_SHEET,
    LISTS_SHEET,
    ORGANISATION_PARAMS,
    ORGANISATION_SHEET,
    PARAM_HEADER,
    SHEETS,
    VALUE_HEADER,
    YES_NO,
    Column,
    Sheet,
    normalise_header,
)
from sferum_lib.xlsx_stream import FORMULA_START, Mark

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from sferum_lib.workbook.reader import RawSheet

DATE_FORMAT = "DD.MM.YYYY"
TEMPLATE_ROWS = 5000
ERRORS_SHEET = "Ошибки"
NOTE_AUTHOR = "Сферум-практикум"
#: The «Ошибки» sheet: its headers and their column widths.
_ERRORS_COLUMNS = (("Лист", 22), ("Строка", 8), ("Столбец", 24), ("Значение", 28), ("Что не так", 70), ("Вид", 16))


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it into place only if the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def set_text(cell: Any, value: Any) -> None:
    """Put a value into a normal (not write-only) cell, never as a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True


# --- export --------------------------------------------------------------------------------------------


def _cell_value(value: Any) -> Any:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def _joined(pairs: pd.DataFrame, key: str, item: str) -> pd.Series:
    """Items joined by «; » for each key, in their order; a join per rank, not a Python call per group."""
    pairs = pairs[[key, item]].astype(object)
    rank = pairs.groupby(key, sort=False).cumcount().to_numpy()
    out = pd.Series(pairs[item].to_numpy()[rank == 0], index=pairs[key].to_numpy()[rank == 0], dtype=object)
    for r in range(1, int(rank.max(initial=0)) + 1):
        more = pairs[rank == r]
        tail = pd.Series(more[item].to_numpy(), index=more[key].to_numpy(), dtype=object)
        out[tail.index] = out[tail.index] + "; " + tail
    return out


def _sheet_columns(snapshot: Snapshot, sheet: Sheet) -> pd.DataFrame:
    """The table of a sheet in the workbook's own terms: labels, yes/no, lists joined by «; »; dates stay dates."""
    table = snapshot.tables[sheet.table]
    extra: dict[str, pd.Series] = {}
    if sheet.table == "pupils":
        extra["sections"] = table["id"].astype(object).map(_joined(snapshot.enrolments, "pupil_id", "section_code"))
    elif sheet.table == "parents":
        extra["children"] = table["id"].astype(object).map(_joined(snapshot.kinship, "parent_id", "pupil_id"))
    elif sheet.table == "chats":
        labels = {t.value: label for t, label in CHAT_TYPE_LABELS.items()}
        extra["type"] = table["type"].astype(object).map(labels)
    out = {}
    for column in sheet.columns:
        values = extra[column.field] if column.field in extra else table[column.field]
        if column.kind == "flag":
            out[column.header] = pd.Series(np.where(values.to_numpy(dtype=bool), "да", "нет"), dtype=object)
        elif column.kind == "date":
            out[column.header] = values.reset_index(drop=True)
        else:
            values = values.astype(object)
            out[column.header] = values.where(values.notna(), None).reset_index(drop=True)
    return pd.DataFrame(out)


def _sheet_frame(snapshot: Snapshot, sheet: Sheet) -> pd.DataFrame:
    """:func:`_sheet_columns` with every cell a Python value (dates as ``datetime.date``)."""
    frame = _sheet_columns(snapshot, sheet)
    for column in sheet.columns:
        if column.kind == "date":
            frame[column.header] = pd.Series(
                [_cell_value(v) for v in frame[column.header].astype(object)], dtype=object
            )
    return frame.astype(object)


def _organisation_rows(snapshot: Snapshot) -> list[tuple[str, Any]]:
    data = snapshot.organisation.to_dict()
    rows = []
    for column in ORGANISATION_PARAMS:
        value = data.get(column.field)
        if value is not None and column.kind == "date":
            value = dt.date.fromisoformat(str(value))
        rows.append((column.header, value))
    return rows


#: At most this many unwritable cells are listed in the export's refusal.
MAX_LISTED = 20


def _unwritable(value: Any) -> str | None:
    """Why Excel cannot keep a text value, or None when it can."""
    if not isinstance(value, str) or (len(value) <= EXCEL_CELL_CHARS and value.isprintable()):
        return None
    if len(value) > EXCEL_CELL_CHARS:
        text = f"в тексте {len(value):,} символов, а ячейка Excel вмещает не больше {EXCEL_CELL_CHARS:,}"
        return text.replace(",", " ")
    if CONTROL.search(value):
        return "в тексте управляющий символ, который Excel не сохраняет"
    return None


def export_snapshot(snapshot: Snapshot, path: str | Path) -> Path:
    """Write a snapshot as a workbook in the contract's format; importing it gives the same data.

    A value a workbook cannot hold (over 32,767 characters, a control character: possible only in a store
    written by an older version) is not cut short silently: the export is refused, naming every such cell.

    The sheets are streamed by :mod:`sferum_lib.xlsx_stream`, built column by column: a per-cell writer
    (openpyxl, xlsxwriter) spends 10 µs a cell, ten minutes for a million people.
    """
    bad: list[str] = []
    parts: list[tuple[str, list[Column], Any]] = []
    org_rows = [(name, value) for name, value in _organisation_rows(snapshot) if value is not None]
    for row, (_name, value) in enumerate(org_rows, start=2):
        if (why := _unwritable(value)) is not None:
            bad.append(f"лист «{ORGANISATION_SHEET}», строка {row}, столбец «{VALUE_HEADER.header}»: {why}")
    org_frame = pd.DataFrame(
        {
            PARAM_HEADER.header: pd.Series([n for n, _ in org_rows], dtype=object),
            VALUE_HEADER.header: pd.Series([v for _, v in org_rows], dtype=object),
        }
    )
    parts.append((ORGANISATION_SHEET, [PARAM_HEADER, VALUE_HEADER], org_frame))
    for sheet in SHEETS:
        if sheet.name not in snapshot.sheets:
            continue
        frame = _sheet_columns(snapshot, sheet)
        bad += _unwritable_cells(sheet.name, frame)
        parts.append((sheet.name, list(sheet.columns), frame))
    if bad:
        listed = bad[:MAX_LISTED] + ([f"… и ещё {len(bad) - MAX_LISTED}"] if len(bad) > MAX_LISTED else [])
        raise ExportError(
            f"Книга «{visible(str(path))}» не записана: значений, которые Excel не может сохранить, — "
            f"{len(bad)}. Исправьте их в книге и импортируйте её заново.\n  " + "\n  ".join(listed)
        )
    sheets = [xlsx_stream.Sheet(name, frame, [c.width for c in columns]) for name, columns, frame in parts]
    with atomic_path(path) as tmp:
        xlsx_stream.write_workbook(tmp, sheets, DATE_FORMAT)
    return Path(path)


def _unwritable_cells(sheet: str, frame: pd.DataFrame) -> list[str]:
    """Every cell of ``frame`` Excel cannot keep, as the refusal lists them (a whole-column check first)."""
    bad = []
    for header in frame.columns:
        values = frame[header]
        if values.dtype.kind == "M":
            continue
        objects = values.to_numpy(dtype=object)
        present = objects[~pd.isna(objects)].tolist()
        try:
            longest = max(map(len, present), default=0)
            joined = " ".join(present)
        except TypeError:  # dates among the texts (the «Организация» sheet)
            texts = [v for v in present if isinstance(v, str)]
            longest, joined = max(map(len, texts), default=0), " ".join(texts)
        # every character CONTROL finds is unprintable: most columns are settled by the quick test
        if longest <= EXCEL_CELL_CHARS and (joined.isprintable() or not CONTROL.search(joined)):
            continue
        for i, value in enumerate(values):
            if (why := _unwritable(value)) is not None:
                bad.append(f"лист «{sheet}», строка {i + 2}, столбец «{header}»: {why}")
    return bad


# --- template ------------------------------------------------------------------------------------------

_INSTRUCTION = """Как заполнять книгу организации для Сферум-практикума

1. Обязательны листы «Организация» и «Сотрудники». Остальные листы заполняйте, если данные есть:
   отсутствующий лист означает «нет данных», и проверки, которым он нужен, не выполняются.
2. Заголовки столбцов менять нельзя; порядок столбцов любой; лишние столбцы не учитываются.
   Обязательные столбцы отмечены звёздочкой в примечании к заголовку.
3. Даты — ячейки с датой Excel, ДД.ММ.ГГГГ или ГГГГ-ММ-ДД, с 1900 по 2100 год. Дата увольнения (отчисления)
   не может быть раньше даты приёма (зачисления).
4. «да»/«нет»: можно также «+»/«-», «1»/«0»; пустая ячейка означает «нет».
5. Списки (объединения обучающегося, дети родителя) — через «;» или «,».
6. Телефоны — в любой привычной записи: 8 (978) 123-45-67, +7 978 1234567.
7. ID — текст; ID сотрудников, обучающихся и родителей не должны повторяться даже на разных листах.
8. Сотрудник считается педагогическим работником, если его должность содержит слова «педагог», «методист»,
   «руководитель» или «заместитель».
9. Пол (необязательный столбец листов «Сотрудники», «Обучающиеся», «Родители») — «м» или «ж» (также «муж»,
   «жен», «мужской», «женский»); пусто — пол определяется по отчеству. Он нужен, чтобы сообщения и документы
   согласовывались с человеком («присоединилась», «удалите её»).
10. Для документов на листе «Организация» можно указать «Должность руководителя» (как в подписи, например
   «И.о. директора»; пусто — «Директор»), «Адрес организации» и «Телефон организации».
11. В ячейках не должно быть управляющих символов (их иногда приносит копирование из других программ);
   в одной ячейке — не больше 32 767 символов.
12. Проверка книги: sferum import КНИГА.xlsx --errors-to ОШИБКИ.xlsx — если в книге есть ошибки, в копии
   книги ошибочные ячейки будут выделены цветом, а в примечании к ячейке будет сказано, что исправить.

Листы и столбцы:"""


def _instruction_lines() -> list[str]:
    lines = _INSTRUCTION.splitlines()
    lines.append(
        f"• {ORGANISATION_SHEET}: столбцы «Параметр» и «Значение»; параметры: "
        + ", ".join(f"{c.header}{'*' if c.required else ''}" for c in ORGANISATION_PARAMS)
    )
    for sheet in SHEETS:
        columns = ", ".join(f"{c.header}{'*' if c.required else ''}" for c in sheet.columns)
        lines.append(f"• {sheet.name}{' (обязательный)' if sheet.required else ''}: {columns}")
    lines.append("* — обязательное значение.")
    return lines


def _list_source(lists: dict[str, tuple[str, ...]], ws_lists: Worksheet) -> dict[str, str]:
    """Write each drop-down list into a column of the hidden sheet; return list name → range formula."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter, quote_sheetname

    ranges: dict[str, str] = {}
    for col, (name, values) in enumerate(lists.items(), start=1):
        ws_lists.cell(row=1, column=col, value=name).font = Font(bold=True)
        for row, value in enumerate(values, start=2):
            ws_lists.cell(row=row, column=col, value=value)
        letter = get_column_letter(col)
        ranges[name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def write_template(path: str | Path) -> Path:
    """Write the blank workbook: an «Инструкция» sheet, headers, widths and drop-down lists."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor=xlsx_stream.HEADER_FILL)
    wb = Workbook()
    ws = wb.active
    ws.title = INSTRUCTION_SHEET
    ws.column_dimensions["A"].width = 120
    for i, line in enumerate(_instruction_lines(), start=1):
        ws.cell(row=i, column=1, value=line).alignment = Alignment(wrap_text=True, vertical="top")
    ws["A1"].font = Font(bold=True, size=14)

    lists = {
        "Должность": POSITIONS,
        "Роль в платформе": ("администратор", "дополнительный администратор"),
        "Тип чата": tuple(t.label for t in ChatType),
        "Роль": ("педагог", "обучающийся", "родитель"),
        "Решение": ("принята", "отклонена"),
        "да/нет": YES_NO,
        "Мессенджер": ("VK Мессенджер", "MAX"),
        "Пол": ("м", "ж"),
    }

    org = wb.create_sheet(ORGANISATION_SHEET)
    for col, column in enumerate((PARAM_HEADER, VALUE_HEADER), start=1):
        cell = org.cell(row=1, column=col, value=column.header)
        cell.font, cell.fill = header_font, header_fill
        org.column_dimensions[get_column_letter(col)].width = column.width
    org.freeze_panes = "A2"
    for row, column in enumerate(ORGANISATION_PARAMS, start=2):
        org.cell(row=row, column=1, value=column.header)
        if column.help or column.required:
            note = ("Обязательный параметр. " if column.required else "") + column.help
            org.cell(row=row, column=1).comment = Comment(note.strip(), "Сферум-практикум")

    sheets = {}
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        sheets[sheet.name] = ws
        for col, column in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=col, value=column.header)
            cell.font, cell.fill = header_font, header_fill
            note = ("* Обязательный столбец. " if column.required else "") + column.help
            if note.strip():
                cell.comment = Comment(note.strip(), "Сферум-практикум")
            ws.column_dimensions[get_column_letter(col)].width = column.width
        ws.freeze_panes = "A2"

    ws_lists = wb.create_sheet(LISTS_SHEET)
    ranges = _list_source(lists, ws_lists)
    ws_lists.sheet_state = "hidden"

    def validate(
        ws: Worksheet, col: int, list_name: str, strict: bool = True, first: int = 2, last: int = TEMPLATE_ROWS
    ) -> None:
        dv = DataValidation(type="list", formula1=ranges[list_name], allow_blank=True, showErrorMessage=strict)
        dv.error = "Выберите значение из списка."
        dv.errorTitle = "Недопустимое значение"
        ws.add_data_validation(dv)
        letter = get_column_letter(col)
        dv.add(f"{letter}{first}:{letter}{last}")

    validate(
        org,
        2,
        "Мессенджер",
        first=2 + [c.field for c in ORGANISATION_PARAMS].index("messenger"),
        last=2 + [c.field for c in ORGANISATION_PARAMS].index("messenger"),
    )
    for sheet in SHEETS:
        ws = sheets[sheet.name]
        for col, column in enumerate(sheet.columns, start=1):
            if column.kind == "flag":
                validate(ws, col, "да/нет")
            elif column.field == "position":
                validate(ws, col, "Должность", strict=False)  # free text: the list only suggests
            elif column.field == "platform_role":
                validate(ws, col, "Роль в платформе")
            elif column.field == "gender":
                validate(ws, col, "Пол", strict=False)  # «муж», «жен» … are accepted too
            elif column.field == "type" and sheet.table == "chats":
                validate(ws, col, "Тип чата")
            elif column.field == "role":
                validate(ws, col, "Роль")
            elif column.field == "decision":
                validate(ws, col, "Решение")

    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)


# --- a copy of a bad file with its problems marked -----------------------------------------------------


def _keepable(value: Any) -> Any:
    """A value as the errors copy can keep it: control characters shown as escapes, long texts cut with a mark."""
    if not isinstance(value, str):
        return value
    if len(value) > EXCEL_CELL_CHARS:
        value = value[: EXCEL_CELL_CHARS - 100] + f"… (обрезано: всего символов {len(value)})"
    return visible(value) if CONTROL.search(value) else value


def _kept_column(values: np.ndarray) -> np.ndarray:
    """:func:`_keepable` over a column of read cells, an empty text made no value; a whole-column check first."""
    empty = pd.isna(values) | (values == "")
    out = values.copy()
    out[empty] = None
    present = out[~empty].tolist()
    try:
        longest, joined = max(map(len, present), default=0), " ".join(present)
    except TypeError:  # not only texts: value by value
        longest, joined = EXCEL_CELL_CHARS + 1, ""
    # every character CONTROL finds is unprintable: most columns are settled by the quick test
    if longest <= EXCEL_CELL_CHARS and (joined.isprintable() or not CONTROL.search(joined)):
        return out
    for i in np.flatnonzero(~empty).tolist():
        out[i] = _keepable(out[i])
    return out


def _note(found: list[Problem]) -> Mark:
    fill = "warning" if all(p.warning for p in found) else "error"
    text = "\n".join(("Предупреждение: " if p.warning else "Ошибка: ") + visible(p.expected) for p in found)
    return Mark(fill, text)


def _errors_frame(problems: list[Problem]) -> pd.DataFrame:
    """The «Ошибки» sheet: every problem, those of a whole sheet or column too."""

    def kept(value: Any) -> Any:
        value = visible(value) if isinstance(value, str) else value
        return None if value == "" else value

    rows = [
        (
            kept(p.sheet or p.file),
            p.row,
            kept(p.column),
            kept(p.value),
            kept(p.expected),
            "предупреждение" if p.warning else "ошибка",
        )
        for p in problems
    ]
    columns = [header for header, _width in _ERRORS_COLUMNS]
    return pd.DataFrame({c: pd.Series([r[i] for r in rows], dtype=object) for i, c in enumerate(columns)})


def _sheet_title(name: str, used: set[str]) -> str:
    """A CSV file's name as a sheet's title: shown escaped, at most 31 characters, unique (as openpyxl makes it)."""
    title = re.sub(r"[\[\]:*?/\\]", " ", visible(name)[:31])
    title = title if title.strip() else "Лист"
    base, n = title, 1
    while title.lower() in used:
        title, n = f"{base[: 31 - len(str(n))]}{n}", n + 1
    used.add(title.lower())
    return title


def _streamed_errors_copy(sheets: dict[str, RawSheet], problems: list[Problem], path: str | Path) -> None:
    """The errors copy of CSV files: each file a sheet, its cells at the rows the messages cite, streamed."""
    used: set[str] = set()
    parts: list[tuple[str, RawSheet]] = [(_sheet_title(name, used), raw) for name, raw in sheets.items()]
    errors_title = _sheet_title(ERRORS_SHEET, used)  # added last, as the XLSX copy does: a file «Ошибки» keeps its name
    by_key: dict[str, int] = {}
    for i, (title, _raw) in enumerate(parts):
        by_key.setdefault(normalise_header(title), i)
    columns: list[dict[str, int]] = []
    for _title, raw in parts:
        keys: dict[str, int] = {}
        for col, header in enumerate(raw.headers):
            keys.setdefault(normalise_header(_keepable(header)), col)
        columns.append(keys)
    found: dict[tuple[int, int, int], list[Problem]] = {}
    for problem in problems:
        where = by_key.get(normalise_header(problem.sheet))
        if where is None or problem.row is None or problem.row < 1 or not problem.column:
            continue
        col = columns[where].get(normalise_header(problem.column), 0)
        found.setdefault((where, problem.row, col), []).append(problem)
    marks: list[dict[tuple[int, int], Mark]] = [{} for _ in parts]
    for (where, row, col), listed in found.items():
        marks[where][(row, col)] = _note(listed)

    errors = _errors_frame(problems)
    out = [
        xlsx_stream.Sheet(errors_title, errors, [width for _header, width in _ERRORS_COLUMNS], note_author=NOTE_AUTHOR)
    ]
    for (title, raw), sheet_marks in zip(parts, marks, strict=True):
        header_row = raw.header_row or 1
        width = max(len(raw.headers), raw.cells.shape[1])
        header = [None if h in (None, "") else _keepable(h) for h in raw.headers] + [None] * (width - len(raw.headers))
        cells = {
            i: np.concatenate(
                [
                    np.array([header[i]], dtype=object),
                    _kept_column(raw.cells.iloc[:, i].to_numpy(dtype=object))
                    if i < raw.cells.shape[1]
                    else np.full(len(raw.cells), None, dtype=object),
                ]
            )
            for i in range(width)
        }
        rows = np.concatenate([[header_row], np.asarray(raw.rows, dtype=np.int64)]).astype(np.int64)
        order = np.argsort(rows, kind="stable") if np.any(np.diff(rows) <= 0) else None
        frame = pd.DataFrame(cells, index=range(len(rows)))
        if order is not None:  # rows the reader gave out of order: written in order, as a sheet must be
            frame, rows = frame.iloc[order], rows[order]
        out.append(
            xlsx_stream.Sheet(
                title, frame, header=False, frozen=False, rows=rows, marks=sheet_marks, note_author=NOTE_AUTHOR
            )
        )
    with atomic_path(path) as tmp:
        xlsx_stream.write_workbook(tmp, out, DATE_FORMAT)


def _find_sheet(wb: Workbook, name: str) -> Worksheet | None:
    key = normalise_header(name)
    return next((ws for ws in wb.worksheets if normalise_header(ws.title) == key), None)


def _find_column(ws: Worksheet, header_row: int, header: str) -> int | None:
    key = normalise_header(header)
    for cell in ws[header_row]:
        if normalise_header(cell.value) == key:
            return cell.column
    return None


def _workbook_errors_copy(source: Path, sheets: dict[str, RawSheet], problems: list[Problem], path: str | Path) -> None:
    """The errors copy of a user's ``.xlsx``: their own workbook, formatting and all, with the bad cells marked."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = load_workbook(source)
    header_rows = {normalise_header(name): raw.header_row or 1 for name, raw in sheets.items()}
    notes: dict[tuple[str, int, int], list[Problem]] = {}
    for problem in problems:
        ws = _find_sheet(wb, problem.sheet)
        if ws is None or problem.row is None or problem.row < 1 or not problem.column:
            continue
        col = _find_column(ws, header_rows.get(normalise_header(ws.title), 1), problem.column)
        if col is None:
            col = 1
        notes.setdefault((ws.title, problem.row, col), []).append(problem)
    fills = {
        "error": PatternFill("solid", fgColor=xlsx_stream.ERROR_FILL),
        "warning": PatternFill("solid", fgColor=xlsx_stream.WARNING_FILL),
    }
    for (title, row, col), found in notes.items():
        cell = wb[title].cell(row=row, column=col)
        mark = _note(found)
        cell.fill = fills[mark.fill]
        cell.comment = Comment(mark.note, NOTE_AUTHOR, width=320, height=120)

    ws = wb.create_sheet(ERRORS_SHEET, 0)
    ws.append([header for header, _width in _ERRORS_COLUMNS])
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor=xlsx_stream.HEADER_FILL)
    for row, values in enumerate(_errors_frame(problems).itertuples(index=False), start=2):
        for col, value in enumerate(values, start=1):
            set_text(ws.cell(row=row, column=col), value)
    for col, (_header, width) in enumerate(_ERRORS_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    with atomic_path(path) as tmp:
        wb.save(tmp)


def write_errors_copy(
    source: str | Path, sheets: dict[str, RawSheet], problems: list[Problem], path: str | Path
) -> Path:
    """A copy of the user's workbook with every bad cell coloured and a note saying what is wrong.

    Problems that concern a whole sheet or column are also listed on an added first sheet «Ошибки». A user's
    ``.xlsx`` is copied with openpyxl, keeping its formatting; CSV files become a workbook written streamed, each
    file a sheet with its cells at the rows the messages cite.
    """
    source = Path(source)
    if source.is_file() and source.suffix.lower() in (".xlsx", ".xlsm"):
        _workbook_errors_copy(source, sheets, problems, path)
    else:
        _streamed_errors_copy(sheets, problems, path)
    return Path(path)
