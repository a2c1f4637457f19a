"""Loading and validating scripts and plans, reporting every problem at its mark.

Each ``read_*`` method checks one part of the node tree, records what is wrong
and returns what it could make of it (or None), so that one pass reports all
problems of a file at once and never raises.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Collection, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from calmkit.content import messages, model
from calmkit.content.messages import Says
from calmkit.content.model import (
    AnyStep,
    Breathe,
    BreathePace,
    CheckinSettings,
    Chime,
    Plan,
    PlannedSession,
    PlanSettings,
    Release,
    Say,
    ScheduleBlock,
    Script,
    Silence,
    Sound,
    Tense,
    Text,
)
from calmkit.content.problems import Problem, Severity, did_you_mean, one_of
from calmkit.content.results import DocumentKind, LoadResult
from calmkit.content.safetext import NameProblem, clean_name
from calmkit.content.yamldoc import Document, ScalarReader, parse_bytes, read_file
from calmkit.words import joined_names

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ID_LENGTH = 64
# "5-10", and as word processors and people write it: "5–10" (en dash), "5—10", "5−10"
# (minus sign), "5 to 10". ASCII digits only: \d would take Arabic-Indic digits too.
AGE_RANGE_PATTERN = re.compile(
    r"^\s*([0-9]+)\s*(?:(?:-|\u2013|\u2014|\u2212|\bto\b)\s*([0-9]+)\s*)?$", re.IGNORECASE
)
# What docs/clinical-defaults.md asks every script to offer, as a child would hear it said.
EYES_OPEN_PATTERN = re.compile(r"\beyes\b.*\bopen\b|\bopen\b.*\beyes\b", re.IGNORECASE)
STOP_ANY_TIME_PATTERN = re.compile(
    r"\bstop\b.*\b(any ?time|at any point|any moment|whenever)\b", re.IGNORECASE
)
# More digits than any age or week: read as "too big", never handed to int() (which
# refuses over 4300 digits with a ValueError).
MAX_RANGE_DIGITS = 6
MAX_PLAN_WEEKS = 104
MAX_PER_DAY = 10
# A plan's first day: a real one, far enough from the calendar's ends that every week of
# it (MAX_PLAN_WEEKS) is still a date.
EARLIEST_START = dt.date.fromisoformat("2000-01-01")
LATEST_START = dt.date.fromisoformat("2199-12-31")


@dataclass(frozen=True)
class Field:
    """One optional value of a mapping, declared once: the key in the file, the model's
    attribute it fills, what it may be, and the words of its message. An absent field
    keeps the model's default."""

    key: str
    attribute: str
    type: Literal["number", "whole", "choice", "boolean"]
    low: float = 0
    high: float = 0
    unit: str = "seconds"  # "must be a number of seconds from 1 to 15"
    choices: tuple[str, ...] = ()
    what: str = ""  # a choice's word in "unknown breathing guide 'x'"


# The breathing limits, for a breathe step and a plan's `settings: breathe` alike.
BREATHE_PACE_FIELDS = (
    Field("in", "inhale", "number", 1, 15),
    Field("out", "exhale", "number", 1, 15),
    Field("hold", "hold", "number", 0, 10),
    Field("rest", "rest", "number", 0, 10),
)
BREATHE_FIELDS = (
    *BREATHE_PACE_FIELDS,
    Field("count", "count", "whole", 1, 60, unit="breaths"),
    Field("guide", "guide", "choice", choices=model.GUIDES, what="breathing guide"),
)
STEP_FIELDS = (Field("pause", "pause", "number", 0, 60),)
SILENCE_FIELD = Field("silence", "seconds", "number", 0, 600)
CHIME_FIELD = Field("chime", "name", "choice", choices=model.CHIMES, what="chime")
TENSE_FIELDS = (Field("hold", "hold", "number", 1, 15),)
RELEASE_FIELDS = (Field("rest", "rest", "number", 0, 60),)
SOUND_FIELDS = (Field("volume", "volume", "number", 0, 1, unit=""),)
KIND_FIELD = Field("kind", "kind", "choice", choices=model.KINDS, what="kind")
PLAN_FIELDS = (Field("age", "age", "whole", model.MIN_AGE, model.MAX_AGE, unit="years"),)
SESSION_FIELDS = (Field("per_day", "per_day", "whole", 1, MAX_PER_DAY, unit=""),)
# A plan's practice_minutes: from half a minute to the longest script there may be.
SETTINGS_FIELDS = (
    Field("rewards", "rewards", "boolean"),
    Field("practice_minutes", "practice_minutes", "number", 0.5, 60, unit="minutes"),
)
FIELD_TABLES: tuple[tuple[Field, ...], ...] = (
    BREATHE_FIELDS,
    STEP_FIELDS,
    (SILENCE_FIELD, CHIME_FIELD, KIND_FIELD),
    TENSE_FIELDS,
    RELEASE_FIELDS,
    SOUND_FIELDS,
    PLAN_FIELDS,
    SESSION_FIELDS,
    SETTINGS_FIELDS,
)

