"""A streamed SpreadsheetML (XLSX) writer: tables of a million rows in seconds, with flat memory.

One writer serves the workbook export, the errors copy of a refused file and the reports' workbooks; it does
not import openpyxl (a report kernel must stay light). A per-cell writer (openpyxl, xlsxwriter) spends
10–16 µs a cell — ten minutes for a million people; here the XML of a column is built at once (one f-string a
cell, or a vectorised conversion) and the rows are streamed into the archive a chunk at a time.

What a file holds:

- inline strings (``t="inlineStr"``), as xlsxwriter's constant-memory mode writes them: no shared-strings
  table to keep in memory;
- one styles sheet (:func:`styles_xml`): a bold shaded header, a date format, Excel's quote prefix, and the
  error and warning fills of the errors copy;
- per sheet: column widths, a header row frozen or not, dates as Excel serial numbers, numbers, booleans, and
  notes (comments) with their legacy VML drawing, which Excel needs to show them.

Nothing from the data ever becomes a formula: every value is written as a value, and a text starting with
``= + - @`` gets Excel's quote prefix, so that editing the cell in Excel does not turn it into one either. A text
is cut to Excel's 32 767 characters, control characters are written as Excel's ``_xHHHH_`` escapes and a literal
``_xHHHH_`` has its «_» escaped, so what Excel shows is what was written.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

#: A text starting so would be a formula if typed: written as text with Excel's quote prefix («'»).
FORMULA_START = ("=", "+", "-", "@")
#: Excel's longest cell text.
MAX_TEXT = 32_767
#: Fills (RGB) of the header row and of the errors copy's bad cells.
HEADER_FILL, ERROR_FILL, WARNING_FILL = "DDEBF7", "F8CBAD", "FFF2CC"
#: Cell styles (indexes into ``cellXfs`` of :func:`styles_xml`).
PLAIN, HEADER, DATE, QUOTED = 0, 1, 2, 3
#: A mark's fill turns a plain, date or quoted cell into the same cell filled (``_FILLED[fill][style]``); a marked
#: header cell is filled, not bold (the errors copy's marked sheets have plain headers).
_FILLED = {
    "error": {PLAIN: 4, HEADER: 4, DATE: 5, QUOTED: 6},
    "warning": {PLAIN: 7, HEADER: 7, DATE: 8, QUOTED: 9},
}

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_NS = "http://schemas.openxmlformats.org/package/2006"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

#: Rows turned into XML and compressed at a time: memory stays flat whatever the table's length.
_CHUNK_ROWS = 20_000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_CONTROL_BUT_NUL = re.compile(r"[\x01-\x08\x0b-\x1f]")
#: A «_» that starts what Excel would read as its own escape: escaped itself, so the text shows as written.
_LOOKALIKE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
# in a column's texts joined by NUL: one starting like a formula, or starting or ending with whitespace
_FORMULA_LIKE = re.compile(r"\x00[=+\-@]")
_EDGE_SPACE = re.compile(r"\x00\s")
_EPOCH = dt.datetime(1899, 12, 31)
_EPOCH64 = np.datetime64("1899-12-31", "ns")
_DAY_NS = 86_400 * 10**9
_STYLE_ATTR = re.compile(r' s="(\d+)"')


def styles_xml(date_format: str) -> str:
    """The styles sheet every file here uses; ``date_format`` is the number format of date cells."""
    xf = '<xf numFmtId="{0}" fontId="{1}" fillId="{2}" borderId="0" xfId="0"{3}/>'
    cell = [
        xf.format(0, 0, 0, ""),
        xf.format(0, 1, 2, ' applyFont="1" applyFill="1"'),
        xf.format(164, 0, 0, ' applyNumberFormat="1"'),
        xf.format(0, 0, 0, ' quotePrefix="1"'),
    ]
    for fill in (3, 4):  # the error, then the warning fill: plain, date and quoted cells
        cell += [
            xf.format(0, 0, fill, ' applyFill="1"'),
            xf.format(164, 0, fill, ' applyNumberFormat="1" applyFill="1"'),
            xf.format(0, 0, fill, ' applyFill="1" quotePrefix="1"'),
        ]
    solid = '<fill><patternFill patternType="solid"><fgColor rgb="FF{}"/><bgColor indexed="64"/></patternFill></fill>'
    return (
        f'{_XML}<styleSheet xmlns="{_MAIN_NS}">'
        f'<numFmts count="1"><numFmt numFmtId="164" formatCode={quoteattr(date_format)}/></numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
        '<fills count="5"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
        f"</fill>{solid.format(HEADER_FILL)}{solid.format(ERROR_FILL)}{solid.format(WARNING_FILL)}</fills>"
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(cell)}">{"".join(cell)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


def column_letter(index: int) -> str:
    """0 → «A», 25 → «Z», 26 → «AA»."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def excel_date(value: dt.date) -> float:
    """A date or a moment as Excel's serial number (days since 1899-12-31, with Excel's 29.02.1900)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        delta = value - _EPOCH
    else:
        delta = dt.datetime.fromordinal(value.toordinal()) - _EPOCH
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return serial + 1 if serial > 59 else serial


@dataclass(frozen=True)
class Mark:
    """A cell of the errors copy: coloured (``"error"`` or ``"warning"``) with a note saying what is wrong."""

    fill: str
    note: str


@dataclass
class Sheet:
    """One sheet to write.

    ``frame`` holds the cells, columns by position; with ``header`` its column names are the header row (bold and
    shaded when ``header_style``), at row ``header_row``. The frame's rows go to ``rows`` (ascending row numbers
    after the header; by default the rows right under it). ``widths`` are Excel column widths. ``marks`` colour
    cells and give them notes, by (row number, column index from 0); a marked cell may be outside the data.
    """

    name: str
    frame: pd.DataFrame
    widths: Sequence[float] = ()
    header: bool = True
    frozen: bool = True
    header_style: bool = True
    header_row: int = 1
    rows: np.ndarray | None = None
    marks: Mapping[tuple[int, int], Mark] = field(default_factory=dict)
    note_author: str = "Сферум-практикум"


# --- cells ------------------------------------------------------------------------------------------------------


def _escape_texts(texts: list[str]) -> list[str]:
    """Texts as an XML element's content that Excel reads back as written: cut, escaped, control characters coded."""
    values = pd.Series(texts, dtype=object)
    long = values.str.len() > MAX_TEXT
    if long.any():
        values[long] = values[long].str.slice(0, MAX_TEXT)
    joined = "\x00".join(values)
    for plain, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        if plain in joined:
            values = values.str.replace(plain, escaped, regex=False)
    if "_x" in joined:
        values = values.str.replace(_LOOKALIKE, "_x005F_", regex=True)
    if _CONTROL.search(joined.replace("\x00", "")) or joined.count("\x00") > len(texts) - 1:
        values = values.str.replace(_CONTROL, lambda m: f"_x{ord(m.group(0)):04X}_", regex=True)
    return values.tolist()


