"""App mode: a role notebook served by Voilà — code hidden, one kernel per participant on the local network.

What keeps participants apart and the laptop healthy:

- **Places are ready before people arrive.** Voilà keeps a pool of preheated kernels (one per place by default,
  ``--pool``): each has started Python, imported the library and rehearsed a practice organisation
  (:func:`participant`), then waits for its participant. Thirty people opening the address at once therefore
  cost the server almost nothing each; only a visitor past the pool gets a kernel started on the spot.
- **A browser is a participant.** On the first visit the server gives the browser a random cookie; the kernel
  learns only its hash, in a request header Voilà hands to the kernel when its participant arrives (the app's
  notebook, :func:`app_notebook`, asks for it). Under JupyterHub :func:`prelaunch_hook` puts the hash into the
  notebook instead. The name a participant enters is claimed for that hash in the session folder (:func:`claim`);
  another browser under the same name is refused, the same browser after a reload gets its progress back. The
  methodist frees a name with ``--release``.
- **A token beyond this computer.** Bound to any address but the loopback, Voilà requires a token; the printed
  address carries it and names the machine's real address.
- **Places are capped** (:data:`MAX_PARTICIPANTS` by default): past the cap a page says «мест нет» (HTTP 503);
  waiting kernels never outnumber the free places, and a browser that holds a place (a reload) is never refused.
  Kernels whose page is gone are culled after :data:`IDLE_MINUTES` idle minutes, and their place is prepared
  again.
- **Light on the room's Wi-Fi and on the server's one core:** Voilà's scripts and styles (4.8 MB) go out
  gzip-compressed (1.3 MB); its ~85 script chunks come in one file (:func:`page_files`), so a page makes 8 requests,
  not 93; a static file asked again is answered from memory. Voilà's loggers drop debug lines before building them,
  and kernel messages are read with less work (dates, activity for culling).
- **IPC, not TCP:** kernels talk to Voilà over Unix sockets in a private folder, so no port can be taken twice.
- **Nothing of the server reaches a participant:** Voilà's error pages are replaced by Russian ones without paths
  or tracebacks (the ``sferum`` template in ``app_data/``), and tracebacks of cells are hidden.
- **Stopping stops everything:** Ctrl+C or SIGTERM to ``sferum app`` stops Voilà, which kills every kernel at once
  (silently, even mid-warm-up) before removing their files; a kernel launched in Voilà's last instant is killed by
  ``sferum app``. Voilà also gets SIGTERM if ``sferum app`` dies, and kernels exit when Voilà does.

``python -m sferum_lib.app NOTEBOOK [Voilà options]`` is the Voilà process itself (it installs admission,
identification, the pool and the compressed files, which Voilà's command line cannot express).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import hashlib
import inspect
import ipaddress
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sferum_lib.errors import SferumError, UsageError
from sferum_lib.ui import SESSION_ENV

#: Participants served at once (one kernel each, about 110 MB); the next one sees «мест нет».
MAX_PARTICIPANTS = 30
#: A kernel whose page is closed (no connection) and idle this long is shut down.
IDLE_MINUTES = 5
#: The cookie that identifies a browser; its value never leaves the server, the kernel sees its hash.
COOKIE = "sferum_browser"
#: The notebook global through which :func:`prelaunch_hook` tells the kernel its browser's hash.
BROWSER_VAR = "_sferum_browser"
#: Environment of the Voilà process: the cap on participants.
PLACES_ENV = "SFERUM_APP_PLACES"
#: Environment of the Voilà process: the private folder of its connection files and IPC sockets.
RUNTIME_ENV = "SFERUM_APP_RUNTIME"
#: Where the ``sferum`` Voilà template lives (a Jupyter data folder).
DATA_DIR = Path(__file__).resolve().parent / "app_data"
TEMPLATE = "sferum"
PAGE_TITLE = "Обучение по положению о «Сферуме»"
#: The browser tab of the workbench (``sferum app admin --store``), instead of the training title.
WORK_TITLE = "Рабочее место администратора «Сферума»"
#: Environment of the Voilà process: the page title, when it is not the training's.
TITLE_ENV = "SFERUM_APP_TITLE"
#: What a participant sees instead of a failed cell's traceback.
CELL_ERROR = "Эта часть занятия не открылась. Обновите страницу; если не поможет, скажите ведущему."
_CLAIMS = ".browsers"  # in the session folder: one file per claimed name, holding the browser's hash


def _bounded(text: str, low: int, high: int, what: str, outside: str) -> int:
    """An integer ``low``–``high`` for argparse; ``what`` names it for a non-number, ``outside`` for a number out of
    range (formatted with ``value``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"«{text}» — {what}; ожидается целое число от {low} до {high}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(outside.format(value=value) + f": ожидается от {low} до {high}")
    return value


def port_number(text: str) -> int:
    """``--port``: an integer 1–65535 (an argparse type)."""
    return _bounded(text, 1, 65535, "не номер порта", "порт {value} вне допустимого диапазона")


def places_number(text: str) -> int:
    """``--places``: an integer 1–1000 (an argparse type)."""
    return _bounded(text, 1, 1000, "не число мест", "число мест {value}")


def pool_number(text: str) -> int:
    """``--pool``: an integer 0–1000 (an argparse type)."""
    return _bounded(text, 0, 1000, "не число мест", "число мест {value}")


def notebook_for(role: str) -> Path:
    from sferum_lib.training import STEPS

    if role not in STEPS:
        raise UsageError(f"Неизвестная роль «{role}». Роли: {', '.join(STEPS)}.")
    return Path(__file__).resolve().parents[1] / "notebooks" / "roles" / f"{role}.ipynb"


#: Roles that have a work notebook over the organisation's store (``sferum app ROLE --store PATH``): the
#: administrator's workbench and every other role's work page.
WORK_ROLES = ("admin", "head", "pdo", "ped", "student", "parent")


def work_notebook_for(role: str) -> Path:
    if role not in WORK_ROLES:
        raise UsageError(f"Неизвестная роль «{role}». Роли: {', '.join(WORK_ROLES)}.")
    return Path(__file__).resolve().parents[1] / "notebooks" / "work" / f"{role}.ipynb"


def work_title(role: str) -> str:
    """The browser tab of a work page: the workbench's, or «Работа в «Сферуме»: педагог …»."""
    if role == "admin":
        return WORK_TITLE
    from sferum_lib.regulation import default_catalogue

    return f"Работа в «Сферуме»: {default_catalogue().roles[role]}"


def qr_text(url: str) -> str:
    """The address as a QR code drawn with half blocks, for a terminal shown on a projector (dark on light).

    Two rows of modules share one line of text (▀ upper, ▄ lower, █ both), so a phone reads it from the screen
    at an ordinary font size; the quiet zone is the light background around it.
    """
    import segno

    matrix = [list(row) for row in segno.make(url, error="l", micro=False).matrix]
    size = len(matrix)
    border = 2
    light = [[False] * (size + 2 * border) for _ in range(border)]
    rows = light + [[False] * border + [bool(v) for v in row] + [False] * border for row in matrix] + light
    if len(rows) % 2:
        rows.append([False] * (size + 2 * border))
    glyph = {(False, False): "█", (True, False): "▄", (False, True): "▀", (True, True): " "}
    # light modules are drawn (█), dark ones left blank: on a dark terminal the code reads dark on light
    return "\n".join(
        "".join(glyph[(a, b)] for a, b in zip(top, bottom, strict=True))
        for top, bottom in zip(rows[0::2], rows[1::2], strict=True)
    )


# --- who may work under a name -------------------------------------------------------------------------------------


def normal_name(name: str) -> str:
    """A name as a claim sees it: «кузнецов  пётр» and «Кузнецов Петр» are one participant."""
    text = unicodedata.normalize("NFC", name).casefold().replace("ё", "е")
    return " ".join(text.split())


def _claim_path(session: str | Path, name: str) -> Path:
    digest = hashlib.sha256(normal_name(name).encode("utf-8")).hexdigest()[:32]
    return Path(session) / _CLAIMS / digest


def claim(session: str | Path, name: str, browser: str) -> bool:
    """Bind ``name`` to ``browser`` in the session; False when another browser holds it already.

    The claim is made atomically (a hard link of a complete file), so two browsers typing the same name at the
    same moment cannot both win.
    """
    path = _claim_path(session, name)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".new-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(browser)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return path.read_text(encoding="utf-8").strip() == browser
        return True
    finally:
        os.unlink(tmp)


def release(session: str | Path, name: str) -> bool:
    """Free a name so that the next browser to enter it gets it; False if nobody held it."""
    try:
        _claim_path(session, name).unlink()
    except FileNotFoundError:
        return False
    return True


def held(session: str | Path, names: list[str], browser: str) -> str | None:
    """The first of ``names`` that ``browser`` holds in the session (a work page reloaded), or None."""
    for name in names:
        path = _claim_path(session, name)
        try:
            if path.read_text(encoding="utf-8").strip() == browser:
                return name
        except FileNotFoundError:
            continue
    return None


def browser_of(namespace: Any) -> str | None:
    """The browser's hash the app put into the notebook, or None outside the app (e.g. in JupyterLab)."""
    value = namespace.get(BROWSER_VAR) if hasattr(namespace, "get") else None
    return str(value) if value else None


# --- inside a participant's kernel ---------------------------------------------------------------------------------


#: The request header through which the server tells a kernel its browser's hash (Voilà passes the headers it is
#: told of into the kernel's environment, to a preheated kernel when its participant arrives). The server always
#: overwrites it: a browser cannot choose whom it is.
BROWSER_HEADER = "X-Sferum-Browser"
BROWSER_ENV = "HTTP_X_SFERUM_BROWSER"
#: Environment of the Voilà process: how many kernels to keep ready for arriving participants.
POOL_ENV = "SFERUM_APP_POOL"
#: In the runtime folder: how far the pool has warmed and how many visitors were refused (read by ``sferum app``).
STATUS_FILE = "pool.json"
#: What a kernel rehearses before its participant arrives, per kind of notebook: the modules a page needs.
_WARM_MODULES = {
    "training": (
        "ipywidgets",
        "pandas",
        "sferum_lib.training.roster",
        "sferum_lib.training.session",
        "sferum_lib.training.scenario",
        "sferum_lib.sandbox",
        "sferum_lib.procedures.params",
        "sferum_lib.ui.entry",
        "sferum_lib.ui.wizard",
        "sferum_lib.ui.scenario",
    ),
    "work": ("ipywidgets", "pandas", "sferum_lib.store", "sferum_lib.ui.rolework", "sferum_lib.ui.workbench"),
}


def warm(kind: str, role: str) -> None:
    """Do now, before anyone arrives, what every participant's page would do first: import the library and, for
    training, build one practice organisation in a throwaway folder (its first build fills lazy caches).

    Only speed depends on it: a failure here is left for the page itself to meet and report.
    """
    import importlib

    with contextlib.suppress(Exception):
        for module in _WARM_MODULES[kind]:
            importlib.import_module(module)
        if kind == "training":
            from sferum_lib.training import Training

            with tempfile.TemporaryDirectory(prefix="sferum-warm-") as folder:
                rehearsal = Training(folder, "Проба Проба", role)
                rehearsal.progress()
                rehearsal.perform(0, rehearsal.defaults(rehearsal.steps[0]))


def _request_info(seconds: float = 120) -> dict[str, str]:
    """Wait for this preheated kernel's participant: Voilà sends the request over a websocket of its own.

    Voilà's helper gives up after 5 s without a connection, which thirty kernels warming on two cores can exceed;
    this one retries, and waits for the participant as long as it takes.
    """
    import json

    from websockets.sync.client import connect

    server = os.environ.get("VOILA_SERVER_URL", "/")
    url = (
        f"ws://{os.environ.get('VOILA_APP_IP', '127.0.0.1')}:{os.environ['VOILA_APP_PORT']}"
        f"{server}voila/query/{os.environ['VOILA_KERNEL_ID']}"
    )
    deadline = time.monotonic() + seconds
    while True:
        try:
            with connect(url, open_timeout=seconds, max_size=None) as socket_:
                return {str(k): str(v) for k, v in json.loads(socket_.recv()).items()}
        except (OSError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def participant(kind: str, role: str) -> str:
    """The first cell of the app's notebook: get ready, wait for the participant, return their browser's hash.

    In a preheated kernel the wait is for Voilà's request; in a kernel started for a request the header is
    already in the environment. Without a browser the page must not open (a name would bind to nobody).
    """
    warm(kind, role)
    if os.environ.get("VOILA_PREHEAT") == "True":
        os.environ.update(_request_info())
    browser = os.environ.get(BROWSER_ENV, "")
    if len(browser) != 64 or any(c not in "0123456789abcdef" for c in browser):
        raise SferumError("Браузер участника не опознан: обновите страницу.")
    return browser


def app_notebook(source: Path, folder: Path, kind: str, role: str, title: str) -> Path:
    """The notebook ``sferum app`` serves: ``source`` after a first cell that calls :func:`participant`.

    Written into the server's private folder (Voilà serves one notebook, and its folder is the kernels' working
    folder); the role's own notebook stays as it is, for JupyterLab and papermill.
    """
    import nbformat

    notebook = nbformat.read(source, as_version=4)
    first = nbformat.v4.new_code_cell(
        f"from sferum_lib.app import participant\n\n{BROWSER_VAR} = participant({kind!r}, {role!r})"
    )
    notebook.cells.insert(0, first)
    notebook.metadata["title"] = title  # the browser tab, not the notebook's file name
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / source.name
    nbformat.write(notebook, path)
    return path


# --- inside the Voilà process --------------------------------------------------------------------------------------


_ADMISSION_SECONDS = 300  # a visitor whose kernel never came (an error on the way) stops counting after this


class Places:
    """Who holds a place: kernels handed to participants, and visitors let in whose kernel is not theirs yet.

    At the start of a seminar thirty people open the page at once and a kernel may take a while to become theirs,
    so counting kernels alone would let too many in; a kernel is listed a moment before its start returns, and in
    that moment it must not be counted beside its still admitted visitor. Preheated kernels waiting in the pool
    hold no place.
    """

    def __init__(self) -> None:
        self.admitted: list[tuple[float, str]] = []  # when, and which browser
        self.taken: set[str] = set()
        self.holders: dict[str, str] = {}  # kernel -> the browser it was handed to
        self.starting = 0  # kernels on their way to an admitted visitor (a start, or one leaving the pool)
        self.refused = 0

    def in_use(self, kernel_manager: Any) -> int:
        now = time.monotonic()
        self.admitted[:] = [a for a in self.admitted if now - a[0] < _ADMISSION_SECONDS]
        listed = set(kernel_manager.list_kernel_ids())
        self.taken.intersection_update(listed)  # culled or shut down: the place is free again
        self.holders = {k: b for k, b in self.holders.items() if k in self.taken}
        waiting, warming = _pooled(kernel_manager)
        # listed kernels nobody accounts for: started before we counted (then a participant's each), unless they
        # are on their way to an admitted visitor or a pool kernel whose start has not returned yet
        others = len(listed - self.taken - waiting)
        return len(self.taken) + max(0, others - self.starting - warming) + len(self.admitted)

    def admit(self, kernel_manager: Any, places: int, browser: str = "") -> None:
        from tornado.web import HTTPError

        full = self.in_use(kernel_manager) >= places
        # a participant who reloads the page holds a place already (their old kernel is being shut down): never
        # «мест нет» for them
        if full and not (browser and browser in self.holders.values()):
            self.refused += 1
            raise HTTPError(503)  # rendered by the template's error page as «мест нет»
        self.admitted.append((time.monotonic(), browser))

    def assign(self, kernel_id: str | None) -> None:
        """A kernel became an admitted visitor's (or failed to, ``None``): count it instead of the visitor."""
        browser = self.admitted.pop(0)[1] if self.admitted else ""
        if kernel_id is not None:
            self.taken.add(kernel_id)
            self.holders[kernel_id] = browser


def _pooled(kernel_manager: Any) -> tuple[set[str], int]:
    """The pool's kernels waiting for a participant, and how many pool starts have not returned yet."""
    waiting: set[str] = set()
    warming = 0
    for tasks in getattr(kernel_manager, "_pools", {}).values():
        for task in tasks:
            if not task.done():
                warming += 1
            elif not task.cancelled() and task.exception() is None:
                waiting.add(task.result()["kernel_id"])
    return waiting, warming


_places = Places()


def _places_limit() -> int:
    return int(os.environ.get(PLACES_ENV) or MAX_PARTICIPANTS)


def _count_starts(kernel_manager: Any) -> None:
    """Make the kernel manager hand each kernel started for a request to an admitted visitor."""
    if getattr(kernel_manager, "_sferum_counted", False):
        return
    original = kernel_manager.start_kernel

    async def start_kernel(*args: Any, **kwargs: Any) -> Any:
        kernel_id = None
        _places.starting += 1
        try:
            result = original(*args, **kwargs)
            kernel_id = await result if inspect.isawaitable(result) else result
            return kernel_id
        finally:
            _places.starting -= 1
            _places.assign(kernel_id)

    kernel_manager.start_kernel = start_kernel
    kernel_manager._sferum_counted = True


def browser_hash(handler: Any) -> str:
    """The hash of the browser's cookie; a browser without one gets a new random cookie first."""
    token = handler.get_cookie(COOKIE)
    if not token or len(token) < 32:
        token = secrets.token_urlsafe(32)
        handler.set_cookie(COOKIE, token, expires_days=60, httponly=True, samesite="Lax")
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def admit(handler: Any) -> str:
    """A visitor asks for the page: identify the browser, refuse past the cap (HTTP 503)."""
    _count_starts(handler.kernel_manager)
    browser = browser_hash(handler)
    _places.admit(handler.kernel_manager, _places_limit(), browser)
    return browser


def prelaunch_hook(handler: Any, notebook: Any, cwd: str) -> Any:
    """Under JupyterHub (no preheated kernels): refuse past the cap, put the browser's hash into the notebook."""
    import copy

    import nbformat

    browser = admit(handler)
    notebook = copy.deepcopy(notebook)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(f"{BROWSER_VAR} = {browser!r}"))
    notebook.metadata["title"] = os.environ.get(TITLE_ENV) or PAGE_TITLE  # the tab, not the notebook's file name
    return notebook


def _title_hook(handler: Any, notebook: Any, cwd: str) -> Any:
    """Without preheated kernels (the console, ``--pool 0``): the tab shows the title the server was given."""
    title = os.environ.get(TITLE_ENV)
    if title:
        notebook.metadata["title"] = title
    return notebook


def _admit_request(handler: Any) -> None:
    """``sferum app``: before Voilà renders the page, admit the visitor and hand the kernel its browser's hash."""
    from tornado.web import HTTPError

    try:
        handler.request.headers[BROWSER_HEADER] = admit(handler)  # replaces whatever the browser itself sent
    except HTTPError:
        _pool.write(os.environ.get(RUNTIME_ENV))  # `sferum app` tells the methodist someone met «мест нет»
        raise


async def _pool_known(kernel_manager: Any, seconds: float = 60) -> None:
    """A visitor who comes while the first pool kernel is still starting waits for it rather than get a kernel of
    their own beside the pool (Voilà uses the pool only once its notebook is known, a moment after that start)."""
    import asyncio

    deadline = time.monotonic() + seconds
    while (
        any(getattr(kernel_manager, "_pools", {}).values())
        and not getattr(kernel_manager, "notebook_data", None)
        and time.monotonic() < deadline
    ):
        await asyncio.sleep(0.1)


class _Pool:
    """How the pool warms, for ``sferum app`` to print: kernels that reached their wait, out of the first fill."""

    def __init__(self) -> None:
        self.target = 0
        self.warmed = 0

    def write(self, runtime: str | None) -> None:
        import json

        if not runtime:
            return
        data = {"target": self.target, "warmed": self.warmed, "refused": _places.refused}
        with contextlib.suppress(OSError):
            tmp = Path(runtime) / f".{STATUS_FILE}.tmp"
            tmp.write_text(json.dumps(data), encoding="utf-8")
            os.replace(tmp, Path(runtime) / STATUS_FILE)


_pool = _Pool()


def _kernel_manager_class(base: type) -> type:
    """Voilà's preheating kernel manager, made to respect the places and to warm a few kernels at a time."""

    class SferumKernelManager(base):  # type: ignore[misc, valid-type]
        _warming: Any = None
        _closing = False

        def fill_if_needed(self, delay: Any = None, notebook_name: Any = None, **kwargs: Any) -> None:
            # waiting kernels never outnumber the free places: the pool is not refilled past the cap
            free = _places_limit() - _places.in_use(self)
            pool = int(os.environ.get(POOL_ENV) or 0)
            self.kernel_pools_config = {"default": {"pool_size": max(0, min(pool, free))}}
            if not _pool.target:
                _pool.target = max(0, min(pool, free))
                _pool.write(os.environ.get(RUNTIME_ENV))
            super().fill_if_needed(delay=delay, notebook_name=notebook_name, **kwargs)

        async def get_rendered_notebook(self, notebook_name: str, *args: Any, **kwargs: Any) -> Any:
            # Voilà hands out the pool's first kernel: make it a warm one when there is one
            self._pools.get(notebook_name, []).sort(key=lambda task: not task.done())
            kernel_id = None
            _places.starting += 1  # out of the pool, not yet the visitor's
            try:
                render_task, cache, kernel_id = await super().get_rendered_notebook(notebook_name, *args, **kwargs)
            finally:
                _places.starting -= 1
                _places.assign(kernel_id)
            return render_task, cache, kernel_id

        async def _initialize(self, notebook_path: str, kernel_id: Any = None, **kwargs: Any) -> Any:
            if kernel_id is not None:  # a restart: Voilà's own way
                return await super()._initialize(notebook_path, kernel_id, **kwargs)
            import asyncio

            from voila.request_info_handler import RequestInfoSocketHandler

            if self._warming is None:  # warm a few at a time: the first places are ready soon, not all at the end
                type(self)._warming = asyncio.Semaphore(max(2, os.cpu_count() or 2))
            async with self._warming:
                if self._closing:  # stopping while this one waited its turn: start nothing
                    raise RuntimeError("the app is stopping")
                content = await super()._initialize(notebook_path, kernel_id, **kwargs)
                deadline = time.monotonic() + 300
                # warm when the kernel waits for its participant (it has connected for the request) or gave up
                while (
                    content["kernel_id"] not in RequestInfoSocketHandler._waiters
                    and not content["task"].done()
                    and not self._closing  # stopping: the kernel is shut down, warm or not
                    and time.monotonic() < deadline
                ):
                    await asyncio.sleep(0.1)
            _pool.warmed += 1
            _pool.write(os.environ.get(RUNTIME_ENV))
            return content

        def start_watching_activity(self, kernel_id: str) -> None:
            """Jupyter's activity watch (what culling goes by), without decoding every message of every kernel:
            the same rules read from the raw header, parent header and, for a status, content."""
            import hmac
            import json

            from jupyter_client.session import Session
            from jupyter_server._tz import utcnow

            kernel = self._kernels[kernel_id]
            kernel.reason = ""
            kernel.last_activity = utcnow()
            kernel._activity_stream = kernel.connect_iopub()
            session = Session(config=kernel.session.config, key=kernel.session.key)

            def record_activity(msg_list: list[bytes]) -> None:
                _, parts = session.feed_identities(msg_list)
                if len(parts) < 5 or not hmac.compare_digest(parts[0], session.sign(parts[1:5])):
                    return  # not a message of this kernel's
                msg_type = json.loads(parts[1]).get("msg_type")
                parent_type = json.loads(parts[2]).get("msg_type")
                if (
                    self.track_message_type(msg_type)
                    or self.track_message_type(parent_type)
                    or kernel.execution_state == "busy"
                ):
                    self.last_kernel_activity = kernel.last_activity = utcnow()
                if msg_type == "status":
                    state = json.loads(parts[4]).get("execution_state")
                    if self.track_message_type(parent_type):
                        kernel.execution_state = state
                    elif kernel.execution_state == "starting" and state != "starting":
                        kernel.execution_state = "idle"

            kernel._activity_stream.on_recv(record_activity)

        async def shutdown_kernel(self, kernel_id: str, *args: Any, **kwargs: Any) -> Any:
            result = await super().shutdown_kernel(kernel_id, *args, **kwargs)
            if not self._closing and self.notebook_path is not None:  # a participant left: prepare the place again
                self.fill_if_needed(notebook_name=self.notebook_path)
            return result

        async def shutdown_all(self, *args: Any, **kwargs: Any) -> Any:
            self._closing = True  # stopping: no kernel is started to replace those shut down
            return await super().shutdown_all(*args, **kwargs)

        async def start_kernel(self, *args: Any, **kwargs: Any) -> Any:
            if self._closing:  # stopping: a kernel launched now would outlive the server's folder
                raise RuntimeError("the app is stopping")
            return await super().start_kernel(*args, **kwargs)

        async def _async_shutdown_kernel(self, kernel_id: str, now: bool = False, restart: bool = False) -> Any:
            if self._closing:
                import asyncio

                pending = getattr(self, "_pending_kernels", {}).get(kernel_id)
                if kernel_id not in self and pending is not None:  # launched a moment ago: stop it once listed
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(asyncio.shield(pending), 30)
                if kernel_id not in self:  # ended on its own while the others were being stopped
                    return None
                # stopped at once: a place keeps nothing in memory (progress is on disk), and a kernel asked to
                # stop in the middle of its warm-up prints an English traceback to the methodist's terminal
                now = True
            return await super()._async_shutdown_kernel(kernel_id, now=now, restart=restart)

    return SferumKernelManager


#: Voilà's page loads about 4.8 MB of scripts and styles in some ninety files: compressed once, they cost the
#: server (and the room's Wi-Fi) about a quarter of that for every participant.
_COMPRESSIBLE = (".js", ".css", ".json", ".svg")


def _serve_compressed(folder: Path) -> None:
    """Make Voilà's static file handlers send a gzip copy of scripts and styles to browsers that accept it.

    The copy is made on first demand into ``folder`` (the server's private runtime folder) and kept while the file
    is unchanged; size, date, ETag and content come from the copy, the content type from the original.
    """
    import gzip

    import tornado.web
    from jupyter_server.base.handlers import FileFindHandler
    from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler

    validate = tornado.web.StaticFileHandler.validate_absolute_path
    content_type = tornado.web.StaticFileHandler.get_content_type
    made: dict[str, tuple[float, str]] = {}
    handlers = (FileFindHandler, MultiStaticFileHandler, TemplateStaticFileHandler)

    def validate_absolute_path(self: Any, root: str, absolute_path: str) -> str | None:
        path = validate(self, root, absolute_path)
        headers = self.request.headers
        if (
            not path
            or not isinstance(self, handlers)
            or not path.endswith(_COMPRESSIBLE)
            or "gzip" not in headers.get("Accept-Encoding", "")
            or "Range" in headers
        ):
            return path
        mtime = os.stat(path).st_mtime
        if made.get(path, (None,))[0] != mtime:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            copy = folder / (hashlib.sha256(path.encode("utf-8")).hexdigest()[:32] + ".gz")
            tmp = copy.with_suffix(".tmp")
            tmp.write_bytes(gzip.compress(Path(path).read_bytes(), 6, mtime=0))
            os.replace(tmp, copy)
            made[path] = (mtime, str(copy))
        self._sferum_original = path
        self.set_header("Content-Encoding", "gzip")
        self.add_header("Vary", "Accept-Encoding")
        self._stat_result = os.stat(made[path][1])
        return made[path][1]

    def get_content_type(self: Any) -> str:
        original = getattr(self, "_sferum_original", None)
        if original is None:
            return content_type(self)
        compressed, self.absolute_path = self.absolute_path, original
        try:
            return content_type(self)
        finally:
            self.absolute_path = compressed

    tornado.web.StaticFileHandler.validate_absolute_path = validate_absolute_path  # type: ignore[method-assign]
    tornado.web.StaticFileHandler.get_content_type = get_content_type  # type: ignore[method-assign]
    _serve_from_memory(handlers)


@dataclass
class _Answer:
    """A static file as it went out once: the file it came from (and its date then), its headers, its bytes."""

    source: str
    mtime: float
    headers: list[tuple[str, str]]
    body: bytes


#: Headers of a static answer that belong to one request, never repeated from memory.
_OWN_HEADERS = frozenset({"Date", "Server", "Expires", "Content-Length", "Set-Cookie"})


def _serve_from_memory(handlers: tuple[type, ...]) -> None:
    """Answer a static file asked again from memory: the same headers and bytes as the first time, without looking
    for the file in Voilà's folders, reading, hashing or compressing it again (thirty participants ask for the same
    ninety files at once: that search, not the sending, was most of the server's work for a first screen).

    Only plain requests are answered so (a browser with a cached copy, a range or a HEAD gets Tornado's own
    answer), and only while the file is unchanged on disk.
    """
    import tornado.web

    original = tornado.web.StaticFileHandler.get
    answers: dict[tuple[type, str, bool, bool], _Answer] = {}

    async def get(self: Any, path: str, include_body: bool = True) -> None:
        headers = self.request.headers
        plain = (
            include_body
            and isinstance(self, handlers)
            and not any(h in headers for h in ("Range", "If-None-Match", "If-Modified-Since"))
        )
        if not plain:
            return await original(self, path, include_body)
        # the path, not the whole address: answers differ only by whether a version is asked (caching headers), and
        # a visitor varying the query cannot fill the memory
        packed = "gzip" in headers.get("Accept-Encoding", "")
        key = (type(self), self.request.path, "v" in self.request.arguments, packed)
        answer = answers.get(key)
        if answer is not None:
            try:
                fresh = os.stat(answer.source).st_mtime == answer.mtime
            except OSError:
                fresh = False
            if fresh:
                self.absolute_path = answer.source
                for name, value in answer.headers:
                    self.add_header(name, value) if name == "Vary" else self.set_header(name, value)
                self.write(answer.body)
                return None
            del answers[key]
        await original(self, path, include_body)
        served = getattr(self, "absolute_path", None)
        if self.get_status() == 200 and served:
            source = getattr(self, "_sferum_original", None) or served
            with contextlib.suppress(OSError):
                mtime = os.stat(source).st_mtime
                kept = [(k, v) for k, v in self._headers.get_all() if k not in _OWN_HEADERS]
                answers[key] = _Answer(source, mtime, kept, Path(served).read_bytes())
        return None

    tornado.web.StaticFileHandler.get = get  # type: ignore[method-assign]


#: Where the page gets Voilà's script chunks in one file (the template asks for it when the app serves it).
PAGE_FILES_URL = "voila/sferum/page-files.js"
#: The chunks Voilà's page loads one by one (paths under ``/voila/``), recorded from a real page.
PAGE_FILES_LIST = DATA_DIR / "voila" / "templates" / TEMPLATE / "page-files.txt"


def page_files(roots: dict[str, list[str]], listing: Path = PAGE_FILES_LIST) -> bytes:
    """The listed script chunks found in this installation, as one script.

    Voilà's page loads some eighty chunks of its scripts one by one, and for thirty participants at once answering
    those requests was most of the server's work. A chunk only registers its code with the page's loader (webpack),
    which then never asks for it, so the chunks can arrive together before the page's own script: each in a
    function of its own (its «use strict» stays its own). ``roots`` maps the first folder of a listed path
    (``static``, ``labextensions``) to the folders Voilà serves it from; a chunk not found (another Voilà) is
    skipped, and the page loads it as usual.
    """
    parts = []
    for line in listing.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        kind, _, rest = line.partition("/")
        if not line or line.startswith("#") or ".." in Path(rest).parts:
            continue
        for root in roots.get(kind, []):
            path = Path(root, rest)
            if path.is_file():
                parts.append(b"(function () {\n" + path.read_bytes() + b"\n})();\n")
                break
    return b"".join(parts)


def _page_files_handler(script: bytes) -> type:
    """A handler that sends :func:`page_files` from memory, compressed once (a reload gets «not modified»)."""
    import gzip

    import tornado.web

    packed = gzip.compress(script, 6, mtime=0)
    etag = '"' + hashlib.sha256(script).hexdigest()[:32] + '"'

    class PageFilesHandler(tornado.web.RequestHandler):
        def get(self) -> None:
            self.set_header("Content-Type", "text/javascript; charset=UTF-8")
            self.set_header("Cache-Control", "no-cache")  # kept by the browser, asked again with its Etag
            self.set_header("Etag", etag)
            self.add_header("Vary", "Accept-Encoding")
            if etag in self.request.headers.get("If-None-Match", ""):
                self.set_status(304)
            elif "gzip" in self.request.headers.get("Accept-Encoding", ""):
                self.set_header("Content-Encoding", "gzip")
                self.write(packed)
            else:
                self.write(script)

    return PageFilesHandler


def _fast_dates() -> None:
    """Read the dates in kernel messages' headers with the standard library rather than dateutil.

    Every message of every kernel is decoded in Voilà, twice or three times (activity for culling, the notebook's
    execution), and dateutil's parser was a tenth of the server's work at a class's start. The result is the same
    datetime; what the standard parser does not read goes to dateutil as before.
    """
    import datetime as dt

    from jupyter_client import jsonutil

    slow = jsonutil._dateutil_parse

    def parse(text: str) -> dt.datetime:
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            return slow(text)

    jsonutil._dateutil_parse = parse


def error_page(status_code: int) -> str:
    """The template's Russian error page for an HTTP status (nothing but the code goes in)."""
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(DATA_DIR / "voila" / "templates" / TEMPLATE)))
    return env.get_template("error.html").render(status_code=status_code)


