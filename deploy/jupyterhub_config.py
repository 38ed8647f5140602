"""JupyterHub for a seminar beyond one laptop: every participant is a hub user whose own server opens the role app.

Run from the folder that keeps the hub's state (its database, cookie secret, the participants' folders):

    SFERUM_HUB_PASSWORD='общий-пароль' jupyterhub -f /path/to/project/deploy/jupyterhub_config.py

Environment (all optional but the password):
    SFERUM_HUB_PASSWORD        the participants' shared password (at least 8 characters)
    SFERUM_HUB_ADMIN_PASSWORD  the methodist's own password (at least 32 characters), login SFERUM_HUB_ADMIN
    SFERUM_HUB_ADMIN           the methodist's login (default «методист»)
    SFERUM_HUB_ROLE            the role app every participant gets: admin, head, pdo, ped, student, parent (pdo)
    SFERUM_HUB_USERS           a text file with one login per line; only they may log in (default: anyone)
    SFERUM_HUB_IP, SFERUM_HUB_PORT   where participants connect (0.0.0.0:8000)
    SFERUM_HUB_PLACES          servers running at once (30; on a larger machine about 9 per GB of free memory)
    SFERUM_HUB_ALLOW_ROOT      1: run as root (a throwaway container only; refused otherwise)
    SFERUM_SESSION             the session folder shared by all participants (./занятие), read by
                               `sferum training report`

Why these choices:
- SharedPasswordAuthenticator (JupyterHub's own since 5.3) is made for workshops: one password for the room,
  a separate, longer one for the admin; no accounts to create or approve. With SFERUM_HUB_USERS only the prepared
  logins are accepted. A thin subclass lets the password be Russian (see below).
- SimpleLocalProcessSpawner runs every participant's server as the hub's own system user, without creating system
  accounts (LocalProcessSpawner would need a Unix account per participant and root). Participants are not isolated
  from each other at the system level, so the hub runs under a dedicated unprivileged account on a machine that
  keeps nothing else of value (see README.md).
- The single-user server is JupyterHub's own (jupyterhub.singleuser) with Voilà's server extension; its default
  page is the role notebook rendered by Voilà, with the project's Russian template and the same pre-launch hook as
  `sferum app` (a participant's browser is known by a cookie; a name is claimed for one browser).
- The proxy is `configurable-http-proxy`: the Node.js one if it is installed, otherwise the pure-Python
  reimplementation from PyPI (the `hub` extra installs it), which needs no Node.js.
"""

import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

PROJECT = Path(__file__).resolve().parents[1]
HUB_DIR = Path.cwd()
ROLE = os.environ.get("SFERUM_HUB_ROLE", "pdo")
ROLES = ("admin", "head", "pdo", "ped", "student", "parent")
if ROLE not in ROLES:
    sys.exit(f"SFERUM_HUB_ROLE={ROLE!r}: ожидается одна из ролей {', '.join(ROLES)}")
SESSION = Path(os.environ.get("SFERUM_SESSION") or HUB_DIR / "занятие").resolve()
SESSION.mkdir(mode=0o700, parents=True, exist_ok=True)

