"""What a 15-minute follow-up needs first, at the top of the report.

Three things, in this order: how many days were practised in the last seven days
against the seven before; which sessions were most often stopped early, and at
which step; and pain, only when the plan asks for it (docs/clinical-defaults.md: pain
talk stays out unless the psychologist turns it on).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from calmkit.content.library import Library
from calmkit.content.model import TIERS, Breathe, Chime, Release, Say, Silence, Sound, Tense

if TYPE_CHECKING:  # figures.py builds the follow-up from its own rows (types only)
    from calmkit.report.figures import DayFigure, SessionRow

STOPPED = "stopped"  # the child (or family) chose to stop; "interrupted" is the machine
MOST_STOPPED = 3  # sessions listed; a follow-up has time for a few


@dataclass(frozen=True)
class WeekWindow:
    first: dt.date
    last: dt.date
    days_practised: int
    days_planned: int | None  # None without a plan
    complete: bool  # every day of it is inside the report's period


@dataclass(frozen=True)
class StoppedEarly:
    scripts: tuple[str, ...]  # what was played: a plan's session is grouped by its scripts
    title: str
    stopped: int
    sessions: int  # of this target in the period, counted ones
    step: int | None  # 1-based, where it was stopped most often
    steps_total: int
    step_words: str | None  # what that step is, for the reader
    at_that_step: int  # how many of the stops were there


@dataclass(frozen=True)
class PainWeek:
    moment: str  # before / after
    this_week: float | None
    last_week: float | None
    this_week_n: int
    last_week_n: int


@dataclass(frozen=True)
class FollowUp:
    this_week: WeekWindow
    last_week: WeekWindow
    stopped: tuple[StoppedEarly, ...]
    pain: tuple[PainWeek, ...] | None  # None: the plan does not collect pain


def _window(days: Sequence[DayFigure], first: dt.date, last: dt.date, planned: bool) -> WeekWindow:
    inside = [day for day in days if first <= day.day <= last]
    return WeekWindow(
        first=first,
        last=last,
        days_practised=sum(1 for day in inside if day.practised),
        days_planned=sum(1 for day in inside if day.planned) if planned else None,
        complete=len(inside) == 7,
    )


def _step_words(
    library: Library, scripts: Sequence[str], index: int, tier: str | None
) -> str | None:
    """What the step at ``index`` of a session is, in a few words, or None if unknown."""
    steps = []
    for script_id in scripts:
        script = library.scripts.get(script_id)
        if script is None:
            return None
        steps += list(script.steps)
    if not 0 <= index < len(steps):
        return None
    step = steps[index]
    listener = tier if tier in TIERS else "kid"
    if isinstance(step, Say):
        words = step.text.resolve(listener)
        if len(words) > 48:  # a few words, cut where a word ends
            words = words[:48].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
        return f"“{words}”"
    if isinstance(step, Tense):
        return f"squeezing the {step.area}"
    if isinstance(step, Release):
        return f"letting go of the {step.area}"
    if isinstance(step, Breathe):
        return "paced breathing"
    if isinstance(step, Silence):
        return "quiet time"
    if isinstance(step, Sound):
        return "a recorded clip"
    if isinstance(step, Chime):
        return "a chime"
    return None


def _stopped(sessions: Sequence[SessionRow], library: Library) -> tuple[StoppedEarly, ...]:
    by_scripts: dict[tuple[str, ...], list[SessionRow]] = {}
    for session in sessions:
        if session.counted:
            by_scripts.setdefault(session.scripts_played, []).append(session)
    found: list[StoppedEarly] = []
    for played, rows in by_scripts.items():
        stops = [row for row in rows if row.status == STOPPED]
        if not stops:
            continue
        # The step reached: steps are done in order, so the one after the last done.
        where = Counter((row.steps_done, row.steps_total, row.scripts, row.tier) for row in stops)
        (done, total, scripts, tier), count = max(
            where.items(), key=lambda item: (item[1], -item[0][0])
        )
        step = done + 1 if total and done < total else None
        words = _step_words(library, scripts, done, tier) if step is not None else None
        found.append(
            StoppedEarly(
                scripts=played,
                title=stops[-1].title,
                stopped=len(stops),
                sessions=len(rows),
                step=step,
                steps_total=total,
                step_words=words,
                at_that_step=count,
            )
        )
    found.sort(key=lambda item: (-item.stopped, -item.stopped / item.sessions, item.title))
    return tuple(found[:MOST_STOPPED])


def _pain_scores(sessions: Sequence[SessionRow], moment: str, window: WeekWindow) -> list[int]:
    return [
        score
        for row in sessions
        if row.counted
        and window.first <= row.day <= window.last
        and (score := row.score("pain", moment)) is not None
    ]


def _pain(
    sessions: Sequence[SessionRow], moments: Sequence[str], this: WeekWindow, last: WeekWindow
) -> tuple[PainWeek, ...]:
    weeks = []
    for moment in moments:
        now, before = _pain_scores(sessions, moment, this), _pain_scores(sessions, moment, last)
        weeks.append(
            PainWeek(
                moment=moment,
                this_week=sum(now) / len(now) if now else None,
                last_week=sum(before) / len(before) if before else None,
                this_week_n=len(now),
                last_week_n=len(before),
            )
        )
    return tuple(weeks)


def follow_up(
    days: Sequence[DayFigure],
    sessions: Sequence[SessionRow],
    end: dt.date,
    library: Library,
    planned: bool,
    pain_moments: Sequence[str] | None,
) -> FollowUp:
    """The summary for a profile's section; ``pain_moments`` None when pain is not asked."""
    this = _window(days, end - dt.timedelta(days=6), end, planned)
    last = _window(days, end - dt.timedelta(days=13), end - dt.timedelta(days=7), planned)
    pain = _pain(sessions, pain_moments, this, last) if pain_moments else None
    return FollowUp(this, last, _stopped(sessions, library), pain)
