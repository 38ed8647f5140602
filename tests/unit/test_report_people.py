"""Who the reports name and how: only those who belong are invited to MAX, a departed person has no duties,
a pupil's role agrees with her «Пол», the terminal names who came and left, an audit line says its object once."""

from __future__ import annotations

import datetime as dt

import pytest

from sferum_lib.checks import AuditSettings, audit
from sferum_lib.render import finding_text, movement_table
from sferum_lib.reports.base import Context
from sferum_lib.reports.content import build_max_migration, build_movement, build_person
from sferum_lib.store import Store
from tests.helpers import AS_OF, D, clean_book, set_cell, snapshot_of


def _with_gender(book) -> None:
    """«Пол» for the pupils: U01 a boy, U02 a girl."""
    rows = book["Обучающиеся"]
    rows[0].append("Пол")
    for row in rows[1:]:
        row.append({"U01": "м", "U02": "ж"}[row[0]])


def _after():
    """The compliant organisation, then: Ткачук Алина (U02) expelled but still in K1, the watchman in the pupils'
    chat K1, and a new pupil Саша Бондарь — a girl, as only her «Пол» says."""
    book = clean_book()
    _with_gender(book)
    set_cell(book, "Обучающиеся", "U02", "Дата отчисления", D(2026, 10, 1))
    book["Участники чатов"].append(["K1", "E04"])
    book["Обучающиеся"].append(["U03", "Бондарь", "Саша", "RT", D(2026, 10, 1), "", D(2026, 10, 2), "ж"])
    book["Участники чатов"].append(["K1", "U03"])
    return book


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    before = clean_book()
    _with_gender(before)
    path = tmp_path_factory.mktemp("people") / "s.db"
    with Store(path) as st:
        st.add_snapshot(snapshot_of(before), "before.xlsx")
        st.add_snapshot(snapshot_of(_after()), "after.xlsx")
    return str(path)


def _ctx(store: str, **params) -> Context:
    return Context({"store": store, "snapshot": 0, "as_of": AS_OF, "person_id": "", "from_snapshot": 0,
                    "to_snapshot": 0, **params})


def test_max_migration_invites_none_of_those_the_audit_says_to_remove(store):
    findings = audit(snapshot_of(_after()), AS_OF, AuditSettings()).findings
    removed = set(findings.loc[findings["check"] == "departed-members", "subject"])
    foreign = {s.split("/")[1] for s in findings.loc[findings["check"] == "foreign-members", "subject"]}
    # the audit: the expelled pupil out of every chat; the watchman and the expelled pupil's parent (R02) out of
    # the section's chats
    assert removed == {"U02"} and foreign == {"E04", "R02"}
    data = build_max_migration(_ctx(store))
    invited = {row["ID"] for row in data.json["people"]}
    assert invited.isdisjoint(removed | foreign)
    # everyone else in the VK chats is still to be invited, the new pupil too
    assert invited == {"E01", "E02", "E03", "U01", "U03", "R01"}
    assert data.json["people_total"] == len(data.json["people"]) == 7  # E03: in RT's chats and the head's
    sections = {row["Код"]: row["Людей пригласить"] for row in data.json["sections"]}
    assert sections == {"RT": 5, "организация": 2}  # E03, E02, U01, U03, R01; E01 (H1, H2) and E03 (H2)
    # each chat to recreate: how many are in it now, and how many of them its new chat takes in
    chats = {row["Чат"]: (row["Участников"], row["Перевести в новый чат"]) for row in data.json["chats"]}
    assert chats["K1"] == (5, 3)  # E03, U01, U03 go over; U02 (expelled) and E04 (the watchman) do not
    assert chats["K2"] == (3, 2)  # E03 and R01 go over; R02, the expelled pupil's parent, does not


