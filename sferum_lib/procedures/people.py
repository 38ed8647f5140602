"""Procedures of movement (движение): arrivals and departures of staff, pupils and parents (п. 2.1, ADM-12)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sferum_lib.errors import UsageError
from sferum_lib.grammar import Person
from sferum_lib.model import ChatType, Snapshot
from sferum_lib.procedures.base import Change, Context, Refused, State, append, procedure, set_where
from sferum_lib.procedures.organisation import require_admin
from sferum_lib.procedures.words import choice
from sferum_lib.values import INVALID, parse_email, parse_gender, parse_phone

_TABLE = {"staff": "staff", "pupil": "pupils", "parent": "parents"}
#: What a user types for ``kind``: Russian words (the English keys are still accepted).
_KIND_WORDS = {
    "сотрудник": "staff",
    "обучающийся": "pupil",
    "родитель": "parent",
}
_SHEETS = {"staff": "лист «Сотрудники»", "pupil": "лист «Обучающиеся»", "parent": "лист «Родители»"}


@procedure("record_arrival", "Внести прибывшего", "ADM-12")
def record_arrival(
    state: State,
    ctx: Context,
    *,
    kind: str,
    person_id: str,
    last_name: str,
    first_name: str,
    middle_name: str | None = None,
    position: str | None = None,
    sections: Sequence[str] = (),
    children: Sequence[str] = (),
    phone: str | None = None,
    email: str | None = None,
    gender: str | None = None,
) -> Change:
    require_admin(state, ctx, "ADM-12")
    kind = choice(kind, list(_TABLE), "Кто прибыл", _KIND_WORDS)
    if not str(person_id).strip() or state.kind(person_id) is not None:
        raise UsageError(f"ID «{person_id}» пуст или уже занят: ID людей не повторяются.")
    if not str(last_name).strip() or not str(first_name).strip():
        raise UsageError("Укажите фамилию и имя.")
    phone_value = parse_phone(phone)
    email_value = parse_email(email)
    gender_value = parse_gender(gender)
    wrong = [w for w, v in (("телефон", phone_value), ("email", email_value), ("пол", gender_value)) if v is INVALID]
    if wrong:
        raise UsageError(f"Записаны неверно: {', '.join(wrong)} (пол — «м» или «ж»).")
    row = {
        "id": person_id,
        "last_name": last_name,
        "first_name": first_name,
        "middle_name": middle_name,
        "joined": None,
        "gender": gender_value,
    }
    tables: dict[str, pd.DataFrame] = {}
    if kind == "staff":
        if not position:
            raise UsageError("Укажите должность сотрудника.")
        row |= {"position": position, "hired": ctx.day, "phone": phone_value, "email": email_value}
    elif kind == "pupil":
        unknown = [s for s in sections if state.row("sections", "code", s) is None]
        if not sections or unknown:
            raise UsageError(
                "Укажите объединения обучающегося из структуры организации"
                + (f"; нет объединений: {', '.join(unknown)}" if unknown else "")
                + "."
            )
        row |= {"enrolled": ctx.day}
        enrol = pd.DataFrame({"pupil_id": person_id, "section_code": list(dict.fromkeys(sections))})
        tables["enrolments"] = pd.concat([state.s.enrolments, enrol], ignore_index=True)
    else:
        missing = [c for c in children if state.kind(c) != "pupil"]
        if not children or missing:
            raise UsageError(
                "Укажите детей родителя — ID обучающихся"
                + (f"; не найдены: {', '.join(missing)}" if missing else "")
                + "."
            )
        row |= {"phone": phone_value, "email": email_value}
        kin = pd.DataFrame({"parent_id": person_id, "pupil_id": list(dict.fromkeys(children))})
        tables["kinship"] = pd.concat([state.s.kinship, kin], ignore_index=True)
    table = _TABLE[kind]
    tables[table] = append(state.s.tables[table], table, **row)
    return Change(
        "ADM-12",
        f"Внесено прибытие ({_SHEETS[kind]}): {Person.of(last_name, first_name, middle_name, id=person_id).who()}",
        person_id,
        tables=tables,
        params={"kind": kind},
    )


def _strays(snapshot: Snapshot, day: pd.Timestamp, candidates: set[str]) -> pd.Series:
    """Memberships of ``candidates`` in section chats they no longer belong to."""
    state = State(snapshot, day.date())
    members = snapshot.members
    chats = snapshot.chats.set_index("id")
    mask = pd.Series(False, index=members.index)
    for i, m in members[members["person_id"].isin(candidates)].iterrows():
        chat = chats.loc[m["chat_id"]]
        if chat["type"] in (ChatType.SECTION_PARENTS.value, ChatType.SECTION_STUDENTS.value) and not (
            state.may_be_member(pd.concat([pd.Series({"id": m["chat_id"]}), chat]), m["person_id"])
        ):
            mask[i] = True
    return mask


@procedure("record_departure", "Отметить выбытие", "ADM-12")
def record_departure(state: State, ctx: Context, *, person_id: str) -> Change:
    require_admin(state, ctx, "ADM-12")
    kind = state.kind(person_id)
    if kind == "parent":
        raise Refused("ADM-12", "Родитель выбывает вместе с ребёнком: отметьте выбытие обучающегося", "ADM-12")
    if kind is None:
        raise UsageError(f"Человека с ID «{person_id}» нет в данных организации.")
    if not state.is_current(person_id):
        raise Refused(
            "ADM-12",
            state.said(person_id, "{who} уже выбыл", "{who} уже выбыла", "{who}: выбытие уже отмечено"),
            "ADM-12",
        )
    table = _TABLE[kind]
    end = "dismissed" if kind == "staff" else "expelled"
    people = set_where(state.s.tables[table], state.s.tables[table]["id"] == person_id, **{end: ctx.day})
    members = state.s.members
    left = members["person_id"] == person_id
    tables = {table: people, "members": members[~left].reset_index(drop=True)}
    after = state.s.with_tables(**tables)
    # the departed leave their chats; with a pupil gone, a parent may no longer belong in the section's chats
    parents = set(state.s.kinship.loc[state.s.kinship["pupil_id"] == person_id, "parent_id"])
    strays = _strays(after, state.day, parents) if parents else pd.Series(False, index=after.members.index)
    removed = int(left.sum()) + int(strays.sum())
    tables["members"] = after.members[~strays].reset_index(drop=True)
    return Change(
        "ADM-12",
        f"Отмечено выбытие ({_SHEETS[kind]}): {state.who(person_id)}; из чатов удалено записей об участии: {removed}",
        person_id,
        tables=tables,
        params={"kind": kind, "removed_memberships": removed},
    )
