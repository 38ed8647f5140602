"""The seminar deck works without the internet: built by `sferum seminar slides`, opened from its folder in
headless Chromium with every request beyond file:// refused, it moves to slide 2 on the right arrow key."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sferum_lib import seminar

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--allow-file-access-from-files"]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        pytest.fail("CI must install Debian's chromium (see .ci/run)", pytrace=False)
    pytest.skip("no /usr/bin/chromium here: apt-get install chromium", allow_module_level=True)


#: For each slide: its index and what of it does not fit the screen (none when all fits).
FITS = """() => {
  const bad = [];
  Reveal.configure({ transition: "none", backgroundTransition: "none" });
  for (let i = 0; i < Reveal.getTotalSlides(); i++) {
    Reveal.slide(i);
    const slide = Reveal.getCurrentSlide();
    for (const el of slide.querySelectorAll("table, ul, ol, h1, h2, h3, p")) {
      const r = el.getBoundingClientRect();
      if (r.bottom > window.innerHeight + 1 || r.right > window.innerWidth + 1) bad.push([i, el.tagName, "off screen"]);
    }
    for (const table of slide.querySelectorAll("table")) {
      const last = table.rows[table.rows.length - 1];
      for (const cell of last.cells) {
        const style = getComputedStyle(cell);
        const open = style.borderBottomStyle === "none" || style.borderBottomWidth === "0px";
        if (open) bad.push([i, "table", "open bottom"]);
      }
    }
    for (const area of slide.querySelectorAll(".jp-OutputArea")) {
      if (area.scrollHeight > area.clientHeight + 1) bad.push([i, "output", "scrolls"]);
      if (area.scrollWidth > area.clientWidth + 1) bad.push([i, "output", "too wide"]);
    }
  }
  return bad;
}"""


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    """The deck built through the CLI, then moved elsewhere (as onto a USB stick): nothing may point back."""
    built = tmp_path_factory.mktemp("build") / "слайды"
    sferum = Path(sys.executable).with_name("sferum")
    done = subprocess.run(
        [str(sferum), "seminar", "slides", "--out", str(built)], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert "без интернета" in done.stdout and "Traceback" not in done.stderr
    stick = tmp_path_factory.mktemp("stick") / "семинар"
    shutil.move(str(built), str(stick))
    return stick / seminar.DECK_FILE


def test_the_deck_carries_reveal_beside_it_and_names_no_remote_address(deck):
    text = deck.read_text(encoding="utf-8")
    assert (deck.parent / "reveal.js" / "dist" / "reveal.js").is_file()
    assert 'src="reveal.js/dist/reveal.js"' in text
    # nothing is loaded from elsewhere: no remote script, style, font or module (addresses in comments are harmless)
    remote = r"""(?:src|href)=["']?(?:https?:)?//[^"' >]+|url\(["']?(?:https?:)?//[^)]+|from ["']https?://"""
    assert re.findall(remote, text) == []
    assert "Чаты объединения" in text and "seminar.duties_slide" not in text


def test_the_deck_moves_to_slide_two_with_the_network_blocked(deck, tmp_path):
    from playwright.sync_api import sync_playwright

    refused: list[str] = []

    def only_files(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ru-RU")
            context.route("**/*", only_files)
            page = context.new_page()
            page.goto(deck.as_uri())
            page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
            assert page.evaluate("Reveal.getIndices().h") == 0
            assert "за 15 минут" in page.locator(".slides > section.present").text_content()
            page.keyboard.press("ArrowRight")
            page.wait_for_function("Reveal.getIndices().h === 1", timeout=10_000)
            present = page.locator(".slides > section.present")
            assert "Роли по положению" in present.text_content()
            if os.environ.get("SFERUM_SCREENSHOTS"):
                page.wait_for_timeout(1000)  # the slide transition
                page.screenshot(path=str(Path(os.environ["SFERUM_SCREENSHOTS"]) / "deck-slide-2.png"))
            # every slide fits a 1280×800 screen: nothing below its bottom edge, no table wider than the slide,
            # no output that needs scrolling to be read, no table whose last row looks cut off (no bottom border)
            overflow = page.evaluate(FITS)
            assert overflow == [], overflow
        finally:
            browser.close()
    assert refused == []  # the page asked nothing of the network
