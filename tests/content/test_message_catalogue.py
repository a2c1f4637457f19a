"""The messages of messages.toml, exactly as a user reads them, and only the ones in use.

``EXPECTED`` is every message spelled out (``Says.spelled_out``: the template once for
each combination of the words the code may pass) with its severity, in the order the
catalogue lists them. It was recorded from content/messages.py before its messages moved
to messages.toml, so the move is proven to change not one character. A message changed on
purpose (or a limit changed in model.py) is changed here as well: a reviewed edit.

The code asks for a message by name (``messages.NOT_UTF8``), which mypy cannot check: the
source of src/ is read here instead, so a misspelt name, or a message nothing gives any
more, fails a test rather than a child's file. messages.toml is refused when read if an
entry is not a message this module can give.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from calmkit.content import loader, messages, model
from calmkit.content.problems import Severity, one_of

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
    """loader.message_catalogue lists messages.toml's first, one row per text and severity."""
    rows = {(text, severity): None for _, severity, texts in EXPECTED for text in texts}
    assert loader.message_catalogue()[: len(rows)] == list(rows)


def test_literal_braces_come_out_single() -> None:
    """SPEAK_INSIDE shows a flow mapping: its doubled braces are one brace each on screen."""
    assert messages.SPEAK_INSIDE(action="tense") == (
        "'speak' goes inside the tense step, beside its 'say', like "
        "'tense: {area: hands, say: ..., speak: ...}'"
    )


# --- the names the code asks for ----------------------------------------------------------------

SRC = Path(__file__).resolve().parents[2] / "src"
MESSAGES = "calmkit.content.messages"


def _package_of(path: Path) -> str:
    """The package a source file's relative imports start from: its folder."""
    return ".".join(path.relative_to(SRC).parent.parts)


def _names_for_messages(tree: ast.Module, package: str) -> tuple[set[str], set[str]]:
    """What a module calls calmkit.content.messages (``messages``, or an alias), and the
    names it imports from it straight away."""
    aliases: set[str] = set()
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases.update(
                alias.asname for alias in node.names if alias.name == MESSAGES and alias.asname
            )
        elif isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:  # relative: from . import messages, from .messages import X
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{source}" if source else base
            for alias in node.names:
                if f"{source}.{alias.name}" == MESSAGES:
                    aliases.add(alias.asname or alias.name)
                elif source == MESSAGES:
                    imported.add(alias.name)
    return aliases, imported


def names_asked_for() -> dict[str, list[str]]:
    """Every ``messages.NAME`` (or ``from ...messages import NAME``) in src/ that is not one
    of the module's own definitions, with where it is asked for."""
    own = set(vars(messages))
    asked: dict[str, list[str]] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases, imported = _names_for_messages(tree, _package_of(path))
        found = [(name, 1) for name in imported]
        found += [
            (node.attr, node.lineno)
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ]
        for name, line in found:
            if name not in own:
                asked.setdefault(name, []).append(f"{path.relative_to(SRC)}:{line}")
    return asked


def test_the_scan_finds_the_code_s_messages() -> None:
    """The scan itself works: names asked for in yamldoc.py, loader.py and library.py."""
    asked = names_asked_for()
    assert {"NOT_UTF8", "UNKNOWN_KEY", "DUPLICATE_ID", "TOO_LONG"} <= set(asked)
    assert any(place.startswith("calmkit/content/library.py") for place in asked["LINK"])
    assert "Says" not in asked and "all_says" not in asked


def test_every_message_the_code_asks_for_is_in_messages_toml() -> None:
    missing = {
        name: places
        for name, places in names_asked_for().items()
        if name not in messages.every_message()
    }
    assert not missing, f"not in messages.toml: {missing}"


def test_every_message_in_messages_toml_is_given_somewhere() -> None:
    asked = names_asked_for()
    unused = [name for name in messages.every_message() if name not in asked]
    assert not unused, f"no code in src/ gives these messages: {unused}"


def test_a_misspelt_name_is_an_attribute_error_naming_it() -> None:
    with pytest.raises(AttributeError, match="NOT_UTF_8") as raised:
        _ = messages.NOT_UTF_8
    assert "messages.toml" in str(raised.value)
    assert not hasattr(messages, "not_utf8")


# --- reading messages.toml ------------------------------------------------------------------


def test_the_shipped_file_is_the_one_read() -> None:
    shipped = (SRC / "calmkit" / "content" / "messages.toml").read_text(encoding="utf-8")
    assert messages.read_catalogue(shipped) == messages.every_message()


def test_limits_come_from_model_py_and_doubled_braces_stay_braces() -> None:
    read = messages.read_catalogue(
        '[A]\ntext = "ages {MIN_AGE} to {MAX_AGE}, beds {AMBIENT_BEDS}, got {value}"\n'
        '[B]\ntext = "write {{MIN_AGE}} and {{value}} like {action}: {{area: hands}}"\n'
    )
    assert read["A"].template == (
        f"ages {model.MIN_AGE} to {model.MAX_AGE}, beds {one_of(model.AMBIENT_BEDS)}, got {{value}}"
    )
    assert read["B"](action="tense") == "write {MIN_AGE} and {value} like tense: {area: hands}"


@pytest.mark.parametrize(
    ("toml", "complaint"),
    [
        (
            '[A]\ntext = "x"\nseverity = "fatal"',
            "[A]: severity must be 'error' or 'warning', got 'fatal'",
        ),
        ('[A]\ntext = "x"\nsevrity = "warning"', "[A]: unknown key 'sevrity'"),
        ("[A]\nseverity = 'warning'", "[A]: 'text' must be the message's words"),
        ('[A]\ntext = """one\ntwo"""', "[A]: 'text' must be the message's words, on one line"),
        ('[A]\ntext = "{what}"\nwords.what = []', "[A]: words.what must be a list of one or more"),
        ('[A]\ntext = "at most {MAX_AGES}"', "[A]: {MAX_AGES} is not one of model.py's limits"),
        ('[A]\ntext = "like {area: hands}"', "[A]: a hole is a name in braces"),
        ('[A]\ntext = "like area: hands}"', "[A]: Single '}' encountered"),
        ('[A]\ntext = "{what}"\nwords.whta = ["x"]', "[A]: words for '{whta}'"),
        (
            '[A]\ntext = "{what}"\nwords.what = "script"',
            "[A]: words.what must be a list of one or more texts",
        ),
        ('[not_utf8]\ntext = "x"', "[not_utf8]: a message's name is written in capitals"),
        ('[A]\ntext = "x', "messages.toml is not valid TOML"),
    ],
)
def test_a_wrong_entry_is_refused_with_one_clear_error(toml: str, complaint: str) -> None:
    with pytest.raises(messages.CatalogueError) as raised:
        messages.read_catalogue(toml)
    assert complaint in str(raised.value)
