"""calmkit.content.safetext: what calmkit prints from outside text, and the one rule for names."""

from __future__ import annotations

import json
import unicodedata

import pytest

from calmkit.content.problems import Problem
from calmkit.content.safetext import (
    NameProblem,
    clean_name,
    is_safe,
    json_text,
    name_key,
    same_name,
    shown,
)

OSC_TITLE = "\x1b]0;PWNED\x07"
OSC_CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x07"
CLEAR = "\x1b[2J"
C1_CSI = "\x9b31m"
BIDI = "\u202e\u2066"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Calm Place", "Calm Place"),
        (OSC_TITLE, "\\x1b]0;PWNED\\x07"),
        (CLEAR, "\\x1b[2J"),
        (C1_CSI, "\\x9b31m"),
        ("a\u202eb", "a\\u202eb"),
        ("nul\x00here", "nul\\x00here"),
        ("cr\rhere", "cr\\rhere"),
        ("one\ntwo\tthree", "one\\ntwo\\tthree"),
        ("del\x7f", "del\\x7f"),
        ("sep\u2028par\u2029", "sep\\u2028par\\u2029"),
        ("bad byte \udcff", "bad byte \\udcff"),
        ("Zoë 🌼 [/] [bold]", "Zoë 🌼 [/] [bold]"),  # markup is not calmkit's business here
    ],
)
def test_shown_makes_every_control_character_visible(raw: str, expected: str) -> None:
    assert shown(raw) == expected
    assert is_safe(shown(raw))


def test_shown_keeps_newlines_and_tabs_where_lines_are_meant() -> None:
    assert shown("one\ntwo\tthree\x1b[2J", lines=True) == "one\ntwo\tthree\\x1b[2J"
    assert shown("a\rb", lines=True) == "a\\rb"


def test_shown_leaves_no_terminal_control_byte() -> None:
    every = "".join(chr(code) for code in range(0x00, 0xA0)) + BIDI + "\u2028\u2029"
    out = shown(every).encode("utf-8")
    assert not any(byte < 0x20 or byte == 0x7F for byte in out)
    decoded = out.decode("utf-8")
    assert not any(0x80 <= ord(char) <= 0x9F for char in decoded)
    assert not set(decoded) & set(BIDI)


def test_json_text_is_valid_json_that_reads_back_the_same_and_prints_harmlessly() -> None:
    value = {"title": f"x{OSC_CLIPBOARD}{C1_CSI}{BIDI}\u2028\n", "n": 3}
    text = json_text(value)
    assert json.loads(text) == value
    assert is_safe(text, lines=True)


def test_a_problem_is_one_line_whatever_its_path_or_value_holds() -> None:
    forged = Problem("bad\nx.yaml:1:1: error: forged.yaml", 3, 1, f"got 'a\nb{CLEAR}'")
    text = str(forged)
    assert "\n" not in text and "\x1b" not in text
    assert text.count(": error: ") == 2  # the forged one stays inside the path, visibly
    assert text.startswith("bad\\nx.yaml")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Mia", "Mia"),
        ("  Mia   Rose ", "Mia Rose"),
        ("Mia [/]", "Mia [/]"),
        ("Zoe\u0308", "Zoë"),  # decomposed in, composed kept
    ],
)
def test_clean_name_keeps_a_real_name(typed: str, kept: str) -> None:
    assert clean_name(typed) == kept
    assert unicodedata.is_normalized("NFC", clean_name(typed))


@pytest.mark.parametrize(
    "typed", ["", "   ", "\t\n", "Mia\x00", "Mia\nRose", "Mi\x1b[2Ja", "Sam\u202e", "x" * 41]
)
def test_clean_name_refuses_what_cannot_be_a_name(typed: str) -> None:
    with pytest.raises(NameProblem) as raised:
        clean_name(typed)
    assert is_safe(str(raised.value))


def test_one_rule_for_the_same_name() -> None:
    assert same_name("Sam", "sam ")
    assert same_name("ÉLODIE", "élodie")
    assert same_name("Zoe\u0308", "Zoë")
    assert same_name("STRASSE", "straße")  # casefold, not lower
    assert not same_name("Sam", "Samuel")
    assert not same_name(None, "Sam")
    assert name_key("Zoe\u0308") == name_key("ZOË")
