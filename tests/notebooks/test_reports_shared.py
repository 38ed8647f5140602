"""What reports in one kernel share and the faster ways they read data: each must give what the plain way gives."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sferum_lib.model import CHAT_TYPE_LABELS, full_name
from sferum_lib.reports import base
from sferum_lib.reports.artifacts import plain, scrub_all
from sferum_lib.reports.content import _names_for, records, subject_words, words_of
from sferum_lib.store import Store
from tests.helpers import clean_book, set_cell, snapshot_of


def test_plain_and_masked_in_one_pass_is_plain_then_masked():
    value = {
        "a": ["звоните +7 978 123-45-67", ("почта admin@example.org", np.int64(3)), None],
        "b": {"x": float("nan"), "y": pd.Timestamp("2026-10-15"), "z": np.float64(2.5), 5: pd.NaT, "t": True},
        "c": "U002206 не состоит в чате",
    }
    assert plain(value, True) == scrub_all(plain(value))
    assert plain(value) == plain(value, False) and plain(value)["b"]["y"] == "2026-10-15"
    assert plain(value, True)["a"][0] == "звоните +7 978 ***-**-67"


def test_records_are_what_to_dict_gives():
    frame = pd.DataFrame(
        {
            "Текст": pd.array(["а", None, "в"], dtype="str"),
            "Число": [1, 2, 3],
            "Доля": [0.5, np.nan, 1.0],
            "Дата": pd.to_datetime(["2026-10-15", None, "2026-01-02"]),
            "Всё": ["x", 1, None],
        }
    )
    expected = frame.to_dict(orient="records")
    got = records(frame)
    assert len(got) == 3 and [list(r) for r in got] == [list(r) for r in expected]
    for mine, theirs in zip(got, expected, strict=True):
        assert plain(mine) == plain(theirs)
    assert records(frame.iloc[:0]) == []


def _old_words(snapshot) -> dict[str, str]:
    """The dictionary the reports used to build of everyone: the lazy words must say the same."""
    words = {t.value: f"чат «{label}»" for t, label in CHAT_TYPE_LABELS.items()}
    sections = snapshot.sections
    words |= {c: f"объединение «{n}»" for c, n in zip(sections["code"], sections["name"], strict=True)}
    words |= {c: f"чат «{n}»" for c, n in zip(snapshot.chats["id"], snapshot.chats["name"], strict=True)}
    for table in (snapshot.staff, snapshot.pupils, snapshot.parents):
        words |= {p: f"{n} ({p})" for p, n in zip(table["id"], full_name(table), strict=True)}
    return words


def test_words_looked_up_say_what_the_dictionary_of_everyone_said():
    book = clean_book()
    set_cell(book, "Обучающиеся", "U02", "Фамилия", "Чатова")
    snapshot = snapshot_of(book)
    old = _old_words(snapshot)
    words = words_of(snapshot)
    for code in [*old, "нет-такого", "section-parents"]:
        assert words.get(code, code) == old.get(code, code), code
        assert (code in words) == (code in old)
    subjects = [*old, "RT/section-parents", "K1/U02", "нет/такого"]
    assert [subject_words(s, words) for s in subjects] == [subject_words(s, old) for s in subjects]
    with pytest.raises(KeyError):
        words["нет-такого"]


def test_names_of_a_few_are_the_names_of_everyone():
    snapshot = snapshot_of(clean_book())
    everyone = {}
    for table in (snapshot.staff, snapshot.pupils, snapshot.parents):
        everyone |= dict(zip(table["id"], full_name(table), strict=True))
    some = set(list(everyone)[::2]) | {"нет-такого"}
    assert _names_for(snapshot, some) == {k: v for k, v in everyone.items() if k in some}


@pytest.fixture()
def three(tmp_path):
    path = tmp_path / "s.db"
    with Store(path) as st:
        for day in (1, 2, 3):
            book = clean_book()
            set_cell(book, "Сотрудники", "E02", "Отчество", f"Снимок{day}")
            st.add_snapshot(snapshot_of(book), f"{day}.xlsx")
    base._LAST_READ.clear()
    base._DERIVED.clear()
    yield path
    base._LAST_READ.clear()
    base._DERIVED.clear()


def test_a_kernel_keeps_the_last_two_snapshots_and_what_was_derived_from_them(three):
    with Store(three, readonly=True) as store:
        first = base.read_snapshot(store, 1)
        assert base.derived(first, "x", lambda: "из первого") == "из первого"
        assert base.read_snapshot(store, 1) is first  # read once
        second = base.read_snapshot(store, 2)
        assert base.derived(first, "x", lambda: "заново") == "из первого"
        third = base.read_snapshot(store, 3)  # the first goes, and what was derived from it
        assert len(base._LAST_READ) == 2 and all(k[0] != id(first) for k in base._DERIVED)
        assert base.read_snapshot(store, 2) is second and base.read_snapshot(store, 3) is third
        assert base.read_snapshot(store, 1) is not first
        assert "Снимок1" in set(base.read_snapshot(store, 1).staff["middle_name"])
    state = snapshot_of(clean_book())  # not a kept snapshot (the working state): computed, never kept
    assert base.derived(state, "x", lambda: 1) == 1 and base.derived(state, "x", lambda: 2) == 2
