"""How the report's page and charts say numbers, dates and check-in figures.

Shared by html.py and svg.py so a number reads the same in a card, a sentence and
a chart's description (a screen reader reads the description). Plain text only:
escaping is the page's and the SVG builder's job.
"""

from __future__ import annotations

import datetime as dt

from calmkit.report.figures import MONTHS, WEEKDAYS, CheckinFigure, short_date
from calmkit.words import plural

ITEM_WORDS = {
    "stress": ("Stress", "the 0–10 stress thermometer (0 calm, 10 most upset)"),
    "pain": ("Pain", "the 0–10 pain scale"),
    "mood": ("Mood", "the 1–5 mood faces (5 happiest)"),
    "stress_faces": (
        "Stress, answered with faces",
        "the five stress faces (1 very calm, 5 very upset)",
    ),
}


def long_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def weekday_date(day: dt.date) -> str:
    """'Mon 2 Mar': a row of a table."""
    return f"{WEEKDAYS[day.weekday()]} {short_date(day)}"


def number(value: float) -> str:
    """'2.5', with a real minus sign; '0.0' for a value that rounds to nothing, never
    '−0.0'."""
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text.replace("-", "−")


def signed(value: float) -> str:
    """'+1.5' or '−2.4' (a change); '0.0' for none."""
    text = f"{value:+.1f}"
    if text in ("+0.0", "-0.0"):
        return "0.0"
    return text.replace("-", "−")


def minutes_words(minutes: float) -> str:
    """'12 min', 'under 1 min', '0 min'."""
    if minutes <= 0:
        return "0 min"
    if minutes < 1:
        return "under 1 min"
    return f"{round(minutes)} min"


def percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "–"


def item_words(figure: CheckinFigure) -> tuple[str, str]:
    """(heading, the scale in words) of a check-in figure."""
    return ITEM_WORDS.get(figure.key, (figure.item.title(), ""))


def reading_words(value: int, face: str | None) -> str:
    return f"face {value}, {face}" if face else str(value)


def figure_sentence(figure: CheckinFigure) -> str:
    """Before and after in one sentence, for the chart's note and its description."""
    heading, scale_words = item_words(figure)
    if figure.n == 0:
        count = len(figure.readings)
        if not count:
            return f"{heading} was not rated before and after any session."
        return (
            f"{heading} was rated in {plural(count, 'session')}, but never both before "
            "and after the same session."
        )
    assert figure.average_before is not None and figure.average_after is not None
    assert figure.average_change is not None
    return (
        f"Rated before and after {plural(figure.n, 'session')}: on average "
        f"{number(figure.average_before)} before and {number(figure.average_after)} after, "
        f"a change of {signed(figure.average_change)} on {scale_words}."
    )
