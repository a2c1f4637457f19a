"""No screen hands Textual words it would read as markup.

Textual's Label, Static and Option read a plain string as markup, so a name like
"Mia [/]" or a plan's `for:` crashes the screen, and "[b]" changes what is shown.
calmkit's screens pass words through ``literal()`` or a Literal widget
(tui/literal.py). This test reads every screen's source: a Label, Static, Option or
Button given text built at run time (an f-string, a name, a join) must get it
through ``literal()``; only calmkit's own fixed words may be a plain string.
"""

from __future__ import annotations

import ast
from pathlib import Path

import calmkit.tui

TUI = Path(calmkit.tui.__file__).parent
# Textual's widgets that read a string as markup.
MARKUP_WIDGETS = {"Label", "Static", "Option", "Button"}
# What makes words literal (tui/literal.py), or builds a picture from calmkit's own parts.
LITERAL_MAKERS: set[str | None] = {"literal", "Text", "Content", "Table", "ScriptRow"}


def _maker(node: ast.expr) -> str | None:
    """The name of the function a call expression calls, if it is a plain name."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return node.func.id
    return None


def unsafe_calls(source: str) -> list[tuple[int, str]]:
    """Each markup widget made with words that are neither fixed nor literal."""
    tree = ast.parse(source)
    # What each name in the file is ever set to: a name only ever made literal is literal.
    makers: dict[str, set[str | None]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    makers.setdefault(target.id, set()).add(_maker(node.value))
    found = []
    for node in ast.walk(tree):
        if _maker(node) not in MARKUP_WIDGETS or not isinstance(node, ast.Call) or not node.args:
            continue
        if any(
            keyword.arg == "markup"
            and isinstance(keyword.value, ast.Constant)
            and keyword.value.value is False
            for keyword in node.keywords
        ):
            continue
        words = node.args[0]
        if isinstance(words, ast.Constant) and isinstance(words.value, str):
            continue  # calmkit's own fixed words
        if _maker(words) in LITERAL_MAKERS:
            continue
        if isinstance(words, ast.Name) and makers.get(words.id, {None}) <= LITERAL_MAKERS:
            continue
        found.append((node.lineno, ast.unparse(node)[:80]))
    return found


def test_the_check_finds_words_given_as_markup() -> None:
    """The plan dialog as it was, when "Mia [/]" crashed it."""
    before = (
        'yield Label(f"Which plan does {self.person_name} follow?", id="question")\n'
        'options = [Option(f"{mark}{plan.id}", id="plan:")]\n'
        "text = plan.for_profile\n"
        "options.append(Option(text))\n"
    )
    assert [line for line, _ in unsafe_calls(before)] == [1, 2, 4]
    after = (
        'yield LiteralLabel(f"Which plan does {name} follow?", id="question")\n'
        'options = [Option(literal(f"{mark}{plan.id}"), id="plan:"), Option("  Someone new")]\n'
        "text = literal(plan.for_profile)\n"
        "options.append(Option(text))\n"
        'yield Label(f"What is {first} × {second}?", markup=False)\n'
    )
    assert unsafe_calls(after) == []


def test_every_screen_gives_markup_widgets_only_literal_or_fixed_words() -> None:
    found = {
        str(path.relative_to(TUI)): unsafe
        for path in sorted(TUI.rglob("*.py"))
        if (unsafe := unsafe_calls(path.read_text(encoding="utf-8")))
    }
    assert found == {}
