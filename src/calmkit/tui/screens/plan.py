"""The plan, for grown-ups: the psychologist's whole note, this week's sessions, and what
the plan changes, in plain words.

The note often speaks about the child ("her feet and legs only rest"); it is for
the grown-ups, so it lives here (N on the home screen) rather than on the child's
screen, and it is never cut short: the part cut can be the safety rule.
"""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen

from calmkit.content.library import Library
from calmkit.content.model import DEFAULT_PACE, Plan, PlanSettings, tier_for_age
from calmkit.content.schedule import plan_day
from calmkit.records.ages import GROWN_UP_AGE
from calmkit.records.answers import SCALES
from calmkit.records.checkins import items_for_person
from calmkit.records.people import Person
from calmkit.tui.literal import LiteralStatic
from calmkit.tui.widgets.footer import WholeKeysFooter
from calmkit.words import joined_names


def _numbers(item: str) -> str:
    """'0 to 10': the item's scale, as records/answers.py sets it."""
    scale = SCALES[item]
    return f"{scale.low} to {scale.high}"


CHECKIN_WORDS = {
    "stress": f"how calm or upset ({_numbers('stress')}, or faces for young children)",
    "pain": f"how much the body hurts ({_numbers('pain')})",
    "mood": "mood (five faces)",
    "activities": "what was done that day (school, exercise, friends, chores, a hobby)",
}
# A grown-up's own plan asks them in grown-up words (records/checkins.py), and never
# with faces: numbers on the same scales.
GROWN_UP_CHECKIN_WORDS = {
    "stress": f"how stressed or tense ({_numbers('stress')})",
    "pain": f"how much pain ({_numbers('pain')})",
    "mood": f"mood ({_numbers('mood')})",
    "activities": "what you did that day (school, exercise, friends, chores, a hobby)",
}
TIMES_A_DAY = {1: "once a day", 2: "twice a day"}


def _seconds(value: float) -> str:
    return f"{value:g}"


def _areas(areas: frozenset[str]) -> str:
    return joined_names(sorted(area.replace("-", " ") for area in areas))


def settings_lines(settings: PlanSettings, age: int | None, grown_up: bool = False) -> list[str]:
    """What the plan changes in each session, one plain sentence each; for a grown-up's
    own plan, in the words they are asked in (and no age: they have none)."""
    # A grown-up practises at the oldest age scripts are written for (records/ages.py).
    tier = tier_for_age(GROWN_UP_AGE) if grown_up else tier_for_age(age) if age else None
    lines = []
    pace = settings.breathe
    if pace is not None and (pace.inhale or pace.exhale):
        default_in, default_out = DEFAULT_PACE[tier or "kid"]
        parts = [
            f"in for {_seconds(pace.inhale or default_in)} seconds",
            f"out for {_seconds(pace.exhale or default_out)}",
        ]
        if pace.hold:
            parts.insert(1, f"hold for {_seconds(pace.hold)}")
        lines.append(
            f"Breathing is paced {', '.join(parts)}, wherever a script does not set its own."
        )
    elif tier is not None:
        breathe_in, breathe_out = DEFAULT_PACE[tier]
        whose = "grown-ups" if grown_up else f"age {age}"
        lines.append(
            f"Breathing keeps the usual pace for {whose}: in for {_seconds(breathe_in)} seconds,"
            f" out for {_seconds(breathe_out)}."
        )
    if settings.gentle:
        lines.append(
            f"Never tensed: {_areas(settings.gentle)}. Those steps become a gentle letting go."
        )
    if settings.skip:
        lines.append(f"Left out entirely: {_areas(settings.skip)}.")
    checkin = settings.checkin
    moments = [("Before each practice", checkin.before), ("After each practice", checkin.after)]
    if checkin.before == checkin.after:
        moments = [("Before and after each practice", checkin.before)]
    # As records/checkins.py asks it: a grown-up is asked what they did only when their
    # own plan lists it (this view is of the reader's own plan).
    daily = items_for_person(checkin, "daily", "grown-up" if grown_up else "child", True)
    words = GROWN_UP_CHECKIN_WORDS if grown_up else CHECKIN_WORDS
    for moment, items in (*moments, ("Once a day", daily)):
        if items:
            asked = "; ".join(words.get(item, item) for item in items)
            lines.append(f"{moment} it asks: {asked}. Every question can be skipped.")
    if not (checkin.before or checkin.after or checkin.daily):
        lines.append("It asks no questions before or after practice.")
    if settings.ambient:
        lines.append(f"Background sound: {settings.ambient.replace('-', ' ')}.")
    lines.append(
        "A garden grows a flower for each day of practice."
        if settings.rewards
        else "No garden or flowers: the plan turns them off."
    )
    return lines


def week_lines(plan: Plan, library: Library, day: dt.date) -> tuple[str, list[str]]:
    """A heading for this week of the plan and one line per planned session."""
    current = plan_day(plan, day)
    if current.status == "not-started":
        return f"The plan starts on {current.starts:%A %d %B}.", []
    if current.status == "finished":
        return f"The plan finished after {plan.weeks} weeks.", []
    heading = f"This week: week {current.week} of {plan.weeks}"
    lines = []
    for session in current.sessions:
        titles = [
            library.scripts[script_id].title if script_id in library.scripts else script_id
            for script_id in session.scripts
        ]
        times = TIMES_A_DAY.get(session.per_day, f"{session.per_day} times a day")
        name = f"{session.name}: " if session.name else ""
        lines.append(f"• {name}{' then '.join(titles)}, {times}")
    return heading, lines


class PlanScreen(Screen[None]):
    """The profile's plan as a grown-up reads it."""

    BINDINGS = [Binding("escape,q,n", "close", "Back home")]

    def __init__(
        self, plan: Plan, library: Library, day: dt.date, age: int | None, person: Person | None
    ) -> None:
        """``person``: whom the plan was given to (its `for:` is only a suggestion);
        a grown-up reads their own plan in their own words."""
        super().__init__()
        self.plan = plan
        grown_up = person is not None and person.grown_up
        whose = person.name if person is not None else plan.for_profile
        if grown_up:
            self.whose_plan = "Your plan"
        else:
            self.whose_plan = (
                f"For grown-ups: {whose}'s plan" if whose else "For grown-ups: the plan"
            )
        self.week_heading, self.week_sessions = week_lines(plan, library, day)
        self.settings_words = settings_lines(plan.settings, age, grown_up)

    def compose(self) -> ComposeResult:
        plan = self.plan
        with VerticalScroll(id="plan-view"):
            yield LiteralStatic(self.whose_plan, id="plan-title", markup=False)
            if plan.note:
                yield LiteralStatic("The note from the plan", classes="heading", markup=False)
                yield LiteralStatic(plan.note, id="plan-note", markup=False)
            yield LiteralStatic(self.week_heading, classes="heading", markup=False)
            if self.week_sessions:
                yield LiteralStatic("\n".join(self.week_sessions), id="plan-week", markup=False)
            yield LiteralStatic("What the plan sets", classes="heading", markup=False)
            yield LiteralStatic(
                "\n".join(f"• {line}" for line in self.settings_words),
                id="plan-settings",
                markup=False,
            )
        yield WholeKeysFooter()

    def action_close(self) -> None:
        self.dismiss(None)
