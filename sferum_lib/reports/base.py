"""What a report is: parameters, tables and charts with Russian titles, built by a library function.

A report notebook is a thin view: it validates its parameters with :func:`prepare`, builds the report's
:class:`ReportData` and writes the artifacts. The same functions run under papermill, in JupyterLab and in tests.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sferum_lib.errors import UsageError
from sferum_lib.model import Snapshot


@dataclass(frozen=True)
class Param:
    """A parameter of a report notebook, as its `parameters` cell declares it."""

    name: str
    type: type
    default: Any
    help: str


COMMON_PARAMS: tuple[Param, ...] = (
    Param("store", str, "", "хранилище; пусто — $SFERUM_STORE или sferum.db в текущей папке"),
    Param("snapshot", int, 0, "номер снимка; 0 — последний"),
    Param("as_of", str, "", "дата отчёта ГГГГ-ММ-ДД; пусто — сегодня"),
    Param("out_dir", str, "out/reports", "папка для результатов"),
    Param("mask_personal_data", bool, True, "скрывать телефоны и email в HTML, JSON и блокноте"),
    Param("state", bool, False, "по рабочему состоянию организации (после действий), а не по снимку"),
)

#: How reports and their refusals name the parameters: in words, not by the notebook's variable names.
PARAM_WORDS: dict[str, str] = {
    "store": "хранилище",
    "snapshot": "снимок",
    "as_of": "дата отчёта",
    "out_dir": "папка для результатов",
    "mask_personal_data": "телефоны и email скрыты",
    "soon_days": "дней вперёд для ссылок, которые скоро устареют",
    "from_snapshot": "прежний снимок",
    "to_snapshot": "новый снимок",
    "person_id": "ID человека",
    "state": "рабочее состояние вместо снимка",
    "scheduler": "планировщик Dask",
    "workers": "исполнителей кластера",
    "session": "папка занятия",
}


def param_words(name: str) -> str:
    """«снимок (-p snapshot)»: a parameter in words, then how it is given on the command line."""
    return f"{PARAM_WORDS.get(name, 'параметр')} (-p {name})"


REPORT_FLAGS = ("-p from_snapshot", "-p to_snapshot")


def movement_order_problem(first: int, second: int, flags: tuple[str, str] = REPORT_FLAGS) -> str:
    """What is wrong with comparing snapshot ``first`` (the earlier) with ``second`` (the later); empty if nothing.

    ``flags``: how the two numbers are given where the user gave them (``--from``/``--to`` in the terminal).
    """
    if first == second:
        return (
            f"снимок № {first} сравнивается сам с собой ({flags[0]} {first} {flags[1]} {second}): "
            "укажите два разных снимка"
        )
    if first > second:
        return (
            f"прежний снимок № {first} ({flags[0]}) позже нового № {second} ({flags[1]}); "
            f"поменяйте их местами: {flags[0]} {second} {flags[1]} {first}"
        )
    return ""


def check_movement_order(first: int, second: int, flags: tuple[str, str] = ("--from", "--to")) -> None:
    """Refuse a movement between snapshots given in reverse order or between a snapshot and itself."""
    problem = movement_order_problem(first, second, flags)
    if problem:
        raise UsageError(f"Движение: {problem}.")


#: How a report names the working state it shows; the date is the report's.
STATE_WORDS = "рабочее состояние"


@dataclass
class Table:
    """A table of a report: a sheet of the XLSX, a section of the HTML, a key of the JSON."""

    key: str
    title: str
    frame: pd.DataFrame
    note: str = ""
    personal: tuple[str, ...] = ()  # columns with phones or emails, masked in HTML for a wide audience
    sheet: str = ""  # the XLSX sheet's name when the title is longer than Excel's 31 characters (whole words)
    fixed: int = 1  # leading columns kept in view when a wide table scrolls sideways in the HTML


@dataclass
class Chart:
    key: str
    title: str
    png: bytes


@dataclass
class ReportData:
    name: str
    title: str
    organisation: str
    as_of: dt.date
    params: dict[str, Any]
    summary: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    json: Any = None  # what the .json holds; by default every table's records
    source: str = ""  # which data it shows: «снимок № 2 от 15.10.2026», «снимки № 1 и № 2»
    store: str = ""  # the store file it was built from

    def json_data(self) -> Any:
        if self.json is not None:
            return self.json
        return {t.key: _records(t.frame) for t in self.tables}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = frame.astype(object).where(frame.notna(), None)
    for column in out.columns:
        out[column] = [v.date().isoformat() if isinstance(v, pd.Timestamp) else v for v in out[column]]
    return out.to_dict(orient="records")


#: The last snapshots reports read, for the next reports in the same kernel: ``report all`` runs several reports
#: in one warm kernel, and at a million people reading a snapshot costs seconds. A stored snapshot never changes,
#: so its store, number, load time and source name it; the working state changes and is never kept here. Two are
#: kept: a report's snapshot and the one before it (the movement between them, the usage report's trend).
_LAST_READ: dict[tuple[str, int, str, str], Snapshot] = {}
_KEEP_SNAPSHOTS = 2
#: What reports derive from a kept snapshot (names, words, the audit), by the snapshot's identity and a name.
_DERIVED: dict[tuple[int, Any], tuple[Snapshot, Any]] = {}


def read_snapshot(store: Any, number: int) -> Snapshot:
    """Snapshot ``number`` of an open store, kept for the next report in this kernel (see ``_LAST_READ``)."""
    info = next((i for i in store.snapshots() if i.number == number), None)
    key = (str(store.path), number, info.imported_at, info.source) if info else None
    if key is not None and key in _LAST_READ:
        _LAST_READ[key] = _LAST_READ.pop(key)  # the most recently used last
        return _LAST_READ[key]
    snapshot = store.snapshot(number)  # a missing number: the store's own Russian message
    if key is not None:
        while len(_LAST_READ) >= _KEEP_SNAPSHOTS:
            del _LAST_READ[next(iter(_LAST_READ))]
        _LAST_READ[key] = snapshot
        kept = {id(s) for s in _LAST_READ.values()}
        for gone in [k for k in _DERIVED if k[0] not in kept]:
            del _DERIVED[gone]
    return snapshot


def derived(snapshot: Snapshot, what: Any, make: Callable[[], Any]) -> Any:
    """``make()``, computed once per kept snapshot: several reports in one kernel need the same names and words.

    Only what is derived from a kept stored snapshot is kept (and dropped with it); the working state's is not.
    """
    key = (id(snapshot), what)
    hit = _DERIVED.get(key)
    if hit is not None and hit[0] is snapshot:
        return hit[1]
    value = make()
    if any(s is snapshot for s in _LAST_READ.values()):
        _DERIVED[key] = (snapshot, value)
    return value


@dataclass
class Context:
    """Validated parameters and the data they point at, loaded lazily."""

    params: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def as_of(self) -> dt.date:
        return self.params["as_of"]

    def store(self):  # the store module is imported lazily: a notebook pays only for what it uses
        """The user's store, opened read-only; no store means no report (never someone else's data)."""
        from sferum_lib.store import Store

        return Store(self.params["store"] or None, readonly=True)

    @property
    def state(self) -> bool:
        """The report shows the organisation's working state (what procedures changed), not an imported snapshot."""
        return bool(self.params.get("state"))

    def snapshot(self, number: int | None = None) -> tuple[int, Snapshot]:
        """The snapshot to report on and its number; the working state, numbered 0, when the report asks for it."""
        import sqlite3

        from sferum_lib.store import store_error

        store = self.store()
        try:
            with store:
                if self.state and number is None:
                    return 0, store.state()
                number = number or self.params["snapshot"] or store.latest()
                return number, read_snapshot(store, number)
        except sqlite3.Error as exc:
            raise store_error(exc, store.path) from None

    def label(self, number: int) -> str:
        """«Снимок № 2» or «Рабочее состояние на 15.10.2026»: how a report's summary names its data."""
        if number == 0 and self.state:
            return f"{STATE_WORDS.capitalize()} на {self.as_of:%d.%m.%Y}"
        return f"Снимок № {number}"

    def source(self, number: int) -> str:
        """«снимок № 2 (загружен 15.10.2026)»: the snapshot a report shows, as its header names it."""
        if number == 0 and self.state:
            return f"{STATE_WORDS} на {self.as_of:%d.%m.%Y}"
        with self.store() as store:
            info = {i.number: i for i in store.snapshots()}.get(number)
        if info is None:
            return f"снимок № {number}"
        day = dt.date.fromisoformat(info.imported_at[:10])
        return f"снимок № {number} (загружен {day:%d.%m.%Y})"


