"""The practice scenario page: what the audit still finds in the trainee's practice organisation, a button per
action, the organisation's answer after each, and «Аудит чист» at the end.

Everything that decides is :class:`sferum_lib.training.scenario.Scenario`; this module lays out widgets only.
"""

from __future__ import annotations

import html
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w

from sferum_lib.errors import SferumError
from sferum_lib.grammar import plural
from sferum_lib.regulation import default_catalogue
from sferum_lib.training.scenario import Move, Scenario, Task

TITLE = "Практика: наведите порядок в учебной организации"
CLEAN_TEXT = "Аудит чист — сценарий пройден"
OK_STYLE = "color:#1b5e20;background:#e8f5e9;padding:6px 10px;border-left:4px solid #2e7d32"
BAD_STYLE = "color:#b71c1c;background:#ffebee;padding:6px 10px;border-left:4px solid #c62828"
DONE_STYLE = "color:#1b5e20;background:#e8f5e9;padding:12px 16px;border:2px solid #2e7d32;font-size:1.2em"
SEVERITY_COLOUR = {"нарушение": "#c62828", "замечание": "#8d6e00"}


def _box(text: str, ok: bool) -> str:
    return f'<div style="{OK_STYLE if ok else BAD_STYLE}">{html.escape(text)}</div>'


class ScenarioView:
    """The page over one :class:`Scenario`; rebuilt from the store on every action, so a reload shows the same."""

    def __init__(self, scenario: Scenario) -> None:
        self.s = scenario
        catalogue = default_catalogue().for_organisation(scenario.state().organisation)
        role = catalogue.roles[scenario.role]
        self.header = w.HTML(
            f"<h2>{html.escape(TITLE)}</h2>"
            f"<p>Участник: <b>{html.escape(scenario.trainee)}</b>. Роль: <b>{html.escape(role)}</b>; в учебной "
            f"организации вы — <b>{html.escape(scenario.actor_name())}</b>. В ней заложены проблемы — те, что находит "
            "аудит соответствия положению. Устраните их своими действиями, пока аудит не станет чистым. "
            "Организация учебная: действия в ней не затрагивают настоящую.</p>"
        )
        self.status = w.HTML()
        self.message = w.HTML()
        self.tasks = w.VBox()
        self.reset_button = w.Button(description="Начать сценарий заново", layout=w.Layout(width="auto"))
        self.confirm_button = w.Button(
            description="Да, начать заново", button_style="danger", layout=w.Layout(width="auto")
        )
        self.cancel_button = w.Button(description="Отмена", layout=w.Layout(width="auto"))
        self.confirm_box = w.HBox(
            [w.HTML("Всё сделанное в сценарии будет отменено. Начать заново?"), self.confirm_button, self.cancel_button]
        )
        self.confirm_box.layout.display = "none"
        self.reset_button.on_click(self._safe(lambda: self._confirming(True)))
        self.cancel_button.on_click(self._safe(lambda: self._confirming(False)))
        self.confirm_button.on_click(self._safe(self.reset))
        self.buttons: list[tuple[Task, Move, w.Button]] = []
        # the reset sits apart from the actions, below a rule: a stray click never wipes the work
        self.widget = w.VBox(
            [
                self.header,
                self.status,
                self.message,
                self.tasks,
                w.HTML("<hr>"),
                self.reset_button,
                self.confirm_box,
            ]
        )
        self.render()

    def _safe(self, handler: Callable[[], None]) -> Callable[[Any], None]:
        def run(_button: Any) -> None:
            try:
                handler()
            except SferumError as exc:
                self.message.value = _box(f"Не получилось: {exc}", False)
            except Exception as exc:  # a bug or the machine: details to the server's log, not to the trainee
                print("".join(traceback.format_exception(exc)), file=sys.__stderr__)
                self.message.value = _box(
                    "Не получилось: внутренняя ошибка программы. Данные не изменены. Сообщите о ней ведущему занятия.",
                    False,
                )

        return run

    def _confirming(self, asking: bool) -> None:
        self.confirm_box.layout.display = "flex" if asking else "none"
        self.reset_button.layout.display = "none" if asking else "flex"

    def render(self) -> None:
        planted = len(self.s.planted())
        tasks = self.s.tasks()
        fixed = self.s.fixed(tasks)
        if not tasks:
            self.status.value = (
                f'<div style="{DONE_STYLE}"><b>{CLEAN_TEXT}.</b> Исправлено заложенных проблем: {fixed} из '
                f"{planted}.</div>"
            )
            self.tasks.children = []
            self.buttons = []
            return
        self.status.value = (
            f"<p>Исправлено: <b>{fixed} из {planted}</b>. Аудит находит сейчас: "
            f"<b>{plural(len(tasks), 'замечание', 'замечания', 'замечаний')}</b>.</p>"
        )
        rows: list[w.Widget] = []
        self.buttons = []
        for task in tasks:
            colour = SEVERITY_COLOUR.get(task.severity, "#333")
            text = w.HTML(
                f'<div style="line-height:1.35"><b style="color:{colour}">{html.escape(task.severity.capitalize())}'
                f"</b> ({html.escape(task.clause)}): {html.escape(task.text)}</div>",
                layout=w.Layout(width="65%"),
            )
            buttons = []
            for move in task.moves:
                button = w.Button(description=move.label, button_style="primary", layout=w.Layout(width="auto"))
                button.on_click(self._safe(lambda m=move: self.perform(m)))
                self.buttons.append((task, move, button))
                buttons.append(button)
            if not buttons:
                buttons.append(w.HTML('<i style="color:#555">Это не ваша обязанность в этой роли.</i>'))
            rows.append(
                w.HBox(
                    [text, *buttons],
                    layout=w.Layout(border_bottom="1px solid #e0e0e0", padding="4px 0", align_items="center"),
                )
            )
        self.tasks.children = rows

    def perform(self, move: Move) -> None:
        for _task, _move, button in self.buttons:
            button.disabled = True  # a second click while the action is journaled would do it twice
        try:
            feedback = self.s.perform(move)
        finally:
            for _task, _move, button in self.buttons:
                button.disabled = False
        self.render()
        self.message.value = _box(feedback.text, feedback.ok)

    def reset(self) -> None:
        self.s.reset()
        self._confirming(False)
        self.render()
        self.message.value = _box("Сценарий начат заново: учебная организация снова с заложенными проблемами.", True)