def _text_cells(texts: list[str], letter: str, rows: list[str]) -> list[str]:
    """``<c>`` elements of texts in column ``letter`` at ``rows``; the checks run once on all texts joined."""
    joined = "\x00" + "\x00".join(texts) + "\x00"
    risky = (
        "&" in joined
        or "<" in joined
        or ">" in joined
        or "_x" in joined
        or joined.count("\x00") != len(texts) + 1
        or (not joined.replace("\x00", " ").isprintable() and _CONTROL_BUT_NUL.search(joined) is not None)
        or max(map(len, texts), default=0) > MAX_TEXT
    )
    body = _escape_texts(texts) if risky else texts
    # a text starting with whitespace is a NUL then a space; one ending so, in the joined text read backwards
    if _FORMULA_LIKE.search(joined) is None and _EDGE_SPACE.search(joined) is None and not _EDGE_SPACE.search(
        joined[::-1]
    ):
        return [
            f'<c r="{letter}{r}" t="inlineStr"><is><t>{b}</t></is></c>' for r, b in zip(rows, body, strict=True)
        ]
    return [
        f'<c r="{letter}{r}"{_QUOTED if t.startswith(FORMULA_START) else ""} t="inlineStr"><is>'
        f"<t{_PRESERVE if t[:1].isspace() or t[-1:].isspace() else ''}>{b}</t></is></c>"
        for r, t, b in zip(rows, texts, body, strict=True)
    ]


