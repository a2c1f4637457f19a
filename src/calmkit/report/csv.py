"""The report as CSV: one row per session, for a spreadsheet.

Columns are only ever added at the end, so a psychologist's spreadsheet that
reads them by position keeps working. Text from the journal is guarded against
spreadsheet formulas (``safe_cell``).
"""

from __future__ import annotations

import csv
import io

from calmkit.records.answers import FACES, face_of
from calmkit.records.journal import CheckinRecord
from calmkit.report.figures import Report, SessionRow

CSV_COLUMNS: tuple[str, ...] = (
    "profile",
    "session_id",
    "date",
    "start_time",
    "end_time",
    "target",
    "title",
    "plan",
    "plan_session",
    "scripts",
    "status",
    "counted",
    "minutes",
    "steps_done",
    "steps_total",
    "together_group",
    "together_with",
    "stress_before",
    "stress_after",
    "pain_before",
    "pain_after",
    "mood_before",
    "mood_after",
    # Added with journal schema 3 (columns are only ever added at the end).
    "seconds_heard",
    "script_minutes",
    "steps_skipped",
    "practice",
    "profile_kind",
)
# Spreadsheets run a cell starting with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """Text a spreadsheet will show, never run: a leading = + - @ gets an apostrophe."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def _csv_answer(checkin: CheckinRecord | None) -> object:
    """A number as a number; a stress face as words ('face 4 of 5: upset'), never as a
    0-10 number it was not. Mood's scale is its faces, so a mood face is its number."""
    if checkin is None:
        return None
    face = face_of(checkin.item, checkin.scale, checkin.value)
    if face is not None and checkin.item != "mood":
        return f"face {face.number} of {len(FACES[checkin.item])}: {face.words}"
    value = checkin.value
    return safe_cell(value) if isinstance(value, str) else value


def _session_cells(session: SessionRow, profile_kind: str) -> dict[str, object]:
    """One session's cells by column name; journal text made safe for a spreadsheet."""
    text = {
        "profile": session.profile,
        "target": session.target,
        "title": session.title,
        "plan": session.plan or "",
        "scripts": " ".join(session.scripts),
        "together_group": session.together_group or "",
        "together_with": "; ".join(session.together_with),
    }
    row: dict[str, object] = {name: safe_cell(value) for name, value in text.items()}
    row.update(
        session_id=session.id,
        date=session.day.isoformat(),
        start_time=f"{session.started:%H:%M}",
        end_time=f"{session.ended:%H:%M}" if session.ended else "",
        plan_session=session.plan_session,
        status=session.status,
        counted="yes" if session.counted else "no",
        profile_kind=profile_kind,
        minutes=f"{session.minutes:.1f}",
        steps_done=session.steps_done,
        steps_total=session.steps_total,
        seconds_heard=session.seconds_heard,
        script_minutes=None
        if session.script_seconds is None
        else f"{session.script_seconds / 60:.1f}",
        steps_skipped=session.steps_skipped,
        practice="yes" if session.practice else "no",
    )
    for item in ("stress", "pain", "mood"):
        for moment in ("before", "after"):
            row[f"{item}_{moment}"] = _csv_answer(session.answer(item, moment))
    return row


def render_csv(report: Report) -> str:
    """One row per session (every profile), check-ins as columns; '\\n' line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for section in report.profiles:
        for session in section.sessions:
            row = _session_cells(session, section.profile_kind)
            writer.writerow([_cell(row.get(column)) for column in CSV_COLUMNS])
    return buffer.getvalue()
