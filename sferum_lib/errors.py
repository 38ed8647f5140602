"""One exception root for everything the library refuses to do.

Every message is Russian and says what to change; the structured fields let a CLI, a widget or a test
show the problem its own way.
"""

from __future__ import annotations

from dataclasses import dataclass


class SferumError(Exception):
    """Root of the library's errors: a user's mistake or a refused action, never a bug."""


@dataclass(frozen=True)
class Problem:
    """One problem in an input file (ошибка во входных данных).

    ``row`` is the row as Excel (or a text editor for CSV) numbers it; ``column`` is the header as the user
    wrote it. Empty fields mean the problem concerns a whole sheet or column.
    """

    sheet: str
    row: int | None
    column: str
    value: str
    expected: str
    warning: bool = False

    def __str__(self) -> str:
        where = [f"лист «{self.sheet}»"]
        if self.row is not None:
            where.append(f"строка {self.row}")
        if self.column:
            where.append(f"столбец «{self.column}»")
        what = f"значение «{self.value}»: " if self.value else ""
        return f"{', '.join(where)}: {what}{self.expected}"


class InputFileError(SferumError):
    """A workbook or CSV folder that does not follow the contract; carries every problem found."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = [p for p in problems if not p.warning]
        self.warnings = [p for p in problems if p.warning]
        super().__init__(self.summary())

    def summary(self) -> str:
        n = len(self.problems)
        lines = [f"Файл «{self.source}» не принят: ошибок — {n}. Ничего не сохранено."]
        lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)


class CatalogueError(SferumError):
    """The duty catalogue file is malformed."""


class StoreError(SferumError):
    """The store is missing what was asked for (e.g. a snapshot number) or cannot be used."""


class UsageError(SferumError):
    """A command was called with arguments that cannot work."""