def _strip_cell_errors(executor: Any, cell: Any) -> Any:
    """Voilà's own replacement of a traceback is English and names its options: ours is Russian and says nothing
    of the server (the traceback stays in the kernel's log, in the methodist's terminal)."""
    for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
        if output.get("output_type") == "error":
            output["ename"], output["evalue"], output["traceback"] = "Ошибка", CELL_ERROR, [CELL_ERROR]
    return cell


def main(argv: list[str] | None = None) -> None:
    """Run Voilà with admission, identification and the pool installed (they cannot be given on its command line)."""
    import logging

    import jinja2
    import tornado.web
    import voila.app as voila_app
    from jupyter_server.utils import url_path_join
    from traitlets.config import Config
    from voila.app import Voila
    from voila.execute import VoilaExecutor
    from voila.handler import VoilaHandler

    class SferumVoila(Voila):
        def init_settings(self) -> dict[str, Any]:
            settings: dict[str, Any] = super().init_settings()
            # Jupyter's own pages (the login form, its error pages) come from its templates: ours go first
            server_env = settings["jinja2_env"]
            ours = jinja2.FileSystemLoader(str(DATA_DIR / "voila" / "templates" / TEMPLATE))
            server_env.loader = jinja2.ChoiceLoader([ours, server_env.loader])
            return settings

        def initialize(self, argv: Any = None) -> None:
            super().initialize(argv)
            # traitlets leaves its loggers at DEBUG and filters in the handler, after every debug line of the server
            # and of each kernel's messages has been built: filter at the logger instead
            for log in (self.log, logging.getLogger("JupyterApp")):
                log.setLevel(self.log_level)

        def stop(self) -> None:
            # Voilà removes the kernels' connection files before stopping them: a kernel still starting then wakes
            # without its file and prints English warnings to the methodist's terminal. Kernels first, then files.
            from jupyter_core.utils import run_sync

            run_sync(self.kernel_manager.shutdown_all)()
            shutil.rmtree(self.connection_dir, ignore_errors=True)

        def init_handlers(self) -> list[Any]:
            handlers: list[Any] = super().init_handlers()
            roots = {"static": list(self.static_paths), "labextensions": list(self.labextensions_path)}
            script = page_files(roots)
            if script:  # before Voilà's catch-all page handler
                handler = _page_files_handler(script)
                handlers.insert(0, (url_path_join(self.server_url, PAGE_FILES_URL), handler))
            return handlers

    def russian_error(handler: tornado.web.RequestHandler, status_code: int, **kwargs: Any) -> None:
        handler.set_header("Content-Type", "text/html; charset=UTF-8")
        handler.write(error_page(status_code))

    # Tornado's bare pages (static files, unknown paths) are English: every handler that does not render its own
    # error page renders ours; Jupyter's handlers render the template's, its API handlers answer JSON
    tornado.web.RequestHandler.write_error = russian_error  # type: ignore[method-assign]
    # Tornado's own English warnings (e.g. on websocket ping settings) would reach the methodist's terminal too
    logging.getLogger("tornado.general").setLevel(logging.ERROR)
    if os.environ.get(RUNTIME_ENV):
        _serve_compressed(Path(os.environ[RUNTIME_ENV]) / "gzip")
    _fast_dates()
    VoilaExecutor.strip_code_cell_errors = _strip_cell_errors  # type: ignore[method-assign]
    # every visitor is admitted (or refused) and identified before Voilà picks a kernel: a preheated kernel runs no
    # pre-launch hook, so the browser's hash travels as a request header Voilà hands to the kernel
    render = VoilaHandler.get_generator

    async def get_generator(self: Any, path: Any = None) -> Any:
        _admit_request(self)
        await _pool_known(self.kernel_manager)
        async for chunk in render(self, path=path):
            yield chunk

    VoilaHandler.get_generator = get_generator  # type: ignore[method-assign]
    factory = voila_app.voila_kernel_manager_factory

    def kernel_manager_factory(base: type, preheat: bool, *args: Any, **kwargs: Any) -> type:
        made = factory(base, preheat, *args, **kwargs)
        return _kernel_manager_class(made) if preheat else made

    voila_app.voila_kernel_manager_factory = kernel_manager_factory
    config = Config()
    config.VoilaConfiguration.http_header_envs = [BROWSER_HEADER]
    config.VoilaConfiguration.resources = {"sferum_page_files": PAGE_FILES_URL}  # the template asks for them
    if not int(os.environ.get(POOL_ENV) or 0):  # Voilà runs no hook with preheated kernels (the title is set then)
        config.VoilaConfiguration.prelaunch_hook = _title_hook
    try:
        SferumVoila.launch_instance(argv=sys.argv[1:] if argv is None else argv, config=config)
    finally:
        # `sferum app` removes its runtime folder, unless it was killed outright: then the last one out does
        with contextlib.suppress(OSError, KeyError):
            os.rmdir(os.environ[RUNTIME_ENV])


