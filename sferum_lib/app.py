"""App mode: a role notebook served by Voilà — code hidden, one kernel per participant on the local network.

What keeps participants apart and the laptop healthy:

- **A browser is a participant.** On the first visit the server gives the browser a random cookie; the kernel
  learns only its hash (:func:`prelaunch_hook` puts it into the notebook it runs). The name a participant enters
  is claimed for that hash in the session folder (:func:`claim`); another browser under the same name is refused,
  the same browser after a reload gets its progress back. The methodist frees a name with ``--release``.
- **A token beyond this computer.** Bound to any address but the loopback, Voilà requires a token; the printed
  address carries it and names the machine's real address.
- **Places are capped** (:data:`MAX_PARTICIPANTS` by default): past the cap a page says «мест нет» (HTTP 503).
  Kernels whose page is gone are culled after :data:`IDLE_MINUTES` idle minutes.
- **IPC, not TCP:** kernels talk to Voilà over Unix sockets in a private folder, so no port can be taken twice.
- **Nothing of the server reaches a participant:** Voilà's error pages are replaced by Russian ones without paths
  or tracebacks (the ``sferum`` template in ``app_data/``), and tracebacks of cells are hidden.
- **Stopping stops everything:** Ctrl+C or SIGTERM to ``sferum app`` stops Voilà, which shuts down every kernel;
  Voilà also gets SIGTERM if ``sferum app`` dies, and kernels exit when Voilà does.

``python -m sferum_lib.app NOTEBOOK [Voilà options]`` is the Voilà process itself (it installs the hook).
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


def port_number(text: str) -> int:
    """``--port``: an integer 1–65535 (an argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"«{text}» — не номер порта; ожидается целое число от 1 до 65535") from None
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"порт {value} вне допустимого диапазона: ожидается от 1 до 65535")
    return value


def places_number(text: str) -> int:
    """``--places``: an integer 1–1000 (an argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"«{text}» — не число мест; ожидается целое число от 1 до 1000") from None
    if not 1 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"число мест {value}: ожидается от 1 до 1000")
    return value


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


# --- inside the Voilà process --------------------------------------------------------------------------------------


#: Visitors let in whose kernel is not started yet (when they were let in): at the start of a seminar thirty people
#: open the page at once and kernels take up to a minute to start, so counting kernels alone would let all in.
_admitted: list[float] = []
#: Kernels whose start has returned, and how many starts are under way: a kernel is listed a moment before its
#: start returns, and in that moment it must not be counted beside its still admitted visitor.
_started: set[str] = set()
_starting = [0]
_ADMISSION_SECONDS = 300  # a visitor whose kernel never started (an error on the way) stops counting after this


def _count_starts(kernel_manager: Any) -> None:
    """Make the kernel manager take one admitted visitor off the list as each kernel it starts is listed."""
    if getattr(kernel_manager, "_sferum_counted", False):
        return
    original = kernel_manager.start_kernel

    async def start_kernel(*args: Any, **kwargs: Any) -> Any:
        _starting[0] += 1
        try:
            result = original(*args, **kwargs)
            kernel_id = await result if inspect.isawaitable(result) else result
            _started.add(kernel_id)
            return kernel_id
        finally:
            _starting[0] -= 1
            if _admitted:
                _admitted.pop(0)

    kernel_manager.start_kernel = start_kernel
    kernel_manager._sferum_counted = True


def prelaunch_hook(handler: Any, notebook: Any, cwd: str) -> Any:
    """Voilà calls this before it starts a participant's kernel: refuse past the cap, identify the browser."""
    import copy

    import nbformat
    from tornado.web import HTTPError

    places = int(os.environ.get(PLACES_ENV) or MAX_PARTICIPANTS)
    _count_starts(handler.kernel_manager)
    now = time.monotonic()
    _admitted[:] = [t for t in _admitted if now - t < _ADMISSION_SECONDS]
    # A kernel is listed a moment before its start returns: a listed kernel whose start is still under way is
    # its admitted visitor, counted once (ten arrivals at once used to meet «мест нет» with places free).
    listed = set(handler.kernel_manager.list_kernel_ids())
    _started.intersection_update(listed)
    unreturned = max(0, len(listed - _started) - _starting[0])  # kernels started before the hook was in place
    if len(_started) + unreturned + len(_admitted) >= places:
        raise HTTPError(503)  # rendered by the template's error page as «мест нет»
    _admitted.append(now)
    token = handler.get_cookie(COOKIE)
    if not token or len(token) < 32:
        token = secrets.token_urlsafe(32)
        handler.set_cookie(COOKIE, token, expires_days=60, httponly=True, samesite="Lax")
    browser = hashlib.sha256(token.encode("utf-8")).hexdigest()
    notebook = copy.deepcopy(notebook)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(f"{BROWSER_VAR} = {browser!r}"))
    notebook.metadata["title"] = os.environ.get(TITLE_ENV) or PAGE_TITLE  # the tab, not the notebook's file name
    return notebook


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
    """Run Voilà with the hook installed (a Callable cannot be given on Voilà's command line)."""
    import jinja2
    import tornado.web
    from traitlets.config import Config
    from voila.app import Voila
    from voila.execute import VoilaExecutor

    class SferumVoila(Voila):
        def init_settings(self) -> dict[str, Any]:
            settings: dict[str, Any] = super().init_settings()
            # Jupyter's own pages (the login form, its error pages) come from its templates: ours go first
            server_env = settings["jinja2_env"]
            ours = jinja2.FileSystemLoader(str(DATA_DIR / "voila" / "templates" / TEMPLATE))
            server_env.loader = jinja2.ChoiceLoader([ours, server_env.loader])
            return settings

    def russian_error(handler: tornado.web.RequestHandler, status_code: int, **kwargs: Any) -> None:
        handler.set_header("Content-Type", "text/html; charset=UTF-8")
        handler.write(error_page(status_code))

    # Tornado's bare pages (static files, unknown paths) are English: every handler that does not render its own
    # error page renders ours; Jupyter's handlers render the template's, its API handlers answer JSON
    tornado.web.RequestHandler.write_error = russian_error  # type: ignore[method-assign]
    VoilaExecutor.strip_code_cell_errors = _strip_cell_errors  # type: ignore[method-assign]
    config = Config()
    config.VoilaConfiguration.prelaunch_hook = prelaunch_hook
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


