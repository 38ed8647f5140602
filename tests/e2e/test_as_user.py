"""The `sferum` command as a person types it: in their own folder, with relative paths, umask 022.

Every test runs the installed command in a subprocess whose working folder is a fresh temporary folder, so
a path resolved against the wrong folder, a report of the wrong organisation or a file readable by others
shows up here as it would for a user.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import clean_book, set_cell, set_param, write_xlsx

ORG = "ДДТ «Радуга»"  # not the demo's ЦНТТ: a report of the demo would be caught
DEMO_ORG = "ЦНТТ"
PHONES = ("+79781112233", "+79785554433")  # E02's «8 (978) 111-22-33» and E03's, as the store keeps them
EMAILS = ("admin@example.org", "lysenko@raduga.example")
REPORT_NAMES = ("audit", "indicators", "invites", "max-migration", "movement", "person", "usage")


def _command() -> list[str]:
    installed = Path(sys.executable).with_name("sferum")
    return [str(installed)] if installed.exists() else [sys.executable, "-m", "sferum_lib"]


def sferum(cwd: Path, *args: str, env: dict[str, str] | None = None, umask: int = 0o022):
    """Run `sferum ARGS` in ``cwd`` as a shell with umask 022 would; no SFERUM_STORE unless given."""
    environment = {k: v for k, v in os.environ.items() if k not in ("SFERUM_STORE", "SFERUM_DEBUG")}
    environment |= env or {}
    return subprocess.run(
        [*_command(), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=lambda: os.umask(umask),
    )


def book_of_raduga(folder: Path) -> Path:
    book = clean_book()
    set_param(book, "Краткое наименование", ORG)
    set_param(book, "Полное наименование", "Дом детского творчества «Радуга»")
    set_cell(book, "Сотрудники", "E03", "Телефон", "+7 978 555-44-33")
    set_cell(book, "Сотрудники", "E03", "Email", EMAILS[1])
    return write_xlsx(book, folder / "книга.xlsx")


@pytest.fixture
def home(tmp_path) -> Path:
    """A user's folder holding their workbook, and nothing else."""
    folder = tmp_path / "дом"
    folder.mkdir()
    book_of_raduga(folder)
    return folder


def _last_lines(text: str, n: int = 4) -> str:
    return "\n".join(text.strip().splitlines()[-n:])


def _assert_reports_of_raduga(folder: Path, names=REPORT_NAMES) -> None:
    for name in names:
        html = (folder / f"{name}.html").read_text(encoding="utf-8")
        assert ORG in html and DEMO_ORG not in html, name
        assert re.search(r"сним(ок|ки) № \d+", html), name
        meta = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        assert meta["organisation"] == ORG and meta["as_of"] and meta["source"].startswith("сним"), name


def _assert_private(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path} is readable by others: {oct(mode)}"


def _assert_masked(folder: Path) -> None:
    for path in folder.iterdir():
        if path.suffix in (".html", ".json", ".ipynb"):
            text = path.read_text(encoding="utf-8")
            for secret in (*PHONES, *EMAILS, "9781112233", "9785554433"):
                assert secret not in text, f"{secret} in {path.name}"


@pytest.mark.slow
def test_store_in_the_current_folder_and_report_all_again_and_again(home):
    """`sferum import` makes sferum.db here; `report all --out отчёты` three times lands in ./отчёты, of Радуга."""
    made = sferum(home, "import", "книга.xlsx")
    assert made.returncode == 0, made.stderr
    assert (home / "sferum.db").exists() and str(home / "sferum.db") in made.stderr
    assert stat.S_IMODE((home / "sferum.db").stat().st_mode) == 0o600
    seconds = []
    for _ in range(3):
        start = time.perf_counter()
        run = sferum(home, "report", "all", "--out", "отчёты")
        seconds.append(time.perf_counter() - start)
        assert run.returncode == 0, run.stderr
        printed = [Path(line) for line in run.stdout.split("\n") if line]
        assert sorted(p.name for p in printed) == sorted(f"{n}.html" for n in REPORT_NAMES)
        assert all(p.exists() and p.parent == home / "отчёты" for p in printed)
        assert ORG in run.stderr and "Готово отчётов: 7 из 7" in _last_lines(run.stderr)
        expected = {"sferum.db", "sferum.db-shm", "sferum.db-wal", "книга.xlsx", "отчёты"}
        assert {p.name for p in home.iterdir()} <= expected
        assert not (home / "отчёты" / "отчёты").exists() and not list(home.rglob("*ОШИБКА*"))
        _assert_reports_of_raduga(home / "отчёты")
    _assert_private(home / "отчёты")
    _assert_masked(home / "отчёты")
    print(f"report all, three runs: {', '.join(f'{s:.1f} s' for s in seconds)}")


