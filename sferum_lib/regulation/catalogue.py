"""The duty catalogue: every duty of the regulation with a stable ID and its clause.

The catalogue is data (``duties.yaml`` beside this module, or a file the organisation edits); this module
loads and validates it and answers questions such as "which duties has a teacher?".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from sferum_lib.errors import CatalogueError

_ID_PATTERN = re.compile(r"^[A-Z]+-\d{2}$")
_REQUIRED = ("id", "clause", "role", "title", "text")


@dataclass(frozen=True)
class Duty:
    """A duty of the regulation (обязанность по положению)."""

    id: str
    clause: str
    role: str
    title: str
    text: str
    changes_state: bool = False
    conditional: bool = False

    @property
    def citation(self) -> str:
        """How a message cites the duty: «п. 2.1, ADM-05»."""
        prefix = "п. " if self.clause[:1].isdigit() else ""
        return f"{prefix}{self.clause}, {self.id}"


@dataclass(frozen=True)
class Catalogue:
    """All duties, in the regulation's order, and the roles they belong to."""

    title: str
    roles: dict[str, str]
    duties: tuple[Duty, ...]

    def __iter__(self) -> Iterator[Duty]:
        return iter(self.duties)

    def __len__(self) -> int:
        return len(self.duties)

    def __getitem__(self, duty_id: str) -> Duty:
        for duty in self.duties:
            if duty.id == duty_id:
                return duty
        raise KeyError(duty_id)

    def for_role(self, role: str) -> list[Duty]:
        """The duties of one role (a key of ``roles``), in the regulation's order."""
        if role not in self.roles:
            known = ", ".join(self.roles)
            raise CatalogueError(f"Неизвестная роль «{role}». Известные роли: {known}.")
        return [d for d in self.duties if d.role == role]

    def state_changing(self) -> list[Duty]:
        return [d for d in self.duties if d.changes_state]


def _problems(data: object) -> list[str]:
    if not isinstance(data, dict):
        return ["файл должен содержать разделы «roles» и «duties»"]
    problems: list[str] = []
    roles = data.get("roles")
    duties = data.get("duties")
    if not isinstance(roles, dict) or not roles:
        problems.append("раздел «roles» пуст или не является словарём «ключ: название»")
        roles = {}
    if not isinstance(duties, list) or not duties:
        return [*problems, "раздел «duties» пуст или не является списком"]
    seen: set[str] = set()
    for n, entry in enumerate(duties, start=1):
        if not isinstance(entry, dict):
            problems.append(f"обязанность № {n}: ожидается словарь полей")
            continue
        name = entry.get("id", f"№ {n}")
        for field in _REQUIRED:
            if not str(entry.get(field) or "").strip():
                problems.append(f"обязанность {name}: не заполнено поле «{field}»")
        duty_id = str(entry.get("id") or "")
        if duty_id and not _ID_PATTERN.match(duty_id):
            problems.append(f"обязанность {name}: идентификатор должен иметь вид «ADM-05»")
        if duty_id in seen:
            problems.append(f"обязанность {name}: идентификатор повторяется")
        seen.add(duty_id)
        if entry.get("role") and entry["role"] not in roles:
            problems.append(f"обязанность {name}: неизвестная роль «{entry['role']}»")
    return problems


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load and validate a catalogue; without ``path`` the one shipped with the package.

    Raises :class:`CatalogueError` listing every problem of the file at once.
    """
    if path is None:
        text = resources.files(__package__).joinpath("duties.yaml").read_text(encoding="utf-8")
        source = "duties.yaml"
    else:
        text = Path(path).read_text(encoding="utf-8")
        source = str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogueError(f"Каталог обязанностей «{source}» не читается как YAML: {exc}") from None
    problems = _problems(data)
    if problems:
        raise CatalogueError(
            f"Каталог обязанностей «{source}» содержит ошибки:\n" + "\n".join(f"  {p}" for p in problems)
        )
    duties = tuple(
        Duty(
            id=str(d["id"]),
            clause=str(d["clause"]),
            role=str(d["role"]),
            title=str(d["title"]).strip(),
            text=" ".join(str(d["text"]).split()),
            changes_state=bool(d.get("changes_state", False)),
            conditional=bool(d.get("conditional", False)),
        )
        for d in data["duties"]
    )
    doc = data.get("document") or {}
    return Catalogue(title=" ".join(str(doc.get("title", "")).split()), roles=dict(data["roles"]), duties=duties)


@cache
def default_catalogue() -> Catalogue:
    """The shipped catalogue, loaded once."""
    return load_catalogue()
