"""What goes into each document, taken from the organisation's data, and what must be there first.

Documents are written as a secretary signs them (ГОСТ Р 7.0.97-2016): the signer's position as the
organisation writes it, initials before the surname under a signature («А.В. Морозова»), names and positions
in the case the sentence needs, and every citation of the regulation in the edition in force.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sferum_lib.documents.names import PersonName, date_words
from sferum_lib.errors import SferumError
from sferum_lib.model import Messenger, Snapshot
from sferum_lib.regulation import default_catalogue
from sferum_lib.regulation.editions import (
    CLAUSES,
    EDITION_2023,
    EDITION_NEW,
    EDITION_TITLES,
    SECTIONS,
    SEED_MESSENGER,
    Edition,
    cite,
    clause_in,
    edition_in_force,
    edition_text,
)
from sferum_lib.values import is_mobile

BLANK_DATE = "«___» ____________ 20__ г."
BLANK_DIGITS = "___.___.20___"
BLANK_NUMBER = "_____"
BLANK_LINE = "________________"
DEFAULT_HEAD_POSITION = "Директор"
#: pages of the order appointing the administrator, attached to the application (the default template: one)
ORDER_SHEETS = 1

# the platform's messenger in every phrase the documents need
MESSENGER_PHRASES = {
    Messenger.VK: {
        "messenger": "VK-мессенджер",
        "profile": "учебный профиль в VK-мессенджере",
        "profile_genitive": "учебного профиля в VK-мессенджере",
        "profile_accusative": "учебный профиль в VK-мессенджере",
        "profile_instrumental": "учебным профилем в VK-мессенджере",
        "profile_prepositional": "учебном профиле в VK-мессенджере",
    },
    Messenger.MAX: {
        "messenger": "мессенджер MAX",
        "profile": "учебный профиль в мессенджере MAX",
        "profile_genitive": "учебного профиля в мессенджере MAX",
        "profile_accusative": "учебный профиль в мессенджере MAX",
        "profile_instrumental": "учебным профилем в мессенджере MAX",
        "profile_prepositional": "учебном профиле в мессенджере MAX",
    },
}

# whom each memo is addressed to (dative: «Памятка педагогу …»)
MEMO_ADDRESSEES = {
    "admin": "администратору ИКОП «Сферум»",
    "head": "руководителю и заместителям руководителя",
    "pdo": "педагогу дополнительного образования",
    "ped": "педагогическому работнику, ведущему занятия",
    "student": "обучающемуся",
    "parent": "родителю (законному представителю) обучающегося",
}
MEMO_ROLES = tuple(MEMO_ADDRESSEES)
#: roles held by pedagogical staff, who have the right of п. 3.4
PEDAGOGICAL_ROLES = frozenset({"admin", "head", "pdo", "ped"})

# the participants' rights (section 3), told to the reader; the clause of each is cited in the edition in force
RIGHTS = (
    ("3.1", "Вы имеете доступ к платформе на безвозмездной основе круглосуточно."),
    ("3.2", "Вы имеете право обращаться в службу технической поддержки по адресу электронной почты info@sferum.ru."),
    ("3.3", "Вы имеете право на доступ к информационным ресурсам и инструкциям, размещённым на сайте prof-sferum.ru."),
    (
        "3.4",
        "Как педагогический работник вы имеете право посещать семинары и вебинары, в рамках которых освещаются "
        "методические вопросы по применению функционала цифрового сервиса.",
    ),
)

SAFETY = {
    "common": [
        "Открывайте ссылки-приглашения только от администратора или педагога вашей организации и не пересылайте "
        "их посторонним.",
        "Не сообщайте никому коды из СМС и пароль от учебного профиля.",
    ],
    "admin": [
        "Аннулируйте невостребованные ссылки-приглашения: срок, после которого ссылка считается "
        "невостребованной, устанавливают правила организации.",
        "Удаляйте из чатов выбывших и посторонних: в чате объединения — только его обучающиеся, их "
        "родители и педагоги.",
    ],
    "pdo": [
        "В чате обучающихся объединения — только его обучающиеся и педагоги; в чате родителей — только "
        "родители обучающихся объединения и педагоги."
    ],
    "ped": ["Приглашайте в чат занятия только обучающихся своей секции."],
    "student": ["Вступайте только в чаты своего объединения по ссылке педагога."],
    "parent": ["Ссылку или QR-код для родителя открывайте на своём телефоне, а не в профиле ребёнка."],
    "head": ["В управленческие чаты приглашайте только тех, кому они предназначены."],
}

# the regulation's verbs (third person) as the memos say them to the reader
_YOU_VERBS = {
    "направляет": "направляете",
    "проходит": "проходите",
    "вносит": "вносите",
    "редактирует": "редактируете",
    "создает": "создаёте",
    "создаёт": "создаёте",
    "прикрепляет": "прикрепляете",
    "рассматривает": "рассматриваете",
    "принимает": "принимаете",
    "завершает": "завершаете",
    "аннулирует": "аннулируете",
    "ведет": "ведёте",
    "ведёт": "ведёте",
    "размещает": "размещаете",
    "развивает": "развиваете",
    "планирует": "планируете",
    "организует": "организуете",
    "организывает": "организуете",
    "оказывает": "оказываете",
    "осуществляет": "осуществляете",
    "доводит": "доводите",
    "издает": "издаёте",
    "издаёт": "издаёте",
    "назначает": "назначаете",
    "присоединяется": "присоединяетесь",
    "подтверждает": "подтверждаете",
    "обеспечивает": "обеспечиваете",
    "поддерживает": "поддерживаете",
    "участвует": "участвуете",
    "координирует": "координируете",
    "использует": "используете",
    "способствует": "способствуете",
}
_YOU_PHRASES = {"Администратор назначается руководителем": "Вас назначает администратором руководитель"}
_WORD = re.compile(r"[А-Яа-яЁё]+")


_PROFILE_FORMS = re.compile(r"учебн(ый|ого|ым|ом) профил[а-яё]*(?: в)? VK-мессенджер[а-яё]*")
_PROFILE_CASES = {
    "ый": "profile",
    "ого": "profile_genitive",
    "ым": "profile_instrumental",
    "ом": "profile_prepositional",
}


def in_messenger(text: str, messenger: Messenger) -> str:
    """The regulation's words about the profile (written for VK in every spelling) for the messenger in use."""
    phrases = MESSENGER_PHRASES[messenger]
    text = _PROFILE_FORMS.sub(lambda m: phrases[_PROFILE_CASES[m.group(1)]], text)
    return re.sub(r"VK-мессенджер[а-яё]*", phrases["messenger"], text) if messenger != Messenger.VK else text


