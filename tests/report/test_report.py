"""`calmkit report`: figures from a known journal, and the CSV, JSON and HTML made of them.

The journal is a real SQLite file written through the Journal API with the
journal's clock moved to chosen moments; the plan is a YAML file in the user's
plans folder, read by the real library loader, over built-in scripts. The HTML
is opened in headless Chromium (file:// only), screenshotted and checked.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from calmkit import locations
from calmkit.content.library import Library, load_library
from calmkit.content.timeline import compile_timeline
from calmkit.records import journal as journal_module
from calmkit.records.checkins import parse_activities
from calmkit.records.counting import seconds_needed
from calmkit.records.journal import Journal, Progress, new_together_group
from calmkit.report import render
from calmkit.report.csv import CSV_COLUMNS, render_csv, safe_cell
from calmkit.report.figures import ProfileReport, Report, ReportError, build_report
from calmkit.report.html import render_html
from calmkit.report.json import SCHEMA_VERSION, render_json

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_TIMEOUT = 120
ZONE = dt.timezone(dt.timedelta(hours=1))
STARTS = dt.date(2026, 3, 2)  # a Monday
TODAY = dt.date(2026, 3, 15)  # the last day of plan week 2

PLAN_YAML = """\
calmkit: 1
plan: robin-test
for: Robin
age: 9
starts: 2026-03-02
note: Practise after school. Praise the doing, & keep it light <3
schedule:
  - weeks: 1
    sessions:
      - name: After school
        scripts: [balloon-belly]
      - name: Bedtime
        scripts: [lemon-squeeze]
  - weeks: 2
    sessions:
      - scripts: [calm-place]
  - weeks: 4
    sessions:
      - scripts: [five-senses]
settings:
  checkin:
    before: [stress]
    after: [stress]
    daily: [activities]
"""


class Clock:
    """The journal's idea of now, moved by the test."""

    def __init__(self) -> None:
        self.moment = dt.datetime(2026, 3, 1, 12, 0, tzinfo=ZONE)

    def at(self, day: dt.date, hour: int, minute: int = 0) -> None:
        self.moment = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)

    def __call__(self) -> dt.datetime:
        return self.moment


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(journal_module, "now", fake)
    return fake


@pytest.fixture
def library() -> Library:
    plans = locations.user_plans_dir()
    plans.mkdir(parents=True)
    (plans / "robin-test.yaml").write_text(PLAN_YAML, encoding="utf-8")
    loaded = load_library()
    assert "robin-test" in loaded.plans, loaded.problems
    return loaded


@pytest.fixture
def journal() -> Iterator[Journal]:
    with Journal() as opened:
        yield opened


def give_robin_the_plan(journal: Journal) -> None:
    """As `calmkit import robin.yaml --profile Robin` does: a plan applies once given."""
    journal.ensure_profile("Robin", 10)
    journal.set_plan("Robin", "robin-test")


def day(offset: int) -> dt.date:
    return STARTS + dt.timedelta(days=offset)


@dataclass
class Practice:
    """Sessions as the app records them: the place reached, the time heard (all of it
    unless ``heard`` says otherwise), the planned length and the seconds needed."""

    journal: Journal
    clock: Clock
    library: Library | None = None

    def session(
        self,
        when: dt.date,
        hour: int,
        scripts: tuple[str, ...],
        status: str,
        seconds: float,
        steps_done: int,
        steps_total: int,
        stress: tuple[int | None, int | None] = (None, None),
        plan_session: int | None = 0,
        profile: str = "Robin",
        title: str | None = None,
        together: str | None = None,
        pain: tuple[int | None, int | None] = (None, None),
        heard: float | None = None,
        skipped: int = 0,
    ) -> int:
        self.clock.at(when, hour)
        plan = "robin-test" if plan_session is not None else None
        length: float | None = None
        if self.library is not None:
            length = sum(kid_seconds(self.library, script_id) for script_id in scripts)
        session_id = self.journal.start_session(
            profile,
            plan or scripts[0],
            title or scripts[0].replace("-", " ").title(),
            "kid",
            steps_total,
            together_group=together,
            plan=plan,
            plan_session=plan_session,
            scripts=scripts,
            script_seconds=length,
            seconds_needed=None if length is None else seconds_needed(length),
        )
        heard = seconds if heard is None else heard
        for moment, value in (("before", stress[0]),):
            if value is not None:
                self.journal.add_checkin(profile, moment, "stress", value, session_id)
        if pain[0] is not None:
            self.journal.add_checkin(profile, "before", "pain", pain[0], session_id)
        if status == "running":
            self.journal.record_progress(session_id, Progress(steps_done, seconds, heard, skipped))
            return session_id
        self.clock.at(when, hour, 30)
        self.journal.finish_session(
            session_id, status, Progress(steps_done, seconds, heard, skipped)
        )
        if stress[1] is not None:
            self.journal.add_checkin(profile, "after", "stress", stress[1], session_id)
        if pain[1] is not None:
            self.journal.add_checkin(profile, "after", "pain", pain[1], session_id)
        return session_id

    def activities(self, when: dt.date, hour: int, text: str, profile: str = "Robin") -> None:
        self.clock.at(when, hour)
        self.journal.add_checkin(profile, "daily", "activities", text)


