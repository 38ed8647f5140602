"""How a report is laid out: sheet names of whole words, wide tables scrolling in their box with the first
column(s) in view, a chart's title said once."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from sferum_lib.reports.artifacts import SHEET_NAME_MAX, render_body, sheet_name, write_xlsx
from sferum_lib.reports.base import Chart, ReportData, Table


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Организации по показателям", "Организации по показателям"),
        # cut between words, and not after a hanging preposition
        ("Станут невостребованными в ближайшие 2 дн.", "Станут невостребованными"),
        ("Показатели по снимкам каждой организации", "Показатели по снимкам каждой"),
        ("Чаты, которые нужно пересоздать в MAX", "Чаты, которые нужно пересоздать"),
        ("Что: [итоги]/сводка", "Что итоги сводка"),  # Excel's forbidden characters
        ("А" * 40, "А" * SHEET_NAME_MAX),  # one word longer than a sheet name: cut, there is no better
    ],
)
def test_a_sheet_name_is_whole_words_within_excels_limit(title, name):
    assert sheet_name(title) == name and len(name) <= SHEET_NAME_MAX


def _data(tables: list[Table], charts: list[Chart] | None = None) -> ReportData:
    return ReportData("t", "Отчёт", "УДО «Тест»", dt.date(2026, 10, 15), {}, [], tables, charts or [])


def test_a_long_title_gives_its_short_sheet_name_and_repeated_names_stay_whole(tmp_path):
    frame = pd.DataFrame({"А": [1]})
    tables = [
        Table("soon", "Станут невостребованными в ближайшие 2 дн.", frame, sheet="Скоро станут невостребованными"),
        Table("a", "Показатели по снимкам каждой организации", frame),
        Table("b", "Показатели по снимкам каждой организации", frame),
    ]
    write_xlsx(_data(tables), tmp_path / "r.xlsx")
    names = load_workbook(tmp_path / "r.xlsx").sheetnames
    assert names == ["Об отчёте", "Скоро станут невостребованными", "Показатели по снимкам каждой",
                     "Показатели по снимкам (2)"]
    assert all(len(n) <= SHEET_NAME_MAX for n in names)


def test_the_invites_and_max_reports_sheets_are_named_in_whole_words(tmp_path):
    from sferum_lib.reports.base import Context
    from sferum_lib.reports.content import build_invites, build_max_migration
    from sferum_lib.store import Store
    from tests.helpers import clean_book, snapshot_of

    with Store(tmp_path / "s.db") as st:
        st.add_snapshot(snapshot_of(clean_book()), "b.xlsx")
    ctx = Context({"store": str(tmp_path / "s.db"), "snapshot": 0, "as_of": dt.date(2026, 10, 15), "soon_days": 2})
    names = []
    for build in (build_invites, build_max_migration):
        write_xlsx(build(ctx), tmp_path / "r.xlsx")
        names += load_workbook(tmp_path / "r.xlsx").sheetnames
    assert "Скоро станут невостребованными" in names and "Пересоздать в MAX" in names
    assert all(len(n) <= SHEET_NAME_MAX for n in names)


def test_a_wide_table_scrolls_in_its_box_and_keeps_its_first_columns_in_view():
    wide = pd.DataFrame([[1, "МБУДО «ДДТ» Керчь", *range(15)]], columns=["Место", "Организация", *map(str, range(15))])
    page = render_body(_data([Table("rank", "Организации", wide, fixed=2), Table("x", "Другая", wide)]), mask=False)
    boxes = re.findall(r'<div class="box"><table.*?</table></div>', page, flags=re.S)
    assert len(boxes) == 2
    first, second = boxes
    # two columns fixed: the first with its width, the second standing right after it
    cells = re.findall(r'<t[hd] class="fix" style="([^"]+)">([^<]*)<', first)
    assert [c[1] for c in cells] == ["Место", "Организация", "1", "МБУДО «ДДТ» Керчь"]
    width = float(re.search(r"width: ([\d.]+)em", cells[0][0]).group(1))
    assert cells[0][0].startswith("left: 0em") and cells[1][0] == f"left: {width:g}em"
    assert first.count('class="fix"') == 4 and second.count('class="fix"') == 2  # by default the first column
    assert ".box { overflow-x: auto;" in _css()


def _css() -> str:
    from sferum_lib.reports.artifacts import _CSS

    return _CSS


def test_a_charts_title_is_not_said_again_under_it():
    chart = Chart("c", "Охват чатами по объединениям", b"\x89PNG")
    page = render_body(_data([], [chart]), mask=False)
    assert page.count("Охват чатами по объединениям") == 1 and "<figcaption" not in page
    assert 'alt="Охват чатами по объединениям"' in page
