"""Movement between two snapshots on one day."""

from __future__ import annotations

from sferum_lib.checks import movement
from tests.helpers import AS_OF, D, clean_book, set_cell, snapshot_of


def test_no_change_means_no_movement():
    book = clean_book()
    assert movement(snapshot_of(book), snapshot_of(book), AS_OF) == {
        "arrived": {"staff": [], "students": []},
        "departed": {"staff": [], "students": []},
    }


def test_expulsion_filled_in_between_imports_is_a_departure():
    before = clean_book()
    after = clean_book()
    set_cell(after, "Обучающиеся", "U02", "Дата отчисления", D(2026, 10, 1))
    set_cell(after, "Сотрудники", "E03", "Дата увольнения", AS_OF)
    moves = movement(snapshot_of(before), snapshot_of(after), AS_OF)
    assert moves["departed"] == {"staff": ["E03"], "students": ["U02"]}
    assert moves["arrived"] == {"staff": [], "students": []}


def test_new_row_with_a_past_start_is_an_arrival_and_sorted():
    before = clean_book()
    after = clean_book()
    after["Обучающиеся"] += [
        ["U10", "Бондарь", "Глеб", "RT", D(2026, 9, 1), "", ""],
        ["U03", "Мельник", "Ева", "RT", "", "", ""],
    ]
    after["Сотрудники"].append(["E09", "Пак", "Вера", "", "методист", "", "", "", D(2026, 10, 1), "", "", "", ""])
    moves = movement(snapshot_of(before), snapshot_of(after), AS_OF)
    assert moves["arrived"] == {"staff": ["E09"], "students": ["U03", "U10"]}


def test_future_start_is_not_an_arrival_yet():
    before = clean_book()
    after = clean_book()
    after["Обучающиеся"].append(["U10", "Бондарь", "Глеб", "RT", D(2026, 10, 16), "", ""])
    assert movement(snapshot_of(before), snapshot_of(after), AS_OF)["arrived"]["students"] == []