@pytest.fixture
def known(journal: Journal, clock: Clock, library: Library) -> Practice:
    """Two weeks of Robin's plan: practised, stopped, interrupted, together, skipped."""
    give_robin_the_plan(journal)
    p = Practice(journal, clock, library)
    # Week 1: balloon-belly after school, lemon-squeeze at bedtime.
    p.session(day(0), 17, ("balloon-belly",), "completed", 319, 24, 24, (7, 3))
    p.session(day(0), 19, ("lemon-squeeze",), "completed", 510, 41, 41, (6, 4), plan_session=1)
    p.activities(day(0), 20, "school, friends")
    p.session(day(1), 17, ("balloon-belly",), "stopped", 120, 10, 24, (8, 6))
    p.activities(day(1), 18, "school")
    p.activities(day(1), 21, "School,  exercise")  # the latest answer of the day counts
    # Stopped after half a minute: its minutes count, the day is not a practice day
    # (nor is day 1: 120 s is less than half of Balloon Belly).
    p.session(day(2), 17, ("balloon-belly",), "stopped", 30, 2, 24, (5, None))
    p.activities(day(3), 19, "none")
    # Interrupted after more than half of it: practice, and the plan's item is done.
    p.session(day(4), 17, ("balloon-belly",), "interrupted", 300, 12, 24)
    # Week 2: calm-place; once with Mum, twice on one day, and one free choice.
    group = new_together_group()
    p.session(day(7), 17, ("calm-place",), "completed", 490, 42, 42, (6, 2), together=group)
    p.session(day(7), 17, ("calm-place",), "completed", 490, 42, 42, (5, 1), profile="Mum",
              together=group)  # fmt: skip
    p.activities(day(7), 20, "friends, hobby")
    p.session(day(8), 16, ("calm-place",), "completed", 487, 42, 42)
    p.session(day(8), 18, ("calm-place",), "completed", 487, 42, 42)
    p.session(day(9), 17, ("five-senses",), "completed", 280, 24, 24, (4, 4), plan_session=None)
    # Still playing as the report is made: listed, never counted.
    p.session(day(13), 17, ("calm-place",), "running", 100, 9, 42, (9, None))
    return p


def robin(report: Report) -> ProfileReport:
    sections = [section for section in report.profiles if section.profile == "Robin"]
    assert len(sections) == 1
    return sections[0]


def kid_seconds(library: Library, script_id: str) -> float:
    plan = library.plans["robin-test"]
    return compile_timeline(library.scripts[script_id], "kid", plan.settings).duration


# --- figures -----------------------------------------------------------------------------


def test_period_and_plan(known: Practice, library: Library) -> None:
    report = build_report(known.journal, library, "robin", None, None, today=TODAY)
    section = robin(report)
    assert (section.period.since, section.period.until, section.period.days) == (
        STARTS,
        TODAY,
        14,
    )
    assert section.plan is not None
    assert (section.plan.id, section.plan.weeks, section.plan.tier) == ("robin-test", 4, "kid")
    assert section.week_basis == "plan"
    assert section.pain is None and section.mood is None


def test_adherence(known: Practice, library: Library) -> None:
    adherence = robin(build_report(known.journal, library, "Robin", None, None, TODAY)).adherence
    assert adherence.days_in_period == 14
    assert adherence.days_planned == 14
    # Days 0, 4 (interrupted after more than half), 7, 8, 9; not days 1 and 2 (stopped
    # after less than half of Balloon Belly was heard).
    assert adherence.days_practised == 5
    assert adherence.planned_days_practised == 5
    assert adherence.unplanned_days_practised == 0
    assert adherence.sessions_planned == 7 * 2 + 7 * 1
    # Day 0: 2 of 2; day 7: 1; day 8: 2 done, 1 planned; day 9 was not from the plan.
    assert adherence.plan_sessions_completed == 5
    assert adherence.sessions_completed == 6
    assert (adherence.sessions_stopped, adherence.sessions_interrupted) == (2, 1)
    assert adherence.sessions_running == 1
    assert adherence.seconds_total == 319 + 510 + 120 + 30 + 300 + 490 + 487 + 487 + 280
    assert adherence.minutes_total == pytest.approx(3023 / 60)
    assert (adherence.sessions_practice, adherence.sessions_with_skips) == (7, 0)
    week_one = kid_seconds(library, "balloon-belly") + kid_seconds(library, "lemon-squeeze")
    week_two = kid_seconds(library, "calm-place")
    assert adherence.goal_seconds_total == pytest.approx(7 * week_one + 7 * week_two)


