"""Who may act and who may be where: the head's management chats (п. 2.2), joining once, an actor for every act,
refusals naming clause and duty, and the workbench offering only what can succeed."""

from __future__ import annotations

import pandas as pd
import pytest

from sferum_lib import work
from sferum_lib.cli import main
from sferum_lib.errors import UsageError
from sferum_lib.procedures import Workspace
from sferum_lib.store import Store
from tests.helpers import D
from tests.unit.test_procedures import DAY, refused, set_up, token, workspace


def _with_activists(ws: Workspace) -> None:
    """U01 and R01 are in the activists and on the platform; U02 and R02 are on the platform only; the deputy head
    E02 has joined."""
    snap = ws.state()
    pupils, parents, staff = snap.pupils.copy(), snap.parents.copy(), snap.staff.copy()
    staff.loc[staff["id"] == "E02", "joined"] = pd.Timestamp(DAY)
    pupils["activist"] = pupils["id"].eq("U01")
    parents["activist"] = parents["id"].eq("R01")
    pupils["joined"] = pd.Timestamp(DAY)
    parents["joined"] = pd.Timestamp(DAY)
    ws.store.start_state(snap.with_tables(pupils=pupils, parents=parents, staff=staff), "актив", keep_journal=True)


@pytest.fixture
def heads_chats(tmp_path):
    with workspace(tmp_path / "w.db") as ws:
        set_up(ws)
        _with_activists(ws)
        chats = {
            kind: ws.perform("create_chat", actor="E01", day=DAY, chat_type=kind, name=name).object
            for kind, name in (
                ("head-deputies", "Администрация"),
                ("head-teachers", "Педсовет"),
                ("head-parent-activists", "Родительский актив"),
                ("head-student-activists", "Ученический актив"),
            )
        }
        yield ws, chats


def test_management_chats_admit_only_whom_the_regulation_names(heads_chats):
    ws, chats = heads_chats
    # a pupil is not the head's deputy, nor a parent activist: refused under п. 2.2, HEAD-06, nothing journaled
    before = len(ws.store.journal())
    error = refused(ws, "add_chat_member", "E01", chat_id=chats["head-deputies"], person_id="U01")
    assert error.duty == "HEAD-06" and "«Администрация» (руководитель — заместители)" in str(error)
    assert str(error).endswith("(п. 2.2, HEAD-06)")
    assert refused(ws, "add_chat_member", "E01", chat_id=chats["head-parent-activists"], person_id="U01").duty == (
        "HEAD-06"
    )
    assert refused(ws, "add_chat_member", "E01", chat_id=chats["head-parent-activists"], person_id="R02")
    assert refused(ws, "add_chat_member", "E01", chat_id=chats["head-student-activists"], person_id="U02")
    assert refused(ws, "add_chat_member", "E01", chat_id=chats["head-deputies"], person_id="E04")  # a teacher
    assert len(ws.store.journal()) == before
    # those who belong are added
    for kind, person in (
        ("head-deputies", "E02"),
        ("head-teachers", "E04"),
        ("head-parent-activists", "R01"),
        ("head-student-activists", "U01"),
    ):
        ws.perform("add_chat_member", actor="E01", day=DAY, chat_id=chats[kind], person_id=person)
    members = ws.state().members
    assert set(members.loc[members["chat_id"] == chats["head-deputies"], "person_id"]) == {"E01", "E02"}


def test_a_link_into_a_management_chat_admits_only_its_members(heads_chats):
    ws, chats = heads_chats
    link = ws.perform(
        "issue_invite", actor="E01", day=DAY, target=f"чат:{chats['head-parent-activists']}", role="родитель"
    ).object
    error = refused(ws, "join_by_invite", "R02", person_id="R02", invite=token(ws, link))
    assert error.duty == "HEAD-06"
    ws.perform("join_by_invite", actor="R01", day=DAY, person_id="R01", invite=token(ws, link))
    assert "R01" in set(ws.state().members.query(f"chat_id == '{chats['head-parent-activists']}'")["person_id"])


