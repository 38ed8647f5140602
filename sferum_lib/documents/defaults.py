"""The default document templates, written with python-docx; `templates/` holds the copies to edit in Word.

Placeholders are Jinja tags for docxtpl: ``{{ admin.accusative }}``; ``{%p for … %}`` repeats a paragraph,
``{%tr for … %}`` a table row. Every template is laid out as ГОСТ Р 7.0.97-2016 asks of an organisation's
documents: A4, margins 20 mm (left, top, bottom) and 15 mm (right), Times New Roman 14 pt, pages numbered in
the middle of the top margin from the second page on. This module rebuilds the originals
(``sferum docs --restore-templates``) if an edited template is broken.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from sferum_lib.documents.properties import make_russian, set_properties

PAGE_WIDTH_MM, PAGE_HEIGHT_MM = 210, 297
MARGINS_MM = {"left": 20, "top": 20, "bottom": 20, "right": 15}
FONT = "Times New Roman"
FONT_SIZE = 14
TEXT_WIDTH = Mm(PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"])
INDENT = Cm(1.25)  # абзацный отступ

_ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
}


def _page_number(paragraph) -> None:
    """A PAGE field: Word and LibreOffice print the page's number in its place."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "2"), ("end", None)):
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        elif kind == "text":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


def _doc(size: int = FONT_SIZE) -> Document:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(size)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.space_before = Pt(0)
    style.paragraph_format.line_spacing = 1.0
    make_russian(doc)
    set_properties(doc, "", "")
    for section in doc.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.header_distance = section.footer_distance = Mm(10)
        # the first page carries no number (ГОСТ Р 7.0.97-2016, п. 5.1): its header is left empty
        section.different_first_page_header_footer = True
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _page_number(header)
        section.first_page_header.paragraphs[0].text = ""
    return doc


def _p(
    doc,
    text: str,
    *,
    bold: bool = False,
    align: str | None = None,
    size: int | None = None,
    indent: bool = False,
    left: float = 0,
    before: int = 0,
    after: int = 0,
    tab: bool = False,
    keep: bool = False,
):
    paragraph = doc.add_paragraph()
    lines = text.split("\n")
    for i, line in enumerate(lines):
        run = paragraph.add_run(line)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        if i < len(lines) - 1:
            run.add_break()
    if align:
        paragraph.alignment = _ALIGN[align]
    fmt = paragraph.paragraph_format
    if indent:
        fmt.first_line_indent = INDENT
    if left:
        fmt.left_indent = Cm(left)
    if before:
        fmt.space_before = Pt(before)
    if after:
        fmt.space_after = Pt(after)
    if tab:  # the signature's transcript and the document's number sit against the right margin
        fmt.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    if keep:
        fmt.keep_with_next = True
    return paragraph


def _tag(doc, tag: str) -> None:
    """A paragraph holding only a docxtpl tag (``{%p … %}``): it disappears when the document is made."""
    doc.add_paragraph(tag)


def _column_widths(table, widths) -> None:
    """Word reads the cells' widths, LibreOffice the table grid's: set both."""
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def _two_blocks(doc, left: str, right: str, *, size: int | None = None) -> None:
    """Two blocks side by side (the sender and the addressee, the adoption and the approval) without borders."""
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = (Mm(95), Mm(80))
    _column_widths(table, widths)
    for cell, text, width in zip(table.rows[0].cells, (left, right), widths, strict=True):
        cell.width = width
        paragraph = cell.paragraphs[0]
        lines = text.split("\n")
        for i, line in enumerate(lines):
            run = paragraph.add_run(line)
            if size:
                run.font.size = Pt(size)
            if i < len(lines) - 1:
                run.add_break()


def _signature(doc, who: str = "{{ head.signer }}", name: str = "{{ head.signature }}", before: int = 28) -> None:
    _p(doc, f"{who}\t{name}", tab=True, before=before)