def test_days_carry_minutes_and_goal(known: Practice, library: Library) -> None:
    section = robin(build_report(known.journal, library, "Robin", None, None, TODAY))
    days = {figure.day: figure for figure in section.days}
    assert days[day(0)].seconds == 829 and days[day(0)].sessions_planned == 2
    assert days[day(0)].goal_seconds == pytest.approx(
        kid_seconds(library, "balloon-belly") + kid_seconds(library, "lemon-squeeze")
    )
    assert days[day(2)].seconds == 30 and not days[day(2)].practised
    assert days[day(4)].practised and days[day(4)].sessions_completed == 0
    assert days[day(8)].sessions_completed == 2 and days[day(8)].plan_sessions_completed == 1
    assert days[day(13)].seconds == 0 and days[day(13)].sessions == 0  # running: not counted
    assert [figure.plan_week for figure in section.days] == [1] * 7 + [2] * 7


def test_a_week_off_is_not_planned(known: Practice, library: Library) -> None:
    section = robin(build_report(known.journal, library, "Robin", None, day(20), TODAY))
    assert section.period.days == 21
    assert section.adherence.days_planned == 14  # week 3 has no sessions
    assert [week.label for week in section.weeks] == ["Week 1", "Week 2", "Week 3"]
    assert section.weeks[2].days_planned == 0


def test_stress_before_and_after(known: Practice, library: Library) -> None:
    stress = robin(build_report(known.journal, library, "Robin", None, None, TODAY)).stress
    # Pairs: 7→3, 6→4, 8→6, 6→2, 4→4. The 5 with no 'after' and the running 9 are out.
    assert stress.n == 5
    assert stress.average_before == pytest.approx(6.2)
    assert stress.average_after == pytest.approx(3.8)
    assert stress.average_change == pytest.approx(-2.4)
    assert (stress.sessions_with_before, stress.sessions_with_after) == (6, 5)


def test_activities_per_plan_week(known: Practice, library: Library) -> None:
    weeks = robin(build_report(known.journal, library, "Robin", None, None, TODAY)).weeks
    assert [week.plan_week for week in weeks] == [1, 2]
    assert weeks[0].activities == {
        "school": 2,
        "exercise": 1,
        "friends": 1,
        "chores": 0,
        "hobby": 0,
    }
    assert (weeks[0].days_reported, weeks[0].days_none) == (3, 1)
    assert weeks[1].activities == {
        "school": 0,
        "exercise": 0,
        "friends": 1,
        "chores": 0,
        "hobby": 1,
    }
    assert (weeks[0].days_planned, weeks[0].days_practised) == (7, 2)


def test_activities_parse() -> None:
    assert parse_activities("School,  exercise,") == ("school", "exercise")
    assert parse_activities("none") == ()
    assert parse_activities("") == ()


def test_scripts_done(known: Practice, library: Library) -> None:
    scripts = robin(build_report(known.journal, library, "Robin", None, None, TODAY)).scripts
    found = {s.id: (s.title, s.sessions, s.completed, s.seconds) for s in scripts}
    assert found == {
        "calm-place": ("My Calm Place", 3, 3, 490 + 487 + 487),
        "balloon-belly": ("Balloon Belly", 4, 1, 319 + 120 + 30 + 300),
        "lemon-squeeze": ("Lemon Squeeze", 1, 1, 510),
        "five-senses": ("Five Senses", 1, 1, 280),
    }
    assert next(s.id for s in scripts) == "calm-place"  # most minutes first


def test_a_session_of_two_scripts_shares_its_minutes(
    journal: Journal, clock: Clock, library: Library
) -> None:
    p = Practice(journal, clock)
    first = len(library.scripts["balloon-belly"].steps)
    total = first + len(library.scripts["lemon-squeeze"].steps)
    # Stopped part-way into lemon-squeeze: both were reached, only the first played in full.
    p.session(day(0), 17, ("balloon-belly", "lemon-squeeze"), "stopped", 600, first + 3, total)
    scripts = robin(build_report(journal, library, "Robin", None, None, TODAY)).scripts
    found = {s.id: s for s in scripts}
    assert (found["balloon-belly"].completed, found["lemon-squeeze"].completed) == (1, 0)
    assert (found["balloon-belly"].sessions, found["lemon-squeeze"].sessions) == (1, 1)
    assert found["balloon-belly"].seconds + found["lemon-squeeze"].seconds == pytest.approx(600)
    balloon, lemon = kid_seconds(library, "balloon-belly"), kid_seconds(library, "lemon-squeeze")
    assert found["balloon-belly"].seconds == pytest.approx(600 * balloon / (balloon + lemon))
    # Stopped within the first script: the second was never reached.
    p.session(day(1), 17, ("balloon-belly", "lemon-squeeze"), "stopped", 60, 2, total)
    found = {
        s.id: s for s in robin(build_report(journal, library, "Robin", None, None, TODAY)).scripts
    }
    assert (found["balloon-belly"].sessions, found["lemon-squeeze"].sessions) == (2, 1)
    assert found["lemon-squeeze"].seconds == pytest.approx(600 * lemon / (balloon + lemon))


