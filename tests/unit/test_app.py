"""App mode without a server: who may work under a name, the hook Voilà calls, the error pages, the CLI's limits."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import socket
import time

import nbformat
import pytest
from tornado.web import HTTPError

from sferum_lib import app
from sferum_lib.cli import main
from sferum_lib.errors import SferumError


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
def nobody_admitted(monkeypatch):
    monkeypatch.setattr(app, "_places", app.Places())


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
    assert not app._places.admitted  # each started kernel took its visitor off the list: counted once
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


# --- places prepared in advance (Voilà's preheated kernels) ---------------------------------------------------------


def test_the_served_notebook_asks_for_the_participant_first_and_keeps_the_roles_own(tmp_path):
    source = app.notebook_for("pdo")
    before = source.read_bytes()
    path = app.app_notebook(source, tmp_path / "app", "training", "pdo", app.PAGE_TITLE)
    served = nbformat.read(path, as_version=4)
    original = nbformat.read(source, as_version=4)
    assert served.cells[0].source.endswith(f"{app.BROWSER_VAR} = participant('training', 'pdo')")
    assert [c.source for c in served.cells[1:]] == [c.source for c in original.cells]
    assert served.metadata["title"] == app.PAGE_TITLE
    assert source.read_bytes() == before  # the role's notebook itself is not touched


def test_a_kernel_started_for_a_visitor_reads_its_browser_from_the_request(monkeypatch):
    monkeypatch.setattr(app, "warm", lambda kind, role: None)
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    monkeypatch.setenv(app.BROWSER_ENV, "ab" * 32)
    assert app.participant("training", "pdo") == "ab" * 32
    for forged in ("", "x" * 64, "ab" * 31, "AB" * 32):
        monkeypatch.setenv(app.BROWSER_ENV, forged)
        with pytest.raises(SferumError):  # no page opens bound to nobody
            app.participant("training", "pdo")


def test_a_preheated_kernel_waits_for_its_participant_and_retries_a_busy_server(monkeypatch):
    """Voilà hands the request to the waiting kernel over a websocket; the server may not answer at once."""
    import json
    import threading

    from websockets.sync.server import serve as ws_serve

    monkeypatch.setattr(app, "warm", lambda kind, role: None)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv("VOILA_APP_IP", "127.0.0.1")
    monkeypatch.setenv("VOILA_APP_PORT", str(port))
    monkeypatch.setenv("VOILA_SERVER_URL", "/")
    monkeypatch.setenv("VOILA_KERNEL_ID", "k-42")
    monkeypatch.delenv(app.BROWSER_ENV, raising=False)
    asked = []

    def answer(connection) -> None:
        asked.append(connection.request.path)
        connection.send(json.dumps({app.BROWSER_ENV: "cd" * 32, "QUERY_STRING": ""}))

    servers = []

    def late_server() -> None:
        time.sleep(1.5)  # the kernel's first attempts find nobody listening
        with ws_serve(answer, "127.0.0.1", port) as server:
            servers.append(server)
            server.serve_forever()

    threading.Thread(target=late_server, daemon=True).start()
    try:
        assert app.participant("training", "pdo") == "cd" * 32
    finally:
        while not servers:
            time.sleep(0.1)
        servers[0].shutdown()
    assert asked == ["/voila/query/k-42"]


def test_warming_leaves_nothing_behind(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    app.warm("training", "pdo")
    assert list(tmp_path.iterdir()) == []  # the rehearsal's practice organisation is gone
    import sys

    assert "sferum_lib.ui.wizard" in sys.modules and "sferum_lib.training.session" in sys.modules


class FakeRequest:
    def __init__(self) -> None:
        from tornado.httputil import HTTPHeaders

        self.headers = HTTPHeaders({app.BROWSER_HEADER: "f" * 64})  # a browser trying to pass for another


def test_the_server_overwrites_the_browser_header_with_the_cookies_hash(monkeypatch):
    monkeypatch.setenv(app.PLACES_ENV, "3")
    token = "y" * 43
    handler = FakeHandler(cookie=token)
    handler.request = FakeRequest()
    app._admit_request(handler)
    assert handler.request.headers[app.BROWSER_HEADER] == hashlib.sha256(token.encode()).hexdigest()
    assert handler.request.headers.get_list(app.BROWSER_HEADER) == [hashlib.sha256(token.encode()).hexdigest()]


class FakeTask:
    def __init__(self, kernel_id: str | None) -> None:
        self.kernel_id = kernel_id

    def done(self) -> bool:
        return self.kernel_id is not None

    def cancelled(self) -> bool:
        return False

    def exception(self) -> None:
        return None

    def result(self) -> dict:
        return {"kernel_id": self.kernel_id}


class FakePoolBase:
    """What the pool's manager uses of Voilà's: the pools, the kernels, the fill it delegates to."""

    def __init__(self, kernels: list[str], pool: list[FakeTask]) -> None:
        self.kernels = kernels
        self._pools = {"pdo.ipynb": pool}
        self.notebook_path = "pdo.ipynb"
        self.filled: list[int] = []

    def list_kernel_ids(self) -> list[str]:
        return list(self.kernels)

    def fill_if_needed(self, delay=None, notebook_name=None, **kwargs) -> None:
        self.filled.append(self.kernel_pools_config["default"]["pool_size"])


def test_waiting_kernels_hold_no_place_and_never_outnumber_the_free_places(monkeypatch, tmp_path):
    monkeypatch.setenv(app.PLACES_ENV, "3")
    monkeypatch.setenv(app.POOL_ENV, "3")
    monkeypatch.setenv(app.RUNTIME_ENV, str(tmp_path))
    monkeypatch.setattr(app, "_pool", app._Pool())
    manager = app._kernel_manager_class(FakePoolBase)(["p1", "p2", "p3"], [FakeTask("p1"), FakeTask("p2")])
    manager._pools["pdo.ipynb"].append(FakeTask(None))  # the third is still starting (its kernel p3 is listed)
    assert app._places.in_use(manager) == 0  # three kernels, all waiting in the pool: every place is free
    manager.fill_if_needed(notebook_name="pdo.ipynb")
    assert manager.filled == [3]
    app._places.taken.add("u1")  # a participant works in u1; another has just been let in
    manager.kernels.append("u1")
    app._places.admitted.append((time.monotonic(), "b" * 64))
    assert app._places.in_use(manager) == 2
    manager.fill_if_needed(notebook_name="pdo.ipynb")
    assert manager.filled[-1] == 1  # one free place: one kernel kept waiting, not three
    assert json.loads((tmp_path / app.STATUS_FILE).read_text()) == {"target": 3, "warmed": 0, "refused": 0}


def test_the_app_says_how_the_places_warm_and_who_met_no_places(tmp_path):
    server = app.Server(process=None, url="", token=None, runtime=tmp_path, places=2, pool=2)  # type: ignore[arg-type]
    progress = app.Progress(server)
    progress.said_at -= 10
    status = tmp_path / app.STATUS_FILE
    status.write_text(json.dumps({"target": 2, "warmed": 1, "refused": 0}))
    assert progress.lines() == ["Готово мест: 1 из 2."]
    assert progress.lines() == []  # nothing new: nothing said
    status.write_text(json.dumps({"target": 2, "warmed": 2, "refused": 1}))
    said = progress.lines()
    assert said[0].startswith("Все места готовы (2)")
    assert said[1].startswith("Мест нет (занято 2 из 2): ещё одному участнику показана страница «Мест нет»")
    status.write_text(json.dumps({"target": 2, "warmed": 3, "refused": 3}))
    assert progress.lines() == [said[1].replace("ещё одному участнику", "ещё 2 участникам")]


@pytest.mark.parametrize(
    ("new", "whom"),
    [(1, "ещё одному участнику"), (2, "ещё 2 участникам"), (5, "ещё 5 участникам"), (11, "ещё 11 участникам"),
     (21, "ещё 21 участнику"), (22, "ещё 22 участникам"), (111, "ещё 111 участникам"), (101, "ещё 101 участнику")],
)  # fmt: skip
def test_the_number_of_visitors_refused_agrees_with_its_noun(new, whom):
    assert f": {whom} показана страница «Мест нет»" in app.refused_line(new, 30)


def test_the_console_speaks_of_its_own_tabs_not_of_participants():
    line = app.refused_line(1, 2, audience="console")
    assert "участник" not in line and "--places" not in line
    assert line.startswith("Консоль уже открыта в 2 вкладках из 2: ещё одной вкладке браузера показана")
    assert "ещё 21 вкладке браузера" in app.refused_line(21, 2, audience="console")


def test_voila_preheats_only_when_places_are_prepared(tmp_path):
    assert "--VoilaConfiguration.preheat_kernel=True" in app.voila_command("pdo", 8866, "::", None, tmp_path, pool=5)
    assert "--VoilaConfiguration.default_pool_size=5" in app.voila_command("pdo", 8866, "::", None, tmp_path, pool=5)
    assert "--VoilaConfiguration.preheat_kernel=False" in app.voila_command("pdo", 8866, "::", None, tmp_path)
    assert app._kernel_side("0.0.0.0") == "127.0.0.1" and app._kernel_side("::") == "[::1]"
    assert app._kernel_side("192.168.1.5") == "192.168.1.5" and app._kernel_side("fe80::1") == "[fe80::1]"


@pytest.mark.parametrize("pool", ["-1", "много", "1001"])
def test_pool_must_be_a_number_of_places(capsys, pool):
    assert main(["app", "pdo", "--pool", pool]) == 2
    assert "--pool" in capsys.readouterr().err


def test_a_class_gets_every_place_prepared_the_staffs_work_pages_a_couple():
    assert app.default_pool(30, work=False) == 30
    assert app.default_pool(30, work=True) == app.WORK_POOL < 30
    assert app.default_pool(1, work=True) == 1


def test_a_place_left_is_prepared_again_but_not_while_the_app_stops(monkeypatch, tmp_path):
    monkeypatch.setenv(app.PLACES_ENV, "2")
    monkeypatch.setenv(app.POOL_ENV, "2")
    monkeypatch.setenv(app.RUNTIME_ENV, str(tmp_path))
    monkeypatch.setattr(app, "_pool", app._Pool())

    class Base(FakePoolBase):
        async def shutdown_kernel(self, kernel_id: str, *args, **kwargs) -> None:
            self.kernels.remove(kernel_id)

        async def shutdown_all(self, *args, **kwargs) -> None:
            for kernel_id in list(self.kernels):
                await self.shutdown_kernel(kernel_id)

    manager = app._kernel_manager_class(Base)(["u1", "u2"], [])
    app._places.taken.update({"u1", "u2"})  # both places taken: nothing waits
    manager.fill_if_needed(notebook_name="pdo.ipynb")
    assert manager.filled == [0]
    asyncio.run(manager.shutdown_kernel("u1"))  # a participant's page closed long ago: culled
    assert manager.filled == [0, 1]  # their place is prepared again
    asyncio.run(manager.shutdown_all())
    assert manager.filled == [0, 1]  # stopping starts nothing


def test_a_participant_who_reloads_never_meets_no_places(monkeypatch):
    """A reload asks for the page before the old page's kernel is shut down: the browser holds its place."""
    monkeypatch.setenv(app.PLACES_ENV, "1")
    manager = FakeKernelManager(0)
    app.prelaunch_hook(FakeHandler(manager=manager, cookie="r" * 43), notebook(), "/tmp")
    asyncio.run(manager.start_kernel())  # the participant's kernel (the hook wrapped the starts)
    with pytest.raises(HTTPError):  # the only place is taken
        app.prelaunch_hook(FakeHandler(manager=manager, cookie="s" * 43), notebook(), "/tmp")
    app.prelaunch_hook(FakeHandler(manager=manager, cookie="r" * 43), notebook(), "/tmp")  # the same browser
    asyncio.run(manager.start_kernel())
    manager.kernels.pop(0)  # its old kernel is shut down
    with pytest.raises(HTTPError):  # still one place, still taken
        app.prelaunch_hook(FakeHandler(manager=manager, cookie="s" * 43), notebook(), "/tmp")