SCRIPT_KEYS = ("calmkit", "id", "title", "kind", "ages", "summary", "ambient", "steps")
PLAN_KEYS = ("calmkit", "plan", "for", "age", "starts", "note", "schedule", "settings")
ACTIONS = ("say", "breathe", "tense", "release", "silence", "chime", "sound")
# `speak` (what the narrator says instead of the caption) is only for a `say` step;
# tense and release steps carry theirs beside their own `say`. `when` plays a step
# only with sound, or only without (model.WHENS).
STEP_EXTRAS = ("id", "pause", "speak", "when")
# Steps that make nothing but sound: under `when: no-sound` nobody would ever hear them.
SOUND_ONLY_ACTIONS = ("chime", "sound")
BREATHE_KEYS = tuple(field.key for field in BREATHE_FIELDS)
TENSE_KEYS = ("area", "say", "speak", "hold")
RELEASE_KEYS = ("area", "say", "speak", "rest")
SOUND_KEYS = ("file", "volume")
SCHEDULE_KEYS = ("weeks", "sessions")
SESSION_KEYS = ("name", "scripts", "per_day")
SETTINGS_KEYS = (
    "breathe",
    "gentle",
    "skip",
    "ambient",
    "voice",
    "checkin",
    "rewards",
    "practice_minutes",
)
PLAN_BREATHE_KEYS = tuple(field.key for field in BREATHE_PACE_FIELDS)
CHECKIN_KEYS = ("before", "after", "daily")

# Messages that state this module's limits, beside them (the rest are in messages.toml).
BAD_ID = Says(
    f"'{{name}}' must be lowercase letters, digits and single hyphens (at most {MAX_ID_LENGTH}),"
    " like 'lemon-squeeze', got '{value}'",
    words={"name": ("id", "plan", "scripts")},
)
DATE_OUT_OF_RANGE = Says(
    f"'{{name}}' must be a date from {EARLIEST_START.isoformat()} to "
    f"{LATEST_START.isoformat()}, got {{value}}"
)
WEEKS_OUT_OF_RANGE = Says(f"'weeks' must count from 1 to {MAX_PLAN_WEEKS}, got '{{value}}'")
NO_ACTION = Says(f"step {{number}} has no action: give it one of {one_of(ACTIONS)}")

Entries = dict[str, tuple[ScalarNode, Node]]


@dataclass(frozen=True)
class _RangeRule:
    """What a range of whole numbers ('5-10' ages, '1-2' weeks) must be, and what is said
    when it is not."""

    lowest: int
    highest: int
    not_a_range: Says
    backwards: Says
    out_of_range: Says
    # The backwards message's holes for the first and the last end.
    end_names: tuple[str, str]


_AGES = _RangeRule(
    model.MIN_AGE,
    model.MAX_AGE,
    messages.NOT_AN_AGE_RANGE,
    messages.AGES_BACKWARDS,
    messages.AGES_OUT_OF_RANGE,
    end_names=("low", "high"),
)
_WEEKS = _RangeRule(
    1,
    MAX_PLAN_WEEKS,
    messages.NOT_A_WEEK_RANGE,
    messages.WEEKS_BACKWARDS,
    WEEKS_OUT_OF_RANGE,
    end_names=("first", "last"),
)


def _number_text(value: float) -> str:
    return f"{value:g}"


def _number_words(name: str, low: float, high: float, unit: str, whole: bool) -> dict[str, str]:
    """The holes of messages.NOT_A_NUMBER but the value: "'count' must be a whole number of
    breaths from 1 to 60"."""
    return {
        "name": name,
        "kind": "a whole number" if whole else "a number",
        "of_unit": f" of {unit}" if unit else "",
        "low": _number_text(low),
        "high": _number_text(high),
    }


def message_catalogue() -> list[tuple[str, Severity]]:
    """Every message a script or plan file can be given, as ``str.format`` templates with
    the holes the file decides, and its severity: the messages of messages.toml, of the
    YAML reader and this module, and each field of the field tables spelled out."""
    from calmkit.content import yamldoc  # this module's own import, named for the catalogue

    found: dict[tuple[str, Severity], None] = {}
    for namespace in (messages.every_message(), vars(yamldoc), globals()):
        for says in messages.all_says(namespace):
            found.update(dict.fromkeys((text, says.severity) for text in says.spelled_out()))
    for table in FIELD_TABLES:
        for field in table:
            found[_field_message(field), "error"] = None
    return list(found)


def _field_message(field: Field) -> str:
    """What a wrong value of the field is told (a choice's word is in UNKNOWN_CHOICE)."""
    if field.type == "choice":
        return messages.UNKNOWN_CHOICE.partly(what=field.what)
    if field.type == "boolean":
        return messages.NOT_TRUE_OR_FALSE.partly(name=field.key)
    words = _number_words(field.key, field.low, field.high, field.unit, field.type == "whole")
    return messages.NOT_A_NUMBER.partly(**words)