def _order_head(doc, title: str) -> None:
    _p(doc, "{{ org.full_name }}", align="center")
    _p(doc, "({{ org.short_name }})", align="center")
    _p(doc, "ПРИКАЗ", bold=True, align="center", before=18, after=12)
    _p(doc, "{{ order.date }}\t№ {{ order.number }}", tab=True)
    _tag(doc, "{%p if org.place %}")
    _p(doc, "{{ org.place }}", align="center")
    _tag(doc, "{%p endif %}")
    _p(doc, title, bold=True, before=18, after=12)


def order_admin(path: Path) -> None:
    doc = _doc()
    _order_head(doc, "О назначении администратора ИКОП «Сферум»")
    _p(
        doc,
        "В целях организации работы {{ org.short_name }} на информационно-коммуникационной образовательной "
        "платформе «Сферум» (далее — ИКОП «Сферум») и в {{ messenger.profile_prepositional }}, в соответствии "
        "с пунктами {{ basis }} {{ regulation_genitive }}",
        align="justify",
        indent=True,
    )
    _p(doc, "ПРИКАЗЫВАЮ:", before=6, after=6)
    _p(
        doc,
        "1. Назначить администратором ИКОП «Сферум» в {{ org.short_name }} {{ admin.position_accusative }} "
        "{{ admin.accusative_short_end }}",
        align="justify",
        indent=True,
    )
    _p(doc, "2. {{ admin.position_dative_cap }} {{ admin.dative_short }}:", align="justify", indent=True)
    _p(
        doc,
        "2.1. Направить посредством электронной почты на адрес info@sferum.ru заявку на регистрацию "
        "{{ org.short_name }} на ИКОП «Сферум» с приложением копии настоящего приказа и с указанием своих "
        "контактных данных (ФИО, адрес электронной почты, номер личного мобильного телефона).",
        align="justify",
        indent=True,
    )
    _p(
        doc,
        "2.2. Пройти регистрацию на ИКОП «Сферум» посредством ввода указанного в заявке номера мобильного телефона.",
        align="justify",
        indent=True,
    )
    _p(doc, "3. Контроль за исполнением настоящего приказа оставляю за собой.", align="justify", indent=True)
    _signature(doc)
    _p(doc, "С приказом {{ admin.acquainted }}:", before=24)
    _p(doc, "____________ {{ admin.signature }}\t«___» ____________ 20__ г.", tab=True, before=6)
    doc.save(path)


def order_usage(path: Path) -> None:
    doc = _doc()
    _order_head(
        doc,
        "Об использовании информационно-коммуникационной образовательной платформы «Сферум» "
        "и {{ messenger.profile_genitive }}",
    )
    _p(
        doc,
        "В соответствии с распоряжением Минпросвещения России от 22.06.2023 № Р-139 «Об утверждении Методологии "
        "мотивирующего мониторинга деятельности исполнительных органов субъектов Российской Федерации, "
        "осуществляющих государственное управление в сфере образования», в целях организации образовательной "
        "коммуникации участников образовательных отношений и на основании решения педагогического совета "
        "{{ org.short_name }} ({{ council }})",
        align="justify",
        indent=True,
    )
    _p(doc, "ПРИКАЗЫВАЮ:", before=6, after=6)
    _p(
        doc,
        "1. Использовать в {{ org.short_name }} информационно-коммуникационную образовательную платформу «Сферум» "
        "(далее — ИКОП «Сферум») и {{ messenger.profile_accusative }} при реализации образовательных программ.",
        align="justify",
        indent=True,
    )
    _p(
        doc,
        "2. Утвердить {{ regulation_title }}, принятое педагогическим советом {{ org.short_name }} "
        "({{ council }}) (приложение).",
        align="justify",
        indent=True,
    )
    _p(
        doc,
        "3. Назначить {{ admin.responsible }} за организацию работы {{ org.short_name }} на ИКОП «Сферум» "
        "администратора ИКОП «Сферум» {{ admin.position_accusative }} {{ admin.accusative_short_end }}",
        align="justify",
        indent=True,
    )
    _p(
        doc,
        "4. Педагогическим работникам присоединиться к {{ org.short_name }} на ИКОП «Сферум» по ссылке-приглашению "
        "администратора в пользовательской роли «педагог» и организовать работу в чатах в соответствии "
        "с Положением.",
        align="justify",
        indent=True,
    )
    _p(doc, "5. Контроль за исполнением настоящего приказа оставляю за собой.", align="justify", indent=True)
    _signature(doc)
    _p(doc, "С приказом {{ admin.acquainted }}:", before=24)
    _p(doc, "____________ {{ admin.signature }}\t«___» ____________ 20__ г.", tab=True, before=6)
    doc.save(path)


