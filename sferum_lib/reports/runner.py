"""Running report notebooks with papermill: one, or all on a few warm kernels across the cores."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sferum_lib.errors import SferumError, UsageError
from sferum_lib.files import private_dir, private_file
from sferum_lib.reports.artifacts import commit_parts, drop_parts, part_path
from sferum_lib.reports.base import movement_order_problem, param_words, validate
from sferum_lib.reports.content import REPORTS, SPECS
from sferum_lib.reports.kernels import ReportKernel, keep_out_slow_imports
from sferum_lib.store import default_store_path

KERNEL = "python3"
#: Reports that draw charts: their kernel imports matplotlib while it boots.
CHARTED = {"usage"}
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
    if name not in SPECS:
        raise UsageError(f"Неизвестный отчёт «{name}». Отчёты: {', '.join(SPECS)}.")
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


def check_store(values: Mapping[str, Any], region: bool = False) -> None:
    """Refuse before any kernel starts when the store is missing or is not a store (the Russian message says why).

    A region report's store is a folder of organisations' stores; given, it must hold at least one.
    """
    if region:
        if values.get("store"):
            from sferum_lib.region.core import region_dir, region_stores

            region_stores(region_dir(values["store"]))
        return
    from sferum_lib.store import Store

    with Store(values["store"], readonly=True) as store:
        if values.get("state") and not store.has_state():  # said now, not by a half-run notebook
            store.state()  # raises the store's own Russian message: how to start the working state


#: How many IDs a refusal of an unknown person lists, per kind of person.
SHOWN_IDS = 12


def _ids_words(label: str, ids: list[str]) -> str:
    """«сотрудники (25): E001, E002, … E025»."""
    if not ids:
        return f"{label}: нет"
    shown = ", ".join(ids[:SHOWN_IDS]) + (f", … {ids[-1]}" if len(ids) > SHOWN_IDS else "")
    return f"{label} ({len(ids)}): {shown}"


def check_params(name: str, values: Mapping[str, Any]) -> None:
    """Refuse, before any kernel starts and before anything is written, parameters the store cannot answer.

    ``values`` are the report's validated parameters (:func:`~sferum_lib.reports.base.validate`). Snapshot numbers
    must exist, the earlier snapshot of a movement must come before the later one, and the person of a checklist
    must be in the data the report shows. Every problem is said at once, in Russian, with what there is to choose
    from; a report that would only fail half-way in its notebook is never started.
    """
    problems = param_problems(name, values)
    if problems:
        title = SPECS[name].title
        raise UsageError(f"Отчёт «{title}»: " + "; ".join(problems) + ". Отчёт не запускался, файлы не записаны.")


def param_problems(name: str, values: Mapping[str, Any]) -> list[str]:
    """What :func:`check_params` refuses, as a list of Russian phrases (empty when the parameters are fine)."""
    spec = SPECS[name]
    if spec.region or not values.get("store"):
        return []
    from sferum_lib.store import Store

    problems: list[str] = []
    with Store(values["store"], readonly=True) as store:
        numbers = [i.number for i in store.snapshots()]
        known = ", ".join(map(str, numbers)) or "нет"
        given = {k: values.get(k) or 0 for k in ("snapshot", "from_snapshot", "to_snapshot") if k in values}
        for key, number in given.items():
            if number and number not in numbers:
                problems.append(
                    f"{param_words(key)} = {number}: такого снимка в хранилище нет; имеющиеся снимки: {known}"
                )
        first, second = given.get("from_snapshot", 0), given.get("to_snapshot", 0)
        if first and second and first in numbers and second in numbers and movement_order_problem(first, second):
            problems.append(movement_order_problem(first, second))
        person = str(values.get("person_id") or "").strip()
        if person and not problems and (numbers or values.get("state")):
            problems += _person_problems(store, values, person, numbers)
    return problems


def _person_problems(store: Any, values: Mapping[str, Any], person: str, numbers: list[int]) -> list[str]:
    """The person of a checklist, looked up in the snapshot (or the working state) the report shows."""
    if values.get("state"):
        snapshot, where = store.state(), "рабочем состоянии"
    else:
        number = values.get("snapshot") or numbers[-1]
        snapshot, where = store.snapshot(number), f"снимке № {number}"
    tables = (("сотрудники", snapshot.staff), ("обучающиеся", snapshot.pupils), ("родители", snapshot.parents))
    if any(person in set(table["id"].tolist()) for _, table in tables):
        return []
    listed = "; ".join(_ids_words(label, sorted(map(str, table["id"].tolist()))) for label, table in tables)
    return [f"{param_words('person_id')} = «{person}»: такого человека нет в {where}. Есть {listed}"]


def _values(name: str, params: Mapping[str, Any] | None, out_dir: str | Path | None) -> dict[str, Any]:
    spec = SPECS.get(name)
    if spec is None:
        raise UsageError(f"Неизвестный отчёт «{name}». Отчёты: {', '.join(SPECS)}.")
    given = dict(params or {})
    if out_dir is not None:
        given["out_dir"] = str(out_dir)
    return validate(spec, given)  # refuse unknown names and bad values before any kernel starts


def run_report(name: str, params: Mapping[str, Any] | None = None, out_dir: str | Path | None = None) -> RunResult:
    """Execute one report notebook; artifacts and the executed notebook land in ``out_dir``.

    Every path is absolute before the kernel starts and nothing changes the working folder of this process:
    reports run in parallel threads, and a folder changed by one would be seen by all. The kernel is started
    before papermill is imported, so that it boots and imports what the report needs meanwhile.
    """
    import time

    start = time.perf_counter()
    values = _values(name, params, out_dir)
    check_store(values, region=SPECS[name].region)
    check_params(name, values)  # a snapshot or a person that is not there: refused now, nothing written
    notebook_path(name)
    kernel = ReportKernel(KERNEL, charts=name in CHARTED or SPECS[name].region)
    try:
        return _execute(name, values, kernel, start)
    finally:
        kernel.shutdown()


def _execute(name: str, values: dict[str, Any], kernel: ReportKernel, start: float) -> RunResult:
    """Run one report's notebook with papermill in ``kernel``; a failed cell raises :class:`ReportFailed`."""
    import time

    source = notebook_path(name)
    out = private_dir(values["out_dir"])
    output = out / f"{name}.ipynb"
    running = part_path(output)  # papermill writes the notebook here; renamed with the artifacts when complete
    failed = out / f"{name}.ОШИБКА.ipynb"
    drop_parts(out, name)  # what an interrupted earlier run left
    private_file(running)  # papermill rewrites it in place: it keeps these rights whatever the umask
    keep_out_slow_imports()
    # lazy import: papermill pulls in nbformat and jsonschema; the kernel boots meanwhile
    import papermill
    from papermill.exceptions import PapermillExecutionError

    literal = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}
    try:
        papermill.execute_notebook(
            str(source),
            str(running),
            parameters=literal,
            kernel_name=KERNEL,
            progress_bar=False,
            log_output=False,
            km=kernel.ready(),  # papermill hands it to nbclient, which then leaves the kernel running
        )
        # the whole notebook ran: its artifacts and the notebook take their final names together
        commit_parts(out, name)
        failed.unlink(missing_ok=True)
    except PapermillExecutionError as exc:
        os.replace(running, failed)
        drop_parts(out, name)  # the previous complete set stays as it was
        step = _describe_step(failed)
        user = exc.ename in USER_ERRORS
        detail = (exc.evalue if user else f"{exc.ename}: {exc.evalue}").rstrip(".")
        title = SPECS[name].title
        raise ReportFailed(
            name, f"Отчёт «{title}» не построен: {step}: {detail}. Частичный результат: {failed}", failed, user
        ) from None
    except BaseException:  # interrupted (Ctrl+C) or broken: nothing half-written under a final name
        drop_parts(out, name)
        raise
    finally:
        kernel.release()
    return RunResult(name, output, time.perf_counter() - start)


