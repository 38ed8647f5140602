"""Benchmark: a region of 200 organisations (about 500 000 people) — import, audit, region report — on Dask.

The workbooks are written first (not timed; on the same cluster, and kept in ``--work`` between runs), then the
three steps are timed as ``sferum region import|audit|report`` run them, on one local cluster whose start is
counted. Each step is given in wall seconds and in processor seconds of this process (client, scheduler and
nannies) plus its worker processes: the machine is shared, so the processor time is what compares runs, and the
load average says how much the wall time was stretched by others.

``--commands`` times the three ``sferum`` commands themselves instead, as a user runs them: each one a fresh
interpreter with its own local cluster. Not part of the test suite:
``python bench/bench_region.py [--orgs 200 --people 2500] [--commands]``.
Prints a Markdown table and writes it to bench/results-region.md (``--no-save``: only print).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psutil

DAY = dt.date(2026, 11, 29)
HERE = Path(__file__).resolve().parent
GOAL_S = 90


def tree_cpu() -> float:
    """Processor seconds of this process and of every process it started that is still alive (the workers)."""
    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        with contextlib.suppress(psutil.Error):  # gone meanwhile
            total += sum(child.cpu_times()[:2])
    return total


def children_cpu() -> float:
    """Processor seconds of finished child processes this process has waited for (the ``sferum`` commands)."""
    times = os.times()
    return times.children_user + times.children_system


class Steps:
    """Wall and processor seconds of each step, and the load average around it."""

    def __init__(self, cpu: Callable[[], float]) -> None:
        self.cpu = cpu
        self.rows: list[tuple[str, float, float, float]] = []

    def timed(self, name: str, func: Callable[[], object]) -> object:
        wall, cpu = time.perf_counter(), self.cpu()
        result = func()
        self.rows.append((name, time.perf_counter() - wall, self.cpu() - cpu, os.getloadavg()[0]))
        print(f"{name}: {self.rows[-1][1]:.1f} s (cpu {self.rows[-1][2]:.1f} s)", file=sys.stderr, flush=True)
        return result


def write_books(books: Path, args: argparse.Namespace) -> None:
    from sferum_lib.region.cluster import runner
    from sferum_lib.region.demo import NOW, write_region

    if (books / NOW).exists() and len(list((books / NOW).glob("*.xlsx"))) == args.orgs:
        return
    shutil.rmtree(books, ignore_errors=True)
    t = time.perf_counter()
    with runner(workers=args.workers) as run:
        write_region(books, args.orgs, args.people, seed=2026, as_of=DAY, history=False, run=run)
    print(f"workbooks written in {time.perf_counter() - t:.1f} s (not timed)", file=sys.stderr)


def in_process(books: Path, region: Path, args: argparse.Namespace) -> tuple[Steps, str, int]:
    """The three steps as the commands run them, on one local cluster (its start counted)."""
    from sferum_lib.region.cluster import runner
    from sferum_lib.region.core import audit_region, import_region
    from sferum_lib.region.report import build_region_report, write_region_report

    steps = Steps(tree_cpu)
    context = runner(workers=args.workers)

    def start() -> object:
        run = context.__enter__()
        assert run.client is not None  # a runner starts its cluster when first given work: here, on purpose
        return run

    run = steps.timed("cluster start", start)
    try:
        where = run.where
        outcomes = steps.timed("import (XLSX, validate, store)", lambda: import_region(books, region, run))
        results = steps.timed("audit + indicators", lambda: audit_region(region, DAY, run))
        steps.timed(
            "region report (HTML, XLSX, JSON)",
            lambda: write_region_report(build_region_report(region, DAY, run), args.work / "report"),
        )
    finally:
        context.__exit__(None, None, None)
    refused = [o for o in outcomes if not o.accepted]
    if refused:  # books left in --work by an older generator are reused: say so instead of a bare assertion
        raise SystemExit(
            f"{len(refused)} of {len(outcomes)} workbooks refused (first: {refused[0]}); "
            f"books in --work are reused — delete {books} to generate them with this code"
        )
    assert len(results) == args.orgs
    return steps, where, sum(o.people for o in outcomes)


def as_commands(books: Path, region: Path, args: argparse.Namespace) -> tuple[Steps, str, int]:
    """The three ``sferum`` commands, each a fresh interpreter starting its own local cluster."""
    import json

    steps = Steps(children_cpu)
    base = [sys.executable, "-m", "sferum_lib", "--store", str(region), "region"]
    workers = ["--workers", str(args.workers)] if args.workers else []
    day = ["--as-of", DAY.isoformat()]

    def sferum(*argv: str) -> str:
        done = subprocess.run([*base, *argv, *workers], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"sferum {' '.join(argv)}: exit {done.returncode}\n{done.stderr[-2000:]}")
        return done.stdout

    outcomes = json.loads(
        steps.timed("import (XLSX, validate, store)", lambda: sferum("import", str(books), "--format", "json"))
    )
    findings = json.loads(steps.timed("audit + indicators", lambda: sferum("audit", *day, "--format", "json")))
    steps.timed("region report (HTML, XLSX, JSON)", lambda: sferum("report", *day, "--out", str(args.work / "report")))
    assert all(o["accepted"] for o in outcomes) and len({f["organisation"] for f in findings}) == args.orgs
    where = f"три команды sferum, у каждой свой локальный кластер (исполнителей: {args.workers or os.cpu_count()})"
    return steps, where, sum(o["people"] for o in outcomes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orgs", type=int, default=200)
    parser.add_argument("--people", type=int, default=2500, help="mean organisation size")
    parser.add_argument("--workers", type=int, default=None, help="local cluster size (default: the cores)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "sferum-bench-region")
    parser.add_argument("--commands", action="store_true", help="time the three sferum commands as a user runs them")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results-region.md")
    args = parser.parse_args()

    from sferum_lib.region.demo import NOW

    books = args.work / f"books-{args.orgs}-{args.people}"
    write_books(books, args)
    region = args.work / "region"
    shutil.rmtree(region, ignore_errors=True)
    load = os.getloadavg()[0]
    steps, where, people = (as_commands if args.commands else in_process)(books / NOW, region, args)
    wall = sum(r[1] for r in steps.rows)
    cpu = sum(r[2] for r in steps.rows)
    lines = [
        f"### Region: {args.orgs} organisations, {people} people ({dt.date.today()}, {where})",
        "",
        f"Load average (1 min) from {load:.1f} at the start to {steps.rows[-1][3]:.1f} at the end, on "
        f"{os.cpu_count()} cores.",
        "",
        "| step | wall, s | cpu, s | load after |",
        "|---|---:|---:|---:|",
        *[f"| {name} | {w:.1f} | {c:.1f} | {la:.1f} |" for name, w, c, la in steps.rows],
        f"| **total** (goal ≤ {GOAL_S} s) | **{wall:.1f}** | **{cpu:.1f}** | |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_save:
        (HERE / "results-region.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
