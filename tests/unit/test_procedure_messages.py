"""Messages of procedures that name a person agree with their gender; an unknown gender gets a neutral wording."""

from __future__ import annotations

import pytest

from sferum_lib.procedures import Refused, Workspace
from sferum_lib.store import Store
from tests.helpers import RECORDS, D, snapshot_of

DAY = D(2026, 9, 10)
# staff of the records: Сергеев Антон Павлович (E03, м), Пак Вера Сергеевна (E05, ж); E07 is added without a
# patronymic and with a first name of either gender, E08 with «Пол» given
MEN, WOMEN = ("назначен ", "добавлен ", "подал ", "выбыл", "прикреплён"), ("назначена", "добавлена", "подала", "выбыла")


@pytest.fixture
def ws(tmp_path):
    store = Store(tmp_path / "w.db")
    store.start_state(snapshot_of(RECORDS), "records")
    with Workspace(store) as ws:
        do = ws.perform
        do("appoint_administrator", actor="E01", day=DAY, staff_id="E03", order_number="12")
        do("send_application", actor="E03", day=DAY)
        do("register_administrator", actor="E03", day=DAY, phone="89781112233")
        do("create_teachers_room", actor="E03", day=DAY)
        do(
            "record_arrival",
            actor="E03",
            day=DAY,
            kind="staff",
            person_id="E07",
            last_name="Ким",
            first_name="Саша",
            position="методист",
        )
        do(
            "record_arrival",
            actor="E03",
            day=DAY,
            kind="staff",
            person_id="E08",
            last_name="Ли",
            first_name="Женя",
            position="педагог дополнительного образования",
            gender="ж",
        )
        link = do("issue_invite", actor="E03", day=DAY, target="Учительская", role="педагог").object
        token = ws.state().invites.set_index("id").loc[link, "token"]
        for person in ("E04", "E05", "E07", "E08"):
            do("join_by_invite", actor=person, day=DAY, person_id=person, invite=token)
        for pupil, last, first, gender in (
            ("U01", "Савченко", "Илья", None),
            ("U05", "Орлова", "Ирина", None),
            ("U06", "Ли", "Саша", None),
            ("U07", "Ким", "Валя", "ж"),
        ):
            do(
                "record_arrival",
                actor="E03",
                day=DAY,
                kind="pupil",
                person_id=pupil,
                last_name=last,
                first_name=first,
                sections=["RT"],
                gender=gender,
            )
        yield ws


def summary(ws: Workspace, key: str, actor: str, **params) -> str:
    return ws.perform(key, actor=actor, day=DAY, **params).summary


@pytest.mark.parametrize(
    ("staff_id", "expected"),
    [
        ("E03", "назначен Сергеев Антон Павлович (E03)"),
        ("E05", "назначена Пак Вера Сергеевна (E05)"),
        ("E08", "назначена Ли Женя (E08)"),
        ("E07", "Назначение администратором платформы: Ким Саша (E07)"),
    ],
)
def test_appointing_the_administrator_agrees(ws, staff_id, expected):
    assert expected in summary(ws, "appoint_administrator", "E01", staff_id=staff_id, order_number="13")


@pytest.mark.parametrize(
    ("staff_id", "form"),
    [("E04", "{who} назначена дополнительным"), ("E07", "Назначение дополнительным администратором: {who}")],
)
def test_additional_administrator_agrees(ws, staff_id, form):
    text = summary(ws, "appoint_additional_admin", "E03", staff_id=staff_id)
    who = {"E04": "Лысенко Марина Игоревна (E04)", "E07": "Ким Саша (E07)"}[staff_id]
    assert form.format(who=who) in text


def test_requests_chats_and_departures_agree(ws):
    assert "Савченко Илья (U01) подал заявку" in summary(ws, "file_request", "U01", person_id="U01", role="ученик")
    assert "Орлова Ирина (U05) подала заявку" in summary(ws, "file_request", "U05", person_id="U05", role="ученик")
    neutral = summary(ws, "file_request", "U06", person_id="U06", role="обучающийся")
    assert neutral.startswith("Ли Саша (U06): подана заявка Q") and not any(w in neutral for w in MEN + WOMEN)
    accepted = summary(ws, "accept_request", "E03", request_id="Q002")
    assert "Заявка Q002 от Орловой Ирины (U05) принята" in accepted

    chat = ws.perform("create_chat", actor="E04", day=DAY, chat_type="other", name="Выставка").object
    assert "Орлова Ирина (U05) добавлена" in summary(ws, "add_chat_member", "E04", chat_id=chat, person_id="U05")
    ws.perform("file_request", actor="U07", day=DAY, person_id="U07", role="обучающийся")
    ws.perform("accept_request", actor="E03", day=DAY, request_id="Q004")
    assert "Ким Валя (U07) добавлена" in summary(ws, "add_chat_member", "E04", chat_id=chat, person_id="U07")
    assert "Орлова Ирина (U05) удалена" in summary(ws, "remove_chat_member", "E04", chat_id=chat, person_id="U05")

    ws.perform("record_departure", actor="E03", day=DAY, person_id="U05")
    with pytest.raises(Refused) as caught:
        ws.perform("record_departure", actor="E03", day=D(2026, 9, 11), person_id="U05")
    assert "Орлова Ирина (U05) уже выбыла" in caught.value.message
    ws.perform("record_departure", actor="E03", day=DAY, person_id="U06")
    with pytest.raises(Refused) as caught:
        ws.perform("add_chat_member", actor="E04", day=D(2026, 9, 11), chat_id=chat, person_id="U06")
    assert "Ли Саша (U06): отмечено выбытие" in caught.value.message
    assert not any(w in caught.value.message for w in MEN + WOMEN + ("его", "её"))


def test_cabinet_and_registration_agree(ws):
    assert "Лысенко Марина Игоревна (E04) прикреплена к кабинету 3" in summary(
        ws, "attach_to_cabinet", "E03", staff_id="E04", cabinet="3"
    )
    assert "Ли Женя (E08) прикреплена" in summary(ws, "attach_to_cabinet", "E03", staff_id="E08", cabinet="4")


def test_confirming_someone_who_has_not_joined_names_them_not_the_administrator(ws):
    summary(
        ws,
        "record_arrival",
        "E03",
        kind="Сотрудник",  # a Russian word, as a user types it
        person_id="E09",
        last_name="Белова",
        first_name="Анна",
        middle_name="Игоревна",
        position="педагог дополнительного образования",
    )
    with pytest.raises(Refused) as refused:
        ws.perform("confirm_status", actor="E03", day=DAY, staff_id="E09")
    text = str(refused.value)
    assert "Белова Анна Игоревна (E09) ещё не присоединилась" in text
    assert "присоединитесь" not in text


def test_an_unknown_actor_or_unknown_parameters_are_told_in_russian(ws):
    from sferum_lib.errors import UsageError

    with pytest.raises(UsageError, match="Человека с ID «E999» нет в данных организации"):
        ws.perform("create_teachers_room", actor="E999", day=DAY)
    with pytest.raises(UsageError) as wrong:
        ws.perform("annul_invite", actor="E03", day=DAY, invite_id="I1", colour="red")
    text = str(wrong.value)
    assert "неверные параметры — лишние параметры: colour" in text and "ссылка (invite_id)" in text
    assert "unexpected" not in text and "keyword" not in text
    with pytest.raises(UsageError, match="Кто прибыл: значение «инопланетянин» не распознано"):
        ws.perform(
            "record_arrival", actor="E03", day=DAY, kind="инопланетянин", person_id="X1", last_name="А", first_name="Б"
        )
