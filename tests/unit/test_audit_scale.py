"""The audit's paths for a large organisation give exactly what its plain paths give.

The hashed coding of IDs and the cache-sized hash tables only start at a few hundred thousand values; here they
are forced on a small organisation and the findings and indicators must not change by a byte.
"""

from __future__ import annotations

import datetime as dt
import importlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sferum_lib.checks import audit, indicator_values, indicators
from sferum_lib.demo import generate
from tests.helpers import AS_OF, clean_book, set_cell, snapshot_of

codes = importlib.import_module("sferum_lib.checks.codes")
audit_module = importlib.import_module("sferum_lib.checks.audit")  # the module, not the function
DAY = dt.date(2026, 11, 29)


def _result(snapshot, day):
    found = audit(snapshot, day)
    return (
        found.findings.to_dict(orient="records"),
        found.not_performed,
        [(i.key, i.numerator, i.denominator) for i in indicators(snapshot, day)],
    )


def _fresh(snapshot):
    return snapshot.with_tables()  # the same tables, no codes kept from an earlier audit


@pytest.fixture(scope="module")
def demo():
    return generate(None, as_of=DAY)


def test_the_hashed_paths_give_the_same_audit_and_indicators(demo, monkeypatch):
    plain = _result(_fresh(demo), DAY)
    monkeypatch.setattr(codes, "FAST_MIN", 0)  # every coding and hash table takes the large-organisation path
    assert _result(_fresh(demo), DAY) == plain
    assert len(plain[0]) > 100  # the demo has findings of many kinds to compare


def test_the_hashed_paths_keep_empty_and_repeated_ids_apart(monkeypatch):
    book = clean_book()
    set_cell(book, "Сотрудники", "E02", "Присоединился", "")
    snapshot = snapshot_of(book)
    pupils = snapshot.pupils.copy()
    pupils["id"] = pd.array([None, *pupils["id"].iloc[1:]], dtype=pupils["id"].dtype)  # an empty ID
    snapshot = snapshot.with_tables(pupils=pupils)
    plain = _result(_fresh(snapshot), AS_OF)
    monkeypatch.setattr(codes, "FAST_MIN", 0)
    assert _result(_fresh(snapshot), AS_OF) == plain


def test_a_collision_of_hashes_falls_back_to_the_exact_coding(monkeypatch):
    values = np.array(["E01", "E02", "E01", "U7", "E02"], dtype=object)
    missing = np.zeros(len(values), dtype=bool)
    # every string given the same hash: the check of each string against its code's first one must notice, and
    # the strings are then ranked by their bytes instead
    monkeypatch.setattr(
        codes, "factorize_first", lambda keys, mixed=False: (np.zeros(len(keys), np.int64), 1, np.zeros(1, np.int64))
    )
    got, first = codes.factorize_text([values], [lambda: missing])
    assert _same_classes(got, pd.factorize(values)[0])
    assert values[first].tolist() == ["E01", "E02", "U7"]
    coded = codes.code({"a": pd.Series(values[:3], dtype="str"), "b": pd.Series(values[3:], dtype="str")})
    assert coded.text(np.concatenate([coded["a"], coded["b"]])).tolist() == values.tolist()


def _same_classes(a: np.ndarray, b: np.ndarray) -> bool:
    """Two codings say the same equal and different values."""
    return len(set(zip(a.tolist(), b.tolist(), strict=True))) == len(set(a.tolist())) == len(set(b.tolist()))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=-3, max_value=40), max_size=300), st.booleans())
def test_cache_sized_tables_code_integers_as_one_table_does(keys, mixed):
    keys = np.array(keys, dtype=np.int64)
    old = codes.FAST_MIN
    codes.FAST_MIN = 0
    try:
        got, count = codes.factorize_int(keys, mixed=mixed)
    finally:
        codes.FAST_MIN = old
    assert count == len(set(keys.tolist()))
    assert sorted(set(got.tolist())) == list(range(count))
    assert _same_classes(got, pd.factorize(keys)[0])


