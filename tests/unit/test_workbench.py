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
    assert second.journal_archive is not None and second.journal_archive.stat().st_mode & 0o077 == 0
    assert load_workbook(second.journal_archive).active.max_row == 2  # the header and the one action


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
    assert "Отказ по положению" in message and "назначает администратора" in message and "(п. 2.1)" in message
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


def test_sferum_app_serves_the_workbench_only_for_the_administrator(tmp_path, capsys):
    from sferum_lib import app, cli

    assert cli.main(["app", "head", "--store", str(tmp_path / "org.db")]) == 2
    assert "только для роли admin" in capsys.readouterr().err
    assert cli.main(["app", "admin", "--store", str(tmp_path / "нет" / "org.db")]) == 2
    assert "Папки" in capsys.readouterr().err
    notebook = app.work_notebook_for("admin")
    assert notebook.exists()
    command = app.voila_command("admin", 8866, "127.0.0.1", None, tmp_path, notebook)
    assert str(notebook) in command and str(app.notebook_for("admin")) not in command


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
