"""Benchmark: import (XLSX, CSV), store, audit + indicators at 10k, 100k and 1M people.

Each measurement runs in its own process, which reports its wall time and its own peak memory (max RSS),
so one stage's memory does not hide another's. Not part of the test suite: run ``make bench`` or
``python bench/bench.py --sizes 10000 100000``. Prints a Markdown table and writes it to bench/results.md.
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


def stage_prepare(size: int, work: Path, xlsx: bool) -> dict[str, float]:
    from sferum_lib.demo import generate
    from sferum_lib.workbook.schema import SHEETS
    from sferum_lib.workbook.writer import _sheet_frame, export_snapshot

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
    result = {"generate_s": generated}
    if xlsx:
        t = time.perf_counter()
        export_snapshot(snapshot, work / "book.xlsx")
        result["export_xlsx_s"] = time.perf_counter() - t
    return result


def stage_import(path: Path) -> dict[str, float]:
    from sferum_lib.workbook import import_workbook

    t = time.perf_counter()
    result = import_workbook(path)
    return {"seconds": time.perf_counter() - t, "rows": result.rows}


def stage_audit(work: Path) -> dict[str, float]:
    from sferum_lib.checks import audit, indicators

    snapshot = pickle.loads((work / "snapshot.pickle").read_bytes())
    loaded = _peak_mb()
    t = time.perf_counter()
    findings = audit(snapshot, DAY).findings
    values = indicators(snapshot, DAY)
    return {
        "seconds": time.perf_counter() - t,
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


def run(sizes: list[int], xlsx_max: int) -> str:
    rows = [
        "| people | import XLSX | import CSV | audit + indicators | store save / load | peak memory (audit) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            prep = _child(["prepare", str(size), tmp, "1" if size <= xlsx_max else "0"])
            xlsx = _child(["import", str(work / "book.xlsx")]) if size <= xlsx_max else None
            csv = _child(["import", str(work / "csv")])
            aud = _child(["audit", tmp])
            sto = _child(["store", tmp])
        xlsx_cell = f"{xlsx['seconds']:.1f} s ({xlsx['peak_mb']:.0f} MB)" if xlsx else "not measured"
        rows.append(
            f"| {size:,} | {xlsx_cell} | {csv['seconds']:.1f} s ({csv['peak_mb']:.0f} MB) "
            f"| {aud['seconds']:.2f} s | {sto['save_s']:.1f} s / {sto['load_s']:.1f} s "
            f"| {aud['peak_mb']:.0f} MB |".replace(",", " ")
        )
        print(rows[-1], file=sys.stderr, flush=True)
        _ = prep
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--xlsx-max", type=int, default=100_000, help="largest size to write and read as XLSX")
    parser.add_argument("--stage", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        name, *rest = args.stage
        if name == "prepare":
            result = stage_prepare(int(rest[0]), Path(rest[1]), rest[2] == "1")
        elif name == "import":
            result = stage_import(Path(rest[0]))
        elif name == "audit":
            result = stage_audit(Path(rest[0]))
        else:
            result = stage_store(Path(rest[0]))
        result["peak_mb"] = _peak_mb()
        print(json.dumps(result))
        return
    table = run(args.sizes, args.xlsx_max)
    (HERE / "results.md").write_text(table + "\n", encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
