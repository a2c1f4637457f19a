"""The report as JSON: every figure, for other tools (docs/report-schema.md names each field).

Fields may be added, never renamed; ``SCHEMA_VERSION`` moves only when a field
changes its meaning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from calmkit import __version__
from calmkit.content.safetext import json_text
from calmkit.records.checkins import ACTIVITIES
from calmkit.records.counting import LEGACY_MIN_SECONDS, PRACTICE_SHARE
from calmkit.records.journal import CheckinRecord
from calmkit.report.figures import (
    COUNTED_STATUSES,
    Adherence,
    CheckinFigure,
    PlanInfo,
    ProfileReport,
    Report,
    SessionRow,
)
from calmkit.report.followup import FollowUp, WeekWindow

SCHEMA_VERSION = 1

# Counts written as they are; the JSON's key order follows these lists.
_ADHERENCE_COUNTS = (
    "days_in_period",
    "days_planned",
    "days_practised",
    "planned_days_practised",
    "sessions_planned",
    "plan_sessions_completed",
    "sessions_completed",
    "sessions_stopped",
    "sessions_interrupted",
    "sessions_running",
    "sessions_practice",
    "sessions_with_skips",
)
# A session's fields written as they are, between its scripts and its minutes.
_SESSION_AS_IS = (
    "tier", "status", "counted", "practice", "seconds", "seconds_heard",
    "script_seconds", "seconds_needed",
)  # fmt: skip
_STOPPED_FIELDS = (
    "title",
    "stopped",
    "sessions",
    "step",
    "steps_total",
    "step_words",
    "at_that_step",
)


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def _round(value: float | None, places: int = 1) -> float | None:
    return None if value is None else round(value, places)


def _copied(source: object, names: Sequence[str]) -> dict[str, object]:
    """Fields written as they are, under their own names, in this order."""
    return {name: getattr(source, name) for name in names}


def _checkin_json(checkin: CheckinRecord) -> dict[str, object]:
    """`log --json`'s check-in, with the rows it belongs to in front."""
    return {"id": checkin.id, "session_id": checkin.session_id, **checkin.as_json()}


def _figure_json(figure: CheckinFigure | None) -> dict[str, object] | None:
    if figure is None:
        return None
    return {
        "item": figure.item,
        "scale": [figure.low, figure.high],
        "faces": figure.faces,
        "sessions_with_before": figure.sessions_with_before,
        "sessions_with_after": figure.sessions_with_after,
        "n": figure.n,
        "average_before": _round(figure.average_before, 2),
        "average_after": _round(figure.average_after, 2),
        "average_change": _round(figure.average_change, 2),
        "readings": [
            {
                "session_id": reading.session_id,
                "date": reading.started.date().isoformat(),
                "started": _iso(reading.started),
                "before": reading.before,
                "after": reading.after,
                "change": reading.change,
                "before_face": reading.before_face,
                "after_face": reading.after_face,
            }
            for reading in figure.readings
        ],
    }


def _session_json(session: SessionRow) -> dict[str, object]:
    return {
        "id": session.id,
        "date": session.day.isoformat(),
        "started": _iso(session.started),
        "ended": _iso(session.ended),
        **_copied(session, ("target", "title", "plan", "plan_session")),
        "scripts": list(session.scripts),
        **_copied(session, _SESSION_AS_IS),
        "minutes": _round(session.minutes),
        **_copied(session, ("steps_done", "steps_total", "steps_skipped", "together_group")),
        "together_with": list(session.together_with),
        "checkins": [_checkin_json(checkin) for checkin in session.checkins],
    }


def _follow_up_json(summary: FollowUp | None) -> dict[str, object] | None:
    if summary is None:
        return None

    def window(week: WeekWindow) -> dict[str, object]:
        return {
            "first": week.first.isoformat(),
            "last": week.last.isoformat(),
            "days_practised": week.days_practised,
            "days_planned": week.days_planned,
            "complete": week.complete,
        }

    return {
        "this_week": window(summary.this_week),
        "last_week": window(summary.last_week),
        "stopped_early": [
            {
                "scripts": list(item.scripts),
                **_copied(item, _STOPPED_FIELDS),
            }
            for item in summary.stopped
        ],
        "pain": None
        if summary.pain is None
        else [
            {
                "moment": week.moment,
                "this_week": _round(week.this_week, 2),
                "last_week": _round(week.last_week, 2),
                "this_week_n": week.this_week_n,
                "last_week_n": week.last_week_n,
            }
            for week in summary.pain
        ],
    }


