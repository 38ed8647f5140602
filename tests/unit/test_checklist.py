"""The checklist: conditional duties are «по необходимости» (or done), a departed person has no duties, limits
are the organisation's rules, MAX wording."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from sferum_lib.checklist import AS_NEEDED, DONE, NOT_NEEDED, PENDING, STATUS_COLOURS, STATUSES, checklist, departure
from sferum_lib.checks import AuditSettings
from sferum_lib.model import Messenger
from sferum_lib.procedures import Workspace
from sferum_lib.regulation import default_catalogue
from sferum_lib.store import Store
from tests.helpers import AS_OF, RECORDS, D, clean_book, set_cell, snapshot_of

DAY = D(2026, 9, 10)
CONDITIONAL = {"ADM-06", "ADM-09", "ADM-11", "ADM-18", "HEAD-04", "PDO-02", "PED-02"}


@pytest.fixture
def ws(tmp_path):
    store = Store(tmp_path / "w.db")
    store.start_state(snapshot_of(RECORDS), "records")
    with Workspace(store) as ws:
        ws.perform("appoint_administrator", actor="E01", day=DAY, staff_id="E03", order_number="12")
        ws.perform("send_application", actor="E03", day=DAY)
        ws.perform("register_administrator", actor="E03", day=DAY, phone="89781112233")
        ws.perform("create_teachers_room", actor="E03", day=DAY)
        link = ws.perform("issue_invite", actor="E03", day=DAY, target="Учительская", role="педагог").object
        token = ws.state().invites.set_index("id").loc[link, "token"]
        for person in ("E01", "E04", "E05"):
            ws.perform("join_by_invite", actor=person, day=DAY, person_id=person, invite=token)
        yield ws


def items(ws: Workspace, person: str, **kw) -> dict:
    return {i.duty.id: i for i in checklist(ws.state(), person, DAY, ws.store.journal(), **kw)}


def test_conditional_duties_are_never_not_done_and_say_what_the_data_shows(ws):
    seen = {**items(ws, "E03"), **items(ws, "E01"), **items(ws, "E04"), **items(ws, "E05")}
    assert set(seen) >= CONDITIONAL
    for duty_id in CONDITIONAL:
        assert seen[duty_id].status in (AS_NEEDED, DONE), (duty_id, seen[duty_id])
    for duty_id in ("ADM-06", "ADM-18", "HEAD-04", "PDO-02"):  # not done: «по необходимости», not «не выполнено»
        assert seen[duty_id].status == AS_NEEDED, (duty_id, seen[duty_id])
    # the data still shows: no class created yet, the teacher's status not confirmed
    assert "объединений без класса: 2" in seen["ADM-06"].detail
    assert "не подтверждён" in seen["PDO-02"].detail and "не подтверждён" in seen["HEAD-04"].detail
    assert "«при наличии доступа»" in seen["ADM-18"].detail
    # an unconditional duty that is not done is still «не выполнено»
    assert seen["ADM-14"].status == PENDING


def test_a_conditional_duty_done_is_done_with_what_was_done(ws):
    assert items(ws, "E04")["PDO-02"].status == AS_NEEDED
    ws.perform("start_verification", actor="E04", day=DAY, staff_id="E04")
    ws.perform("confirm_status", actor="E03", day=DAY, staff_id="E04")
    teacher = items(ws, "E04")
    assert teacher["PDO-02"].status == DONE and teacher["PDO-02"].detail == "статус подтверждён"
    assert teacher["PDO-01"].status == DONE and teacher["PDO-01"].detail == "на платформе с 10.09.2026"


def test_the_pupils_part_of_links_and_requests_is_as_needed(ws):
    admin = items(ws, "E03")
    assert admin["ADM-07"].status == DONE  # the teachers' part: as the audit's «teachers-room» check sees it
    assert "обучающимся — по необходимости (ссылок для обучающихся не создавалось)" in admin["ADM-07"].detail
    assert "заявки обучающихся — по необходимости (ждут дольше срока: 0)" in admin["ADM-10"].detail


def test_limits_are_the_organisations_rules_with_the_value_in_force(ws):
    ws.perform("issue_invite", actor="E03", day=D(2026, 9, 1), target="организация", role="педагог")
    default = items(ws, "E03")["ADM-13"]
    assert "по правилам организации: 7 дн." in default.detail and "п. 2.1" not in default.detail
    stricter = items(ws, "E03", settings=AuditSettings(invite_max_age_days=5, request_max_age_days=1))
    assert "по правилам организации: 5 дн." in stricter["ADM-13"].detail
    assert "по правилам организации: 1 дн." in stricter["ADM-10"].detail


def test_with_max_the_checklist_says_max(ws):
    state = ws.state()
    on_max = state.__class__(
        dataclasses.replace(state.organisation, messenger=Messenger.MAX), state.tables, state.sheets
    )
    texts = [i.duty.text for i in checklist(on_max, "E03", DAY)]
    assert any("учебного профиля MAX" in t for t in texts)
    assert not any("VK" in t for t in texts)
    on_vk = [i.duty.text for i in checklist(state, "E03", DAY)]
    assert any("VK-мессенджер" in t for t in on_vk)


def test_every_status_has_a_colour_and_every_catalogue_condition_is_honoured():
    assert set(STATUS_COLOURS) == set(STATUSES)
    assert {d.id for d in default_catalogue() if d.conditional} == CONDITIONAL


def test_only_the_heads_checklist_asks_to_appoint_the_administrator(ws):
    assert items(ws, "E01")["HEAD-02"].status == DONE
    deputy = items(ws, "E02")["HEAD-02"]
    assert deputy.status == "не требуется" and "назначает руководитель" in deputy.detail


def test_the_checklist_cites_the_organisations_edition(ws):
    from sferum_lib.regulation.editions import EDITION_NEW

    kw = {"actor": "E03", "day": DAY}
    ws.perform("record_arrival", **kw, kind="pupil", person_id="U01", last_name="Савченко", first_name="Илья",
               sections=["RT"])
    ws.perform("record_arrival", **kw, kind="parent", person_id="R01", last_name="Савченко", first_name="Ольга",
               children=["U01"])
    state = ws.state()
    new = state.__class__(
        dataclasses.replace(state.organisation, regulation_edition=EDITION_NEW), state.tables, state.sheets
    )
    parent = "R01"
    assert checklist(new, "E05", DAY)[0].duty.citation == "п. 2.4"  # a lesson teacher (PED-01)
    assert checklist(new, parent, DAY)[0].duty.citation == "п. 2.6"
    assert checklist(state, "E05", DAY)[0].duty.citation == "п. 2.3, абз. «Педагогический работник…»"
    assert checklist(state, parent, DAY)[0].duty.citation == "п. 2.7"
    deputy = {i.duty.id: i for i in checklist(new, "E02", DAY)}
    assert all(i.duty.id not in i.duty.citation for i in deputy.values())


def test_a_pupil_is_told_the_missing_sections_by_their_names_not_by_codes(tmp_path):
    book = copy.deepcopy(RECORDS)
    book["Обучающиеся"].append(["S01", "Ершова", "Алёна", "RT, AM"])
    store = Store(tmp_path / "p.db")
    store.start_state(snapshot_of(book), "records")
    pupil = {i.duty.id: i for i in checklist(store.state(), "S01", DAY)}
    assert pupil["STU-01"].status == PENDING
    assert pupil["STU-01"].detail == "нет в чатах объединений: «Авиамоделирование», «Робототехника»"


def test_given_the_audits_findings_the_checklist_is_the_same_and_audits_nothing(ws, monkeypatch):
    import sferum_lib.checklist as module
    from sferum_lib.checks import audit

    state = ws.state()
    expected = [(i.duty.id, i.status, i.detail) for i in checklist(state, "E03", DAY, ws.store.journal())]
    findings = audit(state, DAY, AuditSettings()).findings

    def no_second_audit(*args, **kwargs):
        raise AssertionError("the checklist audited again")

    monkeypatch.setattr(module, "audit", no_second_audit)
    given = checklist(state, "E03", DAY, ws.store.journal(), findings=findings)
    assert [(i.duty.id, i.status, i.detail) for i in given] == expected


def test_a_person_who_has_left_has_no_duties_to_do_and_is_told_since_when():
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Дата увольнения", D(2026, 10, 1))  # Лысенко Марина: a teacher
    set_cell(book, "Обучающиеся", "U02", "Дата отчисления", D(2026, 10, 2))  # Ткачук Алина: a pupil, in K1
    set_cell(book, "Обучающиеся", "U01", "Дата отчисления", D(2026, 10, 20))  # Савченко Илья: leaves later
    snapshot = snapshot_of(book)
    teacher = checklist(snapshot, "E03", AS_OF)
    assert teacher and {i.status for i in teacher} == {NOT_NEEDED}
    assert {i.detail for i in teacher} == {"уволена 01.10.2026"}
    pupil = checklist(snapshot, "U02", AS_OF)
    assert {i.duty.id for i in pupil} >= {"STU-01", "STU-02"}
    assert {(i.status, i.detail) for i in pupil} == {(NOT_NEEDED, "отчислена 02.10.2026")}
    assert departure(snapshot, "U02", AS_OF).words == "отчислена 02.10.2026"
    # not yet gone on the day: the duties as usual; a parent never «leaves»
    assert departure(snapshot, "U01", AS_OF) is None and departure(snapshot, "R01", AS_OF) is None
    assert {i.status for i in checklist(snapshot, "U01", AS_OF)} != {NOT_NEEDED}
    assert departure(snapshot, "U01", D(2026, 10, 20)).words == "отчислен 20.10.2026"
