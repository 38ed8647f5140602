"""One person's checklist: their roles' duties from the catalogue and what the data shows of each.

Used by the `person` report and by the role notebooks' work mode. A duty is «выполнено», «не выполнено»,
«не требуется» (nothing in the data calls for it: a teacher without sections; or the person has left — every
duty of a dismissed teacher or an expelled pupil, with the date), «по необходимости» (the regulation makes it
conditional — «при необходимости», «при наличии доступа» — so it is never "not done", but «выполнено» when the
data shows it done; the detail says what the data shows) or «не видно по данным» (the workbook holds nothing
that shows it, e.g. helping participants). Limits the regulation does not set are the organisation's rules
(:class:`AuditSettings`) and are cited as such.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from sferum_lib.checks import AuditSettings, audit
from sferum_lib.errors import UsageError
from sferum_lib.grammar import Person
from sferum_lib.model import ChatType, Snapshot, has_joined, is_pedagogical
from sferum_lib.regulation import Duty, default_catalogue
from sferum_lib.regulation.editions import cite

DONE, PENDING, NOT_NEEDED, UNSEEN = "выполнено", "не выполнено", "не требуется", "не видно по данным"
AS_NEEDED = "по необходимости"
STATUSES = (DONE, PENDING, AS_NEEDED, NOT_NEEDED, UNSEEN)
#: How a view colours each status (green, red, and grey for the rest).
STATUS_COLOURS = {DONE: "#2e7d32", PENDING: "#c62828", AS_NEEDED: "#757575", NOT_NEEDED: "#757575", UNSEEN: "#757575"}


@dataclass(frozen=True)
class Item:
    duty: Duty
    status: str
    detail: str


def roles_of(snapshot: Snapshot, person_id: str) -> list[str]:
    """Catalogue roles of a person: a staff member may be administrator and teacher at once."""
    staff, pupils, parents = snapshot.staff, snapshot.pupils, snapshot.parents
    if (pupils["id"] == person_id).any():
        return ["student"]
    if (parents["id"] == person_id).any():
        return ["parent"]
    row = staff[staff["id"] == person_id]
    if row.empty:
        raise UsageError(f"Человека с ID «{person_id}» нет в данных организации.")
    position = str(row["position"].iloc[0]).lower()
    org = snapshot.organisation
    roles = []
    if person_id == org.admin_id or row["platform_role"].iloc[0] == "администратор":
        roles.append("admin")
    if person_id == org.head_id or (
        ("руководитель" in position or "заместитель" in position) and "педагог" not in position
    ):
        roles.append("head")
    if "педагог дополнительного образования" in position:
        roles.append("pdo")
    elif bool(is_pedagogical(row["position"]).iloc[0]) and "head" not in roles:
        roles.append("ped")
    return roles


@dataclass(frozen=True)
class Departure:
    """A person who has left the organisation by a day: dismissed (staff) or expelled (pupils)."""

    person: Person
    day: dt.date
    verb: str  # «уволен», «уволена», «отчислен», «отчислена» — or «выбыл(а)» when the gender is unknown

    @property
    def words(self) -> str:
        """«отчислена 15.10.2026»."""
        return f"{self.verb} {self.day:%d.%m.%Y}"


def departure(snapshot: Snapshot, person_id: str, as_of: dt.date) -> Departure | None:
    """How the person left the organisation by ``as_of`` (the audit's `departed-members` dates), or None.

    A parent does not leave: the workbook has no such date for parents.
    """
    day = pd.Timestamp(as_of)
    for table, column, masculine, feminine in (
        (snapshot.staff, "dismissed", "уволен", "уволена"),
        (snapshot.pupils, "expelled", "отчислен", "отчислена"),
    ):
        found = table[table["id"] == person_id]
        if found.empty:
            continue
        left = found[column].iloc[0]
        if pd.isna(left) or pd.Timestamp(left) > day:
            return None
        person = Person.from_row({**found.iloc[0].to_dict(), "id": person_id})
        return Departure(person, pd.Timestamp(left).date(), person.agree(masculine, feminine, "выбыл(а)"))
    return None


class _Facts:
    def __init__(
        self,
        snapshot: Snapshot,
        person_id: str,
        as_of: dt.date,
        settings: AuditSettings,
        findings: pd.DataFrame | None = None,
    ) -> None:
        self.s, self.id, self.day, self.settings = snapshot, person_id, pd.Timestamp(as_of), settings
        self.findings = audit(snapshot, as_of, settings).findings if findings is None else findings
        self.person = self._person()
        self.edition = snapshot.organisation.regulation_edition  # the «Редакция положения» citations follow

    def _person(self) -> pd.Series:
        for table in (self.s.staff, self.s.pupils, self.s.parents):
            found = table[table["id"] == self.id]
            if not found.empty:
                return found.iloc[0]
        raise UsageError(f"Человека с ID «{self.id}» нет в данных организации.")

    def count(self, check: str, subject_prefix: str | None = None) -> int:
        found = self.findings[self.findings["check"] == check]
        if subject_prefix is not None:
            found = found[found["subject"].str.startswith(subject_prefix)]
        return len(found)

    @property
    def joined(self) -> bool:
        return bool(has_joined(pd.Series([self.person["joined"]]), self.day).iloc[0])

    def joined_text(self) -> str:
        return f"на платформе с {self.person['joined']:%d.%m.%Y}" if self.joined else "на платформе ещё нет"

    def pending_requests(self, kind: str) -> int:
        """Requests waiting longer than the organisation's limit, from staff or from pupils."""
        waiting = set(self.findings.loc[self.findings["check"] == "pending-requests", "subject"])
        req = self.s.requests[self.s.requests["id"].isin(waiting)]
        people = self.s.staff if kind == "staff" else self.s.pupils
        return int(req["applicant_id"].isin(people["id"]).sum())

    def chats_of(self, types: set[str], sections: set[str] | None = None) -> set[str]:
        """IDs of the person's chats of the given types (and sections)."""
        chats = self.s.chats[self.s.chats["type"].isin(types)]
        if sections is not None:
            chats = chats[chats["section_code"].isin(sections)]
        mine = set(self.s.members.loc[self.s.members["person_id"] == self.id, "chat_id"])
        return set(chats["id"]) & mine

    def sections_taught(self) -> set[str]:
        return set(self.s.sections.loc[self.s.sections["teacher_id"] == self.id, "code"])

    def sections_attended(self) -> set[str]:
        enrol = self.s.enrolments
        return set(enrol.loc[enrol["pupil_id"] == self.id, "section_code"])

    def children_sections(self) -> set[str]:
        kids = set(self.s.kinship.loc[self.s.kinship["parent_id"] == self.id, "pupil_id"])
        enrol = self.s.enrolments
        return set(enrol.loc[enrol["pupil_id"].isin(kids), "section_code"])


def _done(ok: bool, detail_ok: str, detail_pending: str) -> tuple[str, str]:
    return (DONE, detail_ok) if ok else (PENDING, detail_pending)


def _org_check(check: str, what: str, todo: str) -> Callable[[_Facts], tuple[str, str]]:
    def rule(f: _Facts) -> tuple[str, str]:
        n = f.count(check)
        return _done(n == 0, what, f"{todo}: {n}")

    return rule


def _own_section_chats(f: _Facts) -> tuple[str, str]:
    sections = f.sections_taught()
    if not sections:
        return NOT_NEEDED, "за педагогом не закреплены объединения"
    missing = sum(f.count("section-chats", f"{code}/") for code in sections)
    return _done(missing == 0, "у всех объединений педагога есть три чата", f"не хватает чатов объединений: {missing}")


def _member_everywhere(f: _Facts, chat_type: ChatType, sections: set[str], who: str) -> tuple[str, str]:
    if not sections:
        return NOT_NEEDED, f"{who} ни в одном объединении"
    missing = [code for code in sorted(sections) if not f.chats_of({chat_type.value}, {code})]
    # a pupil or a parent knows the section by its name («Робототехника»), not by the workbook's code («RT»)
    names = dict(zip(f.s.sections["code"], f.s.sections["name"], strict=False))
    shown = [f"«{names[code]}»" if names.get(code) else code for code in missing]
    return _done(
        not missing, "состоит в чатах всех своих объединений", "нет в чатах объединений: " + ", ".join(shown)
    )


def _recent_activity(f: _Facts) -> tuple[str, str]:
    chats = f.s.chats[f.s.chats["owner_id"] == f.id]
    if chats.empty:
        return PENDING, "у педагога нет своих чатов"
    active = chats["last_message"] >= f.day - pd.Timedelta(days=30)
    return _done(
        bool(active.all()),
        "во всех чатах педагога были сообщения за 30 дней (как считает показатель «Активные чаты»)",
        f"чатов без сообщений за 30 дней (как считает показатель «Активные чаты»): {int((~active).sum())}",
    )


def _invites_to_pupils(f: _Facts) -> str:
    """The part of ADM-07 the regulation makes conditional: links to pupils."""
    n = int((f.s.invites["role"] == "обучающийся").sum())
    return f"создано ссылок для обучающихся: {n}" if n else "ссылок для обучающихся не создавалось"


def _requests(f: _Facts) -> tuple[str, str]:
    rule = f"по правилам организации: {f.settings.request_max_age_days} дн."
    staff = f.pending_requests("staff")
    status, detail = _done(
        staff == 0,
        f"заявок педагогов, ждущих дольше срока ({rule}), нет",
        f"заявок педагогов ждут дольше срока ({rule}): {staff}",
    )
    pupils = f.pending_requests("pupil")
    return status, f"{detail}; заявки обучающихся — {AS_NEEDED} (ждут дольше срока: {pupils})"


def _stale_invites(f: _Facts) -> tuple[str, str]:
    rule = f"по правилам организации: {f.settings.invite_max_age_days} дн. без использования или истёкший срок"
    n = f.count("stale-invites")
    return _done(n == 0, f"невостребованных ссылок нет ({rule})", f"невостребованных ссылок ({rule}): {n}")


RULES: dict[str, Callable[[_Facts], tuple[str, str]]] = {
    "ADM-01": lambda f: _done(
        f.s.organisation.admin_id == f.id
        and bool(f.s.organisation.admin_order_date)
        and bool(f.s.organisation.admin_order_number),
        f"приказ о назначении № {f.s.organisation.admin_order_number} от {_day(f.s.organisation.admin_order_date)}",
        "нет номера или даты приказа о назначении",
    ),
    "ADM-02": lambda f: _done(
        f.s.organisation.application_sent is not None or f.joined,
        "заявка отправлена",
        "отправьте заявку на info@sferum.ru",
    ),
    "ADM-03": lambda f: _done(
        f.s.organisation.admin_registered is not None or f.joined,
        "регистрация на платформе пройдена",
        "пройдите регистрацию по номеру мобильного телефона из заявки",
    ),
    "ADM-04": lambda f: (DONE, "сведения об организации внесены"),
    "ADM-05": lambda f: _done(
        f.s.organisation.teachers_room_created is not None or bool(f.s.staff["in_teachers_room"].any()),
        "«Учительская» создана",
        "создайте «Учительскую»",
    ),
    "ADM-06": _org_check("structure", "классы всех объединений созданы", "объединений без класса"),
    "ADM-07": _org_check("teachers-room", "все педагоги в «Учительской»", "педагогов вне «Учительской»"),
    # the pupils' part of ADM-07 and ADM-10 is conditional: see CONDITIONAL_PARTS
    "ADM-08": lambda f: (
        (DONE, "назначены")
        if (f.s.staff["platform_role"] == "дополнительный администратор").any()
        else (PENDING, "дополнительные администраторы не назначены")
    ),
    "ADM-09": lambda f: _done(
        bool(
            f.s.staff.loc[f.s.staff["position"].str.contains("педагог дополнительного", na=False), "cabinet"]
            .notna()
            .all()
        ),
        "педагоги прикреплены к кабинетам",
        "не у всех педагогов указан кабинет",
    ),
    "ADM-10": _requests,
    "ADM-11": _org_check("teacher-status", "статусы подтверждены", "статус не подтверждён у педагогов"),
    "ADM-12": lambda f: _done(
        f.count("departed-members") + f.count("foreign-members") == 0,
        "выбывших и посторонних в чатах нет",
        f"выбывших и посторонних в чатах: {f.count('departed-members') + f.count('foreign-members')}",
    ),
    "ADM-13": _stale_invites,
    "ADM-14": _org_check("system-channels", "каналы «Общий» и «Сотрудники» есть", "нет системных каналов"),
    "HEAD-01": lambda f: _done(
        bool(f.s.organisation.usage_order_number and f.s.organisation.usage_order_date),
        "приказ издан",
        "издайте приказ об использовании платформы",
    ),
    "HEAD-02": lambda f: (
        (NOT_NEEDED, f"администратора назначает руководитель организации ({cite('2.1', f.edition)})")
        if f.s.organisation.head_id and f.s.organisation.head_id != f.id
        else _done(
            bool(f.s.organisation.admin_id and f.s.organisation.admin_order_date),
            "администратор назначен приказом",
            "назначьте администратора приказом",
        )
    ),
    "HEAD-03": lambda f: _done(
        f.joined and bool(f.person.get("in_teachers_room", False)),
        "в «Учительской»",
        "вступите в «Учительскую» по ссылке-приглашению",
    ),
    "HEAD-04": lambda f: _done(
        bool(f.person.get("status_confirmed", False)), "статус подтверждён", "статус «педагог» не подтверждён"
    ),
    "HEAD-06": _org_check("management-chats", "все управленческие чаты созданы", "управленческих чатов не хватает"),
    "PDO-01": lambda f: _done(f.joined, f.joined_text(), "вступите по ссылке-приглашению администратора"),
    "PDO-02": lambda f: _done(
        bool(f.person.get("status_confirmed", False)), "статус подтверждён", "статус «педагог» не подтверждён"
    ),
    "PDO-03": _own_section_chats,
    "PDO-04": _recent_activity,
    "PED-01": lambda f: _done(f.joined, f.joined_text(), "вступите по ссылке-приглашению администратора"),
    "PED-02": lambda f: _done(
        bool(f.person.get("status_confirmed", False)), "статус подтверждён", "статус «педагог» не подтверждён"
    ),
    "PED-03": lambda f: _done(
        bool(f.chats_of({ChatType.LESSON.value, ChatType.OTHER.value})),
        "учебные чаты созданы",
        "создайте чат занятия с обучающимися",
    ),
    "PED-04": _recent_activity,
    "STU-01": lambda f: _member_everywhere(f, ChatType.SECTION_STUDENTS, f.sections_attended(), "не числится"),
    "STU-02": lambda f: _done(
        bool(f.chats_of({t.value for t in ChatType})), "участвует в чатах", "нет ни в одном чате"
    ),
    "PAR-01": lambda f: _member_everywhere(f, ChatType.SECTION_PARENTS, f.children_sections(), "дети не числятся"),
    "PAR-02": lambda f: _done(
        bool(f.chats_of({t.value for t in ChatType})), "участвует в чатах", "нет ни в одном чате"
    ),
}


def _from_journal(journal: pd.DataFrame | None, duty: str, person_id: str, as_of: dt.date) -> tuple[str, str] | None:
    """A duty the workbook cannot show, seen done in the journal of procedures (by this person, by that day)."""
    if journal is None or journal.empty:
        return None
    mine = journal[
        (journal["duty"] == duty) & (journal["actor"] == person_id) & (journal["on_day"] <= as_of.isoformat())
    ]
    if mine.empty:
        return None
    last = mine.iloc[-1]
    day = dt.date.fromisoformat(last["on_day"]).strftime("%d.%m.%Y")
    return DONE, f"по журналу: {last['summary']} ({day})"


#: What the data shows of the conditional part of a duty (the regulation: «обучающимся (при необходимости)»).
CONDITIONAL_PARTS: dict[str, Callable[[_Facts], str]] = {
    "ADM-07": _invites_to_pupils,
}


def _day(value: object) -> str:
    return pd.Timestamp(value).strftime("%d.%m.%Y") if value else "—"


def checklist(
    snapshot: Snapshot,
    person_id: str,
    as_of: dt.date,
    journal: pd.DataFrame | None = None,
    settings: AuditSettings | None = None,
    findings: pd.DataFrame | None = None,
) -> list[Item]:
    """The person's duties, each with its status and what the data (and, if given, the journal) shows.

    ``findings`` — the audit's findings of this snapshot on ``as_of`` with these settings, when the caller has
    them already (a report kernel that has just audited a million people need not audit them again).

    The duties' texts are as the organisation's messenger has them («MAX» on MAX), and their citations
    (``item.duty.citation``) in the organisation's edition of the regulation. A conditional duty is
    «выполнено» when the data shows it done, «по необходимости» otherwise; the detail says what it shows. A person
    who has left by ``as_of`` (see :func:`departure`) has every duty «не требуется», the detail saying since when.
    """
    catalogue = default_catalogue().for_organisation(snapshot.organisation)
    left = departure(snapshot, person_id, as_of)
    if left is not None:  # a person who has left has no duties here any more: nothing to do, nothing "not done"
        return [
            Item(duty, NOT_NEEDED, left.words)
            for role in roles_of(snapshot, person_id)
            for duty in catalogue.for_role(role)
        ]
    facts = _Facts(snapshot, person_id, as_of, settings or AuditSettings(), findings)
    items = []
    for role in roles_of(snapshot, person_id):
        for duty in catalogue.for_role(role):
            rule = RULES.get(duty.id)
            status, detail = rule(facts) if rule else (UNSEEN, "в книге организации нет данных об этом")
            if status != DONE:
                status, detail = _from_journal(journal, duty.id, person_id, as_of) or (status, detail)
            if duty.conditional and status != DONE:  # done is done, conditional or not
                condition = f"положение: «{duty.condition}»" if duty.condition != "при необходимости" else ""
                status, detail = AS_NEEDED, "; ".join(p for p in (condition, detail) if p)
            elif duty.id in CONDITIONAL_PARTS:
                detail = f"{detail}; обучающимся — {AS_NEEDED} ({CONDITIONAL_PARTS[duty.id](facts)})"
            items.append(Item(duty, status, detail))
    return items
