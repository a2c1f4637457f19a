"""The report's figures: what was practised, worked out from the journal and the plan.

``build_report`` reads the journal and the plan and works out the figures; the
formats beside this module (csv.py, json.py, html.py) turn them into a file the
family chooses to hand over, and nothing here knows how they are shown. Nothing
here writes to the journal or opens a network connection. docs/report-schema.md documents every JSON field and the
exact definitions below, for the people who read the files.

Definitions (the same words are in the docs and at the end of the HTML report):

- A session *counts* once it has finished: completed, stopped early, or
  interrupted (calmkit was closed or crashed). A session still running is
  listed but counted nowhere.
- Minutes practised are the seconds *heard* of every counted session (paused
  time and stretches skipped with → left out), stopped and interrupted ones
  included, on the day the session started.
- A session *counts as practice* when at least half of its length was heard,
  or the plan's ``practice_minutes`` (counting.py, the one rule). A *practice
  day* is a day with at least one session that counts as practice.
- A *planned day* is a day of the period inside the plan's weeks on which the
  plan asks for at least one session. Its goal is the planned length of the
  day's sessions (each session's scripts compiled at the plan's age tier with
  the plan's settings, reading-time narration, times ``per_day``).
- Planned sessions done: sessions that count as practice and played a planned
  session's scripts (from the plan, the library, or together), on planned days,
  at most as many a day as the plan asks for.
- Weeks are plan weeks (week 1 = the first seven days from the plan's start)
  when the profile has a plan, otherwise ISO weeks (Monday to Sunday).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import TypedDict

from calmkit.content.library import Library
from calmkit.content.model import TIERS, Plan, Tier
from calmkit.content.safetext import AmbiguousName, matching_names
from calmkit.content.schedule import plan_day, week_number
from calmkit.content.timeline import compile_timeline
from calmkit.records.ages import practice_age, practice_tier
from calmkit.records.answers import (
    FACES,
    SCALES,
    answer_words,
    face_of,
    is_number,
)
from calmkit.records.checkins import ACTIVITIES, parse_activities
from calmkit.records.journal import (
    FINISH_STATUSES,
    CheckinRecord,
    Journal,
    ProfileRecord,
    SessionRecord,
)
from calmkit.records.people import who_label
from calmkit.records.today import fulfilled_counts
from calmkit.report.followup import FollowUp, follow_up
from calmkit.words import plural

# A session counts once it has finished, whichever way (the journal's finishing statuses).
COUNTED_STATUSES: tuple[str, ...] = FINISH_STATUSES
# Periods up to this long get a figure for every day; longer ones only for the days
# with something on them (Period.figure_days). Two years of days is a few hundred KiB.
DENSE_DAYS = 2 * 366


class ReportError(ValueError):
    """The report cannot be made as asked; ``str()`` is one line for the user."""


# --- the figures -------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    since: dt.date
    until: dt.date

    @property
    def days(self) -> int:
        return max(0, (self.until - self.since).days + 1)

    def dates(self) -> list[dt.date]:
        return [self.since + dt.timedelta(days=offset) for offset in range(self.days)]

    def figure_days(self, with_something: Iterable[dt.date]) -> list[dt.date]:
        """The days a report has a figure for: every day of an ordinary period (a quiet
        day is a zero on the chart), but of a period longer than DENSE_DAYS only the days
        with something on them (practice, an answer, a planned session). So a report's
        cost follows the practice it holds, not the calendar it spans (0001 to 9999)."""
        if self.days <= DENSE_DAYS:
            return self.dates()
        return sorted({day for day in with_something if day in self})

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.since <= day <= self.until


@dataclass(frozen=True)
class PlanInfo:
    id: str
    starts: dt.date  # the plan's start, or the first session's day when it names none
    starts_given: bool
    weeks: int
    age: int | None
    tier: Tier  # the tier the daily goal was worked out at
    note: str
    checkin_before: tuple[str, ...]
    checkin_after: tuple[str, ...]
    checkin_daily: tuple[str, ...]
    missing_scripts: tuple[str, ...] = ()  # named by the plan, not in the library

    @property
    def ends(self) -> dt.date:
        return self.starts + dt.timedelta(days=7 * self.weeks - 1)


@dataclass(frozen=True)
class SessionRow(SessionRecord):
    """One journal session as the report shows it: the record (its time heard, its day,
    whether it counts as practice) and who practised along."""

    together_with: tuple[str, ...] = ()

    @property
    def minutes(self) -> float:
        return self.heard / 60

    @property
    def counted(self) -> bool:
        """Finished: its minutes and check-ins count. A running session is only listed."""
        return self.finished

    def answer(self, item: str, moment: str) -> CheckinRecord | None:
        """The latest answer to ``item`` at ``moment`` ('before' or 'after'), if any."""
        found: CheckinRecord | None = None
        for checkin in self.checkins:
            if checkin.item == item and checkin.moment == moment:
                found = checkin
        return found

    def value(self, item: str, moment: str) -> int | str | None:
        found = self.answer(item, moment)
        return None if found is None else found.value

    def score(self, item: str, moment: str) -> int | None:
        """The latest answer as a number on the item's own scale; None for none or a face."""
        found = self.answer(item, moment)
        if found is None or not is_number(found.item, found.scale, found.value):
            return None
        return int(found.value)

    def words(self, item: str, moment: str) -> str | None:
        """The answer as `log` and the reports show it: '7', or '(ó_ò) upset'."""
        found = self.answer(item, moment)
        return None if found is None else answer_words(found.item, found.scale, found.value)


