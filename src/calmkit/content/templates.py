"""Starting files for ``calmkit new``: a script or a plan that validates as it is.

Like ``cargo new``, the file shows every field a clinician commonly uses, with a
comment saying what it does, so that the first edit is a change, not a search
through the reference. Pure: text in, text out; the command line writes it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping

from calmkit.content import model
from calmkit.content.model import Script

# What a template plan practises when the library offers nothing better for the age.
FALLBACK_SCRIPT = "balloon-belly"


def identifier_for(name: str) -> str:
    """An id for a name as typed: 'Calm Lake' -> 'calm-lake', 'Zoë's Plan' -> 'zoes-plan'."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    plain = plain.replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:64].strip("-")


def title_for(name: str, identifier: str) -> str:
    """The name as typed when it reads as a title, else the id in words."""
    if name != identifier:
        return " ".join(name.split())
    return identifier.replace("-", " ").capitalize()


def _yaml_text(text: str) -> str:
    """``text`` as a YAML value a clinician can read: quoted only when it must be."""
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9 ,.!?'()-]*", text) and ": " not in text:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _commented(line: str, comment: str, column: int = 27) -> str:
    """``line`` with ``# comment`` lined up with the template's other comments."""
    return f"{line}{' ' * max(1, column - len(line))}# {comment}"


_SUMMARIES = {
    "breathing": "A few minutes of slow, easy breathing.",
    "muscle-relaxation": "Squeeze a little, let go, and rest.",
    "imagery": "Slow breaths, then a visit to a calm place of your own.",
    "sleep": "Slow breaths and a calm place, to help you settle for sleep.",
}


def _tiers(ages: tuple[int, int]) -> list[model.Tier]:
    low, high = ages
    return list(dict.fromkeys(model.tier_for_age(age) for age in range(low, high + 1)))


# Lines per tier, in the house style: invitations, not commands.
_WELCOME = {
    "young": "Hi! Let's do some slow, easy breathing together.",
    "kid": "Hi! Let's practise a few minutes of slow breathing. It helps your body feel calm.",
    "teen": "Welcome. This is a few minutes of slow breathing, at your own pace.",
    "together": "Hi, everyone! Let's breathe slowly together.",
}
_EYES = {
    "young": "You can close your eyes, or keep them open and look at one spot.",
    "kid": "You can close your eyes, or keep them open and rest them on one spot.",
    "teen": "You can close your eyes, or keep them open with a soft gaze on one spot.",
    "together": "You can close your eyes, or keep them open. Everyone can choose.",
}
_STOP = {
    "young": "You can stop any time. That is okay.",
    "kid": "You can stop any time, and that's okay.",
    "teen": "You can stop any time. This is your practice.",
    "together": "Anyone can stop any time, and that's okay.",
}
_GOODBYE = {
    "young": "You did it! Wiggle your fingers. Open your eyes when you are ready.",
    "kid": "Well done. Wiggle your fingers and toes, and open your eyes when you're ready.",
    "teen": "Well done. Take a moment before you move on, and open your eyes when you're ready.",
    "together": "Well done, everyone! Wiggle your fingers, and look around when you're ready.",
}


def _tier_lines(lines: Mapping[str, str], tiers: list[model.Tier], indent: str) -> str:
    chosen = [*tiers, model.TOGETHER]
    return "".join(f"{indent}{tier}: {_yaml_text(lines[tier])}\n" for tier in chosen)


