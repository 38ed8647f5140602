"""Procedures of joining: invite links, joining by a link, join requests, «педагог» status (п. 2.1–2.7).

A link serves everyone it is meant for (a whole group joins by one link) until it is annulled or expires, as the
platform's links do; «Использована» records the day it was first used. The administrator's links and join
requests are for pedagogical staff and pupils (п. 2.1); parents join a chat by a link from a pedagogical worker
or the administration (п. 2.7).
"""

from __future__ import annotations

import datetime as dt
import secrets

import pandas as pd

from sferum_lib.checks import AuditSettings
from sferum_lib.errors import UsageError
from sferum_lib.model import MEMBER_ROLES, ChatType
from sferum_lib.procedures.base import (
    MANAGEMENT_MEMBERS,
    Change,
    Context,
    Refused,
    State,
    append,
    membership_refusal,
    next_id,
    procedure,
    set_where,
)
from sferum_lib.procedures.organisation import require_admin
from sferum_lib.procedures.words import choice

#: Which kind of person each role of a link or request is for.
ROLE_KIND = {"педагог": "staff", "обучающийся": "pupil", "родитель": "parent"}
#: The role a link into a section chat must have.
CHAT_ROLE = {
    ChatType.SECTION_STUDENTS.value: "обучающийся",
    ChatType.SECTION_PARENTS.value: "родитель",
    ChatType.SECTION_TEACHERS.value: "педагог",
}
#: The duty under which a chat of each type is created (and its links issued); «иной» chats depend on who
#: makes them (chat_duty).
CHAT_DUTY = {
    **{t.value: "HEAD-06" for t in ChatType if t.value.startswith("head-")},
    ChatType.SECTION_STUDENTS.value: "PDO-03",
    ChatType.SECTION_PARENTS.value: "PDO-03",
    ChatType.SECTION_TEACHERS.value: "PDO-03",
    ChatType.LESSON.value: "PED-03",  # «Педагогический работник …, ведущий занятия»: чат по учебному занятию
}


def teacher_duty(state: State, person_id: str | None, pdo: str, ped: str) -> str:
    """The teacher's duty of the person's paragraph: п. 2.3 (педагог ДО) or the next one (ведущий занятия)."""
    person = state.person(person_id) if person_id else None
    position = str(person["position"]).lower() if person is not None and state.kind(person_id or "") == "staff" else ""
    return pdo if "педагог дополнительного образования" in position else ped


def chat_duty(state: State, chat_type: str, owner: str | None) -> str:
    """The duty a chat of ``chat_type`` made by ``owner`` falls under («иные чаты» of п. 2.2 or п. 2.3)."""
    if chat_type in CHAT_DUTY:
        return CHAT_DUTY[chat_type]
    if owner in state.heads():
        return "HEAD-06"
    return teacher_duty(state, owner, "PDO-03", "PED-03")


def owned_chat(state: State, ctx: Context, chat_id: str, who_may: str) -> tuple[str, pd.Series]:
    """The chat and the duty it falls under; only its owner or an administrator may act on it."""
    chat = state.chat(chat_id)
    if chat is None:
        raise UsageError(f"Чата с ID «{chat_id}» нет в данных организации.")
    duty = chat_duty(state, chat["type"], chat["owner_id"])
    if ctx.actor != chat["owner_id"] and ctx.actor not in state.administrators():
        raise Refused(duty, f"{who_may} или администратор", duty)
    return duty, chat


def _role(role: str) -> str:
    """The role as the platform names it; the workbook's other words for it («учитель», «ученик») are accepted."""
    return choice(role, MEMBER_ROLES, "Роль")


def _wrong_role(state: State, person_id: str, role: str, cited: str, duty: str, way: str) -> Refused:
    kinds = {"staff": "педагог", "pupil": "обучающийся", "parent": "родитель"}
    right = kinds.get(state.kind(person_id) or "", "другая")
    return Refused(
        cited,
        f"{state.who(person_id)} — не «{role}»: {way} для роли «{right}» (роль на платформе выбирают при "
        "присоединении)",
        duty,
    )


#: What the regulation says of parents' joining, cited when an administrator's link or a request is for them.
PARENTS_JOIN = (
    "Родители присоединяются к чату по ссылке-приглашению от педагогического работника или представителя "
    "администрации; ссылки администратора платформы и заявки на вступление — для педагогических работников "
    "и обучающихся"
)


