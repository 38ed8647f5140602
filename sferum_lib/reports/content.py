"""The seven reports: what each computes from the store, as tables with Russian headers and charts."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from sferum_lib.checks import CHECKS, CHECKS_BY_KEY, REMARK, VIOLATION, audit, indicators, movement
from sferum_lib.checks.audit import FINDING_COLUMNS, AuditResult, AuditSettings
from sferum_lib.errors import UsageError
from sferum_lib.grammar import agree, genders
from sferum_lib.model import CHAT_TYPE_LABELS, SECTION_BOUND_TYPES, ChatType, Messenger, Snapshot, full_name
from sferum_lib.regulation import default_catalogue
from sferum_lib.regulation.catalogue import cite_finding
from sferum_lib.regulation.editions import cite
from sferum_lib.reports.base import (
    Context,
    Param,
    ReportData,
    ReportSpec,
    Table,
    _records,
    derived,
    movement_order_problem,
    read_snapshot,
)

# what to do about each finding, and who does it (the regulation's roles)
ACTIONS: dict[str, tuple[str, str]] = {
    "admin-appointed": ("Издать приказ о назначении администратора, внести номер и дату", "руководитель"),
    "admin-contacts": ("Внести личный мобильный телефон и email администратора", "администратор"),
    "local-act": ("Издать приказ об использовании платформы", "руководитель"),
    "teachers-room": (
        "Выслать ссылку-приглашение в «Учительскую» и проследить, чтобы педагог вступил",
        "администратор",
    ),
    "teacher-status": ("При необходимости завершить подтверждение статуса «педагог»", "администратор и педагог"),
    "structure": ("Создать класс объединения в структуре организации", "администратор"),
    "section-chats": ("Создать недостающий чат объединения", "педагог объединения"),
    "student-coverage": ("Пригласить обучающегося в чат объединения по ссылке", "педагог объединения"),
    "parent-coverage": ("Пригласить родителя в чат родителей объединения", "педагог объединения"),
    "management-chats": ("Создать управленческий чат", "руководитель"),
    "system-channels": ("Создать системный канал", "администратор"),
    "stale-invites": ("Аннулировать ссылку-приглашение", "администратор"),
    "pending-requests": ("Рассмотреть заявку: принять или отклонить", "администратор"),
    "departed-members": ("Удалить выбывшего из всех чатов", "администратор и владельцы чатов"),
    "foreign-members": ("Удалить постороннего из чата объединения", "администратор или владелец чата"),
    "admin-eligible": ("Назначить администратором работника из числа педагогических", "руководитель"),
    "extra-admins": ("Снять права дополнительного администратора или дождаться вступления педагога", "администратор"),
    "activist-chats": ("Пригласить актив в чат руководителя с активом", "руководитель"),
}
#: What to do about a finding of a check this table does not know yet.
OTHER_ACTION = ("Устранить по пункту положения", "администратор")


def _action(check: str) -> tuple[str, str]:
    return ACTIONS.get(check, OTHER_ACTION)


def _cited(check: str, edition: str | None) -> str:
    """Where a check's findings stand in the regulation, as the catalogue cites the check's duty there."""
    return cite_finding(CHECKS_BY_KEY[check].clause, CHECKS_BY_KEY[check].duty, edition)


def _org(snapshot: Snapshot) -> str:
    return snapshot.organisation.short_name


def _pct(numerator: float, denominator: float) -> float | None:
    return None if not denominator else round(100 * numerator / denominator, 1)


def _pairs(frame: pd.DataFrame, mask: pd.Series, first: str, second: str) -> set[tuple[str, str]]:
    """The (first, second) value pairs of the rows where ``mask`` holds."""
    chosen = frame.loc[mask]
    return set(zip(chosen[first].tolist(), chosen[second].tolist(), strict=True))


def _zip(*columns: pd.Series) -> zip:
    """The columns' values row by row, as Python values: a text column is read element by element several times
    slower than its list is made (pandas' string arrays box every value they yield)."""
    return zip(*[c.tolist() for c in columns], strict=True)


def records(frame: pd.DataFrame) -> list[dict]:
    """``frame.to_dict(orient="records")``, the same values, made from the columns' lists (several times faster)."""
    columns = list(frame.columns)
    return [dict(zip(columns, row, strict=True)) for row in _zip(*[frame[c] for c in columns])]


def _names(snapshot: Snapshot) -> dict[str, str]:
    """Everyone's «Фамилия Имя Отчество» by ID (staff, pupils, parents; a later table wins a shared ID)."""

    def make() -> dict[str, str]:
        names: dict[str, str] = {}
        for table in (snapshot.staff, snapshot.pupils, snapshot.parents):
            names.update(zip(table["id"].tolist(), full_name(table).tolist(), strict=True))
        return names

    return derived(snapshot, "names", make)


def _names_for(snapshot: Snapshot, ids: set) -> dict[str, str]:
    """The names of ``ids`` only (as :func:`_names` has them): a report that names a few people among a million
    does not pay for everyone's names, unless they are already at hand."""
    from sferum_lib.reports.base import _DERIVED

    if (id(snapshot), "names") in _DERIVED:
        return _names(snapshot)
    names: dict[str, str] = {}
    for table in (snapshot.staff, snapshot.pupils, snapshot.parents):
        chosen = table[table["id"].isin(ids)]
        names.update(zip(chosen["id"].tolist(), full_name(chosen).tolist(), strict=True))
    return names


class Words:
    """Codes a person may meet in a report or the terminal, in words: people, chats, sections, chat types.

    Looked up when asked, not made into one dictionary of every person: at a million people that dictionary cost
    seconds per report, and a report names only the people in its findings. A person's ID wins over a chat's,
    a chat's over a section's code, a section's over a chat type.
    """

    def __init__(self, snapshot: Snapshot, people: dict[str, str] | None = None) -> None:
        """``people``: the names of those who may be asked about (all by default; see :func:`_names_for`)."""
        self.people = _names(snapshot) if people is None else people
        self.chats = derived(snapshot, "chat names", lambda: dict(zip(
            snapshot.chats["id"].tolist(), snapshot.chats["name"].tolist(), strict=True)))
        self.sections = derived(snapshot, "section names", lambda: dict(zip(
            snapshot.sections["code"].tolist(), snapshot.sections["name"].tolist(), strict=True)))

    def get(self, code: str, default: str | None = None) -> str | None:
        if code in self.people:
            return f"{self.people[code]} ({code})"
        if code in self.chats:
            return f"чат «{self.chats[code]}»"
        if code in self.sections:
            return f"объединение «{self.sections[code]}»"
        return _TYPE_WORDS.get(code, default)

    def __getitem__(self, code: str) -> str:
        found = self.get(code)
        if found is None:
            raise KeyError(code)
        return found

    def __contains__(self, code: object) -> bool:
        return self.get(code) is not None  # type: ignore[arg-type]


_TYPE_WORDS = {t.value: f"чат «{label}»" for t, label in CHAT_TYPE_LABELS.items()}


def words_of(snapshot: Snapshot) -> Words:
    """Codes a person may meet in a report or the terminal, in words (see :class:`Words`)."""
    return Words(snapshot)


def subject_words(subject: str, words: dict[str, str]) -> str:
    """«BP/section-parents» → «объединение «Беспилотные авиасистемы» — чат «объединение — родители»»."""
    return " — ".join(words.get(part, part) for part in str(subject).split("/"))


def target_words(target: str, words: dict[str, str]) -> str:
    """An invite's «Куда»: «чат:P-TM» → «чат «Родители ТМ»», «объединение:RT» → «объединение «Робототехника»»."""
    kind, _, code = str(target).partition(":")
    if code and kind in ("чат", "объединение"):
        return words.get(code, f"{kind} {code}")
    return target


_TARGET_IN_TEXT = re.compile(r"«(чат|объединение):([^»]+)»")


def message_words(message: str, words: dict[str, str]) -> str:
    """A finding's text with invite targets in words: «чат:P-TM» → чат «Родители ТМ»."""
    text = str(message)
    if ":" not in text:  # no «чат:…» in it (most findings): nothing to name
        return text
    return _TARGET_IN_TEXT.sub(lambda m: target_words(f"{m.group(1)}:{m.group(2)}", words), text)


def _source(ctx: Context, number: int) -> dict[str, str]:
    """The keyword arguments of ReportData that say which data a report shows."""
    return {"source": ctx.source(number), "store": ctx.params["store"]}


# --- audit ---------------------------------------------------------------------------------------------


def _audited(snapshot: Snapshot, as_of: dt.date) -> AuditResult:
    """The audit of a kept snapshot, once per kernel: the checklist report reuses the audit report's."""
    return derived(snapshot, ("audit", as_of), lambda: audit(snapshot, as_of, AuditSettings()))


def build_audit(ctx: Context) -> ReportData:
    number, snapshot = ctx.snapshot()
    result = _audited(snapshot, ctx.as_of)
    # grouped by clause for reading: clause, then the checks in their catalogue order, then the subject
    order = {c.key: i for i, c in enumerate(CHECKS)}
    f = result.findings.assign(_order=result.findings["check"].map(order))
    f = f.sort_values(["clause", "_order", "subject"], kind="stable").reset_index(drop=True)
    words = words_of(snapshot)
    edition = snapshot.organisation.regulation_edition  # every citation in the edition in force
    # a few checks over hundreds of thousands of findings: each worded once, then mapped
    checks = f["check"].unique()
    todo = f["check"].map({k: _action(k)[0] for k in checks})
    who = f["check"].map({k: _action(k)[1] for k in checks})
    findings = pd.DataFrame(
        {
            "Пункт": f["check"].map({k: _cited(k, edition) for k in checks}),
            "Проверка": f["check"].map({k: CHECKS_BY_KEY[k].title for k in checks}),
            "Вид": f["severity"],
            "Объект": [subject_words(x, words) for x in f["subject"].tolist()],
            "Что обнаружено": [message_words(m, words) for m in f["message"].tolist()],
            "Что сделать": todo,
            "Кто делает": who,
            "Обязанность": f["duty"],
        }
    )
    counts = f.groupby(["clause", "_order", "check", "severity"]).size().rename("n").reset_index()
    summary = pd.DataFrame(
        {
            "Пункт": counts["check"].map(lambda k: _cited(k, edition)),
            "Проверка": counts["check"].map(lambda k: CHECKS_BY_KEY[k].title),
            "Вид": counts["severity"],
            "Сколько": counts["n"],
            "Что сделать": counts["check"].map(lambda k: _action(k)[0]),
            "Кто делает": counts["check"].map(lambda k: _action(k)[1]),
        }
    )
    tables = [
        Table("summary", "Итоги по проверкам", summary),
        Table("findings", "Все нарушения и замечания", findings, "Сгруппированы по пунктам положения."),
    ]
    if result.not_performed:
        missing = pd.DataFrame(
            {
                "Проверка": [CHECKS_BY_KEY[k].title for k in result.not_performed],
                "Почему": list(result.not_performed.values()),
            }
        )
        tables.append(Table("not_performed", "Не проверено (нет данных)", missing))
    c = result.counts()
    lead = [f"{ctx.label(number)}. Нарушений: {c[VIOLATION]}, замечаний: {c[REMARK]}."]
    if result.not_performed:
        lead.append(f"Не проверено из-за отсутствия листов: {len(result.not_performed)}.")
    return ReportData(
        "audit",
        "Аудит соответствия положению",
        _org(snapshot),
        ctx.as_of,
        ctx.params,
        lead,
        tables,
        json=records(result.findings[FINDING_COLUMNS]),  # result.to_records(), made faster
        **_source(ctx, number),
    )


# --- indicators ----------------------------------------------------------------------------------------


def _indicators(snapshot: Snapshot, as_of: dt.date) -> list:
    """The indicators of a snapshot on a day, computed once per kept snapshot (the usage and indicators reports)."""
    return derived(snapshot, ("indicators", as_of), lambda: indicators(snapshot, as_of))


def _indicator_frame(snapshot: Snapshot, as_of: dt.date) -> pd.DataFrame:
    items = _indicators(snapshot, as_of)
    return pd.DataFrame(
        {
            "Показатель": [i.title for i in items],
            "Формула": [i.formula for i in items],
            "Числитель": [i.numerator for i in items],
            "Знаменатель": [i.denominator for i in items],
            "Значение, %": [None if i.value is None else round(i.value * 100, 1) for i in items],
        }
    )


def build_indicators(ctx: Context) -> ReportData:
    number, snapshot = ctx.snapshot()
    items = _indicators(snapshot, ctx.as_of)
    table = Table(
        "indicators",
        "Показатели с формулами",
        _indicator_frame(snapshot, ctx.as_of),
        "Доля = числитель / знаменатель; пустое значение — знаменатель пуст (нет данных).",
    )
    return ReportData(
        "indicators",
        "Показатели использования платформы",
        _org(snapshot),
        ctx.as_of,
        ctx.params,
        [f"{ctx.label(number)}. Показателей: {len(items)}."],
        [table],
        json={
            i.key: {
                "title": i.title,
                "formula": i.formula,
                "numerator": i.numerator,
                "denominator": i.denominator,
                "value": i.value,
            }
            for i in items
        },
        **_source(ctx, number),
    )


# --- usage for the head ----------------------------------------------------------------------------------


def section_coverage(snapshot: Snapshot, as_of: dt.date) -> pd.DataFrame:
    """Per section: pupils, who joined, who is in the section's chats, which chats exist."""
    from sferum_lib.model import has_joined, is_current

    day = pd.Timestamp(as_of)
    pupils = snapshot.pupils
    current = pupils[is_current(pupils["enrolled"], pupils["expelled"], day)]
    enrol = snapshot.enrolments.merge(current[["id", "joined"]], left_on="pupil_id", right_on="id")
    enrol["has_joined"] = has_joined(enrol["joined"], day)
    chats, members = snapshot.chats, snapshot.members
    in_type = members.merge(chats[["id", "type", "section_code"]], left_on="chat_id", right_on="id")
    students_in = _pairs(in_type, in_type["type"] == ChatType.SECTION_STUDENTS.value, "section_code", "person_id")
    parents_in = _pairs(in_type, in_type["type"] == ChatType.SECTION_PARENTS.value, "section_code", "person_id")
    enrol["in_chat"] = [(s, p) in students_in for s, p in _zip(enrol["section_code"], enrol["pupil_id"])]
    fam = snapshot.kinship.merge(enrol[["pupil_id", "section_code"]], on="pupil_id").drop_duplicates(
        ["parent_id", "section_code"]
    )
    fam["in_chat"] = [(s, p) in parents_in for s, p in _zip(fam["section_code"], fam["parent_id"])]
    # grouped once, not filtered per section: an organisation may have thousands of sections
    e = enrol.groupby("section_code").agg(
        n=("pupil_id", "size"), joined=("has_joined", "sum"), in_chat=("in_chat", "sum")
    )
    p = fam.groupby("section_code").agg(n=("parent_id", "size"), in_chat=("in_chat", "sum"))
    labels = {t.value: CHAT_TYPE_LABELS[t].split(" — ")[-1] for t in ChatType if t in SECTION_BOUND_TYPES}
    order = {t.value: i for i, t in enumerate(ChatType)}
    present = chats[chats["type"].isin(labels)].drop_duplicates(["section_code", "type"])
    present = present.assign(o=present["type"].map(order)).sort_values(["section_code", "o"])
    chat_list = present.groupby("section_code")["type"].agg(lambda ts: ", ".join(labels[t] for t in ts))
    sections = snapshot.sections
    codes = sections["code"]
    pupils_n = codes.map(e["n"]).fillna(0).astype(int)
    parents_n = codes.map(p["n"]).fillna(0).astype(int)

    def share(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
        return (
            (100 * numerator.fillna(0) / denominator.where(denominator > 0))
            .round(1)
            .astype(object)
            .where(denominator > 0, None)
        )

    names = _names_for(snapshot, set(sections["teacher_id"].dropna().tolist()))
    return pd.DataFrame(
        {
            "Код": codes,
            "Объединение": sections["name"],
            "Педагог": sections["teacher_id"].map(lambda t: names.get(t, t)),
            "Обучающихся": pupils_n,
            "Присоединились, %": share(codes.map(e["joined"]), pupils_n),
            "В чате объединения, %": share(codes.map(e["in_chat"]), pupils_n),
            "Родителей": parents_n,
            "Родители в чате, %": share(codes.map(p["in_chat"]), parents_n),
            "Класс создан": sections["class_created"].map({True: "да", False: "нет"}),
            "Чаты": codes.map(chat_list).fillna("нет"),
        }
    ).reset_index(drop=True)


def _by_indicator(trend: pd.DataFrame) -> pd.DataFrame:
    """The trend turned for reading: «Показатель», then a column per snapshot («№ 2 от 15.10.2026»)."""
    if trend.empty:
        return pd.DataFrame({"Показатель": []})
    columns = [f"№ {n} от {d}" for n, d in zip(trend["Снимок"].tolist(), trend["Дата"].tolist(), strict=True)]
    values = trend.drop(columns=["Снимок", "Дата"]).T
    values.columns = columns
    return values.rename_axis("Показатель").reset_index()


def build_usage(ctx: Context) -> ReportData:
    from sferum_lib.reports import charts

    number, snapshot = ctx.snapshot()
    frame = _indicator_frame(snapshot, ctx.as_of)[["Показатель", "Числитель", "Знаменатель", "Значение, %"]]
    trend_rows = []
    with ctx.store() as store:
        infos = store.snapshots()
        # the one before is kept for the movement report; older ones are read, used and let go
        previous = max([i.number for i in infos if i.number < number], default=None)
        for info in infos:
            taken = min(dt.date.fromisoformat(info.imported_at[:10]), ctx.as_of)
            if info.number == number:
                shot = snapshot  # loaded once
            else:
                shot = read_snapshot(store, info.number) if info.number == previous else store.snapshot(info.number)
            values = {i.key: i for i in _indicators(shot, taken)}
            row = {"Снимок": info.number, "Дата": taken.strftime("%d.%m.%Y")}
            row |= {i.title: None if i.value is None else round(i.value * 100, 1) for i in values.values()}
            trend_rows.append(row)
    trend = pd.DataFrame(trend_rows)
    coverage = section_coverage(snapshot, ctx.as_of)
    lead = [f"{ctx.label(number)}; снимков в хранилище: {len(infos)}."]
    low = coverage[coverage["В чате объединения, %"].fillna(100) < 80]
    if len(low):
        lead.append("Объединения, где в чате меньше 80 % обучающихся: " + ", ".join(low["Объединение"]) + ".")
    return ReportData(
        "usage",
        "Использование платформы: статистика для руководителя",
        _org(snapshot),
        ctx.as_of,
        ctx.params,
        lead,
        [
            Table("indicators", "Показатели", frame),
            # an indicator a row and a snapshot a column: ten long indicator titles as headers did not fit a page
            Table("trend", "Показатели по снимкам, %", _by_indicator(trend), "Каждый снимок — на дату его загрузки."),
            Table("sections", "Охват по объединениям", coverage),
        ],
        [charts.coverage_chart(coverage, ctx.params["mask_personal_data"]), charts.trend_chart(trend)],
        # the JSON keeps a snapshot a record, as programs read it
        json={"indicators": _records(frame), "trend": _records(trend), "sections": _records(coverage)},
        **_source(ctx, number),
    )


# --- invite links --------------------------------------------------------------------------------------


def build_invites(ctx: Context) -> ReportData:
    number, snapshot = ctx.snapshot()
    soon = ctx.params["soon_days"]
    max_age = AuditSettings().invite_max_age_days
    day = pd.Timestamp(ctx.as_of)
    inv = snapshot.invites
    open_ = inv[inv["used"].isna() & inv["annulled"].isna()].copy()
    # the first day a link counts as stale: past its age limit, or the day after its «Действует до»
    by_age = open_["created"] + pd.Timedelta(days=max_age + 1)
    by_validity = open_["valid_until"] + pd.Timedelta(days=1)
    open_["stale_from"] = pd.concat([by_age, by_validity], axis=1).min(axis=1)
    open_["status"] = "действует"
    open_.loc[open_["stale_from"] <= day, "status"] = "аннулировать сейчас"
    open_.loc[(open_["stale_from"] > day) & (open_["stale_from"] <= day + pd.Timedelta(days=soon)), "status"] = (
        f"станет невостребованной в ближайшие {soon} дн."
    )
    # only the links' creators and targets are named: a few thousand codes, not everyone
    codes = {str(t).partition(":")[2] for t in open_["target"].tolist()}
    names = _names_for(snapshot, codes | {c for c in open_["created_by"].tolist() if isinstance(c, str)})
    words = Words(snapshot, names)
    open_["creator"] = open_["created_by"].map(lambda c: f"{names.get(c, c)} ({c})" if isinstance(c, str) else "—")
    listing = pd.DataFrame(
        {
            "Ссылка": open_["id"],
            "Куда": open_["target"].map(lambda t: target_words(t, words)),
            "Роль": open_["role"],
            "Создана": open_["created"].dt.strftime("%d.%m.%Y"),
            "Действует до": open_["valid_until"].dt.strftime("%d.%m.%Y"),
            "Кем": open_["creator"],
            "Невостребована с": open_["stale_from"].dt.strftime("%d.%m.%Y"),
            "Что делать": open_["status"],
        }
    ).sort_values(["Что делать", "Кем", "Ссылка"])
    now = listing[listing["Что делать"] == "аннулировать сейчас"]
    later = listing[listing["Что делать"].str.startswith("станет")]
    by_creator = (
        open_.groupby("creator")["status"]
        .agg(
            **{
                "Аннулировать сейчас": lambda s: int((s == "аннулировать сейчас").sum()),
                "Скоро станут невостребованными": lambda s: int(s.str.startswith("станет").sum()),
                "Всего открытых": "size",
            }
        )
        .reset_index()
        .rename(columns={"creator": "Кем созданы"})
    )
    lead = [
        f"{ctx.label(number)}. Аннулировать сейчас: {len(now)}; станут невостребованными в ближайшие {soon} дн.: "
        f"{len(later)}; всего неиспользованных ссылок: {len(open_)}.",
        # the regulation obliges the administrator to annul unclaimed links but sets no term: the days are the
        # organisation's own rule (AuditSettings), and the report must not lend it the regulation's authority
        f"Ссылка невостребована, если не использована за {max_age} дн. или истёк срок её действия. "
        "Этот срок — правило организации (настройка по умолчанию), а не положения: положение обязывает "
        "администратора аннулировать невостребованные ссылки-приглашения, но срока не устанавливает "
        f"({cite(default_catalogue()['ADM-13'].clause, snapshot.organisation.regulation_edition)}).",
    ]
    return ReportData(
        "invites",
        "Ссылки-приглашения: что аннулировать",
        _org(snapshot),
        ctx.as_of,
        ctx.params,
        lead,
        [
            Table("annul_now", "Аннулировать сейчас", now),
            Table(
                "soon",
                f"Станут невостребованными в ближайшие {soon} дн.",
                later,
                sheet="Скоро станут невостребованными",
            ),
            Table("by_creator", "По тем, кто создал ссылки", by_creator),
        ],
        **_source(ctx, number),
    )


# --- movement ------------------------------------------------------------------------------------------


def build_movement(ctx: Context) -> ReportData:
    with ctx.store() as store:
        numbers = [s.number for s in store.snapshots()]
        if not numbers:
            store.latest()  # raises the store's own Russian message
        if ctx.state:  # what was done since a snapshot: that snapshot (the latest by default) against the state
            second = 0
            first = ctx.params["from_snapshot"] or numbers[-1]
            before, after = read_snapshot(store, first), store.state()
        else:
            second = ctx.params["to_snapshot"] or numbers[-1]
            first = ctx.params["from_snapshot"] or max([n for n in numbers if n < second], default=second)
            if first > second:  # said before the kernel by runner.check_params; here for a notebook run by hand
                raise UsageError(f"Отчёт «Движение»: {movement_order_problem(first, second)}.")
            if first == second:
                return _nothing_to_compare(ctx, read_snapshot(store, second), second, numbers)
            before, after = read_snapshot(store, first), read_snapshot(store, second)
    shown = ctx.source(0) if second == 0 else f"снимок № {second}"
    moves = movement(before, after, ctx.as_of)
    moved = {pid for side in moves.values() for ids in side.values() for pid in ids}
    names = moved_names(before, after, moves)
    # the chats of those who left and the sections of those who came: grouped for them only, not for everyone
    departed = {pid for ids in moves["departed"].values() for pid in ids}
    members = after.members[after.members["person_id"].isin(departed)]
    chats_of = members.groupby("person_id")["chat_id"].agg(lambda s: ", ".join(sorted(s))).to_dict()
    enrolments = after.enrolments[after.enrolments["pupil_id"].isin(moves["arrived"]["students"])]
    sections_of = enrolments.groupby("pupil_id")["section_code"].agg(", ".join).to_dict()
    staff = after.staff.set_index("id")
    pupil_words = _pupil_words(before, after, moved)
    rows_in, rows_out = [], []
    for kind in ("staff", "students"):
        for pid in moves["arrived"][kind]:
            word = "сотрудник" if kind == "staff" else pupil_words.get(pid, PUPIL)
            if kind == "staff":
                what = staff.loc[pid, "position"]
                action = "Выслать ссылку-приглашение в «Учительскую» в роли «педагог» (ADM-07)"
                phone, email = staff.loc[pid, "phone"], staff.loc[pid, "email"]
            else:
                what = "объединения: " + sections_of.get(pid, "—")
                action = "Пригласить в чаты своих объединений; родителей — в чаты родителей (PDO-03, STU-01, PAR-01)"
                phone = email = None
            rows_in.append(
                {
                    "ID": pid,
                    "ФИО": names.get(pid, pid),
                    "Кто": word,
                    "Должность / объединения": what,
                    "Телефон": phone,
                    "Email": email,
                    "Что сделать на платформе": action,
                }
            )
        for pid in moves["departed"][kind]:
            word = "сотрудник" if kind == "staff" else pupil_words.get(pid, PUPIL)
            chats = chats_of.get(pid, "")
            action = "Удалить из чатов: " + chats + " (ADM-12)" if chats else "В чатах не состоит — ничего"
            rows_out.append(
                {
                    "ID": pid,
                    "ФИО": names.get(pid, pid),
                    "Кто": word,
                    "Ещё состоит в чатах": chats or "—",
                    "Что сделать на платформе": action,
                }
            )
    arrived = pd.DataFrame(
        rows_in, columns=["ID", "ФИО", "Кто", "Должность / объединения", "Телефон", "Email", "Что сделать на платформе"]
    )
    departed = pd.DataFrame(rows_out, columns=["ID", "ФИО", "Кто", "Ещё состоит в чатах", "Что сделать на платформе"])
    compared = f"снимков № {first} и № {second}" if second else f"снимка № {first} и рабочего состояния"
    lead = [f"Сравнение {compared} на {ctx.as_of:%d.%m.%Y}: прибыло {len(arrived)}, выбыло {len(departed)}."]
    return ReportData(
        "movement",
        "Движение обучающихся и сотрудников",
        _org(after),
        ctx.as_of,
        ctx.params,
        lead,
        [Table("arrived", "Прибыли", arrived, personal=("Телефон", "Email")), Table("departed", "Выбыли", departed)],
        json={"from": first, "to": second, **moves},
        source=f"снимки № {first} и № {second}" if second else f"снимок № {first} и {shown}",
        store=ctx.params["store"],
    )


def moved_names(before: Snapshot, after: Snapshot, moves: dict[str, dict[str, list[str]]]) -> dict[str, str]:
    """«Фамилия Имя Отчество» of everyone who came or left between two snapshots (the newer name wins)."""
    moved = {pid for side in moves.values() for ids in side.values() for pid in ids}
    return {**_names_for(before, moved), **_names_for(after, moved)}


#: A pupil, as a report names one whose gender is not known (the grammatical default).
PUPIL = "обучающийся"


def pupil_word(gender: str | None) -> str:
    """«обучающийся» or «обучающаяся», as the person's «Пол» (or name) says; the audit words a pupil the same."""
    return agree(gender, PUPIL, "обучающаяся", PUPIL)


def role_word(role: str, label: str, gender: str | None) -> str:
    """A catalogue role naming a person: the pupil's role in their gender; the others are common gender."""
    return pupil_word(gender) if role == "student" else label


def _pupil_words(before: Snapshot, after: Snapshot, ids: set) -> dict[str, str]:
    """«обучающийся»/«обучающаяся» of the pupils among ``ids`` (the newer snapshot's «Пол» wins)."""
    words: dict[str, str] = {}
    for snapshot in (before, after):
        chosen = snapshot.pupils[snapshot.pupils["id"].isin(ids)]
        words.update(zip(chosen["id"].tolist(), [pupil_word(g) for g in genders(chosen).tolist()], strict=True))
    return words


def _nothing_to_compare(ctx: Context, snapshot: Snapshot, number: int, numbers: list[int]) -> ReportData:
    """The movement report when there is one snapshot only (or no earlier one): said plainly, no empty comparison."""
    if len(numbers) == 1:
        why = (
            f"В хранилище пока один снимок (№ {number}): сравнивать не с чем. Прибывшие и выбывшие появятся здесь "
            "после загрузки следующего снимка (sferum import КНИГА.xlsx)."
        )
    else:
        why = f"Снимок № {number} — самый ранний в хранилище: более раннего снимка для сравнения нет."
    return ReportData(
        "movement",
        "Движение обучающихся и сотрудников",
        _org(snapshot),
        ctx.as_of,
        ctx.params,
        [why],
        [],
        json={"from": None, "to": number, "compared": False, "reason": why},
        **_source(ctx, number),
    )


# --- the move to MAX -----------------------------------------------------------------------------------


def _to_remove(snapshot: Snapshot, as_of: dt.date) -> tuple[set[str], set[tuple[str, str]]]:
    """Whom the audit says to remove from chats: those who have left (from every chat) and the (chat, person)
    pairs of those who do not belong in a section's chat — the rule of `foreign-members`, not a copy of it."""
    findings = _audited(snapshot, as_of).findings
    check = findings["check"]
    departed = set(findings.loc[check == "departed-members", "subject"].tolist())
    foreign = {tuple(s.split("/", 1)) for s in findings.loc[check == "foreign-members", "subject"].tolist()}
    return departed, foreign  # type: ignore[return-value]


def build_max_migration(ctx: Context) -> ReportData:
    number, snapshot = ctx.snapshot()
    chats = snapshot.chats.copy()
    chats["messenger"] = chats["messenger"].fillna(Messenger.VK.value)
    chats["group"] = chats["section_code"].fillna("организация")
    members = snapshot.members.merge(chats[["id", "type", "group", "messenger"]], left_on="chat_id", right_on="id")
    moved_kinds = _pairs(chats, chats["messenger"] == Messenger.MAX.value, "group", "type")
    in_max = _pairs(members, members["messenger"] == Messenger.MAX.value, "group", "person_id")
    old = chats[chats["messenger"] != Messenger.MAX.value]
    # who is to be invited: the old chats' members who belong there — not those the audit says to remove (those
    # who have left, `departed-members`; those who do not belong in a section's chat, `foreign-members`)
    removed, foreign = _to_remove(snapshot, ctx.as_of)
    old_members = members[members["messenger"] != Messenger.MAX.value]
    keep = ~old_members["person_id"].isin(removed)
    if foreign:
        pairs = _zip(old_members["chat_id"], old_members["person_id"])
        keep &= pd.Series([pair not in foreign for pair in pairs], index=old_members.index, dtype=bool)
    # per old chat: its members who belong there, whom its new chat in MAX takes in
    belonging = old_members.loc[keep].groupby("chat_id").size()
    old_members = old_members.loc[keep, ["group", "person_id"]].drop_duplicates()
    old_members["done"] = [
        (g, p) in in_max for g, p in _zip(old_members["group"], old_members["person_id"])
    ]
    old = old.assign(done=[(g, t) in moved_kinds for g, t in _zip(old["group"], old["type"])])
    section_names = dict(zip(snapshot.sections["code"], snapshot.sections["name"], strict=True))
    c = old.groupby("group")["done"].agg(["size", "sum"])
    m = old_members.groupby("group")["done"].agg(["size", "sum"])
    both = c.add_suffix("_chats").join(m.add_suffix("_people"), how="outer").fillna(0).astype(int).sort_index()
    total = both["size_chats"] + both["size_people"]
    per_section = pd.DataFrame(
        {
            "Объединение": [section_names.get(g, "чаты организации") for g in both.index],
            "Код": both.index,
            "Чатов в VK": both["size_chats"],
            "Пересоздано в MAX": both["sum_chats"],
            "Людей пригласить": both["size_people"],
            "Уже в MAX": both["sum_people"],
            "Готово, %": (100 * (both["sum_chats"] + both["sum_people"]) / total.where(total > 0)).round(1),
        }
    ).reset_index(drop=True)
    names = _names(snapshot)
    todo_chats = old[~old["done"]]
    count = members.groupby("chat_id").size()
    chats_table = pd.DataFrame(
        {
            "Чат": todo_chats["id"],
            "Название": todo_chats["name"],
            "Тип": todo_chats["type"].map({t.value: label for t, label in CHAT_TYPE_LABELS.items()}),
            "Объединение": todo_chats["group"],
            "Владелец": todo_chats["owner_id"].map(lambda o: names.get(o, o)),
            "Участников": todo_chats["id"].map(count).fillna(0).astype(int),
            # those the audit says to remove (who have left, who do not belong in the section's chat) are not
            # carried over: the new chat is for the rest
            "Перевести в новый чат": todo_chats["id"].map(belonging).fillna(0).astype(int),
        }
    )
    people = old_members[~old_members["done"]]
    people_table = pd.DataFrame(
        {
            "ID": people["person_id"],
            "ФИО": people["person_id"].map(lambda p: names.get(p, p)),
            "Объединение": people["group"],
        }
    )
    total_chats, total_people = len(old), len(old_members)
    done_chats, done_people = int(old["done"].sum()), int(old_members["done"].sum())
    lead = [
        f"Мессенджер организации по настройке: {snapshot.organisation.messenger.value}. {ctx.label(number)}.",
        f"Пересоздано чатов в MAX: {done_chats} из {total_chats}; приглашено людей: {done_people} из {total_people}.",
        "Чат считается пересозданным, если в MAX есть чат того же типа для того же объединения.",
        "Приглашать — только тех, кто по положению может состоять в чате: выбывших и посторонних, которых аудит "
        "велит удалить из чатов, здесь нет. В таблице чатов «Участников» — сколько людей в чате VK сейчас, "
        "«Перевести в новый чат» — сколько из них войдёт в новый чат.",
    ]
    return ReportData(
        "max-migration",
        "Переезд из VK Мессенджера в MAX",
        _org(snapshot),
        ctx.as_of,
        ctx.params,
        lead,
        [
            Table("sections", "Ход переезда по объединениям", per_section),
            Table("chats", "Чаты, которые нужно пересоздать в MAX", chats_table, sheet="Пересоздать в MAX"),
            Table("people", "Кого пригласить в новые чаты", people_table),
        ],
        json={
            "chats_total": total_chats,
            "chats_done": done_chats,
            "people_total": total_people,
            "people_done": done_people,
            "sections": records(per_section),
            "chats": records(chats_table),
            "people": records(people_table),
        },
        **_source(ctx, number),
    )


# --- one person's checklist ----------------------------------------------------------------------------


def build_person(ctx: Context) -> ReportData:
    from sferum_lib.checklist import AS_NEEDED, DONE, PENDING, checklist, departure, roles_of

    number, snapshot = ctx.snapshot()
    with ctx.store() as store:
        journal = store.journal() if store.has_state() else None
    person_id = ctx.params["person_id"] or snapshot.organisation.admin_id or snapshot.organisation.head_id
    if not person_id:
        raise UsageError("Отчёт «Чек-лист»: укажите ID человека: -p person_id E03")
    if not ctx.params["person_id"]:
        ctx.notes.append(f"Человек не указан: показан администратор платформы ({person_id}).")
    items = checklist(snapshot, person_id, ctx.as_of, journal, findings=_audited(snapshot, ctx.as_of).findings)
    catalogue = default_catalogue()
    name = _names_for(snapshot, {person_id}).get(person_id, person_id)
    person = None  # the person's row: its phone and email (staff, parents), its «Пол»
    for table in (snapshot.staff, snapshot.pupils, snapshot.parents):
        found = table[table["id"] == person_id]
        if not found.empty:
            person = found.iloc[0]
    gender = None if person is None else genders(person.to_frame().T).iloc[0]
    roles = ", ".join(role_word(r, catalogue.roles[r], gender) for r in roles_of(snapshot, person_id))
    if not roles:  # a worker the regulation gives no role (a watchman): named by their position
        position = None if person is None else person.get("position")
        roles = str(position) if isinstance(position, str) and position else "без роли на платформе"
    left = departure(snapshot, person_id, ctx.as_of)
    card = pd.DataFrame(
        [
            {
                "ID": person_id,
                "ФИО": name,
                "Роль": roles,
                **({"Выбытие": left.words} if left is not None else {}),
                "Телефон": None if person is None else person.get("phone"),
                "Email": None if person is None else person.get("email"),
            }
        ]
    )
    frame = pd.DataFrame(
        {
            "Обязанность": [i.duty.id for i in items],
            "Пункт": [i.duty.citation for i in items],  # the checklist's duties cite the edition in force
            "Что": [i.duty.title for i in items],
            "Состояние": [i.status for i in items],
            "Подробности": [i.detail for i in items],
        }
    )
    done = sum(i.status == DONE for i in items)
    pending = sum(i.status == PENDING for i in items)
    as_needed = sum(i.status == AS_NEEDED for i in items)
    if left is not None:  # no duties to count: say the person has left, and what is left to do about them
        lead = [f"{name} — {roles}. {left.words.capitalize()}: обязанностей по положению больше нет."]
        chats = sorted(set(snapshot.members.loc[snapshot.members["person_id"] == person_id, "chat_id"]))
        if chats:
            them = left.person.pronoun("accusative", neutral="выбывшего")
            titles = dict(zip(snapshot.chats["id"].tolist(), snapshot.chats["name"].tolist(), strict=True))
            named = ", ".join(f"«{titles[c]}» ({c})" if titles.get(c) else c for c in chats)
            lead.append(
                f"Всё ещё состоит в чатах: {named} — "
                f"администратор и владельцы чатов удаляют {them} из чатов (ADM-12)."
            )
    elif not items:
        lead = [f"{name} — {roles}. Обязанностей по положению у этой должности нет."]
    else:
        lead = [
            f"{name} — {roles}. Выполнено: {done}, не выполнено: {pending}, по необходимости: {as_needed}, "
            f"всего обязанностей: {len(items)}."
        ]
    lead += [
        f"По снимку № {number} на {ctx.as_of:%d.%m.%Y}." if number else f"{ctx.label(number)}.",
    ]
    return ReportData(
        "person",
        f"Чек-лист: {name}",
        _org(snapshot),
        ctx.as_of,
        ctx.params,
        lead,
        [
            Table("person", "Кто", card, personal=("Телефон", "Email")),
            Table("duties", "Обязанности по положению", frame),
        ],
        **_source(ctx, number),
    )


REPORTS: dict[str, ReportSpec] = {
    spec.name: spec
    for spec in (
        ReportSpec("usage", "Использование платформы: статистика для руководителя", ("ADM-18", "HEAD-07"), build_usage),
        ReportSpec("audit", "Аудит соответствия положению", ("ADM-18",), build_audit),
        ReportSpec(
            "invites",
            "Ссылки-приглашения: что аннулировать",
            ("ADM-13",),
            build_invites,
            (Param("soon_days", int, 2, "сколько дней вперёд смотреть на ссылки, которые скоро устареют"),),
        ),
        ReportSpec(
            "movement",
            "Движение обучающихся и сотрудников",
            ("ADM-12",),
            build_movement,
            (
                Param("from_snapshot", int, 0, "прежний снимок; 0 — предпоследний"),
                Param("to_snapshot", int, 0, "новый снимок; 0 — последний"),
            ),
        ),
        ReportSpec("indicators", "Показатели использования платформы", ("ADM-18",), build_indicators),
        ReportSpec("max-migration", "Переезд из VK Мессенджера в MAX", ("ADM-04", "ADM-07"), build_max_migration),
        ReportSpec(
            "person",
            "Чек-лист одного человека",
            ("ADM-16",),
            build_person,
            (Param("person_id", str, "", "ID сотрудника, обучающегося или родителя"),),
        ),
    )
}


def build_region(ctx: Context) -> ReportData:
    """The region report (many organisations' stores in one folder), on a local Dask cluster or the given one."""
    from sferum_lib.region.cluster import runner
    from sferum_lib.region.core import DEFAULT_REGION
    from sferum_lib.region.report import build_region_report

    with runner(ctx.params["scheduler"] or None, ctx.params["workers"] or None) as run:
        return build_region_report(ctx.params["store"] or DEFAULT_REGION, ctx.as_of, run)


#: The region report: run by ``sferum report region`` like the others, but over a region folder, so it is not
#: one of :data:`REPORTS` (the organisation's reports that ``report all``, the demo and the workbench run).
REGION = ReportSpec(
    "region",
    "Регион: использование платформы «Сферум» по организациям",
    ("ADM-18",),
    build_region,
    (
        Param("store", str, "", "папка региона; пусто — sferum-region (если её нет — демонстрационный регион)"),
        Param("as_of", str, "", "дата отчёта ГГГГ-ММ-ДД; пусто — сегодня"),
        Param("scheduler", str, "", "планировщик Dask tcp://АДРЕС:8786; пусто — локальный кластер"),
        Param("workers", int, 0, "исполнителей локального кластера; 0 — по числу ядер"),
        Param("out_dir", str, "out/region", "папка для результатов"),
    ),
    region=True,
)

#: Every report ``sferum report NAME`` runs: the organisation's reports and the region's.
SPECS: dict[str, ReportSpec] = {**REPORTS, REGION.name: REGION}
