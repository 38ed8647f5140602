"""Files and folders the product writes are its owner's only: they hold people's names, phones and emails.

The umask of a user's shell (often 022) would make them readable by everyone on the machine; these helpers
create folders 0700 and files 0600 whatever the umask, and :func:`private_umask` makes every later file of
the process (and of the kernels it starts, which inherit the umask) private too.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
DIR_MODE = 0o700


def private_umask() -> int:
    """Make files created from now on owner-only; return the previous umask."""
    return os.umask(PRIVATE_UMASK)


def private_dir(path: str | Path) -> Path:
    """Create ``path`` and its missing parents owner-only; an existing folder is left as it is (it is the user's)."""
    folder = Path(path)
    missing = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for level in reversed(missing):
        try:
            level.mkdir(mode=DIR_MODE)
        except FileExistsError:  # made by a report running at the same time
            continue
        os.chmod(level, DIR_MODE)
    return folder


def private_file(path: str | Path) -> Path:
    """Make sure ``path`` exists and is owner-only, without changing its content."""
    target = Path(path)
    fd = os.open(target, os.O_CREAT | os.O_WRONLY, FILE_MODE)
    os.close(fd)
    os.chmod(target, FILE_MODE)
    return target


def write_private(path: str | Path, data: bytes | str) -> Path:
    """Write a whole file owner-only (text as UTF-8)."""
    target = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd = os.open(target, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb", closefd=False) as stream:
            stream.write(raw)
    finally:
        os.close(fd)
    return target


__all__ = ["DIR_MODE", "FILE_MODE", "private_dir", "private_file", "private_umask", "write_private"]
