"""Checking an ``.xlsx`` file's size and shape before any Excel reader opens it.

An ``.xlsx`` is a ZIP archive of XML parts. A 14 KB file can declare a cell at XFD1048576 (the reader then tries
to allocate the whole 1,048,576 × 16,384 grid and the process aborts), and a few megabytes of shared strings can
unpack to gigabytes. So before python-calamine sees the file, this module inflates every part itself, in bounded
chunks, counting the real unpacked bytes (not the sizes the archive claims), and scans each worksheet's XML for
the real last row and column. Anything past :data:`LIMITS` is refused with a Russian message naming the file.

The limits are generous for a real organisation of a million people: such a workbook unpacks to about 0.8 GB
(measured: 100,000 people give 81 MB) and its largest sheet holds about a million rows of a dozen columns.
"""

from __future__ import annotations

import html
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from sferum_lib.errors import InputFileError, Problem, visible


@dataclass(frozen=True)
class Limits:
    """What a workbook may hold; README «Работа со своими данными» documents these numbers."""

    rows: int = 1_048_576  # Excel's own maximum per sheet
    columns: int = 200  # the contract has at most 15; the rest is room for the user's own columns
    cells: int = 60_000_000  # rows × columns summed over the sheets (a million people use about 14 million)
    empty_rows: int = 100_000  # rows the last filled cell may lie below the rows that hold data
    unpacked_bytes: int = 2 * 1024**3  # all parts together, unpacked
    shared_strings_bytes: int = 300 * 1024**2  # the table of texts, which the reader keeps in memory whole
    parts: int = 10_000  # files inside the archive: a workbook has a few dozen, with pictures a few hundred


LIMITS = Limits()

_CHUNK = 1 << 20
_MAX_TAG = 1 << 20
_SIGNATURES = {
    b"\xd0\xcf\x11\xe0": "это книга старого формата Excel 97–2003 (.xls) или книга, защищённая паролем: "
    "откройте её в Excel и сохраните как «Книга Excel (.xlsx)» без пароля",
    b"%PDF": "это документ PDF, а не книга Excel",
}

_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\s[^>]*?\bref=[\"']([^\"']*)[\"']")
_ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row[\s>/]")
_REF = re.compile(rb"<(?:[\w.-]+:)?(?:c|row)\s[^>]*?(?<![\w:.-])r=[\"']([A-Za-z]{0,4})([0-9]{1,9})[\"']")
# a cell or a row without an «r» attribute: its place is counted from its neighbours
_UNNUMBERED = re.compile(rb"<(?:[\w.-]+:)?(?:c|row)(?=[\s>/])(?![^>]*(?<![\w:.-])r=)")
_TOKEN = re.compile(rb"<(?:[\w.-]+:)?(c|row)(?=[\s>/])([^>]*)>")
_ATTR_R = re.compile(rb"(?<![\w:.-])r=[\"']([A-Za-z]{0,4})([0-9]{0,9})[\"']")
_SHEET_REL = re.compile(rb"<(?:[\w.-]+:)?Relationship\s[^>]*>")
_TARGET = re.compile(rb"\bTarget=[\"']([^\"']+)[\"']")


def _refuse(path: Path, text: str) -> InputFileError:
    return InputFileError(str(path), [Problem("", None, "", "", text, file=path.name)])


def _size(n: int) -> str:
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} ГБ".replace(".", ",")
    return f"{max(1, round(n / 1024**2))} МБ"


