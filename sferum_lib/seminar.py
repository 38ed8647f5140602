"""Slides of the teachers' seminar, built from the duty catalogue (the regulation in fifteen minutes).

What a slide says is the regulation's own text, cited in the organisation's edition of the regulation
(``edition``: its «Редакция положения»; empty = 2023 as approved); what the platform does beyond it is marked
«на платформе: …», and the organisation's own limits are shown as its rules with the value in force.
"""

from __future__ import annotations

import html
import importlib.util
import shutil
import tempfile
from pathlib import Path

from sferum_lib.checks import AuditSettings
from sferum_lib.errors import SferumError
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


# --- the offline deck ------------------------------------------------------------------------------------------------

#: The seminar notebook the deck is built from.
NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "seminar" / "seminar.ipynb"
#: The deck's HTML file and, beside it, the folder of reveal.js it loads (relative: the folder can be copied anywhere).
DECK_FILE = "seminar.slides.html"
REVEAL_FOLDER = "reveal.js"
#: What of reveal.js the deck uses: the script, its styles, the white theme with its font, the licence.
_REVEAL_PARTS = (
    "LICENSE",
    "dist/reveal.js",
    "dist/reveal.css",
    "dist/theme/white.css",
    "dist/theme/fonts/source-sans-pro",
)

# nbconvert's reveal template loads require.js, jQuery, mermaid and MathJax from the internet and reveal.js through
# require.js: without a network nothing moves. This template keeps its slides and styles and loads only the local
# reveal.js with a plain <script>; long tables get a smaller font and scroll inside their slide instead of overflowing.
# reveal's white theme drops the last row's bottom border, which on a slide reads as a table cut off: it is put back.
_TEMPLATE = """{%- extends 'reveal/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_css -%}
<style type="text/css">
.reveal .slides .jp-OutputArea { max-height: 590px; overflow-y: auto; padding-bottom: 2px; }
.reveal h3 { font-size: 1.2em; }
.reveal ul, .reveal ol { font-size: 0.8em; }
.reveal .jp-RenderedHTMLCommon table { font-size: 15px; line-height: 1.3; table-layout: auto; width: 100%;
  border-collapse: collapse; margin: 0; }
.reveal .jp-RenderedHTMLCommon table tr td, .reveal .jp-RenderedHTMLCommon table tr th { text-align: left;
  vertical-align: top; padding: 4px 8px; border: 1px solid #c5ccd6; max-width: none; }
.reveal .jp-RenderedHTMLCommon table tr th { background: #eef2f7; }
.reveal .jp-RenderedHTMLCommon table tbody tr:last-child td { border-bottom: 1px solid #c5ccd6; }
.reveal .jp-RenderedHTMLCommon table tr td:first-child { width: 14%; }
</style>
{%- endblock html_head_css -%}
{% block footer_js %}
<script src="{{ reveal_url_prefix }}/dist/reveal.js"></script>
<script>
Reveal.initialize({
    controls: true,
    progress: true,
    hash: true,
    transition: "{{ reveal_transition }}",
    slideNumber: "{{ reveal_number }}",
    width: {{ reveal_width }},
    height: {{ reveal_height }},
});
</script>
{% endblock footer_js %}
"""
_TEMPLATE_NAME = "sferum_deck.html.j2"


def reveal_source() -> Path:
    """The reveal.js shipped inside the installed ``sphinx-revealjs`` package (found without importing Sphinx)."""
    spec = importlib.util.find_spec("sphinx_revealjs")
    locations = list(spec.submodule_search_locations or []) if spec else []
    for location in locations:
        folder = Path(location) / "_static" / "revealjs"
        if (folder / "dist" / "reveal.js").is_file():
            return folder
    raise SferumError(
        "Не найден reveal.js для слайдов: он входит в пакет sphinx-revealjs. "
        "Установите проект заново (pip install -e .) или пакет: pip install sphinx-revealjs."
    )


def _copy_reveal(target: Path) -> None:
    source = reveal_source()
    for part in _REVEAL_PARTS:
        src, dst = source / part, target / part
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        elif src.is_file():
            shutil.copy2(src, dst)


def deck_html(notebook: Path = NOTEBOOK, timeout: int = 300) -> str:
    """Execute the seminar notebook and convert it to reveal.js slides without code, loading reveal.js locally."""
    import jinja2
    import nbformat
    from nbconvert import SlidesExporter
    from nbconvert.preprocessors import ExecutePreprocessor
    from traitlets.config import Config

    nb = nbformat.read(notebook, as_version=4)
    with tempfile.TemporaryDirectory(prefix="sferum-deck-") as cwd:
        # IPC, not TCP: no port to take, and no kernel warning about unencrypted TCP in the methodist's terminal;
        # the socket path is absolute, as the kernel runs in another folder than this process
        config = Config({"KernelManager": {"transport": "ipc", "ip": str(Path(cwd) / "kernel")}})
        executor = ExecutePreprocessor(timeout=timeout, startup_timeout=120, kernel_name="python3", config=config)
        executor.preprocess(nb, {"metadata": {"path": cwd}})
    exporter = SlidesExporter(
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        reveal_url_prefix=REVEAL_FOLDER,
        reveal_theme="white",
        extra_loaders=[jinja2.DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
        template_file=_TEMPLATE_NAME,
    )
    exporter.language_code = "ru"
    body, _ = exporter.from_notebook_node(nb)
    return body


def build_deck(out: str | Path, notebook: Path = NOTEBOOK) -> Path:
    """Write the offline deck into the folder ``out``: ``seminar.slides.html`` and reveal.js beside it.

    The folder works without the internet and from anywhere (a USB stick): every path in the page is relative.
    It is assembled in a temporary folder and put in place at the end, so a failure leaves nothing half-written.
    """
    out = Path(out).resolve()
    if out.exists() and not out.is_dir():
        raise SferumError(f"«{out}» — файл, а не папка: укажите папку для слайдов.")
    out.parent.mkdir(parents=True, exist_ok=True)
    body = deck_html(notebook)
    with tempfile.TemporaryDirectory(prefix=".deck-", dir=out.parent) as tmp:
        staging = Path(tmp) / "deck"
        staging.mkdir()
        _copy_reveal(staging / REVEAL_FOLDER)
        (staging / DECK_FILE).write_text(body, encoding="utf-8")
        out.mkdir(exist_ok=True)
        shutil.rmtree(out / REVEAL_FOLDER, ignore_errors=True)
        shutil.move(str(staging / REVEAL_FOLDER), str(out / REVEAL_FOLDER))
        (staging / DECK_FILE).replace(out / DECK_FILE)
    return out / DECK_FILE
