"""Schema 7's packing of snapshot columns, and stores written by schema 6 reading exactly as they were written.

``tests/fixtures/store_v6.sqlite`` was written by the program of schema 6 (a generated organisation of 150 people,
with a separator inside a value, an empty string, an empty cell in a dictionary column and a column nobody filled
in; snapshot № 1 and the working state made from it), then only vacuumed into small pages; ``store_v6.json``
holds what that program had in memory when it saved, each value as JSON (dates ISO, empty cells ``null``).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sferum_lib import store as store_module
from sferum_lib.demo import generate
from sferum_lib.model import DATE, FLAG, TABLES
from sferum_lib.store import SCHEMA_VERSION, Store, _pack, _unpack

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TEXT = TABLES["staff"]["id"]
V6_KINDS = {"date", "flag", "dict", "text", "json"}


def _plain(frame: pd.DataFrame, table: str) -> dict[str, list[object]]:
    """A table as the fixture's JSON holds it."""
    out: dict[str, list[object]] = {}
    for column, dtype in TABLES[table].items():
        values = frame[column]
        if dtype == DATE:
            out[column] = [None if pd.isna(v) else v.isoformat() for v in values]
        elif dtype == FLAG:
            out[column] = [bool(v) for v in values]
        else:
            out[column] = [None if pd.isna(v) else v for v in values]
    return out


def _assert_as_saved(snapshot, expected: dict) -> None:
    assert snapshot.organisation.to_dict() == expected["organisation"]
    assert sorted(snapshot.sheets) == expected["sheets"]
    for table, columns in TABLES.items():
        frame = snapshot.tables[table]
        assert list(frame.columns) == list(columns), table
        for column, dtype in columns.items():
            assert frame[column].dtype == pd.api.types.pandas_dtype(dtype), (table, column)
        assert _plain(frame, table) == expected["tables"][table], table


@pytest.fixture
def v6_store(tmp_path: Path) -> tuple[Path, dict]:
    path = tmp_path / "old.db"
    shutil.copyfile(FIXTURES / "store_v6.sqlite", path)
    return path, json.loads((FIXTURES / "store_v6.json").read_text(encoding="utf-8"))


def test_a_store_written_by_schema_6_reads_as_it_was_saved_and_keeps_its_columns(v6_store):
    path, expected = v6_store
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 7
        kinds = {row[0] for row in store.con.execute("SELECT kind FROM snap_columns")}
        assert kinds == V6_KINDS  # nothing rewritten by the move to schema 7
        _assert_as_saved(store.snapshot(1), expected)
        _assert_as_saved(store.state(), expected)
        # saved again by this program: the narrower kinds, the same tables
        again = store.snapshot(store.add_snapshot(store.snapshot(1), "снова"))
        new_kinds = {r[0] for r in store.con.execute("SELECT kind FROM snap_columns WHERE snapshot_id = 2")}
    assert new_kinds.isdisjoint({"date", "flag", "dict"}) and {"day", "bits", "dict8"} <= new_kinds
    _assert_as_saved(again, expected)


@pytest.mark.parametrize("media", ["writable", "read-only"])
def test_a_schema_6_store_opened_only_to_read_reads_the_same_and_stays_untouched(v6_store, monkeypatch, media):
    path, expected = v6_store
    if media == "read-only":  # as on a read-only disk (the tests may run as root, whom chmod does not stop)
        monkeypatch.setattr(store_module, "_writable", lambda path: False)
    before = path.read_bytes()
    with Store(path, readonly=True) as store:
        assert store.readonly and store.schema_version == 6
        _assert_as_saved(store.snapshot(), expected)
        _assert_as_saved(store.state(), expected)
    assert path.read_bytes() == before


def test_a_working_state_partly_of_schema_6_columns_reads_back_its_change(v6_store):
    path, expected = v6_store
    with Store(path) as store:
        state = store.state()
        pupils = state.pupils.copy()
        pupils.loc[0, "expelled"] = pd.Timestamp(2026, 11, 20)
        with store.transaction():
            store.write_state(state.with_tables(pupils=pupils), ["pupils"])
        back = store.state()
    pd.testing.assert_frame_equal(back.pupils, pupils)
    expected["tables"]["pupils"]["expelled"][0] = "2026-11-20T00:00:00"
    _assert_as_saved(back, expected)


# --- version 6's packing, frozen: what a user's existing store holds ----------------------------------------------


def _pack_v6(values: pd.Series, dtype: str) -> tuple[str, bytes, bytes | None]:
    """The column packing of schema 6, as that program wrote it (kept verbatim but for the names)."""
    sep = "\x00"
    if dtype == DATE:
        return "date", values.to_numpy(dtype="datetime64[s]").view(np.int64).tobytes(), None
    if dtype == FLAG:
        return "flag", values.to_numpy(dtype=bool, na_value=False).tobytes(), None
    n = len(values)
    if store_module._repeats(values):
        codes, uniques = pd.factorize(values)
        text = sep.join(uniques.tolist())
        if len(uniques) and text.count(sep) == len(uniques) - 1:
            return "dict", text.encode(), codes.astype(np.int32).tobytes()
    strings = values.to_numpy(dtype=object)
    missing = None
    try:
        text = sep.join(strings.tolist())
    except TypeError:
        missing = pd.isna(strings)
        text = sep.join(np.where(missing, "", strings).tolist())
    if text.count(sep) != max(n - 1, 0):
        plain = values.to_numpy(dtype=object, na_value=None).tolist()
        return "json", json.dumps(plain, ensure_ascii=False).encode(), None
    return "text", text.encode(), np.packbits(missing).tobytes() if missing is not None and missing.any() else None


