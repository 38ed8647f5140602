"""Each audit check: a case that finds, a case that does not, and the day boundaries."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import pytest

from sferum_lib.checks import CHECKS, audit
from sferum_lib.workbook import import_workbook
from tests.helpers import AS_OF, D, clean_book, set_cell, set_param, snapshot_of

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures"


def found(book, as_of: dt.date = AS_OF, check: str | None = None) -> list[tuple[str, str]]:
    result = audit(snapshot_of(book), as_of)
    pairs = list(zip(result.findings["check"], result.findings["subject"], strict=True))
    return [p for p in pairs if check is None or p[0] == check]


def test_clean_organisation_has_no_findings():
    assert found(clean_book()) == []


def test_example_workbook_gives_exactly_the_expected_findings():
    expected = json.loads((EXAMPLE / "example.expected.json").read_text(encoding="utf-8"))
    snapshot = import_workbook(EXAMPLE / "example.xlsx").snapshot
    result = audit(snapshot, dt.date.fromisoformat(expected["as_of"]))
    assert [[c, s] for c, s in zip(result.findings["check"], result.findings["subject"], strict=True)] == expected[
        "findings"
    ]


def test_every_finding_names_clause_severity_and_a_russian_message():
    book = clean_book()
    set_param(book, "Приказ о назначении администратора: дата", "")
    record = audit(snapshot_of(book), AS_OF).to_records()[0]
    assert record["check"] == "admin-appointed"
    assert record["clause"] == "2.1, 2.2"
    assert record["severity"] == "нарушение"
    assert record["duty"] == "ADM-01"
    assert "приказ" in record["message"]


@pytest.mark.parametrize(
    "param",
    [
        "Администратор платформы",
        "Приказ о назначении администратора: номер",
        "Приказ о назначении администратора: дата",
    ],
)
def test_admin_appointed_reports_each_missing_part_once(param):
    book = clean_book()
    set_param(book, param, "")
    assert found(book) == [("admin-appointed", "организация")]


def test_admin_without_email_is_reported_under_their_id():
    book = clean_book()
    set_cell(book, "Сотрудники", "E02", "Email", "")
    assert found(book) == [("admin-contacts", "E02")]


def test_admin_with_a_landline_lacks_a_mobile_phone():
    book = clean_book()
    set_cell(book, "Сотрудники", "E02", "Телефон", "+7 495 123-45-67")
    assert found(book) == [("admin-contacts", "E02")]


def test_local_act_is_a_remark_when_the_usage_order_is_missing():
    book = clean_book()
    set_param(book, "Приказ об использовании платформы: номер", "")
    result = audit(snapshot_of(book), AS_OF)
    assert list(result.findings["check"]) == ["local-act"]
    assert list(result.findings["severity"]) == ["замечание"]


def test_teacher_not_joined_is_outside_the_teachers_room():
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Присоединился", "")
    set_cell(book, "Сотрудники", "E03", "Статус подтверждён", "нет")
    assert found(book, check="teachers-room") == [("teachers-room", "E03")]
    assert found(book, check="teacher-status") == []  # not joined: status is not asked yet


def test_teacher_joined_on_a_later_day_has_not_joined_yet():
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Присоединился", D(2026, 10, 16))
    assert ("teachers-room", "E03") in found(book)
    set_cell(book, "Сотрудники", "E03", "Присоединился", AS_OF)
    assert found(book) == []


def test_joined_teacher_not_in_the_teachers_room_is_reported():
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "В Учительской", "нет")
    assert found(book) == [("teachers-room", "E03")]


def test_watchman_is_not_pedagogical_staff():
    book = clean_book()
    set_cell(book, "Сотрудники", "E04", "Присоединился", "")
    assert found(book) == []


def test_dismissed_teacher_is_not_asked_to_join():
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Присоединился", "")
    set_cell(book, "Сотрудники", "E03", "Дата увольнения", D(2026, 10, 1))
    assert found(book, check="teachers-room") == []


def test_teacher_hired_tomorrow_is_not_yet_current():
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Присоединился", "")
    set_cell(book, "Сотрудники", "E03", "Дата приёма", D(2026, 10, 16))
    assert found(book, check="teachers-room") == []
    set_cell(book, "Сотрудники", "E03", "Дата приёма", AS_OF)
    assert found(book, check="teachers-room") == [("teachers-room", "E03")]


def test_unconfirmed_status_of_a_joined_teacher_is_a_remark_not_a_violation():
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Статус подтверждён", "нет")
    result = audit(snapshot_of(book), AS_OF)
    assert list(zip(result.findings["check"], result.findings["subject"], strict=True)) == [("teacher-status", "E03")]
    assert list(result.findings["severity"]) == ["замечание"]  # the regulation asks for it «при необходимости»
    assert "при необходимости" in result.findings["message"][0]


def test_section_without_a_class_is_a_structure_remark():
    book = clean_book()
    set_cell(book, "Объединения", "RT", "Класс создан", "нет")
    assert found(book) == [("structure", "RT")]


def test_missing_section_chats_are_reported_per_type_with_their_severity():
    book = clean_book()
    book["Чаты"] = [r for r in book["Чаты"] if r[0] not in ("K2", "K3")]
    book["Участники чатов"] = [r for r in book["Участники чатов"] if r[0] not in ("K2", "K3")]
    result = audit(snapshot_of(book), AS_OF)
    rows = result.findings[result.findings["check"] == "section-chats"]
    assert list(zip(rows["subject"], rows["severity"], strict=True)) == [
        ("RT/section-parents", "нарушение"),
        ("RT/section-teachers", "замечание"),
    ]


def test_lesson_chat_does_not_count_as_a_section_chat():
    book = clean_book()
    book["Чаты"] = [r if r[0] != "K1" else [*r[:2], "учебное занятие", *r[3:]] for r in book["Чаты"]]
    assert ("section-chats", "RT/section-students") in found(book)


def test_pupil_outside_the_pupils_chat_is_reported():
    book = clean_book()
    book["Участники чатов"].remove(["K1", "U02"])
    assert found(book) == [("student-coverage", "RT/U02")]


def test_pupil_is_not_reported_when_the_section_has_no_pupils_chat():
    book = clean_book()
    book["Чаты"] = [r for r in book["Чаты"] if r[0] != "K1"]
    book["Участники чатов"] = [r for r in book["Участники чатов"] if r[0] != "K1"]
    assert found(book, check="student-coverage") == []


def test_expelled_pupil_is_not_expected_in_the_chat():
    book = clean_book()
    book["Участники чатов"].remove(["K1", "U02"])
    book["Участники чатов"].remove(["K2", "R02"])
    set_cell(book, "Обучающиеся", "U02", "Дата отчисления", D(2026, 10, 1))
    assert found(book) == []


def test_parent_outside_the_parents_chat_is_reported():
    book = clean_book()
    book["Участники чатов"].remove(["K2", "R02"])
    assert found(book) == [("parent-coverage", "RT/R02")]


def test_missing_management_chat_is_reported_by_type_key():
    book = clean_book()
    book["Чаты"] = [r for r in book["Чаты"] if r[0] != "H4"]
    assert found(book) == [("management-chats", "head-student-activists")]


def test_missing_system_channel_is_reported_by_name():
    book = clean_book()
    book["Каналы"] = [r for r in book["Каналы"] if r[0] != "Сотрудники"]
    assert found(book) == [("system-channels", "Сотрудники")]


def test_stale_link_is_reported_after_seven_days():
    book = clean_book()
    book["Ссылки-приглашения"].append(["I2", D(2026, 10, 7), "E02", "Учительская", "педагог", "", "", ""])
    assert found(book) == [("stale-invites", "I2")]


def test_link_created_exactly_seven_days_ago_is_not_yet_stale():
    book = clean_book()
    book["Ссылки-приглашения"].append(["I2", D(2026, 10, 8), "E02", "Учительская", "педагог", "", "", ""])
    assert found(book) == []


def test_link_whose_validity_ended_yesterday_is_stale_but_not_one_valid_today():
    book = clean_book()
    book["Ссылки-приглашения"].append(
        ["I2", D(2026, 10, 14), "E02", "объединение:RT", "обучающийся", "", "", D(2026, 10, 14)]
    )
    book["Ссылки-приглашения"].append(["I3", D(2026, 10, 14), "E02", "чат:K1", "обучающийся", "", "", AS_OF])
    assert found(book) == [("stale-invites", "I2")]


def test_used_or_annulled_old_links_are_not_stale():
    book = clean_book()
    book["Ссылки-приглашения"].append(["I2", D(2026, 9, 1), "E02", "Учительская", "педагог", "", D(2026, 9, 3), ""])
    assert found(book) == []


def test_request_waiting_four_days_is_pending_but_not_three():
    book = clean_book()
    book["Заявки"].append(["Q2", "U02", "обучающийся", D(2026, 10, 11), "", ""])
    book["Заявки"].append(["Q3", "R02", "родитель", D(2026, 10, 12), "", ""])
    assert found(book) == [("pending-requests", "Q2")]


def test_settings_change_the_limits():
    from sferum_lib.checks import AuditSettings

    book = clean_book()
    book["Заявки"].append(["Q2", "U02", "обучающийся", D(2026, 10, 12), "", ""])
    result = audit(snapshot_of(book), AS_OF, AuditSettings(request_max_age_days=2))
    assert list(result.findings["subject"]) == ["Q2"]


def test_pupil_expelled_on_the_day_and_still_in_a_chat_is_departed_not_foreign():
    book = clean_book()
    set_cell(book, "Обучающиеся", "U02", "Дата отчисления", AS_OF)
    book["Участники чатов"].remove(["K2", "R02"])  # the parent left with the child
    assert found(book) == [("departed-members", "U02")]


def test_pupil_expelled_tomorrow_is_still_current():
    book = clean_book()
    set_cell(book, "Обучающиеся", "U02", "Дата отчисления", D(2026, 10, 16))
    assert found(book) == []


def test_dismissed_staff_member_in_a_management_chat_is_departed():
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Дата увольнения", D(2026, 10, 10))
    assert found(book, check="departed-members") == [("departed-members", "E03")]
    assert found(book, check="foreign-members") == []


def test_parent_in_the_pupils_chat_is_foreign():
    book = clean_book()
    book["Участники чатов"].append(["K1", "R01"])
    assert found(book) == [("foreign-members", "K1/R01")]


def test_watchman_in_a_section_chat_is_foreign_everywhere():
    book = clean_book()
    book["Участники чатов"] += [["K1", "E04"], ["K2", "E04"], ["K3", "E04"]]
    assert found(book) == [("foreign-members", "K1/E04"), ("foreign-members", "K2/E04"), ("foreign-members", "K3/E04")]


def test_pupil_of_another_section_is_foreign_in_the_pupils_chat():
    book = clean_book()
    book["Объединения"].append(["AM", "Авиамоделирование", "E03", "да"])
    book["Обучающиеся"].append(["U03", "Бондарь", "Глеб", "AM", D(2026, 9, 1), "", ""])
    book["Участники чатов"].append(["K1", "U03"])
    assert ("foreign-members", "K1/U03") in found(book)


def test_parent_of_an_expelled_pupil_is_foreign_in_the_parents_chat():
    book = clean_book()
    set_cell(book, "Обучающиеся", "U02", "Дата отчисления", D(2026, 10, 1))
    book["Участники чатов"].remove(["K1", "U02"])
    assert found(book) == [("foreign-members", "K2/R02")]


def test_pupil_in_the_teachers_chat_is_foreign():
    book = clean_book()
    book["Участники чатов"].append(["K3", "U01"])
    assert found(book) == [("foreign-members", "K3/U01")]


def test_anyone_may_be_in_a_lesson_or_other_chat():
    book = clean_book()
    book["Чаты"].append(["L1", "Занятие", "учебное занятие", "RT", "E03", D(2026, 10, 1), D(2026, 10, 14)])
    book["Участники чатов"] += [["L1", "R01"], ["L1", "E04"], ["H1", "U01"]]
    assert found(book) == []


def test_checks_whose_sheet_is_absent_are_not_performed_rather_than_passed():
    book = clean_book()
    del book["Каналы"]
    del book["Заявки"]
    result = audit(snapshot_of(book), AS_OF)
    assert result.findings.empty
    assert set(result.not_performed) == {"system-channels", "pending-requests"}
    assert "Каналы" in result.not_performed["system-channels"]


def test_only_required_sheets_runs_the_organisation_and_staff_checks():
    book = {k: v for k, v in clean_book().items() if k in ("Организация", "Сотрудники")}
    result = audit(snapshot_of(book), AS_OF)
    performed = {c.key for c in CHECKS} - set(result.not_performed)
    assert performed == {
        "admin-appointed",
        "admin-contacts",
        "local-act",
        "teachers-room",
        "teacher-status",
        "admin-eligible",
        "extra-admins",
    }


def test_findings_are_sorted_by_check_then_subject():
    book = clean_book()
    book["Участники чатов"] += [["K1", "R02"], ["K1", "R01"]]
    set_cell(book, "Объединения", "RT", "Класс создан", "нет")
    pairs = found(book)
    assert pairs == sorted(pairs)


def test_audit_is_deterministic_for_a_given_day():
    book = clean_book()
    book["Участники чатов"].append(["K1", "R01"])
    first = audit(snapshot_of(book), AS_OF).findings
    second = audit(snapshot_of(book), AS_OF).findings
    assert first.equals(second)


def test_messages_name_the_person_as_well_as_the_id():
    book = clean_book()
    book["Участники чатов"].append(["K1", "R01"])
    record = audit(snapshot_of(book), AS_OF).to_records()[0]
    assert "Савченко Ольга Петровна (R01)" in record["message"]


def test_coverage_messages_name_pupils_and_parents():
    book = clean_book()
    book["Участники чатов"].remove(["K1", "U02"])
    book["Участники чатов"].remove(["K2", "R02"])
    messages = [r["message"] for r in audit(snapshot_of(book), AS_OF).to_records()]
    assert any("Ткачук Денис Юрьевич (R02)" in m for m in messages)
    assert any("Ткачук Алина (U02)" in m for m in messages)


# --- contract version 2: admin-eligible, extra-admins, activist-chats ----------------------------------------


def add_column(book, sheet: str, header: str, default="") -> None:
    """Give a sheet of a book in memory one more column, filled with ``default``."""
    book[sheet][0].append(header)
    for row in book[sheet][1:]:
        row.append(default)


def with_snapshot_admin(book, admin_id: str):
    snapshot = snapshot_of(book)
    return replace(snapshot, organisation=replace(snapshot.organisation, admin_id=admin_id))


@pytest.mark.parametrize("position", ["сторож", "секретарь", "водитель"])
def test_administrator_who_is_not_pedagogical_staff_is_not_eligible(position):
    book = clean_book()
    set_cell(book, "Сотрудники", "E02", "Должность", position)
    assert found(book, check="admin-eligible") == [("admin-eligible", "E02")]
    record = next(r for r in audit(snapshot_of(book), AS_OF).to_records() if r["check"] == "admin-eligible")
    assert record["severity"] == "нарушение" and record["clause"] == "2.2"
    assert f"«{position}»" in record["message"] and "Сергеев Антон Павлович (E02)" in record["message"]


@pytest.mark.parametrize("position", ["руководитель", "заместитель руководителя", "педагог-организатор", "Методист"])
def test_administrator_from_pedagogical_staff_is_eligible(position):
    book = clean_book()
    set_cell(book, "Сотрудники", "E02", "Должность", position)
    assert found(book, check="admin-eligible") == []


def test_dismissed_administrator_is_not_eligible_but_one_leaving_tomorrow_still_is():
    book = clean_book()
    set_cell(book, "Сотрудники", "E02", "Дата увольнения", AS_OF)
    assert found(book, check="admin-eligible") == [("admin-eligible", "E02")]
    assert (
        "15.10.2026" in audit(snapshot_of(book), AS_OF).findings.query("check == 'admin-eligible'")["message"].iloc[0]
    )
    set_cell(book, "Сотрудники", "E02", "Дата увольнения", D(2026, 10, 16))
    assert found(book, check="admin-eligible") == []


def test_administrator_hired_after_the_day_is_not_yet_eligible():
    book = clean_book()
    set_cell(book, "Сотрудники", "E02", "Дата приёма", D(2026, 10, 16))
    assert found(book, check="admin-eligible") == [("admin-eligible", "E02")]
    set_cell(book, "Сотрудники", "E02", "Дата приёма", AS_OF)
    assert found(book, check="admin-eligible") == []


def test_administrator_who_has_not_joined_is_still_eligible():
    book = clean_book()  # 2.2 asks for pedagogical staff; joining is the teachers-room check's business
    set_cell(book, "Сотрудники", "E02", "Присоединился", "")
    assert found(book, check="admin-eligible") == []
    assert ("teachers-room", "E02") in found(book)


def test_no_administrator_is_admin_appointed_only():
    book = clean_book()
    set_param(book, "Администратор платформы", "")
    assert found(book) == [("admin-appointed", "организация")]


def test_administrator_not_on_the_staff_sheet_is_not_eligible():
    result = audit(with_snapshot_admin(clean_book(), "U01"), AS_OF)
    rows = result.findings[result.findings["check"] == "admin-eligible"]
    assert list(rows["subject"]) == ["U01"]
    assert "«Сотрудники»" in rows["message"].iloc[0]
    assert "admin-contacts" not in set(result.findings["check"])  # no staff row: no contacts to judge


def test_extra_administrator_from_joined_pedagogical_staff_is_fine():
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Роль в платформе", "дополнительный администратор")
    assert found(book) == []


def test_extra_administrator_who_has_not_joined_is_reported_on_the_day_boundary():
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Роль в платформе", "Дополнительный администратор")
    set_cell(book, "Сотрудники", "E03", "Присоединился", D(2026, 10, 16))
    assert found(book, check="extra-admins") == [("extra-admins", "E03")]
    set_cell(book, "Сотрудники", "E03", "Присоединился", AS_OF)
    assert found(book, check="extra-admins") == []


def test_extra_administrator_who_is_not_pedagogical_staff_is_reported():
    book = clean_book()
    set_cell(book, "Сотрудники", "E04", "Роль в платформе", "дополнительный администратор")
    assert found(book) == [("extra-admins", "E04")]
    message = audit(snapshot_of(book), AS_OF).findings["message"].iloc[0]
    assert "«сторож»" in message and "нет отметки о присоединении" in message


def test_extra_administrator_who_is_not_current_is_reported():
    book = clean_book()
    set_cell(book, "Сотрудники", "E03", "Роль в платформе", "дополнительный администратор")
    set_cell(book, "Сотрудники", "E03", "Дата увольнения", D(2026, 10, 1))
    assert found(book, check="extra-admins") == [("extra-admins", "E03")]
    set_cell(book, "Сотрудники", "E03", "Дата увольнения", "")
    set_cell(book, "Сотрудники", "E03", "Дата приёма", D(2026, 11, 1))
    assert found(book, check="extra-admins") == [("extra-admins", "E03")]


def test_the_administrator_is_not_an_extra_administrator():
    book = clean_book()
    set_cell(book, "Сотрудники", "E04", "Роль в платформе", "администратор")  # a mistake, but not 2.1's extra admin
    assert found(book, check="extra-admins") == []


def activist_book():
    book = clean_book()
    add_column(book, "Обучающиеся", "Актив", "нет")
    add_column(book, "Родители", "Актив", "нет")
    return book


def test_activist_parent_of_a_current_pupil_outside_the_heads_chat_is_a_remark():
    book = activist_book()
    set_cell(book, "Родители", "R01", "Актив", "да")
    result = audit(snapshot_of(book), AS_OF)
    assert list(zip(result.findings["check"], result.findings["subject"], strict=True)) == [
        ("activist-chats", "head-parent-activists/R01")
    ]
    assert list(result.findings["severity"]) == ["замечание"]
    assert list(result.findings["clause"]) == ["2.2"]


def test_activist_parent_in_the_heads_chat_is_fine_and_any_chat_of_the_type_counts():
    book = activist_book()
    set_cell(book, "Родители", "R01", "Актив", "да")
    book["Чаты"].append(["H5", "Совет родителей 2", "руководитель — родительский актив", "", "E01", AS_OF, ""])
    book["Участники чатов"] += [["H5", "E01"], ["H5", "R01"]]
    assert found(book) == []


def test_activist_parent_in_a_chat_of_another_type_is_still_reported():
    book = activist_book()
    set_cell(book, "Родители", "R01", "Актив", "да")
    book["Участники чатов"].append(["H4", "R01"])  # the pupils' activists chat is not the parents'
    assert found(book, check="activist-chats") == [("activist-chats", "head-parent-activists/R01")]


def test_activist_parent_of_a_departed_or_future_pupil_is_not_asked_for():
    book = activist_book()
    set_cell(book, "Родители", "R01", "Актив", "да")
    set_cell(book, "Обучающиеся", "U01", "Дата отчисления", AS_OF)
    assert found(book, check="activist-chats") == []
    set_cell(book, "Обучающиеся", "U01", "Дата отчисления", "")
    set_cell(book, "Обучающиеся", "U01", "Дата зачисления", D(2026, 10, 16))
    assert found(book, check="activist-chats") == []
    set_cell(book, "Обучающиеся", "U01", "Дата зачисления", AS_OF)
    assert found(book, check="activist-chats") == [("activist-chats", "head-parent-activists/R01")]


def test_activist_parent_with_one_current_child_of_two_is_asked_for():
    book = activist_book()
    set_cell(book, "Родители", "R01", "Актив", "да")
    set_cell(book, "Родители", "R01", "Дети", "U01; U02")
    set_cell(book, "Обучающиеся", "U01", "Дата отчисления", D(2026, 10, 1))
    assert found(book, check="activist-chats") == [("activist-chats", "head-parent-activists/R01")]


def test_activist_pupil_outside_the_heads_chat_is_reported_only_while_current():
    book = activist_book()
    set_cell(book, "Обучающиеся", "U02", "Актив", "да")
    assert found(book) == [("activist-chats", "head-student-activists/U02")]
    book["Участники чатов"].append(["H4", "U02"])
    assert found(book) == []
    book["Участники чатов"].remove(["H4", "U02"])
    set_cell(book, "Обучающиеся", "U02", "Дата отчисления", AS_OF)
    assert found(book, check="activist-chats") == []


def test_without_a_heads_chat_of_that_type_activists_are_not_reported():
    book = activist_book()
    set_cell(book, "Родители", "R01", "Актив", "да")
    set_cell(book, "Обучающиеся", "U02", "Актив", "да")
    book["Чаты"] = [r for r in book["Чаты"] if r[0] not in ("H3", "H4")]
    book["Участники чатов"] = [r for r in book["Участники чатов"] if r[0] not in ("H3", "H4")]
    assert found(book) == [
        ("management-chats", "head-parent-activists"),
        ("management-chats", "head-student-activists"),
    ]


def test_activists_of_both_kinds_are_reported_under_their_chat_type():
    book = activist_book()
    set_cell(book, "Родители", "R02", "Актив", "да")
    set_cell(book, "Обучающиеся", "U01", "Актив", "да")
    assert found(book) == [
        ("activist-chats", "head-parent-activists/R02"),
        ("activist-chats", "head-student-activists/U01"),
    ]


def test_activist_chats_without_the_parents_sheet_still_checks_pupils():
    book = activist_book()
    set_cell(book, "Обучающиеся", "U01", "Актив", "да")
    del book["Родители"]
    book["Участники чатов"] = [r for r in book["Участники чатов"] if not r[1].startswith("R")]
    result = audit(snapshot_of(book), AS_OF)
    assert "activist-chats" not in result.not_performed
    assert ("activist-chats", "head-student-activists/U01") in list(
        zip(result.findings["check"], result.findings["subject"], strict=True)
    )


# --- the organisation's own limits are cited as such --------------------------------------------------------


def test_stale_link_message_cites_the_organisations_limit_in_force():
    from sferum_lib.checks import AuditSettings

    book = clean_book()
    book["Ссылки-приглашения"].append(["I2", D(2026, 10, 1), "E02", "объединение:RT", "обучающийся", "", "", ""])
    for limit, words in ((7, "7 дней"), (10, "10 дней"), (3, "3 дня"), (1, "1 день")):
        message = audit(snapshot_of(book), AS_OF, AuditSettings(invite_max_age_days=limit)).findings["message"][0]
        assert f"по правилам организации: {words}" in message
        assert "14 дней" in message and "«Робототехника»" in message
        assert "п. 2.1" not in message


def test_request_message_cites_the_organisations_limit_in_force():
    from sferum_lib.checks import AuditSettings

    book = clean_book()
    book["Заявки"].append(["Q2", "R02", "родитель", D(2026, 10, 5), "", ""])
    message = audit(snapshot_of(book), AS_OF, AuditSettings(request_max_age_days=5)).findings["message"][0]
    assert "по правилам организации: 5 дней" in message and "10 дней" in message
    assert "Ткачука Дениса Юрьевича (R02)" in message


def test_messages_name_chats_by_their_names_not_their_codes():
    book = clean_book()
    book["Ссылки-приглашения"].append(["I3", D(2026, 10, 1), "E02", "чат:K1", "обучающийся", "", "", ""])
    book["Участники чатов"].append(["K2", "U01"])  # a pupil in the parents' chat: a foreign member
    findings = audit(snapshot_of(book), AS_OF).findings.set_index("check")
    stale = findings.loc["stale-invites", "message"]
    assert "в чат «Робототехника — ребята»" in stale and "K1" not in stale and "чат:" not in stale
    foreign = findings.loc["foreign-members", "message"]
    assert foreign.startswith("В чате «Робототехника — родители» состоит") and "K2" not in foreign
    assert findings.loc["foreign-members", "subject"] == "K2/U01"  # the subject keeps the codes