#: Hashes that differ only in their lowest bits: the sort by the top bits puts them in one group first.
_NEAR = [(1 << 63) + j for j in range(6)] + [5 << 40, (5 << 40) + 1, 7]


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from(_NEAR), max_size=200), st.booleans())
def test_hashes_alike_in_their_top_bits_are_coded_apart(values, mixed):
    keys = np.array(values, dtype=np.uint64)
    old = codes.FAST_MIN
    codes.FAST_MIN = 0
    try:
        got, count, first = codes.factorize_first(keys, mixed=mixed)
    finally:
        codes.FAST_MIN = old
    assert count == len(set(values))
    assert sorted(set(got.tolist())) == list(range(count))
    assert _same_classes(got, pd.factorize(keys)[0])
    # each code's first position is where its key first occurs
    assert first.tolist() == [values.index(int(keys[got == c][0])) for c in range(count)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=-(2**63), max_value=2**63 - 1), max_size=50), st.integers(0, 3))
def test_integers_of_any_spread_are_coded_exactly(values, repeat):
    keys = np.array(values * (repeat + 1), dtype=np.int64)  # wide keys go by their mixed bits, narrow ones sorted
    old = codes.FAST_MIN
    codes.FAST_MIN = 0
    try:
        got, count, first = codes.factorize_first(keys)
    finally:
        codes.FAST_MIN = old
    assert count == len(set(values))
    assert _same_classes(got, pd.factorize(keys)[0])
    assert all(keys[first[c]] == keys[i] and first[c] <= i for i, c in enumerate(got.tolist()))


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.sampled_from(["E1", "E2", "Ё", "😀", "", "a b", "e1"])), max_size=60),
    st.lists(st.integers(min_value=0, max_value=60), max_size=3),
)
def test_hashed_text_coding_equals_pandas(values, cuts):
    array = np.array([np.nan if v is None else v for v in values], dtype=object)
    # coded in parts (some with empty cells, some without): as the whole is coded at once
    parts = np.split(array, sorted(min(c, len(array)) for c in cuts))
    coded = codes.factorize_text(parts, [lambda p=p: pd.isna(p) for p in parts])
    assert coded is not None
    got, first = coded
    expected = pd.factorize(array)[0]
    assert (got == -1).tolist() == (expected == -1).tolist()
    assert _same_classes(got, expected)
    assert all(array[first[c]] == v for c, v in zip(got.tolist(), array.tolist(), strict=True) if c >= 0)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(min_value=-1, max_value=6), max_size=40),
    st.lists(st.integers(min_value=-1, max_value=6), max_size=40),
)
def test_join_on_codes_gives_the_rows_and_order_of_a_merge(left, right):
    left, right = np.array(left, dtype=np.int64), np.array(right, dtype=np.int64)
    got_left, got_right = codes.join_rows(left, right, 7)
    # −1 joins nothing: give each side's empty cells keys the other side never has
    frame_l = pd.DataFrame({"key": np.where(left >= 0, left, -100), "l": np.arange(len(left))})
    frame_r = pd.DataFrame({"key": np.where(right >= 0, right, -200), "r": np.arange(len(right))})
    merged = frame_l.merge(frame_r, on="key")
    assert got_left.tolist() == merged["l"].tolist() and got_right.tolist() == merged["r"].tolist()


def _triples(items):
    return [(i.key, i.numerator, i.denominator) for i in items]


def test_the_indicators_after_the_audit_reuse_its_facts_and_equal_the_indicators_alone(demo):
    other = dt.date(2025, 9, 1)
    alone = {day: _triples(indicators(_fresh(demo), day)) for day in (DAY, other)}
    snapshot = _fresh(demo)
    audit(snapshot, DAY)
    facts = audit_module.DayFacts.of(snapshot, DAY)
    assert _triples(indicators(snapshot, DAY)) == alone[DAY]
    assert audit_module.DayFacts.of(snapshot, DAY) is facts  # the audit's matching, not a second one
    assert _triples(indicators(snapshot, other)) == alone[other]  # another day: its own facts
    assert audit_module.DayFacts.of(snapshot, other) is not facts


def test_facts_kept_for_a_table_since_replaced_are_not_used(demo):
    snapshot = _fresh(demo)
    before = audit(snapshot, DAY).findings
    pupils = snapshot.pupils.copy()
    pupils["expelled"] = pd.Timestamp(DAY)  # everyone expelled on the day: no pupil is current any more
    snapshot.tables["pupils"] = pupils  # replaced in place of the old table, in the same snapshot
    after = audit(snapshot, DAY).findings
    assert not (after["check"] == "student-coverage").any()
    assert (before["check"] == "student-coverage").any()
    assert dict(indicator_values(snapshot, DAY))["students_joined"] is None