class _InMinutes:
    """``minutes`` of a figure that keeps seconds: the seconds are exact, the minutes
    are what people read."""

    seconds: float

    @property
    def minutes(self) -> float:
        return self.seconds / 60


class _AgainstGoal(_InMinutes):
    """A figure with a goal as well, in seconds and in minutes."""

    goal_seconds: float

    @property
    def goal_minutes(self) -> float:
        return self.goal_seconds / 60


@dataclass(frozen=True)
class DayFigure(_AgainstGoal):
    day: dt.date
    plan_week: int | None
    sessions_planned: int
    goal_seconds: float
    seconds: float
    sessions: int  # counted sessions that day
    sessions_completed: int
    plan_sessions_completed: int  # completed from the plan, at most sessions_planned
    practised: bool

    @property
    def planned(self) -> bool:
        return self.sessions_planned > 0


@dataclass(frozen=True)
class Adherence:
    days_in_period: int
    days_practised: int
    sessions_completed: int
    sessions_stopped: int
    sessions_interrupted: int
    sessions_running: int
    seconds_total: float  # heard
    sessions_practice: int = 0  # counted sessions that count as practice
    sessions_with_skips: int = 0  # counted sessions with at least one step skipped
    # None when the profile has no plan.
    days_planned: int | None = None
    planned_days_practised: int | None = None
    sessions_planned: int | None = None
    plan_sessions_completed: int | None = None
    goal_seconds_total: float | None = None

    @property
    def sessions_counted(self) -> int:
        return self.sessions_completed + self.sessions_stopped + self.sessions_interrupted

    @property
    def minutes_total(self) -> float:
        return self.seconds_total / 60

    @property
    def goal_minutes_total(self) -> float | None:
        return None if self.goal_seconds_total is None else self.goal_seconds_total / 60

    @property
    def unplanned_days_practised(self) -> int:
        return self.days_practised - (self.planned_days_practised or 0)

    @property
    def minutes_per_practice_day(self) -> float | None:
        return self.minutes_total / self.days_practised if self.days_practised else None


@dataclass(frozen=True)
class ScriptFigure(_InMinutes):
    id: str
    title: str | None
    sessions: int  # counted sessions that reached this script
    completed: int  # of those, how many played all of its steps
    seconds: float


@dataclass(frozen=True)
class Reading:
    """One session's answers to a check-in item."""

    session_id: int
    started: dt.datetime
    before: int | None
    after: int | None
    # The faces' words when the answers were faces ('upset'), else None.
    before_face: str | None = None
    after_face: str | None = None

    @property
    def change(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True)
