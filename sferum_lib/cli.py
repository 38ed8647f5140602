"""The ``sferum`` command: a light wrapper over the library, speaking Russian.

Exit codes: 0 done; 2 bad input or usage (a Russian message on stderr, nothing written); 1 anything else.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sqlite3
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# Kept out of every command: rfc3987_syntax builds a grammar at import (2.7 s here) when nbformat/jupyter imports
# jsonschema, and nothing here validates IRIs (see sferum_lib.reports.kernels.keep_out_slow_imports).
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

from sferum_lib.errors import InputFileError, SferumError, UsageError, visible  # noqa: E402
from sferum_lib.region import cli as region_cli  # noqa: E402

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
#: At most this many problems are printed; the rest go to the --errors-to copy.
MAX_PRINTED_PROBLEMS = 300

# argparse speaks English through gettext; these are its messages that a user can meet, in Russian.
_ARGPARSE_RU = {
    "usage: ": "Использование: ",
    "positional arguments": "аргументы",
    "options": "параметры",
    "show this help message and exit": "показать эту справку и выйти",
    "%(prog)s: error: %(message)s\n": "%(prog)s: ошибка: %(message)s\n",
    "the following arguments are required: %s": "не указаны обязательные аргументы: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "неизвестное значение %(value)r (возможны: %(choices)s)",
    "unrecognized arguments: %s": "неизвестные аргументы: %s",
    "expected one argument": "ожидается одно значение",
    "expected at least one argument": "ожидается хотя бы одно значение",
    "expected at most one argument": "ожидается не больше одного значения",
    "invalid %(type)s value: %(value)r": "недопустимое значение %(value)r",
    "argument %(argument_name)s: %(message)s": "аргумент %(argument_name)s: %(message)s",
    "ambiguous option: %(option)s could match %(matches)s": "неоднозначный параметр %(option)s: подходят %(matches)s",
    "not allowed with argument %s": "нельзя вместе с %s",
    "one of the arguments %s is required": "нужен один из аргументов %s",
    "show program's version number and exit": "показать версию и выйти",
}


def _ru(message: str) -> str:
    return _ARGPARSE_RU.get(message, message)


def _ru_n(singular: str, plural: str, n: int) -> str:
    return {"expected %s argument": "ожидается значений: %s", "expected %s arguments": "ожидается значений: %s"}.get(
        singular if n == 1 else plural, singular if n == 1 else plural
    )


argparse._ = _ru  # type: ignore[attr-defined]
argparse.ngettext = _ru_n  # type: ignore[attr-defined]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        missing = [
            f"{a.metavar}: {', '.join(map(str, a.choices))}"
            for a in self._actions
            if not a.option_strings
            and a.choices
            and isinstance(a.metavar, str)
            and a.metavar in message
            and not isinstance(a, argparse._SubParsersAction)
        ]
        if missing and "обязательные" in message:  # the usage line names the argument, not the values it takes
            message += " (" + "; ".join(missing) + f"; подробнее: {self.prog} --help)"
        raise UsageError(message)


#: The first day an ``--as-of`` may name: the platform and the regulation are younger; an earlier day is a typo.
FIRST_AS_OF = dt.date(2015, 1, 1)
#: How far ahead ``--as-of`` may look (planning the next school year); further is a typo.
AS_OF_AHEAD_DAYS = 2 * 366


def _date(text: str) -> dt.date:
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            day = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        last = dt.date.today() + dt.timedelta(days=AS_OF_AHEAD_DAYS)
        if not FIRST_AS_OF <= day <= last:
            raise argparse.ArgumentTypeError(
                f"«{text}» — дата вне разумных пределов; ожидается день от {FIRST_AS_OF:%d.%m.%Y} "
                f"до {last:%d.%m.%Y}, например {dt.date.today():%Y-%m-%d}"
            )
        return day
    raise argparse.ArgumentTypeError(f"«{text}» — не дата; ожидается ГГГГ-ММ-ДД, например 2026-10-15")


#: No snapshot number, day count or size the commands take comes near this: past it a number is a typo.
MAX_NUMBER = 1_000_000_000
#: The demo is measured up to a million people; ten times that still fits a big machine.
MAX_DEMO_PEOPLE = 10_000_000


def _positive(text: str, limit: int = MAX_NUMBER) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"«{text}» — не целое число") from None
    if value < 1:
        raise argparse.ArgumentTypeError("ожидается целое число не меньше 1")
    if value > limit:
        raise argparse.ArgumentTypeError(f"«{text}» — слишком большое число (наибольшее — {limit})")
    return value


def _people(text: str) -> int:
    return _positive(text, MAX_DEMO_PEOPLE)


def _common(
    parser: argparse.ArgumentParser,
    *,
    as_of: bool = True,
    snapshot: bool = False,
    fmt: bool = False,
    demo: bool = False,
) -> None:
    parser.add_argument(
        "--store", metavar="ПУТЬ", help="файл хранилища (по умолчанию $SFERUM_STORE или sferum.db в текущей папке)"
    )
    if demo:
        parser.add_argument(
            "--demo",
            action="store_true",
            help="вместо своего хранилища взять демонстрационную организацию (вымышленный ЦНТТ)",
        )
    if as_of:
        parser.add_argument(
            "--as-of", type=_date, metavar="ГГГГ-ММ-ДД", help="дата, на которую проверять (по умолчанию сегодня)"
        )
    if snapshot:
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--snapshot", type=_positive, metavar="N", help="номер снимка (по умолчанию последний)")
        which.add_argument("--state", action="store_true", help="взять рабочее состояние (после действий по журналу)")
    if fmt:
        parser.add_argument("--format", choices=("table", "json"), default="table", help="вид вывода: таблица или JSON")


def _key_values(parser: argparse.ArgumentParser, help_text: str) -> None:
    """`-p ИМЯ ЗНАЧЕНИЕ`, repeatable, as papermill spells it."""
    parser.add_argument(
        "-p", dest="params", nargs=2, action="append", default=[], metavar=("ИМЯ", "ЗНАЧЕНИЕ"), help=help_text
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="sferum",
        description="Сферум-практикум: работа и обучение по положению об использовании платформы «Сферум» — "
        "проверки, действия, отчёты, документы, занятия.",
        epilog="Коды завершения: 0 — готово; 2 — ошибка во входных данных или в команде; 1 — иная ошибка.",
    )
    # the common options may also stand before the command: `sferum --store x.db audit`
    parser.add_argument("--store", dest="global_store", metavar="ПУТЬ", help="файл хранилища (для любой команды)")
    parser.add_argument(
        "--as-of",
        dest="global_as_of",
        type=_date,
        metavar="ГГГГ-ММ-ДД",
        help="дата, на которую проверять (для любой команды)",
    )
    sub = parser.add_subparsers(dest="command", metavar="КОМАНДА", title="команды", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("template", help="записать пустую книгу с инструкцией и выпадающими списками")
    p.add_argument("out", metavar="КНИГА.xlsx", help="куда записать шаблон")
    p.add_argument("--replace", action="store_true", help="заменить файл, если он уже есть")

    p = sub.add_parser("import", help="проверить книгу (или папку CSV) и сохранить её как новый снимок")
    p.add_argument("path", metavar="ПУТЬ", help="книга .xlsx или папка с файлами .csv")
    p.add_argument("--errors-to", metavar="ОШИБКИ.xlsx", help="при ошибках записать копию книги с выделенными ячейками")
    p.add_argument(
        "--renamed",
        action="store_true",
        help="организация переименована: принять книгу, хотя её полное наименование не то, что в хранилище",
    )
    _common(p, as_of=False)

    p = sub.add_parser("export", help="записать снимок обратно в книгу Excel")
    p.add_argument("out", metavar="КНИГА.xlsx", help="куда записать книгу")
    p.add_argument("--replace", action="store_true", help="заменить файл, если он уже есть")
    _common(p, as_of=False, snapshot=True, demo=True)

    p = sub.add_parser("snapshots", help="перечислить снимки в хранилище")
    _common(p, as_of=False, fmt=True, demo=True)

    p = sub.add_parser("audit", help="аудит соответствия положению")
    _common(p, snapshot=True, fmt=True, demo=True)
    p.add_argument(
        "--invite-max-age-days",
        type=_positive,
        default=7,
        metavar="ДНЕЙ",
        help="через сколько дней неиспользованная ссылка считается невостребованной (7)",
    )
    p.add_argument(
        "--request-max-age-days",
        type=_positive,
        default=3,
        metavar="ДНЕЙ",
        help="через сколько дней заявка считается нерассмотренной (3)",
    )
    p.add_argument("--all", action="store_true", help="в таблице показать все замечания, а не первые 10 по проверке")

    p = sub.add_parser("indicators", help="показатели использования платформы")
    _common(p, snapshot=True, fmt=True, demo=True)

    p = sub.add_parser("movement", help="прибывшие и выбывшие между двумя снимками")
    p.add_argument("--from", dest="first", type=_positive, required=True, metavar="N", help="номер прежнего снимка")
    p.add_argument("--to", dest="second", type=_positive, required=True, metavar="M", help="номер нового снимка")
    _common(p, fmt=True, demo=True)

    p = sub.add_parser("duties", help="обязанности по положению (каталог)")
    p.add_argument(
        "--role", metavar="РОЛЬ", help="только обязанности этой роли (admin, head, pdo, ped, student, parent)"
    )
    p.add_argument("--format", choices=("table", "json"), default="table", help="вид вывода")
    p.add_argument(
        "--store",
        metavar="ПУТЬ",
        help="хранилище организации: тексты с её мессенджером (MAX) и пункты в её редакции положения",
    )

    p = sub.add_parser("state", help="рабочее состояние организации, которое меняют действия по положению")
    p.add_argument(
        "action",
        choices=("start",),
        metavar="ДЕЙСТВИЕ",
        help="start — начать рабочее состояние со снимка (журнал начнётся заново)",
    )
    p.add_argument("--from", dest="first", type=_positive, metavar="N", help="номер снимка (по умолчанию последний)")
    _common(p, as_of=False)

    p = sub.add_parser("do", help="выполнить действие по положению в рабочем состоянии и записать его в журнал")
    p.add_argument(
        "action",
        nargs="?",
        metavar="ДЕЙСТВИЕ",
        help="ключ действия или его русское имя (create_teachers_room или создать_учительскую); "
        "список — sferum do --list",
    )
    p.add_argument("--list", action="store_true", help="перечислить действия")
    p.add_argument(
        "--as",
        dest="actor",
        metavar="ID",
        help="кто выполняет (ID сотрудника, обучающегося или родителя); по умолчанию — администратор платформы "
        "из параметров организации, для действий руководителя — руководитель, для вступления — сам участник, "
        "для участников чата — его владелец",
    )
    p.add_argument("--day", type=_date, metavar="ГГГГ-ММ-ДД", help="дата действия (по умолчанию сегодня)")
    _key_values(p, "параметр действия; можно повторять")
    _common(p, as_of=False)

    p = sub.add_parser("journal", help="журнал выполненных действий")
    _common(p, as_of=False, fmt=True)

    p = sub.add_parser("sandbox", help="учебная организация для одного участника занятия")
    p.add_argument(
        "action",
        choices=("create", "reset"),
        metavar="ДЕЙСТВИЕ",
        help="create — создать (заново), reset — вернуть к началу",
    )
    p.add_argument("--session", required=True, metavar="ПАПКА", help="папка занятия")
    p.add_argument("--trainee", required=True, metavar="ИМЯ", help="участник занятия")
    p.add_argument(
        "--start",
        choices=("fresh", "demo"),
        default="fresh",
        help="fresh — организация до начала работы на платформе, demo — как в демо",
    )

    p = sub.add_parser("report", help="отчёт-блокнот (papermill): HTML для руководителя, XLSX и JSON")
    p.add_argument("name", nargs="?", metavar="ОТЧЁТ", help="имя отчёта или all — все отчёты; список — --list")
    p.add_argument("--list", action="store_true", help="перечислить отчёты и их параметры")
    _key_values(p, "параметр отчёта; можно повторять")
    p.add_argument("--out", metavar="ПАПКА", help="папка для результатов (по умолчанию out/reports)")
    p.add_argument(
        "--state",
        action="store_true",
        help="по рабочему состоянию организации (после действий), а не по загруженному снимку",
    )
    _common(p, demo=True)

    p = sub.add_parser("docs", help="документы из шаблонов: приказы, заявка, положение, памятки (DOCX)")
    p.add_argument("name", nargs="?", metavar="ДОКУМЕНТ", help="имя документа или all — все; список — --list")
    p.add_argument("--list", action="store_true", help="перечислить документы")
    p.add_argument("--out", metavar="ПАПКА", default="out/documents", help="папка для документов (out/documents)")
    p.add_argument(
        "--templates",
        metavar="ПАПКА",
        help="папка шаблонов (по умолчанию — templates в текущей папке, если там ваша копия, иначе шаблоны программы)",
    )
    p.add_argument("--restore-templates", action="store_true", help="вернуть исходные шаблоны (правленые — заменить)")
    _common(p, as_of=False, snapshot=True, demo=True)

    p = sub.add_parser(
        "training", help="учебные занятия: подготовить блокноты участников, следить за занятием, подвести итоги"
    )
    p.add_argument(
        "action",
        choices=("prepare", "console", "report", "content"),
        metavar="ДЕЙСТВИЕ",
        help="prepare — подготовить; console — пульт ведущего в браузере; report — итоги занятия; "
        "content — своя копия содержания обучения (--out ПАПКА)",
    )
    p.add_argument("folder", nargs="?", metavar="ПАПКА", help="папка занятия (для console и report)")
    p.add_argument("--participants", metavar="СПИСОК.xlsx", help="список участников: столбец «ФИО» (для prepare)")
    p.add_argument(
        "--role",
        choices=("admin", "head", "pdo", "ped", "student", "parent"),
        help="роль, которой учатся участники (для prepare)",
    )
    p.add_argument(
        "--out", metavar="ПАПКА", help="папка занятия (для prepare), отчёта (для report) или содержания (для content)"
    )
    p.add_argument(
        "--content", metavar="ПАПКА", help="содержание обучения из этой папки (для prepare; копия — training content)"
    )
    p.add_argument("--overwrite", action="store_true", help="заменить файлы содержания в папке (для content)")
    p.add_argument(
        "--walk-ins",
        action="store_true",
        help="пускать в приложение и тех, кого нет в списке (для prepare; в итогах они отмечены)",
    )
    from sferum_lib.app import port_number

    p.add_argument("--port", type=port_number, default=8867, metavar="ПОРТ", help="порт пульта (для console; 8867)")

    from sferum_lib import app as app_mode

    p = sub.add_parser(
        "app", help="ролевой блокнот как веб-приложение (Voilà): код скрыт, у каждого участника своё ядро"
    )
    p.add_argument(
        "role",
        choices=("admin", "head", "pdo", "ped", "student", "parent"),
        metavar="РОЛЬ",
        help="admin — администратор платформы, head — руководитель, pdo — педагог дополнительного образования, "
        "ped — педагогический работник, student — обучающийся, parent — родитель",
    )
    p.add_argument(
        "--session",
        metavar="ПАПКА",
        help="папка занятия (out/training); с --store — папка выбранных имён (рядом с хранилищем)",
    )
    p.add_argument(
        "--store",
        metavar="ПУТЬ",
        help="работа с данными организации вместо обучения: для admin — рабочее место администратора, "
        "для других ролей — дела человека, который выберет себя из списка",
    )
    p.add_argument("--port", type=app_mode.port_number, default=8866, metavar="ПОРТ", help="порт, от 1 до 65535 (8866)")
    p.add_argument(
        "--ip",
        default="127.0.0.1",
        metavar="АДРЕС",
        help="адрес; 0.0.0.0 — доступно в локальной сети (тогда адрес содержит токен)",
    )
    p.add_argument(
        "--places",
        type=app_mode.places_number,
        default=app_mode.MAX_PARTICIPANTS,
        metavar="N",
        help=f"сколько участников одновременно ({app_mode.MAX_PARTICIPANTS}); следующим — страница «мест нет»",
    )
    p.add_argument(
        "--release",
        metavar="ИМЯ",
        help="освободить имя участника (с --store — ID человека), занятое в другом браузере, и выйти",
    )
    p.add_argument("--content", metavar="ПАПКА", help="содержание обучения из этой папки (копия — training content)")
    p.add_argument(
        "--pool",
        type=app_mode.pool_number,
        metavar="N",
        help="сколько мест подготовить заранее (по умолчанию — все, с --store — два; около 115 МБ памяти каждое); "
        "0 — запускать ядро, когда участник откроет адрес",
    )

    p = sub.add_parser("seminar", help="семинар для педагогов: слайды, которые открываются без интернета")
    p.add_argument(
        "action", choices=("slides",), metavar="ДЕЙСТВИЕ", help="slides — собрать слайды (HTML и reveal.js рядом)"
    )
    p.add_argument("--out", default="out/seminar", metavar="ПАПКА", help="папка слайдов (out/seminar)")

    p = sub.add_parser("demo", help="построить демонстрационную организацию и показать её аудит и показатели")
    p.add_argument("--out", metavar="ПАПКА", default="out/demo", help="папка для результатов (out/demo)")
    p.add_argument("--size", type=_people, metavar="N", help="число людей в организации (по умолчанию около 925)")
    p.add_argument("--seed", type=int, default=135, help="начальное значение генератора (135)")
    p.add_argument("--no-reports", action="store_true", help="не строить отчёты (быстрее)")
    p.add_argument("--region", type=_positive, metavar="N", help="записать книги N разных организаций (для региона)")
    _common(p)
    region_cli.add_parser(sub)
    return parser


def _store(args: argparse.Namespace, create: bool = False, readonly: bool = False):
    from sferum_lib.store import Store

    return Store(args.store, create=create, readonly=readonly)


def _load(args: argparse.Namespace) -> tuple[str, Any]:
    """The snapshot the command works on, and how to name it: «снимок № N» or «рабочее состояние»."""
    with _store(args, readonly=True) as store:
        if getattr(args, "state", False):
            return "рабочее состояние", store.state()
        number = args.snapshot or store.latest()
        return f"снимок № {number}", store.snapshot(number)


def _default_store() -> Path:
    from sferum_lib.store import default_store_path

    return default_store_path()


def _shown(text: object) -> str:
    """A message or a name for the terminal: each line through :func:`visible`, so no raw control character
    (an escape sequence hidden in a file name or a cell) reaches the terminal; the line breaks stay."""
    return "\n".join(visible(line) for line in str(text).split("\n"))


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def _as_of(args: argparse.Namespace) -> dt.date:
    return args.as_of or dt.date.today()


def cmd_template(args: argparse.Namespace) -> int:
    from sferum_lib.workbook.writer import write_template

    _check_new_file(args.out, args.replace)
    path = write_template(args.out)
    print(f"Шаблон книги записан: {path}", file=sys.stderr)
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from sferum_lib.identity import check_same_organisation
    from sferum_lib.workbook.importer import build_snapshot
    from sferum_lib.workbook.reader import read_source

    sheets = read_source(args.path, progress=sys.stderr.isatty())
    try:
        result = build_snapshot(sheets, args.path, progress=sys.stderr.isatty())
    except InputFileError as exc:
        if args.errors_to:
            from sferum_lib.workbook.writer import write_errors_copy

            write_errors_copy(args.path, sheets, exc.problems + exc.warnings, args.errors_to)
            exc.errors_copy = args.errors_to  # type: ignore[attr-defined]
        raise
    for warning in result.warnings:
        print(f"Предупреждение: {warning}", file=sys.stderr)
    with _store(args, create=True) as store:
        incoming = result.snapshot.organisation
        check_same_organisation(store.organisation(), incoming, str(store.path), renamed=args.renamed)
        number = store.add_snapshot(result.snapshot, str(Path(args.path).name), result.rows)
        where = store.path
    s = result.snapshot
    print(
        f"Снимок № {number} сохранён в «{where}»: сотрудников {len(s.staff)}, объединений {len(s.sections)}, "
        f"обучающихся {len(s.pupils)}, родителей {len(s.parents)}, чатов {len(s.chats)}.",
        file=sys.stderr,
    )
    print(number)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from sferum_lib.workbook.writer import export_snapshot

    _check_new_file(args.out, args.replace)
    source, snapshot = _load(args)
    export_snapshot(snapshot, args.out)
    print(f"Записано в книгу {args.out} ({source}).", file=sys.stderr)
    return EXIT_OK


def cmd_snapshots(args: argparse.Namespace) -> int:
    with _store(args, readonly=True) as store:
        items = store.snapshots()
    if args.format == "json":
        _print_json([item.__dict__ for item in items])
        return EXIT_OK
    if not items:
        print("В хранилище нет снимков.")
    for item in items:
        print(
            f"№ {item.number:<4} {_when(item.imported_at)}  {_shown(item.organisation)}  из «{_shown(item.source)}»"
            + (f"  (строк: {item.rows})" if item.rows else "")
        )
    return EXIT_OK


def _when(stamp: str) -> str:
    """A stored ISO moment as Russians write it: 30.11.2026 08:54."""
    try:
        return f"{dt.datetime.fromisoformat(stamp):%d.%m.%Y %H:%M}"
    except ValueError:
        return stamp


def cmd_audit(args: argparse.Namespace) -> int:
    from sferum_lib.checks import CHECKS_BY_KEY, AuditSettings, audit
    from sferum_lib.render import audit_table
    from sferum_lib.reports.content import words_of

    source, snapshot = _load(args)
    settings = AuditSettings(args.invite_max_age_days, args.request_max_age_days)
    result = audit(snapshot, _as_of(args), settings)
    for key, why in result.not_performed.items():
        print(f"Не проверено: {CHECKS_BY_KEY[key].title} ({why})", file=sys.stderr)
    if args.format == "json":
        _print_json(result.to_records())
    else:
        per_check = None if args.all else 10
        print(audit_table(result, snapshot.organisation, source, per_check=per_check, words=words_of(snapshot)))
    return EXIT_OK


def cmd_indicators(args: argparse.Namespace) -> int:
    from sferum_lib.checks import indicators
    from sferum_lib.render import indicators_table

    source, snapshot = _load(args)
    items = indicators(snapshot, _as_of(args))
    if args.format == "json":
        _print_json({i.key: i.value for i in items})
    else:
        print(indicators_table(items, snapshot.organisation, _as_of(args), source))
    return EXIT_OK


def cmd_movement(args: argparse.Namespace) -> int:
    from sferum_lib.checks import movement
    from sferum_lib.render import movement_table
    from sferum_lib.reports.base import check_movement_order
    from sferum_lib.reports.content import moved_names

    check_movement_order(args.first, args.second)
    with _store(args, readonly=True) as store:
        before, after = store.snapshot(args.first), store.snapshot(args.second)
    moves = movement(before, after, _as_of(args))
    if args.format == "json":
        _print_json(moves)
    else:
        print(movement_table(moves, args.first, args.second, _as_of(args), moved_names(before, after, moves)))
    return EXIT_OK


def cmd_duties(args: argparse.Namespace) -> int:
    from sferum_lib.regulation import default_catalogue

    catalogue = default_catalogue()
    if args.store:  # the organisation's catalogue: its messenger's name, its edition's numbers
        with _store(args, readonly=True) as store:
            organisation = (store.state() if store.has_state() else store.snapshot(store.latest())).organisation
        catalogue = catalogue.for_organisation(organisation)
    duties = catalogue.for_role(args.role) if args.role else list(catalogue)
    if args.format == "json":
        _print_json([{**d.__dict__, "citation": d.citation} for d in duties])
        return EXIT_OK
    for duty in duties:  # the ID is a column to find a duty by; the text is the regulation's own words
        print(f"{duty.id:<9} {catalogue.roles[duty.role]}: {duty.title} ({duty.citation})")
        print(textwrap.fill(duty.text, width=100, initial_indent=" " * 10, subsequent_indent=" " * 10))
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from sferum_lib.demo import run_demo

    if args.region:
        return region_cli.demo(args)
    return run_demo(
        out=Path(os.path.abspath(args.out)),
        size=args.size,
        seed=args.seed,
        store=args.store,
        as_of=args.as_of,
        reports=not args.no_reports,
    )


def cmd_state(args: argparse.Namespace) -> int:
    with _store(args) as store:
        number = args.first or store.latest()
        store.start_state(store.snapshot(number), f"снимок № {number}", keep_journal=True)
    print(f"Рабочее состояние начато со снимка № {number}; журнал прежних действий сохранён.", file=sys.stderr)
    return EXIT_OK


_DATE_PARAMS = {"date", "order_date", "valid_until", "when"}
_LIST_PARAMS = {"sections", "children"}
_INT_PARAMS = {"max_age_days"}


def _param(name: str, value: str) -> Any:
    if name in _DATE_PARAMS:
        return _date(value)
    if name in _LIST_PARAMS:
        return [item.strip() for item in value.replace(",", ";").split(";") if item.strip()]
    if name in _INT_PARAMS:
        return _positive(value)
    return value


def cmd_do(args: argparse.Namespace) -> int:
    from sferum_lib.procedures import PROCEDURES, State, Workspace
    from sferum_lib.procedures.params import ACTION_NAMES, action_key, describe, english_name

    if args.list or not args.action:
        for key, proc in sorted(PROCEDURES.items()):
            print(f"{key:<26} {proc.title} ({', '.join(proc.duties)})")
            print(f"{'':<26} по-русски: {ACTION_NAMES.get(key, key)}")
            print(f"{'':<26} параметры: {describe(key)}")
        return EXIT_OK
    action = action_key(args.action)
    if action is None:
        raise UsageError(f"Неизвестное действие «{args.action}». Список: sferum do --list")
    try:
        named = [(english_name(action, name), value) for name, value in args.params]
        params = {name: _param(name, value) for name, value in named}
    except argparse.ArgumentTypeError as exc:
        raise UsageError(str(exc)) from None
    day = args.day or dt.date.today()
    with _store(args) as store:
        performed = Workspace(store).perform(action, actor=args.actor, day=day, **params)
        state = store.state()
        who = "выполняет " + State(state, day).who(performed.actor)
    if performed.default_actor:  # nobody was named: say who was taken to act, and how to name another
        who += f" ({performed.default_actor}; другого исполнителя укажите: --as ID)"
    from sferum_lib.regulation import default_catalogue

    cited = default_catalogue()[performed.duty].cited(state.organisation.regulation_edition)
    print(f"Выполнено ({cited}) — {who}: {performed.summary}", file=sys.stderr)
    if performed.object:
        print(performed.object)
    return EXIT_OK


def cmd_journal(args: argparse.Namespace) -> int:
    from sferum_lib.render import journal_table

    with _store(args, readonly=True) as store:
        journal = store.journal()
        edition = store.state().organisation.regulation_edition if store.has_state() else None
    if args.format == "json":
        _print_json(journal.to_dict(orient="records"))
    else:
        print(journal_table(journal, edition))
    return EXIT_OK


def cmd_sandbox(args: argparse.Namespace) -> int:
    from sferum_lib.sandbox import Sandbox

    if args.action == "create":
        box = Sandbox.create(args.session, args.trainee, start=args.start)
    else:
        box = Sandbox(args.session, args.trainee)
        box.reset()
    print(f"Учебная организация: {box.path}", file=sys.stderr)
    print(box.path)
    return EXIT_OK


_TYPE_WORDS = {"str": "текст", "int": "целое число", "bool": "да или нет"}


def _default_words(value: Any, type_name: str) -> str:
    if type_name == "bool":
        return "да" if str(value) == "True" else "нет"
    text = str(value).strip("'\"")
    if not text:
        return "пусто"
    return f"«{text}»" if type_name == "str" else text


def _list_reports() -> None:
    from sferum_lib.reports.content import SPECS
    from sferum_lib.reports.kernels import keep_out_slow_imports
    from sferum_lib.reports.runner import notebook_path

    keep_out_slow_imports()
    import papermill

    for name, spec in SPECS.items():
        print(f"{name} — {spec.title} ({', '.join(spec.duties)})")
        for param in papermill.inspect_notebook(str(notebook_path(name))).values():
            kind = param["inferred_type_name"]
            print(
                f"    -p {param['name']} ЗНАЧЕНИЕ — {param['help']} ({_TYPE_WORDS.get(kind, kind)}; "
                f"по умолчанию {_default_words(param['default'], kind)})"
            )
    print("Общие параметры можно задать и так: --store ПУТЬ, --as-of ДАТА, --out ПАПКА, --demo.")


def _report_header(out: Path, name: str) -> str:
    """«ЦНТТ · снимок № 2 (загружен 15.10.2026) · на 15.10.2026», read back from the report's own JSON."""
    try:
        meta = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        day = dt.date.fromisoformat(meta["as_of"])
        parts = [meta["organisation"], meta["source"]]
        if not str(meta["source"]).endswith(f"на {day:%d.%m.%Y}"):  # «рабочее состояние на …» names its day
            parts.append(f"на {day:%d.%m.%Y}")
        return " · ".join(p for p in parts if p)
    except (OSError, ValueError, KeyError, TypeError):
        return "что показывает отчёт — не удалось прочитать его JSON"