def application(path: Path) -> None:
    doc = _doc()
    _two_blocks(
        doc,
        "{{ org.full_name }}\n({{ org.short_name }})\n{{ org.address }}\nТел.: {{ org.phone }}\n"
        "Эл. почта: {{ org.email }}\n\n____________ № ____________",
        "Службе технической поддержки\nИКОП «Сферум»\n\ninfo@sferum.ru",
        size=12,
    )
    _p(doc, "О регистрации образовательной организации на ИКОП «Сферум»", bold=True, before=18, after=12)
    _p(
        doc,
        "Просим зарегистрировать {{ org.full_name }} ({{ org.short_name }}) на информационно-коммуникационной "
        "образовательной платформе «Сферум» (далее — ИКОП «Сферум»).",
        align="justify",
        indent=True,
    )
    _p(
        doc,
        "Администратором ИКОП «Сферум» приказом {{ org.short_name }} от {{ order.date }} № {{ order.number }} "
        "{{ admin.appointed }} {{ admin.position }} {{ admin.full }}. Контактные данные администратора:",
        align="justify",
        indent=True,
    )
    _p(doc, "— фамилия, имя, отчество: {{ admin.full }};", indent=True)
    _p(doc, "— адрес электронной почты: {{ admin.email }};", indent=True)
    _p(doc, "— номер личного мобильного телефона: {{ admin.phone }}.", indent=True)
    _p(
        doc,
        "Администратор пройдёт регистрацию на ИКОП «Сферум» посредством ввода указанного номера мобильного телефона.",
        align="justify",
        indent=True,
    )
    _p(
        doc,
        "Приложение: копия приказа от {{ order.date }} № {{ order.number }} «О назначении администратора "
        "ИКОП „Сферум“» на {{ sheets }} л. в 1 экз.",
        align="justify",
        before=12,
    )
    _signature(doc)
    _p(doc, "Исполнитель: {{ admin.full }}", size=12, before=48)
    _p(doc, "тел. {{ admin.phone }}, {{ admin.email }}", size=12)
    doc.save(path)


# a paragraph with its number as the edition prints it («2.1.», «4.1»), or none
NUMBERED = "{% if p.number %}{{ p.number }} {% endif %}{{ p.text }}"


def regulation(path: Path) -> None:
    doc = _doc()
    # the 2023 edition: the head's approval by the order on use; the new edition: a draft, adoption left blank
    _two_blocks(doc, "{{ stamp.left }}", "{{ stamp.right }}")
    _tag(doc, "{%p if draft %}")
    _p(doc, "ПРОЕКТ", bold=True, align="right", before=12)
    _tag(doc, "{%p endif %}")
    _p(doc, "ПОЛОЖЕНИЕ", bold=True, align="center", before=24)
    _p(doc, "{{ title }}", bold=True, align="center", after=12)
    _tag(doc, "{%p for p in paragraphs %}")
    _tag(doc, '{%p if p.kind == "section" %}')
    _p(doc, NUMBERED, bold=True, align="center", before=12, after=6, keep=True)
    _tag(doc, '{%p elif p.kind == "item" %}')
    _p(doc, NUMBERED, align="justify", indent=True)
    _tag(doc, '{%p elif p.kind == "entry" %}')
    _p(doc, "– {{ p.text }}", align="justify", indent=True)
    _tag(doc, "{%p else %}")
    _p(doc, "– {{ p.text }}", align="justify", left=1.25, indent=True)
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p endfor %}")
    doc.save(path)


