"""The compliance audit of WORKBOOK.md §2, vectorized over pandas.

Each check is a function of a prepared :class:`_Facts` that returns a frame of findings (subject, message).
A check declares the sheets it needs; when one is absent the check is reported as not performed, never as
passed. Expected outcomes are data here: a stale link is a finding, not an error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from sferum_lib.model import (
    MANAGEMENT_CHAT_TYPES,
    SECTION_CHAT_TYPES,
    SYSTEM_CHANNELS,
    ChatType,
    Snapshot,
    full_name,
    has_joined,
    is_current,
    is_pedagogical,
)
from sferum_lib.values import is_mobile
from sferum_lib.workbook.schema import normalise_header

VIOLATION = "нарушение"
REMARK = "замечание"
FINDING_COLUMNS = ["check", "clause", "severity", "subject", "message", "duty"]


@dataclass(frozen=True)
class AuditSettings:
    """Limits the regulation leaves to the organisation; defaults as WORKBOOK.md states them."""

    invite_max_age_days: int = 7
    request_max_age_days: int = 3


@dataclass(frozen=True)
class Check:
    key: str
    clause: str
    severity: str
    duty: str
    title: str
    needs: tuple[str, ...]
    run: Callable[[_Facts], pd.DataFrame]


@dataclass
class AuditResult:
    """Findings sorted by check then subject, and the checks that could not be performed (with why)."""

    as_of: dt.date
    findings: pd.DataFrame
    not_performed: dict[str, str] = field(default_factory=dict)

    def to_records(self) -> list[dict[str, str]]:
        return self.findings[FINDING_COLUMNS].to_dict(orient="records")

    def counts(self) -> dict[str, int]:
        return {s: int((self.findings["severity"] == s).sum()) for s in (VIOLATION, REMARK)}


class _Facts:
    """The snapshot seen on one day: who is current, pedagogical, joined; computed once, shared by checks."""

    def __init__(self, snapshot: Snapshot, as_of: dt.date, settings: AuditSettings) -> None:
        self.s = snapshot
        self.org = snapshot.organisation
        self.day = pd.Timestamp(as_of)
        self.settings = settings

    @cached_property
    def staff(self) -> pd.DataFrame:
        staff = self.s.staff
        return staff.assign(
            current=is_current(staff["hired"], staff["dismissed"], self.day),
            pedagogical=is_pedagogical(staff["position"]),
            has_joined=has_joined(staff["joined"], self.day),
            name=full_name(staff),
        )

    @cached_property
    def current_pedagogues(self) -> pd.DataFrame:
        staff = self.staff
        return staff[staff["current"] & staff["pedagogical"]]

    @cached_property
    def pupils(self) -> pd.DataFrame:
        pupils = self.s.pupils
        return pupils.assign(current=is_current(pupils["enrolled"], pupils["expelled"], self.day))

    @cached_property
    def current_enrolments(self) -> pd.DataFrame:
        """(pupil, section) pairs of current pupils."""
        current = self.pupils.loc[self.pupils["current"], "id"]
        enrolments = self.s.enrolments
        return enrolments[enrolments["pupil_id"].isin(current)]

    @cached_property
    def section_memberships(self) -> pd.DataFrame:
        """Members of chats bound to a section: chat_id, person_id, type, section_code."""
        chats = self.s.chats[["id", "type", "section_code"]].rename(columns={"id": "chat_id"})
        return self.s.members[["chat_id", "person_id"]].merge(chats, on="chat_id", how="inner")

    @cached_property
    def departed(self) -> pd.Series:
        """IDs of staff and pupils whose end date is on or before the day."""
        staff = self.s.staff.loc[self.s.staff["dismissed"] <= self.day, "id"]
        pupils = self.s.pupils.loc[self.s.pupils["expelled"] <= self.day, "id"]
        return pd.concat([staff, pupils], ignore_index=True)

    @cached_property
    def names(self) -> pd.Series:
        """«Фамилия Имя Отчество» of everyone, by person ID."""
        people = [self.s.staff, self.s.pupils, self.s.parents]
        return pd.concat([pd.Series(full_name(t).to_numpy(), index=t["id"].to_numpy()) for t in people])

    def who(self, ids: pd.Series) -> pd.Series:
        """«Фамилия Имя Отчество (ID)» for the given person IDs."""
        return ids.map(self.names).fillna("") + " (" + ids + ")"

    def chats_of(self, chat_type: ChatType) -> pd.DataFrame:
        chats = self.s.chats
        return chats[chats["type"] == chat_type.value]


def _frame(subject: pd.Series | list[str], message: pd.Series | list[str]) -> pd.DataFrame:
    return pd.DataFrame({"subject": list(subject), "message": list(message)}, dtype=object)


def _who(frame: pd.DataFrame, id_column: str = "id") -> pd.Series:
    return frame["name"] + " (" + frame[id_column] + ")"


# --- the checks -----------------------------------------------------------------------------------------


def _admin_appointed(f: _Facts) -> pd.DataFrame:
    missing = []
    if not f.org.admin_id:
        missing.append("не указан администратор платформы")
    if not f.org.admin_order_number:
        missing.append("нет номера приказа о назначении администратора")
    if not f.org.admin_order_date:
        missing.append("нет даты приказа о назначении администратора")
    if not missing:
        return _frame([], [])
    text = "; ".join(missing)
    return _frame(["организация"], [f"{text[:1].upper()}{text[1:]}. Руководитель назначает администратора приказом."])


def _admin_contacts(f: _Facts) -> pd.DataFrame:
    if not f.org.admin_id:
        return _frame([], [])
    admin = f.staff[f.staff["id"] == f.org.admin_id].iloc[0]
    missing = []
    if not is_mobile(admin["phone"] if pd.notna(admin["phone"]) else None):
        missing.append("личного мобильного телефона (+79…)")
    if pd.isna(admin["email"]):
        missing.append("адреса электронной почты")
    if not missing:
        return _frame([], [])
    return _frame(
        [admin["id"]],
        [f"У администратора {admin['name']} нет {' и '.join(missing)}: они нужны для заявки на регистрацию."],
    )


def _local_act(f: _Facts) -> pd.DataFrame:
    if f.org.usage_order_number and f.org.usage_order_date:
        return _frame([], [])
    return _frame(
        ["организация"], ["Не указан приказ об использовании платформы (номер и дата): его издаёт руководитель."]
    )


def _teachers_room(f: _Facts) -> pd.DataFrame:
    ped = f.current_pedagogues
    not_joined = ped[~ped["has_joined"]]
    outside = ped[ped["has_joined"] & ~ped["in_teachers_room"]]
    return pd.concat(
        [
            _frame(
                not_joined["id"],
                "Педагог " + _who(not_joined) + " не присоединился к организации на платформе: "
                "направьте ему ссылку-приглашение в «Учительскую» в роли «педагог».",
            ),
            _frame(outside["id"], "Педагог " + _who(outside) + " присоединился, но не состоит в «Учительской»."),
        ],
        ignore_index=True,
    )


def _teacher_status(f: _Facts) -> pd.DataFrame:
    ped = f.current_pedagogues
    unconfirmed = ped[ped["has_joined"] & ~ped["status_confirmed"]]
    return _frame(unconfirmed["id"], "У педагога " + _who(unconfirmed) + " не подтверждён статус «педагог».")


def _structure(f: _Facts) -> pd.DataFrame:
    sections = f.s.sections[~f.s.sections["class_created"]]
    return _frame(
        sections["code"], "Для объединения «" + sections["name"] + "» не создан класс в структуре организации."
    )


_SECTION_CHAT_WORDS = {
    ChatType.SECTION_STUDENTS: "с обучающимися",
    ChatType.SECTION_PARENTS: "с родителями",
    ChatType.SECTION_TEACHERS: "с педагогами",
}


def _section_chats(f: _Facts) -> pd.DataFrame:
    types = pd.DataFrame({"type": [t.value for t in SECTION_CHAT_TYPES]})
    wanted = f.s.sections[["code", "name"]].merge(types, how="cross")
    have = f.s.chats[["section_code", "type"]].drop_duplicates().rename(columns={"section_code": "code"})
    missing = wanted.merge(have, on=["code", "type"], how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"]
    words = missing["type"].map({t.value: w for t, w in _SECTION_CHAT_WORDS.items()})
    out = _frame(
        missing["code"] + "/" + missing["type"],
        "У объединения «" + missing["name"] + "» нет чата " + words + ".",
    )
    out["severity"] = [REMARK if t == ChatType.SECTION_TEACHERS.value else VIOLATION for t in missing["type"]]
    return out


def _uncovered(f: _Facts, people: pd.DataFrame, chat_type: ChatType) -> pd.DataFrame:
    """(section_code, person_id) of ``people`` in sections having a chat of the type, but in none of them."""
    sections_with_chat = f.chats_of(chat_type)["section_code"].unique()
    people = people[people["section_code"].isin(sections_with_chat)].drop_duplicates()
    inside = f.section_memberships
    inside = inside.loc[inside["type"] == chat_type.value, ["section_code", "person_id"]].drop_duplicates()
    merged = people.merge(inside, on=["section_code", "person_id"], how="left", indicator=True)
    return merged[merged["_merge"] == "left_only"][["section_code", "person_id"]]


def _student_coverage(f: _Facts) -> pd.DataFrame:
    people = f.current_enrolments.rename(columns={"pupil_id": "person_id"})[["section_code", "person_id"]]
    missing = _uncovered(f, people, ChatType.SECTION_STUDENTS)
    return _frame(
        missing["section_code"] + "/" + missing["person_id"],
        "Обучающийся "
        + f.who(missing["person_id"])
        + " не состоит ни в одном чате объединения «"
        + missing["section_code"]
        + "» с обучающимися.",
    )


def _parent_coverage(f: _Facts) -> pd.DataFrame:
    parents = f.s.kinship.merge(f.current_enrolments, on="pupil_id")
    people = parents.rename(columns={"parent_id": "person_id"})[["section_code", "person_id"]]
    missing = _uncovered(f, people, ChatType.SECTION_PARENTS)
    return _frame(
        missing["section_code"] + "/" + missing["person_id"],
        "Родитель "
        + f.who(missing["person_id"])
        + " не состоит в чате родителей объединения «"
        + missing["section_code"]
        + "».",
    )


def _management_chats(f: _Facts) -> pd.DataFrame:
    present = set(f.s.chats["type"])
    missing = [t for t in MANAGEMENT_CHAT_TYPES if t.value not in present]
    return _frame([t.value for t in missing], [f"Нет чата «{t.label}» (п. 2.2)." for t in missing])


def _system_channels(f: _Facts) -> pd.DataFrame:
    present = {normalise_header(n) for n in f.s.channels["name"].dropna()}
    missing = [c for c in SYSTEM_CHANNELS if normalise_header(c) not in present]
    return _frame(missing, [f"Нет системного канала «{c}»." for c in missing])


def _stale_invites(f: _Facts) -> pd.DataFrame:
    inv = f.s.invites
    open_ = inv["used"].isna() & inv["annulled"].isna()
    too_old = inv["created"] < f.day - pd.Timedelta(days=f.settings.invite_max_age_days)
    expired = inv["valid_until"] < f.day
    stale = inv[open_ & (too_old | expired)]
    reason = (inv.loc[stale.index, "valid_until"] < f.day).map(
        {True: "срок действия истёк", False: f"создана более {f.settings.invite_max_age_days} дн. назад"}
    )
    return _frame(
        stale["id"],
        "Ссылка-приглашение "
        + stale["id"]
        + " («"
        + stale["target"]
        + "», роль «"
        + stale["role"]
        + "») не использована: "
        + reason
        + ". Аннулируйте её.",
    )


def _pending_requests(f: _Facts) -> pd.DataFrame:
    req = f.s.requests
    waiting = req[req["decision"].isna() & (req["filed"] < f.day - pd.Timedelta(days=f.settings.request_max_age_days))]
    filed = waiting["filed"].dt.strftime("%d.%m.%Y")
    return _frame(
        waiting["id"],
        "Заявка "
        + waiting["id"]
        + " от "
        + waiting["applicant_id"]
        + " (роль «"
        + waiting["role"]
        + "») подана "
        + filed
        + " и не рассмотрена.",
    )


def _departed_members(f: _Facts) -> pd.DataFrame:
    members = f.s.members
    still = pd.Index(f.departed).intersection(pd.Index(members["person_id"].unique()))
    still = pd.Series(sorted(still), dtype=object)
    return _frame(still, "Выбывший " + f.who(still) + " всё ещё состоит в чатах: удалите его из чатов организации.")


def _foreign_members(f: _Facts) -> pd.DataFrame:
    m = f.section_memberships
    m = m[m["type"].isin([t.value for t in SECTION_CHAT_TYPES])]
    m = m[~m["person_id"].isin(f.departed)]
    allowed_staff = m["person_id"].isin(f.current_pedagogues["id"])
    key = m["section_code"] + "\x1f" + m["person_id"]
    enrol = f.current_enrolments
    pupils_of_section = enrol["section_code"] + "\x1f" + enrol["pupil_id"]
    parents = f.s.kinship.merge(enrol, on="pupil_id")
    parents_of_section = parents["section_code"] + "\x1f" + parents["parent_id"]
    allowed = (
        allowed_staff
        | ((m["type"] == ChatType.SECTION_STUDENTS.value) & key.isin(pupils_of_section))
        | ((m["type"] == ChatType.SECTION_PARENTS.value) & key.isin(parents_of_section))
    )
    foreign = m[~allowed]
    who = foreign["type"].map(
        {
            ChatType.SECTION_STUDENTS.value: "не обучающийся этого объединения и не педагог",
            ChatType.SECTION_PARENTS.value: "не родитель обучающегося этого объединения и не педагог",
            ChatType.SECTION_TEACHERS.value: "не педагогический работник",
        }
    )
    return _frame(
        foreign["chat_id"] + "/" + foreign["person_id"],
        "В чате " + foreign["chat_id"] + " состоит " + f.who(foreign["person_id"]) + ": " + who + ".",
    )


S, U, P, R = "Сотрудники", "Объединения", "Обучающиеся", "Родители"
C, M = "Чаты", "Участники чатов"

CHECKS: tuple[Check, ...] = (
    Check("admin-appointed", "2.1, 2.2", VIOLATION, "ADM-01", "Администратор назначен приказом", (), _admin_appointed),
    Check("admin-contacts", "2.1", VIOLATION, "ADM-02", "Контакты администратора", (S,), _admin_contacts),
    Check("local-act", "2.2", REMARK, "HEAD-01", "Приказ об использовании платформы", (), _local_act),
    Check("teachers-room", "2.1, 2.2", VIOLATION, "ADM-05", "Педагоги в «Учительской»", (S,), _teachers_room),
    Check("teacher-status", "2.1, 2.3", VIOLATION, "ADM-11", "Статус «педагог» подтверждён", (S,), _teacher_status),
    Check("structure", "2.1", REMARK, "ADM-06", "Классы объединений созданы", (U,), _structure),
    Check("section-chats", "2.3", VIOLATION, "PDO-03", "Чаты объединений", (U, C), _section_chats),
    Check(
        "student-coverage",
        "2.3",
        VIOLATION,
        "STU-01",
        "Обучающиеся в чатах объединений",
        (U, P, C, M),
        _student_coverage,
    ),
    Check(
        "parent-coverage", "2.7", REMARK, "PAR-01", "Родители в чатах объединений", (U, P, R, C, M), _parent_coverage
    ),
    Check("management-chats", "2.2", REMARK, "HEAD-06", "Управленческие чаты", (C,), _management_chats),
    Check("system-channels", "2.1", REMARK, "ADM-14", "Системные каналы", ("Каналы",), _system_channels),
    Check(
        "stale-invites", "2.1", VIOLATION, "ADM-13", "Невостребованные ссылки", ("Ссылки-приглашения",), _stale_invites
    ),
    Check("pending-requests", "2.1", REMARK, "ADM-10", "Нерассмотренные заявки", ("Заявки",), _pending_requests),
    Check("departed-members", "2.1", VIOLATION, "ADM-12", "Выбывшие в чатах", (C, M), _departed_members),
    Check("foreign-members", "2.1", VIOLATION, "ADM-12", "Посторонние в чатах объединений", (C, M), _foreign_members),
)
CHECKS_BY_KEY: dict[str, Check] = {c.key: c for c in CHECKS}


def audit(snapshot: Snapshot, as_of: dt.date, settings: AuditSettings | None = None) -> AuditResult:
    """Run every check on the snapshot as of a day; deterministic for a given ``as_of``."""
    facts = _Facts(snapshot, as_of, settings or AuditSettings())
    parts: list[pd.DataFrame] = []
    not_performed: dict[str, str] = {}
    for check in CHECKS:
        absent = [s for s in check.needs if not snapshot.has(s)]
        if absent:
            not_performed[check.key] = "нет листа " + ", ".join(f"«{s}»" for s in absent)
            continue
        found = check.run(facts)
        if found.empty:
            continue
        found = found.assign(check=check.key, clause=check.clause, duty=check.duty)
        if "severity" not in found:
            found["severity"] = check.severity
        parts.append(found)
    if parts:
        findings = pd.concat(parts, ignore_index=True)[FINDING_COLUMNS].astype(object)
        findings = findings.drop_duplicates(["check", "subject"]).sort_values(["check", "subject"], kind="stable")
    else:
        findings = pd.DataFrame(columns=FINDING_COLUMNS, dtype=object)
    return AuditResult(as_of, findings.reset_index(drop=True), not_performed)
