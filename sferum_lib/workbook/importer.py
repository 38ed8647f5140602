"""Validating raw sheets against the contract and building a :class:`Snapshot`.

Validation runs in two passes, like roster tools schools already know: first every sheet's columns and
values, then uniqueness and references across sheets. Every problem is collected; if there is any error the
import raises :class:`InputFileError` with all of them and nothing is built.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from phonenumbers import PhoneMetadata

from sferum_lib.errors import InputFileError, Problem, visible
from sferum_lib.model import (
    CHAT_TYPE_LABELS,
    SECTION_CHAT_TYPES,
    TABLES,
    Messenger,
    Organisation,
    Snapshot,
    conform,
)
from sferum_lib.values import (
    _EMAIL,
    _LIST_SPLIT,
    CONTROL,
    EXCEL_CELL_CHARS,
    INVALID,
    cell_text,
    control_of,
    parse_date,
    parse_email,
    parse_flag,
    parse_gender,
    parse_list,
    parse_phone,
    parse_text,
    to_dates,
)
from sferum_lib.workbook.columnar import parse_series
from sferum_lib.workbook.reader import RawSheet, match_sheets, read_source
from sferum_lib.workbook.schema import (
    CHATS,
    EXPECTED,
    INVITES,
    MEMBERS,
    ORGANISATION_PARAMS,
    ORGANISATION_SHEET,
    PARAM_HEADER,
    PARENTS,
    PUPILS,
    REQUESTS,
    SECTIONS,
    SHEETS,
    STAFF,
    TEMPLATE_SHEETS,
    VALUE_HEADER,
    Column,
    Sheet,
    near_miss,
    normalise_header,
)

#: Below this many data rows an import is quick enough not to need a progress bar.
PROGRESS_THRESHOLD = 20_000

_LABEL_TO_KEY = {label: key.value for key, label in CHAT_TYPE_LABELS.items()}


@dataclass(frozen=True)
class ImportResult:
    snapshot: Snapshot
    warnings: list[Problem]
    source: str
    rows: int


#: Words people use for the platform's roles besides the contract's own (the app says «учитель», «ученик»).
CHOICE_ALIASES: dict[str, str] = {
    "учитель": "педагог",
    "ученик": "обучающийся",
    "законный представитель": "родитель",
    "vk": "VK Мессенджер",
    "вк": "VK Мессенджер",
    "vk messenger": "VK Мессенджер",
    "vk-мессенджер": "VK Мессенджер",
    "vk мессенджер": "VK Мессенджер",
    "макс": "MAX",
}


def choice_key(text: str) -> str:
    """Compare choices ignoring case, «ё», spaces and the kind of dash («руководитель - педагоги»)."""
    return re.sub(r"\s*[-–—]\s*", "—", normalise_header(text))


def _choice_parser(choices: tuple[str, ...]) -> Callable[[Any], Any]:
    canonical = {choice_key(c): c for c in choices}
    for alias, target in CHOICE_ALIASES.items():
        if target in choices:
            canonical[choice_key(alias)] = target

    def parse(value: Any) -> Any:
        text = cell_text(value)
        if text is None:
            return None
        return canonical.get(choice_key(text), INVALID)

    return parse


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "id": parse_text,
    "text": parse_text,
    "date": parse_date,
    "flag": parse_flag,
    "gender": parse_gender,
    "phone": parse_phone,
    "email": parse_email,
    "list": parse_list,
}


def _checked(parser: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A parser that first refuses control characters and texts longer than an Excel cell holds."""

    def parse(value: Any) -> Any:
        if isinstance(value, str) and (len(value) > EXCEL_CELL_CHARS or control_of(value)):
            return INVALID
        return parser(value)

    return parse


def _parser(column: Column) -> Callable[[Any], Any]:
    return _checked(_choice_parser(column.choices) if column.kind == "choice" else _PARSERS[column.kind])


# --- a column parsed at once ------------------------------------------------------------------------------------
#
# A million-row sheet has about a million distinct IDs, phones, e-mails and lists of children: a parser called
# once per distinct value (values.parse_column) spends most of an import there, phonenumbers alone 30 µs a
# number. Texts, the commonest cells by far, are therefore parsed with whole-column string operations, giving
# exactly what the per-value parsers give; any other cell (a number, a date, an odd phone) still goes to them.

_BREAK_CHARS = re.compile(r"[\t\n\r]")
_MOBILE = re.compile(
    PhoneMetadata.metadata_for_region("RU").mobile.national_number_pattern  # type: ignore[union-attr]
)
# «+7 978 123-45-67», «8 (978) 1234567»: a Russian mobile in the usual notations, decided without phonenumbers
_PLAIN_PHONE = re.compile(r"\+?[\d ()\-]+")
_PHONE_DIGITS = re.compile(r"^(?:\+7|8)(9\d{9})$")
_NO_PUNCTUATION = str.maketrans("", "", " ()-")


def _clean_texts(texts: list[str]) -> tuple[list[str | None], np.ndarray]:
    """``cell_text`` of every text at once, and the mask of texts refused before parsing (length, controls).

    Plain list comprehensions, not pandas' ``.str`` methods: on object columns those loop in Python too, with a
    missing-value check and a lambda call per cell on top.
    """
    refused = np.zeros(len(texts), dtype=bool)
    joined = "\n".join(texts)
    if CONTROL.search(joined) or max(map(len, texts), default=0) > EXCEL_CELL_CHARS:
        refused = np.fromiter(
            ((len(t) > EXCEL_CELL_CHARS or control_of(t) is not None) for t in texts), dtype=bool, count=len(texts)
        )
    clean: list[str | None] = [t.strip() for t in texts]
    if "\t" in joined or "\r" in joined or joined.count("\n") >= len(texts):
        breaks = _BREAK_CHARS.search
        clean = [cell_text(t) if breaks(t) else t for t in clean]  # type: ignore[arg-type]
    return [t or None for t in clean], refused


