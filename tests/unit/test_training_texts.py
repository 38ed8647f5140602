"""Training and seminar texts: sourced in the regulation or marked as the platform's; no absurd answers."""

from __future__ import annotations

import json
import re
from pathlib import Path

from sferum_lib import seminar
from sferum_lib.checks import AuditSettings
from sferum_lib.training.steps import STEPS, Step

ROOT = Path(__file__).resolve().parents[2]
CITED = re.compile(r"п\. \d|абз\. «")
ABSURD = {"нигде", "никогда", "ничего", "никому", "пропустить", "нормально"}


def texts(step: Step) -> list[str]:
    return [step.why] + [t for q in step.questions for t in (q.text, *q.options, q.explain)]


def test_every_why_and_explanation_cites_the_regulation():
    for role, steps in STEPS.items():
        for step in steps:
            assert CITED.search(step.why), (role, step.duty, step.why)
            for q in step.questions:
                assert q.platform or CITED.search(q.explain), (role, step.duty, q.explain)


def test_no_absurd_distractors_and_three_options_each():
    for steps in STEPS.values():
        for step in steps:
            for q in step.questions:
                assert len(q.options) == 3 and 0 <= q.answer < 3 and len(set(q.options)) == 3
                for option in q.options:
                    assert option.strip(" .").lower() not in ABSURD, (step.duty, option)


def test_links_are_not_taught_as_single_use_and_the_platform_is_marked():
    every = " ".join(t for steps in STEPS.values() for s in steps for t in texts(s))
    assert "пересыл" not in every.lower() and "Никому" not in every
    assert "О платформе, не из положения: одна ссылка служит всей группе" in every


def test_limits_are_the_organisations_rules_with_the_value_in_force():
    rules = AuditSettings()
    admin = {s.duty: s for s in STEPS["admin"]}
    annul = admin["ADM-13"].questions[0]
    assert f"{rules.invite_max_age_days} дн." in annul.options[annul.answer]
    assert "по правилам организации" in annul.explain and "положение не устанавливает" in annul.explain.lower()
    assert f"по правилам организации заявка, ждущая дольше {rules.request_max_age_days} дн." in admin["ADM-10"].why
    for steps in STEPS.values():
        for step in steps:
            for text in texts(step):
                if re.search(r"\d+ дн", text):
                    assert "по правилам организации" in text.lower() or "30 дней" in text, (step.duty, text)


def test_the_application_carries_the_order_and_links_are_for_teachers_and_pupils():
    admin = {s.duty: s for s in STEPS["admin"]}
    assert "прикладывают к заявке на info@sferum.ru" in admin["ADM-01"].why
    roles = next(f for f in admin["ADM-07"].fields if f.name == "role").choices(None)  # type: ignore[misc]
    assert [v for _, v in roles] == ["педагог", "обучающийся"]
    status = {s.duty: s for steps in STEPS.values() for s in steps if s.duty in ("HEAD-04", "PDO-02", "PED-02")}
    assert {s.procedure for s in status.values()} == {"start_verification"}
    assert admin["ADM-11"].procedure == "confirm_status"


def test_no_calques_in_notebooks_and_training():
    owned = [*ROOT.glob("notebooks/roles/*.ipynb"), *ROOT.glob("notebooks/methodist/*.ipynb")]
    owned += [ROOT / "sferum_lib" / "training" / "steps.py", ROOT / "sferum_lib" / "training" / "session.py"]
    owned += sorted((ROOT / "sferum_lib" / "training" / "content").glob("*.yaml"))
    for path in owned:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ipynb":
            text = json.dumps(json.loads(text), ensure_ascii=False)
        assert "ответ положения" not in text and "отказы положения" not in text, path.name


def test_seminar_slides_teach_the_rights_the_rule_in_force_and_max():
    rights = seminar.rights_slide()
    assert "посещать семинары и вебинары" in rights and "п. 3.4" in rights and "п. 3.2" in rights
    safety = seminar.safety_slide(AuditSettings(invite_max_age_days=10))
    assert "По правилам организации" in safety and "10 дн." in safety and "пересыл" not in safety.lower()
    assert "На платформе: одна ссылка-приглашение служит всей группе" in safety
    on_max = seminar.duties_slide("pdo", "MAX")
    assert "MAX" in on_max and "VK" not in on_max
    assert "при необходимости" in seminar.duties_slide("admin")


def test_the_wizard_shows_each_role_its_rights():
    from sferum_lib.regulation import default_catalogue
    from sferum_lib.ui.wizard import rights_html

    catalogue = default_catalogue()
    for role in ("pdo", "ped", "admin", "head"):
        assert "посещать семинары и вебинары" in rights_html(role, catalogue) and "п. 3.4" in rights_html(
            role, catalogue
        )
    for role in ("student", "parent"):
        shown = rights_html(role, catalogue)
        assert "п. 3.1" in shown and "info@sferum.ru" in shown and "п. 3.4" not in shown
    assert "учебного профиля в MAX" in rights_html("pdo", catalogue.for_messenger("MAX"))


def test_training_texts_cite_the_edition_in_force():
    from sferum_lib.training.steps import cited, steps_in

    assert cited("по ссылке (п. 2.7); заявки (п. 2.1).", "новая") == "по ссылке (п. 2.6); заявки (п. 2.1)."
    assert cited("в чат (абз. «Обучающийся…»).", "новая") == "в чат (п. 2.5)."
    assert cited("в чат (абз. «Обучающийся…»).", None) == "в чат (п. 2.3, абз. «Обучающийся…»)."
    assert cited("статус (п. 2.1, 2.3) и (структуру создают при необходимости)", None) == (
        "статус (пп. 2.1, 2.3) и (структуру создают при необходимости)"
    )
    ped = steps_in(STEPS["ped"], "новая")
    assert "(п. 2.4)" in ped[0].why and "абз." not in ped[0].why
    parent = [t for s in steps_in(STEPS["parent"], "новая") for t in texts(s)]
    assert any("(п. 2.6)" in t for t in parent) and not any("2.7" in t for t in parent)
    # the default edition keeps the approved numbers, and every text still cites
    for role, steps in STEPS.items():
        for step in steps_in(steps, None):
            assert CITED.search(step.why), (role, step.duty)


def test_the_wizard_shows_a_participant_only_a_russian_message(monkeypatch):
    import io
    import sys

    from sferum_lib.errors import UsageError
    from sferum_lib.ui.wizard import INTERNAL_FAILURE, failure_text

    assert failure_text(UsageError("Заполните поле «Ссылка».")) == "Не получилось: Заполните поле «Ссылка»."
    server = io.StringIO()
    monkeypatch.setattr(sys, "__stderr__", server)
    secret = "/home/teacher/private/session.db"
    shown = failure_text(OSError(f"[Errno 13] Permission denied: '{secret}'"))
    assert shown == INTERNAL_FAILURE and secret not in shown
    assert secret in server.getvalue()  # the details went to the server's log, for whoever runs the session


def test_the_wizards_rights_cite_the_organisations_edition():
    from sferum_lib.regulation import default_catalogue
    from sferum_lib.ui.wizard import rights_html

    shown = rights_html("pdo", default_catalogue().in_edition("новая"))
    assert "(п. 3.4)" in shown and "(п. 3.1)" in shown
