"""The sheets and columns of the workbook contract (WORKBOOK.md §1), as data.

The importer, the template, the export and the errors copy all read these specs, so a column is declared
in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sferum_lib.model import CHAT_TYPE_LABELS, DECISIONS, MEMBER_ROLES, PLATFORM_ROLES, Messenger


def normalise_header(text: object) -> str:
    """Headers match trimmed, case-insensitively, with «ё» = «е» and runs of spaces collapsed."""
    return " ".join(str(text or "").replace("ё", "е").replace("Ё", "Е").lower().split())


#: The sheets the program's own template adds for the reader (instructions, drop-down lists): not data.
INSTRUCTION_SHEET = "Инструкция"
LISTS_SHEET = "Списки"
TEMPLATE_SHEETS = (INSTRUCTION_SHEET, LISTS_SHEET)

#: How alike a name must be to a missing one to be named as the likely misspelling («Сотрудникии», «Фамиля»).
NEAR_MISS = 0.8
#: What Excel, Windows and e-mail add to a copied name: «Чаты (1)», «Чаты — копия», «Копия Чаты», «Чаты2».
_COPY_MARKS = re.compile(r"^(?:копия\s+)|\s*(?:[-—–]\s*копия|\(\d+\)|\d+)$")


def near_miss(written: str, wanted: Iterable[str]) -> str | None:
    """The name of ``wanted`` that ``written`` most likely misspells or copies, or None.

    Compared as headers are matched (:func:`normalise_header`), with a copy's marks taken off and
    :data:`NEAR_MISS` as the least likeness (difflib's ratio): «Сотрудникии» → «Сотрудники», «Чаты (1)» → «Чаты».
    """
    import difflib

    mine = normalise_header(written)
    bare = _COPY_MARKS.sub("", mine).strip()
    best, score = None, NEAR_MISS
    for name in wanted:
        theirs = normalise_header(name)
        if bare == theirs:
            return name
        ratio = difflib.SequenceMatcher(None, mine, theirs).ratio()
        if ratio >= score:
            best, score = name, ratio
    return best


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its Russian header, the model field it fills and how its values parse."""

    header: str
    field: str
    kind: str = "text"  # id | text | date | flag | phone | email | list | choice
    required: bool = False
    choices: tuple[str, ...] = ()
    width: int = 16
    help: str = ""

    @property
    def key(self) -> str:
        return normalise_header(self.header)


@dataclass(frozen=True)
class Sheet:
    name: str
    table: str
    columns: tuple[Column, ...]
    required: bool = False
    help: str = ""

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)


CHAT_LABELS: tuple[str, ...] = tuple(CHAT_TYPE_LABELS.values())

STAFF = Sheet(
    "Сотрудники",
    "staff",
    (
        Column("ID", "id", "id", True, width=10),
        Column("Фамилия", "last_name", required=True),
        Column("Имя", "first_name", required=True, width=14),
        Column("Отчество", "middle_name", width=18),
        Column("Должность", "position", required=True, width=34),
        Column("Роль в платформе", "platform_role", "choice", choices=PLATFORM_ROLES, width=28),
        Column("Телефон", "phone", "phone", width=18),
        Column("Email", "email", "email", width=26),
        Column("Кабинет", "cabinet", width=10),
        Column("Дата приёма", "hired", "date", width=14),
        Column("Дата увольнения", "dismissed", "date", width=16),
        Column("Присоединился", "joined", "date", width=15, help="дата присоединения к организации"),
        Column("Статус подтверждён", "status_confirmed", "flag", width=19),
        Column("В Учительской", "in_teachers_room", "flag", width=15),
        Column("Пол", "gender", "gender", width=6, help="м или ж; пусто — по отчеству"),
    ),
    required=True,
    help="Все работники организации, в том числе непедагогические.",
)
SECTIONS = Sheet(
    "Объединения",
    "sections",
    (
        Column("Код", "code", "id", True, width=10),
        Column("Название", "name", required=True, width=30),
        Column("Педагог", "teacher_id", required=True, width=12, help="ID сотрудника"),
        Column("Кабинет", "cabinet", width=10),
        Column("Класс создан", "class_created", "flag", width=14),
    ),
    help="Объединения (секции, кружки); на платформе каждому соответствует класс.",
)
PUPILS = Sheet(
    "Обучающиеся",
    "pupils",
    (
        Column("ID", "id", "id", True, width=10),
        Column("Фамилия", "last_name", required=True),
        Column("Имя", "first_name", required=True, width=14),
        Column("Отчество", "middle_name", width=18),
        Column("Дата рождения", "birth_date", "date", width=15),
        Column("Объединения", "sections", "list", True, width=16, help="коды через «;»"),
        Column("Актив", "activist", "flag", width=8),
        Column("Дата зачисления", "enrolled", "date", width=16),
        Column("Дата отчисления", "expelled", "date", width=16),
        Column("Присоединился", "joined", "date", width=15),
        Column("Пол", "gender", "gender", width=6, help="м или ж; пусто — по отчеству"),
    ),
)
PARENTS = Sheet(
    "Родители",
    "parents",
    (
        Column("ID", "id", "id", True, width=10),
        Column("Фамилия", "last_name", required=True),
        Column("Имя", "first_name", required=True, width=14),
        Column("Отчество", "middle_name", width=18),
        Column("Телефон", "phone", "phone", width=18),
        Column("Email", "email", "email", width=26),
        Column("Дети", "children", "list", True, width=14, help="ID обучающихся через «;»"),
        Column("Актив", "activist", "flag", width=8),
        Column("Присоединился", "joined", "date", width=15),
        Column("Пол", "gender", "gender", width=6, help="м или ж; пусто — по отчеству"),
    ),
    help="Родители (законные представители) обучающихся.",
)
CHATS = Sheet(
    "Чаты",
    "chats",
    (
        Column("ID", "id", "id", True, width=10),
        Column("Название", "name", required=True, width=32),
        Column("Тип", "type", "choice", True, choices=CHAT_LABELS, width=34),
        Column("Объединение", "section_code", width=14, help="код; обязателен для чатов объединения"),
        Column("Владелец", "owner_id", width=12, help="ID сотрудника"),
        Column("Создан", "created", "date", width=12),
        Column("Последнее сообщение", "last_message", "date", width=20),
        Column(
            "Мессенджер",
            "messenger",
            "choice",
            choices=tuple(m.value for m in Messenger),
            width=16,
            help="где живёт чат: «VK Мессенджер» (пусто) или «MAX» — для переезда в MAX",
        ),
    ),
)
MEMBERS = Sheet(
    "Участники чатов",
    "members",
    (
        Column("Чат", "chat_id", required=True, width=10, help="ID чата"),
        Column("Участник", "person_id", required=True, width=12, help="ID сотрудника, обучающегося или родителя"),
        Column("Добавлен", "added", "date", width=12),
    ),
)
CHANNELS = Sheet(
    "Каналы",
    "channels",
    (
        Column("Название", "name", required=True, width=20),
        Column("Последняя публикация", "last_post", "date", width=22),
    ),
    help="Системные каналы «Общий» и «Сотрудники».",
)
INVITES = Sheet(
    "Ссылки-приглашения",
    "invites",
    (
        Column("ID", "id", "id", True, width=10),
        Column("Создана", "created", "date", True, width=12),
        Column("Кем", "created_by", width=10, help="ID сотрудника"),
        Column("Куда", "target", required=True, width=22, help="организация | Учительская | объединение:КОД | чат:ID"),
        Column("Роль", "role", "choice", True, choices=MEMBER_ROLES, width=14),
        Column("Использована", "used", "date", width=14),
        Column("Аннулирована", "annulled", "date", width=14),
        Column("Действует до", "valid_until", "date", width=14),
    ),
)
REQUESTS = Sheet(
    "Заявки",
    "requests",
    (
        Column("ID", "id", "id", True, width=10),
        Column("Заявитель", "applicant_id", required=True, width=12, help="ID человека"),
        Column("Роль", "role", "choice", True, choices=MEMBER_ROLES, width=14),
        Column("Подана", "filed", "date", True, width=12),
        Column("Решение", "decision", "choice", choices=DECISIONS, width=12),
        Column("Дата решения", "decided", "date", width=14),
    ),
    help="Заявки на вступление в сообщество организации.",
)

