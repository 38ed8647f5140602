"""The region report for the head of an education department: counts and shares only, no personal data.

One row per organisation (ranked by the mean of its indicators), the violations and remarks per duty, each
organisation's indicators across its snapshots, and two map-free charts: the spread of every indicator over the
organisations, and the share of organisations breaking each duty. Written through the reports' own artifacts
(escaped HTML, XLSX whose first table is one row per organisation, JSON).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from sferum_lib.checks import CHECKS, REMARK, VIOLATION
from sferum_lib.region.core import OrgResult, audit_region
from sferum_lib.reports.base import Chart, ReportData, Table, param_words
from sferum_lib.reports.charts import png_bytes, pyplot

NAME = "region"
TITLE = "Регион: использование платформы «Сферум» по организациям"
MEAN = "Средний показатель, %"
CHANGE = "Изменение среднего с прошлого снимка, п.п."


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _mean(values: dict[str, float | None]) -> float | None:
    known = [v for v in values.values() if v is not None]
    return round(sum(known) / len(known) * 100, 1) if known else None


def ranking(results: list[OrgResult]) -> pd.DataFrame:
    """One row per organisation, best first: people, indicators, their mean and its change, findings."""
    rows = []
    for r in results:
        violations = sum(1 for f in r.findings if f["severity"] == VIOLATION)
        previous = _mean(r.trend[-2]["indicators"]) if len(r.trend) > 1 else None
        mean = _mean(r.indicators)
        row: dict[str, Any] = {
            "Организация": r.organisation,
            "Снимок": r.snapshot,
            "Сотрудников": r.people["staff"],
            "Обучающихся": r.people["pupils"],
            "Родителей": r.people["parents"],
        }
        row |= {f"{r.titles[k]}, %": _pct(v) for k, v in r.indicators.items()}
        row |= {
            MEAN: mean,
            CHANGE: None if previous is None or mean is None else round(mean - previous, 1),
            "Нарушений": violations,
            "Замечаний": len(r.findings) - violations,
        }
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    # ties broken by fewer violations, then by name, so the order never depends on the cluster
    frame = frame.sort_values([MEAN, "Нарушений", "Организация"], ascending=[False, True, True], na_position="last")
    frame.insert(0, "Место", range(1, len(frame) + 1))
    return frame.reset_index(drop=True)


def duties(results: list[OrgResult]) -> pd.DataFrame:
    """Each check that found something: how many organisations it found it in, most widespread first."""
    from collections import Counter

    from sferum_lib.regulation import default_catalogue

    catalogue = {d.id: d for d in default_catalogue()}
    n = len(results) or 1
    # one pass over every finding of the region (hundreds of thousands at scale), not one per check
    per_org = [Counter(f["check"] for f in r.findings) for r in results]
    rows = []
    for check in CHECKS:
        counts = [c[check.key] for c in per_org]
        orgs = sum(1 for c in counts if c)
        if not orgs:
            continue
        duty = catalogue.get(check.duty)
        rows.append(
            {
                "Обязанность": check.duty,
                "Что требуется": duty.title if duty else "",
                "Проверка": check.title,
                "Пункт": check.clause,
                "Вид": check.severity,
                "Организаций": orgs,
                "Доля организаций, %": round(orgs / n * 100, 1),
                "Всего случаев": sum(counts),
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values(["Организаций", "Всего случаев"], ascending=False, kind="stable").reset_index(drop=True)


def trend(results: list[OrgResult]) -> pd.DataFrame:
    """Every organisation's indicators across its snapshots, each on the day it was loaded."""
    rows = []
    for r in results:
        for point in r.trend:
            row = {
                "Организация": r.organisation,
                "Снимок": point["snapshot"],
                "Дата": point["date"].strftime("%d.%m.%Y"),
            }
            row[MEAN] = _mean(point["indicators"])
            row |= {f"{r.titles[k]}, %": _pct(v) for k, v in point["indicators"].items()}
            rows.append(row)
    return pd.DataFrame(rows)


def spread(results: list[OrgResult]) -> pd.DataFrame:
    """Per indicator, over the organisations: the least, quartiles, median, the greatest."""
    if not results:
        return pd.DataFrame()
    rows = []
    for key, title in results[0].titles.items():
        values = pd.Series([r.indicators.get(key) for r in results], dtype=float).dropna() * 100
        q = values.quantile([0, 0.25, 0.5, 0.75, 1]).round(1) if len(values) else pd.Series([None] * 5)
        rows.append(
            {
                "Показатель": title,
                "Организаций": len(values),
                "Минимум, %": q.iloc[0],
                "Нижний квартиль, %": q.iloc[1],
                "Медиана, %": q.iloc[2],
                "Верхний квартиль, %": q.iloc[3],
                "Максимум, %": q.iloc[4],
            }
        )
    return pd.DataFrame(rows)


