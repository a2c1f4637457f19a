"""The psychologist's report: figures built from the records, and their formats.

figures.py works out the numbers (and followup.py the follow-up summary); csv.py,
json.py and html.py (with svg.py's charts) only render them. Imports point that
way only: the figures never know how they are shown.

This file stays light: the command line reads FORMATS at start-up, and importing
any module of the report imports this one first, so a format's renderer loads
only when a report is rendered in it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from calmkit.report.figures import Report

FORMATS: tuple[str, ...] = ("csv", "json", "html")


def render(report: Report, format: str) -> str:
    """The report as text in ``format``: 'csv', 'json' or 'html'. Each renderer is
    imported here, when it is used."""
    if format == "csv":
        from calmkit.report.csv import render_csv

        return render_csv(report)
    if format == "json":
        from calmkit.report.json import render_json

        return render_json(report)
    if format == "html":
        from calmkit.report.html import render_html

        return render_html(report)
    from calmkit.report.figures import ReportError

    raise ReportError(f"the report format is one of {', '.join(FORMATS)}, not '{format}'")
