"""The guard's sheet scan: its vectorised shortcut must give exactly what the exact scan gives, and a sheet that
lies — rows out of order, a far reference in the middle, references written the ways the Excel readers also
accept — must still be refused before a reader allocates its grid.

Every workbook here is written raw (``raw_xlsx``), so each hostile form reaches the guard byte for byte.
"""

from __future__ import annotations

import random
import re
import zipfile

import pytest

from sferum_lib.errors import InputFileError
from sferum_lib.workbook import guard
from sferum_lib.workbook.guard import check_xlsx
from tests.unit.test_hostile import inline, raw_xlsx

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_FAR_COLUMN = "столбцов больше предела 200"
_FAR_ROW = "строк больше предела"


def _book(tmp_path, far: str, before: str = "", after: str = "") -> object:
    rows = f'<row r="1">{inline("A1", "ID")}</row>{before}<row r="2">{far}</row>{after}'
    return raw_xlsx(tmp_path / "книга.xlsx", {"Лист": rows})


# --- references the readers take: each of these passed the guard once and made calamine abort on its allocation --


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ('<c r="A4000000000" t="inlineStr"><is><t>x</t></is></c>', (_FAR_ROW, "A4000000000")),
        ('<c r="AAAAA1000" t="inlineStr"><is><t>x</t></is></c>', (_FAR_COLUMN, "AAAAA1000")),
        ('<c r = "XFD1048576" t="inlineStr"><is><t>x</t></is></c>', (_FAR_COLUMN, "XFD1048576")),
        ('<c r=\n"XFD1048576" t="inlineStr"><is><t>x</t></is></c>', (_FAR_COLUMN,)),
        ('<c r="A2" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>', (_FAR_COLUMN,)),
        ('<c r="A2" t="inlineStr" r="XFD1048576"><is><t>x</t></is></c>', (_FAR_COLUMN,)),
        ('<c r="A2"r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>', (_FAR_COLUMN,)),
        ('<c r="A2" t="inlineStr"r="XFD1048576"><is><t>x</t></is></c>', (_FAR_COLUMN,)),
        ('<c s=">" r="XFD1048576"><v>1</v></c>', (_FAR_COLUMN,)),
    ],
    ids=[
        "ten-digit-row",
        "five-letter-column",
        "spaces-around-equals",
        "line-break-after-equals",
        "second-r",
        "second-r-last",
        "second-r-without-space",
        "second-r-after-a-quote",
        "greater-than-in-a-value",
    ],
)
def test_a_reference_written_as_the_readers_still_read_it_is_refused(tmp_path, cell, words):
    with pytest.raises(InputFileError) as caught:
        check_xlsx(_book(tmp_path, cell))
    text = str(caught.value)
    for word in words:
        assert word in text, (word, text)


@pytest.mark.parametrize(
    "cell",
    [
        f'<x:c xmlns:x="{_MAIN}" r="XFD5" t="inlineStr"><x:is><x:t>x</x:t></x:is></x:c>',
        '<c r="xfd5" t="inlineStr"><is><t>x</t></is></c>',
        '<c r="XFD05" t="inlineStr"><is><t>x</t></is></c>',
        '<c r="XFD5" t="inlineStr"><is><t>AB12</t></is></c>',
        '<c\tr="XFD5" t="inlineStr"><is><t>x</t></is></c>',
        '<c r="XFD5"><v>1</v></c>',
        '<c r="HZ5"><v>1</v></c>',
    ],
    ids=["prefixed-tag", "lower-case", "leading-zero", "inline-string", "tab", "plain", "plain-two-letters"],
)
def test_a_far_cell_in_an_unusual_form_is_found_however_many_rows_surround_it(tmp_path, monkeypatch, cell):
    """The far cell stands in the middle of a sheet of 3 MB: several pieces, the shortcut reading those around it,
    and (a sheet from 1 MB on counting as big here) scanned in a thread."""
    monkeypatch.setattr(guard, "PARALLEL_BYTES", 1024**2)
    filler = "".join(
        f'<row r="{r}">{inline(f"A{r}", f"R{r:06}")}{inline(f"B{r}", "текст")}</row>' for r in range(3, 22_000)
    )
    rows = (
        f'<row r="1">{inline("A1", "ID")}</row>{filler[: len(filler) // 2]}'
        f'<row r="2">{cell}</row>{filler[len(filler) // 2 :]}'
    )
    source = raw_xlsx(tmp_path / "середина.xlsx", {"Лист": rows})
    with zipfile.ZipFile(source) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 2 * guard._CHUNK
    with pytest.raises(InputFileError, match=_FAR_COLUMN):
        check_xlsx(source)