# --- where participants connect ----------------------------------------------------------------------------------
c.JupyterHub.ip = os.environ.get("SFERUM_HUB_IP", "0.0.0.0")
c.JupyterHub.port = int(os.environ.get("SFERUM_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"  # the hub's API is for the proxy and the servers on this machine only
c.JupyterHub.db_url = f"sqlite:///{HUB_DIR / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(HUB_DIR / "jupyterhub_cookie_secret")
c.JupyterHub.default_url = "/hub/spawn"  # after login straight to the participant's own server

# the Node.js proxy if present, else the pure-Python one installed next to this Python (no Node.js needed)
proxy = shutil.which("configurable-http-proxy") or str(Path(sys.executable).with_name("configurable-http-proxy"))
c.ConfigurableHTTPProxy.command = [proxy]

# --- who may log in ------------------------------------------------------------------------------------------------
from jupyterhub.authenticators.shared import SharedPasswordAuthenticator  # noqa: E402


def _ascii(text: str) -> str:
    return text.encode("utf-8").hex()


class SeminarPasswordAuthenticator(SharedPasswordAuthenticator):
    """The shared password, which may be Russian: JupyterHub compares passwords with hmac.compare_digest, which
    refuses non-ASCII text (a password typed in the Russian layout would give an error page), so both sides are
    compared as the hex of their UTF-8 bytes."""

    async def authenticate(self, handler, data):
        return await super().authenticate(handler, {**data, "password": _ascii(str(data.get("password", "")))})


c.JupyterHub.authenticator_class = SeminarPasswordAuthenticator
password = os.environ.get("SFERUM_HUB_PASSWORD", "")
if len(password) < 8:
    sys.exit("Задайте общий пароль участников: SFERUM_HUB_PASSWORD, не короче 8 символов.")
c.SharedPasswordAuthenticator.user_password = _ascii(password)
admin_password = os.environ.get("SFERUM_HUB_ADMIN_PASSWORD", "")
if admin_password:
    if len(admin_password) < 32:
        sys.exit("Пароль методиста SFERUM_HUB_ADMIN_PASSWORD должен быть не короче 32 символов.")
    c.SharedPasswordAuthenticator.admin_password = _ascii(admin_password)
    c.Authenticator.admin_users = {os.environ.get("SFERUM_HUB_ADMIN", "методист")}
users_file = os.environ.get("SFERUM_HUB_USERS")
if users_file:
    logins = Path(users_file).read_text(encoding="utf-8").split()
    c.Authenticator.allowed_users = {login.lower() for login in logins}
else:
    c.Authenticator.allow_all = True

# --- each participant's server: Voilà on the role notebook ----------------------------------------------------------
c.JupyterHub.spawner_class = "simple"  # SimpleLocalProcessSpawner: all servers run as the hub's user
c.SimpleLocalProcessSpawner.home_dir_template = str(HUB_DIR / "участники" / "{username}")
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]  # this Python's, whatever the PATH
c.Spawner.notebook_dir = str(PROJECT / "notebooks" / "roles")
c.Spawner.default_url = f"/voila/render/{ROLE}.ipynb"
c.Spawner.environment = {
    "SFERUM_SESSION": str(SESSION),  # every participant's progress goes to one session folder
    # the project's Voilà template (Russian pages) and the single-user config below
    "JUPYTER_PATH": str(PROJECT / "sferum_lib" / "app_data"),
    "JUPYTER_CONFIG_PATH": str(PROJECT / "deploy" / "singleuser"),
    "PYTHONPATH": str(PROJECT),
}
# every participant's server runs as the hub's user: as root they would all be root, so root is refused unless
# SFERUM_HUB_ALLOW_ROOT=1 says this is a throwaway container (Jupyter servers also refuse root without the flag)
if os.geteuid() == 0:
    if os.environ.get("SFERUM_HUB_ALLOW_ROOT") != "1":
        sys.exit(
            "Хаб запущен от root: серверы участников тоже работали бы от root. Запустите хаб от отдельного "
            "пользователя без прав администратора (см. deploy/README.md) или, в одноразовом контейнере, "
            "задайте SFERUM_HUB_ALLOW_ROOT=1."
        )
    c.Spawner.args = ["--ServerApp.allow_root=True"]
c.Spawner.start_timeout = 120  # thirty kernels starting at once on two cores take a while
c.Spawner.http_timeout = 120
c.JupyterHub.active_server_limit = int(os.environ.get("SFERUM_HUB_PLACES", "30"))
c.JupyterHub.concurrent_spawn_limit = 30
# a participant who left frees the memory: the server stops after 15 idle minutes (see singleuser/)
