"""What calmkit prints from outside text, decided once.

Titles, captions, notes, profile names, file names and the values quoted back in
messages come from files and from people. Printed raw, an escape sequence in a
title retitles the window, clears the screen or writes the clipboard (OSC 52),
and a newline in a file name forges a whole ``PATH:LINE:COL: error:`` line. So
every face shows outside text through :func:`shown`: each control character
(C0, DEL, C1), bidi override or isolate, line or paragraph separator and lone
surrogate (an undecodable byte in a file name) becomes a visible escape such as
``\\x1b`` or ``\\u202e``. Nothing is dropped silently, so a reader can still
see that something odd was there. Tab and newline are kept only where the text
is meant to span lines (``lines=True``).

Names are different: a person's name is typed once and kept, so it is cleaned
or refused where it comes in (:func:`clean_name`), and compared by one rule
everywhere (:func:`name_key`): Unicode NFC, then Python's casefold.

Pure: no I/O, so content/ can use it for its own messages.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable

# Bidi embeddings, overrides, isolates and marks: they reorder what follows on screen.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# C0 but tab and newline, DEL, C1, bidi, line/paragraph separators, lone surrogates.
_ALWAYS = "\x00-\x08\x0b-\x1f\x7f-\x9f" + _BIDI + "\u2028\u2029\ud800-\udfff"
_UNSAFE_LINES = re.compile(f"[{_ALWAYS}]")
_UNSAFE_LINE = re.compile(f"[\t\n{_ALWAYS}]")
# In JSON the C0 characters are escaped by json itself; these are not.
_UNSAFE_JSON = re.compile(f"[\x7f-\x9f{_BIDI}\u2028\u2029\ud800-\udfff]")

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}

MAX_NAME_LENGTH = 40


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def shown(text: object, *, lines: bool = False) -> str:
    """``text`` as calmkit prints it: control characters visibly escaped.

    With ``lines=False`` (a title, a name, a value in a message) the result is
    one line: tab and newline are escaped too. With ``lines=True`` (a note, a
    caption, a block of output) tab and newline stay.
    """
    value = text if isinstance(text, str) else str(text)
    return (_UNSAFE_LINES if lines else _UNSAFE_LINE).sub(_escape, value)


def is_safe(text: str, *, lines: bool = False) -> bool:
    """True when :func:`shown` would leave ``text`` as it is."""
    return (_UNSAFE_LINES if lines else _UNSAFE_LINE).search(text) is None


def json_text(value: object, indent: int | None = 2) -> str:
    """JSON whose text, printed, is harmless: C1, bidi and lone surrogates as ``\\uXXXX``.

    json escapes C0 characters itself; the rest are escaped the same way,
    which is still valid JSON that reads back to the very same strings.
    """
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    return _UNSAFE_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


# --- names ---------------------------------------------------------------------------


class NameProblem(ValueError):
    """A name that cannot be used; ``str()`` says why in words a child's grown-up can act on."""


def clean_name(text: str) -> str:
    """A typed or imported name, ready to keep: NFC, trimmed, inner spaces single.

    Raises NameProblem for an empty or whitespace-only name, one with control
    characters (NUL, newlines, escapes, bidi overrides) or one that is too long.
    """
    trimmed = unicodedata.normalize("NFC", text).strip()
    if not is_safe(trimmed):  # before spaces are tidied: a newline or tab inside is refused
        raise NameProblem(
            f"a name cannot hold control characters or line breaks, got '{shown(trimmed)}': "
            "letters, digits, spaces and punctuation are fine"
        )
    name = " ".join(trimmed.split())
    if not name:
        raise NameProblem("a name needs at least one letter (a first name or a nickname is plenty)")
    if len(name) > MAX_NAME_LENGTH:
        raise NameProblem(f"a name can be at most {MAX_NAME_LENGTH} characters long")
    return name


def name_key(name: str) -> str:
    """The one rule for 'is this the same name': NFC, trimmed, then casefold (and NFC again,
    since casefolding can undo it). "Sam", "sam " and "SAM" share a key; so do the
    composed and decomposed spellings of "Zoë"."""
    folded = unicodedata.normalize("NFC", " ".join(name.split())).casefold()
    return unicodedata.normalize("NFC", folded)


def same_name(first: str | None, second: str | None) -> bool:
    """Whether two names are the same person's by :func:`name_key`."""
    return first is not None and second is not None and name_key(first) == name_key(second)


class AmbiguousName(ValueError):
    """A name that matches more than one person only by case; ``str()`` names them."""


def _spelling(name: str) -> str:
    return unicodedata.normalize("NFC", name.strip())


def matching_names(name: str, stored: Iterable[str]) -> list[str]:
    """The names in ``stored`` that are the person ``name`` means.

    A name given exactly as stored means that spelling, with its twin in the other
    Unicode form (NFC/NFD "Zoë", which prints the same): Sam is not sam. A name that
    matches only by case (name_key) means the one person whose name it is; when it
    could be several (Sam and SAM, asked for 'sam') AmbiguousName lists them, so that
    nobody's data is read, renamed or deleted by mistake. An empty list: nobody.
    """
    stored = list(stored)
    wanted = _spelling(name)
    exact = [spelling for spelling in stored if _spelling(spelling) == wanted]
    if exact:
        return exact
    alike = [spelling for spelling in stored if same_name(spelling, name)]
    people = list(dict.fromkeys(_spelling(spelling) for spelling in alike))
    if len(people) > 1:
        listed = ", ".join(f"'{shown(person)}'" for person in people)
        raise AmbiguousName(
            f"more than one profile is called '{shown(wanted)}': {listed};"
            " give the name exactly as it is written"
        )
    return alike
