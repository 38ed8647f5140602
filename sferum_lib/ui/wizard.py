"""The step wizard: ipywidgets over :class:`~sferum_lib.training.Training`, with no logic of its own.

Every click goes to the library; progress lives in the store, so a rebuilt wizard shows the same progress.
Exceptions in callbacks are shown in an ``Output`` widget (JupyterLab hides them otherwise).
"""

from __future__ import annotations

import html
import sys
import traceback
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from sferum_lib.errors import SferumError
from sferum_lib.regulation import Catalogue, default_catalogue
from sferum_lib.training import Feedback, Training

OK_STYLE = "color:#1b5e20;background:#e8f5e9;padding:6px 10px;border-left:4px solid #2e7d32"
BAD_STYLE = "color:#b71c1c;background:#ffebee;padding:6px 10px;border-left:4px solid #c62828"
WARN_STYLE = (
    "color:#4e342e;background:#fff8e1;padding:6px 10px;border-left:4px solid #f9a825;max-width:46em;line-height:1.45"
)


def feedback_html(feedback: Feedback) -> str:
    style = OK_STYLE if feedback.ok else BAD_STYLE
    return f'<div style="{style}">{html.escape(feedback.text)}</div>'


def rights_html(role: str, catalogue: Catalogue) -> str:
    """The rights of section 3 the role's holder has, in the regulation's words (3.4 for pedagogical staff).

    Cited in the catalogue's edition (:meth:`Catalogue.for_organisation` gives the organisation's).
    """
    rights = catalogue.rights_for(role)
    items = "".join(f"<li>{html.escape(d.text)} <i>({html.escape(d.citation)})</i></li>" for d in rights)
    return f"<details><summary>Ваши права по положению (раздел 3)</summary><ul>{items}</ul></details>"


#: What a participant reads when something other than their own input went wrong.
INTERNAL_FAILURE = "Не получилось: внутренняя ошибка программы. Сообщите о ней ведущему занятия."


def failure_text(exc: BaseException) -> str:
    """What the participant reads of an exception: a :class:`SferumError`'s own Russian text, else a generic line.

    Anything else (a bug, the machine) may carry file paths or another participant's data: its details go to
    the server's error stream (``sys.__stderr__``, not the notebook's output) for whoever runs the session.
    """
    if isinstance(exc, SferumError):
        return f"Не получилось: {exc}"
    print("".join(traceback.format_exception(exc)), file=sys.__stderr__)
    return INTERNAL_FAILURE