def _phone_digits(text: str) -> str | None:
    """The ten national digits of a Russian mobile in a usual notation, else None (then phonenumbers decides)."""
    if _PLAIN_PHONE.fullmatch(text) is None:
        return None
    found = _PHONE_DIGITS.search(text.translate(_NO_PUNCTUATION))
    if found is None or _MOBILE.fullmatch(found.group(1)) is None:
        return None
    return found.group(1)


def _parse_texts(clean: list[str | None], column: Column) -> np.ndarray | None:
    """The parsed values of cleaned texts (``None`` for empty, INVALID), or None when only the parser knows."""
    kind = column.kind
    if kind in ("id", "text"):
        return _objects(clean)
    if kind == "email":
        match = _EMAIL.match
        return _objects([None if t is None else t if match(t) else INVALID for t in clean])
    if kind == "list":
        split = _LIST_SPLIT.search
        return _objects([None if t is None else parse_list(t) if split(t) else (t,) for t in clean])
    if kind == "phone":
        values = []
        for t in clean:
            if t is None:
                values.append(None)
            elif (digits := _phone_digits(t)) is not None:
                values.append("+7" + digits)
            else:
                values.append(parse_phone(t))
        return _objects(values)
    return None


def _objects(values: list[Any]) -> np.ndarray:
    # fromiter keeps each item whole: a tuple (a list of children) is not taken for a row of a 2-D array
    return np.fromiter(values, dtype=object, count=len(values))


def _parse_cells(cells: pd.Series, column: Column) -> tuple[np.ndarray, np.ndarray]:
    """Parse a column: (values, invalid mask), as ``values.parse_column`` with the column's parser gives them."""
    parser = _parser(column)
    codes, uniques = pd.factorize(cells.to_numpy(dtype=object), use_na_sentinel=True)
    parsed = np.empty(len(uniques) + 1, dtype=object)
    # one C pass tells a column of texts only (every CSV column) from one with numbers or dates among them
    if pd.api.types.infer_dtype(uniques, skipna=False) == "string":
        is_text = np.ones(len(uniques), dtype=bool)
    else:
        is_text = np.fromiter((type(u) is str for u in uniques), dtype=bool, count=len(uniques))
    rest = np.flatnonzero(~is_text)
    if is_text.any():
        where = np.flatnonzero(is_text)
        clean, refused = _clean_texts(uniques[where].tolist())
        values = _parse_texts(clean, column)
        if values is None:  # dates, flags, choices: few distinct values, each parsed once
            rest = np.arange(len(uniques))
        else:
            values[refused] = INVALID
            parsed[where] = values
    parsed[rest] = [parser(u) for u in uniques[rest]]
    parsed[-1] = parser(None)  # code -1 (empty) takes the last element: the parser's answer for nothing
    invalid = np.array([v is INVALID for v in parsed], dtype=bool)
    parsed[invalid] = None
    return parsed[codes], invalid[codes]


_TOO_LONG = f"значение длиннее {EXCEL_CELL_CHARS:,} символов — столько не помещается в ячейку Excel".replace(",", " ")


def _refusal(column: Column, value: object) -> str:
    """Why a cell was refused: a forbidden character, a text too long, or not the expected kind of value."""
    if (control := control_of(value)) is not None:
        return f"недопустимый управляющий {control}: удалите его из ячейки"
    if isinstance(value, str) and len(value) > EXCEL_CELL_CHARS:
        return _TOO_LONG
    return _expected(column)


def _expected(column: Column) -> str:
    if column.kind == "choice":
        return "ожидается одно из значений: " + ", ".join(f"«{c}»" for c in column.choices)
    return EXPECTED.get(column.kind, "значение не распознано")


def _shown(value: object) -> str:
    """A cell as a message shows it: trimmed, and cut short when very long (the whole text helps nobody)."""
    text = cell_text(value) or ""
    return text if len(text) <= 200 else f"{text[:200]}… (всего символов: {len(text)})"


class _Problems(list[Problem]):
    def add(self, sheet: str, row: int | None, column: str, value: object, expected: str) -> None:
        self.append(Problem(sheet, row, column, _shown(value), expected))

    def warn(self, sheet: str, row: int | None, column: str, value: object, expected: str) -> None:
        self.append(Problem(sheet, row, column, _shown(value), expected, warning=True))


def _header_index(raw: RawSheet) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for position, header in enumerate(raw.headers):
        if header:
            index.setdefault(normalise_header(header), []).append(position)
    return index


