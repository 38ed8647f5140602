"""A school year, scripted: every role performs its duties from an organisation with only its records,
and the year ends with a clean audit and a journal that lists every step in order."""

from __future__ import annotations

import datetime as dt

import pytest

from sferum_lib.checks import audit
from sferum_lib.procedures import PROCEDURES, Refused, Workspace
from sferum_lib.regulation import default_catalogue
from sferum_lib.store import Store
from sferum_lib.workbook import import_workbook
from sferum_lib.workbook.writer import export_snapshot
from tests.helpers import RECORDS, D, snapshot_of

END = D(2026, 10, 15)


class Year:
    """Performs procedures and remembers them, to compare with the journal."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.done: list[str] = []
        self.duties: set[str] = set()

    def __call__(self, key: str, actor: str, day: dt.date, **params):
        performed = self.ws.perform(key, actor=actor, day=day, **params)
        self.done.append(key)
        self.duties.update(performed.duties)
        return performed.object

    def token(self, invite_id: str) -> str:
        invites = self.ws.state().invites
        return invites.loc[invites["id"] == invite_id, "token"].iloc[0]


@pytest.fixture
def year(tmp_path):
    store = Store(tmp_path / "year.db")
    store.start_state(snapshot_of(RECORDS), "records")
    with Workspace(store) as ws:
        yield Year(ws)


def test_a_whole_school_year_ends_with_a_clean_audit_and_a_full_journal(year, tmp_path):
    # August: the head's orders, the administrator's registration
    year("issue_usage_order", "E01", D(2026, 8, 20), number="11")
    year("appoint_administrator", "E01", D(2026, 8, 20), staff_id="E03", order_number="12")
    year("send_application", "E03", D(2026, 8, 21))
    year("register_administrator", "E03", D(2026, 8, 25), phone="+7 978 111 22 33")
    year("edit_organisation", "E03", D(2026, 8, 25), city="Керчь")
    year("create_teachers_room", "E03", D(2026, 8, 26))
    year("create_class", "E03", D(2026, 8, 26), section="RT")
    year("create_class", "E03", D(2026, 8, 26), section="AM")
    year("create_channel", "E03", D(2026, 8, 26), name="Общий")
    year("create_channel", "E03", D(2026, 8, 26), name="Сотрудники")

    # the staff join the «Учительская» by one link, start the verification of their status, and the
    # administrator completes it (the administrator's own is completed by the additional administrator)
    invite = year("issue_invite", "E03", D(2026, 8, 27), target="Учительская", role="педагог")
    for person in ("E01", "E02", "E04", "E05"):
        year("join_by_invite", person, D(2026, 8, 28), person_id=person, invite=year.token(invite))
    for person in ("E01", "E02", "E03", "E04", "E05"):
        year("start_verification", person, D(2026, 8, 29), staff_id=person)
    for person in ("E01", "E02", "E04", "E05"):
        year("confirm_status", "E03", D(2026, 8, 29), staff_id=person)
    year("appoint_additional_admin", "E03", D(2026, 8, 30), staff_id="E04")
    year("confirm_status", "E04", D(2026, 8, 30), staff_id="E03")
    year("attach_to_cabinet", "E03", D(2026, 8, 30), staff_id="E04", cabinet="3")
    year("supply_channel_material", "E01", D(2026, 8, 31), name="Общий", text="С новым учебным годом!")
    year("publish_to_channel", "E03", D(2026, 9, 1), name="Общий", text="С новым учебным годом!")
    year("publish_to_channel", "E03", D(2026, 9, 1), name="Сотрудники", text="Педсовет 2 сентября")

    # September: pupils and parents arrive; requests are decided
    year(
        "record_arrival",
        "E03",
        D(2026, 9, 1),
        kind="pupil",
        person_id="U01",
        last_name="Савченко",
        first_name="Илья",
        sections=["RT"],
    )
    year(
        "record_arrival",
        "E03",
        D(2026, 9, 1),
        kind="pupil",
        person_id="U02",
        last_name="Ткачук",
        first_name="Алина",
        sections=["RT", "AM"],
    )
    year(
        "record_arrival",
        "E03",
        D(2026, 9, 1),
        kind="pupil",
        person_id="U03",
        last_name="Бондарь",
        first_name="Глеб",
        sections=["AM"],
    )
    for parent, child in (("R01", "U01"), ("R02", "U02"), ("R03", "U03")):
        year(
            "record_arrival",
            "E03",
            D(2026, 9, 1),
            kind="parent",
            person_id=parent,
            last_name="Родитель",
            first_name=child,
            children=[child],
            phone="+7 978 000 00 0" + parent[-1],
        )
    request = year("file_request", "U01", D(2026, 9, 2), person_id="U01", role="обучающийся")
    year("accept_request", "E03", D(2026, 9, 3), request_id=request)
    wrong = year("file_request", "U03", D(2026, 9, 2), person_id="U03", role="педагог")
    year("reject_request", "E04", D(2026, 9, 3), request_id=wrong)

    # the teacher makes the section chats, the head the management chats, the methodist a lesson chat
    chats = {}
    for code in ("RT", "AM"):
        for chat_type in ("section-students", "section-parents", "section-teachers"):
            chats[code, chat_type] = year(
                "create_chat", "E04", D(2026, 9, 3), chat_type=chat_type, name=f"{code} {chat_type}", section=code
            )
    for chat_type in ("head-deputies", "head-teachers", "head-parent-activists", "head-student-activists"):
        year("create_chat", "E01", D(2026, 9, 3), chat_type=chat_type, name=chat_type)
    lesson = year("create_chat", "E05", D(2026, 9, 4), chat_type="lesson", name="Занятие: пайка", section="RT")
    year("create_chat", "E04", D(2026, 9, 4), chat_type="other", name="Выставка")

    # pupils and parents join their chats by the teacher's links
    for code, pupils in (("RT", ["U01", "U02"]), ("AM", ["U02", "U03"])):
        for pupil in pupils:
            link = year(
                "issue_invite",
                "E04",
                D(2026, 9, 5),
                target=f"чат:{chats[code, 'section-students']}",
                role="обучающийся",
            )
            year("join_by_invite", pupil, D(2026, 9, 6), person_id=pupil, invite=year.token(link))
    for code, parents in (("RT", ["R01", "R02"]), ("AM", ["R02", "R03"])):
        for parent in parents:
            link = year(
                "issue_invite", "E04", D(2026, 9, 5), target=f"чат:{chats[code, 'section-parents']}", role="родитель"
            )
            year("join_by_invite", parent, D(2026, 9, 6), person_id=parent, invite=year.token(link))
    year("add_chat_member", "E04", D(2026, 9, 7), chat_id=chats["RT", "section-teachers"], person_id="E05")
    year("add_chat_member", "E05", D(2026, 9, 7), chat_id=lesson, person_id="U01")
    year("remove_chat_member", "E05", D(2026, 9, 8), chat_id=lesson, person_id="U01")

    # October: a broadcast, a forgotten link, a pupil leaves, support and statistics
    year("plan_broadcast", "E03", D(2026, 10, 1), title="Открытый урок", when=D(2026, 10, 20))
    spare = year("issue_invite", "E03", D(2026, 10, 1), target="объединение:RT", role="обучающийся")
    year("annul_invite", "E03", D(2026, 10, 2), invite_id=spare)
    year("issue_invite", "E03", D(2026, 10, 2), target="организация", role="педагог")
    year("record_departure", "E03", D(2026, 10, 5), person_id="U03")
    year("log_support_request", "E03", D(2026, 10, 10), subject="Не приходят уведомления")
    year("annul_stale_invites", "E03", END)
    year("hand_statistics", "E03", END)

    final = year.ws.state()
    result = audit(final, END)
    assert result.not_performed == {}
    assert result.to_records() == []

    journal = year.ws.store.journal()
    assert list(journal["procedure"]) == year.done
    assert list(journal["seq"]) == sorted(journal["seq"])

    catalogue = default_catalogue()
    untouched = {d.id for d in catalogue.state_changing()} - year.duties
    assert untouched == set(), untouched
    assert set(PROCEDURES) == set(year.done)  # every procedure succeeded at least once

    # the year's state exports to a workbook that imports back with the same clean audit
    back = import_workbook(export_snapshot(final, tmp_path / "year.xlsx")).snapshot
    assert audit(back, END).to_records() == []


def test_refusal_leaves_state_and_journal_unchanged(year):
    year("issue_usage_order", "E01", D(2026, 8, 20), number="11")
    before = year.ws.state()
    entries = len(year.ws.store.journal())
    with pytest.raises(Refused) as caught:
        year("create_teachers_room", "E03", D(2026, 8, 21))
    assert caught.value.duty == "ADM-01" and caught.value.attempted == "ADM-05"
    assert "Сначала руководитель назначает администратора" in str(caught.value)
    assert "(п. 2.1, ADM-01)" in str(caught.value)
    after = year.ws.state()
    for name, table in before.tables.items():
        assert after.tables[name].equals(table), name
    assert after.organisation == before.organisation
    assert len(year.ws.store.journal()) == entries
