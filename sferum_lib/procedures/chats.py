"""Procedures of chats: creating a chat of each type, adding and removing members (п. 2.2, 2.3)."""

from __future__ import annotations

import pandas as pd

from sferum_lib.errors import UsageError
from sferum_lib.model import CHAT_TYPE_LABELS, SECTION_BOUND_TYPES, SECTION_CHAT_TYPES, ChatType
from sferum_lib.procedures.base import (
    Change,
    Context,
    Refused,
    State,
    append,
    membership_refusal,
    next_id,
    procedure,
)
from sferum_lib.procedures.links import chat_duty, join_duty, owned_chat
from sferum_lib.procedures.words import choice

_HEAD_TYPES = {t.value for t in ChatType if t.value.startswith("head-")}
_SECTION_TYPES = {t.value for t in SECTION_CHAT_TYPES}


@procedure("create_chat", "Создать чат", "HEAD-06", "PDO-03", "PED-03")
def create_chat(state: State, ctx: Context, *, chat_type: str, name: str, section: str | None = None) -> Change:
    # the key («section-students») or the workbook's label («объединение — обучающиеся»), any case and dash
    labels = {label: key.value for key, label in CHAT_TYPE_LABELS.items()}
    kind = ChatType(choice(chat_type, [t.value for t in ChatType], "Тип чата", labels))
    owner = ctx.actor
    duty = chat_duty(state, kind.value, owner)
    if owner is None or state.kind(owner) != "staff":
        raise Refused(duty, "Чаты создают педагоги и администрация; обучающиеся и родители чатов не создают", duty)
    if owner not in state.pedagogues():
        raise Refused(duty, "Чаты создают работающие педагогические работники", duty)
    if not state.has_joined(owner):
        raise Refused(join_duty(state, owner), "Сначала присоединитесь к организации по ссылке-приглашению", duty)
    if kind.value in _HEAD_TYPES and owner not in state.heads():
        raise Refused("HEAD-06", "Управленческие чаты создаёт руководитель или заместитель руководителя", duty)
    if kind in SECTION_BOUND_TYPES:
        if kind in SECTION_CHAT_TYPES and not section:
            raise Refused(duty, "Для чата объединения укажите объединение", duty)
        if section:
            row = state.row("sections", "code", section)
            if row is None:
                raise UsageError(f"Объединения с кодом «{section}» нет в данных организации: проверьте код.")
            if kind.value in _SECTION_TYPES and owner != row["teacher_id"] and owner not in state.administrators():
                raise Refused("PDO-03", f"Чаты объединения «{row['name']}» создаёт его педагог", duty)
    elif section:
        raise Refused(duty, "Объединение указывают только для чатов объединения и учебных занятий", duty)
    if not str(name).strip():
        raise Refused(duty, "Укажите название чата", duty)
    chats = state.s.chats
    chat_id = next_id(chats, "C")
    return Change(
        duty,
        f"Создан чат {chat_id} «{name}» ({kind.label})",
        chat_id,
        tables={
            "chats": append(
                chats,
                "chats",
                id=chat_id,
                name=name,
                type=kind.value,
                section_code=section,
                owner_id=owner,
                created=ctx.day,
                last_message=ctx.day,
            ),
            "members": append(state.s.members, "members", chat_id=chat_id, person_id=owner, added=ctx.day),
        },
        params={"type": kind.value, "name": name, "section": section},
    )


def _own_chat(state: State, ctx: Context, chat_id: str) -> tuple[str, pd.Series]:
    return owned_chat(state, ctx, chat_id, "Участников чата меняет его владелец")


@procedure("add_chat_member", "Добавить участника в чат", "HEAD-06", "PDO-03", "PED-03")
def add_chat_member(state: State, ctx: Context, *, chat_id: str, person_id: str) -> Change:
    duty, chat = _own_chat(state, ctx, chat_id)
    if state.kind(person_id) is None:
        raise UsageError(f"Человека с ID «{person_id}» нет в данных организации: проверьте ID.")
    if not state.is_current(person_id):
        gone = state.said(
            person_id,
            "{who} выбыл: в чаты его не добавляют",
            "{who} выбыла: в чаты её не добавляют",
            "{who}: отмечено выбытие — в чаты не добавляют",
        )
        raise Refused("ADM-12", gone, duty)
    if not state.has_joined(person_id):
        raise Refused(
            join_duty(state, person_id),
            f"{state.who(person_id)}: ещё нет на платформе — пришлите ссылку-приглашение",
            duty,
        )
    if not state.may_be_member(chat, person_id):
        raise membership_refusal(chat, duty)
    if person_id in state.members(chat_id):
        raise Refused(duty, f"{state.who(person_id)} уже в чате", duty)
    return Change(
        duty,
        state.said(person_id, "{who} добавлен", "{who} добавлена", "{who}: добавление") + f" в чат «{chat['name']}»",  # type: ignore[index]
        f"{chat_id}/{person_id}",
        tables={"members": append(state.s.members, "members", chat_id=chat_id, person_id=person_id, added=ctx.day)},
    )


@procedure("remove_chat_member", "Удалить участника из чата", "HEAD-06", "PDO-03", "PED-03", "ADM-12")
def remove_chat_member(state: State, ctx: Context, *, chat_id: str, person_id: str) -> Change:
    duty, chat = _own_chat(state, ctx, chat_id)
    if person_id not in state.members(chat_id):
        raise Refused(duty, f"{state.who(person_id)} не состоит в этом чате", duty)
    if state.kind(person_id) is not None and not state.is_current(person_id) and ctx.actor in state.administrators():
        # an administrator taking a departed person out is keeping the people's movement (ADM-12, п. 2.1),
        # not running the chat as its owner would
        duty = "ADM-12"
    members = state.s.members
    keep = ~((members["chat_id"] == chat_id) & (members["person_id"] == person_id))
    return Change(
        duty,
        state.said(person_id, "{who} удалён", "{who} удалена", "{who}: удаление") + f" из чата «{chat['name']}»",  # type: ignore[index]
        f"{chat_id}/{person_id}",
        tables={"members": members[keep].reset_index(drop=True)},
    )
