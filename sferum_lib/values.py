"""Parsers for the value conventions of the workbook contract.

Each ``parse_*`` function takes one cell as a reader gives it (text, a number, a date, ``None``) and returns
the value, ``None`` for an empty cell, or :data:`INVALID`. :func:`parse_column` applies one of them to a whole
column, calling it once per distinct value, which keeps a million-row column fast.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any, Final

import numpy as np
import pandas as pd
import phonenumbers


class _Invalid:
    __slots__ = ()

    def __repr__(self) -> str:
        return "INVALID"


#: Returned by a parser for a value that does not follow the convention.
INVALID: Final = _Invalid()

_YES = frozenset({"да", "+", "1", "true", "истина", "yes"})
_NO = frozenset({"нет", "-", "0", "false", "ложь", "no"})
_DATE_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# Deliberately plain: one @, no spaces, a dot in the domain. Full RFC 5322 would accept what no school uses.
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-']+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-zА-Яа-я]{2,}$")
_LIST_SPLIT = re.compile(r"[;,]")
# Line breaks and tabs inside a cell (Alt+Enter in Excel) are whitespace: a value keeps one line.
_BREAKS = re.compile(r"\s*[\t\n\r]+\s*")
#: Characters no value may hold: C0 and C1 controls (ESC starts terminal escape sequences, NUL cuts strings),
#: DEL, and the bidirectional overrides that make a text display in another order than it is stored.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
#: Excel keeps at most this many characters in a cell; a longer value could not be exported.
EXCEL_CELL_CHARS = 32_767
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x0B: "VT", 0x0C: "FF", 0x1B: "ESC", 0x7F: "DEL", 0x9B: "CSI"}


def cell_text(value: Any) -> str | None:
    """The text of a cell, trimmed; ``None`` when empty. Whole numbers lose Excel's «.0» (ID 12, not 12.0)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.strip()
        if "\n" in text or "\t" in text or "\r" in text:
            text = _BREAKS.sub(" ", text)
        return text or None
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float):
        if np.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().strftime("%d.%m.%Y")
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if value is pd.NaT:
        return None
    return str(value).strip() or None


def control_of(value: Any) -> str | None:
    """The first forbidden character of a text value described in Russian («символ U+001B (ESC)»), else None."""
    if not isinstance(value, str):
        return None
    found = CONTROL.search(value)
    if found is None:
        return None
    code = ord(found.group())
    name = _CONTROL_NAMES.get(code)
    return f"символ U+{code:04X}" + (f" ({name})" if name else "")


def parse_text(value: Any) -> str | None:
    return cell_text(value)


#: Dates the workbook accepts: Excel's own calendar starts in 1900, and no date of this product lies past 2100.
FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


def _in_range(day: dt.date) -> dt.date | _Invalid:
    return day if FIRST_DATE <= day <= LAST_DATE else INVALID


def parse_date(value: Any) -> dt.date | _Invalid | None:
    """Excel date cells, ``ДД.ММ.ГГГГ`` or ``ГГГГ-ММ-ДД``, from 1900 to 2100."""
    if isinstance(value, dt.datetime):
        return _in_range(value.date())
    if isinstance(value, dt.date):
        return _in_range(value)
    if not isinstance(value, str):
        return None if cell_text(value) is None else INVALID
    text = value.strip()
    if not text:
        return None
    if m := _DATE_DMY.match(text):
        day, month, year = (int(g) for g in m.groups())
    elif m := _DATE_ISO.match(text):
        year, month, day = (int(g) for g in m.groups())
    else:
        return INVALID
    try:
        return _in_range(dt.date(year, month, day))
    except ValueError:
        return INVALID


def parse_flag(value: Any) -> bool | _Invalid:
    """yes/no: «да»/«нет», «+»/«-», «1»/«0», «true»/«false»; empty is «нет»."""
    if isinstance(value, bool):
        return value
    text = cell_text(value)
    if text is None:
        return False
    text = text.lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    return INVALID


_MALE = frozenset({"м", "м.", "муж", "муж.", "мужской", "мужчина"})
_FEMALE = frozenset({"ж", "ж.", "жен", "жен.", "женский", "женщина"})


def parse_gender(value: Any) -> str | _Invalid | None:
    """«Пол»: «м» / «ж» (also «муж», «жен», «мужской», «женский», any case); empty means not given."""
    text = cell_text(value)
    if text is None:
        return None
    text = text.lower().replace("ё", "е")
    if text in _MALE:
        return "м"
    if text in _FEMALE:
        return "ж"
    return INVALID


def parse_phone(value: Any) -> str | _Invalid | None:
    """A phone in any common Russian notation, returned as E.164 (``+79781234567``)."""
    text = cell_text(value)
    if text is None:
        return None
    if not re.search(r"\d", text) or re.search(r"[A-Za-zА-Яа-я]", text.replace("доб", "")):
        return INVALID
    number = phone_number(text)
    if number is None:
        return INVALID
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_number(text: str) -> phonenumbers.PhoneNumber | None:
    """A valid phone number read from ``text`` (a Russian number without its «+7» too), else None."""
    try:
        number = phonenumbers.parse(text, "RU")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def is_mobile(phone: str | None) -> bool:
    """A Russian mobile number in the stored form ``+79XXXXXXXXX``."""
    return bool(phone) and re.fullmatch(r"\+79\d{9}", phone) is not None  # type: ignore[arg-type]


def parse_email(value: Any) -> str | _Invalid | None:
    text = cell_text(value)
    if text is None:
        return None
    return text if _EMAIL.match(text) else INVALID


def parse_list(value: Any) -> tuple[str, ...] | None:
    """Items separated by «;» or «,», trimmed; an empty cell is ``None``."""
    text = cell_text(value)
    if text is None:
        return None
    items = tuple(dict.fromkeys(p.strip() for p in _LIST_SPLIT.split(text) if p.strip()))
    return items or None


def parse_column(column: pd.Series, parser: Callable[[Any], Any]) -> tuple[pd.Series, pd.Series]:
    """Apply ``parser`` to a column; return (values, invalid mask). Each distinct cell is parsed once."""
    codes, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=True)
    parsed = np.array([parser(u) for u in uniques] + [parser(None)], dtype=object)
    values = parsed[codes]  # code -1 (empty) takes the last element: the parser's answer for nothing
    invalid = np.fromiter((v is INVALID for v in parsed), dtype=bool, count=len(parsed))[codes]
    values = np.where(invalid, None, values)
    return pd.Series(values, index=column.index, dtype=object), pd.Series(invalid, index=column.index)


def to_dates(values: pd.Series) -> pd.Series:
    """Parsed dates (``datetime.date`` or ``None``) as a day-precision datetime column.

    A column holds a few hundred distinct days among a million cells: each distinct day is converted once.
    """
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    days = np.append(uniques.astype(object), None)  # code -1 (empty) takes the last element: NaT
    converted = pd.to_datetime(pd.Series(days, dtype=object)).astype("datetime64[s]").to_numpy()
    return pd.Series(converted[codes], index=values.index, name=values.name)
