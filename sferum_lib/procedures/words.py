"""Words a user types for a choice: the platform's own, the workbook's labels and its usual other words."""

from __future__ import annotations

from collections.abc import Iterable

from sferum_lib.errors import UsageError


def choice(value: object, choices: Iterable[str], what: str, labels: dict[str, str] | None = None) -> str:
    """The choice a user meant, ignoring case, «ё», spaces and dashes; ``labels`` maps other names to choices.

    A value that names nothing known is an input mistake (:class:`UsageError` listing what is accepted), not a
    refusal by the regulation.
    """
    from sferum_lib.workbook.importer import CHOICE_ALIASES, choice_key

    choices = tuple(choices)
    known = {choice_key(c): c for c in choices}
    for alias, target in {**CHOICE_ALIASES, **(labels or {})}.items():
        if target in choices:
            known[choice_key(alias)] = target
    found = known.get(choice_key(str(value))) if str(value).strip() else None
    if found is None:
        shown = ", ".join(f"«{c}»" for c in (labels or {}) or choices)
        raise UsageError(f"{what}: значение «{value}» не распознано; возможные значения: {shown}.")
    return found
