"""Report parameters checked against the store before any kernel starts; what reports say in their lead lines."""

from __future__ import annotations

import datetime as dt

import pytest

from sferum_lib.cli import main
from sferum_lib.errors import UsageError
from sferum_lib.render import movement_table
from sferum_lib.reports import REPORTS, Report
from sferum_lib.reports.artifacts import params_text
from sferum_lib.reports.base import validate
from sferum_lib.reports.runner import check_params, run_all, run_report
from sferum_lib.store import Store
from tests.helpers import D, clean_book, snapshot_of

AS_OF = "2026-10-15"


def _store(folder, count: int) -> str:
    path = folder / "s.db"
    book = clean_book()
    book["Ссылки-приглашения"].append(["I2", D(2026, 9, 1), "E02", "Учительская", "педагог", "", "", ""])
    with Store(path) as st:
        for n in range(count):
            st.add_snapshot(snapshot_of(book), f"book{n}.xlsx")
    return str(path)


@pytest.fixture(scope="module")
def one(tmp_path_factory) -> str:
    return _store(tmp_path_factory.mktemp("one"), 1)


@pytest.fixture(scope="module")
def two(tmp_path_factory) -> str:
    return _store(tmp_path_factory.mktemp("two"), 2)


def _build(name: str, store: str, tmp_path, **extra):
    params = validate(REPORTS[name], {"store": store, "as_of": AS_OF, "out_dir": str(tmp_path), **extra})
    return Report(REPORTS[name], params).build()


def test_an_unknown_person_is_refused_before_any_kernel_with_the_ids_to_choose_from(one, tmp_path):
    with pytest.raises(UsageError) as caught:
        run_report("person", {"store": one, "as_of": AS_OF, "person_id": "E999"}, tmp_path / "out")
    text = str(caught.value)
    assert "ID человека (-p person_id) = «E999»" in text and "E01, E02, E03, E04" in text and "U01" in text
    assert "ОШИБКА" not in text and not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"from_snapshot": 3},
            ("прежний снимок .-p from_snapshot. = 3: такого снимка в хранилище нет; имеющиеся снимки: 1, 2"),
        ),
        ({"to_snapshot": 9}, "новый снимок .-p to_snapshot. = 9"),
        ({"from_snapshot": 2, "to_snapshot": 1}, "поменяйте их местами: -p from_snapshot 1 -p to_snapshot 2"),
        ({"from_snapshot": 2, "to_snapshot": 2}, "сравнивается сам с собой"),
    ],
)
def test_a_snapshot_that_is_not_there_or_a_reversed_pair_is_refused_and_old_files_stay(two, tmp_path, params, expected):
    out = tmp_path / "out"
    out.mkdir()
    (out / "movement.html").write_text("old", encoding="utf-8")
    (out / "movement.ipynb").write_text("old", encoding="utf-8")
    with pytest.raises(UsageError, match=expected):
        run_report("movement", {"store": two, "as_of": AS_OF, **params}, out)
    assert sorted(p.name for p in out.iterdir()) == ["movement.html", "movement.ipynb"]
    assert (out / "movement.ipynb").read_text(encoding="utf-8") == "old"


def test_report_all_checks_every_reports_parameters_first(two, tmp_path):
    with pytest.raises(UsageError, match="E999"):
        run_all({"store": two, "as_of": AS_OF, "person_id": "E999"}, tmp_path / "all")
    assert not (tmp_path / "all").exists()


def test_the_command_exits_2_in_russian_and_writes_nothing(two, tmp_path, capsys):
    code = main(["report", "person", "--store", two, "-p", "person_id", "E999", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "E999" in err and "не запускался" in err and not (tmp_path / "o").exists()
    code = main(["report", "audit", "--store", two, "-p", "snapshot", "два", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "снимок (-p snapshot) = «два»: ожидается целое число" in err
    assert "invalid literal" not in err and "Параметры отчёта: store," not in err


def test_good_parameters_pass_the_check(two, tmp_path):
    values = validate(REPORTS["movement"], {"store": two, "from_snapshot": 1, "to_snapshot": 2})
    check_params("movement", values)
    check_params("person", validate(REPORTS["person"], {"store": two, "person_id": "U01"}))


def test_movement_with_one_snapshot_says_there_is_nothing_to_compare(one, tmp_path):
    data = _build("movement", one, tmp_path)
    lead = " ".join(data.summary)
    assert "один снимок (№ 1): сравнивать не с чем" in lead
    assert "№ 1 и № 1" not in lead and "№ 1 и № 1" not in data.source and data.tables == []


def test_the_terminal_movement_refuses_a_reversed_pair():
    moves = {"arrived": {"staff": [], "students": []}, "departed": {"staff": [], "students": []}}
    with pytest.raises(UsageError, match="--from 1 --to 2"):
        movement_table(moves, 2, 1, dt.date(2026, 10, 15))
    assert "№ 1 и № 2" in movement_table(moves, 1, 2, dt.date(2026, 10, 15))


def test_invites_lead_names_the_days_as_the_organisations_rule_not_the_regulations(one, tmp_path):
    lead = " ".join(_build("invites", one, tmp_path).summary)
    assert "за 7 дн." in lead and "правило организации" in lead and "срока не устанавливает" in lead
    assert "срок её действия (п. 2.1)" not in lead


def test_parameters_are_shown_in_russian_words(one, tmp_path):
    data = _build("person", one, tmp_path)
    assert "Человек не указан: показан администратор" in " ".join(data.summary)
    assert "person_id" not in " ".join(data.summary)
    text = params_text({"session": "/x", "as_of": "2026-10-15", "scheduler": "", "workers": 0})
    assert "session" not in text and "scheduler" not in text and "15.10.2026" in text
