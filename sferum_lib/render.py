"""Plain-text views of results for a Russian terminal: grouped, counted, aligned."""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Mapping

import pandas as pd

from sferum_lib.checks import CHECKS, CHECKS_BY_KEY, REMARK, VIOLATION, AuditResult, Indicator
from sferum_lib.model import Organisation
from sferum_lib.regulation.catalogue import cite_finding
from sferum_lib.regulation.editions import cite


def ru_date(day: dt.date) -> str:
    return day.strftime("%d.%m.%Y")


def ru_number(value: float, digits: int = 1) -> str:
    """«75,0»: a number with a Russian decimal comma, as the reports' HTML shows it."""
    return f"{value:.{digits}f}".replace(".", ",")


def _plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def count_phrase(n: int, one: str, few: str, many: str) -> str:
    """«1 нарушение», «3 нарушения», «12 нарушений»."""
    return f"{n} {_plural(n, one, few, many)}"


def _names_its_subject(subject: str, message: str) -> bool:
    """Whether the message already names everything its subject does (the IDs in brackets, the names in «»):
    then the line does not say the subject twice («Щукин Т. З. (E004): У администратора … (E004) …»)."""
    if subject and subject in message:
        return True
    marks = re.findall(r"\([^()]+\)|«[^«»]+»", subject)
    return bool(marks) and all(mark in message for mark in marks)


def audit_table(
    result: AuditResult,
    org: Organisation,
    source: str,
    width: int = 100,
    per_check: int | None = 10,
    words: dict[str, str] | None = None,
) -> str:
    """The audit grouped by clause; at most ``per_check`` findings of a check are listed (all when ``None``).

    Clauses are cited in the organisation's edition of the regulation; subjects and chat codes are said in
    ``words`` (:func:`sferum_lib.reports.content.words_of` of the snapshot) when given.
    """
    from sferum_lib.reports.content import message_words, subject_words

    words = words or {}
    counts = result.counts()
    lines = [
        f"Аудит соответствия положению — {org.short_name}, на {ru_date(result.as_of)} ({source})",
        "Итого: "
        + count_phrase(counts[VIOLATION], "нарушение", "нарушения", "нарушений")
        + ", "
        + count_phrase(counts[REMARK], "замечание", "замечания", "замечаний")
        + ".",
    ]
    findings = result.findings
    order = {c.key: i for i, c in enumerate(CHECKS)}
    for clause in sorted({c.clause for c in CHECKS}):
        group = findings[findings["clause"] == clause]
        if group.empty:
            continue
        heading = cite(clause, org.regulation_edition)
        lines += ["", heading]
        for key in sorted(group["check"].unique(), key=order.__getitem__):
            rows = group[group["check"] == key]
            check = CHECKS_BY_KEY[key]
            # a check whose duty is one paragraph of the clause names that paragraph, as the catalogue does
            precise = cite_finding(check.clause, check.duty, org.regulation_edition)
            title = check.title if precise == heading else f"{check.title} ({precise})"
            lines.append(f"  {title} — {len(rows)}")
            shown = rows if per_check is None else rows.head(per_check)
            for row in shown.itertuples(index=False):
                mark = "!" if row.severity == VIOLATION else "·"
                subject, message = subject_words(row.subject, words), message_words(row.message, words)
                text = f"{mark} {message}" if _names_its_subject(subject, message) else f"{mark} {subject}: {message}"
                lines += textwrap.wrap(text, width=width, initial_indent="    ", subsequent_indent="      ")
            if len(rows) > len(shown):
                lines.append(f"    … и ещё {len(rows) - len(shown)} (полный список: --all или --format json)")
    if findings.empty:
        lines += ["", "Нарушений и замечаний нет."]
    lines += ["", "! — нарушение, · — замечание."]
    if result.not_performed:
        lines += ["", "Не проверено (нет данных):"]
        lines += [f"  {CHECKS_BY_KEY[key].title}: {why}" for key, why in result.not_performed.items()]
    return "\n".join(lines)


def indicators_table(items: list[Indicator], org: Organisation, as_of: dt.date, source: str) -> str:
    lines = [f"Показатели — {org.short_name}, на {ru_date(as_of)} ({source})", ""]
    title_width = max(len(i.title) for i in items)
    for item in items:
        value = "нет данных" if item.value is None else f"{ru_number(item.value * 100):>5} %"
        lines.append(f"  {item.title:<{title_width}}  {value:>10}  ({item.numerator} из {item.denominator})")
    return "\n".join(lines)


#: The terminal lists at most this many IDs per group; JSON and the movement report have all of them.
MAX_IDS = 30


def movement_table(
    moves: dict[str, dict[str, list[str]]],
    first: int,
    second: int,
    as_of: dt.date,
    names: Mapping[str, str] | None = None,
) -> str:
    """Arrivals and departures between snapshots ``first`` and ``second``; reversed or equal numbers are refused
    (they would list the arrivals as departures, or nothing at all, under a heading that looks right).

    ``names`` — «Фамилия Имя Отчество» by ID (:func:`sferum_lib.reports.content.moved_names`): each person is then
    named on a line of their own, «Ивлев Пётр Ильич (E09)»; without it, the IDs only.
    """
    from sferum_lib.reports.base import check_movement_order

    check_movement_order(first, second)
    groups = {"staff": "Сотрудники", "students": "Обучающиеся"}
    lines = [f"Движение между снимками № {first} и № {second} на {ru_date(as_of)}"]
    for direction, title in (("arrived", "Прибыли"), ("departed", "Выбыли")):
        lines += ["", f"{title}:"]
        for kind, ids in moves[direction].items():
            more = f"… и ещё {len(ids) - MAX_IDS} (полный список: --format json)" if len(ids) > MAX_IDS else ""
            if names is not None and ids:
                lines.append(f"  {groups[kind]} ({len(ids)}):")
                lines += [f"    {names[i]} ({i})" if names.get(i) else f"    {i}" for i in ids[:MAX_IDS]]
                lines += [f"    {more}"] if more else []
                continue
            shown = ", ".join(ids[:MAX_IDS]) if ids else "—"
            shown += f" {more}" if more else ""
            lines += textwrap.wrap(
                f"{groups[kind]} ({len(ids)}): {shown}", width=100, initial_indent="  ", subsequent_indent="    "
            )
    return "\n".join(lines)


def journal_table(journal: pd.DataFrame, edition: str | None = None) -> str:
    """The journal of procedures, one line each: number, day, who, the clause (in ``edition``), what."""
    from sferum_lib.regulation import default_catalogue

    if journal.empty:
        return "Журнал пуст: действий ещё не было."
    catalogue = default_catalogue()
    lines = ["Журнал действий по положению", ""]
    for row in journal.itertuples(index=False):
        day = dt.date.fromisoformat(row.on_day)
        try:
            cited = catalogue[row.duty].cited(edition)
        except KeyError:  # a duty of an older catalogue: its code is all there is
            cited = str(row.duty)
        text = f"{row.seq:>4}. {ru_date(day)}  {row.actor or '—'}  ({cited})  {row.summary}"
        lines += textwrap.wrap(text, width=110, subsequent_indent="       ")
    return "\n".join(lines)