def _show(node: Node) -> str:
    """How a value is quoted back in a message."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag.endswith(":null"):
        return "nothing"
    return f"'{_short(node.value)}'"


def _short(text: str) -> str:
    """A value quoted back in a message: short enough to read on one line."""
    return text if len(text) <= 40 else f"{text[:37]}..."


def _range_ends(match: re.Match[str]) -> tuple[int, int]:
    """The two ends of 'A-B' (or 'A'), a number too long to be sensible read as very big."""

    def end(digits: str) -> int:
        return int(digits) if len(digits) <= MAX_RANGE_DIGITS else 10**MAX_RANGE_DIGITS

    first = match.group(1)
    return end(first), end(match.group(2) or first)


def _all_of(choices: Iterable[str]) -> str:
    """``'a', 'b' and 'c'`` for messages."""
    return joined_names([f"'{choice}'" for choice in choices])


class _Checker:
    """Collects problems for one file while its node tree is read."""

    def __init__(self, label: str, folder: Path | None) -> None:
        self.label = label
        self.folder = folder  # the file's folder, for sound files; None when virtual
        self.problems: list[Problem] = []
        self.scalars = ScalarReader()

    # --- reporting ---------------------------------------------------------

    def report(self, node: Node, says: Says, **holes: object) -> None:
        mark = node.start_mark
        message = says(**holes)
        self.problems.append(
            Problem(self.label, mark.line + 1, mark.column + 1, message, says.severity)
        )

    # --- generic shapes ------------------------------------------------------

    def mapping(self, node: Node, what: str) -> Entries | None:
        if not isinstance(node, MappingNode):
            self.report(node, messages.NOT_A_MAPPING, what=what, value=_show(node))
            return None
        entries: Entries = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.report(key_node, messages.KEY_NOT_A_WORD, what=what)
                continue
            # Duplicates were reported already; the first one counts.
            entries.setdefault(str(key_node.value), (key_node, value_node))
        return entries

    def unknown_keys(self, entries: Entries, allowed: Iterable[str], where: str) -> bool:
        allowed = tuple(allowed)
        found = False
        for key, (key_node, _) in entries.items():
            if key not in allowed:
                found = True
                hint = did_you_mean(key, allowed)
                self.report(key_node, messages.UNKNOWN_KEY, key=key, where=where, hint=hint)
        return found

    def required(self, entries: Entries, key: str, owner: Node, where: str) -> Node | None:
        if key in entries:
            return entries[key][1]
        self.report(owner, messages.MISSING_KEY, key=key, where=where)
        return None

    def sequence(self, node: Node, name: str, allow_empty: bool = False) -> list[Node] | None:
        if isinstance(node, ScalarNode) and node.tag.endswith(":null") and allow_empty:
            return []
        if not isinstance(node, SequenceNode):
            self.report(node, messages.NOT_A_LIST, name=name, value=_show(node))
            return None
        if not node.value and not allow_empty:
            self.report(node, messages.EMPTY_LIST, name=name)
            return None
        return list(node.value)

    def is_null(self, node: Node) -> bool:
        return isinstance(node, ScalarNode) and node.tag.endswith(":null")

    # --- scalars -------------------------------------------------------------

    def string(self, node: Node, name: str, allow_empty: bool = False) -> str | None:
        """Any scalar as the text the author typed ('yes' stays 'yes')."""
        if not isinstance(node, ScalarNode) or (self.is_null(node) and not allow_empty):
            self.report(node, messages.NOT_TEXT, name=name, value=_show(node))
            return None
        text = "" if self.is_null(node) else str(node.value).strip()
        if not text and not allow_empty:
            self.report(node, messages.EMPTY_TEXT, name=name)
            return None
        return text

    def number(
        self,
        node: Node,
        name: str,
        low: float,
        high: float,
        unit: str = "seconds",
        whole: bool = False,
    ) -> float | None:
        value: object = None
        if isinstance(node, ScalarNode) and not self.is_null(node):
            value = self.scalars.value(node)
            if isinstance(value, str):
                try:
                    value = float(value.strip())
                except ValueError:
                    value = None
        valid = (
            isinstance(value, int | float)
            and not isinstance(value, bool)
            # The range first: a huge integer cannot become a float (OverflowError).
            and low <= value <= high
            and math.isfinite(value)
            and (not whole or float(value).is_integer())
        )
        if not valid:
            self.report(
                node,
                messages.NOT_A_NUMBER,
                **_number_words(name, low, high, unit, whole),
                value=_show(node),
            )
            return None
        assert isinstance(value, int | float)
        return float(value)

    def fields(self, entries: Entries, table: Iterable[Field]) -> tuple[dict[str, object], bool]:
        """The values of the table's fields present in ``entries``, by the model's names,
        and whether every one of them was right.

        A dict of objects to the type checker: where they reach a model class, each value
        was checked as it was read (here, or by the code that built it), and the
        ``type: ignore[arg-type]`` there says so."""
        values: dict[str, object] = {}
        ok = True
        for field in table:
            if field.key in entries:
                value = self.field(entries[field.key][1], field)
                if value is None:
                    ok = False
                else:
                    values[field.attribute] = value
        return values, ok

    def field(self, node: Node, field: Field) -> object | None:
        if field.type == "choice":
            return self.choice(node, field.key, field.choices, field.what)
        if field.type == "boolean":
            return self.boolean(node, field.key)
        whole = field.type == "whole"
        value = self.number(node, field.key, field.low, field.high, field.unit, whole)
        return int(value) if whole and value is not None else value

    def choice(self, node: Node, name: str, choices: Collection[str], what: str) -> str | None:
        text = self.string(node, name)
        if text is not None and text not in choices:
            hint = did_you_mean(text, choices) or f" (one of {one_of(choices)})"
            self.report(node, messages.UNKNOWN_CHOICE, what=what, value=_short(text), hint=hint)
            return None
        return text

    def identifier(self, node: Node, name: str) -> str | None:
        text = self.string(node, name)
        if text is not None and (len(text) > MAX_ID_LENGTH or not ID_PATTERN.match(text)):
            self.report(node, BAD_ID, name=name, value=text[:40])
            return None
        return text

    def boolean(self, node: Node, name: str) -> bool | None:
        value = self.scalars.value(node) if isinstance(node, ScalarNode) else None
        if not isinstance(value, bool):
            self.report(node, messages.NOT_TRUE_OR_FALSE, name=name, value=_show(node))
            return None
        return value

    def date(self, node: Node, name: str, earliest: dt.date, latest: dt.date) -> dt.date | None:
        value = self.scalars.value(node) if isinstance(node, ScalarNode) else None
        day: dt.date | None = None
        if isinstance(value, dt.datetime):
            day = value.date()
        elif isinstance(value, dt.date):
            day = value
        elif isinstance(value, str):
            with suppress(ValueError):
                day = dt.date.fromisoformat(value.strip())
        if day is None:
            self.report(node, messages.NOT_A_DATE, name=name, value=_show(node))
            return None
        if not earliest <= day <= latest:
            # Weeks are counted from it: a date near the end of the calendar overflows.
            self.report(node, DATE_OUT_OF_RANGE, name=name, value=_show(node))
            return None
        return day

    def name(self, node: Node, key: str) -> str | None:
        """A person's name, as a profile will hold it (see safetext.clean_name)."""
        text = self.string(node, key)
        if text is None:
            return None
        try:
            return clean_name(text)
        except NameProblem as problem:
            self.report(node, messages.BAD_NAME, key=key, reason=problem)
            return None

    def age_range(self, node: Node, name: str) -> tuple[int, int] | None:
        return self.number_range(node, name, _AGES)

    def week_range(self, node: Node) -> tuple[int, int] | None:
        return self.number_range(node, "weeks", _WEEKS)

    def number_range(self, node: Node, name: str, rule: _RangeRule) -> tuple[int, int] | None:
        """'A-B' or 'A' (as in AGE_RANGE_PATTERN), in order and within the rule's limits."""
        text = self.string(node, name)
        if text is None:
            return None
        match = AGE_RANGE_PATTERN.match(text)
        if not match:
            self.report(node, rule.not_a_range, name=name, value=_short(text))
            return None
        first, last = _range_ends(match)
        if first > last:
            # Each message names the two ends in its own words (low/high, first/last).
            ends = dict(zip(rule.end_names, (first, last), strict=True))
            self.report(node, rule.backwards, name=name, value=text, **ends)
            return None
        if first < rule.lowest or last > rule.highest:
            self.report(node, rule.out_of_range, name=name, value=_short(text))
            return None
        return first, last

    def text(self, node: Node, name: str) -> Text | None:
        """A line, or a mapping of tier variants (young, kid, teen, together)."""
        if isinstance(node, MappingNode):
            entries = self.mapping(node, f"'{name}'")
            if entries is None:
                return None
            variants: dict[str, str] = {}
            for key, (key_node, value_node) in entries.items():
                if key not in model.VARIANTS:
                    hint = did_you_mean(key, model.VARIANTS)
                    self.report(key_node, messages.UNKNOWN_TIER, key=key, name=name, hint=hint)
                    continue
                line = self.string(value_node, f"{name}: {key}")
                if line is not None:
                    variants[key] = line
                    self.check_words(value_node, line, name)
            if not entries:
                self.report(node, messages.NO_LINES, name=name)
                return None
            return Text(variants=variants) if variants and len(variants) == len(entries) else None
        line = self.string(node, name)
        if line is not None:
            self.check_words(node, line, name)
        return None if line is None else Text.of(line)

    def check_words(self, node: Node, line: str, name: str) -> None:
        if name != "say":
            return  # a respelling is as long as the line it respells
        words = len(line.split())
        if words > model.MAX_WORDS_PER_LINE:
            self.report(node, messages.LONG_LINE, words=words)

    def areas(self, node: Node, name: str) -> frozenset[str] | None:
        items = self.sequence(node, name, allow_empty=True)
        if items is None:
            return None
        chosen: set[str] = set()
        for item in items:
            area = self.choice(item, name, model.AREAS, "body area")
            if area is not None:
                chosen.add(area)
        return frozenset(chosen)

    def ambient(self, node: Node) -> str | None:
        name = self.string(node, "ambient")
        if name is None:
            return None
        if name != model.NO_AMBIENT and name not in model.AMBIENT_BEDS:
            # Not an error: the session simply stays quiet, and the author is told.
            hint = did_you_mean(name, model.AMBIENT_BEDS)
            self.report(node, messages.UNKNOWN_AMBIENT, name=name, hint=hint)
        return name