class CheckinFigure:
    """Before and after a session, for stress, pain or mood."""

    item: str
    # The answers it can hold: range(0, 11) for the 0-10 numbers, range(1, 6) for faces.
    values: range
    readings: tuple[Reading, ...]
    # Answered with the five faces (stress for young children): 1 to 5, left to right.
    faces: bool = False

    @property
    def low(self) -> int:
        return self.values[0]

    @property
    def high(self) -> int:
        return self.values[-1]

    @property
    def key(self) -> str:
        """Its name in the JSON: 'stress', or 'stress_faces' for the faces."""
        return f"{self.item}_faces" if self.faces and self.item != "mood" else self.item

    @property
    def pairs(self) -> tuple[Reading, ...]:
        return tuple(reading for reading in self.readings if reading.change is not None)

    @property
    def n(self) -> int:
        return len(self.pairs)

    @property
    def sessions_with_before(self) -> int:
        return sum(1 for reading in self.readings if reading.before is not None)

    @property
    def sessions_with_after(self) -> int:
        return sum(1 for reading in self.readings if reading.after is not None)

    @property
    def average_before(self) -> float | None:
        return _mean(reading.before for reading in self.pairs)

    @property
    def average_after(self) -> float | None:
        return _mean(reading.after for reading in self.pairs)

    @property
    def average_change(self) -> float | None:
        return _mean(reading.change for reading in self.pairs)


@dataclass(frozen=True)
class DailyActivities:
    day: dt.date
    activities: tuple[str, ...]  # () when the answer was 'none'
    text: str
    at: dt.datetime


@dataclass(frozen=True)
class WeekFigure(_AgainstGoal):
    first_day: dt.date  # within the period
    last_day: dt.date
    plan_week: int | None  # plan weeks only; may be 0 or less before the start
    iso_week: tuple[int, int] | None  # (year, week) for ISO weeks
    label: str
    activities: dict[str, int]  # days each activity was reported
    days_reported: int  # days with an activities answer
    days_none: int  # of those, days answered 'none'
    seconds: float
    goal_seconds: float
    days_planned: int
    days_practised: int


@dataclass(frozen=True)
class ProfileReport:
    profile: str
    age: int | None
    plan: PlanInfo | None
    period: Period
    adherence: Adherence
    days: tuple[DayFigure, ...]
    week_basis: str  # 'plan' or 'iso'
    weeks: tuple[WeekFigure, ...]
    scripts: tuple[ScriptFigure, ...]
    stress: CheckinFigure  # answers on the 0-10 thermometer
    pain: CheckinFigure | None  # None: no pain check-in in the period (usually not asked)
    mood: CheckinFigure | None  # None: no mood check-in in the period
    sessions: tuple[SessionRow, ...]
    daily_activities: tuple[DailyActivities, ...]
    checkins: tuple[CheckinRecord, ...]  # every check-in in the period, daily ones too
    notes: tuple[str, ...] = ()
    follow_up: FollowUp | None = None  # what a follow-up needs first (followup.py)
    # Stress answered with faces (young children); None when no answer was a face.
    stress_faces: CheckinFigure | None = None
    profile_kind: str = "child"  # 'child', 'grown-up' or 'guest'

    @property
    def grown_up(self) -> bool:
        return self.profile_kind == "grown-up"

    @property
    def label(self) -> str:
        """The name as headings show it: 'Dad (grown-up)'."""
        return who_label(self.profile, self.profile_kind)

    @property
    def counted_sessions(self) -> tuple[SessionRow, ...]:
        return tuple(session for session in self.sessions if session.counted)

    @property
    def together(self) -> tuple[SessionRow, ...]:
        return tuple(session for session in self.sessions if session.together_with)


