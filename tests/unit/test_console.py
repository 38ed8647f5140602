"""The methodist's console: who is on which step, who is stuck, the refusals and wrong answers met most."""

from __future__ import annotations

import datetime as dt

import pytest

from sferum_lib.errors import UsageError
from sferum_lib.training import Training
from sferum_lib.training.console import Console, console_data, console_html
from sferum_lib.training.roster import record_walk_in, write_roster
from sferum_lib.training.sessions import session_report

DAY = dt.date(2026, 11, 29)


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """Three teachers: Мария progresses, Анна meets refusal after refusal, Олег (listed) has not come; a walk-in."""
    folder = tmp_path_factory.mktemp("занятие")
    write_roster(folder, ["Иванова Мария", "Смирнова Анна", "Олегов Олег"], walk_ins=True)
    maria = Training(folder, "Иванова Мария", "pdo", DAY)
    maria.open(0)
    maria.perform(0, {"invite": maria.choices(maria.steps[0])["invite"][-1][1]})
    for number, asked in enumerate(maria.steps[0].questions):  # a step is complete with all its answers
        maria.answer(0, number, asked.answer)
    question = maria.steps[0].questions[0]
    maria.open(1)
    anna = Training(folder, "Смирнова Анна", "pdo", DAY)
    anna.open(0)
    for _ in range(3):
        anna.perform(1)  # the status before joining: refused each time
    anna.answer(0, 0, (question.answer + 1) % len(question.options))
    Training(folder, "Олегов Олег", "pdo", DAY)  # prepared, never opened
    record_walk_in(folder, "Гостев Гость")
    guest = Training(folder, "Гостев Гость", "pdo", DAY)
    guest.open(0)
    return folder


def rows(data):
    return {row["Участник"]: row for row in data.trainees.to_dict(orient="records")}


def test_the_console_shows_who_is_on_which_step_and_who_has_not_come(session):
    data = console_data(session)
    people = rows(data)
    assert set(people) == {"Иванова Мария", "Смирнова Анна", "Гостев Гость (без записи)"}
    assert people["Иванова Мария"]["Шаг сейчас"].startswith("2. ")  # she opened the second step
    assert people["Иванова Мария"]["Пройдено"] == "1 из 4"
    assert people["Смирнова Анна"]["Шаг сейчас"].startswith("1. ")
    assert people["Иванова Мария"]["Последнее действие"] == "только что"
    assert data.absent == ["Олегов Олег"]
    assert "Участников в занятии: 3 (из списка — 2 из 3, без записи — 1)" in data.summary[0]


def test_repeated_refusals_and_wrong_answers_mark_a_participant_stuck_at_once(session):
    data = console_data(session)
    stuck = {a.trainee: a.reason for a in data.stuck}
    assert set(stuck) == {"Смирнова Анна"}
    assert "отказов и неверных ответов подряд: 4" in stuck["Смирнова Анна"]
    assert rows(data)["Смирнова Анна"]["Состояние"].startswith("нужна помощь")
    assert rows(data)["Иванова Мария"]["Состояние"] == "в работе"


def test_no_progress_for_minutes_marks_a_participant_stuck(session):
    later = dt.datetime.now() + dt.timedelta(minutes=12)
    stuck = {a.trainee: a.reason for a in console_data(session, now=later, stuck_minutes=10).stuck}
    assert set(stuck) == {"Иванова Мария", "Смирнова Анна", "Гостев Гость"}
    assert "нет продвижения 12 мин" in stuck["Иванова Мария"]
    assert "Олегов Олег" not in stuck  # who has not begun is absent, not stuck
    calm = {a.trainee for a in console_data(session, now=later, stuck_minutes=30, repeated=10).stuck}
    assert calm == set()


def test_the_console_counts_what_the_session_report_counts(session):
    data = console_data(session)
    report = {t.key: t.frame for t in session_report(session).tables}
    assert data.refusals.equals(report["refusals"].head(10))
    assert data.wrong.equals(report["wrong"].head(10))
    assert data.refusals["Сколько раз"].iloc[0] == 3
    assert data.wrong["Сколько раз"].sum() == 1
    marked = {r["Участник"]: r["По списку"] for r in report["trainees"].to_dict(orient="records")}
    assert marked["Гостев Гость"] == "нет, без записи" and marked["Иванова Мария"] == "да"


def test_the_page_names_who_needs_help_and_escapes_names(session):
    page = console_html(console_data(session))
    assert "Нужна помощь" in page and "<b>Смирнова Анна</b>" in page
    assert "Ещё не начали (1): Олегов Олег." in page
    assert "Чаще всего встречались отказы" in page and "Чаще всего выбирали неверные ответы" in page


def test_the_console_widget_reads_the_session_again_on_each_tick_of_the_browser(tmp_path):
    console = Console(tmp_path, seconds=3)
    assert "Пока никто не начал" in console.view.value
    assert not console.tick.playing and console.tick.interval == 3000 and console.tick.layout.display == "none"
    console.tick._view_count = 1  # a page has shown the console: its timer starts
    assert console.tick.playing
    Training(tmp_path, "Новикова Вера", "student", DAY).open(0)
    assert "Новикова Вера" not in console.view.value
    console.tick.value += 1  # what the page's timer sends every few seconds
    assert "Новикова Вера" in console.view.value


def test_a_missing_folder_is_a_russian_error():
    with pytest.raises(UsageError, match="Папки занятия"):
        console_data("/nonexistent/занятие")
