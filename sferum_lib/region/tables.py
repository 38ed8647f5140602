"""Plain-text views of a region for a Russian terminal: one line per organisation."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sferum_lib.checks import CHECKS_BY_KEY, REMARK, VIOLATION
from sferum_lib.region.core import OrgResult
from sferum_lib.render import count_phrase, ru_date, ru_number


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def audit_table(results: list[OrgResult], as_of: dt.date, top: int = 3) -> str:
    """Violations and remarks per organisation, with the checks that found most."""
    total_v = sum(1 for r in results for f in r.findings if f["severity"] == VIOLATION)
    total_r = sum(1 for r in results for f in r.findings if f["severity"] == REMARK)
    width = max([len("Организация")] + [len(_cut(r.organisation, 40)) for r in results])
    lines = [
        f"Аудит региона на {ru_date(as_of)}: организаций {len(results)}; "
        + count_phrase(total_v, "нарушение", "нарушения", "нарушений")
        + ", "
        + count_phrase(total_r, "замечание", "замечания", "замечаний")
        + ".",
        "",
        f"{'Организация':<{width}}  Нарушений  Замечаний  Больше всего",
    ]
    for r in results:
        v = sum(1 for f in r.findings if f["severity"] == VIOLATION)
        m = len(r.findings) - v
        most = Counter(f["check"] for f in r.findings).most_common(top)
        what = "; ".join(f"{CHECKS_BY_KEY[k].title} — {n}" for k, n in most) or "—"
        lines.append(f"{_cut(r.organisation, 40):<{width}}  {v:>9}  {m:>9}  {what}")
    lines += ["", "Подробно по организации: sferum --store ПАПКА_РЕГИОНА/ИМЯ.db audit; всё сразу: --format json."]
    return "\n".join(lines)


def percent(value: float | None) -> str:
    """«68,6» (a share in per cent, Russian decimal comma); «—» when not defined."""
    return "—" if value is None else ru_number(value * 100)


def indicators_table(results: list[OrgResult], as_of: dt.date) -> str:
    """Indicators in per cent, one row per organisation, one column per indicator (keys explained below)."""
    keys = list(results[0].titles) if results else []
    width = max([len("Организация")] + [len(_cut(r.organisation, 40)) for r in results])
    head = f"{'Организация':<{width}}" + "".join(f"  {i + 1:>5}" for i in range(len(keys)))
    lines = [f"Показатели организаций региона на {ru_date(as_of)}, %", "", head]
    for r in results:
        cells = "".join(f"  {percent(r.indicators.get(k)):>5}" for k in keys)
        lines.append(f"{_cut(r.organisation, 40):<{width}}{cells}")
    lines.append("")
    lines += [f"{i + 1}. {results[0].titles[k]}" for i, k in enumerate(keys)]
    lines.append("«—» — показатель не определён (нет тех, к кому он относится).")
    return "\n".join(lines)