@dataclass(frozen=True)
class Report:
    generated: dt.datetime
    profile: str | None  # as asked
    since: dt.date | None  # as asked
    until: dt.date | None
    today: dt.date
    profiles: tuple[ProfileReport, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not any(section.sessions for section in self.profiles)


# --- building ----------------------------------------------------------------------------


class _NoJournal:
    """No journal file yet: nothing was practised, and looking must not create one."""

    def profiles(self) -> list[ProfileRecord]:
        return []

    def sessions(self, *_: object) -> list[SessionRecord]:
        return []

    def checkins(self, *_: object) -> list[CheckinRecord]:
        return []


def build_report(
    journal: Journal | None,
    library: Library,
    profile: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    today: dt.date | None = None,
) -> Report:
    """The figures for one profile, or for every profile in the journal.

    ``since``/``until`` bound the period (local calendar days, both included);
    left out, a profile's period runs from its plan's start or its first
    session (whichever is earlier) to ``until`` or today. ``journal`` None (no
    journal file yet) reads as an empty journal. Raises ReportError when
    ``since`` is after ``until``; JournalUnavailable passes through.
    """
    reader: Journal | _NoJournal = journal if journal is not None else _NoJournal()
    today = today or dt.date.today()
    if since is not None and since > (until or today):
        end = f"the end date {until.isoformat()}" if until else f"today ({today.isoformat()})"
        raise ReportError(f"the start date {since.isoformat()} is after {end}")
    # One section a person: an NFC and an NFD "Zoë" are one, Sam and sam are two.
    known: dict[str, ProfileRecord] = {}
    for person in reader.profiles():
        known.setdefault(unicodedata.normalize("NFC", person.name), person)
    if profile is not None:
        name = profile.strip()
        if not name:
            raise ReportError("--profile needs a name")
        try:
            matches = matching_names(name, known)
        except AmbiguousName as error:
            raise ReportError(str(error)) from None
        record = known[matches[0]] if matches else None
        if record is None:
            # Nobody of that name: an empty section, spelt as asked.
            record = ProfileRecord(name, None, _now())
        wanted = [record]
    else:
        wanted = list(known.values())
    # Everyone's sessions, once, to see who practised together.
    everyone = reader.sessions(None, since, until)
    groups: dict[str, list[SessionRecord]] = {}
    for played in everyone:
        if played.together_group:
            groups.setdefault(played.together_group, []).append(played)
    asked = _Asked(since, until, today)
    sections = tuple(_profile_report(reader, library, person, asked, groups) for person in wanted)
    return Report(_now(), profile, since, until, today, sections)


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone().replace(microsecond=0)


@dataclass(frozen=True)
class _Asked:
    """The period as asked for: either end may be left out (today ends it then)."""

    since: dt.date | None
    until: dt.date | None
    today: dt.date

    @property
    def end(self) -> dt.date:
        return self.until or self.today


def _profile_report(
    journal: Journal | _NoJournal,
    library: Library,
    person: ProfileRecord,
    asked: _Asked,
    groups: dict[str, list[SessionRecord]],
) -> ProfileReport:
    name = person.name
    # Only the plan given to them: never one guessed from a plan's `for:` name.
    plan = library.plans.get(person.plan) if person.plan else None
    records = journal.sessions(name, asked.since, asked.until)
    checkins = journal.checkins(name, asked.since, asked.until)
    first_seen = min(
        [record.day for record in records] + [checkin.at.date() for checkin in checkins],
        default=None,
    )
    plan_start: dt.date | None = None
    notes: list[str] = []
    if plan is not None:
        plan_start, notes = _plan_start(journal, name, plan, records, first_seen, asked)
    period = _period(asked, plan_start, first_seen)
    # Nothing from after the period (a `today` in the past, a clock set wrong).
    records = [record for record in records if record.day in period]
    checkins = [checkin for checkin in checkins if checkin.at.date() in period]

    tier = _tier(plan, person, library)
    info = _plan_info(plan, plan_start, tier, library) if plan is not None else None
    durations = _Durations(library, plan)
    sessions = tuple(_session_row(record, groups) for record in records)
    counted = [session for session in sessions if session.counted]
    running = [session for session in sessions if session.status == "running"]
    notes += _plan_notes(plan, info, records) + _session_notes(counted, running)
    daily = _daily_activities(checkins)
    busy = [session.day for session in counted] + [answer.day for answer in daily]
    days = _days(period, plan, info, counted, durations, busy)
    weeks, basis = _weeks(period, info, days, daily)
    return ProfileReport(
        profile=name,
        age=person.age,
        plan=info,
        period=period,
        adherence=_adherence(period, days, counted, running, has_plan=info is not None),
        days=days,
        week_basis=basis,
        weeks=weeks,
        scripts=_scripts(counted, library, durations, tier),
        **_checkin_figures(counted, checkins),
        sessions=sessions,
        daily_activities=daily,
        checkins=tuple(checkins),
        notes=tuple(notes),
        follow_up=follow_up(
            days, sessions, period.until, library, info is not None, _pain_moments(info)
        ),
        profile_kind=person.kind,
    )


def _plan_start(
    journal: Journal | _NoJournal,
    name: str,
    plan: Plan,
    records: list[SessionRecord],
    first_seen: dt.date | None,
    asked: _Asked,
) -> tuple[dt.date, list[str]]:
    """The plan's week 1: its own start, else the first day it was ever used, with a
    note saying so."""
    if plan.starts is not None:
        return plan.starts, []
    # The first day it was ever used, whatever period was asked for.
    used = journal.sessions(name, None, asked.until) if asked.since is not None else records
    from_plan = [record.day for record in used if record.plan == plan.id]
    start = min(from_plan, default=first_seen) or asked.since or asked.today
    note = (
        f"The plan gives no start date; its week 1 is counted from "
        f"{start.isoformat()}, the first day it was used."
    )
    return start, [note]


def _period(asked: _Asked, plan_start: dt.date | None, first_seen: dt.date | None) -> Period:
    """As asked; a start left out is the plan's start or the first day seen, earlier first."""
    end = asked.end
    if asked.since is not None:
        return Period(asked.since, end)
    candidates = [day for day in (plan_start, first_seen) if day is not None]
    start = min(candidates) if candidates else end
    # A plan that starts after the end of the period: nothing to show yet.
    return Period(min(start, end), end)


def _plan_notes(
    plan: Plan | None, info: PlanInfo | None, records: Sequence[SessionRecord]
) -> list[str]:
    """What the psychologist should know about the plan the figures are compared with."""
    notes = []
    if info is not None and info.missing_scripts:
        notes.append(
            "Not in this calmkit's library, so not part of the daily goal: "
            + ", ".join(info.missing_scripts)
            + "."
        )
    if plan is not None:
        others = sorted({r.plan for r in records if r.plan and r.plan != plan.id})
        if others:
            played = sum(1 for r in records if r.plan in others)
            notes.append(
                f"{plural(played, 'session')} came from "
                f"{'another plan' if len(others) == 1 else 'other plans'} ({', '.join(others)}); "
                f"the planned days and goals here are those of {plan.id}."
            )
    elif any(record.plan for record in records):
        notes.append(
            "Some sessions came from a plan that is not written for this name on this "
            "computer, so there are no planned days to compare with."
        )
    return notes


def _session_notes(counted: Sequence[SessionRow], running: Sequence[SessionRow]) -> list[str]:
    """Sessions the figures treat in a way a reader would not guess."""
    notes = []
    if running:
        notes.append(
            f"{plural(len(running), 'session')} still in progress when this report was made: "
            "listed, but not counted."
        )
    older = sum(1 for session in counted if session.seconds_heard is None)
    if older:
        notes.append(
            f"{plural(older, 'session')} recorded by an older calmkit, which kept how far "
            "a session got rather than the time heard: their minutes are that, and they "
            "count as practice when completed or stopped after at least a minute."
        )
    unknown = sum(
        1
        for session in counted
        if session.tier == "young"
        for checkin in session.checkins
        if checkin.item == "stress" and checkin.scale is None
    )
    if unknown:
        notes.append(
            f"{plural(unknown, 'stress answer')} of young-tier sessions came from an older "
            "calmkit, which did not record whether faces were shown: it stored the five "
            "faces as 0, 3, 5, 8 and 10, and these are read as thermometer numbers."
        )
    return notes


def _pain_moments(info: PlanInfo | None) -> list[str]:
    """Pain in the follow-up only where the plan asks for it, never from stray answers."""
    if info is None:
        return []
    asked = (("before", info.checkin_before), ("after", info.checkin_after))
    return [moment for moment, items in asked if "pain" in items]


class _CheckinFigures(TypedDict):
    """A profile report's before-and-after figures, built together."""

    stress: CheckinFigure
    stress_faces: CheckinFigure | None
    pain: CheckinFigure | None
    mood: CheckinFigure | None


def _checkin_figures(
    counted: Sequence[SessionRow], checkins: Sequence[CheckinRecord]
) -> _CheckinFigures:
    """Stress on the thermometer; stress faces, pain and mood only when answered."""
    present = {checkin.item for checkin in checkins}
    faces = any(c.item == "stress" and c.scale == "faces" for c in checkins)
    return _CheckinFigures(
        stress=_checkin_figure("stress", counted),
        stress_faces=_checkin_figure("stress", counted, faces=True) if faces else None,
        pain=_checkin_figure("pain", counted) if "pain" in present else None,
        mood=_checkin_figure("mood", counted) if "mood" in present else None,
    )


def _tier(plan: Plan | None, person: ProfileRecord, library: Library) -> Tier:
    """The player's rule (records/ages.py): the plan's age, else the profile's, else
    the youngest the plan's scripts are written for."""
    scripts = []
    if plan is not None:
        ids = set(plan.script_ids())
        scripts = [library.scripts[i] for i in sorted(ids) if i in library.scripts]
    return practice_tier(practice_age(person, plan), scripts)


def _plan_info(plan: Plan, starts: dt.date | None, tier: Tier, library: Library) -> PlanInfo:
    assert starts is not None
    missing = tuple(i for i in plan.script_ids() if i not in library.scripts)
    return PlanInfo(
        id=plan.id,
        starts=starts,
        starts_given=plan.starts is not None,
        weeks=plan.weeks,
        age=plan.age,
        tier=tier,
        note=plan.note,
        checkin_before=plan.settings.checkin.before,
        checkin_after=plan.settings.checkin.after,
        checkin_daily=plan.settings.checkin.daily,
        missing_scripts=missing,
    )


class _Durations:
    """Planned seconds of a script at a tier, with the plan's settings (reading-time narration)."""

    def __init__(self, library: Library, plan: Plan | None) -> None:
        self.library = library
        self.settings = plan.settings if plan is not None else None
        self._cache: dict[tuple[str, str], float | None] = {}

    def seconds(self, script_id: str, tier: str) -> float | None:
        key = (script_id, tier)
        if key not in self._cache:
            script = self.library.scripts.get(script_id)
            chosen: Tier = tier if tier in TIERS else "kid"
            self._cache[key] = (
                None if script is None else compile_timeline(script, chosen, self.settings).duration
            )
        return self._cache[key]


def _session_row(record: SessionRecord, groups: dict[str, list[SessionRecord]]) -> SessionRow:
    together_with: tuple[str, ...] = ()
    if record.together_group:
        together_with = tuple(
            dict.fromkeys(
                other.profile
                for other in groups.get(record.together_group, ())
                if unicodedata.normalize("NFC", other.profile)
                != unicodedata.normalize("NFC", record.profile)
            )
        )
    stored = {column.name: getattr(record, column.name) for column in fields(record)}
    return SessionRow(**stored, together_with=together_with)


def _days(
    period: Period,
    plan: Plan | None,
    info: PlanInfo | None,
    counted: Sequence[SessionRow],
    durations: _Durations,
    busy: Iterable[dt.date],
) -> tuple[DayFigure, ...]:
    by_day: dict[dt.date, list[SessionRow]] = {}
    for session in counted:
        by_day.setdefault(session.day, []).append(session)
    effective = replace(plan, starts=info.starts) if plan is not None and info else None
    with_something = list(busy)
    if info is not None:
        # The plan's own days, within the period: as many as its weeks, whatever the period.
        try:
            plan_ends = info.ends
        except OverflowError:  # a plan starting at the very end of the calendar
            plan_ends = dt.date.max
        first, last = max(info.starts, period.since), min(plan_ends, period.until)
        with_something += [
            first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)
        ]
    figures = []
    for day in period.figure_days(with_something):
        week: int | None = None
        planned = 0
        goal = 0.0
        done = 0
        that_day = by_day.get(day, [])
        if effective is not None and info is not None:
            current = plan_day(effective, day)
            week = current.week
            for item in current.sessions:
                planned += item.per_day
                length = sum(durations.seconds(i, info.tier) or 0.0 for i in item.scripts)
                goal += length * item.per_day
            # The same rule as the home screen's ✓ (today.fulfilled_counts).
            done = sum(fulfilled_counts(info.id, current.sessions, that_day).values())
        completed = [session for session in that_day if session.status == "completed"]
        figures.append(
            DayFigure(
                day=day,
                plan_week=week,
                sessions_planned=planned,
                goal_seconds=goal,
                seconds=sum(session.heard for session in that_day),
                sessions=len(that_day),
                sessions_completed=len(completed),
                plan_sessions_completed=done,
                practised=any(session.practice for session in that_day),
            )
        )
    return tuple(figures)


