"""What to practise today: the plan's sessions when there is a plan, else a short suggestion."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from calmkit.content.library import Library
from calmkit.content.model import Plan, PlannedSession, Script
from calmkit.content.schedule import PlanDay, plan_day
from calmkit.records.ages import group_age, practice_tier, suits_everyone
from calmkit.records.journal import SessionRecord

# Suggestions rotate through these kinds, one a day, starting with breathing.
SUGGESTED_KINDS = ("breathing", "grounding", "muscle-relaxation", "imagery", "coping", "body-scan")


@dataclass(frozen=True)
class TodayItem:
    """One practice for today: a script id, or a plan session by its position."""

    target: str  # what `calmkit play` takes: a script id or a plan id
    title: str
    minutes: int
    scripts: tuple[str, ...]
    plan: Plan | None = None
    session_index: int = 0
    done: bool = False


@dataclass(frozen=True)
class Today:
    items: tuple[TodayItem, ...]
    plan: Plan | None = None
    plan_day: PlanDay | None = None
    next_week: PlanDay | None = None  # the plan's first day of next week

    @property
    def first(self) -> TodayItem | None:
        """What Start plays: the first practice not done yet, else the first."""
        waiting = [item for item in self.items if not item.done]
        return waiting[0] if waiting else (self.items[0] if self.items else None)

    @property
    def all_done(self) -> bool:
        return bool(self.items) and all(item.done for item in self.items)


def suggestion(library: Library, ages: Sequence[int], day: dt.date) -> TodayItem | None:
    """A short session that suits everyone practising (any age when none is known),
    a different kind each day; with nothing for the whole group, one for the youngest."""
    scripts = list(library.scripts.values())
    suitable = [script for script in scripts if suits_everyone(script, ages)]
    if not suitable and ages:
        suitable = [script for script in scripts if script.suits_age(min(ages))]
    if not suitable:
        return None
    kinds = [kind for kind in SUGGESTED_KINDS if any(s.kind == kind for s in suitable)]
    kind = kinds[day.toordinal() % len(kinds)] if kinds else suitable[0].kind
    age = group_age(ages)

    def length(script: Script) -> tuple[float, str]:
        return (library.seconds(script, practice_tier(age, [script])), script.id)

    chosen = min((script for script in suitable if script.kind == kind), key=length)
    tier = practice_tier(age, [chosen])
    return TodayItem(chosen.id, chosen.title, library.minutes([chosen], tier), (chosen.id,))


class PlayedSession(Protocol):
    """What fulfilling a plan item looks at (a journal row, or a report's session row)."""

    # Read-only, as properties: both rows are frozen dataclasses.
    @property
    def plan(self) -> str | None: ...

    @property
    def plan_session(self) -> int | None: ...

    @property
    def scripts(self) -> tuple[str, ...]: ...

    @property
    def practice(self) -> bool: ...


def fulfilled_counts(
    plan_id: str, planned: Sequence[PlannedSession], played: Iterable[PlayedSession]
) -> Counter[int]:
    """How many times each of a day's planned sessions was done, at most its ``per_day``.

    ``played`` are one person's sessions of that day. A session does a plan item when
    it counts as practice (counting.py) and played the item's scripts: from the plan,
    from the library, or together from someone else's plan. A session played from
    this plan goes to its own item first; each session does one item at most.
    Rows from before scripts were recorded match by their place in the plan.
    """
    done: Counter[int] = Counter()
    waiting = [record for record in played if record.practice]

    def room(index: int) -> bool:
        return done[index] < planned[index].per_day

    left = []
    for record in waiting:
        index = record.plan_session
        own = (
            record.plan == plan_id
            and index is not None
            and 0 <= index < len(planned)
            and (not record.scripts or record.scripts == planned[index].scripts)
        )
        if own and index is not None and room(index):
            done[index] += 1
        else:
            left.append(record)
    for record in left:
        for index, session in enumerate(planned):
            if record.scripts and record.scripts == session.scripts and room(index):
                done[index] += 1
                break
    return done


def next_week_start(current: PlanDay) -> dt.date:
    if current.week < 1:
        return current.starts
    return current.starts + dt.timedelta(weeks=current.week)


def today_for(
    profile: str | None,
    age: int | None,
    library: Library,
    day: dt.date | None = None,
    journal_sessions: Iterable[SessionRecord] = (),
    plan: Plan | None = None,
    together_ages: Sequence[int | None] = (),
) -> Today:
    """Today's practice; ``journal_sessions`` (today's rows) mark what is done already.
    ``plan`` is the plan given to the person (people.assigned_plan, its start pinned),
    never guessed from a plan's `for:` name.
    ``age`` is the person's practice age (records/ages.py), ``together_ages`` those of
    the others practising with them: the suggestion suits everyone, and minutes are
    timed at the youngest one's tier."""
    day = day or dt.date.today()
    own = age if age is not None else (plan.age if plan else None)
    ages = [known for known in (own, *together_ages) if known is not None]
    age = group_age(ages)
    if plan is not None:
        current = plan_day(plan, day)
        done = fulfilled_counts(
            plan.id, current.sessions, [r for r in journal_sessions if r.day == day]
        )
        items = []
        for index, session in enumerate(current.sessions):
            scripts = [library.scripts[i] for i in session.scripts if i in library.scripts]
            if not scripts:
                continue
            title = session.name or " + ".join(script.title for script in scripts)
            for repeat in range(session.per_day):
                items.append(
                    TodayItem(
                        plan.id,
                        title,
                        library.minutes(scripts, practice_tier(age, scripts)),
                        session.scripts,
                        plan,
                        index,
                        done=repeat < done[index],
                    )
                )
        coming = None
        if current.status != "finished":
            coming = plan_day(plan, next_week_start(current))
        return Today(tuple(items), plan, current, coming)
    suggested = suggestion(library, ages, day)
    return Today((suggested,) if suggested else ())