@dataclass(frozen=True)
class ReportSpec:
    name: str
    title: str
    duties: tuple[str, ...]
    build: Callable[[Context], ReportData]
    params: tuple[Param, ...] = ()
    #: A report of a region folder (many organisations' stores), not of one organisation's store: it takes only
    #: its own parameters, and its store is a folder.
    region: bool = False

    @property
    def all_params(self) -> tuple[Param, ...]:
        return self.params if self.region else (*COMMON_PARAMS, *self.params)


#: No snapshot, day count or ID number a report takes comes near this; past it a value is a typo.
MAX_INT_PARAM = 1_000_000_000


def _convert(param: Param, value: Any) -> Any:
    """Convert a value given as text (from the command line) or as a literal to the parameter's type."""
    if param.type is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "1", "да", "yes"):
            return True
        if text in ("false", "0", "нет", "no"):
            return False
        raise ValueError("ожидается да/нет (true/false)")
    if param.type is int:
        if isinstance(value, bool):
            raise ValueError("ожидается целое число")
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValueError("ожидается целое число") from None
        if number < 0:
            raise ValueError("ожидается целое число не меньше 0")
        if number > MAX_INT_PARAM:
            raise ValueError(f"слишком большое число (наибольшее — {MAX_INT_PARAM})")
        return number
    return "" if value is None else str(value)


