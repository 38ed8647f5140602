"""The quick ways of reading and checking a big file give exactly what the slow, general ways give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sferum_lib.errors import InputFileError
from sferum_lib.workbook.columnar import polars
from sferum_lib.workbook.importer import _check_refs, _explode, _Problems, _skeletons, id_skeleton
from sferum_lib.workbook.reader import _raw_sheet, _read_csv_records, _read_plain, read_csv_text
from tests.helpers import D, clean_book, set_cell, snapshot_of


def as_rows(raw) -> tuple:
    cells = raw.cells
    values = [[cells[c].iloc[r] for c in cells.columns] for r in range(len(cells))]
    return raw.headers, raw.header_row, raw.rows.tolist(), values, [str(t) for t in cells.dtypes]


def record_by_record(text: str, delimiter: str):
    try:
        return as_rows(_read_csv_records("Лист", text, "Лист.csv", delimiter))
    except InputFileError as exc:
        return [(p.row, p.expected) for p in exc.problems]


PLAIN = "ID;Фамилия;Телефон\nE01;Иванов;+79781234567\nE02; Петров ;\nE03;;8 978 123-45-67\n"


def test_a_big_file_takes_the_columnar_way_and_a_small_one_the_csv_modules(monkeypatch):
    from sferum_lib.workbook import columnar, reader

    taken = []
    monkeypatch.setattr(columnar, "csv_columns", lambda text, d: taken.append(len(text)))  # declines: None
    plain = []
    monkeypatch.setattr(reader, "_read_plain", lambda *a: plain.append(len(a[1])))
    big = "ID;Фамилия\n" + "E01;Иванов\n" * (reader.PLAIN_CHARS // 10)
    read_csv_text("Лист", PLAIN)
    read_csv_text("Лист", big)
    assert taken == [len(big)]
    assert plain == [len(big)]  # what the columnar way declines, pandas' C parser may still take


def test_a_plain_file_is_read_the_quick_way_with_the_same_cells_and_row_numbers():
    quick = _read_plain("Лист", PLAIN, ";")
    assert quick is not None
    assert as_rows(quick) == record_by_record(PLAIN, ";")
    assert quick.rows.tolist() == [2, 3, 4]
    assert quick.cells[1].tolist() == ["Иванов", " Петров ", ""]


@pytest.mark.parametrize(
    "text",
    [
        'ID;Фамилия\nE01;"Иванов; Петров"\n',  # quotes
        "ID;Фамилия\r\nE01;Иванов\r\n",  # Windows line ends
        "ID;Фамилия\nE01\nE02;Петров\n",  # a narrower row
        "ID;Фамилия\nE01;Иванов;лишнее\n",  # a wider row
        "ID;Фамилия\n\nE01;Иванов\n",  # a blank line
        "ID;Фамилия\n ; \nE01;Иванов\n",  # a row of spaces
        "\nID;Фамилия\nE01;Иванов\n",  # the header below a blank line
        "\ufeffID;Фамилия\nE01;Иванов\n",  # a second byte-order mark
        "ID;Фамилия\nE01;Ив\x00анов\n",  # NUL
    ],
)
def test_anything_but_a_plain_file_goes_the_general_way_and_reads_as_before(text):
    assert _read_plain("Лист", text, ";") is None
    assert as_rows(read_csv_text("Лист", text)) == record_by_record(text, ";")


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.lists(st.text(alphabet="aЯ1 ;,\t\u00a0\x1c\u2028-.@+", max_size=6), min_size=1, max_size=4),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from([";", ","]),
    st.booleans(),
)
def test_any_quote_free_text_reads_the_quick_way_as_record_by_record(rows, delimiter, final_break):
    text = "\n".join(delimiter.join(r) for r in rows) + ("\n" if final_break else "")
    quick = _read_plain("Лист", text, delimiter)
    if quick is not None:
        assert as_rows(quick) == record_by_record(text, delimiter)
    assert as_rows(read_csv_text("Лист", text)) == record_by_record(text, read_delimiter(text))


def read_delimiter(text: str) -> str:
    from sferum_lib.workbook.reader import _delimiter

    return _delimiter(text)


def test_the_delimiter_is_found_past_a_long_blank_head():
    text = " \n" * 40_000 + "ID,Фамилия,Имя;x\nE01,Иванов,Анна;y\n"
    assert read_delimiter(text) == ","
    assert read_delimiter("ID;Фамилия\n" + "E01;Иванов\n" * 10_000) == ";"


def test_a_sheet_of_texts_numbers_and_dates_keeps_each_cell_whole():
    import datetime as dt

    records = [["ID", "Дата", "Число"], ["E01", dt.datetime(2024, 3, 12), 12.0], ["E02", None], [" ", None, ""]]
    raw = _raw_sheet("Лист", records)
    assert raw.rows.tolist() == [2, 3]
    assert raw.cells[1].tolist() == [dt.datetime(2024, 3, 12), None]
    assert raw.cells[2].tolist() == [12.0, None]
    assert [str(t) for t in raw.cells.dtypes] == ["object"] * 3


IDS = ["E01", "Е01", "e01", "E 01", "E\u200b01", "U-1", "u-1", "Ёж", "ЁЖ", "R000001", "\u00a0x", "x"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(IDS), st.text(max_size=6)), max_size=20))
def test_id_skeletons_of_a_column_are_those_of_each_id(ids):
    assert _skeletons(np.array(ids, dtype=object)).tolist() == [id_skeleton(i) for i in ids]


def test_references_are_checked_by_value_and_name_the_look_alike():
    frame = pd.DataFrame({"ref": pd.Series(["E01", None, "Е01", "E02", "E01"], dtype=object), "_row": np.arange(2, 7)})
    problems = _Problems()
    _check_refs(problems, "Лист", frame, "ref", "Кем", {"E01", "E03"}, "нет сотрудника")
    assert [(p.row, p.value) for p in problems] == [(4, "Е01"), (5, "E02")]
    assert "похожий «E01»" in problems[0].expected and "похож" not in problems[1].expected


def test_an_invite_without_its_target_is_an_error_not_a_crash():
    book = clean_book()
    set_cell(book, "Ссылки-приглашения", "I1", "Куда", "")
    with pytest.raises(InputFileError) as caught:
        snapshot_of(book)
    assert [(p.sheet, p.row, p.column, p.expected) for p in caught.value.problems] == [
        ("Ссылки-приглашения", 2, "Куда", "обязательное значение не заполнено")
    ]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(*[st.text(alphabet="aЯ1 ,\t\u00a0\x1c\u2028\x85-.@+#'", max_size=6)] * 3), min_size=1))
def test_any_plain_table_is_read_the_quick_way_when_its_first_cells_are_filled(rows):
    text = "\n".join(";".join(r) for r in rows)
    quick = _read_plain("Лист", text, ";")
    assert (quick is not None) == all(r[0].strip() for r in rows)
    if quick is not None:
        assert as_rows(quick) == record_by_record(text, ";")


def old_explode(frame: pd.DataFrame, list_field: str, id_field: str, item_field: str) -> pd.DataFrame:
    pairs = frame[[id_field, list_field, "_row"]].dropna(subset=[list_field]).explode(list_field)
    return pairs.rename(columns={id_field: "owner", list_field: item_field}).reset_index(drop=True)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.sampled_from(["R1", "R2", "Р1"])),
            st.one_of(st.none(), st.lists(st.sampled_from(["U1", "U2", "У3"]), min_size=1, max_size=3).map(tuple)),
        ),
        max_size=12,
    )
)
def test_list_columns_explode_as_pandas_explodes_them(rows):
    frame = pd.DataFrame(
        {
            "id": pd.Series([r[0] for r in rows], dtype=object),
            "children": pd.Series([r[1] for r in rows], dtype=object),
            "_row": np.arange(2, len(rows) + 2, dtype=np.int64),
        }
    )
    got = _explode(frame, "children", "id", "pupil_id")
    expected = old_explode(frame, "children", "id", "pupil_id")
    # pandas infers its «str» dtype for the items; the snapshot's tables are conformed to it in the end either way
    assert list(got.columns) == list(expected.columns) and got.index.equals(expected.index)
    assert got["pupil_id"].dtype == object
    for column in got.columns:
        assert got[column].tolist() == expected[column].tolist(), column


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.sampled_from(["", " ", "\t", "\u00a0", "x", 0, 0.0, 1.5, False])))))
def test_blank_rows_of_an_excel_sheet_are_told_as_cell_by_cell(records):
    from sferum_lib.workbook.reader import _blank_flags, _blank_row

    records = [*records, [1]]  # a number among the cells: the Excel way, cell by cell
    assert _blank_flags(records) == [_blank_row(r) for r in records]


def old_check_unique(problems, entries, what):
    """The check as it was before it shared one hashing pass: the reference for the equality test."""
    from sferum_lib.errors import visible
    from sferum_lib.workbook.importer import how_ids_differ

    parts = [
        pd.DataFrame({"sheet": name, "row": frame["_row"], "header": header, "value": frame[field]})
        for name, frame, field, header in entries
        if len(frame)
    ]
    if not parts:
        return
    every = pd.concat(parts, ignore_index=True).dropna(subset=["value"])
    distinct = every.drop_duplicates("value")
    keys = pd.Series(_skeletons(distinct["value"].to_numpy(dtype=object)), index=distinct.index)
    clash = keys.duplicated(keep=False)
    if clash.any():
        group = distinct[clash.to_numpy()].assign(key=keys[clash])
        firsts = group.drop_duplicates("key").set_index("key")
        for record in group[group["key"].duplicated(keep="first")].itertuples(index=False):
            first = firsts.loc[record.key]
            problems.add(
                record.sheet,
                int(record.row),
                record.header,
                record.value,
                f"{what} похож на «{visible(first['value'])}» (лист «{first['sheet']}», строка {int(first['row'])}) "
                f"и отличается от него {how_ids_differ(record.value, first['value'])}: это разные ID для программы, "
                "но один для человека — исправьте один из них",
            )
    repeated = every[every["value"].duplicated(keep=False)]
    if repeated.empty:
        return
    first = repeated.drop_duplicates("value").set_index("value")
    for record in repeated[repeated.duplicated("value", keep="first")].itertuples(index=False):
        where = first.loc[record.value]
        problems.add(
            record.sheet,
            int(record.row),
            record.header,
            record.value,
            f"{what} повторяется: уже есть на листе «{where['sheet']}», строка {int(where['row'])}",
        )


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(IDS)), max_size=10), st.lists(st.sampled_from(IDS), max_size=6))
def test_repeated_and_look_alike_ids_are_found_as_before(staff, pupils):
    from sferum_lib.workbook.importer import _check_unique

    def frame(ids):
        return pd.DataFrame({"id": pd.Series(ids, dtype=object), "_row": np.arange(2, len(ids) + 2)})

    entries = [("Сотрудники", frame(staff), "id", "ID"), ("Обучающиеся", frame(pupils), "id", "ID")]
    got, expected, by_polars = _Problems(), _Problems(), _Problems()
    _check_unique(got, entries, "ID человека")
    old_check_unique(expected, entries, "ID человека")
    assert got == expected
    # the same IDs also as polars columns (a sheet read by whole columns): polars tells the usual case
    pl = polars()
    texts = [pl.Series(staff, dtype=pl.String), pl.Series(pupils, dtype=pl.String)]
    _check_unique(by_polars, entries, "ID человека", texts)
    assert by_polars == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31))), max_size=15))
def test_dates_convert_once_per_distinct_day_as_the_whole_column_did(days):
    from sferum_lib.values import to_dates

    values = pd.Series(days, dtype=object, index=np.arange(10, 10 + len(days)), name="joined")
    expected = pd.to_datetime(values.where(values.notna(), None)).astype("datetime64[s]")
    got = to_dates(values)
    assert got.dtype == expected.dtype and got.name == expected.name
    assert got.equals(expected)


TARGETS = ["чат:H1", "чат:H9", "объединение:RT", "объединение:ZZ", "чат: H1", "Чат:H1", "чат:", "организация",
           " Учительская ", "чат:H1 ", "объединение:R:T", "куда-то", "чат:\u00a0H1", "ОБЪЕДИНЕНИЕ : RT"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.sampled_from(TARGETS), st.text(alphabet="чат:объединеH1 \u00a0", max_size=8))),
    st.booleans(),
    st.booleans(),
)
def test_invite_targets_told_by_polars_are_those_told_one_by_one(targets, sections, chats):
    from sferum_lib.workbook.importer import _invite_targets

    invites = pd.DataFrame({"target": pd.Series(targets, dtype=object), "_row": np.arange(2, len(targets) + 2)})
    known = ({"RT", "R:T"} if sections else None), ({"H1"} if chats else None)
    expected, got = _Problems(), _Problems()
    general = _invite_targets(invites, "Куда", *known, expected)
    quick = _invite_targets(invites, "Куда", *known, got, polars().Series(targets, dtype=polars().String))
    assert quick.tolist() == general.tolist()
    assert got == expected
