"""The `sferum` command: exit codes, JSON on stdout, Russian on stderr, nothing written on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sferum_lib.cli import main
from tests.helpers import D, clean_book, set_cell, write_xlsx

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def store(tmp_path):
    return str(tmp_path / "s.db")


def test_import_prints_the_snapshot_number(capsys, store):
    code, out, err = run(capsys, "import", str(FIXTURES / "example.xlsx"), "--store", store)
    assert (code, out.strip()) == (0, "1")
    assert "Снимок № 1" in err
    code, out, _ = run(capsys, "import", str(FIXTURES / "example.xlsx"), "--store", store)
    assert out.strip() == "2"


def test_audit_and_indicators_json_match_the_contract_example(capsys, store):
    expected = json.loads((FIXTURES / "example.expected.json").read_text(encoding="utf-8"))
    run(capsys, "import", str(FIXTURES / "example.xlsx"), "--store", store)
    code, out, _err = run(capsys, "audit", "--store", store, "--as-of", expected["as_of"], "--format", "json")
    assert code == 0
    findings = json.loads(out)
    assert [[f["check"], f["subject"]] for f in findings] == expected["findings"]
    assert set(findings[0]) >= {"check", "clause", "severity", "subject", "message"}
    assert "Сергеев" in out  # UTF-8, not \\u escapes
    code, out, _ = run(capsys, "indicators", "--store", store, "--as-of", expected["as_of"], "--format", "json")
    assert json.loads(out) == expected["indicators"]


def test_audit_table_groups_by_clause_and_counts_severities(capsys, store):
    run(capsys, "import", str(FIXTURES / "example.xlsx"), "--store", store)
    code, out, _ = run(capsys, "audit", "--store", store, "--as-of", "2026-10-15")
    assert code == 0
    assert "Итого: 14 нарушений, 7 замечаний." in out
    assert "пп. 2.1, 2.2" in out and "\nп. 2.7\n" in out
    # subjects and chats in words, no check keys, duty codes or raw subjects
    assert "[" not in out and "ADM-" not in out and "section-parents" not in out
    assert "У объединения «Авиамоделирование» нет чата с родителями." in out


def test_the_audit_cites_the_edition_in_force_and_its_json_clause_stays(capsys, store, tmp_path):
    import openpyxl

    book = openpyxl.load_workbook(FIXTURES / "example.xlsx")
    book["Организация"].append(["Редакция положения", "новая"])
    book.save(tmp_path / "new.xlsx")
    run(capsys, "import", str(tmp_path / "new.xlsx"), "--store", store)
    _code, out, _ = run(capsys, "audit", "--store", store, "--as-of", "2026-10-15")
    assert "\nп. 2.6\n" in out and "\nп. 2.7\n" not in out
    _code, out, _ = run(capsys, "audit", "--store", store, "--as-of", "2026-10-15", "--format", "json")
    clauses = {f["check"]: f["clause"] for f in json.loads(out)}
    assert clauses["parent-coverage"] == "2.7" and clauses["admin-appointed"] == "2.1, 2.2"


def test_not_performed_checks_are_named_on_stderr_and_in_the_table(capsys, store, tmp_path):
    book = clean_book()
    del book["Каналы"]
    run(capsys, "import", str(write_xlsx(book, tmp_path / "b.xlsx")), "--store", store)
    code, out, err = run(capsys, "audit", "--store", store, "--as-of", "2026-10-15", "--format", "json")
    assert code == 0 and json.loads(out) == []
    assert "Системные каналы" in err
    _code, out, _ = run(capsys, "audit", "--store", store, "--as-of", "2026-10-15")
    assert "Не проверено" in out and "Системные каналы" in out and "system-channels" not in out


def test_movement_json_between_two_snapshots(capsys, store, tmp_path):
    before = clean_book()
    after = clean_book()
    set_cell(after, "Обучающиеся", "U02", "Дата отчисления", D(2026, 10, 1))
    after["Обучающиеся"].append(["U05", "Мельник", "Ева", "RT", D(2026, 10, 2), "", ""])
    run(capsys, "import", str(write_xlsx(before, tmp_path / "1.xlsx")), "--store", store)
    run(capsys, "import", str(write_xlsx(after, tmp_path / "2.xlsx")), "--store", store)
    code, out, _ = run(
        capsys, "movement", "--from", "1", "--to", "2", "--store", store, "--as-of", "2026-10-15", "--format", "json"
    )
    assert code == 0
    assert json.loads(out) == {
        "arrived": {"staff": [], "students": ["U05"]},
        "departed": {"staff": [], "students": ["U02"]},
    }


def test_bad_workbook_exits_2_names_every_problem_and_leaves_the_store_unchanged(capsys, store, tmp_path):
    run(capsys, "import", str(FIXTURES / "example.xlsx"), "--store", store)
    before = Path(store).read_bytes()
    book = clean_book()
    set_cell(book, "Сотрудники", "E02", "Телефон", "не помню")
    set_cell(book, "Обучающиеся", "U01", "Объединения", "ZZ")
    path = write_xlsx(book, tmp_path / "bad.xlsx")
    code, out, err = run(capsys, "import", str(path), "--store", store, "--errors-to", str(tmp_path / "err.xlsx"))
    assert code == 2 and out == ""
    assert "ошибок — 2" in err
    assert "лист «Сотрудники», строка 3, столбец «Телефон»: значение «не помню»" in err
    assert "«ZZ»" in err and "Traceback" not in err
    assert (tmp_path / "err.xlsx").exists()
    code, out, _ = run(capsys, "snapshots", "--store", store, "--format", "json")
    assert [s["number"] for s in json.loads(out)] == [1]
    assert Path(store).read_bytes() == before


def test_bad_first_import_creates_no_store(capsys, tmp_path):
    book = clean_book()
    del book["Сотрудники"]
    store = tmp_path / "new.db"
    code, _, err = run(capsys, "import", str(write_xlsx(book, tmp_path / "b.xlsx")), "--store", str(store))
    assert code == 2 and "нет обязательного листа" in err
    assert not store.exists()


def test_export_writes_a_snapshot_that_imports_back(capsys, store, tmp_path):
    run(capsys, "import", str(FIXTURES / "example.xlsx"), "--store", store)
    code, _, _ = run(capsys, "export", str(tmp_path / "back.xlsx"), "--store", store, "--snapshot", "1")
    assert code == 0
    code, out, _ = run(capsys, "import", str(tmp_path / "back.xlsx"), "--store", store)
    assert out.strip() == "2"
    _, first, _ = run(capsys, "audit", "--store", store, "--snapshot", "1", "--as-of", "2026-10-15", "--format", "json")
    _, second, _ = run(
        capsys, "audit", "--store", store, "--snapshot", "2", "--as-of", "2026-10-15", "--format", "json"
    )
    assert first == second


def test_template_command_writes_the_blank_workbook(capsys, tmp_path):
    code, _, err = run(capsys, "template", str(tmp_path / "шаблон.xlsx"))
    assert code == 0 and (tmp_path / "шаблон.xlsx").exists() and "Шаблон" in err


def test_a_book_already_there_is_not_overwritten_without_replace(capsys, tmp_path, store):
    """A repeated `template` or `export` must not wipe a filled workbook; --replace says the user means it."""
    book = tmp_path / "книга.xlsx"
    book.write_bytes(b"filled by hand")
    run(capsys, "import", str(FIXTURES / "example.xlsx"), "--store", store)
    for args in (("template", str(book)), ("export", str(book), "--store", store)):
        code, _, err = run(capsys, *args)
        assert code == 2 and "уже есть" in err and "--replace" in err and "папка" not in err
        assert book.read_bytes() == b"filled by hand"
    code, _, err = run(capsys, "template", str(tmp_path))
    assert code == 2 and "папка, а нужно имя файла книги" in err
    assert run(capsys, "export", str(book), "--store", store, "--replace")[0] == 0
    assert book.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize(("command", "named"), [("state", "ДЕЙСТВИЕ: start"), ("app", "РОЛЬ: admin, head")])
def test_a_missing_choice_is_named_in_russian_with_its_values(capsys, command, named):
    code, _, err = run(capsys, command)
    assert code == 2 and named in err and f"sferum {command} --help" in err
    assert "action" not in err and "role" not in err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["audit", "--as-of", "15.13.2026"], "не дата"),
        (["audit", "--format", "xml"], "неизвестное значение"),
        (["frobnicate"], "неизвестное значение"),
        (["movement", "--from", "1"], "не указаны обязательные аргументы"),
        (["audit", "--snapshot", "0"], "не меньше 1"),
    ],
)
def test_usage_errors_exit_2_in_russian(capsys, store, args, words):
    code, out, err = run(capsys, *args, *(["--store", store] if args[0] != "frobnicate" else []))
    assert code == 2 and out == ""
    assert words in err and "usage" not in err


def test_missing_store_or_snapshot_exits_2(capsys, store):
    code, _, err = run(capsys, "audit", "--store", store)
    assert code == 2 and "не найдено" in err
    run(capsys, "import", str(FIXTURES / "example.xlsx"), "--store", store)
    code, _, err = run(capsys, "audit", "--store", store, "--snapshot", "5")
    assert code == 2 and "нет снимка № 5" in err


def test_store_comes_from_the_environment(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("SFERUM_STORE", str(tmp_path / "env.db"))
    code, _out, _ = run(capsys, "import", str(FIXTURES / "example.xlsx"))
    assert code == 0 and (tmp_path / "env.db").exists()


def test_duties_lists_a_roles_duties(capsys):
    _code, out, _ = run(capsys, "duties", "--role", "student", "--format", "json")
    assert [d["id"] for d in json.loads(out)] == ["STU-01", "STU-02", "STU-03", "STU-04"]


def test_demo_builds_a_store_and_prints_audit_and_indicators(capsys, tmp_path):
    code, out, _err = run(capsys, "demo", "--out", str(tmp_path / "demo"), "--as-of", "2026-11-29")
    assert code == 0
    assert "Аудит соответствия положению" in out and "Показатели" in out and "Движение" in out
    assert (tmp_path / "demo" / "demo.db").exists() and (tmp_path / "demo" / "демо-организация.xlsx").exists()
    code, out, _ = run(
        capsys, "audit", "--store", str(tmp_path / "demo" / "demo.db"), "--format", "json", "--as-of", "2026-11-29"
    )
    assert code == 0 and len(json.loads(out)) > 15
    _, short, _ = run(capsys, "audit", "--store", str(tmp_path / "demo" / "demo.db"), "--as-of", "2026-11-29")
    _, full, _ = run(capsys, "audit", "--store", str(tmp_path / "demo" / "demo.db"), "--as-of", "2026-11-29", "--all")
    assert "… и ещё" in short and "… и ещё" not in full
    assert len(full.splitlines()) > len(short.splitlines())


def test_the_installed_command_runs_as_a_module_with_russian_help():
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-m", "sferum_lib", "--help"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0
    assert "Использование: sferum" in done.stdout and "команды" in done.stdout and "показать эту справку" in done.stdout


def test_working_state_procedures_and_journal_from_the_command_line(capsys, store, tmp_path):
    run(capsys, "import", str(write_xlsx(clean_book(), tmp_path / "b.xlsx")), "--store", store)
    assert run(capsys, "state", "start", "--store", store)[0] == 0
    code, out, err = run(
        capsys,
        "do",
        "issue_invite",
        "--as",
        "E02",
        "--day",
        "2026-10-01",
        "-p",
        "target",
        "объединение:RT",
        "-p",
        "role",
        "обучающийся",
        "--store",
        store,
    )
    assert (code, out.strip()) == (0, "I002") and "Выполнено (п. 2.1)" in err and "ADM-07" not in err
    code, _, err = run(capsys, "do", "create_class", "--as", "E02", "-p", "section", "RT", "--store", store)
    assert code == 2 and "уже создан (п. 2.1, ADM-06)" in err
    code, out, _ = run(capsys, "journal", "--format", "json", "--store", store)
    assert [e["procedure"] for e in json.loads(out)] == ["issue_invite"]
    code, out, _ = run(capsys, "journal", "--store", store)
    assert code == 0 and "(п. 2.1)" in out and "ADM-07" not in out
    code, out, _ = run(capsys, "audit", "--state", "--as-of", "2026-10-15", "--format", "json", "--store", store)
    assert [f["subject"] for f in json.loads(out)] == ["I002"]
    code, out, _ = run(
        capsys, "audit", "--snapshot", "1", "--as-of", "2026-10-15", "--format", "json", "--store", store
    )
    assert json.loads(out) == []  # the imported snapshot is untouched
    code, _, _ = run(capsys, "export", str(tmp_path / "state.xlsx"), "--state", "--store", store)
    assert code == 0 and (tmp_path / "state.xlsx").exists()


def test_procedure_with_a_bad_parameter_is_a_usage_error(capsys, store, tmp_path):
    run(capsys, "import", str(write_xlsx(clean_book(), tmp_path / "b.xlsx")), "--store", store)
    run(capsys, "state", "start", "--store", store)
    code, _, err = run(
        capsys, "do", "plan_broadcast", "--as", "E02", "-p", "when", "завтра", "-p", "title", "Урок", "--store", store
    )
    assert code == 2 and "не дата" in err
    code, _, err = run(capsys, "do", "create_class", "--as", "E02", "-p", "code", "RT", "--store", store)
    assert code == 2 and "неверные параметры" in err


def test_state_is_needed_before_procedures(capsys, store):
    run(capsys, "import", str(FIXTURES / "example.xlsx"), "--store", store)
    code, _, err = run(capsys, "do", "create_class", "--as", "E03", "-p", "section", "AM", "--store", store)
    assert code == 2 and "нет рабочего состояния" in err


def test_sandbox_command_creates_and_resets(capsys, tmp_path):
    code, out, _ = run(capsys, "sandbox", "create", "--session", str(tmp_path), "--trainee", "Анна Петрова")
    assert code == 0 and out.strip().endswith("Анна_Петрова/sandbox.db")
    assert run(capsys, "sandbox", "reset", "--session", str(tmp_path), "--trainee", "Анна Петрова")[0] == 0


def test_common_options_may_stand_before_the_command(capsys, store):
    run(capsys, "--store", store, "import", str(FIXTURES / "example.xlsx"))
    code, out, _ = run(capsys, "--store", store, "--as-of", "2026-10-15", "indicators", "--format", "json")
    expected = json.loads((FIXTURES / "example.expected.json").read_text(encoding="utf-8"))
    assert code == 0 and json.loads(out) == expected["indicators"]


def test_movement_table_lists_a_few_ids_and_points_to_json():
    import datetime as dt

    from sferum_lib.render import MAX_IDS, movement_table

    ids = [f"U{i:03d}" for i in range(MAX_IDS + 5)]
    text = movement_table(
        {"arrived": {"staff": [], "students": ids}, "departed": {"staff": [], "students": []}},
        1,
        2,
        dt.date(2026, 10, 15),
    )
    assert f"U{MAX_IDS - 1:03d}" in text and f"U{MAX_IDS:03d}" not in text and "и ещё 5" in text


def test_procedure_parameters_may_be_given_in_russian_and_are_listed(capsys, store, tmp_path):
    run(capsys, "import", str(write_xlsx(clean_book(), tmp_path / "b.xlsx")), "--store", store)
    run(capsys, "state", "start", "--store", store)
    code, out, _ = run(
        capsys,
        "do",
        "issue_invite",
        "--as",
        "E02",
        "-p",
        "куда",
        "Учительская",
        "-p",
        "роль",
        "педагог",
        "--store",
        store,
    )
    assert code == 0 and out.strip() == "I002"
    _, listing, _ = run(capsys, "do", "--list")
    assert "куда (target) — организация, Учительская" in listing


def test_demo_with_a_failed_report_exits_1_and_says_so_in_its_last_lines(capsys, tmp_path, monkeypatch):
    from pathlib import Path as P

    from sferum_lib.reports import runner

    def one_fails(params, out_dir, **_):
        failure = runner.ReportFailed("usage", "Отчёт «Использование» не построен: шаг 2: сбой", P(), False)
        return [], [failure]

    monkeypatch.setattr(runner, "run_all", one_fails)
    code, _out, err = run(capsys, "demo", "--out", str(tmp_path / "demo"), "--size", "200")
    assert code == 1
    last = err.strip().splitlines()
    assert "ОШИБКА" in last[-1] and "usage" in last[-1]
    assert any(str(tmp_path / "demo" / "documents") in line for line in last[-6:])
    code, _out, err = run(capsys, "demo", "--out", str(tmp_path / "ok"), "--size", "200", "--no-reports")
    assert code == 0 and err.strip().splitlines()[-1] == "Демо построено полностью."


def test_a_locked_store_is_a_russian_message_with_exit_1(capsys, store, monkeypatch):
    import sqlite3

    from sferum_lib.store import Store

    def locked(*_args, **_kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(Store, "add_snapshot", locked)
    code, out, err = run(capsys, "import", str(FIXTURES / "example.xlsx"), "--store", store)
    assert code == 1 and out == ""
    assert "занято другой программой" in err and "database is locked" not in err and "Traceback" not in err


def test_paths_are_resolved_once_and_printed_whole(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SFERUM_STORE", raising=False)
    code, _out, err = run(capsys, "import", str(FIXTURES / "example.xlsx"), "--store", "папка/s.db")
    assert code == 0 and f"«{tmp_path / 'папка' / 's.db'}»" in err
    code, _out, err = run(capsys, "export", "книга.xlsx", "--store", "папка/s.db")
    assert code == 0 and str(tmp_path / "книга.xlsx") in err


def test_duties_with_a_store_speak_the_organisations_messenger_and_edition(capsys, store, tmp_path):
    import openpyxl

    book = openpyxl.load_workbook(FIXTURES / "example.xlsx")
    sheet = book["Организация"]
    for row in sheet.iter_rows():
        if row[0].value == "Мессенджер":
            row[1].value = "MAX"
            break
    else:
        sheet.append(["Мессенджер", "MAX"])
    sheet.append(["Редакция положения", "новая"])
    book.save(tmp_path / "max.xlsx")
    run(capsys, "import", str(tmp_path / "max.xlsx"), "--store", store)
    code, out, _ = run(capsys, "duties", "--role", "admin", "--store", store)
    assert code == 0 and "VK" not in out and "учебного профиля MAX" in out
    _code, out, _ = run(capsys, "duties", "--role", "admin")
    assert "VK" in out and "MAX" not in out
    _code, out, _ = run(capsys, "duties", "--role", "ped", "--store", store)
    assert "PED-01" in out and "(п. 2.4)" in out and "абз." not in out
    _code, out, _ = run(capsys, "duties", "--role", "ped")
    assert "(п. 2.3, абз. «Педагогический работник…»)" in out
    _code, out, _ = run(capsys, "duties", "--role", "parent", "--store", store, "--format", "json")
    assert [d["citation"] for d in json.loads(out)] == ["п. 2.6", "п. 2.6"]


def test_no_raw_control_character_reaches_the_terminal(capsys, store, tmp_path):
    code, _out, err = run(capsys, "do", "x\x1b[2Jy", "--store", store)
    assert code == 2 and "\x1b" not in err and "x\\x1b[2Jy" in err
    named = tmp_path / "книга\x1b[31m.xlsx"
    named.write_bytes((FIXTURES / "example.xlsx").read_bytes())
    run(capsys, "import", str(named), "--store", store)
    code, out, _ = run(capsys, "snapshots", "--store", store)
    assert code == 0 and "\x1b" not in out and "книга\\x1b[31m.xlsx" in out


def test_docs_all_ends_with_what_was_made_and_what_was_not(capsys, tmp_path):
    """The demo's administrator has no email of his own: 10 of the 11 documents, and the one missing named last."""
    code, out, err = run(capsys, "docs", "all", "--demo", "--out", str(tmp_path / "д"))
    made = [line for line in out.splitlines() if line.endswith(".docx")]
    assert code == 2 and len(made) == 10
    tail = err.strip().splitlines()
    assert "Составлено документов: 10 из 11." in tail and "Не составлено: 1:" in tail
    assert "«Заявка на регистрацию»" in err.split("Не составлено: 1:")[1]
    assert not (tmp_path / "д" / "application.docx").exists()
