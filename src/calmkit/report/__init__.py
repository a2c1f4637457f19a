"""The psychologist's report: figures built from the records, and their formats.

figures.py works out the numbers (and followup.py the follow-up summary); csv.py,
json.py and html.py (with svg.py's charts) only render them. Imports point that
way only: the figures never know how they are shown.

This file stays light: the command line reads FORMATS at start-up, and importing
any module of the report imports this one first, so a format's renderer loads
only when a report is rendered in it.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from collections.abc import Callable

    from calmkit.report.figures import Report

# Each format's module and its renderer (a function of the figures to text).
_RENDERERS: dict[str, tuple[str, str]] = {
    "csv": ("calmkit.report.csv", "render_csv"),
    "json": ("calmkit.report.json", "render_json"),
    "html": ("calmkit.report.html", "render_html"),
}
FORMATS: tuple[str, ...] = tuple(_RENDERERS)


def render(report: Report, format: str) -> str:
    """The report as text in ``format``: 'csv', 'json' or 'html'."""
    from calmkit.report.figures import ReportError

    if format not in _RENDERERS:
        raise ReportError(f"the report format is one of {', '.join(FORMATS)}, not '{format}'")
    module, function = _RENDERERS[format]
    renderer = cast("Callable[[Report], str]", getattr(import_module(module), function))
    return renderer(report)
