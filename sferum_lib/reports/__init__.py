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

    def save(self, data: ReportData) -> None:
        """Write the artifacts and say where they are (the notebook's last step)."""
        for path in self.write(data).values():
            print("Записано:", path)

    def show(self, data: ReportData) -> None:
        """Display the report in a notebook as the HTML shows it: escaped text (no links from data), masked."""
        from IPython.display import HTML, display

        from sferum_lib.reports.artifacts import render_body

        display(HTML(render_body(data, self.params["mask_personal_data"])))


_LITERALS = (str, int, float, bool, type(None))


def prepare(name: str, namespace: Mapping[str, Any]) -> Report:
    """Validate a report notebook's parameters, taken from its namespace; unknown names are refused.

    Only literal values count as parameters (papermill injects nothing else), so the notebook's own results of an
    earlier run — ``report``, ``data`` — do not stop it from running again in the same kernel. Files the report
    writes from here on are owner-only, whatever the umask the kernel started with.
    """
    from sferum_lib.errors import UsageError
    from sferum_lib.files import private_umask

    private_umask()
    spec = REPORTS.get(name)
    if spec is None:
        raise UsageError(f"Неизвестный отчёт «{name}». Отчёты: {', '.join(REPORTS)}.")
    given = {
        k: v
        for k, v in namespace.items()
        if not k.startswith("_") and k not in _IPYTHON_NAMES and isinstance(v, _LITERALS)
    }
    return Report(spec, validate(spec, given))


__all__ = ["REPORTS", "Report", "ReportData", "prepare"]