# --- the server's own work for a first screen ------------------------------------------------------------------------


def test_the_page_gets_voilas_script_chunks_in_one_file(tmp_path):
    static, labext, other = tmp_path / "static", tmp_path / "labext", tmp_path / "other"
    for folder in (static, labext, other):
        folder.mkdir()
    (static / "1.voila.js").write_text('"use strict";(self.chunks=self.chunks||[]).push([[1],{}]);')
    (labext / "w").mkdir()
    (labext / "w" / "2.abc.js").write_text("(self.w=self.w||[]).push([[2],{}]);\n//# sourceMappingURL=2.abc.js.map")
    (other / "secret.js").write_text("secret")
    listing = tmp_path / "page-files.txt"
    listing.write_text(
        "# a comment\n\nstatic/1.voila.js\nstatic/9.voila.js\nlabextensions/w/2.abc.js\n"
        "static/../other/secret.js\nunknown/1.voila.js\n"
    )
    script = app.page_files({"static": [str(tmp_path / "none"), str(static)], "labextensions": [str(labext)]}, listing)
    # each chunk in a function of its own (its «use strict» stays its own), in the listed order; a chunk this
    # installation lacks (9) is left for the page to load, and nothing outside the roots is read
    assert script.decode() == (
        '(function () {\n"use strict";(self.chunks=self.chunks||[]).push([[1],{}]);\n})();\n'
        "(function () {\n(self.w=self.w||[]).push([[2],{}]);\n//# sourceMappingURL=2.abc.js.map\n})();\n"
    )
    assert b"secret" not in script


