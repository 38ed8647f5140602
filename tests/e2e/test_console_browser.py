"""A session run in a real browser: a participant picks their name from the prepared list (a name not on it is
refused), starts again only after confirming, and the methodist's console shows their step within seconds."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from sferum_lib.app import serve, stop
from sferum_lib.training import Training
from sferum_lib.training.console import serve_console
from sferum_lib.training.roster import write_roster
from tests.e2e.test_app_browser import free_port, new_page, shot, wait_for
from tests.helpers import answer_in_browser

#: How long the console may take to show a participant's move: two of its refreshes and a margin.
WITHIN = 20_000


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    root = tmp_path_factory.mktemp("console")
    home = root / "home"
    home.mkdir()
    old_home = os.environ.get("HOME")
    os.environ["HOME"] = str(home)  # Voilà, the kernels and Chromium write under ~
    session = root / "занятие"
    write_roster(session, ["Кузнецов Пётр", "Орлова Ирина Сергеевна"], walk_ins=False)
    app_port, console_port = free_port(), free_port()
    participants = serve("pdo", session, app_port)
    console = serve_console(session, console_port)
    try:
        wait_for(app_port)
        wait_for(console_port)
        yield f"http://127.0.0.1:{app_port}/", f"http://127.0.0.1:{console_port}/", session
    finally:
        stop(participants)
        stop(console)
        if old_home is not None:
            os.environ["HOME"] = old_home
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(servers):
    from tests.e2e.work_browser import chromium

    with chromium() as browser:
        yield browser


def test_a_participant_from_the_list_is_followed_by_the_console_and_starts_again_only_after_confirming(
    servers, browser
):
    app_url, console_url, session = servers
    methodist = new_page(browser)
    methodist.goto(console_url, timeout=90_000)
    methodist.get_by_text("Пульт ведущего занятия").first.wait_for(timeout=90_000)
    methodist.get_by_text("Ещё не начали (2)").wait_for(timeout=WITHIN)

    page = new_page(browser)
    page.goto(app_url, timeout=90_000)
    name = page.get_by_placeholder("Фамилия Имя")
    name.wait_for(timeout=90_000)
    name.click()  # the list of names opens under the field
    shot(page, "app-name-list.png")
    listed = page.locator("datalist option")
    assert sorted(listed.evaluate_all("(os) => os.map(o => o.value)")) == ["Кузнецов Пётр", "Орлова Ирина Сергеевна"]

    name.fill("Сидоров Алексей")  # not on the list, and walk-ins are not allowed
    page.get_by_role("button", name="Начать").click()
    page.get_by_text("нет в списке участников").wait_for(timeout=30_000)
    assert not (session / "Сидоров_Алексей").exists()

    name.fill("Кузнецов Петор")  # a typo: the listed name is offered
    page.get_by_role("button", name="Начать").click()
    page.get_by_text("Вы имели в виду «Кузнецов Пётр»?").wait_for(timeout=30_000)
    shot(page, "app-name-suggestion.png")
    page.get_by_role("button", name="Да, это я").click()
    page.get_by_role("button", name="Присоединиться по ссылке-приглашению").click(timeout=60_000)
    page.get_by_text("Готово:").wait_for(timeout=30_000)
    answer_in_browser(page, "pdo", "PDO-01")
    page.get_by_role("button", name="Далее →").click()
    page.get_by_text("Шаг 2 из").wait_for(timeout=30_000)

    # the console follows: the participant, under the listed name, on the second step
    row = methodist.locator("tr", has_text="Кузнецов Пётр")
    try:
        row.locator("td", has_text=re.compile(r"^2\. ")).wait_for(timeout=WITHIN)
    except Exception:
        shot(methodist, "console-failed.png")
        raise AssertionError(methodist.locator(".sferum-console").inner_text()) from None
    assert "1 из 4" in row.inner_text()
    methodist.get_by_text("Ещё не начали (1): Орлова Ирина Сергеевна.").wait_for(timeout=WITHIN)
    shot(methodist, "console.png")
    methodist.context.close()

    # «Начать заново» stands apart from «Далее» and wipes nothing until confirmed
    shot(page, "app-wizard.png")
    page.get_by_role("button", name="Начать роль заново…").click()
    page.get_by_text("Начать роль заново?").wait_for(timeout=30_000)
    shot(page, "app-reset-confirm.png")
    page.get_by_role("button", name="Отмена").click()
    page.get_by_text("Начать роль заново?").wait_for(state="detached", timeout=30_000)
    assert Training(session, "Кузнецов Пётр", "pdo").completed() == 1
    page.get_by_role("button", name="Начать роль заново…").click()
    page.get_by_role("button", name="Да, начать заново").click()
    page.get_by_text("Шаг 1 из").wait_for(timeout=30_000)
    page.get_by_text("0 из 4").wait_for(timeout=30_000)
    page.context.close()
    assert Training(session, "Кузнецов Пётр", "pdo").completed() == 0
    assert sorted(p.name for p in session.iterdir() if p.is_dir() and not p.name.startswith(".")) == ["Кузнецов_Пётр"]


def test_the_console_command_prints_its_address_serves_the_page_and_stops_with_its_kernel(tmp_path):
    import signal
    import subprocess
    import sys
    import urllib.request

    import psutil

    missing = subprocess.run(
        [sys.executable, "-m", "sferum_lib", "training", "console", str(tmp_path / "нет такой")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "Папки занятия" in missing.stderr and "Traceback" not in missing.stderr

    session = tmp_path / "занятие"
    write_roster(session, ["Кузнецов Пётр"], walk_ins=True)
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sferum_lib", "training", "console", str(session), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "HOME": str(home)},
    )
    try:
        line = process.stdout.readline()  # printed once Voilà listens
        assert line.strip() == f"Пульт ведущего: http://localhost:{port}/", line + process.stderr.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=120) as answer:
            page = answer.read().decode()
        assert answer.status == 200 and "<title>Пульт ведущего занятия</title>" in page
        family = psutil.Process(process.pid).children(recursive=True)
        assert any("ipykernel" in " ".join(p.cmdline()) for p in family), "the console's kernel was expected"
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0
        _, still = psutil.wait_procs(family, timeout=15)
        assert not [p for p in still if p.status() != psutil.STATUS_ZOMBIE], "Voilà or its kernel outlived the console"
    finally:
        if process.poll() is None:
            process.kill()
