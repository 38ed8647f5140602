"""The default document templates, written with python-docx; `templates/` holds the copies to edit in Word.

Placeholders are Jinja tags for docxtpl: ``{{ admin.accusative }}``; ``{%p for … %}`` repeats a paragraph.
This module rebuilds the originals (``sferum docs --restore-templates``) if an edited template is broken.
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt


def _doc() -> Document:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(14)
    return doc


def _p(doc: Document, text: str, *, bold: bool = False, align: str | None = None, size: int | None = None) -> None:
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if align == "center":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif align == "right":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif align == "justify":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


def _order_head(doc: Document, title: str) -> None:
    _p(doc, "{{ org.full_name }}", bold=True, align="center")
    _p(doc, "ПРИКАЗ", bold=True, align="center", size=16)
    _p(doc, "{{ order.date }}\t\t\t\t\t\t№ {{ order.number }}")
    _p(doc, "г. {{ org.city }}", align="center")
    _p(doc, title, bold=True, align="center")


def order_admin(path: Path) -> None:
    doc = _doc()
    _order_head(doc, "О назначении администратора ИКОП «Сферум»")
    _p(
        doc,
        "В целях организации работы {{ org.short_name }} на информационно-коммуникационной образовательной "
        "платформе «Сферум» и в {{ messenger.profile_prepositional }} в соответствии с Положением об "
        "использовании ИКОП «Сферум» (п. 2.1, 2.2)",
        align="justify",
    )
    _p(doc, "ПРИКАЗЫВАЮ:", bold=True)
    _p(
        doc,
        "1. Назначить администратором ИКОП «Сферум» {{ org.short_name }} {{ admin.accusative }} "
        "(должность — {{ admin.position }}).",
        align="justify",
    )
    _p(
        doc,
        "2. {{ admin.dative_short }} направить заявку на регистрацию организации на адрес info@sferum.ru "
        "с приложением настоящего приказа и зарегистрироваться на платформе с номером мобильного телефона, "
        "указанным в заявке.",
        align="justify",
    )
    _p(doc, "3. Контроль за исполнением приказа оставляю за собой.", align="justify")
    _p(doc, "")
    _p(doc, "Руководитель\t\t\t\t\t\t{{ head.signature }}")
    _p(doc, "С приказом {{ admin.acquainted }}: ____________ {{ admin.signature }}   «___» __________ 20__ г.")
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
        "В соответствии с распоряжением Минпросвещения России от 22.06.2023 № Р-139 и в целях организации "
        "образовательной коммуникации участников образовательных отношений",
        align="justify",
    )
    _p(doc, "ПРИКАЗЫВАЮ:", bold=True)
    _p(
        doc,
        "1. Использовать в {{ org.short_name }} ИКОП «Сферум» и {{ messenger.profile_accusative }} "
        "для реализации дополнительных общеразвивающих программ.",
        align="justify",
    )
    _p(
        doc,
        "2. Утвердить Положение об использовании ИКОП «Сферум» и {{ messenger.profile_genitive }} (приложение).",
        align="justify",
    )
    _p(doc, "3. Ответственным за работу организации на платформе назначить {{ admin.accusative }}.", align="justify")
    _p(
        doc,
        "4. Педагогическим работникам присоединиться к организации по ссылке-приглашению администратора "
        "в роли «педагог» и создать чаты своих объединений.",
        align="justify",
    )
    _p(doc, "5. Контроль за исполнением приказа оставляю за собой.", align="justify")
    _p(doc, "")
    _p(doc, "Руководитель\t\t\t\t\t\t{{ head.signature }}")
    doc.save(path)


def application(path: Path) -> None:
    doc = _doc()
    _p(doc, "В службу поддержки ИКОП «Сферум»\ninfo@sferum.ru", align="right")
    _p(doc, "ЗАЯВКА", bold=True, align="center")
    _p(doc, "на регистрацию образовательной организации на ИКОП «Сферум»", bold=True, align="center")
    _p(
        doc,
        "Просим зарегистрировать на информационно-коммуникационной образовательной платформе «Сферум» "
        "{{ org.full_name }} ({{ org.short_name }}), г. {{ org.city }}.",
        align="justify",
    )
    _p(
        doc,
        "Администратором платформы приказом от {{ order.date }} № {{ order.number }} {{ admin.appointed }} "
        "{{ admin.full }} (должность — {{ admin.position }}).",
        align="justify",
    )
    _p(doc, "Контактные данные администратора:", bold=True)
    _p(doc, "ФИО: {{ admin.full }}")
    _p(doc, "Адрес электронной почты: {{ admin.email }}")
    _p(doc, "Номер личного мобильного телефона: {{ admin.phone }}")
    _p(doc, "Регистрация на платформе будет выполнена с указанным номером мобильного телефона.", align="justify")
    _p(doc, "Приложение: копия приказа о назначении администратора ИКОП «Сферум».")
    _p(doc, "")
    _p(doc, "Руководитель\t\t\t\t\t\t{{ head.signature }}")
    _p(doc, "{{ today }}")
    doc.save(path)


def regulation(path: Path) -> None:
    doc = _doc()
    _p(
        doc,
        "УТВЕРЖДАЮ\nРуководитель {{ org.short_name }}\n____________ {{ head.signature }}\n"
        "Приказ от {{ order.date }} № {{ order.number }}",
        align="right",
    )
    _p(doc, "ПОЛОЖЕНИЕ", bold=True, align="center", size=16)
    _p(
        doc,
        "об использовании информационно-коммуникационной образовательной платформы «Сферум» и "
        "{{ messenger.profile_genitive }} в {{ org.short_name }}",
        bold=True,
        align="center",
    )
    _p(doc, "1. Общие положения", bold=True)
    _p(
        doc,
        "1.1. Настоящее Положение является локальным нормативным актом {{ org.full_name }} (далее — "
        "Учреждение) и регулирует порядок использования ИКОП «Сферум» и {{ messenger.profile_genitive }} "
        "всеми участниками образовательных отношений.",
        align="justify",
    )
    _p(doc, "1.2. Положение принимается педагогическим советом и утверждается приказом руководителя.", align="justify")
    _p(
        doc,
        "1.3. Пользователи — участники образовательных отношений: обучающиеся, педагогические работники, "
        "родители (законные представители) обучающихся.",
        align="justify",
    )
    _p(doc, "{%p for section in sections %}")
    _p(doc, "{{ section.number }}. {{ section.title }}", bold=True)
    _p(doc, "{%p for item in section.points %}")
    _p(doc, "{{ item.number }}. {{ item.text }}", align="justify")
    _p(doc, "{%p for duty in item.duties %}")
    _p(doc, "— {{ duty }}", align="justify")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endfor %}")
    _p(doc, "Перечень изменений нумерации по сравнению с исходным текстом положения", bold=True)
    _p(doc, "{%p for change in renumbered %}")
    _p(doc, "— {{ change }}")
    _p(doc, "{%p endfor %}")
    doc.save(path)


def memo(path: Path) -> None:
    doc = _doc()
    _p(doc, "ПАМЯТКА", bold=True, align="center", size=16)
    _p(doc, "{{ role.title }}", bold=True, align="center")
    _p(doc, "{{ org.short_name }} · ИКОП «Сферум» и {{ messenger.profile_nominative }}", align="center")
    _p(doc, "Ваши обязанности по Положению", bold=True)
    _p(doc, "{%p for duty in duties %}")
    _p(doc, "{{ duty.number }}) {{ duty.title }} ({{ duty.citation }}). {{ duty.text }}", align="justify")
    _p(doc, "{%p endfor %}")
    _p(doc, "Безопасность", bold=True)
    _p(doc, "{%p for rule in safety %}")
    _p(doc, "— {{ rule }}", align="justify")
    _p(doc, "{%p endfor %}")
    _p(
        doc,
        "Помощь: администратор платформы {{ admin.full }}; техническая поддержка — info@sferum.ru; "
        "инструкции — prof-sferum.ru.",
        align="justify",
    )
    doc.save(path)


DEFAULTS = {
    "order-admin.docx": order_admin,
    "order-usage.docx": order_usage,
    "application.docx": application,
    "regulation.docx": regulation,
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