def _parse_columns(
    spec_name: str, columns: Iterable[Column], raw: RawSheet, problems: _Problems
) -> tuple[pd.DataFrame, dict[str, str], dict[str, Any]]:
    """Parse the columns of a sheet; return the values by field (plus ``_row``), the headers as written and,
    for a sheet read by whole columns, its ID and text columns again as polars columns (by field).
    """
    index = _header_index(raw)
    known = {c.key for c in columns}
    absent = [c.header for c in columns if c.key not in index]
    misspelt: dict[str, str] = {}  # a missing column's header -> the unknown header that most likely means it
    for key, positions in index.items():
        if key not in known:
            header = raw.headers[positions[0]]
            meant = near_miss(header, absent)
            if meant is not None and meant not in misspelt:
                misspelt[meant] = header
                continue
            problems.warn(spec_name, raw.header_row, header, "", "неизвестный столбец, не учитывается")
    for column in columns:
        header = misspelt.get(column.header)
        if header is not None and not column.required:  # a required one is named with its own error below
            problems.warn(
                spec_name,
                raw.header_row,
                header,
                "",
                f"неизвестный столбец, не учитывается; если это «{column.header}», исправьте заголовок",
            )
    parsed: dict[str, Any] = {"_row": raw.rows}
    written: dict[str, str] = {}
    texts: dict[str, Any] = {}
    for column in columns:
        positions = index.get(column.key, [])
        written[column.field] = raw.headers[positions[0]] if positions else column.header
        if not positions:
            if column.required:
                meant = misspelt.get(column.header)
                problems.add(
                    spec_name,
                    raw.header_row,
                    column.header,
                    "",
                    "нет обязательного столбца"
                    + (f"; есть столбец «{meant}» — если это он, исправьте заголовок" if meant else ""),
                )
            parsed[column.field] = np.full(len(raw), None, dtype=object)
            continue
        if len(positions) > 1:
            problems.add(spec_name, raw.header_row, column.header, "", "столбец повторяется: оставьте один")
        empty = None
        if raw.columns is not None:  # a big sheet read by whole columns
            series = raw.columns[positions[0]]
            values, invalid, empty, column_texts = parse_series(
                series,
                column,
                _parser(column),
                lambda c, column=column: _parse_cells(c, column),
                getattr(raw.columns, "plain", False),
                getattr(raw.columns, "trimmed", False),
            )
            if column_texts is not None:
                texts[column.field] = column_texts
            cell_at: Callable[[int], object] = series.__getitem__
        else:
            cells = raw.cells[positions[0]] if len(raw) else pd.Series([], dtype=object)
            values, invalid = _parse_cells(cells, column)
            cell_at = cells.iloc.__getitem__
        for i in np.flatnonzero(invalid):
            cell = cell_at(int(i))
            problems.add(spec_name, int(raw.rows[i]), written[column.field], cell, _refusal(column, cell))
        if column.required:
            missing = (pd.isna(values) if empty is None else empty) & ~invalid
            for i in np.flatnonzero(missing):
                problems.add(
                    spec_name, int(raw.rows[i]), written[column.field], "", "обязательное значение не заполнено"
                )
        parsed[column.field] = values
    # object columns, not pandas' inferred «str»: the checks read values one by one (sets, zips), and a str
    # column hands each out through a Python-level __getitem__, ten times slower; empty stays None, not NaN
    frame = pd.DataFrame(
        {
            k: v if k == "_row" or v.dtype.kind == "M" else pd.Series(v, dtype=object, copy=False)
            for k, v in parsed.items()
        },
        copy=False,
    )
    return frame, written, texts


def _typed(frame: pd.DataFrame, spec: Sheet) -> pd.DataFrame:
    """Convert parsed values to the table's dtypes, keeping ``_row`` for later messages."""
    out = frame.copy(deep=False)  # copy-on-write: the date columns set below leave ``frame`` as it was
    for column in spec.columns:
        if column.kind == "date" and out[column.field].dtype.kind != "M":  # a column read whole is typed already
            out[column.field] = to_dates(out[column.field])
    return out


def _explode(frame: pd.DataFrame, list_field: str, id_field: str, item_field: str) -> pd.DataFrame:
    """One row per item of a list column: (owner, item, _row), in the frame's order."""
    lists = frame[list_field].to_numpy(dtype=object)
    has = ~pd.isna(lists)
    kept = lists[has]
    counts = np.fromiter(map(len, kept), dtype=np.int64, count=len(kept))
    if (counts == 0).any():  # pandas gives an empty list a row of NaN: leave that to pandas
        pairs = frame[[id_field, list_field, "_row"]].dropna(subset=[list_field]).explode(list_field)
        return pairs.rename(columns={id_field: "owner", list_field: item_field}).reset_index(drop=True)
    # the lists are repeated and chained in C, where pandas' explode builds each row through Python
    items = np.fromiter(chain.from_iterable(kept), dtype=object, count=int(counts.sum()))
    owners = np.repeat(frame[id_field].to_numpy(dtype=object)[has], counts)
    rows = np.repeat(frame["_row"].to_numpy()[has], counts)
    return pd.DataFrame(
        {
            "owner": pd.Series(owners, dtype=object, copy=False),
            item_field: pd.Series(items, dtype=object, copy=False),
            "_row": rows,
        },
        copy=False,
    )


# Letters that look the same in Cyrillic and Latin script; an ID typed on the other keyboard layout is a new ID.
_CYRILLIC = "АВЕКМНОРСТУХаеорсухіјѕІЈЅ"
_LATIN = "ABEKMHOPCTYXaeopcyxijsIJS"
_LOOKALIKE = str.maketrans(_CYRILLIC, _LATIN)
# Characters that show as nothing (zero-width, soft hyphen, word joiner, BOM) and spaces that look like a space.
_INVISIBLE = re.compile("[\u00ad\u034f\u180e\u200b-\u200f\u2060-\u2064\ufeff]")
_ODD_SPACE = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")


