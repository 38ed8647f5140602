"""Procedures and their parameters in Russian: labels for `sferum do --list`, and the Russian names a user may
type instead of an action's key (``создать_учительскую``) and a parameter's name (``-p куда …``)."""

from __future__ import annotations

import inspect

from sferum_lib.procedures.base import PROCEDURES
from sferum_lib.workbook.schema import normalise_header

#: parameter → (Russian name a user may type, what it means)
PARAMS: dict[str, tuple[str, str]] = {
    "cabinet": ("кабинет", "номер кабинета"),
    "chat_id": ("чат", "ID чата"),
    "chat_type": ("тип", "тип чата, как в книге: «объединение — обучающиеся», «учебное занятие», «иной»…"),
    "children": ("дети", "ID детей через «;»"),
    "date": ("дата", "дата приказа ГГГГ-ММ-ДД"),
    "email": ("email", "адрес электронной почты"),
    "first_name": ("имя", "имя"),
    "invite": ("ссылка", "ID ссылки-приглашения или её код"),
    "invite_id": ("ссылка", "ID ссылки-приглашения"),
    "kind": ("кто", "сотрудник, обучающийся или родитель"),
    "gender": ("пол", "«м» или «ж»; пусто — по отчеству или имени"),
    "last_name": ("фамилия", "фамилия"),
    "max_age_days": ("дней", "через сколько дней без использования ссылка невостребована — по правилам организации"),
    "middle_name": ("отчество", "отчество"),
    "name": ("название", "название чата или канала"),
    "number": ("номер", "номер приказа"),
    "order_date": ("дата", "дата приказа ГГГГ-ММ-ДД"),
    "order_number": ("номер", "номер приказа"),
    "person_id": ("человек", "ID сотрудника, обучающегося или родителя"),
    "phone": ("телефон", "номер мобильного телефона"),
    "position": ("должность", "должность сотрудника"),
    "request_id": ("заявка", "ID заявки"),
    "role": ("роль", "педагог, обучающийся или родитель"),
    "section": ("объединение", "код объединения"),
    "sections": ("объединения", "коды объединений через «;»"),
    "staff_id": ("сотрудник", "ID сотрудника"),
    "subject": ("вопрос", "вопрос в техническую поддержку"),
    "target": ("куда", "организация, Учительская, объединение:КОД или чат:ID"),
    "text": ("текст", "текст публикации"),
    "title": ("тема", "тема трансляции"),
    "valid_until": ("до", "действует до ГГГГ-ММ-ДД"),
    "when": ("когда", "дата трансляции ГГГГ-ММ-ДД"),
    "city": ("город", "город"),
    "full_name": ("полное_наименование", "полное наименование организации"),
    "short_name": ("краткое_наименование", "краткое наименование организации"),
    "messenger": ("мессенджер", "VK Мессенджер или MAX"),
}


#: action key → the Russian name a user may type instead (`sferum do создать_учительскую`)
ACTION_NAMES: dict[str, str] = {
    "accept_request": "принять_заявку",
    "add_chat_member": "добавить_в_чат",
    "annul_invite": "аннулировать_ссылку",
    "annul_stale_invites": "аннулировать_невостребованные_ссылки",
    "appoint_additional_admin": "назначить_дополнительного_администратора",
    "appoint_administrator": "назначить_администратора",
    "attach_to_cabinet": "прикрепить_к_кабинету",
    "confirm_status": "подтвердить_статус",
    "create_channel": "создать_канал",
    "create_chat": "создать_чат",
    "create_class": "создать_класс",
    "create_teachers_room": "создать_учительскую",
    "edit_organisation": "изменить_сведения_об_организации",
    "file_request": "подать_заявку",
    "hand_statistics": "передать_статистику",
    "issue_invite": "создать_ссылку",
    "issue_usage_order": "издать_приказ_об_использовании",
    "join_by_invite": "вступить_по_ссылке",
    "log_support_request": "обратиться_в_поддержку",
    "plan_broadcast": "запланировать_трансляцию",
    "publish_to_channel": "опубликовать_в_канале",
    "record_arrival": "внести_прибывшего",
    "record_departure": "отметить_выбытие",
    "register_administrator": "зарегистрироваться",
    "reject_request": "отклонить_заявку",
    "remove_chat_member": "удалить_из_чата",
    "send_application": "отправить_заявку_на_регистрацию",
    "start_verification": "пройти_верификацию",
    "supply_channel_material": "передать_материал_для_канала",
}


def _folded(name: str) -> str:
    """A name as compared: as the workbook's headers are (any case, «ё» as «е»), «_» and «-» as spaces."""
    return normalise_header(name.replace("_", " ").replace("-", " "))


def action_key(given: str) -> str | None:
    """The action a user meant: its key or its Russian name, in any case and with spaces for «_»; None when
    neither."""
    wanted = _folded(given)
    for key in PROCEDURES:
        if wanted in (_folded(key), _folded(ACTION_NAMES.get(key, key))):
            return key
    return None


def parameters(key: str) -> list[str]:
    """The keyword parameters of a procedure, in order (edit_organisation takes the editable fields)."""
    signature = inspect.signature(PROCEDURES[key].run)
    names = [n for n, p in list(signature.parameters.items())[2:] if p.kind == p.KEYWORD_ONLY]
    if key == "edit_organisation":
        names = ["full_name", "short_name", "city", "email", "messenger"]
    return names


def english_name(key: str, given: str) -> str:
    """The parameter a user meant: its own name, or its Russian one («куда» → ``target``)."""
    for name in parameters(key):
        if given == name or given.lower() == PARAMS.get(name, ("",))[0]:
            return name
    return given


def describe(key: str) -> str:
    parts = []
    for name in parameters(key):
        russian, meaning = PARAMS.get(name, (name, ""))
        parts.append(f"{russian} ({name}) — {meaning}")
    return "; ".join(parts) or "без параметров"