def voila_command(
    role: str, port: int, ip: str, token: str | None, runtime: Path, notebook: Path | None = None
) -> list[str]:
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
    ]


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
) -> Server:
    """Start Voilà for a role; every participant who opens the page gets their own kernel and practice organisation.

    With ``store`` the role's work notebook is served instead, over the organisation's own store (each browser
    still gets its own kernel; the store's transactions keep their actions apart). Beyond the loopback a token is
    always required (one is made if not given).
    """
    notebook = work_notebook_for(role) if store is not None else notebook_for(role)
    _check_port(ip, port)
    if token is None and not is_loopback(ip):
        token = secrets.token_urlsafe(18)
    session = Path(session).resolve()
    session.mkdir(mode=0o700, parents=True, exist_ok=True)
    runtime = Path(tempfile.mkdtemp(prefix="sferum-app-"))  # short: IPC socket paths are limited to 107 bytes
    env = {
        **os.environ,
        SESSION_ENV: str(session),
        PLACES_ENV: str(places),
        "JUPYTER_PATH": os.pathsep.join(p for p in (str(DATA_DIR), os.environ.get("JUPYTER_PATH", "")) if p),
        "JUPYTER_RUNTIME_DIR": str(runtime),
        RUNTIME_ENV: str(runtime),
    }
    if store is not None:
        from sferum_lib.store import STORE_ENV

        env[STORE_ENV] = str(Path(store).resolve())
        env[TITLE_ENV] = work_title(role)
    process = subprocess.Popen(
        voila_command(role, port, ip, token, runtime, notebook),
        env=env,
        start_new_session=True,  # a terminal's Ctrl+C reaches ``sferum app`` only, which stops Voilà in order
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
    )
    host = "localhost" if is_loopback(ip) else public_address(ip)
    url = f"http://{host}:{port}/" + (f"?token={token}" if token else "")
    return Server(process, url, token, runtime, places)


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
    shutil.rmtree(server.runtime, ignore_errors=True)
    return process.returncode


class _Stop(Exception):
    pass


def run(server: Server) -> int:
    """Wait for Voilà; on Ctrl+C, SIGTERM or SIGHUP stop it with all its kernels. Returns 0 after a stop."""

    def on_signal(signum: int, frame: Any) -> None:
        raise _Stop

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    try:
        try:
            code = server.process.wait()
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