def test_together_is_noted(known: Practice, library: Library) -> None:
    report = build_report(known.journal, library, None, None, None, TODAY)
    assert [section.profile for section in report.profiles] == ["Mum", "Robin"]
    together = robin(report).together
    assert [(s.day, s.together_with) for s in together] == [(day(7), ("Mum",))]
    mum = report.profiles[0]
    assert mum.plan is None and mum.week_basis == "iso"
    assert [s.together_with for s in mum.together] == [("Robin",)]
    assert (mum.period.since, mum.period.until) == (day(7), TODAY)
    assert mum.adherence.days_planned is None


def test_pain_only_when_collected(known: Practice, library: Library) -> None:
    assert robin(build_report(known.journal, library, "Robin", None, None, TODAY)).pain is None
    known.session(day(10), 17, ("calm-place",), "completed", 487, 42, 42, pain=(4, 3))
    section = robin(build_report(known.journal, library, "Robin", None, None, TODAY))
    assert section.pain is not None
    assert (section.pain.n, section.pain.average_change) == (1, -1)
    # A period without pain ratings has no pain figure, even though some exist elsewhere.
    early = robin(build_report(known.journal, library, "Robin", None, day(6), TODAY))
    assert early.pain is None


def test_since_after_until_is_refused(journal: Journal, library: Library) -> None:
    with pytest.raises(ReportError, match="is after the end date"):
        build_report(journal, library, None, day(5), day(1), TODAY)


def test_an_empty_journal(journal: Journal, library: Library) -> None:
    report = build_report(journal, library, None, None, None, TODAY)
    assert report.profiles == () and report.empty
    # A named profile with nothing logged still gets the days of the plan given to them.
    give_robin_the_plan(journal)
    section = robin(build_report(journal, library, "Robin", None, None, TODAY))
    assert section.sessions == () and section.adherence.days_planned == 14
    assert section.stress.n == 0 and section.stress.average_change is None


def test_a_plan_not_yet_started(journal: Journal, library: Library) -> None:
    give_robin_the_plan(journal)
    section = robin(build_report(journal, library, "Robin", None, None, day(-10)))
    assert section.period.since == section.period.until == day(-10)
    assert section.adherence.days_planned == 0


# --- CSV ---------------------------------------------------------------------------------


def test_csv_rows_and_columns(known: Practice, library: Library) -> None:
    text = render_csv(build_report(known.journal, library, "Robin", None, None, TODAY))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 10  # every Robin session, the running one included
    first = rows[0]
    assert first["profile"] == "Robin" and first["date"] == "2026-03-02"
    assert (first["start_time"], first["plan"], first["scripts"]) == (
        "17:00",
        "robin-test",
        "balloon-belly",
    )
    assert (first["status"], first["minutes"], first["steps_done"], first["steps_total"]) == (
        "completed",
        "5.3",
        "24",
        "24",
    )
    assert (first["stress_before"], first["stress_after"]) == ("7", "3")
    assert first["pain_before"] == first["pain_after"] == first["mood_before"] == ""
    assert [row["status"] for row in rows].count("running") == 1
    assert rows[-1]["counted"] == "no"
    together = [row for row in rows if row["together_group"]]
    assert len(together) == 1 and together[0]["together_with"] == "Mum"
    free = next(row for row in rows if row["scripts"] == "five-senses")
    assert free["plan"] == "" and free["target"] == "five-senses"