def cmd_report(args: argparse.Namespace) -> int:
    from sferum_lib.reports.content import REPORTS, SPECS
    from sferum_lib.reports.runner import ReportFailed, check_store, run_all, run_report

    if args.list or not args.name:
        _list_reports()
        return EXIT_OK
    if args.name != "all" and args.name not in SPECS:
        raise UsageError(f"Неизвестный отчёт «{args.name}». Отчёты: {', '.join(SPECS)}, all; список — --list.")
    region = args.name != "all" and SPECS[args.name].region
    params = dict(args.params)
    for name in ("store", "out_dir"):
        if params.get(name):  # given with -p: relative to this folder, like --store and --out
            params[name] = os.path.abspath(params[name])
    if args.store:
        params["store"] = args.store
    if not region:  # a region report without --store takes sferum-region (or the demonstration region)
        params["store"] = params.get("store") or str(_default_store())
    if args.as_of:
        params["as_of"] = args.as_of.isoformat()
    if args.state:
        params["state"] = True
    default_out = "out/region" if region else "out/reports"
    out = Path(args.out or params.pop("out_dir", None) or os.path.abspath(default_out))
    params.pop("out_dir", None)
    check_store(params, region=region)  # no store, or not a store: one clear refusal before any kernel starts
    if args.name != "all":
        try:
            result = run_report(args.name, params, out)
        except ReportFailed as exc:
            print(_shown(exc), file=sys.stderr)
            print(f"Отчёт «{args.name}» не построен (подробности выше).", file=sys.stderr)
            return EXIT_BAD_INPUT if exc.user_error else EXIT_FAILURE
        html = out / f"{args.name}.html"
        print(html)
        header = _report_header(out, args.name)
        seconds = f"{result.seconds:.1f}".replace(".", ",")
        print(f"Отчёт «{SPECS[args.name].title}» готов за {seconds} с: {header}.", file=sys.stderr)
        print(f"Откройте: {html}", file=sys.stderr)
        return EXIT_OK
    from tqdm import tqdm

    with tqdm(total=len(REPORTS), desc="Отчёты", unit=" отч.", file=sys.stderr, disable=not sys.stderr.isatty()) as bar:
        done, failed = run_all(params, out, on_done=lambda name, error: bar.update())
    for failure in failed:
        print(_shown(failure), file=sys.stderr)
    for result in sorted(done, key=lambda r: r.name):
        print(out / f"{result.name}.html")
    # the last lines are the verdict: what was built, of which data, what failed and where everything is
    if done:
        print(f"Данные отчётов: {_report_header(out, sorted(done, key=lambda r: r.name)[0].name)}.", file=sys.stderr)
    print(f"Готово отчётов: {len(done)} из {len(REPORTS)}; папка: {out}", file=sys.stderr)
    if failed:
        names = ", ".join(sorted(f.name for f in failed))
        print(f"ОШИБКА: не построено отчётов — {len(failed)} ({names}); причины — выше.", file=sys.stderr)
        return EXIT_BAD_INPUT if all(f.user_error for f in failed) else EXIT_FAILURE
    return EXIT_OK


