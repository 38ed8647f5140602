"""The `region` report notebook executed by papermill on a two-worker local Dask cluster."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import papermill
from openpyxl import load_workbook

from sferum_lib.region.cluster import Runner
from sferum_lib.region.core import import_region
from sferum_lib.region.demo import EARLIER, NOW, write_region

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "reports" / "region.ipynb"
DAY = dt.date(2026, 11, 29)


def test_region_notebook_writes_html_xlsx_and_json(tmp_path):
    write_region(tmp_path / "книги", 2, 50, seed=3, as_of=DAY)
    for folder in (EARLIER, NOW):
        assert all(o.accepted for o in import_region(tmp_path / "книги" / folder, tmp_path / "регион", Runner()))
    out = tmp_path / "отчёт"
    params = {"store": str(tmp_path / "регион"), "as_of": DAY.isoformat(), "workers": 2, "out_dir": str(out)}
    papermill.execute_notebook(str(NOTEBOOK), str(tmp_path / "region.ipynb"), parameters=params, progress_bar=False)
    document = json.loads((out / "region.json").read_text(encoding="utf-8"))
    assert document["organisation"] == "Организаций: 2" and document["as_of"] == DAY.isoformat()
    assert document["source"] == "последние снимки организаций"
    data = document["data"]
    assert len(data["organisations"]) == 2 and len(data["trend"]) == 4
    assert [row["Место"] for row in data["organisations"]] == [1, 2]
    about, sheet = load_workbook(out / "region.xlsx").worksheets[:2]
    assert about.title == "Об отчёте"
    assert sheet.title == "Организации по показателям" and sheet.max_row == 3
    html = (out / "region.html").read_text(encoding="utf-8")
    assert "Нарушения и замечания по обязанностям" in html and 'lang="ru"' in html
    assert (out / "region-spread.png").stat().st_size > 1000
