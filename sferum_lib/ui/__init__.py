"""Views for the role notebooks: the training wizard, the name entry of app mode and the work-mode checklist."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from typing import Any

from sferum_lib.errors import UsageError

MODES = ("обучение", "работа")
#: The session folder `sferum app` serves; a role notebook run without a `session` parameter uses it.
SESSION_ENV = "SFERUM_SESSION"
ROLE_PERSON = {"admin": "admin_id", "head": "head_id"}


def checklist_html(store: str | None, person: str, as_of: dt.date | None = None) -> str:
    """A person's duties with their status, as a static HTML table (works under papermill too)."""
    from sferum_lib.checklist import STATUS_COLOURS, checklist, roles_of
    from sferum_lib.regulation import default_catalogue
    from sferum_lib.store import Store

    day = as_of or dt.date.today()
    with Store(store or None, readonly=True) as st:  # a look at the data never migrates or rewrites the file
        snapshot = st.snapshot()
        journal = st.journal() if st.has_state() else None
    roles = ", ".join(default_catalogue().roles[r] for r in roles_of(snapshot, person))
    rows = "".join(
        f"<tr><td>{html.escape(i.duty.id)}</td><td>{html.escape(i.duty.citation)}</td>"
        f"<td>{html.escape(i.duty.title)}</td>"
        f'<td style="color:{STATUS_COLOURS[i.status]}"><b>{html.escape(i.status)}</b></td>'
        f"<td>{html.escape(i.detail)}</td></tr>"
        for i in checklist(snapshot, person, day, journal)
    )
    return (
        f"<h2>Что осталось сделать: {html.escape(person)} ({html.escape(roles)})</h2>"
        f"<p>{html.escape(snapshot.organisation.short_name)}, по данным на {day:%d.%m.%Y}.</p>"
        "<table><tr><th>Обязанность</th><th>Пункт</th><th>Что</th><th>Состояние</th><th>Подробности</th></tr>"
        f"{rows}</table>"
    )


def taken_html(trainee: str) -> str:
    """What a second browser under a taken name is told (it never sees the other's progress)."""
    return (
        '<div style="color:#b71c1c;background:#ffebee;padding:8px 12px;border-left:4px solid #c62828;max-width:46em;'
        'line-height:1.45">'
        f"<b>Имя «{html.escape(trainee)}» уже занято в другом браузере.</b> Если это вы и вы перешли за другой "
        "компьютер или в другой браузер, вернитесь в прежний или попросите ведущего освободить имя. Если это ваш "
        "тёзка, введите имя полностью, с отчеством.</div>"
    )


def role_notebook(role: str, namespace: Mapping[str, Any]) -> Any:
    """What a role notebook shows for its parameters: the wizard, a name entry, or the person's checklist."""
    from IPython.display import HTML

    mode = str(namespace.get("mode", "обучение"))
    if mode not in MODES:
        raise UsageError(f"Режим «{mode}» не известен: «обучение» или «работа».")
    if mode == "работа":
        from sferum_lib.ui.rolework import role_work

        if role == "admin" and namespace.get("person"):  # one administrator's checklist, readable under papermill
            return HTML(checklist_html(namespace.get("store") or None, str(namespace["person"])))

        # the person's pending duties over the organisation's store; without `person` the page asks who you are
        return role_work(
            role,
            str(namespace.get("store") or ""),
            str(namespace.get("person") or "").strip(),
            str(namespace.get("as_of") or ""),
            namespace,
        )

    from sferum_lib.ui.entry import training_view

    return training_view(role, namespace)


__all__ = ["MODES", "checklist_html", "role_notebook", "taken_html"]
