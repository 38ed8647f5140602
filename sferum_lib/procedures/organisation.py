"""Procedures of the organisation's set-up and upkeep: orders, registration, «Учительская», classes,
administrators, cabinets, system channels, broadcasts, support and statistics (п. 2.1, 2.2)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sferum_lib.errors import UsageError
from sferum_lib.model import SYSTEM_CHANNELS, Organisation
from sferum_lib.procedures.base import Change, Context, Refused, State, append, procedure, set_where
from sferum_lib.values import INVALID, is_mobile, parse_phone


def _org(state: State, **changes: object) -> Organisation:
    return dataclasses.replace(state.org, **changes)


def require_head(state: State, ctx: Context, duty: str) -> None:
    """The actor belongs to the administration (п. 2.2): the head or a deputy head."""
    if ctx.actor not in state.heads():
        raise Refused(duty, "Это делает администрация организации: руководитель или заместитель руководителя", duty)


def require_admin(state: State, ctx: Context, duty: str) -> None:
    """The actor is an administrator, and the administrator has registered on the platform.

    The order's number shows the appointment (п. 2.1); a missing date is a gap in the data that the audit
    reports (admin-appointed), not a reason to stop the administrator's daily work.
    """
    if state.org.admin_id is None or state.org.admin_order_number is None:
        raise Refused("ADM-01", "Сначала руководитель назначает администратора платформы приказом", duty)
    if not state.admin_registered():
        raise Refused("ADM-03", "Сначала администратор регистрируется на платформе по номеру из заявки", duty)
    if ctx.actor not in state.administrators():
        raise Refused(duty, "Это делает администратор платформы или дополнительный администратор", duty)


def _current_pedagogue(state: State, staff_id: str, duty: str, what: str) -> None:
    if state.kind(staff_id) != "staff":
        raise Refused(duty, f"Сотрудник с ID «{staff_id}» не найден", duty)
    if staff_id not in state.pedagogues():
        raise Refused(duty, f"{what} можно только из числа работающих педагогических работников", duty)


@procedure("issue_usage_order", "Издать приказ об использовании платформы", "HEAD-01")
def issue_usage_order(state: State, ctx: Context, *, number: str, date: dt.date | None = None) -> Change:
    require_head(state, ctx, "HEAD-01")
    if not str(number).strip():
        raise UsageError("Укажите номер приказа.")
    day = date or ctx.day
    return Change(
        "HEAD-01",
        f"Издан приказ № {number} от {day:%d.%m.%Y} об использовании платформы",
        "организация",
        organisation=_org(state, usage_order_number=str(number), usage_order_date=day),
        params={"number": str(number), "date": day},
    )


@procedure("appoint_administrator", "Назначить администратора платформы приказом", "HEAD-02", "ADM-01")
def appoint_administrator(
    state: State, ctx: Context, *, staff_id: str, order_number: str, order_date: dt.date | None = None
) -> Change:
    if ctx.actor not in state.the_head():
        raise Refused(
            "HEAD-02", "Администратора платформы назначает руководитель образовательной организации приказом", "HEAD-02"
        )
    _current_pedagogue(state, staff_id, "HEAD-02", "Назначить администратора")
    if not str(order_number).strip():
        raise Refused("ADM-01", "Администратор назначается приказом: укажите номер приказа", "HEAD-02")
    day = order_date or ctx.day
    staff = state.s.staff
    roles = set_where(staff, staff["platform_role"] == "администратор", platform_role=None)
    roles = set_where(roles, roles["id"] == staff_id, platform_role="администратор")
    return Change(
        "HEAD-02",
        state.said(
            staff_id,
            "Администратором платформы назначен {who}",
            "Администратором платформы назначена {who}",
            "Назначение администратором платформы: {who}",
        )
        + f", приказ № {order_number} от {day:%d.%m.%Y}",
        staff_id,
        tables={"staff": roles},
        organisation=_org(state, admin_id=staff_id, admin_order_number=str(order_number), admin_order_date=day),
        params={"staff_id": staff_id, "order_number": str(order_number), "order_date": day},
        also=("ADM-01",),
    )


@procedure("send_application", "Отправить заявку на регистрацию на info@sferum.ru", "ADM-02")
def send_application(state: State, ctx: Context) -> Change:
    org = state.org
    if org.admin_id is None or org.admin_order_number is None or org.admin_order_date is None:
        raise Refused(
            "ADM-01", "Сначала руководитель назначает администратора приказом: к заявке прилагается приказ", "ADM-02"
        )
    if ctx.actor != org.admin_id:
        raise Refused("ADM-02", "Заявку отправляет назначенный администратор платформы", "ADM-02")
    admin = state.person(org.admin_id)
    if admin is None or not is_mobile(admin["phone"] if isinstance(admin["phone"], str) else None):
        raise Refused("ADM-02", "Укажите личный мобильный телефон администратора: он нужен в заявке", "ADM-02")
    if not isinstance(admin["email"], str):
        raise Refused("ADM-02", "Укажите адрес электронной почты администратора: он нужен в заявке", "ADM-02")
    return Change(
        "ADM-02",
        f"Заявка на регистрацию отправлена на info@sferum.ru; контакт: {state.who(org.admin_id)}, "
        f"{admin['phone']}, {admin['email']}",
        "организация",
        organisation=_org(state, application_sent=ctx.day),
        params={"phone": admin["phone"], "email": admin["email"], "order_number": org.admin_order_number},
    )


@procedure("register_administrator", "Зарегистрироваться на платформе", "ADM-03")
def register_administrator(state: State, ctx: Context, *, phone: str) -> Change:
    org = state.org
    if org.application_sent is None:
        raise Refused("ADM-02", "Сначала отправьте заявку на регистрацию организации на info@sferum.ru", "ADM-03")
    admin = state.person(org.admin_id or "")
    entered = parse_phone(phone)
    if entered is INVALID or entered is None or admin is None or entered != admin["phone"]:
        raise Refused(
            "ADM-03",
            "Номер не совпадает с указанным в заявке: войдите с тем номером мобильного телефона, что был в заявке, "
            "иначе права администратора не появятся",
            "ADM-03",
        )
    staff = state.s.staff
    joined = staff["joined"].where(~((staff["id"] == org.admin_id) & staff["joined"].isna()), ctx.day)
    return Change(
        "ADM-03",
        state.said(
            org.admin_id or "",
            "Администратор {who} зарегистрирован на платформе",
            "Администратор {who} зарегистрирована на платформе",
            "Регистрация администратора на платформе: {who}",
        ),
        org.admin_id,
        tables={"staff": staff.assign(joined=joined.astype(staff["joined"].dtype))},
        organisation=_org(state, admin_registered=ctx.day),
        params={"phone": entered},
    )


_EDITABLE = {"full_name", "short_name", "city", "email", "messenger"}
#: The fields as the journal names them (the organisation's sheet's own words).
_FIELD_WORDS = {
    "city": "город",
    "email": "email",
    "full_name": "полное наименование",
    "messenger": "мессенджер",
    "short_name": "краткое наименование",
}


@procedure("edit_organisation", "Изменить сведения об организации", "ADM-04")
def edit_organisation(state: State, ctx: Context, **changes: object) -> Change:
    require_admin(state, ctx, "ADM-04")
    unknown = set(changes) - _EDITABLE
    if unknown or not changes:
        raise UsageError("Можно изменить: полное и краткое наименование, город, email, мессенджер.")
    if "messenger" in changes:
        from sferum_lib.model import Messenger
        from sferum_lib.procedures.words import choice

        # the workbook's spellings are accepted («ВК», «VK-мессенджер», «макс»); anything else is a typing mistake
        changes["messenger"] = Messenger(choice(changes["messenger"], [m.value for m in Messenger], "Мессенджер"))
    return Change(
        "ADM-04",
        "Изменены сведения об организации: " + ", ".join(_FIELD_WORDS[k] for k in sorted(changes)),
        "организация",
        organisation=_org(state, **changes),
        params={k: getattr(v, "value", v) for k, v in changes.items()},
    )


@procedure("create_teachers_room", "Создать «Учительскую»", "ADM-05")
def create_teachers_room(state: State, ctx: Context) -> Change:
    require_admin(state, ctx, "ADM-05")
    if state.teachers_room_exists():
        raise Refused("ADM-05", "«Учительская» уже создана", "ADM-05")
    staff = state.s.staff
    return Change(
        "ADM-05",
        "Создана «Учительская»; администратор в ней",
        "Учительская",
        tables={"staff": set_where(staff, staff["id"] == state.org.admin_id, in_teachers_room=True)},
        organisation=_org(state, teachers_room_created=ctx.day),
    )


@procedure("create_class", "Создать класс для объединения", "ADM-06")
def create_class(state: State, ctx: Context, *, section: str) -> Change:
    require_admin(state, ctx, "ADM-06")
    sections = state.s.sections
    row = state.row("sections", "code", section)
    if row is None:
        raise UsageError(f"Объединения с кодом «{section}» нет в данных организации: проверьте код.")
    if row["class_created"]:
        raise Refused("ADM-06", f"Класс для объединения «{row['name']}» уже создан", "ADM-06")
    return Change(
        "ADM-06",
        f"Создан класс для объединения «{row['name']}»",
        section,
        tables={"sections": set_where(sections, sections["code"] == section, class_created=True)},
    )


@procedure("appoint_additional_admin", "Назначить дополнительным администратором", "ADM-08")
def appoint_additional_admin(state: State, ctx: Context, *, staff_id: str) -> Change:
    require_admin(state, ctx, "ADM-08")
    if ctx.actor != state.org.admin_id:
        raise Refused("ADM-08", "Дополнительных администраторов назначает администратор платформы", "ADM-08")
    _current_pedagogue(state, staff_id, "ADM-08", "Назначить дополнительного администратора")
    if not state.has_joined(staff_id):
        raise Refused(
            "ADM-08",
            "Дополнительных администраторов назначают из числа присоединившихся на платформу педагогических "
            f"работников: сначала {state.who(staff_id)} вступает по ссылке-приглашению",
            "ADM-08",
        )
    if staff_id in state.administrators():
        raise Refused("ADM-08", f"{state.who(staff_id)} уже администратор", "ADM-08")
    staff = state.s.staff
    return Change(
        "ADM-08",
        state.said(
            staff_id,
            "{who} назначен дополнительным администратором",
            "{who} назначена дополнительным администратором",
            "Назначение дополнительным администратором: {who}",
        ),
        staff_id,
        tables={"staff": set_where(staff, staff["id"] == staff_id, platform_role="дополнительный администратор")},
    )


@procedure("attach_to_cabinet", "Прикрепить педагога к учебному кабинету", "ADM-09")
def attach_to_cabinet(state: State, ctx: Context, *, staff_id: str, cabinet: str) -> Change:
    require_admin(state, ctx, "ADM-09")
    _current_pedagogue(state, staff_id, "ADM-09", "Прикрепить к кабинету")
    position = str(state.person(staff_id)["position"]).lower()  # type: ignore[index]
    if "педагог дополнительного образования" not in position:
        raise Refused("ADM-09", "К кабинетам прикрепляют педагогов дополнительного образования", "ADM-09")
    staff = state.s.staff
    return Change(
        "ADM-09",
        state.said(staff_id, "{who} прикреплён", "{who} прикреплена", "{who}: прикрепление") + f" к кабинету {cabinet}",
        staff_id,
        tables={"staff": set_where(staff, staff["id"] == staff_id, cabinet=str(cabinet))},
        params={"cabinet": str(cabinet)},
    )


@procedure("create_channel", "Создать системный канал", "ADM-14")
def create_channel(state: State, ctx: Context, *, name: str) -> Change:
    require_admin(state, ctx, "ADM-14")
    name = next((c for c in SYSTEM_CHANNELS if c.lower() == str(name).strip().lower()), str(name))  # «общий»
    if name not in SYSTEM_CHANNELS:
        raise Refused("ADM-14", "Системные каналы организации — «Общий» и «Сотрудники»", "ADM-14")
    if name in set(state.s.channels["name"]):
        raise Refused("ADM-14", f"Канал «{name}» уже есть", "ADM-14")
    return Change(
        "ADM-14",
        f"Создан системный канал «{name}»",
        name,
        tables={"channels": append(state.s.channels, "channels", name=name, last_post=None)},
    )


def _channel(state: State, name: str, duty: str) -> None:
    if name not in set(state.s.channels["name"]):
        raise Refused("ADM-14", f"Сначала создайте системный канал «{name}»", duty)


@procedure("publish_to_channel", "Опубликовать в системном канале", "ADM-14")
def publish_to_channel(state: State, ctx: Context, *, name: str, text: str) -> Change:
    require_admin(state, ctx, "ADM-14")
    _channel(state, name, "ADM-14")
    if not str(text).strip():
        raise UsageError("Публикация не может быть пустой.")
    channels = state.s.channels
    return Change(
        "ADM-14",
        f"Опубликовано в канале «{name}»: {str(text)[:80]}",
        name,
        tables={"channels": set_where(channels, channels["name"] == name, last_post=ctx.day)},
        params={"text": str(text)},
    )


@procedure("supply_channel_material", "Передать материал для системного канала", "HEAD-05")
def supply_channel_material(state: State, ctx: Context, *, name: str, text: str) -> Change:
    require_head(state, ctx, "HEAD-05")
    _channel(state, name, "HEAD-05")
    return Change("HEAD-05", f"Администратору передан материал для канала «{name}»", name, params={"text": str(text)})


@procedure("plan_broadcast", "Запланировать трансляцию", "ADM-15")
def plan_broadcast(state: State, ctx: Context, *, title: str, when: dt.date) -> Change:
    require_admin(state, ctx, "ADM-15")
    if when < ctx.day:
        raise Refused("ADM-15", "Трансляцию планируют на сегодня или на будущую дату", "ADM-15")
    return Change(
        "ADM-15", f"Запланирована трансляция «{title}» на {when:%d.%m.%Y}", title, params={"title": title, "when": when}
    )


@procedure("log_support_request", "Обратиться в техническую поддержку", "ADM-17")
def log_support_request(state: State, ctx: Context, *, subject: str) -> Change:
    require_admin(state, ctx, "ADM-17")
    if not str(subject).strip():
        raise UsageError("Опишите вопрос к технической поддержке.")
    return Change(
        "ADM-17", f"Обращение в техническую поддержку (info@sferum.ru): {subject}", None, params={"subject": subject}
    )


@procedure("hand_statistics", "Передать руководителю статистику", "ADM-18")
def hand_statistics(state: State, ctx: Context) -> Change:
    from sferum_lib.checks import indicator_values

    require_admin(state, ctx, "ADM-18")
    from sferum_lib.checks import indicators

    values = indicator_values(state.s, ctx.day)
    shown = "; ".join(
        f"{i.title} — {'нет данных' if i.value is None else f'{i.value:.0%}'}" for i in indicators(state.s, ctx.day)
    )
    return Change(
        "ADM-18", f"Руководителю передана статистика использования платформы: {shown}", state.org.head_id, params=values
    )
