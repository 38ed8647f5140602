"""Slides of the teachers' seminar, built from the duty catalogue (the regulation in fifteen minutes)."""

from __future__ import annotations

import html

from sferum_lib.documents.content import SAFETY
from sferum_lib.regulation import default_catalogue


def _table(rows: list[tuple[str, ...]], headers: tuple[str, ...]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def roles_slide() -> str:
    """Who does what: each role with the number of its duties and the clause."""
    catalogue = default_catalogue()
    rows = []
    for role, title in catalogue.roles.items():
        duties = catalogue.for_role(role)
        if role in ("all", "none") or not duties:
            continue
        rows.append((title, duties[0].clause.split(",")[0], str(len(duties)), duties[0].title))
    return "<h3>Роли по положению</h3>" + _table(rows, ("Роль", "Пункт", "Обязанностей", "Первый шаг"))


def duties_slide(role: str) -> str:
    catalogue = default_catalogue()
    rows = [(d.id, d.title, d.text) for d in catalogue.for_role(role)]
    return f"<h3>{html.escape(catalogue.roles[role].capitalize())}</h3>" + _table(
        rows, ("ID", "Что", "Текст положения")
    )


def safety_slide() -> str:
    rules = SAFETY["common"] + SAFETY["pdo"] + SAFETY["admin"][:1]
    return "<h3>Безопасность</h3><ul>" + "".join(f"<li>{html.escape(r)}</li>" for r in rules) + "</ul>"


def max_slide() -> str:
    points = [
        "С 2025 года «Сферум» переходит из VK Мессенджера в национальный мессенджер MAX; старые чаты VK по регионам "
        "становятся доступными только для чтения.",
        "Положение называет VK Мессенджер: в программе это параметр «Мессенджер» организации (VK Мессенджер или MAX).",
        "Чаты объединения пересоздают в MAX и заново приглашают участников по ссылкам — отчёт «max-migration» "
        "показывает, что осталось сделать.",
        "В MAX для обучающихся по умолчанию включён безопасный режим.",
    ]
    return "<h3>Переезд в MAX</h3><ul>" + "".join(f"<li>{html.escape(p)}</li>" for p in points) + "</ul>"