def test_skipping_to_the_end_is_completed_but_not_practice_in_every_format(
    journal: Journal, clock: Clock, library: Library, tmp_path: Path
) -> None:
    """Situation 1 of issue 11: → pressed to the end of Balloon Belly in 25 s."""
    give_robin_the_plan(journal)
    p = Practice(journal, clock, library)
    p.session(day(0), 17, ("balloon-belly",), "completed", 477.5, 24, 24, heard=25, skipped=23)
    report = build_report(journal, library, "Robin", None, day(0), day(0))
    section = robin(report)
    [session] = section.sessions
    assert (session.status, session.practice, session.minutes) == ("completed", False, 25 / 60)
    assert section.adherence.sessions_completed == 1
    assert (section.adherence.sessions_practice, section.adherence.sessions_with_skips) == (0, 1)
    assert section.adherence.days_practised == 0
    assert section.adherence.plan_sessions_completed == 0
    assert section.days[0].seconds == 25 and not section.days[0].practised
    [row] = csv.DictReader(io.StringIO(render_csv(report)))
    assert (row["status"], row["minutes"], row["seconds_heard"], row["steps_skipped"]) == (
        "completed",
        "0.4",
        "25.0",
        "23",
    )
    assert (row["script_minutes"], row["practice"]) == (
        f"{kid_seconds(library, 'balloon-belly') / 60:.1f}",
        "no",
    )
    data = json.loads(render_json(report))["profiles"][0]
    [entry] = data["sessions"]
    assert (entry["seconds"], entry["seconds_heard"], entry["steps_skipped"]) == (477.5, 25.0, 23)
    assert entry["seconds_needed"] == pytest.approx(
        kid_seconds(library, "balloon-belly") / 2, abs=0.1
    )
    assert entry["practice"] is False
    page = render_html(report)
    assert "0.4 of 8.0 (not counted as practice)" in page
    assert "24/24, 23 skipped" in page
    assert "1 session skipped steps forward and 1 session heard too little" in page


def test_csv_guards_against_formulas(journal: Journal, clock: Clock, library: Library) -> None:
    p = Practice(journal, clock)
    p.session(day(0), 17, ("balloon-belly",), "completed", 319, 24, 24, profile="=HYPERLINK(1)",
              title="+SUM(A1)", plan_session=None)  # fmt: skip
    p.session(day(0), 18, ("balloon-belly",), "completed", 319, 24, 24, profile="@me",
              title="-calm", plan_session=None)  # fmt: skip
    rows = list(
        csv.DictReader(
            io.StringIO(render_csv(build_report(journal, library, None, None, None, TODAY)))
        )
    )
    assert {row["profile"] for row in rows} == {"'=HYPERLINK(1)", "'@me"}
    assert {row["title"] for row in rows} == {"'+SUM(A1)", "'-calm"}
    assert safe_cell("calm") == "calm" and safe_cell("=1") == "'=1"


# --- JSON --------------------------------------------------------------------------------


def test_json_round_trip_and_schema(known: Practice, library: Library) -> None:
    data = json.loads(render_json(build_report(known.journal, library, None, None, None, TODAY)))
    assert data["schema"] == SCHEMA_VERSION == 1
    assert set(data) == {"schema", "generator", "generated", "request", "definitions", "profiles"}
    assert data["request"] == {"profile": None, "since": None, "until": None, "today": "2026-03-15"}
    section = next(p for p in data["profiles"] if p["profile"] == "Robin")
    assert set(section) == {
        "profile", "age", "profile_kind", "grown_up", "period", "plan", "adherence", "days",
        "week_basis", "weeks", "scripts", "stress", "pain", "mood", "together", "sessions",
        "daily_activities", "follow_up", "checkins", "notes", "stress_faces",
    }  # fmt: skip
    assert section["period"] == {"since": "2026-03-02", "until": "2026-03-15", "days": 14}
    assert section["plan"]["id"] == "robin-test" and section["plan"]["ends"] == "2026-03-29"
    adherence = section["adherence"]
    assert (adherence["days_planned"], adherence["days_practised"]) == (14, 5)
    assert (adherence["sessions_planned"], adherence["plan_sessions_completed"]) == (21, 5)
    assert adherence["minutes"] == 50.4
    assert section["stress"]["average_change"] == -2.4 and section["stress"]["n"] == 5
    assert section["pain"] is None and section["mood"] is None
    assert section["weeks"][0]["activities"]["school"] == 2
    assert section["together"][0]["with"] == ["Mum"]
    assert [s["status"] for s in section["sessions"]].count("running") == 1
    assert section["daily_activities"][1] == {
        "date": "2026-03-03",
        "activities": ["school", "exercise"],
        "text": "School,  exercise",
        "at": "2026-03-03T21:00:00+01:00",
    }
    daily = [c for c in section["checkins"] if c["when"] == "daily"]
    assert len(daily) == 5  # every answer is kept in the raw list
    mum = next(p for p in data["profiles"] if p["profile"] == "Mum")
    assert mum["plan"] is None and mum["adherence"]["days_planned"] is None
    assert mum["weeks"][0]["iso_week"] == [2026, 11]


def test_the_schema_doc_names_every_field(known: Practice, library: Library) -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "report-schema.md").read_text()
    data = json.loads(render_json(build_report(known.journal, library, None, None, None, TODAY)))
    section = data["profiles"][1]
    keys = set(data) | set(section) | set(section["adherence"]) | set(section["stress"])
    keys |= set(section["days"][0]) | set(section["weeks"][0]) | set(section["sessions"][0])
    keys |= set(section["plan"]) | set(section["scripts"][0]) | set(section["together"][0])
    keys |= set(section["stress"]["readings"][0]) | set(section["daily_activities"][0])
    keys |= set(section["checkins"][0]) | set(data["request"]) | set(data["definitions"])
    follow = section["follow_up"]
    keys |= set(follow) | set(follow["this_week"]) | set(follow["stopped_early"][0])
    missing = sorted(key for key in keys if f"`{key}`" not in doc)
    assert missing == []


