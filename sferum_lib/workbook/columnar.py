"""Big inputs read and parsed by whole columns (polars, fastexcel), giving exactly what the cell-by-cell way gives.

A million-row workbook spends most of its import making a Python object of every cell and looking at each
one. Here a CSV file is cut into columns by polars' reader and an Excel sheet by fastexcel (calamine inside,
Arrow columns out), and the usual cells (texts, Excel dates) are trimmed and checked by column expressions;
only the unusual values (an odd phone, a list of several codes, a date typed as text) go to the per-value
parsers of :mod:`sferum_lib.values`, once per distinct value. Whatever this module cannot read exactly as
the general way reads it (quotes across lines, ragged rows, mixed cell types in an Excel column), it
declines, and the general way reads the file as before. polars is imported only here, and only for inputs
big enough to repay its import (0.3 s).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd
from phonenumbers import PhoneMetadata

from sferum_lib.values import EXCEL_CELL_CHARS, FIRST_DATE, INVALID, LAST_DATE, parse_phone

if TYPE_CHECKING:  # pragma: no cover
    import polars as pl

    from sferum_lib.workbook.schema import Column

# Rust-regex spellings of values.CONTROL, values._BREAKS and values._EMAIL. They differ from Python's only
# where Python's \s also takes \x1c-\x1f, which CONTROL refuses before any trimming counts.
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\x{202a}-\x{202e}\x{2066}-\x{2069}\x{fffe}\x{ffff}]"
_BREAKS = r"\s*[\t\n\r]+\s*"
# a control character or a line break: a column without any needs neither check (one pass instead of two)
_ODD = _CONTROL[:-1] + r"\t\n\r]"
_EMAIL = r"^[A-Za-z0-9._%+\-']+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-zА-Яа-я]{2,}$"
# A Russian mobile in the usual ASCII notations: the same decision as importer._phone_digits makes
_PLAIN_PHONE = r"^\+?[0-9 ()\-]+$"
_PHONE_DIGITS = r"^(?:\+7|8)(9[0-9]{9})$"
_MOBILE = "^(?:{})$".format(
    PhoneMetadata.metadata_for_region("RU").mobile.national_number_pattern.replace(r"\d", "[0-9]")  # type: ignore[union-attr]
)


#: The characters Python's ``str.strip`` takes away (Rust's idea of whitespace leaves out \x1c-\x1f).
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


def polars():
    """polars, imported on first use (a small organisation's import never needs it)."""
    import polars as pl

    return pl


# --- reading ------------------------------------------------------------------------------------------------------


def csv_columns(text: str, delimiter: str) -> tuple[list[str], list[pl.Series], np.ndarray] | None:
    """Headers, String columns (null for an empty field) and row numbers of a CSV text; None to decline.

    Read only when the csv module would read the text the same way, line for line: quotes only around whole
    fields on one line, no NUL, no lone carriage return, every line as wide as the first, no blank line and a
    header in the first line. Anything else is declined, and the csv module reads it (and says what is wrong).
    """
    if not text or text.startswith("\ufeff"):
        return None
    try:
        data = text.encode("utf-8")
    except UnicodeError:  # a lone surrogate: only the general way can say where
        return None
    # The checks look at the UTF-8 bytes: quotes, delimiters and line ends are ASCII bytes there, which no byte
    # of another character equals, and numpy finds them at once where the text's own methods walk it thrice.
    if b"\x00" in data:
        return None
    if b"\r" in data:
        if data.count(b"\r") != data.count(b"\r\n"):
            return None
        data = data.replace(b"\r\n", b"\n")  # the csv module ends a record at either
    raw = np.frombuffer(data, dtype=np.uint8)
    if data.endswith(b"\n"):  # the last line's end: polars reads past it as the csv module does, uncopied
        raw = raw[:-1]
    breaks = np.flatnonzero(raw == 0x0A)
    lines = len(breaks) + 1
    sep = ord(delimiter)
    quotes = None
    if b'"' in data:
        # Every other quote opens a quoted field. Accepted only when each inside is a non-empty text on one
        # line (no «""»: escapes and empty quoted fields go the general way), each opening quote follows a
        # field boundary and each closing one is followed by one (or ends the text).
        quotes = np.flatnonzero(raw == 0x22)
        if len(quotes) % 2:
            return None
        opens, closes = quotes[0::2], quotes[1::2]
        if (closes - opens < 2).any() or opens[0] == 0:
            return None
        if (np.searchsorted(breaks, opens) != np.searchsorted(breaks, closes)).any():
            return None
        before = raw[opens - 1]
        if not ((before == sep) | (before == 0x0A)).all():
            return None
        inner = closes[closes + 1 < len(raw)]
        after = raw[inner + 1]
        if not ((after == sep) | (after == 0x0A)).all():
            return None
        delimiters = np.flatnonzero(raw == sep)
        # a delimiter after an odd number of quotes is inside a quoted field
        delimiters = delimiters[np.searchsorted(quotes, delimiters) % 2 == 0]
    else:
        delimiters = np.flatnonzero(raw == sep)
    first = data[: breaks[0]] if len(breaks) else raw.tobytes()
    if b'"' in first:
        return None
    header = first.decode("utf-8")
    if not header.replace(delimiter, "").strip():
        return None
    width = header.count(delimiter) + 1
    # every line as wide as the header, line by line (equal totals could hide a narrow line and a wide one)
    per_line = np.bincount(np.searchsorted(breaks, delimiters), minlength=lines)
    if len(per_line) != lines or (per_line != width - 1).any():
        return None
    pl = polars()
    try:
        frame = pl.read_csv(
            data,
            separator=delimiter,
            has_header=False,
            infer_schema=False,
            quote_char='"',
            comment_prefix=None,
            raise_if_empty=True,
            truncate_ragged_lines=False,
            new_columns=[f"c{i}" for i in range(width)],
        )
    except Exception:
        return None
    if frame.height != lines or frame.width != width:
        return None
    columns = frame.get_columns()
    # the csv module refuses a field longer than its limit (usually a quote left open): it says so, not we;
    # a field has at least a character per 4 bytes, so its bytes tell when its characters need counting
    limit = csv.field_size_limit()
    longest = max((c.str.len_bytes().max() or 0) for c in columns)
    if longest >= limit and any((c.str.len_chars().max() or 0) >= limit for c in columns):
        return None
    # a blank line (only spaces and delimiters) would need renumbering: rare, left to the general way
    blank = _blank_rows(columns)
    if blank.any():
        return None
    headers = [(h or "").strip() for h in frame.row(0)]
    out = Columns(c.slice(1) for c in columns)
    out.plain = longest <= EXCEL_CELL_CHARS and _no_controls(data, len(breaks) + int(len(raw) < len(data)))
    out.trimmed = out.plain and _trimmed(data, raw, sep, quotes)
    return headers, out, np.arange(2, lines + 1, dtype=np.int64)


class Columns(list):
    """The columns of a CSV file read by polars, and what is known of all its cells at once.

    ``plain``: no cell holds a control character, a tab or a line break, and none is too long for an Excel
    cell, so the column parsers skip those checks (one look at the file's bytes instead of three per column).
    """

    plain: bool = False
    #: Moreover no cell begins or ends with a space (Python's idea of one): trimming would change nothing.
    trimmed: bool = False


def _trimmed(data: bytes, raw: np.ndarray, sep: int, quotes: np.ndarray | None) -> bool:
    """No field of a plain file begins or ends with whitespace, told from the bytes next to its spaces.

    In a plain file (no control character) Python's whitespace is the space and a few characters beyond ASCII,
    whose UTF-8 begins with C2, E1, E2 or E3: a file holding such bytes at all is not told so.
    """
    if any(data.find(bytes([lead])) >= 0 for lead in (0xC2, 0xE1, 0xE2, 0xE3)):
        return False
    at = np.flatnonzero(raw == 0x20)
    if not len(at):
        return True
    if at[0] == 0 or at[-1] == len(raw) - 1:
        return False
    before, after = raw[at - 1], raw[at + 1]
    edge = (before == 0x22) | (after == 0x22)  # a quoted field's inside begins or ends here
    # a delimiter inside quotes is no field's edge («"KG-1; IZ-2"»): only the spaces outside quotes look at it
    outside = np.searchsorted(quotes, at) % 2 == 0 if quotes is not None else True
    edge |= outside & ((before == sep) | (before == 0x0A) | (after == sep) | (after == 0x0A))
    return not edge.any()


# UTF-8 of the control characters beyond ASCII that values.CONTROL refuses: U+0080–U+009F, U+202A–U+202E,
# U+2066–U+2069, U+FFFE and U+FFFF, as (lead byte, second byte or None, lowest and highest last byte)
_WIDE_CONTROLS = (
    (0xC2, None, 0x80, 0x9F),
    (0xE2, 0x80, 0xAA, 0xAE),
    (0xE2, 0x81, 0xA6, 0xA9),
    (0xEF, 0xBF, 0xBE, 0xBF),
)


def _no_controls(data: bytes, newlines: int) -> bool:
    """The UTF-8 text holds no character values.CONTROL refuses, nor a tab; its only line breaks are \\n."""
    raw = np.frombuffer(data, dtype=np.uint8)
    if np.count_nonzero(raw < 0x20) != newlines or b"\x7f" in data:
        return False
    for lead, second, low, high in _WIDE_CONTROLS:
        if data.find(bytes([lead])) < 0:
            continue
        at = np.flatnonzero(raw == lead)  # valid UTF-8: a lead byte has its continuation bytes after it
        last = raw[at + 1] if second is None else raw[at + 2]
        hit = (last >= low) & (last <= high)
        if second is not None:
            hit &= raw[at + 1] == second
        if hit.any():
            return False
    return True


def to_cells(columns: list[pl.Series]) -> pd.DataFrame:
    """The cells as the general readers give them: Python objects, an empty cell as an empty text."""
    out = {}
    for i, series in enumerate(columns):
        values = _objects(series)
        values[pd.isna(values)] = ""
        out[i] = pd.Series(values, dtype=object, copy=False)
    return pd.DataFrame(out, copy=False) if out else pd.DataFrame()


def _objects(series: pl.Series) -> np.ndarray:
    """A column as an object array of Python values (texts, floats, booleans, datetimes), None where empty."""
    pl = polars()
    if series.dtype == pl.String:
        return series.to_numpy()
    if series.dtype == pl.Null:
        return np.full(len(series), None, dtype=object)
    values = np.empty(len(series), dtype=object)
    values[:] = series.to_list()
    return values


# --- Excel --------------------------------------------------------------------------------------------------------

#: From this size on an Excel file is read by fastexcel; below, calamine's cells cost less than importing polars.
FAST_XLSX_BYTES = 2_000_000

_FIRST_VALUE = re.compile(
    rb"<(?:[\w.-]+:)?c\s[^>]*?(?<![\w:.-])r=[\"']([A-Z]{1,3})([0-9]{1,7})[\"'][^>]*?(?<!/)>\s*<(?:[\w.-]+:)?(?:v|is|f)[\s>]"
)
_FIRST_ROW = re.compile(rb"<(?:[\w.-]+:)?row\s[^>]*?(?<![\w:.-])r=[\"']([0-9]{1,7})[\"']")


def _first_row(path: Path) -> dict[str, int]:
    """The row number of each sheet's first cell with a value, where the sheet's XML says it plainly.

    fastexcel numbers rows from the first one with a value; the messages need Excel's own numbers.
    """
    import zipfile

    from sferum_lib.workbook.guard import _sheet_parts

    out: dict[str, int] = {}
    with open(path, "rb") as fp, zipfile.ZipFile(fp) as zf:
        for part, name in _sheet_parts(zf, fp).items():
            try:
                with zf.open(part) as stream:
                    head = stream.read(1 << 16)
            except KeyError:
                continue
            found, row = _FIRST_VALUE.search(head), _FIRST_ROW.search(head)
            # only when the sheet's first row holds its first value: else the general way numbers the rows
            if found is not None and row is not None and found.group(2) == row.group(1):
                out[name] = int(found.group(2))
    return out


_RENAMED = re.compile(r"(.+)_[0-9]+")
_PLAIN_TYPES = ("String", "Float64", "Boolean", "Datetime", "Date", "Null")


def xlsx_sheet(reader: Any, name: str, first_row: int | None) -> tuple[list[str], list[pl.Series], int, np.ndarray]:
    """One sheet by fastexcel: (headers, columns, header row, row numbers); raises ValueError to decline.

    Declined (the general way reads the sheet): a column holding several kinds of cells (texts and numbers:
    only the cells themselves know which is which), an unknown first row, a header that is not plain text.
    """
    import logging

    pl = polars()
    if first_row is None:
        raise ValueError("first row unknown")
    logging.getLogger("fastexcel").setLevel(logging.ERROR)  # «falling back to string» for empty columns
    sheet = reader.load_sheet(name, header_row=0, dtype_coercion="strict", schema_sample_rows=None)
    infos = sheet.available_columns()
    frame = sheet.to_polars()
    if any(str(c.dtype).split("(")[0] not in _PLAIN_TYPES for c in frame.get_columns()):
        raise ValueError("unusual column type")
    width = max((info.absolute_index for info in infos), default=-1) + 1
    headers = [""] * width
    columns: list[pl.Series] = [pl.Series([None] * frame.height, dtype=pl.String)] * width
    for info, series in zip(infos, frame.get_columns(), strict=True):
        header = info.name
        if info.column_name_from != "looked_up" or header.startswith("__UNNAMED__"):
            raise ValueError("header not a plain text")
        headers[info.absolute_index] = header.strip()
        columns[info.absolute_index] = series
    if not any(headers):
        raise ValueError("blank header")
    named = {h for h in headers if h}
    if any(_RENAMED.fullmatch(h) and _RENAMED.fullmatch(h).group(1) in named for h in named):  # type: ignore[union-attr]
        raise ValueError("repeated header, renamed by fastexcel")
    rows = np.arange(first_row + 1, first_row + 1 + frame.height, dtype=np.int64)
    if frame.height:
        blank = _blank_rows(columns)
        if blank.any():
            keep = ~blank
            rows = rows[keep]
            mask = pl.Series(keep)
            columns = [c.filter(mask) for c in columns]
    return headers, columns, first_row, rows


def _blank_rows(columns: list[pl.Series]) -> np.ndarray:
    pl = polars()
    if not columns:
        return np.zeros(0, dtype=bool)
    first = _blank(columns[0]).to_numpy()
    if not first.any():  # a blank row has a blank first cell: nearly always none has, and one column says so
        return first
    flags = []
    for c in columns:
        flags.append(_blank(c))
    return pl.select(pl.all_horizontal(flags)).to_series().to_numpy()


def _blank(column: pl.Series) -> pl.Series:
    pl = polars()
    if column.dtype == pl.String:
        return (column.str.strip_chars(WHITESPACE).fill_null("") == "").rename("")
    return column.is_null().rename("")


#: Sheets read at once: fastexcel lets go of the GIL while it parses, so each core parses a sheet.
XLSX_THREADS = 2


def xlsx_sheets(path: Path, names: list[str]) -> Iterator[tuple[str, Any]]:
    """Each sheet read by fastexcel, in the book's order, as (name, sheet read) or (name, None) where declined.

    Nothing at all (an empty iterator) below :data:`FAST_XLSX_BYTES`: calamine's cells cost less than polars.
    Sheets are read on :data:`XLSX_THREADS` threads, each with its own reader (a reader is not shared).
    """
    if path.stat().st_size < FAST_XLSX_BYTES:
        return
    try:
        import fastexcel

        first_rows = _first_row(path)
    except Exception:
        return
    local = threading.local()

    def read(name: str) -> Any:
        try:
            if not hasattr(local, "reader"):
                local.reader = fastexcel.read_excel(str(path))
            return xlsx_sheet(local.reader, name, first_rows.get(name))
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except BaseException:  # declined, or not readable so: calamine reads it and tells what is wrong
            return None

    with ThreadPoolExecutor(max(1, min(XLSX_THREADS, os.cpu_count() or 1))) as pool:
        yield from zip(names, pool.map(read, names), strict=True)


# --- parsing ------------------------------------------------------------------------------------------------------

#: Kinds with few distinct values among many cells: each distinct text goes to the cell parser once.
_FEW = ("date", "flag", "gender", "choice")


class Parsed(NamedTuple):
    """A column parsed by columns: what ``importer._parse_cells`` gives, and what saves looking at it again.

    ``empty`` marks the empty values (None, NaT) where it comes for free, else it is None. ``texts`` holds the
    values of an ID or text column again as a polars String column (null where empty): the checks across
    sheets find repeated IDs there instead of hashing Python texts.
    """

    values: np.ndarray
    invalid: np.ndarray
    empty: np.ndarray | None = None
    texts: pl.Series | None = None


def parse_series(
    series: pl.Series,
    column: Column,
    parser: Callable[[Any], Any],
    general: Callable[[pd.Series], Any],
    plain: bool = False,
    trimmed: bool = False,
) -> Parsed:
    """(values, invalid, …) of a column, as ``importer._parse_cells`` gives them for the same cells.

    ``parser`` is the column's cell parser, ``general`` the general way for a column of Python objects. Date
    columns come out as ``datetime64[s]`` (the table's dtype) instead of ``datetime.date`` objects. ``plain``
    says the column's file has no control character, no tab and no field too long for an Excel cell (see
    :func:`csv_columns`), so those cell checks are skipped; ``trimmed`` that no cell begins or ends with a space.
    """
    pl = polars()
    if series.dtype == pl.String:
        if column.kind in _FEW:
            values, invalid = _parse_few(series, parser, column.kind == "date")
        else:
            return _parse_texts(series, column, plain, trimmed and plain)
    elif column.kind == "date" and series.dtype in (pl.Datetime, pl.Date):
        day = series.dt.date() if series.dtype == pl.Datetime else series
        bad = ((day < FIRST_DATE) | (day > LAST_DATE)).fill_null(False)
        invalid = bad.to_numpy()
        values = pl.select(pl.when(bad).then(None).otherwise(day)).to_series().to_numpy().astype("datetime64[s]")
        return Parsed(values, invalid, np.isnat(values))
    else:
        cells = _objects(series)
        values, invalid = general(pd.Series(cells, dtype=object))
    if column.kind == "date":
        values = _datetimes(values)
        return Parsed(values, invalid, np.isnat(values))
    return Parsed(values, invalid)


def _datetimes(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind == "M":
        return values
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    days = np.array([np.datetime64(d, "D") for d in uniques] + [np.datetime64("NaT")], dtype="datetime64[s]")
    return days[codes]


def _parse_few(series: pl.Series, parser: Callable[[Any], Any], dates: bool) -> tuple[np.ndarray, np.ndarray]:
    pl = polars()
    uniques = series.drop_nulls().unique()
    parsed = [parser(u) for u in uniques.to_list()] + [parser(None)]
    codes = (
        series.replace_strict(uniques, pl.int_range(len(uniques), eager=True), default=None, return_dtype=pl.Int64)
        .fill_null(len(uniques))
        .to_numpy()
    )
    bad = np.fromiter((v is INVALID for v in parsed), dtype=bool, count=len(parsed))
    if dates:  # each distinct day made a datetime64 once, not a million date objects converted later
        table = np.array(
            [np.datetime64(v, "D") if isinstance(v, dt.date) else np.datetime64("NaT") for v in parsed],
            dtype="datetime64[s]",
        )
        return table[codes], bad[codes]
    table = np.empty(len(parsed), dtype=object)
    table[:] = parsed
    table[bad] = None
    return table[codes], bad[codes]


def _phone_value(text: str) -> Any:
    from sferum_lib.workbook.importer import _phone_digits

    digits = _phone_digits(text)
    return "+7" + digits if digits is not None else parse_phone(text)


def _parse_texts(series: pl.Series, column: Column, plain: bool, trimmed: bool = False) -> Parsed:
    pl = polars()
    refused = None
    if not plain and not series.str.contains(_ODD).any() and (series.str.len_bytes().max() or 0) <= EXCEL_CELL_CHARS:
        plain = True  # this column on its own is as plain as a plain file
    if not plain:
        found = (series.str.contains(_CONTROL) | (series.str.len_chars() > EXCEL_CELL_CHARS)).fill_null(False)
        if found.any():
            refused = found
    clean = series if trimmed else series.str.strip_chars(WHITESPACE)
    if not plain:  # a plain file has no tab, and its cells no line break (csv_columns declines those)
        breaks = clean.str.contains(r"[\t\n\r]").fill_null(False)
        if breaks.any():  # rare: the replacement runs over every cell, so only when some cell needs it
            clean = pl.select(pl.when(breaks).then(clean.str.replace_all(_BREAKS, " ")).otherwise(clean)).to_series()
    empty_text = clean == ""
    if refused is not None:  # a refused cell has no value
        empty_text = empty_text | refused
    clean = pl.select(pl.when(empty_text).then(None).otherwise(clean)).to_series()
    invalid = refused.to_numpy().copy() if refused is not None else np.zeros(len(series), dtype=bool)
    kind = column.kind
    if kind == "email":
        invalid |= (clean.is_not_null() & ~clean.str.contains(_EMAIL).fill_null(False)).to_numpy()
        values = strings(clean)
        values[invalid] = None
        return Parsed(values, invalid, clean.is_null().to_numpy() | invalid)
    if kind == "phone":
        digits = clean.str.replace_all(r"[ ()\-]", "").str.extract(_PHONE_DIGITS, 1)
        fast = (clean.str.contains(_PLAIN_PHONE) & digits.str.contains(_MOBILE)).fill_null(False)
        found = pl.select(pl.when(fast).then("+7" + digits).otherwise(None)).to_series()
        values = np.asarray(found.to_numpy(), dtype=object)
        slow = (clean.is_not_null() & ~fast).to_numpy() & ~invalid
        if slow.any():
            invalid |= _patch(values, clean.to_numpy(), slow, _phone_value)
        values[invalid] = None
        return Parsed(values, invalid)
    if kind == "list":
        values, empty = _parse_lists(clean)
        return Parsed(values, invalid, empty)
    # an ID or a text: the cleaned cell is the value, a refused one is null already
    return Parsed(strings(clean), invalid, clean.is_null().to_numpy(), clean)


#: From this many cells on a column of few distinct texts is made Python texts once per distinct text.
_SHARED_ROWS = 50_000
_SAMPLE = 4_096


def strings(texts: pl.Series) -> np.ndarray:
    """A String column as an object array of Python texts, None where null.

    A column of names holds a few hundred distinct texts among half a million cells, and making a Python text
    of a Cyrillic cell costs more than finding its distinct value again: then each distinct text is made once
    and the array refers to it (equal values, one object). A sample of the column tells which kind it is.
    """
    pl = polars()
    n = len(texts)
    if n >= _SHARED_ROWS and texts.gather_every(max(1, n // _SAMPLE)).n_unique() * 8 <= _SAMPLE:
        uniques = texts.drop_nulls().unique()
        codes = (
            texts.replace_strict(uniques, pl.int_range(len(uniques), eager=True), default=None, return_dtype=pl.Int64)
            .fill_null(len(uniques))
            .to_numpy()
        )
        table = np.empty(len(uniques) + 1, dtype=object)
        table[:-1] = uniques.to_numpy()  # and None last, for the null code
        return table[codes]
    return np.asarray(texts.to_numpy(), dtype=object)


def _parse_lists(clean: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """``values.parse_list`` of cleaned texts: tuples (None where empty) and the mask of empty ones.

    A cell without «;» or «,» (nearly all) is a one-item list of itself; the others are split by polars.
    """
    pl = polars()
    several_mask = clean.str.contains("[;,]").fill_null(False)
    several = several_mask.to_numpy()
    empty = clean.is_null().to_numpy()
    one = ~several & ~empty
    kept = strings(clean.filter(pl.Series(one)))
    values = np.empty(len(clean), dtype=object)
    values[one] = np.fromiter(zip(kept), dtype=object, count=len(kept))
    if several.any():
        split = _split(clean.filter(several_mask))
        lengths = split.list.len().to_numpy()
        # every item made a Python text at once, then cut into the rows' tuples (not a list per row)
        flat = split.filter(pl.Series(lengths > 0)).explode().to_list()
        ends = np.cumsum(lengths).tolist()
        starts = [0, *ends[:-1]]
        values[several] = np.fromiter(
            (tuple(flat[a:b]) if b > a else None for a, b in zip(starts, ends, strict=True)),
            dtype=object,
            count=len(ends),
        )
        empty[np.flatnonzero(several)[lengths == 0]] = True
    return values, empty


def _split(texts: pl.Series) -> pl.Series:
    """``values.parse_list`` of cleaned texts holding «;» or «,»: items trimmed, empty ones dropped, repeats too."""
    pl = polars()
    return (
        texts.str.replace_all(",", ";", literal=True)
        .str.split(";")
        .list.eval(pl.element().str.strip_chars(WHITESPACE).filter(pl.element().str.strip_chars(WHITESPACE) != ""))
        .list.unique(maintain_order=True)
    )


def _patch(values: np.ndarray, texts: np.ndarray, where: np.ndarray, parse: Callable[[str], Any]) -> np.ndarray:
    """Parse the texts at ``where`` (each distinct one once) into ``values``; return the mask of INVALID ones."""
    at = np.flatnonzero(where)
    codes, uniques = pd.factorize(texts[at])
    parsed = [parse(u) for u in uniques]
    bad = np.fromiter((v is INVALID for v in parsed), dtype=bool, count=len(parsed))
    table = np.empty(len(parsed), dtype=object)
    table[:] = parsed
    table[bad] = None
    values[at] = table[codes]
    invalid = np.zeros(len(values), dtype=bool)
    invalid[at] = bad[codes]
    return invalid


__all__ = ["Parsed", "csv_columns", "parse_series", "polars", "strings", "to_cells", "xlsx_sheet", "xlsx_sheets"]
