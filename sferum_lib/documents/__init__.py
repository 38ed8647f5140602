"""Documents from templates: the orders, the application letter, the regulation and a memo per role.

Templates are DOCX files in `templates/` that the organisation edits in Word: the user's own copy in the folder the
command runs in (``sferum docs --restore-templates`` writes it), else the program's (``$SFERUM_TEMPLATES`` names any);
:func:`make_document` fills one from a snapshot with docxtpl, escaping every value.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from sferum_lib.documents.content import DOCUMENTS, Draft, MissingData
from sferum_lib.documents.properties import make_russian, set_properties
from sferum_lib.errors import SferumError, UsageError
from sferum_lib.model import Snapshot

OVERRIDES_FILE = "склонение.yaml"


#: The program's own templates (the originals a user's copy starts from).
PROGRAM_TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def templates_dir() -> Path:
    """``$SFERUM_TEMPLATES`` if set (the command sets it to the user's ``./templates``), else the program's."""
    return Path(os.environ.get("SFERUM_TEMPLATES") or PROGRAM_TEMPLATES)


def own_templates(folder: str | Path) -> Path | None:
    """``folder/templates`` when it holds a user's copy of the templates (a document template or the declension
    file), else ``None``: an unrelated folder that happens to be called «templates» is not taken for one."""
    candidate = Path(folder) / "templates"
    names = [OVERRIDES_FILE, *(f"{name}.docx" for name in DOCUMENTS)]
    if candidate.is_dir() and any((candidate / name).is_file() for name in names):
        return candidate.resolve()
    return None


@dataclass(frozen=True)
class Made:
    name: str
    path: Path
    blanks: list[str]


def make_document(
    name: str,
    snapshot: Snapshot,
    out_dir: str | Path,
    templates: str | Path | None = None,
    today: dt.date | None = None,
) -> Made:
    """Fill the template of document ``name`` and write ``out_dir/name.docx``; raise :class:`MissingData`."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError

    from sferum_lib.workbook.writer import atomic_path

    spec = DOCUMENTS.get(name)
    if spec is None:
        raise UsageError(f"Неизвестный документ «{name}». Документы: {', '.join(DOCUMENTS)}.")
    folder = Path(templates) if templates else templates_dir()
    template = folder / spec.template
    if not template.exists():
        raise UsageError(f"Нет шаблона «{template}». Вернуть исходные шаблоны: sferum docs --restore-templates")
    draft: Draft = spec.build(snapshot, today or dt.date.today(), folder / OVERRIDES_FILE)
    out = Path(out_dir)
    path = out / f"{name}.docx"
    try:
        document = DocxTemplate(template)
        document.render(draft.context, autoescape=True)
        _check_whole(document, draft, template)
        make_russian(document.docx)
        title = draft.context.get("document_title") or spec.title
        set_properties(document.docx, title, " ".join(snapshot.organisation.full_name.split()))
        with atomic_path(path) as tmp:
            document.save(tmp)
    except TemplateError as exc:
        raise SferumError(
            f"Шаблон «{template.name}» испорчен при правке: {exc}. Исправьте его в Word или "
            "верните исходный: sferum docs --restore-templates"
        ) from None
    return Made(name, path, draft.blanks)


def _check_whole(document, draft: Draft, template: Path) -> None:
    """A regulation is printed whole or not at all: an edited template that loses a paragraph is refused."""
    wanted = [p["text"] for p in draft.context.get("paragraphs", [])]
    if not wanted:
        return
    made = "\n".join(" ".join(p.text.split()) for p in document.docx.paragraphs)
    lost = [text for text in wanted if text not in made]
    if lost:
        raise SferumError(
            f"Шаблон «{template.name}» выводит не весь текст Положения (нет, например: «{lost[0][:80]}…»); документ "
            "не записан. Верните исходный шаблон: sferum docs --restore-templates"
        )


def make_all(
    snapshot: Snapshot, out_dir: str | Path, templates: str | Path | None = None, today: dt.date | None = None
) -> tuple[list[Made], list[MissingData]]:
    made, refused = [], []
    for name in DOCUMENTS:
        try:
            made.append(make_document(name, snapshot, out_dir, templates, today))
        except MissingData as exc:
            refused.append(exc)
    return made, refused


def summary(made: list[Made], refused: list[MissingData]) -> list[str]:
    """The closing lines of a run over several documents, in Russian: what was made, what was not and why.

    Printed last, so that a user who sees 10 files of 11 is told which one is missing and what to fill in.
    """
    total = len(made) + len(refused)
    lines = [f"Составлено документов: {len(made)} из {total}."]
    if made:
        lines.append("Составлены: " + ", ".join(m.path.name for m in made) + ".")
    if refused:
        lines.append(f"Не составлено: {len(refused)}:")
        lines.extend(f"  — {exc}" for exc in refused)
        lines.append("Исправьте книгу организации, загрузите её снова (sferum import) и повторите команду.")
    return lines


__all__ = ["DOCUMENTS", "Made", "MissingData", "make_all", "make_document", "summary", "templates_dir"]
