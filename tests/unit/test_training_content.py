"""Training content as files: every shipped file loads and follows the rules, a methodist's copy changes what a
participant sees, and each kind of mistake in a file is a Russian message naming file and line."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from sferum_lib import cli
from sferum_lib.regulation import default_catalogue
from sferum_lib.training import STEPS, Training
from sferum_lib.training.content import (
    CONTENT_ENV,
    PLATFORM_MARK,
    SESSION_RECORD,
    SHIPPED,
    ContentError,
    load_content,
    record_content,
    steps_for,
    write_content,
)
from sferum_lib.training.steps import ROLE_ORDER

ROOT = Path(__file__).resolve().parents[2]
REGULATION = " ".join((ROOT / "tests" / "fixtures" / "regulation_2023.md").read_text(encoding="utf-8").split())
DAY = dt.date(2026, 11, 29)


@pytest.fixture(autouse=True)
def _shipped_content(monkeypatch):
    # set (empty: unused) rather than deleted, so that whatever a test's command sets is undone after it
    monkeypatch.setenv(CONTENT_ENV, "")
    monkeypatch.setenv("SFERUM_SESSION", "")


def raw(role: str) -> dict:
    return yaml.safe_load((SHIPPED / f"{role}.yaml").read_text(encoding="utf-8"))


# --- the shipped content -------------------------------------------------------------------------------------


def test_every_shipped_file_loads_and_every_step_has_two_questions():
    content = load_content()
    assert list(content) == list(ROLE_ORDER) == list(STEPS)
    catalogue = default_catalogue()
    for role, steps in content.items():
        assert steps, role
        for step in steps:
            assert catalogue[step.duty]  # a known duty
            assert len(step.questions) >= 2, (role, step.duty)
            assert step.hints, (role, step.duty)
            assert step.procedure is None or step.button, (role, step.duty)
    # every state-changing duty of a role that the old steps taught is still taught
    duties = {s.duty for steps in content.values() for s in steps}
    assert {"ADM-01", "ADM-07", "ADM-13", "HEAD-06", "PDO-03", "PED-03", "STU-04", "PAR-01"} <= duties


def test_every_quote_is_the_regulations_own_words_and_is_shown():
    quotes = 0
    for role in ROLE_ORDER:
        shown = {s.duty: s for s in load_content()[role]}
        for step in raw(role)["шаги"]:
            for n, q in enumerate(step["вопросы"]):
                explain = shown[step["шаг"]].questions[n].explain
                if q.get("платформа") == "да":
                    assert explain.startswith(PLATFORM_MARK), (role, step["шаг"], n)
                    continue
                quote = " ".join(str(q["цитата"]).split())
                position = 0
                for part in (p.strip() for p in quote.split("…")):
                    found = REGULATION.find(part, position)
                    assert part and found >= 0, (role, step["шаг"], part)
                    position = found + len(part)
                assert f"«{quote.rstrip('.')}»" in explain and explain.startswith("Положение ("), (role, step["шаг"])
                quotes += 1
    assert quotes >= 70


def test_why_says_what_goes_wrong_and_does_not_repeat_the_duty():
    catalogue = default_catalogue()
    for role in ROLE_ORDER:
        for step in load_content()[role]:
            duty = catalogue[step.duty]
            why = step.why.lower()
            assert duty.text.lower().rstrip(".") not in why, (role, step.duty)
            assert not why.startswith(duty.title.lower()), (role, step.duty)
            assert re.search(r"\b(не|без|нет|вне|если|пока)\b", why), (role, step.duty, step.why)


def test_questions_are_situations_with_plausible_distractors():
    for role in ROLE_ORDER:
        for step in load_content()[role]:
            for q in step.questions:
                assert q.text.endswith("?"), (step.duty, q.text)
                # a wrong answer is a sentence a colleague might say, not a one-word throwaway
                assert all(len(o.split()) >= 2 for o in q.options), (step.duty, q.options)
            # at least one question of a step sets a scene (a person, a group, an event) before asking
            assert any(len(q.text.split()) >= 12 for q in step.questions), step.duty


def test_platform_facts_are_marked_and_rules_carry_the_value_in_force():
    platform = [q for steps in load_content().values() for s in steps for q in s.questions if q.platform]
    assert platform and all(PLATFORM_MARK in q.explain for q in platform)
    shown = " ".join(q.explain for steps in load_content().values() for s in steps for q in s.questions)
    assert "{" not in shown and "}" not in shown


# --- a methodist's copy --------------------------------------------------------------------------------------


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


OLD_QUESTION = "Педагог не знает, как провести групповой звонок в чате. К кому ему обратиться в организации?"
NEW_QUESTION = "Педагог Рустам Ильдарович не умеет начать групповой звонок. К кому ему обратиться?"


def test_a_methodists_copy_changes_what_the_training_and_the_wizard_show(tmp_path, monkeypatch):
    from sferum_lib.ui.wizard import RoleWizard

    copy = tmp_path / "моё содержание"
    assert cli.main(["training", "content", "--out", str(copy)]) == 0
    assert sorted(p.name for p in copy.iterdir()) == sorted(f"{r}.yaml" for r in ROLE_ORDER)
    _edit(copy / "admin.yaml", OLD_QUESTION, NEW_QUESTION)
    _edit(copy / "admin.yaml", "Выберите педагога, который уже присоединился", "Назначайте только вступивших")

    monkeypatch.setenv(CONTENT_ENV, str(copy))  # what ``sferum app --content`` gives its kernels
    training = Training(tmp_path / "занятие", "Иванова Мария", "admin", DAY)
    index = [s.duty for s in training.steps].index("ADM-16")
    assert training.steps[index].questions[0].text == NEW_QUESTION
    wizard = RoleWizard(training)
    wizard.index = index
    wizard.render()
    values = [getattr(child, "value", None) for child in wizard.step_box.children]
    shown = " ".join(v for v in values if isinstance(v, str))
    assert NEW_QUESTION in shown and OLD_QUESTION not in shown
    assert "Назначайте только вступивших" in " ".join(h for s in training.steps for h in s.hints)

    monkeypatch.setenv(CONTENT_ENV, "")  # the shipped content is untouched
    assert steps_for("admin")[index].questions[0].text == OLD_QUESTION


def test_a_prepared_session_keeps_its_content_folder(tmp_path):
    copy = tmp_path / "copy"
    write_content(copy)
    _edit(copy / "parent.yaml", "Сын заболел и пропустит занятие.", "Дочь заболела и пропустит занятие.")
    session = tmp_path / "session"
    record_content(session, copy)
    assert (session / SESSION_RECORD).read_text(encoding="utf-8").strip() == str(copy.resolve())
    texts = [q.text for s in steps_for("parent", session) for q in s.questions]
    assert any(t.startswith("Дочь заболела") for t in texts)
    assert not any(t.startswith("Дочь заболела") for s in steps_for("parent") for t in [q.text for q in s.questions])


def test_a_copy_is_not_overwritten_unless_asked(tmp_path, capsys):
    copy = tmp_path / "copy"
    write_content(copy)
    _edit(copy / "head.yaml", "Директор", "Директор центра")
    edited = (copy / "head.yaml").read_text(encoding="utf-8")
    assert cli.main(["training", "content", "--out", str(copy)]) == 2
    err = capsys.readouterr().err
    assert "не перезаписываются" in err and "--overwrite" in err and "Traceback" not in err
    assert (copy / "head.yaml").read_text(encoding="utf-8") == edited
    assert cli.main(["training", "content", "--out", str(copy), "--overwrite"]) == 0
    assert (copy / "head.yaml").read_text(encoding="utf-8") == (SHIPPED / "head.yaml").read_text(encoding="utf-8")


def test_a_copy_may_leave_roles_out(tmp_path):
    copy = tmp_path / "copy"
    write_content(copy)
    (copy / "student.yaml").unlink()
    assert [s.duty for s in load_content(copy)["student"]] == [s.duty for s in load_content()["student"]]


# --- mistakes in a file ----------------------------------------------------------------------------------------


def _broken(tmp_path: Path, role: str, old: str, new: str) -> tuple[Path, int]:
    """A copy whose ``role`` file has its first match of the pattern ``old`` replaced; and that match's line."""
    copy = tmp_path / "broken"
    if not copy.exists():
        write_content(copy)
    path = copy / f"{role}.yaml"
    text = path.read_text(encoding="utf-8")
    found = re.search(old, text, flags=re.MULTILINE)
    assert found, old
    path.write_text(text[: found.start()] + new + text[found.end() :], encoding="utf-8")
    return copy, text.count("\n", 0, found.start()) + 1


