"""docs/script-format.md stays honest: every message the loader can give is in its table,
no row of the table is a message nothing gives, and its example script and plan load
without a single problem.

The messages come from their catalogue, ``loader.message_catalogue()``: every
``Says`` of content/messages.toml (and the few beside their limits in yamldoc.py
and loader.py), each spelled out with the words the code may fill in, and the
message of each field of the loader's field tables (``'count' must be a whole
number of breaths from 1 to 60, got {value}``). A hole ``{name}`` is what only
the file being read decides. So a changed limit or a changed word shows up here
too; and a message written past the catalogue is caught by
``test_every_message_goes_through_the_catalogue``.

The doc's table writes a message in backticks with CAPITALISED placeholders
(``KEY``, ``VALUE``). A row documents a template when the row, as written, is
one of the template's messages (its placeholders or examples standing where
the template has holes), or when the template, with its holes read as
placeholders, is one of the row's (the row's placeholders standing for words
the code writes out, such as 'FIELD' for 'title'). Severity must agree too.
"""

from __future__ import annotations

import ast
import functools
import re
import string
from dataclasses import dataclass
from pathlib import Path

from calmkit.content import loader, model
from calmkit.content.library import load_library
from calmkit.content.loader import load_text

REPO_ROOT = Path(__file__).resolve().parents[2]
DOC = REPO_ROOT / "docs" / "script-format.md"
CONTENT = REPO_ROOT / "src" / "calmkit" / "content"
# Where problems are made: the YAML reader, the loader and the library (duplicate ids).
SOURCES = ("yamldoc", "loader", "library")
TABLE_HEADING = "## Every message"

# A hole in a template: something the file being read fills in.
HOLE = None
Text = tuple[str | None, ...]


@dataclass(frozen=True)
class Message:
    """A message the code can give: its text with holes, and its severity."""

    text: Text
    level: str

    def shown(self) -> str:
        return "".join("…" if piece is HOLE else piece for piece in self.text)


def _merge(pieces: list[str | None]) -> Text:
    """Adjacent text joined, adjacent holes made one."""
    merged: list[str | None] = []
    for piece in pieces:
        if piece is HOLE:
            if not merged or merged[-1] is not HOLE:
                merged.append(HOLE)
        elif merged and merged[-1] is not HOLE:
            merged[-1] += piece
        elif piece:
            merged.append(piece)
    return tuple(merged)


def _template_text(template: str) -> Text:
    """A ``str.format`` template as text and holes (``{{`` is a brace of the text)."""
    pieces: list[str | None] = []
    for literal, name, _, _ in string.Formatter().parse(template):
        pieces.append(literal)
        if name is not None:
            pieces.append(HOLE)
    return _merge(pieces)


@functools.cache
def code_messages() -> tuple[Message, ...]:
    """Every message a Problem can carry, one per template, from the catalogue."""
    found = {
        Message(_template_text(template), severity): None
        for template, severity in loader.message_catalogue()
    }
    return tuple(found)


def _message_arguments(call: ast.Call) -> list[ast.expr]:
    """The arguments of a call that carry a message: Problem's fourth, report's second."""
    name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
    position = {"Problem": 3, "_problem_at": 2, "report": 1}.get(name)
    if position is None:
        return []
    found = call.args[position : position + 1]
    return found + [kw.value for kw in call.keywords if kw.arg == "message"]


# --- reading the doc ----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    message: str
    severity: str
    line: int


def _doc_text() -> str:
    return DOC.read_text(encoding="utf-8")


def doc_rows() -> list[Row]:
    text = _doc_text()
    start = text.index(TABLE_HEADING)
    rows = []
    for number, line in enumerate(
        text[start:].splitlines()[1:], start=text[:start].count("\n") + 2
    ):
        if line.startswith("## "):
            break
        if not line.startswith("|") or line.startswith("|---") or "`" not in line:
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        match = re.fullmatch(r"`([^`]+)`", cells[0])
        if match is None:
            continue
        rows.append(Row(match.group(1), cells[1].strip("* "), number))
    return rows


@functools.cache
def literal_capitals() -> frozenset[str]:
    """Capitalised words the messages themselves use (YAML, UTF): not placeholders."""
    words: set[str] = set()
    for message in code_messages():
        for piece in message.text:
            if piece is not HOLE:
                words |= set(re.findall(r"\b[A-Z][A-Z0-9_]*\b", piece))
    return frozenset(words)


