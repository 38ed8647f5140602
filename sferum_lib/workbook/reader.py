"""Reading a workbook (``.xlsx``) or a folder of CSV files into raw sheets, before any validation.

A raw sheet keeps the cells as the file holds them, with the row numbers the user sees in Excel (or in a
text editor for CSV), so every later message can point at the right row.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from sferum_lib.errors import InputFileError, Problem
from sferum_lib.workbook.schema import normalise_header


class RawSheet:
    """A sheet as read: header texts, cells (columns by position) and each data row's number.

    A big sheet read by whole columns (:mod:`sferum_lib.workbook.columnar`) keeps them in ``columns`` (polars
    Series by position) and makes its ``cells`` only when asked: the import never asks, the errors copy does.
    """

    def __init__(
        self,
        name: str,
        headers: list[str],
        header_row: int,
        cells: pd.DataFrame | None = None,
        rows: np.ndarray | None = None,
        columns: list | None = None,
    ) -> None:
        self.name = name
        self.headers = headers
        self.header_row = header_row
        self._cells = cells
        self.rows = rows if rows is not None else np.array([], dtype=np.int64)
        self.columns = columns

    @property
    def cells(self) -> pd.DataFrame:
        if self._cells is None:
            from sferum_lib.workbook.columnar import to_cells

            self._cells = to_cells(self.columns or [])
        return self._cells

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return f"RawSheet({self.name!r}, {len(self.headers)} columns, {len(self)} rows)"


def _blank_row(record: list[object]) -> bool:
    # a plain loop, no call per cell: a row with data stops at its first cell, without a call per cell
    for value in record:
        if value is None or value == "" or (isinstance(value, str) and not value.strip()):
            continue
        return False
    return True


def _blank_flags(records: list[list[object]]) -> list[bool]:
    # CSV records hold only texts: a join and a strip decide a row without a call per cell
    try:
        return [not "".join(r).strip() for r in records]  # type: ignore[arg-type]
    except TypeError:  # numbers or dates among the cells (an Excel sheet)
        # a row whose first cell holds something is not blank: only the others are looked at cell by cell
        return [_blank_row(r) if not r or _blank_cell(r[0]) else False for r in records]


def _blank_cell(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


def _raw_sheet(name: str, records: list[list[object]], numbers: list[int] | None = None) -> RawSheet:
    """Build a raw sheet from records and their row numbers (default: 1, 2, …): the first non-blank is the header.

    The cells are gathered column by column (one C-level pick per column), not as a frame built row by row.
    """
    blank = _blank_flags(records)
    if any(blank):
        kept = [i for i, b in enumerate(blank) if not b]
        numbers = [numbers[i] for i in kept] if numbers is not None else [i + 1 for i in kept]
        records = [records[i] for i in kept]
    elif numbers is None:
        numbers = list(range(1, len(records) + 1))
    if not records:
        return RawSheet(name, [], 0, pd.DataFrame(), np.array([], dtype=np.int64))
    header_row, header = numbers[0], records[0]
    width = max(map(len, records))
    headers = [str(h).strip() if h is not None else "" for h in header] + [""] * (width - len(header))
    # rows as wide as the sheet are used as they are (an Excel reader gives them all one width)
    body = [r if len(r) == width else r + [None] * (width - len(r)) for r in records[1:]]
    if body:
        # one C-level 2-D object array, transposed so that each column is contiguous; cells are scalars (texts,
        # numbers, dates), never sequences, so numpy takes every record as one row
        grid = np.array(body, dtype=object).T.copy()
        cells = pd.DataFrame({i: pd.Series(grid[i], dtype=object, copy=False) for i in range(width)}, copy=False)
    else:
        cells = pd.DataFrame(columns=range(width))
    rows = np.array(numbers[1:], dtype=np.int64)
    return RawSheet(name, headers, header_row, cells, rows)


#: Files larger than this show a progress bar while they are read (when asked to and on a terminal).
PROGRESS_BYTES = 2_000_000


def _bar(items: list[str], desc: str, show: bool):
    import sys

    from tqdm import tqdm

    return tqdm(items, desc=desc, unit=" лист", file=sys.stderr, disable=not show, leave=False)


def _file_problem(path: Path, expected: str, row: int | None = None) -> InputFileError:
    """An error in the file itself (not in a sheet's values): the message names the file."""
    return InputFileError(str(path), [Problem("", row, "", "", expected, file=path.name)])


def _reader_reason(exc: BaseException) -> str:
    """The Excel reader's English complaint, told in Russian where it is one we know."""
    text = f"{type(exc).__name__}: {exc}"
    known = (
        ("entity", "в XML листа неизвестная сущность (&…;)"),
        ("shared strings", "ячейка ссылается на текст, которого нет в таблице текстов книги"),
        ("xml", "XML книги испорчен"),
        ("zip", "ZIP-архив книги испорчен"),
    )
    for word, reason in known:
        if word in text.lower():
            return reason
    return "книга испорчена"


def read_xlsx(path: Path, progress: bool = False) -> dict[str, RawSheet]:
    """Every sheet of an ``.xlsx`` file, keyed by its name as written.

    The file is first checked (:mod:`sferum_lib.workbook.guard`): a file that would make the reader allocate
    gigabytes is refused before the reader sees it.
    """
    from python_calamine import CalamineWorkbook  # lazy: calamine is only needed for Excel input

    from sferum_lib.workbook.guard import check_xlsx

    check_xlsx(path)
    # calamine raises its own types for damaged files; a Rust panic arrives as a BaseException
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as exc:
        raise _file_problem(path, f"не читается как книга Excel (.xlsx): {_reader_reason(exc)}") from None
    sheets: dict[str, RawSheet] = {}
    show = progress and path.stat().st_size > PROGRESS_BYTES
    from sferum_lib.workbook.columnar import xlsx_sheets

    names = list(book.sheet_names)
    fast = xlsx_sheets(path, names)  # a big book: its sheets read whole by fastexcel, two at a time, in order
    for name in _bar(names, "Чтение книги", show):
        read = next(fast, (name, None))[1]
        if read is not None:
            headers, columns, header_row, rows = read
            sheets[name] = RawSheet(name, headers, header_row, None, rows, columns)
            continue
        try:
            records = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except BaseException as exc:
            raise InputFileError(
                str(path), [Problem(name, None, "", "", f"лист не читается: {_reader_reason(exc)}", file=path.name)]
            ) from None
        sheets[name] = _raw_sheet(name, records)  # rows are lists already
    return sheets


class _Undecodable(Exception):
    def __init__(self, row: int, expected: str) -> None:
        super().__init__(expected)
        self.row = row
        self.expected = expected


def decode(data: bytes) -> str:
    """CSV text as Russian Excel writes it: UTF-8 (with or without BOM) or Windows-1251.

    A UTF-8 file with a few broken bytes is not silently read as Windows-1251 (it would turn every Russian letter
    into two others): it is refused, naming the line of the first bad byte.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    if _surely_not_utf8(data) or not _mostly_utf8(data):
        return _cp1251(data)
    line = data.count(b"\n", 0, bad_at) + 1
    raise _Undecodable(
        line,
        f"файл в кодировке UTF-8, но байт {data[bad_at]:#04x} в этой строке ею не читается (файл испорчен "
        "или склеен из частей в разных кодировках); сохраните файл заново в UTF-8",
    )


def _mostly_utf8(data: bytes) -> bool:
    """More non-ASCII letters read well as UTF-8 than bytes that do not: a UTF-8 file with a few broken bytes."""
    rough = data.decode("utf-8", errors="replace")
    broken = rough.count("\ufffd")
    good = len(rough) - len(rough.encode("ascii", errors="ignore")) - broken  # non-ASCII letters read well
    return good > broken


#: From this size on a file's encoding is first told by counting bytes (a small file decodes in no time).
COUNTED_BYTES = 1_000_000


def _surely_not_utf8(data: bytes) -> bool:
    """``not _mostly_utf8(data)`` told from byte counts alone, without decoding (False: count it out).

    Each non-ASCII letter read well begins with a lead byte (C2–F4) followed by a continuation byte (80–BF), so
    there are at most ``pairs`` of them, holding at most 4 bytes each; each replacement character stands for 1
    to 3 bytes. Of ``high`` non-ASCII bytes, at least (high − 4·pairs)/3 are then replacements, and when that
    is at least ``pairs`` the good letters cannot outnumber them. Windows-1251 Russian text has hardly any such
    pairs, so a big file skips the full decoding with replacements.
    """
    if len(data) < COUNTED_BYTES:
        return False
    raw = np.frombuffer(data, dtype=np.uint8)
    high = int(np.count_nonzero(raw >= 0x80))
    lead = (raw[:-1] >= 0xC2) & (raw[:-1] <= 0xF4)
    pairs = int(np.count_nonzero(lead & (raw[1:] >= 0x80) & (raw[1:] <= 0xBF)))
    return high >= 7 * pairs


def _cp1251(data: bytes) -> str:
    try:
        return data.decode("cp1251")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _Undecodable(
            line, "файл не читается ни в UTF-8, ни в Windows-1251; сохраните его из Excel как «CSV UTF-8»"
        ) from None


_HEAD_CHARS = 65_536


def _delimiter(text: str) -> str:
    # the first non-blank line, looked for in the file's head first: splitting a 100 MB text costs a second
    head = text[:_HEAD_CHARS]
    lines = head.splitlines()
    if len(head) < len(text):
        lines = lines[:-1]  # the head's last line may be cut short
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        first = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if first.count(";") >= first.count(",") else ","


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        limit = f"{csv.field_size_limit():,}".replace(",", " ")
        return f"значение длиннее {limit} символов — это не данные книги (возможно, не закрыта кавычка)"
    if "expected after" in text:
        return 'после закрывающей кавычки идёт текст: кавычку внутри значения пишут двойной («""»)'
    if "end of data" in text:
        return "кавычка открыта и не закрыта до конца файла"
    if "nul" in text.lower():
        return "в строке символ NUL (U+0000): файл не текстовый или испорчен"
    return "строка не разбирается как CSV (проверьте кавычки и разделители)"


def read_csv_text(name: str, text: str, file: str = "") -> RawSheet:
    """One CSV file as a raw sheet; ``file`` (the file's name) is what errors name."""
    file = file or f"{name}.csv"
    delimiter = _delimiter(text)
    if len(text) >= PLAIN_CHARS:
        from sferum_lib.workbook.columnar import csv_columns

        found = csv_columns(text, delimiter)
        if found is not None:
            headers, columns, rows = found
            return RawSheet(name, headers, 1, None, rows, columns)
        plain = _read_plain(name, text, delimiter)
        if plain is not None:
            return plain
    # The usual file is read whole by the C reader; when a record spans lines or the reader fails, the file is
    # read again record by record to say where (a quote left open is the usual cause).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        records: list[list[object]] = list(reader)  # type: ignore[arg-type]
    except csv.Error:
        records = []
    else:
        if reader.line_num == len(records):  # one line, one record: the line numbers are the row numbers
            return _raw_sheet(name, records)
    return _read_csv_records(name, text, file, delimiter)


#: From this many characters on a CSV is read by polars (or pandas' C parser); below, their fixed cost (importing
#: polars, a few ms a file) is more than the csv module spends on the whole file.
PLAIN_CHARS = 200_000


def _read_plain(name: str, text: str, delimiter: str) -> RawSheet | None:
    """A file without quotes, carriage returns or blank rows, every row as wide as the first; else None.

    Such a file is nothing but lines cut at the delimiter, exactly as the ``csv`` module reads it, and pandas'
    C parser cuts it straight into columns, without a Python list per record (two to three times quicker at
    a million rows). Anything else (quotes, ragged or blank rows, a BOM, NUL) goes the ``csv`` module's way,
    which also knows how to tell what is wrong.
    """
    if not text or '"' in text or "\r" in text or "\x00" in text or text.startswith("\ufeff"):
        return None
    body = text[:-1] if text.endswith("\n") else text  # the csv module makes no record of a final line break
    first = body.split("\n", 1)[0]
    if not first.replace(delimiter, "").strip():
        return None
    width = first.count(delimiter) + 1
    try:
        grid = pd.read_csv(
            io.BytesIO(body.encode("utf-8")),
            encoding="utf-8",
            sep=delimiter,
            header=None,
            names=range(width),
            dtype=object,
            na_filter=False,
            quoting=csv.QUOTE_NONE,
            skip_blank_lines=False,
            engine="c",
        )
    except (ValueError, UnicodeError, pd.errors.ParserError):  # a row wider than the first, a lone surrogate
        return None
    lines = body.count("\n") + 1
    # no row is wider than the first (the parser refused it), so as many delimiters as rows × width means none
    # is narrower either (the parser would pad it with empty texts where the csv module's way gives None)
    if len(grid) != lines or body.count(delimiter) != (width - 1) * lines:
        return None
    columns = [grid[i].to_numpy(dtype=object) for i in range(width)]
    # a blank row (only spaces and delimiters) would need renumbering: rare, left to the csv module's way
    if not all(isinstance(v, str) and v.strip() for v in columns[0]):
        return None
    cells = pd.DataFrame({i: pd.Series(c[1:], dtype=object, copy=False) for i, c in enumerate(columns)}, copy=False)
    headers = [h.strip() for h in first.split(delimiter)]
    return RawSheet(name, headers, 1, cells, np.arange(2, lines + 1, dtype=np.int64))


def _read_csv_records(name: str, text: str, file: str, delimiter: str) -> RawSheet:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[object]] = []
    numbers: list[int] = []
    problems: list[Problem] = []
    start = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem("", start, "", "", _csv_reason(exc), file=file))
            break
        if reader.line_num > start:  # a quoted value ran over a line break: usually a quote left open
            problems.append(
                Problem(
                    "",
                    start,
                    "",
                    "",
                    f"значение в кавычках занимает строки {start}–{reader.line_num}: похоже, кавычка не закрыта "
                    '(кавычку внутри значения пишут двойной «""», перенос строки внутри значения не допускается)',
                    file=file,
                )
            )
        records.append(list(record))
        numbers.append(start)
        start = reader.line_num + 1
    if problems:
        raise InputFileError(file, problems)
    return _raw_sheet(name, records, numbers)