def _own(name: str, shared: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of ``report all`` that report ``name`` takes (person_id only the checklist, and so on)."""
    return {k: v for k, v in shared.items() if k in {p.name for p in REPORTS[name].all_params}}


#: The reports from the longest to the shortest: the usage report (charts) is the longest for a small organisation,
#: the audit and the move to MAX (hundreds of thousands of rows) for a large one; the short ones fill the gaps.
LONGEST_FIRST = ("usage", "audit", "max-migration", "movement", "person", "invites", "indicators")


def _expected_order(name: str) -> int:
    return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)


def run_all(
    params: Mapping[str, Any] | None = None,
    out_dir: str | Path | None = None,
    workers: int | None = None,
    names: list[str] | None = None,
    on_done: Callable[[str, BaseException | None], None] | None = None,
) -> tuple[list[RunResult], list[ReportFailed]]:
    """Run every report on a few warm kernels: one per core, started at once, each running report after report.

    A kernel's boot and imports are paid once per core instead of once per report; between two reports the
    kernel's namespace is cleared, so a report never sees another's parameters or results.
    """
    import queue
    import threading
    import time

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
    # every report's parameters checked against the store before any kernel starts; a problem shared by several
    # reports (a snapshot that is not there) is said once
    problems = [p for name in names for p in param_problems(name, _values(name, _own(name, shared), out_dir))]
    if problems:
        said = "; ".join(dict.fromkeys(problems))
        raise UsageError(f"Отчёты не запускались, файлы не записаны: {said}.")
    todo: queue.Queue[str] = queue.Queue()
    for name in sorted(names, key=_expected_order):  # the longest first: the last to finish is short
        todo.put(name)
    lock = threading.Lock()

    def finish(name: str, result: RunResult | None, error: BaseException | None) -> None:
        with lock:
            if error is None and result is not None:
                done.append(result)
            elif isinstance(error, ReportFailed):
                failures.append(error)
            else:  # any other failure is still one report's: the others go on, and it is counted as failed
                title = REPORTS[name].title
                failures.append(
                    ReportFailed(name, f"Отчёт «{title}» не построен: {error}", Path(), isinstance(error, SferumError))
                )
            if on_done:
                on_done(name, error)

    def work() -> None:
        # the kernel is started and used in this thread only: its manager belongs to this thread's event loop
        kernel: ReportKernel | None = None
        try:
            while True:
                try:
                    name = todo.get_nowait()
                except queue.Empty:
                    return
                start = time.perf_counter()
                try:
                    values = _values(name, _own(name, shared), out_dir)
                    kernel = kernel or ReportKernel(KERNEL, charts=True)
                    finish(name, _execute(name, values, kernel, start), None)
                except Exception as exc:  # recorded as this report's failure, the others go on
                    finish(name, None, exc)
        finally:
            if kernel is not None:
                kernel.shutdown()

    count = max(1, min(workers or os.cpu_count() or 2, len(names)))
    threads = [threading.Thread(target=work, daemon=True) for _ in range(count)]
    for thread in threads:  # all kernels start at once and boot side by side
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except BaseException:  # Ctrl+C: the reports under way leave no temporary files; finished ones stay
        target = out_dir or _values(names[0], _own(names[0], shared), None)["out_dir"]
        for name in names:
            drop_parts(target, name)
        raise
    return done, failures
