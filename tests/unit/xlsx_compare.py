"""What a workbook shows, read by openpyxl, as plain data: two workbooks compared cell by cell.

Values and their types, the styles that matter (bold, fill colour, date format, quote prefix), notes, column
widths, frozen panes and sheet order; not the bytes, which differ between writers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter


def _fill(cell: Any) -> str | None:
    fill = cell.fill
    if fill is None or fill.fill_type != "solid":
        return None
    return str(fill.fgColor.rgb)[-6:]


def shown(path: str | Path) -> dict[str, Any]:
    """Every sheet's cells (value, type, style, note), widths and frozen pane, keyed for comparison."""
    book = load_workbook(path)
    out: dict[str, Any] = {"sheets": book.sheetnames, "active": book.active.title}
    for ws in book.worksheets:
        cells = {}
        for row in ws.iter_rows():
            for cell in row:
                comment = (cell.comment.text, cell.comment.author) if cell.comment else None
                fill = _fill(cell)
                if cell.value is None and comment is None and fill is None:
                    continue
                cells[cell.coordinate] = (
                    cell.value,
                    cell.data_type,
                    bool(cell.quotePrefix),
                    bool(cell.font.b),
                    fill,
                    cell.number_format if cell.is_date else None,
                    comment,
                )
        widths = {  # a range of equal columns (xlsxwriter writes them so) counted column by column
            get_column_letter(i): d.width
            for d in ws.column_dimensions.values()
            if d.customWidth
            for i in range(d.min or 1, (d.max or d.min or 1) + 1)
        }
        out[ws.title] = {"cells": cells, "widths": widths, "frozen": ws.freeze_panes, "state": ws.sheet_state}
    return out


def differences(old: str | Path, new: str | Path, limit: int = 20) -> list[str]:
    """What differs between two workbooks as shown (empty when they are cell-identical)."""
    a, b = shown(old), shown(new)
    found = [f"{key}: {a[key]!r} != {b[key]!r}" for key in ("sheets", "active") if a[key] != b[key]]
    for title in a["sheets"]:
        if title not in b:
            continue
        x, y = a[title], b[title]
        for key in ("widths", "frozen", "state"):
            if x[key] != y[key]:
                found.append(f"{title} {key}: {x[key]!r} != {y[key]!r}")
        for ref in sorted(set(x["cells"]) | set(y["cells"])):
            if x["cells"].get(ref) != y["cells"].get(ref):
                found.append(f"{title}!{ref}: {x['cells'].get(ref)!r} != {y['cells'].get(ref)!r}")
                if len(found) >= limit:
                    return found
    return found
