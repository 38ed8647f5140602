"""Role wizards driven headlessly: the right order succeeds, the wrong one shows the regulation's refusal,
progress survives a rebuilt widget, and every role can be completed on its practice organisation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import papermill
import pytest

from sferum_lib.training import STEPS, Training
from sferum_lib.ui import role_notebook
from sferum_lib.ui.wizard import RoleWizard
from tests.helpers import answer_all

DAY = dt.date(2026, 11, 29)
# the option a careful trainee picks where the default would be wrong
RIGHT = {"ADM-03": {"phone": "+7 978 700 01 35"}}


def complete_role(training: Training) -> None:
    wizard = RoleWizard(training)
    for index, step in enumerate(training.steps):
        wizard.index = index
        wizard.render()
        if step.procedure:
            for name, value in RIGHT.get(step.duty, {}).items():
                wizard.fields[name].value = value
            if step.duty in ("ADM-08", "ADM-09", "ADM-11"):
                wizard.fields["staff_id"].value = training.persona("teacher")
            if step.duty == "ADM-13":  # a link to annul: make one first, as the trainee would
                wizard.index = [s.duty for s in training.steps].index("ADM-07")
                wizard.render()
                wizard.fields["target"].value = "организация"
                wizard.action_button.click()
                wizard.index = index
                wizard.render()
            if "invite" in wizard.fields:  # the trainee's own link is the newest one
                wizard.fields["invite"].value = wizard.fields["invite"].options[-1][1]
            wizard.action_button.click()
            assert "Готово" in wizard.action_feedback.value, (step.duty, wizard.action_feedback.value)
        for radio, check, result in wizard.questions:
            radio.value = training.steps[index].questions[wizard.questions.index((radio, check, result))].answer
            check.click()
            assert "Верно" in result.value
    wizard.render()
    assert wizard.progress_bar.value == len(training.steps)


@pytest.mark.parametrize("role", list(STEPS))
def test_every_role_can_be_completed_on_its_practice_organisation(tmp_path, role):
    complete_role(Training(tmp_path, "Иванова Мария", role, DAY))


def test_the_wrong_order_shows_the_regulations_refusal(tmp_path):
    training = Training(tmp_path, "Петров Пётр", "admin", DAY)
    wizard = RoleWizard(training)
    wizard.index = [s.duty for s in training.steps].index("ADM-05")
    wizard.render()
    wizard.action_button.click()
    assert "Сначала руководитель назначает администратора платформы приказом (п. 2.1, ADM-01)" in (
        wizard.action_feedback.value)
    assert wizard.progress_bar.value == 0
    events = training.sandbox.workspace().store.training_events("Петров Пётр", "admin")
    assert list(events["kind"]) == ["start", "refused"]


def test_a_wrong_answer_is_explained_and_not_counted(tmp_path):
    training = Training(tmp_path, "Петров Пётр", "student", DAY)
    wizard = RoleWizard(training)
    wizard.go(+1)
    radio, check, result = wizard.questions[0]
    radio.value = 2
    check.click()
    assert "Неверно" in result.value and "в чате секции" in result.value and "абз. «Обучающийся…»" in result.value
    assert wizard.progress_bar.value == 0


def test_progress_survives_rebuilding_the_widget_from_the_store(tmp_path):
    training = Training(tmp_path, "Сидорова Анна", "pdo", DAY)
    wizard = RoleWizard(training)
    wizard.fields["invite"].value = wizard.fields["invite"].options[-1][1]
    wizard.action_button.click()
    answer_all(wizard, training.steps[0])
    assert wizard.progress_bar.value == 1
    again = RoleWizard(Training(tmp_path, "Сидорова Анна", "pdo", DAY))  # a new kernel, the same folder
    assert again.progress_bar.value == 1 and again.index == 1
    assert again.next_button.disabled is False and again.back_button.disabled is False


def test_reset_starts_the_role_again(tmp_path):
    training = Training(tmp_path, "Сидорова Анна", "head", DAY)
    wizard = RoleWizard(training)
    wizard.action_button.click()
    answer_all(wizard, training.steps[0])
    assert wizard.t.completed() == 1
    wizard.reset_button.click()
    assert wizard.t.completed() == 1  # one click only asks
    wizard.confirm_button.click()
    assert wizard.progress_bar.value == 0 and wizard.index == 0
    assert training.state().organisation.usage_order_number is None


def test_app_mode_asks_the_name_first(tmp_path):
    view = role_notebook("parent", {"mode": "обучение", "session": str(tmp_path), "trainee": ""})
    box = view.children[0]
    name, start = box.children[1], box.children[2]
    name.value = "Орлова Ирина"
    start.click()
    assert (tmp_path / "Орлова_Ирина" / "parent.db").exists()
    assert "Орлова Ирина" in box.children[0].children[0].value


def test_work_mode_notebook_under_papermill_yields_a_static_checklist(tmp_path):
    from sferum_lib.demo import demo_store

    store = demo_store(DAY)
    out = tmp_path / "admin.ipynb"
    papermill.execute_notebook(
        str(Path(__file__).resolve().parents[2] / "notebooks" / "roles" / "admin.ipynb"), str(out),
        parameters={"mode": "работа", "store": str(store), "person": "E004"}, kernel_name="python3",
        progress_bar=False, cwd=str(tmp_path),
    )
    text = out.read_text(encoding="utf-8")
    assert "Что осталось сделать: E004" in text and "не выполнено" in text and "ADM-13" in text


def test_a_second_role_gets_its_own_practice_organisation(tmp_path):
    teacher = Training(tmp_path, "Иванова Мария", "pdo", DAY)
    teacher.perform(0, {"invite": teacher.choices(teacher.steps[0])["invite"][-1][1]})
    admin = Training(tmp_path, "Иванова Мария", "admin", DAY)
    assert admin.sandbox.path != teacher.sandbox.path
    assert admin.state().organisation.admin_id is None  # the admin role starts from scratch
    assert Training(tmp_path, "Иванова Мария", "pdo", DAY).completed() == 0 and teacher.progress()[0].performed


def test_a_teacher_starts_the_verification_and_the_administrator_completes_it(tmp_path):
    training = Training(tmp_path, "Сидорова Анна", "pdo", DAY)
    training.perform(0, {"invite": training.choices(training.steps[0])["invite"][-1][1]})
    feedback = training.perform(1)
    assert feedback.ok and feedback.duty == "PDO-02" and "подтверждён статус «педагог»" in feedback.text
    teacher, admin = training.persona("teacher"), training.persona("admin")
    with training.sandbox.workspace() as ws:
        journal = ws.store.journal()
    acts = list(zip(journal["procedure"], journal["actor"], strict=True))
    assert ("start_verification", teacher) in acts and ("confirm_status", admin) in acts
    assert ("confirm_status", teacher) not in acts
