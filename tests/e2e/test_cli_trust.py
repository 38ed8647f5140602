"""What the command does when the user's data or folders do not fit: another organisation, a file for a folder."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from sferum_lib.cli import main
from sferum_lib.errors import os_error_text
from sferum_lib.identity import folded, same_organisation
from sferum_lib.model import Organisation
from sferum_lib.store import Store
from tests.helpers import clean_book, set_param, write_xlsx


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def books(tmp_path):
    ours = write_xlsx(clean_book(), tmp_path / "наша.xlsx")
    other = clean_book()
    set_param(other, "Полное наименование", "МБУДО «Дом детского творчества» г. Керчи")
    set_param(other, "Краткое наименование", "МБУДО «ДДТ» Керчь")
    theirs = write_xlsx(other, tmp_path / "чужая.xlsx")
    typo = clean_book()  # another organisation whose short name was mistyped as ours
    set_param(typo, "Полное наименование", "МБУДО «Дом детского творчества» г. Керчи")
    return ours, theirs, write_xlsx(typo, tmp_path / "опечатка.xlsx")


def test_another_organisations_workbook_is_refused_and_nothing_is_added(capsys, tmp_path, books):
    ours, theirs, typo = books
    store = str(tmp_path / "s.db")
    assert run(capsys, "--store", store, "import", str(ours))[0] == 0
    for book in (theirs, typo):
        code, out, err = run(capsys, "--store", store, "import", str(book))
        assert code == 2 and out == ""
        assert "Книга — другой организации" in err and "Дом детского творчества" in err and "--renamed" in err
        assert "Traceback" not in err
    with Store(store, readonly=True) as st:
        assert [s.number for s in st.snapshots()] == [1]


def test_a_renamed_organisation_is_accepted_when_the_user_says_so(capsys, tmp_path, books):
    ours, theirs, _typo = books
    store = str(tmp_path / "s.db")
    run(capsys, "--store", store, "import", str(ours))
    code, out, _err = run(capsys, "--store", store, "import", str(theirs), "--renamed")
    assert (code, out.strip()) == (0, "2")


def test_the_same_organisation_written_differently_is_the_same():
    stored = {"full_name": "МБУДО «Центр научно-технического творчества» г. Керчи", "short_name": "ЦНТТ"}
    same = Organisation('мбудо "центр  научно-технического творчества" г. керчи', "МБУДО ЦНТТ")
    assert same_organisation(stored, same)
    assert not same_organisation(stored, Organisation("МБУДО «Дом детского творчества» г. Керчи", "ЦНТТ"))
    assert folded("«Ёлочка»\u00a0 Керчь") == "елочка керчь"


@pytest.mark.parametrize("command", [["report", "audit", "--demo"], ["docs", "all", "--demo"], ["demo"]])
def test_an_output_folder_that_is_a_file_is_refused_before_anything_runs(capsys, tmp_path, command):
    blocker = tmp_path / "занято"
    blocker.write_text("файл пользователя", encoding="utf-8")
    for out in (blocker, blocker / "отчёты"):
        code, _out, err = run(capsys, *command, "--out", str(out))
        assert code == 2
        assert "файл, а нужна папка" in err and "занято" in err
    assert blocker.read_text(encoding="utf-8") == "файл пользователя"


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (PermissionError(errno.EACCES, "Permission denied", "/mnt/отчёты"), "нет прав на «/mnt/отчёты»"),
        (OSError(errno.EROFS, "Read-only file system", "/media/флешка"), "только для чтения"),
        (OSError(errno.ENOSPC, "No space left on device", "/tmp/x"), "не осталось места"),
        (FileNotFoundError(errno.ENOENT, "No such file or directory", "книга.xlsx"), "нет файла или папки"),
    ],
)
def test_system_errors_about_files_are_told_in_russian_with_the_path(error, words):
    text = os_error_text(error)
    assert words in text
    assert "denied" not in text and "No such" not in text and "Read-only" not in text


def test_a_command_hitting_a_file_system_error_says_so_in_russian(capsys, tmp_path, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "out"))

    monkeypatch.setattr(Path, "mkdir", refuse)
    code, _out, err = run(capsys, "report", "audit", "--demo", "--out", str(tmp_path / "out"))
    assert code == 2
    assert "Нет прав на" in err and "Permission denied" not in err and "Внутренняя ошибка" not in err


@pytest.mark.parametrize("day", ["1899-01-01", "9999-12-31", "01.01.2014"])
def test_an_as_of_day_out_of_any_sense_is_refused(capsys, day):
    code, out, err = run(capsys, "audit", "--demo", "--as-of", day)
    assert code == 2 and out == ""
    assert f"«{day}» — дата вне разумных пределов" in err and "01.01.2015" in err


def test_a_users_copy_of_the_templates_in_the_current_folder_is_the_one_used(capsys, tmp_path, monkeypatch):
    from docx import Document

    from sferum_lib.documents import PROGRAM_TEMPLATES

    monkeypatch.chdir(tmp_path)
    code, _out, err = run(capsys, "docs", "--list")
    assert code == 0 and "исходные шаблоны программы" in err
    code, _out, err = run(capsys, "docs", "--restore-templates")
    assert code == 0 and (tmp_path / "templates" / "order-admin.docx").is_file()
    own = tmp_path / "templates" / "order-admin.docx"
    doc = Document(own)
    doc.add_paragraph("Согласовано с профсоюзным комитетом ЦНТТ.")
    doc.save(own)
    code, _out, _err = run(capsys, "docs", "order-admin", "--demo", "--out", "документы")
    assert code == 0
    made = Document(tmp_path / "документы" / "order-admin.docx")
    assert any("профсоюзным комитетом" in p.text for p in made.paragraphs)
    shipped = Document(PROGRAM_TEMPLATES / "order-admin.docx")  # the program's own template is untouched
    assert not any("профсоюзным" in p.text for p in shipped.paragraphs)


def test_snapshots_are_listed_with_russian_dates(capsys, tmp_path, books):
    import re

    store = str(tmp_path / "s.db")
    run(capsys, "--store", store, "import", str(books[0]))
    code, out, _err = run(capsys, "--store", store, "snapshots")
    assert code == 0 and re.match(r"№ 1 +\d\d\.\d\d\.\d{4} \d\d:\d\d  ", out) and "T" not in out.split("«")[0]


def test_a_missing_named_store_gets_advice_for_that_store_and_its_neighbours(capsys, tmp_path):
    region = tmp_path / "регион"
    region.mkdir()
    (region / "МБУДО «ДДТ» Керчь.db").write_bytes(b"")
    code, _out, err = run(capsys, "--store", str(region / "МБУДО «НЕТ» Керчь.db"), "audit")
    assert code == 2
    assert "sferum --store" in err and "МБУДО «ДДТ» Керчь.db" in err
    assert "sferum.db появится в текущей папке" not in err


def test_the_audit_table_names_a_findings_subject_once(capsys, tmp_path):
    import re

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "example.xlsx"
    store = str(tmp_path / "s.db")
    run(capsys, "--store", store, "import", str(fixture))
    _code, out, _err = run(capsys, "--store", store, "audit", "--as-of", "2026-10-15")
    findings, current = [], None
    for line in out.splitlines():
        if re.match(r"    [!·] ", line):
            current = [line[6:]]
            findings.append(current)
        elif line.startswith("      ") and current is not None:
            current.append(line.strip())
        else:
            current = None
    texts = [" ".join(parts) for parts in findings]
    assert len(texts) > 10
    twice = [t for t in texts if any(t.count(ref) > 1 for ref in set(re.findall(r"\([A-Z]\w*\)", t)))]
    assert twice == []
