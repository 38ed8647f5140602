"""Writing workbooks: the blank template, a snapshot's export and a copy of a bad file with its errors marked.

Every text cell that Excel could take for a formula (``= + - @`` first) is written as text with Excel's quote
prefix, never as a live formula. Files are written to a temporary name and renamed, so a failure leaves no
half-written file behind.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sferum_lib.errors import ExportError, Problem, visible
from sferum_lib.model import CHAT_TYPE_LABELS, POSITIONS, ChatType, Snapshot
from sferum_lib.values import CONTROL, EXCEL_CELL_CHARS
from sferum_lib.workbook.reader import RawSheet
from sferum_lib.workbook.schema import (
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

FORMULA_START = ("=", "+", "-", "@")
DATE_FORMAT = "DD.MM.YYYY"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
ERROR_FILL = PatternFill("solid", fgColor="F8CBAD")
WARNING_FILL = PatternFill("solid", fgColor="FFF2CC")
TEMPLATE_ROWS = 5000
LISTS_SHEET = "Списки"
INSTRUCTION_SHEET = "Инструкция"


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


def safe_cell(ws: Worksheet, value: Any) -> Any:
    """A write-only cell for ``value``: dates formatted, formula-like text kept as text."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def set_text(cell: Any, value: Any) -> None:
    """Put a value into a normal (not write-only) cell, never as a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True


def _header_row(ws: Worksheet, columns: Iterable[Column]) -> list[Any]:
    cells = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cells.append(cell)
    return cells


def _size(ws: Worksheet, columns: Iterable[Column]) -> None:
    for i, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = column.width
    ws.freeze_panes = "A2"


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

    The sheets are written as SpreadsheetML built column by column (see :func:`_rows_xml`), streamed into the
    archive: a per-cell writer (openpyxl, xlsxwriter) spends 10 µs a cell, ten minutes for a million people.
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
    with atomic_path(path) as tmp:
        _write_xlsx(tmp, parts)
    return Path(path)


def _unwritable_cells(sheet: str, frame: pd.DataFrame) -> list[str]:
    """Every cell of ``frame`` Excel cannot keep, as the refusal lists them (a whole-column check first)."""
    bad = []
    for header in frame.columns:
        values = frame[header]
        if values.dtype.kind == "M":
            continue
        texts = [v for v in values.to_numpy(dtype=object) if isinstance(v, str)]
        if not texts or (max(map(len, texts)) <= EXCEL_CELL_CHARS and not CONTROL.search("\n".join(texts))):
            continue
        for i, value in enumerate(values):
            if (why := _unwritable(value)) is not None:
                bad.append(f"лист «{sheet}», строка {i + 2}, столбец «{header}»: {why}")
    return bad


# --- a streaming SpreadsheetML writer for the export ----------------------------------------------------

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
#: Cell styles of the export (indexes into ``cellXfs``): plain, header, date, text with Excel's quote prefix.
_STYLE_HEADER, _STYLE_DATE, _STYLE_QUOTED = 1, 2, 3
_STYLES = (
    f'<styleSheet xmlns="{_MAIN_NS}">'
    f'<numFmts count="1"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    f'<fill><patternFill patternType="solid"><fgColor rgb="FF{HEADER_FILL.fgColor.rgb[-6:]}"/>'
    '<bgColor indexed="64"/></patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
#: Rows are turned into XML and written this many at a time, so memory stays flat whatever the size.
_CHUNK_ROWS = 50_000
#: Excel reads ``_xHHHH_`` inside a text as an escaped character: a literal one is written with its «_» escaped.
_EXCEL_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_EXCEL_DAY_ZERO = np.datetime64("1899-12-30", "D")


def _xml_text(texts: np.ndarray, joined: str) -> np.ndarray:
    """Texts escaped for an XML element (``joined``, all of them in one string, is searched before replacing)."""
    if "&" not in joined and "<" not in joined and ">" not in joined and "_x" not in joined:
        return texts
    values = pd.Series(texts, dtype=object)
    for plain, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        if plain in joined:
            values = values.str.replace(plain, escaped, regex=False)
    if "_x" in joined:
        values = values.str.replace(_EXCEL_ESCAPE, r"_x005F_\1", regex=True)
    return values.to_numpy(dtype=object)


def _serials(days: np.ndarray) -> np.ndarray:
    """Excel's day numbers for days (``datetime64[D]``), as texts."""
    serial = (days - _EXCEL_DAY_ZERO).astype(np.int64)
    return np.where(serial < 61, serial - 1, serial).astype(str).astype(object)  # Excel's 29.02.1900 never was


# a text starting as a formula, or with a space Excel would drop, found in a column joined by NUL (no value has one)
_FORMULA_LIKE = re.compile(r"\x00[=+\-@]")
_EDGE_SPACE = re.compile(r"\x00\s|\s\x00")