def test_the_listed_chunks_are_voilas_own():
    """The shipped list names chunks of the installed Voilà and widgets: most of them are found."""
    from voila.paths import collect_static_paths
    from voila.utils import get_voila_labextensions_path

    roots = {
        "static": collect_static_paths(["voila", "nbconvert"], "lab"),
        "labextensions": get_voila_labextensions_path(),
    }
    listed = [line for line in app.PAGE_FILES_LIST.read_text().splitlines() if line and not line.startswith("#")]
    script = app.page_files(roots)
    assert script.count(b"(function () {\n") >= len(listed) * 0.9


def test_a_static_file_asked_again_comes_from_memory_until_it_changes(tmp_path, monkeypatch):
    import gzip
    import os

    import jupyter_server.base.handlers
    import tornado.httpclient
    import tornado.httpserver
    import tornado.netutil
    import tornado.web

    class Files(tornado.web.StaticFileHandler):
        opened = 0

        @classmethod
        def get_content(cls, abspath, start=None, end=None):
            cls.opened += 1
            return super().get_content(abspath, start, end)

    # the app patches Tornado's static handler for the whole process: restored after the test
    for name in ("get", "validate_absolute_path", "get_content_type"):
        monkeypatch.setattr(tornado.web.StaticFileHandler, name, getattr(tornado.web.StaticFileHandler, name))
    monkeypatch.setattr(app, "_COMPRESSIBLE", (".js",))
    monkeypatch.setattr(jupyter_server.base.handlers, "FileFindHandler", Files)  # one of Voilà's static handlers
    app._serve_compressed(tmp_path / "gzip")
    (tmp_path / "files").mkdir()
    script = tmp_path / "files" / "a.js"
    script.write_text("var a = 1;" * 200)
    application = tornado.web.Application([(r"/s/(.*)", Files, {"path": str(tmp_path / "files")})])

    async def scenario() -> None:
        server = tornado.httpserver.HTTPServer(application)
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        server.add_sockets(sockets)
        client = tornado.httpclient.AsyncHTTPClient()
        url = f"http://127.0.0.1:{sockets[0].getsockname()[1]}/s/a.js"
        gz = {"Accept-Encoding": "gzip"}
        try:
            first = await client.fetch(url, headers=gz, decompress_response=False)
            opened = Files.opened
            again = await client.fetch(url, headers=gz, decompress_response=False)
            assert Files.opened == opened  # the second answer did not open the file
            assert again.body == first.body and gzip.decompress(again.body) == script.read_bytes()
            same = ("Content-Type", "Content-Encoding", "Etag", "Last-Modified", "Vary", "Content-Length")
            assert [again.headers.get(h) for h in same] == [first.headers.get(h) for h in same]
            plain = await client.fetch(url, decompress_response=False)  # a browser without gzip: the file itself
            assert plain.body == script.read_bytes() and "Content-Encoding" not in plain.headers
            # a browser that has the file asks with its Etag: Tornado's own answer, «not modified»
            cached = await client.fetch(url, headers={**gz, "If-None-Match": first.headers["Etag"]}, raise_error=False)
            assert cached.code == 304
            # the file changes on disk (a reinstalled package): the new content, never the remembered one
            script.write_text("var b = 2;" * 200)
            os.utime(script, (time.time() + 5, time.time() + 5))
            changed = await client.fetch(url, headers=gz, decompress_response=False)
            assert gzip.decompress(changed.body) == script.read_bytes()
        finally:
            server.stop()

    asyncio.run(scenario())


