"""Phones and emails masked wherever a report says they are: every table column, whatever pandas calls text."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from sferum_lib.reports import REPORTS, Report
from sferum_lib.reports.artifacts import about_rows, mask_phone, masked, render_html, scrub, write_all
from sferum_lib.reports.base import Table, validate
from sferum_lib.store import Store
from tests.helpers import D, clean_book, set_cell, snapshot_of

AS_OF = "2026-10-15"
PHONE, EMAIL = "8 (978) 123-45-67", "ivan.petrov@mail.ru"
CONTACT = f" звоните {PHONE}, пишите {EMAIL}"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    """A chat and a section named with a phone and an email in them, and a stale link to that chat."""
    book = clean_book()
    set_cell(book, "Чаты", "K2", "Название", "Робототехника — родители" + CONTACT)
    set_cell(book, "Объединения", "RT", "Название", "Робототехника" + CONTACT)
    book["Ссылки-приглашения"].append(["I2", D(2026, 9, 1), "E02", "чат:K2", "родитель", "", "", ""])
    path = tmp_path_factory.mktemp("store") / "s.db"
    with Store(path) as st:
        st.add_snapshot(snapshot_of(book), "book.xlsx")
    return str(path)


def _data(name: str, store: str, tmp_path, **extra):
    report = Report(
        REPORTS[name], validate(REPORTS[name], {"store": store, "as_of": AS_OF, "out_dir": str(tmp_path), **extra})
    )
    return report.build()


def test_a_russian_trunk_eight_number_is_masked_as_plus_seven():
    assert mask_phone("8 (978) 123-45-67") == "+7 978 ***-**-67"
    assert mask_phone("+7 978 123 45 67") == "+7 978 ***-**-67"
    assert mask_phone("9781234567") == "+7 978 ***-**-67"
    assert scrub("звоните 8 (978) 123-45-67") == "звоните +7 978 ***-**-67"


@pytest.mark.parametrize("dtype", [object, "str", "string", "category"])
def test_masked_scrubs_text_columns_of_every_text_dtype(dtype):
    frame = pd.DataFrame({"Чат": pd.Series(["Родители" + CONTACT], dtype=dtype), "n": [1]})
    shown = masked(Table("t", "Т", frame)).iloc[0]["Чат"]
    assert PHONE not in shown and EMAIL not in shown and "+7 978 ***-**-67" in shown and "i***@mail.ru" in shown


@pytest.mark.parametrize("name", ["audit", "invites", "max-migration", "usage"])
def test_report_html_and_json_hide_a_phone_and_email_inside_a_name(store, tmp_path, name):
    data = _data(name, store, tmp_path)
    assert any(CONTACT.strip() in str(v) for t in data.tables for v in t.frame.astype(str).to_numpy().ravel())
    page = render_html(data, mask=True)
    assert "телефоны и email скрыты" in page  # names stay: the reports are for those who act on them
    assert "123-45-67" not in page and EMAIL not in page, name
    assert "+7 978 ***-**-67" in page
    paths = write_all(data, tmp_path, mask=True)
    text = paths["json"].read_text(encoding="utf-8")
    assert "123-45-67" not in text and EMAIL not in text
    unmasked = render_html(data, mask=False)
    assert PHONE in unmasked and EMAIL in unmasked


def test_usage_chart_masks_section_names(store, tmp_path, monkeypatch):
    from sferum_lib.reports import charts

    seen: list[list[str]] = []
    original = charts.png_bytes

    def spy(fig):
        seen.extend([t.get_text() for t in ax.get_yticklabels()] for ax in fig.axes)
        return original(fig)

    monkeypatch.setattr(charts, "png_bytes", spy)
    _data("usage", store, tmp_path)
    labels = " ".join(" ".join(s) for s in seen)
    assert "Робототехника" in labels and "123-45-67" not in labels and EMAIL not in labels


def test_xlsx_says_truthfully_that_it_keeps_phones_and_emails(store, tmp_path):
    data = _data("person", store, tmp_path, person_id="E02")
    rows = dict(about_rows(data))
    assert "скрыты — да" not in rows["Параметры"]
    assert "НЕ скрыты" in rows["Телефоны и email"]
    paths = write_all(data, tmp_path, mask=True)
    about = {r[0]: r[1] for r in load_workbook(paths["xlsx"])["Об отчёте"].iter_rows(values_only=True)}
    assert "скрыты — да" not in about["Параметры"] and "НЕ скрыты" in about["Телефоны и email"]
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["personal_data_masked"] is True


def test_usage_page_fits_1280_pixels_and_the_trend_is_an_indicator_a_row(store, tmp_path):
    import shutil
    import subprocess

    data = _data("usage", store, tmp_path)
    trend = next(t for t in data.tables if t.key == "trend")
    assert trend.frame.columns[0] == "Показатель" and trend.frame.columns[1].startswith("№ 1 от ")
    page = render_html(data, mask=True)
    assert '<table class="wide">' in page  # the coverage table: many columns, a smaller type
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no Chromium to lay the page out")
    probe = "<script>document.body.dataset.width = document.documentElement.scrollWidth;</script></body>"
    (tmp_path / "page.html").write_text(page.replace("</body>", probe), encoding="utf-8")
    shown = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1280,900",
            "--dump-dom",
            (tmp_path / "page.html").as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    width = int(shown.split('data-width="', 1)[1].split('"', 1)[0])
    assert width <= 1280  # no horizontal scrollbar: every column is on the page


def test_coverage_chart_legend_covers_no_bar(monkeypatch):
    from sferum_lib.reports import charts

    boxes = []
    original = charts.png_bytes

    def spy(fig):
        fig.canvas.draw()
        ax = fig.axes[0]
        boxes.append((ax.get_legend().get_window_extent(), ax.get_window_extent()))
        return original(fig)

    monkeypatch.setattr(charts, "png_bytes", spy)
    coverage = pd.DataFrame(
        {
            "Объединение": ["А", "Электротехника"],
            "В чате объединения, %": [10.0, 100.0],
            "Родители в чате, %": [5.0, 99.0],
        }
    )
    charts.coverage_chart(coverage)
    legend, axes = boxes[0]
    assert legend.y0 >= axes.y1 - 1  # above the plotting area, not over its bars
