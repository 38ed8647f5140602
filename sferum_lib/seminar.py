"""Slides of the teachers' seminar, built from the duty catalogue (the regulation in fifteen minutes).

What a slide says is the regulation's own text, cited in the organisation's edition of the regulation
(``edition``: its «Редакция положения»; empty = 2023 as approved); what the platform does beyond it is marked
«на платформе: …», and the organisation's own limits are shown as its rules with the value in force.
"""

from __future__ import annotations

import html

from sferum_lib.checks import AuditSettings
from sferum_lib.regulation import Catalogue, default_catalogue
from sferum_lib.regulation.editions import cite


def _catalogue(messenger: object, edition: str | None = None) -> Catalogue:
    return default_catalogue().for_messenger(messenger).in_edition(edition)


def _table(rows: list[tuple[str, ...]], headers: tuple[str, ...]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _list(title: str, points: list[str]) -> str:
    return f"<h3>{html.escape(title)}</h3><ul>" + "".join(f"<li>{html.escape(p)}</li>" for p in points) + "</ul>"


def roles_slide(messenger: object = None, edition: str | None = None) -> str:
    """Who does what: each role with the number of its duties and the clause."""
    catalogue = _catalogue(messenger, edition)
    rows = []
    for role, title in catalogue.roles.items():
        duties = catalogue.for_role(role)
        if role in ("all", "none", "pedagogues") or not duties:
            continue
        rows.append((title, duties[0].citation, str(len(duties)), duties[0].title))
    return "<h3>Роли по положению</h3>" + _table(rows, ("Роль", "Пункт", "Обязанностей", "Первый шаг"))


def duties_slide(role: str, messenger: object = None, edition: str | None = None) -> str:
    catalogue = _catalogue(messenger, edition)
    rows = [
        (d.citation, d.title + (f" ({d.condition})" if d.conditional else ""), d.text)
        for d in catalogue.for_role(role)
    ]
    return f"<h3>{html.escape(catalogue.roles[role].capitalize())}</h3>" + _table(
        rows, ("Пункт", "Что", "Текст положения")
    )


def rights_slide(role: str = "pdo", messenger: object = None, edition: str | None = None) -> str:
    """The rights of section 3 that pedagogical staff have (3.1–3.3 every participant, 3.4 pedagogical staff)."""
    catalogue = _catalogue(messenger, edition)
    return _list("Права педагогических работников", [f"{d.text} ({d.citation})" for d in catalogue.rights_for(role)])


def order_slide(edition: str | None = None) -> str:
    """The order of the first steps, each cited in ``edition``."""

    def c(clause: str) -> str:
        return cite(clause, edition)

    points = [
        "Руководитель назначает администратора платформы приказом из числа педагогических работников; "
        f"администрация издаёт приказ об использовании платформы ({c('2.1, 2.2')}).",
        "Администратор отправляет заявку с приложением приказа, регистрируется по номеру из заявки, создаёт "
        f"«Учительскую» и, при необходимости, классы ({c('2.1')}).",
        "Педагоги присоединяются по ссылке администратора в роли «педагог»; при необходимости проходят "
        f"верификацию статуса, а администратор её завершает ({c('2.1, 2.3')}). Затем педагоги создают чаты "
        f"({c('2.3')}).",
        f"Обучающиеся присоединяются к чату по ссылке педагога ({c('абз. «Обучающийся…»')}), родители — по ссылке "
        f"педагогического работника или представителя администрации ({c('2.7')}).",
    ]
    return "<h3>Порядок имеет значение</h3><ol>" + "".join(f"<li>{html.escape(p)}</li>" for p in points) + "</ol>"


def safety_slide(
    settings: AuditSettings | None = None, messenger: object = None, edition: str | None = None
) -> str:
    """Information security: the regulation's provisions, the platform's behaviour and the organisation's rule."""
    catalogue = _catalogue(messenger, edition)
    days = (settings or AuditSettings()).invite_max_age_days
    points = [
        f"{catalogue['ADM-13'].text} ({catalogue['ADM-13'].citation})",
        f"По правилам организации ссылка невостребована, если ею не пользовались {days} дн. или истёк срок её "
        "действия; положение срока не устанавливает.",
        "На платформе: одна ссылка-приглашение служит всей группе — классу или чату, — пока её не аннулируют "
        "или не истечёт срок; поэтому невостребованные ссылки аннулируют.",
        "Чаты педагога — с обучающимися своей секции и с родителями (законными представителями) этих "
        f"обучающихся ({cite('2.3', edition)}); родители присоединяются по ссылке педагогического работника или "
        f"представителя администрации ({catalogue['PAR-01'].citation}).",
        f"Обучающийся: «{catalogue['STU-04'].text}» ({catalogue['STU-04'].citation}). Коды из СМС не сообщают никому.",
    ]
    return _list("Безопасность", points)


def max_slide() -> str:
    points = [
        "На платформе: с 2025 года «Сферум» переходит из VK Мессенджера в национальный мессенджер MAX; по "
        "сообщениям разработчика, старые чаты в VK по регионам становятся доступными только для чтения.",
        "Положение называет VK-мессенджер; в программе мессенджер — параметр организации («VK Мессенджер» или "
        "«MAX»), и при MAX все тексты говорят «MAX».",
        "Чаты объединения создают в MAX заново и приглашают участников по новым ссылкам — отчёт «Переезд "
        "из VK Мессенджера в MAX» показывает, что осталось сделать.",
    ]
    return _list("Переезд в MAX", points)
