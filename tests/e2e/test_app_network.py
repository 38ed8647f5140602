"""`sferum app` run as a methodist types it, probed over HTTP: the token beyond localhost, the cap on places, the
places prepared before anyone arrives, the error pages, and that stopping it by PID or Ctrl+C leaves no Voilà and
no kernel behind."""

from __future__ import annotations

import gzip
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

#: The page holds the name-entry widget's view (its words come over the kernel's websocket)
WIDGET = "application/vnd.jupyter.widget-view+json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    """Start `sferum app pdo` and return it with the address it printed for participants."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "sferum_lib", "app", "pdo", "--session", str(tmp_path / "занятие"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "HOME": str(home)},  # Voilà and the kernel write under ~
    )
    line = process.stdout.readline()  # printed once Voilà listens
    assert line.startswith("Адрес для участников: "), line + process.stderr.read()
    return process, line.split(": ", 1)[1].strip()


def printed_lines(process: subprocess.Popen[str]) -> queue.Queue[str]:
    """What `sferum app` prints from now on, line by line, read in the background (it never ends by itself)."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    return lines


def wait_line(lines: queue.Queue[str], text: str, seconds: float = 120) -> str:
    deadline = time.monotonic() + seconds
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        seen.append(line)
        if text in line:
            return line
    raise AssertionError(f"«{text}» was not printed; printed: {seen}")


def get(url: str) -> tuple[int, str, list[str]]:
    """Status, page and the cookies set."""
    try:
        with urllib.request.urlopen(url, timeout=120) as answer:
            return answer.status, answer.read().decode(), answer.headers.get_all("Set-Cookie") or []
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers.get_all("Set-Cookie") or []


def kernels_of(process: subprocess.Popen[str]) -> list[psutil.Process]:
    return [p for p in psutil.Process(process.pid).children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]


def stop_and_check(process: subprocess.Popen[str], how: signal.Signals) -> None:
    family = psutil.Process(process.pid).children(recursive=True)
    assert any("ipykernel" in " ".join(p.cmdline()) for p in family), "a kernel was expected to be running"
    process.send_signal(how)  # as `kill PID` or Ctrl+C would
    assert process.wait(60) == 0
    _, still = psutil.wait_procs(family, timeout=15)
    assert not [p for p in still if p.status() != psutil.STATUS_ZOMBIE], "Voilà or a kernel outlived `sferum app`"


def assert_nothing_of_the_server(page: str) -> None:
    assert "Traceback" not in page and "Error" not in page
    assert str(Path(__file__).resolve().parents[2]) not in page and "/tmp/" not in page


@pytest.fixture
def cleanup():
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(60)


def test_places_are_prepared_before_anyone_comes_and_past_them_a_russian_page(tmp_path, cleanup):
    port = free_port()
    process, url = start(tmp_path, "--port", str(port), "--places", "1")
    cleanup.append(process)
    assert url == f"http://localhost:{port}/"  # on this computer only: no token needed
    lines = printed_lines(process)
    wait_line(lines, "Готовлю места заранее (1)")
    wait_line(lines, "Все места готовы (1)")  # the kernel is started and waits for its participant
    (waiting,) = kernels_of(process)
    status, page, cookies = get(url)
    assert status == 200 and WIDGET in page
    assert 'src="/voila/static/voila.js"' in page
    page_of_the_class = page
    assert any(c.startswith("sferum_browser=") and "HttpOnly" in c for c in cookies)
    assert kernels_of(process) == [waiting]  # the prepared kernel became the visitor's; no other was started
    (kernel,) = kernels_of(process)
    connection = json.loads(Path(kernel.cmdline()[kernel.cmdline().index("-f") + 1]).read_text())
    assert connection["transport"] == "ipc"  # Unix sockets: no TCP port to collide on
    sockets = {c.laddr for c in kernel.net_connections(kind="unix")}
    assert {f"{connection['ip']}-{connection[f'{name}_port']}" for name in ("shell", "iopub", "hb")} <= sockets
    status, page, _ = get(url)
    assert status == 503 and "<h1>Мест нет</h1>" in page
    assert_nothing_of_the_server(page)
    assert kernels_of(process) == [waiting]  # the refused visitor got no kernel, none is prepared past the places
    assert "ещё одному участнику показана страница «Мест нет»" in wait_line(lines, "Мест нет (занято 1 из 1)")
    # the page's scripts travel compressed to a browser that accepts it (a class shares one Wi-Fi), the same bytes
    address = f"http://127.0.0.1:{port}/voila/static/voila.js"
    with urllib.request.urlopen(urllib.request.Request(address, headers={"Accept-Encoding": "gzip"})) as answer:
        assert answer.headers["Content-Encoding"] == "gzip"
        assert answer.headers["Content-Type"].startswith("text/javascript")
        packed = answer.read()
    with urllib.request.urlopen(address) as answer:
        assert answer.headers["Content-Encoding"] is None
        plain = answer.read()
    assert gzip.decompress(packed) == plain and len(packed) < len(plain) / 2
    # Voilà's script chunks come in one file the page asks for before its own script, compressed, «not modified» to
    # a browser that has it
    (bundle,) = re.findall(r'<script src="(/voila/sferum/page-files\.js)"></script>', page_of_the_class)
    request = urllib.request.Request(f"http://127.0.0.1:{port}{bundle}", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as answer:
        assert answer.headers["Content-Encoding"] == "gzip" and answer.headers["Cache-Control"] == "no-cache"
        etag, chunks = answer.headers["Etag"], gzip.decompress(answer.read())
    assert chunks.count(b"(function () {\n") > 50 and b"webpackChunk" in chunks
    request.add_header("If-None-Match", etag)
    with pytest.raises(urllib.error.HTTPError) as cached:
        urllib.request.urlopen(request)
    assert cached.value.code == 304
    status, page, _ = get(f"http://127.0.0.1:{port}/voila/files/../../../etc/passwd")
    assert status in (403, 404) and 'lang="ru"' in page
    assert_nothing_of_the_server(page)
    stop_and_check(process, signal.SIGTERM)


def test_beyond_localhost_the_address_is_real_and_carries_a_required_token(tmp_path, cleanup):
    port = free_port()
    # nothing prepared in advance (--pool 0): a kernel is started when, and only when, a visitor is let in
    process, url = start(tmp_path, "--port", str(port), "--ip", "0.0.0.0", "--pool", "0")
    cleanup.append(process)
    found = re.fullmatch(rf"http://([0-9.]+):{port}/\?token=([\w-]{{20,}})", url)
    assert found, url
    host, token = found.groups()
    assert "токен" in process.stdout.readline() and "QR-код" in process.stdout.readline()
    from sferum_lib.app import qr_text

    printed = [process.stdout.readline().rstrip("\n") for _ in qr_text(url).splitlines()]
    assert printed == qr_text(url).splitlines()  # the code of the address with its token, for a projector room
    assert host not in ("0.0.0.0", "127.0.0.1")
    assert host in {a.address for addrs in psutil.net_if_addrs().values() for a in addrs}  # this machine's own
    status, page, _ = get(f"http://{host}:{port}/")
    assert status in (200, 403) and "<h1>Нужен полный адрес</h1>" in page
    assert not kernels_of(process)  # no kernel for a visitor without the token
    status, page, _ = get(f"http://{host}:{port}/?token=wrong{token}")
    assert "<h1>Нужен полный адрес</h1>" in page and not kernels_of(process)
    status, page, _ = get(url)
    assert status == 200 and WIDGET in page
    assert len(kernels_of(process)) == 1
    stop_and_check(process, signal.SIGINT)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_even_kill_9_of_sferum_app_takes_voila_and_its_kernels_down(tmp_path, cleanup):
    port = free_port()
    process, url = start(tmp_path, "--port", str(port), "--places", "2")
    cleanup.append(process)
    assert get(url)[0] == 200
    family = psutil.Process(process.pid).children(recursive=True)
    assert kernels_of(process)
    process.kill()  # no chance to clean up: Linux sends Voilà SIGTERM as its parent dies (PR_SET_PDEATHSIG)
    process.wait(10)
    _, still = psutil.wait_procs(family, timeout=30)
    assert not [p for p in still if p.status() != psutil.STATUS_ZOMBIE]
