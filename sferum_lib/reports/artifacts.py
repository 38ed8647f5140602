"""Writing a report's artifacts: HTML without code, XLSX, JSON and PNG charts.

HTML, JSON and the notebook escape every value and mask phones and emails when asked (the default), because they
are meant to be passed around; the XLSX is the administrator's working copy and keeps them, with formula-like
text made safe. Every artifact says which organisation, snapshot and day it shows; every file is owner-only.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import math
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from sferum_lib.files import FILE_MODE, private_dir, write_private
from sferum_lib.reports.base import PARAM_WORDS, ReportData, Table


def mask_phone(phone: Any) -> Any:
    """«+79781234567», «8 (978) 123-45-67», «978 123-45-67» → «+7 978 ***-**-67».

    A Russian number dialled with the trunk «8» is the same «+7» number; ten digits are a number without its code.
    """
    if not isinstance(phone, str):
        return phone
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11:
        country = "7" if digits[0] == "8" else digits[0]
        return f"+{country} {digits[1:4]} ***-**-{digits[-2:]}"
    if len(digits) == 10:
        return f"+7 {digits[:3]} ***-**-{digits[-2:]}"
    return "***" + digits[-2:] if len(digits) >= 2 else "***"


def mask_email(email: Any) -> Any:
    """«lavrova@example.org» → «l***@example.org»."""
    if not isinstance(email, str) or "@" not in email:
        return email
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


# A phone is 10 or more digits, maybe with «+», spaces, dashes and brackets; an email is anything@domain.
_PHONE = re.compile(r"(?<![\w*])\+?\d(?:[\s\-()]*\d){9,14}(?!\w)")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_MAYBE_PERSONAL = re.compile(r"[\d@]")  # no digit and no «@»: nothing to mask (most texts)


def scrub(value: Any) -> Any:
    """Mask every phone and email inside a text (a finding's message, a summary line), not only in columns."""
    if not isinstance(value, str) or not _MAYBE_PERSONAL.search(value):
        return value
    if "@" in value:  # the email pattern is costly to run; every email has its «@»
        value = _EMAIL.sub(lambda m: mask_email(m.group(0)), value)
    return _PHONE.sub(lambda m: mask_phone(m.group(0)), value)


#: :func:`scrub` remembered: a report's values repeat (a check's key, a clause, a duty on every finding).
_scrub_repeated = functools.lru_cache(maxsize=1 << 16)(scrub)


def scrub_all(value: Any) -> Any:
    """:func:`scrub` through lists and dicts (the JSON of a report)."""
    if isinstance(value, dict):
        return {k: scrub_all(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_all(v) for v in value]
    return scrub(value)


def masked(table: Table, rows: int | None = None) -> pd.DataFrame:
    """The table with phones and emails masked; only its first ``rows`` when only those are shown."""
    frame = (table.frame if rows is None else table.frame.head(rows)).copy()
    for column in table.personal:
        if column in frame:
            masker = mask_email if "mail" in column.lower() else mask_phone
            frame[column] = frame[column].map(masker)
    for column in frame.columns:
        if is_text(frame[column]):
            frame[column] = frame[column].map(scrub)
    return frame


def is_text(values: pd.Series) -> bool:
    """Whether a column may hold text: Python objects, or pandas' string dtype (``str``, the default of pandas 3
    for text, which is not ``object`` and so escaped a check of ``dtype == object``)."""
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return is_text(pd.Series(dtype.categories))
    return pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype)


_CSS = """
body { font-family: "PT Sans", "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 1200px;
       padding: 0 1em; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
.meta { color: #555; margin-top: 0; }
.lead li { margin: 0.2em 0; }
.box { overflow-x: auto; margin: 0.5em 0 1.5em; }
table { border-collapse: separate; border-spacing: 0; width: 100%; font-size: 0.9em;
        border-top: 1px solid #bbb; border-left: 1px solid #bbb; }
table.wide { font-size: 0.8em; }
th, td { border-right: 1px solid #bbb; border-bottom: 1px solid #bbb; padding: 0.3em 0.5em; text-align: left;
         vertical-align: top; overflow-wrap: break-word; background: #fff; }
th { background: #e8eef7; min-width: 4em; }
tr:nth-child(even) td { background: #f7f7f7; }
.fix { position: sticky; z-index: 1; box-sizing: border-box; }
figure { margin: 1em 0; } figure img { max-width: 100%; }
.empty { color: #777; font-style: italic; }
@media print { body { margin: 0; max-width: none; padding: 0; } h2 { page-break-after: avoid; }
               .box { overflow: visible; } .fix { position: static; }
               table { font-size: 8pt; } table.wide { font-size: 7pt; } th, td { padding: 0.2em 0.3em; }
               tr, figure { page-break-inside: avoid; } }
"""


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return html.escape(str(value))


#: A table with more columns than this is set in a smaller type (``table.wide``).
WIDE_COLUMNS = 6

#: The HTML is for reading: longer tables are cut there, and the XLSX holds every row.
HTML_MAX_ROWS = 1000


#: Width of a character of the tables' type, in em (for the offsets of the columns kept in view).
_CHAR_EM = 0.6
_BOLD_EM = 0.72  # of the headers' bold type


def _fixed_columns(frame: pd.DataFrame, fixed: int) -> list[str]:
    """The attributes of each column's cells: the first ``fixed`` stay in view when the table scrolls sideways
    (position: sticky, each one to the right of the ones before; a column before the last fixed one is given its
    width, so that the next one knows where to stand)."""
    fixed = min(fixed, len(frame.columns)) if len(frame.columns) > 1 else 0
    attrs, left = [], 0.0
    for i, column in enumerate(frame.columns):
        if i >= fixed:
            attrs.append("")
            continue
        last = i == fixed - 1
        style = f"left: {left:g}em"
        if not last:
            heading = max([len(w) for w in str(column).split()], default=0) * _BOLD_EM  # the header wraps by word
            cells = max([len(_cell(v)) for v in frame[column].head(200)], default=0) * _CHAR_EM
            width = round(max(heading, cells) + 1.2, 1)  # + the padding and the border (border-box)
            style += f"; width: {width:g}em; min-width: {width:g}em; max-width: {width:g}em"
            left += width
        attrs.append(f' class="fix" style="{style}"')
    return attrs


def _table_html(frame: pd.DataFrame, total: int, fixed: int = 1) -> str:
    """The table's first rows as HTML; ``total`` is how many rows the whole table has.

    The table stands in a box of the page's width: a table wider than the page scrolls sideways inside it, its
    first ``fixed`` columns (what names the row) staying in view.
    """
    if frame.empty:
        return '<p class="empty">Нет строк.</p>'
    note = ""
    if total > HTML_MAX_ROWS:
        note = (
            f'<p class="empty">Показаны первые {HTML_MAX_ROWS} строк из {total}; '
            "полный список — в файле XLSX этого отчёта.</p>"
        )
        frame = frame.head(HTML_MAX_ROWS)
    attrs = _fixed_columns(frame, fixed)
    head = "".join(f"<th{a}>{html.escape(str(c))}</th>" for a, c in zip(attrs, frame.columns, strict=True))
    # many columns: a smaller type, so that the table fits the page and the print
    kind = ' class="wide"' if len(frame.columns) > WIDE_COLUMNS else ""
    body = "".join(
        "<tr>" + "".join(f"<td{a}>{_cell(v)}</td>" for a, v in zip(attrs, row, strict=True)) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f'<div class="box"><table{kind}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>{note}'


def _param_value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "да" if value else "нет"
    if name in ("snapshot", "from_snapshot", "to_snapshot") and value == 0:
        return "последний" if name != "from_snapshot" else "предпоследний"
    if hasattr(value, "strftime"):
        return value.strftime("%d.%m.%Y")
    if name == "as_of" and isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return f"{value[8:]}.{value[5:7]}.{value[:4]}"
    return "не указан" if value in ("", None) else str(value)


def params_text(params: dict[str, Any], hidden: tuple[str, ...] = ()) -> str:
    """«хранилище — /home/…/sferum.db; снимок — последний; дата отчёта — 15.10.2026; …», without ``hidden``."""
    shown = {k: v for k, v in params.items() if k != "out_dir" and k not in hidden}
    if shown.get("state"):  # the working state is shown instead of a snapshot: no snapshot number to name
        shown.pop("snapshot", None)
    elif "state" in shown:  # the usual case needs no words
        del shown["state"]
    # a parameter without words is not shown by its code name: the footer is read by people, not by programs
    return "; ".join(f"{PARAM_WORDS[k]} — {_param_value(k, v)}" for k, v in shown.items() if k in PARAM_WORDS)


def meta_line(data: ReportData) -> str:
    """What the report shows, in one line: organisation, snapshot, date."""
    parts = [data.organisation or "организация не названа"]
    if data.source:
        parts.append(data.source)
    if not data.source.endswith(f"на {data.as_of:%d.%m.%Y}"):  # «рабочее состояние на …» names its day itself
        parts.append(f"на {data.as_of:%d.%m.%Y}")
    return " · ".join(parts)


def render_body(data: ReportData, mask: bool) -> str:
    """The report's content as escaped HTML: what the file shows and what the notebook displays."""
    text = scrub if mask else (lambda v: v)
    parts = [
        f"<h1>{html.escape(data.title)}</h1>",
        f'<p class="meta">{html.escape(text(meta_line(data)))}'
        + (" · телефоны и email скрыты" if mask else "")
        + "</p>",
    ]
    if data.summary:
        parts.append('<ul class="lead">' + "".join(f"<li>{html.escape(text(s))}</li>" for s in data.summary) + "</ul>")
    for chart in data.charts:
        encoded = base64.b64encode(chart.png).decode()
        # the chart draws its title itself: said again under it, it was read twice (the image's alt keeps it)
        parts.append(f'<figure><img src="data:image/png;base64,{encoded}" alt="{html.escape(chart.title)}"></figure>')
    for table in data.tables:
        parts.append(f"<h2>{html.escape(text(table.title))}</h2>")
        if table.note:
            parts.append(f"<p>{html.escape(text(table.note))}</p>")
        # masked after the cut: at a million people the HTML shows a thousand rows, and only those need masking
        frame = masked(table, HTML_MAX_ROWS + 1) if mask else table.frame
        parts.append(_table_html(frame, len(table.frame), table.fixed))
    parts.append(f'<p class="meta">Параметры отчёта: {html.escape(params_text(data.params))}.</p>')
    return "\n".join(parts)


def render_html(data: ReportData, mask: bool) -> str:
    org = scrub(data.organisation) if mask else data.organisation
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="ru"><head><meta charset="utf-8">',
            f"<title>{html.escape(data.title)} — {html.escape(org)}</title>",
            f"<style>{_CSS}</style></head><body>",
            render_body(data, mask),
            "</body></html>",
        ]
    )


