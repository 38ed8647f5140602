"""Whose data is this: a store keeps the snapshots of one organisation, never of two.

A workbook of another organisation imported into a store would silently become its "next snapshot": the
movement report would then list strangers arriving and leaving, the usage report would mix two organisations'
indicators. So before a snapshot is added, the incoming organisation is compared with the store's latest one.

The organisation's identity is its full (legal) name, «Полное наименование». The short name is informal and
is written differently from one workbook to the next («ЦНТТ», «МБУДО ЦНТТ»), so a matching full name is enough;
a matching short name alone is not (a mistyped short name of another organisation looks exactly like that).
Names are compared folded: case, «ё», quote marks and spacing do not make two organisations. A real renaming
(a change of legal form, a new name) is accepted when the user says so.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from sferum_lib.errors import SferumError, visible
from sferum_lib.model import Organisation

_QUOTES = str.maketrans("", "", "«»\"'„“”‘’`")


def folded(name: object) -> str:
    """A name as compared: NFC, case-folded, «ё» as «е», without quote marks, spaces collapsed."""
    text = unicodedata.normalize("NFC", str(name or "")).casefold().replace("ё", "е").translate(_QUOTES)
    return re.sub(r"[\s\u00a0]+", " ", text).strip()


class OtherOrganisation(SferumError):
    """The workbook belongs to another organisation than the snapshots already in the store."""

    def __init__(self, stored: Mapping[str, object], incoming: Organisation, store: str, hint: str) -> None:
        self.stored_full = str(stored.get("full_name") or "")
        self.stored_short = str(stored.get("short_name") or "")
        self.incoming = incoming
        super().__init__(
            f"Книга — другой организации. В хранилище «{visible(store)}» снимки организации "
            f"«{visible(self.stored_full)}» (кратко «{visible(self.stored_short)}»), а в книге — "
            f"«{visible(incoming.full_name)}» (кратко «{visible(incoming.short_name)}»); полные наименования "
            f"не совпадают. Ничего не сохранено. {hint}"
        )


def same_organisation(stored: Mapping[str, object], incoming: Organisation) -> bool:
    """Whether ``incoming`` is the organisation whose snapshot ``stored`` (its ``to_dict()``) describes."""
    return folded(stored.get("full_name")) == folded(incoming.full_name)


def check_same_organisation(
    stored: Mapping[str, object] | None,
    incoming: Organisation,
    store: str,
    *,
    renamed: bool = False,
    hint: str = "Загрузите её в своё хранилище организации; если организация переименована, повторите с --renamed.",
) -> None:
    """Refuse ``incoming`` unless the store is empty, the full names match or the user said it was renamed."""
    if stored is None or renamed or same_organisation(stored, incoming):
        return
    raise OtherOrganisation(stored, incoming, store, hint)
