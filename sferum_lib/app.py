"""App mode: a role notebook served by Voilà — code hidden, one kernel per trainee on the local network."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sferum_lib.errors import UsageError
from sferum_lib.training import STEPS
from sferum_lib.ui import SESSION_ENV


def notebook_for(role: str) -> Path:
    if role not in STEPS:
        raise UsageError(f"Неизвестная роль «{role}». Роли: {', '.join(STEPS)}.")
    return Path(__file__).resolve().parents[1] / "notebooks" / "roles" / f"{role}.ipynb"


def voila_command(role: str, port: int, ip: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook_for(role)),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={ip}",
        "--VoilaConfiguration.show_tracebacks=False",
        "--MappingKernelManager.cull_idle_timeout=3600",
        "--MappingKernelManager.cull_interval=300",
    ]


def serve(role: str, session: str | Path, port: int = 8866, ip: str = "127.0.0.1") -> subprocess.Popen[bytes]:
    """Start Voilà for a role; every trainee who opens the page gets their own kernel and practice organisation."""
    env = {**os.environ, SESSION_ENV: str(Path(session).resolve())}
    Path(session).mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(voila_command(role, port, ip), env=env)
