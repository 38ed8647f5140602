"""Benchmark: import (XLSX, CSV), XLSX export, store, audit + indicators at 2 500, 10k, 100k and 1M people.

Each measurement runs in its own process, which reports its wall time, its own processor time and its own peak
memory (max RSS), so one stage's memory does not hide another's; on a shared machine the processor time says
what the code costs when the wall time says how busy the machine was. An import of a CSV folder with 1 000 bad
rows shows that refusing a big file is as quick as accepting it. Not part of the test suite: run ``make bench``
or ``python bench/bench.py --sizes 10000 100000``. Prints Markdown tables, the goals of the largest size beside
them, and writes them to bench/results.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DAY = dt.date(2026, 11, 29)
HERE = Path(__file__).resolve().parent


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


#: The goals at a million people (issue «fast paths at scale»), in seconds of wall time.
GOALS = {"import_csv": 10, "import_xlsx": 25, "export_xlsx": 90}
#: How many rows the refused CSV folder spoils.
BAD_ROWS = 1_000


def _timed(step) -> dict[str, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = step()
    return {"seconds": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu, **(out or {})}


def stage_prepare(size: int, work: Path, xlsx: bool) -> dict[str, float]:
    from sferum_lib.demo import generate
    from sferum_lib.workbook.schema import SHEETS
    from sferum_lib.workbook.writer import _sheet_frame

    t = time.perf_counter()
    snapshot = generate(size, as_of=DAY)
    generated = time.perf_counter() - t
    (work / "snapshot.pickle").write_bytes(pickle.dumps(snapshot))
    csv = work / "csv"
    csv.mkdir(exist_ok=True)
    org = [
        ("Параметр", "Значение"),
        ("Полное наименование", snapshot.organisation.full_name),
        ("Краткое наименование", snapshot.organisation.short_name),
    ]
    (csv / "Организация.csv").write_text("\n".join(";".join(r) for r in org), encoding="utf-8-sig")
    for sheet in SHEETS:
        frame = _sheet_frame(snapshot, sheet)
        for column in sheet.columns:
            if column.kind == "date":
                frame[column.header] = [v.strftime("%d.%m.%Y") if v else "" for v in frame[column.header]]
        frame.to_csv(csv / f"{sheet.name}.csv", sep=";", index=False, encoding="cp1251")
    _spoil(csv, work / "bad")
    _ = xlsx
    return {"generate_s": generated}


def _spoil(csv: Path, bad: Path) -> None:
    """A copy of the CSV folder with BAD_ROWS rows spoilt: bad phones, bad dates, unknown children."""
    import shutil

    import pandas as pd

    shutil.copytree(csv, bad)
    parents = pd.read_csv(bad / "Родители.csv", sep=";", dtype=str, keep_default_na=False, encoding="cp1251")
    step = max(1, len(parents) // BAD_ROWS)
    spoilt = parents.index[::step][:BAD_ROWS]
    kinds = ("Телефон", "Присоединился", "Дети")
    values = ("12-34", "31.02.2024", "U-нет-такого")
    for i, row in enumerate(spoilt):
        parents.loc[row, kinds[i % 3]] = values[i % 3]
    parents.to_csv(bad / "Родители.csv", sep=";", index=False, encoding="cp1251")


def stage_export(work: Path) -> dict[str, float]:
    from sferum_lib.workbook.writer import export_snapshot

    snapshot = pickle.loads((work / "snapshot.pickle").read_bytes())
    return _timed(lambda: export_snapshot(snapshot, work / "book.xlsx") and None)


def stage_import(path: Path) -> dict[str, float]:
    from sferum_lib.errors import InputFileError
    from sferum_lib.workbook import import_workbook

    def step() -> dict[str, float]:
        try:
            return {"rows": import_workbook(path).rows, "problems": 0}
        except InputFileError as exc:
            return {"rows": 0, "problems": len(exc.problems)}

    return _timed(step)


def stage_refuse(path: Path, errors_to: Path) -> dict[str, float]:
    """What ``sferum import ПАПКА --errors-to ОШИБКИ.xlsx`` costs a refused folder: the check and the marked copy."""
    from sferum_lib.errors import InputFileError
    from sferum_lib.workbook.importer import build_snapshot
    from sferum_lib.workbook.reader import read_source
    from sferum_lib.workbook.writer import write_errors_copy

    wall, cpu = time.perf_counter(), time.process_time()
    sheets = read_source(path)
    try:
        build_snapshot(sheets, str(path))
    except InputFileError as exc:
        checked, checked_cpu = time.perf_counter() - wall, time.process_time() - cpu
        write_errors_copy(path, sheets, exc.problems + exc.warnings, errors_to)
        return {
            "seconds": time.perf_counter() - wall,
            "cpu_s": time.process_time() - cpu,
            "check_s": checked,
            "check_cpu_s": checked_cpu,
            "problems": len(exc.problems),
        }
    raise SystemExit("the spoilt folder was accepted")


def stage_audit(work: Path) -> dict[str, float]:
    from sferum_lib.checks import audit, indicators

    snapshot = pickle.loads((work / "snapshot.pickle").read_bytes())
    loaded = _peak_mb()
    t, cpu = time.perf_counter(), time.process_time()
    findings = audit(snapshot, DAY).findings
    values = indicators(snapshot, DAY)
    return {
        "seconds": time.perf_counter() - t,
        "cpu_s": time.process_time() - cpu,
        "findings": len(findings),
        "indicators": len(values),
        "input_mb": loaded,
    }


def stage_store(work: Path) -> dict[str, float]:
    from sferum_lib.store import Store

    snapshot = pickle.loads((work / "snapshot.pickle").read_bytes())
    with Store(work / "bench.db") as store:
        t = time.perf_counter()
        number = store.add_snapshot(snapshot, "bench")
        saved = time.perf_counter() - t
        t = time.perf_counter()
        store.snapshot(number)
        loaded = time.perf_counter() - t
    return {"save_s": saved, "load_s": loaded}


def _child(args: list[str]) -> dict[str, float]:
    done = subprocess.run([sys.executable, __file__, "--stage", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"stage {args} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _n(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def _io_cell(m: dict[str, float]) -> str:
    return f"{m['seconds']:.1f} s (cpu {m['cpu_s']:.1f} s, {m['peak_mb']:.0f} MB)"


def run(sizes: list[int], xlsx_max: int, io_only: bool = False) -> str:
    io_rows = [
        "| people | import CSV | import XLSX | export XLSX | refused CSV, 1 000 bad rows (problems) "
        "| … with the marked copy (`--errors-to`) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [
        "| people | audit + indicators | store save / load | peak memory (audit) |",
        "|---:|---:|---:|---:|",
    ]
    goals: dict[str, float] = {}
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            xlsx_too = size <= xlsx_max
            _child(["prepare", str(size), tmp, "1" if xlsx_too else "0"])
            csv = _child(["import", str(work / "csv")])
            bad = _child(["import", str(work / "bad")])
            marked = _child(["refuse", str(work / "bad"), str(work / "ошибки.xlsx")])
            export = _child(["export", tmp]) if xlsx_too else None
            xlsx = _child(["import", str(work / "book.xlsx")]) if xlsx_too else None
            if not io_only:
                aud = _child(["audit", tmp])
                sto = _child(["store", tmp])
        io_rows.append(
            f"| {_n(size)} | {_io_cell(csv)} | {_io_cell(xlsx) if xlsx else 'not measured'} "
            f"| {_io_cell(export) if export else 'not measured'} "
            f"| {bad['seconds']:.1f} s (cpu {bad['cpu_s']:.1f} s; {bad['problems']:.0f}) "
            f"| {marked['seconds']:.1f} s (cpu {marked['cpu_s']:.1f} s; "
            f"copy {marked['seconds'] - marked['check_s']:.1f} s) |"
        )
        print(io_rows[-1], file=sys.stderr, flush=True)
        if size == max(sizes):
            goals = {"import_csv": csv["seconds"], "import_xlsx": xlsx["seconds"] if xlsx else float("nan")}
            goals["export_xlsx"] = export["seconds"] if export else float("nan")
        if not io_only:
            rows.append(
                f"| {size:,} | {aud['seconds']:.2f} s (cpu {aud['cpu_s']:.2f} s) "
                f"| {sto['save_s']:.2f} s / {sto['load_s']:.2f} s "
                f"| {aud['peak_mb']:.0f} MB |".replace(",", " ")
            )
    goal_rows = [
        f"| step, {_n(max(sizes))} people | measured | goal at 1 000 000 |",
        "|---|---:|---:|",
        *(
            f"| {label} | {goals[key]:.1f} s | ≤ {GOALS[key]} s |"
            for key, label in (
                ("import_csv", "CSV import"),
                ("import_xlsx", "XLSX import"),
                ("export_xlsx", "XLSX export"),
            )
        ),
    ]
    tables = [goal_rows, io_rows] + ([] if io_only else [rows])
    return "\n\n".join("\n".join(t) for t in tables)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_500, 10_000, 100_000, 1_000_000])
    parser.add_argument("--xlsx-max", type=int, default=1_000_000, help="largest size to write and read as XLSX")
    parser.add_argument("--io-only", action="store_true", help="only the import and export rows")
    parser.add_argument("--stage", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        name, *rest = args.stage
        if name == "prepare":
            result = stage_prepare(int(rest[0]), Path(rest[1]), rest[2] == "1")
        elif name == "import":
            result = stage_import(Path(rest[0]))
        elif name == "export":
            result = stage_export(Path(rest[0]))
        elif name == "refuse":
            result = stage_refuse(Path(rest[0]), Path(rest[1]))
        elif name == "audit":
            result = stage_audit(Path(rest[0]))
        else:
            result = stage_store(Path(rest[0]))
        result["peak_mb"] = _peak_mb()
        print(json.dumps(result))
        return
    table = run(args.sizes, args.xlsx_max, args.io_only)
    (HERE / "results.md").write_text(table + "\n", encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