def scenario_view(session: Path, trainee: str, role: str) -> w.Widget:
    """The practice scenario of ``trainee`` in ``role`` (made on first opening) as a page."""
    return ScenarioView(Scenario(session, trainee, role)).widget


def scenario_tab(session: Path, trainee: str, role: str) -> w.Widget:
    """The page behind a «Начать практику» button: the practice organisation is made when the trainee asks for it,
    not when the role page opens (making it takes a few seconds)."""
    start = w.Button(description="Начать практику", button_style="primary", layout=w.Layout(width="auto"))
    message = w.HTML()
    box = w.VBox(
        [
            w.HTML(
                f"<h2>{html.escape(TITLE)}</h2><p>Когда пройдёте шаги, проверьте себя на деле: в учебной организации "
                "будут заложены проблемы, и их нужно устранить своими действиями, пока аудит не станет чистым.</p>"
            ),
            start,
            message,
        ]
    )

    def open_page(_button: Any) -> None:
        start.disabled = True
        message.value = '<p style="color:#555">Готовлю учебную организацию…</p>'
        try:
            box.children = [scenario_view(session, trainee, role)]
        except SferumError as exc:
            message.value = _box(f"Не получилось: {exc}", False)
            start.disabled = False
        except Exception as exc:  # details to the server's log, not to the trainee
            print("".join(traceback.format_exception(exc)), file=sys.__stderr__)
            message.value = _box("Не получилось: внутренняя ошибка программы. Сообщите о ней ведущему занятия.", False)
            start.disabled = False

    start.on_click(open_page)
    return box
