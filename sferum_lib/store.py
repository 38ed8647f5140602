"""The SQLite store: every imported snapshot, numbered from 1, in one file readable by its owner only.

Commands that only read open the file read-only: they never migrate it, switch it to WAL or touch a file that
is not a store. SQLite's English errors become Russian :class:`StoreError` messages (:func:`store_error`).

The file runs in WAL mode so a report can read while an import writes; the schema carries a version
(``PRAGMA user_version``) and is brought up to date by the migrations below when a store is opened. Each
import is one transaction: a failure leaves the store as it was.

Since schema version 6 a snapshot's tables are stored column by column (``snap_columns``: one row per table
column, its values packed into one BLOB — see :func:`_pack`), not one SQL row per person: a million people's
three million rows become about seventy BLOBs written and read inside the same SQLite transactions, and the
working state replaces a changed table by a handful of rows. Nothing reads the snapshot tables with SQL; the
journal, the training events and the snapshot list stay plain tables. Schema version 7 packs narrower (dates as
int32 days, flags as bits, dictionary codes of one or two bytes when the distinct values are few): a third fewer
bytes to write and read. Columns packed by version 6 are read as they are; nothing is rewritten.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sferum_lib.errors import StoreError, os_error_text
from sferum_lib.model import DATE, FLAG, TABLES, Organisation, Snapshot, conform

DEFAULT_STORE = "sferum.db"
STORE_ENV = "SFERUM_STORE"

# Columns of each snapshot table as schema version 1 created them. Frozen here on purpose: a later model
# column arrives through a new migration, never by editing this list.
_V1_COLUMNS: dict[str, tuple[str, ...]] = {
    "staff": (
        "id",
        "last_name",
        "first_name",
        "middle_name",
        "position",
        "platform_role",
        "phone",
        "email",
        "cabinet",
        "hired",
        "dismissed",
        "joined",
        "status_confirmed",
        "in_teachers_room",
    ),
    "sections": ("code", "name", "teacher_id", "cabinet", "class_created"),
    "pupils": (
        "id",
        "last_name",
        "first_name",
        "middle_name",
        "birth_date",
        "activist",
        "enrolled",
        "expelled",
        "joined",
    ),
    "enrolments": ("pupil_id", "section_code"),
    "parents": ("id", "last_name", "first_name", "middle_name", "phone", "email", "activist", "joined"),
    "kinship": ("parent_id", "pupil_id"),
    "chats": ("id", "name", "type", "section_code", "owner_id", "created", "last_message"),
    "members": ("chat_id", "person_id", "added"),
    "channels": ("name", "last_post"),
    "invites": ("id", "created", "created_by", "target", "role", "used", "annulled", "valid_until"),
    "requests": ("id", "applicant_id", "role", "filed", "decision", "decided"),
}


def _v1() -> str:
    ddl = [
        """CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            imported_at TEXT NOT NULL,
            source TEXT NOT NULL,
            sheets TEXT NOT NULL,
            organisation TEXT NOT NULL,
            rows INTEGER NOT NULL DEFAULT 0
        )"""
    ]
    for table, columns in _V1_COLUMNS.items():
        body = ",\n  ".join(f'"{c}"' for c in columns)
        ddl.append(
            f'CREATE TABLE "snap_{table}" (\n  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),\n  {body}\n)'
        )
        ddl.append(f'CREATE INDEX "snap_{table}_by_snapshot" ON "snap_{table}"(snapshot_id)')
    return ";\n".join(ddl)


# Schema version 2: the working state (snapshot row 0) that procedures change, their journal, invite tokens.
_V2_ADDED: dict[str, tuple[str, ...]] = {"invites": ("token",)}
_V2 = """ALTER TABLE snapshots ADD COLUMN kind TEXT NOT NULL DEFAULT 'import';
ALTER TABLE snap_invites ADD COLUMN token TEXT;
CREATE TABLE journal (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  on_day TEXT NOT NULL,
  actor TEXT,
  duty TEXT NOT NULL,
  procedure TEXT NOT NULL,
  summary TEXT NOT NULL,
  object TEXT,
  params TEXT NOT NULL
)"""

# Schema version 3: each chat records the messenger it lives in (the move from VK Messenger to MAX).
_V3_ADDED: dict[str, tuple[str, ...]] = {"chats": ("messenger",)}
_V3 = "ALTER TABLE snap_chats ADD COLUMN messenger TEXT"

# Schema version 5 (workbook contract v2): the optional «Пол» of people, for messages that agree with them.
_V5_ADDED: dict[str, tuple[str, ...]] = {"staff": ("gender",), "pupils": ("gender",), "parents": ("gender",)}
_V5 = ";\n".join(f'ALTER TABLE "snap_{t}" ADD COLUMN gender TEXT' for t in _V5_ADDED)

#: Columns of each snapshot row table as schema version 5 left them (what version 6 moves into ``snap_columns``).
_V5_COLUMNS: dict[str, tuple[str, ...]] = {
    t: c + _V2_ADDED.get(t, ()) + _V3_ADDED.get(t, ()) + _V5_ADDED.get(t, ()) for t, c in _V1_COLUMNS.items()
}

# Schema version 4: training progress (steps done, self-check answers, refusals met) of trainees.
_V4 = """CREATE TABLE training_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  trainee TEXT NOT NULL,
  role TEXT NOT NULL,
  duty TEXT NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL,
  correct INTEGER
);
CREATE INDEX training_events_by_trainee ON training_events(trainee, role)"""

# Schema version 6: snapshot tables column by column, one packed BLOB per column (:func:`_pack`); the row tables
# of versions 1–5 are moved into it and dropped. A journal entry names the working state it was made on, so the
# journal can outlive a new working state.
_V6_DDL = """CREATE TABLE snap_columns (
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
  tab TEXT NOT NULL,
  col TEXT NOT NULL,
  rows INTEGER NOT NULL,
  kind TEXT NOT NULL,
  data BLOB NOT NULL,
  extra BLOB
);
CREATE UNIQUE INDEX snap_columns_key ON snap_columns(snapshot_id, tab, col);
ALTER TABLE journal ADD COLUMN state TEXT"""


def _v6(con: sqlite3.Connection) -> None:
    for statement in _V6_DDL.split(";\n"):
        con.execute(statement)
    for (snapshot_id,) in con.execute("SELECT id FROM snapshots ORDER BY id").fetchall():
        tables = {table: _read_rows(con, snapshot_id, table) for table in _V5_COLUMNS}
        _write_columns(con, snapshot_id, tables)
    for table in _V5_COLUMNS:
        con.execute(f'DROP TABLE "snap_{table}"')


def _v7(con: sqlite3.Connection) -> None:
    """Schema version 7: the narrower column kinds of :func:`_pack` (``day``, ``bits``, ``dict8/16/32``).

    Nothing is rewritten: the kinds of version 6 still read. The version only tells an older program, which would
    misread the new kinds, that the store is newer than it.
    """


Migration = str | Callable[[sqlite3.Connection], None]
#: Migrations in order; migration i brings the schema from version i to i + 1 (SQL, or a function for a move
#: of data that SQL alone cannot do).
MIGRATIONS: tuple[Migration, ...] = (_v1(), _V2, _V3, _V4, _V5, _v6, _v7)
#: Columns of each snapshot table in the current schema: the model's. A column the model gains later needs no
#: migration: a snapshot stored before it reads the column as empty.
COLUMNS: dict[str, tuple[str, ...]] = {t: tuple(c) for t, c in TABLES.items()}
#: The working state that procedures change lives under this snapshot id; imports are numbered from 1.
STATE_ID = 0
#: Page size of a new store file (SQLite's largest): fewer pages per packed column.
PAGE_SIZE = 65536
SCHEMA_VERSION = len(MIGRATIONS)
#: The oldest schema whose stores are read as they are, without bringing them up to date first (version 7 only
#: added column kinds): a reading command leaves such a file untouched, on read-only media too.
READS_AS_IS = 6


@dataclass(frozen=True)
class SnapshotInfo:
    number: int
    imported_at: str
    source: str
    organisation: str
    rows: int


def default_store_path() -> Path:
    """``$SFERUM_STORE`` or ``sferum.db`` in the current folder, as an absolute path."""
    return Path(os.path.abspath(os.environ.get(STORE_ENV) or DEFAULT_STORE))


def missing_store_message(path: str | Path) -> str:
    """What to do when there is no store yet: import one's own data, or ask for the demo by name."""
    where = Path(path)
    if where == default_store_path():
        load = "Загрузите свою книгу: sferum import КНИГА.xlsx (хранилище sferum.db появится в текущей папке)"
    else:
        load = f"Загрузите книгу в это хранилище: sferum --store «{where}» import КНИГА.xlsx"
    try:  # a typo in a region's folder: name the stores that are there
        nearby = sorted(p.name for p in where.parent.glob("*.db") if p.is_file())[:10]
    except OSError:
        nearby = []
    there = f" В папке «{where.parent}» есть хранилища: {', '.join(nearby)}." if nearby else ""
    return (
        f"Хранилище «{where}» не найдено: данных организации нет.{there} {load} или укажите другое хранилище: "
        "--store ПУТЬ. Посмотреть на демонстрационной организации: добавьте --demo (например, sferum report audit "
        "--demo)."
    )


