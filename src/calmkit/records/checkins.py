"""The quick check-ins a plan asks for: which items, their scales, and the daily record.

Function first (docs/clinical-defaults.md): by default a stress thermometer before
and after, and once a day what the child did. Pain is asked only when the plan
lists it. Both faces use this; the TUI draws the questions, `--plain` reads
typed answers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from calmkit.content.model import CheckinSettings
from calmkit.records.answers import FACES, SCALES, Answer, uses_faces
from calmkit.records.journal import Journal, JournalUnavailable

ACTIVITIES: tuple[str, ...] = ("school", "exercise", "friends", "chores", "hobby")
NO_ACTIVITY = "none"
ACTIVITY_NAMES = {
    "school": "School",
    "exercise": "Exercise or sport",
    "friends": "Time with friends",
    "chores": "Chores or helping out",
    "hobby": "A hobby",
}


@dataclass(frozen=True)
class Question:
    """One check-in item for one person at one moment, and how to put it to them."""

    person: str
    moment: str
    item: str
    who: str | None  # the person's name, said only when practising together
    young: bool  # young enough, by practice age, for the faces
    grown_up: bool


# Each question as a child is asked it, and as a grown-up is: not in words written for a child.
QUESTIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("stress", "before"): (
        "Before we start: how calm or upset do you feel right now?",
        "Before we begin: how stressed or tense do you feel right now?",
    ),
    ("stress", "after"): (
        "And now: how calm or upset do you feel?",
        "And now: how stressed or tense do you feel?",
    ),
    ("mood", "before"): ("How is your mood right now?", "How would you rate your mood right now?"),
    ("mood", "after"): ("How is your mood now?", "How would you rate your mood now?"),
    ("pain", "before"): (
        "If you like, how much does your body hurt right now?",
        "If you like: how much pain are you in right now?",
    ),
    ("pain", "after"): (
        "If you like, how much does your body hurt now?",
        "If you like: how much pain are you in now?",
    ),
    ("activities", "daily"): (
        "What did you do today? Pick all that fit.",
        "What did you do today? Choose all that apply.",
    ),
}
GROWN_UP_SCALE_WORDS: dict[str, tuple[str, str]] = {
    "stress": ("relaxed", "extremely stressed"),
    "pain": ("no pain", "worst pain"),
    "mood": ("very low", "very good"),
}


def question(item: str, moment: str, grown_up: bool = False) -> str:
    words = QUESTIONS.get((item, moment))
    if words is None:
        return f"{item}?"
    for_a_child, for_a_grown_up = words
    return for_a_grown_up if grown_up else for_a_child


def scale_words(item: str, grown_up: bool = False) -> tuple[str, str]:
    """The words at either end of an item's scale."""
    if grown_up and item in GROWN_UP_SCALE_WORDS:
        return GROWN_UP_SCALE_WORDS[item]
    scale = SCALES[item]
    return scale.low_words, scale.high_words


def items_for_person(
    settings: CheckinSettings, moment: str, kind: str, own_plan_asks: bool = False
) -> tuple[str, ...]:
    """What one person is asked: a guest nothing (there is nobody to chart it for); a
    grown-up no daily activities question unless their own plan lists it."""
    if kind == "guest":
        return ()
    items = items_for(settings, moment)
    if kind == "grown-up" and not (own_plan_asks and settings.daily_listed):
        items = tuple(item for item in items if item != "activities")
    return items


def items_for(settings: CheckinSettings, moment: str) -> tuple[str, ...]:
    """The items the plan asks at this moment, each once, in the plan's order."""
    chosen = {"before": settings.before, "after": settings.after, "daily": settings.daily}
    return tuple(dict.fromkeys(chosen.get(moment, ())))


def activities_value(chosen: list[str]) -> str:
    """How a daily record is stored: the activities in a fixed order, or 'none'."""
    picked = [activity for activity in ACTIVITIES if activity in chosen]
    return ",".join(picked) if picked else NO_ACTIVITY


def parse_activities(text: object) -> tuple[str, ...]:
    """'school, Friends' -> ('school', 'friends'); 'none' or nothing -> ().

    Lenient on purpose: a journal edited or written by an older version still reads.
    """
    names = [part.strip().casefold() for part in str(text).split(",")]
    return tuple(name for name in dict.fromkeys(names) if name and name != NO_ACTIVITY)


def answered_today(journal: Journal | None, person: str, item: str, day: dt.date) -> bool:
    """Has this person already given today's daily answer? Unknown counts as no."""
    if journal is None:
        return False
    try:
        daily = journal.checkins(profile=person, since=day, until=day, moment="daily")
    except JournalUnavailable:
        return False
    return any(checkin.item == item for checkin in daily)


# --- --plain: typed answers -------------------------------------------------------------


def ask_plain(asked: Question, read: Callable[[], str], out: TextIO) -> Answer | None:
    """Ask one item on a plain terminal; an empty answer skips. Asks again, kindly,
    after an answer it cannot use, up to three times. The same faces as the app
    (for mood, and for a young child's stress) are offered as numbered words."""
    item, moment, young, grown_up = asked.item, asked.moment, asked.young, asked.grown_up
    prefix = f"{asked.who}: " if asked.who else ""
    faces = FACES[item] if item in SCALES and uses_faces(item, young, grown_up) else ()
    if item == "activities":
        choices = "  ".join(f"{n}={ACTIVITY_NAMES[a]}" for n, a in enumerate(ACTIVITIES, 1))
        prompt = f"{prefix}{question(item, moment, grown_up)}\n  {choices}\n  (numbers with spaces, 0 for none of these, Enter to skip) > "
    elif faces:
        choices = "  ".join(f"{face.number}={face.drawing} {face.words}" for face in faces)
        prompt = f"{prefix}{question(item, moment, grown_up)}\n  {choices}\n  (1 to {len(faces)}, Enter to skip) > "
    else:
        scale = SCALES[item]
        low, high = scale_words(item, grown_up)
        prompt = (
            f"{prefix}{question(item, moment, grown_up)} ({scale.low} {low} to "
            f"{scale.high} {high}, Enter to skip) > "
        )
    for _ in range(3):
        print(prompt, end="", file=out, flush=True)
        try:
            answer = read().strip()
        except EOFError:
            return None
        if not answer:
            return None
        value = _plain_value(item, answer, len(faces))
        if value is not None:
            return value
        print("That one did not fit; let's try again, or press Enter to skip.", file=out)
    return None


def _plain_value(item: str, answer: str, faces: int) -> Answer | None:
    if item == "activities":
        numbers = answer.replace(",", " ").split()
        if numbers == ["0"]:
            return Answer(NO_ACTIVITY)
        if not all(n.isdigit() and 1 <= int(n) <= len(ACTIVITIES) for n in numbers):
            return None
        return Answer(activities_value([ACTIVITIES[int(n) - 1] for n in numbers]))
    # "10", and "1 0" typed with a space, are both ten.
    typed = answer.replace(" ", "")
    if not typed.isascii() or not typed.isdigit():
        return None
    number = int(typed)
    if faces:
        return Answer(number, "faces") if 1 <= number <= faces else None
    scale = SCALES[item]
    return Answer(number, "numbers") if scale.low <= number <= scale.high else None