def test_relative_store_out_and_environment(home):
    assert sferum(home, "import", "книга.xlsx", "--store", "данные/мой.db").returncode == 0
    assert stat.S_IMODE((home / "данные").stat().st_mode) == 0o700
    run = sferum(home, "report", "audit", "--store", "данные/мой.db", "--out", "итоги/аудит")
    assert run.returncode == 0, run.stderr
    assert Path(run.stdout.strip()) == home / "итоги" / "аудит" / "audit.html"
    _assert_reports_of_raduga(home / "итоги" / "аудит", ["audit"])
    assert "снимок № 1" in _last_lines(run.stderr) and ORG in _last_lines(run.stderr)

    # the environment variable, relative too; the default out folder is out/reports here
    run = sferum(home, "report", "indicators", env={"SFERUM_STORE": "данные/мой.db"})
    assert run.returncode == 0, run.stderr
    _assert_reports_of_raduga(home / "out" / "reports", ["indicators"])
    html = (home / "out" / "reports" / "indicators.html").read_text(encoding="utf-8")
    assert "Ключ" not in html and "store =" not in html and "хранилище — " + str(home / "данные" / "мой.db") in html
    _assert_private(home / "out")

    # -p store given the papermill way is relative to this folder as well
    run = sferum(home, "report", "invites", "-p", "store", "данные/мой.db", "-p", "out_dir", "ссылки")
    assert run.returncode == 0, run.stderr
    _assert_reports_of_raduga(home / "ссылки", ["invites"])
    invites = (home / "ссылки" / "invites.html").read_text(encoding="utf-8")
    assert "чат:" not in invites


def test_without_a_store_reports_refuse_and_demo_is_asked_for_by_name(home):
    run = sferum(home, "report", "audit")
    assert run.returncode == 2
    assert "sferum import КНИГА.xlsx" in run.stderr and "--demo" in run.stderr and str(home / "sferum.db") in run.stderr
    assert "Traceback" not in run.stderr
    assert sorted(p.name for p in home.iterdir()) == ["книга.xlsx"]  # no out/, no half-written report
    for args in (("report", "all"), ("audit",), ("docs", "all"), ("report", "person")):
        refused = sferum(home, *args)
        assert refused.returncode == 2 and "--demo" in refused.stderr, args
    run = sferum(home, "report", "indicators", "--demo", "--out", "демо")
    assert run.returncode == 0, run.stderr
    assert "Демонстрационная организация" in run.stderr
    assert DEMO_ORG in (home / "демо" / "indicators.html").read_text(encoding="utf-8")
    assert not (home / "sferum.db").exists()
    both = sferum(home, "audit", "--demo", "--store", "x.db")
    assert both.returncode == 2 and "--demo и --store" in both.stderr


@pytest.mark.slow
def test_an_unknown_person_is_refused_before_report_all_writes_anything(home):
    assert sferum(home, "import", "книга.xlsx").returncode == 0
    run = sferum(home, "report", "all", "--out", "отчёты", "-p", "person_id", "NOBODY")
    assert run.returncode == 2 and "NOBODY" in run.stderr and "Traceback" not in run.stderr
    assert not (home / "отчёты").exists()


# --- the store, opened with care --------------------------------------------------------------------------


@pytest.fixture
def stored(home) -> Path:
    assert sferum(home, "import", "книга.xlsx").returncode == 0
    return home


def test_a_store_with_loose_rights_is_made_private_when_opened(stored):
    os.chmod(stored / "sferum.db", 0o644)
    assert sferum(stored, "snapshots").returncode == 0
    assert stat.S_IMODE((stored / "sferum.db").stat().st_mode) == 0o600


