"""A role's work page: who are you, then your pending duties from the organisation's own data, one at a time.

The same look as the training wizard (the duty, its clause, why, what to do on the platform), over the working
state of the organisation's store instead of a practice organisation. Buttons run the procedures through
:func:`sferum_lib.work.perform`, journaled with the chosen person as the actor; a refusal shows the regulation's
reason. Everything that decides is in :mod:`sferum_lib.work`; this module lays out widgets and words.
"""

from __future__ import annotations

import datetime as dt
import html
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sferum_lib.errors import SferumError

_CSS = """<style>
.sferum-work {font-size: 15px; max-width: 1100px}
.sferum-work table.sb {border-collapse: collapse; margin: 6px 0; width: 100%}
.sferum-work table.sb th, .sferum-work table.sb td {border: 1px solid #ccc; padding: 3px 8px; text-align: left;
  vertical-align: top}
.sferum-work table.sb th {background: #eef3f8}
.sferum-work .ok {color: #1b5e20; background: #e8f5e9; padding: 8px 12px; border-left: 4px solid #2e7d32}
.sferum-work .bad {color: #b71c1c; background: #ffebee; padding: 8px 12px; border-left: 4px solid #c62828}
.sferum-work .note {color: #555}
.sferum-work .card {border: 1px solid #d0d7de; border-radius: 4px; padding: 4px 14px; margin: 6px 0;
  background: #fafcff}
.sferum-work h3 {margin: 10px 0 4px}
</style>"""
#: The person's status words as the page shows them.
_STATUS_STYLE = {"выполнено": "#2e7d32", "не выполнено": "#c62828"}


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f'<table class="sb"><tr>{head}</tr>{body}</table>'


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def taken_html(name: str) -> str:
    """What a second browser is told when the chosen person is already someone else's page."""
    return (
        f'<div class="bad"><b>Дела «{html.escape(name)}» уже открыты в другом браузере.</b> Если это вы и вы '
        "перешли за другой компьютер, вернитесь в прежний браузер или попросите администратора освободить имя "
        "(sferum app … --release ID).</div>"
    )