def _awkward_snapshot():
    snapshot = generate(3000, as_of=dt.date(2026, 11, 29))
    staff = snapshot.staff.copy()
    staff.loc[0, "cabinet"] = "каб.\x00 12"  # the separator inside a value: packed as JSON
    staff.loc[1, "cabinet"] = ""
    parents = snapshot.parents.copy()
    parents.loc[5, "last_name"] = None  # an empty cell in a dictionary column
    parents["gender"] = pd.array([None] * len(parents), dtype=parents["gender"].dtype)
    return snapshot.with_tables(staff=staff, parents=parents)


def test_every_column_packed_by_schema_6_unpacks_exactly():
    snapshot = _awkward_snapshot()
    kinds = set()
    for table, columns in TABLES.items():
        frame = snapshot.tables[table]
        for column, dtype in columns.items():
            kind, data, extra = _pack_v6(frame[column], dtype)
            kinds.add(kind)
            back = pd.Series(_unpack(kind, len(frame), data, extra, dtype), name=column)
            pd.testing.assert_series_equal(back, frame[column].reset_index(drop=True), obj=f"{table}.{column}")
    assert kinds == V6_KINDS


def test_schema_7_writes_a_third_fewer_bytes_than_schema_6_and_reads_the_same():
    snapshot = _awkward_snapshot()
    old = new = 0
    for table, columns in TABLES.items():
        frame = snapshot.tables[table]
        for column, dtype in columns.items():
            for packer in (_pack_v6, _pack):
                kind, data, extra = packer(frame[column], dtype)
                size = len(data) + len(extra or b"")
                old, new = (old + size, new) if packer is _pack_v6 else (old, new + size)
            back = pd.Series(_unpack(kind, len(frame), data, extra, dtype), name=column)
            pd.testing.assert_series_equal(back, frame[column].reset_index(drop=True), obj=f"{table}.{column}")
    assert new < old * 0.75, (new, old)


# --- the kinds of schema 7 ----------------------------------------------------------------------------------------


def _round_trip(values: pd.Series, dtype: str) -> tuple[str, bytes, pd.Series]:
    kind, data, extra = _pack(values, dtype)
    return kind, data, pd.Series(_unpack(kind, len(values), data, extra, dtype))


@pytest.mark.parametrize(
    "values",
    [
        ["2026-09-01", None, "1970-01-01", "1900-02-28", "2100-12-31"],
        ["2026-09-01"] * 9,
        [],
    ],
)
def test_dates_are_packed_as_days_and_read_back_exactly(values):
    column = pd.Series(pd.to_datetime(pd.Series(values, dtype=object)).astype(DATE))
    kind, data, back = _round_trip(column, DATE)
    assert kind == "day" and len(data) == 4 * len(values)
    pd.testing.assert_series_equal(back, column)


def test_a_date_column_nobody_filled_in_is_its_bitmap_alone():
    column = pd.Series(np.full(1000, np.datetime64("NaT"), dtype=DATE))
    kind, data, back = _round_trip(column, DATE)
    assert (kind, data) == ("day", b"")
    pd.testing.assert_series_equal(back, column)


def test_a_time_of_day_keeps_its_seconds():
    column = pd.Series(pd.to_datetime(["2026-09-01 12:30:05", None]).astype(DATE))
    kind, _, back = _round_trip(column, DATE)
    assert kind == "date"
    pd.testing.assert_series_equal(back, column)


@pytest.mark.parametrize("size", [0, 1, 8, 9, 1001])
def test_flags_are_packed_as_bits(size):
    column = pd.Series(np.random.default_rng(size).random(size) < 0.3)
    kind, data, back = _round_trip(column, FLAG)
    assert kind == "bits" and len(data) == (size + 7) // 8
    pd.testing.assert_series_equal(back, column)


@pytest.mark.parametrize(
    ("distinct", "kind"), [(3, "dict8"), (255, "dict8"), (256, "dict16"), (65535, "dict16"), (65536, "dict32")]
)
def test_dictionary_codes_are_as_narrow_as_the_distinct_values_allow(monkeypatch, distinct, kind):
    monkeypatch.setattr(store_module, "_repeats", lambda values: True)
    rng = np.random.default_rng(distinct)
    values: list[object] = [f"значение {i}" for i in range(distinct - 1)] + ["", None]  # "" is a value, None not
    values += [values[i] for i in rng.integers(0, len(values), size=3 * distinct)]
    column = pd.Series(pd.array(values, dtype=TEXT))
    got, _, back = _round_trip(column, TEXT)
    assert got == kind
    pd.testing.assert_series_equal(back, column)
    assert back.isna().sum() == column.isna().sum() > 0 and (back == "").sum() == (column == "").sum() > 0


def test_a_text_column_nobody_filled_in_is_its_bitmap_alone():
    column = pd.Series(pd.array([None] * 5000, dtype=TEXT))
    kind, data, back = _round_trip(column, TEXT)
    assert (kind, data) == ("text", b"")
    pd.testing.assert_series_equal(back, column)
