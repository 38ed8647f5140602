"""App mode in a real browser: Voilà serves the teacher's notebook, headless Chromium completes two steps,
and the store shows the progress."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import time
from pathlib import Path

import pytest

from sferum_lib.app import serve
from sferum_lib.training import Training

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        pytest.fail("CI must install Debian's chromium (see .ci/run)", pytrace=False)
    pytest.skip("no /usr/bin/chromium here: apt-get install chromium", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, seconds: float = 60) -> None:
    # a readiness probe must not load the app page: every page load starts a kernel
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"Voilà did not start on port {port}")


@pytest.fixture
def voila(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))  # Voilà, the kernel and Chromium write under ~
    port = free_port()
    session = tmp_path / "занятие"
    process = serve("pdo", session, port)
    try:
        wait_for(port)
        yield f"http://127.0.0.1:{port}/", session
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except Exception:
            process.kill()
        shutil.rmtree(home, ignore_errors=True)


def test_a_teacher_completes_two_steps_in_the_browser_and_the_store_keeps_them(voila):
    from playwright.sync_api import sync_playwright

    url, session = voila
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page()
            # Voilà's page asks a public CDN for icons: never wait on the network
            page.route(
                "**/*",
                lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1") else route.abort(),
            )
            page.goto(url, timeout=90_000)
            page.get_by_placeholder("Фамилия Имя").fill("Иванова Мария", timeout=90_000)
            page.get_by_role("button", name="Начать").click()
            page.get_by_role("button", name="Присоединиться по ссылке-приглашению").click(timeout=60_000)
            page.get_by_text("Готово:").wait_for(timeout=30_000)
            page.get_by_text("Попросить администратора удалить вас и прислать ссылку для нужной роли").click()
            page.get_by_role("button", name="Проверить").click()
            page.get_by_text("Верно.").wait_for(timeout=30_000)
            page.get_by_role("button", name="Далее →").click()
            page.get_by_role("button", name="Пройти подтверждение статуса").click(timeout=30_000)
            page.get_by_text("Подтверждён статус").wait_for(timeout=30_000)
            assert "2 из 4" in page.content()
        finally:
            browser.close()
    assert Training(session, "Иванова Мария", "pdo").completed() == 2