def _read_csv_file(file: Path) -> RawSheet:
    try:
        text = decode(file.read_bytes())
    except _Undecodable as exc:
        raise InputFileError(str(file), [Problem("", exc.row, "", "", exc.expected, file=file.name)]) from None
    return read_csv_text(file.stem, text, file.name)


def read_csv_folder(path: Path, progress: bool = False) -> dict[str, RawSheet]:
    """Every ``*.csv`` of a folder, keyed by the file name without its extension.

    Problems in the files themselves (a bad byte, an open quote) are gathered from every file before raising.
    """
    files = sorted(f for f in path.iterdir() if f.suffix.lower() == ".csv" and f.is_file())
    show = progress and sum(f.stat().st_size for f in files) > PROGRESS_BYTES
    sheets: dict[str, RawSheet] = {}
    problems: list[Problem] = []
    for file in _bar(files, "Чтение файлов CSV", show):
        try:
            sheets[file.stem] = _read_csv_file(file)
        except InputFileError as exc:
            problems += exc.problems
    if problems:
        raise InputFileError(str(path), problems)
    return sheets


def read_source(path: str | Path, progress: bool = False) -> dict[str, RawSheet]:
    """Read an ``.xlsx`` file or a CSV folder; a missing or unsupported path is an input error."""
    source = Path(path)
    if source.is_dir():
        return read_csv_folder(source, progress)
    if source.is_file() and source.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(source, progress)
    if source.is_file() and source.suffix.lower() == ".csv":
        return {source.stem: _read_csv_file(source)}
    if not source.exists():
        expected = "файл или папка не найдены"
    else:
        expected = "ожидается книга Excel (.xlsx) или папка с файлами .csv"
    raise InputFileError(str(path), [Problem("", None, "", "", expected, file=source.name)])


def match_sheets(sheets: dict[str, RawSheet]) -> dict[str, RawSheet]:
    """Key raw sheets by normalised name, so «участники чатов» finds «Участники чатов»."""
    return {normalise_header(name): sheet for name, sheet in sheets.items()}
