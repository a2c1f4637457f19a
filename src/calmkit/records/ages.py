"""One rule for a person's age and tier: the player, home, history and the report use it.

A person's practice age is, in this order:

1. an age given for this run (``calmkit --age N`` or ``calmkit play --age N``);
2. for a grown-up, the oldest tier's age (18): grown-ups hear what teens hear
   and see no faces, whatever plan they follow;
3. the age on the plan their psychologist gave them (a plan's ``age:`` chooses
   the tier, docs/script-format.md);
4. the age stored with their profile;
5. none: then a session speaks to the youngest child its scripts are written
   for, the check-ins use numbers, and the library shows every age.

A group practising together practises at the youngest known age among them
(scripts use their together lines, falling back like a tier): with children
in it, the youngest child's; and the
library and today's suggestion offer what suits everyone in the group.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from calmkit.content import model
from calmkit.content.model import Plan, Script, Tier, tier_for_age
from calmkit.records.journal import ProfileRecord

# A grown-up practises at the oldest age scripts are written for.
GROWN_UP_AGE = model.MAX_AGE


def practice_age(
    profile: ProfileRecord | None, plan: Plan | None, given: int | None = None
) -> int | None:
    """The age a person practises at (the rule above); None when nobody said."""
    if given is not None:
        return given
    if profile is not None and profile.grown_up:
        return GROWN_UP_AGE
    if plan is not None and plan.age is not None:
        return plan.age
    if profile is not None and profile.age is not None:
        return profile.age
    return None


def group_age(ages: Iterable[int | None]) -> int | None:
    """The youngest known age in a group (one person is a group of one)."""
    known = [age for age in ages if age is not None]
    return min(known) if known else None


def practice_tier(age: int | None, scripts: Iterable[Script] = ()) -> Tier:
    """The tier for an age; with no age, the youngest the scripts are written for."""
    if age is not None:
        return tier_for_age(age)
    youngest = min((script.ages[0] for script in scripts), default=model.MIN_AGE)
    return tier_for_age(youngest)


def is_young(age: int | None) -> bool:
    """Young children answer check-ins with faces; nobody of unknown age does."""
    return age is not None and tier_for_age(age) == "young"


def suits_everyone(script: Script, ages: Sequence[int]) -> bool:
    """A script for every known age in the group (any script, when no age is known)."""
    return all(script.suits_age(age) for age in ages)
