"""The language and the properties of a Word document, so that Word and LibreOffice treat the text as Russian.

python-docx starts every document from its own template: author «python-docx», language en-US in the styles.
With en-US, Word and LibreOffice spell-check and hyphenate Russian text as English. Every template (when written)
and every document (when made from a template, which may be an old or edited copy) is set to ru-RU here.
"""

from __future__ import annotations

from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

LANGUAGE = "ru-RU"


def _set_lang(rpr) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)  # Latin and Cyrillic text
    lang.set(qn("w:eastAsia"), LANGUAGE)  # no East Asian text here: the same language, not an English default
    lang.set(qn("w:bidi"), "ar-SA")  # complex scripts keep Word's default; none occur in these documents


def make_russian(document: Document) -> None:
    """ru-RU as the default language of the document and of every style that names a language."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    _set_lang(rpr)
    for lang in styles.iter(qn("w:lang")):
        lang.set(qn("w:val"), LANGUAGE)
        if lang.get(qn("w:eastAsia")):
            lang.set(qn("w:eastAsia"), LANGUAGE)
    for lang in document.element.body.iter(qn("w:lang")):  # a run an editor marked English by accident
        lang.set(qn("w:val"), LANGUAGE)


def set_properties(document: Document, title: str, author: str) -> None:
    """The file's properties as Word shows them: the document's title, the organisation as its author."""
    core = document.core_properties
    core.title = title
    core.author = author
    core.last_modified_by = author
    core.language = LANGUAGE
    core.comments = ""
    core.keywords = ""
    core.subject = ""


__all__ = ["LANGUAGE", "make_russian", "set_properties"]
