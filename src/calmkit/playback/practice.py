"""Logging one practice for everyone taking part: a journal row each, check-ins, and the end.

Both faces use this. A journal that cannot be opened or written never stops
the practice: it becomes a one-line notice, and the session plays on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from calmkit.content.library import Library
from calmkit.content.model import CheckinSettings, Plan
from calmkit.content.safetext import same_name
from calmkit.content.timeline import Timeline
from calmkit.records.ages import is_young, practice_age
from calmkit.records.answers import Answer
from calmkit.records.checkins import Question, answered_today, items_for_person
from calmkit.records.counting import seconds_needed
from calmkit.records.journal import (
    DEFAULT_PROFILE,
    Journal,
    JournalUnavailable,
    ProfileGone,
    ProfileRecord,
    new_together_group,
    open_journal,
)
from calmkit.records.people import Person, assigned_plan, find_person

if TYPE_CHECKING:
    # The player and its recorder load with the first session, not at start-up.
    from calmkit.playback.player import Player
    from calmkit.playback.recorder import JournalRecorder
    from calmkit.playback.targets import SessionRequest

NOT_SAVED = "this practice will not be saved"


# A question and what was answered (None: skipped).
Answered = tuple[Question, Answer | None]


def open_log(reading: bool = False) -> tuple[Journal | None, str | None]:
    """The journal (interrupted rows recovered), or None and why not.

    ``reading`` (the app, which shows the garden and history before anything is
    played): a folder that cannot be written still gives the journal, read-only."""
    try:
        journal = open_journal(reading=reading)
    except JournalUnavailable as error:
        return None, f"{error}; {NOT_SAVED}"
    return journal, journal.notice


@dataclass
class PracticeLog:
    journal: Journal | None
    people: list[str]
    session_ids: dict[str, int] = field(default_factory=dict)
    recorders: list[JournalRecorder] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    # Each person's own plan, when they have one: its practice_minutes decides when a
    # session together counts as practice for them.
    plans: dict[str, Plan | None] = field(default_factory=dict)

    def begin(
        self,
        player: Player,
        request: SessionRequest,
        timeline: Timeline,
        before: Iterable[Answered] = (),
    ) -> None:
        """A 'running' row for each person, updated at every step from now on; then
        ``before``, the answers asked before those rows existed, saved with them."""
        if self.journal is None:
            return
        from calmkit.playback.recorder import JournalRecorder

        group = new_together_group() if len(self.people) > 1 else None
        try:
            for person in self.people:
                session_id = self.journal.start_session(
                    person,
                    timeline.id,
                    timeline.title,
                    timeline.tier,
                    player.step_count,
                    together_group=group,
                    plan=request.plan.id if request.plan else None,
                    plan_session=request.plan_session,
                    scripts=request.script_ids,
                    script_seconds=timeline.duration,
                    seconds_needed=seconds_needed(
                        timeline.duration, self._practice_minutes(person, request)
                    ),
                    # Someone deleted meanwhile (another window) is not brought back.
                    create_profile=False,
                )
                self.session_ids[person] = session_id
                self.recorders.append(JournalRecorder(self.journal, session_id, player))
        except ProfileGone as gone:
            self.notices.append(str(gone))
        except JournalUnavailable as error:
            self.notices.append(f"{error}; {NOT_SAVED}")
        self.save(before)

    def _practice_minutes(self, person: str, request: SessionRequest) -> float | None:
        own = self.plans.get(person)
        if own is not None:
            return own.settings.practice_minutes
        return request.settings.practice_minutes if person == self.people[0] else None

    def save(self, answered: Iterable[Answered]) -> None:
        for question, answer in answered:
            self.checkin(question.person, question.moment, question.item, answer)

    def checkin(self, person: str, moment: str, item: str, answer: Answer | None) -> None:
        """Save one answer as it was given (a number, or a face); a skipped question
        (None) saves nothing."""
        if self.journal is None or answer is None:
            return
        try:
            # A daily answer is about the day, not about this session.
            session_id = None if moment == "daily" else self.session_ids.get(person)
            if moment != "daily" and session_id is None:
                return  # their session was never saved: an answer about it has no home
            self.journal.add_checkin(
                person,
                moment,
                item,
                answer.value,
                session_id,
                scale=answer.scale,
                create_profile=False,
            )
        except ProfileGone as gone:
            if str(gone) not in self.notices:
                self.notices.append(str(gone))
        except JournalUnavailable as error:
            self.notices.append(f"{error}; the check-in was not saved")

    def finish(self) -> None:
        for recorder in self.recorders:
            recorder.flush()
            if recorder.notice and recorder.notice not in self.notices:
                self.notices.append(recorder.notice)


def questions(
    log: PracticeLog,
    moment: str,
    asked: CheckinSettings,
    plan_id: str | None,
    day: dt.date,
    ages: Sequence[int | None],
) -> list[Question]:
    """What everyone is asked at one moment ('before', 'after', 'daily'), person by
    person in the log's order (``ages`` is their practice ages, in the same order).

    Each is asked as what they are: a child by their practice age, a grown-up as a
    grown-up, a guest nothing; the plan's own items (the daily record for a grown-up)
    only for the person it was given to; the daily activities only from whoever has
    not given them today. Both faces ask these, each in its own way."""
    together = len(log.people) > 1
    found: list[Question] = []
    for index, name in enumerate(log.people):
        person = find_person(log.journal, name) or Person(name, None)
        young = is_young(ages[index] if index < len(ages) else None)
        own_plan = plan_id is not None and person.plan_id == plan_id
        for item in items_for_person(asked, moment, person.kind, own_plan):
            if item == "activities" and answered_today(log.journal, name, item, day):
                continue
            who = name if together else None
            found.append(Question(name, moment, item, who, young, person.grown_up))
    return found


def plans_of(
    journal: Journal | None, people: list[str], library: Library
) -> dict[str, Plan | None]:
    """Each person's own plan: the one given to them, never one matched by name."""
    return {person: assigned_plan(journal, person, library) for person in people}


