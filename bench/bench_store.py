"""Benchmark: store save / load and audit + indicators, at 1M people and for one 2,500-person organisation.

The 2,500-person figures are the fixed cost a region pays per organisation, so they are the median of several
runs (open the store, save, load, audit + indicators), each in a fresh store; a big size runs once unless
``--repeats`` asks for more (then the median too). Every size runs in its own process. Not part of the test suite:
``python bench/bench_store.py [--sizes 2500 1000000] [--repeats N]``. Prints a Markdown table with the goals beside
the figures: wall time, and in brackets the process's own CPU time, which says more when other programs share the
machine's cores. The store file is the snapshot as schema 7 packs it (``sferum_lib.store._pack``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DAY = dt.date(2026, 11, 29)
#: Goals of the 1M-people row (seconds): save, load, audit + indicators.
GOALS = {"save_s": 2.0, "load_s": 1.0, "audit_s": 3.0}


def measure(size: int, repeats: int) -> dict[str, float]:
    from sferum_lib.checks import audit, indicators
    from sferum_lib.demo import generate
    from sferum_lib.store import Store

    snapshot = generate(size, as_of=DAY)
    runs: dict[str, list[float]] = {}

    def now() -> tuple[float, float]:
        return time.perf_counter(), time.process_time()

    def timed(name: str, start: tuple[float, float]) -> None:
        runs.setdefault(name, []).append(time.perf_counter() - start[0])
        runs.setdefault(name + "_cpu", []).append(time.process_time() - start[1])

    findings, size_mb = 0, 0.0
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            t = now()
            store = Store(Path(tmp) / "bench.db")
            timed("open_s", t)
            with store:
                t = now()
                number = store.add_snapshot(snapshot, "bench")
                timed("save_s", t)
                t = now()
                loaded = store.snapshot(number)
                timed("load_s", t)
            size_mb = sum(f.stat().st_size for f in Path(tmp).iterdir()) / 2**20
        t = now()
        findings = len(audit(loaded, DAY).findings)
        indicators(loaded, DAY)
        timed("audit_s", t)
    rows = sum(len(t) for t in snapshot.tables.values())
    return {**{k: statistics.median(v) for k, v in runs.items()}, "rows": rows, "findings": findings, "mb": size_mb}


def _child(size: int, repeats: int) -> dict[str, float]:
    args = [sys.executable, __file__, "--stage", str(size), str(repeats)]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"size {size} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _seconds(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 0.1 else f"{seconds * 1000:.0f} ms"


def _cell(r: dict[str, float], key: str, goal: float | None) -> str:
    text = f"{_seconds(r[key])} ({_seconds(r[key + '_cpu'])} CPU)"
    return f"{text}, goal ≤ {goal:g} s" if goal is not None else text


def run(sizes: list[int], repeats: int | None = None) -> str:
    rows = [
        "| people | table rows | store open | store save | store load | store file | audit + indicators | findings |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        r = _child(size, repeats or (1 if size >= 100_000 else 5))
        goal = GOALS if size == 1_000_000 else {}
        rows.append(
            f"| {size:,} | {int(r['rows']):,} | {_cell(r, 'open_s', None)} | {_cell(r, 'save_s', goal.get('save_s'))} "
            f"| {_cell(r, 'load_s', goal.get('load_s'))} | {r['mb']:.1f} MB "
            f"| {_cell(r, 'audit_s', goal.get('audit_s'))} "
            f"| {int(r['findings']):,} |".replace(",", " ")
        )
        print(rows[-1], file=sys.stderr, flush=True)
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_500, 1_000_000])
    parser.add_argument("--repeats", type=int, help="runs of each size (median); default 5, one from 100 000 people")
    parser.add_argument("--stage", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        print(json.dumps(measure(*args.stage)))
        return
    print(run(args.sizes, args.repeats))


if __name__ == "__main__":
    main()
