"""The duty catalogue: every duty of the regulation with a stable ID and its clause.

The catalogue is data (``duties.yaml`` beside this module, or a file the organisation edits); this module
loads and validates it and answers questions such as "which duties has a teacher?". The texts are the
regulation's own words, which name «VK-мессенджер»; :meth:`Catalogue.for_messenger` shows them for an
organisation that has moved to MAX.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from sferum_lib.errors import CatalogueError
from sferum_lib.regulation.editions import cite, clause_in

_ID_PATTERN = re.compile(r"^[A-Z]+-\d{2}$")
_REQUIRED = ("id", "clause", "role", "title", "text")
#: The regulation's words that make a duty conditional.
CONDITIONS = ("при необходимости", "при наличии доступа")
#: The messenger's name in the regulation's text, in any case form («VK-мессенджер», «VK-мессенджере»…).
_VK = re.compile(r"VK[\s-]?[Мм]ессенджер[а-яё]*")
MAX = "MAX"


def for_messenger(text: str, messenger: object) -> str:
    """The regulation's text for an organisation on ``messenger``: «VK-мессенджер» becomes «MAX» there.

    «MAX» is not declined, so one replacement fits every case the regulation uses («в учебном профиле
    в VK-мессенджере» → «в учебном профиле в MAX»).
    """
    return _VK.sub(MAX, text) if str(messenger) == MAX else text


@dataclass(frozen=True)
class Duty:
    """A duty of the regulation (обязанность по положению)."""

    id: str
    clause: str
    role: str
    title: str
    text: str
    changes_state: bool = False
    condition: str | None = None  # «при необходимости» or «при наличии доступа»
    condition_for: tuple[str, ...] = ()  # roles the condition is said of; empty = the whole duty
    corrections: tuple[tuple[str, str], ...] = ()  # (seed word, catalogue word): misprints corrected
    edition: str | None = None  # the edition of the regulation its citation follows; None = 2023 as approved

    @property
    def citation(self) -> str:
        """How a person reads the duty cited, in the duty's edition: «п. 2.1», «п. 2.4» (no duty code)."""
        return cite(self.clause, self.edition)

    def cited(self, edition: str | None) -> str:
        """The citation in ``edition`` (an organisation's «Редакция положения»; empty = 2023 as approved)."""
        return cite(self.clause, edition)

    @property
    def conditional(self) -> bool:
        """The whole duty is conditional («при необходимости», «при наличии доступа»)."""
        return self.condition is not None and not self.condition_for

    def conditional_for(self, role: str) -> bool:
        """The duty is conditional where it concerns ``role`` (ADM-07 and ADM-10 for pupils)."""
        return self.condition is not None and (not self.condition_for or role in self.condition_for)

    def for_messenger(self, messenger: object) -> Duty:
        return dataclasses.replace(self, text=for_messenger(self.text, messenger))

    def in_edition(self, edition: str | None) -> Duty:
        return dataclasses.replace(self, edition=edition)


@dataclass(frozen=True)
class Catalogue:
    """All duties, in the regulation's order, and the roles they belong to."""

    title: str
    roles: dict[str, str]
    duties: tuple[Duty, ...]
    pedagogical_roles: tuple[str, ...] = ()

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

    def rights(self) -> list[Duty]:
        """Every right of section 3, whoever holds it (3.1–3.3 everyone, 3.4 pedagogical staff)."""
        return [d for d in self.duties if d.id.startswith("RIGHT-")]

    def rights_for(self, role: str) -> list[Duty]:
        """The rights a holder of ``role`` has: those of every participant, and of pedagogical staff if theirs."""
        holders = {"all"} | ({"pedagogues"} if role in self.pedagogical_roles or role == "pedagogues" else set())
        return [d for d in self.rights() if d.role in holders]

    def for_messenger(self, messenger: object) -> Catalogue:
        """The catalogue as an organisation on ``messenger`` reads it (every text says «MAX» on MAX)."""
        return dataclasses.replace(
            self,
            title=for_messenger(self.title, messenger),
            duties=tuple(d.for_messenger(messenger) for d in self.duties),
        )

    def in_edition(self, edition: str | None) -> Catalogue:
        """The catalogue whose duties cite the regulation in ``edition`` (``Duty.citation`` follows it)."""
        return dataclasses.replace(self, duties=tuple(d.in_edition(edition) for d in self.duties))

    def for_organisation(self, organisation: object) -> Catalogue:
        """The catalogue as an organisation reads it: its messenger's name and its edition's numbers."""
        messenger = getattr(organisation, "messenger", None)
        return self.for_messenger(messenger).in_edition(getattr(organisation, "regulation_edition", None))


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
        condition = entry.get("condition")
        if condition is not None and condition not in CONDITIONS:
            known = " или ".join(f"«{c}»" for c in CONDITIONS)
            problems.append(f"обязанность {name}: условие «{condition}» не из положения; возможно {known}")
        for_roles = entry.get("condition_for") or []
        if not isinstance(for_roles, list) or any(r not in roles for r in for_roles):
            problems.append(f"обязанность {name}: «condition_for» — список ролей из раздела «roles»")
        elif for_roles and condition is None:
            problems.append(f"обязанность {name}: «condition_for» указан без «condition»")
        if not isinstance(entry.get("corrections") or {}, dict):
            problems.append(f"обязанность {name}: «corrections» — словарь «слово положения: исправленное слово»")
    pedagogical = data.get("pedagogical_roles") or []
    if not isinstance(pedagogical, list) or any(r not in roles for r in pedagogical):
        problems.append("раздел «pedagogical_roles» — список ролей из раздела «roles»")
    return problems


def _condition(entry: dict) -> str | None:
    if entry.get("condition"):
        return str(entry["condition"])
    # an organisation's catalogue of version 1 marked the same with «conditional: true»
    return CONDITIONS[0] if entry.get("conditional") else None


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
            condition=_condition(d),
            condition_for=tuple(d.get("condition_for") or ()),
            corrections=tuple((str(k), str(v)) for k, v in (d.get("corrections") or {}).items()),
        )
        for d in data["duties"]
    )
    doc = data.get("document") or {}
    return Catalogue(
        title=" ".join(str(doc.get("title", "")).split()),
        roles=dict(data["roles"]),
        duties=duties,
        pedagogical_roles=tuple(data.get("pedagogical_roles") or ()),
    )


@cache
def default_catalogue() -> Catalogue:
    """The shipped catalogue, loaded once."""
    return load_catalogue()


def cite_finding(clause: str, duty_id: str, edition: str | None = None) -> str:
    """A finding's citation: its check's ``clause``, narrowed to the duty's paragraph when the duty sits in one.

    The audit's clauses are the contract's (``student-coverage`` is «2.3»), while the duty it cites may be a
    paragraph inside that clause (STU-01, the pupil's «абз. «Обучающийся…»» of п. 2.3, which the new edition
    numbers п. 2.5). A reader then sees the same citation beside the finding as beside the duty in the catalogue
    and the checklist, in either edition. A duty of another clause (or unknown to the catalogue) leaves the
    check's citation as it is.
    """
    try:
        duty_clause = default_catalogue()[duty_id].clause
    except KeyError:
        return cite(clause, edition)
    if clause_in(duty_clause, "2023").startswith(f"{clause.strip()}, абз."):
        return cite(duty_clause, edition)
    return cite(clause, edition)
