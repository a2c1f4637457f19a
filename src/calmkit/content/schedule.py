"""Which sessions a plan asks for on a given day (pure date arithmetic)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from calmkit.content.model import Plan, PlannedSession

PlanStatus = Literal["not-started", "active", "finished"]


@dataclass(frozen=True)
class PlanDay:
    status: PlanStatus
    week: int  # counted from 1 at `starts`; 0 or less before it
    sessions: tuple[PlannedSession, ...]
    starts: dt.date


def week_number(starts: dt.date, day: dt.date) -> int:
    """Week 1 is the first seven days from `starts`."""
    return (day - starts).days // 7 + 1


def plan_day(plan: Plan, day: dt.date) -> PlanDay:
    # A plan without a start date starts on the day it is first used.
    starts = plan.starts or day
    week = week_number(starts, day)
    if week < 1:
        return PlanDay("not-started", week, (), starts)
    if week > plan.weeks:
        return PlanDay("finished", week, (), starts)
    for block in plan.schedule:
        if block.covers(week):
            return PlanDay("active", week, block.sessions, starts)
    # A gap between week ranges: a week off, still inside the plan.
    return PlanDay("active", week, (), starts)


def first_session(plan: Plan, day: dt.date) -> PlannedSession | None:
    sessions = plan_day(plan, day).sessions
    return sessions[0] if sessions else None