def to_reader(text: str) -> str:
    """A duty of the regulation told to the one who performs it: «Присоединяется …» → «Вы присоединяетесь …»."""
    for third, second in _YOU_PHRASES.items():
        if text.startswith(third):
            return second + text[len(third) :]
    first = True
    out, last = [], 0
    for match in _WORD.finditer(text):
        word = match.group(0)
        you = _YOU_VERBS.get(word.lower())
        if you is None:
            continue
        out.append(text[last : match.start()])
        if first:
            at_start = match.start() == 0
            out.append(("Вы " if at_start else "вы ") + you)
            first = False
        else:
            out.append(you)
        last = match.end()
    out.append(text[last:])
    return "".join(out)


# --- names, positions and organisations in the case a sentence needs ---------------------------------------

_INITIALS_SPACE = re.compile(r"(?<=\b\w\.)\s+(?=\w\.)")


def compact_initials(text: str) -> str:
    """«Е. С. Лаврова» → «Е.С. Лаврова»: no space between initials (ГОСТ Р 7.0.97-2016)."""
    return _INITIALS_SPACE.sub("", text)


_ADJ_ENDINGS = ("ый", "ий", "ой", "ое", "ее", "ая", "яя")
_VELAR = tuple("гкх")
_SIBILANT = tuple("жшщч")


