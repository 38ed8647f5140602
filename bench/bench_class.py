"""Benchmark: a class on one laptop — 1, 10 and 30 participants of ``sferum app admin`` at once.

For each class size a fresh app is served (as ``sferum app admin --session … --places N`` serves it, N the
participants; ``--places-factor`` gives a margin) with its places prepared in advance (``--pool``: by default one
preheated kernel per place, as ``sferum app`` does; 0 starts each kernel when its participant arrives). The bench
waits until the app reports every place ready (the methodist's "Все места готовы"), then one headless Chromium
opens a page per participant, each in its own context (its own cookies, as separate computers). Every participant
opens the app, waits for the first screen (the name field), enters a name, presses «Начать» and performs the first
step (the action button, until «Готово:»). Measured per participant: time to the first screen and time to the
completed step; then the memory of every participant kernel (RSS and USS via psutil) and of the Voilà server,
while all kernels are alive, and the CPU time used from the arrivals on by the kernels, Voilà and the Chromium
playing the participants (on a real class each participant's browser runs on their own computer). ``--arrival S``
spreads the arrivals evenly over S seconds instead of all at the same instant.

The default client, ``wire``, is each participant's browser as the server sees it on a first visit (a cold cache: in
a class everyone opens the address for the first time): the page, its script and style files over six kept-alive
connections, compressed answers accepted, then the widgets over the kernel's websocket in the page's own binary
protocol (v1); ``--client chromium`` runs a real headless Chromium per participant on the same cores.
``--profile PREFIX`` writes a cProfile of the Voilà process (processor time) during the arrivals.

Not part of the test suite: ``python bench/bench_class.py [--sizes 1 10 30] [--arrival 0] [--pool -1]``. Prints a
Markdown table and appends it, with what else was running on the machine, to bench/results-class.md
(``--no-save``: not).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import statistics
import tempfile
import time
import uuid
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
    hold: asyncio.Event = field(default_factory=asyncio.Event)  # a wire participant's page stays open until set


@dataclass
class Run:
    size: int
    arrival: float
    client: str = "wire"
    participants: list[Participant] = field(default_factory=list)
    kernels_rss: list[int] = field(default_factory=list)
    kernels_uss: list[int] = field(default_factory=list)
    kernels_cpu: list[float] = field(default_factory=list)  # CPU seconds (user + system) each kernel used
    server_cpu: float = 0.0
    client_cpu: float = 0.0  # CPU seconds of the Chromium playing the participants, from the arrivals on
    warm_up: float = 0.0  # seconds from the start of the app to every place ready
    warm_cpu: float = 0.0  # CPU seconds the kernels used to get ready (median per kernel)
    pool: int = 0
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


def cpu_of(process: psutil.Process) -> float:
    with contextlib.suppress(psutil.Error):
        return sum(process.cpu_times()[:2])
    return 0.0


def chromium_cpu() -> float:
    """CPU seconds of every Chromium process this bench started (the participants' browsers)."""
    return sum(cpu_of(c) for c in psutil.Process().children(recursive=True) if c.name().startswith("chrom"))


# --- a participant's browser as the server sees it: the page, its files, the widgets over the kernel's websocket -----


#: The kernel websocket protocol of Voilà's page (JupyterLab's services): binary frames the server relays without
#: decoding them.
PROTOCOL = "v1.kernel.websocket.jupyter.org"


class Wire:
    """The kernel's websocket as Voilà's page uses it (Jupyter's v1 protocol, the widget protocol 2)."""

    def __init__(self, socket_) -> None:
        self.socket = socket_
        self.session = uuid.uuid4().hex
        self.states: dict[str, dict] = {}  # model id -> the widget's state, as the page's widget manager keeps it

    async def send(self, msg_type: str, content: dict, metadata: dict | None = None) -> None:
        header = {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "",
            "session": self.session,
            "date": dt.datetime.now(dt.UTC).isoformat(),
            "version": "5.3",
        }
        from jupyter_server.services.kernels.connection.base import serialize_msg_to_ws_v1

        parts = [json.dumps(part).encode() for part in (header, {}, metadata or {}, content)]
        await self.socket.send(serialize_msg_to_ws_v1(parts, "shell"))

    async def widget(self, model_id: str, data: dict) -> None:
        await self.send("comm_msg", {"comm_id": model_id, "data": data}, {"version": "2.1.0"})

    async def until(self, found, seconds: float = 300):
        """Read the kernel's messages, keeping the widgets' states, until ``found(states)`` gives something."""
        deadline = time.monotonic() + seconds
        while True:
            hit = found(self.states)
            if hit:
                return hit
            from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1

            raw = await asyncio.wait_for(self.socket.recv(), max(0.1, deadline - time.monotonic()))
            _, parts = deserialize_msg_from_ws_v1(raw)
            kind, content = json.loads(parts[0])["msg_type"], json.loads(parts[3])
            data = content.get("data", {})
            if kind == "comm_open" and "state" in data:
                self.states[content["comm_id"]] = dict(data["state"])
            elif kind == "comm_msg" and data.get("method") == "update":
                self.states.setdefault(content["comm_id"], {}).update(data["state"])
            elif kind == "comm_msg" and data.get("method") == "update_states":
                for model_id, model in data["states"].items():
                    self.states.setdefault(model_id, {}).update(model["state"])


def _find(states: dict[str, dict], **wanted) -> str | None:
    for model_id, state in states.items():
        if all(state.get(k) == v for k, v in wanted.items()):
            return model_id
    return None


def _done(states: dict[str, dict]) -> bool:
    return any("Готово:" in str(state.get("value", "")) for state in states.values())


async def record_assets(base: str) -> list[str]:
    """The files Voilà's page loads (scripts, styles, fonts), recorded once from a real Chromium."""
    from playwright.async_api import async_playwright

    urls: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = await browser.new_context()
        await context.route(
            "**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort()
        )
        context.on("request", lambda r: urls.append(r.url) if "/voila/" in r.url or "/static/" in r.url else None)
        page = await context.new_page()
        await page.goto(base, timeout=300_000)
        await page.get_by_placeholder("Фамилия Имя").wait_for(timeout=300_000)
        await browser.close()
    return sorted({u[len(base) - 1 :] for u in urls if u.startswith(base) and "/api/" not in u})


class Connection:
    """One of a browser's connections to the server: HTTP/1.1 requests one after another on one kept-alive socket
    (a browser opens six per host), a cold cache (a participant opens the address for the first time), compressed
    answers accepted and not unpacked (the participant's own device would do that)."""

    def __init__(self, base: str, cookies: str) -> None:
        from urllib.parse import urlsplit

        url = urlsplit(base)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.cookies = cookies
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, path: str) -> int:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nConnection: keep-alive\r\n"
            f"Accept: */*\r\nAccept-Encoding: gzip, deflate, br\r\nCookie: {self.cookies}\r\n\r\n".encode()
        )
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:] if line)}
        if fields.get("transfer-encoding", "").lower() == "chunked":
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await reader.readexactly(size + 2)
            await reader.readuntil(b"\r\n")
        else:
            await reader.readexactly(int(fields.get("content-length", 0)))
        if fields.get("connection", "").lower() == "close":
            self.close()
        if status >= 400:
            raise RuntimeError(f"{path}: HTTP {status}")
        return status

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def wire_participant(base: str, assets: list[str], who: Participant, delay: float, button: str) -> None:
    """One participant at the protocol level: what their own browser would ask of the server, without rendering."""
    import websockets
    from tornado.httpclient import AsyncHTTPClient, HTTPClientError

    await asyncio.sleep(delay)
    client = AsyncHTTPClient()
    start = time.perf_counter()
    try:
        try:
            page = await client.fetch(base, request_timeout=300, connect_timeout=300)
        except HTTPClientError as exc:
            if exc.code == 503:
                who.error = "мест нет (503)"
                return
            raise
        cookies = "; ".join(c.split(";")[0] for c in page.headers.get_list("Set-Cookie"))
        html = page.body.decode()
        kernel = re.search(r'"kernelId": "([0-9a-f-]+)"', html).group(1)
        queue = list(assets)

        async def connection() -> None:
            browser = Connection(base, cookies)
            try:
                while queue:
                    await browser.get(queue.pop(0))
            finally:
                browser.close()

        # as a browser: six kept-alive connections to one host, each taking the next file when it is free
        await asyncio.wait_for(asyncio.gather(*(connection() for _ in range(6))), 300)
        url = f"ws{base[4:].rstrip('/')}/api/kernels/{kernel}/channels?session_id={uuid.uuid4().hex}"
        async with websockets.connect(
            url, additional_headers={"Cookie": cookies}, max_size=None, subprotocols=[PROTOCOL]
        ) as socket_:
            wire = Wire(socket_)
            await wire.send("kernel_info_request", {})
            control = uuid.uuid4().hex
            await wire.send(
                "comm_open",
                {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
                {"version": "1.0.0"},
            )
            await wire.send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
            name = await wire.until(lambda s: _find(s, placeholder="Фамилия Имя"))
            who.first_screen = time.perf_counter() - start  # the name field's state is in the page
            if not button:  # first screens only
                await who.hold.wait()
                return
            begin = _find(wire.states, description="Начать")
            await wire.widget(name, {"method": "update", "state": {"value": who.name}, "buffer_paths": []})
            await wire.widget(begin, {"method": "custom", "content": {"event": "click"}})
            action = await wire.until(lambda s: _find(s, description=button, _model_name="ButtonModel"))
            await wire.widget(action, {"method": "custom", "content": {"event": "click"}})
            await wire.until(_done)
            who.step_done = time.perf_counter() - start
            await who.hold.wait()  # the page stays open (its kernel alive) until the memory is measured
    except Exception as exc:  # a bench records a failure and goes on: the table shows it
        who.error = type(exc).__name__ + ": " + str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__


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


async def run_class(
    size: int, arrival: float, work: Path, places: int, pool: int, client: str, steps: bool = True
) -> Run:
    from playwright.async_api import async_playwright

    from sferum_lib.app import serve, stop, wait_ready
    from sferum_lib.training import STEPS, Training

    button = STEPS[ROLE][0].button if steps else ""
    session = work / f"class-{size}"
    shutil.rmtree(session, ignore_errors=True)
    port = free_port()
    result = Run(size, arrival, load_before=os.getloadavg(), pool=pool, client=client)
    started = time.perf_counter()
    server = serve(ROLE, session, port, places=places, pool=pool)
    try:
        wait_ready(server, "127.0.0.1", port)
        while server.pool and server.status()["warmed"] < server.status()["target"]:  # "Все места готовы"
            if server.process.poll() is not None:
                raise SystemExit("Voilà stopped while the places were warming")
            await asyncio.sleep(0.2)
        result.warm_up = time.perf_counter() - started
        warm = {k.pid: cpu_of(k) for k in kernels_of(server.process.pid)}
        result.warm_cpu = statistics.median(warm.values()) if warm else 0.0
        url = f"http://127.0.0.1:{port}/"
        result.participants = [Participant(f"Участник{i + 1:02d} Бенч") for i in range(size)]
        step = arrival / size if size else 0
        async with contextlib.AsyncExitStack() as stack:
            browser = None
            if client == "chromium":
                p = await stack.enter_async_context(async_playwright())
                browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            client_before = chromium_cpu() if browser else cpu_of(psutil.Process())
            voila_before = cpu_of(psutil.Process(server.process.pid))
            profiling = bool(PROFILE.get("path"))
            if profiling:  # the Voilà process profiles itself from here to the last arrival (see PROFILER)
                os.kill(server.process.pid, signal.SIGUSR1)
                await asyncio.sleep(0.5)
            t = time.perf_counter()
            if browser:
                arrivals = [participant(browser, url, w, i * step, button) for i, w in enumerate(result.participants)]
                await asyncio.gather(*arrivals)
            else:
                from tornado.httpclient import AsyncHTTPClient

                AsyncHTTPClient.configure(None, max_clients=6 * size + 10)  # a browser opens 6 connections a host
                assets = ASSETS.get("list") or []
                tasks = [
                    asyncio.create_task(wire_participant(url, assets, w, i * step, button))
                    for i, w in enumerate(result.participants)
                ]
                while not all(w.step_done or w.error or (w.first_screen and not button) for w in result.participants):
                    await asyncio.sleep(0.1)
            result.wall = time.perf_counter() - t
            if profiling:
                os.kill(server.process.pid, signal.SIGUSR1)
                await asyncio.sleep(0.5)
            result.client_cpu = (chromium_cpu() if browser else cpu_of(psutil.Process())) - client_before
            await asyncio.sleep(2)  # kernels settle after the last reply
            for k in kernels_of(server.process.pid):
                try:
                    info = k.memory_full_info()
                except psutil.Error:
                    continue
                result.kernels_rss.append(info.rss)
                result.kernels_uss.append(info.uss)
                # from the arrivals on: what the participant's first screen and step cost their kernel
                result.kernels_cpu.append(cpu_of(k) - warm.get(k.pid, 0.0))
            voila = psutil.Process(server.process.pid)
            result.server_rss = voila.memory_info().rss
            result.server_cpu = cpu_of(voila) - voila_before
            if browser:
                browser_process = next(
                    (c for c in psutil.Process().children(recursive=True) if c.name().startswith("chrom")), None
                )
                result.browser_rss = browser_rss(browser_process.pid) if browser_process else 0
                await browser.close()
            else:
                for w in result.participants:
                    w.hold.set()
                await asyncio.gather(*tasks)
        # the first step's action stored in the participant's practice organisation (its questions are not asked)
        result.completed = sum(
            bool(Training(session, w.name, ROLE).progress()[0].performed)
            for w in result.participants
            if (session / w.name.replace(" ", "_")).is_dir()
        )
    finally:
        stop(server)
    return result


#: ``--profile``: where the Voilà process writes its profile of the arrivals.
PROFILE: dict[str, str] = {}
#: ``--profile``: a sitecustomize for the Voilà process only: SIGUSR1 starts cProfile, the next SIGUSR1 writes the
#: statistics to $SFERUM_BENCH_PROFILE-N.prof (N counts the runs).
PROFILER = """
import os, signal
if b"sferum_lib.app" in open("/proc/self/cmdline", "rb").read():
    import cProfile, time
    state = {"on": None, "n": 0}
    def toggle(signum, frame):
        if state["on"] is None:
            state["on"] = cProfile.Profile(time.process_time)
            state["on"].enable()
        else:
            state["on"].disable()
            state["n"] += 1
            state["on"].dump_stats(f"{os.environ['SFERUM_BENCH_PROFILE']}-{state['n']}.prof")
            state["on"] = None
    signal.signal(signal.SIGUSR1, toggle)
"""

#: The files Voilà's page loads, recorded once per bench run (see :func:`record_assets`).
ASSETS: dict[str, list[str]] = {}


async def assets_of_the_page(work: Path) -> list[str]:
    from sferum_lib.app import serve, stop, wait_ready

    port = free_port()
    server = serve(ROLE, work / "assets", port, places=1, pool=0)
    try:
        wait_ready(server, "127.0.0.1", port)
        return await record_assets(f"http://127.0.0.1:{port}/")
    finally:
        stop(server)


def _s(values: list[float]) -> str:
    return f"{statistics.median(values):.1f} / {max(values):.1f}" if values else "—"


def _mb(values: list[int]) -> str:
    return f"{statistics.median(values) / MB:.0f} / {max(values) / MB:.0f}" if values else "—"


def table(runs: list[Run]) -> str:
    lines = [
        "| participants | client | places prepared | warm-up, s (CPU s per kernel) | arrivals over, s "
        "| first screen, s (median / max) | step done, s (median / max) "
        "| under 5 s | steps stored | kernel RSS, MB (median / max) | kernel USS, MB (median / max) "
        "| kernels RSS total, MB | Voilà RSS, MB | Chromium RSS, MB | CPU s per kernel after arrival (median) "
        "| Voilà CPU s after arrival | client CPU s | errors |",
        "|---:|---|---:|---|---:|---|---|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in runs:
        firsts = [p.first_screen for p in r.participants if p.first_screen is not None]
        steps = [p.step_done for p in r.participants if p.step_done is not None]
        under = sum(1 for f in firsts if f < GOAL_S)
        errors = "; ".join(sorted({p.error for p in r.participants if p.error})) or "—"
        warm = f"{r.warm_up:.0f} ({r.warm_cpu:.1f})" if r.pool else "—"
        lines.append(
            f"| {r.size} | {r.client} | {r.pool} | {warm} | {r.arrival:.0f} | {_s(firsts)} | {_s(steps)} "
            f"| {under}/{r.size} | {r.completed}/{r.size} "
            f"| {_mb(r.kernels_rss)} | {_mb(r.kernels_uss)} | {sum(r.kernels_rss) / MB:.0f} "
            f"| {r.server_rss / MB:.0f} | {r.browser_rss / MB:.0f} "
            f"| {statistics.median(r.kernels_cpu) if r.kernels_cpu else 0:.1f} | {r.server_cpu:.1f} "
            f"| {r.client_cpu:.0f} | {errors} |"
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
        "--places-factor", type=float, default=1.0, help="places served per participant (1: exactly as many)"
    )
    parser.add_argument(
        "--pool", type=int, default=-1, help="places prepared in advance (-1: all, as `sferum app`; 0: none)"
    )
    parser.add_argument(
        "--client",
        choices=("wire", "chromium"),
        default="wire",
        help="wire: each participant's browser as the server sees it (the page, its files, the widgets over the "
        "kernel's websocket), so that thirty browsers do not share this machine's cores with the server; "
        "chromium: a real headless Chromium page per participant, on the same cores",
    )
    parser.add_argument(
        "--first-only",
        action="store_true",
        help="wire client: stop at the first screen, so that the CPU columns are what first screens alone cost",
    )
    parser.add_argument(
        "--profile", default="", help="profile the Voilà process (cProfile) during the arrivals into PREFIX-N.prof"
    )
    parser.add_argument("--no-save", action="store_true", help="do not append to bench/results-class.md")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit("нужен /usr/bin/chromium: apt-get install chromium")

    home = args.work / "home"  # Voilà, kernels and Chromium write under ~: keep it out of the user's
    home.mkdir(parents=True, exist_ok=True)
    os.environ["HOME"] = str(home)
    if args.profile:
        PROFILE["path"] = str(Path(args.profile).resolve())
        site = args.work / "profiler"
        site.mkdir(parents=True, exist_ok=True)
        (site / "sitecustomize.py").write_text(PROFILER, encoding="utf-8")
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), str(site)) if p)
        os.environ["SFERUM_BENCH_PROFILE"] = PROFILE["path"]
    before = machine()
    runs = []
    for size in args.sizes:
        places = max(size, round(size * args.places_factor))
        pool = places if args.pool < 0 else min(args.pool, places)
        if args.client == "wire" and "list" not in ASSETS:
            ASSETS["list"] = asyncio.run(assets_of_the_page(args.work))
        run = asyncio.run(run_class(size, args.arrival, args.work, places, pool, args.client, not args.first_only))
        runs.append(run)
        print(table([run]).splitlines()[-1], flush=True)
    text = (
        f"### Class of {', '.join(map(str, args.sizes))} participants, `sferum app {ROLE}` "
        f"({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; arrivals over {args.arrival:.0f} s; places: "
        f"{args.places_factor:g} × participants; prepared in advance: {'all' if args.pool < 0 else args.pool}"
        f"{'; first screens only' if args.first_only else ''})\n\n"
        f"Machine at the start: {before}.\n\n{table(runs)}\n"
    )
    print(text)
    if not args.no_save:
        with (HERE / "results-class.md").open("a", encoding="utf-8") as f:
            f.write("\n" + text)


if __name__ == "__main__":
    main()