def _number(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _column_letters(n: int) -> str:
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _Broken(Exception):
    """A part of the archive that cannot be inflated as its header says."""


def _inflate(fp, info: zipfile.ZipInfo, budget: int) -> Iterator[bytes]:
    """The unpacked bytes of one part, read from the compressed stream itself, at most ``budget + 1`` of them.

    The sizes in the archive's directory are not trusted: a reader that inflates to the end of the stream would
    get more than they claim, so the stream is inflated here the same way.
    """
    if info.flag_bits & 0x1:
        raise _Broken("часть архива зашифрована")
    fp.seek(info.header_offset)
    header = fp.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise _Broken("повреждён заголовок части архива")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    fp.seek(info.header_offset + 30 + name_len + extra_len)
    left = info.compress_size
    produced = 0
    if info.compress_type == zipfile.ZIP_STORED:
        while left > 0 and produced <= budget:
            data = fp.read(min(_CHUNK, left))
            if not data:
                raise _Broken("архив обрывается")
            left -= len(data)
            produced += len(data)
            yield data
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise _Broken("неподдерживаемый способ сжатия")
    inflater = zlib.decompressobj(-15)
    pending = b""
    while not inflater.eof and produced <= budget:
        if not pending:
            if left <= 0:
                raise _Broken("архив обрывается")
            pending = fp.read(min(_CHUNK, left))
            if not pending:
                raise _Broken("архив обрывается")
            left -= len(pending)
        try:
            data = inflater.decompress(pending, _CHUNK)
        except zlib.error as exc:
            raise _Broken("данные части архива повреждены") from exc
        pending = inflater.unconsumed_tail
        if data:
            produced += len(data)
            yield data


@dataclass
class _Extent:
    """What a worksheet really fills: its last row and column and how many rows it has."""

    max_row: int = 0
    max_col: int = 0
    rows: int = 0
    unnumbered: bool = False
    declared: str = ""


_PAD = bytes(32)
# what may follow a tag's name: a space, a line break, a tab, «>» or «/»
_END = np.zeros(256, dtype=bool)
_END[[32, 9, 10, 13, 62, 47]] = True
_LT, _COLON, _QUOTE = 60, 58, 34
_C, _R, _O, _W, _EQ = 99, 114, 111, 119, 61
_SPAN = np.arange(16)


def _words(buf: np.ndarray, size: int, needle: bytes) -> list[tuple[int, np.ndarray]]:
    """``needle`` (2 or 4 bytes) compared as one word at every byte offset: (offset, hits) for each alignment."""
    width = len(needle)
    dtype = "<u2" if width == 2 else "<u4"
    word = np.frombuffer(needle, dtype=dtype)[0]
    out = []
    for offset in range(width):
        count = (size - offset) // width
        out.append((offset, buf[offset : offset + width * count].view(dtype) == word))
    return out


def _find(buf: np.ndarray, size: int, needle: bytes) -> np.ndarray:
    width = len(needle)
    return np.concatenate([np.flatnonzero(hits) * width + offset for offset, hits in _words(buf, size, needle)])


def _scan_numbered(chunk: bytes, extent: _Extent) -> bool:
    """The usual case, vectorised: every cell written ``<c r="A1"``, no prefixed tags. False when not so.

    Regular expressions over a million-row sheet took longer than reading it; comparing the bytes as words with
    numpy keeps a normal import about as fast as before.
    """
    size = len(chunk)
    buf = np.frombuffer(chunk + _PAD, dtype=np.uint8)
    # «x:c», «x:row»: a prefixed cell or row; text such as «10:c» only costs the slow scan
    colon_c, colon_r = _find(buf, size, b":c"), _find(buf, size, b":r")
    if _END[buf[colon_c + 2]].any() or ((buf[colon_r + 2] == _O) & (buf[colon_r + 3] == _W)).any():
        return False
    lt = _find(buf, size, b"<c")
    second = buf[lt + 2]
    cell = _END[second]
    numbered = cell & (second == 32) & (buf[lt + 3] == _R) & (buf[lt + 4] == _EQ) & (buf[lt + 5] == _QUOTE)
    cells = int(np.count_nonzero(cell))
    if cells != int(np.count_nonzero(numbered)):
        return False
    lt_r = _find(buf, size, b"<r")
    extent.rows += int(np.count_nonzero((buf[lt_r + 2] == _O) & (buf[lt_r + 3] == _W) & _END[buf[lt_r + 4]]))
    if not cells:
        return True
    starts = lt[numbered] + 6
    window = buf[starts[:, None] + _SPAN]
    letters = np.argmin((window >= 65) & (window <= 90), axis=1)
    quote = np.argmax(window == _QUOTE, axis=1)
    index = np.arange(len(starts))
    digits = quote - letters
    digit_run = ((window >= 48) & (window <= 57)) | (_SPAN[None, :] < letters[:, None])
    if (
        np.any((letters < 1) | (letters > 4) | (digits < 1) | (digits > 9))
        or np.any(window[index, quote] != _QUOTE)
        or np.any(np.argmin(digit_run, axis=1) != quote)
    ):
        return False  # a reference of another form (lower case, too long): the general scan reads it
    column = np.zeros(len(starts), dtype=np.int64)
    for k in range(int(letters.max())):
        column = np.where(k < letters, column * 26 + window[:, k].astype(np.int64) - 64, column)
    number = np.zeros(len(starts), dtype=np.int64)
    for j in range(int(digits.max())):
        digit = window[index, np.minimum(letters + j, 15)].astype(np.int64) - 48
        number = np.where(j < digits, number * 10 + digit, number)
    extent.max_col = max(extent.max_col, int(column.max()))
    extent.max_row = max(extent.max_row, int(number.max()))
    return True


def _scan_fast(chunk: bytes, extent: _Extent, first: bool) -> None:
    if first and (m := _DIMENSION.search(chunk[:4096])):
        extent.declared = m.group(1).decode("ascii", "replace")
    if _scan_numbered(chunk, extent):
        return
    extent.rows += len(_ROW_TAG.findall(chunk))
    refs = _REF.findall(chunk)
    if refs:
        extent.max_row = max(extent.max_row, max(int(r) for _, r in refs))
        letters = max((c for c, _ in refs), key=lambda c: (len(c), c.upper()))
        extent.max_col = max(extent.max_col, _column_number(letters))
    if _UNNUMBERED.search(chunk):
        extent.unnumbered = True


class _Walk:
    """The exact places of cells that carry no «r»: each row and cell counts from the one before, as readers do."""

    def __init__(self) -> None:
        self.row = 0
        self.col = 0

    def scan(self, chunk: bytes, extent: _Extent) -> None:
        for kind, attrs in _TOKEN.findall(chunk):
            ref = _ATTR_R.search(attrs)
            if kind == b"row":
                extent.rows += 1
                self.row = int(ref.group(2)) if ref and ref.group(2) else self.row + 1
                self.col = 0
            else:
                if ref and ref.group(1):
                    self.col = _column_number(ref.group(1))
                    if ref.group(2):
                        self.row = int(ref.group(2))
                else:
                    self.col += 1
                extent.max_col = max(extent.max_col, self.col)
            extent.max_row = max(extent.max_row, self.row)


def _chunks_by_tag(stream: Iterator[bytes]) -> Iterator[bytes]:
    """Re-cut a byte stream so that no tag is split between two pieces."""
    carry = b""
    for data in stream:
        data = carry + data
        cut = data.rfind(b"<")
        if cut >= 0 and data.find(b">", cut) < 0:
            carry, data = data[cut:], data[:cut]
            if len(carry) > _MAX_TAG:
                raise _Broken("в XML листа слишком длинный тег")
        else:
            carry = b""
        if data:
            yield data
    if carry:
        yield carry


_SHEET_TAG = re.compile(rb"<(?:[\w.-]+:)?sheet\s[^>]*>")
_NAME = re.compile(rb"\bname=[\"']([^\"']*)[\"']")
_RID = re.compile(rb"(?<![\w.-])(?:[\w.-]+:)?id=[\"']([^\"']*)[\"']")
_REL_ID = re.compile(rb"\bId=[\"']([^\"']*)[\"']")


def _small_part(zf: zipfile.ZipFile, fp, name: str) -> bytes:
    """A small part (the workbook's list of sheets, its relationships), read with a cap of 16 MB."""
    if name not in zf.NameToInfo:
        return b""
    data = b"".join(_inflate(fp, zf.getinfo(name), 16 * 1024**2))
    if len(data) > 16 * 1024**2:
        raise _Broken(f"часть «{name}» слишком велика")
    return data


def _part_path(target: str) -> str:
    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    parts: list[str] = []
    for piece in PurePosixPath(path).parts:
        if piece == "..":
            parts = parts[:-1]
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _sheet_parts(zf: zipfile.ZipFile, fp) -> dict[str, str]:
    """Worksheet parts → the sheet names the user sees (every part under ``xl/worksheets/`` counts too)."""
    names = set(zf.NameToInfo)
    parts = {n: n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")}
    targets: dict[bytes, str] = {}
    for rel in _SHEET_REL.findall(_small_part(zf, fp, "xl/_rels/workbook.xml.rels")):
        if b"worksheet" in rel and (target := _TARGET.search(rel)) and (rid := _REL_ID.search(rel)):
            targets[rid.group(1)] = _part_path(target.group(1).decode("utf-8", "replace"))
    for tag in _SHEET_TAG.findall(_small_part(zf, fp, "xl/workbook.xml")):
        name, rid = _NAME.search(tag), _RID.search(tag)
        if name and rid and rid.group(1) in targets:
            parts[targets[rid.group(1)]] = _unescape(name.group(1).decode("utf-8", "replace"))
    for target in targets.values():
        parts.setdefault(target, target)
    return {part: sheet for part, sheet in parts.items() if part in names}


def _unescape(text: str) -> str:
    return visible(html.unescape(text))


def _sheet_message(sheet: str, extent: _Extent, limits: Limits, *, sparse: bool = True) -> str | None:
    where = f"на листе «{sheet}»"
    last = f"{_column_letters(extent.max_col)}{extent.max_row}" if extent.max_col else f"строка {extent.max_row}"
    if extent.max_row > limits.rows:
        return f"{where} заполнена ячейка {last}: строк больше предела {_number(limits.rows)}"
    if extent.max_col > limits.columns:
        return (
            f"{where} заполнена ячейка {last}: столбцов больше предела {_number(limits.columns)}; "
            "удалите лишние столбцы справа от данных"
        )
    if sparse and extent.max_row - extent.rows > limits.empty_rows:
        return (
            f"{where} заполнена ячейка {last}, а строк с данными всего {_number(extent.rows)}: "
            f"больше {_number(limits.empty_rows)} пустых строк; удалите лишние ячейки ниже данных"
        )
    return None


def check_xlsx(path: str | Path, limits: Limits = LIMITS) -> None:
    """Refuse an ``.xlsx`` that is not a ZIP workbook, is damaged or exceeds :data:`LIMITS`; read nothing else.

    Memory stays bounded by a few chunks of a megabyte whatever the file holds.
    """
    path = Path(path)
    with path.open("rb") as fp:
        head = fp.read(8)
    if not head:
        raise _refuse(path, "пуст, а ожидается книга Excel (.xlsx)")
    for signature, text in _SIGNATURES.items():
        if head.startswith(signature):
            raise _refuse(path, text)
    if not head.startswith(b"PK"):
        raise _refuse(
            path,
            "не является книгой Excel (.xlsx): внутри нет ZIP-архива, какой Excel пишет в .xlsx. "
            "Если это текст (CSV), сохраните его с расширением .csv; иначе откройте файл в Excel и сохраните "
            "как «Книга Excel (.xlsx)»",
        )
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _refuse(path, "повреждён: ZIP-архив книги оборван или испорчен") from None
    with zf, path.open("rb") as fp:
        _check_archive(path, zf, fp, limits)


def _strings_too_big(limits: Limits) -> str:
    return (
        f"таблица текстов книги (xl/sharedStrings.xml) распаковывается больше чем в "
        f"{_size(limits.shared_strings_bytes)}: так сжимают данные, чтобы переполнить память"
    )


def _check_archive(path: Path, zf: zipfile.ZipFile, fp, limits: Limits) -> None:
    infos = zf.infolist()
    if len(infos) > limits.parts:
        raise _refuse(path, f"в архиве книги {_number(len(infos))} частей, больше предела {_number(limits.parts)}")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise _refuse(path, "не является книгой Excel (.xlsx): в архиве нет листов книги (xl/workbook.xml)")
    declared = sum(i.file_size for i in infos)
    too_big = (
        f"распакованный размер книги больше предела {_size(limits.unpacked_bytes)}: так сжимают данные, "
        "чтобы переполнить память, в настоящей книге такого не бывает"
    )
    if declared > limits.unpacked_bytes:
        raise _refuse(path, too_big.replace("больше предела", f"({_size(declared)}) больше предела", 1))
    try:
        sheets = _sheet_parts(zf, fp)
    except _Broken as exc:
        raise _refuse(path, f"повреждён: {exc}") from None
    total = 0
    extents: dict[str, _Extent] = {}
    for info in infos:
        if info.is_dir():
            continue
        budget = limits.unpacked_bytes - total
        is_strings = info.filename.lower().endswith("sharedstrings.xml")
        if is_strings:
            budget = min(budget, limits.shared_strings_bytes)
            if info.file_size > budget:  # it says so itself: no need to inflate it to find out
                raise _refuse(path, _strings_too_big(limits))
        extent = _Extent() if info.filename in sheets else None
        produced = 0
        try:
            stream = _inflate(fp, info, budget)
            for i, chunk in enumerate(_chunks_by_tag(stream) if extent else stream):
                produced += len(chunk)
                if produced > budget:
                    break
                if extent is not None:
                    _scan_fast(chunk, extent, i == 0)
        except _Broken as exc:
            raise _refuse(path, f"повреждён: {exc} («{info.filename}»)") from None
        if produced > budget:
            if is_strings and budget == limits.shared_strings_bytes:
                raise _refuse(path, _strings_too_big(limits))
            raise _refuse(path, too_big)
        if produced != info.file_size:
            raise _refuse(path, f"повреждён: часть «{info.filename}» не совпадает по размеру с заявленным")
        total += produced
        if extent is not None:
            if extent.unnumbered:
                extent = _walk(fp, info, budget)
            extents[info.filename] = extent
    _check_extents(path, sheets, extents, limits)


def _walk(fp, info: zipfile.ZipInfo, budget: int) -> _Extent:
    extent, walk = _Extent(), _Walk()
    for chunk in _chunks_by_tag(_inflate(fp, info, budget)):
        walk.scan(chunk, extent)
    return extent


def _check_extents(path: Path, sheets: dict[str, str], extents: dict[str, _Extent], limits: Limits) -> None:
    cells = 0
    for part, extent in sorted(extents.items()):
        sheet = sheets[part]
        if extent.declared:
            last = extent.declared.split(":")[-1]
            m = re.fullmatch(r"([A-Za-z]{1,4})([0-9]{1,9})", last)
            if m and (int(m.group(2)) > limits.rows or _column_number(m.group(1).encode()) > limits.columns):
                declared = _Extent(int(m.group(2)), _column_number(m.group(1).encode()), extent.rows)
                if (message := _sheet_message(sheet, declared, limits, sparse=False)) is not None:
                    raise _refuse(path, message.replace("заполнена ячейка", "объявлен размер листа до ячейки"))
        if (message := _sheet_message(sheet, extent, limits)) is not None:
            raise _refuse(path, message)
        cells += extent.max_row * extent.max_col
    if cells > limits.cells:
        raise _refuse(
            path,
            f"на листах книги {_number(cells)} ячеек (строк × столбцов), больше предела {_number(limits.cells)}; "
            "удалите лишние строки и столбцы вокруг данных",
        )
