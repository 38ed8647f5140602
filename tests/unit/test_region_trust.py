"""The region says what is true: another organisation under a mistyped short name is refused, a remark is not
called a violation, numbers agree with their nouns and carry a decimal comma, and no code names leak."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sferum_lib.checks import REMARK, VIOLATION
from sferum_lib.region.cluster import Runner
from sferum_lib.region.core import OrgResult, import_region
from sferum_lib.region.demo import NOW, _books, write_region
from sferum_lib.region.report import _summary, duties, ranking
from sferum_lib.region.tables import indicators_table
from sferum_lib.render import indicators_table as org_indicators_table

DAY = dt.date(2026, 11, 29)


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("books")
    write_region(out, 3, 40, seed=7, as_of=DAY)
    return out / NOW


def _organisation(path: Path) -> dict[str, str]:
    return {r[0]: r[1] for r in load_workbook(path)["Организация"].iter_rows(min_row=2, values_only=True)}


def _retyped(source: Path, target: Path, short_name: str) -> None:
    wb = load_workbook(source)
    ws = wb["Организация"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "Краткое наименование":
            row[1].value = short_name
    wb.save(target)


def test_another_organisation_under_a_mistyped_short_name_is_refused_and_the_others_kept(books, tmp_path):
    first, second, third = sorted(books.glob("*.xlsx"))
    region = tmp_path / "регион"
    inbox = tmp_path / "почта"
    inbox.mkdir()
    shutil.copy(first, inbox)
    assert [o.accepted for o in import_region(inbox, region, Runner())] == [True]
    mine, other = _organisation(first), _organisation(second)
    # the next month: the second organisation's workbook carries the first one's short name; the third is fine
    shutil.rmtree(inbox)
    inbox.mkdir()
    _retyped(second, inbox / second.name, mine["Краткое наименование"])
    shutil.copy(third, inbox)
    outcomes = {o.source: o for o in import_region(inbox, region, Runner())}
    refused, kept = outcomes[second.name], outcomes[third.name]
    assert kept.accepted and not refused.accepted
    reason = refused.errors[0]
    assert mine["Полное наименование"] in reason and other["Полное наименование"] in reason
    assert "другой организации" in reason and "исправьте" in reason
    from sferum_lib.store import Store

    with Store(region / refused.store, readonly=True) as store:
        assert [i.number for i in store.snapshots()] == [1]  # not taken as its next snapshot


def test_the_same_organisation_renamed_with_the_same_head_is_its_next_snapshot(books, tmp_path):
    first = sorted(books.glob("*.xlsx"))[0]
    region = tmp_path / "регион"
    for n, name in enumerate(("Учреждение «Старое название»", "Учреждение «Новое название»")):
        inbox = tmp_path / f"почта{n}"
        inbox.mkdir()
        wb = load_workbook(first)
        for row in wb["Организация"].iter_rows(min_row=2):
            if row[0].value == "Полное наименование":
                row[1].value = name
        wb.save(inbox / first.name)
        assert [o.accepted for o in import_region(inbox, region, Runner())] == [True]


def _result(name: str, findings: list[tuple[str, str]]) -> OrgResult:
    return OrgResult(
        f"{name}.db",
        name,
        1,
        [{"check": c, "severity": s} for c, s in findings],
        {"staff_joined": 0.75},
        {"staff": 1, "pupils": 1, "parents": 1},
        {},
        {"staff_joined": "Педагоги"},
    )


def test_the_summary_does_not_call_a_remark_a_violation():
    results = [_result("А", [("parent-coverage", REMARK)]), _result("Б", [("parent-coverage", REMARK)])]
    lines = " ".join(_summary(results, ranking(results), duties(results)))
    assert "Чаще всего нарушается" not in lines
    assert "Чаще всего замечания по" in lines and "Нарушений нет ни в одной организации" in lines
    both = [_result("А", [("parent-coverage", REMARK), ("stale-invites", VIOLATION)])]
    lines = " ".join(_summary(both, ranking(both), duties(both)))
    assert "Чаще всего нарушается ADM-13" in lines and "Чаще всего замечания по" in lines


def test_terminal_numbers_have_a_decimal_comma_and_no_code_names():
    table = indicators_table([_result("А", [])], DAY)
    assert "75,0" in table and "75.0" not in table and "(staff_joined)" not in table
    from sferum_lib.checks import Indicator
    from sferum_lib.model import Organisation

    item = Indicator("staff_joined", "Педагоги", "a / b", 3, 4)
    text = org_indicators_table([item], Organisation("Полное", "Краткое"), DAY, "снимок № 1")
    assert "75,0 %" in text and "75.0" not in text


@pytest.mark.parametrize(
    ("n", "words"),
    [(1, "Книга 1 организации"), (3, "Книги 3 организаций"), (5, "Книги 5 организаций"), (21, "Книги 21 организации")],
)
def test_the_demo_region_counts_its_books_in_russian(n, words):
    assert _books(n) == words
