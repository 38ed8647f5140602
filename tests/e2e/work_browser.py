"""What the browser tests of the work pages share: a Voilà app over a store, Debian's Chromium, a page per
browser, screenshots on request (``SFERUM_SCREENSHOTS=FOLDER``)."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from sferum_lib.app import serve, stop
from tests.e2e.test_app_browser import ARGS, CHROMIUM, free_port, wait_for

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example.xlsx"  # the shared example, copied
if not EXAMPLE.exists():
    EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example.xlsx"
AS_OF = "2026-10-15"  # the day the example's expected audit is stated for


@contextlib.contextmanager
def work_app(role: str, root: Path, store: Path) -> Iterator[str]:
    """``sferum app ROLE --store`` on a free port of the loopback; yields its address."""
    home = root / "home"
    home.mkdir(exist_ok=True)
    old_home = os.environ.get("HOME")
    os.environ["HOME"] = str(home)  # Voilà, the kernel and Chromium write under ~
    port = free_port()
    server = serve(role, root / f"{role}-browsers", port, store=store)
    try:
        wait_for(port)
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop(server)
        if old_home is not None:
            os.environ["HOME"] = old_home
        shutil.rmtree(home, ignore_errors=True)


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser, url: str, ready: str):
    """A page in its own context (its own cookies: another computer's browser), at 1280×800, loaded until the
    button ``ready`` shows; the day of the audit set to :data:`AS_OF`."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ru-RU", accept_downloads=True)
    # Voilà's page asks a public CDN for icons: never wait on the network
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1") else route.abort(),
    )
    page = context.new_page()
    page.goto(url, timeout=90_000)
    page.get_by_role("button", name=ready).wait_for(timeout=120_000)
    page.locator("input[type=date]").fill(AS_OF)
    page.locator("input[type=date]").dispatch_event("change")
    return page


def shot(page, name: str) -> None:
    folder = os.environ.get("SFERUM_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name), full_page=True)