_QUOTED = f' s="{QUOTED}"'
_PRESERVE = ' xml:space="preserve"'


def _number(value: float) -> str:
    return f"{value:.16G}"


def _serials(values: np.ndarray) -> list[str]:
    """Excel's serial numbers of ``datetime64`` values (none NaT), as texts."""
    ns = (values.astype("datetime64[ns]") - _EPOCH64).astype(np.int64)
    days, rest = np.divmod(ns, _DAY_NS)
    if not rest.any():
        return np.where(days > 59, days + 1, days).astype(str).tolist()
    serial = days + rest / _DAY_NS
    return [_number(s) for s in np.where(serial > 59, serial + 1, serial)]


def _scalar_cell(letter: str, row: str, value: Any) -> str:
    """The ``<c>`` element of one value of any kind; empty text for no value."""
    ref = f'r="{letter}{row}"'
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NaT or value is pd.NA:
        return ""
    if isinstance(value, str):
        return _text_cells([value], letter, [row])[0]
    if isinstance(value, bool):
        return f'<c {ref} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, dt.date):  # also datetime and pandas' Timestamp
        return f'<c {ref} s="{DATE}"><v>{_number(excel_date(value))}</v></c>'
    if isinstance(value, int | float):
        if math.isnan(value) or math.isinf(value):
            return ""
        return f"<c {ref}><v>{_number(value)}</v></c>"
    return _text_cells([str(value)], letter, [row])[0]


def column_cells(values: pd.Series, letter: str, rows: list[str]) -> list[str]:
    """The ``<c>`` elements of a column (empty text where there is no value), built for the whole column at once.

    ``rows`` are the cells' row numbers as texts. No value (None, NaN, NaT) gives no cell; an empty text is
    written as an empty text cell.
    """
    # numpy's own dtypes by kind; pandas' extension types (Int64, boolean, category …) value by value
    kind = values.dtype.kind if isinstance(values.dtype, np.dtype) or values.dtype.kind == "M" else "O"
    if kind == "M":
        data = values.to_numpy()
        if getattr(values.dtype, "tz", None) is not None:
            data = values.dt.tz_localize(None).to_numpy()
        present = ~pd.isna(data)
        out = [""] * len(values)
        for i, v in zip(np.flatnonzero(present).tolist(), _serials(data[present]), strict=True):
            out[i] = f'<c r="{letter}{rows[i]}" s="{DATE}"><v>{v}</v></c>'
        return out
    if kind == "b":
        return [f'<c r="{letter}{r}" t="b"><v>{int(v)}</v></c>' for r, v in zip(rows, values.tolist(), strict=True)]
    if kind in "iu":
        return [f'<c r="{letter}{r}"><v>{_number(v)}</v></c>' for r, v in zip(rows, values.tolist(), strict=True)]
    if kind == "f":
        return [
            f'<c r="{letter}{r}"><v>{_number(v)}</v></c>' if math.isfinite(v) else ""
            for r, v in zip(rows, values.tolist(), strict=True)
        ]
    objects = values.to_numpy(dtype=object)
    missing = pd.isna(objects)
    if not missing.any():
        present, where = objects.tolist(), None
    else:
        where = np.flatnonzero(~missing).tolist()
        present = objects[~missing].tolist()
    types = set(map(type, present))
    if types <= {str}:  # the usual column: texts, some cells empty
        if where is None:
            return _text_cells(present, letter, rows)
        out = [""] * len(objects)
        for i, cell in zip(where, _text_cells(present, letter, [rows[i] for i in where]), strict=True):
            out[i] = cell
        return out
    out = [""] * len(objects)
    for i, value in zip(where if where is not None else range(len(objects)), present, strict=True):
        out[i] = _scalar_cell(letter, rows[i], value)
    return out


