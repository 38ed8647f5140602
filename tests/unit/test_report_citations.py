"""Reports cite the regulation in the organisation's edition and say codes in words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from sferum_lib.cli import main
from sferum_lib.reports.base import Context
from sferum_lib.reports.content import build_audit, build_invites, build_person

AS_OF = dt.date(2026, 10, 15)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def context(tmp_path, edition: str | None, **params) -> Context:
    """The contract's worked example (a finding of every clause), in the edition given."""
    book = openpyxl.load_workbook(FIXTURES / "example.xlsx")
    if edition:
        book["Организация"].append(["Редакция положения", edition])
    book.save(tmp_path / "book.xlsx")
    path = tmp_path / f"{edition}.db"
    assert main(["import", str(tmp_path / "book.xlsx"), "--store", str(path)]) == 0
    return Context({"store": str(path), "snapshot": 0, "as_of": AS_OF, "soon_days": 2, **params})


@pytest.mark.parametrize(("edition", "parents", "absent"), [(None, "п. 2.7", "п. 2.6"), ("новая", "п. 2.6", "п. 2.7")])
def test_the_audit_report_cites_the_edition_in_force(tmp_path, edition, parents, absent):
    data = build_audit(context(tmp_path, edition))
    findings = next(t.frame for t in data.tables if t.key == "findings")
    summary = next(t.frame for t in data.tables if t.key == "summary")
    for frame in (findings, summary):
        cited = set(frame["Пункт"])
        assert parents in cited and absent not in cited and "пп. 2.1, 2.2" in cited
    assert not findings["Объект"].str.contains("section-parents").any()


@pytest.mark.parametrize(("edition", "cited"), [(None, "п. 2.3, абз. «Педагогический"), ("новая", "п. 2.4")])
def test_the_person_report_cites_the_edition_and_counts_duties_as_needed(tmp_path, edition, cited):
    data = build_person(context(tmp_path, edition, person_id="E03"))
    duties = next(t.frame for t in data.tables if t.key == "duties")
    assert duties["Пункт"].str.startswith(cited).any()
    as_needed = int((duties["Состояние"] == "по необходимости").sum())
    assert as_needed > 0 and f"по необходимости: {as_needed}," in data.summary[0]


def test_the_invites_report_cites_without_a_duty_code(tmp_path):
    data = build_invites(context(tmp_path, "новая"))
    assert any("(п. 2.1)." in line for line in data.summary)
    assert not any("ADM-" in line for line in data.summary)


@pytest.mark.parametrize("edition", [None, "новая"])
def test_a_finding_is_cited_where_the_catalogue_cites_its_duty(tmp_path, edition):
    """STU-01 is a paragraph of п. 2.3 (п. 2.5 in the new edition): the audit says so, as `duties` does."""
    from sferum_lib.checks.audit import CHECKS_BY_KEY
    from sferum_lib.regulation import default_catalogue

    data = build_audit(context(tmp_path, edition))
    findings = next(t.frame for t in data.tables if t.key == "findings")
    pupils = findings[findings["Обязанность"] == "STU-01"]
    assert not pupils.empty
    stu = default_catalogue()["STU-01"].cited(edition)
    assert set(pupils["Пункт"]) == {stu}
    summary = next(t.frame for t in data.tables if t.key == "summary")
    assert stu in set(summary.loc[summary["Проверка"] == CHECKS_BY_KEY["student-coverage"].title, "Пункт"])
    # a check of a whole clause keeps it: the departed are п. 2.1 in both editions
    assert set(findings.loc[findings["Обязанность"] == "ADM-12", "Пункт"]) == {"п. 2.1"}


def test_who_acts_in_the_report_is_who_the_workbench_gives_the_finding_to():
    from sferum_lib.checks.audit import CHECKS
    from sferum_lib.reports.content import _action
    from sferum_lib.work import _OWNER, _owner_by_duty

    words = {"admin": "администратор", "head": "руководитель", "section": "педагог объединения"}
    for check in CHECKS:
        owner = _OWNER.get(check.key, (_owner_by_duty(check.duty), ""))[0]
        assert words[owner] in _action(check.key)[1], check.key