def test_rows_out_of_order_are_measured_by_their_largest_reference(tmp_path):
    """The last row written is not the largest: the far one comes first, then the rest in order."""
    rows = f'<row r="900000">{inline("C900000", "x")}</row>' + "".join(
        f'<row r="{r}">{inline(f"A{r}", "x")}</row>' for r in range(1, 2_000)
    )
    source = raw_xlsx(tmp_path / "порядок.xlsx", {"Лист": rows})
    with pytest.raises(InputFileError, match=r"C900000.*пустых строк"):
        check_xlsx(source)


def test_a_row_without_r_after_a_far_row_counts_on_from_it(tmp_path):
    """A cell's own «r» does not move the row counter: the reader places the next row after the far row tag."""
    rows = (
        f'<row r="1">{inline("A1", "ID")}</row><row r="1048576"><c r="A1"><v>1</v></c></row><row><c><v>2</v></c></row>'
    )
    with pytest.raises(InputFileError, match=_FAR_ROW):
        check_xlsx(raw_xlsx(tmp_path / "счёт.xlsx", {"Лист": rows}))


def test_a_spaced_row_reference_sets_where_unnumbered_cells_stand(tmp_path):
    rows = f'<row r="1">{inline("A1", "ID")}</row><row r = "1048577"><c><v>1</v></c></row>'
    with pytest.raises(InputFileError, match=_FAR_ROW):
        check_xlsx(raw_xlsx(tmp_path / "строка.xlsx", {"Лист": rows}))


def test_what_the_readers_refuse_themselves_or_ignore_is_let_through(tmp_path):
    """A prefixed attribute («x:r») is no reference for the readers; text inside CDATA is no cell."""
    for cell in (
        '<c x:r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>',
        '<c r="A2" t="inlineStr"><is><t><![CDATA[<c r="B2">]]></t></is></c>',
    ):
        check_xlsx(_book(tmp_path, cell))


# --- the shortcut against the exact scan ----------------------------------------------------------------------------


def _reference(chunk: bytes) -> tuple[int, int]:
    """The largest row and column over every cell's «r», read the simple way (the tags generated here are plain)."""
    rows, cols = [0], [0]
    for tag in re.findall(rb"<c\s[^>]*>", chunk):
        for letters, digits in re.findall(rb'(?<![\w:.-])r\s*=\s*"([A-Za-z]*)([0-9]*)"', tag):
            rows.append(int(digits or 0))
            cols.append(guard._column_number(letters))
    return max(rows), max(cols)


_ODD = [
    'r="{c}{r}" r="XFD{r}"',  # a second reference
    'r="{c}0{r}"',  # a leading zero
    'r="{c}{r}9999999"',  # eight digits and more
    'r="{lc}{r}"',  # lower case
    'r ="{c}{r}"',  # a space before «=»
    't="n" r="{c}{r}"',  # «r» not first
    'r="AAA{r}"',  # three letters
]


