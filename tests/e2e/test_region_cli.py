"""`sferum region`: exit codes, the refused named in Russian, the same JSON on an external Dask cluster."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sferum_lib.cli import main

DAY = "2026-11-29"
N = 2


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--region", str(N), "--size", "60", "--seed", "5", "--as-of", DAY, "--out", str(out)]) == 0
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_demo_region_writes_n_workbooks_now_and_a_month_earlier(books):
    assert len(list((books / "сейчас").glob("*.xlsx"))) == N
    assert len(list((books / "месяц назад").glob("*.xlsx"))) == N


def test_import_all_accepted_exits_0_then_audit_and_indicators_json(capsys, books, tmp_path):
    region = str(tmp_path / "регион")
    code, _, err = run(capsys, "--store", region, "region", "import", str(books / "сейчас"), "--workers", "2")
    assert code == 0, err
    assert f"Принято книг: {N} из {N}" in err
    assert "distributed" not in err and "Traceback" not in err  # Dask's own logs stay off the terminal
    code, out, _ = run(
        capsys, "--store", region, "region", "audit", "--as-of", DAY, "--format", "json", "--workers", "2"
    )
    assert code == 0
    findings = json.loads(out)
    assert len({f["organisation"] for f in findings}) == N
    assert set(findings[0]) == {"organisation", "check", "clause", "severity", "subject", "message", "duty"}
    code, out, _ = run(
        capsys, "--store", region, "region", "indicators", "--as-of", DAY, "--format", "json", "--workers", "1"
    )
    values = json.loads(out)
    assert len(values) == N and all("students_joined" in v for v in values.values())


def test_some_refused_exits_2_naming_them_with_their_first_errors(capsys, books, tmp_path):
    inbox = tmp_path / "почта"
    shutil.copytree(books / "сейчас", inbox)
    bad = sorted(inbox.glob("*.xlsx"))[0]
    wb = load_workbook(bad)
    wb["Обучающиеся"]["A2"] = None  # an ID left empty
    wb.save(bad)
    region = tmp_path / "регион"
    code, _, err = run(capsys, "--store", str(region), "region", "import", str(inbox), "--workers", "2")
    assert code == 2
    assert f"Принято книг: {N - 1} из {N}" in err
    assert f"не принята «{bad.name}»" in err and "лист «Обучающиеся», строка 2" in err
    assert "копия книги с выделенными ошибками" in err
    assert len(list(region.glob("*.db"))) == N - 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["region", "import", "{tmp}/нет папки"], "Папка с книгами «{tmp}/нет папки» не найдена."),
        (["region", "import", "{tmp}/пусто"], "нет книг организаций"),
        (["region", "audit", "--as-of", DAY], "Папка региона «{tmp}/регион» не найдена"),
        (["region", "audit", "--store", "{tmp}/файл.db"], "«{tmp}/файл.db» — файл, а для региона нужна папка"),
        (
            ["region", "import", "{tmp}/почта", "--scheduler", "tcp://127.0.0.1:9"],
            "Не удалось подключиться к планировщику",
        ),
    ],
)
def test_user_mistakes_exit_2_in_russian_without_traceback(capsys, tmp_path, args, message):
    (tmp_path / "пусто").mkdir()
    (tmp_path / "файл.db").write_bytes(b"")
    (tmp_path / "почта").mkdir()
    (tmp_path / "почта" / "книга.xlsx").write_bytes(b"")
    argv = ["--store", str(tmp_path / "регион"), *[a.format(tmp=tmp_path) for a in args]]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message.format(tmp=tmp_path) in err and "Traceback" not in err


def test_external_scheduler_and_worker_processes_give_the_local_result(capsys, books, tmp_path):
    """A scheduler and a worker started as their own processes, as on a cluster of machines."""
    from sferum_lib.region.cluster import Runner
    from sferum_lib.region.core import audit_region, findings_records, import_region

    region = str(tmp_path / "регион")
    assert all(o.accepted for o in import_region(books / "сейчас", region, Runner()))  # in this process
    local = findings_records(audit_region(region, dt.date.fromisoformat(DAY), Runner()))
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    scheduler = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "distributed.cli.dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-dashboard",
        ],
        **quiet,
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-dashboard"], **quiet
    )
    try:
        from distributed import Client

        deadline = time.monotonic() + 60
        while True:  # wait until the worker has joined the scheduler
            try:
                with Client(address, timeout=5) as client:
                    if client.scheduler_info()["workers"]:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the Dask worker did not join"
            time.sleep(0.5)
        code, remote, err = run(
            capsys, "--store", region, "region", "audit", "--as-of", DAY, "--format", "json", "--scheduler", address
        )
        assert code == 0, err
        assert json.loads(remote) == local and local
        code, out, err = run(
            capsys,
            "--store",
            region,
            "region",
            "report",
            "--as-of",
            DAY,
            "--scheduler",
            address,
            "--out",
            str(tmp_path / "отчёт"),
        )
        assert code == 0, err
        assert Path(out.strip()).read_text(encoding="utf-8").count("<tr>") > N
    finally:
        for process in (worker, scheduler):
            process.terminate()
        for process in (worker, scheduler):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def test_sferum_report_region_runs_the_region_notebook_and_names_what_it_shows(capsys, books, tmp_path):
    region = str(tmp_path / "регион")
    code, _, err = run(capsys, "--store", region, "region", "import", str(books / "сейчас"), "--workers", "1")
    assert code == 0, err
    out = tmp_path / "отчёт"
    code, printed, err = run(
        capsys, "report", "region", "--store", region, "--as-of", DAY, "--out", str(out), "-p", "workers", "1"
    )
    assert code == 0, err
    assert printed.strip() == str(out / "region.html")
    assert f"Организаций: {N} · последние снимки организаций · на 29.11.2026" in err
    document = json.loads((out / "region.json").read_text(encoding="utf-8"))
    assert len(document["data"]["organisations"]) == N
    assert load_workbook(out / "region.xlsx").sheetnames[:2] == ["Об отчёте", "Организации по показателям"]
    # one organisation's store is not a region: refused before any kernel starts, in Russian
    store = next(Path(region).glob("*.db"))
    code, _, err = run(capsys, "report", "region", "--store", str(store), "--out", str(tmp_path / "нет"))
    assert code == 2 and "нужна папка" in err and "Traceback" not in err
    assert not (tmp_path / "нет").exists()


def test_a_report_after_the_days_audit_starts_no_cluster(capsys, books, tmp_path, monkeypatch):
    import distributed

    region = str(tmp_path / "регион")
    assert run(capsys, "--store", region, "region", "import", str(books / "сейчас"), "--workers", "2")[0] == 0
    assert run(capsys, "--store", region, "region", "audit", "--as-of", DAY, "--workers", "2")[0] == 0

    def no_cluster(*args, **kwargs):
        raise AssertionError("a local cluster was started though the day's audit was kept")

    monkeypatch.setattr(distributed, "LocalCluster", no_cluster)
    out = tmp_path / "отчёт"
    code, stdout, err = run(capsys, "--store", region, "region", "report", "--as-of", DAY, "--out", str(out))
    assert code == 0, err
    assert Path(stdout.strip()) == (out / "region.html").resolve()
    document = json.loads((out / "region.json").read_text(encoding="utf-8"))
    assert len(document["data"]["organisations"]) == N
    # another day has nothing kept: the cluster is asked for (and here refused, as a fault of the program)
    code, _, err = run(capsys, "--store", region, "region", "report", "--as-of", "2026-11-28", "--out", str(out))
    assert code == 1 and "a local cluster was started" in err