class FakeIopub:
    def on_recv(self, callback) -> None:
        self.callback = callback


class FakeKernel:
    def __init__(self) -> None:
        from jupyter_client.session import Session

        self.session = Session(key=b"secret")
        self.execution_state = "starting"
        self.iopub = FakeIopub()

    def connect_iopub(self) -> FakeIopub:
        return self.iopub


class FakeWatchBase:
    """What the activity watch uses of Jupyter's kernel manager."""

    def __init__(self) -> None:
        self._kernels = {"k1": FakeKernel()}
        self.last_kernel_activity = None

    def track_message_type(self, message_type) -> bool:
        return message_type not in ("comm_open", "comm_close", "comm_msg", "comm_info_request")


def test_the_activity_watch_keeps_jupyters_rules_without_decoding_whole_messages():
    from jupyter_client.session import Session

    manager = app._kernel_manager_class(FakeWatchBase)()
    manager.start_watching_activity("k1")
    kernel = manager._kernels["k1"]
    session = kernel.session

    def send(msg_type: str, content: dict, parent_type: str | None, key: bytes = b"secret") -> None:
        parent = session.msg(parent_type, {}) if parent_type else {}
        message = session.msg(msg_type, content, parent=parent)
        kernel.iopub.callback(Session(key=key).serialize(message, ident=[b"kernel.k1.iopub"]))

    started = kernel.last_activity
    time.sleep(0.01)
    send("status", {"execution_state": "idle"}, None)  # the kernel's own start: no request of ours
    assert kernel.execution_state == "idle" and kernel.last_activity > started
    send("status", {"execution_state": "busy"}, "execute_request")
    assert kernel.execution_state == "busy"
    seen = kernel.last_activity
    time.sleep(0.01)
    send("comm_msg", {}, "comm_msg")  # widgets talking while the kernel is busy: activity
    assert kernel.last_activity > seen
    send("status", {"execution_state": "idle"}, "execute_request")
    assert kernel.execution_state == "idle"
    seen = kernel.last_activity
    time.sleep(0.01)
    send("comm_msg", {}, "comm_msg")  # widgets alone on an idle kernel keep nobody's place
    assert kernel.last_activity == seen
    send("status", {"execution_state": "busy"}, "execute_request", key=b"forged")  # not signed by the kernel
    assert kernel.execution_state == "idle" and kernel.last_activity == seen
    assert manager.last_kernel_activity == seen


