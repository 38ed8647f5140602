"""Training steps for each role, built on the duty catalogue and the procedures.

A step is one duty: why it matters, the action that performs it (a procedure with a small form in the platform's
own words) and one or two self-check questions. Steps are plain data; widgets only show them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sferum_lib.model import ChatType, Snapshot, full_name, is_current, is_pedagogical


@dataclass(frozen=True)
class Field:
    """One input of a step's form; ``choices`` lists (label, value) pairs drawn from the practice organisation."""

    name: str
    label: str
    kind: str = "text"  # text | choice
    choices: Callable[[Snapshot], list[tuple[str, str]]] | None = None
    default: Callable[[Snapshot], str] | str = ""


@dataclass(frozen=True)
class Question:
    text: str
    options: tuple[str, ...]
    answer: int
    explain: str


@dataclass(frozen=True)
class Step:
    duty: str
    why: str
    actor: str  # persona acting: head | admin | teacher | methodist | pupil | parent
    procedure: str | None = None
    button: str = ""
    fields: tuple[Field, ...] = ()
    questions: tuple[Question, ...] = ()
    fixed: dict[str, Any] = field(default_factory=dict)  # parameters the trainee does not choose


# --- personas and choices drawn from the practice organisation -----------------------------------------


def personas(s: Snapshot) -> dict[str, str]:
    """Who plays each part in the practice organisation."""
    staff = s.staff[s.staff["dismissed"].isna()]
    methodists = list(staff.loc[staff["position"] == "методист", "id"])
    admin = s.organisation.admin_id or (methodists[0] if methodists else staff["id"].iloc[0])
    section = practice_sections(s).iloc[0]
    counts = s.enrolments.groupby("pupil_id").size()
    single = set(counts[counts == 1].index)  # the trainee pupil attends one section: the other is foreign
    enrol = s.enrolments[s.enrolments["section_code"] == section["code"]]
    pupils = s.pupils[s.pupils["expelled"].isna() & s.pupils["id"].isin(enrol["pupil_id"])]
    pupil = next((i for i in pupils["id"] if i in single), pupils["id"].iloc[0])
    parents = s.kinship.loc[s.kinship["pupil_id"] == pupil, "parent_id"]
    return {
        "head": s.organisation.head_id or staff["id"].iloc[0],
        "admin": admin,
        "teacher": section["teacher_id"],
        "methodist": next((m for m in methodists if m != admin), admin),
        "pupil": pupil,
        "parent": parents.iloc[0] if len(parents) else s.parents["id"].iloc[0],
        "section": section["code"],
    }


def practice_sections(s: Snapshot) -> pd.DataFrame:
    """Sections whose teacher still works here, in order: the first is the trainee's own."""
    working = s.staff.loc[s.staff["dismissed"].isna(), "id"]
    return s.sections[s.sections["teacher_id"].isin(working)]


def _name(s: Snapshot, person_id: str) -> str:
    for table in (s.staff, s.pupils, s.parents):
        row = table[table["id"] == person_id]
        if len(row):
            return f"{full_name(row).iloc[0]} ({person_id})"
    return person_id


def staff_choices(pedagogical_only: bool = True) -> Callable[[Snapshot], list[tuple[str, str]]]:
    def choices(s: Snapshot) -> list[tuple[str, str]]:
        staff = s.staff[s.staff["dismissed"].isna()]
        if pedagogical_only:
            staff = staff[is_pedagogical(staff["position"])]
        return [(f"{_name(s, i)} — {p}", i) for i, p in zip(staff["id"], staff["position"], strict=True)]

    return choices


def section_choices(s: Snapshot) -> list[tuple[str, str]]:
    return [(f"{n} ({c})", c) for c, n in zip(s.sections["code"], s.sections["name"], strict=True)]


def open_invites(s: Snapshot) -> list[tuple[str, str]]:
    inv = s.invites[s.invites["used"].isna() & s.invites["annulled"].isna()]
    return [(f"{i}: «{t}», роль «{r}»", i) for i, t, r in zip(inv["id"], inv["target"], inv["role"], strict=True)]