def test_joining_twice_is_refused_in_the_persons_gender_and_the_journal_says_v_organizatsiyu(ready):
    ws, _ = ready
    link = ws.perform("issue_invite", actor="E03", day=DAY, target="организация", role="педагог").object
    done = ws.perform("join_by_invite", actor="E02", day=DAY, person_id="E02", invite=token(ws, link))
    assert done.summary.endswith(f"вступление по ссылке {link} в организацию")
    room = ws.perform("issue_invite", actor="E03", day=DAY, target="Учительская", role="педагог").object
    before = len(ws.store.journal())
    later = D(2026, 9, 12)
    error = refused(ws, "join_by_invite", "E02", day=later, person_id="E02", invite=link)
    assert "Кравец Игорь Олегович (E02) уже присоединился к организации 10.09.2026" in str(error)
    # E04 (Марина) joined the «Учительская» in set_up: by an organisation's link she is told in her gender
    error = refused(ws, "join_by_invite", "E04", day=later, person_id="E04", invite=link)
    assert "Лысенко Марина Игоревна (E04) уже присоединилась к организации" in str(error)
    assert "уже присоединилась к «Учительской»" in str(
        refused(ws, "join_by_invite", "E04", person_id="E04", invite=room)
    )
    assert len(ws.store.journal()) == before


def test_nobody_joins_or_applies_in_anothers_stead(ready):
    ws, _ = ready
    link = ws.perform("issue_invite", actor="E03", day=DAY, target="организация", role="педагог").object
    error = refused(ws, "join_by_invite", "E03", person_id="E02", invite=link)
    assert "вступает сам человек" in str(error) and "Кравец Игорь Олегович (E02)" in str(error)
    assert "подаёт сам человек" in str(refused(ws, "file_request", "E03", person_id="U01", role="обучающийся"))


def test_without_an_actor_the_default_one_acts_and_the_roles_are_still_checked(ready):
    ws, chats = ready
    # the administrator of the organisation's parameters acts by default, and the journal names them
    link = ws.perform("issue_invite", actor="E03", day=DAY, target="организация", role="педагог").object
    done = ws.perform("annul_invite", actor=None, day=DAY, invite_id=link)
    assert (done.actor, done.default_actor) == ("E03", "администратор платформы")
    assert ws.store.journal()["actor"].iloc[-1] == "E03"
    # the head's act is the head's; one's own act is one's own; a chat's members are its owner's to change
    assert ws.perform("issue_usage_order", actor=None, day=DAY, number="5").actor == "E01"
    assert ws.perform("start_verification", actor=None, day=DAY, staff_id="E04").actor == "E04"
    assert (
        ws.perform("remove_chat_member", actor=None, day=DAY, chat_id=chats["students"], person_id="E04").actor == "E04"
    )
    # a chat is created by its future owner: nobody to take by default
    with pytest.raises(UsageError, match="--as ID"):
        ws.perform("create_chat", actor=None, day=DAY, chat_type="иной", name="Кружок")
    # and the default actor is checked like anyone: the administrator does not appoint additional ones twice
    error = refused(ws, "appoint_additional_admin", None, staff_id="E03")
    assert error.duty == "ADM-08"


def test_without_an_administrator_nothing_is_done_silently(tmp_path):
    with workspace(tmp_path / "w.db") as ws:
        with pytest.raises(UsageError, match=r"Администратор платформы не указан.*--as ID"):
            ws.perform("create_teachers_room", actor=None, day=DAY)
        # named, the actor is refused by the regulation, citing the duty that must come first
        error = refused(ws, "create_teachers_room", "E03")
        assert str(error).endswith("(п. 2.1, ADM-01)")