def _text_cells(texts: np.ndarray, letter: str, rows: np.ndarray) -> list[str]:
    joined = "\x00" + "\x00".join(texts) + "\x00"
    body = _xml_text(texts, joined)
    if _FORMULA_LIKE.search(joined) is None and _EDGE_SPACE.search(joined) is None:
        return [f'<c r="{letter}{r}" t="inlineStr"><is><t>{b}</t></is></c>' for r, b in zip(rows, body, strict=True)]
    quoted = f' s="{_STYLE_QUOTED}"'
    return [
        f'<c r="{letter}{r}" t="inlineStr"{quoted if t.startswith(FORMULA_START) else ""}><is>'
        f"<t{_PRESERVE if t != t.strip() else ''}>{b}</t></is></c>"
        for r, t, b in zip(rows, texts, body, strict=True)
    ]


_PRESERVE = ' xml:space="preserve"'


def _column_cells(values: pd.Series, letter: str, rows: np.ndarray) -> np.ndarray:
    """The ``<c>`` elements of one column (empty text for an empty cell), built for the whole column at once."""
    out = np.full(len(values), "", dtype=object)
    if values.dtype.kind == "M":
        dated = values.notna().to_numpy()
        serial = _serials(values.to_numpy()[dated].astype("datetime64[D]"))
        out[dated] = [
            f'<c r="{letter}{r}" s="{_STYLE_DATE}"><v>{v}</v></c>' for r, v in zip(rows[dated], serial, strict=True)
        ]
        return out
    objects = values.to_numpy(dtype=object)
    is_text = np.fromiter((type(v) is str for v in objects), dtype=bool, count=len(objects))
    if is_text.any():
        out[is_text] = _text_cells(objects[is_text], letter, rows[is_text])
    for i in np.flatnonzero(~is_text & ~pd.isna(objects)):  # a date or a number: the «Организация» sheet
        value = objects[i]
        if isinstance(value, dt.date | pd.Timestamp):
            day = _serials(np.array([pd.Timestamp(value).to_datetime64()]).astype("datetime64[D]"))[0]
            out[i] = f'<c r="{letter}{rows[i]}" s="{_STYLE_DATE}"><v>{day}</v></c>'
        elif isinstance(value, int | float | np.number) and not isinstance(value, bool):
            out[i] = f'<c r="{letter}{rows[i]}"><v>{value!r}</v></c>'
        else:
            out[i] = _text_cells(np.array([str(value)], dtype=object), letter, rows[i : i + 1])[0]
    return out


def _rows_xml(frame: pd.DataFrame, first_row: int) -> str:
    """``<row>`` elements for a frame's rows, numbered from ``first_row``; columns are built whole, not per cell."""
    rows = np.arange(first_row, first_row + len(frame)).astype(str).astype(object)
    columns = [
        _column_cells(frame[header], get_column_letter(position + 1), rows).tolist()
        for position, header in enumerate(frame.columns)
    ]
    opening = [f'<row r="{r}">' for r in rows]
    return "</row>".join("".join(cells) for cells in zip(opening, *columns, strict=True)) + "</row>"


_SELECTED = ' tabSelected="1"'


def _sheet_xml_head(columns: list[Column], rows: int, selected: bool) -> str:
    last = f"{get_column_letter(len(columns))}{rows + 1}"
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{c.width}" customWidth="1"/>' for i, c in enumerate(columns, start=1)
    )
    header = "".join(
        f'<c r="{get_column_letter(i)}1" s="{_STYLE_HEADER}" t="inlineStr"><is><t>{escape(c.header)}</t></is></c>'
        for i, c in enumerate(columns, start=1)
    )
    return (
        f'{_XML_HEAD}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><dimension ref="A1:{last}"/>'
        f'<sheetViews><sheetView{_SELECTED if selected else ""} workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{widths}</cols><sheetData><row r="1">{header}</row>'
    )


