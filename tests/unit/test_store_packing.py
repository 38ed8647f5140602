"""How the store packs a text column, and that every way reads back exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sferum_lib import store as store_module
from sferum_lib.demo import generate
from sferum_lib.model import TABLES
from sferum_lib.store import Store, _pack, _unpack

TEXT = TABLES["enrolments"]["section_code"]


def _column(values: list[object]) -> pd.Series:
    return pd.Series(pd.array(values, dtype=TEXT))


def _round_trip(values: pd.Series) -> tuple[str, pd.Series]:
    kind, data, extra = _pack(values, TEXT)
    return kind, pd.Series(_unpack(kind, len(values), data, extra, TEXT))


def test_many_distinct_values_each_repeated_are_packed_as_a_dictionary():
    rng = np.random.default_rng(3)
    values = _column([f"S{i:05d}" for i in rng.integers(0, 2_000, size=40_000)])  # 2 000 sections, shuffled
    assert values.iloc[:4096].nunique() > 4096 // 4  # a sample from the head alone would not tell
    kind, back = _round_trip(values)
    assert kind == "dict16"  # 2 000 distinct values: two bytes a code
    pd.testing.assert_series_equal(back, values)


def test_distinct_values_and_empty_cells_are_packed_as_text():
    values = _column([f"P{i:06d}" if i % 7 else None for i in range(30_000)])
    kind, back = _round_trip(values)
    assert kind == "text"
    pd.testing.assert_series_equal(back, values)
    assert back.isna().sum() == values.isna().sum() > 0


@pytest.mark.parametrize("values", [[], [None, None], ["a\x00b", "c", None], ["", "x", None, ""]])
def test_awkward_columns_read_back_exactly(values):
    column = _column(values)
    _, back = _round_trip(column)
    pd.testing.assert_series_equal(back, column)


def test_a_store_packed_without_dictionaries_reads_the_same(tmp_path, monkeypatch):
    snapshot = generate(None)
    with Store(tmp_path / "new.db") as store:
        expected = store.snapshot(store.add_snapshot(snapshot, "новый"))
    monkeypatch.setattr(store_module, "_repeats", lambda values: False)  # every text column as plain text
    with Store(tmp_path / "plain.db") as store:
        number = store.add_snapshot(snapshot, "старый")
        kinds = {row[0] for row in store.con.execute("SELECT kind FROM snap_columns")}
    monkeypatch.undo()
    assert not any(kind.startswith("dict") for kind in kinds)
    with Store(tmp_path / "plain.db") as store:
        got = store.snapshot(number)
    for name in TABLES:
        pd.testing.assert_frame_equal(got.tables[name], expected.tables[name])
        pd.testing.assert_frame_equal(got.tables[name], snapshot.tables[name])
