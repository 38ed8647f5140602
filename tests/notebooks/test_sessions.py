"""Training sessions: prepared per participant, summarised for the methodist."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import nbformat
import pytest
from openpyxl import Workbook

from sferum_lib.cli import main
from sferum_lib.errors import InputFileError
from sferum_lib.training import Training
from sferum_lib.training.sessions import read_participants, session_report

DAY = dt.date(2026, 11, 29)
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def participants_file(tmp_path, names, header="ФИО"):
    wb = Workbook()
    wb.active.append([header, "Должность"])
    for name in names:
        wb.active.append([name, "педагог"])
    path = tmp_path / "участники.xlsx"
    wb.save(path)
    return path


def test_participants_are_read_from_the_fio_column_and_duplicates_refused(tmp_path):
    path = participants_file(tmp_path, ["Иванова  Мария", "", "Петров Пётр"])
    assert read_participants(path) == ["Иванова Мария", "Петров Пётр"]
    with pytest.raises(InputFileError) as caught:
        read_participants(participants_file(tmp_path, ["Петров Пётр", "петров пётр"]))
    assert caught.value.problems[0].row == 3 and "повторяется" in caught.value.problems[0].expected


def test_prepare_makes_a_notebook_and_a_sandbox_per_participant_then_the_report_counts(tmp_path, capsys):
    path = participants_file(tmp_path, ["Иванова Мария", "Петров Пётр"])
    session = tmp_path / "занятие"
    assert main(["training", "prepare", "--participants", str(path), "--role", "student", "--out", str(session)]) == 0
    notebook = session / "Петров_Пётр" / "student.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    injected = next(c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "trainee = 'Петров Пётр'" in injected.source and not any(c.get("outputs") for c in nb.cells)
    assert (session / "Иванова_Мария" / "student.db").exists()

    training = Training(session, "Петров Пётр", "student")
    links = training.choices(training.steps[0])["invite"]
    training.perform(0, {"invite": links[0][1]})  # another section's chat: refused
    training.perform(0, {"invite": links[-1][1]})
    training.answer(0, 0, 1)
    training.answer(0, 0, 0)

    data = session_report(session)
    people = {row["Участник"]: row for row in data.tables[0].frame.to_dict(orient="records")}
    assert set(people) == {"Иванова Мария", "Петров Пётр"}
    assert people["Петров Пётр"]["Отказов"] == 1 and people["Петров Пётр"]["Верно с первой попытки, %"] == 0
    assert people["Иванова Мария"]["Шагов пройдено"] == 0
    refusal = data.tables[2].frame["Отказ и пункт положения"].iloc[0]
    assert "в чат своей секции" in refusal and "(п. 2.3, абз. «Обучающийся…», STU-01)" in refusal

    capsys.readouterr()
    assert main(["training", "report", str(session)]) == 0
    assert capsys.readouterr().out.strip().endswith("session.html")
    assert json.loads((session / "session.json").read_text(encoding="utf-8"))["trainees"]


def test_prepare_records_the_list_and_walk_ins_and_the_report_marks_who_came_without_being_listed(tmp_path, capsys):
    from sferum_lib.training.roster import read_roster, record_walk_in

    path = participants_file(tmp_path, ["Иванова Мария"])
    session = tmp_path / "занятие"
    args = ["training", "prepare", "--participants", str(path), "--role", "pdo", "--out", str(session)]
    assert main(args) == 0
    assert read_roster(session).names == ("Иванова Мария",) and not read_roster(session).walk_ins
    assert "войдут только они" in capsys.readouterr().err
    assert main([*args, "--walk-ins"]) == 0  # prepared again: the same organisations, walk-ins now allowed
    assert read_roster(session).walk_ins and "не из списка тоже" in capsys.readouterr().err

    record_walk_in(session, "Гостева Галина")
    Training(session, "Гостева Галина", "pdo").open(0)
    data = session_report(session)
    marked = {r["Участник"]: r["По списку"] for r in data.tables[0].frame.to_dict(orient="records")}
    assert marked == {"Иванова Мария": "да", "Гостева Галина": "нет, без записи"}
    assert "По списку: 1; не начинали: 1; без записи: 1 (разрешено ведущим)." in data.summary


def test_participants_listed_twice_in_another_word_order_are_refused(tmp_path):
    with pytest.raises(InputFileError) as caught:
        read_participants(participants_file(tmp_path, ["Кузнецов Пётр", "петр кузнецов"]))
    assert caught.value.problems[0].row == 3


def test_the_console_notebook_executes_over_a_session(tmp_path):
    import papermill

    session = tmp_path / "занятие"
    training = Training(session, "Иванова Мария", "pdo", DAY)
    training.perform(1)  # refused: the status before joining
    out = tmp_path / "console.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOKS / "methodist" / "console.ipynb"),
        str(out),
        parameters={"session": str(session), "refresh_seconds": 60},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
    )
    executed = nbformat.read(out, as_version=4)
    assert executed.cells[-1].outputs[0]["data"]["application/vnd.jupyter.widget-view+json"]
    # the page the widget shows is in the notebook's saved widget state
    shown = json.dumps(executed.metadata["widgets"], ensure_ascii=False)
    assert "Иванова Мария" in shown and "Чаще всего встречались отказы" in shown and "Нужна помощь" not in shown


def test_the_session_notebook_writes_the_report_with_the_wrong_answers_met_most(tmp_path):
    import papermill
    from openpyxl import load_workbook

    from sferum_lib.training.sessions import example_session

    session = example_session(tmp_path / "занятие", DAY)
    papermill.execute_notebook(
        str(NOTEBOOKS / "methodist" / "session.ipynb"),
        str(tmp_path / "session.ipynb"),
        parameters={"session": str(session), "out_dir": str(tmp_path / "итоги")},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
    )
    report = json.loads((tmp_path / "итоги" / "session.json").read_text(encoding="utf-8"))
    wrong = report["wrong"]
    from sferum_lib.training import STEPS

    asked = len(STEPS["pdo"][0].questions) + len(STEPS["student"][0].questions)
    assert len(wrong) == asked and all(row["Сколько раз"] == 1 for row in wrong)  # once on every question
    assert "Частые неверные ответы" in load_workbook(tmp_path / "итоги" / "session.xlsx").sheetnames