#: Table sheets in workbook order (the «Организация» sheet is a parameter list, see ORGANISATION_PARAMS).
SHEETS: tuple[Sheet, ...] = (STAFF, SECTIONS, PUPILS, PARENTS, CHATS, MEMBERS, CHANNELS, INVITES, REQUESTS)
SHEETS_BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}

ORGANISATION_SHEET = "Организация"
PARAM_HEADER = Column("Параметр", "param", required=True, width=46)
VALUE_HEADER = Column("Значение", "value", required=True, width=60)

#: Parameters of the «Организация» sheet, as columns of a one-row table.
ORGANISATION_PARAMS: tuple[Column, ...] = (
    Column("Полное наименование", "full_name", required=True),
    Column("Краткое наименование", "short_name", required=True),
    Column("Город", "city"),
    Column("Руководитель", "head_id", help="ID сотрудника"),
    Column(
        "Должность руководителя",
        "head_position",
        help="как в подписи, например «И.о. директора»; пусто — «Директор»",
    ),
    Column("Администратор платформы", "admin_id", help="ID сотрудника"),
    Column("Приказ о назначении администратора: номер", "admin_order_number"),
    Column("Приказ о назначении администратора: дата", "admin_order_date", "date"),
    Column("Приказ об использовании платформы: номер", "usage_order_number"),
    Column("Приказ об использовании платформы: дата", "usage_order_date", "date"),
    Column("Email организации", "email", "email"),
    Column("Адрес организации", "address"),
    Column("Телефон организации", "phone", "phone"),
    Column("Мессенджер", "messenger", "choice", choices=tuple(m.value for m in Messenger)),
    Column(
        "Редакция положения",
        "regulation_edition",
        "choice",
        choices=("2023", "новая"),
        help="по какой редакции положения ссылаться на пункты; пусто — «2023»",
    ),
    Column("Заявка на регистрацию отправлена", "application_sent", "date"),
    Column("Администратор зарегистрирован", "admin_registered", "date"),
    Column("Учительская создана", "teachers_room_created", "date"),
)

YES_NO: tuple[str, ...] = ("да", "нет")

EXPECTED: dict[str, str] = {
    "date": "ожидается дата в виде ДД.ММ.ГГГГ или ГГГГ-ММ-ДД, с 1900 по 2100 год",
    "flag": "ожидается «да» или «нет» (также «+»/«-», «1»/«0»)",
    "phone": "ожидается номер телефона, например 8 (978) 123-45-67 или +7 978 1234567",
    "email": "ожидается адрес электронной почты, например name@example.ru",
    "gender": "ожидается «м» или «ж» (также «муж», «жен», «мужской», «женский»)",
}