def _adherence(
    period: Period,
    days: Sequence[DayFigure],
    counted: Sequence[SessionRow],
    running: Sequence[SessionRow],
    has_plan: bool,
) -> Adherence:
    def with_status(status: str) -> int:
        return sum(1 for session in counted if session.status == status)

    base = Adherence(
        days_in_period=period.days,
        days_practised=sum(1 for day in days if day.practised),
        sessions_completed=with_status("completed"),
        sessions_stopped=with_status("stopped"),
        sessions_interrupted=with_status("interrupted"),
        sessions_running=len(running),
        seconds_total=sum(session.heard for session in counted),
        sessions_practice=sum(1 for session in counted if session.practice),
        sessions_with_skips=sum(1 for session in counted if session.steps_skipped),
    )
    if not has_plan:
        return base
    planned = [day for day in days if day.planned]
    return replace(
        base,
        days_planned=len(planned),
        planned_days_practised=sum(1 for day in planned if day.practised),
        sessions_planned=sum(day.sessions_planned for day in planned),
        plan_sessions_completed=sum(day.plan_sessions_completed for day in planned),
        goal_seconds_total=sum(day.goal_seconds for day in planned),
    )


def _reached(
    session: SessionRow, library: Library, durations: _Durations, tier: Tier
) -> list[tuple[str, bool, float]]:
    """The scripts a session reached: (id, played in full, weight for its share of minutes).

    With every script in the library, its steps done tell which scripts it reached,
    weighted by their planned lengths; otherwise each of its scripts, weighted alike.
    """
    ids = session.scripts_played
    known = [library.scripts.get(i) for i in ids]
    if not all(script is not None for script in known):
        return [(i, session.status == "completed", 1.0) for i in ids]
    session_tier = session.tier if session.tier in TIERS else tier
    reached: list[tuple[str, bool, float]] = []
    offset = 0
    for script in known:
        assert script is not None
        steps = len(script.steps)
        if offset == 0 or session.steps_done > offset:
            full = session.status == "completed" or session.steps_done >= offset + steps
            weight = durations.seconds(script.id, session_tier) or 1.0
            reached.append((script.id, full, weight))
        offset += steps
    return reached


