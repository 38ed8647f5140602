"""Integer codes of a snapshot's IDs, so the checks compare numbers instead of hashing strings again and again.

Each kind of ID (person, section, chat) is coded in one hash pass over every column that holds it; equal IDs
get equal codes, an empty cell −1. Membership tests are then a lookup in a boolean table and joins are over
int64 — on a million people several times faster than ``isin`` and ``merge`` over text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from sferum_lib.model import Snapshot


@dataclass(frozen=True)
class Coded:
    """The codes of one kind of ID in several columns, and the IDs themselves (``ids[code]``)."""

    columns: dict[str, np.ndarray]
    ids: np.ndarray

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def __len__(self) -> int:
        return len(self.ids)

    def lookup(self, codes: np.ndarray) -> np.ndarray:
        """A boolean table over all codes, true at ``codes``: index it with codes (−1 gives false)."""
        table = np.zeros(len(self.ids) + 1, dtype=bool)  # the extra last cell answers code −1
        table[codes[codes >= 0]] = True
        return table

    def isin(self, codes: np.ndarray, allowed: np.ndarray) -> np.ndarray:
        """``codes`` that are among ``allowed`` (an empty cell never is)."""
        return self.lookup(allowed)[codes]

    def text(self, codes: np.ndarray) -> np.ndarray:
        """The IDs of ``codes`` as an object array (None for −1)."""
        return np.append(self.ids, None)[codes]


def code(columns: dict[str, pd.Series]) -> Coded:
    """Code the named columns together, in one pass."""
    arrays = [c.to_numpy(dtype=object) for c in columns.values()]
    values = np.concatenate(arrays) if arrays else np.empty(0, dtype=object)
    codes, uniques = pd.factorize(values)
    split = np.split(codes.astype(np.int64), np.cumsum([len(a) for a in arrays])[:-1])
    return Coded(dict(zip(columns, split, strict=True)), np.asarray(uniques, dtype=object))


def pair_key(first: np.ndarray, second: np.ndarray, second_count: int) -> np.ndarray:
    """One int64 per pair of codes (−1 allowed in either), equal exactly when both codes are equal."""
    return (first + 1) * (second_count + 1) + (second + 1)


class SnapshotCodes:
    """The codes of a snapshot's person IDs, section codes and chat IDs, each computed when first needed."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.s = snapshot

    @classmethod
    def of(cls, snapshot: Snapshot) -> SnapshotCodes:
        """The snapshot's codes, shared by the audit and the indicators of the same snapshot.

        Kept in the snapshot's memo together with the identity of its tables, so a table replaced since
        (a snapshot is not changed in place) is coded afresh.
        """
        tables = tuple((name, id(t), len(t)) for name, t in snapshot.tables.items())
        kept = snapshot.memo.get("codes")
        if isinstance(kept, tuple) and kept[0] == tables:
            return kept[1]
        codes = cls(snapshot)
        snapshot.memo["codes"] = (tables, codes)
        return codes

    @cached_property
    def person(self) -> Coded:
        s = self.s
        return code(
            {
                "staff": s.staff["id"],
                "pupils": s.pupils["id"],
                "parents": s.parents["id"],
                "members": s.members["person_id"],
                "enrolments": s.enrolments["pupil_id"],
                "kinship.parent": s.kinship["parent_id"],
                "kinship.pupil": s.kinship["pupil_id"],
                "requests.applicant": s.requests["applicant_id"],
            }
        )

    @cached_property
    def section(self) -> Coded:
        s = self.s
        return code(
            {
                "sections": s.sections["code"],
                "chats": s.chats["section_code"],
                "enrolments": s.enrolments["section_code"],
            }
        )

    @cached_property
    def chat(self) -> Coded:
        return code({"chats": self.s.chats["id"], "members": self.s.members["chat_id"]})

    @cached_property
    def member_chat_row(self) -> np.ndarray:
        """For each member row, the row of its chat on «Чаты» (its first, if an ID repeats), −1 for none."""
        chats = self.chat["chats"]
        first = np.full(len(self.chat) + 1, -1, dtype=np.int64)
        rows = np.arange(len(chats), dtype=np.int64)
        valid = chats >= 0
        first[chats[valid][::-1]] = rows[valid][::-1]  # the last write wins: the first row of each ID
        return first[self.chat["members"]]

    def members_of(self, chat_rows: np.ndarray) -> np.ndarray:
        """Person codes of the members of the chats at ``chat_rows`` (rows of «Чаты»)."""
        is_one = np.zeros(len(self.s.chats) + 1, dtype=bool)
        is_one[chat_rows] = True
        return self.person["members"][is_one[self.member_chat_row]]
