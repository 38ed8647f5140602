"""The JupyterHub configuration in deploy/ for real: the hub on free ports, two participants log in over HTTP
with the shared password, each gets their own server, and Voilà serves them the role app's page."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "deploy" / "jupyterhub_config.py"
PASSWORD = "пароль-семинара"
ROLE = "pdo"


def _proxy() -> str | None:
    beside = Path(sys.executable).with_name("configurable-http-proxy")
    return shutil.which("configurable-http-proxy") or (str(beside) if beside.exists() else None)


if importlib.util.find_spec("jupyterhub") is None or _proxy() is None:
    pytest.skip(
        "jupyterhub or configurable-http-proxy is not installed: pip install -e '.[hub]'", allow_module_level=True
    )

requests = pytest.importorskip("requests")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hub")
    (folder / "home").mkdir()
    port = free_port()
    env = {
        **os.environ,
        "HOME": str(folder / "home"),
        "SFERUM_HUB_PASSWORD": PASSWORD,
        "SFERUM_HUB_IP": "127.0.0.1",
        "SFERUM_HUB_PORT": str(port),
        "SFERUM_HUB_ROLE": ROLE,
        "SFERUM_SESSION": str(folder / "занятие"),
        # tests (and CI) may run as root, where the config otherwise refuses to start
        **({"SFERUM_HUB_ALLOW_ROOT": "1"} if os.geteuid() == 0 else {}),
    }
    command = [
        sys.executable,
        "-m",
        "jupyterhub",
        "-f",
        str(CONFIG),
        f"--JupyterHub.hub_port={free_port()}",
        f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{free_port()}",
    ]
    log = (folder / "hub.log").open("wb")
    process = subprocess.Popen(
        command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, (folder / "hub.log").read_text(errors="replace")[-3000:]
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{base}/hub/api/", timeout=5).status_code == 200:
                    break
            assert time.monotonic() < deadline, "the hub did not answer in 90 s"
            time.sleep(0.5)
        yield base, folder
    finally:
        process.send_signal(signal.SIGTERM)  # the hub stops its users' servers and its proxy
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def log_in(base: str, user: str, password: str = PASSWORD) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{base}/hub/login", timeout=30)
    xsrf = re.search(r'name="_xsrf"\s+value="([^"]+)"', form.text)
    data = {"username": user, "password": password, **({"_xsrf": xsrf.group(1)} if xsrf else {})}
    session.post(f"{base}/hub/login", data=data, timeout=30, allow_redirects=False)
    return session


def app_page(base: str, session: requests.Session, user: str) -> requests.Response:
    """The user's default page once their server is up: Voilà's role app."""
    deadline = time.monotonic() + 240
    while True:
        page = session.get(f"{base}/user/{user}/", timeout=240)
        if page.status_code == 200 and "/voila/render/" in page.url:
            return page
        assert time.monotonic() < deadline, f"{user}: {page.status_code} {page.url}"
        time.sleep(1)


def test_two_participants_log_in_and_each_gets_the_role_app_on_their_own_server(hub):
    base, folder = hub
    pages = {}
    sessions = {user: log_in(base, user) for user in ("ivanova", "петрова")}
    for user, session in sessions.items():
        assert any(name.startswith("jupyterhub") for name in session.cookies.keys()), f"{user} was not let in"  # noqa: SIM118
        # the hub's page after login starts the participant's server (both start at once, as in a class)
        session.get(f"{base}/hub/spawn", timeout=120, allow_redirects=False)
    for user, session in sessions.items():
        pages[user] = (session, app_page(base, session, user))
    for session, page in pages.values():
        text = page.content.decode("utf-8")  # Voilà's streamed page names no charset
        # the path, not the whole address: the hub adds «?redirects=N» when it waited for a server to come up
        assert urlsplit(page.url).path.endswith(f"/voila/render/{ROLE}.ipynb"), page.url
        assert "<title>Обучение по положению о «Сферуме»</title>" in text  # set by the app's pre-launch hook
        assert "sferum_browser" in session.cookies.keys()  # noqa: SIM118 - the hook knows the browser by it
        assert "sferum-disconnected" in text and 'lang="ru"' in text  # the project's Russian Voilà template
        assert "Traceback" not in text
    # two servers, one per participant, each started by the hub under its own name
    assert (folder / "участники" / "ivanova").is_dir() and (folder / "участники" / "петрова").is_dir()
    # a participant reaches only their own server
    ivanova = pages["ivanova"][0]
    other = ivanova.get(f"{base}/user/петрова/voila/render/{ROLE}.ipynb", timeout=60)
    assert "Обучение по положению" not in other.content.decode("utf-8", "replace")
    # JupyterLab is not served to participants: their server is the Voilà page only
    assert ivanova.get(f"{base}/user/ivanova/lab", timeout=60).status_code == 404


def test_a_wrong_password_is_refused(hub):
    base, _ = hub
    session = log_in(base, "sidorov", "не-тот-пароль")
    assert session.get(f"{base}/hub/home", timeout=30, allow_redirects=False).status_code in (302, 303)
    assert "/hub/login" in session.get(f"{base}/hub/home", timeout=30).url