def test_stopping_kills_kernels_at_once_starts_none_and_skips_those_gone():
    calls = []

    class Base(FakePoolBase):
        async def start_kernel(self, *args, **kwargs) -> str:
            return "k-new"

        async def _async_shutdown_kernel(self, kernel_id, now=False, restart=False) -> None:
            calls.append((kernel_id, now))

        async def shutdown_all(self, *args, **kwargs) -> None:
            for kernel_id in ("p1", "gone"):
                await self._async_shutdown_kernel(kernel_id)

        def __contains__(self, kernel_id) -> bool:
            return kernel_id in self.kernels

    manager = app._kernel_manager_class(Base)(["p1"], [])
    assert asyncio.run(manager.start_kernel()) == "k-new"
    asyncio.run(manager._async_shutdown_kernel("p1"))
    assert calls == [("p1", False)]  # a participant's kernel culled while the app runs: Jupyter's gentle way
    asyncio.run(manager.shutdown_all())
    assert calls[1:] == [("p1", True)]  # stopping: killed at once (no traceback mid-warm-up); "gone" is skipped
    with pytest.raises(RuntimeError):
        asyncio.run(manager.start_kernel())


def test_stopping_leaves_no_process_of_the_servers_folder(tmp_path):
    import subprocess
    import sys

    runtime = tmp_path / "sferum-app-x"
    (runtime / "voila_1").mkdir(parents=True)
    straggler = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)", str(runtime / "voila_1" / "kernel-1.json")]
    )
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", str(tmp_path / "elsewhere")])
    try:
        assert app._leftovers(runtime) == [straggler.pid]
        server = app.Server(process=subprocess.Popen(["true"]), url="", token=None, runtime=runtime, places=1)
        server.process.wait()
        app.stop(server)
        assert straggler.wait(10) == -9 and other.poll() is None and not runtime.exists()
    finally:
        for process in (straggler, other):
            process.kill()
            process.wait()
