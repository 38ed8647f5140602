"""Every message that names a person agrees with their gender and case — or needs no gender at all.

Two walks: every wording of the audit (:data:`PHRASES`) and of the formatter, with a man, a woman and a person
whose gender nothing tells; then a whole audit of an organisation where every person-naming check fires, its
people all men, all women, all of unknown gender, and of unknown gender but with «Пол» given.
"""

from __future__ import annotations

import re

import pytest

from sferum_lib.checks import audit
from sferum_lib.checks.audit import PHRASES, _fields_of, phrase_for
from sferum_lib.grammar import CASES, Person, agree, pronoun
from tests.helpers import AS_OF, D, clean_book, set_cell, snapshot_of

MASCULINE = ["присоединился", "уволен", "отчислен", "Обучающийся", "Выбывший", "его", "ему", "ним", "он", "него"]
FEMININE = ["присоединилась", "уволена", "отчислена", "Обучающаяся", "Выбывшая", "её", "ей", "ней", "она", "неё"]
BROKEN = [r"\(а\)", r"\(ась\)", r"\(ая\)", r"\(на\)", r"ся\(", r"\bего/её\b", r"\bон/она\b", r"\(её\)"]

MAN = Person.of("Сергеев", "Антон", "Павлович", id="E02")
WOMAN = Person.of("Тихонова", "Ольга", "Юрьевна", id="E05")
GIRL = Person.of("Зайцева", "Алиса", id="U05")
SOMEONE = Person.of("Ким", "Саша", id="U07")


def words_of(text: str, forms: list[str]) -> list[str]:
    return [w for w in forms if re.search(rf"(?<![\w-]){w}(?![\w-])", text)]


def broken_of(text: str) -> list[str]:
    return [p for p in BROKEN if re.search(p, text)]


def filled(key: str, person: Person) -> str:
    template = PHRASES[key].for_gender(person.gender)
    fields = {n: f"[{n}]" for n in _fields_of(template) if not n.startswith("who")}
    return phrase_for(key, person, **fields)


def test_the_people_of_these_tests_have_the_genders_they_seem_to():
    assert [MAN.gender, WOMAN.gender, GIRL.gender, SOMEONE.gender] == ["м", "ж", "ж", None]


@pytest.mark.parametrize("key", sorted(PHRASES))
def test_every_audit_wording_agrees_with_a_man(key):
    text = filled(key, MAN)
    assert words_of(text, FEMININE) == [] and broken_of(text) == []
    assert any(MAN.who(c) in text for c in CASES), text


@pytest.mark.parametrize("key", sorted(PHRASES))
@pytest.mark.parametrize("woman", [WOMAN, GIRL], ids=["woman", "girl"])
def test_every_audit_wording_agrees_with_a_woman_or_a_girl(key, woman):
    text = filled(key, woman)
    assert words_of(text, MASCULINE) == [], text
    assert broken_of(text) == []
    assert any(woman.who(c) in text for c in CASES), text
    male_twin = filled(key, MAN)
    if words_of(male_twin, MASCULINE):  # the man's wording has a gendered word: the woman's has its pair
        assert words_of(text, FEMININE), text


@pytest.mark.parametrize("key", sorted(PHRASES))
def test_every_audit_wording_about_someone_of_unknown_gender_needs_no_gender(key):
    template = PHRASES[key].neutral
    assert [f for f in _fields_of(template) if f.startswith("who_")] == []  # the name in the nominative only
    text = filled(key, SOMEONE)
    assert words_of(text, MASCULINE + FEMININE) == [], text
    assert broken_of(text) == []
    assert "Ким Саша (U07)" in text


@pytest.mark.parametrize("case", CASES)
def test_the_formatter_itself_agrees(case):
    for person, other in ((MAN, FEMININE), (WOMAN, MASCULINE), (GIRL, MASCULINE)):
        said = f"{agree(person, 'присоединился', 'присоединилась', 'нет отметки')} {pronoun(person, case)}"
        assert words_of(said, other) == []
        assert person.name(case).split()[0] != "" and person.name(case) != SOMEONE.name(case)
    neutral = f"{agree(SOMEONE, 'присоединился', 'присоединилась', 'нет отметки')} {pronoun(SOMEONE, case)}"
    assert words_of(neutral, MASCULINE + FEMININE) == [] and broken_of(neutral) == []


# --- a whole audit ------------------------------------------------------------------------------------------

NAMES = {
    "man": ("Иванов", "Пётр", "Ильич", ""),
    "woman": ("Иванова", "Анна", "Ильинична", ""),
    "unknown": ("Ким", "Саша", "", ""),
    "unknown, «Пол» ж": ("Ким", "Саша", "", "ж"),
    "unknown, «Пол» м": ("Ким", "Саша", "", "м"),
}
PERSONAL_CHECKS = {
    "admin-contacts",
    "admin-eligible",
    "extra-admins",
    "teachers-room",
    "teacher-status",
    "activist-chats",
    "student-coverage",
    "parent-coverage",
    "departed-members",
    "foreign-members",
    "pending-requests",
}