class _ScriptReader(_Checker):
    def read(self, root: MappingNode, entries: Entries) -> Script | None:
        self.unknown_keys(entries, SCRIPT_KEYS, "script")
        fields: dict[str, object] = {}
        for key, read in (
            ("id", lambda n: self.identifier(n, "id")),
            ("title", lambda n: self.string(n, "title")),
            ("kind", lambda n: self.field(n, KIND_FIELD)),
            ("ages", lambda n: self.age_range(n, "ages")),
            ("steps", self.steps),
        ):
            node = self.required(entries, key, root, "script")
            fields[key] = None if node is None else read(node)
        summary = ""
        if "summary" in entries:
            summary = self.string(entries["summary"][1], "summary", allow_empty=True) or ""
        ambient = None
        if "ambient" in entries and not self.is_null(entries["ambient"][1]):
            ambient = self.ambient(entries["ambient"][1])
        if any(value is None for value in fields.values()):
            return None
        script = Script(
            id=str(fields["id"]),
            title=str(fields["title"]),
            kind=str(fields["kind"]),
            ages=fields["ages"],  # type: ignore[arg-type]  # each value checked as read
            steps=fields["steps"],  # type: ignore[arg-type]  # each value checked as read
            summary=summary,
            ambient=ambient,
            path=self.label,
        )
        if not any(problem.is_error for problem in self.problems):
            self.check_length(script, entries["steps"][0])
        return script

    def check_length(self, script: Script, steps_key: Node) -> None:
        # Imported here: the timeline imports this package's model, not the loader.
        from calmkit.content.timeline import compile_timeline

        # Without sound only a script with `when` steps plays differently.
        ways = (True, False) if any(step.when for step in script.steps) else (True,)
        longest = max(
            compile_timeline(script, tier, sound=sound).duration
            for tier in model.TIERS
            for sound in ways
        )
        if longest > model.MAX_SCRIPT_SECONDS:
            self.report(steps_key, messages.TOO_LONG, minutes=math.ceil(longest / 60))

    def steps(self, node: Node) -> tuple[AnyStep, ...] | None:
        items = self.sequence(node, "steps")
        if items is None:
            return None
        steps: list[AnyStep] = []
        ids: dict[str, int] = {}
        complete = True
        for number, item in enumerate(items, start=1):
            step = self.step(item, number, ids)
            if step is None:
                complete = False
            else:
                steps.append(step)
        return tuple(steps) if complete else None

    def step(self, node: Node, number: int, ids: dict[str, int]) -> AnyStep | None:
        where = f"step {number}"
        if not isinstance(node, MappingNode):
            self.report(node, messages.STEP_NOT_A_MAPPING, number=number, value=_show(node))
            return None
        entries = self.mapping(node, where)
        if entries is None:
            return None
        unknown = self.unknown_keys(entries, ACTIONS + STEP_EXTRAS, where)
        actions = [key for key in entries if key in ACTIONS]
        if not actions:
            if not unknown:
                self.report(node, NO_ACTION, number=number)
            return None
        if len(actions) > 1:
            second_key = entries[actions[1]][0]
            self.report(
                second_key, messages.TWO_ACTIONS, number=number, first=actions[0], second=actions[1]
            )
            return None
        action = actions[0]
        common: dict[str, object] = {"line": node.start_mark.line + 1}
        ok = not unknown
        if "id" in entries:
            id_node = entries["id"][1]
            step_id = self.identifier(id_node, "id")
            if step_id is None:
                ok = False
            elif step_id in ids:
                self.report(id_node, messages.STEP_ID_TWICE, id=step_id, first_line=ids[step_id])
                ok = False
            else:
                ids[step_id] = id_node.start_mark.line + 1
                common["step_id"] = step_id
        pause, pause_ok = self.fields(entries, STEP_FIELDS)
        common.update(pause)
        ok = ok and pause_ok
        if "when" in entries:
            when = self.when(entries["when"][1], action)
            if when is None:
                ok = False
            else:
                common["when"] = when
        if "speak" in entries and action != "say":
            ok = False
            if action in ("tense", "release"):
                self.report(entries["speak"][0], messages.SPEAK_INSIDE, action=action)
            else:
                self.report(entries["speak"][0], messages.SPEAK_WITHOUT_LINE, action=action)
        if action == "say":
            text = self.text(entries["say"][1], "say")
            speak = None
            if "speak" in entries:
                speak_ok, speak = self.speak(entries["speak"][1], text)
                ok = ok and speak_ok
            built: AnyStep | None = (
                None if text is None else Say(text=text, speak=speak, **common)  # type: ignore[arg-type]  # each value checked as read
            )
        else:
            built = self.action(action, entries[action][1], common)
        return built if ok else None

    def when(self, node: Node, action: str) -> str | None:
        """`when: sound` or `when: no-sound`: the step plays only with sound, or only without."""
        text = self.string(node, "when")
        if text is None:
            return None
        if text not in model.WHENS:
            hint = did_you_mean(text, model.WHENS)
            self.report(node, messages.WHEN_UNKNOWN, value=_short(text), hint=hint)
            return None
        if text == model.WHEN_NO_SOUND and action in SOUND_ONLY_ACTIONS:
            self.report(node, messages.WHEN_NO_SOUND_ONLY_SOUND, action=action)
        return text

    def speak(self, node: Node, say: Text | None) -> tuple[bool, Text | None]:
        """A respelling for the narrator: the same shape as its `say`, one line per variant.

        It follows the caption's variant and never falls back on its own, so a
        tier it gives must be one `say` gives; variants it leaves out are said
        as written. Returns (no errors, the respelling).
        """
        speak = self.text(node, "speak")
        if speak is None:
            return False, None
        ok = True
        for line, line_node in self._speak_lines(node, speak):
            if not any(char.isalnum() for char in line):
                self.report(line_node, messages.SPEAK_NO_WORDS)
                ok = False
        if say is None:
            return ok, speak if ok else None  # `say` itself is wrong and says so
        if say.plain is not None and speak.plain is None:
            self.report(node, messages.SPEAK_ONE_LINE)
            return False, None
        if say.plain is None and speak.plain is not None:
            self.report(
                node,
                messages.SPEAK_A_MAPPING,
                tiers=_all_of(say.variants),
                tier=next(iter(say.variants)),
            )
            return False, None
        for key_node, value_node in node.value if isinstance(node, MappingNode) else ():
            key = str(key_node.value)
            if key not in say.variants:
                self.report(
                    key_node, messages.SPEAK_TIER_NOT_IN_SAY, tier=key, tiers=_all_of(say.variants)
                )
                ok = False
            elif say.variants[key] == speak.variants[key]:
                self.report(value_node, messages.SPEAK_TIER_SAME, tier=key)
        if say.plain is not None and say.plain == speak.plain:
            self.report(node, messages.SPEAK_SAME)
        return ok, speak if ok else None

    @staticmethod
    def _speak_lines(node: Node, speak: Text) -> list[tuple[str, Node]]:
        if speak.plain is not None:
            return [(speak.plain, node)]
        assert isinstance(node, MappingNode)
        return [(speak.variants[str(key.value)], value) for key, value in node.value]

    def action(self, action: str, node: Node, common: dict[str, object]) -> AnyStep | None:
        if action == "silence":
            seconds = self.field(node, SILENCE_FIELD)
            return None if seconds is None else Silence(seconds=seconds, **common)  # type: ignore[arg-type]  # each value checked as read
        if action == "chime":
            name = self.field(node, CHIME_FIELD)
            return None if name is None else Chime(name=name, **common)  # type: ignore[arg-type]  # each value checked as read
        if action == "breathe":
            return self.breathe(node, common)
        if action in ("tense", "release"):
            return self.body_step(action, node, common)
        return self.sound(node, common)

    def breathe(self, node: Node, common: dict[str, object]) -> Breathe | None:
        if self.is_null(node):
            return Breathe(**common)  # type: ignore[arg-type]  # each value checked as read
        entries = self.mapping(node, "breathe step")
        if entries is None:
            return None
        keys_ok = not self.unknown_keys(entries, BREATHE_KEYS, "breathe step")
        values, values_ok = self.fields(entries, BREATHE_FIELDS)
        return Breathe(**values, **common) if keys_ok and values_ok else None  # type: ignore[arg-type]  # each value checked as read

    def body_step(
        self, action: str, node: Node, common: dict[str, object]
    ) -> Tense | Release | None:
        if isinstance(node, ScalarNode):
            # Shorthand: '- tense: hands' uses calmkit's own words for the area.
            area = self.choice(node, action, model.AREAS, "body area")
            if area is None:
                return None
            return (Tense if action == "tense" else Release)(area=area, **common)  # type: ignore[arg-type]  # each value checked as read
        where = f"{action} step"
        entries = self.mapping(node, where)
        if entries is None:
            return None
        allowed = TENSE_KEYS if action == "tense" else RELEASE_KEYS
        ok = not self.unknown_keys(entries, allowed, where)
        area_node = self.required(entries, "area", node, where)
        area = (
            None if area_node is None else self.choice(area_node, "area", model.AREAS, "body area")
        )
        text = speak = None
        if "say" in entries:
            text = self.text(entries["say"][1], "say")
            ok = ok and text is not None
        if "speak" in entries:
            if "say" not in entries:
                self.report(entries["speak"][0], messages.SPEAK_WITHOUT_SAY, action=action)
                ok = False
            else:
                speak_ok, speak = self.speak(entries["speak"][1], text)
                ok = ok and speak_ok
        step_class, table = (
            (Tense, TENSE_FIELDS) if action == "tense" else (Release, RELEASE_FIELDS)
        )
        values, values_ok = self.fields(entries, table)
        if not ok or not values_ok or area is None:
            return None
        return step_class(area=area, text=text, speak=speak, **values, **common)  # type: ignore[arg-type]  # each value checked as read

    def sound(self, node: Node, common: dict[str, object]) -> Sound | None:
        if isinstance(node, ScalarNode):
            file_node: Node | None = node
            entries: Entries = {}
            ok = True
        else:
            maybe_entries = self.mapping(node, "sound step")
            if maybe_entries is None:
                return None
            entries = maybe_entries
            ok = not self.unknown_keys(entries, SOUND_KEYS, "sound step")
            file_node = self.required(entries, "file", node, "sound step")
        values, values_ok = self.fields(entries, SOUND_FIELDS)
        if file_node is None:
            return None
        file_name = self.sound_file(file_node)
        if file_name is None or not ok or not values_ok:
            return None
        return Sound(file=file_name, **values, **common)  # type: ignore[arg-type]  # each value checked as read

    def sound_file(self, node: Node) -> str | None:
        name = self.string(node, "file")
        if name is None:
            return None
        relative = Path(name)
        if relative.is_absolute() or "\\" in name or ".." in relative.parts:
            self.report(node, messages.SOUND_OUTSIDE, name=name)
            return None
        if relative.suffix.lower() not in model.SOUND_EXTENSIONS:
            self.report(node, messages.SOUND_TYPE, name=name)
            return None
        if self.folder is not None:
            folder = self.folder.resolve()
            target = (folder / relative).resolve()
            if not target.is_relative_to(folder):
                self.report(node, messages.SOUND_THROUGH_LINK, name=name)
                return None
            if not target.is_file():
                self.report(node, messages.SOUND_NOT_FOUND, name=name)
                return None
        return name