def test_the_checklist_of_a_pupil_who_has_left_says_so_and_gives_her_nothing_to_do(store):
    data = build_person(_ctx(store, person_id="U02"))
    card, duties = (t.frame for t in data.tables)
    assert card.loc[0, "Роль"] == "обучающаяся" and card.loc[0, "Выбытие"] == "отчислена 01.10.2026"
    assert data.summary[0] == "Ткачук Алина — обучающаяся. Отчислена 01.10.2026: обязанностей по положению больше нет."
    assert data.summary[1] == (
        "Всё ещё состоит в чатах: «Робототехника — ребята» (K1) — администратор и владельцы чатов удаляют её из "
        "чатов (ADM-12)."
    )
    assert len(duties) >= 2 and set(duties["Состояние"]) == {"не требуется"}
    assert set(duties["Подробности"]) == {"отчислена 01.10.2026"}


def test_the_checklist_names_a_pupil_by_her_gender_and_a_worker_without_duties_by_position(store):
    girl = build_person(_ctx(store, person_id="U03"))
    assert girl.tables[0].frame.loc[0, "Роль"] == "обучающаяся" and "Выбытие" not in girl.tables[0].frame
    assert girl.summary[0].startswith("Бондарь Саша — обучающаяся. Выполнено:")
    boy = build_person(_ctx(store, person_id="U01"))
    assert boy.tables[0].frame.loc[0, "Роль"] == "обучающийся"
    watchman = build_person(_ctx(store, person_id="E04"))
    assert watchman.summary[0] == "Голубев Степан Ильич — сторож. Обязанностей по положению у этой должности нет."


def test_movement_says_who_came_in_their_gender_and_the_terminal_names_them(store):
    data = build_movement(_ctx(store, from_snapshot=1, to_snapshot=2))
    arrived = data.tables[0].frame.set_index("ID")
    assert arrived.loc["U03", "Кто"] == "обучающаяся" and arrived.loc["U03", "ФИО"] == "Бондарь Саша"
    moves = {"arrived": {"staff": ["E09"], "students": ["U03", "U99"]}, "departed": {"staff": [], "students": []}}
    text = movement_table(moves, 1, 2, dt.date(2026, 10, 15), {"E09": "Ивлев Пётр Ильич", "U03": "Бондарь Саша"})
    assert "  Сотрудники (1):\n    Ивлев Пётр Ильич (E09)\n" in text
    assert "  Обучающиеся (2):\n    Бондарь Саша (U03)\n    U99\n" in text  # no name known: the ID
    assert "Выбыли:\n  Сотрудники (0): —" in text
    assert "Сотрудники (1): E09" in movement_table(moves, 1, 2, dt.date(2026, 10, 15))  # no names: IDs, as before


def test_cli_movement_names_people(store, capsys):
    from sferum_lib.cli import main

    assert main(["movement", "--from", "1", "--to", "2", "--store", store, "--as-of", "2026-10-15"]) == 0
    assert "Обучающиеся (1):\n    Бондарь Саша (U03)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("subject", "message", "line"),
    [
        # the subject's words, then the message going on in lower case
        ("организация", "Не указан приказ об использовании платформы.",
         "организация: не указан приказ об использовании платформы."),
        # a section's missing chat: the message names the section and says the chat type itself
        ("RT/section-parents", "У объединения «Робототехника» нет чата с родителями.",
         "У объединения «Робототехника» нет чата с родителями."),
        # a message that does not name the section keeps the subject
        ("RT/section-parents", "Нет чата с родителями.",
         "объединение «Робототехника» — чат «объединение — родители»: нет чата с родителями."),
        # a name or an abbreviation after the colon keeps its capital
        ("организация", "Родитель Орлов Андрей не в чате.", "организация: Родитель Орлов Андрей не в чате."),
        ("организация", "MAX не выбран.", "организация: MAX не выбран."),
        # a message naming its person says it alone
        ("E03", "Лысенко Марина Игоревна (E03) уволена.", "Лысенко Марина Игоревна (E03) уволена."),
    ],
)
def test_an_audit_line_says_its_object_once_and_reads_as_one_sentence(subject, message, line):
    words = {"RT": "объединение «Робототехника»", "E03": "Лысенко Марина Игоревна (E03)"}
    from sferum_lib.reports.content import _TYPE_WORDS

    assert finding_text(subject, message, {**_TYPE_WORDS, **words}) == line
