"""The name entry of app mode: a participant says who they are before the training wizard opens.

The names come from the session's prepared list (:mod:`sferum_lib.training.roster`), which decides whether a
typed name may start; this view offers the list, shows refusals and the «Вы имели в виду …?» suggestion, and binds
the listed name to the browser (:func:`sferum_lib.app.claim`) so that nobody else continues under it.
"""

from __future__ import annotations

import html
import os
import sys
import traceback
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ipywidgets as w

from sferum_lib.errors import SferumError
from sferum_lib.ui import SESSION_ENV

_BOX = "padding:8px 12px;max-width:46em;line-height:1.45;"
REFUSAL_STYLE = _BOX + "color:#b71c1c;background:#ffebee;border-left:4px solid #c62828"
QUESTION_STYLE = _BOX + "color:#4e342e;background:#fff8e1;border-left:4px solid #f9a825"


def session_folder(namespace: Mapping[str, Any]) -> Path:
    """The session a role notebook works in: its ``session`` parameter, else the one `sferum app` serves."""
    return Path(str(namespace.get("session") or os.environ.get(SESSION_ENV) or "out/training"))


def training_view(role: str, namespace: Mapping[str, Any]) -> Any:
    """The wizard for a named trainee (a prepared notebook), else the name entry (app mode)."""
    from sferum_lib.app import browser_of

    session = session_folder(namespace)
    trainee = str(namespace.get("trainee") or "").strip()
    if trainee:
        return role_page(session, trainee, role)
    return NameEntry(session, role, browser_of(namespace)).widget


def role_page(session: Path, trainee: str, role: str) -> Any:
    """A trainee's page: the role's steps, and where the role fixes audit findings a practice scenario beside them."""
    import ipywidgets as w

    from sferum_lib.training import Training
    from sferum_lib.training.scenario import ROLES as SCENARIO_ROLES
    from sferum_lib.ui.scenario import scenario_tab
    from sferum_lib.ui.wizard import RoleWizard

    steps = opened(RoleWizard(Training(session, trainee, role))).widget
    if role not in SCENARIO_ROLES:
        return steps
    page = w.Tab(children=[steps, scenario_tab(Path(session), trainee, role)])
    page.set_title(0, "Шаги")
    page.set_title(1, "Практика: навести порядок")
    return page


def opened(wizard: Any) -> Any:
    """Note the step a freshly shown wizard opens on: the console then counts its trainee as come."""
    wizard.t.open(wizard.index)
    return wizard


def _note(style: str, text: str) -> str:
    return f'<div style="{style}">{text}</div>'


class NameEntry:
    """Who are you: a combobox of the listed names, «Начать», the refusal or suggestion under it.

    ``box`` holds the entry and becomes the wizard once a name is admitted; ``widget`` is ``box`` and the output
    where unexpected failures are told.
    """

    def __init__(self, session: Path, role: str, browser: str | None) -> None:
        from sferum_lib.training.roster import read_roster

        self.session, self.role, self.browser = session, role, browser
        roster = read_roster(session)
        if roster.listed:
            intro = "Выберите себя в списке участников или начните вводить фамилию, затем нажмите «Начать»."
            self.name: w.Widget = w.Combobox(
                options=list(roster.names),
                ensure_option=False,
                description="Ваше имя:",
                placeholder="Фамилия Имя",
                style={"description_width": "initial"},
                layout=w.Layout(width="28em"),
            )
        else:
            intro = "Введите фамилию и имя, чтобы начать (или продолжить) занятие."
            self.name = w.Text(
                description="Ваше имя:",
                placeholder="Фамилия Имя",
                style={"description_width": "initial"},
                layout=w.Layout(width="28em"),
            )
        self.start = w.Button(description="Начать", button_style="primary")
        self.refusal = w.HTML()
        self.yes = w.Button(description="Да, это я", button_style="primary")
        self.no = w.Button(description="Нет, меня нет в списке")
        self.choice = w.HBox([])  # the answers to «Вы имели в виду …?», shown under the question when it is asked
        self.entry = [
            w.HTML(f"<h2>Обучение по положению о «Сферуме»</h2><p>{html.escape(intro)}</p>"),
            self.name,
            self.start,
            self.refusal,
        ]
        self.box = w.VBox(list(self.entry))
        self.output = w.Output()
        self.widget = w.VBox([self.box, self.output])
        self.suggested: str | None = None
        self.start.on_click(self._guarded(lambda _: self.begin()))
        self.yes.on_click(self._guarded(lambda _: self.accept()))
        self.no.on_click(self._guarded(lambda _: self.walk_in()))

    def _guarded(self, handler: Any) -> Any:
        def run(arg: Any) -> None:
            try:
                handler(arg)
            except SferumError as exc:  # a Russian message meant for the person
                self._refuse(f"Не получилось начать: {html.escape(str(exc))}")
            except Exception:  # details (paths, traceback) go to the methodist's terminal, not to the participant
                traceback.print_exc(file=sys.__stderr__)
                self._refuse("Не получилось начать: внутренняя ошибка. Скажите ведущему, он увидит подробности.")

        return run

    def _refuse(self, text: str) -> None:
        self.refusal.value = _note(REFUSAL_STYLE, text)
        self._offer([])

    def _offer(self, buttons: list[w.Widget]) -> None:
        self.choice.children = buttons
        self.box.children = [*self.entry, self.choice] if buttons else list(self.entry)

    # --- actions -------------------------------------------------------------------------------------------
    def begin(self) -> None:
        """«Начать»: the typed name is matched against the list (re-read: the methodist may have changed it)."""
        from sferum_lib.training.roster import LISTED, SUGGESTED, WALK_IN, read_roster

        roster = read_roster(self.session)
        match = roster.match(str(self.name.value or ""))
        self.suggested = None
        if match.kind in (LISTED, WALK_IN):
            self.enter(match.name or "", walk_in=match.kind == WALK_IN)
        elif match.kind == SUGGESTED:
            self.suggested = match.name
            self.refusal.value = _note(QUESTION_STYLE, html.escape(match.message))
            self._offer([self.yes, self.no] if roster.walk_ins else [self.yes])
        else:
            self._refuse(html.escape(match.message))

    def accept(self) -> None:
        """«Да, это я»: the suggested listed name."""
        if self.suggested:
            self.enter(self.suggested, walk_in=False)

    def walk_in(self) -> None:
        """«Нет, меня нет в списке»: the name as typed, if the methodist allowed walk-ins."""
        from sferum_lib.training.roster import WALK_IN, read_roster

        match = read_roster(self.session).walk_in(str(self.name.value or ""))
        if match.kind == WALK_IN:
            self.enter(match.name or "", walk_in=True)
        else:
            self._refuse(html.escape(match.message))

    def enter(self, name: str, walk_in: bool) -> None:
        """Claim ``name`` for this browser and open the wizard (a name taken in another browser is refused)."""
        from sferum_lib.app import claim
        from sferum_lib.training.roster import key, record_walk_in, tidy
        from sferum_lib.ui import taken_html

        if self.browser and not claim(self.session, name, self.browser):
            typed = tidy(str(self.name.value or ""))
            self.refusal.value = taken_html(typed if key(typed) == key(name) else name)  # the name as they wrote it
            self._offer([])
            return
        if walk_in:
            record_walk_in(self.session, name)
        self.box.children = [role_page(self.session, name, self.role)]


__all__ = ["NameEntry", "session_folder", "training_view"]