def _marked(cell: str, ref: str, mark: Mark) -> str:
    """``cell`` (possibly empty) coloured with ``mark``'s fill."""
    if not cell:
        return f'<c {ref} s="{_FILLED[mark.fill][PLAIN]}"/>'
    found = _STYLE_ATTR.search(cell, 0, cell.index(">"))
    style = _FILLED[mark.fill][int(found.group(1)) if found else PLAIN]
    if found:
        return f'{cell[: found.start()]} s="{style}"{cell[found.end() :]}'
    return f'<c {ref} s="{style}"{cell[len(ref) + 3 :]}'


# --- sheets -----------------------------------------------------------------------------------------------------


def _row_numbers(sheet: Sheet) -> np.ndarray:
    first = sheet.header_row + 1 if sheet.header else 1
    if sheet.rows is None:
        return np.arange(first, first + len(sheet.frame), dtype=np.int64)
    return np.asarray(sheet.rows, dtype=np.int64)


def _header_cells(sheet: Sheet) -> list[str]:
    cells = []
    for i, name in enumerate(sheet.frame.columns):
        cell = _scalar_cell(column_letter(i), str(sheet.header_row), name if isinstance(name, str) else str(name))
        if sheet.header_style:
            plain = _STYLE_ATTR.sub("", cell, count=1)
            cell = f'{plain[: plain.index(" t=")]} s="{HEADER}"{plain[plain.index(" t=") :]}'
        cells.append(cell)
    return cells


def _rows_xml(frame: pd.DataFrame, rows: np.ndarray, marks: Mapping[tuple[int, int], Mark]) -> str:
    """``<row>`` elements of ``frame``'s rows numbered ``rows``; columns are built whole, not cell by cell."""
    numbers = rows.astype(str).tolist()
    letters = [column_letter(i) for i in range(frame.shape[1])]
    columns = [column_cells(frame.iloc[:, i], letters[i], numbers) for i in range(frame.shape[1])]
    if marks:
        at = {int(r): i for i, r in enumerate(rows.tolist())}
        for (row, col), mark in marks.items():
            if row in at and col < len(columns):
                ref = f'r="{letters[col]}{row}"'
                columns[col][at[row]] = _marked(columns[col][at[row]], ref, mark)
    opening = [f'<row r="{r}">' for r in numbers]
    return "</row>".join(map("".join, zip(opening, *columns, strict=True))) + "</row>"


def _loose_rows(rows: list[int], by_row: Mapping[int, Mapping[tuple[int, int], Mark]]) -> str:
    """Rows holding only marked empty cells (outside the sheet's data and header)."""
    out = []
    for row in rows:
        cells = "".join(
            _marked("", f'r="{column_letter(c)}{row}"', mark) for (_r, c), mark in sorted(by_row[row].items())
        )
        out.append(f'<row r="{row}">{cells}</row>')
    return "".join(out)