def _plain(text: str) -> str:
    return _ODD_SPACE.sub(" ", _INVISIBLE.sub("", text))


def id_skeleton(text: str) -> str:
    """An ID as a person reads it: case, Cyrillic/Latin look-alikes and invisible characters do not count."""
    if text.isascii() and " " not in text:
        return text.upper()
    return "".join(_plain(text).split()).upper().translate(_LOOKALIKE)


#: From this many IDs on their skeletons are made by polars: plain ASCII ones upper-cased by column.
_SKELETONS_BY_COLUMN = 50_000


def _skeletons(values: np.ndarray) -> np.ndarray:
    """``id_skeleton`` of many IDs: plain ASCII ones (nearly all) upper-cased inline, the rest by the function."""
    if len(values) >= _SKELETONS_BY_COLUMN:
        from sferum_lib.workbook.columnar import polars

        pl = polars()
        try:
            ids = pl.Series(values, dtype=pl.String)
        except Exception:
            ids = None
        if ids is not None:
            plain = (ids.str.contains(r"^[\x00-\x7f]*$") & ~ids.str.contains(" ", literal=True)).to_numpy()
            keys = ids.str.to_uppercase().to_numpy()
            rest = np.flatnonzero(~plain)
            keys[rest] = [id_skeleton(v) for v in values[rest]]
            return keys
    keys = [v.upper() if v.isascii() and " " not in v else id_skeleton(v) for v in values]
    return np.fromiter(keys, dtype=object, count=len(keys))


def _script(ch: str) -> str:
    if "\u0400" <= ch <= "\u04ff":
        return "русская"
    return "латинская" if ch.isascii() else "другая"


def how_ids_differ(a: str, b: str) -> str:
    """«только регистром букв», «только похожими буквами: «Е» (русская) и «E» (латинская)», … in Russian."""
    ways = []
    pa, pb = _plain(a), _plain(b)
    if pa != a or pb != b:
        ways.append("невидимыми символами или особыми пробелами")
    elif pa.split() != pb.split() and "".join(pa.split()) == "".join(pb.split()):
        ways.append("пробелами")
    pa, pb = "".join(pa.split()), "".join(pb.split())
    la, lb = pa.translate(_LOOKALIKE), pb.translate(_LOOKALIKE)
    if la != lb:
        ways.append("регистром букв")
    pairs = dict.fromkeys(
        f"«{x}» ({_script(x)}) и «{y}» ({_script(y)})"
        for x, y in zip(pa.upper(), pb.upper(), strict=False)
        if x != y and x.translate(_LOOKALIKE) == y.translate(_LOOKALIKE)
    )
    if pairs:
        ways.append("похожими русскими и латинскими буквами: " + ", ".join(pairs))
    return "только " + "; ".join(ways or ["написанием"])


def _check_unique(
    problems: _Problems, entries: list[tuple[str, pd.DataFrame, str, str]], what: str, texts: list[Any] | None = None
) -> None:
    """Report every repeated value of an identifier, across all the given sheets together.

    ``texts``: the same columns as polars columns (None for a sheet not read by whole columns); when all are
    there, polars tells the usual case (no value twice, every ID its own skeleton) without building frames.
    """
    if texts and all(t is not None for (_, frame, _, _), t in zip(entries, texts, strict=True) if len(frame)):
        from sferum_lib.workbook.columnar import polars

        given = [t for (_, frame, _, _), t in zip(entries, texts, strict=True) if len(frame)]
        if not given:
            return
        every = polars().concat(given).drop_nulls() if len(given) > 1 else given[0].drop_nulls()
        # distinct hashes are distinct IDs (equal IDs hash equally): the usual case told without comparing texts;
        # an ID is its own skeleton when it is ASCII without spaces and lower-case letters (see _own_skeletons)
        distinct = every.hash().n_unique() == len(every)
        if distinct and not every.str.contains(r"[a-z ]|[^\x00-\x7f]").any():
            return
    parts = [
        pd.DataFrame({"sheet": name, "row": frame["_row"], "header": header, "value": frame[field]})
        for name, frame, field, header in entries
        if len(frame)
    ]
    if not parts:
        return
    every = pd.concat(parts, ignore_index=True).dropna(subset=["value"])
    later = every["value"].duplicated().to_numpy()  # one hashing pass serves both checks when nothing repeats
    _check_lookalikes(problems, every[~later] if later.any() else every, what)
    if not later.any():
        return
    repeated = every[every["value"].duplicated(keep=False)]
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


def _own_skeletons(values: np.ndarray) -> bool:
    """Every ID is its own skeleton (upper-case ASCII without spaces), told from one text of them all.

    Upper-casing ASCII goes letter by letter, so the joined text is unchanged exactly when each ID is.
    """
    try:
        joined = "".join(values)
    except TypeError:  # not texts only
        return False
    return joined.isascii() and " " not in joined and joined.upper() == joined


def _check_lookalikes(problems: _Problems, distinct: pd.DataFrame, what: str) -> None:
    """Two different IDs that a person cannot tell apart (E01 and Е01, e01, E01 with a zero-width space).

    ``distinct`` holds each ID once, at its first row.
    """
    values = distinct["value"].to_numpy(dtype=object)
    if _own_skeletons(values):
        return
    skeletons = _skeletons(values)
    if (skeletons == values).all():  # every ID is its own skeleton (upper-case ASCII): distinct IDs, distinct keys
        return
    keys = pd.Series(skeletons, index=distinct.index)
    clash = keys.duplicated(keep=False)
    if not clash.any():
        return
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