def test_render_picks_the_format(known: Practice, library: Library) -> None:
    report = build_report(known.journal, library, "Robin", None, None, TODAY)
    assert render(report, "csv").startswith("profile,session_id,")
    assert json.loads(render(report, "json"))["schema"] == 1
    assert render(report, "html").startswith("<!DOCTYPE html>")
    with pytest.raises(ReportError):
        render(report, "pdf")


# --- HTML --------------------------------------------------------------------------------


def test_html_escapes_everything(journal: Journal, clock: Clock, library: Library) -> None:
    p = Practice(journal, clock)
    p.session(day(0), 17, ("balloon-belly",), "completed", 319, 24, 24, (6, 3),
              profile="<script>", title="<b>Bold</b> & co", plan_session=None)  # fmt: skip
    p.activities(day(0), 20, "school, <img src=x>", profile="<script>")
    page = render_html(build_report(journal, library, None, None, None, TODAY))
    assert "<script" not in page.lower().replace("&lt;script", "")
    assert "<b>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page and "<link" not in page and "url(" not in page


def test_html_has_accessible_charts(known: Practice, library: Library) -> None:
    page = render_html(build_report(known.journal, library, "Robin", None, None, TODAY))
    assert page.count('role="img"') == 3  # minutes, stress, activities: no pain
    assert len(re.findall(r"<title id=", page)) == 3 and len(re.findall(r"<desc id=", page)) == 3
    assert 'class="goal"' in page
    assert "not medical advice" in page
    assert "@media print" in page and "size: A4 portrait" in page
    assert "Pain before and after" not in page


def test_html_pain_chart_when_collected(known: Practice, library: Library) -> None:
    known.session(day(10), 17, ("calm-place",), "completed", 487, 42, 42, pain=(4, 3))
    page = render_html(build_report(known.journal, library, "Robin", None, None, TODAY))
    assert "Pain before and after each session" in page
    assert page.count('role="img"') == 4


def test_html_when_nothing_was_practised(journal: Journal, library: Library) -> None:
    page = render_html(build_report(journal, library, "Robin", None, None, TODAY))
    assert "No practice recorded in this period" in page
    assert 'role="img"' not in page
    assert "No practice recorded yet" in render_html(
        build_report(journal, library, None, None, None, TODAY)
    )


# --- in a real browser -------------------------------------------------------------------


def chromium(profile_dir: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium on file:// only, with nothing that reaches the network."""
    assert CHROMIUM.exists(), "Chromium is needed for this test: apt-get install chromium"
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile_dir}",
            *arguments,
        ],
        capture_output=True,
        text=True,
        timeout=CHROMIUM_TIMEOUT,
        check=False,
        env={**os.environ, "HOME": str(profile_dir)},
    )


@pytest.mark.system("chromium")
def test_html_in_chromium(known: Practice, library: Library, tmp_path: Path) -> None:
    known.session(day(10), 17, ("calm-place",), "completed", 487, 42, 42, pain=(4, 3))
    page = tmp_path / "report.html"
    page.write_text(
        render_html(build_report(known.journal, library, "Robin", None, None, TODAY)),
        encoding="utf-8",
    )
    url = page.as_uri()
    assert url.startswith("file://")

    dom = chromium(tmp_path / "dom-profile", "--enable-logging=stderr", "--v=0", "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count('role="img"') == 4
    assert "<h1>Robin</h1>" in dom.stdout
    assert "6 <small>of 14 planned</small>" in dom.stdout  # the pain session made a 6th
    assert "6 <small>of 21 done</small>" in dom.stdout
    assert "6.2 → 3.8" in dom.stdout and "−2.4" in dom.stdout
    assert "Activities reported per week" in dom.stdout
    # The follow-up summary comes first, above the cards.
    assert dom.stdout.index("For the follow-up") < dom.stdout.index('class="summary"')
    assert "<strong>Days practised:</strong> 4 of 7 planned in the last 7 days" in dom.stdout
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line]
    assert console == []

    shots = tmp_path / "shots"
    shots.mkdir()
    shot = shots / "shot.png"
    taken = chromium(
        tmp_path / "shot-profile", f"--screenshot={shot}", "--window-size=1240,1754", url
    )
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert shot.exists()
    if os.environ.get("CALMKIT_KEEP_REPORT_SHOT"):  # to look at it: the screen as printed
        shutil.copy(shot, os.environ["CALMKIT_KEEP_REPORT_SHOT"])
        shutil.copy(page, os.environ["CALMKIT_KEEP_REPORT_SHOT"] + ".html")

    # Printed, the follow-up box costs no page: the first page still holds everything
    # before the details, so the page count is that of the same record without the box.
    without = tmp_path / "without-box.html"
    html = page.read_text(encoding="utf-8")
    box = re.search(r'<div class="followup">.*?</ul></div>', html, re.DOTALL)
    assert box is not None
    without.write_text(html.replace(box.group(), ""), encoding="utf-8")
    counts = []
    for name, source in (("with", page), ("without", without)):
        pdf = tmp_path / f"{name}.pdf"
        printed = chromium(
            tmp_path / f"{name}-profile", "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}", source.as_uri(),
        )  # fmt: skip
        assert printed.returncode == 0 and pdf.exists(), printed.stderr[-2000:]
        counts.append(len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes())))
    assert counts[0] == counts[1] >= 2, counts

    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    import pygame
    import pygame.surfarray

    image = pygame.image.load(str(shot))
    assert image.get_size() == (1240, 1754)
    pixels = pygame.surfarray.array3d(image).reshape(-1, 3)
    colours = {tuple(pixel) for pixel in pixels[::97].tolist()}
    assert len(colours) > 50  # text, bars, dots: not a blank page
    # The report's own teal (bars, 'after' dots) is on the first screen.
    teal = (pixels == (0x2F, 0x7D, 0x74)).all(axis=1).sum()
    assert teal > 500