def pending_requests(s: Snapshot) -> list[tuple[str, str]]:
    req = s.requests[s.requests["decision"].isna()]
    return [
        (f"{i}: {_name(s, a)}, роль «{r}»", i)
        for i, a, r in zip(req["id"], req["applicant_id"], req["role"], strict=True)
    ]


def current_pupils(s: Snapshot) -> list[tuple[str, str]]:
    day = pd.Timestamp.today().normalize()
    pupils = s.pupils[is_current(s.pupils["enrolled"], s.pupils["expelled"], day)]
    return [(_name(s, i), i) for i in pupils["id"].head(40)]


def chat_type_choices(types: tuple[ChatType, ...]) -> Callable[[Snapshot], list[tuple[str, str]]]:
    return lambda s: [(t.label, t.value) for t in types]


def chats_of_type(*types: ChatType) -> Callable[[Snapshot], list[tuple[str, str]]]:
    def choices(s: Snapshot) -> list[tuple[str, str]]:
        chats = s.chats[s.chats["type"].isin([t.value for t in types])]
        return [(f"{n} ({i})", i) for i, n in zip(chats["id"], chats["name"], strict=True)]

    return choices


APPOINT_FIELDS = (
    Field("staff_id", "Кого назначить", "choice", staff_choices(), lambda s: personas(s)["admin"]),
    Field("order_number", "Номер приказа", default="1"),
)
JOIN_Q = Question(
    "Вы вошли на платформу не в той роли. Что делать?",
    (
        "Сменить роль в настройках профиля",
        "Попросить администратора удалить вас и прислать ссылку для нужной роли",
        "Создать второй профиль",
    ),
    1,
    "Роль изменить нельзя: администратор удаляет участника и приглашает его снова по ссылке для нужной роли.",
)
LINK_Q = Question(
    "Кому можно переслать ссылку-приглашение, полученную от педагога?",
    ("Никому: она выдана вам для вашей роли", "Однокласснику из другого объединения", "Любому родителю"),
    0,
    "Ссылка выдаётся для одной роли и одного класса или чата; пересылать её нельзя (информационная безопасность).",
)


def join_step(duty: str, why: str, actor: str, button: str, question: Question) -> Step:
    """A persona joins by a link the trainee picks (the wrong one is refused)."""
    return Step(
        duty,
        why,
        actor,
        "join_by_invite",
        button,
        (Field("invite", "Ссылка", "choice", open_invites),),
        (question,),
        fixed={"person_id": actor},
    )


def status_step(duty: str, why: str, actor: str, button: str) -> Step:
    """A persona confirms their own «педагог» status."""
    return Step(duty, why, actor, "confirm_status", button, fixed={"staff_id": actor})


