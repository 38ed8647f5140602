"""The seminar deck is built from the catalogue and converts to slides without code."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbconvert import SlidesExporter
from nbconvert.preprocessors import ExecutePreprocessor

from sferum_lib import seminar
from sferum_lib.errors import SferumError

DECK = Path(__file__).resolve().parents[2] / "notebooks" / "seminar" / "seminar.ipynb"


def test_slides_carry_the_catalogues_duties_and_no_code(tmp_path):
    nb = nbformat.read(DECK, as_version=4)
    ExecutePreprocessor(timeout=120, kernel_name="python3").preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    exporter = SlidesExporter(exclude_input=True)
    body, _ = exporter.from_notebook_node(nb)
    assert "Чаты объединения" in body and "PDO-03" not in body and "Безопасность" in body and "Переезд в MAX" in body
    assert "seminar.duties_slide" not in body
    assert all(c.metadata.get("slideshow", {}).get("slide_type") == "slide" for c in nb.cells)


def test_roles_slide_lists_every_role_with_duties():
    text = seminar.roles_slide()
    for role in ("администратор платформы", "обучающийся", "родитель (законный представитель)"):
        assert role in text


def test_slides_cite_the_edition_in_force():
    assert "п. 2.6" in seminar.order_slide("новая") and "п. 2.7" not in seminar.order_slide("новая")
    assert "п. 2.7" in seminar.order_slide() and "п. 2.3, абз. «Обучающийся…»" in seminar.order_slide()
    assert "<td>п. 2.4</td>" in seminar.duties_slide("ped", None, "новая")
    assert "п. 2.5" in seminar.safety_slide(None, None, "новая")
    assert "п. 2.4" in seminar.roles_slide(None, "новая") and "ADM-" not in seminar.roles_slide()


def test_the_offline_deck_has_reveal_from_the_installation_and_refuses_a_file_for_its_folder(tmp_path):
    assert (seminar.reveal_source() / "dist" / "reveal.js").is_file()
    taken = tmp_path / "слайды.html"
    taken.write_text("чужой файл", encoding="utf-8")
    with pytest.raises(SferumError, match="файл, а не папка"):
        seminar.build_deck(taken)
    assert taken.read_text(encoding="utf-8") == "чужой файл"  # nothing written over it
