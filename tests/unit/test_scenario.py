"""The practice scenario: a tidy practice organisation with problems planted for a role, found by the audit,
fixed through procedures (refusals cite the clause and change nothing), and results the session report reads."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from sferum_lib.checks import audit
from sferum_lib.errors import UsageError
from sferum_lib.model import TABLES
from sferum_lib.sandbox import practice_organisation
from sferum_lib.store import Store
from sferum_lib.training.scenario import (
    CLEAN,
    PLANTED,
    RESULT_COLUMNS,
    ROLES,
    Move,
    Scenario,
    scenario_path,
    scenario_report_part,
    scenario_results,
    tidy,
)
from sferum_lib.training.session import DONE, REFUSED, START
from sferum_lib.ui.scenario import CLEAN_TEXT, TITLE, ScenarioView, scenario_tab, scenario_view

DAY = dt.date(2026, 11, 30)
TRAINEE = "Иванова Мария"
#: The checks each role's planted problems come from: what that role's procedures fix.
CHECKS = {
    "admin": {"stale-invites", "pending-requests", "departed-members", "foreign-members", "system-channels",
              "structure", "teacher-status"},
    "head": {"local-act", "management-chats", "activist-chats", "departed-members"},
    "pdo": {"section-chats", "student-coverage", "parent-coverage", "foreign-members", "departed-members"},
    "ped": {"teacher-status", "departed-members", "stale-invites"},
}  # fmt: skip


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One session folder with every role's scenario freshly made (copied by the tests that change it)."""
    folder = tmp_path_factory.mktemp("pristine")
    for role in ROLES:
        Scenario(folder, TRAINEE, role, DAY)
    return folder