class RoleWork:
    """The page of one role over a store: a person chooser, then the person's work."""

    def __init__(
        self,
        role: str,
        store: str | Path,
        person: str = "",
        day: dt.date | None = None,
        session: str | Path | None = None,
        browser: str | None = None,
    ) -> None:
        import ipywidgets as w

        self.w = w
        self.role = role
        self.store_path = Path(store)
        self.session = Path(session) if session else None
        self.browser = browser
        self.person: str | None = None
        self.index = 0
        self.header = w.HTML()
        self.message = w.HTML()  # the last action's result or refusal
        self.day = w.DatePicker(
            description="Дата проверки:", value=day or dt.date.today(), style={"description_width": "initial"}
        )
        self.day.observe(lambda _change: self._safe(self.refresh), names="value")
        self.body = w.VBox()
        self.view = w.VBox(
            [w.HTML(_CSS), self.header, self.day, self.message, self.body], layout=w.Layout(width="100%")
        )
        self.view.add_class("sferum-work")
        self._safe(lambda: self._start(person))

    # --- helpers -------------------------------------------------------------------------------------------

    def _safe(self, action: Callable[[], None], button: Any = None) -> None:
        """Run a handler; a person's mistake or a refusal is a Russian line, anything else too (details to the log)."""
        if button is not None:
            button.disabled = True
        try:
            action()
        except SferumError as exc:
            self.message.value = f'<div class="bad">{html.escape(str(exc))}</div>'
        except Exception as exc:
            traceback.print_exc(file=sys.__stderr__)
            self.message.value = (
                f'<div class="bad">Внутренняя ошибка ({html.escape(type(exc).__name__)}). Данные не изменены. '
                "Обновите страницу; если повторится, сообщите администратору.</div>"
            )
        finally:
            if button is not None:
                button.disabled = False

    def _button(self, label: str, run: Callable[[], None], style: str = "primary") -> Any:
        w = self.w
        button = w.Button(description=label, button_style=style, layout=w.Layout(width="auto", min_width="120px"))
        button.on_click(lambda b: self._safe(run, button=b))
        return button

    def _load(self) -> tuple[Any, Any, int] | None:
        """(working state, journal, snapshot number), or None when the store holds no data yet."""
        from sferum_lib.store import Store
        from sferum_lib.work import ensure_state

        if not self.store_path.exists():
            return None
        with Store(self.store_path) as store:
            if not store.snapshots():
                return None
            ensure_state(store)
            return store.state(), store.journal(), store.latest()

    def _no_data(self) -> None:
        self.header.value = (
            "<h2>Работа в «Сферуме»</h2><p class='note'>Данных организации ещё нет: их загружает администратор "
            "платформы на своём рабочем месте.</p>"
        )
        self.body.children = []

    # --- who are you ---------------------------------------------------------------------------------------

    def _start(self, person: str) -> None:
        if person:
            self.open(person)
            return
        loaded = self._load()
        if loaded is None:
            self._no_data()
            return
        from sferum_lib.app import held
        from sferum_lib.regulation import default_catalogue
        from sferum_lib.work import people_of_role

        state = loaded[0]
        people = people_of_role(state, self.role, self.day.value)
        if self.browser and self.session:
            mine = held(self.session, [i for _label, i in people], self.browser)
            if mine:  # this browser chose before (a reload): straight back to its page
                self.open(mine)
                return
        role_title = default_catalogue().roles[self.role]
        org = state.organisation
        self.header.value = (
            f"<h2>{html.escape(role_title.capitalize())}: работа</h2>"
            f"<p>{html.escape(org.short_name or org.full_name or '')}. Выберите себя из списка — откроются ваши "
            "дела по положению о «Сферуме» по данным организации.</p>"
        )
        if not people:
            self.body.children = [
                self.w.HTML(
                    f'<div class="bad">В данных организации нет ни одного человека с ролью «{role_title}».</div>'
                )
            ]
            return
        w = self.w
        chooser = (w.Dropdown if len(people) <= 500 else w.Combobox)(
            options=people if len(people) <= 500 else [label for label, _i in people],
            value=None,
            description="Кто вы:",
            style={"description_width": "initial"},
            layout=w.Layout(width="560px"),
        )
        ids = {label: i for label, i in people}

        def begin() -> None:
            value = chooser.value
            chosen = ids.get(value, value) if value else None
            if not chosen:
                self.message.value = '<div class="bad">Выберите себя из списка.</div>'
                return
            self.open(chosen)

        self.body.children = [w.HBox([chooser, self._button("Открыть мои дела", begin)])]

    def open(self, person: str) -> None:
        """Show ``person``'s work; in app mode the browser takes the person (another browser is refused)."""
        from sferum_lib.app import claim

        if self.browser and self.session and not claim(self.session, person, self.browser):
            loaded = self._load()
            name = person
            if loaded is not None:
                from sferum_lib.grammar import People

                found = People(loaded[0]).person(person)
                name = found.name() if found is not None else person
            self.message.value = taken_html(name)
            return
        self.person = person
        self.index = 0
        self.message.value = ""
        self.refresh()

    # --- the person's page ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        if self.person is None:
            return
        from sferum_lib.work import person_work

        loaded = self._load()
        if loaded is None:
            self._no_data()
            return
        state, journal, number = loaded
        day = self.day.value or dt.date.today()
        self.work = work = person_work(state, self.person, self.role, day, journal)
        org = state.organisation
        pending = work.pending
        self.header.value = (
            f"<h2>{html.escape(work.role_title.capitalize())}: работа</h2>"
            f"<p><b>{html.escape(work.name)}</b> ({html.escape(work.person_id)}), "
            f"{html.escape(org.short_name or org.full_name or '')}. Данные: снимок № {number} и выполненные действия, "
            f"на {day:%d.%m.%Y}. Дел по данным: {len(pending)} (обязанностей роли: {len(work.tasks)}, их состояние — "
            "внизу страницы).</p>"
        )
        self.index = max(0, min(self.index, len(pending) - 1))
        children: list[Any] = [self._step(pending)]
        children += self._sections(work)
        children += self._head(work)
        children += self._own_chats(work)
        children.append(self.w.HTML(self._all_duties(work)))
        self.body.children = children

    def _step(self, pending: list[Any]) -> Any:
        w = self.w
        if not pending:
            return w.HTML('<div class="ok">По данным на эту дату все ваши обязанности выполнены: дел нет.</div>')
        task = pending[self.index]
        duty = task.duty
        parts = [
            f"<h3>Дело {self.index + 1} из {len(pending)}: {html.escape(duty.title)}</h3>",
            f"<p><b>{html.escape(duty.citation)}</b>. {html.escape(duty.text)}</p>",
        ]
        if task.why:
            parts.append(f"<p><i>Зачем:</i> {html.escape(task.why)}</p>")
        if task.detail:
            parts.append(f"<p><i>Что видно по данным:</i> {html.escape(task.detail)}</p>")
        if task.items:
            items = "".join(f"<li>{html.escape(i.text)} <i>({html.escape(i.clause)})</i></li>" for i in task.items[:50])
            more = f"<li>… и ещё {len(task.items) - 50}</li>" if len(task.items) > 50 else ""
            parts.append(f"<p><i>Что не так:</i></p><ul>{items}{more}</ul>")
        hows = list(dict.fromkeys(i.how for i in task.items if i.by_hand))
        if task.actions:
            parts.append(f"<p><i>На платформе:</i> {html.escape(task.platform)}.</p>")
        elif hows:  # what the person does by hand, in the to-do list's words («Руководитель издаёт приказ…»)
            parts.append(
                "".join(f"<p><i>Что сделать:</i> {html.escape(h.removeprefix('Вручную: '))}</p>" for h in hows)
            )
        else:
            parts.append(
                "<p><i>Что сделать:</i> вручную, на платформе «Сферум»; здесь это отметится, когда администратор "
                "загрузит новую книгу организации.</p>"
            )
        children: list[Any] = [w.HTML("".join(parts))]
        buttons = [self._button(a.label, lambda a=a: self._act(a)) for a in task.actions]
        hand = [i for i in task.items if i.by_hand]
        if hand and not task.actions:
            buttons.append(self._button("Отметить выполненным", lambda items=hand: self._mark(items), ""))
        if buttons:
            children.append(w.HBox(buttons, layout=w.Layout(flex_flow="row wrap")))
        back = self._button("← Назад", lambda: self._go(-1), "")
        forward = self._button("Далее →", lambda: self._go(+1), "")
        back.disabled = self.index == 0
        forward.disabled = self.index >= len(pending) - 1
        children.append(w.HBox([back, forward]))
        card = w.VBox(children)
        card.add_class("card")
        return card

    def _go(self, delta: int) -> None:
        self.index += delta
        self.message.value = ""
        self.refresh()

    def _sections(self, work: Any) -> list[Any]:
        w = self.w
        if work.role not in ("pdo", "ped"):
            return []
        if not work.sections:
            return [w.HTML("<h3>Ваши объединения</h3><p class='note'>За вами не закреплено ни одного объединения.</p>")]
        out: list[Any] = [w.HTML("<h3>Ваши объединения</h3>")]
        for section in work.sections:
            parts = [f"<h4>Объединение «{html.escape(section.name)}» ({html.escape(section.code)})</h4>"]
            if section.chats:
                parts.append(
                    _table(
                        ["Чат", "Тип", "Участников", "Последнее сообщение"],
                        [[c.name, c.kind, c.members, c.last_message] for c in section.chats],
                    )
                )
            else:
                parts.append("<p class='note'>Чатов у объединения нет.</p>")
            if section.missing_chats:
                parts.append("<p>Не хватает чатов: " + html.escape(", ".join(section.missing_chats)) + ".</p>")
            for title, who in (
                ("Нет в чате обучающихся объединения", section.missing_pupils),
                ("Нет в чате родителей объединения", section.missing_parents),
            ):
                if who:
                    parts.append(f"<p><b>{title}:</b> {html.escape(', '.join(who))}.</p>")
            if section.open_links:
                parts.append(
                    "<p>Ссылки уже созданы — разошлите их тем, кого нет в чатах (одна ссылка служит всем): "
                    + html.escape("; ".join(section.open_links))
                    + ".</p>"
                )
            if not (section.missing_chats or section.missing_pupils or section.missing_parents):
                parts.append("<p class='note'>Все обучающиеся и их родители — в чатах объединения.</p>")
            if section.actions:  # the buttons are the chats duty's, in the step above: one place to act
                parts.append(
                    "<p class='note'>Кнопки «Создать ссылку…» и «Создать чат…» — в деле «"
                    + html.escape(self._chat_duty_title(work))
                    + "» выше.</p>"
                )
            out.append(w.HTML("".join(parts)))
        return out

    def _chat_duty_title(self, work: Any) -> str:
        from sferum_lib.work import CHAT_DUTY_OF

        return next((t.duty.title for t in work.tasks if t.duty.id == CHAT_DUTY_OF.get(work.role)), "")

    def _head(self, work: Any) -> list[Any]:
        if work.role != "head":
            return []
        chats = (
            _table(
                ["Чат", "Тип", "Участников", "Последнее сообщение"],
                [[c.name, c.kind, c.members, c.last_message] for c in work.chats],
            )
            if work.chats
            else "<p class='note'>Управленческих чатов нет.</p>"
        )
        rows = [[i.title, _percent(i.value), f"{i.numerator} из {i.denominator}", i.formula] for i in work.indicators]
        return [
            self.w.HTML(
                f"<h3>Управленческие чаты</h3>{chats}<h3>Показатели использования платформы</h3>"
                + _table(["Показатель", "Значение", "Сколько", "Как считается"], rows)
            )
        ]

    def _own_chats(self, work: Any) -> list[Any]:
        if work.role not in ("student", "parent"):
            return []
        chats = (
            _table(["Чат", "Тип", "Участников"], [[c.name, c.kind, c.members] for c in work.chats])
            if work.chats
            else "<p class='note'>Вы пока не состоите ни в одном чате организации.</p>"
        )
        return [self.w.HTML(f"<h3>Ваши чаты</h3>{chats}")]

    def _all_duties(self, work: Any) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(t.duty.citation)}</td><td>{html.escape(t.duty.title)}</td>"
            f'<td style="color:{_STATUS_STYLE.get(t.status, "#757575")}"><b>{html.escape(t.status)}</b></td>'
            f"<td>{html.escape(t.detail)}</td></tr>"
            for t in work.tasks
        )
        return (
            "<details><summary>Все обязанности роли и их состояние</summary><table class='sb'><tr><th>Пункт</th>"
            f"<th>Обязанность</th><th>Состояние</th><th>Что видно по данным</th></tr>{rows}</table></details>"
        )

    # --- actions -------------------------------------------------------------------------------------------

    def _act(self, action: Any) -> None:
        from sferum_lib.procedures.base import Refused
        from sferum_lib.store import Store
        from sferum_lib.work import perform

        day = self.day.value or dt.date.today()
        try:
            with Store(self.store_path) as store:
                done = perform(store, action, self.person, day)
        except Refused as exc:
            self.refresh()  # another browser may have done it a moment ago: show the page as it is now
            self.message.value = f'<div class="bad"><b>Отказ по положению:</b> {html.escape(str(exc))}</div>'
            return
        self.refresh()
        self.message.value = "".join(f'<div class="ok">Выполнено: {html.escape(s)}</div>' for s in done)

    def _mark(self, items: list[Any]) -> None:
        from sferum_lib.store import Store
        from sferum_lib.work import mark_done

        day = self.day.value or dt.date.today()
        with Store(self.store_path) as store:
            for item in items:
                mark_done(store, item, self.person, day)
        self.refresh()
        self.message.value = '<div class="ok">Отмечено выполненным; запись — в журнале организации.</div>'


def role_work(role: str, store: str = "", person: str = "", as_of: str = "", namespace: Any = None) -> Any:
    """A role's work page over ``store`` ($SFERUM_STORE or sferum.db when empty) on ``as_of`` (today when empty);
    ``person`` opens that person's page at once, else the page asks who you are."""
    import os

    from sferum_lib.app import browser_of
    from sferum_lib.errors import UsageError
    from sferum_lib.store import default_store_path
    from sferum_lib.ui import SESSION_ENV

    try:
        day = dt.date.fromisoformat(as_of) if as_of else None
    except ValueError:
        raise UsageError(f"Дата «{as_of}» не понята: ожидается ГГГГ-ММ-ДД, например 2026-10-15.") from None
    if role == "admin":  # the administrator's work is the workbench: loading, the to-do list, reports, journal
        from sferum_lib.ui.workbench import workbench

        return workbench(store, as_of)
    browser = browser_of(namespace) if namespace is not None else None
    session = os.environ.get(SESSION_ENV) if browser else None
    return RoleWork(role, store or default_store_path(), person, day, session, browser).view


__all__ = ["RoleWork", "role_work", "taken_html"]
