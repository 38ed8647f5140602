"""The duty catalogue: complete, valid, and asked by role."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sferum_lib.errors import CatalogueError
from sferum_lib.regulation import default_catalogue, load_catalogue

PRODUCT_IDS = (
    [f"ADM-{i:02d}" for i in range(1, 19)]
    + [f"HEAD-{i:02d}" for i in range(1, 8)]
    + [f"PDO-{i:02d}" for i in range(1, 5)]
    + [f"PED-{i:02d}" for i in range(1, 5)]
    + [f"STU-{i:02d}" for i in range(1, 5)]
    + ["PAR-01", "PAR-02"]
    + [f"RIGHT-{i:02d}" for i in range(1, 5)]
    + [f"FIN-{i:02d}" for i in range(1, 4)]
)


def test_catalogue_holds_every_duty_of_the_product_in_order():
    assert [d.id for d in default_catalogue()] == PRODUCT_IDS


def test_every_duty_has_clause_role_and_russian_text():
    catalogue = default_catalogue()
    for duty in catalogue:
        assert duty.role in catalogue.roles
        assert duty.clause and duty.title
        assert any("а" <= ch <= "я" for ch in duty.text.lower()), duty.id


def test_role_duties_and_citation():
    catalogue = default_catalogue()
    assert [d.id for d in catalogue.for_role("parent")] == ["PAR-01", "PAR-02"]
    assert catalogue["ADM-05"].citation == "п. 2.1"
    assert catalogue["STU-01"].citation == "п. 2.3, абз. «Обучающийся…»"


def test_a_citation_follows_the_edition_and_shows_no_duty_code():
    from sferum_lib.regulation.editions import EDITION_NEW

    catalogue = default_catalogue()
    assert catalogue["PED-01"].cited(EDITION_NEW) == "п. 2.4"
    assert catalogue["PAR-01"].cited(None) == "п. 2.7"
    new = catalogue.in_edition(EDITION_NEW)
    assert new["PAR-01"].citation == "п. 2.6" and new["STU-01"].citation == "п. 2.5"
    for duty in new:
        assert duty.id not in duty.citation


def test_unknown_role_is_refused_in_russian():
    with pytest.raises(CatalogueError, match="Неизвестная роль"):
        default_catalogue().for_role("директор")


def test_state_changing_duties_include_the_procedures_to_build():
    ids = {d.id for d in default_catalogue().state_changing()}
    assert {"ADM-01", "ADM-13", "HEAD-06", "PDO-03", "STU-01", "PAR-01"} <= ids
    assert "RIGHT-01" not in ids


def test_edited_catalogue_with_duplicates_and_unknown_roles_lists_every_problem(tmp_path):
    path = tmp_path / "duties.yaml"
    path.write_text(
        "roles: {admin: администратор}\n"
        "duties:\n"
        "  - {id: ADM-01, clause: '2.1', role: admin, title: a, text: b}\n"
        "  - {id: ADM-01, clause: '2.1', role: admin, title: a, text: b}\n"
        "  - {id: X-1, clause: '2.1', role: boss, title: a, text: ''}\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    message = str(caught.value)
    assert "повторяется" in message and "неизвестная роль «boss»" in message
    assert "«text»" in message and "ADM-05" in message


def test_broken_yaml_is_a_catalogue_error(tmp_path):
    path = tmp_path / "duties.yaml"
    path.write_text("roles: [\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match="YAML"):
        load_catalogue(path)


# --- the catalogue against the regulation as approved ----------------------------------------------------

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "regulation_2023.md"  # the regulation, verbatim
_LINK = re.compile(r"\[([^\]]+)\]\([^)]+\)")  # the seed's markdown links: keep the visible text
_NUMBER = re.compile(r"^\s*(?:[-–•*]\s*)*(?:\d+(?:\.\d+)*\.?\s+)?")  # list marks and clause numbers
_WORD = re.compile(r"\w+(?:[-.@]\w+)*")


def words(text: str) -> list[str]:
    """A text as its words: case, «ё», punctuation, dashes and line breaks do not count."""
    return [w.lower().replace("ё", "е") for w in _WORD.findall(_LINK.sub(r"\1", text))]


def seed_lines() -> list[list[str]]:
    """Each provision line of the seed (a paragraph or a list item) as words, without its mark or number."""
    lines = [_NUMBER.sub("", _LINK.sub(r"\1", line)) for line in SEED.read_text(encoding="utf-8").splitlines()]
    return [words(line) for line in lines if words(line)]


def whole_lines_spanned(duty_words: list[str], lines: list[list[str]]) -> bool:
    """The duty is one seed line, or several consecutive ones (a provision and its list), whole."""
    for start in range(len(lines)):
        joined: list[str] = []
        for line in lines[start:]:
            joined += line
            if joined == duty_words:
                return True
            if joined != duty_words[: len(joined)]:
                break
    return False


def test_every_duty_and_right_is_the_regulations_own_provision_whole():
    lines = seed_lines()
    for duty in default_catalogue():
        fixes = dict(duty.corrections)
        corrected = [[fixes.get(w, w) for w in line] for line in lines]
        assert whole_lines_spanned(words(duty.text), corrected), (duty.id, duty.text)


def test_the_only_departures_from_the_seed_are_listed_misprints():
    corrected = {d.id: dict(d.corrections) for d in default_catalogue() if d.corrections}
    assert corrected == {"ADM-15": {"организывает": "организует"}, "HEAD-06": {"vk-мессенджера": "vk-мессенджере"}}
    seed = set(words(SEED.read_text(encoding="utf-8")))
    for fixes in corrected.values():
        assert set(fixes) <= seed  # each corrected word really is in the regulation


def test_the_seeds_cut_short_texts_are_whole_now():
    catalogue = default_catalogue()
    assert catalogue["HEAD-05"].text.endswith("для эффективной организации управленческих процессов.")
    assert "посредством создания видео-конференц-связи" in catalogue["HEAD-06"].text
    assert catalogue["STU-02"].text.endswith("с использованием функционала цифрового сервиса.")
    assert catalogue["RIGHT-01"].text.startswith("Участники образовательных отношений, использующие")


def test_a_truncated_text_would_be_caught():
    lines = seed_lines()
    assert not whole_lines_spanned(words("Участвует в образовательной коммуникации, осуществляемой в чате."), lines)
    assert whole_lines_spanned(words(default_catalogue()["PAR-02"].text), lines)


def test_conditional_duties_are_marked_in_the_data():
    catalogue = default_catalogue()
    whole = {d.id for d in catalogue if d.conditional}
    assert whole == {"ADM-06", "ADM-09", "ADM-11", "HEAD-04", "PDO-02", "PED-02", "ADM-18"}
    assert catalogue["ADM-18"].condition == "при наличии доступа"
    for duty_id in ("ADM-07", "ADM-10"):
        duty = catalogue[duty_id]
        assert duty.conditional_for("student") and not duty.conditional_for("pdo") and not duty.conditional
    # every «(при необходимости)» / «(при наличии доступа)» of the texts is marked, and nothing else
    said = {d.id for d in catalogue if any(c in d.text.lower() for c in ("при необходимости", "при наличии доступа"))}
    assert said == {d.id for d in catalogue if d.condition}


def test_right_to_seminars_belongs_to_pedagogical_staff():
    catalogue = default_catalogue()
    assert catalogue["RIGHT-04"].role == "pedagogues"
    assert [d.id for d in catalogue.rights()] == ["RIGHT-01", "RIGHT-02", "RIGHT-03", "RIGHT-04"]
    for role in ("pdo", "ped", "admin", "head"):
        assert "RIGHT-04" in [d.id for d in catalogue.rights_for(role)]
    for role in ("student", "parent"):
        assert [d.id for d in catalogue.rights_for(role)] == ["RIGHT-01", "RIGHT-02", "RIGHT-03"]


def test_with_max_every_catalogue_text_says_max():
    catalogue = default_catalogue()
    on_max = catalogue.for_messenger("MAX")
    mentions = [d.id for d in catalogue if "VK" in d.text]
    assert len(mentions) >= 8  # the regulation names its messenger often
    for duty in on_max:
        assert "VK" not in duty.text and "ессенджер" not in duty.text, duty.id
    assert "в учебном профиле в MAX" in on_max["HEAD-06"].text
    assert "учебного профиля MAX." in on_max["ADM-16"].text
    assert "MAX" in on_max.title and "VK" not in on_max.title
    assert catalogue.for_messenger("VK Мессенджер") == catalogue


def test_an_edited_catalogue_with_an_unknown_condition_is_refused(tmp_path):
    path = tmp_path / "duties.yaml"
    path.write_text(
        "roles: {admin: администратор}\n"
        "duties:\n"
        "  - {id: ADM-01, clause: '2.1', role: admin, title: a, text: b, condition: когда захочется}\n"
        "  - {id: ADM-02, clause: '2.1', role: admin, title: a, text: b, condition_for: [admin]}\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    assert "«когда захочется» не из положения" in str(caught.value)
    assert "«condition_for» указан без «condition»" in str(caught.value)