def _sheet_chunks(sheet: Sheet, number: int) -> Iterator[str]:
    """The sheet's XML, a head, then chunks of rows, then its tail."""
    frame, rows, marks = sheet.frame, _row_numbers(sheet), sheet.marks
    if len(rows) != len(frame):
        raise ValueError(f"sheet {sheet.name!r}: {len(rows)} row numbers for {len(frame)} rows")
    taken = set(rows.tolist()) | ({sheet.header_row} if sheet.header else set())
    loose = sorted({r for r, _c in marks if r not in taken})
    last_row = max([int(rows[-1]) if len(rows) else 0, sheet.header_row if sheet.header else 0, *loose[-1:]])
    last_col = max([frame.shape[1], *(c + 1 for _r, c in marks)])
    if last_col > frame.shape[1]:  # a mark right of the data: empty columns for it (the header keeps its own)
        frame = frame.set_axis(range(frame.shape[1]), axis=1).reindex(columns=range(last_col))
    yield _sheet_head(sheet, last_row, last_col, number == 1)
    # marks by row, and their rows in order: each chunk takes its own without looking at the others
    by_row: dict[int, dict[tuple[int, int], Mark]] = {}
    for key, mark in marks.items():
        by_row.setdefault(key[0], {})[key] = mark
    marked_rows = np.array(sorted(by_row), dtype=np.int64)
    header_marks = by_row.get(sheet.header_row, {}) if sheet.header else {}
    if sheet.header:
        yield _loose_rows([r for r in loose if r < sheet.header_row], by_row)
        cells = _header_cells(sheet)
        for (_r, col), mark in header_marks.items():
            ref = f'r="{column_letter(col)}{sheet.header_row}"'
            if col < len(cells):
                cells[col] = _marked(cells[col], ref, mark)
            else:
                cells.append(_marked("", ref, mark))
        cells.sort(key=lambda c: _column_index(c))
        yield f'<row r="{sheet.header_row}">{"".join(cells)}</row>'
        loose = [r for r in loose if r > sheet.header_row]
    for start in range(0, len(frame), _CHUNK_ROWS):
        chunk_rows = rows[start : start + _CHUNK_ROWS]
        before = [r for r in loose if r < chunk_rows[-1]]
        loose = loose[len(before) :]
        chunk = frame.iloc[start : start + _CHUNK_ROWS]
        chunk_marks: dict[tuple[int, int], Mark] = {}
        low, high = np.searchsorted(marked_rows, [chunk_rows[0], chunk_rows[-1]], side="left")
        for row in marked_rows[low : high + 1].tolist():
            chunk_marks.update(by_row.get(row, {}))
        if not before:
            yield _rows_xml(chunk, chunk_rows, chunk_marks)
            continue
        # marks on rows among the data's: the chunk written around them, in row order
        split = np.searchsorted(chunk_rows, before)
        bounds = [0, *split.tolist(), len(chunk_rows)]
        for k in range(len(bounds) - 1):
            part = slice(bounds[k], bounds[k + 1])
            if bounds[k + 1] > bounds[k]:
                yield _rows_xml(chunk.iloc[part], chunk_rows[part], chunk_marks)
            if k < len(before):
                yield _loose_rows([before[k]], by_row)
    yield _loose_rows(loose, by_row)
    yield (
        '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        + ('<legacyDrawing r:id="rId2"/>' if marks else "")
        + "</worksheet>"
    )


def _column_index(cell: str) -> int:
    letters = re.match(r'<c r="([A-Z]+)', cell).group(1)  # type: ignore[union-attr]
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index


def _sheet_head(sheet: Sheet, last_row: int, last_col: int, selected: bool) -> str:
    dimension = f"A1:{column_letter(last_col - 1)}{last_row}" if last_row and last_col else "A1"
    tab = ' tabSelected="1"' if selected else ""
    if sheet.frozen:
        below = sheet.header_row + 1
        view = (
            f'<sheetView{tab} workbookViewId="0"><pane ySplit="{sheet.header_row}" topLeftCell="A{below}" '
            f'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A{below}" '
            f'sqref="A{below}"/></sheetView>'
        )
    else:
        view = f'<sheetView{tab} workbookViewId="0"/>'
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{_number(w)}" customWidth="1"/>' for i, w in enumerate(sheet.widths, start=1)
    )
    return (
        f'{_XML}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><dimension ref="{dimension}"/>'
        f'<sheetViews>{view}</sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        f"{f'<cols>{cols}</cols>' if cols else ''}<sheetData>"
    )


# --- notes ------------------------------------------------------------------------------------------------------


def _comments_xml(sheet: Sheet) -> str:
    notes = "".join(
        f'<comment ref="{column_letter(col)}{row}" authorId="0"><text><t xml:space="preserve">'
        f"{_escape_texts([mark.note])[0]}</t></text></comment>"
        for (row, col), mark in sorted(sheet.marks.items())
    )
    return (
        f'{_XML}<comments xmlns="{_MAIN_NS}"><authors><author>{escape(sheet.note_author)}</author></authors>'
        f"<commentList>{notes}</commentList></comments>"
    )


