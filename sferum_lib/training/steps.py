"""Training steps for each role, built on the duty catalogue and the procedures.

A step is one duty: why it matters, the action that performs it (a procedure with a small form in the platform's
own words) and one or two self-check questions. Steps are plain data; widgets only show them.

Every «why», answer and explanation says what the regulation says, citing it; what the platform does beyond
the regulation is marked «на платформе: …», the product's own measures «в программе: …», and limits the
regulation does not set are the organisation's rules, with the value in force.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sferum_lib.checks import AuditSettings
from sferum_lib.model import ChatType, Snapshot, full_name, is_current, is_pedagogical
from sferum_lib.regulation.editions import cite

#: The organisation's rules the training cites (the regulation sets no such limits).
RULES = AuditSettings()


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
    """Links not annulled: a used link still serves its group (на платформе)."""
    inv = s.invites[s.invites["annulled"].isna()]
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
    "В какой пользовательской роли педагогический работник присоединяется к образовательной организации?",
    ("В роли «педагог»", "В роли «обучающийся»", "В роли «родитель»"),
    0,
    "По ссылке-приглашению педагогические работники и администрация присоединяются в пользовательской роли "
    "«педагог» (п. 2.2, 2.3). Если роль выбрана не та, обратитесь к администратору платформы: он создаёт "
    "ссылки-приглашения в соответствующей пользовательской роли и оказывает помощь участникам (п. 2.1).",
)
PUPIL_LINK_Q = Question(
    "От кого обучающийся получает ссылку-приглашение в чат секции?",
    ("От педагога", "От другого обучающегося", "Из системного канала «Общий»"),
    0,
    "Обучающийся присоединяется по ссылке-приглашению, полученной от педагога, в чат (абз. «Обучающийся…»). "
    "На платформе: одна ссылка служит всей группе, пока её не аннулируют или не истечёт срок её действия.",
)
PARENT_LINK_Q = Question(
    "От кого родитель получает ссылку-приглашение в чат?",
    (
        "От педагогического работника или представителя администрации",
        "От администратора платформы по заявке на вступление",
        "От другого родителя",
    ),
    0,
    "Родитель присоединяется к чату по ссылке-приглашению, полученной от педагогического работника (педагога "
    "дополнительного образования, представителя администрации образовательной организации) (п. 2.7). Заявки на "
    "вступление администратор рассматривает от педагогических работников и обучающихся (п. 2.1).",
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


STATUS_Q = Question(
    "Кто завершает подтверждение статуса педагога?",
    ("Администратор платформы", "Сам педагог", "Служба технической поддержки"),
    0,
    "Педагогический работник проходит процесс верификации статуса «педагог» (п. 2.3), а администратор платформы "
    "завершает процесс подтверждения статуса (п. 2.1) — и то и другое при необходимости.",
)


def status_step(duty: str, why: str, actor: str, button: str) -> Step:
    """A persona starts the verification of their own «педагог» status; the administrator completes it."""
    return Step(duty, why, actor, "start_verification", button, fixed={"staff_id": actor})


ROLE_CHOICES = ("педагог", "обучающийся")  # the administrator's links: pedagogical staff and pupils (п. 2.1)

#: A citation in a step's text, as the 2023 edition numbers it: «(п. 2.1)», «(п. 2.2, 2.3)», «(абз. «Обучающийся…»)».
_CITATION = re.compile(r"\((?:п\.\s*)?(\d+\.\d+(?:\s*,\s*\d+\.\d+)*|абз\.\s*«[^»]*»)\)")


def cited(text: str, edition: str | None) -> str:
    """A step's text with every citation in ``edition`` (the organisation's «Редакция положения»)."""
    return _CITATION.sub(lambda m: f"({cite(m.group(1), edition)})", text)


def steps_in(steps: list[Step], edition: str | None) -> list[Step]:
    """The steps as a trainee reads them: «why», questions and explanations cite ``edition``."""

    def question(q: Question) -> Question:
        return dataclasses.replace(q, text=cited(q.text, edition), explain=cited(q.explain, edition))

    return [
        dataclasses.replace(step, why=cited(step.why, edition), questions=tuple(map(question, step.questions)))
        for step in steps
    ]


STEPS: dict[str, list[Step]] = {
    "admin": [
        Step(
            "ADM-01",
            "Администратор назначается руководителем образовательной организации в соответствии с приказом "
            "(п. 2.1); к заявке на регистрацию прикладывают этот приказ.",
            "head",
            "appoint_administrator",
            "Издать приказ о назначении",
            APPOINT_FIELDS,
        ),
        Step(
            "ADM-02",
            "Заявку на регистрацию организации направляют на info@sferum.ru с приложением приказа о назначении "
            "администратора и его контактными данными: ФИО, адрес электронной почты, номер личного мобильного "
            "телефона (п. 2.1).",
            "admin",
            "send_application",
            "Отправить заявку на info@sferum.ru",
            questions=(
                Question(
                    "Какой телефон указывают в заявке на регистрацию?",
                    (
                        "Телефон организации",
                        "Номер личного мобильного телефона администратора",
                        "Телефон руководителя",
                    ),
                    1,
                    "В заявке указывают номер личного мобильного телефона администратора (п. 2.1): по нему "
                    "администратор затем проходит регистрацию на платформе.",
                ),
            ),
        ),
        Step(
            "ADM-03",
            "Администратор проходит регистрацию на платформе, вводя номер мобильного телефона, указанный в заявке "
            "(п. 2.1).",
            "admin",
            "register_administrator",
            "Войти на платформу по номеру телефона",
            (Field("phone", "Номер мобильного телефона", default="+7 978 "),),
        ),
        Step(
            "ADM-04",
            "Администратор вносит и редактирует информацию об образовательной организации (п. 2.1).",
            "admin",
            "edit_organisation",
            "Сохранить сведения об организации",
            (Field("city", "Город", default="Керчь"),),
        ),
        Step(
            "ADM-05",
            "Кабинет «Учительская» создают, чтобы к платформе присоединились все педагогические работники "
            "организации (п. 2.1).",
            "admin",
            "create_teachers_room",
            "Создать «Учительскую»",
            questions=(
                Question(
                    "Кого приглашают в «Учительскую»?",
                    ("Всех педагогических работников", "Обучающихся", "Родителей"),
                    0,
                    "Кабинет «Учительская» создаётся с целью присоединения всех педагогических работников "
                    "образовательной организации (п. 2.1).",
                ),
            ),
        ),
        Step(
            "ADM-06",
            "При необходимости администратор создаёт структуру организации — классы — в соответствии "
            "с утверждённой номенклатурой (п. 2.1). В программе класс платформы соответствует объединению.",
            "admin",
            "create_class",
            "Создать класс",
            (Field("section", "Объединение", "choice", section_choices),),
        ),
        Step(
            "ADM-07",
            "Администратор создаёт и направляет ссылки-приглашения педагогическим работникам и — при "
            "необходимости — обучающимся, для присоединения в соответствующий класс в соответствующей "
            "пользовательской роли (п. 2.1). Родители присоединяются к чату по ссылке педагогического работника "
            "или представителя администрации (п. 2.7). На платформе: одна ссылка служит всей группе, пока её не "
            "аннулируют или не истечёт срок её действия.",
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
                Field("role", "Роль", "choice", lambda s: [(r, r) for r in ROLE_CHOICES]),
            ),
            (JOIN_Q,),
        ),
        Step(
            "ADM-08",
            "Дополнительных администраторов назначают из числа присоединившихся на платформу педагогических "
            "работников организации (п. 2.1).",
            "admin",
            "appoint_additional_admin",
            "Назначить дополнительным администратором",
            (Field("staff_id", "Педагог", "choice", staff_choices()),),
        ),
        Step(
            "ADM-09",
            "При необходимости педагогов дополнительного образования прикрепляют к учебным кабинетам "
            "в соответствии с распределением, утверждённым руководителем (п. 2.1).",
            "admin",
            "attach_to_cabinet",
            "Прикрепить к кабинету",
            (Field("staff_id", "Педагог", "choice", staff_choices()), Field("cabinet", "Кабинет", default="1")),
        ),
        Step(
            "ADM-10",
            "Администратор рассматривает и принимает заявки на вступление от педагогических работников "
            "и обучающихся (п. 2.1). Срока рассмотрения положение не устанавливает; по правилам организации "
            f"заявка, ждущая дольше {RULES.request_max_age_days} дн., попадает в замечания аудита.",
            "admin",
            "accept_request",
            "Принять заявку",
            (Field("request_id", "Заявка", "choice", pending_requests),),
        ),
        Step(
            "ADM-11",
            "Педагог проходит верификацию статуса «педагог», а администратор завершает процесс подтверждения "
            "статуса (п. 2.1, 2.3) — при необходимости. Свой статус никто не подтверждает сам.",
            "admin",
            "confirm_status",
            "Завершить подтверждение статуса",
            (Field("staff_id", "Педагог", "choice", staff_choices()),),
            (STATUS_Q,),
        ),
        Step(
            "ADM-12",
            "Администратор редактирует информацию о движении обучающихся и педагогических работников (п. 2.1). "
            "В программе выбывший при этом покидает чаты организации.",
            "admin",
            "record_departure",
            "Отметить выбытие",
            (Field("person_id", "Кто выбыл", "choice", current_pupils),),
        ),
        Step(
            "ADM-13",
            "Невостребованные ссылки-приглашения аннулируют, чтобы обеспечить информационную безопасность "
            "участников образовательных отношений (п. 2.1): по открытой ссылке может войти посторонний.",
            "admin",
            "annul_invite",
            "Аннулировать ссылку",
            (Field("invite_id", "Ссылка", "choice", open_invites),),
            (
                Question(
                    "Когда ссылка-приглашение считается невостребованной?",
                    (
                        f"По правилам организации: не использована {RULES.invite_max_age_days} дн. или истёк срок",
                        "Сразу после того, как по ней присоединился первый участник",
                        "Когда её создал не администратор, а педагог",
                    ),
                    0,
                    "Невостребованные ссылки администратор аннулирует (п. 2.1), но срока положение не "
                    "устанавливает: по правилам организации ссылка невостребована, если ею не "
                    f"пользовались {RULES.invite_max_age_days} дн. или истёк срок её действия. На платформе: "
                    "ссылка служит всей группе, пока её не аннулируют или не истечёт срок.",
                ),
            ),
        ),
        Step(
            "ADM-14",
            "Администратор ведёт, размещает информацию и развивает системные каналы организации: «Общий» "
            "и «Сотрудники» (п. 2.1).",
            "admin",
            "create_channel",
            "Создать системный канал",
            (Field("name", "Канал", "choice", lambda s: [("Общий", "Общий"), ("Сотрудники", "Сотрудники")]),),
        ),
        Step(
            "ADM-15",
            "Администратор планирует и организует трансляции, проводимые организацией (п. 2.1).",
            "admin",
            "plan_broadcast",
            "Запланировать трансляцию",
            (Field("title", "Тема", default="Открытое занятие"),),
            fixed={"when": "today"},
        ),
        Step(
            "ADM-16",
            "Администратор оказывает помощь и поддержку участникам по эффективному использованию функционала "
            "учебного профиля (п. 2.1).",
            "admin",
            questions=(
                Question(
                    "Педагог не знает, как провести групповой звонок в чате. К кому ему обратиться в организации?",
                    ("К администратору платформы", "К заместителю руководителя", "К педагогу другой секции"),
                    0,
                    "Администратор оказывает помощь и поддержку участникам образовательных отношений (п. 2.1); "
                    "инструкции есть и на сайте prof-sferum.ru (п. 3.3).",
                ),
            ),
        ),
        Step(
            "ADM-17",
            "Администратор взаимодействует со службой технической поддержки разработчика платформы (п. 2.1); "
            "обратиться в неё по адресу info@sferum.ru вправе и каждый участник (п. 3.2).",
            "admin",
            "log_support_request",
            "Обратиться в поддержку",
            (Field("subject", "Вопрос", default="Не приходят уведомления"),),
        ),
        Step(
            "ADM-18",
            "При наличии доступа администратор доводит до руководителя статистические данные по использованию "
            "платформы (п. 2.1).",
            "admin",
            "hand_statistics",
            "Передать статистику руководителю",
        ),
    ],
    "head": [
        Step(
            "HEAD-01",
            "Администрация издаёт локальный нормативный документ (приказ, распоряжение) об использовании "
            "платформы (п. 2.2).",
            "head",
            "issue_usage_order",
            "Издать приказ об использовании платформы",
            (Field("number", "Номер приказа", default="1"),),
        ),
        Step(
            "HEAD-02",
            "Руководитель назначает администратора платформы приказом из числа педагогических работников "
            "(п. 2.1, 2.2).",
            "head",
            "appoint_administrator",
            "Назначить администратора",
            APPOINT_FIELDS,
        ),
        join_step(
            "HEAD-03",
            "Администрация присоединяется по ссылке-приглашению в кабинет «Учительская» в пользовательской роли "
            "«педагог» (п. 2.2).",
            "head",
            "Присоединиться по ссылке-приглашению",
            JOIN_Q,
        ),
        status_step(
            "HEAD-04",
            "При необходимости администрация подтверждает статус «педагог» (п. 2.2): проходит верификацию, "
            "а завершает её администратор платформы (п. 2.1).",
            "head",
            "Пройти верификацию статуса",
        ),
        Step(
            "HEAD-05",
            "Администрация обеспечивает администратора информационным материалом для системных каналов «Общий» "
            "и «Сотрудники» (п. 2.2).",
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
            "Управленческие чаты (п. 2.2): руководителя с заместителями, с педагогическими работниками, "
            "с родительским активом, с ученическим активом, иные чаты для решения управленческих задач.",
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
            "Администрация осуществляет контроль по использованию учебного профиля участниками, в том числе для "
            "дистанционных мероприятий и учебных занятий (п. 2.2).",
            "head",
            questions=(
                Question(
                    "От кого руководитель получает статистические данные по использованию платформы?",
                    ("От администратора платформы", "От службы технической поддержки", "От родительского актива"),
                    0,
                    "Администратор доводит до сведения руководителя статистические данные по использованию "
                    "платформы при наличии доступа (п. 2.1). В программе это отчёт «Использование платформы».",
                ),
            ),
        ),
    ],
    "pdo": [
        join_step(
            "PDO-01",
            "Педагог дополнительного образования присоединяется по ссылке-приглашению, полученной "
            "от администратора, в пользовательской роли «педагог» (п. 2.3).",
            "teacher",
            "Присоединиться по ссылке-приглашению",
            JOIN_Q,
        ),
        status_step(
            "PDO-02",
            "При необходимости педагог проходит верификацию статуса «педагог» (п. 2.3); завершает её "
            "администратор платформы (п. 2.1).",
            "teacher",
            "Пройти верификацию статуса",
        ),
        Step(
            "PDO-03",
            "Педагог создаёт чаты: с обучающимися своей секции, с родителями (законными представителями) "
            "обучающихся, с педагогическими работниками, ведущими занятия с обучающимися секции, и иные чаты "
            "для решения образовательных задач (п. 2.3).",
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
                    "Для кого чат с родителями, который создаёт педагог?",
                    (
                        "Для родителей (законных представителей) обучающихся его секции",
                        "Для всех родителей организации",
                        "Для обучающихся секции",
                    ),
                    0,
                    "Педагог создаёт чат с родителями (законными представителями) обучающихся своей секции "
                    "(п. 2.3). В программе родитель, чей ребёнок в объединении не учится, считается посторонним "
                    "в его чатах.",
                ),
            ),
        ),
        Step(
            "PDO-04",
            "Педагог поддерживает и развивает коммуникацию в чатах, включая мероприятия в дистанционном формате "
            "(п. 2.3).",
            "teacher",
            questions=(
                Question(
                    "В чате обучающихся месяц нет сообщений. Как поступить педагогу?",
                    (
                        "Оживить чат: педагог поддерживает и развивает коммуникацию в чатах",
                        "Удалить чат и создать новый",
                        "Ничего не делать, пока не напишут обучающиеся",
                    ),
                    0,
                    "Педагог поддерживает и развивает коммуникацию в чатах с участниками (п. 2.3). Срока положение "
                    "не устанавливает; в программе показатель «Активные чаты» считает чаты с сообщениями за "
                    "последние 30 дней.",
                ),
            ),
        ),
    ],
    "ped": [
        join_step(
            "PED-01",
            "Педагогический работник, ведущий занятия, присоединяется по ссылке-приглашению, полученной "
            "от администратора, в пользовательской роли «педагог» (абз. «Педагогический работник…»).",
            "methodist",
            "Присоединиться по ссылке-приглашению",
            JOIN_Q,
        ),
        status_step(
            "PED-02",
            "При необходимости педагогический работник проходит верификацию статуса «педагог» "
            "(абз. «Педагогический работник…»); завершает её администратор платформы (п. 2.1).",
            "methodist",
            "Пройти верификацию статуса",
        ),
        Step(
            "PED-03",
            "Педагогический работник создаёт учебные чаты: чат с обучающимися секции по учебному занятию и иные "
            "чаты для решения образовательных задач (абз. «Педагогический работник…»).",
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
            "Педагогический работник поддерживает и развивает коммуникацию в чатах, включая уроки и занятия "
            "с применением дистанционных образовательных технологий (абз. «Педагогический работник…»).",
            "methodist",
            questions=(
                Question(
                    "Где провести дистанционное занятие с группой?",
                    (
                        "В учебном чате с обучающимися секции по учебному занятию",
                        "В личных сообщениях каждому обучающемуся",
                        "В системном канале «Общий»",
                    ),
                    0,
                    "Педагогический работник создаёт чат с обучающимися секции по учебному занятию и проводит "
                    "занятия с применением дистанционных образовательных технологий (абз. «Педагогический "
                    "работник…»); групповые звонки — функция учебного профиля (положение, раздел «Понятия»).",
                ),
            ),
        ),
    ],
    "student": [
        join_step(
            "STU-01",
            "Обучающийся присоединяется по ссылке-приглашению, полученной от педагога, в чат (абз. "
            "«Обучающийся…»). В программе — в чат своего объединения.",
            "pupil",
            "Вступить в чат по ссылке",
            PUPIL_LINK_Q,
        ),
        Step(
            "STU-02",
            "Обучающийся участвует в образовательной коммуникации в чате секции и чатах по учебным дисциплинам "
            "(абз. «Обучающийся…»).",
            "pupil",
            questions=(
                Question(
                    "Где задать педагогу вопрос о задании?",
                    ("В чате своей секции", "В чате другой секции", "В системном канале «Общий»"),
                    0,
                    "Образовательная коммуникация обучающегося идёт в чате секции и чатах по учебным дисциплинам "
                    "(абз. «Обучающийся…»).",
                ),
            ),
        ),
        Step(
            "STU-03",
            "Обучающийся участвует в учебных занятиях и мероприятиях в онлайн или гибридном формате "
            "(абз. «Обучающийся…»).",
            "pupil",
            questions=(
                Question(
                    "Занятие сегодня проходит онлайн. Что делать обучающемуся?",
                    (
                        "Подключиться к занятию в чате своей секции",
                        "Прийти в учреждение к началу занятия",
                        "Написать в системный канал «Общий»",
                    ),
                    0,
                    "Обучающийся участвует в учебных занятиях, проводимых в онлайн или гибридном формате "
                    "с применением дистанционных образовательных технологий (абз. «Обучающийся…»).",
                ),
            ),
        ),
        Step(
            "STU-04",
            "Обучающийся обеспечивает безопасность своего учебного профиля на платформе (абз. «Обучающийся…»).",
            "pupil",
            questions=(
                Question(
                    "Незнакомец в сообщении просит код из СМС. Что делать?",
                    (
                        "Сообщить код, если он назвался педагогом",
                        "Не сообщать код и рассказать педагогу или родителям",
                        "Сообщить код, если он пишет из учебного профиля",
                    ),
                    1,
                    "Обучающийся сам обеспечивает безопасность своего учебного профиля (абз. «Обучающийся…»): "
                    "код из СМС открывает доступ к профилю, его не сообщают никому.",
                ),
            ),
        ),
    ],
    "parent": [
        join_step(
            "PAR-01",
            "Родитель присоединяется к чату по ссылке-приглашению, полученной от педагогического работника "
            "или представителя администрации (п. 2.7).",
            "parent",
            "Вступить в чат по ссылке",
            PARENT_LINK_Q,
        ),
        Step(
            "PAR-02",
            "Родитель участвует в образовательной коммуникации в чате (п. 2.7).",
            "parent",
            questions=(
                Question(
                    "В чате родителей появился незнакомый участник. Что делать?",
                    (
                        "Сообщить педагогу, создавшему чат, или администратору платформы",
                        "Написать ему в личные сообщения и выяснить, кто он",
                        "Выйти из чата",
                    ),
                    0,
                    "Чат с родителями педагог создаёт для родителей (законных представителей) обучающихся своей "
                    "секции (п. 2.3) и поддерживает коммуникацию в нём; администратор помогает участникам "
                    "(п. 2.1).",
                ),
            ),
        ),
    ],
}
