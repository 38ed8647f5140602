"""The methodist's live console: who is on which step, who is stuck, the refusals and wrong answers met most.

It reads what ``sferum training report`` reads (:mod:`sferum_lib.training.sessions`): every participant's events in
their practice organisation's store, opened read-only. A participant is *stuck* when they have made no progress for
:data:`STUCK_MINUTES` (no step done, no right answer), or met :data:`REPEATED` refusals and wrong answers in a row.
:class:`Console` shows it as a page refreshed every few seconds; ``sferum training console ПАПКА`` serves that page
with Voilà (:func:`serve_console`).
"""

from __future__ import annotations

import datetime as dt
import html
import os
import secrets
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sferum_lib.errors import SferumError, UsageError
from sferum_lib.regulation import default_catalogue
from sferum_lib.training.roster import read_roster
from sferum_lib.training.session import ANSWER, DONE, OPENED, REFUSED, START
from sferum_lib.training.sessions import (
    TraineeProgress,
    refusals_met,
    session_events,
    trainees_progress,
    wrong_answers,
)

#: No progress (a step done, a right answer) for this many minutes: the participant may need help.
STUCK_MINUTES = 5
#: This many refusals and wrong answers in a row since the last progress: the participant may need help.
REPEATED = 3
#: How often the console reads the session again.
REFRESH_SECONDS = 5
#: The notebook the console's page is made of.
NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "methodist" / "console.ipynb"
CONSOLE_TITLE = "Пульт ведущего занятия"
#: Pages served at once: the methodist's own (and a spare for a second screen).
CONSOLE_PLACES = 3

TRAINEE_COLUMNS = ["Участник", "Роль", "Шаг сейчас", "Пройдено", "Последнее действие", "Состояние"]


@dataclass(frozen=True)
class Attention:
    """A participant who may need the methodist: why, in words."""

    trainee: str
    role: str
    reason: str


@dataclass(frozen=True)
class ConsoleData:
    """One look at the session (everything :func:`console_html` shows)."""

    folder: Path
    at: dt.datetime
    trainees: pd.DataFrame  # :data:`TRAINEE_COLUMNS`
    stuck: list[Attention]
    absent: list[str]  # listed participants who have not begun
    refusals: pd.DataFrame
    wrong: pd.DataFrame
    summary: list[str] = field(default_factory=list)


def _session_folder(folder: str | Path) -> Path:
    path = Path(folder).resolve()
    if not path.is_dir():
        raise UsageError(
            f"Папки занятия «{path}» нет: укажите папку из sferum training prepare --out или sferum app --session."
        )
    return path


