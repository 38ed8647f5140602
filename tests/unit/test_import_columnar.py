"""Big inputs read and parsed by whole columns (polars, fastexcel) give exactly what the general way gives."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from sferum_lib.errors import InputFileError
from sferum_lib.values import CONTROL, EXCEL_CELL_CHARS, to_dates
from sferum_lib.workbook import columnar, reader
from sferum_lib.workbook.columnar import _no_controls, csv_columns, parse_series, polars, strings
from sferum_lib.workbook.importer import _parse_cells, _parser, import_workbook
from sferum_lib.workbook.reader import RawSheet
from sferum_lib.workbook.schema import SHEETS
from tests.helpers import clean_book, set_cell, write_csv_folder, write_xlsx
from tests.unit.test_import_io import PHONES, TEXTS
from tests.unit.test_reader_fast import as_rows, record_by_record

COLUMNS = {c.kind: c for sheet in SHEETS for c in sheet.columns}


def columns_read(text: str, delimiter: str):
    found = csv_columns(text, delimiter)
    if found is None:
        return None
    headers, columns, rows = found
    return as_rows(RawSheet("Лист", headers, 1, None, rows, columns))


QUOTED = 'ID;Фамилия;Объединения\r\nU1;Иванов;"KG-1; IZ-2"\r\nU2;" Петров ";RK-3\r\nU3;;"a,b"\r\n'


def test_a_quoted_windows_file_is_read_by_columns_as_the_csv_module_reads_it():
    quick = columns_read(QUOTED, ";")
    assert quick is not None
    assert quick == record_by_record(QUOTED, ";")
    assert quick[3][0] == ["U1", "Иванов", "KG-1; IZ-2"] and quick[3][2] == ["U3", "", "a,b"]


@pytest.mark.parametrize(
    "text",
    [
        'ID;Фамилия\nE01;"Иванов\nПетров"\n',  # a quoted line break: the csv module names the lines
        'ID;Фамилия\nE01;"Иванов"x\n',  # text after a closing quote
        'ID;Фамилия\nE01;Ива"нов\n',  # a quote inside a field
        'ID;Фамилия\nE01;"Ива""нов"\n',  # an escaped quote: left to the csv module
        "ID;Фамилия\nE01\n",  # a narrower row
        "ID;Фамилия\nE01;Иванов;x\n",  # a wider row
        "ID;Фамилия\n\nE01;Иванов\n",  # a blank line
        "ID;Фамилия\nE01;Ив\x00анов\n",  # NUL
        "ID;Фамилия\rE01;Иванов\r",  # old Mac line ends
        "ID;Фамилия\nE01;" + "x" * 140_000 + "\n",  # a field over the csv module's limit
    ],
)
def test_anything_the_columnar_way_cannot_read_exactly_is_declined(text):
    assert csv_columns(text, ";") is None


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.lists(st.text(alphabet='aЯ1 ;,"\t\u00a0\x1c\u2028-.@+\r', max_size=6), min_size=1, max_size=4),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from([";", ","]),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_any_text_the_columnar_way_reads_it_reads_as_the_csv_module(rows, delimiter, end, final_break):
    text = end.join(delimiter.join(r) for r in rows) + (end if final_break else "")
    quick = columns_read(text, delimiter)
    if quick is not None:
        assert quick == record_by_record(text, delimiter)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(
            st.one_of(
                st.text(alphabet="aЯ1 ;,\t-", max_size=5),
                st.text(alphabet="aЯ1 ;,\t-", max_size=5).map(lambda t: f'"{t}"'),
            ),
            min_size=3,
            max_size=3,
        ),
        min_size=1,
        max_size=8,
    )
)
def test_quoted_fields_read_by_columns_as_the_csv_module_reads_them(rows):
    text = "ID;Фамилия;Имя\n" + "\n".join(";".join(r) for r in rows) + "\n"
    quick = columns_read(text, ";")
    if quick is not None:
        assert quick == record_by_record(text, ";")


def same(cells: list[object], kind: str) -> None:
    """A column parsed by polars gives the values and the refusals of the general way, cell for cell."""
    column = COLUMNS[kind]
    objects = pd.Series(cells, dtype=object)
    expected_values, expected_invalid = _parse_cells(objects, column)
    pl = polars()
    texts_only = all(c is None or isinstance(c, str) for c in cells)
    series = pl.Series(cells, dtype=pl.String) if texts_only else pl.Series(cells, dtype=pl.Object)
    general = lambda c, column=column: _parse_cells(c, column)  # noqa: E731
    values, invalid, empty, texts = parse_series(series, column, _parser(column), general)
    assert invalid.tolist() == expected_invalid.tolist()
    if empty is not None:  # the empty mask given for free is the values' own
        assert empty.tolist() == pd.isna(values).tolist()
    if texts is not None:  # the polars copy of an ID or text column holds the same values
        assert texts.to_list() == values.tolist()
    if texts_only and not any(
        CONTROL.search(c) or "\t" in c or "\r" in c or "\n" in c or len(c.encode()) > EXCEL_CELL_CHARS
        for c in cells
        if c
    ):
        # cells a plain file could hold (no control character, no line break, none too long for a cell):
        # the checks it makes needless change nothing
        quick = parse_series(series, column, _parser(column), general, plain=True)
        assert quick.invalid.tolist() == invalid.tolist()
        assert pd.isna(quick.values).tolist() == pd.isna(values).tolist()
        assert [v for v in quick.values.tolist() if v is not None] == [v for v in values.tolist() if v is not None]
    if kind == "date":
        expected_values = to_dates(pd.Series(expected_values, dtype=object)).to_numpy()
        assert values.dtype == np.dtype("datetime64[s]")
        assert pd.isna(values).tolist() == pd.isna(expected_values).tolist()
        assert values[~pd.isna(values)].tolist() == expected_values[~pd.isna(expected_values)].tolist()
    else:
        assert values.tolist() == expected_values.tolist()


@pytest.mark.parametrize("kind", sorted(COLUMNS))
def test_every_kind_of_column_of_texts_parses_by_columns_as_cell_by_cell(kind):
    same(PHONES + TEXTS + [None, "a;;b; a", " ; x ,y,x"] + PHONES[::-1], kind)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(PHONES + TEXTS),
            st.text(alphabet="+78 9()-0123456", max_size=18),
            st.text(alphabet="aЯ1 ;,\t\n\u00a0\x1c\x85\u2028\u3000-.@+", max_size=8),
            st.text(max_size=12),
            st.none(),
        ),
        max_size=30,
    ),
    st.sampled_from(sorted(COLUMNS)),
)
def test_any_texts_parse_by_columns_as_cell_by_cell(cells, kind):
    same(cells, kind)


def test_excel_dates_read_whole_are_checked_for_their_range_as_cell_by_cell():
    pl = polars()
    days = [dt.datetime(2024, 3, 12, 10, 30), None, dt.datetime(1899, 12, 30), dt.datetime(2101, 1, 1)]
    values, invalid, *_ = parse_series(pl.Series(days), COLUMNS["date"], _parser(COLUMNS["date"]), None)
    expected_values, expected_invalid = _parse_cells(pd.Series(days, dtype=object), COLUMNS["date"])
    assert invalid.tolist() == expected_invalid.tolist() == [False, False, True, True]
    assert values.tolist()[:1] == to_dates(pd.Series(expected_values[:1], dtype=object)).tolist()[:1]
    assert pd.isna(values).tolist() == [False, True, True, True]


def test_other_excel_cells_go_cell_by_cell():
    pl = polars()
    cells = [12.0, None, 79161234567.0, 1.5]
    series = pl.Series(cells, dtype=pl.Float64)
    for kind in ("phone", "text", "date", "flag"):
        column = COLUMNS[kind]
        values, invalid, *_ = parse_series(
            series, column, _parser(column), lambda c, column=column: _parse_cells(c, column)
        )
        expected = _parse_cells(pd.Series(cells, dtype=object), column)
        assert invalid.tolist() == expected[1].tolist()
        if kind != "date":
            assert values.tolist() == expected[0].tolist()


def outcome(path):
    try:
        result = import_workbook(path)
    except InputFileError as exc:
        return [(p.sheet, p.row, p.column, p.value, p.expected, p.warning) for p in exc.problems + exc.warnings]
    tables = {k: v.to_dict("list") for k, v in result.snapshot.tables.items()}
    dtypes = {k: [str(t) for t in v.dtypes] for k, v in result.snapshot.tables.items()}
    warnings = [(p.sheet, p.row, p.column, p.value, p.expected) for p in result.warnings]
    return tables, dtypes, result.snapshot.organisation, warnings


def both_ways(monkeypatch, path):
    """The import by the general way and by the columnar way (thresholds lowered to nothing)."""
    general = outcome(path)
    monkeypatch.setattr(reader, "PLAIN_CHARS", 0)
    monkeypatch.setattr(columnar, "FAST_XLSX_BYTES", 0)
    taken = []
    real = columnar.parse_series
    monkeypatch.setattr("sferum_lib.workbook.importer.parse_series", lambda *a: taken.append(1) or real(*a))
    fast = outcome(path)
    assert taken, "the columnar way was not taken"
    return general, fast


def spoilt_book():
    book = clean_book()
    set_cell(book, "Сотрудники", "E01", "Телефон", 79161234567.0)  # a phone typed as a number
    set_cell(book, "Сотрудники", "E02", "Телефон", "12-34")
    set_cell(book, "Сотрудники", "E02", "Email", "name@")
    set_cell(book, "Сотрудники", "E01", "Дата приёма", "31.02.2024")
    set_cell(book, "Сотрудники", "E02", "Дата приёма", 45000.0)  # an Excel date serial shown as a number
    set_cell(book, "Сотрудники", "E02", "Фамилия", "  ")
    set_cell(book, "Сотрудники", "E01", "Должность", "=1+1")
    set_cell(book, "Сотрудники", "E01", "Отчество", "'Петровна")
    return book


def crossed_book(refused: bool):
    """A book whose checks across sheets have something to say: repeated members (a warning), lists naming an
    item twice; when ``refused`` also repeated and look-alike IDs and references to nobody (errors).
    """
    book = clean_book()
    members = book["Участники чатов"]
    members += [list(members[1]), list(members[3]), list(members[1])]
    set_cell(book, "Обучающиеся", "U01", "Объединения", "RT; RT, ;")
    set_cell(book, "Родители", "R01", "Дети", "U01,U02; U01")
    if refused:
        book["Обучающиеся"].append(["U01", "Повтор", "Иван", "RT", "", "", ""])
        book["Обучающиеся"].append(["Е01", "Похожий", "Пётр", "RT", "", "", ""])  # Cyrillic Е: looks like E01
        members.append(["H1", "U99"])
        set_cell(book, "Родители", "R02", "Дети", "U02; U77")
    return book


BOOKS = {"clean": clean_book, "spoilt": spoilt_book, "crossed": lambda: crossed_book(False)}
BOOKS["refused"] = lambda: crossed_book(True)


@pytest.mark.parametrize("spoil", [False, True, "crossed", "refused"])
def test_a_csv_folder_imports_the_same_by_columns(tmp_path, monkeypatch, spoil):
    book = BOOKS[spoil]() if isinstance(spoil, str) else spoilt_book() if spoil else clean_book()
    folder = write_csv_folder(book, tmp_path / "csv", encoding="cp1251")
    general, fast = both_ways(monkeypatch, folder)
    assert fast == general


@pytest.mark.parametrize("spoil", [False, True, "crossed", "refused"])
def test_an_excel_book_imports_the_same_by_columns(tmp_path, monkeypatch, spoil):
    book = BOOKS[spoil]() if isinstance(spoil, str) else spoilt_book() if spoil else clean_book()
    path = write_xlsx(book, tmp_path / "book.xlsx")
    general, fast = both_ways(monkeypatch, path)
    assert fast == general


def test_an_excel_sheet_read_whole_keeps_excel_row_numbers_and_drops_blank_rows(tmp_path, monkeypatch):
    wb = Workbook()
    ws = wb.active
    ws.title = "Лист"
    ws["B3"], ws["C3"] = "ID", "Дата"
    ws["B4"], ws["C4"] = "E1", dt.datetime(2024, 1, 2)
    ws["B6"], ws["C6"] = "E2", dt.datetime(2024, 1, 3, 5, 0)
    ws["B7"] = "   "
    wb.save(tmp_path / "b.xlsx")
    monkeypatch.setattr(columnar, "FAST_XLSX_BYTES", 0)
    raw = reader.read_xlsx(tmp_path / "b.xlsx")["Лист"]
    assert raw.columns is not None
    assert (raw.header_row, raw.rows.tolist(), raw.headers) == (3, [4, 6], ["", "ID", "Дата"])
    assert raw.cells[1].tolist() == ["E1", "E2"]


def test_a_column_of_mixed_cells_is_read_by_calamine(tmp_path, monkeypatch):
    wb = Workbook()
    ws = wb.active
    ws.title = "Лист"
    for row in (["ID", "Телефон"], ["E1", 79161234567.0], ["E2", "+7 916 123-45-67"]):
        ws.append(row)
    wb.save(tmp_path / "b.xlsx")
    monkeypatch.setattr(columnar, "FAST_XLSX_BYTES", 0)
    raw = reader.read_xlsx(tmp_path / "b.xlsx")["Лист"]
    assert raw.columns is None
    assert raw.cells[1].tolist() == [79161234567.0, "+7 916 123-45-67"]


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=60),
        st.text(alphabet="aЯё№«»\u00a0 ;\n1", max_size=30).map(lambda t: t.encode("cp1251")),
        st.text(alphabet="aЯё№«»\u00a0 ;\n1", max_size=30).map(lambda t: t.encode("utf-8")),
        st.tuples(st.text(alphabet="aЯё ;", max_size=20), st.binary(max_size=6)).map(
            lambda p: p[0].encode("utf-8") + p[1]
        ),
    )
)
def test_an_encoding_told_by_counting_bytes_is_the_one_decoding_tells(data):
    from sferum_lib.workbook.reader import _mostly_utf8, _surely_not_utf8

    original = reader.COUNTED_BYTES
    reader.COUNTED_BYTES = 0
    try:
        if _surely_not_utf8(data):
            assert not _mostly_utf8(data)
    finally:
        reader.COUNTED_BYTES = original


def test_a_big_windows_1251_file_is_told_by_counting_and_a_spoilt_utf8_one_still_refused(monkeypatch):
    from sferum_lib.workbook.reader import _surely_not_utf8, _Undecodable, decode

    monkeypatch.setattr(reader, "COUNTED_BYTES", 0)
    text = "ID;Фамилия\nE01;Ёлкина\n" * 50
    assert _surely_not_utf8(text.encode("cp1251"))
    assert decode(text.encode("cp1251")) == text
    spoilt = text.encode("utf-8") + b"\xcf"
    assert not _surely_not_utf8(spoilt)
    with pytest.raises(_Undecodable):
        decode(spoilt)


@pytest.mark.parametrize(
    "text", ["ID;Фамилия\n\x1c;\x1f\nE01;Иванов\n", "ID;Фамилия\nE01;\x1cИванов\x1c\nE02; \u3000\n"]
)
def test_whitespace_is_what_python_strips_also_for_the_columnar_way(text, monkeypatch):
    from sferum_lib.workbook.reader import read_csv_text

    monkeypatch.setattr(reader, "PLAIN_CHARS", 0)
    assert as_rows(read_csv_text("Лист", text)) == record_by_record(text, ";")
    raw = read_csv_text("Лист", text)
    if raw.columns is not None:
        column = COLUMNS["text"]
        values, invalid, *_ = parse_series(raw.columns[1], column, _parser(column), None)
        expected = _parse_cells(raw.cells[1], column)
        assert invalid.tolist() == expected[1].tolist() and values.tolist() == expected[0].tolist()


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_errors_copy_of_a_book_read_by_columns_is_the_same(tmp_path, monkeypatch, kind):
    from openpyxl import load_workbook

    from sferum_lib.workbook.reader import read_source
    from sferum_lib.workbook.writer import write_errors_copy

    book = spoilt_book()
    path = write_csv_folder(book, tmp_path / "csv") if kind == "csv" else write_xlsx(book, tmp_path / "book.xlsx")

    def copy(name: str) -> list:
        with pytest.raises(InputFileError) as caught:
            import_workbook(path)
        out = write_errors_copy(path, read_source(path), caught.value.problems, tmp_path / name)
        wb = load_workbook(out)
        return [
            [(c.value, c.comment.text if c.comment else None) for row in ws.iter_rows() for c in row]
            for ws in wb.worksheets
        ]

    general = copy("general.xlsx")
    monkeypatch.setattr(reader, "PLAIN_CHARS", 0)
    monkeypatch.setattr(columnar, "FAST_XLSX_BYTES", 0)
    assert any(raw.columns is not None for raw in read_source(path).values())
    assert copy("columns.xlsx") == general


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet="aЯ1 ;\n\t\r\x00\x1c\x7f\x85\x9f\xa0«—№\u2028\u202a\u202e\u2066\u2069\u206a\ufffd\ufffe\uffff😀",
        max_size=40,
    )
)
def test_a_file_is_told_plain_exactly_when_no_cell_could_need_the_checks(text):
    plain = CONTROL.search(text) is None and not {"\t", "\r"} & set(text)
    assert _no_controls(text.encode("utf-8"), text.count("\n")) == plain


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.text(alphabet="aЯ1  ;,\"\t\u00a0\u3000\x1c\x85\u202e-.@+", max_size=6), min_size=2, max_size=3),
        min_size=2,
        max_size=8,
    ),
)
def test_the_columns_of_a_plain_file_parse_as_checked_ones(rows):
    text = "\n".join(";".join(r) for r in rows) + "\n"
    found = csv_columns(text, ";")
    if found is None or not found[1].plain:
        return
    assert not CONTROL.search(text) and "\t" not in text
    trimmed = found[1].trimmed
    if trimmed:  # told from the bytes: no cell would lose anything to trimming
        assert all(v is None or v == v.strip() for series in found[1] for v in series.to_list())
    for series in found[1]:
        for kind in ("id", "text", "list", "email", "phone"):
            column = COLUMNS[kind]
            general = lambda c, column=column: _parse_cells(c, column)  # noqa: E731
            checked = parse_series(series, column, _parser(column), general)
            quick = parse_series(series, column, _parser(column), general, plain=True, trimmed=trimmed)
            assert quick.invalid.tolist() == checked.invalid.tolist()
            assert quick.values.tolist() == checked.values.tolist()


@pytest.mark.parametrize(
    ("text", "trimmed"),
    [
        ('ID;Дети\nU1;"U2; U3"\n', True),  # a space inside quotes beside a quoted delimiter: no field's edge
        ('ID;Дети\nU1;" U2"\n', False),
        ("ID;Дети\nU1 ;U2\n", False),
        ("ID;Дети\nU1;U2 \n", False),
        ("ID;Дети\nU1;U2\u3000x\n", False),  # a space beyond ASCII anywhere: trimmed as before
        ("ID;Имя\nU1;Анна Мария\n", True),
    ],
)
def test_a_file_is_told_trimmed_only_when_no_field_has_a_space_at_its_edge(text, trimmed):
    found = csv_columns(text, ";")
    assert found is not None and found[1].plain and found[1].trimmed == trimmed


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["Иванов", "Петрова", "E01", ""]), st.text(max_size=4))))
def test_a_column_of_few_texts_made_once_per_text_is_the_column(cells):
    pl = polars()
    series = pl.Series(cells, dtype=pl.String)
    shared = columnar._SHARED_ROWS
    columnar._SHARED_ROWS = 0  # every column is looked at for sharing, not only from 50 000 cells on
    try:
        assert strings(series).tolist() == cells
    finally:
        columnar._SHARED_ROWS = shared


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.sampled_from(["H1", "H2"])), st.sampled_from([None, "E01", "e01"]))))
def test_repeated_members_are_found_by_polars_as_pandas_finds_them(pairs):
    from sferum_lib.workbook.importer import _repeated

    pl = polars()
    chats = [c for c, _ in pairs]
    people = [p for _, p in pairs]
    members = pd.DataFrame({"chat_id": pd.Series(chats, dtype=object), "person_id": pd.Series(people, dtype=object)})
    expected = members.duplicated(["chat_id", "person_id"]).tolist()
    got = _repeated(members, pl.Series(chats, dtype=pl.String), pl.Series(people, dtype=pl.String))
    assert got.tolist() == expected == _repeated(members, None, None).tolist()
