"""The administrator's workbench in a real browser: Voilà serves notebooks/work/admin.ipynb over a store,
headless Chromium uploads the example workbook, acts on the to-do list and downloads a report and a document."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from sferum_lib.store import Store
from tests.e2e.work_browser import EXAMPLE, chromium, new_page, shot, work_app


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    root = tmp_path_factory.mktemp("bench")
    store = root / "организация.db"
    with work_app("admin", root, store) as url:
        yield url, store, root


@pytest.fixture(scope="module")
def browser(bench):
    with chromium() as browser:
        yield browser


def open_page(browser, url: str):
    return new_page(browser, url, "Проверить и загрузить")


def appointed_copy(folder: Path) -> Path:
    """The shared example as it is, copied into a temp folder (its appointment order has a number but no date:
    the audit reports that, and the administrator's work goes on)."""
    path = folder / "пример.xlsx"
    shutil.copy(EXAMPLE, path)
    return path


def choose(page, path: Path) -> None:
    """Pick a file as a person does: the button opens the browser's <input type="file"> chooser."""
    with page.expect_file_chooser(timeout=30_000) as chooser:
        page.get_by_role("button", name="Выбрать файл").click()
    assert chooser.value.element.get_attribute("type") == "file"
    chooser.value.set_files(str(path))
    page.get_by_role("button", name="Выбрать файл (1)").wait_for(timeout=30_000)


def download(page, link_text: str, folder: Path) -> Path:
    with page.expect_download(timeout=60_000) as info:
        page.get_by_text(link_text).click()
    target = folder / info.value.suggested_filename
    info.value.save_as(target)
    return target


def test_upload_annul_the_stale_links_and_download_a_report_and_a_document(bench, browser):
    url, store, root = bench
    page = open_page(browser, url)
    shot(page, "1-upload-empty.png")
    choose(page, appointed_copy(root))
    page.get_by_role("button", name="Проверить и загрузить").click()
    page.get_by_text("Снимок № 1 сохранён").wait_for(timeout=60_000)
    shot(page, "2-upload-saved.png")

    page.get_by_role("tab", name="Что сделать").click()
    page.get_by_text("Аннулировать все").wait_for(timeout=30_000)
    expect(page.get_by_role("button", name="Аннулировать", exact=True)).to_have_count(2)  # I1 and I5
    shot(page, "3-todo.png")
    page.get_by_role("button", name="Показать дела").first.click()  # a teacher's list opens on request
    page.get_by_role("button", name="Скрыть").wait_for(timeout=30_000)
    page.get_by_text("Педагог: ").last.scroll_into_view_if_needed()
    shot(page, "3b-todo-head-and-teachers.png")
    page.get_by_role("button", name="Аннулировать все").click()
    page.get_by_text("Выполнено: Аннулированы невостребованные ссылки").wait_for(timeout=30_000)
    expect(page.get_by_role("button", name="Аннулировать", exact=True)).to_have_count(0)  # the items are gone
    shot(page, "4-todo-done.png")
    with Store(store) as st:
        journal = st.journal()
        invites = st.state().invites.set_index("id")
    assert list(journal["procedure"]) == ["annul_stale_invites"]
    assert journal.iloc[0]["actor"] == "E03" and journal.iloc[0]["params"]["invites"] == ["I1", "I5"]
    assert invites.loc[["I1", "I5"], "annulled"].notna().all()

    page.get_by_role("tab", name="Отчёты").click()
    page.locator("select:has(option:text-is('Аудит соответствия положению'))").select_option(
        label="Аудит соответствия положению"
    )
    page.get_by_role("button", name="Построить").click()
    page.get_by_text("Отчёт построен").wait_for(timeout=240_000)
    shot(page, "5-report.png")
    report = download(page, "Скачать HTML", root)
    assert report.name == "Аудит соответствия положению.html"
    assert "<html" in report.read_text(encoding="utf-8").lower()

    page.get_by_role("tab", name="Документы").click()
    page.get_by_role("button", name="Составить").click()
    page.get_by_text("Документ составлен").wait_for(timeout=60_000)
    shot(page, "6-document.png")
    document = download(page, "Скачать DOCX", root)
    assert document.suffix == ".docx" and document.read_bytes()[:2] == b"PK"

    page.get_by_role("tab", name="Журнал").click()
    page.locator("table.sb td", has_text="Аннулированы невостребованные ссылки").wait_for(timeout=30_000)
    assert page.locator("table.sb td", has_text="Сергеев Антон Павлович (E03)").count() == 1  # who acted, by name
    shot(page, "7-journal.png")
    page.get_by_role("button", name="Выгрузить в XLSX").click()
    exported = download(page, "Скачать журнал.xlsx", root)
    assert load_workbook(exported).active.max_row == 2  # the header and the one action
    page.context.close()


def test_a_broken_workbook_shows_its_errors_and_saves_nothing(bench, browser):
    url, store, root = bench
    broken = root / "сломанная.xlsx"
    shutil.copy(EXAMPLE, broken)
    wb = load_workbook(broken)
    wb["Сотрудники"]["A3"] = wb["Сотрудники"]["A2"].value  # a duplicate ID
    wb.save(broken)
    before = len(Store(store).snapshots()) if store.exists() else 0
    page = open_page(browser, url)
    choose(page, broken)
    page.get_by_role("button", name="Проверить и загрузить").click()
    page.get_by_text("Книга не принята").wait_for(timeout=60_000)
    assert page.locator("table.sb td", has_text="Сотрудники").count() >= 1
    assert page.get_by_text("Скачать книгу с выделенными ошибками").count() == 1
    shot(page, "8-upload-errors.png")
    after = len(Store(store).snapshots()) if store.exists() else 0
    assert after == before
    page.context.close()
