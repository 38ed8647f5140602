"""Integer codes of a snapshot's IDs, so the checks compare numbers instead of hashing strings again and again.

Each kind of ID (person, section, chat) is coded in one pass over every column that holds it; equal IDs get
equal codes, an empty cell −1. Membership tests are then a lookup in a boolean table and joins are over int64 —
on a million people several times faster than ``isin`` and ``merge`` over text.

A large organisation's IDs (from :data:`FAST_MIN` values) are hashed in bulk by polars and each string is then
checked against its code's first one (:func:`factorize_text`); integer keys and hashes are coded by one sort of
64-bit words (:func:`factorize_int`). A small organisation's IDs are coded by pandas in one hash table, without
importing polars. Either way equal IDs get equal codes, exactly (no hash decides alone that two IDs are equal);
only the numbering differs, and nothing depends on it.
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

    def __init__(
        self, columns: dict[str, np.ndarray], source: np.ndarray, first: np.ndarray | None = None, text: bool = False
    ) -> None:
        self.columns = columns
        self._source = source
        self._first = first  # None: ``source`` is the IDs themselves
        #: Known to be strings, every ID (an empty cell has code −1); False: not known
        self.all_text = text

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
    return Coded(dict(zip(columns, split, strict=True)), source, first, text=hashed is not None)


#: Fewest values worth the bulk paths of :func:`factorize_text` and :func:`factorize_int`: below it one hash
#: table fits the processor's cache anyway, and importing polars would cost more than it saves.
FAST_MIN = 200_000
_MIX = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: spreads close integers over the top bits, one-to-one


def factorize_int(keys: np.ndarray, mixed: bool = False) -> tuple[np.ndarray, int]:
    """Codes 0…k−1 of int64 (or uint64) ``keys``, equal keys equal codes, and k; numbered in no particular order.

    A million distinct keys make a hash table larger than the processor's cache, and every lookup a miss; numpy
    sorts 64-bit words instead with the processor's vector instructions, several times faster. Keys whose
    spread and count fit one word together (codes of IDs and their pairs always do) are sorted with their
    positions (:func:`_sorted_codes`); other keys by their top bits (:func:`_hash_codes`): ``mixed`` keys are
    hashes already, others are mixed first (a multiplication by an odd number: no two keys become one).
    """
    codes, count, _ = factorize_first(keys, mixed)
    return codes, count


def factorize_first(keys: np.ndarray, mixed: bool = False) -> tuple[np.ndarray, int, np.ndarray]:
    """:func:`factorize_int`, and each code's first position in ``keys`` (as :func:`first_rows` gives it)."""
    n = len(keys)
    if n < FAST_MIN or n == 0:
        codes, uniques = pd.factorize(keys)
        codes = codes.astype(np.int64)
        return codes, len(uniques), first_rows(codes, len(uniques))
    if not mixed and keys.dtype.kind == "i":
        coded = _sorted_codes(keys)
        if coded is not None:
            return coded
    return _hash_codes(keys.view(np.uint64) if mixed else keys.view(np.uint64) * _MIX)


def _sorted_codes(keys: np.ndarray) -> tuple[np.ndarray, int, np.ndarray] | None:
    """Codes of int64 ``keys``, numbered in the keys' order, and first positions, by one sort of each key packed
    with its position into one uint64 (key above, position below); None when the keys' spread leaves too few
    bits for the positions."""
    bits = max(len(keys) - 1, 1).bit_length()
    low, high = int(keys.min()), int(keys.max())
    if (high - low) >> (64 - bits):
        return None
    order, value = _sort_packed((keys - low).view(np.uint64), bits)
    group, starts = _groups(value)
    out = np.empty(len(keys), dtype=np.int64)
    out[order] = group
    return out, len(starts), order[starts]  # a group's positions rise: its first is the first