def spread_chart(results: list[OrgResult]) -> Chart:
    """Box plots of every indicator over the organisations, each organisation a dot."""
    import numpy as np

    plt = pyplot()
    titles = results[0].titles
    data = [[r.indicators[k] * 100 for r in results if r.indicators.get(k) is not None] for k in titles]
    fig, ax = plt.subplots(figsize=(9, 0.55 * len(titles) + 1.5))
    positions = list(range(len(titles), 0, -1))
    import matplotlib

    # Matplotlib 3.10 renamed `vert` to `orientation` and 3.11 warns about the old name
    horizontal = {"orientation": "horizontal"} if matplotlib.__version_info__ >= (3, 10) else {"vert": False}
    boxes = [d or [float("nan")] for d in data]
    ax.boxplot(boxes, positions=positions, widths=0.5, showfliers=False, **horizontal)
    rng = np.random.default_rng(0)  # the jitter is for the eye only; a fixed seed keeps the image reproducible
    for pos, values in zip(positions, data, strict=True):
        ax.scatter(values, pos + rng.uniform(-0.15, 0.15, len(values)), s=8, alpha=0.5, color="#1f5fa8")
    ax.set_yticks(positions, list(titles.values()))
    ax.set_xlim(-2, 102)
    ax.set_xlabel("%, точка — организация")
    title = f"Разброс показателей по организациям ({len(results)})"
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    return Chart("spread", title, png_bytes(fig))


def duties_chart(frame: pd.DataFrame) -> Chart:
    """Horizontal bars: the share of organisations where each check found something."""
    plt = pyplot()
    data = frame.head(15).iloc[::-1]
    fig, ax = plt.subplots(figsize=(9, 0.4 * max(len(data), 1) + 1.5))
    labels = [f"{d} · {c}" for d, c in zip(data["Обязанность"], data["Проверка"], strict=True)]
    colors = ["#c0392b" if s == VIOLATION else "#e6a23c" for s in data["Вид"]]
    ax.barh(labels, data["Доля организаций, %"], color=colors)
    ax.set_xlim(0, 100)
    ax.set_xlabel("доля организаций, %  (красное — нарушение, жёлтое — замечание)")
    title = "Нарушения и замечания по обязанностям"
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    return Chart("duties", title, png_bytes(fig))


def _num(value: float) -> str:
    """«68,6»: a Russian decimal comma in prose."""
    return f"{value:.1f}".replace(".", ",")