def _adjective(word: str, case: str, feminine_noun: bool) -> str:
    stem, end = word[:-2], word[-2:]
    if end in ("ая", "яя"):
        soft = end == "яя" or stem.endswith(_SIBILANT)
        return stem + {"genitive": "ей" if soft else "ой", "dative": "ей" if soft else "ой",
                       "accusative": "юю" if end == "яя" else "ую"}[case]  # fmt: skip
    soft = end in ("ее",) or (end == "ий" and not stem.endswith(_VELAR))
    if case == "accusative" and end in ("ое", "ее"):
        return word  # neuter: accusative = nominative
    return stem + ({"genitive": "его", "dative": "ему"} if soft else {"genitive": "ого", "dative": "ому"}).get(
        case, "его" if soft else "ого"
    )


def _noun(word: str, case: str, animate: bool) -> str | None:
    low = word.lower()
    if case == "accusative" and not animate:
        if low.endswith("а"):
            return word[:-1] + "у"
        if low.endswith("я"):
            return word[:-1] + "ю"
        return word
    if case == "accusative":
        case = "genitive"  # an animate masculine noun: accusative = genitive
    if low.endswith("ие"):
        return word[:-1] + {"genitive": "я", "dative": "ю"}[case]
    if low.endswith("ия"):
        return word[:-1] + "и"
    if low.endswith("а"):
        return word[:-1] + ({"genitive": "и" if low[-2:-1] in "гкхжшщч" else "ы", "dative": "е"}[case])
    if low.endswith("я"):
        return word[:-1] + {"genitive": "и", "dative": "е"}[case]
    if low.endswith(("ь", "й")):
        return word[:-1] + {"genitive": "я", "dative": "ю"}[case]
    if low.endswith("ец"):
        return word[:-2] + {"genitive": "ца", "dative": "цу"}[case]
    if low[-1:] in "бвгджзклмнпрстфхцчшщ":
        return word + {"genitive": "а", "dative": "у"}[case]
    return None


def decline_head(text: str, case: str, animate: bool = True) -> str | None:
    """Decline the head of a title or a position — its leading adjectives and first noun — and keep the rest.

    «старший методист» → «старшего методиста»; «Муниципальное бюджетное учреждение дополнительного
    образования «…»» → «Муниципального бюджетного учреждения …»; «педагог-организатор» → «педагога-организатора».
    ``None`` when the head is not a word these rules know (an abbreviation, a quoted name).
    """
    words = text.split(" ")
    out: list[str] = []
    for i, word in enumerate(words):
        core = word.strip(",")
        if (not core.isalpha() and "-" not in core) or core.isupper():
            return None
        low = core.lower()
        if low.endswith(_ADJ_ENDINGS) and i + 1 < len(words):
            out.append(word)
            continue
        if len(low) > 5 and low.endswith(("ом", "ем", "ами", "ями")):
            return None  # already in another case («заведующий хозяйством»): leave as written
        parts = core.split("-")
        declined = [_noun(p, case, animate) for p in parts]
        if any(d is None for d in declined):
            return None
        feminine = low.endswith(("а", "я", "ь")) and not animate
        adjectives = [_adjective(a, case, feminine) for a in out]
        return " ".join([*adjectives, "-".join(declined), *words[i + 1 :]])  # type: ignore[arg-type]
    return None