STEPS: dict[str, list[Step]] = {
    "admin": [
        Step(
            "ADM-01",
            "Без приказа руководителя у администратора нет полномочий, а заявка на регистрацию "
            "прикладывает этот приказ.",
            "head",
            "appoint_administrator",
            "Издать приказ о назначении",
            APPOINT_FIELDS,
        ),
        Step(
            "ADM-02",
            "Заявку с приказом и контактами администратора отправляют на info@sferum.ru.",
            "admin",
            "send_application",
            "Отправить заявку на info@sferum.ru",
            questions=(
                Question(
                    "Какой телефон указывают в заявке?",
                    ("Рабочий телефон организации", "Личный мобильный телефон администратора", "Любой городской"),
                    1,
                    "В заявке — личный мобильный администратора: с ним он потом регистрируется.",
                ),
            ),
        ),
        Step(
            "ADM-03",
            "Права администратора появятся, только если войти с тем же номером, что указан в заявке.",
            "admin",
            "register_administrator",
            "Войти на платформу по номеру телефона",
            (Field("phone", "Номер мобильного телефона", default="+7 978 "),),
        ),
        Step(
            "ADM-04",
            "Сведения об организации видят все участники.",
            "admin",
            "edit_organisation",
            "Сохранить сведения об организации",
            (Field("city", "Город", default="Керчь"),),
        ),
        Step(
            "ADM-05",
            "«Учительская» — место, куда присоединяются все педагогические работники.",
            "admin",
            "create_teachers_room",
            "Создать «Учительскую»",
            questions=(
                Question(
                    "Кого приглашают в «Учительскую»?",
                    ("Всех педагогических работников", "Обучающихся", "Родителей"),
                    0,
                    "«Учительская» создаётся для присоединения всех педагогических работников.",
                ),
            ),
        ),
        Step(
            "ADM-06",
            "Класс платформы соответствует объединению из утверждённой номенклатуры.",
            "admin",
            "create_class",
            "Создать класс",
            (Field("section", "Объединение", "choice", section_choices),),
        ),
        Step(
            "ADM-07",
            "Ссылка-приглашение выдаётся для определённого места и роли.",
            "admin",
            "issue_invite",
            "Создать ссылку-приглашение",
            (
                Field(
                    "target",
                    "Куда",
                    "choice",
                    lambda s: (
                        [("«Учительская»", "Учительская"), ("организация", "организация")]
                        + [
                            (f"класс «{n}»", f"объединение:{c}")
                            for c, n in zip(s.sections["code"], s.sections["name"], strict=True)
                        ]
                    ),
                ),
                Field(
                    "role",
                    "Роль",
                    "choice",
                    lambda s: [("педагог", "педагог"), ("обучающийся", "обучающийся"), ("родитель", "родитель")],
                ),
            ),
            (JOIN_Q,),
        ),
        Step(
            "ADM-08",
            "Дополнительные администраторы помогают, но назначают их только из присоединившихся педагогов.",
            "admin",
            "appoint_additional_admin",
            "Назначить дополнительным администратором",
            (Field("staff_id", "Педагог", "choice", staff_choices()),),
        ),
        Step(
            "ADM-09",
            "Педагоги ДО прикрепляются к кабинетам по утверждённому распределению.",
            "admin",
            "attach_to_cabinet",
            "Прикрепить к кабинету",
            (Field("staff_id", "Педагог", "choice", staff_choices()), Field("cabinet", "Кабинет", default="1")),
        ),
        Step(
            "ADM-10",
            "Заявки на вступление нужно рассматривать вовремя: замечание — через 3 дня ожидания.",
            "admin",
            "accept_request",
            "Принять заявку",
            (Field("request_id", "Заявка", "choice", pending_requests),),
        ),
        Step(
            "ADM-11",
            "Подтверждённый статус «учитель» открывает педагогу функции платформы.",
            "admin",
            "confirm_status",
            "Подтвердить статус «педагог»",
            (Field("staff_id", "Педагог", "choice", staff_choices()),),
        ),
        Step(
            "ADM-12",
            "Выбывшие должны покинуть чаты организации.",
            "admin",
            "record_departure",
            "Отметить выбытие",
            (Field("person_id", "Кто выбыл", "choice", current_pupils),),
        ),
        Step(
            "ADM-13",
            "Неиспользованные ссылки — риск: по ним может войти посторонний.",
            "admin",
            "annul_invite",
            "Аннулировать ссылку",
            (Field("invite_id", "Ссылка", "choice", open_invites),),
            (
                Question(
                    "Когда ссылка считается невостребованной?",
                    ("Через 7 дней без использования или по истечении срока", "Через год", "Никогда"),
                    0,
                    "По умолчанию — 7 дней без использования или истёкший срок действия.",
                ),
            ),
        ),
        Step(
            "ADM-14",
            "Системные каналы «Общий» и «Сотрудники» — официальные новости организации.",
            "admin",
            "create_channel",
            "Создать системный канал",
            (Field("name", "Канал", "choice", lambda s: [("Общий", "Общий"), ("Сотрудники", "Сотрудники")]),),
        ),
        Step(
            "ADM-15",
            "Трансляции организации планируются заранее.",
            "admin",
            "plan_broadcast",
            "Запланировать трансляцию",
            (Field("title", "Тема", default="Открытое занятие"),),
            fixed={"when": "today"},
        ),
        Step(
            "ADM-16",
            "Администратор помогает участникам пользоваться учебным профилем.",
            "admin",
            questions=(
                Question(
                    "Родитель не может открыть ссылку на телефоне ребёнка. Что посоветовать?",
                    (
                        "Открыть ссылку или QR-код на своём телефоне",
                        "Войти в профиль ребёнка",
                        "Создать общий профиль на двоих",
                    ),
                    0,
                    "Родитель входит со своего номера; в профиле ребёнка ссылка не сработает.",
                ),
            ),
        ),
        Step(
            "ADM-17",
            "Вопросы по работе платформы — в техническую поддержку info@sferum.ru.",
            "admin",
            "log_support_request",
            "Обратиться в поддержку",
            (Field("subject", "Вопрос", default="Не приходят уведомления"),),
        ),
        Step(
            "ADM-18",
            "Руководитель должен видеть, как используется платформа.",
            "admin",
            "hand_statistics",
            "Передать статистику руководителю",
        ),
    ],
    "head": [
        Step(
            "HEAD-01",
            "Локальный акт — основа работы организации на платформе.",
            "head",
            "issue_usage_order",
            "Издать приказ об использовании платформы",
            (Field("number", "Номер приказа", default="1"),),
        ),
        Step(
            "HEAD-02",
            "Администратора назначают из числа педагогических работников.",
            "head",
            "appoint_administrator",
            "Назначить администратора",
            APPOINT_FIELDS,
        ),
        join_step(
            "HEAD-03",
            "Руководитель присоединяется к «Учительской» в роли «педагог».",
            "head",
            "Присоединиться по ссылке-приглашению",
            JOIN_Q,
        ),
        status_step("HEAD-04", "Подтверждённый статус нужен и руководителю.", "head", "Подтвердить статус «педагог»"),
        Step(
            "HEAD-05",
            "Руководитель обеспечивает администратора материалами для системных каналов.",
            "head",
            "supply_channel_material",
            "Передать материал для канала",
            (
                Field("name", "Канал", "choice", lambda s: [(n, n) for n in s.channels["name"]]),
                Field("text", "Текст", default="Приглашаем на родительское собрание"),
            ),
        ),
        Step(
            "HEAD-06",
            "Управленческие чаты: с заместителями, педагогами, родительским и ученическим активом.",
            "head",
            "create_chat",
            "Создать чат",
            (
                Field(
                    "chat_type",
                    "Тип чата",
                    "choice",
                    chat_type_choices(
                        (
                            ChatType.HEAD_DEPUTIES,
                            ChatType.HEAD_TEACHERS,
                            ChatType.HEAD_PARENT_ACTIVISTS,
                            ChatType.HEAD_STUDENT_ACTIVISTS,
                        )
                    ),
                ),
                Field("name", "Название", default="Руководство"),
            ),
        ),
        Step(
            "HEAD-07",
            "Руководитель контролирует использование учебного профиля.",
            "head",
            questions=(
                Question(
                    "Где руководитель видит, как используется платформа?",
                    ("В отчёте «Использование платформы» от администратора", "Нигде", "Только в личных сообщениях"),
                    0,
                    "Администратор передаёт статистику (п. 2.1), руководитель по ней контролирует.",
                ),
            ),
        ),
    ],
    "pdo": [
        join_step(
            "PDO-01",
            "Педагог присоединяется по ссылке администратора в роли «педагог».",
            "teacher",
            "Присоединиться по ссылке-приглашению",
            JOIN_Q,
        ),
        status_step(
            "PDO-02", "Подтверждённый статус открывает функции педагога.", "teacher", "Пройти подтверждение статуса"
        ),
        Step(
            "PDO-03",
            "У объединения — чат с обучающимися, чат с родителями и чат с педагогами.",
            "teacher",
            "create_chat",
            "Создать чат",
            (
                Field(
                    "chat_type",
                    "Тип чата",
                    "choice",
                    chat_type_choices(
                        (ChatType.SECTION_STUDENTS, ChatType.SECTION_PARENTS, ChatType.SECTION_TEACHERS, ChatType.OTHER)
                    ),
                ),
                Field("name", "Название", default="Наше объединение"),
                Field("section", "Объединение", "choice", section_choices, lambda s: personas(s)["section"]),
            ),
            (
                Question(
                    "Кто может состоять в чате родителей объединения?",
                    ("Родители обучающихся этого объединения и педагоги", "Любые родители организации", "Обучающиеся"),
                    0,
                    "Посторонних в чатах объединения быть не должно (п. 2.1, 2.3).",
                ),
            ),
        ),
        Step(
            "PDO-04",
            "Чаты живут, когда в них общаются и проводят дистанционные мероприятия.",
            "teacher",
            questions=(
                Question(
                    "В чате обучающихся месяц нет сообщений. Это…",
                    (
                        "Нормально",
                        "Повод оживить чат: чат считается активным при сообщениях за 30 дней",
                        "Нарушение, чат надо удалить",
                    ),
                    1,
                    "Показатель «активные чаты» считает сообщения за последние 30 дней.",
                ),
            ),
        ),
    ],
    "ped": [
        join_step(
            "PED-01",
            "Педагогический работник присоединяется по ссылке администратора в роли «педагог».",
            "methodist",
            "Присоединиться по ссылке-приглашению",
            JOIN_Q,
        ),
        status_step(
            "PED-02", "Подтверждённый статус открывает функции педагога.", "methodist", "Пройти подтверждение статуса"
        ),
        Step(
            "PED-03",
            "Для учебного занятия создают чат с обучающимися секции.",
            "methodist",
            "create_chat",
            "Создать чат занятия",
            (
                Field("chat_type", "Тип чата", "choice", chat_type_choices((ChatType.LESSON, ChatType.OTHER))),
                Field("name", "Название", default="Занятие"),
                Field("section", "Объединение", "choice", section_choices, lambda s: personas(s)["section"]),
            ),
        ),
        Step(
            "PED-04",
            "Занятия можно проводить дистанционно: звонки, файлы, опросы.",
            "methodist",
            questions=(
                Question(
                    "Что нужно для дистанционного занятия с группой?",
                    ("Чат занятия с обучающимися секции и групповой звонок", "Личные сообщения каждому", "Ничего"),
                    0,
                    "Учебный чат с обучающимися — место для занятий и звонков (п. 2.3).",
                ),
            ),
        ),
    ],
    "student": [
        join_step(
            "STU-01",
            "Обучающийся вступает по ссылке педагога только в чат своего объединения.",
            "pupil",
            "Вступить в чат по ссылке",
            LINK_Q,
        ),
        Step(
            "STU-02",
            "В чатах объединения и по дисциплинам идёт учебное общение.",
            "pupil",
            questions=(
                Question(
                    "Где задать вопрос педагогу о домашнем задании?",
                    ("В чате своего объединения", "В чужом чате", "В системном канале"),
                    0,
                    "Учебное общение — в чате объединения и чатах по дисциплинам.",
                ),
            ),
        ),
        Step(
            "STU-03",
            "Занятия бывают онлайн и в гибридном формате.",
            "pupil",
            questions=(
                Question(
                    "Занятие сегодня проходит онлайн. Что делать?",
                    ("Подключиться к звонку в чате объединения", "Пропустить", "Ждать в школе"),
                    0,
                    "Онлайн-занятия проводятся в учебном профиле.",
                ),
            ),
        ),
        Step(
            "STU-04",
            "Обучающийся сам отвечает за безопасность своего профиля.",
            "pupil",
            questions=(
                Question(
                    "Незнакомец просит код из СМС. Что делать?",
                    ("Сообщить код", "Никому не сообщать и рассказать взрослым", "Переслать ссылку"),
                    1,
                    "Коды и пароли не сообщают никому; безопасный режим не отключают.",
                ),
            ),
        ),
    ],
    "parent": [
        join_step(
            "PAR-01",
            "Родитель вступает в чат по ссылке педагога или администрации.",
            "parent",
            "Вступить в чат по ссылке",
            LINK_Q,
        ),
        Step(
            "PAR-02",
            "В чате родителей объединения решают организационные вопросы.",
            "parent",
            questions=(
                Question(
                    "В чате родителей появился незнакомый участник. Что делать?",
                    ("Сообщить педагогу или администратору", "Ничего", "Удалить чат"),
                    0,
                    "Посторонних в чатах объединения быть не должно: их удаляют (п. 2.1).",
                ),
            ),
        ),
    ],
}
