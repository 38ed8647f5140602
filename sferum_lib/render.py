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


def _chat_type_values() -> set[str]:
    from sferum_lib.model import ChatType

    return {t.value for t in ChatType}


def _after_colon(message: str) -> str:
    """The message as the rest of a sentence after «объект:»: «Не указан приказ» → «не указан приказ». A message
    that begins with a name («Шевчук Николай …», «Родитель Орлов …») or an abbreviation («MAX …») is kept as is."""
    words = message.split(" ", 2)
    first = words[0]
    if not first[:1].isupper() or not first.isalpha() or not first[1:].islower():
        return message
    if len(words) > 1 and words[1][:1].isupper():  # «Фамилия Имя», «Родитель Фамилия»: a name follows
        return message
    return first[0].lower() + message[1:]


def finding_text(subject: str, message: str, words: Mapping[str, str] | None = None) -> str:
    """One finding as a line of text: «объект: что обнаружено», or the message alone when it names its object.

    The message names its object when it names everything the subject does (the IDs in brackets, the names in
    «»), or — a subject «section/chat type» — when it names the section: it says the chat type in its own words
    («У объединения «Хореография» нет чата с родителями», not «… — чат «объединение — родители»: У …»).
    """
    from sferum_lib.reports.content import message_words, subject_words

    words = words or {}
    shown, said = subject_words(subject, words), message_words(message, words)
    head, _, tail = str(subject).partition("/")
    named = _names_its_subject(shown, said) or (
        tail in _chat_type_values() and _names_its_subject(subject_words(head, words), said)
    )
    return said if named else f"{shown}: {_after_colon(said)}"


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
                text = f"{mark} {finding_text(row.subject, row.message, words)}"
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
        counted = (
            ("нет листов " if len(item.missing) > 1 else "нет листа ") + ", ".join(f"«{s}»" for s in item.missing)
            if item.missing
            else f"{item.numerator} из {item.denominator}"
        )
        lines.append(f"  {item.title:<{title_width}}  {value:>10}  ({counted})")
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
