"""Every message calmkit gives about a script or plan file, written once.

The messages themselves are in messages.toml beside this module: prose a psychologist can
review (and a translator could one day work from), read when the first message is wanted.
The code asks for each by its name, ``messages.NOT_UTF8``, a ``Says``. The YAML reader,
the loader and the library report only through these: the ones in messages.toml, and the
few beside the limits they state (in yamldoc.py and loader.py). ``loader.message_catalogue``
lists them all, with the messages of the loader's field table, for docs/script-format.md
to document. A hole ``{name}`` is what the code fills in; a hole ``{NAME}`` in capitals is
one of model.py's limits (``LIMIT_HOLES``), filled in here as the file is read, so each limit
is stated once; ``words`` lists, for a hole the code fills with its own words (not the
file's), each word it may pass, so the catalogue can spell each message out as the user
reads it.
"""

from __future__ import annotations

import functools
import itertools
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

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


# The holes messages.toml may leave for model.py's limits, each as a message writes it.
LIMIT_HOLES: Mapping[str, str] = {
    "MIN_AGE": str(model.MIN_AGE),
    "MAX_AGE": str(model.MAX_AGE),
    "VARIANTS": one_of(model.VARIANTS),
    "AMBIENT_BEDS": one_of(model.AMBIENT_BEDS),
    "NO_AMBIENT": model.NO_AMBIENT,
    "MAX_WORDS_PER_LINE": str(model.MAX_WORDS_PER_LINE),
    "MAX_SCRIPT_MINUTES": str(model.MAX_SCRIPT_SECONDS // 60),
    "SOUND_EXTENSIONS": ", ".join(model.SOUND_EXTENSIONS),
    "FORMAT_VERSION": str(model.FORMAT_VERSION),
}

_SEVERITIES: Mapping[str, Severity] = {"error": "error", "warning": "warning"}
_ENTRY_KEYS = ("text", "severity", "words")
_MESSAGE_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
_HOLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class CatalogueError(ValueError):
    """messages.toml holds something that is not a message this module can give."""


def read_catalogue(text: str) -> dict[str, Says]:
    """The messages of a messages.toml text by name, in the file's order, with model.py's
    limits filled in. The first thing wrong raises a CatalogueError naming the message."""
    import tomllib

    try:
        tables = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogueError(f"messages.toml is not valid TOML: {error}") from error
    return {name: _read_message(name, entry) for name, entry in tables.items()}


def _read_message(name: str, entry: object) -> Says:
    where = f"messages.toml [{name}]"
    # Capitals keep a message's name from hiding (or being hidden by) the module's own names.
    if not _MESSAGE_NAME.fullmatch(name):
        raise CatalogueError(f"{where}: a message's name is written in capitals, like NOT_UTF8")
    if not isinstance(entry, dict):
        raise CatalogueError(f"{where}: a message is a table of {one_of(_ENTRY_KEYS)}")
    for key in entry:
        if key not in _ENTRY_KEYS:
            raise CatalogueError(
                f"{where}: unknown key '{key}' (a message has {one_of(_ENTRY_KEYS)})"
            )
    text = entry.get("text")
    # One line: a problem is shown as one line (problems.Problem.__str__).
    if not isinstance(text, str) or not text.strip() or "\n" in text:
        raise CatalogueError(f"{where}: 'text' must be the message's words, on one line")
    severity = _SEVERITIES.get(entry.get("severity", "error"))
    if severity is None:
        raise CatalogueError(
            f"{where}: severity must be {one_of(_SEVERITIES)}, got {entry['severity']!r}"
        )
    template, holes = _fill_limits(where, text)
    words = entry.get("words", {})
    if not isinstance(words, dict):
        raise CatalogueError(f"{where}: 'words' must be a table of lists, like words.what = [...]")
    for hole, choices in words.items():
        if hole not in holes:
            raise CatalogueError(f"{where}: words for '{{{hole}}}', which the text does not have")
        # An empty list would spell the message out as nothing, hiding it from the catalogue.
        if (
            not isinstance(choices, list)
            or not choices
            or not all(isinstance(word, str) for word in choices)
        ):
            raise CatalogueError(f"{where}: words.{hole} must be a list of one or more texts")
    return Says(template, severity, {hole: tuple(choices) for hole, choices in words.items()})


def _fill_limits(where: str, text: str) -> tuple[str, set[str]]:
    """The text with each {LIMIT} hole written out, every other hole and each doubled brace
    left as written, and the names of the holes left for the code.

    The text is walked as ``str.format`` reads it, so a doubled brace is never mistaken
    for a hole, and a brace left single by mistake is refused here, not when the message
    is first given."""
    pieces: list[str] = []
    holes: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:
        raise CatalogueError(f"{where}: {error} (a brace itself is written twice)") from error
    for literal, hole, format_spec, conversion in parsed:
        pieces.append(_braces_doubled(literal))
        if hole is None:
            continue
        if format_spec or conversion or not _HOLE_NAME.fullmatch(hole):
            raise CatalogueError(
                f"{where}: a hole is a name in braces, like {{line}}, not {{{hole}...}}"
                " (a brace itself is written twice)"
            )
        if hole in LIMIT_HOLES:
            pieces.append(_braces_doubled(LIMIT_HOLES[hole]))
        elif _MESSAGE_NAME.fullmatch(hole):  # capitals: meant as a limit
            raise CatalogueError(
                f"{where}: {{{hole}}} is not one of model.py's limits ({', '.join(LIMIT_HOLES)})"
            )
        else:
            pieces.append(f"{{{hole}}}")
            holes.add(hole)
    return "".join(pieces), holes


def _braces_doubled(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


@functools.cache
def _catalogue() -> Mapping[str, Says]:
    """messages.toml, read the first time a message is wanted: a start that reads the
    library from its cache gives none, and reads nothing here.

    Read beside this file, as locations.py finds the library: the wheel installs both
    into one folder, and importlib.resources would cost its imports (zipfile)."""
    text = Path(__file__).with_name("messages.toml").read_text(encoding="utf-8")
    return MappingProxyType(read_catalogue(text))


def __getattr__(name: str) -> Says:
    """``messages.NAME``: the message of that name in messages.toml."""
    try:
        return _catalogue()[name]
    except KeyError:
        raise AttributeError(
            f"module {__name__!r} has no attribute {name!r} (no message [{name}] in messages.toml)"
        ) from None


def every_message() -> Mapping[str, Says]:
    """The messages of messages.toml by name, in the file's order."""
    return _catalogue()


def all_says(namespace: Mapping[str, object]) -> list[Says]:
    """The messages of a namespace (a module's ``Says`` constants, or ``every_message()``)."""
    return [value for value in namespace.values() if isinstance(value, Says)]
