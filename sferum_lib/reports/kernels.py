"""Report kernels started ahead: booted while this process still imports papermill, warm for the next report.

A report's cost is mostly fixed: a kernel process boots (IPython, ipykernel) and imports pandas, the checks and
the writers before the first line of the report runs. Papermill starts its kernel only when it executes, after
its own imports; here the kernel is started first, with those imports as its start-up lines, so both happen at
once on two cores. ``sferum report all`` keeps one such kernel per core and runs report after report in it,
clearing the namespace between them (the imported modules stay: that is the point).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any


def keep_out_slow_imports() -> None:
    """Keep ``rfc3987_syntax`` from being imported: it costs seconds and nothing here needs it.

    nbformat (which papermill, nbclient and jupyter_server import) imports jsonschema, whose format checkers
    import ``rfc3987_syntax`` when it is installed — and that module builds a Lark grammar at import: 2.7 s of the
    4.1 s ``import papermill`` measured here. It only serves jsonschema's «iri» format, which no notebook schema
    uses. jsonschema imports it under ``suppress(ImportError)``; a ``None`` in ``sys.modules`` makes that import
    fail at once, so the checker is simply not registered. Call it before anything imports nbformat.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


#: What every report imports before its first line: pandas, the checks, the store, the writers.
WARM_MODULES = (
    "sferum_lib.reports",
    "sferum_lib.reports.content",
    "sferum_lib.reports.artifacts",
    "sferum_lib.store",
    "sferum_lib.workbook.writer",  # atomic_path; it no longer loads openpyxl
    "sferum_lib.reports.xlsx",
)


def warm_up(charts: bool = True) -> None:
    """What every report imports, run as a kernel's start-up line; a failure only makes the report slower."""
    import importlib

    try:
        for name in WARM_MODULES:
            importlib.import_module(name)
        if charts:
            from sferum_lib.reports.charts import pyplot

            pyplot()
    except Exception:  # the report itself will meet and explain the same problem
        pass


def _start_lines(charts: bool) -> list[str]:
    # a kernel of another environment may not have sferum_lib: then the report says so, not a start-up traceback
    warm = f"import sferum_lib.reports.kernels as _k; _k.warm_up({charts!r}); del _k"
    code = f"try:\n    {warm}\nexcept Exception:\n    pass"
    # the kernel's own log goes to the terminal: its «Parent appears to have exited» after a Ctrl+C is not for people
    return [f"--IPKernelApp.exec_lines={json.dumps([code])}", "--IPKernelApp.log_level=ERROR"]


def _kernel_env() -> dict[str, str]:
    """The kernel's environment: this one, and the flag that leaves a report's artifacts for the runner to rename."""
    import os

    from sferum_lib.reports.artifacts import STAGED_ENV

    return {**os.environ, STAGED_ENV: "1"}


class ReportKernel:
    """One kernel process for reports: started at once, used by one thread, shut down when done."""

    def __init__(self, kernel_name: str, charts: bool = True) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        class _Manager(AsyncKernelManager):
            # nbclient leaves running the client it made of a kernel it was handed: closed here after each report
            def client(self, **kwargs: Any) -> Any:
                made = super().client(**kwargs)
                clients.append(made)
                return made

        clients: list[Any] = []
        self.clients = clients
        self.sockets = Path(tempfile.mkdtemp(prefix="sferum-kernel-"))
        # local sockets instead of TCP: no network port, and no "unencrypted TCP" warning on every start;
        # each kernel its own socket folder: kernels run side by side must not share socket names
        self.km = _Manager(kernel_name=kernel_name, transport="ipc", ip=str(self.sockets / "kernel"))
        self._charts = charts
        self._sync = run_sync
        self.used = False
        self._sync(self.km.start_kernel)(extra_arguments=_start_lines(charts), env=_kernel_env())

    def ready(self) -> Any:
        """The kernel manager to hand to papermill, its namespace cleared if an earlier report ran in it."""
        self._sync(self._prepare)()
        self.used = True
        return self.km

    async def _prepare(self) -> None:
        if not await self.km.is_alive():  # died with the previous report (memory, a crash): a fresh one
            await self.km.start_kernel(extra_arguments=_start_lines(self._charts), env=_kernel_env())
            self.used = False
        if not self.used:
            return
        client = self.km.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            # the previous report's parameters and results go; its imported modules stay warm
            code = "get_ipython().run_line_magic('reset', '-f'); get_ipython().execution_count = 1"
            await client.execute_interactive(code, silent=True, timeout=60)
        finally:
            client.stop_channels()

    def release(self) -> None:
        """Close the clients a report left connected (their sockets), keeping the kernel for the next report."""
        while self.clients:
            client = self.clients.pop()
            if client.channels_running:
                client.stop_channels()

    def shutdown(self) -> None:
        import shutil

        self.release()
        try:
            self._sync(self._stop)()
        finally:
            shutil.rmtree(self.sockets, ignore_errors=True)

    async def _stop(self) -> None:
        if await self.km.is_alive():
            await self.km.shutdown_kernel(now=True)  # also removes its connection file and sockets
