"""The audit finds the people its messages name by their codes; that must be who a lookup by ID text finds."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd

from sferum_lib.checks import AuditSettings, audit
from sferum_lib.grammar import People
from tests.helpers import AS_OF, clean_book, snapshot_of

_audit = importlib.import_module("sferum_lib.checks.audit")  # the module, not the function of that name


def _facts(snapshot):
    return _audit._Facts(snapshot, AS_OF, AuditSettings())


def _with_ids(snapshot, table: str, ids: list[object]):
    frame = snapshot.tables[table].copy()
    frame["id"] = pd.array(ids, dtype=frame["id"].dtype)
    return snapshot.with_tables(**{table: frame})


def _rows_by_code(facts, ids: list[object]) -> np.ndarray:
    person = facts.codes.person
    lookup = pd.Index(person.ids).get_indexer(pd.Index(ids, dtype=object))
    return facts.people_rows[lookup]


def test_rows_by_code_equal_rows_by_text_for_everyone():
    facts = _facts(snapshot_of(clean_book()))
    ids = [*facts.s.staff["id"], *facts.s.pupils["id"], *facts.s.parents["id"], "X9"]
    assert (_rows_by_code(facts, ids) == facts.people.rows(ids)).all()


def test_an_id_on_two_people_sheets_is_found_by_its_first_row_either_way():
    snapshot = snapshot_of(clean_book())
    staff_id = snapshot.staff["id"].iloc[0]
    pupils = snapshot.pupils["id"].tolist()
    snapshot = _with_ids(snapshot, "pupils", [staff_id, *pupils[1:]])
    facts = _facts(snapshot)
    ids = [staff_id, *pupils[1:]]
    assert facts.people.rows([staff_id])[0] == 0
    assert (_rows_by_code(facts, ids) == facts.people.rows(ids)).all()


def test_an_empty_id_is_found_as_a_lookup_by_text_finds_it():
    snapshot = snapshot_of(clean_book())
    parents = snapshot.parents["id"].tolist()
    facts = _facts(_with_ids(snapshot, "parents", [None, *parents[1:]]))
    empty = facts.people_rows[-1]
    # an empty cell of a table reads as NaN, the value a check passes for an empty ID
    assert empty == facts.people.rows(pd.Series([np.nan], dtype=object))[0]
    assert empty == len(snapshot.staff) + len(snapshot.pupils)  # the one row without an ID
    twice = _facts(_with_ids(snapshot, "parents", [None, None, *parents[2:]]))
    assert twice.people_rows[-1] == twice.people.rows(pd.Series([np.nan], dtype=object))[0] == -1


def test_named_by_rows_equals_named_by_ids():
    people = People(snapshot_of(clean_book()))
    ids = np.array(["R01", "U01", "E02", "X9", "E02"], dtype=object)
    by_text = people.named(ids)
    by_rows = people.named(ids, people.rows(ids))
    for case in ("nominative", "genitive", "dative"):
        assert by_text.who(case).tolist() == by_rows.who(case).tolist()
    assert by_text.gender.tolist() == by_rows.gender.tolist()
    men = by_text.gender == "м"
    assert men.sum() >= 2
    assert by_text.take(men).ids.tolist() == ids[men].tolist()
    assert by_text.take(men).who("genitive").tolist() == by_text.who("genitive")[men].tolist()


def test_a_person_named_twice_by_the_audit_reads_the_same_as_by_the_people_lookup():
    book = clean_book()
    snapshot = snapshot_of(book)
    # a pupil whose ID is also a parent's: the parent (a later sheet) is named as the pupil, as the text lookup does
    parent_id = snapshot.parents["id"].iloc[0]
    snapshot = _with_ids(snapshot, "pupils", [parent_id, *snapshot.pupils["id"].iloc[1:]])
    findings = audit(snapshot, AS_OF).findings
    people = People(snapshot)
    for subject, message in zip(findings["subject"], findings["message"], strict=True):
        person_id = subject.rsplit("/", 1)[-1]
        if people.person(person_id) is not None:
            assert people.who([person_id]).iloc[0] in message
