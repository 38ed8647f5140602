"""The indicators of WORKBOOK.md §3: shares in [0, 1] with their numerators, denominators and formulas.

These are the product's own definitions; the official monitoring formulas are not public and can be added
as configuration later.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sferum_lib.checks.audit import DayFacts
from sferum_lib.model import ChatType, Snapshot, has_joined


@dataclass(frozen=True)
class Indicator:
    key: str
    title: str
    formula: str
    numerator: int
    denominator: int
    #: Sheets the indicator is counted from that the workbook did not have: then it is not known at all.
    missing: tuple[str, ...] = ()

    @property
    def value(self) -> float | None:
        """The share rounded to 4 decimals; ``None`` when the denominator is empty or its sheets are missing."""
        if self.denominator == 0 or self.missing:
            return None
        return round(self.numerator / self.denominator, 4)


#: The sheets each indicator is counted from. A book without one of them (a CSV folder without «Чаты.csv»)
#: says nothing about that indicator: «0 %» would claim that no section has chats.
SOURCES: dict[str, tuple[str, ...]] = {
    "staff_joined": ("Сотрудники",),
    "staff_verified": ("Сотрудники",),
    "students_joined": ("Обучающиеся",),
    "parents_joined": ("Обучающиеся", "Родители"),
    "sections_with_class": ("Объединения",),
    "sections_with_chats": ("Объединения", "Чаты"),
    "students_in_section_chats": ("Объединения", "Обучающиеся", "Чаты", "Участники чатов"),
    "active_chats": ("Чаты",),
}


def _ratio(key: str, title: str, formula: str, mask: pd.Series) -> Indicator:
    return Indicator(key, title, formula, int(mask.sum()), len(mask))


def _known(snapshot: Snapshot, item: Indicator) -> Indicator:
    missing = tuple(s for s in SOURCES.get(item.key, ()) if not snapshot.has(s))
    return dataclasses.replace(item, numerator=0, denominator=0, missing=missing) if missing else item


def indicators(snapshot: Snapshot, as_of: dt.date) -> list[Indicator]:
    """All indicators on a day, in the contract's order."""
    day = pd.Timestamp(as_of)
    staff, pupils, parents = snapshot.staff, snapshot.pupils, snapshot.parents
    sections, chats = snapshot.sections, snapshot.chats

    # the day's facts, shared with the audit of the same day: who is current, who is in which chat
    facts = DayFacts.of(snapshot, as_of)
    person, section = facts.codes.person, facts.codes.section

    # the columns needed, filtered one by one: a filter of a whole table would copy a million rows of text
    ped = (facts.staff["current"] & facts.staff["pedagogical"]).to_numpy()
    is_current_pupil = facts.current_pupil
    their_parents = person.isin(person["parents"], facts.parents_of_current)

    chat_types = chats["type"].to_numpy(dtype=object)
    with_chats = np.ones(len(sections), dtype=bool)
    for chat_type in (ChatType.SECTION_STUDENTS, ChatType.SECTION_PARENTS):
        with_chats &= section.isin(section["sections"], section["chats"][chat_types == chat_type.value])

    # each current enrolment: whether its pupil is in a chat with pupils of its section
    covered = facts.matches(ChatType.SECTION_STUDENTS).wanted_inside

    recent = (chats["last_message"] >= day - pd.Timedelta(days=30)) & (chats["last_message"] <= day)

    items = [
        _ratio(
            "staff_joined",
            "Педагоги присоединились к платформе",
            "текущие педагогические работники, присоединившиеся / текущие педагогические работники",
            has_joined(staff["joined"][ped], day),
        ),
        _ratio(
            "staff_verified",
            "Статус «педагог» подтверждён",
            "текущие педагогические работники с подтверждённым статусом / текущие педагогические работники",
            staff["status_confirmed"][ped],
        ),
        _ratio(
            "students_joined",
            "Обучающиеся присоединились",
            "текущие обучающиеся, присоединившиеся / текущие обучающиеся",
            has_joined(pupils["joined"][is_current_pupil], day),
        ),
        _ratio(
            "parents_joined",
            "Родители присоединились",
            "родители хотя бы одного текущего обучающегося, присоединившиеся / все такие родители",
            has_joined(parents["joined"][their_parents], day),
        ),
        _ratio(
            "sections_with_class",
            "Объединения с созданным классом",
            "объединения с созданным классом / объединения",
            sections["class_created"],
        ),
        _ratio(
            "sections_with_chats",
            "Объединения с чатами обучающихся и родителей",
            "объединения, у которых есть чат с обучающимися и чат с родителями / объединения",
            pd.Series(with_chats),
        ),
        _ratio(
            "students_in_section_chats",
            "Обучающиеся в чатах своих объединений",
            "зачисления текущих обучающихся, чей обучающийся состоит в чате объединения с обучающимися "
            "/ все такие зачисления",
            pd.Series(covered),
        ),
        _ratio(
            "active_chats",
            "Активные чаты (сообщение за 30 дней)",
            "чаты с последним сообщением не ранее чем за 30 дней до даты / все чаты",
            recent,
        ),
    ]
    return [_known(snapshot, item) for item in items]


def indicator_values(snapshot: Snapshot, as_of: dt.date) -> dict[str, float | None]:
    """Key → value, as ``sferum indicators --format json`` prints it."""
    return {i.key: i.value for i in indicators(snapshot, as_of)}