def _lower_first(text: str) -> str:
    """«Методист» → «методист» inside a sentence; an abbreviation («УВР») keeps its capitals."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def position_in(position: str, case: str) -> str:
    """A staff position in ``case`` for running text («назначить … методиста»); unknown heads stay as written."""
    text = _lower_first(" ".join(position.split()))
    if not text:
        return ""
    return decline_head(text, case, animate=True) or text


def org_genitive(full_name: str) -> str:
    """The organisation's full name in the genitive («локальным нормативным актом Муниципального …»)."""
    name = " ".join(full_name.split())
    head = name.split("«")[0].strip()
    declined = decline_head(head, "genitive", animate=False) if head else None
    return name.replace(head, declined, 1) if declined else name


# --- the data ----------------------------------------------------------------------------------------------


class MissingData(SferumError):
    """A document cannot be made: the data it needs is not in the workbook. Says which cells to fill."""

    def __init__(self, document: str, missing: list[str], lead: str = "заполните в книге организации — ") -> None:
        self.document = document
        self.missing = missing
        super().__init__(f"Документ «{document}» не составлен: {lead}" + "; ".join(missing) + ".")


@dataclass
class Draft:
    """The data for one document and the blanks left in it for handwriting."""

    context: dict[str, Any]
    blanks: list[str] = field(default_factory=list)


def _org_cell(param: str) -> str:
    return f"лист «Организация», параметр «{param}»"


def _staff_cell(staff_id: str, column: str) -> str:
    return f"лист «Сотрудники», сотрудник {staff_id}, столбец «{column}»"


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


#: Codes whose whole zone dials seven-digit local numbers (Moscow, St Petersburg): there the code is the city's.
_SEVEN_DIGIT_CITIES = frozenset({"495", "499", "812"})


def _pretty_phone(phone: str | None) -> str:
    """A Russian number as printed in a letter, never with a grouping that names a wrong city code.

    The phonenumbers library parses and validates the number and formats a mobile («+7 912 345-67-89») and a
    Moscow or St Petersburg landline («+7 495 123-45-67»). Elsewhere a landline's city code is 3 to 5 digits
    («8 (36562) 3-12-45» in Feodosia) and neither the library nor the stored number says which, so the local
    part after the zone code is left unsplit: «+7 365 6231245» dials right and claims no code. A number the
    library cannot read is left as written.
    """
    if not phone:
        return ""
    import phonenumbers

    from sferum_lib.values import phone_number

    number = phone_number(phone)
    if number is None:
        return phone
    national = phonenumbers.national_significant_number(number)
    landline = phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.FIXED_LINE
    if number.country_code == 7 and landline and national[:3] not in _SEVEN_DIGIT_CITIES:
        return f"+7 {national[:3]} {national[3:]}"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# words that agree with the person named; a person whose gender is unknown gets both endings
_GENDER_FORMS: dict[str | None, dict[str, str]] = {
    "м": {
        "appointed": "назначен",
        "acquainted": "ознакомлен",
        "prepared": "Подготовил",
        "responsible": "ответственным",
    },
    "ж": {
        "appointed": "назначена",
        "acquainted": "ознакомлена",
        "prepared": "Подготовила",
        "responsible": "ответственной",
    },
    None: {
        "appointed": "назначен(а)",
        "acquainted": "ознакомлен(а)",
        "prepared": "Подготовил(а)",
        "responsible": "ответственным(-ой)",
    },
}