def _summary(results: list[OrgResult], rank: pd.DataFrame, broken: pd.DataFrame) -> list[str]:
    from sferum_lib.render import count_phrase

    people = sum(sum(r.people.values()) for r in results)
    lines = [f"Организаций: {len(results)}; людей в их последних снимках: {people}."]
    if len(rank) and rank[MEAN].notna().any():
        known = rank.dropna(subset=[MEAN])
        lines.append(
            f"Средний показатель по региону: {_num(known[MEAN].mean())} % (медиана {_num(known[MEAN].median())} %)."
        )
        # the lowest quarter, at least one and at most five, named with their mean
        low = known.tail(max(1, min(5, len(known) // 4)))
        lines.append(
            "Отстают: "
            + "; ".join(f"{o} — {_num(m)} %" for o, m in zip(low["Организация"], low[MEAN], strict=True))
            + "."
        )
    # a remark is not a violation: the most widespread of each is named apart, in its own words
    for severity, words in ((VIOLATION, "Чаще всего нарушается"), (REMARK, "Чаще всего замечания по")):
        found = broken[broken["Вид"] == severity] if len(broken) else broken
        if len(found):
            top = found.iloc[0]
            where = count_phrase(int(top["Организаций"]), "организации", "организациях", "организациях")
            lines.append(f"{words} {top['Обязанность']} «{top['Проверка']}»: в {where} из {len(results)}.")
    if len(broken) and not (broken["Вид"] == VIOLATION).any():
        lines.append("Нарушений нет ни в одной организации; есть только замечания.")
    moved = rank[CHANGE].dropna() if CHANGE in rank else pd.Series(dtype=float)
    if len(moved):
        lines.append(
            f"С прошлого снимка средний показатель вырос: организаций — {int((moved > 0).sum())}; "
            f"снизился: организаций — {int((moved < 0).sum())}."
        )
    return lines


def build_region_report(region: str | Path, as_of: dt.date, run: Any) -> ReportData:
    """Audit every organisation (on ``run``'s cluster) and assemble the report's tables and charts."""
    results = audit_region(region, as_of, run, history=True)
    rank, broken = ranking(results), duties(results)
    charts = [spread_chart(results)]
    if len(broken):
        charts.append(duties_chart(broken))
    tables = [
        Table(
            "organisations",
            "Организации по показателям",
            rank,
            "Место — по среднему из показателей; лучшие сверху.",
            fixed=2,  # «Место» and «Организация» stay in view while the indicators scroll
        ),
        Table(
            "duties",
            "Нарушения и замечания по обязанностям",
            broken,
            "«Вид» — нарушение или замечание; чаще встречающиеся сверху.",
            sheet="Нарушения по обязанностям",
        ),
        Table("spread", "Разброс показателей по организациям", spread(results), sheet="Разброс показателей"),
        Table(
            "trend",
            "Показатели по снимкам каждой организации",
            trend(results),
            "Каждый снимок — на дату загрузки.",
            sheet="Показатели по снимкам",
        ),
    ]
    params = {"store": str(Path(region).resolve()), "as_of": as_of.isoformat()}
    return ReportData(
        NAME,
        TITLE,
        f"Организаций: {len(results)}",
        as_of,
        params,
        _summary(results, rank, broken),
        tables,
        charts,
        source="последние снимки организаций",  # the header every report carries: whose data, which, what day
        store=params["store"],
    )


def write_region_report(data: ReportData, out_dir: str | Path) -> dict[str, Path]:
    """HTML, XLSX («Об отчёте», then one row per organisation), JSON and PNG charts into ``out_dir``."""
    from sferum_lib.reports.artifacts import write_all

    return write_all(data, out_dir, mask=True)  # nothing personal in it; masking is the safe default anyway


def demo_region(as_of: dt.date, seed: int = 135) -> Path:
    """A small region of demo organisations with two snapshots each, in the temporary folder, built once a day."""
    import contextlib
    import os
    import shutil
    import tempfile

    from sferum_lib.region.cluster import Runner
    from sferum_lib.region.core import import_region
    from sferum_lib.region.demo import EARLIER, NOW, write_region

    path = Path(tempfile.gettempdir()) / f"sferum-region-demo-{os.getuid()}-{seed}-{as_of.isoformat()}"
    if not path.exists():
        work = Path(tempfile.mkdtemp(prefix="sferum-region-demo-"))
        write_region(work / "книги", 3, 80, seed, as_of)
        for folder in (EARLIER, NOW):
            import_region(work / "книги" / folder, work / "регион", Runner())
        with contextlib.suppress(OSError):  # another process may build it at once: the first one wins whole
            os.replace(work / "регион", path)
        shutil.rmtree(work, ignore_errors=True)
    return path


def notebook_report(store: str, as_of: str, scheduler: str, workers: int, out_dir: str) -> tuple[ReportData, dict]:
    """What the `region` report notebook runs: parameters checked in Russian, the report built and written."""
    from sferum_lib.errors import UsageError
    from sferum_lib.region.cluster import runner
    from sferum_lib.region.core import DEFAULT_REGION

    try:
        day = dt.date.fromisoformat(as_of) if as_of else dt.date.today()
    except ValueError:
        raise UsageError(f"{param_words('as_of').capitalize()} = «{as_of}»: ожидается дата ГГГГ-ММ-ДД.") from None
    if workers < 0:
        raise UsageError(f"{param_words('workers').capitalize()} = {workers}: ожидается целое число не меньше 0.")
    notes = []
    if not store and not Path(DEFAULT_REGION).exists():
        store = str(demo_region(day))
        notes.append("Папка региона не указана и не найдена: показан демонстрационный регион.")
    with runner(scheduler or None, workers or None) as run:
        data = build_region_report(store or DEFAULT_REGION, day, run)
    data.summary = notes + data.summary
    return data, write_region_report(data, out_dir)


def show(data: ReportData) -> None:
    """Display the report in a notebook: the summary, the charts and the tables."""
    from IPython.display import Image, Markdown, display

    display(
        Markdown(
            f"## {data.title}\n\n{data.organisation}, на {data.as_of:%d.%m.%Y}\n\n"
            + "\n".join(f"* {line}" for line in data.summary)
        )
    )
    for chart in data.charts:
        display(Image(chart.png))
    for table in data.tables:
        display(Markdown(f"### {table.title}"))
        display(table.frame)
