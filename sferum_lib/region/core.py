"""A region: a folder of organisation stores, filled from a folder of workbooks, audited organisation by organisation.

Layout (the region folder, ``--store R``): one ordinary store file per organisation, ``R/<Краткое
наименование>.db``, so every single-organisation command works on it (``sferum --store R/ЦДО.db audit``), an
import of one organisation is one transaction of its own store, and organisations are imported in parallel
without waiting for each other's locks. The annotated copies of refused workbooks go to ``R/ошибки/``.

The functions named ``task_*`` run on Dask workers: module-level, importable, taking and returning small
picklable values; the snapshots stay on the worker that built them.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sferum_lib.errors import InputFileError, SferumError, StoreError, UsageError

DEFAULT_REGION = "sferum-region"
ERRORS_DIR = "ошибки"
ERRORS_SUFFIX = ".ошибки.xlsx"
#: A refused workbook is named in the summary with this many of its first errors; the copy holds them all.
FIRST_ERRORS = 3
#: Spreadsheet formats an organisation may send by mistake: refused with a hint, not silently skipped.
WRONG_FORMATS = {
    ".xls": "Excel 97–2003",
    ".ods": "OpenDocument",
    ".xlsb": "двоичная книга Excel",
    ".numbers": "Numbers",
}


# --- the region folder -----------------------------------------------------------------------------------


def region_dir(path: str | Path | None, *, create: bool = False) -> Path:
    """The region folder; refuse a file (a single organisation's store) and, unless creating, a missing folder."""
    folder = Path(path) if path else Path(DEFAULT_REGION)
    if folder.exists() and not folder.is_dir():
        raise UsageError(
            f"«{folder}» — файл, а для региона нужна папка: в ней у каждой организации своё хранилище. "
            "Укажите папку: sferum --store ПАПКА region …"
        )
    if not folder.exists():
        if not create:
            raise StoreError(
                f"Папка региона «{folder}» не найдена. Сначала загрузите книги организаций: "
                f"sferum --store {folder} region import ПАПКА_С_КНИГАМИ"
            )
        folder.mkdir(parents=True)
    return folder


def store_name(short_name: str) -> str:
    """The store file of an organisation: its short name made safe as a file name on any system."""
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", short_name).strip(" .")
    return (name[:120] or "организация") + ".db"


def region_stores(folder: Path) -> list[Path]:
    """The organisations' stores of a region, in name order; none is the user's mistake."""
    stores = sorted(p for p in folder.glob("*.db") if p.is_file())
    if not stores:
        raise StoreError(
            f"В папке региона «{folder}» нет хранилищ организаций. Загрузите книги: "
            f"sferum --store {folder} region import ПАПКА_С_КНИГАМИ"
        )
    return stores


# --- finding the workbooks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inbox:
    """What a folder of received files holds: workbooks to import, files refused at sight, files skipped."""

    sources: list[Path]
    refused: dict[Path, str]
    skipped: list[Path]


def find_workbooks(folder: str | Path) -> Inbox:
    """Every ``.xlsx`` file and every subfolder of ``.csv`` files; lock files, hidden files and our copies skipped."""
    root = Path(folder)
    if not root.exists():
        raise UsageError(f"Папка с книгами «{root}» не найдена.")
    if not root.is_dir():
        raise UsageError(
            f"«{root}» — не папка. Укажите папку, в которой лежат книги организаций (.xlsx или папки CSV)."
        )
    sources: list[Path] = []
    refused: dict[Path, str] = {}
    skipped: list[Path] = []
    for entry in sorted(root.iterdir()):
        name = entry.name
        if name.startswith((".", "~$")) or name.endswith(ERRORS_SUFFIX):
            continue
        suffix = entry.suffix.lower()
        if entry.is_dir():
            if any(f.suffix.lower() == ".csv" for f in entry.iterdir() if f.is_file()):
                sources.append(entry)
            else:
                skipped.append(entry)
        elif suffix in (".xlsx", ".xlsm"):
            sources.append(entry)
        elif suffix in WRONG_FORMATS:
            refused[entry] = f"формат «{WRONG_FORMATS[suffix]}» не принимается: сохраните книгу как .xlsx"
        else:
            skipped.append(entry)
    if not sources and not refused:
        raise UsageError(
            f"В папке «{root}» нет книг организаций: ожидаются файлы .xlsx или папки с файлами .csv "
            "(по одной на организацию)."
        )
    return Inbox(sources, refused, skipped)


# --- importing -------------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What became of one received workbook: small and picklable, it is what the summary prints."""

    source: str  # the file or folder name as received
    accepted: bool = False
    organisation: str = ""  # «Краткое наименование», once the workbook could be read
    store: str = ""  # the store file name in the region folder
    snapshot: int = 0  # the snapshot number in that store
    people: int = 0
    errors: list[str] = field(default_factory=list)  # the first errors, in Russian
    error_count: int = 0
    warning_count: int = 0
    errors_copy: str = ""  # the annotated copy of a refused workbook
    internal: bool = False  # refused by a fault of the program or the machine, not of the workbook
    full_name: str = ""  # «Полное наименование»: tells apart organisations whose short names were typed alike
    head: str = ""  # the head's «Фамилия Имя Отчество», the other sign of which organisation it is


@dataclass
class Staged:
    """A validated workbook kept on the worker that read it, until the client decides it may be stored."""

    outcome: Outcome
    result: Any = None  # sferum_lib.workbook.importer.ImportResult

    def __sizeof__(self) -> int:
        """Its memory, tables included: Dask measures a kept result with ``sys.getsizeof``, and a few bytes would
        tell its scheduler that the snapshot is free to move between workers, or to keep in any number."""
        if self.result is None:
            return object.__sizeof__(self)
        from dask.sizeof import sizeof

        return object.__sizeof__(self) + sum(sizeof(t) for t in self.result.snapshot.tables.values() if t is not None)


def task_validate(path: str, errors_dir: str) -> Staged:
    """Read and validate one workbook; on errors write its annotated copy. Runs on a worker."""
    from sferum_lib.workbook.importer import build_snapshot
    from sferum_lib.workbook.reader import read_source

    source = Path(path)
    outcome = Outcome(source.name)
    sheets: dict[str, Any] = {}
    try:
        sheets = read_source(source)
        result = build_snapshot(sheets, source.name)
    except InputFileError as exc:
        outcome.errors = [str(p) for p in exc.problems[:FIRST_ERRORS]]
        outcome.error_count = len(exc.problems)
        outcome.warning_count = len(exc.warnings)
        if sheets:  # an unreadable file has nothing to annotate
            from sferum_lib.workbook.writer import write_errors_copy

            Path(errors_dir).mkdir(parents=True, exist_ok=True)
            copy = Path(errors_dir) / f"{source.stem if source.is_file() else source.name}{ERRORS_SUFFIX}"
            write_errors_copy(source, sheets, exc.problems + exc.warnings, copy)
            outcome.errors_copy = str(copy)
        return Staged(outcome)
    except Exception as exc:  # a fault of the program: this organisation is refused, the others go on
        outcome.errors, outcome.error_count, outcome.internal = (
            [f"внутренняя ошибка ({type(exc).__name__}: {exc})"],
            1,
            True,
        )
        return Staged(outcome)
    snapshot = result.snapshot
    outcome.organisation = snapshot.organisation.short_name
    outcome.full_name = snapshot.organisation.full_name
    outcome.head = head_name(snapshot)
    outcome.store = store_name(snapshot.organisation.short_name)
    outcome.people = len(snapshot.staff) + len(snapshot.pupils) + len(snapshot.parents)
    outcome.warning_count = len(result.warnings)
    outcome.accepted = True
    return Staged(outcome, result)


def task_outcome(staged: Staged) -> Outcome:
    """The small part of a staged workbook, for the client to decide on. Runs on the worker holding it."""
    return staged.outcome


def task_save(staged: Staged, region: str, refusal: str) -> Outcome:
    """Store a validated workbook as a new snapshot of its organisation, in one transaction. Runs on a worker."""
    from sferum_lib.store import Store

    outcome = staged.outcome
    if refusal or staged.result is None:
        if refusal:
            outcome.accepted, outcome.errors, outcome.error_count = False, [refusal], 1
        return outcome
    path = Path(region) / outcome.store
    try:
        with Store(path) as store:
            known = store.snapshots()
            if known and known[-1].organisation != outcome.organisation:
                raise StoreError(
                    f"хранилище «{outcome.store}» принадлежит организации «{known[-1].organisation}», "
                    f"а в книге — «{outcome.organisation}»; уточните «Краткое наименование»"
                )
            if known:
                _check_same_organisation(store, known[-1].number, outcome, path)
            outcome.snapshot = store.add_snapshot(staged.result.snapshot, outcome.source, staged.result.rows)
    except SferumError as exc:
        outcome.accepted, outcome.errors, outcome.error_count = False, [str(exc)], 1
    except Exception as exc:
        outcome.accepted, outcome.errors, outcome.error_count = (
            False,
            [f"не сохранено ({type(exc).__name__}: {exc})"],
            1,
        )
        outcome.internal = True
    return outcome


def head_name(snapshot: Any) -> str:
    """The head's «Фамилия Имя Отчество» (empty when the workbook names no head or no such employee)."""
    from sferum_lib.model import full_name

    head = snapshot.organisation.head_id
    staff = snapshot.staff
    row = staff[staff["id"] == head] if head else staff.iloc[0:0]
    return str(full_name(row).iloc[0]) if len(row) else ""


def _same_text(a: str, b: str) -> bool:
    """Two names alike but for case, spaces, quotes and «ё»: typed by different people, they are the same."""
    from sferum_lib.identity import folded

    return folded(a) == folded(b)


def _check_same_organisation(store: Any, number: int, outcome: Outcome, path: Path) -> None:
    """Refuse a workbook whose short name is an organisation's of the region, but which is another organisation.

    The store is found by the short name only, and a short name is easily mistyped as a neighbour's: a workbook
    whose full name and head both differ from the stored organisation's is not its next snapshot. (One of the two
    may change: a renamed organisation, a new head.) Only the stored organisation is read here, not its tables,
    unless the full names differ.
    """
    import json

    row = store.con.execute("SELECT organisation FROM snapshots WHERE id = ?", (number,)).fetchone()
    stored = json.loads(row[0]) if row else {}
    stored_full = str(stored.get("full_name") or "")
    if not stored_full or _same_text(stored_full, outcome.full_name):
        return
    stored_head = head_name(store.snapshot(number))
    if stored_head and outcome.head and _same_text(stored_head, outcome.head):
        return
    raise StoreError(
        f"«Краткое наименование» «{outcome.organisation}» уже у другой организации региона: "
        f"«{stored_full}» (руководитель — {stored_head or 'не указан'}), а в книге — «{outcome.full_name}» "
        f"(руководитель — {outcome.head or 'не указан'}). Если это другая организация, исправьте в книге "
        "«Краткое наименование» на её собственное; если та же (сменились и наименование, и руководитель), "
        f"загрузите книгу отдельно: sferum --store \"{path}\" import КНИГА.xlsx --renamed"
    )


def _duplicates(outcomes: list[Outcome]) -> dict[str, str]:
    """Workbooks of one organisation received together: each refused, since which one is right is unknown."""
    by_store: dict[str, list[Outcome]] = {}
    for outcome in sorted(outcomes, key=lambda o: o.source):  # named in name order, whatever order they ran in
        if outcome.accepted:
            by_store.setdefault(outcome.store, []).append(outcome)
    refusals = {}
    for group in by_store.values():
        if len(group) > 1:
            names = ", ".join(f"«{o.source}»" for o in group)
            different = {_same_text(o.full_name, group[0].full_name) for o in group} != {True}
            for outcome in group:
                if different:  # a short name mistyped as another's: which workbook is wrong, the user knows
                    fulls = "; ".join(f"«{o.source}» — «{o.full_name}»" for o in group)
                    refusals[outcome.source] = (
                        f"у книг разных организаций одно «Краткое наименование» «{outcome.organisation}» ({fulls}): "
                        "исправьте его в книге, где оно чужое, и загрузите снова"
                    )
                    continue
                refusals[outcome.source] = (
                    f"в папке несколько книг организации «{outcome.organisation}» ({names}): "
                    "оставьте одну и загрузите снова"
                )
    return refusals


def _size(path: Path) -> int:
    """Bytes of a workbook, or of a folder's CSV files."""
    try:
        return sum(f.stat().st_size for f in path.iterdir()) if path.is_dir() else path.stat().st_size
    except OSError:
        return 0


def import_region(
    folder: str | Path, region: str | Path, run: Any, errors_to: str | Path | None = None
) -> list[Outcome]:
    """Validate every workbook of ``folder`` in parallel and store the accepted ones in the region folder.

    ``run`` is a :class:`~sferum_lib.region.cluster.Runner`. Returns one outcome per received file, by name.
    """
    inbox = find_workbooks(folder)
    target = region_dir(region, create=True)
    errors_dir = Path(errors_to) if errors_to else target / ERRORS_DIR
    # the largest first: the last tasks to finish are then small ones, and no worker waits idle for a big one
    paths = [str(p) for p in sorted(inbox.sources, key=lambda p: (-_size(p), p.name))]
    staged = run.submit_map(task_validate, paths, [str(errors_dir)] * len(paths))
    first = run.then(task_outcome, staged)
    refusals = _duplicates(first)
    outcomes = run.then(task_save, staged, [str(target)] * len(staged), [refusals.get(o.source, "") for o in first])
    outcomes += [Outcome(p.name, errors=[why], error_count=1) for p, why in inbox.refused.items()]
    return sorted(outcomes, key=lambda o: o.source)


def import_summary(outcomes: list[Outcome], region: Path) -> list[str]:
    """The Russian summary: what arrived, what was refused and why."""
    accepted = [o for o in outcomes if o.accepted]
    refused = [o for o in outcomes if not o.accepted]
    lines = [f"Принято книг: {len(accepted)} из {len(outcomes)}; хранилища организаций — в папке «{region}»."]
    for o in accepted:
        warn = f"; предупреждений: {o.warning_count}" if o.warning_count else ""
        lines.append(f"  принята «{o.source}»: {o.organisation} — снимок № {o.snapshot}, людей {o.people}{warn}")
    if refused:
        lines.append(f"Не принято книг: {len(refused)}. В хранилища они не попали; исправьте и загрузите снова.")
    for o in refused:
        lines.append(f"  не принята «{o.source}»: ошибок — {o.error_count}")
        lines += [f"    {e}" for e in o.errors]
        if o.error_count > len(o.errors):
            lines.append(f"    … и ещё {o.error_count - len(o.errors)}")
        if o.errors_copy:
            lines.append(f"    копия книги с выделенными ошибками: {o.errors_copy}")
    return lines


# --- auditing --------------------------------------------------------------------------------------------


@dataclass
class OrgResult:
    """One organisation's audit and indicators on a day (and, when asked, its indicators across snapshots)."""

    store: str
    organisation: str
    snapshot: int
    findings: list[dict[str, Any]]
    indicators: dict[str, float | None]
    people: dict[str, int]
    not_performed: dict[str, str]
    titles: dict[str, str] = field(default_factory=dict)  # indicator key → its Russian title
    trend: list[dict[str, Any]] = field(default_factory=list)


#: Each organisation's last audit, beside the stores: ``region report`` after ``region audit`` on the same day
#: (the usual order) does not audit every organisation again. Owner-only, like the stores it is made from.
#: It also keeps the indicators of the organisation's earlier snapshots, each on the day it was loaded (the
#: report's trend): snapshots never change once stored, so they are computed once, not at every report.
CACHE_DIR = ".кэш-аудита"


@functools.lru_cache(maxsize=1)
def _code_stamp() -> str:
    """Which code audited: the package's version and its newest source file, so an update invalidates the cache."""
    import sferum_lib

    package = Path(sferum_lib.__file__).parent
    newest = max((p.stat().st_mtime_ns for p in package.rglob("*") if p.suffix in (".py", ".yaml", ".md")), default=0)
    return f"{getattr(sferum_lib, '__version__', '')}:{newest}"


def _cache_path(store_path: str) -> Path:
    path = Path(store_path)
    return path.parent / CACHE_DIR / f"{path.stem}.json"


def _read_kept(store_path: str) -> dict[str, Any]:
    """What an earlier command kept for this organisation, if it was kept by this code; else nothing."""
    import json

    try:
        kept = json.loads(_cache_path(store_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return kept if isinstance(kept, dict) and kept.get("code") == _code_stamp() else {}


def _keep(store_path: str, kept: dict[str, Any]) -> None:
    """Keep the audit for the next command; a region folder that cannot be written to is only slower."""
    import contextlib
    import json
    import os

    from sferum_lib.files import private_dir, write_private

    path = _cache_path(store_path)
    with contextlib.suppress(OSError):
        private_dir(path.parent)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        write_private(tmp, json.dumps(kept, ensure_ascii=False))
        os.replace(tmp, path)  # whole or not at all: two workers never leave a half-written file


def _audit_key(info: Any, as_of: dt.date, invite_days: int, request_days: int) -> dict[str, Any]:
    """What an audit depends on besides the code: which snapshot (as stored), the day and the settings."""
    return {
        "snapshot": info.number,
        "imported_at": info.imported_at,
        "source": info.source,
        "as_of": as_of.isoformat(),
        "settings": [invite_days, request_days],
    }


def _point_key(info: Any, taken: dt.date) -> str:
    """A trend point: one stored snapshot's indicators on one day."""
    return f"{info.number}|{info.imported_at}|{taken.isoformat()}"


def _taken(info: Any, as_of: dt.date) -> dt.date:
    """The day a snapshot shows in the trend: the day it was loaded, but never after the report's day."""
    return min(dt.date.fromisoformat(info.imported_at[:10]), as_of)


def _kept_result(kept: dict[str, Any], key: dict[str, Any]) -> OrgResult | None:
    if kept.get("key") != key:
        return None
    try:
        return OrgResult(**kept["result"])
    except (KeyError, TypeError):
        return None


class _Kept:
    """One organisation's audit and trend points, as kept and as computed now, written back when anything is new."""

    def __init__(self, store_path: str, infos: list[Any], as_of: dt.date, settings: tuple[int, int]) -> None:
        self.store_path = store_path
        self.infos = infos
        self.as_of = as_of
        self.latest = infos[-1] if infos else None
        self.key = _audit_key(self.latest, as_of, *settings) if self.latest else {}
        self.document = _read_kept(store_path)
        self.points: dict[str, Any] = dict(self.document.get("points") or {})
        self.result = _kept_result(self.document, self.key) if self.latest else None
        self.changed = False

    def trend(self, values: Any) -> list[dict[str, Any]] | None:
        """Every snapshot's point; ``values(info, day)`` computes a missing one (``None``: give up when missing)."""
        assert self.result is not None
        points = []
        for info in self.infos:
            taken = _taken(info, self.as_of)
            if info.number == self.latest.number and taken == self.as_of:  # the latest on the report's day
                found = dict(self.result.indicators)
            else:
                found = self.points.get(_point_key(info, taken))
                if found is None:
                    if values is None:
                        return None
                    found = self.points[_point_key(info, taken)] = values(info, taken)
                    self.changed = True
            points.append({"snapshot": info.number, "date": taken, "indicators": found})
        return points

    def save(self) -> None:
        import dataclasses

        if not self.changed or self.result is None:
            return
        # a shallow copy: the values are already plain JSON (``asdict`` would deep-copy every finding, a fifth of
        # the audit's time at a thousand findings per organisation)
        body = {f.name: getattr(self.result, f.name) for f in dataclasses.fields(self.result)}
        body["trend"] = []  # which points the trend takes depends on the snapshots there are: kept apart below
        _keep(self.store_path, {"code": _code_stamp(), "key": self.key, "result": body, "points": self.points})


def kept_audit(
    store_path: str, as_of: dt.date, invite_days: int = 7, request_days: int = 3, history: bool = False
) -> OrgResult | None:
    """The organisation's audit (and trend) as the last command kept it, if nothing needs computing; else None.

    Reads the store's list of snapshots only (no snapshot), so the client can tell, before any cluster starts,
    which organisations need a worker at all.
    """
    from sferum_lib.store import Store

    try:
        with Store(store_path, readonly=True) as store:
            infos = store.snapshots()
    except (SferumError, OSError):
        return None  # the task says what is wrong with this store, in its own words
    kept = _Kept(store_path, infos, as_of, (invite_days, request_days))
    if kept.result is None:
        return None
    if history:
        trend = kept.trend(None)
        if trend is None:
            return None
        kept.result.trend = trend
    return kept.result


def task_audit(store_path: str, as_of: dt.date, invite_days: int, request_days: int, history: bool) -> OrgResult:
    """Audit the latest snapshot of one organisation's store. Runs on a worker; returns plain data.

    Snapshots never change once stored, so the audit of the latest one on a day with the same settings is kept
    beside the stores and reused by the next command (``region audit`` then ``region report``); so are the
    indicators of the earlier snapshots that the trend shows.
    """
    from sferum_lib.checks import AuditSettings, audit, indicators
    from sferum_lib.checks.indicators import indicator_values
    from sferum_lib.store import Store

    with Store(store_path, create=False) as store:
        infos = store.snapshots()
        number = store.latest()  # none: the store's own Russian message
        kept = _Kept(store_path, infos, as_of, (invite_days, request_days))
        snapshot = None
        if kept.result is None:
            snapshot = store.snapshot(number)
            found = audit(snapshot, as_of, AuditSettings(invite_days, request_days))
            today = indicators(snapshot, as_of)
            kept.result = OrgResult(
                Path(store_path).name,
                snapshot.organisation.short_name,
                number,
                found.to_records(),
                {i.key: i.value for i in today},
                {"staff": len(snapshot.staff), "pupils": len(snapshot.pupils), "parents": len(snapshot.parents)},
                dict(found.not_performed),
                {i.key: i.title for i in today},
            )
            kept.changed = True
        result = kept.result
        if history:

            def values(info: Any, taken: dt.date) -> dict[str, float | None]:
                shot = snapshot if info.number == number and snapshot is not None else store.snapshot(info.number)
                return indicator_values(shot, taken)

            result.trend = kept.trend(values)
        kept.save()
    return result


def audit_region(
    region: str | Path,
    as_of: dt.date,
    run: Any,
    *,
    invite_days: int = 7,
    request_days: int = 3,
    history: bool = False,
) -> list[OrgResult]:
    """Every organisation of the region audited on ``as_of``, in order of organisation name.

    What an earlier command kept is read here; only the organisations with something to compute go to ``run``'s
    workers (so a report after the day's audit starts no cluster at all), the largest stores first, so that no
    worker is left with a big one at the end while the other waits.
    """
    stores = [str(p) for p in region_stores(region_dir(region))]
    kept = {s: kept_audit(s, as_of, invite_days, request_days, history) for s in stores}
    todo = sorted((s for s, r in kept.items() if r is None), key=lambda s: -_size(Path(s)))
    n = len(todo)
    if n:
        computed = run.map(task_audit, todo, [as_of] * n, [invite_days] * n, [request_days] * n, [history] * n)
        kept.update(zip(todo, computed, strict=True))
    return sorted(kept.values(), key=lambda r: (r.organisation, r.store))


def findings_records(results: list[OrgResult]) -> list[dict[str, Any]]:
    """One list of every organisation's findings, each as the single audit prints it plus «organisation»."""
    return [{"organisation": r.organisation, **f} for r in results for f in r.findings]


def indicators_by_org(results: list[OrgResult]) -> dict[str, dict[str, float | None]]:
    return {r.organisation: r.indicators for r in results}
