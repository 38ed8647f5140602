"""The demo organisation: deterministic, scalable, and imperfect enough for every check."""

from __future__ import annotations

import datetime as dt

import pytest

from sferum_lib.checks import CHECKS, audit, indicator_values, movement
from sferum_lib.demo import earlier, generate
from sferum_lib.workbook import import_workbook
from sferum_lib.workbook.writer import export_snapshot

DAY = dt.date(2026, 11, 29)


@pytest.fixture(scope="module")
def demo():
    return generate(as_of=DAY)


def test_default_demo_has_the_promised_size(demo):
    assert (len(demo.staff), len(demo.sections), len(demo.pupils), len(demo.parents)) == (25, 15, 400, 500)
    assert "Робототехника" in set(demo.sections["name"])


# fixed between the demo's two snapshots: the administrator's eligibility and contacts
FIXED_SINCE = {"admin-eligible", "admin-contacts"}


def test_every_check_finds_something_in_the_demo(demo):
    result = audit(demo, DAY)
    assert result.not_performed == {}
    assert set(result.findings["check"]) == {c.key for c in CHECKS} - FIXED_SINCE
    before = audit(earlier(demo, DAY), DAY)
    assert set(before.findings["check"]) >= FIXED_SINCE


@pytest.mark.parametrize("day", [dt.date(2026, 9, 20), dt.date(2027, 3, 1), dt.date(2027, 6, 30)])
def test_every_check_finds_something_on_any_day(day):
    now = generate(as_of=day)
    found = set(audit(now, day).findings["check"]) | set(audit(earlier(now, day), day).findings["check"])
    assert found == {c.key for c in CHECKS}


@pytest.mark.parametrize("size", [200, 2000])
def test_the_demo_administrator_can_send_the_application_at_any_size(size, tmp_path):
    from sferum_lib.documents import make_all

    made, refused = make_all(generate(size, as_of=DAY), tmp_path, today=DAY)
    assert refused == [] and all(m.path.exists() for m in made)


def test_same_seed_gives_the_same_organisation(demo):
    again = generate(as_of=DAY)
    for name, table in demo.tables.items():
        assert again.tables[name].equals(table), name
    other = generate(seed=7, as_of=DAY)
    assert not other.staff.equals(demo.staff)


def test_size_scales_in_the_same_proportions():
    big = generate(9250, as_of=DAY)
    people = len(big.staff) + len(big.pupils) + len(big.parents)
    assert people == 9250
    assert len(big.pupils) == 4000 and len(big.sections) == 150
    assert big.staff["id"].is_unique and big.chats["id"].is_unique


def test_indicators_are_shares_with_room_to_improve(demo):
    values = indicator_values(demo, DAY)
    assert all(v is not None and 0 < v < 1 for v in values.values())


def test_demo_exports_to_a_workbook_that_imports_back(demo, tmp_path):
    back = import_workbook(export_snapshot(demo, tmp_path / "demo.xlsx")).snapshot
    for name, table in demo.tables.items():
        assert back.tables[name].equals(table), name


def test_earlier_snapshot_shows_arrivals_and_departures(demo):
    moves = movement(earlier(demo, DAY), demo, DAY)
    assert moves["arrived"]["students"] and moves["departed"]["students"] and moves["departed"]["staff"]


def test_reports_never_import_the_demo():
    """No silent demo: no report module can reach the demo organisation (and there is no demo ↔ reports cycle)."""
    import ast
    from pathlib import Path

    import sferum_lib.reports as reports

    for path in Path(reports.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        assert "sferum_lib.demo" not in imported, path.name


@pytest.mark.parametrize("day", [dt.date(2026, 9, 20), DAY])
@pytest.mark.parametrize("size", [None, 20000])
def test_no_demo_pupil_leaves_before_enrolling_so_the_demo_workbook_imports(day, size):
    pupils = generate(size, as_of=day).pupils
    assert not (pupils["expelled"] < pupils["enrolled"]).any()


@pytest.mark.parametrize("size", [200, 2500])
def test_the_month_earlier_snapshot_imports_too(size, tmp_path):
    now = generate(size, as_of=DAY)
    before = earlier(now, DAY)
    assert set(before.kinship["parent_id"]) == set(before.parents["id"])
    back = import_workbook(export_snapshot(before, tmp_path / "before.xlsx")).snapshot
    assert len(back.parents) == len(before.parents) and len(back.members) == len(before.members)
