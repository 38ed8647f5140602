"""The documents' name forms: initials as ГОСТ writes them, «Пол» given to the name, declension pieces."""

from __future__ import annotations

import pytest

from sferum_lib.documents.names import PersonName, decline, decline_full, surname_gender


def test_initials_spaced_as_before_or_as_gost_writes_them():
    name = PersonName.of("Лаврова", "Елена", "Сергеевна")
    assert name.signature() == "Е. С. Лаврова"
    assert name.signature(spaced=False) == "Е.С. Лаврова"
    assert name.short("dative", spaced=False) == "Лавровой Е.С."
    assert PersonName.of("Ким", "Саша").signature(spaced=False) == "С. Ким"


def test_pol_given_to_a_document_name_decides_its_forms():
    assert PersonName.of("Ткачук", "Женя", "", gender="ж").full("dative") == "Ткачук Жене"
    assert PersonName.of("Ткачук", "Женя", "", gender="м").full("dative") == "Ткачуку Жене"
    assert PersonName.of("Ткачук", "Женя", "", gender="м").female is False
    assert PersonName.of("Ткачук", "Женя", "", gender="Женский").female is True


@pytest.mark.parametrize(
    ("part", "text", "gender", "case", "expected"),
    [
        ("last", "Салтыков-Щедрин", "м", "genitive", "Салтыкова-Щедрина"),
        ("first", "Анна-Мария", "ж", "dative", "Анне-Марии"),
        ("last", "ди Каприо", "м", "genitive", "ди Каприо"),
        ("last", "фон Бок", "м", "genitive", "фон Бока"),
        ("middle", "Мамед оглы", "м", "genitive", "Мамед оглы"),
        ("last", "", "ж", "genitive", ""),
        ("last", "Петрова", "ж", "nominative", "Петрова"),
    ],
)
def test_each_piece_declines_and_particles_stay(part, text, gender, case, expected):
    assert decline(part, text, gender, case) == expected


def test_surname_endings_only_help_declining_a_person_of_unknown_gender():
    assert [surname_gender(s) for s in ("Петрова", "Петров", "Ткачук", "Толстая", "Вишневский")] == [
        "ж",
        "м",
        None,
        "ж",
        "м",
    ]
    assert decline_full("Петров", "Женя", "", None, "genitive") == "Петрова Жени"
    assert decline_full("Ткачук", "Женя", "", None, "genitive") == "Ткачук Женя"
