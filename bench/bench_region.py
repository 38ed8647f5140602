"""Benchmark: a region of 200 organisations (about 500 000 people) — import, audit, region report — on Dask.

The workbooks are written first (not timed; on the same cluster, and kept in ``--work`` between runs), then the
three steps are timed as ``sferum region import|audit|report`` run them, each on a fresh local cluster whose
start is counted. Not part of the test suite: ``python bench/bench_region.py [--orgs 200 --people 2500]``.
Prints a Markdown table and writes it to bench/results-region.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
import time
from pathlib import Path

DAY = dt.date(2026, 11, 29)
HERE = Path(__file__).resolve().parent
GOAL_S = 90


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orgs", type=int, default=200)
    parser.add_argument("--people", type=int, default=2500, help="mean organisation size")
    parser.add_argument("--workers", type=int, default=None, help="local cluster size (default: the cores)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "sferum-bench-region")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results-region.md")
    args = parser.parse_args()

    from sferum_lib.region.cluster import runner
    from sferum_lib.region.core import audit_region, import_region
    from sferum_lib.region.demo import NOW, write_region
    from sferum_lib.region.report import build_region_report, write_region_report

    books = args.work / f"books-{args.orgs}-{args.people}"
    if not (books / NOW).exists() or len(list((books / NOW).glob("*.xlsx"))) != args.orgs:
        shutil.rmtree(books, ignore_errors=True)
        t = time.perf_counter()
        with runner(workers=args.workers) as run:
            write_region(books, args.orgs, args.people, seed=2026, as_of=DAY, history=False, run=run)
        print(f"workbooks written in {time.perf_counter() - t:.1f} s (not timed)")
    region = args.work / "region"
    shutil.rmtree(region, ignore_errors=True)

    timings: dict[str, float] = {}
    t = time.perf_counter()
    with runner(workers=args.workers) as run:
        timings["cluster start"] = time.perf_counter() - t
        where = run.where
        t = time.perf_counter()
        outcomes = import_region(books / NOW, region, run)
        timings["import (XLSX, validate, store)"] = time.perf_counter() - t
        t = time.perf_counter()
        results = audit_region(region, DAY, run)
        timings["audit + indicators"] = time.perf_counter() - t
        t = time.perf_counter()
        data = build_region_report(region, DAY, run)
        write_region_report(data, args.work / "report")
        timings["region report (HTML, XLSX, JSON)"] = time.perf_counter() - t
    total = sum(timings.values())
    people = sum(o.people for o in outcomes if o.accepted)
    assert all(o.accepted for o in outcomes) and len(results) == args.orgs

    lines = [
        f"### Region: {args.orgs} organisations, {people} people ({dt.date.today()}, {where})",
        "",
        "| step | seconds |",
        "|---|---:|",
        *[f"| {name} | {seconds:.1f} |" for name, seconds in timings.items()],
        f"| **total** (goal ≤ {GOAL_S} s) | **{total:.1f}** |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_save:
        (HERE / "results-region.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