def _vml(sheet: Sheet, number: int) -> str:
    """The legacy drawing of a sheet's notes: Excel shows a note only with its shape here (hidden until hovered)."""
    shapes = "".join(
        f'<v:shape id="_x0000_s{number * 1024 + i + 1}" type="#_x0000_t202" style="position:absolute;'
        "margin-left:59.25pt;margin-top:1.5pt;width:320px;height:120px;z-index:1;visibility:hidden\" "
        'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow color="black" obscured="t"/>'
        '<v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"/>'
        '</v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
        f"<x:AutoFill>False</x:AutoFill><x:Row>{row - 1}</x:Row><x:Column>{col}</x:Column></x:ClientData></v:shape>"
        for i, ((row, col), _mark) in enumerate(sorted(sheet.marks.items()))
    )
    return (
        '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel">'
        f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{number}"/></o:shapelayout>'
        '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
        '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
        f"{shapes}</xml>"
    )


# --- the package ------------------------------------------------------------------------------------------------


def _write_sheet(archive: zipfile.ZipFile, part: str, sheet: Sheet, number: int) -> None:
    # a part past 2 GB needs ZIP64, declared up front; only then, as some readers dislike it needlessly: the size is
    # told from the first rows' XML, with a wide margin
    sample = sheet.frame.iloc[:500]
    per_row = len(_rows_xml(sample, _row_numbers(sheet)[:500], {}).encode()) / max(1, len(sample))
    big = per_row * len(sheet.frame) * 3 + 1e7 > 1 << 31
    with archive.open(part, "w", force_zip64=big) as out:
        for text in _sheet_chunks(sheet, number):
            out.write(text.encode())


def write_workbook(target: str | Path | IO[bytes], sheets: Sequence[Sheet], date_format: str = "DD.MM.YYYY") -> None:
    """Write ``sheets`` as an XLSX package (the caller makes the file atomic and sets its rights)."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    count = len(sheets)
    names = "".join(
        f'<sheet name={quoteattr(s.name)} sheetId="{i}" r:id="rId{i}"/>' for i, s in enumerate(sheets, start=1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, count + 1)
    )
    noted = [i for i, s in enumerate(sheets, start=1) if s.marks]
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
        for i in range(1, count + 1)
    ) + "".join(f'<Override PartName="/xl/comments{i}.xml" ContentType="{_CT}.comments+xml"/>' for i in noted)
    content_types = (
        f'{_XML}<Types xmlns="{_PKG_NS}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="vml" ContentType="application/vnd.openxmlformats-officedocument.vmlDrawing"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>{overrides}</Types>'
    )
    # level 1: the sheets are large and repetitive; the archive is a little bigger, written several times faster
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr(
            "_rels/.rels",
            f'{_XML}<Relationships xmlns="{_PKG_NS}/relationships"><Relationship Id="rId1" '
            f'Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'{_XML}<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}"><bookViews><workbookView/></bookViews>'
            f'<sheets>{names}</sheets><calcPr fullCalcOnLoad="1"/></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{_XML}<Relationships xmlns="{_PKG_NS}/relationships">{rels}<Relationship Id="rId{count + 1}" '
            f'Type="{_REL_NS}/styles" Target="styles.xml"/></Relationships>',
        )
        archive.writestr("xl/styles.xml", styles_xml(date_format))
        for i, sheet in enumerate(sheets, start=1):
            _write_sheet(archive, f"xl/worksheets/sheet{i}.xml", sheet, i)
            if not sheet.marks:
                continue
            archive.writestr(f"xl/comments{i}.xml", _comments_xml(sheet))
            archive.writestr(f"xl/drawings/vmlDrawing{i}.vml", _vml(sheet, i))
            archive.writestr(
                f"xl/worksheets/_rels/sheet{i}.xml.rels",
                f'{_XML}<Relationships xmlns="{_PKG_NS}/relationships">'
                f'<Relationship Id="rId1" Type="{_REL_NS}/comments" Target="../comments{i}.xml"/>'
                f'<Relationship Id="rId2" Type="{_REL_NS}/vmlDrawing" Target="../drawings/vmlDrawing{i}.vml"/>'
                "</Relationships>",
            )
