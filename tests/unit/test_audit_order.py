"""The findings' order (check, then subject) is exactly the order of a stable ``sort_values``."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest

_audit = importlib.import_module("sferum_lib.checks.audit")  # the module, not the function of that name

SUBJECTS = [
    "R10",
    "R2",
    "Ё",
    "е",
    "a",
    "",
    "ab",
    "Я/E01",
    "z",
    "R2",
    "организация",
    "Организация",
    "😀",
    "a b",
]


def _expected(frame: pd.DataFrame) -> list[int]:
    return frame.sort_values(["check", "subject"], kind="stable").index.tolist()


#: Subjects numpy cannot sort as Python does: Python sorts them itself.
AWKWARD = {"nul": ["a\x00", "a\x00b"], "surrogate": ["\ud800x"], "none": []}


def _subjects(awkward: str) -> list[str]:
    return [s for s in SUBJECTS if "\x00" not in s] + AWKWARD[awkward]


@pytest.mark.parametrize("awkward", sorted(AWKWARD))
def test_order_is_that_of_a_stable_sort_by_check_then_subject(awkward):
    rng = np.random.default_rng(7)
    subjects = _subjects(awkward)
    frame = pd.DataFrame(
        {
            "check": rng.choice(["b-check", "a-check", "c"], size=200),
            "subject": rng.choice(np.array(subjects, dtype=object), size=200),
        }
    )
    assert _audit._order(frame["check"], frame["subject"]).tolist() == _expected(frame)


def test_order_of_subjects_numpy_does_not_take_is_the_same(monkeypatch):
    monkeypatch.setattr(_audit, "_sortable", lambda text: None)
    frame = pd.DataFrame({"check": ["x", "x", "a", "x"], "subject": ["b", "a", "z", "a"]})
    assert _audit._order(frame["check"], frame["subject"]).tolist() == [2, 1, 3, 0]
    got = _audit._first_in_order(frame["check"].to_numpy(dtype=object), frame["subject"].to_numpy(dtype=object))
    assert got.tolist() == [2, 1, 0]


def test_numpy_text_sorts_as_python_sorts_or_declines():
    rng = np.random.default_rng(5)
    alphabet = ["a", "b", "z", "Я", "я", "Ё", "е", "😀", "\uffff", "\U0010ffff", "/", " ", "0", "é", "\x7f", "\x01"]
    for _ in range(300):
        text = np.array(["".join(rng.choice(alphabet, size=rng.integers(0, 5))) for _ in range(30)], dtype=object)
        sortable = _audit._sortable(text)
        assert np.argsort(sortable, kind="stable").tolist() == sorted(range(len(text)), key=text.__getitem__)
    for awkward in (["a\x00b", "a"], ["\ud800"], ["a", None], ["a", 1]):
        assert _audit._sortable(np.array(awkward, dtype=object)) is None


@pytest.mark.parametrize("awkward", sorted(AWKWARD))
def test_first_in_order_keeps_the_first_of_each_check_and_subject_as_drop_duplicates_does(awkward):
    rng = np.random.default_rng(11)
    subjects = _subjects(awkward)
    frame = pd.DataFrame(
        {
            "check": rng.choice(["b-check", "a-check", "c"], size=300),
            "subject": rng.choice(np.array(subjects, dtype=object), size=300),
            "message": [f"m{i}" for i in range(300)],  # tells the repeated rows apart
        },
        dtype=object,
    )
    first = frame.drop_duplicates(["check", "subject"])
    expected = first.iloc[_audit._order(first["check"], first["subject"])]
    got = frame.iloc[_audit._first_in_order(frame["check"].to_numpy(), frame["subject"].to_numpy())]
    assert got["message"].tolist() == expected["message"].tolist()
    assert len(got) < len(frame)


def test_the_findings_are_object_columns_in_the_contract_order():
    from sferum_lib.checks import audit
    from tests.helpers import AS_OF, clean_book, set_cell, snapshot_of

    book = clean_book()
    set_cell(book, "Сотрудники", "E02", "Присоединился", "")
    findings = audit(snapshot_of(book), AS_OF).findings
    assert list(findings.columns) == list(_audit.FINDING_COLUMNS)
    assert [str(t) for t in findings.dtypes] == ["object"] * len(findings.columns) and len(findings) > 0
    assert list(findings.index) == list(range(len(findings)))