def _target_check(state: State, ctx: Context, target: str, role: str) -> tuple[str, str]:
    """Validate a link's target against the state; return (canonical target, duty to journal)."""
    if target in ("организация", "Учительская") or target.startswith("объединение:"):
        require_admin(state, ctx, "ADM-07")
        if role == "родитель":
            raise Refused("PAR-01", PARENTS_JOIN, "ADM-07")
        if target == "Учительская":
            if not state.teachers_room_exists():
                raise Refused("ADM-05", "Сначала создайте «Учительскую»", "ADM-07")
            if role != "педагог":
                raise Refused("ADM-05", "«Учительская» — для педагогических работников: роль «педагог»", "ADM-07")
        if target.startswith("объединение:"):
            code = target.partition(":")[2]
            section = state.row("sections", "code", code)
            if section is None:
                raise UsageError(f"Объединения с кодом «{code}» нет в данных организации: проверьте код.")
            if not section["class_created"]:
                raise Refused("ADM-06", f"Сначала создайте класс для объединения «{section['name']}»", "ADM-07")
        return target, "ADM-07"
    if target.startswith("чат:"):
        duty, chat = owned_chat(state, ctx, target.partition(":")[2], "Ссылку в чат создаёт его владелец")
        needed = CHAT_ROLE.get(chat["type"])
        if needed and role != needed:
            raise Refused(duty, f"В чат «{chat['name']}» приглашают в роли «{needed}»", duty)
        return target, duty
    raise UsageError(
        f"Куда ведёт ссылка «{target}» — не понять: «организация», «Учительская», «объединение:КОД» или «чат:ID»."
    )


@procedure("issue_invite", "Создать ссылку-приглашение", "ADM-07", "PDO-03", "PED-03", "HEAD-06")
def issue_invite(state: State, ctx: Context, *, target: str, role: str, valid_until: dt.date | None = None) -> Change:
    role = _role(role)
    target, duty = _target_check(state, ctx, str(target).strip(), role)
    if valid_until is not None and valid_until < ctx.day:
        raise Refused(duty, "Срок действия ссылки не может закончиться раньше сегодняшнего дня", duty)
    invites = state.s.invites
    invite_id = next_id(invites, "I")
    token = secrets.token_urlsafe(16)
    return Change(
        duty,
        f"Создана ссылка-приглашение {invite_id}: «{target}», роль «{role}»"
        + (f", действует до {valid_until:%d.%m.%Y}" if valid_until else ""),
        invite_id,
        tables={
            "invites": append(
                invites,
                "invites",
                id=invite_id,
                created=ctx.day,
                created_by=ctx.actor,
                target=target,
                role=role,
                valid_until=valid_until,
                token=token,
            )
        },
        params={"target": target, "role": role, "valid_until": valid_until},
    )


def find_invite(state: State, invite: str) -> pd.Series | None:
    """An invite by its ID or by its token (the part of the link a person opens)."""
    invites = state.s.invites
    found = invites[(invites["id"] == invite) | (invites["token"] == invite)]
    return None if found.empty else found.iloc[0]


def join_duty(state: State, person_id: str) -> str:
    kind = state.kind(person_id)
    if kind == "pupil":
        return "STU-01"
    if kind == "parent":
        return "PAR-01"
    if person_id in state.heads():
        return "HEAD-03"
    position = str(state.person(person_id)["position"]).lower()  # type: ignore[index]
    return "PDO-01" if "педагог дополнительного образования" in position else "PED-01"


def _joined_now(frame: pd.DataFrame, person_id: str, day: dt.date) -> pd.DataFrame:
    mask = (frame["id"] == person_id) & frame["joined"].isna()
    return set_where(frame, mask, joined=day)


def _self_act(state: State, ctx: Context, person_id: str, duty: str, rule: str) -> None:
    """Joining is the person's own act on the platform: nobody joins or applies in their stead."""
    if ctx.actor != person_id:
        raise Refused(duty, f"{rule} — здесь {state.who(person_id)}", duty)