def cmd_docs(args: argparse.Namespace) -> int:
    from sferum_lib.documents import DOCUMENTS, PROGRAM_TEMPLATES, MissingData, make_document, templates_dir
    from sferum_lib.documents.defaults import write_default_templates

    folder = Path(args.templates) if args.templates else templates_dir()
    if args.restore_templates:
        if not args.templates and folder == PROGRAM_TEMPLATES:
            folder = Path(os.path.abspath("templates"))  # the user's own copy, beside their work, not the program's
        for path in write_default_templates(folder, overwrite=True):
            print(f"Восстановлен шаблон: {path}", file=sys.stderr)
        print(
            f"Шаблоны для правки — в папке «{folder}»: документы, составленные из этой папки, берут их оттуда.",
            file=sys.stderr,
        )
        return EXIT_OK
    if args.list or not args.name:
        for name, spec in DOCUMENTS.items():
            print(f"{name:<14} {spec.title} ({', '.join(spec.duties[:3])}{'…' if len(spec.duties) > 3 else ''})")
        if folder == PROGRAM_TEMPLATES:
            print(
                f"Шаблоны: исходные шаблоны программы ({folder}). Чтобы править их, запишите свою копию: "
                "sferum docs --restore-templates (появится папка templates в текущей папке).",
                file=sys.stderr,
            )
        else:
            print(f"Шаблоны: {folder}", file=sys.stderr)
        return EXIT_OK
    names = list(DOCUMENTS) if args.name == "all" else [args.name]
    if args.name != "all" and args.name not in DOCUMENTS:
        raise UsageError(f"Неизвестный документ «{args.name}». Документы: {', '.join(DOCUMENTS)}.")
    _source, snapshot = _load(args)
    refused, done = [], []
    for name in names:
        try:
            made = make_document(name, snapshot, args.out, folder)
        except MissingData as exc:
            refused.append(exc)
            continue
        done.append(made)
        print(made.path)
        for blank in made.blanks:
            print(f"  {name}: оставлено пустым для заполнения от руки — {blank}", file=sys.stderr)
    if args.name == "all":  # which of the set were made and which not, and why, said last
        from sferum_lib.documents import summary

        for line in summary(done, refused):
            print(_shown(line), file=sys.stderr)
    else:
        for exc in refused:
            print(f"Ошибка: {_shown(exc)}", file=sys.stderr)
    return EXIT_BAD_INPUT if refused else EXIT_OK


