"""The person formatter: gender from «Пол», patronymic or first name; names in every case; agreement."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from sferum_lib.errors import SferumError
from sferum_lib.grammar import (
    FEMALE,
    MALE,
    People,
    Person,
    agree,
    choose,
    gender_of,
    genders,
    names_in_case,
    parse_gender,
    plural,
    pronoun,
)
from tests.helpers import clean_book, set_cell, snapshot_of


@pytest.mark.parametrize(
    ("first", "middle", "given", "expected"),
    [
        ("Ольга", "Юрьевна", None, FEMALE),
        ("Антон", "Павлович", None, MALE),
        ("Степан", "Ильич", None, MALE),  # ‑ьич
        ("Мария", "Ильинична", None, FEMALE),  # ‑чна
        ("Айгуль", "Рашид кызы", None, FEMALE),
        ("Рашид", "Мамед оглы", None, MALE),
        ("Саша", "Игоревна", None, FEMALE),  # the patronymic decides before an ambiguous first name
        ("Женя", "", None, None),
        ("Саша", None, None, None),
        ("Валя", "", None, None),
        ("Алиса", "", None, FEMALE),
        ("Глеб", "", None, MALE),
        ("Илья", "", None, MALE),
        ("", "", None, None),
        ("Саша", "", "ж", FEMALE),  # «Пол» first
        ("Ольга", "Юрьевна", "м", MALE),  # «Пол» wins over the patronymic
        ("Женя", "", "Мужской", MALE),
        ("Женя", "", "ЖЕН", FEMALE),
    ],
)
def test_gender_from_pol_then_patronymic_then_first_name(first, middle, given, expected):
    assert gender_of(first, middle, given) == expected


def test_pol_accepts_the_usual_spellings_and_nothing_else():
    assert [parse_gender(v) for v in ("м", "Ж", " муж ", "женский", "", None, "x", float("nan"))] == [
        MALE,
        FEMALE,
        MALE,
        FEMALE,
        None,
        None,
        None,
        None,
    ]


@pytest.mark.parametrize(
    ("name", "case", "expected"),
    [
        (("Тихонова", "Ольга", "Юрьевна"), "nominative", "Тихонова Ольга Юрьевна"),
        (("Сергеев", "Антон", "Павлович"), "genitive", "Сергеева Антона Павловича"),
        (("Зайцева", "Алиса", ""), "accusative", "Зайцеву Алису"),
        (("Ткачук", "Денис", "Юрьевич"), "genitive", "Ткачука Дениса Юрьевича"),
        (("Ткачук", "Алина", ""), "genitive", "Ткачук Алины"),
        (("Петрова-Водкина", "Анна-Мария", "Ивановна"), "genitive", "Петровой-Водкиной Анны-Марии Ивановны"),
        (("Ди Каприо", "Леонардо", "", "м"), "dative", "Ди Каприо Леонардо"),
        (("де Ла Фер", "Оливье", "", "м"), "nominative", "де Ла Фер Оливье"),
        (("МакКарти", "Джон", "", "м"), "genitive", "МакКарти Джона"),
        (("ИВАНОВА", "МАРИЯ", "ПЕТРОВНА"), "instrumental", "ИВАНОВОЙ МАРИЕЙ ПЕТРОВНОЙ"),
        (("Алиев", "Рашид", "Мамед оглы"), "dative", "Алиеву Рашиду Мамед оглы"),
        (("  Лаврова ", "Елена", "Сергеевна"), "prepositional", "Лавровой Елене Сергеевне"),
        (("Черных", "Мария", "Ивановна"), "genitive", "Черных Марии Ивановны"),
    ],
)
def test_names_decline_keeping_capitals_of_hyphenated_and_particle_names(name, case, expected):
    assert Person.of(*name).name(case) == expected


def test_a_person_of_unknown_gender_is_declined_only_where_no_gender_is_needed():
    assert Person.of("Петрова", "Саша").gender is None
    assert Person.of("Петрова", "Саша").name("genitive") == "Петровой Саши"  # the surname shows it
    assert Person.of("Ткачук", "Женя").name("genitive") == "Ткачук Женя"  # it could be either: left as written


def test_who_adds_the_id_and_stated_gender_changes_the_forms():
    assert Person.of("Ткачук", "Женя", gender="м", id="U07").who("genitive") == "Ткачука Жени (U07)"
    assert Person.of("Ткачук", "Женя", gender="ж", id="U07").who("genitive") == "Ткачук Жени (U07)"
    assert Person.of("Ткачук", "Женя").who() == "Ткачук Женя"


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        (Person.of("Тихонова", "Ольга", "Юрьевна"), "присоединилась"),
        (Person.of("Сергеев", "Антон", "Павлович"), "присоединился"),
        (Person.of("Зайцева", "Саша"), "нет отметки о присоединении"),
        ("ж", "присоединилась"),
        ("м", "присоединился"),
        (None, "нет отметки о присоединении"),
    ],
)
def test_agree_picks_the_form_or_the_gender_free_wording(subject, expected):
    assert agree(subject, "присоединился", "присоединилась", "нет отметки о присоединении") == expected


def test_pronouns_by_gender_and_case_with_a_gender_free_fallback():
    woman, man, someone = Person.of("Зайцева", "Алиса"), Person.of("Зайцев", "Глеб"), Person.of("Зайцев", "Саша")
    assert [woman.pronoun("accusative"), man.pronoun("accusative"), someone.pronoun("accusative")] == [
        "её",
        "его",
        "этого человека",
    ]
    assert pronoun("ж", "genitive", after_preposition=True) == "неё"
    assert pronoun("м", "instrumental", after_preposition=True) == "ним"
    assert pronoun(None, "dative") == "этому человеку"
    assert pronoun(None, "dative", neutral="родителю") == "родителю"


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "1 день"), (2, "2 дня"), (4, "4 дня"), (5, "5 дней"), (7, "7 дней"), (11, "11 дней"), (14, "14 дней"),
     (21, "21 день"), (22, "22 дня"), (111, "111 дней"), (0, "0 дней")],
)  # fmt: skip
def test_numbers_agree_with_their_noun(n, expected):
    assert plural(n, "день", "дня", "дней") == expected


PEOPLE = pd.DataFrame(
    {
        "id": ["A", "B", "C", "D", "E", "F"],
        "last_name": ["Тихонова", "Сергеев", "Петрова", "Ткачук", None, "Ди Каприо"],
        "first_name": ["Ольга", "Антон", "Саша", "Женя", "Глеб", "Леонардо"],
        "middle_name": ["Юрьевна", "Павлович", None, None, "", None],
        "gender": [None, None, None, "жен", None, "м"],
    }
)


@pytest.mark.parametrize("dtype", [object, "string"])
@pytest.mark.parametrize("case", ["nominative", "genitive", "dative", "accusative", "instrumental", "prepositional"])
def test_the_vectorized_forms_equal_the_one_person_forms(case, dtype):
    frame = PEOPLE.astype(dtype)
    one_by_one = [Person.from_row(r).name(case) for r in PEOPLE.to_dict(orient="records")]
    assert names_in_case(frame, case).tolist() == one_by_one
    assert genders(frame).tolist() == [Person.from_row(r).gender for r in PEOPLE.to_dict(orient="records")]


def test_choose_picks_per_row_and_takes_series_or_strings():
    g = genders(PEOPLE)
    assert g.tolist() == [FEMALE, MALE, None, FEMALE, MALE, MALE]
    verbs = choose(g, "присоединился", "присоединилась", "нет отметки")
    assert (
        verbs.tolist() == ["присоединилась", "присоединился", "нет отметки", "присоединилась"] + ["присоединился"] * 2
    )
    names = names_in_case(PEOPLE, "accusative")
    plain = names_in_case(PEOPLE)
    sentences = choose(g, "удалите " + names + " и его", "удалите " + names + " и её", plain + ": удалите")
    assert sentences[0] == "удалите Тихонову Ольгу Юрьевну и её"
    assert sentences[1] == "удалите Сергеева Антона Павловича и его"
    assert sentences[2] == "Петрова Саша: удалите"


def test_people_of_a_snapshot_by_id_with_pol_from_the_workbook():
    book = clean_book()
    book["Обучающиеся"][0].append("Пол")
    for row in book["Обучающиеся"][1:]:
        row.append("")
    set_cell(book, "Обучающиеся", "U01", "Имя", "Саша")
    set_cell(book, "Обучающиеся", "U02", "Пол", "ж")
    people = People(snapshot_of(book))
    ids = pd.Series(["R01", "U01", "U02", "E02", "X9"], index=[10, 11, 12, 13, 14])
    assert people.gender(ids).tolist() == [FEMALE, None, FEMALE, MALE, None]
    assert people.who(ids, "genitive").tolist() == [
        "Савченко Ольги Петровны (R01)",
        "Савченко Саши (U01)",  # no form here depends on the gender
        "Ткачук Алины (U02)",
        "Сергеева Антона Павловича (E02)",
        "X9",
    ]
    assert list(people.who(ids).index) == [10, 11, 12, 13, 14]
    assert people.person("U02").agree("он", "она", "—") == "она"
    assert people.person("X9") is None


def test_an_override_for_a_man_never_changes_a_woman(tmp_path):
    overrides = tmp_path / "склонение.yaml"
    overrides.write_text(
        "фамилия:\n  Гусь:\n    м:\n      родительный: Гуся-особый\n    ж:\n      genitive: Гусь\n"
        "имя:\n  Любовь:\n    творительный: Любовью\n",
        encoding="utf-8",
    )
    man = Person.of("Гусь", "Пётр", "Ильич", overrides=overrides)
    woman = Person.of("Гусь", "Анна", "Петровна", overrides=overrides)
    assert man.name("genitive") == "Гуся-особый Петра Ильича"
    assert woman.name("genitive") == "Гусь Анны Петровны"
    assert Person.of("Гусь", "Любовь", "Петровна", overrides=overrides).name("instrumental") == (
        "Гусь Любовью Петровной"
    )
    # a surname override does not touch a first name spelled the same
    assert Person.of("Иванов", "Гусь", "", "м", overrides=overrides).name("genitive") == "Иванова Гуся"


def test_the_old_overrides_format_is_still_read(tmp_path):
    overrides = tmp_path / "склонение.yaml"
    overrides.write_text("Гусь:\n  genitive: Гусь\n", encoding="utf-8")
    assert Person.of("Гусь", "Анна", "Петровна", overrides=overrides).name("genitive") == "Гусь Анны Петровны"


def test_an_edited_overrides_file_is_read_again(tmp_path):
    overrides = tmp_path / "склонение.yaml"
    overrides.write_text("фамилия:\n  Гусь:\n    м: {родительный: Гуся1}\n", encoding="utf-8")
    assert Person.of("Гусь", "Пётр", "Ильич", overrides=overrides).name("genitive").startswith("Гуся1 ")
    overrides.write_text("фамилия:\n  Гусь:\n    м: {родительный: Гуся2}\n", encoding="utf-8")
    stat = overrides.stat()
    os.utime(overrides, (stat.st_atime, stat.st_mtime + 5))
    assert Person.of("Гусь", "Пётр", "Ильич", overrides=overrides).name("genitive").startswith("Гуся2 ")


@pytest.mark.parametrize(
    "text", ["фамилия: [\n", "фамилия:\n  Гусь:\n    м:\n      кривой: Гуся\n", "- просто список\n"]
)
def test_a_broken_overrides_file_is_a_russian_message_not_a_traceback(tmp_path, text):
    overrides = tmp_path / "склонение.yaml"
    overrides.write_text(text, encoding="utf-8")
    with pytest.raises(SferumError, match="Файл склонений"):
        Person.of("Гусь", "Пётр", "Ильич", overrides=overrides).name("genitive")


def test_the_shipped_overrides_file_is_valid_and_changes_nothing():
    assert Person.of("Лаврова", "Елена", "Сергеевна").name("genitive") == "Лавровой Елены Сергеевны"
