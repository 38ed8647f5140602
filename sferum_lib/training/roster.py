"""Who may take part in a session: the prepared list of participants, and walk-ins if the methodist allows them.

``sferum training prepare`` writes the list into the session folder (:data:`ROSTER_FILE`). A name typed in the app
is matched against it whatever its case, «ё» and word order («кузнецов пётр» is «Петр Кузнецов»), and always maps
to the listed spelling, so one person never gets two practice organisations. A name that is not on the list is
refused — with a close match offered («Вы имели в виду …?») — unless walk-ins are allowed; a walk-in is written
down (:data:`WALK_INS_FILE`) so that the session report can mark them and their next visit finds the same name.
"""

from __future__ import annotations

import difflib
import itertools
import json
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from sferum_lib.errors import UsageError

ROSTER_FILE = "participants.json"
WALK_INS_FILE = "walk-ins.txt"
#: How alike (difflib's ratio) a typed name must be to a listed one to be offered as «Вы имели в виду …?».
CLOSE_MATCH = 0.75

LISTED, WALK_IN, SUGGESTED, AMBIGUOUS, REFUSED, EMPTY = "listed", "walk-in", "suggested", "ambiguous", "refused", ""


def fold(name: str) -> str:
    """A name as matching sees it: case, «ё» and spacing do not count (the app's claims fold names the same way)."""
    text = unicodedata.normalize("NFC", name).casefold().replace("ё", "е")
    return " ".join(text.split())


def key(name: str) -> str:
    """The folded name with its words in order: «Пётр Кузнецов» and «кузнецов петр» have one key."""
    return " ".join(sorted(fold(name).split()))


def tidy(name: str) -> str:
    """A typed name with single spaces (its case and letters kept as typed)."""
    return " ".join(name.split())


@dataclass(frozen=True)
class Match:
    """What became of a typed name: ``kind`` says whether it may start, ``name`` is the name to work under.

    ``name`` is the listed spelling (:data:`LISTED`), the walk-in's name (:data:`WALK_IN`), or for
    :data:`SUGGESTED` the listed name offered instead («Вы имели в виду …?»). ``message`` is what the person reads
    when the name cannot start as typed.
    """

    kind: str
    name: str | None = None
    message: str = ""

    @property
    def admitted(self) -> bool:
        return self.kind in (LISTED, WALK_IN)


@dataclass(frozen=True)
class Roster:
    """The session's participants; ``names`` empty means no list was prepared (anyone may take part)."""

    names: tuple[str, ...] = ()
    walk_ins: bool = True
    visitors: tuple[str, ...] = ()  # walk-ins who have come

    @property
    def listed(self) -> bool:
        return bool(self.names)

    def on_list(self, name: str) -> bool:
        return key(name) in {key(n) for n in self.names}

    def match(self, typed: str) -> Match:
        """Find the participant a typed name means (see the module's docstring)."""
        typed = tidy(typed)
        if not typed:
            return Match(EMPTY, None, "Введите фамилию и имя.")
        if not self.listed:
            return Match(WALK_IN, self._known_visitor(typed) or typed)
        wanted = key(typed)
        exact = [n for n in self.names if key(n) == wanted]
        if exact:
            return Match(LISTED, exact[0])
        words = set(wanted.split())
        # «Кузнецов Пётр» for the listed «Кузнецов Пётр Иванович»: the words typed are all in one listed name
        partial = [n for n in self.names if len(words) >= 2 and words <= set(key(n).split())]
        if len(partial) == 1:
            return Match(LISTED, partial[0])
        if len(partial) > 1:
            return Match(
                AMBIGUOUS,
                None,
                f"В списке несколько участников с именем «{typed}»: введите имя полностью, с отчеством.",
            )
        visitor = self._known_visitor(typed)
        if visitor:
            return Match(WALK_IN, visitor)
        close = self.closest(typed)
        if close:
            return Match(SUGGESTED, close, f"Имени «{typed}» нет в списке участников. Вы имели в виду «{close}»?")
        if self.walk_ins:
            return Match(WALK_IN, typed)
        return Match(
            REFUSED,
            None,
            f"Имени «{typed}» нет в списке участников занятия. Проверьте написание (фамилия и имя) или "
            "подойдите к ведущему: он может добавить вас в список.",
        )

    def walk_in(self, typed: str) -> Match:
        """``typed`` as a walk-in (after «Нет, меня нет в списке»): admitted only if walk-ins are allowed."""
        typed = tidy(typed)
        if not typed:
            return Match(EMPTY, None, "Введите фамилию и имя.")
        if self.listed and not self.walk_ins:
            return Match(
                REFUSED,
                None,
                f"Имени «{typed}» нет в списке участников занятия, а участие без записи ведущий не разрешил. "
                "Подойдите к ведущему.",
            )
        return Match(WALK_IN, self._known_visitor(typed) or typed)

    def closest(self, typed: str) -> str | None:
        """The listed name most like ``typed`` (word order aside), if it is alike enough to offer."""
        wanted = key(typed)
        count = len(wanted.split())
        best, score = None, CLOSE_MATCH
        for name in self.names:
            words = key(name).split()
            # compare with the listed name's words as many as were typed: «Кузнецов Петор» ~ «Кузнецов Пётр Иванович»
            for part in {" ".join(sorted(c)) for c in itertools.combinations(words, min(count, len(words)))}:
                ratio = difflib.SequenceMatcher(None, wanted, part).ratio()
                if ratio > score:
                    best, score = name, ratio
        return best

    def _known_visitor(self, typed: str) -> str | None:
        wanted = key(typed)
        return next((v for v in self.visitors if key(v) == wanted), None)


def write_roster(session: str | Path, names: list[str], walk_ins: bool) -> Path:
    """Record the session's participants and whether walk-ins may join (written whole, then renamed into place)."""
    folder = Path(session)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ROSTER_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({"participants": list(names), "walk_ins": walk_ins}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    os.replace(tmp, path)
    return path


def read_roster(session: str | Path) -> Roster:
    """The session's roster; without a prepared list anyone may take part."""
    folder = Path(session)
    path = folder / ROSTER_FILE
    visitors = _read_visitors(folder)
    if not path.exists():
        return Roster((), True, visitors)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        names = tuple(tidy(str(n)) for n in data["participants"])
        walk_ins = bool(data.get("walk_ins", False))
    except (ValueError, KeyError, TypeError):
        raise UsageError(
            f"Список участников занятия «{path}» повреждён: подготовьте занятие заново (sferum training prepare)."
        ) from None
    return Roster(names, walk_ins, visitors)


def _read_visitors(folder: Path) -> tuple[str, ...]:
    try:
        lines = (folder / WALK_INS_FILE).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return ()
    first: dict[str, str] = {}  # the first spelling of a walk-in stays their name
    for line in lines:
        if line.strip():
            first.setdefault(key(line), tidy(line))
    return tuple(first.values())


def record_walk_in(session: str | Path, name: str) -> None:
    """Write down a walk-in (one appended line: kernels of several participants may append at once)."""
    folder = Path(session)
    if any(key(v) == key(name) for v in _read_visitors(folder)):
        return
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / WALK_INS_FILE, "a", encoding="utf-8") as f:
        f.write(tidy(name) + "\n")
