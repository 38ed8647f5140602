"""The SQLite store: numbering, round trip, privacy, one transaction per import, migrations, the journal."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pandas as pd
import pytest

from sferum_lib import store as store_module
from sferum_lib.demo import generate
from sferum_lib.errors import StoreError
from sferum_lib.model import DATE, FLAG, TABLES
from sferum_lib.store import SCHEMA_VERSION, Store
from tests.helpers import AS_OF, clean_book, snapshot_of

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example.xlsx"


def test_snapshots_are_numbered_from_one_in_import_order(tmp_path):
    snapshot = snapshot_of(clean_book())
    with Store(tmp_path / "s.db") as store:
        assert [store.add_snapshot(snapshot, "a.xlsx") for _ in range(3)] == [1, 2, 3]
        assert store.latest() == 3
        assert [s.number for s in store.snapshots()] == [1, 2, 3]


def test_snapshot_reads_back_equal(tmp_path):
    snapshot = snapshot_of(clean_book())
    with Store(tmp_path / "s.db") as store:
        back = store.snapshot(store.add_snapshot(snapshot, "a.xlsx"))
    assert back.organisation == snapshot.organisation
    assert back.sheets == snapshot.sheets
    for name, table in snapshot.tables.items():
        assert back.tables[name].equals(table), name


def test_a_large_generated_organisation_reads_back_equal_whatever_its_columns_hold(tmp_path):
    snapshot = generate(3000, as_of=dt.date(2026, 11, 29))
    staff = snapshot.staff.copy()
    staff.loc[0, "cabinet"] = "каб.\x00 12"  # the packing separator inside a value
    staff.loc[1, "cabinet"] = ""  # an empty string is not an empty cell
    staff.loc[2, "cabinet"] = None
    snapshot = snapshot.with_tables(staff=staff)
    with Store(tmp_path / "s.db") as store:
        back = store.snapshot(store.add_snapshot(snapshot, "demo"))
        kinds = dict(store.con.execute("SELECT col, kind FROM snap_columns WHERE tab = 'members'").fetchall())
    assert kinds["chat_id"] == "dict8"  # repeated values are packed as a dictionary, one byte a code for < 255
    for name, table in snapshot.tables.items():
        assert back.tables[name].equals(table), name
    assert back.staff["cabinet"].iloc[:3].tolist()[:2] == ["каб.\x00 12", ""]
    assert pd.isna(back.staff["cabinet"].iloc[2])


def test_store_file_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "private.db"
    with Store(path) as store:
        store.add_snapshot(snapshot_of(clean_book()), "a.xlsx")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_store_uses_wal_and_records_its_schema_version(tmp_path):
    with Store(tmp_path / "s.db") as store:
        assert store.con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.con.execute("PRAGMA page_size").fetchone()[0] == store_module.PAGE_SIZE
        assert store.schema_version == SCHEMA_VERSION


def test_missing_store_is_not_created_when_only_reading(tmp_path):
    with pytest.raises(StoreError, match="не найдено"):
        Store(tmp_path / "none.db", create=False)
    assert not (tmp_path / "none.db").exists()


def test_unknown_snapshot_number_names_the_ones_there(tmp_path):
    with Store(tmp_path / "s.db") as store:
        store.add_snapshot(snapshot_of(clean_book()), "a.xlsx")
        with pytest.raises(StoreError, match=r"№ 7.*1"):
            store.snapshot(7)


def test_empty_store_says_to_import_first(tmp_path):
    with Store(tmp_path / "s.db") as store, pytest.raises(StoreError, match="sferum import"):
        store.snapshot()


def test_failure_in_the_middle_of_an_import_leaves_the_store_as_it_was(tmp_path, monkeypatch):
    snapshot = snapshot_of(clean_book())
    with Store(tmp_path / "s.db") as store:
        store.add_snapshot(snapshot, "a.xlsx")
        real = store_module._pack
        packed = []

        def failing(values, dtype):
            packed.append(values.name)
            if values.name == "last_message":  # staff, sections, pupils … are already written by now
                raise RuntimeError("диск переполнен")
            return real(values, dtype)

        monkeypatch.setattr(store_module, "_pack", failing)
        with pytest.raises(RuntimeError):
            store.add_snapshot(snapshot, "b.xlsx")
        assert "position" in packed
        assert [s.number for s in store.snapshots()] == [1]
        columns = sum(len(c) for c in TABLES.values())
        assert store.con.execute("SELECT count(*) FROM snap_columns").fetchone()[0] == columns


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "s.db"
    Store(path).close()
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    con.close()
    with pytest.raises(StoreError, match="более новой версией"):
        Store(path)


def test_foreign_file_is_refused_in_russian(tmp_path):
    path = tmp_path / "not.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="не является хранилищем"):
        Store(path)


def _import_many(path: str, n: int) -> None:
    snapshot = snapshot_of(clean_book())
    with Store(path) as store:
        for _ in range(n):
            store.add_snapshot(snapshot, "parallel.xlsx")


def test_two_processes_importing_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "s.db")
    Store(path).close()
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_import_many, args=(path, 5)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    with Store(path) as store:
        assert [s.number for s in store.snapshots()] == list(range(1, 11))
        assert all(store.snapshot(n).staff.equals(store.snapshot(1).staff) for n in range(2, 11))


# --- stores of older versions -----------------------------------------------------------------------------------


def _legacy_rows(frame: pd.DataFrame, table: str, columns: tuple[str, ...]) -> list[tuple[object, ...]]:
    """Rows as versions 1–5 stored them: ISO dates, 0/1 flags, NULL for empty."""
    out = []
    for column in columns:
        values, dtype = frame[column], TABLES[table][column]
        if dtype == DATE:
            out.append([None if pd.isna(v) else v.date().isoformat() for v in values])
        elif dtype == FLAG:
            out.append([int(v) for v in values])
        else:
            out.append([None if pd.isna(v) else v for v in values])
    return list(zip(*out, strict=True))


def _old_store(path, version: int, snapshot, *, state: bool = False) -> None:
    """A store as the program of schema ``version`` (1–5) left it: one SQL row per person."""
    columns = store_module._V1_COLUMNS if version < 5 else store_module._V5_COLUMNS
    assert version in (1, 5)
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN")
    for migration in store_module.MIGRATIONS[:version]:
        for statement in migration.split(";\n"):
            con.execute(statement)
    con.execute(f"PRAGMA user_version = {version}")
    org = json.dumps(snapshot.organisation.to_dict(), ensure_ascii=False)
    sheets = json.dumps(sorted(snapshot.sheets), ensure_ascii=False)
    numbers = [1, 0] if state else [1]
    for number in numbers:
        con.execute(
            "INSERT INTO snapshots (id, imported_at, source, sheets, organisation, rows) VALUES (?, ?, ?, ?, ?, 0)",
            (number, "2026-10-01T10:00:00", "old.xlsx" if number else "снимок № 1", sheets, org),
        )
        for table, names in columns.items():
            quoted = ", ".join(f'"{c}"' for c in names)
            marks = ", ".join("?" * (len(names) + 1))
            rows = [(number, *r) for r in _legacy_rows(snapshot.tables[table], table, names)]
            con.executemany(f'INSERT INTO "snap_{table}" (snapshot_id, {quoted}) VALUES ({marks})', rows)
    if state:
        con.execute(
            "INSERT INTO journal (at, on_day, actor, duty, procedure, summary, object, params) "
            "VALUES ('2026-10-02T09:00:00', '2026-10-02', 'E02', 'ADM-13', 'annul_invite', 'ссылка аннулирована', "
            "'I1', '{}')"
        )
    con.execute("COMMIT")
    con.close()
    os.chmod(path, 0o600)


def test_a_version_1_store_is_migrated_keeping_its_snapshots(tmp_path):
    path = tmp_path / "old.db"
    snapshot = snapshot_of(clean_book())
    _old_store(path, 1, snapshot)
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        back = store.snapshot(1)
        assert back.staff.equals(snapshot.staff)
        assert back.invites["token"].isna().all()
        assert store.journal().empty


def test_a_version_5_store_is_migrated_once_keeping_snapshots_state_and_journal(tmp_path):
    path = tmp_path / "v5.db"
    snapshot = generate(1500, as_of=dt.date(2026, 11, 29))
    _old_store(path, 5, snapshot, state=True)
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        tables = {r[0] for r in store.con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "snap_staff" not in tables and "snap_columns" in tables  # the row tables are gone
        for back in (store.snapshot(1), store.state()):
            for name, table in snapshot.tables.items():
                assert back.tables[name].equals(table), name
        assert store.journal()["summary"].tolist() == ["ссылка аннулирована"]
        before = store.con.execute("SELECT count(*) FROM snap_columns").fetchone()[0]
    with Store(path) as store:  # opened again: nothing more to move
        assert store.con.execute("SELECT count(*) FROM snap_columns").fetchone()[0] == before
        assert store.snapshot(1).members.equals(snapshot.members)


# --- opened with care ---------------------------------------------------------------------------------------


def test_reading_never_switches_a_foreign_database_to_wal_nor_adds_tables(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (text TEXT)")
    con.commit()
    con.close()
    before = path.read_bytes()
    for kwargs in ({"readonly": True}, {"create": True}, {"create": False}):
        with pytest.raises(StoreError, match="не является хранилищем"):
            Store(path, **kwargs)
    assert path.read_bytes() == before
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert [r[0] for r in con.execute("SELECT name FROM sqlite_master")] == ["notes"]
    con.close()


def test_an_empty_file_is_initialised_by_an_import_but_refused_by_a_reading_command(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    with pytest.raises(StoreError, match="не является хранилищем"):
        Store(path, readonly=True)
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION


def test_a_read_only_store_refuses_writes_in_russian(tmp_path):
    path = tmp_path / "s.db"
    with Store(path) as store:
        store.add_snapshot(snapshot_of(clean_book()), "a.xlsx")
    with Store(path, readonly=True) as store:
        assert store.snapshot(1).organisation.short_name == "УДО «Тест»"
        with pytest.raises(StoreError, match="только для чтения"):
            store.add_snapshot(snapshot_of(clean_book()), "b.xlsx")


def test_reading_an_older_store_of_ours_brings_it_up_to_date_first(tmp_path):
    path = tmp_path / "old.db"
    _old_store(path, 5, snapshot_of(clean_book()))
    with Store(path, readonly=True) as store:
        assert store.readonly and store.schema_version == SCHEMA_VERSION
        assert store.snapshot(1).staff["id"].tolist()[:2] == ["E01", "E02"]


def test_a_store_with_loose_rights_becomes_private_when_opened(tmp_path):
    path = tmp_path / "s.db"
    Store(path).close()
    os.chmod(path, 0o644)
    Store(path, readonly=True).close()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.parametrize(
    ("english", "russian", "code"),
    [
        ("database is locked", "занято другой программой", 1),
        ("database or disk is full", "Нет места на диске", 1),
        ("database disk image is malformed", "повреждён", 2),
        ("file is not a database", "не является хранилищем", 2),
        ("attempt to write a readonly database", "только для чтения", 2),
        ("something new", "Ошибка хранилища", 1),
    ],
)
def test_sqlite_errors_become_russian_with_an_exit_code(english, russian, code):
    error = store_module.store_error(sqlite3.OperationalError(english), "/data/s.db")
    assert russian in str(error) and "«/data/s.db»" in str(error)
    assert getattr(error, "exit_code", 2) == code


def test_the_journal_shows_none_not_nan_for_an_empty_actor(tmp_path):
    with Store(tmp_path / "s.db") as store:
        store.start_state(snapshot_of(clean_book()), "снимок № 1")
        with store.transaction():
            store.append_journal({"at": "2026-10-15T10:00:00", "on_day": "2026-10-15", "actor": None, "duty": "ADM-18",
                                  "procedure": "hand_statistics", "summary": "передано", "object": None, "params": {}})
        journal = store.journal()
    assert journal["actor"].tolist() == [None] and journal["object"].tolist() == [None]


def _journal_entry(store: Store, summary: str) -> None:
    with store.transaction():
        store.append_journal({"at": "2026-10-15T10:00:00", "on_day": "2026-10-15", "actor": "E02", "duty": "ADM-13",
                              "procedure": "annul_invite", "summary": summary, "object": "I1", "params": {}})


def test_the_journal_survives_a_new_working_state_and_names_the_state_of_each_entry(tmp_path):
    snapshot = snapshot_of(clean_book())
    with Store(tmp_path / "s.db") as store:
        store.start_state(snapshot, "снимок № 1")
        _journal_entry(store, "первое")
        store.start_state(snapshot, "снимок № 2", keep_journal=True)
        _journal_entry(store, "второе")
        journal = store.journal()
    assert journal["summary"].tolist() == ["первое", "второе"]
    assert journal["state"].tolist() == ["снимок № 1", "снимок № 2"]


def test_a_practice_restart_begins_the_journal_anew(tmp_path):
    snapshot = snapshot_of(clean_book())
    with Store(tmp_path / "s.db") as store:
        store.start_state(snapshot, "начало занятия")
        _journal_entry(store, "первое")
        store.start_state(snapshot, "начало занятия (сброс)")
        assert store.journal().empty


def test_a_journal_entry_made_before_a_second_upload_is_still_there_after_it(tmp_path):
    from sferum_lib import work

    store_path = tmp_path / "org.db"
    book = tmp_path / "пример.xlsx"
    shutil.copy(EXAMPLE, book)
    assert work.upload(store_path, [(book.name, book.read_bytes())], AS_OF).number == 1
    with Store(store_path) as store:
        work.perform(store, work.Action("Аннулировать", "annul_invite", {"invite_id": "I1"}), "E03", AS_OF)
        before = store.journal()
    assert work.upload(store_path, [(book.name, book.read_bytes())], AS_OF).number == 2
    assert not list(tmp_path.glob("org.db.журнал-*"))  # no copy of the journal beside the store any more
    with Store(store_path) as store:
        after = store.journal()
        assert store.state().invites.set_index("id").loc["I1", "annulled"] is pd.NaT  # the new data as uploaded
    assert len(before) == 1 and after["seq"].tolist() == before["seq"].tolist()
    assert after["summary"].tolist() == before["summary"].tolist() and after["state"].tolist() == ["снимок № 1"]


def test_every_packing_of_text_reads_back_with_the_dtype_and_the_empty_cells_pandas_gives(tmp_path):
    snapshot = generate(3000, as_of=dt.date(2026, 11, 29))
    parents = snapshot.parents.copy()
    parents.loc[5, "last_name"] = None  # an empty cell in a dictionary-packed column
    parents.loc[6, "email"] = None  # … and in a plain one
    parents["gender"] = pd.array([None] * len(parents), dtype=parents["gender"].dtype)  # a column nobody filled in
    snapshot = snapshot.with_tables(parents=parents)
    with Store(tmp_path / "s.db") as store:
        back = store.snapshot(store.add_snapshot(snapshot, "demo")).parents
        kinds = dict(store.con.execute("SELECT col, kind FROM snap_columns WHERE tab = 'parents'").fetchall())
    assert (kinds["last_name"], kinds["email"], kinds["gender"]) == ("dict16", "text", "text")
    for column in ("last_name", "email", "gender"):
        expected = pd.array(parents[column].to_numpy(dtype=object), dtype=TABLES["parents"][column])
        assert back[column].dtype == expected.dtype, column
        assert back[column].array.equals(expected), column
    assert pd.isna(back["last_name"].iloc[5]) and pd.isna(back["email"].iloc[6])
    assert back["gender"].isna().all()
