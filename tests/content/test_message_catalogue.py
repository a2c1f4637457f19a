"""The messages of content/messages.py, exactly as a user reads them.

``EXPECTED`` is every message spelled out (``Says.spelled_out``: the template once for
each combination of the words the code may pass) with its severity, in the order the
catalogue lists them. It was recorded from the module before its messages moved to
messages.toml, so the move is proven to change not one character. A message changed on
purpose (a new limit in model.py too) is changed here as well: a reviewed edit.
"""

from __future__ import annotations

from calmkit.content import loader, messages
from calmkit.content.problems import Severity

# (name, severity, spelled-out texts), in catalogue order.
EXPECTED: list[tuple[str, Severity, list[str]]] = [
    (
        "NOT_UTF8",
        "error",
        ["not UTF-8 text (byte 0x{byte} cannot be read): save the file as UTF-8"],
    ),
    ("ALIAS", "error", ["YAML aliases ('*{anchor}') are not allowed: write the value out in full"]),
    (
        "ANCHOR",
        "error",
        ["YAML anchors ('&{anchor}') are not allowed: write each value out in full"],
    ),
    (
        "SECOND_DOCUMENT",
        "error",
        ["a file holds one script or plan, but a second YAML document starts here"],
    ),
    ("TAB_INDENT", "error", ["line {line} is indented with a tab: use spaces"]),
    (
        "ODD_SPACE",
        "error",
        [
            "line {line} has {space} (U+{code}) at column {col}, often pasted from a word processor: replace it with an ordinary space"
        ],
    ),
    (
        "QUOTE_NOT_CLOSED",
        "error",
        [
            "the quote mark {quote} that starts here is never closed: end the text with another {quote} on the same line"
        ],
    ),
    (
        "CURLY_QUOTE_STARTS",
        "error",
        [
            "the text starts with a curly quote {quote} (column {col}), which YAML does not read as a quote: type straight quotes instead, like {example}"
        ],
    ),
    (
        "INDENTED_FURTHER",
        "error",
        [
            "line {line} is indented further than the line above it, so YAML reads it as more of that line's text: line its key up with the key above"
        ],
    ),
    (
        "COLON_IN_TEXT",
        "error",
        [
            "this line has ': ' inside the text: put the text in quotes, like {example}",
            "this line has ': ' inside the text: put the text in quotes, like say: \"Breathe: slowly\"",
        ],
    ),
    (
        "QUOTED_PART_ONLY",
        "error",
        [
            "the text starts with a quote mark, so YAML reads only the quoted part as the text: put the whole text in quotes, like {example}"
        ],
    ),
    (
        "CURLY_QUOTE",
        "error",
        [
            "line {line} has a curly quote {quote} at column {col}, which YAML does not read as a quote: type straight quotes (\" or ') instead"
        ],
    ),
    ("NOT_YAML", "error", ["not valid YAML: {detail}"]),
    ("BAD_CHARACTER", "error", ["not valid YAML: character {code} is not allowed"]),
    ("DUPLICATE_KEY", "error", ["duplicate key '{key}' (first given on line {first_line})"]),
    ("TOO_DEEP", "error", ["nested too deeply to read"]),
    ("EMPTY", "error", ["the file is empty"]),
    ("NOT_A_FILE", "error", ["is not a plain file (a device or a pipe?)"]),
    ("CANNOT_READ", "error", ["cannot be read: {reason}"]),
    (
        "LINK",
        "error",
        [
            "is a symbolic link: calmkit reads only the files in its own folders, never through a link; put the file itself there (calmkit import FILE)"
        ],
    ),
    (
        "DUPLICATE_ID",
        "error",
        [
            "duplicate script id '{id}': {first_path} already uses it",
            "duplicate plan id '{id}': {first_path} already uses it",
        ],
    ),
    ("NOT_A_MAPPING", "error", ["{what} must be a mapping of 'key: value' lines, got {value}"]),
    ("KEY_NOT_A_WORD", "error", ["a key in {what} must be a plain word"]),
    (
        "UNKNOWN_KEY",
        "error",
        [
            "unknown key '{key}' in script{hint}",
            "unknown key '{key}' in plan{hint}",
            "unknown key '{key}' in step {number}{hint}",
            "unknown key '{key}' in breathe step{hint}",
            "unknown key '{key}' in tense step{hint}",
            "unknown key '{key}' in release step{hint}",
            "unknown key '{key}' in sound step{hint}",
            "unknown key '{key}' in schedule entry{hint}",
            "unknown key '{key}' in session{hint}",
            "unknown key '{key}' in settings{hint}",
            "unknown key '{key}' in settings: breathe{hint}",
            "unknown key '{key}' in checkin{hint}",
        ],
    ),
    (
        "WHEN_UNKNOWN",
        "error",
        [
            "'when' must be 'sound' (played only when calmkit plays sound) or 'no-sound' (played only when it plays none), got '{value}'{hint}"
        ],
    ),
    (
        "WHEN_NO_SOUND_ONLY_SOUND",
        "warning",
        [
            "a chime step only makes sound, so with 'when: no-sound' nobody ever hears it: use 'when: sound', or leave 'when' out",
            "a sound step only makes sound, so with 'when: no-sound' nobody ever hears it: use 'when: sound', or leave 'when' out",
        ],
    ),
    ("MISSING_KEY", "error", ["missing required key '{key}' in {where}"]),
    ("NOT_A_LIST", "error", ["'{name}' must be a list ('- item' lines or [a, b]), got {value}"]),
    ("EMPTY_LIST", "error", ["'{name}' must list at least one item"]),
    ("NOT_TEXT", "error", ["'{name}' must be text, got {value}"]),
    ("EMPTY_TEXT", "error", ["'{name}' must not be empty"]),
    (
        "NOT_A_NUMBER",
        "error",
        ["'{name}' must be {kind}{of_unit} from {low} to {high}, got {value}"],
    ),
    (
        "UNKNOWN_CHOICE",
        "error",
        [
            "unknown kind '{value}'{hint}",
            "unknown chime '{value}'{hint}",
            "unknown breathing guide '{value}'{hint}",
            "unknown body area '{value}'{hint}",
            "unknown check-in '{value}'{hint}",
        ],
    ),
    ("NOT_TRUE_OR_FALSE", "error", ["'{name}' must be true or false, got {value}"]),
    ("NOT_A_DATE", "error", ["'{name}' must be a date like 2026-11-24, got {value}"]),
    ("BAD_NAME", "error", ["'{key}' is a person's name: {reason}"]),
    (
        "NOT_AN_AGE_RANGE",
        "error",
        ["'{name}' must be an age range like '5-10' or one age, got '{value}'"],
    ),
    (
        "AGES_BACKWARDS",
        "error",
        ["'{name}' {value} is backwards: write the younger age first, like '{high}-{low}'"],
    ),
    ("AGES_OUT_OF_RANGE", "error", ["'{name}' must be between 4 and 18, got '{value}'"]),
    ("NOT_A_WEEK_RANGE", "error", ["'weeks' must be a week or a range like '1-2', got '{value}'"]),
    (
        "WEEKS_BACKWARDS",
        "error",
        ["'weeks' {value} is backwards: write the earlier week first, like '{last}-{first}'"],
    ),
    (
        "UNKNOWN_TIER",
        "error",
        [
            "unknown tier '{key}' in 'say'{hint} (tiers are 'young', 'kid', 'teen' or 'together')",
            "unknown tier '{key}' in 'speak'{hint} (tiers are 'young', 'kid', 'teen' or 'together')",
        ],
    ),
    ("NO_LINES", "error", ["'say' needs at least one line", "'speak' needs at least one line"]),
    (
        "LONG_LINE",
        "warning",
        [
            "this line has {words} words; a child follows at most 30 a line best: split it into two 'say' steps"
        ],
    ),
    (
        "UNKNOWN_AMBIENT",
        "warning",
        [
            "unknown ambient '{name}'{hint}: it will play no ambient sound (beds are 'meadow', 'ocean', 'rain' or 'wind', or 'none')"
        ],
    ),
    (
        "TOO_LONG",
        "error",
        [
            "this script would take about {minutes} minutes; a script can be at most 60 minutes (split it into two)"
        ],
    ),
    (
        "STEP_NOT_A_MAPPING",
        "error",
        ["step {number} must be a mapping like '- say: Hello', got {value}"],
    ),
    (
        "TWO_ACTIONS",
        "error",
        ["step {number} has two actions, '{first}' and '{second}': give each its own '- ' line"],
    ),
    ("STEP_ID_TWICE", "error", ["step id '{id}' is used twice (first on line {first_line})"]),
    (
        "SPEAK_INSIDE",
        "error",
        [
            "'speak' goes inside the {action} step, beside its 'say', like '{action}: {{area: hands, say: ..., speak: ...}}'"
        ],
    ),
    (
        "SPEAK_WITHOUT_LINE",
        "error",
        [
            "'speak' goes with a narrated line (a say step, or 'say' in a tense or release step); a {action} step has none"
        ],
    ),
    (
        "SPEAK_WITHOUT_SAY",
        "error",
        [
            "'speak' needs a 'say' beside it: it is how the narrator should say that line (without 'say', calmkit's own words for the {action} step are said as written)"
        ],
    ),
    ("SPEAK_NO_WORDS", "error", ["'speak' must give words for the narrator to say"]),
    (
        "SPEAK_ONE_LINE",
        "error",
        [
            "'say' is one line, so 'speak' must be one line too: the words the narrator should say instead"
        ],
    ),
    (
        "SPEAK_A_MAPPING",
        "error",
        [
            "'say' has a line for {tiers}, so 'speak' must be a mapping too, giving only the lines that need respelling (like '{tier}: ...')"
        ],
    ),
    (
        "SPEAK_TIER_NOT_IN_SAY",
        "error",
        [
            "'speak' has a '{tier}' line but 'say' has none: a respelling goes with a line of 'say' (it has {tiers})"
        ],
    ),
    ("SPEAK_TIER_SAME", "warning", ["'speak: {tier}' is the same as 'say: {tier}': leave it out"]),
    ("SPEAK_SAME", "warning", ["'speak' is the same as 'say': leave it out"]),
    (
        "SOUND_OUTSIDE",
        "error",
        [
            "sound file '{name}' is outside the script's folder: keep recorded clips beside the script and name them without folders above it"
        ],
    ),
    ("SOUND_TYPE", "error", ["sound file '{name}' must be one of .ogg, .oga, .wav, .flac, .mp3"]),
    (
        "SOUND_THROUGH_LINK",
        "error",
        ["sound file '{name}' leads outside the script's folder (through a link)"],
    ),
    ("SOUND_NOT_FOUND", "error", ["sound file '{name}' was not found beside the script"]),
    (
        "NO_EYES_OPEN_LINE",
        "warning",
        [
            "no line tells the child they may keep their eyes open{heard_by}: clinical guidance asks every script to say so, like 'You can close your eyes, or keep them open.'"
        ],
    ),
    (
        "NO_STOP_LINE",
        "warning",
        [
            "no line tells the child they can stop any time{heard_by}: clinical guidance asks every script to say so, like 'You can stop any time, and that's okay.'"
        ],
    ),
    (
        "WEEKS_OVERLAP",
        "error",
        [
            "weeks {first}-{last} overlap weeks {earlier_first}-{earlier_last}: give each week one entry"
        ],
    ),
    (
        "WEEKS_WITHOUT_SESSIONS",
        "warning",
        [
            "{weeks} no sessions: the plan gives nothing to practise then (widen a range, or add an entry for them)"
        ],
    ),
    (
        "SCRIPT_FOR_OTHER_AGES",
        "warning",
        [
            "script '{id}' is written for ages {ages}, and this plan is for age {age}: it still plays (at the {tier} tier's lines), but check it suits the child"
        ],
    ),
    ("UNKNOWN_SCRIPT", "error", ["unknown script '{id}'{hint}"]),
    ("GENTLE_AND_SKIPPED", "error", ["{areas} cannot be both gentle and skipped: choose one"]),
    (
        "NOT_CALMKIT",
        "error",
        ["not a calmkit script or plan: a script starts with 'id:', a plan with 'plan:'"],
    ),
    ("NO_VERSION", "error", ["missing 'calmkit: 1' (the format version) at the top of the file"]),
    ("OTHER_VERSION", "error", ["unknown format version {value}: this calmkit reads 'calmkit: 1'"]),
]


def test_every_message_reads_as_recorded() -> None:
    found = [
        (name, getattr(messages, name).severity, getattr(messages, name).spelled_out())
        for name, _, _ in EXPECTED
    ]
    assert found == EXPECTED


def test_the_catalogue_starts_with_these_messages_in_this_order() -> None:
    """loader.message_catalogue lists messages.py's first, one row per text and severity."""
    rows = {(text, severity): None for _, severity, texts in EXPECTED for text in texts}
    assert loader.message_catalogue()[: len(rows)] == list(rows)


def test_literal_braces_come_out_single() -> None:
    """SPEAK_INSIDE shows a flow mapping: its doubled braces are one brace each on screen."""
    assert messages.SPEAK_INSIDE(action="tense") == (
        "'speak' goes inside the tense step, beside its 'say', like "
        "'tense: {area: hands, say: ..., speak: ...}'"
    )
