"""Who may take part: typed names matched to the prepared list (case, «ё», word order, close matches, walk-ins)."""

from __future__ import annotations

import pytest

from sferum_lib.errors import UsageError
from sferum_lib.training.roster import (
    AMBIGUOUS,
    EMPTY,
    LISTED,
    REFUSED,
    ROSTER_FILE,
    SUGGESTED,
    WALK_IN,
    Roster,
    read_roster,
    record_walk_in,
    write_roster,
)

LIST = ("Пётр Кузнецов", "Иванова Мария Сергеевна", "Орлова Ирина")


@pytest.mark.parametrize("typed", ["кузнецов пётр", "Петр Кузнецов", "  КУЗНЕЦОВ   ПЕТР ", "пётр  кузнецов"])
def test_a_typed_name_maps_to_the_listed_spelling_whatever_its_case_yo_and_word_order(typed):
    match = Roster(LIST, walk_ins=False).match(typed)
    assert (match.kind, match.name) == (LISTED, "Пётр Кузнецов")
    assert match.admitted


def test_surname_and_first_name_find_a_listed_name_with_patronymic_unless_two_share_them():
    assert Roster(LIST, walk_ins=False).match("мария иванова").name == "Иванова Мария Сергеевна"
    namesakes = Roster(("Иванова Мария Сергеевна", "Иванова Мария Петровна"), walk_ins=True)
    match = namesakes.match("Иванова Мария")
    assert match.kind == AMBIGUOUS and not match.admitted
    assert "введите имя полностью, с отчеством" in match.message
    assert namesakes.match("иванова мария петровна").name == "Иванова Мария Петровна"
    assert namesakes.match("Иванова").kind != LISTED  # one word names nobody for sure


def test_a_misspelt_name_is_offered_its_close_match_not_admitted():
    match = Roster(LIST, walk_ins=False).match("Кузнецов Петор")
    assert (match.kind, match.name) == (SUGGESTED, "Пётр Кузнецов")
    assert "Вы имели в виду «Пётр Кузнецов»?" in match.message and not match.admitted
    assert Roster(LIST, walk_ins=False).match("Иванова Марья").name == "Иванова Мария Сергеевна"


def test_a_name_not_on_the_list_is_refused_unless_walk_ins_are_allowed():
    strict = Roster(LIST, walk_ins=False)
    refused = strict.match("Сидоров Алексей")
    assert refused.kind == REFUSED and not refused.admitted
    assert "нет в списке участников" in refused.message and "Сидоров Алексей" in refused.message
    assert strict.walk_in("Сидоров Алексей").kind == REFUSED
    open_door = Roster(LIST, walk_ins=True)
    assert (open_door.match("Сидоров  Алексей").kind, open_door.match("Сидоров  Алексей").name) == (
        WALK_IN,
        "Сидоров Алексей",
    )
    assert open_door.walk_in("Кузнецов Петор").kind == WALK_IN  # «Нет, меня нет в списке» after a suggestion
    assert strict.match("   ").kind == EMPTY


def test_without_a_prepared_list_anyone_takes_part():
    roster = Roster()
    assert not roster.listed
    assert roster.match("Любой Человек").kind == WALK_IN


def test_the_list_and_the_walk_ins_are_kept_in_the_session_folder(tmp_path):
    assert not read_roster(tmp_path).listed
    write_roster(tmp_path, list(LIST), walk_ins=True)
    record_walk_in(tmp_path, "Сидоров Алексей")
    record_walk_in(tmp_path, "алексей сидоров")  # the same walk-in: written once
    roster = read_roster(tmp_path)
    assert roster.names == LIST and roster.walk_ins and roster.visitors == ("Сидоров Алексей",)
    assert (tmp_path / "walk-ins.txt").read_text(encoding="utf-8") == "Сидоров Алексей\n"
    again = roster.match("АЛЕКСЕЙ СИДОРОВ")  # the walk-in's next visit: the same name, the same organisation
    assert (again.kind, again.name) == (WALK_IN, "Сидоров Алексей")
    assert roster.on_list("орлова ирина") and not roster.on_list("Сидоров Алексей")


def test_a_damaged_list_is_a_russian_error_naming_the_file(tmp_path):
    (tmp_path / ROSTER_FILE).write_text("{не json", encoding="utf-8")
    with pytest.raises(UsageError, match="повреждён"):
        read_roster(tmp_path)
