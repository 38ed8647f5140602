"""Indicators: formulas, denominators, rounding and the 30-day window."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sferum_lib.checks import indicator_values, indicators
from sferum_lib.workbook import import_workbook
from tests.helpers import AS_OF, D, clean_book, set_cell, snapshot_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def values(book, as_of=AS_OF):
    return indicator_values(snapshot_of(book), as_of)


def test_example_workbook_gives_the_expected_indicators():
    expected = json.loads((FIXTURES / "example.expected.json").read_text(encoding="utf-8"))
    snapshot = import_workbook(FIXTURES / "example.xlsx").snapshot
    assert indicator_values(snapshot, dt.date.fromisoformat(expected["as_of"])) == expected["indicators"]


def test_clean_organisation_scores_one_everywhere():
    assert set(values(clean_book()).values()) == {1.0}


def test_indicators_keep_the_contract_order():
    assert list(values(clean_book())) == [
        "staff_joined",
        "staff_verified",
        "students_joined",
        "parents_joined",
        "sections_with_class",
        "sections_with_chats",
        "students_in_section_chats",
        "active_chats",
    ]


def test_shares_are_rounded_to_four_decimals():
    book = clean_book()
    book["Объединения"] += [["AM", "Авиамоделирование", "E03", "нет"], ["RE", "Радиоэлектроника", "E03", "нет"]]
    assert values(book)["sections_with_class"] == 0.3333


def test_empty_denominator_gives_null():
    book = {k: v for k, v in clean_book().items() if k in ("Организация", "Сотрудники")}
    result = values(book)
    assert result["students_joined"] is None
    assert result["active_chats"] is None
    assert result["staff_joined"] == 1.0


def test_only_current_pedagogical_staff_count():
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Присоединился", "")
    set_cell(book, "Сотрудники", "E04", "Присоединился", "")  # a watchman does not count
    item = {i.key: i for i in indicators(snapshot_of(book), AS_OF)}["staff_joined"]
    assert (item.numerator, item.denominator) == (2, 3)


def test_parents_count_only_for_current_pupils():
    book = clean_book()
    set_cell(book, "Обучающиеся", "U02", "Дата отчисления", D(2026, 10, 1))
    set_cell(book, "Родители", "R02", "Присоединился", "")
    assert values(book)["parents_joined"] == 1.0


def test_section_needs_both_pupils_and_parents_chats():
    book = clean_book()
    book["Чаты"] = [r for r in book["Чаты"] if r[0] != "K2"]
    book["Участники чатов"] = [r for r in book["Участники чатов"] if r[0] != "K2"]
    assert values(book)["sections_with_chats"] == 0.0


def test_enrolments_of_sections_without_a_chat_count_as_uncovered():
    book = clean_book()
    book["Объединения"].append(["AM", "Авиамоделирование", "E03", "да"])
    set_cell(book, "Обучающиеся", "U02", "Объединения", "RT; AM")
    assert values(book)["students_in_section_chats"] == round(2 / 3, 4)


def test_active_chat_window_includes_thirty_days_back_and_today_only():
    book = clean_book()
    dates = {"H1": D(2026, 9, 15), "H2": D(2026, 9, 14), "H3": AS_OF, "H4": D(2026, 10, 16)}
    for chat, day in dates.items():
        set_cell(book, "Чаты", chat, "Последнее сообщение", day)
    item = {i.key: i for i in indicators(snapshot_of(book), AS_OF)}["active_chats"]
    assert (item.numerator, item.denominator) == (5, 7)  # H1, H3 and K1–K3; not H2 (31 days) nor H4 (future)