class StoreUnavailable(StoreError):
    """The store exists and is fine but cannot be used right now (locked, disk full): try again later."""

    exit_code = 1


#: SQLite's own English messages, as a person should read them; ``{path}`` is the store file.
_SQLITE_MESSAGES: tuple[tuple[str, str, bool], ...] = (
    ("locked", "Хранилище «{path}» сейчас занято другой программой (идёт запись). Повторите через минуту.", True),
    ("busy", "Хранилище «{path}» сейчас занято другой программой (идёт запись). Повторите через минуту.", True),
    ("disk is full", "Нет места на диске для хранилища «{path}». Освободите место и повторите.", True),
    ("disk i/o", "Ошибка чтения или записи диска с хранилищем «{path}». Проверьте носитель и повторите.", True),
    (
        "malformed",
        "Файл хранилища «{path}» повреждён. Восстановите его из резервной копии или загрузите книгу заново "
        "в новое хранилище: sferum import КНИГА.xlsx --store НОВОЕ.db",
        False,
    ),
    ("not a database", "Файл «{path}» не является хранилищем Сферум-практикума (это не база SQLite).", False),
    (
        "readonly",
        "Хранилище «{path}» доступно только для чтения (нет прав на запись или носитель только для чтения).",
        False,
    ),
    ("unable to open", "Не удаётся открыть хранилище «{path}»: проверьте, что папка существует и доступна.", False),
)


