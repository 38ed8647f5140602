"""Value parsers of the workbook conventions, with property-based tests."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sferum_lib.values import (
    INVALID,
    cell_text,
    is_mobile,
    parse_column,
    parse_date,
    parse_email,
    parse_flag,
    parse_list,
    parse_phone,
)

dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


@given(dates)
def test_date_reads_back_in_both_text_forms_and_as_a_cell(day):
    assert parse_date(day.strftime("%d.%m.%Y")) == day
    assert parse_date(day.isoformat()) == day
    assert parse_date(day) == day
    assert parse_date(dt.datetime.combine(day, dt.time(0))) == day


@given(st.text())
def test_date_parser_never_raises(text):
    result = parse_date(text)
    assert result is None or result is INVALID or isinstance(result, dt.date)


def test_impossible_and_foreign_dates_are_invalid():
    for text in ("31.02.2026", "2026-13-01", "15/10/2026", "вчера", "10.2026"):
        assert parse_date(text) is INVALID, text
    assert parse_date(45000.0) is INVALID  # a bare number is not a date cell
    assert parse_date("  ") is None


@given(
    st.sampled_from(["да", "+", "1", "true"]),
    st.sampled_from([str.lower, str.upper, str.title]),
    st.sampled_from(["", " ", "  "]),
)
def test_yes_in_any_case_and_padding(word, case, pad):
    assert parse_flag(pad + case(word) + pad) is True


@given(st.sampled_from(["нет", "-", "0", "false", "", None]))
def test_no_and_empty_are_false(word):
    assert parse_flag(word) is False


def test_unknown_flag_is_invalid():
    assert parse_flag("может быть") is INVALID


@given(st.integers(min_value=0, max_value=9_999_999), st.sampled_from(["978", "916", "903"]))
def test_phone_notations_normalise_to_one_form(tail, code):
    digits = f"{tail:07d}"
    expected = f"+7{code}{digits}"
    for text in (
        f"8 ({code}) {digits[:3]}-{digits[3:5]}-{digits[5:]}",
        f"+7 {code} {digits}",
        f"8{code}{digits}",
        f"+7({code}){digits[:3]} {digits[3:5]} {digits[5:]}",
    ):
        assert parse_phone(text) == expected, text
    assert is_mobile(expected)


def test_bad_phones_are_invalid_and_landlines_are_not_mobile():
    for text in ("123", "позвонить маме", "+7 978 12"):
        assert parse_phone(text) is INVALID, text
    assert parse_phone("8 (495) 123-45-67") == "+74951234567"
    assert not is_mobile("+74951234567")
    assert parse_phone(None) is None


@given(st.from_regex(r"[a-z][a-z0-9._]{0,10}@[a-z]{2,8}\.(ru|org|com)", fullmatch=True))
def test_plain_emails_are_accepted(address):
    assert parse_email(address) == address


def test_bad_emails_are_invalid():
    for text in ("ivanov", "ivanov@", "@mail.ru", "iva nov@mail.ru", "ivanov@mail"):
        assert parse_email(text) is INVALID, text


@given(
    st.lists(st.from_regex(r"[A-Z0-9]{1,4}", fullmatch=True), min_size=1, max_size=5, unique=True),
    st.sampled_from([";", ",", "; ", " , "]),
)
def test_lists_split_on_semicolons_and_commas(items, sep):
    assert parse_list(sep.join(items)) == tuple(items)


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_whole_numbers_lose_excels_decimal_point(n):
    assert cell_text(float(n)) == str(n)


def test_parse_column_parses_each_distinct_value_once_and_flags_invalid_rows():
    calls = []

    def parser(value):
        calls.append(value)
        return parse_flag(value)

    column = pd.Series(["да", "нет", "да", None, "может", "да"], dtype=object)
    values, invalid = parse_column(column, parser)
    assert values.tolist() == [True, False, True, False, None, True]
    assert invalid.tolist() == [False, False, False, False, True, False]
    assert len(calls) == 4  # «да», «нет», «может» and the empty cell


@pytest.mark.parametrize(
    ("text", "described"),
    [
        ("a\x1b[31m", "символ U+001B (ESC)"),
        ("a\x00b", "символ U+0000 (NUL)"),
        ("\x9b31m", "символ U+009B (CSI)"),
        ("abc\u202edcb", "символ U+202E"),
        ("обычный текст", None),
        ("с\tтабуляцией", None),  # whitespace, not a control to refuse
    ],
)
def test_control_characters_are_found_and_named(text, described):
    from sferum_lib.values import control_of

    assert control_of(text) == described


def test_line_breaks_and_tabs_inside_a_cell_become_one_space():
    assert cell_text("  педагог\r\nдополнительного \t образования ") == "педагог дополнительного образования"


def test_visible_shows_controls_and_invisible_characters_as_escapes():
    from sferum_lib.errors import visible

    assert visible("a\x1b[31mb") == "a\\x1b[31mb"
    assert visible("E01\u200b") == "E01\\u200b"
    assert visible("E\u00a001") == "E\\xa001"
    assert visible("Сорокина Анна") == "Сорокина Анна"


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (dt.date(1900, 1, 1), True),
        (dt.date(1899, 12, 31), False),
        (dt.datetime(2100, 12, 31, 0, 0), True),
        (dt.date(2101, 1, 1), False),
        ("01.01.1800", False),
        ("2200-05-01", False),
        ("15.10.2026", True),
    ],
)
def test_dates_are_accepted_from_1900_to_2100(value, ok):
    assert (parse_date(value) is not INVALID) == ok
