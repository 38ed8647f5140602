"""App mode in a real browser: Voilà serves the teacher's notebook, headless Chromium completes two steps,
and the store shows the progress."""

from __future__ import annotations

import os
import re
import shutil
import socket
import time
from pathlib import Path

import psutil
import pytest

from sferum_lib.app import serve, stop
from sferum_lib.training import Training
from tests.helpers import answer_in_browser

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


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    root = tmp_path_factory.mktemp("app")
    home = root / "home"
    home.mkdir()
    old_home = os.environ.get("HOME")
    os.environ["HOME"] = str(home)  # Voilà, the kernel and Chromium write under ~
    port = free_port()
    session = root / "занятие"
    server = serve("pdo", session, port, pool=2)  # two kernels wait for participants, as a class's would
    try:
        wait_for(port)
        yield f"http://127.0.0.1:{port}/", session, server
    finally:
        stop(server)
        if old_home is not None:
            os.environ["HOME"] = old_home
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(voila):
    from tests.e2e.work_browser import chromium

    with chromium() as browser:
        yield browser


#: Records the text of every text node the page shows, however briefly: as the page paints it, after the page's
#: own observers (it starts once the document is parsed; mutation observers are called in the order they started).
_SEEN_TEXTS = """
window.__seen_texts = [];
document.addEventListener("DOMContentLoaded", function () {
var loading = document.getElementById("loading_text");
if (loading) { window.__seen_texts.push(loading.textContent.trim()); }
new MutationObserver(function (records) {
  records.forEach(function (r) {
    var nodes = r.type === "characterData" ? [r.target] : Array.prototype.slice.call(r.addedNodes);
    nodes.forEach(function (n) {
      var text = (n.nodeType === 3 ? n.nodeValue : n.textContent) || "";
      if (text.trim() && text.length < 200) { window.__seen_texts.push(text.trim()); }
    });
  });
}).observe(document, { childList: true, subtree: true, characterData: true });
});
"""


def new_page(browser):
    """A page in its own context: its own cookies, as another computer's browser would have."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ru-RU")
    # Voilà's page asks a public CDN for icons: never wait on the network
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1") else route.abort(),
    )
    return context.new_page()


def enter(page, url: str, name: str) -> None:
    page.goto(url, timeout=90_000)
    page.get_by_placeholder("Фамилия Имя").fill(name, timeout=90_000)
    page.get_by_role("button", name="Начать").click()


def shot(page, name: str) -> None:
    folder = os.environ.get("SFERUM_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name))


def test_a_teacher_completes_two_steps_in_the_browser_and_the_store_keeps_them(voila, browser):
    url, session, _ = voila
    page = new_page(browser)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(_SEEN_TEXTS)
    enter(page, url, "Иванова Мария")
    # every text the page showed while loading was Russian (Voilà's «Executing 1 of 3», «Loading widget...»)
    seen = page.evaluate("window.__seen_texts")
    assert any("Страница загружается" in t for t in seen)
    assert not [t for t in seen if "Executing" in t or "Loading widget" in t or "Reading" in t]
    page.get_by_role("button", name="Присоединиться по ссылке-приглашению").click(timeout=60_000)
    page.get_by_text("Готово:").wait_for(timeout=30_000)
    answer_in_browser(page, "pdo", "PDO-01")
    page.get_by_role("button", name="Далее →").click()
    page.get_by_role("button", name="Пройти верификацию статуса").click(timeout=30_000)
    page.get_by_text("Подтверждён статус").wait_for(timeout=30_000)
    answer_in_browser(page, "pdo", "PDO-02")
    assert "2 из 4" in page.content()
    # Voilà's script chunks came in one file, before its own script could ask for them one by one
    assert any(u.endswith("/voila/sferum/page-files.js") for u in asked)
    assert not [u for u in asked if re.search(r"/voila/static/\d+\.voila\.js|/static/\d+\.[0-9a-f]+\.js", u)]
    assert errors == []
    page.context.close()
    assert Training(session, "Иванова Мария", "pdo").completed() == 2


def test_a_second_browser_under_the_same_name_is_refused_and_a_reload_keeps_progress(voila, browser):
    url, session, server = voila
    first = new_page(browser)
    first.goto(url, timeout=90_000)
    first.get_by_placeholder("Фамилия Имя").wait_for(timeout=90_000)
    shot(first, "app-name-entry.png")
    first.get_by_placeholder("Фамилия Имя").fill("Петрова Анна")
    first.get_by_role("button", name="Начать").click()
    first.get_by_role("button", name="Присоединиться по ссылке-приглашению").click(timeout=60_000)
    first.get_by_text("Готово:").wait_for(timeout=30_000)

    second = new_page(browser)
    enter(second, url, "петрова  анна")  # the same participant for the app, whatever the case and spaces
    second.get_by_text("уже занято в другом браузере").wait_for(timeout=30_000)
    shot(second, "app-name-taken.png")
    assert second.get_by_text("Участник:").count() == 0  # nothing of the other's progress
    assert "Готово:" not in second.content()
    second.context.close()

    first.reload(timeout=90_000)  # the same browser: the same participant
    first.get_by_placeholder("Фамилия Имя").fill("Петрова Анна", timeout=90_000)
    first.get_by_role("button", name="Начать").click()
    first.get_by_text("Действие уже выполнено.").wait_for(timeout=60_000)  # their progress, back
    assert "уже занято" not in first.content()

    # the kernel dies (or is culled): the page says what to do instead of showing dead widgets
    for process in psutil.Process(server.process.pid).children(recursive=True):
        if "ipykernel" in " ".join(process.cmdline()):
            process.kill()
    notice = first.locator("#sferum-disconnected")
    notice.wait_for(timeout=30_000)
    assert "прогресс сохранён" in notice.inner_text()
    first.context.close()
    assert Training(session, "Петрова Анна", "pdo").progress()[0].performed
