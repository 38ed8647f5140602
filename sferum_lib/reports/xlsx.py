"""A report's workbook: plain sheets written by :mod:`sferum_lib.xlsx_stream`, a million-row table in seconds.

A report's XLSX is plain: a sheet «Об отчёте», then one sheet per table with a bold shaded header row, frozen
under the header, columns sized to their text, dates as dates (``dd.mm.yyyy``) and formula-like text kept as
text with Excel's quote prefix; nothing from the data becomes a formula, a link or a number. The writer is the
export's own streamed one (no openpyxl: a report kernel stays light); widths are given in characters and padded
as xlsxwriter pads them, so a report's columns look as they did when xlsxwriter wrote them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sferum_lib import xlsx_stream
from sferum_lib.xlsx_stream import DATE, FORMULA_START, HEADER, QUOTED, column_letter, excel_date

__all__ = ["DATE", "FORMULA_START", "HEADER", "QUOTED", "Sheet", "column_letter", "excel_date", "write_workbook"]

#: The date format of a report's date cells.
DATE_FORMAT = "dd.mm.yyyy"
#: What xlsxwriter adds to a width given in characters (the cell's padding), kept so the columns look the same.
_PADDING = 0.7109375


class Sheet:
    """One sheet to write: a header row (or none) and a frame of values, with its column widths in characters."""

    def __init__(
        self, name: str, frame: pd.DataFrame, widths: Sequence[float], header: bool = True, frozen: bool = True
    ) -> None:
        self.name, self.frame, self.widths, self.header, self.frozen = name, frame, list(widths), header, frozen


def write_workbook(path: Path, sheets: Sequence[Sheet]) -> None:
    """Write ``sheets`` as an XLSX at ``path`` (the caller makes it atomic and sets its rights)."""
    xlsx_stream.write_workbook(
        path,
        [
            xlsx_stream.Sheet(
                s.name, s.frame, [w + _PADDING for w in s.widths], header=s.header, frozen=s.frozen
            )
            for s in sheets
        ],
        DATE_FORMAT,
    )