def _not_again(state: State, person_id: str, target: str, duty: str) -> None:
    """Refuse a joining that changes nothing: the person is already in the organisation, the «Учительская» or
    the chat the link leads to (a second journal entry would count one act twice)."""
    if not state.has_joined(person_id):
        return
    person = state.person(person_id)
    if target == "организация":
        day = f"{person['joined']:%d.%m.%Y}"  # type: ignore[index]
        raise Refused(
            duty,
            state.said(
                person_id,
                f"{{who}} уже присоединился к организации {day}: повторно вступать не нужно",
                f"{{who}} уже присоединилась к организации {day}: повторно вступать не нужно",
                f"{{who}}: присоединение к организации уже отмечено {day} — повторно вступать не нужно",
            ),
            duty,
        )
    in_room = person.get("in_teachers_room")  # type: ignore[union-attr]
    if target == "Учительская" and pd.notna(in_room) and bool(in_room):
        raise Refused(
            duty,
            state.said(
                person_id,
                "{who} уже присоединился к «Учительской»: повторно вступать не нужно",
                "{who} уже присоединилась к «Учительской»: повторно вступать не нужно",
                "{who}: присоединение к «Учительской» уже отмечено — повторно вступать не нужно",
            ),
            duty,
        )
    if target.startswith("чат:"):
        chat = state.chat(target.partition(":")[2])
        if chat is not None and person_id in state.members(chat["id"]):
            raise Refused(duty, f"{state.who(person_id)} уже состоит в чате «{chat['name']}»", duty)


@procedure("join_by_invite", "Присоединиться по ссылке-приглашению", "PDO-01", "PED-01", "HEAD-03", "STU-01", "PAR-01")
def join_by_invite(state: State, ctx: Context, *, person_id: str, invite: str) -> Change:
    if state.kind(person_id) is None:
        raise UsageError(f"Человека с ID «{person_id}» нет в данных организации: проверьте ID.")
    duty = join_duty(state, person_id)
    _self_act(state, ctx, person_id, duty, "По ссылке-приглашению вступает сам человек, которому она направлена")
    link = find_invite(state, invite)
    if link is None:
        raise UsageError(f"Ссылки-приглашения «{invite}» нет: проверьте ссылку или попросите новую.")
    if pd.notna(link["annulled"]):
        raise Refused("ADM-13", "Ссылка аннулирована: попросите новую ссылку-приглашение", duty)
    if pd.notna(link["valid_until"]) and link["valid_until"] < state.day:
        raise Refused("ADM-13", "Срок действия ссылки истёк: попросите новую ссылку-приглашение", duty)
    if not state.is_current(person_id):
        raise Refused("ADM-12", f"{state.who(person_id)} не числится в организации на эту дату", duty)
    if ROLE_KIND[link["role"]] != state.kind(person_id) or (
        link["role"] == "педагог" and person_id not in state.pedagogues()
    ):
        raise _wrong_role(state, person_id, link["role"], "ADM-07", duty, "нужна ссылка-приглашение")

    target = link["target"]
    kind = state.kind(person_id)
    table = {"staff": "staff", "pupil": "pupils", "parent": "parents"}[kind]  # type: ignore[index]
    _not_again(state, person_id, target, duty)
    people = _joined_now(state.s.tables[table], person_id, ctx.day)
    tables: dict[str, pd.DataFrame] = {table: people}
    where = "организацию"  # the journal's words: «вступление по ссылке I001 в организацию»
    if target == "Учительская":
        tables[table] = set_where(people, people["id"] == person_id, in_teachers_room=True)
        where = "«Учительскую»"
    elif target.startswith("объединение:"):
        code = target.partition(":")[2]
        if kind == "pupil" and person_id not in state.pupils_of(code):
            raise Refused("ADM-07", "Ссылка ведёт в класс чужого объединения: нужна ссылка в класс своего", duty)
        section = state.row("sections", "code", code)
        where = f"класс объединения «{section['name'] if section is not None else code}»"
    elif target.startswith("чат:"):
        chat = state.chat(target.partition(":")[2])
        if chat is None:
            raise UsageError("Чата по этой ссылке больше нет: попросите новую ссылку-приглашение.")
        if chat["type"] in MANAGEMENT_MEMBERS and not state.may_be_member(chat, person_id):
            raise membership_refusal(chat, duty)
        if not state.may_be_member(chat, person_id):
            rule = {
                "pupil": ("STU-01", "По ссылке педагога обучающийся вступает в чат своей секции (объединения)"),
                "parent": ("PAR-01", "Родитель вступает в чат объединения, где учится его ребёнок"),
            }
            cited, text = rule.get(kind, ("PDO-03", "В чат педагогов объединения вступают педагоги"))  # type: ignore[arg-type]
            raise Refused(cited, text, duty)
        if person_id not in state.members(chat["id"]):
            tables["members"] = append(
                state.s.members, "members", chat_id=chat["id"], person_id=person_id, added=ctx.day
            )
        where = f"чат «{chat['name']}»"
    invites = state.s.invites
    if pd.isna(link["used"]):  # the day of the first use; the link keeps serving its group
        tables["invites"] = set_where(invites, invites["id"] == link["id"], used=ctx.day)
    return Change(
        duty,
        f"{state.who(person_id)}: вступление по ссылке {link['id']} в {where}",
        person_id,
        tables=tables,
        params={"invite": link["id"], "target": target},
    )


