"""The duty catalogue: complete, valid, and asked by role."""

from __future__ import annotations

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
    assert catalogue["ADM-05"].citation == "п. 2.1, ADM-05"
    assert catalogue["STU-01"].citation == "абз. «Обучающийся…», STU-01"


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
