"""Training sessions for the methodist: prepare one notebook and one practice organisation per participant,
and summarise who completed what, self-check scores and the refusals met most."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sferum_lib.errors import InputFileError, Problem, UsageError
from sferum_lib.regulation import default_catalogue
from sferum_lib.reports.base import ReportData, Table
from sferum_lib.training.roster import key as roster_key
from sferum_lib.training.roster import read_roster, write_roster
from sferum_lib.training.session import ANSWER, DONE, OPENED, REFUSED, START, StepProgress, Training, step_progress
from sferum_lib.training.steps import STEPS, Step

NAME_HEADERS = ("фио", "участник", "фамилия имя отчество", "фамилия имя", "имя")


def read_participants(path: str | Path) -> list[str]:
    """Names from the first sheet of an XLSX (or a CSV): the column «ФИО» or «Участник», else the first one."""
    from sferum_lib.values import cell_text
    from sferum_lib.workbook.reader import read_source
    from sferum_lib.workbook.schema import normalise_header

    sheets = read_source(path)
    if not sheets:
        problem = Problem("", None, "", "", "в файле нет ни одного листа", file=Path(path).name)
        raise InputFileError(str(path), [problem])
    raw = next(iter(sheets.values()))
    headers = [normalise_header(h) for h in raw.headers]
    column = next((i for i, h in enumerate(headers) if h in NAME_HEADERS), 0)
    names, problems, seen = [], [], {}
    for i in range(len(raw)):
        name = cell_text(raw.cells.iat[i, column]) if column < raw.cells.shape[1] else None
        row = int(raw.rows[i])
        if not name:
            continue
        key = roster_key(name)  # «Петров Пётр» and «пётр петров» are one participant for the app
        if key in seen:
            problems.append(
                Problem(
                    raw.name,
                    row,
                    raw.headers[column] if raw.headers else "",
                    name,
                    f"участник повторяется (строка {seen[key]})",
                )
            )
            continue
        seen[key] = row
        names.append(" ".join(name.split()))
    if not names:
        problems.append(Problem(raw.name, None, "ФИО", "", "нет ни одного участника: нужен столбец «ФИО»"))
    if problems:
        raise InputFileError(str(path), problems)
    return names


@dataclass(frozen=True)
class Prepared:
    trainee: str
    notebook: Path
    sandbox: Path


def prepare_session(
    participants: list[str], role: str, out: str | Path, day: dt.date | None = None, walk_ins: bool = False
) -> list[Prepared]:
    """One practice organisation and one personalized notebook (papermill, prepare only) per participant.

    The list goes into the session folder: the app admits only these names, and others too with ``walk_ins``.
    """
    import papermill

    from sferum_lib.reports.runner import KERNEL

    if role not in STEPS:
        raise UsageError(f"Неизвестная роль «{role}». Роли: {', '.join(STEPS)}.")
    folder = Path(out).resolve()
    source = Path(__file__).resolve().parents[2] / "notebooks" / "roles" / f"{role}.ipynb"
    write_roster(folder, participants, walk_ins)
    prepared = []
    for name in participants:
        training = Training(folder, name, role, day)
        notebook = training.sandbox.folder / f"{role}.ipynb"
        parameters = {"mode": "обучение", "session": str(folder), "trainee": name}
        papermill.execute_notebook(
            str(source), str(notebook), parameters=parameters, prepare_only=True, kernel_name=KERNEL
        )
        _readable_parameters(notebook, parameters)
        prepared.append(Prepared(name, notebook, training.sandbox.path))
    return prepared


def _readable_parameters(notebook: Path, parameters: dict[str, str]) -> None:
    """papermill writes «\\u0418…» for Cyrillic; the trainee should read their own name in the notebook."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.source = "# Параметры участника\n" + "\n".join(f"{k} = {v!r}" for k, v in parameters.items())
    nbformat.write(nb, notebook)


