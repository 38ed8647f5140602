"""The workbench's to-do list: who must act on each finding, its clause, which button fixes it; and what the
buttons, the upload and the journal do to a store."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sferum_lib import work
from sferum_lib.procedures.base import Refused
from sferum_lib.store import Store
from sferum_lib.workbook import import_workbook
from tests.helpers import AS_OF, clean_book, set_cell, snapshot_of

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example.xlsx"


def appointed_example(folder: Path) -> Path:
    """The shared example as it is, copied into a temp folder (its appointment order has a number but no date:
    the audit reports that, and the administrator's work goes on)."""
    path = folder / "пример.xlsx"
    shutil.copy(EXAMPLE, path)
    return path


def unappointed_example(folder: Path) -> bytes:
    """The example with no order appointing the administrator: then the regulation lets them do nothing yet."""
    from openpyxl import load_workbook

    path = folder / "без-приказа.xlsx"
    shutil.copy(EXAMPLE, path)
    wb = load_workbook(path)
    sheet = wb["Организация"]
    for row in sheet.iter_rows(min_row=2):
        if str(row[0].value).startswith("Приказ о назначении администратора"):
            row[1].value = None
    wb.save(path)
    return path.read_bytes()


def by_who(groups: list[work.Group]) -> dict[str, work.Group]:
    return {g.who: g for g in groups}


def test_example_items_go_to_who_must_act_with_their_clause():
    snapshot = import_workbook(EXAMPLE).snapshot
    groups = work.todo(snapshot, AS_OF)
    assert groups[0].who == work.ADMIN  # the administrator's list comes first
    found = by_who(groups)
    admin = {i.key: i for i in found[work.ADMIN].items}
    head = {i.key: i for i in found[work.HEAD].items}
    assert "admin-appointed/организация" in head and "admin-appointed/организация" not in admin
    assert {"stale-invites/I1", "stale-invites/I5", "pending-requests/Q1"} <= set(admin)
    assert admin["stale-invites/I1"].clause == "п. 2.1"
    # a missing chat of a section is its teacher's to create, in a group named after the teacher
    teacher_of = dict(zip(snapshot.sections["code"], snapshot.sections["teacher_id"], strict=True))
    teacher = found[teacher_of["AM"]]
    assert {"section-chats/AM/section-parents", "section-chats/AM/section-teachers"} <= {i.key for i in teacher.items}
    assert teacher.title.startswith("Педагог: ") and teacher_of["AM"] in teacher.title
    # every finding is somewhere, once
    keys = [i.key for g in groups for i in g.items]
    assert len(keys) == len(set(keys)) == len(work.audit(snapshot, AS_OF).findings)


def test_items_have_the_buttons_of_the_procedures_that_fix_them():
    groups = by_who(work.todo(import_workbook(EXAMPLE).snapshot, AS_OF))
    admin = {i.key: i for i in groups[work.ADMIN].items}

    def labels(key: str) -> list[tuple[str, str]]:
        return [(a.label, a.procedure) for a in admin[key].actions]

    assert labels("stale-invites/I5") == [("Аннулировать", "annul_invite")]
    assert admin["stale-invites/I5"].actions[0].params == {"invite_id": "I5"}
    assert labels("pending-requests/Q1") == [("Принять", "accept_request"), ("Отклонить", "reject_request")]
    assert labels("departed-members/E06") == [("Удалить из чатов", work.REMOVE_FROM_CHATS)]
    assert labels("foreign-members/K1/R06") == [("Удалить из чата", "remove_chat_member")]
    assert admin["foreign-members/K1/R06"].actions[0].params == {"chat_id": "K1", "person_id": "R06"}
    assert [a.label for a in groups[work.ADMIN].actions] == ["Аннулировать все"]
    # what no procedure performs is done by hand, and says so
    assert admin["admin-contacts/E03"].by_hand and admin["admin-contacts/E03"].how.startswith("Вручную: ")
    assert not admin["stale-invites/I1"].by_hand and "Аннулировать ссылку-приглашение" in admin["stale-invites/I1"].how


def test_a_missing_channel_has_its_create_button():
    book = clean_book()
    book["Каналы"] = [book["Каналы"][0], *[r for r in book["Каналы"][1:] if r[0] != "Общий"]]
    groups = by_who(work.todo(snapshot_of(book), AS_OF))
    [item] = [i for i in groups[work.ADMIN].items if i.check == "system-channels"]
    expected = [("Создать", "create_channel", {"name": "Общий"})]
    assert [(a.label, a.procedure, a.params) for a in item.actions] == expected
    assert item.clause == "п. 2.1"


def test_a_clean_organisation_has_nothing_to_do_and_one_stale_link_has_no_annul_all():
    assert work.todo(snapshot_of(clean_book()), AS_OF) == []
    book = clean_book()
    set_cell(book, "Ссылки-приглашения", "I1", "Использована", "")  # made on 01.09, never used: stale
    [group] = work.todo(snapshot_of(book), AS_OF)
    assert group.who == work.ADMIN and group.actions == ()
    assert [i.check for i in group.items] == ["stale-invites"]


def test_annul_all_runs_as_the_administrator_is_journaled_and_the_items_disappear(tmp_path):
    store_path = tmp_path / "org.db"
    uploaded = work.upload(store_path, [("пример.xlsx", appointed_example(tmp_path).read_bytes())], AS_OF)
    assert uploaded.ok and uploaded.number == 1
    with Store(store_path) as store:
        state = store.state()
        actor = work.acting_admin(state)
        [annul_all] = by_who(work.todo(state, AS_OF))[work.ADMIN].actions
        summaries = work.perform(store, annul_all, actor, AS_OF)
        journal = store.journal()
        left = work.todo(store.state(), AS_OF, journal=journal)
    assert "I1" in summaries[0] and "I5" in summaries[0]
    assert list(journal["procedure"]) == ["annul_stale_invites"] and list(journal["actor"]) == [actor]
    assert not [i for g in left for i in g.items if i.check == "stale-invites"]


def test_remove_from_chats_takes_a_departed_person_out_of_every_chat(tmp_path):
    store_path = tmp_path / "org.db"
    work.upload(store_path, [("пример.xlsx", appointed_example(tmp_path).read_bytes())], AS_OF)
    with Store(store_path) as store:
        before = set(store.state().members.query("person_id == 'E06'")["chat_id"])
        action = work.Action("Удалить из чатов", work.REMOVE_FROM_CHATS, {"person_id": "E06"})
        done = work.perform(store, action, "E03", AS_OF)
        assert len(done) == len(before) >= 1
        assert store.state().members.query("person_id == 'E06'").empty
        assert len(store.journal()) == len(before)


def test_a_refusal_leaves_the_store_unchanged(tmp_path):
    store_path = tmp_path / "org.db"
    work.upload(store_path, [("пример.xlsx", unappointed_example(tmp_path))], AS_OF)
    with Store(store_path) as store:
        with pytest.raises(Refused) as refused:
            work.perform(store, work.Action("Аннулировать все", work.ANNUL_ALL), "E03", AS_OF)
        assert refused.value.duty == "ADM-01" and "п." in str(refused.value)
        assert store.journal().empty


def test_marked_done_is_journaled_with_its_actor_and_leaves_the_list(tmp_path):
    store_path = tmp_path / "org.db"
    work.upload(store_path, [("пример.xlsx", EXAMPLE.read_bytes())], AS_OF)
    with Store(store_path) as store:
        admin = by_who(work.todo(store.state(), AS_OF))[work.ADMIN]
        [contacts] = [i for i in admin.items if i.check == "admin-contacts"]
        work.mark_done(store, contacts, "E03", AS_OF)
        journal = store.journal()
        after = work.todo(store.state(), AS_OF, journal=journal)
    assert journal.iloc[0]["actor"] == "E03" and journal.iloc[0]["duty"] == contacts.duty
    assert contacts.key not in {i.key for g in after for i in g.items}


def test_a_broken_workbook_is_not_saved_and_its_errors_come_with_the_marked_copy(tmp_path):
    broken = tmp_path / "сломанная.xlsx"
    shutil.copy(EXAMPLE, broken)
    wb = load_workbook(broken)
    wb["Сотрудники"]["A3"] = wb["Сотрудники"]["A2"].value  # a duplicate ID
    wb.save(broken)
    store_path = tmp_path / "org.db"
    result = work.upload(store_path, [(broken.name, broken.read_bytes())], AS_OF)
    assert not result.ok and result.problems
    assert any(p.sheet == "Сотрудники" for p in result.problems)
    assert result.errors_copy and result.errors_copy[:2] == b"PK"
    assert not store_path.exists() or not Store(store_path).snapshots()


def test_a_second_upload_reports_the_movement_and_keeps_the_old_journal(tmp_path):
    store_path = tmp_path / "org.db"
    book = appointed_example(tmp_path)
    work.upload(store_path, [(book.name, book.read_bytes())], AS_OF)
    with Store(store_path) as store:
        work.perform(store, work.Action("Аннулировать", "annul_invite", {"invite_id": "I1"}), "E03", AS_OF)
    wb = load_workbook(book)
    ws = wb["Сотрудники"]
    ws.append(
        ["E99", "Новикова", "Ольга", "Петровна", "педагог дополнительного образования"]
        + [None] * 4
        + [dt.date(2026, 10, 1)]
    )
    wb.save(book)
    second = work.upload(store_path, [(book.name, book.read_bytes())], AS_OF)
    assert second.number == 2
    assert second.movement is not None and "E99" in second.movement["arrived"]["staff"]
    with Store(store_path, readonly=True) as st:  # the action before the second upload is still in the journal
        journal = st.journal()
    assert len(journal) == 1 and journal["state"].iloc[0] == "снимок № 1"


def test_another_organisations_workbook_is_refused_until_the_user_says_it_was_renamed(tmp_path):
    from tests.helpers import set_param, write_xlsx

    store_path = tmp_path / "org.db"
    book = appointed_example(tmp_path)
    assert work.upload(store_path, [(book.name, book.read_bytes())], AS_OF).number == 1
    other = clean_book()
    set_param(other, "Полное наименование", "МБУДО «Дом детского творчества» г. Керчи")
    theirs = write_xlsx(other, tmp_path / "чужая.xlsx")
    refused = work.upload(store_path, [(theirs.name, theirs.read_bytes())], AS_OF)
    assert not refused.ok and "другой организации" in refused.other_organisation
    assert "Организация переименована" in refused.other_organisation and "--renamed" not in refused.other_organisation
    with Store(store_path, readonly=True) as st:
        assert len(st.snapshots()) == 1
    accepted = work.upload(store_path, [(theirs.name, theirs.read_bytes())], AS_OF, renamed=True)
    assert accepted.number == 2


def test_taking_a_departed_person_out_of_chats_is_journalled_as_the_administrators_duty(tmp_path):
    """The administrator removing a departed person keeps the people's movement (ADM-12, п. 2.1); removing a
    stranger from a chat is the chat owner's duty, whoever does it."""
    store_path = tmp_path / "org.db"
    book = appointed_example(tmp_path)
    work.upload(store_path, [(book.name, book.read_bytes())], AS_OF)
    with Store(store_path) as store:
        admin = store.state().organisation.admin_id
        work.perform(store, work.Action("Удалить из чатов", work.REMOVE_FROM_CHATS, {"person_id": "E06"}), admin, AS_OF)
        departed = store.journal()
        work.perform(
            store,
            work.Action("Удалить из чата", "remove_chat_member", {"chat_id": "K5", "person_id": "E07"}),
            admin,
            AS_OF,
        )
        stranger = store.journal().iloc[len(departed) :]
    assert len(departed) >= 1 and set(departed["duty"]) == {"ADM-12"}
    assert list(stranger["duty"]) != ["ADM-12"]


def test_uploading_other_files_than_a_workbook_or_csv_is_refused():
    result = work.upload("unused.db", [("фото.png", b"\x89PNG")], AS_OF)
    assert not result.ok and "ожидается" in result.problems[0].expected


# --- the page's widgets, driven in-process (the browser test drives them through Voilà) -------------------------


def buttons(widget, label: str) -> list:
    """Every button under ``widget`` whose text is ``label``."""
    import ipywidgets as w

    found = []
    if isinstance(widget, w.Button) and widget.description == label:
        found.append(widget)
    for child in getattr(widget, "children", ()):
        found += buttons(child, label)
    return found


def test_the_page_annuls_from_its_button_and_shows_a_refusal_with_its_clause(tmp_path):
    from sferum_lib.ui.workbench import Workbench

    refused_store, done_store = tmp_path / "refused.db", tmp_path / "done.db"
    work.upload(refused_store, [("пример.xlsx", unappointed_example(tmp_path))], AS_OF)
    work.upload(done_store, [("пример.xlsx", appointed_example(tmp_path).read_bytes())], AS_OF)

    page = Workbench(refused_store, AS_OF)
    [annul_all] = buttons(page.todo_box, "Аннулировать все")
    annul_all.click()
    message = page.todo_message.value
    assert "Отказ по положению" in message and "назначает администратора" in message and "(п. 2.1, ADM-01)" in message
    assert len(buttons(page.todo_box, "Аннулировать")) == 2  # nothing changed
    assert Store(refused_store).journal().empty

    page = Workbench(done_store, AS_OF)
    buttons(page.todo_box, "Аннулировать")[0].click()
    assert "Выполнено: Аннулирована ссылка-приглашение I1" in page.todo_message.value
    assert len(buttons(page.todo_box, "Аннулировать")) == 1
    assert "Сергеев Антон Павлович (E03)" in page.journal_html.value  # the journal names who acted

    # a teacher's list opens on request: «Отметить выполненным» of the teacher's items appears
    closed = len(buttons(page.todo_box, "Отметить выполненным"))
    buttons(page.todo_box, "Показать дела")[0].click()
    assert len(buttons(page.todo_box, "Отметить выполненным")) > closed
    assert len(buttons(page.todo_box, "Скрыть")) == 1


def test_the_page_offers_renaming_only_after_refusing_another_organisations_workbook(tmp_path):
    from types import SimpleNamespace

    from sferum_lib.ui.workbench import Workbench
    from tests.helpers import set_param, write_xlsx

    store = tmp_path / "org.db"
    work.upload(store, [("пример.xlsx", appointed_example(tmp_path).read_bytes())], AS_OF)
    other = clean_book()
    set_param(other, "Полное наименование", "МБУДО «Дом <детского> творчества»")
    theirs = write_xlsx(other, tmp_path / "чужая.xlsx")
    page = Workbench(store, AS_OF)
    assert page.renamed.layout.display == "none"
    page.upload = SimpleNamespace(value=[{"name": theirs.name, "content": theirs.read_bytes()}])
    page.load.click()
    assert "Книга не принята" in page.upload_result.value and "&lt;детского&gt;" in page.upload_result.value
    assert page.renamed.layout.display is None
    page.renamed.value = True
    page.load.click()
    assert "Снимок № 2 сохранён" in page.upload_result.value
    assert page.renamed.layout.display == "none" and page.renamed.value is False


def test_an_empty_store_asks_for_a_workbook_and_the_notebook_runs(tmp_path):
    import papermill

    from sferum_lib.ui.workbench import Workbench

    page = Workbench(tmp_path / "нет.db", AS_OF)
    assert "загрузите книгу" in page.header.value and not (tmp_path / "нет.db").exists()
    store = tmp_path / "org.db"
    work.upload(store, [("пример.xlsx", EXAMPLE.read_bytes())], AS_OF)
    notebook = Path(__file__).resolve().parents[2] / "notebooks" / "work" / "admin.ipynb"
    out = papermill.execute_notebook(
        str(notebook),
        str(tmp_path / "out.ipynb"),
        parameters={"store": str(store), "as_of": AS_OF.isoformat()},
        progress_bar=False,
        kernel_name="python3",
    )
    outputs = [o for c in out.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    assert not any(o.get("output_type") == "error" for o in outputs)


def test_sferum_app_serves_a_work_notebook_for_every_role(tmp_path, capsys):
    from sferum_lib import app, cli

    assert cli.main(["app", "admin", "--store", str(tmp_path / "нет" / "org.db")]) == 2
    assert "Папки" in capsys.readouterr().err
    for role in app.WORK_ROLES:
        notebook = app.work_notebook_for(role)
        assert notebook.exists() and notebook.parent.name == "work"
        command = app.voila_command(role, 8866, "127.0.0.1", None, tmp_path, notebook)
        assert str(notebook) in command and str(app.notebook_for(role)) not in command
    assert app.work_title("admin") == app.WORK_TITLE
    assert app.work_title("pdo") == "Работа в «Сферуме»: педагог дополнительного образования"


def test_two_pages_acting_at_once_lose_no_action_and_never_act_twice(tmp_path):
    from sferum_lib.ui.workbench import Workbench

    store = tmp_path / "org.db"
    work.upload(store, [("пример.xlsx", appointed_example(tmp_path).read_bytes())], AS_OF)
    first, second = Workbench(store, AS_OF), Workbench(store, AS_OF)  # two browsers, each its own kernel
    buttons(first.todo_box, "Аннулировать")[0].click()  # I1
    buttons(second.todo_box, "Аннулировать")[1].click()  # I5, from a list that still shows I1
    buttons(second.todo_box, "Удалить из чата")[0].click()
    stale = buttons(first.todo_box, "Принять")[0]
    buttons(second.todo_box, "Отклонить")[0].click()  # Q1 rejected in the second browser…
    stale.click()  # …then accepted from the first one's older list: refused, the list refreshed
    assert "уже рассмотрена" in first.todo_message.value and not buttons(first.todo_box, "Принять")
    journal = Store(store).journal()
    assert list(journal["procedure"]) == ["annul_invite", "annul_invite", "remove_chat_member", "reject_request"]
    assert set(journal["actor"]) == {"E03"}


def test_csv_files_of_the_sheets_upload_like_a_workbook(tmp_path):
    from tests.helpers import write_csv_folder

    folder = write_csv_folder(clean_book(), tmp_path / "csv")
    files = [(p.name, p.read_bytes()) for p in sorted(folder.glob("*.csv"))]
    result = work.upload(tmp_path / "org.db", files, AS_OF)
    assert result.ok and result.number == 1 and result.counts["сотрудников"] == len(clean_book()["Сотрудники"]) - 1


def test_a_file_that_is_not_really_a_workbook_is_refused_in_russian(tmp_path):
    result = work.upload(tmp_path / "org.db", [("книга.xlsx", b"not a zip at all")], AS_OF)
    assert not result.ok and result.problems and result.errors_copy is None
    assert all(any("а" <= ch <= "я" for ch in p.expected.lower()) for p in result.problems)
    assert not (tmp_path / "org.db").exists()


def test_a_failure_inside_a_handler_is_a_russian_line_and_the_button_comes_back(tmp_path):
    import ipywidgets as w

    from sferum_lib.ui.workbench import Workbench

    page = Workbench(tmp_path / "нет.db", AS_OF)
    button = w.Button(description="Построить")
    page._safe(lambda: 1 / 0, page.report_result, button)
    assert "Внутренняя ошибка (ZeroDivisionError). Данные не изменены." in page.report_result.value
    assert "Traceback" not in page.report_result.value and not button.disabled


# --- every role's work page ------------------------------------------------------------------------------------


def example_store(tmp_path: Path) -> Path:
    store = tmp_path / "org.db"
    assert work.upload(store, [("пример.xlsx", appointed_example(tmp_path).read_bytes())], AS_OF).ok
    return store


def rt_teacher(snapshot) -> str:
    return str(snapshot.sections.set_index("code").loc["RT", "teacher_id"])


def test_the_people_of_a_role_are_offered_by_name_and_only_they():
    snapshot = import_workbook(EXAMPLE).snapshot
    from sferum_lib.checklist import roles_of

    for role in work.PERSON_ROLES:
        people = work.people_of_role(snapshot, role, AS_OF)
        assert people, role
        assert [label for label, _ in people] == sorted(label for label, _ in people)
        if role in ("head", "pdo", "ped"):
            assert all(role in roles_of(snapshot, i) for _, i in people)
    assert rt_teacher(snapshot) in {i for _, i in work.people_of_role(snapshot, "pdo", AS_OF)}
    with pytest.raises(work.UsageError):
        work.people_of_role(snapshot, "директор", AS_OF)


def test_a_teachers_work_holds_their_sections_missing_pupils_and_parents_with_invite_buttons():
    from sferum_lib.grammar import People

    snapshot = import_workbook(EXAMPLE).snapshot
    teacher = rt_teacher(snapshot)
    mine = work.person_work(snapshot, teacher, "pdo", AS_OF)
    people = People(snapshot)
    [rt] = [s for s in mine.sections if s.code == "RT"]
    assert rt.missing_pupils == (people.person("U02").who(),) and rt.missing_parents == (people.person("R02").who(),)
    invites = [a for a in rt.actions if a.procedure == "issue_invite"]
    assert [a.params["role"] for a in invites] == ["обучающийся", "родитель"]
    chats = snapshot.chats.set_index("id")
    assert [chats.loc[a.params["target"].removeprefix("чат:"), "type"] for a in invites] == [
        "section-students",
        "section-parents",
    ]
    # the chats duty is pending because of the findings, cites its clause and carries the section's buttons
    [chats_task] = [t for t in mine.pending if t.duty.id == "PDO-03"]
    assert {i.key for i in chats_task.items} >= {"student-coverage/RT/U02", "parent-coverage/RT/R02"}
    assert chats_task.duty.citation.startswith("п. ") and all(a in chats_task.actions for a in invites)
    assert "«Создать ссылку-приглашение»" in chats_task.platform
    assert all(t.duty.role == "pdo" for t in mine.tasks)


def test_a_teacher_of_a_section_without_chats_gets_create_buttons():
    snapshot = import_workbook(EXAMPLE).snapshot
    teacher = str(snapshot.sections.set_index("code").loc["AM", "teacher_id"])
    from sferum_lib.checklist import roles_of

    role = "pdo" if "pdo" in roles_of(snapshot, teacher) else "ped"
    [am] = [s for s in work.person_work(snapshot, teacher, role, AS_OF).sections if s.code == "AM"]
    created = {a.params["chat_type"] for a in am.actions if a.procedure == "create_chat"}
    assert created == {"section-parents", "section-teachers"} and am.missing_chats


def test_the_heads_work_shows_management_chats_usage_and_the_heads_findings():
    snapshot = import_workbook(EXAMPLE).snapshot
    head = snapshot.organisation.head_id
    mine = work.person_work(snapshot, head, "head", AS_OF)
    assert {i.key for t in mine.tasks for i in t.items} >= {"activist-chats/head-parent-activists/R03"}
    assert mine.chats and all(c.kind.startswith("руководитель — ") for c in mine.chats)
    assert {i.key for i in mine.indicators} >= {"staff_joined", "students_in_section_chats"}
    [add] = [a for t in mine.tasks for a in t.actions if a.procedure == "add_chat_member"]
    assert add.params["person_id"] == "R03"


def test_a_person_of_another_role_is_told_so_in_russian():
    snapshot = import_workbook(EXAMPLE).snapshot
    with pytest.raises(work.UsageError, match="не «педагог дополнительного образования»"):
        work.person_work(snapshot, "U02", "pdo", AS_OF)


def test_the_teachers_page_issues_the_link_as_the_teacher_and_a_refusal_is_said_in_russian(tmp_path):
    from sferum_lib.ui.rolework import RoleWork

    store = example_store(tmp_path)
    teacher = rt_teacher(Store(store).state())
    page = RoleWork("pdo", store, teacher, AS_OF)
    assert "Нет в чате обучающихся объединения" in html_of(page.body)
    [link] = [b for b in all_buttons(page.body) if b.description.startswith("Создать ссылку для обучающихся")]
    link.click()
    assert "Выполнено: Создана ссылка-приглашение" in page.message.value
    journal = Store(store).journal()
    assert list(journal["actor"]) == [teacher] and list(journal["procedure"]) == ["issue_invite"]
    # one link serves the whole group: the page now offers the link made, not a second one
    made = journal.iloc[0]["object"]
    assert "Ссылки уже созданы" in html_of(page.body) and made in html_of(page.body)
    assert not [b for b in all_buttons(page.body) if b.description.startswith("Создать ссылку для обучающихся")]

    head = Store(store).state().organisation.head_id
    page, stale = RoleWork("head", store, head, AS_OF), RoleWork("head", store, head, AS_OF)  # two browsers
    assert "Показатели использования платформы" in html_of(page.body) and "Управленческие чаты" in html_of(page.body)

    def add_button(on):
        for _ in range(len(on.work.pending)):
            found = [b for b in all_buttons(on.body) if b.description.startswith("Добавить в чат")]
            if found:
                return found[0]
            buttons(on.body, "Далее →")[0].click()  # one duty at a time, as in training
        raise AssertionError("no «Добавить в чат» among the head's duties")

    first, second = add_button(page), add_button(stale)
    first.click()
    assert "Выполнено: Бондарь Инна Сергеевна (R03) добавлена в чат" in page.message.value
    assert list(Store(store).journal()["actor"]) == [teacher, head]
    second.click()  # the other browser's page still shows the duty: the regulation's reason, in Russian
    assert "Отказ по положению" in stale.message.value and "уже в чате (п. 2.2, HEAD-06)" in stale.message.value
    assert len(Store(store).journal()) == 2
    assert not [b for b in all_buttons(stale.body) if b.description.startswith("Добавить в чат")]


def test_a_chosen_name_belongs_to_its_browser_and_comes_back_after_a_reload(tmp_path):
    from sferum_lib.ui.rolework import RoleWork

    store = example_store(tmp_path)
    teacher = rt_teacher(Store(store).state())
    session = tmp_path / "браузеры"
    first = RoleWork("pdo", store, "", AS_OF, session, "браузер-1")
    [chooser] = [c for c in first.body.children[0].children if hasattr(c, "options")]
    chooser.value = teacher
    buttons(first.body, "Открыть мои дела")[0].click()
    assert first.person == teacher
    second = RoleWork("pdo", store, "", AS_OF, session, "браузер-2")
    second.open(teacher)
    assert second.person is None and "уже открыты в другом браузере" in second.message.value
    again = RoleWork("pdo", store, "", AS_OF, session, "браузер-1")  # the first browser reloads its page
    assert again.person == teacher and "Ваши объединения" in html_of(again.body)


def test_two_browsers_performing_at_the_same_moment_lose_no_action(tmp_path):
    import multiprocessing

    store = example_store(tmp_path)
    state = Store(store).state()
    teacher, admin = rt_teacher(state), work.acting_admin(state)
    chat = state.chats[(state.chats["section_code"] == "RT") & (state.chats["type"] == "section-students")]
    actions = {
        teacher: work.Action("", "issue_invite", {"target": f"чат:{chat['id'].iloc[0]}", "role": "обучающийся"}),
        admin: work.Action("", "issue_invite", {"target": "Учительская", "role": "педагог"}),
    }
    context = multiprocessing.get_context("fork")
    start = context.Barrier(2)
    runs = [context.Process(target=_perform_many, args=(store, actions[a], a, start)) for a in actions]
    for run in runs:
        run.start()
    for run in runs:
        run.join(120)
    assert [run.exitcode for run in runs] == [0, 0]
    with Store(store) as st:
        journal, invites = st.journal(), st.state().invites
    assert len(journal) == 2 * _TIMES and list(journal["seq"]) == list(range(1, 2 * _TIMES + 1))
    assert journal["actor"].value_counts().to_dict() == {teacher: _TIMES, admin: _TIMES}
    assert len(invites) == len(state.invites) + 2 * _TIMES and invites["id"].is_unique


_TIMES = 12


def _perform_many(store: Path, action: work.Action, actor: str, start) -> None:
    start.wait(30)  # both browsers press at the same moment
    for _ in range(_TIMES):
        with Store(store) as st:  # each click opens the store anew, as a page does
            work.perform(st, action, actor, AS_OF)


def all_buttons(widget) -> list:
    import ipywidgets as w

    found = [widget] if isinstance(widget, w.Button) else []
    for child in getattr(widget, "children", ()):
        found += all_buttons(child)
    return found


def html_of(widget) -> str:
    import ipywidgets as w

    text = widget.value if isinstance(widget, w.HTML) else ""
    return text + "".join(html_of(c) for c in getattr(widget, "children", ()))


def test_the_role_notebooks_work_mode_runs_over_the_store(tmp_path):
    import papermill

    store = example_store(tmp_path)
    teacher = rt_teacher(Store(store).state())
    notebook = Path(__file__).resolve().parents[2] / "notebooks" / "roles" / "pdo.ipynb"
    out = papermill.execute_notebook(
        str(notebook),
        str(tmp_path / "out.ipynb"),
        parameters={"mode": "работа", "store": str(store), "person": teacher, "as_of": AS_OF.isoformat()},
        progress_bar=False,
        kernel_name="python3",
    )
    outputs = [o for c in out.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    assert not any(o.get("output_type") == "error" for o in outputs)