#: Excel's longest sheet name.
SHEET_NAME_MAX = 31
#: Words a sheet name cut short may not end with (a preposition or a conjunction left hanging).
_HANGING = {"в", "во", "и", "к", "на", "о", "об", "от", "по", "с", "со", "у", "из", "за", "для", "до", "а", "или"}


def sheet_name(title: str, limit: int = SHEET_NAME_MAX) -> str:
    """A sheet name from a table's title: Excel's forbidden characters removed, at most 31 characters, cut
    between words (never mid-word, never after a hanging preposition) — a table with a long title gives a
    short one itself (:attr:`Table.sheet`)."""
    name = " ".join(re.sub(r"[\[\]:*?/\\]", " ", title).split())
    if len(name) <= limit:
        return name or "Лист"
    words = name[: limit + 1].split(" ")[:-1]  # the last, cut, word dropped
    while words and (words[-1].lower() in _HANGING or not words[-1].strip(",;—-")):
        words.pop()
    return " ".join(words).rstrip(",;—- ") or name[:limit]


def _sheet_title(title: str, used: set[str]) -> str:
    name = sheet_name(title)
    base, n = name, 2
    while name in used:
        suffix = f" ({n})"
        name, n = sheet_name(base, SHEET_NAME_MAX - len(suffix)) + suffix, n + 1
    used.add(name)
    return name