def _check_refs(
    problems: _Problems,
    sheet: str,
    frame: pd.DataFrame,
    field: str,
    header: str,
    known: set[str] | _Known,
    expected: str,
) -> None:
    if isinstance(known, _Known):
        known = known.set
    values = frame[field].to_numpy(dtype=object)
    # a set lookup per value: four times quicker than pandas' isin over objects, which hashes both sides anew,
    # and than polars' is_in over the same texts (measured at a million IDs)
    bad = ~pd.isna(values)
    if known.issuperset(values[bad]):  # one C-level pass: nearly always every reference is known
        return
    bad[bad] = [v not in known for v in values[bad]]
    if not bad.any():
        return
    ids = np.fromiter(known, dtype=object, count=len(known))
    texts = ids[[isinstance(k, str) for k in ids]]
    looks = dict(zip(_skeletons(texts), texts, strict=True))
    for record in frame.loc[bad, [field, "_row"]].itertuples(index=False):
        similar = looks.get(id_skeleton(record[0]))
        hint = (
            f"; есть похожий «{visible(similar)}», отличается {how_ids_differ(record[0], similar)}"
            if similar is not None
            else ""
        )
        problems.add(sheet, int(record[1]), header, record[0], expected + hint)


def _organisation(raw: RawSheet | None, problems: _Problems) -> dict[str, Any]:
    sheet = ORGANISATION_SHEET
    if raw is None:
        problems.add(sheet, None, "", "", "нет обязательного листа «Организация» (столбцы «Параметр» и «Значение»)")
        return {}
    index = _header_index(raw)
    positions = [index.get(PARAM_HEADER.key), index.get(VALUE_HEADER.key)]
    if positions[0] is None or positions[1] is None:
        for header, found in zip((PARAM_HEADER, VALUE_HEADER), positions, strict=True):
            if found is None:
                problems.add(sheet, raw.header_row or None, header.header, "", "нет обязательного столбца")
        return {}
    params = {c.key: c for c in ORGANISATION_PARAMS}
    values: dict[str, Any] = {}
    seen: dict[str, int] = {}
    for i in range(len(raw)):
        row = int(raw.rows[i])
        name = cell_text(raw.cells.iat[i, positions[0][0]])
        cell = raw.cells.iat[i, positions[1][0]]
        if name is None:
            if cell_text(cell) is not None:
                problems.add(sheet, row, PARAM_HEADER.header, "", "не указано название параметра")
            continue
        column = params.get(normalise_header(name))
        if column is None:
            problems.warn(sheet, row, PARAM_HEADER.header, name, "неизвестный параметр, не учитывается")
            continue
        if column.field in seen:
            problems.add(sheet, row, PARAM_HEADER.header, name, f"параметр уже задан в строке {seen[column.field]}")
            continue
        seen[column.field] = row
        value = _parser(column)(cell)
        if value is INVALID:
            problems.add(sheet, row, VALUE_HEADER.header, cell, f"{column.header}: {_refusal(column, cell)}")
            continue
        values[column.field] = (value, row)
    for column in ORGANISATION_PARAMS:
        if column.required and values.get(column.field, (None,))[0] is None:
            row = seen.get(column.field)
            problems.add(
                sheet,
                row,
                VALUE_HEADER.header if row else PARAM_HEADER.header,
                "",
                f"не заполнен обязательный параметр «{column.header}»",
            )
    return values


def build_snapshot(sheets: dict[str, RawSheet], source: str, *, progress: bool = False) -> ImportResult:
    """Validate raw sheets and build a snapshot; raise :class:`InputFileError` listing every problem."""
    from tqdm import tqdm

    problems = _Problems()
    by_key = match_sheets(sheets)
    total_rows = sum(len(s) for s in sheets.values())
    bar = tqdm(
        total=len(SHEETS) + 2,
        desc="Проверка книги",
        unit=" шаг",
        file=sys.stderr,
        disable=not progress or total_rows < PROGRESS_THRESHOLD,
        leave=False,
    )

    _check_sheet_names(sheets, problems)
    org_values = _organisation(by_key.get(normalise_header(ORGANISATION_SHEET)), problems)
    bar.update()
    known_sheets = {normalise_header(ORGANISATION_SHEET)} | {normalise_header(s.name) for s in SHEETS}
    template_sheets = {normalise_header(t) for t in TEMPLATE_SHEETS}  # its instructions and lists: not data
    absent = [s.name for s in SHEETS if normalise_header(s.name) not in by_key]
    misnamed: dict[str, str] = {}  # a missing sheet -> the unknown sheet that most likely is it («Чаты (1)»)
    for key, raw in by_key.items():
        if key in known_sheets or key in template_sheets:
            continue
        meant = near_miss(raw.name, absent)
        if meant is not None and meant not in misnamed:
            misnamed[meant] = raw.name
            if not next(s for s in SHEETS if s.name == meant).required:  # a required one: its own error below
                # not a warning: the book would be saved without that sheet's data, its references left hanging
                problems.add(
                    raw.name, None, "", "", f"лист назван не так, как в шаблоне: если это «{meant}», переименуйте его"
                )
            continue
        problems.warn(raw.name, None, "", "", "неизвестный лист, не учитывается")

    frames: dict[str, pd.DataFrame] = {}
    headers: dict[str, dict[str, str]] = {}
    texts: dict[str, dict[str, Any]] = {}
    present: set[str] = set()
    for spec in SHEETS:
        raw = by_key.get(normalise_header(spec.name))
        if raw is None:
            if spec.required:
                meant = misnamed.get(spec.name)
                problems.add(
                    spec.name,
                    None,
                    "",
                    "",
                    "нет обязательного листа"
                    + (f"; есть лист «{meant}» — если это он, переименуйте его в «{spec.name}»" if meant else ""),
                )
            raw = RawSheet(spec.name, [c.header for c in spec.columns], 1, pd.DataFrame(), np.array([], dtype=np.int64))
        else:
            present.add(spec.name)
        parsed, written, texts[spec.table] = _parse_columns(spec.name, spec.columns, raw, problems)
        frames[spec.table] = _typed(parsed, spec)
        headers[spec.table] = written
        bar.update()

    # without staff every reference to staff would fail: the one error «нет обязательного листа» says it all
    tables = _cross_check(frames, headers, org_values, present, problems, texts) if STAFF.name in present else {}
    bar.update()
    bar.close()

    if any(not p.warning for p in problems):
        raise InputFileError(source, list(problems))
    params = {field: value for field, (value, _row) in org_values.items()}
    params["messenger"] = Messenger(params.get("messenger") or Messenger.VK.value)
    org = Organisation(**params)
    snapshot = Snapshot(org, tables, frozenset({ORGANISATION_SHEET, *present}))
    return ImportResult(snapshot, [p for p in problems if p.warning], source, total_rows)