class _PlanReader(_Checker):
    def __init__(self, label: str, folder: Path | None, known_scripts: Collection[str] | None):
        super().__init__(label, folder)
        self.known_scripts = known_scripts
        self.script_nodes: dict[str, Node] = {}  # where each script id is first named

    def read(self, root: MappingNode, entries: Entries) -> Plan | None:
        self.unknown_keys(entries, PLAN_KEYS, "plan")
        plan_id_node = self.required(entries, "plan", root, "plan")
        plan_id = None if plan_id_node is None else self.identifier(plan_id_node, "plan")
        schedule_node = self.required(entries, "schedule", root, "plan")
        schedule = None if schedule_node is None else self.schedule(schedule_node)
        for_profile = starts = None
        note = ""
        if "for" in entries:
            for_profile = self.name(entries["for"][1], "for")
        given_age = self.fields(entries, PLAN_FIELDS)[0].get("age")
        age = given_age if isinstance(given_age, int) else None
        if "starts" in entries:
            starts = self.date(entries["starts"][1], "starts", EARLIEST_START, LATEST_START)
        if "note" in entries:
            note = self.string(entries["note"][1], "note", allow_empty=True) or ""
        settings = PlanSettings()
        if "settings" in entries and not self.is_null(entries["settings"][1]):
            settings = self.settings(entries["settings"][1]) or settings
        if plan_id is None or schedule is None:
            return None
        if age is not None:
            self.check_ages(age)
        return Plan(
            id=plan_id,
            schedule=schedule,
            for_profile=for_profile,
            age=age,
            starts=starts,
            note=note,
            settings=settings,
            path=self.label,
        )

    def check_ages(self, age: int) -> None:
        """A plan may send a child to a script written for other ages (a clinician's
        choice), but should be told, with the ages on both sides."""
        scripts = self.known_scripts if isinstance(self.known_scripts, Mapping) else {}
        for script_id, node in self.script_nodes.items():
            script = scripts.get(script_id)
            if not isinstance(script, Script):
                continue
            low, high = script.ages
            if not low <= age <= high:
                self.report(
                    node,
                    messages.SCRIPT_FOR_OTHER_AGES,
                    id=script_id,
                    ages=script.ages_label,
                    age=age,
                    tier=model.tier_for_age(age),
                )

    def schedule(self, node: Node) -> tuple[ScheduleBlock, ...] | None:
        items = self.sequence(node, "schedule")
        if items is None:
            return None
        blocks: list[ScheduleBlock] = []
        placed: list[tuple[ScheduleBlock, Node]] = []
        complete = True
        for item in items:
            block = self.block(item)
            if block is None:
                complete = False
                continue
            placed.append((block, item))
            for earlier in blocks:
                if block.first_week <= earlier.last_week and earlier.first_week <= block.last_week:
                    self.report(
                        item,
                        messages.WEEKS_OVERLAP,
                        first=block.first_week,
                        last=block.last_week,
                        earlier_first=earlier.first_week,
                        earlier_last=earlier.last_week,
                    )
                    complete = False
            blocks.append(block)
        if complete:
            self.check_gaps(placed)
        return tuple(blocks) if complete else None

    def check_gaps(self, placed: list[tuple[ScheduleBlock, Node]]) -> None:
        """Weeks between the ranges have nothing to practise: allowed, but rarely meant."""
        expected = 1
        for block, item in sorted(placed, key=lambda pair: pair[0].first_week):
            if block.first_week > expected:
                last = block.first_week - 1
                weeks = (
                    f"week {expected} has" if last == expected else f"weeks {expected}-{last} have"
                )
                self.report(item, messages.WEEKS_WITHOUT_SESSIONS, weeks=weeks)
            expected = max(expected, block.last_week + 1)

    def block(self, node: Node) -> ScheduleBlock | None:
        entries = self.mapping(node, "schedule entry")
        if entries is None:
            return None
        ok = not self.unknown_keys(entries, SCHEDULE_KEYS, "schedule entry")
        weeks_node = self.required(entries, "weeks", node, "schedule entry")
        weeks = None if weeks_node is None else self.week_range(weeks_node)
        sessions_node = self.required(entries, "sessions", node, "schedule entry")
        sessions = None if sessions_node is None else self.sessions(sessions_node)
        if not ok or weeks is None or sessions is None:
            return None
        return ScheduleBlock(first_week=weeks[0], last_week=weeks[1], sessions=sessions)

    def sessions(self, node: Node) -> tuple[PlannedSession, ...] | None:
        items = self.sequence(node, "sessions")
        if items is None:
            return None
        sessions = [self.session(item) for item in items]
        if any(session is None for session in sessions):
            return None
        return tuple(session for session in sessions if session is not None)

    def session(self, node: Node) -> PlannedSession | None:
        entries = self.mapping(node, "session")
        if entries is None:
            return None
        ok = not self.unknown_keys(entries, SESSION_KEYS, "session")
        name = ""
        if "name" in entries:
            name = self.string(entries["name"][1], "name", allow_empty=True) or ""
        values, values_ok = self.fields(entries, SESSION_FIELDS)
        scripts_node = self.required(entries, "scripts", node, "session")
        scripts = None if scripts_node is None else self.script_ids(scripts_node)
        if not ok or not values_ok or scripts is None:
            return None
        return PlannedSession(scripts=scripts, name=name, **values)  # type: ignore[arg-type]  # each value checked as read

    def script_ids(self, node: Node) -> tuple[str, ...] | None:
        items = self.sequence(node, "scripts")
        if items is None:
            return None
        ids: list[str] = []
        ok = True
        for item in items:
            script_id = self.identifier(item, "scripts")
            if script_id is None:
                ok = False
                continue
            self.script_nodes.setdefault(script_id, item)
            if self.known_scripts is not None and script_id not in self.known_scripts:
                hint = did_you_mean(script_id, self.known_scripts)
                self.report(item, messages.UNKNOWN_SCRIPT, id=script_id, hint=hint)
                ok = False
                continue
            ids.append(script_id)
        return tuple(ids) if ok else None

    def settings(self, node: Node) -> PlanSettings | None:
        entries = self.mapping(node, "settings")
        if entries is None:
            return None
        self.unknown_keys(entries, SETTINGS_KEYS, "settings")
        values: dict[str, object] = {}
        if "breathe" in entries:
            values["breathe"] = self.pace(entries["breathe"][1])
        for key in ("gentle", "skip"):
            if key in entries:
                values[key] = self.areas(entries[key][1], key)
        # call-overload: `values` holds each setting as object; these two are frozensets of areas
        both = set(values.get("gentle") or ()) & set(values.get("skip") or ())  # type: ignore[call-overload]
        if both:
            self.report(entries["skip"][1], messages.GENTLE_AND_SKIPPED, areas=one_of(sorted(both)))
        if "ambient" in entries:
            values["ambient"] = self.ambient(entries["ambient"][1])
        if "voice" in entries:
            values["voice"] = self.string(entries["voice"][1], "voice")
        if "checkin" in entries:
            values["checkin"] = self.checkin(entries["checkin"][1])
        values.update(self.fields(entries, SETTINGS_FIELDS)[0])
        return PlanSettings(**{key: value for key, value in values.items() if value is not None})  # type: ignore[arg-type]  # each value checked as read

    def pace(self, node: Node) -> BreathePace | None:
        entries = self.mapping(node, "settings: breathe")
        if entries is None:
            return None
        self.unknown_keys(entries, PLAN_BREATHE_KEYS, "settings: breathe")
        return BreathePace(**self.fields(entries, BREATHE_PACE_FIELDS)[0])  # type: ignore[arg-type]  # each value checked as read

    def checkin(self, node: Node) -> CheckinSettings | None:
        entries = self.mapping(node, "checkin")
        if entries is None:
            return None
        self.unknown_keys(entries, CHECKIN_KEYS, "checkin")
        values: dict[str, tuple[str, ...]] = {}
        for key in CHECKIN_KEYS:
            if key not in entries:
                continue
            choices = model.CHECKIN_DAILY_ITEMS if key == "daily" else model.CHECKIN_MOMENT_ITEMS
            items = self.sequence(entries[key][1], key, allow_empty=True)
            if items is None:
                continue
            chosen = [self.choice(item, key, choices, "check-in") for item in items]
            values[key] = tuple(dict.fromkeys(item for item in chosen if item is not None))
        return CheckinSettings(**values, daily_listed="daily" in values)