def _hash_codes(hashes: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
    """Codes of uint64 ``hashes`` (well spread: hashes, or mixed keys), equal hashes equal codes, and first
    positions.

    Sorted as :func:`_sorted_codes` sorts, on each hash's top bits (the rest of the word holds its position).
    Two different hashes whose top bits agree (at a million hashes, about one run in ten) fall in one group
    first; such groups are found by comparing the whole hashes side by side and coded again apart.
    """
    n = len(hashes)
    bits = max(n - 1, 1).bit_length()
    order, value = _sort_packed(hashes >> np.uint64(bits), bits)
    group, starts = _groups(value)
    out = np.empty(n, dtype=np.int64)
    whole = hashes[order]
    clash = (value[1:] == value[:-1]) & (whole[1:] != whole[:-1])
    if not clash.any():
        out[order] = group
        return out, len(starts), order[starts]
    # a group holding several hashes keeps its code for its first hash; its other hashes get new codes
    count = len(starts)
    mixed_up = np.zeros(count, dtype=bool)
    mixed_up[group[1:][clash]] = True
    again = np.flatnonzero(mixed_up[group])  # in sorted order: group by group, positions rising
    codes, uniques = pd.factorize(whole[again])  # numbered as first met: a group's hashes one after another
    met = first_rows(codes, len(uniques))
    of_group = group[again][met]
    keeps = np.ones(len(met), dtype=bool)
    keeps[1:] = of_group[1:] != of_group[:-1]
    extra = np.flatnonzero(~keeps)
    renamed = of_group.copy()
    renamed[extra] = count + np.arange(len(extra))
    group[again] = renamed[codes]
    out[order] = group
    return out, count + len(extra), np.concatenate([order[starts], order[again[met[extra]]]])


def _sort_packed(high: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorts uint64 ``high`` (each below 2**(64 − bits)) with positions packed under it: the positions in that
    order, and the sorted values. Equal values keep their positions' order, as a stable sort would."""
    packed = high << np.uint64(bits)
    packed |= np.arange(len(high), dtype=np.uint64)
    packed.sort()
    return (packed & np.uint64((1 << bits) - 1)).view(np.int64), packed >> np.uint64(bits)


def _groups(value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For sorted ``value`` (not empty): the number of each one's group of equal values (0, 1, …), and where
    each group starts."""
    new = np.empty(len(value), dtype=bool)
    new[0] = True
    np.not_equal(value[1:], value[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    group = np.zeros(len(value), dtype=np.int64)
    group[starts[1:]] = 1
    np.cumsum(group, out=group)
    return group, starts


def first_rows(codes: np.ndarray, count: int) -> np.ndarray:
    """For each code 0…count−1, the position of its first occurrence in ``codes`` (all codes occur; −1, an
    empty cell, is passed over)."""
    first = np.empty(count, dtype=np.int64)
    at = np.arange(len(codes) - 1, -1, -1, dtype=np.int64)
    backwards = codes[::-1]
    if count and len(codes) and backwards.min() < 0:
        valid = backwards >= 0
        backwards, at = backwards[valid], at[valid]
    first[backwards] = at  # the last write wins: the first
    return first


def factorize_text(
    parts: Sequence[np.ndarray], missing: Sequence[Callable[[], np.ndarray]], joined: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray] | None:
    """Codes of object arrays of strings and empty cells (``missing[i]()`` tells which of ``parts[i]``: code −1),
    all the parts coded together, one after another, as ``pd.factorize`` of their concatenation gives them but
    numbered in no particular order, and each code's first position; None when polars is absent or a value is
    not plain text. ``joined`` is that concatenation, when the caller has it already.

    The strings are copied once into one polars column and hashed there in bulk (64 bits); the hashes are
    coded by :func:`factorize_int`, and every string is compared with the first string of its code. Only when
    two different IDs share a hash (at a million IDs, about once in tens of millions of runs) are the strings ranked
    instead («dense»: equal strings one rank, by their bytes; slower on many repeated IDs). Either way two IDs
    share a code only when they are the same string.
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
    valid = series.is_not_null()
    whole = bool(valid.all())
    present_text = series if whole else series.filter(valid)
    codes, count, first = factorize_first(present_text.hash(seed=0).to_numpy(), mixed=True)
    if not (present_text.gather(first[codes]) == present_text).all():  # two IDs share a code
        rank = pl.DataFrame({"id": present_text}).select(pl.col("id").rank("dense")).to_series()
        count = int(rank.max() or 0)
        codes = rank.to_numpy().astype(np.int64) - 1
        first = first_rows(codes, count)
    if not whole:  # a None among the strings: an empty cell
        kept = np.flatnonzero(valid.to_numpy())
        codes, first = _spread(codes, kept, len(series)), kept[first]
    if present is None:
        return codes, first
    return _spread(codes, present, sum(len(p) for p in parts)), present[first]


def _spread(codes: np.ndarray, at: np.ndarray, n: int) -> np.ndarray:
    """``codes`` put at positions ``at`` of ``n``, −1 elsewhere."""
    out = np.full(n, -1, dtype=np.int64)
    out[at] = codes
    return out


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