def _check_sheet_names(sheets: dict[str, RawSheet], problems: _Problems) -> None:
    """Two sheets whose names differ only by case or spaces would silently replace each other: an error."""
    seen: dict[str, str] = {}
    for name in sheets:
        key = normalise_header(name)
        if key in seen:
            problems.add(
                name,
                None,
                "",
                "",
                f"лист с тем же названием уже есть: «{seen[key]}» (названия различаются только регистром букв "
                "или пробелами); оставьте один лист",
            )
        else:
            seen[key] = name


def _check_dates(
    problems: _Problems, sheet: str, frame: pd.DataFrame, start: str, end: str, header: str, what: str
) -> None:
    """An end date before the start date (dismissed before hired) is a typing mistake, not a fact."""
    bad = frame[start].notna() & frame[end].notna() & (frame[end] < frame[start])
    for record in frame.loc[bad, [end, start, "_row"]].itertuples(index=False):
        problems.add(
            sheet,
            int(record[2]),
            header,
            record[0].date(),
            f"{what} ({record[1].date().strftime('%d.%m.%Y')})",
        )


def _values(column: pd.Series) -> set[Any]:
    """The distinct values of a parsed column, empty left out (one set built from the array, no dropna copy)."""
    values = set(column.to_numpy(dtype=object))
    values.discard(None)
    return values


class _Known:
    """The values a reference may take: the IDs of a column, or those of several ``_Known`` together, as a Python
    set made when first needed (a check whose sheet is absent never pays for it).
    """

    def __init__(self, column: pd.Series | None = None, *parts: _Known) -> None:
        self._column = column
        self._parts = parts
        self._set: set[Any] | None = None

    @property
    def set(self) -> set[Any]:
        if self._set is None:
            if self._column is not None:
                self._set = _values(self._column)
            else:
                first, *rest = self._parts
                self._set = first.set
                for part in rest:  # a | b | c: the order the hints of _check_refs see the IDs in
                    self._set = self._set | part.set
        return self._set

    def __contains__(self, value: object) -> bool:
        return value in self.set


