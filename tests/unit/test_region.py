"""The region: workbooks of many organisations imported, audited and reported; the cluster equals the plain run."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sferum_lib.errors import StoreError, UsageError
from sferum_lib.region.cluster import Runner, runner
from sferum_lib.region.core import (
    CACHE_DIR,
    ERRORS_DIR,
    audit_region,
    find_workbooks,
    findings_records,
    import_region,
    indicators_by_org,
    region_dir,
    store_name,
)
from sferum_lib.region.demo import EARLIER, NOW, write_region
from sferum_lib.region.report import MEAN, build_region_report, write_region_report
from sferum_lib.store import Store

DAY = dt.date(2026, 11, 29)
N = 3


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("books")
    write_region(out, N, 60, seed=11, as_of=DAY)
    return out


@pytest.fixture(scope="module")
def region(books, tmp_path_factory) -> Path:
    """A region imported in this process: the reference every cluster run is compared with."""
    target = tmp_path_factory.mktemp("region") / "регион"
    for folder in (EARLIER, NOW):
        outcomes = import_region(books / folder, target, Runner())
        assert [o.accepted for o in outcomes] == [True] * N
    return target


def _broken_copy(source: Path, target: Path) -> None:
    """The workbook with a date that is not a date in the first data row of «Сотрудники»."""
    wb = load_workbook(source)
    ws = wb["Сотрудники"]
    headers = [c.value for c in ws[1]]
    ws.cell(row=2, column=headers.index("Дата приёма") + 1, value="тридцать второе")
    wb.save(target)


def test_demo_region_names_sizes_and_indicators_differ(books):
    names = sorted(p.name for p in (books / NOW).iterdir())
    assert len(names) == N and names == sorted(p.name for p in (books / EARLIER).iterdir())
    assert len(set(names)) == N


def test_each_organisation_gets_its_own_store_with_both_snapshots(region):
    stores = sorted(region.glob("*.db"))
    assert len(stores) == N
    for path in stores:
        with Store(path, create=False) as store:
            infos = store.snapshots()
        assert [i.number for i in infos] == [1, 2]
        assert store_name(infos[-1].organisation) == path.name
    results = audit_region(region, DAY, Runner())
    assert len({r.organisation for r in results}) == N
    assert len({json.dumps(r.indicators) for r in results}) == N  # varied organisations, not N copies


def test_region_audit_is_the_single_audit_of_each_organisation_plus_its_name(region):
    from sferum_lib.checks import audit

    records = findings_records(audit_region(region, DAY, Runner()))
    for path in sorted(region.glob("*.db")):
        with Store(path, create=False) as store:
            snapshot = store.snapshot()
        own = [
            {k: v for k, v in r.items() if k != "organisation"}
            for r in records
            if r["organisation"] == snapshot.organisation.short_name
        ]
        assert own == audit(snapshot, DAY).to_records()
        assert own  # the demo always finds something


def test_two_worker_local_cluster_gives_exactly_the_sequential_result(books, region, tmp_path):
    plain = audit_region(region, DAY, Runner(), history=True)
    shutil.rmtree(region / CACHE_DIR)  # the cluster audits afresh, not from what the plain run kept
    with runner(workers=2) as run:
        assert run.client is not None and len(run.client.scheduler_info()["workers"]) == 2
        clustered = audit_region(region, DAY, run, history=True)
        # importing on the cluster stores the same snapshots as importing here
        target = tmp_path / "кластер"
        for folder in (EARLIER, NOW):
            outcomes = import_region(books / folder, target, run)
            assert all(o.accepted for o in outcomes)
        imported = audit_region(target, DAY, run, history=True)
    assert [dataclasses.asdict(r) for r in clustered] == [dataclasses.asdict(r) for r in plain]
    assert findings_records(imported) == findings_records(plain)
    assert indicators_by_org(imported) == indicators_by_org(plain)
    assert [r.trend for r in imported] == [r.trend for r in plain]


def test_a_refused_workbook_does_not_stop_the_others_and_gets_its_annotated_copy(books, tmp_path):
    inbox = tmp_path / "почта"
    shutil.copytree(books / NOW, inbox)
    first = sorted(inbox.glob("*.xlsx"))[0]
    _broken_copy(first, first)
    (inbox / "старый формат.xls").write_bytes(b"not really")
    (inbox / "~$открыт в Excel.xlsx").write_bytes(b"lock")
    (inbox / "письмо.txt").write_text("здравствуйте", encoding="utf-8")
    target = tmp_path / "регион"
    outcomes = {o.source: o for o in import_region(inbox, target, Runner())}
    assert set(outcomes) == {p.name for p in inbox.glob("*.xlsx") if not p.name.startswith("~$")} | {
        "старый формат.xls"
    }
    broken = outcomes[first.name]
    assert not broken.accepted and broken.error_count == 1
    assert (
        "Сотрудники" in broken.errors[0] and "Дата приёма" in broken.errors[0] and "тридцать второе" in broken.errors[0]
    )
    copy = Path(broken.errors_copy)
    assert copy.parent == target / ERRORS_DIR and "Ошибки" in load_workbook(copy).sheetnames
    assert "сохраните книгу как .xlsx" in outcomes["старый формат.xls"].errors[0]
    accepted = [o for o in outcomes.values() if o.accepted]
    assert len(accepted) == N - 1
    assert sorted(p.name for p in target.glob("*.db")) == sorted(o.store for o in accepted)  # nothing half-written


def test_two_workbooks_of_one_organisation_are_both_refused(books, tmp_path):
    inbox = tmp_path / "почта"
    inbox.mkdir()
    source = sorted((books / NOW).glob("*.xlsx"))[0]
    shutil.copy(source, inbox / "первая.xlsx")
    shutil.copy(source, inbox / "исправленная.xlsx")
    outcomes = import_region(inbox, tmp_path / "регион", Runner())
    assert [o.accepted for o in outcomes] == [False, False]
    assert all("несколько книг организации" in o.errors[0] for o in outcomes)
    assert not list((tmp_path / "регион").glob("*.db"))


def test_csv_folders_are_organisations_too(books, tmp_path):
    from sferum_lib.region.demo import organisation
    from sferum_lib.workbook.writer import export_snapshot

    # a CSV folder written from a workbook by the writer's own sheet order
    snapshot = organisation(7, 50, 11, DAY)
    book = tmp_path / "книга.xlsx"
    export_snapshot(snapshot, book)
    folder = tmp_path / "почта" / "ЦДО в CSV"
    folder.mkdir(parents=True)
    wb = load_workbook(book)
    for ws in wb.worksheets:
        with (folder / f"{ws.title}.csv").open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, delimiter=";")
            for row in ws.iter_rows(values_only=True):
                writer.writerow(
                    ["" if v is None else v.strftime("%d.%m.%Y") if hasattr(v, "strftime") else v for v in row]
                )
    inbox = find_workbooks(tmp_path / "почта")
    assert inbox.sources == [folder]
    outcomes = import_region(tmp_path / "почта", tmp_path / "регион", Runner())
    assert outcomes[0].accepted, outcomes[0].errors
    assert outcomes[0].organisation == snapshot.organisation.short_name


def test_user_mistakes_are_named_in_russian(tmp_path):
    with pytest.raises(UsageError, match="не найдена"):
        find_workbooks(tmp_path / "нет такой")
    (tmp_path / "пусто").mkdir()
    with pytest.raises(UsageError, match="нет книг организаций"):
        find_workbooks(tmp_path / "пусто")
    (tmp_path / "sferum.db").write_bytes(b"")
    with pytest.raises(UsageError, match="файл, а для региона нужна папка"):
        region_dir(tmp_path / "sferum.db")
    with pytest.raises(StoreError, match="не найдена"):
        region_dir(tmp_path / "нет региона")
    with pytest.raises(StoreError, match="нет хранилищ организаций"):
        audit_region(tmp_path / "пусто", DAY, Runner())


def test_unreachable_scheduler_is_a_russian_usage_error():
    with (
        pytest.raises(UsageError, match=re.escape("планировщику Dask «tcp://127.0.0.1:9»")),
        runner("tcp://127.0.0.1:9"),
    ):
        pass


def test_store_names_are_safe_file_names():
    assert store_name("МБУДО «ЦНТТ» Керчь") == "МБУДО «ЦНТТ» Керчь.db"
    assert store_name('A/B:C*?"<>|') == "A_B_C_.db"
    assert store_name("..") == "организация.db"


def test_region_report_ranks_counts_and_carries_no_personal_data(region, tmp_path):
    data = build_region_report(region, DAY, Runner())
    tables = {t.key: t.frame for t in data.tables}
    rank = tables["organisations"]
    assert len(rank) == N and list(rank["Место"]) == [1, 2, 3]
    assert list(rank[MEAN]) == sorted(rank[MEAN], reverse=True)
    results = audit_region(region, DAY, Runner(), history=True)
    for r in results:
        row = rank[rank["Организация"] == r.organisation].iloc[0]
        assert row["Нарушений"] + row["Замечаний"] == len(r.findings)
        assert row["Обучающихся"] == r.people["pupils"]
    duties = tables["duties"]
    assert list(duties["Организаций"]) == sorted(duties["Организаций"], reverse=True)
    for item in duties.itertuples(index=False):
        assert (
            item.Организаций == sum(1 for r in results if any(f["duty"] == item.Обязанность for f in r.findings))
            or item.Организаций <= N
        )
    assert len(tables["trend"]) == 2 * N
    people = sum(sum(r.people.values()) for r in results)
    assert data.summary[0] == f"Организаций: {N}; людей в их последних снимках: {people}."
    last = rank.iloc[-1]
    assert f"Отстают: {last['Организация']} — {last[MEAN]:.1f} %".replace(".", ",") in " ".join(data.summary)
    assert {c.key for c in data.charts} == {"spread", "duties"}
    paths = write_region_report(data, tmp_path / "отчёт")
    html = paths["html"].read_text(encoding="utf-8")
    # no person's name, phone or email: only counts and shares
    with Store(sorted(region.glob("*.db"))[0], create=False) as store:
        snapshot = store.snapshot()
    for name in snapshot.staff["last_name"].head(20):
        assert name not in html
    assert not re.search(r"\+7\d{10}|@example", html)
    about, sheet = load_workbook(paths["xlsx"]).worksheets[:2]  # what the report is, then its first table
    assert about.title == "Об отчёте"
    assert sheet.max_row == N + 1 and sheet.cell(1, 2).value == "Организация"


def test_region_report_escapes_organisation_names(region, tmp_path):
    from sferum_lib.region.demo import organisation

    hostile = tmp_path / "регион"
    shutil.copytree(region, hostile)
    snapshot = organisation(5, 40, 3, DAY)
    snapshot = dataclasses.replace(
        snapshot, organisation=dataclasses.replace(snapshot.organisation, short_name="<script>alert(1)</script> & Ко")
    )
    with Store(hostile / store_name(snapshot.organisation.short_name)) as store:
        store.add_snapshot(snapshot, "вручную")
    html = write_region_report(build_region_report(hostile, DAY, Runner()), tmp_path / "отчёт")["html"]
    text = html.read_text(encoding="utf-8")
    assert "<script>alert" not in text and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Ко" in text


def test_terminal_tables_are_russian_and_name_every_organisation(region):
    from sferum_lib.region.tables import audit_table, indicators_table

    results = audit_region(region, DAY, Runner())
    text = audit_table(results, DAY)
    total = sum(len(r.findings) for r in results)
    assert text.startswith(f"Аудит региона на 29.11.2026: организаций {N};")
    assert all(r.organisation in text for r in results)
    counted = 0
    for r in results:
        line = next(x for x in text.splitlines() if x.startswith(r.organisation))
        numbers = [int(t) for t in line[len(r.organisation) :].split()[:2]]
        assert sum(numbers) == len(r.findings)
        counted += sum(numbers)
    assert counted == total
    table = indicators_table(results, DAY)
    assert "Показатели организаций региона на 29.11.2026, %" in table
    assert "1. Педагоги присоединились к платформе\n" in table and "staff_joined" not in table
    first = results[0]
    row = next(x for x in table.splitlines() if x.startswith(first.organisation))
    shown = row[len(first.organisation) :].split()
    assert shown[0] == f"{first.indicators['staff_joined'] * 100:.1f}".replace(".", ",")


def test_an_audit_is_kept_beside_the_stores_and_reused_until_the_day_or_the_snapshot_changes(books, tmp_path):
    import stat

    target = tmp_path / "регион"
    assert all(o.accepted for o in import_region(books / EARLIER, target, Runner()))
    first = audit_region(target, DAY, Runner(), history=True)
    kept = sorted((target / CACHE_DIR).glob("*.json"))
    assert len(kept) == N and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in kept)
    assert stat.S_IMODE((target / CACHE_DIR).stat().st_mode) == 0o700
    again = audit_region(target, DAY, Runner(), history=True)
    assert [dataclasses.asdict(r) for r in again] == [dataclasses.asdict(r) for r in first]
    # what the next command reads is the kept audit: marked, it comes back marked
    document = json.loads(kept[0].read_text(encoding="utf-8"))
    marked = document["result"]["organisation"]
    document["result"]["findings"] = []
    kept[0].write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    reused = {r.organisation: r for r in audit_region(target, DAY, Runner())}
    assert reused[marked].findings == []
    # another day, or a new snapshot, is audited afresh
    other_day = {r.organisation: r for r in audit_region(target, DAY - dt.timedelta(days=1), Runner())}
    assert other_day[marked].findings
    assert all(o.accepted for o in import_region(books / NOW, target, Runner()))
    fresh = {r.organisation: r for r in audit_region(target, DAY, Runner(), history=True)}
    assert fresh[marked].findings and fresh[marked].snapshot == 2 and len(fresh[marked].trend) == 2


def _no_cluster() -> None:
    raise AssertionError("a cluster was started though everything was kept")


def test_a_report_after_the_days_audit_starts_no_cluster_and_equals_a_fresh_one(books, tmp_path):
    target = tmp_path / "регион"
    for folder in (EARLIER, NOW):
        assert all(o.accepted for o in import_region(books / folder, target, Runner()))
    fresh = audit_region(target, DAY, Runner(), history=True)  # audits, and keeps the earlier snapshots' points
    document = json.loads(sorted((target / CACHE_DIR).glob("*.json"))[0].read_text(encoding="utf-8"))
    assert len(document["points"]) == 1  # the earlier snapshot; the latest on the day is the audit itself
    kept = audit_region(target, DAY, Runner(start=_no_cluster), history=True)
    assert [dataclasses.asdict(r) for r in kept] == [dataclasses.asdict(r) for r in fresh]
    # the audit without the trend, then the report with it: the points are computed once, by the report
    shutil.rmtree(target / CACHE_DIR)
    audit_region(target, DAY, Runner())
    with pytest.raises(AssertionError, match="a cluster was started"):
        audit_region(target, DAY, Runner(start=_no_cluster), history=True)
    again = audit_region(target, DAY, Runner(), history=True)
    assert [dataclasses.asdict(r) for r in again] == [dataclasses.asdict(r) for r in fresh]
    # a kept point is what the next report shows: marked, it comes back marked
    path = sorted((target / CACHE_DIR).glob("*.json"))[0]
    document = json.loads(path.read_text(encoding="utf-8"))
    (point,) = document["points"]
    document["points"][point] = {key: 0.5 for key in document["points"][point]}
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    marked = {r.organisation: r for r in audit_region(target, DAY, Runner(start=_no_cluster), history=True)}
    assert marked[document["result"]["organisation"]].trend[0]["indicators"] == document["points"][point]


def test_a_local_cluster_starts_only_when_given_work(region):
    audit_region(region, DAY, Runner())  # kept
    with runner(workers=2) as run:
        assert len(audit_region(region, DAY, run)) == N
        assert not run.started
        assert run.map(len, []) == [] and not run.started


@pytest.mark.parametrize(
    "data",
    [
        [{"organisation": "ЦДО", "check": "x", "subject": None}],
        {"ЦДО": {"staff_joined": 0.5, "pupils_joined": None}},
        {"ЦДО": {"staff_joined": float("nan")}},
        "numpy",
    ],
)
def test_json_output_is_what_the_reports_conversion_gives(capsys, data):
    import numpy as np
    import pandas as pd

    from sferum_lib.region.cli import _print_json
    from sferum_lib.reports.artifacts import plain

    if data == "numpy":
        data = [{"n": np.int64(3), "f": np.float64(0.25), "nan": np.float64("nan"), "day": pd.Timestamp("2026-11-29")}]
    _print_json(data)
    assert capsys.readouterr().out == json.dumps(plain(data), ensure_ascii=False, indent=1) + "\n"
