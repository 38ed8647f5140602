"""App mode without a server: who may work under a name, the hook Voilà calls, the error pages, the CLI's limits."""

from __future__ import annotations

import asyncio
import hashlib
import re
import socket

import nbformat
import pytest
from tornado.web import HTTPError

from sferum_lib import app
from sferum_lib.cli import main


def test_a_name_belongs_to_the_first_browser_until_released(tmp_path):
    assert app.claim(tmp_path, "Иванова Мария", "browser-a")
    assert app.claim(tmp_path, "Иванова Мария", "browser-a")  # a reload in the same browser
    # case, «ё» and spaces do not make another participant
    assert not app.claim(tmp_path, "  иванова   МАРИЯ ", "browser-b")
    assert app.claim(tmp_path, "Кузнецов Пётр", "browser-b")  # another name is free
    assert not app.claim(tmp_path, "кузнецов петр", "browser-c")
    assert app.release(tmp_path, "ИВАНОВА мария")
    assert not app.release(tmp_path, "Иванова Мария")
    assert app.claim(tmp_path, "Иванова Мария", "browser-b")
    assert not app.claim(tmp_path, "Иванова Мария", "browser-a")
    claims = list((tmp_path / ".browsers").iterdir())
    assert len(claims) == 2  # no temporary files left behind
    assert all(p.stat().st_mode & 0o077 == 0 for p in claims)
    assert "Иванова" not in " ".join(p.name for p in claims)  # file names do not spell people's names


class FakeKernelManager:
    def __init__(self, kernels: int) -> None:
        self.kernels = [f"k{i}" for i in range(kernels)]

    def list_kernel_ids(self) -> list[str]:
        return list(self.kernels)

    async def start_kernel(self, **kwargs) -> str:
        self.kernels.append(f"k{len(self.kernels)}")
        return self.kernels[-1]


class FakeHandler:
    """What the hook uses of Voilà's request handler."""

    def __init__(self, kernels: int = 0, cookie: str | None = None, manager: FakeKernelManager | None = None) -> None:
        self.kernel_manager = manager or FakeKernelManager(kernels)
        self.cookies = {app.COOKIE: cookie} if cookie else {}
        self.set: dict[str, tuple[str, dict]] = {}

    def get_cookie(self, name: str) -> str | None:
        return self.cookies.get(name)

    def set_cookie(self, name: str, value: str, **kwargs) -> None:
        self.set[name] = (value, kwargs)


def notebook() -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("role_notebook('pdo', globals())")])


def injected(nb: nbformat.NotebookNode) -> str:
    namespace: dict = {}
    exec(nb.cells[0].source, namespace)  # the injected cell is a plain assignment
    return namespace[app.BROWSER_VAR]


def test_the_hook_gives_a_new_browser_a_cookie_and_the_kernel_only_its_hash(monkeypatch):
    monkeypatch.setenv(app.PLACES_ENV, "3")
    handler = FakeHandler(kernels=2)
    original = notebook()
    result = app.prelaunch_hook(handler, original, "/tmp")
    cookie, options = handler.set[app.COOKIE]
    assert len(cookie) >= 32 and options["httponly"] and options["samesite"] == "Lax"
    assert injected(result) == hashlib.sha256(cookie.encode()).hexdigest()
    assert cookie not in result.cells[0].source
    assert len(original.cells) == 1  # Voilà's copy is not changed
    assert app.browser_of({app.BROWSER_VAR: injected(result)}) == injected(result)
    assert app.browser_of({}) is None


def test_the_hook_recognises_a_returning_browser():
    token = "x" * 43
    handler = FakeHandler(kernels=0, cookie=token)
    result = app.prelaunch_hook(handler, notebook(), "/tmp")
    assert handler.set == {}
    assert injected(result) == hashlib.sha256(token.encode()).hexdigest()


@pytest.fixture(autouse=True)
def nobody_admitted():
    app._admitted.clear()
    app._started.clear()
    yield
    app._admitted.clear()
    app._started.clear()