def write_xlsx(data: ReportData, path: Path) -> None:
    """The report as a workbook: «Об отчёте», then a sheet per table, every row (the HTML shows the first ones).

    Written by :mod:`sferum_lib.reports.xlsx`, streamed: a table of a million rows costs seconds and little memory.
    """
    from sferum_lib.reports.xlsx import Sheet, write_workbook
    from sferum_lib.workbook.writer import atomic_path

    sheets = [Sheet("Об отчёте", pd.DataFrame(about_rows(data)), [22, 90], header=False, frozen=False)]
    used: set[str] = {"Об отчёте"}
    for table in data.tables:
        frame = table.frame
        widths = [_width(frame, column) for column in frame.columns]
        sheets.append(Sheet(_sheet_title(table.sheet or table.title, used), frame, widths))
    with atomic_path(path) as tmp:
        write_workbook(tmp, sheets)
    os.chmod(path, FILE_MODE)


def _width(frame: pd.DataFrame, column: Any) -> int:
    longest = max([len(str(column))] + [len(str(v)) for v in frame[column].head(500)])
    return min(60, max(8, longest + 2))


#: What the XLSX says of the phones and emails in it: it is the administrator's working copy and keeps them whole,
#: whatever the report's mask (which the HTML, the JSON and the notebook follow) — said so, never «скрыты — да».
XLSX_PERSONAL_MASKED = (
    "в этой книге НЕ скрыты (рабочая копия администратора, не для пересылки); "
    "в HTML, JSON и блокноте этого отчёта телефоны и email скрыты"
)
XLSX_PERSONAL_SHOWN = "не скрыты ни в этой книге, ни в HTML, JSON и блокноте этого отчёта"


