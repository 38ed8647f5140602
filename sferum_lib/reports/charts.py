"""Charts the head would rather look at than read, labelled in Russian, as PNG bytes."""

from __future__ import annotations

import io

import pandas as pd

from sferum_lib.reports.base import Chart


def pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def png_bytes(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    pyplot().close(fig)
    return buffer.getvalue()


#: A chart stays readable with this many sections; a larger organisation shows those with the lowest coverage.
MAX_BARS = 25


def coverage_chart(coverage: pd.DataFrame, mask: bool = False) -> Chart:
    """Horizontal bars: the share of pupils and of parents in their section's chats.

    ``mask``: phones and emails inside the sections' names are masked, as in the report's HTML (a picture cannot
    be masked after it is drawn).
    """
    from sferum_lib.reports.artifacts import scrub

    plt = pyplot()
    data = coverage.fillna(0).sort_values("В чате объединения, %", kind="stable")
    title = "Охват чатами по объединениям"
    if len(data) > MAX_BARS:
        title = f"{MAX_BARS} объединений с самым низким охватом (из {len(data)})"
        data = data.head(MAX_BARS)
    data = data.iloc[::-1]  # bars are drawn from the bottom up: the lowest coverage ends on top, read first
    height = max(2.5, 0.35 * len(data) + 1)
    fig, ax = plt.subplots(figsize=(8, height))
    y = range(len(data))
    ax.barh([i + 0.2 for i in y], data["В чате объединения, %"], height=0.4, label="обучающиеся в чате объединения")
    ax.barh([i - 0.2 for i in y], data["Родители в чате, %"], height=0.4, label="родители в чате родителей")
    names = [scrub(n) if mask else n for n in data["Объединение"].tolist()]
    ax.set_yticks(list(y), names)
    ax.set_xlim(0, 100)
    ax.set_xlabel("доля, %")
    ax.set_title(title, pad=28)
    # above the bars, under the title: inside the axes the legend covered a bar that reached its corner
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=8, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return Chart("coverage", title, png_bytes(fig))


def trend_chart(trend: pd.DataFrame) -> Chart:
    """Lines: each indicator across the store's snapshots."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4))
    labels = [f"№ {n}\n{d}" for n, d in zip(trend["Снимок"], trend["Дата"], strict=True)]
    for column in trend.columns[2:]:
        ax.plot(labels, trend[column], marker="o", label=column)
    ax.set_ylim(0, 100)
    ax.set_ylabel("%")
    ax.set_title("Показатели по снимкам")
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1, 0.5))
    ax.grid(alpha=0.3)
    return Chart("trend", "Показатели по снимкам", png_bytes(fig))