@procedure("file_request", "Подать заявку на вступление", "ADM-10")
def file_request(state: State, ctx: Context, *, person_id: str, role: str) -> Change:
    role = _role(role)
    if state.kind(person_id) is None:
        raise UsageError(f"Человека с ID «{person_id}» нет в данных организации: проверьте ID.")
    if role == "родитель" or state.kind(person_id) == "parent":
        raise Refused("PAR-01", PARENTS_JOIN, "ADM-10")
    _self_act(state, ctx, person_id, "ADM-10", "Заявку на вступление подаёт сам человек")
    requests = state.s.requests
    if ((requests["applicant_id"] == person_id) & requests["decision"].isna()).any():
        raise Refused("ADM-10", "Заявка этого человека уже ждёт рассмотрения", "ADM-10")
    request_id = next_id(requests, "Q")
    return Change(
        "ADM-10",
        state.said(person_id, "{who} подал заявку", "{who} подала заявку", "{who}: подана заявка")
        + f" {request_id} на вступление в роли «{role}»",
        request_id,
        tables={
            "requests": append(requests, "requests", id=request_id, applicant_id=person_id, role=role, filed=ctx.day)
        },
        params={"person_id": person_id, "role": role},
    )


def _pending(state: State, ctx: Context, request_id: str) -> pd.Series:
    require_admin(state, ctx, "ADM-10")
    request = state.row("requests", "id", request_id)
    if request is None:
        raise UsageError(f"Заявки «{request_id}» нет в данных организации: проверьте ID.")
    if pd.notna(request["decision"]):
        raise Refused("ADM-10", f"Заявка {request_id} уже рассмотрена: {request['decision']}", "ADM-10")
    return request


@procedure("accept_request", "Принять заявку", "ADM-10")
def accept_request(state: State, ctx: Context, *, request_id: str) -> Change:
    request = _pending(state, ctx, request_id)
    person_id = request["applicant_id"]
    if not state.is_current(person_id):
        raise Refused("ADM-12", f"{state.who(person_id)} не числится в организации: заявку нужно отклонить", "ADM-10")
    if ROLE_KIND[request["role"]] != state.kind(person_id) or (
        request["role"] == "педагог" and person_id not in state.pedagogues()
    ):
        raise _wrong_role(state, person_id, request["role"], "ADM-10", "ADM-10", "заявку подают")
    table = {"staff": "staff", "pupil": "pupils", "parent": "parents"}[state.kind(person_id)]  # type: ignore[index]
    requests = state.s.requests
    return Change(
        "ADM-10",
        f"Заявка {request_id} от {state.who(person_id, 'genitive')} принята",
        request_id,
        tables={
            "requests": set_where(requests, requests["id"] == request_id, decision="принята", decided=ctx.day),
            table: _joined_now(state.s.tables[table], person_id, ctx.day),
        },
    )


@procedure("reject_request", "Отклонить заявку", "ADM-10")
def reject_request(state: State, ctx: Context, *, request_id: str) -> Change:
    _pending(state, ctx, request_id)
    requests = state.s.requests
    return Change(
        "ADM-10",
        f"Заявка {request_id} отклонена",
        request_id,
        tables={"requests": set_where(requests, requests["id"] == request_id, decision="отклонена", decided=ctx.day)},
    )


_OWN_STATUS_DUTY = {"PDO-01": "PDO-02", "PED-01": "PED-02", "HEAD-03": "HEAD-04"}


def _own_status_duty(state: State, staff_id: str) -> str:
    return _OWN_STATUS_DUTY[join_duty(state, staff_id)]


def _status_candidate(state: State, staff_id: str, duty: str, actor: str | None = None) -> None:
    if state.kind(staff_id) != "staff" or staff_id not in state.pedagogues():
        raise Refused(duty, "Статус «педагог» подтверждают работающим педагогическим работникам", duty)
    if not state.has_joined(staff_id):
        if actor is None or actor == staff_id:
            said = "Сначала присоединитесь к организации по ссылке-приглашению"
        else:  # the administrator confirming someone else: name who has not joined yet
            said = state.said(
                staff_id,
                "{who} ещё не присоединился к организации по ссылке-приглашению: статус подтверждают после этого",
                "{who} ещё не присоединилась к организации по ссылке-приглашению: статус подтверждают после этого",
                "{who}: ещё нет присоединения к организации по ссылке-приглашению — статус подтверждают после него",
            )
        raise Refused(join_duty(state, staff_id), said, duty)
    if bool(state.person(staff_id)["status_confirmed"]):  # type: ignore[index]
        raise Refused(duty, f"Статус «педагог» уже подтверждён: {state.who(staff_id)}", duty)