def add_column(book, sheet: str, header: str, default="") -> None:
    book[sheet][0].append(header)
    for row in book[sheet][1:]:
        row.append(default)


def everything_book(names: tuple[str, str, str, str]):
    """An organisation where every check that names a person finds something, everyone named ``names``."""
    book = clean_book()
    set_cell(book, "Сотрудники", "E02", "Email", "")  # admin-contacts
    set_cell(book, "Сотрудники", "E02", "Должность", "секретарь")  # admin-eligible; foreign in K3
    set_cell(book, "Сотрудники", "E03", "Статус подтверждён", "нет")  # teacher-status
    set_cell(book, "Сотрудники", "E04", "Роль в платформе", "дополнительный администратор")  # extra-admins
    teacher = "педагог дополнительного образования"
    book["Сотрудники"] += [
        ["E05", "", "", "", teacher, "", "", "", D(2020, 9, 1), "", "", "нет", "нет"],  # not joined
        ["E06", "", "", "", teacher, "", "", "", D(2020, 9, 1), "", D(2026, 9, 1), "да", "нет"],  # outside
        ["E07", "", "", "", teacher, "", "", "", D(2020, 9, 1), D(2026, 10, 1), D(2026, 9, 1), "да", "да"],
    ]
    book["Участники чатов"] += [["H2", "E07"], ["K1", "U03"], ["K1", "R01"]]  # departed ×2, foreign
    book["Участники чатов"].remove(["K1", "U02"])  # student-coverage
    book["Участники чатов"].remove(["K2", "R02"])  # parent-coverage
    book["Обучающиеся"].append(["U03", "", "", "RT", D(2026, 9, 1), D(2026, 10, 1), D(2026, 9, 5)])
    add_column(book, "Обучающиеся", "Актив", "нет")
    add_column(book, "Родители", "Актив", "нет")
    set_cell(book, "Обучающиеся", "U01", "Актив", "да")
    set_cell(book, "Родители", "R01", "Актив", "да")
    book["Заявки"].append(["Q2", "R02", "родитель", D(2026, 10, 10), "", ""])
    add_column(book, "Обучающиеся", "Отчество")
    for sheet in ("Сотрудники", "Обучающиеся", "Родители"):
        add_column(book, sheet, "Пол")
        for row in book[sheet][1:]:
            for column, value in zip(("Фамилия", "Имя", "Отчество", "Пол"), names, strict=True):
                row[book[sheet][0].index(column)] = value
    return book


def person_messages(kind: str) -> list[tuple[str, str, str]]:
    result = audit(snapshot_of(everything_book(NAMES[kind])), AS_OF)
    rows = [(r["check"], r["subject"], r["message"]) for r in result.to_records() if r["check"] in PERSONAL_CHECKS]
    assert {c for c, _, _ in rows} == PERSONAL_CHECKS  # every person-naming check fired
    return rows


@pytest.mark.parametrize("kind", ["woman", "unknown, «Пол» ж"])
def test_no_audit_message_about_a_woman_is_in_the_masculine(kind):
    for check, subject, message in person_messages(kind):
        assert words_of(message, MASCULINE) == [], (check, subject, message)
        assert broken_of(message) == []


@pytest.mark.parametrize("kind", ["man", "unknown, «Пол» м"])
def test_no_audit_message_about_a_man_is_in_the_feminine(kind):
    for check, subject, message in person_messages(kind):
        assert words_of(message, FEMININE) == [], (check, subject, message)
        assert broken_of(message) == []


def test_audit_messages_about_people_of_unknown_gender_need_no_gender():
    for check, subject, message in person_messages("unknown"):
        assert words_of(message, MASCULINE + FEMININE) == [], (check, subject, message)
        assert broken_of(message) == []
        person_id = subject.split("/")[-1] if check != "pending-requests" else "R02"
        assert f"Ким Саша ({person_id})" in message, message


def test_audit_messages_decline_the_name_where_the_sentence_needs_a_case():
    messages = {(c, s): m for c, s, m in person_messages("woman")}
    assert "У администратора платформы Ивановой Анны Ильиничны (E02)" in messages[("admin-contacts", "E02")]
    assert "У Ивановой Анны Ильиничны (E03)" in messages[("teacher-status", "E03")]
    assert "Заявка Q2 от Ивановой Анны Ильиничны (R02)" in messages[("pending-requests", "Q2")]
    assert (
        "Иванова Анна Ильинична (E05), педагог дополнительного образования, не присоединилась"
        in messages[("teachers-room", "E05")]
    )
    assert "уволена 01.10.2026" in messages[("departed-members", "E07")]
    assert "Обучающаяся Иванова Анна Ильинична (U02)" in messages[("student-coverage", "RT/U02")]
    men = {(c, s): m for c, s, m in person_messages("man")}
    assert "У администратора платформы Иванова Петра Ильича (E02)" in men[("admin-contacts", "E02")]
    assert "удалите его из чатов" in men[("departed-members", "U03")]
