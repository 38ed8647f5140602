"""Report notebooks executed by papermill inside pytest, asserting on the artifacts they leave."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path

import papermill
import pytest
from openpyxl import load_workbook

from sferum_lib.cli import main
from sferum_lib.errors import StoreError, UsageError
from sferum_lib.reports import REPORTS
from sferum_lib.reports.artifacts import mask_email, mask_phone
from sferum_lib.reports.runner import ReportFailed, notebook_path, run_all, run_report
from sferum_lib.store import Store
from tests.helpers import D, clean_book, set_cell, snapshot_of

AS_OF = "2026-10-15"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> str:
    """Two snapshots of a small organisation whose names try to break HTML and Excel."""
    before = clean_book()
    after = clean_book()
    set_cell(after, "Обучающиеся", "U02", "Фамилия", "<script>alert(1)</script>")
    after["Участники чатов"].remove(["K1", "U02"])  # so the audit names the pupil
    set_cell(after, "Сотрудники", "E02", "Отчество", '=HYPERLINK("http://evil","x")')
    after["Обучающиеся"].append(["U03", "Бондарь", "Глеб", "RT", D(2026, 10, 1), "", ""])
    after["Ссылки-приглашения"].append(["I2", D(2026, 10, 1), "E02", "Учительская", "педагог", "", "", ""])
    path = tmp_path_factory.mktemp("store") / "s.db"
    with Store(path) as st:
        st.add_snapshot(snapshot_of(before), "before.xlsx")
        st.add_snapshot(snapshot_of(after), "after.xlsx")
    return str(path)


@pytest.fixture(scope="module")
def all_reports(store, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    done, failed = run_all({"store": store, "as_of": AS_OF, "person_id": "E02"}, out)
    assert failed == [] and len(done) == len(REPORTS)
    return out


@pytest.mark.parametrize("name", list(REPORTS))
def test_every_report_leaves_its_four_artifacts(all_reports, name):
    for suffix in ("ipynb", "html", "xlsx", "json"):
        assert (all_reports / f"{name}.{suffix}").stat().st_size > 0, suffix
    text = (all_reports / f"{name}.json").read_text(encoding="utf-8")
    json.loads(text, parse_constant=lambda c: pytest.fail(f"{name}.json holds {c}, which is not JSON"))
    html = (all_reports / f"{name}.html").read_text(encoding="utf-8")
    assert "<h1>" in html and "УДО «Тест»" in html and "15.10.2026" in html
    assert "снимок № 2" in html or "снимки № 1 и № 2" in html  # which data it shows
    assert "prepare(" not in html and "import " not in html  # no code in the HTML
    meta = json.loads(text)
    assert meta["organisation"] == "УДО «Тест»" and meta["as_of"] == AS_OF and meta["report"] == name
    assert load_workbook(all_reports / f"{name}.xlsx").worksheets[0]["B2"].value == "УДО «Тест»"


def test_audit_report_json_equals_the_command(all_reports, store, capsys):
    assert main(["audit", "--store", store, "--as-of", AS_OF, "--format", "json"]) == 0
    expected = json.loads(capsys.readouterr().out)
    assert json.loads((all_reports / "audit.json").read_text(encoding="utf-8"))["data"] == expected
    assert any(f["subject"] == "I2" for f in expected)


def test_html_escapes_a_name_that_is_a_script(all_reports):
    html = (all_reports / "audit.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in html


def test_xlsx_holds_no_live_formula(all_reports):
    path = all_reports / "person.xlsx"
    with zipfile.ZipFile(path) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "HYPERLINK" in xml and "<f>" not in xml
    sheet = load_workbook(path).worksheets[1]  # the first sheet says what the report shows
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold


def test_personal_data_is_masked_in_html_unless_asked_not_to(all_reports, store, tmp_path):
    masked = (all_reports / "person.html").read_text(encoding="utf-8")
    assert "+7 978 ***-**-33" in masked and "a***@example.org" in masked
    for path in all_reports.iterdir():  # the HTML, the JSON and the executed notebook of every report
        if path.suffix in (".html", ".json", ".ipynb"):
            text = path.read_text(encoding="utf-8")
            assert "+79781112233" not in text and "admin@example.org" not in text, path.name
    run_report("person", {"store": store, "as_of": AS_OF, "person_id": "E02", "mask_personal_data": "false"}, tmp_path)
    plain = (tmp_path / "person.html").read_text(encoding="utf-8")
    assert "+79781112233" in plain and "admin@example.org" in plain


def test_movement_report_lists_the_arrival_and_what_to_do(all_reports):
    data = json.loads((all_reports / "movement.json").read_text(encoding="utf-8"))["data"]
    assert data["arrived"]["students"] == ["U03"] and (data["from"], data["to"]) == (1, 2)
    assert "Пригласить в чаты" in (all_reports / "movement.html").read_text(encoding="utf-8")


def test_invites_report_tells_what_to_annul_by_creator(all_reports):
    data = json.loads((all_reports / "invites.json").read_text(encoding="utf-8"))["data"]
    assert [row["Ссылка"] for row in data["annul_now"]] == ["I2"]
    assert data["by_creator"][0]["Аннулировать сейчас"] == 1


def test_usage_report_draws_its_charts(all_reports):
    assert (all_reports / "usage-coverage.png").read_bytes()[:4] == b"\x89PNG"
    assert "data:image/png;base64," in (all_reports / "usage.html").read_text(encoding="utf-8")


def test_unknown_parameter_is_refused_before_any_kernel_starts(store, tmp_path):
    with pytest.raises(UsageError, match="неизвестный параметр «colour»"):
        run_report("audit", {"store": store, "colour": "red"}, tmp_path)
    assert not any(tmp_path.iterdir())


def test_failing_report_names_itself_and_the_step_and_keeps_its_partial_output(store, tmp_path, monkeypatch):
    # a person not in the data is refused before the notebook runs; a report that still fails half-way (here a
    # copy of the checklist notebook whose second step raises) names its step and keeps its partial output
    import shutil

    import nbformat

    folder = tmp_path / "notebooks"
    shutil.copytree(notebook_path("person").parent, folder)
    nb = nbformat.read(folder / "person.ipynb", as_version=4)
    step = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("# Шаг 2"))
    step.source = step.source.replace("data = report.build()", "raise UsageError('нет человека NOBODY')")
    step.source = "from sferum_lib.errors import UsageError\n" + step.source
    step.source = "# Шаг 2. Расчёт отчёта\n" + step.source.replace("# Шаг 2. Расчёт отчёта\n", "")
    nbformat.write(nb, folder / "person.ipynb")
    monkeypatch.setenv("SFERUM_REPORTS_DIR", str(folder))
    out = tmp_path / "out"
    with pytest.raises(ReportFailed) as caught:
        run_report("person", {"store": store, "as_of": AS_OF, "person_id": "E02"}, out)
    message = str(caught.value)
    assert "Чек-лист" in message and "шаг 2 («Расчёт отчёта»)" in message and "NOBODY" in message
    assert caught.value.user_error
    assert (out / "person.ОШИБКА.ipynb").exists() and not (out / "person.ipynb").exists()


def test_notebook_parameters_are_the_reports_declared_parameters():
    from sferum_lib.reports.content import SPECS

    assert set(SPECS) == {*REPORTS, "region"}  # `sferum report region` too, but not in `report all`
    for name, spec in SPECS.items():
        found = papermill.inspect_notebook(str(notebook_path(name)))
        assert list(found) == [p.name for p in spec.all_params], name
        assert all(found[p.name]["help"] for p in spec.all_params)


def test_report_command_runs_one_report_and_lists_them(store, tmp_path, capsys):
    code = main(["report", "indicators", "--store", store, "--as-of", AS_OF, "--out", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 0 and out.strip().endswith("indicators.html") and "готов" in err
    assert main(["report", "--list"]) == 0
    listing = capsys.readouterr().out
    assert "max-migration — Переезд" in listing and "-p soon_days ЗНАЧЕНИЕ" in listing
    assert "целое число; по умолчанию 2" in listing and "str" not in listing and "''" not in listing


def test_report_command_with_a_bad_value_exits_2_in_russian(store, tmp_path, capsys):
    code = main(["report", "audit", "--store", store, "-p", "snapshot", "два", "--out", str(tmp_path)])
    assert code == 2 and "снимок (-p snapshot) = «два»" in capsys.readouterr().err


def test_masking_keeps_only_the_last_digits_and_the_domain():
    assert mask_phone("+79781234534") == "+7 978 ***-**-34"
    assert mask_email("lavrova@example.org") == "l***@example.org"
    assert mask_phone(None) is None


def test_audit_report_groups_findings_by_clause(store, tmp_path):
    run_report("audit", {"store": store, "as_of": AS_OF}, tmp_path)
    sheet = load_workbook(tmp_path / "audit.xlsx")["Все нарушения и замечания"]
    clauses = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(clauses) >= 2 and clauses == sorted(clauses)


def test_long_tables_are_cut_in_html_but_whole_in_xlsx(tmp_path, monkeypatch):
    import pandas as pd

    from sferum_lib.reports import artifacts
    from sferum_lib.reports.base import ReportData, Table

    monkeypatch.setattr(artifacts, "HTML_MAX_ROWS", 5)
    data = ReportData("t", "Тест", "УДО", dt.date(2026, 10, 15), {}, [],
                      [Table("rows", "Строки", pd.DataFrame({"№": range(12)}))])
    paths = artifacts.write_all(data, tmp_path, mask=True)
    html = paths["html"].read_text(encoding="utf-8")
    assert "Показаны первые 5 строк из 12" in html and html.count("<tr>") == 6
    assert load_workbook(paths["xlsx"])["Строки"].max_row == 13


def test_max_migration_counts_chats_recreated_in_max_and_people_already_there(tmp_path):
    from sferum_lib.reports.base import Context
    from sferum_lib.reports.content import build_max_migration

    book = clean_book()
    book["Чаты"][0].append("Мессенджер")
    book["Чаты"].append(["M1", "RT ребята (MAX)", "объединение — обучающиеся", "RT", "E03", D(2026, 10, 1),
                         D(2026, 10, 14), "MAX"])
    book["Участники чатов"].append(["M1", "U01"])
    path = tmp_path / "s.db"
    with Store(path) as st:
        st.add_snapshot(snapshot_of(book), "b.xlsx")
    data = build_max_migration(Context({"store": str(path), "snapshot": 0, "as_of": dt.date(2026, 10, 15)}))
    assert (data.json["chats_total"], data.json["chats_done"]) == (7, 1)
    assert data.json["people_done"] == 1
    assert "K1" not in {row["Чат"] for row in data.json["chats"]}  # re-created: no longer to do


def test_coverage_chart_of_a_large_organisation_shows_the_lowest_sections_only():
    import pandas as pd

    from sferum_lib.reports import charts

    coverage = pd.DataFrame({"Объединение": [f"О{i}" for i in range(300)],
                             "В чате объединения, %": [float(i % 100) for i in range(300)],
                             "Родители в чате, %": [50.0] * 300})
    chart = charts.coverage_chart(coverage)
    assert chart.title == f"{charts.MAX_BARS} объединений с самым низким охватом (из 300)"
    assert chart.png[:4] == b"\x89PNG" and len(chart.png) < 200_000


# --- the user's data only, private files, clean notebooks --------------------------------------------------


def test_without_a_store_a_report_refuses_before_any_kernel_starts(tmp_path, monkeypatch):
    from sferum_lib.errors import StoreError
    from sferum_lib.reports.base import Context, validate

    with pytest.raises(StoreError, match=r"sferum --store «[^»]*none\.db» import КНИГА\.xlsx.*--demo"):
        run_report("audit", {"store": str(tmp_path / "none.db")}, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    # the default store is sferum.db here: missing, it is a refusal, never the demo organisation
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SFERUM_STORE", raising=False)
    values = validate(REPORTS["audit"], {})
    assert values["store"] == str(tmp_path / "sferum.db") and values["out_dir"] == str(tmp_path / "out" / "reports")
    with pytest.raises(StoreError, match="не найдено"):
        Context(values).snapshot()
    with pytest.raises(StoreError, match="не найдено"):
        run_all({}, tmp_path / "all")


def test_files_are_owner_only_under_umask_022_and_no_kernel_folder_is_left(store, tmp_path, monkeypatch):
    import os
    import stat
    import tempfile

    kernels = tmp_path / "tmp"
    kernels.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(kernels))
    old = os.umask(0o022)
    try:
        run_report("usage", {"store": store, "as_of": AS_OF}, tmp_path / "a" / "b")
    finally:
        os.umask(old)
    made = [tmp_path / "a", *(tmp_path / "a").rglob("*")]
    names = {p.name for p in made}
    assert names >= {"a", "b", "usage.html", "usage.json", "usage.xlsx", "usage.ipynb", "usage-trend.png"}
    for path in made:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path
    assert list(kernels.iterdir()) == []


def _with_parameters(name: str, params: dict, repeat: int = 1):
    """The report notebook with its parameters cell set, its cells ``repeat`` times over (one kernel)."""
    import nbformat

    nb = nbformat.read(notebook_path(name), as_version=4)
    params_cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    params_cell.source += "\n" + "\n".join(f"{k} = {v!r}" for k, v in params.items())
    nb.cells = [nbformat.from_dict(dict(c)) for _ in range(repeat) for c in nb.cells]
    return nb


def test_a_report_notebook_runs_twice_in_one_kernel_and_shows_no_link_from_data(tmp_path):
    from nbclient import NotebookClient

    book = clean_book()
    set_cell(book, "Объединения", "RT", "Название", "[жми](http://evil.example)")
    set_cell(book, "Сотрудники", "E03", "Email", "lysenko@example.org")
    path = tmp_path / "s.db"
    with Store(path) as st:
        st.add_snapshot(snapshot_of(book), "b.xlsx")
    out = tmp_path / "out"
    nb = _with_parameters("usage", {"store": str(path), "out_dir": str(out), "as_of": AS_OF}, repeat=2)
    NotebookClient(nb, kernel_name="python3", timeout=300, resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if "text/markdown" in o.get("data", {})]
    shown = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "[жми](http://evil.example)" in shown and "<a " not in shown and "lysenko@example.org" not in shown
    assert sum("Записано:" in o.get("text", "") for o in outputs) >= 2  # both runs wrote their files
    assert (out / "usage.html").exists()


def test_overview_notebook_shows_the_store_or_the_demo_only_when_asked(store, tmp_path, monkeypatch):
    from papermill.exceptions import PapermillExecutionError

    overview = Path(__file__).resolve().parents[2] / "notebooks" / "overview.ipynb"
    done = papermill.execute_notebook(str(overview), str(tmp_path / "o.ipynb"), parameters={"store": store,
                                      "as_of": AS_OF}, progress_bar=False, kernel_name="python3")
    printed = "".join(o.get("text", "") for c in done.cells for o in c.get("outputs", []))
    assert "УДО «Тест» — снимок № 2 — на 15.10.2026" in printed
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SFERUM_STORE", raising=False)
    with pytest.raises(PapermillExecutionError, match="sferum import"):
        papermill.execute_notebook(str(overview), str(tmp_path / "n.ipynb"), progress_bar=False, kernel_name="python3")
    demo = papermill.execute_notebook(str(overview), str(tmp_path / "d.ipynb"), parameters={"demo": True},
                                      progress_bar=False, kernel_name="python3")
    printed = "".join(o.get("text", "") for c in demo.cells for o in c.get("outputs", []))
    assert "ЦНТТ» — демонстрационная организация" in printed


def test_reports_over_the_working_state_say_so_and_show_what_procedures_changed(store, tmp_path):
    from sferum_lib.procedures import Workspace

    state_store = tmp_path / "state.db"
    state_store.write_bytes(Path(store).read_bytes())
    out = tmp_path / "out"
    with pytest.raises(StoreError, match="нет рабочего состояния"):  # no state yet: the store's own words,
        run_report("invites", {"store": str(state_store), "as_of": AS_OF, "state": True}, out)
    assert not out.exists()  # said before any kernel started: no half-run notebook left behind
    with Store(state_store) as st:
        st.start_state(st.snapshot(2), "снимок № 2")
        Workspace(st).perform("annul_invite", actor="E02", day=dt.date(2026, 10, 15), invite_id="I2")
    assert not (out / "invites.json").exists()  # the refused report wrote nothing
    code = main(["report", "invites", "--state", "--store", str(state_store), "--as-of", AS_OF, "--out", str(out)])
    assert code == 0
    meta = json.loads((out / "invites.json").read_text(encoding="utf-8"))
    assert meta["source"] == "рабочее состояние на 15.10.2026"
    html = (out / "invites.html").read_text(encoding="utf-8")
    assert "рабочее состояние на 15.10.2026" in html and "Рабочее состояние на 15.10.2026." in html
    assert "снимок — последний" not in html  # no snapshot number is named for the state
    snapshot_run = run_report("invites", {"store": str(state_store), "as_of": AS_OF}, tmp_path / "snap")
    assert snapshot_run.name == "invites"
    snap = json.loads((tmp_path / "snap" / "invites.json").read_text(encoding="utf-8"))
    # the state shows the link annulled by the procedure; the imported snapshot still asks to annul it
    assert [row["Ссылка"] for row in snap["data"]["annul_now"]] == ["I2"]
    assert [row["Ссылка"] for row in meta["data"]["annul_now"]] == []


def test_state_and_a_snapshot_number_together_are_refused_before_any_kernel_starts(store, tmp_path):
    with pytest.raises(UsageError, match=r"либо номер снимка \(-p snapshot\), либо рабочее состояние"):
        run_report("audit", {"store": store, "snapshot": 1, "state": True}, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_report_all_reuses_a_kernel_without_carrying_one_report_into_the_next(store, tmp_path):
    # one kernel for all: invites leaves `soon_days` and person its `person_id` behind unless the kernel is reset
    done, failed = run_all({"store": store, "as_of": AS_OF, "person_id": "E02"}, tmp_path, workers=1)
    assert failed == [] and len(done) == len(REPORTS)
    for name in REPORTS:
        nb = json.loads((tmp_path / f"{name}.ipynb").read_text(encoding="utf-8"))
        counts = [c["execution_count"] for c in nb["cells"] if c["cell_type"] == "code"]
        assert counts == list(range(1, len(counts) + 1)), name  # each reads as a fresh run