def _classify(entries: Entries) -> DocumentKind | None:
    if "plan" in entries:
        return "plan"
    if "id" in entries or "steps" in entries:
        return "script"
    return None


def _version_ok(checker: _Checker, entries: Entries, root: Node) -> bool:
    """False only for another format version, whose keys would make noise, not problems."""
    if "calmkit" not in entries:
        # Most likely forgotten: say so, and check the rest as version 1.
        checker.report(root, messages.NO_VERSION)
        return True
    node = entries["calmkit"][1]
    value = checker.scalars.value(node) if isinstance(node, ScalarNode) else None
    if isinstance(value, bool) or str(value).strip() != str(model.FORMAT_VERSION):
        checker.report(node, messages.OTHER_VERSION, value=_show(node))
        return False
    return True


def load_document(
    document: Document,
    label: str,
    folder: Path | None = None,
    known_scripts: Collection[str] | None = None,
) -> LoadResult:
    """Validate a parsed document as a script or a plan."""
    result = LoadResult(path=label, problems=list(document.problems))
    root = document.root
    if root is None:
        return result
    probe = _Checker(label, folder)
    entries = probe.mapping(root, "the top of the file")
    if entries is None or not isinstance(root, MappingNode):  # entries come only from a mapping
        result.problems += probe.problems
        return result
    kind = _classify(entries)
    if kind is None:
        probe.report(root, messages.NOT_CALMKIT)
        result.problems += probe.problems
        return result
    result.kind = kind
    id_key = "plan" if kind == "plan" else "id"
    if id_key in entries:
        id_node = entries[id_key][1]
        mark = id_node.start_mark
        result.id_line, result.id_col = mark.line + 1, mark.column + 1
        if isinstance(id_node, ScalarNode):
            result.declared_id = str(id_node.value)
    version_ok = _version_ok(probe, entries, root)
    result.problems += probe.problems
    if not version_ok:
        # Another version's keys would only produce noise.
        return result
    if kind == "script":
        script_reader = _ScriptReader(label, folder)
        result.script = script_reader.read(root, entries)
        reader: _Checker = script_reader
    else:
        plan_reader = _PlanReader(label, folder, known_scripts)
        result.plan = plan_reader.read(root, entries)
        reader = plan_reader
    result.problems += reader.problems
    result.problems.sort(key=lambda problem: (problem.line, problem.col))
    if not result.ok:
        # A half-valid document is never used; the problems say why.
        result.script = None
        result.plan = None
    return result


