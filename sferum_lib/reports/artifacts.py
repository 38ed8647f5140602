"""Writing a report's artifacts: HTML without code, XLSX, JSON and PNG charts.

HTML escapes every value and masks phones and emails when asked (the default), because it is meant to be
passed around; the XLSX is the administrator's working copy and keeps them, with formula-like text made safe.
"""

from __future__ import annotations

import base64
import html
import json
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from sferum_lib.reports.base import ReportData, Table


def mask_phone(phone: Any) -> Any:
    """«+79781234567» → «+7 978 ***-**-67»."""
    if not isinstance(phone, str):
        return phone
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11:
        return f"+{digits[0]} {digits[1:4]} ***-**-{digits[-2:]}"
    return "***" + digits[-2:] if len(digits) >= 2 else "***"


def mask_email(email: Any) -> Any:
    """«lavrova@example.org» → «l***@example.org»."""
    if not isinstance(email, str) or "@" not in email:
        return email
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def masked(table: Table) -> pd.DataFrame:
    frame = table.frame.copy()
    for column in table.personal:
        if column in frame:
            masker = mask_email if "mail" in column.lower() else mask_phone
            frame[column] = frame[column].map(masker)
    return frame


_CSS = """
body { font-family: "PT Sans", "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 1100px;
       color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
.meta { color: #555; margin-top: 0; }
.lead li { margin: 0.2em 0; }
table { border-collapse: collapse; width: 100%; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { background: #e8eef7; }
tr:nth-child(even) td { background: #f7f7f7; }
figure { margin: 1em 0; } figure img { max-width: 100%; }
.empty { color: #777; font-style: italic; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; }
               table, figure { page-break-inside: avoid; } }
"""


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return html.escape(str(value))


#: The HTML is for reading: longer tables are cut there, and the XLSX holds every row.
HTML_MAX_ROWS = 1000


def _table_html(frame: pd.DataFrame) -> str:
    if frame.empty:
        return '<p class="empty">Нет строк.</p>'
    note = ""
    if len(frame) > HTML_MAX_ROWS:
        note = (
            f'<p class="empty">Показаны первые {HTML_MAX_ROWS} строк из {len(frame)}; '
            "полный список — в файле XLSX этого отчёта.</p>"
        )
        frame = frame.head(HTML_MAX_ROWS)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>" for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}"


def _params_text(params: dict[str, Any]) -> str:
    shown = {k: v for k, v in params.items() if k not in ("out_dir",)}
    return "; ".join(f"{k} = {v}" for k, v in shown.items())


def render_html(data: ReportData, mask: bool) -> str:
    parts = [
        "<!doctype html>",
        '<html lang="ru"><head><meta charset="utf-8">',
        f"<title>{html.escape(data.title)} — {html.escape(data.organisation)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(data.title)}</h1>",
        f'<p class="meta">{html.escape(data.organisation)} · на {data.as_of:%d.%m.%Y}'
        + (" · персональные данные скрыты" if mask else "")
        + "</p>",
    ]
    if data.summary:
        parts.append('<ul class="lead">' + "".join(f"<li>{html.escape(s)}</li>" for s in data.summary) + "</ul>")
    for chart in data.charts:
        encoded = base64.b64encode(chart.png).decode()
        parts.append(
            f'<figure><img src="data:image/png;base64,{encoded}" alt="{html.escape(chart.title)}">'
            f"<figcaption>{html.escape(chart.title)}</figcaption></figure>"
        )
    for table in data.tables:
        parts.append(f"<h2>{html.escape(table.title)}</h2>")
        if table.note:
            parts.append(f"<p>{html.escape(table.note)}</p>")
        parts.append(_table_html(masked(table) if mask else table.frame))
    parts.append(f'<p class="meta">Параметры отчёта: {html.escape(_params_text(data.params))}.</p>')
    parts.append("</body></html>")
    return "\n".join(parts)


def _sheet_title(title: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "Лист"
    base, n = name, 2
    while name in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def write_xlsx(data: ReportData, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    from sferum_lib.workbook.writer import HEADER_FILL, HEADER_FONT, atomic_path, safe_cell

    wb = Workbook(write_only=True)
    used: set[str] = set()
    for table in data.tables:
        ws = wb.create_sheet(_sheet_title(table.title, used))
        frame = table.frame
        for i, column in enumerate(frame.columns, start=1):
            longest = max([len(str(column))] + [len(str(v)) for v in frame[column].head(500)])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, longest + 2))
        ws.freeze_panes = "A2"
        header = []
        for column in frame.columns:
            cell = WriteOnlyCell(ws, value=str(column))
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            header.append(cell)
        ws.append(header)
        for row in frame.astype(object).itertuples(index=False):
            ws.append([safe_cell(ws, None if v is None or (isinstance(v, float) and pd.isna(v)) else v) for v in row])
    if not data.tables:
        wb.create_sheet("Отчёт").append(["Нет данных"])
    with atomic_path(path) as tmp:
        wb.save(tmp)


def plain(value: Any) -> Any:
    """JSON-ready: NaN and NaT become null, timestamps ISO dates, numpy numbers Python numbers."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return plain(value.item())
    return value


def write_all(data: ReportData, out_dir: str | Path, mask: bool) -> dict[str, Path]:
    """Write the HTML, XLSX, JSON and PNG files of a report; return their paths by kind."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"html": out / f"{data.name}.html", "xlsx": out / f"{data.name}.xlsx", "json": out / f"{data.name}.json"}
    paths["html"].write_text(render_html(data, mask), encoding="utf-8")
    write_xlsx(data, paths["xlsx"])
    text = json.dumps(plain(data.json_data()), ensure_ascii=False, indent=1, default=str, allow_nan=False)
    paths["json"].write_text(text, encoding="utf-8")
    for chart in data.charts:
        paths[f"png:{chart.key}"] = out / f"{data.name}-{chart.key}.png"
        paths[f"png:{chart.key}"].write_bytes(chart.png)
    return paths
