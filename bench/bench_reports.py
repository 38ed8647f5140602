"""Benchmark of report start-up: `sferum report audit` against papermill running an empty notebook.

Both are run as commands, side by side, several times; the medians and their ratio are printed (target ≤ 1.5).
Then `sferum report all` against the slowest single report (target ≤ 2.5× on 2 cores).
With ``--again N``: `sferum report all --out отчёты` N times in a row as a user types it (in the store's folder,
relative paths), checking after each run that every report landed in ./отчёты and shows the right organisation.
Not part of the test suite: ``python bench/bench_reports.py [--runs 5] [--again 10]``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

BIN = Path(sys.executable).parent


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--again", type=int, default=0, help="only run `report all` this many times in a row")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sferum-bench-"))
    store = work / "demo" / "demo.db"
    subprocess.run([BIN / "sferum", "demo", "--out", work / "demo", "--no-reports"], check=True, capture_output=True)
    if args.again:
        again(work / "demo", args.again)
        return
    empty = work / "empty.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("pass")]
    nbformat.write(nb, empty)

    ours, theirs = [], []
    for _ in range(args.runs):  # alternate, so a busy moment hurts both alike
        theirs.append(timed([str(BIN / "papermill"), str(empty), str(work / "empty-out.ipynb"), "-k", "python3"]))
        ours.append(timed([str(BIN / "sferum"), "report", "audit", "--store", str(store), "--out", str(work / "r")]))
    single = {}
    from sferum_lib.reports import REPORTS

    for name in REPORTS:
        single[name] = timed([str(BIN / "sferum"), "report", name, "--store", str(store), "--out", str(work / "s")])
    everything = timed([str(BIN / "sferum"), "report", "all", "--store", str(store), "--out", str(work / "a")])

    ours_m, theirs_m = statistics.median(ours), statistics.median(theirs)
    slowest = max(single, key=single.get)
    print(f"papermill, empty notebook (median of {args.runs}): {theirs_m:.2f} s")
    print(f"sferum report audit, demo (median of {args.runs}):  {ours_m:.2f} s")
    print(f"ratio: {ours_m / theirs_m:.2f} (target ≤ 1.5)")
    print("single reports: " + ", ".join(f"{k} {v:.2f} s" for k, v in single.items()))
    print(
        f"sferum report all: {everything:.2f} s; slowest single ({slowest}) {single[slowest]:.2f} s; "
        f"ratio {everything / single[slowest]:.2f} (target ≤ 2.5)"
    )


def again(folder: Path, times: int) -> None:
    """`sferum report all --out отчёты` in the store's folder, ``times`` times; each run checked, each timed."""
    import json

    from sferum_lib.reports import REPORTS

    (folder / "demo.db").rename(folder / "sferum.db")  # the store a user's `sferum import` leaves in their folder
    seconds = []
    for run in range(1, times + 1):
        start = time.perf_counter()
        done = subprocess.run([BIN / "sferum", "report", "all", "--out", "отчёты"], cwd=folder, capture_output=True)
        seconds.append(time.perf_counter() - start)
        names = [json.loads((folder / "отчёты" / f"{n}.json").read_text(encoding="utf-8"))["organisation"]
                 for n in REPORTS]
        nested = (folder / "отчёты" / "отчёты").exists()
        ok = done.returncode == 0 and len(set(names)) == 1 and not nested
        print(f"run {run}: {seconds[-1]:.1f} s, exit {done.returncode}, organisation {names[0]}, "
              f"{'ok' if ok else 'WRONG'}")
    print(f"report all × {times}: median {statistics.median(seconds):.1f} s, max {max(seconds):.1f} s")


if __name__ == "__main__":
    main()
