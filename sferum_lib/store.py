"""The SQLite store: every imported snapshot, numbered from 1, in one file readable by its owner only.

Commands that only read open the file read-only: they never migrate it, switch it to WAL or touch a file that
is not a store. SQLite's English errors become Russian :class:`StoreError` messages (:func:`store_error`).

The file runs in WAL mode so a report can read while an import writes; the schema carries a version
(``PRAGMA user_version``) and is brought up to date by the migrations below when a store is opened. Each
import is one transaction: a failure leaves the store as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import urllib.parse
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sferum_lib.errors import StoreError
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

#: Columns of each snapshot table in the current schema.
COLUMNS: dict[str, tuple[str, ...]] = {
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

#: Migrations in order; migration i brings the schema from version i to i + 1.
MIGRATIONS: tuple[str, ...] = (_v1(), _V2, _V3, _V4, _V5)
#: The working state that procedures change lives under this snapshot id; imports are numbered from 1.
STATE_ID = 0
SCHEMA_VERSION = len(MIGRATIONS)


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
    return (
        f"Хранилище «{path}» не найдено: данных организации нет. Загрузите свою книгу: sferum import КНИГА.xlsx "
        "(хранилище sferum.db появится в текущей папке) или укажите хранилище: --store ПУТЬ. "
        "Посмотреть на демонстрационной организации: добавьте --demo (например, sferum report audit --demo)."
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


def _to_sql(frame: pd.DataFrame, table: str, names: Iterable[str]) -> list[tuple[object, ...]]:
    """Rows of the named columns ready for sqlite3: ISO dates, 0/1 flags, None for empty."""
    columns: list[np.ndarray] = []
    for column in names:
        dtype = TABLES[table][column]
        values = frame[column]
        if dtype == DATE:
            text = np.datetime_as_string(values.to_numpy().astype("datetime64[D]"))
            columns.append(np.where(values.isna().to_numpy(), None, text).astype(object))
        elif dtype == FLAG:
            columns.append(values.to_numpy().astype(np.int64).astype(object))
        else:
            columns.append(values.astype(object).where(values.notna(), None).to_numpy())
    return list(zip(*columns, strict=True)) if columns else []


def _from_sql(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    out = {}
    for column, dtype in TABLES[table].items():
        values = frame[column]
        if dtype == DATE:
            out[column] = pd.to_datetime(values, format="%Y-%m-%d")
        elif dtype == FLAG:
            out[column] = values.fillna(0).astype(bool)
        else:
            out[column] = values
    return conform(pd.DataFrame(out), table)


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
        if self.path.is_dir():
            raise StoreError(f"«{self.path}» — папка, а не файл хранилища. Укажите файл: --store ПАПКА/sferum.db")
        if not self.path.exists():
            if readonly or not create:
                raise StoreError(missing_store_message(self.path))
            try:
                _create_private(self.path)
            except OSError as exc:
                raise StoreError(f"Не удаётся создать хранилище «{self.path}»: {exc.strerror}.") from None
        _make_private(self.path)
        if not readonly and not _writable(self.path):
            self.readonly = True  # read-only media: reading works, a write says so in Russian
        try:
            self.con = self._connect()
            self._check()
            if not self.readonly:
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
        if self.readonly and version < SCHEMA_VERSION:
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
                for statement in MIGRATIONS[number].split(";\n"):
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
        for table in tables:
            columns = COLUMNS[table]
            placeholders = ", ".join("?" * (len(columns) + 1))
            names = ", ".join(f'"{c}"' for c in columns)
            data = [(snapshot_id, *row) for row in _to_sql(snapshot.tables[table], table, columns)]
            self.con.executemany(f'INSERT INTO "snap_{table}" (snapshot_id, {names}) VALUES ({placeholders})', data)

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

    def snapshot(self, number: int | None = None) -> Snapshot:
        """Load snapshot ``number`` (the latest when ``None``)."""
        number = self.latest() if number is None else number
        row = self.con.execute("SELECT sheets, organisation FROM snapshots WHERE id = ?", (number,)).fetchone()
        if row is None or number < 1:
            known = ", ".join(str(s.number) for s in self.snapshots()) or "нет"
            raise StoreError(f"В хранилище нет снимка № {number}. Имеющиеся снимки: {known}.")
        return self._read(number, row)

    def _read(self, snapshot_id: int, row: tuple[str, str]) -> Snapshot:
        tables = {}
        for table, columns in COLUMNS.items():
            names = ", ".join(f'"{c}"' for c in columns)
            frame = pd.read_sql_query(
                f'SELECT {names} FROM "snap_{table}" WHERE snapshot_id = ? ORDER BY rowid',
                self.con,
                params=(snapshot_id,),
            )
            tables[table] = _from_sql(frame, table)
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

    def start_state(self, snapshot: Snapshot, source: str) -> None:
        """Make ``snapshot`` the working state, replacing any earlier one and its journal."""
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
            self.con.execute("DELETE FROM journal")

    def _drop_state(self) -> None:
        for table in COLUMNS:
            self.con.execute(f'DELETE FROM "snap_{table}" WHERE snapshot_id = ?', (STATE_ID,))
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
            self.con.execute(f'DELETE FROM "snap_{table}" WHERE snapshot_id = ?', (STATE_ID,))
        self._write_tables(STATE_ID, snapshot, tables)

    def append_journal(self, entry: dict[str, object]) -> int:
        """Append one journal entry; call inside the transaction of the change it records."""
        if not self.con.in_transaction:
            raise StoreError("Запись в журнал возможна только вместе с изменением, внутри транзакции.")
        cursor = self.con.execute(
            "INSERT INTO journal (at, on_day, actor, duty, procedure, summary, object, params) "
            "VALUES (:at, :on_day, :actor, :duty, :procedure, :summary, :object, :params)",
            {**entry, "params": json.dumps(entry.get("params") or {}, ensure_ascii=False, default=str)},
        )
        return int(cursor.lastrowid or 0)

    def journal(self) -> pd.DataFrame:
        """Every journal entry in order."""
        frame = pd.read_sql_query(
            "SELECT seq, at, on_day, actor, duty, procedure, summary, object, params FROM journal ORDER BY seq",
            self.con,
        )
        frame["params"] = frame["params"].map(json.loads)
        # an empty actor or object is None, never a float NaN that prints as «nan»
        for column in ("actor", "object"):
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