def _minutes(delta: dt.timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


def _ago(minutes: int) -> str:
    if minutes < 1:
        return "только что"
    return f"{minutes} мин назад"


def stuck_reason(t: TraineeProgress, now: dt.datetime, stuck_minutes: int, repeated: int) -> str:
    """Why ``t`` may need help, or '' (a finished participant, or one who has not begun, is never stuck)."""
    if t.finished:
        return ""
    since: dt.datetime | None = None  # the last progress, else the first sign of them
    misses = 0  # refusals and wrong answers since
    events = t.events
    for at, kind, correct in events[["at", "kind", "correct"]].itertuples(index=False, name=None):
        if kind == START:
            continue
        moment = dt.datetime.fromisoformat(str(at))
        if kind == DONE or (kind == ANSWER and correct == 1):
            since, misses = moment, 0
            continue
        since = since or moment
        if kind == REFUSED or (kind == ANSWER and correct == 0):
            misses += 1
    if since is None:
        return ""
    idle = _minutes(now - since)
    reasons = []
    if misses >= repeated:
        reasons.append(f"отказов и неверных ответов подряд: {misses}")
    if idle >= stuck_minutes:
        reasons.append(f"нет продвижения {idle} мин")
    return "; ".join(reasons)


def console_data(
    folder: str | Path,
    now: dt.datetime | None = None,
    stuck_minutes: int = STUCK_MINUTES,
    repeated: int = REPEATED,
) -> ConsoleData:
    """The session as it stands: the same events and counts as ``training report``, with who is where and stuck."""
    folder = _session_folder(folder)
    now = now or dt.datetime.now()
    events = session_events(folder)
    roster = read_roster(folder)
    catalogue = default_catalogue()
    rows, stuck = [], []
    people = trainees_progress(events)
    begun_ones = [t for t in people if (t.events["kind"] != START).any()]
    for t in begun_ones:
        last = dt.datetime.fromisoformat(str(t.events["at"].max()))
        reason = stuck_reason(t, now, stuck_minutes, repeated)
        current = t.steps[t.current]
        if reason:
            stuck.append(Attention(t.trainee, t.role, reason))
        if t.finished:
            state = "все шаги пройдены"
        elif reason:
            state = f"нужна помощь: {reason}"
        else:
            state = "в работе"
        name = t.trainee
        if roster.listed and not roster.on_list(name):
            name += " (без записи)"
        rows.append(
            {
                "Участник": name,
                "Роль": catalogue.roles[t.role],
                "Шаг сейчас": f"{t.current + 1}. {catalogue[current.duty].title} ({current.duty})",
                "Пройдено": f"{t.done} из {len(t.steps)}",
                "Последнее действие": _ago(_minutes(now - last)),
                "Состояние": state,
            }
        )
    started = {t.trainee for t in begun_ones}
    # the listed who have not come, and anyone prepared (a notebook of their own) who has not begun
    absent = list(
        dict.fromkeys(
            [n for n in roster.names if n not in started] + [t.trainee for t in people if t.trainee not in started]
        )
    )
    opened = events[events["kind"] != OPENED]
    listed = sum(roster.on_list(n) for n in started)
    came = f" (из списка — {listed} из {len(roster.names)}, без записи — {len(started) - listed})"
    summary = [
        f"Участников в занятии: {len(started)}"
        + (came if roster.listed else "")
        + f"; прошли все шаги: {sum(t.finished for t in begun_ones)}; нужна помощь: {len(stuck)}.",
        f"Действий выполнено: {int((opened['kind'] == DONE).sum())}; отказов: {int((opened['kind'] == REFUSED).sum())}"
        f"; неверных ответов: {int(((opened['kind'] == ANSWER) & (opened['correct'] == 0)).sum())}.",
    ]
    return ConsoleData(
        folder,
        now,
        pd.DataFrame(rows, columns=TRAINEE_COLUMNS),
        stuck,
        absent,
        refusals_met(events, top=10),
        wrong_answers(events, top=10),
        summary,
    )


# --- the page ------------------------------------------------------------------------------------------------------

_CSS = """
<style>
.sferum-console{font-family:system-ui,sans-serif;max-width:78em;line-height:1.4}
.sferum-console p,.sferum-console li{line-height:1.4;margin:4px 0}
.sferum-console .facts{font-size:15px}
.sferum-console td:first-child{white-space:nowrap;font-weight:600}
.sferum-console table{border-collapse:collapse;margin:4px 0 14px;font-size:14px;width:100%}
.sferum-console th{background:#eceff1;text-align:left;padding:5px 8px;border-bottom:2px solid #b0bec5}
.sferum-console td{padding:5px 8px;border-bottom:1px solid #e0e0e0;vertical-align:top}
.sferum-console tr.stuck td{background:#fff3e0}
.sferum-console tr.done td{color:#1b5e20}
.sferum-console .help{background:#fff3e0;border-left:4px solid #ef6c00;padding:8px 12px;margin:8px 0}
.sferum-console .calm{background:#e8f5e9;border-left:4px solid #2e7d32;padding:8px 12px;margin:8px 0}
.sferum-console .muted{color:#607d8b}
</style>
"""


def _table(frame: pd.DataFrame, empty: str, row_class: list[str] | None = None) -> str:
    if frame.empty:
        return f'<p class="muted">{html.escape(empty)}</p>'
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = []
    for i, row in enumerate(frame.itertuples(index=False)):
        css = f' class="{row_class[i]}"' if row_class and row_class[i] else ""
        body.append(f"<tr{css}>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def console_html(data: ConsoleData) -> str:
    """The console page for one look at the session (static HTML: it also serves as a snapshot)."""
    parts = [
        _CSS,
        '<div class="sferum-console">',
        f"<h2>Занятие «{html.escape(data.folder.name)}»</h2>",
        f'<p class="muted">Обновлено в {data.at:%H:%M:%S}, обновляется само.</p>',
        *(f'<p class="facts">{html.escape(line)}</p>' for line in data.summary),
    ]
    if data.stuck:
        items = "".join(f"<li><b>{html.escape(a.trainee)}</b> — {html.escape(a.reason)}</li>" for a in data.stuck)
        parts.append(f'<div class="help"><b>Нужна помощь</b><ul style="margin:4px 0">{items}</ul></div>')
    elif len(data.trainees):
        parts.append('<div class="calm">Все участники продвигаются: помощь пока никому не нужна.</div>')
    classes = [
        "stuck" if s.startswith("нужна помощь") else "done" if s == "все шаги пройдены" else ""
        for s in data.trainees["Состояние"]
    ]
    parts += ["<h3>Кто на каком шаге</h3>", _table(data.trainees, "Пока никто не начал занятие.", classes)]
    if data.absent:
        parts.append(f'<p class="muted">Ещё не начали ({len(data.absent)}): {html.escape(", ".join(data.absent))}.</p>')
    parts += [
        "<h3>Чаще всего встречались отказы</h3>",
        _table(data.refusals, "Отказов пока не было."),
        "<h3>Чаще всего выбирали неверные ответы</h3>",
        _table(data.wrong, "Неверных ответов пока не было."),
        "</div>",
    ]
    return "".join(parts)


class Console:
    """The console as a widget: one HTML view, read again on each tick of a hidden ``Play`` widget.

    The browser keeps the time (the ``Play`` ticks every ``seconds`` while the page is open), so a closed page
    stops the refreshes and its kernel goes idle and is culled like a participant's; a thread in the kernel would
    keep it busy for ever.
    """

    def __init__(
        self,
        folder: str | Path,
        seconds: float = REFRESH_SECONDS,
        stuck_minutes: int = STUCK_MINUTES,
        repeated: int = REPEATED,
    ) -> None:
        import ipywidgets as w

        self.folder = Path(folder)
        self.stuck_minutes, self.repeated = stuck_minutes, repeated
        self.view = w.HTML()
        self.tick = w.Play(
            interval=max(1000, int(seconds * 1000)),
            min=0,
            max=10**9,
            repeat=True,
            show_repeat=False,
            layout=w.Layout(display="none"),
        )
        # a Play starts ticking only when its view sees «playing» turn on: turn it on once a page shows it
        self.tick._view_count = 0  # the page reports the views it makes of the widget
        self.tick.observe(self._shown, "_view_count")
        self.tick.observe(lambda _: self.refresh(), "value")
        self.widget = w.VBox([self.view, self.tick])
        self.refresh()

    def _shown(self, change: dict[str, Any]) -> None:
        if change["new"] and not self.tick.playing:
            self.tick.playing = True

    def refresh(self) -> None:
        try:
            data = console_data(self.folder, stuck_minutes=self.stuck_minutes, repeated=self.repeated)
            self.view.value = console_html(data)
        except SferumError as exc:
            self.view.value = f"<p><b>Пульт не может прочитать занятие:</b> {html.escape(str(exc))}</p>"
        except Exception:  # a store mid-write or a bug: the next tick tries again, the details go to the terminal
            traceback.print_exc(file=sys.__stderr__)


def console_view(
    session: str = "",
    seconds: float = REFRESH_SECONDS,
    stuck_minutes: int = STUCK_MINUTES,
    repeated: int = REPEATED,
) -> Any:
    """What the console notebook shows: the live console of ``session`` (else of the served one, else an example)."""
    from sferum_lib.ui import SESSION_ENV

    folder = session or os.environ.get(SESSION_ENV)
    if not folder:
        from sferum_lib.training.sessions import example_session

        folder = str(example_session(tempfile.mkdtemp(prefix="sferum-console-")))
    return Console(folder, seconds, stuck_minutes, repeated).widget


# --- serving it ----------------------------------------------------------------------------------------------------


def serve_console(folder: str | Path, port: int = 8867, ip: str = "127.0.0.1", token: str | None = None) -> Any:
    """Start Voilà on the console notebook for a session folder (a :class:`sferum_lib.app.Server`).

    The same process as ``sferum app`` (``python -m sferum_lib.app``: Russian error pages, no tracebacks), with
    the console's notebook and title; beyond the loopback a token is required.
    """
    import subprocess

    from sferum_lib import app
    from sferum_lib.ui import SESSION_ENV

    folder = _session_folder(folder)
    app._check_port(ip, port)
    if token is None and not app.is_loopback(ip):
        token = secrets.token_urlsafe(18)
    runtime = Path(tempfile.mkdtemp(prefix="sferum-console-"))
    env = {
        **os.environ,
        SESSION_ENV: str(folder),
        app.PLACES_ENV: str(CONSOLE_PLACES),
        app.TITLE_ENV: CONSOLE_TITLE,
        "JUPYTER_PATH": os.pathsep.join(p for p in (str(app.DATA_DIR), os.environ.get("JUPYTER_PATH", "")) if p),
        "JUPYTER_RUNTIME_DIR": str(runtime),
        app.RUNTIME_ENV: str(runtime),
    }
    process = subprocess.Popen(
        app.voila_command("admin", port, ip, token, runtime, NOTEBOOK),
        env=env,
        start_new_session=True,
        preexec_fn=app._die_with_parent if sys.platform.startswith("linux") else None,
    )
    host = "localhost" if app.is_loopback(ip) else app.public_address(ip)
    url = f"http://{host}:{port}/" + (f"?token={token}" if token else "")
    return app.Server(process, url, token, runtime, CONSOLE_PLACES, audience="console")