def test_a_plan_without_a_start_counts_from_its_first_session(
    journal: Journal, clock: Clock, library: Library
) -> None:
    text = PLAN_YAML.replace("plan: robin-test", "plan: kim-test").replace("for: Robin", "for: Kim")
    text = text.replace("starts: 2026-03-02\n", "")
    (locations.user_plans_dir() / "kim-test.yaml").write_text(text, encoding="utf-8")
    library = load_library()
    p = Practice(journal, clock)
    p.session(day(3), 17, ("five-senses",), "completed", 280, 24, 24, profile="Kim",
              plan_session=None)  # fmt: skip
    clock.at(day(4), 17)
    journal.set_plan("Kim", "kim-test")
    session_id = journal.start_session(
        "Kim", "kim-test", "After school", "kid", 24, plan="kim-test", plan_session=0,
        scripts=("balloon-belly",),
    )  # fmt: skip
    journal.finish_session(session_id, "completed", Progress(24, 319))
    report = build_report(journal, library, "kim", None, None, day(10))
    section = report.profiles[0]
    assert section.profile == "Kim"
    assert section.plan is not None and not section.plan.starts_given
    assert section.plan.starts == day(4)  # the first session played from the plan
    assert section.period.since == day(3)  # the first session of all
    assert section.adherence.days_planned == 7  # days 4 to 10: plan weeks 1 and 2
    assert section.days[0].plan_week == 0 and section.days[0].sessions_planned == 0
    assert any("no start date" in note for note in section.notes)
    assert json.loads(render_json(report))["profiles"][0]["plan"]["starts_given"] is False
    # A later --since does not move the plan's first week.
    later = build_report(journal, library, "Kim", day(6), None, day(10)).profiles[0]
    assert later.plan is not None and later.plan.starts == day(4)
    assert later.adherence.days_planned == 5


def test_no_journal_file_yet_reads_as_empty(library: Library) -> None:
    report = build_report(None, library, None, None, None, TODAY)
    assert report.profiles == ()
    # No journal, so nobody was given a plan: nothing planned, even for a name the
    # plan says it is for.
    section = robin(build_report(None, library, "Robin", None, None, TODAY))
    assert section.sessions == () and section.adherence.days_planned is None
    assert "No practice recorded in this period" in render_html(
        build_report(None, library, "Robin", None, None, TODAY)
    )
    assert render_csv(report) == ",".join(CSV_COLUMNS) + "\n"
    assert not locations.journal_path().exists()


def test_since_after_today_is_refused(journal: Journal, library: Library) -> None:
    with pytest.raises(ReportError, match=r"after today \(2026-03-15\)"):
        build_report(journal, library, None, day(20), None, TODAY)


# --- the follow-up summary at the top --------------------------------------------------