def load_path(
    path: Path, label: str | None = None, known_scripts: Collection[str] | None = None
) -> LoadResult:
    label = label if label is not None else str(path)
    return load_document(read_file(path, label), label, path.parent, known_scripts)


def load_text(
    text: str | bytes,
    label: str = "<text>",
    folder: Path | None = None,
    known_scripts: Collection[str] | None = None,
) -> LoadResult:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return load_document(parse_bytes(label, data), label, folder, known_scripts)


def safety_line_warnings(script: Script) -> list[Problem]:
    """docs/clinical-defaults.md: every script offers eyes open and stopping any time, to every
    tier it is written for (an anxious child can feel more tense with eyes closed).

    Advice for the author checking a script (``calmkit validate``, ``calmkit pack``), not a
    fault of the file, so loading the library does not repeat it. Reported at the first
    step, where such lines usually go."""
    low, high = script.ages
    tiers = list(dict.fromkeys(model.tier_for_age(age) for age in range(low, high + 1)))
    texts = [text for step in script.steps if (text := getattr(step, "text", None)) is not None]
    first_line = script.steps[0].line if script.steps else 1
    problems: list[Problem] = []
    for pattern, says in (
        (EYES_OPEN_PATTERN, messages.NO_EYES_OPEN_LINE),
        (STOP_ANY_TIME_PATTERN, messages.NO_STOP_LINE),
    ):
        missing = [
            tier for tier in tiers if not any(pattern.search(text.resolve(tier)) for text in texts)
        ]
        if not missing:
            continue
        heard_by = "" if missing == tiers else f" for the {' or '.join(missing)} tier"
        problems.append(
            Problem(
                script.path,
                first_line,
                1,
                says(heard_by=heard_by),
                severity=says.severity,
            )
        )
    return problems