def _cross_check(
    frames: dict[str, pd.DataFrame],
    headers: dict[str, dict[str, str]],
    org_values: dict[str, Any],
    present: set[str],
    problems: _Problems,
    texts: dict[str, dict[str, Any]] | None = None,
) -> dict[str, pd.DataFrame]:
    """Second pass: identifiers unique, references resolved; returns the model tables (none after an error).

    A reference into an optional sheet that is absent is not checked: the missing sheet means «нет данных»,
    and the checks that need it report «не проверено». ``texts`` holds, for sheets read by whole columns, their
    IDs and list items as polars columns (see :func:`_parse_columns`): there uniqueness and references are
    decided by polars, and only the rows found wrong are looked at in Python.
    """
    staff, sections, pupils, parents = (frames[t] for t in ("staff", "sections", "pupils", "parents"))
    chats, members, invites, requests = (frames[t] for t in ("chats", "members", "invites", "requests"))
    h = headers
    texts = texts or {}

    def text(table: str, field: str) -> Any | None:
        return texts.get(table, {}).get(field)

    _check_unique(
        problems,
        [
            (STAFF.name, staff, "id", h["staff"]["id"]),
            (PUPILS.name, pupils, "id", h["pupils"]["id"]),
            (PARENTS.name, parents, "id", h["parents"]["id"]),
        ],
        "ID человека",
        [text("staff", "id"), text("pupils", "id"), text("parents", "id")],
    )
    for spec, field, what in (
        (SECTIONS, "code", "Код объединения"),
        (CHATS, "id", "ID чата"),
        (INVITES, "id", "ID ссылки"),
        (REQUESTS, "id", "ID заявки"),
    ):
        _check_unique(
            problems, [(spec.name, frames[spec.table], field, h[spec.table][field])], what, [text(spec.table, field)]
        )

    _check_dates(
        problems, STAFF.name, staff, "hired", "dismissed", h["staff"]["dismissed"], "дата увольнения раньше даты приёма"
    )
    _check_dates(
        problems,
        PUPILS.name,
        pupils,
        "enrolled",
        "expelled",
        h["pupils"]["expelled"],
        "дата отчисления раньше даты зачисления",
    )

    staff_ids = _Known(staff["id"])
    pupil_ids = _Known(pupils["id"])
    people_ids = _Known(None, staff_ids, pupil_ids, _Known(parents["id"]))
    section_codes = _Known(sections["code"])
    chat_ids = _Known(chats["id"])
    no_staff = f"нет сотрудника с таким ID на листе «{STAFF.name}»"
    no_person = "нет человека с таким ID на листах «Сотрудники», «Обучающиеся», «Родители»"
    no_section = f"нет объединения с таким кодом на листе «{SECTIONS.name}»"

    for field, column in (("head_id", "Руководитель"), ("admin_id", "Администратор платформы")):
        value, row = org_values.get(field, (None, None))
        if value is not None and value not in staff_ids:
            problems.add(ORGANISATION_SHEET, row, VALUE_HEADER.header, value, f"{column}: {no_staff}")

    def refs(sheet: Sheet, frame: pd.DataFrame, field: str, header: str, known: _Known, expected: str) -> None:
        _check_refs(problems, sheet.name, frame, field, header, known, expected)

    refs(SECTIONS, sections, "teacher_id", h["sections"]["teacher_id"], staff_ids, no_staff)

    has_sections, has_pupils, has_chats = (s.name in present for s in (SECTIONS, PUPILS, CHATS))
    has_people = {PUPILS.name, PARENTS.name} <= present
    # a sheet that names rows of a sheet the book does not have: its references cannot be checked, and what
    # they describe is not counted (the audit says «не проверено», the indicators «нет данных»)
    for sheet, frame, field, target in (
        (PUPILS, pupils, "sections", SECTIONS),
        (PARENTS, parents, "children", PUPILS),
        (MEMBERS, members, "chat_id", CHATS),
    ):
        if sheet.name in present and target.name not in present and frame[field].notna().any():
            problems.warn(
                sheet.name,
                None,
                h[sheet.table][field],
                "",
                f"листа «{target.name}» в книге нет: ссылки на него не проверены, а то, что они описывают, "
                "не учитывается в аудите и показателях",
            )
    enrolments = _explode(pupils, "sections", "id", "section_code")
    if has_sections:
        refs(
            PUPILS,
            enrolments,
            "section_code",
            h["pupils"]["sections"],
            section_codes,
            no_section,
        )
    kinship = _explode(parents, "children", "id", "pupil_id")
    if has_pupils:
        refs(
            PARENTS,
            kinship,
            "pupil_id",
            h["parents"]["children"],
            pupil_ids,
            f"нет обучающегося с таким ID на листе «{PUPILS.name}»",
        )

    chats["type"] = chats["type"].map(_LABEL_TO_KEY)
    needs_section = chats["type"].isin([t.value for t in SECTION_CHAT_TYPES]) & chats["section_code"].isna()
    for row in chats.loc[needs_section, "_row"]:
        problems.add(
            CHATS.name, int(row), h["chats"]["section_code"], "", "для чата объединения укажите код объединения"
        )
    if has_sections:
        refs(CHATS, chats, "section_code", h["chats"]["section_code"], section_codes, no_section)
    refs(CHATS, chats, "owner_id", h["chats"]["owner_id"], staff_ids, no_staff)

    if has_chats:
        refs(
            MEMBERS,
            members,
            "chat_id",
            h["members"]["chat_id"],
            chat_ids,
            f"нет чата с таким ID на листе «{CHATS.name}»",
        )
    if has_people:
        refs(MEMBERS, members, "person_id", h["members"]["person_id"], people_ids, no_person)
    repeated = _repeated(members, text("members", "chat_id"), text("members", "person_id"))
    for record in members.loc[repeated, ["person_id", "_row"]].itertuples(index=False):
        problems.warn(
            MEMBERS.name,
            int(record[1]),
            h["members"]["person_id"],
            record[0],
            "участник уже указан в этом чате, строка не учитывается",
        )

    refs(INVITES, invites, "created_by", h["invites"]["created_by"], staff_ids, no_staff)
    invites["target"] = _invite_targets(
        invites,
        h["invites"]["target"],
        section_codes.set if has_sections else None,
        chat_ids.set if has_chats else None,
        problems,
        text("invites", "target"),
    )
    if has_people:
        refs(REQUESTS, requests, "applicant_id", h["requests"]["applicant_id"], people_ids, no_person)

    if any(not p.warning for p in problems):
        return {}  # refused: no tables are built
    # With no error every person's ID is unique and filled, and ``parse_list`` keeps each item of a list once,
    # so no (pupil, section) or (parent, child) pair repeats: no drop_duplicates pass over them is needed.
    return {
        "staff": conform(staff, "staff"),
        "sections": conform(sections, "sections"),
        "pupils": conform(pupils, "pupils"),
        "enrolments": conform(enrolments.rename(columns={"owner": "pupil_id"}), "enrolments"),
        "parents": conform(parents, "parents"),
        "kinship": conform(kinship.rename(columns={"owner": "parent_id"}), "kinship"),
        "chats": conform(chats, "chats"),
        "members": conform(members[~repeated], "members"),
        "channels": conform(frames["channels"], "channels"),
        "invites": conform(invites, "invites"),
        "requests": conform(requests, "requests"),
    }


