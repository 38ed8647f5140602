"""The organisation as the regulation sees it: plain typed records and pandas tables.

No I/O and no widgets here. Each table is declared once in :data:`TABLES` (column → dtype), so the importer,
the store, the checks and the generator agree on the shape of the data. The Russian term stands beside
each English name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum

import pandas as pd


class Messenger(StrEnum):
    """The client app the organisation's platform space lives in (мессенджер)."""

    VK = "VK Мессенджер"
    MAX = "MAX"


class ChatType(StrEnum):
    """Chat types of the regulation (тип чата); the value is the key used in JSON and in the store."""

    HEAD_DEPUTIES = "head-deputies"
    HEAD_TEACHERS = "head-teachers"
    HEAD_PARENT_ACTIVISTS = "head-parent-activists"
    HEAD_STUDENT_ACTIVISTS = "head-student-activists"
    SECTION_STUDENTS = "section-students"
    SECTION_PARENTS = "section-parents"
    SECTION_TEACHERS = "section-teachers"
    LESSON = "lesson"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The Russian label used in the workbook."""
        return CHAT_TYPE_LABELS[self]


CHAT_TYPE_LABELS: dict[ChatType, str] = {
    ChatType.HEAD_DEPUTIES: "руководитель — заместители",
    ChatType.HEAD_TEACHERS: "руководитель — педагоги",
    ChatType.HEAD_PARENT_ACTIVISTS: "руководитель — родительский актив",
    ChatType.HEAD_STUDENT_ACTIVISTS: "руководитель — ученический актив",
    ChatType.SECTION_STUDENTS: "объединение — обучающиеся",
    ChatType.SECTION_PARENTS: "объединение — родители",
    ChatType.SECTION_TEACHERS: "объединение — педагоги",
    ChatType.LESSON: "учебное занятие",
    ChatType.OTHER: "иной",
}

#: Chat types that belong to one section (объединение); such a chat must name its section.
SECTION_CHAT_TYPES: tuple[ChatType, ...] = (
    ChatType.SECTION_STUDENTS,
    ChatType.SECTION_PARENTS,
    ChatType.SECTION_TEACHERS,
)
#: The management chats of п. 2.2 (чаты руководителя).
MANAGEMENT_CHAT_TYPES: tuple[ChatType, ...] = (
    ChatType.HEAD_DEPUTIES,
    ChatType.HEAD_TEACHERS,
    ChatType.HEAD_PARENT_ACTIVISTS,
    ChatType.HEAD_STUDENT_ACTIVISTS,
)
#: Types whose chat may name a section (section chats and lesson chats).
SECTION_BOUND_TYPES: tuple[ChatType, ...] = (*SECTION_CHAT_TYPES, ChatType.LESSON)

#: Platform roles of staff (роль в платформе).
PLATFORM_ROLES: tuple[str, ...] = ("администратор", "дополнительный администратор")
#: Roles an invite link or a join request is made for (пользовательская роль).
MEMBER_ROLES: tuple[str, ...] = ("педагог", "обучающийся", "родитель")
#: Decisions on a join request (решение по заявке).
DECISIONS: tuple[str, ...] = ("принята", "отклонена")
#: Positions that carry meaning (должность); the column itself is free text.
POSITIONS: tuple[str, ...] = (
    "руководитель",
    "заместитель руководителя",
    "методист",
    "педагог дополнительного образования",
    "педагог-организатор",
)
#: A position containing one of these words makes a staff member pedagogical (педагогический работник).
PEDAGOGICAL_WORDS: tuple[str, ...] = ("педагог", "методист", "руководитель", "заместитель")
#: The system channels of п. 2.1 (системные каналы).
SYSTEM_CHANNELS: tuple[str, ...] = ("Общий", "Сотрудники")
#: Targets of an invite link (куда ведёт ссылка): fixed ones and prefixes followed by a code or chat ID.
INVITE_TARGETS: tuple[str, ...] = ("организация", "Учительская")
INVITE_TARGET_PREFIXES: tuple[str, ...] = ("объединение:", "чат:")

DATE = "datetime64[s]"
TEXT = "str"
FLAG = "bool"

#: Every bulk table of a snapshot: name → {column: dtype}. Dates are day-precision timestamps, NaT when empty.
TABLES: dict[str, dict[str, str]] = {
    # Сотрудники
    "staff": {
        "id": TEXT,
        "last_name": TEXT,
        "first_name": TEXT,
        "middle_name": TEXT,
        "position": TEXT,
        "platform_role": TEXT,
        "phone": TEXT,
        "email": TEXT,
        "cabinet": TEXT,
        "hired": DATE,
        "dismissed": DATE,
        "joined": DATE,
        "status_confirmed": FLAG,
        "in_teachers_room": FLAG,
        "gender": TEXT,  # Пол: «м», «ж» or empty (then inferred where a message needs it)
    },
    # Объединения
    "sections": {"code": TEXT, "name": TEXT, "teacher_id": TEXT, "cabinet": TEXT, "class_created": FLAG},
    # Обучающиеся
    "pupils": {
        "id": TEXT,
        "last_name": TEXT,
        "first_name": TEXT,
        "middle_name": TEXT,
        "birth_date": DATE,
        "activist": FLAG,
        "enrolled": DATE,
        "expelled": DATE,
        "joined": DATE,
        "gender": TEXT,  # Пол
    },
    # Обучающиеся → Объединения: one row per (pupil, section)
    "enrolments": {"pupil_id": TEXT, "section_code": TEXT},
    # Родители
    "parents": {
        "id": TEXT,
        "last_name": TEXT,
        "first_name": TEXT,
        "middle_name": TEXT,
        "phone": TEXT,
        "email": TEXT,
        "activist": FLAG,
        "joined": DATE,
        "gender": TEXT,  # Пол
    },
    # Родители → Дети: one row per (parent, pupil)
    "kinship": {"parent_id": TEXT, "pupil_id": TEXT},
    # Чаты; `type` holds the ChatType key
    "chats": {
        "id": TEXT,
        "name": TEXT,
        "type": TEXT,
        "section_code": TEXT,
        "owner_id": TEXT,
        "created": DATE,
        "last_message": DATE,
        "messenger": TEXT,  # the client the chat lives in; empty means the organisation's old one (VK)
    },
    # Участники чатов
    "members": {"chat_id": TEXT, "person_id": TEXT, "added": DATE},
    # Каналы
    "channels": {"name": TEXT, "last_post": DATE},
    # Ссылки-приглашения
    "invites": {
        "id": TEXT,
        "created": DATE,
        "created_by": TEXT,
        "target": TEXT,
        "role": TEXT,
        "used": DATE,
        "annulled": DATE,
        "valid_until": DATE,
        "token": TEXT,  # the secret part of the link; kept in the store only, never exported
    },
    # Заявки на вступление
    "requests": {
        "id": TEXT,
        "applicant_id": TEXT,
        "role": TEXT,
        "filed": DATE,
        "decision": TEXT,
        "decided": DATE,
    },
}


def empty_table(name: str) -> pd.DataFrame:
    """A table with no rows and the declared columns and dtypes."""
    return conform(pd.DataFrame({c: [] for c in TABLES[name]}), name)


def conform(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """Return ``frame`` with exactly the declared columns of table ``name``, in order, with their dtypes."""
    out = {}
    for column, dtype in TABLES[name].items():
        values = frame[column] if column in frame else pd.Series([None] * len(frame), index=frame.index)
        if dtype == FLAG:
            out[column] = values.fillna(False).astype(bool)
        elif dtype == DATE:
            out[column] = pd.to_datetime(values).astype(DATE) if len(values) else values.astype(DATE)
        else:
            out[column] = values.astype(dtype)
    return pd.DataFrame(out).reset_index(drop=True)


@dataclass(frozen=True)
class Organisation:
    """The educational organisation (образовательная организация) and its settings."""

    full_name: str  # Полное наименование
    short_name: str  # Краткое наименование
    city: str | None = None  # Город
    head_id: str | None = None  # Руководитель (ID сотрудника)
    head_position: str | None = None  # Должность руководителя, as signed («И.о. директора»); empty = «Директор»
    admin_id: str | None = None  # Администратор платформы (ID сотрудника)
    admin_order_number: str | None = None  # Приказ о назначении администратора: номер
    admin_order_date: dt.date | None = None  # … дата
    usage_order_number: str | None = None  # Приказ об использовании платформы: номер
    usage_order_date: dt.date | None = None  # … дата
    email: str | None = None  # Email организации
    address: str | None = None  # Адрес организации
    phone: str | None = None  # Телефон организации
    messenger: Messenger = Messenger.VK  # Мессенджер
    regulation_edition: str | None = None  # Редакция положения: «2023» (empty) or «новая»; citations follow it
    application_sent: dt.date | None = None  # Заявка на регистрацию отправлена
    admin_registered: dt.date | None = None  # Администратор зарегистрирован (вошёл по номеру из заявки)
    teachers_room_created: dt.date | None = None  # «Учительская» создана

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, Messenger):
                value = value.value
            out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Organisation:
        kwargs: dict[str, object] = {}
        for f in fields(cls):
            value = data.get(f.name)
            if value is not None and f.name in _DATE_FIELDS:
                value = dt.date.fromisoformat(str(value))
            elif f.name == "messenger":
                value = Messenger(value or Messenger.VK.value)
            kwargs[f.name] = value
        return cls(**kwargs)  # type: ignore[arg-type]


_DATE_FIELDS = frozenset(
    {"admin_order_date", "usage_order_date", "application_sent", "admin_registered", "teachers_room_created"}
)

#: Sheets whose absence means "no data"; checks that need them are then not performed.
OPTIONAL_SHEETS: tuple[str, ...] = (
    "Объединения",
    "Обучающиеся",
    "Родители",
    "Чаты",
    "Участники чатов",
    "Каналы",
    "Ссылки-приглашения",
    "Заявки",
)
REQUIRED_SHEETS: tuple[str, ...] = ("Организация", "Сотрудники")


@dataclass(frozen=True)
class Snapshot:
    """The organisation's data at one moment (снимок): the organisation and its tables.

    ``sheets`` names the workbook sheets the data came with; a check needing an absent sheet is not
    performed rather than passed.
    """

    organisation: Organisation
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    sheets: frozenset[str] = frozenset(REQUIRED_SHEETS)
    # what the checks derive from the tables (codes of IDs), kept between the audit and the indicators of one
    # snapshot; never compared, copied by ``with_tables`` nor pickled
    memo: dict[str, object] = field(default_factory=dict, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        complete = {name: self.tables.get(name) for name in TABLES}
        for name, table in complete.items():
            if table is None:
                complete[name] = empty_table(name)
        object.__setattr__(self, "tables", complete)

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "memo"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.__dict__["memo"] = {}

    def __getattr__(self, name: str) -> pd.DataFrame:
        # staff, pupils, chats … read as attributes
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def has(self, *sheets: str) -> bool:
        """Whether every named sheet was present in the source."""
        return all(s in self.sheets for s in sheets)

    def with_tables(self, **tables: pd.DataFrame) -> Snapshot:
        return replace(self, tables={**self.tables, **tables})


def is_pedagogical(position: pd.Series) -> pd.Series:
    """Pedagogical staff (педагогические работники): the position names a pedagogical word."""
    pattern = "|".join(PEDAGOGICAL_WORDS)
    return position.fillna("").str.lower().str.replace("ё", "е").str.contains(pattern, regex=True)


def is_current(start: pd.Series, end: pd.Series, on: pd.Timestamp) -> pd.Series:
    """Current on a day (на дату): started on or before it (or no start) and not ended by it."""
    return (start.isna() | (start <= on)) & (end.isna() | (end > on))


def has_joined(joined: pd.Series, on: pd.Timestamp) -> pd.Series:
    """Joined the organisation on the platform on or before the day (присоединился)."""
    return joined.notna() & (joined <= on)


def full_name(table: pd.DataFrame) -> pd.Series:
    """«Фамилия Имя Отчество» for each row of a people table."""
    parts = table["last_name"].fillna("") + " " + table["first_name"].fillna("")
    middle = table["middle_name"].fillna("")
    return (parts + " " + middle).str.strip()
