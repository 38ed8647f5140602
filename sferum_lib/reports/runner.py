"""Running report notebooks with papermill: one, or all in parallel across the cores."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sferum_lib.errors import SferumError, UsageError
from sferum_lib.files import private_dir, private_file
from sferum_lib.reports.base import validate
from sferum_lib.reports.content import REPORTS
from sferum_lib.store import default_store_path

KERNEL = "python3"
# names of the library's own errors: raised inside a notebook they mean bad input, not a broken report
USER_ERRORS = {
    "UsageError",
    "StoreError",
    "StoreUnavailable",
    "InputFileError",
    "Refused",
    "CatalogueError",
    "SferumError",
}


def notebooks_dir() -> Path:
    """`notebooks/reports/` of the project."""
    here = Path(__file__).resolve().parents[2] / "notebooks" / "reports"
    return Path(os.environ.get("SFERUM_REPORTS_DIR", here))


def notebook_path(name: str) -> Path:
    if name not in REPORTS:
        raise UsageError(f"Неизвестный отчёт «{name}». Отчёты: {', '.join(REPORTS)}.")
    path = notebooks_dir() / f"{name}.ipynb"
    if not path.exists():
        raise UsageError(f"Не найден блокнот отчёта: {path}")
    return path


class ReportFailed(SferumError):
    """A report notebook stopped on a cell; its partial output is kept beside the artifacts, marked failed."""

    def __init__(self, name: str, message: str, output: Path, user_error: bool) -> None:
        self.name, self.output, self.user_error = name, output, user_error
        super().__init__(message)


@dataclass(frozen=True)
class RunResult:
    name: str
    notebook: Path
    seconds: float


def _describe_step(notebook: Path) -> str:
    """«шаг 2 («Расчёт отчёта»)»: the failed cell among the notebook's working steps, by its heading comment."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    steps = [
        c
        for c in nb.cells
        if c.cell_type == "code" and not {"parameters", "injected-parameters"} & set(c.metadata.get("tags", []))
    ]
    for number, cell in enumerate(steps, start=1):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            heading = cell.source.splitlines()[0].lstrip("# ").strip() if cell.source else ""
            heading = heading.split(". ", 1)[-1]
            return f"шаг {number} («{heading}»)"
    return "шаг не определён"


def check_store(values: Mapping[str, Any]) -> None:
    """Refuse before any kernel starts when the store is missing or is not a store (the Russian message says why)."""
    from sferum_lib.store import Store

    Store(values["store"], readonly=True).close()


def run_report(name: str, params: Mapping[str, Any] | None = None, out_dir: str | Path | None = None) -> RunResult:
    """Execute one report notebook; artifacts and the executed notebook land in ``out_dir``.

    Every path is absolute before the kernel starts and nothing changes the working folder of this process:
    reports run in parallel threads, and a folder changed by one would be seen by all.
    """
    import time

    spec = REPORTS.get(name)
    if spec is None:
        raise UsageError(f"Неизвестный отчёт «{name}». Отчёты: {', '.join(REPORTS)}.")
    given = dict(params or {})
    if out_dir is not None:
        given["out_dir"] = str(out_dir)
    values = validate(spec, given)  # refuse unknown names and bad values before any kernel starts
    check_store(values)
    source = notebook_path(name)
    out = private_dir(values["out_dir"])
    output = out / f"{name}.ipynb"
    failed = out / f"{name}.ОШИБКА.ipynb"
    failed.unlink(missing_ok=True)
    private_file(output)  # papermill rewrites it in place: it keeps these rights whatever the umask
    start = time.perf_counter()
    # lazy import: papermill pulls in nbformat and jsonschema, about a second on this machine
    import papermill
    from jupyter_client.manager import AsyncKernelManager
    from papermill.exceptions import PapermillExecutionError

    sockets = Path(tempfile.mkdtemp(prefix="sferum-kernel-"))

    class _QuietKernelManager(AsyncKernelManager):
        # local sockets instead of TCP: no network port, and no "unencrypted TCP" warning on every start
        transport = "ipc"

        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            # each kernel its own socket folder: reports run in parallel must not share socket names
            self.ip = str(sockets / "kernel")

    literal = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}
    try:
        papermill.execute_notebook(
            str(source),
            str(output),
            parameters=literal,
            kernel_name=KERNEL,
            progress_bar=False,
            log_output=False,
            shutdown_kernel="immediate",
            kernel_manager_class=_QuietKernelManager,
        )
    except PapermillExecutionError as exc:
        shutil.move(output, failed)
        step = _describe_step(failed)
        user = exc.ename in USER_ERRORS
        detail = (exc.evalue if user else f"{exc.ename}: {exc.evalue}").rstrip(".")
        raise ReportFailed(
            name, f"Отчёт «{spec.title}» не построен: {step}: {detail}. Частичный результат: {failed}", failed, user
        ) from None
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    return RunResult(name, output, time.perf_counter() - start)


def run_all(
    params: Mapping[str, Any] | None = None,
    out_dir: str | Path | None = None,
    workers: int | None = None,
    names: list[str] | None = None,
    on_done: Callable[[str, BaseException | None], None] | None = None,
) -> tuple[list[RunResult], list[ReportFailed]]:
    """Run every report in parallel (one kernel each, as many at once as there are cores)."""
    names = names or list(REPORTS)
    shared = dict(params or {})
    done: list[RunResult] = []
    failures: list[ReportFailed] = []
    # one refusal for all when there is no store, not one per report; every path absolute before threads start
    store = str(shared.get("store") or "")
    shared["store"] = os.path.abspath(store) if store else str(default_store_path())
    check_store(shared)
    if out_dir is not None:
        out_dir = os.path.abspath(out_dir)
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 2) as pool:
        futures = {}
        for name in names:
            extra = {k: v for k, v in shared.items() if k in {p.name for p in REPORTS[name].all_params}}
            futures[pool.submit(run_report, name, extra, out_dir)] = name
        for future in as_completed(futures):
            name = futures[future]
            error = future.exception()
            if error is None:
                done.append(future.result())
            elif isinstance(error, ReportFailed):
                failures.append(error)
            else:  # any other failure is still one report's: the others go on, and it is counted as failed
                title = REPORTS[name].title
                failures.append(
                    ReportFailed(
                        name,
                        f"Отчёт «{title}» не построен: {error}",
                        Path(),
                        isinstance(error, SferumError),
                    )
                )
            if on_done:
                on_done(name, error)
    return done, failures
