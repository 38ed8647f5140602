"""A deterministic synthetic ЦНТТ — a centre for technical creativity — with realistic imperfections.

The default organisation has about 25 staff, 15 sections, 400 pupils and 500 parents; ``size`` scales it to
any number of people in the same proportions. Everything is drawn with numpy from one seed; Faker's ``ru_RU``
locale only fills small pools of names, so a million people take seconds. Dates are relative to ``as_of``,
so the audit finds the same kinds of things whatever the day. Every audit check finds something.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from sferum_lib.model import (
    OPTIONAL_SHEETS,
    REQUIRED_SHEETS,
    ChatType,
    Messenger,
    Organisation,
    Snapshot,
    conform,
    is_pedagogical,
)

DEFAULT_PEOPLE = 925  # 25 staff + 400 pupils + 500 parents
DEMO_WORKBOOK_LIMIT = 200_000  # people; the demo does not write a larger workbook

SECTION_NAMES: tuple[tuple[str, str], ...] = (
    ("RT", "Робототехника"),
    ("AM", "Авиамоделирование"),
    ("SM", "Судомоделирование"),
    ("3D", "3D-моделирование"),
    ("RE", "Радиоэлектроника"),
    ("PR", "Программирование"),
    ("AT", "Автомоделирование"),
    ("RK", "Ракетомоделирование"),
    ("LE", "Лего-конструирование"),
    ("TM", "Техническое моделирование"),
    ("KG", "Компьютерная графика"),
    ("EL", "Электротехника"),
    ("BP", "Беспилотные авиасистемы"),
    ("IZ", "Изобретательство"),
    ("DZ", "Дизайн и прототипирование"),
)


@dataclass(frozen=True)
class DemoSize:
    staff: int
    sections: int
    pupils: int
    parents: int

    @classmethod
    def for_people(cls, people: int | None) -> DemoSize:
        if people is None:
            return cls(25, 15, 400, 500)
        scale = people / DEFAULT_PEOPLE
        staff = max(12, round(25 * scale))
        pupils = max(10, round(400 * scale))
        parents = max(10, people - staff - pupils)
        return cls(staff, max(3, round(15 * scale)), pupils, parents)


class _Names:
    """Pools of Russian names by gender, filled once from Faker and then drawn with numpy."""

    def __init__(self, seed: int, pool: int = 250) -> None:
        # lazy import: Faker loads its locale data on import, only the demo needs it
        from faker import Faker

        fake = Faker("ru_RU")
        fake.seed_instance(seed)
        self.last = {
            "m": np.array(sorted({fake.last_name_male() for _ in range(pool)}), dtype=object),
            "f": np.array(sorted({fake.last_name_female() for _ in range(pool)}), dtype=object),
        }
        self.first = {
            "m": np.array(sorted({fake.first_name_male() for _ in range(pool)}), dtype=object),
            "f": np.array(sorted({fake.first_name_female() for _ in range(pool)}), dtype=object),
        }
        self.middle = {
            "m": np.array(sorted({fake.middle_name_male() for _ in range(pool)}), dtype=object),
            "f": np.array(sorted({fake.middle_name_female() for _ in range(pool)}), dtype=object),
        }

    def people(self, rng: np.random.Generator, n: int) -> pd.DataFrame:
        female = rng.random(n) < 0.5
        out = {}
        for column, pools in (("last_name", self.last), ("first_name", self.first), ("middle_name", self.middle)):
            male_pick = pools["m"][rng.integers(0, len(pools["m"]), n)]
            female_pick = pools["f"][rng.integers(0, len(pools["f"]), n)]
            out[column] = np.where(female, female_pick, male_pick)
        return pd.DataFrame(out)


def _ids(prefix: str, n: int) -> np.ndarray:
    width = max(3, len(str(n)))
    return np.array([f"{prefix}{i:0{width}d}" for i in range(1, n + 1)], dtype=object)


def _days_before(day: pd.Timestamp, days: np.ndarray) -> np.ndarray:
    return (day - pd.to_timedelta(days, unit="D")).to_numpy().copy()


def _phones(rng: np.random.Generator, n: int) -> np.ndarray:
    numbers = rng.integers(0, 10_000_000, n)
    return np.array([f"+7978{x:07d}" for x in numbers], dtype=object)


def _at_least_one(mask: np.ndarray, rng: np.random.Generator, among: np.ndarray | None = None) -> np.ndarray:
    """Make sure an imperfection occurs at least once, so every check has something to find."""
    if mask.any():
        return mask
    candidates = np.flatnonzero(among if among is not None else np.ones_like(mask))
    if len(candidates):
        mask = mask.copy()
        mask[rng.choice(candidates)] = True
    return mask


def generate(people: int | None = None, seed: int = 135, as_of: dt.date | None = None) -> Snapshot:
    """The demo organisation on ``as_of`` (default today); deterministic for a given seed, size and day."""
    size = DemoSize.for_people(people)
    rng = np.random.default_rng(seed)
    names = _Names(seed)
    day = pd.Timestamp(as_of or dt.date.today())
    year_start = pd.Timestamp(day.year if day.month >= 9 else day.year - 1, 9, 1)
    since_start = max(int((day - year_start).days), 10)

    # --- staff (Сотрудники) ---------------------------------------------------------------------------
    n = size.staff
    deputies, methodists, organisers = max(1, round(n * 0.08)), max(2, round(n * 0.08)), max(1, round(n * 0.04))
    others = max(1, round(n * 0.16))
    teachers = n - 1 - deputies - methodists - organisers - others
    positions = np.array(
        ["руководитель"]
        + ["заместитель руководителя"] * deputies
        + ["методист"] * methodists
        + ["педагог-организатор"] * organisers
        + ["педагог дополнительного образования"] * teachers
        + list(np.resize(np.array(["бухгалтер", "водитель", "сторож", "заведующий хозяйством"], dtype=object), others)),
        dtype=object,
    )
    staff = names.people(rng, n)
    staff.insert(0, "id", _ids("E", n))
    staff["position"] = positions
    pedagogical = ~np.isin(positions, ["бухгалтер", "водитель", "сторож", "заведующий хозяйством"])
    teacher_idx = np.flatnonzero(positions == "педагог дополнительного образования")
    admin_idx = 1 + deputies  # the first methodist
    role = np.full(n, None, dtype=object)
    role[admin_idx] = "администратор"
    role[teacher_idx[0]] = "дополнительный администратор"
    role[n - others] = "дополнительный администратор"  # imperfection: the accountant got the rights (extra-admins)
    staff["platform_role"] = role
    staff["phone"] = np.where(rng.random(n) < 0.8, _phones(rng, n), None)
    staff["phone"] = staff["phone"].astype(object)
    staff.loc[admin_idx, "phone"] = "+79787000135"
    staff["email"] = np.where(rng.random(n) < 0.6, [f"staff{i}@cntt.example.org" for i in range(n)], None)
    # the administrator's own email (the application needs it); a month ago it was missing, see `earlier`
    staff.loc[admin_idx, "email"] = f"staff{admin_idx}@cntt.example.org"
    staff["cabinet"] = np.where(np.isin(np.arange(n), teacher_idx), (np.arange(n) % 20 + 1).astype(str), None)
    staff["hired"] = _days_before(year_start, rng.integers(0, 15 * 365, n))
    dismissed_mask = _at_least_one(rng.random(n) < 0.03, rng, np.isin(np.arange(n), teacher_idx[1:]))
    dismissed_mask[[0, admin_idx, teacher_idx[0]]] = False
    staff["dismissed"] = np.where(dismissed_mask, _days_before(day, rng.integers(2, 25, n)), np.datetime64("NaT"))
    joined = pedagogical & (rng.random(n) < 0.88)
    joined[[0, admin_idx, teacher_idx[0]]] = True
    joined = ~_at_least_one(~joined, rng, pedagogical & ~dismissed_mask & (np.arange(n) > admin_idx))
    staff["joined"] = np.where(joined, _days_before(day, rng.integers(15, since_start + 15, n)), np.datetime64("NaT"))
    room = joined & (rng.random(n) < 0.93)
    room[[0, admin_idx]] = True
    staff["in_teachers_room"] = room
    confirmed = joined & (rng.random(n) < 0.85)
    confirmed[[0, admin_idx]] = True
    confirmed = ~_at_least_one(~confirmed, rng, joined & ~dismissed_mask & (np.arange(n) > admin_idx))
    staff["status_confirmed"] = confirmed
    active_teachers = teacher_idx[~dismissed_mask[teacher_idx]]

    # --- sections (Объединения) -----------------------------------------------------------------------
    k = size.sections
    base = np.arange(k) % len(SECTION_NAMES)
    group = np.arange(k) // len(SECTION_NAMES) + 1
    codes = np.array(
        [SECTION_NAMES[b][0] + (f"-{g}" if g > 1 else "") for b, g in zip(base, group, strict=True)], dtype=object
    )
    titles = np.array(
        [SECTION_NAMES[b][1] + (f" (группа {g})" if g > 1 else "") for b, g in zip(base, group, strict=True)],
        dtype=object,
    )
    section_teacher_idx = teacher_idx[np.arange(k) % len(teacher_idx)]
    sections = pd.DataFrame(
        {
            "code": codes,
            "name": titles,
            "teacher_id": staff["id"].to_numpy()[section_teacher_idx],
            "cabinet": staff["cabinet"].to_numpy()[section_teacher_idx],
            "class_created": ~_at_least_one(rng.random(k) < 0.1, rng),
        }
    )

    # --- pupils (Обучающиеся) and their sections ---------------------------------------------------------
    p = size.pupils
    pupils = names.people(rng, p)
    pupils.insert(0, "id", _ids("U", p))
    pupils["birth_date"] = _days_before(day, rng.integers(7 * 365, 17 * 365, p))
    pupils["activist"] = rng.random(p) < 0.04
    late = rng.random(p) < 0.1
    pupils["enrolled"] = np.where(late, _days_before(day, rng.integers(1, 30, p)), year_start.to_datetime64())
    expelled = _at_least_one(rng.random(p) < 0.05, rng)
    # a pupil never leaves before enrolling
    left = np.maximum(pupils["enrolled"].to_numpy(), _days_before(day, rng.integers(1, 30, p)))
    pupils["expelled"] = np.where(expelled, left, np.datetime64("NaT"))
    pupil_joined = rng.random(p) < 0.86
    pupils["joined"] = np.where(pupil_joined, _days_before(day, rng.integers(1, since_start, p)), np.datetime64("NaT"))
    first = rng.integers(0, k, p)
    second_mask = rng.random(p) < 0.2
    second = (first + rng.integers(1, max(k, 2), p)) % k
    enrolments = pd.DataFrame(
        {
            "pupil_id": np.concatenate([pupils["id"].to_numpy(), pupils["id"].to_numpy()[second_mask]]),
            "section_code": np.concatenate([codes[first], codes[second[second_mask]]]),
        }
    ).drop_duplicates()
    enrolments = enrolments.sort_values("pupil_id", kind="stable")  # the order an import gives: pupil by pupil

    # --- parents (Родители) ------------------------------------------------------------------------------
    q = size.parents
    parents = names.people(rng, q)
    parents.insert(0, "id", _ids("R", q))
    parents["phone"] = _phones(rng, q)
    parents["email"] = np.where(rng.random(q) < 0.4, [f"parent{i}@example.org" for i in range(q)], None)
    parents["activist"] = rng.random(q) < 0.03
    parent_joined = rng.random(q) < 0.72
    parents["joined"] = np.where(
        parent_joined, _days_before(day, rng.integers(1, since_start, q)), np.datetime64("NaT")
    )
    child = np.where(np.arange(q) < p, np.arange(q) % p, rng.integers(0, p, q))
    kinship = pd.DataFrame({"parent_id": parents["id"].to_numpy(), "pupil_id": pupils["id"].to_numpy()[child]})

    # --- chats (Чаты) ------------------------------------------------------------------------------------
    head_id = staff["id"].iat[0]
    chat_rows = [
        ("H1", "Руководство ЦНТТ", ChatType.HEAD_DEPUTIES.value, None, head_id),
        ("H2", "Педагоги ЦНТТ", ChatType.HEAD_TEACHERS.value, None, head_id),
        ("H3", "Родительский совет ЦНТТ", ChatType.HEAD_PARENT_ACTIVISTS.value, None, head_id),
        # imperfection: no chat with the pupils' activists (management-chats)
    ]
    management = pd.DataFrame(chat_rows, columns=["id", "name", "type", "section_code", "owner_id"])
    section_chats = []
    for chat_type, share, suffix, word in (
        (ChatType.SECTION_STUDENTS, 0.93, "S", "ребята"),
        (ChatType.SECTION_PARENTS, 0.85, "P", "родители"),
        (ChatType.SECTION_TEACHERS, 0.6, "T", "педагоги"),
        (ChatType.LESSON, 0.3, "L", "занятие"),
    ):
        has = rng.random(k) < share
        if chat_type in (ChatType.SECTION_STUDENTS, ChatType.SECTION_PARENTS):
            has[0] = True  # the first section is the model one
            has = ~_at_least_one(~has, rng, np.arange(k) > 0)
        section_chats.append(
            pd.DataFrame(
                {
                    "id": [f"{suffix}-{c}" for c in codes[has]],
                    "name": titles[has] + f" — {word}",
                    "type": chat_type.value,
                    "section_code": codes[has],
                    "owner_id": sections["teacher_id"].to_numpy()[has],
                }
            )
        )
    chats = pd.concat([management, *section_chats], ignore_index=True)
    c = len(chats)
    chats["created"] = _days_before(day, rng.integers(20, since_start + 20, c))
    chats["last_message"] = np.where(
        rng.random(c) < 0.85, _days_before(day, rng.integers(0, 30, c)), _days_before(day, rng.integers(31, 90, c))
    )

    # --- memberships (Участники чатов) -------------------------------------------------------------------
    staff_ids = staff["id"].to_numpy()
    ped_joined = staff_ids[pedagogical & joined]
    parts = [
        pd.DataFrame(
            {
                "chat_id": "H1",
                "person_id": staff_ids[positions != "педагог дополнительного образования"][: 1 + deputies],
            }
        ),
        pd.DataFrame({"chat_id": "H2", "person_id": ped_joined}),
        pd.DataFrame(
            {
                "chat_id": "H3",
                "person_id": np.concatenate([[head_id], parents["id"][parents["activist"] & parent_joined]]),
            }
        ),
        chats.loc[chats["section_code"].notna(), ["id", "owner_id"]].set_axis(["chat_id", "person_id"], axis=1),
    ]
    pupil_info = pd.DataFrame({"pupil_id": pupils["id"], "joined": pupil_joined, "expelled": expelled})
    enrolled = enrolments.merge(pupil_info, on="pupil_id")
    students_chats = chats.loc[chats["type"] == ChatType.SECTION_STUDENTS.value, ["id", "section_code"]]
    in_students = enrolled[enrolled["joined"] & (rng.random(len(enrolled)) < 0.9)]
    in_students = in_students[~in_students["expelled"] | (rng.random(len(in_students)) < 0.5)]
    parts.append(
        in_students.merge(students_chats, on="section_code")[["id", "pupil_id"]].set_axis(
            ["chat_id", "person_id"], axis=1
        )
    )
    parent_info = pd.DataFrame({"parent_id": parents["id"], "joined": parent_joined})
    family = kinship.merge(enrolled[["pupil_id", "section_code", "expelled"]], on="pupil_id").merge(
        parent_info, on="parent_id"
    )
    parents_chats = chats.loc[chats["type"] == ChatType.SECTION_PARENTS.value, ["id", "section_code"]]
    in_parents = family[family["joined"] & (rng.random(len(family)) < 0.8)]
    parts.append(
        in_parents.merge(parents_chats, on="section_code")[["id", "parent_id"]].set_axis(
            ["chat_id", "person_id"], axis=1
        )
    )
    teachers_chats = chats.loc[chats["type"] == ChatType.SECTION_TEACHERS.value, "id"].to_numpy()
    colleagues = staff_ids[np.setdiff1d(np.flatnonzero(pedagogical & joined), [0])]
    parts.append(pd.DataFrame({"chat_id": teachers_chats, "person_id": rng.choice(colleagues, len(teachers_chats))}))
    # imperfections: a dismissed teacher still in the chats, a parent and a watchman in pupils' chats
    dismissed_ids = staff_ids[dismissed_mask]
    parts.append(pd.DataFrame({"chat_id": "H2", "person_id": dismissed_ids}))
    stray = max(1, len(students_chats) // 10)
    parts.append(
        pd.DataFrame(
            {
                "chat_id": rng.choice(students_chats["id"].to_numpy(), stray),
                "person_id": rng.choice(parents["id"].to_numpy(), stray),
            }
        )
    )
    parts.append(
        pd.DataFrame(
            {
                "chat_id": [students_chats["id"].iat[-1]],
                "person_id": [staff_ids[positions == "сторож"][0] if (positions == "сторож").any() else staff_ids[-1]],
            }
        )
    )
    members = pd.concat(parts, ignore_index=True).drop_duplicates(["chat_id", "person_id"])
    # the move to MAX has begun: a few sections' pupils' chats are re-created there, half of their members in
    moved = students_chats.head(max(1, len(students_chats) // 5))
    max_chats = chats[chats["id"].isin(moved["id"])].assign(
        id=lambda t: "MAX-" + t["id"], name=lambda t: t["name"] + " (MAX)", messenger=Messenger.MAX.value
    )
    chats = pd.concat([chats, max_chats], ignore_index=True)
    old_members = members[members["chat_id"].isin(moved["id"])]
    max_members = old_members[rng.random(len(old_members)) < 0.5].assign(chat_id=lambda t: "MAX-" + t["chat_id"])
    members = pd.concat([members, max_members], ignore_index=True)
    members["added"] = pd.NaT

    # --- invite links and join requests ----------------------------------------------------------------
    m = max(10, round((p + n) * 0.1))
    created = _days_before(day, rng.integers(0, 40, m))
    kind = rng.integers(0, 3, m)
    target = np.where(
        kind == 0,
        "Учительская",
        np.where(
            kind == 1,
            "объединение:" + codes[rng.integers(0, k, m)],
            "чат:" + rng.choice(parents_chats["id"].to_numpy(), m),
        ),
    )
    state = rng.random(m)
    used_mask = state < 0.7
    annulled_mask = (state >= 0.7) & (state < 0.8)
    expiring = rng.random(m) < 0.3
    invites = pd.DataFrame(
        {
            "id": _ids("I", m),
            "created": created,
            "created_by": np.where(kind == 0, staff_ids[admin_idx], rng.choice(staff_ids[active_teachers], m)),
            "target": target,
            "role": np.array(["педагог", "обучающийся", "родитель"], dtype=object)[kind],
            "used": np.where(used_mask, created + np.timedelta64(1, "D"), np.datetime64("NaT")),
            "annulled": np.where(annulled_mask, created + np.timedelta64(2, "D"), np.datetime64("NaT")),
            "valid_until": np.where(
                expiring, created + rng.integers(3, 14, m).astype("timedelta64[D]"), np.datetime64("NaT")
            ),
        }
    )
    invites.loc[invites.index[-1], ["created", "used", "annulled", "valid_until"]] = [
        (day - pd.Timedelta(days=20)).to_datetime64(),
        pd.NaT,
        pd.NaT,
        pd.NaT,
    ]  # one link surely forgotten (stale-invites)

    r = max(6, round((p + q) * 0.02))
    people_ids = np.concatenate([pupils["id"].to_numpy(), parents["id"].to_numpy()])
    applicants = rng.choice(people_ids, r)
    filed = _days_before(day, rng.integers(0, 20, r))
    decided = rng.random(r) < 0.7
    decided[-1] = False  # one request waits too long (pending-requests)
    filed[-1] = (day - pd.Timedelta(days=6)).to_datetime64()
    requests = pd.DataFrame(
        {
            "id": _ids("Q", r),
            "applicant_id": applicants,
            "role": np.where(np.char.startswith(applicants.astype(str), "U"), "обучающийся", "родитель"),
            "filed": filed,
            "decision": np.where(decided, np.where(rng.random(r) < 0.85, "принята", "отклонена"), None),
            "decided": np.where(decided, filed + np.timedelta64(1, "D"), np.datetime64("NaT")),
        }
    )
    channels = pd.DataFrame({"name": ["Общий"], "last_post": [(day - pd.Timedelta(days=3)).to_datetime64()]})
    # imperfection: no channel «Сотрудники» yet (system-channels)

    organisation = Organisation(
        full_name=(
            "Муниципальное бюджетное учреждение дополнительного образования «Центр научно-технического творчества»"
        ),
        short_name="МБУДО «ЦНТТ»",
        city="Керчь",
        head_id=head_id,
        head_position="И.о. директора",
        admin_id=staff_ids[admin_idx],
        admin_order_number="135",
        admin_order_date=None,  # imperfection: the order's date was never entered (admin-appointed)
        usage_order_number=None,  # imperfection: no order on the use of the platform yet (local-act)
        usage_order_date=None,
        email="cntt@example.org",
        address="298300, Республика Крым, г. Керчь, ул. Учебная, д. 1",
        phone="+73656100000",
        messenger=Messenger.VK,
        application_sent=(year_start - pd.Timedelta(days=20)).date(),
    )
    tables = {
        "staff": staff,
        "sections": sections,
        "pupils": pupils,
        "enrolments": enrolments,
        "parents": parents,
        "kinship": kinship,
        "chats": chats,
        "members": members,
        "channels": channels,
        "invites": invites,
        "requests": requests,
    }
    return Snapshot(
        organisation,
        {name: conform(t, name) for name, t in tables.items()},
        frozenset((*REQUIRED_SHEETS, *OPTIONAL_SHEETS)),
    )


def earlier(snapshot: Snapshot, as_of: dt.date, days: int = 30) -> Snapshot:
    """The same organisation as it stood ``days`` earlier: recent arrivals absent, recent leavers still there.

    Gives the demo two snapshots, so the movement between them has something to show. A month ago the
    platform was run by a staff member who is not pedagogical (admin-eligible) and who had given no email
    (admin-contacts): the audit of the first snapshot shows what the second fixed.
    """
    cut = pd.Timestamp(as_of) - pd.Timedelta(days=days)
    pupils = snapshot.pupils
    new = set(pupils.loc[pupils["enrolled"] > cut, "id"])
    staff = snapshot.staff.assign(dismissed=snapshot.staff["dismissed"].where(snapshot.staff["dismissed"] <= cut))
    org = snapshot.organisation
    outsiders = staff.loc[~is_pedagogical(staff["position"]), "id"]
    if len(outsiders):
        org = replace(org, admin_id=outsiders.iloc[-1])
    staff.loc[staff["id"] == org.admin_id, "email"] = None
    pupils = pupils[~pupils["id"].isin(new)].assign(expelled=lambda t: t["expelled"].where(t["expelled"] <= cut))
    keep = lambda t, col: t[~t[col].isin(new)]  # noqa: E731
    kinship = keep(snapshot.kinship, "pupil_id").reset_index(drop=True)
    parents = snapshot.parents[snapshot.parents["id"].isin(kinship["parent_id"])]
    new |= set(snapshot.parents["id"]) - set(parents["id"])  # parents whose children had not come yet
    return replace(snapshot, organisation=org).with_tables(
        staff=staff,
        pupils=pupils.reset_index(drop=True),
        parents=parents.reset_index(drop=True),
        enrolments=keep(snapshot.enrolments, "pupil_id").reset_index(drop=True),
        kinship=kinship,
        members=keep(snapshot.members, "person_id").reset_index(drop=True),
        requests=keep(snapshot.requests, "applicant_id").reset_index(drop=True),
    )


def demo_store(as_of: dt.date | None = None, seed: int = 135) -> Path:
    """A store with the demo's two snapshots in the temporary folder, built once per day and seed.

    Only an explicit request uses it (``--demo``): a report never falls back to it on its own.
    """
    import tempfile

    from sferum_lib.store import Store

    day = as_of or dt.date.today()
    path = Path(tempfile.gettempdir()) / f"sferum-demo-{os.getuid()}-{seed}-{day.isoformat()}.db"
    if not path.exists():
        now = generate(None, seed, day)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with Store(tmp) as st:
            st.add_snapshot(earlier(now, day), "демо: месяц назад")
            st.add_snapshot(now, "демо")
        os.replace(tmp, path)  # another process may build the same store at once: the last one wins whole
    return path


def run_demo(
    out: Path,
    size: int | None = None,
    seed: int = 135,
    store: str | None = None,
    as_of: dt.date | None = None,
    reports: bool = True,
) -> int:
    """Build the demo into a store, export its workbook, print its audit, indicators and movement."""
    from sferum_lib.checks import audit, indicators, movement
    from sferum_lib.files import private_dir
    from sferum_lib.render import audit_table, indicators_table, movement_table
    from sferum_lib.store import Store
    from sferum_lib.workbook.writer import export_snapshot

    day = as_of or dt.date.today()
    out = Path(os.path.abspath(out))
    private_dir(out)
    store_path = Path(os.path.abspath(store)) if store else out / "demo.db"
    if not store:  # the demo's own store is rebuilt on every run
        for suffix in ("", "-wal", "-shm"):
            Path(f"{store_path}{suffix}").unlink(missing_ok=True)
    now = generate(size, seed, day)
    before = earlier(now, day)
    with Store(store_path) as st:
        first = st.add_snapshot(before, "демо: месяц назад")
        second = st.add_snapshot(now, "демо")
    workbook = out / "демо-организация.xlsx"
    if len(now.staff) + len(now.pupils) + len(now.parents) <= DEMO_WORKBOOK_LIMIT:
        export_snapshot(now, workbook)
    else:  # a workbook of a million people takes minutes to write and is no use to open in Excel
        workbook = Path(f"не записана (больше {DEMO_WORKBOOK_LIMIT} человек; при необходимости: sferum export)")
    result = audit(now, day)
    print(audit_table(result, now.organisation, f"снимок № {second}"))
    print()
    print(indicators_table(indicators(now, day), now.organisation, day, f"снимок № {second}"))
    print()
    print(movement_table(movement(before, now, day), first, second, day))
    print()
    failures: list[str] = []
    report_line = "отчёты: не строились (--no-reports)"
    if reports:
        from sferum_lib.reports import REPORTS
        from sferum_lib.reports.runner import run_all

        done, failed = run_all({"store": str(store_path), "as_of": day.isoformat()}, out / "reports")
        for failure in failed:
            print(str(failure), file=sys.stderr)
        if failed:
            failures.append("отчёты " + ", ".join(sorted(f.name for f in failed)))
        report_line = (
            f"отчёты: {len(done)} из {len(REPORTS)} — {out / 'reports'} "
            "(откройте usage.html в браузере; .xlsx — в Excel)"
        )
    from sferum_lib.documents import DOCUMENTS, make_all

    made, refused = make_all(now, out / "documents", today=day)
    for exc in refused:
        print(f"Ошибка: {exc}", file=sys.stderr)
    if refused:
        failures.append(f"документов: {len(refused)}")
    # the last lines are the verdict, not 250 lines up: what was built, where, and what failed
    print("", file=sys.stderr)
    print("Итог демо:", file=sys.stderr)
    print(f"  хранилище: {store_path} (снимки № {first} и № {second})", file=sys.stderr)
    print(f"  книга демо-организации: {workbook}", file=sys.stderr)
    print(f"  {report_line}", file=sys.stderr)
    print(f"  документы: {len(made)} из {len(DOCUMENTS)} — {out / 'documents'} (DOCX)", file=sys.stderr)
    print(f"  дальше: sferum audit --store {store_path}   ·   sferum report all --demo --out отчёты", file=sys.stderr)
    if failures:
        print(f"ОШИБКА: демо построено не полностью — не получились {'; '.join(failures)}. Причины — выше.",
              file=sys.stderr)
        return 1
    print("Демо построено полностью.", file=sys.stderr)
    return 0


__all__ = ["DemoSize", "earlier", "generate", "run_demo"]
