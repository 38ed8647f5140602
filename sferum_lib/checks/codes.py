"""Integer codes of a snapshot's IDs, so the checks compare numbers instead of hashing strings again and again.

Each kind of ID (person, section, chat) is coded in one hash pass over every column that holds it; equal IDs
get equal codes, an empty cell −1. Membership tests are then a lookup in a boolean table and joins are over
int64 — on a million people several times faster than ``isin`` and ``merge`` over text.

A large organisation's IDs (from :data:`FAST_MIN` values) are hashed in bulk by polars and coded in parts that
fit the processor's cache (:func:`factorize_text`, :func:`factorize_int`); a small one's by pandas in one table,
without importing polars. Either way equal IDs get equal codes; only the numbering differs, and nothing depends
on it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sferum_lib.model import Snapshot

if TYPE_CHECKING:
    import polars as pl


class Coded:
    """The codes of one kind of ID in several columns, and the IDs themselves (``ids[code]``).

    The IDs are the values at the first position of each code among all the coded values (``source`` and
    ``first``); they are taken only when asked for, as a finding names a few of a million.
    """

    def __init__(self, columns: dict[str, np.ndarray], source: np.ndarray, first: np.ndarray | None = None) -> None:
        self.columns = columns
        self._source = source
        self._first = first  # None: ``source`` is the IDs themselves

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def __len__(self) -> int:
        return len(self._source) if self._first is None else len(self._first)

    @cached_property
    def ids(self) -> np.ndarray:
        return self._source if self._first is None else self._source[self._first]

    def lookup(self, codes: np.ndarray) -> np.ndarray:
        """A boolean table over all codes, true at ``codes``: index it with codes (−1 gives false)."""
        table = np.zeros(len(self) + 1, dtype=bool)  # the extra last cell answers code −1
        table[codes[codes >= 0]] = True
        return table

    def isin(self, codes: np.ndarray, allowed: np.ndarray) -> np.ndarray:
        """``codes`` that are among ``allowed`` (an empty cell never is)."""
        return self.lookup(allowed)[codes]

    def text(self, codes: np.ndarray) -> np.ndarray:
        """The IDs of ``codes`` as an object array (None for −1)."""
        out = np.full(len(codes), None, dtype=object)
        valid = codes >= 0
        at = codes[valid] if self._first is None else self._first[codes[valid]]
        out[valid] = self._source[at]
        return out


def code(columns: dict[str, pd.Series]) -> Coded:
    """Code the named columns together, in one pass."""
    arrays = [c.to_numpy(dtype=object) for c in columns.values()]
    values = np.concatenate(arrays) if arrays else np.empty(0, dtype=object)
    hashed = None
    if len(values) >= FAST_MIN and all(isinstance(c.dtype, pd.StringDtype) for c in columns.values()):
        # text columns hold only strings and empty cells: what the hashed path takes exactly
        hashed = factorize_text(arrays, [lambda c=c: c.isna().to_numpy() for c in columns.values()], values)
    if hashed is None:
        codes, uniques = pd.factorize(values)
        codes, source, first = codes.astype(np.int64), np.asarray(uniques, dtype=object), None
    else:
        codes, first = hashed
        source = values
    split = np.split(codes, np.cumsum([len(a) for a in arrays])[:-1])
    return Coded(dict(zip(columns, split, strict=True)), source, first)


#: Fewest values worth the hashed path of :func:`factorize_text` and :func:`factorize_int`: below it one
#: hash table fits the processor's cache anyway, and importing polars would cost more than it saves.
FAST_MIN = 200_000
#: A hash table per part of the values, 2**bits parts: each small enough to stay in the processor's cache.
_PART_BITS = 8
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: spreads close integers over the top bits


def factorize_int(keys: np.ndarray, mixed: bool = False) -> tuple[np.ndarray, int]:
    """Codes 0…k−1 of int64 (or uint64) ``keys``, equal keys equal codes, and k; numbered in no particular order.

    A million distinct keys make a hash table larger than the processor's cache, and every lookup a miss: the
    keys are split by their top bits (``mixed`` keys are hashes already; others are mixed first) into parts
    whose tables fit it, each part coded on its own.
    """
    n = len(keys)
    if n < FAST_MIN:
        codes, uniques = pd.factorize(keys)
        return codes.astype(np.int64), len(uniques)
    spread = keys.view(np.uint64) if mixed else keys.view(np.uint64) * _MIX
    part = (spread >> np.uint64(64 - _PART_BITS)).astype(np.uint8)
    order = np.argsort(part, kind="stable")  # a counting sort for one-byte keys
    ends = np.cumsum(np.bincount(part, minlength=2**_PART_BITS))
    ordered = keys[order]
    coded = np.empty(n, dtype=np.int64)
    start = count = 0
    for end in ends.tolist():
        if end > start:
            codes, uniques = pd.factorize(ordered[start:end])
            coded[start:end] = codes + count
            count += len(uniques)
        start = end
    out = np.empty(n, dtype=np.int64)
    out[order] = coded
    return out, count


def first_rows(codes: np.ndarray, count: int) -> np.ndarray:
    """For each code 0…count−1, the position of its first occurrence in ``codes`` (all codes occur)."""
    first = np.empty(count, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1, dtype=np.int64)  # the last write wins: the first
    return first


def factorize_text(
    parts: Sequence[np.ndarray], missing: Sequence[Callable[[], np.ndarray]], joined: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray] | None:
    """Codes of object arrays of strings and empty cells (``missing[i]()`` tells which of ``parts[i]``: code −1),
    all the parts coded together, one after another, as ``pd.factorize`` of their concatenation gives them but
    numbered in no particular order, and each code's first position; None when polars is absent or a value is
    not plain text. ``joined`` is that concatenation, when the caller has it already.

    The strings are hashed by polars (64 bits, in bulk) and the hashes coded by :func:`factorize_int`; every
    string is then compared with the first string of its code, so a collision of hashes cannot join two IDs
    (it sends the caller to the exact path instead). Much faster than hashing a million Python strings one by
    one into one table.
    """
    try:
        import polars as pl
    except ImportError:
        return None

    def text(strings: np.ndarray) -> pl.Series:
        return pl.Series(strings, dtype=pl.String) if len(strings) else pl.Series([], dtype=pl.String)

    try:
        try:
            if joined is None:
                joined = np.concatenate(parts) if parts else np.empty(0, dtype=object)
            series, present = text(joined), None
        except (TypeError, pl.exceptions.PolarsError):  # an empty cell (NaN): taken out of its part only
            series, present = _without_gaps(parts, missing, text)
    except (TypeError, ValueError, pl.exceptions.PolarsError):  # not text, or a lone surrogate
        return None
    codes, count = factorize_int(series.hash(seed=0).to_numpy(), mixed=True)
    first = first_rows(codes, count)
    if not (series.gather(first[codes]) == series).all():  # two IDs share a hash
        return None
    if present is None:
        return codes, first
    out = np.full(sum(len(p) for p in parts), -1, dtype=np.int64)
    out[present] = codes
    return out, present[first]


def _without_gaps(
    parts: Sequence[np.ndarray], missing: Sequence[Callable[[], np.ndarray]], text: Callable
) -> tuple[pl.Series, np.ndarray]:
    """The parts' strings as one polars column without their empty cells, and the positions of those strings;
    only a part that has an empty cell is looked through for them (a column's ``isna`` is costly)."""
    import polars as pl

    pieces, kept, start = [], [], 0
    for values, empty in zip(parts, missing, strict=True):
        try:
            pieces.append(text(values))
            kept.append(np.arange(start, start + len(values), dtype=np.int64))
        except (TypeError, pl.exceptions.PolarsError):
            present = np.flatnonzero(~empty())
            pieces.append(text(values[present]))
            kept.append(present + start)
        start += len(values)
    return pl.concat(pieces, rechunk=True), np.concatenate(kept)


def join_rows(left: np.ndarray, right: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """The row pairs (left row, right row) of an inner join of two columns of codes 0…count−1 (−1, an empty
    cell, joins nothing), in the order of ``DataFrame.merge``: by left row, then by right row."""
    left_valid = left >= 0
    right_valid = np.flatnonzero(right >= 0)
    by_code = right_valid[np.argsort(right[right_valid], kind="stable")]
    counts = np.bincount(right[right_valid], minlength=count)
    starts = np.cumsum(counts) - counts
    matches = np.where(left_valid, counts[np.where(left_valid, left, 0)], 0)
    left_rows = np.repeat(np.arange(len(left), dtype=np.int64), matches)
    # the place of each pair among its left row's matches
    within = np.arange(len(left_rows), dtype=np.int64) - np.repeat(np.cumsum(matches) - matches, matches)
    return left_rows, by_code[starts[left[left_rows]] + within]


def pair_key(first: np.ndarray, second: np.ndarray, second_count: int) -> np.ndarray:
    """One int64 per pair of codes (−1 allowed in either), equal exactly when both codes are equal."""
    return (first + 1) * (second_count + 1) + (second + 1)


def tables_key(snapshot: Snapshot) -> tuple:
    """The identity of a snapshot's tables: what is derived from them and kept in its memo is valid while the
    key is the same (a snapshot's tables are replaced, never changed in place)."""
    return tuple((name, id(t), len(t)) for name, t in snapshot.tables.items())


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
        tables = tables_key(snapshot)
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