def test_a_foreign_database_is_refused_untouched_by_reading_and_writing_commands(home):
    other = home / "другое.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE notes (text TEXT)")
    con.execute("INSERT INTO notes VALUES ('чужие данные')")
    con.commit()
    con.close()
    before = other.read_bytes()
    for args in (("audit",), ("snapshots",), ("report", "audit"), ("export", "x.xlsx"), ("import", "книга.xlsx")):
        run = sferum(home, *args, "--store", "другое.db")
        assert run.returncode == 2, args
        assert "не является хранилищем" in run.stderr and "Traceback" not in run.stderr, args
    assert other.read_bytes() == before
    assert not Path(f"{other}-wal").exists() and not (home / "x.xlsx").exists()


def test_a_text_file_a_damaged_store_and_a_folder_are_refused_in_russian(stored):
    (stored / "заметки.db").write_text("это не база данных" * 200, encoding="utf-8")
    run = sferum(stored, "audit", "--store", "заметки.db")
    assert run.returncode == 2 and "не является хранилищем" in run.stderr and "Traceback" not in run.stderr
    damaged = stored / "битое.db"
    data = bytearray((stored / "sferum.db").read_bytes())
    page = int.from_bytes(data[16:18], "big")  # SQLite's page size; 1 stands for 65,536
    page = 65536 if page == 1 else page
    data[page : page * 3] = b"\xff" * (page * 2)  # the pages after the schema: tables no longer readable
    damaged.write_bytes(bytes(data))
    run = sferum(stored, "audit", "--store", "битое.db")
    assert run.returncode in (1, 2) and "Traceback" not in run.stderr
    assert re.search(r"повреждён|не является хранилищем", run.stderr), run.stderr
    run = sferum(stored, "audit", "--store", ".")
    assert run.returncode == 2 and "папка" in run.stderr


def test_absurd_numbers_are_usage_errors(stored):
    for args in (
        ("audit", "--snapshot", "100000000000000000000"),
        ("movement", "--from", "1", "--to", "100000000000000000000"),
        ("report", "audit", "-p", "snapshot", "100000000000000000000"),
        ("demo", "--size", "100000000000000000000", "--no-reports"),
    ):
        run = sferum(stored, *args)
        assert run.returncode == 2, (args, run.stderr)
        assert "слишком большое" in run.stderr and "Traceback" not in run.stderr, args


def _make_read_only(folder: Path) -> list[Path]:
    """Read-only media as far as a test can make it: chattr +i for root (who ignores rights), else chmod."""
    paths = [*folder.iterdir(), folder]
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True)
        if done.returncode != 0:
            pytest.skip("no way to make read-only media here (chattr failed as root)")
    else:
        for path in paths:
            os.chmod(path, 0o555 if path.is_dir() else 0o444)
    return paths


def test_a_store_on_read_only_media_is_read_and_never_written(stored):
    media = stored / "флешка"
    media.mkdir()
    assert sferum(stored, "import", "книга.xlsx", "--store", "флешка/s.db").returncode == 0
    for suffix in ("-wal", "-shm"):
        Path(f"{media / 's.db'}{suffix}").unlink(missing_ok=True)
    paths = _make_read_only(media)
    try:
        run = sferum(stored, "indicators", "--store", "флешка/s.db")
        assert run.returncode == 0, run.stderr
        assert ORG in run.stdout
        run = sferum(stored, "state", "start", "--store", "флешка/s.db")
        assert run.returncode == 2 and "только для чтения" in run.stderr and "Traceback" not in run.stderr
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", *map(str, paths)], check=True)
        else:
            for path in paths:
                os.chmod(path, 0o700 if path.is_dir() else 0o600)


def test_do_without_as_names_the_administrator_who_acted_and_the_journal_shows_no_nan(stored):
    assert sferum(stored, "state", "start").returncode == 0
    run = sferum(stored, "do", "hand_statistics")
    assert run.returncode == 0, run.stderr
    assert "(администратор платформы; другого исполнителя укажите: --as ID)" in run.stderr
    journal = sferum(stored, "journal")
    assert journal.returncode == 0 and "nan" not in journal.stdout.lower()