def _scripts(
    counted: Sequence[SessionRow], library: Library, durations: _Durations, tier: Tier
) -> tuple[ScriptFigure, ...]:
    """Per script: the sessions that reached it and a share of their minutes.

    A session of several scripts shares its seconds between the scripts it
    reached (by its steps done), in proportion to their planned lengths.
    """
    found: dict[str, list[float]] = {}  # id -> [sessions, completed, seconds]
    titles: dict[str, str | None] = {}
    for session in counted:
        reached = _reached(session, library, durations, tier)
        total_weight = sum(weight for _, _, weight in reached) or 1.0
        for script_id, full, weight in reached:
            entry = found.setdefault(script_id, [0, 0, 0.0])
            entry[0] += 1
            entry[1] += 1 if full else 0
            entry[2] += session.heard * weight / total_weight
            if script_id in library.scripts:
                titles[script_id] = library.scripts[script_id].title
            elif len(session.scripts_played) == 1:
                titles.setdefault(script_id, session.title or None)
    figures = [
        ScriptFigure(script_id, titles.get(script_id), int(n), int(full), seconds)
        for script_id, (n, full, seconds) in found.items()
    ]
    figures.sort(key=lambda figure: (-figure.seconds, figure.id))
    return tuple(figures)


def _checkin_figure(item: str, counted: Sequence[SessionRow], faces: bool = False) -> CheckinFigure:
    """Before and after, on one scale: the numbers, or (``faces``) the five faces.

    A face is never put on the 0-10 thermometer. Mood's scale is its five faces,
    so mood answers typed as 1-5 and mood faces are one figure.
    """
    if faces:
        values = range(1, len(FACES[item]) + 1)
    else:
        values = range(SCALES[item].low, SCALES[item].high + 1)

    def fits(checkin: CheckinRecord | None) -> CheckinRecord | None:
        if checkin is None or not isinstance(checkin.value, int):
            return None
        if item == "mood":
            return checkin
        is_face = checkin.scale == "faces"
        return checkin if is_face == faces else None

    readings = []
    for session in counted:
        before, after = fits(session.answer(item, "before")), fits(session.answer(item, "after"))
        if before is None and after is None:
            continue
        readings.append(
            Reading(
                session.id,
                session.started,
                None if before is None else int(before.value),
                None if after is None else int(after.value),
                _face_words(before),
                _face_words(after),
            )
        )
    return CheckinFigure(item, values, tuple(readings), faces=faces)