def test_a_kernel_listed_before_its_start_returns_is_counted_once(monkeypatch):
    """jupyter_client lists a kernel a moment before its start returns: that kernel is its visitor, not a second."""
    monkeypatch.setenv(app.PLACES_ENV, "2")
    manager = FakeKernelManager(0)
    listed = asyncio.Event()

    async def start_listed_before_return(**kwargs) -> str:
        manager.kernels.append("k-new")
        listed.set()
        await asyncio.sleep(0.05)
        return "k-new"

    manager.start_kernel = start_listed_before_return
    app.prelaunch_hook(FakeHandler(manager=manager), notebook(), "/tmp")  # the first visitor; the hook wraps starts

    async def arrive_meanwhile() -> None:
        start = asyncio.create_task(manager.start_kernel())
        await listed.wait()
        app.prelaunch_hook(FakeHandler(manager=manager), notebook(), "/tmp")  # the second place is still free
        await start

    asyncio.run(arrive_meanwhile())
    with pytest.raises(HTTPError):  # now both places are taken: one kernel, one admitted visitor
        app.prelaunch_hook(FakeHandler(manager=manager), notebook(), "/tmp")


def test_past_the_places_the_hook_refuses_with_503(monkeypatch):
    monkeypatch.setenv(app.PLACES_ENV, "2")
    with pytest.raises(HTTPError) as caught:
        app.prelaunch_hook(FakeHandler(kernels=2), notebook(), "/tmp")
    assert caught.value.status_code == 503


def test_visitors_arriving_together_count_before_their_kernels_start(monkeypatch):
    monkeypatch.setenv(app.PLACES_ENV, "2")
    manager = FakeKernelManager(0)
    app.prelaunch_hook(FakeHandler(manager=manager), notebook(), "/tmp")
    app.prelaunch_hook(FakeHandler(manager=manager), notebook(), "/tmp")
    with pytest.raises(HTTPError):  # no kernel has started yet, but both places are taken
        app.prelaunch_hook(FakeHandler(manager=manager), notebook(), "/tmp")
    asyncio.run(manager.start_kernel())
    asyncio.run(manager.start_kernel())
    assert not app._admitted  # each started kernel took its visitor off the list: counted once
    with pytest.raises(HTTPError):
        app.prelaunch_hook(FakeHandler(manager=manager), notebook(), "/tmp")
    manager.kernels.pop()  # one participant leaves
    app.prelaunch_hook(FakeHandler(manager=manager), notebook(), "/tmp")


@pytest.mark.parametrize(
    ("code", "title"),
    [(503, "Мест нет"), (404, "Такой страницы нет"), (403, "Нужен полный адрес"), (500, "Что-то пошло не так")],
)
def test_error_pages_are_russian_and_self_contained(code, title):
    page = app.error_page(code)
    assert f"<h1>{title}</h1>" in page
    assert 'lang="ru"' in page
    text = re.sub(r"<style>.*?</style>|<[^>]+>|\?token=", " ", page, flags=re.S)  # the address's own part
    assert not re.search(r"[A-Za-z]{3,}", text)  # no English words reach a participant
    assert "http" not in page  # nothing asked of the network (no CDN)


@pytest.mark.parametrize("port", ["0", "70000", "65536", "-1", "восемь", "80.5"])
def test_a_port_out_of_range_is_a_usage_error(capsys, port):
    assert main(["app", "pdo", "--port", port]) == 2
    err = capsys.readouterr().err
    assert "--port" in err and "Traceback" not in err
    assert re.search(r"порт|Порт", err)


@pytest.mark.parametrize("places", ["0", "много"])
def test_places_must_be_a_positive_number(capsys, places):
    assert main(["app", "pdo", "--places", places]) == 2
    assert "--places" in capsys.readouterr().err


