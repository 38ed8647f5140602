"""The SQLite store: numbering, round trip, privacy, one transaction per import, migrations."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import stat

import pytest

from sferum_lib import store as store_module
from sferum_lib.errors import StoreError
from sferum_lib.store import SCHEMA_VERSION, Store
from tests.helpers import clean_book, snapshot_of


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


def test_store_file_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "private.db"
    with Store(path) as store:
        store.add_snapshot(snapshot_of(clean_book()), "a.xlsx")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_store_uses_wal_and_records_its_schema_version(tmp_path):
    with Store(tmp_path / "s.db") as store:
        assert store.con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
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
        real = store_module._to_sql

        def failing(frame, table, columns):
            if table == "chats":  # staff, sections, pupils … are already written by now
                raise RuntimeError("диск переполнен")
            return real(frame, table, columns)

        monkeypatch.setattr(store_module, "_to_sql", failing)
        with pytest.raises(RuntimeError):
            store.add_snapshot(snapshot, "b.xlsx")
        assert [s.number for s in store.snapshots()] == [1]
        assert store.con.execute("SELECT count(*) FROM snap_staff").fetchone()[0] == len(snapshot.staff)


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
        assert store.con.execute("SELECT count(*) FROM snap_staff").fetchone()[0] == 40


def test_a_version_1_store_is_migrated_keeping_its_snapshots(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    snapshot = snapshot_of(clean_book())
    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:1])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", 1)
    monkeypatch.setattr(store_module, "COLUMNS", store_module._V1_COLUMNS)
    with Store(path) as old:
        old.add_snapshot(snapshot, "old.xlsx")
        assert old.schema_version == 1
    monkeypatch.undo()
    with Store(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        back = store.snapshot(1)
        assert back.staff.equals(snapshot.staff)
        assert back.invites["token"].isna().all()
        assert store.journal().empty


# --- opened with care ---------------------------------------------------------------------------------------


def _version_1_store(path, monkeypatch) -> None:
    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:1])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", 1)
    monkeypatch.setattr(store_module, "COLUMNS", store_module._V1_COLUMNS)
    with Store(path) as old:
        old.add_snapshot(snapshot_of(clean_book()), "old.xlsx")
    monkeypatch.undo()


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


def test_reading_an_older_store_of_ours_brings_it_up_to_date_first(tmp_path, monkeypatch):
    path = tmp_path / "old.db"
    _version_1_store(path, monkeypatch)
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
