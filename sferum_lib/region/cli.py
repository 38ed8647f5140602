"""``sferum region …``: the command-line view of the region; everything it decides lives in the region package."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2


def _options(p: argparse.ArgumentParser, *, as_of: bool = True, fmt: bool = True) -> None:
    from sferum_lib.cli import _date, _positive

    p.add_argument("--store", metavar="ПАПКА", help="папка региона (по умолчанию sferum-region)")
    p.add_argument(
        "--scheduler",
        metavar="АДРЕС",
        help="планировщик Dask, например tcp://10.0.0.5:8786; без него — локальный кластер на ядрах компьютера",
    )
    p.add_argument("--workers", type=_positive, metavar="N", help="исполнителей локального кластера (по числу ядер)")
    if as_of:
        p.add_argument("--as-of", type=_date, metavar="ГГГГ-ММ-ДД", help="дата проверки (по умолчанию сегодня)")
    if fmt:
        p.add_argument("--format", choices=("table", "json"), default="table", help="вид вывода: таблица или JSON")


def add_parser(sub: Any) -> None:
    """Register ``region`` and its commands on the ``sferum`` parser's subcommands."""
    p = sub.add_parser("region", help="регион: книги многих организаций — загрузка, аудит, показатели, отчёт (Dask)")
    inner = p.add_subparsers(dest="region_command", metavar="ДЕЙСТВИЕ", title="действия", parser_class=type(p))
    inner.required = True
    q = inner.add_parser(
        "import", help="загрузить все книги папки: у каждой организации своё хранилище в папке региона"
    )
    q.add_argument("folder", metavar="ПАПКА", help="папка с книгами .xlsx или папками CSV, по одной на организацию")
    q.add_argument("--errors-to", metavar="ПАПКА", help="куда писать копии книг с ошибками (папка_региона/ошибки)")
    _options(q, as_of=False)
    q = inner.add_parser("audit", help="аудит всех организаций региона")
    _options(q)
    q = inner.add_parser("indicators", help="показатели всех организаций региона")
    _options(q)
    q = inner.add_parser("report", help="отчёт по региону: HTML для руководителя, XLSX — строка на организацию")
    _options(q, fmt=False)
    q.add_argument("--out", metavar="ПАПКА", default="out/region", help="папка для результатов (out/region)")


def _plain(value: Any) -> Any:
    from sferum_lib.reports.artifacts import plain

    return plain(value)


def _print_json(data: Any) -> None:
    """The data as JSON, as the reports write theirs (NaN and NaT as null, numpy numbers as numbers).

    A region's findings (hundreds of thousands) are plain already: they are dumped as they are, and only an
    odd value goes through the reports' conversion; a NaN, which the dump refuses, sends everything through it.
    """
    try:
        text = json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False, default=_plain)
    except ValueError:
        from sferum_lib.reports.artifacts import plain

        text = json.dumps(plain(data), ensure_ascii=False, indent=1)
    sys.stdout.write(text + "\n")


def _as_of(args: argparse.Namespace) -> dt.date:
    return getattr(args, "as_of", None) or dt.date.today()


def cmd_region(args: argparse.Namespace) -> int:
    from sferum_lib.region.cluster import runner
    from sferum_lib.region.core import find_workbooks, region_dir, region_stores

    command = args.region_command
    # the user's mistakes are found before a cluster is started or reached: at once, and in Russian
    if command == "import":
        find_workbooks(args.folder)
        if args.store and Path(args.store).exists():
            region_dir(args.store)  # a file (one organisation's store) is refused
    else:
        region_stores(region_dir(args.store))
    with runner(args.scheduler, args.workers) as run:
        if command == "import":
            return _import(args, run)
        if command == "report":
            return _report(args, run)
        return _audit(args, run)


def _import(args: argparse.Namespace, run: Any) -> int:
    from sferum_lib.region.core import import_region, import_summary, region_dir

    outcomes = import_region(args.folder, args.store, run, args.errors_to)
    for line in import_summary(outcomes, region_dir(args.store)):
        print(line, file=sys.stderr)
    if args.format == "json":
        _print_json([dataclasses.asdict(o) for o in outcomes])
    if any(o.internal for o in outcomes):
        return EXIT_FAILURE
    return EXIT_OK if all(o.accepted for o in outcomes) else EXIT_BAD_INPUT


def _audit(args: argparse.Namespace, run: Any) -> int:
    from sferum_lib.checks import CHECKS_BY_KEY
    from sferum_lib.region.core import audit_region, findings_records, indicators_by_org
    from sferum_lib.region.tables import audit_table, indicators_table

    day = _as_of(args)
    results = audit_region(args.store, day, run)
    if args.region_command == "audit":
        for r in results:
            for key, why in r.not_performed.items():
                print(f"{r.organisation}: не проверено — {CHECKS_BY_KEY[key].title} ({why})", file=sys.stderr)
        if args.format == "json":
            _print_json(findings_records(results))
        else:
            print(audit_table(results, day))
    elif args.format == "json":
        _print_json(indicators_by_org(results))
    else:
        print(indicators_table(results, day))
    return EXIT_OK


def _report(args: argparse.Namespace, run: Any) -> int:
    from sferum_lib.region.report import build_region_report, write_region_report

    data = build_region_report(args.store, _as_of(args), run)
    paths = write_region_report(data, args.out)
    for line in data.summary:
        print(line, file=sys.stderr)
    print(
        f"Отчёт по региону: {Path(paths['html']).resolve()} (таблица — {Path(paths['xlsx']).resolve()})",
        file=sys.stderr,
    )
    print(Path(paths["html"]).resolve())
    return EXIT_OK


def demo(args: argparse.Namespace) -> int:
    """``sferum demo --region N --out DIR``: N organisations' workbooks (``--size`` is their mean size)."""
    from sferum_lib.region.demo import run_region_demo

    return run_region_demo(args.out, args.region, args.size, args.seed, args.as_of)
