"""Report notebooks: what the administrator hands the head.

A report notebook calls :func:`prepare` with its parameters, then ``build``, ``show`` and ``write``. The same
:class:`Report` runs under papermill (``sferum report``), in JupyterLab and in tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sferum_lib.reports.base import ReportData, ReportSpec, validate
from sferum_lib.reports.content import REPORTS

# names IPython puts into a notebook's namespace by itself
_IPYTHON_NAMES = {"In", "Out", "get_ipython", "exit", "quit", "open"}


class Report:
    """A report with validated parameters, ready to build its data and write its artifacts."""

    def __init__(self, spec: ReportSpec, params: dict[str, Any]) -> None:
        self.spec = spec
        self.params = params

    def build(self) -> ReportData:
        from sferum_lib.reports.base import Context

        ctx = Context(self.params)
        data = self.spec.build(ctx)
        data.summary = [*dict.fromkeys(ctx.notes), *data.summary]
        return data

    def write(self, data: ReportData) -> dict[str, Path]:
        from sferum_lib.reports.artifacts import write_all

        return write_all(data, self.params["out_dir"], self.params["mask_personal_data"])

    def show(self, data: ReportData) -> None:
        """Display the report in a notebook: the summary, the charts and the tables."""
        from IPython.display import Image, Markdown, display

        display(
            Markdown(
                f"## {data.title}\n\n{data.organisation}, на {data.as_of:%d.%m.%Y}\n\n"
                + "\n".join(f"* {line}" for line in data.summary)
            )
        )
        for chart in data.charts:
            display(Image(chart.png))
        for table in data.tables:
            display(Markdown(f"### {table.title}"))
            display(table.frame)


def prepare(name: str, namespace: Mapping[str, Any]) -> Report:
    """Validate a report notebook's parameters, taken from its namespace; unknown names are refused."""
    from sferum_lib.errors import UsageError

    spec = REPORTS.get(name)
    if spec is None:
        raise UsageError(f"Неизвестный отчёт «{name}». Отчёты: {', '.join(REPORTS)}.")
    given = {
        k: v
        for k, v in namespace.items()
        if not k.startswith("_") and k not in _IPYTHON_NAMES and not callable(v) and not hasattr(v, "__loader__")
    }
    return Report(spec, validate(spec, given))


__all__ = ["REPORTS", "Report", "ReportData", "prepare"]