def session_events(folder: str | Path) -> pd.DataFrame:
    """Every trainee's events in the session folder (each practice organisation's store, opened read-only)."""
    from sferum_lib.store import Store

    frames = []
    for db in sorted(Path(folder).glob("*/*.db")):
        with Store(db, readonly=True) as store:  # a look never migrates nor locks a participant's store
            frames.append(store.training_events())
    if not frames:
        return pd.DataFrame(columns=["seq", "at", "trainee", "role", "duty", "kind", "detail", "correct"])
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class TraineeProgress:
    """One trainee in one role, as their events tell it."""

    trainee: str
    role: str
    steps: list[Step]
    progress: list[StepProgress]
    events: pd.DataFrame  # theirs, in order

    @functools.cached_property
    def complete(self) -> list[bool]:
        return [p.complete(s) for p, s in zip(self.progress, self.steps, strict=True)]

    @property
    def done(self) -> int:
        return sum(self.complete)

    @property
    def finished(self) -> bool:
        return all(self.complete)

    @property
    def first_try(self) -> float | None:
        """Percent of questions answered right the first time (the self-check score), None before any answer."""
        answers = self.events[self.events["kind"] == ANSWER]
        first = answers.assign(q=answers["detail"].str.split(":").str[0]).drop_duplicates(["duty", "q"])
        return round(100 * first["correct"].astype(float).mean(), 1) if len(first) else None

    @property
    def refusals(self) -> int:
        return int((self.events["kind"] == REFUSED).sum())

    @functools.cached_property
    def current(self) -> int:
        """The step they are on: the one they opened last, else the first one not complete."""
        duties = [s.duty for s in self.steps]
        opened = [d for d, k in zip(self.events["duty"], self.events["kind"], strict=True) if k == OPENED]
        if opened and opened[-1] in duties:
            return duties.index(opened[-1])
        return next((i for i, c in enumerate(self.complete) if not c), len(self.steps) - 1)


def trainees_progress(events: pd.DataFrame) -> list[TraineeProgress]:
    """Each trainee's progress in each role they train for, in the order of their names."""
    result = []
    for (trainee, role), mine in events.groupby(["trainee", "role"], sort=True):
        if role not in STEPS:
            continue
        steps = STEPS[role]
        result.append(TraineeProgress(str(trainee), str(role), steps, step_progress(steps, mine), mine))
    return result


def refusals_met(events: pd.DataFrame, top: int = 15) -> pd.DataFrame:
    """The refusals met most, each with its clause (one row per distinct refusal)."""
    return (
        events[events["kind"] == REFUSED]
        .groupby("detail")
        .size()
        .sort_values(ascending=False, kind="stable")
        .rename("Сколько раз")
        .reset_index()
        .rename(columns={"detail": "Отказ и пункт положения"})
        .head(top)
    )


def wrong_answers(events: pd.DataFrame, top: int = 15) -> pd.DataFrame:
    """The wrong answers chosen most: the step, the question and the option chosen."""
    catalogue = default_catalogue()
    wrong = events[(events["kind"] == ANSWER) & (events["correct"] == 0)]
    rows = []
    for (role, duty, detail), group in wrong.groupby(["role", "duty", "detail"], sort=False):
        step = next((s for s in STEPS.get(role, []) if s.duty == duty), None)
        question, _, option = str(detail).partition(":")
        try:
            q = step.questions[int(question)] if step else None
            text, chosen = (q.text, q.options[int(option)]) if q else (f"вопрос {question}", option)
        except (ValueError, IndexError):  # a methodist's own content may ask other questions
            text, chosen = f"вопрос {int(question) + 1 if question.isdigit() else question}", option
        rows.append(
            {
                "Шаг": f"{duty} — {catalogue[duty].title}" if duty in catalogue else duty,
                "Вопрос": text,
                "Выбранный неверный ответ": chosen,
                "Сколько раз": len(group),
            }
        )
    frame = pd.DataFrame(rows, columns=["Шаг", "Вопрос", "Выбранный неверный ответ", "Сколько раз"])
    return frame.sort_values("Сколько раз", ascending=False, kind="stable").head(top).reset_index(drop=True)


