"""Who practises: a child (with an age), a grown-up or a guest, and the plan each was given.

A plan applies to a person only when a grown-up gave it to them: imported with
``calmkit import PLAN --profile NAME`` or chosen on their profile (P, then L).
It is stored with the profile in the journal, so it survives restarts and goes
with the person when they are renamed, exported or forgotten. A plan's ``for:``
is only a suggestion at import time, and the built-in plans are examples that
are never attached to anyone by a name match.
"""

from __future__ import annotations

from dataclasses import dataclass

from calmkit.content.library import Library
from calmkit.content.model import MAX_AGE, MIN_AGE, Plan
from calmkit.content.safetext import NameProblem
from calmkit.content.safetext import clean_name as safe_clean_name
from calmkit.content.safetext import same_name as safe_same_name
from calmkit.records.ages import GROWN_UP_AGE, group_age
from calmkit.records.journal import (
    ADOPT_IMPORTED_PLANS,
    DEFAULT_PROFILE,
    Journal,
    JournalUnavailable,
    KindOfPerson,
    ProfileKind,
    ProfileRecord,
)

GUEST_NAME = DEFAULT_PROFILE
# Scripts are written for ages 4 to 18; an age above that is a grown-up's.
OLDEST_AGE = 120
# What a grown-up's sessions are spoken as, and which scripts the library shows them.
GROWN_UP_CONTENT_AGE = GROWN_UP_AGE


# Names typed by a user (the profile form, --profile, --with, import --profile) are
# cleaned and compared by the one rule in content/safetext.py.
BadName = NameProblem
clean_name = safe_clean_name
same_name = safe_same_name


def kind_for(age: int | None, grown_up: bool) -> ProfileKind:
    """A grown-up when said so, or when the age is past the ages scripts are for."""
    if grown_up or (age is not None and age > MAX_AGE):
        return "grown-up"
    return "child"


def age_problem(age: int | None, grown_up: bool) -> str | None:
    """Why an age cannot be used for a person, in plain words, or None when it can.

    A child's age is 4 to 18. A grown-up may give an age (18 or more) or none.
    """
    if grown_up:
        if age is None or MAX_AGE <= age <= OLDEST_AGE:
            return None
        return f"A grown-up's age is {MAX_AGE} or more, or leave it empty."
    if age is None:
        return f"An age from {MIN_AGE} to {MAX_AGE}, please."
    if MAX_AGE < age <= OLDEST_AGE:
        return "Over 18? Choose 'A grown-up', or an age from 4 to 18."
    if MIN_AGE <= age <= MAX_AGE:
        return None
    return f"An age from {MIN_AGE} to {MAX_AGE}, please."


def who_label(name: str, kind: str) -> str:
    """A name with what it is, where a reader must not take a grown-up for a child:
    'Dad (grown-up)'. The guest's name says what it is already."""
    if kind == "grown-up":
        return f"{name} (grown-up)"
    if kind == "guest" and not same_name(name, GUEST_NAME):
        return f"{name} (guest)"
    return name


@dataclass(frozen=True)
class Person(KindOfPerson):
    """Someone practising, as the faces need them."""

    name: str
    age: int | None
    kind: ProfileKind = "child"
    plan_id: str | None = None

    @property
    def label(self) -> str:
        return who_label(self.name, self.kind)

    @classmethod
    def of(cls, record: ProfileRecord) -> Person:
        return cls(record.name, record.age, record.kind, record.plan)


def guest() -> Person:
    return Person(GUEST_NAME, None, "guest")


def find_person(journal: Journal | None, name: str | None) -> Person | None:
    """The stored person of that name, or None (not there, or no journal)."""
    if journal is None or not name:
        return None
    try:
        record = journal.profile(name)
    except JournalUnavailable:
        return None
    return Person.of(record) if record else None


def plan_of(person: Person | None, library: Library) -> Plan | None:
    """The plan given to this person, if it is still in the library."""
    if person is None or person.plan_id is None:
        return None
    return library.plans.get(person.plan_id)


def assigned_plan(journal: Journal | None, name: str | None, library: Library) -> Plan | None:
    return plan_of(find_person(journal, name), library)


def content_age(person: Person | None) -> int | None:
    """The age a person's sessions are chosen and spoken for: a child's own age, a
    grown-up the oldest tier's; None when not known (a guest)."""
    if person is None:
        return None
    if person.grown_up:
        return GROWN_UP_CONTENT_AGE
    return person.age


def people_age(people: list[Person]) -> int | None:
    """The age a session is for: one person's, or the youngest child's together
    (ages.group_age: a grown-up's 18 is never younger than a child)."""
    return group_age(content_age(person) for person in people)


def give_plan(journal: Journal, name: str, plan_id: str | None) -> None:
    """Give a person a plan (or none); raises ProfileGone when they are not there."""
    journal.set_plan(name, plan_id)


def adopt_imported_plans(journal: Journal | None, library: Library) -> list[tuple[str, str]]:
    """Once, after the upgrade that stopped guessing plans by name: a plan the family
    imported before, written `for:` someone who has a profile, stays theirs.

    Built-in examples are never adopted: they were only ever a stranger's plan.
    Returns the (name, plan id) pairs given.
    """
    if journal is None:
        return []
    try:
        if ADOPT_IMPORTED_PLANS not in journal.upgrade_tasks():
            return []
        given: list[tuple[str, str]] = []
        # The order plan_for used to pick in: the first user plan by id.
        for plan in sorted(library.user_plans(), key=lambda plan: plan.id):
            if not plan.for_profile:
                continue
            record = journal.profile(plan.for_profile.strip())
            if record is None or record.plan is not None or record.guest:
                continue
            journal.set_plan(record.name, plan.id)
            given.append((record.name, plan.id))
        journal.finish_upgrade_task(ADOPT_IMPORTED_PLANS)
    except JournalUnavailable:
        return []
    return given


def sole_person(journal: Journal | None) -> str | None:
    """With no one chosen yet and exactly one person (not the guest) known: them."""
    if journal is None:
        return None
    try:
        people = [record for record in journal.profiles() if not record.guest]
    except JournalUnavailable:
        return None
    return people[0].name if len(people) == 1 else None


def anyone_known(journal: Journal | None) -> bool:
    if journal is None:
        return False
    try:
        return any(not record.guest for record in journal.profiles())
    except JournalUnavailable:
        return False
