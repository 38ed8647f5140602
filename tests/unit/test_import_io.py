"""The whole-column parsing of an import gives exactly what the per-value parsers give, cell for cell."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sferum_lib.values import INVALID, parse_column
from sferum_lib.workbook.importer import _parse_cells, _parser
from sferum_lib.workbook.reader import decode, read_csv_text
from sferum_lib.workbook.schema import SHEETS

COLUMNS = {c.kind: c for sheet in SHEETS for c in sheet.columns}

PHONES = [
    "+79781234567",
    "8 (978) 123-45-67",
    "+7 978 1234567",
    "89781234567",
    "79781234567",
    "8 978 123 45 67",
    "+7(930)0051234",
    "+7 930 000 12 34",  # a number in a range no operator holds
    "8 (812) 123-45-67",  # a landline
    "+7 700 123 45 67",  # Kazakhstan shares +7
    "8-978-123-45-6",
    "+7978123456789",
    "8 (978) 123-45-67 доб. 12",
    "(8) 978 1234567",
    "+7 - 978 - 1234567",
    "12-34",
    "телефон",
    "+8 978 123 45 67",
    "7 978 123 45 67",
]
TEXTS = [
    "Иванов",
    "  Иванов  ",
    "E01",
    "a;b",
    "a, b ,a",
    ";",
    " ; ",
    "x\ty",
    "x\n y",
    "\r\n",
    "",
    "   ",
    "name@example.ru",
    "name@example",
    "имя@пример.рф",
    "n.a+me@ex-ample.co.uk",
    "a@b.c",
    "bad\x1bvalue",
    "под\u202eмена",
    "x" * 40_000,
    "да",
    "НЕТ",
    "+",
    "муж",
    "12.03.2024",
    "2024-03-12",
    "31.02.2024",
]
OTHER = [None, 12.0, 12.5, True, False, dt.datetime(2024, 3, 12), dt.date(1899, 1, 1), float("nan")]


def same(cells: list[object], kind: str) -> None:
    column = COLUMNS[kind]
    series = pd.Series(cells, dtype=object)
    expected_values, expected_invalid = parse_column(series, _parser(column))
    values, invalid = _parse_cells(series, column)
    assert invalid.tolist() == expected_invalid.tolist()
    assert values.tolist() == expected_values.tolist()


@pytest.mark.parametrize("kind", sorted(COLUMNS))
def test_every_kind_of_column_parses_as_the_per_value_parsers_do(kind):
    same(PHONES + TEXTS + OTHER + PHONES[::-1], kind)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(PHONES + TEXTS),
            st.text(alphabet="+78 9()-0123456", max_size=18),
            st.text(max_size=12),
            st.none(),
        ),
        max_size=30,
    ),
    st.sampled_from(["phone", "text", "email", "list", "id"]),
)
def test_any_texts_parse_as_the_per_value_parsers_do(cells, kind):
    same(cells, kind)


def test_a_refused_cell_stays_refused_among_a_million_good_ones():
    cells = [f"+7978{i:07d}" for i in range(200_000)]
    cells[123_456] = "+7978\x1b1234567"
    values, invalid = _parse_cells(pd.Series(cells, dtype=object), COLUMNS["phone"])
    assert np.flatnonzero(invalid).tolist() == [123_456]
    assert values[0] == "+79780000000" and values[123_456] is None
    assert INVALID not in set(values[:10])


def test_windows_1251_is_told_from_utf8_by_its_letters():
    text = "ID;Фамилия\nE01;Ёлкина\n"
    assert decode(text.encode("cp1251")) == text
    assert decode(text.encode("utf-8-sig")) == text


def test_a_csv_read_whole_keeps_blank_lines_out_and_row_numbers_in():
    raw = read_csv_text("Сотрудники", "\n;\nID;Фамилия\nE01;Иванов\n ; \nE02;Петров")
    assert raw.header_row == 3
    assert raw.rows.tolist() == [4, 6]
    assert raw.cells[1].tolist() == ["Иванов", "Петров"]