@functools.cache
def row_template(row: Row) -> Text:
    """A row's message with each CAPITALISED placeholder read as a hole."""
    keep = literal_capitals()
    pieces: list[str | None] = []
    last = 0
    for match in re.finditer(r"\b[A-Z][A-Z0-9_]*\b", row.message):
        if match.group() in keep:
            continue
        pieces += [row.message[last : match.start()], HOLE]
        last = match.end()
    pieces.append(row.message[last:])
    return _merge(tuple(pieces))


@functools.cache
def _pattern(template: Text, hole: str) -> re.Pattern[str]:
    """A template as a regular expression, each hole matching ``hole``."""
    return re.compile("".join(hole if p is HOLE else re.escape(p) for p in template), re.DOTALL)


def says(row: Row, text: Text) -> bool:
    """Whether the row documents the messages of this template: the row as written is one
    of them (its placeholders standing where the template has holes, or its examples
    filling them), or the template, read with its holes as placeholders, is one of the
    row's (the row's placeholders standing for words the template writes out)."""
    as_placeholders = "".join("X" if p is HOLE else p for p in text)
    return bool(
        # A hole in the code may be empty (a hint that has no suggestion); a placeholder not.
        _pattern(text, ".*?").fullmatch(row.message)
        or _pattern(row_template(row), ".+?").fullmatch(as_placeholders)
    )


# --- the tests ------------------------------------------------------------------------------


def test_the_extraction_finds_the_messages_it_should() -> None:
    """The extraction itself works: known messages come out filled in, as the user sees them."""
    shown = {message.shown() for message in code_messages()}
    assert len(shown) > 60
    for expected in (
        "unknown key '…' in breathe step…",
        "unknown body area '…'…",
        "'count' must be a whole number of breaths from 1 to 60, got …",
        "file is too large (… KiB): scripts and plans can be at most 256 KiB",
        "nested more than 24 levels deep",
        "duplicate script id '…': … already uses it",
        "missing 'calmkit: 1' (the format version) at the top of the file",
    ):
        assert expected in shown, f"not extracted: {expected}"
    warnings = {m.shown() for m in code_messages() if m.level == "warning"}
    assert any(text.startswith("unknown ambient") for text in warnings)


def test_every_message_goes_through_the_catalogue() -> None:
    """No problem is worded past the catalogue: a message written as text where a problem
    is made would be missing from it, and so from the doc's check."""
    written_out = []
    for name in SOURCES:
        path = CONTENT / f"{name}.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            for argument in _message_arguments(node):
                if isinstance(argument, ast.JoinedStr | ast.Constant | ast.BinOp):
                    written_out.append(f"{path.name}:{argument.lineno}")
    assert not written_out, "messages not in content/messages.toml: " + ", ".join(written_out)


def test_every_message_is_in_the_doc() -> None:
    rows = doc_rows()
    assert len(rows) > 30, f"no message table under {TABLE_HEADING!r} in {DOC}"
    missing = []
    for message in code_messages():
        severity = message.level
        matches = [row for row in rows if says(row, message.text)]
        if not any(row.severity == severity for row in matches):
            found = f" (rows {[r.line for r in matches]} say another severity)" if matches else ""
            missing.append(f"{severity}: {message.shown()}{found}")
    assert not missing, "docs/script-format.md does not list:\n" + "\n".join(sorted(missing))


def test_every_row_of_the_table_is_a_real_message() -> None:
    messages = code_messages()
    invented = [
        f"line {row.line}: {row.message}"
        for row in doc_rows()
        if not any(says(row, message.text) for message in messages)
    ]
    assert not invented, "rows no code gives:\n" + "\n".join(invented)


# --- the examples ---------------------------------------------------------------------------


