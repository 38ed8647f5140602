"""A report's files appear whole or not at all: an interrupted or failed run leaves the previous set untouched."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sferum_lib.reports import artifacts, runner
from sferum_lib.reports.artifacts import STAGED_ENV, commit_parts, report_parts, write_all
from sferum_lib.reports.base import Chart, ReportData, Table
from sferum_lib.reports.kernels import _start_lines
from sferum_lib.store import Store
from tests.helpers import clean_book, snapshot_of

OLD = {"usage.html": "old html", "usage.ipynb": "old notebook", "usage.json": "{}", "usage-coverage.png": "old png"}


def _old_set(folder):
    folder.mkdir(exist_ok=True)
    for name, text in OLD.items():
        (folder / name).write_text(text, encoding="utf-8")


def _untouched(folder) -> bool:
    names = {p.name for p in folder.iterdir() if not p.name.endswith(".ОШИБКА.ipynb")}
    return names == set(OLD) and all((folder / n).read_text(encoding="utf-8") == t for n, t in OLD.items())


def _data() -> ReportData:
    frame = pd.DataFrame({"Показатель": ["a"], "Значение, %": [50.0]})
    return ReportData(
        "usage",
        "Использование",
        "УДО",
        dt.date(2026, 10, 15),
        {"mask_personal_data": True},
        ["строка"],
        [Table("t", "Таблица", frame)],
        [Chart("coverage", "Охват", b"\x89PNG new")],
        source="снимок № 1",
    )


def test_write_all_replaces_the_whole_set_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    monkeypatch.delenv(STAGED_ENV, raising=False)
    _old_set(tmp_path)
    write_all(_data(), tmp_path, mask=True)
    assert (tmp_path / "usage.html").read_text(encoding="utf-8") != "old html"
    assert (tmp_path / "usage-coverage.png").read_bytes() == b"\x89PNG new"
    assert report_parts(tmp_path, "usage") == [] and not any(p.name.startswith(".") for p in tmp_path.iterdir())


def test_write_all_stopped_half_way_leaves_the_old_set(tmp_path, monkeypatch):
    monkeypatch.delenv(STAGED_ENV, raising=False)
    _old_set(tmp_path)

    def interrupted(data, path):
        path.write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(artifacts, "write_xlsx", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_all(_data(), tmp_path, mask=True)
    assert _untouched(tmp_path)


def test_in_a_report_kernel_the_files_wait_for_the_runner(tmp_path, monkeypatch):
    monkeypatch.setenv(STAGED_ENV, "1")
    _old_set(tmp_path)
    write_all(_data(), tmp_path, mask=True)
    assert {p.name for p in report_parts(tmp_path, "usage")} == {
        ".usage.part.html",
        ".usage.part.xlsx",
        ".usage.part.json",
        ".usage-coverage.part.png",
    }
    assert all((tmp_path / n).read_text(encoding="utf-8") == t for n, t in OLD.items())
    commit_parts(tmp_path, "usage")
    assert (tmp_path / "usage-coverage.png").read_bytes() == b"\x89PNG new" and report_parts(tmp_path, "usage") == []


class _Kernel:
    def ready(self):
        return None

    def release(self):
        pass


@pytest.fixture
def store(tmp_path) -> str:
    path = tmp_path / "s.db"
    with Store(path) as st:
        st.add_snapshot(snapshot_of(clean_book()), "b.xlsx")
    return str(path)


def test_a_run_interrupted_while_the_notebook_executes_leaves_the_old_set(tmp_path, store, monkeypatch):
    import papermill

    out = tmp_path / "out"
    _old_set(out)

    def interrupted(source, output, **kwargs):
        with open(output, "w", encoding="utf-8") as stream:  # papermill writes as cells run
            stream.write('{"cells": [')
        (out / ".usage.part.html").write_text("half", encoding="utf-8")  # the notebook's own writing began
        raise KeyboardInterrupt

    monkeypatch.setattr(papermill, "execute_notebook", interrupted)
    values = runner._values("usage", {"store": store}, out)
    with pytest.raises(KeyboardInterrupt):
        runner._execute("usage", values, _Kernel(), 0.0)
    assert _untouched(out) and report_parts(out, "usage") == []


def test_a_failed_notebook_keeps_the_old_set_beside_the_failed_one(tmp_path, store, monkeypatch):
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    out = tmp_path / "out"
    _old_set(out)

    def failing(source, output, **kwargs):
        nb = nbformat.read(source, as_version=4)
        nbformat.write(nb, output)
        raise PapermillExecutionError(2, 2, "x", "UsageError", "нет такого", [])

    monkeypatch.setattr(papermill, "execute_notebook", failing)
    values = runner._values("usage", {"store": store}, out)
    with pytest.raises(runner.ReportFailed):
        runner._execute("usage", values, _Kernel(), 0.0)
    assert _untouched(out) and (out / "usage.ОШИБКА.ipynb").exists() and report_parts(out, "usage") == []


def test_report_kernels_keep_their_log_out_of_the_terminal():
    assert "--IPKernelApp.log_level=ERROR" in _start_lines(False)