def cmd_training(args: argparse.Namespace) -> int:
    from sferum_lib.training.sessions import prepare_session, read_participants, session_report

    if args.action == "content":
        from sferum_lib.training.content import write_content

        if not args.out:
            raise UsageError("Укажите папку для содержания обучения: sferum training content --out ПАПКА")
        for path in write_content(args.out, overwrite=args.overwrite):
            print(path)
        print(
            "Файлы содержания обучения записаны — по одному на роль. Правьте их в текстовом редакторе; занятие "
            f"с ними: sferum training prepare … --content {args.out} или sferum app РОЛЬ --content {args.out}",
            file=sys.stderr,
        )
        return EXIT_OK
    if args.action == "prepare":
        if not (args.participants and args.role and args.out):
            raise UsageError("Для подготовки занятия укажите --participants СПИСОК.xlsx --role РОЛЬ --out ПАПКА.")
        if args.content:
            from sferum_lib.training.content import CONTENT_ENV, load_content

            load_content(args.content)  # every mistake of the methodist's files, before anything is written
            os.environ[CONTENT_ENV] = str(Path(args.content).resolve())
        names = read_participants(args.participants)
        for item in prepare_session(names, args.role, args.out, walk_ins=args.walk_ins):
            print(item.notebook)
        if args.content:
            from sferum_lib.training.content import record_content

            record_content(args.out, args.content)
        print(
            f"Подготовлено участников: {len(names)}. Каждому — свой блокнот и своя учебная организация в "
            f"{Path(args.out).resolve()}. "
            + ("Участники не из списка тоже смогут войти. " if args.walk_ins else "В приложение войдут только они. ")
            + f"Пульт: sferum training console {args.out}; итоги: sferum training report {args.out}",
            file=sys.stderr,
        )
        return EXIT_OK
    if not args.folder:
        raise UsageError(f"Укажите папку занятия: sferum training {args.action} ПАПКА")
    from sferum_lib.training.content import CONTENT_ENV, content_folder

    recorded = content_folder(args.folder)  # the steps the participants learnt are the ones counted and shown
    if recorded is not None:
        os.environ[CONTENT_ENV] = str(recorded)
    if args.action == "console":
        return _training_console(args)
    from sferum_lib.reports.artifacts import write_all

    data = session_report(args.folder)
    paths = write_all(data, args.out or args.folder, mask=False)
    print(paths["html"])
    for line in data.summary:
        print(_shown(line), file=sys.stderr)
    return EXIT_OK