def people_for(profile: str | None, together_with: list[str]) -> list[str]:
    """Everyone practising, the main profile first, each once."""
    people = [profile or DEFAULT_PROFILE, *together_with]
    return list(dict.fromkeys(name.strip() for name in people if name.strip()))


def stored_profile(journal: Journal | None, profile: str | None) -> ProfileRecord | None:
    """The journal's record of a profile (its age...), if the journal knows it."""
    if not profile or journal is None:
        return None
    try:
        for record in journal.profiles():
            if same_name(record.name, profile):
                return record
    except JournalUnavailable:
        pass
    return None


def age_of(
    journal: Journal | None, profile: str | None, library: Library, given: int | None = None
) -> int | None:
    """A person's practice age, by the one rule (records/ages.py): ``given`` for this
    run, else a grown-up's, else the age of the plan given to them, else their profile's."""
    record = stored_profile(journal, profile)
    plan = library.plans.get(record.plan) if record is not None and record.plan else None
    return practice_age(record, plan, given)


def ages_of(
    journal: Journal | None, people: list[str], library: Library, given: int | None = None
) -> list[int | None]:
    """Everyone's practice age, the main profile first (``given`` is theirs)."""
    return [
        age_of(journal, person, library, given if index == 0 else None)
        for index, person in enumerate(people)
    ]


def pinned_plan(plan: Plan | None, journal: Journal | None) -> Plan | None:
    """A plan written without ``starts`` begins on the first day it was practised.

    Without this, every day would be its week 1. Before its first practice, it
    starts today (schedule.plan_day's rule for a plan with no start).
    """
    if plan is None or plan.starts is not None or journal is None:
        return plan
    try:
        first = journal.first_day(plan.id)
    except JournalUnavailable:
        return plan
    return replace(plan, starts=first) if first else plan
