"""Procedure parameters in Russian: labels for `sferum do --list` and Russian names accepted for `-p`."""

from __future__ import annotations

import inspect

from sferum_lib.procedures.base import PROCEDURES

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