def _plan_json(info: PlanInfo | None) -> dict[str, object] | None:
    if info is None:
        return None
    return {
        "id": info.id,
        "starts": info.starts.isoformat(),
        "starts_given": info.starts_given,
        "ends": info.ends.isoformat(),
        **_copied(info, ("weeks", "age", "tier", "note")),
        "checkin": {
            "before": list(info.checkin_before),
            "after": list(info.checkin_after),
            "daily": list(info.checkin_daily),
        },
        "missing_scripts": list(info.missing_scripts),
    }


def _adherence_json(adherence: Adherence) -> dict[str, object]:
    return {
        **_copied(adherence, _ADHERENCE_COUNTS),
        "minutes": _round(adherence.minutes_total),
        "goal_minutes": _round(adherence.goal_minutes_total),
        "minutes_per_practice_day": _round(adherence.minutes_per_practice_day),
    }


def profile_json(section: ProfileReport) -> dict[str, object]:
    return {
        **_copied(section, ("profile", "age", "profile_kind", "grown_up")),
        "period": {
            "since": section.period.since.isoformat(),
            "until": section.period.until.isoformat(),
            "days": section.period.days,
        },
        "plan": _plan_json(section.plan),
        "adherence": _adherence_json(section.adherence),
        "days": [
            {
                "date": day.day.isoformat(),
                "plan_week": day.plan_week,
                "sessions_planned": day.sessions_planned,
                "goal_minutes": _round(day.goal_minutes),
                "minutes": _round(day.minutes),
                "sessions": day.sessions,
                "sessions_completed": day.sessions_completed,
                "plan_sessions_completed": day.plan_sessions_completed,
                "practised": day.practised,
            }
            for day in section.days
        ],
        "week_basis": section.week_basis,
        "weeks": [
            {
                "label": week.label,
                "first_day": week.first_day.isoformat(),
                "last_day": week.last_day.isoformat(),
                "plan_week": week.plan_week,
                "iso_week": list(week.iso_week) if week.iso_week else None,
                "minutes": _round(week.minutes),
                "goal_minutes": _round(week.goal_minutes),
                "days_planned": week.days_planned,
                "days_practised": week.days_practised,
                "days_reported": week.days_reported,
                "days_none": week.days_none,
                "activities": dict(week.activities),
            }
            for week in section.weeks
        ],
        "scripts": [
            {
                "id": script.id,
                "title": script.title,
                "sessions": script.sessions,
                "completed": script.completed,
                "minutes": _round(script.minutes),
            }
            for script in section.scripts
        ],
        "stress": _figure_json(section.stress),
        "stress_faces": _figure_json(section.stress_faces),
        "pain": _figure_json(section.pain),
        "mood": _figure_json(section.mood),
        "together": [
            {
                "session_id": session.id,
                "date": session.day.isoformat(),
                "title": session.title,
                "status": session.status,
                "with": list(session.together_with),
            }
            for session in section.together
        ],
        "sessions": [_session_json(session) for session in section.sessions],
        "daily_activities": [
            {
                "date": answer.day.isoformat(),
                "activities": list(answer.activities),
                "text": answer.text,
                "at": _iso(answer.at),
            }
            for answer in section.daily_activities
        ],
        "checkins": [_checkin_json(checkin) for checkin in section.checkins],
        "notes": list(section.notes),
        "follow_up": _follow_up_json(section.follow_up),
    }


def report_json(report: Report) -> dict[str, object]:
    return {
        "schema": SCHEMA_VERSION,
        "generator": f"calmkit {__version__}",
        "generated": _iso(report.generated),
        "request": {
            "profile": report.profile,
            "since": report.since.isoformat() if report.since else None,
            "until": report.until.isoformat() if report.until else None,
            "today": report.today.isoformat(),
        },
        "definitions": {
            "practice_share": PRACTICE_SHARE,
            "practice_min_seconds": LEGACY_MIN_SECONDS,
            "counted_statuses": list(COUNTED_STATUSES),
            "activities": list(ACTIVITIES),
        },
        "profiles": [profile_json(section) for section in report.profiles],
    }


def render_json(report: Report) -> str:
    return json_text(report_json(report)) + "\n"