class RoleWizard:
    """A role's steps, one at a time: the duty, a form that performs it, self-check questions, navigation."""

    def __init__(self, training: Training) -> None:
        self.t = training
        # the regulation's texts as the organisation has them: its messenger («MAX» on MAX), its edition's numbers
        self.catalogue = default_catalogue().for_organisation(training.state().organisation)
        self.index = training.current()
        self.output = w.Output()
        role = self.catalogue.roles[training.role]
        self.title = w.HTML(
            f"<h2>{html.escape(role.capitalize())}: обучение</h2>"
            f"<p>Участник: <b>{html.escape(training.trainee)}</b>. Учебная организация — "
            "действия в ней не затрагивают настоящую.</p>" + rights_html(training.role, self.catalogue)
        )
        self.progress_bar = w.IntProgress(min=0, max=len(training.steps), description="Пройдено:")
        self.progress_label = w.Label()
        self.back_button = w.Button(description="← Назад")
        self.next_button = w.Button(description="Далее →")
        # starting again wipes the role's progress: it stands apart from the navigation and asks first
        self.reset_button = w.Button(
            description="Начать роль заново…", icon="undo", layout=w.Layout(width="auto", margin="0")
        )
        self.confirm_button = w.Button(description="Да, начать заново", button_style="danger")
        self.cancel_button = w.Button(description="Отмена")
        self.confirm_box = w.VBox(
            [
                w.HTML(
                    f'<div style="{WARN_STYLE}"><b>Начать роль заново?</b> Пройденные шаги и ответы будут '
                    "стёрты, учебная организация вернётся к началу.</div>"
                ),
                w.HBox([self.confirm_button, self.cancel_button]),
            ]
        )
        self.reset_area = w.VBox(
            [self.reset_button],
            layout=w.Layout(
                margin="28px 0 0 0", padding="10px 0 0 0", border_top="1px solid #ddd", align_items="flex-start"
            ),
        )
        self.back_button.on_click(self._safe(lambda _: self.go(-1)))
        self.next_button.on_click(self._safe(lambda _: self.go(+1)))
        self.reset_button.on_click(self._safe(lambda _: self.ask_reset()))
        self.confirm_button.on_click(self._safe(lambda _: self.reset()))
        self.cancel_button.on_click(self._safe(lambda _: self.cancel_reset()))
        self.step_box = w.VBox()
        self.widget = w.VBox(
            [
                self.title,
                w.HBox([self.progress_bar, self.progress_label]),
                self.step_box,
                w.HBox([self.back_button, self.next_button]),
                self.output,
                self.reset_area,
            ]
        )
        self.render()

    def _safe(self, handler: Callable[[Any], None]) -> Callable[[Any], None]:
        def run(arg: Any) -> None:
            try:
                handler(arg)
            except Exception as exc:  # shown to the trainee; JupyterLab would swallow it silently
                with self.output:
                    print(failure_text(exc))

        return run

    # --- rendering -------------------------------------------------------------------------------------
    def _refresh_progress(self) -> None:
        done = self.t.completed()
        self.progress_bar.value = done
        self.progress_label.value = f"{done} из {len(self.t.steps)}"

    def render(self) -> None:
        step = self.t.steps[self.index]
        duty = self.catalogue[step.duty]
        progress = self.t.progress()[self.index]
        mark = " ✔" if progress.complete(step) else ""
        header = w.HTML(
            f"<h3>Шаг {self.index + 1} из {len(self.t.steps)}: {html.escape(duty.title)}{mark}</h3>"
            f"<p><b>{html.escape(duty.citation)}</b>. {html.escape(duty.text)}</p>"
            f"<p><i>Зачем:</i> {html.escape(step.why)}</p>"
            + "".join(f"<p><i>Подсказка:</i> {html.escape(hint)}</p>" for hint in step.hints)
        )
        children: list[w.Widget] = [header]
        self.fields: dict[str, w.Widget] = {}
        self.action_button: w.Button | None = None
        self.action_feedback = w.HTML()
        if step.procedure:
            choices = self.t.choices(step)
            defaults = self.t.defaults(step)
            for f in step.fields:
                if f.kind == "choice":
                    options = choices.get(f.name, [])
                    value = defaults.get(f.name) if defaults.get(f.name) in [v for _, v in options] else None
                    widget = w.Dropdown(
                        options=options,
                        value=value or (options[0][1] if options else None),
                        description=f.label,
                        style={"description_width": "initial"},
                        layout=w.Layout(width="600px"),
                    )
                else:
                    widget = w.Text(
                        value=str(defaults.get(f.name, "")), description=f.label, style={"description_width": "initial"}
                    )
                self.fields[f.name] = widget
                children.append(widget)
            self.action_button = w.Button(
                description=step.button, button_style="primary", layout=w.Layout(width="auto")
            )
            self.action_button.on_click(self._safe(lambda _: self.perform()))
            if progress.performed:
                self.action_feedback.value = feedback_html(Feedback(True, "Действие уже выполнено."))
            children += [self.action_button, self.action_feedback]
        self.questions: list[tuple[w.RadioButtons, w.Button, w.HTML]] = []
        for qi, q in enumerate(step.questions):
            radio = w.RadioButtons(
                options=[(text, i) for i, text in enumerate(q.options)], value=None, layout=w.Layout(width="auto")
            )
            check = w.Button(description="Проверить")
            result = w.HTML()
            if progress.answers[qi] is True:
                result.value = feedback_html(Feedback(True, "Уже отвечено верно."))
            check.on_click(self._safe(lambda _, qi=qi: self.answer(qi)))
            self.questions.append((radio, check, result))
            children += [w.HTML(f"<p><b>Вопрос для самопроверки.</b> {html.escape(q.text)}</p>"), radio, check, result]
        self.step_box.children = children
        self.back_button.disabled = self.index == 0
        self.next_button.disabled = self.index == len(self.t.steps) - 1
        self._refresh_progress()

    # --- actions (forwarded to the library) ------------------------------------------------------------
    def perform(self) -> Feedback:
        values = {name: widget.value for name, widget in self.fields.items()}
        feedback = self.t.perform(self.index, values)
        shown = feedback_html(feedback)
        self.render()  # the form's choices change with the organisation
        self.action_feedback.value = shown
        return feedback

    def answer(self, question: int) -> Feedback:
        radio, _, result = self.questions[question]
        if radio.value is None:
            feedback = Feedback(False, "Выберите ответ.")
        else:
            feedback = self.t.answer(self.index, question, radio.value)
        result.value = feedback_html(feedback)
        self._refresh_progress()
        return feedback

    def go(self, delta: int) -> None:
        index = max(0, min(len(self.t.steps) - 1, self.index + delta))
        if index != self.index:
            self.t.open(index)
        self.index = index
        self.render()

    def ask_reset(self) -> None:
        """«Начать роль заново…»: nothing is wiped yet, the trainee is asked first."""
        self.reset_area.children = [self.confirm_box]

    def cancel_reset(self) -> None:
        self.reset_area.children = [self.reset_button]

    def reset(self) -> None:
        """«Да, начать заново»: the role's progress and practice organisation go back to the start."""
        self.t.reset()
        self.index = 0
        self.reset_area.children = [self.reset_button]
        self.render()
        self.t.open(self.index)
