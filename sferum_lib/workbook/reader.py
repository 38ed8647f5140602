"""Reading a workbook (``.xlsx``) or a folder of CSV files into raw sheets, before any validation.

A raw sheet keeps the cells as the file holds them, with the row numbers the user sees in Excel (or in a
text editor for CSV), so every later message can point at the right row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sferum_lib.errors import InputFileError, Problem
from sferum_lib.workbook.schema import normalise_header


@dataclass
class RawSheet:
    """A sheet as read: header texts, cells (columns by position) and each data row's number."""

    name: str
    headers: list[str]
    header_row: int
    cells: pd.DataFrame
    rows: np.ndarray

    def __len__(self) -> int:
        return len(self.cells)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _raw_sheet(name: str, records: list[list[object]], numbers: list[int]) -> RawSheet:
    """Build a raw sheet from records and their row numbers: the first non-blank one is the header."""
    kept = [(n, r) for n, r in zip(numbers, records, strict=True) if not all(_is_blank(c) for c in r)]
    if not kept:
        return RawSheet(name, [], 0, pd.DataFrame(), np.array([], dtype=np.int64))
    header_row, header = kept[0]
    width = max(len(header), *(len(r) for _, r in kept))
    headers = [str(h).strip() if h is not None else "" for h in header] + [""] * (width - len(header))
    body = [r + [None] * (width - len(r)) for _, r in kept[1:]]
    cells = pd.DataFrame(body, columns=range(width), dtype=object) if body else pd.DataFrame(columns=range(width))
    rows = np.fromiter((n for n, _ in kept[1:]), dtype=np.int64, count=len(kept) - 1)
    return RawSheet(name, headers, header_row, cells, rows)


#: Files larger than this show a progress bar while they are read (when asked to and on a terminal).
PROGRESS_BYTES = 2_000_000


def _bar(items: list[str], desc: str, show: bool):
    import sys

    from tqdm import tqdm

    return tqdm(items, desc=desc, unit=" лист", file=sys.stderr, disable=not show, leave=False)


def read_xlsx(path: Path, progress: bool = False) -> dict[str, RawSheet]:
    """Every sheet of an ``.xlsx`` file, keyed by its name as written."""
    # lazy import: calamine is only needed for Excel input
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own types for broken or non-Excel files
        problem = Problem(path.name, None, "", "", f"файл не читается как книга Excel (.xlsx): {exc}")
        raise InputFileError(str(path), [problem]) from None
    sheets: dict[str, RawSheet] = {}
    show = progress and path.stat().st_size > PROGRESS_BYTES
    for name in _bar(list(book.sheet_names), "Чтение книги", show):
        sheet = book.get_sheet_by_name(name)
        records = sheet.to_python(skip_empty_area=False)
        sheets[name] = _raw_sheet(name, [list(r) for r in records], list(range(1, len(records) + 1)))
    return sheets


def decode(data: bytes) -> str:
    """CSV text as Russian Excel writes it: UTF-8 (with or without BOM) or Windows-1251."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if first.count(";") >= first.count(",") else ","


def read_csv_text(name: str, text: str) -> RawSheet:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    records: list[list[object]] = []
    numbers: list[int] = []
    start = 1
    for record in reader:
        records.append(list(record))
        numbers.append(start)
        start = reader.line_num + 1
    return _raw_sheet(name, records, numbers)


def read_csv_folder(path: Path, progress: bool = False) -> dict[str, RawSheet]:
    """Every ``*.csv`` of a folder, keyed by the file name without its extension."""
    files = sorted(f for f in path.iterdir() if f.suffix.lower() == ".csv" and f.is_file())
    show = progress and sum(f.stat().st_size for f in files) > PROGRESS_BYTES
    sheets: dict[str, RawSheet] = {}
    for file in _bar(files, "Чтение файлов CSV", show):
        sheets[file.stem] = read_csv_text(file.stem, decode(file.read_bytes()))
    return sheets


def read_source(path: str | Path, progress: bool = False) -> dict[str, RawSheet]:
    """Read an ``.xlsx`` file or a CSV folder; a missing or unsupported path is an input error."""
    source = Path(path)
    if source.is_dir():
        return read_csv_folder(source, progress)
    if source.is_file() and source.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(source, progress)
    if source.is_file() and source.suffix.lower() == ".csv":
        return {source.stem: read_csv_text(source.stem, decode(source.read_bytes()))}
    if not source.exists():
        expected = "файл или папка не найдены"
    else:
        expected = "ожидается книга Excel (.xlsx) или папка с файлами .csv"
    raise InputFileError(str(path), [Problem(source.name, None, "", "", expected)])


def match_sheets(sheets: dict[str, RawSheet]) -> dict[str, RawSheet]:
    """Key raw sheets by normalised name, so «участники чатов» finds «Участники чатов»."""
    return {normalise_header(name): sheet for name, sheet in sheets.items()}