def about_rows(data: ReportData) -> list[tuple[str, str]]:
    """Which organisation, snapshot and day a report shows, how it was asked for, and what this workbook hides."""
    rows = [
        ("Отчёт", data.title),
        ("Организация", data.organisation),
        ("Данные", data.source or "—"),
        ("На дату", f"{data.as_of:%d.%m.%Y}"),
        ("Хранилище", data.store or "—"),
        ("Параметры", params_text(data.params, hidden=("mask_personal_data",))),
    ]
    if "mask_personal_data" in data.params:
        masked_elsewhere = bool(data.params["mask_personal_data"])
        rows.append(("Телефоны и email", XLSX_PERSONAL_MASKED if masked_elsewhere else XLSX_PERSONAL_SHOWN))
    return rows


def plain(value: Any, mask: bool = False) -> Any:
    """JSON-ready: NaN and NaT become null, timestamps ISO dates, numpy numbers Python numbers; masked if asked.

    ``mask``: every text is also :func:`scrub`-bed, in the same pass (as :func:`scrub_all` of the result would):
    at a million people a report's JSON holds millions of values, and each pass over them costs seconds.
    """
    kind = type(value)  # the usual kinds first, by their exact type: the checks below are slower
    if kind is str:
        return _scrub_repeated(value) if mask else value
    if kind is int or kind is bool:
        return value
    if isinstance(value, dict):
        return {str(k): plain(v, mask) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, mask) for v in value]
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.date().isoformat()
    elif hasattr(value, "item") and not isinstance(value, str):  # numpy scalars
        return plain(value.item(), mask)
    return scrub(value) if mask and isinstance(value, str) else value


