"""Which sessions a plan asks for on a given day."""

from __future__ import annotations

import datetime as dt

import pytest

from calmkit.content.model import Plan, PlannedSession, ScheduleBlock
from calmkit.content.schedule import first_session, plan_day, week_number

STARTS = dt.date(2026, 11, 24)

EARLY = PlannedSession(scripts=("balloon-belly", "lemon-squeeze"), name="After school", per_day=2)
BEDTIME = PlannedSession(scripts=("balloon-belly",), name="Bedtime")
LATER = PlannedSession(scripts=("calm-place",), per_day=3)

# Weeks 1-2, a week off (3), then 4-6.
PLAN = Plan(
    id="maya",
    starts=STARTS,
    schedule=(
        ScheduleBlock(first_week=1, last_week=2, sessions=(EARLY, BEDTIME)),
        ScheduleBlock(first_week=4, last_week=6, sessions=(LATER,)),
    ),
)


def day(offset: int) -> dt.date:
    return STARTS + dt.timedelta(days=offset)


@pytest.mark.parametrize(
    ("offset", "week"),
    [(0, 1), (6, 1), (7, 2), (13, 2), (14, 3), (20, 3), (21, 4), (41, 6), (42, 7), (-1, 0),
     (-7, 0), (-8, -1)],
)  # fmt: skip
def test_week_number(offset: int, week: int) -> None:
    assert week_number(STARTS, day(offset)) == week


@pytest.mark.parametrize("offset", [0, 6])
def test_first_week_is_days_zero_to_six(offset: int) -> None:
    today = plan_day(PLAN, day(offset))
    assert (today.status, today.week, today.sessions, today.starts) == (
        "active",
        1,
        (EARLY, BEDTIME),
        STARTS,
    )


def test_day_seven_is_week_two() -> None:
    today = plan_day(PLAN, day(7))
    assert (today.status, today.week, today.sessions) == ("active", 2, (EARLY, BEDTIME))


def test_per_day_is_carried() -> None:
    today = plan_day(PLAN, day(0))
    assert [session.per_day for session in today.sessions] == [2, 1]
    assert [session.name for session in today.sessions] == ["After school", "Bedtime"]
    later = plan_day(PLAN, day(21))
    assert later.sessions == (LATER,)
    assert later.sessions[0].per_day == 3


@pytest.mark.parametrize("offset", [14, 20])
def test_a_gap_week_is_active_with_nothing_planned(offset: int) -> None:
    today = plan_day(PLAN, day(offset))
    assert (today.status, today.week, today.sessions) == ("active", 3, ())
    assert first_session(PLAN, day(offset)) is None


def test_last_day_of_the_plan() -> None:
    today = plan_day(PLAN, day(41))
    assert (today.status, today.week, today.sessions) == ("active", 6, (LATER,))


@pytest.mark.parametrize(("offset", "week"), [(42, 7), (400, 58)])
def test_a_plan_that_has_ended(offset: int, week: int) -> None:
    today = plan_day(PLAN, day(offset))
    assert (today.status, today.week, today.sessions) == ("finished", week, ())
    assert first_session(PLAN, day(offset)) is None


@pytest.mark.parametrize(("offset", "week"), [(-1, 0), (-30, -4)])
def test_a_plan_that_starts_in_the_future(offset: int, week: int) -> None:
    today = plan_day(PLAN, day(offset))
    assert (today.status, today.week, today.sessions, today.starts) == (
        "not-started",
        week,
        (),
        STARTS,
    )
    assert first_session(PLAN, day(offset)) is None


def test_a_plan_without_starts_begins_on_the_day_it_is_used() -> None:
    plan = Plan(id="open", schedule=PLAN.schedule)
    some_day = dt.date(2030, 5, 17)
    today = plan_day(plan, some_day)
    assert (today.status, today.week, today.sessions, today.starts) == (
        "active",
        1,
        (EARLY, BEDTIME),
        some_day,
    )


def test_first_session() -> None:
    assert first_session(PLAN, day(3)) == EARLY
    assert first_session(PLAN, day(30)) == LATER


def test_plan_weeks_is_the_last_week() -> None:
    assert PLAN.weeks == 6
    assert PLAN.schedule[0].covers(1) and PLAN.schedule[0].covers(2)
    assert not PLAN.schedule[0].covers(3)
