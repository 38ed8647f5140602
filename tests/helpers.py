"""Workbooks built in code, next to the tests that need them.

``clean_book()`` is a small organisation that follows the regulation completely on ``AS_OF``: its audit is
empty. A test changes one thing and expects exactly the finding that one change should cause.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from sferum_lib.model import Snapshot
from sferum_lib.workbook.importer import build_snapshot
from sferum_lib.workbook.reader import _raw_sheet

AS_OF = dt.date(2026, 10, 15)
D = dt.date

Book = dict[str, list[list[Any]]]

_CLEAN: Book = {
    "Организация": [
        ["Параметр", "Значение"],
        ["Полное наименование", "Учреждение дополнительного образования «Тест»"],
        ["Краткое наименование", "УДО «Тест»"],
        ["Руководитель", "E01"],
        ["Администратор платформы", "E02"],
        ["Приказ о назначении администратора: номер", "12"],
        ["Приказ о назначении администратора: дата", D(2026, 8, 20)],
        ["Приказ об использовании платформы: номер", "11"],
        ["Приказ об использовании платформы: дата", D(2026, 8, 20)],
    ],
    "Сотрудники": [
        [
            "ID",
            "Фамилия",
            "Имя",
            "Отчество",
            "Должность",
            "Роль в платформе",
            "Телефон",
            "Email",
            "Дата приёма",
            "Дата увольнения",
            "Присоединился",
            "Статус подтверждён",
            "В Учительской",
        ],
        [
            "E01",
            "Морозова",
            "Алла",
            "Викторовна",
            "руководитель",
            "",
            "",
            "",
            D(2010, 9, 1),
            "",
            D(2026, 9, 1),
            "да",
            "да",
        ],
        [
            "E02",
            "Сергеев",
            "Антон",
            "Павлович",
            "методист",
            "администратор",
            "8 (978) 111-22-33",
            "admin@example.org",
            D(2019, 9, 1),
            "",
            D(2026, 9, 1),
            "да",
            "да",
        ],
        [
            "E03",
            "Лысенко",
            "Марина",
            "Игоревна",
            "педагог дополнительного образования",
            "",
            "",
            "",
            D(2018, 9, 1),
            "",
            D(2026, 9, 2),
            "да",
            "да",
        ],
        ["E04", "Голубев", "Степан", "Ильич", "сторож", "", "", "", D(2020, 3, 1), "", "", "нет", "нет"],
    ],
    "Объединения": [
        ["Код", "Название", "Педагог", "Класс создан"],
        ["RT", "Робототехника", "E03", "да"],
    ],
    "Обучающиеся": [
        ["ID", "Фамилия", "Имя", "Объединения", "Дата зачисления", "Дата отчисления", "Присоединился"],
        ["U01", "Савченко", "Илья", "RT", D(2026, 9, 1), "", D(2026, 9, 5)],
        ["U02", "Ткачук", "Алина", "RT", D(2026, 9, 1), "", D(2026, 9, 5)],
    ],
    "Родители": [
        ["ID", "Фамилия", "Имя", "Отчество", "Дети", "Присоединился"],
        ["R01", "Савченко", "Ольга", "Петровна", "U01", D(2026, 9, 6)],
        ["R02", "Ткачук", "Денис", "Юрьевич", "U02", D(2026, 9, 6)],
    ],
    "Чаты": [
        ["ID", "Название", "Тип", "Объединение", "Владелец", "Создан", "Последнее сообщение"],
        ["H1", "Руководство", "руководитель — заместители", "", "E01", D(2026, 9, 1), D(2026, 10, 14)],
        ["H2", "Педагоги", "руководитель — педагоги", "", "E01", D(2026, 9, 1), D(2026, 10, 14)],
        ["H3", "Родительский совет", "руководитель — родительский актив", "", "E01", D(2026, 9, 1), D(2026, 10, 14)],
        ["H4", "Совет обучающихся", "руководитель — ученический актив", "", "E01", D(2026, 9, 1), D(2026, 10, 14)],
        ["K1", "Робототехника — ребята", "объединение — обучающиеся", "RT", "E03", D(2026, 9, 3), D(2026, 10, 14)],
        ["K2", "Робототехника — родители", "объединение — родители", "RT", "E03", D(2026, 9, 3), D(2026, 10, 14)],
        ["K3", "Робототехника — педагоги", "объединение — педагоги", "RT", "E03", D(2026, 9, 3), D(2026, 10, 14)],
    ],
    "Участники чатов": [
        ["Чат", "Участник"],
        ["H1", "E01"],
        ["H2", "E01"],
        ["H2", "E03"],
        ["K1", "E03"],
        ["K1", "U01"],
        ["K1", "U02"],
        ["K2", "E03"],
        ["K2", "R01"],
        ["K2", "R02"],
        ["K3", "E03"],
        ["K3", "E02"],
    ],
    "Каналы": [["Название", "Последняя публикация"], ["Общий", D(2026, 10, 1)], ["Сотрудники", D(2026, 10, 1)]],
    "Ссылки-приглашения": [
        ["ID", "Создана", "Кем", "Куда", "Роль", "Использована", "Аннулирована", "Действует до"],
        ["I1", D(2026, 9, 1), "E02", "Учительская", "педагог", D(2026, 9, 2), "", ""],
    ],
    "Заявки": [
        ["ID", "Заявитель", "Роль", "Подана", "Решение", "Дата решения"],
        ["Q1", "U01", "обучающийся", D(2026, 9, 1), "принята", D(2026, 9, 2)],
    ],
}


#: An organisation's records before any platform work: staff, two sections, empty platform sheets.
RECORDS: Book = {
    "Организация": [
        ["Параметр", "Значение"],
        ["Полное наименование", "Учреждение дополнительного образования «Тест»"],
        ["Краткое наименование", "УДО «Тест»"],
        ["Руководитель", "E01"],
    ],
    "Сотрудники": [
        ["ID", "Фамилия", "Имя", "Отчество", "Должность", "Телефон", "Email", "Дата приёма"],
        ["E01", "Морозова", "Алла", "Викторовна", "руководитель", "", "", D(2010, 9, 1)],
        ["E02", "Кравец", "Игорь", "Олегович", "заместитель руководителя", "", "", D(2016, 9, 1)],
        ["E03", "Сергеев", "Антон", "Павлович", "методист", "8 (978) 111-22-33", "admin@example.org", D(2019, 9, 1)],
        ["E04", "Лысенко", "Марина", "Игоревна", "педагог дополнительного образования", "", "", D(2018, 9, 1)],
        ["E05", "Пак", "Вера", "Сергеевна", "методист", "", "", D(2017, 9, 1)],
        ["E06", "Голубев", "Степан", "Ильич", "сторож", "", "", D(2020, 3, 1)],
    ],
    "Объединения": [["Код", "Название", "Педагог"], ["RT", "Робототехника", "E04"], ["AM", "Авиамоделирование", "E04"]],
    "Обучающиеся": [["ID", "Фамилия", "Имя", "Объединения"]],
    "Родители": [["ID", "Фамилия", "Имя", "Дети"]],
    "Чаты": [["ID", "Название", "Тип"]],
    "Участники чатов": [["Чат", "Участник"]],
    "Каналы": [["Название"]],
    "Ссылки-приглашения": [["ID", "Создана", "Куда", "Роль"]],
    "Заявки": [["ID", "Заявитель", "Роль", "Подана"]],
}


def clean_book() -> Book:
    """A fresh copy of the compliant organisation."""
    return copy.deepcopy(_CLEAN)


def set_cell(book: Book, sheet: str, row_id: str, column: str, value: Any) -> None:
    """Set the cell of the row whose first cell is ``row_id`` in the column headed ``column``."""
    rows = book[sheet]
    col = rows[0].index(column)
    for row in rows[1:]:
        if row[0] == row_id:
            row[col] = value
            return
    raise KeyError(row_id)


def set_param(book: Book, name: str, value: Any) -> None:
    set_cell(book, "Организация", name, "Значение", value)


def snapshot_of(book: Book) -> Snapshot:
    """Import a book held in memory, as the importer would read it from a file."""
    sheets = {
        name: _raw_sheet(name, [list(r) for r in rows], list(range(1, len(rows) + 1))) for name, rows in book.items()
    }
    return build_snapshot(sheets, "test.xlsx").snapshot


def write_xlsx(book: Book, path: Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in book.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def write_csv_folder(book: Book, folder: Path, *, encoding: str = "utf-8-sig", sep: str = ";") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in book.items():
        lines = []
        for row in rows:
            cells = [v.strftime("%d.%m.%Y") if isinstance(v, dt.date) else str(v) for v in row]
            lines.append(sep.join(f'"{c}"' if sep in c or '"' in c else c for c in cells))
        (folder / f"{name}.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return folder


def answer_in_browser(page, role: str, duty: str) -> None:
    """Answer every question of the shown step rightly, as a participant clicks: option, then «Проверить»."""
    from sferum_lib.training.steps import STEPS, steps_in

    step = next(s for s in steps_in(STEPS[role], None) if s.duty == duty)
    for number, question in enumerate(step.questions):
        page.get_by_text(question.options[question.answer], exact=True).click()
        page.get_by_role("button", name="Проверить").nth(number).click()
        page.get_by_text("Верно.").nth(number).wait_for(timeout=30_000)


def answer_all(wizard, step) -> None:
    """Answer every question of the wizard's shown step rightly: a step is complete only with all its answers."""
    for (radio, check, _), question in zip(wizard.questions, step.questions, strict=True):
        radio.value = question.answer
        check.click()