def _example(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\s*```yaml\n(.+?)\n```", _doc_text(), re.DOTALL)
    assert match, f"docs/script-format.md has no <!-- {marker} --> yaml block"
    return match.group(1) + "\n"


def test_the_example_script_loads_without_problems() -> None:
    result = load_text(_example("example-script"), "example-script.yaml")
    assert [str(problem) for problem in result.problems] == []
    assert result.script is not None
    builtin = load_library(include_user=False)
    # Copied into the user's folder, it must not clash with a built-in script.
    assert result.script.id not in builtin.scripts
    kinds = {type(step).__name__.lower() for step in result.script.steps}
    assert {"say", "breathe", "tense", "release", "silence", "chime"} <= kinds
    assert any(getattr(step, "speak", None) for step in result.script.steps)


def test_the_example_script_follows_the_writing_guidance() -> None:
    result = load_text(_example("example-script"), "example-script.yaml")
    assert result.script is not None
    for step in result.script.steps:
        text = getattr(step, "text", None)
        for line in text.all_lines() if text else ():
            assert len(line.split()) <= 30, f"longer than 30 words: {line}"


def test_the_example_plan_loads_without_problems() -> None:
    builtin = load_library(include_user=False)
    result = load_text(_example("example-plan"), "example-plan.yaml", known_scripts=builtin.scripts)
    assert [str(problem) for problem in result.problems] == []
    assert result.plan is not None
    assert result.plan.id not in builtin.plans


# --- the vocabulary ---------------------------------------------------------------------


def _section(heading: str, after: str = "") -> str:
    """The text under a heading, up to the next heading of the same or a higher level."""
    text = _doc_text()
    start = text.index(after) if after else 0
    level = heading.split(" ", 1)[0]
    match = re.search(rf"^{re.escape(heading)}$", text[start:], re.MULTILINE)
    assert match, f"docs/script-format.md has no section {heading!r}"
    body = text[start + match.end() :]
    end = re.search(rf"^#{{1,{len(level)}}} ", body, re.MULTILINE)
    return body[: end.start()] if end else body


def test_every_word_of_the_format_is_in_the_doc() -> None:
    """Kinds, areas, guides, chimes, beds, tiers, check-ins and every key, as `code`."""
    doc = _doc_text()
    words = (
        *model.KINDS,
        *model.AREAS,
        *model.GUIDES,
        *model.CHIMES,
        *model.AMBIENT_BEDS,
        model.NO_AMBIENT,
        *model.VARIANTS,
        *model.CHECKIN_MOMENT_ITEMS,
        *model.CHECKIN_DAILY_ITEMS,
        *model.SOUND_EXTENSIONS,
        *loader.SCRIPT_KEYS,
        *loader.PLAN_KEYS,
        *loader.ACTIONS,
        *loader.STEP_EXTRAS,
        *loader.BREATHE_KEYS,
        *loader.TENSE_KEYS,
        *loader.RELEASE_KEYS,
        *loader.SOUND_KEYS,
        *loader.SCHEDULE_KEYS,
        *loader.SESSION_KEYS,
        *loader.SETTINGS_KEYS,
        *loader.PLAN_BREATHE_KEYS,
        *loader.CHECKIN_KEYS,
    )
    missing = sorted({word for word in words if f"`{word}`" not in doc})
    assert not missing, f"not in docs/script-format.md: {missing}"


def test_every_field_and_step_has_its_section() -> None:
    for key in loader.SCRIPT_KEYS:
        _section(f"### {key}", after="## The fields of a script")
    for key in loader.PLAN_KEYS:
        _section(f"### {key}", after="## The fields of a plan")
    for action in loader.ACTIONS:
        _section(f"### {action}", after="## Steps")
    _section("#### checkin", after="## The fields of a plan")


def test_the_defaults_in_the_doc_are_the_code_s() -> None:
    breathe = _section("### breathe", after="## Steps")
    for tier, (inhale, exhale) in model.DEFAULT_PACE.items():
        low, high = model.TIER_AGES[tier]
        assert f"| {tier} ({low}–{high}) | {inhale:g} s | {exhale:g} s |" in breathe
    assert (
        f"| `count` | a whole number of breaths, 1–60 | {model.DEFAULT_BREATH_COUNT} |" in breathe
    )
    assert f"| `{model.DEFAULT_GUIDE}` |" in breathe
    say = _section("### say", after="## Steps")
    assert f"| {model.DEFAULT_SAY_PAUSE:g} |" in say
    assert f"| 1–15 s | {model.DEFAULT_TENSE_HOLD:g} |" in _section("### tense", after="## Steps")
    assert f"| 0–60 s | {model.DEFAULT_RELEASE_REST:g} |" in _section(
        "### release", after="## Steps"
    )
    tiers = _section("## Age tiers and fallback")
    for tier, (low, high) in model.TIER_AGES.items():
        words = model.WORDS_PER_MINUTE[tier]
        assert f"| `{tier}` | {low}–{high} | {words} words a minute |" in tiers
        order = ", ".join(model.tier_fallback_order(tier))
        assert f"| {tier} | {order} |" in tiers
    limit = model.MAX_SCRIPT_SECONDS // 60
    assert f"at most **{limit} minutes**" in _section("## How steps become time")