def _person(snapshot: Snapshot, staff_id: str | None, overrides: Path | None) -> dict[str, Any] | None:
    if not staff_id:
        return None
    found = snapshot.staff[snapshot.staff["id"] == staff_id]
    if found.empty:
        return None
    row = found.iloc[0]
    given = row.get("gender") if "gender" in row.index else None
    given = given if given in ("м", "ж") else None
    name = PersonName.of(row["last_name"], row["first_name"], row["middle_name"], overrides, gender=given)
    gender = name.gender
    female = gender == "ж"
    forms = _GENDER_FORMS.get(gender, _GENDER_FORMS[None])
    phone = row["phone"] if isinstance(row["phone"], str) else None
    position = _text(row["position"])
    return {
        "id": staff_id,
        "full": name.full(),
        "genitive": name.full("genitive"),
        "dative": name.full("dative"),
        "accusative": name.full("accusative"),
        "short": compact_initials(name.short()),
        "accusative_short": compact_initials(name.short("accusative")),
        "accusative_short_end": _end(compact_initials(name.short("accusative"))),
        "dative_short": compact_initials(name.short("dative")),
        "genitive_short": compact_initials(name.short("genitive")),
        "signature": compact_initials(name.signature()),
        "female": female,
        **forms,
        "position": _lower_first(position),
        "position_accusative": position_in(position, "accusative"),
        "position_dative": position_in(position, "dative"),
        "position_dative_cap": _upper_first(position_in(position, "dative")),
        "phone": _pretty_phone(phone),
        "mobile": is_mobile(phone),
        "email": _text(row["email"]) or None,
    }


def _end(text: str) -> str:
    """Close a sentence that ends with a name: «… Сергеева А.П.», not «… А.П..»."""
    return text if text.endswith(".") else text + "."