def validate(spec: ReportSpec, given: Mapping[str, Any]) -> dict[str, Any]:
    """Check names and convert values; every problem is reported at once, in Russian."""
    declared = {p.name: p for p in spec.all_params}
    problems = [f"неизвестный параметр «{name}»" for name in given if name not in declared]
    values: dict[str, Any] = {}
    for name, param in declared.items():
        try:
            values[name] = _convert(param, given.get(name, param.default))
        except (TypeError, ValueError) as exc:
            problems.append(f"{param_words(name)} = «{given.get(name)}»: {exc}")
    if not problems:
        text = values["as_of"]
        try:
            values["as_of"] = dt.date.fromisoformat(text) if text else dt.date.today()
        except ValueError:
            problems.append(f"{param_words('as_of')} = «{text}»: ожидается дата ГГГГ-ММ-ДД")
        if values.get("state") and (values.get("snapshot") or values.get("to_snapshot")):
            problems.append(
                "укажите либо номер снимка (-p snapshot), либо рабочее состояние (-p state), но не то и другое"
            )
    if problems:
        known = " · ".join(f"-p {name} — {param.help}" for name, param in declared.items())
        raise UsageError(f"Отчёт «{spec.title}»: " + "; ".join(problems) + f". Параметры отчёта: {known}.")
    return resolve_paths(values, region=spec.region)


def resolve_paths(values: dict[str, Any], region: bool = False) -> dict[str, Any]:
    """Every path made absolute against the current folder, once: nothing later depends on a working folder.

    An empty store means the default one (``$SFERUM_STORE`` or ``sferum.db`` here), named by its full path; for a
    region report it stays empty (the report then takes ``sferum-region``, or the demonstration region).
    """
    from sferum_lib.store import default_store_path

    values["out_dir"] = os.path.abspath(values["out_dir"])
    if values["store"]:
        values["store"] = os.path.abspath(values["store"])
    elif not region:
        values["store"] = str(default_store_path())
    return values