def _training_console(args: argparse.Namespace) -> int:
    from sferum_lib import app as app_mode
    from sferum_lib.training.console import console_data, serve_console

    console_data(args.folder)  # a folder that is not a session is refused before Voilà starts
    server = serve_console(args.folder, args.port)
    try:
        app_mode.wait_ready(server, "127.0.0.1", args.port)
    except BaseException:
        app_mode.stop(server)
        raise
    print(f"Пульт ведущего: {server.url}", flush=True)
    print(f"Папка занятия: {Path(args.folder).resolve()}. Остановить — Ctrl+C.", flush=True)
    return app_mode.run(server)


def cmd_app(args: argparse.Namespace) -> int:
    from sferum_lib import app as app_mode

    store = Path(args.store).resolve() if args.store else None
    if args.session:
        session = Path(args.session).resolve()
    elif store is not None:  # who chose which name on a work page: beside the store, apart from any training
        session = store.parent / f"{store.name}.браузеры"
    else:
        session = Path("out/training").resolve()
    if args.release is not None:
        freed = app_mode.release(session, args.release)
        print(
            f"Имя «{args.release}» освобождено: первый браузер, в котором его выберут, продолжит работу."
            if freed
            else f"Имя «{args.release}» не было занято ни одним браузером в папке {session}."
        )
        return EXIT_OK
    if store is not None:
        app_mode.work_notebook_for(args.role)  # refuse an unknown role before anything starts
        if not store.parent.is_dir():
            raise UsageError(f"Папки «{store.parent}» для хранилища нет: создайте её или укажите другой путь.")
    if args.content:  # the kernels inherit the environment: their training reads the methodist's files
        from sferum_lib.training.content import CONTENT_ENV, load_content

        load_content(args.content)  # the methodist's mistakes now, in the terminal, not in each participant's page
        os.environ[CONTENT_ENV] = str(Path(args.content).resolve())
    pool = app_mode.default_pool(args.places, store is not None) if args.pool is None else args.pool
    server = app_mode.serve(args.role, session, args.port, args.ip, places=args.places, store=store, pool=pool)
    try:
        app_mode.wait_ready(server, args.ip, args.port)
    except BaseException:
        app_mode.stop(server)
        raise
    print(f"Адрес {'рабочего места' if store else 'для участников'}: {server.url}", flush=True)
    if server.token:
        print("Адрес содержит токен доступа: без него страница не откроется. Раздайте адрес целиком.", flush=True)
        print("QR-код адреса (наведите камеру телефона):", flush=True)
        print(app_mode.qr_text(server.url), flush=True)
    where = f"Хранилище: {store}" if store else f"Папка занятия: {session}"
    print(
        f"Мест: {server.places}; ядро закрытой страницы освобождается через {app_mode.IDLE_MINUTES} мин. "
        f"{where}. Остановить — Ctrl+C.",
        flush=True,
    )
    if server.pool:
        print(
            f"Готовлю места заранее ({server.pool}): у каждого своё ядро, уже запущенное, чтобы первая страница "
            "открылась за секунды. Пока места готовятся, страница открывается дольше.",
            flush=True,
        )
    return app_mode.run(server)


