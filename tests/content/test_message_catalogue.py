"""The messages of messages.toml: read as written, and only the ones in use.

Their wording is pinned by tests/content/test_docs_format.py, which compares every
message, spelled out, with docs/script-format.md. When they moved here from
content/messages.py, a test recorded from the old module proved the move changed not
one character (commit 97c433b).

The code asks for a message by name (``messages.NOT_UTF8``), which mypy cannot check: the
source of src/ is read here instead, so a misspelt name, or a message nothing gives any
more, fails a test rather than a child's file. messages.toml is refused when read if an
entry is not a message this module can give.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from calmkit.content import messages, model
from calmkit.content.problems import one_of


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
