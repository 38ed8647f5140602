"""The indicators of WORKBOOK.md §3: shares in [0, 1] with their numerators, denominators and formulas.

These are the product's own definitions; the official monitoring formulas are not public and can be added
as configuration later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from sferum_lib.model import ChatType, Snapshot, has_joined, is_current, is_pedagogical


@dataclass(frozen=True)
class Indicator:
    key: str
    title: str
    formula: str
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """The share rounded to 4 decimals; ``None`` when the denominator is empty."""
        if self.denominator == 0:
            return None
        return round(self.numerator / self.denominator, 4)


def _ratio(key: str, title: str, formula: str, mask: pd.Series) -> Indicator:
    return Indicator(key, title, formula, int(mask.sum()), len(mask))


def indicators(snapshot: Snapshot, as_of: dt.date) -> list[Indicator]:
    """All indicators on a day, in the contract's order."""
    day = pd.Timestamp(as_of)
    staff, pupils, parents = snapshot.staff, snapshot.pupils, snapshot.parents
    sections, chats, members = snapshot.sections, snapshot.chats, snapshot.members

    ped = staff[is_current(staff["hired"], staff["dismissed"], day) & is_pedagogical(staff["position"])]
    current_pupils = pupils[is_current(pupils["enrolled"], pupils["expelled"], day)]
    parent_ids = snapshot.kinship.loc[snapshot.kinship["pupil_id"].isin(current_pupils["id"]), "parent_id"].unique()
    their_parents = parents[parents["id"].isin(parent_ids)]

    section_types = chats.groupby("section_code")["type"].agg(set) if len(chats) else pd.Series(dtype=object)
    both = {ChatType.SECTION_STUDENTS.value, ChatType.SECTION_PARENTS.value}
    with_chats = sections["code"].map(lambda code: both <= section_types.get(code, set()))

    enrolments = snapshot.enrolments[snapshot.enrolments["pupil_id"].isin(current_pupils["id"])]
    student_chats = chats.loc[chats["type"] == ChatType.SECTION_STUDENTS.value, ["id", "section_code"]]
    in_chat = members.merge(student_chats, left_on="chat_id", right_on="id")[["section_code", "person_id"]]
    in_chat = in_chat.drop_duplicates().rename(columns={"person_id": "pupil_id"})
    covered = enrolments.merge(in_chat, on=["section_code", "pupil_id"], how="left", indicator=True)["_merge"]

    recent = (chats["last_message"] >= day - pd.Timedelta(days=30)) & (chats["last_message"] <= day)

    return [
        _ratio(
            "staff_joined",
            "Педагоги присоединились к платформе",
            "текущие педагогические работники, присоединившиеся / текущие педагогические работники",
            has_joined(ped["joined"], day),
        ),
        _ratio(
            "staff_verified",
            "Статус «педагог» подтверждён",
            "текущие педагогические работники с подтверждённым статусом / текущие педагогические работники",
            ped["status_confirmed"],
        ),
        _ratio(
            "students_joined",
            "Обучающиеся присоединились",
            "текущие обучающиеся, присоединившиеся / текущие обучающиеся",
            has_joined(current_pupils["joined"], day),
        ),
        _ratio(
            "parents_joined",
            "Родители присоединились",
            "родители хотя бы одного текущего обучающегося, присоединившиеся / все такие родители",
            has_joined(their_parents["joined"], day),
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
            with_chats.astype(bool),
        ),
        _ratio(
            "students_in_section_chats",
            "Обучающиеся в чатах своих объединений",
            "зачисления текущих обучающихся, чей обучающийся состоит в чате объединения с обучающимися "
            "/ все такие зачисления",
            covered == "both",
        ),
        _ratio(
            "active_chats",
            "Активные чаты (сообщение за 30 дней)",
            "чаты с последним сообщением не ранее чем за 30 дней до даты / все чаты",
            recent,
        ),
    ]


def indicator_values(snapshot: Snapshot, as_of: dt.date) -> dict[str, float | None]:
    """Key → value, as ``sferum indicators --format json`` prints it."""
    return {i.key: i.value for i in indicators(snapshot, as_of)}
