"""A book without some optional sheets: what they would describe is «нет данных», never a made-up 0 %."""

from __future__ import annotations

import datetime as dt

from sferum_lib.checks.indicators import indicator_values, indicators
from sferum_lib.render import indicators_table
from sferum_lib.workbook.importer import import_workbook
from tests.helpers import clean_book, snapshot_of, write_csv_folder

AS_OF = dt.date(2026, 10, 15)


def test_indicators_of_a_missing_sheet_are_unknown_and_the_rest_are_counted():
    full = indicator_values(snapshot_of(clean_book()), AS_OF)
    book = clean_book()
    del book["Чаты"], book["Участники чатов"]
    snapshot = snapshot_of(book)
    values = indicator_values(snapshot, AS_OF)
    unknown = {"sections_with_chats", "students_in_section_chats", "active_chats"}
    assert all(values[k] is None for k in unknown)
    assert full["sections_with_chats"] is not None and full["students_in_section_chats"] is not None
    assert {k: v for k, v in values.items() if k not in unknown} == {k: v for k, v in full.items() if k not in unknown}
    table = indicators_table(indicators(snapshot, AS_OF), snapshot.organisation, AS_OF, "снимок № 1")
    assert "нет листов «Чаты», «Участники чатов»" in table and "(0 из" not in table


def test_members_without_the_chats_sheet_are_told_as_not_counted(tmp_path):
    book = clean_book()
    del book["Чаты"]
    result = import_workbook(write_csv_folder(book, tmp_path / "csv"))
    said = [str(w) for w in result.warnings]
    assert any("«Участники чатов»" in w and "листа «Чаты» в книге нет" in w for w in said)