def json_document(data: ReportData, mask: bool) -> Any:
    """The .json of a report: what it shows (organisation, snapshot, day) and its data, masked when asked.

    Only a report of a store's snapshot carries the header; other tables written this way (a training
    session's results) keep their plain shape.
    """
    body = plain(data.json_data(), mask)
    if not data.source:
        return body
    return {
        "report": data.name,
        "title": data.title,
        "organisation": data.organisation,
        "source": data.source,
        "as_of": data.as_of.isoformat(),
        "store": data.store,
        "personal_data_masked": mask,
        "data": body,
    }


#: Set in the environment of a report kernel started by :mod:`sferum_lib.reports.runner`: the artifacts are left
#: under their temporary names, and the runner renames them into place with the executed notebook, only when the
#: whole notebook has run. Anywhere else (JupyterLab, a test) :func:`write_all` renames them itself.
STAGED_ENV = "SFERUM_STAGED_ARTIFACTS"
#: How a file being written is named beside its final name: hidden, and never taken for an artifact.
PART_MARK = ".part"


def part_path(path: Path) -> Path:
    """``отчёты/audit.html`` → ``отчёты/.audit.part.html``: the temporary name, in the same folder (same disk); the
    suffix stays, since papermill expects its notebook's to be ``.ipynb``."""
    return path.with_name(f".{path.stem}{PART_MARK}{path.suffix}")


def _final(part: Path) -> Path:
    stem = part.name[1 : -len(part.suffix) - len(PART_MARK)] if part.suffix else part.name[1 : -len(PART_MARK)]
    return part.with_name(stem + part.suffix)


def report_parts(out_dir: str | Path, name: str) -> list[Path]:
    """The temporary files of report ``name`` in ``out_dir``: its artifacts (``name.*``, ``name-*.png``)."""
    found = []
    for part in Path(out_dir).glob(f".{name}*{PART_MARK}*"):
        final = _final(part).name
        if part.stem.endswith(PART_MARK) and final[len(name) : len(name) + 1] in (".", "-"):
            found.append(part)
    return sorted(found)


def commit_parts(out_dir: str | Path, name: str) -> list[Path]:
    """Rename every temporary file of report ``name`` into place (each rename is atomic); return the final paths."""
    done = []
    for part in report_parts(out_dir, name):
        final = _final(part)
        os.replace(part, final)
        done.append(final)
    return done


def drop_parts(out_dir: str | Path, name: str, notebook: bool = True) -> None:
    """Remove the temporary files a stopped or failed run of report ``name`` left: the old artifacts stay.

    ``notebook=False`` keeps the executed notebook's (papermill is writing it while the notebook writes the rest).
    """
    for part in report_parts(out_dir, name):
        if notebook or part.suffix != ".ipynb":
            part.unlink(missing_ok=True)


def write_all(data: ReportData, out_dir: str | Path, mask: bool) -> dict[str, Path]:
    """Write the HTML, XLSX, JSON and PNG files of a report, owner-only; return their paths by kind.

    Every file is written under a temporary name beside its final one and renamed into place only when all are
    complete, so an interrupted run leaves the previous complete set as it was (see :data:`STAGED_ENV`).
    """
    out = private_dir(out_dir)
    paths = {"html": out / f"{data.name}.html", "xlsx": out / f"{data.name}.xlsx", "json": out / f"{data.name}.json"}
    for chart in data.charts:
        paths[f"png:{chart.key}"] = out / f"{data.name}-{chart.key}.png"
    drop_parts(out, data.name, notebook=False)
    try:
        write_private(part_path(paths["html"]), render_html(data, mask))
        write_xlsx(data, part_path(paths["xlsx"]))
        text = json.dumps(json_document(data, mask), ensure_ascii=False, indent=1, default=str, allow_nan=False)
        write_private(part_path(paths["json"]), text)
        for chart in data.charts:
            write_private(part_path(paths[f"png:{chart.key}"]), chart.png)
    except BaseException:
        drop_parts(out, data.name, notebook=False)
        raise
    if not os.environ.get(STAGED_ENV):
        commit_parts(out, data.name)
    return paths