def _face_words(checkin: CheckinRecord | None) -> str | None:
    if checkin is None:
        return None
    face = face_of(checkin.item, checkin.scale, checkin.value)
    return None if face is None else face.words


def _daily_activities(checkins: Iterable[CheckinRecord]) -> tuple[DailyActivities, ...]:
    """One answer a day: the latest, when there are several."""
    latest: dict[dt.date, CheckinRecord] = {}
    for checkin in checkins:
        if checkin.moment != "daily" or checkin.item != "activities":
            continue
        day = checkin.at.date()
        held = latest.get(day)
        if held is None or (checkin.at, checkin.id) >= (held.at, held.id):
            latest[day] = checkin
    return tuple(
        DailyActivities(day, parse_activities(str(c.value)), str(c.value), c.at)
        for day, c in sorted(latest.items())
    )


def _weeks(
    period: Period,
    info: PlanInfo | None,
    days: Sequence[DayFigure],
    daily: Sequence[DailyActivities],
) -> tuple[tuple[WeekFigure, ...], str]:
    basis = "plan" if info is not None else "iso"

    def key(day: dt.date) -> tuple[int, int]:
        if info is not None:
            return (week_number(info.starts, day), 0)
        year, week, _ = day.isocalendar()
        return (year, week)

    answers = {answer.day: answer for answer in daily}
    grouped: dict[tuple[int, int], list[DayFigure]] = {}
    for figure in days:
        grouped.setdefault(key(figure.day), []).append(figure)
    weeks = tuple(
        WeekFigure(
            first_day=members[0].day,
            last_day=members[-1].day,
            **_week_place(week_key, info, members[0].day, members[-1].day),
            **_week_activities(members, answers),
            seconds=sum(figure.seconds for figure in members),
            goal_seconds=sum(figure.goal_seconds for figure in members),
            days_planned=sum(1 for figure in members if figure.planned),
            days_practised=sum(1 for figure in members if figure.practised),
        )
        for week_key, members in grouped.items()
    )
    return weeks, basis