# --- the methodist's side ------------------------------------------------------------------------------------------


def is_loopback(ip: str) -> bool:
    if ip == "localhost":
        return True
    try:
        return ipaddress.ip_address(ip).is_loopback
    except ValueError:
        return False


def public_address(ip: str) -> str:
    """The address participants type: the machine's own for a wildcard bind, the given one otherwise."""
    if ip not in ("0.0.0.0", "::", ""):
        return f"[{ip}]" if ":" in ip else ip
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("192.0.2.1", 9))  # a UDP "connect" sends nothing: it only picks the outgoing interface
        return s.getsockname()[0]
    with contextlib.suppress(OSError):
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            if not ipaddress.ip_address(info[4][0]).is_loopback:
                return info[4][0]
    return socket.gethostname()


def _check_port(ip: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in ip else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((ip, port))
        except OSError as exc:
            raise UsageError(_bind_problem(ip, port, exc.errno)) from None


def _bind_problem(ip: str, port: int, code: int | None) -> str:
    if code == errno.EADDRINUSE:
        return f"Порт {port} уже занят другой программой: укажите другой, например --port {port % 65535 + 1}."
    if code == errno.EACCES:
        return f"Порт {port} доступен только администратору: укажите порт от 1024, например --port 8866."
    if code == errno.EADDRNOTAVAIL:
        return f"Адрес {ip} не принадлежит этому компьютеру: укажите --ip 0.0.0.0 или один из его адресов."
    return f"Не получилось открыть адрес {ip}:{port}. Проверьте --ip и --port."


@dataclass
class Server:
    """A running app: the Voilà process, the address to give participants, its private runtime folder."""

    process: subprocess.Popen[bytes]
    url: str
    token: str | None
    runtime: Path
    places: int
    pool: int = 0
    #: Whose pages these are: "class" (participants, ``sferum app``) or "console" (the methodist's screens).
    audience: str = "class"

    def status(self) -> dict[str, int]:
        """How far the pool has warmed (``warmed`` of ``target``) and how many visitors met «мест нет»."""
        import json

        try:
            data = json.loads((self.runtime / STATUS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"target": self.pool, "warmed": 0, "refused": 0}
        return {k: int(data.get(k, 0)) for k in ("target", "warmed", "refused")}


def voila_command(
    role: str, port: int, ip: str, token: str | None, runtime: Path, notebook: Path | None = None, pool: int = 0
) -> list[str]:
    preheat = [f"--VoilaConfiguration.preheat_kernel={pool > 0}", f"--VoilaConfiguration.default_pool_size={pool}"]
    return [
        sys.executable,
        "-m",
        "sferum_lib.app",
        str(notebook or notebook_for(role)),
        "--no-browser",
        f"--port={port}",
        "--Voila.port_retries=0",  # never move silently to another port than the printed one
        f"--Voila.ip={ip}",
        f"--Voila.token={token or ''}",
        f"--Voila.connection_dir_root={runtime}",
        "--Voila.log_level=ERROR",  # the methodist sees our Russian lines, not Voilà's English warnings
        f"--template={TEMPLATE}",
        "--HTMLExporter.language_code=ru",
        "--VoilaConfiguration.show_tracebacks=False",
        "--KernelManager.transport=ipc",
        f"--MappingKernelManager.cull_idle_timeout={IDLE_MINUTES * 60}",
        "--MappingKernelManager.cull_interval=60",
        "--MappingKernelManager.cull_connected=False",
        *preheat,
    ]


#: Work pages (``--store``) are opened by a few people at different times: this many kernels wait for them.
WORK_POOL = 2


def default_pool(places: int, work: bool) -> int:
    """How many places ``sferum app`` prepares in advance: a class arrives at once, so every place; the staff
    of an organisation come one by one, so a couple (each taken kernel is replaced)."""
    return min(places, WORK_POOL) if work else places


def _kernel_side(ip: str) -> str:
    """Where a kernel reaches Voilà on this machine (a preheated kernel asks it for its participant)."""
    if ip in ("0.0.0.0", ""):
        return "127.0.0.1"
    if ip == "::":
        return "[::1]"
    return f"[{ip}]" if ":" in ip else ip


def _die_with_parent() -> None:
    """In the Voilà child: get SIGTERM if ``sferum app`` dies, even by SIGKILL (Linux only)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def serve(
    role: str,
    session: str | Path,
    port: int = 8866,
    ip: str = "127.0.0.1",
    places: int = MAX_PARTICIPANTS,
    token: str | None = None,
    store: str | Path | None = None,
    pool: int = 0,
) -> Server:
    """Start Voilà for a role; every participant who opens the page gets their own kernel and practice organisation.

    With ``store`` the role's work notebook is served instead, over the organisation's own store (each browser
    still gets its own kernel; the store's transactions keep their actions apart). Beyond the loopback a token is
    always required (one is made if not given). ``pool`` kernels (``sferum app``: :func:`default_pool`) are
    started and warmed at once, so that participants find them ready; 0 starts each participant's kernel when
    they arrive.
    """
    source = work_notebook_for(role) if store is not None else notebook_for(role)
    pool = max(0, min(pool, places))
    _check_port(ip, port)
    if token is None and not is_loopback(ip):
        token = secrets.token_urlsafe(18)
    session = Path(session).resolve()
    session.mkdir(mode=0o700, parents=True, exist_ok=True)
    runtime = Path(tempfile.mkdtemp(prefix="sferum-app-"))  # short: IPC socket paths are limited to 107 bytes
    title = work_title(role) if store is not None else PAGE_TITLE
    notebook = app_notebook(source, runtime / "app", "work" if store is not None else "training", role, title)
    env = {
        **os.environ,
        SESSION_ENV: str(session),
        PLACES_ENV: str(places),
        "JUPYTER_PATH": os.pathsep.join(p for p in (str(DATA_DIR), os.environ.get("JUPYTER_PATH", "")) if p),
        "JUPYTER_RUNTIME_DIR": str(runtime),
        RUNTIME_ENV: str(runtime),
        POOL_ENV: str(pool),
        "VOILA_APP_IP": _kernel_side(ip),
    }
    if store is not None:
        from sferum_lib.store import STORE_ENV

        env[STORE_ENV] = str(Path(store).resolve())
        env[TITLE_ENV] = work_title(role)
    process = subprocess.Popen(
        voila_command(role, port, ip, token, runtime, notebook, pool),
        env=env,
        start_new_session=True,  # a terminal's Ctrl+C reaches ``sferum app`` only, which stops Voilà in order
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )
    host = "localhost" if is_loopback(ip) else public_address(ip)
    url = f"http://{host}:{port}/" + (f"?token={token}" if token else "")
    return Server(process, url, token, runtime, places, pool)


def wait_ready(server: Server, ip: str, port: int, seconds: float = 120) -> None:
    """Wait until Voilà listens (probing the socket, never the page: a page load starts a kernel)."""
    probe = "127.0.0.1" if ip in ("0.0.0.0", "") else ("::1" if ip == "::" else ip)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SferumError("Voilà не запустилась (подробности выше). Проверьте, что установлены voila и ipykernel.")
        with socket.socket(socket.AF_INET6 if ":" in probe else socket.AF_INET) as s:
            if s.connect_ex((probe, port)) == 0:
                return
        time.sleep(0.2)
    raise SferumError(f"Voilà не ответила за {seconds:.0f} с на порту {port}.")


def stop(server: Server, seconds: float = 30) -> int:
    """Stop Voilà (it shuts down every kernel), force it after ``seconds``, remove the runtime folder."""
    process = server.process
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    for pid in _leftovers(server.runtime):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(server.runtime, ignore_errors=True)
    return process.returncode


def _leftovers(runtime: Path) -> list[int]:
    """Processes still running from the server's private folder once Voilà is gone: kernels it had just launched
    when it was stopped (in its first second), which would otherwise wake in a removed folder and print English
    tracebacks to the methodist's terminal. Linux only (read from /proc)."""
    mark = (str(runtime) + os.sep).encode()
    found = []
    with contextlib.suppress(OSError):
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            with contextlib.suppress(OSError):
                if mark in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


class _Stop(Exception):
    pass


class Progress:
    """What ``sferum app`` says while it runs: how the places warm, and when a visitor met «мест нет»."""

    EVERY = 5.0  # seconds between two lines about the warming pool

    def __init__(self, server: Server) -> None:
        self.server = server
        self.said_warmed = 0
        self.said_at = time.monotonic()
        self.ready = server.pool == 0
        self.refused = 0

    def lines(self) -> list[str]:
        status = self.server.status()
        out = []
        target, warmed = status["target"], status["warmed"]
        if not self.ready and target and warmed >= target:
            self.ready = True
            out.append(f"Все места готовы ({target}): у каждого участника первая страница откроется за секунды.")
        elif not self.ready and warmed > self.said_warmed and time.monotonic() - self.said_at >= self.EVERY:
            out.append(f"Готово мест: {warmed} из {target}.")
        if out:
            self.said_warmed, self.said_at = warmed, time.monotonic()
        if status["refused"] > self.refused:
            new = status["refused"] - self.refused
            self.refused = status["refused"]
            out.append(refused_line(new, self.server.places, self.server.audience))
        return out


def refused_line(new: int, places: int, audience: str = "class") -> str:
    """What the methodist's terminal says when ``new`` more visitors met «Мест нет» (numerals agree: «ещё 21
    участнику», «ещё 22 участникам»)."""
    from sferum_lib.grammar import plural

    if audience == "console":
        whom = "ещё одной вкладке" if new == 1 else f"ещё {plural(new, 'вкладке', 'вкладкам', 'вкладкам')}"
        return (
            f"Консоль уже открыта в {plural(places, 'вкладке', 'вкладках', 'вкладках')} из {places}: {whom} "
            f"браузера показана страница «Мест нет». Закройте консоль там, где она не нужна: место освободится "
            f"через {IDLE_MINUTES} мин."
        )
    whom = "ещё одному участнику" if new == 1 else f"ещё {plural(new, 'участнику', 'участникам', 'участникам')}"
    return (
        f"Мест нет (занято {places} из {places}): {whom} показана страница «Мест нет». Больше мест — перезапустите "
        f"приложение с --places (место закрытой страницы освобождается через {IDLE_MINUTES} мин)."
    )


def run(server: Server) -> int:
    """Wait for Voilà, saying how the pool warms; on Ctrl+C, SIGTERM or SIGHUP stop it with all its kernels.

    Returns 0 after a stop."""

    def on_signal(signum: int, frame: Any) -> None:
        raise _Stop

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    progress = Progress(server)
    try:
        try:
            while True:
                try:
                    code = server.process.wait(0.5)
                    break
                except subprocess.TimeoutExpired:
                    for line in progress.lines():
                        print(line, flush=True)
        except _Stop:
            # a second signal while stopping must not leave Voilà half-stopped
            for s in previous:
                signal.signal(s, signal.SIG_IGN)
            stop(server)
            print("Приложение остановлено: Voilà и ядра участников завершены.", file=sys.stderr)
            return 0
        stop(server)
        if code in (0, -signal.SIGTERM):
            return 0
        print(f"Voilà остановилась сама (код {code}); подробности — в сообщениях выше.", file=sys.stderr)
        return 1
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


if __name__ == "__main__":
    main()
