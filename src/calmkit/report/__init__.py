"""The psychologist's report: figures built from the records, and their formats.

figures.py works out the numbers (and followup.py the follow-up summary); csv.py,
json.py and html.py (with svg.py's charts) only render them. Imports point that
way only: the figures never know how they are shown.
"""

from __future__ import annotations

from collections.abc import Callable

from calmkit.report.csv import render_csv
from calmkit.report.figures import Report, ReportError, build_report
from calmkit.report.html import render_html
from calmkit.report.json import render_json, report_json

_RENDERERS: dict[str, Callable[[Report], str]] = {
    "csv": render_csv,
    "json": render_json,
    "html": render_html,
}
FORMATS: tuple[str, ...] = tuple(_RENDERERS)

__all__ = [
    "FORMATS",
    "Report",
    "ReportError",
    "build_report",
    "render",
    "render_csv",
    "render_html",
    "render_json",
    "report_json",
]


def render(report: Report, format: str) -> str:
    """The report as text in ``format``: 'csv', 'json' or 'html'."""
    if format not in _RENDERERS:
        raise ReportError(f"the report format is one of {', '.join(FORMATS)}, not '{format}'")
    return _RENDERERS[format](report)