def test_the_follow_up_summary(known: Practice, library: Library) -> None:
    section = robin(build_report(known.journal, library, "Robin", None, None, TODAY))
    summary = section.follow_up
    assert summary is not None
    # The last 7 days (week 2 of the plan) against the 7 before (week 1).
    assert (summary.this_week.first, summary.this_week.last) == (day(7), day(13))
    assert (summary.this_week.days_practised, summary.this_week.days_planned) == (3, 7)
    # Days 0 and 4; day 1 was stopped before half of it was heard.
    assert (summary.last_week.days_practised, summary.last_week.days_planned) == (2, 7)
    assert summary.last_week.complete
    # balloon-belly was stopped twice, at steps 11 and 3 of 24; the earliest is named.
    (stopped,) = summary.stopped
    assert (stopped.scripts, stopped.stopped, stopped.sessions) == (("balloon-belly",), 2, 4)
    assert (stopped.step, stopped.steps_total, stopped.at_that_step) == (3, 24, 1)
    step = library.scripts["balloon-belly"].steps[2]
    assert stopped.step_words is not None
    assert stopped.step_words.strip("“”…")[:20] in step.text.resolve("kid")  # type: ignore[attr-defined]
    # Pain was answered once, but this plan does not ask for it: not in the summary.
    known.session(day(12), 17, ("calm-place",), "completed", 480, 42, 42, pain=(6, 4))
    section = robin(build_report(known.journal, library, "Robin", None, None, TODAY))
    assert section.follow_up is not None and section.follow_up.pain is None
    html = render_html(build_report(known.journal, library, "Robin", None, None, TODAY))
    top = html.index('class="followup"')
    assert top < html.index('class="summary"')  # at the top, before the cards
    box = html[top : html.index("</div>", top)]
    assert "4 of 7 planned in the last 7 days" in box  # day 12 is practised now
    assert "Pain" not in box
    assert "each time at another step, the earliest step 3 of 24" in box


def test_the_follow_up_shows_pain_where_the_plan_asks_for_it(
    journal: Journal, clock: Clock, library: Library
) -> None:
    plan = locations.user_plans_dir() / "robin-test.yaml"
    plan.write_text(PLAN_YAML.replace("before: [stress]", "before: [stress, pain]"), "utf-8")
    library = load_library()
    give_robin_the_plan(journal)
    p = Practice(journal, clock)
    p.session(day(1), 17, ("balloon-belly",), "completed", 319, 24, 24, pain=(6, None))
    p.session(day(8), 17, ("calm-place",), "completed", 490, 42, 42, pain=(4, None))
    p.session(day(9), 17, ("calm-place",), "stopped", 200, 7, 42, pain=(5, None))
    p.session(day(10), 17, ("calm-place",), "stopped", 210, 7, 42)
    section = robin(build_report(journal, library, "Robin", None, None, TODAY))
    summary = section.follow_up
    assert summary is not None and summary.pain is not None
    (before,) = summary.pain
    assert (before.moment, before.this_week, before.this_week_n) == ("before", 4.5, 2)
    assert (before.last_week, before.last_week_n) == (6.0, 1)
    (stopped,) = summary.stopped
    assert (stopped.stopped, stopped.step, stopped.at_that_step) == (2, 8, 2)
    html = render_html(build_report(journal, library, "Robin", None, None, TODAY))
    box = html[html.index('class="followup"') :]
    box = box[: box.index("</div>")]
    assert "Pain before sessions</strong> (0–10, as the plan asks): 4.5 (2 answers)" in box
    assert "6.0 (1 answer) in the 7 before" in box or "6 (1 answer) in the 7 before" in box
    assert "each time at step 8 of 42" in box


def test_faces_are_reported_as_faces_never_as_thermometer_numbers(
    journal: Journal, clock: Clock, library: Library
) -> None:
    p = Practice(journal, clock, library)
    sid = p.session(day(0), 17, ("balloon-belly",), "completed", 319, 24, 24, (6, None))
    clock.at(day(0), 18)
    journal.add_checkin("Robin", "before", "stress", 4, sid, scale="faces")
    journal.add_checkin("Robin", "after", "stress", 1, sid, scale="faces")
    report = build_report(journal, library, "Robin", None, day(0), day(0))
    section = robin(report)
    # The faces are their own figure, 1 to 5; the thermometer keeps only its numbers.
    assert section.stress_faces is not None
    [reading] = section.stress_faces.readings
    assert (reading.before, reading.after, reading.before_face, reading.after_face) == (
        4,
        1,
        "upset",
        "very calm",
    )
    assert [(r.before, r.after) for r in section.stress.readings] == []
    data = json.loads(render_json(report))["profiles"][0]
    assert data["stress_faces"]["scale"] == [1, 5] and data["stress_faces"]["faces"] is True
    faces = [c for c in data["checkins"] if c["scale"] == "faces"]
    assert [c["face"]["words"] for c in faces] == ["upset", "very calm"]
    [row] = csv.DictReader(io.StringIO(render_csv(report)))
    assert (row["stress_before"], row["stress_after"]) == (
        "face 4 of 5: upset",
        "face 1 of 5: very calm",
    )
    page = render_html(report)
    assert "(ó_ò) upset → (^‿^) very calm" in page
    assert "Stress, answered with faces before and after each session" in page
    assert "Stress (faces 1–5)" in page and "4.0 → 1.0" in page
