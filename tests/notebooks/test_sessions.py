"""Training sessions: prepared per participant, summarised for the methodist."""

from __future__ import annotations

import datetime as dt
import json

import nbformat
import pytest
from openpyxl import Workbook

from sferum_lib.cli import main
from sferum_lib.errors import InputFileError
from sferum_lib.training import Training
from sferum_lib.training.sessions import read_participants, session_report

DAY = dt.date(2026, 11, 29)


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
    assert "в чат своей секции" in refusal and "(п. 2.3, абз. «Обучающийся…»)" in refusal and "STU-01" not in refusal

    capsys.readouterr()
    assert main(["training", "report", str(session)]) == 0
    assert capsys.readouterr().out.strip().endswith("session.html")
    assert json.loads((session / "session.json").read_text(encoding="utf-8"))["trainees"]
