"""The name entry of app mode over a prepared list, and «Начать заново» that asks first (widgets driven headlessly)."""

from __future__ import annotations

import datetime as dt

import ipywidgets as w

from sferum_lib import app
from sferum_lib.training import Training
from sferum_lib.training.roster import read_roster, write_roster
from sferum_lib.ui import role_notebook
from sferum_lib.ui.entry import NameEntry
from sferum_lib.ui.wizard import RoleWizard
from tests.helpers import answer_all

DAY = dt.date(2026, 11, 29)
BROWSER = "a" * 64


def entry(session, browser=BROWSER) -> NameEntry:
    return NameEntry(session, "parent", browser)


def wizard_of(e: NameEntry) -> str:
    """The wizard's title once the entry gave way to it, else ''."""
    first = e.box.children[0]
    return first.children[0].value if isinstance(first, w.VBox) else ""


def test_the_entry_offers_the_listed_names_and_maps_a_typed_one_to_its_listed_spelling(tmp_path):
    write_roster(tmp_path, ["Пётр Кузнецов", "Орлова Ирина"], walk_ins=False)
    e = entry(tmp_path)
    assert isinstance(e.name, w.Combobox) and list(e.name.options) == ["Пётр Кузнецов", "Орлова Ирина"]
    e.name.value = "кузнецов петр"
    e.start.click()
    assert "Пётр Кузнецов" in wizard_of(e)
    assert [p.name for p in tmp_path.iterdir() if p.is_dir() and not p.name.startswith(".")] == ["Пётр_Кузнецов"]
    again = entry(tmp_path)  # the same browser after a reload, typing the name another way
    again.name.value = "ПЁТР КУЗНЕЦОВ"
    again.start.click()
    assert "Пётр Кузнецов" in wizard_of(again)
    assert len([p for p in tmp_path.iterdir() if p.is_dir() and not p.name.startswith(".")]) == 1


def test_a_name_not_on_the_list_is_refused_and_gets_no_practice_organisation(tmp_path):
    write_roster(tmp_path, ["Пётр Кузнецов"], walk_ins=False)
    e = entry(tmp_path)
    e.name.value = "Сидоров Алексей"
    e.start.click()
    assert wizard_of(e) == "" and "нет в списке участников" in e.refusal.value
    assert not (tmp_path / "Сидоров_Алексей").exists()


def test_a_misspelt_name_is_asked_about_and_yes_opens_the_listed_one(tmp_path):
    write_roster(tmp_path, ["Пётр Кузнецов"], walk_ins=False)
    e = entry(tmp_path)
    e.name.value = "Кузнецов Петор"
    e.start.click()
    assert "Вы имели в виду «Пётр Кузнецов»?" in e.refusal.value
    assert list(e.choice.children) == [e.yes]  # no walk-ins: «Нет, меня нет в списке» is not offered
    e.yes.click()
    assert "Пётр Кузнецов" in wizard_of(e)


def test_with_walk_ins_allowed_a_newcomer_joins_and_is_written_down(tmp_path):
    write_roster(tmp_path, ["Пётр Кузнецов"], walk_ins=True)
    e = entry(tmp_path)
    e.name.value = "Кузнецов Павел"  # alike, yet another person: asked first
    e.start.click()
    assert "Вы имели в виду" in e.refusal.value and e.no in e.choice.children
    e.no.click()
    assert "Кузнецов Павел" in wizard_of(e)
    other = entry(tmp_path, "c" * 64)
    other.name.value = "Сидоров Алексей"  # like nobody on the list: straight in
    other.start.click()
    assert "Сидоров Алексей" in wizard_of(other)
    assert read_roster(tmp_path).visitors == ("Кузнецов Павел", "Сидоров Алексей")


def test_a_listed_name_taken_in_another_browser_is_refused(tmp_path):
    write_roster(tmp_path, ["Пётр Кузнецов"], walk_ins=False)
    assert app.claim(tmp_path, "Пётр Кузнецов", "b" * 64)
    e = entry(tmp_path)
    e.name.value = "кузнецов пётр"
    e.start.click()
    assert "уже занято в другом браузере" in e.refusal.value and wizard_of(e) == ""


def test_a_role_notebook_in_app_mode_opens_the_entry_of_its_session(tmp_path):
    write_roster(tmp_path, ["Пётр Кузнецов"], walk_ins=False)
    view = role_notebook("parent", {"session": str(tmp_path), app.BROWSER_VAR: BROWSER})
    box = view.children[0]
    assert isinstance(box.children[1], w.Combobox) and box.children[2].description == "Начать"


def test_starting_again_asks_first_and_cancel_keeps_the_progress(tmp_path):
    training = Training(tmp_path, "Сидорова Анна", "head", DAY)
    wizard = RoleWizard(training)
    wizard.action_button.click()
    answer_all(wizard, training.steps[0])
    assert training.completed() == 1
    navigation = wizard.next_button
    assert not any(wizard.reset_button in row.children for row in wizard.widget.children if isinstance(row, w.HBox))
    assert navigation.description == "Далее →"
    wizard.reset_button.click()
    assert training.completed() == 1  # asked, nothing wiped
    assert wizard.confirm_button in wizard.reset_area.children[0].children[1].children
    assert wizard.confirm_button.description == "Да, начать заново" and wizard.cancel_button.description == "Отмена"
    wizard.cancel_button.click()
    assert training.completed() == 1 and list(wizard.reset_area.children) == [wizard.reset_button]
    wizard.reset_button.click()
    wizard.confirm_button.click()
    assert training.completed() == 0 and wizard.index == 0
    assert training.state().organisation.usage_order_number is None