@pytest.fixture
def session(pristine: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "session"
    shutil.copytree(pristine, folder)
    return folder


def solve(scenario: Scenario, limit: int = 60) -> list[str]:
    """Act as a trainee who tries each offered action of the first finding until one is accepted; the refusals."""
    refusals = []
    for _ in range(limit):
        tasks = scenario.tasks()
        if not tasks:
            return refusals
        task = tasks[0]
        for move in task.moves:
            feedback = scenario.perform(move)
            if feedback.ok:
                break
            refusals.append(feedback.text)
        else:
            pytest.fail(f"no offered action fixes {task.key}: {task.text}")
    pytest.fail(f"the audit is not clean after {limit} actions: {[t.key for t in scenario.tasks()]}")


def tables(scenario: Scenario) -> dict[str, pd.DataFrame]:
    state = scenario.state()
    return {name: state.tables[name].copy() for name in TABLES}


def test_the_tidy_practice_organisation_has_a_clean_audit() -> None:
    snapshot = tidy(practice_organisation("demo", as_of=DAY), DAY)
    result = audit(snapshot, DAY)
    assert result.findings.empty, result.findings[["check", "subject"]].to_string()
    assert not result.not_performed


@pytest.mark.parametrize("role", ROLES)
def test_planting_is_deterministic_and_the_audit_finds_each_problem(role: str, pristine: Path, tmp_path: Path) -> None:
    first = Scenario(pristine, TRAINEE, role)
    again = Scenario(tmp_path, TRAINEE, role, DAY)
    assert first.planted() == again.planted()
    assert [t.text for t in first.tasks()] == [t.text for t in again.tasks()]
    planted = first.planted()
    assert len(planted) >= 3
    found = audit(first.state(), DAY).findings
    assert sorted(planted) == sorted(f"{c}/{s}" for c, s in zip(found["check"], found["subject"], strict=True))
    assert {key.split("/", 1)[0] for key in planted} <= CHECKS[role]
    # every planted problem is something this role can act on, with the clause cited
    for task in first.tasks():
        assert task.moves, task.key
        assert task.clause.startswith("п"), task.clause


def test_different_participants_get_different_organisations(pristine: Path, tmp_path: Path) -> None:
    planted = {tuple(Scenario(tmp_path, name, "admin", DAY).planted()) for name in ("Петров Пётр", "Сидорова Анна")}
    planted.add(tuple(Scenario(pristine, TRAINEE, "admin").planted()))
    assert len(planted) > 1


@pytest.mark.parametrize("role", ROLES)
def test_the_right_procedures_bring_the_audit_to_clean(role: str, session: Path) -> None:
    scenario = Scenario(session, TRAINEE, role)
    solve(scenario)
    assert scenario.clean()
    assert scenario.fixed() == len(scenario.planted())
    events = scenario.events()
    assert (events["kind"] == CLEAN).sum() == 1
    assert (events["kind"] == DONE).sum() >= len(scenario.planted())
    assert events["kind"].iloc[-1] == CLEAN  # the clean moment is logged right after the action that made it


def test_a_refused_action_gives_the_reason_and_changes_nothing(session: Path) -> None:
    scenario = Scenario(session, TRAINEE, "admin")
    state = scenario.state()
    expelled = set(state.pupils.loc[state.pupils["expelled"] <= pd.Timestamp(DAY), "id"])
    requests = state.requests.set_index("id")
    task = next(
        t
        for t in scenario.tasks()
        if t.check == "pending-requests" and requests.loc[t.subject, "applicant_id"] in expelled
    )
    accept = next(m for m in task.moves if m.procedure == "accept_request")
    before, journal = tables(scenario), len(Store(scenario.path).journal())
    feedback = scenario.perform(accept)
    assert not feedback.ok
    assert "не числится в организации" in feedback.text and "п. 2.1" in feedback.text
    after = tables(scenario)
    for name in TABLES:
        pd.testing.assert_frame_equal(before[name], after[name])
    assert len(Store(scenario.path).journal()) == journal
    refused = scenario.events()
    assert refused["kind"].iloc[-1] == REFUSED and "не числится" in refused["detail"].iloc[-1]
    # the other answer to the same request is accepted and the finding goes
    reject = next(m for m in task.moves if m.procedure == "reject_request")
    assert scenario.perform(reject).ok
    assert task.key not in scenario.remaining()


@pytest.mark.parametrize(
    ("role", "procedure", "reason"),
    [
        ("head", "add_chat_member", "ещё нет на платформе"),
        ("pdo", "add_chat_member", "ещё нет на платформе"),
        ("ped", "confirm_status", "Свой статус «педагог» не подтверждают сами"),
    ],
)
def test_each_role_meets_a_refusal_citing_the_regulation(role: str, procedure: str, reason: str, session: Path) -> None:
    scenario = Scenario(session, TRAINEE, role)
    refused = []
    for task in scenario.tasks():
        for move in task.moves:
            if move.procedure != procedure:
                continue
            before = tables(scenario)
            feedback = scenario.perform(move)
            if not feedback.ok:
                refused.append(feedback.text)
                after = tables(scenario)
                assert all(before[n].equals(after[n]) for n in TABLES)
    assert any(reason in text and "(п. " in text for text in refused), refused


def test_the_organisation_answers_a_link_with_the_person_joining(session: Path) -> None:
    scenario = Scenario(session, TRAINEE, "pdo")
    state = scenario.state()
    unjoined = set(state.pupils.loc[state.pupils["joined"].isna(), "id"])
    task = next(t for t in scenario.tasks() if t.check == "student-coverage" and t.subject.split("/")[1] in unjoined)
    link = next(m for m in task.moves if m.procedure == "issue_invite")
    feedback = scenario.perform(link)
    assert feedback.ok
    # the pupil's name in the reaction agrees with their gender
    person = state.pupils.set_index("id").loc[link.answers]
    verb = "присоединилась" if person["middle_name"].endswith("на") else "присоединился"
    assert verb in feedback.text
    assert task.key not in scenario.remaining()


def test_a_wrong_or_unknown_action_is_refused_in_russian(session: Path) -> None:
    scenario = Scenario(session, TRAINEE, "pdo")
    before = tables(scenario)
    feedback = scenario.perform(Move("Что-то", "no_such_procedure"))
    assert not feedback.ok and "Неизвестное действие" in feedback.text
    # a teacher may not act on the head's chat: refused before anything is removed
    feedback = scenario.perform(Move("Удалить", "remove_chat_member", {"chat_id": "H2", "person_id": "E002"}))
    assert not feedback.ok and feedback.text.startswith("Отказ:") and "(п. " in feedback.text
    after = tables(scenario)
    assert all(before[n].equals(after[n]) for n in TABLES)
    with pytest.raises(UsageError, match="Практический сценарий есть для ролей"):
        Scenario(session, TRAINEE, "student")


def test_events_land_where_scenario_results_reads_them(session: Path, tmp_path: Path) -> None:
    done = Scenario(session, TRAINEE, "ped")
    solve(done)
    started = Scenario(session, "Петров Пётр", "head", DAY)
    first = started.tasks()[0]
    started.perform(first.moves[0])
    # the scenario's store is apart from the step training's «<trainee>/<role>.db»
    assert scenario_path(session, TRAINEE, "ped").parent.name == "scenario"
    assert not list(session.glob("*/*.db"))
    results = scenario_results(session)
    assert list(results.columns) == RESULT_COLUMNS
    rows = {(r["Участник"], r["Роль"]): r for r in results.to_dict("records")}
    assert len(rows) == 5  # four roles of one trainee, one of another
    ped = rows[(TRAINEE, "педагогический работник, ведущий занятия")]
    assert ped["Аудит чист"] == "да" and ped["Исправлено"] == ped["Проблем заложено"] == len(done.planted())
    assert pd.to_datetime(ped["Когда"], format="%d.%m.%Y %H:%M").date() == dt.date.today()
    head = rows[("Петров Пётр", "администрация")]
    assert head["Аудит чист"] == "нет" and head["Когда"] == ""
    assert head["Проблем заложено"] == len(started.planted())
    assert head["Исправлено"] == started.fixed() <= 1
    assert head["Действий"] + head["Отказов"] == 1
    lines, (table,) = scenario_report_part(session)
    assert "довели аудит до чистого — 1 из 5" in lines[0]
    assert table.frame.equals(results)
    assert scenario_report_part(tmp_path) == ([], [])
    untouched = rows[(TRAINEE, "администратор платформы")]
    assert untouched["Исправлено"] == 0 and untouched["Действий"] == 0
    # the raw events are the store's training events, as the step training keeps them
    with Store(scenario_path(session, TRAINEE, "ped")) as store:
        kinds = list(store.training_events(TRAINEE, "ped")["kind"])
    assert kinds[:2] == [START, PLANTED] and kinds[-1] == CLEAN


def test_a_restart_brings_the_problems_back_and_the_report_counts_the_latest_attempt(session: Path) -> None:
    scenario = Scenario(session, TRAINEE, "ped")
    planted = scenario.planted()
    solve(scenario)
    assert scenario.clean()
    scenario.reset()
    assert sorted(scenario.remaining()) == sorted(planted)
    with Store(scenario.path) as store:
        assert (store.training_events()["kind"] == CLEAN).sum() == 1  # the earlier attempt stays in the history
        plans = store.training_events()
    assert json.loads(plans.loc[plans["kind"] == PLANTED, "detail"].iloc[-1])["findings"] == planted
    row = scenario_results(session).set_index("Роль").loc["педагогический работник, ведущий занятия"]
    assert row["Аудит чист"] == "нет" and row["Исправлено"] == 0 and row["Действий"] == 0


def test_the_page_builds_and_its_buttons_perform(session: Path) -> None:
    view = ScenarioView(Scenario(session, TRAINEE, "ped"))
    assert TITLE in view.header.value
    planted = len(view.s.planted())
    assert f"0 из {planted}" in view.status.value
    texts = [t.text for t, _m, _b in view.buttons]
    assert all(texts)
    # a wrong button: the refusal with its clause, nothing fixed
    _task, _move, wrong = next(b for b in view.buttons if b[1].procedure == "confirm_status")
    wrong.click()
    assert "Отказ:" in view.message.value and "п. " in view.message.value
    assert f"0 из {planted}" in view.status.value
    # the right buttons, one after another, until the audit is clean
    for _ in range(10):
        if not view.buttons:
            break
        _task, _move, button = next(b for b in view.buttons if b[1].procedure != "confirm_status")
        button.click()
        assert "Готово:" in view.message.value, view.message.value
    assert CLEAN_TEXT in view.status.value
    assert f"{planted} из {planted}" in view.status.value
    # a restart asks first; only the confirmation restarts
    view.reset_button.click()
    assert CLEAN_TEXT in view.status.value and view.confirm_box.layout.display == "flex"
    view.cancel_button.click()
    assert CLEAN_TEXT in view.status.value and view.confirm_box.layout.display == "none"
    view.reset_button.click()
    view.confirm_button.click()
    assert f"0 из {planted}" in view.status.value


def test_scenario_view_opens_an_existing_scenario(session: Path) -> None:
    widget = scenario_view(session, TRAINEE, "admin")
    html = " ".join(getattr(child, "value", "") for child in widget.children)
    assert TITLE in html and "администратор платформы" in html


def test_the_tab_makes_the_practice_organisation_only_when_asked(tmp_path: Path) -> None:
    tab = scenario_tab(tmp_path, "Петров Пётр", "ped")
    assert not scenario_path(tmp_path, "Петров Пётр", "ped").exists()
    start = next(c for c in tab.children if getattr(c, "description", "") == "Начать практику")
    start.click()
    assert scenario_path(tmp_path, "Петров Пётр", "ped").exists()
    (page,) = tab.children
    assert TITLE in page.children[0].value
    # a role with no scenario says so in Russian, the button stays
    other = scenario_tab(tmp_path, "Петров Пётр", "student")
    button = next(c for c in other.children if getattr(c, "description", "") == "Начать практику")
    button.click()
    assert "Практический сценарий есть для ролей" in other.children[-1].value and not button.disabled