def script_template(name: str, kind: str = "breathing", ages: tuple[int, int] = (6, 12)) -> str:
    """A short, complete script: every commonly used field and step, commented."""
    identifier = identifier_for(name)
    tiers = _tiers(ages)
    low, high = ages
    ages_text = f"{low}-{high}" if low != high else str(low)
    say = "      "
    body = ""
    if kind == "muscle-relaxation":
        body = """\
  - id: hands-squeeze
    tense:                 # squeeze one body area a little (never so hard it hurts)
      area: hands          # hands, arms, shoulders, neck, face, jaw, belly, back, legs, feet
      say: Make two soft fists, about halfway.
      hold: 5              # seconds of squeezing
  - id: hands-go
    release:               # and let it go
      area: hands
      say: Let your hands go soft and floppy.
      rest: 10             # seconds of rest after letting go
"""
    elif kind in ("imagery", "sleep", "body-scan", "mindfulness"):
        body = """\
  - id: calm-spot
    say: Now picture a place where you feel calm. Any place you like.
    pause: 3
  - silence: 20            # quiet time, in seconds
"""
    elif kind in ("grounding", "coping"):
        body = """\
  - id: notice
    say: Look around, and find three things you can see.
    pause: 5
"""
    return f"""\
calmkit: 1                 # the format version: always 1
{_commented(f"id: {identifier}", "how plans and recordings name it: keep it once in use")}
{_commented(f"title: {_yaml_text(title_for(name, identifier))}", "what the child sees")}
{_commented(f"kind: {kind}", ", ".join(model.KINDS))}
{_commented(f"ages: {ages_text}", "who it is written for: a range like 9-14, or one age")}
summary: {_SUMMARIES.get(kind, "A few calm minutes of slow breaths and practice.")}
ambient: meadow            # meadow, ocean, rain, wind, or none (silence)
steps:
  - chime: start           # a soft bell to begin (start, end or soft)

  - id: welcome            # a step id: a recording called welcome.ogg replaces the voice here
    say:                   # one line per age tier; calmkit picks the child's
{_tier_lines(_WELCOME, tiers, say)}    pause: 2               # seconds of quiet after the line

  - id: eyes               # clinical guidance: every script offers eyes open...
    say:
{_tier_lines(_EYES, tiers, say)}    pause: 2

  - id: stop-any-time      # ...and says the child may stop any time
    say:
{_tier_lines(_STOP, tiers, say)}    pause: 2

  - say: Let's take some slow breaths. Just follow the words.   # one line for everyone
  - breathe:               # paced breathing; leave in/out out to use the tier's pace
      count: 5             # how many breaths
      guide: words         # words, counts, tones or quiet
{body}
  # A recording of your own: put the file beside this script, then uncomment.
  # - sound: {{file: my-intro.ogg, volume: 1}}

  - id: goodbye
    say:
{_tier_lines(_GOODBYE, tiers, say)}    pause: 2
  - chime: end             # and a bell to finish
"""


def _plan_scripts(age: int, library: Mapping[str, Script]) -> tuple[str, str]:
    """Two built-in scripts for the age: a breathing one first, then another kind."""
    suits = sorted(
        (script for script in library.values() if script.ages[0] <= age <= script.ages[1]),
        key=lambda script: script.id,
    )
    breathing = next((s.id for s in suits if s.kind == "breathing"), FALLBACK_SCRIPT)
    other = next((s.id for s in suits if s.kind != "breathing"), breathing)
    return breathing, other


def plan_template(
    name: str,
    library: Mapping[str, Script],
    age: int = 10,
    for_profile: str | None = None,
    today: dt.date | None = None,
) -> str:
    """An 8-week plan for one child, using scripts of the library that suit the age."""
    identifier = identifier_for(name)
    first, second = _plan_scripts(age, library)
    starts = today or dt.date.today()
    # Week 1 starts on the next Monday, a usual first day of home practice.
    starts += dt.timedelta(days=(7 - starts.weekday()) % 7)
    who = f"for: {_yaml_text(for_profile)}" if for_profile else "# for: Noah"
    tier = model.tier_for_age(age)
    return f"""\
calmkit: 1
{_commented(f"plan: {identifier}", "the plan's id", 28)}
{_commented(who, "the name of the child's profile in calmkit", 28)}
{_commented(f"age: {age}", f"chooses the tier ({tier}); scripts for other ages still play", 28)}
{_commented(f"starts: {starts.isoformat()}", "the first day of week 1", 28)}
note: >-
  Every practice counts, even a short one. Grown-ups are welcome to breathe along.
schedule:                   # week ranges count from `starts`; scripts by id (calmkit list)
  - weeks: 1-2
    sessions:
      - name: After school
        scripts: [{first}]
  - weeks: 3-8
    sessions:
      - name: After school
        scripts: [{first}, {second}]   # played one after the other
        per_day: 1          # how many times a day
settings:                   # every setting is optional
  breathe: {{in: 3, out: 5}}  # a pace for every breathe step that sets none
  gentle: []                # areas never squeezed, like [feet, legs]
  skip: []                  # areas left out entirely, like [jaw]
  ambient: rain             # meadow, ocean, rain, wind or none
  checkin:
    before: [stress]        # stress, mood; pain only if you want it asked
    after: [stress]
    daily: [activities]     # what the child did today
  rewards: true             # stars and a garden; false turns them off
"""
