"""Benchmark: a class on one laptop — 1, 10 and 30 participants of ``sferum app admin`` at once.

For each class size a fresh app is served (as ``sferum app admin --session … --places N`` serves it, N twice the
participants) and one headless Chromium opens a page per participant, each in its own context (its own cookies,
as separate computers). Every participant opens the app, waits for the first screen (the name field), enters a
name, presses «Начать» and performs the first step (the action button, until «Готово:»). Measured per participant:
time to the first screen and time to the completed step; then the memory of every participant kernel (RSS and
USS via psutil) and of the Voilà server, while all kernels are alive, and the CPU time they used (a figure the
machine's other load does not inflate much: on an idle machine a first screen takes about that long).
``--arrival S`` spreads the arrivals evenly over S seconds instead of all at the same instant.

Not part of the test suite: ``python bench/bench_class.py [--sizes 1 10 30] [--arrival 0]``. Prints a Markdown
table and appends it, with what else was running on the machine, to bench/results-class.md (``--no-save``: not).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import shutil
import socket
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
GOAL_S = 5.0
ROLE = "admin"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
MB = 1024 * 1024


@dataclass
class Participant:
    name: str
    first_screen: float | None = None  # seconds from opening the address to the name field
    step_done: float | None = None  # seconds from opening the address to the first step's «Готово:»
    error: str = ""


@dataclass
class Run:
    size: int
    arrival: float
    participants: list[Participant] = field(default_factory=list)
    kernels_rss: list[int] = field(default_factory=list)
    kernels_uss: list[int] = field(default_factory=list)
    kernels_cpu: list[float] = field(default_factory=list)  # CPU seconds (user + system) each kernel used
    server_cpu: float = 0.0
    server_rss: int = 0
    browser_rss: int = 0
    completed: int = 0
    wall: float = 0.0
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kernels_of(pid: int) -> list[psutil.Process]:
    return [
        p
        for p in psutil.Process(pid).children(recursive=True)
        if "ipykernel" in " ".join(p.cmdline()) or "ipykernel_launcher" in " ".join(p.cmdline())
    ]


def browser_rss(pid: int) -> int:
    total = 0
    for p in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


async def participant(browser, url: str, who: Participant, delay: float, button: str) -> None:
    await asyncio.sleep(delay)
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="ru-RU")
    # Voilà's page asks a public CDN for icons: only this machine's app is reached
    await context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1") else route.abort(),
    )
    page = await context.new_page()
    start = time.perf_counter()
    try:
        response = await page.goto(url, timeout=300_000)
        if response is not None and response.status == 503:  # the app's «мест нет» page
            who.error = "мест нет (503)"
            return
        field_ = page.get_by_placeholder("Фамилия Имя")
        await field_.wait_for(timeout=300_000)
        who.first_screen = time.perf_counter() - start
        await field_.fill(who.name)
        await page.get_by_role("button", name="Начать").click()
        await page.get_by_role("button", name=button).click(timeout=300_000)
        await page.get_by_text("Готово:").first.wait_for(timeout=300_000)
        who.step_done = time.perf_counter() - start
    except Exception as exc:  # a bench records a failure and goes on: the table shows it
        who.error = type(exc).__name__ + ": " + str(exc).splitlines()[0][:120]
    # the page stays open (its kernel alive) until the memory is measured


async def run_class(size: int, arrival: float, work: Path, places: int) -> Run:
    from playwright.async_api import async_playwright

    from sferum_lib.app import serve, stop, wait_ready
    from sferum_lib.training import STEPS, Training

    button = STEPS[ROLE][0].button
    session = work / f"class-{size}"
    shutil.rmtree(session, ignore_errors=True)
    port = free_port()
    result = Run(size, arrival, load_before=os.getloadavg())
    server = serve(ROLE, session, port, places=places)
    try:
        wait_ready(server, "127.0.0.1", port)
        url = f"http://127.0.0.1:{port}/"
        result.participants = [Participant(f"Участник{i + 1:02d} Бенч") for i in range(size)]
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            step = arrival / size if size else 0
            t = time.perf_counter()
            await asyncio.gather(
                *(participant(browser, url, who, i * step, button) for i, who in enumerate(result.participants))
            )
            result.wall = time.perf_counter() - t
            await asyncio.sleep(2)  # kernels settle after the last reply
            for k in kernels_of(server.process.pid):
                try:
                    info = k.memory_full_info()
                except psutil.Error:
                    continue
                result.kernels_rss.append(info.rss)
                result.kernels_uss.append(info.uss)
                with contextlib.suppress(psutil.Error):
                    result.kernels_cpu.append(sum(k.cpu_times()[:2]))
            voila = psutil.Process(server.process.pid)
            result.server_rss = voila.memory_info().rss
            result.server_cpu = sum(voila.cpu_times()[:2])
            browser_process = next(
                (c for c in psutil.Process().children(recursive=True) if c.name().startswith("chrom")), None
            )
            result.browser_rss = browser_rss(browser_process.pid) if browser_process else 0
            await browser.close()
        result.completed = sum(Training(session, w.name, ROLE).completed() >= 1 for w in result.participants)
    finally:
        stop(server)
    return result


def _s(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} / {max(values):.1f}" if values else "—"


def _mb(values: list[int]) -> str:
    return f"{statistics.median(values) / MB:.0f} / {max(values) / MB:.0f}" if values else "—"


def table(runs: list[Run]) -> str:
    lines = [
        "| participants | arrivals over, s | first screen, s (median / max) | step done, s (median / max) "
        "| under 5 s | steps stored | kernel RSS, MB (median / max) | kernel USS, MB (median / max) "
        "| kernels RSS total, MB | Voilà RSS, MB | Chromium (client) RSS, MB | CPU s per kernel (median) "
        "| Voilà CPU s | errors |",
        "|---:|---:|---|---|---:|---:|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in runs:
        firsts = [p.first_screen for p in r.participants if p.first_screen is not None]
        steps = [p.step_done for p in r.participants if p.step_done is not None]
        under = sum(1 for f in firsts if f < GOAL_S)
        errors = "; ".join(sorted({p.error for p in r.participants if p.error})) or "—"
        lines.append(
            f"| {r.size} | {r.arrival:.0f} | {_s(firsts)} | {_s(steps)} | {under}/{r.size} | {r.completed}/{r.size} "
            f"| {_mb(r.kernels_rss)} | {_mb(r.kernels_uss)} | {sum(r.kernels_rss) / MB:.0f} "
            f"| {r.server_rss / MB:.0f} | {r.browser_rss / MB:.0f} "
            f"| {statistics.median(r.kernels_cpu) if r.kernels_cpu else 0:.1f} | {r.server_cpu:.1f} | {errors} |"
        )
    return "\n".join(lines)


def machine() -> str:
    """What else runs here: the figures depend on it (the machine is shared)."""
    mine = {os.getpid(), *(p.pid for p in psutil.Process().children(recursive=True))}
    others = []
    for p in psutil.process_iter(["pid", "name", "cmdline"]):
        if p.info["pid"] in mine:
            continue
        try:
            others.append((p.cpu_percent(interval=None), p))
        except psutil.Error:
            continue
    time.sleep(1.0)
    busy = []
    for _, p in others:
        try:
            busy.append((p.cpu_percent(interval=None), p.info["name"]))
        except psutil.Error:
            continue
    busy.sort(reverse=True)
    top = ", ".join(f"{name} {cpu:.0f}%" for cpu, name in busy[:6] if cpu >= 5) or "nothing above 5 %"
    mem = psutil.virtual_memory()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{psutil.cpu_count()} cores, {mem.total / 1024**3:.0f} GiB ({mem.available / 1024**3:.0f} GiB free); "
        f"load average {load}; {len(others)} other processes; busiest others: {top}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 30])
    parser.add_argument("--arrival", type=float, default=0.0, help="spread the arrivals over this many seconds")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "sferum-bench-class")
    parser.add_argument(
        "--exact-places",
        action="store_true",
        help="serve exactly as many places as participants (default: twice as many, so that no one is refused)",
    )
    parser.add_argument("--no-save", action="store_true", help="do not append to bench/results-class.md")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit("нужен /usr/bin/chromium: apt-get install chromium")

    home = args.work / "home"  # Voilà, kernels and Chromium write under ~: keep it out of the user's
    home.mkdir(parents=True, exist_ok=True)
    os.environ["HOME"] = str(home)
    before = machine()
    runs = []
    for size in args.sizes:
        places = size if args.exact_places else 2 * size
        run = asyncio.run(run_class(size, args.arrival, args.work, places))
        runs.append(run)
        print(table([run]).splitlines()[-1], flush=True)
    text = (
        f"### Class of {', '.join(map(str, args.sizes))} participants, `sferum app {ROLE}` "
        f"({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; arrivals over {args.arrival:.0f} s; places: "
        f"{'as many as participants' if args.exact_places else 'twice the participants'})\n\n"
        f"Machine at the start: {before}.\n\n{table(runs)}\n"
    )
    print(text)
    if not args.no_save:
        with (HERE / "results-class.md").open("a", encoding="utf-8") as f:
            f.write("\n" + text)


if __name__ == "__main__":
    main()