def _write_xlsx(path: Path, parts: list[tuple[str, list[Column], pd.DataFrame]]) -> None:
    """Write sheets (name, columns, frame of cell values by header) as an ``.xlsx`` package."""
    names = [name for name, _, _ in parts]
    sheets = "".join(
        f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
        for i, name in enumerate(names, start=1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(names) + 1)
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(names) + 1)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL_NS}"><Relationship Id="rId1" '
            f'Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'{_XML_HEAD}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><bookViews><workbookView/></bookViews>'
            f"<sheets>{sheets}</sheets></workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL_NS}">{rels}<Relationship Id="rId{len(names) + 1}" '
            f'Type="{_REL_NS}/styles" Target="styles.xml"/></Relationships>',
        )
        archive.writestr("xl/styles.xml", _XML_HEAD + _STYLES)
        for number, (_name, columns, frame) in enumerate(parts, start=1):
            # a sheet past 2 GB needs ZIP64; declared up front only then, as some readers dislike it needlessly
            big = len(frame) * len(columns) * 80 > 1 << 30
            with archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=big) as out:
                out.write(_sheet_xml_head(columns, len(frame), number == 1).encode())
                for start in range(0, len(frame), _CHUNK_ROWS):
                    out.write(_rows_xml(frame.iloc[start : start + _CHUNK_ROWS], start + 2).encode())
                out.write(b"</sheetData></worksheet>")


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
    ranges: dict[str, str] = {}
    for col, (name, values) in enumerate(lists.items(), start=1):
        ws_lists.cell(row=1, column=col, value=name).font = HEADER_FONT
        for row, value in enumerate(values, start=2):
            ws_lists.cell(row=row, column=col, value=value)
        letter = get_column_letter(col)
        ranges[name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def write_template(path: str | Path) -> Path:
    """Write the blank workbook: an «Инструкция» sheet, headers, widths and drop-down lists."""
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
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
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
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
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


def _find_sheet(wb: Workbook, name: str) -> Worksheet | None:
    key = normalise_header(name)
    return next((ws for ws in wb.worksheets if normalise_header(ws.title) == key), None)


def _find_column(ws: Worksheet, header_row: int, header: str) -> int | None:
    key = normalise_header(header)
    for cell in ws[header_row]:
        if normalise_header(cell.value) == key:
            return cell.column
    return None


def _keepable(value: Any) -> Any:
    """A value as the errors copy can keep it: control characters shown as escapes, long texts cut with a mark."""
    if not isinstance(value, str):
        return value
    if len(value) > EXCEL_CELL_CHARS:
        value = value[: EXCEL_CELL_CHARS - 100] + f"… (обрезано: всего символов {len(value)})"
    return visible(value) if CONTROL.search(value) else value


def _workbook_from_raw(sheets: dict[str, RawSheet]) -> Workbook:
    """A workbook holding CSV files' cells at the row numbers the messages cite."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, raw in sheets.items():
        ws = wb.create_sheet(visible(name)[:31])
        for col, header in enumerate(raw.headers, start=1):
            set_text(ws.cell(row=raw.header_row or 1, column=col), _keepable(header))
        for i, row in enumerate(raw.rows):
            for col, value in enumerate(raw.cells.iloc[i].tolist(), start=1):
                if value not in (None, ""):
                    set_text(ws.cell(row=int(row), column=col), _keepable(value))
    return wb


def write_errors_copy(
    source: str | Path, sheets: dict[str, RawSheet], problems: list[Problem], path: str | Path
) -> Path:
    """A copy of the user's workbook with every bad cell coloured and a note saying what is wrong.

    Problems that concern a whole sheet or column are also listed on an added sheet «Ошибки».
    """
    source = Path(source)
    if source.is_file() and source.suffix.lower() in (".xlsx", ".xlsm"):
        wb = load_workbook(source)
    else:
        wb = _workbook_from_raw(sheets)
    header_rows = {normalise_header(name): raw.header_row or 1 for name, raw in sheets.items()}
    notes: dict[tuple[str, int, int], list[Problem]] = {}
    for problem in problems:
        ws = _find_sheet(wb, problem.sheet)
        if ws is None or problem.row is None or not problem.column:
            continue
        col = _find_column(ws, header_rows.get(normalise_header(ws.title), 1), problem.column)
        if col is None:
            col = 1
        notes.setdefault((ws.title, problem.row, col), []).append(problem)
    for (title, row, col), found in notes.items():
        cell = wb[title].cell(row=row, column=col)
        cell.fill = WARNING_FILL if all(p.warning for p in found) else ERROR_FILL
        text = "\n".join(("Предупреждение: " if p.warning else "Ошибка: ") + visible(p.expected) for p in found)
        cell.comment = Comment(text, "Сферум-практикум", width=320, height=120)

    ws = wb.create_sheet("Ошибки", 0)
    headers = ("Лист", "Строка", "Столбец", "Значение", "Что не так", "Вид")
    ws.append(headers)
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for problem in problems:
        row = [
            problem.sheet or problem.file,
            problem.row,
            problem.column,
            problem.value,
            problem.expected,
            "предупреждение" if problem.warning else "ошибка",
        ]
        ws.append([None] * len(row))
        for col, value in enumerate(row, start=1):
            set_text(ws.cell(row=ws.max_row, column=col), visible(value) if isinstance(value, str) else value)
    for col, width in enumerate((22, 8, 24, 28, 70, 16), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return Path(path)