class _WeekPlace(TypedDict):
    label: str
    plan_week: int | None
    iso_week: tuple[int, int] | None


def _week_place(
    week_key: tuple[int, int], info: PlanInfo | None, first: dt.date, last: dt.date
) -> _WeekPlace:
    """A plan week is 'Week 2' (its dates outside the plan's weeks); an ISO week, its dates."""
    if info is None:
        return _WeekPlace(label=short_range(first, last), plan_week=None, iso_week=week_key)
    number = week_key[0]
    label = f"Week {number}" if 1 <= number <= info.weeks else short_range(first, last)
    return _WeekPlace(label=label, plan_week=number, iso_week=None)


class _WeekActivities(TypedDict):
    activities: dict[str, int]  # days each activity was reported
    days_reported: int
    days_none: int


def _week_activities(
    members: Sequence[DayFigure], answers: dict[dt.date, DailyActivities]
) -> _WeekActivities:
    counts = dict.fromkeys(ACTIVITIES, 0)
    reported = none = 0
    for figure in members:
        answer = answers.get(figure.day)
        if answer is None:
            continue
        reported += 1
        if not answer.activities:
            none += 1
        for name in answer.activities:
            counts[name] = counts.get(name, 0) + 1
    return _WeekActivities(activities=counts, days_reported=reported, days_none=none)


# --- small words -------------------------------------------------------------------------

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def short_date(day: dt.date) -> str:
    """'3 Dec': the same in every locale."""
    return f"{day.day} {MONTHS[day.month - 1]}"


def short_range(first: dt.date, last: dt.date) -> str:
    if first == last:
        return short_date(first)
    if first.month == last.month:
        return f"{first.day}–{short_date(last)}"
    return f"{short_date(first)} – {short_date(last)}"


def _mean(values: Iterable[int | None]) -> float | None:
    numbers = [value for value in values if value is not None]
    return sum(numbers) / len(numbers) if numbers else None