def _repeated(members: pd.DataFrame, chats: Any | None, people: Any | None) -> np.ndarray:
    """Rows naming a (chat, person) pair an earlier row named already (empty cells compare equal)."""
    if chats is None or people is None:
        return members.duplicated(["chat_id", "person_id"]).to_numpy()
    from sferum_lib.workbook.columnar import polars

    pl = polars()
    pairs = pl.DataFrame({"chat": chats, "person": people})
    return (~pairs.select(pl.struct("chat", "person").is_first_distinct()).to_series()).to_numpy()


def _invite_targets(
    invites: pd.DataFrame,
    header: str,
    sections: set[str] | None,
    chats: set[str] | None,
    problems: _Problems,
    texts: Any | None = None,
) -> pd.Series:
    """Canonical targets: «организация», «Учительская», «объединение:КОД», «чат:ID».

    ``None`` for sections or chats: that sheet is absent, so its codes are not checked. ``texts``: the targets
    as a polars column (read by whole columns), where the targets written as the book's own export writes them
    are told at once; only the others, and the wrong ones, are looked at one by one.
    """
    expected = "ожидается «организация», «Учительская», «объединение:КОД» или «чат:ID»"

    def canonical(value: str) -> tuple[str | None, str | None]:
        """The canonical target and the problem with it, if any."""
        kind, _, ref = value.partition(":")
        if kind in ("чат", "объединение") and ref and ref == ref.strip():  # as written by the book's own export
            return _reference(kind, ref)
        key = normalise_header(value)
        if key == "организация":
            return "организация", None
        if key == "учительская":
            return "Учительская", None
        kind, _, ref = value.partition(":")
        kind, ref = normalise_header(kind), ref.strip()
        if kind in ("чат", "объединение") and ref:
            return _reference(kind, ref)
        return None, expected

    def _reference(kind: str, ref: str) -> tuple[str | None, str | None]:
        if kind == "объединение":
            bad = sections is not None and ref not in sections
            return f"объединение:{ref}", f"нет объединения с кодом «{ref}»" if bad else None
        bad = chats is not None and ref not in chats
        return f"чат:{ref}", f"нет чата с ID «{ref}»" if bad else None

    if texts is not None:
        return _export_targets(invites, header, sections, chats, problems, texts, canonical)
    # a few hundred distinct targets among many invites: each is decided once, each bad row still named
    decided: dict[str, tuple[str | None, str | None]] = {}
    out: list[str | None] = []
    for value, row in zip(invites["target"], invites["_row"], strict=True):
        if value is None:
            out.append(None)
            continue
        found = decided.get(value)
        if found is None:
            found = decided[value] = canonical(value)
        if found[1] is not None:
            problems.add(INVITES.name, int(row), header, value, found[1])
        out.append(found[0])
    return pd.Series(out, index=invites.index, dtype=object)


def _export_targets(
    invites: pd.DataFrame,
    header: str,
    sections: set[str] | None,
    chats: set[str] | None,
    problems: _Problems,
    texts: Any,
    canonical: Callable[[str], tuple[str | None, str | None]],
) -> pd.Series:
    """``_invite_targets`` of a column read whole: «чат:ID» and «объединение:КОД» as the export writes them
    (a reference without spaces at its ends) are their own canonical form and only need their reference looked
    up; every other target goes through ``canonical`` as before. Problems come in row order as before.
    """
    from sferum_lib.workbook.columnar import WHITESPACE, polars

    pl = polars()
    parts = texts.str.extract_groups(r"(?s)^(чат|объединение):(.+)$")
    kind, ref = parts.struct.field("1"), parts.struct.field("2")
    plain = (ref == ref.str.strip_chars(WHITESPACE)).fill_null(False)
    bad = pl.Series(np.zeros(len(texts), dtype=bool))
    for name, known in (("объединение", sections), ("чат", chats)):
        if known is not None:
            bad = bad | (plain & (kind == name) & ~ref.is_in(pl.Series(list(known), dtype=pl.String).implode()))
    plain_np, bad_np = plain.to_numpy(), bad.fill_null(False).to_numpy()
    values = invites["target"].to_numpy(dtype=object)
    out = values.copy()
    look = np.flatnonzero(bad_np | (~plain_np & ~pd.isna(values)))
    rows = invites["_row"].to_numpy()
    decided: dict[str, tuple[str | None, str | None]] = {}
    for i in look.tolist():
        value = values[i]
        if plain_np[i]:
            target_kind, _, target = value.partition(":")
            if target_kind == "объединение":
                expected = f"нет объединения с кодом «{target}»"
            else:
                expected = f"нет чата с ID «{target}»"
            problems.add(INVITES.name, int(rows[i]), header, value, expected)
            continue
        found = decided.get(value)
        if found is None:
            found = decided[value] = canonical(value)
        if found[1] is not None:
            problems.add(INVITES.name, int(rows[i]), header, value, found[1])
        out[i] = found[0]
    return pd.Series(out, index=invites.index, dtype=object)


def import_workbook(path: str | Path, *, progress: bool = False) -> ImportResult:
    """Read and validate a workbook or CSV folder (WORKBOOK.md §1); raise :class:`InputFileError` on errors."""
    sheets = read_source(path)
    return build_snapshot(sheets, str(path), progress=progress)


__all__ = ["TABLES", "ImportResult", "build_snapshot", "import_workbook"]