def test_a_busy_port_is_named_before_anything_starts(capsys, tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["app", "pdo", "--port", str(port), "--session", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert f"Порт {port} уже занят" in err


def test_release_frees_a_name_from_the_command_line(capsys, tmp_path):
    app.claim(tmp_path, "Иванова Мария", "browser-a")
    assert main(["app", "pdo", "--session", str(tmp_path), "--release", "иванова мария"]) == 0
    assert "освобождено" in capsys.readouterr().out
    assert app.claim(tmp_path, "Иванова Мария", "browser-b")
    assert main(["app", "pdo", "--session", str(tmp_path), "--release", "Петров Пётр"]) == 0
    assert "не было занято" in capsys.readouterr().out


def test_a_work_pages_names_are_kept_beside_the_store_and_released_by_id(capsys, tmp_path):
    store = tmp_path / "org.db"
    browsers = tmp_path / "org.db.браузеры"
    app.claim(browsers, "E05", "browser-a")
    assert app.held(browsers, ["E04", "E05"], "browser-a") == "E05"
    assert app.held(browsers, ["E04", "E05"], "browser-b") is None
    assert main(["app", "pdo", "--store", str(store), "--release", "E05"]) == 0
    assert "освобождено" in capsys.readouterr().out
    assert app.held(browsers, ["E05"], "browser-a") is None and app.claim(browsers, "E05", "browser-b")


def test_the_qr_code_drawn_in_the_terminal_is_the_address_itself():
    import segno

    url = "http://192.168.1.5:8866/?token=AbCdEf0123456789ghIJ"
    text = app.qr_text(url)
    lines = text.splitlines()
    assert len({len(line) for line in lines}) == 1 and set(text) <= set("█▀▄ \n")
    # read the modules back from the half blocks: light is drawn, dark is left blank
    top = {"█": False, "▀": False, "▄": True, " ": True}
    bottom = {"█": False, "▀": True, "▄": False, " ": True}
    rows = [r for line in lines for r in ([top[c] for c in line], [bottom[c] for c in line])]
    matrix = [[bool(v) for v in row] for row in segno.make(url, error="l", micro=False).matrix]
    size, border = len(matrix), 2
    assert [row[border : border + size] for row in rows[border : border + size]] == matrix
    assert not any(any(row) for row in rows[:border]) and not any(any(row[:border]) for row in rows)  # quiet zone
    assert segno.make(url, error="l", micro=False).designator.endswith("-L")


def test_the_address_is_the_machines_own_beyond_the_loopback():
    assert app.public_address("192.168.1.5") == "192.168.1.5"
    real = app.public_address("0.0.0.0")
    assert real not in ("0.0.0.0", "localhost", "127.0.0.1") and "адрес" not in real
    assert app.is_loopback("127.0.0.1") and app.is_loopback("::1") and app.is_loopback("localhost")
    assert not app.is_loopback("0.0.0.0")


def test_voila_runs_with_ipc_kernels_culling_and_no_tracebacks(tmp_path):
    command = " ".join(app.voila_command("pdo", 8866, "0.0.0.0", "t0ken", tmp_path))
    for option in (
        "--KernelManager.transport=ipc",
        f"--MappingKernelManager.cull_idle_timeout={app.IDLE_MINUTES * 60}",
        "--VoilaConfiguration.show_tracebacks=False",
        "--Voila.port_retries=0",
        "--Voila.token=t0ken",
        f"--template={app.TEMPLATE}",
    ):
        assert option in command
    assert app.IDLE_MINUTES <= 10


def test_a_failed_cell_shows_a_russian_line_not_a_traceback():
    cell = nbformat.v4.new_code_cell("1/0")
    cell.outputs = [
        nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=["/srv/x.py"])
    ]
    app._strip_cell_errors(None, cell)
    shown = str(cell.outputs)
    assert app.CELL_ERROR in shown
    assert "ZeroDivisionError" not in shown and "/srv" not in shown and "Voil" not in shown


def test_the_name_entry_refuses_a_taken_name_and_shows_nothing_of_its_progress(tmp_path):
    from sferum_lib.ui import role_notebook

    def visit(browser: str, name: str):
        view = role_notebook("parent", {"session": str(tmp_path), app.BROWSER_VAR: browser})
        box = view.children[0]
        box.children[1].value = name
        box.children[2].click()
        return box

    first = visit("a" * 64, "Орлова Ирина")
    assert "Орлова Ирина" in first.children[0].children[0].value  # the wizard replaced the name entry
    second = visit("b" * 64, "орлова  ирина")
    assert len(second.children) == 4  # still the name entry, with the refusal under it
    refusal = second.children[3].value
    assert "уже занято в другом браузере" in refusal and "«орлова ирина»" in refusal
    again = visit("a" * 64, "Орлова Ирина")  # the first browser after a reload
    assert "Орлова Ирина" in again.children[0].children[0].value
    outside = role_notebook("parent", {"session": str(tmp_path)})  # JupyterLab, no app: no binding
    outside.children[0].children[1].value = "Орлова Ирина"
    outside.children[0].children[2].click()
    assert "Орлова Ирина" in outside.children[0].children[0].children[0].value
