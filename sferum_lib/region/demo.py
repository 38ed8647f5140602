"""A demonstration region: N varied organisations' workbooks, as they would arrive by email.

Each organisation is the demo's generator with its own seed, size, name and diligence: some keep their
pupils and parents in the chats, some lag behind, so the region's ranking and spread have something to show.
Two sets are written: «месяц назад» and «сейчас», so importing both gives every organisation a trend.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from sferum_lib.model import Snapshot

TOWNS = (
    "Керчь",
    "Феодосия",
    "Ялта",
    "Евпатория",
    "Симферополь",
    "Алушта",
    "Судак",
    "Джанкой",
    "Саки",
    "Бахчисарай",
    "Армянск",
    "Красноперекопск",
    "Белогорск",
    "Старый Крым",
)
KINDS = (
    ("Центр научно-технического творчества", "ЦНТТ"),
    ("Дом детского творчества", "ДДТ"),
    ("Центр детского творчества", "ЦДТ"),
    ("Станция юных техников", "СЮТ"),
    ("Центр дополнительного образования", "ЦДО"),
)
EARLIER, NOW = "месяц назад", "сейчас"


def _naming(index: int) -> tuple[str, str, str, str]:
    """Full name, short name, town and file stem of the organisation number ``index`` (from 0), all distinct."""
    kind, abbr = KINDS[index % len(KINDS)]
    town = TOWNS[(index // len(KINDS)) % len(TOWNS)]
    number = index // (len(KINDS) * len(TOWNS)) + 1
    suffix = f" № {number}" if number > 1 else ""
    full = f"Муниципальное бюджетное учреждение дополнительного образования «{kind}{suffix}» г. {town}"
    short = f"МБУДО «{abbr}{suffix}» {town}"
    stem = f"{index + 1:03d} {town} {abbr}{' ' + str(number) if number > 1 else ''}"
    return full, short, town, stem


def organisation(index: int, size: int | None, seed: int, as_of: dt.date) -> Snapshot:
    """The ``index``-th organisation of the region: its own name, seed and diligence."""
    from sferum_lib.demo import generate

    rng = np.random.default_rng([seed, index])
    snapshot = generate(size, seed + index, as_of)
    full, short, town, _ = _naming(index)
    org = dataclasses.replace(snapshot.organisation, full_name=full, short_name=short, city=town)
    # diligence: the share of chat memberships and of joined pupils an organisation has kept up
    keep = rng.uniform(0.45, 1.0)
    members = snapshot.members
    members = members[rng.random(len(members)) < keep].reset_index(drop=True)
    pupils = snapshot.pupils
    lost = rng.random(len(pupils)) > rng.uniform(0.6, 1.0)
    pupils = pupils.assign(joined=pupils["joined"].mask(lost))
    return dataclasses.replace(snapshot.with_tables(members=members, pupils=pupils), organisation=org)


def _earlier(snapshot: Snapshot, as_of: dt.date) -> Snapshot:
    """The demo's month-earlier organisation, without the parents whose only children arrived since.

    (A parent must have a child in the workbook; in a small organisation all of a parent's children may be new.)
    """
    from sferum_lib.demo import earlier

    before = earlier(snapshot, as_of)
    gone = set(before.parents["id"]) - set(before.kinship["parent_id"])
    if not gone:
        return before
    drop = lambda t, col: t[~t[col].isin(gone)].reset_index(drop=True)  # noqa: E731
    return before.with_tables(
        parents=drop(before.parents, "id"),
        members=drop(before.members, "person_id"),
        requests=drop(before.requests, "applicant_id"),
    )


def sizes(n: int, mean: int | None, seed: int) -> list[int | None]:
    """Organisation sizes around ``mean`` people (lognormal, as real ones are): a few large, many small."""
    if mean is None:
        return [None] * n
    rng = np.random.default_rng(seed)
    raw = rng.lognormal(0.0, 0.5, n)
    return [max(40, round(mean * v / raw.mean())) for v in raw]


def write_one(index: int, out: str, people: int | None, seed: int, as_of: dt.date, history: bool) -> str:
    """Write organisation ``index``'s workbook (and its month-earlier one); a task a Dask worker can run."""
    from sferum_lib.workbook.writer import export_snapshot

    folder = Path(out)
    snapshot = organisation(index, people, seed, as_of)
    stem = _naming(index)[3]
    path = folder / NOW / f"{stem}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    export_snapshot(snapshot, path)
    if history:
        before = folder / EARLIER / f"{stem}.xlsx"
        before.parent.mkdir(parents=True, exist_ok=True)
        export_snapshot(_earlier(snapshot, as_of), before)
    return str(path)


def write_region(
    out: str | Path,
    n: int,
    size: int | None = None,
    seed: int = 135,
    as_of: dt.date | None = None,
    history: bool = True,
    run: Any = None,
) -> list[Path]:
    """Write ``n`` organisations' workbooks into ``out/сейчас`` (and ``out/месяц назад``); return the current ones.

    ``run`` (a :class:`~sferum_lib.region.cluster.Runner`) writes them in parallel; by default, here.
    """
    from sferum_lib.region.cluster import Runner

    day = as_of or dt.date.today()
    people = sizes(n, size, seed)
    written = (run or Runner()).map(
        write_one, list(range(n)), [str(out)] * n, people, [seed] * n, [day] * n, [history] * n
    )
    return [Path(p) for p in written]


def _books(n: int) -> str:
    """«Книга 1 организации», «Книги 3 организаций», «Книги 21 организации»: the numeral agrees with its noun."""
    from sferum_lib.render import _plural

    return f"{'Книга' if n == 1 else 'Книги'} {n} {_plural(n, 'организации', 'организаций', 'организаций')}"


def run_region_demo(out: str | Path, n: int, size: int | None, seed: int, as_of: dt.date | None) -> int:
    """``sferum demo --region N``: write the workbooks and say how to import them."""
    import sys

    written = write_region(out, n, size, seed, as_of)
    folder = Path(out)
    print(
        f"{_books(len(written))}: «{folder / NOW}» и месяцем раньше — «{folder / EARLIER}».", file=sys.stderr
    )
    print(
        f'Дальше: sferum --store регион region import "{folder / EARLIER}"  ·  '
        f'sferum --store регион region import "{folder / NOW}"  ·  sferum --store регион region report',
        file=sys.stderr,
    )
    for path in written:
        print(path)
    return 0
