"""What goes into each document, taken from the organisation's data, and what must be there first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sferum_lib.documents.names import PersonName, date_words
from sferum_lib.errors import SferumError
from sferum_lib.model import Messenger, Snapshot
from sferum_lib.regulation import default_catalogue
from sferum_lib.values import is_mobile

BLANK_DATE = "«___» ____________ 20__ г."
BLANK_NUMBER = "_____"

MESSENGER_PHRASES = {
    Messenger.VK: {
        "profile_nominative": "учебный профиль VK-мессенджера",
        "profile_genitive": "учебного профиля VK-мессенджера",
        "profile_accusative": "учебный профиль VK-мессенджера",
        "profile_prepositional": "учебном профиле VK-мессенджера",
    },
    Messenger.MAX: {
        "profile_nominative": "учебный профиль мессенджера MAX",
        "profile_genitive": "учебного профиля мессенджера MAX",
        "profile_accusative": "учебный профиль мессенджера MAX",
        "profile_prepositional": "учебном профиле мессенджера MAX",
    },
}

# the regulation's own words that open each role's list of duties (seed, п. 2.1–2.7)
ROLE_INTROS = {
    "admin": "Администратор ИКОП «Сферум» координирует процессы по использованию платформы в образовательной "
    "организации, а именно:",
    "head": "Администрация образовательной организации способствует выполнению образовательных программ "
    "посредством применения функциональных возможностей платформы, а именно:",
    "pdo": "Педагог дополнительного образования координирует процессы по использованию функциональных возможностей "
    "учебного профиля для решения учебных и внеучебных задач в классе; для этого:",
    "ped": "Педагогический работник (методист, педагог дополнительного образования), ведущий занятия, координирует "
    "процессы по использованию функциональных возможностей учебного профиля для решения образовательных "
    "задач:",
    "student": "Обучающийся для осуществления образовательной коммуникации и решения образовательных задач "
    "использует функциональные возможности учебного профиля, а именно:",
    "parent": "Родитель (законный представитель) с целью участия в образовательной коммуникации использует "
    "функциональные возможности учебного профиля, а именно:",
}
# clean numbering of the generated regulation: the seed's numbers are irregular (section «1» holds 2.1–2.7,
# two role paragraphs have no number); rights and final provisions keep their item numbers
ROLE_ITEMS = {"admin": "2.1", "head": "2.2", "pdo": "2.3", "ped": "2.4", "student": "2.5", "parent": "2.6"}
RENUMBERED = [
    "вводная часть без номера («Общие положения») → раздел 1, пункты 1.1–1.3",
    "раздел «1. Организация работы участников образовательных отношений…» → раздел 2",
    "абзац «Педагогический работник (методист, педагог дополнительного образования), ведущий занятия…» → п. 2.4",
    "абзац «Обучающийся для осуществления образовательной коммуникации…» → п. 2.5",
    "п. 2.7 (родитель, законный представитель) → п. 2.6",
    "раздел «2. Права участников образовательных отношений» → раздел 3 (пункты 3.1–3.4 без изменений)",
]
SAFETY = {
    "common": [
        "Не пересылайте ссылки-приглашения посторонним: ссылка выдаётся для одной роли и одного класса или чата.",
        "Роль на платформе изменить нельзя: если вы вошли не в той роли, попросите администратора удалить вас "
        "и прислать ссылку для нужной роли.",
        "Не сообщайте никому коды из СМС и пароль от учебного профиля.",
    ],
    "admin": [
        "Аннулируйте ссылки, не использованные за 7 дней, и ссылки с истёкшим сроком (п. 2.1).",
        "Удаляйте из чатов выбывших и посторонних: в чате объединения — только его обучающиеся, их "
        "родители и педагоги.",
    ],
    "pdo": [
        "В чате обучающихся объединения — только его обучающиеся и педагоги; в чате родителей — только "
        "родители обучающихся объединения и педагоги."
    ],
    "ped": ["Приглашайте в чат занятия только обучающихся своей секции."],
    "student": [
        "Вступайте только в чаты своего объединения по ссылке педагога.",
        "Безопасный режим профиля (видимость только для контактов) не отключайте.",
    ],
    "parent": ["Ссылку или QR-код для родителя открывайте на своём телефоне, а не в профиле ребёнка."],
    "head": ["В управленческие чаты приглашайте только тех, кому они предназначены."],
}


class MissingData(SferumError):
    """A document cannot be made: the data it needs is not in the workbook. Says which cells to fill."""

    def __init__(self, document: str, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(
            f"Документ «{document}» не составлен: заполните в книге организации — " + "; ".join(missing) + "."
        )


@dataclass
class Draft:
    """The data for one document and the blanks left in it for handwriting."""

    context: dict[str, Any]
    blanks: list[str] = field(default_factory=list)


def _org_cell(param: str) -> str:
    return f"лист «Организация», параметр «{param}»"


def _staff_cell(staff_id: str, row: int | None, column: str) -> str:
    return f"лист «Сотрудники», сотрудник {staff_id}, столбец «{column}»"


def _person(snapshot: Snapshot, staff_id: str | None, overrides: Path | None) -> dict[str, Any] | None:
    if not staff_id:
        return None
    found = snapshot.staff[snapshot.staff["id"] == staff_id]
    if found.empty:
        return None
    row = found.iloc[0]
    name = PersonName.of(row["last_name"], row["first_name"], row["middle_name"], overrides)
    phone = row["phone"] if isinstance(row["phone"], str) else None
    pretty = f"+7 {phone[2:5]} {phone[5:8]}-{phone[8:10]}-{phone[10:12]}" if phone and is_mobile(phone) else phone
    return {
        "id": staff_id,
        "full": name.full(),
        "genitive": name.full("genitive"),
        "dative": name.full("dative"),
        "accusative": name.full("accusative"),
        "instrumental": name.full("instrumental"),
        "short": name.short(),
        "dative_short": name.short("dative"),
        "genitive_short": name.short("genitive"),
        "signature": name.signature(),
        "female": name.female,
        "appointed": "назначена" if name.female else "назначен",
        "acquainted": "ознакомлена" if name.female else "ознакомлен",
        "position": row["position"] if isinstance(row["position"], str) else "",
        "phone": pretty,
        "mobile": is_mobile(phone),
        "email": row["email"] if isinstance(row["email"], str) else None,
    }


def _base(snapshot: Snapshot, today: dt.date, overrides: Path | None) -> dict[str, Any]:
    org = snapshot.organisation
    return {
        "org": {
            "full_name": org.full_name,
            "short_name": org.short_name,
            "city": org.city or "________",
            "email": org.email or "",
        },
        "messenger": {"name": org.messenger.value, **MESSENGER_PHRASES[org.messenger]},
        "head": _person(snapshot, org.head_id, overrides),
        "admin": _person(snapshot, org.admin_id, overrides),
        "today": date_words(today),
    }


def _order(number: str | None, date: dt.date | None, what: str, blanks: list[str]) -> dict[str, str]:
    if not number:
        blanks.append(f"номер приказа {what} — {_org_cell(f'Приказ {what}: номер')}")
    if not date:
        blanks.append(f"дата приказа {what} — {_org_cell(f'Приказ {what}: дата')}")
    return {"number": number or BLANK_NUMBER, "date": date_words(date) if date else BLANK_DATE}


def _need(document: str, ctx: dict[str, Any], *who: str) -> None:
    missing = []
    if "head" in who and ctx["head"] is None:
        missing.append(f"руководитель — {_org_cell('Руководитель')} (ID сотрудника)")
    if "admin" in who and ctx["admin"] is None:
        missing.append(f"администратор платформы — {_org_cell('Администратор платформы')} (ID сотрудника)")
    if missing:
        raise MissingData(document, missing)


def order_admin(snapshot: Snapshot, today: dt.date, overrides: Path | None) -> Draft:
    ctx = _base(snapshot, today, overrides)
    _need("Приказ о назначении администратора", ctx, "head", "admin")
    blanks: list[str] = []
    org = snapshot.organisation
    ctx["order"] = _order(org.admin_order_number, org.admin_order_date, "о назначении администратора", blanks)
    return Draft(ctx, blanks)


def order_usage(snapshot: Snapshot, today: dt.date, overrides: Path | None) -> Draft:
    ctx = _base(snapshot, today, overrides)
    _need("Приказ об использовании платформы", ctx, "head")
    blanks: list[str] = []
    org = snapshot.organisation
    ctx["order"] = _order(org.usage_order_number, org.usage_order_date, "об использовании платформы", blanks)
    if ctx["admin"] is None:
        ctx["admin"] = {"accusative": "________________"}
        blanks.append(f"ответственный (администратор платформы) — {_org_cell('Администратор платформы')}")
    return Draft(ctx, blanks)


def application(snapshot: Snapshot, today: dt.date, overrides: Path | None) -> Draft:
    ctx = _base(snapshot, today, overrides)
    _need("Заявка на регистрацию", ctx, "head", "admin")
    org, admin = snapshot.organisation, ctx["admin"]
    missing = []
    if not admin["mobile"]:
        missing.append("личный мобильный телефон администратора — " + _staff_cell(admin["id"], None, "Телефон"))
    if not org.admin_order_number:
        missing.append(
            f"номер приказа о назначении администратора — {_org_cell('Приказ о назначении администратора: номер')}"
        )
    if missing:
        raise MissingData("Заявка на регистрацию", missing)
    blanks: list[str] = []
    ctx["order"] = _order(org.admin_order_number, org.admin_order_date, "о назначении администратора", blanks)
    if not admin["email"]:
        if org.email:
            admin["email"] = org.email
            blanks.append(
                "личного email администратора нет, указан email организации — "
                + _staff_cell(admin["id"], None, "Email")
            )
        else:
            admin["email"] = "________________"
            blanks.append("email администратора — " + _staff_cell(admin["id"], None, "Email"))
    return Draft(ctx, blanks)


def regulation_sections() -> list[dict[str, Any]]:
    """Sections 2–4 of the regulation from the duty catalogue, numbered cleanly."""
    catalogue = default_catalogue()
    roles = [
        {"number": ROLE_ITEMS[role], "text": ROLE_INTROS[role], "duties": [d.text for d in catalogue.for_role(role)]}
        for role in ROLE_ITEMS
    ]
    rights = [{"number": d.clause, "text": d.text, "duties": []} for d in catalogue.for_role("all")]
    final = [{"number": d.clause, "text": d.text, "duties": []} for d in catalogue.for_role("none")]
    return [
        {"number": 2, "title": "Организация работы участников образовательных отношений на платформе", "points": roles},
        {"number": 3, "title": "Права участников образовательных отношений", "points": rights},
        {"number": 4, "title": "Заключительные положения", "points": final},
    ]


def regulation(snapshot: Snapshot, today: dt.date, overrides: Path | None) -> Draft:
    ctx = _base(snapshot, today, overrides)
    if ctx["head"] is None:
        ctx["head"] = {"signature": "________________"}
    blanks: list[str] = []
    org = snapshot.organisation
    ctx["order"] = _order(org.usage_order_number, org.usage_order_date, "об использовании платформы", blanks)
    ctx["sections"] = regulation_sections()
    ctx["renumbered"] = RENUMBERED
    return Draft(ctx, blanks)


def memo_for(role: str) -> Callable[[Snapshot, dt.date, Path | None], Draft]:
    def build(snapshot: Snapshot, today: dt.date, overrides: Path | None) -> Draft:
        catalogue = default_catalogue()
        ctx = _base(snapshot, today, overrides)
        if ctx["admin"] is None:
            ctx["admin"] = {"full": "(не назначен)"}
        ctx["role"] = {"key": role, "title": "для роли «" + catalogue.roles[role] + "»"}
        ctx["duties"] = [
            {"number": i, "title": d.title, "citation": d.citation, "text": d.text}
            for i, d in enumerate(catalogue.for_role(role), start=1)
        ]
        ctx["safety"] = SAFETY["common"] + SAFETY.get(role, [])
        return Draft(ctx)

    return build


@dataclass(frozen=True)
class DocumentSpec:
    name: str
    title: str
    template: str
    duties: tuple[str, ...]
    build: Callable[[Snapshot, dt.date, Path | None], Draft]


DOCUMENTS: dict[str, DocumentSpec] = {
    spec.name: spec
    for spec in (
        DocumentSpec(
            "order-admin",
            "Приказ о назначении администратора ИКОП «Сферум»",
            "order-admin.docx",
            ("HEAD-02", "ADM-01"),
            order_admin,
        ),
        DocumentSpec(
            "order-usage",
            "Приказ об использовании ИКОП «Сферум» и учебного профиля",
            "order-usage.docx",
            ("HEAD-01",),
            order_usage,
        ),
        DocumentSpec(
            "application",
            "Заявка на регистрацию организации (info@sferum.ru)",
            "application.docx",
            ("ADM-02",),
            application,
        ),
        DocumentSpec(
            "regulation", "Положение об использовании ИКОП «Сферум»", "regulation.docx", ("HEAD-01",), regulation
        ),
        *(
            DocumentSpec(
                f"memo-{role}",
                f"Памятка: {default_catalogue().roles[role]}",
                "memo.docx",
                tuple(d.id for d in default_catalogue().for_role(role)),
                memo_for(role),
            )
            for role in ROLE_ITEMS
        ),
    )
}

__all__ = ["DOCUMENTS", "Draft", "MissingData"]
