"""A misspelt or copied sheet or column name is named as what it most likely is; the template's own sheets pass."""

from __future__ import annotations

import pytest

from sferum_lib.errors import InputFileError
from sferum_lib.workbook.importer import import_workbook
from sferum_lib.workbook.schema import near_miss
from sferum_lib.workbook.writer import write_template
from tests.helpers import clean_book, write_csv_folder, write_xlsx


def _refusal(path) -> list[str]:
    with pytest.raises(InputFileError) as caught:
        import_workbook(path)
    return [str(p) for p in caught.value.problems if not p.warning]


@pytest.mark.parametrize(
    ("written", "meant"),
    [("Сотрудникии", "Сотрудники"), ("Чаты (1)", "Чаты"), ("Чаты — копия", "Чаты"), ("фамиля", "Фамилия")],
)
def test_a_near_miss_is_recognised(written, meant):
    assert near_miss(written, ["Сотрудники", "Чаты", "Участники чатов", "Фамилия", "Имя"]) == meant


def test_a_name_unlike_any_is_not_guessed():
    assert near_miss("Отзывы", ["Сотрудники", "Чаты", "Участники чатов"]) is None
    assert near_miss("Участники", ["Участники чатов"]) is None


def test_a_misspelt_required_sheet_and_column_are_named(tmp_path):
    book = clean_book()
    book["Сотрудникии"] = book.pop("Сотрудники")
    book["Обучающиеся"][0] = ["Фамиля" if h == "Фамилия" else h for h in book["Обучающиеся"][0]]
    problems = _refusal(write_xlsx(book, tmp_path / "книга.xlsx"))
    assert any("нет обязательного листа; есть лист «Сотрудникии»" in p and "«Сотрудники»" in p for p in problems)
    assert any("«Фамилия»" in p and "есть столбец «Фамиля»" in p for p in problems)


def test_a_copied_optional_sheet_refuses_the_book_instead_of_dropping_its_data(tmp_path):
    book = clean_book()
    book["Чаты (1)"] = book.pop("Чаты")
    folder = write_csv_folder(book, tmp_path / "csv", encoding="cp1251")
    problems = _refusal(folder)
    assert any("Чаты (1)" in p and "если это «Чаты», переименуйте его" in p for p in problems)


def test_the_programs_own_template_sheets_are_not_called_unknown(tmp_path):
    path = write_template(tmp_path / "шаблон.xlsx")
    with pytest.raises(InputFileError) as caught:  # empty: refused for its blank parameters, not for its sheets
        import_workbook(path)
    assert not [p for p in caught.value.problems if "неизвестный лист" in str(p)]