def session_report(folder: str | Path, day: dt.date | None = None) -> ReportData:
    """Who completed which steps (walk-ins marked), self-check scores, the refusals and wrong answers met most."""
    folder = Path(folder).resolve()
    events = session_events(folder)
    if events.empty:
        raise UsageError(f"В папке «{folder}» нет учебных организаций участников: sferum training prepare …")
    roster = read_roster(folder)
    catalogue = default_catalogue()
    rows, steps_rows = [], []
    for t in trainees_progress(events):
        row = {"Участник": t.trainee, "Роль": catalogue.roles[t.role]}
        if roster.listed:
            row["По списку"] = "да" if roster.on_list(t.trainee) else "нет, без записи"
        rows.append(
            row
            | {
                "Шагов пройдено": t.done,
                "Всего шагов": len(t.steps),
                "Верно с первой попытки, %": t.first_try,
                "Отказов": t.refusals,
            }
        )
        for step, done in zip(t.steps, t.complete, strict=True):
            steps_rows.append(
                {
                    "Роль": catalogue.roles[t.role],
                    "Шаг": step.duty,
                    "Что": catalogue[step.duty].title,
                    "Участник": t.trainee,
                    "Пройден": done,
                }
            )
    per_trainee = pd.DataFrame(rows)
    steps = pd.DataFrame(steps_rows)
    by_step = (
        steps.groupby(["Роль", "Шаг", "Что"], sort=False)["Пройден"]
        .agg(["sum", "size"])
        .reset_index()
        .rename(columns={"sum": "Прошли", "size": "Участников"})
    )
    done = int((per_trainee["Шагов пройдено"] == per_trainee["Всего шагов"]).sum())
    lead = [
        f"Участников: {len(per_trainee)}; прошли все шаги: {done}.",
        f"Действий выполнено: {int((events['kind'] == DONE).sum())}; отказов со ссылкой на положение: "
        f"{int((events['kind'] == REFUSED).sum())}.",
    ]
    if roster.listed:
        walk_ins = int((per_trainee["По списку"] != "да").sum())
        started = set(events.loc[events["kind"] != START, "trainee"])
        absent = [n for n in roster.names if n not in started]
        lead.append(
            f"По списку: {len(roster.names)}; не начинали: {len(absent)}; без записи: {walk_ins}"
            + (" (разрешено ведущим)." if roster.walk_ins else ".")
        )
    from sferum_lib.training.scenario import scenario_report_part

    scenario_lead, scenario_tables = scenario_report_part(folder)  # who brought a practice audit to clean
    return ReportData(
        "session",
        "Итоги учебного занятия",
        folder.name,
        day or dt.date.today(),
        {"session": str(folder)},
        lead + scenario_lead,
        [
            Table("trainees", "Участники", per_trainee),
            Table("steps", "Шаги", by_step),
            Table("refusals", "Чаще всего встречались отказы", refusals_met(events)),
            Table("wrong", "Частые неверные ответы", wrong_answers(events)),
            *scenario_tables,
        ],
    )


def example_session(folder: str | Path, day: dt.date | None = None) -> Path:
    """A small session for the methodist notebook's defaults: two trainees, each met one refusal."""
    folder = Path(folder)
    teacher = Training(folder, "Иванова Мария", "pdo", day)
    teacher.perform(1)  # status before joining: refused
    teacher.perform(0, {"invite": teacher.choices(teacher.steps[0])["invite"][-1][1]})
    pupil = Training(folder, "Петров Пётр", "student", day)
    links = pupil.choices(pupil.steps[0])["invite"]
    pupil.perform(0, {"invite": links[0][1]})  # another section's chat: refused
    pupil.perform(0, {"invite": links[-1][1]})
    for training in (teacher, pupil):
        for qi, q in enumerate(training.steps[0].questions):
            training.answer(0, qi, (q.answer + 1) % len(q.options))
            training.answer(0, qi, q.answer)
    return folder