def _digits(day: dt.date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else BLANK_DIGITS


def _base(snapshot: Snapshot, today: dt.date, overrides: Path | None) -> dict[str, Any]:
    org = snapshot.organisation
    edition = edition_in_force(getattr(org, "regulation_edition", None))
    head = _person(snapshot, org.head_id, overrides)
    head_position = _text(org.head_position) or DEFAULT_HEAD_POSITION
    if head is not None:
        head["signer"] = head_position[:1].upper() + head_position[1:]
    phrases = MESSENGER_PHRASES[org.messenger]
    return {
        "org": {
            "full_name": org.full_name,
            "genitive": org_genitive(org.full_name),
            "short_name": org.short_name,
            "city": _text(org.city),
            "place": f"г. {_text(org.city)}" if _text(org.city) else "",
            "email": _text(org.email),
            "address": _text(org.address),
            "phone": _pretty_phone(org.phone) if org.phone else "",
        },
        "messenger": {"name": org.messenger.value, **phrases},
        "head": head,
        "head_position": head_position[:1].upper() + head_position[1:],
        "admin": _person(snapshot, org.admin_id, overrides),
        "today": date_words(today),
        "edition": edition,
        **{
            key: f"{word} об использовании информационно-коммуникационной образовательной платформы «Сферум» "
            f"и {phrases['profile_genitive']}"
            for key, word in (
                ("regulation_title", "Положение"),
                ("regulation_genitive", "Положения"),
                ("regulation_dative", "Положению"),
            )
        },
    }


def _order(number: str | None, date: dt.date | None, what: str, blanks: list[str]) -> dict[str, str]:
    if not number:
        blanks.append(f"номер приказа {what} — {_org_cell(f'Приказ {what}: номер')}")
    if not date:
        blanks.append(f"дата приказа {what} — {_org_cell(f'Приказ {what}: дата')}")
    return {
        "number": number or BLANK_NUMBER,
        "date": date_words(date) if date else BLANK_DATE,
        "digits": _digits(date),
    }


def _need(document: str, ctx: dict[str, Any], *who: str) -> None:
    missing = []
    if "head" in who and ctx["head"] is None:
        missing.append(f"руководитель — {_org_cell('Руководитель')} (ID сотрудника)")
    if "admin" in who and ctx["admin"] is None:
        missing.append(f"администратор платформы — {_org_cell('Администратор платформы')} (ID сотрудника)")
    if missing:
        raise MissingData(document, missing)


COUNCIL_BLANK = "протокол от ___.___.20___ № _____"
COUNCIL_NOTE = "дата и номер протокола педагогического совета — впишите от руки"


def _not_eligible(snapshot: Snapshot, staff_id: str, today: dt.date) -> str | None:
    """Why a staff member cannot be appointed the platform's administrator, or ``None`` if they can.

    The rule of п. 2.2 («назначает администратора платформы из числа педагогических работников») as the audit
    (admin-eligible) applies it — a current member of staff whose position is pedagogical — in its words.
    """
    import pandas as pd

    from sferum_lib.checks.audit import _eligibility_reasons
    from sferum_lib.model import is_current, is_pedagogical

    day = pd.Timestamp(today)
    rows = snapshot.staff[snapshot.staff["id"] == staff_id].iloc[:1]
    rows = rows.assign(pedagogical=is_pedagogical(rows["position"]))
    if bool((rows["pedagogical"] & is_current(rows["hired"], rows["dismissed"], day)).all()):
        return None
    return str(_eligibility_reasons(rows, day, need_joined=False).iloc[0])


def _ineligible_admin(snapshot: Snapshot, ctx: dict[str, Any], today: dt.date) -> str | None:
    """The problem with the administrator named in the workbook, in words naming the cell, or ``None``."""
    admin = ctx["admin"]
    reason = _not_eligible(snapshot, admin["id"], today)
    if reason is None:
        return None
    return (
        f"{_org_cell('Администратор платформы')}: {admin['full']} ({admin['id']}) не может быть администратором "
        f"платформы — {reason}. Администратора назначают из числа педагогических работников организации "
        f"({cite('2.2', ctx['edition'])} Положения): укажите в этой ячейке ID работающего педагогического работника"
    )


def order_admin(snapshot: Snapshot, today: dt.date, overrides: Path | None) -> Draft:
    ctx = _base(snapshot, today, overrides)
    _need("Приказ о назначении администратора", ctx, "head", "admin")
    if problem := _ineligible_admin(snapshot, ctx, today):
        raise MissingData("Приказ о назначении администратора", [problem], lead="")
    blanks: list[str] = []
    org = snapshot.organisation
    ctx["order"] = _order(org.admin_order_number, org.admin_order_date, "о назначении администратора", blanks)
    ctx["basis"] = clause_in("2.1, 2.2", ctx["edition"])
    return Draft(ctx, blanks)


def order_usage(snapshot: Snapshot, today: dt.date, overrides: Path | None) -> Draft:
    ctx = _base(snapshot, today, overrides)
    _need("Приказ об использовании платформы", ctx, "head")
    blanks: list[str] = []
    org = snapshot.organisation
    ctx["order"] = _order(org.usage_order_number, org.usage_order_date, "об использовании платформы", blanks)
    ctx["council"] = COUNCIL_BLANK
    blanks.append(COUNCIL_NOTE)
    if ctx["admin"] is None:
        ctx["admin"] = {
            "position_accusative": "",
            "accusative_short": BLANK_LINE,
            "accusative_short_end": BLANK_LINE + ".",
            "responsible": "ответственным",
            "dative_short": BLANK_LINE,
            "position_dative": "",
            "position_dative_cap": "",
            "signature": BLANK_LINE,
            "acquainted": "ознакомлен(а)",
        }
        blanks.append(f"ответственный (администратор платформы) — {_org_cell('Администратор платформы')}")
    return Draft(ctx, blanks)


def application(snapshot: Snapshot, today: dt.date, overrides: Path | None) -> Draft:
    ctx = _base(snapshot, today, overrides)
    _need("Заявка на регистрацию", ctx, "head", "admin")
    org, admin = snapshot.organisation, ctx["admin"]
    missing = []
    if problem := _ineligible_admin(snapshot, ctx, today):  # the order it attaches could not be made
        missing.append(problem)
    if not admin["mobile"]:
        missing.append("личный мобильный телефон администратора — " + _staff_cell(admin["id"], "Телефон"))
    if not admin["email"]:
        # the platform writes to the administrator: the organisation's address is not theirs (2.1)
        missing.append("личный адрес электронной почты администратора — " + _staff_cell(admin["id"], "Email"))
    if not org.admin_order_number:
        missing.append(
            f"номер приказа о назначении администратора — {_org_cell('Приказ о назначении администратора: номер')}"
        )
    if missing:
        raise MissingData("Заявка на регистрацию", missing)
    blanks: list[str] = ["исходящий номер и дата письма — впишите при регистрации письма"]
    ctx["order"] = _order(org.admin_order_number, org.admin_order_date, "о назначении администратора", blanks)
    ctx["sheets"] = ORDER_SHEETS
    ctx["org"]["address"] = ctx["org"]["address"] or BLANK_LINE
    ctx["org"]["phone"] = ctx["org"]["phone"] or BLANK_LINE
    ctx["org"]["email"] = ctx["org"]["email"] or BLANK_LINE
    for param, key in (
        ("Адрес организации", "address"),
        ("Телефон организации", "phone"),
        ("Email организации", "email"),
    ):
        if ctx["org"][key] == BLANK_LINE:
            blanks.append(f"{param.lower()} — {_org_cell(param)}")
    return Draft(ctx, blanks)


REGULATION_TITLES = {
    EDITION_2023: "Положение об использовании ИКОП «Сферум» (редакция 2023 г., утверждённый текст)",
    EDITION_NEW: "Положение об использовании ИКОП «Сферум» (новая редакция, проект для педагогического совета)",
}
#: the approval of a draft: the council adopts it, the head approves it — both written in by hand afterwards
DRAFT_APPROVAL = "УТВЕРЖДЕНО\nприказом ________________\nот ___.___.20___ № _____"


def regulation_edition(snapshot: Snapshot, edition: str | None = None) -> Edition:
    """The regulation's text in ``edition`` (by default the organisation's «Редакция положения»), with its name."""
    org = snapshot.organisation
    town = f"г. {_text(org.city)}" if _text(org.city) else ""
    messenger = SEED_MESSENGER if org.messenger == Messenger.VK else MESSENGER_PHRASES[org.messenger]["messenger"]
    edition = edition or getattr(org, "regulation_edition", None)
    return edition_text(edition, " ".join(org.short_name.split()), town, messenger)


def regulation(snapshot: Snapshot, today: dt.date, overrides: Path | None) -> Draft:
    """The regulation in the edition in force: the approved 2023 text under the approval of the order on use
    (the order that approved it), or the new edition as a draft whose adoption and approval are left blank."""
    ctx = _base(snapshot, today, overrides)
    blanks: list[str] = []
    org = snapshot.organisation
    text = regulation_edition(snapshot)
    ctx["edition_title"] = EDITION_TITLES[text.edition]
    ctx["document_title"] = REGULATION_TITLES[text.edition]
    if text.edition == EDITION_2023:
        order = _order(org.usage_order_number, org.usage_order_date, "об использовании платформы", blanks)
        head = ctx["head"]
        signer = head["signature"] if head else BLANK_LINE
        if head is None:
            blanks.append(f"подпись руководителя — {_org_cell('Руководитель')}")
        ctx["draft"] = False
        ctx["stamp"] = {
            "left": "",
            "right": f"УТВЕРЖДАЮ\n{ctx['head_position']} {ctx['org']['short_name']}\n{signer}\n"
            f"{order['date']} Приказ № {order['number']}",
        }
    else:
        ctx["draft"] = True
        ctx["stamp"] = {
            "left": f"ПРИНЯТО\nпедагогическим советом\n{ctx['org']['short_name']}\n{COUNCIL_BLANK}",
            "right": DRAFT_APPROVAL,
        }
        blanks.append(COUNCIL_NOTE)
        blanks.append("дата и номер приказа об утверждении новой редакции — впишите после её принятия")
    ctx["title"] = text.title
    ctx["paragraphs"] = [{"kind": p.kind, "number": p.number, "text": p.text} for p in text.paragraphs]
    return Draft(ctx, blanks)


def correspondence_rows() -> list[dict[str, str]]:
    """The sections and the cited provisions, 2023 edition → new edition, in the order of the text."""
    rows: list[dict[str, str]] = []
    for number, (old_section, new_section, _what) in enumerate(SECTIONS, start=1):
        rows.append({"old": f"Раздел {old_section}", "new": f"Раздел {new_section}", "content": ""})
        for clause in CLAUSES:
            if clause.new.split(".")[0] == str(number):
                rows.append({"old": cite(clause.old, "2023"), "new": f"п. {clause.new}", "content": clause.content})
    return rows


def correspondence(snapshot: Snapshot, today: dt.date, overrides: Path | None) -> Draft:
    """The sheet for the council: the numbering of both editions and every change the new edition makes."""
    ctx = _base(snapshot, today, overrides)
    ctx["rows"] = correspondence_rows()
    ctx["edition_title"] = EDITION_TITLES[ctx["edition"]]
    ctx["changes"] = list(regulation_edition(snapshot, EDITION_NEW).changes)
    if ctx["admin"] is None:
        ctx["admin"] = {"prepared": "Подготовил(а)", "position": "", "signature": BLANK_LINE}
    return Draft(ctx)


def memo_for(role: str) -> Callable[[Snapshot, dt.date, Path | None], Draft]:
    def build(snapshot: Snapshot, today: dt.date, overrides: Path | None) -> Draft:
        catalogue = default_catalogue()
        ctx = _base(snapshot, today, overrides)
        edition = ctx["edition"]
        messenger = snapshot.organisation.messenger
        ctx["role"] = {"key": role, "addressee": MEMO_ADDRESSEES[role]}
        ctx["duties"] = [
            {
                "number": i,
                "title": d.title,
                "citation": cite(d.clause, edition),
                "text": to_reader(in_messenger(d.text, messenger)).rstrip("."),
            }
            for i, d in enumerate(catalogue.for_role(role), start=1)
        ]
        ctx["rights"] = [
            {"text": text.rstrip("."), "citation": cite(clause, edition)}
            for clause, text in RIGHTS
            if clause != "3.4" or role in PEDAGOGICAL_ROLES
        ]
        ctx["safety"] = SAFETY["common"] + SAFETY.get(role, [])
        admin = ctx["admin"]
        if role == "admin" or admin is None:
            ctx["help"] = (
                "По вопросам работы платформы обращайтесь в службу технической поддержки: info@sferum.ru; "
                "инструкции — на сайте prof-sferum.ru."
            )
        else:
            parts = [f"эл. почта {admin['email']}" if admin["email"] else "", f"тел. {admin['phone']}"]
            contacts = "; ".join(p for p in parts if p and p != "тел. ")
            where = f" ({contacts})." if contacts else "."
            ctx["help"] = (
                f"Если что-то не получается, обращайтесь к администратору ИКОП «Сферум» — {admin['full']}{where}"
            )
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
            "regulation",
            "Положение об использовании ИКОП «Сферум» (редакция по параметру «Редакция положения»: "
            "2023 — утверждённый текст, «новая» — проект новой редакции)",
            "regulation.docx",
            ("HEAD-01",),
            regulation,
        ),
        DocumentSpec(
            "correspondence",
            "Лист соответствия нумерации пунктов положения (для педагогического совета)",
            "correspondence.docx",
            ("HEAD-01",),
            correspondence,
        ),
        *(
            DocumentSpec(
                f"memo-{role}",
                f"Памятка: {default_catalogue().roles[role]}",
                "memo.docx",
                tuple(d.id for d in default_catalogue().for_role(role)),
                memo_for(role),
            )
            for role in MEMO_ROLES
        ),
    )
}

__all__ = [
    "DOCUMENTS",
    "Draft",
    "MissingData",
    "compact_initials",
    "decline_head",
    "org_genitive",
    "position_in",
    "to_reader",
]
