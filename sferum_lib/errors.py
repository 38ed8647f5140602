"""One exception root for everything the library refuses to do.

Every message is Russian and says what to change; the structured fields let a CLI, a widget or a test
show the problem its own way.
"""

from __future__ import annotations

from dataclasses import dataclass


def visible(text: str) -> str:
    """``text`` safe to print: control, invisible and separator characters shown as escapes (``\\x1b``, ``\\u200b``).

    A value read from a user's file may hold terminal escape sequences or characters that look like nothing;
    every message that echoes a value passes it through here, so nothing raw reaches a terminal or a log.
    """
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out)


class SferumError(Exception):
    """Root of the library's errors: a user's mistake or a refused action, never a bug."""


@dataclass(frozen=True)
class Problem:
    """One problem in an input file (ошибка во входных данных).

    ``row`` is the row as Excel (or a text editor for CSV) numbers it; ``column`` is the header as the user
    wrote it. Empty fields mean the problem concerns a whole sheet or column. ``file`` names a file when the
    problem is in the file itself (not a ZIP, a bad byte in a CSV) rather than in a sheet of the workbook.
    """

    sheet: str
    row: int | None
    column: str
    value: str
    expected: str
    warning: bool = False
    file: str = ""

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(f"файл «{visible(self.file)}»")
        if self.sheet:
            where.append(f"лист «{visible(self.sheet)}»")
        if self.row is not None:
            where.append(f"строка {self.row}")
        if self.column:
            where.append(f"столбец «{visible(self.column)}»")
        what = f"значение «{visible(self.value)}»: " if self.value else ""
        return f"{', '.join(where)}: {what}{visible(self.expected)}" if where else f"{what}{visible(self.expected)}"


class InputFileError(SferumError):
    """A workbook or CSV folder that does not follow the contract; carries every problem found."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = [p for p in problems if not p.warning]
        self.warnings = [p for p in problems if p.warning]
        super().__init__(self.summary())

    def summary(self) -> str:
        n = len(self.problems)
        lines = [f"Файл «{visible(self.source)}» не принят: ошибок — {n}. Ничего не сохранено."]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)


class CatalogueError(SferumError):
    """The duty catalogue file is malformed."""


class StoreError(SferumError):
    """The store is missing what was asked for (e.g. a snapshot number) or cannot be used."""


class UsageError(SferumError):
    """A command was called with arguments that cannot work."""


class ExportError(SferumError):
    """A snapshot holds a value an Excel workbook cannot keep (a text longer than a cell, a control character)."""


def os_error_text(exc: OSError) -> str:
    """What went wrong with a file or folder, in Russian, naming the path (the system's own words are English)."""
    import errno

    path = visible(str(exc.filename)) if exc.filename is not None else ""
    where = f"«{path}»" if path else "файл или папку"
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return f"нет прав на {where}: в этой папке писать (или читать) нельзя. Выберите другую папку, свою."
    if exc.errno == errno.EROFS:
        return f"{where} — на носителе только для чтения. Выберите другую папку."
    if exc.errno == errno.ENOSPC:
        return f"на диске не осталось места (при записи {where}). Освободите место и повторите."
    if isinstance(exc, NotADirectoryError):
        return f"в пути {where} вместо папки стоит файл. Укажите папку (или новое имя папки)."
    if isinstance(exc, IsADirectoryError):
        return f"{where} — папка, а нужен файл. Укажите имя файла."
    if isinstance(exc, FileExistsError):
        return f"{where} уже есть, и это файл, а не папка. Укажите новое имя папки."
    if isinstance(exc, FileNotFoundError):
        return f"нет файла или папки {where}."
    return f"не удалось работать с {where} (системная ошибка № {exc.errno})."