@procedure("start_verification", "Пройти верификацию статуса «педагог»", "PDO-02", "PED-02", "HEAD-04")
def start_verification(state: State, ctx: Context, *, staff_id: str) -> Change:
    """The teacher starts the verification of their status; the administrator completes it (ADM-11)."""
    duty = _own_status_duty(state, staff_id) if state.kind(staff_id) == "staff" else "PED-02"
    if ctx.actor != staff_id:
        raise Refused(duty, "Верификацию своего статуса «педагог» проходит сам педагогический работник", duty)
    _status_candidate(state, staff_id, duty)
    if state.verification_started(staff_id):
        raise Refused("ADM-11", "Верификация уже начата: её завершает администратор платформы", duty)
    return Change(
        duty,
        f"{state.who(staff_id)}: начата верификация статуса «педагог»; завершает её администратор платформы",
        staff_id,
    )


@procedure("confirm_status", "Завершить подтверждение статуса «педагог»", "ADM-11")
def confirm_status(state: State, ctx: Context, *, staff_id: str) -> Change:
    """The administrator completes the verification a teacher has started (п. 2.1, ADM-11)."""
    if ctx.actor == staff_id:
        own = _own_status_duty(state, staff_id) if state.kind(staff_id) == "staff" else "ADM-11"
        who = "другой администратор платформы" if staff_id in state.administrators() else "администратор платформы"
        raise Refused(
            "ADM-11",
            f"Свой статус «педагог» не подтверждают сами: пройдите верификацию, а завершит её {who}",
            own,
        )
    require_admin(state, ctx, "ADM-11")
    _status_candidate(state, staff_id, "ADM-11", ctx.actor)
    if not state.verification_started(staff_id):
        raise Refused(
            _own_status_duty(state, staff_id),
            f"Завершить можно начатую верификацию: сначала {state.who(staff_id)} проходит верификацию статуса "
            "«педагог»",
            "ADM-11",
        )
    staff = state.s.staff
    return Change(
        "ADM-11",
        f"Подтверждён статус «педагог»: {state.who(staff_id)}",
        staff_id,
        tables={"staff": set_where(staff, staff["id"] == staff_id, status_confirmed=True)},
    )


@procedure("annul_invite", "Аннулировать ссылку-приглашение", "ADM-13")
def annul_invite(state: State, ctx: Context, *, invite_id: str) -> Change:
    link = find_invite(state, invite_id)
    if link is None:
        raise UsageError(f"Ссылки-приглашения «{invite_id}» нет в данных организации.")
    if ctx.actor != link["created_by"]:
        require_admin(state, ctx, "ADM-13")
    if pd.notna(link["annulled"]):
        raise Refused("ADM-13", f"Ссылка {link['id']} уже аннулирована", "ADM-13")
    invites = state.s.invites
    return Change(
        "ADM-13",
        f"Аннулирована ссылка-приглашение {link['id']}",
        link["id"],
        tables={"invites": set_where(invites, invites["id"] == link["id"], annulled=ctx.day)},
    )


def stale_rule(days: int) -> str:
    """The organisation's rule for an unused link, as messages cite it (the regulation sets no limit)."""
    return f"по правилам организации: {days} дн. без использования или истёкший срок действия"


@procedure("annul_stale_invites", "Аннулировать невостребованные ссылки", "ADM-13")
def annul_stale_invites(state: State, ctx: Context, *, max_age_days: int = AuditSettings.invite_max_age_days) -> Change:
    require_admin(state, ctx, "ADM-13")
    days = int(max_age_days)
    inv = state.s.invites
    open_ = inv["used"].isna() & inv["annulled"].isna()
    stale = open_ & ((inv["created"] < state.day - pd.Timedelta(days=days)) | (inv["valid_until"] < state.day))
    ids = sorted(inv.loc[stale, "id"])
    if not ids:
        raise Refused("ADM-13", f"Невостребованных ссылок нет ({stale_rule(days)})", "ADM-13")
    return Change(
        "ADM-13",
        f"Аннулированы невостребованные ссылки ({stale_rule(days)}): " + ", ".join(ids),
        None,
        tables={"invites": set_where(inv, stale, annulled=ctx.day)},
        params={"invites": ids, "max_age_days": days},
    )
