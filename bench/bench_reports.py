"""Benchmark of report start-up: `sferum report audit` against papermill running an empty notebook.

Both are run as commands, side by side, several times; the medians and their ratio are printed (target ≤ 1.5).
Then `sferum report all` against the slowest single report (target ≤ 2.5× on 2 cores).
Not part of the test suite: ``python bench/bench_reports.py [--runs 5]``.
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
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sferum-bench-"))
    store = work / "demo" / "demo.db"
    subprocess.run([BIN / "sferum", "demo", "--out", work / "demo", "--no-reports"], check=True, capture_output=True)
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


if __name__ == "__main__":
    main()