def correspondence(path: Path) -> None:
    doc = _doc()
    _p(doc, "{{ org.full_name }}", align="center")
    _p(doc, "({{ org.short_name }})", align="center")
    _p(doc, "ЛИСТ СООТВЕТСТВИЯ", bold=True, align="center", before=18)
    _p(
        doc,
        "нумерации пунктов редакции 2023 года и новой редакции {{ regulation_genitive }}",
        bold=True,
        align="center",
        after=12,
    )
    _p(
        doc,
        "Представляется педагогическому совету вместе с проектом новой редакции Положения. До принятия новой "
        "редакции действует редакция 2023 года и её нумерация. Новая редакция отличается от редакции 2023 года "
        "только следующим:",
        align="justify",
        indent=True,
        after=6,
    )
    _tag(doc, "{%p for change in changes %}")
    _p(doc, "{{ loop.index }}. {{ change }}", align="justify", indent=True)
    _tag(doc, "{%p endfor %}")
    _p(doc, "", after=6)
    table = doc.add_table(rows=4, cols=3)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = (Mm(75), Mm(40), Mm(60))  # «Заключительные» fits the middle column whole
    _column_widths(table, widths)
    head = ("Редакция 2023 года", "Новая редакция", "Содержание")
    body = ("{{ row.old }}", "{{ row.new }}", "{{ row.content }}")
    rows = (head, ("{%tr for row in rows %}", "", ""), body, ("{%tr endfor %}", "", ""))
    for row, texts in zip(table.rows, rows, strict=True):
        for cell, text, width in zip(row.cells, texts, widths, strict=True):
            cell.width = width
            run = cell.paragraphs[0].add_run(text)
            run.font.size = Pt(12)
            run.bold = row is table.rows[0]
    _signature(doc, "{{ admin.prepared }}: {{ admin.position }}", "{{ admin.signature }}")
    doc.save(path)


def memo(path: Path) -> None:
    doc = _doc()
    _p(doc, "ПАМЯТКА", bold=True, align="center")
    _p(doc, "{{ role.addressee }}", bold=True, align="center")
    _p(
        doc,
        "по работе на ИКОП «Сферум» и в {{ messenger.profile_prepositional }}\n{{ org.short_name }}",
        align="center",
        after=12,
    )
    _p(
        doc,
        "Что вы делаете по {{ regulation_dative }} (далее — Положение):",
        align="justify",
        indent=True,
        after=6,
    )
    _tag(doc, "{%p for duty in duties %}")
    _p(doc, "{{ duty.number }}. {{ duty.text }} ({{ duty.citation }}).", align="justify", indent=True)
    _tag(doc, "{%p endfor %}")
    _p(doc, "Ваши права", bold=True, before=12, after=6, keep=True)
    _tag(doc, "{%p for right in rights %}")
    _p(doc, "— {{ right.text }} ({{ right.citation }}).", align="justify", indent=True)
    _tag(doc, "{%p endfor %}")
    _p(doc, "Безопасность", bold=True, before=12, after=6, keep=True)
    _tag(doc, "{%p for rule in safety %}")
    _p(doc, "— {{ rule }}", align="justify", indent=True)
    _tag(doc, "{%p endfor %}")
    _p(doc, "Помощь", bold=True, before=12, after=6, keep=True)
    _p(doc, "{{ help }}", align="justify", indent=True)
    doc.save(path)


DEFAULTS = {
    "order-admin.docx": order_admin,
    "order-usage.docx": order_usage,
    "application.docx": application,
    "regulation.docx": regulation,
    "correspondence.docx": correspondence,
    "memo.docx": memo,
}


def write_default_templates(folder: str | Path, overwrite: bool = False) -> list[Path]:
    """Write the original templates into ``folder``; keep edited ones unless ``overwrite``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in DEFAULTS.items():
        path = folder / name
        if overwrite or not path.exists():
            build(path)
            written.append(path)
    return written