def _problems(folder: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_content(folder)
    return caught.value.problems


@pytest.mark.parametrize(
    ("role", "old", "new", "expected"),
    [
        ("admin", "  - шаг: ADM-05", "  - шаг: ADM-55", "обязанности «ADM-55» нет в каталоге"),
        ("head", "роль: head", "роль: director", "неизвестная роль «director»"),
        ("pdo", "роль: pdo", "роль: ped", "роль «ped», а файл назван «pdo.yaml»"),
        ("parent", r"^        ответ: \d\n", "", "не указан «ответ»"),
        ("student", r"^        ответ: \d$", "        ответ: 4", "ответ 4 вне вариантов (их 3)"),
        ("student", r"^        ответ: \d$", "        ответ: второй", "«ответ» — номер верного варианта"),
        ("admin", "        выбор: open_invites", "        выбор: all_links", "неизвестный выбор «all_links»"),
        ("admin", "      - поле: invite_id", "      - поле: link_id", "нет поля «link_id»"),
        ("admin", "    действие: annul_invite", "    действие: delete_invite", "неизвестное действие «delete_invite»"),
        (
            "admin",
            "    действие: create_channel",
            "    действие: plan_broadcast",
            "выполняет ADM-15, а не обязанность ADM-14",
        ),
        ("admin", r"      - поле: role\n        подпись: Роль\n        выбор: invite_roles\n", "", "поля «role»"),
        ("ped", "    кто: methodist", "    кто: methodologist", "«кто» — один из"),
        ("admin", r"\{request_max_age_days\} дн\., попадает", "{request_days} дн., попадает", "«{request_days}»"),
        ("head", '        пункт: "2.2"', '        пункт: "9.9"', "пункт «9.9» не найден в положении"),
        ("head", "    вопросы:", "    вопрос:", "неизвестное поле «вопрос»"),
        ("parent", "          - Выйти из чата, чтобы не читать рекламу", "          - Выйти: реклама", "двоеточия"),
        (
            "parent",
            "        цитата: участвует в образовательной коммуникации, осуществляемой в чате, с использованием "
            "функционала цифрового сервиса\n",
            '        цитата: ""\n',
            "не заполнено поле «цитата»",
        ),
    ],
)
def test_each_kind_of_mistake_names_the_file_and_line(tmp_path, role, old, new, expected):
    folder, line = _broken(tmp_path, role, old, new)
    problems = _problems(folder)
    mine = [p for p in problems if expected in p]
    assert mine, problems
    assert mine[0].startswith(f"файл «{role}.yaml», строка "), mine
    reported = int(re.search(r"строка (\d+)", mine[0]).group(1))
    assert abs(reported - line) <= 12, (mine, line)  # the line of the key or of the question holding it


def test_fewer_than_two_questions(tmp_path):
    folder = tmp_path / "copy"
    write_content(folder)
    path = folder / "parent.yaml"
    data = path.read_text(encoding="utf-8")
    start = data.index("      - вопрос: >-\n          Сын заболел")
    path.write_text(data[:start], encoding="utf-8")
    problems = _problems(folder)
    assert any("шаг PAR-02" in p and "вопросов 1, а нужно не меньше 2" in p for p in problems), problems


def test_bad_yaml_names_the_line(tmp_path):
    folder, line = _broken(
        tmp_path, "pdo", "    кто: teacher\n    действие: join_by_invite", "    кто: teacher\n  действие: [x"
    )
    problems = _problems(folder)
    assert len(problems) == 1 and problems[0].startswith("файл «pdo.yaml», строка ") and "YAML" in problems[0]
    assert abs(int(re.search(r"строка (\d+)", problems[0]).group(1)) - line) <= 2, (problems, line)
    assert "неверный отступ" in problems[0] and not re.search(r"[A-Za-z]{4}", problems[0].split("YAML", 1)[1])


def test_every_problem_of_every_file_at_once(tmp_path):
    folder, _ = _broken(tmp_path, "admin", "  - шаг: ADM-05", "  - шаг: ADM-55")
    _broken(tmp_path, "admin", "        выбор: open_invites", "        выбор: all_links")
    _broken(tmp_path, "student", r"^        ответ: \d$", "        ответ: 7")
    (folder / "админ.yaml").write_text("роль: admin\n", encoding="utf-8")
    problems = _problems(folder)
    assert len(problems) == 4, problems
    assert any("«админ.yaml»" in p for p in problems)


def test_the_cli_refuses_a_broken_copy_with_exit_2_and_no_traceback(tmp_path, capsys):
    folder, _ = _broken(tmp_path, "student", r"^        ответ: \d$", "        ответ: 4")
    args = ["--participants", str(tmp_path / "нет.xlsx"), "--role", "student", "--out", str(tmp_path / "s")]
    code = cli.main(["training", "prepare", *args, "--content", str(folder)])
    err = capsys.readouterr().err
    assert code == 2 and "student.yaml», строка" in err and "Traceback" not in err
    assert not (tmp_path / "s").exists()  # nothing half-written
    assert cli.main(["app", "student", "--content", str(tmp_path / "нет такой")]) == 2
    assert "папки нет" in capsys.readouterr().err


def test_prepare_with_a_copy_records_it_and_the_participants_notebook_finds_it(tmp_path, monkeypatch, capsys):
    copy = tmp_path / "copy"
    write_content(copy)
    _edit(copy / "student.yaml", "Даша не поняла домашнее задание", "Тимур не понял домашнее задание")
    names = tmp_path / "участники.csv"
    names.write_text("ФИО\nСоколова Дарья\n", encoding="utf-8")
    session = tmp_path / "занятие"
    args = ["--participants", str(names), "--role", "student", "--out", str(session), "--content", str(copy)]
    assert cli.main(["training", "prepare", *args]) == 0, capsys.readouterr().err
    assert (session / SESSION_RECORD).read_text(encoding="utf-8").strip() == str(copy.resolve())
    notebook = Path(capsys.readouterr().out.split()[0])
    assert notebook.exists()
    monkeypatch.setenv(CONTENT_ENV, "")
    monkeypatch.chdir(notebook.parent)  # where Jupyter runs the participant's kernel
    texts = [q.text for s in steps_for("student") for q in s.questions]
    assert any(t.startswith("Тимур не понял") for t in texts)
    monkeypatch.chdir(tmp_path)
    assert not any(q.text.startswith("Тимур не понял") for s in steps_for("student") for q in s.questions)

    # the session's report counts the steps of the copy: drop the last step, and the report has no STU-04
    text = (copy / "student.yaml").read_text(encoding="utf-8")
    (copy / "student.yaml").write_text(text[: text.index("  - шаг: STU-04")], encoding="utf-8")
    assert cli.main(["training", "report", str(session), "--out", str(tmp_path / "отчёт")]) == 0
    html = Path(capsys.readouterr().out.split()[0]).read_text(encoding="utf-8")
    assert "STU-03" in html and "STU-04" not in html
