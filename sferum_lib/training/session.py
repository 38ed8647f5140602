"""A trainee working through a role's steps on their own practice organisation.

:class:`Training` performs a step's procedure as the step's persona, answers self-check questions and keeps every
event (done, answer, refused) in the sandbox's store — so closing the notebook or restarting the kernel loses
nothing. Each role starts from a practice organisation set up so that its first step is possible (a teacher
finds a link to the «Учительская» waiting), and the world reacts to some steps (a teacher joins by the link the
administrator has just created).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sferum_lib.errors import SferumError, UsageError
from sferum_lib.model import Snapshot
from sferum_lib.procedures import Refused, State, Workspace
from sferum_lib.regulation import default_catalogue
from sferum_lib.sandbox import Sandbox
from sferum_lib.training.content import steps_for
from sferum_lib.training.steps import STEPS, Step, personas, practice_sections, steps_in

ROLES = tuple(STEPS)
DONE, ANSWER, REFUSED, START = "done", "answer", "refused", "start"
#: The trainee opened a step (the methodist's console shows where each one is).
OPENED = "opened"


@dataclass(frozen=True)
class Feedback:
    ok: bool
    text: str
    duty: str | None = None
    clause: str | None = None


@dataclass(frozen=True)
class StepProgress:
    performed: bool
    answers: tuple[bool | None, ...]  # per question: None not answered, else the latest answer was right

    def complete(self, step: Step) -> bool:
        return (step.procedure is None or self.performed) and all(a is True for a in self.answers)


def step_progress(steps: list[Step], events: pd.DataFrame) -> list[StepProgress]:
    """Each step's progress from one trainee's events in one role (the store's ``training_events`` rows, in order).

    Plain Python over the rows: a session's console reads every trainee's every few seconds.
    """
    performed: set[str] = set()
    latest: dict[tuple[str, str], bool] = {}  # (duty, question) -> the latest answer was right
    for duty, kind, detail, correct in events[["duty", "kind", "detail", "correct"]].itertuples(index=False, name=None):
        if kind == DONE:
            performed.add(duty)
        elif kind == ANSWER:
            latest[(duty, str(detail).partition(":")[0])] = bool(correct)
    return [
        StepProgress(step.duty in performed, tuple(latest.get((step.duty, str(i))) for i in range(len(step.questions))))
        for step in steps
    ]


def _do(ws: Workspace, key: str, actor: str, day: dt.date, **params: Any) -> Any:
    return ws.perform(key, actor=actor, day=day, **params).object


def _invite(ws: Workspace, admin: str, day: dt.date, target: str, role: str) -> str:
    return _do(ws, "issue_invite", admin, day, target=target, role=role)


def _token(ws: Workspace, invite_id: str) -> str:
    invites = ws.state().invites
    return invites.loc[invites["id"] == invite_id, "token"].iloc[0]


def _platform(ws: Workspace, p: dict[str, str], day: dt.date) -> None:
    """The set-up every role but the administrator's and the head's finds done."""
    state = ws.state()
    phone = state.staff.loc[state.staff["id"] == p["admin"], "phone"].iloc[0]
    _do(ws, "appoint_administrator", p["head"], day, staff_id=p["admin"], order_number="1")
    _do(ws, "send_application", p["admin"], day)
    _do(ws, "register_administrator", p["admin"], day, phone=phone)
    _do(ws, "create_teachers_room", p["admin"], day)
    for code in practice_sections(state)["code"]:
        _do(ws, "create_class", p["admin"], day, section=code)


def _teacher_with_chat(ws: Workspace, p: dict[str, str], day: dt.date, chat_type: str, role: str) -> None:
    """The section's teacher joins and makes a chat; a link into it waits for the trainee, and a wrong one too."""
    state = ws.state()
    attended = set(state.enrolments.loc[state.enrolments["pupil_id"] == p["pupil"], "section_code"])
    sections = practice_sections(state)
    other = sections[~sections["code"].isin(attended)].iloc[0]  # a chat the trainee must not join
    link = _invite(ws, p["admin"], day, "Учительская", "педагог")  # one link serves both teachers
    for teacher in dict.fromkeys([p["teacher"], other["teacher_id"]]):
        _do(ws, "join_by_invite", teacher, day, person_id=teacher, invite=_token(ws, link))
    _do(ws, "annul_invite", p["admin"], day, invite_id=link)  # the teachers have joined: the link is closed
    own = _do(ws, "create_chat", p["teacher"], day, chat_type=chat_type, name="Наше объединение", section=p["section"])
    foreign = _do(
        ws,
        "create_chat",
        other["teacher_id"],
        day,
        chat_type=chat_type,
        name=f"{other['name']} (чужое объединение)",
        section=other["code"],
    )
    _invite(ws, other["teacher_id"], day, f"чат:{foreign}", role)
    _invite(ws, p["teacher"], day, f"чат:{own}", role)


def _set_up(ws: Workspace, role: str, day: dt.date) -> None:
    p = personas(ws.state())
    if role == "admin":
        _do(ws, "file_request", p["pupil"], day, person_id=p["pupil"], role="обучающийся")
    elif role in ("pdo", "ped"):
        _platform(ws, p, day)
        _invite(ws, p["admin"], day, "Учительская", "педагог")
    elif role == "student":
        _platform(ws, p, day)
        _teacher_with_chat(ws, p, day, "section-students", "обучающийся")
    elif role == "parent":
        _platform(ws, p, day)
        _teacher_with_chat(ws, p, day, "section-parents", "родитель")


def _said(ws: Workspace, person_id: str, masculine: str, feminine: str, neutral: str) -> str:
    """A line about a persona that agrees with their gender (``{who}`` is their name)."""
    return State(ws.state(), dt.date.today()).said(person_id, masculine, feminine, neutral)


def _react(ws: Workspace, role: str, step: Step, performed: Any, day: dt.date) -> str:
    """What the practice organisation does in answer to a step; returns a Russian line to show, or ''."""
    p = personas(ws.state())
    if step.duty == "ADM-07":
        invite = ws.state().invites.set_index("id").loc[performed.object]
        if invite["target"] == "Учительская" and invite["role"] == "педагог":
            teacher = p["teacher"]
            try:
                ws.perform("join_by_invite", actor=teacher, day=day, person_id=teacher, invite=invite["token"])
                ws.perform("start_verification", actor=teacher, day=day, staff_id=teacher)
            except Refused:
                return ""
            return _said(
                ws,
                teacher,
                "Педагог {who} присоединился по вашей ссылке и начал верификацию статуса «педагог»: "
                "завершите её на шаге ADM-11.",
                "Педагог {who} присоединилась по вашей ссылке и начала верификацию статуса «педагог»: "
                "завершите её на шаге ADM-11.",
                "Педагог {who}: присоединение по вашей ссылке и начатая верификация статуса «педагог» — "
                "завершите её на шаге ADM-11.",
            )
    if step.procedure == "start_verification" and step.duty in ("HEAD-04", "PDO-02", "PED-02"):
        try:
            ws.perform("confirm_status", actor=p["admin"], day=day, staff_id=p[step.actor])
        except Refused:
            return ""
        return _said(
            ws,
            p["admin"],
            "Администратор платформы {who} завершил верификацию: подтверждён статус «педагог».",
            "Администратор платформы {who} завершила верификацию: подтверждён статус «педагог».",
            "Администратор платформы ({who}) завершает верификацию: подтверждён статус «педагог».",
        )
    if step.duty == "HEAD-02":
        _do(ws, "send_application", p["admin"], day)
        state = ws.state()
        phone = state.staff.loc[state.staff["id"] == p["admin"], "phone"].iloc[0]
        _do(ws, "register_administrator", p["admin"], day, phone=phone)
        _do(ws, "create_teachers_room", p["admin"], day)
        _do(ws, "create_channel", p["admin"], day, name="Общий")
        _invite(ws, p["admin"], day, "Учительская", "педагог")
        return _said(
            ws,
            p["admin"],
            "Администратор {who} зарегистрировался, создал «Учительскую», канал «Общий» и прислал вам ссылку.",
            "Администратор {who} зарегистрировалась, создала «Учительскую», канал «Общий» и прислала вам ссылку.",
            "Администратор ({who}): регистрация пройдена, «Учительская» и канал «Общий» созданы, ссылка для вас "
            "готова.",
        )
    return ""


class Training:
    """One trainee, one role, one practice organisation in ``<session>/<trainee>/<role>.db``."""

    def __init__(self, session: str | Path, trainee: str, role: str, day: dt.date | None = None) -> None:
        if role not in STEPS:
            raise UsageError(f"Неизвестная роль «{role}». Роли: {', '.join(STEPS)}.")
        self.role, self.trainee = role, trainee
        self.day = day or dt.date.today()
        self.sandbox = Sandbox(session, trainee, role)
        if not self.sandbox.exists():
            self._make()
        # the texts cite the regulation in the edition the (practice) organisation has in force
        # the steps of the content in use for this session (a methodist's recorded copy, else the shipped files)
        self.steps = steps_in(steps_for(role, session), self.state().organisation.regulation_edition)

    def _make(self) -> None:
        Sandbox.create(self.sandbox.folder.parent, self.trainee, start="fresh", as_of=self.day, name=self.role)
        with self.sandbox.workspace() as ws:
            _set_up(ws, self.role, self.day)
            ws.store.record_training(self.trainee, self.role, "—", START, "учебная организация подготовлена")
        self.sandbox.keep_as_start()

    # --- reading ---------------------------------------------------------------------------------------
    def state(self) -> Snapshot:
        with self.sandbox.workspace() as ws:
            return ws.state()

    def persona(self, key: str) -> str:
        return personas(self.state())[key]

    def choices(self, step: Step) -> dict[str, list[tuple[str, str]]]:
        state = self.state()
        return {f.name: f.choices(state) for f in step.fields if f.choices is not None}

    def defaults(self, step: Step) -> dict[str, str]:
        state = self.state()
        return {f.name: f.default(state) if callable(f.default) else f.default for f in step.fields}

    def progress(self) -> list[StepProgress]:
        with self.sandbox.workspace() as ws:
            events = ws.store.training_events(self.trainee, self.role)
        return step_progress(self.steps, events)

    def completed(self) -> int:
        return sum(p.complete(s) for p, s in zip(self.progress(), self.steps, strict=True))

    def current(self) -> int:
        """The first step not yet complete (or the last one when all are)."""
        for i, (p, s) in enumerate(zip(self.progress(), self.steps, strict=True)):
            if not p.complete(s):
                return i
        return len(self.steps) - 1

    # --- acting ----------------------------------------------------------------------------------------
    def perform(self, index: int, values: dict[str, Any] | None = None) -> Feedback:
        step = self.steps[index]
        if step.procedure is None:
            return Feedback(False, "На этом шаге действий нет: ответьте на вопросы.")
        params = {k: v for k, v in (values or {}).items() if v not in (None, "")}
        choices = self.choices(step)
        for f in step.fields:
            if f.name not in params:
                if f.name in choices and not choices[f.name]:
                    return Feedback(
                        False,
                        f"Выбрать «{f.label}» пока не из чего: сначала выполните шаг, который "
                        "это создаёт (вернитесь назад).",
                    )
                return Feedback(False, f"Заполните поле «{f.label}».")
        with self.sandbox.workspace() as ws:
            p = personas(ws.state())
            for key, value in step.fixed.items():
                params[key] = self.day if value == "today" else p.get(value, value)
            try:
                performed = ws.perform(step.procedure, actor=p[step.actor], day=self.day, **params)
            except Refused as exc:
                ws.store.record_training(self.trainee, self.role, step.duty, REFUSED, str(exc))
                return Feedback(False, str(exc), exc.duty, exc.clause)
            except SferumError as exc:
                return Feedback(False, str(exc))
            ws.store.record_training(self.trainee, self.role, step.duty, DONE, performed.summary)
            reaction = _react(ws, self.role, step, performed, self.day)
        text = f"Готово: {performed.summary}." + (f" {reaction}" if reaction else "")
        return Feedback(True, text, performed.duty, default_catalogue()[performed.duty].clause)

    def open(self, index: int) -> None:
        """Note that the trainee is looking at step ``index`` (for the methodist's console)."""
        from sferum_lib.store import Store

        with Store(self.sandbox.path, create=False) as store:  # no state is read: the store alone is enough
            store.record_training(self.trainee, self.role, self.steps[index].duty, OPENED, str(index + 1))

    def answer(self, index: int, question: int, option: int) -> Feedback:
        step = self.steps[index]
        q = step.questions[question]
        right = option == q.answer
        with self.sandbox.workspace() as ws:
            ws.store.record_training(self.trainee, self.role, step.duty, ANSWER, f"{question}:{option}", right)
        return Feedback(right, ("Верно. " if right else "Неверно. ") + q.explain)

    def reset(self) -> None:
        """Start the role again: the practice organisation and this role's progress go back to the start."""
        self.sandbox.reset()
        with self.sandbox.workspace() as ws:
            ws.store.forget_training(self.trainee, self.role)
            ws.store.record_training(self.trainee, self.role, "—", START, "занятие начато заново")
