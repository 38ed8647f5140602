"""The administrator's workbench: one page over the organisation's store (ipywidgets, served by Voilà).

Tabs: «Загрузка данных», «Что сделать», «Отчёты», «Документы», «Журнал». Everything that decides is in
:mod:`sferum_lib.work` and the procedures; this module only lays out widgets and turns results into Russian text.
Files are offered as links with a ``data:`` address, which works in Voilà without a server route.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sferum_lib.errors import SferumError

MIME = {
    ".html": "text/html",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".json": "application/json",
}
TABS = ("Загрузка данных", "Что сделать", "Отчёты", "Документы", "Журнал")
_CSS = """<style>
.sferum-bench {font-size: 15px; max-width: 1200px}
.sferum-bench table.sb {border-collapse: collapse; margin: 6px 0; width: 100%}
.sferum-bench table.sb th, .sferum-bench table.sb td {border: 1px solid #ccc; padding: 3px 8px; text-align: left;
  vertical-align: top}
.sferum-bench table.sb th {background: #eef3f8}
.sferum-bench .ok {color: #1b5e20; background: #e8f5e9; padding: 8px 12px; border-left: 4px solid #2e7d32}
.sferum-bench .bad {color: #b71c1c; background: #ffebee; padding: 8px 12px; border-left: 4px solid #c62828}
.sferum-bench .note {color: #555}
.sferum-bench a.dl {display: inline-block; margin: 4px 12px 4px 0; padding: 5px 12px; background: #1565c0;
  color: #fff; border-radius: 3px; text-decoration: none}
.sferum-bench .item-text {line-height: 1.35}
</style>"""


def download_link(name: str, data: bytes, label: str | None = None) -> str:
    """An ``<a download>`` with the file inside its address: a click saves it, no server route needed."""
    mime = MIME.get(Path(name).suffix.lower(), "application/octet-stream")
    payload = base64.b64encode(data).decode("ascii")
    text = html.escape(label or f"Скачать {name}")
    return f'<a class="dl" download="{html.escape(name)}" href="data:{mime};base64,{payload}">{text}</a>'


def file_name(title: str, suffix: str) -> str:
    """A file name a person recognises («Аудит соответствия положению.html»), valid on Windows too."""
    clean = "".join(" " if c in '<>:"/\\|?*' else c for c in title)
    return " ".join(clean.split())[:120] + suffix


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f'<table class="sb"><tr>{head}</tr>{body}</table>'


class Workbench:
    """The page: state (store path, day) and the widgets of each tab."""

    def __init__(self, store: str | Path, day: dt.date | None = None) -> None:
        import ipywidgets as w

        from sferum_lib.work import private_dir

        self.w = w
        self.store_path = Path(store)
        self.out = private_dir()  # made files: owner-only, they hold personal data
        self.open_groups: set[str] = set()  # teachers whose lists are open
        self.header = w.HTML()
        self.day = w.DatePicker(
            description="Дата проверки:", value=day or dt.date.today(), style={"description_width": "initial"}
        )
        self.day.observe(lambda _change: self._safe(self.refresh), names="value")
        self.tabs = w.Tab(
            children=[
                self._upload_tab(),
                self._todo_tab(),
                self._reports_tab(),
                self._documents_tab(),
                self._journal_tab(),
            ]
        )
        for i, title in enumerate(TABS):
            self.tabs.set_title(i, title)
        self.tabs.observe(lambda _change: self._safe(self.refresh), names="selected_index")
        self.view = w.VBox([w.HTML(_CSS), self.header, self.day, self.tabs], layout=w.Layout(width="100%"))
        self.view.add_class("sferum-bench")
        self._safe(self.refresh)

    # --- helpers ---------------------------------------------------------------------------------------------

    def _safe(self, action: Callable[[], None], message: Any = None, button: Any = None) -> None:
        """Run a handler; a refusal or a user's mistake is shown in Russian, never as a traceback.

        The pressed button is disabled meanwhile: a second click while a report is being built or an action is
        being journaled would do it twice."""
        target = message if message is not None else self.todo_message
        if button is not None:
            button.disabled = True
        try:
            action()
        except SferumError as exc:
            target.value = f'<div class="bad">{html.escape(str(exc))}</div>'
        except Exception as exc:  # a bug or the machine: say so, keep the page alive, details to the log
            traceback.print_exc()
            target.value = (
                f'<div class="bad">Внутренняя ошибка ({html.escape(type(exc).__name__)}). Данные не изменены. '
                "Обновите страницу; если повторится, сообщите разработчикам.</div>"
            )
        finally:
            if button is not None:
                button.disabled = False

    def _store(self, create: bool = False) -> Any:
        from sferum_lib.store import Store

        return Store(self.store_path, create=create)

    def _has_data(self) -> bool:
        if not self.store_path.exists():
            return False
        with self._store() as store:
            return bool(store.snapshots())

    def _state(self) -> Any:
        from sferum_lib.work import ensure_state

        with self._store() as store:
            ensure_state(store)
            return store.state()

    def refresh(self) -> None:
        if not self._has_data():
            self.header.value = (
                "<h2>Рабочее место администратора «Сферума»</h2>"
                '<p class="note">Данных организации ещё нет: загрузите книгу на вкладке «Загрузка данных».</p>'
            )
            self.todo_box.children = []
            self.journal_html.value = '<p class="note">Журнал пуст: действий ещё не было.</p>'
            return
        from sferum_lib.model import full_name
        from sferum_lib.work import acting_admin

        state = self._state()
        org = state.organisation
        actor = acting_admin(state)
        if actor:
            names = dict(zip(state.staff["id"], full_name(state.staff), strict=True))
            actor = f"{names.get(actor, actor)} ({actor})"
        with self._store() as store:
            number = store.latest()
        self.header.value = (
            f"<h2>Рабочее место администратора: {html.escape(org.short_name or org.full_name or '')}</h2>"
            f'<p class="note">Данные: снимок № {number} и выполненные действия. Действует: '
            f"{html.escape(actor or 'администратор не указан в параметрах организации')}. "
            f"Хранилище: {html.escape(str(self.store_path))}</p>"
        )
        self._render_todo(state)
        self._render_journal()

    # --- 1. upload -------------------------------------------------------------------------------------------

    def _upload_tab(self) -> Any:
        w = self.w
        self.upload = w.FileUpload(accept=".xlsx,.xlsm,.csv", multiple=True, description="Выбрать файл")
        self.load = w.Button(description="Проверить и загрузить", button_style="primary", layout=w.Layout(width="auto"))
        self.upload_result = w.HTML()
        # shown only after a workbook was refused as another organisation's: the way to accept a real renaming
        self.renamed = w.Checkbox(
            value=False,
            description="Организация переименована — принять книгу",
            indent=False,
            layout=w.Layout(display="none", width="auto"),
        )
        self.load.on_click(lambda b: self._safe(self._do_upload, self.upload_result, b))
        return w.VBox(
            [
                w.HTML(
                    "<p>Выберите книгу Excel (.xlsx) по шаблону или файлы .csv её листов и нажмите "
                    "«Проверить и загрузить». Книга с ошибками не сохраняется: ошибки будут показаны все сразу.</p>"
                ),
                w.HBox([self.upload, self.load]),
                self.renamed,
                self.upload_result,
            ]
        )

    def _do_upload(self) -> None:
        from sferum_lib.work import upload

        files = [(f["name"], bytes(f["content"])) for f in self.upload.value]
        self.upload_result.value = '<p class="note">Проверяю…</p>'
        result = upload(self.store_path, files, self.day.value or dt.date.today(), renamed=self.renamed.value)
        if result.other_organisation:
            self.renamed.layout.display = None
            refusal = html.escape(result.other_organisation)
            self.upload_result.value = f'<div class="bad"><b>Книга не принята.</b> {refusal}</div>'
            return
        self.renamed.value, self.renamed.layout.display = False, "none"
        if not result.ok:
            rows = [[p.sheet, p.row or "", p.column, p.value, p.expected] for p in result.problems]
            copy = (
                download_link("ошибки.xlsx", result.errors_copy, "Скачать книгу с выделенными ошибками")
                if result.errors_copy
                else ""
            )
            self.upload_result.value = (
                f'<div class="bad"><b>Книга не принята: ошибок — {len(result.problems)}. Ничего не сохранено.</b> '
                "Исправьте их в книге и загрузите её снова.</div>"
                f"{copy}{_table(['Лист', 'Строка', 'Столбец', 'Значение', 'Что ожидается'], rows)}"
            )
            return
        parts = [
            f'<div class="ok"><b>Снимок № {result.number} сохранён.</b> '
            + ", ".join(f"{k}: {v}" for k, v in result.counts.items())
            + ".</div>"
        ]
        if result.movement is None:
            parts.append('<p class="note">Это первый снимок: сравнивать не с чем.</p>')
        else:
            words = {"staff": "Сотрудники", "students": "Обучающиеся"}
            rows = [
                [title, words[kind], len(ids), ", ".join(ids[:30]) + (" …" if len(ids) > 30 else "")]
                for direction, title in (("arrived", "Прибыли"), ("departed", "Выбыли"))
                for kind, ids in result.movement[direction].items()
            ]
            parts.append(
                f"<p>Что изменилось со снимка № {result.number - 1}:</p>" + _table(["", "Кто", "Сколько", "ID"], rows)
            )
        if result.warnings:
            parts.append(
                "<p>Предупреждения (книга принята):</p>"
                + _table(
                    ["Лист", "Строка", "Столбец", "Значение", "Что не так"],
                    [[p.sheet, p.row or "", p.column, p.value, p.expected] for p in result.warnings],
                )
            )
        parts.append("<p>Дальше — вкладка «Что сделать».</p>")
        self.refresh()  # first the header and the list of the new data, then the message that says it is saved
        self.upload_result.value = "".join(parts)

    # --- 2. to-do --------------------------------------------------------------------------------------------

    def _todo_tab(self) -> Any:
        w = self.w
        self.todo_message = w.HTML()
        self.todo_box = w.VBox()
        return w.VBox([self.todo_message, self.todo_box])

    def _render_todo(self, state: Any) -> None:
        from sferum_lib.work import ADMIN, HEAD, todo

        w = self.w
        with self._store() as store:
            journal = store.journal()
        groups = todo(state, self.day.value or dt.date.today(), journal=journal)
        if not groups:
            self.todo_box.children = [w.HTML('<div class="ok">По данным на эту дату всё сделано: замечаний нет.</div>')]
            return
        children: list[Any] = []
        for group in groups:
            header = [w.HTML(f"<h3>{html.escape(group.title)} — дел: {len(group.items)}</h3>")]
            for action in group.actions:
                header.append(self._button(action.label, lambda a=action: self._act(a), "warning"))
            # a large organisation has hundreds of items: each teacher's list opens on request, so the page stays
            # quick; the administrator's and the head's are open
            shown = group.who in (ADMIN, HEAD) or group.who in self.open_groups
            if group.who not in (ADMIN, HEAD):
                toggle = "Скрыть" if shown else "Показать дела"
                header.append(self._button(toggle, lambda g=group.who: self._toggle(g), ""))
            children.append(w.HBox(header, layout=w.Layout(align_items="center")))
            for item in group.items if shown else ():
                colour = "#c62828" if item.severity == "нарушение" else "#8d6e00"
                text = w.HTML(
                    f'<div class="item-text"><b style="color:{colour}">{html.escape(item.severity)}</b>, '
                    f"{html.escape(item.clause)}: {html.escape(item.text)}<br>"
                    f'<span class="note">{html.escape(item.how)}</span></div>',
                    layout=w.Layout(width="70%"),
                )
                buttons = [self._button(a.label, lambda a=a: self._act(a)) for a in item.actions]
                if item.by_hand:
                    buttons.append(self._button("Отметить выполненным", lambda i=item: self._mark(i), ""))
                children.append(
                    w.HBox(
                        [text, *buttons],
                        layout=w.Layout(border_bottom="1px solid #e0e0e0", padding="4px 0", align_items="center"),
                    )
                )
        self.todo_box.children = children

    def _toggle(self, who: str) -> None:
        self.open_groups ^= {who}
        self.refresh()

    def _button(self, label: str, run: Callable[[], None], style: str = "primary") -> Any:
        w = self.w
        button = w.Button(description=label, button_style=style, layout=w.Layout(width="auto", min_width="120px"))
        button.on_click(lambda b: self._safe(run, button=b))
        return button

    def _actor(self) -> str | None:
        from sferum_lib.work import acting_admin

        return acting_admin(self._state())

    def _act(self, action: Any) -> None:
        from sferum_lib.procedures.base import Refused
        from sferum_lib.work import perform

        day = self.day.value or dt.date.today()
        try:
            with self._store() as store:
                done = perform(store, action, self._actor(), day)
        except Refused as exc:
            self.refresh()  # another browser may have done it a moment ago: show the list as it is now
            self.todo_message.value = f'<div class="bad"><b>Отказ по положению:</b> {html.escape(str(exc))}</div>'
            return
        self.refresh()  # first the list without the item, then the message that says why it is gone
        self.todo_message.value = "".join(f'<div class="ok">Выполнено: {html.escape(s)}</div>' for s in done)

    def _mark(self, item: Any) -> None:
        from sferum_lib.work import mark_done

        with self._store() as store:
            mark_done(store, item, self._actor(), self.day.value or dt.date.today())
        self.refresh()
        self.todo_message.value = f'<div class="ok">Отмечено выполненным: {html.escape(item.text)}</div>'

    # --- 3. reports and documents ----------------------------------------------------------------------------

    def _reports_tab(self) -> Any:
        from sferum_lib.reports import REPORTS

        w = self.w
        self.report = w.Dropdown(
            options=[(spec.title, name) for name, spec in REPORTS.items()],
            description="Отчёт:",
            layout=w.Layout(width="640px"),
        )
        build = w.Button(description="Построить", button_style="primary")
        self.report_result = w.HTML()
        build.on_click(lambda b: self._safe(self._build_report, self.report_result, b))
        return w.VBox([w.HBox([self.report, build]), self.report_result])

    def _build_report(self) -> None:
        from sferum_lib.reports.runner import ReportFailed, run_report

        name = self.report.value
        self.report_result.value = '<p class="note">Строю отчёт… это займёт до минуты.</p>'
        folder = self.out / "отчёты" / name
        day = self.day.value or dt.date.today()
        try:
            from sferum_lib.store import Store

            with Store(self.store_path, readonly=True) as store:  # what the administrator acted on, if anything
                state = store.has_state()
            run_report(name, {"store": str(self.store_path), "as_of": day.isoformat(), "state": state}, folder)
        except ReportFailed as exc:
            message = str(exc).split(" Частичный результат:")[0]
            self.report_result.value = f'<div class="bad">{html.escape(message)}</div>'
            return
        from sferum_lib.reports import REPORTS

        title = REPORTS[name].title
        links = [
            download_link(file_name(title, p.suffix), p.read_bytes(), f"Скачать {p.suffix[1:].upper()}")
            for p in sorted(folder.glob(f"{name}.*"))
            if p.suffix in (".html", ".xlsx")
        ]
        basis = (
            "по рабочему состоянию — с учётом действий из журнала"
            if state
            else "по последнему загруженному снимку"
        )
        self.report_result.value = f'<div class="ok">Отчёт построен на {day:%d.%m.%Y} {basis}.</div>' + "".join(links)

    def _documents_tab(self) -> Any:
        from sferum_lib.documents import DOCUMENTS

        w = self.w
        self.document = w.Dropdown(
            options=[(spec.title, name) for name, spec in DOCUMENTS.items()],
            description="Документ:",
            layout=w.Layout(width="640px"),
        )
        make = w.Button(description="Составить", button_style="primary")
        self.document_result = w.HTML()
        make.on_click(lambda b: self._safe(self._make_document, self.document_result, b))
        return w.VBox([w.HBox([self.document, make]), self.document_result])

    def _make_document(self) -> None:
        from sferum_lib.documents import DOCUMENTS, MissingData, make_document

        title = DOCUMENTS[self.document.value].title
        try:
            made = make_document(
                self.document.value, self._state(), self.out / "документы", today=self.day.value or dt.date.today()
            )
        except MissingData as exc:
            self.document_result.value = f'<div class="bad">{html.escape(str(exc))}</div>'
            return
        blanks = "".join(f"<li>{html.escape(b)}</li>" for b in made.blanks)
        self.document_result.value = (
            f'<div class="ok">Документ составлен: {html.escape(title)}.</div>'
            + download_link(file_name(title, ".docx"), made.path.read_bytes(), "Скачать DOCX")
            + (f"<p>Оставлено пустым для заполнения от руки:</p><ul>{blanks}</ul>" if blanks else "")
        )

    # --- 4. journal ------------------------------------------------------------------------------------------

    def _journal_tab(self) -> Any:
        w = self.w
        self.journal_html = w.HTML()
        export = w.Button(description="Выгрузить в XLSX", button_style="primary", layout=w.Layout(width="auto"))
        self.journal_link = w.HTML()
        export.on_click(lambda b: self._safe(self._export_journal, self.journal_link, b))
        return w.VBox([w.HBox([export, self.journal_link]), self.journal_html])

    def _render_journal(self) -> None:
        from sferum_lib.work import journal_frame

        with self._store() as store:
            frame = journal_frame(store)
        if frame.empty:
            self.journal_html.value = '<p class="note">Журнал пуст: действий ещё не было.</p>'
            return
        self.journal_html.value = _table(list(frame.columns), frame.values.tolist())

    def _export_journal(self) -> None:
        from sferum_lib.work import export_journal, journal_frame

        with self._store() as store:
            frame = journal_frame(store)
        path = export_journal(frame, self.out / "журнал.xlsx")
        self.journal_link.value = download_link("журнал.xlsx", path.read_bytes(), "Скачать журнал.xlsx")


def workbench(store: str = "", as_of: str = "") -> Any:
    """The workbench over ``store`` ($SFERUM_STORE or sferum.db when empty), the audit's day ``as_of`` (today)."""
    from sferum_lib.store import default_store_path

    day = dt.date.fromisoformat(as_of) if as_of else None
    return Workbench(store or default_store_path(), day).view