def test_the_do_command_says_who_acted_by_default(tmp_path, capsys):
    with workspace(tmp_path / "w.db") as ws:
        set_up(ws)
        link = ws.perform("issue_invite", actor="E03", day=DAY, target="организация", role="педагог").object
    store = str(tmp_path / "w.db")
    assert main(["do", "annul_invite", "-p", "ссылка", link, "--day", "2026-09-10", "--store", store]) == 0
    said = capsys.readouterr().err
    assert (
        "выполняет Сергеев Антон Павлович (E03) (администратор платформы; другого исполнителя укажите: --as ID)" in said
    )
    assert main(["do", "annul_invite", "--as", "E04", "-p", "ссылка", link, "--store", store]) == 2
    assert "(п. 2.1, ADM-13)" in capsys.readouterr().err


@pytest.fixture
def ready(tmp_path):
    with workspace(tmp_path / "w.db") as ws:
        yield ws, set_up(ws)


def test_the_workbench_offers_confirming_a_status_only_after_the_teacher_started_it(tmp_path):
    with workspace(tmp_path / "w.db") as ws:
        set_up(ws)
        store: Store = ws.store

        def status_item(person: str) -> work.Item:
            groups = work.todo(store.state(), DAY, journal=store.journal())
            [item] = [i for g in groups for i in g.items if i.key == f"teacher-status/{person}"]
            return item

        waiting = status_item("E04")
        assert waiting.actions == () and not waiting.by_hand
        assert waiting.how.startswith("Пока нельзя: ") and "проходит верификацию статуса «педагог»" in waiting.how
        ws.perform("start_verification", actor="E04", day=DAY, staff_id="E04")
        ready_item = status_item("E04")
        assert [a.procedure for a in ready_item.actions] == ["confirm_status"]
        assert work.perform(store, ready_item.actions[0], work.acting_admin(store.state()), DAY)
        assert bool(store.state().staff.set_index("id").loc["E04", "status_confirmed"])


def test_journal_lines_name_things_in_russian_and_in_the_right_case(ready):
    ws, _ = ready
    assert ws.perform("edit_organisation", actor="E03", day=DAY, city="Ялта", full_name="УДО «Тест-2»").summary == (
        "Изменены сведения об организации: город, полное наименование"
    )
    link = ws.perform("issue_invite", actor="E03", day=DAY, target="объединение:RT", role="обучающийся").object
    joined = ws.perform("join_by_invite", actor="U01", day=DAY, person_id="U01", invite=token(ws, link)).summary
    assert joined.endswith(f"вступление по ссылке {link} в класс объединения «Робототехника»")


def test_every_action_has_one_russian_name_a_user_may_type_in_any_case_and_with_spaces(tmp_path, capsys):
    from sferum_lib.procedures import PROCEDURES
    from sferum_lib.procedures.params import ACTION_NAMES, action_key

    assert set(ACTION_NAMES) == set(PROCEDURES)
    assert len({name.replace("ё", "е") for name in ACTION_NAMES.values()}) == len(ACTION_NAMES)
    assert all(action_key(name) == key and action_key(key) == key for key, name in ACTION_NAMES.items())
    assert action_key("Создать учительскую") == action_key("СОЗДАТЬ-УЧИТЕЛЬСКУЮ") == "create_teachers_room"
    assert action_key("создать") is None and action_key("fly_to_the_moon") is None
    with workspace(tmp_path / "w.db") as ws:
        set_up(ws)
    store = str(tmp_path / "w.db")
    invite = ["-p", "куда", "организация", "-p", "роль", "педагог"]
    assert main(["do", "создать ссылку", "--as", "E03", *invite, "--store", store]) == 0
    assert "Создана ссылка-приглашение" in capsys.readouterr().err
    assert main(["do", "летать", "--store", store]) == 2
    assert "Неизвестное действие «летать»" in capsys.readouterr().err
    assert main(["do", "--list"]) == 0
    assert "по-русски: создать_учительскую" in capsys.readouterr().out
