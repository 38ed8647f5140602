"""Checking an ``.xlsx`` file's size and shape before any Excel reader opens it.

An ``.xlsx`` is a ZIP archive of XML parts. A 14 KB file can declare a cell at XFD1048576 (the reader then tries
to allocate the whole 1,048,576 × 16,384 grid and the process aborts), and a few megabytes of shared strings can
unpack to gigabytes. So before python-calamine sees the file, this module inflates every part itself, in bounded
chunks, counting the real unpacked bytes (not the sizes the archive claims), and scans each worksheet's XML for
the real last row and column. Anything past :data:`LIMITS` is refused with a Russian message naming the file.

What is measured is what the readers allocate from. calamine (python-calamine and fastexcel) builds a sheet's grid
from the smallest and largest row and column of its cells, each taken from the cell's own «r» attribute (the
last one when a tag has several; spaces around «=» allowed; any number of letters and digits, the row in 32 bits)
or, for a cell without one, counted on from the row's «r» and the cell before it. The ``<dimension>`` only sizes a
first reservation below 100,000 cells, and the order of rows does not matter. So the scan takes the largest of
every «r» in the sheet, and counts the places of cells without one as the reader does; the ``<dimension>`` is
checked on its own.

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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from sferum_lib.errors import InputFileError, Problem, visible

try:  # ISA-L inflates the same streams in less than half zlib's time (a million people: 1.8 s → 0.8 s)
    from isal import isal_zlib as _zlib
except ImportError:  # pragma: no cover - the package is optional
    _zlib = zlib


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
# every «r» attribute anywhere, however long its value and with spaces around «=» (the readers accept both): the
# exact path takes the largest of them, so a reference the tag scan below mis-reads still counts
_ANY_R = re.compile(rb"(?<![\w:.-])r\s*=\s*[\"']([A-Za-z]*)([0-9]*)[\"']")
# a tag's attributes, read as the XML reader does: «>» inside a quoted value does not end the tag. A value or tag
# left open runs to the piece's end, so every match succeeds where it starts and the scan stays linear (searches
# failing far away, one from every «<c», took 10 s for 48 KB of «<c t="», and grew with the square)
_ATTRS = rb"(?:[^>\"']|\"[^\"]*(?:\"|\Z)|'[^']*(?:'|\Z))*"
# a comment, CDATA or instruction left open runs to the piece's end: one match, not a search from every «<!--»
_TOKEN = re.compile(
    rb"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)|<\?.*?(?:\?>|\Z)|<(/?)(?:[\w.-]+:)?(c|row)(?=[\s>/])("
    + _ATTRS
    + rb")(?:>|\Z)",
    re.S,
)
_SHEET_REL = re.compile(rb"<(?:[\w.-]+:)?Relationship\s[^>]*(?:>|\Z)")  # open to the end: linear, see _ATTRS
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
    inflater = _zlib.decompressobj(-15)
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
        except (zlib.error, _zlib.error) as exc:
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
# what an attribute's name may hold («header=» is no «r»); bytes from 0x80 on are left out, which can only count more
_NAME_BYTE = np.zeros(256, dtype=bool)
_NAME_BYTE[[*b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:.-"]] = True
_LT, _COLON, _QUOTE = 60, 58, 34
_O, _W = 111, 119
# a byte's kind in a reference: 1 a capital letter, 2 a digit
_KIND = np.zeros(256, dtype=np.uint8)
_KIND[65:91] = 1
_KIND[48:58] = 2
_CELL_HEAD = int.from_bytes(b'<c r="', "little")  # the first 6 bytes of a numbered cell
_ROW_HEAD = int.from_bytes(b"<row r=", "little")  # the first 7 bytes of a numbered row
_OW = int.from_bytes(b"ow", "little")
_LT_C = int.from_bytes(b"<c", "little")
_TOP_BITS = np.array([1 << (8 * i + 7) for i in range(8)], dtype=np.uint64)


def _words(buf: np.ndarray, size: int, needles: tuple[bytes, ...]) -> list[tuple[int, np.ndarray]]:
    """Any of ``needles`` (all 2 or all 4 bytes) compared as one word at every byte offset: (offset, hits) for each
    alignment. Several needles in one go spare passes over the megabyte."""
    width = len(needles[0])
    dtype = "<u2" if width == 2 else "<u4"
    out = []
    for offset in range(width):
        words = buf[offset : offset + width * ((size - offset) // width)].view(dtype)
        hits = words == np.frombuffer(needles[0], dtype=dtype)[0]
        for needle in needles[1:]:
            hits |= words == np.frombuffer(needle, dtype=dtype)[0]
        out.append((offset, hits))
    return out


def _find(buf: np.ndarray, size: int, *needles: bytes) -> np.ndarray:
    width = len(needles[0])
    return np.concatenate([np.flatnonzero(hits) * width + offset for offset, hits in _words(buf, size, needles)])


def _count(buf: np.ndarray, size: int, *needles: bytes) -> int:
    return sum(int(np.count_nonzero(hits)) for _, hits in _words(buf, size, needles))


def _at(buf: np.ndarray, at: np.ndarray) -> np.ndarray:
    """The 8 bytes from each offset in ``at`` as one little-endian number (``buf`` is padded past its end).

    Two aligned loads and shifts: picking rows of a strided view cost more than everything else together.
    """
    whole = buf[: len(buf) // 8 * 8].view("<u8")
    word, shift = at >> 3, ((at & 7) << 3).astype(np.uint64)
    return (whole[word] >> shift) | (whole[word + 1] << (np.uint64(64) - shift))  # numpy shifts 64 places to 0


def _prefixed(chunk: bytes, buf: np.ndarray, size: int) -> bool:
    """Whether a cell or row tag is written with a prefix («<x:c», «<x:row»); text such as «10:c» also says yes."""
    if chunk.find(b":", 0, size) < 0:  # memchr: most chunks hold no colon at all
        return False
    colon_c, colon_r = _find(buf, size, b":c"), _find(buf, size, b":r")
    return bool(_END[buf[colon_c + 2]].any() or ((buf[colon_r + 2] == _O) & (buf[colon_r + 3] == _W)).any())


def _attributes_r(buf: np.ndarray, size: int) -> int:
    """How many attributes «r» the chunk holds, or more: «r=» after anything but a letter of a name (the readers
    take ``"r=`` without a space before it too; a text such as «x r=1» counts as well)."""
    r_eq = _find(buf, size, b"r=")
    return int(np.count_nonzero(~_NAME_BYTE[buf[r_eq - 1]]))


def _scan_numbered(chunk: bytes, extent: _Extent, size: int | None = None) -> bool:
    """The usual case, vectorised: every cell written ``<c r="A1"``, one «r» a tag. False when not so.

    Regular expressions over a million-row sheet took longer than reading it, so the bytes are compared as words
    with numpy. The checks are what make the shortcut exact: every cell tag must start ``<c r="``, the chunk must
    hold no more attributes «r» than those cells and the rows that start ``<row r=`` (a second «r» in a tag, which
    the readers would take, is one more), no «=» after a space (``r ="``), no prefixed tag, and every reference must be
    one or two capital letters, one to seven digits not starting with 0 and a quote. Anything else — including a
    reference that is simply too far — goes to the exact scan, which reads it whatever its length.
    """
    if size is None:  # the piece alone: the bytes read past its end are zeros
        size, chunk = len(chunk), chunk + _PAD
    buf = np.frombuffer(chunk, dtype=np.uint8)
    controls = [ws for ws in (b"\t", b"\n", b"\r") if chunk.find(ws, 0, size) >= 0]  # memchr: usually none
    if _prefixed(chunk, buf, size) or any(_count(buf, size, ws + b"=") for ws in controls):
        return False
    tags = _find(buf, size, b"<c", b"<r")
    heads = _at(buf, tags)
    is_cell = (heads & 0xFFFF) == _LT_C
    lt, head, head_r = tags[is_cell], heads[is_cell], heads[~is_cell]
    numbered = (head & 0xFFFFFFFFFFFF) == _CELL_HEAD
    cells = int(np.count_nonzero(numbered))
    if cells != int(np.count_nonzero(_END[(head >> 16) & 0xFF])):
        return False  # a cell whose first attribute is not «r»
    rows = int(np.count_nonzero((((head_r >> 16) & 0xFFFF) == _OW) & _END[(head_r >> 32) & 0xFF]))
    expected = cells + int(np.count_nonzero((head_r & 0xFFFFFFFFFFFFFF) == _ROW_HEAD))
    # every numbered cell and row holds one «r=», so one count of « =» and «r=» together equal to them says
    # there is neither an «=» after a space nor another «r=»; when it differs, each is looked at on its own
    if _count(buf, size, b" =", b"r=") != expected and (
        _count(buf, size, b" =") or _attributes_r(buf, size) != expected
    ):
        return False  # an «=» after a space (``r ="``), or one attribute «r» more: perhaps a cell's second
    extent.rows += rows
    if not cells:
        return True
    starts = lt[numbered] + 6
    first, second = buf[starts], buf[starts + 1]
    if not (_KIND[first] == 1).all() or (_KIND[buf[starts + 2]] == 1).any():
        return False  # no capital letter first, or three letters (column 703 on)
    two = _KIND[second] == 1
    # the eight bytes after the letters as one number, the first byte highest; a byte's top bit in ``other`` is
    # set when it is not a digit (0x30–0x39 less 0x30 is below 10; adding 0x76 to 10 and more sets the top bit)
    word = _at(buf, starts + 1 + two).byteswap()
    spread = word ^ 0x3030303030303030
    other = (((spread & 0x7F7F7F7F7F7F7F7F) + 0x7676767676767676) | spread) & 0x8080808080808080
    length = 8 - np.searchsorted(_TOP_BITS, other, side="right")  # the digits before the first other byte
    if not length.all() or (length > 7).any() or ((word >> 56) == 48).any():
        return False  # no digit, eight digits and more (row 10,000,000 on) or a leading zero
    if ((word >> (56 - 8 * length).astype(np.uint64)) & 0xFF != _QUOTE).any():
        return False  # the reference does not end with a quote right after its digits
    longest = int(length.max())
    # without leading zeros the largest number is among the longest, and there the bytes compare as the numbers
    best = int((word[length == longest] >> np.uint64(64 - 8 * longest)).max())
    extent.max_row = max(extent.max_row, int(best.to_bytes(longest, "big")))
    column = first.astype(np.int32) - 64
    column = np.where(two, column * 26 + second.astype(np.int32) - 64, column)
    extent.max_col = max(extent.max_col, int(column.max()))
    return True


def _scan_fast(data: bytes, size: int, extent: _Extent, first: bool) -> None:
    """One piece of ``_chunks_by_tag``: its first ``size`` bytes."""
    if first and (m := _DIMENSION.search(data[: min(size, 4096)])):
        extent.declared = m.group(1).decode("ascii", "replace")
    if _scan_numbered(data, extent, size):
        return
    chunk = data[:size]
    extent.rows += len(_ROW_TAG.findall(chunk))
    _largest_reference(chunk, extent)
    if any(kind == b"c" and not closing and not _ANY_R.search(attrs) for closing, kind, attrs in _TOKEN.findall(chunk)):
        extent.unnumbered = True


def _largest_reference(chunk: bytes, extent: _Extent) -> None:
    """Every «r» of the chunk, whatever tag it stands in: the largest row and column any of them names."""
    refs = _ANY_R.findall(chunk)
    if refs:
        extent.max_row = max(extent.max_row, max(int(r) if r else 0 for _, r in refs))
        letters = max((c for c, _ in refs), key=lambda c: (len(c), c.upper()))
        extent.max_col = max(extent.max_col, _column_number(letters))


class _Walk:
    """The places of cells that carry no «r», counted as the reader counts them.

    A row's «r» sets the row, the end of a row moves to the next one and back to its first column; a cell with an
    «r» sets the column the next cell without one follows. When a tag carries several «r», the largest counts.
    """

    def __init__(self) -> None:
        self.row = 1
        self.col = 0

    def scan(self, chunk: bytes, extent: _Extent) -> None:
        for closing, kind, attrs in _TOKEN.findall(chunk):
            if not kind:  # a comment, CDATA or processing instruction: nothing the reader places
                continue
            if kind == b"row":
                if closing:
                    self.row += 1
                    self.col = 0
                    continue
                extent.rows += 1
                refs = [int(r) for _, r in _ANY_R.findall(attrs) if r]
                if refs and not attrs.rstrip().endswith(b"/"):
                    self.row = max(refs)
                extent.max_row = max(extent.max_row, self.row)
            elif not closing:
                refs = _ANY_R.findall(attrs)
                letters = [c for c, _ in refs if c]
                if letters:
                    self.col = max(_column_number(c) for c in letters)
                else:
                    self.col += 1
                rows = [int(r) for _, r in refs if r]
                extent.max_row = max(extent.max_row, max(rows) if rows else self.row)
                extent.max_col = max(extent.max_col, self.col)
        _largest_reference(chunk, extent)


def _chunks_by_tag(stream: Iterator[bytes]) -> Iterator[tuple[bytes, int]]:
    """Re-cut a byte stream so that no tag is split between two pieces: (bytes, length of the piece).

    The bytes go on past the piece — the start of the next, cut-off tag, then zeros — because the vectorised scan
    reads a few bytes past each tag; one copy of a megabyte instead of three.
    """
    carry = b""
    for data in stream:
        joined = b"".join((carry, data, _PAD))
        end = len(joined) - len(_PAD)
        cut = joined.rfind(b"<", 0, end)
        if cut >= 0 and joined.find(b">", cut, end) < 0:
            carry, size = joined[cut:end], cut
            if len(carry) > _MAX_TAG:
                raise _Broken("в XML листа слишком длинный тег")
        else:
            carry, size = b"", end
        if size:
            yield joined, size
    if carry:
        yield carry + _PAD, len(carry)


_SHEET_TAG = re.compile(rb"<(?:[\w.-]+:)?sheet\s[^>]*(?:>|\Z)")
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
    # the big sheets are scanned after the rest, two at a time: inflating and numpy let go of the GIL
    # (the largest first: the two threads then finish close together)
    big = [i for i in infos if i.filename in sheets and i.file_size >= PARALLEL_BYTES and not i.is_dir()]
    big.sort(key=lambda i: -i.file_size)
    total = sum(i.file_size for i in big)
    extents: dict[str, _Extent] = {}
    for info in infos:
        if info.is_dir() or info in big:
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
            for i, (data, size) in enumerate(_chunks_by_tag(stream) if extent else ((d, len(d)) for d in stream)):
                produced += size
                if produced > budget:
                    break
                if extent is not None:
                    _scan_fast(data, size, extent, i == 0)
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
                extent = _walk(fp, info, budget, extent.declared)
            extents[info.filename] = extent
    if big:
        with ThreadPoolExecutor(min(THREADS, len(big))) as pool:
            for info, (extent, problem) in zip(big, pool.map(lambda i: _big_sheet(path, i), big), strict=True):
                if problem is not None:
                    raise _refuse(path, problem)
                extents[info.filename] = extent
    _check_extents(path, sheets, extents, limits)


#: Sheets from this unpacked size on are scanned in threads, :data:`THREADS` at a time.
PARALLEL_BYTES = 8 * 1024**2
THREADS = 2


def _big_sheet(path: Path, info: zipfile.ZipInfo) -> tuple[_Extent, str | None]:
    """One big sheet's extent, read through its own file handle; or why the part is refused.

    It may unpack to exactly the size it declares and not a byte more (the declared sizes of all parts were
    checked against the limit), so a lying part stops after the bytes it claimed.
    """
    extent, produced = _Extent(), 0
    with path.open("rb") as fp:
        try:
            for i, (data, size) in enumerate(_chunks_by_tag(_inflate(fp, info, info.file_size))):
                produced += size
                if produced > info.file_size:
                    break
                _scan_fast(data, size, extent, i == 0)
            if produced == info.file_size and extent.unnumbered:
                extent = _walk(fp, info, info.file_size, extent.declared)
        except _Broken as exc:
            return extent, f"повреждён: {exc} («{info.filename}»)"
    if produced != info.file_size:
        return extent, f"повреждён: часть «{info.filename}» не совпадает по размеру с заявленным"
    return extent, None


def _walk(fp, info: zipfile.ZipInfo, budget: int, declared: str) -> _Extent:
    extent, walk = _Extent(declared=declared), _Walk()
    for data, size in _chunks_by_tag(_inflate(fp, info, budget)):
        walk.scan(data[:size], extent)
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
