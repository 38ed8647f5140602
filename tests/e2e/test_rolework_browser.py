"""A teacher's work page in a real browser: Voilà serves notebooks/work/pdo.ipynb over the example's store,
headless Chromium picks the teacher's name, sees the pupil missing from the section's chat, issues an invite link,
and the link is in the store, journaled with the teacher as the actor."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from sferum_lib import work
from sferum_lib.grammar import People
from sferum_lib.store import Store
from tests.e2e.work_browser import AS_OF, EXAMPLE, chromium, new_page, shot, work_app


@pytest.fixture(scope="module")
def teacher_app(tmp_path_factory):
    root = tmp_path_factory.mktemp("rolework")
    book = root / "пример.xlsx"
    shutil.copy(EXAMPLE, book)
    store = root / "организация.db"
    assert work.upload(store, [(book.name, book.read_bytes())], dt.date.fromisoformat(AS_OF)).ok
    with work_app("pdo", root, store) as url, chromium() as browser:
        yield url, store, browser


def test_a_teacher_picks_their_name_sees_the_missing_pupil_and_issues_a_link(teacher_app):
    url, store, browser = teacher_app
    with Store(store) as st:
        state = st.state()
        invites_before = len(state.invites)
    people = People(state)
    teacher = str(state.sections.set_index("code").loc["RT", "teacher_id"])  # the example: U02 is not in RT's chat
    teacher_name, pupil_name = people.person(teacher).name(), people.person("U02").name()
    [label] = [label for label, i in work.people_of_role(state, "pdo", dt.date.fromisoformat(AS_OF)) if i == teacher]

    page = new_page(browser, url, "Открыть мои дела")
    shot(page, "work-1-who-are-you.png")
    page.locator("select").select_option(label=label)
    page.get_by_role("button", name="Открыть мои дела").click()
    page.get_by_text("Нет в чате обучающихся объединения").wait_for(timeout=60_000)
    assert page.get_by_text(teacher_name).count() >= 1
    assert pupil_name in page.content()
    shot(page, "work-2-teacher.png")

    button = page.get_by_role("button", name="Создать ссылку для обучающихся")
    button.first.scroll_into_view_if_needed()
    button.first.click()
    page.get_by_text("Выполнено: Создана ссылка-приглашение").wait_for(timeout=30_000)
    shot(page, "work-3-link-issued.png")
    with Store(store) as st:
        invites = st.state().invites
        journal = st.journal()
    assert len(invites) == invites_before + 1
    link = invites.iloc[-1]
    chats = state.chats.set_index("id")
    chat_id = link["target"].removeprefix("чат:")
    assert chats.loc[chat_id, "section_code"] == "RT" and chats.loc[chat_id, "type"] == "section-students"
    assert link["role"] == "обучающийся" and link["created_by"] == teacher
    assert list(journal["procedure"]) == ["issue_invite"] and list(journal["actor"]) == [teacher]

    # another browser cannot work under the same teacher's name
    other = new_page(browser, url, "Открыть мои дела")
    other.locator("select").select_option(label=label)
    other.get_by_role("button", name="Открыть мои дела").click()
    other.get_by_text("уже открыты в другом браузере").wait_for(timeout=30_000)
    assert "Нет в чате обучающихся объединения" not in other.content()
    other.context.close()
    page.context.close()
