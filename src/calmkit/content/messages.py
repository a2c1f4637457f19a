"""Every message calmkit gives about a script or plan file, written once.

The YAML reader, the loader and the library report only through these: the
ones here, and the few beside the limits they state (in yamldoc.py and
loader.py). ``loader.message_catalogue`` lists them all, with the messages of
the loader's field table, for docs/script-format.md to document. A hole ``{name}`` is what
the code fills in; ``words`` lists, for a hole the code fills with its own
words (not the file's), each word it may pass, so the catalogue can spell each
message out as the user reads it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field

from calmkit.content import model
from calmkit.content.problems import Severity, one_of


@dataclass(frozen=True)
class Says:
    """One message: a ``str.format`` template and its severity."""

    template: str
    severity: Severity = "error"
    words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __call__(self, **holes: object) -> str:
        return self.template.format(**holes)

    def partly(self, **holes: object) -> str:
        """The template with some holes filled in, the others left as holes."""
        text = self.template
        for name, value in holes.items():
            text = text.replace(f"{{{name}}}", str(value).replace("{", "{{").replace("}", "}}"))
        return text

    def spelled_out(self) -> list[str]:
        """The template once for each combination of the words the code may pass."""
        names = list(self.words)
        texts = []
        for choice in itertools.product(*(self.words[name] for name in names)):
            text = self.template
            for name, word in zip(names, choice, strict=True):
                text = text.replace(f"{{{name}}}", word)
            texts.append(text)
        return texts


# --- reading the file (yamldoc) ------------------------------------------------------------

NOT_UTF8 = Says("not UTF-8 text (byte 0x{byte} cannot be read): save the file as UTF-8")
ALIAS = Says("YAML aliases ('*{anchor}') are not allowed: write the value out in full")
ANCHOR = Says("YAML anchors ('&{anchor}') are not allowed: write each value out in full")
SECOND_DOCUMENT = Says("a file holds one script or plan, but a second YAML document starts here")
TAB_INDENT = Says("line {line} is indented with a tab: use spaces")
ODD_SPACE = Says(
    "line {line} has {space} (U+{code}) at column {col}, often pasted from a word processor: "
    "replace it with an ordinary space"
)
QUOTE_NOT_CLOSED = Says(
    "the quote mark {quote} that starts here is never closed: end the text with another "
    "{quote} on the same line"
)
CURLY_QUOTE_STARTS = Says(
    "the text starts with a curly quote {quote} (column {col}), which YAML does not read as "
    "a quote: type straight quotes instead, like {example}"
)
INDENTED_FURTHER = Says(
    "line {line} is indented further than the line above it, so YAML reads it as more of "
    "that line's text: line its key up with the key above"
)
COLON_IN_TEXT = Says(
    "this line has ': ' inside the text: put the text in quotes, like {example}",
    words={"example": ("{example}", 'say: "Breathe: slowly"')},
)
QUOTED_PART_ONLY = Says(
    "the text starts with a quote mark, so YAML reads only the quoted part as the text: put "
    "the whole text in quotes, like {example}"
)
CURLY_QUOTE = Says(
    "line {line} has a curly quote {quote} at column {col}, which YAML does not read as a "
    "quote: type straight quotes (\" or ') instead"
)
NOT_YAML = Says("not valid YAML: {detail}")
BAD_CHARACTER = Says("not valid YAML: character {code} is not allowed")
DUPLICATE_KEY = Says("duplicate key '{key}' (first given on line {first_line})")
TOO_DEEP = Says("nested too deeply to read")
EMPTY = Says("the file is empty")
NOT_A_FILE = Says("is not a plain file (a device or a pipe?)")
CANNOT_READ = Says("cannot be read: {reason}")

# --- the library ---------------------------------------------------------------------------

LINK = Says(
    "is a symbolic link: calmkit reads only the files in its own folders, never through a "
    "link; put the file itself there (calmkit import FILE)"
)
DUPLICATE_ID = Says(
    "duplicate {what} id '{id}': {first_path} already uses it",
    words={"what": ("script", "plan")},
)

# --- any file: its shape -------------------------------------------------------------------

NOT_A_MAPPING = Says("{what} must be a mapping of 'key: value' lines, got {value}")
KEY_NOT_A_WORD = Says("a key in {what} must be a plain word")
UNKNOWN_KEY = Says(
    "unknown key '{key}' in {where}{hint}",
    words={
        "where": (
            "script",
            "plan",
            "step {number}",
            "breathe step",
            "tense step",
            "release step",
            "sound step",
            "schedule entry",
            "session",
            "settings",
            "settings: breathe",
            "checkin",
        )
    },
)
WHEN_UNKNOWN = Says(
    "'when' must be 'sound' (played only when calmkit plays sound) or 'no-sound' "
    "(played only when it plays none), got '{value}'{hint}"
)
WHEN_NO_SOUND_ONLY_SOUND = Says(
    "a {action} step only makes sound, so with 'when: no-sound' nobody ever hears it: "
    "use 'when: sound', or leave 'when' out",
    severity="warning",
    words={"action": ("chime", "sound")},
)
MISSING_KEY = Says("missing required key '{key}' in {where}")
NOT_A_LIST = Says("'{name}' must be a list ('- item' lines or [a, b]), got {value}")
EMPTY_LIST = Says("'{name}' must list at least one item")
NOT_TEXT = Says("'{name}' must be text, got {value}")
EMPTY_TEXT = Says("'{name}' must not be empty")
NOT_A_NUMBER = Says("'{name}' must be {kind}{of_unit} from {low} to {high}, got {value}")
UNKNOWN_CHOICE = Says(
    "unknown {what} '{value}'{hint}",
    words={"what": ("kind", "chime", "breathing guide", "body area", "check-in")},
)
NOT_TRUE_OR_FALSE = Says("'{name}' must be true or false, got {value}")
NOT_A_DATE = Says("'{name}' must be a date like 2026-11-24, got {value}")
BAD_NAME = Says("'{key}' is a person's name: {reason}")
NOT_AN_AGE_RANGE = Says("'{name}' must be an age range like '5-10' or one age, got '{value}'")
AGES_BACKWARDS = Says(
    "'{name}' {value} is backwards: write the younger age first, like '{high}-{low}'"
)
AGES_OUT_OF_RANGE = Says(
    f"'{{name}}' must be between {model.MIN_AGE} and {model.MAX_AGE}, got '{{value}}'"
)
NOT_A_WEEK_RANGE = Says("'weeks' must be a week or a range like '1-2', got '{value}'")
WEEKS_BACKWARDS = Says(
    "'weeks' {value} is backwards: write the earlier week first, like '{last}-{first}'"
)
UNKNOWN_TIER = Says(
    f"unknown tier '{{key}}' in '{{name}}'{{hint}} (tiers are {one_of(model.VARIANTS)})",
    words={"name": ("say", "speak")},
)
NO_LINES = Says("'{name}' needs at least one line", words={"name": ("say", "speak")})
LONG_LINE = Says(
    f"this line has {{words}} words; a child follows at most {model.MAX_WORDS_PER_LINE} a line "
    "best: split it into two 'say' steps",
    severity="warning",
)
UNKNOWN_AMBIENT = Says(
    "unknown ambient '{name}'{hint}: it will play no ambient sound (beds are "
    f"{one_of(model.AMBIENT_BEDS)}, or '{model.NO_AMBIENT}')",
    severity="warning",
)

# --- the script and its steps --------------------------------------------------------------

TOO_LONG = Says(
    f"this script would take about {{minutes}} minutes; a script can be at most "
    f"{model.MAX_SCRIPT_SECONDS // 60} minutes (split it into two)"
)
STEP_NOT_A_MAPPING = Says("step {number} must be a mapping like '- say: Hello', got {value}")
TWO_ACTIONS = Says(
    "step {number} has two actions, '{first}' and '{second}': give each its own '- ' line"
)
STEP_ID_TWICE = Says("step id '{id}' is used twice (first on line {first_line})")
SPEAK_INSIDE = Says(
    "'speak' goes inside the {action} step, beside its 'say', like "
    "'{action}: {{area: hands, say: ..., speak: ...}}'"
)
SPEAK_WITHOUT_LINE = Says(
    "'speak' goes with a narrated line (a say step, or 'say' in a tense or release step); a "
    "{action} step has none"
)
SPEAK_WITHOUT_SAY = Says(
    "'speak' needs a 'say' beside it: it is how the narrator should say that line (without "
    "'say', calmkit's own words for the {action} step are said as written)"
)
SPEAK_NO_WORDS = Says("'speak' must give words for the narrator to say")
SPEAK_ONE_LINE = Says(
    "'say' is one line, so 'speak' must be one line too: the words the narrator should say instead"
)
SPEAK_A_MAPPING = Says(
    "'say' has a line for {tiers}, so 'speak' must be a mapping too, giving only the lines "
    "that need respelling (like '{tier}: ...')"
)
SPEAK_TIER_NOT_IN_SAY = Says(
    "'speak' has a '{tier}' line but 'say' has none: a respelling goes with a line of 'say' "
    "(it has {tiers})"
)
SPEAK_TIER_SAME = Says(
    "'speak: {tier}' is the same as 'say: {tier}': leave it out", severity="warning"
)
SPEAK_SAME = Says("'speak' is the same as 'say': leave it out", severity="warning")
SOUND_OUTSIDE = Says(
    "sound file '{name}' is outside the script's folder: keep recorded clips beside the "
    "script and name them without folders above it"
)
SOUND_TYPE = Says(f"sound file '{{name}}' must be one of {', '.join(model.SOUND_EXTENSIONS)}")
SOUND_THROUGH_LINK = Says("sound file '{name}' leads outside the script's folder (through a link)")
SOUND_NOT_FOUND = Says("sound file '{name}' was not found beside the script")
NO_EYES_OPEN_LINE = Says(
    "no line tells the child they may keep their eyes open{heard_by}: clinical guidance asks "
    "every script to say so, like 'You can close your eyes, or keep them open.'",
    severity="warning",
)
NO_STOP_LINE = Says(
    "no line tells the child they can stop any time{heard_by}: clinical guidance asks every "
    "script to say so, like 'You can stop any time, and that's okay.'",
    severity="warning",
)

# --- the plan ------------------------------------------------------------------------------

WEEKS_OVERLAP = Says(
    "weeks {first}-{last} overlap weeks {earlier_first}-{earlier_last}: give each week one entry"
)
WEEKS_WITHOUT_SESSIONS = Says(
    "{weeks} no sessions: the plan gives nothing to practise then (widen a range, or add an "
    "entry for them)",
    severity="warning",
)
SCRIPT_FOR_OTHER_AGES = Says(
    "script '{id}' is written for ages {ages}, and this plan is for age {age}: it still plays "
    "(at the {tier} tier's lines), but check it suits the child",
    severity="warning",
)
UNKNOWN_SCRIPT = Says("unknown script '{id}'{hint}")
GENTLE_AND_SKIPPED = Says("{areas} cannot be both gentle and skipped: choose one")
NOT_CALMKIT = Says("not a calmkit script or plan: a script starts with 'id:', a plan with 'plan:'")
NO_VERSION = Says(
    f"missing 'calmkit: {model.FORMAT_VERSION}' (the format version) at the top of the file"
)
OTHER_VERSION = Says(
    f"unknown format version {{value}}: this calmkit reads 'calmkit: {model.FORMAT_VERSION}'"
)


def all_says(namespace: Mapping[str, object]) -> list[Says]:
    """The messages a module defines (its ``Says`` constants)."""
    return [value for value in namespace.values() if isinstance(value, Says)]