def store_error(exc: sqlite3.Error, path: str | Path) -> StoreError:
    """A Russian error for one of SQLite's: a usage problem (exit 2) or a transient one (exit 1)."""
    text = str(exc).lower()
    for needle, message, transient in _SQLITE_MESSAGES:
        if needle in text:
            return (StoreUnavailable if transient else StoreError)(message.format(path=path) + " Данные не изменены.")
    return StoreUnavailable(f"Ошибка хранилища «{path}» (SQLite: {exc}). Данные не изменены.")


def _create_private(path: Path) -> None:
    """Create the file readable and writable by its owner only (the store holds personal data)."""
    from sferum_lib.files import private_dir

    private_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)  # the umask may only take bits away, but be explicit


def _make_private(path: Path) -> None:
    """A store made by an older version or copied with loose rights: make it the owner's only, when we may."""
    try:
        if path.stat().st_mode & 0o077 and path.stat().st_uid == os.geteuid():
            os.chmod(path, 0o600)
    except OSError:  # read-only media or someone else's file: reading it is still fine
        pass


def _writable(path: Path) -> bool:
    """Can this process write the file and create its journal beside it?"""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK | os.X_OK) and not _immutable(path)


def _immutable(path: Path) -> bool:
    """A file or folder marked immutable (chattr +i) refuses writes even to root, which os.access does not see."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    except OSError:
        return True
    os.close(fd)
    return False


# --- the packed columns of version 6 ----------------------------------------------------------------------------

_SEP = "\x00"  # between packed strings; a column holding it (never seen in a workbook) is packed as JSON instead
_SAMPLE = 4096  # values looked at to decide whether a text column repeats enough to be packed as a dictionary


def _repeats(values: pd.Series) -> bool:
    """Whether a text column holds few distinct values, each many times (then packed as a dictionary).

    Told from a sample spread over the column: few distinct values in it, or — for a column of many distinct
    values repeated, such as the section of each enrolment — many pairs of equal values in it: ``n`` values
    drawn from ``d`` distinct ones make about n²/2d equal pairs.
    """
    n = len(values)
    if n <= _SAMPLE:  # the whole column is the sample
        return 0 < values.nunique() <= n // 4
    sample = values.iloc[np.linspace(0, n - 1, _SAMPLE).astype(np.int64)]
    counts = pd.factorize(sample)[0]
    counts = np.bincount(counts[counts >= 0])
    if len(counts) == 0:
        return False
    if len(counts) <= _SAMPLE // 4:
        return True
    pairs = float((counts * (counts - 1)).sum()) / 2
    return pairs > 0 and _SAMPLE**2 / (2 * pairs) <= n / 4


def _pack(values: pd.Series, dtype: str) -> tuple[str, bytes, bytes | None]:
    """One column as (kind, data, extra) for ``snap_columns``; :func:`_unpack` restores it exactly.

    Dates are int32 days with a bitmap of the empty cells (``day``), flags one bit each (``bits``). Text is UTF-8
    joined by ``_SEP`` with a bitmap of the empty cells (``text``), or — when few distinct values repeat, as
    names, positions, chat IDs of members do — the distinct values and a code per row, as narrow as their number
    allows (``dict8``, ``dict16``, ``dict32``), which loads several times faster.
    """
    if dtype == DATE:
        return _pack_dates(values)
    if dtype == FLAG:
        return "bits", np.packbits(values.to_numpy(dtype=bool, na_value=False)).tobytes(), None
    n = len(values)
    strings = values.to_numpy(dtype=object)
    if _repeats(values):
        codes, uniques = pd.factorize(strings)  # of the plain array: twice as fast as of the Series
        text = _SEP.join(uniques.tolist())
        if len(uniques) and text.count(_SEP) == len(uniques) - 1:
            # code 0 is the empty cell, code i the i-th distinct value: one byte per row for up to 255 of them
            width = next(w for w in (np.uint8, np.uint16, np.uint32) if len(uniques) <= np.iinfo(w).max)
            codes += 1
            return f"dict{np.dtype(width).itemsize * 8}", text.encode(), codes.astype(width).tobytes()
    missing = None
    try:  # most columns have no empty cell: joined at once, without a pass to look for empty cells first
        text = _SEP.join(strings.tolist())
    except TypeError:  # an empty cell (NaN)
        missing = pd.isna(strings)
        if missing.all():  # a column nobody filled in: the bitmap alone says it
            return "text", b"", np.packbits(missing).tobytes()
        text = _SEP.join(np.where(missing, "", strings).tolist())
    if text.count(_SEP) != max(n - 1, 0):
        plain = values.to_numpy(dtype=object, na_value=None).tolist()
        return "json", json.dumps(plain, ensure_ascii=False).encode(), None
    return "text", text.encode(), np.packbits(missing).tobytes() if missing is not None and missing.any() else None


_DAY = 86400
_NAT = np.iinfo(np.int64).min  # NaT as int64


def _pack_dates(values: pd.Series) -> tuple[str, bytes, bytes | None]:
    """Dates as int32 days since 1970 and a bitmap of the empty cells (``day``: half of int64 seconds).

    A value that is not a whole day or is out of int32's range (never made by an import) keeps the exact int64
    seconds of version 6 (``date``).
    """
    seconds = values.to_numpy(dtype="datetime64[s]").view(np.int64)
    empty = seconds == _NAT
    if empty.all():
        return "day", b"", np.packbits(empty).tobytes() if len(seconds) else None
    days = seconds // _DAY  # a division by a constant: several times faster than divmod
    whole = np.multiply(days, _DAY) == seconds
    days[empty] = 0
    if not (whole | empty).all() or days.min() < np.iinfo(np.int32).min or days.max() > np.iinfo(np.int32).max:
        return "date", seconds.tobytes(), None
    return "day", days.astype(np.int32).tobytes(), np.packbits(empty).tobytes() if empty.any() else None


def _text_array(values: np.ndarray, dtype: str) -> object:
    """``values`` (an object array of strings, NaN where empty: made here, from the store) as an array of the
    text ``dtype``.

    pandas' python-backed string array is made directly around them: its constructor would look at every value
    again to check it is a string or NaN, and ``pd.array`` would convert each value anew.
    """
    kind = pd.api.types.pandas_dtype(dtype)
    if isinstance(kind, pd.StringDtype) and kind.storage == "python" and kind.na_value is not pd.NA:
        simple_new = getattr(pd.arrays.StringArray, "_simple_new", None)
        if simple_new is not None and values.dtype == object:
            return simple_new(values, kind)
        try:
            return pd.arrays.StringArray(values, dtype=kind)
        except (TypeError, ValueError):  # an older pandas without ``dtype=``, or a value not a string
            pass
    return pd.array(values, dtype=dtype)


def _unpack(kind: str, rows: int, data: bytes, extra: bytes | None, dtype: str) -> object:
    """The column :func:`_pack` packed (or the packing of schema version 6 did), as an array of ``dtype``."""
    if kind == "day":
        empty = _bitmap(extra, rows)
        if not data:  # every cell empty
            return np.full(rows, np.datetime64("NaT"), dtype="datetime64[s]")
        seconds = np.multiply(np.frombuffer(data, dtype=np.int32), _DAY, dtype=np.int64)  # one pass, one array
        if empty is not None:
            seconds[empty] = _NAT
        return seconds.view("datetime64[s]")
    if kind == "bits":
        return np.unpackbits(np.frombuffer(data, dtype=np.uint8), count=rows).view(np.bool_)
    if kind.startswith("dict") and kind != "dict":
        # the distinct values once, the empty cell first (code 0), then taken by code: rows share the objects
        uniques = np.array([np.nan, *data.decode().split(_SEP)], dtype=object)
        codes = np.frombuffer(extra or b"", dtype=f"uint{kind[4:]}")
        return _text_array(uniques[codes], dtype)
    if kind == "date":  # version 6, and dates that are not whole days
        return np.frombuffer(data, dtype=np.int64).astype("datetime64[s]")
    if kind == "flag":  # version 6
        return np.frombuffer(data, dtype=np.bool_).copy()
    if kind == "dict":  # version 6: int32 codes, -1 for the empty cell
        # the distinct values once, then taken by code: rows share them, and code -1 (empty) takes the NaN at the end
        uniques = _text_array(np.array([*data.decode().split(_SEP), np.nan], dtype=object), dtype)
        codes = np.frombuffer(extra or b"", dtype=np.int32)
        return uniques.take(np.where(codes < 0, len(uniques) - 1, codes).astype(np.intp))
    if kind == "json":
        return pd.array(np.array(json.loads(data), dtype=object), dtype=dtype)
    empty = _bitmap(extra, rows)
    if empty is not None and empty.all():  # a column nobody filled in: no need to split it
        return _text_array(np.full(rows, np.nan, dtype=object), dtype)
    parts = data.decode().split(_SEP) if rows else []
    values = np.fromiter(parts, dtype=object, count=len(parts))  # np.array would look into every string first
    if empty is not None:
        values[empty] = np.nan
    return _text_array(values, dtype)


def _bitmap(extra: bytes | None, rows: int) -> np.ndarray | None:
    """The bitmap of empty cells packed beside a column, as one bool per row (``None``: no cell is empty)."""
    if extra is None:
        return None
    return np.unpackbits(np.frombuffer(extra, dtype=np.uint8), count=rows).view(np.bool_)


def _write_columns(con: sqlite3.Connection, snapshot_id: int, tables: dict[str, pd.DataFrame]) -> None:
    for table, frame in tables.items():
        rows = []
        for column, dtype in TABLES[table].items():
            values = frame[column] if column in frame else pd.Series([None] * len(frame), dtype=object)
            rows.append((snapshot_id, table, column, len(frame), *_pack(values, dtype)))
        con.executemany(
            "INSERT INTO snap_columns (snapshot_id, tab, col, rows, kind, data, extra) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def _read_columns(con: sqlite3.Connection, snapshot_id: int) -> dict[str, pd.DataFrame]:
    packed: dict[str, dict[str, object]] = {}
    query = "SELECT tab, col, rows, kind, data, extra FROM snap_columns WHERE snapshot_id = ?"
    for table, column, rows, kind, data, extra in con.execute(query, (snapshot_id,)):
        dtype = TABLES.get(table, {}).get(column)
        if dtype is not None:  # a column the model no longer has is left alone
            packed.setdefault(table, {})[column] = _unpack(kind, rows, data, extra, dtype)
    tables = {}
    for table, dtypes in TABLES.items():
        columns = packed.get(table, {})
        frame = pd.DataFrame({c: columns[c] for c in dtypes if c in columns}, copy=False)  # arrays are fresh
        tables[table] = frame if len(columns) == len(dtypes) else conform(frame, table)
    return tables


def _read_rows(con: sqlite3.Connection, snapshot_id: int, table: str) -> pd.DataFrame:
    """One table of a snapshot from the row tables of schema versions 1–5 (for the move to version 6)."""
    names = ", ".join(f'"{c}"' for c in _V5_COLUMNS[table])
    cursor = con.execute(f'SELECT {names} FROM "snap_{table}" WHERE snapshot_id = ? ORDER BY rowid', (snapshot_id,))
    frame = pd.DataFrame(cursor.fetchall(), columns=list(_V5_COLUMNS[table]), dtype=object)
    out = {}
    for column, dtype in TABLES[table].items():
        if column not in frame:
            continue
        values = frame[column]
        if dtype == DATE:
            out[column] = pd.to_datetime(values, format="%Y-%m-%d")
        elif dtype == FLAG:
            out[column] = values.fillna(0).astype(bool)
        else:
            out[column] = values
    return conform(pd.DataFrame(out, index=frame.index), table)


class Store:
    """An open store file. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: str | Path | None = None, *, create: bool = True, readonly: bool = False) -> None:
        """Open (or, with ``create``, make) the store at ``path``.

        ``readonly`` is for commands that only read: the file is opened read-only, never migrated nor switched
        to WAL, and a file that is not a store is refused untouched. A store on read-only media is always
        opened read-only.
        """
        self.path = Path(os.path.abspath(path)) if path is not None else default_store_path()
        self.readonly = readonly
        fresh = False
        if self.path.is_dir():
            raise StoreError(f"«{self.path}» — папка, а не файл хранилища. Укажите файл: --store ПАПКА/sferum.db")
        if not self.path.exists():
            if readonly or not create:
                raise StoreError(missing_store_message(self.path))
            try:
                _create_private(self.path)
                fresh = True
            except OSError as exc:
                raise StoreError(f"Не удаётся создать хранилище «{self.path}»: {os_error_text(exc)}") from None
        _make_private(self.path)
        if not readonly and not _writable(self.path):
            self.readonly = True  # read-only media: reading works, a write says so in Russian
        try:
            self.con = self._connect()
            self._check()
            if not self.readonly:
                if fresh:  # big pages: a snapshot's columns are large BLOBs, read and written in fewer pages
                    self.con.execute(f"PRAGMA page_size = {PAGE_SIZE}")
                self.con.execute("PRAGMA journal_mode=WAL")
                self.con.execute("PRAGMA foreign_keys=ON")
                self.con.execute("PRAGMA synchronous=NORMAL")
                self._migrate()
        except sqlite3.Error as exc:
            self._close_quietly()
            raise store_error(exc, self.path) from None
        except StoreError:
            self._close_quietly()
            raise

    def _connect(self) -> sqlite3.Connection:
        if not self.readonly:
            return sqlite3.connect(self.path, timeout=30, isolation_level=None)
        uri = "file:" + urllib.parse.quote(str(self.path)) + "?mode=ro"
        wal = Path(f"{self.path}-wal")
        pending = wal.exists() and wal.stat().st_size > 0  # changes not yet in the file: SQLite must read them
        if not _writable(self.path) and not pending:  # nowhere to put a journal: the file cannot change under us
            uri += "&immutable=1"
        return sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)

    def _close_quietly(self) -> None:
        con = getattr(self, "con", None)
        if con is not None:
            con.close()

    def _check(self) -> None:
        """Refuse, untouched, a file that is not a store of this program (or of a newer version)."""
        version = self.schema_version
        tables = {r[0] for r in self.con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"Хранилище «{self.path}» создано более новой версией программы (схема {version}); обновите программу."
            )
        fresh = version == 0 and not tables
        if (version == 0 and tables) or (version > 0 and "snapshots" not in tables) or (fresh and self.readonly):
            raise StoreError(
                f"Файл «{self.path}» не является хранилищем Сферум-практикума: это другая база данных или пустой "
                "файл. Он не изменён. Укажите хранилище, созданное командой sferum import."
            )
        if self.readonly and version < READS_AS_IS:
            if not _writable(self.path):
                raise StoreError(
                    f"Хранилище «{self.path}» создано прежней версией программы и лежит на носителе только для "
                    "чтения: скопируйте его туда, где можно писать, и повторите команду (оно будет обновлено)."
                )
            # our own older store: bring it up to date once, then read as asked
            self.con.close()
            self.con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.readonly = False
            try:
                self._migrate()
            finally:
                self.readonly = True
                self.con.close()
            self.con = self._connect()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it lands, or none of it."""
        if self.readonly:
            raise StoreError(
                f"Хранилище «{self.path}» открыто только для чтения (носитель только для чтения или нет прав на "
                "запись): изменить его нельзя. Скопируйте его туда, где можно писать."
            )
        self.con.execute("BEGIN IMMEDIATE")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        return int(self.con.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"Хранилище «{self.path}» создано более новой версией программы (схема {version}); обновите программу."
            )
        for number in range(version, SCHEMA_VERSION):
            with self.transaction() as con:
                migration = MIGRATIONS[number]
                if callable(migration):
                    migration(con)
                else:
                    for statement in migration.split(";\n"):
                        con.execute(statement)
                con.execute(f"PRAGMA user_version = {number + 1}")

    # --- snapshots -------------------------------------------------------------------------------------

    def add_snapshot(self, snapshot: Snapshot, source: str, rows: int = 0) -> int:
        """Store a snapshot in one transaction; return its number."""
        imported_at = dt.datetime.now().isoformat(timespec="seconds")
        with self.transaction() as con:
            cursor = con.execute(
                "INSERT INTO snapshots (imported_at, source, sheets, organisation, rows) VALUES (?, ?, ?, ?, ?)",
                (
                    imported_at,
                    source,
                    json.dumps(sorted(snapshot.sheets), ensure_ascii=False),
                    json.dumps(snapshot.organisation.to_dict(), ensure_ascii=False),
                    rows,
                ),
            )
            number = int(cursor.lastrowid or 0)
            self._write_tables(number, snapshot, COLUMNS)
        return number

    def _write_tables(self, snapshot_id: int, snapshot: Snapshot, tables: Iterable[str]) -> None:
        _write_columns(self.con, snapshot_id, {table: snapshot.tables[table] for table in tables})

    def snapshots(self) -> list[SnapshotInfo]:
        rows = self.con.execute(
            "SELECT id, imported_at, source, organisation, rows FROM snapshots WHERE id > 0 ORDER BY id"
        ).fetchall()
        return [SnapshotInfo(r[0], r[1], r[2], json.loads(r[3]).get("short_name") or "", r[4]) for r in rows]

    def latest(self) -> int:
        row = self.con.execute("SELECT max(id) FROM snapshots WHERE id > 0").fetchone()
        if row[0] is None:
            raise StoreError(
                f"В хранилище «{self.path}» нет ни одного снимка. Загрузите данные: sferum import КНИГА.xlsx"
            )
        return int(row[0])

    def organisation(self) -> dict[str, object] | None:
        """The organisation sheet of the latest snapshot as stored (``Organisation.to_dict()``); ``None`` if empty."""
        row = self.con.execute(
            "SELECT organisation FROM snapshots WHERE id = (SELECT max(id) FROM snapshots WHERE id > 0)"
        ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def snapshot(self, number: int | None = None) -> Snapshot:
        """Load snapshot ``number`` (the latest when ``None``)."""
        number = self.latest() if number is None else number
        row = self.con.execute("SELECT sheets, organisation FROM snapshots WHERE id = ?", (number,)).fetchone()
        if row is None or number < 1:
            known = ", ".join(str(s.number) for s in self.snapshots()) or "нет"
            raise StoreError(f"В хранилище нет снимка № {number}. Имеющиеся снимки: {known}.")
        return self._read(number, row)

    def _read(self, snapshot_id: int, row: tuple[str, str]) -> Snapshot:
        tables = _read_columns(self.con, snapshot_id)
        return Snapshot(Organisation.from_dict(json.loads(row[1])), tables, frozenset(json.loads(row[0])))

    # --- the working state and the journal -------------------------------------------------------------

    def has_state(self) -> bool:
        return self.con.execute("SELECT 1 FROM snapshots WHERE id = ?", (STATE_ID,)).fetchone() is not None

    def state(self) -> Snapshot:
        """The working state that procedures change (состояние организации)."""
        row = self.con.execute("SELECT sheets, organisation FROM snapshots WHERE id = ?", (STATE_ID,)).fetchone()
        if row is None:
            raise StoreError(
                f"В хранилище «{self.path}» нет рабочего состояния организации. Начните его со снимка: "
                "sferum state start --from N (или создайте учебную организацию)."
            )
        return self._read(STATE_ID, row)

    def start_state(self, snapshot: Snapshot, source: str, *, keep_journal: bool = False) -> None:
        """Make ``snapshot`` the working state, replacing any earlier one.

        The journal of the earlier state is kept with ``keep_journal`` (a new upload of the organisation's data:
        what was done stays on record, each entry naming the state it was made on), else it starts anew (a
        practice organisation brought back to its start).
        """
        with self.transaction():
            self._drop_state()
            self.con.execute(
                "INSERT INTO snapshots (id, imported_at, source, sheets, organisation, rows, kind) "
                "VALUES (?, ?, ?, ?, ?, 0, 'state')",
                (
                    STATE_ID,
                    dt.datetime.now().isoformat(timespec="seconds"),
                    source,
                    json.dumps(sorted(snapshot.sheets), ensure_ascii=False),
                    json.dumps(snapshot.organisation.to_dict(), ensure_ascii=False),
                ),
            )
            self._write_tables(STATE_ID, snapshot, COLUMNS)
            if not keep_journal:
                self.con.execute("DELETE FROM journal")

    def _drop_state(self) -> None:
        self.con.execute("DELETE FROM snap_columns WHERE snapshot_id = ?", (STATE_ID,))
        self.con.execute("DELETE FROM snapshots WHERE id = ?", (STATE_ID,))

    def write_state(self, snapshot: Snapshot, tables: Iterable[str]) -> None:
        """Replace the changed tables and the organisation of the working state; call inside a transaction."""
        if not self.con.in_transaction:
            raise StoreError("Изменение состояния возможно только внутри транзакции.")
        self.con.execute(
            "UPDATE snapshots SET organisation = ?, sheets = ? WHERE id = ?",
            (
                json.dumps(snapshot.organisation.to_dict(), ensure_ascii=False),
                json.dumps(sorted(snapshot.sheets), ensure_ascii=False),
                STATE_ID,
            ),
        )
        tables = list(tables)
        for table in tables:
            self.con.execute("DELETE FROM snap_columns WHERE snapshot_id = ? AND tab = ?", (STATE_ID, table))
        self._write_tables(STATE_ID, snapshot, tables)

    def append_journal(self, entry: dict[str, object]) -> int:
        """Append one journal entry; call inside the transaction of the change it records.

        The entry records the working state it was made on (its source, e.g. «снимок № 2»).
        """
        if not self.con.in_transaction:
            raise StoreError("Запись в журнал возможна только вместе с изменением, внутри транзакции.")
        cursor = self.con.execute(
            "INSERT INTO journal (at, on_day, actor, duty, procedure, summary, object, params, state) "
            "VALUES (:at, :on_day, :actor, :duty, :procedure, :summary, :object, :params, "
            f"(SELECT source FROM snapshots WHERE id = {STATE_ID}))",
            {**entry, "params": json.dumps(entry.get("params") or {}, ensure_ascii=False, default=str)},
        )
        return int(cursor.lastrowid or 0)

    def journal(self) -> pd.DataFrame:
        """Every journal entry in order, across working states (``state``: the one it was made on)."""
        frame = pd.read_sql_query(
            "SELECT seq, at, on_day, actor, duty, procedure, summary, object, params, state FROM journal ORDER BY seq",
            self.con,
        )
        frame["params"] = frame["params"].map(json.loads)
        # an empty actor or object is None, never a float NaN that prints as «nan»
        for column in ("actor", "object", "state"):
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
        return frame

    # --- training progress ------------------------------------------------------------------------------

    def record_training(
        self, trainee: str, role: str, duty: str, kind: str, detail: str, correct: bool | None = None
    ) -> None:
        """Append a training event: ``kind`` is «done» (step performed), «answer» or «refused»."""
        with self.transaction():
            self.con.execute(
                "INSERT INTO training_events (at, trainee, role, duty, kind, detail, correct) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    dt.datetime.now().isoformat(timespec="seconds"),
                    trainee,
                    role,
                    duty,
                    kind,
                    detail,
                    None if correct is None else int(correct),
                ),
            )

    def training_events(self, trainee: str | None = None, role: str | None = None) -> pd.DataFrame:
        query = "SELECT seq, at, trainee, role, duty, kind, detail, correct FROM training_events"
        where, params = [], []
        if trainee is not None:
            where.append("trainee = ?")
            params.append(trainee)
        if role is not None:
            where.append("role = ?")
            params.append(role)
        if where:
            query += " WHERE " + " AND ".join(where)
        return pd.read_sql_query(query + " ORDER BY seq", self.con, params=params)

    def forget_training(self, trainee: str, role: str) -> None:
        with self.transaction():
            self.con.execute("DELETE FROM training_events WHERE trainee = ? AND role = ?", (trainee, role))
