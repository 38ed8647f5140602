"""Training sessions for the methodist: prepare one notebook and one practice organisation per participant,
and summarise who completed what, self-check scores and the refusals met most."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sferum_lib.errors import InputFileError, Problem, UsageError
from sferum_lib.regulation import default_catalogue
from sferum_lib.reports.base import ReportData, Table
from sferum_lib.sandbox import folder_name
from sferum_lib.training.session import ANSWER, DONE, REFUSED, Training
from sferum_lib.training.steps import STEPS

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
        key = folder_name(name).lower()
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


def prepare_session(participants: list[str], role: str, out: str | Path, day: dt.date | None = None) -> list[Prepared]:
    """One practice organisation and one personalized notebook (papermill, prepare only) per participant."""
    import papermill

    from sferum_lib.reports.runner import KERNEL

    if role not in STEPS:
        raise UsageError(f"Неизвестная роль «{role}». Роли: {', '.join(STEPS)}.")
    folder = Path(out).resolve()
    source = Path(__file__).resolve().parents[2] / "notebooks" / "roles" / f"{role}.ipynb"
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


def _events(folder: Path) -> pd.DataFrame:
    from sferum_lib.store import Store

    frames = []
    for db in sorted(folder.glob("*/*.db")):
        with Store(db, create=False) as store:
            frames.append(store.training_events())
    if not frames:
        raise UsageError(f"В папке «{folder}» нет учебных организаций участников: sferum training prepare …")
    return pd.concat(frames, ignore_index=True)


def session_report(folder: str | Path, day: dt.date | None = None) -> ReportData:
    """Who completed which steps, self-check scores, the refusals met most."""
    folder = Path(folder).resolve()
    events = _events(folder)
    catalogue = default_catalogue()
    rows, steps_rows = [], []
    for (trainee, role), mine in events.groupby(["trainee", "role"], sort=True):
        training = Training(folder, trainee, role, day)
        progress = training.progress()
        complete = [p.complete(s) for p, s in zip(progress, training.steps, strict=True)]
        answers = mine[mine["kind"] == ANSWER]
        # the first answer to each question: the self-check score
        first = answers.assign(q=answers["detail"].str.split(":").str[0]).drop_duplicates(["duty", "q"])
        rows.append(
            {
                "Участник": trainee,
                "Роль": catalogue.roles[role],
                "Шагов пройдено": sum(complete),
                "Всего шагов": len(training.steps),
                "Верно с первой попытки, %": round(100 * first["correct"].mean(), 1) if len(first) else None,
                "Отказов": int((mine["kind"] == REFUSED).sum()),
            }
        )
        for step, done in zip(training.steps, complete, strict=True):
            steps_rows.append(
                {
                    "Роль": catalogue.roles[role],
                    "Шаг": step.duty,
                    "Что": catalogue[step.duty].title,
                    "Участник": trainee,
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
    refusals = (
        events[events["kind"] == REFUSED]
        .groupby("detail")
        .size()
        .sort_values(ascending=False)
        .rename("Сколько раз")
        .reset_index()
        .rename(columns={"detail": "Отказ и пункт положения"})
        .head(15)
    )
    done = int((per_trainee["Шагов пройдено"] == per_trainee["Всего шагов"]).sum())
    lead = [
        f"Участников: {len(per_trainee)}; прошли все шаги: {done}.",
        f"Действий выполнено: {int((events['kind'] == DONE).sum())}; отказов со ссылкой на положение: "
        f"{int((events['kind'] == REFUSED).sum())}.",
    ]
    return ReportData(
        "session",
        "Итоги учебного занятия",
        folder.name,
        day or dt.date.today(),
        {"session": str(folder)},
        lead,
        [
            Table("trainees", "Участники", per_trainee),
            Table("steps", "Шаги", by_step),
            Table("refusals", "Чаще всего встречались отказы", refusals),
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