@pytest.mark.parametrize("seed", range(40))
def test_the_shortcut_agrees_with_the_exact_scan_or_declines(seed):
    """Random plain sheets (rows out of order, references far from their row) with now and then an odd reference:
    the shortcut gives exactly the exact scan's extent, and declines only chunks that hold an odd one."""
    rng = random.Random(seed)
    parts, odd_used = ['<?xml version="1.0"?><worksheet><sheetData>'], False
    for row in range(1, rng.randint(2, 400)):
        row_number = row * rng.randint(1, 3000)
        cells = [f'<c r="A{row_number}"><v>1</v></c>']
        for _ in range(rng.randint(1, 12)):
            col = guard._column_letters(rng.randint(1, rng.choice([5, 60, 702])))
            r = rng.choice([row_number, row_number, rng.randint(1, 9_999_999)])
            attrs = f'r="{col}{r}"'
            if rng.random() < 0.01:
                attrs, odd_used = rng.choice(_ODD).format(c=col, lc=col.lower(), r=r), True
            cells.append(f'<c {attrs} t="inlineStr"><is><t>x{r}</t></is></c>')
        rng.shuffle(cells)
        parts.append(f'<row r="{row_number}">{"".join(cells)}</row>')
    parts.append("</sheetData></worksheet>")
    chunk = "".join(parts).encode()

    fast, exact = guard._Extent(), guard._Extent()
    accepted = guard._scan_numbered(chunk, fast)
    guard._Walk().scan(chunk, exact)
    expected = _reference(chunk)
    assert (exact.max_row, exact.max_col) == expected
    assert accepted or odd_used
    if accepted:
        assert (fast.max_row, fast.max_col, fast.rows) == (*expected, exact.rows)


@pytest.mark.parametrize("odd", _ODD)
def test_the_shortcut_declines_every_odd_form_and_the_exact_scan_reads_it(odd):
    attrs = odd.format(c="B", lc="b", r=7)
    chunk = f'<row r="7"><c r="A7"><v>1</v></c><c {attrs}><v>2</v></c></row>'.encode()
    assert guard._scan_numbered(chunk, guard._Extent()) is False
    exact = guard._Extent()
    guard._Walk().scan(chunk, exact)
    assert (exact.max_row, exact.max_col) == _reference(chunk)


# --- big sheets, scanned in threads ---------------------------------------------------------------------------------


@pytest.fixture
def every_sheet_big(monkeypatch):
    """Every sheet counts as big, so the threaded scan reads them (real big sheets take megabytes to write)."""
    monkeypatch.setattr(guard, "PARALLEL_BYTES", 0)


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ('<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>', (_FAR_COLUMN, "XFD1048576")),
        ('<c r="A2" r="A1048577"><v>1</v></c>', (_FAR_ROW, "A1048577")),
        ("<c><v>1</v></c>" * 250, (_FAR_COLUMN,)),
    ],
    ids=["far-cell", "second-r", "unnumbered"],
)
def test_the_threaded_scan_refuses_the_same_sheets(tmp_path, every_sheet_big, cell, words):
    source = raw_xlsx(
        tmp_path / "потоки.xlsx",
        {"Первый": f'<row r="1">{inline("A1", "ID")}</row>', "Второй": f'<row r="1">{inline("A1", "ID")}</row>'},
    )
    check_xlsx(source)
    source = raw_xlsx(
        tmp_path / "потоки.xlsx",
        {"Первый": f'<row r="1">{inline("A1", "ID")}</row>', "Второй": f'<row r="2">{cell}</row>'},
    )
    with pytest.raises(InputFileError) as caught:
        check_xlsx(source)
    assert "на листе «Второй»" in str(caught.value)
    for word in words:
        assert word in str(caught.value)


def test_a_big_sheet_that_unpacks_to_more_than_it_claims_is_refused(tmp_path, every_sheet_big):
    from tests.unit.test_hostile import _patch_sizes

    rows = "".join(f'<row r="{r}">{inline(f"A{r}", "x" * 50)}</row>' for r in range(1, 2_000))
    source = raw_xlsx(tmp_path / "размер.xlsx", {"Лист": rows})
    check_xlsx(source)
    _patch_sizes(source, "xl/worksheets/sheet1.xml", 1_000)
    with pytest.raises(InputFileError, match="не совпадает по размеру"):
        check_xlsx(source)


def test_a_quote_opened_inside_a_comment_hides_no_cell(tmp_path):
    """The exact scan reads quoted values as the XML reader does, and a comment as a comment: a «"» opened in a
    comment does not swallow the cells that follow it."""
    cells = "<c><v>1</v></c>" * 250
    rows = f'<row r="1">{inline("A1", "ID")}</row><!-- <c a=" --><row r="2">{cells}</row><!-- " -->'
    with pytest.raises(InputFileError, match=_FAR_COLUMN):
        check_xlsx(raw_xlsx(tmp_path / "комментарий.xlsx", {"Лист": rows}))