def cmd_seminar(args: argparse.Namespace) -> int:
    from sferum_lib import seminar

    deck = seminar.build_deck(args.out)
    print(f"Слайды: {deck}")
    print(f"Работают без интернета; папку {deck.parent} можно скопировать целиком (например, на флешку).")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "template": cmd_template,
    "import": cmd_import,
    "export": cmd_export,
    "snapshots": cmd_snapshots,
    "audit": cmd_audit,
    "indicators": cmd_indicators,
    "movement": cmd_movement,
    "duties": cmd_duties,
    "state": cmd_state,
    "do": cmd_do,
    "journal": cmd_journal,
    "sandbox": cmd_sandbox,
    "report": cmd_report,
    "docs": cmd_docs,
    "training": cmd_training,
    "app": cmd_app,
    "seminar": cmd_seminar,
    "demo": cmd_demo,
    "region": region_cli.cmd_region,
}


def _report_input_error(exc: InputFileError) -> None:
    lines = exc.summary().splitlines()
    head, problems = lines[0], lines[1:]
    print(_shown(head), file=sys.stderr)
    for line in problems[:MAX_PRINTED_PROBLEMS]:
        print(_shown(line), file=sys.stderr)
    if len(problems) > MAX_PRINTED_PROBLEMS:
        print(
            f"  … и ещё {len(problems) - MAX_PRINTED_PROBLEMS}. Полный список: --errors-to ОШИБКИ.xlsx", file=sys.stderr
        )
    copy = getattr(exc, "errors_copy", None)
    if copy:
        print(f"Копия книги с выделенными ошибками: {copy}", file=sys.stderr)


