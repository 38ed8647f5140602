"""Benchmark of reports: one report against papermill's own empty-notebook run, and `report all` against the slowest.

All are run as commands, side by side, alternating, several times; medians are printed with their goals:
- `sferum report audit` (the demo organisation) ≤ 0.75 × `papermill empty.ipynb out.ipynb` (papermill as installed);
- `sferum report all` ≤ 1.5 × the slowest single report;
- the import time of the commands that start Python (`python -X importtime`): `sferum --help`, `sferum audit`,
  `sferum report audit` (this process), a report kernel's start-up, `import papermill` with and without
  rfc3987_syntax kept out.
With ``--people N`` the store is a generated organisation of N people (``sferum demo --size``) and only
`report all` and the slowest single report are timed (the 1 000 000-people row of the scale table).
With ``--again N``: `sferum report all --out отчёты` N times in a row as a user types it (in the store's folder,
relative paths), checking after each run that every report landed in ./отчёты and shows the right organisation.
The machine's load average is printed with the figures: on a shared machine they move with it.
Not part of the test suite: ``python bench/bench_reports.py [--runs 5] [--people N] [--again 10]``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
ONE_GOAL, ALL_GOAL = 0.75, 1.5


def timed(command: list[str], **kwargs) -> float:
    start = time.perf_counter()
    subprocess.run([str(c) for c in command], check=True, capture_output=True, **kwargs)
    return time.perf_counter() - start


def timed_cpu(command: list[str], **kwargs) -> tuple[float, float]:
    """Wall and processor seconds of a command with its children (the report kernels): on a shared machine the
    wall time moves with the others' load, the processor time much less."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = timed(command, **kwargs)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def import_seconds(code: str, env: dict[str, str] | None = None) -> float:
    """Total import time of ``code`` in a fresh interpreter, as ``-X importtime`` reports it (top-level sum)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, env=env, check=True
    )
    total = 0
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)", line)
        if match and not match.group(2).startswith(" "):  # a top-level import: its cumulative time counts once
            total += int(match.group(1))
    return total / 1e6


def imports() -> list[tuple[str, float]]:
    """Import cost of what each command loads before it does anything."""
    guard = "import sys; sys.modules['rfc3987_syntax'] = None; "
    return [
        ("import papermill (as installed)", import_seconds("import papermill")),
        ("import papermill, rfc3987_syntax kept out", import_seconds(guard + "import papermill")),
        ("sferum --help / sferum audit (sferum_lib.cli)", import_seconds("import sferum_lib.cli")),
        (
            "sferum report audit, this process (cli + runner + papermill)",
            import_seconds("import sferum_lib.cli, sferum_lib.reports.runner, papermill"),
        ),
        ("sferum audit, the command's own imports", import_seconds("import sferum_lib.cli, sferum_lib.render")),
        (
            "report kernel start-up (ipykernel + warm-up)",
            import_seconds("import ipykernel.kernelapp; import sferum_lib.reports.kernels as k; k.warm_up(True)"),
        ),
        ("jupyter_server (sferum app)", import_seconds(guard + "import jupyter_server.serverapp")),
    ]


def empty_notebook(path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("pass")]
    nbformat.write(nb, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--people", type=int, default=0, help="a generated organisation of this many people")
    parser.add_argument("--again", type=int, default=0, help="only run `report all` this many times in a row")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sferum-bench-"))
    store = work / "demo" / "demo.db"
    demo = [BIN / "sferum", "demo", "--out", work / "demo", "--no-reports"]
    if args.people:
        demo += ["--size", str(args.people)]
    subprocess.run([str(c) for c in demo], check=True, capture_output=True)
    if args.again:
        again(work / "demo", args.again)
        return
    from sferum_lib.reports import REPORTS

    sferum = [BIN / "sferum", "report"]
    print(f"load average before: {load()} (cores: {os.cpu_count()})")
    if args.people:
        single = {n: timed_cpu([*sferum, n, "--store", store, "--out", work / "s"]) for n in REPORTS}
        wall, cpu = timed_cpu([*sferum, "all", "--store", store, "--out", work / "a"])
        slowest = max(single, key=lambda n: single[n][0])
        print(
            f"{args.people} people; single reports (wall / processor): "
            + ", ".join(f"{k} {w:.1f} / {c:.1f} s" for k, (w, c) in single.items())
        )
        print(
            f"sferum report all: {wall:.1f} s wall, {cpu:.1f} s processor on {os.cpu_count()} cores "
            f"(slowest single, {slowest}: {single[slowest][0]:.1f} s); goal ≤ 60 s"
        )
        print(f"load average after: {load()}")
        return

    for name, seconds in imports():
        print(f"import: {name}: {seconds:.2f} s")
    empty = work / "empty.ipynb"
    empty_notebook(empty)
    ours, theirs = [], []
    for _ in range(args.runs):  # alternate, so a busy moment hurts both alike
        theirs.append(timed([BIN / "papermill", empty, work / "empty-out.ipynb", "-k", "python3"]))
        ours.append(timed([*sferum, "audit", "--store", store, "--out", work / "r"]))
    singles: dict[str, list[float]] = {n: [] for n in REPORTS}
    alls = []
    for _ in range(max(1, args.runs // 2)):
        for name in REPORTS:
            singles[name].append(timed([*sferum, name, "--store", store, "--out", work / "s"]))
        alls.append(timed([*sferum, "all", "--store", store, "--out", work / "a"]))

    ours_m, theirs_m = statistics.median(ours), statistics.median(theirs)
    single = {k: statistics.median(v) for k, v in singles.items()}
    slowest = max(single, key=single.get)
    everything = statistics.median(alls)
    print(f"papermill, empty notebook (median of {args.runs}): {theirs_m:.2f} s")
    print(f"sferum report audit, demo (median of {args.runs}):  {ours_m:.2f} s")
    print(f"ratio: {ours_m / theirs_m:.2f} (goal ≤ {ONE_GOAL})")
    print("single reports (median): " + ", ".join(f"{k} {v:.2f} s" for k, v in single.items()))
    print(
        f"sferum report all (median of {len(alls)}): {everything:.2f} s; slowest single ({slowest}) "
        f"{single[slowest]:.2f} s; ratio {everything / single[slowest]:.2f} (goal ≤ {ALL_GOAL})"
    )
    print(f"load average after: {load()}")


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
        names = [
            json.loads((folder / "отчёты" / f"{n}.json").read_text(encoding="utf-8"))["organisation"] for n in REPORTS
        ]
        nested = (folder / "отчёты" / "отчёты").exists()
        ok = done.returncode == 0 and len(set(names)) == 1 and not nested
        print(
            f"run {run}: {seconds[-1]:.1f} s, exit {done.returncode}, organisation {names[0]}, "
            f"{'ok' if ok else 'WRONG'}"
        )
    print(f"report all × {times}: median {statistics.median(seconds):.1f} s, max {max(seconds):.1f} s")


if __name__ == "__main__":
    main()