#: Arguments that name files or folders: made absolute against the user's folder before anything runs.
_PATH_ARGS = ("store", "out", "path", "errors_to", "templates", "participants", "folder", "session")


def _check_new_file(out: str, replace: bool) -> None:
    """Refuse to write a book over an existing file (a filled workbook lost by a repeated command) or a folder."""
    path = Path(out)
    if path.is_dir():
        raise UsageError(f"«{visible(out)}» — папка, а нужно имя файла книги, например {visible(out)}/книга.xlsx.")
    if path.exists() and not replace:
        raise UsageError(
            f"Файл «{visible(out)}» уже есть, программа его не перезаписывает: укажите другое имя или добавьте "
            "--replace, чтобы заменить его."
        )


def _check_out_folder(out: Path) -> None:
    """Refuse an output folder that is a file (or lies under one) before anything runs."""
    for place in (out, *out.parents):
        if place.exists():
            if not place.is_dir():
                where = f"«{visible(str(out))}»" if place == out else f"«{visible(str(out))}»: «{visible(str(place))}»"
                raise UsageError(
                    f"--out {where} — файл, а нужна папка для результатов. Укажите папку (её не нужно создавать "
                    "заранее)."
                )
            return


def _resolve(args: argparse.Namespace) -> None:
    """Fill the common options given before the command, resolve every path once, and pick the demo if asked."""
    for name in ("store", "as_of"):
        if getattr(args, name, None) is None and hasattr(args, name):
            setattr(args, name, getattr(args, f"global_{name}"))
    for name in _PATH_ARGS:
        value = getattr(args, name, None)
        if isinstance(value, str) and value:
            setattr(args, name, os.path.abspath(os.path.expanduser(value)))
    if not os.environ.get("SFERUM_TEMPLATES"):
        from sferum_lib.documents import own_templates

        # the user's copy of the templates beside their work: documents and declension (also in report kernels,
        # which inherit the environment) follow it
        own = own_templates(os.getcwd())
        if own is not None:
            os.environ["SFERUM_TEMPLATES"] = str(own)
    if args.command not in ("export", "template") and isinstance(getattr(args, "out", None), str):
        _check_out_folder(Path(args.out))
    if getattr(args, "demo", False) and args.command != "demo":
        if args.store:
            raise UsageError("--demo и --store вместе не указываются: либо своё хранилище, либо демонстрационное.")
        from sferum_lib.demo import demo_store

        args.store = str(demo_store(getattr(args, "as_of", None)))
        print(
            "Демонстрационная организация (вымышленный ЦНТТ), а не ваши данные. Свои данные: sferum import КНИГА.xlsx",
            file=sys.stderr,
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``sferum``; returns the exit code.

    Everything the command writes is its owner's only (umask 077, inherited by report kernels): the files hold
    people's names, phones and emails.
    """
    from sferum_lib.files import private_umask

    umask = private_umask()
    templates = os.environ.get("SFERUM_TEMPLATES")
    args: argparse.Namespace | None = None
    try:
        args = build_parser().parse_args(argv)
        _resolve(args)
        return COMMANDS[args.command](args)
    except InputFileError as exc:
        _report_input_error(exc)
        return EXIT_BAD_INPUT
    except SferumError as exc:
        print(f"Ошибка: {_shown(exc)}", file=sys.stderr)
        return getattr(exc, "exit_code", EXIT_BAD_INPUT)
    except sqlite3.Error as exc:  # the store's own English errors, in Russian
        from sferum_lib.store import store_error

        error = store_error(exc, getattr(args, "store", None) or _default_store())
        print(f"Ошибка: {_shown(error)}", file=sys.stderr)
        return getattr(error, "exit_code", EXIT_BAD_INPUT)
    except BrokenPipeError:  # the output went to `head` or a closed pager: nothing is wrong
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps Python quiet when it flushes at exit
        return EXIT_OK
    except OSError as exc:  # a folder without rights, a file where a folder should be, a full disk
        from sferum_lib.errors import os_error_text

        text = os_error_text(exc)
        print(f"Ошибка: {text[:1].upper()}{text[1:]}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("Прервано.", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:  # a bug or the machine: say so in Russian, details only on request
        if os.environ.get("SFERUM_DEBUG"):
            raise
        print(
            f"Внутренняя ошибка ({type(exc).__name__}: {_shown(exc)}). Данные не изменены. "
            "Для подробностей запустите снова с переменной SFERUM_DEBUG=1.",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    finally:
        # main() may be called in-process (tests): leave the caller's umask and environment as they were
        os.umask(umask)
        if templates is None:
            os.environ.pop("SFERUM_TEMPLATES", None)
        else:
            os.environ["SFERUM_TEMPLATES"] = templates


if __name__ == "__main__":
    sys.exit(main())
